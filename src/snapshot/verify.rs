//! `posture verify`: checks every snapshot in a store against its own content hash, and the
//! chain of hashes from each snapshot to the one before it, one file at a time (memory does not
//! grow with the number of snapshots). The first problem in name order is the first file that
//! was altered, removed or reordered.
//!
//! What the chain cannot show by itself: the removal of the newest snapshots. `verify` prints the
//! newest content hash so it can be kept elsewhere (a change ticket, the published site).

use std::collections::BTreeSet;

use super::file::{self, Header, SnapshotProblem};
use super::store::{Listing, Store, StoreError};

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Every snapshot checked, oldest first, with its content hash when it could be read.
    pub files: Vec<(String, Option<String>)>,
    /// Every problem, in name order: the first names the first file that is not as written.
    pub problems: Vec<ChainProblem>,
    /// Files in the store that are not snapshots (ignored).
    pub ignored: Vec<String>,
    /// Temporary files an interrupted write left (harmless; the next write removes them).
    pub temporary: Vec<String>,
}

/// A file that breaks the evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    /// Its content is not what was written (or it cannot be read at all).
    #[error("{file}: {reason}")]
    Unreadable {
        /// The file.
        file: String,
        /// What is wrong (truncated, corrupted, altered, …).
        reason: String,
    },
    /// Its name is not the one it was written under.
    #[error("{file}: renamed or reordered: it was written as {written_as}; give it back its name")]
    Renamed {
        /// The file.
        file: String,
        /// The name it records.
        written_as: String,
    },
    /// The snapshot it follows is not in the store.
    #[error(
        "{file}: the snapshot before it, {previous}, is missing: it was removed or moved out of the store"
    )]
    Missing {
        /// The file.
        file: String,
        /// The snapshot it records as the one before it.
        previous: String,
    },
    /// The snapshot it follows is in the store, but not right before it.
    #[error("{file}: reordered: it follows {previous}, but comes after {comes_after}")]
    Reordered {
        /// The file.
        file: String,
        /// The snapshot it records as the one before it.
        previous: String,
        /// The snapshot before it by name.
        comes_after: String,
    },
    /// It follows the right file name but not that file's content.
    #[error(
        "{file}: the snapshot before it, {previous}, is not the one it was written after (its content hash differs)"
    )]
    Replaced {
        /// The file.
        file: String,
        /// The snapshot before it.
        previous: String,
    },
    /// A snapshot known to have been in the store (its hash kept elsewhere) is not.
    #[error(
        "no snapshot in the store has content hash {sha256}: the snapshot it was, and any after it, were removed or altered"
    )]
    ExpectedMissing {
        /// The hash asked for.
        sha256: String,
    },
    /// It starts a chain of its own in the middle of the store.
    #[error(
        "{file}: it records no snapshot before it, but comes after {comes_after}: it was added from elsewhere"
    )]
    Unchained {
        /// The file.
        file: String,
        /// The snapshot before it by name.
        comes_after: String,
    },
}

impl Verification {
    /// Whether every file and link is as written.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// Records a problem unless a snapshot with content hash `sha256` (or a hash starting with
    /// it, 12 digits or more) was checked: the newest hash that `verify` printed earlier and was
    /// kept elsewhere shows that nothing up to it was removed since.
    pub fn expect(&mut self, sha256: &str) {
        let wanted = sha256.to_ascii_lowercase();
        let found = wanted.len() >= 12
            && self
                .files
                .iter()
                .any(|(_, hash)| hash.as_deref().is_some_and(|h| h.starts_with(&wanted)));
        if !found {
            self.problems
                .push(ChainProblem::ExpectedMissing { sha256: wanted });
        }
    }

    /// The newest snapshot's name and content hash.
    pub fn head(&self) -> Option<(&str, &str)> {
        self.files
            .last()
            .and_then(|(name, hash)| hash.as_deref().map(|h| (name.as_str(), h)))
    }
}

/// Verifies every snapshot in `store` and the chain between them; `on_file` is called before
/// each file (for progress).
///
/// # Errors
/// When the store cannot be listed; problems with files are in the [`Verification`].
pub fn verify_store(
    store: &Store,
    mut on_file: impl FnMut(&str),
) -> Result<Verification, StoreError> {
    let Listing {
        snapshots,
        others: ignored,
        temporary,
    } = store.listing()?;
    let names: BTreeSet<&str> = snapshots.iter().map(|s| s.name.as_str()).collect();
    let mut verification = Verification {
        files: Vec::with_capacity(snapshots.len()),
        problems: Vec::new(),
        ignored,
        temporary,
    };
    // The file before the current one, and the hashes a link to it may name: the one it records
    // and, when it was altered, the one its content has (a hash digit flipped in the file is the
    // file's problem, not the next one's).
    let mut before: Option<(&str, Vec<String>)> = None;
    for snapshot in &snapshots {
        on_file(&snapshot.name);
        let file = snapshot.name.clone();
        let mut accepted = Vec::new();
        let header = match file::hash_snapshot(&snapshot.path) {
            Ok(header) => Some(header),
            // Not evidence of tampering: this posture cannot check it at all.
            Err(err) if matches!(err.problem, SnapshotProblem::FutureVersion(_)) => {
                return Err(err.into());
            }
            Err(err) => {
                if let SnapshotProblem::Altered { actual, .. } = &err.problem {
                    accepted.push(actual.clone());
                }
                verification.problems.push(ChainProblem::Unreadable {
                    file: file.clone(),
                    reason: err.problem.to_string(),
                });
                // An altered file still says which hash it was written with: the chain is
                // checked against that, so only the altered file itself is named.
                file::read_header(&snapshot.path).ok()
            }
        };
        if let Some(Header { integrity, .. }) = &header {
            if integrity.file != snapshot.name {
                // Its link would be checked from the wrong place; the rename says it all.
                verification.problems.push(ChainProblem::Renamed {
                    file: file.clone(),
                    written_as: integrity.file.clone(),
                });
            } else if let Some(problem) = link_problem(&file, integrity, before.as_ref(), &names) {
                verification.problems.push(problem);
            }
            accepted.push(integrity.content_sha256.clone());
        }
        let recorded = header.map(|h| h.integrity.content_sha256);
        verification.files.push((file, recorded));
        before = Some((snapshot.name.as_str(), accepted));
    }
    Ok(verification)
}

/// Whether the link from `file` to the snapshot before it holds.
fn link_problem(
    file: &str,
    integrity: &super::Integrity,
    before: Option<&(&str, Vec<String>)>,
    names: &BTreeSet<&str>,
) -> Option<ChainProblem> {
    let recorded_previous = integrity.previous_file.as_deref();
    match (before, &integrity.previous_sha256) {
        (None, None) => None,
        (None, Some(_)) => Some(ChainProblem::Missing {
            file: file.to_owned(),
            previous: recorded_previous.unwrap_or("(unnamed)").to_owned(),
        }),
        (Some((comes_after, _)), None) if recorded_previous.is_none() => {
            Some(ChainProblem::Unchained {
                file: file.to_owned(),
                comes_after: (*comes_after).to_owned(),
            })
        }
        // Written after a snapshot that was already unreadable: its name is all there is.
        (Some((comes_after, _)), None) => {
            (recorded_previous != Some(comes_after)).then(|| ChainProblem::Missing {
                file: file.to_owned(),
                previous: recorded_previous.unwrap_or_default().to_owned(),
            })
        }
        (Some((comes_after, before_hashes)), Some(previous_hash)) => {
            if before_hashes.contains(previous_hash) {
                return None;
            }
            let previous = recorded_previous.unwrap_or("(unnamed)").to_owned();
            if before_hashes.is_empty() && recorded_previous == Some(comes_after) {
                // The file before is unreadable and already reported.
                return None;
            }
            Some(if recorded_previous == Some(comes_after) {
                ChainProblem::Replaced {
                    file: file.to_owned(),
                    previous,
                }
            } else if recorded_previous.is_some_and(|p| names.contains(p)) {
                ChainProblem::Reordered {
                    file: file.to_owned(),
                    previous,
                    comes_after: (*comes_after).to_owned(),
                }
            } else {
                ChainProblem::Missing {
                    file: file.to_owned(),
                    previous,
                }
            })
        }
    }
}

/// Checks single files against their own content hash, without a chain (a snapshot attached to
/// a ticket): each file's content hash, or what is wrong with it.
pub fn verify_files(paths: &[std::path::PathBuf]) -> Vec<Result<String, super::SnapshotError>> {
    paths
        .iter()
        .map(|path| file::hash_snapshot(path).map(|h| h.integrity.content_sha256))
        .collect()
}
