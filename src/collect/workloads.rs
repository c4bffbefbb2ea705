//! Workloads in the management account, in one Region: its EC2 instances (`DescribeInstances`,
//! every page, terminated ones left out) and its Lambda functions (`ListFunctions`, every page).
//! Read in the management account only.

use futures::join;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::facts::{Ec2Instance, WorkloadFacts};

/// The state of an instance that is gone: AWS lists it for about an hour after.
const TERMINATED: &str = "terminated";

/// The workloads of the account of `ec2` and `lambda` (its clients in `region`).
pub(crate) async fn in_region(
    ec2: &aws_sdk_ec2::Client,
    lambda: &aws_sdk_lambda::Client,
    region: &str,
    limiter: &Limiter,
) -> WorkloadFacts {
    let mut instance_pages = ec2.describe_instances().into_paginator().send();
    let mut function_pages = lambda.list_functions().into_paginator().send();
    let (ec2_instances, lambda_functions) = join!(
        all_items(
            |cx| instance_pages.poll_next(cx),
            Some(limiter),
            "ec2",
            "DescribeInstances",
            Some(region),
            |page| {
                page.reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .map(|i| Ec2Instance {
                        id: i.instance_id().unwrap_or_default().to_owned(),
                        state: i
                            .state()
                            .and_then(|s| s.name())
                            .map_or("unknown", |n| n.as_str())
                            .to_owned(),
                    })
                    .filter(|i| i.state != TERMINATED)
                    .collect::<Vec<_>>()
            },
        ),
        all_items(
            |cx| function_pages.poll_next(cx),
            Some(limiter),
            "lambda",
            "ListFunctions",
            Some(region),
            |page| {
                page.functions()
                    .iter()
                    .filter_map(|f| f.function_arn().map(str::to_owned))
                    .collect::<Vec<_>>()
            },
        ),
    );
    WorkloadFacts {
        ec2_instances,
        lambda_functions,
    }
}
