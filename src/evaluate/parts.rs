//! A verdict made of parts: each part of a check's judgement fails, could not be read, or holds,
//! and records what it saw. Any failure is FAIL (naming each, and what else could not be read);
//! otherwise anything unread is ERROR; otherwise PASS. What `identity-center` and
//! `ec2-declarative-policy` share.

use crate::finding::{Outcome, Status};

/// What the parts of one judgement found: failures, facts that could not be read, and the
/// evidence of each part, in the order the parts ran.
#[derive(Default)]
pub(super) struct Parts {
    failures: Vec<String>,
    unknown: Vec<String>,
    evidence: Vec<(String, String)>,
}

impl Parts {
    /// What a part saw, under `label`.
    pub(super) fn saw(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.evidence.push((label.into(), value.into()));
    }

    /// A part that fails, `why`, having seen `value`.
    pub(super) fn fail(&mut self, label: impl Into<String>, value: impl Into<String>, why: String) {
        self.failures.push(why);
        self.saw(label, value);
    }

    /// A part whose fact could not be read, `why`; its evidence is `value` (the error).
    pub(super) fn unread(
        &mut self,
        label: impl Into<String>,
        value: impl Into<String>,
        why: String,
    ) {
        self.unknown.push(why);
        self.saw(label, value);
    }

    /// The verdict: FAIL naming every failure (and what was also unread), else ERROR naming
    /// what was unread, else PASS with `pass_reason`; the evidence of every part.
    pub(super) fn outcome(
        self,
        region: Option<&str>,
        resource: impl Into<String>,
        pass_reason: impl FnOnce() -> String,
    ) -> Outcome {
        let (status, reason) = if !self.failures.is_empty() {
            let mut reason = self.failures.join("; ");
            if !self.unknown.is_empty() {
                reason.push_str(&format!(" (also unread: {})", self.unknown.join("; ")));
            }
            (Status::Fail, reason)
        } else if !self.unknown.is_empty() {
            (Status::Error, self.unknown.join("; "))
        } else {
            (Status::Pass, pass_reason())
        };
        self.evidence.into_iter().fold(
            Outcome::new(region, resource, status, reason),
            |outcome, (label, value)| outcome.with(&label, value),
        )
    }
}
