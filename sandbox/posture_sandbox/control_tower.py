"""AWS Control Tower (restJson1, signing name `controltower`), which moto does not implement.

State is kept per organization (AWS allows one landing zone per organization), seeded through the
APIs an operator uses: `CreateLandingZone`, `EnableBaseline`, `EnableControl`. Every operation
completes at once (AWS runs them asynchronously for up to an hour): the answer carries the
`operationIdentifier` AWS sends, and `Get*Operation` then says SUCCEEDED. What AWS documents
(Control Tower API reference and User Guide) and the sandbox follows:

- **Who**: the management account of an organization with all features. Control Tower has no
  delegated administrator; any other account gets `AccessDeniedException` (403, the model's
  message). An account in no organization has no landing zone: reads answer empty lists,
  `CreateLandingZone` is `ValidationException` (u).
- **Where**: the landing zone lives in its home Region (the Region `CreateLandingZone` was called
  in); `ListLandingZones` answers an empty list in any other Region and `GetLandingZone` there is
  `ResourceNotFoundException`. Controls and baselines may be enabled and listed in every governed
  Region (the home Region plus the manifest's `governedRegions`); they are the organization's, so
  every governed Region lists the same ones (u). Elsewhere the lists are empty and enabling is
  `ValidationException` (u).
- **Landing zone** (3.x manifests): `version` one of `SUPPORTED_VERSIONS`; `latestAvailableVersion`
  is `LATEST_VERSION`, so a seeder can undercut it with an older version. The manifest needs
  `organizationStructure.security.name`, `centralizedLogging.accountId` and
  `securityRoles.accountId` (the Log Archive and Audit accounts: two different ACTIVE accounts of
  the organization, not the management account), as the 3.x schema does. A second landing zone in
  the organization is `ConflictException` (409) (u). `status` is ACTIVE and `driftStatus` IN_SYNC at
  once. Side effects in Organizations, as AWS makes them: trusted access for
  `controltower.amazonaws.com`, the Security OU (and the Sandbox OU when the manifest names one)
  under the root, created when missing, the Log Archive and Audit accounts moved into the Security
  OU, and both OUs *registered*: an `AWSControlTowerBaseline` enabled baseline on each.
  `UpdateLandingZone` takes the latest version only and `ResetLandingZone` needs the landing zone at
  the latest version (the Landing Zone Accelerator's reading of AWS's rule (u)); both repair drift.
- **Controls**: `EnableControl` takes a control catalog ARN (`arn:aws:controlcatalog:::control/<id>`)
  or a legacy one (`arn:aws:controltower:<region>::control/<NAME>`), and an OU ARN of the
  organization (`ResourceNotFoundException` for an unknown one) that is registered (before landing
  zone 4.0 an OU must carry `AWSControlTowerBaseline` to take controls; `ValidationException` (u)
  otherwise). The same control on the same OU twice is `ValidationException` (u).
  `ListEnabledControls` takes an optional `targetIdentifier` (optional in the model since the
  organization-wide listing): without it, every enabled control of the organization; with an OU
  ARN, the controls on that OU, and with `includeChildren` those on the OUs nested in it too; with
  an account ARN, the controls enabled on the account itself (none: 3.x enables on OUs only).
  `maxResults` 1-200; AWS states no default, the sandbox uses 100.
- **Baselines**: `EnableBaseline` on an OU of the organization (only OUs are targets); the baseline
  ARN is `arn:aws:controltower:<region>::baseline/<ID>` (`AWSControlTowerBaseline` is
  `17BSJV3IGJ2QSGA2`). Versions and parameters are kept as given, not checked against the landing
  zone version. `ListEnabledBaselines` `maxResults` 5-100, default 100 (not stated by AWS).
- **Drift** has no API (on AWS someone changes a control's SCP or moves an account):
  `set_control_drift`, `set_baseline_drift` and `set_landing_zone_drift`, exposed on the admin
  endpoint through `drift_admin`. `ResetEnabledControl` and `ResetLandingZone` put them back IN_SYNC.
- Ids are deterministic given the order of calls (a counter, hashed): landing zones 16 characters,
  enabled controls and baselines 17, operations UUIDs, as AWS shapes them.

Not modelled: Region deny, Account Factory and enrolling single accounts, the mandatory controls a
registration enables (not listed), the baselines on the shared accounts and Identity Center
(`AuditBaseline`, `LogArchiveBaseline`, `IdentityCenterBaseline`), child enabled controls and
baselines (`parentIdentifier`, inheritance drift beyond the one status), `ListBaselines`,
`GetBaseline`, `ListControlOperations`, `ListLandingZoneOperations`, the `Update*` of controls and
baselines, `UntagResource` (its repeated `tagKeys` query parameter), landing zone 4.0's
controls-only landing zones. They answer `UnknownOperationException` (400).
"""

import base64
import copy
import hashlib
import re
import string
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from . import wire
from .org import management_backend, organization_of

SIGNING_NAME = "controltower"
CONTROL_TOWER_PRINCIPAL = "controltower.amazonaws.com"
SUPPORTED_VERSIONS = ("3.0", "3.1", "3.2", "3.3")
LATEST_VERSION = "3.3"
# AWSControlTowerBaseline: enabling it on an OU registers the OU with Control Tower.
CONTROL_TOWER_BASELINE_ID = "17BSJV3IGJ2QSGA2"
CONTROL_TOWER_BASELINE_VERSION = "4.0"  # the version a 3.x landing zone registers its OUs with (u)

ACCESS_DENIED = "You do not have sufficient access to perform this action."
NOT_FOUND = "The request references a resource that does not exist."

LANDING_ZONE_DRIFT = ("DRIFTED", "IN_SYNC")
CONTROL_DRIFT = ("DRIFTED", "IN_SYNC", "NOT_CHECKING", "UNKNOWN")
BASELINE_DRIFT = ("IN_SYNC", "DRIFTED")

CONTROL_ARN = re.compile(r"arn:aws:controlcatalog:::control/[A-Za-z0-9]+"
                         r"|arn:aws:controltower:[a-z0-9-]+::control/[A-Za-z0-9_-]+")
BASELINE_ARN = re.compile(r"arn:aws:controltower:[a-z0-9-]+::baseline/[A-Z0-9]+")
OPERATION_NAMESPACE = uuid.UUID("0b6f3c1e-2f4d-4d1e-9a57-5c3e8f1d7a20")
ID_ALPHABET = string.ascii_uppercase + string.digits


class Problem(Exception):
    """A modeled Control Tower error."""

    def __init__(self, code: str, status: int, message: str):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def validation(message: str) -> Problem:
    return Problem("ValidationException", 400, message)


def not_found(what: str = "") -> Problem:
    return Problem("ResourceNotFoundException", 404, f"{NOT_FOUND} {what}".strip())


def now() -> str:
    """An iso8601 timestamp, the format the model gives Control Tower's timestamps."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ControlTower:
    """Every organization's landing zone, enabled controls, enabled baselines and their operations."""

    def __init__(self):
        self._lock = threading.RLock()
        self.landing_zones: dict[str, dict] = {}  # organization id -> landing zone
        self.controls: dict[str, dict] = {}  # enabled control ARN -> enabled control, in order of enabling
        self.baselines: dict[str, dict] = {}  # enabled baseline ARN -> enabled baseline
        self.operations: dict[str, dict] = {}  # operation id -> operation
        self._sequence = 0

    def reset(self) -> None:
        with self._lock:
            self.landing_zones.clear()
            self.controls.clear()
            self.baselines.clear()
            self.operations.clear()
            self._sequence = 0

    # --- dispatch ------------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        action = request.action
        if action == "Unknown" and request.path.startswith("/tags/"):
            # A resource ARN holds '/', which the decoded PATH_INFO no longer tells from the route's.
            action = {"GET": "ListTagsForResource", "POST": "TagResource"}.get(request.method, action)
        handlers = {
            "CreateLandingZone": self.create_landing_zone,
            "GetLandingZone": self.get_landing_zone,
            "ListLandingZones": self.list_landing_zones,
            "UpdateLandingZone": self.update_landing_zone,
            "ResetLandingZone": self.reset_landing_zone,
            "DeleteLandingZone": self.delete_landing_zone,
            "GetLandingZoneOperation": self.get_landing_zone_operation,
            "EnableControl": self.enable_control,
            "DisableControl": self.disable_control,
            "GetEnabledControl": self.get_enabled_control,
            "ListEnabledControls": self.list_enabled_controls,
            "ResetEnabledControl": self.reset_enabled_control,
            "GetControlOperation": self.get_control_operation,
            "EnableBaseline": self.enable_baseline,
            "DisableBaseline": self.disable_baseline,
            "GetEnabledBaseline": self.get_enabled_baseline,
            "ListEnabledBaselines": self.list_enabled_baselines,
            "GetBaselineOperation": self.get_baseline_operation,
            "ListTagsForResource": self.list_tags_for_resource,
            "TagResource": self.tag_resource,
        }
        handler = handlers.get(action)
        if handler is None:
            return wire.error_response(request, "UnknownOperationException",
                                       f"{request.action} is not supported by the posture sandbox", 400)
        try:
            body = request.json_body() if request.method != "GET" else {}
            if not isinstance(body, dict):
                raise validation("The request body must be a JSON object")
            with self._lock:
                answer = handler(body, request, account_id)
        except Problem as problem:
            return wire.error_response(request, problem.code, problem.message, problem.status)
        except ValueError as err:  # malformed JSON; bugs of ours go to the 500 path
            return wire.error_response(request, "ValidationException", f"Invalid request: {err}", 400)
        if answer is None:  # 204, as TagResource answers
            return wire.status_line(204), [("x-amzn-RequestId", wire.new_request_id())], b""
        return wire.json_response(answer)

    # --- who asks, from where -----------------------------------------------------------------------

    def _organization(self, account_id: str) -> dict | None:
        """The caller's organization when the caller is its management account; None outside one;
        `AccessDeniedException` for anyone else (Control Tower has no delegated administrator)."""
        organization = organization_of(account_id)
        if organization is None:
            return None
        if organization["MasterAccountId"] != account_id:
            raise Problem("AccessDeniedException", 403, ACCESS_DENIED)
        return organization

    def _require_organization(self, account_id: str) -> dict:
        organization = self._organization(account_id)
        if organization is None:
            raise validation("AWS Control Tower needs an organization in AWS Organizations; this account is in none")
        return organization

    def _governing(self, organization: dict | None, region: str) -> dict | None:
        """The landing zone of the organization when it governs `region`."""
        if organization is None:
            return None
        landing_zone = self.landing_zones.get(organization["Id"])
        if landing_zone is None or region not in landing_zone["_governed"]:
            return None
        return landing_zone

    def _require_governing(self, account_id: str, region: str) -> tuple[dict, dict]:
        organization = self._require_organization(account_id)
        landing_zone = self._governing(organization, region)
        if landing_zone is None:
            raise validation(f"No AWS Control Tower landing zone governs the Region {region}")
        return organization, landing_zone

    def _landing_zone_by_arn(self, account_id: str, region: str, arn: Any) -> dict:
        organization = self._organization(account_id)
        landing_zone = self.landing_zones.get(organization["Id"]) if organization else None
        if landing_zone is None or landing_zone["arn"] != arn or landing_zone["_region"] != region:
            raise not_found(f"Landing zone {arn} not found")
        return landing_zone

    # --- ids and operations -------------------------------------------------------------------------

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def _resource_id(self, kind: str, length: int) -> str:
        digest = hashlib.sha256(f"{kind}:{self._next()}".encode()).digest()
        return "".join(ID_ALPHABET[byte % len(ID_ALPHABET)] for byte in digest[:length])

    def _operation(self, organization_id: str, family: str, operation_type: str, **details: Any) -> str:
        operation_id = str(uuid.uuid5(OPERATION_NAMESPACE, f"operation:{self._next()}"))
        stamp = now()
        self.operations[operation_id] = {
            "operationIdentifier": operation_id, "operationType": operation_type, "status": "SUCCEEDED",
            "startTime": stamp, "endTime": stamp, "_family": family, "_organization": organization_id, **details,
        }
        return operation_id

    def _operation_of(self, body: dict, account_id: str, family: str) -> dict:
        organization = self._organization(account_id)
        operation = self.operations.get(body.get("operationIdentifier", ""))
        if operation is None or organization is None or operation["_organization"] != organization["Id"] \
                or operation["_family"] != family:
            raise not_found(f"Operation {body.get('operationIdentifier')} not found")
        return operation

    # --- the landing zone ---------------------------------------------------------------------------

    def create_landing_zone(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization = self._require_organization(account_id)
        if organization.get("FeatureSet") != "ALL":
            raise validation("AWS Control Tower needs an organization with all features enabled")
        version = check_version(body.get("version"))
        if organization["Id"] in self.landing_zones:
            raise Problem("ConflictException", 409, "The organization has a landing zone already; AWS allows one")
        backend = management_backend(account_id)
        manifest, shared = check_manifest(body.get("manifest"), backend, account_id)
        region = request.region
        landing_zone_id = self._resource_id("landingzone", 16)
        arn = f"arn:aws:controltower:{region}:{account_id}:landingzone/{landing_zone_id}"
        landing_zone = {
            "arn": arn, "version": version, "manifest": copy.deepcopy(manifest), "status": "ACTIVE",
            "drift": "IN_SYNC", "remediationTypes": body.get("remediationTypes"),
            "_region": region, "_governed": governed_regions(manifest, region), "_organization": organization["Id"],
            "_tags": dict(body.get("tags") or {}),
        }
        self.landing_zones[organization["Id"]] = landing_zone
        for ou in build_organization(backend, manifest, shared):
            self._enable_baseline(organization["Id"], account_id, region,
                                  f"arn:aws:controltower:{region}::baseline/{CONTROL_TOWER_BASELINE_ID}",
                                  CONTROL_TOWER_BASELINE_VERSION, ou.arn, [], {})
        operation = self._operation(organization["Id"], "landingzone", "CREATE")
        return {"arn": arn, "operationIdentifier": operation}

    def get_landing_zone(self, body: dict, request: wire.AwsRequest, account_id: str):
        landing_zone = self._landing_zone_by_arn(account_id, request.region, body.get("landingZoneIdentifier"))
        detail = {
            "version": landing_zone["version"],
            "arn": landing_zone["arn"],
            "status": landing_zone["status"],
            "latestAvailableVersion": LATEST_VERSION,
            "driftStatus": {"status": landing_zone["drift"]},
            "manifest": landing_zone["manifest"],
        }
        if landing_zone["remediationTypes"]:
            detail["remediationTypes"] = landing_zone["remediationTypes"]
        return {"landingZone": detail}

    def list_landing_zones(self, body: dict, request: wire.AwsRequest, account_id: str):
        limit = body.get("maxResults")
        if limit is not None and limit != 1:
            raise validation("maxResults must be 1: AWS lists at most one landing zone")
        token = body.get("nextToken")
        if token:
            raise validation("Invalid nextToken")
        organization = self._organization(account_id)
        landing_zone = self.landing_zones.get(organization["Id"]) if organization else None
        if landing_zone is None or landing_zone["_region"] != request.region:
            return {"landingZones": []}
        return {"landingZones": [{"arn": landing_zone["arn"]}]}

    def update_landing_zone(self, body: dict, request: wire.AwsRequest, account_id: str):
        landing_zone = self._landing_zone_by_arn(account_id, request.region, body.get("landingZoneIdentifier"))
        version = check_version(body.get("version"))
        if version != LATEST_VERSION:
            raise validation(f"A landing zone can only be updated to the latest version, {LATEST_VERSION}")
        manifest, _ = check_manifest(body.get("manifest"), management_backend(account_id), account_id)
        landing_zone.update(version=version, manifest=copy.deepcopy(manifest), drift="IN_SYNC",
                            _governed=governed_regions(manifest, landing_zone["_region"]))
        if body.get("remediationTypes") is not None:
            landing_zone["remediationTypes"] = body["remediationTypes"]
        return {"operationIdentifier": self._operation(landing_zone["_organization"], "landingzone", "UPDATE")}

    def reset_landing_zone(self, body: dict, request: wire.AwsRequest, account_id: str):
        landing_zone = self._landing_zone_by_arn(account_id, request.region, body.get("landingZoneIdentifier"))
        if landing_zone["version"] != LATEST_VERSION:
            raise validation(f"Update the landing zone to the latest version, {LATEST_VERSION}, to reset it")
        landing_zone["drift"] = "IN_SYNC"
        return {"operationIdentifier": self._operation(landing_zone["_organization"], "landingzone", "RESET")}

    def delete_landing_zone(self, body: dict, request: wire.AwsRequest, account_id: str):
        landing_zone = self._landing_zone_by_arn(account_id, request.region, body.get("landingZoneIdentifier"))
        organization_id = landing_zone["_organization"]
        del self.landing_zones[organization_id]
        for store in (self.controls, self.baselines):
            for arn in [arn for arn, item in store.items() if item["_organization"] == organization_id]:
                del store[arn]
        return {"operationIdentifier": self._operation(organization_id, "landingzone", "DELETE")}

    def get_landing_zone_operation(self, body: dict, request: wire.AwsRequest, account_id: str):
        operation = self._operation_of(body, account_id, "landingzone")
        keys = ("operationType", "operationIdentifier", "status", "startTime", "endTime")
        return {"operationDetails": {k: operation[k] for k in keys}}

    # --- controls -----------------------------------------------------------------------------------

    def enable_control(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization, _ = self._require_governing(account_id, request.region)
        control = body.get("controlIdentifier")
        if not isinstance(control, str) or not CONTROL_ARN.fullmatch(control):
            raise validation("controlIdentifier must be a control ARN (arn:aws:controlcatalog:::control/ID or "
                             "arn:aws:controltower:REGION::control/NAME)")
        backend = management_backend(account_id)
        target = body.get("targetIdentifier")
        ou = ou_by_arn(backend, target)
        if ou is None:
            raise not_found(f"Target {target} not found")
        if not self._registered(organization["Id"], ou.arn):
            raise validation(f"The organizational unit {target} is not registered with AWS Control Tower")
        if any(c["controlIdentifier"] == control and c["targetIdentifier"] == ou.arn
               for c in self._controls(organization)):
            raise validation(f"The control {control} is already enabled on {target}")
        control_id = self._resource_id("enabledcontrol", 17)
        arn = f"arn:aws:controltower:{request.region}:{account_id}:enabledcontrol/{control_id}"
        operation = self._operation(organization["Id"], "control", "ENABLE_CONTROL", controlIdentifier=control,
                                    targetIdentifier=ou.arn, enabledControlIdentifier=arn)
        self.controls[arn] = {
            "arn": arn, "controlIdentifier": control, "targetIdentifier": ou.arn,
            "statusSummary": {"status": "SUCCEEDED", "lastOperationIdentifier": operation},
            "driftStatusSummary": {"driftStatus": "IN_SYNC"},
            "_parameters": copy.deepcopy(body.get("parameters") or []), "_tags": dict(body.get("tags") or {}),
            "_organization": organization["Id"],
        }
        return {"operationIdentifier": operation, "arn": arn}

    def disable_control(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization, _ = self._require_governing(account_id, request.region)
        control = self._control_of(organization, body)
        del self.controls[control["arn"]]
        operation = self._operation(organization["Id"], "control", "DISABLE_CONTROL",
                                    controlIdentifier=control["controlIdentifier"],
                                    targetIdentifier=control["targetIdentifier"],
                                    enabledControlIdentifier=control["arn"])
        return {"operationIdentifier": operation}

    def get_enabled_control(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization = self._organization(account_id)
        control = self.controls.get(body.get("enabledControlIdentifier", ""))
        landing_zone = self._governing(organization, request.region)
        if control is None or landing_zone is None or control["_organization"] != landing_zone["_organization"]:
            raise not_found(f"Enabled control {body.get('enabledControlIdentifier')} not found")
        return {"enabledControlDetails": {
            **summary(control),
            "targetRegions": [{"name": region} for region in landing_zone["_governed"]],
            "parameters": copy.deepcopy(control["_parameters"]),
        }}

    def list_enabled_controls(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization = self._organization(account_id)
        limit = page_limit(body, 1, 200)
        landing_zone = self._governing(organization, request.region)
        if organization is None or landing_zone is None:
            return page([], body, "enabledControls", limit)
        controls = self._controls(organization)
        target = body.get("targetIdentifier")
        if target is not None:
            backend = management_backend(account_id)
            ou = ou_by_arn(backend, target)
            if ou is not None:
                wanted = {ou.arn, *(o.arn for o in nested_ous(backend, ou.id))} if body.get("includeChildren") \
                    else {ou.arn}
            elif any(account.arn == target for account in backend.accounts):
                wanted = {target}
            else:
                raise not_found(f"Target {target} not found")
            controls = [c for c in controls if c["targetIdentifier"] in wanted]
        criteria = body.get("filter") or {}
        controls = [c for c in controls if control_matches(c, criteria)]
        return page([summary(c) for c in controls], body, "enabledControls", limit)

    def reset_enabled_control(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization, _ = self._require_governing(account_id, request.region)
        control = self._control_of(organization, body)
        operation = self._operation(organization["Id"], "control", "RESET_ENABLED_CONTROL",
                                    controlIdentifier=control["controlIdentifier"],
                                    targetIdentifier=control["targetIdentifier"],
                                    enabledControlIdentifier=control["arn"])
        control["driftStatusSummary"] = {"driftStatus": "IN_SYNC"}
        control["statusSummary"] = {"status": "SUCCEEDED", "lastOperationIdentifier": operation}
        return {"operationIdentifier": operation}

    def get_control_operation(self, body: dict, request: wire.AwsRequest, account_id: str):
        operation = self._operation_of(body, account_id, "control")
        return {"controlOperation": {k: v for k, v in operation.items() if not k.startswith("_")}}

    def _controls(self, organization: dict) -> list[dict]:
        return [c for c in self.controls.values() if c["_organization"] == organization["Id"]]

    def _control_of(self, organization: dict, body: dict) -> dict:
        """The enabled control named by `enabledControlIdentifier`, or by control and target."""
        arn = body.get("enabledControlIdentifier")
        for control in self._controls(organization):
            if arn is not None and control["arn"] == arn:
                return control
            if arn is None and control["controlIdentifier"] == body.get("controlIdentifier") \
                    and control["targetIdentifier"] == body.get("targetIdentifier"):
                return control
        raise not_found(f"Enabled control {arn or body.get('controlIdentifier')} not found")

    # --- baselines ----------------------------------------------------------------------------------

    def enable_baseline(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization, _ = self._require_governing(account_id, request.region)
        baseline = body.get("baselineIdentifier")
        if not isinstance(baseline, str) or not BASELINE_ARN.fullmatch(baseline):
            raise validation("baselineIdentifier must be a baseline ARN (arn:aws:controltower:REGION::baseline/ID)")
        version = body.get("baselineVersion")
        if not isinstance(version, str) or not re.fullmatch(r"\d+(?:\.\d+){0,2}", version):
            raise validation("baselineVersion must be a version such as 4.0")
        target = body.get("targetIdentifier")
        ou = ou_by_arn(management_backend(account_id), target)
        if ou is None:
            raise not_found(f"Target {target} not found; only organizational units are targets")
        if any(b["baselineIdentifier"] == baseline and b["targetIdentifier"] == ou.arn
               for b in self._baselines(organization)):
            raise validation(f"The baseline {baseline} is already enabled on {target}")
        return self._enable_baseline(organization["Id"], account_id, request.region, baseline, version, ou.arn,
                                     body.get("parameters") or [], body.get("tags") or {})

    def _enable_baseline(self, organization_id: str, account_id: str, region: str, baseline: str, version: str,
                         target: str, parameters: list, tags: dict) -> dict:
        arn = f"arn:aws:controltower:{region}:{account_id}:enabledbaseline/{self._resource_id('enabledbaseline', 17)}"
        operation = self._operation(organization_id, "baseline", "ENABLE_BASELINE")
        self.baselines[arn] = {
            "arn": arn, "baselineIdentifier": baseline, "baselineVersion": version, "targetIdentifier": target,
            "statusSummary": {"status": "SUCCEEDED", "lastOperationIdentifier": operation},
            "driftStatusSummary": {"types": {"inheritance": {"status": "IN_SYNC"}}},
            "_parameters": copy.deepcopy(parameters), "_tags": dict(tags), "_organization": organization_id,
        }
        return {"operationIdentifier": operation, "arn": arn}

    def disable_baseline(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization, _ = self._require_governing(account_id, request.region)
        baseline = self._baseline_of(organization, body.get("enabledBaselineIdentifier"))
        del self.baselines[baseline["arn"]]
        return {"operationIdentifier": self._operation(organization["Id"], "baseline", "DISABLE_BASELINE")}

    def get_enabled_baseline(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization = self._organization(account_id)
        if self._governing(organization, request.region) is None or organization is None:
            raise not_found(f"Enabled baseline {body.get('enabledBaselineIdentifier')} not found")
        baseline = self._baseline_of(organization, body.get("enabledBaselineIdentifier"))
        return {"enabledBaselineDetails": {**summary(baseline), "parameters": copy.deepcopy(baseline["_parameters"])}}

    def list_enabled_baselines(self, body: dict, request: wire.AwsRequest, account_id: str):
        organization = self._organization(account_id)
        limit = page_limit(body, 5, 100)
        if organization is None or self._governing(organization, request.region) is None:
            return page([], body, "enabledBaselines", limit)
        criteria = body.get("filter") or {}
        baselines = [b for b in self._baselines(organization) if baseline_matches(b, criteria)]
        return page([summary(b) for b in baselines], body, "enabledBaselines", limit)

    def get_baseline_operation(self, body: dict, request: wire.AwsRequest, account_id: str):
        operation = self._operation_of(body, account_id, "baseline")
        keys = ("operationIdentifier", "operationType", "status", "startTime", "endTime")
        return {"baselineOperation": {k: operation[k] for k in keys}}

    def _baselines(self, organization: dict) -> list[dict]:
        return [b for b in self.baselines.values() if b["_organization"] == organization["Id"]]

    def _baseline_of(self, organization: dict, arn: Any) -> dict:
        baseline = self.baselines.get(arn) if isinstance(arn, str) else None
        if baseline is None or baseline["_organization"] != organization["Id"]:
            raise not_found(f"Enabled baseline {arn} not found")
        return baseline

    def _registered(self, organization_id: str, ou_arn: str) -> bool:
        return any(b["_organization"] == organization_id and b["targetIdentifier"] == ou_arn
                   and b["baselineIdentifier"].endswith(f"/{CONTROL_TOWER_BASELINE_ID}")
                   and b["statusSummary"]["status"] == "SUCCEEDED" for b in self.baselines.values())

    # --- tags ---------------------------------------------------------------------------------------

    def list_tags_for_resource(self, body: dict, request: wire.AwsRequest, account_id: str):
        return {"tags": dict(self._tagged(request, account_id)["_tags"])}

    def tag_resource(self, body: dict, request: wire.AwsRequest, account_id: str):
        tags = body.get("tags")
        if not isinstance(tags, dict):
            raise validation("tags must be a map of keys to values")
        self._tagged(request, account_id)["_tags"].update(tags)
        return None

    def _tagged(self, request: wire.AwsRequest, account_id: str) -> dict:
        arn = request.path[len("/tags/"):]
        organization = self._organization(account_id)
        if organization is not None:
            landing_zone = self.landing_zones.get(organization["Id"])
            candidates = [landing_zone] if landing_zone else []
            candidates += self._controls(organization) + self._baselines(organization)
            for item in candidates:
                if item["arn"] == arn:
                    return item
        raise not_found(f"Resource {arn} not found")

    # --- drift, for the admin endpoint --------------------------------------------------------------

    def set_control_drift(self, arn: str, status: str) -> dict:
        """Marks an enabled control's drift (on AWS: its SCP changed outside Control Tower)."""
        if status not in CONTROL_DRIFT:
            raise ValueError(f"an enabled control's drift status is one of {', '.join(CONTROL_DRIFT)}")
        with self._lock:
            control = self.controls.get(arn)
            if control is None:
                raise ValueError(f"no enabled control {arn}")
            control["driftStatusSummary"] = {"driftStatus": status}
            return summary(control)

    def set_baseline_drift(self, arn: str, status: str) -> dict:
        """Marks an enabled baseline's inheritance drift (on AWS: an account moved out of its OU)."""
        if status not in BASELINE_DRIFT:
            raise ValueError(f"an enabled baseline's drift status is one of {', '.join(BASELINE_DRIFT)}")
        with self._lock:
            baseline = self.baselines.get(arn)
            if baseline is None:
                raise ValueError(f"no enabled baseline {arn}")
            baseline["driftStatusSummary"] = {"types": {"inheritance": {"status": status}}}
            return summary(baseline)

    def set_landing_zone_drift(self, status: str, arn: str | None = None) -> dict:
        """Marks the landing zone's drift (on AWS: a shared account or the Security OU changed). Without
        `arn`, the sandbox's only landing zone."""
        if status not in LANDING_ZONE_DRIFT:
            raise ValueError(f"a landing zone's drift status is one of {', '.join(LANDING_ZONE_DRIFT)}")
        with self._lock:
            zones = [z for z in self.landing_zones.values() if arn is None or z["arn"] == arn]
            if len(zones) != 1:
                raise ValueError(f"no landing zone {arn}" if arn else
                                 f"{len(zones)} landing zones: name one with \"arn\"")
            zones[0]["drift"] = status
            return {"arn": zones[0]["arn"], "driftStatus": {"status": status}}

    def drift_admin(self, spec: dict) -> dict:
        """`POST /_posture/controltower/drift` with `{"arn": ARN?, "status": S}`: the ARN of an enabled
        control, an enabled baseline or a landing zone (absent: the only landing zone)."""
        status = spec.get("status")
        arn = spec.get("arn")
        if not isinstance(status, str) or (arn is not None and not isinstance(arn, str)):
            raise ValueError('the body must be {"arn": ARN?, "status": STATUS}')
        if arn is not None and ":enabledcontrol/" in arn:
            return self.set_control_drift(arn, status)
        if arn is not None and ":enabledbaseline/" in arn:
            return self.set_baseline_drift(arn, status)
        return self.set_landing_zone_drift(status, arn)


# --- the organization -------------------------------------------------------------------------------

def check_version(version: Any) -> str:
    if not isinstance(version, str) or version not in SUPPORTED_VERSIONS:
        raise validation(f"version must be one of the landing zone versions {', '.join(SUPPORTED_VERSIONS)}")
    return version


def check_manifest(manifest: Any, backend: Any, management: str) -> tuple[dict, tuple[str, str]]:
    """A 3.x manifest and its Log Archive and Audit accounts, checked against the organization."""
    if not isinstance(manifest, dict):
        raise validation("manifest must be a JSON object (the landing zone manifest)")
    structure = manifest.get("organizationStructure") or {}
    if not isinstance(structure, dict) or not isinstance((structure.get("security") or {}).get("name"), str):
        raise validation("manifest.organizationStructure.security.name is required")
    sandbox = structure.get("sandbox")
    if sandbox is not None and not isinstance((sandbox or {}).get("name"), str):
        raise validation("manifest.organizationStructure.sandbox needs a name")
    regions = manifest.get("governedRegions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise validation("manifest.governedRegions must be a list of Region names")
    shared = []
    for key in ("centralizedLogging", "securityRoles"):
        account = (manifest.get(key) or {}).get("accountId")
        if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
            raise validation(f"manifest.{key}.accountId is required (a 12-digit account id)")
        member = next((a for a in backend.accounts if a.id == account), None)
        if member is None or member.status != "ACTIVE" or account == management:
            raise validation(f"manifest.{key}.accountId {account} must be an active member account of the organization")
        shared.append(account)
    if shared[0] == shared[1]:
        raise validation("The log archive account and the audit account must be different accounts")
    return manifest, (shared[0], shared[1])


def governed_regions(manifest: dict, home: str) -> list[str]:
    return [home, *(r for r in dict.fromkeys(manifest.get("governedRegions") or []) if r != home)]


def build_organization(backend: Any, manifest: dict, shared: tuple[str, str]) -> list[Any]:
    """What a landing zone makes in Organizations: trusted access for Control Tower, the Security OU
    holding the shared accounts and the Sandbox OU (when named), found or created under the root.
    Answers the OUs it registers."""
    backend.enable_aws_service_access(ServicePrincipal=CONTROL_TOWER_PRINCIPAL)
    root = backend.org.root_id
    structure = manifest["organizationStructure"]
    registered = []
    for key in ("security", "sandbox"):
        if not structure.get(key):
            continue
        name = structure[key]["name"]
        ou = next((o for o in backend.ou if o.type == "ORGANIZATIONAL_UNIT" and o.parent_id == root and o.name == name),
                  None)
        if ou is None:
            created = backend.create_organizational_unit(ParentId=root, Name=name)
            ou = next(o for o in backend.ou if o.id == created["OrganizationalUnit"]["Id"])
        registered.append(ou)
        if key == "security":
            for account in backend.accounts:
                if account.id in shared:
                    account.parent_id = ou.id
    return registered


def ou_by_arn(backend: Any, arn: Any) -> Any:
    if backend is None or not isinstance(arn, str):
        return None
    return next((o for o in backend.ou if o.type == "ORGANIZATIONAL_UNIT" and o.arn == arn), None)


def nested_ous(backend: Any, parent_id: str) -> list[Any]:
    found, frontier = [], {parent_id}
    while frontier:
        children = [o for o in backend.ou if o.parent_id in frontier and o.type == "ORGANIZATIONAL_UNIT"]
        found += children
        frontier = {o.id for o in children}
    return found


# --- shapes, filters, paging ------------------------------------------------------------------------

def summary(item: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}


def control_matches(control: dict, criteria: dict) -> bool:
    drift = control["driftStatusSummary"]["driftStatus"]
    checks = {
        "controlIdentifiers": control["controlIdentifier"],
        "statuses": control["statusSummary"]["status"],
        "driftStatuses": drift,
        "inheritanceDriftStatuses": drift,  # one drift status stands for both kinds here
        "resourceDriftStatuses": drift,
        "parentIdentifiers": None,  # no child enabled controls are modelled
    }
    return all(checks[key] in values for key, values in criteria.items() if key in checks and values)


def baseline_matches(baseline: dict, criteria: dict) -> bool:
    drift = baseline["driftStatusSummary"]["types"]["inheritance"]["status"]
    checks = {
        "targetIdentifiers": baseline["targetIdentifier"],
        "baselineIdentifiers": baseline["baselineIdentifier"],
        "statuses": baseline["statusSummary"]["status"],
        "inheritanceDriftStatuses": drift,
        "sourceDriftStatuses": "IN_SYNC",
        "parentIdentifiers": None,
    }
    return all(checks[key] in values for key, values in criteria.items() if key in checks and values)


def page_limit(body: dict, low: int, high: int, default: int = 100) -> int:
    limit = body.get("maxResults")
    if limit is None:
        return min(default, high)
    if not isinstance(limit, int) or not low <= limit <= high:
        raise validation(f"maxResults must be between {low} and {high}")
    return limit


def page(items: list, body: dict, key: str, limit: int) -> dict:
    """One page and the token for the next; tokens are opaque offsets, as clients must assume."""
    token = body.get("nextToken")
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError:
        raise validation("Invalid nextToken") from None
    if start < 0:
        raise validation("Invalid nextToken")
    result: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        result["nextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return result
