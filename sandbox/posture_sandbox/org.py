"""Which organization an account is in, as AWS tells it: one lookup for every module that needs it."""

from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import organizations_backends


def organization_of(account_id: str) -> dict | None:
    """The organization `account_id` belongs to (as DescribeOrganization answers it to that account,
    the management account included), or None outside one."""
    try:
        return organizations_backends[account_id]["aws"].describe_organization()["Organization"]
    except AWSOrganizationsNotInUseException:
        return None
