"""AWS Config's organization-wide operations (awsJson 1.1, target `StarlingDoveService`, signing name
`config`) that moto 5.2.5 lacks or gets wrong: aggregator source statuses, organization Config rules
and organization conformance packs. Everything else about Config is moto's (`handle` answers None).

moto has no `DescribeConfigurationAggregatorSourcesStatus` and no organization Config rules at all;
its organization conformance packs answer 500 without `OrganizationConformancePackNames` (a
TypeError), check nobody, page nothing and name packs with random suffixes. Here, as the Config API
reference and Developer Guide document:

- **Who may deploy**: the management account of an organization with all features, or a delegated
  administrator registered for `config-multiaccountsetup.amazonaws.com` ("Only a management account
  and a delegated administrator can call this API"). Anyone else gets
  `OrganizationAccessDeniedException`; an account in no organization `NoAvailableOrganizationException`
  (the `Put*` operations) and a consolidated-billing organization
  `OrganizationAllFeaturesNotEnabledException` (the `Put*` operations). All 400, as the json protocol
  sends Config's errors. `Put*` enables Organizations' trusted access for
  `config-multiaccountsetup.amazonaws.com`, as the API reference says it does.
- **Who sees what**: organization rules and conformance packs are kept per (deploying account,
  Region). The API reference says so in as many words: "If you deploy an organizational rule or
  conformance pack in an organization administrator account, and then establish a delegated
  administrator and deploy an organizational rule or conformance pack in the delegated administrator
  account, you won't be able to see the organizational rule or conformance pack in the organization
  administrator account from the delegated administrator account or see the organizational rule or
  conformance pack in the delegated administrator account from organization administrator account.
  The DescribeOrganizationConfigRules and DescribeOrganizationConformancePacks APIs can only see and
  interact with the organization-related resource that were deployed from within the account calling
  those APIs." A name the caller did not deploy is `NoSuchOrganizationConfigRuleException` /
  `NoSuchOrganizationConformancePackException`.
- **Paging**: `Limit` 0-100 (0 or absent: 100) and `NextToken` for the full listings; with names,
  both are ignored, as documented. A bad limit is `InvalidLimitException`, a bad token
  `InvalidNextTokenException`.
- **Deployment** completes at once: the status is CREATE_SUCCESSFUL (UPDATE_SUCCESSFUL after a
  second `Put`), and the detailed status lists every ACTIVE account of the organization (the
  management account included (u)) but the `ExcludedAccounts`, each with its member rule
  `OrgConfigRule-<name>-<suffix>` / pack `OrgConformsPack-<name>-<suffix>`, as AWS names them. An
  account that joins later is listed from then on, as AWS deploys to it.
- **ARNs** are deterministic: `arn:aws:config:<region>:<deployer>:organization-config-rule/<name>-<suffix>`
  and `...:organization-conformance-pack/<name>-<suffix>`, the suffix 8 characters hashed from the
  Region, name and a counter.
- **Aggregator sources**: `DescribeConfigurationAggregatorSourcesStatus` reads moto's aggregator in
  the caller's account and Region (`NoSuchConfigurationAggregatorException` otherwise). An
  organization aggregator has one source per ACTIVE account of the caller's organization and Region
  (its `AwsRegions`, or with `AllAwsRegions` every Region botocore lists for Config), `SourceType`
  ORGANIZATION and `SourceId` the account id (the model says "The source account ID or an
  organization"; per account is our reading (u)). An account aggregator has one per account and
  Region, `SourceType` ACCOUNT; a source account other than the aggregator's own that has not
  authorized the aggregator (`PutAggregationAuthorization` in that account and Region) is FAILED with
  `AuthorizationNotFoundException` (u). Every other source SUCCEEDED, at the aggregator's last update;
  what no API can cause (a member whose Config cannot be read, an opt-in Region) is set through
  `set_source_status` (admin endpoint).
- `PutConfigurationAggregator` with an `OrganizationAggregationSource` is refused
  (`OrganizationAccessDeniedException`) to an account that is neither the management account nor
  the delegated administrator for `config.amazonaws.com`; otherwise moto answers it.

Not modelled: member-side rules and packs (moto's `DescribeConfigRules` in a member does not list
`OrgConfigRule-...`), failures for members without a configuration recorder, deletion in progress
(`ResourceInUseException`), the conformance pack template's validity, limits on conformance packs,
the service-linked roles, and aggregators outliving their administrator.
"""

import base64
import hashlib
import re
import string
import threading
import time
from typing import Any

import botocore.session
from moto.config.models import config_backends

from . import wire
from .org import management_backend, organization_of
from .root_access import is_delegated_administrator

MULTI_ACCOUNT_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"
AGGREGATOR_PRINCIPAL = "config.amazonaws.com"
MAX_ORGANIZATION_RULES = 150  # per organization and Region ("Service Limits", Config Developer Guide)
DEFAULT_LIMIT = 100
SOURCE_STATUSES = ("SUCCEEDED", "FAILED", "OUTDATED")
RULE_METADATA = ("OrganizationManagedRuleMetadata", "OrganizationCustomRuleMetadata",
                 "OrganizationCustomPolicyRuleMetadata")

ACCESS_DENIED = ("This action can only be performed if you are a registered delegated administrator for AWS Config "
                 "with permissions to call ListDelegatedAdministrators API.")
NO_ORGANIZATION = "Organization is no longer available."
NOT_ALL_FEATURES = ("Config resource cannot be created because your organization does not have all features "
                    "enabled.")
NO_SUCH_AGGREGATOR = ("The configuration aggregator does not exist. Check the configuration aggregator name and "
                      "try again.")
NO_SUCH_RULE = "The organization config rule {name} does not exist."
NO_SUCH_PACK = ("One or more organization conformance packs with specified names are not present. Ensure your "
                "names are correct and try your request again later.")

_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


class Problem(Exception):
    """A modeled Config error (400, as the json protocol sends them)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def config_regions() -> list[str]:
    """Every Region botocore lists for Config in the aws partition: what `AllAwsRegions` covers."""
    return sorted(botocore.session.get_session().get_available_regions("config"))


def stamp() -> float:
    return round(time.time(), 3)


class ConfigOrg:
    """Organization Config rules and conformance packs of every deployer, and source-status overrides."""

    def __init__(self):
        self._lock = threading.RLock()
        # (deploying account, Region) -> name -> rule / pack
        self.rules: dict[tuple[str, str], dict[str, dict]] = {}
        self.packs: dict[tuple[str, str], dict[str, dict]] = {}
        # (source account, Region) -> the status an admin set
        self.source_overrides: dict[tuple[str, str], dict] = {}
        self._sequence = 0

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()
            self.packs.clear()
            self.source_overrides.clear()
            self._sequence = 0

    # --- dispatch ------------------------------------------------------------------------------------

    def handle(self, request: wire.AwsRequest, account_id: str):
        """Our answer to the operations above; None for every other Config operation (moto's)."""
        handlers = {
            "DescribeConfigurationAggregatorSourcesStatus": self.describe_sources_status,
            "PutConfigurationAggregator": self.put_configuration_aggregator,
            "PutOrganizationConfigRule": self.put_rule,
            "DescribeOrganizationConfigRules": self.describe_rules,
            "DescribeOrganizationConfigRuleStatuses": self.describe_rule_statuses,
            "GetOrganizationConfigRuleDetailedStatus": self.get_rule_detailed_status,
            "DeleteOrganizationConfigRule": self.delete_rule,
            "PutOrganizationConformancePack": self.put_pack,
            "DescribeOrganizationConformancePacks": self.describe_packs,
            "DescribeOrganizationConformancePackStatuses": self.describe_pack_statuses,
            "GetOrganizationConformancePackDetailedStatus": self.get_pack_detailed_status,
            "DeleteOrganizationConformancePack": self.delete_pack,
        }
        handler = handlers.get(request.action)
        if request.service != "config" or handler is None:
            return None
        try:
            body = request.json_body()
            if not isinstance(body, dict):
                raise Problem("ValidationException", "The request body must be a JSON object")
            with self._lock:
                answer = handler(body, account_id, request.region)
        except Problem as problem:
            return wire.error_response(request, problem.code, problem.message, 400)
        except ValueError as err:  # malformed JSON; bugs of ours go to the 500 path
            return wire.error_response(request, "ValidationException", f"Invalid request: {err}", 400)
        if answer is None:
            return None
        status, headers, payload = wire.json_response(answer)
        headers = [(k, "application/x-amz-json-1.1" if k == "Content-Type" else v) for k, v in headers]
        return status, headers, payload

    # --- who may ------------------------------------------------------------------------------------

    def _administrator(self, account_id: str, deploying: bool, principal: str = MULTI_ACCOUNT_PRINCIPAL) -> dict:
        """The caller's organization, when the caller is its management account or the delegated
        administrator of `principal`; AWS's refusal otherwise."""
        organization = organization_of(account_id)
        if organization is None:
            if deploying:
                raise Problem("NoAvailableOrganizationException", NO_ORGANIZATION)
            raise Problem("OrganizationAccessDeniedException", ACCESS_DENIED)
        management = organization["MasterAccountId"]
        if account_id != management and not is_delegated_administrator(management, account_id, principal):
            raise Problem("OrganizationAccessDeniedException", ACCESS_DENIED)
        if deploying and organization.get("FeatureSet") != "ALL":
            raise Problem("OrganizationAllFeaturesNotEnabledException", NOT_ALL_FEATURES)
        return organization

    def put_configuration_aggregator(self, body: dict, account_id: str, region: str):
        """Only the organization's Config administrators may aggregate it; moto stores the rest."""
        if body.get("OrganizationAggregationSource"):
            self._administrator(account_id, deploying=False, principal=AGGREGATOR_PRINCIPAL)
        return None

    # --- aggregator sources -------------------------------------------------------------------------

    def describe_sources_status(self, body: dict, account_id: str, region: str):
        name = str(body.get("ConfigurationAggregatorName") or "")
        aggregator = config_backends[account_id][region].config_aggregators.get(name)
        if aggregator is None:
            raise Problem("NoSuchConfigurationAggregatorException", NO_SUCH_AGGREGATOR)
        limit = page_limit(body)
        updated = aggregator.last_updated_time
        sources: list[dict] = []
        org_source = aggregator.organization_aggregation_source
        if org_source is not None:
            backend = management_backend(account_id)
            accounts = sorted(a.id for a in backend.accounts if a.status == "ACTIVE") if backend else []
            for source_account in accounts:
                for source_region in source_regions(org_source):
                    sources.append(self._source(source_account, source_region, "ORGANIZATION", "SUCCEEDED", updated))
        for account_source in aggregator.account_aggregation_sources or []:
            for source_account in account_source.account_ids:
                for source_region in source_regions(account_source):
                    authorized = source_account == account_id or authorizes(source_account, source_region,
                                                                            account_id, region)
                    source = self._source(source_account, source_region, "ACCOUNT",
                                          "SUCCEEDED" if authorized else "FAILED", updated)
                    if not authorized and source["LastUpdateStatus"] == "FAILED" and "LastErrorCode" not in source:
                        source["LastErrorCode"] = "AuthorizationNotFoundException"
                        source["LastErrorMessage"] = (f"Account {source_account} has not authorized the aggregator "
                                                      f"account {account_id} in {region} to collect its data.")
                    sources.append(source)
        wanted = body.get("UpdateStatus") or []
        if any(w not in SOURCE_STATUSES for w in wanted):
            raise Problem("InvalidParameterValueException", f"UpdateStatus must be among {', '.join(SOURCE_STATUSES)}")
        sources = [s for s in sources if not wanted or s["LastUpdateStatus"] in wanted]
        return page(sources, body, "AggregatedSourceStatusList", limit)

    def _source(self, account: str, region: str, kind: str, status: str, updated: Any) -> dict:
        source = {"SourceId": account, "SourceType": kind, "AwsRegion": region,
                  "LastUpdateStatus": status, "LastUpdateTime": updated}
        override = self.source_overrides.get((account, region))
        if override is not None:
            source.update(override)
        return source

    def set_source_status(self, account_id: str, region: str, status: str, error_code: str | None = None,
                          message: str | None = None) -> dict:
        """Sets how every aggregator sees the source (`account_id`, `region`): FAILED (with AWS's
        error code and message, e.g. a member whose Config cannot be read) or OUTDATED; SUCCEEDED
        puts it back to what the sandbox derives."""
        if not re.fullmatch(r"\d{12}", str(account_id)):
            raise ValueError("account_id must be a 12-digit account id")
        if region not in config_regions():
            raise ValueError(f"{region!r} is not a Region of AWS Config")
        if status not in SOURCE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SOURCE_STATUSES)}")
        with self._lock:
            if status == "SUCCEEDED":
                self.source_overrides.pop((account_id, region), None)
                return {"account_id": account_id, "region": region, "status": status}
            override: dict[str, Any] = {"LastUpdateStatus": status, "LastUpdateTime": stamp()}
            if error_code:
                override["LastErrorCode"] = error_code
            if message:
                override["LastErrorMessage"] = message
            self.source_overrides[(account_id, region)] = override
            return {"account_id": account_id, "region": region, "status": status}

    def source_status_admin(self, spec: dict) -> dict:
        """`POST /_posture/config/aggregator-source` with `{"account_id", "region", "status",
        "error_code"?, "error_message"?}`."""
        return self.set_source_status(spec["account_id"], spec["region"], spec["status"],
                                      spec.get("error_code"), spec.get("error_message"))

    # --- organization Config rules ------------------------------------------------------------------

    def put_rule(self, body: dict, account_id: str, region: str):
        organization = self._administrator(account_id, deploying=True)
        name = body.get("OrganizationConfigRuleName")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9-_]{1,64}", name):
            raise Problem("ValidationException", "OrganizationConfigRuleName must be 1 to 64 of A-Z, a-z, 0-9, - and _")
        given = [key for key in RULE_METADATA if body.get(key)]
        if len(given) != 1:
            raise Problem("ValidationException",
                          "Specify one of OrganizationManagedRuleMetadata, OrganizationCustomRuleMetadata or "
                          "OrganizationCustomPolicyRuleMetadata")
        kind = given[0]
        metadata = dict(body[kind])
        required = {
            "OrganizationManagedRuleMetadata": ("RuleIdentifier",),
            "OrganizationCustomRuleMetadata": ("LambdaFunctionArn", "OrganizationConfigRuleTriggerTypes"),
            "OrganizationCustomPolicyRuleMetadata": ("PolicyRuntime", "PolicyText"),
        }[kind]
        missing = [key for key in required if not metadata.get(key)]
        if missing:
            raise Problem("ValidationException", f"{kind} needs {', '.join(missing)}")
        excluded = check_accounts(body.get("ExcludedAccounts"))
        rules = self.rules.setdefault((account_id, region), {})
        rule = rules.get(name)
        if rule is None:
            if len(rules) >= MAX_ORGANIZATION_RULES:
                raise Problem("MaxNumberOfOrganizationConfigRulesExceededException",
                              f"You have reached the limit of {MAX_ORGANIZATION_RULES} organization Config rules.")
            suffix = self._suffix(account_id, region, name)
            rule = rules[name] = {
                "OrganizationConfigRuleName": name,
                "OrganizationConfigRuleArn": f"arn:aws:config:{region}:{account_id}:organization-config-rule/"
                                             f"{name}-{suffix}",
                "_suffix": suffix, "_status": "CREATE_SUCCESSFUL", "_tags": body.get("Tags") or [],
            }
        else:
            rule["_status"] = "UPDATE_SUCCESSFUL"
            for key in RULE_METADATA:
                rule.pop(key, None)
        rule[kind] = metadata
        rule["ExcludedAccounts"] = excluded
        rule["LastUpdateTime"] = stamp()
        enable_trusted_access(organization)
        return {"OrganizationConfigRuleArn": rule["OrganizationConfigRuleArn"]}

    def describe_rules(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        rules = self._selected(self.rules, account_id, region, body.get("OrganizationConfigRuleNames"),
                               "NoSuchOrganizationConfigRuleException", NO_SUCH_RULE)
        shown = []
        for rule in rules:
            item = public(rule)
            policy = item.get("OrganizationCustomPolicyRuleMetadata")
            if policy is not None:  # answered without the policy text (OrganizationCustomPolicyRuleMetadataNoPolicy)
                item["OrganizationCustomPolicyRuleMetadata"] = {k: v for k, v in policy.items() if k != "PolicyText"}
            shown.append(item)
        return self._page_or_all(shown, body, "OrganizationConfigRules", "OrganizationConfigRuleNames")

    def describe_rule_statuses(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        rules = self._selected(self.rules, account_id, region, body.get("OrganizationConfigRuleNames"),
                               "NoSuchOrganizationConfigRuleException", NO_SUCH_RULE)
        statuses = [{"OrganizationConfigRuleName": r["OrganizationConfigRuleName"],
                     "OrganizationRuleStatus": r["_status"], "LastUpdateTime": r["LastUpdateTime"]} for r in rules]
        return self._page_or_all(statuses, body, "OrganizationConfigRuleStatuses", "OrganizationConfigRuleNames")

    def get_rule_detailed_status(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        name = body.get("OrganizationConfigRuleName")
        [rule] = self._selected(self.rules, account_id, region, [name],
                                "NoSuchOrganizationConfigRuleException", NO_SUCH_RULE)
        filters = body.get("Filters") or {}
        members = [
            {"AccountId": member, "ConfigRuleName": f"OrgConfigRule-{name}-{rule['_suffix']}",
             "MemberAccountRuleStatus": rule["_status"], "LastUpdateTime": rule["LastUpdateTime"]}
            for member in deployed_accounts(account_id, rule["ExcludedAccounts"])
        ]
        members = [m for m in members if filters.get("AccountId") in (None, m["AccountId"])
                   and filters.get("MemberAccountRuleStatus") in (None, m["MemberAccountRuleStatus"])]
        return page(members, body, "OrganizationConfigRuleDetailedStatus", page_limit(body))

    def delete_rule(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        name = str(body.get("OrganizationConfigRuleName") or "")
        self._selected(self.rules, account_id, region, [name], "NoSuchOrganizationConfigRuleException", NO_SUCH_RULE)
        del self.rules[(account_id, region)][name]
        return {}

    # --- organization conformance packs -------------------------------------------------------------

    def put_pack(self, body: dict, account_id: str, region: str):
        organization = self._administrator(account_id, deploying=True)
        name = body.get("OrganizationConformancePackName")
        if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name):
            raise Problem("ValidationException", "OrganizationConformancePackName must match [a-zA-Z][-a-zA-Z0-9]*, "
                                                 "at most 128 characters")
        uri, template = body.get("TemplateS3Uri"), body.get("TemplateBody")
        if not uri and not template:
            raise Problem("ValidationException", "Specify TemplateS3Uri or TemplateBody")
        if uri and not re.fullmatch(r"s3://.+", uri):
            raise Problem("ValidationException", "TemplateS3Uri must match s3://.*")
        bucket = body.get("DeliveryS3Bucket")
        if bucket and not bucket.startswith("awsconfigconforms"):
            raise Problem("ValidationException", "DeliveryS3Bucket must be prefixed with awsconfigconforms")
        excluded = check_accounts(body.get("ExcludedAccounts"))
        packs = self.packs.setdefault((account_id, region), {})
        pack = packs.get(name)
        if pack is None:
            suffix = self._suffix(account_id, region, name)
            pack = packs[name] = {
                "OrganizationConformancePackName": name,
                "OrganizationConformancePackArn": f"arn:aws:config:{region}:{account_id}:"
                                                  f"organization-conformance-pack/{name}-{suffix}",
                "_suffix": suffix, "_status": "CREATE_SUCCESSFUL", "_tags": body.get("Tags") or [],
            }
        else:
            pack["_status"] = "UPDATE_SUCCESSFUL"
        for key in ("DeliveryS3Bucket", "DeliveryS3KeyPrefix"):
            pack.pop(key, None)
            if body.get(key):
                pack[key] = body[key]
        pack["ConformancePackInputParameters"] = list(body.get("ConformancePackInputParameters") or [])
        pack["ExcludedAccounts"] = excluded
        pack["LastUpdateTime"] = stamp()
        pack["_template"] = uri or template
        enable_trusted_access(organization)
        return {"OrganizationConformancePackArn": pack["OrganizationConformancePackArn"]}

    def describe_packs(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        packs = self._selected(self.packs, account_id, region, body.get("OrganizationConformancePackNames"),
                               "NoSuchOrganizationConformancePackException", NO_SUCH_PACK)
        return self._page_or_all([public(p) for p in packs], body, "OrganizationConformancePacks",
                                 "OrganizationConformancePackNames")

    def describe_pack_statuses(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        packs = self._selected(self.packs, account_id, region, body.get("OrganizationConformancePackNames"),
                               "NoSuchOrganizationConformancePackException", NO_SUCH_PACK)
        statuses = [{"OrganizationConformancePackName": p["OrganizationConformancePackName"],
                     "Status": p["_status"], "LastUpdateTime": p["LastUpdateTime"]} for p in packs]
        return self._page_or_all(statuses, body, "OrganizationConformancePackStatuses",
                                 "OrganizationConformancePackNames")

    def get_pack_detailed_status(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        name = body.get("OrganizationConformancePackName")
        [pack] = self._selected(self.packs, account_id, region, [name],
                                "NoSuchOrganizationConformancePackException", NO_SUCH_PACK)
        filters = body.get("Filters") or {}
        members = [
            {"AccountId": member, "ConformancePackName": f"OrgConformsPack-{name}-{pack['_suffix']}",
             "Status": pack["_status"], "LastUpdateTime": pack["LastUpdateTime"]}
            for member in deployed_accounts(account_id, pack["ExcludedAccounts"])
        ]
        members = [m for m in members if filters.get("AccountId") in (None, m["AccountId"])
                   and filters.get("Status") in (None, m["Status"])]
        return page(members, body, "OrganizationConformancePackDetailedStatuses", page_limit(body))

    def delete_pack(self, body: dict, account_id: str, region: str):
        self._administrator(account_id, deploying=False)
        name = str(body.get("OrganizationConformancePackName") or "")
        self._selected(self.packs, account_id, region, [name], "NoSuchOrganizationConformancePackException",
                       NO_SUCH_PACK)
        del self.packs[(account_id, region)][name]
        return {}

    # --- shared -------------------------------------------------------------------------------------

    def _suffix(self, account_id: str, region: str, name: str) -> str:
        self._sequence += 1
        # Not the account: moto's member account ids differ from run to run, the suffix must not.
        digest = hashlib.sha256(f"{region}:{name}:{self._sequence}".encode()).digest()
        return "".join(_SUFFIX_ALPHABET[byte % len(_SUFFIX_ALPHABET)] for byte in digest[:8])

    @staticmethod
    def _selected(store: dict, account_id: str, region: str, names: Any, code: str, message: str) -> list[dict]:
        """The caller's own items in this Region: the named ones (each must exist), or all by name."""
        mine = store.get((account_id, region), {})
        if not names:
            return [mine[name] for name in sorted(mine)]
        if not isinstance(names, list) or len(names) > 25:
            raise Problem("ValidationException", "Specify at most 25 names")
        missing = [name for name in names if name not in mine]
        if missing:
            raise Problem(code, message.format(name=missing[0]))
        return [mine[name] for name in names]

    @staticmethod
    def _page_or_all(items: list, body: dict, key: str, names_key: str) -> dict:
        limit = page_limit(body)
        if body.get(names_key):  # "Limit and next token are not applicable if you specify ... names"
            return {key: items}
        return page(items, body, key, limit)


def source_regions(source: Any) -> list[str]:
    return config_regions() if source.all_aws_regions else sorted(source.aws_regions or [])


def authorizes(source_account: str, source_region: str, account_id: str, region: str) -> bool:
    """Whether the source account has authorized the aggregator account and Region to collect its
    data from `source_region` (`PutAggregationAuthorization` there)."""
    try:
        authorizations = config_backends[source_account][source_region].aggregation_authorizations
    except KeyError:  # a Region moto does not know
        return False
    return f"{account_id}/{region}" in authorizations


def deployed_accounts(deployer: str, excluded: list[str]) -> list[str]:
    """The accounts an organization rule or pack is deployed to: every ACTIVE account of the
    organization but the excluded ones."""
    backend = management_backend(deployer)
    if backend is None:
        return []
    return sorted(a.id for a in backend.accounts if a.status == "ACTIVE" and a.id not in excluded)


def enable_trusted_access(organization: dict) -> None:
    backend = management_backend(organization["MasterAccountId"])
    if backend is not None:
        backend.enable_aws_service_access(ServicePrincipal=MULTI_ACCOUNT_PRINCIPAL)


def check_accounts(accounts: Any) -> list[str]:
    if accounts is None:
        return []
    if not isinstance(accounts, list) or len(accounts) > 1000 or \
            not all(isinstance(a, str) and re.fullmatch(r"\d{12}", a) for a in accounts):
        raise Problem("ValidationException", "ExcludedAccounts must be at most 1000 12-digit account ids")
    return list(accounts)


def public(item: dict) -> dict:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def page_limit(body: dict) -> int:
    limit = body.get("Limit")
    if limit is None or limit == 0:
        return DEFAULT_LIMIT
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        raise Problem("InvalidLimitException", "The limit must be between 0 and 100")
    return limit


def page(items: list, body: dict, key: str, limit: int) -> dict:
    """One page and the token for the next; tokens are opaque offsets, as clients must assume."""
    token = body.get("NextToken")
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except (ValueError, AttributeError):
        raise Problem("InvalidNextTokenException", "The nextToken provided is invalid") from None
    if start < 0 or start > len(items):
        raise Problem("InvalidNextTokenException", "The nextToken provided is invalid")
    result: dict[str, Any] = {key: items[start:start + limit]}
    if start + limit < len(items):
        result["NextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return result
