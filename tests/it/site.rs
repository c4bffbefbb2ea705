//! `posture render` and `posture serve`: the site of the committed fixture store (pages cut to
//! `<main>` and compared with insta), hostile strings from AWS rendered inert on every page,
//! incremental re-rendering, and the headless-Chromium walk of a site rendered from real scans of
//! a sandbox of its own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use posture::evaluate::waivers::{WaiverOutcome, WaiverRecord, WaiverRule, WaiverScope};
use posture::finding::Status;
use posture::render::view::version_id;
use posture::render::{RenderOptions, RenderReport, render};
use posture::sandbox::{Sandbox, SandboxGuard};
use posture::snapshot::{AccountOutcome, Store};

use crate::support::{posture_scan, state_dir};
use crate::synthetic::{fixture_before, fixture_dir};

/// A fresh folder under the test target dir.
fn fresh(name: &str) -> PathBuf {
    let dir = state_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create");
    dir
}

fn render_into(store: &Path, out: &Path) -> RenderReport {
    render(&RenderOptions {
        snapshots_dir: store.to_owned(),
        out_dir: out.to_owned(),
        templates_dir: None,
        force: false,
    })
    .unwrap_or_else(|err| panic!("render {}: {err}", store.display()))
}

/// Every HTML page under `dir`, with its path.
fn pages(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).expect("read page");
                found.push((path, text));
            }
        }
    }
    found.sort();
    found
}

/// What a page shows inside `<main>`, for snapshot tests (mdBook's `check_main_file`).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.rfind("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn the_fixture_store_renders_one_version_per_snapshot_with_entry_pages_for_the_newest() {
    let out = fresh("site-fixture");
    let report = render_into(&fixture_dir(), &out);
    assert_eq!(report.versions, 2);
    assert_eq!(report.rendered.len(), 2);
    assert!(report.chain_intact, "{}", report.chain_summary);
    let newest = report.rendered.last().expect("rendered").clone();
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains(&format!("v/{newest}/csf.html")),
        "the entry page links into the newest version"
    );
    for page in [
        "index.html",
        "csf.html",
        "checks.html",
        "accounts.html",
        "changes.html",
        "downloads.html",
        "findings.csv",
        "version.json",
        "check/root-mfa.html",
        &format!("{newest}.json"),
    ] {
        assert!(
            out.join("v").join(&newest).join(page).is_file(),
            "v/{newest}/{page} is missing"
        );
    }
    assert!(out.join("history.html").is_file());
    subcategories_without_a_check_say_what_could_evidence_them(
        &std::fs::read_to_string(out.join("v").join(&newest).join("csf.html")).expect("csf"),
        &posture::snapshot::read_snapshot_summary(
            &out.join("v").join(&newest).join(format!("{newest}.json")),
        )
        .expect("the copied snapshot"),
    );
    let largest = report.largest_page.expect("pages were written").1;
    assert!(largest < 2_000_000, "a page of {largest} bytes");

    // Every page: one h1, a <main>, the CSP, no inline script or style attribute.
    for (path, html) in pages(&out) {
        let shown = path.display();
        assert_eq!(html.matches("<h1").count(), 1, "{shown}: one h1");
        assert!(html.contains("<main"), "{shown}: a <main> landmark");
        assert!(
            html.contains("Content-Security-Policy") && html.contains("default-src 'none'"),
            "{shown}: the CSP"
        );
        assert!(!html.contains(" style=\""), "{shown}: a style attribute");
        assert!(!html.contains("<script>"), "{shown}: an inline script");
        // Links to AWS documentation are followed only on a click; nothing is loaded from
        // outside: no remote script, image or stylesheet.
        for remote in [
            "src=\"http",
            "src=\"//",
            "stylesheet\" href=\"http",
            "url(http",
        ] {
            assert!(!html.contains(remote), "{shown}: a remote load ({remote})");
        }
    }

    // The CSV download: a header and one row per finding of the snapshot.
    let csv =
        std::fs::read_to_string(out.join("v").join(&newest).join("findings.csv")).expect("the CSV");
    let snapshot = posture::snapshot::read_snapshot_summary(
        &out.join("v").join(&newest).join(format!("{newest}.json")),
    )
    .expect("the copied snapshot reads and verifies");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        rows.headers()
            .expect("a header")
            .iter()
            .take(3)
            .collect::<Vec<_>>(),
        ["check", "title", "severity"]
    );
    assert_eq!(rows.records().count(), snapshot.findings.len());
}

/// On the CSF page, a subcategory no check of `snapshot` maps to says posture's classification in
/// its own words, with its evidence line escaped: one classified `outside` and one `aws`.
fn subcategories_without_a_check_say_what_could_evidence_them(
    html: &str,
    snapshot: &posture::snapshot::SnapshotSummary,
) {
    use posture::evaluate::{EvidenceKind, load_nist_csf_2_aws};
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let classification = load_nist_csf_2_aws().expect("the classification");
    let unchecked = |kind: EvidenceKind| {
        classification
            .iter()
            .find(|e| {
                e.kind == kind
                    && e.evidence.contains('\'')
                    && !snapshot
                        .checks
                        .iter()
                        .any(|c| c.mappings.nist_csf_2.contains(&e.id))
            })
            .unwrap_or_else(|| panic!("a {kind:?} subcategory without a check"))
    };
    for (kind, wording) in [
        (
            EvidenceKind::Outside,
            "Cannot be assessed from AWS APIs ({})",
        ),
        (
            EvidenceKind::Aws,
            "No posture check yet (AWS APIs could give evidence: {})",
        ),
    ] {
        let sub = unchecked(kind);
        let start = html
            .find(&format!("id=\"{}\"", sub.id))
            .unwrap_or_else(|| panic!("{} on the CSF page", sub.id));
        let item = &html[start..start + html[start..].find("</li>").expect("its </li>")];
        let expected = wording.replace("{}", &escape(&sub.evidence));
        assert!(
            item.contains(&expected),
            "{} ({kind:?}) should say {expected:?}:\n{item}",
            sub.id
        );
    }
    let outside = classification
        .iter()
        .filter(|e| {
            e.kind == EvidenceKind::Outside
                && !snapshot
                    .checks
                    .iter()
                    .any(|c| c.mappings.nist_csf_2.contains(&e.id))
        })
        .count();
    assert!(
        html.contains(&format!(
            "{outside} need evidence from outside AWS (policies, people, processes)"
        )),
        "the intro counts the {outside} subcategories that need evidence from outside AWS"
    );
}

#[test]
fn the_fixture_pages_match_their_snapshots() {
    let out = fresh("site-insta");
    let report = render_into(&fixture_dir(), &out);
    let newest = out
        .join("v")
        .join(report.rendered.last().expect("rendered"));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for page in [
            "index.html",
            "csf.html",
            "checks.html",
            "check/root-mfa.html",
            "accounts.html",
            "account/812067974034.html",
            "changes.html",
        ] {
            let html = std::fs::read_to_string(newest.join(page)).expect("page");
            insta::assert_snapshot!(format!("site-{}", page.replace('/', "-")), main_of(&html));
        }
    });
}

/// A string that would run if it were not escaped, in every context a page puts text: element
/// content, attribute values (both quotes), and a URL.
const HOSTILE: &str = r#"<script>alert("x")</script> O'Brien & "Co" <img src=x onerror=alert(1)>"#;

#[test]
fn hostile_strings_from_aws_render_inert_on_every_page() {
    let mut before = fixture_before();
    let account = before
        .accounts
        .iter_mut()
        .find(|a| a.outcome == AccountOutcome::Scanned)
        .expect("a scanned account");
    let account_id = account.id.clone();
    account.name = format!("acct {HOSTILE}");
    account.ou_path = format!("/Root/{HOSTILE}");
    // A check id that would name a file outside the site if it were used as a path.
    let check = before.checks[0].id.clone();
    let escaping = "../../../escaped-check";
    before.checks[0].id = escaping.to_owned();
    before.checks[0].title = format!("title {HOSTILE}");
    for finding in before.findings.iter_mut().filter(|f| f.check == check) {
        finding.check = escaping.into();
    }
    for finding in before
        .findings
        .iter_mut()
        .filter(|f| f.account == account_id)
    {
        finding.status = Status::Fail;
        finding.reason = format!("reason {HOSTILE}");
        finding.resource = format!("arn:aws:iam::{account_id}:user/{HOSTILE}");
        finding
            .evidence
            .insert("tag:Owner".into(), format!("tag {HOSTILE}"));
    }
    // A Region is a string from AWS too, shown through the `region` badge (src/render/badges.rs)
    // on the account page, and on the changes page once the finding passes.
    let hostile_region = before
        .findings
        .iter()
        .position(|f| f.account == account_id)
        .expect("the account has findings");
    before.findings[hostile_region].region = Some(format!("region {HOSTILE}").into());
    // A passing finding of another account as hostile: passing rows are written outside the
    // templates (src/render/html.rs).
    let passing = before
        .findings
        .iter_mut()
        .find(|f| f.account != account_id && f.status == Status::Pass)
        .expect("a passing finding");
    let passing_account = passing.account.clone();
    passing.resource = format!("arn:aws:s3:::passing-{HOSTILE}");
    passing.reason = format!("passing reason {HOSTILE}");
    passing
        .evidence
        .insert(format!("tag:{HOSTILE}"), format!("tag {HOSTILE}"));
    // An accepted risk whose words are as hostile: on the account page and the overview's
    // register of waivers.
    let waiver = posture::finding::Waiver {
        reason: format!("reason {HOSTILE}"),
        approved_by: format!("approver {HOSTILE}"),
        expires: "2099-12-31".into(),
    };
    before
        .findings
        .iter_mut()
        .find(|f| f.account == account_id)
        .expect("a finding of the account")
        .waiver = Some(Box::new(waiver.clone()));
    before.scan.waivers.push(WaiverRecord {
        rule: WaiverRule {
            check: escaping.to_owned(),
            applies_to: WaiverScope::Ou(format!("/Root/{HOSTILE}")),
            resource: Some(format!("*{HOSTILE}*")),
            reason: waiver.reason,
            approved_by: waiver.approved_by,
            expires: waiver.expires,
        },
        origin: format!("{HOSTILE}.toml, line 1"),
        outcome: WaiverOutcome::Applied { findings: 1 },
    });
    if let Some(other) = before.accounts.iter_mut().find(|a| a.id != account_id) {
        other.outcome = AccountOutcome::Unreachable;
        let error = posture::facts::CollectError {
            message: format!("error {HOSTILE}"),
            ..sample_error(&other.id)
        };
        other.errors.push(error);
    }
    // A value a spreadsheet would run as a formula.
    let formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
    before
        .findings
        .iter_mut()
        .find(|f| f.account == account_id)
        .expect("a finding of the account")
        .resource = formula.to_owned();
    let store_dir = fresh("site-hostile-store");
    let out = fresh("site-hostile");
    let store = Store::new(&store_dir);
    store.write(&mut before.clone(), None).expect("write");
    before.findings[hostile_region].status = Status::Pass;
    store.write(&mut before, None).expect("write a second");
    render_into(&store_dir, &out);
    // Each version's folder, oldest first.
    let versions: Vec<PathBuf> = store
        .list()
        .unwrap()
        .iter()
        .map(|s| out.join("v").join(version_id(&s.name)))
        .collect();
    let region_badge = r#"<span class="mono">region &lt;script&gt;alert(&quot;x&quot;)"#;
    for page in [
        versions[0].join(format!("account/{account_id}.html")),
        versions[1].join("changes.html"),
    ] {
        let html = std::fs::read_to_string(&page).expect("read the page");
        assert!(
            html.contains(region_badge),
            "{}: the hostile Region is shown escaped",
            page.display()
        );
    }

    let mut shown_on = 0;
    for (path, html) in pages(&out) {
        for raw in ["<script>alert", "<img src=x"] {
            assert!(
                !html.contains(raw),
                "{}: {raw:?} reached the page unescaped",
                path.display()
            );
        }
        if html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        {
            shown_on += 1;
        }
    }
    // The account page, its check's page, the overview, the matrix: the text is shown, escaped.
    assert!(
        shown_on >= 4,
        "the hostile text is shown escaped on {shown_on} pages"
    );
    let account_page =
        std::fs::read_to_string(versions[1].join(format!("account/{account_id}.html")))
            .expect("the account page");
    assert!(account_page.contains("tag O&#39;Brien") || account_page.contains("tag &lt;script"));
    assert!(account_page.contains("tag:Owner"));

    let passing_page =
        std::fs::read_to_string(versions[1].join(format!("account/{passing_account}.html")))
            .expect("the passing finding's account page");
    assert!(
        passing_page.contains("passing reason &lt;script&gt;alert(&quot;x&quot;)"),
        "the passing row shows the hostile reason escaped"
    );
    // The CSV keeps the formula as text: a leading `'` stops the spreadsheet running it.
    let csv = std::fs::read_to_string(versions[1].join("findings.csv")).expect("the CSV");
    let cells: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .flat_map(|r| {
            r.expect("a row")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        cells.contains(&format!("'{formula}")),
        "the formula is inert"
    );
    assert!(
        !cells.iter().any(|c| c.starts_with('=')),
        "no cell starts with ="
    );

    // Its page is inside the version, under a plain name, and nothing was written outside.
    let version = &versions[1];
    let check_pages: Vec<String> = std::fs::read_dir(version.join("check"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        check_pages
            .iter()
            .any(|n| n.starts_with("_") && n.contains("escaped-check-")),
        "{check_pages:?}"
    );
    for dir in [state_dir(""), out.clone(), out.join("v"), version.clone()] {
        assert!(
            !dir.join("escaped-check.html").exists(),
            "a page escaped to {}",
            dir.display()
        );
    }
}

fn sample_error(_account: &str) -> posture::facts::CollectError {
    posture::facts::CollectError {
        service: "sts".into(),
        action: "AssumeRole".into(),
        region: None,
        code: Some("AccessDenied".into()),
        message: "denied".into(),
        request_id: None,
        http_status: Some(403),
    }
}

#[test]
fn a_new_snapshot_renders_only_its_version_and_the_entry_pages() {
    let store_dir = fresh("site-incremental-store");
    let out = fresh("site-incremental");
    let store = Store::new(&store_dir);
    let mut snapshot = fixture_before();
    store.write(&mut snapshot.clone(), None).expect("write");
    let first = render_into(&store_dir, &out);
    assert_eq!(first.rendered.len(), 1);
    let old_page = out.join("v").join(&first.rendered[0]).join("index.html");
    let written = std::fs::metadata(&old_page).unwrap().modified().unwrap();
    let again = render_into(&store_dir, &out);
    assert!(
        again.rendered.is_empty(),
        "nothing new: {:?}",
        again.rendered
    );
    assert_eq!(again.files_written, 2, "only the entry pages");

    store.write(&mut snapshot, None).expect("write a second");
    let second = render_into(&store_dir, &out);
    assert_eq!(second.rendered.len(), 1);
    assert_ne!(second.rendered[0], first.rendered[0]);
    assert_eq!(
        std::fs::metadata(&old_page).unwrap().modified().unwrap(),
        written,
        "the older version was not written again"
    );
    let history = std::fs::read_to_string(out.join("history.html")).expect("history");
    for id in [&first.rendered[0], &second.rendered[0]] {
        assert!(history.contains(id.as_str()), "history lists {id}");
    }
    // What an interrupted render leaves is cleared by the next one.
    std::fs::create_dir_all(out.join("v/.2026-01-01T00-00-00.000Z.tmp-1/account")).unwrap();
    render_into(&store_dir, &out);
    // No staging folder is left behind.
    let hidden: Vec<_> = std::fs::read_dir(out.join("v"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn an_empty_store_is_refused_in_one_line_naming_it() {
    let store = fresh("site-empty-store");
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["render", "--snapshots-dir"])
        .arg(&store)
        .args(["--out"])
        .arg(state_dir("site-empty"))
        .output()
        .expect("run posture render");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&store.display().to_string()), "{stderr}");
    assert!(stderr.contains("posture scan"), "{stderr}");
}

/// `posture serve` on a free port; stopped when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(site: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_posture"))
            .args(["serve", "--port", "0", "--out"])
            .arg(site)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start posture serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the serve line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the walk's screenshots go: the README shows them.
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/screenshots")
}

#[test]
fn a_browser_walks_the_demo_site_from_overview_to_an_older_version() {
    let browser_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "tests/browser/node_modules is missing: run tests/run (or `npm ci --prefix tests/browser`), which installs playwright-core; Chromium comes from Debian's chromium package"
    );
    let guard = SandboxGuard::start(Sandbox::locate().with_state_dir(state_dir("it-site")))
        .expect("start the sandbox");
    guard.sandbox().seed(8).expect("seed");
    let store = fresh("site-demo-store");
    let site = fresh("site-demo");
    let flags = ["--regions", "us-east-1,eu-west-1"];
    for step in ["before", "after"] {
        if step == "after" {
            guard.sandbox().change().expect("the change step");
        }
        let output = posture_scan(guard.endpoint(), &store, &flags);
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "scan {step}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    drop(guard);
    let rendered = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["render", "--snapshots-dir"])
        .arg(&store)
        .arg("--out")
        .arg(&site)
        .output()
        .expect("run posture render");
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let stdout = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        stdout.trim_end().ends_with("index.html"),
        "render ends with the path of index.html: {stdout}"
    );

    let served = Served::start(&site);
    let shots = screenshot_dir();
    let walk = Command::new("node")
        .arg(browser_dir.join("walk.mjs"))
        .arg(&served.url)
        .arg(&shots)
        .stdin(Stdio::null())
        .output()
        .expect("run node (install Node.js 20 or newer)");
    let out = String::from_utf8_lossy(&walk.stdout);
    let err = String::from_utf8_lossy(&walk.stderr);
    assert!(
        walk.status.success(),
        "the browser walk failed:\n{err}{out}"
    );
    assert!(out.contains("no console errors"), "{out}");
    for shot in [
        "01-overview",
        "04-account",
        "06-older-version",
        "07-overview-phone",
    ] {
        let png = shots.join(format!("{shot}.png"));
        let size = std::fs::metadata(&png).map_or(0, |m| m.len());
        assert!(size > 10_000, "{} is {size} bytes", png.display());
    }
}

#[test]
fn an_account_with_more_findings_than_a_page_holds_gets_numbered_pages() {
    // One account, 300 checks × 4 Regions: 1,200 findings, more than one page of 1,000.
    let mut snapshot = crate::synthetic::snapshot(1, 300, 4, 0);
    let store_dir = fresh("site-big-account-store");
    let out = fresh("site-big-account");
    Store::new(&store_dir)
        .write(&mut snapshot, None)
        .expect("write");
    let report = render_into(&store_dir, &out);
    let account = &snapshot.accounts[0].id;
    let folder = out.join("v").join(&report.rendered[0]).join("account");
    let first = std::fs::read_to_string(folder.join(format!("{account}.html"))).expect("page 1");
    let second = std::fs::read_to_string(folder.join(format!("{account}-2.html"))).expect("page 2");
    assert!(
        first.contains(&format!("href=\"{account}-2.html\"")),
        "page 1 links page 2"
    );
    assert!(
        second.contains(&format!("href=\"{account}.html\"")),
        "page 2 links page 1"
    );
    assert!(!folder.join(format!("{account}-3.html")).exists());
    let rows = |html: &str| {
        html.matches("<tr><th scope=\"row\" class=\"resource\">")
            .count()
            + html.matches("<li class=\"finding ").count()
    };
    assert_eq!(
        rows(&first) + rows(&second),
        1200,
        "every finding is on one of the pages"
    );
}

#[test]
fn the_history_page_says_when_the_chain_is_broken() {
    let store_dir = fresh("site-broken-chain-store");
    let out = fresh("site-broken-chain");
    let store = Store::new(&store_dir);
    let snapshot = fixture_before();
    for _ in 0..3 {
        store.write(&mut snapshot.clone(), None).expect("write");
    }
    // The middle snapshot is removed: the newest one's link names a file no longer there.
    let middle = store.list().unwrap()[1].path.clone();
    std::fs::remove_file(&middle).expect("remove the middle snapshot");
    let report = render_into(&store_dir, &out);
    assert!(!report.chain_intact, "{}", report.chain_summary);
    let history = std::fs::read_to_string(out.join("history.html")).expect("history");
    assert!(
        history.contains("The chain is broken: 1 problem found"),
        "history says so"
    );
    let gone = middle.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        history.contains(&gone),
        "history names the missing snapshot {gone}"
    );
}

#[test]
fn an_altered_snapshot_stops_the_render_naming_it() {
    // Render hashes the snapshots it reads itself (the chain check beside it then skips them):
    // an altered one must still stop it, and leave no version of it behind.
    let store_dir = fresh("site-altered-store");
    let out = fresh("site-altered");
    let store = Store::new(&store_dir);
    let snapshot = fixture_before();
    for _ in 0..2 {
        store.write(&mut snapshot.clone(), None).expect("write");
    }
    let newest = store.list().unwrap()[1].clone();
    let text = std::fs::read_to_string(&newest.path).expect("a plain JSON snapshot");
    let altered = text.replacen("\"PASS\"", "\"FAIL\"", 1);
    assert_ne!(altered, text, "the fixture has a PASS to alter");
    let mut permissions = std::fs::metadata(&newest.path).unwrap().permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "a test tampering with its own scratch copy"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(&newest.path, permissions).unwrap();
    std::fs::write(&newest.path, altered).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["render", "--snapshots-dir"])
        .arg(&store_dir)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run posture render");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&newest.name), "{stderr}");
    let id = version_id(&newest.name).to_owned();
    assert!(
        !out.join("v").join(&id).exists(),
        "no version of the altered snapshot"
    );
    assert!(
        !out.join("index.html").exists(),
        "no entry page points at it"
    );
}

#[test]
fn a_badge_component_that_fails_stops_the_render_and_keeps_no_version() {
    // Badges are rendered once per value, apart from the pages that show them: a component that
    // fails must still fail the version, not leave it with empty badges.
    let store_dir = fresh("site-badge-store");
    let out = fresh("site-badge");
    let templates = fresh("site-badge-templates");
    Store::new(&store_dir)
        .write(&mut fixture_before(), None)
        .expect("write");
    // Fails for a failing cell with one failing finding: only a badge shows one (the legend's
    // failing cell has two).
    let failing = r#"title="FAIL, {{ failing }} failing""#;
    let broken = r#"title="FAIL, {% if failing == 1 %}{{ value.no_such_field }}{% endif %}{{ failing }} failing""#;
    let templates = broken_components(&templates, failing, broken);
    let message = failing_render(&store_dir, &out, templates);
    assert!(message.contains("components.html"), "{message}");
    assert!(message.contains("the cell component"), "{message}");
    let versions: Vec<_> = std::fs::read_dir(out.join("v"))
        .expect("read v/")
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(versions.is_empty(), "no version is kept: {versions:?}");
    assert!(!out.join("index.html").exists(), "no entry page");
}

#[test]
fn a_badge_that_fails_on_the_entry_page_alone_stops_the_render_and_keeps_it() {
    // With every version already rendered, only the entry pages are written: the overview's
    // regressions still show badges, so a component failing there must still fail the render.
    let out = fresh("site-badge-entry");
    let templates = fresh("site-badge-entry-templates");
    render_into(&fixture_dir(), &out);
    let index = std::fs::read(out.join("index.html")).expect("the entry page");
    // Fails for the "no finding" side of a change: only a badge shows one (the overview's own
    // status calls without a finding say "not assessed by posture").
    let none = r#"<span class="status s-none"><span class="sym" aria-hidden="true">—</span> {{ none_label }}</span>"#;
    let broken = r#"<span class="status s-none">{% if none_label == "no finding" %}{{ value.no_such_field }}{% endif %}<span class="sym" aria-hidden="true">—</span> {{ none_label }}</span>"#;
    let templates = broken_components(&templates, none, broken);
    let message = failing_render(&fixture_dir(), &out, templates);
    assert!(message.contains("index.html"), "{message}");
    assert!(message.contains("the status component"), "{message}");
    assert_eq!(
        std::fs::read(out.join("index.html")).expect("the entry page"),
        index,
        "the entry page is left as it was"
    );
}

/// Writes into `dir` the embedded `components.html` with `from` replaced by `to`; returns `dir`.
fn broken_components(dir: &Path, from: &str, to: &str) -> PathBuf {
    let components = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("site-templates/components.html"),
    )
    .expect("read components.html");
    assert!(components.contains(from), "components.html has {from:?}");
    std::fs::write(dir.join("components.html"), components.replace(from, to))
        .expect("write the override");
    dir.to_owned()
}

/// Renders `store` into `out` with the templates in `templates`, which must fail: why it failed.
fn failing_render(store: &Path, out: &Path, templates: PathBuf) -> String {
    let rendered = render(&RenderOptions {
        snapshots_dir: store.to_owned(),
        out_dir: out.to_owned(),
        templates_dir: Some(templates),
        force: false,
    });
    match rendered {
        Ok(_) => panic!("{} rendered with broken templates", store.display()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn several_new_snapshots_render_in_one_run_each_compared_with_the_one_before() {
    // Three new snapshots after two rendered ones: the readers must hand them over in order
    // (two racing for a permit once deadlocked here), and each new version is compared with the
    // snapshot just before it, including the first new one with an old one.
    let store_dir = fresh("site-several-store");
    let out = fresh("site-several");
    let store = Store::new(&store_dir);
    let snapshot = fixture_before();
    for _ in 0..2 {
        store.write(&mut snapshot.clone(), None).expect("write");
    }
    let first = render_into(&store_dir, &out);
    assert_eq!(first.rendered.len(), 2);
    for _ in 0..3 {
        store.write(&mut snapshot.clone(), None).expect("write");
    }
    let names: Vec<String> = store.list().unwrap().into_iter().map(|s| s.name).collect();
    let ids: Vec<String> = names.iter().map(|n| version_id(n).to_owned()).collect();
    let second = render_into(&store_dir, &out);
    assert_eq!(
        second.rendered,
        ids[2..],
        "the three new versions, in order"
    );
    for i in 2..5 {
        let index = std::fs::read_to_string(out.join("v").join(&ids[i]).join("index.html"))
            .expect("the version's overview");
        assert!(
            index.contains(&format!(
                "Previous version: <span class=\"mono\">{}</span>",
                ids[i - 1]
            )),
            "{} links {} as the version before it",
            ids[i],
            ids[i - 1]
        );
    }
}

/// `posture ARGS…`: exit code and stderr.
fn posture_stderr(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run posture");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_site_holding_a_link_to_a_file_or_a_folder_outside_is_neither_rendered_over_nor_served() {
    let outside = fresh("site-links-outside");
    std::fs::write(outside.join("secret.txt"), "not for readers").unwrap();
    for (name, target) in [
        ("passwd.html", outside.join("secret.txt")),
        ("v/outside", outside.clone()),
        ("assets", outside.clone()),
    ] {
        let site = fresh(&format!("site-links-{}", name.replace('/', "-")));
        render_into(&fixture_dir(), &site);
        if name == "assets" {
            std::fs::remove_dir_all(site.join(name)).unwrap();
        }
        std::os::unix::fs::symlink(&target, site.join(name)).unwrap();
        let says = format!(
            "{name} is a symbolic link to {}, which posture never writes in a site",
            target.display()
        );
        let (code, stderr) = posture_stderr(&[
            "render".as_ref(),
            "--snapshots-dir".as_ref(),
            fixture_dir().as_os_str(),
            "--out".as_ref(),
            site.as_os_str(),
            "--force".as_ref(),
        ]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(&says), "{says:?} not in {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        // Nothing was written through the link.
        let inside: Vec<_> = std::fs::read_dir(&outside).unwrap().collect();
        assert_eq!(inside.len(), 1, "render wrote into {}", outside.display());
        let (code, stderr) = posture_stderr(&[
            "serve".as_ref(),
            "--port".as_ref(),
            "0".as_ref(),
            "--out".as_ref(),
            site.as_os_str(),
        ]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(&says), "{says:?} not in {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn serve_sends_the_security_headers_and_never_follows_a_link_planted_while_it_runs() {
    let site = fresh("site-serve-headers");
    render_into(&fixture_dir(), &site);
    let served = Served::start(&site);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let index = agent.get(&served.url).call().expect("GET /");
    assert_eq!(index.status(), 200);
    let header = |name: &str| {
        index
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let policy = header("content-security-policy");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.ends_with("; frame-ancestors 'none'"), "{policy}");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-content-type-options"), "nosniff");

    std::os::unix::fs::symlink("/etc/passwd", site.join("passwd.html")).unwrap();
    std::os::unix::fs::symlink("/etc", site.join("v/etc")).unwrap();
    for path in ["passwd.html", "v/etc/passwd", "v/etc/"] {
        let answer = agent
            .get(format!("{}{path}", served.url))
            .call()
            .expect("GET");
        assert_eq!(answer.status(), 404, "{path}");
        let body = answer.into_body().read_to_string().expect("body");
        assert!(!body.contains("root:"), "{path} served {body}");
    }
}
