//! GuardDuty facts: the detectors of one account in one Region and whether each is enabled; and,
//! in the administrator's account, the organization as GuardDuty sees it.
//!
//! One `ListDetectors` per Region (an account has at most one detector per Region), then
//! `GetDetector` for each, whose status says whether it is ENABLED.

use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    CollectError, Collected, Detector, GuardDutyAdminView, GuardDutyFacts, GuardDutyMember,
};

/// The detectors of the account of `client` (its GuardDuty client in `region`).
pub(crate) async fn in_region(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> GuardDutyFacts {
    let detectors = match detector_ids(client, region, limiter).await {
        Collected::Ok(ids) => Collected::Ok(
            join_all(
                ids.into_iter()
                    .map(|id| detector(client, id, region, limiter)),
            )
            .await,
        ),
        Collected::Error(err) => Collected::Error(err),
    };
    GuardDutyFacts { detectors }
}

async fn detector(
    client: &aws_sdk_guardduty::Client,
    id: String,
    region: &str,
    limiter: &Limiter,
) -> Detector {
    let answer = limiter
        .call(client.get_detector().detector_id(&id).send())
        .await;
    let status = match answer {
        Ok(detector) => Collected::Ok(
            detector
                .status()
                .map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned()),
        ),
        Err(err) => Collected::Error(collect_error(
            &err,
            "guardduty",
            "GetDetector",
            Some(region),
        )),
    };
    Detector { id, status }
}

/// The account's detector ids in `region` (`ListDetectors`, all pages: at most one).
async fn detector_ids(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> Collected<Vec<String>> {
    let mut pages = client.list_detectors().into_paginator().send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "guardduty",
        "ListDetectors",
        Some(region),
        |page| page.detector_ids.unwrap_or_default(),
    )
    .await
}

/// How many accounts `GetMemberDetectors` takes at once (its API reference: 1 to 50).
const MEMBER_DETECTORS_BATCH: usize = 50;

/// GuardDuty as the administrator whose client is `client` sees the organization in `region`:
/// its detector, the organization configuration, every member (associated or not, all pages)
/// and the plans enabled in each member's detector. The first read that fails makes the whole
/// view its error: a partial member list must not read as accounts left out.
pub(crate) async fn admin_view(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> Collected<GuardDutyAdminView> {
    match read_admin_view(client, region, limiter).await {
        Ok(view) => Collected::Ok(view),
        Err(err) => Collected::Error(*err),
    }
}

/// The view, or the first read's error (boxed: it is large, and the happy path carries none).
async fn read_admin_view(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> Result<GuardDutyAdminView, Box<CollectError>> {
    let Some(detector_id) = detector_ids(client, region, limiter)
        .await
        .into_result()?
        .into_iter()
        .next()
    else {
        return Ok(GuardDutyAdminView {
            detector_id: None,
            auto_enable_members: None,
            auto_enable_features: Vec::new(),
            members: Vec::new(),
        });
    };
    let mut pages = client
        .describe_organization_configuration()
        .detector_id(&detector_id)
        .into_paginator()
        .send();
    let configuration = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "guardduty",
        "DescribeOrganizationConfiguration",
        Some(region),
        |page| {
            let members = page
                .auto_enable_organization_members()
                .map(|m| m.as_str().to_owned());
            let features: Vec<(String, String)> = page
                .features()
                .iter()
                .filter_map(|f| {
                    Some((
                        f.name()?.as_str().to_owned(),
                        f.auto_enable()?.as_str().to_owned(),
                    ))
                })
                .collect();
            std::iter::once((members, features))
        },
    )
    .await
    .into_result()?;
    let auto_enable_members = configuration.iter().find_map(|(m, _)| m.clone());
    let auto_enable_features = configuration.into_iter().flat_map(|(_, f)| f).collect();

    let mut pages = client
        .list_members()
        .detector_id(&detector_id)
        .only_associated("false")
        .into_paginator()
        .send();
    let listed = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "guardduty",
        "ListMembers",
        Some(region),
        |page| {
            let members = page.members.unwrap_or_default();
            members
                .into_iter()
                .filter_map(|m| Some((m.account_id?, m.relationship_status.unwrap_or_default())))
        },
    )
    .await
    .into_result()?;
    let ids: Vec<String> = listed.iter().map(|(id, _)| id.clone()).collect();
    let batches = join_all(ids.chunks(MEMBER_DETECTORS_BATCH).map(|batch| async {
        limiter
            .call(
                client
                    .get_member_detectors()
                    .detector_id(&detector_id)
                    .set_account_ids(Some(batch.to_vec()))
                    .send(),
            )
            .await
            .map_err(|err| {
                Box::new(collect_error(
                    &err,
                    "guardduty",
                    "GetMemberDetectors",
                    Some(region),
                ))
            })
    }))
    .await;
    let mut features: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for batch in batches {
        for member in batch?.member_data_source_configurations.unwrap_or_default() {
            let Some(account_id) = member.account_id().map(str::to_owned) else {
                continue;
            };
            let enabled = member
                .features()
                .iter()
                .filter(|f| f.status().is_some_and(|s| s.as_str() == "ENABLED"))
                .filter_map(|f| f.name().map(|n| n.as_str().to_owned()))
                .collect();
            features.insert(account_id, enabled);
        }
    }
    let members = listed
        .into_iter()
        .map(|(account_id, relationship_status)| GuardDutyMember {
            enabled_features: features.remove(&account_id),
            account_id,
            relationship_status,
        })
        .collect();
    Ok(GuardDutyAdminView {
        detector_id: Some(detector_id),
        auto_enable_members,
        auto_enable_features,
        members,
    })
}
