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


def is_put_account_name(request: wire.AwsRequest) -> bool:
    return request.service == "account" and request.action == "PutAccountName"


def put_account_name(request: wire.AwsRequest, account_id: str):
    """Account Management `PutAccountName` (moto lacks it): renames an account as Organizations
    lists it. Without `AccountId` it renames the caller's account; with one, only the management
    account may call it, for a member (AWS refuses the management account's own id)."""
    body = request.json_body()
    name = body.get("AccountName")
    if not isinstance(name, str) or not 1 <= len(name) <= 50:
        return wire.error_response(request, "ValidationException", "AccountName must be 1 to 50 characters", 400)
    try:
        organization = org_models.organizations_backends[account_id]["aws"].describe_organization()["Organization"]
    except Exception:  # AWSOrganizationsNotInUseException: a standalone account has no name to show here
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
