//! What the benchmarks share: sending a fixed number of requests from concurrent clients, and
//! running a command with its wall time and peak memory measured. Each benchmark is a crate of
//! its own and uses part of this, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What [`hammer`] measured.
pub(crate) struct Hammered {
    /// Requests per second over the whole run.
    pub(crate) rate: f64,
    /// Each request's latency, in no particular order.
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

/// What [`run_measured`] measured of one process.
pub(crate) struct Measured {
    /// Its exit code, or minus the signal that ended it.
    pub(crate) code: i32,
    /// From spawn to exit.
    pub(crate) wall: Duration,
    /// Its `ru_maxrss`, in KiB.
    pub(crate) peak_rss_kib: i64,
}

/// Runs `command` to completion and measures its wall time and peak RSS (`wait4`'s `ru_maxrss`:
/// the child's own, unlike `getrusage(RUSAGE_CHILDREN)`, which keeps the largest child so far).
pub(crate) fn run_measured(command: &mut std::process::Command) -> Measured {
    let started = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by `wait4`, which also gives its resource usage"
    )]
    let child = command.spawn().expect("spawn");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (its `Child` is never waited on), and
        // both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4({pid}): {err}"
        );
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    Measured {
        code,
        wall: started.elapsed(),
        peak_rss_kib: usage.ru_maxrss,
    }
}

/// The sequence number of the newest request in the sandbox's record (0 when it is empty), so
/// a run counts only the requests after it.
pub(crate) fn last_seq(admin: &posture::sandbox::SandboxAdmin) -> u64 {
    admin.last_seq().expect("record")
}

/// The median of some durations.
pub(crate) fn median(times: impl Iterator<Item = Duration>) -> Duration {
    let mut times: Vec<Duration> = times.collect();
    times.sort();
    times[times.len() / 2]
}

/// `1.234 s`.
pub(crate) fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// `12.3 MB` (decimal megabytes).
pub(crate) fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A `ru_maxrss` (KiB) in decimal megabytes.
pub(crate) fn kib_mb(kib: i64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

/// `; source at COMMIT`, with the files under `paths` that had uncommitted changes: read first
/// thing, the nearest to when cargo built the binary.
pub(crate) fn source(paths: &[&str]) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_owned())
    };
    let status: Vec<&str> = ["status", "--porcelain", "--"]
        .into_iter()
        .chain(paths.iter().copied())
        .collect();
    match (git(&["rev-parse", "--short", "HEAD"]), git(&status)) {
        (Some(commit), Some(changes)) if changes.is_empty() => format!("; source at {commit}"),
        (Some(commit), Some(changes)) => {
            let files: Vec<&str> = changes.lines().filter_map(|line| line.get(3..)).collect();
            format!(
                "; source at {commit} with uncommitted changes to {}",
                files.join(", ")
            )
        }
        _ => String::new(),
    }
}
