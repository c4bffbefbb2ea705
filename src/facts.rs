//! The facts a scan collects: the contract between `collect` (which fills them from AWS) and
//! `evaluate` (which judges them). Typed, serializable (they are the evidence a snapshot keeps, so
//! old snapshots can be re-evaluated), and honest about gaps: every fact that needed an AWS call is a
//! [`Collected`], so a call that failed is kept as its error and can never read as "nothing there".
//!
//! Nothing here calls AWS or knows a check; values are AWS's, lightly parsed (booleans, dates).

use serde::{Deserialize, Serialize};

/// A fact that was read, or the error that stopped reading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collected<T> {
    /// Read.
    Ok(T),
    /// Not read, and why.
    Error(CollectError),
}

impl<T> Collected<T> {
    /// The value, or the error as a `Result`.
    pub fn as_result(&self) -> Result<&T, &CollectError> {
        match self {
            Collected::Ok(value) => Ok(value),
            Collected::Error(err) => Err(err),
        }
    }

    /// The value, or the error (boxed, for `?` in readers whose happy path carries none).
    pub fn into_result(self) -> Result<T, Box<CollectError>> {
        match self {
            Collected::Ok(value) => Ok(value),
            Collected::Error(err) => Err(Box::new(err)),
        }
    }
}

/// Why a fact could not be read: which call failed, where, and what AWS said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    /// The service (SigV4 signing name, e.g. `iam`, `sts`, `access-analyzer`).
    pub service: String,
    /// The operation that failed (`GetCredentialReport`), or `AssumeRole` when the account's role
    /// could not be assumed.
    pub action: String,
    /// The Region of the call; `None` for global services.
    pub region: Option<String>,
    /// AWS's error code (`AccessDenied`, `ThrottlingException`), when it sent one.
    pub code: Option<String>,
    /// What went wrong, in one line.
    pub message: String,
    /// AWS's request id, for the evidence and for AWS support.
    pub request_id: Option<String>,
    /// The HTTP status, when there was a response.
    pub http_status: Option<u16>,
}

/// Everything one scan collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanFacts {
    /// Facts about the organization as a whole, read once in the account that owns them.
    pub organization: OrganizationFacts,
    /// Facts per scanned account (ACTIVE accounts in scope only).
    pub accounts: Vec<AccountFacts>,
    /// Accounts in scope that were not scanned, and why (not ACTIVE).
    pub skipped_accounts: Vec<SkippedAccount>,
    /// The Regions scanned, in order.
    pub regions: Vec<String>,
}

/// An account in scope that was not scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedAccount {
    /// The account.
    pub account_id: String,
    /// Why, e.g. "account is SUSPENDED".
    pub reason: String,
}

/// Organization-wide facts, applied to every member rather than read again per member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationFacts {
    /// The management account.
    pub management_account_id: String,
    /// Per security service, who administers it (one entry per service posture checks).
    pub delegated_admins: Vec<ServiceAdministration>,
    /// The organization trails, read in the management account (where they live).
    pub organization_trails: Collected<Vec<Trail>>,
    /// Per scanned Region, the organization's external-access analyzers and their active
    /// findings, read in the account that owns them (the Access Analyzer delegated administrator,
    /// or the management account). Empty when the organization has no such account to read.
    pub organization_analyzers: Vec<Regional<AnalyzerFacts>>,
    /// The service control policies, read with the caller's credentials; `None` in snapshots of
    /// a posture that did not read them.
    #[serde(default)]
    pub service_control_policies: Option<Collected<ServiceControlPolicies>>,
    /// The AWS Config aggregators of the accounts that may aggregate the organization; `None` in
    /// snapshots of a posture that did not read them.
    #[serde(default)]
    pub config_aggregators: Option<ConfigAggregators>,
    /// The organization's authorization policies (every policy type enabled on the root; the
    /// documents and targets of its SCPs and RCPs) and where each scanned account sits; `None`
    /// in snapshots of a posture that did not read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Collected<OrganizationPolicies>>,
    /// IAM's centralized root access for the organization (`ListOrganizationsFeatures`), read
    /// with the caller's credentials; `None` in snapshots of a posture that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_access: Option<Collected<RootAccessFeatures>>,
    /// IAM Identity Center as the account that runs it for the organization sees it; `None` in
    /// snapshots of a posture that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenterFacts>,
    /// The service principals with trusted access to the organization
    /// (`ListAWSServiceAccessForOrganization`, read with the caller's credentials): which
    /// services the organization uses. `None` in snapshots of a posture that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_access: Option<Collected<Vec<String>>>,
    /// Per scanned Region, GuardDuty as its administrator there sees the organization; `None` in
    /// snapshots of a posture that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardduty_organization: Option<Vec<Regional<GuardDutyOrganization>>>,
    /// Security Hub's central configuration as its administrator sees it; `None` in snapshots of
    /// a posture that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub securityhub_organization: Option<SecurityHubOrganization>,
    /// The organization's Control Tower landing zone, read with the caller's credentials (Control
    /// Tower answers the management account only); `None` in snapshots of a posture that did not
    /// read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_tower: Option<Collected<ControlTowerFacts>>,
}

/// Control Tower as the management account sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlTowerFacts {
    /// The landing zone (`ListLandingZones` in each scanned Region until one lists it, then
    /// `GetLandingZone`); `None` when no scanned Region has one.
    pub landing_zone: Option<LandingZoneDetail>,
    /// Every enabled control (`ListEnabledControls`, all pages), in the landing zone's Region.
    pub enabled_controls: Vec<EnabledControl>,
    /// Every enabled baseline (`ListEnabledBaselines`, all pages): an OU with
    /// `AWSControlTowerBaseline` is registered with (governed by) Control Tower.
    pub enabled_baselines: Vec<EnabledBaseline>,
}

/// A Control Tower landing zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingZoneDetail {
    /// Its ARN.
    pub arn: String,
    /// Its home Region (where it was listed).
    pub region: String,
    /// Its version.
    pub version: String,
    /// The newest version it can be updated to.
    pub latest_available_version: Option<String>,
    /// `ACTIVE`, `PROCESSING` or `FAILED`.
    pub status: Option<String>,
    /// `IN_SYNC` or `DRIFTED`.
    pub drift_status: Option<String>,
}

/// A control enabled on a target (an OU).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledControl {
    /// The control (`arn:aws:controlcatalog:::control/…` or `…::control/AWS-GR_…`).
    pub control_identifier: String,
    /// The OU's ARN.
    pub target_identifier: String,
    /// `SUCCEEDED`, `FAILED` or `UNDER_CHANGE`.
    pub status: Option<String>,
    /// `IN_SYNC`, `DRIFTED`, `NOT_CHECKING` or `UNKNOWN`.
    pub drift_status: Option<String>,
}

/// A baseline enabled on a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledBaseline {
    /// The baseline's ARN.
    pub baseline_identifier: String,
    /// The OU's (or account's) ARN.
    pub target_identifier: String,
    /// `SUCCEEDED`, `FAILED` or `UNDER_CHANGE`.
    pub status: Option<String>,
}

/// Security Hub for the organization, read in its administrator's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityHubOrganization {
    /// The administrator: Security Hub's own `ListOrganizationAdminAccounts` in the first scanned
    /// Region when the caller could read it and it names one, else Organizations' delegated
    /// administrator for Security Hub; `None` when neither names one.
    pub admin_account_id: Collected<Option<String>>,
    /// What the administrator answers; `None` when there is no administrator.
    pub view: Option<Collected<SecurityHubAdminView>>,
}

/// What Security Hub's administrator says about the organization's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityHubAdminView {
    /// The Region `DescribeOrganizationConfiguration` was read in (the first scanned).
    pub region: String,
    /// Its `ConfigurationType`: `CENTRAL` or `LOCAL`.
    pub configuration_type: Option<String>,
    /// Its `Status` (`PENDING`, `ENABLED`, `FAILED`).
    pub status: Option<String>,
    /// The home Region: the first scanned Region whose `ListConfigurationPolicies` answered;
    /// `None` under local configuration (nothing more is read).
    pub home_region: Option<String>,
    /// The configuration policies (`ListConfigurationPolicies`, each with
    /// `GetConfigurationPolicy`).
    pub policies: Vec<ConfigurationPolicy>,
    /// `ListConfigurationPolicyAssociations`: the policy of every target, applied or inherited.
    pub associations: Vec<PolicyAssociation>,
}

/// One Security Hub configuration policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationPolicy {
    /// Its id (a UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it enables Security Hub where it applies.
    pub service_enabled: bool,
    /// The standards it enables (ARNs).
    pub standards: Vec<String>,
}

/// Which configuration policy one target has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyAssociation {
    /// The account, OU or root.
    pub target_id: String,
    /// `ACCOUNT`, `ORGANIZATIONAL_UNIT` or `ROOT`.
    pub target_type: String,
    /// The policy id, or `SELF_MANAGED_SECURITY_HUB`.
    pub policy_id: String,
    /// `APPLIED` or `INHERITED`.
    pub association_type: String,
    /// `SUCCESS`, `PENDING` or `FAILED`.
    pub status: String,
    /// Why it FAILED.
    pub status_message: Option<String>,
}

/// GuardDuty for the organization in one Region, read in its administrator's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardDutyOrganization {
    /// The administrator of the Region: GuardDuty's own `ListOrganizationAdminAccounts` there
    /// when the caller could read it and it names one, else Organizations' delegated
    /// administrator for GuardDuty; `None` when neither names one.
    pub admin_account_id: Collected<Option<String>>,
    /// What the administrator's detector answers; `None` when there is no administrator.
    pub view: Option<Collected<GuardDutyAdminView>>,
}

/// What a GuardDuty administrator's detector says about the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardDutyAdminView {
    /// The administrator's detector in the Region (`ListDetectors`); `None` when it has none,
    /// and then nothing else was read.
    pub detector_id: Option<String>,
    /// `DescribeOrganizationConfiguration`'s `AutoEnableOrganizationMembers`: `ALL`, `NEW` or
    /// `NONE`.
    pub auto_enable_members: Option<String>,
    /// The protection plans it turns on for members: (feature, `AutoEnable`).
    pub auto_enable_features: Vec<(String, String)>,
    /// `ListMembers` (associated or not), each with the plans `GetMemberDetectors` says are on.
    pub members: Vec<GuardDutyMember>,
}

/// One member of a GuardDuty administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardDutyMember {
    /// The member account.
    pub account_id: String,
    /// `RelationshipStatus`: `Enabled` for an enrolled member (`Created`, `Invited`, `Disabled`,
    /// `Removed`, `Resigned`, `EmailVerificationFailed` otherwise).
    pub relationship_status: String,
    /// The protection plans whose status is `ENABLED` in its detector; `None` when
    /// `GetMemberDetectors` did not answer for it.
    pub enabled_features: Option<Vec<String>>,
}

/// IAM Identity Center, read in the account that administers it for the organization: its
/// delegated administrator (`sso.amazonaws.com`), else the management account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityCenterFacts {
    /// The account read; `None` when Organizations' delegated administrators could not be read,
    /// so no one knows where to look.
    pub account_id: Option<String>,
    /// `ListInstances` there, every Region (`RegionScope` `ALL_REGIONS`).
    pub instances: Collected<Vec<IdentityCenterInstance>>,
    /// The permission sets of the organization instance (`ListPermissionSets`, in its Region),
    /// each with the accounts it is provisioned to; empty when there is no organization
    /// instance.
    pub permission_sets: Collected<Vec<PermissionSetReach>>,
}

impl IdentityCenterFacts {
    /// Nothing read, for `err`, in `account_id` (`None`: no one knows which account to read).
    pub fn unread(account_id: Option<String>, err: &CollectError) -> Self {
        IdentityCenterFacts {
            account_id,
            instances: Collected::Error(err.clone()),
            permission_sets: Collected::Error(err.clone()),
        }
    }
}

/// One IAM Identity Center instance of `ListInstances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCenterInstance {
    /// `arn:aws:sso:::instance/ssoins-…`.
    pub arn: String,
    /// The account that owns it: the management account for the organization instance, the
    /// member itself for an account instance.
    pub owner_account_id: String,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// `ACTIVE`, `CREATE_IN_PROGRESS`, `DELETE_IN_PROGRESS`, `CREATE_FAILED`.
    pub status: String,
    /// `PrimaryRegion`: where it was enabled, and where its APIs answer.
    pub region: Option<String>,
}

/// One permission set of the organization instance and where it reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionSetReach {
    /// `arn:aws:sso:::permissionSet/ssoins-…/ps-…`. Its name would take a `DescribePermissionSet`
    /// per set, which no verdict needs.
    pub arn: String,
    /// `ListAccountsForProvisionedPermissionSet`, every page: the accounts where it exists as a
    /// role people can sign in to (an account assignment provisions it).
    pub accounts: Collected<Vec<String>>,
}

/// `iam:ListOrganizationsFeatures`: which centralized root access features are on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootAccessFeatures {
    /// The organization IAM answers for.
    pub organization_id: Option<String>,
    /// `RootCredentialsManagement`, `RootSessions`: the ones enabled.
    pub enabled_features: Vec<String>,
}

/// The centralized root access feature that lets the management account delete member root
/// credentials and keeps new accounts without them.
pub const ROOT_CREDENTIALS_MANAGEMENT: &str = "RootCredentialsManagement";
/// The feature that lets the management account take short root sessions in a member account.
pub const ROOT_SESSIONS: &str = "RootSessions";

/// `SERVICE_CONTROL_POLICY`, as Organizations names the policy type.
pub const SCP: &str = "SERVICE_CONTROL_POLICY";
/// `RESOURCE_CONTROL_POLICY`.
pub const RCP: &str = "RESOURCE_CONTROL_POLICY";

/// The organization's policies as the root and the policies themselves say, kept raw (documents
/// as written) so that a later posture can judge them again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationPolicies {
    /// The root (`r-…`).
    pub root_id: String,
    /// The organization (`o-…`), from the root's ARN: the value `aws:PrincipalOrgID` and
    /// `aws:ResourceOrgID` take inside it. Empty in snapshots that did not record it.
    #[serde(default)]
    pub organization_id: String,
    /// Every policy type `ListRoots` lists on the root, with its status: SCPs, RCPs, tag, backup,
    /// AI services opt-out, declarative, and whatever AWS adds.
    pub policy_types: Vec<RootPolicyType>,
    /// The policies of each type whose documents posture reads (SCPs, RCPs), for those enabled.
    pub by_type: Vec<PoliciesOfType>,
    /// Where each scanned account sits.
    pub placements: Vec<AccountPlacement>,
}

/// One policy type of the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootPolicyType {
    /// `SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`, `TAG_POLICY`, ….
    pub policy_type: String,
    /// `ENABLED`, `PENDING_ENABLE` or `PENDING_DISABLE`.
    pub status: String,
}

/// The policies of one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoliciesOfType {
    /// The type.
    pub policy_type: String,
    /// `ListPolicies`, every page, each policy with its document and targets.
    pub policies: Collected<Vec<OrganizationPolicy>>,
}

/// One policy, its document and where it is attached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationPolicy {
    /// `p-…` (`p-FullAWSAccess` for AWS's allow-all SCP).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether AWS manages it.
    pub aws_managed: bool,
    /// `DescribePolicy`'s `Content`: the JSON document as written.
    pub content: Collected<String>,
    /// `ListTargetsForPolicy`, every page: the ids of the root, OUs and accounts it is attached to.
    pub targets: Collected<Vec<String>>,
}

/// Where one account sits in the organization: its OUs from the root down (none directly under
/// the root), as discovery found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPlacement {
    /// The account.
    pub account_id: String,
    /// Its OUs, outermost first.
    pub parents: Vec<OuRef>,
}

/// An OU, by id and path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OuRef {
    /// `ou-…`.
    pub id: String,
    /// `/Workloads/Prod`.
    pub path: String,
}

impl OrganizationPolicies {
    /// Whether `policy_type` is enabled on the root.
    pub fn type_enabled(&self, policy_type: &str) -> bool {
        self.policy_types
            .iter()
            .any(|t| t.policy_type == policy_type && t.status == "ENABLED")
    }

    /// The policies of `policy_type`, when it was read (it is read when enabled).
    pub fn of_type(&self, policy_type: &str) -> Option<&Collected<Vec<OrganizationPolicy>>> {
        self.by_type
            .iter()
            .find(|t| t.policy_type == policy_type)
            .map(|t| &t.policies)
    }
}

/// AWS Config aggregators where an organization aggregator belongs: the delegated administrators
/// for AWS Config, or the management account when none is registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigAggregators {
    /// The accounts Organizations lists as delegated administrators for `config.amazonaws.com`
    /// (empty: none registered). When unread, no aggregator was read.
    pub delegated_admins: Collected<Vec<String>>,
    /// `DescribeConfigurationAggregators` in every scanned Region of each delegated administrator,
    /// or of the management account when there is none.
    pub regions: Vec<RegionalAggregators>,
}

/// The AWS Config aggregators of one account in one Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionalAggregators {
    /// The account read.
    pub account_id: String,
    /// The Region.
    pub region: String,
    /// `DescribeConfigurationAggregators`.
    pub aggregators: Collected<Vec<ConfigAggregator>>,
}

/// One configuration aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigAggregator {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// `OrganizationAggregationSource`: the Regions an organization aggregator gathers; `None`
    /// for an aggregator of named accounts.
    pub organization_source: Option<AggregatedRegions>,
    /// `AccountAggregationSources`: the accounts an aggregator of named accounts gathers.
    pub account_ids: Vec<String>,
}

/// The Regions an aggregation source gathers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatedRegions {
    /// `AllAwsRegions`: every Region, including those AWS adds later.
    pub all_aws_regions: bool,
    /// `AwsRegions`: the Regions named, when not all.
    pub aws_regions: Vec<String>,
}

/// The organization's service control policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceControlPolicies {
    /// The root (`r-…`).
    pub root_id: String,
    /// Whether the SERVICE_CONTROL_POLICY policy type is enabled on the root.
    pub enabled: bool,
    /// What is attached to the root (path `/`) and to each OU, parents before children; empty
    /// when the policy type is not enabled.
    pub targets: Vec<PolicyTarget>,
}

/// The SCPs attached to the root or to one OU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyTarget {
    /// The root's or OU's id.
    pub id: String,
    /// Its path: `/` for the root, `/Workloads/Prod` for an OU.
    pub path: String,
    /// `ListPoliciesForTarget` (SERVICE_CONTROL_POLICY).
    pub policies: Collected<Vec<AttachedPolicy>>,
}

/// One attached SCP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    /// `p-…` (`p-FullAWSAccess` for AWS's allow-all policy).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether AWS manages it.
    pub aws_managed: bool,
}

/// Who administers one security service for the organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceAdministration {
    /// The service principal the check's finding is about (`guardduty.amazonaws.com`).
    pub service_principal: String,
    /// Each source consulted: Organizations' `ListDelegatedAdministrators`, and the service's own
    /// admin API where it has one (per Region for regional ones).
    pub sources: Vec<AdminSource>,
}

/// What one source says about a service's administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminSource {
    /// Where it was read: `organizations:ListDelegatedAdministrators`,
    /// `securityhub:ListOrganizationAdminAccounts`, ….
    pub api: String,
    /// The Region of a regional source; `None` for Organizations.
    pub region: Option<String>,
    /// The administrator account ids it names (empty = none designated).
    pub admin_account_ids: Collected<Vec<String>>,
}

/// A CloudTrail trail with its status and event selectors, each read in the trail's home Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    /// The trail ARN (its account is the account that owns it).
    pub arn: String,
    /// The trail name.
    pub name: String,
    /// The Region it was created in; status and selectors are read there.
    pub home_region: String,
    /// Whether it logs every Region.
    pub multi_region: bool,
    /// Whether it is an organization trail.
    pub organization_trail: bool,
    /// Whether log file validation is on.
    pub log_file_validation: bool,
    /// The KMS key that encrypts its logs, if any.
    pub kms_key_id: Option<String>,
    /// The bucket its logs go to.
    pub s3_bucket: Option<String>,
    /// `GetTrailStatus`.
    pub status: Collected<TrailStatus>,
    /// `GetEventSelectors`.
    pub selectors: Collected<EventSelectors>,
}

/// A trail's `GetTrailStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStatus {
    /// Whether the trail is logging.
    pub is_logging: bool,
}

/// A trail's event selectors: basic or advanced, never both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "selectors")]
pub enum EventSelectors {
    /// No selectors set: CloudTrail logs all management events, read and write.
    Default,
    /// Basic event selectors.
    Basic(Vec<BasicSelector>),
    /// Advanced event selectors.
    Advanced(Vec<AdvancedSelector>),
}

/// A basic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `ReadOnly`, `WriteOnly` or `All` (the default).
    pub read_write_type: String,
    /// Whether management events are included (default true).
    pub include_management_events: bool,
    /// Event sources excluded from management events (`kms.amazonaws.com`, …).
    pub exclude_management_event_sources: Vec<String>,
}

/// An advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    /// Its name (free text; never relied on).
    pub name: Option<String>,
    /// Its field selectors.
    pub field_selectors: Vec<FieldSelector>,
}

/// One field selector of an advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldSelector {
    /// The field (`eventCategory`, `readOnly`, `eventSource`, …).
    pub field: String,
    /// `Equals` values.
    pub equals: Vec<String>,
    /// `NotEquals` values.
    pub not_equals: Vec<String>,
    /// `StartsWith` values.
    pub starts_with: Vec<String>,
    /// `NotStartsWith` values.
    pub not_starts_with: Vec<String>,
    /// `EndsWith` values.
    pub ends_with: Vec<String>,
    /// `NotEndsWith` values.
    pub not_ends_with: Vec<String>,
}

/// External-access analyzers of one account in one Region and the active findings they report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerFacts {
    /// The account the analyzers were listed in.
    pub account_id: String,
    /// `ListAnalyzers` (external-access types only: ACCOUNT and ORGANIZATION).
    pub analyzers: Collected<Vec<Analyzer>>,
}

/// One external-access analyzer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analyzer {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// `ACCOUNT` or `ORGANIZATION`.
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
    /// The service that manages it, if it is service-linked (not the customer's own).
    pub managed_by: Option<String>,
    /// Its ACTIVE findings (`ListFindings` with `status = ACTIVE`); only read for ACTIVE analyzers.
    pub active_findings: Collected<Vec<AccessFinding>>,
}

/// An active external-access finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessFinding {
    /// The finding id.
    pub id: String,
    /// The resource ARN.
    pub resource: String,
    /// The resource type (`AWS::S3::Bucket`).
    pub resource_type: String,
    /// The account that owns the resource.
    pub resource_owner_account: String,
    /// Who has access (`{"AWS": "arn:aws:iam::999988887777:root"}`).
    pub principal: std::collections::BTreeMap<String, String>,
    /// The actions granted.
    pub actions: Vec<String>,
    /// The conditions under which access is granted.
    pub condition: std::collections::BTreeMap<String, String>,
    /// Whether it is public (rather than cross-account).
    pub is_public: bool,
    /// When the finding was created (RFC 3339).
    pub created_at: Option<String>,
}

/// Facts about one scanned account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountFacts {
    /// The account.
    pub account_id: String,
    /// Whether the account could be reached: the role assumed, or, for the caller's own account,
    /// the caller's credentials working. When it is an error, every other fact holds it too.
    pub access: Collected<AccountAccess>,
    /// The IAM credential report, generated and read once.
    pub credential_report: Collected<CredentialReport>,
    /// IAM `GetAccountSummary`: the root user's keys.
    pub account_summary: Collected<AccountSummary>,
    /// The account's own trails (organization trails of the management account excluded), found
    /// with `DescribeTrails` in every scanned Region and deduplicated by ARN.
    pub trails: Collected<Vec<Trail>>,
    /// The account's own external-access analyzers and their findings: one entry per scanned
    /// Region, holding the error where that Region could not be read (a missing Region is a gap).
    pub analyzers: Vec<Regional<AnalyzerFacts>>,
    /// The account's GuardDuty detectors: one entry per scanned Region, like `analyzers`. Empty
    /// in snapshots of a posture that did not read GuardDuty (the check then says so).
    #[serde(default)]
    pub guardduty: Vec<Regional<GuardDutyFacts>>,
    /// The account's Security Hub: one entry per scanned Region, like `analyzers`. Empty in
    /// snapshots of a posture that did not read Security Hub (the check then says so).
    #[serde(default)]
    pub securityhub: Vec<Regional<SecurityHubFacts>>,
    /// The names of the S3 general purpose buckets the account owns (`ListBuckets`, every
    /// page), to tell where its trails deliver; `None` in snapshots of a posture that did not
    /// read them.
    #[serde(default)]
    pub buckets: Option<Collected<Vec<String>>>,
    /// AWS Config in the account: one entry per scanned Region, like `analyzers`. Empty in
    /// snapshots of a posture that did not read AWS Config (the check then says so).
    #[serde(default)]
    pub config: Vec<Regional<ConfigFacts>>,
    /// The IAM Identity Center instances the account sees (`ListInstances`, every Region): an
    /// account instance of its own shows only here. `None` in snapshots of a posture that did
    /// not read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_instances: Option<Collected<Vec<IdentityCenterInstance>>>,
    /// EC2's account-level settings that declarative policies pin: one entry per scanned
    /// Region, like `analyzers`. Empty in snapshots of a posture that did not read them (and left
    /// out of the file then, so that those read back as they were written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ec2_settings: Vec<Regional<Ec2SettingsFacts>>,
    /// The compute the account runs: one entry per scanned Region, like `analyzers`, read in the
    /// management account only (no check asks it of a member). Empty for members and in
    /// snapshots of a posture that did not read it (and left out of the file then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Regional<WorkloadFacts>>,
    /// How the buckets the organization trails deliver to are protected, read in the account that
    /// owns them (the log-archive account); empty in every other account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_buckets: Vec<LogBucket>,
}

/// The compute an account runs in one Region: two lists, each kept with its own result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadFacts {
    /// `DescribeInstances`, every page, but the terminated instances.
    pub ec2_instances: Collected<Vec<Ec2Instance>>,
    /// `ListFunctions`, every page: the functions' ARNs.
    pub lambda_functions: Collected<Vec<String>>,
}

/// An EC2 instance, as `DescribeInstances` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Instance {
    /// `i-…`.
    pub id: String,
    /// `pending`, `running`, `stopping`, `stopped` or `shutting-down`.
    pub state: String,
}

/// A bucket that an organization trail delivers to, as its owner sees it: what could stop its
/// logs being deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogBucket {
    /// The bucket.
    pub name: String,
    /// `GetBucketLocation`: the Region the other two are read in.
    pub region: Collected<String>,
    /// `GetBucketPolicy`: the policy document; `None` when the bucket has none
    /// (`NoSuchBucketPolicy`).
    pub policy: Collected<Option<String>>,
    /// `GetObjectLockConfiguration`; `None` when Object Lock is not configured
    /// (`ObjectLockConfigurationNotFoundError`).
    pub object_lock: Collected<Option<ObjectLock>>,
}

impl LogBucket {
    /// The errors of its reads.
    pub fn errors(&self) -> impl Iterator<Item = &CollectError> {
        [
            self.region.as_result().err(),
            self.policy.as_result().err(),
            self.object_lock.as_result().err(),
        ]
        .into_iter()
        .flatten()
    }
}

/// A bucket's Object Lock configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    /// `ObjectLockEnabled` is `Enabled`.
    pub enabled: bool,
    /// The default retention's mode (`GOVERNANCE`, `COMPLIANCE`), if a default rule is set.
    pub mode: Option<String>,
    /// The default retention in days, if given in days.
    pub days: Option<i32>,
    /// The default retention in years, if given in years.
    pub years: Option<i32>,
}

/// EC2's account-level settings in one account and Region, each with who decides it: four
/// calls, each kept with its own result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ec2SettingsFacts {
    /// `GetImageBlockPublicAccessState`: `block-new-sharing` or `unblocked`.
    pub image_block_public_access: Collected<Ec2Setting>,
    /// `GetSnapshotBlockPublicAccessState`: `block-all-sharing`, `block-new-sharing` or
    /// `unblocked`.
    pub snapshot_block_public_access: Collected<Ec2Setting>,
    /// `GetInstanceMetadataDefaults`: the `HttpTokens` default of new instances (`required`,
    /// `optional`, or `no-preference` when the account sets none).
    pub instance_metadata_defaults: Collected<Ec2Setting>,
    /// `GetSerialConsoleAccessStatus`: `enabled` or `disabled`.
    pub serial_console_access: Collected<Ec2Setting>,
}

/// One EC2 account setting as EC2 reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Setting {
    /// The value, in EC2's words.
    pub value: String,
    /// `ManagedBy`: `account` (the account set it, and can change it) or `declarative-policy`
    /// (an EC2 declarative policy pins it); `None` when EC2 said neither.
    pub managed_by: Option<String>,
}

/// Security Hub (CSPM) in one account and Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityHubFacts {
    /// `DescribeHub`, and the standards of an enabled hub.
    pub hub: Collected<SecurityHub>,
}

/// Whether Security Hub is enabled in a Region, and with which standards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SecurityHub {
    /// `DescribeHub` answered `InvalidAccessException`: the account is not subscribed to Security
    /// Hub in the Region.
    NotEnabled {
        /// AWS's message.
        message: String,
    },
    /// The account is subscribed.
    Enabled {
        /// `DescribeHub`'s `HubArn`.
        hub_arn: String,
        /// `DescribeHub`'s `SubscribedAt`.
        subscribed_at: Option<String>,
        /// `GetEnabledStandards`, every page.
        standards: Collected<Vec<EnabledStandard>>,
    },
}

/// One standard subscription of `GetEnabledStandards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledStandard {
    /// The standard (`arn:aws:securityhub:<region>::standards/aws-foundational-security-best-practices/v/1.0.0`).
    pub standards_arn: String,
    /// `StandardsStatus`: `PENDING`, `READY`, `INCOMPLETE`, `DELETING` or `FAILED`.
    pub status: String,
    /// `StandardsStatusReason.StatusReasonCode` (`NO_AVAILABLE_CONFIGURATION_RECORDER`, ...), when
    /// AWS gives one.
    pub status_reason: Option<String>,
}

/// AWS Config in one account and Region: three calls, each kept with its own result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigFacts {
    /// `DescribeConfigurationRecorders`: the customer-managed recorder (at most one per Region),
    /// and any service-linked one AWS lists beside it.
    pub recorders: Collected<Vec<ConfigRecorder>>,
    /// `DescribeConfigurationRecorderStatus`: one status per recorder.
    pub recorder_statuses: Collected<Vec<RecorderStatus>>,
    /// `DescribeDeliveryChannels` (at most one per Region).
    pub delivery_channels: Collected<Vec<DeliveryChannel>>,
}

/// A configuration recorder and what its recording group records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRecorder {
    /// Its name (`default` unless someone chose another).
    pub name: String,
    /// The service that owns a service-linked recorder (it records only what that service
    /// needs); `None` for the customer-managed recorder.
    pub service_principal: Option<String>,
    /// `recordingGroup.allSupported`.
    pub all_supported: bool,
    /// `recordingGroup.includeGlobalResourceTypes`: the IAM users, groups, roles and customer
    /// managed policies, with `allSupported`.
    pub include_global_resource_types: bool,
    /// `recordingGroup.recordingStrategy.useOnly`: `ALL_SUPPORTED_RESOURCE_TYPES`,
    /// `INCLUSION_BY_RESOURCE_TYPES` or `EXCLUSION_BY_RESOURCE_TYPES`; `None` when AWS sent
    /// none (recorders made before strategies existed).
    pub recording_strategy: Option<String>,
    /// `recordingGroup.resourceTypes`: the only types an inclusion recorder records.
    pub resource_types: Vec<String>,
    /// `recordingGroup.exclusionByResourceTypes.resourceTypes`: the types an exclusion recorder
    /// leaves out.
    pub excluded_resource_types: Vec<String>,
}

/// A configuration recorder's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecorderStatus {
    /// The recorder's name.
    pub name: String,
    /// Whether it is recording (started and not stopped).
    pub recording: bool,
    /// `lastStatus`: `Pending`, `Success`, `Failure` or `NotApplicable`.
    pub last_status: Option<String>,
    /// `lastErrorCode` of the last failure.
    pub last_error_code: Option<String>,
    /// `lastErrorMessage` of the last failure.
    pub last_error_message: Option<String>,
}

/// A delivery channel: where AWS Config delivers configuration snapshots and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryChannel {
    /// Its name.
    pub name: String,
    /// The S3 bucket it delivers to.
    pub s3_bucket_name: Option<String>,
    /// The key prefix in that bucket, if any.
    pub s3_key_prefix: Option<String>,
}

/// The GuardDuty detectors of one account in one Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardDutyFacts {
    /// `ListDetectors`, each with its `GetDetector` status.
    pub detectors: Collected<Vec<Detector>>,
}

/// One GuardDuty detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    /// Its id.
    pub id: String,
    /// `GetDetector`'s status: `ENABLED` or `DISABLED`.
    pub status: Collected<String>,
}

/// How the account was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountAccess {
    /// The principal whose credentials read the account (the assumed role's ARN, or the caller's).
    pub principal_arn: String,
}

/// The IAM credential report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// When IAM generated it (RFC 3339); reports can be up to four hours old.
    pub generated_time: Option<String>,
    /// The root user's row (`<root_account>`), if the report has one.
    pub root: Option<CredentialReportRow>,
    /// The IAM users' rows.
    pub users: Vec<CredentialReportRow>,
    /// When the report was older than the evidence had to be (generated before the previous
    /// scan ended, by default), the users' rows were read live from IAM at this time (RFC 3339)
    /// instead; the root user's row is the report's still. `None`: every row is the report's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_read_live_at: Option<String>,
}

/// One row of the credential report, by column name. Dates are RFC 3339; `None` stands for the
/// report's `N/A`, `no_information` and `not_supported`, which [`ReportValue`] keeps apart where
/// the difference matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReportRow {
    /// `user`.
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `user_creation_time`.
    pub user_creation_time: Option<String>,
    /// `password_enabled`: `not_supported` for the root user.
    pub password_enabled: ReportValue,
    /// `password_last_used`.
    pub password_last_used: ReportValue,
    /// `mfa_active`.
    pub mfa_active: ReportValue,
    /// `access_key_1_*` and `access_key_2_*`.
    pub access_keys: Vec<ReportAccessKey>,
    /// `cert_1_active`, `cert_2_active`.
    pub certificates_active: Vec<ReportValue>,
}

/// One access-key slot of a credential report row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAccessKey {
    /// 1 or 2.
    pub slot: u8,
    /// `access_key_N_active`.
    pub active: ReportValue,
    /// `access_key_N_last_rotated`.
    pub last_rotated: ReportValue,
    /// `access_key_N_last_used_date`.
    pub last_used_date: ReportValue,
    /// `access_key_N_last_used_region`.
    pub last_used_region: ReportValue,
    /// `access_key_N_last_used_service`.
    pub last_used_service: ReportValue,
}

/// A credential report cell: a value, or one of the report's words for "no value".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum ReportValue {
    /// `true`/`false`, a date, a Region, a service name.
    Value(String),
    /// `N/A`: not applicable.
    NotApplicable,
    /// `no_information`.
    NoInformation,
    /// `not_supported` (the root user's password fields).
    NotSupported,
    /// The column is missing from the report (older reports lack some).
    Missing,
}

impl ReportValue {
    /// Parses one cell of the report.
    pub fn parse(cell: Option<&str>) -> Self {
        match cell {
            None => ReportValue::Missing,
            Some("N/A") => ReportValue::NotApplicable,
            Some("no_information") => ReportValue::NoInformation,
            Some("not_supported") => ReportValue::NotSupported,
            Some(value) => ReportValue::Value(value.to_owned()),
        }
    }

    /// `Some(true/false)` for a boolean cell, `None` for anything else.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ReportValue::Value(v) if v.eq_ignore_ascii_case("true") => Some(true),
            ReportValue::Value(v) if v.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The value, if there is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            ReportValue::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// The root-user keys of IAM `GetAccountSummary`; `None` when the key is missing from the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// `AccountMFAEnabled`.
    pub mfa_enabled: Option<bool>,
    /// `AccountAccessKeysPresent`.
    pub access_keys_present: Option<bool>,
    /// `AccountPasswordPresent`.
    pub password_present: Option<bool>,
    /// `AccountSigningCertificatesPresent`.
    pub signing_certificates_present: Option<bool>,
}

/// The facts of one regional service in one Region: the one shape every regional service's
/// facts take (Access Analyzer, GuardDuty, Security Hub, AWS Config), so that collecting them,
/// counting their errors and judging an unread Region are written once. Serialized as the
/// Region beside the service's own fields, as posture has always written them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regional<T> {
    /// The Region.
    pub region: String,
    /// What was read there.
    #[serde(flatten)]
    pub facts: T,
}

/// What a regional service's per-Region facts give the code that treats every regional
/// service alike. A new regional service implements it for its facts, and lists its field in
/// [`AccountFacts::regional`], [`AccountFacts::unreachable`] and (in the order errors are listed)
/// [`AccountFacts::errors`].
pub trait RegionalService {
    /// The service, as a reason names it (`GuardDuty`, `AWS Config`).
    const NAME: &'static str;
    /// The facts of a Region of `account_id` that could not be read at all: `err` on every read.
    fn unread(account_id: &str, err: &CollectError) -> Self;
    /// Every error among them, each nested read's own included, in order and not deduplicated
    /// (one per fact that is an error).
    fn errors(&self) -> Vec<&CollectError>;
}

/// [`RegionalService::unread`] in each of `regions`.
pub fn unread_in<T: RegionalService, R: AsRef<str>>(
    account_id: &str,
    regions: &[R],
    err: &CollectError,
) -> Vec<Regional<T>> {
    regions
        .iter()
        .map(|region| Regional {
            region: region.as_ref().to_owned(),
            facts: T::unread(account_id, err),
        })
        .collect()
}

/// The errors of every Region of one regional service, for [`AccountFacts::regional`].
pub trait RegionalErrors {
    /// Every error of every Region, in Region order, not deduplicated.
    fn errors(&self) -> Vec<&CollectError>;
}

impl<T: RegionalService> RegionalErrors for Vec<Regional<T>> {
    fn errors(&self) -> Vec<&CollectError> {
        self.iter().flat_map(|r| r.facts.errors()).collect()
    }
}

impl RegionalService for AnalyzerFacts {
    const NAME: &'static str = "IAM Access Analyzer";

    fn unread(account_id: &str, err: &CollectError) -> Self {
        AnalyzerFacts {
            account_id: account_id.to_owned(),
            analyzers: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        match &self.analyzers {
            Collected::Error(err) => vec![err],
            Collected::Ok(analyzers) => analyzers
                .iter()
                .filter_map(|a| a.active_findings.as_result().err())
                .collect(),
        }
    }
}

impl RegionalService for GuardDutyFacts {
    const NAME: &'static str = "GuardDuty";

    fn unread(_account_id: &str, err: &CollectError) -> Self {
        GuardDutyFacts {
            detectors: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        match &self.detectors {
            Collected::Error(err) => vec![err],
            Collected::Ok(detectors) => detectors
                .iter()
                .filter_map(|d| d.status.as_result().err())
                .collect(),
        }
    }
}

impl RegionalService for SecurityHubFacts {
    const NAME: &'static str = "Security Hub";

    fn unread(_account_id: &str, err: &CollectError) -> Self {
        SecurityHubFacts {
            hub: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        match &self.hub {
            Collected::Error(err)
            | Collected::Ok(SecurityHub::Enabled {
                standards: Collected::Error(err),
                ..
            }) => vec![err],
            Collected::Ok(_) => Vec::new(),
        }
    }
}

impl RegionalService for ConfigFacts {
    const NAME: &'static str = "AWS Config";

    fn unread(_account_id: &str, err: &CollectError) -> Self {
        ConfigFacts {
            recorders: Collected::Error(err.clone()),
            recorder_statuses: Collected::Error(err.clone()),
            delivery_channels: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        [
            self.recorders.as_result().err(),
            self.recorder_statuses.as_result().err(),
            self.delivery_channels.as_result().err(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl RegionalService for Ec2SettingsFacts {
    const NAME: &'static str = "EC2 account configuration";

    fn unread(_account_id: &str, err: &CollectError) -> Self {
        Ec2SettingsFacts {
            image_block_public_access: Collected::Error(err.clone()),
            snapshot_block_public_access: Collected::Error(err.clone()),
            instance_metadata_defaults: Collected::Error(err.clone()),
            serial_console_access: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        [
            self.image_block_public_access.as_result().err(),
            self.snapshot_block_public_access.as_result().err(),
            self.instance_metadata_defaults.as_result().err(),
            self.serial_console_access.as_result().err(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl RegionalService for WorkloadFacts {
    const NAME: &'static str = "The inventory of EC2 instances and Lambda functions";

    fn unread(_account_id: &str, err: &CollectError) -> Self {
        WorkloadFacts {
            ec2_instances: Collected::Error(err.clone()),
            lambda_functions: Collected::Error(err.clone()),
        }
    }

    fn errors(&self) -> Vec<&CollectError> {
        [
            self.ec2_instances.as_result().err(),
            self.lambda_functions.as_result().err(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl OrganizationFacts {
    /// Every error met while reading the organization's own facts (delegated administrators,
    /// organization trails and analyzers, SCPs, aggregators, policies, centralized root access,
    /// trusted access, GuardDuty's and Security Hub's administrators' views, Control Tower),
    /// once each, in that order.
    pub fn errors(&self) -> Vec<CollectError> {
        let mut errors: Vec<CollectError> = Vec::new();
        let mut add = |collected: Result<(), &CollectError>| {
            if let Err(err) = collected
                && !errors.contains(err)
            {
                errors.push(err.clone());
            }
        };
        for service in &self.delegated_admins {
            for source in &service.sources {
                add(source.admin_account_ids.as_result().map(drop));
            }
        }
        add(self.organization_trails.as_result().map(drop));
        if let Collected::Ok(trails) = &self.organization_trails {
            for trail in trails {
                add(trail.status.as_result().map(drop));
                add(trail.selectors.as_result().map(drop));
            }
        }
        for err in self.organization_analyzers.errors() {
            add(Err(err));
        }
        match &self.service_control_policies {
            Some(Collected::Error(err)) => add(Err(err)),
            Some(Collected::Ok(policies)) => {
                for target in &policies.targets {
                    add(target.policies.as_result().map(drop));
                }
            }
            None => {}
        }
        if let Some(aggregators) = &self.config_aggregators {
            add(aggregators.delegated_admins.as_result().map(drop));
            for regional in &aggregators.regions {
                add(regional.aggregators.as_result().map(drop));
            }
        }
        match &self.policies {
            Some(Collected::Error(err)) => add(Err(err)),
            Some(Collected::Ok(policies)) => {
                for of_type in &policies.by_type {
                    add(of_type.policies.as_result().map(drop));
                    for policy in of_type.policies.as_result().into_iter().flatten() {
                        add(policy.content.as_result().map(drop));
                        add(policy.targets.as_result().map(drop));
                    }
                }
            }
            None => {}
        }
        if let Some(Collected::Error(err)) = &self.root_access {
            add(Err(err));
        }
        if let Some(Collected::Error(err)) = &self.trusted_access {
            add(Err(err));
        }
        for regional in self.guardduty_organization.iter().flatten() {
            add(regional.facts.admin_account_id.as_result().map(drop));
            if let Some(Collected::Error(err)) = &regional.facts.view {
                add(Err(err));
            }
        }
        if let Some(securityhub) = &self.securityhub_organization {
            add(securityhub.admin_account_id.as_result().map(drop));
            if let Some(Collected::Error(err)) = &securityhub.view {
                add(Err(err));
            }
        }
        if let Some(Collected::Error(err)) = &self.control_tower {
            add(Err(err));
        }
        errors
    }
}

impl AccountFacts {
    /// The facts of an account that could not be read at all: `err` on every fact, and in
    /// every one of `regions` for the regional ones.
    pub fn unreachable<R: AsRef<str>>(account_id: &str, regions: &[R], err: &CollectError) -> Self {
        AccountFacts {
            account_id: account_id.to_owned(),
            access: Collected::Error(err.clone()),
            credential_report: Collected::Error(err.clone()),
            account_summary: Collected::Error(err.clone()),
            trails: Collected::Error(err.clone()),
            analyzers: unread_in(account_id, regions, err),
            guardduty: unread_in(account_id, regions, err),
            securityhub: unread_in(account_id, regions, err),
            buckets: Some(Collected::Error(err.clone())),
            config: unread_in(account_id, regions, err),
            // Left out, as posture always wrote an unreachable account: the access error says
            // why nothing was read, and no check judges the account.
            identity_center_instances: None,
            ec2_settings: Vec::new(),
            workloads: Vec::new(),
            log_buckets: Vec::new(),
        }
    }

    /// Every regional service's facts, for what treats them alike (counting their errors): the
    /// list a new regional service's field joins.
    pub fn regional(&self) -> [&dyn RegionalErrors; 6] {
        [
            &self.analyzers,
            &self.guardduty,
            &self.securityhub,
            &self.config,
            &self.ec2_settings,
            &self.workloads,
        ]
    }

    /// Every error met while reading this account, once each: the role error alone when the
    /// account could not be reached.
    pub fn errors(&self) -> Vec<CollectError> {
        if let Collected::Error(err) = &self.access {
            return vec![err.clone()];
        }
        let mut errors = Vec::new();
        let mut add = |err: &CollectError| {
            if !errors.contains(err) {
                errors.push(err.clone());
            }
        };
        if let Collected::Error(err) = &self.credential_report {
            add(err);
        }
        if let Collected::Error(err) = &self.account_summary {
            add(err);
        }
        match &self.trails {
            Collected::Error(err) => add(err),
            Collected::Ok(trails) => {
                for trail in trails {
                    if let Collected::Error(err) = &trail.status {
                        add(err);
                    }
                    if let Collected::Error(err) = &trail.selectors {
                        add(err);
                    }
                }
            }
        }
        // The order the account's errors have always been listed in.
        for err in self.guardduty.errors() {
            add(err);
        }
        if let Some(Collected::Error(err)) = &self.buckets {
            add(err);
        }
        for regional in [
            &self.securityhub as &dyn RegionalErrors,
            &self.config,
            &self.analyzers,
        ] {
            for err in regional.errors() {
                add(err);
            }
        }
        if let Some(Collected::Error(err)) = &self.identity_center_instances {
            add(err);
        }
        for err in self.ec2_settings.errors() {
            add(err);
        }
        for err in self.workloads.errors() {
            add(err);
        }
        for bucket in &self.log_buckets {
            for err in bucket.errors() {
                add(err);
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use crate::snapshot::Snapshot;

    /// A snapshot posture wrote before the regional facts shared one shape
    /// (`tests/fixtures/snapshots/regional/README.md`).
    const BEFORE_REGIONAL: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/snapshots/regional/2026-12-06T23-35-30.967Z.json"
    ));

    #[test]
    fn a_snapshot_with_every_regional_fact_writes_back_byte_for_byte() {
        let snapshot: Snapshot = serde_json::from_str(BEFORE_REGIONAL).expect("fixture parses");
        let accounts = &snapshot.facts.accounts;
        // The fixture holds what the test is about: every regional service, in every Region.
        assert!(accounts.iter().all(|a| {
            a.analyzers.len() == 2
                && a.guardduty.len() == 2
                && a.securityhub.len() == 2
                && a.config.len() == 2
        }));
        assert_eq!(snapshot.facts.organization.organization_analyzers.len(), 2);
        let written = serde_json::to_string(&snapshot).expect("serializes");
        assert!(
            written == BEFORE_REGIONAL,
            "the snapshot no longer writes back as it was read"
        );
        let facts = serde_json::to_string(&snapshot.facts).expect("serializes");
        assert!(BEFORE_REGIONAL.contains(&format!(",\"facts\":{facts}}}")));
    }
}
