//! S3 facts: the names of the general purpose buckets the account owns, so that a trail's bucket
//! can be told apart as the account's own or another's; and, in the account that owns an
//! organization trail's bucket, what protects the logs in it.
//!
//! `ListBuckets` lists the buckets of the caller's account in every Region. Its pages are asked
//! for explicitly (`MaxBuckets`): AWS refuses the unpaginated form in accounts whose bucket quota
//! was raised above 10,000 (S3 user guide, "General purpose bucket quotas").

use aws_config::Region;
use aws_sdk_s3::error::ProvideErrorMetadata;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{Collected, LogBucket, ObjectLock};

/// The most buckets a `ListBuckets` page may hold.
const PAGE_SIZE: i32 = 10_000;

/// The names of the buckets the account of `client` owns.
pub(crate) async fn bucket_names(
    client: &aws_sdk_s3::Client,
    limiter: &Limiter,
) -> Collected<Vec<String>> {
    let mut pages = client
        .list_buckets()
        .max_buckets(PAGE_SIZE)
        .into_paginator()
        .send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "s3",
        "ListBuckets",
        None,
        |page| {
            page.buckets
                .unwrap_or_default()
                .into_iter()
                .filter_map(|bucket| bucket.name)
        },
    )
    .await
}

/// How `bucket` is protected, read by its owner: its Region (`GetBucketLocation`), then its
/// policy and Object Lock configuration there. Both of those are answered to the bucket owner
/// only, which is why they are read in the owner's account and nowhere else.
pub(crate) async fn log_bucket(
    clients: &crate::aws::AccountClients,
    bucket: &str,
    limiter: &Limiter,
) -> LogBucket {
    let global = clients.global_region();
    let location = limiter
        .call(clients.s3().get_bucket_location().bucket(bucket).send())
        .await;
    let region = match location {
        // An empty constraint is us-east-1 (S3 API reference, GetBucketLocation).
        Ok(answer) => Collected::Ok(
            answer
                .location_constraint()
                .map(|c| c.as_str().to_owned())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "us-east-1".to_owned()),
        ),
        Err(err) => Collected::Error(collect_error(
            &err,
            "s3",
            "GetBucketLocation",
            Some(global.as_ref()),
        )),
    };
    let (policy, object_lock) = match &region {
        Collected::Error(err) => (Collected::Error(err.clone()), Collected::Error(err.clone())),
        Collected::Ok(region) => {
            let client = clients.s3_in(&Region::new(region.clone()));
            let (policy, lock) = futures::join!(
                limiter.call(client.get_bucket_policy().bucket(bucket).send()),
                limiter.call(client.get_object_lock_configuration().bucket(bucket).send()),
            );
            let policy = match policy {
                Ok(answer) => Collected::Ok(answer.policy),
                Err(err) if error_code(&err) == Some("NoSuchBucketPolicy") => Collected::Ok(None),
                Err(err) => {
                    Collected::Error(collect_error(&err, "s3", "GetBucketPolicy", Some(region)))
                }
            };
            let object_lock = match lock {
                Ok(answer) => Collected::Ok(answer.object_lock_configuration.map(|config| {
                    let retention = config.rule.and_then(|rule| rule.default_retention);
                    ObjectLock {
                        enabled: config
                            .object_lock_enabled
                            .is_some_and(|e| e.as_str() == "Enabled"),
                        mode: retention
                            .as_ref()
                            .and_then(|r| r.mode.as_ref())
                            .map(|m| m.as_str().to_owned()),
                        days: retention.as_ref().and_then(|r| r.days),
                        years: retention.as_ref().and_then(|r| r.years),
                    }
                })),
                Err(err) if error_code(&err) == Some("ObjectLockConfigurationNotFoundError") => {
                    Collected::Ok(None)
                }
                Err(err) => Collected::Error(collect_error(
                    &err,
                    "s3",
                    "GetObjectLockConfiguration",
                    Some(region),
                )),
            };
            (policy, object_lock)
        }
    };
    LogBucket {
        name: bucket.to_owned(),
        region,
        policy,
        object_lock,
    }
}

/// The error code AWS answered, if any.
fn error_code<E: ProvideErrorMetadata>(
    err: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Option<&str> {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
}
