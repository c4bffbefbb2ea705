//! The sandbox's fault injection and request record, seen through posture's own clients: what the
//! scan's error handling and the benchmarks' call counts will stand on.
//!
//! Fault rules apply to every client of the shared sandbox, so each test here holds
//! [`exclusive`](crate::support::exclusive) and targets an account and action of its own.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use posture::aws::error::AwsErrorInfo;
use posture::aws::{AwsTarget, ClientFactory};
use posture::sandbox::{FaultKind, FaultRule};

use crate::support::{ClearFaults, ROLE, TEST_BUCKET_PREFIX, exclusive, fast_retry, seeded};

#[tokio::test]
async fn assume_role_is_denied_into_the_accounts_fault_injection_names() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    let denied = seeded.account_id("acme-sandbox-research");
    let allowed = seeded.account_id("acme-payments-staging");
    let before = admin.last_seq().expect("record");
    admin
        .add_fault(&FaultRule::deny_assume_role(&denied))
        .expect("add fault");

    let factory = seeded.factory().await;
    let sts = factory.sts(&seeded.member(&factory, &denied).await);
    let err = sts
        .get_caller_identity()
        .send()
        .await
        .expect_err("the role must not be assumable");
    // The provider's error reaches the call as a credentials failure that quotes STS's answer.
    let info = AwsErrorInfo::from_sdk_error(&err);
    assert!(info.detail.contains("AccessDenied"), "{}", info.detail);
    assert!(info.detail.contains(&denied), "{}", info.detail);

    let sts = factory.sts(&seeded.member(&factory, &allowed).await);
    let identity = sts.get_caller_identity().send().await.expect("allowed");
    assert_eq!(identity.account(), Some(allowed.as_str()));

    let denials: Vec<_> = admin
        .requests()
        .expect("record")
        .into_iter()
        .filter(|r| r.seq > before && r.target_account_id.as_deref() == Some(denied.as_str()))
        .collect();
    assert!(!denials.is_empty());
    assert!(
        denials
            .iter()
            .all(|r| r.status == 403 && r.fault.as_deref() == Some("deny_assume_role"))
    );
}

#[tokio::test]
async fn throttling_is_answered_n_times_then_the_call_succeeds() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    let account = seeded.account_id("acme-log-archive");
    let factory = seeded.factory().await;
    let session = "posture-it-throttle";
    let member = factory.member_config(&account, ROLE, None, session).await;
    let principal = format!("arn:aws:sts::{account}:assumed-role/{ROLE}/{session}");

    // Without retries, the first answer is IAM's real throttling error.
    admin
        .add_fault(&FaultRule {
            count: Some(1),
            ..FaultRule::on(FaultKind::Throttle, "iam", "ListUsers", &account)
        })
        .expect("add fault");
    let no_retry = ClientFactory::load(
        AwsTarget::sandbox(seeded.endpoint()).with_retry(RetryConfig::disabled()),
    )
    .await;
    let once = no_retry.member_config(&account, ROLE, None, session).await;
    let err = no_retry
        .iam(&once)
        .list_users()
        .send()
        .await
        .expect_err("throttled");
    let info = AwsErrorInfo::from_sdk_error(&err);
    assert_eq!(info.code.as_deref(), Some("Throttling"));
    assert_eq!(info.http_status, Some(400));
    assert!(info.request_id.is_some());

    // With the SDK's retries, three throttles are absorbed and the fourth attempt succeeds.
    admin
        .add_fault(&FaultRule {
            count: Some(3),
            ..FaultRule::on(FaultKind::Throttle, "iam", "ListUsers", &account)
        })
        .expect("add fault");
    factory
        .iam(&member)
        .list_users()
        .send()
        .await
        .expect("succeeds after retries");
    let statuses: Vec<(u16, Option<String>)> = admin
        .requests_by(&principal)
        .expect("record")
        .into_iter()
        .filter(|r| r.action == "ListUsers")
        .map(|r| (r.status, r.fault))
        .collect();
    let throttled = (400, Some("throttle".to_owned()));
    assert_eq!(
        statuses,
        vec![
            throttled.clone(),
            throttled.clone(),
            throttled.clone(),
            throttled,
            (200, None)
        ]
    );
}

#[tokio::test]
async fn an_error_fault_answers_500_for_the_chosen_account_only() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    let account = seeded.account_id("acme-log-archive");
    admin
        .add_fault(&FaultRule {
            status: Some(500),
            ..FaultRule::on(FaultKind::Error, "iam", "ListRoles", &account)
        })
        .expect("add fault");
    let factory =
        ClientFactory::load(AwsTarget::sandbox(seeded.endpoint()).with_retry(fast_retry(2))).await;
    let err = factory
        .iam(&seeded.member(&factory, &account).await)
        .list_roles()
        .send()
        .await
        .expect_err("500 on every attempt");
    let info = AwsErrorInfo::from_sdk_error(&err);
    assert_eq!(info.http_status, Some(500));
    assert_eq!(info.code.as_deref(), Some("ServiceFailure"));

    let other = seeded.account_id("acme-payments-staging");
    factory
        .iam(&seeded.member(&factory, &other).await)
        .list_roles()
        .send()
        .await
        .expect("another account is not affected");
}

#[tokio::test]
async fn a_deny_fault_after_n_lets_n_calls_through_then_denies_without_retries() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    let account = seeded.account_id("acme-log-archive");
    admin
        .add_fault(&FaultRule {
            after: Some(2),
            ..FaultRule::on(FaultKind::Deny, "iam", "ListGroups", &account)
        })
        .expect("add fault");
    let factory = seeded.factory().await;
    let session = "posture-it-deny-after";
    let member = factory.member_config(&account, ROLE, None, session).await;
    let principal = format!("arn:aws:sts::{account}:assumed-role/{ROLE}/{session}");
    let iam = factory.iam(&member);
    iam.list_groups()
        .send()
        .await
        .expect("the first call passes");
    iam.list_groups()
        .send()
        .await
        .expect("the second call passes");
    let err = iam
        .list_groups()
        .send()
        .await
        .expect_err("the third call is denied");
    let info = AwsErrorInfo::from_sdk_error(&err);
    assert_eq!(info.code.as_deref(), Some("AccessDenied"));
    assert_eq!(info.http_status, Some(403));
    let statuses: Vec<(u16, Option<String>)> = admin
        .requests_by(&principal)
        .expect("record")
        .into_iter()
        .filter(|r| r.action == "ListGroups")
        .map(|r| (r.status, r.fault))
        .collect();
    // Denied once and not retried: a denial is final.
    assert_eq!(
        statuses,
        vec![(200, None), (200, None), (403, Some("deny".to_owned()))]
    );
}

#[tokio::test]
async fn a_latency_fault_delays_each_matching_call() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    let factory = seeded.factory().await;
    let sts = factory.sts(factory.base());
    admin
        .add_fault(&FaultRule {
            count: Some(2),
            ms: Some(300),
            ..FaultRule::on(
                FaultKind::Latency,
                "sts",
                "GetCallerIdentity",
                &seeded.management_account_id(),
            )
        })
        .expect("add fault");
    let started = Instant::now();
    sts.get_caller_identity().send().await.expect("first");
    sts.get_caller_identity().send().await.expect("second");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "two delayed calls took only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_request_record_counts_every_call_by_service_action_account_and_region() {
    let seeded = seeded();
    let admin = seeded.admin();
    let account = seeded.account_id("acme-payments-staging");
    let factory = seeded.factory().await;
    let session = "posture-it-record";
    let member = factory.member_config(&account, ROLE, None, session).await;
    let principal = format!("arn:aws:sts::{account}:assumed-role/{ROLE}/{session}");
    let iam = factory.iam(&member);
    for _ in 0..3 {
        iam.list_users().send().await.expect("users");
    }
    let eu = aws_config::Region::new("eu-west-1");
    factory
        .cloudtrail(&member, &eu)
        .describe_trails()
        .send()
        .await
        .expect("trails");

    let record = admin.requests_by(&principal).expect("record");
    let calls: Vec<(&str, &str, &str, &str, u16)> = record
        .iter()
        .map(|r| {
            (
                r.service.as_str(),
                r.action.as_str(),
                r.account_id.as_str(),
                r.region.as_str(),
                r.status,
            )
        })
        .collect();
    let list_users = ("iam", "ListUsers", account.as_str(), "us-east-1", 200);
    assert_eq!(
        calls,
        vec![
            list_users,
            list_users,
            list_users,
            (
                "cloudtrail",
                "DescribeTrails",
                account.as_str(),
                "eu-west-1",
                200
            )
        ]
    );
}

#[tokio::test]
async fn a_restjson_service_is_throttled_with_its_own_error_code_and_status() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let _clear = ClearFaults(&admin);
    admin
        .add_fault(&FaultRule {
            count: Some(1),
            ..FaultRule::on(
                FaultKind::Throttle,
                "securityhub",
                "ListOrganizationAdminAccounts",
                &seeded.management_account_id(),
            )
        })
        .expect("add fault");
    let factory = ClientFactory::load(
        AwsTarget::sandbox(seeded.endpoint()).with_retry(RetryConfig::disabled()),
    )
    .await;
    let err = factory
        .securityhub(factory.base(), &aws_config::Region::new("us-east-1"))
        .list_organization_admin_accounts()
        .send()
        .await
        .expect_err("throttled");
    let info = AwsErrorInfo::from_sdk_error(&err);
    assert_eq!(info.code.as_deref(), Some("ThrottlingException"));
    assert_eq!(info.http_status, Some(429));
}

#[tokio::test]
async fn assume_role_into_a_suspended_account_is_denied_as_on_aws() {
    let seeded = seeded();
    let suspended = seeded
        .accounts()
        .iter()
        .find(|a| a["status"] == "SUSPENDED")
        .expect("a suspended account")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let factory = seeded.factory().await;
    let err = factory
        .sts(&seeded.member(&factory, &suspended).await)
        .get_caller_identity()
        .send()
        .await
        .expect_err("AWS refuses to assume a role in a suspended account");
    assert!(
        AwsErrorInfo::from_sdk_error(&err)
            .detail
            .contains("AccessDenied"),
        "{err:?}"
    );
}

#[tokio::test]
async fn security_hub_keeps_standards_per_region_as_aws_answers_them() {
    // A sandbox of its own: enabling and disabling Security Hub would change the seeded
    // organization the other tests compare with. Unseeded, every call acts in one account.
    let guard = posture::sandbox::SandboxGuard::start(
        posture::sandbox::Sandbox::locate()
            .with_state_dir(crate::support::state_dir("it-securityhub")),
    )
    .expect("start");
    let factory = ClientFactory::load(
        AwsTarget::sandbox(guard.endpoint()).with_retry(RetryConfig::disabled()),
    )
    .await;
    let us = factory.securityhub(factory.base(), &aws_config::Region::new("us-east-1"));
    let eu = factory.securityhub(factory.base(), &aws_config::Region::new("eu-west-1"));
    let account = factory
        .sts(factory.base())
        .get_caller_identity()
        .send()
        .await
        .expect("identity")
        .account()
        .expect("account")
        .to_owned();
    async fn standards(client: &aws_sdk_securityhub::Client) -> Vec<(String, String, String)> {
        // One subscription per page, so that paging is exercised too.
        let mut pages = client
            .get_enabled_standards()
            .max_results(1)
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for s in page.expect("standards").standards_subscriptions() {
                found.push((
                    s.standards_arn().expect("arn").to_owned(),
                    s.standards_subscription_arn()
                        .expect("subscription")
                        .to_owned(),
                    s.standards_status().expect("status").as_str().to_owned(),
                ));
            }
        }
        found
    }
    let not_subscribed = |err: &dyn std::fmt::Debug, info: AwsErrorInfo| {
        assert_eq!(
            (info.code.as_deref(), info.http_status),
            (Some("InvalidAccessException"), Some(401)),
            "{err:?}"
        );
    };

    // Before the hub is enabled, its standards cannot be read, as on AWS.
    let err = us
        .get_enabled_standards()
        .send()
        .await
        .expect_err("not subscribed");
    not_subscribed(&err, AwsErrorInfo::from_sdk_error(&err));

    // EnableSecurityHub enables the default standards unless told not to.
    us.enable_security_hub()
        .send()
        .await
        .expect("enable in us-east-1");
    let fsbp =
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";
    let cis_1_2 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0";
    let owned = |t: (&str, String, &str)| (t.0.to_owned(), t.1, t.2.to_owned());
    assert_eq!(
        standards(&us).await,
        [
            owned((
                fsbp,
                format!(
                    "arn:aws:securityhub:us-east-1:{account}:subscription/aws-foundational-security-best-practices/v/1.0.0"
                ),
                "READY"
            )),
            owned((
                cis_1_2,
                format!(
                    "arn:aws:securityhub:us-east-1:{account}:subscription/cis-aws-foundations-benchmark/v/1.2.0"
                ),
                "READY"
            )),
        ]
    );
    eu.enable_security_hub()
        .enable_default_standards(false)
        .send()
        .await
        .expect("enable in eu-west-1");
    assert_eq!(standards(&eu).await, []);

    // BatchEnableStandards answers PENDING; the standard is READY at the next read, in its
    // Region only.
    let cis_5 = "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0";
    let enabled = eu
        .batch_enable_standards()
        .standards_subscription_requests(
            aws_sdk_securityhub::types::StandardsSubscriptionRequest::builder()
                .standards_arn(cis_5)
                .build(),
        )
        .send()
        .await
        .expect("batch enable");
    let answered: Vec<&str> = enabled
        .standards_subscriptions()
        .iter()
        .map(|s| s.standards_status().expect("status").as_str())
        .collect();
    assert_eq!(answered, ["PENDING"]);
    let eu_standards = standards(&eu).await;
    assert_eq!(eu_standards.len(), 1);
    assert_eq!(
        (eu_standards[0].0.as_str(), eu_standards[0].2.as_str()),
        (cis_5, "READY")
    );
    assert_eq!(standards(&us).await.len(), 2);

    // A standard of another Region, or none AWS offers, is refused.
    for wrong in [
        fsbp,
        "arn:aws:securityhub:eu-west-1::standards/no-such-standard/v/1.0.0",
    ] {
        let err = eu
            .batch_enable_standards()
            .standards_subscription_requests(
                aws_sdk_securityhub::types::StandardsSubscriptionRequest::builder()
                    .standards_arn(wrong)
                    .build(),
            )
            .send()
            .await
            .expect_err("refused");
        let info = AwsErrorInfo::from_sdk_error(&err);
        assert_eq!(
            (info.code.as_deref(), info.http_status),
            (Some("InvalidInputException"), Some(400)),
            "{wrong}"
        );
    }

    // Disabling the hub ends its subscriptions: enabled again without defaults, it has none.
    us.disable_security_hub().send().await.expect("disable");
    let err = us.describe_hub().send().await.expect_err("not subscribed");
    not_subscribed(&err, AwsErrorInfo::from_sdk_error(&err));
    us.enable_security_hub()
        .enable_default_standards(false)
        .send()
        .await
        .expect("enable again");
    assert_eq!(standards(&us).await, []);
}

#[tokio::test]
async fn s3_operations_sharing_a_method_and_path_are_recorded_under_their_own_names() {
    let seeded = seeded();
    let admin = seeded.admin();
    let account = seeded.account_id("acme-payments-staging");
    let factory = seeded.factory().await;
    let session = "posture-it-s3-names";
    let member = factory.member_config(&account, ROLE, None, session).await;
    let principal = format!("arn:aws:sts::{account}:assumed-role/{ROLE}/{session}");
    let s3 = factory.s3(&member, &aws_config::Region::new("us-east-1"));
    let bucket = format!("{TEST_BUCKET_PREFIX}s3-names");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    s3.put_object()
        .bucket(&bucket)
        .key("a.txt")
        .body(b"a".to_vec().into())
        .send()
        .await
        .expect("put");
    s3.copy_object()
        .bucket(&bucket)
        .key("b.txt")
        .copy_source(format!("{bucket}/a.txt"))
        .send()
        .await
        .expect("copy");
    let upload = s3
        .create_multipart_upload()
        .bucket(&bucket)
        .key("c.bin")
        .send()
        .await
        .expect("create upload");
    let upload_id = upload.upload_id().expect("upload id");
    s3.upload_part()
        .bucket(&bucket)
        .key("c.bin")
        .upload_id(upload_id)
        .part_number(1)
        .body(vec![0u8; 1024].into())
        .send()
        .await
        .expect("part");
    s3.abort_multipart_upload()
        .bucket(&bucket)
        .key("c.bin")
        .upload_id(upload_id)
        .send()
        .await
        .expect("abort");
    s3.delete_object()
        .bucket(&bucket)
        .key("b.txt")
        .send()
        .await
        .expect("delete");

    let actions: Vec<String> = admin
        .requests_by(&principal)
        .expect("record")
        .into_iter()
        .filter(|r| r.service == "s3")
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        [
            "CreateBucket",
            "PutObject",
            "CopyObject",
            "CreateMultipartUpload",
            "UploadPart",
            "AbortMultipartUpload",
            "DeleteObject"
        ]
    );
}

#[tokio::test]
async fn a_config_recorder_reports_aws_last_status_once_started_and_keeps_it_when_stopped() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    // Every described recorder with a delivery channel was started (and some stopped again); one
    // without a channel never was.
    let mut seen = std::collections::BTreeSet::new();
    for name in ["acme-payments-prod", "acme-web-prod"] {
        let account_id = seeded.account_id(name);
        let member = seeded.member(&factory, &account_id).await;
        for config in seeded.account(name)["config"].as_array().expect("config") {
            let region = config["region"].as_str().expect("region");
            let recorder = &config["recorder"];
            assert!(recorder.is_object(), "{name} in {region}");
            let started = config["delivery_channel"].is_object();
            let status = factory
                .configservice(&member, &aws_config::Region::new(region.to_owned()))
                .describe_configuration_recorder_status()
                .send()
                .await
                .expect("status");
            let statuses = status.configuration_recorders_status();
            assert_eq!(statuses.len(), 1, "{name} in {region}");
            assert_eq!(
                statuses[0].recording(),
                recorder["recording"] == true,
                "{name} in {region}"
            );
            let want = started.then_some(&aws_sdk_config::types::RecorderStatus::Success);
            assert_eq!(statuses[0].last_status(), want, "{name} in {region}");
            seen.insert((started, statuses[0].recording()));
        }
    }
    // Recording, stopped after recording, and never started.
    assert_eq!(seen.len(), 3, "{seen:?}");
}
