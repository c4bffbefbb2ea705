//! The shipped roles under enforced IAM (`sandbox/README.md`, "Enforced IAM"): deployed from
//! `deploy/` through CloudFormation into the seeded organization, and scanned as the scanning
//! role. The policies are sufficient (every verdict equals the unenforced scan's), necessary (each
//! action removed turns exactly the checks that read it into ERROR naming it, nothing into PASS),
//! and a role that does not trust the scanner is ERROR for its account alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudformation::types::{
    AutoDeployment, Capability, DeploymentTargets, Parameter, PermissionModels, StackStatus,
};
use serde_json::{Value, json};

use posture::aws::ClientFactory;
use posture::sandbox::{Sandbox, SandboxAdmin, SandboxGuard};

use crate::support::{Verdicts, posture_scan_command, state_dir, verdicts};

const EXTERNAL_ID: &str = "posture-it-enforced";
const REGIONS: &str = "us-east-1,eu-west-1";
/// The person (here an IAM user; on AWS, an SSO role) allowed to become the scanner.
const OPERATOR: &str = "posture-operator";

/// The organization under test: its sandbox, its description, and the credentials of the
/// scanning role's session.
struct Enforced {
    guard: SandboxGuard,
    factory: ClientFactory,
    management: String,
    /// The ACTIVE member accounts, each with a config as the management account's administrator
    /// (the seeded `OrganizationAccountAccessRole`), to change their auditor role between scans.
    members: Vec<(String, SdkConfig)>,
    scanner: Credentials,
    description: Value,
}

impl Enforced {
    fn admin(&self) -> SandboxAdmin {
        SandboxAdmin::new(self.guard.endpoint())
    }

    fn account_id(&self, name: &str) -> String {
        crate::support::account_id_in(&self.description, name)
    }

    /// Runs `posture scan` as the scanner into a store of its own; returns the exit code and
    /// the snapshot.
    fn scan(&self, name: &str, args: &[&str]) -> (i32, Value) {
        let (code, snapshot, stderr) = self.run(name, args, true);
        assert!(
            code == 0 || code == 3,
            "{name}: posture scan exited {code}: {stderr}"
        );
        (code, snapshot.expect("a snapshot"))
    }

    /// Runs `posture scan` as the scanner into a store of its own (in [`REGIONS`] if `regions`,
    /// else in the Regions enabled for the scanner's account); returns the exit code, the
    /// snapshot if one was written, and stderr.
    fn run(&self, name: &str, args: &[&str], regions: bool) -> (i32, Option<Value>, String) {
        let store = state_dir(&format!("enforced-{name}"));
        let _ = std::fs::remove_dir_all(&store);
        let mut all = vec!["--role-name", "PostureAuditor"];
        if regions {
            all.extend(["--regions", REGIONS]);
        }
        if !args.contains(&"--external-id") {
            all.extend(["--external-id", EXTERNAL_ID]);
        }
        if !args.contains(&"--fresh-after") {
            // A time no report is newer than: the IAM users are read live, so the five live
            // reads are exercised too; one scan below reads the report alone.
            all.extend(["--fresh-after", "2999-01-01T00:00:00Z"]);
        }
        all.extend(args);
        let output = posture_scan_command(self.guard.endpoint(), &store, &all)
            .env("AWS_ACCESS_KEY_ID", self.scanner.access_key_id())
            .env("AWS_SECRET_ACCESS_KEY", self.scanner.secret_access_key())
            .env(
                "AWS_SESSION_TOKEN",
                self.scanner.session_token().expect("a session"),
            )
            .output()
            .expect("run posture scan");
        let code = output.status.code().expect("exit code");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let written = posture::snapshot::Store::new(&store)
            .list()
            .unwrap_or_default();
        let snapshot = written.first().map(|newest| {
            let bytes = posture::snapshot::read_snapshot_bytes(&newest.path).expect("snapshot");
            serde_json::from_slice(&bytes).expect("json")
        });
        (code, snapshot, stderr)
    }

    /// Gives the auditor role in every member, and the scanner's own reads in the management
    /// account, the shipped policy less `removed`. Enforcement is off meanwhile: the sandbox's
    /// root user reaches the members through `OrganizationAccountAccessRole`, and AWS lets no root
    /// user assume a role.
    async fn grant_all_but(&self, removed: Option<&str>) {
        let admin = self.admin();
        admin.enforce_iam(false).expect("enforcement off");
        let auditor = without(&read_policy("posture-auditor-role.json"), removed);
        for (id, config) in &self.members {
            self.factory
                .iam(config)
                .put_role_policy()
                .role_name("PostureAuditor")
                .policy_name("posture-auditor")
                .policy_document(auditor.to_string())
                .send()
                .await
                .unwrap_or_else(|err| panic!("{id}: {err:?}"));
        }
        let scanner = without(&scanner_policy(), removed);
        self.factory
            .iam(self.factory.base())
            .put_role_policy()
            .role_name("PostureScanner")
            .policy_name("posture-scanner")
            .policy_document(scanner.to_string())
            .send()
            .await
            .expect("the scanner's policy");
        admin.enforce_iam(true).expect("enforcement on");
    }

    /// Replaces the trust policy of `account`'s auditor role (enforcement off meanwhile).
    async fn trust(&self, account: &str, policy: &Value) {
        let admin = self.admin();
        admin.enforce_iam(false).expect("enforcement off");
        let (_, config) = self
            .members
            .iter()
            .find(|(id, _)| id == account)
            .expect("a member");
        self.factory
            .iam(config)
            .update_assume_role_policy()
            .role_name("PostureAuditor")
            .policy_document(policy.to_string())
            .send()
            .await
            .expect("update the trust policy");
        admin.enforce_iam(true).expect("enforcement on");
    }
}

fn read_policy(file: &str) -> Value {
    crate::support::read_json("policies", file)
}

/// `posture-org-principal.json` as the scanner template deploys it (for the default role names).
fn scanner_policy() -> Value {
    read_policy("posture-org-principal.json")
}

/// `policy` without `action` in any statement (a statement left with none is dropped).
fn without(policy: &Value, action: Option<&str>) -> Value {
    let Some(action) = action else {
        return policy.clone();
    };
    let statements: Vec<Value> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|statement| {
            let kept: Vec<String> = actions_of(statement)
                .into_iter()
                .filter(|a| a != action)
                .collect();
            if kept.is_empty() {
                return None;
            }
            let mut statement = statement.clone();
            statement["Action"] = json!(kept);
            Some(statement)
        })
        .collect();
    json!({"Version": policy["Version"], "Statement": statements})
}

/// Every action of the auditor role's policy, in its order.
fn auditor_actions() -> Vec<String> {
    policy_actions(&read_policy("posture-auditor-role.json"))
}

/// Every action of `policy`, in its order.
fn policy_actions(policy: &Value) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(actions_of)
        .collect()
}

/// A statement's `Action`, one or a list.
fn actions_of(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|a| a.as_str().expect("action").to_owned())
            .collect(),
        other => panic!("an Action of {other}"),
    }
}

/// The README walk-through's steps 1 and 2 through CloudFormation (the SDK's calls the AWS CLI
/// makes there), as the sandbox's management account: the scanning role (`deploy/posture-scanner-role.json`, trusting `trusted`), then the
/// auditor role in every member account by a service-managed StackSet deployed to the root, with
/// `external_id`.
pub(crate) async fn deploy_roles(
    factory: &ClientFactory,
    description: &Value,
    trusted: &str,
    external_id: &str,
) {
    let cloudformation = aws_sdk_cloudformation::Client::new(factory.base());
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management")
        .to_owned();
    let root_id = description["organization"]["root_id"]
        .as_str()
        .expect("root")
        .to_owned();
    let template = |file: &str| {
        std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("deploy")
                .join(file),
        )
        .expect("template")
    };
    let parameter = |key: &str, value: &str| {
        Parameter::builder()
            .parameter_key(key)
            .parameter_value(value)
            .build()
    };

    // The README's walk-through: the scanning role first (the auditor roles trust it by name)...
    let scanner = cloudformation
        .create_stack()
        .stack_name("posture-scanner")
        .template_body(template("posture-scanner-role.json"))
        .parameters(parameter("TrustedPrincipalArn", trusted))
        .capabilities(Capability::CapabilityNamedIam)
        .send()
        .await
        .expect("create the scanner stack");
    let stack = cloudformation
        .describe_stacks()
        .stack_name(scanner.stack_id().expect("stack id"))
        .send()
        .await
        .expect("describe");
    assert_eq!(
        stack.stacks()[0].stack_status(),
        Some(&StackStatus::CreateComplete)
    );
    // ...then the auditor role everywhere under the root, and in accounts that join later.
    cloudformation
        .create_stack_set()
        .stack_set_name("posture-auditor")
        .template_body(template("posture-auditor-role.json"))
        .permission_model(PermissionModels::ServiceManaged)
        .auto_deployment(
            AutoDeployment::builder()
                .enabled(true)
                .retain_stacks_on_account_removal(false)
                .build(),
        )
        .parameters(parameter("ScanningAccountId", &management))
        .parameters(parameter("ExternalId", external_id))
        .capabilities(Capability::CapabilityNamedIam)
        .send()
        .await
        .expect("create the stack set");
    cloudformation
        .create_stack_instances()
        .stack_set_name("posture-auditor")
        .deployment_targets(
            DeploymentTargets::builder()
                .organizational_unit_ids(&root_id)
                .build(),
        )
        .regions("us-east-1")
        .send()
        .await
        .expect("deploy to the organization");
}

/// Starts an organization of its own, deploys the roles as the README does (the scanner trusting
/// the operator), switches enforcement on, and becomes the scanner as the operator.
async fn enforced_organization() -> Enforced {
    let guard = SandboxGuard::start(Sandbox::locate().with_state_dir(state_dir("it-enforced")))
        .expect("start the sandbox");
    let description: Value = serde_json::from_slice(
        &std::fs::read(guard.sandbox().seed(8).expect("seed")).expect("read"),
    )
    .expect("description");
    let factory = ClientFactory::for_sandbox(guard.endpoint()).await;
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management")
        .to_owned();
    let iam = factory.iam(factory.base());
    iam.create_user()
        .user_name(OPERATOR)
        .send()
        .await
        .expect("the operator");
    iam.put_user_policy()
        .user_name(OPERATOR)
        .policy_name("become-the-scanner")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": format!("arn:aws:iam::{management}:role/PostureScanner")}]})
            .to_string(),
        )
        .send()
        .await
        .expect("the operator's policy");
    let key = iam
        .create_access_key()
        .user_name(OPERATOR)
        .send()
        .await
        .expect("a key");
    let key = key.access_key().expect("key");
    deploy_roles(
        &factory,
        &description,
        &format!("arn:aws:iam::{management}:user/{OPERATOR}"),
        EXTERNAL_ID,
    )
    .await;
    let mut members = Vec::new();
    for account in description["accounts"].as_array().expect("accounts") {
        let id = account["id"].as_str().expect("id");
        if id != management && account["status"] == "ACTIVE" {
            let config = factory
                .member_config(
                    id,
                    "OrganizationAccountAccessRole",
                    None,
                    "posture-it-admin",
                )
                .await;
            members.push((id.to_owned(), config));
        }
    }
    let admin = SandboxAdmin::new(guard.endpoint());
    admin.enforce_iam(true).expect("enforcement on");

    // The operator becomes the scanner, as `aws configure set ... role_arn` would.
    let operator = factory
        .base()
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            key.access_key_id(),
            key.secret_access_key(),
            None,
            None,
            "operator",
        )))
        .build();
    let session = factory
        .sts(&operator)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{management}:role/PostureScanner"))
        .role_session_name("posture-it")
        .send()
        .await
        .expect("the operator becomes the scanner");
    let session = session.credentials().expect("credentials");
    let scanner = Credentials::new(
        session.access_key_id(),
        session.secret_access_key(),
        Some(session.session_token().to_owned()),
        None,
        "scanner",
    );
    Enforced {
        guard,
        factory,
        management,
        members,
        scanner,
        description,
    }
}

/// The statuses of each cell (check, account, Region) of a scan.
fn cells(verdicts: &Verdicts) -> BTreeMap<(String, String, Option<String>), Vec<String>> {
    let mut cells: BTreeMap<_, Vec<String>> = BTreeMap::new();
    for ((check, account, region, _), status) in verdicts {
        cells
            .entry((check.clone(), account.clone(), region.clone()))
            .or_default()
            .push(status.clone());
    }
    cells
}

/// The reasons of a snapshot's ERROR findings, by cell.
fn error_reasons(snapshot: &Value) -> BTreeMap<(String, String, Option<String>), Vec<String>> {
    let mut reasons: BTreeMap<_, Vec<String>> = BTreeMap::new();
    for f in snapshot["findings"].as_array().expect("findings") {
        if f["status"] == "ERROR" {
            reasons
                .entry((
                    f["check"].as_str().expect("check").to_owned(),
                    f["account"].as_str().expect("account").to_owned(),
                    f["region"].as_str().map(str::to_owned),
                ))
                .or_default()
                .push(f["reason"].as_str().expect("reason").to_owned());
        }
    }
    reasons
}

/// The checks a scan turned into ERROR against `baseline`; fails the test where a finding changed
/// into anything but ERROR, or an ERROR does not name `action`. A finding whose resource is gone
/// (what could not be listed cannot be named) counts when its cell is ERROR.
fn turned_to_error(baseline: &Verdicts, snapshot: &Value, action: &str) -> BTreeSet<String> {
    let after = verdicts(snapshot);
    let after_cells = cells(&after);
    let reasons = error_reasons(snapshot);
    let mut turned = BTreeSet::new();
    let keys: BTreeSet<_> = baseline.keys().chain(after.keys()).collect();
    for key in keys {
        let (was, now) = (baseline.get(key), after.get(key));
        if was == now {
            continue;
        }
        let cell = (key.0.clone(), key.1.clone(), key.2.clone());
        match now {
            Some(now) => assert_eq!(now, "ERROR", "without {action}: {key:?} was {was:?}"),
            None => assert!(
                after_cells[&cell].iter().any(|s| s == "ERROR"),
                "without {action}: {key:?} disappeared, and its cell is {:?}",
                after_cells[&cell]
            ),
        }
        for reason in &reasons[&cell] {
            assert!(
                reason.contains(action),
                "without {action}: {cell:?} is ERROR without naming it: {reason}"
            );
        }
        turned.insert(key.0.clone());
    }
    turned
}

#[tokio::test]
async fn the_shipped_roles_deployed_by_cloudformation_are_sufficient_and_necessary_under_enforced_iam()
 {
    let org = enforced_organization().await;

    // Enforcement is on: the sandbox's root credentials may not assume a role, as on AWS.
    let refused = org
        .factory
        .sts(org.factory.base())
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{}:role/PostureScanner",
            org.management
        ))
        .role_session_name("root")
        .send()
        .await
        .expect_err("root assumed a role");
    let refused = format!("{refused:?}");
    assert!(
        refused.contains("Roles may not be assumed by root accounts"),
        "{refused}"
    );

    // Sufficient: the scan as the scanner judges everything as the unenforced scan does, with
    // the users read live and from the credential report alike.
    org.admin().enforce_iam(false).expect("off");
    let (_, unenforced) = org.scan("unenforced", &[]);
    let (_, unenforced_report) = org.scan("unenforced-report", &["--fresh-after", "any"]);
    org.admin().enforce_iam(true).expect("on");
    let (code, enforced) = org.scan("enforced", &[]);
    let (_, enforced_report) = org.scan("enforced-report", &["--fresh-after", "any"]);
    let baseline = verdicts(&unenforced);
    assert_eq!(verdicts(&enforced), baseline);
    assert_eq!(verdicts(&enforced_report), verdicts(&unenforced_report));
    assert!(
        !verdicts(&enforced).values().any(|s| s == "ERROR"),
        "exit {code}: an enforced scan with the shipped policies has ERROR: {:?}",
        error_reasons(&enforced)
    );
    let accounts = enforced["accounts"].as_array().expect("accounts");
    assert_eq!(
        accounts
            .iter()
            .filter(|a| a["outcome"] != "skipped")
            .count(),
        org.members.len() + 1
    );

    // Necessary: each action removed turns exactly the checks that read it into ERROR.
    let mut table = BTreeMap::new();
    for action in auditor_actions() {
        org.grant_all_but(Some(&action)).await;
        let (_, snapshot) = org.scan(&format!("without-{}", action.replace(':', "-")), &[]);
        table.insert(
            action.clone(),
            turned_to_error(&baseline, &snapshot, &action),
        );
    }
    // The scanning role's own actions: without one, a scan either cannot run (exit 2, its one
    // line naming the action) or is ERROR where that read feeds.
    let auditor: BTreeSet<String> = auditor_actions().into_iter().collect();
    let mut refused = BTreeMap::new();
    for action in policy_actions(&scanner_policy()) {
        if auditor.contains(&action) {
            continue;
        }
        org.grant_all_but(Some(&action)).await;
        let name = format!("scanner-without-{}", action.replace(':', "-"));
        // The Regions are asked of Account Management only when none are named.
        match org.run(&name, &[], action != "account:ListRegions") {
            (2, None, stderr) => {
                refused.insert(action, stderr);
            }
            (0 | 3, Some(snapshot), _) => {
                table.insert(
                    action.clone(),
                    turned_to_error(&baseline, &snapshot, &action),
                );
            }
            (code, _, stderr) => panic!("without {action}: exit {code}: {stderr}"),
        }
    }
    org.grant_all_but(None).await;
    assert_eq!(
        refused.keys().map(String::as_str).collect::<Vec<_>>(),
        CANNOT_RUN_WITHOUT
    );
    for (action, stderr) in &refused {
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("posture: ") && stderr.contains(action.as_str()),
            "{stderr}"
        );
    }
    let table_text: String = table
        .iter()
        .map(|(action, checks)| {
            let checks: Vec<&str> = checks.iter().map(String::as_str).collect();
            format!("| `{action}` | {} |\n", checks.join(", "))
        })
        .collect();
    for (action, checks) in &table {
        assert!(
            !checks.is_empty(),
            "{action} is needed by no check: {table_text}"
        );
    }
    let mut expected: BTreeMap<String, BTreeSet<String>> = NEEDED_BY
        .iter()
        .map(|(action, checks)| {
            (
                (*action).to_owned(),
                checks.iter().map(|c| (*c).to_owned()).collect(),
            )
        })
        .collect();
    let through_the_role = posture::evaluate::catalog()
        .iter()
        .map(|c| c.id.to_string())
        .filter(|id| !MANAGEMENT_ONLY.contains(&id.as_str()))
        .collect();
    expected.insert("sts:AssumeRole".to_owned(), through_the_role);
    assert_eq!(table, expected, "\n{table_text}");

    // A wrong external id: every member is ERROR with AssumeRole's error; the scanner's own
    // account is read as before.
    let (code, wrong) = org.scan("wrong-external-id", &["--external-id", "not-the-one"]);
    assert_eq!(code, 3);
    assert_unreachable_alone(
        &baseline,
        &wrong,
        &org.members.iter().map(|(id, _)| id.as_str()).collect(),
    );

    // One role trusts another principal, another wants another external id: those two accounts
    // are ERROR, every other account completes.
    // Two workload accounts, which hold nothing another account's verdict needs.
    let (other_principal, other_id) = (
        &org.account_id("acme-web-prod"),
        &org.account_id("acme-data-dev"),
    );
    let principal = format!("arn:aws:iam::{}:role/SomeoneElse", org.management);
    org.trust(
        other_principal,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}),
    )
    .await;
    org.trust(
        other_id,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{}:role/PostureScanner", org.management)},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "another-id"}}}]}),
    )
    .await;
    let (code, mistrusted) = org.scan("mistrusted", &[]);
    assert_eq!(code, 3);
    assert_unreachable_alone(
        &baseline,
        &mistrusted,
        &[other_principal.as_str(), other_id.as_str()].into(),
    );
}

/// `snapshot` equals `baseline` but for the accounts `unreachable`, whose role could not be
/// assumed (AWS's `AccessDenied` for `sts:AssumeRole`) and whose findings are all ERROR.
fn assert_unreachable_alone(baseline: &Verdicts, snapshot: &Value, unreachable: &BTreeSet<&str>) {
    for record in snapshot["accounts"].as_array().expect("accounts") {
        let id = record["id"].as_str().expect("id");
        if unreachable.contains(id) {
            assert_eq!(record["outcome"], "unreachable", "{id}");
            assert_eq!(record["errors"][0]["code"], "AccessDenied", "{id}");
            assert!(
                record["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("sts:AssumeRole")),
                "{id}: {record}"
            );
        }
    }
    let verdicts = verdicts(snapshot);
    for (key, status) in &verdicts {
        if unreachable.contains(key.1.as_str()) {
            assert_eq!(status, "ERROR", "{key:?}");
        }
    }
    let keep = |v: &Verdicts| -> Verdicts {
        v.iter()
            .filter(|(k, _)| !unreachable.contains(k.1.as_str()))
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect()
    };
    // Every other account is judged as before, but where what it needs is held by an
    // unreachable account (the organization's analyzers, its aggregator): ERROR naming it.
    let (now, was) = (keep(&verdicts), keep(baseline));
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        was.keys().collect::<Vec<_>>()
    );
    let reasons = error_reasons(snapshot);
    for (key, status) in &now {
        if was[key] == *status {
            continue;
        }
        assert_eq!(status, "ERROR", "{key:?} was {}", was[key]);
        let cell = (key.0.clone(), key.1.clone(), key.2.clone());
        assert!(
            reasons[&cell]
                .iter()
                .all(|r| unreachable.iter().any(|id| r.contains(id))),
            "{key:?} is ERROR for another reason: {:?}",
            reasons[&cell]
        );
    }
}

/// What each action of the shipped policies is read for: the checks that turn ERROR without it
/// (the closing note of issue 19 has this table); `sts:AssumeRole` needs every check but
/// [`MANAGEMENT_ONLY`]. `root-access-keys` is in no other
/// row: the account summary and the credential report each tell it alone, so it needs either.
/// Without an action of discovery, a scan cannot run at all ([`CANNOT_RUN_WITHOUT`]).
const NEEDED_BY: &[(&str, &[&str])] = &[
    (
        "access-analyzer:ListAnalyzers",
        &["access-analyzer-enabled", "external-access-findings"],
    ),
    (
        "access-analyzer:ListFindings",
        &["external-access-findings"],
    ),
    (
        "cloudtrail:DescribeTrails",
        &[
            "cloudtrail-kms-encryption",
            "cloudtrail-log-file-validation",
            "cloudtrail-logs-outside-account",
            "cloudtrail-multi-region",
            "organization-structure",
            "organization-trail-log-archive",
        ],
    ),
    ("cloudtrail:GetEventSelectors", &["cloudtrail-multi-region"]),
    (
        "cloudtrail:GetTrailStatus",
        &[
            "cloudtrail-logs-outside-account",
            "cloudtrail-multi-region",
            "organization-trail-log-archive",
        ],
    ),
    (
        "config:DescribeConfigurationAggregators",
        &["config-aggregator-organization"],
    ),
    (
        "config:DescribeConfigurationRecorderStatus",
        &["config-recorder-enabled"],
    ),
    (
        "config:DescribeConfigurationRecorders",
        &["config-recorder-enabled"],
    ),
    (
        "config:DescribeDeliveryChannels",
        &["config-recorder-enabled"],
    ),
    ("guardduty:GetDetector", &["guardduty-enabled"]),
    (
        "guardduty:ListDetectors",
        &["guardduty-enabled", "guardduty-organization-coverage"],
    ),
    (
        "guardduty:DescribeOrganizationConfiguration",
        &["guardduty-organization-coverage"],
    ),
    (
        "guardduty:ListMembers",
        &["guardduty-organization-coverage"],
    ),
    (
        "guardduty:GetMemberDetectors",
        &["guardduty-organization-coverage"],
    ),
    (
        "guardduty:ListOrganizationAdminAccounts",
        &[
            "delegated-admin-not-management",
            "guardduty-organization-coverage",
        ],
    ),
    ("iam:GenerateCredentialReport", USER_CHECKS),
    ("iam:GetAccessKeyLastUsed", USER_CHECKS),
    (
        "iam:GetAccountSummary",
        &["root-access-centralized", "root-mfa"],
    ),
    (
        "iam:ListOrganizationsFeatures",
        &["root-access-centralized"],
    ),
    (
        "controltower:ListLandingZones",
        &["control-tower-landing-zone"],
    ),
    (
        "controltower:GetLandingZone",
        &["control-tower-landing-zone"],
    ),
    (
        "controltower:ListEnabledControls",
        &["control-tower-landing-zone"],
    ),
    (
        "controltower:ListEnabledBaselines",
        &["control-tower-landing-zone"],
    ),
    ("iam:GetCredentialReport", USER_CHECKS),
    ("iam:GetLoginProfile", USER_CHECKS),
    ("iam:ListAccessKeys", USER_CHECKS),
    ("iam:ListMFADevices", USER_CHECKS),
    ("iam:ListUsers", USER_CHECKS),
    ("organizations:ListDelegatedAdministrators", ADMIN_CHECKS),
    (
        "organizations:ListDelegatedServicesForAccount",
        ADMIN_CHECKS,
    ),
    (
        "organizations:ListAWSServiceAccessForOrganization",
        &["delegated-admin-not-management"],
    ),
    ("organizations:DescribePolicy", POLICY_CHECKS),
    ("organizations:ListPolicies", POLICY_CHECKS),
    ("organizations:ListPoliciesForTarget", &["scps-attached"]),
    ("organizations:ListTargetsForPolicy", POLICY_CHECKS),
    (
        "s3:ListAllMyBuckets",
        &[
            "cloudtrail-logs-outside-account",
            "organization-structure",
            "organization-trail-log-archive",
        ],
    ),
    ("s3:GetBucketLocation", &["organization-trail-log-archive"]),
    ("s3:GetBucketPolicy", &["organization-trail-log-archive"]),
    (
        "s3:GetBucketObjectLockConfiguration",
        &["organization-trail-log-archive"],
    ),
    ("securityhub:DescribeHub", &["securityhub-enabled"]),
    (
        "securityhub:DescribeOrganizationConfiguration",
        &["securityhub-central-configuration"],
    ),
    (
        "securityhub:ListConfigurationPolicies",
        &["securityhub-central-configuration"],
    ),
    (
        "securityhub:GetConfigurationPolicy",
        &["securityhub-central-configuration"],
    ),
    (
        "securityhub:ListConfigurationPolicyAssociations",
        &["securityhub-central-configuration"],
    ),
    (
        "sso:ListAccountsForProvisionedPermissionSet",
        &["identity-center"],
    ),
    ("sso:ListInstances", &["identity-center"]),
    ("sso:ListPermissionSets", &["identity-center"]),
    (
        "ec2:GetImageBlockPublicAccessState",
        &["ec2-declarative-policy"],
    ),
    (
        "ec2:GetSnapshotBlockPublicAccessState",
        &["ec2-declarative-policy"],
    ),
    (
        "ec2:GetInstanceMetadataDefaults",
        &["ec2-declarative-policy"],
    ),
    (
        "ec2:GetSerialConsoleAccessStatus",
        &["ec2-declarative-policy"],
    ),
    (
        "ec2:DescribeInstances",
        &["management-account-no-workloads"],
    ),
    ("lambda:ListFunctions", &["management-account-no-workloads"]),
    ("securityhub:GetEnabledStandards", &["securityhub-enabled"]),
    (
        "securityhub:ListOrganizationAdminAccounts",
        &["delegated-admin-not-management"],
    ),
];

/// The IAM user checks: the users come from the credential report and, when it is older than
/// the evidence must be, from the five live reads; without any of them, no user is known.
const USER_CHECKS: &[&str] = &[
    "access-key-rotation",
    "access-key-unused",
    "iam-user-access-keys",
    "iam-user-console-mfa",
    "identity-center",
    "management-account-no-iam-users",
];

/// The checks that judge the documents of the organization's policies.
const POLICY_CHECKS: &[&str] = &["rcp-data-perimeter", "scp-guardrails"];

/// The checks that need to know the delegated administrators (discover reads them with
/// `ListDelegatedAdministrators`, and `ListDelegatedServicesForAccount` per administrator): where
/// the organization's analyzers and aggregator are, and who administers each service.
const ADMIN_CHECKS: &[&str] = &[
    "access-analyzer-enabled",
    "config-aggregator-organization",
    "delegated-admin-not-management",
    "external-access-findings",
    "identity-center",
];

/// The checks that read nothing in a member account: the rest read through the auditor role,
/// and are ERROR in every member without `sts:AssumeRole`. guardduty-organization-coverage reads
/// GuardDuty's administrator, which the sandbox's organization made the management account.
const MANAGEMENT_ONLY: &[&str] = &[
    "control-tower-landing-zone",
    "delegated-admin-not-management",
    "guardduty-organization-coverage",
    "management-account-no-iam-users",
    "management-account-no-workloads",
    "scps-attached",
];

/// The scanning role's actions without which discovery fails: the scan exits 2 naming the action
/// and writes no snapshot.
const CANNOT_RUN_WITHOUT: &[&str] = &[
    "account:ListRegions",
    "organizations:DescribeOrganization",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
];

/// `policies/README.md`'s table of what each action is for, as (action, the checks it names);
/// `None` for a row that says it in words (no scan, every member check).
fn readme_table() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/README.md"))
            .expect("read policies/README.md");
    let ids: BTreeSet<String> = posture::evaluate::catalog()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut table = BTreeMap::new();
    let mut previous: Option<BTreeSet<String>> = None;
    let rows = readme
        .lines()
        .skip_while(|l| !l.starts_with("| action | without it |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'));
    for row in rows {
        let (actions, without) = row
            .trim_matches('|')
            .split_once(" | ")
            .unwrap_or_else(|| panic!("a row of two cells: {row}"));
        let named: BTreeSet<String> = without.trim().split(", ").map(str::to_owned).collect();
        let checks = if without.trim() == "the same six checks" {
            previous.clone()
        } else if named.is_subset(&ids) {
            Some(named)
        } else {
            None
        };
        // `svc:A`, `B`: B is svc's too.
        let mut service = String::new();
        for quoted in actions.split('`').skip(1).step_by(2) {
            let action = match quoted.split_once(':') {
                Some((prefix, _)) => {
                    service = prefix.to_owned();
                    quoted.to_owned()
                }
                None => format!("{service}:{quoted}"),
            };
            table.insert(action, checks.clone());
        }
        previous = checks;
    }
    table
}

#[test]
fn the_policies_readme_names_the_checks_each_action_is_needed_by() {
    let table = readme_table();
    for (action, checks) in NEEDED_BY {
        let expected: BTreeSet<String> = checks.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(
            table.get(*action),
            Some(&Some(expected)),
            "{action}: policies/README.md's table differs from NEEDED_BY"
        );
    }
    for action in CANNOT_RUN_WITHOUT.iter().chain(&["sts:AssumeRole"]) {
        assert_eq!(table.get(*action), Some(&None), "{action}: a row in words");
    }
    let listed = NEEDED_BY.len() + CANNOT_RUN_WITHOUT.len() + 1;
    assert_eq!(table.len(), listed, "actions in the README only: {table:?}");
}
