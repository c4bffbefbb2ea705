//! What an AWS error says, taken apart once for every service: the error code, message, request id
//! and HTTP status of any `SdkError`, plus its whole cause chain as text.
//!
//! It also turns a failed call into the [`CollectError`] a fact keeps ([`collect_error`]), the one
//! place that does so; that includes recognising a member account whose role could not be
//! assumed, which the SDK reports as a failure of whatever call needed the credentials. Retries are
//! the SDK's business (its classifiers run before an error reaches here): what arrives here is
//! final and is recorded as it is.

use std::error::Error;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::endpoint::error::ResolveEndpointError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

use crate::facts::CollectError;

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
    /// What kind of failure it was, for the messages that must not blame the wrong thing.
    pub failure: Failure,
}

/// What stopped a call, as far as the one who runs posture can act on it: a failure to reach
/// the endpoint must not read as a lack of credentials, nor a proxy's HTML page as AWS's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Something answered; the code, message and HTTP status say what.
    Answered,
    /// No provider of the credential chain had credentials.
    NoCredentials,
    /// A credential provider failed: a `credential_process` that exited non-zero, a profile that
    /// sources itself, an expired SSO session, a role the base credentials may not assume.
    CredentialsFailed,
    /// The endpoint is no URL a request can be sent to.
    BadEndpoint,
    /// The endpoint did not answer: connection refused, a name that does not resolve, TLS, a
    /// timeout.
    Unreachable,
    /// Anything else that stopped the request before an answer.
    Other,
}

impl AwsErrorInfo {
    /// Takes apart the error of any operation of any service.
    pub fn from_sdk_error<E>(err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        let meta = err.meta();
        let request_id = RequestId::request_id(meta).or_else(|| RequestId::request_id(err));
        let mut info = Self {
            code: meta.code().map(str::to_owned),
            message: meta.message().map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            http_status: err.raw_response().map(|r| r.status().as_u16()),
            detail: cause_chain(err),
            failure: Failure::Other,
        };
        let (failure, credentials) = failure(err);
        info.failure = failure;
        // The credentials' own failure, without "dispatch failure: other:" before it.
        if let Some(credentials) = credentials {
            info.detail = cause_chain(credentials);
        }
        // An answer that names no code and is neither JSON nor XML is not AWS's (a proxy's,
        // a firewall's or an emulator's HTML page): say so with its HTTP status, rather than pass
        // on what the SDK's parser made of it ("unexpected token '<'", "unhandled error").
        if info.code.is_none()
            && let Some(response) = err.raw_response()
            && let Some(foreign) = foreign_answer(response)
        {
            info.message = Some(foreign.clone());
            info.detail = foreign;
        }
        info
    }
}

/// What kind of failure `err` is (its `SdkError` variant, then what its sources are), and the
/// credentials error among its sources when the credentials could not be loaded.
fn failure<'e, E>(
    err: &'e SdkError<E, HttpResponse>,
) -> (Failure, Option<&'e (dyn Error + 'static)>)
where
    E: Error + 'static,
{
    match err {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => return (Failure::Answered, None),
        SdkError::TimeoutError(_) => return (Failure::Unreachable, None),
        _ => {}
    }
    let mut next = err.source();
    while let Some(cause) = next {
        if let Some(credentials) = cause.downcast_ref::<CredentialsError>() {
            let failure = match credentials {
                CredentialsError::CredentialsNotLoaded(_) => Failure::NoCredentials,
                _ => Failure::CredentialsFailed,
            };
            return (failure, Some(cause));
        }
        if cause.is::<ResolveEndpointError>() {
            return (Failure::BadEndpoint, None);
        }
        next = cause.source();
    }
    match err {
        SdkError::DispatchFailure(dispatch) if dispatch.is_io() || dispatch.is_timeout() => {
            (Failure::Unreachable, None)
        }
        _ => (Failure::Other, None),
    }
}

/// How much of a foreign answer's body a message quotes.
const FOREIGN_BODY_QUOTED: usize = 80;

/// `HTTP 403 (the answer was not an AWS error: text/html, "403 Forbidden")` when `response` is not
/// an AWS error: its Content-Type is HTML, or neither JSON nor XML and its body does not look like
/// either. `None` for an AWS error, and for an answer without a body (a HEAD request's), whose
/// status says all there is.
fn foreign_answer(response: &HttpResponse) -> Option<String> {
    let body = response.body().bytes().unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let content_type = response
        .headers()
        .get("content-type")
        .map(str::to_ascii_lowercase);
    let html = content_type.as_deref().is_some_and(|t| t.contains("html"))
        || text
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("<html"))
        || text
            .get(..9)
            .is_some_and(|s| s.eq_ignore_ascii_case("<!doctype"));
    let aws_type = content_type
        .as_deref()
        .is_some_and(|t| t.contains("json") || t.contains("xml"));
    let aws_looking = text.starts_with('{') || text.starts_with('<');
    if !html && (aws_type || aws_looking) {
        return None;
    }
    // An HTML page says what it is in its title; anything else in its first words.
    let said = html
        .then(|| {
            let lower = text.to_ascii_lowercase();
            let start = lower.find("<title>")? + "<title>".len();
            let end = start + lower[start..].find("</title>")?;
            Some(text[start..end].trim().to_owned())
        })
        .flatten()
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
    let said = if said.chars().count() > FOREIGN_BODY_QUOTED {
        let cut: String = said.chars().take(FOREIGN_BODY_QUOTED - 1).collect();
        format!("{cut}…")
    } else {
        said
    };
    Some(format!(
        "HTTP {} (the answer was not an AWS error: {}, {said:?})",
        response.status().as_u16(),
        content_type.as_deref().unwrap_or("no Content-Type")
    ))
}

impl AwsErrorInfo {
    /// Whether the caller's policies do not allow the call: `AccessDenied` (IAM, STS, S3),
    /// `AccessDeniedException` (the JSON protocols), or a bare 403 from a HEAD request, whose
    /// answer has no body to name a code in.
    pub fn is_access_denied(&self) -> bool {
        match self.code.as_deref() {
            Some(code) => code == "AccessDenied" || code == "AccessDeniedException",
            None => self.http_status == Some(403),
        }
    }

    /// Whether an IAM policy of the caller's denied the call, as AWS words it (`User: ARN is not
    /// authorized to perform: ACTION ...`), rather than the service refusing the caller's account
    /// (Organizations to a member: `You don't have permissions to access this resource`).
    pub fn is_denied_by_policy(&self) -> bool {
        self.is_access_denied()
            && self
                .message
                .as_deref()
                .is_some_and(|m| m.contains("is not authorized to perform"))
    }

    /// The failure in a few words for a summary line: `code: message`; what an answer that is
    /// not AWS's was; the HTTP status of an answer that named no code (a HEAD request's has no
    /// body); else the cause chain (a timeout, a refused connection).
    pub fn short(&self) -> String {
        match (&self.code, &self.message, self.http_status) {
            (Some(code), Some(message), _) => format!("{code}: {message}"),
            (Some(code), None, _) => code.clone(),
            (None, Some(message), Some(_)) => message.clone(),
            (None, None, Some(status)) => format!("HTTP {status}"),
            (None, _, None) => self.detail.clone(),
        }
    }
}

/// The error a fact keeps for a call of `service` (SigV4 signing name) `action` in `region`
/// (`None` for global services) that failed with `err`.
///
/// When the call failed because the account's role could not be assumed, the error is that of
/// `sts:AssumeRole` (service `sts`, action `AssumeRole`, STS's code, message and request id), not
/// of the call that happened to need the credentials first: the SDK reports it as a dispatch
/// failure of that call, with no code of its own and STS's answer deep in its source chain
/// (aws-config `sts/assume_role.rs` wraps it in `CredentialsError::provider_error`).
pub fn collect_error<E>(
    err: &SdkError<E, HttpResponse>,
    service: &str,
    action: &str,
    region: Option<&str>,
) -> CollectError
where
    E: ProvideErrorMetadata + Error + 'static,
{
    if let Some(denied) = assume_role_failure(err) {
        return denied.into_collect_error("sts", "AssumeRole", None);
    }
    AwsErrorInfo::from_sdk_error(err).into_collect_error(service, action, region)
}

/// The `sts:AssumeRole` failure in `err`'s source chain, if a role could not be assumed.
fn assume_role_failure(err: &(dyn Error + 'static)) -> Option<AwsErrorInfo> {
    let mut credentials_failed = false;
    let mut next = err.source();
    while let Some(cause) = next {
        if let Some(sts) = cause.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            return Some(AwsErrorInfo::from_sdk_error(sts));
        }
        credentials_failed |= cause.is::<CredentialsError>();
        next = cause.source();
    }
    // Should aws-config ever wrap STS's error in a type of its own, the text still says what
    // happened: keep the account's failure an AssumeRole failure, with the code when it shows.
    let detail = cause_chain(err);
    (credentials_failed && detail.contains("AssumeRole")).then(|| AwsErrorInfo {
        code: detail
            .contains("AccessDenied")
            .then(|| String::from("AccessDenied")),
        message: None,
        request_id: None,
        http_status: None,
        detail,
        failure: Failure::CredentialsFailed,
    })
}

impl AwsErrorInfo {
    /// The [`CollectError`] of a call of `service` `action` in `region` that failed with this.
    pub fn into_collect_error(
        self,
        service: &str,
        action: &str,
        region: Option<&str>,
    ) -> CollectError {
        CollectError {
            service: service.to_owned(),
            action: action.to_owned(),
            region: region.map(str::to_owned),
            code: self.code,
            // AWS's own message when it sent one (the code is kept beside it); otherwise the
            // cause chain, which says what happened on the way (timeout, connection refused).
            message: self.message.unwrap_or(self.detail),
            request_id: self.request_id,
            http_status: self.http_status,
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
        let mut text = cause.to_string().trim().to_owned();
        // "failed to apply endpoint `x` to request `Request { body: …, headers: … }`": the request's
        // `Debug` form is of no use to anyone reading why (aws-smithy-runtime
        // `client/orchestrator/endpoints.rs`, `apply_endpoint_to_request`).
        if cause.is::<ResolveEndpointError>()
            && let Some((head, _)) = text.split_once(" to request `")
        {
            text = head.to_owned();
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::empty(),
        )
    }

    fn meta(code: &str, message: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message(message)
            .custom("aws_request_id", "req-1")
            .build()
    }

    /// How the SDK reports a call whose credentials came from a role STS would not let assume:
    /// a dispatch failure of that call, STS's answer inside the credentials error.
    fn denied_assume_role() -> SdkError<GetCallerIdentityError, HttpResponse> {
        let sts: SdkError<AssumeRoleError, HttpResponse> = SdkError::service_error(
            AssumeRoleError::generic(meta(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole",
            )),
            response(403),
        );
        SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsError::provider_error(sts)),
            None,
        ))
    }

    #[test]
    fn a_denied_assume_role_is_recorded_as_the_assume_role_failure() {
        let err = collect_error(&denied_assume_role(), "iam", "GetAccountSummary", None);
        assert_eq!(
            (
                err.service.as_str(),
                err.action.as_str(),
                err.region.as_deref()
            ),
            ("sts", "AssumeRole", None)
        );
        assert_eq!(err.code.as_deref(), Some("AccessDenied"));
        assert_eq!(err.http_status, Some(403));
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
        assert!(err.message.contains("sts:AssumeRole"), "{}", err.message);
    }

    #[test]
    fn a_service_error_keeps_its_code_message_request_id_and_status() {
        let failed: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
            GetCallerIdentityError::generic(meta("Throttling", "Rate exceeded")),
            response(400),
        );
        let err = collect_error(&failed, "sts", "GetCallerIdentity", Some("eu-west-1"));
        assert_eq!(
            (
                err.service.as_str(),
                err.action.as_str(),
                err.region.as_deref()
            ),
            ("sts", "GetCallerIdentity", Some("eu-west-1"))
        );
        assert_eq!(err.code.as_deref(), Some("Throttling"));
        assert_eq!(err.message, "Rate exceeded");
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
        assert_eq!(err.http_status, Some(400));
    }

    #[test]
    fn a_failure_without_a_response_says_what_happened() {
        let failed: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::timeout_error("operation timed out after 120 s");
        let err = collect_error(&failed, "iam", "GetAccountSummary", None);
        assert_eq!(err.action, "GetAccountSummary");
        assert_eq!(
            (err.code, err.http_status, err.request_id),
            (None, None, None)
        );
        assert!(
            err.message.contains("timed out after 120 s"),
            "{}",
            err.message
        );
    }

    #[test]
    fn access_denied_is_told_by_its_code_or_a_bodiless_403() {
        let denied = |code: &str, status: u16| {
            let failed: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
                GetCallerIdentityError::generic(meta(code, "not authorized")),
                response(status),
            );
            AwsErrorInfo::from_sdk_error(&failed)
        };
        assert!(denied("AccessDenied", 403).is_access_denied());
        assert!(denied("AccessDeniedException", 400).is_access_denied());
        assert!(!denied("Throttling", 403).is_access_denied());
        let head: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
            GetCallerIdentityError::generic(ErrorMetadata::builder().build()),
            response(403),
        );
        let head = AwsErrorInfo::from_sdk_error(&head);
        assert!(head.is_access_denied());
        assert_eq!(head.short(), "HTTP 403");
        assert_eq!(
            denied("AccessDenied", 403).short(),
            "AccessDenied: not authorized"
        );
    }

    #[test]
    fn a_denial_by_the_callers_policy_is_told_from_a_service_refusing_the_account() {
        let denied = |message: &str| {
            let failed: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
                GetCallerIdentityError::generic(meta("AccessDeniedException", message)),
                response(400),
            );
            AwsErrorInfo::from_sdk_error(&failed)
        };
        let policy = denied(
            "User: arn:aws:sts::111122223333:assumed-role/PostureScanner/s is not authorized to \
             perform: organizations:ListRoots on resource: *",
        );
        assert!(policy.is_denied_by_policy());
        assert!(
            !denied("You don't have permissions to access this resource.").is_denied_by_policy()
        );
    }

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::from(body.to_owned()),
        );
        if let Some(content_type) = content_type {
            response
                .headers_mut()
                .insert("content-type", content_type.to_owned());
        }
        response
    }

    /// An answer the SDK could not parse as its protocol's error, as it reports one.
    fn unparsed(response: HttpResponse) -> AwsErrorInfo {
        let failed: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::response_error("unexpected token '<' at offset 0", response);
        AwsErrorInfo::from_sdk_error(&failed)
    }

    #[test]
    fn an_answer_that_is_not_aws_s_names_its_status_and_what_it_was() {
        let html = "<!DOCTYPE html>\n<html><head><title> 403 Forbidden </title></head><body>blocked</body></html>";
        for info in [
            unparsed(answer(403, Some("text/html; charset=utf-8"), html)),
            // Without a Content-Type, the page says what it is.
            unparsed(answer(403, None, html)),
        ] {
            assert_eq!(info.http_status, Some(403));
            assert!(info.is_access_denied());
            let said = info.short();
            assert!(
                said.starts_with("HTTP 403 (the answer was not an AWS error: ")
                    && said.ends_with(", \"403 Forbidden\")"),
                "{said}"
            );
            assert!(!info.to_string().contains("unexpected token"), "{info}");
        }
        // A service error whose body named no code (the XML protocols' "unhandled error").
        let failed: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
            GetCallerIdentityError::generic(ErrorMetadata::builder().build()),
            answer(
                502,
                Some("text/plain"),
                "Bad Gateway\n\n  upstream   timed out",
            ),
        );
        assert_eq!(
            AwsErrorInfo::from_sdk_error(&failed).short(),
            "HTTP 502 (the answer was not an AWS error: text/plain, \"Bad Gateway upstream timed out\")"
        );
        let long = unparsed(answer(403, Some("text/plain"), &"x".repeat(500))).short();
        assert!(
            long.ends_with(&format!("\"{}…\")", "x".repeat(79))),
            "{long}"
        );
    }

    #[test]
    fn an_answer_in_aws_s_formats_is_left_to_its_code() {
        for (content_type, body) in [
            (Some("application/x-amz-json-1.1"), "{\"__type\": \"x\"}"),
            (
                Some("text/xml"),
                "<ErrorResponse><Error></Error></ErrorResponse>",
            ),
            (None, "{}"),
        ] {
            let info = unparsed(answer(400, content_type, body));
            assert_eq!(info.message, None, "{body}");
            assert_eq!(info.short(), "HTTP 400");
        }
        // A HEAD request's 403 has no body: its status is all there is.
        assert_eq!(
            unparsed(answer(403, Some("text/html"), "")).short(),
            "HTTP 403"
        );
    }

    #[test]
    fn failures_before_an_answer_are_told_apart() {
        let io: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused,
            ))));
        assert_eq!(
            AwsErrorInfo::from_sdk_error(&io).failure,
            Failure::Unreachable
        );
        let timeout: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::timeout_error("operation timed out");
        assert_eq!(
            AwsErrorInfo::from_sdk_error(&timeout).failure,
            Failure::Unreachable
        );
        let none: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::not_loaded("no credentials in the chain")),
                None,
            ));
        let none = AwsErrorInfo::from_sdk_error(&none);
        assert_eq!(none.failure, Failure::NoCredentials);
        let failed: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::provider_error(
                    "external process exited with code 3. Stderr: boom\n",
                )),
                None,
            ));
        let failed = AwsErrorInfo::from_sdk_error(&failed);
        assert_eq!(failed.failure, Failure::CredentialsFailed);
        // The credentials' own failure, trimmed, without the SDK's "dispatch failure: other".
        assert_eq!(
            failed.detail,
            "an error occurred while loading credentials: external process exited with code 3. Stderr: boom"
        );
        assert_eq!(
            AwsErrorInfo::from_sdk_error(&denied_assume_role()).failure,
            Failure::CredentialsFailed
        );
        let answered: SdkError<GetCallerIdentityError, HttpResponse> = SdkError::service_error(
            GetCallerIdentityError::generic(meta("ExpiredToken", "expired")),
            response(403),
        );
        assert_eq!(
            AwsErrorInfo::from_sdk_error(&answered).failure,
            Failure::Answered
        );
    }

    #[test]
    fn an_endpoint_that_cannot_be_applied_is_told_without_the_request_s_debug_form() {
        let applied = ResolveEndpointError::message(
            "failed to apply endpoint `not a url` to request `Request { body: SdkBody { inner: Once(Some(b\"Action=GetCallerIdentity\")) }, headers: {} }`",
        )
        .with_source(Some("endpoint is not a valid URI: invalid uri character".into()));
        let failed: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(Box::new(applied), None));
        let info = AwsErrorInfo::from_sdk_error(&failed);
        assert_eq!(info.failure, Failure::BadEndpoint);
        assert!(
            info.detail.ends_with(
                "failed to apply endpoint `not a url`: endpoint is not a valid URI: invalid uri character"
            ),
            "{}",
            info.detail
        );
        assert!(!info.detail.contains("Request {"), "{}", info.detail);
    }

    #[test]
    fn a_credentials_failure_that_is_no_assume_role_keeps_the_call() {
        let failed: SdkError<GetCallerIdentityError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::not_loaded(
                    "no credentials in the environment",
                )),
                None,
            ));
        let err = collect_error(&failed, "sts", "GetCallerIdentity", Some("us-east-1"));
        assert_eq!(err.action, "GetCallerIdentity");
        assert_eq!(err.code, None);
    }
}
