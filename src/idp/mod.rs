//! Identity providers: the `IdentityProvider` trait (log in, return the SAMLResponse) and `build`,
//! which makes the implementation the settings name.

pub mod browser;
pub mod dns;
pub mod duo;
pub mod entra;
pub mod form;
pub mod html_form;
pub mod http;
pub mod mfa_choice;
pub mod okta;

use crate::cli::MfaKind;
use crate::error::Result;
use crate::interrupt::Cleanup;
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use crate::settings::{ProviderKind, Settings};
use async_trait::async_trait;
use std::time::Duration;

/// What the user brings to a login; anything missing is asked through the `Prompter`.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// The IdP entry URL (for Okta: the AWS app's embed link).
    pub url: url::Url,
    pub username: Option<String>,
    /// The username last used at this org, offered when the username is asked for.
    pub suggested_username: Option<String>,
    pub password: Option<Secret<String>>,
    pub otp: Option<Secret<String>>,
    pub mfa: Option<MfaKind>,
    /// `--duo-device`: which Duo device, when Duo lists several.
    pub duo_device: Option<String>,
    /// The longest wait for a push to be answered.
    pub mfa_timeout: Duration,
    /// An IdP session kept from an earlier login (cookies), tried before any password.
    pub kept_session: Option<Secret<String>>,
    /// Nobody is there to answer (the credential endpoint's renewal): an MFA step is refused
    /// before anything is sent for it (`unattended_mfa`).
    pub unattended: bool,
}

/// The refusal of an MFA step in an unattended login (`LoginRequest::unattended`), else nothing:
/// a renewal must never send a one-time code again (each is a failed attempt once used) nor
/// start a push to a phone nobody is watching.
pub fn unattended_mfa(login: &LoginRequest, what: &str) -> crate::error::Result<()> {
    if login.unattended {
        return Err(crate::error::Error::LoginNeeded {
            url: crate::idp::http::display_url(&login.url),
            what: what.to_owned(),
        });
    }
    Ok(())
}

/// The username a login typed at the prompt, kept for `IdentityProvider::signed_in_as`.
#[derive(Debug, Default)]
pub struct PromptedUsername(std::sync::Mutex<Option<String>>);

impl PromptedUsername {
    /// The user typed `username`.
    pub fn typed(&self, username: &str) {
        if let Ok(mut u) = self.0.lock() {
            *u = Some(username.to_owned());
        }
    }

    /// What was typed, if anything.
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok()?.clone()
    }
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

    /// The IdP session this login holds now (to keep for later runs), for providers that can reuse
    /// one; `None` when there is none, or the kept one was refused and no new one was made.
    fn session(&self, _login: &LoginRequest) -> Option<Secret<String>> {
        None
    }

    /// The username this run's login typed when the user was asked for it (not given), so that
    /// the session is kept under it too.
    fn signed_in_as(&self) -> Option<String> {
        None
    }
}

/// What on this machine answers a sign-in besides the keyboard.
pub struct Devices {
    /// The system's URL opener, where a desktop is (FastPass's launch link).
    pub url_opener: Option<&'static str>,
    /// What signs WebAuthn challenges from the terminal.
    pub security_key: std::sync::Arc<dyn crate::authenticator::webauthn::SecurityKey>,
    /// Tests only (debug builds): the key file whose credential Chromium's virtual authenticator
    /// holds.
    pub virtual_authenticator: Option<std::path::PathBuf>,
}

impl Devices {
    /// This machine's, as `env` describes it.
    pub fn of(env: &crate::environment::Environment) -> Devices {
        Devices {
            url_opener: env.url_opener(),
            security_key: crate::authenticator::webauthn::security_key(env),
            virtual_authenticator: crate::authenticator::webauthn::test_virtual_authenticator(env),
        }
    }
}

/// The provider `settings` name, over the shared HTTP client, with this machine's `devices`.
pub fn build(
    settings: &Settings,
    http: http::Http,
    reporter: &Reporter,
    cleanup: &Cleanup,
    devices: Devices,
) -> Box<dyn IdentityProvider> {
    match &settings.provider {
        ProviderKind::Okta => Box::new(
            okta::Okta::new(
                http,
                reporter.clone(),
                settings.okta_pipeline,
                okta::pipeline::Pipelines::new(&settings.cache_dir),
                devices.security_key,
            )
            .with_opener(devices.url_opener),
        ),
        ProviderKind::Browser {
            mode,
            executable,
            headed,
            step_timeout,
        } => Box::new(browser::BrowserIdp {
            mode: *mode,
            executable: executable.clone(),
            headed: *headed,
            debug: settings.debug,
            step_timeout: *step_timeout,
            reporter: reporter.clone(),
            cleanup: cleanup.clone(),
            session: std::sync::Mutex::default(),
            prompted_username: PromptedUsername::default(),
            virtual_authenticator: devices.virtual_authenticator,
        }),
        ProviderKind::Entra => Box::new(entra::Entra::new(
            http,
            reporter.clone(),
            settings.debug,
            entra::PasswordHosts::new(settings.password_hosts.clone(), &settings.cache_dir),
        )),
        ProviderKind::Form(names) => {
            Box::new(form::FormIdp::new(http, reporter.clone(), names.clone()))
        }
    }
}

/// The IdP org of an entry URL: its scheme, host and port (what sessions and caches are kept by).
pub fn org_of(url: &url::Url) -> url::Url {
    let mut org = url.clone();
    org.set_path("/");
    org.set_query(None);
    org.set_fragment(None);
    org
}
