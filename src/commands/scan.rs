//! `posture scan`: validate, discover, collect, evaluate, write the snapshot; and `--preflight`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use tracing::{debug, info, warn};

use crate::Completion;
use crate::aws::{AwsTarget, ClientFactory, session_name};
use crate::cli::ScanArgs;
use crate::collect::{CollectPlan, Progress, collect};
use crate::config::{FreshAfter, RegionChoice, ScanConfig, Selection};
use crate::discover::{Inventory, discover};
use crate::evaluate::evaluate;
use crate::facts::{Collected, ScanFacts, SkippedAccount};
use crate::finding::Status;
use crate::output;
use crate::snapshot::{ScanResult, Snapshot, Store};

use super::{aws_target, runtime};

/// `posture scan`: validate, discover, collect, evaluate, write the snapshot, summarize. Returns
/// how it ended and where the snapshot is.
pub(super) fn scan(args: &ScanArgs) -> anyhow::Result<(Completion, PathBuf)> {
    // First: a bad flag or configuration file stops the scan before any AWS call.
    let config = ScanConfig::load(args)?;
    match &config.config_file {
        Some(path) => debug!(file = %path.display(), "configuration read"),
        None => debug!("no configuration file; defaults and flags only"),
    }
    // Hours of collecting must never end in a store that cannot take the snapshot.
    let store = Store::new(&config.snapshots_dir);
    store.check_writable()?;
    let runtime = runtime()?;
    let target = scan_target(&runtime, args)?;
    let fresh_after = fresh_after(&store, config.fresh_after)?;
    let mut snapshot = runtime.block_on(run_scan(target, &config, fresh_after, args.quiet))?;
    let path = store.write(&mut snapshot, None)?;
    if !args.quiet {
        output::scan_summary(&snapshot, &path, config.config_file.as_deref())?;
    }
    output::waiver_warnings(&snapshot);
    let read_everything = snapshot.accounts.iter().all(|a| a.errors.is_empty())
        && snapshot.findings.iter().all(|f| f.status != Status::Error);
    let completion = if read_everything {
        Completion::Done
    } else {
        Completion::DoneWithErrors
    };
    Ok((completion, path))
}

/// `posture scan --preflight`: before a long scan, whether it can run: the store can be written,
/// the organization discovered, each account's role assumed, and the organization-wide reads made
/// from here. Reads nothing else and writes no snapshot; exit status as a scan's (3: something
/// cannot be read).
pub(super) fn preflight(args: &ScanArgs) -> anyhow::Result<Completion> {
    let config = ScanConfig::load(args)?;
    let store = Store::new(&config.snapshots_dir).check_writable();
    let runtime = runtime()?;
    let target = scan_target(&runtime, args)?;
    let report = runtime.block_on(async {
        let factory = ClientFactory::load(target).await;
        let (inventory, _, plan) = plan_scan(&factory, &config, None).await?;
        let accounts = crate::collect::reach(&factory, &plan).await;
        let organization_reads = crate::collect::organization_reads(&factory, &plan).await;
        anyhow::Ok(output::Preflight {
            inventory,
            role_name: plan.role_name,
            store: store.map_err(|err| format!("{:#}", anyhow::Error::new(err))),
            accounts,
            organization_reads,
        })
    })?;
    output::preflight(&report)?;
    Ok(if report.ready() {
        Completion::Done
    } else {
        Completion::DoneWithErrors
    })
}

/// The AWS `posture scan`'s flags name (see [`aws_target`]).
pub(super) fn scan_target(
    runtime: &tokio::runtime::Runtime,
    args: &ScanArgs,
) -> anyhow::Result<AwsTarget> {
    aws_target(
        runtime,
        args.sandbox,
        args.profile.as_ref(),
        args.region.as_ref(),
        args.endpoint_url.as_ref(),
    )
}

/// The instant a credential report must be newer than (see [`FreshAfter`]): for `previous`,
/// when the newest snapshot's scan ended (none in an empty store).
pub(super) fn fresh_after(
    store: &Store,
    choice: FreshAfter,
) -> anyhow::Result<Option<jiff::Timestamp>> {
    Ok(match choice {
        FreshAfter::Any => None,
        FreshAfter::At(instant) => Some(instant),
        FreshAfter::Previous => match store.list()?.last() {
            None => None,
            Some(newest) => {
                let finished = store
                    .read_summary(&newest.path)
                    .map_err(|err| err.to_string())
                    .and_then(|summary| {
                        let end = summary.scan.finished_at;
                        end.parse()
                            .map_err(|_| format!("its end, {end:?}, is not an RFC 3339 time"))
                    });
                match finished {
                    Ok(finished) => Some(finished),
                    // No report can be shown to be newer than a scan whose end is unknown.
                    Err(err) => {
                        warn!(
                            "cannot tell when the newest snapshot's scan ended ({err}): every account's IAM users are read live"
                        );
                        Some(jiff::Timestamp::now())
                    }
                }
            }
        },
    })
}

/// Discovers the organization and plans what a scan of `config`'s scope reads.
pub(super) async fn plan_scan(
    factory: &ClientFactory,
    config: &ScanConfig,
    fresh_after: Option<jiff::Timestamp>,
) -> anyhow::Result<(Inventory, Selection, CollectPlan)> {
    let inventory = discover(factory, config.scope.regions == RegionChoice::Enabled).await?;
    let enabled = match &inventory.enabled_regions {
        Some(Collected::Error(err)) => anyhow::bail!(
            "could not list the Regions enabled for account {} ({}: {}): name them with --regions",
            inventory.caller.account_id,
            err.action,
            err.message
        ),
        Some(Collected::Ok(regions)) => regions.clone(),
        None => Vec::new(),
    };
    let selection = config.scope.select(&inventory, &enabled)?;
    let plan = CollectPlan::new(&inventory, &selection, config, session_name(), fresh_after);
    Ok((inventory, selection, plan))
}

/// Discovers, collects and evaluates: the snapshot of one scan, not yet stored.
pub(super) async fn run_scan(
    target: AwsTarget,
    config: &ScanConfig,
    fresh_after: Option<jiff::Timestamp>,
    quiet: bool,
) -> anyhow::Result<Snapshot> {
    let started_at = jiff::Timestamp::now();
    let factory = ClientFactory::load(target).await;
    let (inventory, selection, plan) = plan_scan(&factory, config, fresh_after).await?;
    let progress = ScanProgress::new(selection.scan.len(), quiet);
    let (organization, accounts) = collect(&factory, &plan, &|event| progress.record(&event)).await;
    progress.finish();
    let facts = ScanFacts {
        organization,
        accounts,
        skipped_accounts: selection
            .skip
            .iter()
            .map(|(account_id, reason)| SkippedAccount {
                account_id: account_id.clone(),
                reason: reason.clone(),
            })
            .collect(),
        regions: selection.regions.clone(),
    };
    // The snapshot keeps the instant the findings were evaluated at (key ages count to it), so a
    // re-evaluation of the same facts gives the same findings.
    let finished_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string();
    let findings = evaluate(
        &facts,
        &finished_at,
        &config.thresholds,
        &config.landing_zone,
        |id| config.checks.iter().any(|c| c == id),
    );
    Ok(Snapshot::of_scan(ScanResult {
        inventory: &inventory,
        selection: &selection,
        config,
        started_at,
        finished_at,
        facts,
        findings,
    }))
}

/// The progress of the collection: a bar on a terminal, log lines otherwise, nothing with --quiet.
pub(super) struct ScanProgress {
    bar: Option<ProgressBar>,
    total: usize,
    done: AtomicUsize,
    errors: AtomicUsize,
    quiet: bool,
}

impl ScanProgress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} accounts, {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_message("0 errors");
            bar
        });
        Self {
            bar,
            total,
            done: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            quiet,
        }
    }

    fn record(&self, event: &Progress) {
        let Progress::AccountDone { account_id, errors } = event;
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let all_errors = self.errors.fetch_add(*errors, Ordering::Relaxed) + errors;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(format!("{all_errors} errors"));
            }
            // Without a terminal, a line per tenth of the accounts and per account with errors:
            // a CI log of a 1,000-account scan stays readable.
            None if !self.quiet
                && (*errors > 0
                    || done.is_multiple_of(self.total.div_ceil(10).max(1))
                    || done == self.total) =>
            {
                info!(account = %account_id, errors, "account {done}/{} done", self.total);
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
