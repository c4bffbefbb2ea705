//! IAM Identity Center facts: the instances an account sees, and the organization instance's
//! permission sets with the accounts each reaches.
//!
//! `ListInstances` with `RegionScope` `ALL_REGIONS` answers every Region in one call, so an
//! account costs one call whatever the scanned Regions are: an account instance is only seen in
//! the member that runs it, so every member is asked. The organization instance is read once, in
//! the account that administers it; its permission sets are read in its own Region (Identity
//! Center answers there only): `ListPermissionSets`, then per set
//! `ListAccountsForProvisionedPermissionSet` (where it reaches). Nothing here judges.

use aws_sdk_ssoadmin::types::{InstanceMetadata, RegionScope};
use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::facts::{CollectError, Collected, IdentityCenterInstance, PermissionSetReach};

/// Identity Center's SigV4 signing name, as errors name the service.
const SERVICE: &str = "sso";

/// The instances the account of `client` sees, in every Region.
pub(crate) async fn instances(
    client: &aws_sdk_ssoadmin::Client,
    limiter: &Limiter,
) -> Collected<Vec<IdentityCenterInstance>> {
    let mut pages = client
        .list_instances()
        .region_scope(RegionScope::AllRegions)
        .into_paginator()
        .send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        SERVICE,
        "ListInstances",
        None,
        |page| {
            page.instances
                .unwrap_or_default()
                .into_iter()
                .filter_map(instance)
        },
    )
    .await
}

fn instance(metadata: InstanceMetadata) -> Option<IdentityCenterInstance> {
    Some(IdentityCenterInstance {
        arn: metadata.instance_arn?,
        owner_account_id: metadata.owner_account_id.unwrap_or_default(),
        name: metadata.name,
        status: metadata
            .status
            .map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned()),
        region: metadata.primary_region,
    })
}

/// The permission sets of the instance `instance_arn`, read with `client` (in the instance's
/// Region), each with the accounts it is provisioned to.
pub(crate) async fn permission_sets(
    client: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    region: &str,
    limiter: &Limiter,
) -> Collected<Vec<PermissionSetReach>> {
    let mut pages = client
        .list_permission_sets()
        .instance_arn(instance_arn)
        .into_paginator()
        .send();
    let arns = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        SERVICE,
        "ListPermissionSets",
        Some(region),
        |page| page.permission_sets.unwrap_or_default(),
    )
    .await;
    match arns {
        Collected::Ok(arns) => Collected::Ok(
            join_all(
                arns.into_iter()
                    .map(|arn| reach(client, instance_arn, arn, region, limiter)),
            )
            .await,
        ),
        Collected::Error(err) => Collected::Error(err),
    }
}

async fn reach(
    client: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    arn: String,
    region: &str,
    limiter: &Limiter,
) -> PermissionSetReach {
    let mut pages = client
        .list_accounts_for_provisioned_permission_set()
        .instance_arn(instance_arn)
        .permission_set_arn(&arn)
        .into_paginator()
        .send();
    let accounts = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        SERVICE,
        "ListAccountsForProvisionedPermissionSet",
        Some(region),
        |page| page.account_ids.unwrap_or_default(),
    )
    .await;
    PermissionSetReach { arn, accounts }
}

/// An answer that lacks what posture needs from it.
pub(crate) fn missing(action: &str, region: &str, message: &str) -> CollectError {
    CollectError {
        service: SERVICE.into(),
        action: action.into(),
        region: Some(region.to_owned()),
        code: None,
        message: message.to_owned(),
        request_id: None,
        http_status: None,
    }
}
