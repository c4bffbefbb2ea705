//! `posture verify`: every snapshot against its hash, and the chain.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::Completion;
use crate::cli::VerifyArgs;
use crate::output;
use crate::snapshot::{Store, verify_files, verify_store};

/// `posture verify`: every snapshot against its hash, and the chain.
pub(super) fn verify(args: &VerifyArgs) -> anyhow::Result<Completion> {
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
