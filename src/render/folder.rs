//! What a site's folder may hold: folders and regular files, as `posture render` writes them, and
//! nothing else. posture writes no symbolic links, fifos, sockets or devices; one found in a site
//! was put there by someone else, and following it would publish or serve whatever it points to
//! (`/etc/passwd`, `~/.aws/credentials`). `render`, `serve` and `publish` walk the folder with
//! [`site_files`] first and refuse a site that holds anything else, naming it.
//!
//! Hidden entries (`.name`) are not walked: they are what an interrupted render leaves, never
//! linked, never published and never served.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::files::kind_of;

/// How many of the entries that are not files or folders a message names.
const NAMED: usize = 3;

/// A site's folder holds something posture never writes there, or could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum SiteFolderError {
    /// Entries that are not regular files or folders.
    #[error(
        "{}: {}, which posture never writes in a site{}: someone else put it there; remove it, then run this command again",
        dir.display(),
        odd_list(odd),
        more(odd.len())
    )]
    Odd {
        /// The site's folder.
        dir: PathBuf,
        /// Each entry (its path under the folder) and what it is ("a symbolic link to /etc/passwd").
        odd: Vec<(String, String)>,
    },
    /// A folder of the site could not be listed.
    #[error("could not list {}: {source}", path.display())]
    List {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

fn odd_list(odd: &[(String, String)]) -> String {
    odd.iter()
        .take(NAMED)
        .map(|(path, kind)| format!("{path} is {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn more(count: usize) -> String {
    match count.saturating_sub(NAMED) {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    }
}

/// Every regular file of the site in `dir` (hidden ones left out), as paths under `dir` with
/// their parts, unsorted. `dir` itself may be a link (the reader named it); nothing under it may.
///
/// # Errors
/// [`SiteFolderError::Odd`] naming every entry that is not a regular file or a folder, or
/// [`SiteFolderError::List`] when a folder cannot be listed.
pub fn site_files(dir: &Path) -> Result<Vec<PathBuf>, SiteFolderError> {
    let mut files = Vec::new();
    let mut odd = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        let list_error = |source| SiteFolderError::List {
            path: dir.join(&folder),
            source,
        };
        for entry in fs::read_dir(dir.join(&folder)).map_err(list_error)? {
            let entry = entry.map_err(list_error)?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let relative = folder.join(entry.file_name());
            // `file_type` does not follow a link: a link is a link, whatever it points to.
            let kind = entry.file_type().map_err(list_error)?;
            if kind.is_dir() {
                folders.push(relative);
            } else if kind.is_file() {
                files.push(relative);
            } else {
                odd.push((relative, kind));
            }
        }
    }
    if odd.is_empty() {
        return Ok(files);
    }
    let mut odd: Vec<(String, String)> = odd
        .into_iter()
        .map(|(relative, kind)| {
            let what = match fs::read_link(dir.join(&relative)) {
                Ok(target) if kind.is_symlink() => {
                    format!("a symbolic link to {}", target.display())
                }
                _ => kind_of(kind).to_owned(),
            };
            (relative.display().to_string(), what)
        })
        .collect();
    odd.sort();
    Err(SiteFolderError::Odd {
        dir: dir.to_owned(),
        odd,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn fresh(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("posture-folder-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("v/a")).unwrap();
        fs::write(dir.join("index.html"), "x").unwrap();
        fs::write(dir.join("v/a/index.html"), "x").unwrap();
        dir
    }

    #[test]
    fn lists_the_files_of_a_site_leaving_hidden_ones_out() {
        let dir = fresh("plain");
        fs::create_dir_all(dir.join("v/.b.tmp-1")).unwrap();
        fs::write(dir.join("v/.b.tmp-1/index.html"), "half").unwrap();
        symlink("/etc/passwd", dir.join(".hidden-link")).unwrap();
        let mut files = site_files(&dir).unwrap();
        files.sort();
        assert_eq!(
            files,
            [PathBuf::from("index.html"), PathBuf::from("v/a/index.html")]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_links_to_a_file_and_to_a_folder_outside_naming_each() {
        let dir = fresh("links");
        symlink("/etc/passwd", dir.join("v/a/passwd.html")).unwrap();
        symlink("/etc", dir.join("v/etc")).unwrap();
        let err = site_files(&dir).unwrap_err();
        let SiteFolderError::Odd { odd, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(
            odd,
            &[
                (
                    "v/a/passwd.html".to_owned(),
                    "a symbolic link to /etc/passwd".to_owned()
                ),
                ("v/etc".to_owned(), "a symbolic link to /etc".to_owned()),
            ]
        );
        let line = err.to_string();
        assert!(
            line.contains("v/a/passwd.html is a symbolic link to /etc/passwd, v/etc is a symbolic link to /etc, which posture never writes"),
            "{line}"
        );
        assert!(!line.contains('\n'), "{line}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_fifo_and_counts_what_it_does_not_name() {
        let dir = fresh("fifo");
        for i in 0..4 {
            let fifo =
                std::ffi::CString::new(dir.join(format!("f{i}.html")).to_str().unwrap()).unwrap();
            // SAFETY: a valid C string.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        }
        let line = site_files(&dir).unwrap_err().to_string();
        assert!(line.contains("f0.html is a fifo"), "{line}");
        assert!(line.contains("(and 1 more)"), "{line}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
