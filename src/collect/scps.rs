//! Service control policy facts: whether the policy type is enabled on the root, and which SCPs
//! are attached to the root and to each OU. Read with the caller's credentials (the management
//! account, or a delegated administrator for Organizations policies).

use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus, Root};
use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::facts::{AttachedPolicy, CollectError, Collected, PolicyTarget, ServiceControlPolicies};

/// The SCPs of the organization: `ListPoliciesForTarget` for the root (`root`, read once for
/// every policy fact: [`super::policies::root`]) and every OU of `organizational_units`
/// ((id, path)) when the policy type is enabled.
pub(crate) async fn service_control_policies(
    client: &aws_sdk_organizations::Client,
    root: &Result<Root, CollectError>,
    organizational_units: &[(String, String)],
    limiter: &Limiter,
) -> Collected<ServiceControlPolicies> {
    let root = match root {
        Ok(root) => root,
        Err(err) => return Collected::Error(err.clone()),
    };
    let root_id = root.id().unwrap_or_default().to_owned();
    let enabled = root.policy_types().iter().any(|t| {
        t.r#type() == Some(&PolicyType::ServiceControlPolicy)
            && t.status() == Some(&PolicyTypeStatus::Enabled)
    });
    let targets = if enabled {
        let all = std::iter::once((root_id.clone(), "/".to_owned()))
            .chain(organizational_units.iter().cloned());
        join_all(all.map(|(id, path)| async move {
            let mut pages = client
                .list_policies_for_target()
                .target_id(&id)
                .filter(PolicyType::ServiceControlPolicy)
                .into_paginator()
                .send();
            let policies = all_items(
                |cx| pages.poll_next(cx),
                Some(limiter),
                "organizations",
                "ListPoliciesForTarget",
                None,
                |page| {
                    page.policies
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| AttachedPolicy {
                            id: p.id.unwrap_or_default(),
                            name: p.name.unwrap_or_default(),
                            aws_managed: p.aws_managed,
                        })
                },
            )
            .await;
            PolicyTarget { id, path, policies }
        }))
        .await
    } else {
        Vec::new()
    };
    Collected::Ok(ServiceControlPolicies {
        root_id,
        enabled,
        targets,
    })
}
