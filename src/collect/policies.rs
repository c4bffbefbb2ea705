//! Organizations' authorization policies: every policy type the root lists, and, for the types
//! posture judges (SCPs and RCPs), each policy's document and where it is attached. Read once,
//! with the caller's credentials (the management account, or a delegated administrator whose
//! delegation policy allows it).
//!
//! `ListPolicies` per type, then `DescribePolicy` and `ListTargetsForPolicy` per policy: two calls
//! per policy however many accounts and OUs there are (`ListPoliciesForTarget` would be one call
//! per account). Where each scanned account sits (its OUs from the root down) comes from discovery
//! and is kept beside the policies, so that the path of every account can be computed again from
//! the snapshot alone.

use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus, Root};
use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    AccountPlacement, CollectError, Collected, OrganizationPolicies, OrganizationPolicy,
    PoliciesOfType, RootPolicyType,
};

/// The policy types whose documents and targets are read.
const READ: [PolicyType; 2] = [
    PolicyType::ServiceControlPolicy,
    PolicyType::ResourceControlPolicy,
];

/// The organization's policies under `root` ([`root`]), with `placements` (every scanned
/// account's OUs, root down).
pub(crate) async fn organization_policies(
    client: &aws_sdk_organizations::Client,
    root: &Result<Root, CollectError>,
    placements: Vec<AccountPlacement>,
    limiter: &Limiter,
) -> Collected<OrganizationPolicies> {
    let root = match root {
        Ok(root) => root,
        Err(err) => return Collected::Error(err.clone()),
    };
    let policy_types: Vec<RootPolicyType> = root
        .policy_types()
        .iter()
        .map(|t| RootPolicyType {
            policy_type: t
                .r#type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            status: t
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        })
        .collect();
    let enabled: Vec<&PolicyType> = READ
        .iter()
        .filter(|read| {
            root.policy_types().iter().any(|t| {
                t.r#type() == Some(*read) && t.status() == Some(&PolicyTypeStatus::Enabled)
            })
        })
        .collect();
    let by_type = join_all(
        enabled
            .into_iter()
            .map(|policy_type| policies_of(client, policy_type, limiter)),
    )
    .await;
    Collected::Ok(OrganizationPolicies {
        root_id: root.id().unwrap_or_default().to_owned(),
        // arn:aws:organizations::<management>:root/o-…/r-…
        organization_id: root
            .arn()
            .and_then(|arn| arn.split('/').nth(1))
            .unwrap_or_default()
            .to_owned(),
        policy_types,
        by_type,
        placements,
    })
}

/// The organization's root (`ListRoots`): its id and the policy types enabled on it. Read once
/// per scan and handed to every reader of the organization's policies.
pub(crate) async fn root(
    client: &aws_sdk_organizations::Client,
    limiter: &Limiter,
) -> Result<Root, CollectError> {
    let roots = limiter
        .call(client.list_roots().send())
        .await
        .map_err(|err| collect_error(&err, "organizations", "ListRoots", None))?;
    roots
        .roots
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| CollectError {
            service: "organizations".into(),
            action: "ListRoots".into(),
            region: None,
            code: None,
            message: "the organization has no root".into(),
            request_id: None,
            http_status: None,
        })
}

/// Every policy of `policy_type`, each with its document and targets.
async fn policies_of(
    client: &aws_sdk_organizations::Client,
    policy_type: &PolicyType,
    limiter: &Limiter,
) -> PoliciesOfType {
    let mut pages = client
        .list_policies()
        .filter(policy_type.clone())
        .into_paginator()
        .send();
    let summaries = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "organizations",
        "ListPolicies",
        None,
        |page| page.policies.unwrap_or_default(),
    )
    .await;
    let policies = match summaries {
        Collected::Ok(summaries) => Collected::Ok(
            join_all(summaries.into_iter().map(|summary| async move {
                let id = summary.id.unwrap_or_default();
                let (content, targets) =
                    futures::join!(content(client, &id, limiter), targets(client, &id, limiter));
                OrganizationPolicy {
                    name: summary.name.unwrap_or_default(),
                    aws_managed: summary.aws_managed,
                    content,
                    targets,
                    id,
                }
            }))
            .await,
        ),
        Collected::Error(err) => Collected::Error(err),
    };
    PoliciesOfType {
        policy_type: policy_type.as_str().to_owned(),
        policies,
    }
}

/// `DescribePolicy`'s `Content`: the document as written.
async fn content(
    client: &aws_sdk_organizations::Client,
    id: &str,
    limiter: &Limiter,
) -> Collected<String> {
    match limiter
        .call(client.describe_policy().policy_id(id).send())
        .await
    {
        Ok(answer) => Collected::Ok(
            answer
                .policy()
                .and_then(|p| p.content())
                .unwrap_or_default()
                .to_owned(),
        ),
        Err(err) => Collected::Error(collect_error(&err, "organizations", "DescribePolicy", None)),
    }
}

/// `ListTargetsForPolicy`, every page: the ids of the root, OUs and accounts it is attached to.
async fn targets(
    client: &aws_sdk_organizations::Client,
    id: &str,
    limiter: &Limiter,
) -> Collected<Vec<String>> {
    let mut pages = client
        .list_targets_for_policy()
        .policy_id(id)
        .into_paginator()
        .send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "organizations",
        "ListTargetsForPolicy",
        None,
        |page| {
            page.targets
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| t.target_id)
        },
    )
    .await
}
