"""IAM enforced the way AWS enforces it, when switched on (`POST /_posture/iam/enforce`).

moto can enforce IAM itself (`INITIAL_NO_AUTH_ACTION_COUNT`), but only for the requests moto answers (not
for the operations our extension serves), with its own error shapes (an XML `AccessDenied` where a JSON
service sends `AccessDeniedException`), and without cross-account trust: it looks the role of an
`AssumeRole` up in the caller's account, so a trust policy in another account is never read, and a
trusted principal written as a role ARN never matches an assumed-role session. So the check runs here,
on every AWS request before anything answers it, and moto's own switch stays off:

- who signed: an assumed-role session (its session token must come with it), an IAM user's active access
  key, or the sandbox's own static key, which is the root user of the account moto maps it to (the
  seeder's management account). Any other key is `InvalidClientTokenId`, as on AWS.
- what it asks: the IAM action of the operation (`service:Operation`; S3's operations map to S3's actions)
  on a resource (the role for `sts:AssumeRole`, the bucket or object for S3, `*` for the rest).
- identity policies: the inline and managed policies of the user (and its groups) or role, plus the
  session policy of an assumed role, evaluated statement by statement as trust policies are (Action or
  NotAction, case-insensitive with `*` and `?`; Resource or NotResource; conditions on the caller's
  `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID` and the request's
  `aws:RequestedRegion`; an explicit Deny wins). moto's `IAMPolicy` is not used: it ignores conditions
  and `NotResource`, and matches actions case-sensitively. The root user is allowed everything but
  `sts:AssumeRole`, which AWS refuses to root credentials.
- `sts:AssumeRole` also needs the target role's trust policy, in the target account, to allow the caller:
  principals as AWS matches them (an account, a role for its sessions, a user, `*`), conditions on
  `sts:ExternalId`, `aws:PrincipalArn`, `aws:PrincipalAccount` and `aws:PrincipalOrgID`. A role that does
  not exist is the same `AccessDenied` as one that does not trust the caller. Within one account, a
  trust policy naming the caller itself is enough; across accounts, both sides must allow.

Not modelled: SigV4 signatures are not recomputed (a key and its token are checked, not the signature);
session expiry; SCPs, RCPs and permissions boundaries; resource-level permissions other than the role of
`AssumeRole` and S3's buckets and objects; condition operators other than the String, Arn, Bool and Null
families: a statement with another operator is taken the strict way (a Deny applies, an Allow does not),
and the server log says so once per operator.
"""

import fnmatch
import functools
import json
import sys
from dataclasses import dataclass
from urllib.parse import unquote

from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from . import wire
from .org import organization_of

# The sandbox's static credentials (`CREDENTIALS_ENV` in src/sandbox/mod.rs): the root user.
SANDBOX_ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"

# S3 authorizes operations as actions of other names (Service Authorization Reference, Amazon S3).
S3_ACTIONS = {
    "ListBuckets": "ListAllMyBuckets",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "HeadObject": "GetObject",
    "DeleteObjects": "DeleteObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListParts": "ListMultipartUploadParts",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
}

# Whatever the policies say, AWS lets any signed caller ask who it is.
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}


@dataclass
class Caller:
    """Who signed a request, as IAM sees it."""

    account_id: str
    arn: str  # the principal ARN AWS puts in its messages (the session's, for a role)
    kind: str  # "root", "user" or "role"
    name: str = ""  # the user's or the role's name
    role_arn: str = ""  # for a session: the role it is a session of
    session_policy: str | None = None


class Enforcement:
    """The switch and the check; the check runs under the moto lock (it reads moto's backends)."""

    def __init__(self):
        self.enabled = False

    def refuse(self, request: wire.AwsRequest, environ, account_id: str):
        """AWS's error for a request the caller may not make; None when IAM allows it (or when
        enforcement is off)."""
        if not self.enabled:
            return None
        caller = identify(request, environ, account_id)
        if caller is None:
            return wire.error_response(request, invalid_token_code(request),
                                       "The security token included in the request is invalid.", 403)
        action = iam_action(request)
        if action in ALWAYS_ALLOWED:
            return None
        resource = resource_of(request)
        if action == "sts:AssumeRole":
            return self.refuse_assume_role(request, caller, resource)
        decision = identity_decision(caller, action, resource, request.region)
        if decision == "allow":
            return None
        return access_denied(request, caller, action, resource, decision)

    def refuse_assume_role(self, request: wire.AwsRequest, caller: Caller, role_arn: str):
        if caller.kind == "root":
            return wire.error_response(request, "AccessDenied", "Roles may not be assumed by root accounts.", 403)
        denied = wire.access_denied(request, caller.arn, "sts:AssumeRole", role_arn)
        role = find_role(role_arn)
        if role is None:
            return denied
        trust = trust_decision(role.assume_role_policy_document, caller, request.form())
        if trust == "deny":
            return denied
        identity = identity_decision(caller, "sts:AssumeRole", role_arn, request.region)
        if identity == "deny":
            return denied
        same_account = role_arn.split(":")[4] == caller.account_id
        if trust == "allow-named" and same_account:
            return None  # within one account a trust policy naming the caller is enough
        if trust in ("allow", "allow-named") and identity == "allow":
            return None
        return denied


def identify(request: wire.AwsRequest, environ, account_id: str) -> Caller | None:
    """The caller behind the request's access key, or None for a key IAM would not accept."""
    key = request.access_key
    session = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(key)
    if session is not None:
        token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or request.query.get("X-Amz-Security-Token")
        if token != session.session_token:
            return None
        role_name = session.role_arn.split("/")[-1]
        return Caller(account_id, session.arn, "role", role_name, role_arn=session.role_arn,
                      session_policy=session.policy or None)
    for user in iam_backends[account_id]["aws"].users.values():
        for access_key in user.access_keys:
            if access_key.access_key_id == key:
                if access_key.status != "Active":
                    return None
                return Caller(account_id, user.arn, "user", user.name)
    if key == SANDBOX_ROOT_KEY:
        return Caller(account_id, f"arn:aws:iam::{account_id}:root", "root")
    return None


def invalid_token_code(request: wire.AwsRequest) -> str:
    if request.protocol in ("query", "ec2", "rest-xml"):
        return "InvalidClientTokenId" if request.service != "s3" else "InvalidAccessKeyId"
    return "UnrecognizedClientException"


def iam_action(request: wire.AwsRequest) -> str:
    """The IAM action a request is authorized as."""
    if request.service == "s3":
        return "s3:" + S3_ACTIONS.get(request.action, request.action)
    return f"{request.service}:{request.action}"


def resource_of(request: wire.AwsRequest) -> str:
    """The resource a request is authorized on, where the sandbox knows it; `*` otherwise."""
    if request.service == "sts" and request.action == "AssumeRole":
        return request.form().get("RoleArn", "")
    if request.service == "s3":
        # `wire.parse_request` has decoded the path once already.
        bucket, _, key = request.path.lstrip("/").partition("/")
        if bucket:
            return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    return "*"


def identity_decision(caller: Caller, action: str, resource: str, region: str | None) -> str:
    """"allow", "deny" (an explicit Deny) or "implicit" (nothing allows it), as IAM decides from the
    caller's identity-based policies (and a session policy, which can only narrow them)."""
    if caller.kind == "root":
        return "allow"
    context = principal_context(caller)
    if region:
        context["aws:requestedregion"] = region
    decision = combine(policies_of(caller), action, resource, context)
    if decision == "allow" and caller.session_policy:
        return combine([caller.session_policy], action, resource, context)
    return decision


def combine(policies: list, action: str, resource: str, context: dict) -> str:
    allowed = False
    for policy in policies:
        for statement in statements_of(policy):
            effect = statement.get("Effect")
            if not statement_applies(statement, action, resource, context, strict_for=effect):
                continue
            if effect == "Deny":
                return "deny"
            allowed = allowed or effect == "Allow"
    return "allow" if allowed else "implicit"


def statement_applies(statement: dict, action: str, resource: str, context: dict, strict_for) -> bool:
    """Whether an identity-policy statement covers `action` on `resource` in `context`. Where a
    condition cannot be judged, a Deny (`strict_for="Deny"`) applies and an Allow does not."""
    if "Action" in statement:
        if not matches_any(statement["Action"], action):
            return False
    elif not ("NotAction" in statement and not matches_any(statement["NotAction"], action)):
        return False
    if "Resource" in statement:
        if not matches_resource(statement["Resource"], resource):
            return False
    elif not ("NotResource" in statement and not matches_resource(statement["NotResource"], resource)):
        return False
    held = conditions_hold(statement.get("Condition", {}), context)
    return held if held is not None else strict_for == "Deny"


def statements_of(policy) -> list[dict]:
    """The statements of a policy as moto stores it: a JSON text (inline, session), a dict (what
    CloudFormation gave it) or a managed policy (its default version)."""
    if isinstance(policy, dict):
        body = policy
    elif isinstance(policy, str):
        body = parsed(document(policy))
    else:
        body = parsed(document(next(v.document for v in policy.versions if v.is_default)))
    statements = body.get("Statement", [])
    return [statements] if isinstance(statements, dict) else statements


@functools.lru_cache(maxsize=1024)
def parsed(text: str) -> dict:
    """A policy document, parsed once however many requests it authorizes."""
    return json.loads(text)


def matches_resource(patterns, resource: str) -> bool:
    """Resource ARNs match case-sensitively, with `*` and `?`."""
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return any(fnmatch.fnmatchcase(resource, p) for p in patterns)


def policies_of(caller: Caller) -> list:
    """The identity-based policies of a user (with its groups') or a role, as moto stores them."""
    backend = iam_backends[caller.account_id]["aws"]
    if caller.kind == "role":
        try:
            role = backend.get_role(caller.name)
        except NotFoundException:  # the role was deleted under its session: nothing allows anything
            return []
        return [document(p) for p in role.policies.values()] + list(role.managed_policies.values())
    user = backend.get_user(caller.name)
    policies = [document(p) for p in user.policies.values()] + list(user.managed_policies.values())
    for group in backend.get_groups_for_user(caller.name):
        policies += [document(p) for p in group.policies.values()] + list(group.managed_policies.values())
    return policies


def document(policy) -> str:
    """An inline policy as a JSON string (moto keeps what it was given: text, maybe URL-encoded)."""
    text = policy if isinstance(policy, str) else json.dumps(policy)
    return text if text.lstrip().startswith("{") else unquote(text)


def find_role(role_arn: str):
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    try:
        return iam_backends[parts[4]]["aws"].get_role(parts[5].split("/")[-1])
    except NotFoundException:  # also for an account id moto has never seen: its backend starts empty
        return None


def access_denied(request: wire.AwsRequest, caller: Caller, action: str, resource: str, decision: str):
    """AWS's message for a denied action, in the protocol's own error shape."""
    why = ("with an explicit deny in an identity-based policy" if decision == "deny"
           else f"because no identity-based policy allows the {action} action")
    return wire.access_denied(request, caller.arn, action, resource, why)


# --- trust policies ------------------------------------------------------------------------------------


def trust_decision(policy_text: str, caller: Caller, form: dict) -> str:
    """What a role's trust policy says about this caller assuming it: "deny", "allow-named" (a
    statement names the caller itself), "allow" (it names the caller's account, or `*`), or "none"."""
    statements = statements_of(policy_text)
    context = condition_context(caller, form)
    verdict = "none"
    for statement in statements:
        if not matches_any(statement.get("Action", []), "sts:AssumeRole"):
            continue
        named = principal_match(statement.get("Principal"), caller)
        if named is None:
            continue
        held = conditions_hold(statement.get("Condition", {}), context)
        if not (held if held is not None else statement.get("Effect") == "Deny"):
            continue
        if statement.get("Effect") == "Deny":
            return "deny"
        if named == "named" or verdict == "none":
            verdict = "allow-named" if named == "named" else "allow"
    return verdict


def principal_match(principal, caller: Caller) -> str | None:
    """"named" when the principal element names the caller itself, "account" when it names the
    caller's account (or everyone), None when it does not cover the caller."""
    if principal == "*":
        return "account"
    if not isinstance(principal, dict):
        return None
    values = principal.get("AWS", [])
    for value in [values] if isinstance(values, str) else values:
        if value == "*":
            return "account"
        if value in (caller.account_id, f"arn:aws:iam::{caller.account_id}:root"):
            return "account"
        if caller.kind == "role" and value in (caller.role_arn, caller.arn):
            return "named"
        if caller.kind == "user" and value == caller.arn:
            return "named"
    return None


def principal_context(caller: Caller) -> dict:
    """The condition keys of the caller, by lower-case name."""
    context = {
        "aws:principalarn": caller.role_arn or caller.arn,
        "aws:principalaccount": caller.account_id,
    }
    organization = organization_of(caller.account_id)  # the management account's too
    if organization is not None:
        context["aws:principalorgid"] = organization["Id"]
    return context


def condition_context(caller: Caller, form: dict) -> dict:
    """The condition keys the sandbox knows for an AssumeRole request, by lower-case name."""
    context = principal_context(caller)
    for key, field in (("sts:rolesessionname", "RoleSessionName"), ("sts:externalid", "ExternalId")):
        if form.get(field) is not None:
            context[key] = form[field]
    return context


STRING_TESTS = {
    "StringEquals": lambda actual, wanted: actual == wanted,
    "StringEqualsIgnoreCase": lambda actual, wanted: actual.lower() == wanted.lower(),
    "StringLike": lambda actual, wanted: fnmatch.fnmatchcase(actual, wanted),
    "ArnEquals": lambda actual, wanted: actual == wanted,
    "ArnLike": lambda actual, wanted: fnmatch.fnmatchcase(actual, wanted),
    "Bool": lambda actual, wanted: actual.lower() == str(wanted).lower(),
}
NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
           "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}


UNMODELLED_SEEN: set[str] = set()


def conditions_hold(conditions: dict, context: dict) -> bool | None:
    """Whether every condition of a statement holds (AWS: all operators, all keys; any value of a
    key); None when one uses an operator the sandbox does not model. A key absent from the request
    fails a positive test and passes a negated one; `...IfExists` passes when the key is absent."""
    for operator, tests in conditions.items():
        if_exists = operator.endswith("IfExists")
        base = operator[: -len("IfExists")] if if_exists else operator
        if base != "Null" and base not in NEGATED and base not in STRING_TESTS:
            if operator not in UNMODELLED_SEEN:
                UNMODELLED_SEEN.add(operator)
                print(f"posture sandbox: condition operator {operator} is not modelled; a Deny with it "
                      "applies, an Allow does not", file=sys.stderr)
            return None
        for key, wanted in tests.items():
            wanted = [wanted] if isinstance(wanted, (str, bool, int, float)) else list(wanted)
            actual = context.get(key.lower())
            if base == "Null":
                if any((actual is None) != (str(w).lower() == "true") for w in wanted):
                    return False
                continue
            if actual is None:
                if if_exists or base in NEGATED:
                    continue
                return False
            if base in NEGATED:
                if any(STRING_TESTS[NEGATED[base]](actual, str(w)) for w in wanted):
                    return False
            elif not any(STRING_TESTS[base](actual, str(w)) for w in wanted):
                return False
    return True


def matches_any(patterns, action: str) -> bool:
    """IAM action names match case-insensitively, with `*` and `?`."""
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)
