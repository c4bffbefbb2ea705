//! The rendered site on disk: every file under the site's folder with its size and hashes, read
//! before any AWS call so that a wrong folder is refused at once.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use md5::Md5;
use sha2::{Digest, Sha256};

use super::PublishError;
use super::plan::LocalFile;
use crate::snapshot::hex;

/// Reads every file of the site in `dir`, sorted by path, each hashed (SHA-256 and MD5).
///
/// Hidden files and folders (`.name`) are left out: they are what an interrupted render leaves
/// (`.index.html.tmp-PID`, `v/.<id>.tmp-PID/`), never linked from a page.
///
/// # Errors
/// [`PublishError::NoSite`] when `dir` is not a folder, [`PublishError::NotASite`] when it has no
/// `index.html` (not rendered by `posture render`), [`PublishError::ReadSite`] naming a file that
/// could not be read or whose name is not UTF-8.
pub fn read_site(dir: &Path) -> Result<Vec<LocalFile>, PublishError> {
    if !dir.is_dir() {
        return Err(PublishError::NoSite {
            dir: dir.to_owned(),
        });
    }
    if !dir.join("index.html").is_file() {
        return Err(PublishError::NotASite {
            dir: dir.to_owned(),
        });
    }
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        let entries = fs::read_dir(&folder).map_err(|source| read_error(&folder, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| read_error(&folder, source))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|source| read_error(&path, source))?;
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file()
                // A linked file is published as the file it points to; a linked folder is left
                // out (render makes none, and a link to a folder above would never end).
                || (kind.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file()))
            {
                files.push(hashed(dir, path)?);
            }
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

/// The file at `path` under the site `dir`, with its key and hashes.
fn hashed(dir: &Path, path: PathBuf) -> Result<LocalFile, PublishError> {
    let relative = path
        .strip_prefix(dir)
        .expect("walked from dir")
        .iter()
        .map(|part| part.to_str())
        .collect::<Option<Vec<&str>>>()
        .ok_or_else(|| {
            read_error(
                &path,
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the name is not UTF-8, so it cannot be an S3 key",
                ),
            )
        })?
        .join("/");
    let mut file = fs::File::open(&path).map_err(|source| read_error(&path, source))?;
    let mut sha256 = Sha256::new();
    let mut md5 = Md5::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|source| read_error(&path, source))?;
        if n == 0 {
            break;
        }
        sha256.update(&buffer[..n]);
        md5.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(LocalFile {
        relative,
        path,
        size,
        sha256: hex(&sha256.finalize()),
        md5: hex(&md5.finalize()),
    })
}

fn read_error(path: &Path, source: io::Error) -> PublishError {
    PublishError::ReadSite {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("posture-publish-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_every_file_with_its_key_and_hashes_leaving_hidden_ones_out() {
        let dir = fresh("read");
        fs::write(dir.join("index.html"), "abc").unwrap();
        fs::create_dir_all(dir.join("v/x/account")).unwrap();
        fs::write(dir.join("v/x/account/1.html"), "").unwrap();
        fs::write(dir.join(".index.html.tmp-42"), "half").unwrap();
        fs::create_dir_all(dir.join("v/.y.tmp-42")).unwrap();
        fs::write(dir.join("v/.y.tmp-42/index.html"), "half").unwrap();
        let files = read_site(&dir).unwrap();
        let keys: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(keys, ["index.html", "v/x/account/1.html"]);
        let index = &files[0];
        assert_eq!(index.size, 3);
        assert_eq!(
            index.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(index.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(files[1].md5, "d41d8cd98f00b204e9800998ecf8427e");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_read_and_a_linked_folder_is_left_out() {
        let dir = fresh("links");
        fs::write(dir.join("index.html"), "abc").unwrap();
        std::os::unix::fs::symlink(dir.join("index.html"), dir.join("copy.html")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        let files = read_site(&dir).unwrap();
        let keys: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(keys, ["copy.html", "index.html"]);
        assert_eq!(files[0].sha256, files[1].sha256);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_and_a_folder_without_index_html_are_refused_naming_them() {
        let dir = fresh("not-a-site");
        let missing = dir.join("nope");
        let err = read_site(&missing).unwrap_err();
        assert!(matches!(err, PublishError::NoSite { .. }));
        assert!(err.to_string().contains("nope"), "{err}");
        let err = read_site(&dir).unwrap_err();
        assert!(matches!(err, PublishError::NotASite { .. }));
        assert!(err.to_string().contains("posture render"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
