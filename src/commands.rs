//! Command glue: what each command does, in terms of the library's stages, with `anyhow` context
//! naming the input that failed. No logic of its own beyond sequencing, and no printing except
//! through `output`.

use anyhow::Context;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use tracing::{debug, info, warn};

use crate::Completion;
use crate::aws::{
    AwsTarget, ClientFactory, check_endpoint_url, check_profile, session_name,
    upload_timeout_config,
};
use crate::cli::{
    ChecksArgs, Command, DemoArgs, DiffArgs, FailOn, PublishArgs, ReevaluateArgs, RenderArgs,
    SandboxCommand, ScanArgs, ServeArgs, VerifyArgs,
};
use crate::collect::{CollectPlan, Progress, collect};
use crate::config::{FreshAfter, ReevaluateConfig, RegionChoice, ScanConfig, Selection};
use crate::diff::diff as compare;
use crate::discover::{Inventory, discover};
use crate::evaluate::coverage::{CheckDetail, Coverage, Framework, Listing};
use crate::evaluate::{
    Severity, catalog, catalogue_version, evaluate, load_nist_csf_2_aws, nist_csf_2,
};
use crate::facts::{Collected, ScanFacts, SkippedAccount};
use crate::finding::Status;
use crate::output::{self, ListOptions};
use crate::publish::{DeletePolicy, PublishOptions, S3Location, cloudfront_domain, read_site};
use crate::sandbox::{Sandbox, SandboxStatus};
use crate::snapshot::{
    self, AccountOutcome, AccountRecord, CheckRecord, Reevaluation, RegionsRequested, ScanMetadata,
    ScopeRecord, Snapshot, SnapshotSummary, Store, read_snapshot, verify_files, verify_store,
};

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<Completion> {
    match command {
        Command::Scan(args) if args.preflight => preflight(&args),
        Command::Scan(args) => scan(&args).map(|(completion, _)| completion),
        Command::Diff(args) => diff(&args),
        Command::Verify(args) => verify(&args),
        Command::Reevaluate(args) => reevaluate(&args),
        Command::Checks(args) => checks(&args),
        Command::Sandbox(command) => sandbox(command).map(|()| Completion::Done),
        Command::Demo(args) => demo(args),
        Command::Render(args) => render_site(&args).map(|_| Completion::Done),
        Command::Serve(args) => serve(&args),
        Command::Publish(args) => publish(&args),
    }
}

/// `posture scan`: validate, discover, collect, evaluate, write the snapshot, summarize. Returns
/// how it ended and where the snapshot is.
fn scan(args: &ScanArgs) -> anyhow::Result<(Completion, PathBuf)> {
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
fn preflight(args: &ScanArgs) -> anyhow::Result<Completion> {
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
fn scan_target(runtime: &tokio::runtime::Runtime, args: &ScanArgs) -> anyhow::Result<AwsTarget> {
    aws_target(
        runtime,
        args.sandbox,
        args.profile.as_ref(),
        args.region.as_ref(),
        args.endpoint_url.as_ref(),
    )
}

/// The AWS a command's flags name: the running sandbox with `--sandbox`, else the standard chain
/// with the profile, Region and endpoint given. A profile the config files do not define
/// (`--profile`, or `AWS_PROFILE`) and an endpoint that is no URL (`--endpoint-url`, or
/// `AWS_ENDPOINT_URL`) are refused by name before any call.
fn aws_target(
    runtime: &tokio::runtime::Runtime,
    sandbox: bool,
    profile: Option<&String>,
    region: Option<&String>,
    endpoint_url: Option<&String>,
) -> anyhow::Result<AwsTarget> {
    if sandbox {
        return match Sandbox::locate().status()? {
            SandboxStatus::Running(running) => Ok(AwsTarget::sandbox(running.endpoint)),
            _ => anyhow::bail!(
                "--sandbox: no sandbox is running; start one with `posture sandbox start`"
            ),
        };
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // AWS_PROFILE is the SDK's to read; it is checked here as --profile is. Not when access keys
    // are in the environment: the chain takes those first and never reads the profile's.
    let named = match profile {
        Some(profile) => Some(("--profile", profile.clone())),
        None if env("AWS_ACCESS_KEY_ID").is_none() => {
            env("AWS_PROFILE").map(|profile| ("AWS_PROFILE", profile))
        }
        None => None,
    };
    if let Some((source, profile)) = &named
        && let Err(problem) = runtime.block_on(check_profile(profile))
    {
        anyhow::bail!("{source}: {}", problem.describe(profile));
    }
    let endpoint = match endpoint_url {
        Some(url) => Some(("--endpoint-url", url.clone())),
        None => env("AWS_ENDPOINT_URL").map(|url| ("AWS_ENDPOINT_URL", url)),
    };
    if let Some((source, url)) = &endpoint
        && let Err(reason) = check_endpoint_url(url)
    {
        anyhow::bail!(
            "{source}: {url:?} is not an endpoint URL ({reason}): give one like https://host or http://127.0.0.1:4566"
        );
    }
    Ok(AwsTarget::new(
        profile.cloned(),
        region.cloned(),
        endpoint_url.cloned(),
    ))
}

/// The instant a credential report must be newer than (see [`FreshAfter`]): for `previous`,
/// when the newest snapshot's scan ended (none in an empty store).
fn fresh_after(store: &Store, choice: FreshAfter) -> anyhow::Result<Option<jiff::Timestamp>> {
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
async fn plan_scan(
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
    let management = inventory.organization.management_account_id.clone();
    let access_analyzer_admin =
        crate::collect::access_analyzer_holder(&inventory.delegated_admins, &management);
    let plan = CollectPlan {
        management_account_id: management.clone(),
        caller_account_id: inventory.caller.account_id.clone(),
        accounts: selection.scan.clone(),
        regions: selection.regions.clone(),
        role_name: config.role_name.clone(),
        external_id: config.external_id.clone(),
        session_name: session_name(),
        concurrency: config.concurrency,
        organizations_admins: inventory.delegated_admins.clone(),
        access_analyzer_admin,
        organizational_units: inventory
            .organizational_units
            .iter()
            .map(|ou| (ou.id.clone(), ou.path.clone()))
            .collect(),
        fresh_after,
    };
    Ok((inventory, selection, plan))
}

/// Discovers, collects and evaluates: the snapshot of one scan, not yet stored.
async fn run_scan(
    target: AwsTarget,
    config: &ScanConfig,
    fresh_after: Option<jiff::Timestamp>,
    quiet: bool,
) -> anyhow::Result<Snapshot> {
    let started_at = jiff::Timestamp::now();
    let factory = ClientFactory::load(target).await;
    let (inventory, selection, plan) = plan_scan(&factory, config, fresh_after).await?;
    let management = plan.management_account_id.clone();
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
    let findings = evaluate(&facts, &finished_at, &config.thresholds, |id| {
        config.checks.iter().any(|c| c == id)
    });
    let mut snapshot = Snapshot {
        format: snapshot::FORMAT.to_owned(),
        schema_version: snapshot::SCHEMA_VERSION,
        integrity: snapshot::unsealed(),
        scan: ScanMetadata {
            posture_version: env!("CARGO_PKG_VERSION").to_owned(),
            catalogue_version: catalogue_version().to_owned(),
            // Always three fractional digits, so that snapshot names (taken from it) sort by time
            // even for two scans in one second.
            started_at: started_at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            finished_at,
            caller_arn: inventory.caller.arn.clone(),
            caller_account_id: inventory.caller.account_id.clone(),
            organization_id: inventory.organization.id.clone(),
            management_account_id: management,
            scope: ScopeRecord {
                accounts: config.scope.accounts.iter().cloned().collect(),
                exclude_accounts: config.scope.exclude_accounts.iter().cloned().collect(),
                ous: config.scope.ous.clone(),
                regions_requested: match &config.scope.regions {
                    RegionChoice::Enabled => RegionsRequested::Enabled,
                    RegionChoice::All => RegionsRequested::All,
                    RegionChoice::Listed(list) => RegionsRequested::Listed(list.clone()),
                },
                regions: selection.regions.clone(),
                checks: config.checks.clone(),
                role_name: config.role_name.clone(),
                emails_kept: config.keep_emails,
            },
            thresholds: config.thresholds,
            waivers: Vec::new(),
        },
        reevaluation: None,
        checks: catalog()
            .iter()
            .filter(|c| config.checks.contains(&c.id))
            .map(CheckRecord::from)
            .collect(),
        accounts: account_records(&inventory, &selection, &facts, config.keep_emails),
        findings,
        facts,
    };
    snapshot.apply_waivers(&config.waivers);
    Ok(snapshot)
}

/// Every account in scope with what the scan did there and the errors it met.
fn account_records(
    inventory: &Inventory,
    selection: &Selection,
    facts: &ScanFacts,
    keep_emails: bool,
) -> Vec<AccountRecord> {
    let mut records = Vec::new();
    for account in &inventory.accounts {
        let outcome = if selection.skip.iter().any(|(id, _)| id == &account.id) {
            (AccountOutcome::Skipped, Vec::new())
        } else if let Some(scanned) = facts.accounts.iter().find(|f| f.account_id == account.id) {
            let errors = scanned.errors();
            if matches!(scanned.access, Collected::Error(_)) {
                (AccountOutcome::Unreachable, errors)
            } else if errors.is_empty() {
                (AccountOutcome::Scanned, errors)
            } else {
                (AccountOutcome::ScannedWithErrors, errors)
            }
        } else {
            (AccountOutcome::Excluded, Vec::new())
        };
        records.push(AccountRecord {
            id: account.id.clone(),
            name: account.name.clone(),
            email: keep_emails.then(|| account.email.clone()),
            ou_path: account.ou_path.clone(),
            ou_ids: account.ou_ids.clone(),
            status: account.status.clone(),
            outcome: outcome.0,
            errors: outcome.1,
        });
    }
    records
}

/// The progress of the collection: a bar on a terminal, log lines otherwise, nothing with --quiet.
struct ScanProgress {
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

fn sandbox(command: SandboxCommand) -> anyhow::Result<()> {
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
fn demo(args: DemoArgs) -> anyhow::Result<Completion> {
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

/// `posture render`: the site from every snapshot in the store.
fn render_site(args: &RenderArgs) -> anyhow::Result<crate::render::RenderReport> {
    let report = crate::render::render(&crate::render::RenderOptions {
        snapshots_dir: args.store.snapshots_dir.clone(),
        out_dir: args.out.clone(),
        templates_dir: args.templates.clone(),
        force: args.force,
    })?;
    output::rendered(&report)?;
    Ok(report)
}

/// `posture publish`: the site to S3. The URL, the CloudFront domain and the site's folder are
/// checked before any AWS call.
fn publish(args: &PublishArgs) -> anyhow::Result<Completion> {
    let location = S3Location::parse(&args.target)?;
    let cloudfront_domain = args
        .cloudfront_domain
        .as_deref()
        .map(cloudfront_domain)
        .transpose()?;
    let site = read_site(&args.site)?;
    let runtime = runtime()?;
    let target = aws_target(
        &runtime,
        args.sandbox,
        args.profile.as_ref(),
        args.region.as_ref(),
        args.endpoint_url.as_ref(),
    )?
    .with_timeouts(upload_timeout_config());
    let options = PublishOptions {
        location,
        dry_run: args.dry_run,
        policy: DeletePolicy {
            delete: args.delete,
            prune_versions: args.prune_versions,
        },
        concurrency: args.concurrency,
        multipart_threshold: args.multipart_threshold,
        cloudfront_domain,
    };
    let report = runtime.block_on(async {
        let factory = ClientFactory::load(target).await;
        crate::publish::publish(&factory, &site, &options).await
    })?;
    output::published(&report)?;
    Ok(Completion::Done)
}

/// `posture serve`: the site on 127.0.0.1 until interrupted.
fn serve(args: &ServeArgs) -> anyhow::Result<Completion> {
    let server = crate::render::Server::bind(&args.out, args.port)?;
    output::serving(&args.out, &server.url())?;
    server.run();
    Ok(Completion::Done)
}

/// `posture diff`: compare two snapshots, print the changes, exit 1 on regressions.
fn diff(args: &DiffArgs) -> anyhow::Result<Completion> {
    let store = Store::new(&args.store.snapshots_dir);
    let ((old, old_summary), (new, new_summary)) = diff_pair(&store, args)?;
    let (a, b) = (
        &old_summary.scan.organization_id,
        &new_summary.scan.organization_id,
    );
    if a != b && !args.force {
        anyhow::bail!(
            "{} is of organization {a}, {} of organization {b}: their findings are not comparable; pass --force to compare them anyway",
            old.display(),
            new.display()
        );
    }
    if new_summary.scan.started_at < old_summary.scan.started_at && !args.force {
        anyhow::bail!(
            "{} (scan of {}) is older than {} (scan of {}): the diff would run backwards in time; give them the other way round, or pass --force",
            new.display(),
            new_summary.scan.started_at,
            old.display(),
            old_summary.scan.started_at
        );
    }
    for (path, summary) in [(&old, &old_summary), (&new, &new_summary)] {
        if file_name(path) != summary.integrity.file {
            warn!(
                "{} was written as {}: it was renamed or copied; `posture verify` checks the store",
                path.display(),
                summary.integrity.file
            );
        }
    }
    let mut changes = compare(&old_summary, &new_summary);
    // Say which files were read, whatever they were once called.
    changes.old.file = file_name(&old);
    changes.new.file = file_name(&new);
    let gate = changes.gate(match args.fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    });
    let printed = if args.json {
        output::diff_json(&changes, &gate)
    } else if args.markdown {
        output::diff_markdown(
            &changes,
            &gate,
            &ListOptions {
                limit: args.limit,
                all: args.all,
            },
        )
    } else {
        output::diff_table(
            &changes,
            &gate,
            &ListOptions {
                limit: args.limit,
                all: args.all,
            },
        )
    };
    match printed {
        // A reader that stopped early (`| head`) does not change the answer.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(if gate.fails {
        Completion::Bad
    } else {
        Completion::Done
    })
}

/// The two snapshots `diff` compares, read: the two named; the one named and the newest; or
/// by default the newest and the scan before it. A re-evaluation is compared with the snapshot
/// it re-evaluated, and a scan never with a re-evaluation, whose facts are older than they look.
fn diff_pair(
    store: &Store,
    args: &DiffArgs,
) -> anyhow::Result<((PathBuf, SnapshotSummary), (PathBuf, SnapshotSummary))> {
    let read = |path: PathBuf| -> anyhow::Result<(PathBuf, SnapshotSummary)> {
        let summary = store.read_summary(&path)?;
        Ok((path, summary))
    };
    // Read at once: on two cores that halves the wait for large snapshots.
    let read_both = |old: PathBuf, new: PathBuf| {
        std::thread::scope(|scope| {
            let old_read = scope.spawn(|| read(old));
            let new = read(new)?;
            let old = old_read
                .join()
                .map_err(|_| anyhow::anyhow!("reading the older snapshot panicked"))??;
            Ok((old, new))
        })
    };
    match (&args.old, &args.new) {
        (Some(old), Some(new)) => {
            let (old, new) = (store.resolve(old)?, store.resolve(new)?);
            if same_file(&old, &new) {
                anyhow::bail!(
                    "OLD and NEW are the same file, {}: a snapshot compared with itself shows no change; name two different snapshots (without them, the newest is compared with the scan before it)",
                    new.display()
                );
            }
            let (old, new) = read_both(old, new)?;
            if old.1.integrity.content_sha256 == new.1.integrity.content_sha256 {
                anyhow::bail!(
                    "{} and {} hold the same snapshot (sha256 {}): one is a copy of the other, so the diff would show no change; name two different snapshots",
                    old.0.display(),
                    new.0.display(),
                    new.1.integrity.content_sha256
                );
            }
            Ok((old, new))
        }
        (Some(old), None) => {
            let old = store.resolve(old)?;
            let newest = store.newest(1)?.remove(0).path;
            if same_file(&old, &newest) {
                anyhow::bail!(
                    "{} is the newest snapshot: name a NEW to compare it with, or an older OLD",
                    old.display()
                );
            }
            read_both(old, newest)
        }
        (None, _) => {
            let all = store.newest(2).map(|_| store.list())??;
            let (newest, older) = all.split_last().expect("two or more");
            let is_reevaluation = |name: &str| name.contains(REEVALUATED_MARK);
            if is_reevaluation(&newest.name) {
                let new = read(newest.path.clone())?;
                let source = new.1.reevaluation.as_ref().map(|r| r.source_file.as_str());
                if let Some(source) = older.iter().find(|s| Some(s.name.as_str()) == source) {
                    return Ok((read(source.path.clone())?, new));
                }
            }
            let Some(previous) = older.iter().rev().find(|s| !is_reevaluation(&s.name)) else {
                anyhow::bail!(
                    "no scan before {} in {}: name the two snapshots to compare",
                    newest.name,
                    store.dir().display()
                );
            };
            read_both(previous.path.clone(), newest.path.clone())
        }
    }
}

/// Whether two paths name one file, however spelt (`x.json`, `./x.json`, a symbolic link,
/// the name in the store and the path to it).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What marks a re-evaluation's file name (`…-reevaluated.json`).
const REEVALUATED_MARK: &str = "-reevaluated.";

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `posture verify`: every snapshot against its hash, and the chain.
fn verify(args: &VerifyArgs) -> anyhow::Result<Completion> {
    if !args.files.is_empty() {
        let results = verify_files(&args.files);
        output::verified_files(&args.files, &results)?;
        return Ok(if results.iter().all(Result::is_ok) {
            Completion::Done
        } else {
            Completion::Bad
        });
    }
    let store = Store::new(&args.store.snapshots_dir);
    let total = store.list()?.len();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar
    });
    let mut verification = verify_store(&store, |name| {
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(name.to_owned());
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for sha256 in &args.expect {
        verification.expect(sha256);
    }
    output::verification(store.dir(), &verification)?;
    if !verification.intact() {
        return Ok(Completion::Bad);
    }
    if let Some(newer) = verification.newer.first() {
        anyhow::bail!("{newer}");
    }
    Ok(Completion::Done)
}

/// `posture reevaluate`: the current checks over a stored snapshot's facts, into a new snapshot.
fn reevaluate(args: &ReevaluateArgs) -> anyhow::Result<Completion> {
    let settings = ReevaluateConfig::load(args)?;
    let store = Store::new(&args.store.snapshots_dir);
    let path = store.resolve(&args.snapshot)?;
    let source = read_snapshot(&path)?;
    // The scan's limits unless --config or the flags set others.
    let thresholds = settings.thresholds.apply(source.scan.thresholds);
    let scanned_with = source.scan.thresholds;
    // The scan's waivers unless --config names a file, whose waivers replace them.
    let waivers = settings
        .waivers
        .clone()
        .unwrap_or_else(|| source.waiver_entries());
    if source.findings_catalogue_version() == catalogue_version()
        && thresholds == scanned_with
        && waivers == source.waiver_entries()
        && !args.force
    {
        anyhow::bail!(
            "{}: its findings already come from check catalogue {}, this posture's, and from the same thresholds and waivers: a re-evaluation would change nothing (--force writes one anyway; --config or the threshold flags set other limits and waivers)",
            path.display(),
            catalogue_version()
        );
    }
    let source_file = file_name(&path);
    // Only the checks the scan ran: a check added since would find none of its facts collected.
    let checks: Vec<CheckRecord> = catalog()
        .iter()
        .filter(|c| source.scan.scope.checks.contains(&c.id))
        .map(CheckRecord::from)
        .collect();
    let dropped: Vec<String> = source
        .scan
        .scope
        .checks
        .iter()
        .filter(|id| !checks.iter().any(|c| &c.id == *id))
        .cloned()
        .collect();
    // As of the scan's time, not now: the facts are that old.
    let findings = evaluate(&source.facts, &source.scan.finished_at, &thresholds, |id| {
        checks.iter().any(|c| c.id == id)
    });
    let mut scan = source.scan.clone();
    scan.scope.checks = checks.iter().map(|c| c.id.clone()).collect();
    // What the findings were judged with, so that `diff` against the source can tell a changed
    // limit from a changed key.
    scan.thresholds = thresholds;
    let mut snapshot = Snapshot {
        format: snapshot::FORMAT.to_owned(),
        schema_version: snapshot::SCHEMA_VERSION,
        integrity: snapshot::unsealed(),
        scan,
        reevaluation: Some(Reevaluation {
            source_file,
            source_sha256: source.integrity.content_sha256.clone(),
            reevaluated_at: jiff::Timestamp::now()
                .round(jiff::Unit::Millisecond)?
                .to_string(),
            posture_version: env!("CARGO_PKG_VERSION").to_owned(),
            catalogue_version: catalogue_version().to_owned(),
        }),
        checks,
        accounts: source.accounts,
        findings,
        facts: source.facts,
    };
    snapshot.apply_waivers(&waivers);
    let written = store
        .write(&mut snapshot, Some("reevaluated"))
        .with_context(|| {
            format!(
                "could not write the re-evaluation to {}",
                store.dir().display()
            )
        })?;
    output::reevaluated(&path, &written, &snapshot, &scanned_with, &dropped)?;
    output::waiver_warnings(&snapshot);
    Ok(Completion::Done)
}

/// `posture checks`: the catalogue, one check, or a framework's coverage. Reads nothing but the
/// embedded catalogue, so it needs no credentials and no store.
fn checks(args: &ChecksArgs) -> anyhow::Result<Completion> {
    let version = catalogue_version();
    if let Some(name) = &args.framework {
        let framework: Framework = name.parse().context("--framework")?;
        let evidence;
        let coverage = match framework {
            Framework::NistCsf2 => {
                evidence = load_nist_csf_2_aws()?;
                Coverage::nist_csf_2(version, catalog(), nist_csf_2(), &evidence)?
            }
        };
        if args.json {
            output::json(&coverage)?;
        } else {
            output::coverage(&coverage)?;
        }
    } else if let Some(id) = &args.id {
        let detail = CheckDetail::find(id, version, catalog(), nist_csf_2())?;
        if args.json {
            output::json(&detail)?;
        } else {
            output::check_detail(&detail)?;
        }
    } else {
        let listing = Listing {
            catalogue_version: version,
            checks: catalog(),
        };
        if args.json {
            output::json(&listing)?;
        } else {
            output::checks_table(&listing)?;
        }
    }
    Ok(Completion::Done)
}

/// The configuration the demo scans with (`sandbox/demo-posture.toml`).
const DEMO_CONFIG: &str = include_str!("../sandbox/demo-posture.toml");

/// The Regions the demo organization uses.
const DEMO_REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// The async runtime for the commands that talk to AWS; the sandbox commands need none.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
