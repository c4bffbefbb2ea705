//! The sandbox benchmark: how fast the sandbox organization starts, seeds and serves, through the
//! same clients posture uses. Not a test: it measures and writes its figures to
//! `tests/bench/sandbox.md`; the targets it reports against are the sandbox issue's (ready in under
//! 10 s, 200 members seeded in under 60 s, no request lost or failed under 32 concurrent clients).
//!
//! Run: `cargo bench --bench sandbox` (release build; about two minutes on 2 cores).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use posture::aws::{AwsTarget, ClientFactory};
use posture::sandbox::{Sandbox, SandboxAdmin, SandboxGuard};

#[path = "common.rs"]
mod common;
use common::{Hammered, hammer, last_seq};

/// Requests per (operation, concurrency) cell of the throughput table.
const REQUESTS: usize = 1000;
const CONCURRENCY: [usize; 3] = [1, 8, 32];
const STARTS: usize = 5;
const ROLE: &str = "OrganizationAccountAccessRole";

fn main() {
    let mut report = String::new();
    let machine = format!(
        "{} cores; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );
    writeln!(report, "# Sandbox benchmark\n").unwrap();
    writeln!(
        report,
        "Written by `cargo bench --bench sandbox` ({machine}). Every figure is measured through posture's \
         own client factory against a sandbox started for the run.\n"
    )
    .unwrap();

    // Start to ready, with the venv already present (the first start creates it, untimed here).
    Sandbox::locate().ensure_venv().expect("venv");
    let mut ready = Vec::new();
    let mut stop = Vec::new();
    for run in 0..STARTS {
        let guard = SandboxGuard::start(sandbox(&format!("bench-start-{run}"))).expect("start");
        ready.push(guard.running().ready_after.expect("started here"));
        let started = Instant::now();
        drop(guard);
        stop.push(started.elapsed());
    }
    writeln!(report, "## Start and stop (venv present, {STARTS} runs)\n").unwrap();
    writeln!(
        report,
        "| | median | min | max | target |\n|---|---|---|---|---|"
    )
    .unwrap();
    writeln!(report, "| start to ready | {} | < 10 s |", stats(&ready)).unwrap();
    writeln!(report, "| stop | {} | |\n", stats(&stop)).unwrap();

    // Seeding, in one sandbox (each seed starts with a reset).
    let guard = SandboxGuard::start(sandbox("bench-seed")).expect("start");
    writeln!(report, "## Seeding\n").unwrap();
    writeln!(report, "| members | seconds | target |\n|---|---|---|").unwrap();
    for members in [10, 200] {
        let started = Instant::now();
        guard.sandbox().seed(members).expect("seed");
        let target = if members == 200 { "< 60 s" } else { "" };
        writeln!(
            report,
            "| {members} | {:.1} | {target} |",
            started.elapsed().as_secs_f64()
        )
        .unwrap();
    }

    // Request rate over the 200-member organization just seeded.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let rows = runtime.block_on(throughput(guard.endpoint()));
    writeln!(
        report,
        "\n## Request rate ({REQUESTS} requests per row, SDK retries off so that every failure counts)\n"
    )
    .unwrap();
    writeln!(
        report,
        "| operation | concurrent clients | requests/s | p50 ms | p99 ms | failed | recorded by the sandbox |\n|---|---|---|---|---|---|---|"
    )
    .unwrap();
    for row in &rows {
        writeln!(
            report,
            "| {} | {} | {:.0} | {:.1} | {:.1} | {} | {} of {} |",
            row.operation,
            row.concurrency,
            row.rate,
            row.p50.as_secs_f64() * 1e3,
            row.p99.as_secs_f64() * 1e3,
            row.failed,
            row.recorded,
            REQUESTS
        )
        .unwrap();
    }
    drop(guard);

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bench/sandbox.md");
    std::fs::write(&path, &report).expect("write results");
    writeln!(std::io::stderr(), "{report}\nwritten to {}", path.display()).expect("stderr");
}

fn sandbox(name: &str) -> Sandbox {
    Sandbox::locate().with_state_dir(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name))
}

struct Row {
    operation: &'static str,
    concurrency: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
    failed: usize,
    recorded: usize,
}

async fn throughput(endpoint: &str) -> Vec<Row> {
    let admin = SandboxAdmin::new(endpoint);
    let factory =
        ClientFactory::load(AwsTarget::sandbox(endpoint).with_retry(RetryConfig::disabled())).await;
    let organizations = factory.organizations(factory.base());
    let member = organizations
        .list_accounts()
        .send()
        .await
        .expect("accounts")
        .accounts()
        .iter()
        .filter_map(|a| a.id().map(str::to_owned))
        .find(|id| id != "123456789012")
        .expect("a member");

    let mut rows = Vec::new();
    for concurrency in CONCURRENCY {
        let sts = factory.sts(factory.base());
        let before = last_seq(&admin);
        let Hammered {
            rate,
            latencies,
            failed,
        } = hammer(REQUESTS, concurrency, move || {
            let sts = sts.clone();
            async move { sts.get_caller_identity().send().await.is_ok() }
        })
        .await;
        let recorded = recorded_since(&admin, before, "GetCallerIdentity");
        rows.push(row(
            "sts:GetCallerIdentity",
            concurrency,
            rate,
            latencies,
            failed,
            recorded,
        ));

        let session = format!("posture-bench-{concurrency}");
        let config = factory.member_config(&member, ROLE, None, &session).await;
        let iam = factory.iam(&config);
        iam.list_users()
            .send()
            .await
            .expect("assume the role first");
        let before = last_seq(&admin);
        let Hammered {
            rate,
            latencies,
            failed,
        } = hammer(REQUESTS, concurrency, move || {
            let iam = iam.clone();
            async move { iam.list_users().send().await.is_ok() }
        })
        .await;
        let recorded = recorded_since(&admin, before, "ListUsers");
        rows.push(row(
            "iam:ListUsers (member, assumed role)",
            concurrency,
            rate,
            latencies,
            failed,
            recorded,
        ));
    }
    rows
}

fn row(
    operation: &'static str,
    concurrency: usize,
    rate: f64,
    mut latencies: Vec<Duration>,
    failed: usize,
    recorded: usize,
) -> Row {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Row {
        operation,
        concurrency,
        rate,
        p50: at(0.50),
        p99: at(0.99),
        failed,
        recorded,
    }
}

fn recorded_since(admin: &SandboxAdmin, seq: u64, action: &str) -> usize {
    admin
        .requests()
        .expect("record")
        .iter()
        .filter(|r| r.seq > seq && r.action == action && r.status == 200)
        .count()
}

/// "median | min | max" of durations, in seconds.
fn stats(values: &[Duration]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort();
    format!(
        "{:.2} s | {:.2} s | {:.2} s",
        sorted[sorted.len() / 2].as_secs_f64(),
        sorted[0].as_secs_f64(),
        sorted[sorted.len() - 1].as_secs_f64()
    )
}
