//! Okta Classic: primary authentication and MFA through the Authn API (`authn.rs`, `mfa.rs`), then
//! the sessionToken is redeemed at the AWS app's embed link for the SAML page (`app.rs`).

mod app;
mod authn;
mod mfa;

use crate::error::Result;
use crate::idp::http::Http;
use crate::idp::{IdentityProvider, LoginRequest};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use async_trait::async_trait;

/// The Okta Classic Authn API provider.
#[derive(Debug)]
pub struct OktaClassic {
    http: Http,
    reporter: Reporter,
}

impl OktaClassic {
    /// A provider that talks through `http`.
    pub fn new(http: Http, reporter: Reporter) -> Self {
        OktaClassic { http, reporter }
    }
}

/// What one login needs at every step.
struct Ctx<'a> {
    http: &'a Http,
    reporter: &'a Reporter,
    prompter: &'a dyn Prompter,
    login: &'a LoginRequest,
    /// The org's base URL (scheme, host, port).
    org: url::Url,
}

impl Ctx<'_> {
    fn api(&self, path: &str) -> url::Url {
        let mut u = self.org.clone();
        u.set_path(path);
        u.set_query(None);
        u
    }
}

#[async_trait]
impl IdentityProvider for OktaClassic {
    async fn saml_response(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse> {
        let org = org_of(&login.url);
        let ctx = Ctx {
            http: &self.http,
            reporter: &self.reporter,
            prompter,
            login,
            org,
        };
        if let Some(kept) = &login.kept_session {
            self.http.add_cookies(&ctx.org, kept);
            if let Some(saml) = app::with_kept_session(&ctx).await? {
                self.reporter
                    .verbose("signed in with the kept Okta session: no password, no MFA");
                return Ok(saml);
            }
            self.reporter
                .info("The kept Okta session has ended; signing in again");
            self.http.expire_cookies(&ctx.org, kept);
        }
        let username = match &login.username {
            Some(u) => u.clone(),
            None => prompter.input("Okta username", "--username or AWS_TOKEN_USERNAME")?,
        };
        let password = match &login.password {
            Some(p) => p.clone(),
            None => prompter.secret("Okta password", "--password or AWS_TOKEN_PASSWORD")?,
        };
        let session_token = authn::login(&ctx, &username, &password).await?;
        app::saml_response(&ctx, session_token).await
    }

    /// The org's cookies: the `sid` session cookie Okta set when the sessionToken was redeemed.
    fn session(&self, login: &LoginRequest) -> Option<Secret<String>> {
        let cookies = self.http.cookies(&org_of(&login.url))?;
        cookies
            .expose()
            .split(';')
            .any(|c| c.trim().starts_with("sid="))
            .then_some(cookies)
    }
}

/// The org's base URL (scheme, host, port) of an embed link.
pub fn org_of(url: &url::Url) -> url::Url {
    let mut org = url.clone();
    org.set_path("/");
    org.set_query(None);
    org.set_fragment(None);
    org
}
