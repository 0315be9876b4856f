//! Any SAML IdP whose login is a plain HTML form (Keycloak, Shibboleth, SimpleSAMLphp, ADFS forms,
//! saml-idp): open the entry URL, fill the username and password (or one-time-code) form, submit,
//! follow redirects and auto-post forms, and read the SAMLResponse from the form that would post it
//! to AWS. No JavaScript runs; a page with neither a form nor a SAMLResponse is an error naming it.
//! The IdP's cookies after a finished login are its session: kept, and sent with the next run's first
//! request, an IdP with single sign-on answers with the SAML form at once.

use super::html_form::{self, Form};
use super::http::{Http, Resend, display_url};
use super::{IdentityProvider, LoginRequest};
use crate::config::FieldNames;
use crate::error::{Error, Result};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};

/// Pages a login may take (login, second step, code, intermediate posts, SAML form).
const MAX_STEPS: usize = 12;

/// The HTML form provider.
#[derive(Debug)]
pub struct FormIdp {
    http: Http,
    reporter: Reporter,
    names: FieldNames,
    /// A login of this run ended with a SAMLResponse: the IdP's cookies are a session to keep.
    signed_in: AtomicBool,
    /// The username the user typed at the prompt.
    prompted_username: super::PromptedUsername,
}

impl FormIdp {
    /// A provider that talks through `http`, with field names from config.json.
    pub fn new(http: Http, reporter: Reporter, names: FieldNames) -> Self {
        FormIdp {
            http,
            reporter,
            names,
            signed_in: AtomicBool::new(false),
            prompted_username: super::PromptedUsername::default(),
        }
    }
}

/// A page as fetched: where it ended up after redirects, and its HTML.
struct Page {
    url: url::Url,
    status: u16,
    html: String,
}

/// What was already typed, to tell a rejected login from the next step of one.
#[derive(Default)]
struct Typed {
    username: Option<String>,
    password: Option<Secret<String>>,
    sent_password: bool,
    sent_username_only: bool,
    sent_code: bool,
}

#[async_trait]
impl IdentityProvider for FormIdp {
    async fn saml_response(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse> {
        let org = crate::idp::org_of(&login.url);
        if let Some(kept) = &login.kept_session {
            self.http.add_cookies(&org, kept);
        }
        let mut page = {
            let _s = self.reporter.spinner("Opening the IdP's login page");
            self.get(&login.url).await?
        };
        let mut typed = Typed {
            username: login.username.clone(),
            password: login.password.clone(),
            ..Typed::default()
        };
        // The last SAML response posted to a service that is not AWS (a broker), by host.
        let mut brokered: Option<String> = None;
        for step in 0..MAX_STEPS {
            let forms = html_form::forms(&page.html, &page.url);
            let saml_form = forms.iter().find(|f| f.saml_response().is_some());
            if step == 0
                && let Some(kept) = &login.kept_session
            {
                if saml_form.is_some() {
                    self.reporter
                        .verbose("signed in with the kept IdP session: no password, no MFA");
                } else {
                    self.reporter
                        .info("The kept IdP session has ended; signing in again");
                    self.http.expire_cookies(&org, kept);
                }
            }
            if let Some(form) = saml_form {
                if let Some(saml) = form
                    .saml_response()
                    .filter(|_| crate::saml::is_aws_sign_in(&form.action))
                {
                    self.signed_in.store(true, Ordering::SeqCst);
                    return Ok(SamlResponse(saml));
                }
                // A SAML response for another service provider: a broker (Keycloak, Okta) that
                // signs in at an upstream IdP (ADFS, Entra) first. Post it there, as a browser
                // would, and go on to the response bound for AWS.
                let host = form.action.host_str().unwrap_or("").to_owned();
                self.reporter.verbose(&format!(
                    "the SAML response on {} goes to {host}, not AWS: posting it there (a brokered login)",
                    display_url(&page.url)
                ));
                crate::idp::http::refuse_plain_http(&form.action, Some(&page.url))?;
                brokered = Some(host);
                let _s = self.reporter.spinner("Signing in");
                page = self.submit(form).await?;
                continue;
            }
            let form = match self.next_form(&forms, &page, &mut typed, login, prompter) {
                Ok(form) => form,
                Err(Error::NotAuthorized { .. }) if brokered.is_some() => {
                    return Err(not_aws(brokered.as_deref(), &page));
                }
                Err(e) => return Err(e),
            };
            // An https page whose form posts to plain http would send the password in clear.
            crate::idp::http::refuse_plain_http(&form.action, Some(&page.url))?;
            self.reporter.verbose(&format!(
                "submitting a form to {}",
                display_url(&form.action)
            ));
            let _s = self.reporter.spinner("Signing in");
            page = self.submit(&form).await?;
        }
        if brokered.is_some() {
            return Err(not_aws(brokered.as_deref(), &page));
        }
        Err(Error::NotAuthorized {
            message: format!(
                "{}: no SAMLResponse after {MAX_STEPS} pages; the IdP's login does not end at AWS",
                display_url(&login.url)
            ),
        })
    }

    /// The IdP's cookies for the entry URL, once a login of this run has ended at AWS.
    fn session(&self, login: &LoginRequest) -> Option<Secret<String>> {
        if !self.signed_in.load(Ordering::SeqCst) {
            return None;
        }
        self.http.cookies(&login.url)
    }

    fn signed_in_as(&self) -> Option<String> {
        self.prompted_username.get()
    }
}

impl FormIdp {
    /// Choose the form to submit next and fill it.
    fn next_form(
        &self,
        forms: &[Form],
        page: &Page,
        typed: &mut Typed,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<Form> {
        let names = &self.names;
        let shown = display_url(&page.url);
        // The IdP's own words when the page has them.
        let why = |what: &str| match html_form::error_text(&page.html) {
            Some(t) => format!("the IdP says: {t}"),
            None => format!("the IdP showed its {what} form again: it was not accepted"),
        };
        let rejected = |what: &str| Error::Authentication {
            url: shown.clone(),
            message: why(what),
        };
        if let Some(form) = forms
            .iter()
            .find(|f| f.password_field(names).is_some() || f.username_field(names).is_some())
        {
            let mut form = form.clone();
            let pw = form.password_field(names);
            if pw.is_some() && typed.sent_password {
                return Err(Error::WrongPassword {
                    url: shown.clone(),
                    message: why("login"),
                });
            }
            if pw.is_none() && typed.sent_username_only {
                return Err(rejected("login"));
            }
            if let Some(u) = form.username_field(names) {
                let username = match &typed.username {
                    Some(u) => u.clone(),
                    None => {
                        let u = prompter.input(
                            "Username",
                            "--username or AWS_TOKEN_USERNAME",
                            login.suggested_username.as_deref(),
                        )?;
                        self.prompted_username.typed(&u);
                        u
                    }
                };
                form.fields[u].value.clone_from(&username);
                typed.username = Some(username);
            }
            match pw {
                Some(p) => {
                    let password = match &typed.password {
                        Some(p) => p.clone(),
                        None => prompter.secret("Password", "--password or AWS_TOKEN_PASSWORD")?,
                    };
                    form.fields[p].value.clone_from(password.expose());
                    typed.password = Some(password);
                    typed.sent_password = true;
                }
                None => typed.sent_username_only = true,
            }
            return Ok(form);
        }
        if let Some((form, c)) = forms
            .iter()
            .find_map(|f| f.code_field(names).map(|c| (f, c)))
        {
            if typed.sent_code {
                return Err(rejected("one-time code"));
            }
            let code = match &login.otp {
                Some(c) => c.clone(),
                None => prompter.code("One-time code", "--otp CODE or AWS_TOKEN_OTP", false)?,
            };
            let mut form = form.clone();
            form.fields[c].value = code.expose().trim().to_owned();
            typed.sent_code = true;
            return Ok(form);
        }
        // Before the auto-post: a consent page of hidden fields and an Accept button must not
        // be answered on the user's behalf.
        if html_form::asks_for_consent(&page.html, forms) {
            return Err(Error::NotAuthorized {
                message: format!(
                    "{shown}: the IdP asks for consent (to release your attributes to the AWS app); answer it once in a browser at {shown}, then run aws-token again"
                ),
            });
        }
        if let Some(form) = forms.iter().find(|f| f.is_auto_post()) {
            return Ok(form.clone());
        }
        Err(Error::NotAuthorized {
            message: format!(
                "{shown} (HTTP {}): found no login form (username/password), no one-time-code form and no SAMLResponse; \
                 if the IdP needs JavaScript use provider \"browser\", else set \"form\" field names in config.json",
                page.status
            ),
        })
    }

    async fn get(&self, url: &url::Url) -> Result<Page> {
        let shown = display_url(url);
        let resp = self
            .http
            .send(&shown, Resend::Safe, |c| c.get(url.clone()))
            .await?;
        self.read(resp, &shown).await
    }

    async fn submit(&self, form: &Form) -> Result<Page> {
        let shown = display_url(&form.action);
        let pairs = form.pairs();
        let resp = if form.post {
            self.http
                .send(&shown, Resend::OnlyIfNotTaken, |c| {
                    c.post(form.action.clone()).form(&pairs)
                })
                .await?
        } else {
            let mut url = form.action.clone();
            url.query_pairs_mut().clear().extend_pairs(&pairs);
            self.http
                .send(&shown, Resend::Safe, |c| c.get(url.clone()))
                .await?
        };
        self.read(resp, &shown).await
    }
}

/// The login ended at a service that is not AWS: the last SAML response went to `host`.
fn not_aws(host: Option<&str>, page: &Page) -> Error {
    Error::NotAuthorized {
        message: format!(
            "the IdP's SAML response goes to {}, which is not AWS (signin.aws.amazon.com/saml), and {} (HTTP {}) leads no further: point idpEntryUrl at the IdP's sign-in URL of the AWS app",
            host.unwrap_or("another service"),
            display_url(&page.url),
            page.status
        ),
    }
}

impl FormIdp {
    async fn read(&self, resp: reqwest::Response, shown: &str) -> Result<Page> {
        let url = resp.url().clone();
        let (status, html) = self.http.read_text(resp, shown).await?;
        Ok(Page {
            url,
            status: status.as_u16(),
            html,
        })
    }
}
