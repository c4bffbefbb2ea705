//! `config-recorder-enabled`: AWS Config records every supported resource type in the account in
//! every scanned Region, with a delivery channel, and records the global IAM types in at least
//! one scanned Region.
//!
//! One finding per scanned Region (resource: the account id). A Region passes when its
//! customer-managed configuration recorder records all supported resource types
//! (`allSupported`, or the `ALL_SUPPORTED_RESOURCE_TYPES` strategy), is recording and its last
//! recording did not fail, a delivery channel exists, and the account records the global IAM
//! resource types in some scanned Region. A recorder that leaves types out
//! (`EXCLUSION_BY_RESOURCE_TYPES`) or names the only ones it records
//! (`INCLUSION_BY_RESOURCE_TYPES`) does not record all of them, and fails with the types it
//! leaves out or keeps. Service-linked recorders record only what their service needs, so they
//! do not count.
//!
//! The global IAM types (users, groups, roles, customer managed policies) are one condition of
//! the account, not of a Region: AWS records them once, where a recorder is told to. So each
//! Region's finding carries it: when no scanned Region records them, every Region of the account
//! fails with that reason; when one does, every finding names it. A recorder records them with
//! `includeGlobalResourceTypes` (all supported types), or when its exclusions leave all four in,
//! or its inclusions name all four; and only while it is recording.
//!
//! FAIL when a condition is known to fail (even if another could not be read: the reason says
//! so); ERROR when none is known to fail but one could not be read, or the snapshot holds no AWS
//! Config facts for the Region; PASS otherwise.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{AccountFacts, Collected, ConfigFacts, ConfigRecorder, RecorderStatus};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::{describe_error, error_evidence};

/// The global IAM resource types that `includeGlobalResourceTypes` records.
const GLOBAL_IAM_TYPES: [&str; 4] = [
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
];

/// The evidence label of the account-wide condition.
const GLOBAL_LABEL: &str = "global IAM types recorded in";

/// How many resource types a reason names before it counts the rest.
const TYPES_SHOWN: usize = 5;

/// Judges AWS Config in every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let global = global_types(ctx.account, ctx.regions);
    ctx.per_region(&ctx.account.config, |region, regional| {
        judge(account_id, region, regional, &global)
    })
}

/// What a recorder's recording group records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage<'a> {
    /// Every supported type; the global IAM types too when `global`.
    All { global: bool },
    /// Every supported type but these (`EXCLUSION_BY_RESOURCE_TYPES`).
    Excluding(&'a [String]),
    /// These types only (`INCLUSION_BY_RESOURCE_TYPES`).
    Only(&'a [String]),
}

impl<'a> Coverage<'a> {
    fn of(recorder: &'a ConfigRecorder) -> Self {
        let strategy = recorder.recording_strategy.as_deref();
        if recorder.all_supported || strategy == Some("ALL_SUPPORTED_RESOURCE_TYPES") {
            Coverage::All {
                global: recorder.include_global_resource_types,
            }
        } else if strategy == Some("EXCLUSION_BY_RESOURCE_TYPES") {
            Coverage::Excluding(&recorder.excluded_resource_types)
        } else {
            Coverage::Only(&recorder.resource_types)
        }
    }

    fn records_global_types(self) -> bool {
        match self {
            Coverage::All { global } => global,
            Coverage::Excluding(excluded) => !GLOBAL_IAM_TYPES
                .iter()
                .any(|t| excluded.iter().any(|e| e == t)),
            Coverage::Only(types) => GLOBAL_IAM_TYPES
                .iter()
                .all(|t| types.iter().any(|e| e == t)),
        }
    }

    /// What is missing, when the recorder does not record every supported type.
    fn gap(self, name: &str) -> Option<String> {
        match self {
            Coverage::All { .. } => None,
            Coverage::Excluding(excluded) => Some(format!(
                "recorder {name} leaves out {} (EXCLUSION_BY_RESOURCE_TYPES)",
                count_types(excluded)
            )),
            Coverage::Only([]) => Some(format!("recorder {name} records no resource type")),
            Coverage::Only(types) => Some(format!(
                "recorder {name} records only {} (INCLUSION_BY_RESOURCE_TYPES)",
                count_types(types)
            )),
        }
    }

    fn describe(self) -> String {
        match self {
            Coverage::All { global: true } => {
                "all supported resource types, with the global IAM types".to_owned()
            }
            Coverage::All { global: false } => {
                "all supported resource types, without the global IAM types".to_owned()
            }
            Coverage::Excluding(excluded) => format!(
                "all supported resource types except {} (EXCLUSION_BY_RESOURCE_TYPES)",
                count_types(excluded)
            ),
            Coverage::Only(types) => {
                format!("only {} (INCLUSION_BY_RESOURCE_TYPES)", count_types(types))
            }
        }
    }
}

/// `2 resource types: AWS::EC2::Instance, AWS::S3::Bucket`, naming at most [`TYPES_SHOWN`].
fn count_types(types: &[String]) -> String {
    let noun = if types.len() == 1 { "type" } else { "types" };
    let shown: Vec<&str> = types.iter().take(TYPES_SHOWN).map(String::as_str).collect();
    let more = match types.len().saturating_sub(TYPES_SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(
        "{} resource {noun}: {}{more}",
        types.len(),
        shown.join(", ")
    )
}

/// The customer-managed recorder: the one without a service principal.
fn customer_recorder(recorders: &[ConfigRecorder]) -> Option<&ConfigRecorder> {
    recorders.iter().find(|r| r.service_principal.is_none())
}

fn status_of<'a>(statuses: &'a [RecorderStatus], name: &str) -> Option<&'a RecorderStatus> {
    statuses.iter().find(|s| s.name == name)
}

fn last_failed(status: &RecorderStatus) -> bool {
    status
        .last_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
}

/// Whether the account records the global IAM types in a scanned Region.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobalTypes<'a> {
    /// In these Regions.
    RecordedIn(Vec<&'a str>),
    /// In none that could be read; these Regions (with why) could not be.
    Unknown(Vec<(&'a str, String)>),
    /// In no scanned Region.
    NotRecorded,
}

fn global_types<'a>(account: &'a AccountFacts, regions: &'a [String]) -> GlobalTypes<'a> {
    let mut recorded = Vec::new();
    let mut unknown = Vec::new();
    for region in regions {
        let region = region.as_str();
        let answer = match account.config.iter().find(|r| r.region == region) {
            Some(regional) => records_global_types_in(&regional.facts),
            None => Err("AWS Config was not read there".to_owned()),
        };
        match answer {
            Ok(true) => recorded.push(region),
            Ok(false) => {}
            Err(why) => unknown.push((region, why)),
        }
    }
    if !recorded.is_empty() {
        GlobalTypes::RecordedIn(recorded)
    } else if !unknown.is_empty() {
        GlobalTypes::Unknown(unknown)
    } else {
        GlobalTypes::NotRecorded
    }
}

/// Whether the Region's recorder records the global IAM types now, or why that is unknown.
fn records_global_types_in(regional: &ConfigFacts) -> Result<bool, String> {
    let recorders = regional.recorders.as_result().map_err(describe_error)?;
    let Some(recorder) = customer_recorder(recorders) else {
        return Ok(false);
    };
    if !Coverage::of(recorder).records_global_types() {
        return Ok(false);
    }
    let statuses = regional
        .recorder_statuses
        .as_result()
        .map_err(describe_error)?;
    status_of(statuses, &recorder.name)
        .map(|s| s.recording)
        .ok_or_else(|| format!("no status was returned for recorder {}", recorder.name))
}

/// One Region's verdict: the problems known, the facts that could not be read, the evidence.
fn judge(
    account_id: &str,
    region: &str,
    regional: &ConfigFacts,
    global: &GlobalTypes<'_>,
) -> Outcome {
    let mut problems: Vec<String> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    let mut outcome = Outcome::new(Some(region), account_id, Status::Pass, String::new());
    let mut recording: Option<&str> = None;

    match &regional.recorders {
        Collected::Error(err) => {
            unread.push(format!(
                "the configuration recorders could not be read: {}",
                describe_error(err)
            ));
            outcome = outcome.with("recorder", error_evidence(err));
        }
        Collected::Ok(recorders) => match customer_recorder(recorders) {
            None => {
                problems.push("there is no configuration recorder".to_owned());
                outcome = outcome.with("recorder", "none");
            }
            Some(recorder) => {
                let name = recorder.name.as_str();
                let coverage = Coverage::of(recorder);
                outcome = outcome
                    .with("recorder", name)
                    .with("recording group", coverage.describe());
                problems.extend(coverage.gap(name));
                match &regional.recorder_statuses {
                    Collected::Error(err) => {
                        unread.push(format!(
                            "the status of recorder {name} could not be read: {}",
                            describe_error(err)
                        ));
                        outcome = outcome.with("recorder status", error_evidence(err));
                    }
                    Collected::Ok(statuses) => match status_of(statuses, name) {
                        None => {
                            unread.push(format!("no status was returned for recorder {name}"));
                            outcome = outcome.with("recorder status", "not returned");
                        }
                        Some(status) => {
                            outcome = outcome.with("recorder status", status_label(status));
                            if !status.recording {
                                problems.push(format!("recorder {name} is not recording"));
                            } else if last_failed(status) {
                                problems.push(format!(
                                    "recorder {name} is recording but its last recording failed \
                                     ({})",
                                    failure(status)
                                ));
                            } else {
                                recording = Some(name);
                            }
                        }
                    },
                }
            }
        },
    }

    let mut delivery: Option<String> = None;
    match &regional.delivery_channels {
        Collected::Error(err) => {
            unread.push(format!(
                "the delivery channels could not be read: {}",
                describe_error(err)
            ));
            outcome = outcome.with("delivery channel", error_evidence(err));
        }
        Collected::Ok(channels) => match channels.first() {
            None => {
                problems.push(
                    "there is no delivery channel (a recorder cannot start without one)".to_owned(),
                );
                outcome = outcome.with("delivery channel", "none");
            }
            Some(channel) => {
                let bucket = channel.s3_bucket_name.as_deref().map(|bucket| {
                    match channel.s3_key_prefix.as_deref().filter(|p| !p.is_empty()) {
                        Some(prefix) => format!("s3://{bucket}/{prefix}"),
                        None => format!("s3://{bucket}"),
                    }
                });
                outcome = outcome.with("delivery channel", &channel.name);
                if let Some(bucket) = &bucket {
                    outcome = outcome.with("bucket", bucket);
                }
                delivery = Some(match bucket {
                    Some(bucket) => {
                        format!("delivers to {bucket} through channel {}", channel.name)
                    }
                    None => format!("delivers through channel {}", channel.name),
                });
            }
        },
    }

    let global_note = match global {
        GlobalTypes::RecordedIn(regions) => {
            outcome = outcome.with(GLOBAL_LABEL, regions.join(", "));
            format!(
                "the global IAM types are recorded in {}",
                regions.join(", ")
            )
        }
        GlobalTypes::NotRecorded => {
            problems.push(
                "no scanned Region of the account records the global IAM resource types (IAM \
                 users, groups, roles and customer managed policies)"
                    .to_owned(),
            );
            outcome = outcome.with(GLOBAL_LABEL, "no scanned Region");
            String::new()
        }
        GlobalTypes::Unknown(regions) => {
            outcome = outcome.with(GLOBAL_LABEL, "unknown");
            // This Region's own gaps are already in `unread`.
            let elsewhere: Vec<String> = regions
                .iter()
                .filter(|(r, _)| *r != region)
                .map(|(r, why)| format!("{r}: {why}"))
                .collect();
            if !elsewhere.is_empty() {
                unread.push(format!(
                    "no readable scanned Region records the global IAM types, and {} could not \
                     be read",
                    elsewhere.join("; ")
                ));
            } else if unread.is_empty() {
                // Unreachable with facts collect makes: this Region is unknown only when
                // something in it was unread. Said rather than passed.
                unread.push("whether the global IAM types are recorded".to_owned());
            }
            String::new()
        }
    };

    let (status, reason) = if !problems.is_empty() {
        let also = if unread.is_empty() {
            String::new()
        } else {
            format!(" (also: {})", unread.join("; "))
        };
        (
            Status::Fail,
            format!(
                "AWS Config does not fully record {region}: {}{also}",
                problems.join("; ")
            ),
        )
    } else if !unread.is_empty() {
        (
            Status::Error,
            format!(
                "cannot tell whether AWS Config fully records {region}: {}",
                unread.join("; ")
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "AWS Config records every supported resource type in {region}: recorder {} is \
                 recording and {}; {global_note}",
                recording.unwrap_or_default(),
                delivery.unwrap_or_default()
            ),
        )
    };
    outcome.status = status;
    outcome.reason = reason;
    outcome
}

/// `recording (last status Success)`, `not recording`.
fn status_label(status: &RecorderStatus) -> String {
    let state = if status.recording {
        "recording"
    } else {
        "not recording"
    };
    match &status.last_status {
        Some(last) if last_failed(status) => {
            format!("{state} (last status {last}: {})", failure(status))
        }
        Some(last) => format!("{state} (last status {last})"),
        None => state.to_owned(),
    }
}

/// `AccessDenied: the role cannot write to the bucket`.
fn failure(status: &RecorderStatus) -> String {
    match (&status.last_error_code, &status.last_error_message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        (None, Some(message)) => message.clone(),
        (None, None) => "no error given".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, account, assert_verdict, context, error, organization};
    use super::*;
    use crate::facts::{DeliveryChannel, Regional};

    const US: &str = "us-east-1";
    const EU: &str = "eu-west-1";

    fn run(account: &AccountFacts) -> Vec<Outcome> {
        let org = organization();
        let regions = vec![US.to_owned(), EU.to_owned()];
        evaluate(&context(account, &org, &regions))
    }

    fn all_types(global: bool) -> ConfigRecorder {
        ConfigRecorder {
            name: "default".to_owned(),
            service_principal: None,
            all_supported: true,
            include_global_resource_types: global,
            recording_strategy: Some("ALL_SUPPORTED_RESOURCE_TYPES".to_owned()),
            resource_types: Vec::new(),
            excluded_resource_types: Vec::new(),
        }
    }

    fn status(recording: bool, last: &str) -> RecorderStatus {
        RecorderStatus {
            name: "default".to_owned(),
            recording,
            last_status: Some(last.to_owned()),
            last_error_code: None,
            last_error_message: None,
        }
    }

    fn channel() -> DeliveryChannel {
        DeliveryChannel {
            name: "default".to_owned(),
            s3_bucket_name: Some("acme-config".to_owned()),
            s3_key_prefix: None,
        }
    }

    /// A Region that records everything (the global types when `global`), with a channel.
    fn full(region: &str, global: bool) -> Regional<ConfigFacts> {
        in_region(region, full_facts(global))
    }

    fn full_facts(global: bool) -> ConfigFacts {
        ConfigFacts {
            recorders: Collected::Ok(vec![all_types(global)]),
            recorder_statuses: Collected::Ok(vec![status(true, "Success")]),
            delivery_channels: Collected::Ok(vec![channel()]),
        }
    }

    fn in_region(region: &str, facts: ConfigFacts) -> Regional<ConfigFacts> {
        Regional {
            region: region.to_owned(),
            facts,
        }
    }

    fn with(regions: Vec<Regional<ConfigFacts>>) -> AccountFacts {
        let mut a = account(ACCT);
        a.config = regions;
        a
    }

    #[test]
    fn passes_where_everything_is_recorded_and_names_where_global_types_are() {
        let outcomes = run(&with(vec![full(US, true), full(EU, false)]));
        assert_eq!(outcomes.len(), 2);
        assert_verdict(
            "us",
            &outcomes[0],
            Status::Pass,
            "AWS Config records every supported resource type in us-east-1: recorder default is \
             recording and delivers to s3://acme-config through channel default; the global IAM \
             types are recorded in us-east-1",
        );
        assert_verdict(
            "eu",
            &outcomes[1],
            Status::Pass,
            "the global IAM types are recorded in us-east-1",
        );
        let evidence = &outcomes[1].evidence;
        assert_eq!(evidence["recorder"], "default");
        assert_eq!(
            evidence["recording group"],
            "all supported resource types, without the global IAM types"
        );
        assert_eq!(
            evidence["recorder status"],
            "recording (last status Success)"
        );
        assert_eq!(evidence["delivery channel"], "default");
        assert_eq!(evidence["bucket"], "s3://acme-config");
        assert_eq!(evidence[GLOBAL_LABEL], "us-east-1");
        assert!(outcomes.iter().all(|o| o.resource == ACCT));
        assert_eq!(outcomes[1].region.as_deref(), Some(EU));
    }

    #[test]
    fn every_region_fails_when_no_region_records_the_global_types() {
        let outcomes = run(&with(vec![full(US, false), full(EU, false)]));
        for outcome in &outcomes {
            assert_verdict(
                "no global",
                outcome,
                Status::Fail,
                "no scanned Region of the account records the global IAM resource types",
            );
            assert_eq!(outcome.evidence[GLOBAL_LABEL], "no scanned Region");
        }
        // A stopped recorder records nothing, the global types included.
        let mut stopped = full(US, true);
        stopped.facts.recorder_statuses = Collected::Ok(vec![status(false, "Success")]);
        let outcomes = run(&with(vec![stopped, full(EU, false)]));
        assert_verdict(
            "stopped",
            &outcomes[0],
            Status::Fail,
            "AWS Config does not fully record us-east-1: recorder default is not recording; no \
             scanned Region",
        );
        assert_verdict("eu", &outcomes[1], Status::Fail, "no scanned Region");
    }

    #[test]
    fn each_missing_piece_fails_its_region_with_its_reason() {
        let mut excluding = all_types(false);
        excluding.all_supported = false;
        excluding.recording_strategy = Some("EXCLUSION_BY_RESOURCE_TYPES".to_owned());
        excluding.excluded_resource_types = vec!["AWS::EC2::NetworkInterface".to_owned()];
        let mut only = all_types(false);
        only.all_supported = false;
        only.recording_strategy = Some("INCLUSION_BY_RESOURCE_TYPES".to_owned());
        only.resource_types = (1..=7).map(|n| format!("AWS::S3::Type{n}")).collect();
        let mut failed = status(true, "Failure");
        failed.last_error_code = Some("AccessDenied".to_owned());
        failed.last_error_message = Some("cannot write".to_owned());

        let cases: Vec<(&str, Regional<ConfigFacts>, &str)> = vec![
            (
                "nothing",
                in_region(
                    EU,
                    ConfigFacts {
                        recorders: Collected::Ok(Vec::new()),
                        recorder_statuses: Collected::Ok(Vec::new()),
                        delivery_channels: Collected::Ok(Vec::new()),
                    },
                ),
                "there is no configuration recorder; there is no delivery channel",
            ),
            (
                "excluding",
                in_region(
                    EU,
                    ConfigFacts {
                        recorders: Collected::Ok(vec![excluding]),
                        ..full_facts(false)
                    },
                ),
                "recorder default leaves out 1 resource type: AWS::EC2::NetworkInterface \
                 (EXCLUSION_BY_RESOURCE_TYPES)",
            ),
            (
                "inclusion",
                in_region(
                    EU,
                    ConfigFacts {
                        recorders: Collected::Ok(vec![only]),
                        ..full_facts(false)
                    },
                ),
                "recorder default records only 7 resource types: AWS::S3::Type1, AWS::S3::Type2, \
                 AWS::S3::Type3, AWS::S3::Type4, AWS::S3::Type5 and 2 more \
                 (INCLUSION_BY_RESOURCE_TYPES)",
            ),
            (
                "last recording failed",
                in_region(
                    EU,
                    ConfigFacts {
                        recorder_statuses: Collected::Ok(vec![failed]),
                        ..full_facts(false)
                    },
                ),
                "recorder default is recording but its last recording failed (AccessDenied: \
                 cannot write)",
            ),
            (
                "no channel",
                in_region(
                    EU,
                    ConfigFacts {
                        delivery_channels: Collected::Ok(Vec::new()),
                        ..full_facts(false)
                    },
                ),
                "AWS Config does not fully record eu-west-1: there is no delivery channel",
            ),
        ];
        for (name, eu, reason) in cases {
            let outcomes = run(&with(vec![full(US, true), eu]));
            assert_eq!(outcomes[0].status, Status::Pass, "{name}: us-east-1");
            assert_verdict(name, &outcomes[1], Status::Fail, reason);
        }
    }

    #[test]
    fn service_linked_recorders_do_not_count() {
        let mut linked = all_types(true);
        linked.name = "AWSConfigurationRecorderForSecurityHub".to_owned();
        linked.service_principal = Some("securityhub.amazonaws.com".to_owned());
        let eu = in_region(
            EU,
            ConfigFacts {
                recorders: Collected::Ok(vec![linked]),
                ..full_facts(false)
            },
        );
        let outcomes = run(&with(vec![full(US, true), eu]));
        assert_verdict(
            "linked",
            &outcomes[1],
            Status::Fail,
            "there is no configuration recorder",
        );
    }

    #[test]
    fn exclusions_and_inclusions_decide_whether_global_types_are_recorded() {
        let mut excluding = all_types(false);
        excluding.all_supported = false;
        excluding.recording_strategy = Some("EXCLUSION_BY_RESOURCE_TYPES".to_owned());
        excluding.excluded_resource_types = vec!["AWS::EC2::NetworkInterface".to_owned()];
        assert!(Coverage::of(&excluding).records_global_types());
        excluding
            .excluded_resource_types
            .push("AWS::IAM::Role".to_owned());
        assert!(!Coverage::of(&excluding).records_global_types());

        let mut only = all_types(false);
        only.all_supported = false;
        only.recording_strategy = Some("INCLUSION_BY_RESOURCE_TYPES".to_owned());
        only.resource_types = GLOBAL_IAM_TYPES[..3]
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        assert!(!Coverage::of(&only).records_global_types());
        only.resource_types.push("AWS::IAM::Policy".to_owned());
        assert!(Coverage::of(&only).records_global_types());
        // An older recorder without a strategy: allSupported decides.
        let mut older = all_types(true);
        older.recording_strategy = None;
        assert_eq!(Coverage::of(&older), Coverage::All { global: true });
    }

    #[test]
    fn what_could_not_be_read_is_error_unless_something_known_fails() {
        fn denied<T>(action: &str) -> Collected<T> {
            Collected::Error(error("config", action, "AccessDenied"))
        }
        // us-east-1 would record the global types, but its status is unknown: eu-west-1 cannot
        // tell whether the account records them.
        let us = in_region(
            US,
            ConfigFacts {
                recorder_statuses: denied("DescribeConfigurationRecorderStatus"),
                ..full_facts(true)
            },
        );
        let outcomes = run(&with(vec![us, full(EU, false)]));
        assert_verdict(
            "own status unread",
            &outcomes[0],
            Status::Error,
            "cannot tell whether AWS Config fully records us-east-1: the status of recorder \
             default could not be read: config:DescribeConfigurationRecorderStatus failed: \
             AccessDenied",
        );
        assert!(
            !outcomes[0].reason.contains("no readable scanned Region"),
            "{}",
            outcomes[0].reason
        );
        assert_verdict(
            "global unknown",
            &outcomes[1],
            Status::Error,
            "no readable scanned Region records the global IAM types, and us-east-1: \
             config:DescribeConfigurationRecorderStatus failed",
        );
        assert_eq!(outcomes[1].evidence[GLOBAL_LABEL], "unknown");

        // A known failure stays FAIL, and says what else could not be read.
        let eu = in_region(
            EU,
            ConfigFacts {
                recorders: denied("DescribeConfigurationRecorders"),
                delivery_channels: Collected::Ok(Vec::new()),
                ..full_facts(false)
            },
        );
        let outcomes = run(&with(vec![full(US, true), eu]));
        assert_verdict(
            "known failure",
            &outcomes[1],
            Status::Fail,
            "there is no delivery channel (a recorder cannot start without one) (also: the \
             configuration recorders could not be read: config:DescribeConfigurationRecorders \
             failed: AccessDenied",
        );
        assert!(outcomes[1].evidence["recorder"].starts_with("not read: "));

        // A Region the snapshot holds no AWS Config facts for.
        let outcomes = run(&with(vec![full(US, true)]));
        assert_eq!(outcomes[0].status, Status::Pass);
        assert_verdict(
            "not in the snapshot",
            &outcomes[1],
            Status::Error,
            "AWS Config was not read in eu-west-1",
        );
        let outcomes = run(&with(Vec::new()));
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
    }
}
