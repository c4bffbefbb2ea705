//! Writes the site: every snapshot of the store as a version of its own under `v/<id>/`, and the
//! entry pages (`index.html`, `history.html`) for the newest. A version is rendered once, into a
//! hidden folder renamed into place when whole, and recorded in its `version.json`; later renders
//! read that record instead of the snapshot, so adding one snapshot reads two (it and the one
//! before it, for the diff). This is the I/O edge of `render`; the pages come from `view`.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tracing::debug;

use super::badges::Badges;
use super::folder::site_files;
use super::svg::{self, TrendPoint};
use super::templates::{Templates, error_chain};
use super::view::{
    ChangesContext, FOLDER_PAGE_BASE, HistoryPage, HistoryRow, PageInfo, ScoreView, SiteInfo,
    VersionHeader, VersionModel, display_time, evidence_lines, file_stem, version_id,
};
use crate::diff::diff;
use crate::evaluate::{
    CatalogError, CheckMeta, CsfEvidence, CsfSubcategory, Severity, catalog, load_nist_csf_2_aws,
    nist_csf_2,
};
use crate::files::{Links, read_regular};
use crate::finding::Status;
use crate::snapshot::{
    AccountOutcome, SnapshotSummary, Store, StoreError, StoredSnapshot, read_snapshot_integrity,
    read_snapshot_summary, verify_store_except,
};
use crate::text::plural;

/// The record of a rendered version, written last into its folder.
const MANIFEST: &str = "version.json";
/// The findings of a version as CSV.
const FINDINGS_CSV: &str = "findings.csv";

/// What to render, from where, to where.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The snapshot store.
    pub snapshots_dir: PathBuf,
    /// The site's folder.
    pub out_dir: PathBuf,
    /// Template files that replace the embedded ones.
    pub templates_dir: Option<PathBuf>,
    /// Render every version again, even those already rendered.
    pub force: bool,
}

/// What a render did.
#[derive(Debug, Clone)]
pub struct RenderReport {
    /// Versions in the site.
    pub versions: usize,
    /// Versions rendered this time.
    pub rendered: Vec<String>,
    /// Files written.
    pub files_written: usize,
    /// Bytes written.
    pub bytes_written: u64,
    /// The largest page written, with its size.
    pub largest_page: Option<(PathBuf, u64)>,
    /// The entry page.
    pub index: PathBuf,
    /// Whether the store's hash chain is intact.
    pub chain_intact: bool,
    /// The chain verification in one sentence.
    pub chain_summary: String,
}

/// Why the site could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds no snapshot.
    #[error("{}: no snapshots to render: run `posture scan` first, or name the store with --snapshots-dir", dir.display())]
    Empty {
        /// The store.
        dir: PathBuf,
    },
    /// The site's folder holds a symbolic link or a special file.
    #[error(transparent)]
    Folder(#[from] super::folder::SiteFolderError),
    /// The templates could not be loaded.
    #[error(transparent)]
    Templates(#[from] super::templates::TemplateError),
    /// posture's classification of the NIST CSF 2.0 subcategories (`checks/nist-csf-2.0-aws.toml`,
    /// embedded) does not validate: a build with a broken data file.
    #[error(transparent)]
    Classification(#[from] CatalogError),
    /// A page could not be rendered from its template.
    #[error("could not render {page} with {template}: {message}")]
    Page {
        /// The page.
        page: String,
        /// The template.
        template: &'static str,
        /// Tera's message, with its causes.
        message: String,
    },
    /// A file of the site could not be written.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A rendered version's record: how to tell it is done (its history row holds the snapshot's
/// content hash), and what the history needs of it without reading the snapshot again.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    /// The content hash of the snapshot before it in the store when it was rendered (its pages
    /// compare with that one): if another takes its place, the version is rendered again.
    #[serde(default)]
    compared_with: Option<String>,
    /// The templates it was rendered with.
    templates: String,
    /// The posture version that rendered it.
    posture_version: String,
    /// Its row of the history.
    history: HistoryRow,
}

/// Renders the site of every snapshot in the store.
///
/// # Errors
/// A [`RenderError`] naming the store, template or file that failed. A version is only ever
/// complete or absent: a failure leaves the versions rendered before it and the entry pages
/// as they were.
pub fn render(options: &RenderOptions) -> Result<RenderReport, RenderError> {
    let store = Store::new(&options.snapshots_dir);
    let snapshots = store.list()?;
    if snapshots.is_empty() {
        return Err(RenderError::Empty {
            dir: options.snapshots_dir.clone(),
        });
    }
    let templates = Templates::load(options.templates_dir.as_deref())?;
    // Parsed once for every version: the CSF page and the overview's function cards say which
    // subcategories without a check AWS APIs could evidence.
    let evidence = load_nist_csf_2_aws()?;
    let out = &options.out_dir;
    if out.is_dir() {
        // What is there is read (manifests) and written over: never through a link.
        site_files(out)?;
    }
    let mut writer = Writer::default();
    create_dir(&out.join("v"))?;
    remove_leftovers(&out.join("v"));
    create_dir(&out.join("assets"))?;
    for asset in [&templates.css, &templates.js] {
        let path = out.join(&asset.path);
        if !path.exists() {
            writer.write_atomic(&path, asset.content.as_bytes())?;
        }
    }
    let site = SiteInfo {
        posture_version: env!("CARGO_PKG_VERSION").to_owned(),
        css: templates.css.path.clone(),
        js: templates.js.path.clone(),
    };
    let latest = version_id(&snapshots.last().expect("not empty").name).to_owned();
    let renderer = Renderer {
        templates: &templates,
        badges: Badges::new(&templates.tera),
        site,
        latest: latest.clone(),
        catalogue: catalog(),
        csf: nist_csf_2(),
        evidence: &evidence,
    };

    // The chain is verified beside the rendering: it reads every file, the rendering only the
    // new ones.
    let plan = Plan::new(&snapshots, options);
    let read_here: BTreeSet<&str> = plan
        .wanted
        .iter()
        .map(|&i| snapshots[i].name.as_str())
        .collect();
    let (verification, rendered, history, last) = std::thread::scope(|scope| {
        let verifying =
            scope.spawn(|| verify_store_except(&store, |name| read_here.contains(name), |_| {}));
        let rendered = render_versions(&renderer, &snapshots, plan, options, &mut writer);
        let verification = verifying.join().expect("the chain verification panicked");
        rendered.map(|(rendered, history, last)| (verification, rendered, history, last))
    })?;
    let verification = verification?;
    let chain_problems: Vec<String> = verification
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    let chain_summary = if verification.intact() {
        match verification.head() {
            Some((file, sha)) => format!(
                "Every snapshot's content hash and every link of the chain hold ({}); the newest, {file}, has content hash {sha}.",
                plural(verification.files.len(), "snapshot")
            ),
            None => "The store holds no snapshot.".to_owned(),
        }
    } else {
        format!(
            "The chain is broken: {} found; run `posture verify` for details.",
            plural(chain_problems.len(), "problem")
        )
    };

    // The newest version's overview shows badges even when no version was rendered now.
    badges_rendered(&renderer.badges, "index.html")?;
    // Entry pages last, so they never link to a version not yet written.
    let trend = svg::trend(&trend_points(&history, history.len() - 1));
    let latest_manifest = last;
    let history_page = HistoryPage {
        versions: history.iter().rev().cloned().collect(),
        trend_svg: trend,
        chain_intact: verification.intact(),
        chain_summary: chain_summary.clone(),
        chain_problems,
    };
    let entry_base = format!("v/{}/", file_stem(&latest));
    let page = renderer.page_info("History", "history", "", &entry_base);
    let bytes = renderer.render_page(
        "history.html",
        "history.html",
        &page,
        &latest_manifest.header,
        &history_page,
    )?;
    writer.write_atomic(&out.join("history.html"), &bytes)?;
    let index_page = renderer.page_info(&latest_manifest.title, "overview", "", &entry_base);
    let bytes = renderer.render_page(
        "index.html",
        "overview.html",
        &index_page,
        &latest_manifest.header,
        &latest_manifest.overview,
    )?;
    let index = out.join("index.html");
    writer.write_atomic(&index, &bytes)?;
    debug!(
        versions = snapshots.len(),
        rendered = rendered.len(),
        files = writer.files,
        "rendered the site"
    );
    Ok(RenderReport {
        versions: snapshots.len(),
        rendered,
        files_written: writer.files,
        bytes_written: writer.bytes,
        largest_page: writer.largest,
        index,
        chain_intact: verification.intact(),
        chain_summary,
    })
}

/// What the entry pages need of the newest version.
struct Latest {
    header: VersionHeader,
    title: String,
    overview: super::view::Overview,
}

/// Which versions are already rendered, and which snapshots must be read.
struct Plan {
    /// Each version's manifest, when it is rendered from its snapshot as it is now.
    manifests: Vec<Option<Manifest>>,
    /// The snapshots to read, in order: each version to render (and the newest, for the entry
    /// pages) with the one before it, for its diff.
    wanted: Vec<usize>,
}

impl Plan {
    fn new(snapshots: &[StoredSnapshot], options: &RenderOptions) -> Self {
        let out = &options.out_dir;
        let last = snapshots.len() - 1;
        // Each snapshot's content hash, from its header (cheap whatever its size).
        let hashes: Vec<Option<String>> = snapshots
            .iter()
            .map(|stored| {
                read_snapshot_integrity(&stored.path)
                    .ok()
                    .map(|integrity| integrity.content_sha256)
            })
            .collect();
        let manifests: Vec<Option<Manifest>> = snapshots
            .iter()
            .enumerate()
            .map(|(i, stored)| {
                let folder = out.join("v").join(file_stem(version_id(&stored.name)));
                let before = i.checked_sub(1).map(|j| hashes[j].as_ref());
                (!options.force)
                    .then(|| done(&folder, hashes[i].as_ref(), before))
                    .flatten()
            })
            .collect();
        let mut wanted: Vec<usize> = Vec::new();
        for (i, manifest) in manifests.iter().enumerate() {
            if manifest.is_none() || i == last {
                for j in [i.checked_sub(1), Some(i)].into_iter().flatten() {
                    if wanted.last().is_none_or(|&w| w < j) {
                        wanted.push(j);
                    }
                }
            }
        }
        Plan { manifests, wanted }
    }
}

/// Renders each version not yet rendered, oldest first. Returns the ids rendered, the history
/// of every version, and what the entry pages show of the newest.
///
/// The concurrency is rayon's `join` and parallel iterators, and nothing else: no thread waits
/// for another but at the end of a `join`. For each version, the pages that do not need its diff
/// (accounts, checks, the matrix, the CSV) render on every core while, beside them, the diff
/// runs, drops the snapshot before, and then renders the overview and changes pages while the
/// next snapshot is read: reading is a third of the work. The next is read only once the one
/// before is dropped, so at most two snapshots are in memory (three would pass 500 MB at 1,000
/// accounts).
fn render_versions(
    renderer: &Renderer<'_>,
    snapshots: &[StoredSnapshot],
    Plan { manifests, wanted }: Plan,
    options: &RenderOptions,
    writer: &mut Writer,
) -> Result<(Vec<String>, Vec<HistoryRow>, Latest), RenderError> {
    let out = &options.out_dir;
    let read = |i: usize| renderer.read(&snapshots[i]);
    // Snapshots read ahead, not yet taken: at most two. The first two wanted are read at once:
    // the first version cannot start before its snapshot is read, and one read alone would
    // leave a core idle meanwhile.
    let mut ahead: Vec<(usize, SnapshotSummary)> = Vec::with_capacity(2);
    match *wanted.as_slice() {
        [first, second, ..] => {
            let (a, b) = rayon::join(|| read(first), || read(second));
            ahead.push((first, a?));
            ahead.push((second, b?));
        }
        [first] => ahead.push((first, read(first)?)),
        [] => {}
    }
    let take = |ahead: &mut Vec<(usize, SnapshotSummary)>, i: usize| match ahead
        .iter()
        .position(|(j, _)| *j == i)
    {
        Some(at) => Ok(ahead.swap_remove(at).1),
        None => read(i),
    };
    let mut history: Vec<HistoryRow> = Vec::with_capacity(snapshots.len());
    let mut rendered = Vec::new();
    // The snapshot before the one being rendered, when it has been read.
    let mut previous: Option<(usize, SnapshotSummary)> = None;
    let mut latest = None;
    for ((i, stored), manifest) in snapshots.iter().enumerate().zip(manifests) {
        let id = version_id(&stored.name).to_owned();
        let folder = out.join("v").join(file_stem(&id));
        let is_last = i + 1 == snapshots.len();
        if let (Some(manifest), false) = (&manifest, is_last) {
            debug!(version = %id, "already rendered");
            history.push(manifest.history.clone());
            continue;
        }
        let clock = std::time::Instant::now();
        let before = match previous.take() {
            Some((j, summary)) if j + 1 == i => Some(summary),
            _ if i > 0 => Some(take(&mut ahead, i - 1)?),
            _ => None,
        };
        let summary = take(&mut ahead, i)?;
        // What is kept of the snapshot before once it is compared: its organization and hash.
        let before_scan = before.as_ref().map(|b| {
            (
                b.scan.organization_id.clone(),
                b.integrity.content_sha256.clone(),
            )
        });
        let prev_id = i
            .checked_sub(1)
            .map(|j| version_id(&snapshots[j].name).to_owned());
        let header = VersionHeader::of(&summary, &stored.name, prev_id.as_deref());
        let model = VersionModel::new(
            &summary,
            header.clone(),
            renderer.catalogue,
            renderer.csf,
            renderer.evidence,
            &renderer.badges,
        );
        history.push(history_row(&summary, &id, model.score()));
        let indexed = clock.elapsed();
        let staging = match manifest {
            None => Some(writer.staging(&folder)?),
            Some(_) => None,
        };
        // The next snapshot to read, unless it was read ahead already.
        let next = wanted
            .iter()
            .copied()
            .find(|&w| w > i)
            .filter(|w| !ahead.iter().any(|(j, _)| j == w));
        let (history_so_far, model_ref, summary_ref) = (&history, &model, &summary);
        let ((overview, dependent, read_next), independent) = rayon::join(
            || {
                let (model, summary) = (model_ref, summary_ref);
                let changes = before.map(|before| diff(&before, summary));
                // `before` is dropped here, before the next snapshot is read.
                let context = changes_context(
                    before_scan.as_ref(),
                    changes.as_ref(),
                    prev_id.as_deref(),
                    summary,
                );
                let previous_score = match context {
                    ChangesContext::Against { .. } => i.checked_sub(1).map(|j| {
                        (
                            history_so_far[j].score_value,
                            history_so_far[j].coverage_value,
                        )
                    }),
                    _ => None,
                };
                let trend = svg::trend(&trend_points(history_so_far, i));
                let overview = model.overview(&context, previous_score, trend);
                let (dependent, read_next) = rayon::join(
                    || {
                        if staging.is_some() {
                            renderer.dependent_pages(model, &context, &overview)
                        } else {
                            Ok(Vec::new())
                        }
                    },
                    || next.map(|j| (j, read(j))),
                );
                (overview, dependent, read_next)
            },
            || match &staging {
                Some(staging) => renderer.independent_pages(model_ref, staging),
                None => Ok(Vec::new()),
            },
        );
        let written = independent?;
        let dependent = dependent?;
        if let Some((j, summary)) = read_next {
            ahead.push((j, summary?));
        }
        let made = clock.elapsed();
        if let Some(staging) = &staging {
            let mut csv_bytes = 0;
            for (path, size) in &written {
                if path.file_name().is_some_and(|n| n == FINDINGS_CSV) {
                    csv_bytes = *size;
                }
                writer.record(path, *size);
            }
            for (name, bytes) in dependent {
                writer.write(&staging.join(name), &bytes)?;
            }
            let size = fs::metadata(&stored.path).map_or(0, |m| m.len());
            let (name, bytes) = renderer.downloads_page(&model, csv_bytes, size)?;
            writer.write(&staging.join(name), &bytes)?;
            let manifest = Manifest {
                compared_with: before_scan.as_ref().map(|(_, hash)| hash.clone()),
                templates: renderer.templates.fingerprint.clone(),
                posture_version: renderer.site.posture_version.clone(),
                history: history.last().expect("pushed").clone(),
            };
            // A badge that failed is empty: the version is not kept.
            badges_rendered(&renderer.badges, &format!("v/{}/", file_stem(&id)))?;
            let pages = clock.elapsed();
            writer.finish_version(&folder, staging, stored, &manifest)?;
            debug!(
                version = %id,
                indexed = ?indexed,
                pages_diff_and_next_read = ?(made - indexed),
                downloads = ?(pages - made),
                write = ?(clock.elapsed() - pages),
                "rendered a version"
            );
            rendered.push(id.clone());
        }
        if is_last {
            latest = Some(Latest {
                title: format!("Posture of {}", summary.scan.organization_id),
                header,
                overview,
            });
        }
        drop(model);
        previous = Some((i, summary));
    }
    Ok((rendered, history, latest.expect("the store is not empty")))
}

/// What a version's changes are shown against: the diff with the snapshot before (`before`: its
/// organization and content hash), or why there is none.
fn changes_context<'c>(
    before: Option<&(String, String)>,
    changes: Option<&'c crate::diff::Changes>,
    previous: Option<&str>,
    summary: &SnapshotSummary,
) -> ChangesContext<'c> {
    match (before, changes, previous) {
        (Some((organization, _)), _, Some(p)) if *organization != summary.scan.organization_id => {
            ChangesContext::NotComparable {
                previous: p.to_owned(),
                reason: format!(
                    "The snapshot before this one, {p}, is of organization {organization}, this one of {}: their findings are not compared.",
                    summary.scan.organization_id
                ),
            }
        }
        (Some(_), Some(changes), Some(p)) => ChangesContext::Against {
            previous: p.to_owned(),
            changes,
        },
        _ => ChangesContext::First,
    }
}

/// The manifest of a version rendered from this very snapshot (`hash`) compared with this very
/// snapshot before it (`before`: `None` for the first), if there is one. A version compared with
/// another predecessor than the one now before it is stale.
fn done(folder: &Path, hash: Option<&String>, before: Option<Option<&String>>) -> Option<Manifest> {
    let text = read_regular(&folder.join(MANIFEST), Links::Refuse).ok()?;
    let manifest: Manifest = serde_json::from_slice(&text).ok()?;
    let same_snapshot = hash == Some(&manifest.history.content_sha256);
    let same_before = match before {
        None => true,
        Some(before) => before.is_some() && before == manifest.compared_with.as_ref(),
    };
    (same_snapshot && same_before).then_some(manifest)
}

fn history_row(summary: &SnapshotSummary, id: &str, score: ScoreView) -> HistoryRow {
    let tally = score.tally;
    HistoryRow {
        id: id.to_owned(),
        href: format!("v/{}/index.html", file_stem(id)),
        scanned: display_time(&summary.scan.started_at),
        started_at: summary.scan.started_at.clone(),
        organization_id: summary.scan.organization_id.clone(),
        accounts: summary
            .accounts
            .iter()
            .filter(|a| a.outcome != AccountOutcome::Excluded)
            .count(),
        checks: summary.checks.len(),
        regions: summary.scan.scope.regions.join(", "),
        score: score.score,
        score_value: tally.score(),
        coverage: score.coverage,
        coverage_value: tally.coverage(),
        failing: tally.fail,
        unknown: tally.unknown,
        reevaluation_of: summary
            .reevaluation
            .as_ref()
            .map(|r| version_id(&r.source_file).to_owned()),
        content_sha256: summary.integrity.content_sha256.clone(),
        previous_sha256: summary.integrity.previous_sha256.clone(),
    }
}

/// The trend up to and including version `upto`.
fn trend_points(history: &[HistoryRow], upto: usize) -> Vec<TrendPoint> {
    history[..=upto]
        .iter()
        .enumerate()
        .map(|(i, row)| TrendPoint {
            label: row.scanned.get(..16).unwrap_or(&row.scanned).to_owned(),
            score: row.score_value,
            coverage: row.coverage_value,
            current: i == upto,
        })
        .collect()
}

/// One page to write: its path within the version folder and its bytes.
type PageFile = (String, Vec<u8>);

/// Renders pages; shared by the threads that render one version.
struct Renderer<'a> {
    templates: &'a Templates,
    badges: Badges<'a>,
    site: SiteInfo,
    latest: String,
    catalogue: &'static [CheckMeta],
    csf: &'static [CsfSubcategory],
    /// posture's classification of each CSF 2.0 subcategory (`aws` or `outside`).
    evidence: &'a [CsfEvidence],
}

/// An error naming `page` if a badge `badges` made for it failed to render, and so is empty.
fn badges_rendered(badges: &Badges<'_>, page: &str) -> Result<(), RenderError> {
    match badges.failure() {
        None => Ok(()),
        Some(message) => Err(RenderError::Page {
            page: page.to_owned(),
            template: "components.html",
            message,
        }),
    }
}

/// What a template sees (see `site-templates/README.md`).
#[derive(Serialize)]
struct PageContext<'a, T: Serialize> {
    site: &'a SiteInfo,
    page: &'a PageInfo,
    version: &'a VersionHeader,
    body: &'a T,
}

impl Renderer<'_> {
    fn read(&self, stored: &StoredSnapshot) -> Result<SnapshotSummary, RenderError> {
        debug!(snapshot = %stored.name, "reading");
        Ok(read_snapshot_summary(&stored.path).map_err(StoreError::from)?)
    }

    fn page_info(&self, title: &str, nav: &'static str, root: &str, base: &str) -> PageInfo {
        PageInfo {
            title: title.to_owned(),
            nav,
            root: root.to_owned(),
            base: base.to_owned(),
            latest: self.latest.clone(),
            entry: root.is_empty(),
        }
    }

    fn render_page<T: Serialize>(
        &self,
        name: &str,
        template: &'static str,
        page: &PageInfo,
        version: &VersionHeader,
        body: &T,
    ) -> Result<Vec<u8>, RenderError> {
        let fail = |message: String| RenderError::Page {
            page: name.to_owned(),
            template,
            message,
        };
        let context = tera::Context::from_serialize(&PageContext {
            site: &self.site,
            page,
            version,
            body,
        })
        .map_err(|err| fail(error_chain(&err)))?;
        let mut bytes = Vec::with_capacity(64 * 1024);
        self.templates
            .tera
            .render_to(template, &context, &mut bytes)
            .map_err(|err| fail(error_chain(&err)))?;
        Ok(bytes)
    }

    /// The pages of one version that do not need its diff, rendered in parallel (rayon): the
    /// CSF, checks and accounts pages, and the CSV. Each page is written into `staging` as soon
    /// as it is rendered; the first failure stops the rest. Returns every file written, with its
    /// size.
    fn independent_pages(
        &self,
        model: &VersionModel<'_>,
        staging: &Path,
    ) -> Result<Vec<(PathBuf, u64)>, RenderError> {
        enum Job<'m> {
            Csf,
            Checks,
            Check(&'m str),
            Accounts,
            Account(&'m str),
            Csv,
        }
        let header = &model.header;
        let mut jobs = vec![Job::Csf, Job::Checks, Job::Accounts, Job::Csv];
        jobs.extend(model.check_ids().into_iter().map(Job::Check));
        jobs.extend(model.account_ids().into_iter().map(Job::Account));
        let top = |title: &str, nav| self.page_info(title, nav, "../../", "");
        let below = |title: &str, nav| self.page_info(title, nav, "../../../", FOLDER_PAGE_BASE);
        let run = |job: Job<'_>| -> Result<Vec<(PathBuf, u64)>, RenderError> {
            let pages: Vec<PageFile> = match job {
                Job::Csf => vec![(
                    "csf.html".to_owned(),
                    self.render_page(
                        "csf.html",
                        "csf.html",
                        &top("NIST CSF 2.0", "csf"),
                        header,
                        &model.csf(),
                    )?,
                )],
                Job::Checks => vec![(
                    "checks.html".to_owned(),
                    self.render_page(
                        "checks.html",
                        "checks.html",
                        &top("Checks", "checks"),
                        header,
                        &model.checks(),
                    )?,
                )],
                // Written to its file as it is made, not returned whole like a page: see
                // `write_findings_csv`.
                Job::Csv => {
                    let path = staging.join(FINDINGS_CSV);
                    let size = write_findings_csv(&path, model.snapshot)?;
                    return Ok(vec![(path, size)]);
                }
                Job::Accounts => model
                    .accounts()
                    .iter()
                    .map(|p| {
                        let name = p.pager.path.clone();
                        let page = top("Accounts", "accounts");
                        self.render_page(&name, "accounts.html", &page, header, p)
                            .map(|b| (name, b))
                    })
                    .collect::<Result<_, _>>()?,
                Job::Check(check) => model
                    .check(check)
                    .iter()
                    .map(|p| {
                        let name = p.pager.path.clone();
                        let page = below(&format!("Check {}", p.description.check.id), "checks");
                        self.render_page(&name, "check.html", &page, header, p)
                            .map(|b| (name, b))
                    })
                    .collect::<Result<_, _>>()?,
                Job::Account(account) => model
                    .account(account)
                    .iter()
                    .map(|p| {
                        let name = p.pager.path.clone();
                        let title = format!("Account {} ({})", p.account.name, p.account.id);
                        self.render_page(
                            &name,
                            "account.html",
                            &below(&title, "accounts"),
                            header,
                            p,
                        )
                        .map(|b| (name, b))
                    })
                    .collect::<Result<_, _>>()?,
            };
            pages
                .into_iter()
                .map(|(name, bytes)| {
                    let path = staging.join(&name);
                    write_file(&path, &bytes)?;
                    Ok((path, bytes.len() as u64))
                })
                .collect()
        };
        // One job a task: they range from a 35 MB CSV to a page of a few kilobytes, and work
        // stealing evens them out.
        let written: Vec<Vec<(PathBuf, u64)>> = jobs
            .into_par_iter()
            .with_max_len(1)
            .map(run)
            .collect::<Result<_, _>>()?;
        Ok(written.into_iter().flatten().collect())
    }

    /// The pages that need the diff: the overview and the changes.
    fn dependent_pages(
        &self,
        model: &VersionModel<'_>,
        changes: &ChangesContext<'_>,
        overview: &super::view::Overview,
    ) -> Result<Vec<PageFile>, RenderError> {
        let header = &model.header;
        let top = |title: &str, nav| self.page_info(title, nav, "../../", "");
        let organization = &model.snapshot.scan.organization_id;
        let mut files = Vec::new();
        let page = top(&format!("Posture of {organization}"), "overview");
        files.push((
            "index.html".to_owned(),
            self.render_page("index.html", "overview.html", &page, header, overview)?,
        ));
        let page = top("Changes", "changes");
        for changes_page in changes.pages(model) {
            let name = if changes_page.pager.path.is_empty() {
                "changes.html".to_owned()
            } else {
                changes_page.pager.path.clone()
            };
            let bytes = self.render_page(&name, "changes.html", &page, header, &changes_page)?;
            files.push((name, bytes));
        }
        Ok(files)
    }

    /// The downloads page: it gives the CSV's size, so it follows the CSV.
    fn downloads_page(
        &self,
        model: &VersionModel<'_>,
        csv_bytes: u64,
        snapshot_bytes: u64,
    ) -> Result<PageFile, RenderError> {
        let downloads = model.downloads(csv_bytes, snapshot_bytes);
        let page = self.page_info("Downloads", "downloads", "../../", "");
        let bytes = self.render_page(
            "downloads.html",
            "downloads.html",
            &page,
            &model.header,
            &downloads,
        )?;
        Ok(("downloads.html".to_owned(), bytes))
    }
}

/// Writes [`findings_csv`] to `path` as it is made: at 1,000 accounts it is 35 MB, which held
/// whole beside two snapshots would be a tenth of the memory a render may use. Returns its size.
fn write_findings_csv(path: &Path, snapshot: &SnapshotSummary) -> Result<u64, RenderError> {
    let fail = |source| RenderError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let mut file = io::BufWriter::with_capacity(256 * 1024, fs::File::create(path).map_err(fail)?);
    let size = findings_csv(snapshot, &mut file).map_err(fail)?;
    io::Write::flush(&mut file).map_err(fail)?;
    Ok(size)
}

/// The findings as CSV, one row per finding, with the evidence as `label: value` lines. A cell that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) is
/// prefixed with `'`. Returns the bytes written.
fn findings_csv(snapshot: &SnapshotSummary, out: &mut impl io::Write) -> io::Result<u64> {
    let checks: FxHashMap<&str, _> = snapshot.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let accounts: FxHashMap<&str, _> = snapshot
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    // One record at a time, through the one buffer.
    let mut csv = Vec::with_capacity(4096);
    csv_record(
        &mut csv,
        [
            "check",
            "title",
            "severity",
            "account",
            "account_name",
            "ou_path",
            "region",
            "resource",
            "status",
            "reason",
            "waived",
            "waiver_reason",
            "waiver_approved_by",
            "waiver_expires",
            "evidence",
        ],
    );
    out.write_all(&csv)?;
    let mut written = csv.len() as u64;
    for f in &snapshot.findings {
        let check = checks.get(f.check.as_str());
        let account = accounts.get(f.account.as_str());
        let status = match f.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Skipped => "SKIPPED",
        };
        let severity = check.map_or("", |c| match c.severity {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        });
        let evidence = evidence_lines(f);
        let waiver = f.waiver.as_deref();
        csv.clear();
        csv_record(
            &mut csv,
            [
                &inert(&f.check),
                &inert(check.map_or("", |c| c.title.as_str())),
                severity,
                &inert(&f.account),
                &inert(account.map_or("", |a| a.name.as_str())),
                &inert(account.map_or("", |a| a.ou_path.as_str())),
                &inert(f.region.as_deref().unwrap_or("")),
                &inert(&f.resource),
                status,
                &inert(&f.reason),
                if waiver.is_some() { "yes" } else { "no" },
                &inert(waiver.map_or("", |w| w.reason.as_str())),
                &inert(waiver.map_or("", |w| w.approved_by.as_str())),
                &inert(waiver.map_or("", |w| w.expires.as_str())),
                &inert(&evidence),
            ],
        );
        out.write_all(&csv)?;
        written += csv.len() as u64;
    }
    Ok(written)
}

/// Appends one CSV record of two or more fields, with RFC 4180 quoting and a `\n` line end: a
/// field is quoted only when it holds a comma, a quote or a line break, its quotes doubled, as the
/// `csv` crate writes it. By hand because that crate's byte-at-a-time writer was a tenth of a
/// render (34 MB a version at 1,000 accounts).
fn csv_record<const N: usize>(out: &mut Vec<u8>, fields: [&str; N]) {
    // A record of one empty field would be an empty line (the `csv` crate writes `""`).
    const { assert!(N > 1) };
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Checked a chunk at a time without stopping early, which the compiler vectorizes.
        let special = |found: bool, &b: &u8| found | matches!(b, b',' | b'"' | b'\n' | b'\r');
        if !field
            .as_bytes()
            .chunks(32)
            .any(|chunk| chunk.iter().fold(false, special))
        {
            out.extend_from_slice(field.as_bytes());
            continue;
        }
        out.push(b'"');
        for (j, part) in field.split('"').enumerate() {
            if j > 0 {
                out.extend_from_slice(b"\"\"");
            }
            out.extend_from_slice(part.as_bytes());
        }
        out.push(b'"');
    }
    out.push(b'\n');
}

/// A CSV cell a spreadsheet will not run as a formula: one starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a `'` in front (OWASP's advice on CSV injection).
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Removes what an interrupted render left in `v/`: hidden staging folders (`.<id>.tmp-PID`)
/// and old versions moved aside (`.<id>.old-PID`). They were never linked from any page.
fn remove_leftovers(versions: &Path) {
    let Ok(entries) = fs::read_dir(versions) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")) {
            debug!(folder = %name, "removing what an interrupted render left");
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Creates a folder and those above it.
fn create_dir(path: &Path) -> Result<(), RenderError> {
    fs::create_dir_all(path).map_err(|source| RenderError::Io {
        action: "create",
        path: path.to_owned(),
        source,
    })
}

/// Writes one new file, creating its folder. Never through what is already there: every page
/// goes to a fresh staging folder or a temporary name, and a link planted under that name must
/// not make render write wherever it points (`create_new` does not follow one).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    if let Some(parent) = path.parent() {
        create_dir(parent)?;
    }
    fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|source| RenderError::Io {
            action: "write",
            path: path.to_owned(),
            source,
        })
}

/// Writes files, counting what it wrote.
#[derive(Default)]
struct Writer {
    files: usize,
    bytes: u64,
    largest: Option<(PathBuf, u64)>,
}

impl Writer {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
        write_file(path, bytes)?;
        self.record(path, bytes.len() as u64);
        Ok(())
    }

    /// Counts a file written.
    fn record(&mut self, path: &Path, size: u64) {
        self.files += 1;
        self.bytes += size;
        if path.extension().is_some_and(|e| e == "html")
            && self.largest.as_ref().is_none_or(|(_, n)| *n < size)
        {
            self.largest = Some((path.to_owned(), size));
        }
    }

    /// Writes to a hidden file beside `path`, then renames it into place: a reader sees the old
    /// page or the new one, never half of one.
    fn write_atomic(&mut self, path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let temporary = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        // Left by a killed render of the same PID, or planted: either way not ours to write into.
        let _ = fs::remove_file(&temporary);
        self.write(&temporary, bytes)?;
        fs::rename(&temporary, path).map_err(|source| RenderError::Io {
            action: "rename into place",
            path: path.to_owned(),
            source,
        })
    }

    /// A fresh hidden folder beside `folder` for a version's pages: renamed to `folder` by
    /// [`Self::finish_version`] when whole, so a version is complete or absent.
    fn staging(&self, folder: &Path) -> Result<PathBuf, RenderError> {
        let name = folder
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let staging = folder.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|source| RenderError::Io {
                action: "remove",
                path: staging.clone(),
                source,
            })?;
        }
        create_dir(&staging)?;
        Ok(staging)
    }

    /// Copies the snapshot beside its version's pages (for download), writes the manifest last,
    /// and renames the staging folder into place.
    fn finish_version(
        &mut self,
        folder: &Path,
        staging: &Path,
        stored: &StoredSnapshot,
        manifest: &Manifest,
    ) -> Result<(), RenderError> {
        let name = folder
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let copy = staging.join(&stored.name);
        let copied = fs::copy(&stored.path, &copy).map_err(|source| RenderError::Io {
            action: "copy the snapshot to",
            path: copy.clone(),
            source,
        })?;
        self.files += 1;
        self.bytes += copied;
        let json = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
        self.write(&staging.join(MANIFEST), &json)?;
        if folder.exists() {
            // `--force`, or a version whose snapshot changed: the old pages go only once the
            // new ones are whole.
            let old = folder.with_file_name(format!(".{name}.old-{}", std::process::id()));
            fs::rename(folder, &old).map_err(|source| RenderError::Io {
                action: "move aside",
                path: folder.to_owned(),
                source,
            })?;
            self.rename(staging, folder)?;
            let _ = fs::remove_dir_all(&old);
        } else {
            self.rename(staging, folder)?;
        }
        if let Some((path, _)) = &mut self.largest
            && let Ok(inside) = path.strip_prefix(staging)
        {
            *path = folder.join(inside);
        }
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<(), RenderError> {
        fs::rename(from, to).map_err(|source| RenderError::Io {
            action: "rename into place",
            path: to.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_record_is_what_the_csv_crate_writes_and_reads_back() {
        let fields = [
            "plain",
            "",
            "a,b",
            r#"say "hi""#,
            "\"",
            "line one\nline two",
            "carriage\rreturn",
            "ends with a quote\"",
            "ünïcødé, ✓",
            " spaced ",
            "a field longer than the 32 bytes checked at a time, then a comma, here",
            "and one longer than 32 bytes with a \"quote\" past the first 32",
        ];
        let mut ours = Vec::new();
        csv_record(&mut ours, fields);
        csv_record(&mut ours, ["second", "row"]);
        let mut theirs = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        theirs.write_record(fields).expect("write");
        theirs.write_record(["second", "row"]).expect("write");
        let theirs = theirs.into_inner().expect("flush");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(ours.as_slice());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows[0], fields);
        assert_eq!(rows[1], ["second", "row"]);
    }
}
