//! How discover and collect make their AWS calls once they hold a client: at most so many in
//! flight ([`Limiter`]), and a paginated list read page by page into one fact ([`all_items`]).
//!
//! Retries, backoff and timeouts are not here: the factory sets them on every client, so a call
//! that fails here has failed for good, and becomes the fact's error through [`collect_error`].

use std::error::Error;
use std::future::{Future, poll_fn};
use std::task::{Context, Poll};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::Semaphore;

use super::error::collect_error;
use crate::facts::Collected;

/// At most so many AWS calls in flight: each call waits for a permit and holds it while it runs
/// (retries and backoff included), never while its caller sleeps or waits for other calls.
#[derive(Debug)]
pub(crate) struct Limiter {
    permits: Semaphore,
}

impl Limiter {
    pub(crate) fn new(permits: usize) -> Self {
        Self {
            permits: Semaphore::new(permits.max(1)),
        }
    }

    /// Runs `call` once a permit is free.
    pub(crate) async fn call<F: Future>(&self, call: F) -> F::Output {
        // The semaphore is never closed, so this always holds a permit.
        let _permit = self.permits.acquire().await;
        call.await
    }
}

/// Every item of a paginated list of `service` `action` in `region` (`None` for global
/// services): each page is read (holding one of `limiter`'s permits, when there is a limiter) and
/// `items` takes what the fact keeps from it, in page order. The first page that fails makes the
/// whole list that call's error: a list missing pages must not read as complete.
///
/// `next_page` is the paginator's `poll_next`: `|cx| pages.poll_next(cx)` on what
/// `into_paginator().send()` returns. The SDK's `PaginationStream` is not a `futures::Stream`,
/// and its crate (`aws-smithy-async`) is not one of ours to name, so the stream is passed as the
/// one method this needs.
pub(crate) async fn all_items<Page, E, Item, Items>(
    mut next_page: impl FnMut(&mut Context<'_>) -> Poll<Option<Result<Page, SdkError<E, HttpResponse>>>>,
    limiter: Option<&Limiter>,
    service: &str,
    action: &str,
    region: Option<&str>,
    mut items: impl FnMut(Page) -> Items,
) -> Collected<Vec<Item>>
where
    E: ProvideErrorMetadata + Error + 'static,
    Items: IntoIterator<Item = Item>,
{
    let mut all = Vec::new();
    loop {
        let page = poll_fn(&mut next_page);
        let page = match limiter {
            Some(limiter) => limiter.call(page).await,
            None => page.await,
        };
        match page {
            None => return Collected::Ok(all),
            Some(Ok(page)) => all.extend(items(page)),
            Some(Err(err)) => {
                return Collected::Error(collect_error(&err, service, action, region));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;
    use futures::future::join_all;

    #[tokio::test]
    async fn the_limiter_never_runs_more_calls_than_its_permits() {
        let limiter = Limiter::new(2);
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        join_all((0..8).map(|_| {
            limiter.call(async {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            })
        }))
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    type PageError = SdkError<GetCallerIdentityError, HttpResponse>;
    type PageResult = Result<Vec<u32>, PageError>;

    fn denied() -> PageError {
        let meta = ErrorMetadata::builder()
            .code("AccessDeniedException")
            .message("not authorized")
            .build();
        let raw = HttpResponse::new(
            StatusCode::try_from(403).expect("status"),
            SdkBody::from(""),
        );
        SdkError::service_error(GetCallerIdentityError::generic(meta), raw)
    }

    /// A paginator answering `pages` in order, then the end of the list.
    fn pages(pages: Vec<PageResult>) -> impl FnMut(&mut Context<'_>) -> Poll<Option<PageResult>> {
        let mut pages = pages.into_iter();
        move |_| Poll::Ready(pages.next())
    }

    #[tokio::test]
    async fn keeps_the_items_of_every_page_in_order() {
        let limiter = Limiter::new(1);
        let items = all_items(
            pages(vec![Ok(vec![1, 2]), Ok(vec![]), Ok(vec![3])]),
            Some(&limiter),
            "svc",
            "ListThings",
            Some("eu-west-1"),
            |page| page.into_iter().map(|n| n * 10),
        )
        .await;
        assert_eq!(items, Collected::Ok(vec![10, 20, 30]));
    }

    #[tokio::test]
    async fn a_failing_page_makes_the_whole_list_that_calls_error() {
        let items = all_items(
            pages(vec![Ok(vec![1]), Err(denied()), Ok(vec![2])]),
            None,
            "svc",
            "ListThings",
            Some("eu-west-1"),
            |page| page,
        )
        .await;
        // The items of the first page are dropped, and the third page is never asked for.
        assert_eq!(
            items,
            Collected::Error(collect_error(
                &denied(),
                "svc",
                "ListThings",
                Some("eu-west-1")
            ))
        );
    }
}
