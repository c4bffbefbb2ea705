"""Which organization an account is in, as AWS tells it: one lookup for every module that needs it."""

from typing import Any

from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import organizations_backends


def organization_of(account_id: str) -> dict | None:
    """The organization `account_id` belongs to (as DescribeOrganization answers it to that account,
    the management account included), or None outside one."""
    try:
        return organizations_backends[account_id]["aws"].describe_organization()["Organization"]
    except AWSOrganizationsNotInUseException:
        return None


def management_backend(account_id: str) -> Any:
    """moto's Organizations backend of the management account of `account_id`'s organization (where
    the organization's OUs, policies and accounts are kept), or None outside one."""
    master = organizations_backends.master_accounts.get(account_id)
    backend = organizations_backends[master[0] if master else account_id]["aws"]
    return backend if backend.org is not None else None
