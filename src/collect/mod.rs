//! The collect stage: reads, from every account in scope, the facts the checks need, and the
//! organization-wide facts once, in the accounts that own them.
//!
//! One unit of work per account (at most `concurrency` accounts at a time), fanning out inside
//! to (account, Region) calls; every AWS call waits for one of `concurrency` permits, so no more
//! than that are in flight whatever the fan-out. A slow or failing account holds one slot and
//! the permits of its own calls only, never the others'. Each account's clients share one
//! config (the role is assumed once, its credentials cached and refreshed by the SDK) and
//! have a retry partition of their own ([`ClientFactory::account_clients`]).
//!
//! Collecting never fails as a whole: every failure is kept as a [`Collected::Error`] on the fact
//! it stopped. An account whose role cannot be assumed (or whose `GetCallerIdentity` fails) has
//! that error on every fact, and no other call is made in it. This stage reads only; it does not
//! judge (that is `evaluate`), and it makes one state change, the one IAM requires to read
//! the credential report: `GenerateCredentialReport`.

mod access_analyzer;
mod admins;
mod cloudtrail;
mod configservice;
mod control_tower;
mod ec2;
mod guardduty;
mod iam;
mod identity_center;
mod policies;
mod s3;
mod scps;
mod securityhub;
mod workloads;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use futures::StreamExt;
use futures::future::join_all;
use tokio::sync::OnceCell;
use tracing::Instrument;

use crate::aws::calls::Limiter;
use crate::aws::error::collect_error;
use crate::aws::{AccountClients, ClientFactory};
use crate::config::{ScanConfig, Selection};
use crate::discover::{DelegatedAdmin, Inventory};
use crate::facts::{
    AccountAccess, AccountFacts, AccountPlacement, AnalyzerFacts, CollectError, Collected,
    ConfigAggregators, GuardDutyOrganization, IdentityCenterFacts, IdentityCenterInstance,
    LogBucket, OrganizationFacts, OuRef, Regional, RegionalAggregators, SecurityHubOrganization,
    ServiceAdministration, Trail, WorkloadFacts, unread_in,
};

use self::iam::ReportPolling;

/// What to collect, and how: decided by the scan command from discovery and the auditor's scope.
#[derive(Debug, Clone)]
pub struct CollectPlan {
    /// The management account: read through the role like any member, unless it is the caller.
    pub management_account_id: String,
    /// The account of the caller's credentials: it is read with them, every other account
    /// through its role. The organization-wide reads are made with them too (Organizations'
    /// reads, the services' own admin lists), so that a scan from a delegated administrator shows
    /// what AWS allows there and what it allows the management account only.
    pub caller_account_id: String,
    /// The ACTIVE accounts in scope, in the order their facts are returned (may include the
    /// management account).
    pub accounts: Vec<String>,
    /// The scanned Regions, in order; global calls (IAM, STS) go to the first.
    pub regions: Vec<String>,
    /// The role assumed in each account (`OrganizationAccountAccessRole`, or the auditor role).
    pub role_name: String,
    /// The external id the role's trust policy asks for, if any.
    pub external_id: Option<String>,
    /// The role session name, which CloudTrail in each account records.
    pub session_name: String,
    /// The most AWS calls in flight at once (and the most accounts collected at once).
    pub concurrency: usize,
    /// Organizations' delegated administrators (discover's `ListDelegatedAdministrators`).
    pub organizations_admins: Collected<Vec<DelegatedAdmin>>,
    /// The account that holds the organization's external-access analyzers
    /// ([`administrator`] of Access Analyzer); an error when Organizations' administrators could
    /// not be read, for then no one knows where to look.
    pub access_analyzer_admin: Collected<String>,
    /// The account that runs IAM Identity Center for the organization ([`administrator`] of
    /// `sso.amazonaws.com`), or the error that hides it.
    pub identity_center_admin: Collected<String>,
    /// Every OU as (id, path), parents before children (discover's walk), for the SCPs
    /// attached to each.
    pub organizational_units: Vec<(String, String)>,
    /// Where each account of `accounts` sits (its OUs, root down), kept with the organization's
    /// policies so that the policies on each account's path can be told from the snapshot.
    pub placements: Vec<AccountPlacement>,
    /// A credential report generated at or before this instant is too old to be evidence (it
    /// cannot show a change made after it): its IAM users are read live. `None`: any report IAM
    /// hands out will do (at most four hours old).
    pub fresh_after: Option<jiff::Timestamp>,
}

impl CollectPlan {
    /// The plan of a scan of `selection` (what `config`'s scope resolved to in `inventory`),
    /// reading through `config`'s role as `session_name`.
    pub fn new(
        inventory: &Inventory,
        selection: &Selection,
        config: &ScanConfig,
        session_name: String,
        fresh_after: Option<jiff::Timestamp>,
    ) -> Self {
        let management = &inventory.organization.management_account_id;
        let ou_paths: HashMap<&str, &str> = inventory
            .organizational_units
            .iter()
            .map(|ou| (ou.id.as_str(), ou.path.as_str()))
            .collect();
        let scanned: HashSet<&str> = selection.scan.iter().map(String::as_str).collect();
        CollectPlan {
            management_account_id: management.clone(),
            caller_account_id: inventory.caller.account_id.clone(),
            accounts: selection.scan.clone(),
            regions: selection.regions.clone(),
            role_name: config.role_name.clone(),
            external_id: config.external_id.clone(),
            session_name,
            concurrency: config.concurrency,
            organizations_admins: inventory.delegated_admins.clone(),
            access_analyzer_admin: administrator(
                &inventory.delegated_admins,
                ACCESS_ANALYZER,
                management,
            ),
            identity_center_admin: administrator(
                &inventory.delegated_admins,
                IDENTITY_CENTER,
                management,
            ),
            organizational_units: inventory
                .organizational_units
                .iter()
                .map(|ou| (ou.id.clone(), ou.path.clone()))
                .collect(),
            placements: inventory
                .accounts
                .iter()
                .filter(|a| scanned.contains(a.id.as_str()))
                .map(|a| AccountPlacement {
                    account_id: a.id.clone(),
                    parents: a
                        .ou_ids
                        .iter()
                        .map(|id| OuRef {
                            id: id.clone(),
                            path: ou_paths
                                .get(id.as_str())
                                .unwrap_or(&id.as_str())
                                .to_string(),
                        })
                        .collect(),
                })
                .collect(),
            fresh_after,
        }
    }
}

/// What collection reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// One account's facts are complete.
    AccountDone {
        /// The account.
        account_id: String,
        /// How many of its facts are errors.
        errors: usize,
    },
}

/// Collects the facts of every account of `plan` and of the organization. Never fails: what
/// could not be read is kept as its error. Accounts come back in `plan.accounts` order;
/// `progress` hears of each as it completes.
pub async fn collect(
    factory: &ClientFactory,
    plan: &CollectPlan,
    progress: &(dyn Fn(Progress) + Sync),
) -> (OrganizationFacts, Vec<AccountFacts>) {
    let scan = Arc::new(Scan::new(
        factory.clone(),
        plan.clone(),
        ReportPolling::default(),
    ));

    let organization = {
        let task = tokio::spawn({
            let scan = Arc::clone(&scan);
            async move { scan.organization().await }.instrument(tracing::info_span!("organization"))
        });
        async {
            task.await.unwrap_or_else(|err| {
                let failure = internal_error(&err);
                OrganizationFacts {
                    management_account_id: plan.management_account_id.clone(),
                    // Every service still has its entry, so none can read as "no administrator".
                    delegated_admins: admins::SERVICES
                        .iter()
                        .map(|(service_principal, _)| ServiceAdministration {
                            service_principal: (*service_principal).to_owned(),
                            sources: vec![crate::facts::AdminSource {
                                api: "organizations:ListDelegatedAdministrators".into(),
                                region: None,
                                admin_account_ids: Collected::Error(failure.clone()),
                            }],
                        })
                        .collect(),
                    organization_analyzers: unread_in(
                        plan.access_analyzer_admin
                            .as_result()
                            .map_or(&plan.management_account_id, |admin| admin),
                        &scan.regions,
                        &failure,
                    ),
                    service_control_policies: Some(Collected::Error(failure.clone())),
                    config_aggregators: Some(ConfigAggregators {
                        delegated_admins: Collected::Error(failure.clone()),
                        regions: Vec::new(),
                    }),
                    policies: Some(Collected::Error(failure.clone())),
                    root_access: Some(Collected::Error(failure.clone())),
                    identity_center: Some(IdentityCenterFacts::unread(
                        plan.identity_center_admin.as_result().ok().cloned(),
                        &failure,
                    )),
                    trusted_access: Some(Collected::Error(failure.clone())),
                    guardduty_organization: Some(
                        scan.regions
                            .iter()
                            .map(|region| Regional {
                                region: region.to_string(),
                                facts: GuardDutyOrganization {
                                    admin_account_id: Collected::Error(failure.clone()),
                                    view: None,
                                },
                            })
                            .collect(),
                    ),
                    securityhub_organization: Some(SecurityHubOrganization {
                        admin_account_id: Collected::Error(failure.clone()),
                        view: None,
                    }),
                    control_tower: Some(Collected::Error(failure.clone())),
                    organization_trails: Collected::Error(failure),
                }
            })
        }
    };

    let accounts = async {
        let mut facts: Vec<Option<AccountFacts>> = vec![None; plan.accounts.len()];
        let mut done = futures::stream::iter(plan.accounts.iter().enumerate())
            .map(|(index, account_id)| {
                let id = account_id.clone();
                let task = tokio::spawn({
                    let scan = Arc::clone(&scan);
                    async move { scan.account(&id).await }
                        .instrument(tracing::info_span!("account", id = %account_id))
                });
                let scan = Arc::clone(&scan);
                async move {
                    let facts = task.await.unwrap_or_else(|err| {
                        AccountFacts::unreachable(account_id, &scan.regions, &internal_error(&err))
                    });
                    (index, facts)
                }
            })
            .buffer_unordered(plan.concurrency.max(1));
        while let Some((index, account)) = done.next().await {
            let errors = error_count(&account);
            tracing::debug!(account = %account.account_id, errors, "account collected");
            progress(Progress::AccountDone {
                account_id: account.account_id.clone(),
                errors,
            });
            facts[index] = Some(account);
        }
        facts.into_iter().flatten().collect::<Vec<_>>()
    };

    futures::join!(organization, accounts)
}

/// Whether each account of `plan` can be read, and as whom: only the access check a scan starts
/// every account with (the role assumed, one `GetCallerIdentity`), for `scan --preflight`.
pub async fn reach(
    factory: &ClientFactory,
    plan: &CollectPlan,
) -> Vec<(String, Collected<AccountAccess>)> {
    let scan = Arc::new(Scan::new(
        factory.clone(),
        plan.clone(),
        ReportPolling::default(),
    ));
    futures::stream::iter(plan.accounts.iter())
        .map(|id| {
            let scan = Arc::clone(&scan);
            async move { (id.clone(), scan.access(id).await.clone()) }
        })
        .buffered(plan.concurrency.max(1))
        .collect()
        .await
}

/// One organization-wide read a scan makes with the caller's credentials, and whether it could be
/// made from here.
#[derive(Debug, Clone)]
pub struct OrganizationRead {
    /// `organizations:ListPoliciesForTarget`, `securityhub:ListOrganizationAdminAccounts`, ...
    pub api: String,
    /// Its Region, for a regional service.
    pub region: Option<String>,
    /// Why it could not be made; `None` when it could.
    pub error: Option<CollectError>,
}

/// The organization-wide reads of a scan, each made once (the services' delegated
/// administrators, and the SCPs of the root alone), for `scan --preflight`.
pub async fn organization_reads(
    factory: &ClientFactory,
    plan: &CollectPlan,
) -> Vec<OrganizationRead> {
    let scan = Scan::new(factory.clone(), plan.clone(), ReportPolling::default());
    let organizations = factory.organizations(factory.base());
    let (admins, scps) = futures::join!(scan.delegated_admins(), async {
        let root = policies::root(&organizations, &scan.limiter).await;
        scps::service_control_policies(&organizations, &root, &[], &scan.limiter).await
    });
    let mut reads: Vec<OrganizationRead> = Vec::new();
    for source in admins.iter().flat_map(|a| &a.sources) {
        if !reads
            .iter()
            .any(|r| r.api == source.api && r.region == source.region)
        {
            reads.push(OrganizationRead {
                api: source.api.clone(),
                region: source.region.clone(),
                error: source.admin_account_ids.as_result().err().cloned(),
            });
        }
    }
    reads.push(OrganizationRead {
        api: "organizations:ListPoliciesForTarget".into(),
        region: None,
        error: scps.as_result().err().cloned(),
    });
    reads
}

/// One collection run: the plan, the factory, the permits, and what is read once per account.
struct Scan {
    factory: ClientFactory,
    plan: CollectPlan,
    regions: Vec<Region>,
    limiter: Limiter,
    polling: ReportPolling,
    accounts: HashMap<String, AccountScope>,
    /// The organization trails, read once: the organization's facts keep them, and each account
    /// asks whether it owns one of their buckets.
    organization_trails: OnceCell<Collected<Vec<Trail>>>,
}

/// What is read at most once in an account, whoever asks first: its clients, its access check
/// and, in the accounts whose facts also serve the organization (the management account, the
/// Access Analyzer and Identity Center administrators), its trails, analyzers and Identity
/// Center instances.
struct AccountScope {
    shared: bool,
    clients: OnceCell<AccountClients>,
    access: OnceCell<Collected<AccountAccess>>,
    trails: OnceCell<Collected<Vec<Trail>>>,
    analyzers: OnceCell<Vec<Regional<AnalyzerFacts>>>,
    identity_center: OnceCell<Collected<Vec<IdentityCenterInstance>>>,
}

impl AccountScope {
    fn new(shared: bool) -> Self {
        Self {
            shared,
            clients: OnceCell::new(),
            access: OnceCell::new(),
            trails: OnceCell::new(),
            analyzers: OnceCell::new(),
            identity_center: OnceCell::new(),
        }
    }
}

impl Scan {
    fn new(factory: ClientFactory, plan: CollectPlan, polling: ReportPolling) -> Self {
        let shared: Vec<&String> = std::iter::once(&plan.management_account_id)
            .chain(plan.access_analyzer_admin.as_result().ok())
            .chain(plan.identity_center_admin.as_result().ok())
            .collect();
        let mut accounts = HashMap::new();
        for id in plan.accounts.iter().chain(shared.iter().copied()) {
            accounts.insert(id.clone(), AccountScope::new(shared.contains(&id)));
        }
        // The caller's account holds the organization-wide reads, in scope or not.
        accounts
            .entry(plan.caller_account_id.clone())
            .or_insert_with(|| AccountScope::new(false));
        // The services' delegated administrators hold what the services know of the
        // organization (AWS Config's its aggregators, GuardDuty's its members).
        if let Collected::Ok(admins) = &plan.organizations_admins {
            for admin in admins
                .iter()
                .filter(|a| [GUARDDUTY, SECURITY_HUB].contains(&a.service_principal.as_str()))
            {
                accounts
                    .entry(admin.account_id.clone())
                    .or_insert_with(|| AccountScope::new(false));
            }
        }
        // AWS Config's delegated administrators are read for their aggregators only.
        if let Collected::Ok(config_admins) = config_admins(&plan.organizations_admins) {
            for id in config_admins {
                accounts
                    .entry(id)
                    .or_insert_with(|| AccountScope::new(false));
            }
        }
        Self {
            regions: plan.regions.iter().cloned().map(Region::new).collect(),
            limiter: Limiter::new(plan.concurrency),
            factory,
            plan,
            polling,
            accounts,
            organization_trails: OnceCell::new(),
        }
    }

    fn scope(&self, account_id: &str) -> &AccountScope {
        // Every account the scan reads was given a scope in `new`.
        &self.accounts[account_id]
    }

    /// The Region of global calls: the first scanned one, else the base config's.
    fn global_region(&self) -> Region {
        self.regions
            .first()
            .cloned()
            .unwrap_or_else(|| self.factory.region())
    }

    /// The account's clients: the caller's own credentials in the caller's account, the role
    /// everywhere else; global calls in the first scanned Region.
    async fn clients(&self, account_id: &str) -> &AccountClients {
        self.scope(account_id)
            .clients
            .get_or_init(|| async {
                let config: SdkConfig = if account_id == self.plan.caller_account_id {
                    self.factory.base().clone()
                } else {
                    self.factory
                        .member_config(
                            account_id,
                            &self.plan.role_name,
                            self.plan.external_id.as_deref(),
                            &self.plan.session_name,
                        )
                        .await
                };
                let config = config.into_builder().region(self.global_region()).build();
                self.factory.account_clients(account_id, config)
            })
            .await
    }

    /// The clients of an account that holds organization-wide facts: its cached clients, once
    /// its access check passed, when the scan knows the account; else clients made for this read
    /// alone (a service's own admin API can name an administrator outside the scan's scope), whose
    /// first call fails with the role's error if it cannot be assumed.
    async fn reader(
        &self,
        account_id: &str,
    ) -> Result<std::borrow::Cow<'_, AccountClients>, CollectError> {
        if self.accounts.contains_key(account_id) {
            return match self.access(account_id).await {
                Collected::Error(err) => Err(err.clone()),
                Collected::Ok(_) => Ok(std::borrow::Cow::Borrowed(self.clients(account_id).await)),
            };
        }
        let config = self
            .factory
            .member_config(
                account_id,
                &self.plan.role_name,
                self.plan.external_id.as_deref(),
                &self.plan.session_name,
            )
            .await
            .into_builder()
            .region(self.global_region())
            .build();
        Ok(std::borrow::Cow::Owned(
            self.factory.account_clients(account_id, config),
        ))
    }

    /// Whether the account can be read, by whom: one `GetCallerIdentity`, which also makes the
    /// SDK assume the role (so a role that cannot be assumed fails here, and nothing else is
    /// called in the account).
    async fn access(&self, account_id: &str) -> &Collected<AccountAccess> {
        self.scope(account_id)
            .access
            .get_or_init(|| async {
                let clients = self.clients(account_id).await;
                let region = clients.global_region();
                let answer = self
                    .limiter
                    .call(clients.sts().get_caller_identity().send())
                    .await;
                match answer {
                    Ok(identity) if identity.account() == Some(account_id) => {
                        Collected::Ok(AccountAccess {
                            principal_arn: identity.arn().unwrap_or_default().to_owned(),
                        })
                    }
                    Ok(identity) => Collected::Error(CollectError {
                        service: "sts".into(),
                        action: "GetCallerIdentity".into(),
                        region: Some(region.to_string()),
                        code: None,
                        message: format!(
                            "the credentials for account {account_id} act in account {}",
                            identity.account().unwrap_or("(none)")
                        ),
                        request_id: None,
                        http_status: None,
                    }),
                    Err(err) => Collected::Error(collect_error(
                        &err,
                        "sts",
                        "GetCallerIdentity",
                        Some(region.as_ref()),
                    )),
                }
            })
            .await
    }

    /// The account's trails (organization trails of other accounts left out), read once.
    async fn trails(&self, account_id: &str) -> Collected<Vec<Trail>> {
        let read = || async {
            let clients = self.clients(account_id).await;
            let client_in = |region: &Region| clients.cloudtrail(region);
            cloudtrail::trails(&client_in, account_id, &self.regions, &self.limiter).await
        };
        let scope = self.scope(account_id);
        if scope.shared {
            scope.trails.get_or_init(read).await.clone()
        } else {
            read().await
        }
    }

    /// The account's external-access analyzers per scanned Region, read once.
    async fn analyzers(&self, account_id: &str) -> Vec<Regional<AnalyzerFacts>> {
        let read = || async {
            let clients = self.clients(account_id).await;
            self.per_region(|region| async move {
                let client = clients.access_analyzer(region);
                access_analyzer::in_region(&client, account_id, region.as_ref(), &self.limiter)
                    .await
            })
            .await
        };
        let scope = self.scope(account_id);
        if scope.shared {
            scope.analyzers.get_or_init(read).await.clone()
        } else {
            read().await
        }
    }

    /// The Identity Center instances the account sees, read once.
    async fn identity_center_instances(
        &self,
        account_id: &str,
    ) -> Collected<Vec<IdentityCenterInstance>> {
        let read = || async {
            let clients = self.clients(account_id).await;
            identity_center::instances(&clients.sso_admin(&clients.global_region()), &self.limiter)
                .await
        };
        let scope = self.scope(account_id);
        if scope.shared {
            scope.identity_center.get_or_init(read).await.clone()
        } else {
            read().await
        }
    }

    /// The facts of one account.
    async fn account(&self, account_id: &str) -> AccountFacts {
        let access = self.access(account_id).await.clone();
        if let Collected::Error(err) = &access {
            return AccountFacts::unreachable(account_id, &self.regions, err);
        }
        let clients = self.clients(account_id).await;
        let iam = clients.iam();
        let limiter = &self.limiter;
        let (
            credential_report,
            account_summary,
            trails,
            analyzers,
            guardduty,
            securityhub,
            buckets,
            config,
            identity_center_instances,
            ec2_settings,
            workloads,
        ) = futures::join!(
            iam::credential_report(&iam, &self.limiter, &self.polling, self.plan.fresh_after),
            iam::account_summary(&iam, &self.limiter),
            self.trails(account_id),
            self.analyzers(account_id),
            self.per_region(|region| async move {
                guardduty::in_region(&clients.guardduty(region), region.as_ref(), limiter).await
            }),
            self.per_region(|region| async move {
                securityhub::in_region(&clients.securityhub(region), region.as_ref(), limiter).await
            }),
            self.buckets(clients),
            self.per_region(|region| async move {
                configservice::in_region(&clients.configservice(region), region.as_ref(), limiter)
                    .await
            }),
            self.identity_center_instances(account_id),
            self.per_region(|region| async move {
                ec2::settings_in_region(&clients.ec2(region), region.as_ref(), limiter).await
            }),
            self.workloads(account_id, clients),
        );
        AccountFacts {
            account_id: account_id.to_owned(),
            access,
            credential_report,
            account_summary,
            trails,
            analyzers,
            guardduty,
            securityhub,
            buckets: Some(buckets.0),
            log_buckets: buckets.1,
            config,
            identity_center_instances: Some(identity_center_instances),
            ec2_settings,
            workloads,
        }
    }

    /// The buckets the account owns and, for each that an organization trail delivers to, what
    /// protects it. An account waits for the organization trails here only once its own bucket
    /// list is read; the trails are read once for all.
    async fn buckets(&self, clients: &AccountClients) -> (Collected<Vec<String>>, Vec<LogBucket>) {
        let names = s3::bucket_names(&clients.s3(), &self.limiter).await;
        let Collected::Ok(owned) = &names else {
            return (names, Vec::new());
        };
        let log_buckets = match self.organization_trails().await {
            Collected::Ok(trails) => {
                let mut delivered: Vec<&str> = trails
                    .iter()
                    .filter_map(|t| t.s3_bucket.as_deref())
                    .filter(|b| owned.iter().any(|o| o == b))
                    .collect();
                delivered.sort_unstable();
                delivered.dedup();
                join_all(
                    delivered
                        .into_iter()
                        .map(|bucket| s3::log_bucket(clients, bucket, &self.limiter)),
                )
                .await
            }
            // The organization's facts keep the error; no check can judge the bucket without
            // the trail.
            Collected::Error(_) => Vec::new(),
        };
        (names, log_buckets)
    }

    /// The compute of the management account in every scanned Region; nothing for a member (no
    /// check asks it of one).
    async fn workloads(
        &self,
        account_id: &str,
        clients: &AccountClients,
    ) -> Vec<Regional<WorkloadFacts>> {
        if account_id != self.plan.management_account_id {
            return Vec::new();
        }
        let limiter = &self.limiter;
        self.per_region(|region| async move {
            workloads::in_region(
                &clients.ec2(region),
                &clients.lambda(region),
                region.as_ref(),
                limiter,
            )
            .await
        })
        .await
    }

    /// `read` in every scanned Region at once, each Region's facts kept with it, in Region order.
    async fn per_region<'s, T, Read>(
        &'s self,
        read: impl Fn(&'s Region) -> Read,
    ) -> Vec<Regional<T>>
    where
        Read: Future<Output = T>,
    {
        join_all(self.regions.iter().map(|region| {
            let facts = read(region);
            async move {
                Regional {
                    region: region.to_string(),
                    facts: facts.await,
                }
            }
        }))
        .await
    }

    /// The organization's facts, each read once in the account that owns it.
    async fn organization(&self) -> OrganizationFacts {
        let organizations = self.factory.organizations(self.factory.base());
        let iam = self.factory.iam(self.factory.base());
        // The root is read once; both readers of the organization's policies start from it.
        let policy_reads = async {
            let root = policies::root(&organizations, &self.limiter).await;
            futures::join!(
                scps::service_control_policies(
                    &organizations,
                    &root,
                    &self.plan.organizational_units,
                    &self.limiter
                ),
                policies::organization_policies(
                    &organizations,
                    &root,
                    self.plan.placements.clone(),
                    &self.limiter
                ),
            )
        };
        let (
            organization_trails,
            organization_analyzers,
            (delegated_admins, guardduty_organization, securityhub_organization),
            aggregators,
            (scps, policies),
            root_access,
            identity_center,
            trusted_access,
            control_tower,
        ) = futures::join!(
            async { self.organization_trails().await.clone() },
            self.organization_analyzers(),
            async {
                let admins = self.delegated_admins().await;
                let (guardduty, securityhub) = futures::join!(
                    self.guardduty_organization(&admins),
                    self.securityhub_organization(&admins),
                );
                (admins, guardduty, securityhub)
            },
            self.config_aggregators(),
            policy_reads,
            iam::organizations_features(&iam, &self.limiter),
            self.identity_center(),
            admins::trusted_access(&organizations, &self.limiter),
            async {
                let client_in =
                    |region: &Region| self.factory.controltower(self.factory.base(), region);
                control_tower::landing_zone(&client_in, &self.regions, &self.limiter).await
            },
        );
        OrganizationFacts {
            management_account_id: self.plan.management_account_id.clone(),
            delegated_admins,
            organization_trails,
            organization_analyzers,
            service_control_policies: Some(scps),
            config_aggregators: Some(aggregators),
            policies: Some(policies),
            root_access: Some(root_access),
            identity_center: Some(identity_center),
            trusted_access: Some(trusted_access),
            guardduty_organization: Some(guardduty_organization),
            securityhub_organization: Some(securityhub_organization),
            control_tower: Some(control_tower),
        }
    }

    /// Security Hub's central configuration, read in the account that administers Security Hub
    /// (see [`SecurityHubOrganization::admin_account_id`]).
    async fn securityhub_organization(
        &self,
        admins: &[ServiceAdministration],
    ) -> SecurityHubOrganization {
        let sources: &[crate::facts::AdminSource] = admins
            .iter()
            .find(|a| a.service_principal == SECURITY_HUB)
            .map_or(&[], |a| a.sources.as_slice());
        let first = self.regions.first().map(Region::as_ref);
        let own = sources
            .iter()
            .find(|s| s.region.is_some() && s.region.as_deref() == first);
        let organizations = sources.iter().find(|s| s.region.is_none());
        let admin_account_id = administrator_of_region(own, organizations);
        let view = match &admin_account_id {
            Collected::Ok(Some(admin)) => Some(match self.reader(admin).await {
                Err(err) => Collected::Error(err),
                Ok(clients) => {
                    let regions: Vec<String> = self.regions.iter().map(Region::to_string).collect();
                    let client_in =
                        |region: &str| clients.securityhub(&Region::new(region.to_owned()));
                    securityhub::admin_view(&client_in, &regions, &self.limiter).await
                }
            }),
            _ => None,
        };
        SecurityHubOrganization {
            admin_account_id,
            view,
        }
    }

    /// GuardDuty for the organization in every scanned Region, read in the account that
    /// administers it there (see [`GuardDutyOrganization::admin_account_id`]).
    async fn guardduty_organization(
        &self,
        admins: &[ServiceAdministration],
    ) -> Vec<Regional<GuardDutyOrganization>> {
        let sources: &[crate::facts::AdminSource] = admins
            .iter()
            .find(|a| a.service_principal == GUARDDUTY)
            .map_or(&[], |a| a.sources.as_slice());
        let organizations = sources.iter().find(|s| s.region.is_none());
        self.per_region(|region| async move {
            let own = sources
                .iter()
                .find(|s| s.region.as_deref() == Some(region.as_ref()));
            let admin_account_id = administrator_of_region(own, organizations);
            let view = match &admin_account_id {
                Collected::Ok(Some(admin)) => Some(match self.reader(admin).await {
                    Err(err) => Collected::Error(err),
                    Ok(clients) => {
                        guardduty::admin_view(
                            &clients.guardduty(region),
                            region.as_ref(),
                            &self.limiter,
                        )
                        .await
                    }
                }),
                _ => None,
            };
            GuardDutyOrganization {
                admin_account_id,
                view,
            }
        })
        .await
    }

    /// IAM Identity Center in the account that runs it for the organization: the instances it
    /// sees and, for the organization instance (the one the management account owns), its
    /// permission sets, read in the instance's Region.
    async fn identity_center(&self) -> IdentityCenterFacts {
        let admin = match &self.plan.identity_center_admin {
            Collected::Ok(admin) => admin,
            Collected::Error(err) => return IdentityCenterFacts::unread(None, err),
        };
        let unread = |err: &CollectError| IdentityCenterFacts::unread(Some(admin.clone()), err);
        if let Collected::Error(err) = self.access(admin).await {
            return unread(err);
        }
        let instances = self.identity_center_instances(admin).await;
        let organization_instance = match &instances {
            Collected::Error(err) => return unread(err),
            Collected::Ok(instances) => instances
                .iter()
                .find(|i| i.owner_account_id == self.plan.management_account_id),
        };
        let permission_sets = match organization_instance {
            None => Collected::Ok(Vec::new()),
            Some(instance) => match &instance.region {
                None => Collected::Error(identity_center::missing(
                    "ListInstances",
                    self.global_region().as_ref(),
                    "ListInstances did not give the organization instance's Region \
                     (PrimaryRegion), where its permission sets are read",
                )),
                Some(region) => {
                    let clients = self.clients(admin).await;
                    identity_center::permission_sets(
                        &clients.sso_admin(&Region::new(region.clone())),
                        &instance.arn,
                        region,
                        &self.limiter,
                    )
                    .await
                }
            },
        };
        IdentityCenterFacts {
            account_id: Some(admin.clone()),
            instances,
            permission_sets,
        }
    }

    /// The AWS Config aggregators in every scanned Region of each delegated administrator for
    /// AWS Config, or of the management account when none is registered (where an organization
    /// aggregator can be made). None is read when the administrators could not be.
    async fn config_aggregators(&self) -> ConfigAggregators {
        let delegated_admins = config_admins(&self.plan.organizations_admins);
        let holders = match &delegated_admins {
            Collected::Error(_) => Vec::new(),
            Collected::Ok(admins) if admins.is_empty() => {
                vec![self.plan.management_account_id.clone()]
            }
            Collected::Ok(admins) => admins.clone(),
        };
        let regions = join_all(holders.iter().map(|account_id| async move {
            if let Collected::Error(err) = self.access(account_id).await {
                return self
                    .regions
                    .iter()
                    .map(|region| RegionalAggregators {
                        account_id: account_id.clone(),
                        region: region.to_string(),
                        aggregators: Collected::Error(err.clone()),
                    })
                    .collect();
            }
            let clients = self.clients(account_id).await;
            join_all(self.regions.iter().map(|region| async move {
                configservice::regional_aggregators(
                    &clients.configservice(region),
                    account_id,
                    region.as_ref(),
                    &self.limiter,
                )
                .await
            }))
            .await
        }))
        .await;
        ConfigAggregators {
            delegated_admins,
            regions: regions.into_iter().flatten().collect(),
        }
    }

    /// The organization trails, read where the caller can read them: in the management account
    /// when the caller is in it; else in the caller's own account, where CloudTrail shows every
    /// organization trail (a member sees it, and reads its status and selectors by ARN), so that
    /// a scan from a delegated administrator does not depend on reaching the management
    /// account's role for the trail that covers every account.
    async fn organization_trails(&self) -> &Collected<Vec<Trail>> {
        self.organization_trails
            .get_or_init(|| self.read_organization_trails())
            .await
    }

    /// Reads them, once (see [`Self::organization_trails`]).
    async fn read_organization_trails(&self) -> Collected<Vec<Trail>> {
        let management = &self.plan.management_account_id;
        let caller = &self.plan.caller_account_id;
        let trails = if caller == management {
            if let Collected::Error(err) = self.access(management).await {
                return Collected::Error(err.clone());
            }
            self.trails(management).await
        } else {
            let clients = self.clients(caller).await;
            let client_in = |region: &Region| clients.cloudtrail(region);
            cloudtrail::trails(&client_in, management, &self.regions, &self.limiter).await
        };
        match trails {
            Collected::Ok(trails) => Collected::Ok(
                trails
                    .into_iter()
                    .filter(|trail| trail.organization_trail)
                    .collect(),
            ),
            Collected::Error(err) => Collected::Error(err),
        }
    }

    /// The ORGANIZATION analyzers, per Region, of the Access Analyzer administrator; where it
    /// is unknown, an error in every Region (an analyzer there might cover every account).
    async fn organization_analyzers(&self) -> Vec<Regional<AnalyzerFacts>> {
        let admin = match &self.plan.access_analyzer_admin {
            Collected::Ok(admin) => admin,
            Collected::Error(err) => {
                return unread_in(&self.plan.management_account_id, &self.regions, err);
            }
        };
        if let Collected::Error(err) = self.access(admin).await {
            return unread_in(admin, &self.regions, err);
        }
        self.analyzers(admin)
            .await
            .into_iter()
            .map(|mut regional| {
                if let Collected::Ok(analyzers) = &mut regional.facts.analyzers {
                    analyzers.retain(|a| a.analyzer_type == "ORGANIZATION");
                }
                regional
            })
            .collect()
    }

    /// Per service, what Organizations and the service's own admin API (per Region) say about
    /// its administrator, read with the caller's credentials. Security Hub and GuardDuty answer
    /// their `ListOrganizationAdminAccounts` to the management account only (their API
    /// references); from a delegated administrator each Region's answer is AWS's refusal, kept
    /// as that source's error. They are not read through the management account's role: the
    /// auditor role reads an account's own facts and has no organization-wide permission.
    async fn delegated_admins(&self) -> Vec<ServiceAdministration> {
        let clients = self.clients(&self.plan.caller_account_id).await;
        let (securityhub, guardduty) = futures::join!(
            join_all(self.regions.iter().map(|region| async move {
                let client = clients.securityhub(region);
                admins::securityhub_source(&client, region.as_ref(), &self.limiter).await
            })),
            join_all(self.regions.iter().map(|region| async move {
                let client = clients.guardduty(region);
                admins::guardduty_source(&client, region.as_ref(), &self.limiter).await
            })),
        );
        let (mut securityhub, mut guardduty) = (Some(securityhub), Some(guardduty));
        admins::SERVICES
            .iter()
            .map(|(service_principal, principals)| {
                let mut sources = vec![admins::organizations_source(
                    &self.plan.organizations_admins,
                    principals,
                )];
                let own = match *service_principal {
                    "securityhub.amazonaws.com" => securityhub.take(),
                    "guardduty.amazonaws.com" => guardduty.take(),
                    _ => None,
                };
                sources.extend(own.unwrap_or_default());
                ServiceAdministration {
                    service_principal: (*service_principal).to_owned(),
                    sources,
                }
            })
            .collect()
    }
}

/// IAM Access Analyzer's service principal.
pub const ACCESS_ANALYZER: &str = "access-analyzer.amazonaws.com";
/// GuardDuty's service principal.
const GUARDDUTY: &str = "guardduty.amazonaws.com";
/// Security Hub's service principal.
const SECURITY_HUB: &str = "securityhub.amazonaws.com";
/// IAM Identity Center's service principal.
pub const IDENTITY_CENTER: &str = "sso.amazonaws.com";

/// The account that runs `service_principal`'s organization-wide resources (the organization
/// analyzers of Access Analyzer, the organization instance of Identity Center): its delegated
/// administrator in Organizations' list, else the management account (where they can be made
/// without one); Organizations' error when the list could not be read.
pub fn administrator(
    admins: &Collected<Vec<DelegatedAdmin>>,
    service_principal: &str,
    management_account_id: &str,
) -> Collected<String> {
    match admins {
        Collected::Ok(admins) => Collected::Ok(
            admins
                .iter()
                .find(|a| a.service_principal == service_principal)
                .map_or_else(
                    || management_account_id.to_owned(),
                    |a| a.account_id.clone(),
                ),
        ),
        Collected::Error(err) => Collected::Error(err.clone()),
    }
}

/// A regional service's administrator in one Region, from its own admin list there (`own`) and
/// Organizations' (`organizations`). The service's own list is the truth of the Region;
/// Organizations names a member administrator too, but never the management account, so its
/// silence cannot stand in for an unread own list.
fn administrator_of_region(
    own: Option<&crate::facts::AdminSource>,
    organizations: Option<&crate::facts::AdminSource>,
) -> Collected<Option<String>> {
    let organizations = organizations.map(|s| &s.admin_account_ids);
    match (own.map(|s| &s.admin_account_ids), organizations) {
        (Some(Collected::Ok(ids)), _) => Collected::Ok(ids.first().cloned()),
        (Some(Collected::Error(_)), Some(Collected::Ok(ids))) if !ids.is_empty() => {
            Collected::Ok(ids.first().cloned())
        }
        (Some(Collected::Error(err)), _) | (None, Some(Collected::Error(err))) => {
            Collected::Error(err.clone())
        }
        (None, Some(Collected::Ok(ids))) => Collected::Ok(ids.first().cloned()),
        (None, None) => Collected::Ok(None),
    }
}

/// AWS Config's delegated administrators (for its aggregators) in Organizations' list.
fn config_admins(admins: &Collected<Vec<DelegatedAdmin>>) -> Collected<Vec<String>> {
    admins::organizations_source(admins, &[admins::CONFIG_AGGREGATORS]).admin_account_ids
}

/// A unit of work that panicked or was cancelled: a bug in posture, kept like any other failure
/// so that the rest of the scan stands.
fn internal_error(err: &tokio::task::JoinError) -> CollectError {
    CollectError {
        service: "posture".into(),
        action: "Collect".into(),
        region: None,
        code: None,
        message: format!("collecting failed inside posture: {err}"),
        request_id: None,
        http_status: None,
    }
}

/// How many of an account's facts are errors (each trail's and analyzer's own included).
fn error_count(facts: &AccountFacts) -> usize {
    fn is_error<T>(fact: &Collected<T>) -> usize {
        usize::from(matches!(fact, Collected::Error(_)))
    }
    let trails = match &facts.trails {
        Collected::Ok(trails) => trails
            .iter()
            .map(|t| is_error(&t.status) + is_error(&t.selectors))
            .sum(),
        Collected::Error(_) => 1,
    };
    let regional: usize = facts.regional().iter().map(|r| r.errors().len()).sum();
    is_error(&facts.access)
        + is_error(&facts.credential_report)
        + is_error(&facts.account_summary)
        + facts.buckets.as_ref().map_or(0, is_error)
        + facts
            .log_buckets
            .iter()
            .map(|b| b.errors().count())
            .sum::<usize>()
        + trails
        + regional
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied() -> CollectError {
        CollectError {
            service: "sts".into(),
            action: "AssumeRole".into(),
            region: None,
            code: Some("AccessDenied".into()),
            message: "not authorized to perform: sts:AssumeRole".into(),
            request_id: Some("req".into()),
            http_status: Some(403),
        }
    }

    #[test]
    fn an_unreachable_account_has_the_error_on_every_fact_and_region() {
        let regions = [Region::new("us-east-1"), Region::new("eu-west-1")];
        let facts = AccountFacts::unreachable("111122223333", &regions, &denied());
        assert_eq!(facts.access, Collected::Error(denied()));
        assert_eq!(facts.credential_report, Collected::Error(denied()));
        assert_eq!(facts.account_summary, Collected::Error(denied()));
        assert_eq!(facts.trails, Collected::Error(denied()));
        assert_eq!(facts.buckets, Some(Collected::Error(denied())));
        let regions: Vec<&str> = facts.analyzers.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions, ["us-east-1", "eu-west-1"]);
        assert!(
            facts
                .analyzers
                .iter()
                .all(|r| r.facts.analyzers == Collected::Error(denied()))
        );
        let regions: Vec<&str> = facts.guardduty.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions, ["us-east-1", "eu-west-1"]);
        assert!(
            facts
                .guardduty
                .iter()
                .all(|r| r.facts.detectors == Collected::Error(denied()))
        );
        assert!(
            facts
                .securityhub
                .iter()
                .map(|r| r.region.as_str())
                .eq(["us-east-1", "eu-west-1"])
        );
        assert!(
            facts
                .securityhub
                .iter()
                .all(|r| r.facts.hub == Collected::Error(denied()))
        );
        let regions: Vec<&str> = facts.config.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions, ["us-east-1", "eu-west-1"]);
        assert!(facts.config.iter().all(|r| {
            r.facts.recorders == Collected::Error(denied())
                && r.facts.recorder_statuses == Collected::Error(denied())
                && r.facts.delivery_channels == Collected::Error(denied())
        }));
        // access, credential report, summary, buckets, trails, per Region analyzers, detectors
        // and hubs, and per Region the three AWS Config reads.
        assert_eq!(error_count(&facts), 17);
    }

    #[test]
    fn an_unreachable_account_serializes_as_posture_always_wrote_it() {
        let regions = [Region::new("us-east-1"), Region::new("eu-west-1")];
        let err = CollectError {
            message: "denied".into(),
            ..denied()
        };
        let facts = AccountFacts::unreachable("111122223333", &regions, &err);
        let written = serde_json::to_string(&facts).expect("serializes");
        assert_eq!(
            written,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/snapshots/regional/unreachable-account.json"
            ))
        );
        let read: AccountFacts = serde_json::from_str(&written).expect("parses");
        assert_eq!(read, facts);
    }
}
