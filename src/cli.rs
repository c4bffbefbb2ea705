//! The command line as typed: clap derive structs and nothing else ("low args", like zola's
//! `src/cli.rs`). Parsing only; what a command does lives in `commands.rs`, and validation that
//! needs more than one flag, a file or the environment lives in `config.rs`.

use clap::{Args, Parser, Subcommand};

/// Audits an AWS Organization: discovers every member account, collects the facts its checks
/// need, evaluates checks mapped to NIST CSF 2.0, and keeps the result as snapshots.
///
/// Exit status: 0 when it succeeded, 1 when the answer is bad (`diff` found a regression,
/// `verify` a snapshot that is not as written), 2 when posture itself failed, 3 when a scan
/// could not read everything.
/// Set `POSTURE_LOG` (e.g. `debug`, or `posture=debug,aws_smithy_runtime=debug`) to see more on
/// stderr.
#[derive(Debug, Parser)]
#[command(name = "posture", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scans the organization: discovers every account, assumes the auditor role in each one
    /// concurrently, collects the facts the checks need, evaluates them, and writes a snapshot.
    ///
    /// Credentials come from the standard AWS chain (environment, profile, SSO, instance role);
    /// run it as the management account or a delegated administrator. Accounts that are not ACTIVE
    /// are SKIPPED. Which checks run, their thresholds and scan defaults come from posture.toml
    /// (--config, else ./posture.toml if there is one); flags win over it. Exit status: 0 when the scan finished and everything could be read, 3 when it
    /// finished but some accounts, Regions or services could not be read (they are ERROR in the
    /// snapshot), 2 when it could not run.
    Scan(Box<ScanArgs>),
    /// Shows what changed between two snapshots: regressions, resolutions, findings still failing,
    /// newly unknown and recovered, findings newly or no longer evaluated (scope), accounts that
    /// joined or left, checks added, removed or changed, and a change of scope; each change says
    /// why it happened.
    ///
    /// OLD and NEW are snapshot files, or names (or the unique start of a name) in the store;
    /// without them, the newest snapshot and the one before it. Exit status: 0 without
    /// regressions, 1 with a regression (PASS or absent before, FAIL now) at or above --fail-on,
    /// 2 when it could not compare. A FAIL that could not be evaluated before (recovered, newly
    /// in scope) is reported but does not count.
    Diff(DiffArgs),
    /// Verifies every snapshot in the store against its content hash, and the hash chain between
    /// them; names the first file that was altered, removed or reordered.
    ///
    /// The chain cannot show that its newest snapshots were removed: keep the newest hash it
    /// prints somewhere else, and pass it back with --expect. With FILES, checks just those files.
    /// Exit status: 0 when everything is as written, 1 when a file or link is not, 2 when the
    /// store could not be read or a file is of a newer schema than this posture reads.
    Verify(VerifyArgs),
    /// Evaluates the current checks over a snapshot's stored facts, as of its scan's time, into
    /// a new snapshot marked as a re-evaluation (`…-reevaluated.json`), so an improved check can
    /// be applied to old evidence. The original is never changed.
    ///
    /// It judges with the thresholds the snapshot records (the scan's), unless --config or the
    /// threshold flags set others. Refuses (unless --force) when the snapshot's findings already
    /// come from the current check catalogue and those thresholds: nothing could change. Exit
    /// status: 0 when it wrote the new snapshot, 2 when it could not.
    Reevaluate(ReevaluateArgs),
    /// Shows the check catalogue: every check as a table, one check in full (`posture checks
    /// ID`), or what the checks cover of a framework (`--framework nist-csf-2.0`).
    ///
    /// The coverage lists every Function, Category and subcategory of the framework: the checks
    /// that give evidence for it, or that posture does not assess it (it needs evidence from
    /// outside AWS APIs). Reads neither AWS nor the snapshot store. Exit status: 0, or 2 for an
    /// unknown check or framework.
    Checks(ChecksArgs),
    /// Runs the local sandbox organization that the demo and the integration tests use.
    ///
    /// The sandbox is moto's server with posture's extension (`sandbox/server.py`) on 127.0.0.1,
    /// in a Python virtual environment in `sandbox/.venv` that is created on first use from the
    /// hash-locked `sandbox/requirements.txt` (Python 3 is required). Its state (state file with
    /// endpoint and PID, server log, the seeded organization's description) lives in
    /// `sandbox/.state/`. `POSTURE_SANDBOX_DIR` points posture at another `sandbox/` directory.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Builds the static site from every snapshot in the store.
    ///
    /// Every snapshot becomes a version with pages of its own under `v/<id>/`, compared with the
    /// snapshot before it; `index.html` and `history.html` show the newest. Versions already
    /// rendered are not rendered again. Needs no AWS access.
    Render(RenderArgs),
    /// Serves the rendered site on 127.0.0.1, to look at it before publishing.
    Serve(ServeArgs),
    /// Uploads the rendered site to S3: `posture publish s3://BUCKET[/PREFIX]`.
    ///
    /// Only what changed is uploaded (compared with the objects under the prefix and the
    /// manifest the last publish wrote there), each file with its Content-Type and a
    /// Cache-Control that lets versioned pages and assets be cached for a year and makes the
    /// entry pages revalidate. Versioned pages and assets go first, the entry pages only once they
    /// are all up; if an upload fails, publishing stops with the previous entry pages in place and
    /// says what was and was not uploaded. Nothing outside the prefix is ever touched. Exit
    /// status: 0 when the site is published, 2 when it is not (or only partly).
    Publish(PublishArgs),
    /// Runs the demo on the sandbox organization: start (or reuse) the sandbox, seed it, scan,
    /// apply the change step (two failures fixed, one new failure), scan again, show what
    /// changed (`posture diff`) and render the site.
    ///
    /// Prints each scan's summary, the diff, where the snapshots are (`snapshots/`) and the path
    /// of the site's `index.html`; the sandbox keeps running afterwards (`posture sandbox stop`).
    Demo(DemoArgs),
}

/// `posture sandbox …`: the life cycle of the local sandbox organization.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Starts the sandbox server in the background and waits until it answers.
    ///
    /// Creates the virtual environment first if needed (a minute or two the first time). If a
    /// sandbox is already running, says so and leaves it running. The server runs in its own
    /// process group, so Ctrl-C here does not stop it; `posture sandbox stop` does.
    Start(StartArgs),
    /// Stops the running sandbox and removes its state file.
    ///
    /// Sends SIGTERM, and SIGKILL if the server is still there after 10 s.
    Stop,
    /// Shows the sandbox's endpoint and PID, and whether it answers.
    Status,
    /// Seeds the running sandbox with the demo organization.
    ///
    /// Runs `sandbox/seed.py seed`, which builds management, audit and log-archive accounts plus
    /// workload member accounts in OUs, with a mix of good and bad settings, through the real AWS
    /// APIs, and writes the organization's description to `sandbox/.state/organization.json`.
    Seed(SeedArgs),
    /// Applies the demo's change step to the seeded sandbox organization.
    ///
    /// Runs `sandbox/seed.py change` with the description that `posture sandbox seed` wrote:
    /// some settings get fixed, some get broken, as in a change window.
    Change,
}

/// Options of `posture scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The AWS profile to use (default: `AWS_PROFILE`, then the standard credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// The Region for global calls (default: the profile's, else us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// Sends every AWS call to this endpoint instead of AWS (the sandbox: `posture sandbox
    /// status` shows its endpoint). `AWS_ENDPOINT_URL` in the environment does the same.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Scans the running sandbox organization (its endpoint and dummy credentials).
    #[arg(long, conflicts_with_all = ["profile", "endpoint_url"])]
    pub sandbox: bool,
    /// Only these accounts (comma-separated 12-digit ids).
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Not these accounts.
    #[arg(long, value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
    /// Only accounts in these OUs, nested OUs included (ids `ou-…` or paths `/Workloads/Prod`).
    #[arg(long, value_delimiter = ',')]
    pub ous: Vec<String>,
    /// Regions to scan: a comma-separated list, or `all` (default: `[scan] regions` of
    /// posture.toml, else the Regions enabled for the caller's account).
    #[arg(long, value_delimiter = ',')]
    pub regions: Option<Vec<String>>,
    /// Only these checks (comma-separated ids, or `all`). Replaces posture.toml's `[checks]` (`only` and
    /// `skip`) whole; default: what `[checks]` selects, else every check in the catalogue.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
    /// The role assumed in each member account; a dedicated read-only auditor role is
    /// recommended (see the README for its policy). Default: `[scan] role_name` of
    /// posture.toml, else OrganizationAccountAccessRole.
    #[arg(long)]
    pub role_name: Option<String>,
    /// The external id the role's trust policy requires, if any.
    #[arg(long)]
    pub external_id: Option<String>,
    /// How many AWS calls to keep in flight, 1 to 256 (default: `[scan] concurrency` of
    /// posture.toml, else 64).
    #[arg(long, allow_negative_numbers = true)]
    pub concurrency: Option<usize>,
    /// The configuration file: checks, thresholds and scan defaults (the README's
    /// "Configuration: posture.toml"). Default: ./posture.toml when it exists; flags win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Reads no configuration file, not even ./posture.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Limits that override posture.toml's `[thresholds]`.
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Where the snapshot goes.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Keeps the accounts' e-mail addresses in the snapshot (left out by default: the snapshot
    /// is shared evidence, the addresses are personal data and phishing targets).
    #[arg(long)]
    pub keep_emails: bool,
    /// How new an account's credential report must be, or its IAM users are read live: IAM
    /// hands out the same report for four hours. `previous` (the default): generated after the
    /// newest snapshot's scan ended, so a change since shows; an RFC 3339 time (the end of a
    /// change window); `any`: whatever report IAM has (fewest calls).
    #[arg(long, value_name = "WHEN", default_value = "previous")]
    pub fresh_after: crate::config::FreshAfter,
    /// Only checks that a scan can run, in seconds: the store can be written, the organization
    /// discovered, each account's role assumed, the organization-wide reads made from here.
    /// Writes no snapshot; exit status as a scan's.
    #[arg(long)]
    pub preflight: bool,
    /// No progress and no summary; only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

impl ScanArgs {
    /// The options of `posture scan` with these flags and every other default, as if typed.
    pub fn from_flags(flags: &[&str]) -> Result<Self, clap::Error> {
        let cli = Cli::try_parse_from([&["posture", "scan"], flags].concat())?;
        match cli.command {
            Command::Scan(args) => Ok(*args),
            _ => unreachable!("parsed as `scan`"),
        }
    }
}

/// The limits of the age checks, for `scan` and `reevaluate`; each overrides the same key of
/// posture.toml's `[thresholds]`.
#[derive(Debug, Clone, Default, Args)]
pub struct ThresholdArgs {
    /// `access-key-rotation` fails an active access key older than DAYS days, 1 to 3650
    /// (`access_key_max_age_days`; the CIS default is 90).
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
    pub access_key_max_age_days: Option<u32>,
    /// `access-key-unused` fails an active access key unused for DAYS days or more, 1 to 3650
    /// (`access_key_max_unused_days`; the CIS default is 45).
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
    pub access_key_max_unused_days: Option<u32>,
}

/// The snapshot store, for every command that reads or writes it.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The snapshot store: a directory of snapshot files.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots_dir: std::path::PathBuf,
}

/// Options of `posture diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (default: the newest one before NEW whose scan ran no later than
    /// NEW's).
    pub old: Option<String>,
    /// The newer snapshot (default: the newest in the store).
    pub new: Option<String>,
    /// The snapshot store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Prints the changes as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Prints the changes as Markdown, for a change ticket.
    #[arg(long)]
    pub markdown: bool,
    /// Exit status 1 only for regressions of this severity or worse; `never` always exits 0.
    #[arg(long, value_enum, ignore_case = true, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Compares snapshots of two different organizations.
    #[arg(long)]
    pub force: bool,
    /// How many findings to list per kind in the table and Markdown (0: all). JSON lists all.
    #[arg(long, default_value_t = 50, allow_negative_numbers = true)]
    pub limit: usize,
    /// Also list the findings still failing and still unknown (always counted) in the table and
    /// Markdown.
    #[arg(long)]
    pub all: bool,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Only critical.
    Critical,
    /// High or critical.
    High,
    /// Medium or worse.
    Medium,
    /// Any regression.
    Low,
    /// Never: report only.
    Never,
}

/// Options of `posture verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Check only these snapshot files, each against its own content hash (no chain): a
    /// snapshot attached to a ticket, say.
    pub files: Vec<std::path::PathBuf>,
    /// The content hash of a snapshot that was in the store (the newest hash an earlier
    /// `verify` printed, kept elsewhere); it must still be there. All 64 hex digits.
    #[arg(long, value_name = "SHA256", value_parser = sha256_hex)]
    pub expect: Vec<String>,
    /// The snapshot store.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// A SHA-256 in hex, as `verify` prints it.
fn sha256_hex(value: &str) -> Result<String, String> {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err("give all 64 hex digits of the content hash, as `posture verify` printed it".into())
    }
}

/// Options of `posture reevaluate`.
#[derive(Debug, Args)]
pub struct ReevaluateArgs {
    /// The snapshot whose facts to evaluate: a file, or a name (or the unique start of one) in
    /// the store.
    pub snapshot: String,
    /// The store the new snapshot goes into.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Writes the re-evaluation even when the check catalogue, the thresholds, the landing zone
    /// and the waivers are the ones the findings came from.
    #[arg(long)]
    pub force: bool,
    /// Takes `[thresholds]`, `[landing_zone]` and the waivers from this posture.toml (its other
    /// tables do not apply). Without it no file is read, not even ./posture.toml: the snapshot's
    /// own settings hold.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Limits that override the snapshot's (and --config's).
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Evaluates these checks (comma-separated ids, or `all` for the whole catalogue) instead of
    /// the ones the scan ran. A check whose facts the scan did not collect, such as one added to
    /// posture since, is ERROR for every account it judges, never PASS.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
}

/// Options of `posture checks`.
#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// A check id (`posture checks` lists them): shows that check in full, with the statement of
    /// each NIST CSF 2.0 subcategory it maps to.
    #[arg(value_name = "ID", conflicts_with = "framework")]
    pub id: Option<String>,
    /// Shows the catalogue's coverage of this framework instead (supported: `nist-csf-2.0`).
    #[arg(long, value_name = "NAME")]
    pub framework: Option<String>,
    /// Prints JSON, for CI (the README describes its shapes).
    #[arg(long)]
    pub json: bool,
}

/// Options of `posture sandbox start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub port: u16,
}

/// Options of `posture sandbox seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many member accounts the seeder creates, 8 to 1000 (`sandbox/seed.py --members`).
    #[arg(long, default_value_t = 8, value_parser = members_range(), allow_negative_numbers = true)]
    pub members: u32,
}

/// The bounds `sandbox/seed.py` accepts for `--members`, checked here too so that a typo fails
/// before the sandbox is started.
fn members_range() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(8..=1000)
}

/// Options of `posture demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port on 127.0.0.1 for the sandbox if it has to be started; 0 picks a free one.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub port: u16,
    /// How many member accounts the seeder creates, 8 to 1000 (`sandbox/seed.py --members`).
    #[arg(long, default_value_t = 8, value_parser = members_range(), allow_negative_numbers = true)]
    pub members: u32,
    /// Where the demo's snapshots go.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Where the demo's site goes.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: std::path::PathBuf,
}

/// `posture render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The snapshot store to render.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The folder the site is written to.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: std::path::PathBuf,
    /// Template files (`site-templates/` names) that replace the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<std::path::PathBuf>,
    /// Render every version again, not only the snapshots not yet rendered.
    #[arg(long)]
    pub force: bool,
}

/// `posture publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Where to publish: s3://BUCKET, or s3://BUCKET/PREFIX for a folder of the bucket.
    #[arg(value_name = "S3_URL")]
    pub target: String,
    /// The rendered site (`posture render --out`).
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub site: std::path::PathBuf,
    /// The AWS profile to use (default: `AWS_PROFILE`, then the standard credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// The Region to ask first (default: the profile's, else us-east-1); the bucket's own
    /// Region is found either way.
    #[arg(long)]
    pub region: Option<String>,
    /// Sends every S3 call to this endpoint instead of AWS (the sandbox, an S3-compatible
    /// store), addressing buckets by path. `AWS_ENDPOINT_URL` in the environment does the same.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Publishes to the running sandbox's S3 (its endpoint and dummy credentials).
    #[arg(long, conflicts_with_all = ["profile", "endpoint_url"])]
    pub sandbox: bool,
    /// Lists what would be uploaded (and why) and deleted, and changes nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Deletes objects under the prefix that the site no longer has, except versioned pages and
    /// assets (older versions' pages link to them).
    #[arg(long)]
    pub delete: bool,
    /// With --delete, deletes versioned pages and assets the site no longer has too.
    #[arg(long, requires = "delete")]
    pub prune_versions: bool,
    /// The CloudFront distribution's domain in front of the bucket (d111111abcdef8.cloudfront.net),
    /// for the URL to open.
    #[arg(long, value_name = "DOMAIN")]
    pub cloudfront_domain: Option<String>,
    /// Uploads in flight at once, 1 to 64.
    #[arg(long, default_value_t = crate::publish::DEFAULT_CONCURRENCY, value_parser = concurrency_range(), allow_negative_numbers = true)]
    pub concurrency: usize,
    /// Files larger than this many bytes are uploaded in parts (tests lower it).
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = crate::publish::DEFAULT_MULTIPART_THRESHOLD, allow_negative_numbers = true)]
    pub multipart_threshold: u64,
}

/// The bounds of `publish --concurrency`.
fn concurrency_range() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64)
}

/// `posture serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The rendered site.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: std::path::PathBuf,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8000, allow_negative_numbers = true)]
    pub port: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seed_defaults_to_eight_members() {
        let cli = Cli::try_parse_from(["posture", "sandbox", "seed"]).unwrap();
        match cli.command {
            Command::Sandbox(SandboxCommand::Seed(args)) => assert_eq!(args.members, 8),
            other => panic!("parsed as {other:?}"),
        }
    }

    /// Every flag that takes a number, as `posture … FLAG -1` would give it.
    const NUMERIC_FLAGS: [&[&str]; 11] = [
        &["scan", "--concurrency"],
        &["scan", "--access-key-max-age-days"],
        &["scan", "--access-key-max-unused-days"],
        &["reevaluate", "x", "--access-key-max-age-days"],
        &["diff", "--limit"],
        &["sandbox", "start", "--port"],
        &["sandbox", "seed", "--members"],
        &["demo", "--port"],
        &["demo", "--members"],
        &["publish", "s3://b", "--concurrency"],
        &["serve", "--port"],
    ];

    #[test]
    fn a_negative_number_is_refused_as_the_flags_value() {
        for flag in NUMERIC_FLAGS {
            let args = [&["posture"], flag, &["-1"]].concat();
            let err = Cli::try_parse_from(&args).expect_err("-1 refused");
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{args:?}: {err}"
            );
            let name = flag.last().expect("a flag");
            let first = err.to_string();
            let first = first.lines().next().unwrap_or_default().to_owned();
            assert!(
                first.starts_with(&format!("error: invalid value '-1' for '{name}")),
                "{args:?}: {first}"
            );
        }
    }

    #[test]
    fn every_flag_that_takes_a_number_takes_a_negative_one_as_its_value() {
        // Without `allow_negative_numbers`, clap reads `--concurrency -1` as a flag `-1` and
        // answers "unexpected argument '-1'", naming no flag.
        fn walk(cmd: &clap::Command, path: &str, unset: &mut Vec<String>) {
            use std::any::TypeId;
            let numbers = [
                TypeId::of::<usize>(),
                TypeId::of::<u64>(),
                TypeId::of::<u32>(),
                TypeId::of::<u16>(),
                TypeId::of::<i64>(),
            ];
            for arg in cmd.get_arguments() {
                let id = arg.get_value_parser().type_id();
                if numbers.iter().any(|n| id == *n) && !arg.is_allow_negative_numbers_set() {
                    unset.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), unset);
            }
        }
        let mut unset = Vec::new();
        walk(&Cli::command(), "posture", &mut unset);
        assert!(unset.is_empty(), "{unset:?}");
    }

    #[test]
    fn rejects_members_the_seeder_does_not_accept() {
        for members in ["0", "7", "1001"] {
            let args = ["posture", "sandbox", "seed", "--members", members];
            assert!(Cli::try_parse_from(args).is_err(), "accepted {members}");
        }
    }
}
