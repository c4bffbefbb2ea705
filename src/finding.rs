//! Findings: one verdict of one check on one resource. A finding's identity is (check, account,
//! region, resource); `diff` and the site key on it, so checks keep resources stable across scans.

use compact_str::CompactString;
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
/// See [`EVALUATED_AT`]: the report was older than the evidence had to be, so its IAM users were
/// read live from IAM at this time.
pub const USERS_READ_LIVE: &str = "IAM users read live at";

/// What a finding shows as proof: labelled values taken from the facts (`"user" -> "etl-runner"`,
/// `"key age (days)" -> "412"`), sorted by label; a JSON object in snapshots.
///
/// A sorted `Vec`, not a `BTreeMap`: a finding has a handful of labels, and a `BTreeMap` node holds
/// room for eleven, which for the 100,000 findings of a large snapshot is most of its memory.
/// Labels and values are `CompactString`s: most are short (a label, a date, a user name) and live
/// inside it, so reading a snapshot does not allocate for each of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence(Vec<(CompactString, CompactString)>);

impl Evidence {
    /// No evidence.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Sets `label` to `value`, replacing what it had.
    pub fn insert(&mut self, label: String, value: String) {
        match self.0.binary_search_by(|(l, _)| l.as_str().cmp(&label)) {
            Ok(i) => self.0[i].1 = value.into(),
            Err(i) => self.0.insert(i, (label.into(), value.into())),
        }
    }

    /// The value of `label`.
    pub fn get(&self, label: &str) -> Option<&str> {
        self.value(label).map(CompactString::as_str)
    }

    fn value(&self, label: &str) -> Option<&CompactString> {
        self.0
            .binary_search_by(|(l, _)| l.as_str().cmp(label))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Whether `label` has a value.
    pub fn contains_key(&self, label: &str) -> bool {
        self.get(label).is_some()
    }

    /// How many labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (label, value) pairs, by label.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(l, v)| (l.as_str(), v.as_str()))
    }

    /// The labels, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(l, _)| l.as_str())
    }
}

impl std::ops::Index<&str> for Evidence {
    type Output = CompactString;

    fn index(&self, label: &str) -> &CompactString {
        self.value(label)
            .unwrap_or_else(|| panic!("no evidence labelled {label:?}"))
    }
}

impl<const N: usize> From<[(String, String); N]> for Evidence {
    fn from(pairs: [(String, String); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl FromIterator<(String, String)> for Evidence {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut evidence = Self::new();
        for (label, value) in pairs {
            evidence.insert(label, value);
        }
        evidence
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Evidence;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of evidence labels and values")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Evidence, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(pair) = map.next_entry::<CompactString, CompactString>()? {
                    pairs.push(pair);
                }
                // Written sorted; sorting again only costs when someone reordered the labels.
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                pairs.dedup_by(|a, b| a.0 == b.0);
                Ok(Evidence(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

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
///
/// The check, account and Region are `CompactString`s: they are short and live inside it, so
/// reading the 100,000 findings of a large snapshot does not allocate for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check id (`root-mfa`).
    pub check: CompactString,
    /// The account the resource belongs to (the management account for organization checks).
    pub account: CompactString,
    /// The Region, or `None` for a global resource.
    pub region: Option<CompactString>,
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
    pub waiver: Option<Box<Waiver>>,
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

impl Waiver {
    /// Whether it is past its last day at `instant` (RFC 3339, UTC).
    pub fn expired_at(&self, instant: &str) -> bool {
        expired(&self.expires, instant)
    }
}

/// Whether a waiver whose last day is `expires` (`YYYY-MM-DD`) is past it at `instant` (RFC 3339,
/// UTC). Both are ISO dates, which sort as text.
pub fn expired(expires: &str, instant: &str) -> bool {
    expires < instant.get(..10).unwrap_or(instant)
}

/// What identifies a finding across snapshots: (check, account, region, resource).
pub type FindingId<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

impl Finding {
    /// Its identity; findings are stored sorted by it.
    pub fn id(&self) -> FindingId<'_> {
        (
            &self.check,
            &self.account,
            self.region.as_deref(),
            &self.resource,
        )
    }

    /// Stamps an outcome with its check and account.
    pub fn from_outcome(check: &str, account: &str, outcome: Outcome) -> Self {
        Self {
            check: check.into(),
            account: account.into(),
            region: outcome.region.map(Into::into),
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
