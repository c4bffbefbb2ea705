//! Security Hub facts: whether the account has enabled Security Hub in one Region, and which
//! security standards it has enabled there; and, in the administrator's account, the
//! organization's central configuration.
//!
//! One `DescribeHub` per Region. Its `InvalidAccessException` is the answer "this account is not
//! subscribed to Security Hub here" (the API reference's meaning, and what every other error is
//! not), so it is kept as a fact, not as an error. Only an enabled hub has standards to read:
//! `GetEnabledStandards`, every page.

use aws_sdk_securityhub::operation::describe_hub::DescribeHubError;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    CollectError, Collected, ConfigurationPolicy, EnabledStandard, PolicyAssociation, SecurityHub,
    SecurityHubAdminView, SecurityHubFacts,
};

/// Security Hub in `region` for the account of `client` (its Security Hub client there).
pub(crate) async fn in_region(
    client: &aws_sdk_securityhub::Client,
    region: &str,
    limiter: &Limiter,
) -> SecurityHubFacts {
    let hub = match limiter.call(client.describe_hub().send()).await {
        Ok(hub) => Collected::Ok(SecurityHub::Enabled {
            hub_arn: hub.hub_arn().unwrap_or_default().to_owned(),
            subscribed_at: hub.subscribed_at().map(str::to_owned),
            standards: enabled_standards(client, region, limiter).await,
        }),
        Err(err) => match err.as_service_error() {
            Some(DescribeHubError::InvalidAccessException(not_subscribed)) => {
                Collected::Ok(SecurityHub::NotEnabled {
                    message: not_subscribed
                        .message()
                        .unwrap_or("InvalidAccessException")
                        .to_owned(),
                })
            }
            _ => Collected::Error(collect_error(
                &err,
                "securityhub",
                "DescribeHub",
                Some(region),
            )),
        },
    };
    SecurityHubFacts { hub }
}

async fn enabled_standards(
    client: &aws_sdk_securityhub::Client,
    region: &str,
    limiter: &Limiter,
) -> Collected<Vec<EnabledStandard>> {
    let mut pages = client.get_enabled_standards().into_paginator().send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "securityhub",
        "GetEnabledStandards",
        Some(region),
        |page| {
            page.standards_subscriptions
                .unwrap_or_default()
                .into_iter()
                .map(|s| EnabledStandard {
                    standards_arn: s.standards_arn.unwrap_or_default(),
                    status: s
                        .standards_status
                        .map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned()),
                    status_reason: s
                        .standards_status_reason
                        .and_then(|r| r.status_reason_code)
                        .map(|code| code.as_str().to_owned()),
                })
        },
    )
    .await
}

/// Security Hub's organization configuration as the administrator whose clients are `client_in`
/// sees it: `DescribeOrganizationConfiguration` in the first of `regions`; under central
/// configuration, the policies and their associations in the home Region, the first of `regions`
/// whose `ListConfigurationPolicies` answers (AWS answers it there only). The first read that
/// fails makes the whole view its error.
pub(crate) async fn admin_view(
    client_in: &(dyn Fn(&str) -> aws_sdk_securityhub::Client + Sync),
    regions: &[String],
    limiter: &Limiter,
) -> Collected<SecurityHubAdminView> {
    match read_admin_view(client_in, regions, limiter).await {
        Ok(view) => Collected::Ok(view),
        Err(err) => Collected::Error(*err),
    }
}

/// The view, or the first read's error (boxed: it is large, and the happy path carries none).
async fn read_admin_view(
    client_in: &(dyn Fn(&str) -> aws_sdk_securityhub::Client + Sync),
    regions: &[String],
    limiter: &Limiter,
) -> Result<SecurityHubAdminView, Box<CollectError>> {
    let first = regions.first().map_or("us-east-1", String::as_str);
    let client = client_in(first);
    let configuration = limiter
        .call(client.describe_organization_configuration().send())
        .await
        .map_err(|err| {
            Box::new(collect_error(
                &err,
                "securityhub",
                "DescribeOrganizationConfiguration",
                Some(first),
            ))
        })?;
    let organization = configuration.organization_configuration();
    let mut view = SecurityHubAdminView {
        region: first.to_owned(),
        configuration_type: organization
            .and_then(|o| o.configuration_type())
            .map(|t| t.as_str().to_owned()),
        status: organization
            .and_then(|o| o.status())
            .map(|s| s.as_str().to_owned()),
        home_region: None,
        policies: Vec::new(),
        associations: Vec::new(),
    };
    if view.configuration_type.as_deref() != Some("CENTRAL") {
        return Ok(view);
    }
    let mut first_error = None;
    for region in regions {
        let client = client_in(region);
        let mut pages = client.list_configuration_policies().into_paginator().send();
        let listed = all_items(
            |cx| pages.poll_next(cx),
            Some(limiter),
            "securityhub",
            "ListConfigurationPolicies",
            Some(region),
            |page| {
                let summaries = page.configuration_policy_summaries.unwrap_or_default();
                summaries.into_iter().filter_map(|p| p.id)
            },
        )
        .await;
        let ids = match listed {
            Collected::Ok(ids) => ids,
            Collected::Error(err) => {
                first_error.get_or_insert(err);
                continue;
            }
        };
        let policies = futures::future::join_all(ids.iter().map(|id| {
            let client = &client;
            async move {
                limiter
                    .call(client.get_configuration_policy().identifier(id).send())
                    .await
                    .map(|answer| {
                        let hub = answer
                            .configuration_policy()
                            .and_then(|p| p.as_security_hub().ok());
                        ConfigurationPolicy {
                            id: answer.id().unwrap_or(id).to_owned(),
                            name: answer.name().unwrap_or_default().to_owned(),
                            service_enabled: hub.and_then(|h| h.service_enabled()).unwrap_or(false),
                            standards: hub
                                .map(|h| h.enabled_standard_identifiers().to_vec())
                                .unwrap_or_default(),
                        }
                    })
                    .map_err(|err| {
                        Box::new(collect_error(
                            &err,
                            "securityhub",
                            "GetConfigurationPolicy",
                            Some(region),
                        ))
                    })
            }
        }))
        .await;
        view.policies = policies.into_iter().collect::<Result<_, _>>()?;
        let mut pages = client
            .list_configuration_policy_associations()
            .into_paginator()
            .send();
        let associations = all_items(
            |cx| pages.poll_next(cx),
            Some(limiter),
            "securityhub",
            "ListConfigurationPolicyAssociations",
            Some(region),
            |page| {
                let summaries = page
                    .configuration_policy_association_summaries
                    .unwrap_or_default();
                summaries.into_iter().map(|a| PolicyAssociation {
                    target_id: a.target_id().unwrap_or_default().to_owned(),
                    target_type: a
                        .target_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    policy_id: a.configuration_policy_id().unwrap_or_default().to_owned(),
                    association_type: a
                        .association_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    status: a
                        .association_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    status_message: a.association_status_message().map(str::to_owned),
                })
            },
        )
        .await;
        view.associations = match associations {
            Collected::Ok(associations) => associations,
            Collected::Error(err) => return Err(Box::new(err)),
        };
        view.home_region = Some(region.clone());
        return Ok(view);
    }
    Err(Box::new(first_error.unwrap_or_else(|| CollectError {
        service: "securityhub".into(),
        action: "ListConfigurationPolicies".into(),
        region: None,
        code: None,
        message: "no Region was scanned, so the configuration policies were not read".into(),
        request_id: None,
        http_status: None,
    })))
}

#[cfg(test)]
mod tests {
    use aws_sdk_securityhub::operation::describe_hub::DescribeHubOutput;
    use aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsOutput;
    use aws_sdk_securityhub::types::error::InvalidAccessException;
    use aws_sdk_securityhub::types::{
        StandardsStatus, StandardsStatusReason, StandardsSubscription, StatusReasonCode,
    };
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    const REGION: &str = "eu-west-1";

    fn subscription(arn: &str, status: StandardsStatus) -> StandardsSubscription {
        StandardsSubscription::builder()
            .standards_arn(arn)
            .standards_status(status)
            .build()
    }

    #[tokio::test]
    async fn an_enabled_hub_has_its_standards_from_every_page() {
        let hub = mock!(aws_sdk_securityhub::Client::describe_hub).then_output(|| {
            DescribeHubOutput::builder()
                .hub_arn("arn:aws:securityhub:eu-west-1:111122223333:hub/default")
                .subscribed_at("2025-01-01T00:00:00.000Z")
                .build()
        });
        let first = mock!(aws_sdk_securityhub::Client::get_enabled_standards)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                GetEnabledStandardsOutput::builder()
                    .standards_subscriptions(subscription("arn:fsbp", StandardsStatus::Ready))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(aws_sdk_securityhub::Client::get_enabled_standards)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                GetEnabledStandardsOutput::builder()
                    .standards_subscriptions(
                        StandardsSubscription::builder()
                            .standards_arn("arn:cis")
                            .standards_status(StandardsStatus::Incomplete)
                            .standards_status_reason(
                                StandardsStatusReason::builder()
                                    .status_reason_code(
                                        StatusReasonCode::NoAvailableConfigurationRecorder,
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(
            aws_sdk_securityhub,
            RuleMode::MatchAny,
            [&hub, &first, &second]
        );
        let regional = in_region(&client, REGION, &Limiter::new(2)).await;
        assert_eq!(
            regional.hub,
            Collected::Ok(SecurityHub::Enabled {
                hub_arn: "arn:aws:securityhub:eu-west-1:111122223333:hub/default".to_owned(),
                subscribed_at: Some("2025-01-01T00:00:00.000Z".to_owned()),
                standards: Collected::Ok(vec![
                    EnabledStandard {
                        standards_arn: "arn:fsbp".to_owned(),
                        status: "READY".to_owned(),
                        status_reason: None,
                    },
                    EnabledStandard {
                        standards_arn: "arn:cis".to_owned(),
                        status: "INCOMPLETE".to_owned(),
                        status_reason: Some("NO_AVAILABLE_CONFIGURATION_RECORDER".to_owned()),
                    },
                ]),
            })
        );
        assert_eq!(first.num_calls() + second.num_calls(), 2);
    }

    #[tokio::test]
    async fn invalid_access_means_not_enabled_and_nothing_more_is_read() {
        let hub = mock!(aws_sdk_securityhub::Client::describe_hub).then_error(|| {
            DescribeHubError::InvalidAccessException(
                InvalidAccessException::builder()
                    .message("Account 111122223333 is not subscribed to AWS Security Hub")
                    .build(),
            )
        });
        let standards = mock!(aws_sdk_securityhub::Client::get_enabled_standards)
            .then_output(|| GetEnabledStandardsOutput::builder().build());
        let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&hub, &standards]);
        let regional = in_region(&client, REGION, &Limiter::new(1)).await;
        assert_eq!(
            regional.hub,
            Collected::Ok(SecurityHub::NotEnabled {
                message: "Account 111122223333 is not subscribed to AWS Security Hub".to_owned()
            })
        );
        assert_eq!(standards.num_calls(), 0);
    }

    #[tokio::test]
    async fn access_denied_is_an_error_not_a_hub_that_is_off() {
        // DescribeHub models no AccessDeniedException: IAM's denial arrives as an unmodelled error.
        let hub = mock!(aws_sdk_securityhub::Client::describe_hub).then_error(|| {
            DescribeHubError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: securityhub:DescribeHub")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_securityhub, [&hub]);
        let regional = in_region(&client, REGION, &Limiter::new(1)).await;
        let err = regional.hub.as_result().expect_err("an error");
        assert_eq!(
            (
                err.service.as_str(),
                err.action.as_str(),
                err.region.as_deref(),
                err.code.as_deref()
            ),
            (
                "securityhub",
                "DescribeHub",
                Some(REGION),
                Some("AccessDeniedException")
            )
        );
    }
}
