"""The security services' organization administrators as AWS keeps them, where moto 5.2.5 keeps
them apart from Organizations.

On AWS, a service that designates its organization administrator through its own API registers
that account with Organizations as the delegated administrator of the service's principal, and
turns on the service's trusted access (each service's `EnableOrganizationAdminAccount` /
`EnableDelegatedAdminAccount` API reference; Organizations User Guide, "AWS services that you can
use with AWS Organizations"). moto records the designation in the caller's own backend only. Here:

- Amazon Inspector `EnableDelegatedAdminAccount` (`inspector2.amazonaws.com`), Amazon Macie
  `EnableOrganizationAdminAccount` (`macie.amazonaws.com`) and GuardDuty
  `EnableOrganizationAdminAccount` (`guardduty.amazonaws.com`), called by the management account,
  register the account with Organizations and enable trusted access. The management account
  itself is never registered: Organizations refuses it as a delegated administrator, so a
  GuardDuty administered from the management account is listed by GuardDuty's
  `ListOrganizationAdminAccounts` and not by Organizations' `ListDelegatedAdministrators`, as on
  AWS. Inspector's `DisableDelegatedAdminAccount` deregisters it. GuardDuty no longer lists an
  administrator twice when it is designated twice (moto appends it again).
- Amazon Macie is not enabled in an account until `EnableMacie` (moto: ENABLED in every account and
  Region from the start): `GetMacieSession` answers `AccessDeniedException` 403 "Macie is not
  enabled.", as AWS does, until then and after `DisableMacie`.
- Organizations' `ListAWSServiceAccessForOrganization`, `ListDelegatedAdministrators` and
  `ListDelegatedServicesForAccount` page (`MaxResults` 1 to 20, botocore's model; moto answers one
  page whatever is asked). The model gives no default page size; 20 here, the maximum, as for
  `ListAccounts` (u).

Not modelled: the services' refusals of a caller that is not the management account (moto lets
any account designate an administrator in its own backend), Macie's `DisableOrganizationAdminAccount`
and GuardDuty's `DisableOrganizationAdminAccount` deregistering (moto has the first, not the
second; neither deregisters here).
"""

import base64
import json
from typing import Any

from moto.guardduty import models as guardduty_models
from moto.inspector2 import models as inspector2_models
from moto.macie2 import exceptions as macie_exceptions
from moto.macie2 import models as macie_models
from moto.organizations import exceptions as org_exceptions
from moto.organizations import models as org_models
from moto.organizations import responses as org_responses

from . import wire

# Organizations' largest page (botocore's `MaxResults` shape: 1..20).
PAGE_LIMIT = 20

INSPECTOR_PRINCIPAL = "inspector2.amazonaws.com"
MACIE_PRINCIPAL = "macie.amazonaws.com"
GUARDDUTY_PRINCIPAL = "guardduty.amazonaws.com"
MACIE_NOT_ENABLED = "Macie is not enabled."


# Services moto 5.2.5 lacks altogether, whose APIs the sandbox does not model either (their
# administrators are registered through Organizations): every operation is refused with a 400,
# never moto's 500, which SDKs would retry.
UNMODELLED_SERVICES = ("detective", "fms")


def unmodelled(request: wire.AwsRequest):
    """The refusal of an operation of a service the sandbox does not model; None for the others."""
    if request.service not in UNMODELLED_SERVICES:
        return None
    return wire.error_response(request, "UnknownOperationException",
                               f"{request.service} {request.action} is not modelled by the posture sandbox", 400)


def install() -> None:
    install_organizations_paging()
    install_guardduty_admin()
    install_inspector_admin()
    install_macie()


# --- designation registers with Organizations -------------------------------------------------------

def designate(caller: str, admin_id: str, principal: str) -> None:
    """What AWS does in Organizations when the management account `caller` designates `admin_id`
    through a service's own API: trusted access for `principal`, and `admin_id` registered as its
    delegated administrator unless it is the management account (Organizations refuses that).
    Nothing for a caller that is no management account (moto keeps its designation to itself)."""
    organizations = org_models.organizations_backends[caller]["aws"]
    if organizations.org is None or organizations.org.master_account_id != caller:
        return
    organizations.enable_aws_service_access(ServicePrincipal=principal)
    if admin_id == caller:
        return
    try:
        organizations.register_delegated_administrator(AccountId=admin_id, ServicePrincipal=principal)
    except (org_exceptions.AccountAlreadyRegisteredException, org_exceptions.AccountNotFoundException):
        pass  # registered already; or not an account of the organization, which Organizations keeps out


def withdraw(caller: str, admin_id: str, principal: str) -> None:
    """The designation's end: `admin_id` is no longer `principal`'s delegated administrator."""
    organizations = org_models.organizations_backends[caller]["aws"]
    if organizations.org is None or organizations.org.master_account_id != caller or admin_id == caller:
        return
    try:
        organizations.deregister_delegated_administrator(AccountId=admin_id, ServicePrincipal=principal)
    except org_exceptions.OrganizationsClientError:
        pass


def install_guardduty_admin() -> None:
    Backend = guardduty_models.GuardDutyBackend

    def enable_organization_admin_account(backend, admin_account_id: str) -> None:
        if admin_account_id not in backend.admin_account_ids:
            backend.admin_account_ids.append(admin_account_id)
        designate(backend.account_id, admin_account_id, GUARDDUTY_PRINCIPAL)

    Backend.enable_organization_admin_account = enable_organization_admin_account  # type: ignore[assignment, method-assign]


def install_inspector_admin() -> None:
    Backend = inspector2_models.Inspector2Backend
    original_enable = Backend.enable_delegated_admin_account
    original_disable = Backend.disable_delegated_admin_account

    def enable_delegated_admin_account(backend, account_id: str) -> None:
        original_enable(backend, account_id)
        designate(backend.account_id, account_id, INSPECTOR_PRINCIPAL)

    def disable_delegated_admin_account(backend, account_id: str) -> None:
        original_disable(backend, account_id)
        withdraw(backend.account_id, account_id, INSPECTOR_PRINCIPAL)

    Backend.enable_delegated_admin_account = enable_delegated_admin_account  # type: ignore[assignment, method-assign]
    Backend.disable_delegated_admin_account = disable_delegated_admin_account  # type: ignore[assignment, method-assign]


def install_macie() -> None:
    Backend = macie_models.MacieBackend
    original_init = Backend.__init__
    original_enable_admin = Backend.enable_organization_admin_account

    def __init__(backend, region_name: str, account_id: str) -> None:
        original_init(backend, region_name, account_id)
        backend.macie_session = None  # not enabled until EnableMacie

    def get_macie_session(backend) -> dict[str, Any]:
        session = backend.macie_session
        if not session:
            raise macie_exceptions.AccessDeniedException(MACIE_NOT_ENABLED)
        return {
            "createdAt": session["createdAt"].isoformat(),
            "findingPublishingFrequency": session["findingPublishingFrequency"],
            "serviceRole": session["serviceRole"],
            "status": session["status"],
            "updatedAt": session["updatedAt"].isoformat(),
        }

    def enable_organization_admin_account(backend, admin_account_id: str) -> None:
        original_enable_admin(backend, admin_account_id)
        designate(backend.account_id, admin_account_id, MACIE_PRINCIPAL)

    Backend.__init__ = __init__  # type: ignore[assignment, method-assign]
    Backend.get_macie_session = get_macie_session  # type: ignore[assignment, method-assign]
    Backend.enable_organization_admin_account = enable_organization_admin_account  # type: ignore[assignment, method-assign]


# --- Organizations' lists page as AWS pages them ---------------------------------------------------

def page_of(items: list, params: dict, key: str) -> dict[str, Any]:
    """One page of `items` under `key`, from `MaxResults` (1..20, default 20) and an opaque
    `NextToken`; AWS's `InvalidInputException` for a limit out of range or a token it never gave."""
    limit = params.get("MaxResults")
    if limit is None:
        limit = PAGE_LIMIT
    if not isinstance(limit, int) or not 1 <= limit <= PAGE_LIMIT:
        raise org_exceptions.InvalidInputException(
            "You provided a value that does not match the required pattern. (MaxResults must be "
            f"between 1 and {PAGE_LIMIT})")
    start = 0
    token = params.get("NextToken")
    if token is not None:
        try:
            start = int(json.loads(base64.b64decode(token))["offset"])
        except (ValueError, KeyError, TypeError) as err:
            raise org_exceptions.InvalidInputException("The parameter NextToken is not valid.") from err
    answer: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        answer["NextToken"] = base64.b64encode(json.dumps({"offset": start + limit}).encode()).decode()
    return answer


def install_organizations_paging() -> None:
    Response = org_responses.OrganizationsResponse

    def list_aws_service_access_for_organization(response) -> str:
        backend = response.organizations_backend
        services = backend.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        return json.dumps(page_of(services, response.request_params, "EnabledServicePrincipals"))

    def list_delegated_administrators(response) -> str:
        params = response.request_params
        principal = {"ServicePrincipal": params["ServicePrincipal"]} if "ServicePrincipal" in params else {}
        admins = response.organizations_backend.list_delegated_administrators(**principal)
        return json.dumps(page_of(admins["DelegatedAdministrators"], params, "DelegatedAdministrators"))

    def list_delegated_services_for_account(response) -> str:
        params = response.request_params
        services = response.organizations_backend.list_delegated_services_for_account(AccountId=params["AccountId"])
        return json.dumps(page_of(services["DelegatedServices"], params, "DelegatedServices"))

    Response.list_aws_service_access_for_organization = list_aws_service_access_for_organization  # type: ignore[assignment, method-assign]
    Response.list_delegated_administrators = list_delegated_administrators  # type: ignore[assignment, method-assign]
    Response.list_delegated_services_for_account = list_delegated_services_for_account  # type: ignore[assignment, method-assign]
