//! IAM Access Analyzer facts: the external-access analyzers of one account in one Region, each
//! with its ACTIVE findings.
//!
//! One `ListAnalyzers` per Region (without a type filter, which would cost a call per type), keeping
//! the external-access types `ACCOUNT` and `ORGANIZATION`; then `ListFindings` with `status =
//! ACTIVE` for each ACTIVE analyzer, all pages. An organization analyzer's list holds every
//! member's findings: it is read once, in the account that owns it, never per member.

use std::collections::BTreeMap;

use aws_sdk_accessanalyzer::types::{
    AnalyzerStatus, AnalyzerSummary, Criterion, FindingSummary, Type,
};
use aws_smithy_types::date_time::Format;
use futures::future::join_all;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::facts::{AccessFinding, Analyzer, AnalyzerFacts, Collected};

/// The analyzers of `account_id` in `region` with their active findings, read with `client` (the
/// account's Access Analyzer client in that Region).
pub(crate) async fn in_region(
    client: &aws_sdk_accessanalyzer::Client,
    account_id: &str,
    region: &str,
    limiter: &Limiter,
) -> AnalyzerFacts {
    let mut pages = client.list_analyzers().into_paginator().send();
    let summaries = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "access-analyzer",
        "ListAnalyzers",
        Some(region),
        |page| {
            page.analyzers
                .into_iter()
                .filter(|a| matches!(a.r#type, Type::Account | Type::Organization))
        },
    )
    .await;
    let analyzers = match summaries {
        Collected::Ok(summaries) => Collected::Ok(
            join_all(
                summaries
                    .into_iter()
                    .map(|summary| analyzer(client, summary, region, limiter)),
            )
            .await,
        ),
        Collected::Error(err) => Collected::Error(err),
    };
    AnalyzerFacts {
        account_id: account_id.to_owned(),
        analyzers,
    }
}

/// One analyzer; its findings are read only when it is ACTIVE (an analyzer that is not does not
/// cover anything, and its findings are not current).
async fn analyzer(
    client: &aws_sdk_accessanalyzer::Client,
    summary: AnalyzerSummary,
    region: &str,
    limiter: &Limiter,
) -> Analyzer {
    let active_findings = if summary.status == AnalyzerStatus::Active {
        active_findings(client, &summary.arn, region, limiter).await
    } else {
        Collected::Ok(Vec::new())
    };
    Analyzer {
        analyzer_type: summary.r#type.as_str().to_owned(),
        status: summary.status.as_str().to_owned(),
        managed_by: summary.managed_by,
        arn: summary.arn,
        name: summary.name,
        active_findings,
    }
}

/// Every ACTIVE finding of the analyzer `arn`, all pages.
async fn active_findings(
    client: &aws_sdk_accessanalyzer::Client,
    arn: &str,
    region: &str,
    limiter: &Limiter,
) -> Collected<Vec<AccessFinding>> {
    let mut pages = client
        .list_findings()
        .analyzer_arn(arn)
        .filter("status", Criterion::builder().eq("ACTIVE").build())
        .into_paginator()
        .send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "access-analyzer",
        "ListFindings",
        Some(region),
        |page| page.findings.into_iter().map(access_finding),
    )
    .await
}

fn access_finding(finding: FindingSummary) -> AccessFinding {
    AccessFinding {
        id: finding.id,
        resource: finding.resource.unwrap_or_default(),
        resource_type: finding.resource_type.as_str().to_owned(),
        resource_owner_account: finding.resource_owner_account,
        principal: finding.principal.unwrap_or_default().into_iter().collect(),
        actions: finding.action.unwrap_or_default(),
        condition: finding.condition.into_iter().collect::<BTreeMap<_, _>>(),
        is_public: finding.is_public.unwrap_or(false),
        created_at: finding.created_at.fmt(Format::DateTime).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
    use aws_sdk_accessanalyzer::operation::list_findings::ListFindingsOutput;
    use aws_sdk_accessanalyzer::types::{FindingStatus, ResourceType};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::DateTime;
    use aws_smithy_types::body::SdkBody;

    fn summary(name: &str, kind: Type, status: AnalyzerStatus) -> AnalyzerSummary {
        AnalyzerSummary::builder()
            .arn(format!(
                "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/{name}"
            ))
            .name(name)
            .r#type(kind)
            .created_at(DateTime::from_secs(0))
            .status(status)
            .build()
            .expect("summary")
    }

    fn finding(id: &str) -> FindingSummary {
        FindingSummary::builder()
            .id(id)
            .resource(format!("arn:aws:s3:::{id}"))
            .resource_type(ResourceType::AwsS3Bucket)
            .resource_owner_account("111122223333")
            .principal("AWS", "*")
            .action("s3:GetObject")
            .set_condition(Some(Default::default()))
            .is_public(true)
            .created_at(DateTime::from_secs(1_767_225_600))
            .analyzed_at(DateTime::from_secs(0))
            .updated_at(DateTime::from_secs(0))
            .status(FindingStatus::Active)
            .build()
            .expect("finding")
    }

    #[tokio::test]
    async fn keeps_external_access_analyzers_and_pages_through_active_findings() {
        let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(|| {
            ListAnalyzersOutput::builder()
                .analyzers(summary("account", Type::Account, AnalyzerStatus::Active))
                .analyzers(summary(
                    "unused",
                    Type::AccountUnusedAccess,
                    AnalyzerStatus::Active,
                ))
                .analyzers(summary(
                    "creating",
                    Type::Organization,
                    AnalyzerStatus::Creating,
                ))
                .build()
                .expect("output")
        });
        let findings = mock!(aws_sdk_accessanalyzer::Client::list_findings)
            .match_requests(|req| {
                req.filter()
                    .and_then(|f| f.get("status"))
                    .is_some_and(|c| c.eq() == ["ACTIVE"])
            })
            .sequence()
            .output(|| {
                ListFindingsOutput::builder()
                    .findings(finding("one"))
                    .next_token("page-2")
                    .build()
                    .expect("page")
            })
            .output(|| {
                ListFindingsOutput::builder()
                    .findings(finding("two"))
                    .build()
                    .expect("page")
            })
            .build();
        let client = mock_client!(
            aws_sdk_accessanalyzer,
            RuleMode::MatchAny,
            [&list, &findings]
        );

        let regional = in_region(&client, "111122223333", "us-east-1", &Limiter::new(2)).await;
        let analyzers = regional.analyzers.as_result().expect("analyzers");
        let names: Vec<&str> = analyzers.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["account", "creating"]);
        let active = analyzers[0].active_findings.as_result().expect("findings");
        let ids: Vec<&str> = active.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["one", "two"]);
        assert_eq!(active[0].resource_type, "AWS::S3::Bucket");
        assert_eq!(
            active[0].principal.get("AWS").map(String::as_str),
            Some("*")
        );
        assert!(active[0].is_public);
        assert_eq!(
            active[0].created_at.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        // The analyzer that is not ACTIVE: listed, findings not read.
        assert_eq!(analyzers[1].status, "CREATING");
        assert_eq!(list.num_calls(), 1);
        assert_eq!(findings.num_calls(), 2);
    }

    #[tokio::test]
    async fn access_denied_on_list_findings_is_kept_on_that_analyzer() {
        let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(|| {
            ListAnalyzersOutput::builder()
                .analyzers(summary("account", Type::Account, AnalyzerStatus::Active))
                .build()
                .expect("output")
        });
        // The wire answer, so that the code and request id come the way AWS sends them.
        let findings =
            mock!(aws_sdk_accessanalyzer::Client::list_findings).then_http_response(|| {
                let mut response = Response::new(
                    StatusCode::try_from(403).expect("status"),
                    SdkBody::from(
                        r#"{"message":"not authorized to perform: access-analyzer:ListFindings"}"#,
                    ),
                );
                response
                    .headers_mut()
                    .insert("x-amzn-errortype", "AccessDeniedException");
                response.headers_mut().insert("x-amzn-requestid", "req-1");
                response
            });
        let client = mock_client!(
            aws_sdk_accessanalyzer,
            RuleMode::MatchAny,
            [&list, &findings]
        );

        let regional = in_region(&client, "111122223333", "eu-west-1", &Limiter::new(2)).await;
        let analyzers = regional.analyzers.as_result().expect("listing succeeded");
        let err = analyzers[0]
            .active_findings
            .as_result()
            .expect_err("findings denied");
        assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(
            (
                err.service.as_str(),
                err.action.as_str(),
                err.region.as_deref()
            ),
            ("access-analyzer", "ListFindings", Some("eu-west-1"))
        );
        assert!(err.message.contains("access-analyzer:ListFindings"));
        assert_eq!(
            (err.request_id.as_deref(), err.http_status),
            (Some("req-1"), Some(403))
        );
    }

    #[tokio::test]
    async fn a_failed_listing_is_the_regions_error() {
        let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_http_response(|| {
            let mut response = Response::new(
                StatusCode::try_from(400).expect("status"),
                SdkBody::from(r#"{"message":"bad input"}"#),
            );
            response
                .headers_mut()
                .insert("x-amzn-errortype", "ValidationException");
            response
        });
        let client = mock_client!(aws_sdk_accessanalyzer, RuleMode::MatchAny, [&list]);
        let regional = in_region(&client, "111122223333", "us-east-1", &Limiter::new(1)).await;
        let err = regional.analyzers.as_result().expect_err("listing failed");
        assert_eq!(err.action, "ListAnalyzers");
        assert_eq!(err.code.as_deref(), Some("ValidationException"));
        assert_eq!(err.http_status, Some(400));
    }
}
