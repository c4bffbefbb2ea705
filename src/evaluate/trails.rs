//! What the CloudTrail checks share: which trails log an account, and which of them log it in
//! every Region.
//!
//! Pure: no I/O, no clock, no logging.

use std::collections::BTreeSet;

use crate::facts::{Collected, Trail};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::{describe_error, error_evidence};

/// The trails that log an account, and the lists of trails that could not be read.
pub(super) struct Covering<'a> {
    /// The organization trails of the management account (they log every member) and the
    /// account's own trails, deduplicated by ARN (the management account's organization trail is
    /// also its own), organization trails first.
    pub(super) trails: Vec<(&'a Trail, Origin)>,
    /// Each list that could not be read: (evidence label, reason, evidence).
    pub(super) unread: Vec<(&'static str, String, String)>,
}

/// The trails that log the account of `ctx` (see [`Covering`]).
pub(super) fn covering<'a>(ctx: &AccountContext<'a>) -> Covering<'a> {
    let mut seen = BTreeSet::new();
    let mut covering = Covering {
        trails: Vec::new(),
        unread: Vec::new(),
    };
    match &ctx.organization.organization_trails {
        // Only organization trails log the members; a plain trail of the management account in
        // this list covers the management account alone, which sees it in its own list anyway.
        Collected::Ok(trails) => {
            for trail in trails.iter().filter(|t| t.organization_trail) {
                if seen.insert(trail.arn.as_str()) {
                    covering.trails.push((trail, Origin::Organization));
                }
            }
        }
        Collected::Error(err) => covering.unread.push((
            "organization trails",
            format!(
                "the organization trails could not be read ({})",
                describe_error(err)
            ),
            error_evidence(err),
        )),
    }
    match &ctx.account.trails {
        Collected::Ok(trails) => {
            for trail in trails {
                if seen.insert(trail.arn.as_str()) {
                    covering.trails.push((trail, Origin::Account));
                }
            }
        }
        Collected::Error(err) => covering.unread.push((
            "account trails",
            format!(
                "the account's trails could not be read ({})",
                describe_error(err)
            ),
            error_evidence(err),
        )),
    }
    covering
}

/// Where a candidate trail came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// An organization trail of the management account.
    Organization,
    /// One of the account's own trails.
    Account,
}

impl Origin {
    pub(super) fn label(self) -> &'static str {
        match self {
            Origin::Organization => "organization trail",
            Origin::Account => "trail",
        }
    }
}

/// Whether a trail counts for a check, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It qualifies.
    Counts,
    /// Known not to qualify, and why ("is single-Region").
    DoesNotCount(String),
    /// Might qualify, but a fact needed to say so could not be read.
    Unreadable(String),
}

/// Whether a trail logs every Region now: multi-Region, and logging (`GetTrailStatus`). A
/// single-Region trail does not count whatever its unread status says.
pub(super) fn logs_every_region(trail: &Trail) -> Verdict {
    if !trail.multi_region {
        return Verdict::DoesNotCount(format!(
            "is single-Region (home Region {})",
            trail.home_region
        ));
    }
    match &trail.status {
        Collected::Ok(status) if status.is_logging => Verdict::Counts,
        Collected::Ok(_) => Verdict::DoesNotCount("is not logging".to_owned()),
        Collected::Error(err) => Verdict::Unreadable(describe_error(err)),
    }
}

/// What a per-trail check says of one trail: whether it passes, why, and the evidence of the
/// property judged.
pub(super) struct TrailVerdict {
    pub(super) passes: bool,
    pub(super) reason: String,
    pub(super) evidence: (&'static str, String),
}

/// One finding per trail that logs the account of `ctx` (resource: the trail's ARN), judged by
/// `judge`; an ERROR (resource: the account) for each list of trails that could not be read; a
/// FAIL (resource: the account) saying `no_trail` when no trail logs the account at all.
pub(super) fn per_trail(
    ctx: &AccountContext<'_>,
    judge: impl Fn(&Trail) -> TrailVerdict,
    no_trail: &str,
) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let Covering { trails, unread } = covering(ctx);
    let mut outcomes: Vec<Outcome> = trails
        .iter()
        .map(|(trail, origin)| {
            let verdict = judge(trail);
            let status = if verdict.passes {
                Status::Pass
            } else {
                Status::Fail
            };
            Outcome::new(
                None,
                trail.arn.clone(),
                status,
                format!("{} {} {}", origin.label(), trail.name, verdict.reason),
            )
            .with("trail", &trail.arn)
            .with("kind", origin.label())
            .with("home Region", &trail.home_region)
            .with(verdict.evidence.0, verdict.evidence.1)
        })
        .collect();
    for (label, reason, evidence) in unread {
        outcomes.push(
            Outcome::new(None, account_id.clone(), Status::Error, reason).with(label, evidence),
        );
    }
    if outcomes.is_empty() {
        outcomes.push(
            Outcome::new(None, account_id.clone(), Status::Fail, no_trail.to_owned())
                .with("trails", "none"),
        );
    }
    outcomes
}
