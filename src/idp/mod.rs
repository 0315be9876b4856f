//! Identity providers: the `IdentityProvider` trait (log in, return the SAMLResponse) and `build`,
//! which picks the implementation the settings name.

pub mod browser;
pub mod form;
pub mod html_form;
pub mod http;
pub mod okta;

use crate::cli::MfaKind;
use crate::error::Result;
use crate::prompt::Prompter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use async_trait::async_trait;
use std::time::Duration;

/// What the user brings to a login; anything missing is asked through the `Prompter`.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// The IdP entry URL (for Okta: the AWS app's embed link).
    pub url: url::Url,
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
    pub otp: Option<Secret<String>>,
    pub mfa: Option<MfaKind>,
    /// The longest wait for a push to be answered.
    pub mfa_timeout: Duration,
}

/// A way to log in that ends with a SAMLResponse for AWS.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Log in and return the SAMLResponse the IdP would post to AWS.
    async fn saml_response(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse>;
}
