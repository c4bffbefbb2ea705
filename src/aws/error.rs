//! What an AWS error says, taken apart once for every service: the error code, message, request id
//! and HTTP status of any `SdkError`, plus its whole cause chain as text.
//!
//! This module only reads errors; it does not decide what they mean. The classification that
//! decides retry versus record-as-ERROR (vector's `classify_error`: code, then HTTP status, then
//! the `SdkError` variant) will grow here with the scan.

use std::error::Error;
use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

/// The parts of a failed AWS call that a finding's evidence and a log line need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsErrorInfo {
    /// The service's error code (`AccessDenied`, `ThrottlingException`, ...), when the service
    /// answered with one.
    pub code: Option<String>,
    /// The service's error message, when it sent one.
    pub message: Option<String>,
    /// The request id, from the error body (awsQuery services such as IAM and STS) or the
    /// `x-amzn-requestid` header; none when the service was never reached.
    pub request_id: Option<String>,
    /// The HTTP status of the response; none when there was no response (timeout, connection
    /// refused, request never built).
    pub http_status: Option<u16>,
    /// The whole cause chain, `outer: inner: root cause`: `SdkError`'s own `Display` is terse
    /// ("dispatch failure", "service error"); the reason is in its sources.
    pub detail: String,
}

impl AwsErrorInfo {
    /// Takes apart the error of any operation of any service.
    pub fn from_sdk_error<E>(err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        let meta = err.meta();
        let request_id = RequestId::request_id(meta).or_else(|| RequestId::request_id(err));
        Self {
            code: meta.code().map(str::to_owned),
            message: meta.message().map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            http_status: err.raw_response().map(|r| r.status().as_u16()),
            detail: cause_chain(err),
        }
    }
}

/// Every message of the chain, joined by `: `, each only once (a wrapper often repeats its source's
/// message).
///
/// Not the SDK's `DisplayErrorContext`: that appends the `Debug` form of the whole error, raw
/// response headers and body included — kilobytes per error, unfit for a log line or a finding's
/// evidence.
fn cause_chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts
            .last()
            .is_some_and(|last| last.ends_with(text.as_str()))
        {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

impl fmt::Display for AwsErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)?;
        // The context usually names the request id already; add it when it does not, because it
        // is what AWS support asks for.
        if let Some(id) = &self.request_id
            && !self.detail.contains(id.as_str())
        {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl Error for AwsErrorInfo {}
