//! Who administers each security service for the organization: Organizations' own list of
//! delegated administrators (read by discover), and the admin APIs of the services that keep one
//! of their own (Security Hub and GuardDuty, per Region, answerable by the management account
//! only). Each source is kept apart with its own result, so that one source failing leaves the
//! others readable.

use super::Limiter;
use crate::aws::calls::all_items;
use crate::discover::DelegatedAdmin;
use crate::facts::{AdminSource, Collected};

/// The services whose administrator posture judges, in the order their facts are kept, each with
/// the Organizations service principals that designate it. AWS Config has two: aggregators
/// (`config`) and organization rules and conformance packs (`config-multiaccountsetup`). Security
/// Hub and GuardDuty also keep a list of their own, per Region ([`securityhub_source`],
/// [`guardduty_source`]); the others register their administrator with Organizations (Inspector,
/// Macie, Detective and Firewall Manager through their own APIs, which posture does not read:
/// Organizations' list, read once by discover, names the same account).
pub(crate) const SERVICES: [(&str, &[&str]); 11] = [
    ("securityhub.amazonaws.com", &["securityhub.amazonaws.com"]),
    ("guardduty.amazonaws.com", &["guardduty.amazonaws.com"]),
    (
        "access-analyzer.amazonaws.com",
        &["access-analyzer.amazonaws.com"],
    ),
    (
        "config.amazonaws.com",
        &[
            "config.amazonaws.com",
            "config-multiaccountsetup.amazonaws.com",
        ],
    ),
    ("inspector2.amazonaws.com", &["inspector2.amazonaws.com"]),
    ("macie.amazonaws.com", &["macie.amazonaws.com"]),
    ("detective.amazonaws.com", &["detective.amazonaws.com"]),
    ("fms.amazonaws.com", &["fms.amazonaws.com"]),
    ("sso.amazonaws.com", &["sso.amazonaws.com"]),
    (
        "member.org.stacksets.cloudformation.amazonaws.com",
        &["member.org.stacksets.cloudformation.amazonaws.com"],
    ),
    ("backup.amazonaws.com", &["backup.amazonaws.com"]),
];

/// The principal whose delegated administrators hold the organization's AWS Config aggregators
/// (`config-multiaccountsetup` is for organization rules and conformance packs).
pub(crate) const CONFIG_AGGREGATORS: &str = "config.amazonaws.com";

/// What Organizations' `ListDelegatedAdministrators` says about the service whose principals are
/// `principals`.
pub(crate) fn organizations_source(
    admins: &Collected<Vec<DelegatedAdmin>>,
    principals: &[&str],
) -> AdminSource {
    let admin_account_ids = match admins {
        Collected::Ok(admins) => {
            let mut ids: Vec<String> = Vec::new();
            for admin in admins {
                if principals.contains(&admin.service_principal.as_str())
                    && !ids.contains(&admin.account_id)
                {
                    ids.push(admin.account_id.clone());
                }
            }
            Collected::Ok(ids)
        }
        Collected::Error(err) => Collected::Error(err.clone()),
    };
    AdminSource {
        api: "organizations:ListDelegatedAdministrators".into(),
        region: None,
        admin_account_ids,
    }
}

/// Security Hub's `ListOrganizationAdminAccounts` in `region`, all pages.
pub(crate) async fn securityhub_source(
    client: &aws_sdk_securityhub::Client,
    region: &str,
    limiter: &Limiter,
) -> AdminSource {
    let mut pages = client
        .list_organization_admin_accounts()
        .into_paginator()
        .send();
    let admin_account_ids = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "securityhub",
        "ListOrganizationAdminAccounts",
        Some(region),
        |page| {
            let admins = page.admin_accounts.unwrap_or_default();
            admins.into_iter().filter_map(|a| a.account_id)
        },
    )
    .await;
    own_source("securityhub", region, admin_account_ids)
}

/// GuardDuty's `ListOrganizationAdminAccounts` in `region`, all pages.
pub(crate) async fn guardduty_source(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    limiter: &Limiter,
) -> AdminSource {
    let mut pages = client
        .list_organization_admin_accounts()
        .into_paginator()
        .send();
    let admin_account_ids = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "guardduty",
        "ListOrganizationAdminAccounts",
        Some(region),
        |page| {
            let admins = page.admin_accounts.unwrap_or_default();
            admins.into_iter().filter_map(|a| a.admin_account_id)
        },
    )
    .await;
    own_source("guardduty", region, admin_account_ids)
}

/// The service principals with trusted access to the organization
/// (`ListAWSServiceAccessForOrganization`, all pages).
pub(crate) async fn trusted_access(
    organizations: &aws_sdk_organizations::Client,
    limiter: &Limiter,
) -> Collected<Vec<String>> {
    let mut pages = organizations
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send();
    all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "organizations",
        "ListAWSServiceAccessForOrganization",
        None,
        |page| {
            let services = page.enabled_service_principals.unwrap_or_default();
            services.into_iter().filter_map(|s| s.service_principal)
        },
    )
    .await
}

/// What `service`'s own `ListOrganizationAdminAccounts` answered in `region`.
fn own_source(
    service: &str,
    region: &str,
    admin_account_ids: Collected<Vec<String>>,
) -> AdminSource {
    AdminSource {
        api: format!("{service}:ListOrganizationAdminAccounts"),
        region: Some(region.to_owned()),
        admin_account_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::CollectError;

    fn admin(account_id: &str, service_principal: &str) -> DelegatedAdmin {
        DelegatedAdmin {
            account_id: account_id.into(),
            service_principal: service_principal.into(),
        }
    }

    #[test]
    fn organizations_source_keeps_the_services_principals_once_each() {
        let admins = Collected::Ok(vec![
            admin("111", "config-multiaccountsetup.amazonaws.com"),
            admin("222", "guardduty.amazonaws.com"),
            admin("111", "config.amazonaws.com"),
            admin("333", "config.amazonaws.com"),
        ]);
        let config = organizations_source(&admins, SERVICES[3].1);
        assert_eq!(config.api, "organizations:ListDelegatedAdministrators");
        assert_eq!(config.region, None);
        assert_eq!(
            config.admin_account_ids,
            Collected::Ok(vec!["111".to_owned(), "333".to_owned()])
        );
        let securityhub = organizations_source(&admins, SERVICES[0].1);
        assert_eq!(securityhub.admin_account_ids, Collected::Ok(Vec::new()));
    }

    #[test]
    fn organizations_source_keeps_the_error_of_the_list() {
        let err = CollectError {
            service: "organizations".into(),
            action: "ListDelegatedAdministrators".into(),
            region: None,
            code: Some("AccessDeniedException".into()),
            message: "denied".into(),
            request_id: None,
            http_status: Some(400),
        };
        let source = organizations_source(&Collected::Error(err.clone()), SERVICES[1].1);
        assert_eq!(source.admin_account_ids, Collected::Error(err));
    }
}
