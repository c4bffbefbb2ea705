//! Control Tower facts: the landing zone, its enabled controls and baselines, read with the
//! caller's credentials (Control Tower has no delegated administrator: its API answers the
//! management account only).
//!
//! The landing zone lives in its home Region, and `ListLandingZones` lists it there only: it is
//! asked in each scanned Region in order until one lists it (one call per Region at most), then
//! `GetLandingZone`, `ListEnabledControls` and `ListEnabledBaselines` (all pages, for the whole
//! organization: no target given) are read there.

use aws_config::Region;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    CollectError, Collected, ControlTowerFacts, EnabledBaseline, EnabledControl, LandingZoneDetail,
};

/// Control Tower as `client_in` (a client per Region) sees it in `regions`.
pub(crate) async fn landing_zone(
    client_in: &(dyn Fn(&Region) -> aws_sdk_controltower::Client + Sync),
    regions: &[Region],
    limiter: &Limiter,
) -> Collected<ControlTowerFacts> {
    match read(client_in, regions, limiter).await {
        Ok(facts) => Collected::Ok(facts),
        Err(err) => Collected::Error(*err),
    }
}

/// The facts, or the first read's error (boxed: it is large, and the happy path carries none).
async fn read(
    client_in: &(dyn Fn(&Region) -> aws_sdk_controltower::Client + Sync),
    regions: &[Region],
    limiter: &Limiter,
) -> Result<ControlTowerFacts, Box<CollectError>> {
    for region in regions {
        let client = client_in(region);
        let name = region.as_ref();
        let mut pages = client.list_landing_zones().into_paginator().send();
        let arns = all_items(
            |cx| pages.poll_next(cx),
            Some(limiter),
            "controltower",
            "ListLandingZones",
            Some(name),
            |page| page.landing_zones.into_iter().filter_map(|z| z.arn),
        )
        .await
        .into_result()?;
        let Some(arn) = arns.into_iter().next() else {
            continue;
        };
        let detail = limiter
            .call(
                client
                    .get_landing_zone()
                    .landing_zone_identifier(&arn)
                    .send(),
            )
            .await
            .map_err(|err| {
                Box::new(collect_error(
                    &err,
                    "controltower",
                    "GetLandingZone",
                    Some(name),
                ))
            })?;
        let zone = detail.landing_zone();
        let landing_zone = LandingZoneDetail {
            arn: zone.and_then(|z| z.arn()).unwrap_or(&arn).to_owned(),
            region: name.to_owned(),
            version: zone.map(|z| z.version().to_owned()).unwrap_or_default(),
            latest_available_version: zone
                .and_then(|z| z.latest_available_version())
                .map(str::to_owned),
            status: zone.and_then(|z| z.status()).map(|s| s.as_str().to_owned()),
            drift_status: zone
                .and_then(|z| z.drift_status())
                .and_then(|d| d.status())
                .map(|s| s.as_str().to_owned()),
        };
        let mut pages = client.list_enabled_controls().into_paginator().send();
        let enabled_controls = all_items(
            |cx| pages.poll_next(cx),
            Some(limiter),
            "controltower",
            "ListEnabledControls",
            Some(name),
            |page| {
                page.enabled_controls.into_iter().map(|c| EnabledControl {
                    control_identifier: c.control_identifier().unwrap_or_default().to_owned(),
                    target_identifier: c.target_identifier().unwrap_or_default().to_owned(),
                    status: c
                        .status_summary()
                        .and_then(|s| s.status())
                        .map(|s| s.as_str().to_owned()),
                    drift_status: c
                        .drift_status_summary()
                        .and_then(|d| d.drift_status())
                        .map(|s| s.as_str().to_owned()),
                })
            },
        )
        .await
        .into_result()?;
        let mut pages = client.list_enabled_baselines().into_paginator().send();
        let enabled_baselines = all_items(
            |cx| pages.poll_next(cx),
            Some(limiter),
            "controltower",
            "ListEnabledBaselines",
            Some(name),
            |page| {
                page.enabled_baselines.into_iter().map(|b| EnabledBaseline {
                    baseline_identifier: b.baseline_identifier().to_owned(),
                    target_identifier: b.target_identifier().to_owned(),
                    status: b
                        .status_summary()
                        .and_then(|s| s.status())
                        .map(|s| s.as_str().to_owned()),
                })
            },
        )
        .await
        .into_result()?;
        return Ok(ControlTowerFacts {
            landing_zone: Some(landing_zone),
            enabled_controls,
            enabled_baselines,
        });
    }
    Ok(ControlTowerFacts {
        landing_zone: None,
        enabled_controls: Vec::new(),
        enabled_baselines: Vec::new(),
    })
}
