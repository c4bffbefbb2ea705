"""What an AWS request is (service, action, account, region) and how each protocol says "error".

The SDK must not notice that an answer came from us rather than from AWS, so error bodies follow each
protocol's real shape (awsQuery XML, EC2 XML, awsJson, restJson1, restXml). Operation names for REST
protocols come from botocore's service models, which moto already ships: we match method and path
against each operation's `requestUri` instead of keeping a hand-written route table.
"""

import io
import json
import re
import threading
import uuid
from collections.abc import Set
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs, unquote

import botocore.exceptions
import botocore.session

# SigV4 signing names whose botocore service name differs.
SERVICE_MODEL_NAMES = {
    "access-analyzer": "accessanalyzer",
    "monitoring": "cloudwatch",
    "states": "stepfunctions",
    "email": "ses",
    "sso": "sso-admin",  # botocore's `sso` is the portal API, signed as `awsssoportal`
}

# The throttling error each service really sends, with its HTTP status (see
# ../shared/reference/aws-api-facts.md (j) and the botocore models' `error.httpStatusCode`).
THROTTLING = {
    "iam": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "organizations": ("TooManyRequestsException", 400),
    "cloudtrail": ("ThrottlingException", 400),
    "config": ("ThrottlingException", 400),
    "access-analyzer": ("ThrottlingException", 429),
    "securityhub": ("ThrottlingException", 429),
    "guardduty": ("TooManyRequestsException", 429),
    "account": ("TooManyRequestsException", 429),
    "s3": ("SlowDown", 503),
    "ec2": ("RequestLimitExceeded", 503),
    "controltower": ("ThrottlingException", 429),
}
DEFAULT_THROTTLING = ("ThrottlingException", 400)

# The internal-error code of each service.
INTERNAL_ERROR = {
    "iam": "ServiceFailure",
    "organizations": "ServiceException",
    "access-analyzer": "InternalServerException",
    "securityhub": "InternalException",
    "guardduty": "InternalServerErrorException",
    "sso": "InternalServerException",
    "s3": "InternalError",
    "controltower": "InternalServerException",
}
DEFAULT_INTERNAL_ERROR = "InternalFailure"

# The access-denied code by protocol: IAM, STS and S3 say `AccessDenied`, EC2 `UnauthorizedOperation`,
# the JSON protocols `AccessDeniedException`.
ACCESS_DENIED = {"query": "AccessDenied", "ec2": "UnauthorizedOperation", "rest-xml": "AccessDenied"}
DEFAULT_ACCESS_DENIED = "AccessDeniedException"

_AUTH_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class AwsRequest:
    """The facts about one AWS request that recording, faults and our own services need."""

    service: str  # SigV4 signing name
    action: str
    region: str
    access_key: str
    protocol: str
    method: str
    path: str
    query: dict
    body: bytes
    # The path as sent, still percent-encoded (`path` is decoded): a URI label may hold an encoded
    # `/` (Security Hub's configuration policy ARN in `/configurationPolicy/get/{Identifier}`).
    raw_path: str = ""

    def json_body(self) -> dict:
        """The body parsed as JSON (restJson1/awsJson); an empty body is an empty object."""
        return json.loads(self.body or b"{}")

    def form(self) -> dict:
        """awsQuery parameters from the query string and the form body, first value of each."""
        params = {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}
        params.update(self.query)
        return params


def read_body(environ) -> bytes:
    """Reads the whole body and puts it back, so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def parse_request(environ) -> AwsRequest | None:
    """Identifies a signed AWS request; None for anything else (moto's own API, unsigned calls)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _AUTH_SCOPE.search(auth)
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    if not match and "X-Amz-Credential" in query:
        match = _AUTH_SCOPE.search("Credential=" + query["X-Amz-Credential"])
    if not match:
        return None
    access_key, region, service = match.groups()
    body = read_body(environ)
    model = service_model(service)
    protocol = model.protocol if model else "json"
    request = AwsRequest(
        service=service,
        action="",
        region=region,
        access_key=access_key,
        protocol=protocol,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=unquote(environ.get("PATH_INFO", "/")),
        query=query,
        body=body,
        raw_path=raw_path_of(environ),
    )
    request.action = find_action(request, environ, model)
    return request


def raw_path_of(environ) -> str:
    """The request's path before percent-decoding (werkzeug keeps it in RAW_URI / REQUEST_URI)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    if "://" in raw:  # an absolute URI (through a proxy): drop scheme and host
        raw = "/" + raw.split("://", 1)[1].partition("/")[2]
    return raw.split("?", 1)[0] or environ.get("PATH_INFO", "/")


def find_action(request: AwsRequest, environ, model) -> str:
    """The operation name, the way each protocol carries it."""
    if request.protocol in ("query", "ec2"):
        return request.form().get("Action", "Unknown")
    if request.protocol == "json":
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        return target.rsplit(".", 1)[-1] if target else "Unknown"
    if model is None:
        return "Unknown"
    headers = {key[5:].lower().replace("_", "-") for key in environ if key.startswith("HTTP_")}
    # Matched on the path as sent, so that an encoded `/` inside a label stays inside it.
    path = request.raw_path or request.path
    return _rest_routes(request.service).match(request.method, path, request.query, headers) or "Unknown"


_models: dict = {}
_routes: dict = {}
_models_lock = threading.Lock()
_botocore = botocore.session.get_session()


def service_model(signing_name: str):
    """botocore's model for a signing name, loaded once; None for a service botocore does not know."""
    with _models_lock:
        if signing_name not in _models:
            name = SERVICE_MODEL_NAMES.get(signing_name, signing_name)
            try:
                _models[signing_name] = _botocore.get_service_model(name)
            except botocore.exceptions.DataNotFoundError:  # UnknownServiceError is one
                _models[signing_name] = None
        return _models[signing_name]


class RestRoutes:
    """Matches (method, path, query, headers) against the `requestUri`s of a REST service's operations.

    Several operations can share a method and URI (S3's PutObject, CopyObject, UploadPart and
    UploadPartCopy are all `PUT /{Bucket}/{Key+}`); what tells them apart is the input members they
    require in the query string (`uploadId`, `partNumber`) or in a header (`x-amz-copy-source`), so
    those count as part of the route, and the route requiring the most that are present wins.
    """

    def __init__(self, model):
        self.routes = []
        for name in model.operation_names:
            operation = model.operation_model(name)
            http = operation.http
            uri = http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            pattern = "^"
            literal = 0
            for part in re.split(r"(\{[^}]+\})", path):
                if part.startswith("{"):
                    pattern += "(.+)" if part.endswith("+}") else "([^/]+)"
                else:
                    pattern += re.escape(part)
                    literal += len(part.strip("/"))
            pattern += "/?$"
            required = {}
            for item in filter(None, query.split("&")):
                key, _, value = item.partition("=")
                required[key] = value or None
            headers = set()
            shape = operation.input_shape
            for member in shape.required_members if shape is not None else ():
                where = shape.members[member].serialization
                if where.get("location") == "querystring":
                    required.setdefault(where["name"], None)
                elif where.get("location") == "header":
                    headers.add(where["name"].lower())
            self.routes.append((http["method"], re.compile(pattern), required, headers, literal, name))

    def match(self, method: str, path: str, query: dict, headers: Set[str] = frozenset()) -> str | None:
        best = None
        for verb, pattern, required, required_headers, literal, name in self.routes:
            if verb != method or not pattern.match(path):
                continue
            if any(k not in query or (v is not None and query[k] != v) for k, v in required.items()):
                continue
            if not required_headers <= headers:
                continue
            score = (len(required) + len(required_headers), literal)
            if best is None or score > best[0]:
                best = (score, name)
        return best[1] if best else None


def _rest_routes(signing_name: str) -> RestRoutes:
    with _models_lock:
        routes = _routes.get(signing_name)
    if routes is None:
        routes = RestRoutes(service_model(signing_name))
        with _models_lock:
            _routes[signing_name] = routes
    return routes


def new_request_id() -> str:
    """A request id in AWS's usual UUID form."""
    return str(uuid.uuid4())


def access_denied(request: AwsRequest, principal: str, action: str, resource: str | None = None,
                  why: str = ""):
    """AWS's refusal of `action` to `principal`, in the protocol's own shape: `User: ARN is not
    authorized to perform: ACTION[ on resource: R][ why]` (403)."""
    message = f"User: {principal} is not authorized to perform: {action}"
    if resource is not None:
        message += f" on resource: {resource}"
    if why:
        message += f" {why}"
    return error_response(request, ACCESS_DENIED.get(request.protocol, DEFAULT_ACCESS_DENIED), message, 403)


def error_response(request: AwsRequest, code: str, message: str, status: int):
    """(status line, headers, body) of an error in the request's protocol."""
    request_id = new_request_id()
    headers = [("x-amzn-RequestId", request_id)]
    protocol = request.protocol
    if protocol == "query":
        fault = "Sender" if status < 500 else "Receiver"
        body = (
            f'<ErrorResponse xmlns="https://{request.service}.amazonaws.com/doc/">'
            f"<Error><Type>{fault}</Type><Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{_xml(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "rest-xml":
        body = (
            f"<Error><Code>{code}</Code><Message>{_xml(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        headers += [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    else:
        content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        body = json.dumps({"__type": code, "message": message})
        headers += [("Content-Type", content_type), ("x-amzn-ErrorType", code)]
    return status_line(status), headers, body.encode()


def json_response(payload: dict, status: int = 200):
    """(status line, headers, body) of a restJson1/awsJson success."""
    body = json.dumps(payload, default=str).encode()
    return (
        status_line(status),
        [("Content-Type", "application/json"), ("x-amzn-RequestId", new_request_id())],
        body,
    )


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
