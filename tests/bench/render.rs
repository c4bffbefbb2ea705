//! The site benchmark: `posture render` on a store of 12 synthetic snapshots of 1,000 accounts ×
//! 25 checks × 4 Regions (100,000 findings each, `tests/synthetic/mod.rs`). Not a test: it measures
//! and writes its figures to `tests/bench/render.md`, against the site issue's targets: the 12
//! snapshots render from scratch in under 5 s, and re-render after one more snapshot in under 1 s,
//! with peak memory under 500 MB; no page is over 2 MB.
//!
//! Run: `cargo bench --bench render`. `render` runs as a copy of the release `posture` binary
//! (`CARGO_BIN_EXE_posture`), so its peak RSS is its own. About three minutes on 2 cores once
//! built, most of it the five renders from scratch, plus up to four minutes waiting for a quiet
//! machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use posture::render::view::version_id;
use posture::snapshot::Store;

#[path = "common.rs"]
mod common;
use common::{Measured, kib_mb, mb, median, run_measured, secs, source};

#[path = "../synthetic/mod.rs"]
mod synthetic;

const ACCOUNTS: usize = 1000;
const CHECKS: usize = 25;
const REGIONS: usize = 4;
/// Snapshots in the store rendered from scratch; one more is added for the re-render.
const VERSIONS: usize = 12;
/// Runs of each timed step; the median is reported.
const RUNS: usize = 5;
/// The timed runs wait (up to [`QUIET_WAIT`]) until the 1-minute load average is below this: a
/// build or the snapshots just written would otherwise be measured with render.
const QUIET_LOAD: f64 = 0.5;
const QUIET_WAIT: Duration = Duration::from_secs(240);
/// Days between two synthetic scans (a monthly scan).
const SCAN_INTERVAL_DAYS: i64 = 30;
/// The targets.
const FROM_SCRATCH_TARGET: Duration = Duration::from_secs(5);
const RERENDER_TARGET: Duration = Duration::from_secs(1);
const RSS_TARGET_BYTES: i64 = 500_000_000;
const PAGE_TARGET_BYTES: u64 = 2_000_000;

/// Set in the child process that writes snapshots into the store (see [`main`]): `store` for the
/// first [`VERSIONS`], `next` for the one after them.
const PREPARE_ENV: &str = "POSTURE_BENCH_PREPARE";

/// Two kinds of process: a child writes the snapshots (1,000-account snapshots in memory), then
/// this process, still small, runs `posture render`. On Linux a child's `ru_maxrss` counts the
/// memory of the process it was forked from, so a parent that had held the snapshots would report
/// its own size as render's.
fn main() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-render");
    let store = scratch.join("store");
    if let Some(step) = std::env::var_os(PREPARE_ENV) {
        prepare(&scratch, &store, step.to_str().expect("step"));
        return;
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("mkdir");
    // Run a copy of the binary: a `cargo build --release` elsewhere in the tree may replace
    // `target/release/posture` while the benchmark runs.
    let posture = scratch.join("posture");
    std::fs::copy(env!("CARGO_BIN_EXE_posture"), &posture).expect("copy the posture binary");

    let prepared = prepare_in_child(&scratch, "store");
    let store_bytes = dir_bytes(&store);
    let load = quiet();

    // From scratch: a new output directory each time. Nothing is deleted until the end: ext4
    // allocating inodes right after thousands were deleted spends seconds skipping the recently
    // deleted ones, which measured the file system, not render (9 s of system time instead of 1.5).
    let scratch_runs: Vec<Run> = (0..RUNS)
        .map(|i| {
            progress(&format!("from scratch, run {}", i + 1));
            let site = scratch.join(format!("site-scratch-{i}"));
            render(&posture, &scratch, &store, &site, &format!("scratch-{i}"))
        })
        .collect();
    let base = scratch.join(format!("site-scratch-{}", RUNS - 1));
    let site12 = walk(&base);

    // One more snapshot, then the re-render into the 12-version site: each run into its own hard
    // linked copy of it (render replaces files by renaming, never writes into one).
    let next = prepare_in_child(&scratch, "next");
    let new_id = version_id(prepared_name(&next)).to_owned();
    let mut written = Written::default();
    let mut site = base.clone();
    let rerender_runs: Vec<Run> = (0..RUNS)
        .map(|i| {
            site = scratch.join(format!("site-rerender-{i}"));
            link_dir(&base, &site);
            let since = SystemTime::now() - Duration::from_millis(20);
            progress(&format!("re-render, run {}", i + 1));
            let run = render(&posture, &scratch, &store, &site, &format!("rerender-{i}"));
            written = written_since(&site, since, &new_id);
            run
        })
        .collect();
    let site13 = walk(&site);
    let new_version = walk(&site.join("v").join(&new_id));
    for name in ["scratch-0", &format!("rerender-{}", RUNS - 1)] {
        let summary = std::fs::read_to_string(scratch.join(format!("{name}.stdout")))
            .expect("read render's summary");
        progress(&format!("`posture render` said ({name}):\n{summary}"));
    }

    let report = report(&Figures {
        findings: count(&prepared, "findings") as usize,
        store_bytes,
        write: secs_of(&prepared, "write") + secs_of(&next, "write"),
        scratch_runs,
        rerender_runs,
        site12,
        site13,
        new_id,
        new_version,
        written,
        total: started.elapsed(),
        load,
    });
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/render.md");
    std::fs::write(&out, &report).expect("write the report");
    std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes()).expect("stderr");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Runs this benchmark again as a child that does `step` of [`prepare`], and reads its figures.
fn prepare_in_child(scratch: &Path, step: &str) -> serde_json::Value {
    progress(&format!("writing snapshots ({step})"));
    let status = Command::new(std::env::current_exe().expect("own path"))
        .env(PREPARE_ENV, step)
        .status()
        .expect("run the preparation");
    assert!(status.success(), "the preparation ({step}) failed");
    serde_json::from_slice(
        &std::fs::read(scratch.join(format!("prepared-{step}.json")))
            .expect("read the preparation's figures"),
    )
    .expect("json")
}

/// Writes synthetic snapshots into the store: the first [`VERSIONS`] (variants 0 to 11) for
/// `store`, the next one (variant 12) for `next`. Their scans are [`SCAN_INTERVAL_DAYS`] apart, the
/// last at the v1 fixture's time. Leaves the figures in `scratch/prepared-STEP.json`.
fn prepare(scratch: &Path, store_dir: &Path, step: &str) {
    let variants = match step {
        "store" => 0..VERSIONS,
        "next" => VERSIONS..VERSIONS + 1,
        _ => panic!("unknown step {step}"),
    };
    let store = Store::new(store_dir);
    let mut names = Vec::new();
    let mut findings = 0;
    let mut write = Duration::ZERO;
    for variant in variants {
        let mut snapshot = synthetic::snapshot(ACCOUNTS, CHECKS, REGIONS, variant as u64);
        findings = snapshot.findings.len();
        let before = VERSIONS - variant;
        snapshot.scan.started_at = days_before(&snapshot.scan.started_at, before);
        snapshot.scan.finished_at = days_before(&snapshot.scan.finished_at, before);
        let started = Instant::now();
        let path = store.write(&mut snapshot, None).expect("write");
        write += started.elapsed();
        names.push(
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        );
    }
    let prepared = serde_json::json!({
        "names": names, "findings": findings, "write": write.as_secs_f64(),
    });
    std::fs::write(
        scratch.join(format!("prepared-{step}.json")),
        prepared.to_string(),
    )
    .expect("write figures");
}

/// `rfc3339` moved `scans` scan intervals back, with milliseconds as `posture scan` writes them.
fn days_before(rfc3339: &str, scans: usize) -> String {
    let time: jiff::Timestamp = rfc3339.parse().expect("a scan time");
    let hours = 24 * SCAN_INTERVAL_DAYS * i64::try_from(scans).expect("small");
    time.checked_sub(jiff::SignedDuration::from_hours(hours))
        .expect("in range")
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// One measured run of `posture render`.
struct Run {
    measured: Measured,
    /// How long [`reference_work`] took just before it: how fast the machine was.
    reference: Duration,
    /// Its CPU time, user and system, all threads: what it costs whatever else the machine runs.
    cpu: Duration,
    /// Whether the clean page cache was dropped before it.
    dropped_cache: bool,
}

/// `POSTURE render --snapshots-dir STORE --out SITE`, measured; its stdout and stderr go to
/// `scratch/NAME.stdout` and `.stderr`. Fails the benchmark when render fails or writes no
/// `index.html`.
fn render(posture: &Path, scratch: &Path, store: &Path, site: &Path, name: &str) -> Run {
    let stdout = scratch.join(format!("{name}.stdout"));
    let stderr = scratch.join(format!("{name}.stderr"));
    // The runs before this one (and the copy that restores the site) leave a GB of pages to
    // write back; writing them back during this run would charge it for them.
    // SAFETY: `sync` takes no arguments and cannot fail.
    unsafe { libc::sync() };
    // Their pages also stay in the page cache (the sites are kept until the end, see `main`):
    // a GB more each run, which the kernel then reclaims during the runs after, measured at up
    // to half again as much CPU time by the fifth. Where the benchmark may (as root), it drops
    // the clean page cache, so that every run starts as the first.
    let dropped_cache = std::fs::write("/proc/sys/vm/drop_caches", "1").is_ok();
    let reference = reference_work();
    let cpu_before = children_cpu();
    let run = run_measured(
        Command::new(posture)
            .arg("render")
            .arg("--snapshots-dir")
            .arg(store)
            .arg("--out")
            .arg(site)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("POSTURE_LOG")
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("create stdout file"))
            .stderr(File::create(&stderr).expect("create stderr file")),
    );
    assert!(
        run.code == 0,
        "`posture render` ({name}) exited with {}:\n{}",
        run.code,
        std::fs::read_to_string(&stderr).unwrap_or_default()
    );
    assert!(
        site.join("index.html").is_file(),
        "`posture render` ({name}) wrote no {}",
        site.join("index.html").display()
    );
    Run {
        measured: run,
        reference,
        cpu: children_cpu() - cpu_before,
        dropped_cache,
    }
}

/// A fixed piece of work on one thread (SHA-256 of 256 MiB), timed: this virtual machine runs the
/// same binary up to half again as slow at some hours as at others, and this says which it was.
fn reference_work() -> Duration {
    use sha2::Digest as _;
    let block = vec![0x5a_u8; 1 << 20];
    let started = Instant::now();
    let mut hasher = sha2::Sha256::new();
    for _ in 0..256 {
        hasher.update(&block);
    }
    std::hint::black_box(hasher.finalize());
    started.elapsed()
}

/// The CPU time (user and system) of this process's children that have been waited for.
fn children_cpu() -> Duration {
    // SAFETY: `rusage` is plain old data, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a pointer to a live local.
    let done = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(done, 0, "getrusage: {}", std::io::Error::last_os_error());
    let of = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).expect("positive"))
            + Duration::from_micros(u64::try_from(t.tv_usec).expect("positive"))
    };
    of(usage.ru_utime) + of(usage.ru_stime)
}

fn prepared_name(prepared: &serde_json::Value) -> &str {
    prepared["names"][0].as_str().expect("names")
}

/// What a directory tree holds.
#[derive(Default)]
struct Walked {
    files: u64,
    bytes: u64,
    html: u64,
    /// The largest `.html` file: its path (relative to the walked directory) and size.
    largest_html: (String, u64),
    largest: (String, u64),
    /// Files and bytes by extension (`html`, `csv`, `json.gz`, …).
    kinds: BTreeMap<String, (u64, u64)>,
}

fn walk(root: &Path) -> Walked {
    let mut walked = Walked::default();
    for (path, meta) in files(root) {
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .into_owned();
        let size = meta.len();
        walked.files += 1;
        walked.bytes += size;
        let kind = kind_of(&relative);
        if kind == "html" {
            walked.html += 1;
            if size > walked.largest_html.1 {
                walked.largest_html = (relative.clone(), size);
            }
        }
        if size > walked.largest.1 {
            walked.largest = (relative, size);
        }
        let entry = walked.kinds.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += size;
    }
    walked
}

/// A file's kind: its extension, two parts for `.json.gz` and the like.
fn kind_of(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    match file.rsplit_once('.') {
        None => "(none)".to_owned(),
        Some((stem, "gz")) => match stem.rsplit_once('.') {
            Some((_, inner)) => format!("{inner}.gz"),
            None => "gz".to_owned(),
        },
        Some((_, ext)) => ext.to_owned(),
    }
}

/// Every file under `root`, with its metadata (symbolic links not followed); none when `root` is
/// missing.
fn files(root: &Path) -> Vec<(PathBuf, std::fs::Metadata)> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = root.is_dir().then(|| root.to_owned()).into_iter().collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("list") {
            let entry = entry.expect("entry");
            let meta = entry.metadata().expect("stat");
            if meta.is_dir() {
                dirs.push(entry.path());
            } else {
                found.push((entry.path(), meta));
            }
        }
    }
    found
}

fn dir_bytes(root: &Path) -> u64 {
    files(root).iter().map(|(_, meta)| meta.len()).sum()
}

/// `to` as a copy of `from` made of hard links.
fn link_dir(from: &Path, to: &Path) {
    for (path, _) in files(from) {
        let target = to.join(path.strip_prefix(from).expect("under the root"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::hard_link(&path, &target).expect("link");
    }
}

/// What a re-render wrote (files modified since it started), by where.
#[derive(Default)]
struct Written {
    /// Under `v/NEW/`.
    new_version: u64,
    /// Under `v/` but in another version's folder: versions rendered again.
    older_versions: u64,
    /// Elsewhere: the entry pages and what they share.
    outside: u64,
    /// A few of the older versions' files, to name them.
    older_examples: Vec<String>,
}

fn written_since(site: &Path, since: SystemTime, new_id: &str) -> Written {
    let mut written = Written::default();
    for (path, meta) in files(site) {
        if meta.modified().expect("mtime") < since {
            continue;
        }
        let relative = path.strip_prefix(site).expect("under the site");
        let mut parts = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        match (
            parts.next().as_deref(),
            parts.next().as_deref(),
            parts.next(),
        ) {
            (Some("v"), Some(id), Some(_)) if id == new_id => written.new_version += 1,
            (Some("v"), Some(_), Some(_)) => {
                written.older_versions += 1;
                if written.older_examples.len() < 3 {
                    written
                        .older_examples
                        .push(relative.to_string_lossy().into_owned());
                }
            }
            _ => written.outside += 1,
        }
    }
    written
}

fn progress(line: &str) {
    std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("render benchmark: {line}\n").as_bytes(),
    )
    .expect("stderr");
}

fn secs_of(prepared: &serde_json::Value, key: &str) -> Duration {
    Duration::from_secs_f64(prepared[key].as_f64().expect(key))
}

fn count(prepared: &serde_json::Value, key: &str) -> u64 {
    prepared[key].as_u64().expect(key)
}

struct Figures {
    findings: usize,
    store_bytes: u64,
    write: Duration,
    scratch_runs: Vec<Run>,
    rerender_runs: Vec<Run>,
    site12: Walked,
    site13: Walked,
    new_id: String,
    new_version: Walked,
    written: Written,
    total: Duration,
    load: String,
}

fn report(f: &Figures) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let verdict = |ok: bool| if ok { "met" } else { "NOT MET" };
    let walls = |runs: &[Run]| {
        let each: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.3}", r.measured.wall.as_secs_f64()))
            .collect();
        let wall = median(runs.iter().map(|r| r.measured.wall));
        (
            wall,
            format!("{} (runs: {} s)", secs(wall), each.join(", ")),
        )
    };
    let peak = |runs: &[Run]| {
        runs.iter()
            .map(|r| r.measured.peak_rss_kib)
            .max()
            .unwrap_or(0)
    };
    let cpu = |runs: &[Run]| secs(median(runs.iter().map(|r| r.cpu)));
    let references = |runs: &[Run]| {
        let each: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.0}", r.reference.as_secs_f64() * 1e3))
            .collect();
        format!(
            "{:.0} ms (runs: {} ms)",
            median(runs.iter().map(|r| r.reference)).as_secs_f64() * 1e3,
            each.join(", ")
        )
    };
    let (scratch_wall, scratch_walls) = walls(&f.scratch_runs);
    let (rerender_wall, rerender_walls) = walls(&f.rerender_runs);
    let (scratch_rss, rerender_rss) = (peak(&f.scratch_runs), peak(&f.rerender_runs));
    let w = &f.written;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Site render benchmark\n\n\
         `cargo bench --bench render` on {cores} cores{}{}. A store of {VERSIONS} synthetic snapshots \
         of {ACCOUNTS} accounts × {CHECKS} checks × {REGIONS} Regions ({} findings each, about one \
         in ten FAIL; `tests/synthetic/mod.rs`, variants 0 to {}, so consecutive snapshots differ in \
         about 2% of their verdicts; scans {SCAN_INTERVAL_DAYS} days apart), rendered by (a copy of) \
         the release binary: `posture render --snapshots-dir STORE --out SITE`. **From scratch**: into an empty \
         SITE. **Re-render**: after a {}th snapshot is written, into the {VERSIONS}-version site \
         (a hard-linked copy of it for each run). Each run starts after a `sync` (not timed), so it does \
         not pay for writing back the pages of the run before, {}. Times are medians of {RUNS} runs, from spawn to \
         exit; CPU time (user + sys, all threads; median too) depends far less than wall time on \
         what else the machine runs; peak RSS is the highest `ru_maxrss` of the \
         `posture` process over the runs.\n",
        f.load,
        source(&["src", "site-templates"]),
        f.findings,
        VERSIONS - 1,
        VERSIONS + 1,
        if f.scratch_runs
            .iter()
            .chain(&f.rerender_runs)
            .all(|r| r.dropped_cache)
        {
            "and after dropping the clean page cache, so it does not pay for reclaiming the pages \
             of the runs before either"
        } else {
            "but the clean page cache could not be dropped (not root), so later runs may pay for \
             reclaiming the pages of the runs before"
        },
    );
    let _ = writeln!(out, "| figure | value | target |\n|---|---|---|");
    let kinds = |walked: &Walked| {
        let mut kinds: Vec<_> = walked.kinds.iter().collect();
        kinds.sort_by_key(|kind| std::cmp::Reverse(kind.1.1));
        kinds
            .iter()
            .map(|(kind, (files, bytes))| {
                format!("{kind}: {}, {}", plural(*files, "file"), mb(*bytes))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let site = |walked: &Walked| {
        format!(
            "{} ({}), {}",
            plural(walked.files, "file"),
            plural(walked.html, "HTML page"),
            mb(walked.bytes)
        )
    };
    let rows = [
        (
            format!("store: {VERSIONS} snapshots on disk"),
            mb(f.store_bytes),
            String::new(),
        ),
        (
            format!("from scratch ({VERSIONS} versions): wall"),
            scratch_walls,
            format!("< 5 s: {}", verdict(scratch_wall < FROM_SCRATCH_TARGET)),
        ),
        (
            format!("from scratch ({VERSIONS} versions): CPU time (user + sys)"),
            cpu(&f.scratch_runs),
            String::new(),
        ),
        (
            "reference work before each run from scratch (SHA-256 of 256 MiB, one thread)"
                .to_owned(),
            references(&f.scratch_runs),
            String::new(),
        ),
        (
            format!("from scratch ({VERSIONS} versions): peak RSS"),
            kib_mb(scratch_rss),
            format!(
                "< 500 MB: {}",
                verdict(scratch_rss * 1024 < RSS_TARGET_BYTES)
            ),
        ),
        (
            format!("re-render after a {}th snapshot: wall", VERSIONS + 1),
            rerender_walls,
            format!("< 1 s: {}", verdict(rerender_wall < RERENDER_TARGET)),
        ),
        (
            format!(
                "re-render after a {}th snapshot: CPU time (user + sys)",
                VERSIONS + 1
            ),
            cpu(&f.rerender_runs),
            String::new(),
        ),
        (
            format!("re-render after a {}th snapshot: peak RSS", VERSIONS + 1),
            kib_mb(rerender_rss),
            format!(
                "< 500 MB: {}",
                verdict(rerender_rss * 1024 < RSS_TARGET_BYTES)
            ),
        ),
        (
            "files the re-render wrote".to_owned(),
            format!(
                "{} in the new version (`v/{}/`), {} outside `v/`, {} in older versions{}",
                w.new_version,
                f.new_id,
                w.outside,
                w.older_versions,
                if w.older_examples.is_empty() {
                    String::new()
                } else {
                    format!(" (e.g. `{}`)", w.older_examples.join("`, `"))
                }
            ),
            format!(
                "older versions untouched: {}",
                verdict(w.older_versions == 0 && w.new_version > 0)
            ),
        ),
        (
            format!("site, {VERSIONS} versions"),
            site(&f.site12),
            String::new(),
        ),
        (
            format!("site, {} versions", VERSIONS + 1),
            site(&f.site13),
            String::new(),
        ),
        (
            "one version (`v/ID/`)".to_owned(),
            site(&f.new_version),
            String::new(),
        ),
        (
            format!("site, {} versions, by kind", VERSIONS + 1),
            kinds(&f.site13),
            String::new(),
        ),
        (
            "largest HTML page".to_owned(),
            format!(
                "`{}`, {}",
                f.site13.largest_html.0,
                size(f.site13.largest_html.1)
            ),
            format!(
                "≤ 2 MB: {}",
                verdict(f.site13.largest_html.1 <= PAGE_TARGET_BYTES)
            ),
        ),
        (
            "largest file".to_owned(),
            format!("`{}`, {}", f.site13.largest.0, size(f.site13.largest.1)),
            String::new(),
        ),
    ];
    for (figure, value, target) in rows {
        let _ = writeln!(out, "| {figure} | {value} | {target} |");
    }
    let _ = writeln!(
        out,
        "\nSetting up: writing the {} snapshots took {}. The whole benchmark, once built, took {}.",
        VERSIONS + 1,
        secs(f.write),
        secs(f.total)
    );
    out
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The 1-minute load average, when the system gives it.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Waits until the machine is quiet ([`QUIET_LOAD`], at most [`QUIET_WAIT`]) and says how it was.
fn quiet() -> String {
    let waiting = Instant::now();
    let mut load = load_average();
    if load.is_some_and(|l| l >= QUIET_LOAD) {
        progress(&format!(
            "waiting for the load average to fall below {QUIET_LOAD}"
        ));
    }
    while load.is_some_and(|l| l >= QUIET_LOAD) && waiting.elapsed() < QUIET_WAIT {
        std::thread::sleep(Duration::from_secs(2));
        load = load_average();
    }
    let waited = waiting.elapsed().as_secs_f64();
    load.map_or_else(String::new, |l| {
        if l < QUIET_LOAD {
            format!(
                " (1-minute load average before the timed runs: {l:.2}, after waiting {waited:.0} s for it to fall below {QUIET_LOAD})"
            )
        } else {
            format!(
                " (1-minute load average before the timed runs: {l:.2}: it did not fall below {QUIET_LOAD} in {waited:.0} s, so other work shared the machine)"
            )
        }
    })
}

/// A file's size: in kB under 1 MB.
fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        mb(bytes)
    }
}
