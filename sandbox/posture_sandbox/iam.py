"""IAM as AWS answers it where moto does not: the root user and the credential report.

moto has no root user: its credential report lacks the `<root_account>` row, `GetAccountSummary` hard-codes
the root keys to 0 and omits `AccountPasswordPresent`, and its report rows differ from AWS's in the
`N/A`/`not_supported` details and the last-used region/service. Here the root user's state lives per
account (set by the seeder through the admin endpoint), the summary is patched to agree with it, and the
credential report is built the way IAM builds it (../shared/reference/aws-api-facts.md (a)-(c)).

The report is a snapshot taken when generation completes, like AWS's, which takes GENERATION_SECONDS.
Like AWS, a report younger than four hours (`max_age_seconds`, REPORT_MAX_AGE_SECONDS by default) is
handed out again, with its old GeneratedTime: a scan right after a change window reads the picture
from before it, as it would on AWS. The admin endpoint can lower the age (0: a new report every time).
"""

import base64
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from moto.iam import models as iam_models

from . import wire

DATE = "%Y-%m-%dT%H:%M:%S+00:00"
# How long generating a report takes here (AWS: seconds); long enough that a client must poll.
GENERATION_SECONDS = 0.05
# IAM generates a new credential report at most every four hours
# (awsdocs/iam-user-guide: id_credentials_getting-report.md).
REPORT_MAX_AGE_SECONDS = 4 * 60 * 60
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class RootState:
    """The root user of one account. The default is a fresh AWS account: a password, nothing else."""

    password: bool = True
    mfa: bool = False
    access_keys: int = 0
    signing_certificates: int = 0
    password_last_used: str | None = None
    created: str = field(default_factory=lambda: utcnow().strftime(DATE))

    def update(self, spec: dict) -> None:
        for name in ("password", "mfa"):
            if name in spec:
                if not isinstance(spec[name], bool):
                    raise ValueError(f"{name} must be true or false")
                setattr(self, name, spec[name])
        for name in ("access_keys", "signing_certificates"):
            if name in spec:
                if spec[name] not in (0, 1, 2):
                    raise ValueError(f"{name} must be 0, 1 or 2")
                setattr(self, name, spec[name])
        if "password_last_used" in spec:
            self.password_last_used = spec["password_last_used"]


@dataclass
class Report:
    content: str
    generated_at: datetime


class IamExtension:
    """Root users and credential reports of every account, consistent with each other."""

    def __init__(self):
        self._lock = threading.RLock()
        self.roots: dict[str, RootState] = {}
        self.reports: dict[str, Report] = {}
        self.pending: dict[str, datetime] = {}  # account -> when its report generation started
        self.max_age_seconds = REPORT_MAX_AGE_SECONDS

    def reset(self) -> None:
        with self._lock:
            self.roots.clear()
            self.reports.clear()
            self.pending.clear()
            self.max_age_seconds = REPORT_MAX_AGE_SECONDS

    def root(self, account_id: str) -> RootState:
        with self._lock:
            return self.roots.setdefault(account_id, RootState())

    def root_state(self, account_id: str) -> dict:
        """The root user's state of an account (the default until set)."""
        with self._lock:
            state = self.roots.get(account_id) or RootState()
        return {"account_id": account_id, **asdict(state)}

    def set_root(self, spec: dict) -> dict:
        account_id = spec.get("account_id")
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError("account_id must be a 12-digit account id")
        unknown = set(spec) - {"account_id", "password", "mfa", "access_keys", "signing_certificates",
                               "password_last_used"}
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}")
        state = self.root(account_id)
        state.update(spec)
        return {"account_id": account_id, **asdict(state)}

    # --- GetAccountSummary -------------------------------------------------------------------------

    def install(self) -> None:
        """Patches moto so that GetAccountSummary tells the root user's state, and login profiles
        remember when their password last changed (the report's `password_last_changed`)."""
        extension = self
        original_summary = iam_models.AccountSummary.summary_map.fget  # type: ignore[attr-defined]

        def summary_map(summary):
            values = original_summary(summary)
            root = extension.root(summary._iam_backend.account_id)
            values["AccountMFAEnabled"] = int(root.mfa)
            values["AccountAccessKeysPresent"] = int(root.access_keys > 0)
            values["AccountPasswordPresent"] = int(root.password)
            values["AccountSigningCertificatesPresent"] = int(root.signing_certificates > 0)
            return values

        iam_models.AccountSummary.summary_map = property(summary_map)  # type: ignore[assignment, method-assign]

        for name in ("create_login_profile", "update_login_profile"):
            original = getattr(iam_models.IAMBackend, name)

            def stamped(backend, *args, _original=original, **kwargs):
                result = _original(backend, *args, **kwargs)
                user_name = kwargs.get("user_name", args[0] if args else None)
                if user_name and user_name in backend.users:
                    backend.users[user_name].posture_password_changed = utcnow()
                return result

            setattr(iam_models.IAMBackend, name, stamped)

    # --- the credential report --------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        """Answers GenerateCredentialReport and GetCredentialReport; None for other IAM actions."""
        if request.action == "GenerateCredentialReport":
            return self._generate(account_id)
        if request.action == "GetCredentialReport":
            return self._get(request, account_id)
        return None

    def _generate(self, account_id: str):
        # AWS answers STARTED when it begins, INPROGRESS while it runs, then COMPLETE once a report
        # no older than `max_age_seconds` exists; clients poll Generate (or Get) until it is there.
        with self._lock:
            finished_now = self._complete_if_due(account_id)
            report = self.reports.get(account_id)
            if finished_now or (report and (utcnow() - report.generated_at).total_seconds() <= self.max_age_seconds):
                state, description = "COMPLETE", None
            elif account_id in self.pending:
                state, description = "INPROGRESS", None
            else:
                self.pending[account_id] = utcnow()
                state = "STARTED"
                description = ("No report exists. Starting a new report generation task" if report is None
                               else "Report is older than allowed. Starting a new report generation task")
        body = f"<State>{state}</State>"
        if description:
            body += f"<Description>{description}</Description>"
        return query_response("GenerateCredentialReport", body)

    def _complete_if_due(self, account_id: str) -> bool:
        """Finishes a started report once its generation time has passed (a snapshot of now);
        True if it did."""
        started = self.pending.get(account_id)
        if started is None or (utcnow() - started).total_seconds() < GENERATION_SECONDS:
            return False
        del self.pending[account_id]
        self.reports[account_id] = Report(self._build(account_id), utcnow())
        return True

    def _get(self, request: wire.AwsRequest, account_id: str):
        with self._lock:
            self._complete_if_due(account_id)
            report = self.reports.get(account_id)
            pending = account_id in self.pending
        if report is None and pending:
            return wire.error_response(request, "ReportInProgress", "Report is still being generated", 404)
        if report is None:
            return wire.error_response(request, "ReportNotPresent", "Credential report not present", 410)
        content = base64.b64encode(report.content.encode()).decode()
        body = (
            f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat>"
            f"<GeneratedTime>{report.generated_at.strftime('%Y-%m-%dT%H:%M:%SZ')}</GeneratedTime>"
        )
        return query_response("GetCredentialReport", body)

    def _build(self, account_id: str) -> str:
        backend = iam_models.iam_backends[account_id]["aws"]
        rows = [HEADER, self._root_row(account_id)]
        rows += [user_row(user) for user in backend.users.values()]
        return "\n".join(rows) + "\n"

    def _root_row(self, account_id: str) -> str:
        root = self.root(account_id)
        if root.password:
            password_last_used = root.password_last_used or "no_information"
        else:
            password_last_used = "N/A"
        keys = []
        for n in (1, 2):
            active = root.access_keys >= n
            keys += ["true" if active else "false", root.created if active else "N/A", "N/A", "N/A", "N/A"]
        certs = []
        for n in (1, 2):
            active = root.signing_certificates >= n
            certs += ["true" if active else "false", root.created if active else "N/A"]
        fields = [
            "<root_account>",
            f"arn:aws:iam::{account_id}:root",
            root.created,
            "not_supported",
            password_last_used,
            "not_supported",
            "not_supported",
            "true" if root.mfa else "false",
            *keys,
            *certs,
        ]
        return ",".join(fields)


def user_row(user) -> str:
    """One IAM user's row, with the values AWS writes (N/A, no_information) rather than moto's."""
    if user.password:
        password_enabled = "true"
        password_last_used = (
            user.password_last_used.strftime(DATE) if user.password_last_used else "no_information"
        )
        changed = getattr(user, "posture_password_changed", None) or user.create_date
        password_last_changed = changed.strftime(DATE)
    else:
        password_enabled, password_last_used, password_last_changed = "false", "N/A", "N/A"
    keys = []
    for index in (0, 1):
        key = user.access_keys[index] if index < len(user.access_keys) else None
        if key is None:
            keys += ["false", "N/A", "N/A", "N/A", "N/A"]
            continue
        used = key.last_used
        active = key.status == "Active"
        keys += [
            "true" if active else "false",
            # IAM writes N/A here for a key that is not active.
            key.create_date.strftime(DATE) if active else "N/A",
            used.timestamp.strftime(DATE) if used else "N/A",
            used.region if used and used.region else "N/A",
            used.service if used and used.service else "N/A",
        ]
    certificates = list(user.signing_certificates.values())
    certs = []
    for index in (0, 1):
        cert = certificates[index] if index < len(certificates) else None
        if cert is None:
            certs += ["false", "N/A"]
        else:
            uploaded = getattr(cert, "upload_date", None) or user.create_date
            certs += ["true" if cert.status == "Active" else "false",
                      uploaded.strftime(DATE) if hasattr(uploaded, "strftime") else str(uploaded)]
    fields = [
        user.name,
        user.arn,
        user.create_date.strftime(DATE),
        password_enabled,
        password_last_used,
        password_last_changed,
        "N/A",
        "true" if user.mfa_devices else "false",
        *keys,
        *certs,
    ]
    return ",".join(fields)


def query_response(action: str, result: str):
    """(status line, headers, body) of an awsQuery (IAM) success."""
    request_id = wire.new_request_id()
    body = (
        f'<{action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<{action}Result>{result}</{action}Result>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
    return wire.status_line(200), [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()


def backdate_access_key(spec: dict) -> dict:
    """Sets an IAM user's access key creation and last-use dates (moto stamps keys with its clock)."""
    unknown = set(spec) - {"account_id", "access_key_id", "create_date", "last_used"}
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    account_id, key_id = spec.get("account_id"), spec.get("access_key_id")
    if not isinstance(account_id, str):
        raise TypeError("account_id must be an account id")
    backend = iam_models.iam_backends[account_id]["aws"]
    key = next(
        (k for user in backend.users.values() for k in user.access_keys if k.access_key_id == key_id), None
    )
    if key is None:
        raise ValueError(f"no IAM user access key {key_id} in account {account_id}")
    if "create_date" in spec:
        key.create_date = parse_time(spec["create_date"])
    if "last_used" in spec:
        used = spec["last_used"]
        key.last_used = None if used is None else iam_models.AccessKeyLastUsed(
            timestamp=parse_time(used["date"]), service=used.get("service", "iam"),
            region=used.get("region", "us-east-1"),
        )
    return {"access_key_id": key_id, "create_date": key.create_date.strftime(DATE),
            "last_used": key.last_used.timestamp.strftime(DATE) if key.last_used else None}


def parse_time(text: str) -> datetime:
    """An RFC 3339 time as a naive UTC datetime, the way moto keeps its own."""
    value = datetime.fromisoformat(text)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
