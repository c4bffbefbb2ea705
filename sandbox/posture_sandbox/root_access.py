"""IAM's centralized root access for member accounts (moto 5.2.5 has none of its five operations).

`ListOrganizationsFeatures`, `EnableOrganizationsRootCredentialsManagement`,
`EnableOrganizationsRootSessions`, `DisableOrganizationsRootCredentialsManagement` and
`DisableOrganizationsRootSessions` (IAM API reference), in awsQuery XML: each answers the
organization's `OrganizationId` and the `EnabledFeatures` it has after the call, from one state
per organization that the sandbox's reset clears. Every refusal is 400 with the code of the
model's error shape (`...Exception`, the spelling aws-sdk-iam maps to typed variants; the API
reference writes the codes without the suffix, and which one the service sends is (u)), and the
shape's documentation as message (AWS's wording (u)). The checks, in this order (the order is (u)):

- the caller is in no organization: `OrganizationNotFoundException`;
- the caller is neither the management account nor the IAM delegated administrator (registered for
  `iam.amazonaws.com`): `AccountNotManagementOrDelegatedAdministratorException`;
- an `Enable...` from the delegated administrator: `CallerIsNotManagementAccountException` (the model
  lists that error for the two `Enable` operations only, so the delegated administrator may list and
  disable but not enable (u));
- the organization has consolidated billing only: `OrganizationNotInAllFeaturesModeException`;
- trusted access for `iam.amazonaws.com` is not enabled in Organizations: `ServiceAccessNotEnabledException`.

Enabling a feature that is enabled, or disabling one that is not, answers the state unchanged (u).

What AWS documents as the effect of the state, and the sandbox shows: accounts created in the
organization while `RootCredentialsManagement` is enabled have no root user credentials ("New
accounts you create in Organizations have no root user credentials by default", IAM User Guide,
"Centralize root access for member accounts"): their root user (`/_posture/root`, the credential
report, `GetAccountSummary`) starts with no password, no MFA, no keys and no certificates.

Not modelled: `sts:AssumeRoot` (moto lacks it) and the IAM operations on a member's root user that
the feature allows; what disabling trusted access for IAM does to features already enabled (u).
"""

import threading

from moto.organizations import models as org_models

from . import iam, wire
from .org import organization_of

# The features, in the order they are answered (AWS's order (u)).
FEATURES = ("RootCredentialsManagement", "RootSessions")
IAM_PRINCIPAL = "iam.amazonaws.com"

# operation -> (feature, enable?); ListOrganizationsFeatures changes nothing.
OPERATIONS: dict[str, tuple[str, bool] | None] = {
    "ListOrganizationsFeatures": None,
    "EnableOrganizationsRootCredentialsManagement": ("RootCredentialsManagement", True),
    "EnableOrganizationsRootSessions": ("RootSessions", True),
    "DisableOrganizationsRootCredentialsManagement": ("RootCredentialsManagement", False),
    "DisableOrganizationsRootSessions": ("RootSessions", False),
}

# The model's error shapes and their documentation (botocore iam 2010-05-08).
ORGANIZATION_NOT_FOUND = ("OrganizationNotFoundException",
                          "The request was rejected because no organization is associated with your account.")
NOT_MANAGEMENT_OR_DELEGATED = (
    "AccountNotManagementOrDelegatedAdministratorException",
    ("The request was rejected because the account making the request is not the management account or "
     "delegated administrator account for centralized root access."),
)
NOT_MANAGEMENT = (
    "CallerIsNotManagementAccountException",
    ("The request was rejected because the account making the request is not the management account for the "
     "organization."),
)
NOT_ALL_FEATURES = ("OrganizationNotInAllFeaturesModeException",
                    "The request was rejected because your organization does not have All features enabled.")
SERVICE_ACCESS_NOT_ENABLED = (
    "ServiceAccessNotEnabledException",
    "The request was rejected because trusted access is not enabled for IAM in Organizations.",
)

# No root user credentials at all, as `/_posture/root` writes it.
NO_ROOT_CREDENTIALS = {"password": False, "mfa": False, "access_keys": 0, "signing_certificates": 0}


class RootAccess:
    """The centralized root access features of every organization, by organization id."""

    def __init__(self, iam_extension: iam.IamExtension):
        self._lock = threading.RLock()
        self._iam = iam_extension
        self.enabled: dict[str, set[str]] = {}

    def reset(self) -> None:
        with self._lock:
            self.enabled.clear()

    def features_of(self, organization_id: str) -> list[str]:
        with self._lock:
            enabled = self.enabled.get(organization_id, set())
            return [f for f in FEATURES if f in enabled]

    def install(self) -> None:
        """Patches moto: `iam.amazonaws.com` is a trusted-access and delegated-administrator principal
        (moto refuses both), and an account created while root credentials management is enabled has
        no root user credentials."""
        if IAM_PRINCIPAL not in org_models.FakeServiceAccess.TRUSTED_SERVICES:
            org_models.FakeServiceAccess.TRUSTED_SERVICES.append(IAM_PRINCIPAL)
        if IAM_PRINCIPAL not in org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
            org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(IAM_PRINCIPAL)
        extension = self
        original = org_models.OrganizationsBackend.create_account

        def create_account(backend, **kwargs):
            answer = original(backend, **kwargs)
            organization = backend.org
            if organization is not None and "RootCredentialsManagement" in extension.features_of(organization.id):
                extension._iam.set_root({"account_id": backend.accounts[-1].id, **NO_ROOT_CREDENTIALS})
            return answer

        org_models.OrganizationsBackend.create_account = create_account  # type: ignore[assignment, method-assign]

    def handle(self, request: wire.AwsRequest, account_id: str):
        """Answers the five operations; None for any other IAM operation."""
        if request.action not in OPERATIONS:
            return None
        change = OPERATIONS[request.action]
        organization = organization_of(account_id)
        refused = refusal(organization, account_id, enabling=bool(change and change[1]))
        if refused is not None:
            code, message = refused
            return wire.error_response(request, code, message, 400)
        assert organization is not None  # refusal() answers OrganizationNotFound otherwise
        organization_id = organization["Id"]
        if change is not None:
            feature, enable = change
            with self._lock:
                features = self.enabled.setdefault(organization_id, set())
                if enable:
                    features.add(feature)
                else:
                    features.discard(feature)
        members = "".join(f"<member>{f}</member>" for f in self.features_of(organization_id))
        return iam.query_response(
            request.action,
            f"<OrganizationId>{organization_id}</OrganizationId><EnabledFeatures>{members}</EnabledFeatures>",
        )


def refusal(organization: dict | None, account_id: str, enabling: bool) -> tuple[str, str] | None:
    """(code, message) of IAM's refusal of a centralized-root-access call by `account_id`; None when
    the call may go ahead."""
    if organization is None:
        return ORGANIZATION_NOT_FOUND
    management_id = organization["MasterAccountId"]
    if account_id != management_id:
        if not is_delegated_administrator(management_id, account_id, IAM_PRINCIPAL):
            return NOT_MANAGEMENT_OR_DELEGATED
        if enabling:
            return NOT_MANAGEMENT
    if organization.get("FeatureSet") != "ALL":
        return NOT_ALL_FEATURES
    if not service_access_enabled(management_id, IAM_PRINCIPAL):
        return SERVICE_ACCESS_NOT_ENABLED
    return None


def is_delegated_administrator(management_id: str, account_id: str, principal: str) -> bool:
    """Whether `account_id` is registered as the delegated administrator of `principal` in the
    organization of `management_id`."""
    backend = org_models.organizations_backends[management_id]["aws"]
    return any(admin.account.id == account_id and principal in admin.services for admin in backend.admins)


def service_access_enabled(management_id: str, principal: str) -> bool:
    """Whether trusted access for `principal` is enabled in the organization of `management_id`."""
    backend = org_models.organizations_backends[management_id]["aws"]
    return any(service["ServicePrincipal"] == principal for service in backend.services)
