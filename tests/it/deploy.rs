//! `deploy/`: the CloudFormation templates of the auditor, scanning and publishing roles. Their
//! permissions are the policies of `policies/`, verbatim (one source of truth: a test fails when
//! they differ). Deploying them, with the README's own commands, is `walkthrough.rs`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::read_json;

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
