//! The sandbox's admin endpoint (`/_posture/…`, `sandbox/README.md`): its health check, fault rules,
//! the record of AWS requests served, and the root user's state — what tests, benchmarks and the
//! demo need to set or read and no AWS API can express. Plain HTTP to 127.0.0.1 only.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Timeout of one admin request: a live local server answers in milliseconds; a hung one must not
/// hang posture.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Why an admin request failed.
#[derive(Debug, thiserror::Error)]
#[error("sandbox admin request {method} {url} failed: {reason}")]
pub struct AdminError {
    method: &'static str,
    url: String,
    reason: String,
}

/// A client of one sandbox's admin endpoint.
#[derive(Debug, Clone)]
pub struct SandboxAdmin {
    endpoint: String,
    agent: ureq::Agent,
}

/// A fault rule (`sandbox/README.md`): which requests it affects and what it does to them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FaultRule {
    /// What the rule does.
    pub kind: FaultKind,
    /// The SigV4 signing name of the service (`iam`, `sts`, …); `None` matches any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The operation name (`ListUsers`); `None` matches any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The account the request acts in (for `AssumeRole`, the role's account); `None` matches any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// How many matching requests the rule affects before it expires; `None` = all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// How many matching requests pass unharmed before the rule starts to apply (to fail the
    /// Nth call of a run); `None` = none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<u32>,
    /// For `Latency`: the delay in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// For `Error`: the HTTP status (500 when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl FaultRule {
    /// A rule doing `kind` to every `service`:`action` request in `account_id`; tests set `count`,
    /// `after`, `ms` or `status` on top with struct update.
    pub fn on(kind: FaultKind, service: &str, action: &str, account_id: &str) -> Self {
        Self {
            kind,
            service: Some(service.into()),
            action: Some(action.into()),
            account_id: Some(account_id.into()),
            ..Self::default()
        }
    }

    /// `sts:AssumeRole` into `account_id` is denied: the account cannot be read at all.
    pub fn deny_assume_role(account_id: &str) -> Self {
        Self {
            kind: FaultKind::DenyAssumeRole,
            account_id: Some(account_id.into()),
            ..Self::default()
        }
    }
}

/// What a fault rule does to the requests it matches.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// `sts:AssumeRole` into the rule's account answers 403 `AccessDenied`.
    #[default]
    DenyAssumeRole,
    /// 403 with the protocol's access-denied code (`AccessDenied`, `AccessDeniedException`): a
    /// call the caller's policy does not allow, which SDKs do not retry.
    Deny,
    /// The service's real throttling error, in its wire protocol.
    Throttle,
    /// An internal error with the rule's HTTP status.
    Error,
    /// The answer comes `ms` milliseconds late.
    Latency,
}

/// One AWS request the sandbox served, as its record shows it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RecordedRequest {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// The SigV4 signing name of the service.
    pub service: String,
    /// The operation name.
    pub action: String,
    /// The IAM action that authorizes it (`s3:ListAllMyBuckets` for S3's `ListBuckets`): the
    /// sandbox's one mapping, the one its enforced IAM uses.
    pub iam_action: String,
    /// The account the request acted in (the caller's, for `AssumeRole`).
    pub account_id: String,
    /// Who signed it: an assumed-role session's ARN, an IAM user's, or the account root's.
    pub principal: String,
    /// The Region of the request's signature.
    pub region: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The kind of fault injected, if one was.
    pub fault: Option<String>,
    /// For `AssumeRole`: the account of the role asked for.
    pub target_account_id: Option<String>,
}

/// The root user of an account, as the sandbox keeps it (the admin endpoint's `/_posture/root`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RootUser {
    /// The account.
    pub account_id: String,
    /// Whether root has a console password.
    pub password: bool,
    /// Whether root has an MFA device.
    pub mfa: bool,
    /// How many active root access keys (0–2).
    pub access_keys: u8,
    /// How many active root signing certificates (0–2).
    pub signing_certificates: u8,
}

impl SandboxAdmin {
    /// The admin endpoint of the sandbox at `endpoint` (`http://127.0.0.1:PORT`).
    pub fn new(endpoint: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// The pid of the server answering the health check, if one answers.
    pub fn health(&self) -> Option<u32> {
        #[derive(Deserialize)]
        struct Health {
            ok: bool,
            pid: u32,
        }
        let health: Health = self.call("GET", "/_posture/health", None::<&()>).ok()?;
        health.ok.then_some(health.pid)
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: &FaultRule) -> Result<u64, AdminError> {
        #[derive(Deserialize)]
        struct Added {
            id: u64,
        }
        let added: Added = self.call("POST", "/_posture/faults", Some(rule))?;
        Ok(added.id)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) -> Result<(), AdminError> {
        self.call::<serde_json::Value>("DELETE", "/_posture/faults", None::<&()>)
            .map(drop)
    }

    /// Every request recorded since the record was last cleared, oldest first.
    pub fn requests(&self) -> Result<Vec<RecordedRequest>, AdminError> {
        self.requests_matching(&[])
    }

    /// The sequence number of the newest recorded request (0 when the record is empty), so that
    /// a test or benchmark counts only the requests after it.
    pub fn last_seq(&self) -> Result<u64, AdminError> {
        Ok(self.requests()?.last().map_or(0, |r| r.seq))
    }

    /// The recorded requests signed by `principal` (an assumed-role session's ARN, say): how a
    /// test or benchmark counts its own calls while others use the same sandbox.
    pub fn requests_by(&self, principal: &str) -> Result<Vec<RecordedRequest>, AdminError> {
        self.requests_matching(&[("principal", principal)])
    }

    fn requests_matching(
        &self,
        filters: &[(&str, &str)],
    ) -> Result<Vec<RecordedRequest>, AdminError> {
        #[derive(Deserialize)]
        struct Record {
            requests: Vec<RecordedRequest>,
        }
        let query: String = filters
            .iter()
            .map(|(key, value)| format!("{key}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let record: Record =
            self.call("GET", &format!("/_posture/requests?{query}"), None::<&()>)?;
        Ok(record.requests)
    }

    /// Clears the request record.
    pub fn clear_requests(&self) -> Result<(), AdminError> {
        self.call::<serde_json::Value>("DELETE", "/_posture/requests", None::<&()>)
            .map(drop)
    }

    /// The root user's state in `account_id`.
    pub fn root_user(&self, account_id: &str) -> Result<RootUser, AdminError> {
        self.call(
            "GET",
            &format!("/_posture/root?account_id={account_id}"),
            None::<&()>,
        )
    }

    /// Sets the root user's state of `root.account_id`.
    pub fn set_root_user(&self, root: &RootUser) -> Result<RootUser, AdminError> {
        self.call("POST", "/_posture/root", Some(root))
    }

    /// Switches IAM enforcement on or off (`sandbox/README.md`, "Enforced IAM"): with it on, every
    /// request is authorized as AWS would, and the sandbox's static key is the root user.
    pub fn enforce_iam(&self, enforce: bool) -> Result<(), AdminError> {
        self.call::<serde_json::Value>(
            "POST",
            "/_posture/iam/enforce",
            Some(&serde_json::json!({ "enforce": enforce })),
        )
        .map(drop)
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, AdminError> {
        let url = format!("{}{path}", self.endpoint);
        let fail = |reason: String| AdminError {
            method,
            url: url.clone(),
            reason,
        };
        let result = match (method, body) {
            ("POST", Some(body)) => self.agent.post(&url).send_json(body),
            ("POST", None) => self.agent.post(&url).send_empty(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut response = result.map_err(|err| fail(err.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|err| fail(err.to_string()))?;
        if status != 200 {
            return Err(fail(format!("HTTP {status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|err| fail(format!("unexpected answer: {err}")))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encodes_an_arn_for_a_query() {
        assert_eq!(
            percent_encode("arn:aws:sts::1:assumed-role/R/s"),
            "arn%3Aaws%3Asts%3A%3A1%3Aassumed-role%2FR%2Fs"
        );
    }

    #[test]
    fn fault_rules_serialize_to_the_admin_contract() {
        let rule = FaultRule {
            kind: FaultKind::DenyAssumeRole,
            account_id: Some("111122223333".into()),
            ..FaultRule::default()
        };
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            serde_json::json!({"kind": "deny_assume_role", "account_id": "111122223333"})
        );
    }
}
