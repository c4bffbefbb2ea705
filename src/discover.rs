//! Discovery: who is calling, which organization this is, every account with its status and OU
//! path, the delegated administrators Organizations knows of, and the Regions to scan.
//!
//! Organizations calls are throttled on the management account, so they are few and sequential:
//! one walk of the OU tree (roots → OUs → accounts per parent), never one `ListParents` per
//! account. Run from a delegated administrator, discovery reads what Organizations allows there and
//! keeps what it could not read as an error for the scan to report; run from anywhere else it stops
//! with one line saying where to run it.

use aws_sdk_account::types::RegionOptStatus;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::aws::ClientFactory;
use crate::aws::calls::all_items;
use crate::aws::error::AwsErrorInfo;
use crate::collect::DelegatedAdmin;
use crate::facts::Collected;

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Who is calling.
    pub caller: Caller,
    /// The organization.
    pub organization: Organization,
    /// Every account of the organization, in the order of the OU tree walk.
    pub accounts: Vec<Account>,
    /// Every OU, parents before children.
    pub organizational_units: Vec<OrganizationalUnit>,
    /// Organizations' delegated administrators (all services), or why they could not be read.
    pub delegated_admins: Collected<Vec<DelegatedAdmin>>,
    /// The Regions enabled for the caller's account, or why they could not be read.
    pub enabled_regions: Collected<Vec<String>>,
}

/// The principal running the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// Its account.
    pub account_id: String,
    /// Its ARN.
    pub arn: String,
}

/// The organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account.
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, … (Organizations' `State`, else `Status`).
    pub status: String,
    /// Its OU path, `/Workloads/Prod`; `/` directly under the root.
    pub ou_path: String,
    /// The ids of the OUs it sits in, from the root down (for `--ous`, which includes nested OUs).
    pub ou_ids: Vec<String>,
}

/// One organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    /// `ou-…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its path, `/Workloads/Prod`.
    pub path: String,
}

/// Why discovery could not complete; each says what to do.
#[derive(Debug, Error)]
pub enum DiscoverError {
    /// No credentials, or credentials AWS rejects.
    #[error(
        "no usable AWS credentials ({0}): set AWS_PROFILE or pass --profile, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    )]
    Credentials(String),
    /// The caller's account is not in an organization.
    #[error(
        "account {account} is not in an AWS Organization: run posture with credentials of an organization's management account or delegated administrator"
    )]
    NotAnOrganization {
        /// The caller's account.
        account: String,
    },
    /// The caller may not list the organization's accounts.
    #[error(
        "account {account} cannot list the accounts of organization {organization} ({detail}): run posture from the management account or a delegated administrator"
    )]
    NotAllowed {
        /// The caller's account.
        account: String,
        /// The organization.
        organization: String,
        /// AWS's answer.
        detail: String,
    },
    /// Another AWS failure.
    #[error("{action} failed: {detail}")]
    Aws {
        /// The call that failed.
        action: &'static str,
        /// AWS's answer.
        detail: String,
    },
}

/// Discovers the organization as the base config's principal sees it.
pub async fn discover(factory: &ClientFactory) -> Result<Inventory, DiscoverError> {
    let base = factory.base();
    let identity = factory
        .sts(base)
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| {
            DiscoverError::Credentials(AwsErrorInfo::from_sdk_error(&err).to_string())
        })?;
    let caller = Caller {
        account_id: identity.account().unwrap_or_default().to_owned(),
        arn: identity.arn().unwrap_or_default().to_owned(),
    };

    let organizations = factory.organizations(base);
    let described = organizations
        .describe_organization()
        .send()
        .await
        .map_err(|err| {
            let info = AwsErrorInfo::from_sdk_error(&err);
            if info.code.as_deref() == Some("AWSOrganizationsNotInUseException") {
                DiscoverError::NotAnOrganization {
                    account: caller.account_id.clone(),
                }
            } else {
                DiscoverError::Aws {
                    action: "organizations:DescribeOrganization",
                    detail: info.to_string(),
                }
            }
        })?;
    let described = described.organization().ok_or(DiscoverError::Aws {
        action: "organizations:DescribeOrganization",
        detail: "the answer holds no organization".into(),
    })?;
    let organization = Organization {
        id: described.id().unwrap_or_default().to_owned(),
        management_account_id: described.master_account_id().unwrap_or_default().to_owned(),
        feature_set: described
            .feature_set()
            .map(|f| f.as_str().to_owned())
            .unwrap_or_default(),
    };

    let not_allowed = |info: AwsErrorInfo| {
        if info.code.as_deref() == Some("AccessDeniedException") {
            DiscoverError::NotAllowed {
                account: caller.account_id.clone(),
                organization: organization.id.clone(),
                detail: info.to_string(),
            }
        } else {
            DiscoverError::Aws {
                action: "organizations:ListRoots",
                detail: info.to_string(),
            }
        }
    };
    let mut roots = Vec::new();
    let mut pages = organizations.list_roots().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| not_allowed(AwsErrorInfo::from_sdk_error(&err)))?;
        roots.extend(
            page.roots()
                .iter()
                .filter_map(|r| r.id().map(str::to_owned)),
        );
    }

    // Walk the tree: each parent's OUs, then its accounts. Parents are visited in order, so every
    // OU's path and ancestry are known before its children are.
    let mut accounts = Vec::new();
    let mut organizational_units = Vec::new();
    let mut parents: Vec<(String, String, Vec<String>)> = roots
        .into_iter()
        .map(|root| (root, String::new(), Vec::new()))
        .collect();
    let mut next = 0;
    while next < parents.len() {
        let (parent, path, ancestry) = parents[next].clone();
        next += 1;
        let mut pages = organizations
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| DiscoverError::Aws {
                action: "organizations:ListOrganizationalUnitsForParent",
                detail: AwsErrorInfo::from_sdk_error(&err).to_string(),
            })?;
            for ou in page.organizational_units() {
                let (Some(id), Some(name)) = (ou.id(), ou.name()) else {
                    continue;
                };
                let ou_path = format!("{path}/{name}");
                let mut ou_ancestry = ancestry.clone();
                ou_ancestry.push(id.to_owned());
                organizational_units.push(OrganizationalUnit {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    path: ou_path.clone(),
                });
                parents.push((id.to_owned(), ou_path, ou_ancestry));
            }
        }
        let mut pages = organizations
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| DiscoverError::Aws {
                action: "organizations:ListAccountsForParent",
                detail: AwsErrorInfo::from_sdk_error(&err).to_string(),
            })?;
            for account in page.accounts() {
                let Some(id) = account.id() else { continue };
                // `State` replaces the retired `Status`; older endpoints send only `Status`.
                let status = account
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .or_else(|| account.status().map(|s| s.as_str().to_owned()))
                    .unwrap_or_else(|| "UNKNOWN".to_owned());
                accounts.push(Account {
                    id: id.to_owned(),
                    name: account.name().unwrap_or_default().to_owned(),
                    status,
                    ou_path: if path.is_empty() {
                        "/".into()
                    } else {
                        path.clone()
                    },
                    ou_ids: ancestry.clone(),
                });
            }
        }
    }

    let delegated_admins = delegated_admins(factory).await;
    let enabled_regions = enabled_regions(factory).await;
    Ok(Inventory {
        caller,
        organization,
        accounts,
        organizational_units,
        delegated_admins,
        enabled_regions,
    })
}

/// Organizations' delegated administrators of every service: one paginated list, then each
/// administrator's services.
async fn delegated_admins(factory: &ClientFactory) -> Collected<Vec<DelegatedAdmin>> {
    let organizations = factory.organizations(factory.base());
    let mut pages = organizations
        .list_delegated_administrators()
        .into_paginator()
        .send();
    let admins = all_items(
        |cx| pages.poll_next(cx),
        None,
        "organizations",
        "ListDelegatedAdministrators",
        None,
        |page| {
            let admins = page.delegated_administrators.unwrap_or_default();
            admins.into_iter().filter_map(|a| a.id)
        },
    )
    .await;
    let admins = match admins {
        Collected::Ok(admins) => admins,
        Collected::Error(err) => return Collected::Error(err),
    };
    let mut delegated = Vec::new();
    for account_id in admins {
        let mut pages = organizations
            .list_delegated_services_for_account()
            .account_id(&account_id)
            .into_paginator()
            .send();
        let services = all_items(
            |cx| pages.poll_next(cx),
            None,
            "organizations",
            "ListDelegatedServicesForAccount",
            None,
            |page| {
                let services = page.delegated_services.unwrap_or_default();
                services.into_iter().filter_map(|s| {
                    s.service_principal.map(|service_principal| DelegatedAdmin {
                        account_id: account_id.clone(),
                        service_principal,
                    })
                })
            },
        )
        .await;
        match services {
            Collected::Ok(services) => delegated.extend(services),
            Collected::Error(err) => return Collected::Error(err),
        }
    }
    Collected::Ok(delegated)
}

/// The Regions enabled for the caller's account (`account:ListRegions`, ENABLED and
/// ENABLED_BY_DEFAULT), sorted.
async fn enabled_regions(factory: &ClientFactory) -> Collected<Vec<String>> {
    let mut pages = factory
        .account(factory.base())
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    let regions = all_items(
        |cx| pages.poll_next(cx),
        None,
        "account",
        "ListRegions",
        None,
        |page| {
            let regions = page.regions.unwrap_or_default();
            regions.into_iter().filter_map(|r| r.region_name)
        },
    )
    .await;
    match regions {
        Collected::Ok(mut regions) => {
            regions.sort();
            Collected::Ok(regions)
        }
        Collected::Error(err) => Collected::Error(err),
    }
}
