//! Validated settings of a scan ("high args", ripgrep's `hiargs.rs`): the CLI's strings checked and
//! turned into typed values before any AWS call is spent, each bad input rejected with one line
//! that names it and says what to do. Checks that need the organization (does this OU exist?) are
//! made by [`Scope::select`] once discovery has run.

use std::collections::BTreeSet;
use std::path::PathBuf;

use thiserror::Error;

use crate::cli::ScanArgs;
use crate::discover::Inventory;

/// The default role assumed in every member account.
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";
/// How many AWS calls a scan keeps in flight by default. Against AWS a call takes tens of
/// milliseconds, mostly waiting, so a scan is bound by latency unless many calls overlap; the
/// limits that matter are per account, and the calls are spread over accounts.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Every Region of the `aws` partition posture knows, so that a typo fails before the scan starts.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// A bad input, named, with what to do.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Not a 12-digit account id.
    #[error("{flag}: {value:?} is not an AWS account id: give 12 digits, e.g. 123456789012")]
    AccountId {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
    },
    /// Not a Region posture knows.
    #[error(
        "--regions: {0:?} is not an AWS Region: use names like us-east-1, a comma-separated list, or `all`"
    )]
    Region(String),
    /// Not an OU id or path.
    #[error("--ous: {0:?} is neither an OU id (ou-xxxx-xxxxxxxx) nor an OU path (/Workloads/Prod)")]
    OuSyntax(String),
    /// An OU that the organization does not have.
    #[error("--ous: the organization has no OU {0:?}: see the OU paths with `posture scan --help`")]
    UnknownOu(String),
    /// A role name IAM would refuse.
    #[error(
        "--role-name: {0:?} is not a valid IAM role name: use 1 to 64 letters, digits and +=,.@_-"
    )]
    RoleName(String),
    /// An external id STS would refuse.
    #[error("--external-id: must be 2 to 1224 characters of letters, digits and +=,.@:/-")]
    ExternalId,
    /// Concurrency out of range.
    #[error("--concurrency: {0} is out of range: use 1 to 256")]
    Concurrency(usize),
    /// Accounts named that the organization does not have.
    #[error("--accounts: the organization has no account {0}: check the id")]
    UnknownAccount(String),
    /// A check id the catalogue does not have.
    #[error("--checks: there is no check {id:?}: the checks are {known}")]
    UnknownCheck {
        /// The id given.
        id: String,
        /// The ids there are, comma-separated.
        known: String,
    },
    /// Scope left nothing to scan.
    #[error("the scope selects no account: check --accounts, --exclude-accounts and --ous")]
    EmptyScope,
}

/// Which Regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionChoice {
    /// The Regions enabled for the caller's account.
    Enabled,
    /// Every Region posture knows (`--regions all`); opt-in Regions an account has not enabled
    /// will not answer, and show as ERROR.
    All,
    /// The Regions named.
    Listed(Vec<String>),
}

/// The scope of a scan: accounts, OUs and Regions, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `--accounts`: only these (empty = all).
    pub accounts: BTreeSet<String>,
    /// `--exclude-accounts`.
    pub exclude_accounts: BTreeSet<String>,
    /// `--ous`: ids (`ou-…`) or paths (`/Workloads`), nested OUs included.
    pub ous: Vec<String>,
    /// `--regions`.
    pub regions: RegionChoice,
}

/// A validated scan configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanConfig {
    /// What to scan.
    pub scope: Scope,
    /// The role to assume in each account.
    pub role_name: String,
    /// The external id the role's trust policy asks for.
    pub external_id: Option<String>,
    /// Units of work in flight.
    pub concurrency: usize,
    /// Where snapshots go.
    pub snapshots_dir: PathBuf,
    /// Whether account e-mail addresses go into the snapshot.
    pub keep_emails: bool,
    /// The checks to evaluate, in catalogue order (`--checks`; all by default).
    pub checks: Vec<String>,
}

/// The accounts a scope selects from an inventory: to scan (ACTIVE) and to skip (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// ACTIVE accounts in scope.
    pub scan: Vec<String>,
    /// Accounts in scope that are not ACTIVE: (id, reason).
    pub skip: Vec<(String, String)>,
    /// The Regions to scan.
    pub regions: Vec<String>,
}

impl ScanConfig {
    /// Validates the flags of `posture scan`.
    pub fn from_args(args: &ScanArgs) -> Result<Self, ConfigError> {
        let ScanArgs {
            accounts,
            exclude_accounts,
            ous,
            regions,
            role_name,
            external_id,
            concurrency,
            store,
            keep_emails,
            checks,
            ..
        } = args;
        let (regions, external_id, concurrency) =
            (regions.as_deref(), external_id.as_deref(), *concurrency);
        let accounts = account_ids("--accounts", accounts)?;
        let exclude_accounts = account_ids("--exclude-accounts", exclude_accounts)?;
        for ou in ous {
            let is_id = ou.starts_with("ou-") || ou.starts_with("r-");
            let is_path = ou.starts_with('/') && ou.len() > 1;
            if !(is_id || is_path) {
                return Err(ConfigError::OuSyntax(ou.clone()));
            }
        }
        let regions = match regions {
            None => RegionChoice::Enabled,
            Some([only]) if only == "all" => RegionChoice::All,
            Some(list) => {
                let mut unique = Vec::new();
                for region in list {
                    if !KNOWN_REGIONS.contains(&region.as_str()) {
                        return Err(ConfigError::Region(region.clone()));
                    }
                    if !unique.contains(region) {
                        unique.push(region.clone());
                    }
                }
                RegionChoice::Listed(unique)
            }
        };
        let valid_role = (1..=64).contains(&role_name.len())
            && role_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if !valid_role {
            return Err(ConfigError::RoleName(role_name.to_owned()));
        }
        if let Some(id) = external_id {
            let valid = (2..=1224).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
            if !valid {
                return Err(ConfigError::ExternalId);
            }
        }
        if !(1..=256).contains(&concurrency) {
            return Err(ConfigError::Concurrency(concurrency));
        }
        let catalogue: Vec<&str> = crate::evaluate::catalog()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        if let Some(unknown) = checks.iter().find(|id| !catalogue.contains(&id.as_str())) {
            return Err(ConfigError::UnknownCheck {
                id: unknown.clone(),
                known: catalogue.join(", "),
            });
        }
        let checks = catalogue
            .iter()
            .filter(|id| checks.is_empty() || checks.iter().any(|c| c == *id))
            .map(|id| (*id).to_owned())
            .collect();
        Ok(Self {
            scope: Scope {
                accounts,
                exclude_accounts,
                ous: ous.to_vec(),
                regions,
            },
            role_name: role_name.to_owned(),
            external_id: external_id.map(str::to_owned),
            concurrency,
            snapshots_dir: store.snapshots_dir.clone(),
            keep_emails: *keep_emails,
            checks,
        })
    }
}

impl Scope {
    /// Applies the scope to what discovery found.
    pub fn select(
        &self,
        inventory: &Inventory,
        enabled: &[String],
    ) -> Result<Selection, ConfigError> {
        for id in &self.accounts {
            if !inventory.accounts.iter().any(|a| &a.id == id) {
                return Err(ConfigError::UnknownAccount(id.clone()));
            }
        }
        let mut ou_ids = BTreeSet::new();
        for ou in &self.ous {
            let found = inventory
                .organizational_units
                .iter()
                .find(|o| &o.id == ou || &o.path == ou)
                .map(|o| o.id.clone())
                .or_else(|| ou.starts_with("r-").then(|| ou.clone()));
            ou_ids.insert(found.ok_or_else(|| ConfigError::UnknownOu(ou.clone()))?);
        }
        let in_scope = |account: &&crate::discover::Account| {
            (self.accounts.is_empty() || self.accounts.contains(&account.id))
                && !self.exclude_accounts.contains(&account.id)
                && (ou_ids.is_empty()
                    || ou_ids.iter().any(|ou| ou.starts_with("r-"))
                    || account.ou_ids.iter().any(|ou| ou_ids.contains(ou)))
        };
        let mut scan = Vec::new();
        let mut skip = Vec::new();
        for account in inventory.accounts.iter().filter(in_scope) {
            if account.status == "ACTIVE" {
                scan.push(account.id.clone());
            } else {
                skip.push((account.id.clone(), format!("account is {}", account.status)));
            }
        }
        if scan.is_empty() && skip.is_empty() {
            return Err(ConfigError::EmptyScope);
        }
        let regions = match &self.regions {
            RegionChoice::Enabled => enabled.to_vec(),
            RegionChoice::All => KNOWN_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            RegionChoice::Listed(list) => list.clone(),
        };
        Ok(Selection {
            scan,
            skip,
            regions,
        })
    }
}

fn account_ids(flag: &'static str, values: &[String]) -> Result<BTreeSet<String>, ConfigError> {
    values
        .iter()
        .map(|value| {
            if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                Ok(value.clone())
            } else {
                Err(ConfigError::AccountId {
                    flag,
                    value: value.clone(),
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(flags: &[&str]) -> Result<ScanConfig, ConfigError> {
        ScanConfig::from_args(&ScanArgs::from_flags(flags).expect("parses"))
    }

    #[test]
    fn rejects_an_unknown_region_by_name() {
        let err = config(&["--regions", "us-east-1,us-east-7"]).unwrap_err();
        assert_eq!(err, ConfigError::Region("us-east-7".into()));
        assert!(err.to_string().starts_with("--regions: \"us-east-7\""));
    }

    #[test]
    fn accepts_all_and_lists_of_regions() {
        assert_eq!(
            config(&["--regions", "all"]).unwrap().scope.regions,
            RegionChoice::All
        );
        assert_eq!(
            config(&["--regions", "eu-west-1,us-east-1,eu-west-1"])
                .unwrap()
                .scope
                .regions,
            RegionChoice::Listed(vec!["eu-west-1".into(), "us-east-1".into()])
        );
        assert_eq!(config(&[]).unwrap().scope.regions, RegionChoice::Enabled);
    }

    #[test]
    fn rejects_malformed_account_ids_role_names_and_ous() {
        assert!(matches!(
            config(&["--accounts", "12345"]).unwrap_err(),
            ConfigError::AccountId {
                flag: "--accounts",
                ..
            }
        ));
        assert_eq!(
            config(&["--role-name", "bad role!"]).unwrap_err(),
            ConfigError::RoleName("bad role!".into())
        );
        assert_eq!(
            config(&["--ous", "Workloads"]).unwrap_err(),
            ConfigError::OuSyntax("Workloads".into())
        );
        assert_eq!(
            config(&["--concurrency", "0"]).unwrap_err(),
            ConfigError::Concurrency(0)
        );
    }
}
