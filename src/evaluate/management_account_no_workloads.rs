//! `management-account-no-workloads`: the management account runs no compute in the scanned
//! Regions: no EC2 instance (terminated ones aside) and no Lambda function.
//!
//! EC2 and Lambda because between them they hold the compute an account can run: ECS tasks and
//! EKS pods run on EC2 instances (counted here) or on Fargate (not seen: ECS and EKS clusters are
//! not read, see the check's rationale). One FAIL per instance or function (resource: its id or
//! ARN, in its Region); one ERROR per Region where a list could not be read; one PASS (resource:
//! the account id) when every Region was read and holds none. SKIPPED when the management account
//! was not in the scan's scope, ERROR when it could not be read or the snapshot holds no workload
//! facts (a posture that did not read them).
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{CollectError, Collected, ScanFacts};
use crate::finding::{Outcome, Status};

use super::{describe_error, error_evidence, management_account};

/// What every FAIL says to do.
const MOVE_IT: &str =
    "workloads belong in member accounts, out of reach of the organization's controls";

/// Judges the management account's workloads.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let account = match management_account(facts) {
        Ok(account) => account,
        Err(why) => return vec![why],
    };
    let management = account.account_id.as_str();
    let mut outcomes = Vec::new();
    for region in &facts.regions {
        let region = region.as_str();
        let Some(regional) = account.workloads.iter().find(|r| r.region == region) else {
            outcomes.push(Outcome::new(
                Some(region),
                management,
                Status::Error,
                format!(
                    "the management account's workloads were not read in {region}: the snapshot \
                     was made by a posture that did not read them; scan again"
                ),
            ));
            continue;
        };
        let workloads = &regional.facts;
        // One ERROR per Region for what could not be listed there, naming each list: two
        // findings of one (Region, resource) would be one finding to `diff`.
        let mut unread: Vec<(&str, &CollectError)> = Vec::new();
        match &workloads.ec2_instances {
            Collected::Error(err) => unread.push(("EC2 instances", err)),
            Collected::Ok(instances) => outcomes.extend(instances.iter().map(|instance| {
                Outcome::new(
                    Some(region),
                    instance.id.clone(),
                    Status::Fail,
                    format!(
                        "the management account runs EC2 instance {} ({}) in {region}: {MOVE_IT}",
                        instance.id, instance.state
                    ),
                )
                .with("state", &instance.state)
            })),
        }
        match &workloads.lambda_functions {
            Collected::Error(err) => unread.push(("Lambda functions", err)),
            Collected::Ok(functions) => outcomes.extend(functions.iter().map(|arn| {
                Outcome::new(
                    Some(region),
                    arn.clone(),
                    Status::Fail,
                    format!("the management account runs Lambda function {arn}: {MOVE_IT}"),
                )
            })),
        }
        if !unread.is_empty() {
            let reason = unread
                .iter()
                .map(|(what, err)| {
                    format!(
                        "the management account's {what} in {region} could not be read: {}",
                        describe_error(err)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            outcomes.push(unread.iter().fold(
                Outcome::new(Some(region), management, Status::Error, reason),
                |outcome, (what, err)| outcome.with(what, error_evidence(err)),
            ));
        }
    }
    // Every Region read, and nothing found.
    if outcomes.is_empty() {
        outcomes.push(
            Outcome::new(
                None,
                management,
                Status::Pass,
                "the management account runs no EC2 instance and no Lambda function in the \
                 scanned Regions",
            )
            .with("Regions", facts.regions.join(", ")),
        );
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{MGMT, account, error, in_regions, organization};
    use super::*;
    use crate::facts::{AccountFacts, Ec2Instance, WorkloadFacts};

    const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

    fn scan(accounts: Vec<AccountFacts>) -> ScanFacts {
        ScanFacts {
            organization: organization(),
            accounts,
            skipped_accounts: Vec::new(),
            regions: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn management(per_region: Vec<WorkloadFacts>) -> AccountFacts {
        let mut account = account(MGMT);
        account.workloads = in_regions(&REGIONS, per_region);
        account
    }

    fn none() -> WorkloadFacts {
        WorkloadFacts {
            ec2_instances: Collected::Ok(Vec::new()),
            lambda_functions: Collected::Ok(Vec::new()),
        }
    }

    #[test]
    fn no_compute_anywhere_passes_and_each_instance_or_function_fails_in_its_region() {
        let outcomes = evaluate(&scan(vec![management(vec![none(), none()])]));
        assert_eq!(outcomes.len(), 1, "{outcomes:?}");
        assert_eq!(outcomes[0].status, Status::Pass);
        assert_eq!(outcomes[0].resource, MGMT);
        assert_eq!(outcomes[0].evidence["Regions"], "us-east-1, eu-west-1");

        let mut east = none();
        east.ec2_instances = Collected::Ok(vec![Ec2Instance {
            id: "i-0abc".to_owned(),
            state: "stopped".to_owned(),
        }]);
        let mut west = none();
        let function = "arn:aws:lambda:eu-west-1:111111111111:function:billing-export";
        west.lambda_functions = Collected::Ok(vec![function.to_owned()]);
        let outcomes = evaluate(&scan(vec![management(vec![east, west])]));
        let cells: Vec<(Option<&str>, &str, Status)> = outcomes
            .iter()
            .map(|o| (o.region.as_deref(), o.resource.as_str(), o.status))
            .collect();
        assert_eq!(
            cells,
            [
                (Some("us-east-1"), "i-0abc", Status::Fail),
                (Some("eu-west-1"), function, Status::Fail),
            ]
        );
        assert!(outcomes[0].reason.contains("EC2 instance i-0abc (stopped)"));
        assert_eq!(outcomes[0].evidence["state"], "stopped");
    }

    #[test]
    fn a_region_that_could_not_be_read_is_error_never_pass() {
        let mut east = none();
        east.lambda_functions =
            Collected::Error(error("lambda", "ListFunctions", "AccessDeniedException"));
        let outcomes = evaluate(&scan(vec![management(vec![east, none()])]));
        assert_eq!(outcomes.len(), 1, "no PASS beside it: {outcomes:?}");
        assert_eq!(outcomes[0].status, Status::Error);
        assert_eq!(outcomes[0].region.as_deref(), Some("us-east-1"));
        assert!(
            outcomes[0]
                .reason
                .contains("Lambda functions in us-east-1 could not be read"),
            "{}",
            outcomes[0].reason
        );
        // Both lists unread in one Region: one ERROR there, naming both.
        let mut both = none();
        both.ec2_instances =
            Collected::Error(error("ec2", "DescribeInstances", "UnauthorizedOperation"));
        both.lambda_functions =
            Collected::Error(error("lambda", "ListFunctions", "AccessDeniedException"));
        let outcomes = evaluate(&scan(vec![management(vec![none(), both])]));
        assert_eq!(outcomes.len(), 1, "{outcomes:?}");
        assert_eq!(outcomes[0].region.as_deref(), Some("eu-west-1"));
        assert!(
            outcomes[0].reason.contains("UnauthorizedOperation")
                && outcomes[0].reason.contains("AccessDeniedException"),
            "{}",
            outcomes[0].reason
        );
        assert!(outcomes[0].evidence["EC2 instances"].starts_with("not read: "));
        assert!(outcomes[0].evidence["Lambda functions"].starts_with("not read: "));
        // A snapshot of a posture that did not read them: ERROR in each Region.
        let outcomes = evaluate(&scan(vec![account(MGMT)]));
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
        // The account itself unreachable: one ERROR with the role's error.
        let mut unreachable = account(MGMT);
        unreachable.access = Collected::Error(error("sts", "AssumeRole", "AccessDenied"));
        let outcomes = evaluate(&scan(vec![unreachable]));
        assert_eq!(outcomes.len(), 1);
        assert!(outcomes[0].reason.contains("AccessDenied"));
        // Not in scope: SKIPPED.
        let outcomes = evaluate(&scan(vec![account("222222222222")]));
        assert_eq!(outcomes[0].status, Status::Skipped);
    }
}
