//! `cloudtrail-logs-outside-account`: the account's CloudTrail logs land in an S3 bucket outside
//! the account they describe (the organization trail's, or a log-archive account's).
//!
//! The trails are those that log the account ([`covering`]); one counts when it logs every
//! Region now ([`logs_every_region`], as `cloudtrail-multi-region` has it, less the selectors,
//! which that check judges) and its bucket is not one the account owns (`ListBuckets`). One
//! finding per account (resource: the account id): PASS when a counting trail delivers outside
//! the account; FAIL when no trail logs the account at all, or every trail that logs it in every
//! Region writes into one of its own buckets (the reason says which); ERROR when a trail that
//! might count, or the account's buckets, or a list of trails, could not be read, or the snapshot
//! holds no bucket list (a scan by a posture that did not read it).
//!
//! A trail names its bucket by name only (`S3BucketName`). Names are unique within a partition,
//! so the name is one bucket, but it does not say whose: the account's own list is the only
//! read-only evidence of ownership, and names are compared exactly (legacy bucket names are
//! case-sensitive). A name the account does not own counts as outside: normally another
//! account's bucket, but also a bucket that no longer exists, which posture cannot tell apart
//! without access to the bucket (the check's rationale says so).
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, Trail};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::trails::{Covering, Origin, Verdict, covering, logs_every_region};
use super::{describe_error, error_evidence};

/// What the account's own buckets are known to be.
enum OwnBuckets<'a> {
    /// `ListBuckets` answered.
    Read(&'a [String]),
    /// They could not be read, or were not: the reason, and the evidence.
    Unknown(String, String),
}

/// Where one trail's logs land, as far as this check is concerned.
enum Delivery<'a> {
    /// It logs every Region and delivers to a bucket the account does not own.
    Outside(&'a str),
    /// It writes into a bucket the account owns.
    Own(&'a str),
    /// It does not log every Region, or names no bucket: why.
    DoesNotCount(String),
    /// It might deliver outside, but a fact needed to say so could not be read: why.
    Unknown(String),
}

/// Judges where the logs of one account land.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let own = match &ctx.account.buckets {
        Some(Collected::Ok(buckets)) => OwnBuckets::Read(buckets),
        Some(Collected::Error(err)) => OwnBuckets::Unknown(
            format!(
                "the account's S3 buckets could not be read ({})",
                describe_error(err)
            ),
            error_evidence(err),
        ),
        None => OwnBuckets::Unknown(
            "the account's S3 buckets were not read: the snapshot was made by a posture that did \
             not read them; scan again"
                .to_owned(),
            "not in the snapshot".to_owned(),
        ),
    };
    let Covering { trails, unread } = covering(ctx);
    let judged: Vec<(&Trail, Origin, Delivery)> = trails
        .into_iter()
        .map(|(trail, origin)| (trail, origin, delivery(trail, &own)))
        .collect();

    let outside = judged.iter().find_map(|(trail, origin, d)| match d {
        Delivery::Outside(bucket) => Some((trail, origin, bucket)),
        _ => None,
    });
    let (status, reason) = if let Some((trail, origin, bucket)) = outside {
        (
            Status::Pass,
            format!(
                "its logs land outside the account: {} {} delivers to bucket {bucket}, which the \
                 account does not own",
                origin.label(),
                trail.name
            ),
        )
    } else {
        let unknown: Vec<String> = judged
            .iter()
            .filter_map(|(trail, origin, d)| match d {
                Delivery::Unknown(why) => Some(format!("{} {} {why}", origin.label(), trail.name)),
                _ => None,
            })
            .chain(unread.iter().map(|(_, why, _)| why.clone()))
            .collect();
        if !unknown.is_empty() {
            (
                Status::Error,
                format!(
                    "cannot tell whether a trail delivers the account's logs outside it: {}",
                    unknown.join("; ")
                ),
            )
        } else if judged.is_empty() {
            (
                Status::Fail,
                "no trail logs the account: it has no trail of its own and the organization has \
                 no organization trail"
                    .to_owned(),
            )
        } else {
            let why: Vec<String> = judged
                .iter()
                .filter_map(|(trail, origin, d)| {
                    let what = match d {
                        Delivery::Own(bucket) => {
                            format!("writes into bucket {bucket}, which the account owns")
                        }
                        Delivery::DoesNotCount(why) => why.clone(),
                        Delivery::Outside(_) | Delivery::Unknown(_) => return None,
                    };
                    Some(format!("{} {} {what}", origin.label(), trail.name))
                })
                .collect();
            // Here nothing delivers outside and nothing is unknown: a trail that writes inside
            // is one that would have counted.
            let writes_inside = judged.iter().any(|(_, _, d)| matches!(d, Delivery::Own(_)));
            let summary = if writes_inside {
                "every trail that logs the account in every Region writes into a bucket the \
                 account owns"
            } else {
                "no trail that is multi-Region and logging logs the account"
            };
            (Status::Fail, format!("{summary}: {}", why.join("; ")))
        }
    };

    let mut outcome = Outcome::new(None, account_id.clone(), status, reason);
    for (trail, origin, d) in &judged {
        let label = origin.label();
        let value = match d {
            Delivery::Outside(bucket) => {
                format!("{label}: delivers to bucket {bucket}, outside the account")
            }
            Delivery::Own(bucket) => format!("{label}: writes into bucket {bucket}, the account's"),
            Delivery::DoesNotCount(why) => format!("{label}: does not count, {why}"),
            Delivery::Unknown(why) => format!("{label}: unknown, {why}"),
        };
        outcome = outcome.with(&format!("trail {}", trail.arn), value);
    }
    for (label, _, evidence) in unread {
        outcome = outcome.with(label, evidence);
    }
    outcome = match &own {
        OwnBuckets::Read(buckets) => outcome.with("account buckets", buckets.len().to_string()),
        OwnBuckets::Unknown(_, evidence) => outcome.with("account buckets", evidence),
    };
    if judged.is_empty() && status == Status::Fail {
        outcome = outcome.with("trails", "none");
    }
    vec![outcome]
}

/// Where one trail delivers. A known disqualification wins over an unread fact: a single-Region
/// trail does not count whatever its status, and a trail writing into the account's own bucket
/// counts for nothing whether it is logging or not.
fn delivery<'a>(trail: &'a Trail, own: &OwnBuckets<'_>) -> Delivery<'a> {
    let unread_status = match logs_every_region(trail) {
        Verdict::Counts => None,
        Verdict::Unreadable(why) => Some(why),
        Verdict::DoesNotCount(why) => return Delivery::DoesNotCount(why),
    };
    let Some(bucket) = trail.s3_bucket.as_deref() else {
        return Delivery::DoesNotCount("names no S3 bucket (DescribeTrails)".to_owned());
    };
    match own {
        OwnBuckets::Read(buckets) if buckets.iter().any(|b| b == bucket) => Delivery::Own(bucket),
        OwnBuckets::Read(_) => match unread_status {
            None => Delivery::Outside(bucket),
            Some(why) => Delivery::Unknown(format!(
                "delivers to bucket {bucket}, outside the account, but whether it is logging is \
                 unknown: {why}"
            )),
        },
        OwnBuckets::Unknown(why, _) => {
            Delivery::Unknown(format!("delivers to bucket {bucket}, but {why}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, account, assert_verdict, context, error, organization,
    };
    use super::*;
    use crate::facts::{AccountFacts, EventSelectors, OrganizationFacts, TrailStatus};

    const ARCHIVE_BUCKET: &str = "acme-org-cloudtrail-logs-333333333333";
    const OWN_BUCKET: &str = "acme-cloudtrail-222222222222";

    fn trail(owner: &str, name: &str, bucket: &str) -> Trail {
        Trail {
            s3_bucket: Some(bucket.to_owned()),
            // Selectors are cloudtrail-multi-region's business: an excluding one changes nothing.
            selectors: Collected::Ok(EventSelectors::Basic(Vec::new())),
            ..super::super::test_support::trail(owner, name)
        }
    }

    fn org_trail(bucket: &str) -> Trail {
        Trail {
            organization_trail: true,
            ..trail(MGMT, "org", bucket)
        }
    }

    fn with_org(trails: Vec<Trail>) -> OrganizationFacts {
        let mut o = organization();
        o.organization_trails = Collected::Ok(trails);
        o
    }

    /// The member `ACCT` with `trails` of its own and `buckets` it owns.
    fn member(trails: Vec<Trail>, buckets: &[&str]) -> AccountFacts {
        let mut a = account(ACCT);
        a.trails = Collected::Ok(trails);
        a.buckets = Some(Collected::Ok(
            buckets.iter().map(|b| (*b).to_owned()).collect(),
        ));
        a
    }

    fn run(org: &OrganizationFacts, account: &AccountFacts) -> Outcome {
        let mut outcomes = evaluate(&context(account, org, &[]));
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    #[test]
    fn judges_each_case() {
        let unread_status =
            || Collected::Error(error("cloudtrail", "GetTrailStatus", "Throttling"));
        let cases: Vec<(&str, OrganizationFacts, AccountFacts, Status, &str)> = vec![
            (
                "passes_when_the_organization_trail_delivers_to_another_accounts_bucket",
                with_org(vec![org_trail(ARCHIVE_BUCKET)]),
                member(vec![trail(ACCT, "own", OWN_BUCKET)], &[OWN_BUCKET]),
                Status::Pass,
                "its logs land outside the account: organization trail org delivers to bucket \
                 acme-org-cloudtrail-logs-333333333333, which the account does not own",
            ),
            (
                "passes_with_its_own_trail_delivering_to_a_log_archive_bucket",
                with_org(vec![]),
                member(vec![trail(ACCT, "own", ARCHIVE_BUCKET)], &[OWN_BUCKET]),
                Status::Pass,
                "trail own delivers to bucket acme-org-cloudtrail-logs-333333333333",
            ),
            (
                "passes_when_an_unread_own_trail_is_not_needed",
                with_org(vec![org_trail(ARCHIVE_BUCKET)]),
                member(
                    vec![Trail {
                        status: unread_status(),
                        ..trail(ACCT, "own", OWN_BUCKET)
                    }],
                    &[OWN_BUCKET],
                ),
                Status::Pass,
                "organization trail org delivers",
            ),
            (
                "fails_when_its_only_trail_writes_into_its_own_bucket",
                with_org(vec![]),
                member(vec![trail(ACCT, "own", OWN_BUCKET)], &[OWN_BUCKET]),
                Status::Fail,
                "every trail that logs the account in every Region writes into a bucket the \
                 account owns: trail own writes into bucket acme-cloudtrail-222222222222, which \
                 the account owns",
            ),
            (
                "fails_when_the_organization_trail_writes_into_this_accounts_bucket",
                with_org(vec![org_trail(ARCHIVE_BUCKET)]),
                member(vec![], &[ARCHIVE_BUCKET]),
                Status::Fail,
                "organization trail org writes into bucket acme-org-cloudtrail-logs-333333333333, \
                 which the account owns",
            ),
            (
                "fails_when_the_trail_outside_is_not_logging_and_the_other_writes_inside",
                with_org(vec![Trail {
                    status: Collected::Ok(TrailStatus { is_logging: false }),
                    ..org_trail(ARCHIVE_BUCKET)
                }]),
                member(vec![trail(ACCT, "own", OWN_BUCKET)], &[OWN_BUCKET]),
                Status::Fail,
                "organization trail org is not logging; trail own writes into bucket",
            ),
            (
                "fails_when_no_trail_is_multi_region_and_logging",
                with_org(vec![]),
                member(
                    vec![Trail {
                        multi_region: false,
                        status: unread_status(),
                        ..trail(ACCT, "local", ARCHIVE_BUCKET)
                    }],
                    &[],
                ),
                Status::Fail,
                "no trail that is multi-Region and logging logs the account: trail local is \
                 single-Region (home Region us-east-1)",
            ),
            (
                "fails_with_no_trail_at_all_even_when_the_buckets_are_unread",
                with_org(vec![]),
                {
                    let mut a = member(vec![], &[]);
                    a.buckets = Some(Collected::Error(error("s3", "ListBuckets", "AccessDenied")));
                    a
                },
                Status::Fail,
                "no trail logs the account: it has no trail of its own and the organization has \
                 no organization trail",
            ),
            (
                "errors_when_the_buckets_are_unread",
                with_org(vec![org_trail(ARCHIVE_BUCKET)]),
                {
                    let mut a = member(vec![], &[]);
                    a.buckets = Some(Collected::Error(error("s3", "ListBuckets", "AccessDenied")));
                    a
                },
                Status::Error,
                "organization trail org delivers to bucket acme-org-cloudtrail-logs-333333333333, \
                 but the account's S3 buckets could not be read (s3:ListBuckets failed: \
                 AccessDenied",
            ),
            (
                "errors_when_the_snapshot_has_no_bucket_list",
                with_org(vec![org_trail(ARCHIVE_BUCKET)]),
                {
                    let mut a = member(vec![], &[]);
                    a.buckets = None;
                    a
                },
                Status::Error,
                "the account's S3 buckets were not read: the snapshot was made by a posture that \
                 did not read them",
            ),
            (
                "errors_when_a_trail_outside_has_an_unread_status",
                with_org(vec![Trail {
                    status: unread_status(),
                    ..org_trail(ARCHIVE_BUCKET)
                }]),
                member(vec![], &[]),
                Status::Error,
                "organization trail org delivers to bucket acme-org-cloudtrail-logs-333333333333, \
                 outside the account, but whether it is logging is unknown: \
                 cloudtrail:GetTrailStatus failed: Throttling",
            ),
            (
                "errors_when_the_organization_trails_are_unread_and_its_own_writes_inside",
                {
                    let mut o = organization();
                    o.organization_trails =
                        Collected::Error(error("cloudtrail", "DescribeTrails", "AccessDenied"));
                    o
                },
                member(vec![trail(ACCT, "own", OWN_BUCKET)], &[OWN_BUCKET]),
                Status::Error,
                "the organization trails could not be read",
            ),
        ];
        for (name, org, account, status, reason) in cases {
            let outcome = run(&org, &account);
            assert_verdict(name, &outcome, status, reason);
            assert_eq!(outcome.resource, ACCT, "{name}");
            assert_eq!(outcome.region, None, "{name}");
        }
    }

    #[test]
    fn an_own_bucket_is_known_even_when_the_trails_status_is_not() {
        let org = with_org(vec![]);
        let account = member(
            vec![Trail {
                status: Collected::Error(error("cloudtrail", "GetTrailStatus", "Throttling")),
                ..trail(ACCT, "own", OWN_BUCKET)
            }],
            &[OWN_BUCKET],
        );
        let outcome = run(&org, &account);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.reason);
    }

    #[test]
    fn evidence_names_each_trails_bucket_and_the_buckets_counted() {
        let org = with_org(vec![org_trail(ARCHIVE_BUCKET)]);
        let account = member(vec![trail(ACCT, "own", OWN_BUCKET)], &[OWN_BUCKET, "data"]);
        let outcome = run(&org, &account);
        assert_eq!(
            outcome.evidence["trail arn:aws:cloudtrail:us-east-1:111111111111:trail/org"],
            "organization trail: delivers to bucket acme-org-cloudtrail-logs-333333333333, outside the account"
        );
        assert_eq!(
            outcome.evidence["trail arn:aws:cloudtrail:us-east-1:222222222222:trail/own"],
            "trail: writes into bucket acme-cloudtrail-222222222222, the account's"
        );
        assert_eq!(outcome.evidence["account buckets"], "2");

        let none = run(&with_org(vec![]), &member(vec![], &[]));
        assert_eq!(none.status, Status::Fail);
        assert_eq!(none.evidence["trails"], "none");
    }
}
