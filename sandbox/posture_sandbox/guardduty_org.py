"""GuardDuty's organization configuration and members (restJson1, signing name `guardduty`), which
moto 5.2.5 lacks: it has no route for `/detector/{id}/admin` or `/detector/{id}/member...`, and
answers them with an HTML 404 no SDK can read.

Kept per (administrator account, Region), as AWS keeps them (GuardDuty API reference):

- Only GuardDuty's administrator of the Region (the account the management account designated with
  `EnableOrganizationAdminAccount` there, as `ListOrganizationAdminAccounts` lists it; the management
  account itself when it designated itself) may call these, with a `DetectorId` of its own in that
  Region. A detector id the caller does not own (another account's, or none at all) is
  `BadRequestException` 400 "The request is rejected because the input detectorId is not owned by
  the current account."; a caller that is not the administrator is `BadRequestException` 400 "The
  request failed because you do not have required AWS Organization master permission." (both the
  words AWS answers).
- `UpdateOrganizationConfiguration` takes `autoEnableOrganizationMembers` (NEW, ALL, NONE) or the
  deprecated `autoEnable` (true = NEW), not both; `features` (each with `autoEnable` NEW, ALL, NONE
  and `additionalConfiguration`) and the deprecated `dataSources`, which set the matching features.
  `DescribeOrganizationConfiguration` answers `autoEnable` (true unless NONE),
  `memberAccountLimitReached` false, `autoEnableOrganizationMembers`, every feature (NONE until set)
  and the deprecated `dataSources` derived from them.
- `CreateMembers` (1 to 50 accounts): an ACTIVE account of the organization is a member at once,
  `relationshipStatus` "Enabled" (no invitation); as the API reference says, GuardDuty is enabled
  in it (a detector, when it has none in the Region) and the organization's auto-enable settings
  are applied to it (every feature whose `autoEnable` is NEW or ALL is ENABLED in its detector),
  whether it was a member before or not. An account outside the organization is "Created" (the
  invitation flow, not modelled further). The administrator itself, a suspended account and a
  malformed id are `unprocessedAccounts`.
- `ListMembers` (`onlyAssociated` "true" by default: "Enabled" members only; `maxResults` 1 to 50,
  default 50; `nextToken`), `GetMembers`, `GetMemberDetectors` (1 to 50 ids; the member's own
  detector in the Region: its features with status and `updatedAt`, and the deprecated
  `dataSources`, CloudTrail, DNS and flow logs always ENABLED as on AWS; a member without a detector
  there, or no member, is an `unprocessedAccounts` entry), `DisassociateMembers` ("Removed"; refused
  for an organization member while `autoEnableOrganizationMembers` is ALL) and `DeleteMembers`.
- Auto-enable: with NEW (or ALL), an account that joins the organization afterwards
  (`CreateAccount`) becomes an Enabled member with a detector in each such (administrator, Region);
  with ALL, `UpdateOrganizationConfiguration` also enrolls every ACTIVE account already there.
  AWS takes up to 24 hours for ALL; the sandbox does it at once.

Not modelled: `InviteMembers`, `AcceptAdministratorInvitation` and the rest of the invitation flow
(moto has none of it either: those operations are refused as unknown), standalone (non-organization)
administrators, `invitedAt` (no member is ever invited), `memberAccountLimitReached` ever true,
feature-level ALL applied to existing members, `UpdateMemberDetectors`, and the Regions where a
feature is unavailable. Unprocessed results' wording is ours (u).
"""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.guardduty import models as guardduty_models
from moto.guardduty import responses as guardduty_responses
from moto.organizations import models as org_models

from . import wire
from .org import management_backend, organization_of

NOT_OWNED = "The request is rejected because the input detectorId is not owned by the current account."
NOT_A_MEMBER = "The account is not a member of the current account."
NOT_ITSELF = "The request is rejected because the current account cannot be a member of itself."
NOT_ACTIVE = "The request is rejected because the account is not active in the organization."
NOT_ADMINISTRATOR = "The request failed because you do not have required AWS Organization master permission."
INVALID_INPUT = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."

AUTO_ENABLE = ("NEW", "ALL", "NONE")
# The organization features (botocore's `OrgFeature`) and the additional configurations each takes.
FEATURES: dict[str, tuple[str, ...]] = {
    "S3_DATA_EVENTS": (),
    "EKS_AUDIT_LOGS": (),
    "EBS_MALWARE_PROTECTION": (),
    "RDS_LOGIN_EVENTS": (),
    "EKS_RUNTIME_MONITORING": ("EKS_ADDON_MANAGEMENT",),
    "LAMBDA_NETWORK_LOGS": (),
    "RUNTIME_MONITORING": ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"),
    "AI_PROTECTION": (),
}
# The deprecated `dataSources` and the feature each one is.
DATA_SOURCE_FEATURES = {"s3Logs": "S3_DATA_EVENTS", "kubernetes": "EKS_AUDIT_LOGS",
                        "malwareProtection": "EBS_MALWARE_PROTECTION"}
MAX_ACCOUNTS = 50
MAX_RESULTS = 50

# The operations answered here (their route, from botocore's model, names them); the rest of
# GuardDuty is moto's.
OPERATIONS = ("UpdateOrganizationConfiguration", "DescribeOrganizationConfiguration", "CreateMembers",
              "ListMembers", "GetMembers", "GetMemberDetectors", "DisassociateMembers", "DeleteMembers")


class Problem(Exception):
    def __init__(self, message: str, code: str = "BadRequestException", status: int = 400):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Member:
    account_id: str
    email: str
    status: str  # Enabled | Created | Removed
    organization: bool  # an account of the administrator's organization
    updated_at: datetime = field(default_factory=now)


@dataclass
class OrganizationConfiguration:
    auto_enable_members: str = "NONE"
    # feature name -> {"autoEnable": NEW|ALL|NONE, "additionalConfiguration": {name: NEW|ALL|NONE}}
    features: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        name: {"autoEnable": "NONE", "additionalConfiguration": dict.fromkeys(extra, "NONE")}
        for name, extra in FEATURES.items()})

    def enabled_features(self) -> list[str]:
        return [name for name, feature in self.features.items() if feature["autoEnable"] != "NONE"]


def detectors_of(account_id: str, region: str) -> dict[str, Any]:
    return guardduty_models.guardduty_backends[account_id][region].detectors


def administrator_of(account_id: str, region: str) -> str | None:
    """GuardDuty's administrator of `account_id`'s organization in `region`, as the management
    account designated it (None outside an organization or without one)."""
    organization = organization_of(account_id)
    if organization is None:
        return None
    admins = guardduty_models.guardduty_backends[organization["MasterAccountId"]][region].admin_account_ids
    return admins[0] if admins else None


def organization_accounts(account_id: str) -> dict[str, Any]:
    """The accounts of `account_id`'s organization by id (moto's objects), {} outside one."""
    backend = management_backend(account_id)
    return {account.id: account for account in backend.accounts} if backend is not None else {}


def active(account) -> bool:
    """Whether an account of the organization is ACTIVE (not suspended or closed)."""
    return (getattr(account, "state", None) or account.status) == "ACTIVE"


def feature_entry(feature: dict) -> tuple[str, str, list]:
    """(name, status, additional configurations) of a detector feature as moto keeps it (the JSON
    of CreateDetector/UpdateDetector: camelCase on the wire, PascalCase from an SDK's shapes)."""
    name = feature.get("name") or feature.get("Name") or ""
    status = feature.get("status") or feature.get("Status") or "DISABLED"
    extra = feature.get("additionalConfiguration") or feature.get("AdditionalConfiguration") or []
    return name, status, extra


class GuardDutyOrganization:
    """Every administrator's organization configuration and members, per (administrator, Region)."""

    def __init__(self):
        self._lock = threading.RLock()
        self.configurations: dict[tuple[str, str], OrganizationConfiguration] = {}
        self.members: dict[tuple[str, str], dict[str, Member]] = {}

    def reset(self) -> None:
        with self._lock:
            self.configurations.clear()
            self.members.clear()

    def install(self) -> None:
        """Patches moto's Organizations: an account that joins enrolls where auto-enable says so."""
        extension = self
        original = org_models.OrganizationsBackend.create_account

        def create_account(backend, **kwargs):
            answer = original(backend, **kwargs)
            status = answer.get("CreateAccountStatus", {})
            if status.get("State") == "SUCCEEDED" and status.get("AccountId"):
                extension.account_joined(backend.account_id, status["AccountId"])
            return answer

        org_models.OrganizationsBackend.create_account = create_account  # type: ignore[assignment, method-assign]

    # --- dispatch ----------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        if request.service != "guardduty":
            return None
        if request.action not in OPERATIONS:
            # moto's, or one neither moto nor the sandbox has (HTML 404 from moto): refused as unknown.
            if hasattr(guardduty_responses.GuardDutyResponse, snake(request.action)):
                return None
            return wire.error_response(request, "UnknownOperationException",
                                       f"guardduty {request.action} is not supported by the posture sandbox", 400)
        try:
            with self._lock:
                detector_id = request.path.split("/")[2]
                key = self.authorize(account_id, request.region, detector_id)
                body = request.json_body() if request.body else {}
                answer = getattr(self, snake(request.action))(key, detector_id, body, request.query)
            return wire.json_response(answer)
        except Problem as problem:
            return wire.error_response(request, problem.code, problem.message, problem.status)
        except (ValueError, TypeError, AttributeError):
            return wire.error_response(request, "BadRequestException", INVALID_INPUT, 400)

    def authorize(self, account_id: str, region: str, detector_id: str) -> tuple[str, str]:
        if detector_id not in detectors_of(account_id, region):
            raise Problem(NOT_OWNED)
        if administrator_of(account_id, region) != account_id:
            raise Problem(NOT_ADMINISTRATOR)
        return account_id, region

    def configuration(self, key: tuple[str, str]) -> OrganizationConfiguration:
        return self.configurations.setdefault(key, OrganizationConfiguration())

    # --- organization configuration ----------------------------------------------------------------

    def update_organization_configuration(self, key, detector_id, body, query):
        members_setting = body.get("autoEnableOrganizationMembers")
        legacy = body.get("autoEnable")
        if (members_setting is None) == (legacy is None):
            raise Problem(INVALID_INPUT)  # AWS: one of the two, not both
        if members_setting is None:
            if not isinstance(legacy, bool):
                raise Problem(INVALID_INPUT)
            members_setting = "NEW" if legacy else "NONE"
        if members_setting not in AUTO_ENABLE:
            raise Problem(INVALID_INPUT)
        wanted: dict[str, dict[str, Any]] = {}
        for source, feature in DATA_SOURCE_FEATURES.items():
            given = (body.get("dataSources") or {}).get(source)
            if given is None:
                continue
            flag = (given.get("auditLogs") if source == "kubernetes" else
                    (given.get("scanEc2InstanceWithFindings") or {}).get("ebsVolumes")
                    if source == "malwareProtection" else given)
            wanted[feature] = {"autoEnable": "NEW" if (flag or {}).get("autoEnable") else "NONE"}
        names = [f.get("name") for f in body.get("features") or []]
        if "EKS_RUNTIME_MONITORING" in names and "RUNTIME_MONITORING" in names:
            raise Problem(INVALID_INPUT)  # AWS: one of the two
        for feature in body.get("features") or []:
            name, setting = feature.get("name"), feature.get("autoEnable")
            if name not in FEATURES or (setting is not None and setting not in AUTO_ENABLE):
                raise Problem(INVALID_INPUT)
            extra = {}
            for item in feature.get("additionalConfiguration") or []:
                if item.get("name") not in FEATURES[name] or item.get("autoEnable") not in AUTO_ENABLE:
                    raise Problem(INVALID_INPUT)
                extra[item["name"]] = item["autoEnable"]
            wanted[name] = {"autoEnable": setting, "additionalConfiguration": extra}
        configuration = self.configuration(key)
        configuration.auto_enable_members = members_setting
        for name, change in wanted.items():
            current = configuration.features[name]
            if change.get("autoEnable") is not None:
                current["autoEnable"] = change["autoEnable"]
            current["additionalConfiguration"].update(change.get("additionalConfiguration") or {})
        if members_setting == "ALL":
            admin = key[0]
            for account_id, account in organization_accounts(admin).items():
                if account_id != admin and active(account):
                    self.enroll(key, account_id, account.email)
        return {}

    def describe_organization_configuration(self, key, detector_id, body, query):
        limit = query.get("maxResults")
        if limit is not None and not 1 <= int(limit) <= MAX_RESULTS:
            raise Problem(INVALID_INPUT)
        configuration = self.configuration(key)
        features = configuration.features

        def auto(name: str) -> bool:
            return features[name]["autoEnable"] != "NONE"

        return {
            "autoEnable": configuration.auto_enable_members != "NONE",
            "memberAccountLimitReached": False,
            "autoEnableOrganizationMembers": configuration.auto_enable_members,
            "dataSources": {
                "s3Logs": {"autoEnable": auto("S3_DATA_EVENTS")},
                "kubernetes": {"auditLogs": {"autoEnable": auto("EKS_AUDIT_LOGS")}},
                "malwareProtection": {"scanEc2InstanceWithFindings": {
                    "ebsVolumes": {"autoEnable": auto("EBS_MALWARE_PROTECTION")}}},
            },
            "features": [
                {"name": name, "autoEnable": feature["autoEnable"],
                 **({"additionalConfiguration": [{"name": n, "autoEnable": v}
                                                 for n, v in feature["additionalConfiguration"].items()]}
                    if feature["additionalConfiguration"] else {})}
                for name, feature in features.items()],
        }

    # --- members -----------------------------------------------------------------------------------

    def enroll(self, key: tuple[str, str], account_id: str, email: str) -> Member:
        """An account of the organization made an Enabled member: GuardDuty enabled in it (a
        detector if it has none in the Region) with the organization's auto-enabled features."""
        region = key[1]
        members = self.members.setdefault(key, {})
        member = members.get(account_id)
        if member is None:
            member = members[account_id] = Member(account_id, email, "Enabled", organization=True)
        member.status, member.updated_at = "Enabled", now()
        enabled = self.configuration(key).enabled_features()
        backend = guardduty_models.guardduty_backends[account_id][region]
        if not backend.detectors:
            backend.create_detector(enable=True, finding_publishing_frequency="SIX_HOURS", data_sources={},
                                    tags={}, features=[{"name": name, "status": "ENABLED"} for name in enabled])
            return member
        detector = next(iter(backend.detectors.values()))
        features = list(detector.features or [])
        for name in enabled:
            index = next((i for i, f in enumerate(features) if feature_entry(f)[0] == name), None)
            entry = {**(features[index] if index is not None else {"name": name}), "status": "ENABLED"}
            entry.pop("Status", None)
            if index is None:
                features.append(entry)
            else:
                features[index] = entry
        if enabled:
            detector.features = features
            detector.updated_at = datetime.now()
        return member

    def account_joined(self, management_id: str, account_id: str) -> None:
        """A new account of `management_id`'s organization: enrolled wherever auto-enable says NEW or ALL."""
        with self._lock:
            email = organization_accounts(management_id)[account_id].email
            for key, configuration in list(self.configurations.items()):
                admin, region = key
                if configuration.auto_enable_members == "NONE" or admin == account_id:
                    continue
                if management_backend(admin) is not management_backend(management_id):
                    continue
                if administrator_of(admin, region) == admin:
                    self.enroll(key, account_id, email)

    def create_members(self, key, detector_id, body, query):
        details = body.get("accountDetails")
        if not isinstance(details, list) or not 1 <= len(details) <= MAX_ACCOUNTS:
            raise Problem(INVALID_INPUT)
        admin, _ = key
        accounts = organization_accounts(admin)
        unprocessed = []
        for detail in details:
            account_id, email = str(detail.get("accountId", "")), detail.get("email")
            if len(account_id) != 12 or not account_id.isdigit() or not email:
                unprocessed.append({"accountId": account_id, "result": "The account ID or email is not valid."})
            elif account_id == admin:
                unprocessed.append({"accountId": account_id, "result": NOT_ITSELF})
            elif account_id in accounts:
                if not active(accounts[account_id]):
                    unprocessed.append({"accountId": account_id, "result": NOT_ACTIVE})
                else:
                    self.enroll(key, account_id, email)
            else:
                self.members.setdefault(key, {}).setdefault(
                    account_id, Member(account_id, email, "Created", organization=False))
        return {"unprocessedAccounts": unprocessed}

    def describe_member(self, key: tuple[str, str], member: Member) -> dict[str, Any]:
        admin, region = key
        detectors = detectors_of(member.account_id, region)
        answer = {"accountId": member.account_id, "masterId": admin, "administratorId": admin,
                  "email": member.email, "relationshipStatus": member.status, "updatedAt": iso(member.updated_at)}
        if detectors:
            answer["detectorId"] = next(iter(detectors))
        return answer

    def list_members(self, key, detector_id, body, query):
        only_associated = query.get("onlyAssociated", "true").lower() != "false"
        limit = int(query.get("maxResults") or MAX_RESULTS)
        if not 1 <= limit <= MAX_RESULTS:
            raise Problem(INVALID_INPUT)
        members = [m for m in self.members.get(key, {}).values() if not only_associated or m.status == "Enabled"]
        start = int(query.get("nextToken") or 0)
        page: dict[str, Any] = {"members": [self.describe_member(key, m) for m in members[start:start + limit]]}
        if start + limit < len(members):
            page["nextToken"] = str(start + limit)
        return page

    def account_ids(self, body: dict) -> list[str]:
        ids = body.get("accountIds")
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_ACCOUNTS:
            raise Problem(INVALID_INPUT)
        return [str(i) for i in ids]

    def get_members(self, key, detector_id, body, query):
        members = self.members.get(key, {})
        found, unprocessed = [], []
        for account_id in self.account_ids(body):
            if account_id in members:
                found.append(self.describe_member(key, members[account_id]))
            else:
                unprocessed.append({"accountId": account_id, "result": NOT_A_MEMBER})
        return {"members": found, "unprocessedAccounts": unprocessed}

    def get_member_detectors(self, key, detector_id, body, query):
        _, region = key
        members = self.members.get(key, {})
        found, unprocessed = [], []
        for account_id in self.account_ids(body):
            member = members.get(account_id)
            detectors = detectors_of(account_id, region)
            if member is None or member.status != "Enabled":
                unprocessed.append({"accountId": account_id, "result": NOT_A_MEMBER})
            elif not detectors:
                unprocessed.append({"accountId": account_id,
                                    "result": f"The member account does not have a detector in {region}."})
            else:
                found.append(member_detector(account_id, next(iter(detectors.values()))))
        return {"members": found, "unprocessedAccounts": unprocessed}

    def disassociate_members(self, key, detector_id, body, query):
        members = self.members.get(key, {})
        everyone = self.configuration(key).auto_enable_members == "ALL"
        unprocessed = []
        for account_id in self.account_ids(body):
            member = members.get(account_id)
            if member is None:
                unprocessed.append({"accountId": account_id, "result": NOT_A_MEMBER})
            elif everyone and member.organization:
                unprocessed.append({"accountId": account_id, "result": (
                    "The member account cannot be disassociated while autoEnableOrganizationMembers is ALL.")})
            else:
                member.status, member.updated_at = "Removed", now()
        return {"unprocessedAccounts": unprocessed}

    def delete_members(self, key, detector_id, body, query):
        members = self.members.get(key, {})
        everyone = self.configuration(key).auto_enable_members == "ALL"
        unprocessed = []
        for account_id in self.account_ids(body):
            member = members.get(account_id)
            if member is None:
                unprocessed.append({"accountId": account_id, "result": NOT_A_MEMBER})
            elif everyone and member.organization:
                unprocessed.append({"accountId": account_id, "result": (
                    "The member account cannot be deleted while autoEnableOrganizationMembers is ALL.")})
            else:
                del members[account_id]
        return {"unprocessedAccounts": unprocessed}


def member_detector(account_id: str, detector) -> dict[str, Any]:
    """One entry of GetMemberDetectors: the member detector's features, and the deprecated data
    sources derived from them (CloudTrail, DNS and flow logs are always on in GuardDuty)."""
    updated = detector.updated_at.replace(tzinfo=UTC).timestamp()
    features = []
    status_of = {}
    for feature in detector.features or []:
        name, status, extra = feature_entry(feature)
        status_of[name] = status
        entry: dict[str, Any] = {"name": name, "status": status, "updatedAt": updated}
        if extra:
            entry["additionalConfiguration"] = [
                {"name": e.get("name") or e.get("Name"), "status": e.get("status") or e.get("Status") or "DISABLED",
                 "updatedAt": updated} for e in extra]
        features.append(entry)

    def data_source(name: str) -> dict[str, str]:
        return {"status": status_of.get(name, "DISABLED")}

    return {
        "accountId": account_id,
        "dataSources": {
            "cloudTrail": {"status": "ENABLED"}, "dnsLogs": {"status": "ENABLED"}, "flowLogs": {"status": "ENABLED"},
            "s3Logs": data_source("S3_DATA_EVENTS"),
            "kubernetes": {"auditLogs": data_source("EKS_AUDIT_LOGS")},
            "malwareProtection": {"scanEc2InstanceWithFindings": {"ebsVolumes": data_source("EBS_MALWARE_PROTECTION")},
                                  "serviceRole": detector.service_role.replace(
                                      "guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
                                      "malware-protection.guardduty.amazonaws.com/"
                                      "AWSServiceRoleForAmazonGuardDutyMalwareProtection")},
        },
        "features": features,
    }


def snake(name: str) -> str:
    """`CreateMembers` -> `create_members`, as moto names its response methods."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
