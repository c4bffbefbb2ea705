//! `posture publish` against the sandbox's S3 (moto's): what each publish uploads, with which
//! headers and in which order, what `--dry-run`, `--delete` and `--prune-versions` touch, how a
//! failure partway leaves the site, and the one-line errors.
//!
//! Each test publishes with credentials of an assumed-role session of its own, so the request
//! record tells its calls apart (`SandboxAdmin::requests_by`); the test's own checks use another
//! session. Tests that inject faults hold [`exclusive`] and publish from an account no other test
//! publishes from ([`FAULT_ACCOUNT`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::Region;
use aws_sdk_s3::Client;
use md5::{Digest, Md5};
use posture::render::{RenderOptions, render};
use posture::sandbox::{FaultKind, FaultRule, RecordedRequest, SandboxAdmin};
use posture::snapshot::Store;

use crate::support::{ClearFaults, ROLE, TEST_BUCKET_PREFIX, exclusive, seeded, state_dir};
use crate::synthetic::{fixture_before, fixture_dir};

/// Where the tests without faults publish from.
const ACCOUNT: &str = "acme-svc-016-nonprod";
/// Where the tests with faults publish from: a fault rule names it, so no other test's calls
/// meet the fault.
const FAULT_ACCOUNT: &str = "acme-svc-015-prod";

/// A fresh folder under the test target dir.
fn fresh(name: &str) -> PathBuf {
    let dir = state_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create");
    dir
}

/// Renders the store at `store` into `out`.
fn render_site(store: &Path, out: &Path) {
    render(&RenderOptions {
        snapshots_dir: store.to_owned(),
        out_dir: out.to_owned(),
        templates_dir: None,
        force: false,
    })
    .unwrap_or_else(|err| panic!("render {}: {err}", store.display()));
}

/// The site of the committed fixture store (two versions), rendered into a folder of `name`.
fn fixture_site(name: &str) -> PathBuf {
    let out = fresh(name);
    render_site(&fixture_dir(), &out);
    out
}

/// Every file of the site at `dir`, by its path relative to it.
fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

/// Publishes as an assumed-role session of its own in an account of the sandbox organization,
/// with a bucket of its own there.
struct Publisher {
    /// The binary's credentials, for its environment.
    env: Vec<(&'static str, String)>,
    /// Who the binary's calls are recorded as.
    principal: String,
    /// An S3 client of another session in the same account, for the test's own checks.
    s3: Client,
    admin: SandboxAdmin,
    endpoint: String,
    account_id: String,
    bucket: String,
}

impl Publisher {
    /// A publisher in the account named `account`, as session `posture-it-<name>`, with a new
    /// bucket `posture-it-<name>` ([`TEST_BUCKET_PREFIX`]).
    async fn new(account: &str, name: &str) -> Self {
        let seeded = seeded();
        let factory = seeded.factory().await;
        let account_id = seeded.account_id(account);
        let session = format!("posture-it-{name}");
        let assumed = factory
            .sts(factory.base())
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account_id}:role/{ROLE}"))
            .role_session_name(&session)
            .send()
            .await
            .expect("assume the role");
        let credentials = assumed.credentials().expect("credentials");
        let env = vec![
            ("AWS_ACCESS_KEY_ID", credentials.access_key_id().to_owned()),
            (
                "AWS_SECRET_ACCESS_KEY",
                credentials.secret_access_key().to_owned(),
            ),
            ("AWS_SESSION_TOKEN", credentials.session_token().to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ];
        let checker = factory
            .member_config(&account_id, ROLE, None, &format!("{session}-check"))
            .await;
        let s3 = factory.s3(&checker, &Region::new("us-east-1"));
        let bucket = format!("{TEST_BUCKET_PREFIX}{name}");
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create the bucket");
        Self {
            env,
            principal: format!("arn:aws:sts::{account_id}:assumed-role/{ROLE}/{session}"),
            s3,
            admin: seeded.admin(),
            endpoint: seeded.endpoint().to_owned(),
            account_id,
            bucket,
        }
    }

    /// Runs `posture publish ARGS --endpoint-url SANDBOX` with this publisher's credentials.
    fn publish(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_posture"))
            .arg("publish")
            .args(args)
            .args(["--endpoint-url", &self.endpoint])
            .envs(self.env.iter().map(|(k, v)| (k, v.as_str())))
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("POSTURE_LOG")
            .output()
            .expect("run posture publish")
    }

    /// Publishes and expects success; returns stdout.
    fn publish_ok(&self, args: &[&str]) -> String {
        let output = self.publish(args);
        assert!(
            output.status.success(),
            "publish {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// `s3://<bucket>/<prefix>`.
    fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// Every call the binary made so far.
    fn calls(&self) -> Vec<RecordedRequest> {
        self.admin.requests_by(&self.principal).expect("record")
    }

    /// The actions of the calls after the first `since`.
    fn actions_since(&self, since: usize) -> Vec<String> {
        self.calls()
            .into_iter()
            .skip(since)
            .map(|r| r.action)
            .collect()
    }

    /// Every key in the bucket with its ETag.
    async fn objects(&self) -> BTreeMap<String, String> {
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .into_paginator()
            .send();
        let mut objects = BTreeMap::new();
        while let Some(page) = pages.next().await {
            for object in page.expect("list").contents() {
                objects.insert(
                    object.key().expect("key").to_owned(),
                    object.e_tag().unwrap_or_default().to_owned(),
                );
            }
        }
        objects
    }

    async fn put(&self, key: &str, body: &str) {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .expect("put");
    }

    async fn get(&self, key: &str) -> Vec<u8> {
        self.s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|err| panic!("get {key}: {err:?}"))
            .body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .to_vec()
    }

    /// (Content-Type, Cache-Control) of `key`.
    async fn headers(&self, key: &str) -> (String, String) {
        let head = self
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|err| panic!("head {key}: {err:?}"));
        (
            head.content_type().unwrap_or_default().to_owned(),
            head.cache_control().unwrap_or_default().to_owned(),
        )
    }

    /// Adds a fault rule on S3 `action` in this publisher's account.
    fn fault(&self, kind: FaultKind, action: &str, tweak: impl FnOnce(&mut FaultRule)) {
        let mut rule = FaultRule::on(kind, "s3", action, &self.account_id);
        tweak(&mut rule);
        self.admin.add_fault(&rule).expect("add fault");
    }
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[tokio::test]
async fn the_first_publish_uploads_every_file_with_its_content_type_and_cache_control() {
    let site = fixture_site("publish-first-site");
    let files = site_files(&site);
    let publisher = Publisher::new(ACCOUNT, "first").await;
    publisher
        .s3
        .put_bucket_website()
        .bucket(&publisher.bucket)
        .website_configuration(
            aws_sdk_s3::types::WebsiteConfiguration::builder()
                .index_document(
                    aws_sdk_s3::types::IndexDocument::builder()
                        .suffix("index.html")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .expect("website configuration");
    let site_arg = site.to_string_lossy().into_owned();
    let stdout = publisher.publish_ok(&[&publisher.url("reports/posture"), "--site", &site_arg]);
    assert!(
        stdout.contains(&format!("{} files uploaded", files.len())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "open http://{}.s3-website-us-east-1.amazonaws.com/reports/posture/index.html",
            publisher.bucket
        )),
        "{stdout}"
    );

    let objects = publisher.objects().await;
    let mut expected: Vec<String> = files
        .keys()
        .map(|relative| format!("reports/posture/{relative}"))
        .collect();
    expected.push("reports/posture/.posture/publish-manifest.json".to_owned());
    expected.sort();
    assert_eq!(objects.keys().cloned().collect::<Vec<_>>(), expected);
    for (relative, bytes) in &files {
        // Every object holds the file's bytes (a single-part ETag is their MD5).
        let etag = &objects[&format!("reports/posture/{relative}")];
        let md5: String = Md5::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let md5 = format!("\"{md5}\"");
        assert_eq!(etag, &md5, "{relative}");
    }

    // A sample of each class of file.
    let version = files
        .keys()
        .find_map(|k| {
            k.strip_prefix("v/")
                .and_then(|k| k.split_once('/'))
                .map(|(v, _)| v.to_owned())
        })
        .expect("a version");
    let css = files.keys().find(|k| k.ends_with(".css")).expect("css");
    let js = files.keys().find(|k| k.ends_with(".js")).expect("js");
    let html = ("text/html; charset=utf-8", IMMUTABLE);
    for (relative, expected) in [
        (
            "index.html".to_owned(),
            ("text/html; charset=utf-8", "no-cache"),
        ),
        (
            "history.html".to_owned(),
            ("text/html; charset=utf-8", "no-cache"),
        ),
        (css.clone(), ("text/css; charset=utf-8", IMMUTABLE)),
        (js.clone(), ("text/javascript; charset=utf-8", IMMUTABLE)),
        (format!("v/{version}/index.html"), html),
        (format!("v/{version}/check/root-mfa.html"), html),
        (
            format!("v/{version}/findings.csv"),
            ("text/csv; charset=utf-8", IMMUTABLE),
        ),
        (
            format!("v/{version}/version.json"),
            ("application/json", IMMUTABLE),
        ),
        (
            format!("v/{version}/{version}.json"),
            ("application/json", IMMUTABLE),
        ),
        (
            ".posture/publish-manifest.json".to_owned(),
            ("application/json", "no-cache"),
        ),
    ] {
        let (content_type, cache_control) = publisher
            .headers(&format!("reports/posture/{relative}"))
            .await;
        assert_eq!(
            (content_type.as_str(), cache_control.as_str()),
            expected,
            "{relative}"
        );
    }

    // One PutObject per file and one for the manifest: nothing was sent twice.
    let puts = publisher
        .calls()
        .iter()
        .filter(|r| r.action == "PutObject")
        .count();
    assert_eq!(puts, files.len() + 1);
}

#[tokio::test]
async fn a_second_publish_of_the_same_site_uploads_nothing() {
    let site = fixture_site("publish-again-site");
    let publisher = Publisher::new(ACCOUNT, "again").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    publisher.publish_ok(&[&url, "--site", &site_arg]);
    let before = publisher.objects().await;
    let calls = publisher.calls().len();

    let stdout = publisher.publish_ok(&[
        &url,
        "--site",
        &site_arg,
        "--cloudfront-domain",
        "d111111abcdef8.cloudfront.net",
    ]);
    assert!(stdout.contains("0 files uploaded"), "{stdout}");
    assert!(
        stdout.contains("open https://d111111abcdef8.cloudfront.net/site/index.html"),
        "{stdout}"
    );
    let actions = publisher.actions_since(calls);
    assert!(
        !actions.iter().any(|a| a == "PutObject"),
        "the second publish wrote: {actions:?}"
    );
    assert_eq!(actions, ["HeadBucket", "ListObjectsV2", "GetObject"]);
    assert_eq!(publisher.objects().await, before);
}

#[tokio::test]
async fn after_a_new_scan_and_render_only_the_new_version_and_the_entry_pages_are_uploaded() {
    let store_dir = fresh("publish-incremental-store");
    let site = fresh("publish-incremental-site");
    let store = Store::new(&store_dir);
    let mut snapshot = fixture_before();
    store.write(&mut snapshot.clone(), None).expect("write");
    render_site(&store_dir, &site);
    let publisher = Publisher::new(ACCOUNT, "incremental").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("posture");
    publisher.publish_ok(&[&url, "--site", &site_arg]);
    let first = site_files(&site);

    // The next scan, and its render.
    store.write(&mut snapshot, None).expect("write a second");
    render_site(&store_dir, &site);
    let second = site_files(&site);
    let new_version = second
        .keys()
        .filter_map(|k| {
            k.strip_prefix("v/")
                .and_then(|k| k.split_once('/'))
                .map(|(v, _)| v)
        })
        .find(|v| !first.keys().any(|k| k.starts_with(&format!("v/{v}/"))))
        .expect("a new version")
        .to_owned();
    let mut expected: Vec<String> = second
        .keys()
        .filter(|k| k.starts_with(&format!("v/{new_version}/")))
        .cloned()
        .collect();
    expected.extend(["history.html".to_owned(), "index.html".to_owned()]);

    // The dry run names each file it would upload; the new version's come before the entry
    // pages, index.html last.
    let dry = publisher.publish_ok(&[&url, "--site", &site_arg, "--dry-run"]);
    let would: Vec<&str> = dry
        .lines()
        .filter_map(|l| l.strip_prefix("would upload "))
        .map(|l| l.split(" (").next().expect("key"))
        .collect();
    let mut sorted = would.clone();
    sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted, "{dry}");
    assert_eq!(&would[would.len() - 2..], ["history.html", "index.html"]);

    let calls = publisher.calls().len();
    let stdout = publisher.publish_ok(&[&url, "--site", &site_arg]);
    assert!(
        stdout.contains(&format!("{} files uploaded", expected.len())),
        "{stdout}"
    );
    let puts = publisher
        .actions_since(calls)
        .iter()
        .filter(|a| *a == "PutObject")
        .count();
    assert_eq!(puts, expected.len() + 1, "the new files and the manifest");
    let index = publisher.get("posture/index.html").await;
    assert_eq!(index, second["index.html"]);
}

#[tokio::test]
async fn a_dry_run_lists_what_it_would_upload_and_delete_and_changes_nothing() {
    let site = fixture_site("publish-dry-site");
    let publisher = Publisher::new(ACCOUNT, "dry-run").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    publisher.publish_ok(&[&url, "--site", &site_arg]);
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>changed</title>",
    )
    .unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\n").unwrap();
    publisher.put("site/old.html", "stale").await;
    let before = publisher.objects().await;
    let calls = publisher.calls().len();

    let stdout = publisher.publish_ok(&[&url, "--site", &site_arg, "--dry-run", "--delete"]);
    for line in [
        "would upload robots.txt (new,",
        "would upload index.html (changed,",
        "would delete old.html",
        "dry run of s3://posture-it-dry-run/site/: 2 files to upload",
        "1 to delete; nothing was changed",
    ] {
        assert!(stdout.contains(line), "{line:?} not in {stdout}");
    }
    let actions = publisher.actions_since(calls);
    let reads = ["HeadBucket", "ListObjectsV2", "GetObject", "HeadObject"];
    assert!(
        actions.iter().all(|a| reads.contains(&a.as_str())),
        "a dry run wrote: {actions:?}"
    );
    assert_eq!(publisher.objects().await, before);
}

#[tokio::test]
async fn delete_never_removes_a_versioned_page_or_anything_outside_the_prefix() {
    let site = fixture_site("publish-delete-site");
    let publisher = Publisher::new(ACCOUNT, "delete").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    let old_version = "site/v/2026-01-01T00-00-00.000Z/index.html";
    let old_asset = "site/assets/site.00000000.css";
    let stale = "site/old.html";
    let neighbours = [
        "site-old/index.html",
        "site-old/v/2026-01-01T00-00-00.000Z/index.html",
        "sites/old.html",
        "site",
        "index.html",
        "other/site/old.html",
    ];
    for key in [old_version, old_asset, stale].iter().chain(&neighbours) {
        publisher.put(key, "seeded").await;
    }

    let stdout = publisher.publish_ok(&[&url, "--site", &site_arg, "--delete"]);
    assert!(stdout.contains(", 1 deleted"), "{stdout}");
    assert!(
        stdout.contains("kept 2 objects of versions and assets the site no longer has"),
        "{stdout}"
    );
    let objects = publisher.objects().await;
    assert!(
        !objects.contains_key(stale),
        "the stale entry file is deleted"
    );
    for key in [old_version, old_asset].iter().chain(&neighbours) {
        assert!(objects.contains_key(*key), "{key} was deleted");
    }

    let stdout = publisher.publish_ok(&[&url, "--site", &site_arg, "--delete", "--prune-versions"]);
    assert!(stdout.contains(", 2 deleted"), "{stdout}");
    let objects = publisher.objects().await;
    for key in [old_version, old_asset] {
        assert!(!objects.contains_key(key), "{key} is pruned");
    }
    for key in neighbours {
        assert!(
            objects.contains_key(key),
            "{key} outside the prefix was deleted"
        );
    }
    assert!(objects.contains_key("site/.posture/publish-manifest.json"));
    for relative in site_files(&site).keys() {
        assert!(
            objects.contains_key(&format!("site/{relative}")),
            "{relative}"
        );
    }
}

#[tokio::test]
async fn an_injected_failure_partway_leaves_the_old_entry_pages_and_says_what_was_not_uploaded() {
    let _exclusive = exclusive().await;
    let store_dir = fresh("publish-failure-store");
    let site = fresh("publish-failure-site");
    let store = Store::new(&store_dir);
    let mut snapshot = fixture_before();
    store.write(&mut snapshot.clone(), None).expect("write");
    render_site(&store_dir, &site);
    let publisher = Publisher::new(FAULT_ACCOUNT, "failure").await;
    let _clear = ClearFaults(&publisher.admin);
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    publisher.publish_ok(&[&url, "--site", &site_arg]);
    let old = site_files(&site);
    let old_manifest = publisher.get("site/.posture/publish-manifest.json").await;

    store.write(&mut snapshot, None).expect("write a second");
    render_site(&store_dir, &site);
    // Three uploads pass, then every PutObject is denied.
    publisher.fault(FaultKind::Deny, "PutObject", |rule| rule.after = Some(3));
    let output = publisher.publish(&[&url, "--site", &site_arg]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("posture: "))
        .unwrap_or_else(|| panic!("no error line in {stderr}"));
    for part in [
        "s3://posture-it-failure/site/: publishing stopped: 3 files uploaded,",
        "AccessDenied",
        "not attempted",
        "no entry page was uploaded: the previous entry pages (if any) are still in place",
        "no manifest was written and nothing was deleted",
    ] {
        assert!(line.contains(part), "{part:?} not in {line}");
    }
    for entry in ["index.html", "history.html"] {
        assert_eq!(
            publisher.get(&format!("site/{entry}")).await,
            old[entry],
            "{entry} changed"
        );
    }
    assert_eq!(
        publisher.get("site/.posture/publish-manifest.json").await,
        old_manifest
    );

    // Once the cause is gone, the next publish finishes the job.
    publisher.admin.clear_faults().expect("clear");
    publisher.publish_ok(&[&url, "--site", &site_arg]);
    assert_eq!(
        publisher.get("site/index.html").await,
        site_files(&site)["index.html"]
    );
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_until_the_uploads_succeed() {
    let _exclusive = exclusive().await;
    let site = fixture_site("publish-retry-site");
    let files = site_files(&site);
    let publisher = Publisher::new(FAULT_ACCOUNT, "retry").await;
    let _clear = ClearFaults(&publisher.admin);
    publisher.fault(FaultKind::Throttle, "PutObject", |rule| {
        rule.after = Some(2);
        rule.count = Some(2);
    });
    publisher.fault(FaultKind::Error, "PutObject", |rule| {
        rule.after = Some(10);
        rule.count = Some(2);
        rule.status = Some(503);
    });
    let site_arg = site.to_string_lossy().into_owned();
    let stdout = publisher.publish_ok(&[&publisher.url("site"), "--site", &site_arg]);
    assert!(
        stdout.contains(&format!("{} files uploaded", files.len())),
        "{stdout}"
    );
    let puts: Vec<(u16, Option<String>)> = publisher
        .calls()
        .into_iter()
        .filter(|r| r.action == "PutObject")
        .map(|r| (r.status, r.fault))
        .collect();
    let count = |status: u16, fault: Option<&str>| {
        puts.iter()
            .filter(|(s, f)| *s == status && f.as_deref() == fault)
            .count()
    };
    assert_eq!(count(503, Some("throttle")), 2, "{puts:?}");
    assert_eq!(count(503, Some("error")), 2, "{puts:?}");
    assert_eq!(
        count(200, None),
        files.len() + 1,
        "every file and the manifest"
    );
    assert_eq!(puts.len(), files.len() + 1 + 4);
}

/// A site with a 6 MiB file in its newest version, uploaded in 5 MiB parts.
fn site_with_a_large_file(name: &str) -> (PathBuf, String, Vec<u8>) {
    let site = fixture_site(name);
    let version = std::fs::read_dir(site.join("v"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .max()
        .expect("a version");
    let relative = format!("v/{version}/large.json.gz");
    // Bytes that differ from part to part, so a part sent twice or out of order would show.
    let bytes: Vec<u8> = (0..6 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(site.join(&relative), &bytes).unwrap();
    (site, relative, bytes)
}

#[tokio::test]
async fn a_large_file_goes_up_in_parts_and_reads_back_whole() {
    let (site, relative, bytes) = site_with_a_large_file("publish-multipart-site");
    let publisher = Publisher::new(ACCOUNT, "multipart").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    publisher.publish_ok(&[
        &url,
        "--site",
        &site_arg,
        "--multipart-threshold",
        "1048576",
    ]);
    let actions = publisher.actions_since(0);
    let count = |action: &str| actions.iter().filter(|a| *a == action).count();
    assert_eq!(
        (
            count("CreateMultipartUpload"),
            count("UploadPart"),
            count("CompleteMultipartUpload")
        ),
        (1, 2, 1),
        "{actions:?}"
    );
    let key = format!("site/{relative}");
    assert_eq!(publisher.get(&key).await, bytes);
    assert_eq!(
        publisher.headers(&key).await,
        ("application/gzip".to_owned(), IMMUTABLE.to_owned())
    );
    // The manifest vouches for the multipart ETag, which is no MD5: nothing goes up again.
    let calls = publisher.calls().len();
    publisher.publish_ok(&[
        &url,
        "--site",
        &site_arg,
        "--multipart-threshold",
        "1048576",
    ]);
    assert!(
        !publisher
            .actions_since(calls)
            .iter()
            .any(|a| a.contains("Upload") || a == "PutObject")
    );
}

#[tokio::test]
async fn a_failed_part_aborts_its_multipart_upload() {
    let _exclusive = exclusive().await;
    let (site, relative, _) = site_with_a_large_file("publish-abort-site");
    let publisher = Publisher::new(FAULT_ACCOUNT, "abort").await;
    let _clear = ClearFaults(&publisher.admin);
    publisher.fault(FaultKind::Deny, "UploadPart", |rule| rule.after = Some(1));
    let site_arg = site.to_string_lossy().into_owned();
    let output = publisher.publish(&[
        &publisher.url("site"),
        "--site",
        &site_arg,
        "--multipart-threshold",
        "1048576",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{relative}: part 2: AccessDenied")),
        "{stderr}"
    );
    let actions = publisher.actions_since(0);
    assert!(
        actions.iter().any(|a| a == "AbortMultipartUpload"),
        "{actions:?}"
    );
    let uploads = publisher
        .s3
        .list_multipart_uploads()
        .bucket(&publisher.bucket)
        .send()
        .await
        .expect("list uploads");
    assert!(uploads.uploads().is_empty(), "{:?}", uploads.uploads());
    assert!(
        !publisher
            .objects()
            .await
            .contains_key(&format!("site/{relative}"))
    );
}

/// The one line a failed publish writes to stderr, checked to be the only one.
fn one_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr.clone()).expect("utf-8");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("posture: "), "{stderr}");
    lines[0].to_owned()
}

#[tokio::test]
async fn a_malformed_url_a_missing_bucket_or_site_and_denied_access_each_give_one_line() {
    let _exclusive = exclusive().await;
    let site = fixture_site("publish-bad-input-site");
    let site_arg = site.to_string_lossy().into_owned();
    let publisher = Publisher::new(FAULT_ACCOUNT, "bad-input").await;
    for (url, says) in [
        (
            "posture-site/reports",
            "\"posture-site/reports\" is not an S3 URL: give s3://BUCKET",
        ),
        ("s3://", "\"s3://\" names no bucket"),
        (
            "s3://Posture_Site/reports",
            "\"Posture_Site\" is not a valid S3 bucket name",
        ),
        (
            "s3://posture-it-missing/reports",
            "s3://posture-it-missing: no such bucket: create it",
        ),
    ] {
        let line = one_line(&publisher.publish(&[url, "--site", &site_arg]));
        assert!(line.contains(says), "{says:?} not in {line}");
    }
    let missing = site.join("missing");
    let line =
        one_line(&publisher.publish(&[&publisher.url("x"), "--site", &missing.to_string_lossy()]));
    assert!(line.contains("missing: no such folder"), "{line}");
    let line = one_line(&publisher.publish(&[
        &publisher.url("x"),
        "--site",
        &site.join("assets").to_string_lossy(),
    ]));
    assert!(
        line.contains("not a posture site (no index.html)"),
        "{line}"
    );

    let _clear = ClearFaults(&publisher.admin);
    publisher.fault(FaultKind::Deny, "HeadBucket", |_| {});
    let line = one_line(&publisher.publish(&[&publisher.url("x"), "--site", &site_arg]));
    assert!(
        line.contains("s3://posture-it-bad-input: access denied (s3:ListBucket")
            && line.contains("policies/posture-publish.json"),
        "{line}"
    );
}

/// The actions `policies/posture-publish.json` allows.
fn publish_policy() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/posture-publish.json");
    let policy: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("policy")).expect("json");
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|s| s["Action"].as_array().expect("a list of actions").clone())
        .map(|a| a.as_str().expect("action").to_owned())
        .collect()
}

#[tokio::test]
async fn every_call_a_publish_makes_is_allowed_by_the_shipped_policy() {
    let (site, _, _) = site_with_a_large_file("publish-policy-site");
    let publisher = Publisher::new(ACCOUNT, "policy").await;
    publisher.put("site/old.html", "stale").await;
    let site_arg = site.to_string_lossy().into_owned();
    let url = publisher.url("site");
    let args = [
        url.as_str(),
        "--site",
        &site_arg,
        "--delete",
        "--multipart-threshold",
        "1048576",
    ];
    publisher.publish_ok(&args);
    // Without the manifest, unchanged files are vouched for by their ETag and headers.
    publisher
        .s3
        .delete_object()
        .bucket(&publisher.bucket)
        .key("site/.posture/publish-manifest.json")
        .send()
        .await
        .expect("delete the manifest");
    publisher.publish_ok(&args);

    let calls = publisher.calls();
    let operations: std::collections::BTreeSet<&str> =
        calls.iter().map(|r| r.action.as_str()).collect();
    for expected in [
        "HeadBucket",
        "ListObjectsV2",
        "GetObject",
        "HeadObject",
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "DeleteObjects",
        "GetBucketWebsite",
    ] {
        assert!(
            operations.contains(expected),
            "no {expected} in {operations:?}"
        );
    }
    let allowed = publish_policy();
    for call in &calls {
        assert_eq!(call.service, "s3", "{call:?}");
        let action = &call.iam_action;
        assert!(
            allowed.iter().any(|a| a == action),
            "{} needs {action}, which policies/posture-publish.json does not allow",
            call.action
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_to_a_file_or_a_folder_outside_the_site_is_never_published() {
    let publisher = Publisher::new(ACCOUNT, "links").await;
    let outside = fresh("publish-links-outside");
    std::fs::write(outside.join("secret.txt"), "not for the bucket").unwrap();
    for (name, target) in [
        ("v/passwd.html", outside.join("secret.txt")),
        ("v/outside", outside.clone()),
    ] {
        let site = fixture_site(&format!("publish-links-{}", name.replace('/', "-")));
        std::os::unix::fs::symlink(&target, site.join(name)).unwrap();
        let site_arg = site.to_string_lossy().into_owned();
        let url = publisher.url("site");
        let calls = publisher.calls().len();
        for dry_run in [true, false] {
            let mut args = vec![url.as_str(), "--site", &site_arg];
            if dry_run {
                args.push("--dry-run");
            }
            let line = one_line(&publisher.publish(&args));
            assert!(
                line.contains(&format!(
                    "{name} is a symbolic link to {}, which posture never writes in a site",
                    target.display()
                )),
                "{line}"
            );
        }
        // Refused before any call: nothing listed, nothing uploaded.
        assert_eq!(publisher.calls().len(), calls, "{name}");
    }
    assert!(publisher.objects().await.is_empty());
}
