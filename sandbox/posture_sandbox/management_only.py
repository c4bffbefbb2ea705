"""The operations AWS answers for the management account only, refused to any other caller as AWS
refuses them: each service's own error code, HTTP status and protocol shape.

moto answers these to every account, each from an empty backend of its own, so a member would read
"no administrator" where AWS says "you may not ask". A scan from a delegated administrator must see
the refusal, which posture keeps as the source's error (ERROR, never a verdict).

- Security Hub `ListOrganizationAdminAccounts`: "Can only be called by the organization management
  account" (its API reference). Its model lists `InvalidAccessException` (401, "The account doesn't
  have permission to perform this action") as the account-level refusal, the code Security Hub
  answers for the organization operations an account may not call (for example "Account ... is not
  an administrator for this organization"); `AccessDeniedException` (403) is what IAM answers
  when a policy denies the action. The message is ours (u).
- GuardDuty `ListOrganizationAdminAccounts`: "Only the organization's management account can run
  this API operation" (its API reference). Its model lists `BadRequestException` (400) and
  `InternalServerErrorException` only; GuardDuty answers its organization operations from a
  non-management account with `BadRequestException` "The request failed because you do not have
  required AWS Organization master permission." (the wording seen for
  `UpdateOrganizationConfiguration`; for this operation (u)).
"""


from . import wire
from .org import organization_of

# What each service answers a caller that is not the management account: (code, message, status).
SECURITYHUB_REFUSAL = (
    "InvalidAccessException",
    (
        "Account {account} is not the organization's management account: only the management account can "
        "list the Security Hub administrator accounts."
    ),
    401,
)
GUARDDUTY_REFUSAL = (
    "BadRequestException",
    "The request failed because you do not have required AWS Organization master permission.",
    400,
)


def management_account_of(account_id: str) -> str | None:
    """The management account of `account_id`'s organization, None outside one. moto's own
    answer to the account (its record of members leaves the management account out)."""
    organization = organization_of(account_id)
    return organization["MasterAccountId"] if organization else None


def refusal(request: wire.AwsRequest, account_id: str, answer: tuple[str, str, int]):
    """AWS's refusal of a management-only operation when `account_id` is not the management account
    of an organization (a member, or an account in none); None when it is."""
    if management_account_of(account_id) == account_id:
        return None
    code, message, status = answer
    return wire.error_response(request, code, message.format(account=account_id), status)


def guardduty_list_admin_accounts(request: wire.AwsRequest, account_id: str):
    """GuardDuty `ListOrganizationAdminAccounts`: refused to all but the management account, which
    moto answers."""
    return refusal(request, account_id, GUARDDUTY_REFUSAL)


# The management-only operations moto answers to anyone, by (signing name, operation); Security
# Hub's, which moto lacks, refuses through `refusal` in moto_gaps.list_securityhub_admin_accounts.
HANDLERS = {
    ("guardduty", "ListOrganizationAdminAccounts"): guardduty_list_admin_accounts,
}
