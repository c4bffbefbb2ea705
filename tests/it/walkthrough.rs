//! The README's real-organization walk-through ("### Deploying the roles: a walk-through"), run as
//! a new user runs it: its `sh` block is read from `README.md` itself, so the README and this
//! test cannot drift apart, and bash runs it with the AWS CLI (installed by the test suite from
//! `sandbox/requirements-cli.txt`) and the `posture` binary against a sandbox organization of its
//! own. The CLI and posture reach the sandbox through the environment alone, as they would reach
//! AWS: `AWS_ENDPOINT_URL`, and config and credentials files whose default profile holds an
//! administrator's credentials; under enforced IAM.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aws_sdk_cloudformation::types::{OrganizationStatus, StackStatus};
use serde_json::Value;

use posture::aws::ClientFactory;
use posture::facts::Collected;
use posture::sandbox::{Sandbox, SandboxAdmin, SandboxGuard};

use crate::support::{policy_text, read_json, state_dir};

/// The heading of the walk-through in `README.md`; its first `sh` block is what runs.
const HEADING: &str = "### Deploying the roles: a walk-through";

/// The one line of the block the test changes: the placeholder account id, which a reader
/// replaces with their own management account's too. Nothing else of the block is touched.
const MGMT_PLACEHOLDER: &str = "MGMT=111122223333";

/// The first `sh` block after [`HEADING`] in `readme`.
fn walkthrough_block(readme: &str) -> String {
    let section = &readme[readme
        .find(HEADING)
        .unwrap_or_else(|| panic!("README.md has no {HEADING:?}"))..];
    let start = section
        .find("\n```sh\n")
        .expect("the walk-through has a sh block")
        + 7;
    let end = start + section[start..].find("\n```\n").expect("the sh block ends");
    section[start..=end].to_owned()
}

/// The block with the reader's one substitution made: `MGMT=` the sandbox's management account.
fn with_management_account(block: &str, management: &str) -> String {
    assert_eq!(
        block
            .lines()
            .filter(|l| l.starts_with(MGMT_PLACEHOLDER))
            .count(),
        1,
        "the walk-through sets {MGMT_PLACEHOLDER} once:\n{block}"
    );
    block
        .lines()
        .map(|line| match line.strip_prefix(MGMT_PLACEHOLDER) {
            Some(rest) => format!("MGMT={management}{rest}\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

/// Copies the folder `from` into `to`, files only (the templates of `deploy/`).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

#[test]
fn block_extraction_takes_the_first_sh_block_under_the_heading() {
    let readme = format!(
        "```sh\nnot this\n```\n{HEADING}\n\ntext\n\n```sh\n{MGMT_PLACEHOLDER}  # yours\necho $MGMT\n```\n\n```sh\nnor this\n```\n"
    );
    let block = walkthrough_block(&readme);
    assert_eq!(block, format!("{MGMT_PLACEHOLDER}  # yours\necho $MGMT\n"));
    assert_eq!(
        with_management_account(&block, "123456789012"),
        "MGMT=123456789012  # yours\necho $MGMT\n"
    );
}

#[tokio::test]
async fn the_readme_walkthrough_deploys_the_roles_and_scans_every_member_as_the_auditor() {
    let sandbox = Sandbox::locate().with_state_dir(state_dir("it-walkthrough"));
    let cli_bin = sandbox.ensure_cli_venv().expect("install the AWS CLI");
    let guard = SandboxGuard::start(sandbox).expect("start the sandbox");
    let description: Value = serde_json::from_slice(
        &std::fs::read(guard.sandbox().seed(8).expect("seed")).expect("read"),
    )
    .expect("description");
    let endpoint = guard.endpoint().to_owned();
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management")
        .to_owned();

    // The reader's clone, as far as the block reads it: `deploy/`. A folder of its own, so that
    // the scan's default store (`./snapshots`) is this test's, not the checkout's.
    let work = state_dir("walkthrough-work");
    let _ = std::fs::remove_dir_all(&work);
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&manifest.join("deploy"), &work.join("deploy"));
    // The reader's AWS configuration: the default profile holds an administrator's credentials
    // in the management account, with a Region; `aws configure set` adds to it. An IAM user with
    // every action allowed (AdministratorAccess's statement), not the root user: the walk-through
    // runs under enforced IAM, and AWS lets no root user assume the scanner role.
    let factory = ClientFactory::for_sandbox(&endpoint).await;
    let iam = factory.iam(factory.base());
    iam.create_user()
        .user_name("walkthrough-admin")
        .send()
        .await
        .expect("the administrator");
    iam.put_user_policy()
        .user_name("walkthrough-admin")
        .policy_name("AdministratorAccess")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .expect("the administrator's policy");
    let key = iam
        .create_access_key()
        .user_name("walkthrough-admin")
        .send()
        .await
        .expect("a key");
    let key = key.access_key().expect("key");
    let home = work.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let config_file = home.join("config");
    let credentials_file = home.join("credentials");
    std::fs::write(&config_file, "[default]\nregion = us-east-1\n").expect("config");
    std::fs::write(
        &credentials_file,
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            key.access_key_id(),
            key.secret_access_key()
        ),
    )
    .expect("credentials");

    let readme = std::fs::read_to_string(manifest.join("README.md")).expect("README.md");
    let script = with_management_account(&walkthrough_block(&readme), &management);
    let posture_bin = Path::new(env!("CARGO_BIN_EXE_posture"))
        .parent()
        .expect("the binary's folder");
    let path = std::env::join_paths([cli_bin, posture_bin.to_owned()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    // `-e`: a step that fails stops the walk-through there, as a reader would stop; `-x` traces
    // each command to stderr, for the failure message and to read the external id the scan got.
    let admin = SandboxAdmin::new(&endpoint);
    admin.enforce_iam(true).expect("enforce IAM");
    let output = Command::new("bash")
        .args(["-e", "-u", "-o", "pipefail", "-x", "-c", &script])
        .current_dir(&work)
        .env_clear()
        .env("PATH", path)
        .env("HOME", &home)
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_CONFIG_FILE", &config_file)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials_file)
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    // The checks below read the members as the sandbox's root user does, through their
    // OrganizationAccountAccessRole.
    admin.enforce_iam(false).expect("stop enforcing");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let context = format!("the walk-through:\n{script}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    // The last command is the scan: 0 when every verdict could be read, 3 when some are ERROR.
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "exit {:?}; {context}",
        output.status.code()
    );
    let scan_line = stderr
        .lines()
        .find(|l| l.starts_with("+ posture scan "))
        .unwrap_or_else(|| panic!("the scan never ran; {context}"));
    let external_id = scan_line
        .split_once("--external-id ")
        .map(|(_, id)| id.trim().trim_matches('\''))
        .expect("the scan names an external id");
    assert_eq!(external_id.len(), 32, "{scan_line}");

    let cloudformation = aws_sdk_cloudformation::Client::new(factory.base());

    // Step 0: StackSets' trusted access.
    let access = cloudformation
        .describe_organizations_access()
        .send()
        .await
        .expect("describe organizations access");
    assert_eq!(access.status(), Some(&OrganizationStatus::Enabled));

    // Step 1: the scanner stack, and its role in the management account.
    let stacks = cloudformation
        .describe_stacks()
        .stack_name("posture-scanner")
        .send()
        .await
        .expect("the scanner stack");
    assert_eq!(
        stacks.stacks()[0].stack_status(),
        Some(&StackStatus::CreateComplete),
        "{context}"
    );
    let management_iam = factory.iam(factory.base());
    let scanner = management_iam
        .get_role()
        .role_name("PostureScanner")
        .send()
        .await
        .expect("PostureScanner in the management account");
    let scanner_trust: Value = serde_json::from_str(&policy_text(
        scanner
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .expect("trust"),
    ))
    .expect("trust json");
    assert_eq!(
        scanner_trust["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{management}:root")
    );

    // Step 2: the auditor role, with the shipped policy and a trust in the scanner with the
    // walk-through's external id, in every ACTIVE member; never in the management account.
    assert!(
        stdout.lines().any(|l| l == "deployment SUCCEEDED"),
        "{context}"
    );
    assert!(
        management_iam
            .get_role()
            .role_name("PostureAuditor")
            .send()
            .await
            .is_err(),
        "a service-managed StackSet deployed to the management account"
    );
    let auditor_policy = read_json("policies", "posture-auditor-role.json");
    let mut members = Vec::new();
    for account in description["accounts"].as_array().expect("accounts") {
        let id = account["id"].as_str().expect("id");
        if id == management || account["status"] != "ACTIVE" {
            continue;
        }
        let iam = factory.iam(
            &factory
                .member_config(id, "OrganizationAccountAccessRole", None, "posture-it-walk")
                .await,
        );
        let role = iam
            .get_role()
            .role_name("PostureAuditor")
            .send()
            .await
            .unwrap_or_else(|err| panic!("{id} has no PostureAuditor: {err:?}"));
        let trust: Value = serde_json::from_str(&policy_text(
            role.role()
                .and_then(|r| r.assume_role_policy_document())
                .expect("trust"),
        ))
        .expect("trust json");
        assert_eq!(
            trust["Statement"][0]["Principal"]["AWS"],
            format!("arn:aws:iam::{management}:role/PostureScanner"),
            "{id}"
        );
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], external_id,
            "{id}"
        );
        let inline = iam
            .get_role_policy()
            .role_name("PostureAuditor")
            .policy_name("posture-auditor")
            .send()
            .await
            .expect("the inline policy");
        let policy: Value =
            serde_json::from_str(&policy_text(inline.policy_document())).expect("json");
        assert_eq!(policy, auditor_policy, "{id}");
        members.push(id.to_owned());
    }
    // Eight members seeded, one of them SUSPENDED.
    assert_eq!(members.len(), 7, "{members:?}");

    // Step 3: the scan ran as PostureScanner, reached through the profile's role_arn and
    // source_profile, and read every member through PostureAuditor (IAM is enforced, so the
    // deployed roles' trust policies allowed it).
    let store = posture::snapshot::Store::new(work.join("snapshots"));
    let written = store.list().expect("list the walk-through's snapshots");
    assert_eq!(written.len(), 1, "{context}");
    let snapshot = posture::snapshot::read_snapshot(&written[0].path).expect("read");
    let mut read_as_auditor = Vec::new();
    let mut read_as_scanner = false;
    for account in &snapshot.facts.accounts {
        let id = &account.account_id;
        let principal = match &account.access {
            Collected::Ok(access) => &access.principal_arn,
            Collected::Error(err) => panic!("{id}: {err:?}"),
        };
        let role = if *id == management {
            read_as_scanner = true;
            "PostureScanner"
        } else {
            read_as_auditor.push(id.clone());
            "PostureAuditor"
        };
        assert!(
            principal.starts_with(&format!("arn:aws:sts::{id}:assumed-role/{role}/")),
            "{id} was read as {principal}"
        );
    }
    assert!(read_as_scanner, "the management account was not read");
    read_as_auditor.sort();
    members.sort();
    assert_eq!(read_as_auditor, members);
}
