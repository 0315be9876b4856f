//! Okta, both pipelines: which one the org runs (`pipeline.rs`); Classic's primary authentication
//! and MFA through the Authn API (`authn.rs`, `mfa.rs`), its sessionToken redeemed at the AWS app's
//! embed link for the SAML page (`app.rs`); Identity Engine's IDX remediations from the embed
//! link's sign-in page to the success-redirect (`idx.rs`). A kept session is tried first.

mod app;
mod authn;
mod idx;
mod idx_answer;
mod mfa;
pub mod pipeline;

use crate::authenticator::webauthn::SecurityKey;
use crate::error::{Error, Result};
use crate::idp::http::Http;
use crate::idp::{IdentityProvider, LoginRequest};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use app::Page;
use async_trait::async_trait;
use pipeline::{Pipeline, Pipelines};
use std::sync::Arc;

/// The Okta provider (Classic Authn API or Identity Engine IDX API).
#[derive(Debug)]
pub struct Okta {
    http: Http,
    reporter: Reporter,
    /// config.json's `oktaPipeline`, when set.
    forced: Option<Pipeline>,
    /// What earlier runs learnt of each org.
    pipelines: Pipelines,
    /// The username the user typed at the prompt.
    prompted_username: crate::idp::PromptedUsername,
    /// The system's URL opener (Okta Verify's FastPass link), where a desktop is.
    opener: Option<&'static str>,
    /// What signs a WebAuthn challenge (a USB security key).
    security_key: Arc<dyn SecurityKey>,
}

impl Okta {
    /// A provider that talks through `http`, with the pipeline `forced` or else learnt (and
    /// remembered in `pipelines`), and `security_key` to sign WebAuthn challenges.
    pub fn new(
        http: Http,
        reporter: Reporter,
        forced: Option<Pipeline>,
        pipelines: Pipelines,
        security_key: Arc<dyn SecurityKey>,
    ) -> Self {
        Okta {
            http,
            reporter,
            forced,
            pipelines,
            prompted_username: crate::idp::PromptedUsername::default(),
            opener: None,
            security_key,
        }
    }

    /// With the system's URL opener (FastPass's launch link opens Okta Verify).
    pub fn with_opener(mut self, opener: Option<&'static str>) -> Self {
        self.opener = opener;
        self
    }

    /// The org's pipeline: forced, remembered, or asked of the org (`None`: not known yet).
    async fn pipeline(&self, ctx: &Ctx<'_>) -> Result<Option<Pipeline>> {
        if let Some(p) = self.forced.or_else(|| self.pipelines.get(&ctx.org)) {
            return Ok(Some(p));
        }
        let found = pipeline::discover(ctx).await?;
        if let Some(p) = found {
            self.remember(ctx, p);
        }
        Ok(found)
    }

    fn remember(&self, ctx: &Ctx<'_>, p: Pipeline) {
        self.reporter.verbose(&format!(
            "{} runs Okta {}",
            ctx.org,
            match p {
                Pipeline::Classic => "Classic (Authn API)",
                Pipeline::IdentityEngine => "Identity Engine (IDX API)",
            }
        ));
        if self.forced.is_none()
            && let Err(e) = self.pipelines.remember(&ctx.org, p)
        {
            self.reporter
                .verbose(&format!("cannot remember the pipeline: {e}"));
        }
    }

    /// Classic: the kept session at the embed link, else Authn API and the sessionToken.
    async fn classic(&self, ctx: &Ctx<'_>, kept_tried: bool) -> Result<SamlResponse> {
        let login = ctx.login;
        if let (Some(kept), false) = (&login.kept_session, kept_tried) {
            if let Some(saml) = app::with_kept_session(ctx).await? {
                self.reporter
                    .verbose("signed in with the kept Okta session: no password, no MFA");
                return Ok(saml);
            }
            self.session_ended(ctx, kept);
        }
        let username = match &login.username {
            Some(u) => u.clone(),
            None => {
                let u = ctx.prompter.input(
                    "Okta username",
                    "--username or AWS_TOKEN_USERNAME",
                    login.suggested_username.as_deref(),
                )?;
                self.prompted_username.typed(&u);
                u
            }
        };
        let password = match &login.password {
            Some(p) => p.clone(),
            None => ctx
                .prompter
                .secret("Okta password", "--password or AWS_TOKEN_PASSWORD")?,
        };
        let session_token = authn::login(ctx, &username, &password).await?;
        app::saml_response(ctx, session_token).await
    }

    fn session_ended(&self, ctx: &Ctx<'_>, kept: &Secret<String>) {
        self.reporter
            .info("The kept Okta session has ended; signing in again");
        self.http.expire_cookies(&ctx.org, kept);
    }

    /// Identity Engine (or not known yet): the embed link answers with the SAML form (a session
    /// holds), or with the sign-in page, whose stateToken starts the IDX sign-in. A sign-in page
    /// without one, when the pipeline was not known, is a Classic org.
    async fn identity_engine(
        &self,
        ctx: &Ctx<'_>,
        known: Option<Pipeline>,
    ) -> Result<SamlResponse> {
        let kept = ctx.login.kept_session.as_ref();
        let state_token = match app::fetch(ctx, None).await {
            Ok(Page::Saml(saml)) => {
                if kept.is_some() {
                    self.reporter
                        .verbose("signed in with the kept Okta session: no password, no MFA");
                }
                return Ok(saml);
            }
            Ok(Page::StateToken(token)) => token,
            // Not remembered: a sign-in page without a stateToken only suggests Classic, and a
            // wrong guess kept would refuse every later login at an Identity Engine org.
            Ok(Page::SignIn) if known.is_none() => {
                self.reporter.verbose(
                    "the sign-in page carries no stateToken: signing in as at Okta Classic",
                );
                if let Some(k) = kept {
                    self.session_ended(ctx, k);
                }
                return self.classic(ctx, true).await;
            }
            Ok(Page::SignIn) => {
                return Err(Error::Protocol {
                    url: crate::idp::http::display_url(&ctx.login.url),
                    message: "Okta's sign-in page carries no stateToken for the Identity Engine; if the org runs Okta Classic, set \"oktaPipeline\": \"v1\" in config.json".into(),
                });
            }
            // Not known, and the embed link shows neither: Classic, as before pipelines were
            // asked about (its errors come after the Authn API, where they always did).
            Err(Error::NotAuthorized { .. }) if known.is_none() => {
                return self.classic(ctx, true).await;
            }
            Err(e) => return Err(e),
        };
        if known.is_none() {
            self.remember(ctx, Pipeline::IdentityEngine);
        }
        let mut first = idx::introspect(ctx, &state_token).await?;
        // With a session, a transaction that starts past `identify` is the app stepping up (the
        // session stays: it is what the step-up builds on); one that asks who you are means the
        // session has ended.
        match kept {
            Some(k) if first.remediation("identify").is_some() => self.session_ended(ctx, k),
            Some(_) => self
                .reporter
                .info("The AWS app asks for extra verification (step-up MFA)"),
            None => {}
        }
        // Once more after a step-up: an app policy may ask for more than the org's.
        for _ in 0..2 {
            let (done, typed) = idx::sign_in(ctx, first).await?;
            if let (None, Some(u)) = (&ctx.login.username, typed) {
                self.prompted_username.typed(&u);
            }
            match app::open(ctx, &done).await? {
                Page::Saml(saml) => return Ok(saml),
                Page::StateToken(next) => {
                    self.reporter
                        .info("The AWS app asks for extra verification (step-up MFA)");
                    first = idx::introspect(ctx, &next).await?;
                }
                Page::SignIn => break,
            }
        }
        Err(Error::NotAuthorized {
            message: format!(
                "{}: Okta still shows its sign-in page after a finished sign-in; sign in with provider \"okta-browser\"",
                crate::idp::http::display_url(&ctx.login.url)
            ),
        })
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
    /// The system's URL opener, where a desktop is.
    opener: Option<&'static str>,
    /// What signs a WebAuthn challenge.
    security_key: &'a dyn SecurityKey,
}

impl Ctx<'_> {
    /// Sign a WebAuthn challenge with the security key; Okta's challenge data `data` and the
    /// enrolled credential ids `allow`.
    fn security_key_assertion(
        &self,
        data: Option<&serde_json::Value>,
        allow: &[&str],
    ) -> Result<crate::authenticator::webauthn::Assertion> {
        use crate::authenticator::webauthn;
        let request = data
            .ok_or_else(|| "Okta sent no challenge data".to_owned())
            .and_then(|d| webauthn::Request::from_okta(&self.org, d, allow))
            .map_err(|why| Error::Protocol {
                url: self.org.to_string(),
                message: format!("the security-key challenge cannot be answered: {why}"),
            })?;
        let org = self.org.to_string();
        self.reporter.verbose(&format!(
            "security key: rpId {}, {} enrolled credential(s)",
            request.rp_id,
            request.allow.len()
        ));
        webauthn::sign(
            self.security_key,
            &request,
            &webauthn::Ui {
                reporter: self.reporter,
                prompter: self.prompter,
                org: &org,
            },
        )
    }

    fn api(&self, path: &str) -> url::Url {
        let mut u = self.org.clone();
        u.set_path(path);
        u.set_query(None);
        u
    }
}

#[async_trait]
impl IdentityProvider for Okta {
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
            opener: self.opener,
            security_key: self.security_key.as_ref(),
        };
        if let Some(kept) = &login.kept_session {
            self.http.add_cookies(&ctx.org, kept);
        }
        match self.pipeline(&ctx).await? {
            Some(Pipeline::Classic) => self.classic(&ctx, false).await,
            known => self.identity_engine(&ctx, known).await,
        }
    }

    /// The org's cookies: the `sid` session cookie Okta set when the sessionToken was redeemed
    /// (Classic) or at the success-redirect (Identity Engine, with `idx`).
    fn session(&self, login: &LoginRequest) -> Option<Secret<String>> {
        let cookies = self.http.cookies(&org_of(&login.url))?;
        cookies
            .expose()
            .split(';')
            .any(|c| c.trim().starts_with("sid="))
            .then_some(cookies)
    }

    fn signed_in_as(&self) -> Option<String> {
        self.prompted_username.get()
    }
}

pub use crate::idp::org_of;

/// The readers of what an Okta org sends, for the fuzz targets (src/fuzzing.rs).
pub(crate) use app::read_everything as read_app_page;
pub(crate) use idx_answer::read_everything as read_idx_answer;
