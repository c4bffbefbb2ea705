//! AWS Config facts: the configuration recorder of one account in one Region, its status, and
//! the delivery channel; and the configuration aggregators of an account that may aggregate the
//! organization.
//!
//! Three calls per Region for the recorder, made together, each kept with its own result: none of
//! them pages (a Region has at most one customer-managed recorder and one delivery channel).
//! `DescribeConfigurationAggregators` pages.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    AggregatedRegions, Collected, ConfigAggregator, ConfigFacts, ConfigRecorder, DeliveryChannel,
    RecorderStatus, RegionalAggregators,
};

/// AWS Config in the account of `client` (its AWS Config client in `region`).
pub(crate) async fn in_region(
    client: &aws_sdk_config::Client,
    region: &str,
    limiter: &Limiter,
) -> ConfigFacts {
    let (recorders, statuses, channels) = futures::join!(
        limiter.call(client.describe_configuration_recorders().send()),
        limiter.call(client.describe_configuration_recorder_status().send()),
        limiter.call(client.describe_delivery_channels().send()),
    );
    ConfigFacts {
        recorders: kept(recorders, "DescribeConfigurationRecorders", region, |out| {
            out.configuration_recorders().iter().map(recorder).collect()
        }),
        recorder_statuses: kept(
            statuses,
            "DescribeConfigurationRecorderStatus",
            region,
            |out| {
                out.configuration_recorders_status()
                    .iter()
                    .map(recorder_status)
                    .collect()
            },
        ),
        delivery_channels: kept(channels, "DescribeDeliveryChannels", region, |out| {
            out.delivery_channels()
                .iter()
                .map(delivery_channel)
                .collect()
        }),
    }
}

/// The configuration aggregators of `account_id` in `region` (its AWS Config client there), all
/// pages.
pub(crate) async fn regional_aggregators(
    client: &aws_sdk_config::Client,
    account_id: &str,
    region: &str,
    limiter: &Limiter,
) -> RegionalAggregators {
    let mut pages = client
        .describe_configuration_aggregators()
        .into_paginator()
        .send();
    let aggregators = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "config",
        "DescribeConfigurationAggregators",
        Some(region),
        |page| {
            page.configuration_aggregators
                .unwrap_or_default()
                .iter()
                .map(aggregator)
                .collect::<Vec<_>>()
        },
    )
    .await;
    RegionalAggregators {
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        aggregators,
    }
}

fn aggregator(aggregator: &aws_sdk_config::types::ConfigurationAggregator) -> ConfigAggregator {
    let mut account_ids: Vec<String> = aggregator
        .account_aggregation_sources()
        .iter()
        .flat_map(|source| source.account_ids().iter().cloned())
        .collect();
    account_ids.dedup();
    ConfigAggregator {
        name: aggregator
            .configuration_aggregator_name()
            .unwrap_or_default()
            .to_owned(),
        arn: aggregator
            .configuration_aggregator_arn()
            .unwrap_or_default()
            .to_owned(),
        organization_source: aggregator.organization_aggregation_source().map(|source| {
            AggregatedRegions {
                all_aws_regions: source.all_aws_regions(),
                aws_regions: source.aws_regions().to_vec(),
            }
        }),
        account_ids,
    }
}

/// What the facts keep of one answer: its items, or the error of `action` in `region`.
fn kept<Out, E, T>(
    answer: Result<Out, SdkError<E, HttpResponse>>,
    action: &str,
    region: &str,
    items: impl FnOnce(Out) -> Vec<T>,
) -> Collected<Vec<T>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match answer {
        Ok(out) => Collected::Ok(items(out)),
        Err(err) => Collected::Error(collect_error(&err, "config", action, Some(region))),
    }
}

/// A recorder as the facts keep it. A recorder without a recording group records what AWS
/// records by default: every supported type but the global IAM ones (RecordingGroup, AWS Config
/// API reference).
fn recorder(recorder: &aws_sdk_config::types::ConfigurationRecorder) -> ConfigRecorder {
    let group = recorder.recording_group();
    let types = |types: Option<&[aws_sdk_config::types::ResourceType]>| -> Vec<String> {
        types
            .unwrap_or_default()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect()
    };
    ConfigRecorder {
        name: recorder.name().unwrap_or_default().to_owned(),
        service_principal: recorder.service_principal().map(str::to_owned),
        all_supported: group.is_none_or(|g| g.all_supported),
        include_global_resource_types: group.is_some_and(|g| g.include_global_resource_types),
        recording_strategy: group
            .and_then(|g| g.recording_strategy())
            .and_then(|s| s.use_only())
            .map(|s| s.as_str().to_owned()),
        resource_types: types(group.map(|g| g.resource_types())),
        excluded_resource_types: types(
            group
                .and_then(|g| g.exclusion_by_resource_types())
                .map(|e| e.resource_types()),
        ),
    }
}

fn recorder_status(status: &aws_sdk_config::types::ConfigurationRecorderStatus) -> RecorderStatus {
    RecorderStatus {
        name: status.name().unwrap_or_default().to_owned(),
        recording: status.recording(),
        last_status: status.last_status().map(|s| s.as_str().to_owned()),
        last_error_code: status.last_error_code().map(str::to_owned),
        last_error_message: status.last_error_message().map(str::to_owned),
    }
}

fn delivery_channel(channel: &aws_sdk_config::types::DeliveryChannel) -> DeliveryChannel {
    DeliveryChannel {
        name: channel.name().unwrap_or_default().to_owned(),
        s3_bucket_name: channel.s3_bucket_name().map(str::to_owned),
        s3_key_prefix: channel.s3_key_prefix().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_config::types::{
        ConfigurationRecorder as SdkRecorder, ExclusionByResourceTypes, RecordingGroup,
        RecordingStrategy, RecordingStrategyType, ResourceType,
    };

    #[test]
    fn a_recorder_keeps_its_strategy_and_the_types_it_names() {
        let excluding = SdkRecorder::builder()
            .name("default")
            .recording_group(
                RecordingGroup::builder()
                    .all_supported(false)
                    .recording_strategy(
                        RecordingStrategy::builder()
                            .use_only(RecordingStrategyType::ExclusionByResourceTypes)
                            .build(),
                    )
                    .exclusion_by_resource_types(
                        ExclusionByResourceTypes::builder()
                            .resource_types(ResourceType::NetworkInterface)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            recorder(&excluding),
            ConfigRecorder {
                name: "default".into(),
                service_principal: None,
                all_supported: false,
                include_global_resource_types: false,
                recording_strategy: Some("EXCLUSION_BY_RESOURCE_TYPES".into()),
                resource_types: Vec::new(),
                excluded_resource_types: vec!["AWS::EC2::NetworkInterface".into()],
            }
        );
    }

    #[test]
    fn a_recorder_without_a_recording_group_records_what_aws_records_by_default() {
        let bare = SdkRecorder::builder().name("default").build();
        let kept = recorder(&bare);
        assert!(kept.all_supported);
        assert!(!kept.include_global_resource_types);
        assert_eq!(kept.recording_strategy, None);
    }
}
