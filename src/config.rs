//! Validated settings of a scan ("high args", ripgrep's `hiargs.rs`): the CLI's strings and
//! `posture.toml` (see [`file`]) checked, merged and turned into typed values before any AWS call
//! is spent, each bad input rejected with one line that names it and says what to do. A flag
//! always wins over the file, and the file over the defaults. Checks that need the organization
//! (does this OU exist?) are made by [`Scope::select`] once discovery has run.

pub mod file;

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cli::{ReevaluateArgs, ScanArgs, ThresholdArgs};
use crate::discover::Inventory;
use crate::evaluate::waivers::WaiverEntry;
use crate::evaluate::{LandingZone, Thresholds};

pub use file::{ConfigFile, FileError};

/// The configuration file `posture scan` reads from the working directory when it exists and
/// `--config` names no other.
pub const CONFIG_FILE: &str = "posture.toml";
/// The range of every limit of `[thresholds]`, in days: at least a day, at most ten years.
pub const THRESHOLD_DAYS: RangeInclusive<u32> = 1..=3650;
/// The range of `--concurrency` and `[scan] concurrency`.
pub const CONCURRENCY: RangeInclusive<usize> = 1..=256;

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
    /// `all` given with Regions beside it.
    #[error(
        "--regions: `all` stands alone: give `--regions all` for every Region, or list the Regions without it"
    )]
    AllWithOthers,
    /// Not an OU id or path.
    #[error("--ous: {0:?} is neither an OU id (ou-xxxx-xxxxxxxx) nor an OU path (/Workloads/Prod)")]
    OuSyntax(String),
    /// An OU that the organization does not have.
    #[error("--ous: the organization has no OU {ou:?}: {known}")]
    UnknownOu {
        /// The OU given.
        ou: String,
        /// The OU paths the organization has, in a few words.
        known: String,
    },
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
    #[error("--checks: there is no check {id:?}: the checks are {known}, or `all` for every one")]
    UnknownCheck {
        /// The id given.
        id: String,
        /// The ids there are, comma-separated.
        known: String,
    },
    /// Scope left nothing to scan.
    #[error("the scope selects no account: check --accounts, --exclude-accounts and --ous")]
    EmptyScope,
    /// A limit flag out of range.
    #[error("{flag}: {value} is out of range: use 1 to 3650 (days)")]
    Threshold {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: u32,
    },
    /// `--config` names a file that is not there.
    #[error("--config: {} does not exist", .0.display())]
    ConfigMissing(PathBuf),
    /// The configuration file exists but could not be read.
    #[error("{}: could not be read: {message}", path.display())]
    ConfigUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The configuration file does not parse or validate.
    #[error(transparent)]
    File(#[from] FileError),
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
    /// The checks to evaluate, in catalogue order (`--checks`, else `[checks]`; all by default).
    pub checks: Vec<String>,
    /// The limits the findings are judged with: the flags over `[thresholds]` over the defaults.
    pub thresholds: Thresholds,
    /// How the landing zone's parts are recognised: `[landing_zone]`, else the defaults.
    pub landing_zone: LandingZone,
    /// The accepted risks (`[[waiver]]`) to mark findings with, in file order.
    pub waivers: Vec<WaiverEntry>,
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
    /// How new a credential report must be to be evidence (`--fresh-after`).
    pub fresh_after: FreshAfter,
}

/// How new an account's credential report must be, or its IAM users are read live
/// (`--fresh-after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreshAfter {
    /// Generated after the newest snapshot's scan ended: a change made since shows.
    Previous,
    /// Generated after this instant (the end of a change window).
    At(jiff::Timestamp),
    /// Any report IAM hands out (at most four hours old).
    Any,
}

impl std::str::FromStr for FreshAfter {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "previous" => Ok(Self::Previous),
            "any" => Ok(Self::Any),
            _ => text.parse().map(Self::At).map_err(|_| {
                "give `previous`, `any`, or an RFC 3339 time such as 2026-12-06T18:00:00Z"
                    .to_owned()
            }),
        }
    }
}

/// Limits set in `posture.toml` or by flags; `None` leaves the one beneath (the file's, the
/// snapshot's or the default) as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThresholdOverrides {
    /// `access_key_max_age_days`.
    pub access_key_max_age_days: Option<u32>,
    /// `access_key_max_unused_days`.
    pub access_key_max_unused_days: Option<u32>,
}

impl ThresholdOverrides {
    /// These over `under`: each limit set here wins.
    pub fn over(self, under: Self) -> Self {
        Self {
            access_key_max_age_days: self
                .access_key_max_age_days
                .or(under.access_key_max_age_days),
            access_key_max_unused_days: self
                .access_key_max_unused_days
                .or(under.access_key_max_unused_days),
        }
    }

    /// `base` with these limits set.
    pub fn apply(self, base: Thresholds) -> Thresholds {
        Thresholds {
            access_key_max_age_days: self
                .access_key_max_age_days
                .unwrap_or(base.access_key_max_age_days),
            access_key_max_unused_days: self
                .access_key_max_unused_days
                .unwrap_or(base.access_key_max_unused_days),
        }
    }

    /// The limit flags, validated.
    ///
    /// # Errors
    /// A flag out of [`THRESHOLD_DAYS`].
    pub fn from_flags(args: &ThresholdArgs) -> Result<Self, ConfigError> {
        let check = |flag: &'static str, value: Option<u32>| match value {
            Some(days) if !THRESHOLD_DAYS.contains(&days) => {
                Err(ConfigError::Threshold { flag, value: days })
            }
            other => Ok(other),
        };
        Ok(Self {
            access_key_max_age_days: check(
                "--access-key-max-age-days",
                args.access_key_max_age_days,
            )?,
            access_key_max_unused_days: check(
                "--access-key-max-unused-days",
                args.access_key_max_unused_days,
            )?,
        })
    }
}

/// Reads and validates the configuration file: `explicit` (`--config`) when given, which must
/// exist; else, when `discover`, [`CONFIG_FILE`] in the working directory if it is there; else
/// none.
///
/// # Errors
/// A `--config` path that does not exist, a file that cannot be read, or one that does not parse
/// or validate (one line naming the file, the line and the key).
pub fn read_config_file(
    explicit: Option<&Path>,
    discover: bool,
) -> Result<Option<ConfigFile>, ConfigError> {
    let path = match explicit {
        Some(path) if !path.exists() => return Err(ConfigError::ConfigMissing(path.to_owned())),
        Some(path) => path,
        None if discover && Path::new(CONFIG_FILE).exists() => Path::new(CONFIG_FILE),
        None => return Ok(None),
    };
    let text = crate::files::read_regular(path, crate::files::Links::Follow)
        .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other))
        .map_err(|err| ConfigError::ConfigUnreadable {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
    let catalogue: Vec<&str> = crate::evaluate::catalog()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    Ok(Some(file::parse(path, &text, &catalogue)?))
}

/// The validated settings of `posture reevaluate`: the limits to judge with over the snapshot's
/// own, and the waivers. The configuration file is read only when `--config` names it: a
/// re-evaluation judges with the limits and waivers the scan used unless asked otherwise, whatever
/// `posture.toml` lies about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReevaluateConfig {
    /// The limits the flags and `--config`'s `[thresholds]` set, flags first.
    pub thresholds: ThresholdOverrides,
    /// `--config`'s `[landing_zone]`, which replaces the snapshot's; `None` when no file was read
    /// or it has no such table.
    pub landing_zone: Option<LandingZone>,
    /// `--config`'s waivers, which replace the snapshot's; `None` without `--config`, when the
    /// snapshot's own apply again.
    pub waivers: Option<Vec<WaiverEntry>>,
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
    /// The checks `--checks` names, in catalogue order; `None` without it, when the scan's own
    /// checks are evaluated again.
    pub checks: Option<Vec<String>>,
}

impl ReevaluateConfig {
    /// Validates the flags of `posture reevaluate` and reads `--config`.
    ///
    /// # Errors
    /// See [`read_config_file`] and [`ThresholdOverrides::from_flags`].
    pub fn load(args: &ReevaluateArgs) -> Result<Self, ConfigError> {
        let flags = ThresholdOverrides::from_flags(&args.thresholds)?;
        let file = read_config_file(args.config.as_deref(), false)?;
        Ok(Self {
            thresholds: flags.over(file.as_ref().map(|f| f.thresholds).unwrap_or_default()),
            landing_zone: file.as_ref().and_then(|f| f.landing_zone.clone()),
            waivers: file.as_ref().map(|f| f.waivers.clone()),
            config_file: file.map(|f| f.path),
            checks: check_choice(&args.checks)?,
        })
    }
}

/// The checks `--checks` names, in catalogue order (`all`: every one); `None` when it names none.
fn check_choice(named: &[String]) -> Result<Option<Vec<String>>, ConfigError> {
    if named.is_empty() {
        return Ok(None);
    }
    let catalogue: Vec<&str> = crate::evaluate::catalog()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let all = named.iter().any(|id| id == "all");
    if let Some(unknown) = named
        .iter()
        .find(|id| *id != "all" && !catalogue.contains(&id.as_str()))
    {
        return Err(ConfigError::UnknownCheck {
            id: unknown.clone(),
            known: catalogue.join(", "),
        });
    }
    Ok(Some(
        catalogue
            .iter()
            .filter(|id| all || named.iter().any(|c| c == *id))
            .map(|id| (*id).to_owned())
            .collect(),
    ))
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
    /// Reads the configuration file (`--config`, else `./posture.toml` unless `--no-config`) and
    /// validates the flags of `posture scan` over it.
    ///
    /// # Errors
    /// The first bad flag or the file's first problem, in one line.
    pub fn load(args: &ScanArgs) -> Result<Self, ConfigError> {
        let file = read_config_file(args.config.as_deref(), !args.no_config)?;
        Self::from_args(args, file.as_ref())
    }

    /// Validates the flags of `posture scan` over what `file` sets.
    ///
    /// # Errors
    /// The first bad flag.
    pub fn from_args(args: &ScanArgs, file: Option<&ConfigFile>) -> Result<Self, ConfigError> {
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
            thresholds,
            fresh_after,
            ..
        } = args;
        let external_id = external_id.as_deref();
        let accounts = account_ids("--accounts", accounts)?;
        let exclude_accounts = account_ids("--exclude-accounts", exclude_accounts)?;
        for ou in ous {
            let is_id = ou.starts_with("ou-") || ou.starts_with("r-");
            let is_path = ou.starts_with('/') && ou.len() > 1;
            if !(is_id || is_path) {
                return Err(ConfigError::OuSyntax(ou.clone()));
            }
        }
        let regions = match (regions, file.and_then(|f| f.regions.clone())) {
            (Some(list), _) => region_choice(list).map_err(|bad| match bad {
                BadRegions::NotARegion(name) => ConfigError::Region(name),
                BadRegions::AllWithOthers => ConfigError::AllWithOthers,
            })?,
            (None, Some(from_file)) => from_file,
            (None, None) => RegionChoice::Enabled,
        };
        let role_name = match (role_name, file.and_then(|f| f.role_name.clone())) {
            (Some(name), _) if !valid_role_name(name) => {
                return Err(ConfigError::RoleName(name.clone()));
            }
            (Some(name), _) => name.clone(),
            (None, Some(from_file)) => from_file,
            (None, None) => DEFAULT_ROLE_NAME.to_owned(),
        };
        if let Some(id) = external_id {
            let valid = (2..=1224).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
            if !valid {
                return Err(ConfigError::ExternalId);
            }
        }
        let concurrency = match (concurrency, file.and_then(|f| f.concurrency)) {
            (Some(n), _) if !CONCURRENCY.contains(n) => return Err(ConfigError::Concurrency(*n)),
            (Some(n), _) => *n,
            (None, Some(from_file)) => from_file,
            (None, None) => DEFAULT_CONCURRENCY,
        };
        // `--checks` replaces the file's selection whole: `only` and `skip` alike.
        let checks = match (check_choice(checks)?, file.and_then(|f| f.checks.clone())) {
            (Some(named), _) => named,
            (None, Some(from_file)) => from_file,
            (None, None) => crate::evaluate::catalog()
                .iter()
                .map(|c| c.id.clone())
                .collect(),
        };
        let thresholds = ThresholdOverrides::from_flags(thresholds)?
            .over(file.map(|f| f.thresholds).unwrap_or_default())
            .apply(Thresholds::default());
        Ok(Self {
            scope: Scope {
                accounts,
                exclude_accounts,
                ous: ous.to_vec(),
                regions,
            },
            role_name,
            external_id: external_id.map(str::to_owned),
            concurrency,
            snapshots_dir: store.snapshots_dir.clone(),
            keep_emails: *keep_emails,
            fresh_after: *fresh_after,
            checks,
            thresholds,
            landing_zone: file
                .and_then(|f| f.landing_zone.clone())
                .unwrap_or_default(),
            waivers: file.map(|f| f.waivers.clone()).unwrap_or_default(),
            config_file: file.map(|f| f.path.clone()),
        })
    }
}

/// What is wrong with a list of Regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadRegions {
    /// The first name that is not a Region.
    NotARegion(String),
    /// `all` with Regions beside it: it already means every one of them.
    AllWithOthers,
}

/// `--regions` or `[scan] regions`: `all`, or known Regions (duplicates dropped).
pub(crate) fn region_choice(list: &[String]) -> Result<RegionChoice, BadRegions> {
    if let [only] = list
        && only == "all"
    {
        return Ok(RegionChoice::All);
    }
    if list.iter().any(|r| r == "all") {
        return Err(BadRegions::AllWithOthers);
    }
    let mut unique = Vec::new();
    for region in list {
        if !KNOWN_REGIONS.contains(&region.as_str()) {
            return Err(BadRegions::NotARegion(region.clone()));
        }
        if !unique.contains(region) {
            unique.push(region.clone());
        }
    }
    Ok(RegionChoice::Listed(unique))
}

/// Whether `id` is an AWS account id: 12 digits.
pub(crate) fn valid_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether IAM would accept `name` as a role name.
pub(crate) fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
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
            ou_ids.insert(found.ok_or_else(|| ConfigError::UnknownOu {
                ou: ou.clone(),
                known: known_ous(inventory),
            })?);
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

/// The most OU paths an unknown `--ous` lists: enough for most organizations, one line for any.
const OUS_LISTED: usize = 20;

/// The OU paths the organization has, for the line refusing an unknown `--ous`: nothing else
/// shows them (the help cannot, it knows no organization).
fn known_ous(inventory: &Inventory) -> String {
    let mut paths: Vec<&str> = inventory
        .organizational_units
        .iter()
        .map(|ou| ou.path.as_str())
        .collect();
    paths.sort_unstable();
    match paths.len() {
        0 => "it has no OUs: every account is directly under its root".to_owned(),
        n if n <= OUS_LISTED => format!("its OUs are {}", paths.join(", ")),
        n => format!(
            "its OUs include {}, and {} more",
            paths[..OUS_LISTED].join(", "),
            n - OUS_LISTED
        ),
    }
}

fn account_ids(flag: &'static str, values: &[String]) -> Result<BTreeSet<String>, ConfigError> {
    values
        .iter()
        .map(|value| {
            if valid_account_id(value) {
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
        ScanConfig::from_args(&ScanArgs::from_flags(flags).expect("parses"), None)
    }

    fn with_file(flags: &[&str], text: &str) -> Result<ScanConfig, ConfigError> {
        let catalogue: Vec<&str> = crate::evaluate::catalog()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let file = file::parse(Path::new("posture.toml"), text, &catalogue).expect("valid");
        ScanConfig::from_args(&ScanArgs::from_flags(flags).expect("parses"), Some(&file))
    }

    #[test]
    fn rejects_an_unknown_region_by_name() {
        let err = config(&["--regions", "us-east-1,us-east-7"]).unwrap_err();
        assert_eq!(err, ConfigError::Region("us-east-7".into()));
        assert!(err.to_string().starts_with("--regions: \"us-east-7\""));
    }

    #[test]
    fn all_with_other_regions_is_refused_as_such() {
        for list in ["all,us-east-1", "us-east-1,all", "all,all", "all,us-east-7"] {
            let err = config(&["--regions", list]).unwrap_err();
            assert_eq!(err, ConfigError::AllWithOthers, "{list}");
            assert_eq!(
                err.to_string(),
                "--regions: `all` stands alone: give `--regions all` for every Region, or list the Regions without it"
            );
        }
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

    #[test]
    fn the_file_sets_what_no_flag_does() {
        let text = r#"
[checks]
skip = ["root-mfa"]

[thresholds]
access_key_max_age_days = 365

[scan]
regions = ["eu-west-1"]
role_name = "PostureAuditor"
concurrency = 8
"#;
        let config = with_file(&[], text).unwrap();
        assert!(!config.checks.iter().any(|c| c == "root-mfa"));
        assert_eq!(config.checks.len(), crate::evaluate::catalog().len() - 1);
        assert_eq!(
            config.thresholds,
            Thresholds {
                access_key_max_age_days: 365,
                ..Thresholds::default()
            }
        );
        assert_eq!(
            config.scope.regions,
            RegionChoice::Listed(vec!["eu-west-1".into()])
        );
        assert_eq!(config.role_name, "PostureAuditor");
        assert_eq!(config.concurrency, 8);
        assert_eq!(config.config_file, Some(PathBuf::from("posture.toml")));
    }

    #[test]
    fn flags_win_over_the_file() {
        let text = r#"
[checks]
only = ["root-mfa", "access-key-rotation"]

[thresholds]
access_key_max_age_days = 365
access_key_max_unused_days = 100

[scan]
regions = ["eu-west-1"]
role_name = "PostureAuditor"
concurrency = 8
"#;
        let config = with_file(
            &[
                "--checks",
                "access-key-unused",
                "--access-key-max-age-days",
                "30",
                "--regions",
                "all",
                "--role-name",
                "Other",
                "--concurrency",
                "4",
            ],
            text,
        )
        .unwrap();
        assert_eq!(config.checks, ["access-key-unused"]);
        assert_eq!(
            config.thresholds,
            Thresholds {
                access_key_max_age_days: 30,
                access_key_max_unused_days: 100,
            }
        );
        assert_eq!(config.scope.regions, RegionChoice::All);
        assert_eq!(config.role_name, "Other");
        assert_eq!(config.concurrency, 4);
    }

    #[test]
    fn without_a_file_the_defaults_hold() {
        let config = config(&[]).unwrap();
        assert_eq!(config.thresholds, Thresholds::default());
        assert_eq!(config.role_name, DEFAULT_ROLE_NAME);
        assert_eq!(config.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(config.checks.len(), crate::evaluate::catalog().len());
        assert_eq!(config.config_file, None);
    }

    #[test]
    fn rejects_limit_flags_out_of_range_by_name() {
        assert_eq!(
            config(&["--access-key-max-unused-days", "0"]).unwrap_err(),
            ConfigError::Threshold {
                flag: "--access-key-max-unused-days",
                value: 0
            }
        );
        let err = config(&["--access-key-max-age-days", "3651"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--access-key-max-age-days: 3651 is out of range: use 1 to 3650 (days)"
        );
    }

    #[test]
    fn a_config_path_that_does_not_exist_is_named() {
        let err = read_config_file(Some(Path::new("no/such/posture.toml")), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--config: no/such/posture.toml does not exist"
        );
    }

    fn inventory(ou_paths: &[&str]) -> Inventory {
        use crate::discover::{Caller, Organization, OrganizationalUnit};
        Inventory {
            caller: Caller {
                account_id: "111111111111".into(),
                arn: "arn:aws:iam::111111111111:root".into(),
            },
            organization: Organization {
                id: "o-example".into(),
                management_account_id: "111111111111".into(),
                feature_set: "ALL".into(),
            },
            accounts: Vec::new(),
            organizational_units: ou_paths
                .iter()
                .enumerate()
                .map(|(i, path)| OrganizationalUnit {
                    id: format!("ou-abcd-{i:08}"),
                    name: path.rsplit('/').next().unwrap_or_default().into(),
                    path: (*path).into(),
                })
                .collect(),
            delegated_admins: crate::facts::Collected::Ok(Vec::new()),
            enabled_regions: None,
        }
    }

    #[test]
    fn an_unknown_ou_is_refused_with_the_ous_there_are() {
        let scope = config(&["--ous", "/Nowhere"]).unwrap().scope;
        let refused = |paths: &[&str]| {
            scope
                .select(&inventory(paths), &[])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(&["/Workloads/Prod", "/Security", "/Workloads"]),
            "--ous: the organization has no OU \"/Nowhere\": its OUs are /Security, /Workloads, /Workloads/Prod"
        );
        assert_eq!(
            refused(&[]),
            "--ous: the organization has no OU \"/Nowhere\": it has no OUs: every account is directly under its root"
        );
        let many: Vec<String> = (0..25).map(|i| format!("/Team{i:02}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let line = refused(&many);
        assert!(line.contains("its OUs include /Team00, /Team01"), "{line}");
        assert!(line.ends_with("/Team19, and 5 more"), "{line}");
    }

    #[test]
    fn overrides_stack_flags_over_file_over_base() {
        let flags = ThresholdOverrides {
            access_key_max_age_days: Some(10),
            access_key_max_unused_days: None,
        };
        let file = ThresholdOverrides {
            access_key_max_age_days: Some(20),
            access_key_max_unused_days: Some(30),
        };
        let base = Thresholds {
            access_key_max_age_days: 1,
            access_key_max_unused_days: 2,
        };
        assert_eq!(
            flags.over(file).apply(base),
            Thresholds {
                access_key_max_age_days: 10,
                access_key_max_unused_days: 30,
            }
        );
        assert_eq!(ThresholdOverrides::default().apply(base), base);
    }
}
