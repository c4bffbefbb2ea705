//! The rendered site on disk: every file under the site's folder with its size and hashes, read
//! before any AWS call so that a wrong folder is refused at once.

use std::io::{self, Read};
use std::path::Path;

use md5::Md5;
use sha2::{Digest, Sha256};

use super::PublishError;
use super::plan::LocalFile;
use crate::files::{Links, open_regular};
use crate::render::site_files;
use crate::snapshot::hex;

/// Reads every file of the site in `dir`, sorted by path, each hashed (SHA-256 and MD5).
///
/// Hidden files and folders (`.name`) are left out: they are what an interrupted render leaves
/// (`.index.html.tmp-PID`, `v/.<id>.tmp-PID/`), never linked from a page. A site holding a
/// symbolic link or a special file is refused ([`site_files`]): what a link points to is not
/// part of the site, and must never reach the bucket.
///
/// # Errors
/// [`PublishError::NoSite`] when `dir` is not a folder, [`PublishError::NotASite`] when it has no
/// `index.html` (not rendered by `posture render`), [`PublishError::Folder`] when it holds a link
/// or special file, [`PublishError::ReadSite`] naming a file that could not be read or whose name
/// is not UTF-8.
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
    let mut files = site_files(dir)?
        .into_iter()
        .map(|relative| hashed(dir, &relative))
        .collect::<Result<Vec<_>, _>>()?;
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

/// The file at `path` under the site `dir`, with its key and hashes.
fn hashed(dir: &Path, relative: &Path) -> Result<LocalFile, PublishError> {
    let path = dir.join(relative);
    let relative = relative
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
    let mut file =
        open_regular(&path, Links::Refuse).map_err(|source| read_error(&path, source))?;
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
    use std::fs;
    use std::path::PathBuf;

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
    fn a_site_holding_a_link_to_a_file_or_a_folder_outside_is_refused_naming_it() {
        for (name, target) in [("passwd.html", "/etc/passwd"), ("etc", "/etc")] {
            let dir = fresh(&format!("link-{name}"));
            fs::write(dir.join("index.html"), "abc").unwrap();
            std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
            let err = read_site(&dir).unwrap_err();
            assert!(matches!(err, PublishError::Folder(_)), "{err}");
            assert!(
                err.to_string()
                    .contains(&format!("{name} is a symbolic link to {target}")),
                "{err}"
            );
            fs::remove_dir_all(&dir).unwrap();
        }
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
