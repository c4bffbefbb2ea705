"""IAM Access Analyzer (restJson1, signing name `access-analyzer`), which moto does not implement.

Analyzers are kept per (account, region). Findings are not invented: like the real service, an analyzer
derives them from resource policies, here the ones moto holds: S3 bucket policies (in the analyzer's Region)
and IAM role trust policies (global, so every Region's analyzer sees them). A principal outside the
analyzer's zone of trust (its account for ACCOUNT, the organization for ORGANIZATION) is external access;
Principal "*" without a condition is public. Analysis runs on the first page of every finding request, so a
fixed policy turns its finding RESOLVED at the next look, and ARCHIVED (set by UpdateFindings) survives it.

An ORGANIZATION analyzer may only be created in the management account or the Access Analyzer delegated
administrator; it lives in that account, so a member's own ListAnalyzers does not show it.
"""

import base64
import json
import re
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends

from . import wire
from .org import organization_of

ANALYZER_TYPES = ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS")
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")
FINDING_NAMESPACE = uuid.UUID("6f1c2d8e-8a51-4a0c-9c39-0c8b1d7a52e1")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Problem(Exception):
    """A modeled Access Analyzer error."""

    def __init__(self, code: str, status: int, message: str):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


class AccessAnalyzer:
    """All analyzers and their findings, in every account and Region of the sandbox."""

    def __init__(self):
        self._lock = threading.RLock()
        # (account, region) -> name -> analyzer dict
        self.analyzers: dict[tuple[str, str], dict[str, dict]] = {}
        # analyzer arn -> finding id -> finding dict
        self.findings: dict[str, dict[str, dict]] = {}

    def reset(self) -> None:
        with self._lock:
            self.analyzers.clear()
            self.findings.clear()

    # --- dispatch ------------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        handlers = {
            "CreateAnalyzer": self.create_analyzer,
            "ListAnalyzers": self.list_analyzers,
            "GetAnalyzer": self.get_analyzer,
            "DeleteAnalyzer": self.delete_analyzer,
            "ListFindings": self.list_findings,
            "ListFindingsV2": self.list_findings_v2,
            "GetFinding": self.get_finding,
            "GetFindingV2": self.get_finding_v2,
            "UpdateFindings": self.update_findings,
        }
        handler = handlers.get(request.action)
        if handler is None:
            return wire.error_response(
                request, "ValidationException", f"{request.action} is not supported by the posture sandbox", 400
            )
        try:
            with self._lock:
                return wire.json_response(handler(request, account_id, request.region))
        except Problem as problem:
            return wire.error_response(request, problem.code, problem.message, problem.status)
        except ValueError as err:  # malformed JSON or numbers in the request; bugs of ours go to the 500 path
            return wire.error_response(request, "ValidationException", f"Invalid request: {err}", 400)

    # --- analyzers -----------------------------------------------------------------------------------

    def create_analyzer(self, request, account_id, region):
        body = request.json_body()
        name = body.get("analyzerName", "")
        kind = body.get("type", "")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,254}", name):
            raise Problem("ValidationException", 400, "analyzerName is not valid")
        if kind not in ANALYZER_TYPES:
            raise Problem("ValidationException", 400, f"type must be one of {', '.join(ANALYZER_TYPES)}")
        here = self.analyzers.setdefault((account_id, region), {})
        if name in here:
            raise Problem("ConflictException", 409, f"Analyzer {name} already exists")
        organization = organization_of(account_id)
        is_admin = organization is not None and may_administer(account_id, organization)
        if kind.startswith("ORGANIZATION"):
            if organization is None:
                raise Problem("ValidationException", 400, "The account is not part of an organization")
            if not is_admin:
                raise Problem(
                    "AccessDeniedException", 403,
                    "Only the management account or the delegated administrator can create an organization analyzer",
                )
        if kind == "ACCOUNT" and not is_admin and any(a["type"] == "ACCOUNT" for a in here.values()):
            raise Problem("ServiceQuotaExceededException", 402, "Only one ACCOUNT analyzer is allowed per Region")
        arn = f"arn:aws:access-analyzer:{region}:{account_id}:analyzer/{name}"
        here[name] = {
            "arn": arn,
            "name": name,
            "type": kind,
            "createdAt": now(),
            "status": "ACTIVE",
            "tags": body.get("tags") or {},
            "configuration": body.get("configuration"),
            "_organization": organization["Id"] if organization and kind.startswith("ORGANIZATION") else None,
            "_account": account_id,
            "_region": region,
        }
        self.findings[arn] = {}
        return {"arn": arn}

    def list_analyzers(self, request, account_id, region):
        kind = request.query.get("type")
        items = [public(a, configuration=False) for a in self.analyzers.get((account_id, region), {}).values()
                 if kind is None or a["type"] == kind]
        return page(items, request.query, "analyzers")

    def get_analyzer(self, request, account_id, region):
        return {"analyzer": public(self._analyzer_by_name(request, account_id, region))}

    def delete_analyzer(self, request, account_id, region):
        analyzer = self._analyzer_by_name(request, account_id, region)
        del self.analyzers[(account_id, region)][analyzer["name"]]
        self.findings.pop(analyzer["arn"], None)
        return {}

    def _analyzer_by_name(self, request, account_id, region):
        name = request.path.rstrip("/").rsplit("/", 1)[-1]
        analyzer = self.analyzers.get((account_id, region), {}).get(name)
        if analyzer is None:
            raise Problem("ResourceNotFoundException", 404, f"Analyzer {name} not found")
        return analyzer

    def _analyzer_by_arn(self, arn, account_id, region):
        for analyzer in self.analyzers.get((account_id, region), {}).values():
            if analyzer["arn"] == arn:
                return analyzer
        raise Problem("ResourceNotFoundException", 404, f"Analyzer {arn} not found")

    # --- findings ------------------------------------------------------------------------------------

    def list_findings(self, request, account_id, region):
        body = request.json_body()
        analyzer = self._external_analyzer(body.get("analyzerArn"), account_id, region)
        findings = self._findings(analyzer, body, fresh=not body.get("nextToken"))
        return page([summary_v1(f) for f in findings], body, "findings")

    def list_findings_v2(self, request, account_id, region):
        body = request.json_body()
        analyzer = self._analyzer_by_arn(body.get("analyzerArn"), account_id, region)
        findings = self._findings(analyzer, body, fresh=not body.get("nextToken"))
        return page([summary_v2(f) for f in findings], body, "findings")

    def get_finding(self, request, account_id, region):
        finding = self._finding(request, account_id, region)
        return {"finding": summary_v1(finding)}

    def get_finding_v2(self, request, account_id, region):
        finding = self._finding(request, account_id, region)
        details = {
            "externalAccessDetails": {
                "action": finding["action"],
                "condition": finding["condition"],
                "isPublic": finding["isPublic"],
                "principal": finding["principal"],
                "sources": finding["sources"],
            }
        }
        return {**summary_v2(finding), "findingDetails": [details]}

    def update_findings(self, request, account_id, region):
        body = request.json_body()
        analyzer = self._external_analyzer(body.get("analyzerArn"), account_id, region)
        status = body.get("status")
        if status not in ("ACTIVE", "ARCHIVED"):
            raise Problem("ValidationException", 400, "status must be ACTIVE or ARCHIVED")
        self._analyze(analyzer)
        findings = self.findings[analyzer["arn"]]
        targets = body.get("ids") or [f["id"] for f in findings.values() if f["resource"] == body.get("resourceArn")]
        for finding_id in targets:
            finding = findings.get(finding_id)
            if finding is None:
                raise Problem("ResourceNotFoundException", 404, f"Finding {finding_id} not found")
            if finding["status"] != "RESOLVED" and finding["status"] != status:
                finding["status"] = status
                finding["updatedAt"] = now()
        return {}

    def _finding(self, request, account_id, region):
        analyzer = self._analyzer_by_arn(request.query.get("analyzerArn"), account_id, region)
        self._analyze(analyzer)
        finding_id = request.path.rstrip("/").rsplit("/", 1)[-1]
        finding = self.findings[analyzer["arn"]].get(finding_id)
        if finding is None:
            raise Problem("ResourceNotFoundException", 404, f"Finding {finding_id} not found")
        return finding

    def _external_analyzer(self, arn, account_id, region):
        analyzer = self._analyzer_by_arn(arn, account_id, region)
        if analyzer["type"] not in EXTERNAL_ACCESS_TYPES:
            raise Problem("ValidationException", 400, "ListFindings supports external access analyzers only")
        return analyzer

    def _findings(self, analyzer, body, fresh: bool) -> list[dict]:
        if fresh:
            self._analyze(analyzer)
        findings = [f for f in self.findings[analyzer["arn"]].values() if matches(f, body.get("filter") or {})]
        sort = body.get("sort") or {}
        key = sort.get("attributeName")
        findings.sort(key=lambda f: (str(f.get(key, "")) if key else f["createdAt"], f["id"]),
                      reverse=sort.get("orderBy") == "DESC")
        return findings

    def _analyze(self, analyzer) -> None:
        """Brings the analyzer's findings up to date with the policies moto holds now."""
        if analyzer["type"] not in EXTERNAL_ACCESS_TYPES:
            return
        stored = self.findings[analyzer["arn"]]
        zone = zone_of_trust(analyzer)
        accounts = sorted(zone) if analyzer["type"] == "ORGANIZATION" else [analyzer["_account"]]
        current = {}
        for account in accounts:
            for candidate in external_access(account, analyzer["_region"], zone, analyzer["_organization"]):
                key = json.dumps([analyzer["arn"], candidate["resource"], candidate["principal"],
                                  candidate["condition"]], sort_keys=True)
                candidate["id"] = str(uuid.uuid5(FINDING_NAMESPACE, key))
                current[candidate["id"]] = candidate
        stamp = now()
        for finding_id, candidate in current.items():
            finding = stored.get(finding_id)
            if finding is None:
                stored[finding_id] = {**candidate, "status": "ACTIVE", "createdAt": stamp, "updatedAt": stamp,
                                      "analyzedAt": stamp, "findingType": "ExternalAccess"}
            else:
                finding["analyzedAt"] = stamp
                if finding["status"] == "RESOLVED":
                    finding["status"], finding["updatedAt"] = "ACTIVE", stamp
        for finding_id, finding in stored.items():
            if finding_id not in current and finding["status"] != "RESOLVED":
                finding["status"], finding["updatedAt"], finding["analyzedAt"] = "RESOLVED", stamp, stamp


# --- the zone of trust and the policies ----------------------------------------------------------------

def may_administer(account_id: str, organization: dict) -> bool:
    """True for the management account and the Access Analyzer delegated administrator."""
    management = organization["MasterAccountId"]
    if account_id == management:
        return True
    backend = organizations_backends[management]["aws"]
    return any(admin.account.id == account_id and "access-analyzer.amazonaws.com" in admin.services
               for admin in backend.admins)


def zone_of_trust(analyzer) -> set[str]:
    if analyzer["type"].startswith("ORGANIZATION"):
        organization = organization_of(analyzer["_account"])
        if organization is None:
            return {analyzer["_account"]}
        backend = organizations_backends[organization["MasterAccountId"]]["aws"]
        return {account.id for account in backend.accounts}
    return {analyzer["_account"]}


def external_access(account_id: str, region: str, zone: set[str], organization_id: str | None) -> list[dict]:
    """Findings-to-be for one account: who outside the zone can reach its buckets and roles."""
    candidates = []
    s3 = s3_backends[account_id]["aws"]
    for bucket in list(s3.buckets.values()):
        if bucket.account_id != account_id or bucket.region_name != region or not bucket.policy:
            continue
        policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
        for grant in grants(policy, zone, organization_id):
            candidates.append({
                "resource": f"arn:aws:s3:::{bucket.name}",
                "resourceType": "AWS::S3::Bucket",
                "resourceOwnerAccount": account_id,
                "sources": [{"type": "POLICY"}],
                **grant,
            })
    iam = iam_backends[account_id]["aws"]
    for role in list(iam.roles.values()):
        for grant in grants(role.assume_role_policy_document, zone, organization_id, trust=True):
            candidates.append({
                "resource": role.arn,
                "resourceType": "AWS::IAM::Role",
                "resourceOwnerAccount": account_id,
                "sources": [{"type": "POLICY"}],
                **grant,
            })
    return candidates


def grants(policy_text, zone: set[str], organization_id: str | None, trust: bool = False) -> list[dict]:
    """The Allow statements of a policy that reach outside the zone: principal, actions, condition."""
    try:
        policy = json.loads(policy_text) if isinstance(policy_text, str) else policy_text
    except (TypeError, ValueError):
        return []
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found = []
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        condition = flatten_condition(statement.get("Condition") or {})
        if organization_id and condition.get("aws:PrincipalOrgID") == organization_id:
            continue
        actions = statement.get("Action", [])
        actions = sorted([actions] if isinstance(actions, str) else actions)
        for principal in aws_principals(statement.get("Principal")):
            if principal == "*":
                found.append({"principal": {"AWS": "*"}, "action": actions, "condition": condition,
                              "isPublic": not condition})
                continue
            account = principal_account(principal)
            if account and account not in zone:
                found.append({"principal": {"AWS": principal}, "action": actions, "condition": condition,
                              "isPublic": False})
    return found


def aws_principals(principal) -> list[str]:
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    values = principal.get("AWS", [])
    return [values] if isinstance(values, str) else list(values)


def principal_account(principal: str) -> str | None:
    if re.fullmatch(r"\d{12}", principal):
        return principal
    match = re.match(r"arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):", principal)
    return match.group(1) if match else None


def flatten_condition(condition: dict) -> dict:
    """Access Analyzer's condition map: condition key -> value, operators dropped."""
    flat = {}
    for clauses in condition.values():
        for key, value in (clauses or {}).items():
            flat[key] = ",".join(value) if isinstance(value, list) else str(value)
    return flat


# --- shapes, filters, paging ---------------------------------------------------------------------------

def public(analyzer: dict, configuration: bool = True) -> dict:
    shown = {k: v for k, v in analyzer.items() if not k.startswith("_") and v is not None}
    if not configuration:
        shown.pop("configuration", None)
    return shown


def summary_v1(finding: dict) -> dict:
    keys = ("id", "principal", "action", "resource", "isPublic", "resourceType", "condition", "createdAt",
            "analyzedAt", "updatedAt", "status", "resourceOwnerAccount", "sources")
    return {k: finding[k] for k in keys}


def summary_v2(finding: dict) -> dict:
    keys = ("analyzedAt", "createdAt", "id", "resource", "resourceType", "resourceOwnerAccount", "status",
            "updatedAt", "findingType")
    return {k: finding[k] for k in keys}


def filter_values(finding: dict, key: str) -> list[str]:
    if key == "principal.AWS":
        value = finding["principal"].get("AWS")
    elif key.startswith("condition."):
        value = finding["condition"].get(key[len("condition."):])
    else:
        value = finding.get(key)
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def matches(finding: dict, criteria: dict) -> bool:
    for key, criterion in criteria.items():
        values = filter_values(finding, key)
        if "eq" in criterion and not any(v in criterion["eq"] for v in values):
            return False
        if "neq" in criterion and any(v in criterion["neq"] for v in values):
            return False
        if "contains" in criterion and not any(c in v for v in values for c in criterion["contains"]):
            return False
        if "exists" in criterion and bool(values) != bool(criterion["exists"]):
            return False
    return True


def page(items: list, params: dict, key: str) -> dict:
    """One page of items and the token for the next; tokens are opaque offsets, as clients must assume."""
    token = params.get("nextToken")
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError:
        raise Problem("ValidationException", 400, "Invalid nextToken") from None
    limit = int(params.get("maxResults") or 100)
    if not 1 <= limit <= 1000:
        raise Problem("ValidationException", 400, "maxResults must be between 1 and 1000")
    result: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        result["nextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return result
