"""Smaller gaps between moto and AWS that change what a scanner sees or how many calls it makes."""

from moto.organizations import models as org_models
from moto.organizations import utils as org_utils
from moto.securityhub.models import SecurityHubBackend

from . import wire

# AWS returns at most 20 accounts per ListAccounts/ListAccountsForParent page (moto: 100), which changes
# the number of calls a scan of a large organization makes.
ORGANIZATIONS_PAGE_LIMIT = 20


def install() -> None:
    """Patches moto's Organizations paging to AWS's page size."""
    for method in ("list_accounts", "list_accounts_for_parent"):
        config = org_utils.PAGINATION_MODEL[method]
        config["limit_default"] = ORGANIZATIONS_PAGE_LIMIT
        # moto keys ListAccounts pages by JoinedTimestamp, which accounts created in the same instant
        # share: a page boundary between them would lose accounts. Ids are unique.
        config["unique_attribute"] = "Id" if method == "list_accounts" else "id"
        original = getattr(org_models.OrganizationsBackend, method)

        def clamped(backend, *args, _original=original, **kwargs):
            limit = kwargs.get("max_results")
            if limit is None or limit > ORGANIZATIONS_PAGE_LIMIT:
                kwargs["max_results"] = ORGANIZATIONS_PAGE_LIMIT
            return _original(backend, *args, **kwargs)

        setattr(org_models.OrganizationsBackend, method, clamped)


def is_securityhub_admin_list(request: wire.AwsRequest) -> bool:
    return request.service == "securityhub" and request.action == "ListOrganizationAdminAccounts"


def list_securityhub_admin_accounts(request: wire.AwsRequest, account_id: str):
    """Security Hub `ListOrganizationAdminAccounts` (moto lacks it), from moto's own record of
    `EnableOrganizationAdminAccount`. Only the management account may call it, as on AWS."""
    try:
        organization = org_models.organizations_backends[account_id]["aws"].describe_organization()["Organization"]
    except Exception:  # AWSOrganizationsNotInUseException
        return wire.error_response(request, "AccessDeniedException",
                                   "The account is not a member of an organization", 403)
    if organization["MasterAccountId"] != account_id:
        return wire.error_response(
            request, "AccessDeniedException",
            "You don't have permission to perform this action. Only the organization management account can "
            "list the Security Hub administrator accounts.", 403)
    config = SecurityHubBackend._org_configs.get(organization["Id"], {})
    admin = config.get("admin_account_id")
    accounts = [{"AccountId": admin, "Status": "ENABLED"}] if admin else []
    return wire.json_response({"AdminAccounts": accounts, "Feature": request.query.get("Feature", "SecurityHub")})
