"""The seeder of the sandbox organization: builds it through the real AWS APIs and describes it.

    python sandbox/seed.py seed --endpoint URL [--members N] [--org-trail-bucket log-archive|management] --out PATH
    python sandbox/seed.py change --endpoint URL --description PATH

`seed` resets the sandbox, seeds moto's random generator, builds the organization of `build_plan`
through the AWS APIs, one request after the other, and writes the description of what it built. Every id
(organization, OUs, accounts, access keys, findings) is the same on every run with the same `--members`:
two descriptions differ only in `seeded_at` (and `endpoint`). `change` applies the before/after change
step (`CHANGE`) to a seeded sandbox and rewrites the description. Run it with the sandbox venv's python
(stdlib + boto3 only).

Everything is done the way an operator would do it in AWS: Organizations calls from the management
account (static credentials = moto's default account 123456789012), everything inside a member account
with the credentials of `sts:AssumeRole` into its `OrganizationAccountAccessRole`. Only what no AWS API can
express goes through the sandbox's admin endpoint: the root user's state (`/_posture/root`) and backdated
access keys (`/_posture/iam/access-key`).

The description (JSON, `"format": 1`) states what is true in the sandbox, so that tests and demos can
compare what posture reports with it:

    {
      "format": 1,
      "changed": false,                      # true once `change` has been applied
      "endpoint": "http://127.0.0.1:PORT",
      "seeded_at": "<RFC 3339>",
      "members": 8,                          # member accounts (the management account not counted)
      "regions": ["us-east-1", "eu-west-1"],
      "organization": {"id", "arn", "management_account_id", "root_id", "feature_set"},
      "trusted_access": ["cloudtrail.amazonaws.com", ...],   # as ListAWSServiceAccessForOrganization lists
                                             # it, every page: by EnableAWSServiceAccess, or by a
                                             # service's own admin designation (inspector2, macie,
                                             # securityhub, guardduty) or setup (sso)
      "org_trail_bucket": "log-archive" | "management",   # --org-trail-bucket: whose bucket the
                                             # organization trail writes into
      "organizational_units": [{"id", "name", "path": "/Workloads/Prod", "parent_id"}],
      "service_control_policies": {"enabled": true,       # the SCP policy type on the root
                                   "attached": [{"id", "name", "target_path": "/Workloads",
                                                 "guardrails": ["cloudtrail", ...],  # it holds
                                                 "regions_allowed": null | ["eu-west-1", ...]}]},
      "root_access": {"features": ["RootCredentialsManagement", "RootSessions"]},  # centralized root access
      "identity_center": null | {            # IAM Identity Center
        "organization_instance": {"arn", "region", "owner"},
        "permission_sets": [{"name", "arn", "accounts": ["<account id>", ...]}],  # assigned (and so
                                             # provisioned) there
        "account_instances": [{"account_id", "arn", "region"}]},  # made by a member in its own account
      "declarative_policies_ec2": {"enabled": true,   # DECLARATIVE_POLICY_EC2 on the root
        "attached": [{"id", "name", "target_path", "pins": {"image_block_public_access",
                      "snapshot_block_public_access", "http_tokens", "serial_console_access"}}],
        "account_level": [{"account_id", "name", "regions", "settings": {...}}]},  # the same values set
                                             # by the account itself, not pinned (ManagedBy account)
      "management_workloads": {"ec2_instances": [{"id", "region", "state"}],  # running in the management
                               "terminated_instances": [{"id", "region"}],    # account, or gone
                               "lambda_functions": [{"arn", "region"}]},
      "resource_control_policies": {"enabled": true,      # the RCP policy type on the root
                                    "attached": [{"id", "name", "target_path": "/Workloads",
                                                  "perimeter": ["S3", ...],  # outsiders denied
                                                  "tls": ["S3", ...]}]},     # plain HTTP denied
      "accounts": [{                         # the management account first, then the members in plan order
        "id", "name", "email",               # as Organizations reports them
        "ou_path": "/Security",              # "/" = directly under the root (the management account,
                                             # and acme-data-dev, left there)
        "status": "ACTIVE" | "SUSPENDED",
        "kind": "management" | "audit" | "log-archive" | "workload" | "sandbox",
        "root": {"password": bool, "mfa": bool, "access_keys": 0..2, "signing_certificates": 0..2},
        "iam_users": [{"name", "arn", "console_password": bool, "mfa": bool,
                       "access_keys": [{"id", "status": "Active" | "Inactive",
                                        "used": bool,           # a call was signed with it
                                        "backdated": null | {"create_date": RFC 3339 | null,
                                                             "last_used": RFC 3339 | null}}]}],
        "trails": [{"name", "arn", "home_region", "multi_region", "logging", "organization",
                    "log_file_validation", "s3_bucket",   # the organization trail: management account only
                    "s3_bucket_account",                  # who owns the bucket: the log-archive account
                                                          # for the organization trail (the management
                                                          # account with --org-trail-bucket management),
                                                          # else the trail's
                    "bucket_protection": {"deny_delete_outside_owner": bool,  # the bucket policy denies
                                          # s3:DeleteObject(Version) to principals outside the owner
                                          "object_lock": bool},   # Object Lock on (never: false)
                    "kms_key_id",                         # null = S3-managed encryption only
                    "management_events": "all" | "read-only" | "excludes-kms"}],
        "s3_buckets": ["<name>", ...],       # every bucket the account owns (ListBuckets), sorted
        "access_analyzers": [{"name", "arn", "type": "ACCOUNT" | "ORGANIZATION", "region"}],
        "security_hub_regions": ["us-east-1", ...],          # EnableSecurityHub done there
        "security_hub_standards": {"us-east-1": ["<StandardsArn>", ...]},  # per hub Region, as
                                             # GetEnabledStandards answers (all READY; [] = none)
        "guardduty_detector_regions": ["us-east-1", ...],    # an enabled GuardDuty detector there
        "config": [{"region",                                # AWS Config, one entry per Region
                    "recorder": null | {"name", "recording_strategy": "ALL_SUPPORTED_RESOURCE_TYPES"
                                          | "INCLUSION_BY_RESOURCE_TYPES" | "EXCLUSION_BY_RESOURCE_TYPES",
                                        "include_global_resource_types": bool,
                                        "resource_types": [...],          # inclusion: the only ones
                                        "excluded_resource_types": [...], # exclusion: left out
                                        "recording": bool},               # started and not stopped
                    "delivery_channel": null | {"name", "s3_bucket"}}]
      }],
      "delegated_administrators": [{"service_principal", "account_id",   # every designation, Organizations'
                                    # or the service's (GuardDuty's names the management account,
                                    # which Organizations does not list)
                                    "via": "organizations" | "securityhub" | "guardduty" | "inspector2"
                                           | "macie",
                                    "region": null | "us-east-1"}],   # null = Organizations (global)
      "guardduty_organization": null | {"admin": "<account id>",   # GuardDuty's administrator
        "regions": {"us-east-1": {"auto_enable_members": "NEW" | "ALL" | "NONE",
                                  "features": {"S3_DATA_EVENTS": "NEW", ...},   # every feature's AutoEnable
                                  "members": ["<account id>", ...]}}},   # RelationshipStatus Enabled
      "security_hub_central": null | {"admin": "<account id>", "home_region": "us-east-1",
        "policies": [{"id", "name", "standards": ["<StandardsArn>", ...]}],
        "associations": [{"target_path": "/Security", "policy_id"}],   # applied (the rest inherits)
        "accounts": {"<account id>": "<policy id>" | "SELF_MANAGED_SECURITY_HUB"}},   # every ACTIVE
                                             # account, the management account included: what applies
      "control_tower": {"landing_zone": {"arn", "region", "version", "latest_available_version",
                                         "drift": "IN_SYNC" | "DRIFTED"},
                        "governed_ous": ["/Security", ...],      # registered (an enabled baseline)
                        "ungoverned_ous": ["/Sandbox", ...],     # every other OU
                        "enabled_controls": [{"target_path", "control", "arn",
                                              "drift": "IN_SYNC" | "DRIFTED"}]},
      "config_aggregators": [{"name", "arn", "account_id", "region",   # AWS Config aggregators
                              "organization": bool,       # OrganizationAggregationSource
                              "all_aws_regions": bool, "aws_regions": [...]}],
      "external_access": [{                  # every finding of the analyzers above, read back; includes
                                             # the archived ones for OrganizationAccountAccessRole
        "analyzer_arn", "finding_id",
        "account_id",                        # the resource's owner
        "region",                            # the analyzer's region
        "resource", "resource_type", "public": bool,
        "expected_status": "ACTIVE" | "ARCHIVED" | "RESOLVED"}],
      "change": {                            # the change step, described before it is applied
        "resolved": [{"check": "root-mfa", "account_id"},
                     {"check": "external-access-findings", "account_id", "resource"}],
        "regressed": [{"check": "iam-user-access-keys", "account_id", "resource": "<user arn>"}]}
    }
"""

import argparse
import io
import json
import os
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

FORMAT = 1
MANAGEMENT_ACCOUNT_ID = "123456789012"  # moto's default account: any unknown static key acts in it
STATIC_CREDENTIALS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
HOME_REGION = "us-east-1"
EU_REGION = "eu-west-1"
REGIONS = (HOME_REGION, EU_REGION)
MEMBER_ROLE = "OrganizationAccountAccessRole"
RANDOM_SEED = 42
EMAIL_DOMAIN = "acme.example"
MIN_MEMBERS = 8
MAX_MEMBERS = 1000  # generated names have three digits

# OUs in creation order: a parent comes before its children.
OU_PATHS = ("/Security", "/Workloads", "/Workloads/Prod", "/Workloads/NonProd", "/Sandbox")

TRUSTED_ACCESS = (
    "cloudtrail.amazonaws.com",
    "securityhub.amazonaws.com",
    "guardduty.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "iam.amazonaws.com",  # centralized root access (moto 5.2.5 rejects it; the extension accepts it)
    # Administered through Organizations (moto has neither service, so neither's own admin API).
    "detective.amazonaws.com",
    "fms.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    # The deliberate gap: Backup is used, but administered from the management account (trusted
    # access and no delegated administrator).
    "backup.amazonaws.com",
    # inspector2 and macie get theirs from their own admin designation (designate_service_administrators),
    # sso from IAM Identity Center's organization instance.
)

S3_BUCKET = "AWS::S3::Bucket"
IAM_ROLE = "AWS::IAM::Role"

# The event selectors a trail gets, by style: (PutEventSelectors arguments, what they log of the
# management events). "default" puts none: CloudTrail then logs all management events (moto's
# GetEventSelectors answers an empty list for such a trail, AWS the default selector).
EVENT_SELECTORS: dict[str, tuple[dict[str, Any], str]] = {
    "default": ({}, "all"),
    "management-only": (
        {"AdvancedEventSelectors": [{
            "Name": "Management events selector",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
        }]},
        "all",
    ),
    "read-only": (
        {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]},
        "read-only",
    ),
    # A common cost saving: KMS events are noisy. The trail then no longer logs *all* management events.
    "excludes-kms": (
        {"AdvancedEventSelectors": [{
            "Name": "Management events without KMS",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
            ],
        }]},
        "excludes-kms",
    ),
}


class SeedError(Exception):
    """A failure the operator can act on; main() prints it as one line."""


# --- the plan: what the organization should look like, as data -------------------------------------

@dataclass(frozen=True)
class RootPlan:
    password: bool
    mfa: bool
    access_keys: int = 0
    signing_certificates: int = 0


PASSWORD_AND_MFA = RootPlan(password=True, mfa=True)
PASSWORD_ONLY = RootPlan(password=True, mfa=False)
NO_ROOT_CREDENTIALS = RootPlan(password=False, mfa=False)  # centralized root access


@dataclass(frozen=True)
class LastUse:
    """A backdated last use of an access key."""

    date: str
    service: str
    region: str = HOME_REGION


@dataclass(frozen=True)
class AccessKeyPlan:
    active: bool
    used: bool = False  # sign one real call with the key, so that IAM records its last use
    created_at: str | None = None  # backdated CreateDate; None keeps the server's clock
    last_use: LastUse | None = None  # backdated last use (after the real one)


@dataclass(frozen=True)
class UserPlan:
    name: str
    console_password: bool = False
    mfa: bool = False  # a virtual MFA device
    keys: tuple[AccessKeyPlan, ...] = ()


@dataclass(frozen=True)
class TrailPlan:
    name: str
    multi_region: bool
    logging: bool  # False: started, then stopped (a trail someone turned off)
    selectors: str = "default"  # a key of EVENT_SELECTORS
    organization: bool = False
    log_file_validation: bool = False
    kms: bool = False  # logs encrypted with a customer managed KMS key made for the trail
    # The plan name of the account whose bucket it writes into, which makes the bucket (with the
    # bucket policy CloudTrail needs) before the trail; None: a bucket of its own, made with the trail.
    bucket_account: str | None = None
    # The bucket policy refuses deleting log objects to every principal outside the bucket's account.
    deny_delete_outside_owner: bool = False


# Security Hub standards by StandardsArn, `{region}` the hub's Region.
FSBP = "arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_V5 = "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/5.0.0"
CIS_V3 = "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0"


@dataclass(frozen=True)
class SecurityHubPlan:
    """Security Hub enabled in one Region with these standards (StandardsArn, `{region}` filled
    in); None = EnableSecurityHub's own default standards, as an operator gets them by default."""

    region: str
    standards: tuple[str, ...] | None = ()


@dataclass(frozen=True)
class AnalyzerPlan:
    name: str
    type: str  # ACCOUNT | ORGANIZATION
    region: str


@dataclass(frozen=True)
class ExternalAccessPlan:
    """A resource that grants access outside the zone of trust, and the status its finding on the
    organization's analyzer ends in: ACTIVE (left alone), ARCHIVED (archived by the audit account),
    RESOLVED (recorded ACTIVE by one analysis, then the bucket policy is deleted)."""

    resource_type: str  # S3_BUCKET | IAM_ROLE
    name: str
    principal_account: str | None  # None = public (Principal "*")
    finding_status: str
    region: str = HOME_REGION  # of a bucket; roles are global


# The recording groups a configuration recorder gets, by style: "all" records every supported type
# (`global_types` adds the global IAM types), "inclusion" only INCLUDED_TYPES, "exclusion" every type
# but EXCLUDED_TYPES (a common cost saving). moto, like AWS, takes the global IAM types only with "all".
INCLUDED_TYPES = ("AWS::EC2::Instance", "AWS::S3::Bucket")
EXCLUDED_TYPES = ("AWS::EC2::NetworkInterface", "AWS::EC2::Volume")
RECORDING_STRATEGIES = {
    "all": "ALL_SUPPORTED_RESOURCE_TYPES",
    "inclusion": "INCLUSION_BY_RESOURCE_TYPES",
    "exclusion": "EXCLUSION_BY_RESOURCE_TYPES",
}


@dataclass(frozen=True)
class ConfigPlan:
    """AWS Config in one Region of an account: a recorder named `default` recording as `recording_group`
    says, and a delivery channel to the organization's Config bucket. A recorder cannot start without
    a channel (AWS and moto refuse), so `recording` needs `channel`; a Region without a plan has no
    recorder and no channel."""

    region: str
    recording_group: str = "all"  # a key of RECORDING_STRATEGIES
    global_types: bool = False  # includeGlobalResourceTypes ("all" only)
    channel: bool = True
    recording: bool = True  # False with a channel: started, then stopped (someone turned it off)


def config_in_every_region(global_region: str | None = HOME_REGION) -> tuple[ConfigPlan, ...]:
    """Every Region recording every type, the global IAM types in `global_region` only (None: nowhere)."""
    return tuple(ConfigPlan(region, global_types=region == global_region) for region in REGIONS)


@dataclass(frozen=True)
class AccountPlan:
    name: str
    ou_path: str
    kind: str
    root: RootPlan
    users: tuple[UserPlan, ...] = ()
    trails: tuple[TrailPlan, ...] = ()
    analyzers: tuple[AnalyzerPlan, ...] = ()
    external_access: tuple[ExternalAccessPlan, ...] = ()
    security_hub: tuple[SecurityHubPlan, ...] = ()
    guardduty_regions: tuple[str, ...] = ()
    config: tuple[ConfigPlan, ...] = ()
    closed: bool = False  # CloseAccount once seeded: SUSPENDED, but its resources stay

    @property
    def email(self) -> str:
        return f"aws+{self.name}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DelegatedAdminPlan:
    service_principal: str
    account_name: str
    # organizations | securityhub | guardduty | inspector2 | macie: the API that designates it (the
    # services' own APIs are called by the management account in the home Region).
    via: str


@dataclass(frozen=True)
class AggregatorPlan:
    """An AWS Config aggregator over the whole organization, made in `account_name` (AWS Config's
    delegated administrator) in `region`, gathering every Region or only `regions`."""

    name: str
    account_name: str
    region: str = HOME_REGION
    regions: tuple[str, ...] = ()  # empty: AllAwsRegions


@dataclass(frozen=True)
class PermissionSetPlan:
    """A permission set of the organization instance, assigned to one group in `accounts` (plan
    names); None: every member that is not closed, but those the plan leaves `unassigned`."""

    name: str
    accounts: tuple[str, ...] | None


@dataclass(frozen=True)
class IdentityCenterPlan:
    """IAM Identity Center: the organization instance in `region` (enabled as its console does), one
    group, the permission sets assigned to it, and the member that made an account instance of its
    own (as a team does for an application, outside the organization's sign-in)."""

    region: str
    permission_sets: tuple[PermissionSetPlan, ...]
    unassigned: tuple[str, ...]  # members no permission set reaches
    account_instance: str  # the member with an account instance


@dataclass(frozen=True)
class GuardDutyOrganizationPlan:
    """GuardDuty's organization configuration, set by its administrator (the account the plan's
    `guardduty` designation names) in `region`: auto-enable for members and features, and the
    members it adds: every ACTIVE member with a detector in `region` but those `left_out`."""

    region: str
    auto_enable_members: str
    features: tuple[tuple[str, str], ...]  # (feature name, AutoEnable)
    left_out: tuple[str, ...]


@dataclass(frozen=True)
class SecurityHubCentralPlan:
    """Security Hub central configuration, set by Security Hub's administrator in `region` (its home
    Region): one configuration policy, associated with `targets` (OU paths)."""

    region: str
    policy_name: str
    standards: tuple[str, ...]  # StandardsArns, `{region}` filled in
    targets: tuple[str, ...]


@dataclass(frozen=True)
class OrganizationPlan:
    management: AccountPlan
    members: tuple[AccountPlan, ...]
    delegated_admins: tuple[DelegatedAdminPlan, ...]
    config_aggregators: tuple[AggregatorPlan, ...] = ()
    identity_center: IdentityCenterPlan | None = None
    guardduty_organization: GuardDutyOrganizationPlan | None = None
    security_hub_central: SecurityHubCentralPlan | None = None

    @property
    def accounts(self) -> tuple[AccountPlan, ...]:
        return (self.management, *self.members)


# Plan names.
MANAGEMENT = "acme-management"
AUDIT = "acme-audit"
LOG_ARCHIVE = "acme-log-archive"
WEB_PROD = "acme-web-prod"
PAYMENTS_STAGING = "acme-payments-staging"
WEB_PROD_PUBLIC_BUCKET = "acme-web-prod-public-assets"


@dataclass(frozen=True)
class ChangePlan:
    """The change step: two failing things fixed, one new failure. Nothing else is touched."""

    root_mfa_account: str
    bucket_account: str
    bucket: str
    new_user_account: str
    new_user: UserPlan


CHANGE = ChangePlan(
    root_mfa_account=WEB_PROD,
    bucket_account=WEB_PROD,
    bucket=WEB_PROD_PUBLIC_BUCKET,
    new_user_account=PAYMENTS_STAGING,
    new_user=UserPlan("hotfix-deployer", keys=(AccessKeyPlan(active=True),)),
)


def base_members() -> tuple[AccountPlan, ...]:
    """The eight fixed members: a realistic landing zone with a realistic mix of good and bad settings."""
    return (
        AccountPlan(
            AUDIT, "/Security", "audit", NO_ROOT_CREDENTIALS,
            trails=(TrailPlan("audit-trail", True, True, selectors="read-only"),),
            analyzers=(AnalyzerPlan("acme-org-analyzer", "ORGANIZATION", HOME_REGION),),
            security_hub=(SecurityHubPlan(HOME_REGION, (FSBP, CIS_V5)), SecurityHubPlan(EU_REGION, (FSBP,))),
            guardduty_regions=REGIONS,
            config=config_in_every_region(),
        ),
        # Holds the organization trail's bucket and AWS Config's; its own trail writes into a bucket
        # of its own.
        AccountPlan(
            LOG_ARCHIVE, "/Security", "log-archive", NO_ROOT_CREDENTIALS,
            trails=(TrailPlan("log-archive-trail", True, True, log_file_validation=True),),
            config=(ConfigPlan(HOME_REGION, global_types=True), ConfigPlan(EU_REGION, "inclusion")),
        ),
        AccountPlan(
            "acme-payments-prod", "/Workloads/Prod", "workload", PASSWORD_AND_MFA,
            users=(UserPlan("payments-app", keys=(AccessKeyPlan(
                active=True, used=True, created_at="2025-03-01T09:14:00Z",
                last_use=LastUse("2026-11-20T17:42:00Z", "s3")),)),),
            trails=(TrailPlan("prod-trail", True, True, log_file_validation=True, kms=True),),
            analyzers=(AnalyzerPlan("payments-eu-analyzer", "ACCOUNT", EU_REGION),),
            external_access=(ExternalAccessPlan(IAM_ROLE, "vendor-audit-access", "999988887777", "ACTIVE"),),
            security_hub=(SecurityHubPlan(HOME_REGION, None),), guardduty_regions=(HOME_REGION,),
            config=(ConfigPlan(HOME_REGION, global_types=True), ConfigPlan(EU_REGION, recording=False)),
        ),
        AccountPlan(
            WEB_PROD, "/Workloads/Prod", "workload", PASSWORD_ONLY,
            trails=(TrailPlan("web-prod-trail", True, True, selectors="management-only",
                              log_file_validation=True),),
            analyzers=(AnalyzerPlan("web-prod-analyzer", "ACCOUNT", HOME_REGION),),
            external_access=(ExternalAccessPlan(S3_BUCKET, WEB_PROD_PUBLIC_BUCKET, None, "ACTIVE"),),
            config=(ConfigPlan(HOME_REGION, global_types=True),
                    ConfigPlan(EU_REGION, channel=False, recording=False)),
        ),
        AccountPlan(
            PAYMENTS_STAGING, "/Workloads/NonProd", "workload", PASSWORD_AND_MFA,
            users=(UserPlan("staging-deployer", keys=(AccessKeyPlan(active=False),)),),
            trails=(TrailPlan("staging-trail", False, True),),
            external_access=(ExternalAccessPlan(S3_BUCKET, "acme-staging-temp-share", None, "RESOLVED"),),
            # Recording everywhere, but nowhere the global IAM types: every Region fails.
            config=config_in_every_region(None),
        ),
        AccountPlan(
            # Left directly under the root, where only the root's guardrails reach it.
            "acme-data-dev", "/", "workload", RootPlan(True, False, access_keys=1),
            users=(UserPlan("etl-runner", keys=(AccessKeyPlan(active=True),)),
                   UserPlan("analyst-jane", console_password=True)),
            trails=(TrailPlan("dev-trail", True, False),),
            external_access=(ExternalAccessPlan(S3_BUCKET, "acme-data-dev-partner-share", "444455556666",
                                                "ARCHIVED"),),
        ),
        AccountPlan(
            "acme-sandbox-research", "/Sandbox", "sandbox", PASSWORD_ONLY,
            users=(UserPlan("researcher", keys=(
                AccessKeyPlan(active=True, used=True, last_use=LastUse("2026-08-01T10:05:00Z", "sagemaker")),
                AccessKeyPlan(active=False))),),
            config=(ConfigPlan(HOME_REGION, global_types=True), ConfigPlan(EU_REGION, "exclusion")),
        ),
        # Seeded like a forgotten account (a used key, root without MFA, no trail), then closed: a
        # scanner must skip it because Organizations says SUSPENDED, although its role still answers.
        AccountPlan(
            "acme-legacy-reporting", "/Sandbox", "sandbox", PASSWORD_ONLY,
            users=(UserPlan("report-exporter", keys=(AccessKeyPlan(active=True, used=True),)),),
            closed=True,
        ),
    )


def generated_member(n: int) -> AccountPlan:
    """Member 8+n (n = 1, 2, ...): odd n in Prod, even n in NonProd; settings cycle with n so that every
    large organization has the same proportions of good and bad."""
    stage = "prod" if n % 2 else "nonprod"
    prefix = f"svc-{n:03d}"
    trails = {
        0: (TrailPlan(f"{prefix}-trail", True, True),),
        1: (TrailPlan(f"{prefix}-trail", False, True),),
        2: (TrailPlan(f"{prefix}-trail", True, False),),
        3: (),
    }[n % 4]
    users = {
        0: (),
        1: (UserPlan(f"{prefix}-ci", keys=(AccessKeyPlan(active=True, used=True),)),),
        2: (UserPlan(f"{prefix}-deployer", keys=(AccessKeyPlan(active=False),)),),
    }[n % 3]
    root = {0: NO_ROOT_CREDENTIALS, 1: PASSWORD_AND_MFA, 2: PASSWORD_ONLY}[n % 3]
    config = {
        0: config_in_every_region(),
        1: (ConfigPlan(HOME_REGION, global_types=True),),
        2: (),
        3: config_in_every_region(EU_REGION),
    }[n % 4]
    ou = "/Workloads/Prod" if stage == "prod" else "/Workloads/NonProd"
    return AccountPlan(f"acme-{prefix}-{stage}", ou, "workload", root, users=users, trails=trails,
                       config=config)


# The Regions the region-restriction SCP leaves open, sorted as posture lists them.
SCANNED_REGIONS = tuple(sorted((HOME_REGION, EU_REGION)))

# The guardrails posture's scp-guardrails check asks for, by the names the description uses.
GUARDRAILS = ("leave-organization", "cloudtrail", "config", "guardduty", "securityhub", "root-user")


@dataclass(frozen=True)
class ScpPlan:
    """One SCP: its statements, the OU it is attached to, and which guardrails it holds (what
    `scp-guardrails` must find; a statement that looks like one but does not hold lists none)."""
    name: str
    statements: tuple[dict, ...]
    target_path: str
    guardrails: tuple[str, ...] = ()
    # The Regions an ordinary role may still use, for a Region restriction.
    regions_allowed: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.guardrails) - set(GUARDRAILS)
        if unknown:
            raise SeedError(f"SCP {self.name} names guardrails scp-guardrails does not ask for: {sorted(unknown)}")


SCP_PLAN = (
    ScpPlan("deny-leave-organization",
            ({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},),
            "/Workloads", ("leave-organization",)),
    # Wildcards and a Control Tower-style exemption: it still holds for every other principal.
    ScpPlan("protect-security-services",
            ({"Effect": "Deny", "Resource": "*",
              "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "config:Stop*",
                         "config:Delete*", "guardduty:DeleteDetector", "guardduty:Disassociate*",
                         "securityhub:DisableSecurityHub", "securityhub:Disassociate*"],
              "Condition": {"ArnNotLike": {
                  "aws:PrincipalArn": "arn:aws:iam::*:role/AWSControlTowerExecution"}}},),
            "/Workloads", ("cloudtrail", "config", "guardduty", "securityhub")),
    ScpPlan("deny-root-user",
            ({"Effect": "Deny", "Action": "*", "Resource": "*",
              "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}},),
            "/Workloads/Prod", ("root-user",)),
    # NotAction: everything but the global services is denied outside the two Regions.
    ScpPlan("region-restriction",
            ({"Effect": "Deny", "Resource": "*",
              "NotAction": ["iam:*", "organizations:*", "sts:*", "cloudfront:*", "route53:*",
                            "support:*", "budgets:*"],
              "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(SCANNED_REGIONS)}}},),
            "/Workloads/Prod", regions_allowed=SCANNED_REGIONS),
    # Looks like a guardrail, holds in none of the scanned Regions.
    ScpPlan("deny-stop-logging-in-us-west-2",
            ({"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*",
              "Condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"}}},),
            "/Sandbox"),
)


# The services rcp-data-perimeter probes, by the names it gives them, with the actions an RCP names.
RCP_SERVICES = {"S3": "s3:*", "STS": "sts:*", "KMS": "kms:*", "SQS": "sqs:*", "Secrets Manager": "secretsmanager:*"}


@dataclass(frozen=True)
class RcpPlan:
    """One RCP and the OU it is attached to: for `perimeter`'s services it denies callers outside
    the organization (AWS services exempt), for `tls`'s it denies plain HTTP (what
    `rcp-data-perimeter` must find)."""
    name: str
    target_path: str
    perimeter: tuple[str, ...]
    tls: tuple[str, ...]

    def document(self, organization_id: str) -> dict:
        statements = []
        if self.perimeter:
            statements.append({
                "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Resource": "*",
                "Action": [RCP_SERVICES[s] for s in self.perimeter],
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": organization_id},
                              "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
        if self.tls:
            statements.append({
                "Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Resource": "*",
                "Action": [RCP_SERVICES[s] for s in self.tls],
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})
        return {"Version": "2012-10-17", "Statement": statements}


# The whole perimeter on /Workloads, S3 only on /Sandbox, none on /Security.
RCP_PLAN = (
    RcpPlan("data-perimeter", "/Workloads", tuple(RCP_SERVICES), tuple(RCP_SERVICES)),
    RcpPlan("s3-perimeter", "/Sandbox", ("S3",), ("S3",)),
)


# Where the organization trail writes (`seed --org-trail-bucket`): the log-archive account's bucket,
# protected as landing zones protect it, or a bucket of the management account's own.
ORG_TRAIL_BUCKETS = {"log-archive": LOG_ARCHIVE, "management": MANAGEMENT}


def build_plan(members: int, org_trail_bucket: str = "log-archive") -> OrganizationPlan:
    bucket_owner = ORG_TRAIL_BUCKETS[org_trail_bucket]
    management = AccountPlan(
        MANAGEMENT, "/", "management", PASSWORD_AND_MFA,
        users=(UserPlan("breakglass-admin", console_password=True, mfa=True),
               UserPlan("legacy-billing-export", keys=(AccessKeyPlan(active=True, used=True),))),
        trails=(TrailPlan("acme-org-trail", True, True, selectors="excludes-kms", organization=True,
                          log_file_validation=True, kms=True, bucket_account=bucket_owner,
                          deny_delete_outside_owner=bucket_owner == LOG_ARCHIVE),),
        # Enabled, but with no standard: Security Hub then evaluates nothing.
        security_hub=(SecurityHubPlan(HOME_REGION),), guardduty_regions=(HOME_REGION,),
        config=config_in_every_region(),
    )
    generated = tuple(generated_member(n) for n in range(1, members - len(base_members()) + 1))
    return OrganizationPlan(
        management=management,
        members=base_members() + generated,
        delegated_admins=(
            DelegatedAdminPlan("securityhub.amazonaws.com", AUDIT, "securityhub"),
            # The deliberate bad one: the management account administers GuardDuty itself.
            DelegatedAdminPlan("guardduty.amazonaws.com", MANAGEMENT, "guardduty"),
            DelegatedAdminPlan("access-analyzer.amazonaws.com", AUDIT, "organizations"),
            DelegatedAdminPlan("config.amazonaws.com", AUDIT, "organizations"),
            DelegatedAdminPlan("config-multiaccountsetup.amazonaws.com", AUDIT, "organizations"),
            DelegatedAdminPlan("inspector2.amazonaws.com", AUDIT, "inspector2"),
            # Deliberately not the audit account: the security tooling is split over two accounts.
            DelegatedAdminPlan("macie.amazonaws.com", LOG_ARCHIVE, "macie"),
            # moto has neither Detective nor Firewall Manager: designated through Organizations.
            DelegatedAdminPlan("detective.amazonaws.com", AUDIT, "organizations"),
            DelegatedAdminPlan("fms.amazonaws.com", AUDIT, "organizations"),
            DelegatedAdminPlan("member.org.stacksets.cloudformation.amazonaws.com", AUDIT, "organizations"),
        ),
        config_aggregators=(AggregatorPlan("acme-organization", AUDIT),),
        # The forgotten account under the root is reached by no permission set; the research sandbox
        # runs an account instance of its own.
        identity_center=IdentityCenterPlan(
            HOME_REGION,
            (PermissionSetPlan("AdministratorAccess", (MANAGEMENT, AUDIT, LOG_ARCHIVE)),
             PermissionSetPlan("ReadOnlyAccess", None)),
            unassigned=("acme-data-dev",),
            account_instance="acme-sandbox-research",
        ),
        # New accounts join GuardDuty on their own; the old ones had to be added, and one was not:
        # acme-payments-prod ran GuardDuty before the organization set this up.
        guardduty_organization=GuardDutyOrganizationPlan(
            HOME_REGION, "NEW", (("S3_DATA_EVENTS", "NEW"), ("EKS_AUDIT_LOGS", "NEW")),
            left_out=("acme-payments-prod",)),
        # One baseline, on every top-level OU but /Sandbox: the sandbox OU, the accounts directly
        # under the root (the management account, acme-data-dev) stay self-managed.
        security_hub_central=SecurityHubCentralPlan(
            HOME_REGION, "acme-security-baseline", (FSBP, CIS_V3), ("/Security", "/Workloads")),
    )


# --- talking to the sandbox ------------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


class Sandbox:
    """One sandbox endpoint: AWS clients for it and its admin endpoint.

    All clients come from one botocore session, whose loader caches the service models: creating a
    client is then about a millisecond instead of tens (measured: IAM 49 ms for the first, 3 ms after)."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")
        self._session = botocore.session.get_session()
        self._config = Config(retries={"mode": "standard", "max_attempts": 10}, connect_timeout=5,
                              read_timeout=60)
        self.management = Credentials(*STATIC_CREDENTIALS)

    def client(self, service: str, credentials: Credentials, region: str = HOME_REGION):
        return self._session.create_client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
            config=self._config,
        )

    def check_health(self) -> None:
        """Fails at once if nothing answers: the AWS clients would retry for half a minute first."""
        self.call("GET", "/_posture/health")

    def post(self, path: str, body: dict | None = None) -> dict:
        return self.call("POST", path, body)

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        """Calls the admin endpoint (or moto's /moto-api/); answers the JSON reply ({} if none)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.endpoint + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace").strip()
            try:
                detail = json.loads(detail).get("error", detail)
            except (ValueError, AttributeError):
                pass
            raise SeedError(f"{method} {path} answered HTTP {err.code}: {detail or err.reason}") from err
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise SeedError(f"the sandbox at {self.endpoint} is not answering ({reason})") from err
        if not payload.strip():
            return {}
        try:
            return json.loads(payload)
        except ValueError as err:
            raise SeedError(f"{method} {path} answered something that is not JSON: {payload[:80]!r}") from err

    def assume_member_role(self, sts, account_id: str) -> Credentials:
        """Credentials in a member account, as an operator gets them: AssumeRole from the management
        account into the role Organizations created with the account."""
        answer = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}",
                                 RoleSessionName="posture-seed")["Credentials"]
        return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])

    def credentials_for(self, sts, account_id: str) -> Credentials:
        if account_id == MANAGEMENT_ACCOUNT_ID:
            return self.management
        return self.assume_member_role(sts, account_id)

    def set_root(self, account_id: str, root: RootPlan) -> dict:
        """Sets the root user's state; answers it as the sandbox now holds it."""
        state = self.post("/_posture/root", {
            "account_id": account_id, "password": root.password, "mfa": root.mfa,
            "access_keys": root.access_keys, "signing_certificates": root.signing_certificates})
        return {name: state.get(name) for name in ("password", "mfa", "access_keys", "signing_certificates")}


class AccountClients:
    """The clients of one account, created on first use (one account needs only a few of them)."""

    def __init__(self, sandbox: Sandbox, credentials: Credentials):
        self._sandbox = sandbox
        self.credentials = credentials
        self._clients: dict[tuple[str, str], object] = {}

    def __call__(self, service: str, region: str = HOME_REGION):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._sandbox.client(service, self.credentials, region)
        return self._clients[key]


# --- building the organization (sequential: ids come out in the same order every run) --------------

@dataclass
class Organization:
    """The organization as built: ids from the answers of the Organizations API."""

    description: dict
    root_id: str
    ous: list[dict]
    account_ids: dict[str, str]  # plan name -> id
    scps: list[dict] = field(default_factory=list)  # {"id", "name", "target_path"}
    rcps: list[dict] = field(default_factory=list)  # {"id", "name", "target_path"}


def build_organization(sandbox: Sandbox, plan: OrganizationPlan) -> Organization:
    orgs = sandbox.client("organizations", sandbox.management)
    description = orgs.create_organization(FeatureSet="ALL")["Organization"]
    # The management account's name is the one its owner chose at sign-up; the Account Management
    # API renames it (moto names it "master"; the sandbox extension implements PutAccountName).
    sandbox.client("account", sandbox.management).put_account_name(AccountName=MANAGEMENT)
    root_id = orgs.list_roots()["Roots"][0]["Id"]

    ou_ids = {"/": root_id}
    ous = []
    for path in OU_PATHS:
        parent_path, name = path.rsplit("/", 1)
        parent_id = ou_ids[parent_path or "/"]
        ou = orgs.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]
        ou_ids[path] = ou["Id"]
        ous.append({"id": ou["Id"], "name": name, "path": path, "parent_id": parent_id})

    account_ids = {MANAGEMENT: description["MasterAccountId"]}
    for member in plan.members:
        status = orgs.create_account(AccountName=member.name, Email=member.email)["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            # AWS creates accounts asynchronously; moto at once. Anything else is a sandbox we don't know.
            raise SeedError(f"CreateAccount {member.name} answered {status['State']}, expected SUCCEEDED")
        account_ids[member.name] = status["AccountId"]
        if member.ou_path != "/":
            orgs.move_account(AccountId=status["AccountId"], SourceParentId=root_id,
                              DestinationParentId=ou_ids[member.ou_path])

    # SCPs on; the guardrails on /Workloads (and more on /Workloads/Prod), /Security none, and on
    # /Sandbox one that holds nowhere scanned.
    orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    scps = []
    for scp in SCP_PLAN:
        policy = orgs.create_policy(
            Name=scp.name, Type="SERVICE_CONTROL_POLICY", Description=f"{scp.name} (posture sandbox)",
            Content=json.dumps({"Version": "2012-10-17", "Statement": list(scp.statements)}))["Policy"]
        policy_id = policy["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=policy_id, TargetId=ou_ids[scp.target_path])
        scps.append({"id": policy_id, "name": scp.name, "target_path": scp.target_path,
                     "guardrails": list(scp.guardrails),
                     "regions_allowed": None if scp.regions_allowed is None else list(scp.regions_allowed)})

    # RCPs on: the data perimeter on /Workloads, a partial one on /Sandbox, none on /Security.
    orgs.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    rcps = []
    for rcp in RCP_PLAN:
        policy = orgs.create_policy(
            Name=rcp.name, Type="RESOURCE_CONTROL_POLICY", Description=f"{rcp.name} (posture sandbox)",
            Content=json.dumps(rcp.document(description["Id"])))["Policy"]
        policy_id = policy["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=policy_id, TargetId=ou_ids[rcp.target_path])
        rcps.append({"id": policy_id, "name": rcp.name, "target_path": rcp.target_path,
                     "perimeter": list(rcp.perimeter), "tls": list(rcp.tls)})

    for principal in TRUSTED_ACCESS:
        orgs.enable_aws_service_access(ServicePrincipal=principal)
    # Centralized root access, as the management account turns it on; the members' root users are
    # then set through the admin endpoint (some keep a password, an MFA device or a key).
    iam = sandbox.client("iam", sandbox.management)
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    for admin in plan.delegated_admins:
        if admin.via == "organizations":
            orgs.register_delegated_administrator(AccountId=account_ids[admin.account_name],
                                                  ServicePrincipal=admin.service_principal)
    return Organization(description, root_id, ous, account_ids, scps, rcps)


# --- seeding one account ---------------------------------------------------------------------------

@dataclass
class AccountOutcome:
    account_id: str
    credentials: Credentials
    root: dict
    iam_users: list[dict]
    trails: list[dict]
    security_hub_standards: dict[str, list[str]]
    config: list[dict] = field(default_factory=list)
    access_analyzers: list[dict] = field(default_factory=list)


def seed_account(sandbox: Sandbox, sts, plan: AccountPlan, account_ids: dict[str, str],
                 config_bucket: str) -> AccountOutcome:
    """Everything inside one account: root user, IAM users, trails, resources that grant external
    access, Security Hub, GuardDuty and AWS Config. Access analyzers come later, once every resource
    exists."""
    account_id = account_ids[plan.name]
    clients = AccountClients(sandbox, sandbox.credentials_for(sts, account_id))
    root = sandbox.set_root(account_id, plan.root)
    users = [create_user(sandbox, clients, account_id, user) for user in plan.users]
    trails = [create_trail(clients, account_id, trail, account_ids[trail.bucket_account or plan.name])
              for trail in plan.trails]
    for resource in plan.external_access:
        create_external_access(clients, resource)
    standards = {hub.region: enable_security_hub(clients, hub) for hub in plan.security_hub}
    for region in plan.guardduty_regions:
        clients("guardduty", region).create_detector(Enable=True)
    config = create_config(clients, plan.config, config_bucket)
    return AccountOutcome(account_id, clients.credentials, root, users, trails, standards, config)


def enable_security_hub(clients: AccountClients, hub: SecurityHubPlan) -> list[str]:
    """Enables Security Hub and the planned standards in one Region; answers the StandardsArns that
    GetEnabledStandards then lists as READY."""
    securityhub = clients("securityhub", hub.region)
    if hub.standards is None:
        securityhub.enable_security_hub()
    else:
        securityhub.enable_security_hub(EnableDefaultStandards=False)
        if hub.standards:
            securityhub.batch_enable_standards(StandardsSubscriptionRequests=[
                {"StandardsArn": arn.format(region=hub.region)} for arn in hub.standards])
    enabled = []
    for page in securityhub.get_paginator("get_enabled_standards").paginate():
        for subscription in page["StandardsSubscriptions"]:
            if subscription["StandardsStatus"] != "READY":
                raise SeedError(f"standard {subscription['StandardsArn']} in {hub.region} is "
                                f"{subscription['StandardsStatus']}, expected READY")
            enabled.append(subscription["StandardsArn"])
    return enabled


CONFIG_RECORDER = "default"
CONFIG_CHANNEL = "default"


def create_config(clients: AccountClients, plans: tuple[ConfigPlan, ...], bucket: str) -> list[dict]:
    """AWS Config in each Region of `plans`, as an operator sets it up: the service-linked role once,
    then per Region the recorder, the delivery channel, and start (and stop, for a stopped one).
    Answers the description's entry for every Region, planned or not."""
    planned = {plan.region: plan for plan in plans}
    role_arn = None
    if plans:
        role_arn = clients("iam").create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]["Arn"]
    described: list[dict[str, Any]] = []
    for region in REGIONS:
        plan = planned.get(region)
        if plan is None:
            described.append({"region": region, "recorder": None, "delivery_channel": None})
            continue
        if plan.recording and not plan.channel:
            raise SeedError(f"a recorder cannot record without a delivery channel ({region})")
        strategy = RECORDING_STRATEGIES[plan.recording_group]
        group: dict[str, Any] = {"recordingStrategy": {"useOnly": strategy}}
        if plan.recording_group == "all":
            group |= {"allSupported": True, "includeGlobalResourceTypes": plan.global_types}
        elif plan.recording_group == "inclusion":
            group |= {"allSupported": False, "resourceTypes": list(INCLUDED_TYPES)}
        else:
            group |= {"allSupported": False, "exclusionByResourceTypes": {"resourceTypes": list(EXCLUDED_TYPES)}}
        config = clients("config", region)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": CONFIG_RECORDER, "roleARN": role_arn, "recordingGroup": group})
        channel: dict[str, str] | None = None
        if plan.channel:
            config.put_delivery_channel(DeliveryChannel={"name": CONFIG_CHANNEL, "s3BucketName": bucket})
            channel = {"name": CONFIG_CHANNEL, "s3_bucket": bucket}
            config.start_configuration_recorder(ConfigurationRecorderName=CONFIG_RECORDER)
            if not plan.recording:
                config.stop_configuration_recorder(ConfigurationRecorderName=CONFIG_RECORDER)
        described.append({
            "region": region,
            "recorder": {
                "name": CONFIG_RECORDER, "recording_strategy": strategy,
                "include_global_resource_types": plan.recording_group == "all" and plan.global_types,
                "resource_types": list(INCLUDED_TYPES) if plan.recording_group == "inclusion" else [],
                "excluded_resource_types": list(EXCLUDED_TYPES) if plan.recording_group == "exclusion" else [],
                "recording": plan.recording,
            },
            "delivery_channel": channel,
        })
    return described


def create_user(sandbox: Sandbox, clients: AccountClients, account_id: str, user: UserPlan) -> dict:
    iam = clients("iam")
    arn = iam.create_user(UserName=user.name)["User"]["Arn"]
    if user.console_password:
        iam.create_login_profile(UserName=user.name, Password=f"Acme!{user.name}#2026",
                                 PasswordResetRequired=False)
    if user.mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user.name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=user.name, SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
    keys = [create_access_key(sandbox, iam, account_id, user.name, key) for key in user.keys]
    return {"name": user.name, "arn": arn, "console_password": user.console_password, "mfa": user.mfa,
            "access_keys": keys}


def create_access_key(sandbox: Sandbox, iam, account_id: str, user_name: str, key: AccessKeyPlan) -> dict:
    created = iam.create_access_key(UserName=user_name)["AccessKey"]
    key_id = created["AccessKeyId"]
    if key.used:
        # A real signed call, so that IAM itself records AccessKeyLastUsed (moto does for any call).
        sandbox.client("sts", Credentials(key_id, created["SecretAccessKey"])).get_caller_identity()
    if not key.active:
        iam.update_access_key(UserName=user_name, AccessKeyId=key_id, Status="Inactive")
    backdated = None
    if key.created_at or key.last_use:
        body = {"account_id": account_id, "access_key_id": key_id}
        if key.created_at:
            body["create_date"] = key.created_at
        if key.last_use:
            body["last_used"] = {"date": key.last_use.date, "service": key.last_use.service,
                                 "region": key.last_use.region}
        sandbox.post("/_posture/iam/access-key", body)
        backdated = {"create_date": key.created_at, "last_used": key.last_use.date if key.last_use else None}
    return {"id": key_id, "status": "Active" if key.active else "Inactive", "used": key.used,
            "backdated": backdated}


def trail_bucket(trail: TrailPlan, bucket_owner_id: str) -> str:
    """The bucket a trail writes into, named after the account that owns it."""
    if trail.organization:
        return f"acme-org-cloudtrail-logs-{bucket_owner_id}"
    return f"acme-cloudtrail-{bucket_owner_id}"


def create_log_buckets(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> str:
    """The buckets other accounts deliver logs into, made by their owners before any account is
    seeded, each with the bucket policy AWS documents for its writer (moto checks that a trail's
    bucket exists, in any account, and neither the policy nor a delivery channel's bucket; AWS does):
    the bucket of each trail planned with a `bucket_account` (the organization trail's: the
    log-archive account's, whose policy also refuses deleting logs to everyone outside that account,
    or with `--org-trail-bucket management` one of the management account's own, with CloudTrail's
    statements only), and the organization's AWS Config bucket, in the log-archive account as
    landing zones keep it. Answers the AWS Config bucket's name."""
    sts = sandbox.client("sts", sandbox.management)
    owners: dict[str, AccountClients] = {}

    def create_owned_bucket(owner_id: str, bucket: str, statements: list[dict]) -> None:
        if owner_id not in owners:
            owners[owner_id] = AccountClients(sandbox, sandbox.credentials_for(sts, owner_id))
        create_bucket(owners[owner_id], bucket, HOME_REGION)
        policy = {"Version": "2012-10-17", "Statement": statements}
        owners[owner_id]("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    for account in plan.accounts:
        account_id = org.account_ids[account.name]
        for trail in account.trails:
            if trail.bucket_account is None:
                continue
            owner_id = org.account_ids[trail.bucket_account]
            bucket = trail_bucket(trail, owner_id)
            trail_arn = f"arn:aws:cloudtrail:{HOME_REGION}:{account_id}:trail/{trail.name}"
            # The bucket policy of AWS's CloudTrail guide: the management account's own logs and,
            # for an organization trail, every member's under the organization id.
            prefixes = [account_id] + ([org.description["Id"]] if trail.organization else [])
            # As landing zones protect the log archive: no one outside the bucket's account deletes logs.
            protection = [{
                "Sid": "DenyLogDeletionOutsideLogArchive", "Effect": "Deny", "Principal": "*",
                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringNotEquals": {"aws:PrincipalAccount": owner_id}}}]
            if not trail.deny_delete_outside_owner:
                protection = []
            create_owned_bucket(owner_id, bucket, [
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
                 "Resource": f"arn:aws:s3:::{bucket}",
                 "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": [f"arn:aws:s3:::{bucket}/AWSLogs/{prefix}/*" for prefix in prefixes],
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                                "aws:SourceArn": trail_arn}}},
                *protection,
            ])
    # AWS Config's, for delivery from every account of the organization.
    log_archive_id = org.account_ids[LOG_ARCHIVE]
    config_bucket = f"acme-aws-config-{log_archive_id}"
    organization_only = {"StringEquals": {"aws:SourceOrgID": org.description["Id"]}}
    create_owned_bucket(log_archive_id, config_bucket, [
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow",
         "Principal": {"Service": "config.amazonaws.com"}, "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
         "Resource": f"arn:aws:s3:::{config_bucket}", "Condition": organization_only},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow",
         "Principal": {"Service": "config.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{config_bucket}/AWSLogs/*/Config/*", "Condition": organization_only},
    ])
    return config_bucket


def check_org_trail_bucket(sandbox: Sandbox, outcomes: dict[str, "AccountOutcome"]) -> None:
    """Reads the organization trail's bucket back in its owner's account, as posture reads it: the
    bucket policy holds the deny statement exactly when planned, and Object Lock is off
    (`ObjectLockConfigurationNotFoundError`)."""
    for outcome in outcomes.values():
        for trail in outcome.trails:
            if not trail["organization"]:
                continue
            owner = next(o for o in outcomes.values() if o.account_id == trail["s3_bucket_account"])
            s3 = sandbox.client("s3", owner.credentials)
            policy = json.loads(s3.get_bucket_policy(Bucket=trail["s3_bucket"])["Policy"])
            denies = any(statement.get("Sid") == "DenyLogDeletionOutsideLogArchive"
                         for statement in policy["Statement"])
            if denies != trail["bucket_protection"]["deny_delete_outside_owner"]:
                raise SeedError(f"the bucket policy of {trail['s3_bucket']} does not hold the planned protection")
            try:
                s3.get_object_lock_configuration(Bucket=trail["s3_bucket"])
            except ClientError as err:
                if err.response["Error"]["Code"] != "ObjectLockConfigurationNotFoundError":
                    raise
            else:
                raise SeedError(f"{trail['s3_bucket']} has an Object Lock configuration, which the plan never makes")


def create_trail(clients: AccountClients, account_id: str, trail: TrailPlan, bucket_owner_id: str) -> dict:
    bucket = trail_bucket(trail, bucket_owner_id)
    if trail.bucket_account is None:
        create_bucket(clients, bucket, HOME_REGION)  # else create_log_buckets made it
    cloudtrail = clients("cloudtrail", HOME_REGION)
    encryption = {}
    if trail.kms:
        key = clients("kms", HOME_REGION).create_key(Description=f"CloudTrail logs of {trail.name}")
        encryption["KmsKeyId"] = key["KeyMetadata"]["Arn"]
    arn = cloudtrail.create_trail(
        Name=trail.name, S3BucketName=bucket, IsMultiRegionTrail=trail.multi_region,
        EnableLogFileValidation=trail.log_file_validation, IsOrganizationTrail=trail.organization,
        **encryption,
    )["TrailARN"]
    selectors, management_events = EVENT_SELECTORS[trail.selectors]
    if selectors:
        cloudtrail.put_event_selectors(TrailName=trail.name, **selectors)
    cloudtrail.start_logging(Name=trail.name)
    if not trail.logging:
        cloudtrail.stop_logging(Name=trail.name)
    return {"name": trail.name, "arn": arn, "home_region": HOME_REGION, "multi_region": trail.multi_region,
            "logging": trail.logging, "organization": trail.organization,
            "log_file_validation": trail.log_file_validation, "s3_bucket": bucket,
            "s3_bucket_account": bucket_owner_id,
            # Object Lock is never enabled (GetObjectLockConfiguration: ObjectLockConfigurationNotFoundError).
            "bucket_protection": {"deny_delete_outside_owner": trail.deny_delete_outside_owner, "object_lock": False},
            "kms_key_id": encryption.get("KmsKeyId"),
            "management_events": management_events}


def create_bucket(clients: AccountClients, name: str, region: str) -> None:
    arguments: dict[str, Any] = {"Bucket": name}
    if region != HOME_REGION:
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    clients("s3", region).create_bucket(**arguments)


def resource_arn(resource: ExternalAccessPlan, account_id: str) -> str:
    if resource.resource_type == S3_BUCKET:
        return f"arn:aws:s3:::{resource.name}"
    return f"arn:aws:iam::{account_id}:role/{resource.name}"


def create_external_access(clients: AccountClients, resource: ExternalAccessPlan) -> None:
    """The real resource whose policy grants the access; the sandbox's Access Analyzer finds it."""
    if resource.resource_type == S3_BUCKET:
        create_bucket(clients, resource.name, resource.region)
        principal = "*" if resource.principal_account is None else {
            "AWS": f"arn:aws:iam::{resource.principal_account}:root"}
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "PublicRead" if resource.principal_account is None else "PartnerRead",
            "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{resource.name}/*"}]}
        clients("s3", resource.region).put_bucket_policy(Bucket=resource.name, Policy=json.dumps(policy))
    else:
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{resource.principal_account}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "acme-vendor-audit-7f3c"}}}]}
        clients("iam").create_role(RoleName=resource.name, AssumeRolePolicyDocument=json.dumps(trust),
                                   Description="Read-only audit access for the external auditor")


def seed_accounts(sandbox: Sandbox, plan: OrganizationPlan, org: Organization,
                  config_bucket: str) -> dict[str, AccountOutcome]:
    """Seeds every account, one after the other, on purpose. moto draws every id it makes (access keys,
    session credentials, even each response's request id) from the one generator `seed` seeds, so only a
    fixed order of requests makes the same ids on every run; and moto serves one request at a time, so
    8 threads gained little (measured with 200 members: 9.0-9.4 s in sequence, 7.4-9.6 s with threads)."""
    sts = sandbox.client("sts", sandbox.management)
    outcomes = {}
    for account in plan.accounts:
        try:
            outcomes[account.name] = seed_account(sandbox, sts, account, org.account_ids, config_bucket)
        except (ClientError, BotoCoreError, SeedError) as err:
            raise SeedError(f"seeding {account.name}: {describe_error(err)}") from err
    return outcomes


# --- organization-wide steps after the accounts ----------------------------------------------------

def designate_service_administrators(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> None:
    """Security Hub, GuardDuty, Inspector and Macie designate their administrators through their own
    APIs, called by the management account in the home Region, as on AWS: each registers the account
    with Organizations and enables the service's trusted access (GuardDuty's accepts the management
    account, which Organizations never registers)."""
    for admin in plan.delegated_admins:
        account_id = org.account_ids[admin.account_name]
        if admin.via == "securityhub":
            sandbox.client("securityhub", sandbox.management).enable_organization_admin_account(
                AdminAccountId=account_id)
        elif admin.via == "guardduty":
            sandbox.client("guardduty", sandbox.management).enable_organization_admin_account(
                AdminAccountId=account_id)
        elif admin.via == "inspector2":
            sandbox.client("inspector2", sandbox.management).enable_delegated_admin_account(
                delegatedAdminAccountId=account_id)
        elif admin.via == "macie":
            sandbox.client("macie2", sandbox.management).enable_organization_admin_account(
                adminAccountId=account_id)


def check_delegated_administrators(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> None:
    """Fails unless Organizations lists, through every page, exactly the planned delegated
    administrators but the management account (which Organizations never registers)."""
    orgs = sandbox.client("organizations", sandbox.management)
    listed = set()
    for page in orgs.get_paginator("list_delegated_administrators").paginate():
        for admin in page["DelegatedAdministrators"]:
            for services in orgs.get_paginator("list_delegated_services_for_account").paginate(AccountId=admin["Id"]):
                listed |= {(s["ServicePrincipal"], admin["Id"]) for s in services["DelegatedServices"]}
    planned = {(admin.service_principal, org.account_ids[admin.account_name]) for admin in plan.delegated_admins
               if admin.account_name != MANAGEMENT}
    if listed != planned:
        raise SeedError(f"Organizations lists the delegated administrators {sorted(listed)}, "
                        f"the plan {sorted(planned)}")


def configure_guardduty_organization(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> dict | None:
    """GuardDuty's organization configuration as its administrator sets it up, through GuardDuty's
    API with the administrator's own credentials: auto-enable, then the members added in batches of
    50 (CreateMembers; organization accounts are Enabled at once). Answers the description's
    `guardduty_organization`, read back (None without a plan)."""
    wanted = plan.guardduty_organization
    if wanted is None:
        return None
    admin_name = next(a.account_name for a in plan.delegated_admins if a.via == "guardduty")
    admin_id = org.account_ids[admin_name]
    credentials = sandbox.credentials_for(sandbox.client("sts", sandbox.management), admin_id)
    guardduty = sandbox.client("guardduty", credentials, wanted.region)
    detectors = guardduty.list_detectors()["DetectorIds"]
    if len(detectors) != 1:
        raise SeedError(f"GuardDuty's administrator {admin_name} has {len(detectors)} detectors in {wanted.region}")
    detector = detectors[0]
    guardduty.update_organization_configuration(
        DetectorId=detector, AutoEnableOrganizationMembers=wanted.auto_enable_members,
        Features=[{"Name": name, "AutoEnable": setting} for name, setting in wanted.features])
    joining = [{"AccountId": org.account_ids[m.name], "Email": m.email} for m in plan.members
               if not m.closed and wanted.region in m.guardduty_regions and m.name not in wanted.left_out
               and m.name != admin_name]
    for start in range(0, len(joining), 50):
        unprocessed = guardduty.create_members(DetectorId=detector, AccountDetails=joining[start:start + 50])
        if unprocessed["UnprocessedAccounts"]:
            raise SeedError(f"GuardDuty CreateMembers left out {unprocessed['UnprocessedAccounts']}")
    members = [m["AccountId"] for page in guardduty.get_paginator("list_members").paginate(
        DetectorId=detector, OnlyAssociated="true") for m in page["Members"] if m["RelationshipStatus"] == "Enabled"]
    if sorted(members) != sorted(j["AccountId"] for j in joining):
        raise SeedError(f"GuardDuty lists the members {members}, the plan {joining}")
    configuration = guardduty.describe_organization_configuration(DetectorId=detector)
    return {"admin": admin_id, "regions": {wanted.region: {
        "auto_enable_members": configuration["AutoEnableOrganizationMembers"],
        "features": {f["Name"]: f["AutoEnable"] for f in configuration["Features"]},
        "members": members}}}


def configure_security_hub_central(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> dict | None:
    """Security Hub central configuration as its administrator sets it up in its home Region, with
    its own credentials: CENTRAL, one configuration policy, associated with the planned OUs. Answers
    the description's `security_hub_central`, read back (None without a plan)."""
    wanted = plan.security_hub_central
    if wanted is None:
        return None
    admin_id = org.account_ids[next(a.account_name for a in plan.delegated_admins if a.via == "securityhub")]
    credentials = sandbox.credentials_for(sandbox.client("sts", sandbox.management), admin_id)
    securityhub = sandbox.client("securityhub", credentials, wanted.region)
    securityhub.update_organization_configuration(
        AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration={"ConfigurationType": "CENTRAL"})
    standards = [arn.format(region=wanted.region) for arn in wanted.standards]
    policy = securityhub.create_configuration_policy(
        Name=wanted.policy_name, Description=f"{wanted.policy_name} (posture sandbox)",
        ConfigurationPolicy={"SecurityHub": {
            "ServiceEnabled": True, "EnabledStandardIdentifiers": standards,
            "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}})
    ou_ids = {ou["path"]: ou["id"] for ou in org.ous}
    for path in wanted.targets:
        securityhub.start_configuration_policy_association(
            ConfigurationPolicyIdentifier=policy["Id"], Target={"OrganizationalUnitId": ou_ids[path]})
    effective = {summary["TargetId"]: summary["ConfigurationPolicyId"]
                 for page in securityhub.get_paginator("list_configuration_policy_associations").paginate()
                 for summary in page["ConfigurationPolicyAssociationSummaries"]}
    accounts = {}
    for account in plan.accounts:
        if account.closed:
            continue
        account_id = org.account_ids[account.name]
        reached = any(account.ou_path == path or account.ou_path.startswith(path + "/") for path in wanted.targets)
        expected = policy["Id"] if reached else "SELF_MANAGED_SECURITY_HUB"
        if effective.get(account_id) != expected:
            raise SeedError(f"Security Hub says {effective.get(account_id)} applies to {account.name}, "
                            f"the plan {expected}")
        accounts[account_id] = expected
    return {"admin": admin_id, "home_region": wanted.region,
            "policies": [{"id": policy["Id"], "name": policy["Name"], "standards": standards}],
            "associations": [{"target_path": path, "policy_id": policy["Id"]} for path in wanted.targets],
            "accounts": accounts}


# The role an organization aggregator assumes. AWS documents the managed policy
# service-role/AWSConfigRoleForOrganizations for it; moto loads no AWS managed policies (unless told
# to, at a cost to every start), so the role gets that policy's statement inline.
CONFIG_AGGREGATOR_ROLE = "acme-config-aggregator"
CONFIG_AGGREGATOR_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["organizations:ListAccounts", "organizations:DescribeOrganization",
               "organizations:ListAWSServiceAccessForOrganization", "organizations:ListDelegatedAdministrators"]}]}


def create_config_aggregators(sandbox: Sandbox, plan: OrganizationPlan,
                              outcomes: dict[str, AccountOutcome]) -> list[dict]:
    """The organization's AWS Config aggregators, each made in its account as AWS documents it: a
    role trusted by AWS Config with AWSConfigRoleForOrganizations' permissions, then the aggregator
    over the organization. Answers the description's entries."""
    described = []
    for aggregator in plan.config_aggregators:
        outcome = outcomes[aggregator.account_name]
        clients = AccountClients(sandbox, outcome.credentials)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role_arn = clients("iam").create_role(
            RoleName=CONFIG_AGGREGATOR_ROLE, AssumeRolePolicyDocument=json.dumps(trust),
            Description="AWS Config organization aggregator")["Role"]["Arn"]
        clients("iam").put_role_policy(RoleName=CONFIG_AGGREGATOR_ROLE, PolicyName="AWSConfigRoleForOrganizations",
                                       PolicyDocument=json.dumps(CONFIG_AGGREGATOR_POLICY))
        source = {"RoleArn": role_arn}
        source |= {"AwsRegions": list(aggregator.regions)} if aggregator.regions else {"AllAwsRegions": True}
        made = clients("config", aggregator.region).put_configuration_aggregator(
            ConfigurationAggregatorName=aggregator.name,
            OrganizationAggregationSource=source)["ConfigurationAggregator"]
        described.append({
            "name": aggregator.name, "arn": made["ConfigurationAggregatorArn"], "account_id": outcome.account_id,
            "region": aggregator.region, "organization": True, "all_aws_regions": not aggregator.regions,
            "aws_regions": list(aggregator.regions)})
    return described


def create_analyzers(sandbox: Sandbox, plan: OrganizationPlan, outcomes: dict[str, AccountOutcome]) -> None:
    for account in plan.accounts:
        outcome = outcomes[account.name]
        for analyzer in account.analyzers:
            client = sandbox.client("accessanalyzer", outcome.credentials, analyzer.region)
            arn = client.create_analyzer(analyzerName=analyzer.name, type=analyzer.type)["arn"]
            outcome.access_analyzers.append(
                {"name": analyzer.name, "arn": arn, "type": analyzer.type, "region": analyzer.region})


def organization_analyzer(plan: OrganizationPlan, outcomes: dict[str, AccountOutcome]) -> tuple[str, dict]:
    """(owner account name, analyzer) of the organization's analyzer."""
    for account in plan.accounts:
        for analyzer in outcomes[account.name].access_analyzers:
            if analyzer["type"] == "ORGANIZATION":
                return account.name, analyzer
    raise SeedError("the plan has no ORGANIZATION analyzer")


def list_findings(client, analyzer_arn: str) -> list[dict]:
    """All findings of one analyzer; each call makes the sandbox's Access Analyzer analyze afresh."""
    findings = []
    for page in client.get_paginator("list_findings").paginate(analyzerArn=analyzer_arn):
        findings.extend(page["findings"])
    return findings


def archive_member_role_findings(sandbox: Sandbox, plan: OrganizationPlan,
                                 outcomes: dict[str, AccountOutcome]) -> None:
    """An ACCOUNT analyzer in a member account reports the member's OrganizationAccountAccessRole, which
    trusts the management account, outside its zone of trust. That access is by design, and teams archive
    it (in AWS with an archive rule); so does the seeder, so that the planned findings are the ones that
    stay ACTIVE."""
    for account in plan.members:
        outcome = outcomes[account.name]
        role_arn = f"arn:aws:iam::{outcome.account_id}:role/{MEMBER_ROLE}"
        for analyzer in outcome.access_analyzers:
            if analyzer["type"] != "ACCOUNT":
                continue
            client = sandbox.client("accessanalyzer", outcome.credentials, analyzer["region"])
            ids = [finding["id"] for finding in list_findings(client, analyzer["arn"])
                   if finding["resource"] == role_arn and finding["status"] == "ACTIVE"]
            if ids:
                client.update_findings(analyzerArn=analyzer["arn"], ids=ids, status="ARCHIVED")


def settle_external_access(sandbox: Sandbox, plan: OrganizationPlan, org: Organization,
                           outcomes: dict[str, AccountOutcome]) -> None:
    """Takes each planned finding of the organization's analyzer to its planned status: a first analysis
    records every finding ACTIVE; then ARCHIVED ones are archived by the audit account and RESOLVED
    ones lose their bucket policy (the next analysis resolves them)."""
    archive_member_role_findings(sandbox, plan, outcomes)
    owner, analyzer = organization_analyzer(plan, outcomes)
    client = sandbox.client("accessanalyzer", outcomes[owner].credentials, analyzer["region"])
    by_resource = {finding["resource"]: finding for finding in list_findings(client, analyzer["arn"])}
    for account in plan.accounts:
        account_id = org.account_ids[account.name]
        for resource in account.external_access:
            arn = resource_arn(resource, account_id)
            finding = by_resource.get(arn)
            if finding is None or finding["status"] != "ACTIVE":
                raise SeedError(f"the organization's analyzer has no ACTIVE finding for {arn} "
                                f"(got {finding and finding['status']})")
            if resource.finding_status == "ARCHIVED":
                client.update_findings(analyzerArn=analyzer["arn"], ids=[finding["id"]], status="ARCHIVED")
            elif resource.finding_status == "RESOLVED":
                sandbox.client("s3", outcomes[account.name].credentials, resource.region).delete_bucket_policy(
                    Bucket=resource.name)


def read_external_access(sandbox: Sandbox, analyzers: list[tuple[Credentials, dict]]) -> list[dict]:
    """Every finding of the given analyzers, as the description lists them."""
    entries = []
    for credentials, analyzer in analyzers:
        client = sandbox.client("accessanalyzer", credentials, analyzer["region"])
        for finding in list_findings(client, analyzer["arn"]):
            entries.append({
                "analyzer_arn": analyzer["arn"], "finding_id": finding["id"],
                "account_id": finding["resourceOwnerAccount"], "region": analyzer["region"],
                "resource": finding["resource"], "resource_type": finding["resourceType"],
                "public": bool(finding.get("isPublic")), "expected_status": finding["status"]})
    entries.sort(key=lambda entry: (entry["account_id"], entry["resource"], entry["analyzer_arn"]))
    return entries


def check_external_access(plan: OrganizationPlan, org: Organization, org_analyzer_arn: str,
                          entries: list[dict]) -> None:
    """Fails unless the organization's analyzer reports every planned finding in its planned status."""
    status = {entry["resource"]: entry["expected_status"] for entry in entries
              if entry["analyzer_arn"] == org_analyzer_arn}
    for account in plan.accounts:
        for resource in account.external_access:
            arn = resource_arn(resource, org.account_ids[account.name])
            if status.get(arn) != resource.finding_status:
                raise SeedError(f"the organization's analyzer reports {arn} as {status.get(arn)}, "
                                f"expected {resource.finding_status}")


# How often an account assignment's status is asked before the seeder gives up on it (the sandbox
# answers SUCCEEDED at the first ask).
ASSIGNMENT_POLLS = 20


def create_identity_center(sandbox: Sandbox, plan: OrganizationPlan, org: Organization,
                           outcomes: dict[str, AccountOutcome]) -> dict | None:
    """IAM Identity Center as `plan.identity_center` says: the organization instance through the admin
    endpoint (AWS has no API for it), then a group, the permission sets and their account assignments
    through sso-admin, each assignment waited for as on AWS, and the member's account instance made in
    the member. Answers the description's `identity_center` (None without a plan)."""
    wanted = plan.identity_center
    if wanted is None:
        return None
    management_id = org.account_ids[MANAGEMENT]
    enabled = sandbox.post("/_posture/sso/organization-instance",
                           {"account_id": management_id, "region": wanted.region})
    instance_arn = enabled["InstanceArn"]
    sso = sandbox.client("sso-admin", sandbox.management, wanted.region)
    group = sandbox.client("identitystore", sandbox.management, wanted.region).create_group(
        IdentityStoreId=enabled["IdentityStoreId"], DisplayName="acme-platform-team")["GroupId"]
    everyone = tuple(m.name for m in plan.members if not m.closed and m.name not in wanted.unassigned)
    permission_sets = []
    for permission_set in wanted.permission_sets:
        arn = sso.create_permission_set(InstanceArn=instance_arn, Name=permission_set.name,
                                        SessionDuration="PT4H")["PermissionSet"]["PermissionSetArn"]
        names = everyone if permission_set.accounts is None else permission_set.accounts
        for name in names:
            created = sso.create_account_assignment(
                InstanceArn=instance_arn, TargetId=org.account_ids[name], TargetType="AWS_ACCOUNT",
                PermissionSetArn=arn, PrincipalType="GROUP", PrincipalId=group)["AccountAssignmentCreationStatus"]
            status = created["Status"]
            for _ in range(ASSIGNMENT_POLLS):
                if status != "IN_PROGRESS":
                    break
                status = sso.describe_account_assignment_creation_status(
                    InstanceArn=instance_arn, AccountAssignmentCreationRequestId=created["RequestId"],
                )["AccountAssignmentCreationStatus"]["Status"]
            if status != "SUCCEEDED":
                raise SeedError(f"assigning {permission_set.name} to {name} ended {status}")
        permission_sets.append({"name": permission_set.name, "arn": arn,
                                "accounts": [org.account_ids[name] for name in names]})
    member = outcomes[wanted.account_instance]
    account_instance = sandbox.client("sso-admin", member.credentials, wanted.region).create_instance(
        Name=f"{wanted.account_instance}-app")["InstanceArn"]
    return {"organization_instance": {"arn": instance_arn, "region": wanted.region, "owner": management_id},
            "permission_sets": permission_sets,
            "account_instances": [{"account_id": member.account_id, "arn": account_instance,
                                   "region": wanted.region}]}


def create_declarative_policies_ec2(sandbox: Sandbox, org: Organization, target_path: str = "/Workloads",
                         account_name: str = "acme-sandbox-research",
                         regions: tuple[str, ...] = REGIONS) -> dict:
    """EC2 declarative policies: enables `DECLARATIVE_POLICY_EC2` on the root, attaches one policy to
    `target_path` pinning block public access for AMIs (new sharing) and snapshots (all sharing),
    IMDSv2 required and the serial console disabled, and sets the same four values at account level
    only (not pinned: ManagedBy `account`) in `account_name` in each of `regions`. That account must
    not be under `target_path`. Answers what it did, for the description."""
    policy_name = "ec2-baseline"
    document = {"ec2_attributes": {
        "image_block_public_access": {"state": {"@@assign": "block_new_sharing"}},
        "snapshot_block_public_access": {"state": {"@@assign": "block_all_sharing"}},
        "instance_metadata_defaults": {"http_tokens": {"@@assign": "required"}},
        "serial_console_access": {"status": {"@@assign": "disabled"}},
    }}
    ou_ids = {ou["path"]: ou["id"] for ou in org.ous}
    if target_path not in ou_ids:
        raise SeedError(f"create_declarative_policies_ec2: no OU {target_path}")
    if account_name not in org.account_ids:
        raise SeedError(f"create_declarative_policies_ec2: no account {account_name}")
    orgs = sandbox.client("organizations", sandbox.management)
    orgs.enable_policy_type(RootId=org.root_id, PolicyType="DECLARATIVE_POLICY_EC2")
    policy = orgs.create_policy(
        Name=policy_name, Type="DECLARATIVE_POLICY_EC2", Description=f"{policy_name} (posture sandbox)",
        Content=json.dumps(document))["Policy"]["PolicySummary"]
    orgs.attach_policy(PolicyId=policy["Id"], TargetId=ou_ids[target_path])

    account_id = org.account_ids[account_name]
    clients = AccountClients(sandbox, sandbox.credentials_for(sandbox.client("sts", sandbox.management), account_id))
    for region in regions:
        ec2 = clients("ec2", region)
        ec2.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")
        ec2.enable_snapshot_block_public_access(State="block-all-sharing")
        ec2.modify_instance_metadata_defaults(HttpTokens="required")
        ec2.disable_serial_console_access()
    settings = {"image_block_public_access": "block-new-sharing", "snapshot_block_public_access": "block-all-sharing",
                "http_tokens": "required", "serial_console_access": False}
    return {"enabled": True,
            "attached": [{"id": policy["Id"], "name": policy_name, "target_path": target_path, "pins": settings}],
            "account_level": [{"account_id": account_id, "name": account_name, "regions": list(regions),
                               "settings": settings}]}


def create_management_workloads(sandbox: Sandbox) -> dict:
    """Workloads in the management account, where none belong: one running EC2 instance in
    `HOME_REGION` beside one terminated there (which no longer counts), and one Lambda function in
    `EU_REGION`. Answers what it made, for the description."""
    ec2 = sandbox.client("ec2", sandbox.management, HOME_REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    running, gone = (ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)
                     ["Instances"][0]["InstanceId"] for _ in range(2))
    ec2.terminate_instances(InstanceIds=[gone])
    iam = sandbox.client("iam", sandbox.management)
    role = iam.create_role(RoleName="posture-sandbox-function", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    function = sandbox.client("lambda", sandbox.management, EU_REGION).create_function(
        FunctionName="billing-export", Runtime="python3.12", Role=role["Arn"], Handler="index.handler",
        Code={"ZipFile": code.getvalue()})
    return {"ec2_instances": [{"id": running, "region": HOME_REGION, "state": "running"}],
            "terminated_instances": [{"id": gone, "region": HOME_REGION}],
            "lambda_functions": [{"arn": function["FunctionArn"], "region": EU_REGION}]}


# Control Tower's controls and baseline, by the identifiers its console shows (legacy guardrail ids).
CONTROL = "arn:aws:controltower:" + HOME_REGION + "::control/{}"
CONTROL_TOWER_BASELINE = f"arn:aws:controltower:{HOME_REGION}::baseline/17BSJV3IGJ2QSGA2"


def create_control_tower(sandbox: Sandbox, org: Organization) -> dict:
    """A Control Tower landing zone as its console sets one up, from the management account: version
    3.2 while 3.3 is available (an update left undone), the Security OU (registered by the landing
    zone) and /Workloads registered, /Workloads/Prod, /Workloads/NonProd and /Sandbox not; one control
    on /Security, two on /Workloads, one of which has drifted (its SCP edited outside Control Tower,
    which no API can do: the sandbox's admin endpoint marks it). Answers the description's
    `control_tower`."""
    ct = sandbox.client("controltower", sandbox.management, HOME_REGION)
    ou_arn = {ou["path"]: f"arn:aws:organizations::{org.description['MasterAccountId']}:ou/"
              f"{org.description['Id']}/{ou['id']}" for ou in org.ous}
    zone = ct.create_landing_zone(version="3.2", manifest={
        "governedRegions": [HOME_REGION, EU_REGION],
        "organizationStructure": {"security": {"name": "Security"}},
        "centralizedLogging": {"accountId": org.account_ids[LOG_ARCHIVE], "enabled": True,
                               "configurations": {"loggingBucket": {"retentionDays": 365},
                                                  "accessLoggingBucket": {"retentionDays": 3650}}},
        "securityRoles": {"accountId": org.account_ids[AUDIT]},
        "accessManagement": {"enabled": True},
    })
    ct.enable_baseline(baselineIdentifier=CONTROL_TOWER_BASELINE, baselineVersion="4.0",
                       targetIdentifier=ou_arn["/Workloads"])
    controls = [("/Security", "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", "IN_SYNC"),
                ("/Workloads", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "IN_SYNC"),
                ("/Workloads", "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", "DRIFTED")]
    described = []
    for path, name, drift in controls:
        arn = ct.enable_control(controlIdentifier=CONTROL.format(name), targetIdentifier=ou_arn[path])["arn"]
        if drift != "IN_SYNC":
            sandbox.post("/_posture/controltower/drift", {"arn": arn, "status": drift})
        described.append({"target_path": path, "control": CONTROL.format(name), "arn": arn, "drift": drift})
    detail = ct.get_landing_zone(landingZoneIdentifier=zone["arn"])["landingZone"]
    governed = ["/Security", "/Workloads"]
    return {"landing_zone": {"arn": zone["arn"], "region": HOME_REGION, "version": detail["version"],
                             "latest_available_version": detail.get("latestAvailableVersion"),
                             "drift": detail["driftStatus"]["status"]},
            "governed_ous": governed,
            "ungoverned_ous": [ou["path"] for ou in org.ous if ou["path"] not in governed],
            "enabled_controls": described}


def close_accounts(sandbox: Sandbox, plan: OrganizationPlan, org: Organization) -> None:
    orgs = sandbox.client("organizations", sandbox.management)
    for account in plan.members:
        if account.closed:
            orgs.close_account(AccountId=org.account_ids[account.name])


# --- the description -------------------------------------------------------------------------------

def list_organization_accounts(sandbox: Sandbox) -> dict[str, dict]:
    orgs = sandbox.client("organizations", sandbox.management)
    accounts = {}
    for page in orgs.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            accounts[account["Id"]] = account
    return accounts


def describe(sandbox: Sandbox, plan: OrganizationPlan, org: Organization,
             outcomes: dict[str, AccountOutcome], external_access: list[dict],
             config_aggregators: list[dict], identity_center: dict | None,
             declarative_policies_ec2: dict, management_workloads: dict) -> dict:
    """The description, from the answers of the APIs while seeding and what Organizations reads back."""
    listed = list_organization_accounts(sandbox)
    orgs = sandbox.client("organizations", sandbox.management)
    trusted = [entry["ServicePrincipal"]
               for page in orgs.get_paginator("list_aws_service_access_for_organization").paginate()
               for entry in page["EnabledServicePrincipals"]]
    accounts = []
    for account in plan.accounts:
        outcome = outcomes[account.name]
        found = listed.get(outcome.account_id)
        if found is None:
            raise SeedError(f"ListAccounts does not list {account.name} ({outcome.account_id})")
        accounts.append({
            "id": outcome.account_id, "name": found["Name"], "email": found["Email"],
            "ou_path": account.ou_path, "status": found["State"], "kind": account.kind,
            "root": outcome.root, "iam_users": outcome.iam_users, "trails": outcome.trails,
            "access_analyzers": outcome.access_analyzers,
            "security_hub_regions": [hub.region for hub in account.security_hub],
            "security_hub_standards": outcome.security_hub_standards,
            "s3_buckets": sorted(bucket["Name"] for bucket in
                                 sandbox.client("s3", outcome.credentials).list_buckets()["Buckets"]),
            "guardduty_detector_regions": list(account.guardduty_regions),
            "config": outcome.config,
        })
    organization = org.description
    return {
        "format": FORMAT,
        "changed": False,
        "endpoint": sandbox.endpoint,
        "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "members": len(plan.members),
        "regions": list(REGIONS),
        "organization": {"id": organization["Id"], "arn": organization["Arn"],
                         "management_account_id": organization["MasterAccountId"],
                         "root_id": org.root_id, "feature_set": organization["FeatureSet"]},
        "trusted_access": trusted,
        "organizational_units": org.ous,
        "service_control_policies": {"enabled": True, "attached": org.scps},
        "resource_control_policies": {"enabled": True, "attached": org.rcps},
        "root_access": {"features": sorted(
            sandbox.client("iam", sandbox.management).list_organizations_features()["EnabledFeatures"])},
        "identity_center": identity_center,
        "declarative_policies_ec2": declarative_policies_ec2,
        "management_workloads": management_workloads,
        "accounts": accounts,
        "delegated_administrators": [
            {"service_principal": admin.service_principal, "account_id": org.account_ids[admin.account_name],
             "via": admin.via, "region": None if admin.via == "organizations" else HOME_REGION}
            for admin in plan.delegated_admins],
        "config_aggregators": config_aggregators,
        "external_access": external_access,
        "change": describe_change(org.account_ids),
    }


def describe_change(account_ids: dict[str, str]) -> dict:
    return {
        "resolved": [
            {"check": "root-mfa", "account_id": account_ids[CHANGE.root_mfa_account]},
            {"check": "external-access-findings", "account_id": account_ids[CHANGE.bucket_account],
             "resource": f"arn:aws:s3:::{CHANGE.bucket}"},
        ],
        "regressed": [
            {"check": "iam-user-access-keys", "account_id": account_ids[CHANGE.new_user_account],
             "resource": f"arn:aws:iam::{account_ids[CHANGE.new_user_account]}:user/{CHANGE.new_user.name}"},
        ],
    }


def write_description(path: str, description: dict) -> None:
    """Atomically (temporary file + rename): a reader never sees half a description."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(description, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


# --- the commands ----------------------------------------------------------------------------------

def seed(endpoint: str, members: int, out: str, org_trail_bucket: str = "log-archive") -> str:
    """Builds the organization; answers the one-paragraph summary."""
    started = time.monotonic()
    plan = build_plan(members, org_trail_bucket)
    sandbox = Sandbox(endpoint)
    sandbox.post("/_posture/reset")
    sandbox.post(f"/moto-api/seed?a={RANDOM_SEED}")
    org = build_organization(sandbox, plan)
    config_bucket = create_log_buckets(sandbox, plan, org)
    outcomes = seed_accounts(sandbox, plan, org, config_bucket)
    check_org_trail_bucket(sandbox, outcomes)
    designate_service_administrators(sandbox, plan, org)
    check_delegated_administrators(sandbox, plan, org)
    guardduty_organization = configure_guardduty_organization(sandbox, plan, org)
    security_hub_central = configure_security_hub_central(sandbox, plan, org)
    config_aggregators = create_config_aggregators(sandbox, plan, outcomes)
    create_analyzers(sandbox, plan, outcomes)
    settle_external_access(sandbox, plan, org, outcomes)
    identity_center = create_identity_center(sandbox, plan, org, outcomes)
    declarative_policies_ec2 = create_declarative_policies_ec2(sandbox, org)
    management_workloads = create_management_workloads(sandbox)
    control_tower = create_control_tower(sandbox, org)
    close_accounts(sandbox, plan, org)
    _, org_analyzer = organization_analyzer(plan, outcomes)
    analyzers = [(outcome.credentials, analyzer) for outcome in outcomes.values()
                 for analyzer in outcome.access_analyzers]
    external_access = read_external_access(sandbox, analyzers)
    check_external_access(plan, org, org_analyzer["arn"], external_access)
    description = describe(sandbox, plan, org, outcomes, external_access, config_aggregators, identity_center,
                           declarative_policies_ec2, management_workloads)
    description.update(org_trail_bucket=org_trail_bucket, guardduty_organization=guardduty_organization,
                       security_hub_central=security_hub_central, control_tower=control_tower)
    write_description(out, description)
    suspended = sum(account["status"] == "SUSPENDED" for account in description["accounts"])
    return (f"seeded organization {description['organization']['id']} at {sandbox.endpoint}: "
            f"{len(description['accounts'])} accounts (1 management, {members} members, {suspended} suspended), "
            f"{len(org.ous)} OUs, {len(analyzers)} access analyzers, {len(external_access)} external-access "
            f"findings in {time.monotonic() - started:.1f} s\ndescription: {out}")


def account_by_name(description: dict, name: str) -> dict:
    for account in description["accounts"]:
        if account["name"] == name:
            return account
    raise SeedError(f"the description has no account {name}")


def change(endpoint: str, description_path: str) -> str:
    """Applies CHANGE once to the sandbox the description describes; answers the summary."""
    started = time.monotonic()
    try:
        with open(description_path) as f:
            description = json.load(f)
    except (OSError, ValueError) as err:
        raise SeedError(f"cannot read the description {description_path}: {err}") from err
    if not (isinstance(description, dict) and description.get("format") == FORMAT
            and {"changed", "organization", "accounts", "external_access"} <= description.keys()):
        raise SeedError(f"{description_path} is not a format-{FORMAT} description")
    if description["changed"]:
        raise SeedError(f"the change step was already applied to this sandbox ({description_path})")

    sandbox = Sandbox(endpoint)
    sandbox.check_health()
    orgs = sandbox.client("organizations", sandbox.management)
    try:
        organization_id = orgs.describe_organization()["Organization"]["Id"]
    except ClientError as err:
        raise SeedError(f"the sandbox at {sandbox.endpoint} has no organization ({describe_error(err)})") from err
    if organization_id != description["organization"]["id"]:
        raise SeedError(f"the sandbox holds organization {organization_id}, the description "
                        f"{description['organization']['id']}")

    sts = sandbox.client("sts", sandbox.management)
    root_account = account_by_name(description, CHANGE.root_mfa_account)
    root_account["root"] = sandbox.set_root(root_account["id"], RootPlan(**{**root_account["root"], "mfa": True}))

    bucket_account = account_by_name(description, CHANGE.bucket_account)
    AccountClients(sandbox, sandbox.credentials_for(sts, bucket_account["id"]))("s3").delete_bucket_policy(
        Bucket=CHANGE.bucket)

    user_account = account_by_name(description, CHANGE.new_user_account)
    user_clients = AccountClients(sandbox, sandbox.credentials_for(sts, user_account["id"]))
    user_account["iam_users"].append(create_user(sandbox, user_clients, user_account["id"], CHANGE.new_user))

    analyzers = [(sandbox.credentials_for(sts, account["id"]), analyzer)
                 for account in description["accounts"] for analyzer in account["access_analyzers"]]
    description["external_access"] = read_external_access(sandbox, analyzers)
    bucket_arn = f"arn:aws:s3:::{CHANGE.bucket}"
    unresolved = [entry for entry in description["external_access"]
                  if entry["resource"] == bucket_arn and entry["expected_status"] != "RESOLVED"]
    if unresolved:
        raise SeedError(f"{bucket_arn} lost its bucket policy but its finding is still "
                        f"{unresolved[0]['expected_status']} on {unresolved[0]['analyzer_arn']}")
    description["changed"] = True
    write_description(description_path, description)
    return (f"changed organization {organization_id}: root MFA on in {CHANGE.root_mfa_account}, "
            f"public policy of {CHANGE.bucket} deleted, IAM user {CHANGE.new_user.name} with an active key in "
            f"{CHANGE.new_user_account}, in {time.monotonic() - started:.1f} s\ndescription: {description_path}")


def describe_error(err: BaseException) -> str:
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        return f"{err.operation_name}: {error.get('Code')}: {error.get('Message')}"
    return str(err) or type(err).__name__


def member_count(value: str) -> int:
    count = int(value)
    if not MIN_MEMBERS <= count <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"must be between {MIN_MEMBERS} and {MAX_MEMBERS}")
    return count


class ArgumentParser(argparse.ArgumentParser):
    """Reports a bad command line like every other error: one line on stderr, exit code 1."""

    def error(self, message: str):
        raise SeedError(message)


def main() -> int:
    parser = ArgumentParser(prog="seed.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed", help="reset the sandbox and build the organization")
    seed_parser.add_argument("--endpoint", required=True, help="the sandbox, e.g. http://127.0.0.1:PORT")
    seed_parser.add_argument("--members", type=member_count, default=MIN_MEMBERS,
                             help=f"member accounts, {MIN_MEMBERS}..{MAX_MEMBERS} (default {MIN_MEMBERS})")
    seed_parser.add_argument("--out", required=True, help="where to write the description (JSON)")
    seed_parser.add_argument("--org-trail-bucket", choices=sorted(ORG_TRAIL_BUCKETS), default="log-archive",
                             help="whose bucket the organization trail writes into: the log-archive account's "
                                  "(default; deletion refused outside it) or the management account's own")
    change_parser = commands.add_parser("change", help="apply the change step to a seeded sandbox")
    change_parser.add_argument("--endpoint", required=True, help="the sandbox, e.g. http://127.0.0.1:PORT")
    change_parser.add_argument("--description", required=True, help="the description written by seed")
    try:
        args = parser.parse_args()
    except SeedError as err:
        print(f"seed.py: error: {err}", file=sys.stderr)
        return 1
    try:
        if args.command == "seed":
            print(seed(args.endpoint, args.members, args.out, args.org_trail_bucket))
        else:
            print(change(args.endpoint, args.description))
    except SeedError as err:
        print(f"seed.py {args.command}: error: {err}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as err:
        print(f"seed.py {args.command}: error: {describe_error(err)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
