//! The snapshot store on disk: one file per scan, named so that names sort by time, written to a
//! temporary file in the same directory, flushed to disk and renamed into place, so a reader (or a
//! later scan) only ever sees whole files.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Snapshot;

/// A snapshot could not be stored.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The snapshot could not be serialized.
    #[error("could not serialize the snapshot: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Writes `snapshot` into `dir` as `<started_at>.json` (colons replaced, so the name is portable;
/// millisecond timestamps sort by time) and returns its path. Never overwrites: a name already
/// taken (two scans in one millisecond) gets a suffix.
pub fn write_snapshot(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf, StoreError> {
    fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    let stem = snapshot.scan.started_at.replace(':', "-");
    let mut path = dir.join(format!("{stem}.json"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.json"));
        n += 1;
    }
    let tmp = dir.join(format!(".{stem}.json.tmp-{}", std::process::id()));
    let result = write_file(&tmp, snapshot);
    if let Err(err) = result {
        let _ = fs::remove_file(&tmp);
        return Err(err);
    }
    fs::rename(&tmp, &path).map_err(io_error("rename into", &path))?;
    // The rename is durable once the directory entry is.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(path)
}

fn write_file(path: &Path, snapshot: &Snapshot) -> Result<(), StoreError> {
    let file = File::create(path).map_err(io_error("create", path))?;
    let mut writer = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut writer, snapshot)?;
    writer.write_all(b"\n").map_err(io_error("write", path))?;
    let file = writer
        .into_inner()
        .map_err(|err| io_error("write", path)(err.into_error()))?;
    file.sync_all().map_err(io_error("flush", path))?;
    Ok(())
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}
