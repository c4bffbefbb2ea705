//! Discovery: who is calling, which organization this is, every account with its status and OU
//! path, the delegated administrators Organizations knows of, and the Regions to scan.
//!
//! Organizations calls are throttled on the management account, so they are few and sequential:
//! one walk of the OU tree (roots → OUs → accounts per parent), never one `ListParents` per
//! account. Run from a delegated administrator, discovery reads what Organizations allows there and
//! keeps what it could not read as an error for the scan to report; run from anywhere else it stops
//! with one line saying where to run it.

use aws_sdk_account::types::RegionOptStatus;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::aws::ClientFactory;
use crate::aws::calls::all_items;
use crate::aws::error::{AwsErrorInfo, Failure};
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
    /// The Regions enabled for the caller's account, or why they could not be read; `None` when
    /// they were not asked for (the auditor named the Regions).
    pub enabled_regions: Option<Collected<Vec<String>>>,
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
    /// Its root user's e-mail address (kept in snapshots only with `--keep-emails`).
    pub email: String,
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
    /// The credentials could not be loaded: their provider failed.
    #[error(
        "could not load the AWS credentials: {0}: check the profile's credential_process, source_profile, role_arn or SSO settings (`aws configure list` shows where they come from)"
    )]
    CredentialsFailed(String),
    /// The endpoint did not answer, or is no URL.
    #[error("could not reach {endpoint}: {detail}")]
    Unreachable {
        /// The endpoint, as named (`--endpoint-url`), or AWS STS in the Region.
        endpoint: String,
        /// The connection error.
        detail: String,
    },
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
    /// The caller's own IAM policies do not allow a discovery call.
    #[error(
        "{action} is not allowed to the identity posture runs as ({detail}): allow it (policies/posture-org-principal.json lists every action a scan needs)"
    )]
    PolicyDenied {
        /// The call that was denied.
        action: &'static str,
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

/// STS's codes for credentials it does not accept (STS API reference, common errors; AWS
/// answers AccessDenied for a session whose permissions were revoked). Any other code (a
/// throttle, a Region where STS is not activated) is not the credentials' fault.
const REJECTED_CREDENTIALS: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "AccessDenied",
];

/// Why `sts:GetCallerIdentity`, the first call, failed, said as what to fix: the credentials,
/// the endpoint, or what answered instead of AWS.
fn caller_unknown(factory: &ClientFactory, info: AwsErrorInfo) -> DiscoverError {
    let endpoint = || match factory.base().endpoint_url() {
        Some(url) => format!("the endpoint {url}"),
        None => format!("AWS STS in {}", factory.region()),
    };
    match info.failure {
        Failure::NoCredentials => DiscoverError::Credentials(info.to_string()),
        Failure::CredentialsFailed => DiscoverError::CredentialsFailed(info.to_string()),
        Failure::Unreachable => DiscoverError::Unreachable {
            endpoint: endpoint(),
            detail: info.to_string(),
        },
        Failure::BadEndpoint => DiscoverError::Unreachable {
            endpoint: endpoint(),
            detail: format!("{info}: give an http:// or https:// URL"),
        },
        // STS rejects the credentials themselves (GetCallerIdentity needs no permission).
        Failure::Answered
            if info
                .code
                .as_deref()
                .is_some_and(|code| REJECTED_CREDENTIALS.contains(&code)) =>
        {
            DiscoverError::Credentials(info.to_string())
        }
        Failure::Answered | Failure::Other => DiscoverError::Aws {
            action: "sts:GetCallerIdentity",
            detail: match factory.base().endpoint_url() {
                Some(url) => format!("{} (from {url})", info.short()),
                None => info.short(),
            },
        },
    }
}

/// One delegated administrator as Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DelegatedAdmin {
    /// The administrator account.
    pub account_id: String,
    /// The service it administers (`guardduty.amazonaws.com`).
    pub service_principal: String,
}

impl DiscoverError {
    /// The error of a discovery call AWS refused: [`Self::PolicyDenied`] when the caller's own
    /// policies do not allow it (the fix is theirs to make), else [`Self::Aws`].
    fn aws(action: &'static str, info: &AwsErrorInfo) -> Self {
        let detail = info.to_string();
        if info.is_denied_by_policy() {
            Self::PolicyDenied { action, detail }
        } else {
            Self::Aws { action, detail }
        }
    }
}

/// Discovers the organization as the base config's principal sees it, and the Regions enabled
/// for the caller's account when `with_enabled_regions` (the default scope needs them).
pub async fn discover(
    factory: &ClientFactory,
    with_enabled_regions: bool,
) -> Result<Inventory, DiscoverError> {
    let base = factory.base();
    let identity = factory
        .sts(base)
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| caller_unknown(factory, AwsErrorInfo::from_sdk_error(&err)))?;
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
                DiscoverError::aws("organizations:DescribeOrganization", &info)
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
        if info.is_denied_by_policy() {
            DiscoverError::aws("organizations:ListRoots", &info)
        } else if info.code.as_deref() == Some("AccessDeniedException") {
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

    // The tree walk, and the two lists that do not depend on it, side by side: a handful of
    // Organizations calls in flight at most (it throttles the management account).
    let (tree, delegated_admins, enabled_regions) = futures::join!(
        walk_tree(&organizations, roots),
        delegated_admins(factory),
        async {
            if with_enabled_regions {
                Some(enabled_regions(factory).await)
            } else {
                None
            }
        }
    );
    let (accounts, organizational_units) = tree?;
    Ok(Inventory {
        caller,
        organization,
        accounts,
        organizational_units,
        delegated_admins,
        enabled_regions,
    })
}

/// How many parents of the OU tree are read at once (each with its two lists at once).
const TREE_CONCURRENCY: usize = 2;

/// A parent in the OU tree walk: its id, its path (`""` for the root) and the OU ids above it.
struct Parent {
    id: String,
    path: String,
    ancestry: Vec<String>,
}

/// Walks the OU tree one level at a time: each parent's OUs and accounts, a few parents at once,
/// in order, so every OU's path and ancestry are known before its children are read and the
/// result does not depend on timing.
async fn walk_tree(
    organizations: &aws_sdk_organizations::Client,
    roots: Vec<String>,
) -> Result<(Vec<Account>, Vec<OrganizationalUnit>), DiscoverError> {
    let mut accounts = Vec::new();
    let mut organizational_units = Vec::new();
    let mut level: Vec<Parent> = roots
        .into_iter()
        .map(|id| Parent {
            id,
            path: String::new(),
            ancestry: Vec::new(),
        })
        .collect();
    while !level.is_empty() {
        let read: Vec<_> = futures::stream::iter(level.iter().map(|parent| async move {
            futures::try_join!(
                child_ous(organizations, parent),
                child_accounts(organizations, parent)
            )
        }))
        .buffered(TREE_CONCURRENCY)
        .collect()
        .await;
        let mut next = Vec::new();
        for result in read {
            let (ous, mut found) = result?;
            accounts.append(&mut found);
            for (ou, parent) in ous {
                organizational_units.push(ou);
                next.push(parent);
            }
        }
        level = next;
    }
    Ok((accounts, organizational_units))
}

/// The OUs directly under `parent`, each with the parent entry for its own children.
async fn child_ous(
    organizations: &aws_sdk_organizations::Client,
    parent: &Parent,
) -> Result<Vec<(OrganizationalUnit, Parent)>, DiscoverError> {
    let mut ous = Vec::new();
    let mut pages = organizations
        .list_organizational_units_for_parent()
        .parent_id(&parent.id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            DiscoverError::aws(
                "organizations:ListOrganizationalUnitsForParent",
                &AwsErrorInfo::from_sdk_error(&err),
            )
        })?;
        for ou in page.organizational_units() {
            let (Some(id), Some(name)) = (ou.id(), ou.name()) else {
                continue;
            };
            let path = format!("{}/{name}", parent.path);
            let mut ancestry = parent.ancestry.clone();
            ancestry.push(id.to_owned());
            ous.push((
                OrganizationalUnit {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    path: path.clone(),
                },
                Parent {
                    id: id.to_owned(),
                    path,
                    ancestry,
                },
            ));
        }
    }
    Ok(ous)
}

/// The accounts directly under `parent`.
async fn child_accounts(
    organizations: &aws_sdk_organizations::Client,
    parent: &Parent,
) -> Result<Vec<Account>, DiscoverError> {
    let mut accounts = Vec::new();
    let mut pages = organizations
        .list_accounts_for_parent()
        .parent_id(&parent.id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            DiscoverError::aws(
                "organizations:ListAccountsForParent",
                &AwsErrorInfo::from_sdk_error(&err),
            )
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
                email: account.email().unwrap_or_default().to_owned(),
                status,
                ou_path: if parent.path.is_empty() {
                    "/".into()
                } else {
                    parent.path.clone()
                },
                ou_ids: parent.ancestry.clone(),
            });
        }
    }
    Ok(accounts)
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
