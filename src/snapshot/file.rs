//! One snapshot file: its canonical bytes, its content hash, compression, and reading it back
//! with every way a file can be wrong (truncated, corrupted, foreign, newer, altered) told apart
//! in one line that names the file.
//!
//! The canonical content is compact JSON in the schema's field order, key ids shortened (see
//! `redact`), so every file starts with the fixed header
//! `{"format":"posture-snapshot","schema_version":N,"integrity":{"content_sha256":"<64 hex>",…}`.
//! Its hash is the SHA-256 of those bytes with the 64 hex digits replaced by `0`s, which anyone
//! can recompute with `gzip -dcf FILE | perl -0777 -pe 's/[0-9a-f]{64}/"0" x 64/e' | shasum -a 256`. Files from
//! [`COMPRESS_FROM`] bytes on are gzip; readers look at the bytes, not the name.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Cursor, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use serde::de::{DeserializeOwned, IgnoredAny};
use sha2::{Digest, Sha256};

use super::redact::RedactingWriter;
use super::{FORMAT, Integrity, SCHEMA_VERSION, Snapshot, SnapshotSummary};
use crate::files::{Links, open_regular};

/// Canonical content from this size on is stored gzip-compressed.
pub(crate) const COMPRESS_FROM: u64 = 1024 * 1024;

/// The gzip header of every compressed snapshot (flate2 at level 6: no name, no time, OS unknown).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// What every snapshot starts with, up to the schema version's digits.
const PREFIX: &[u8] = b"{\"format\":\"posture-snapshot\",\"schema_version\":";
/// What follows the version, up to the content hash's digits.
const INTEGRITY_PREFIX: &[u8] = b",\"integrity\":{\"content_sha256\":\"";
/// The header is read in one piece of at most this many bytes.
const HEADER_MAX: usize = 4096;
const HASH_HEX_LEN: usize = 64;

/// A snapshot file that could not be read, and why; one line naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct SnapshotError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: SnapshotProblem,
}

/// What is wrong with a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotProblem {
    /// It could not be opened or read.
    #[error("could not be read: {0}")]
    Io(io::Error),
    /// It is not a snapshot at all.
    #[error("not a posture snapshot: it does not start with {{\"format\":\"{FORMAT}\"}}")]
    Foreign,
    /// A newer posture wrote it.
    #[error(
        "written in snapshot schema version {0}, newer than this posture reads (up to {SCHEMA_VERSION}); upgrade posture to read it"
    )]
    FutureVersion(u32),
    /// It ends early.
    #[error(
        "truncated: the file ends in the middle of the snapshot (an interrupted copy?); restore it from a backup"
    )]
    Truncated,
    /// Its bytes are not what posture writes.
    #[error("corrupted: {0}; restore it from a backup")]
    Corrupted(String),
    /// It is well-formed but its content is not what was hashed when it was written.
    #[error(
        "altered after it was written: its content hashes to {}…, it records {}…; restore the original",
        short(actual),
        short(recorded)
    )]
    Altered {
        /// The hash the file records.
        recorded: String,
        /// The hash of its content.
        actual: String,
    },
    /// Its content is intact but does not fit the schema it claims (a posture bug; please report).
    #[error("does not fit snapshot schema version {version}: {message}")]
    Schema {
        /// The version it claims.
        version: u32,
        /// serde's message.
        message: String,
    },
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Serializes `snapshot` once to hash it, then sets `integrity.content_sha256`; returns the size
/// of the canonical content. The rest of `integrity` must be set already.
pub(crate) fn seal(snapshot: &mut Snapshot) -> io::Result<u64> {
    snapshot.integrity.content_sha256 = "0".repeat(HASH_HEX_LEN);
    let mut sink = HashSink::default();
    let mut writer = RedactingWriter::new(&mut sink);
    serde_json::to_writer(&mut writer, snapshot)?;
    writer.finish()?;
    snapshot.integrity.content_sha256 = hex(&sink.hasher.finalize());
    Ok(sink.len)
}

/// Writes a sealed snapshot's canonical content to `file`, gzip-compressed when it is large, and
/// flushes it to disk.
pub(crate) fn write_sealed(snapshot: &Snapshot, size: u64, file: File) -> io::Result<()> {
    let buffered = BufWriter::with_capacity(256 * 1024, file);
    let buffered = if size >= COMPRESS_FROM {
        // Level 6 (gzip's default): a 1,000-account snapshot shrinks about tenfold.
        let mut writer = RedactingWriter::new(GzEncoder::new(buffered, Compression::new(6)));
        serde_json::to_writer(&mut writer, snapshot)?;
        writer.finish()?.finish()?
    } else {
        let mut writer = RedactingWriter::new(buffered);
        serde_json::to_writer(&mut writer, snapshot)?;
        writer.finish()?
    };
    let file = buffered.into_inner().map_err(|err| err.into_error())?;
    file.sync_all()
}

/// Reads a whole snapshot, facts included.
///
/// # Errors
/// A [`SnapshotError`] naming the file and what is wrong with it.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    decode(path)
}

/// Reads only a snapshot's header: its integrity record, without reading (or checking) the rest.
/// Cheap whatever the file's size; `render` uses it to tell a version it already rendered.
///
/// # Errors
/// See [`read_snapshot`].
pub fn read_snapshot_integrity(path: &Path) -> Result<Integrity, SnapshotError> {
    open(path)
        .map(|(header, _)| header.integrity)
        .map_err(|problem| SnapshotError {
            path: path.to_owned(),
            problem,
        })
}

/// Reads a snapshot without its facts (what `diff` needs).
///
/// # Errors
/// See [`read_snapshot`].
pub fn read_snapshot_summary(path: &Path) -> Result<SnapshotSummary, SnapshotError> {
    decode(path)
}

/// Reads and hashes the content whole, then parses it: parsing from a slice takes a third of the
/// time of parsing from a reader (which goes byte by byte). The content is held only while it
/// is parsed, in one allocation of its exact size.
fn decode<T: DeserializeOwned>(path: &Path) -> Result<T, SnapshotError> {
    let fail = |problem| SnapshotError {
        path: path.to_owned(),
        problem,
    };
    let (header, mut reader) = open(path).map_err(fail)?;
    if header.schema_version > SCHEMA_VERSION {
        // Intact and newer, or altered: the full check tells which, and says so.
        return Err(match hash_snapshot(path) {
            Err(err) => err,
            Ok(_) => fail(SnapshotProblem::FutureVersion(header.schema_version)),
        });
    }
    let mut bytes = Vec::with_capacity(content_size(path));
    let parsed = reader
        .read_to_end(&mut bytes)
        .map_err(serde_json::Error::io)
        .and_then(|_| match std::str::from_utf8(&bytes) {
            // Checked whole at once, the text needs no check string by string.
            Ok(text) => serde_json::from_str::<T>(text),
            // Not UTF-8: the parser says where.
            Err(_) => serde_json::from_slice::<T>(&bytes),
        });
    drop(bytes);
    match parsed {
        Ok(value) => check_end(path, &header, reader)
            .map(|()| value)
            .map_err(fail),
        Err(err) => {
            // A file whose hash holds but does not fit the schema is a posture bug; any other
            // failure is the file's: truncated, corrupted or altered, as the full check says.
            hash_snapshot(path)?;
            Err(fail(if err.is_io() || err.is_eof() || err.is_syntax() {
                classify_mismatch(Some(err), String::new(), String::new())
            } else {
                SnapshotProblem::Schema {
                    version: SCHEMA_VERSION,
                    message: err.to_string(),
                }
            }))
        }
    }
}

/// The size of a snapshot file's content, as a capacity to read it into: a gzip file records it
/// (modulo 4 GiB) in its last four bytes. A wrong guess only costs a reallocation.
fn content_size(path: &Path) -> usize {
    let guess = || -> io::Result<usize> {
        let mut file = open_regular(path, Links::Follow)?;
        let len = file.metadata()?.len();
        let mut start = [0; 2];
        file.read_exact(&mut start)?;
        if start != GZIP_HEADER[..2] || len < 4 {
            return Ok(usize::try_from(len).unwrap_or(0));
        }
        io::Seek::seek(&mut file, io::SeekFrom::End(-4))?;
        let mut size = [0; 4];
        file.read_exact(&mut size)?;
        Ok(u32::from_le_bytes(size) as usize)
    };
    guess().unwrap_or(0)
}

/// The canonical content of a snapshot file (decompressed), after checking its header and hash.
///
/// # Errors
/// See [`read_snapshot`].
pub fn read_snapshot_bytes(path: &Path) -> Result<Vec<u8>, SnapshotError> {
    let fail = |problem| SnapshotError {
        path: path.to_owned(),
        problem,
    };
    let (header, mut reader) = open(path).map_err(fail)?;
    let mut bytes = Vec::with_capacity(content_size(path));
    reader
        .read_to_end(&mut bytes)
        .map_err(|err| fail(read_problem(err)))?;
    check_end(path, &header, reader).map_err(fail)?;
    Ok(bytes)
}

/// The header of a snapshot file and the SHA-256 of its whole canonical content, read in one
/// pass of constant memory (for `verify`).
pub(crate) fn hash_snapshot(path: &Path) -> Result<Header, SnapshotError> {
    let fail = |problem| SnapshotError {
        path: path.to_owned(),
        problem,
    };
    let (header, mut reader) = open(path).map_err(fail)?;
    io::copy(&mut reader, &mut io::sink()).map_err(|err| fail(read_problem(err)))?;
    check_end(path, &header, reader).map_err(fail)?;
    Ok(header)
}

/// The checks once a file's content was read to its end, the same however it was read: nothing
/// after the gzip member, the content hash as recorded, a schema this posture reads.
fn check_end(
    path: &Path,
    header: &Header,
    mut reader: HashingReader<Chained>,
) -> Result<(), SnapshotProblem> {
    if let Some(trailing) = reader.trailing_error() {
        return Err(trailing);
    }
    let actual = hex(&reader.hasher.finalize());
    if actual != header.integrity.content_sha256 {
        // Read again to tell a truncated or corrupted file from an altered one; still streaming.
        let parse_error = open(path).ok().and_then(|(_, reader)| {
            serde_json::from_reader::<_, IgnoredAny>(BufReader::new(reader)).err()
        });
        return Err(classify_mismatch(
            parse_error,
            header.integrity.content_sha256.clone(),
            actual,
        ));
    }
    if header.schema_version > SCHEMA_VERSION {
        return Err(SnapshotProblem::FutureVersion(header.schema_version));
    }
    Ok(())
}

/// The header of a snapshot file, without reading the rest.
pub(crate) fn read_header(path: &Path) -> Result<Header, SnapshotError> {
    open(path)
        .map(|(header, _)| header)
        .map_err(|problem| SnapshotError {
            path: path.to_owned(),
            problem,
        })
}

/// What the header of a snapshot file says.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// The schema version it claims (read with the header every version shares).
    pub(crate) schema_version: u32,
    /// Its integrity record.
    pub(crate) integrity: Integrity,
}

/// Opens a snapshot: reads and checks its header, and returns a reader over its whole canonical
/// content (header included) that hashes what it reads.
fn open(path: &Path) -> Result<(Header, HashingReader<Chained>), SnapshotProblem> {
    // Never `File::open`: a fifo named like a snapshot would make it wait for a writer forever.
    let file = open_regular(path, Links::Follow).map_err(SnapshotProblem::Io)?;
    let mut file = BufReader::with_capacity(256 * 1024, file);
    let start = io::BufRead::fill_buf(&mut file).map_err(SnapshotProblem::Io)?;
    let gzip = start.starts_with(&GZIP_HEADER[..2]);
    if gzip && !start.starts_with(&GZIP_HEADER) {
        // The content hash does not cover the gzip header's time and flags; requiring the exact
        // header posture writes makes a change there show too.
        return Err(
            if start.len() < GZIP_HEADER.len() && GZIP_HEADER.starts_with(start) {
                SnapshotProblem::Truncated
            } else {
                SnapshotProblem::Corrupted(
                "its gzip header is not the one posture writes (recompressed by another tool? `zcat` gives back the bytes posture wrote, which verify as they are)".into(),
            )
            },
        );
    }
    let mut content = if gzip {
        Content::Gzip(GzDecoder::new(file))
    } else {
        Content::Plain(file)
    };
    let mut start = Vec::with_capacity(HEADER_MAX);
    (&mut content)
        .take(HEADER_MAX as u64)
        .read_to_end(&mut start)
        .map_err(read_problem)?;
    let (header, hash_range) = parse_header(&start)?;
    let reader = HashingReader {
        inner: Cursor::new(start).chain(content),
        hasher: Sha256::new(),
        offset: 0,
        zeroed: hash_range,
    };
    Ok((header, reader))
}

/// A snapshot file's content: as it is, or decompressed from exactly one gzip member (posture
/// writes one; anything after it is not posture's).
enum Content {
    Plain(BufReader<File>),
    Gzip(GzDecoder<BufReader<File>>),
}

impl Read for Content {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Content::Plain(file) => file.read(buf),
            Content::Gzip(decoder) => decoder.read(buf),
        }
    }
}

/// The header bytes already read, then the rest.
type Chained = io::Chain<Cursor<Vec<u8>>, Content>;

impl HashingReader<Chained> {
    /// Once the content is read to its end: bytes after the gzip member, if any.
    fn trailing_error(&mut self) -> Option<SnapshotProblem> {
        let Content::Gzip(decoder) = self.inner.get_mut().1 else {
            return None;
        };
        match io::BufRead::fill_buf(decoder.get_mut()) {
            Ok([]) => None,
            Ok(_) => Some(SnapshotProblem::Corrupted(
                "there are bytes after its compressed content".into(),
            )),
            Err(err) => Some(SnapshotProblem::Io(err)),
        }
    }
}

/// Checks the fixed header and parses the integrity record; returns where the content hash's
/// digits are.
fn parse_header(start: &[u8]) -> Result<(Header, Range<usize>), SnapshotProblem> {
    if !start.starts_with(PREFIX) {
        return Err(if PREFIX.starts_with(start) {
            SnapshotProblem::Truncated
        } else {
            SnapshotProblem::Foreign
        });
    }
    let rest = &start[PREFIX.len()..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let version: u32 = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| {
            if digits == rest.len() {
                SnapshotProblem::Truncated
            } else {
                SnapshotProblem::Corrupted("its schema version is not a number".into())
            }
        })?;
    // A newer version is still hashed by the same rule (every version keeps this header), so
    // that a changed version digit reads as tampering, not as a reason to upgrade.
    if version == 0 {
        return Err(SnapshotProblem::Corrupted("its schema version is 0".into()));
    }
    let after_version = PREFIX.len() + digits;
    let integrity_start = after_version + INTEGRITY_PREFIX.len() - "{\"content_sha256\":\"".len();
    let hash_start = after_version + INTEGRITY_PREFIX.len();
    let hash_range = hash_start..hash_start + HASH_HEX_LEN;
    let incomplete = |what: &str| {
        if start.len() < HEADER_MAX {
            SnapshotProblem::Truncated
        } else {
            SnapshotProblem::Corrupted(format!("its header {what}"))
        }
    };
    if !start[after_version..].starts_with(INTEGRITY_PREFIX) {
        return Err(if INTEGRITY_PREFIX.starts_with(&start[after_version..]) {
            SnapshotProblem::Truncated
        } else {
            SnapshotProblem::Corrupted("its header has no integrity record where it belongs".into())
        });
    }
    let end = start[integrity_start..]
        .iter()
        .position(|b| *b == b'}')
        .ok_or_else(|| incomplete("never closes its integrity record"))?;
    let integrity: Integrity =
        serde_json::from_slice(&start[integrity_start..=integrity_start + end])
            .map_err(|err| SnapshotProblem::Corrupted(format!("its integrity record: {err}")))?;
    let recorded = start.get(hash_range.clone()).unwrap_or_default();
    if integrity.content_sha256.len() != HASH_HEX_LEN
        || recorded != integrity.content_sha256.as_bytes()
        || !recorded
            .iter()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(SnapshotProblem::Corrupted(
            "its content hash is not 64 lowercase hex digits".into(),
        ));
    }
    Ok((
        Header {
            schema_version: version,
            integrity,
        },
        hash_range,
    ))
}

/// A hash mismatch: a file that no longer parses is truncated or corrupted; one that parses was
/// altered.
fn classify_mismatch(
    parse_error: Option<serde_json::Error>,
    recorded: String,
    actual: String,
) -> SnapshotProblem {
    match parse_error {
        Some(err) if err.is_eof() => SnapshotProblem::Truncated,
        Some(err) if err.is_io() => read_problem(io::Error::other(err.to_string())),
        Some(err) => SnapshotProblem::Corrupted(format!(
            "not valid JSON at line {} column {}",
            err.line(),
            err.column()
        )),
        None => SnapshotProblem::Altered { recorded, actual },
    }
}

/// An error reading the content: a gzip stream that ends early is truncated, one that does not
/// decode is corrupted.
fn read_problem(err: io::Error) -> SnapshotProblem {
    match err.kind() {
        io::ErrorKind::UnexpectedEof => SnapshotProblem::Truncated,
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            SnapshotProblem::Corrupted(format!("its compressed data does not decode ({err})"))
        }
        _ => SnapshotProblem::Io(err),
    }
}

/// Hashes what is read through it, with the content hash's own digits counted as `0`s.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    offset: usize,
    zeroed: Range<usize>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = self.offset..self.offset + n;
        if chunk.start < self.zeroed.end && self.zeroed.start < chunk.end {
            let mut copy = buf[..n].to_vec();
            for i in chunk.start.max(self.zeroed.start)..chunk.end.min(self.zeroed.end) {
                copy[i - chunk.start] = b'0';
            }
            self.hasher.update(&copy);
        } else {
            self.hasher.update(&buf[..n]);
        }
        self.offset += n;
        Ok(n)
    }
}

/// Counts and hashes what is written to it.
#[derive(Default)]
struct HashSink {
    hasher: Sha256,
    len: u64,
}

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    struct Hex<'a>(&'a [u8]);
    impl fmt::Display for Hex<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
        }
    }
    Hex(bytes).to_string()
}
