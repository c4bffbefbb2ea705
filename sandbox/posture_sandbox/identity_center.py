"""IAM Identity Center (`sso-admin`, awsJson 1.1, target `SWBExternalService`, signing name `sso`) as
AWS answers it where moto 5.2.5 does not.

moto gives every account an ACTIVE instance of its own in every Region, before anyone enabled
Identity Center, has no `CreateInstance`, `DescribeInstance` or `DeleteInstance`, answers
`ListAccountsForProvisionedPermissionSet` with the caller's account whatever was assigned, and
validates nothing about who may use an instance. Here (IAM Identity Center API reference and User
Guide):

- An account has no instance until one is made. The **organization instance** has no API: it is
  enabled in the management account's console, so the sandbox enables it through its admin endpoint
  (`POST /_posture/sso/organization-instance`), which refuses a second one in the same organization
  (AWS allows one) and an organization without all features (u). Enabling it enables Organizations'
  trusted access for `sso.amazonaws.com`, as the console does.
- `CreateInstance` makes an **account instance** in the caller's account and Region. It refuses the
  management account (`ValidationException` 400, "Organization management account is not allowed to
  perform the operation.", the answer seen from AWS; the API reference says only that the request is
  rejected) and an account that has an instance in any Region ("You can create only one instance per
  account and across all AWS Regions"; `ServiceQuotaExceededException` 400 is our reading (u)). The
  same `ClientToken` answers the same instance. The instance is ACTIVE at once (AWS: first
  CREATE_IN_PROGRESS).
- `ListInstances` (and `DescribeInstance`) answer the instances "created in or visible to the account
  calling this API": the caller's own (the management account's is the organization instance, a
  member's its account instance), plus the organization instance for the Identity Center delegated
  administrator (registered for `sso.amazonaws.com`), in the request's Region (`RegionScope`
  CURRENT_REGION, the default) or all Regions (ALL_REGIONS), each with its `PrimaryRegion`. The
  management account does not list its members' account instances
  (../shared/reference/landing-zone-apis.md; (u)). Absent fields are left out, as AWS leaves them,
  rather than sent as JSON null.
- Every operation on an `InstanceArn` the caller cannot see (another account's, a Region other than
  the instance's, one that does not exist) is `AccessDeniedException` 400 ("You do not have sufficient
  access to perform this action.", the model's documentation of that error; the code for these cases
  is (u)). The delegated administrator works on the organization instance as the management account
  does (moto's own backend of the management account answers it). `UpdateInstance` and
  `DeleteInstance` are the owner's only.
- Account instances support no permission sets and no access to AWS accounts (Identity Center User
  Guide, "Account instances"): `CreatePermissionSet`, `CreateAccountAssignment` and
  `ProvisionPermissionSet` on one are `ValidationException` 400 (code and message (u)).
- Permission set ARNs are `arn:aws:sso:::permissionSet/ssoins-…/ps-…` (moto: under the instance's ARN);
  a permission set created without `SessionDuration` has AWS's default `PT1H` (moto: the number 3600).
- `CreateAccountAssignment` needs an existing permission set of the instance
  (`ResourceNotFoundException` 400), provisions it to the target account (AWS: "the specified
  permission set will automatically be provisioned to the account"), answers `IN_PROGRESS` as AWS
  does (then `DescribeAccountAssignmentCreationStatus` says `SUCCEEDED`), and does not add an
  assignment that exists already (u). `ListAccountsForProvisionedPermissionSet` and
  `ListPermissionSetsProvisionedToAccount` answer from those provisionings (and
  `ProvisionPermissionSet`'s), in pages of `MaxResults` (1-100).

Not modelled: organization policies on account instances, the limits on what the delegated
administrator may do with the management account's assignments, the identity store (moto's
`identitystore` accepts any `IdentityStoreId`), asynchronous provisioning (`ProvisionPermissionSet`
answers SUCCEEDED), unprovisioning when the last assignment goes (u), multi-Region instances, and
whether an assignment's `TargetId` is an account of the organization (not checked).
"""

import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from moto.core.utils import unix_time
from moto.organizations import models as org_models
from moto.ssoadmin import exceptions as sso_exceptions
from moto.ssoadmin import models as sso_models
from moto.ssoadmin import responses as sso_responses

from . import wire
from .org import organization_of
from .root_access import is_delegated_administrator

SIGNING_NAME = "sso"
SSO_PRINCIPAL = "sso.amazonaws.com"
MAX_RESULTS = 100

ACCESS_DENIED = "You do not have sufficient access to perform this action."
MANAGEMENT_NOT_ALLOWED = "Organization management account is not allowed to perform the operation."
ONE_INSTANCE = "You can create only one instance per account and across all AWS Regions."
NOT_FOR_ACCOUNT_INSTANCE = ("Account instances of IAM Identity Center do not support permission sets or "
                            "access to AWS accounts.")

# What an account instance cannot do.
ORGANIZATION_INSTANCE_ONLY = frozenset({"CreatePermissionSet", "CreateAccountAssignment", "ProvisionPermissionSet"})
# What only the account owning the instance may do.
OWNER_ONLY = frozenset({"UpdateInstance", "DeleteInstance"})


@dataclass
class InstanceRecord:
    """One Identity Center instance: moto's object, kept in its owner's backend of its Region."""

    instance: sso_models.Instance
    owner: str
    region: str
    organization: bool  # the organization instance (else an account instance)

    @property
    def arn(self) -> str:
        return self.instance.instance_arn

    def describe(self) -> dict[str, Any]:
        answer = {
            "InstanceArn": self.arn,
            "IdentityStoreId": self.instance.identity_store_id,
            "OwnerAccountId": self.owner,
            "Name": self.instance.name,
            "CreatedDate": self.instance.created_date,
            "Status": self.instance.status,
            # Where it was enabled (the API reference's `PrimaryRegion`; AWS sends it since
            # multi-Region instances): a reader of `ALL_REGIONS` needs it to call the instance.
            "PrimaryRegion": self.region,
        }
        return {k: v for k, v in answer.items() if v is not None}


class IdentityCenter:
    """The instances of every account and the accounts each permission set is provisioned to."""

    def __init__(self):
        self._lock = threading.RLock()
        self.instances: dict[str, InstanceRecord] = {}  # instance ARN -> record
        self.tokens: dict[tuple[str, str], str] = {}  # (account, ClientToken) -> instance ARN
        # (instance ARN, permission set ARN) -> the accounts it is provisioned to
        self.provisioned: dict[tuple[str, str], list[str]] = {}

    def reset(self) -> None:
        with self._lock:
            self.instances.clear()
            self.tokens.clear()
            self.provisioned.clear()

    # --- patches to moto ---------------------------------------------------------------------------

    def install(self) -> None:
        """Patches moto: no instance until one is made, `sso.amazonaws.com` accepted as a delegated
        administrator principal, an `InstanceArn` answered from its owner's backend, and no JSON nulls."""
        extension = self
        original_init = sso_models.SSOAdminBackend.__init__

        def init(backend, region_name: str, account_id: str) -> None:
            original_init(backend, region_name, account_id)
            backend.instances.clear()  # moto makes one for every account in every Region

        sso_models.SSOAdminBackend.__init__ = init  # type: ignore[assignment, method-assign]
        if SSO_PRINCIPAL not in org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
            org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(SSO_PRINCIPAL)

        Response = sso_responses.SSOAdminResponse
        original_backend = Response.ssoadmin_backend

        def ssoadmin_backend(response):
            # handle() has refused any InstanceArn the caller may not use; a known one is answered
            # by the backend that holds it (the management account's, for its delegated administrator).
            try:
                arn = json.loads(response.body or "{}").get("InstanceArn")
            except (ValueError, AttributeError):
                arn = None
            record = extension.instances.get(arn) if isinstance(arn, str) else None
            if record is not None:
                return sso_models.ssoadmin_backends[record.owner][record.region]
            return original_backend.fget(response)  # type: ignore[attr-defined]

        Response.ssoadmin_backend = property(ssoadmin_backend)  # type: ignore[assignment, method-assign]

        for name, method in list(vars(Response).items()):
            if name.startswith("_") or not callable(method):
                continue

            def without_nulls(response, _method=method):
                answer = _method(response)
                return json.dumps(drop_nulls(json.loads(answer))) if isinstance(answer, str) and answer else answer

            setattr(Response, name, without_nulls)

        # SessionDuration is an ISO-8601 duration (default PT1H); moto's default is the number 3600,
        # which a typed SDK cannot read as the string it expects.
        original_permission_set = sso_models.PermissionSet.__init__

        def permission_set(ps, name, description, instance_arn, session_duration, relay_state, tags):
            if isinstance(session_duration, int):
                session_duration = iso_duration(session_duration)
            original_permission_set(ps, name, description, instance_arn, session_duration, relay_state, tags)

        sso_models.PermissionSet.__init__ = permission_set  # type: ignore[method-assign]
        sso_models.PermissionSet.generate_id = staticmethod(permission_set_arn)  # type: ignore[method-assign]

        original_delete = sso_models.SSOAdminBackend.delete_permission_set

        def delete_permission_set(backend, instance_arn: str, permission_set_arn: str):
            answer = original_delete(backend, instance_arn, permission_set_arn)
            with extension._lock:
                extension.provisioned.pop((instance_arn, permission_set_arn), None)
            return answer

        sso_models.SSOAdminBackend.delete_permission_set = delete_permission_set  # type: ignore[assignment, method-assign]

    # --- the admin endpoint ------------------------------------------------------------------------

    def enable_organization_instance(self, spec: dict) -> dict:
        """Enables Identity Center for an organization, as the management account's console does:
        the organization instance in `region` (default us-east-1)."""
        unknown = set(spec) - {"account_id", "region", "name"}
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}")
        account_id, region, name = spec.get("account_id"), spec.get("region", "us-east-1"), spec.get("name")
        if not isinstance(account_id, str) or not isinstance(region, str) or not isinstance(name, str | None):
            raise TypeError('the body must be {"account_id": A, "region": R?, "name": N?}')
        organization = organization_of(account_id)
        if organization is None or organization["MasterAccountId"] != account_id:
            raise ValueError(f"account {account_id} is not the management account of an organization")
        if organization.get("FeatureSet") != "ALL":
            raise ValueError(f"organization {organization['Id']} does not have all features enabled")
        with self._lock:
            existing = next((r for r in self.instances.values() if r.organization and r.owner == account_id), None)
            if existing is not None:
                raise ValueError(f"organization {organization['Id']} has an organization instance already "
                                 f"({existing.arn} in {existing.region}); AWS allows one")
            record = self._create(account_id, region, name, organization=True)
        org_models.organizations_backends[account_id]["aws"].enable_aws_service_access(ServicePrincipal=SSO_PRINCIPAL)
        return {**record.describe(), "Region": record.region}

    # --- requests ----------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        """Our answer, or a refusal, for an sso-admin request; None to let moto answer."""
        body = request.json_body()
        if request.action == "CreateInstance":
            return self.create_instance(request, account_id, body)
        if request.action == "ListInstances":
            return self.list_instances(request, account_id, body)
        own = OPERATIONS.get(request.action)
        arn = body.get("InstanceArn")
        if not isinstance(arn, str):
            return None  # moto answers what needs no instance; botocore requires one everywhere else
        record = self.visible(arn, account_id, request.region)
        if record is None or (request.action in OWNER_ONLY and record.owner != account_id):
            return wire.error_response(request, "AccessDeniedException", ACCESS_DENIED, 400)
        if request.action in ORGANIZATION_INSTANCE_ONLY and not record.organization:
            return wire.error_response(request, "ValidationException", NOT_FOR_ACCOUNT_INSTANCE, 400)
        if own is not None:
            try:
                return own(self, request, account_id, body, record)
            except sso_exceptions.ResourceNotFoundException as err:
                return wire.error_response(request, "ResourceNotFoundException", err.message, 400)
        return None

    def visible(self, arn: str, account_id: str, region: str | None) -> InstanceRecord | None:
        """The instance if `account_id` may see it (in `region`; None: in any Region)."""
        with self._lock:
            record = self.instances.get(arn)
        if record is None or (region is not None and record.region != region):
            return None
        if record.owner == account_id:
            return record
        if record.organization and is_delegated_administrator(record.owner, account_id, SSO_PRINCIPAL):
            return record
        return None

    def _create(self, account_id: str, region: str, name: str | None, organization: bool) -> InstanceRecord:
        instance = sso_models.Instance(account_id, region)
        # AWS's id shapes: `ssoins-` and 16 hex digits, `d-` and 10 (moto uses any letter).
        instance.instance_arn = f"arn:aws:sso:::instance/ssoins-{secrets.token_hex(8)}"
        instance.identity_store_id = f"d-{secrets.token_hex(5)}"
        instance.name = name
        sso_models.ssoadmin_backends[account_id][region].instances.append(instance)
        record = InstanceRecord(instance, account_id, region, organization)
        with self._lock:
            self.instances[record.arn] = record
        return record

    def create_instance(self, request: wire.AwsRequest, account_id: str, body: dict):
        token = body.get("ClientToken")
        with self._lock:
            known = self.tokens.get((account_id, token)) if isinstance(token, str) else None
            if known in self.instances:
                return wire.json_response({"InstanceArn": known})
            organization = organization_of(account_id)
            if organization is not None and organization["MasterAccountId"] == account_id:
                return wire.error_response(request, "ValidationException", MANAGEMENT_NOT_ALLOWED, 400)
            if any(r.owner == account_id for r in self.instances.values()):
                return wire.error_response(request, "ServiceQuotaExceededException", ONE_INSTANCE, 400)
            record = self._create(account_id, request.region, body.get("Name"), organization=False)
            if isinstance(token, str):
                self.tokens[(account_id, token)] = record.arn
        return wire.json_response({"InstanceArn": record.arn})

    def list_instances(self, request: wire.AwsRequest, account_id: str, body: dict):
        scope = body.get("RegionScope", "CURRENT_REGION")
        if scope not in ("CURRENT_REGION", "ALL_REGIONS"):
            return wire.error_response(request, "ValidationException",
                                       "RegionScope must be CURRENT_REGION or ALL_REGIONS", 400)
        region = request.region if scope == "CURRENT_REGION" else None
        with self._lock:
            arns = list(self.instances)
        seen = [r.describe() for arn in arns if (r := self.visible(arn, account_id, region)) is not None]
        return paged(request, body, "Instances", seen)

    def describe_instance(self, request: wire.AwsRequest, account_id: str, body: dict, record: InstanceRecord):
        return wire.json_response(record.describe())

    def delete_instance(self, request: wire.AwsRequest, account_id: str, body: dict, record: InstanceRecord):
        backend = sso_models.ssoadmin_backends[record.owner][record.region]
        backend.instances.remove(record.instance)
        backend.permission_sets = [p for p in backend.permission_sets if p.instance_arn != record.arn]
        backend.account_assignments = [a for a in backend.account_assignments if a.instance_arn != record.arn]
        with self._lock:
            del self.instances[record.arn]
            for key in [k for k in self.provisioned if k[0] == record.arn]:
                del self.provisioned[key]
        return wire.json_response({})

    def create_account_assignment(self, request: wire.AwsRequest, account_id: str, body: dict,
                                  record: InstanceRecord):
        backend = sso_models.ssoadmin_backends[record.owner][record.region]
        permission_set_arn = body.get("PermissionSetArn", "")
        backend._find_permission_set(record.arn, permission_set_arn)
        wanted = {"instance_arn": record.arn, "target_id": body.get("TargetId"), "target_type": body.get("TargetType"),
                  "permission_set_arn": permission_set_arn, "principal_type": body.get("PrincipalType"),
                  "principal_id": body.get("PrincipalId")}
        try:
            assignment = backend._find_account(**wanted)
            summary = assignment.to_json(include_creation_date=True, include_request_id=True)
        except sso_exceptions.ResourceNotFoundException:
            summary = backend.create_account_assignment(**wanted)
        self._provision(record.arn, permission_set_arn, [str(body.get("TargetId"))])
        return wire.json_response({"AccountAssignmentCreationStatus": {**summary, "Status": "IN_PROGRESS"}})

    def provision_permission_set(self, request: wire.AwsRequest, account_id: str, body: dict,
                                 record: InstanceRecord):
        backend = sso_models.ssoadmin_backends[record.owner][record.region]
        permission_set_arn = body.get("PermissionSetArn", "")
        backend._find_permission_set(record.arn, permission_set_arn)
        target_type, target = body.get("TargetType"), body.get("TargetId")
        if target_type == "AWS_ACCOUNT" and isinstance(target, str):
            self._provision(record.arn, permission_set_arn, [target])
        elif target_type != "ALL_PROVISIONED_ACCOUNTS":
            return wire.error_response(request, "ValidationException",
                                       "TargetType must be AWS_ACCOUNT with a TargetId, or ALL_PROVISIONED_ACCOUNTS",
                                       400)
        status = {"Status": "SUCCEEDED", "RequestId": str(uuid.uuid4()), "PermissionSetArn": permission_set_arn,
                  "CreatedDate": unix_time()}
        if target_type == "AWS_ACCOUNT":
            status["AccountId"] = target
        return wire.json_response({"PermissionSetProvisioningStatus": status})

    def _provision(self, instance_arn: str, permission_set_arn: str, accounts: list[str]) -> None:
        with self._lock:
            provisioned = self.provisioned.setdefault((instance_arn, permission_set_arn), [])
            provisioned += [a for a in accounts if a not in provisioned]

    def list_accounts_for_provisioned_permission_set(self, request: wire.AwsRequest, account_id: str, body: dict,
                                                     record: InstanceRecord):
        backend = sso_models.ssoadmin_backends[record.owner][record.region]
        permission_set_arn = body.get("PermissionSetArn", "")
        backend._find_permission_set(record.arn, permission_set_arn)
        with self._lock:
            accounts = list(self.provisioned.get((record.arn, permission_set_arn), []))
        # Every provisioning here is of the permission set as it is now.
        if body.get("ProvisioningStatus") == "LATEST_PERMISSION_SET_NOT_PROVISIONED":
            accounts = []
        return paged(request, body, "AccountIds", accounts)

    def list_permission_sets_provisioned_to_account(self, request: wire.AwsRequest, account_id: str, body: dict,
                                                    record: InstanceRecord):
        target = body.get("AccountId")
        with self._lock:
            arns = [ps for (instance, ps), accounts in self.provisioned.items()
                    if instance == record.arn and target in accounts]
        if body.get("ProvisioningStatus") == "LATEST_PERMISSION_SET_NOT_PROVISIONED":
            arns = []
        return paged(request, body, "PermissionSets", arns)


# The operations on an instance answered here rather than by moto (CreateInstance and ListInstances
# too, which name none).
OPERATIONS = {
    "DescribeInstance": IdentityCenter.describe_instance,
    "DeleteInstance": IdentityCenter.delete_instance,
    "CreateAccountAssignment": IdentityCenter.create_account_assignment,
    "ProvisionPermissionSet": IdentityCenter.provision_permission_set,
    "ListAccountsForProvisionedPermissionSet": IdentityCenter.list_accounts_for_provisioned_permission_set,
    "ListPermissionSetsProvisionedToAccount": IdentityCenter.list_permission_sets_provisioned_to_account,
}


def paged(request: wire.AwsRequest, body: dict, key: str, items: list):
    """One page of `items` under `key`, `MaxResults` (1-100, default 100) long, with AWS's NextToken."""
    limit = body.get("MaxResults", MAX_RESULTS)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
        return wire.error_response(request, "ValidationException",
                                   f"MaxResults must be between 1 and {MAX_RESULTS}", 400)
    token = body.get("NextToken")
    try:
        start = int(token) if token is not None else 0
    except ValueError:
        return wire.error_response(request, "ValidationException", "The NextToken is not valid", 400)
    page: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        page["NextToken"] = str(start + limit)
    return wire.json_response(page)


def permission_set_arn(instance_arn: str) -> str:
    """A new permission set's ARN as AWS writes it, `arn:aws:sso:::permissionSet/ssoins-…/ps-` and 16 hex
    digits (moto: the instance's ARN and `/ps-…`, which the model's pattern refuses)."""
    instance_id = instance_arn.rsplit("/", 1)[-1]
    return f"arn:aws:sso:::permissionSet/{instance_id}/ps-{secrets.token_hex(8)}"


def iso_duration(seconds: int) -> str:
    """Seconds as the ISO-8601 duration Identity Center writes (3600: `PT1H`, 5400: `PT1H30M`)."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "H"), (minutes, "M"), (seconds, "S")]
    text = "PT" + "".join(f"{n}{unit}" for n, unit in parts if n)
    return text if text != "PT" else "PT0S"


def drop_nulls(value):
    """A JSON value without the null members moto writes for absent fields (AWS leaves them out)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value
