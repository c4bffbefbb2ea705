//! The seeder's change step on a sandbox of its own: exactly the remediation and the regression it
//! describes, and nothing else.

use aws_config::Region;
use aws_sdk_iam::types::SummaryKeyType;
use posture::aws::ClientFactory;
use posture::sandbox::{Sandbox, SandboxGuard};
use serde_json::Value;

use crate::support::{ROLE, account_id_in, state_dir};

fn read(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

#[tokio::test]
async fn the_change_step_fixes_two_failures_and_adds_one() {
    let guard = SandboxGuard::start(Sandbox::locate().with_state_dir(state_dir("it-change")))
        .expect("start");
    let before = read(&guard.sandbox().seed(8).expect("seed"));
    let after = read(&guard.sandbox().change().expect("change"));

    assert_eq!(before["changed"], false);
    assert_eq!(after["changed"], true);
    let change = &after["change"];
    assert_eq!(change["resolved"].as_array().expect("resolved").len(), 2);
    assert_eq!(change["regressed"].as_array().expect("regressed").len(), 1);

    // Nothing but the three changes differs between the two descriptions.
    let web_prod = account_id_in(&after, "acme-web-prod");
    let staging = account_id_in(&after, "acme-payments-staging");
    for (old, new) in before["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .zip(after["accounts"].as_array().expect("accounts"))
    {
        let id = new["id"].as_str().expect("id");
        let mut old = old.clone();
        if id == web_prod {
            assert_eq!(old["root"]["mfa"], false);
            assert_eq!(new["root"]["mfa"], true);
            old["root"]["mfa"] = Value::Bool(true);
        }
        if id == staging {
            let users = old["iam_users"].as_array_mut().expect("users");
            assert!(users.iter().all(|u| u["name"] != "hotfix-deployer"));
            let added = new["iam_users"]
                .as_array()
                .expect("users")
                .iter()
                .find(|u| u["name"] == "hotfix-deployer")
                .expect("the new user")
                .clone();
            assert_eq!(added["access_keys"][0]["status"], "Active");
            users.push(added);
        }
        assert_eq!(&old, new, "account {id} changed unexpectedly");
    }
    let status_of = |d: &Value, resource: &str| -> Vec<String> {
        d["external_access"]
            .as_array()
            .expect("external_access")
            .iter()
            .filter(|f| f["resource"] == resource)
            .map(|f| f["expected_status"].as_str().expect("status").to_owned())
            .collect()
    };
    let bucket = "arn:aws:s3:::acme-web-prod-public-assets";
    assert!(status_of(&before, bucket).iter().all(|s| s == "ACTIVE"));
    assert!(!status_of(&after, bucket).is_empty());
    assert!(status_of(&after, bucket).iter().all(|s| s == "RESOLVED"));

    // And the AWS APIs agree with the new description.
    let factory = ClientFactory::for_sandbox(guard.endpoint()).await;
    let web = factory
        .member_config(&web_prod, ROLE, None, "posture-it-change")
        .await;
    let summary = factory
        .iam(&web)
        .get_account_summary()
        .send()
        .await
        .expect("summary");
    assert_eq!(
        summary
            .summary_map()
            .and_then(|m| m.get(&SummaryKeyType::AccountMfaEnabled)),
        Some(&1)
    );
    let stg = factory
        .member_config(&staging, ROLE, None, "posture-it-change")
        .await;
    let keys = factory
        .iam(&stg)
        .list_access_keys()
        .user_name("hotfix-deployer")
        .send()
        .await
        .expect("keys");
    assert_eq!(keys.access_key_metadata().len(), 1);
    let analyzers = factory
        .access_analyzer(&web, &Region::new("us-east-1"))
        .list_analyzers()
        .send()
        .await
        .expect("analyzers");
    assert!(!analyzers.analyzers().is_empty());
}
