//! GuardDuty facts: the detectors of one account in one Region and whether each is enabled.
//!
//! One `ListDetectors` per Region (an account has at most one detector per Region), then
//! `GetDetector` for each, whose status says whether it is ENABLED.

use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{Collected, Detector, GuardDutyFacts};

/// The detectors of the account of `client` (its GuardDuty client in `region`).
pub(crate) async fn in_region(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> GuardDutyFacts {
    let mut pages = client.list_detectors().into_paginator().send();
    let ids = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "guardduty",
        "ListDetectors",
        Some(region),
        |page| page.detector_ids.unwrap_or_default(),
    )
    .await;
    let detectors = match ids {
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
