//! S3 facts: the names of the general purpose buckets the account owns, so that a trail's bucket
//! can be told apart as the account's own or another's.
//!
//! `ListBuckets` lists the buckets of the caller's account in every Region. Its pages are asked
//! for explicitly (`MaxBuckets`): AWS refuses the unpaginated form in accounts whose bucket quota
//! was raised above 10,000 (S3 user guide, "General purpose bucket quotas").

use super::Limiter;
use crate::aws::calls::all_items;
use crate::facts::Collected;

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
