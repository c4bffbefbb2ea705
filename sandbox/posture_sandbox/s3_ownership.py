"""S3's bucket configuration read from outside the bucket owner's account, as AWS answers it.

moto follows a bucket name to its owner's backend for any caller (`MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS`,
on by default), so any account reads another's bucket policy and Object Lock configuration. On
AWS (S3 API reference; botocore's model of `GetBucketPolicy`):

- `GetBucketPolicy`: "the calling identity must both have the GetBucketPolicy permissions on the
  specified bucket and belong to the bucket owner's account". A caller of another account gets
  `403 AccessDenied` without the permission (from another account, the permission has to come
  from the bucket policy) and `405 MethodNotAllowed` with it. The root user of another account is
  such a caller too: only the owner's root user is exempt.
- `GetObjectLockConfiguration` (IAM action `s3:GetBucketObjectLockConfiguration`): across accounts
  only when the bucket policy grants it to the caller, otherwise `403 AccessDenied`; with the
  grant, the owner's answer (its configuration, or `ObjectLockConfigurationNotFoundError` 404).

The bucket policy's grant is read the way the sandbox reads policies (enforce.py): an Allow
statement whose Principal covers the caller (`*`, its account, its account's root ARN, or its own
ARN), whose Action and Resource cover the request, and whose conditions hold for the caller
(`aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`); an applicable Deny wins.
The owner's own callers are answered by moto as before.

Not modelled: the other bucket-level reads moto answers to any account (GetBucketAcl,
GetBucketLocation, GetBucketEncryption, GetBucketVersioning, GetBucketLogging, GetPublicAccessBlock,
ListObjects, ...), `ExpectedBucketOwner`, access points, and virtual-hosted-style requests (the
bucket is read from the path, as the sandbox's clients address it).
"""

import json

from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.sts.models import sts_backends

from . import enforce, wire

# The operations refused to other accounts, with the IAM action each is authorized as.
GUARDED = {
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
}

ACCESS_DENIED = "Access Denied"
METHOD_NOT_ALLOWED = "The specified method is not allowed against this resource."


def caller_of(access_key: str, account_id: str) -> enforce.Caller:
    """Who signed, as a bucket policy names principals: a role session, a user, or the account's
    root user (the sandbox's static key)."""
    session = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(access_key)
    if session is not None:
        return enforce.Caller(account_id, session.arn, "role", session.role_arn.split("/")[-1],
                              role_arn=session.role_arn)
    for user in iam_backends[account_id]["aws"].users.values():
        if any(key.access_key_id == access_key for key in user.access_keys):
            return enforce.Caller(account_id, user.arn, "user", user.name)
    return enforce.Caller(account_id, f"arn:aws:iam::{account_id}:root", "root")


def bucket_policy_grants(owner: str, bucket: str, caller: enforce.Caller, action: str) -> bool:
    """Whether the bucket's policy allows `caller` (of another account) `action` on the bucket."""
    try:
        policy = s3_backends[owner]["aws"].get_bucket(bucket).policy
    except Exception:  # noqa: BLE001 - no such bucket any more: nothing grants anything
        return False
    if not policy:
        return False
    try:
        statements = enforce.statements_of(json.loads(policy))
    except ValueError:
        return False
    resource = f"arn:aws:s3:::{bucket}"
    context = enforce.principal_context(caller)
    allowed = False
    for statement in statements:
        if enforce.principal_match(statement.get("Principal"), caller) is None:
            continue
        effect = statement.get("Effect")
        if not enforce.statement_applies(statement, action, resource, context, strict_for=effect):
            continue
        if effect == "Deny":
            return False
        allowed = allowed or effect == "Allow"
    return allowed


def refuse_other_account(request: wire.AwsRequest, account_id: str):
    """AWS's refusal of a guarded read of another account's bucket; None to let moto answer (the
    owner's own callers, a bucket that does not exist, or a granted Object Lock read)."""
    action = GUARDED.get(request.action)
    if action is None:
        return None
    bucket = request.path.lstrip("/").split("/", 1)[0]
    owner = s3_backends.bucket_accounts.get(bucket)
    if owner is None or owner[1] == account_id:
        return None
    granted = bucket_policy_grants(owner[1], bucket, caller_of(request.access_key, account_id), action)
    if request.action == "GetBucketPolicy":
        if granted:
            return wire.error_response(request, "MethodNotAllowed", METHOD_NOT_ALLOWED, 405)
        return wire.error_response(request, "AccessDenied", ACCESS_DENIED, 403)
    return None if granted else wire.error_response(request, "AccessDenied", ACCESS_DENIED, 403)


HANDLERS = {("s3", name): refuse_other_account for name in GUARDED}
