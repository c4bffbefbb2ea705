"""Smaller gaps between moto and AWS that change what a scanner sees or how many calls it makes."""

import json
from typing import Any

from moto.cloudformation import models as cloudformation_models
from moto.cloudformation import responses as cloudformation_responses
from moto.cloudtrail import models as cloudtrail_models
from moto.config import models as config_models
from moto.core.responses import ActionResult, EmptyResult
from moto.iam import models as iam_models
from moto.organizations import exceptions as org_exceptions
from moto.organizations import models as org_models
from moto.organizations import responses as org_responses
from moto.organizations import utils as org_utils
from moto.securityhub import models as securityhub_models

from . import management_only, org_services, s3_ownership, wire
from .org import organization_of

# AWS returns at most 20 accounts per ListAccounts/ListAccountsForParent page (moto: 100), which changes
# the number of calls a scan of a large organization makes.
ORGANIZATIONS_PAGE_LIMIT = 20

# The read-only Organizations operations a delegated administrator (of any service) may call, on
# the organization the management account sees (Organizations User Guide, "Delegated
# administrator for AWS Organizations", the operations listed for delegated administrators).
DELEGATED_READS = frozenset({
    "DescribeAccount", "DescribeOrganization", "DescribeOrganizationalUnit", "DescribePolicy",
    "ListAccounts", "ListAccountsForParent", "ListAWSServiceAccessForOrganization", "ListChildren",
    "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
    "ListOrganizationalUnitsForParent", "ListParents", "ListPolicies", "ListPoliciesForTarget",
    "ListRoots", "ListTagsForResource", "ListTargetsForPolicy",
})


class MemberAccessDenied(org_exceptions.OrganizationsClientError):
    """What Organizations answers a member account that is no delegated administrator when it calls
    an operation only the management account and delegated administrators may call."""

    def __init__(self) -> None:
        super().__init__("AccessDeniedException", "You don't have permissions to access this resource.")


def install() -> None:
    """Patches moto where it answers unlike AWS in ways a scanner sees."""
    install_organizations()
    install_cloudformation()
    install_cloudtrail()
    install_config()
    install_securityhub()


# Service principals AWS lets the management account register a delegated administrator for, and moto
# 5.2.5 refuses (Organizations User Guide, "AWS services that you can use with AWS Organizations").
DELEGABLE_PRINCIPALS = (
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "inspector2.amazonaws.com",
    "detective.amazonaws.com",
    "fms.amazonaws.com",
    "backup.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
)


def install_organizations() -> None:
    """Organizations as AWS answers it: pages of at most 20 accounts (moto: 100, and it accepts any
    MaxResults), no retired `Status` field, and the delegated-administrator principals AWS accepts."""
    for method in ("list_accounts", "list_accounts_for_parent"):
        config = org_utils.PAGINATION_MODEL[method]
        config["limit_default"] = ORGANIZATIONS_PAGE_LIMIT
        # moto keys ListAccounts pages by JoinedTimestamp, which accounts created in the same instant
        # share: a page boundary between them would lose accounts. Ids are unique.
        config["unique_attribute"] = "Id" if method == "list_accounts" else "id"
        original = getattr(org_models.OrganizationsBackend, method)

        def validated(backend, *args, _original=original, **kwargs):
            limit = kwargs.get("max_results")
            if limit is not None and not 1 <= limit <= ORGANIZATIONS_PAGE_LIMIT:
                raise org_exceptions.InvalidInputException(
                    "You provided a value that does not match the required pattern. (MaxResults must be "
                    f"between 1 and {ORGANIZATIONS_PAGE_LIMIT})"
                )
            return _original(backend, *args, **kwargs)

        setattr(org_models.OrganizationsBackend, method, validated)

    # `Status` was retired on 2026-09-09 (aws-api-facts (e)); AWS sends `State` only.
    original_describe = org_models.FakeAccount.describe

    def describe(account):
        answer = original_describe(account)
        answer.pop("Status", None)
        return answer

    org_models.FakeAccount.describe = describe  # type: ignore[method-assign]
    # A delegated administrator reads the organization the management account sees; moto answers
    # every member from an empty backend of its own (ParentNotFoundException for the root's OUs).
    original_backend = org_responses.OrganizationsResponse.organizations_backend

    def organizations_backend(response):
        own = original_backend.fget(response)  # type: ignore[attr-defined]
        account = response.current_account
        master = org_models.organizations_backends.master_accounts.get(account)
        action = response._get_action()
        if master is None or master[0] == account or action not in DELEGATED_READS:
            return own
        management = org_models.organizations_backends[master[0]][master[1]]
        # Any member may describe its organization; the other reads are the management account's and
        # its delegated administrators' (aws-api-facts (e)), anyone else gets AWS's AccessDenied.
        if action == "DescribeOrganization" or any(admin.account.id == account for admin in management.admins):
            return management
        raise MemberAccessDenied()

    org_responses.OrganizationsResponse.organizations_backend = property(organizations_backend)  # type: ignore[assignment, method-assign]
    # moto refuses these principals for RegisterDelegatedAdministrator (and ListDelegatedAdministrators);
    # AWS accepts them: the security services an organization administers from its audit account.
    for principal in DELEGABLE_PRINCIPALS:
        if principal not in org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
            org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(principal)


# What GetEventSelectors answers for a trail that never had selectors put: all management events.
DEFAULT_EVENT_SELECTORS = [
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
     "ExcludeManagementEventSources": []}
]


def install_cloudformation() -> None:
    """CloudFormation as AWS deploys: service-managed StackSets reach every ACTIVE account under the target
    OUs and all the OUs nested in them (moto: one level down), never the management account (AWS deploys a
    service-managed StackSet to member accounts only) nor a SUSPENDED account; and an IAM role's inline
    policy from a template reads back as JSON (moto keeps the template's dict, and GetRolePolicy answers
    its Python repr)."""
    original_put_policy = iam_models.Role.put_policy

    def put_policy(role, policy_name, policy_json):
        if not isinstance(policy_json, str):
            policy_json = json.dumps(policy_json)
        return original_put_policy(role, policy_name, policy_json)

    iam_models.Role.put_policy = put_policy  # type: ignore[method-assign]

    original = cloudformation_models.StackInstances.create_instances

    def create_instances(instances, accounts, regions, parameters, deployment_targets, permission_model):
        if permission_model != "SERVICE_MANAGED":
            return original(instances, accounts, regions, parameters, deployment_targets, permission_model)
        backend = instances.org_backend
        wanted = set(deployment_targets.get("OrganizationalUnitIds", []))
        grew = True
        while grew:
            nested = {ou.id for ou in backend.ou if ou.parent_id in wanted}
            grew = not nested <= wanted
            wanted |= nested
        management = backend.org.master_account_id if backend.org else None
        members = [account.id for account in backend.accounts
                   if account.parent_id in wanted and account.id != management and account.status == "ACTIVE"]
        return original(instances, members, regions, parameters, {}, permission_model)

    cloudformation_models.StackInstances.create_instances = create_instances  # type: ignore[method-assign]
    install_stacksets_trusted_access()


# The service principal of StackSets' member accounts: Organizations lists it as enabled once
# StackSets' trusted access is activated.
STACKSETS_MEMBER_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"


def install_stacksets_trusted_access() -> None:
    """CloudFormation's ActivateOrganizationsAccess and DescribeOrganizationsAccess (moto has neither), as
    the switch AWS makes of them: Organizations' service access for StackSets' member principal
    (what ListAWSServiceAccessForOrganization then answers). The sandbox records it but, like moto,
    does not refuse a service-managed StackSet without it."""
    Response = cloudformation_responses.CloudFormationResponse

    def organization(response):
        return org_models.organizations_backends[response.current_account][response.partition]

    def activate_organizations_access(self):
        organization(self).enable_aws_service_access(ServicePrincipal=STACKSETS_MEMBER_PRINCIPAL)
        return EmptyResult()

    def describe_organizations_access(self):
        enabled = any(s["ServicePrincipal"] == STACKSETS_MEMBER_PRINCIPAL for s in organization(self).services)
        return ActionResult({"Status": "ENABLED" if enabled else "DISABLED"})

    Response.activate_organizations_access = activate_organizations_access  # type: ignore[attr-defined]
    Response.describe_organizations_access = describe_organizations_access  # type: ignore[attr-defined]


def install_cloudtrail() -> None:
    """CloudTrail as AWS answers it: the default selector for a trail without custom selectors,
    one kind of selectors per trail,
    `HasCustomEventSelectors` telling the truth, and the organization trail visible in every member
    account (with its status and selectors readable there by ARN)."""
    Trail = cloudtrail_models.Trail
    Backend = cloudtrail_models.CloudTrailBackend

    def get_event_selectors(trail):
        if not trail.event_selectors and not trail.advanced_event_selectors:
            return [dict(s) for s in DEFAULT_EVENT_SELECTORS], []
        return trail.event_selectors, trail.advanced_event_selectors

    Trail.get_event_selectors = get_event_selectors  # type: ignore[method-assign]

    def put_event_selectors(trail, event_selectors, advanced_event_selectors):
        # A trail has one kind of selectors: putting either replaces both (moto keeps the other).
        trail.event_selectors = event_selectors or []
        trail.advanced_event_selectors = advanced_event_selectors or []

    Trail.put_event_selectors = put_event_selectors  # type: ignore[method-assign]

    original_description = Trail.description

    def description(trail, include_region: bool = False):
        answer = original_description(trail, include_region)
        answer["HasCustomEventSelectors"] = bool(trail.event_selectors or trail.advanced_event_selectors)
        return answer

    Trail.description = description  # type: ignore[assignment, method-assign]

    original_describe_trails = Backend.describe_trails

    def describe_trails(backend, include_shadow_trails: bool):
        trails = list(original_describe_trails(backend, include_shadow_trails))
        if include_shadow_trails:
            trails += [t for t in organization_trails_seen_by(backend.account_id)
                       if t.is_multi_region or t.region_name == backend.region_name]
        return trails

    Backend.describe_trails = describe_trails  # type: ignore[assignment, method-assign]

    original_get_trail = Backend.get_trail

    def get_trail(backend, name_or_arn: str):
        try:
            return original_get_trail(backend, name_or_arn)
        except cloudtrail_models.TrailNotFoundException:
            for trail in organization_trails_seen_by(backend.account_id):
                if trail.arn == name_or_arn:
                    return trail
            raise

    Backend.get_trail = get_trail  # type: ignore[assignment, method-assign]


def organization_trails_seen_by(account_id: str) -> list:
    """The organization trails of the management account of `account_id`'s organization, when
    `account_id` is a member of one (the management account sees them as its own trails)."""
    master = org_models.organizations_backends.master_accounts.get(account_id)
    if master is None or master[0] == account_id:
        return []
    management = master[0]
    return [
        trail
        for backend in cloudtrail_models.cloudtrail_backends[management].values()
        for trail in backend.trails.values()
        if trail.is_org_trail
    ]


def install_config() -> None:
    """AWS Config's recorder status in AWS's words: `lastStatus` is one of `Pending`, `Success`,
    `Failure`, `NotApplicable` (moto answers `PENDING`, which no SDK knows). A started recorder has
    recorded (AWS answers Success once its first items are delivered; moto never delivers), and a
    stopped one keeps the status of its last recording, as on AWS."""
    status = config_models.ConfigRecorderStatus
    original_start = status.start

    def start(recorder_status) -> None:
        original_start(recorder_status)
        recorder_status.last_status = "Success"

    status.start = start  # type: ignore[assignment, method-assign]


def install_securityhub() -> None:
    """Security Hub's administrator is designated per Region, and AWS registers it with Organizations
    as the delegated administrator of `securityhub.amazonaws.com` and enables the service's trusted
    access (moto does neither); enabling the hub
    enables the default standards unless told not to, and disabling it ends every subscription."""
    original = securityhub_models.SecurityHubBackend.enable_organization_admin_account

    def enable_organization_admin_account(backend, admin_account_id: str) -> None:
        original(backend, admin_account_id)
        SECURITYHUB_ADMINS[(backend.account_id, backend.region_name)] = admin_account_id
        org_services.designate(backend.account_id, admin_account_id, "securityhub.amazonaws.com")

    securityhub_models.SecurityHubBackend.enable_organization_admin_account = enable_organization_admin_account  # type: ignore[assignment, method-assign]

    # EnableSecurityHub enables the default standards unless EnableDefaultStandards is false (moto
    # reads the flag and does nothing with it); DisableSecurityHub ends every subscription.
    original_enable = securityhub_models.SecurityHubBackend.enable_security_hub

    def enable_security_hub(backend, enable_default_standards: bool = True, tags=None):
        was_enabled = backend.enabled
        answer = original_enable(backend, enable_default_standards=enable_default_standards, tags=tags)
        if not was_enabled and enable_default_standards:
            for arn in default_standards(backend.region_name):
                subscribe_standard(backend.account_id, backend.region_name, arn)
        return answer

    securityhub_models.SecurityHubBackend.enable_security_hub = enable_security_hub  # type: ignore[assignment, method-assign]

    original_disable = securityhub_models.SecurityHubBackend.disable_security_hub

    def disable_security_hub(backend):
        answer = original_disable(backend)
        SECURITYHUB_STANDARDS.pop((backend.account_id, backend.region_name), None)
        return answer

    securityhub_models.SecurityHubBackend.disable_security_hub = disable_security_hub  # type: ignore[method-assign]


# (management account, Region) -> the Security Hub administrator designated there.
SECURITYHUB_ADMINS: dict[tuple[str, str], str] = {}

# (account, Region) -> StandardsArn -> the subscription, as GetEnabledStandards answers it. moto keeps
# no standards at all.
SECURITYHUB_STANDARDS: dict[tuple[str, str], dict[str, dict]] = {}

# The one standard whose ARN names no Region (a `ruleset`, from before standards were regional).
CIS_1_2_RULESET = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"

# The Regional standards BatchEnableStandards accepts here (`standards/<name>/v/<version>`), from the
# Security Hub CSPM standards reference; AWS refuses an ARN that names no standard it offers.
REGIONAL_STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/1.4.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
    "cis-aws-foundations-benchmark/v/5.0.0",
    "nist-800-53/v/5.0.0",
    "pci-dss/v/3.2.1",
    "aws-resource-tagging-standard/v/1.0.0",
)


def default_standards(region: str) -> tuple[str, ...]:
    """The standards EnableSecurityHub enables by default: AWS Foundational Security Best Practices
    and CIS AWS Foundations Benchmark v1.2.0 (EnableSecurityHub's API reference)."""
    return (f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
            CIS_1_2_RULESET)


def standard_path(standards_arn: str, region: str) -> str | None:
    """`<name>/v/<version>` of a standard offered in `region`, or None for an ARN AWS would refuse."""
    if standards_arn == CIS_1_2_RULESET:
        return "cis-aws-foundations-benchmark/v/1.2.0"
    prefix = f"arn:aws:securityhub:{region}::standards/"
    path = standards_arn[len(prefix):] if standards_arn.startswith(prefix) else None
    return path if path in REGIONAL_STANDARDS else None


def subscribe_standard(account_id: str, region: str, standards_arn: str, standards_input=None) -> dict:
    """Enables a standard (again: AWS keeps one subscription per standard); answers the subscription.
    Enabling completes at once here, so the subscription is READY from the next read."""
    path = standard_path(standards_arn, region)
    subscription = {
        "StandardsSubscriptionArn": f"arn:aws:securityhub:{region}:{account_id}:subscription/{path}",
        "StandardsArn": standards_arn,
        "StandardsInput": dict(standards_input or {}),
        "StandardsStatus": "READY",
        "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        "Provider": "AWS",
    }
    SECURITYHUB_STANDARDS.setdefault((account_id, region), {})[standards_arn] = subscription
    return subscription


def securityhub_not_enabled(request: wire.AwsRequest, account_id: str):
    """What Security Hub answers in a Region where the account has not enabled it (moto's words)."""
    hub = securityhub_models.securityhub_backends[account_id][request.region]
    if hub.enabled:
        return None
    return wire.error_response(request, "InvalidAccessException",
                               "Account is not subscribed to AWS Security Hub", 401)


def get_enabled_standards(request: wire.AwsRequest, account_id: str):
    """Security Hub `GetEnabledStandards` (moto lacks it): the account's subscriptions in this Region,
    optionally only the given subscription ARNs, in pages of `MaxResults` (1-100)."""
    refused = securityhub_not_enabled(request, account_id)
    if refused:
        return refused
    body = request.json_body()
    limit = int(body.get("MaxResults") or 100)
    if not 1 <= limit <= 100:
        return wire.error_response(request, "InvalidInputException", "MaxResults must be between 1 and 100", 400)
    wanted = set(body.get("StandardsSubscriptionArns") or [])
    providers = set(body.get("Providers") or [])
    subscriptions = [
        s for s in SECURITYHUB_STANDARDS.get((account_id, request.region), {}).values()
        if (not wanted or s["StandardsSubscriptionArn"] in wanted)
        and (not providers or s["Provider"] in providers)
    ]
    start = int(body.get("NextToken") or 0)
    page: dict[str, Any] = {"StandardsSubscriptions": subscriptions[start:start + limit]}
    if start + limit < len(subscriptions):
        page["NextToken"] = str(start + limit)
    return wire.json_response(page)


def batch_enable_standards(request: wire.AwsRequest, account_id: str):
    """Security Hub `BatchEnableStandards` (moto lacks it): 1 to 25 standards offered in this Region.
    As on AWS, the answer shows each subscription PENDING; it is READY at the next read."""
    refused = securityhub_not_enabled(request, account_id)
    if refused:
        return refused
    requests = request.json_body().get("StandardsSubscriptionRequests") or []
    if not 1 <= len(requests) <= 25:
        return wire.error_response(request, "InvalidInputException",
                                   "StandardsSubscriptionRequests must hold 1 to 25 standards", 400)
    for wanted in requests:
        if standard_path(wanted.get("StandardsArn", ""), request.region) is None:
            return wire.error_response(
                request, "InvalidInputException",
                f"StandardsArn {wanted.get('StandardsArn')!r} is not a standard offered in {request.region}", 400)
    answered = []
    for wanted in requests:
        subscription = subscribe_standard(account_id, request.region, wanted["StandardsArn"],
                                          wanted.get("StandardsInput"))
        answered.append({**subscription, "StandardsStatus": "PENDING"})
    return wire.json_response({"StandardsSubscriptions": answered})


def list_securityhub_admin_accounts(request: wire.AwsRequest, account_id: str):
    """Security Hub `ListOrganizationAdminAccounts` (moto lacks it), from moto's own record of
    `EnableOrganizationAdminAccount` in this Region. Only the management account may call it, as on
    AWS; anyone else gets Security Hub's refusal (management_only.py)."""
    refused = management_only.refusal(request, account_id, management_only.SECURITYHUB_REFUSAL)
    if refused:
        return refused
    admin = SECURITYHUB_ADMINS.get((account_id, request.region))
    accounts = [{"AccountId": admin, "Status": "ENABLED"}] if admin else []
    return wire.json_response({"AdminAccounts": accounts, "Feature": request.query.get("Feature", "SecurityHub")})


def put_account_name(request: wire.AwsRequest, account_id: str):
    """Account Management `PutAccountName` (moto lacks it): renames an account as Organizations
    lists it. Without `AccountId` it renames the caller's account; with one, only the management
    account may call it, for a member (AWS refuses the management account's own id)."""
    body = request.json_body()
    name = body.get("AccountName")
    if not isinstance(name, str) or not 1 <= len(name) <= 50:
        return wire.error_response(request, "ValidationException", "AccountName must be 1 to 50 characters", 400)
    organization = organization_of(account_id)
    if organization is None:  # a standalone account has no name to show here
        return wire.json_response({})
    management = organization["MasterAccountId"]
    target = body.get("AccountId")
    if target is not None and (account_id != management or target == management):
        return wire.error_response(
            request, "AccessDeniedException",
            "Only the management account may name a member account, and it names itself without AccountId", 403)
    target = target or account_id
    backend = org_models.organizations_backends[management]["aws"]
    account = next((a for a in backend.accounts if a.id == target), None)
    if account is None:
        return wire.error_response(request, "ResourceNotFoundException", f"Account {target} not found", 404)
    account.name = name
    return wire.json_response({})


# The Regions every AWS account has without opting in; the others are opt-in (DISABLED until enabled).
DEFAULT_REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)



def list_regions(request: wire.AwsRequest, account_id: str):
    """Account Management `ListRegions` (moto lacks it): the partition's Regions with their opt-in
    status, filtered by `RegionOptStatusContains`, in pages of `MaxResults` (1-50, default 20)."""
    import botocore.session

    body = request.json_body()
    wanted = set(body.get("RegionOptStatusContains") or [])
    limit = int(body.get("MaxResults") or 20)
    if not 1 <= limit <= 50:
        return wire.error_response(request, "ValidationException", "MaxResults must be between 1 and 50", 400)
    regions = [
        {"RegionName": name, "RegionOptStatus": "ENABLED_BY_DEFAULT" if name in DEFAULT_REGIONS else "DISABLED"}
        for name in sorted(botocore.session.get_session().get_available_regions("ec2"))
    ]
    regions = [r for r in regions if not wanted or r["RegionOptStatus"] in wanted]
    start = int(body.get("NextToken") or 0)
    page: dict[str, Any] = {"Regions": regions[start:start + limit]}
    if start + limit < len(regions):
        page["NextToken"] = str(start + limit)
    return wire.json_response(page)


# The operations moto lacks that the extension answers here, by (signing name, operation).
HANDLERS = {
    ("securityhub", "ListOrganizationAdminAccounts"): list_securityhub_admin_accounts,
    ("securityhub", "GetEnabledStandards"): get_enabled_standards,
    ("securityhub", "BatchEnableStandards"): batch_enable_standards,
    ("account", "PutAccountName"): put_account_name,
    ("account", "ListRegions"): list_regions,
    **management_only.HANDLERS,
    **s3_ownership.HANDLERS,
}
