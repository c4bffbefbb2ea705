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
    /// Entries named like snapshots that are not regular files, with what they are (ignored,
    /// never opened).
    pub odd: Vec<String>,
    /// Temporary files an interrupted write left (harmless; the next write removes them).
    pub temporary: Vec<String>,
    /// Snapshots whose hash holds but whose schema is newer than this posture reads: not
    /// tampering, but not fully checked either.
    pub newer: Vec<String>,
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
    /// It was put between two snapshots: it claims the predecessor that the next one was
    /// written after.
    #[error(
        "{file}: inserted: it claims to follow {previous}, but {displaced} was written right after {previous}"
    )]
    Inserted {
        /// The inserted file.
        file: String,
        /// The snapshot both claim to follow.
        previous: String,
        /// The snapshot that really follows it.
        displaced: String,
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

    /// Records a problem unless a snapshot with content hash `sha256` (all 64 digits: a prefix
    /// is short enough to forge) was checked: the newest hash that `verify` printed earlier and
    /// was kept elsewhere shows that nothing up to it was removed since.
    pub fn expect(&mut self, sha256: &str) {
        let wanted = sha256.to_ascii_lowercase();
        let found = self
            .files
            .iter()
            .any(|(_, hash)| hash.as_deref() == Some(wanted.as_str()));
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
pub fn verify_store(store: &Store, on_file: impl FnMut(&str)) -> Result<Verification, StoreError> {
    verify_store_except(store, |_| false, on_file)
}

/// [`verify_store`], without hashing the content of the files `hashed_by_caller` names: the
/// caller reads them whole itself (with `read_snapshot*`, which checks the same hash and fails
/// when it does not hold), so only their headers and links are checked here. `render` reads
/// every snapshot it renders and would otherwise decompress and hash each twice.
///
/// # Errors
/// As [`verify_store`].
pub fn verify_store_except(
    store: &Store,
    hashed_by_caller: impl Fn(&str) -> bool,
    mut on_file: impl FnMut(&str),
) -> Result<Verification, StoreError> {
    let Listing {
        snapshots,
        others: ignored,
        odd,
        temporary,
    } = store.listing()?;
    let names: BTreeSet<&str> = snapshots.iter().map(|s| s.name.as_str()).collect();
    let mut verification = Verification {
        files: Vec::with_capacity(snapshots.len()),
        problems: Vec::new(),
        ignored,
        odd,
        temporary,
        newer: Vec::new(),
    };
    // The file before the current one, and the hashes a link to it may name: the one it records
    // and, when it was altered, the one its content has (a hash digit flipped in the file is the
    // file's problem, not the next one's).
    let mut before: Option<Before> = None;
    for snapshot in &snapshots {
        on_file(&snapshot.name);
        let file = snapshot.name.clone();
        let mut accepted = Vec::new();
        let checked = if hashed_by_caller(&snapshot.name) {
            file::read_header(&snapshot.path)
        } else {
            file::hash_snapshot(&snapshot.path)
        };
        let header = match checked {
            Ok(header) => Some(header),
            // Intact (its hash holds), but of a schema this posture does not know: not
            // tampering, and its links are still checked.
            Err(err) if matches!(err.problem, SnapshotProblem::FutureVersion(_)) => {
                verification.newer.push(err.to_string());
                file::read_header(&snapshot.path).ok()
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
        let previous_sha256 = header
            .as_ref()
            .and_then(|h| h.integrity.previous_sha256.clone());
        let recorded = header.map(|h| h.integrity.content_sha256);
        verification.files.push((file, recorded));
        before = Some(Before {
            name: snapshot.name.as_str(),
            hashes: accepted,
            previous_sha256,
        });
    }
    Ok(verification)
}

/// The snapshot before the one being checked.
struct Before<'a> {
    name: &'a str,
    /// The hashes a link to it may name: the one it records and, when it was altered, the one
    /// its content has.
    hashes: Vec<String>,
    /// The predecessor it records itself.
    previous_sha256: Option<String>,
}

/// Whether the link from `file` to the snapshot before it holds.
fn link_problem(
    file: &str,
    integrity: &super::Integrity,
    before: Option<&Before>,
    names: &BTreeSet<&str>,
) -> Option<ChainProblem> {
    let recorded_previous = integrity.previous_file.as_deref();
    let missing = || ChainProblem::Missing {
        file: file.to_owned(),
        previous: recorded_previous.unwrap_or("(unnamed)").to_owned(),
    };
    let Some(before) = before else {
        // The first file: it must not follow anything, by hash or (when the file it followed
        // was unreadable when it was written) by name.
        return (integrity.previous_sha256.is_some() || recorded_previous.is_some()).then(missing);
    };
    let comes_after = before.name;
    let Some(previous_hash) = &integrity.previous_sha256 else {
        return match recorded_previous {
            None => Some(ChainProblem::Unchained {
                file: file.to_owned(),
                comes_after: comes_after.to_owned(),
            }),
            // Written after a snapshot that was already unreadable: its name is all there is.
            Some(previous) => (previous != comes_after).then(missing),
        };
    };
    if before.hashes.contains(previous_hash) {
        return None;
    }
    if before.hashes.is_empty() && recorded_previous == Some(comes_after) {
        // The file before is unreadable and already reported.
        return None;
    }
    let previous = recorded_previous.unwrap_or("(unnamed)").to_owned();
    Some(if before.previous_sha256.as_ref() == Some(previous_hash) {
        // The file before claims the same predecessor as this one: it was put in between.
        ChainProblem::Inserted {
            file: comes_after.to_owned(),
            previous,
            displaced: file.to_owned(),
        }
    } else if recorded_previous == Some(comes_after) {
        ChainProblem::Replaced {
            file: file.to_owned(),
            previous,
        }
    } else if recorded_previous.is_some_and(|p| names.contains(p)) {
        ChainProblem::Reordered {
            file: file.to_owned(),
            previous,
            comes_after: comes_after.to_owned(),
        }
    } else {
        missing()
    })
}

/// Checks single files against their own content hash, without a chain (a snapshot attached to
/// a ticket): each file's content hash, or what is wrong with it.
pub fn verify_files(paths: &[std::path::PathBuf]) -> Vec<Result<String, super::SnapshotError>> {
    paths
        .iter()
        .map(|path| file::hash_snapshot(path).map(|h| h.integrity.content_sha256))
        .collect()
}
