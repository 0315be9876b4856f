//! AWS STS: the `Sts` trait (AssumeRoleWithSAML, and AssumeRole for chaining) and its aws-sdk-sts
//! implementation. No default credential chain is consulted: the SAML call is unsigned and the
//! chained call is signed with the credentials the first call returned.

use crate::error::{Error, Result};
use crate::saml::{AwsRole, SamlResponse};
use crate::sdk_http::ReqwestHttpClient;
use crate::secret::Secret;
use async_trait::async_trait;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};
use std::time::Duration;

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
}

impl AwsSts {
    /// An STS client for `region`, optionally at a custom endpoint, sending through `http`.
    pub fn new(region: String, endpoint: Option<String>, http: ReqwestHttpClient) -> Self {
        AwsSts {
            region,
            endpoint,
            http,
        }
    }

    fn client(&self, creds: Option<&Credentials>) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(self.http.clone())
            .region(Region::new(self.region.clone()))
            .timeout_config(
                aws_sdk_sts::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_timeout(Duration::from_secs(30))
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
    fn error<E, R>(&self, operation: &'static str, role: &str, err: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match &err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                let code = e.code().unwrap_or("UnknownError").to_owned();
                let message = e.message().unwrap_or("no message").to_owned();
                let hint = sts_hint(&code, &message);
                Error::Sts {
                    operation,
                    role: role.to_owned(),
                    code,
                    message,
                    hint,
                }
            }
            SdkError::ResponseError(_) => Error::Sts {
                operation,
                role: role.to_owned(),
                code: "UnreadableResponse".into(),
                message: format!(
                    "{} answered something that is not an STS response",
                    self.endpoint_label()
                ),
                hint: String::new(),
            },
            SdkError::TimeoutError(_) => Error::Network {
                url: self.endpoint_label(),
                message: "timed out".into(),
            },
            SdkError::DispatchFailure(d) => Error::Network {
                url: self.endpoint_label(),
                message: match d.as_connector_error() {
                    Some(c) => format!("{c}"),
                    None => "request failed".into(),
                },
            },
            _ => Error::Internal(format!(
                "{operation}: {}",
                aws_sdk_sts::error::DisplayErrorContext(&err)
            )),
        }
    }
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
    let c = c.ok_or_else(|| Error::Protocol {
        url: "STS".into(),
        message: format!("the answer for {role} holds no credentials"),
    })?;
    let exp = c.expiration();
    let expiration = DateTime::from_timestamp(exp.secs(), exp.subsec_nanos()).ok_or_else(|| {
        Error::Protocol {
            url: "STS".into(),
            message: "credential expiration is out of range".into(),
        }
    })?;
    Ok(Credentials {
        access_key_id: Secret::new(c.access_key_id().to_owned()),
        secret_access_key: Secret::new(c.secret_access_key().to_owned()),
        session_token: Secret::new(c.session_token().to_owned()),
        expiration,
        assumed_role_arn: arn.unwrap_or(role).to_owned(),
    })
}
