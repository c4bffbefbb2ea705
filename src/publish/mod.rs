//! `publish`: the rendered site to an S3 bucket, incrementally and in an order that never shows a
//! reader a half-updated site.
//!
//! Pure planning in the middle ([`plan`]: the site's files, the objects listed under the prefix
//! and the last manifest in, a plan of uploads, deletes and skips out); the I/O edges come next.

mod location;
mod manifest;
mod plan;

pub use self::location::{S3Location, UrlError, cloudfront_domain};
pub use self::manifest::{MANIFEST_KEY, Manifest, ManifestEntry};
pub use self::plan::{
    CACHE_IMMUTABLE, CACHE_REVALIDATE, DeletePolicy, FileClass, KeepReason, Kept, LocalFile, Plan,
    RemoteHeaders, RemoteObject, Unchanged, Upload, UploadReason, content_type, headers_to_read,
    plan,
};
