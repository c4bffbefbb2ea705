"""Security Hub's central configuration (restJson1, signing name `securityhub`): the organization
configuration per Region, and the configuration policies and their associations, which moto 5.2.5
lacks altogether (no `/configurationPolicy*` route: an HTML 404).

As AWS documents it (Security Hub API reference; User Guide, "Understanding central configuration"):

- `UpdateOrganizationConfiguration` takes `OrganizationConfiguration.ConfigurationType` (CENTRAL or
  LOCAL); `Status` is an output, ENABLED once the change is made (moto demanded it in the request
  and stored what it was given). CENTRAL needs `AutoEnable` false and `AutoEnableStandards` NONE
  (moto's check, kept). The organization configuration is kept per Region (moto: one for every
  Region): the administrator designated in a Region, and the configuration set there. The Region
  where the administrator sets CENTRAL is the organization's home Region; CENTRAL in a second Region
  is refused (`InvalidInputException`, AWS allows one home Region), and going back to LOCAL is
  refused while configuration policies exist (AWS: disassociate and delete them first).
  `DescribeOrganizationConfiguration` leaves out an empty `StatusMessage`.
- Only the Security Hub administrator, in the home Region, may call the configuration-policy
  operations ("Only the Security Hub CSPM delegated administrator can invoke this operation from
  the home Region."): anyone else, the administrator in another Region, or any caller while the
  organization is not CENTRAL, gets `AccessDeniedException` 403 (the code is AWS's for that
  refusal in the model; the message is ours (u)).
- `CreateConfigurationPolicy` (Name unique, of the characters AWS allows; `ServiceEnabled`; when
  enabled, `EnabledStandardIdentifiers` offered in the Region and exactly one of the enabled or
  disabled control lists) answers the policy with `Arn`
  (`arn:aws:securityhub:REGION:ACCOUNT:configuration-policy/UUID`) and `Id` (the UUID);
  `GetConfigurationPolicy` takes the id or the ARN; `ListConfigurationPolicies` pages (`MaxResults`
  1 to 100); `DeleteConfigurationPolicy` is refused while the policy is associated
  (`ResourceConflictException`).
- `StartConfigurationPolicyAssociation` applies a policy, or `SELF_MANAGED_SECURITY_HUB`, to an
  account of the organization, an OU or the root (`ResourceNotFoundException` for anything else);
  `StartConfigurationPolicyDisassociation` removes what was applied to the target.
  `ListConfigurationPolicyAssociations` answers every target of the organization, the root, each
  OU and each ACTIVE account: what was applied to it (APPLIED), or else what its nearest ancestor
  has (account, its OUs upward, the root: INHERITED), or else self-managed
  (`SELF_MANAGED_SECURITY_HUB`, INHERITED: "by default, all accounts and OUs are self-managed when
  you start central configuration through the Security Hub API"), all `AssociationStatus` SUCCESS;
  filtered by `ConfigurationPolicyId` (id or ARN), `AssociationType`, `AssociationStatus`, in pages
  of `MaxResults` 1 to 100 (default 100 (u)). `GetConfigurationPolicyAssociation` answers one
  target the same way.

Not modelled: a policy's settings are not applied to the accounts it reaches (their hubs, standards
and controls stay as each account set them), linked Regions and the finding aggregator AWS requires
for a home Region, `UpdateConfigurationPolicy`, `BatchGetConfigurationPolicyAssociations`, PENDING
and FAILED associations, and Security Hub policies in Organizations (association status DISABLED).
"""

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from moto.moto_api._internal import mock_random
from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.securityhub import models as securityhub_models
from moto.securityhub import responses as securityhub_responses
from moto.securityhub.exceptions import SecurityHubClientError

from . import moto_gaps, wire
from .org import management_backend, organization_of

SELF_MANAGED = "SELF_MANAGED_SECURITY_HUB"
ONLY_HOME_ADMIN = "Only the Security Hub delegated administrator can invoke this operation from the home Region."
MAX_RESULTS = 100
POLICY_NAME = re.compile(r"[A-Za-z0-9\-.!*/ ]{1,128}")

OPERATIONS = ("CreateConfigurationPolicy", "GetConfigurationPolicy", "ListConfigurationPolicies",
              "DeleteConfigurationPolicy", "StartConfigurationPolicyAssociation",
              "StartConfigurationPolicyDisassociation", "ListConfigurationPolicyAssociations",
              "GetConfigurationPolicyAssociation")


class Problem(Exception):
    def __init__(self, code: str, status: int, message: str):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now() -> str:
    return iso(datetime.now(UTC))


@dataclass
class Home:
    """Where the organization's central configuration lives."""

    admin: str
    region: str
    since: str


@dataclass
class Association:
    policy_id: str  # a policy's id, or SELF_MANAGED
    updated_at: str


class SecurityHubCentral:
    """Every organization's central configuration, by organization id."""

    def __init__(self):
        self._lock = threading.RLock()
        self.homes: dict[str, Home] = {}
        self.policies: dict[str, dict[str, dict[str, Any]]] = {}  # org -> id -> policy
        self.associations: dict[str, dict[str, Association]] = {}  # org -> target id -> what was applied

    def reset(self) -> None:
        with self._lock:
            self.homes.clear()
            self.policies.clear()
            self.associations.clear()

    # --- patches to moto's organization configuration ---------------------------------------------

    def install(self) -> None:
        extension = self
        Backend = securityhub_models.SecurityHubBackend

        def _get_org_config(backend) -> dict[str, Any]:
            organization = organization_of(backend.account_id)
            if organization is None:
                raise AWSOrganizationsNotInUseException()
            key = f"{organization['Id']}/{backend.region_name}"  # one per Region, as on AWS
            return Backend._org_configs.setdefault(key, {
                "admin_account_id": None,
                "auto_enable": False,
                "auto_enable_standards": "DEFAULT",
                "configuration": {"ConfigurationType": "LOCAL", "Status": "ENABLED"},
            })

        original_update = Backend.update_organization_configuration

        def update_organization_configuration(backend, auto_enable, auto_enable_standards=None,
                                              organization_configuration=None):
            if organization_configuration:
                wanted = organization_configuration.get("ConfigurationType")
                extension.check_configuration_change(backend, wanted)
                # Status is AWS's answer, not the caller's to give.
                organization_configuration = {"ConfigurationType": wanted, "Status": "ENABLED"}
            original_update(backend, auto_enable, auto_enable_standards, organization_configuration)
            if organization_configuration:
                extension.configuration_changed(backend, organization_configuration["ConfigurationType"])

        original_describe = Backend.describe_organization_configuration

        def describe_organization_configuration(backend) -> dict[str, Any]:
            answer = dict(original_describe(backend))
            configuration = {k: v for k, v in answer["OrganizationConfiguration"].items() if v not in ("", None)}
            answer["OrganizationConfiguration"] = configuration
            return answer

        Backend._get_org_config = _get_org_config  # type: ignore[assignment, method-assign]
        Backend.update_organization_configuration = update_organization_configuration  # type: ignore[method-assign]
        Backend.describe_organization_configuration = describe_organization_configuration  # type: ignore[assignment, method-assign]

    def check_configuration_change(self, backend, wanted) -> None:
        organization = organization_of(backend.account_id)
        if organization is None:
            return  # moto answers ResourceNotFoundException
        with self._lock:
            home = self.homes.get(organization["Id"])
            if wanted == "CENTRAL" and home is not None and home.region != backend.region_name:
                raise SecurityHubClientError(
                    "InvalidInputException",
                    f"Central configuration is already enabled with the home Region {home.region}.")
            if wanted == "LOCAL" and home is not None and home.region == backend.region_name and (
                    self.policies.get(organization["Id"]) or self.associations.get(organization["Id"])):
                raise SecurityHubClientError(
                    "InvalidInputException",
                    "Disassociate and delete the configuration policies before you stop central configuration.")

    def configuration_changed(self, backend, configuration_type: str) -> None:
        organization_id = organization_of(backend.account_id)["Id"]  # type: ignore[index]
        with self._lock:
            home = self.homes.get(organization_id)
            if configuration_type == "CENTRAL" and home is None:
                self.homes[organization_id] = Home(backend.account_id, backend.region_name, now())
            elif configuration_type == "LOCAL" and home is not None and home.region == backend.region_name:
                del self.homes[organization_id]

    # --- dispatch ----------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        if request.service != "securityhub":
            return None
        if request.action not in OPERATIONS:
            known = (hasattr(securityhub_responses.SecurityHubResponse, snake(request.action))
                     or ("securityhub", request.action) in moto_gaps.HANDLERS)
            if known:
                return None
            return wire.error_response(request, "UnknownOperationException",
                                       f"securityhub {request.action} is not supported by the posture sandbox", 400)
        try:
            with self._lock:
                organization_id = self.authorize(account_id, request.region)
                answer = getattr(self, snake(request.action))(organization_id, request)
            return wire.json_response(answer)
        except Problem as problem:
            return wire.error_response(request, problem.code, problem.message, problem.status)
        except (ValueError, TypeError, AttributeError) as err:
            return wire.error_response(request, "InvalidInputException", f"Invalid request: {err}", 400)

    def authorize(self, account_id: str, region: str) -> str:
        organization = organization_of(account_id)
        home = self.homes.get(organization["Id"]) if organization else None
        if home is None or (home.admin, home.region) != (account_id, region):
            raise Problem("AccessDeniedException", 403, ONLY_HOME_ADMIN)
        return organization["Id"]  # type: ignore[index]

    # --- configuration policies --------------------------------------------------------------------

    def policy(self, organization_id: str, identifier: str) -> dict[str, Any]:
        policies = self.policies.get(organization_id, {})
        found = policies.get(identifier) or next((p for p in policies.values() if p["Arn"] == identifier), None)
        if found is None:
            raise Problem("ResourceNotFoundException", 404, f"Configuration policy {identifier} not found.")
        return found

    def create_configuration_policy(self, organization_id: str, request: wire.AwsRequest):
        body = request.json_body()
        name = body.get("Name")
        if not isinstance(name, str) or not POLICY_NAME.fullmatch(name):
            raise Problem("InvalidInputException", 400, "Name must be 1 to 128 of A-Z, a-z, 0-9, -, ., !, *, /.")
        policies = self.policies.setdefault(organization_id, {})
        if any(p["Name"] == name for p in policies.values()):
            raise Problem("ResourceConflictException", 409, f"A configuration policy named {name} already exists.")
        hub = (body.get("ConfigurationPolicy") or {}).get("SecurityHub")
        if not isinstance(hub, dict) or not isinstance(hub.get("ServiceEnabled"), bool):
            raise Problem("InvalidInputException", 400, "ConfigurationPolicy.SecurityHub.ServiceEnabled is required.")
        if hub["ServiceEnabled"]:
            for arn in hub.get("EnabledStandardIdentifiers") or []:
                if moto_gaps.standard_path(arn, request.region) is None:
                    raise Problem("InvalidInputException", 400,
                                  f"EnabledStandardIdentifiers: {arn} is not a standard offered in {request.region}.")
            controls = hub.get("SecurityControlsConfiguration") or {}
            lists = [k for k in ("EnabledSecurityControlIdentifiers", "DisabledSecurityControlIdentifiers")
                     if k in controls]
            if "EnabledStandardIdentifiers" not in hub or len(lists) != 1:
                raise Problem("InvalidInputException", 400, (
                    "A policy that enables Security Hub needs EnabledStandardIdentifiers and exactly one of "
                    "EnabledSecurityControlIdentifiers and DisabledSecurityControlIdentifiers."))
        elif set(hub) - {"ServiceEnabled"}:
            raise Problem("InvalidInputException", 400, "A policy that disables Security Hub takes no other settings.")
        home = self.homes[organization_id]
        policy_id = str(mock_random.uuid4())
        created = now()
        policy = {
            "Arn": f"arn:aws:securityhub:{request.region}:{home.admin}:configuration-policy/{policy_id}",
            "Id": policy_id, "Name": name, "UpdatedAt": created, "CreatedAt": created,
            "ConfigurationPolicy": {"SecurityHub": hub},
        }
        if body.get("Description"):
            policy["Description"] = body["Description"]
        policies[policy_id] = policy
        return policy

    def get_configuration_policy(self, organization_id: str, request: wire.AwsRequest):
        raw = request.raw_path or request.path
        return self.policy(organization_id, unquote(raw.split("/configurationPolicy/get/", 1)[1]))

    def delete_configuration_policy(self, organization_id: str, request: wire.AwsRequest):
        raw = request.raw_path or request.path
        policy = self.policy(organization_id, unquote(raw.split("/configurationPolicy/", 1)[1]))
        if any(a.policy_id == policy["Id"] for a in self.associations.get(organization_id, {}).values()):
            raise Problem("ResourceConflictException", 409,
                          "Disassociate the configuration policy from its targets before you delete it.")
        del self.policies[organization_id][policy["Id"]]
        return {}

    def list_configuration_policies(self, organization_id: str, request: wire.AwsRequest):
        summaries = [{"Arn": p["Arn"], "Id": p["Id"], "Name": p["Name"], "UpdatedAt": p["UpdatedAt"],
                      "ServiceEnabled": p["ConfigurationPolicy"]["SecurityHub"]["ServiceEnabled"],
                      **({"Description": p["Description"]} if "Description" in p else {})}
                     for p in self.policies.get(organization_id, {}).values()]
        return page(summaries, request.query.get("MaxResults"), request.query.get("NextToken"),
                    "ConfigurationPolicySummaries")

    # --- associations ------------------------------------------------------------------------------

    def target_of(self, organization_id: str, target) -> tuple[str, str]:
        """(target id, TargetType) of a `Target` union, if it is part of the organization."""
        if not isinstance(target, dict) or len([k for k in target if target[k]]) != 1:
            raise Problem("InvalidInputException", 400,
                          "Target takes exactly one of AccountId, OrganizationalUnitId, RootId.")
        backend = management_backend(self.homes[organization_id].admin)
        if target.get("AccountId"):
            if any(a.id == target["AccountId"] for a in backend.accounts):
                return target["AccountId"], "ACCOUNT"
        elif target.get("OrganizationalUnitId"):
            if any(ou.id == target["OrganizationalUnitId"] and ou.id != backend.org.root_id for ou in backend.ou):
                return target["OrganizationalUnitId"], "ORGANIZATIONAL_UNIT"
        elif target.get("RootId") == backend.org.root_id:
            return target["RootId"], "ROOT"
        raise Problem("ResourceNotFoundException", 404, f"The target {target} is not part of the organization.")

    def start_configuration_policy_association(self, organization_id: str, request: wire.AwsRequest):
        body = request.json_body()
        identifier = body.get("ConfigurationPolicyIdentifier")
        target_id, target_type = self.target_of(organization_id, body.get("Target"))
        policy_id = SELF_MANAGED if identifier == SELF_MANAGED else self.policy(organization_id, str(identifier))["Id"]
        self.associations.setdefault(organization_id, {})[target_id] = Association(policy_id, now())
        return self.summary(organization_id, target_id, target_type)

    def start_configuration_policy_disassociation(self, organization_id: str, request: wire.AwsRequest):
        body = request.json_body()
        target_id, _ = self.target_of(organization_id, body.get("Target"))
        identifier = body.get("ConfigurationPolicyIdentifier")
        applied = self.associations.get(organization_id, {}).get(target_id)
        policy_id = SELF_MANAGED if identifier == SELF_MANAGED else self.policy(organization_id, str(identifier))["Id"]
        if applied is None or applied.policy_id != policy_id:
            raise Problem("ResourceNotFoundException", 404, f"{identifier} is not applied to {target_id}.")
        del self.associations[organization_id][target_id]
        return {}

    def summary(self, organization_id: str, target_id: str, target_type: str) -> dict[str, Any]:
        """What applies to the target: its own association, its nearest ancestor's, or self-managed."""
        backend = management_backend(self.homes[organization_id].admin)
        applied = self.associations.get(organization_id, {})
        parents = {account.id: account.parent_id for account in backend.accounts}
        parents.update({ou.id: ou.parent_id for ou in backend.ou if ou.id != backend.org.root_id})
        association_type = "APPLIED"
        current: str | None = target_id
        while current is not None and current not in applied:
            association_type, current = "INHERITED", parents.get(current)
        found = applied.get(current) if current is not None else None
        return {
            "ConfigurationPolicyId": found.policy_id if found else SELF_MANAGED,
            "TargetId": target_id, "TargetType": target_type,
            "AssociationType": association_type if found else "INHERITED",
            "UpdatedAt": found.updated_at if found else self.homes[organization_id].since,
            "AssociationStatus": "SUCCESS",
        }

    def targets(self, organization_id: str) -> list[tuple[str, str]]:
        """The root, every OU (parents first), every ACTIVE account, as (id, TargetType)."""
        backend = management_backend(self.homes[organization_id].admin)
        root = backend.org.root_id
        return ([(root, "ROOT")]
                + [(ou.id, "ORGANIZATIONAL_UNIT") for ou in backend.ou if ou.id != root]
                + [(a.id, "ACCOUNT") for a in backend.accounts
                   if (getattr(a, "state", None) or a.status) == "ACTIVE"])

    def list_configuration_policy_associations(self, organization_id: str, request: wire.AwsRequest):
        body = request.json_body()
        filters = body.get("Filters") or {}
        wanted_policy: str | None = filters.get("ConfigurationPolicyId")
        if wanted_policy and wanted_policy != SELF_MANAGED:
            wanted_policy = self.policy(organization_id, wanted_policy)["Id"]
        summaries = [self.summary(organization_id, target_id, kind)
                     for target_id, kind in self.targets(organization_id)]
        summaries = [s for s in summaries
                     if (not wanted_policy or s["ConfigurationPolicyId"] == wanted_policy)
                     and (not filters.get("AssociationType") or s["AssociationType"] == filters["AssociationType"])
                     and (not filters.get("AssociationStatus")
                          or s["AssociationStatus"] == filters["AssociationStatus"])]
        return page(summaries, body.get("MaxResults"), body.get("NextToken"), "ConfigurationPolicyAssociationSummaries")

    def get_configuration_policy_association(self, organization_id: str, request: wire.AwsRequest):
        target_id, target_type = self.target_of(organization_id, request.json_body().get("Target"))
        return self.summary(organization_id, target_id, target_type)


def page(items: list, limit, token, key: str) -> dict[str, Any]:
    limit = int(limit) if limit is not None else MAX_RESULTS
    if not 1 <= limit <= MAX_RESULTS:
        raise Problem("InvalidInputException", 400, f"MaxResults must be between 1 and {MAX_RESULTS}.")
    try:
        start = int(token or 0)
    except ValueError as err:
        raise Problem("InvalidInputException", 400, "The NextToken is not valid.") from err
    answer: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        answer["NextToken"] = str(start + limit)
    return answer


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
