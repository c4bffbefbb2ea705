//! `posture scan` from the audit account: a member that is a delegated administrator (of Security
//! Hub, IAM Access Analyzer and AWS Config in the seeded organization), with its own credentials
//! in the environment, as an auditor who may not work in the management account runs it.
//!
//! What it must show, check by check, against a scan of the same organization from the management
//! account: every verdict that a delegated administrator can read is the same; what AWS answers the
//! management account only (Security Hub's and GuardDuty's `ListOrganizationAdminAccounts`) is
//! that source's error with AWS's code, and never turns a verdict into PASS. The README's
//! "Scanning from the audit account" table is this test's expectations in prose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_credential_types::provider::ProvideCredentials;
use posture::facts::{CollectError, Collected, ScanFacts};
use posture::finding::Status;
use posture::sandbox::FaultRule;
use posture::snapshot::Snapshot;

use crate::support::{
    ClearFaults, Seeded, exclusive, posture_scan_command_with_summary, seeded, state_dir,
};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// (check, account, region, resource) → the verdict and its reason.
type Verdicts = BTreeMap<(String, String, Option<String>, String), (Status, String)>;

/// The organization-wide reads AWS answers the management account only, the code each answers
/// anyone else, and the service whose administrator they tell.
const MANAGEMENT_ONLY: [(&str, &str, &str); 2] = [
    (
        "securityhub:ListOrganizationAdminAccounts",
        "InvalidAccessException",
        "securityhub.amazonaws.com",
    ),
    (
        "guardduty:ListOrganizationAdminAccounts",
        "BadRequestException",
        "guardduty.amazonaws.com",
    ),
];

/// One finished scan.
struct Scanned {
    code: i32,
    /// The summary (standard output).
    summary: String,
    snapshot: Snapshot<ScanFacts>,
}

impl Scanned {
    fn verdicts(&self) -> Verdicts {
        self.snapshot
            .findings
            .iter()
            .map(|f| {
                (
                    (
                        f.check.to_string(),
                        f.account.to_string(),
                        f.region.as_ref().map(ToString::to_string),
                        f.resource.clone(),
                    ),
                    (f.status, f.reason.clone()),
                )
            })
            .collect()
    }
}

/// Scans the seeded organization into a store of its own, with `credentials` in the environment
/// (the sandbox's management-account keys when `None`).
fn scan(seeded: &Seeded, name: &str, credentials: Option<&[(&str, String)]>) -> Scanned {
    let store = state_dir(&format!("audit-account-{name}"));
    let _ = std::fs::remove_dir_all(&store);
    let mut command = posture_scan_command_with_summary(
        seeded.endpoint(),
        &store,
        &["--regions", &REGIONS.join(",")],
    );
    command.env_remove("AWS_SESSION_TOKEN");
    if let Some(credentials) = credentials {
        command.envs(credentials.iter().map(|(k, v)| (*k, v.as_str())));
    }
    let output = command.output().expect("run posture scan");
    let code = output.status.code().expect("exit code");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(code, 0 | 3),
        "posture scan exited {code}: {stderr}"
    );
    Scanned {
        code,
        summary: String::from_utf8_lossy(&output.stdout).into_owned(),
        snapshot: only_snapshot(&store),
    }
}

fn only_snapshot(store: &Path) -> Snapshot<ScanFacts> {
    let written = posture::snapshot::Store::new(store).list().expect("list");
    assert_eq!(written.len(), 1, "one snapshot per scan");
    posture::snapshot::read_snapshot(&written[0].path).expect("read the snapshot")
}

/// The audit account's own credentials, as an auditor signed in there has them: the seeded
/// role's session, assumed from the management account.
async fn audit_credentials(seeded: &Seeded) -> Vec<(&'static str, String)> {
    let factory = seeded.factory().await;
    let config = seeded
        .member(&factory, &seeded.account_id("acme-audit"))
        .await;
    let credentials = config
        .credentials_provider()
        .expect("a credentials provider")
        .provide_credentials()
        .await
        .expect("the audit account's session");
    vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id().to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key().to_owned(),
        ),
        (
            "AWS_SESSION_TOKEN",
            credentials.session_token().expect("a session").to_owned(),
        ),
    ]
}

/// The error of every Region's `api` source of `service`'s administrator in `facts`.
fn admin_source_errors<'a>(
    facts: &'a ScanFacts,
    service: &str,
    api: &str,
) -> Vec<&'a CollectError> {
    let administration = facts
        .organization
        .delegated_admins
        .iter()
        .find(|s| s.service_principal == service)
        .unwrap_or_else(|| panic!("no facts about {service}'s administrator"));
    let sources: Vec<_> = administration
        .sources
        .iter()
        .filter(|s| s.api == api)
        .collect();
    let regions: Vec<_> = sources.iter().map(|s| s.region.as_deref()).collect();
    assert_eq!(
        regions,
        REGIONS.map(Some),
        "{service}: {api} in every Region"
    );
    sources
        .into_iter()
        .map(|s| match &s.admin_account_ids {
            Collected::Error(err) => err,
            Collected::Ok(ids) => panic!("{api} answered a member: {ids:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_scan_from_the_audit_account_reads_every_check_but_the_admin_lists_only_the_management_account_may_read()
 {
    // Both scans reach every account; faults of other tests would disturb them.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let audit = seeded.account_id("acme-audit");
    let management = seeded.management_account_id();
    let credentials = audit_credentials(seeded).await;
    let from_audit = scan(seeded, "from-audit", Some(&credentials));
    let from_management = scan(seeded, "from-management", None);

    // Discovery worked from the audit account: the same organization, every account, and the
    // summary says who ran it and that it is not the management account.
    let meta = &from_audit.snapshot.scan;
    assert_eq!(meta.caller_account_id, audit);
    assert_eq!(meta.management_account_id, management);
    assert!(
        from_audit.summary.contains(&format!("(account {audit})")),
        "{}",
        from_audit.summary
    );
    let ids =
        |s: &Scanned| -> Vec<String> { s.snapshot.accounts.iter().map(|a| a.id.clone()).collect() };
    assert_eq!(ids(&from_audit), ids(&from_management));

    // Each account read as expected: the audit account with its own credentials, every other
    // one (the management account too) through the role, like any member.
    for account in &from_audit.snapshot.facts.accounts {
        let id = &account.account_id;
        let principal = match &account.access {
            Collected::Ok(access) => access.principal_arn.clone(),
            Collected::Error(err) => panic!("{id} could not be read: {err:?}"),
        };
        if *id == audit {
            assert!(
                principal.contains("assumed-role/OrganizationAccountAccessRole/posture-it"),
                "{principal}"
            );
        } else {
            assert!(
                principal.starts_with(&format!(
                    "arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/"
                )),
                "{id} was read as {principal}"
            );
        }
    }

    // Every cell of the management account's scan has its cell in the audit account's scan:
    // nothing dropped, nothing added.
    let audit_verdicts = from_audit.verdicts();
    let management_verdicts = from_management.verdicts();
    assert_eq!(
        audit_verdicts.keys().collect::<Vec<_>>(),
        management_verdicts.keys().collect::<Vec<_>>()
    );
    let checks: BTreeSet<&str> = audit_verdicts.keys().map(|k| k.0.as_str()).collect();
    let catalogue: BTreeSet<&str> = from_audit
        .snapshot
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(checks, catalogue, "every check has its findings");

    // Per check: the verdicts that differ between the two scans: Security Hub's and GuardDuty's
    // administrators, whose own lists answer the management account only. Security Hub's is
    // PASS from there (its list confirms the audit account); GuardDuty's FAIL (its list names
    // the management account, which Organizations never lists). From the audit account neither
    // can be told: ERROR, with the service's refusal.
    // Centralized root access answers the management account and IAM's delegated administrator
    // only: from the audit account every member's cell is ERROR with IAM's refusal.
    for (key, (status, reason)) in audit_verdicts.iter().filter(|(key, (status, _))| {
        key.0 == "root-access-centralized" && key.1 != management && *status != Status::Skipped
    }) {
        assert_eq!(*status, Status::Error, "{key:?}: {reason}");
        assert!(
            reason.contains("AccountNotManagementOrDelegatedAdministratorException"),
            "{reason}"
        );
    }
    // GuardDuty's coverage is read in its administrator, which only GuardDuty's own list names
    // (the management account), and Control Tower answers the management account only: from
    // the audit account every cell of both is ERROR with the service's refusal.
    for (check, refusal) in [
        (
            "guardduty-organization-coverage",
            "guardduty:ListOrganizationAdminAccounts",
        ),
        (
            "control-tower-landing-zone",
            "controltower:ListLandingZones",
        ),
    ] {
        let cells: Vec<_> = audit_verdicts
            .iter()
            .filter(|(key, _)| key.0 == check)
            .collect();
        assert!(!cells.is_empty(), "{check}");
        for (key, (status, reason)) in cells {
            assert_eq!(*status, Status::Error, "{key:?}: {reason}");
            assert!(reason.contains(refusal), "{key:?}: {reason}");
        }
    }
    let differing: Vec<(&str, &str, Status, Status)> = audit_verdicts
        .iter()
        .filter(|(key, _)| {
            ![
                "root-access-centralized",
                "guardduty-organization-coverage",
                "control-tower-landing-zone",
            ]
            .contains(&key.0.as_str())
        })
        .filter(|(key, (status, _))| management_verdicts[*key].0 != *status)
        .map(|(key, (status, _))| {
            (
                key.0.as_str(),
                key.3.as_str(),
                management_verdicts[key].0,
                *status,
            )
        })
        .collect();
    assert_eq!(
        differing,
        [
            (
                "delegated-admin-not-management",
                "guardduty.amazonaws.com",
                Status::Fail,
                Status::Error
            ),
            (
                "delegated-admin-not-management",
                "securityhub.amazonaws.com",
                Status::Pass,
                Status::Error
            )
        ],
        "the checks that read differently from the audit account"
    );
    let securityhub = &audit_verdicts[&(
        "delegated-admin-not-management".to_owned(),
        management.clone(),
        None,
        "securityhub.amazonaws.com".to_owned(),
    )];
    assert!(
        securityhub.1.contains(
            "securityhub:ListOrganizationAdminAccounts in us-east-1 failed: InvalidAccessException"
        ),
        "{}",
        securityhub.1
    );
    let guardduty = &audit_verdicts[&(
        "delegated-admin-not-management".to_owned(),
        management.clone(),
        None,
        "guardduty.amazonaws.com".to_owned(),
    )];
    assert_eq!(guardduty.0, Status::Error);
    assert!(
        guardduty.1.contains(
            "guardduty:ListOrganizationAdminAccounts in us-east-1 failed: BadRequestException"
        ),
        "{}",
        guardduty.1
    );

    // What AWS answered for the management-only reads, in every Region, as the facts keep it:
    // the service's own code and status, with a request id; an `error:` line for each.
    for (api, code, service) in MANAGEMENT_ONLY {
        for err in admin_source_errors(&from_audit.snapshot.facts, service, api) {
            assert_eq!(err.code.as_deref(), Some(code), "{api}: {err:?}");
            let status = if code == "InvalidAccessException" {
                401
            } else {
                400
            };
            assert_eq!(err.http_status, Some(status), "{api}: {err:?}");
            assert!(err.request_id.is_some(), "{api}: {err:?}");
        }
        for region in REGIONS {
            assert!(
                from_audit.summary.lines().any(|l| l.starts_with("error: ")
                    && l.contains(&format!("{api} in {region} {code}"))),
                "no error: line for {api} in {region}: {}",
                from_audit.summary
            );
        }
        // From the management account the same lists were read.
        let administration = from_management
            .snapshot
            .facts
            .organization
            .delegated_admins
            .iter()
            .find(|s| s.service_principal == service)
            .expect("the service's administrator");
        assert!(
            administration
                .sources
                .iter()
                .all(|s| matches!(s.admin_account_ids, Collected::Ok(_))),
            "{service}: {:?}",
            administration.sources
        );
    }
    // The scan that has ERROR verdicts says so in its exit status; the other has none.
    assert_eq!(from_audit.code, 3);
    assert_eq!(from_management.code, 0, "{}", from_management.summary);
}

#[tokio::test]
async fn from_the_audit_account_without_a_role_in_the_management_account_only_its_own_cells_are_error()
 {
    // A Control Tower landing zone's audit role, or a StackSet (which never deploys to the
    // management account), leaves the management account out of reach.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let management = seeded.management_account_id();
    let credentials = audit_credentials(seeded).await;
    let from_management = scan(seeded, "reference", None);
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    admin
        .add_fault(&FaultRule::deny_assume_role(&management))
        .expect("add fault");
    let from_audit = scan(seeded, "no-management-role", Some(&credentials));
    drop(_clear);

    let audit_verdicts = from_audit.verdicts();
    let management_verdicts = from_management.verdicts();
    // Every other account's verdicts stand, the CloudTrail ones too: the organization trail is
    // read where the audit account sees it, not in the management account.
    // (Centralized root access is read with the caller's credentials, which IAM refuses to the
    // audit account: the test above. IAM Identity Center, with no delegated administrator, is
    // read in the management account: below.)
    let others = |v: &Verdicts| -> Vec<(String, String, Option<String>, String, Status)> {
        v.iter()
            .filter(|(key, _)| {
                key.1 != management
                    && key.0 != "root-access-centralized"
                    && key.0 != "identity-center"
            })
            .map(|(key, (status, _))| {
                (
                    key.0.clone(),
                    key.1.clone(),
                    key.2.clone(),
                    key.3.clone(),
                    *status,
                )
            })
            .collect()
    };
    assert_eq!(others(&audit_verdicts), others(&management_verdicts));
    // The organization instance lives in the management account: where a member's verdict
    // needed it, it is ERROR naming the role that could not be assumed there; what the member
    // shows itself (an account instance, console passwords) still fails it.
    let mut unread = 0;
    for (key, (status, reason)) in &audit_verdicts {
        if key.0 != "identity-center" || key.1 == management {
            continue;
        }
        let (was, _) = &management_verdicts[key];
        if status != was {
            assert_eq!(*status, Status::Error, "{key:?} was {was:?}: {reason}");
            assert!(reason.contains("sts:AssumeRole"), "{key:?}: {reason}");
            unread += 1;
        }
    }
    assert!(
        unread > 0,
        "no identity-center verdict needed the management account"
    );

    // The management account's own cells are ERROR with AWS's AssumeRole error, never dropped:
    // one per account-scope check and Region, as for any unreachable account.
    let organization_checks = [
        "delegated-admin-not-management",
        "scps-attached",
        "config-aggregator-organization",
        "organization-structure",
        "organization-trail-log-archive",
        "guardduty-organization-coverage",
        "securityhub-central-configuration",
        "control-tower-landing-zone",
    ];
    let own: Vec<_> = audit_verdicts
        .iter()
        .filter(|(key, _)| key.1 == management && !organization_checks.contains(&key.0.as_str()))
        .collect();
    // Every check that reads the management account's own facts has its cells there.
    let own_checks: std::collections::BTreeSet<&str> =
        own.iter().map(|(key, _)| key.0.as_str()).collect();
    let reads_the_account: std::collections::BTreeSet<&str> = posture::evaluate::catalog()
        .iter()
        .filter(|c| c.scope != posture::evaluate::Scope::Organization)
        .map(|c| c.id.as_str())
        .chain([
            "management-account-no-iam-users",
            "management-account-no-workloads",
        ])
        .collect();
    assert_eq!(own_checks, reads_the_account, "{own:?}");
    for (key, (status, reason)) in &own {
        assert_eq!(*status, Status::Error, "{key:?}: {reason}");
        assert!(
            reason.contains("sts:AssumeRole failed: AccessDenied"),
            "{key:?}: {reason}"
        );
    }
    // The organization checks that read Organizations and the delegated administrators stand;
    // the two admin lists are still the management account's only.
    for check in [
        "scps-attached",
        "config-aggregator-organization",
        "organization-structure",
    ] {
        let statuses = |v: &Verdicts| -> Vec<Status> {
            v.iter()
                .filter(|(k, _)| k.0 == check)
                .map(|(_, (s, _))| *s)
                .collect()
        };
        assert_eq!(
            statuses(&audit_verdicts),
            statuses(&management_verdicts),
            "{check}"
        );
    }
    assert!(
        from_audit
            .summary
            .lines()
            .any(|l| l.starts_with(&format!("error: {management}"))
                && l.contains("sts:AssumeRole AccessDenied")),
        "{}",
        from_audit.summary
    );
    assert_eq!(from_audit.code, 3);
}
