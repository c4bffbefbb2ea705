//! `organization-trail-log-archive`: an organization trail of the management account logs every
//! Region, is logging, validates and encrypts its log files, and delivers them to a bucket the
//! log-archive account of the Security OU owns, where they cannot be deleted from outside that
//! account. One finding for the organization.
//!
//! The bucket's owner is the scanned account whose `ListBuckets` names it (bucket names are
//! global). Its protection is read by the owner: Object Lock with a default retention protects
//! every log object; otherwise the bucket policy must deny `s3:DeleteObject` and
//! `s3:DeleteObjectVersion` to a principal of the management account (the one account that SCPs
//! cannot restrict, and outside the log-archive account), which the `iam-rs` crate decides as AWS
//! evaluates the statements (conditions such as `aws:PrincipalAccount` included).
//!
//! PASS when one organization trail meets every condition; else ERROR when one could only not
//! be judged (a read failed); else FAIL naming what each trail lacks.
//!
//! Pure: no I/O, no clock, no logging.

use iam_rs::{
    Arn, Context, Decision, IAMPolicy, IAMRequest, PolicyEvaluator, Principal, PrincipalId,
};

use super::{LandingZone, describe_error};
use crate::facts::{AccountPlacement, Collected, LogBucket, ScanFacts, Trail};
use crate::finding::{Outcome, Status};

/// The resource of the finding.
pub(crate) const RESOURCE: &str = "organization trail";

/// The deletions the bucket must refuse to outsiders.
const DELETIONS: [&str; 2] = ["s3:DeleteObject", "s3:DeleteObjectVersion"];

/// Judges the organization trails' delivery.
pub(crate) fn evaluate(facts: &ScanFacts, landing_zone: &LandingZone) -> Vec<Outcome> {
    let organization = &facts.organization;
    let outcome = |status, reason: String| Outcome::new(None, RESOURCE, status, reason);
    let trails = match &organization.organization_trails {
        Collected::Error(err) => {
            return vec![outcome(
                Status::Error,
                format!(
                    "the organization trails could not be read: {}",
                    describe_error(err)
                ),
            )];
        }
        Collected::Ok(trails) => trails,
    };
    let trails: Vec<&Trail> = trails.iter().filter(|t| t.organization_trail).collect();
    if trails.is_empty() {
        return vec![outcome(
            Status::Fail,
            "the management account has no organization trail: no trail logs every account"
                .to_owned(),
        )];
    }
    let placements: &[AccountPlacement] = match &organization.policies {
        Some(Collected::Ok(policies)) => &policies.placements,
        // Without where each account sits, the Security OU cannot be told: ERROR, not FAIL.
        Some(Collected::Error(err)) => {
            return vec![outcome(
                Status::Error,
                format!(
                    "where each account sits could not be read, so the log-archive account of \
                     the Security OU cannot be told: {}",
                    describe_error(err)
                ),
            )];
        }
        None => {
            return vec![outcome(
                Status::Error,
                "where each account sits was not recorded: the snapshot was made by a posture \
                 that did not record it; scan again"
                    .to_owned(),
            )];
        }
    };
    let security_ou = landing_zone.security_ou(placements);
    let mut judged: Vec<(&Trail, Judged)> = trails
        .iter()
        .map(|trail| (*trail, judge(trail, facts, placements, security_ou)))
        .collect();
    judged.sort_by_key(|(trail, _)| trail.arn.as_str());

    let mut result = outcome(Status::Pass, String::new())
        .with(
            "Security OU",
            security_ou.map_or("none", |ou| ou.path.as_str()),
        )
        .with(LandingZone::EVIDENCE_LABEL, landing_zone.describe());
    for (trail, verdict) in &judged {
        result = result.with(&format!("trail {}", trail.arn), verdict.evidence());
    }
    let (status, reason) = if let Some((trail, verdict)) = judged
        .iter()
        .find(|(_, v)| v.lacks.is_empty() && v.unknown.is_empty())
    {
        (
            Status::Pass,
            format!(
                "organization trail {} logs every Region with validated, KMS-encrypted files \
                 into {}",
                trail.name, verdict.delivery
            ),
        )
    } else if let Some((trail, verdict)) = judged.iter().find(|(_, v)| v.lacks.is_empty()) {
        (
            Status::Error,
            format!(
                "cannot tell whether organization trail {} delivers safely: {}",
                trail.name,
                verdict.unknown.join("; ")
            ),
        )
    } else {
        let each: Vec<String> = judged
            .iter()
            .map(|(trail, verdict)| format!("{}: {}", trail.name, verdict.lacks.join(", ")))
            .collect();
        (
            Status::Fail,
            format!(
                "no organization trail delivers safely to the log-archive account: {}",
                each.join("; ")
            ),
        )
    };
    result.status = status;
    result.reason = reason;
    vec![result]
}

/// One trail's verdict: what it lacks, what could not be told, and where it delivers.
struct Judged {
    lacks: Vec<String>,
    unknown: Vec<String>,
    /// `bucket B of account A (OU /Security), protected by ...`.
    delivery: String,
}

impl Judged {
    fn evidence(&self) -> String {
        let mut parts = vec![self.delivery.clone()];
        if !self.lacks.is_empty() {
            parts.push(format!("lacks: {}", self.lacks.join(", ")));
        }
        if !self.unknown.is_empty() {
            parts.push(format!("unknown: {}", self.unknown.join("; ")));
        }
        parts.join("; ")
    }
}

fn judge(
    trail: &Trail,
    facts: &ScanFacts,
    placements: &[AccountPlacement],
    security_ou: Option<&crate::facts::OuRef>,
) -> Judged {
    let management = facts.organization.management_account_id.as_str();
    let mut verdict = Judged {
        lacks: Vec::new(),
        unknown: Vec::new(),
        delivery: String::new(),
    };
    if !trail.multi_region {
        verdict.lacks.push("it logs one Region only".to_owned());
    }
    match &trail.status {
        Collected::Ok(status) if !status.is_logging => {
            verdict.lacks.push("it is not logging".to_owned());
        }
        Collected::Ok(_) => {}
        Collected::Error(err) => verdict.unknown.push(format!(
            "its status could not be read: {}",
            describe_error(err)
        )),
    }
    if !trail.log_file_validation {
        verdict.lacks.push("log file validation is off".to_owned());
    }
    if trail.kms_key_id.is_none() {
        verdict
            .lacks
            .push("its log files are not encrypted with KMS".to_owned());
    }
    let Some(bucket) = trail.s3_bucket.as_deref() else {
        verdict.lacks.push("it names no bucket".to_owned());
        verdict.delivery = "no bucket".to_owned();
        return verdict;
    };
    let owner = match bucket_owner(facts, bucket) {
        Ok(owner) => owner,
        Err(why) => {
            verdict.unknown.push(why);
            verdict.delivery = format!("bucket {bucket} of an account not known");
            return verdict;
        }
    };
    let Some(owner) = owner else {
        verdict.lacks.push(format!(
            "no scanned account owns its bucket {bucket} (it is outside the organization or \
             outside the scan)"
        ));
        verdict.delivery = format!("bucket {bucket} of no scanned account");
        return verdict;
    };
    let placement = placements.iter().find(|p| p.account_id == owner);
    let ou = placement
        .and_then(|p| p.parents.last())
        .map_or("the root", |ou| ou.path.as_str());
    let protection = protection(facts, owner, bucket, management);
    verdict.delivery = format!(
        "bucket {bucket} of account {owner} ({ou}), {}",
        match &protection {
            Ok(Some(how)) => format!("protected by {how}"),
            Ok(None) => "deletable from outside its account".to_owned(),
            Err(_) => "protection not known".to_owned(),
        }
    );
    if owner == management {
        verdict
            .lacks
            .push("it delivers into a bucket of the management account itself".to_owned());
    } else {
        match security_ou {
            None => verdict.lacks.push(format!(
                "its bucket's owner {owner} cannot be the log-archive account of the Security \
                 OU: the organization has none"
            )),
            Some(security) => {
                let inside =
                    placement.is_some_and(|p| p.parents.iter().any(|o| o.id == security.id));
                if !inside {
                    verdict.lacks.push(format!(
                        "its bucket's owner {owner} sits in {ou}, not in the Security OU {}",
                        security.path
                    ));
                }
            }
        }
    }
    match protection {
        Ok(Some(_)) => {}
        Ok(None) => verdict.lacks.push(format!(
            "nothing stops deletion of its logs: bucket {bucket} has no Object Lock default \
             retention, and its policy does not deny {} to principals outside account {owner}",
            DELETIONS.join(" and ")
        )),
        Err(why) => verdict.unknown.push(why),
    }
    verdict
}

/// The scanned account that owns `bucket`; `None` when none does; why that cannot be told when
/// it is not found and some account's buckets could not be listed.
fn bucket_owner<'a>(facts: &'a ScanFacts, bucket: &str) -> Result<Option<&'a str>, String> {
    let mut unlisted = None;
    for account in &facts.accounts {
        match &account.buckets {
            Some(Collected::Ok(names)) if names.iter().any(|n| n == bucket) => {
                return Ok(Some(account.account_id.as_str()));
            }
            Some(Collected::Ok(_)) => {}
            Some(Collected::Error(err)) => {
                unlisted.get_or_insert_with(|| {
                    format!(
                        "the owner of bucket {bucket} cannot be told: the buckets of {} could \
                         not be listed: {}",
                        account.account_id,
                        describe_error(err)
                    )
                });
            }
            None => {
                unlisted.get_or_insert_with(|| {
                    "the accounts' buckets were not read (the snapshot was made by a posture \
                     that did not read them)"
                        .to_owned()
                });
            }
        }
    }
    unlisted.map_or(Ok(None), Err)
}

/// What protects `bucket`'s objects from deletion outside `owner`: `Some(how)`, `None` when
/// nothing does, or why that cannot be told.
fn protection(
    facts: &ScanFacts,
    owner: &str,
    bucket: &str,
    management: &str,
) -> Result<Option<String>, String> {
    let read = facts
        .accounts
        .iter()
        .find(|a| a.account_id == owner)
        .and_then(|a| a.log_buckets.iter().find(|b| b.name == bucket));
    let Some(read) = read else {
        return Err(format!(
            "the protection of bucket {bucket} was not read in its owner {owner} (the snapshot \
             was made by a posture that did not read it; scan again)"
        ));
    };
    let lock = match &read.object_lock {
        Collected::Ok(lock) => lock.as_ref(),
        Collected::Error(err) => {
            return Err(format!(
                "the Object Lock configuration of bucket {bucket} could not be read: {}",
                describe_error(err)
            ));
        }
    };
    if let Some((lock, mode)) = lock
        .filter(|l| l.enabled)
        .and_then(|l| l.mode.as_ref().map(|mode| (l, mode)))
    {
        let period = match (lock.days, lock.years) {
            (Some(days), _) => format!("{days} days"),
            (None, Some(years)) => format!("{years} years"),
            (None, None) => "an unstated period".to_owned(),
        };
        return Ok(Some(format!(
            "Object Lock ({mode} default retention, {period})"
        )));
    }
    policy_denies_deletion(read, owner, management)
}

/// Whether the bucket policy denies both deletions to a principal of the management account.
fn policy_denies_deletion(
    read: &LogBucket,
    owner: &str,
    management: &str,
) -> Result<Option<String>, String> {
    let bucket = read.name.as_str();
    let document = match &read.policy {
        Collected::Ok(None) => return Ok(None),
        Collected::Ok(Some(document)) => document,
        Collected::Error(err) => {
            return Err(format!(
                "the policy of bucket {bucket} could not be read: {}",
                describe_error(err)
            ));
        }
    };
    let policy = IAMPolicy::from_json(document).map_err(|err| {
        format!("the policy of bucket {bucket} is not one posture can read: {err}")
    })?;
    let evaluator = PolicyEvaluator::with_policies(vec![policy]);
    let principal = format!("arn:aws:iam::{management}:role/posture-probe");
    let object = format!("arn:aws:s3:::{bucket}/AWSLogs/posture-probe.json.gz");
    let denied = DELETIONS.iter().all(|action| {
        let context = Context::new()
            .with_string("aws:PrincipalArn", &principal)
            .with_string("aws:PrincipalAccount", management)
            .with_string("aws:ResourceAccount", owner)
            .with_boolean("aws:SecureTransport", true)
            .with_boolean("aws:PrincipalIsAWSService", false);
        let Ok(resource) = Arn::parse(&object) else {
            return false;
        };
        let request = IAMRequest::new_with_context(
            Principal::Aws(PrincipalId::String(principal.clone())),
            *action,
            resource,
            context,
        );
        evaluator
            .evaluate(&request)
            .is_ok_and(|result| result.decision == Decision::Deny)
    });
    Ok(denied.then(|| {
        format!(
            "its bucket policy, which denies {} outside account {owner}",
            DELETIONS.join(" and ")
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{MGMT, account, error, organization, trail};
    use super::*;
    use crate::facts::{ObjectLock, OrganizationPolicies, OuRef};

    const ARCHIVE: &str = "222222222222";
    const BUCKET: &str = "org-trail-logs";

    fn deny_outside(owner: &str) -> String {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": format!("arn:aws:s3:::{BUCKET}/AWSLogs/*")},
                {"Sid": "DenyLogDeletionOutsideLogArchive", "Effect": "Deny", "Principal": "*",
                 "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                 "Resource": format!("arn:aws:s3:::{BUCKET}/*"),
                 "Condition": {"StringNotEquals": {"aws:PrincipalAccount": owner}}}
            ]
        })
        .to_string()
    }

    fn log_bucket(policy: Option<String>, lock: Option<ObjectLock>) -> LogBucket {
        LogBucket {
            name: BUCKET.to_owned(),
            region: Collected::Ok("us-east-1".to_owned()),
            policy: Collected::Ok(policy),
            object_lock: Collected::Ok(lock),
        }
    }

    fn placement(id: &str, path: &str) -> AccountPlacement {
        AccountPlacement {
            account_id: id.to_owned(),
            parents: if path == "/" {
                Vec::new()
            } else {
                vec![OuRef {
                    id: format!("ou-{}", path.trim_start_matches('/').to_lowercase()),
                    path: path.to_owned(),
                }]
            },
        }
    }

    /// The management account's organization trail into `BUCKET`, owned by `owner` (in `ou`) with
    /// `protection` read there.
    fn facts(owner: &str, ou: &str, protection: LogBucket) -> ScanFacts {
        let mut org_trail = trail(MGMT, "org-trail");
        org_trail.organization_trail = true;
        org_trail.kms_key_id = Some("arn:aws:kms:us-east-1:111111111111:key/k".to_owned());
        org_trail.s3_bucket = Some(BUCKET.to_owned());
        let mut organization = organization();
        organization.organization_trails = Collected::Ok(vec![org_trail]);
        let mut placements = vec![placement(MGMT, "/")];
        if owner != MGMT {
            placements.push(placement(owner, ou));
        }
        organization.policies = Some(Collected::Ok(OrganizationPolicies {
            root_id: "r-root".to_owned(),
            organization_id: "o-org".to_owned(),
            policy_types: Vec::new(),
            by_type: Vec::new(),
            placements,
        }));
        let mut accounts = vec![account(MGMT)];
        if owner != MGMT {
            accounts.push(account(owner));
        }
        let holder = accounts.iter_mut().find(|a| a.account_id == owner).unwrap();
        holder.buckets = Some(Collected::Ok(vec![BUCKET.to_owned()]));
        holder.log_buckets = vec![protection];
        ScanFacts {
            organization,
            accounts,
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned()],
        }
    }

    fn verdict(facts: &ScanFacts) -> Outcome {
        let mut outcomes = evaluate(facts, &LandingZone::default());
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    #[test]
    fn passes_into_a_protected_bucket_of_the_log_archive_account() {
        let outcome = verdict(&facts(
            ARCHIVE,
            "/Security",
            log_bucket(Some(deny_outside(ARCHIVE)), None),
        ));
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.reason);
        assert!(
            outcome.evidence[&format!("trail arn:aws:cloudtrail:us-east-1:{MGMT}:trail/org-trail")]
                .contains("protected by its bucket policy, which denies s3:DeleteObject")
        );
        let locked = ObjectLock {
            enabled: true,
            mode: Some("COMPLIANCE".to_owned()),
            days: Some(365),
            years: None,
        };
        let outcome = verdict(&facts(ARCHIVE, "/Security", log_bucket(None, Some(locked))));
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.reason);
        assert!(outcome.reason.contains("into bucket org-trail-logs of account 222222222222 (/Security), protected by Object Lock (COMPLIANCE default retention, 365 days)"), "{}", outcome.reason);
    }

    #[test]
    fn fails_into_the_management_accounts_own_bucket() {
        let outcome = verdict(&facts(MGMT, "/", log_bucket(None, None)));
        assert_eq!(outcome.status, Status::Fail);
        assert!(
            outcome
                .reason
                .contains("it delivers into a bucket of the management account itself"),
            "{}",
            outcome.reason
        );
        assert!(
            outcome
                .reason
                .contains("nothing stops deletion of its logs"),
            "{}",
            outcome.reason
        );
    }

    #[test]
    fn fails_outside_the_security_ou_and_without_protection() {
        let mut facts = facts(ARCHIVE, "/Workloads", log_bucket(None, None));
        if let Some(Collected::Ok(policies)) = &mut facts.organization.policies {
            policies
                .placements
                .push(placement("333333333333", "/Security"));
        }
        let outcome = verdict(&facts);
        assert_eq!(outcome.status, Status::Fail);
        assert!(
            outcome.reason.contains(
                "its bucket's owner 222222222222 sits in /Workloads, not in the Security OU"
            ),
            "{}",
            outcome.reason
        );
    }

    #[test]
    fn a_policy_that_lets_the_management_account_delete_does_not_protect() {
        // A deny that spares every account of... the management account too.
        let outcome = verdict(&facts(
            ARCHIVE,
            "/Security",
            log_bucket(Some(deny_outside(MGMT)), None),
        ));
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.reason);
        // Object Lock without a default retention leaves new log objects unprotected.
        let unlocked = ObjectLock {
            enabled: true,
            mode: None,
            days: None,
            years: None,
        };
        let outcome = verdict(&facts(
            ARCHIVE,
            "/Security",
            log_bucket(None, Some(unlocked)),
        ));
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.reason);
    }

    #[test]
    fn fails_when_a_trail_setting_is_missing() {
        let mut facts = facts(
            ARCHIVE,
            "/Security",
            log_bucket(Some(deny_outside(ARCHIVE)), None),
        );
        if let Collected::Ok(trails) = &mut facts.organization.organization_trails {
            trails[0].multi_region = false;
            trails[0].kms_key_id = None;
        }
        let outcome = verdict(&facts);
        assert_eq!(outcome.status, Status::Fail);
        assert!(
            outcome.reason.contains(
                "org-trail: it logs one Region only, its log files are not encrypted with KMS"
            ),
            "{}",
            outcome.reason
        );
    }

    #[test]
    fn errors_when_the_protection_could_not_be_read() {
        let mut unread = log_bucket(None, None);
        unread.policy = Collected::Error(error("s3", "GetBucketPolicy", "AccessDenied"));
        let outcome = verdict(&facts(ARCHIVE, "/Security", unread));
        assert_eq!(outcome.status, Status::Error);
        assert!(outcome.reason.contains("the policy of bucket org-trail-logs could not be read: s3:GetBucketPolicy failed: AccessDenied"), "{}", outcome.reason);
        let mut unlisted = facts(ARCHIVE, "/Security", log_bucket(None, None));
        unlisted.accounts[1].buckets =
            Some(Collected::Error(error("s3", "ListBuckets", "AccessDenied")));
        let outcome = verdict(&unlisted);
        assert_eq!(outcome.status, Status::Error, "{}", outcome.reason);
        assert!(
            outcome
                .reason
                .contains("the owner of bucket org-trail-logs cannot be told"),
            "{}",
            outcome.reason
        );
    }

    #[test]
    fn errors_when_where_accounts_sit_is_unknown() {
        let mut facts = facts(
            ARCHIVE,
            "/Security",
            log_bucket(Some(deny_outside(ARCHIVE)), None),
        );
        facts.organization.policies = Some(Collected::Error(error(
            "organizations",
            "ListRoots",
            "AccessDeniedException",
        )));
        let outcome = verdict(&facts);
        assert_eq!(outcome.status, Status::Error, "{}", outcome.reason);
        facts.organization.policies = None;
        assert_eq!(verdict(&facts).status, Status::Error);
    }

    #[test]
    fn fails_without_an_organization_trail_and_errors_when_unread() {
        let mut facts = facts(ARCHIVE, "/Security", log_bucket(None, None));
        facts.organization.organization_trails = Collected::Ok(Vec::new());
        assert_eq!(verdict(&facts).status, Status::Fail);
        facts.organization.organization_trails = Collected::Error(error(
            "cloudtrail",
            "DescribeTrails",
            "AccessDeniedException",
        ));
        assert_eq!(verdict(&facts).status, Status::Error);
    }
}
