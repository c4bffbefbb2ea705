//! The S3 edge of publish: every call it makes to the bucket, each mapped to a [`PublishError`]
//! that names the bucket, or for an upload to the reason it failed. Clients come from the
//! [`ClientFactory`], which sets retries (throttling and 5xx are retried with backoff) and
//! timeouts; nothing here retries on its own.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use aws_config::Region;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use sha2::{Digest, Sha256};
use tracing::{debug, warn};

use super::PublishError;
use super::location::S3Location;
use super::manifest::{MANIFEST_KEY, Manifest};
use super::plan::{CACHE_REVALIDATE, RemoteHeaders, RemoteObject, Upload};
use crate::aws::ClientFactory;
use crate::aws::error::{AwsErrorInfo, Failure};
use crate::files::{Links, open_regular, read_regular};
use crate::snapshot::hex;

/// S3's smallest part, but for the last (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html>).
const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's most parts in one upload.
const MAX_PARTS: u64 = 10_000;
/// DeleteObjects takes at most this many keys.
const DELETE_BATCH: usize = 1000;

/// The bucket a site is published to, with a client in the bucket's own Region.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    client: Client,
    location: S3Location,
    region: Region,
}

/// The Region S3 names in an answer's `x-amz-bucket-region` header: HeadBucket's, even when it
/// refuses (a 301 from the wrong Region, a 403).
fn bucket_region<E>(err: &SdkError<E, HttpResponse>) -> Option<Region> {
    let region = err.raw_response()?.headers().get("x-amz-bucket-region")?;
    Some(Region::new(region.to_owned()))
}

impl Bucket {
    /// Checks that the bucket exists and may be listed (HeadBucket, which needs
    /// `s3:ListBucket`), and finds its Region: the base config's when it answers there, else the
    /// one S3 names.
    ///
    /// # Errors
    /// [`PublishError::NoBucket`], [`PublishError::Denied`], [`PublishError::Unreachable`] when
    /// S3 could not be reached, or [`PublishError::Aws`] for any other failure (no credentials).
    pub(crate) async fn open(
        factory: &ClientFactory,
        location: &S3Location,
    ) -> Result<Self, PublishError> {
        let mut region = factory.region();
        let mut client = factory.s3(factory.base(), &region);
        let mut answer = client.head_bucket().bucket(&location.bucket).send().await;
        if let Err(err) = &answer
            && let Some(elsewhere) = bucket_region(err).filter(|r| *r != region)
        {
            debug!(bucket = %location.bucket, region = %elsewhere, "the bucket is in another Region");
            region = elsewhere;
            client = factory.s3(factory.base(), &region);
            answer = client.head_bucket().bucket(&location.bucket).send().await;
        }
        match answer {
            Ok(head) => {
                if let Some(elsewhere) = head
                    .bucket_region()
                    .map(|r| Region::new(r.to_owned()))
                    .filter(|r| *r != region)
                {
                    region = elsewhere;
                    client = factory.s3(factory.base(), &region);
                }
                Ok(Self {
                    client,
                    location: location.clone(),
                    region,
                })
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => {
                Err(PublishError::NoBucket {
                    bucket: location.bucket.clone(),
                })
            }
            // The first call: one that could not reach S3 says where it tried, as a scan does.
            Err(err) => match AwsErrorInfo::from_sdk_error(&err) {
                info if matches!(info.failure, Failure::Unreachable | Failure::BadEndpoint) => {
                    Err(PublishError::Unreachable {
                        bucket: location.bucket.clone(),
                        endpoint: match factory.base().endpoint_url() {
                            Some(url) => format!("the endpoint {url}"),
                            None => format!("AWS S3 in {region}"),
                        },
                        detail: info.to_string(),
                    })
                }
                _ => Err(failed(location, "s3:ListBucket", &err)),
            },
        }
    }

    /// The bucket's Region.
    pub(crate) fn region(&self) -> &Region {
        &self.region
    }

    /// Every object under the prefix (ListObjectsV2, every page), with its key relative to the
    /// prefix. Keys outside the prefix's `/` boundary are never returned.
    pub(crate) async fn list(&self) -> Result<Vec<RemoteObject>, PublishError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.location.bucket)
            .prefix(self.location.list_prefix())
            .into_paginator()
            .send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| failed(&self.location, "s3:ListBucket", &err))?;
            for object in page.contents() {
                let Some(relative) = object.key().and_then(|k| self.location.relative(k)) else {
                    continue;
                };
                objects.push(RemoteObject {
                    relative: relative.to_owned(),
                    etag: object.e_tag().unwrap_or_default().to_owned(),
                    size: object.size().map_or(0, |s| s.max(0) as u64),
                });
            }
        }
        Ok(objects)
    }

    /// The manifest the last publish wrote, if there is one this posture reads.
    pub(crate) async fn manifest(&self) -> Result<Option<Manifest>, PublishError> {
        let key = self.location.key(MANIFEST_KEY);
        let answer = self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(&key)
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(err) => return Err(failed(&self.location, "s3:GetObject", &err)),
        };
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|err| PublishError::Aws {
                bucket: self.location.bucket.clone(),
                action: "s3:GetObject",
                reason: format!("reading {key}: {err}"),
            })?
            .into_bytes();
        let manifest = Manifest::from_json(&bytes);
        if manifest.is_none() {
            warn!(
                "s3://{}/{key} is not a manifest this posture reads: every file is compared by its ETag instead",
                self.location.bucket
            );
        }
        Ok(manifest)
    }

    /// The headers of the object of `relative` (HeadObject); `None` when they cannot be read,
    /// so that the file is uploaded again rather than trusted.
    pub(crate) async fn headers(&self, relative: &str) -> Option<RemoteHeaders> {
        let key = self.location.key(relative);
        match self
            .client
            .head_object()
            .bucket(&self.location.bucket)
            .key(&key)
            .send()
            .await
        {
            Ok(head) => Some(RemoteHeaders {
                content_type: head.content_type().map(str::to_owned),
                cache_control: head.cache_control().map(str::to_owned),
            }),
            Err(err) => {
                debug!(key, error = %AwsErrorInfo::from_sdk_error(&err).short(), "HeadObject failed");
                None
            }
        }
    }

    /// Uploads one file with its headers: in one PutObject up to `multipart_threshold` bytes,
    /// in parts above. Returns the ETag S3 answered, or why it failed (the object is then as it
    /// was: S3 replaces an object only once a whole upload succeeds).
    pub(crate) async fn upload(
        &self,
        upload: &Upload,
        multipart_threshold: u64,
    ) -> Result<String, String> {
        if upload.file.size > multipart_threshold {
            self.put_in_parts(upload, part_size(upload.file.size, multipart_threshold))
                .await
        } else {
            self.put(upload).await
        }
    }

    async fn put(&self, upload: &Upload) -> Result<String, String> {
        let path = upload.file.path.clone();
        let bytes = tokio::task::spawn_blocking(move || read_regular(&path, Links::Refuse))
            .await
            .map_err(|err| format!("reading the file failed: {err}"))?
            .map_err(|err| format!("could not read {}: {err}", upload.file.path.display()))?;
        same_as_planned(upload, &Sha256::digest(&bytes))?;
        let put = self
            .client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(&upload.file.relative))
            .content_type(upload.content_type())
            .cache_control(upload.cache_control())
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|err| AwsErrorInfo::from_sdk_error(&err).short())?;
        Ok(put.e_tag().unwrap_or_default().to_owned())
    }

    /// A multipart upload, aborted when any part fails, so that no parts are left to be billed.
    async fn put_in_parts(&self, upload: &Upload, part_size: u64) -> Result<String, String> {
        let key = self.location.key(&upload.file.relative);
        // CRC32 named at the start: S3 refuses parts with checksums (the SDK adds them) to an
        // upload created without an algorithm.
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.location.bucket)
            .key(&key)
            .content_type(upload.content_type())
            .cache_control(upload.cache_control())
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .send()
            .await
            .map_err(|err| AwsErrorInfo::from_sdk_error(&err).short())?;
        let upload_id = created
            .upload_id()
            .ok_or("S3 answered CreateMultipartUpload without an upload id")?
            .to_owned();
        let result = self.parts(upload, &key, &upload_id, part_size).await;
        if result.is_err() {
            let aborted = self
                .client
                .abort_multipart_upload()
                .bucket(&self.location.bucket)
                .key(&key)
                .upload_id(&upload_id)
                .send()
                .await;
            if let Err(err) = aborted {
                warn!(
                    "could not abort the multipart upload {upload_id} of s3://{}/{key} ({}): a lifecycle rule that aborts incomplete multipart uploads removes its parts",
                    self.location.bucket,
                    AwsErrorInfo::from_sdk_error(&err).short()
                );
            }
        }
        result
    }

    async fn parts(
        &self,
        upload: &Upload,
        key: &str,
        upload_id: &str,
        part_size: u64,
    ) -> Result<String, String> {
        let mut file = open_regular(&upload.file.path, Links::Refuse)
            .map_err(|err| format!("could not read {}: {err}", upload.file.path.display()))?;
        let mut hash = Sha256::new();
        let mut parts = Vec::new();
        let mut sent = 0u64;
        for number in 1.. {
            let (back, bytes) = read_part(file, part_size, &upload.file.path).await?;
            file = back;
            if bytes.is_empty() && number > 1 {
                break;
            }
            hash.update(&bytes);
            sent += bytes.len() as u64;
            let last = (bytes.len() as u64) < part_size;
            let part = self
                .client
                .upload_part()
                .bucket(&self.location.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|err| {
                    format!(
                        "part {number}: {}",
                        AwsErrorInfo::from_sdk_error(&err).short()
                    )
                })?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(part.e_tag().map(str::to_owned))
                    .set_checksum_crc32(part.checksum_crc32().map(str::to_owned))
                    .build(),
            );
            if last {
                break;
            }
        }
        if sent != upload.file.size {
            return Err(changed_on_disk(upload));
        }
        same_as_planned(upload, &hash.finalize())?;
        debug!(key, parts = parts.len(), "completing a multipart upload");
        let done = self
            .client
            .complete_multipart_upload()
            .bucket(&self.location.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|err| AwsErrorInfo::from_sdk_error(&err).short())?;
        Ok(done.e_tag().unwrap_or_default().to_owned())
    }

    /// Writes the manifest, last, revalidated on every read like the entry pages.
    pub(crate) async fn put_manifest(&self, manifest: &Manifest) -> Result<(), PublishError> {
        self.client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(MANIFEST_KEY))
            .content_type("application/json")
            .cache_control(CACHE_REVALIDATE)
            .body(ByteStream::from(manifest.to_json()))
            .send()
            .await
            .map_err(|err| failed(&self.location, "s3:PutObject", &err))?;
        Ok(())
    }

    /// Deletes the objects of `relatives` (keys under the prefix), a thousand per
    /// DeleteObjects. Returns the keys S3 would not delete, with why.
    pub(crate) async fn delete(
        &self,
        relatives: &[String],
    ) -> Result<BTreeMap<String, String>, PublishError> {
        let mut refused = BTreeMap::new();
        for batch in relatives.chunks(DELETE_BATCH) {
            let objects = batch
                .iter()
                .map(|relative| {
                    let key = self.location.key(relative);
                    debug_assert_eq!(self.location.relative(&key), Some(relative.as_str()));
                    ObjectIdentifier::builder().key(key).build()
                })
                .collect::<Result<Vec<_>, _>>()
                .expect("every identifier has its key");
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .expect("the list of objects is set");
            let answer = self
                .client
                .delete_objects()
                .bucket(&self.location.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|err| failed(&self.location, "s3:DeleteObject", &err))?;
            for error in answer.errors() {
                let key = error.key().unwrap_or_default();
                let relative = self.location.relative(key).unwrap_or(key).to_owned();
                let reason = match (error.code(), error.message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (code, message) => code.or(message).unwrap_or("refused").to_owned(),
                };
                refused.insert(relative, reason);
            }
        }
        Ok(refused)
    }

    /// Whether the bucket is configured as a static website (GetBucketWebsite); any failure,
    /// including not being allowed to ask, counts as no.
    pub(crate) async fn is_website(&self) -> bool {
        match self
            .client
            .get_bucket_website()
            .bucket(&self.location.bucket)
            .send()
            .await
        {
            Ok(_) => true,
            Err(err) => {
                debug!(error = %AwsErrorInfo::from_sdk_error(&err).short(), "no website configuration");
                false
            }
        }
    }
}

/// The size of each part: the threshold, but at least S3's smallest and few enough for S3's
/// most parts.
fn part_size(size: u64, threshold: u64) -> u64 {
    threshold.max(MIN_PART_SIZE).max(size.div_ceil(MAX_PARTS))
}

/// Reads the next part of `file` (up to `len` bytes) on the blocking pool.
async fn read_part(
    file: File,
    len: u64,
    path: &std::path::Path,
) -> Result<(File, Vec<u8>), String> {
    let shown: PathBuf = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        let mut reader = file.take(len);
        reader.read_to_end(&mut bytes)?;
        Ok::<_, std::io::Error>((reader.into_inner(), bytes))
    })
    .await
    .map_err(|err| format!("reading the file failed: {err}"))?
    .map_err(|err| format!("could not read {}: {err}", shown.display()))
}

/// Refuses to upload bytes that are not the ones planned (and hashed into the manifest): the
/// site was rendered again while it was being published.
fn same_as_planned(upload: &Upload, sha256: &[u8]) -> Result<(), String> {
    if hex(sha256) == upload.file.sha256 {
        Ok(())
    } else {
        Err(changed_on_disk(upload))
    }
}

fn changed_on_disk(upload: &Upload) -> String {
    format!(
        "{} changed on disk while it was being published (was the site rendered again?)",
        upload.file.path.display()
    )
}

/// The [`PublishError`] of a call needing `action` on the bucket that failed with `err`.
fn failed<E>(
    location: &S3Location,
    action: &'static str,
    err: &SdkError<E, HttpResponse>,
) -> PublishError
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let info = AwsErrorInfo::from_sdk_error(err);
    if info.code.as_deref() == Some("NoSuchBucket") {
        return PublishError::NoBucket {
            bucket: location.bucket.clone(),
        };
    }
    if info.is_access_denied() {
        return PublishError::Denied {
            bucket: location.bucket.clone(),
            action,
            reason: info.short(),
        };
    }
    PublishError::Aws {
        bucket: location.bucket.clone(),
        action,
        reason: info.short(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_the_threshold_at_least_five_mib_and_at_most_ten_thousand() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(part_size(20 * MIB, 8 * MIB), 8 * MIB);
        assert_eq!(part_size(6 * MIB, MIB), 5 * MIB);
        let huge = 200_000 * MIB;
        assert_eq!(part_size(huge, 8 * MIB), huge.div_ceil(10_000));
        assert!(huge.div_ceil(part_size(huge, 8 * MIB)) <= 10_000);
    }
}
