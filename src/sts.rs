//! AWS STS: the `Sts` trait (AssumeRoleWithSAML, and AssumeRole for chaining) and its aws-sdk-sts
//! implementation. No default credential chain is consulted: the SAML call is unsigned and the
//! chained call is signed with the credentials the first call returned.

use crate::error::{Error, Result};
use crate::idp::http::Timeouts;
use crate::saml::{AwsRole, SamlResponse};
use crate::sdk_http::ReqwestHttpClient;
use crate::secret::Secret;
use async_trait::async_trait;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::saml::MAX_ASSERTION;

/// Short-lived AWS credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub access_key_id: Secret<String>,
    pub secret_access_key: Secret<String>,
    pub session_token: Secret<String>,
    pub expiration: DateTime<Utc>,
    /// The assumed-role ARN STS reports (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION).
    pub assumed_role_arn: String,
}

/// The STS calls aws-token makes.
#[async_trait]
pub trait Sts: Send + Sync {
    /// Exchange the assertion for credentials of `role`.
    async fn assume_role_with_saml(
        &self,
        role: &AwsRole,
        saml: &SamlResponse,
        duration: Option<i32>,
    ) -> Result<Credentials>;

    /// With `creds`, assume `role_arn` (role chaining).
    async fn assume_role(
        &self,
        creds: &Credentials,
        role_arn: &str,
        session_name: &str,
        duration: Option<i32>,
    ) -> Result<Credentials>;
}

/// aws-sdk-sts against the region's endpoint, or `endpoint` (AWS_ENDPOINT_URL_STS) when set.
#[derive(Debug, Clone)]
pub struct AwsSts {
    region: String,
    endpoint: Option<String>,
    http: ReqwestHttpClient,
    timeouts: Timeouts,
}

impl AwsSts {
    /// An STS client for `region`, optionally at a custom endpoint, sending through `http`.
    pub fn new(
        region: String,
        endpoint: Option<String>,
        http: ReqwestHttpClient,
        timeouts: Timeouts,
    ) -> Self {
        AwsSts {
            region,
            endpoint,
            http,
            timeouts,
        }
    }

    /// The longest one STS call (all its attempts) may take.
    fn operation_timeout(&self) -> Duration {
        self.timeouts.connect + self.timeouts.read
    }

    fn client(&self, creds: Option<&Credentials>) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(self.http.clone())
            .region(Region::new(self.region.clone()))
            .timeout_config(
                aws_sdk_sts::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(self.timeouts.connect)
                    .read_timeout(self.timeouts.read)
                    .operation_timeout(self.operation_timeout())
                    .build(),
            )
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::standard().with_max_attempts(3));
        if let Some(e) = &self.endpoint {
            b = b.endpoint_url(e.clone());
        }
        if let Some(c) = creds {
            b = b.credentials_provider(aws_sdk_sts::config::Credentials::new(
                c.access_key_id.expose().clone(),
                c.secret_access_key.expose().clone(),
                Some(c.session_token.expose().clone()),
                None,
                "aws-token-saml",
            ));
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    fn endpoint_label(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("STS in {}", self.region))
    }
}

#[async_trait]
impl Sts for AwsSts {
    async fn assume_role_with_saml(
        &self,
        role: &AwsRole,
        saml: &SamlResponse,
        duration: Option<i32>,
    ) -> Result<Credentials> {
        let length = saml.0.expose().len();
        if length > MAX_ASSERTION {
            return Err(Error::Protocol {
                url: "the SAML assertion".into(),
                message: format!(
                    "it is {length} characters and STS accepts at most {MAX_ASSERTION}: the IdP sends too many roles or attributes; ask your IdP admin to trim what the AWS app sends"
                ),
            });
        }
        let out = self
            .client(None)
            .assume_role_with_saml()
            .role_arn(&role.role_arn)
            .principal_arn(&role.principal_arn)
            .saml_assertion(saml.0.expose().clone())
            .set_duration_seconds(duration)
            .send()
            .await
            .map_err(|e| self.error("AssumeRoleWithSAML", &role.role_arn, e))?;
        convert(
            out.credentials(),
            out.assumed_role_user().map(|u| u.arn()),
            &role.role_arn,
        )
    }

    async fn assume_role(
        &self,
        creds: &Credentials,
        role_arn: &str,
        session_name: &str,
        duration: Option<i32>,
    ) -> Result<Credentials> {
        let out = self
            .client(Some(creds))
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .set_duration_seconds(duration)
            .send()
            .await
            .map_err(|e| self.error("AssumeRole", role_arn, e))?;
        convert(
            out.credentials(),
            out.assumed_role_user().map(|u| u.arn()),
            role_arn,
        )
    }
}

impl AwsSts {
    fn error<E>(
        &self,
        operation: &'static str,
        role: &str,
        err: SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
    ) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match &err {
            SdkError::ServiceError(se) => match se.err().code() {
                Some(code) => {
                    let message = se.err().message().unwrap_or("no message").to_owned();
                    Error::Sts {
                        operation,
                        role: role.to_owned(),
                        code: code.to_owned(),
                        hint: sts_hint(code, &message),
                        message,
                    }
                }
                // An error status without an STS error document: a proxy, a wrong endpoint.
                None => self.not_sts(operation, se.raw()),
            },
            SdkError::ResponseError(re) => self.not_sts(operation, re.raw()),
            SdkError::TimeoutError(_) => Error::Network {
                url: self.endpoint_label(),
                message: format!(
                    "{operation} got no answer within {} s (--connect-timeout plus --read-timeout)",
                    self.operation_timeout().as_secs()
                ),
            },
            SdkError::DispatchFailure(d) => Error::Network {
                url: self.endpoint_label(),
                message: match d.as_connector_error() {
                    Some(c) => error_chain(c),
                    None => "the request could not be sent".into(),
                },
            },
            _ => Error::Internal(format!(
                "{operation}: {}",
                aws_sdk_sts::error::DisplayErrorContext(&err)
            )),
        }
    }

    /// An answer that is not STS's: say what it was (status, type, an HTML page's title), never
    /// its body, and where it came from.
    fn not_sts(
        &self,
        operation: &str,
        raw: &aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    ) -> Error {
        let status = raw.status().as_u16();
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let kind = raw
            .headers()
            .get("content-type")
            .unwrap_or("no content type")
            .to_owned();
        let body = raw.body().bytes().unwrap_or_default();
        let what = if body.is_empty() {
            "an empty body".to_owned()
        } else if kind.contains("html") {
            match html_title(body) {
                Some(t) => format!("an HTML page titled {t:?}"),
                None => "an HTML page".to_owned(),
            }
        } else {
            format!("{} bytes of {kind}", body.len())
        };
        Error::Network {
            url: self.endpoint_label(),
            message: format!(
                "{operation} was answered with HTTP {status} {reason} and {what}, not an STS response; check AWS_ENDPOINT_URL_STS and any proxy between you and STS"
            ),
        }
    }
}

/// `e` and its causes, one after the other.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// The `<title>` of an HTML page, trimmed, at most 80 characters.
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title: String = text[start..end].trim().chars().take(80).collect();
    (!title.is_empty()).then_some(title)
}

/// What to tell the user for well-known STS refusals.
fn sts_hint(code: &str, message: &str) -> String {
    if code == "ValidationError" && message.contains("DurationSeconds") {
        "; ask for less with --durationSeconds (3600 always works)".into()
    } else if code == "ExpiredTokenException" || message.contains("expired") {
        "; the SAML assertion expired before it reached STS: run aws-token again".into()
    } else if code == "AccessDenied" {
        "; the role's trust policy does not allow this SAML provider: ask your AWS admin".into()
    } else {
        String::new()
    }
}

fn convert(
    c: Option<&aws_sdk_sts::types::Credentials>,
    arn: Option<&str>,
    role: &str,
) -> Result<Credentials> {
    let bad = |message: String| Error::Protocol {
        url: "STS".into(),
        message: format!(
            "{message} for {role}; nothing was written (is AWS_ENDPOINT_URL_STS an STS endpoint?)"
        ),
    };
    let c = c.ok_or_else(|| bad("the answer holds no credentials".into()))?;
    let exp = c.expiration();
    let expiration = DateTime::from_timestamp(exp.secs(), exp.subsec_nanos())
        .ok_or_else(|| bad("the credentials' expiration is out of range".into()))?;
    if expiration <= Utc::now() {
        return Err(bad(format!(
            "the credentials STS answered expired already ({})",
            expiration.to_rfc3339()
        )));
    }
    // Every value is written into an INI file: a line break or a bracket would become a section.
    for (name, value) in [
        ("AccessKeyId", c.access_key_id()),
        ("SecretAccessKey", c.secret_access_key()),
        ("SessionToken", c.session_token()),
    ] {
        if value.is_empty() {
            return Err(bad(format!("the answer's {name} is missing")));
        }
        if !is_credential_text(value) {
            return Err(bad(format!(
                "the answer's {name} holds characters no AWS credential has (a line break, space or bracket)"
            )));
        }
    }
    Ok(Credentials {
        access_key_id: Secret::new(c.access_key_id().to_owned()),
        secret_access_key: Secret::new(c.secret_access_key().to_owned()),
        session_token: Secret::new(c.session_token().to_owned()),
        expiration,
        assumed_role_arn: arn.unwrap_or(role).to_owned(),
    })
}

/// Printable ASCII without spaces or brackets: what access keys, secrets and session tokens are made of.
fn is_credential_text(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'[' | b']' | b';' | b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_text_refuses_what_would_break_the_ini_file() {
        assert!(is_credential_text("ASIAABCDEFGHIJKLMNOP"));
        assert!(is_credential_text("wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY="));
        assert!(!is_credential_text("ASIA\n[default]"));
        assert!(!is_credential_text("a b"));
        assert!(!is_credential_text("x\r"));
        assert!(!is_credential_text("[x]"));
    }
}
