"""posture's extension of moto: what the sandbox organization needs and moto lacks."""
