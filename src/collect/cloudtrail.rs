//! CloudTrail facts of one account: its trails, each with its status and event selectors read in
//! the trail's home Region.
//!
//! `DescribeTrails` is regional, and single-Region trails are seen only in their own Region, so it
//! is called in every scanned Region (with shadow trails, CloudTrail's default) and the answers
//! are deduplicated by ARN. An organization trail seen from a member is skipped there: it belongs
//! to the management account and is read once for the organization (in the management account,
//! or in the caller's account when the scan runs from a delegated administrator).

use std::collections::HashSet;

use aws_config::Region;
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use futures::future::join_all;

use super::Limiter;
use crate::aws::error::collect_error;
use crate::facts::{
    AdvancedSelector, BasicSelector, CollectError, Collected, EventSelectors, FieldSelector, Trail,
    TrailStatus,
};

/// Makes the account's CloudTrail client for a Region.
pub(crate) type ClientIn<'a> = &'a (dyn Fn(&Region) -> aws_sdk_cloudtrail::Client + Sync);

/// The trails seen from `regions` by the account of `client_in`, organization trails of
/// accounts other than `account_id` left out (`account_id` is that account, or the management
/// account when its organization trails are read from a member). Any `DescribeTrails` failure makes the whole list that error: a list missing a Region's
/// trails would read as "no trail there".
pub(crate) async fn trails(
    client_in: ClientIn<'_>,
    account_id: &str,
    regions: &[Region],
    limiter: &Limiter,
) -> Collected<Vec<Trail>> {
    let described = join_all(regions.iter().map(|region| async move {
        limiter
            .call(client_in(region).describe_trails().send())
            .await
            .map_err(|err| {
                collect_error(&err, "cloudtrail", "DescribeTrails", Some(region.as_ref()))
            })
    }))
    .await;

    let described = match described.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(described) => described,
        Err(err) => return Collected::Error(err),
    };

    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for (region, answer) in regions.iter().zip(&described) {
        for trail in answer.trail_list() {
            // The ARN identifies a trail across Regions; a trail without one (never seen from
            // AWS) is known by its name.
            let Some(id) = trail.trail_arn().or(trail.name()) else {
                continue;
            };
            let organization = trail.is_organization_trail() == Some(true);
            if organization && arn_account(id) != Some(account_id) {
                continue;
            }
            if seen.insert(id.to_owned()) {
                found.push((trail, region));
            }
        }
    }
    Collected::Ok(
        join_all(
            found
                .into_iter()
                .map(|(trail, seen_in)| read_trail(client_in, trail, seen_in, limiter)),
        )
        .await,
    )
}

/// The account of an ARN (`arn:aws:cloudtrail:us-east-1:111122223333:trail/x` → `111122223333`).
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

/// One trail with its status and selectors, both read in its home Region by ARN (a trail seen
/// from another Region, or from a member, is found by its ARN only).
async fn read_trail(
    client_in: ClientIn<'_>,
    trail: &aws_sdk_cloudtrail::types::Trail,
    seen_in: &Region,
    limiter: &Limiter,
) -> Trail {
    let name = trail.name().unwrap_or_default().to_owned();
    let arn = trail
        .trail_arn()
        .map_or_else(|| name.clone(), str::to_owned);
    let home_region = trail
        .home_region()
        .map_or_else(|| seen_in.clone(), |r| Region::new(r.to_owned()));
    let client = client_in(&home_region);
    let home = Some(home_region.as_ref());
    let (status, selectors) = futures::join!(
        limiter.call(client.get_trail_status().name(&arn).send()),
        limiter.call(client.get_event_selectors().trail_name(&arn).send()),
    );
    let status = match status {
        Ok(out) => Collected::Ok(TrailStatus {
            is_logging: out.is_logging().unwrap_or(false),
        }),
        Err(err) => Collected::Error(collect_error(&err, "cloudtrail", "GetTrailStatus", home)),
    };
    let selectors = match selectors {
        Ok(out) => match event_selectors(&out, trail.has_custom_event_selectors()) {
            Ok(selectors) => Collected::Ok(selectors),
            Err(message) => Collected::Error(CollectError {
                service: "cloudtrail".into(),
                action: "GetEventSelectors".into(),
                region: home.map(str::to_owned),
                code: None,
                message,
                request_id: None,
                http_status: None,
            }),
        },
        Err(err) => Collected::Error(collect_error(&err, "cloudtrail", "GetEventSelectors", home)),
    };
    Trail {
        arn,
        name,
        home_region: home_region.to_string(),
        multi_region: trail.is_multi_region_trail().unwrap_or(false),
        organization_trail: trail.is_organization_trail().unwrap_or(false),
        log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: trail.kms_key_id().map(str::to_owned),
        s3_bucket: trail.s3_bucket_name().map(str::to_owned),
        status,
        selectors,
    }
}

/// The selectors of a `GetEventSelectors` answer, as CloudTrail sent them.
///
/// No selectors at all is [`EventSelectors::Default`] (CloudTrail then logs every management
/// event) only when `DescribeTrails` did not say the trail has custom selectors: AWS answers a
/// trail without custom selectors with the default basic selector, moto with nothing. An empty
/// answer for a trail that has custom selectors cannot be read either way, and is an error.
fn event_selectors(
    out: &GetEventSelectorsOutput,
    has_custom_selectors: Option<bool>,
) -> Result<EventSelectors, String> {
    let advanced = out.advanced_event_selectors();
    let basic = out.event_selectors();
    if !advanced.is_empty() {
        return Ok(EventSelectors::Advanced(
            advanced
                .iter()
                .map(|selector| AdvancedSelector {
                    name: selector.name().map(str::to_owned),
                    field_selectors: selector
                        .field_selectors()
                        .iter()
                        .map(|field| FieldSelector {
                            field: field.field().to_owned(),
                            equals: field.equals().to_vec(),
                            not_equals: field.not_equals().to_vec(),
                            starts_with: field.starts_with().to_vec(),
                            not_starts_with: field.not_starts_with().to_vec(),
                            ends_with: field.ends_with().to_vec(),
                            not_ends_with: field.not_ends_with().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        ));
    }
    if !basic.is_empty() {
        return Ok(EventSelectors::Basic(
            basic
                .iter()
                .map(|selector| BasicSelector {
                    // CloudTrail's documented defaults for fields it leaves out.
                    read_write_type: selector
                        .read_write_type()
                        .map_or("All", |t| t.as_str())
                        .to_owned(),
                    include_management_events: selector.include_management_events().unwrap_or(true),
                    exclude_management_event_sources: selector
                        .exclude_management_event_sources()
                        .to_vec(),
                })
                .collect(),
        ));
    }
    if has_custom_selectors == Some(true) {
        return Err(
            "GetEventSelectors answered no selectors for a trail that DescribeTrails says has \
             custom event selectors"
                .to_owned(),
        );
    }
    Ok(EventSelectors::Default)
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };

    #[test]
    fn no_selectors_is_the_default_unless_the_trail_has_custom_ones() {
        let empty = GetEventSelectorsOutput::builder().build();
        assert_eq!(event_selectors(&empty, None), Ok(EventSelectors::Default));
        assert_eq!(
            event_selectors(&empty, Some(false)),
            Ok(EventSelectors::Default)
        );
        assert!(event_selectors(&empty, Some(true)).is_err());
    }

    #[test]
    fn basic_selectors_keep_what_cloudtrail_sent_with_its_defaults() {
        let out = GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .build(),
            )
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::ReadOnly)
                    .exclude_management_event_sources("kms.amazonaws.com")
                    .build(),
            )
            .event_selectors(EventSelector::builder().build())
            .build();
        let basic = |rw: &str, include: bool, excluded: &[&str]| BasicSelector {
            read_write_type: rw.into(),
            include_management_events: include,
            exclude_management_event_sources: excluded.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            event_selectors(&out, Some(true)),
            Ok(EventSelectors::Basic(vec![
                basic("All", true, &[]),
                basic("ReadOnly", true, &["kms.amazonaws.com"]),
                basic("All", true, &[]),
            ]))
        );
    }

    #[test]
    fn advanced_selectors_keep_every_field_selector() {
        let out = GetEventSelectorsOutput::builder()
            .advanced_event_selectors(
                AdvancedEventSelector::builder()
                    .name("Management events without KMS")
                    .field_selectors(
                        AdvancedFieldSelector::builder()
                            .field("eventCategory")
                            .equals("Management")
                            .build()
                            .expect("field"),
                    )
                    .field_selectors(
                        AdvancedFieldSelector::builder()
                            .field("eventSource")
                            .not_equals("kms.amazonaws.com")
                            .build()
                            .expect("field"),
                    )
                    .build()
                    .expect("selector"),
            )
            .build();
        assert_eq!(
            event_selectors(&out, Some(true)),
            Ok(EventSelectors::Advanced(vec![AdvancedSelector {
                name: Some("Management events without KMS".into()),
                field_selectors: vec![
                    FieldSelector {
                        field: "eventCategory".into(),
                        equals: vec!["Management".into()],
                        ..FieldSelector::default()
                    },
                    FieldSelector {
                        field: "eventSource".into(),
                        not_equals: vec!["kms.amazonaws.com".into()],
                        ..FieldSelector::default()
                    },
                ],
            }]))
        );
    }

    #[test]
    fn arn_account_is_the_fifth_field() {
        assert_eq!(
            arn_account("arn:aws:cloudtrail:us-east-1:111122223333:trail/org"),
            Some("111122223333")
        );
        assert_eq!(arn_account("org-trail"), None);
    }
}
