//! Snapshots hold no secrets: every AWS access key id (`AKIA…`/`ASIA…` and 16 more letters or
//! digits) is shortened to its last four characters (`****WXYZ`) on the way to disk, wherever it
//! appears — a fact, an evidence value, an error message AWS sent back. Done on the bytes written,
//! not field by field, so a collector added later cannot forget it. The bytes are JSON, so a key
//! id right after an escape (`\n`, `\t`, `\u001b`) starts a word too.

use std::io::{self, Write};

/// How long an access key id is.
const KEY_LEN: usize = 20;
/// What a shortened id is made of: this, then its last four characters.
const MASK: &[u8] = b"****";

/// `text` with every access key id in it shortened to its last four characters.
pub fn shorten_access_key_ids(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    redact(text.as_bytes(), &mut Recent::default(), true, &mut out);
    // Only ASCII was replaced by ASCII, so the bytes are still UTF-8.
    String::from_utf8(out).expect("ASCII replaced by ASCII")
}

/// A writer that shortens access key ids in what passes through it. It holds back the last few
/// bytes of each write (a key id may be split across writes); `finish` writes them.
pub(crate) struct RedactingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    /// The last bytes passed on, so a key id is only matched at a word boundary.
    recent: Recent,
    out: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::with_capacity(2 * CHUNK),
            recent: Recent::default(),
            out: Vec::with_capacity(2 * CHUNK),
        }
    }

    /// Writes what is held back and returns the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.drain(true)?;
        Ok(self.inner)
    }

    fn drain(&mut self, all: bool) -> io::Result<()> {
        self.out.clear();
        let consumed = redact(&self.pending, &mut self.recent, all, &mut self.out);
        if consumed > 0 {
            self.pending.drain(..consumed);
            self.inner.write_all(&self.out)?;
        }
        Ok(())
    }
}

const CHUNK: usize = 64 * 1024;

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK {
            self.drain(false)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Holding bytes back is the point; `finish` writes them.
        self.inner.flush()
    }
}

/// The last bytes passed on (oldest first), enough to see a JSON escape before a key id.
#[derive(Clone, Copy)]
struct Recent([u8; 6]);

impl Default for Recent {
    fn default() -> Self {
        Self([b' '; 6])
    }
}

impl Recent {
    /// Remembers the end of `consumed`.
    fn update(&mut self, consumed: &[u8]) {
        if consumed.len() >= 6 {
            self.0.copy_from_slice(&consumed[consumed.len() - 6..]);
        } else {
            self.0.rotate_left(consumed.len());
            self.0[6 - consumed.len()..].copy_from_slice(consumed);
        }
    }
}

/// Whether the six bytes before a position end a word: the last is not a letter or digit, or
/// they end a JSON escape (`\n`, `\u001b`) whose last character only looks like one.
fn ends_word(r: &[u8; 6]) -> bool {
    let short_escape = r[4] == b'\\' && b"nrtbf".contains(&r[5]);
    let unicode_escape = r[0] == b'\\' && r[1] == b'u' && r[2..].iter().all(u8::is_ascii_hexdigit);
    !is_word(r[5]) || short_escape || unicode_escape
}

/// The six bytes before `i`: from `input`, or from `recent` at its start.
fn before(input: &[u8], i: usize, recent: &Recent) -> [u8; 6] {
    let mut six = [0; 6];
    if i >= 6 {
        six.copy_from_slice(&input[i - 6..i]);
    } else {
        six[..6 - i].copy_from_slice(&recent.0[i..]);
        six[6 - i..].copy_from_slice(&input[..i]);
    }
    six
}

/// Copies `input` to `out` with key ids shortened; returns how many input bytes it consumed.
/// Unless `all`, it stops where a key id could still continue in the next input. Runs without
/// a key id are copied whole: this sees every byte of every snapshot written.
fn redact(input: &[u8], recent: &mut Recent, all: bool, out: &mut Vec<u8>) -> usize {
    let limit = if all {
        input.len()
    } else {
        input.len().saturating_sub(KEY_LEN + 1)
    };
    let (mut i, mut copied) = (0, 0);
    while i < limit {
        if input[i] == b'A' && is_key_at(input, i) && ends_word(&before(input, i, recent)) {
            out.extend_from_slice(&input[copied..i]);
            out.extend_from_slice(MASK);
            out.extend_from_slice(&input[i + KEY_LEN - 4..i + KEY_LEN]);
            i += KEY_LEN;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.extend_from_slice(&input[copied..i]);
    recent.update(&input[..i]);
    i
}

/// Whether a whole key id starts at `i` and ends at a word boundary (or the end of the input).
fn is_key_at(input: &[u8], i: usize) -> bool {
    let Some(candidate) = input.get(i..i + KEY_LEN) else {
        return false;
    };
    (candidate.starts_with(b"AKIA") || candidate.starts_with(b"ASIA"))
        && candidate[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && input.get(i + KEY_LEN).is_none_or(|b| !is_word(*b))
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_access_key_ids_to_their_last_four_characters() {
        assert_eq!(
            shorten_access_key_ids("key AKIAIOSFODNN7EXAMPLE of alice, ASIAY34FZKBOKMUTVV7A too"),
            "key ****MPLE of alice, ****VV7A too"
        );
        assert_eq!(
            shorten_access_key_ids("\"AKIAIOSFODNN7EXAMPLE\""),
            "\"****MPLE\""
        );
    }

    #[test]
    fn shortens_ids_after_a_json_escape() {
        // As serde_json writes "line one\nAKIA…" and "\u001bASIA…".
        assert_eq!(
            shorten_access_key_ids(
                r"line one\nAKIAIOSFODNN7EXAMPLE, col\tASIAY34FZKBOKMUTVV7A \u001bAKIAIOSFODNN7EXAMPLE"
            ),
            r"line one\n****MPLE, col\t****VV7A \u001b****MPLE"
        );
    }

    #[test]
    fn leaves_other_words_alone() {
        for text in [
            "AKIAIOSFODNN7EXAMPL",   // too short
            "AKIAIOSFODNN7EXAMPLEX", // too long
            "xAKIAIOSFODNN7EXAMPLE", // inside a word
            "AIDAIOSFODNN7EXAMPLE",  // a user id, not a key
            "AKIAiosfodnn7example",  // not an id's alphabet
            "arn:aws:iam::123456789012:user/alice",
        ] {
            assert_eq!(shorten_access_key_ids(text), text);
        }
    }

    #[test]
    fn shortens_ids_split_across_writes() {
        let text = format!(
            "{}AKIAIOSFODNN7EXAMPLE{}",
            "a ".repeat(40_000),
            " b".repeat(40_000)
        );
        for split in [1, 7, 80_000, 80_005, 80_019, 80_020] {
            let mut writer = RedactingWriter::new(Vec::new());
            writer.write_all(&text.as_bytes()[..split]).unwrap();
            writer.write_all(&text.as_bytes()[split..]).unwrap();
            let written = String::from_utf8(writer.finish().unwrap()).unwrap();
            assert!(!written.contains("AKIA"), "split at {split}");
            assert!(written.contains(" ****MPLE "), "split at {split}");
            assert_eq!(written.len(), text.len() - 12, "split at {split}");
        }
    }
}
