//! `posture sandbox` and `posture demo`: the sandbox organization, and the story told on it.

use anyhow::Context;

use crate::Completion;
use crate::cli::{DemoArgs, RenderArgs, SandboxCommand, ScanArgs};
use crate::diff::diff as compare;
use crate::output::{self, ListOptions};
use crate::sandbox::Sandbox;
use crate::snapshot::Store;

use super::scan::scan;
use super::site::render_site;

pub(super) fn sandbox(command: SandboxCommand) -> anyhow::Result<()> {
    let sandbox = Sandbox::locate();
    match command {
        SandboxCommand::Start(args) => {
            let running = sandbox.start_or_reuse(args.port)?;
            output::sandbox_running(&sandbox, &running)?;
        }
        SandboxCommand::Stop => output::sandbox_stopped(&sandbox.stop()?)?,
        SandboxCommand::Status => output::sandbox_status(&sandbox, &sandbox.status()?)?,
        SandboxCommand::Seed(args) => output::seeded(&sandbox.seed(args.members)?)?,
        SandboxCommand::Change => output::changed(&sandbox.change()?)?,
    }
    Ok(())
}

/// The demo on the sandbox organization: start (or reuse) the sandbox, seed it, scan, apply the
/// change step, scan again, and show the diff. It grows with the product (render).
pub(super) fn demo(args: DemoArgs) -> anyhow::Result<Completion> {
    let sandbox = Sandbox::locate();
    let running = sandbox.start_or_reuse(args.port)?;
    output::sandbox_running(&sandbox, &running)?;
    let description = sandbox.seed(args.members)?;
    // The seeded organization works in these two Regions; a real scan covers every enabled one.
    let store = args.store.snapshots_dir.to_string_lossy();
    // The demo tells the seeded story with every check, the default limits and two waivers (one
    // expired), whatever a posture.toml in the working directory says.
    let config = sandbox.state_dir().join("demo-posture.toml");
    std::fs::write(&config, DEMO_CONFIG)
        .with_context(|| format!("could not write {}", config.display()))?;
    let config = config.to_string_lossy();
    let scan_args = ScanArgs::from_flags(&[
        "--sandbox",
        "--config",
        &config,
        "--regions",
        &DEMO_REGIONS.join(","),
        "--snapshots-dir",
        &store,
    ])?;
    output::demo_step("scan before the change window")?;
    let (first, before) = scan(&scan_args)?;
    output::demo_step("the change window: two failures fixed, one new failure")?;
    sandbox.change()?;
    output::demo_step("scan after the change window")?;
    let (second, after) = scan(&scan_args)?;
    output::demo_step("what the change window changed (`posture diff`)")?;
    let store = Store::new(&args.store.snapshots_dir);
    let changes = compare(&store.read_summary(&before)?, &store.read_summary(&after)?);
    output::diff_table(&changes, &changes.gate(None), &ListOptions::default())?;
    output::demo_step("the site (`posture render`)")?;
    let report = render_site(&RenderArgs {
        store: args.store.clone(),
        out: args.out.clone(),
        templates: None,
        force: false,
    })?;
    output::demo_summary(&running, &description, &before, &after, &report.index)?;
    Ok(if first == Completion::Done && second == Completion::Done {
        Completion::Done
    } else {
        Completion::DoneWithErrors
    })
}

/// The configuration the demo scans with (`sandbox/demo-posture.toml`).
pub(super) const DEMO_CONFIG: &str = include_str!("../../sandbox/demo-posture.toml");

/// The Regions the demo organization uses.
pub(super) const DEMO_REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
