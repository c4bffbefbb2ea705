//! The one place that makes AWS clients (vector's `src/aws/`): the base `SdkConfig` built once
//! at start, one assumed-role config per member account, and service clients built from either.
//!
//! Retries with backoff and per-call timeouts are set here, never at call sites. Clients are made
//! by [`ClientFactory`] and passed down as arguments; nothing here is global, and nothing here
//! makes a call on its own except the credential lookups the SDK does lazily. How callers then
//! make their calls (a bound on those in flight, every page of a list) is [`calls`]'.

pub(crate) mod calls;
pub mod error;

use std::time::Duration;

use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::identity::IdentityCache;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime::client::retries::RetryPartition;

/// The Region used when neither the auditor nor the environment names one. Organizations, IAM
/// and STS are reachable from it in the `aws` partition.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The SDK's defaults (retries, timeouts, endpoint rules) as of this behavior version. Pinned, so
/// that an SDK upgrade never changes them silently: the SDK deprecates a version when a newer one
/// comes out, and the warning is the prompt to review and move.
fn behavior_version() -> BehaviorVersion {
    BehaviorVersion::v2026_01_12()
}

/// The retries every client gets unless the target overrides them: adaptive (client-side rate
/// limiting once throttled), 8 attempts in all, backoff from 200 ms up to 20 s with jitter.
pub fn default_retry_config() -> RetryConfig {
    RetryConfig::adaptive()
        .with_max_attempts(8)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(20))
}

/// The timeouts every client gets unless the target overrides them: connect 5 s, read 30 s, one
/// attempt 30 s, a whole operation with its retries 120 s.
pub fn default_timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(120))
        .build()
}

/// The timeouts of clients that upload files (`posture publish`): connect 5 s and read 30 s as
/// for every client, but one attempt may take 10 minutes and a whole operation 30, because an
/// 8 MiB part sent beside 15 others over a slow uplink takes far longer than an API call.
pub fn upload_timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(600))
        .operation_timeout(Duration::from_secs(1800))
        .build()
}

/// Which AWS to talk to, and how: the auditor's profile, Region and endpoint, plus retry and
/// timeout settings. Turned into clients by [`ClientFactory::load`].
#[derive(Debug, Clone)]
pub struct AwsTarget {
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    credentials: Option<Credentials>,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
}

impl AwsTarget {
    /// A target resolved the SDK's usual way (environment, shared config files, SSO, instance
    /// metadata), with the given profile, Region and endpoint taking precedence when set.
    pub fn new(
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
    ) -> Self {
        Self {
            profile,
            region,
            endpoint_url,
            credentials: None,
            retry: default_retry_config(),
            timeouts: default_timeout_config(),
        }
    }

    /// The local sandbox organization at `endpoint`: its static credentials (the root user of its
    /// management account, 123456789012), Region us-east-1, every service at the endpoint.
    pub fn sandbox(endpoint: impl Into<String>) -> Self {
        Self {
            profile: None,
            region: Some(DEFAULT_REGION.to_owned()),
            endpoint_url: Some(endpoint.into()),
            credentials: Some(Credentials::new(
                crate::sandbox::ACCESS_KEY_ID,
                crate::sandbox::SECRET_ACCESS_KEY,
                None,
                None,
                "posture-sandbox",
            )),
            retry: default_retry_config(),
            timeouts: default_timeout_config(),
        }
    }

    /// Replaces the retry settings (tests want short backoffs).
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the timeout settings.
    pub fn with_timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }
}

/// Builds one client of `$krate` from `$config`: the one place every client is made. The Region
/// and retry partition are set when given; the factory's endpoint override is set again (see
/// [`ClientFactory`]'s `endpoint_url`).
macro_rules! build_client {
    ($krate:ident, $config:expr, $endpoint:expr, $region:expr, $partition:expr) => {{
        let mut builder = $krate::config::Builder::from($config);
        if let Some(region) = $region {
            builder = builder.region(region);
        }
        if let Some(url) = $endpoint {
            builder = builder.endpoint_url(url);
        }
        if let Some(partition) = $partition {
            builder = builder.retry_partition(partition);
        }
        $krate::Client::from_conf(builder.build())
    }};
}

/// Builds an S3 client from `config` in `region`, in `partition` when given: the one place S3
/// clients are made, since S3 needs more than [`build_client!`]. With an endpoint override (the
/// sandbox, an S3-compatible store) it addresses buckets by path (`endpoint/bucket/key`),
/// because such endpoints have no per-bucket host names (`bucket.127.0.0.1` does not resolve).
fn s3_client(
    config: &SdkConfig,
    endpoint_url: Option<&str>,
    region: &Region,
    partition: Option<RetryPartition>,
) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(config).region(region.clone());
    if let Some(url) = endpoint_url.or(config.endpoint_url()) {
        builder = builder.endpoint_url(url).force_path_style(true);
    }
    if let Some(partition) = partition {
        builder = builder.retry_partition(partition);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// Client constructors for services used in the config's own Region (global services).
///
/// The `per_account` arm makes the same constructors for [`AccountClients`], each in the
/// account's own retry partition for that service.
macro_rules! global_clients {
    (per_account: $($(#[$doc:meta])* $name:ident => $krate:ident as $service:literal,)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> $krate::Client {
            let partition = self.retry_partition($service, &self.global_region());
            build_client!(
                $krate,
                &self.config,
                self.endpoint_url.as_deref(),
                None::<Region>,
                Some(partition)
            )
        }
    )*};
    ($($(#[$doc:meta])* $name:ident => $krate:ident,)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, config: &SdkConfig) -> $krate::Client {
            build_client!(
                $krate,
                config,
                self.endpoint_url.as_deref(),
                None::<Region>,
                None::<RetryPartition>
            )
        }
    )*};
}

/// Client constructors for regional services: the same, in the given Region.
macro_rules! regional_clients {
    (per_account: $($(#[$doc:meta])* $name:ident => $krate:ident as $service:literal,)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, region: &Region) -> $krate::Client {
            let partition = self.retry_partition($service, region);
            build_client!(
                $krate,
                &self.config,
                self.endpoint_url.as_deref(),
                Some(region.clone()),
                Some(partition)
            )
        }
    )*};
    ($($(#[$doc:meta])* $name:ident => $krate:ident,)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, config: &SdkConfig, region: &Region) -> $krate::Client {
            build_client!(
                $krate,
                config,
                self.endpoint_url.as_deref(),
                Some(region.clone()),
                None::<RetryPartition>
            )
        }
    )*};
}

/// Makes every AWS client posture uses, from one base config loaded at start.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    base: SdkConfig,
    /// Set again on every service client, because a service-specific `AWS_ENDPOINT_URL_<SERVICE>`
    /// in the environment or profile would otherwise beat the loader's endpoint for that service
    /// (aws-config `lib.rs`, service `config.rs` `From<&SdkConfig>`), and a sandbox run must
    /// never reach real AWS.
    endpoint_url: Option<String>,
}

impl ClientFactory {
    /// Loads the base config for `target`. Credentials are not resolved yet: the first call
    /// does that, and fails there if there are none.
    pub async fn load(target: AwsTarget) -> Self {
        let mut default_region = DefaultRegionChain::builder();
        let mut loader = aws_config::defaults(behavior_version())
            .retry_config(target.retry)
            .timeout_config(target.timeouts);
        if let Some(profile) = &target.profile {
            loader = loader.profile_name(profile);
            default_region = default_region.profile_name(profile);
        }
        // Setting the Region provider replaces the loader's own default chain, so rebuild that
        // chain (with the profile) and fall back to us-east-1 after it.
        let region = RegionProviderChain::first_try(target.region.map(Region::new))
            .or_else(default_region.build())
            .or_else(Region::from_static(DEFAULT_REGION));
        loader = loader.region(region);
        if let Some(url) = &target.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(credentials) = target.credentials {
            loader = loader.credentials_provider(credentials);
        }
        Self {
            base: loader.load().await,
            endpoint_url: target.endpoint_url,
        }
    }

    /// The factory for the local sandbox organization at `endpoint` (see [`AwsTarget::sandbox`]).
    pub async fn for_sandbox(endpoint: impl Into<String>) -> Self {
        Self::load(AwsTarget::sandbox(endpoint)).await
    }

    /// The base config: the auditor's own credentials, in the management or audit account.
    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The base config's Region (always set: it falls back to [`DEFAULT_REGION`]).
    pub fn region(&self) -> Region {
        self.base
            .region()
            .cloned()
            .unwrap_or_else(|| Region::from_static(DEFAULT_REGION))
    }

    /// The config for one member account: the base config whose credentials come from assuming
    /// `arn:aws:iam::<account_id>:role/<role_name>` with the base credentials.
    ///
    /// Build it once per account and make every client of that account from it: the provider
    /// itself does not cache, but the config's lazy identity cache does, so the role is assumed
    /// on first use and its credentials are reused by every client and refreshed shortly before
    /// they expire. A role that cannot be assumed fails the first call made with it, not this.
    pub async fn member_config(
        &self,
        account_id: &str,
        role_name: &str,
        external_id: Option<&str>,
        session_name: &str,
    ) -> SdkConfig {
        // The `aws` partition only, for now; GovCloud and China need the partition of the
        // caller's ARN.
        let role_arn = format!("arn:aws:iam::{account_id}:role/{role_name}");
        let mut provider = AssumeRoleProvider::builder(role_arn)
            .configure(&self.base)
            .session_name(session_name);
        if let Some(external_id) = external_id {
            provider = provider.external_id(external_id);
        }
        let provider = provider.build().await;
        self.base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            // A cache of the account's own. The base config's lazy cache would be shared by every
            // member config made from it, and it keeps 64 credential sets at most, evicting an
            // arbitrary one beyond (aws-smithy-runtime `identity/cache/lazy.rs`,
            // `DEFAULT_MAX_PARTITIONS`): a scan of more accounts would assume roles again.
            .identity_cache(IdentityCache::lazy().build())
            .build()
    }

    global_clients! {
        /// An STS client for `config` (the base config or a member account's).
        sts => aws_sdk_sts,
        /// An Organizations client for `config`.
        organizations => aws_sdk_organizations,
        /// An IAM client for `config`.
        iam => aws_sdk_iam,
        /// An Account Management client for `config` (the account's Regions).
        account => aws_sdk_account,
    }

    regional_clients! {
        /// A Control Tower client for `config` in `region`.
        controltower => aws_sdk_controltower,
        /// An IAM Access Analyzer client for `config` in `region`.
        access_analyzer => aws_sdk_accessanalyzer,
        /// A Security Hub client for `config` in `region`.
        securityhub => aws_sdk_securityhub,
        /// A CloudTrail client for `config` in `region`.
        cloudtrail => aws_sdk_cloudtrail,
        /// A GuardDuty client for `config` in `region`.
        guardduty => aws_sdk_guardduty,
        /// An AWS Config client for `config` in `region` (named as the AWS CLI names the
        /// service, `configservice`, so it cannot be taken for an `SdkConfig`).
        configservice => aws_sdk_config,
    }

    /// An S3 client for `config` in `region`: the bucket's own Region, since S3 answers a
    /// bucket's requests only there.
    ///
    /// Not made by `regional_clients!`: behind an endpoint override it addresses buckets by
    /// path (`s3_client`).
    pub fn s3(&self, config: &SdkConfig, region: &Region) -> aws_sdk_s3::Client {
        s3_client(config, self.endpoint_url.as_deref(), region, None)
    }

    /// The clients of one account, made from `config` (the account's config from
    /// [`Self::member_config`], or the base config for the caller's own account).
    ///
    /// Each of its clients has a retry partition of the account's own, per service and Region.
    /// The SDK's retry token bucket and adaptive rate limiter are shared by every client in the
    /// same partition, and the default partition is per service and Region only (`iam-us-east-1`,
    /// generated `config.rs` of each service crate): one throttled account would drain the
    /// retry budget, and slow the rate, of every other account's calls to that service. AWS
    /// throttles per account (and service, and Region), so that is how posture partitions.
    /// Partitions made with `RetryPartition::new` share their bucket and limiter by name
    /// (aws-smithy-runtime `client/retries.rs`), so clients made at different times for the same
    /// account and service share them too.
    pub fn account_clients(&self, account_id: &str, config: SdkConfig) -> AccountClients {
        AccountClients {
            account_id: account_id.to_owned(),
            config,
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

/// The clients of one account, all from one config (so the role is assumed once and its
/// credentials shared), each in the account's own retry partition. Made by
/// [`ClientFactory::account_clients`].
#[derive(Debug, Clone)]
pub struct AccountClients {
    account_id: String,
    config: SdkConfig,
    endpoint_url: Option<String>,
}

impl AccountClients {
    /// The account these clients read.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The account's config.
    pub fn config(&self) -> &SdkConfig {
        &self.config
    }

    /// The Region of global calls (IAM, STS): the config's own.
    pub fn global_region(&self) -> Region {
        self.config
            .region()
            .cloned()
            .unwrap_or_else(|| Region::from_static(DEFAULT_REGION))
    }

    /// The retry partition of this account's calls to `service` in `region`.
    fn retry_partition(&self, service: &str, region: &Region) -> RetryPartition {
        RetryPartition::new(format!("posture-{}-{service}-{region}", self.account_id))
    }

    global_clients! {
        per_account:
        /// An STS client in the account.
        sts => aws_sdk_sts as "sts",
        /// An IAM client in the account.
        iam => aws_sdk_iam as "iam",
    }

    /// An S3 client in the account, in the config's own Region (`ListBuckets` answers in any
    /// Region); made as [`ClientFactory::s3`] makes one, in the account's retry partition.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let region = self.global_region();
        let partition = self.retry_partition("s3", &region);
        s3_client(
            &self.config,
            self.endpoint_url.as_deref(),
            &region,
            Some(partition),
        )
    }

    /// An S3 client in the account for a bucket in `region` (S3 answers a bucket's requests in
    /// its own Region only).
    pub fn s3_in(&self, region: &Region) -> aws_sdk_s3::Client {
        let partition = self.retry_partition("s3", region);
        s3_client(
            &self.config,
            self.endpoint_url.as_deref(),
            region,
            Some(partition),
        )
    }

    regional_clients! {
        per_account:
        /// An IAM Access Analyzer client in the account, in `region`.
        access_analyzer => aws_sdk_accessanalyzer as "access-analyzer",
        /// A Security Hub client in the account, in `region`.
        securityhub => aws_sdk_securityhub as "securityhub",
        /// A CloudTrail client in the account, in `region`.
        cloudtrail => aws_sdk_cloudtrail as "cloudtrail",
        /// A GuardDuty client in the account, in `region`.
        guardduty => aws_sdk_guardduty as "guardduty",
        /// An AWS Config client in the account, in `region`.
        configservice => aws_sdk_config as "config",
        /// An IAM Identity Center (`sso-admin`) client in the account, in `region`.
        sso_admin => aws_sdk_ssoadmin as "sso",
        /// An EC2 client in the account, in `region`.
        ec2 => aws_sdk_ec2 as "ec2",
        /// A Lambda client in the account, in `region`.
        lambda => aws_sdk_lambda as "lambda",
    }
}

/// The longest role session name STS accepts.
const MAX_SESSION_NAME: usize = 64;

/// The role session name for this operator: `posture-<user>` from `$USER` (or `$LOGNAME`), so
/// that CloudTrail in every member account shows who ran the scan.
pub fn session_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok();
    session_name_for(user.as_deref())
}

/// `posture-<user>`, with every character STS does not allow in a session name (`[\w+=,.@-]`)
/// replaced by `-`, cut to 64 characters; plain `posture` without a user.
fn session_name_for(user: Option<&str>) -> String {
    let mut name = String::from("posture");
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        name.push('-');
        name.extend(user.chars().map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        }));
    }
    // Every character is ASCII now, so cutting by bytes cuts by characters.
    name.truncate(MAX_SESSION_NAME);
    name
}

/// Whether `url` is an endpoint the SDK can send requests to: an `http://` or `https://` URL that
/// the SDK's own check accepts (the one it applies to every request, which would otherwise fail
/// each call with a dump of the request). The reason when not.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let scheme = url
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err("it does not start with http:// or https://".to_owned());
    }
    let mut request = aws_smithy_runtime_api::http::Request::empty();
    request.uri_mut().set_endpoint(url).map_err(|err| {
        let mut reason = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !reason.contains(&text) {
                reason.push_str(": ");
                reason.push_str(&text);
            }
            source = cause.source();
        }
        reason
    })
}

/// What is wrong with a named profile, as far as the shared config and credentials files tell
/// before any call: the SDK would report each as "no credentials" (or in a warning with its
/// internal structures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileProblem {
    /// The files do not define it (a misspelt name).
    Missing,
    /// Its `source_profile` names a profile the files do not define.
    MissingSource {
        /// The profile naming it.
        profile: String,
        /// The name.
        source: String,
    },
    /// It is its own `source_profile` but holds no access key to start from.
    OwnSourceWithoutKeys,
    /// Its `source_profile`s lead back to one of them: the profiles in order, the first again last.
    Loop(Vec<String>),
}

impl ProfileProblem {
    /// The problem in words, for the line naming the profile.
    pub fn describe(&self, name: &str) -> String {
        match self {
            Self::Missing => format!(
                "no profile {name:?} in the AWS config or credentials files: list them with `aws configure list-profiles`"
            ),
            Self::MissingSource { profile, source } => format!(
                "profile {profile:?} takes its credentials from source_profile {source:?}, which is not in the AWS config or credentials files"
            ),
            Self::OwnSourceWithoutKeys => format!(
                "profile {name:?} is its own source_profile but holds no aws_access_key_id: point source_profile at a profile with credentials"
            ),
            Self::Loop(chain) => format!(
                "the source_profile of profile {name:?} leads round in a loop ({}): end it at a profile with credentials",
                chain.join(" -> ")
            ),
        }
    }
}

/// Checks the profile `name` in the shared config and credentials files (`~/.aws/config`,
/// `~/.aws/credentials`, or where `AWS_CONFIG_FILE`/`AWS_SHARED_CREDENTIALS_FILE` point), and the
/// chain of `source_profile`s it starts, so that a misspelt `--profile` or a loop is refused by
/// name before any call, instead of surfacing as "no credentials" from the SDK's chain. Files
/// that cannot be read count as defining nothing.
pub async fn check_profile(name: &str) -> Result<(), ProfileProblem> {
    use aws_types::os_shim_internal::{Env, Fs};
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let Ok(profiles) = aws_config::profile::load(&Fs::real(), &Env::real(), &files, None).await
    else {
        return Err(ProfileProblem::Missing);
    };
    let mut chain = vec![name.to_owned()];
    loop {
        let current = chain.last().map(String::as_str).unwrap_or(name);
        let Some(profile) = profiles.get_profile(current) else {
            return Err(match chain.len() {
                1 => ProfileProblem::Missing,
                n => ProfileProblem::MissingSource {
                    profile: chain[n - 2].clone(),
                    source: current.to_owned(),
                },
            });
        };
        // source_profile counts only beside role_arn (the SDK ignores it otherwise).
        let (Some(source), Some(_)) = (profile.get("source_profile"), profile.get("role_arn"))
        else {
            return Ok(());
        };
        if source == current {
            // The SDK's one allowed self-reference: the profile's own keys assume its role.
            return if profile.get("aws_access_key_id").is_some() {
                Ok(())
            } else {
                Err(ProfileProblem::OwnSourceWithoutKeys)
            };
        }
        let looped = chain.iter().any(|seen| seen == source);
        chain.push(source.to_owned());
        if looped {
            return Err(ProfileProblem::Loop(chain));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_name_keeps_allowed_characters() {
        assert_eq!(
            session_name_for(Some("jane.doe+audit=1,x@corp_Y-2")),
            "posture-jane.doe+audit=1,x@corp_Y-2"
        );
    }

    #[test]
    fn session_name_replaces_disallowed_characters() {
        assert_eq!(
            session_name_for(Some("CORP\\jane doe")),
            "posture-CORP-jane-doe"
        );
        assert_eq!(session_name_for(Some("jösé")), "posture-j-s-");
    }

    #[test]
    fn session_name_without_user_is_plain() {
        assert_eq!(session_name_for(None), "posture");
        assert_eq!(session_name_for(Some("")), "posture");
    }

    #[test]
    fn session_name_is_cut_to_sts_limit() {
        let name = session_name_for(Some(&"a".repeat(100)));
        assert_eq!(name.len(), 64);
        assert!(name.starts_with("posture-aaa"));
    }

    #[test]
    fn profile_problems_say_what_to_fix() {
        assert_eq!(
            ProfileProblem::Loop(vec!["a".into(), "b".into(), "a".into()]).describe("a"),
            "the source_profile of profile \"a\" leads round in a loop (a -> b -> a): end it at a profile with credentials"
        );
        assert!(
            ProfileProblem::OwnSourceWithoutKeys
                .describe("x")
                .starts_with("profile \"x\" is its own source_profile")
        );
    }

    #[test]
    fn endpoint_urls_are_checked_as_the_sdk_checks_them() {
        for good in [
            "http://127.0.0.1:4566",
            "https://sts.eu-west-1.amazonaws.com",
            "HTTP://localhost/",
        ] {
            assert_eq!(check_endpoint_url(good), Ok(()), "{good}");
        }
        for (bad, reason) in [
            ("not a url", "it does not start with http:// or https://"),
            (
                "127.0.0.1:4566",
                "it does not start with http:// or https://",
            ),
            ("ftp://host", "it does not start with http:// or https://"),
            ("http://[::1", "invalid authority"),
            ("http://host name/", "invalid uri character"),
        ] {
            let err = check_endpoint_url(bad).expect_err(bad);
            assert!(err.contains(reason), "{bad}: {err}");
        }
    }

    #[tokio::test]
    async fn sandbox_target_sets_region_and_endpoint() {
        let factory = ClientFactory::for_sandbox("http://127.0.0.1:1").await;
        assert_eq!(factory.region().as_ref(), "us-east-1");
        assert_eq!(factory.base().endpoint_url(), Some("http://127.0.0.1:1"));
    }
}
