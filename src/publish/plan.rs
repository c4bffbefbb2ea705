//! What a publish will do, decided with no I/O: from the site's files, the objects listed under
//! the prefix and the last manifest, which files to upload (each with its reason and headers), in
//! which order, which to leave as they are, and which objects to delete or keep.
//!
//! The rules the site's readers rely on live here:
//! - versioned pages (`v/<id>/…`) and content-hashed assets never change under their name, so
//!   they are cached for a year; the entry pages (and anything else) revalidate on every visit;
//! - versioned pages and assets are uploaded before any entry page, so an entry page never links
//!   to a page not yet there;
//! - `--delete` removes only objects under the prefix that the site no longer has, never
//!   publish's own manifest, and never a versioned page or asset unless `--prune-versions`
//!   (pages of older versions still link to them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use super::manifest::{Manifest, ManifestEntry, OWN_FOLDER, same_etag};

/// `Cache-Control` of what never changes under its name: versioned pages and hashed assets.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the entry pages and the manifest: caches must ask S3 (or CloudFront) on
/// every use whether they changed.
pub const CACHE_REVALIDATE: &str = "no-cache";

/// A file of the rendered site, read and hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Its path relative to the site's folder, with `/` separators (`v/<id>/index.html`).
    pub relative: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its content, in hex.
    pub sha256: String,
    /// The MD5 of its content, in hex: what S3's ETag is for a single-part upload without
    /// SSE-KMS.
    pub md5: String,
}

/// An object under the prefix, as ListObjectsV2 shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteObject {
    /// Its key relative to the prefix.
    pub relative: String,
    /// Its ETag, as S3 writes it (quoted).
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
}

/// An object's headers, as HeadObject shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteHeaders {
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its `Cache-Control`.
    pub cache_control: Option<String>,
}

/// What kind of file of the site a path is: it decides the cache headers, the upload phase, and
/// whether `--delete` may remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileClass {
    /// A content-hashed asset (`assets/site.08317011.css`).
    Asset,
    /// A file of a version (`v/<snapshot id>/…`): written once, never changed.
    Versioned,
    /// An entry page (`index.html`, `history.html`) or any other file: it changes with every
    /// render, so it is uploaded last and revalidated on every visit.
    Entry,
}

impl FileClass {
    /// The class of the file at `relative`.
    pub fn of(relative: &str) -> Self {
        if relative.starts_with("v/") {
            Self::Versioned
        } else if let Some(name) = relative.strip_prefix("assets/")
            && is_content_hashed(name)
        {
            Self::Asset
        } else {
            Self::Entry
        }
    }

    /// Its `Cache-Control`.
    pub fn cache_control(self) -> &'static str {
        match self {
            Self::Asset | Self::Versioned => CACHE_IMMUTABLE,
            Self::Entry => CACHE_REVALIDATE,
        }
    }

    /// Whether it never changes under its name (uploaded in the first phase, kept by `--delete`
    /// unless `--prune-versions`).
    pub fn is_immutable(self) -> bool {
        self != Self::Entry
    }
}

/// `site.08317011.css`: a name with a hex hash of at least 8 digits before its extension, as
/// render names its assets.
fn is_content_hashed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && {
        let hash = parts[parts.len() - 2];
        hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

/// The `Content-Type` of the file at `relative`, by its extension; text types say UTF-8, which
/// is what render writes. JSON has no charset parameter (RFC 8259: it is always UTF-8). A
/// compressed snapshot (`.json.gz`) is a download, so it gets no `Content-Encoding`: a browser
/// would otherwise unpack it and save plain JSON under a `.gz` name.
pub fn content_type(relative: &str) -> &'static str {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "json" | "map" => "application/json",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/vnd.microsoft.icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadReason {
    /// The bucket does not have it.
    New,
    /// Its content differs from what the last publish uploaded.
    Changed,
    /// Its content is the same, but its `Content-Type` or `Cache-Control` would change.
    Headers,
    /// The object in the bucket is not the one the last publish uploaded (someone replaced it).
    ReplacedInBucket,
    /// No manifest records it and its ETag does not show the same content (another tool
    /// uploaded it, a publish stopped before writing its manifest, or SSE-KMS hides the MD5).
    Unrecorded,
}

impl fmt::Display for UploadReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::New => "new",
            Self::Changed => "changed",
            Self::Headers => "headers changed",
            Self::ReplacedInBucket => "replaced in the bucket since the last publish",
            Self::Unrecorded => "not known to be the same",
        })
    }
}

/// A file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file.
    pub file: LocalFile,
    /// Its class.
    pub class: FileClass,
    /// Why it is uploaded.
    pub reason: UploadReason,
}

impl Upload {
    /// The `Content-Type` it is uploaded with.
    pub fn content_type(&self) -> &'static str {
        content_type(&self.file.relative)
    }

    /// The `Cache-Control` it is uploaded with.
    pub fn cache_control(&self) -> &'static str {
        self.class.cache_control()
    }
}

/// A file the bucket already has as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchanged {
    /// The file.
    pub file: LocalFile,
    /// The ETag the listing shows for it.
    pub etag: String,
}

/// Why an object the site no longer has stays in the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepReason {
    /// No `--delete`.
    NoDelete,
    /// A versioned page or asset, and no `--prune-versions`.
    Version,
}

/// An object under the prefix that the site does not have and that stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Its key relative to the prefix.
    pub relative: String,
    /// Why it stays.
    pub reason: KeepReason,
}

/// What `--delete` and `--prune-versions` allow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeletePolicy {
    /// Remove objects under the prefix that the site no longer has.
    pub delete: bool,
    /// Remove versioned pages and assets too.
    pub prune_versions: bool,
}

/// What a publish will do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The files to upload, in order: assets, then versioned pages, then entry pages
    /// (`index.html` last).
    pub uploads: Vec<Upload>,
    /// The files the bucket already has as they should be.
    pub unchanged: Vec<Unchanged>,
    /// Objects to delete, relative to the prefix.
    pub deletes: Vec<String>,
    /// Objects the site no longer has that stay, and why.
    pub kept: Vec<Kept>,
}

/// The files whose content the listing shows to be the same only by its MD5 ETag, with no
/// manifest entry to vouch for their headers: publish reads their headers (HeadObject) before
/// planning, and skips them only if those are right too.
pub fn headers_to_read(
    local: &[LocalFile],
    remote: &[RemoteObject],
    manifest: Option<&Manifest>,
) -> Vec<String> {
    let remote: BTreeMap<&str, &RemoteObject> =
        remote.iter().map(|r| (r.relative.as_str(), r)).collect();
    local
        .iter()
        .filter(|file| {
            remote.get(file.relative.as_str()).is_some_and(|object| {
                recorded(file, object, manifest).is_none() && same_md5(file, object)
            })
        })
        .map(|file| file.relative.clone())
        .collect()
}

/// The manifest's entry for `file`, when it records the very object the listing shows.
fn recorded<'m>(
    file: &LocalFile,
    object: &RemoteObject,
    manifest: Option<&'m Manifest>,
) -> Option<&'m ManifestEntry> {
    manifest?
        .objects
        .get(&file.relative)
        .filter(|entry| same_etag(&entry.etag, &object.etag))
}

/// Whether the object's ETag is the MD5 of the file: a single-part upload of the same bytes. A
/// multipart ETag (`…-3`) or an SSE-KMS one never equals an MD5 in hex, so it never matches.
fn same_md5(file: &LocalFile, object: &RemoteObject) -> bool {
    object.size == file.size && same_etag(&object.etag, &file.md5)
}

/// Plans a publish of the site's `local` files over the `remote` objects under the prefix
/// (relative keys), given the last `manifest` and the `headers` read for the files
/// [`headers_to_read`] named.
pub fn plan(
    local: &[LocalFile],
    remote: &[RemoteObject],
    manifest: Option<&Manifest>,
    headers: &BTreeMap<String, RemoteHeaders>,
    policy: DeletePolicy,
) -> Plan {
    let by_key: BTreeMap<&str, &RemoteObject> =
        remote.iter().map(|r| (r.relative.as_str(), r)).collect();
    let mut plan = Plan::default();
    for file in local {
        let class = FileClass::of(&file.relative);
        let wanted = (content_type(&file.relative), class.cache_control());
        let reason = match by_key.get(file.relative.as_str()) {
            None => Some(UploadReason::New),
            Some(object) => match recorded(file, object, manifest) {
                Some(entry) if entry.sha256 != file.sha256 || entry.size != file.size => {
                    Some(UploadReason::Changed)
                }
                Some(entry) => (wanted
                    != (entry.content_type.as_str(), entry.cache_control.as_str()))
                    .then_some(UploadReason::Headers),
                None if same_md5(file, object) => match headers.get(&file.relative) {
                    Some(read) => (read.content_type.as_deref() != Some(wanted.0)
                        || read.cache_control.as_deref() != Some(wanted.1))
                    .then_some(UploadReason::Headers),
                    None => Some(UploadReason::Unrecorded),
                },
                None => Some(
                    match manifest.is_some_and(|m| m.objects.contains_key(&file.relative)) {
                        true => UploadReason::ReplacedInBucket,
                        false => UploadReason::Unrecorded,
                    },
                ),
            },
        };
        match (reason, by_key.get(file.relative.as_str())) {
            (Some(reason), _) => plan.uploads.push(Upload {
                file: file.clone(),
                class,
                reason,
            }),
            (None, Some(object)) => plan.unchanged.push(Unchanged {
                file: file.clone(),
                etag: object.etag.clone(),
            }),
            (None, None) => unreachable!("a file the bucket lacks is uploaded"),
        }
    }
    plan.uploads.sort_by(|a, b| {
        (a.class, a.file.relative == "index.html", &a.file.relative).cmp(&(
            b.class,
            b.file.relative == "index.html",
            &b.file.relative,
        ))
    });
    let site: BTreeSet<&str> = local.iter().map(|f| f.relative.as_str()).collect();
    for object in remote {
        let relative = object.relative.as_str();
        if site.contains(relative) || relative.starts_with(OWN_FOLDER) {
            continue;
        }
        let keep = if !policy.delete {
            Some(KeepReason::NoDelete)
        } else if FileClass::of(relative).is_immutable() && !policy.prune_versions {
            Some(KeepReason::Version)
        } else {
            None
        };
        match keep {
            Some(reason) => plan.kept.push(Kept {
                relative: relative.to_owned(),
                reason,
            }),
            None => plan.deletes.push(relative.to_owned()),
        }
    }
    plan
}

impl Plan {
    /// The first phase: assets and versioned pages, which no page yet links to.
    pub fn immutable_uploads(&self) -> impl Iterator<Item = &Upload> {
        self.uploads.iter().filter(|u| u.class.is_immutable())
    }

    /// The second phase: the entry pages, once every file they may link to is there.
    pub fn entry_uploads(&self) -> impl Iterator<Item = &Upload> {
        self.uploads.iter().filter(|u| !u.class.is_immutable())
    }

    /// Bytes to upload.
    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }

    /// The manifest's objects once every upload is done: each uploaded file with the ETag S3
    /// answered (`etags`), each unchanged file with the ETag listed, and each object kept that
    /// the previous manifest recorded and nobody replaced since.
    pub fn manifest_objects(
        &self,
        etags: &BTreeMap<String, String>,
        previous: Option<&Manifest>,
        remote: &[RemoteObject],
    ) -> BTreeMap<String, ManifestEntry> {
        let entry = |file: &LocalFile, etag: &str| ManifestEntry {
            sha256: file.sha256.clone(),
            size: file.size,
            etag: etag.to_owned(),
            content_type: content_type(&file.relative).to_owned(),
            cache_control: FileClass::of(&file.relative).cache_control().to_owned(),
        };
        let mut objects = BTreeMap::new();
        for upload in &self.uploads {
            if let Some(etag) = etags.get(&upload.file.relative) {
                objects.insert(upload.file.relative.clone(), entry(&upload.file, etag));
            }
        }
        for unchanged in &self.unchanged {
            objects.insert(
                unchanged.file.relative.clone(),
                entry(&unchanged.file, &unchanged.etag),
            );
        }
        if let Some(previous) = previous {
            let listed: BTreeMap<&str, &str> = remote
                .iter()
                .map(|r| (r.relative.as_str(), r.etag.as_str()))
                .collect();
            for kept in &self.kept {
                if let Some(old) = previous.objects.get(&kept.relative)
                    && listed
                        .get(kept.relative.as_str())
                        .is_some_and(|etag| same_etag(etag, &old.etag))
                {
                    objects.insert(kept.relative.clone(), old.clone());
                }
            }
        }
        objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "2026-11-29T02-41-03.207Z";

    fn file(relative: &str, content: &str) -> LocalFile {
        LocalFile {
            relative: relative.to_owned(),
            path: PathBuf::from("site").join(relative),
            size: content.len() as u64,
            sha256: format!("sha256({content})"),
            md5: format!("md5{content}"),
        }
    }

    /// The object a single-part upload of `file` leaves: its ETag is its MD5, quoted.
    fn uploaded(file: &LocalFile) -> RemoteObject {
        RemoteObject {
            relative: file.relative.clone(),
            etag: format!("\"{}\"", file.md5),
            size: file.size,
        }
    }

    fn object(relative: &str) -> RemoteObject {
        RemoteObject {
            relative: relative.to_owned(),
            etag: "\"ffff\"".to_owned(),
            size: 1,
        }
    }

    /// A manifest recording `files` as uploaded with `etag_of(file)` and today's headers.
    fn manifest_of(files: &[&LocalFile], etag_of: impl Fn(&LocalFile) -> String) -> Manifest {
        let objects = files
            .iter()
            .map(|f| {
                (
                    f.relative.clone(),
                    ManifestEntry {
                        sha256: f.sha256.clone(),
                        size: f.size,
                        etag: etag_of(f),
                        content_type: content_type(&f.relative).to_owned(),
                        cache_control: FileClass::of(&f.relative).cache_control().to_owned(),
                    },
                )
            })
            .collect();
        Manifest::new(objects, "2026-11-30T10:00:00Z".into())
    }

    fn site() -> Vec<LocalFile> {
        vec![
            file("index.html", "index"),
            file("history.html", "history"),
            file("assets/site.08317011.css", "css"),
            file("assets/site.54e885b5.js", "js"),
            file(&format!("v/{ID}/index.html"), "overview"),
            file(&format!("v/{ID}/findings.csv"), "csv"),
            file(&format!("v/{ID}/{ID}.json"), "snapshot"),
            file(&format!("v/{ID}/version.json"), "manifest"),
        ]
    }

    fn reasons(plan: &Plan) -> Vec<(&str, UploadReason)> {
        plan.uploads
            .iter()
            .map(|u| (u.file.relative.as_str(), u.reason))
            .collect()
    }

    fn no_headers() -> BTreeMap<String, RemoteHeaders> {
        BTreeMap::new()
    }

    #[test]
    fn versioned_files_and_hashed_assets_are_immutable_everything_else_is_an_entry() {
        for (path, class) in [
            (format!("v/{ID}/index.html"), FileClass::Versioned),
            (
                format!("v/{ID}/account/123456789012.html"),
                FileClass::Versioned,
            ),
            (format!("v/{ID}/{ID}.json.gz"), FileClass::Versioned),
            ("assets/site.08317011.css".into(), FileClass::Asset),
            ("assets/site.54e885b5d0c1.js".into(), FileClass::Asset),
            ("assets/site.css".into(), FileClass::Entry),
            ("assets/logo.png".into(), FileClass::Entry),
            ("assets/site.0831701.css".into(), FileClass::Entry),
            ("assets/site.zz317011.css".into(), FileClass::Entry),
            ("index.html".into(), FileClass::Entry),
            ("history.html".into(), FileClass::Entry),
            ("robots.txt".into(), FileClass::Entry),
            ("version/index.html".into(), FileClass::Entry),
        ] {
            assert_eq!(FileClass::of(&path), class, "{path}");
        }
        assert_eq!(FileClass::Versioned.cache_control(), CACHE_IMMUTABLE);
        assert_eq!(FileClass::Asset.cache_control(), CACHE_IMMUTABLE);
        assert_eq!(FileClass::Entry.cache_control(), CACHE_REVALIDATE);
        assert_eq!(CACHE_IMMUTABLE, "public, max-age=31536000, immutable");
        assert_eq!(CACHE_REVALIDATE, "no-cache");
    }

    #[test]
    fn every_file_render_writes_gets_its_content_type_with_utf8_for_text() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("assets/site.08317011.css", "text/css; charset=utf-8"),
            ("assets/site.54e885b5.js", "text/javascript; charset=utf-8"),
            ("v/x/findings.csv", "text/csv; charset=utf-8"),
            ("v/x/chart.svg", "image/svg+xml; charset=utf-8"),
            ("v/x/version.json", "application/json"),
            (&format!("v/x/{ID}.json"), "application/json"),
            (&format!("v/x/{ID}.json.gz"), "application/gzip"),
            ("INDEX.HTML", "text/html; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[test]
    fn unknown_extensions_are_octet_streams() {
        for path in [
            "v/x/data.parquet",
            "README",
            "assets/font.ttf2",
            "v.x/noext",
            "a.b/c",
        ] {
            assert_eq!(content_type(path), "application/octet-stream", "{path}");
        }
    }

    #[test]
    fn a_first_publish_uploads_everything_assets_and_versions_first_and_index_last() {
        let plan = plan(&site(), &[], None, &no_headers(), DeletePolicy::default());
        let order: Vec<&str> = plan
            .uploads
            .iter()
            .map(|u| u.file.relative.as_str())
            .collect();
        assert_eq!(
            order,
            vec![
                "assets/site.08317011.css".to_owned(),
                "assets/site.54e885b5.js".to_owned(),
                format!("v/{ID}/{ID}.json"),
                format!("v/{ID}/findings.csv"),
                format!("v/{ID}/index.html"),
                format!("v/{ID}/version.json"),
                "history.html".to_owned(),
                "index.html".to_owned(),
            ]
        );
        assert!(plan.uploads.iter().all(|u| u.reason == UploadReason::New));
        assert_eq!(plan.immutable_uploads().count(), 6);
        let entries: Vec<&str> = plan
            .entry_uploads()
            .map(|u| u.file.relative.as_str())
            .collect();
        assert_eq!(entries, ["history.html", "index.html"]);
        assert_eq!(
            plan.upload_bytes(),
            site().iter().map(|f| f.size).sum::<u64>()
        );
        assert!(plan.unchanged.is_empty() && plan.deletes.is_empty() && plan.kept.is_empty());
    }

    #[test]
    fn a_file_the_manifest_records_with_the_listed_etag_is_skipped() {
        let site = site();
        let remote: Vec<RemoteObject> = site.iter().map(uploaded).collect();
        let manifest = manifest_of(&site.iter().collect::<Vec<_>>(), |f| {
            format!("\"{}\"", f.md5)
        });
        let plan = plan(
            &site,
            &remote,
            Some(&manifest),
            &no_headers(),
            DeletePolicy::default(),
        );
        assert!(plan.uploads.is_empty(), "{:?}", reasons(&plan));
        assert_eq!(plan.unchanged.len(), site.len());
    }

    #[test]
    fn the_manifest_vouches_for_etags_that_are_no_md5_as_with_sse_kms_or_multipart() {
        let site = site();
        let kms = |f: &LocalFile| format!("\"kms-{}\"", f.relative.len());
        let remote: Vec<RemoteObject> = site
            .iter()
            .map(|f| RemoteObject {
                etag: kms(f),
                ..uploaded(f)
            })
            .collect();
        let manifest = manifest_of(&site.iter().collect::<Vec<_>>(), kms);
        let plan = plan(
            &site,
            &remote,
            Some(&manifest),
            &no_headers(),
            DeletePolicy::default(),
        );
        assert!(plan.uploads.is_empty(), "{:?}", reasons(&plan));
        // Without the manifest, nothing shows they are the same.
        let plan = super::plan(&site, &remote, None, &no_headers(), DeletePolicy::default());
        assert_eq!(plan.uploads.len(), site.len());
        assert!(
            plan.uploads
                .iter()
                .all(|u| u.reason == UploadReason::Unrecorded)
        );
        assert!(headers_to_read(&site, &remote, None).is_empty());
    }

    #[test]
    fn a_changed_file_a_replaced_object_and_changed_headers_are_uploaded_with_their_reason() {
        let old_index = file("index.html", "index");
        let history = file("history.html", "history");
        let overview = file(&format!("v/{ID}/index.html"), "overview");
        let manifest = {
            let mut m = manifest_of(&[&old_index, &history, &overview], |f| {
                format!("\"{}\"", f.md5)
            });
            m.objects
                .get_mut(&overview.relative)
                .expect("recorded")
                .cache_control = "no-cache".into();
            m
        };
        let remote = vec![
            uploaded(&old_index),
            // Someone uploaded another history.html by hand.
            RemoteObject {
                etag: "\"edited\"".into(),
                ..uploaded(&history)
            },
            uploaded(&overview),
        ];
        let local = vec![
            file("index.html", "index, newer"),
            history.clone(),
            overview.clone(),
        ];
        let plan = plan(
            &local,
            &remote,
            Some(&manifest),
            &no_headers(),
            DeletePolicy::default(),
        );
        assert_eq!(
            reasons(&plan),
            vec![
                (overview.relative.as_str(), UploadReason::Headers),
                ("history.html", UploadReason::ReplacedInBucket),
                ("index.html", UploadReason::Changed),
            ]
        );
    }

    #[test]
    fn without_a_manifest_an_md5_etag_skips_a_file_only_when_its_headers_are_right() {
        let site = site();
        let remote: Vec<RemoteObject> = site.iter().map(uploaded).collect();
        let to_read = headers_to_read(&site, &remote, None);
        assert_eq!(to_read.len(), site.len(), "every file's headers are read");
        let mut headers: BTreeMap<String, RemoteHeaders> = site
            .iter()
            .map(|f| {
                (
                    f.relative.clone(),
                    RemoteHeaders {
                        content_type: Some(content_type(&f.relative).to_owned()),
                        cache_control: Some(FileClass::of(&f.relative).cache_control().to_owned()),
                    },
                )
            })
            .collect();
        // Another tool uploaded index.html as a binary, and the CSS has no Cache-Control.
        headers.get_mut("index.html").expect("read").content_type =
            Some("binary/octet-stream".into());
        headers
            .get_mut("assets/site.08317011.css")
            .expect("read")
            .cache_control = None;
        // history.html's headers could not be read.
        headers.remove("history.html");
        let plan = plan(&site, &remote, None, &headers, DeletePolicy::default());
        assert_eq!(
            reasons(&plan),
            vec![
                ("assets/site.08317011.css", UploadReason::Headers),
                ("history.html", UploadReason::Unrecorded),
                ("index.html", UploadReason::Headers),
            ]
        );
        assert_eq!(plan.unchanged.len(), site.len() - 3);
    }

    #[test]
    fn an_md5_of_other_content_or_size_is_not_the_same_file() {
        let index = file("index.html", "index");
        let other_size = RemoteObject {
            size: 99,
            ..uploaded(&index)
        };
        let other_content = RemoteObject {
            etag: "\"0000\"".into(),
            ..uploaded(&index)
        };
        for remote in [other_size, other_content] {
            assert!(
                headers_to_read(
                    std::slice::from_ref(&index),
                    std::slice::from_ref(&remote),
                    None
                )
                .is_empty()
            );
            let plan = plan(
                std::slice::from_ref(&index),
                &[remote],
                None,
                &no_headers(),
                DeletePolicy::default(),
            );
            assert_eq!(
                reasons(&plan),
                vec![("index.html", UploadReason::Unrecorded)]
            );
        }
    }

    /// Objects the site no longer has: an old version, an old asset, an old entry page, a file
    /// of a version the site still has, publish's own manifest.
    fn stale() -> Vec<RemoteObject> {
        vec![
            object("v/2026-01-01T00-00-00.000Z/index.html"),
            object(&format!("v/{ID}/account/999999999999.html")),
            object("assets/site.00000000.css"),
            object("old.html"),
            object("assets/site.css"),
            object(".posture/publish-manifest.json"),
            object(".posture/other"),
        ]
    }

    #[test]
    fn without_delete_every_object_the_site_lacks_is_kept() {
        let plan = plan(
            &site(),
            &stale(),
            None,
            &no_headers(),
            DeletePolicy::default(),
        );
        assert!(plan.deletes.is_empty());
        assert_eq!(plan.kept.len(), 5);
        assert!(plan.kept.iter().all(|k| k.reason == KeepReason::NoDelete));
        assert!(
            plan.kept
                .iter()
                .all(|k| !k.relative.starts_with(".posture/"))
        );
    }

    #[test]
    fn delete_removes_stale_entry_files_but_never_a_version_an_asset_or_the_manifest() {
        let policy = DeletePolicy {
            delete: true,
            prune_versions: false,
        };
        let plan = plan(&site(), &stale(), None, &no_headers(), policy);
        assert_eq!(plan.deletes, ["old.html", "assets/site.css"]);
        let kept: Vec<(&str, KeepReason)> = plan
            .kept
            .iter()
            .map(|k| (k.relative.as_str(), k.reason))
            .collect();
        assert_eq!(
            kept,
            vec![
                ("v/2026-01-01T00-00-00.000Z/index.html", KeepReason::Version),
                (
                    &format!("v/{ID}/account/999999999999.html"),
                    KeepReason::Version
                ),
                ("assets/site.00000000.css", KeepReason::Version),
            ]
        );
    }

    #[test]
    fn prune_versions_removes_old_versions_and_assets_too_but_never_the_manifest() {
        let policy = DeletePolicy {
            delete: true,
            prune_versions: true,
        };
        let plan = plan(&site(), &stale(), None, &no_headers(), policy);
        assert_eq!(
            plan.deletes,
            vec![
                "v/2026-01-01T00-00-00.000Z/index.html".to_owned(),
                format!("v/{ID}/account/999999999999.html"),
                "assets/site.00000000.css".to_owned(),
                "old.html".to_owned(),
                "assets/site.css".to_owned(),
            ]
        );
        assert!(plan.kept.is_empty());
        let site_files: BTreeSet<String> = site().into_iter().map(|f| f.relative).collect();
        assert!(plan.deletes.iter().all(|d| !site_files.contains(d)));
    }

    #[test]
    fn the_next_manifest_records_uploads_unchanged_files_and_untouched_kept_objects() {
        let index = file("index.html", "index, newer");
        let css = file("assets/site.08317011.css", "css");
        let old_version = file("v/2026-01-01T00-00-00.000Z/index.html", "old");
        let replaced = file("v/2026-01-02T00-00-00.000Z/index.html", "old 2");
        let previous = manifest_of(&[&css, &old_version, &replaced], |f| {
            format!("\"{}\"", f.md5)
        });
        let remote = vec![
            uploaded(&css),
            uploaded(&old_version),
            RemoteObject {
                etag: "\"edited\"".into(),
                ..uploaded(&replaced)
            },
        ];
        let local = vec![index.clone(), css.clone()];
        let plan = plan(
            &local,
            &remote,
            Some(&previous),
            &no_headers(),
            DeletePolicy::default(),
        );
        let etags = BTreeMap::from([("index.html".to_owned(), "\"new-etag\"".to_owned())]);
        let objects = plan.manifest_objects(&etags, Some(&previous), &remote);
        let keys: Vec<&str> = objects.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "assets/site.08317011.css",
                "index.html",
                "v/2026-01-01T00-00-00.000Z/index.html"
            ]
        );
        let index_entry = &objects["index.html"];
        assert_eq!(index_entry.etag, "\"new-etag\"");
        assert_eq!(index_entry.sha256, index.sha256);
        assert_eq!(index_entry.content_type, "text/html; charset=utf-8");
        assert_eq!(index_entry.cache_control, "no-cache");
        assert_eq!(
            objects["assets/site.08317011.css"].cache_control,
            CACHE_IMMUTABLE
        );
        // An upload that did not happen is not recorded.
        let objects = plan.manifest_objects(&BTreeMap::new(), Some(&previous), &remote);
        assert!(!objects.contains_key("index.html"));
    }
}
