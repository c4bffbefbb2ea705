//! The snapshot store: a directory with one file per snapshot, named by the instant it was stored
//! (`2026-11-23T08-45-12.345Z.json`, `.json.gz` when compressed, `-reevaluated` before the
//! extension for a re-evaluation), so names sort by time and by chain order.
//!
//! A write holds the store's lock (`.lock`) from reading the newest snapshot's hash until the new
//! file is renamed into place: two scans finishing at once still make one chain. The content goes
//! to a hidden temporary file that is flushed to disk and then renamed, so a reader — or a scan
//! killed mid-write — never leaves a half file under a snapshot's name; a temporary file left by a
//! killed writer is removed by the next write. Files are never rewritten.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;
use tracing::warn;

use super::file::{self, SnapshotError};
use super::{Snapshot, SnapshotSummary};

/// A snapshot store could not be used.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("could not {action} {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The directory does not exist.
    #[error(
        "no snapshot store at {}: run `posture scan` first, or point --snapshots-dir at the store",
        dir.display()
    )]
    NoStore {
        /// The directory.
        dir: PathBuf,
    },
    /// The store has fewer snapshots than the command needs.
    #[error(
        "the snapshot store {} has {}, {needed} needed: run `posture scan`, or name the files",
        dir.display(),
        if *found == 1 { "1 snapshot".to_owned() } else { format!("{found} snapshots") }
    )]
    TooFew {
        /// The directory.
        dir: PathBuf,
        /// How many it has.
        found: usize,
        /// How many are needed.
        needed: usize,
    },
    /// A snapshot named on the command line is not there.
    #[error(
        "no snapshot {name:?}: not a file, nor the start of a snapshot's name in the store {} (`ls {}` lists them)",
        dir.display(),
        dir.display()
    )]
    NotFound {
        /// What was named.
        name: String,
        /// The store looked in.
        dir: PathBuf,
    },
    /// A name on the command line starts more than one snapshot's name.
    #[error("{name:?} is ambiguous: it starts {} and {}; give more of the name", matches[0], matches[1..].join(", "))]
    Ambiguous {
        /// What was named.
        name: String,
        /// The snapshots it starts (two or more).
        matches: Vec<String>,
    },
    /// The newest snapshot's name leaves no later instant to name the next one by.
    #[error(
        "the newest snapshot is named {name}, at the end of time: move it out of the store (it is not one posture wrote)"
    )]
    NameInFuture {
        /// Its name.
        name: String,
    },
    /// One snapshot is in the store twice: as `X.json` and as `X.json.gz`.
    #[error(
        "{} and {} are the same snapshot stored twice (posture writes one of them): move one out of the store",
        dir.join(first).display(),
        dir.join(second).display()
    )]
    StoredTwice {
        /// The store.
        dir: PathBuf,
        /// The uncompressed file's name.
        first: String,
        /// The compressed file's name.
        second: String,
    },
    /// The store cannot be written, found before a scan starts.
    #[error("{}: snapshots cannot be written there, so nothing was scanned: name a folder posture may write with --snapshots-dir", dir.display())]
    NotWritable {
        /// The store.
        dir: PathBuf,
        /// Why.
        #[source]
        source: Box<StoreError>,
    },
    /// The snapshot could not be written, and was kept elsewhere instead.
    #[error(
        "could not write {}: {error}; the snapshot is kept as {}: move it into the store once it can be written (`mv {} {}/`), then run `posture verify`",
        path.display(),
        kept.display(),
        kept.display(),
        path.parent().unwrap_or(Path::new(".")).display()
    )]
    Kept {
        /// The file it should have been.
        path: PathBuf,
        /// Where it is now.
        kept: PathBuf,
        /// Why the store could not take it (part of the message, not a source: one line).
        error: io::Error,
    },
    /// The snapshot could neither be written nor kept elsewhere.
    #[error(
        "could not write {}: {error}; nor keep it elsewhere ({}): the scan is lost; free some space and scan again",
        path.display(),
        tried.join("; ")
    )]
    Lost {
        /// The file it should have been.
        path: PathBuf,
        /// Each place tried, with why it failed.
        tried: Vec<String>,
        /// Why the store could not take it.
        error: io::Error,
    },
    /// A snapshot file could not be read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// One snapshot file in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// Its file name.
    pub name: String,
    /// Its path.
    pub path: PathBuf,
}

/// What a store's directory holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The snapshots, oldest first.
    pub snapshots: Vec<StoredSnapshot>,
    /// Other visible files (not snapshots; `README.md` is expected and left out).
    pub others: Vec<String>,
    /// Entries named like snapshots that are not regular files (nor links to one), with what
    /// they are (`X.json: a fifo`): never opened, since opening a fifo waits for a writer.
    pub odd: Vec<String>,
    /// Temporary files an interrupted write left behind.
    pub temporary: Vec<String>,
}

/// A snapshot store (the `snapshots/` directory, or `--snapshots-dir`).
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// The timestamp format of snapshot names; fixed width, so names sort by time.
const NAME_TIME_FORMAT: &str = "%Y-%m-%dT%H-%M-%S%.3fZ";
const NAME_TIME_LEN: usize = "2026-11-23T08-45-12.345Z".len();

impl Store {
    /// The store in `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every snapshot in the store, oldest first.
    ///
    /// # Errors
    /// When the directory is missing or cannot be listed.
    pub fn list(&self) -> Result<Vec<StoredSnapshot>, StoreError> {
        Ok(self.listing()?.snapshots)
    }

    /// Everything in the store's directory, sorted out.
    ///
    /// # Errors
    /// See [`Self::list`].
    pub fn listing(&self) -> Result<Listing, StoreError> {
        let read = match fs::read_dir(&self.dir) {
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NoStore {
                    dir: self.dir.clone(),
                });
            }
            Err(source) => {
                return Err(StoreError::Io {
                    action: "list",
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let (mut snapshots, mut others, mut odd, mut temporary) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for entry in read {
            let entry = entry.map_err(|source| StoreError::Io {
                action: "list",
                path: self.dir.clone(),
                source,
            })?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if is_snapshot_name(&name) {
                match not_a_file(&entry) {
                    None => snapshots.push(StoredSnapshot {
                        path: entry.path(),
                        name,
                    }),
                    Some(kind) => odd.push(format!("{name}: {kind}")),
                }
            } else if is_temporary_name(&name) {
                temporary.push(name);
            } else if !name.starts_with('.') && name != "README.md" {
                others.push(name);
            }
        }
        snapshots.sort_by(|a, b| a.name.cmp(&b.name));
        // `X.json` sorts right before `X.json.gz`.
        if let Some(pair) = snapshots
            .windows(2)
            .find(|pair| pair[1].name.strip_suffix(".gz") == Some(pair[0].name.as_str()))
        {
            return Err(StoreError::StoredTwice {
                dir: self.dir.clone(),
                first: pair[0].name.clone(),
                second: pair[1].name.clone(),
            });
        }
        others.sort();
        odd.sort();
        temporary.sort();
        Ok(Listing {
            snapshots,
            others,
            odd,
            temporary,
        })
    }

    /// The `n` newest snapshots, oldest first.
    ///
    /// # Errors
    /// When the store has fewer.
    pub fn newest(&self, n: usize) -> Result<Vec<StoredSnapshot>, StoreError> {
        let all = self.list()?;
        if all.len() < n {
            return Err(StoreError::TooFew {
                dir: self.dir.clone(),
                found: all.len(),
                needed: n,
            });
        }
        Ok(all[all.len() - n..].to_vec())
    }

    /// A snapshot named on the command line: a path to a file, a file name in the store, or the
    /// start of exactly one such name (`2026-11-23T08`).
    ///
    /// # Errors
    /// When nothing (or more than one snapshot) matches.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, StoreError> {
        let as_path = Path::new(name);
        if as_path.is_file() {
            return Ok(as_path.to_owned());
        }
        let not_found = || StoreError::NotFound {
            name: name.to_owned(),
            dir: self.dir.clone(),
        };
        let all = match self.list() {
            Ok(all) => all,
            Err(StoreError::NoStore { .. }) => return Err(not_found()),
            Err(err) => return Err(err),
        };
        let matching: Vec<_> = all.iter().filter(|s| s.name.starts_with(name)).collect();
        match matching.as_slice() {
            [] => Err(not_found()),
            [one] => Ok(one.path.clone()),
            many => Err(StoreError::Ambiguous {
                name: name.to_owned(),
                matches: many.iter().map(|s| s.name.clone()).collect(),
            }),
        }
    }

    /// Makes sure a snapshot can be written here before a scan spends hours collecting one: the
    /// folder exists (or is created), its lock can be taken, and a file as long-named as a
    /// snapshot's temporary file can be created, written, flushed and removed.
    ///
    /// # Errors
    /// [`StoreError::NotWritable`], with the operation that failed as its source.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        let probe = || -> Result<(), StoreError> {
            // `create_dir_all` would say "File exists" of a file in the way.
            if let Ok(meta) = fs::metadata(&self.dir)
                && !meta.is_dir()
            {
                let kind = crate::files::kind_of(meta.file_type());
                return Err(io_error("use", &self.dir)(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("{kind}, not a folder"),
                )));
            }
            fs::create_dir_all(&self.dir).map_err(io_error("create", &self.dir))?;
            let (lock, lock_path) = self.open_lock()?;
            // Held by a scan finishing now, for a moment: lockable all the same.
            match lock.try_lock() {
                Ok(()) | Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(err)) => {
                    return Err(io_error("lock", &lock_path)(err));
                }
            }
            // As long as the longest temporary name `write` makes.
            let stem = "2026-11-23T08-45-12.345Z-reevaluated";
            let probe = self
                .dir
                .join(format!(".{stem}.json.gz.probe-{:0>10}", std::process::id()));
            let written = File::options()
                .write(true)
                .create_new(true)
                .open(&probe)
                .and_then(|mut file| {
                    io::Write::write_all(&mut file, b"posture checks it can write here\n")?;
                    file.sync_all()
                });
            let _ = fs::remove_file(&probe);
            written.map_err(io_error("write in", &self.dir))
        };
        probe().map_err(|source| StoreError::NotWritable {
            dir: self.dir.clone(),
            source: Box::new(source),
        })?;
        // A store the next write would refuse (one snapshot stored twice) is refused now.
        self.listing().map(drop)
    }

    /// Opens (creating) the store's lock file, and its path. Non-blocking and not through a link:
    /// a fifo planted as `.lock` would make a plain open for writing wait for a reader forever.
    fn open_lock(&self) -> Result<(File, PathBuf), StoreError> {
        let path = self.dir.join(".lock");
        let mut options = File::options();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
        }
        let not_a_file = |kind| crate::files::not_regular(crate::files::kind_of(kind));
        let opened = match fs::symlink_metadata(&path) {
            Ok(meta) if !meta.is_file() => Err(not_a_file(meta.file_type())),
            _ => options.open(&path).and_then(|file| {
                let kind = file.metadata()?.file_type();
                if kind.is_file() {
                    Ok(file)
                } else {
                    Err(not_a_file(kind))
                }
            }),
        };
        match opened {
            Ok(file) => Ok((file, path)),
            Err(source) => Err(StoreError::Io {
                action: "open the lock",
                path,
                source,
            }),
        }
    }

    /// Reads a snapshot without its facts.
    ///
    /// # Errors
    /// One line naming the file and what is wrong with it.
    pub fn read_summary(&self, path: &Path) -> Result<SnapshotSummary, StoreError> {
        Ok(file::read_snapshot_summary(path)?)
    }

    /// Stores `snapshot` as the newest in the store: links it to the snapshot before it, seals
    /// it with its content hash, and writes it atomically. `suffix` (`reevaluated`) marks the
    /// name. Returns its path; `snapshot.integrity` is filled in.
    ///
    /// # Errors
    /// When the store cannot be written; nothing under a snapshot's name is left behind then.
    pub fn write(
        &self,
        snapshot: &mut Snapshot,
        suffix: Option<&str>,
    ) -> Result<PathBuf, StoreError> {
        fs::create_dir_all(&self.dir).map_err(io_error("create", &self.dir))?;
        let (lock, lock_path) = self.open_lock()?;
        lock.lock().map_err(io_error("lock", &lock_path))?;

        let Listing {
            snapshots: existing,
            temporary,
            ..
        } = self.listing()?;
        // Only a writer holding the lock makes temporary files, so these are from killed ones.
        for name in temporary {
            let _ = fs::remove_file(self.dir.join(name));
        }
        let latest = existing.last();
        let (previous_sha256, previous_file) = match latest {
            None => (None, None),
            Some(latest) => match file::read_header(&latest.path) {
                Ok(header) => (
                    Some(header.integrity.content_sha256),
                    Some(latest.name.clone()),
                ),
                Err(err) => {
                    warn!(
                        "the newest snapshot is unreadable, so the new one cannot record its hash: {err}"
                    );
                    (None, Some(latest.name.clone()))
                }
            },
        };
        let mut stamp = jiff::Timestamp::now();
        if let Some((latest, after)) = latest.and_then(|l| Some((l, name_time(&l.name)?))) {
            // A clock that went back must not put the new snapshot before the chain's end.
            let next = after
                .checked_add(jiff::SignedDuration::from_millis(1))
                .map_err(|_| StoreError::NameInFuture {
                    name: latest.name.clone(),
                })?;
            if stamp < next {
                stamp = next;
            }
        }
        let suffix = suffix.map(|s| format!("-{s}")).unwrap_or_default();
        let stem = format!("{}{suffix}", stamp.strftime(NAME_TIME_FORMAT));

        snapshot.integrity.previous_sha256 = previous_sha256;
        snapshot.integrity.previous_file = previous_file;
        // The name records whether the file is compressed, which depends on the size: seal under
        // the compressed name first; a small file is sealed again under its own (under 1 MiB).
        snapshot.integrity.file = format!("{stem}.json.gz");
        let size = file::seal(snapshot).map_err(io_error("serialize", &self.dir))?;
        let name = if size >= file::COMPRESS_FROM {
            format!("{stem}.json.gz")
        } else {
            snapshot.integrity.file = format!("{stem}.json");
            file::seal(snapshot).map_err(io_error("serialize", &self.dir))?;
            format!("{stem}.json")
        };
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        // Read-only once written: evidence is never rewritten, and a slip of the shell (`>`)
        // should not empty it.
        let written = File::create(&tmp)
            .and_then(|file| file::write_sealed(snapshot, size, file))
            .and_then(|()| {
                let mut permissions = fs::metadata(&tmp)?.permissions();
                permissions.set_readonly(true);
                fs::set_permissions(&tmp, permissions)
            })
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(err) = written {
            let _ = fs::remove_file(&tmp);
            drop(lock);
            return Err(keep_elsewhere(snapshot, size, &name, path, err));
        }
        // The rename is durable once the directory entry is.
        if let Err(err) = File::open(&self.dir).and_then(|dir| dir.sync_all()) {
            warn!(
                "{} is written, but flushing the directory {} failed ({err}): a power loss now could lose it",
                path.display(),
                self.dir.display()
            );
        }
        drop(lock);
        Ok(path)
    }
}

/// The [`StoreError::Io`] of `action` on `path`, for `map_err`.
fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// Writes a sealed snapshot that the store could not take (a full disk) to the first place that
/// takes it: the temporary folder (`TMPDIR`), then the current folder. It keeps the name and the
/// link to the snapshot before it, so moved into the store it continues the chain.
fn keep_elsewhere(
    snapshot: &Snapshot,
    size: u64,
    name: &str,
    path: PathBuf,
    error: io::Error,
) -> StoreError {
    let mut tried = Vec::new();
    for dir in [std::env::temp_dir(), PathBuf::from(".")] {
        let dir = dir.join("posture-unsaved-snapshots");
        let kept = dir.join(name);
        let written = fs::create_dir_all(&dir).and_then(|()| {
            File::options()
                .write(true)
                .create_new(true)
                .open(&kept)
                .and_then(|file| file::write_sealed(snapshot, size, file))
        });
        match written {
            Ok(()) => {
                let kept = fs::canonicalize(&kept).unwrap_or(kept);
                return StoreError::Kept { path, kept, error };
            }
            Err(err) => {
                let _ = fs::remove_file(&kept);
                tried.push(format!("{}: {err}", kept.display()));
            }
        }
    }
    StoreError::Lost { path, tried, error }
}

/// What a directory entry named like a snapshot is when it is not a regular file (nor a link to
/// one): "a fifo", "a folder", "a broken symbolic link".
fn not_a_file(entry: &fs::DirEntry) -> Option<&'static str> {
    let kind = entry.file_type().ok()?;
    if kind.is_file() {
        return None;
    }
    if kind.is_symlink() {
        return match fs::metadata(entry.path()) {
            Ok(target) if target.is_file() => None,
            Ok(target) => Some(crate::files::kind_of(target.file_type())),
            Err(_) => Some("a broken symbolic link"),
        };
    }
    Some(crate::files::kind_of(kind))
}

/// Whether `name` is a snapshot's file name.
fn is_snapshot_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_suffix(".json.gz")
        .or_else(|| name.strip_suffix(".json"))
    else {
        return false;
    };
    let (Some(time), Some(suffix)) = (rest.get(..NAME_TIME_LEN), rest.get(NAME_TIME_LEN..)) else {
        return false;
    };
    name_time(time).is_some()
        && (suffix.is_empty()
            || suffix.strip_prefix('-').is_some_and(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }))
}

/// Whether `name` is one of the temporary files [`Store::write`] makes
/// (`.NAME.tmp-PID`), and nothing else that happens to be hidden.
fn is_temporary_name(name: &str) -> bool {
    let Some((snapshot, pid)) = name
        .strip_prefix('.')
        .and_then(|rest| rest.rsplit_once(".tmp-"))
    else {
        return false;
    };
    is_snapshot_name(snapshot) && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// The instant a snapshot's name says it was stored; `None` unless the name starts with exactly
/// the form [`NAME_TIME_FORMAT`] writes.
fn name_time(name: &str) -> Option<jiff::Timestamp> {
    let time = name.get(..NAME_TIME_LEN)?;
    let mut rfc3339 = time.as_bytes().to_vec();
    // `2026-11-23T08-45-12.345Z` -> `2026-11-23T08:45:12.345Z`
    for i in [13, 16] {
        (rfc3339[i] == b'-').then_some(())?;
        rfc3339[i] = b':';
    }
    let stamp: jiff::Timestamp = std::str::from_utf8(&rfc3339).ok()?.parse().ok()?;
    (stamp.strftime(NAME_TIME_FORMAT).to_string() == time).then_some(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_snapshot_names() {
        for name in [
            "2026-11-23T08-45-12.345Z.json",
            "2026-11-23T08-45-12.345Z.json.gz",
            "2026-11-23T08-45-12.345Z-reevaluated.json.gz",
        ] {
            assert!(is_snapshot_name(name), "{name}");
        }
        for name in [
            "README.md",
            "2026-11-23T08-45-12.345Z.txt",
            "2026-11-23T08-45-12Z.json",
            "2026-13-23T08-45-12.345Z.json",
            "2026-11-23T08-45-12.345Z-.json",
            "2026-11-23T08-45-12.345Z-Re.json",
            ".2026-11-23T08-45-12.345Z.json.tmp-1",
        ] {
            assert!(!is_snapshot_name(name), "{name}");
        }
    }

    #[test]
    fn knows_its_own_temporary_files_and_nothing_else() {
        assert!(is_temporary_name(
            ".2026-11-23T08-45-12.345Z.json.gz.tmp-4242"
        ));
        for name in [
            ".auditor-notes.tmp-keep",
            ".2026-11-23T08-45-12.345Z.json.tmp-",
            ".2026-11-23T08-45-12.345Z.json.tmp-12a",
            "2026-11-23T08-45-12.345Z.json.tmp-1",
        ] {
            assert!(!is_temporary_name(name), "{name}");
        }
    }

    #[test]
    fn names_sort_by_time() {
        let t = |s: &str| name_time(s).unwrap();
        assert!(t("2026-11-23T08-45-12.345Z") < t("2026-11-23T08-45-12.346Z"));
        assert!("2026-11-23T08-45-12.345Z-reevaluated.json" < "2026-11-23T08-45-12.346Z.json");
    }
}
