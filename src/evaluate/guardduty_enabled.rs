//! `guardduty-enabled`: GuardDuty has an enabled detector in the account in every scanned Region.
//!
//! One finding per scanned Region (resource: the account id): PASS when a detector there is
//! ENABLED; FAIL when there is none, or every one is disabled (GuardDuty then watches nothing);
//! ERROR when the detectors, or the status of one that might be enabled, could not be read, or
//! when the snapshot holds no GuardDuty facts for the Region (a scan by a posture that did not
//! read GuardDuty).
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, Detector};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::{describe_error, error_evidence, unread_outcome};

/// Judges GuardDuty in every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    ctx.per_region(&ctx.account.guardduty, |region, regional| {
        match &regional.detectors {
            Collected::Error(err) => unread_outcome(
                Some(region),
                account_id.clone(),
                &format!("the GuardDuty detectors in {region}"),
                "detectors",
                err,
            ),
            Collected::Ok(detectors) => judge(account_id, region, detectors),
        }
    })
}

fn judge(account_id: &str, region: &str, detectors: &[Detector]) -> Outcome {
    let enabled = detectors
        .iter()
        .find(|d| matches!(&d.status, Collected::Ok(s) if s == "ENABLED"));
    let unread: Vec<(&Detector, String)> = detectors
        .iter()
        .filter_map(|d| match &d.status {
            Collected::Error(err) => Some((d, describe_error(err))),
            Collected::Ok(_) => None,
        })
        .collect();
    let (status, reason) = if let Some(detector) = enabled {
        (
            Status::Pass,
            format!("GuardDuty detector {} is enabled in {region}", detector.id),
        )
    } else if !unread.is_empty() {
        let why: Vec<String> = unread
            .iter()
            .map(|(d, why)| format!("detector {}: {why}", d.id))
            .collect();
        (
            Status::Error,
            format!(
                "cannot tell whether GuardDuty is enabled in {region}: {}",
                why.join("; ")
            ),
        )
    } else if detectors.is_empty() {
        (
            Status::Fail,
            format!("GuardDuty is not enabled in {region}: the account has no detector there"),
        )
    } else {
        let states: Vec<String> = detectors
            .iter()
            .map(|d| match &d.status {
                Collected::Ok(s) => format!("detector {} is {s}", d.id),
                Collected::Error(_) => unreachable!("handled above"),
            })
            .collect();
        (
            Status::Fail,
            format!(
                "GuardDuty is not enabled in {region}: {}",
                states.join(", ")
            ),
        )
    };
    let mut outcome = Outcome::new(Some(region), account_id.to_owned(), status, reason);
    if detectors.is_empty() {
        outcome = outcome.with("detectors", "none");
    }
    for detector in detectors {
        let value = match &detector.status {
            Collected::Ok(s) => s.clone(),
            Collected::Error(err) => error_evidence(err),
        };
        outcome = outcome.with(&format!("detector {}", detector.id), value);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, account, assert_verdict, context, error, organization};
    use super::*;
    use crate::facts::{AccountFacts, GuardDutyFacts, Regional};

    const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

    fn run(account: &AccountFacts) -> Vec<Outcome> {
        let org = organization();
        let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
        evaluate(&context(account, &org, &regions))
    }

    fn detector(id: &str, status: &str) -> Detector {
        Detector {
            id: id.to_owned(),
            status: Collected::Ok(status.to_owned()),
        }
    }

    fn with(us: Collected<Vec<Detector>>, eu: Option<Collected<Vec<Detector>>>) -> AccountFacts {
        let mut a = account(ACCT);
        a.guardduty.push(Regional {
            region: "us-east-1".to_owned(),
            facts: GuardDutyFacts { detectors: us },
        });
        if let Some(eu) = eu {
            a.guardduty.push(Regional {
                region: "eu-west-1".to_owned(),
                facts: GuardDutyFacts { detectors: eu },
            });
        }
        a
    }

    #[test]
    fn judges_each_region() {
        let outcomes = run(&with(
            Collected::Ok(vec![detector("d-us", "ENABLED")]),
            Some(Collected::Ok(vec![])),
        ));
        assert_eq!(outcomes.len(), 2);
        assert_verdict(
            "enabled",
            &outcomes[0],
            Status::Pass,
            "GuardDuty detector d-us is enabled in us-east-1",
        );
        assert_eq!(outcomes[0].region.as_deref(), Some("us-east-1"));
        assert_verdict(
            "none",
            &outcomes[1],
            Status::Fail,
            "GuardDuty is not enabled in eu-west-1: the account has no detector there",
        );
        assert_eq!(outcomes[1].evidence["detectors"], "none");
        assert!(outcomes.iter().all(|o| o.resource == ACCT));
    }

    #[test]
    fn a_disabled_detector_fails_and_unknowns_are_errors() {
        let outcomes = run(&with(
            Collected::Ok(vec![detector("d-us", "DISABLED")]),
            Some(Collected::Error(error(
                "guardduty",
                "ListDetectors",
                "AccessDenied",
            ))),
        ));
        assert_verdict(
            "disabled",
            &outcomes[0],
            Status::Fail,
            "GuardDuty is not enabled in us-east-1: detector d-us is DISABLED",
        );
        assert_eq!(outcomes[0].evidence["detector d-us"], "DISABLED");
        assert_verdict(
            "unread list",
            &outcomes[1],
            Status::Error,
            "the GuardDuty detectors in eu-west-1 could not be read: guardduty:ListDetectors failed: AccessDenied",
        );

        let unread_status = run(&with(
            Collected::Ok(vec![
                detector("d-1", "DISABLED"),
                Detector {
                    id: "d-2".to_owned(),
                    status: Collected::Error(error("guardduty", "GetDetector", "Throttling")),
                },
            ]),
            None,
        ));
        assert_verdict(
            "unread status",
            &unread_status[0],
            Status::Error,
            "cannot tell whether GuardDuty is enabled in us-east-1: detector d-2: guardduty:GetDetector failed",
        );
        assert_verdict(
            "not in the snapshot",
            &unread_status[1],
            Status::Error,
            "GuardDuty was not read in eu-west-1",
        );
    }
}
