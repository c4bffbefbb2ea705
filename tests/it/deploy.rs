//! `deploy/`: the CloudFormation templates of the auditor, scanning and publishing roles. Their
//! permissions are the policies of `policies/`, verbatim (one source of truth: a test fails when
//! they differ), and the auditor role deploys through a service-managed StackSet to every member
//! account of the sandbox organization, as the README's walk-through does it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_cloudformation::types::{
    AutoDeployment, Capability, DeploymentTargets, Parameter, PermissionModels, StackStatus,
};
use serde_json::{Value, json};

use posture::aws::ClientFactory;
use posture::sandbox::{Sandbox, SandboxGuard};

use crate::support::{posture_scan, state_dir};

fn read_json(folder: &str, file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(folder)
        .join(file);
    serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json")
}

/// A template value with its intrinsic functions worked out as CloudFormation would for these
/// parameter values (`Ref`, `Fn::Sub` of a string, `Fn::If`, `Fn::Equals`, `Fn::Not`).
fn resolve(value: &Value, template: &Value, params: &BTreeMap<&str, &str>) -> Value {
    let param = |name: &str| -> String {
        match name {
            "AWS::Partition" => "aws".to_owned(),
            _ => params
                .get(name)
                .map(|v| (*v).to_owned())
                .or_else(|| {
                    template["Parameters"][name]["Default"]
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| panic!("no value for parameter {name}")),
        }
    };
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one");
            match key.as_str() {
                "Ref" => Value::String(param(arg.as_str().expect("a name"))),
                "Fn::Sub" => {
                    let mut text = arg.as_str().expect("a string Fn::Sub").to_owned();
                    while let Some(start) = text.find("${") {
                        let end = start + text[start..].find('}').expect("closed");
                        let name = text[start + 2..end].to_owned();
                        text.replace_range(start..=end, &param(&name));
                    }
                    Value::String(text)
                }
                "Fn::If" => {
                    let [condition, yes, no] = arg.as_array().expect("three").as_slice() else {
                        panic!("Fn::If takes three");
                    };
                    let name = condition.as_str().expect("a condition");
                    let holds =
                        resolve(&template["Conditions"][name], template, params) == json!(true);
                    resolve(if holds { yes } else { no }, template, params)
                }
                "Fn::Equals" => {
                    let [a, b] = arg.as_array().expect("two").as_slice() else {
                        panic!("Fn::Equals takes two");
                    };
                    json!(resolve(a, template, params) == resolve(b, template, params))
                }
                "Fn::Not" => json!(resolve(&arg[0], template, params) != json!(true)),
                _ => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), resolve(v, template, params)))
                        .collect(),
                ),
            }
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(v, template, params)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, template, params)).collect())
        }
        other => other.clone(),
    }
}

/// The one role of a template, with the template's functions resolved for `params`.
fn role(file: &str, params: &[(&str, &str)]) -> Value {
    let template = read_json("deploy", file);
    let params: BTreeMap<&str, &str> = params.iter().copied().collect();
    let resources = template["Resources"].as_object().expect("resources");
    assert_eq!(resources.len(), 1, "{file}: one role");
    let (_, role) = resources.iter().next().expect("a role");
    assert_eq!(role["Type"], "AWS::IAM::Role", "{file}");
    resolve(&role["Properties"], &template, &params)
}

#[test]
fn the_templates_grant_exactly_the_shipped_policies() {
    let auditor = role(
        "posture-auditor-role.json",
        &[
            ("ScanningAccountId", "MANAGEMENT_OR_AUDIT_ACCOUNT_ID"),
            ("ExternalId", "CHOOSE-AN-EXTERNAL-ID"),
        ],
    );
    assert_eq!(auditor["RoleName"], "PostureAuditor");
    assert_eq!(
        auditor["Policies"][0]["PolicyDocument"],
        read_json("policies", "posture-auditor-role.json")
    );
    assert_eq!(
        auditor["AssumeRolePolicyDocument"],
        read_json("policies", "posture-auditor-role-trust.json")
    );
    assert_eq!(auditor["Policies"].as_array().map(Vec::len), Some(1));
    assert!(auditor["ManagedPolicyArns"].is_null());
    // Without an external id, the trust has no condition at all (not an empty one).
    let open = role(
        "posture-auditor-role.json",
        &[("ScanningAccountId", "111122223333"), ("ExternalId", "")],
    );
    let statement = &open["AssumeRolePolicyDocument"]["Statement"][0];
    assert!(statement["Condition"].is_null(), "{statement}");
    assert_eq!(
        statement["Principal"]["AWS"],
        "arn:aws:iam::111122223333:role/PostureScanner"
    );

    let scanner = role(
        "posture-scanner-role.json",
        &[("TrustedPrincipalArn", "arn:aws:iam::111122223333:root")],
    );
    assert_eq!(
        scanner["Policies"][0]["PolicyDocument"],
        read_json("policies", "posture-org-principal.json")
    );
    assert_eq!(scanner["Policies"].as_array().map(Vec::len), Some(1));

    let publisher = role(
        "posture-publisher-role.json",
        &[
            ("TrustedPrincipalArn", "arn:aws:iam::111122223333:root"),
            ("BucketName", "BUCKET"),
            ("Prefix", "PREFIX"),
        ],
    );
    assert_eq!(
        publisher["Policies"][0]["PolicyDocument"],
        read_json("policies", "posture-publish.json")
    );
    // The bucket's root, as the README says: BUCKET/*, not BUCKET//*.
    let root = role(
        "posture-publisher-role.json",
        &[
            ("TrustedPrincipalArn", "arn:aws:iam::111122223333:root"),
            ("BucketName", "reports"),
            ("Prefix", ""),
        ],
    );
    assert_eq!(
        root["Policies"][0]["PolicyDocument"]["Statement"][1]["Resource"],
        "arn:aws:s3:::reports/*"
    );
}

/// The README walk-through's steps 1 and 2 through CloudFormation, as the sandbox's management
/// account: the scanning role (`deploy/posture-scanner-role.json`, trusting `trusted`), then the
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

#[tokio::test]
async fn a_service_managed_stack_set_deploys_the_auditor_role_to_every_member_and_nowhere_else() {
    let guard = SandboxGuard::start(Sandbox::locate().with_state_dir(state_dir("it-deploy")))
        .expect("start the sandbox");
    let description: Value = serde_json::from_slice(
        &std::fs::read(guard.sandbox().seed(8).expect("seed")).expect("read"),
    )
    .expect("description");
    let endpoint = guard.endpoint().to_owned();
    let factory = ClientFactory::for_sandbox(&endpoint).await;
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management")
        .to_owned();
    deploy_roles(
        &factory,
        &description,
        &format!("arn:aws:iam::{management}:root"),
        "posture-it-external-id",
    )
    .await;

    let auditor_policy = read_json("policies", "posture-auditor-role.json");
    let mut deployed = 0;
    for account in description["accounts"].as_array().expect("accounts") {
        let id = account["id"].as_str().expect("id");
        let iam = if id == management {
            factory.iam(factory.base())
        } else if account["status"] == "ACTIVE" {
            factory.iam(
                &factory
                    .member_config(
                        id,
                        "OrganizationAccountAccessRole",
                        None,
                        "posture-it-deploy",
                    )
                    .await,
            )
        } else {
            continue;
        };
        let found = iam.get_role().role_name("PostureAuditor").send().await;
        if id == management {
            // Service-managed StackSets never deploy to the management account.
            assert!(found.is_err(), "the management account got the role");
            continue;
        }
        let role = found.unwrap_or_else(|err| panic!("{id} has no PostureAuditor: {err:?}"));
        let trust: Value = serde_json::from_str(&policy_text(
            role.role()
                .expect("role")
                .assume_role_policy_document()
                .expect("trust"),
        ))
        .expect("trust json");
        assert_eq!(
            trust["Statement"][0]["Principal"]["AWS"],
            format!("arn:aws:iam::{management}:role/PostureScanner"),
            "{id}"
        );
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
            "posture-it-external-id"
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
        deployed += 1;
    }
    let active_members = description["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| a["status"] == "ACTIVE" && a["id"] != management.as_str())
        .count();
    assert_eq!(deployed, active_members);
    assert!(deployed >= 7, "{deployed}");

    // The first scan, as the walk-through's step 3: every member read through the deployed role
    // (the sandbox does not enforce trust policies, so this shows the scan uses the role and its
    // external id, not that the trust allows it).
    let store = state_dir("deploy-first-scan");
    let _ = std::fs::remove_dir_all(&store);
    let output = posture_scan(
        &endpoint,
        &store,
        &[
            "--regions",
            "us-east-1",
            "--role-name",
            "PostureAuditor",
            "--external-id",
            "posture-it-external-id",
        ],
    );
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = posture::snapshot::Store::new(&store).list().expect("list");
    let snapshot = posture::snapshot::read_snapshot(&written[0].path).expect("read");
    let mut read_as_auditor = 0;
    for account in &snapshot.facts.accounts {
        let id = &account.account_id;
        let principal = match &account.access {
            posture::facts::Collected::Ok(access) => access.principal_arn.clone(),
            posture::facts::Collected::Error(err) => panic!("{id}: {err:?}"),
        };
        if *id != management {
            assert!(
                principal.starts_with(&format!("arn:aws:sts::{id}:assumed-role/PostureAuditor/")),
                "{id} was read as {principal}"
            );
            read_as_auditor += 1;
        }
    }
    assert_eq!(read_as_auditor, deployed);
}

/// A policy document as IAM answers it: URL-encoded (RFC 3986), or as it was when the answer is
/// already JSON.
fn policy_text(text: &str) -> String {
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
