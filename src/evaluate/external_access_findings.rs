//! `external-access-findings`: in every scanned Region an ACTIVE external-access analyzer covers
//! the account, and none reports an ACTIVE finding on a resource of the account.
//!
//! Coverage in Region R: an ACTIVE `ACCOUNT` or `ORGANIZATION` analyzer that is the customer's own
//! (`managed_by` unset) in the account's own list for R, or an ACTIVE `ORGANIZATION` analyzer of
//! the organization in R (it covers every member). Not covered → FAIL, unless a list that could
//! have held a covering analyzer was unreadable → ERROR. Covered → one FAIL per resource of the
//! account with an active finding (findings of all covering analyzers, deduplicated by
//! (resource, principal)), else PASS. One finding per resource keeps the resource the identity
//! (as Security Hub does with Access Analyzer findings) while the evidence keeps every principal.
//!
//! Pure: no I/O, no clock, no logging.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::{AccessFinding, Analyzer, AnalyzerFacts, Collected};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::{describe_error, error_evidence};

/// Judges every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    ctx.regions
        .iter()
        .flat_map(|region| judge_region(ctx, region))
        .collect()
}

/// An analyzer that covers the account, with where it was listed.
pub(super) struct Covering<'a> {
    pub(super) analyzer: &'a Analyzer,
    /// `account analyzer name` or `organization analyzer name (in 333333333333)`.
    pub(super) label: String,
}

/// Which external-access analyzers cover an account in one Region (shared with
/// `access-analyzer-enabled`).
pub(super) struct RegionCoverage<'a> {
    /// The ACTIVE, customer-owned analyzers that cover it, each once.
    pub(super) covering: Vec<Covering<'a>>,
    /// Lists that could not be read (they might hold a covering analyzer), for the reason.
    pub(super) unread: Vec<String>,
    /// (label, value) evidence of what could not be read.
    pub(super) evidence: Vec<(String, String)>,
    /// Analyzers seen that do not cover (disabled, service-linked...), and why.
    pub(super) not_covering: Vec<String>,
}

/// The coverage of the account of `ctx` in `region`: its own analyzers there and the
/// organization's (see the module's documentation).
pub(super) fn coverage<'a>(ctx: &AccountContext<'a>, region: &str) -> RegionCoverage<'a> {
    let mut covering: Vec<Covering<'_>> = Vec::new();
    let mut seen_arns = BTreeSet::new();
    // Lists that could not be read (they might hold a covering analyzer), for the reason.
    let mut unread: Vec<String> = Vec::new();
    let mut evidence: Vec<(String, String)> = Vec::new();
    // Analyzers seen that do not cover (disabled, service-linked...), for a FAIL's evidence.
    let mut not_covering: Vec<String> = Vec::new();

    let own: Vec<&AnalyzerFacts> = ctx
        .account
        .analyzers
        .iter()
        .filter(|r| r.region == region)
        .map(|r| &r.facts)
        .collect();
    if own.is_empty() {
        unread.push(format!(
            "the account's analyzers in {region} were not collected"
        ));
    }
    let organization: Vec<&AnalyzerFacts> = ctx
        .organization
        .organization_analyzers
        .iter()
        .filter(|r| r.region == region)
        .map(|r| &r.facts)
        .collect();
    // An empty list means the organization has no account to read organization analyzers in
    // (facts.rs); a list that has other Regions but not this one is a gap in the collection.
    if organization.is_empty() && !ctx.organization.organization_analyzers.is_empty() {
        unread.push(format!(
            "the organization's analyzers in {region} were not collected"
        ));
    }

    for (list, is_own) in own
        .iter()
        .map(|l| (*l, true))
        .chain(organization.iter().map(|l| (*l, false)))
    {
        let whose = if is_own {
            "the account's analyzers".to_owned()
        } else {
            format!("the organization's analyzers (in {})", list.account_id)
        };
        match &list.analyzers {
            Collected::Error(err) => {
                unread.push(format!(
                    "{whose} could not be read ({})",
                    describe_error(err)
                ));
                evidence.push((whose, error_evidence(err)));
            }
            Collected::Ok(analyzers) => {
                for analyzer in analyzers {
                    let label = if is_own {
                        format!(
                            "{} analyzer {}",
                            analyzer.analyzer_type.to_lowercase(),
                            analyzer.name
                        )
                    } else {
                        format!(
                            "organization analyzer {} (in {})",
                            analyzer.name, list.account_id
                        )
                    };
                    match why_not_covering(analyzer, is_own) {
                        None => {
                            // The organization analyzer also shows in its own account's list.
                            if seen_arns.insert(analyzer.arn.as_str()) {
                                covering.push(Covering { analyzer, label });
                            }
                        }
                        Some(why) => not_covering.push(format!("{label} {why}")),
                    }
                }
            }
        }
    }
    RegionCoverage {
        covering,
        unread,
        evidence,
        not_covering,
    }
}

fn judge_region(ctx: &AccountContext<'_>, region: &str) -> Vec<Outcome> {
    let account_id = ctx.account.account_id.as_str();
    let RegionCoverage {
        covering,
        unread,
        mut evidence,
        not_covering,
    } = coverage(ctx, region);
    if covering.is_empty() {
        let mut outcome = if unread.is_empty() {
            Outcome::new(
                Some(region),
                account_id,
                Status::Fail,
                format!("no active external-access analyzer covers {account_id} in {region}"),
            )
        } else {
            Outcome::new(
                Some(region),
                account_id,
                Status::Error,
                format!(
                    "cannot tell whether an active external-access analyzer covers {account_id} \
                     in {region}: {}",
                    unread.join("; ")
                ),
            )
        };
        if !not_covering.is_empty() {
            outcome = outcome.with("analyzers that do not count", not_covering.join("; "));
        }
        for (label, value) in evidence {
            outcome = outcome.with(&label, value);
        }
        return vec![outcome];
    }

    // Active findings on the account's resources, deduplicated by (resource, principal) across
    // the covering analyzers.
    let mut by_resource: BTreeMap<&str, BTreeMap<String, (&AccessFinding, BTreeSet<&str>)>> =
        BTreeMap::new();
    let mut findings_read = 0;
    let mut findings_unread: Vec<String> = Vec::new();
    for cover in &covering {
        match &cover.analyzer.active_findings {
            Collected::Ok(findings) => {
                findings_read += 1;
                for finding in findings
                    .iter()
                    .filter(|f| f.resource_owner_account == account_id)
                {
                    by_resource
                        .entry(finding.resource.as_str())
                        .or_default()
                        .entry(principal_text(finding))
                        .or_insert_with(|| (finding, BTreeSet::new()))
                        .1
                        .insert(cover.label.as_str());
                }
            }
            Collected::Error(err) => {
                findings_unread.push(format!(
                    "the findings of {} could not be read ({})",
                    cover.label,
                    describe_error(err)
                ));
                evidence.push((format!("findings of {}", cover.label), error_evidence(err)));
            }
        }
    }
    let covered_by = covering
        .iter()
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join("; ");

    if findings_read == 0 {
        let mut outcome = Outcome::new(
            Some(region),
            account_id,
            Status::Error,
            format!(
                "{account_id} is covered in {region} but its active findings could not be read: {}",
                findings_unread.join("; ")
            ),
        )
        .with("covered by", &covered_by);
        for (label, value) in evidence {
            outcome = outcome.with(&label, value);
        }
        return vec![outcome];
    }

    let mut outcomes = if by_resource.is_empty() {
        vec![
            Outcome::new(
                Some(region),
                account_id,
                Status::Pass,
                format!(
                    "{} covers {account_id} in {region} and reports no active external-access finding",
                    covering[0].label
                ),
            )
            .with("covered by", &covered_by),
        ]
    } else {
        by_resource
            .into_iter()
            .map(|(resource, by_principal)| {
                resource_outcome(region, resource, &by_principal).with("covered by", &covered_by)
            })
            .collect()
    };
    // Some covering analyzer's findings were unread while another's were read: the verdict
    // stands on what was read, and says what was not.
    for outcome in &mut outcomes {
        for (label, value) in &evidence {
            outcome.evidence.insert(label.clone(), value.clone());
        }
    }
    outcomes
}

/// Why an analyzer does not cover the account, or `None` when it does.
fn why_not_covering(analyzer: &Analyzer, is_own: bool) -> Option<String> {
    if let Some(service) = &analyzer.managed_by {
        return Some(format!("is service-linked (managed by {service})"));
    }
    let type_counts = match analyzer.analyzer_type.as_str() {
        "ORGANIZATION" => true,
        // An account analyzer covers only the account it is in: the account's own list.
        "ACCOUNT" => is_own,
        _ => false,
    };
    if !type_counts {
        return Some(format!(
            "is of type {}, not an external-access analyzer for this account",
            analyzer.analyzer_type
        ));
    }
    if analyzer.status != "ACTIVE" {
        return Some(format!("is {}", analyzer.status));
    }
    None
}

/// One FAIL for a resource, with every principal that can reach it.
fn resource_outcome(
    region: &str,
    resource: &str,
    by_principal: &BTreeMap<String, (&AccessFinding, BTreeSet<&str>)>,
) -> Outcome {
    let findings: Vec<(&String, &AccessFinding, &BTreeSet<&str>)> = by_principal
        .iter()
        .map(|(principal, (finding, analyzers))| (principal, *finding, analyzers))
        .collect();
    let public = findings.iter().any(|(_, f, _)| f.is_public);
    let cross_account = findings.iter().any(|(_, f, _)| !f.is_public);
    let kind = match (public, cross_account) {
        (true, true) => "public and cross-account",
        (true, false) => "public",
        _ => "cross-account",
    };
    let principals: Vec<&str> = findings.iter().map(|(p, _, _)| p.as_str()).collect();
    let reason = format!(
        "{resource} allows {kind} access to {}",
        principals.join("; ")
    );

    // With one principal the values stand alone; with several each is prefixed by its principal,
    // so actions and conditions stay attached to who they are granted to.
    let per_principal = |value: &dyn Fn(&AccessFinding, &BTreeSet<&str>) -> String| -> String {
        if findings.len() == 1 {
            value(findings[0].1, findings[0].2)
        } else {
            findings
                .iter()
                .map(|(p, f, a)| format!("{p} => {}", value(f, a)))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let resource_types: BTreeSet<&str> = findings
        .iter()
        .map(|(_, f, _)| f.resource_type.as_str())
        .collect();
    Outcome::new(Some(region), resource, Status::Fail, reason)
        .with(
            "resource type",
            resource_types.into_iter().collect::<Vec<_>>().join(", "),
        )
        .with("principal", principals.join("; "))
        .with("access", kind)
        .with(
            "public or cross-account",
            per_principal(&|f, _| {
                if f.is_public {
                    "public"
                } else {
                    "cross-account"
                }
                .to_owned()
            }),
        )
        .with("actions", per_principal(&|f, _| f.actions.join(", ")))
        .with(
            "condition",
            per_principal(&|f, _| {
                if f.condition.is_empty() {
                    "none".to_owned()
                } else {
                    map_text(&f.condition)
                }
            }),
        )
        .with(
            "analyzer",
            per_principal(&|_, a| a.iter().copied().collect::<Vec<_>>().join(", ")),
        )
        .with("finding id", per_principal(&|f, _| f.id.clone()))
}

/// `AWS: arn:aws:iam::999988887777:root` (several entries joined with ", ").
fn principal_text(finding: &AccessFinding) -> String {
    if finding.principal.is_empty() {
        "unknown principal".to_owned()
    } else {
        map_text(&finding.principal)
    }
}

fn map_text(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, NOW, account, assert_verdict, error, organization,
    };
    use super::*;
    use crate::facts::{AccountFacts, CollectError, OrganizationFacts, Regional};

    /// Per outcome: status, resource, text the reason must contain.
    type Expected = Vec<(Status, &'static str, &'static str)>;

    const R: &str = "us-east-1";
    const ADMIN: &str = "333333333333";
    const BUCKET: &str = "arn:aws:s3:::data";

    fn analyzer(name: &str, kind: &str, findings: Vec<AccessFinding>) -> Analyzer {
        Analyzer {
            arn: format!("arn:aws:access-analyzer:{R}:{ADMIN}:analyzer/{name}"),
            name: name.to_owned(),
            analyzer_type: kind.to_owned(),
            status: "ACTIVE".to_owned(),
            managed_by: None,
            active_findings: Collected::Ok(findings),
        }
    }

    fn finding(
        id: &str,
        resource: &str,
        owner: &str,
        principal: &str,
        public: bool,
    ) -> AccessFinding {
        AccessFinding {
            id: id.to_owned(),
            resource: resource.to_owned(),
            resource_type: "AWS::S3::Bucket".to_owned(),
            resource_owner_account: owner.to_owned(),
            principal: [("AWS".to_owned(), principal.to_owned())].into(),
            actions: vec!["s3:GetObject".to_owned()],
            condition: BTreeMap::new(),
            is_public: public,
            created_at: None,
        }
    }

    fn regional(account: &str, analyzers: Collected<Vec<Analyzer>>) -> Regional<AnalyzerFacts> {
        Regional {
            region: R.to_owned(),
            facts: AnalyzerFacts {
                account_id: account.to_owned(),
                analyzers,
            },
        }
    }

    fn own(analyzers: Vec<Analyzer>) -> AccountFacts {
        let mut a = account(ACCT);
        a.analyzers = vec![regional(ACCT, Collected::Ok(analyzers))];
        a
    }

    fn org(analyzers: Vec<Analyzer>) -> OrganizationFacts {
        let mut o = organization();
        o.organization_analyzers = vec![regional(ADMIN, Collected::Ok(analyzers))];
        o
    }

    fn run(org: &OrganizationFacts, account: &AccountFacts) -> Vec<Outcome> {
        evaluate(&AccountContext {
            account,
            organization: org,
            regions: &[R.to_owned()],
            evaluated_at: NOW,
            thresholds: &super::super::test_support::THRESHOLDS,
        })
    }

    fn denied() -> CollectError {
        error("access-analyzer", "ListAnalyzers", "AccessDeniedException")
    }

    #[test]
    fn judges_each_case() {
        let public = finding("f1", BUCKET, ACCT, "*", true);
        let cases: Vec<(&str, OrganizationFacts, AccountFacts, Expected)> = vec![
            (
                "passes_when_the_organization_analyzer_covers_and_reports_nothing",
                org(vec![analyzer(
                    "org",
                    "ORGANIZATION",
                    vec![finding("f9", "arn:aws:s3:::other", ADMIN, "*", true)],
                )]),
                own(vec![]),
                vec![(
                    Status::Pass,
                    ACCT,
                    "organization analyzer org (in 333333333333) covers 222222222222 in us-east-1 and reports no active external-access finding",
                )],
            ),
            (
                "passes_with_its_own_account_analyzer",
                org(vec![]),
                own(vec![analyzer("mine", "ACCOUNT", vec![])]),
                vec![(Status::Pass, ACCT, "account analyzer mine covers")],
            ),
            (
                "fails_when_no_analyzer_covers",
                org(vec![]),
                own(vec![]),
                vec![(
                    Status::Fail,
                    ACCT,
                    "no active external-access analyzer covers 222222222222 in us-east-1",
                )],
            ),
            (
                "fails_when_the_only_analyzers_are_disabled_or_service_linked",
                org(vec![Analyzer {
                    status: "DISABLED".to_owned(),
                    ..analyzer("org", "ORGANIZATION", vec![])
                }]),
                own(vec![Analyzer {
                    managed_by: Some("securityhubv2.amazonaws.com".to_owned()),
                    ..analyzer("sl", "ACCOUNT", vec![])
                }]),
                vec![(
                    Status::Fail,
                    ACCT,
                    "no active external-access analyzer covers",
                )],
            ),
            (
                "fails_per_resource_with_an_active_finding",
                org(vec![analyzer("org", "ORGANIZATION", vec![public.clone()])]),
                own(vec![analyzer(
                    "mine",
                    "ACCOUNT",
                    vec![
                        public.clone(),
                        finding(
                            "f2",
                            "arn:aws:iam::222222222222:role/x",
                            ACCT,
                            "arn:aws:iam::999988887777:root",
                            false,
                        ),
                    ],
                )]),
                vec![
                    (
                        Status::Fail,
                        "arn:aws:iam::222222222222:role/x",
                        "allows cross-account access to AWS: arn:aws:iam::999988887777:root",
                    ),
                    (
                        Status::Fail,
                        BUCKET,
                        "arn:aws:s3:::data allows public access to AWS: *",
                    ),
                ],
            ),
            (
                "errors_when_the_analyzer_lists_cannot_be_read",
                {
                    let mut o = organization();
                    o.organization_analyzers = vec![regional(ADMIN, Collected::Error(denied()))];
                    o
                },
                {
                    let mut a = account(ACCT);
                    a.analyzers = vec![regional(ACCT, Collected::Error(denied()))];
                    a
                },
                vec![(
                    Status::Error,
                    ACCT,
                    "cannot tell whether an active external-access analyzer covers 222222222222 in us-east-1: the account's analyzers could not be read (access-analyzer:ListAnalyzers failed: AccessDeniedException",
                )],
            ),
            (
                "errors_when_the_account_analyzers_were_not_collected_for_the_region",
                org(vec![]),
                account(ACCT),
                vec![(
                    Status::Error,
                    ACCT,
                    "the account's analyzers in us-east-1 were not collected",
                )],
            ),
            (
                "passes_when_an_unreadable_list_is_not_needed",
                org(vec![analyzer("org", "ORGANIZATION", vec![])]),
                {
                    let mut a = account(ACCT);
                    a.analyzers = vec![regional(ACCT, Collected::Error(denied()))];
                    a
                },
                vec![(Status::Pass, ACCT, "organization analyzer org")],
            ),
            (
                "errors_when_the_findings_of_every_covering_analyzer_are_unreadable",
                org(vec![Analyzer {
                    active_findings: Collected::Error(error(
                        "access-analyzer",
                        "ListFindings",
                        "InternalServerException",
                    )),
                    ..analyzer("org", "ORGANIZATION", vec![])
                }]),
                own(vec![]),
                vec![(
                    Status::Error,
                    ACCT,
                    "222222222222 is covered in us-east-1 but its active findings could not be read: the findings of organization analyzer org (in 333333333333) could not be read (access-analyzer:ListFindings failed: InternalServerException",
                )],
            ),
            (
                "judges_on_the_readable_findings_when_another_analyzer_errs",
                org(vec![Analyzer {
                    active_findings: Collected::Error(error(
                        "access-analyzer",
                        "ListFindings",
                        "ThrottlingException",
                    )),
                    ..analyzer("org", "ORGANIZATION", vec![])
                }]),
                own(vec![analyzer("mine", "ACCOUNT", vec![public.clone()])]),
                vec![(Status::Fail, BUCKET, "allows public access")],
            ),
        ];
        for (name, org, account, expected) in cases {
            let outcomes = run(&org, &account);
            assert_eq!(outcomes.len(), expected.len(), "{name}: {outcomes:#?}");
            for (outcome, (status, resource, reason)) in outcomes.iter().zip(expected) {
                assert_verdict(name, outcome, status, reason);
                assert_eq!(outcome.resource, resource, "{name}");
                assert_eq!(outcome.region.as_deref(), Some(R), "{name}");
            }
        }
    }

    #[test]
    fn every_scanned_region_gets_a_verdict() {
        let mut a = own(vec![analyzer("mine", "ACCOUNT", vec![])]);
        a.analyzers.push(Regional {
            region: "eu-west-1".to_owned(),
            ..regional(ACCT, Collected::Ok(vec![]))
        });
        let outcomes = evaluate(&AccountContext {
            account: &a,
            organization: &organization(),
            regions: &[R.to_owned(), "eu-west-1".to_owned()],
            evaluated_at: NOW,
            thresholds: &super::super::test_support::THRESHOLDS,
        });
        let verdicts: Vec<(Option<&str>, Status)> = outcomes
            .iter()
            .map(|o| (o.region.as_deref(), o.status))
            .collect();
        assert_eq!(
            verdicts,
            [(Some(R), Status::Pass), (Some("eu-west-1"), Status::Fail)]
        );
    }

    #[test]
    fn a_finding_on_another_accounts_resource_is_not_this_accounts() {
        let o = org(vec![analyzer(
            "org",
            "ORGANIZATION",
            vec![finding("f1", BUCKET, MGMT, "*", true)],
        )]);
        let outcomes = run(&o, &own(vec![]));
        assert_eq!(outcomes[0].status, Status::Pass);
    }

    #[test]
    fn an_account_analyzer_of_another_account_does_not_cover() {
        let o = org(vec![analyzer("theirs", "ACCOUNT", vec![])]);
        let outcomes = run(&o, &own(vec![]));
        assert_eq!(outcomes[0].status, Status::Fail);
        assert!(outcomes[0].evidence["analyzers that do not count"].contains("theirs"));
    }

    #[test]
    fn evidence_keeps_every_principal_of_a_resource() {
        let mut cross = finding("f2", BUCKET, ACCT, "arn:aws:iam::999988887777:root", false);
        cross.condition = [("aws:SourceVpc".to_owned(), "vpc-1".to_owned())].into();
        let o = org(vec![analyzer(
            "org",
            "ORGANIZATION",
            vec![finding("f1", BUCKET, ACCT, "*", true), cross],
        )]);
        let outcomes = run(&o, &own(vec![]));
        assert_eq!(outcomes.len(), 1);
        let e = &outcomes[0].evidence;
        assert_eq!(
            outcomes[0].reason,
            "arn:aws:s3:::data allows public and cross-account access to AWS: *; AWS: arn:aws:iam::999988887777:root"
        );
        assert_eq!(e["access"], "public and cross-account");
        assert_eq!(
            e["condition"],
            "AWS: * => none; AWS: arn:aws:iam::999988887777:root => aws:SourceVpc: vpc-1"
        );
        assert_eq!(
            e["finding id"],
            "AWS: * => f1; AWS: arn:aws:iam::999988887777:root => f2"
        );
        assert_eq!(e["resource type"], "AWS::S3::Bucket");
    }

    #[test]
    fn the_same_finding_from_two_analyzers_is_one_failure_naming_both() {
        let public = finding("f1", BUCKET, ACCT, "*", true);
        let outcomes = run(
            &org(vec![analyzer("org", "ORGANIZATION", vec![public.clone()])]),
            &own(vec![analyzer("mine", "ACCOUNT", vec![public])]),
        );
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            outcomes[0].evidence["analyzer"],
            "account analyzer mine, organization analyzer org (in 333333333333)"
        );
        assert_eq!(outcomes[0].evidence["public or cross-account"], "public");
        assert_eq!(outcomes[0].evidence["actions"], "s3:GetObject");
    }
}
