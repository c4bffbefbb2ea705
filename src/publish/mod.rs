//! `publish`: the rendered site to an S3 bucket, incrementally and in an order that never shows a
//! reader a half-updated site.
//!
//! Pure planning in the middle ([`plan`]: the site's files, the objects listed under the prefix
//! and the last manifest in, a plan of uploads, deletes and skips out), I/O at the edges: the
//! site on disk ([`read_site`]) and the bucket (`bucket.rs`). A publish uploads the versioned
//! pages and assets first, then the entry pages, then the manifest, then deletes; it stops at the
//! first failed upload, leaving the entry pages, the manifest and every object it would have
//! deleted as they were. It never touches a key outside the prefix ([`S3Location`]).
//!
//! It must not read the snapshot store or render: the site on disk is its only input.

mod bucket;
mod local;
mod location;
mod manifest;
mod plan;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream;
use tracing::{debug, info};

use self::bucket::Bucket;
use crate::aws::ClientFactory;
use crate::text::plural;

pub use self::local::read_site;
pub use self::location::{S3Location, UrlError, cloudfront_domain};
pub use self::manifest::{MANIFEST_KEY, Manifest, ManifestEntry};
pub use self::plan::{
    CACHE_IMMUTABLE, CACHE_REVALIDATE, DeletePolicy, FileClass, KeepReason, Kept, LocalFile, Plan,
    RemoteHeaders, RemoteObject, Unchanged, Upload, UploadReason, content_type, headers_to_read,
    plan,
};

/// Uploads in flight at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// Files larger than this go up in parts, by default: 8 MiB, the AWS CLI's threshold.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 8 * 1024 * 1024;

/// What to publish where, and how.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The bucket and prefix.
    pub location: S3Location,
    /// Only plan: list what would be uploaded and deleted, and change nothing.
    pub dry_run: bool,
    /// What `--delete` and `--prune-versions` allow.
    pub policy: DeletePolicy,
    /// Uploads in flight at once.
    pub concurrency: usize,
    /// Files larger than this many bytes are uploaded in parts.
    pub multipart_threshold: u64,
    /// The CloudFront distribution in front of the bucket, for the URL to open.
    pub cloudfront_domain: Option<String>,
}

/// What a publish did (or, with `--dry-run`, would do).
#[derive(Debug, Clone)]
pub struct PublishReport {
    /// Where.
    pub location: S3Location,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The plan, all of it carried out unless `dry_run`.
    pub plan: Plan,
    /// Whether the manifest was written (not when nothing changed).
    pub manifest_written: bool,
    /// The URL to open: the CloudFront domain's, or the bucket's website endpoint when it has a
    /// website configuration.
    pub url: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a publish failed. Each names the bucket (or the site's folder) and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The S3 URL or the CloudFront domain is malformed.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The site's folder does not exist.
    #[error("{}: no such folder: render the site first (`posture render`), or name its folder with --site DIR", dir.display())]
    NoSite {
        /// The folder.
        dir: PathBuf,
    },
    /// The folder has no `index.html`.
    #[error("{}: not a posture site (no index.html): render one there with `posture render --out {}`, or name the site's folder with --site DIR", dir.display(), dir.display())]
    NotASite {
        /// The folder.
        dir: PathBuf,
    },
    /// The site's folder holds a symbolic link or a special file (or could not be walked).
    #[error(transparent)]
    Folder(#[from] crate::render::SiteFolderError),
    /// A file of the site could not be read.
    #[error("could not read {}: {source}", path.display())]
    ReadSite {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The bucket does not exist.
    #[error(
        "s3://{bucket}: no such bucket: create it (the README's \"Publishing\" says how), or correct the name"
    )]
    NoBucket {
        /// The bucket.
        bucket: String,
    },
    /// The credentials may not do what publish needs.
    #[error(
        "s3://{bucket}: access denied ({action}: {reason}): give these credentials the permissions in policies/posture-publish.json, or use --profile for credentials that have them"
    )]
    Denied {
        /// The bucket.
        bucket: String,
        /// The IAM action that was refused.
        action: &'static str,
        /// S3's answer.
        reason: String,
    },
    /// S3's endpoint did not answer, or is no URL.
    #[error("s3://{bucket}: could not reach {endpoint}: {detail}")]
    Unreachable {
        /// The bucket.
        bucket: String,
        /// The endpoint, as named (`--endpoint-url`), or S3 in the Region asked.
        endpoint: String,
        /// The connection error.
        detail: String,
    },
    /// Any other failed call on the bucket.
    #[error("s3://{bucket}: {action} failed: {reason}")]
    Aws {
        /// The bucket.
        bucket: String,
        /// The IAM action of the call.
        action: &'static str,
        /// Why.
        reason: String,
    },
    /// An upload failed: publishing stopped before the entry pages (or some of them).
    #[error("{0}")]
    Stopped(Box<Stopped>),
    /// Every file is up, but the manifest could not be written.
    #[error(
        "{location}: every file is published ({uploaded}), but the manifest could not be written ({source}); nothing was deleted: publish again to finish"
    )]
    Manifest {
        /// Where.
        location: S3Location,
        /// How many files were uploaded.
        uploaded: String,
        /// Why.
        source: Box<PublishError>,
    },
    /// Every file is up and the manifest written, but S3 refused to delete some objects.
    #[error("{location}: published, but {} could not be deleted: {}", plural(refused.len(), "object"), listed(refused.iter().map(|(k, r)| format!("{k} ({r})"))))]
    NotDeleted {
        /// Where.
        location: S3Location,
        /// Each key S3 would not delete, with why.
        refused: BTreeMap<String, String>,
    },
}

/// A publish that stopped at a failed upload: what was and was not uploaded.
#[derive(Debug, Clone)]
pub struct Stopped {
    /// Where.
    pub location: S3Location,
    /// The files uploaded before it stopped.
    pub uploaded: Vec<String>,
    /// The files whose upload failed, with why.
    pub failed: Vec<(String, String)>,
    /// How many planned uploads were not attempted.
    pub not_attempted: usize,
    /// The entry pages of the plan.
    pub entry_pages: Vec<String>,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Failures grouped by why: a denied PutObject fails every file in flight the same way.
        let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, why) in &self.failed {
            by_reason.entry(why).or_default().push(key);
        }
        write!(
            f,
            "{}: publishing stopped: {} uploaded, {} failed ({}), {} not attempted; ",
            self.location,
            plural(self.uploaded.len(), "file"),
            self.failed.len(),
            by_reason
                .iter()
                .map(|(why, keys)| format!("{}: {why}", listed(keys.iter())))
                .collect::<Vec<_>>()
                .join("; "),
            self.not_attempted,
        )?;
        let (up, not_up): (Vec<&String>, Vec<&String>) = self
            .entry_pages
            .iter()
            .partition(|page| self.uploaded.contains(page));
        if up.is_empty() {
            f.write_str(
                "no entry page was uploaded: the previous entry pages (if any) are still in place",
            )?;
        } else {
            write!(
                f,
                "entry pages uploaded: {}; not uploaded: {}",
                listed(up.iter()),
                listed(not_up.iter())
            )?;
        }
        f.write_str("; no manifest was written and nothing was deleted: publish again once the cause is fixed")
    }
}

/// The first five of `items`, comma-separated, and how many more.
fn listed<T: fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|item| item.to_string()).collect();
    if items.is_empty() {
        return "none".to_owned();
    }
    let mut text = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        text.push_str(&format!(" and {} more", items.len() - 5));
    }
    text
}

/// Publishes the `site`'s files ([`read_site`]) as `options` say.
///
/// # Errors
/// A [`PublishError`]: the bucket is missing or refused, or an upload failed
/// ([`PublishError::Stopped`], saying what was and was not uploaded).
pub async fn publish(
    factory: &ClientFactory,
    site: &[LocalFile],
    options: &PublishOptions,
) -> Result<PublishReport, PublishError> {
    let started = Instant::now();
    let location = &options.location;
    let bucket = Bucket::open(factory, location).await?;
    let remote = bucket.list().await?;
    let previous = bucket.manifest().await?;
    let concurrency = options.concurrency.max(1);
    let to_read = headers_to_read(site, &remote, previous.as_ref());
    let headers: BTreeMap<String, RemoteHeaders> = stream::iter(to_read)
        .map(|relative| {
            let bucket = &bucket;
            async move { (bucket.headers(&relative).await, relative) }
        })
        .buffer_unordered(concurrency)
        .filter_map(|(headers, relative)| async move { headers.map(|h| (relative, h)) })
        .collect()
        .await;
    let plan = plan(site, &remote, previous.as_ref(), &headers, options.policy);
    debug!(
        files = site.len(),
        listed = remote.len(),
        manifest = previous.is_some(),
        uploads = plan.uploads.len(),
        deletes = plan.deletes.len(),
        "planned"
    );
    if options.dry_run {
        return Ok(PublishReport {
            location: location.clone(),
            dry_run: true,
            plan,
            manifest_written: false,
            url: None,
            elapsed: started.elapsed(),
        });
    }

    let mut done = Uploads::default();
    for (phase, uploads) in [
        (
            "versioned pages and assets",
            plan.immutable_uploads().collect::<Vec<_>>(),
        ),
        ("entry pages", plan.entry_uploads().collect()),
    ] {
        if !uploads.is_empty() {
            info!(
                "uploading {} ({:.1} MB): {phase}",
                plural(uploads.len(), "file"),
                uploads.iter().map(|u| u.file.size).sum::<u64>() as f64 / 1e6
            );
        }
        done.run(&bucket, &uploads, concurrency, options.multipart_threshold)
            .await;
        if !done.failed.is_empty() {
            let planned = plan.uploads.len();
            return Err(PublishError::Stopped(Box::new(Stopped {
                location: location.clone(),
                not_attempted: planned - done.uploaded.len() - done.failed.len(),
                uploaded: done.uploaded,
                failed: done.failed,
                entry_pages: plan
                    .entry_uploads()
                    .map(|u| u.file.relative.clone())
                    .collect(),
            })));
        }
    }

    let objects = plan.manifest_objects(&done.etags, previous.as_ref(), &remote);
    let manifest_written = previous.as_ref().is_none_or(|m| m.objects != objects);
    if manifest_written {
        let published_at = jiff::Timestamp::now().to_string();
        bucket
            .put_manifest(&Manifest::new(objects, published_at))
            .await
            .map_err(|source| PublishError::Manifest {
                location: location.clone(),
                uploaded: plural(done.uploaded.len(), "file"),
                source: Box::new(source),
            })?;
    }
    if !plan.deletes.is_empty() {
        info!("deleting {}", plural(plan.deletes.len(), "object"));
        let refused = bucket.delete(&plan.deletes).await?;
        if !refused.is_empty() {
            return Err(PublishError::NotDeleted {
                location: location.clone(),
                refused,
            });
        }
    }
    let url = match &options.cloudfront_domain {
        Some(domain) => Some(format!(
            "https://{domain}/{}index.html",
            location.list_prefix()
        )),
        None if bucket.is_website().await => Some(format!(
            "http://{}.{}/{}index.html",
            location.bucket,
            website_host(bucket.region().as_ref()),
            location.list_prefix()
        )),
        None => None,
    };
    Ok(PublishReport {
        location: location.clone(),
        dry_run: false,
        plan,
        manifest_written,
        url,
        elapsed: started.elapsed(),
    })
}

/// The uploads of a publish so far.
#[derive(Debug, Default)]
struct Uploads {
    /// The ETag S3 answered for each file uploaded.
    etags: BTreeMap<String, String>,
    /// The files uploaded, in the order they finished.
    uploaded: Vec<String>,
    /// The files that failed, with why.
    failed: Vec<(String, String)>,
}

impl Uploads {
    /// Uploads `uploads` with at most `concurrency` in flight. After the first failure, no
    /// further upload starts; those in flight finish.
    async fn run(
        &mut self,
        bucket: &Bucket,
        uploads: &[&Upload],
        concurrency: usize,
        multipart_threshold: u64,
    ) {
        let stop = AtomicBool::new(false);
        let results: Vec<(&Upload, Option<Result<String, String>>)> = stream::iter(uploads)
            .map(|&upload| {
                let stop = &stop;
                async move {
                    if stop.load(Ordering::Relaxed) {
                        return (upload, None);
                    }
                    let result = bucket.upload(upload, multipart_threshold).await;
                    match &result {
                        Ok(_) => {
                            debug!(key = %upload.file.relative, reason = %upload.reason, "uploaded")
                        }
                        Err(why) => {
                            stop.store(true, Ordering::Relaxed);
                            debug!(key = %upload.file.relative, why, "upload failed");
                        }
                    }
                    (upload, Some(result))
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for (upload, result) in results {
            let relative = upload.file.relative.clone();
            match result {
                Some(Ok(etag)) => {
                    self.etags.insert(relative.clone(), etag);
                    self.uploaded.push(relative);
                }
                Some(Err(why)) => self.failed.push((relative, why)),
                None => {}
            }
        }
        self.failed.sort();
    }
}

/// The host of a bucket's website endpoint in `region`: the Regions S3 had before 2014 use a
/// dash (`s3-website-us-east-1`), the others a dot
/// (<https://docs.aws.amazon.com/general/latest/gr/s3.html#s3_website_region_endpoints>).
fn website_host(region: &str) -> String {
    const DASH: [&str; 9] = [
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "sa-east-1",
        "us-gov-west-1",
    ];
    if DASH.contains(&region) {
        format!("s3-website-{region}.amazonaws.com")
    } else {
        format!("s3-website.{region}.amazonaws.com")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn website_hosts_use_a_dash_in_the_old_regions_and_a_dot_elsewhere() {
        assert_eq!(
            website_host("us-east-1"),
            "s3-website-us-east-1.amazonaws.com"
        );
        assert_eq!(
            website_host("eu-west-1"),
            "s3-website-eu-west-1.amazonaws.com"
        );
        assert_eq!(
            website_host("eu-central-1"),
            "s3-website.eu-central-1.amazonaws.com"
        );
    }

    #[test]
    fn a_stopped_publish_says_what_was_and_was_not_uploaded_in_one_line() {
        let location = S3Location::parse("s3://bkt/site").unwrap();
        let stopped = Stopped {
            location: location.clone(),
            uploaded: vec!["assets/site.08317011.css".into(), "v/x/index.html".into()],
            failed: vec![
                (
                    "v/x/checks.html".into(),
                    "AccessDenied: Access Denied".into(),
                ),
                ("v/x/csf.html".into(), "AccessDenied: Access Denied".into()),
                ("v/x/big.json.gz".into(), "part 2: HTTP 500".into()),
            ],
            not_attempted: 7,
            entry_pages: vec!["history.html".into(), "index.html".into()],
        };
        let line = stopped.to_string();
        assert!(!line.contains('\n'), "{line}");
        for part in [
            "s3://bkt/site/: publishing stopped",
            "2 files uploaded, 3 failed (v/x/checks.html, v/x/csf.html: AccessDenied: Access Denied; v/x/big.json.gz: part 2: HTTP 500), 7 not attempted",
            "no entry page was uploaded: the previous entry pages (if any) are still in place",
            "publish again",
        ] {
            assert!(line.contains(part), "{part:?} not in {line}");
        }
        let partly = Stopped {
            uploaded: vec!["history.html".into()],
            failed: vec![("index.html".into(), "HTTP 500".into())],
            not_attempted: 0,
            ..stopped
        };
        let line = partly.to_string();
        assert!(
            line.contains("entry pages uploaded: history.html; not uploaded: index.html"),
            "{line}"
        );
    }

    #[test]
    fn a_long_list_names_five_and_counts_the_rest() {
        assert_eq!(listed(1..=3), "1, 2, 3");
        assert_eq!(listed(1..=8), "1, 2, 3, 4, 5 and 3 more");
        assert_eq!(listed(std::iter::empty::<u8>()), "none");
    }
}
