//! Evaluate: pure functions from the collected facts to findings. Each check's metadata is data
//! (`checks/<id>.toml`, see [`catalog`]); its logic is one module here (`root_mfa.rs`, ...), wired
//! up in `registry.rs`.
//!
//! This module runs the checks: every account-scope check on every scanned account (or one ERROR
//! per check when the account's role could not be assumed), a SKIPPED finding per check for every
//! account that was not scanned, and organization-scope checks once. Nothing here does I/O, reads
//! the clock or logs: the time of the evaluation is an argument, so an old snapshot's facts can be
//! re-evaluated and give the same findings. A fact that could not be collected gives ERROR with
//! the reason, never a default that would read as PASS or FAIL.

pub mod catalog;
mod context;
mod control_tower_landing_zone;
pub mod csf_evidence;
pub mod landing_zone;
mod registry;

mod access_analyzer_enabled;
mod access_key_rotation;
mod access_key_unused;
mod cloudtrail_kms_encryption;
mod cloudtrail_log_file_validation;
mod cloudtrail_logs_outside_account;
mod cloudtrail_multi_region;
mod config_aggregator_organization;
mod config_recorder_enabled;
mod credentials;
mod delegated_admin_not_management;
mod ec2_declarative_policy;
mod external_access_findings;
mod guardduty_enabled;
mod guardduty_organization_coverage;
mod iam_user_access_keys;
mod iam_user_console_mfa;
mod identity_center;
mod management_account_no_iam_users;
mod management_account_no_workloads;
mod organization_structure;
mod organization_trail_log_archive;
mod parts;
mod policy_path;
mod rcp_data_perimeter;
mod root_access_centralized;
mod root_access_keys;
mod root_mfa;
mod scp_guardrails;
mod scps_attached;
mod securityhub_central_configuration;
mod securityhub_enabled;
mod trails;
pub mod waivers;

use std::collections::BTreeSet;
use std::sync::LazyLock;

pub use catalog::{
    CatalogError, CheckMeta, CsfSubcategory, MAPPING_FAMILIES, MappingFamily, Mappings, Scope,
    Severity,
};
pub use csf_evidence::{CsfEvidence, EvidenceKind};

use crate::facts::{AccountFacts, CollectError, Collected, ReportValue, ScanFacts};
use crate::finding::{Finding, Outcome, Status};
use context::AccountContext;
use registry::{CHECKS, CheckLogic};

static NIST_CSF_2: LazyLock<Vec<CsfSubcategory>> = LazyLock::new(|| {
    // The CSV is embedded and a unit test parses it, so this cannot fail in a tested build.
    catalog::parse_nist_csf_2().unwrap_or_else(|err| panic!("{err}"))
});

static CATALOG: LazyLock<Vec<CheckMeta>> = LazyLock::new(|| {
    // Every check file is embedded and a unit test validates them all, so this cannot fail in a
    // tested build; the message names the file and field if someone skips the tests.
    load_catalog().unwrap_or_else(|err| panic!("{err}"))
});

/// The NIST CSF 2.0 functions, in the framework's order: the first two letters of every
/// subcategory id of [`nist_csf_2`].
pub const CSF_FUNCTIONS: [&str; 6] = ["GV", "ID", "PR", "DE", "RS", "RC"];

/// The NIST CSF 2.0 Core (106 subcategories) that check mappings are validated against.
pub fn nist_csf_2() -> &'static [CsfSubcategory] {
    &NIST_CSF_2
}

/// posture's judgement of which NIST CSF 2.0 subcategories AWS APIs could give evidence for
/// (`checks/nist-csf-2.0-aws.toml`, embedded), validated against the Core and the catalogue: one
/// entry per subcategory of [`nist_csf_2`], in its order. Parsed on each call (106 short rows);
/// only `posture checks --framework` needs it.
///
/// # Errors
/// The first problem, naming the file and the line or subcategory (see
/// [`csf_evidence::parse_nist_csf_2_aws`]).
pub fn load_nist_csf_2_aws() -> Result<Vec<CsfEvidence>, CatalogError> {
    csf_evidence::parse_nist_csf_2_aws(csf_evidence::NIST_CSF_2_AWS_TOML, nist_csf_2(), catalog())
}

/// The check catalogue's version: the first 12 hex digits of the SHA-256 of every check file
/// and the framework data, so two builds with the same checks have the same version and any edit
/// to a check shows.
pub fn catalogue_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for check in CHECKS {
            hasher.update(check.id.as_bytes());
            hasher.update([0]);
            hasher.update(check.toml.as_bytes());
            hasher.update([0]);
        }
        hasher.update(catalog::NIST_CSF_2_CSV.as_bytes());
        // Not `checks/nist-csf-2.0-aws.toml`: it changes what coverage says, never a finding, and
        // a new version would make `posture reevaluate` redo findings for nothing.
        let digest = hasher.finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    });
    &VERSION
}

/// The limits the age checks judge against. The defaults are the CIS AWS Foundations
/// Benchmark's; `posture.toml` (`[thresholds]`) and the command line can set others, the
/// snapshot records the ones its findings were judged with (`scan.thresholds`), and the evidence
/// of every finding they decide names the limit it used.
///
/// A limit missing from a snapshot (written before it existed) reads as its default: until then
/// every scan judged with the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// `access-key-rotation` fails an active key older than this (CIS v5.0.0 1.13: 90 days).
    pub access_key_max_age_days: u32,
    /// `access-key-unused` fails an active key unused for this many days or more (CIS v5.0.0
    /// 1.11: 45 days).
    pub access_key_max_unused_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            access_key_max_age_days: 90,
            access_key_max_unused_days: 45,
        }
    }
}

/// One limit of [`Thresholds`], described: the key that sets it (in `posture.toml`'s
/// `[thresholds]` and in the snapshot), the check it decides, the evidence label under which that
/// check records it, and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// `access_key_max_age_days`.
    pub key: &'static str,
    /// `access-key-rotation`.
    pub check: &'static str,
    /// `maximum age (days)`.
    pub evidence_label: &'static str,
    /// The limit, in days.
    pub days: u32,
}

impl Thresholds {
    /// Every limit with its key, check and evidence label, in the order `posture.toml`'s
    /// documentation lists them.
    pub fn limits(&self) -> [Limit; 2] {
        [
            Limit {
                key: "access_key_max_age_days",
                check: "access-key-rotation",
                evidence_label: access_key_rotation::LIMIT_LABEL,
                days: self.access_key_max_age_days,
            },
            Limit {
                key: "access_key_max_unused_days",
                check: "access-key-unused",
                evidence_label: access_key_unused::LIMIT_LABEL,
                days: self.access_key_max_unused_days,
            },
        ]
    }
}

/// How the landing zone's parts are recognised: the OU taken for the Security OU. The default is
/// the guidance's name (`/Security`) and Control Tower's former one (`/Core`); `posture.toml`'s
/// `[landing_zone]` can name others, and the snapshot records the ones its findings were judged
/// with (`scan.landing_zone`, left out when it is the default, so that snapshots written before
/// it existed read back as they were written).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LandingZone {
    /// OU paths (`/Security`, matched in any case) or ids (`ou-…`), in order of preference: the
    /// first that holds a scanned account (in it or below it) is the Security OU.
    pub security_ous: Vec<String>,
}

impl Default for LandingZone {
    fn default() -> Self {
        LandingZone {
            security_ous: vec!["/Security".to_owned(), "/Core".to_owned()],
        }
    }
}

impl LandingZone {
    /// The findings, as (check, resource), that it decides: `diff` blames a change of it for
    /// these only (a member's place under the root does not depend on it).
    pub const FINDINGS: &[(&str, &str)] = &[(
        "organization-structure",
        organization_structure::SECURITY_OU,
    )];

    /// The evidence label under which those findings record the setting.
    pub const EVIDENCE_LABEL: &str = "Security OU is";

    /// The evidence labels whose values the setting decides (the OU taken for the Security OU).
    pub const DECIDES: &[&str] = &[organization_structure::SECURITY_OU];

    /// Whether these are the defaults (the snapshot then leaves them out).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// `security_ous = ["/Security", "/Core"]`: the setting as `posture.toml` writes it.
    pub fn describe(&self) -> String {
        let quoted: Vec<String> = self
            .security_ous
            .iter()
            .map(|ou| format!("{ou:?}"))
            .collect();
        format!("security_ous = [{}]", quoted.join(", "))
    }

    /// Whether `entry`, one of `security_ous`, names `ou` (its path in any case, or its id).
    pub(crate) fn names(entry: &str, ou: &crate::facts::OuRef) -> bool {
        ou.id == entry || ou.path.eq_ignore_ascii_case(entry)
    }

    /// The Security OU: the first entry of `security_ous` that names an OU above a scanned account
    /// of `placements`.
    pub(crate) fn security_ou<'a>(
        &self,
        placements: &'a [crate::facts::AccountPlacement],
    ) -> Option<&'a crate::facts::OuRef> {
        self.security_ous.iter().find_map(|entry| {
            placements
                .iter()
                .flat_map(|p| &p.parents)
                .find(|ou| Self::names(entry, ou))
        })
    }
}

/// Every check's metadata, in registry order.
pub fn catalog() -> &'static [CheckMeta] {
    &CATALOG
}

/// Parses and validates every registered check's metadata.
///
/// # Errors
/// The first file that does not parse or validate, named with its field.
pub fn load_catalog() -> Result<Vec<CheckMeta>, CatalogError> {
    let csf_ids: BTreeSet<&str> = nist_csf_2().iter().map(|s| s.id.as_str()).collect();
    CHECKS
        .iter()
        .map(|check| catalog::parse_check(check.id, check.toml, &csf_ids))
        .collect()
}

/// Evaluates the checks `selected` keeps (by id) on the scan's facts, with the limits of
/// `thresholds` and the Security OU of `landing_zone`. `evaluated_at` is the time of the evaluation (RFC 3339, e.g. the scan's time):
/// ages in the evidence are measured against it, never against the clock.
///
/// Every expected cell gets exactly one finding: account-scope checks one per scanned account
/// (region-scope ones one per scanned Region) or more when they judge several resources; an
/// account whose role could not be assumed gets ERROR in each cell, quoting the error; a skipped
/// account gets SKIPPED in each cell. Organization-scope findings belong to the management
/// account. The result is sorted by (check, account, region, resource).
pub fn evaluate(
    facts: &ScanFacts,
    evaluated_at: &str,
    thresholds: &Thresholds,
    landing_zone: &LandingZone,
    selected: impl Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for check in CHECKS.iter().filter(|c| selected(c.id)) {
        match check.logic {
            CheckLogic::Organization(judge) => {
                let account = &facts.organization.management_account_id;
                findings.extend(
                    judge(facts, landing_zone)
                        .into_iter()
                        .map(|outcome| Finding::from_outcome(check.id, account, outcome)),
                );
            }
            CheckLogic::Account {
                evaluate: judge,
                account_resource,
            } => {
                let scope = scope_of(check.id);
                for account in &facts.accounts {
                    let outcomes = match &account.access {
                        Collected::Ok(_) => judge(&AccountContext {
                            account,
                            organization: &facts.organization,
                            regions: &facts.regions,
                            evaluated_at,
                            thresholds,
                        }),
                        Collected::Error(err) => cells(scope, &facts.regions)
                            .into_iter()
                            .map(|region| {
                                unread_outcome(
                                    region,
                                    account_resource(&account.account_id),
                                    "the account",
                                    "account access",
                                    err,
                                )
                            })
                            .collect(),
                    };
                    findings.extend(
                        outcomes
                            .into_iter()
                            .map(|o| Finding::from_outcome(check.id, &account.account_id, o)),
                    );
                }
                for skipped in &facts.skipped_accounts {
                    findings.extend(cells(scope, &facts.regions).into_iter().map(|region| {
                        let outcome = Outcome::new(
                            region,
                            account_resource(&skipped.account_id),
                            Status::Skipped,
                            skipped.reason.clone(),
                        );
                        Finding::from_outcome(check.id, &skipped.account_id, outcome)
                    }));
                }
            }
        }
    }
    // A stable sort: a check's own order among findings of equal identity (there should be
    // none) is kept.
    findings.sort_by(|a, b| a.id().cmp(&b.id()));
    findings
}

/// The scope the check's metadata declares. The registry test guarantees every registered id
/// has metadata; `Account` is the safe fallback (one cell per account).
fn scope_of(id: &str) -> Scope {
    catalog()
        .iter()
        .find(|meta| meta.id == id)
        .map_or(Scope::Account, |meta| meta.scope)
}

/// The Regions of a check's cells for one account: every scanned Region for a region-scope check,
/// else the single global cell.
fn cells(scope: Scope, regions: &[String]) -> Vec<Option<&str>> {
    match scope {
        Scope::Region => regions.iter().map(|r| Some(r.as_str())).collect(),
        Scope::Account | Scope::Organization => vec![None],
    }
}

/// The management account's facts, for a check of the management account alone; or the one
/// outcome that says why there are none: SKIPPED with the reason when it was not scanned (out of
/// scope, or not ACTIVE), ERROR with AWS's error when it could not be reached.
pub(crate) fn management_account(facts: &ScanFacts) -> Result<&AccountFacts, Outcome> {
    let management = facts.organization.management_account_id.as_str();
    let Some(account) = facts.accounts.iter().find(|a| a.account_id == management) else {
        let reason = facts
            .skipped_accounts
            .iter()
            .find(|s| s.account_id == management)
            .map_or_else(
                || "the management account is not in the scan's scope".to_owned(),
                |s| s.reason.clone(),
            );
        return Err(Outcome::new(None, management, Status::Skipped, reason));
    };
    match &account.access {
        Collected::Error(err) => Err(unread_outcome(
            None,
            management,
            "the management account",
            "account access",
            err,
        )),
        Collected::Ok(_) => Ok(account),
    }
}

/// One line for a reason: which call failed where, and AWS's code and message
/// (`sts:AssumeRole failed: AccessDenied: User ... is not authorized ...`).
/// The one verdict every cell of an organization-wide check gets when its service's
/// administrator cannot answer: (status, reason, the administrator's evidence).
pub(crate) type Unanswered = (Status, String, String);

/// What `service`'s administrator (`admin`, read `place`: `" in eu-west-1"` or `""`) answered
/// (`view`), with the administrator; or, without one, FAIL saying `without` what it means, and
/// ERROR when either could not be read.
pub(crate) fn administrator_view<'a, V>(
    service: &str,
    place: &str,
    admin: &'a Collected<Option<String>>,
    view: Option<&'a Collected<V>>,
    without: &str,
) -> Result<(&'a str, &'a V), Unanswered> {
    let admin = match admin {
        Collected::Error(err) => {
            return Err((
                Status::Error,
                format!(
                    "{service}'s administrator{place} could not be read: {}",
                    describe_error(err)
                ),
                error_evidence(err),
            ));
        }
        Collected::Ok(None) => {
            return Err((
                Status::Fail,
                format!("{service} has no administrator{place}: {without}"),
                "none".to_owned(),
            ));
        }
        Collected::Ok(Some(admin)) => admin.as_str(),
    };
    match view {
        Some(Collected::Ok(view)) => Ok((admin, view)),
        Some(Collected::Error(err)) => Err((
            Status::Error,
            format!(
                "the {service} administrator {admin} could not be read{place}: {}",
                describe_error(err)
            ),
            format!("{admin}; {}", error_evidence(err)),
        )),
        None => Err((
            Status::Error,
            format!("the {service} administrator {admin} was not read{place}"),
            admin.to_owned(),
        )),
    }
}

pub(crate) fn describe_error(err: &CollectError) -> String {
    let place = err
        .region
        .as_deref()
        .map(|r| format!(" in {r}"))
        .unwrap_or_default();
    let code = err
        .code
        .as_deref()
        .map(|c| format!("{c}: "))
        .unwrap_or_default();
    format!(
        "{}:{}{place} failed: {code}{}",
        err.service, err.action, err.message
    )
}

/// The same for the evidence, with AWS's request id (for AWS support) when there is one.
pub(crate) fn error_evidence(err: &CollectError) -> String {
    match &err.request_id {
        Some(id) => format!("not read: {} (request id {id})", describe_error(err)),
        None => format!("not read: {}", describe_error(err)),
    }
}

/// The ERROR outcome of a cell whose fact could not be read: the reason says `what` could not be
/// read and why, the evidence under `label` keeps the error with its request id.
pub(crate) fn unread_outcome(
    region: Option<&str>,
    resource: impl Into<String>,
    what: &str,
    label: &str,
    err: &CollectError,
) -> Outcome {
    Outcome::new(
        region,
        resource,
        Status::Error,
        format!("{what} could not be read: {}", describe_error(err)),
    )
    .with(label, error_evidence(err))
}

/// A credential-report cell as the report writes it (`N/A`, `no_information`, ...), for reasons
/// and evidence.
pub(crate) fn report_cell(value: &ReportValue) -> String {
    match value {
        ReportValue::Value(v) => v.clone(),
        ReportValue::NotApplicable => "N/A".to_owned(),
        ReportValue::NoInformation => "no_information".to_owned(),
        ReportValue::NotSupported => "not_supported".to_owned(),
        ReportValue::Missing => "missing".to_owned(),
    }
}

/// Hand-built facts for the checks' unit tests: a readable account with nothing in it, which
/// each test then changes.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::facts::{
        AccountAccess, AccountFacts, AccountSummary, CollectError, Collected, CredentialReport,
        CredentialReportRow, EventSelectors, OrganizationFacts, ReportAccessKey, ReportValue,
        Trail, TrailStatus,
    };
    use crate::finding::{Outcome, Status};

    /// The default limits, for contexts built by hand.
    pub(crate) static THRESHOLDS: super::Thresholds = super::Thresholds {
        access_key_max_age_days: 90,
        access_key_max_unused_days: 45,
    };

    pub(crate) const MGMT: &str = "111111111111";
    pub(crate) const ACCT: &str = "222222222222";
    pub(crate) const NOW: &str = "2025-06-01T00:00:00Z";

    /// A multi-Region trail of `owner` that is logging all management events into `{name}-logs`,
    /// with log file validation on and no KMS key: the trail checks' tests change what they judge.
    pub(crate) fn trail(owner: &str, name: &str) -> Trail {
        Trail {
            arn: format!("arn:aws:cloudtrail:us-east-1:{owner}:trail/{name}"),
            name: name.to_owned(),
            home_region: "us-east-1".to_owned(),
            multi_region: true,
            organization_trail: false,
            log_file_validation: true,
            kms_key_id: None,
            s3_bucket: Some(format!("{name}-logs")),
            status: Collected::Ok(TrailStatus { is_logging: true }),
            selectors: Collected::Ok(EventSelectors::Default),
        }
    }

    /// The context a check judges `account` in: at [`NOW`], with the default [`THRESHOLDS`]
    /// (struct update syntax sets others).
    pub(crate) fn context<'a>(
        account: &'a AccountFacts,
        organization: &'a OrganizationFacts,
        regions: &'a [String],
    ) -> super::context::AccountContext<'a> {
        super::context::AccountContext {
            account,
            organization,
            regions,
            evaluated_at: NOW,
            thresholds: &THRESHOLDS,
        }
    }

    /// Asserts a table case's verdict: its status, and a reason that contains `reason`; `name`
    /// names the case in the failure.
    #[track_caller]
    pub(crate) fn assert_verdict(name: &str, outcome: &Outcome, status: Status, reason: &str) {
        assert_eq!(outcome.status, status, "{name}: {}", outcome.reason);
        assert!(
            outcome.reason.contains(reason),
            "{name}: {:?} lacks {reason:?}",
            outcome.reason
        );
    }

    pub(crate) fn error(service: &str, action: &str, code: &str) -> CollectError {
        CollectError {
            service: service.to_owned(),
            action: action.to_owned(),
            region: None,
            code: Some(code.to_owned()),
            message: format!("{action} went wrong"),
            request_id: Some("req-1".to_owned()),
            http_status: Some(403),
        }
    }

    /// The root and the OU of the organizations that the policy checks' tests build.
    pub(crate) const ROOT: &str = "r-root";
    pub(crate) const OU: &str = "ou-root-workloads";
    pub(crate) const ORG: &str = "o-example";

    /// A customer-managed policy `id` (`p-FullAWSAccess`, `p-RCPFullAWSAccess`: AWS's) attached
    /// to `targets`, with `statements` (a JSON array).
    pub(crate) fn org_policy(
        id: &str,
        targets: &[&str],
        statements: &str,
    ) -> crate::facts::OrganizationPolicy {
        crate::facts::OrganizationPolicy {
            id: id.to_owned(),
            name: id.trim_start_matches("p-").to_owned(),
            aws_managed: id.ends_with("FullAWSAccess"),
            content: Collected::Ok(format!(
                r#"{{"Version": "2012-10-17", "Statement": {statements}}}"#
            )),
            targets: Collected::Ok(targets.iter().map(|t| (*t).to_owned()).collect()),
        }
    }

    /// [`organization`] with `policy_type` enabled on [`ROOT`] and `policies` as its policies,
    /// and [`ACCT`] in [`OU`] (`/Workloads`).
    pub(crate) fn with_policies(
        policy_type: &str,
        policies: Collected<Vec<crate::facts::OrganizationPolicy>>,
    ) -> OrganizationFacts {
        use crate::facts::{
            AccountPlacement, OrganizationPolicies, OuRef, PoliciesOfType, RootPolicyType,
        };
        OrganizationFacts {
            policies: Some(Collected::Ok(OrganizationPolicies {
                root_id: ROOT.to_owned(),
                organization_id: ORG.to_owned(),
                policy_types: vec![RootPolicyType {
                    policy_type: policy_type.to_owned(),
                    status: "ENABLED".to_owned(),
                }],
                by_type: vec![PoliciesOfType {
                    policy_type: policy_type.to_owned(),
                    policies,
                }],
                placements: vec![AccountPlacement {
                    account_id: ACCT.to_owned(),
                    parents: vec![OuRef {
                        id: OU.to_owned(),
                        path: "/Workloads".to_owned(),
                    }],
                }],
            })),
            ..organization()
        }
    }

    pub(crate) fn organization() -> OrganizationFacts {
        OrganizationFacts {
            management_account_id: MGMT.to_owned(),
            delegated_admins: Vec::new(),
            organization_trails: Collected::Ok(Vec::new()),
            organization_analyzers: Vec::new(),
            service_control_policies: None,
            config_aggregators: None,
            policies: None,
            root_access: None,
            identity_center: None,
            trusted_access: None,
            guardduty_organization: None,
            securityhub_organization: None,
            control_tower: None,
        }
    }

    pub(crate) fn value(v: &str) -> ReportValue {
        ReportValue::Value(v.to_owned())
    }

    pub(crate) fn key(slot: u8, active: bool) -> ReportAccessKey {
        ReportAccessKey {
            slot,
            active: value(if active { "true" } else { "false" }),
            last_rotated: if active {
                value("2024-01-01T00:00:00+00:00")
            } else {
                ReportValue::NotApplicable
            },
            last_used_date: ReportValue::NotApplicable,
            last_used_region: ReportValue::NotApplicable,
            last_used_service: ReportValue::NotApplicable,
        }
    }

    /// A credential-report row with no credential at all.
    pub(crate) fn row(user: &str, arn: &str) -> CredentialReportRow {
        CredentialReportRow {
            user: user.to_owned(),
            arn: arn.to_owned(),
            user_creation_time: Some("2020-01-01T00:00:00+00:00".to_owned()),
            password_enabled: value("false"),
            password_last_used: ReportValue::NotApplicable,
            mfa_active: value("false"),
            access_keys: vec![key(1, false), key(2, false)],
            certificates_active: vec![value("false"), value("false")],
        }
    }

    pub(crate) fn root_row(account: &str) -> CredentialReportRow {
        CredentialReportRow {
            password_enabled: ReportValue::NotSupported,
            ..row("<root_account>", &format!("arn:aws:iam::{account}:root"))
        }
    }

    /// A readable account whose credential report lists `users` beside the root user.
    pub(crate) fn with_users(id: &str, users: Vec<CredentialReportRow>) -> AccountFacts {
        let mut a = account(id);
        if let Collected::Ok(report) = &mut a.credential_report {
            report.users = users;
        }
        a
    }

    /// One regional service's facts, `facts[i]` in `regions[i]`.
    pub(crate) fn in_regions<T>(regions: &[&str], facts: Vec<T>) -> Vec<crate::facts::Regional<T>> {
        regions
            .iter()
            .zip(facts)
            .map(|(region, facts)| crate::facts::Regional {
                region: (*region).to_owned(),
                facts,
            })
            .collect()
    }

    /// A readable account: no root credentials, no users, no trails, no analyzers.
    pub(crate) fn account(id: &str) -> AccountFacts {
        AccountFacts {
            account_id: id.to_owned(),
            access: Collected::Ok(AccountAccess {
                principal_arn: format!("arn:aws:sts::{id}:assumed-role/Auditor/posture"),
            }),
            credential_report: Collected::Ok(CredentialReport {
                generated_time: Some("2025-05-31T22:00:00+00:00".to_owned()),
                root: Some(root_row(id)),
                users: Vec::new(),
                users_read_live_at: None,
            }),
            account_summary: Collected::Ok(AccountSummary {
                mfa_enabled: Some(false),
                access_keys_present: Some(false),
                password_present: Some(false),
                signing_certificates_present: Some(false),
            }),
            trails: Collected::Ok(Vec::new()),
            analyzers: Vec::new(),
            guardduty: Vec::new(),
            securityhub: Vec::new(),
            buckets: Some(Collected::Ok(Vec::new())),
            config: Vec::new(),
            identity_center_instances: Some(Collected::Ok(Vec::new())),
            ec2_settings: Vec::new(),
            workloads: Vec::new(),
            log_buckets: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{ACCT, MGMT, NOW, THRESHOLDS, account, error, organization};
    use super::*;
    use crate::facts::SkippedAccount;

    fn scan(accounts: Vec<crate::facts::AccountFacts>) -> ScanFacts {
        ScanFacts {
            organization: organization(),
            accounts,
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
        }
    }

    #[test]
    fn the_catalog_loads() {
        assert_eq!(catalog().len(), CHECKS.len());
        assert_eq!(nist_csf_2().len(), 106);
    }

    #[test]
    fn an_unreachable_account_is_error_in_every_cell_of_every_account_check() {
        let mut denied = account(ACCT);
        let err = error("sts", "AssumeRole", "AccessDenied");
        denied.access = Collected::Error(err.clone());
        // What collect does: every fact holds the AssumeRole error.
        denied.credential_report = Collected::Error(err.clone());
        denied.account_summary = Collected::Error(err.clone());
        denied.trails = Collected::Error(err);
        let findings: Vec<Finding> = evaluate(
            &scan(vec![denied]),
            NOW,
            &THRESHOLDS,
            &LandingZone::default(),
            |_| true,
        )
        .into_iter()
        .filter(|f| f.account == ACCT)
        .collect();
        let cells: Vec<(&str, Option<&str>, &str)> = findings
            .iter()
            .map(|f| (f.check.as_str(), f.region.as_deref(), f.resource.as_str()))
            .collect();
        assert_eq!(
            cells,
            [
                ("access-analyzer-enabled", Some("eu-west-1"), ACCT),
                ("access-analyzer-enabled", Some("us-east-1"), ACCT),
                ("access-key-rotation", None, ACCT),
                ("access-key-unused", None, ACCT),
                ("cloudtrail-kms-encryption", None, ACCT),
                ("cloudtrail-log-file-validation", None, ACCT),
                ("cloudtrail-logs-outside-account", None, ACCT),
                ("cloudtrail-multi-region", None, ACCT),
                ("config-recorder-enabled", Some("eu-west-1"), ACCT),
                ("config-recorder-enabled", Some("us-east-1"), ACCT),
                ("ec2-declarative-policy", Some("eu-west-1"), ACCT),
                ("ec2-declarative-policy", Some("us-east-1"), ACCT),
                ("external-access-findings", Some("eu-west-1"), ACCT),
                ("external-access-findings", Some("us-east-1"), ACCT),
                ("guardduty-enabled", Some("eu-west-1"), ACCT),
                ("guardduty-enabled", Some("us-east-1"), ACCT),
                ("iam-user-access-keys", None, ACCT),
                ("iam-user-console-mfa", None, ACCT),
                ("identity-center", None, ACCT),
                ("rcp-data-perimeter", None, ACCT),
                (
                    "root-access-centralized",
                    None,
                    "arn:aws:iam::222222222222:root"
                ),
                ("root-access-keys", None, "arn:aws:iam::222222222222:root"),
                ("root-mfa", None, "arn:aws:iam::222222222222:root"),
                ("scp-guardrails", None, ACCT),
                ("securityhub-enabled", Some("eu-west-1"), ACCT),
                ("securityhub-enabled", Some("us-east-1"), ACCT),
            ]
        );
        for finding in &findings {
            assert_eq!(finding.status, Status::Error);
            assert_eq!(
                finding.reason,
                "the account could not be read: sts:AssumeRole failed: AccessDenied: AssumeRole went wrong"
            );
        }
    }

    #[test]
    fn a_skipped_account_is_skipped_in_every_cell_with_its_reason() {
        let mut facts = scan(Vec::new());
        facts.skipped_accounts.push(SkippedAccount {
            account_id: ACCT.to_owned(),
            reason: "account is SUSPENDED".to_owned(),
        });
        let findings = evaluate(&facts, NOW, &THRESHOLDS, &LandingZone::default(), |_| true);
        let skipped: Vec<&Finding> = findings.iter().filter(|f| f.account == ACCT).collect();
        // One per cell of every account-scope check: a region-scope one has a cell per Region.
        let cells: usize = CHECKS
            .iter()
            .filter(|c| matches!(c.logic, CheckLogic::Account { .. }))
            .map(|c| cells(scope_of(c.id), &facts.regions).len())
            .sum();
        assert_eq!(skipped.len(), cells);
        assert!(cells > CHECKS.len() / 2, "{cells}");
        assert!(
            skipped
                .iter()
                .all(|f| f.status == Status::Skipped && f.reason == "account is SUSPENDED")
        );
    }

    #[test]
    fn organization_findings_belong_to_the_management_account_and_all_are_sorted() {
        let findings = evaluate(
            &scan(vec![account(ACCT), account(MGMT)]),
            NOW,
            &THRESHOLDS,
            &LandingZone::default(),
            |_| true,
        );
        let org: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.check == "delegated-admin-not-management")
            .collect();
        assert_eq!(org.len(), 11, "one per expected security service");
        assert!(org.iter().all(|f| f.account == MGMT && f.region.is_none()));
        let keys: Vec<_> = findings
            .iter()
            .map(|f| (&f.check, &f.account, &f.region, &f.resource))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn only_the_selected_checks_are_evaluated() {
        let facts = scan(vec![account(ACCT)]);
        let findings = evaluate(&facts, NOW, &THRESHOLDS, &LandingZone::default(), |id| {
            id == "root-mfa"
        });
        assert!(!findings.is_empty());
        assert!(findings.iter().all(|f| f.check == "root-mfa"));
    }

    #[test]
    fn evaluating_twice_gives_the_same_findings() {
        let facts = scan(vec![account(ACCT)]);
        assert_eq!(
            evaluate(&facts, NOW, &THRESHOLDS, &LandingZone::default(), |_| true),
            evaluate(&facts, NOW, &THRESHOLDS, &LandingZone::default(), |_| true)
        );
    }

    #[test]
    fn every_limit_names_its_key_check_and_evidence_label() {
        let thresholds = Thresholds {
            access_key_max_age_days: 7,
            access_key_max_unused_days: 8,
        };
        let json = serde_json::to_value(thresholds).unwrap();
        let keys: BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let limits = thresholds.limits();
        assert_eq!(keys, limits.iter().map(|l| l.key).collect());
        for limit in limits {
            assert_eq!(json[limit.key], limit.days, "{}", limit.key);
            assert!(
                catalog().iter().any(|c| c.id == limit.check),
                "{}",
                limit.check
            );
            assert!(!limit.evidence_label.is_empty());
        }
    }

    #[test]
    fn limits_missing_from_a_snapshot_read_as_the_defaults() {
        let read: Thresholds = serde_json::from_str(r#"{"access_key_max_age_days": 30}"#).unwrap();
        assert_eq!(
            read,
            Thresholds {
                access_key_max_age_days: 30,
                ..Thresholds::default()
            }
        );
    }
}
