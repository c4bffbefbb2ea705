//! IAM facts of one account: the credential report and the root-user keys of
//! `GetAccountSummary`.
//!
//! The report is generated and read once, not assembled from per-user calls, unless it is older
//! than the evidence must be: IAM hands out the same report for four hours, so a scan right after
//! a change window would read the picture from before it. Then the IAM users' rows are read live
//! ([`live_user_rows`]) and the report says so (`users_read_live_at`).
//!
//! IAM is global: these calls are made once per account, with the account's IAM client. Nothing
//! here judges a fact; an answer that cannot be read is kept as its error.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::types::{ReportStateType, SummaryKeyType};
use aws_smithy_types::date_time::Format;

use super::Limiter;
use crate::aws::calls::all_items;
use crate::aws::error::collect_error;
use crate::facts::{
    AccountSummary, CollectError, Collected, CredentialReport, CredentialReportRow,
    ReportAccessKey, ReportValue, RootAccessFeatures,
};

/// The `user` of the root user's row.
const ROOT_ROW: &str = "<root_account>";

/// How long to wait for IAM to generate the credential report: it usually takes seconds, but a
/// first report in a large account takes longer, and a scan must not wait forever.
#[derive(Debug, Clone)]
pub(crate) struct ReportPolling {
    /// The wait after the first answer that is not COMPLETE.
    pub(crate) first_wait: Duration,
    /// The longest single wait (the wait doubles up to this).
    pub(crate) max_wait: Duration,
    /// The whole wait, after which the report is an error.
    pub(crate) deadline: Duration,
}

impl Default for ReportPolling {
    fn default() -> Self {
        Self {
            first_wait: Duration::from_millis(250),
            max_wait: Duration::from_secs(2),
            deadline: Duration::from_secs(60),
        }
    }
}

/// Generates the credential report until IAM says COMPLETE, then reads and parses it.
///
/// `GenerateCredentialReport` answers COMPLETE at once when a report younger than four hours
/// exists, so one Generate and one Get is the usual cost. A report that IAM says is complete but
/// that `GetCredentialReport` calls not ready, not present or expired is waited for like one
/// still being generated.
///
/// A report generated before `fresh_after` (the previous scan's end, by default) cannot show
/// what changed since: its users' rows are replaced with live reads.
pub(crate) async fn credential_report(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
    polling: &ReportPolling,
    fresh_after: Option<jiff::Timestamp>,
) -> Collected<CredentialReport> {
    let report = match generated_report(iam, limiter, polling).await {
        Collected::Ok(report) => report,
        Collected::Error(err) => return Collected::Error(err),
    };
    let stale = match (fresh_after, &report.generated_time) {
        (None, _) => false,
        (Some(after), Some(generated)) => generated
            .parse::<jiff::Timestamp>()
            .map_or(true, |generated| generated <= after),
        // No time: it cannot be shown to be fresh.
        (Some(_), None) => true,
    };
    if !stale {
        return Collected::Ok(report);
    }
    let read_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string());
    match live_user_rows(iam, limiter).await {
        Ok(users) => Collected::Ok(CredentialReport {
            users,
            users_read_live_at: Some(read_at),
            ..report
        }),
        Err(err) => Collected::Error(err),
    }
}

/// The report IAM has (or generates): polled until complete, read and parsed.
async fn generated_report(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
    polling: &ReportPolling,
) -> Collected<CredentialReport> {
    let started = Instant::now();
    let mut wait = polling.first_wait;
    loop {
        let state = match limiter.call(iam.generate_credential_report().send()).await {
            Ok(out) => out.state().cloned(),
            Err(err) => {
                return Collected::Error(collect_error(
                    &err,
                    "iam",
                    "GenerateCredentialReport",
                    None,
                ));
            }
        };
        let pending = if state == Some(ReportStateType::Complete) {
            match limiter.call(iam.get_credential_report().send()).await {
                Ok(out) => return read_report(&out),
                Err(err)
                    if err.as_service_error().is_some_and(|e| {
                        e.is_credential_report_not_ready_exception()
                            || e.is_credential_report_not_present_exception()
                            || e.is_credential_report_expired_exception()
                    }) =>
                {
                    let code = crate::aws::error::AwsErrorInfo::from_sdk_error(&err).code;
                    format!(
                        "GetCredentialReport answered {}",
                        code.as_deref().unwrap_or("that the report is not ready")
                    )
                }
                Err(err) => {
                    return Collected::Error(collect_error(
                        &err,
                        "iam",
                        "GetCredentialReport",
                        None,
                    ));
                }
            }
        } else {
            format!(
                "GenerateCredentialReport last answered {}",
                state.as_ref().map_or("no state", ReportStateType::as_str)
            )
        };
        if started.elapsed() + wait > polling.deadline {
            return Collected::Error(CollectError {
                service: "iam".into(),
                action: "GenerateCredentialReport".into(),
                region: None,
                code: None,
                message: format!(
                    "the credential report was not ready within {} s ({pending})",
                    polling.deadline.as_secs()
                ),
                request_id: None,
                http_status: None,
            });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(polling.max_wait);
    }
}

/// The report of a `GetCredentialReport` answer.
fn read_report(out: &GetCredentialReportOutput) -> Collected<CredentialReport> {
    let generated_time = out
        .generated_time()
        .and_then(|t| t.fmt(Format::DateTime).ok());
    let parsed = match out.content() {
        Some(content) => parse_credential_report(content.as_ref(), generated_time),
        None => Err("GetCredentialReport answered no content".to_owned()),
    };
    match parsed {
        Ok(report) => Collected::Ok(report),
        Err(message) => Collected::Error(CollectError {
            service: "iam".into(),
            action: "GetCredentialReport".into(),
            region: None,
            code: None,
            message,
            request_id: None,
            http_status: None,
        }),
    }
}

/// Where each column of the report is; `None` for a column the report lacks (older reports lack
/// the `*_last_used_*` ones).
struct Columns {
    user: usize,
    arn: usize,
    user_creation_time: Option<usize>,
    password_enabled: Option<usize>,
    password_last_used: Option<usize>,
    mfa_active: Option<usize>,
    /// Per slot (1, 2): active, last rotated, last used date, region, service.
    access_keys: [[Option<usize>; 5]; 2],
    certificates_active: [Option<usize>; 2],
}

impl Columns {
    fn new(headers: &csv::StringRecord) -> Result<Self, String> {
        let find = |name: &str| headers.iter().position(|h| h == name);
        let required = |name: &str| {
            find(name).ok_or_else(|| format!("the credential report has no `{name}` column"))
        };
        let key = |slot: u8| {
            [
                "active",
                "last_rotated",
                "last_used_date",
                "last_used_region",
                "last_used_service",
            ]
            .map(|suffix| find(&format!("access_key_{slot}_{suffix}")))
        };
        Ok(Self {
            user: required("user")?,
            arn: required("arn")?,
            user_creation_time: find("user_creation_time"),
            password_enabled: find("password_enabled"),
            password_last_used: find("password_last_used"),
            mfa_active: find("mfa_active"),
            access_keys: [key(1), key(2)],
            certificates_active: [find("cert_1_active"), find("cert_2_active")],
        })
    }

    fn row(&self, record: &csv::StringRecord) -> CredentialReportRow {
        let cell = |column: Option<usize>| ReportValue::parse(column.and_then(|i| record.get(i)));
        let text = |column: usize| record.get(column).unwrap_or_default().to_owned();
        CredentialReportRow {
            user: text(self.user),
            arn: text(self.arn),
            user_creation_time: cell(self.user_creation_time).value().map(str::to_owned),
            password_enabled: cell(self.password_enabled),
            password_last_used: cell(self.password_last_used),
            mfa_active: cell(self.mfa_active),
            access_keys: (1..=2)
                .zip(&self.access_keys)
                .map(
                    |(slot, [active, rotated, date, region, service])| ReportAccessKey {
                        slot,
                        active: cell(*active),
                        last_rotated: cell(*rotated),
                        last_used_date: cell(*date),
                        last_used_region: cell(*region),
                        last_used_service: cell(*service),
                    },
                )
                .collect(),
            certificates_active: self.certificates_active.iter().map(|c| cell(*c)).collect(),
        }
    }
}

/// Parses the credential report's CSV by column name (the order has changed over the years), the
/// root user's row apart from the IAM users'.
pub(crate) fn parse_credential_report(
    csv: &[u8],
    generated_time: Option<String>,
) -> Result<CredentialReport, String> {
    let invalid = |err: csv::Error| format!("the credential report is not valid CSV: {err}");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
    let columns = Columns::new(reader.headers().map_err(invalid)?)?;
    let mut root = None;
    let mut users = Vec::new();
    for record in reader.records() {
        let row = columns.row(&record.map_err(invalid)?);
        if row.user == ROOT_ROW {
            root = Some(row);
        } else {
            users.push(row);
        }
    }
    Ok(CredentialReport {
        generated_time,
        root,
        users,
        users_read_live_at: None,
    })
}

/// Every IAM user's row as the credential report would write it now, from live answers:
/// `ListUsers`, then per user `GetLoginProfile`, `ListMFADevices` and `ListAccessKeys`, and per
/// key `GetAccessKeyLastUsed` (3 calls per user and 1 per key, plus a page of 100 users).
/// Keys take their slots in `ListAccessKeys` order, as the report's do. Signing certificates of
/// IAM users are not read: no check looks at them.
///
/// # Errors
/// The first call that failed: a picture half live and half stale is not evidence.
pub(crate) async fn live_user_rows(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
) -> Result<Vec<CredentialReportRow>, CollectError> {
    let mut pages = iam.list_users().into_paginator().send();
    let users = all_items(
        |cx| pages.poll_next(cx),
        Some(limiter),
        "iam",
        "ListUsers",
        None,
        |page| page.users,
    )
    .await;
    let users = match users {
        Collected::Ok(users) => users,
        Collected::Error(err) => return Err(err),
    };
    let rows =
        futures::future::join_all(users.iter().map(|user| live_user_row(iam, limiter, user)));
    rows.await.into_iter().collect()
}

/// One IAM user's row from live answers (see [`live_user_rows`]).
async fn live_user_row(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
    user: &aws_sdk_iam::types::User,
) -> Result<CredentialReportRow, CollectError> {
    let name = user.user_name();
    let date = |time: &aws_smithy_types::DateTime| time.fmt(Format::DateTime).ok();
    let value = |text: Option<String>, absent: ReportValue| text.map_or(absent, ReportValue::Value);
    let flag = |on: bool| ReportValue::Value(on.to_string());

    let (login, mfa, keys) = futures::join!(
        limiter.call(iam.get_login_profile().user_name(name).send()),
        async {
            let mut pages = iam
                .list_mfa_devices()
                .user_name(name)
                .into_paginator()
                .send();
            all_items(
                |cx| pages.poll_next(cx),
                Some(limiter),
                "iam",
                "ListMFADevices",
                None,
                |page| page.mfa_devices,
            )
            .await
        },
        async {
            let mut pages = iam
                .list_access_keys()
                .user_name(name)
                .into_paginator()
                .send();
            all_items(
                |cx| pages.poll_next(cx),
                Some(limiter),
                "iam",
                "ListAccessKeys",
                None,
                |page| page.access_key_metadata,
            )
            .await
        },
    );
    let password_enabled = match login {
        Ok(_) => true,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            false
        }
        Err(err) => return Err(collect_error(&err, "iam", "GetLoginProfile", None)),
    };
    let mfa = match mfa {
        Collected::Ok(devices) => devices,
        Collected::Error(err) => return Err(err),
    };
    let keys = match keys {
        Collected::Ok(keys) => keys,
        Collected::Error(err) => return Err(err),
    };
    let mut access_keys = Vec::with_capacity(2);
    for slot in 1..=2u8 {
        let Some(key) = keys.get(usize::from(slot) - 1) else {
            access_keys.push(ReportAccessKey {
                slot,
                active: flag(false),
                last_rotated: ReportValue::NotApplicable,
                last_used_date: ReportValue::NotApplicable,
                last_used_region: ReportValue::NotApplicable,
                last_used_service: ReportValue::NotApplicable,
            });
            continue;
        };
        let active = key.status() == Some(&aws_sdk_iam::types::StatusType::Active);
        let key_id = key.access_key_id().unwrap_or_default();
        let used = limiter
            .call(iam.get_access_key_last_used().access_key_id(key_id).send())
            .await
            .map_err(|err| collect_error(&err, "iam", "GetAccessKeyLastUsed", None))?;
        let used = used.access_key_last_used();
        access_keys.push(ReportAccessKey {
            slot,
            active: flag(active),
            // The report writes N/A here for a key that is not active.
            last_rotated: if active {
                value(key.create_date().and_then(date), ReportValue::NotApplicable)
            } else {
                ReportValue::NotApplicable
            },
            last_used_date: value(
                used.and_then(|u| u.last_used_date()).and_then(date),
                ReportValue::NotApplicable,
            ),
            last_used_region: ReportValue::parse(Some(used.map(|u| u.region()).unwrap_or("N/A"))),
            last_used_service: ReportValue::parse(Some(
                used.map(|u| u.service_name()).unwrap_or("N/A"),
            )),
        });
    }
    Ok(CredentialReportRow {
        user: name.to_owned(),
        arn: user.arn().to_owned(),
        user_creation_time: date(user.create_date()),
        password_enabled: flag(password_enabled),
        password_last_used: if password_enabled {
            value(
                user.password_last_used().and_then(date),
                ReportValue::NoInformation,
            )
        } else {
            ReportValue::NotApplicable
        },
        mfa_active: flag(!mfa.is_empty()),
        access_keys,
        certificates_active: Vec::new(),
    })
}

/// The root-user keys of `GetAccountSummary`.
pub(crate) async fn account_summary(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
) -> Collected<AccountSummary> {
    match limiter.call(iam.get_account_summary().send()).await {
        Ok(out) => Collected::Ok(summary_from_map(out.summary_map())),
        Err(err) => Collected::Error(collect_error(&err, "iam", "GetAccountSummary", None)),
    }
}

/// Centralized root access (`ListOrganizationsFeatures`), read once for the organization with the
/// caller's credentials (the management account, or IAM's delegated administrator).
pub(crate) async fn organizations_features(
    iam: &aws_sdk_iam::Client,
    limiter: &Limiter,
) -> Collected<RootAccessFeatures> {
    match limiter.call(iam.list_organizations_features().send()).await {
        Ok(out) => Collected::Ok(RootAccessFeatures {
            organization_id: out.organization_id().map(str::to_owned),
            enabled_features: out
                .enabled_features()
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
        }),
        Err(err) => Collected::Error(collect_error(
            &err,
            "iam",
            "ListOrganizationsFeatures",
            None,
        )),
    }
}

/// The root-user keys of a summary map: 1 = present, 0 = absent; a missing key stays unknown
/// (moto, and older API versions, leave some out).
fn summary_from_map(map: Option<&HashMap<SummaryKeyType, i32>>) -> AccountSummary {
    let key = |key: SummaryKeyType| map.and_then(|m| m.get(&key)).map(|value| *value > 0);
    AccountSummary {
        mfa_enabled: key(SummaryKeyType::AccountMfaEnabled),
        access_keys_present: key(SummaryKeyType::AccountAccessKeysPresent),
        password_present: key(SummaryKeyType::AccountPasswordPresent),
        signing_certificates_present: key(SummaryKeyType::AccountSigningCertificatesPresent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
    use aws_sdk_iam::operation::get_credential_report::GetCredentialReportError;
    use aws_sdk_iam::types::error::CredentialReportNotReadyException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::{Blob, DateTime};

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    const ROOT: &str = "<root_account>,arn:aws:iam::111122223333:root,2018-06-01T06:55:24+00:00,\
not_supported,2018-07-09T00:48:51+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,\
false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    const USER: &str = "ci,arn:aws:iam::111122223333:user/ci,2024-01-01T00:00:00+00:00,false,N/A,\
N/A,N/A,false,true,2024-01-02T00:00:00+00:00,2024-03-01T10:00:00+00:00,us-east-1,s3,false,N/A,\
N/A,N/A,N/A,false,N/A,false,N/A";

    fn value(text: &str) -> ReportValue {
        ReportValue::Value(text.to_owned())
    }

    #[test]
    fn parses_root_row_apart_from_users() {
        let csv = format!("{HEADER}\n{ROOT}\n{USER}\n");
        let report = parse_credential_report(csv.as_bytes(), Some("2026-01-01T00:00:00Z".into()))
            .expect("parses");
        assert_eq!(
            report.generated_time.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        let root = report.root.expect("root row");
        assert_eq!(root.arn, "arn:aws:iam::111122223333:root");
        assert_eq!(root.password_enabled, ReportValue::NotSupported);
        assert_eq!(root.password_last_used, value("2018-07-09T00:48:51+00:00"));
        assert_eq!(root.mfa_active.as_bool(), Some(true));
        assert_eq!(root.access_keys.len(), 2);
        assert_eq!(root.access_keys[0].active.as_bool(), Some(false));
        assert_eq!(root.access_keys[0].last_rotated, ReportValue::NotApplicable);

        assert_eq!(report.users.len(), 1);
        let user = &report.users[0];
        assert_eq!(user.user, "ci");
        assert_eq!(
            user.user_creation_time.as_deref(),
            Some("2024-01-01T00:00:00+00:00")
        );
        assert_eq!(user.password_last_used, ReportValue::NotApplicable);
        let key = &user.access_keys[0];
        assert_eq!(key.slot, 1);
        assert_eq!(key.active.as_bool(), Some(true));
        assert_eq!(key.last_used_date, value("2024-03-01T10:00:00+00:00"));
        assert_eq!(key.last_used_region, value("us-east-1"));
        assert_eq!(key.last_used_service, value("s3"));
        assert_eq!(user.access_keys[1].slot, 2);
        assert_eq!(user.access_keys[1].active.as_bool(), Some(false));
        assert_eq!(
            user.certificates_active,
            vec![value("false"), value("false")]
        );
    }

    #[test]
    fn reads_columns_by_name_in_any_order_and_marks_missing_ones() {
        // An older report: no last-used columns, and the columns in another order.
        let csv = "arn,user,mfa_active,access_key_1_active,password_last_used\n\
                   arn:aws:iam::1:user/old,old,false,true,no_information\n";
        let report = parse_credential_report(csv.as_bytes(), None).expect("parses");
        assert!(report.root.is_none());
        let row = &report.users[0];
        assert_eq!(row.user, "old");
        assert_eq!(row.arn, "arn:aws:iam::1:user/old");
        assert_eq!(row.password_last_used, ReportValue::NoInformation);
        assert_eq!(row.password_enabled, ReportValue::Missing);
        assert_eq!(row.user_creation_time, None);
        assert_eq!(row.access_keys[0].active.as_bool(), Some(true));
        assert_eq!(row.access_keys[0].last_used_date, ReportValue::Missing);
        assert_eq!(row.access_keys[1].active, ReportValue::Missing);
        assert_eq!(
            row.certificates_active,
            vec![ReportValue::Missing, ReportValue::Missing]
        );
    }

    #[test]
    fn keeps_a_quoted_user_name_with_a_comma_whole() {
        // IAM user names may contain `,`; the report quotes them.
        let csv = "user,arn\n\"a,b\",\"arn:aws:iam::1:user/a,b\"\n";
        let report = parse_credential_report(csv.as_bytes(), None).expect("parses");
        assert_eq!(report.users[0].user, "a,b");
    }

    #[test]
    fn a_report_without_user_or_arn_column_is_an_error() {
        let err = parse_credential_report(b"name,arn\nx,y\n", None).expect_err("no user column");
        assert!(err.contains("`user`"), "{err}");
        let err = parse_credential_report(b"user\nx\n", None).expect_err("no arn column");
        assert!(err.contains("`arn`"), "{err}");
    }

    #[test]
    fn a_row_of_the_wrong_length_is_an_error() {
        let err = parse_credential_report(b"user,arn\nx\n", None).expect_err("short row");
        assert!(err.contains("not valid CSV"), "{err}");
    }

    #[test]
    fn summary_keys_map_to_booleans_and_missing_keys_stay_unknown() {
        let map = HashMap::from([
            (SummaryKeyType::AccountMfaEnabled, 1),
            (SummaryKeyType::AccountAccessKeysPresent, 0),
            (SummaryKeyType::Users, 7),
        ]);
        assert_eq!(
            summary_from_map(Some(&map)),
            AccountSummary {
                mfa_enabled: Some(true),
                access_keys_present: Some(false),
                password_present: None,
                signing_certificates_present: None,
            }
        );
        assert_eq!(summary_from_map(None).mfa_enabled, None);
    }

    fn fast() -> ReportPolling {
        ReportPolling {
            first_wait: Duration::from_millis(1),
            max_wait: Duration::from_millis(2),
            deadline: Duration::from_millis(200),
        }
    }

    fn generated(state: ReportStateType) -> GenerateCredentialReportOutput {
        GenerateCredentialReportOutput::builder()
            .state(state)
            .build()
    }

    fn report_output() -> GetCredentialReportOutput {
        GetCredentialReportOutput::builder()
            .content(Blob::new(format!("{HEADER}\n{ROOT}\n{USER}\n")))
            .generated_time(DateTime::from_secs(1_767_225_600))
            .build()
    }

    #[tokio::test]
    async fn polls_generate_until_complete_then_reads_the_report_once() {
        let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
            .sequence()
            .output(|| generated(ReportStateType::Started))
            .output(|| generated(ReportStateType::Complete))
            .build();
        let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(report_output);
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&generate, &get]);

        let report =
            credential_report(&iam, &Limiter::new(4), &ReportPolling::default(), None).await;
        let report = report.as_result().expect("report");
        assert_eq!(
            report.generated_time.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert!(report.root.is_some());
        assert_eq!(report.users.len(), 1);
        assert_eq!((generate.num_calls(), get.num_calls()), (2, 1));
    }

    #[tokio::test]
    async fn a_report_still_in_progress_when_read_is_waited_for() {
        let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
            .then_output(|| generated(ReportStateType::Complete));
        let get = mock!(aws_sdk_iam::Client::get_credential_report)
            .sequence()
            .error(|| {
                GetCredentialReportError::CredentialReportNotReadyException(
                    CredentialReportNotReadyException::builder()
                        .message("Report is not ready")
                        .build(),
                )
            })
            .output(report_output)
            .build();
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&generate, &get]);

        let report = credential_report(&iam, &Limiter::new(4), &fast(), None).await;
        assert!(report.as_result().is_ok(), "{report:?}");
        assert_eq!((generate.num_calls(), get.num_calls()), (2, 2));
    }

    #[tokio::test]
    async fn a_report_never_complete_is_an_error_after_the_deadline() {
        let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
            .then_output(|| generated(ReportStateType::Inprogress));
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&generate]);

        let report = credential_report(&iam, &Limiter::new(4), &fast(), None).await;
        let err = report.as_result().expect_err("times out");
        assert_eq!(
            (err.service.as_str(), err.action.as_str()),
            ("iam", "GenerateCredentialReport")
        );
        assert!(err.message.contains("INPROGRESS"), "{}", err.message);
        assert!(generate.num_calls() > 2);
    }

    #[tokio::test]
    async fn access_denied_on_generate_is_kept_with_its_code() {
        let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_error(|| {
            aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("not authorized to perform: iam:GenerateCredentialReport")
                    .build(),
            )
        });
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&generate]);
        let report = credential_report(&iam, &Limiter::new(1), &fast(), None).await;
        let err = report.as_result().expect_err("denied");
        assert_eq!(err.code.as_deref(), Some("AccessDenied"));
        assert!(err.message.contains("iam:GenerateCredentialReport"));
    }

    /// A report IAM generated at 2026-01-01T00:00:00Z, and the mocks of one IAM user `ci` read
    /// live: no password, one MFA device, an active key used by s3 and an inactive one never used.
    fn live_mocks() -> Vec<aws_smithy_mocks::Rule> {
        use aws_sdk_iam::operation::get_login_profile::GetLoginProfileError;
        use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
        use aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput;
        use aws_sdk_iam::operation::list_users::ListUsersOutput;
        use aws_sdk_iam::types::{AccessKeyMetadata, MfaDevice, StatusType, User};
        let at = DateTime::from_secs;
        vec![
            mock!(aws_sdk_iam::Client::generate_credential_report)
                .then_output(|| generated(ReportStateType::Complete)),
            mock!(aws_sdk_iam::Client::get_credential_report).then_output(report_output),
            mock!(aws_sdk_iam::Client::list_users).then_output(move || {
                ListUsersOutput::builder()
                    .users(
                        User::builder()
                            .user_name("ci")
                            .arn("arn:aws:iam::111122223333:user/ci")
                            .path("/")
                            .user_id("AIDAEXAMPLE")
                            .create_date(at(1_704_067_200))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap()
            }),
            mock!(aws_sdk_iam::Client::get_login_profile).then_error(|| {
                GetLoginProfileError::NoSuchEntityException(
                    aws_sdk_iam::types::error::NoSuchEntityException::builder()
                        .message("Login Profile for User ci cannot be found.")
                        .build(),
                )
            }),
            mock!(aws_sdk_iam::Client::list_mfa_devices).then_output(move || {
                ListMfaDevicesOutput::builder()
                    .mfa_devices(
                        MfaDevice::builder()
                            .user_name("ci")
                            .serial_number("arn:aws:iam::111122223333:mfa/ci")
                            .enable_date(at(1_704_067_200))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap()
            }),
            mock!(aws_sdk_iam::Client::list_access_keys).then_output(move || {
                ListAccessKeysOutput::builder()
                    .access_key_metadata(
                        AccessKeyMetadata::builder()
                            .access_key_id("AKIAUSED")
                            .status(StatusType::Active)
                            .create_date(at(1_704_153_600))
                            .build(),
                    )
                    .access_key_metadata(
                        AccessKeyMetadata::builder()
                            .access_key_id("AKIAIDLE")
                            .status(StatusType::Inactive)
                            .create_date(at(1_704_240_000))
                            .build(),
                    )
                    .build()
                    .unwrap()
            }),
            last_used("AKIAUSED", Some(at(1_709_287_200)), "s3", "us-east-1"),
            last_used("AKIAIDLE", None, "N/A", "N/A"),
        ]
    }

    /// `GetAccessKeyLastUsed` of `key`: when, by which service, in which Region (`N/A` when never).
    fn last_used(
        key: &'static str,
        date: Option<DateTime>,
        service: &'static str,
        region: &'static str,
    ) -> aws_smithy_mocks::Rule {
        use aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput;
        use aws_sdk_iam::types::AccessKeyLastUsed;
        mock!(aws_sdk_iam::Client::get_access_key_last_used)
            .match_requests(move |r| r.access_key_id() == Some(key))
            .then_output(move || {
                GetAccessKeyLastUsedOutput::builder()
                    .access_key_last_used(
                        AccessKeyLastUsed::builder()
                            .set_last_used_date(date)
                            .service_name(service)
                            .region(region)
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
    }

    #[tokio::test]
    async fn a_report_older_than_the_evidence_must_be_has_its_users_read_live() {
        let rules = live_mocks();
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, &rules);
        let after: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let report = credential_report(&iam, &Limiter::new(4), &fast(), Some(after)).await;
        let report = report.as_result().expect("report");
        assert_eq!(
            report.generated_time.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert!(report.users_read_live_at.is_some());
        // The root row is the report's; the users are IAM's answers now.
        assert!(report.root.is_some());
        assert_eq!(report.users.len(), 1);
        let user = &report.users[0];
        assert_eq!(
            (user.user.as_str(), user.arn.as_str()),
            ("ci", "arn:aws:iam::111122223333:user/ci")
        );
        assert_eq!(user.password_enabled.as_bool(), Some(false));
        assert_eq!(user.password_last_used, ReportValue::NotApplicable);
        assert_eq!(user.mfa_active.as_bool(), Some(true));
        let [used, idle] = &user.access_keys[..] else {
            panic!("{:?}", user.access_keys);
        };
        assert_eq!((used.slot, used.active.as_bool()), (1, Some(true)));
        assert_eq!(used.last_rotated, value("2024-01-02T00:00:00Z"));
        assert_eq!(used.last_used_date, value("2024-03-01T10:00:00Z"));
        assert_eq!(used.last_used_service, value("s3"));
        assert_eq!(used.last_used_region, value("us-east-1"));
        assert_eq!((idle.slot, idle.active.as_bool()), (2, Some(false)));
        assert_eq!(idle.last_rotated, ReportValue::NotApplicable);
        assert_eq!(idle.last_used_date, ReportValue::NotApplicable);
        assert_eq!(idle.last_used_service, ReportValue::NotApplicable);
        // 1 ListUsers, 3 calls for the user, 1 per key.
        let live: usize = rules[2..].iter().map(|r| r.num_calls()).sum();
        assert_eq!(live, 6);
    }

    #[tokio::test]
    async fn a_report_newer_than_the_evidence_must_be_is_used_as_it_is() {
        let rules = live_mocks();
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, &rules);
        let after: jiff::Timestamp = "2025-12-31T23:59:59Z".parse().unwrap();
        let report = credential_report(&iam, &Limiter::new(4), &fast(), Some(after)).await;
        let report = report.as_result().expect("report");
        assert_eq!(report.users_read_live_at, None);
        assert_eq!(report.users[0].mfa_active.as_bool(), Some(false));
        assert_eq!(rules[2..].iter().map(|r| r.num_calls()).sum::<usize>(), 0);
    }

    #[tokio::test]
    async fn a_live_read_that_is_denied_is_the_reports_error_not_the_stale_report() {
        use aws_sdk_iam::operation::list_users::ListUsersError;
        let mut rules = live_mocks();
        rules[2] = mock!(aws_sdk_iam::Client::list_users).then_error(|| {
            ListUsersError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("not authorized to perform: iam:ListUsers")
                    .build(),
            )
        });
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, &rules);
        let after: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let report = credential_report(&iam, &Limiter::new(4), &fast(), Some(after)).await;
        let err = report.as_result().expect_err("denied");
        assert_eq!(
            (err.action.as_str(), err.code.as_deref()),
            ("ListUsers", Some("AccessDenied"))
        );
    }
}
