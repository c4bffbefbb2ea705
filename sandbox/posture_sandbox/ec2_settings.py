"""EC2's account-level settings and the EC2 declarative policies (Organizations policy type
`DECLARATIVE_POLICY_EC2`) that pin them, as AWS documents them; moto 5.2.5 has neither.

moto answers none of the eleven EC2 operations below (its server fails with a 500; the sandbox
turned that into `InvalidAction`), refuses `DECLARATIVE_POLICY_EC2` everywhere in Organizations
(`InvalidInputException` from `EnablePolicyType`, `CreatePolicy`, `ListPolicies`, ...), never
checks that a policy type is enabled before `AttachPolicy`, stores any policy content unread, and
has no `DescribeEffectivePolicy`. Here:

- **Account settings**, one set per account and Region (EC2 User Guide: each "must be configured in
  each AWS Region"), with the defaults of a new account: block public access for AMIs
  `block-new-sharing` ("Default settings": new accounts, enabled), for snapshots `unblocked`, no
  instance metadata (IMDS) defaults (`AccountLevel` holds only `ManagedBy`), serial console access
  disabled ("By default, access to the EC2 serial console is disabled"). The setters
  (`Enable`/`DisableImageBlockPublicAccess`, `Enable`/`DisableSnapshotBlockPublicAccess`,
  `ModifyInstanceMetadataDefaults` with `no-preference` and hop limit `-1` clearing a default,
  `Enable`/`DisableSerialConsoleAccess`) answer what the EC2 API reference says they return, in EC2
  query XML (`http://ec2.amazonaws.com/doc/2016-11-15/`, `requestId`, the model's `locationName`s).
  A setting takes effect at once (AWS: up to 10 minutes for AMIs). `DryRun=true` answers
  `DryRunOperation` (412). A missing required parameter is `MissingParameter`, a value outside the
  model's enum or range `InvalidParameterValue` (400; wording (u)).
- **Organizations**: `DECLARATIVE_POLICY_EC2` is a policy type like the others (enable and disable
  on the root, create, list, describe, attach), with ARNs
  `arn:aws:organizations::MGMT:policy/o-…/declarative_policy_ec2/p-…`. `CreatePolicy` and
  `UpdatePolicy` refuse content that is not a JSON object whose only top-level key is
  `ec2_attributes`, or that assigns one of the modelled attributes (below) a value outside the
  documented ones: `MalformedPolicyDocumentException` (400, the model's documentation as message).
  Other attributes under `ec2_attributes` (VPC block public access, allowed images settings, ...) are
  stored and inherited but not checked. `AttachPolicy` needs the type enabled on the root
  (`PolicyTypeNotEnabledException`), and `DisablePolicyType` detaches every policy of the type, as the
  Organizations User Guide says ("Disabling a policy type"); both for this type only.
- **The effective policy** of an account: the policies of the type attached to the root, each OU down
  to the account, and the account, merged with the management-policy inheritance operators
  (Organizations User Guide, "Inheritance operators"): `@@assign` (a child overrides its parent),
  `@@append` and `@@remove` (lists), and `@@operators_allowed_for_child_policies` (what policies
  further down may do to that element and below: an operator not allowed is ignored). Policies on the
  same node apply in attachment order and do not restrict each other (u). It applies to every account
  of the organization, the management account included (the declarative policies pages name no
  exemption, unlike the SCP pages (u)), and only while the type is enabled on the root.
  `DescribeEffectivePolicy` answers it for this type as JSON without the operators (u) with
  `LastUpdatedTimestamp` the last change to the type's policies or attachments in the organization
  (AWS: per target (u)); `EffectivePolicyNotFoundException` when nothing applies, `InvalidInputException`
  for a root or OU target (the model: "not supported"), and a member asking about another account gets
  `AccessDeniedException` (400 (u)). Other policy types are left to moto (which lacks the operation).
- **What the policy pins**: `ec2_attributes` → `image_block_public_access.state` (`unblocked` |
  `block_new_sharing`), `snapshot_block_public_access.state` (`unblocked` | `block_new_sharing` |
  `block_all_sharing`), `instance_metadata_defaults.{http_tokens, http_put_response_hop_limit,
  http_endpoint, instance_metadata_tags}` (`no_preference` / `-1`: no default) and
  `serial_console_access.status` (`enabled` | `disabled`), with `exception_message` (Organizations
  User Guide, "Declarative policy syntax and examples"). A pinned attribute reads back the policy's
  value with `ManagedBy` `declarative-policy` (`ManagedExceptionMessage`, where the model has it,
  for IMDS defaults: the policy's `exception_message`, left out without one (u)); IMDS defaults are
  pinned as a whole: the fields the policy leaves out read as no default (u). The account's own
  setters for a pinned attribute are refused with `OperationNotPermitted` (400; the code is (u), AWS
  documents only the message) and the policy's `exception_message`, or AWS's default "This action is
  denied due to an organizational policy in effect". The account's own value is kept: detaching the
  policy gives it back ("rolls back to the previous state").

Not modelled: what the settings do (sharing an AMI or snapshot publicly is not refused, `RunInstances`
ignores IMDS defaults; moto does not know them), the other declarative attributes' effects (VPC block
public access, allowed images settings), `HttpTokensEnforced` from a policy, the account status
report, `PolicyTypeNotAvailableForOrganizationException` for consolidated-billing organizations, and
the schema of the unmodelled attributes.
"""

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from moto.organizations import exceptions as org_exceptions
from moto.organizations import models as org_models

from . import wire
from .org import management_backend

POLICY_TYPE = "DECLARATIVE_POLICY_EC2"
POLICY_ARN_FORMAT = "arn:{0}:organizations::{1}:policy/{2}/declarative_policy_ec2/{3}"
EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"

DEFAULT_EXCEPTION_MESSAGE = "This action is denied due to an organizational policy in effect"
MALFORMED = "The provided policy document doesn't meet the requirements of the specified policy type."

VALUE_OPERATORS = ("@@assign", "@@append", "@@remove")
CHILD_CONTROL = "@@operators_allowed_for_child_policies"

# Policy value -> API value, for each modelled attribute (Organizations User Guide, "Declarative policy
# syntax and examples"); None: the attribute says "no default".
IMAGE_STATES = {"unblocked": "unblocked", "block_new_sharing": "block-new-sharing"}
SNAPSHOT_STATES = {"unblocked": "unblocked", "block_new_sharing": "block-new-sharing",
                   "block_all_sharing": "block-all-sharing"}
SERIAL_CONSOLE = {"enabled": True, "disabled": False}
ON_OFF = {"enabled": "enabled", "disabled": "disabled", "no_preference": None}
# instance_metadata_defaults field -> (API field, policy value -> API value)
METADATA_FIELDS: dict[str, tuple[str, dict[str, str | None]]] = {
    "http_tokens": ("HttpTokens", {"required": "required", "optional": "optional", "no_preference": None}),
    "http_endpoint": ("HttpEndpoint", ON_OFF),
    "instance_metadata_tags": ("InstanceMetadataTags", ON_OFF),
}
HOP_LIMIT = "http_put_response_hop_limit"

# ModifyInstanceMetadataDefaults: parameter -> the values it takes besides `no-preference` (the model's enums).
METADATA_PARAMETERS = {
    "HttpTokens": ("optional", "required"),
    "HttpEndpoint": ("disabled", "enabled"),
    "InstanceMetadataTags": ("disabled", "enabled"),
    "HttpTokensEnforced": ("disabled", "enabled"),
}
# The order of the model's InstanceMetadataDefaultsResponse members.
METADATA_ORDER = ("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint", "InstanceMetadataTags")


class MalformedPolicyDocumentException(org_exceptions.OrganizationsClientError):
    def __init__(self) -> None:
        super().__init__("MalformedPolicyDocumentException", MALFORMED)


@dataclass
class Settings:
    """One account's settings in one Region, as a new account has them."""

    image_block_public_access: str = "block-new-sharing"
    snapshot_block_public_access: str = "unblocked"
    metadata_defaults: dict[str, Any] = field(default_factory=dict)  # API field -> value; absent = no default
    serial_console_access: bool = False


@dataclass
class Pins:
    """What an account's effective declarative policy sets (None: not pinned), in API values."""

    image_block_public_access: str | None = None
    snapshot_block_public_access: str | None = None
    metadata_defaults: dict[str, Any] | None = None
    serial_console_access: bool | None = None
    exception_message: str | None = None


# --- the effective policy ------------------------------------------------------------------------

def merge(levels: Iterable[Iterable[dict]]) -> dict:
    """The effective policy of documents attached root first, one list per level (root, OUs down, the
    account), as the management-policy inheritance operators merge them; operators stripped."""
    effective: dict = {}
    locks: dict[tuple, frozenset] = {}
    for level in levels:
        new_locks: dict[tuple, frozenset] = {}
        for document in level:
            _merge_node(effective, document, (), locks, new_locks)
        for path, allowed in new_locks.items():
            locks[path] = _narrower(locks.get(path), allowed)
    return effective


def _merge_node(target: dict, node: dict, path: tuple, locks: dict, new_locks: dict) -> None:
    _record_lock(node, path, new_locks)
    for key, value in node.items():
        if key.startswith("@@") or not isinstance(value, dict):
            continue
        here = (*path, key)
        operators = [op for op in VALUE_OPERATORS if op in value]
        if not operators:
            child = target.get(key)
            if not isinstance(child, dict):
                child = target[key] = {}
            _merge_node(child, value, here, locks, new_locks)
            continue
        _record_lock(value, here, new_locks)
        for operator in operators:
            if _allowed(operator, here, locks):
                target[key] = _apply(operator, target.get(key), value[operator])


def _record_lock(node: dict, path: tuple, new_locks: dict) -> None:
    allowed = node.get(CHILD_CONTROL)
    if isinstance(allowed, list):
        new_locks[path] = _narrower(new_locks.get(path), frozenset(allowed))


def _narrower(old: frozenset | None, new: frozenset) -> frozenset:
    if old is None or "@@all" in old:
        return new
    if "@@all" in new:
        return old
    return old & new


def _allowed(operator: str, path: tuple, locks: dict) -> bool:
    """Whether a policy below the ones that set `locks` may use `operator` on `path`."""
    for depth in range(len(path) + 1):
        allowed = locks.get(path[:depth])
        if allowed is not None and "@@all" not in allowed and operator not in allowed:
            return False
    return True


def _apply(operator: str, current: Any, value: Any) -> Any:
    if operator == "@@assign":
        return value
    current = list(current) if isinstance(current, list) else []
    values = value if isinstance(value, list) else [value]
    if operator == "@@append":
        return current + [v for v in values if v not in current]
    return [v for v in current if v not in values]


def pins_of(effective: dict | None) -> Pins:
    """What the effective policy pins, in the EC2 API's values."""
    attributes = (effective or {}).get("ec2_attributes")
    if not isinstance(attributes, dict):
        return Pins()

    def leaf(attribute: str, name: str) -> str:
        node = attributes.get(attribute)
        value = node.get(name) if isinstance(node, dict) else None
        return value if isinstance(value, str) else ""

    metadata: dict[str, Any] | None = None
    node = attributes.get("instance_metadata_defaults")
    if isinstance(node, dict) and ({HOP_LIMIT, *METADATA_FIELDS} & node.keys()):
        metadata = {}
        for name, (api_name, values) in METADATA_FIELDS.items():
            api_value = values.get(leaf("instance_metadata_defaults", name))
            if api_value is not None:
                metadata[api_name] = api_value
        hop_limit = hop_limit_of(node.get(HOP_LIMIT))
        if hop_limit is not None and hop_limit != -1:
            metadata["HttpPutResponseHopLimit"] = hop_limit
    message = attributes.get("exception_message")
    return Pins(
        image_block_public_access=IMAGE_STATES.get(leaf("image_block_public_access", "state")),
        snapshot_block_public_access=SNAPSHOT_STATES.get(leaf("snapshot_block_public_access", "state")),
        metadata_defaults=metadata,
        serial_console_access=SERIAL_CONSOLE.get(leaf("serial_console_access", "status")),
        exception_message=message if isinstance(message, str) else None,
    )


def hop_limit_of(value: Any) -> int | None:
    """A hop limit (-1, or 1 to 64) from a policy (a number or, as AWS's examples write it, a string)."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return None
    return limit if limit == -1 or 1 <= limit <= 64 else None


def validate(content: Any) -> None:
    """Refuses a declarative policy document AWS would refuse, as far as the sandbox knows the schema."""
    try:
        document = json.loads(content)
    except (TypeError, ValueError):
        raise MalformedPolicyDocumentException() from None
    if not isinstance(document, dict) or set(document) != {"ec2_attributes"}:
        raise MalformedPolicyDocumentException()
    attributes = document["ec2_attributes"]
    if not isinstance(attributes, dict):
        raise MalformedPolicyDocumentException()
    checks: list[tuple[str, str, Callable[[Any], bool]]] = [
        ("image_block_public_access", "state", IMAGE_STATES.__contains__),
        ("snapshot_block_public_access", "state", SNAPSHOT_STATES.__contains__),
        ("serial_console_access", "status", SERIAL_CONSOLE.__contains__),
        ("instance_metadata_defaults", HOP_LIMIT, lambda value: hop_limit_of(value) is not None),
        *(("instance_metadata_defaults", name, values.__contains__) for name, (_, values) in METADATA_FIELDS.items()),
    ]
    for attribute, name, valid in checks:
        node = attributes.get(attribute)
        leaf = node.get(name) if isinstance(node, dict) else None
        if isinstance(leaf, dict) and "@@assign" in leaf and not _hashable_and(valid, leaf["@@assign"]):
            raise MalformedPolicyDocumentException()
    message = attributes.get("exception_message")
    if isinstance(message, dict) and not isinstance(message.get("@@assign", ""), str):
        raise MalformedPolicyDocumentException()


def _hashable_and(valid: Callable[[Any], bool], value: Any) -> bool:
    return not isinstance(value, (dict, list)) and valid(value)


# --- Organizations -------------------------------------------------------------------------------

def root_of(backend: Any) -> Any:
    return next(ou for ou in backend.ou if ou.type == "ROOT")


def type_enabled(backend: Any) -> bool:
    return any(t["Type"] == POLICY_TYPE for t in root_of(backend).policy_types)


def effective_policy(backend: Any, account_id: str) -> dict | None:
    """The account's effective declarative policy, or None when none applies (or the type is off)."""
    account = next((a for a in backend.accounts if a.id == account_id), None)
    if account is None or not type_enabled(backend):
        return None
    nodes = [account]
    parent_id = account.parent_id
    while parent_id:
        parent = next((ou for ou in backend.ou if ou.id == parent_id), None)
        if parent is None:
            break
        nodes.append(parent)
        parent_id = parent.parent_id
    levels = [[json.loads(p.content) for p in node.attached_policies if p.type == POLICY_TYPE]
              for node in reversed(nodes)]
    if not any(levels):
        return None
    return merge(levels)


# --- EC2 -----------------------------------------------------------------------------------------

def ec2_response(action: str, inner: str):
    """(status line, headers, body) of an EC2 query success."""
    request_id = wire.new_request_id()
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{EC2_NAMESPACE}">'
        f"<requestId>{request_id}</requestId>{inner}</{action}Response>"
    )
    headers = [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", request_id)]
    return wire.status_line(200), headers, body.encode()


def element(name: str, value: Any) -> str:
    text = str(value).lower() if isinstance(value, bool) else escape(str(value))
    return f"<{name}>{text}</{name}>"


def managed_by(pinned: bool) -> str:
    return element("managedBy", "declarative-policy" if pinned else "account")


class InvalidParameter(Exception):
    """An EC2 parameter error: (code, message)."""


def required(form: dict, name: str) -> str:
    if not form.get(name):
        raise InvalidParameter("MissingParameter", f"The request must contain the parameter {name}")
    return form[name]


def one_of(form: dict, name: str, values: Iterable[str]) -> str:
    value = required(form, name)
    if value not in values:
        raise InvalidParameter("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid.")
    return value


class Ec2Settings:
    """The EC2 account settings of every account and Region, and the declarative policies over them."""

    OPERATIONS = frozenset({
        "GetImageBlockPublicAccessState", "EnableImageBlockPublicAccess", "DisableImageBlockPublicAccess",
        "GetSnapshotBlockPublicAccessState", "EnableSnapshotBlockPublicAccess", "DisableSnapshotBlockPublicAccess",
        "GetInstanceMetadataDefaults", "ModifyInstanceMetadataDefaults",
        "GetSerialConsoleAccessStatus", "EnableSerialConsoleAccess", "DisableSerialConsoleAccess",
    })

    def __init__(self):
        self._lock = threading.RLock()
        self.settings: dict[tuple[str, str], Settings] = {}  # (account, Region) -> settings
        self.changed_at: dict[str, datetime] = {}  # organization id -> last change to the type's policies

    def reset(self) -> None:
        with self._lock:
            self.settings.clear()
            self.changed_at.clear()

    def touch(self, backend: Any) -> None:
        if backend.org is not None:
            with self._lock:
                self.changed_at[backend.org.id] = datetime.now(UTC)

    # --- moto's Organizations, taught the policy type ---

    def install(self) -> None:
        """Patches moto's Organizations to know `DECLARATIVE_POLICY_EC2` as AWS does (module docstring)."""
        for supported in (org_models.FakeRoot.SUPPORTED_POLICY_TYPES, org_models.FakePolicy.SUPPORTED_POLICY_TYPES):
            if POLICY_TYPE not in supported:
                supported.append(POLICY_TYPE)
        Policy = org_models.FakePolicy
        Backend = org_models.OrganizationsBackend
        extension = self
        original_init = Policy.__init__

        def init(policy, organization, **kwargs):
            if kwargs.get("Type") != POLICY_TYPE:
                return original_init(policy, organization, **kwargs)
            original_init(policy, organization, **{**kwargs, "Type": "TAG_POLICY"})  # moto knows no ARN for it
            policy.type = POLICY_TYPE
            policy._arn_format = POLICY_ARN_FORMAT
            return None

        Policy.__init__ = init  # type: ignore[assignment, method-assign]

        original_create, original_update = Backend.create_policy, Backend.update_policy
        original_attach, original_detach = Backend.attach_policy, Backend.detach_policy
        original_enable, original_disable = Backend.enable_policy_type, Backend.disable_policy_type

        def create_policy(backend, **kwargs):
            if kwargs.get("Type") == POLICY_TYPE:
                validate(kwargs.get("Content"))
            return original_create(backend, **kwargs)

        def update_policy(backend, **kwargs):
            ours = backend.get_policy_by_id(kwargs["PolicyId"]).type == POLICY_TYPE
            if ours and "Content" in kwargs:
                validate(kwargs["Content"])
            answer = original_update(backend, **kwargs)
            if ours:
                extension.touch(backend)
            return answer

        def attach_policy(backend, **kwargs):
            ours = backend.get_policy_by_id(kwargs["PolicyId"]).type == POLICY_TYPE
            if ours and not type_enabled(backend):
                raise org_exceptions.PolicyTypeNotEnabledException()
            original_attach(backend, **kwargs)
            if ours:
                extension.touch(backend)

        def detach_policy(backend, **kwargs):
            ours = backend.get_policy_by_id(kwargs["PolicyId"]).type == POLICY_TYPE
            original_detach(backend, **kwargs)
            if ours:
                extension.touch(backend)

        def enable_policy_type(backend, **kwargs):
            answer = original_enable(backend, **kwargs)
            if kwargs.get("PolicyType") == POLICY_TYPE:
                extension.touch(backend)
            return answer

        def disable_policy_type(backend, **kwargs):
            answer = original_disable(backend, **kwargs)
            if kwargs.get("PolicyType") == POLICY_TYPE:
                for policy in backend.policies:
                    if policy.type == POLICY_TYPE:
                        for target in list(policy.attachments):
                            target.attached_policies.remove(policy)
                            policy.attachments.remove(target)
                extension.touch(backend)
            return answer

        Backend.create_policy = create_policy  # type: ignore[assignment, method-assign]
        Backend.update_policy = update_policy  # type: ignore[assignment, method-assign]
        Backend.attach_policy = attach_policy  # type: ignore[assignment, method-assign]
        Backend.detach_policy = detach_policy  # type: ignore[assignment, method-assign]
        Backend.enable_policy_type = enable_policy_type  # type: ignore[assignment, method-assign]
        Backend.disable_policy_type = disable_policy_type  # type: ignore[assignment, method-assign]

    # --- requests ---

    def handle(self, request: wire.AwsRequest, account_id: str):
        """Answers the EC2 account-setting operations and DescribeEffectivePolicy for this policy type;
        None for anything else."""
        if request.service == "organizations" and request.action == "DescribeEffectivePolicy":
            return self.describe_effective_policy(request, account_id)
        if request.service != "ec2" or request.action not in self.OPERATIONS:
            return None
        form = request.form()
        try:
            if form.get("DryRun", "").lower() == "true":
                return wire.error_response(request, "DryRunOperation",
                                           "Request would have succeeded, but DryRun flag is set.", 412)
            backend = management_backend(account_id)
            pins = pins_of(effective_policy(backend, account_id) if backend is not None else None)
            with self._lock:
                settings = self.settings.setdefault((account_id, request.region), Settings())
                return self.answer(request, form, settings, pins)
        except InvalidParameter as err:
            code, message = err.args
            return wire.error_response(request, code, message, 400)

    def answer(self, request: wire.AwsRequest, form: dict, settings: Settings, pins: Pins):
        action = request.action

        def refused():
            return wire.error_response(request, "OperationNotPermitted",
                                       pins.exception_message or DEFAULT_EXCEPTION_MESSAGE, 400)

        if action == "GetImageBlockPublicAccessState":
            image = pins.image_block_public_access
            state = image or settings.image_block_public_access
            return ec2_response(action, element("imageBlockPublicAccessState", state) + managed_by(image is not None))
        if action in ("EnableImageBlockPublicAccess", "DisableImageBlockPublicAccess"):
            state = ("unblocked" if action.startswith("Disable")
                     else one_of(form, "ImageBlockPublicAccessState", ("block-new-sharing",)))
            if pins.image_block_public_access is not None:
                return refused()
            settings.image_block_public_access = state
            return ec2_response(action, element("imageBlockPublicAccessState", state))
        if action == "GetSnapshotBlockPublicAccessState":
            snapshot = pins.snapshot_block_public_access
            return ec2_response(action, element("state", snapshot or settings.snapshot_block_public_access)
                                + managed_by(snapshot is not None))
        if action in ("EnableSnapshotBlockPublicAccess", "DisableSnapshotBlockPublicAccess"):
            state = ("unblocked" if action.startswith("Disable")
                     else one_of(form, "State", ("block-all-sharing", "block-new-sharing")))
            if pins.snapshot_block_public_access is not None:
                return refused()
            settings.snapshot_block_public_access = state
            return ec2_response(action, element("state", state))
        if action == "GetInstanceMetadataDefaults":
            return ec2_response(action, self.metadata_defaults(settings, pins))
        if action == "ModifyInstanceMetadataDefaults":
            changes = metadata_changes(form)
            if pins.metadata_defaults is not None:
                return refused()
            for name, value in changes.items():
                if value is None:
                    settings.metadata_defaults.pop(name, None)
                else:
                    settings.metadata_defaults[name] = value
            return ec2_response(action, element("return", True))
        if action == "GetSerialConsoleAccessStatus":
            serial = pins.serial_console_access
            enabled = settings.serial_console_access if serial is None else serial
            return ec2_response(action, element("serialConsoleAccessEnabled", enabled) + managed_by(serial is not None))
        # EnableSerialConsoleAccess, DisableSerialConsoleAccess
        if pins.serial_console_access is not None:
            return refused()
        settings.serial_console_access = action.startswith("Enable")
        return ec2_response(action, element("serialConsoleAccessEnabled", settings.serial_console_access))

    @staticmethod
    def metadata_defaults(settings: Settings, pins: Pins) -> str:
        pinned = pins.metadata_defaults is not None
        values = pins.metadata_defaults if pins.metadata_defaults is not None else settings.metadata_defaults
        inner = "".join(element(name[0].lower() + name[1:], values[name]) for name in METADATA_ORDER if name in values)
        inner += managed_by(pinned)
        if pinned and pins.exception_message:
            inner += element("managedExceptionMessage", pins.exception_message)
        if not pinned and "HttpTokensEnforced" in values:
            inner += element("httpTokensEnforced", values["HttpTokensEnforced"])
        return f"<accountLevel>{inner}</accountLevel>"

    def describe_effective_policy(self, request: wire.AwsRequest, account_id: str):
        body = request.json_body()
        if body.get("PolicyType") != POLICY_TYPE:
            return None  # moto's answer: it has no DescribeEffectivePolicy
        backend = management_backend(account_id)
        if backend is None:
            return wire.error_response(request, "AWSOrganizationsNotInUseException",
                                       "Your account is not a member of an organization.", 400)
        target = body.get("TargetId") or account_id
        if not (len(target) == 12 and target.isdigit()):
            return wire.error_response(request, "InvalidInputException", "You specified an invalid value.", 400)
        if account_id != backend.org.master_account_id and target != account_id:
            return wire.error_response(request, "AccessDeniedException",
                                       "You don't have permissions to access this resource.", 400)
        if not any(a.id == target for a in backend.accounts):
            return wire.error_response(request, "TargetNotFoundException",
                                       "You specified a target that doesn't exist.", 400)
        effective = effective_policy(backend, target)
        if effective is None:
            return wire.error_response(request, "EffectivePolicyNotFoundException",
                                       "No effective policy of this type exists for the specified target.", 400)
        with self._lock:
            changed_at = self.changed_at.get(backend.org.id) or datetime.now(UTC)
        return wire.json_response({"EffectivePolicy": {
            "PolicyContent": json.dumps(effective),
            "LastUpdatedTimestamp": changed_at.timestamp(),
            "TargetId": target,
            "PolicyType": POLICY_TYPE,
        }})


def metadata_changes(form: dict) -> dict[str, Any]:
    """ModifyInstanceMetadataDefaults' parameters: API field -> new value, None to clear it."""
    changes: dict[str, Any] = {}
    for name, values in METADATA_PARAMETERS.items():
        if name in form:
            value = one_of(form, name, (*values, "no-preference"))
            changes[name] = None if value == "no-preference" else value
    if "HttpPutResponseHopLimit" in form:
        raw = form["HttpPutResponseHopLimit"]
        limit = hop_limit_of(raw) if raw.lstrip("-").isdigit() else None
        if limit is None:
            raise InvalidParameter("InvalidParameterValue",
                                   f"Value ({raw}) for parameter HttpPutResponseHopLimit is invalid. "
                                   "Valid values are integers from 1 to 64, or -1 for no preference.")
        changes["HttpPutResponseHopLimit"] = None if limit == -1 else limit
    return changes
