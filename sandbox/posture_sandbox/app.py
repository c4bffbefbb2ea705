"""The sandbox's WSGI app: moto's dispatcher inside posture's middleware.

Every request passes here. Admin requests (`/_posture/...`) are answered from our state. AWS requests are
identified (service, action, account, region), meet the fault rules, are answered by our extension where
moto has a gap and by moto otherwise, and are recorded. moto runs under one lock because its backends are
not thread-safe; injected latency is slept outside that lock so concurrent clients feel it in parallel.
"""

import json
import os
import threading
import time
import traceback
from urllib.parse import parse_qs

from moto.iam.models import get_account_id_from, iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends
from moto.securityhub.models import SecurityHubBackend
from moto.sts.models import sts_backends

from . import control_tower, ec2_settings, enforce, iam, identity_center, moto_gaps, org_services, root_access, wire
from .access_analyzer import AccessAnalyzer
from .config_org import ConfigOrg
from .control_tower import ControlTower
from .faults import Faults
from .guardduty_org import GuardDutyOrganization
from .record import RequestRecord
from .securityhub_central import SecurityHubCentral

# Bounds the access-key cache; each assumed role adds a key, and the sandbox is long-lived.
MAX_CACHED_CALLERS = 100_000


class SandboxApp:
    """moto plus posture's extension, as one WSGI callable."""

    def __init__(self):
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.moto_lock = threading.RLock()
        self.faults = Faults()
        self.record = RequestRecord()
        self.iam = iam.IamExtension()
        self.access_analyzer = AccessAnalyzer()
        self.enforcement = enforce.Enforcement()
        self.root_access = root_access.RootAccess(self.iam)
        self.identity_center = identity_center.IdentityCenter()
        self.ec2_settings = ec2_settings.Ec2Settings()
        self.guardduty_org = GuardDutyOrganization()
        self.securityhub_central = SecurityHubCentral()
        self.control_tower = ControlTower()
        self.config_org = ConfigOrg()
        self.callers: dict[str, tuple[str, str]] = {}  # access key id -> (account, principal ARN)
        self.iam.install()
        self.root_access.install()
        self.identity_center.install()
        self.ec2_settings.install()
        self.guardduty_org.install()
        self.securityhub_central.install()
        moto_gaps.install()
        org_services.install()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_posture/"):
            status, headers, body = self.admin(environ, path)
        else:
            request = wire.parse_request(environ)
            if request is None:
                status, headers, body = self.call_moto(environ)
            else:
                status, headers, body = self.serve_aws(request, environ)
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    # --- AWS requests --------------------------------------------------------------------------------

    def serve_aws(self, request: wire.AwsRequest, environ):
        account_id, principal = self.caller_of(request.access_key)
        target_account = assume_role_target(request)
        latency_ms, rule = self.faults.take(request.service, request.action, target_account or account_id)
        try:
            if latency_ms:
                time.sleep(latency_ms / 1000)
            if rule is not None:
                response = self.fault_response(rule, request, principal)
            else:
                with self.moto_lock:
                    response = (self.enforcement.refuse(request, environ, account_id)
                                or self.refuse_closed_account(request, target_account, principal)
                                or self.extension_response(request, account_id)
                                or self.call_moto(environ))
        except NotImplementedError:
            # moto lacks the operation: answer as AWS does for an operation it does not know, not
            # with a 500 that clients would retry for a minute.
            code = "InvalidAction" if request.protocol in ("query", "ec2") else "UnknownOperationException"
            response = wire.error_response(request, code, f"{request.action} is not supported by the sandbox", 400)
        except Exception:  # noqa: BLE001 - a bug of ours or moto's must answer like AWS's 500, not kill the thread
            traceback.print_exc()
            response = wire.error_response(request, wire.INTERNAL_ERROR.get(request.service, "InternalFailure"),
                                           "The sandbox failed on this request; see its server.log", 500)
        self.record.add(
            request.service, request.action, enforce.iam_action(request), account_id, request.region,
            int(response[0].split()[0]),
            principal, fault=rule.kind if rule else None, target_account_id=target_account,
        )
        return response

    def caller_of(self, access_key: str) -> tuple[str, str]:
        """The account a request acts in and the ARN of who signed it, cached per access key (moto
        looks the key up across every account on each request)."""
        known = self.callers.get(access_key)
        if known:
            return known
        with self.moto_lock:
            account_id = get_account_id_from(access_key)
            caller = (account_id, self.principal_of(access_key, account_id))
        if len(self.callers) < MAX_CACHED_CALLERS:
            self.callers[access_key] = caller
        return caller

    def refuse_closed_account(self, request: wire.AwsRequest, target_account: str | None, principal: str):
        """AWS refuses `AssumeRole` into a suspended or closed account; moto lets it through."""
        if target_account is None:
            return None
        status = account_status(target_account)
        if status in ("SUSPENDED", "PENDING_CLOSURE", "CLOSED"):
            return self.deny_assume_role(request, principal)
        return None

    def principal_of(self, access_key: str, account_id: str) -> str:
        """The ARN of who signed with `access_key`: an assumed-role session, an IAM user, or the
        account itself (static keys moto does not know act as the default account)."""
        role = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(access_key)
        if role is not None:
            return role.arn
        user = next((u for u in iam_backends[account_id]["aws"].users.values()
                     if any(k.access_key_id == access_key for k in u.access_keys)), None)
        return user.arn if user else f"arn:aws:iam::{account_id}:root"

    def extension_response(self, request: wire.AwsRequest, account_id: str):
        """Our answer where moto has a gap; None to let moto answer."""
        if request.service == "access-analyzer":
            return self.access_analyzer.handle(request, account_id)
        if request.service == "iam":
            return self.iam.handle(request, account_id) or self.root_access.handle(request, account_id)
        if request.service == identity_center.SIGNING_NAME:
            return self.identity_center.handle(request, account_id)
        if request.service in ("ec2", "organizations"):
            answer = self.ec2_settings.handle(request, account_id)
            if answer is not None:
                return answer
        if request.service == "guardduty":
            answer = self.guardduty_org.handle(request, account_id)
            if answer is not None:
                return answer
        if request.service == "securityhub":
            answer = self.securityhub_central.handle(request, account_id)
            if answer is not None:
                return answer
        if request.service == control_tower.SIGNING_NAME:  # moto has no Control Tower: every operation
            return self.control_tower.handle(request, account_id)
        if request.service == "config":
            answer = self.config_org.handle(request, account_id)
            if answer is not None:
                return answer
        unmodelled = org_services.unmodelled(request)
        if unmodelled is not None:
            return unmodelled
        handler = moto_gaps.HANDLERS.get((request.service, request.action))
        if handler is not None:
            return handler(request, account_id)
        return None

    def fault_response(self, rule, request: wire.AwsRequest, principal: str):
        if rule.kind == "deny_assume_role":
            return self.deny_assume_role(request, principal)
        if rule.kind == "deny":
            return wire.access_denied(request, principal, enforce.iam_action(request))
        if rule.kind == "throttle":
            code, status = wire.THROTTLING.get(request.service, wire.DEFAULT_THROTTLING)
            return wire.error_response(request, code, "Rate exceeded", status)
        code = wire.INTERNAL_ERROR.get(request.service, wire.DEFAULT_INTERNAL_ERROR)
        return wire.error_response(request, code, "We encountered an internal error. Please try again.",
                                   rule.status or 500)

    @staticmethod
    def deny_assume_role(request: wire.AwsRequest, principal: str):
        return wire.access_denied(request, principal, "sts:AssumeRole", request.form().get("RoleArn", ""))

    def call_moto(self, environ):
        """moto's answer, read whole inside the lock (its response body is built lazily)."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        with self.moto_lock:
            chunks = self.moto_app(environ, capture)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return captured["status"], headers, body

    # --- the admin endpoint (sandbox/README.md) ------------------------------------------------------

    def admin(self, environ, path: str):
        method = environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            spec = json.loads(wire.read_body(environ) or b"{}")
            if not isinstance(spec, dict):
                raise TypeError("the body must be a JSON object")
            result = self.admin_action(method, path, query, spec)
        except (ValueError, KeyError, TypeError) as err:
            return admin_json({"error": str(err)}, 400)
        if result is None:
            return admin_json({"error": f"no admin route {method} {path}"}, 404)
        return admin_json(result)

    def admin_action(self, method: str, path: str, query: dict, spec):
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_posture/health"):
            return {"ok": True, "pid": os.getpid()}
        if route == ("POST", "/_posture/reset"):
            with self.moto_lock:
                self.reset()
            return {"ok": True}
        if route == ("POST", "/_posture/controltower/drift"):
            with self.moto_lock:
                return self.control_tower.drift_admin(spec)
        if route == ("POST", "/_posture/config/aggregator-source"):
            with self.moto_lock:
                return self.config_org.source_status_admin(spec)
        if route == ("GET", "/_posture/root"):
            return self.iam.root_state(query.get("account_id", ""))
        if route == ("POST", "/_posture/root"):
            return self.iam.set_root(spec)
        if route == ("POST", "/_posture/iam/access-key"):
            with self.moto_lock:
                return iam.backdate_access_key(spec)
        if route == ("POST", "/_posture/iam/credential-report"):
            self.iam.max_age_seconds = int(spec["max_age_seconds"])
            return {"max_age_seconds": self.iam.max_age_seconds}
        if route == ("POST", "/_posture/sso/organization-instance"):
            with self.moto_lock:
                return self.identity_center.enable_organization_instance(spec)
        if route == ("GET", "/_posture/iam/enforce"):
            return {"enforce": self.enforcement.enabled}
        if route == ("POST", "/_posture/iam/enforce"):
            if not isinstance(spec.get("enforce"), bool):
                raise ValueError('the body must be {"enforce": true|false}')
            self.enforcement.enabled = spec["enforce"]
            return {"enforce": self.enforcement.enabled}
        if route == ("GET", "/_posture/faults"):
            return {"faults": self.faults.describe()}
        if route == ("POST", "/_posture/faults"):
            return {"id": self.faults.add(spec).id}
        if route == ("DELETE", "/_posture/faults"):
            self.faults.clear()
            return {"ok": True}
        if route == ("GET", "/_posture/requests"):
            unknown = set(query) - {"service", "action", "account_id", "principal", "since"}
            if unknown:
                raise ValueError(f"unknown filter(s) {sorted(unknown)}")
            since = int(query.pop("since", 0))
            requests, dropped = self.record.query(query, since)
            return {"requests": requests, "dropped": dropped}
        if route == ("DELETE", "/_posture/requests"):
            self.record.clear()
            return {"ok": True}
        return None

    def reset(self) -> None:
        """Everything back to an empty sandbox: moto's state and ours."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        # Kept outside moto's backends, so its reset leaves them behind.
        organizations_backends.master_accounts.clear()
        s3_backends.bucket_accounts.clear()
        SecurityHubBackend._org_configs.clear()  # moto keeps it on the class
        self.faults.clear()
        self.record.clear()
        self.iam.reset()
        self.access_analyzer.reset()
        self.root_access.reset()
        self.identity_center.reset()
        self.ec2_settings.reset()
        self.guardduty_org.reset()
        self.securityhub_central.reset()
        self.control_tower.reset()
        self.config_org.reset()
        self.enforcement.enabled = False
        self.callers.clear()
        moto_gaps.SECURITYHUB_ADMINS.clear()
        moto_gaps.SECURITYHUB_STANDARDS.clear()


def account_status(account_id: str) -> str | None:
    """The account's state in its organization, or None outside one."""
    master = organizations_backends.master_accounts.get(account_id)
    if master is None:
        return None
    backend = organizations_backends[master[0]]["aws"]
    account = next((a for a in backend.accounts if a.id == account_id), None)
    return getattr(account, "state", None) or getattr(account, "status", None) if account else None


def assume_role_target(request: wire.AwsRequest) -> str | None:
    """The account whose role an `sts:AssumeRole` request asks for."""
    if request.service != "sts" or request.action != "AssumeRole":
        return None
    parts = request.form().get("RoleArn", "").split(":")
    return parts[4] if len(parts) > 4 else None


def admin_json(payload: dict, status: int = 200):
    return wire.status_line(status), [("Content-Type", "application/json")], json.dumps(payload).encode()


def build_app() -> SandboxApp:
    return SandboxApp()
