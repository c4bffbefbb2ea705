//! The publish manifest: what posture last published under a prefix, written there last
//! (`<prefix>/.posture/publish-manifest.json`) and read first by the next publish.
//!
//! S3's listing gives each object's ETag, which is the MD5 of its content only for single-part
//! uploads without SSE-KMS, and says nothing of its headers. The manifest records, for every key,
//! the SHA-256 and size of what was uploaded, the headers it was uploaded with and the ETag S3
//! answered: a later publish skips a file only when the listing still shows that ETag (nobody
//! replaced the object since) and the local file and its headers are the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The manifest's key, relative to the prefix. Hidden, like render's own leftovers, so no site
/// file can have it.
pub const MANIFEST_KEY: &str = ".posture/publish-manifest.json";

/// The folder publish keeps its own objects in, under the prefix; never a site file, never
/// deleted.
pub(crate) const OWN_FOLDER: &str = ".posture/";

/// What identifies the file as posture's manifest.
const FORMAT: &str = "posture-publish-manifest";
/// The manifest's schema version.
const VERSION: u32 = 1;

/// What posture published under a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `posture-publish-manifest`.
    pub format: String,
    /// The schema version (1).
    pub version: u32,
    /// The posture version that wrote it.
    pub posture_version: String,
    /// When it was written (RFC 3339).
    pub published_at: String,
    /// Every object published, by its path relative to the prefix.
    pub objects: BTreeMap<String, ManifestEntry>,
}

/// One published object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// The SHA-256 of the content uploaded, in hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The ETag S3 answered for it, as S3 writes it (quoted).
    pub etag: String,
    /// The `Content-Type` it was uploaded with.
    pub content_type: String,
    /// The `Cache-Control` it was uploaded with.
    pub cache_control: String,
}

impl Manifest {
    /// A manifest of `objects`, written now by this posture.
    pub fn new(objects: BTreeMap<String, ManifestEntry>, published_at: String) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            posture_version: env!("CARGO_PKG_VERSION").to_owned(),
            published_at,
            objects,
        }
    }

    /// Reads a manifest; `None` for anything that is not one this posture understands (another
    /// tool's file, a newer schema, a damaged upload): publish then compares by ETag alone,
    /// which can only upload more, never skip wrongly.
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        let manifest: Self = serde_json::from_slice(bytes).ok()?;
        (manifest.format == FORMAT && manifest.version == VERSION).then_some(manifest)
    }

    /// The manifest as uploaded.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a manifest serializes")
    }
}

/// Whether two ETags name the same object version: S3 quotes them, and some S3-compatible stores
/// do not.
pub(crate) fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"') == b.trim_matches('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> ManifestEntry {
        ManifestEntry {
            sha256: "ab".repeat(32),
            size: 12,
            etag: "\"0123\"".into(),
            content_type: "text/html; charset=utf-8".into(),
            cache_control: "no-cache".into(),
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let manifest = Manifest::new(
            BTreeMap::from([("index.html".to_owned(), entry())]),
            "2026-11-30T10:00:00Z".into(),
        );
        assert_eq!(Manifest::from_json(&manifest.to_json()), Some(manifest));
    }

    #[test]
    fn anything_but_a_manifest_of_this_version_reads_as_none() {
        let mut newer = Manifest::new(BTreeMap::new(), "2026-11-30T10:00:00Z".into());
        newer.version = 2;
        for bytes in [
            b"not json".to_vec(),
            b"{}".to_vec(),
            newer.to_json(),
            br#"{"format":"other","version":1,"posture_version":"0","published_at":"","objects":{}}"#.to_vec(),
        ] {
            assert_eq!(Manifest::from_json(&bytes), None, "{}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn etags_compare_with_or_without_quotes() {
        assert!(same_etag("\"abc\"", "abc"));
        assert!(same_etag("\"abc-2\"", "\"abc-2\""));
        assert!(!same_etag("\"abc\"", "\"abd\""));
    }
}
