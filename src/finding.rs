//! Findings: one verdict of one check on one resource. A finding's identity is (check, account,
//! region, resource); `diff` and the site key on it, so checks keep resources stable across scans.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The verdict. ERROR is never counted as passing; SKIPPED is for accounts not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Evaluated and compliant.
    Pass,
    /// Evaluated and not compliant.
    Fail,
    /// Could not be evaluated (the facts it needs could not be read); `reason` says why.
    Error,
    /// Not evaluated on purpose (the account is not ACTIVE); `reason` says why.
    Skipped,
}

/// Evidence labels that say when the facts were read or judged rather than what the resource
/// is: `diff` does not count a change in them as a change of the resource.
pub const EVALUATED_AT: &str = "evaluated at";
/// See [`EVALUATED_AT`].
pub const REPORT_GENERATED: &str = "credential report generated";

/// What a finding shows as proof: labelled values taken from the facts (`"user" -> "etl-runner"`,
/// `"key age (days)" -> "412"`), in a stable order.
pub type Evidence = BTreeMap<String, String>;

/// A check's verdict on one resource, before the runner stamps it with the check and account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The Region, or `None` for a global resource.
    pub region: Option<String>,
    /// The resource judged: an ARN where one exists, else a stable name (an account id, a
    /// service principal).
    pub resource: String,
    /// The verdict.
    pub status: Status,
    /// Why, in one sentence a reader understands without the check's code.
    pub reason: String,
    /// The facts behind the verdict.
    pub evidence: Evidence,
}

impl Outcome {
    /// An outcome with no evidence yet.
    pub fn new(
        region: Option<&str>,
        resource: impl Into<String>,
        status: Status,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            region: region.map(str::to_owned),
            resource: resource.into(),
            status,
            reason: reason.into(),
            evidence: Evidence::new(),
        }
    }

    /// Adds one piece of evidence.
    pub fn with(mut self, label: &str, value: impl ToString) -> Self {
        self.evidence.insert(label.to_owned(), value.to_string());
        self
    }
}

/// One check's verdict on one resource of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check id (`root-mfa`).
    pub check: String,
    /// The account the resource belongs to (the management account for organization checks).
    pub account: String,
    /// The Region, or `None` for a global resource.
    pub region: Option<String>,
    /// The resource judged.
    pub resource: String,
    /// The verdict.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// The facts behind the verdict.
    pub evidence: Evidence,
    /// The accepted risk that covers it, if any: the status stays what it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

/// An accepted risk (a waiver in `posture.toml`): it marks a finding, never changes its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
}

impl Finding {
    /// Stamps an outcome with its check and account.
    pub fn from_outcome(check: &str, account: &str, outcome: Outcome) -> Self {
        Self {
            check: check.to_owned(),
            account: account.to_owned(),
            region: outcome.region,
            resource: outcome.resource,
            status: outcome.status,
            reason: outcome.reason,
            evidence: outcome.evidence,
            waiver: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialize_in_capitals() {
        assert_eq!(
            serde_json::to_string(&Status::Skipped).unwrap(),
            "\"SKIPPED\""
        );
    }
}
