//! `posture reevaluate`: a stored scan's facts judged again by this posture's checks.

use anyhow::Context;

use crate::Completion;
use crate::cli::ReevaluateArgs;
use crate::config::ReevaluateConfig;
use crate::evaluate::{catalog, catalogue_version, evaluate};
use crate::output;
use crate::snapshot::{CheckRecord, Reevaluation, Snapshot, Store, read_snapshot};

use super::file_name;

/// `posture reevaluate`: the current checks over a stored snapshot's facts, into a new snapshot.
pub(super) fn reevaluate(args: &ReevaluateArgs) -> anyhow::Result<Completion> {
    let settings = ReevaluateConfig::load(args)?;
    let store = Store::new(&args.store.snapshots_dir);
    let path = store.resolve(&args.snapshot)?;
    let source = read_snapshot(&path)?;
    // The scan's limits unless --config or the flags set others.
    let thresholds = settings.thresholds.apply(source.scan.thresholds);
    let scanned_with = source.scan.thresholds;
    // The scan's Security OU unless --config's [landing_zone] names another.
    let landing_zone = settings
        .landing_zone
        .clone()
        .unwrap_or_else(|| source.scan.landing_zone.clone());
    // The scan's waivers unless --config names a file, whose waivers replace them.
    let waivers = settings
        .waivers
        .clone()
        .unwrap_or_else(|| source.waiver_entries());
    // The scan's checks unless --checks names others: a check the scan did not run finds its
    // facts only if that scan happened to collect them, and says ERROR where it did not.
    let wanted: Vec<String> = settings
        .checks
        .clone()
        .unwrap_or_else(|| source.scan.scope.checks.clone());
    let checks: Vec<CheckRecord> = catalog()
        .iter()
        .filter(|c| wanted.contains(&c.id))
        .map(CheckRecord::from)
        .collect();
    let same_checks = checks
        .iter()
        .map(|c| &c.id)
        .eq(source.scan.scope.checks.iter());
    if source.findings_catalogue_version() == catalogue_version()
        && thresholds == scanned_with
        && landing_zone == source.scan.landing_zone
        && waivers == source.waiver_entries()
        && same_checks
        && !args.force
    {
        anyhow::bail!(
            "{}: its findings already come from check catalogue {}, this posture's, and from the same thresholds, landing zone and waivers: a re-evaluation would change nothing (--force writes one anyway; --config or the threshold flags set other limits, landing zone and waivers)",
            path.display(),
            catalogue_version()
        );
    }
    let source_file = file_name(&path);
    let dropped: Vec<String> = source
        .scan
        .scope
        .checks
        .iter()
        .filter(|id| !catalog().iter().any(|c| &c.id == *id))
        .cloned()
        .collect();
    // Checks of this catalogue left out, so that the output can say how to add them.
    let left_out: Vec<String> = catalog()
        .iter()
        .filter(|c| !wanted.contains(&c.id))
        .map(|c| c.id.clone())
        .collect();
    // As of the scan's time, not now: the facts are that old.
    let findings = evaluate(
        &source.facts,
        &source.scan.finished_at,
        &thresholds,
        &landing_zone,
        |id| checks.iter().any(|c| c.id == id),
    );
    let mut scan = source.scan.clone();
    scan.scope.checks = checks.iter().map(|c| c.id.clone()).collect();
    // What the findings were judged with, so that `diff` against the source can tell a changed
    // limit from a changed key.
    scan.thresholds = thresholds;
    scan.landing_zone = landing_zone;
    let reevaluation = Reevaluation {
        source_file,
        source_sha256: source.integrity.content_sha256.clone(),
        reevaluated_at: jiff::Timestamp::now()
            .round(jiff::Unit::Millisecond)?
            .to_string(),
        posture_version: env!("CARGO_PKG_VERSION").to_owned(),
        catalogue_version: catalogue_version().to_owned(),
    };
    let mut snapshot = Snapshot::new(
        scan,
        Some(reevaluation),
        checks,
        source.accounts,
        findings,
        source.facts,
    );
    snapshot.apply_waivers(&waivers);
    let written = store
        .write(&mut snapshot, Some("reevaluated"))
        .with_context(|| {
            format!(
                "could not write the re-evaluation to {}",
                store.dir().display()
            )
        })?;
    output::reevaluated(
        &path,
        &written,
        &snapshot,
        &source.scan,
        &dropped,
        &left_out,
    )?;
    output::waiver_warnings(&snapshot);
    Ok(Completion::Done)
}
