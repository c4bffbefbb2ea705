//! What the integration tests share: one seeded sandbox for the whole test binary, the clients
//! posture itself would build for it, and a lock for tests that change the sandbox's global state.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use posture::aws::{AwsTarget, ClientFactory};
use posture::sandbox::{Sandbox, SandboxAdmin, SandboxGuard};
use serde_json::Value;
use tokio::sync::{Mutex, MutexGuard};

/// Member accounts in the test organization: more than one `ListAccounts` page (20 on AWS).
pub(crate) const MEMBERS: u32 = 24;

/// The role the seeder's organization has in every member account.
pub(crate) const ROLE: &str = "OrganizationAccountAccessRole";

/// How the buckets tests make in the seeded sandbox begin (publish's, the request record's): the
/// seeder's description does not list them, so a comparison of an account's buckets with it
/// leaves them out.
pub(crate) const TEST_BUCKET_PREFIX: &str = "posture-it-";

/// The seeded sandbox every test of this binary uses, and what the seeder says it built.
pub(crate) struct Seeded {
    guard: SandboxGuard,
    /// The seeder's description of the organization (`sandbox/seed.py`).
    pub(crate) description: Value,
}

impl Seeded {
    /// The sandbox's endpoint.
    pub(crate) fn endpoint(&self) -> &str {
        self.guard.endpoint()
    }

    /// The admin endpoint of the sandbox (faults, request record, root users).
    pub(crate) fn admin(&self) -> SandboxAdmin {
        SandboxAdmin::new(self.endpoint())
    }

    /// The description's entry for the account named `name`.
    pub(crate) fn account(&self, name: &str) -> &Value {
        self.accounts()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no account named {name} in the description"))
    }

    /// Every account of the description, the management account first.
    pub(crate) fn accounts(&self) -> &Vec<Value> {
        self.description["accounts"].as_array().expect("accounts")
    }

    /// The id of the account named `name`.
    pub(crate) fn account_id(&self, name: &str) -> String {
        account_id_in(&self.description, name)
    }

    /// The management account's id.
    pub(crate) fn management_account_id(&self) -> String {
        self.description["organization"]["management_account_id"]
            .as_str()
            .expect("management_account_id")
            .to_owned()
    }

    /// The client factory posture would build for this sandbox, with retries fast enough for tests.
    pub(crate) async fn factory(&self) -> ClientFactory {
        ClientFactory::load(AwsTarget::sandbox(self.endpoint()).with_retry(fast_retry(4))).await
    }

    /// The config of the member account `account_id`, reached by assuming the seeded role.
    pub(crate) async fn member(&self, factory: &ClientFactory, account_id: &str) -> SdkConfig {
        factory
            .member_config(account_id, ROLE, None, "posture-it")
            .await
    }
}

/// Standard retries with millisecond backoff, so a retried call does not slow the tests down.
pub(crate) fn fast_retry(attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
}

/// A state directory of this test run's own under cargo's target directory.
pub(crate) fn state_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The seeded sandbox: started and seeded by the first test that asks, then shared. It runs with
/// `--exit-with-parent`, so it stops when this test binary ends, however it ends.
pub(crate) fn seeded() -> &'static Seeded {
    static SEEDED: OnceLock<Seeded> = OnceLock::new();
    SEEDED.get_or_init(|| {
        let sandbox = Sandbox::locate().with_state_dir(state_dir("it-sandbox"));
        let guard = SandboxGuard::start(sandbox).expect("start the sandbox");
        let path = guard.sandbox().seed(MEMBERS).expect("seed the sandbox");
        let description = serde_json::from_slice(&std::fs::read(&path).expect("read description"))
            .expect("parse description");
        Seeded { guard, description }
    })
}

/// Held by tests that inject faults, and by tests that reach every account (which those faults
/// would disturb). An async lock: each test has its own runtime, and holds it across awaits.
pub(crate) async fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::const_new(());
    LOCK.lock().await
}

/// Removes every fault rule when dropped, so a failing test does not leave rules for the next.
pub(crate) struct ClearFaults<'a>(pub(crate) &'a SandboxAdmin);

impl ClearFaults<'_> {
    /// Removes the fault rules now, and fails the test if the sandbox refuses.
    pub(crate) fn clear(self) {
        let admin = self.0;
        std::mem::forget(self);
        admin.clear_faults().expect("clear the fault rules");
    }
}

impl Drop for ClearFaults<'_> {
    fn drop(&mut self) {
        let _ = self.0.clear_faults();
    }
}

/// The id of the account named `name` in a seeder's description (`sandbox/seed.py`).
pub(crate) fn account_id_in(description: &Value, name: &str) -> String {
    description["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no account named {name} in the description"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Runs the `posture` binary's `scan` against the sandbox at `endpoint`, with the sandbox's
/// credentials through the standard chain and the snapshot going to `store`.
pub(crate) fn posture_scan(
    endpoint: &str,
    store: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    posture_scan_command(endpoint, store, args)
        .output()
        .expect("run posture scan")
}

/// The command [`posture_scan`] runs, not yet run (to spawn it, or add to its environment).
pub(crate) fn posture_scan_command(
    endpoint: &str,
    store: &std::path::Path,
    args: &[&str],
) -> std::process::Command {
    let mut command = posture_scan_command_with_summary(endpoint, store, args);
    command.arg("--quiet");
    command
}

/// [`posture_scan_command`] without `--quiet`: the scan's summary (who ran it, the verdicts per
/// check, an `error:` line per cause) on standard output.
pub(crate) fn posture_scan_command_with_summary(
    endpoint: &str,
    store: &std::path::Path,
    args: &[&str],
) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_posture"));
    command
        .args(["scan", "--endpoint-url", endpoint, "--snapshots-dir"])
        .arg(store)
        .args(args)
        .envs(posture::sandbox::CREDENTIALS_ENV)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(std::process::Stdio::null());
    command
}

/// Waits for `child` at most `limit`, and fails the test naming `what` if it still runs then:
/// for commands that must not hang (a fifo in the store, say).
pub(crate) fn wait_within(
    mut child: std::process::Child,
    limit: Duration,
    what: &str,
) -> std::process::Output {
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} still runs after {} s: it hangs", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// A folder of a test's own, unmounted when dropped if it was mounted.
pub(crate) struct Mounted {
    pub(crate) path: PathBuf,
    mounted: bool,
}

impl Mounted {
    /// A plain folder, nothing to unmount.
    pub(crate) fn unmounted(path: PathBuf) -> Self {
        Self {
            path,
            mounted: false,
        }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount")
                .arg(&self.path)
                .status();
        }
    }
}

/// A tmpfs mounted at `path` with `options` (`size=16k`: a full disk on demand), for root only;
/// `None` where it cannot be mounted (not root, or no right to mount).
pub(crate) fn tmpfs(path: &std::path::Path, options: &str) -> Option<Mounted> {
    std::fs::create_dir_all(path).ok()?;
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(path)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| Mounted {
        path: path.to_owned(),
        mounted: true,
    })
}

/// The verdicts of one scan: (check, account, region, resource) → status.
pub(crate) type Verdicts =
    std::collections::BTreeMap<(String, String, Option<String>, String), String>;

/// The verdicts of a snapshot (its JSON).
pub(crate) fn verdicts(snapshot: &Value) -> Verdicts {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                (
                    f["check"].as_str().expect("check").to_owned(),
                    f["account"].as_str().expect("account").to_owned(),
                    f["region"].as_str().map(str::to_owned),
                    f["resource"].as_str().expect("resource").to_owned(),
                ),
                f["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

/// A string of the seeder's description (or of any JSON answer).
pub(crate) fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// A JSON file of this checkout, `<folder>/<file>` (`deploy/`, `policies/`).
pub(crate) fn read_json(folder: &str, file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(folder)
        .join(file);
    serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json")
}

/// A policy document as IAM answers it: URL-encoded (RFC 3986), or as it was when the answer is
/// already JSON.
pub(crate) fn policy_text(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}
