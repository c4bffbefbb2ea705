//! Opening a file that someone else may have put in our way: the snapshot store and the site's
//! folder are folders others can write to, and `File::open` follows a symbolic link anywhere and
//! waits forever on a fifo. Every read of such a folder opens through [`open_regular`], which
//! opens only a regular file and never blocks on anything else.

use std::fs::{File, FileType};
use std::io;
use std::path::Path;

/// Whether [`open_regular`] may follow a symbolic link to a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A link to a regular file is opened as that file (the snapshot store: a snapshot linked
    /// in from elsewhere is still that snapshot).
    Follow,
    /// A link is refused (the site: posture writes no links, and one could point at any file
    /// the reader may read).
    Refuse,
}

/// Opens `path` for reading if it is a regular file, without blocking on anything else: a fifo,
/// socket or device is refused (and, being opened non-blocking, cannot make the open wait), and a
/// symbolic link is refused unless `links` is [`Links::Follow`].
///
/// # Errors
/// The OS error, or an [`io::ErrorKind::InvalidInput`] error whose message says what the path is
/// instead ("a fifo, not a regular file").
pub fn open_regular(path: &Path, links: Links) -> io::Result<File> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        // O_NOFOLLOW's answer for a link (ELOOP) says "too many levels of symbolic links".
        Err(_) if links == Links::Refuse && is_link(path) => {
            return Err(not_regular("a symbolic link"));
        }
        Err(err) => return Err(err),
    };
    let file_type = file.metadata()?.file_type();
    if !file_type.is_file() {
        return Err(not_regular(kind_of(file_type)));
    }
    #[cfg(unix)]
    {
        // Reads of a regular file never block; clearing the flag keeps them plain.
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor this function owns, with flags read from it.
        unsafe {
            let fd = file.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(file)
}

/// Reads the whole of `path` if it is a regular file (see [`open_regular`]).
///
/// # Errors
/// As [`open_regular`], or the error of the read.
pub fn read_regular(path: &Path, links: Links) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = open_regular(path, links)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What a file type is, in words for a message: "a symbolic link", "a fifo", ...
pub fn kind_of(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a fifo";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a folder"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The error for a path that is `kind` ("a fifo") where a regular file must be.
pub(crate) fn not_regular(kind: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{kind}, not a regular file"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::Read;
    use std::path::PathBuf;

    fn fresh(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("posture-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn opens_a_regular_file_and_reads_it() {
        let dir = fresh("regular");
        fs::write(dir.join("a"), "abc").unwrap();
        let mut text = String::new();
        open_regular(&dir.join("a"), Links::Refuse)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "abc");
        assert_eq!(read_regular(&dir.join("a"), Links::Follow).unwrap(), b"abc");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_only_when_allowed() {
        let dir = fresh("link");
        fs::write(dir.join("a"), "abc").unwrap();
        std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).unwrap();
        assert_eq!(read_regular(&dir.join("b"), Links::Follow).unwrap(), b"abc");
        let err = open_regular(&dir.join("b"), Links::Refuse).unwrap_err();
        assert_eq!(err.to_string(), "a symbolic link, not a regular file");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_and_a_folder_are_refused_without_waiting() {
        let dir = fresh("fifo");
        let fifo = dir.join("f");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        // Without O_NONBLOCK this open would wait for a writer forever.
        for links in [Links::Follow, Links::Refuse] {
            let err = open_regular(&fifo, links).unwrap_err();
            assert_eq!(err.to_string(), "a fifo, not a regular file");
        }
        let err = open_regular(&dir, Links::Follow).unwrap_err();
        assert_eq!(err.to_string(), "a folder, not a regular file");
        fs::remove_dir_all(&dir).unwrap();
    }
}
