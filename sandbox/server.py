"""The sandbox server: moto's WSGI app inside posture's extension, on 127.0.0.1.

Run with the sandbox venv's python (posture does this: `posture sandbox start`). It binds first, so that
`--port 0` can pick a free port, then writes the state file that posture and the tests read, then serves.
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from werkzeug.serving import make_server

from posture_sandbox.app import build_app


def write_state_file(path: str, port: int) -> None:
    """Writes the state file atomically, so a reader never sees half of it."""
    state = {
        "endpoint": f"http://127.0.0.1:{port}",
        "port": port,
        "pid": os.getpid(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def remove_state_file(path: str) -> None:
    """Removes the state file if it still describes this process (a newer server may own it now)."""
    try:
        with open(path) as f:
            if json.load(f).get("pid") != os.getpid():
                return
        os.remove(path)
    except (FileNotFoundError, ValueError):
        pass


def exit_with_parent(server) -> None:
    """Stops the server when the process that started it is gone (a test run that ended or was killed)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        server.shutdown()

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--state-file", required=True, help="where to write endpoint and pid (JSON)")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when the parent process ends")
    args = parser.parse_args()

    from moto.moto_server.werkzeug_app import MotoRequestHandler

    # One log line per request costs CPU and grows server.log without bound; the request record
    # (`/_posture/requests`) is where requests are counted. Errors are still logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = make_server(
        "127.0.0.1",
        args.port,
        build_app(),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    port = server.server_port
    # moto reads this to build URLs in some responses; it must match where we listen.
    os.environ["MOTO_PORT"] = str(port)
    if args.exit_with_parent:
        exit_with_parent(server)
    write_state_file(args.state_file, port)

    def stop(_signum, _frame) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"posture sandbox listening on http://127.0.0.1:{port} (pid {os.getpid()})", flush=True)
    server.serve_forever()
    remove_state_file(args.state_file)
    # Interpreter shutdown (moto's many modules) takes seconds and does nothing we need.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
