//! What the benchmarks share: sending a fixed number of requests from concurrent clients.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What [`hammer`] measured.
pub(crate) struct Hammered {
    /// Requests per second over the whole run.
    pub(crate) rate: f64,
    /// Each request's latency, in no particular order.
    // Each benchmark is its own crate; the scan benchmark reports rates only.
    #[allow(dead_code)]
    pub(crate) latencies: Vec<Duration>,
    /// Requests whose `call` answered false.
    pub(crate) failed: usize,
}

/// Sends `requests` requests from `clients` concurrent tasks, each running `call` (true = the
/// request succeeded) until the count is used up.
pub(crate) async fn hammer<F, Fut>(requests: usize, clients: usize, call: F) -> Hammered
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let next = next.clone();
            let call = call.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failed = 0;
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let sent = Instant::now();
                    if !call().await {
                        failed += 1;
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    let mut failed = 0;
    for task in tasks {
        let (mut more, f) = task.await.expect("a benchmark task panicked");
        latencies.append(&mut more);
        failed += f;
    }
    Hammered {
        rate: requests as f64 / started.elapsed().as_secs_f64(),
        latencies,
        failed,
    }
}
