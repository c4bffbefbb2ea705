//! `cloudtrail-multi-region`: a trail that is multi-Region, logging, and records every management
//! event (read and write, from every event source) covers the account.
//!
//! Candidates are the organization trails of the management account (they log every member) and
//! the account's own trails, deduplicated by ARN (the management account's organization trail is
//! also its own). A trail counts only when everything about it is known and good; a trail that
//! might count but whose status or selectors could not be read makes the verdict ERROR when no
//! other trail counts, never FAIL. Selector rules: `aws-api-facts.md` (d).
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{
    AdvancedSelector, BasicSelector, Collected, EventSelectors, FieldSelector, Trail,
};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::describe_error;
use super::trails::{Covering, Origin, Verdict, covering, logs_every_region};

/// Judges whether a qualifying trail covers one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let management = &ctx.organization.management_account_id;

    let Covering {
        trails,
        unread: unread_lists,
    } = covering(ctx);
    let judged: Vec<(&Trail, Origin, Verdict)> = trails
        .into_iter()
        .map(|(trail, origin)| (trail, origin, judge(trail)))
        .collect();

    let counting = judged.iter().find(|(_, _, v)| matches!(v, Verdict::Counts));
    let (status, reason) = if let Some((trail, origin, _)) = counting {
        let reason = match origin {
            Origin::Organization => format!(
                "covered by the organization trail {} of the management account {management}",
                trail.name
            ),
            Origin::Account => format!("covered by its trail {}", trail.name),
        };
        (Status::Pass, reason)
    } else {
        let unreadable: Vec<String> = judged
            .iter()
            .filter_map(|(trail, _, v)| match v {
                Verdict::Unreadable(why) => {
                    Some(format!("trail {} might count but {why}", trail.name))
                }
                _ => None,
            })
            .chain(unread_lists.iter().map(|(_, why, _)| why.clone()))
            .collect();
        if !unreadable.is_empty() {
            (
                Status::Error,
                format!(
                    "cannot tell whether a multi-Region trail that is logging and records all \
                     management events covers the account: {}",
                    unreadable.join("; ")
                ),
            )
        } else if judged.is_empty() {
            (
                Status::Fail,
                "no trail covers the account: it has no trail of its own and the organization has \
                 no organization trail"
                    .to_owned(),
            )
        } else {
            // Here no trail counts and none is unreadable: each has a reason it does not count.
            let why: Vec<String> = judged
                .iter()
                .filter_map(|(trail, origin, v)| match v {
                    Verdict::DoesNotCount(why) => {
                        Some(format!("{} {} {why}", origin.label(), trail.name))
                    }
                    Verdict::Counts | Verdict::Unreadable(_) => None,
                })
                .collect();
            (
                Status::Fail,
                format!(
                    "no multi-Region trail that is logging and records all management events \
                     covers the account: {}",
                    why.join("; ")
                ),
            )
        }
    };

    let mut outcome = Outcome::new(None, account_id.clone(), status, reason);
    for (trail, origin, verdict) in &judged {
        let value = match verdict {
            Verdict::Counts => format!("{}: counts", origin.label()),
            Verdict::DoesNotCount(why) => format!("{}: does not count, {why}", origin.label()),
            Verdict::Unreadable(why) => format!("{}: unknown, {why}", origin.label()),
        };
        outcome = outcome.with(&format!("trail {}", trail.arn), value);
    }
    for (label, _, evidence) in unread_lists {
        outcome = outcome.with(label, evidence);
    }
    if judged.is_empty() && status != Status::Error {
        outcome = outcome.with("trails", "none");
    }
    vec![outcome]
}

/// Judges one trail: multi-Region and logging ([`logs_every_region`]), and recording every
/// management event. A known disqualification wins over an unreadable fact: a single-Region
/// trail does not count whatever its unread status says.
fn judge(trail: &Trail) -> Verdict {
    let mut unread = match logs_every_region(trail) {
        Verdict::Counts => Vec::new(),
        Verdict::Unreadable(why) => vec![why],
        does_not_count @ Verdict::DoesNotCount(_) => return does_not_count,
    };
    match &trail.selectors {
        Collected::Ok(selectors) => {
            if let Err(why) = records_all_management_events(selectors) {
                return Verdict::DoesNotCount(why);
            }
        }
        Collected::Error(err) => unread.push(describe_error(err)),
    }
    if unread.is_empty() {
        Verdict::Counts
    } else {
        Verdict::Unreadable(unread.join("; "))
    }
}

/// Whether the selectors keep every management event, read and write, from every source; else
/// what they drop. Every selector that includes management events must be unnarrowed (no
/// excluded source, no extra field): the Config rule `multi-region-cloudtrail-enabled` is as
/// strict, and the reads and writes they keep are unioned.
fn records_all_management_events(selectors: &EventSelectors) -> Result<(), String> {
    match selectors {
        // No selectors set: CloudTrail's default is all management events, read and write.
        EventSelectors::Default => Ok(()),
        EventSelectors::Basic(selectors) => basic(selectors),
        EventSelectors::Advanced(selectors) => advanced(selectors),
    }
}

fn basic(selectors: &[BasicSelector]) -> Result<(), String> {
    let management: Vec<&BasicSelector> = selectors
        .iter()
        .filter(|s| s.include_management_events)
        .collect();
    if management.is_empty() {
        return Err("excludes management events (no event selector includes them)".to_owned());
    }
    let (mut read, mut write) = (false, false);
    for selector in management {
        if !selector.exclude_management_event_sources.is_empty() {
            return Err(format!(
                "excludes management events from {}",
                selector.exclude_management_event_sources.join(", ")
            ));
        }
        match selector.read_write_type.as_str() {
            "All" => (read, write) = (true, true),
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            other => return Err(format!("has an unknown ReadWriteType `{other}`")),
        }
    }
    read_and_write(read, write)
}

fn advanced(selectors: &[AdvancedSelector]) -> Result<(), String> {
    let is_management = |s: &&AdvancedSelector| {
        s.field_selectors
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"))
    };
    let management: Vec<&AdvancedSelector> = selectors.iter().filter(is_management).collect();
    if management.is_empty() {
        return Err("has no advanced event selector for management events".to_owned());
    }
    let (mut read, mut write) = (false, false);
    for selector in management {
        let (r, w) = advanced_read_write(selector)?;
        read |= r;
        write |= w;
    }
    read_and_write(read, write)
}

/// The reads and writes one management-event selector keeps, or why it narrows them otherwise.
fn advanced_read_write(selector: &AdvancedSelector) -> Result<(bool, bool), String> {
    let (mut read, mut write) = (true, true);
    for field in &selector.field_selectors {
        match field.field.as_str() {
            "eventCategory" => {
                if field.equals.iter().any(|v| v != "Management")
                    || has_other_operators(field, false)
                {
                    return Err("narrows eventCategory beyond Management".to_owned());
                }
            }
            "readOnly" => {
                if has_other_operators(field, true) {
                    return Err("narrows readOnly with an unsupported operator".to_owned());
                }
                // Equals ["true"] keeps reads only, ["false"] writes only; NotEquals the reverse.
                if !field.equals.is_empty() {
                    read &= field.equals.iter().any(|v| v == "true");
                    write &= field.equals.iter().any(|v| v == "false");
                }
                read &= !field.not_equals.iter().any(|v| v == "true");
                write &= !field.not_equals.iter().any(|v| v == "false");
            }
            "eventSource" if only_not_equals(field) => {
                return Err(format!(
                    "excludes management events from {}",
                    field.not_equals.join(", ")
                ));
            }
            other => return Err(format!("narrows management events by {other}")),
        }
    }
    Ok((read, write))
}

/// Whether a field selector uses an operator other than `Equals` (and `NotEquals` when allowed).
fn has_other_operators(field: &FieldSelector, not_equals_allowed: bool) -> bool {
    (!not_equals_allowed && !field.not_equals.is_empty())
        || !field.starts_with.is_empty()
        || !field.not_starts_with.is_empty()
        || !field.ends_with.is_empty()
        || !field.not_ends_with.is_empty()
}

fn only_not_equals(field: &FieldSelector) -> bool {
    !field.not_equals.is_empty() && field.equals.is_empty() && !has_other_operators(field, true)
}

fn read_and_write(read: bool, write: bool) -> Result<(), String> {
    match (read, write) {
        (true, true) => Ok(()),
        (true, false) => Err("drops write management events (records reads only)".to_owned()),
        (false, true) => Err("drops read management events (records writes only)".to_owned()),
        (false, false) => Err("records no management events".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, NOW, account, assert_verdict, error, organization, trail,
    };
    use super::*;
    use crate::facts::{AccountFacts, OrganizationFacts, TrailStatus};

    fn org_trail() -> Trail {
        Trail {
            organization_trail: true,
            ..trail(MGMT, "org")
        }
    }

    fn basic_selector(rw: &str) -> BasicSelector {
        BasicSelector {
            read_write_type: rw.to_owned(),
            include_management_events: true,
            exclude_management_event_sources: Vec::new(),
        }
    }

    fn field(name: &str, equals: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.to_owned(),
            equals: equals.iter().map(|s| (*s).to_owned()).collect(),
            ..FieldSelector::default()
        }
    }

    fn advanced_selector(fields: Vec<FieldSelector>) -> AdvancedSelector {
        AdvancedSelector {
            name: Some("Management events selector".to_owned()),
            field_selectors: fields,
        }
    }

    fn run(org: &OrganizationFacts, account: &AccountFacts) -> Outcome {
        let mut outcomes = evaluate(&AccountContext {
            account,
            organization: org,
            regions: &[],
            evaluated_at: NOW,
            thresholds: &super::super::test_support::THRESHOLDS,
        });
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    fn with_own(trails: Vec<Trail>) -> AccountFacts {
        let mut a = account(ACCT);
        a.trails = Collected::Ok(trails);
        a
    }

    fn with_org(trails: Vec<Trail>) -> OrganizationFacts {
        let mut o = organization();
        o.organization_trails = Collected::Ok(trails);
        o
    }

    fn selectors(t: Trail, s: EventSelectors) -> Trail {
        Trail {
            selectors: Collected::Ok(s),
            ..t
        }
    }

    #[test]
    fn judges_each_case() {
        let denied = || error("cloudtrail", "GetTrailStatus", "AccessDeniedException");
        let cases: Vec<(&str, OrganizationFacts, AccountFacts, Status, &str)> = vec![
            (
                "passes_when_covered_only_by_the_organization_trail",
                with_org(vec![org_trail()]),
                with_own(vec![]),
                Status::Pass,
                "covered by the organization trail org of the management account 111111111111",
            ),
            (
                "passes_with_its_own_trail",
                with_org(vec![]),
                with_own(vec![trail(ACCT, "own")]),
                Status::Pass,
                "covered by its trail own",
            ),
            (
                "passes_with_read_and_write_basic_selectors",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Basic(vec![
                        basic_selector("ReadOnly"),
                        basic_selector("WriteOnly"),
                    ]),
                )]),
                Status::Pass,
                "covered by its trail own",
            ),
            (
                "passes_with_read_and_write_advanced_selectors",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Advanced(vec![
                        advanced_selector(vec![
                            field("eventCategory", &["Management"]),
                            field("readOnly", &["true"]),
                        ]),
                        advanced_selector(vec![
                            field("eventCategory", &["Management"]),
                            field("readOnly", &["false"]),
                        ]),
                    ]),
                )]),
                Status::Pass,
                "covered by its trail own",
            ),
            (
                "passes_with_an_advanced_selector_for_all_management_events",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Advanced(vec![
                        advanced_selector(vec![field("eventCategory", &["Management"])]),
                        advanced_selector(vec![
                            field("eventCategory", &["Data"]),
                            field("resources.type", &["AWS::S3::Object"]),
                        ]),
                    ]),
                )]),
                Status::Pass,
                "covered by its trail own",
            ),
            (
                "passes_when_an_unread_trail_is_not_needed",
                with_org(vec![org_trail()]),
                with_own(vec![Trail {
                    status: Collected::Error(denied()),
                    ..trail(ACCT, "own")
                }]),
                Status::Pass,
                "organization trail org",
            ),
            (
                "fails_with_no_trail_at_all",
                with_org(vec![]),
                with_own(vec![]),
                Status::Fail,
                "it has no trail of its own and the organization has no organization trail",
            ),
            (
                "fails_when_the_multi_region_trail_is_not_logging",
                with_org(vec![Trail {
                    status: Collected::Ok(TrailStatus { is_logging: false }),
                    ..org_trail()
                }]),
                with_own(vec![]),
                Status::Fail,
                "organization trail org is not logging",
            ),
            (
                "fails_with_a_single_region_trail_even_if_its_status_is_unread",
                with_org(vec![]),
                with_own(vec![Trail {
                    multi_region: false,
                    status: Collected::Error(denied()),
                    ..trail(ACCT, "local")
                }]),
                Status::Fail,
                "trail local is single-Region (home Region us-east-1)",
            ),
            (
                "fails_when_basic_selectors_drop_reads",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Basic(vec![basic_selector("WriteOnly")]),
                )]),
                Status::Fail,
                "trail own drops read management events",
            ),
            (
                "fails_when_basic_selectors_exclude_kms",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Basic(vec![BasicSelector {
                        exclude_management_event_sources: vec!["kms.amazonaws.com".to_owned()],
                        ..basic_selector("All")
                    }]),
                )]),
                Status::Fail,
                "trail own excludes management events from kms.amazonaws.com",
            ),
            (
                "fails_when_basic_selectors_exclude_management_events",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Basic(vec![BasicSelector {
                        include_management_events: false,
                        ..basic_selector("All")
                    }]),
                )]),
                Status::Fail,
                "excludes management events",
            ),
            (
                "fails_when_advanced_selectors_drop_writes",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Advanced(vec![advanced_selector(vec![
                        field("eventCategory", &["Management"]),
                        field("readOnly", &["true"]),
                    ])]),
                )]),
                Status::Fail,
                "drops write management events",
            ),
            (
                "fails_when_advanced_selectors_exclude_an_event_source",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Advanced(vec![advanced_selector(vec![
                        field("eventCategory", &["Management"]),
                        FieldSelector {
                            field: "eventSource".to_owned(),
                            not_equals: vec!["rdsdata.amazonaws.com".to_owned()],
                            ..FieldSelector::default()
                        },
                    ])]),
                )]),
                Status::Fail,
                "excludes management events from rdsdata.amazonaws.com",
            ),
            (
                "fails_when_advanced_selectors_have_only_data_events",
                with_org(vec![]),
                with_own(vec![selectors(
                    trail(ACCT, "own"),
                    EventSelectors::Advanced(vec![advanced_selector(vec![field(
                        "eventCategory",
                        &["Data"],
                    )])]),
                )]),
                Status::Fail,
                "has no advanced event selector for management events",
            ),
            (
                "errors_when_a_trail_that_might_count_has_an_unread_status",
                with_org(vec![]),
                with_own(vec![Trail {
                    status: Collected::Error(denied()),
                    ..trail(ACCT, "own")
                }]),
                Status::Error,
                "trail own might count but cloudtrail:GetTrailStatus failed: AccessDeniedException",
            ),
            (
                "errors_when_a_trail_that_might_count_has_unread_selectors",
                with_org(vec![Trail {
                    selectors: Collected::Error(error(
                        "cloudtrail",
                        "GetEventSelectors",
                        "ThrottlingException",
                    )),
                    ..org_trail()
                }]),
                with_own(vec![]),
                Status::Error,
                "trail org might count but cloudtrail:GetEventSelectors failed: ThrottlingException",
            ),
            (
                "errors_when_the_account_trails_are_unread_and_the_org_trail_does_not_count",
                with_org(vec![Trail {
                    multi_region: false,
                    ..org_trail()
                }]),
                {
                    let mut a = account(ACCT);
                    a.trails = Collected::Error(error(
                        "cloudtrail",
                        "DescribeTrails",
                        "AccessDeniedException",
                    ));
                    a
                },
                Status::Error,
                "the account's trails could not be read (cloudtrail:DescribeTrails failed: AccessDeniedException",
            ),
            (
                "errors_when_the_organization_trails_are_unread_and_no_own_trail_counts",
                {
                    let mut o = organization();
                    o.organization_trails =
                        Collected::Error(error("cloudtrail", "DescribeTrails", "AccessDenied"));
                    o
                },
                with_own(vec![]),
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
    fn the_management_accounts_organization_trail_is_counted_once() {
        let org = with_org(vec![Trail {
            status: Collected::Ok(TrailStatus { is_logging: false }),
            ..org_trail()
        }]);
        let mut management = account(MGMT);
        management.trails = Collected::Ok(vec![Trail {
            status: Collected::Ok(TrailStatus { is_logging: false }),
            ..org_trail()
        }]);
        let outcome = run(&org, &management);
        assert_eq!(outcome.status, Status::Fail);
        assert_eq!(
            outcome.reason,
            "no multi-Region trail that is logging and records all management events covers the \
             account: organization trail org is not logging"
        );
        assert_eq!(outcome.evidence.len(), 1, "{:?}", outcome.evidence);
    }

    #[test]
    fn evidence_lists_every_candidate_trail() {
        let org = with_org(vec![org_trail()]);
        let account = with_own(vec![Trail {
            multi_region: false,
            ..trail(ACCT, "local")
        }]);
        let outcome = run(&org, &account);
        assert_eq!(
            outcome.evidence["trail arn:aws:cloudtrail:us-east-1:111111111111:trail/org"],
            "organization trail: counts"
        );
        assert_eq!(
            outcome.evidence["trail arn:aws:cloudtrail:us-east-1:222222222222:trail/local"],
            "trail: does not count, is single-Region (home Region us-east-1)"
        );
    }
}
