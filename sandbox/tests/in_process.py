"""One sandbox served in this process for the tests that ask it through botocore: started by a test
module's `setUpModule`, stopped by its `tearDownModule`, with the clients and calls those tests share."""

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

import botocore.session
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import make_server

from posture_sandbox.app import SandboxApp

MANAGEMENT = "123456789012"  # moto's default account, which the sandbox's static key acts in
STATIC_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
REGION = "us-east-1"

_session = botocore.session.get_session()
_running: dict[str, Any] = {}


def start() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    sandbox = SandboxApp()
    server = make_server("127.0.0.1", 0, sandbox, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _running.update(app=sandbox, server=server, endpoint=f"http://127.0.0.1:{server.server_port}")


def stop() -> None:
    _running.pop("server").shutdown()
    _running.clear()


def app() -> SandboxApp:
    """The running sandbox, for what a test asks it directly (a reset, an extension's handler)."""
    return _running["app"]


def client(service: str, credentials=STATIC_KEY, region: str = REGION):
    key, secret, token = credentials
    return _session.create_client(service, region_name=region, endpoint_url=_running["endpoint"],
                                  aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def admin(path: str, body: dict) -> tuple[int, dict]:
    """POSTs `body` to the admin endpoint: the status and the JSON answer."""
    request = urllib.request.Request(_running["endpoint"] + path, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def member(account_id: str) -> tuple[str, str, str]:
    """Credentials in a member, as the seeder gets them: AssumeRole into the role Organizations made."""
    answer = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                       RoleSessionName="test")["Credentials"]
    return answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"]
