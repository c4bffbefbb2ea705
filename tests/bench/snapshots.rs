//! The snapshot benchmark: synthetic snapshots of 1,000 accounts × 25 checks × 4 Regions (100,000
//! findings, and the facts of 1,000 accounts copied from a real sandbox scan). Not a test: it
//! measures and writes its figures to `tests/bench/snapshots.md`, against the snapshots issue's
//! targets: `posture diff` of two such snapshots in under 1 s and under 300 MB; `posture verify`
//! streams (its memory does not grow with the number of snapshots).
//!
//! Run: `cargo bench --bench snapshots`. `diff` and `verify` run as the release `posture` binary
//! (`CARGO_BIN_EXE_posture`), so their peak RSS is their own; writing and reading are timed in
//! this process through the library. About four minutes on 2 cores, most of it writing the 100
//! snapshots of the verify store.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use posture::diff::diff;
use posture::snapshot::{Store, read_snapshot, read_snapshot_bytes, read_snapshot_summary};

#[path = "common.rs"]
mod common;
use common::{Measured, kib_mb, mb, median, run_measured, secs};

#[path = "../synthetic/mod.rs"]
mod synthetic;

const ACCOUNTS: usize = 1000;
const CHECKS: usize = 25;
const REGIONS: usize = 4;
/// Snapshots in the store `verify` reads, and in the small store it is compared with.
const VERIFY_STORE: usize = 100;
const VERIFY_SMALL_STORE: usize = 10;
/// Runs of each timed step; the median is reported.
const RUNS: usize = 3;

/// Set in the child process that builds the stores (see [`main`]).
const PREPARE_ENV: &str = "POSTURE_BENCH_PREPARE";

/// Two processes: a child builds the stores and times what runs in-process, then this process,
/// still small, runs `posture diff` and `posture verify`. On Linux a child's `ru_maxrss` counts the
/// memory of the process it was forked from, so a parent holding 1,000-account snapshots would
/// report its own size as theirs.
fn main() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-snapshots");
    if std::env::var_os(PREPARE_ENV).is_some() {
        prepare(&scratch);
        return;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let status = Command::new(std::env::current_exe().expect("own path"))
        .env(PREPARE_ENV, "1")
        .status()
        .expect("run the preparation");
    assert!(status.success(), "the preparation failed");
    let prepared: serde_json::Value = serde_json::from_slice(
        &std::fs::read(scratch.join("prepared.json")).expect("read the preparation's figures"),
    )
    .expect("json");
    let path = |key: &str| PathBuf::from(prepared[key].as_str().expect(key));
    let secs_of = |key: &str| Duration::from_secs_f64(prepared[key].as_f64().expect(key));
    let count = |key: &str| prepared[key].as_u64().expect(key);
    let (old_path, new_path) = (path("old"), path("new"));

    let diff_runs: Vec<Measured> = (0..RUNS)
        .map(|_| {
            let run = posture_measured(&["diff", "--json"], &old_path, &new_path);
            assert_eq!(run.code, 1, "the variant has regressions");
            run
        })
        .collect();
    let table_runs: Vec<Measured> = (0..RUNS)
        .map(|_| posture_measured(&["diff"], &old_path, &new_path))
        .collect();
    let verify_small = verify_measured(&path("verify_small"));
    let verify_large = verify_measured(&path("verify"));

    let report = report(&Figures {
        findings: count("findings") as usize,
        changed: count("changed") as usize,
        generated: secs_of("generated"),
        on_disk: count("on_disk"),
        content: count("content"),
        write: secs_of("write"),
        read_full: secs_of("read_full"),
        read_summary: secs_of("read_summary"),
        diff_only: secs_of("diff_only"),
        diff_runs,
        table_runs,
        fill: secs_of("fill"),
        verify_small,
        verify_large,
        store_bytes: count("store_bytes"),
        real_ratio: prepared["real_ratio"].as_f64().expect("real_ratio"),
    });
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/snapshots.md");
    std::fs::write(&out, &report).expect("write the report");
    std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes()).expect("stderr");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Builds the pair and the verify stores in `scratch`, times writing, reading and the in-memory
/// diff, and leaves the figures in `scratch/prepared.json`.
fn prepare(scratch: &Path) {
    let started = Instant::now();
    let mut old = synthetic::snapshot(ACCOUNTS, CHECKS, REGIONS, 0);
    let mut new = synthetic::snapshot(ACCOUNTS, CHECKS, REGIONS, 1);
    let generated = started.elapsed() / 2;
    let findings = old.findings.len();

    let store = Store::new(scratch.join("pair"));
    let started = Instant::now();
    let old_path = store.write(&mut old, None).expect("write");
    let write = started.elapsed();
    let new_path = store.write(&mut new, None).expect("write");
    let on_disk = std::fs::metadata(&old_path).expect("stat").len();
    let content = read_snapshot_bytes(&old_path).expect("read").len() as u64;
    drop((old, new));

    let read_full = median((0..RUNS).map(|_| {
        let started = Instant::now();
        let snapshot = read_snapshot(&old_path).expect("read");
        assert_eq!(snapshot.findings.len(), findings);
        started.elapsed()
    }));
    let read_summary = median((0..RUNS).map(|_| {
        let started = Instant::now();
        read_snapshot_summary(&old_path).expect("read");
        started.elapsed()
    }));
    let (old_summary, new_summary) = (
        read_snapshot_summary(&old_path).expect("read"),
        read_snapshot_summary(&new_path).expect("read"),
    );
    let diff_only = median((0..RUNS).map(|_| {
        let started = Instant::now();
        std::hint::black_box(diff(&old_summary, &new_summary));
        started.elapsed()
    }));
    let changed = diff(&old_summary, &new_summary).findings.len();
    drop((old_summary, new_summary));

    // The verify store: VERIFY_STORE chained snapshots, each a variant of the last.
    let verify_dir = scratch.join("verify");
    let verify_store = Store::new(&verify_dir);
    let started = Instant::now();
    let mut snapshot = synthetic::snapshot(ACCOUNTS, CHECKS, REGIONS, 0);
    for i in 0..VERIFY_STORE {
        // A few verdicts change between snapshots, as between two monthly scans.
        let n = snapshot.findings.len();
        for j in 0..10 {
            let finding = &mut snapshot.findings[(i * 7919 + j * 104_729) % n];
            finding.status = match finding.status {
                posture::finding::Status::Pass => posture::finding::Status::Fail,
                _ => posture::finding::Status::Pass,
            };
        }
        verify_store.write(&mut snapshot, None).expect("write");
    }
    let fill = started.elapsed();
    let small_dir = scratch.join("verify-small");
    std::fs::create_dir_all(&small_dir).expect("mkdir");
    for stored in verify_store
        .list()
        .expect("list")
        .iter()
        .take(VERIFY_SMALL_STORE)
    {
        std::fs::hard_link(&stored.path, small_dir.join(&stored.name)).expect("link");
    }
    let store_bytes: u64 = verify_store
        .list()
        .expect("list")
        .iter()
        .map(|s| std::fs::metadata(&s.path).expect("stat").len())
        .sum();
    // How much a real scan's content compresses, for comparison: the synthetic one repeats itself.
    let real = {
        let store = Store::new(synthetic::fixture_dir());
        let first = &store.list().expect("fixture")[0];
        let content = read_snapshot_bytes(&first.path).expect("fixture");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        std::io::Write::write_all(&mut gz, &content).expect("gzip");
        content.len() as f64 / gz.finish().expect("gzip").len() as f64
    };
    let prepared = serde_json::json!({
        "real_ratio": real,
        "old": old_path, "new": new_path,
        "verify": verify_dir, "verify_small": small_dir,
        "findings": findings, "changed": changed,
        "generated": generated.as_secs_f64(), "on_disk": on_disk, "content": content,
        "write": write.as_secs_f64(), "read_full": read_full.as_secs_f64(),
        "read_summary": read_summary.as_secs_f64(), "diff_only": diff_only.as_secs_f64(),
        "fill": fill.as_secs_f64(), "store_bytes": store_bytes,
    });
    std::fs::write(scratch.join("prepared.json"), prepared.to_string()).expect("write figures");
}

/// `posture ARGS OLD NEW`, stdout discarded, measured.
fn posture_measured(args: &[&str], old: &Path, new: &Path) -> Measured {
    run_measured(
        Command::new(env!("CARGO_BIN_EXE_posture"))
            .args(args)
            .arg(old)
            .arg(new)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
}

fn verify_measured(dir: &Path) -> Measured {
    let run = run_measured(
        Command::new(env!("CARGO_BIN_EXE_posture"))
            .arg("verify")
            .arg("--snapshots-dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    assert_eq!(run.code, 0, "the store verifies");
    run
}

struct Figures {
    findings: usize,
    changed: usize,
    generated: Duration,
    on_disk: u64,
    content: u64,
    write: Duration,
    read_full: Duration,
    read_summary: Duration,
    diff_only: Duration,
    diff_runs: Vec<Measured>,
    table_runs: Vec<Measured>,
    fill: Duration,
    verify_small: Measured,
    verify_large: Measured,
    store_bytes: u64,
    real_ratio: f64,
}

fn report(f: &Figures) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let diff_wall = median(f.diff_runs.iter().map(|r| r.wall));
    let diff_rss = f
        .diff_runs
        .iter()
        .map(|r| r.peak_rss_kib)
        .max()
        .unwrap_or(0);
    let table_wall = median(f.table_runs.iter().map(|r| r.wall));
    let table_rss = f
        .table_runs
        .iter()
        .map(|r| r.peak_rss_kib)
        .max()
        .unwrap_or(0);
    let verdict = |ok: bool| if ok { "met" } else { "NOT MET" };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Snapshot benchmark\n\n\
         `cargo bench --bench snapshots` on {cores} cores. Synthetic snapshots of {ACCOUNTS} accounts × \
         {CHECKS} checks × {REGIONS} Regions: {} findings (one per cell, about one in ten FAIL) and \
         the facts of {ACCOUNTS} accounts copied from a real sandbox scan (`tests/synthetic/mod.rs`). \
         The second snapshot of the pair changes about one verdict in a hundred ({} findings in its \
         diff, still-failing included). Times are medians of {RUNS} runs; peak RSS is the highest \
         `ru_maxrss` of the `posture` process.\n",
        f.findings, f.changed
    );
    let _ = writeln!(out, "| figure | value | target |\n|---|---|---|");
    let rows = [
        (
            "snapshot on disk (gzip)".to_owned(),
            mb(f.on_disk),
            String::new(),
        ),
        (
            "canonical content (uncompressed JSON)".to_owned(),
            mb(f.content),
            String::new(),
        ),
        (
            "write (seal + gzip + fsync + rename)".to_owned(),
            secs(f.write),
            String::new(),
        ),
        (
            "read, whole snapshot (verified)".to_owned(),
            secs(f.read_full),
            String::new(),
        ),
        (
            "read, without facts (what `diff` reads)".to_owned(),
            secs(f.read_summary),
            String::new(),
        ),
        (
            "`diff` itself, in memory".to_owned(),
            secs(f.diff_only),
            String::new(),
        ),
        (
            "`posture diff OLD NEW --json`: wall".to_owned(),
            secs(diff_wall),
            format!("< 1 s: {}", verdict(diff_wall < Duration::from_secs(1))),
        ),
        (
            "`posture diff OLD NEW --json`: peak RSS".to_owned(),
            kib_mb(diff_rss),
            format!("< 300 MB: {}", verdict(diff_rss * 1024 < 300_000_000)),
        ),
        (
            "`posture diff OLD NEW` (table): wall / peak RSS".to_owned(),
            format!("{} / {}", secs(table_wall), kib_mb(table_rss)),
            String::new(),
        ),
        (
            format!("`posture verify`, {VERIFY_SMALL_STORE} snapshots: wall / peak RSS"),
            format!(
                "{} / {}",
                secs(f.verify_small.wall),
                kib_mb(f.verify_small.peak_rss_kib)
            ),
            String::new(),
        ),
        (
            format!(
                "`posture verify`, {VERIFY_STORE} snapshots ({} on disk): wall / peak RSS",
                mb(f.store_bytes)
            ),
            format!(
                "{} / {}",
                secs(f.verify_large.wall),
                kib_mb(f.verify_large.peak_rss_kib)
            ),
            format!(
                "memory flat from {VERIFY_SMALL_STORE} to {VERIFY_STORE}: {}",
                verdict(
                    f.verify_large.peak_rss_kib <= f.verify_small.peak_rss_kib * 11 / 10 + 1024
                )
            ),
        ),
    ];
    for (figure, value, target) in rows {
        let _ = writeln!(out, "| {figure} | {value} | {target} |");
    }
    let _ = writeln!(
        out,
        "\nThe synthetic content repeats itself far more than a real organization's: it compresses \
         {:.0}×, a real sandbox scan (the v1 fixture) {:.1}×. A real snapshot of this size would take \
         about {} on disk.\n",
        f.content as f64 / f.on_disk as f64,
        f.real_ratio,
        mb((f.content as f64 / f.real_ratio) as u64)
    );
    let _ = writeln!(
        out,
        "Setting up: generating one synthetic snapshot took {}; writing the {VERIFY_STORE} \
         snapshots of the verify store took {}.",
        secs(f.generated),
        secs(f.fill)
    );
    out
}
