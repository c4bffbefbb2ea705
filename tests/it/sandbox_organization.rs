//! The seeded sandbox organization is what the seeder says it built, seen through the clients posture
//! itself builds (aws-config and the service crates with an endpoint override).

use std::collections::{BTreeMap, BTreeSet};

use aws_config::Region;
use aws_sdk_accessanalyzer::types::Criterion;
use aws_sdk_iam::types::{ReportStateType, SummaryKeyType};
use serde_json::Value;

use crate::support::{exclusive, seeded};

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

#[tokio::test]
async fn organization_accounts_ous_and_statuses_match_the_description() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let org = factory.organizations(factory.base());

    let described = org.describe_organization().send().await.expect("describe");
    let organization = described.organization().expect("organization");
    assert_eq!(
        organization.id(),
        seeded.description["organization"]["id"].as_str()
    );
    assert_eq!(
        organization.master_account_id().map(str::to_owned),
        Some(seeded.management_account_id())
    );

    // Walk the tree the way discovery will: roots, then OUs per parent, then accounts per parent.
    let roots = org.list_roots().send().await.expect("roots");
    let root = roots.roots()[0].id().expect("root id").to_owned();
    let mut parents = vec![(root, String::from("/"))];
    let mut ou_paths = BTreeSet::new();
    let mut accounts = BTreeMap::new();
    while let Some((parent, path)) = parents.pop() {
        let mut pages = org
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for ou in page.expect("ous").organizational_units() {
                let child = format!("{}{}", path, ou.name().expect("name"));
                ou_paths.insert(child.clone());
                parents.push((ou.id().expect("id").to_owned(), format!("{child}/")));
            }
        }
        let mut pages = org
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for account in page.expect("accounts").accounts() {
                let ou_path = if path == "/" {
                    path.clone()
                } else {
                    path.trim_end_matches('/').to_owned()
                };
                // `Status` is retired (2026-09-09); the sandbox, like AWS, sends `State` only.
                assert!(account.status().is_none());
                let status = account.state().expect("state").as_str().to_owned();
                accounts.insert(
                    account.id().expect("id").to_owned(),
                    (account.name().expect("name").to_owned(), ou_path, status),
                );
            }
        }
    }

    let expected_ous: BTreeSet<String> = seeded.description["organizational_units"]
        .as_array()
        .expect("ous")
        .iter()
        .map(|ou| text(&ou["path"]))
        .collect();
    assert_eq!(ou_paths, expected_ous);

    let expected_accounts: BTreeMap<String, (String, String, String)> = seeded
        .accounts()
        .iter()
        .map(|a| {
            (
                text(&a["id"]),
                (text(&a["name"]), text(&a["ou_path"]), text(&a["status"])),
            )
        })
        .collect();
    assert_eq!(accounts, expected_accounts);
    assert_eq!(accounts.len(), 1 + crate::support::MEMBERS as usize);
    // Named through the Account Management API (PutAccountName, which the sandbox adds to moto).
    assert_eq!(
        accounts[&seeded.management_account_id()].0,
        "acme-management"
    );
    assert_eq!(
        accounts.values().filter(|a| a.2 == "SUSPENDED").count(),
        1,
        "exactly one SUSPENDED account"
    );
}

#[tokio::test]
async fn list_accounts_pages_hold_at_most_twenty_accounts_as_on_aws() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let org = factory.organizations(factory.base());
    let mut sizes = Vec::new();
    let mut pages = org.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        sizes.push(page.expect("page").accounts().len());
    }
    assert_eq!(sizes, vec![20, crate::support::MEMBERS as usize + 1 - 20]);

    // Asking for more than AWS allows is refused, as AWS refuses it.
    let err = org
        .list_accounts()
        .max_results(100)
        .send()
        .await
        .expect_err("MaxResults above 20");
    let info = posture::aws::error::AwsErrorInfo::from_sdk_error(&err);
    assert_eq!(info.code.as_deref(), Some("InvalidInputException"));
}

#[tokio::test]
async fn assuming_the_role_lands_in_each_active_member() {
    // Fault tests deny some of these roles while they run.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let factory = seeded.factory().await;
    let management = seeded.management_account_id();
    for account in seeded.accounts() {
        let id = text(&account["id"]);
        if id == management || account["status"] != "ACTIVE" {
            continue;
        }
        let member = seeded.member(&factory, &id).await;
        let identity = factory
            .sts(&member)
            .get_caller_identity()
            .send()
            .await
            .expect("caller identity");
        assert_eq!(identity.account(), Some(id.as_str()));
        let arn = identity.arn().expect("arn");
        assert!(
            arn.starts_with(&format!(
                "arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/"
            )),
            "{arn}"
        );
    }
}

/// Generates the credential report the way a scan must (Generate until COMPLETE, pausing between
/// polls), then reads it.
async fn credential_report(iam: &aws_sdk_iam::Client) -> String {
    for attempt in 0..20 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        }
        let state = iam
            .generate_credential_report()
            .send()
            .await
            .expect("generate")
            .state()
            .cloned();
        if state == Some(ReportStateType::Complete) {
            let report = iam.get_credential_report().send().await.expect("get");
            assert!(report.generated_time().is_some());
            return String::from_utf8(report.content().expect("content").as_ref().to_vec())
                .expect("utf-8");
        }
    }
    panic!("the credential report never completed");
}

#[tokio::test]
async fn credential_report_root_row_and_account_summary_agree_with_the_seeded_root_user() {
    // Fault tests deny some of these roles while they run.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let factory = seeded.factory().await;
    let management = seeded.management_account_id();
    let mut seen_mfa = BTreeSet::new();
    for account in seeded.accounts() {
        let id = text(&account["id"]);
        if account["status"] != "ACTIVE" {
            continue;
        }
        let config = if id == management {
            factory.base().clone()
        } else {
            seeded.member(&factory, &id).await
        };
        let iam = factory.iam(&config);

        let csv = credential_report(&iam).await;
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        assert_eq!(header.len(), 22, "{header:?}");
        let rows: Vec<BTreeMap<&str, &str>> = lines
            .map(|line| header.iter().copied().zip(line.split(',')).collect())
            .collect();
        let root = rows
            .iter()
            .find(|r| r["user"] == "<root_account>")
            .unwrap_or_else(|| panic!("no <root_account> row in {id}'s report"));
        assert_eq!(root["arn"], format!("arn:aws:iam::{id}:root"));
        assert_eq!(root["password_enabled"], "not_supported");
        assert_eq!(root["password_last_changed"], "not_supported");
        if account["root"]["password"] == false {
            assert_eq!(root["password_last_used"], "N/A");
        }

        let expected = &account["root"];
        let mfa = expected["mfa"].as_bool().expect("mfa");
        let keys = expected["access_keys"].as_u64().expect("access_keys");
        let password = expected["password"].as_bool().expect("password");
        assert_eq!(root["mfa_active"], mfa.to_string(), "{id} mfa_active");
        assert_eq!(root["access_key_1_active"], (keys >= 1).to_string());
        assert_eq!(root["access_key_2_active"], (keys >= 2).to_string());
        seen_mfa.insert(mfa);

        let summary = iam.get_account_summary().send().await.expect("summary");
        let map = summary.summary_map().expect("summary map");
        assert_eq!(
            map.get(&SummaryKeyType::AccountMfaEnabled),
            Some(&i32::from(mfa))
        );
        assert_eq!(
            map.get(&SummaryKeyType::AccountAccessKeysPresent),
            Some(&i32::from(keys > 0))
        );
        assert_eq!(
            map.get(&SummaryKeyType::AccountPasswordPresent),
            Some(&i32::from(password))
        );

        // Every seeded IAM user has its row, with its keys' states, use and dates.
        for user in account["iam_users"].as_array().expect("iam_users") {
            let name = text(&user["name"]);
            let row = rows
                .iter()
                .find(|r| r["user"] == name)
                .unwrap_or_else(|| panic!("no row for {name} in {id}"));
            let keys = user["access_keys"].as_array().expect("keys");
            for (n, key) in keys.iter().enumerate() {
                let slot = |field: &str| row[format!("access_key_{}_{field}", n + 1).as_str()];
                let active = key["status"] == "Active";
                assert_eq!(slot("active"), active.to_string(), "{name} key {}", n + 1);
                // IAM writes N/A for the rotation date of a key that is not active.
                assert_eq!(
                    slot("last_rotated") == "N/A",
                    !active,
                    "{name} key {}",
                    n + 1
                );
                let used = key["used"].as_bool().expect("used");
                assert_eq!(
                    slot("last_used_date") != "N/A",
                    used,
                    "{name} key {}",
                    n + 1
                );
                assert_eq!(
                    slot("last_used_service") != "N/A",
                    used,
                    "{name} key {}",
                    n + 1
                );
                let backdated = &key["backdated"];
                if let Some(date) = backdated["create_date"].as_str().filter(|_| active) {
                    assert_eq!(
                        &slot("last_rotated")[..10],
                        &date[..10],
                        "{name} key {}",
                        n + 1
                    );
                }
                if let Some(date) = backdated["last_used"].as_str() {
                    assert_eq!(
                        &slot("last_used_date")[..10],
                        &date[..10],
                        "{name} key {}",
                        n + 1
                    );
                }
            }
            assert_eq!(
                row["password_enabled"],
                user["console_password"].as_bool().expect("pw").to_string()
            );
        }
    }
    assert_eq!(
        seen_mfa.len(),
        2,
        "the seeded organization mixes root MFA on and off"
    );
}

#[tokio::test]
async fn access_analyzer_lists_analyzers_and_findings_page_by_page_with_filters() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let audit = seeded.account_id("acme-audit");
    let us_east_1 = Region::new("us-east-1");
    let analyzer = factory.access_analyzer(&seeded.member(&factory, &audit).await, &us_east_1);

    let analyzers = analyzer.list_analyzers().send().await.expect("analyzers");
    let organization_analyzer = analyzers
        .analyzers()
        .iter()
        .find(|a| a.r#type().as_str() == "ORGANIZATION")
        .expect("an ORGANIZATION analyzer in the audit account");
    let arn = organization_analyzer.arn().to_owned();
    let got = analyzer
        .get_analyzer()
        .analyzer_name(organization_analyzer.name())
        .send()
        .await
        .expect("get analyzer");
    assert_eq!(got.analyzer().map(|a| a.arn()), Some(arn.as_str()));

    // A member does not see the organization's analyzer, only its own.
    let web_prod = seeded.account_id("acme-web-prod");
    let member_analyzers = factory
        .access_analyzer(&seeded.member(&factory, &web_prod).await, &us_east_1)
        .list_analyzers()
        .send()
        .await
        .expect("member analyzers");
    assert!(!member_analyzers.analyzers().is_empty());
    assert!(
        member_analyzers
            .analyzers()
            .iter()
            .all(|a| a.r#type().as_str() == "ACCOUNT")
    );

    // Page by page, one finding per page.
    let mut pages = analyzer
        .list_findings()
        .analyzer_arn(&arn)
        .max_results(1)
        .into_paginator()
        .send();
    let mut paged = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        page_count += 1;
        for finding in page.expect("page").findings() {
            paged.push((
                finding.resource().unwrap_or_default().to_owned(),
                finding.status().as_str().to_owned(),
                finding.resource_owner_account().to_owned(),
            ));
        }
    }
    assert_eq!(page_count, paged.len());
    let expected: BTreeSet<(String, String, String)> = seeded.description["external_access"]
        .as_array()
        .expect("external_access")
        .iter()
        .filter(|f| f["analyzer_arn"] == arn.as_str())
        .map(|f| {
            (
                text(&f["resource"]),
                text(&f["expected_status"]),
                text(&f["account_id"]),
            )
        })
        .collect();
    assert_eq!(paged.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let statuses: BTreeSet<&str> = paged.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["ACTIVE", "ARCHIVED", "RESOLVED"]),
        "the seeded findings cover every status"
    );

    // Filters on status and resource owner.
    let eq = |value: &str| Criterion::builder().eq(value).build();
    let active = analyzer
        .list_findings()
        .analyzer_arn(&arn)
        .filter("status", eq("ACTIVE"))
        .send()
        .await
        .expect("active findings");
    assert_eq!(
        active.findings().len(),
        paged.iter().filter(|f| f.1 == "ACTIVE").count()
    );
    let payments = seeded.account_id("acme-payments-prod");
    let owned = analyzer
        .list_findings()
        .analyzer_arn(&arn)
        .filter("resourceOwnerAccount", eq(&payments))
        .filter("status", eq("ACTIVE"))
        .send()
        .await
        .expect("owned findings");
    assert!(!owned.findings().is_empty());
    for finding in owned.findings() {
        assert_eq!(finding.resource_owner_account(), payments);
        assert_eq!(finding.resource_type().as_str(), "AWS::IAM::Role");
        assert_eq!(
            finding
                .principal()
                .and_then(|p| p.get("AWS"))
                .map(String::as_str),
            Some("arn:aws:iam::999988887777:root")
        );
        assert!(finding.condition().contains_key("sts:ExternalId"));
        assert_eq!(finding.is_public(), Some(false));
    }

    // V2: the summary, then the details of one finding.
    let v2 = analyzer
        .list_findings_v2()
        .analyzer_arn(&arn)
        .filter("isPublic", eq("true"))
        .send()
        .await
        .expect("findings v2");
    let public = v2.findings().first().expect("a public finding");
    let detail = analyzer
        .get_finding_v2()
        .analyzer_arn(&arn)
        .id(public.id())
        .send()
        .await
        .expect("finding v2");
    let external = detail.finding_details()[0]
        .as_external_access_details()
        .expect("external access details");
    assert_eq!(external.is_public(), Some(true));
    assert_eq!(detail.resource_type().as_str(), "AWS::S3::Bucket");
}

#[tokio::test]
async fn security_hub_lists_its_delegated_administrator_to_the_management_account_only() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let region = Region::new("us-east-1");
    let listed = factory
        .securityhub(factory.base(), &region)
        .list_organization_admin_accounts()
        .send()
        .await
        .expect("admin accounts");
    let admins: Vec<&str> = listed
        .admin_accounts()
        .iter()
        .filter_map(|a| a.account_id())
        .collect();
    assert_eq!(admins, vec![seeded.account_id("acme-audit")]);

    // Designated in us-east-1 only: another Region has no administrator.
    let elsewhere = factory
        .securityhub(factory.base(), &Region::new("eu-west-1"))
        .list_organization_admin_accounts()
        .send()
        .await
        .expect("admin accounts in eu-west-1");
    assert!(elsewhere.admin_accounts().is_empty());

    // As on AWS, the designation registers the account with Organizations too.
    let delegated = factory
        .organizations(factory.base())
        .list_delegated_administrators()
        .service_principal("securityhub.amazonaws.com")
        .send()
        .await
        .expect("delegated administrators");
    let ids: Vec<&str> = delegated
        .delegated_administrators()
        .iter()
        .filter_map(|a| a.id())
        .collect();
    assert_eq!(ids, vec![seeded.account_id("acme-audit")]);

    let member = seeded
        .member(&factory, &seeded.account_id("acme-audit"))
        .await;
    let denied = factory
        .securityhub(&member, &region)
        .list_organization_admin_accounts()
        .send()
        .await
        .expect_err("a member may not list the administrators");
    // Security Hub's account-level refusal (its model's InvalidAccessException), not IAM's
    // AccessDeniedException: the member's policy allows the call, AWS does not.
    let info = posture::aws::error::AwsErrorInfo::from_sdk_error(&denied);
    assert_eq!(info.code.as_deref(), Some("InvalidAccessException"));
    assert_eq!(info.http_status, Some(401));
}

#[tokio::test]
async fn guardduty_lists_its_delegated_administrator_to_the_management_account_only() {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let region = Region::new("us-east-1");
    let listed = factory
        .guardduty(factory.base(), &region)
        .list_organization_admin_accounts()
        .send()
        .await
        .expect("admin accounts");
    let admins: Vec<&str> = listed
        .admin_accounts()
        .iter()
        .filter_map(|a| a.admin_account_id())
        .collect();
    assert_eq!(admins, vec![seeded.management_account_id()]);

    // moto answered a member from its own empty backend ("no administrator"); AWS refuses it.
    let audit = seeded
        .member(&factory, &seeded.account_id("acme-audit"))
        .await;
    let denied = factory
        .guardduty(&audit, &region)
        .list_organization_admin_accounts()
        .send()
        .await
        .expect_err("a member may not list the administrators");
    let info = posture::aws::error::AwsErrorInfo::from_sdk_error(&denied);
    assert_eq!(info.code.as_deref(), Some("BadRequestException"));
    assert_eq!(info.http_status, Some(400));
    assert!(
        info.message
            .as_deref()
            .is_some_and(|m| m.contains("AWS Organization master permission")),
        "{info:?}"
    );
    assert!(info.request_id.is_some(), "{info:?}");
}

#[tokio::test]
async fn a_read_only_pass_over_a_member_records_only_read_actions() {
    // The credential-report test generates reports in the same account.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let factory = seeded.factory().await;
    let id = seeded.account_id("acme-data-dev");
    let session = "posture-it-read-only";
    let member = factory
        .member_config(&id, crate::support::ROLE, None, session)
        .await;
    let iam = factory.iam(&member);
    iam.list_users().send().await.expect("users");
    credential_report(&iam).await;
    iam.get_account_summary().send().await.expect("summary");

    let principal = format!(
        "arn:aws:sts::{id}:assumed-role/{}/{session}",
        crate::support::ROLE
    );
    let actions: Vec<String> = admin
        .requests_by(&principal)
        .expect("record")
        .into_iter()
        .inspect(|r| {
            assert_eq!((r.account_id.as_str(), r.status), (id.as_str(), 200));
        })
        .map(|r| r.action)
        .collect();
    // Generate is polled until COMPLETE: once when a report younger than four hours exists
    // (an earlier test's scan made one), more while a new one is generated.
    let mut polled = actions.clone();
    polled.dedup();
    assert_eq!(
        polled,
        [
            "ListUsers",
            "GenerateCredentialReport",
            "GetCredentialReport",
            "GetAccountSummary"
        ]
    );
    for action in &actions {
        assert!(
            ["List", "Get", "Describe", "GenerateCredentialReport"]
                .iter()
                .any(|prefix| action.starts_with(prefix)),
            "{action} is not a read action"
        );
    }
}

#[tokio::test]
async fn a_credential_report_younger_than_four_hours_is_handed_out_again_as_it_was() {
    // It changes an account's users for a moment; scans of every account hold the same lock.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let factory = seeded.factory().await;
    let id = seeded.account_id("acme-web-prod");
    let iam = factory.iam(&seeded.member(&factory, &id).await);
    let before = credential_report(&iam).await;
    let generated =
        |report: aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput| {
            report.generated_time().copied().expect("GeneratedTime")
        };
    let first = generated(iam.get_credential_report().send().await.expect("get"));
    let user = "posture-it-report-cache";
    iam.create_user()
        .user_name(user)
        .send()
        .await
        .expect("create a user");
    // A report exists and is younger than four hours: COMPLETE at once, the same report.
    let state = iam
        .generate_credential_report()
        .send()
        .await
        .expect("generate");
    let again = iam.get_credential_report().send().await.expect("get");
    iam.delete_user()
        .user_name(user)
        .send()
        .await
        .expect("delete the user");
    assert_eq!(state.state(), Some(&ReportStateType::Complete));
    let content =
        String::from_utf8(again.content().expect("content").as_ref().to_vec()).expect("utf-8");
    assert_eq!(generated(again), first);
    assert_eq!(content, before);
    assert!(!content.contains(user), "{content}");
}

#[tokio::test]
async fn a_member_that_is_no_delegated_administrator_may_describe_its_organization_and_read_nothing_else()
 {
    let seeded = seeded();
    let factory = seeded.factory().await;
    let management = factory.organizations(factory.base());
    let own = management
        .describe_organization()
        .send()
        .await
        .expect("describe as the management account");
    let member = factory.organizations(
        &factory
            .member_config(
                &seeded.account_id("acme-web-prod"),
                crate::support::ROLE,
                None,
                "posture-it-member-reads",
            )
            .await,
    );
    let described = member
        .describe_organization()
        .send()
        .await
        .expect("any member describes its organization");
    assert_eq!(
        described.organization().and_then(|o| o.id()),
        own.organization().and_then(|o| o.id())
    );
    let web_prod = seeded.account_id("acme-web-prod");
    for info in [
        refused(member.list_roots().send().await),
        refused(member.list_accounts().send().await),
        refused(member.list_delegated_administrators().send().await),
        refused(
            member
                .list_policies_for_target()
                .target_id(&web_prod)
                .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                .send()
                .await,
        ),
    ] {
        assert_eq!(
            info.code.as_deref(),
            Some("AccessDeniedException"),
            "{info:?}"
        );
        assert_eq!(info.http_status, Some(400));
    }
    // The audit account, a delegated administrator, reads the organization.
    let audit = factory.organizations(
        &factory
            .member_config(
                &seeded.account_id("acme-audit"),
                crate::support::ROLE,
                None,
                "posture-it-member-reads",
            )
            .await,
    );
    let roots = audit
        .list_roots()
        .send()
        .await
        .expect("a delegated administrator lists roots");
    assert_eq!(roots.roots().len(), 1);
}

/// The error of a call that must be refused, taken apart as posture takes every AWS error apart.
fn refused<T, E>(
    answer: Result<
        T,
        aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
    >,
) -> posture::aws::error::AwsErrorInfo
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    match answer {
        Ok(_) => panic!("only the management account and delegated administrators may call this"),
        Err(err) => posture::aws::error::AwsErrorInfo::from_sdk_error(&err),
    }
}
