//! Microsoft Entra ID (Azure AD) in the terminal (`provider: "entra"`): from the AWS app's user
//! access URL (My Apps, or the `redirecttofederatedapplication.aspx` link), every next step comes
//! from the page: the `$Config` each sign-in page embeds (`page.rs`) names the page (`pgid`) and the
//! URLs and tokens of the next request. ConvergedSignIn: GetCredentialType (and a federated domain's
//! ADFS forms sign-in), then the password; ConvergedProofUpRedirect: skipped when Entra allows it;
//! ConvergedTFA: MFA through the SAS endpoints (`sas.rs`); KmsiInterrupt: "stay signed in", yes, so
//! the session can be kept; hidden auto-posting forms and the SAMLRequest script redirect are
//! followed; the SAMLResponse form for AWS ends it. Errors keep Entra's AADSTS code and words. The
//! session cookies of the login host (ESTSAUTH, ESTSAUTHPERSISTENT, ...) are kept and sent first.

mod hosts;
mod page;
mod sas;

pub use hosts::PasswordHosts;

use crate::error::{Error, Result};
use crate::idp::http::{Http, Resend, display_url};
use crate::idp::{IdentityProvider, LoginRequest, PromptedUsername};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use async_trait::async_trait;
use page::Config;
use std::sync::Mutex;

pub(crate) use page::read_everything;

/// Steps of one sign-in beyond any policy's (a loop is an error, not a hang).
const MAX_STEPS: usize = 25;

/// The pseudo-cookie a kept session starts with: the login host its cookies belong to.
const HOST_KEY: &str = "aws-token-entra-host";

/// What a browser's provider says when Entra asks for what a terminal cannot give.
const USE_BROWSER: &str =
    "sign in with provider \"browser\" in config.json (a window you finish the sign-in in)";

/// The Entra provider.
#[derive(Debug)]
pub struct Entra {
    http: Http,
    reporter: Reporter,
    /// `--debug`: a page aws-token cannot answer is saved.
    debug: bool,
    /// The login host this run's sign-in reached (its cookies are the session).
    login_host: Mutex<Option<url::Url>>,
    prompted_username: PromptedUsername,
    /// Where the password may go.
    hosts: PasswordHosts,
}

impl Entra {
    pub fn new(http: Http, reporter: Reporter, debug: bool, hosts: PasswordHosts) -> Self {
        Entra {
            http,
            reporter,
            debug,
            login_host: Mutex::new(None),
            prompted_username: PromptedUsername::default(),
            hosts,
        }
    }

    /// With `--debug`, keep `html` (a page aws-token could not answer) in a private temporary
    /// file and say where; `err` is returned as it is.
    fn keep_page(&self, html: &str, err: Error) -> Error {
        if !self.debug || html.is_empty() {
            return err;
        }
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let path = std::env::temp_dir().join(format!(
            "aws-token-debug-{stamp}-{}.html",
            std::process::id()
        ));
        let saved = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(html.as_bytes()));
        if saved.is_ok() {
            self.reporter
                .attention(&format!("debug: the page is saved as {}", path.display()));
        }
        err
    }

    fn set_host(&self, url: &url::Url) {
        if let Ok(mut h) = self.login_host.lock() {
            *h = Some(crate::idp::org_of(url));
        }
    }
}

/// What the walk has sent so far (a page asking for it again means it was refused).
#[derive(Default)]
struct Walk {
    username: Option<String>,
    password_sent: bool,
    mfa_done: bool,
    kmsi: bool,
    steps: usize,
}

#[async_trait]
impl IdentityProvider for Entra {
    async fn saml_response(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse> {
        let kept = login.kept_session.as_ref().and_then(restore);
        if let Some((host, cookies)) = &kept {
            self.http.add_cookies(host, cookies);
            self.set_host(host);
        }
        let mut walk = Walk {
            username: login.username.clone(),
            ..Walk::default()
        };
        let (mut url, mut html) = get(&self.http, &login.url).await?;
        loop {
            walk.steps += 1;
            if walk.steps > MAX_STEPS {
                return Err(Error::Protocol {
                    url: display_url(&url),
                    message: format!("the Entra sign-in did not finish after {MAX_STEPS} steps"),
                });
            }
            let forms = crate::idp::html_form::forms(&html, &url);
            if let Some(saml) = forms.iter().find_map(|f| {
                crate::saml::is_aws_sign_in(&f.action)
                    .then(|| f.saml_response())
                    .flatten()
            }) {
                // The page that posts to AWS is the login host's: its cookies are the session.
                self.set_host(&url);
                if kept.is_some() && !walk.password_sent {
                    self.reporter
                        .verbose("signed in with the kept Entra session: no password, no MFA");
                }
                return Ok(SamlResponse(saml));
            }
            if let Some(c) = Config::of(&html) {
                self.set_host(&url);
                (url, html) = match self
                    .step(login, prompter, &mut walk, &url, &c, kept.is_some())
                    .await
                {
                    Ok(next) => next,
                    Err(e @ Error::NotAuthorized { .. }) => return Err(self.keep_page(&html, e)),
                    Err(e) => return Err(e),
                };
                continue;
            }
            if let Some(next) = page::saml_request_location(&html) {
                let next = url.join(&next).map_err(|e| Error::Protocol {
                    url: display_url(&url),
                    message: format!("a SAMLRequest redirect that is no URL: {e}"),
                })?;
                (url, html) = get(&self.http, &next).await?;
                continue;
            }
            if let Some(form) = page::hidden_form(&html, &url) {
                self.reporter.verbose(&format!(
                    "posting the page's hidden form to {}",
                    display_url(&form.action)
                ));
                (url, html) =
                    post_form(&self.http, &form.action, &form.pairs(), Resend::Safe).await?;
                continue;
            }
            return Err(self.keep_page(&html, unknown(&url, &html, None)));
        }
    }

    fn session(&self, _login: &LoginRequest) -> Option<Secret<String>> {
        let host = self.login_host.lock().ok()?.clone()?;
        let cookies = self.http.cookies(&host)?;
        cookies
            .expose()
            .split(';')
            .any(|c| c.trim().starts_with("ESTSAUTH"))
            .then(|| Secret::new(format!("{HOST_KEY}={host}; {}", cookies.expose())))
    }

    fn signed_in_as(&self) -> Option<String> {
        self.prompted_username.get()
    }
}

/// A kept session: the login host and its cookies.
fn restore(kept: &Secret<String>) -> Option<(url::Url, Secret<String>)> {
    let mut host = None;
    let mut rest = Vec::new();
    for (name, value) in crate::session::cookie_pairs(kept.expose()) {
        if name.trim() == HOST_KEY {
            host = url::Url::parse(value.trim()).ok();
        } else {
            rest.push(format!("{}={}", name.trim(), value.trim()));
        }
    }
    Some((host?, Secret::new(rest.join("; "))))
}

impl Entra {
    /// Answer the page whose `$Config` is `c`.
    async fn step(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
        walk: &mut Walk,
        url: &url::Url,
        c: &Config,
        had_session: bool,
    ) -> Result<(url::Url, String)> {
        if let Some((code, text)) = c.error() {
            return Err(aadsts(url, c.page(), &code, &text, walk));
        }
        let join = |u: &str| {
            url.join(u).map_err(|e| Error::Protocol {
                url: display_url(url),
                message: format!("the page names no usable next URL ({u:?}: {e})"),
            })
        };
        match c.page() {
            "ConvergedSignIn" => {
                if walk.password_sent {
                    return Err(Error::WrongPassword {
                        url: display_url(url),
                        message: "Entra asked for the username and password again: they were not accepted".into(),
                    });
                }
                if had_session {
                    self.reporter
                        .info("The kept Entra session has ended; signing in again");
                }
                self.sign_in(login, prompter, walk, url, c).await
            }
            "KmsiInterrupt" => {
                if walk.kmsi {
                    return Err(unknown(url, "", Some(c)));
                }
                walk.kmsi = true;
                // "Stay signed in?": yes, so that the session lasts and can be kept.
                let fields = vec![
                    (c.text("sFTName").to_owned(), c.text("sFT").to_owned()),
                    ("ctx".to_owned(), c.text("sCtx").to_owned()),
                    ("LoginOptions".to_owned(), "1".to_owned()),
                ];
                post_form(&self.http, &join(c.text("urlPost"))?, &fields, Resend::Safe).await
            }
            "ConvergedTFA" => {
                if walk.mfa_done {
                    return Err(unknown(url, "", Some(c)));
                }
                walk.mfa_done = true;
                let fields =
                    sas::answer(&self.http, &self.reporter, prompter, login, url, c).await?;
                post_form(&self.http, &join(c.text("urlPost"))?, &fields, Resend::Safe).await
            }
            "ConvergedProofUpRedirect" => {
                let skip = c.text("urlSkipMfaRegistration");
                if skip.is_empty() {
                    return Err(Error::NotAuthorized {
                        message: format!(
                            "{}: Entra asks to register an MFA method first and does not allow skipping it; register it at https://aka.ms/mfasetup, then run aws-token again",
                            display_url(url)
                        ),
                    });
                }
                self.reporter.info(
                    "Entra asks to register more MFA methods; skipping it for now, as Entra allows",
                );
                get(&self.http, &join(skip)?).await
            }
            "ConvergedChangePassword" => Err(Error::Authentication {
                url: display_url(url),
                message: "Entra asks for a new password (it has expired); change it at https://mysignins.microsoft.com, then run aws-token again".into(),
            }),
            "ConvergedConditionalAccess" | "ConvergedProofUpRedirectInterrupt" => {
                Err(Error::NotAuthorized {
                    message: format!(
                        "{}: a Conditional Access policy does not let this sign-in through a terminal ({}); {USE_BROWSER}",
                        display_url(url),
                        c.page()
                    ),
                })
            }
            _ => Err(unknown(url, "", Some(c))),
        }
    }

    /// ConvergedSignIn: GetCredentialType, then the ADFS of a federated domain or the password.
    async fn sign_in(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
        walk: &mut Walk,
        url: &url::Url,
        c: &Config,
    ) -> Result<(url::Url, String)> {
        let username = match &walk.username {
            Some(u) => u.clone(),
            None => {
                let u = prompter.input(
                    "Entra username",
                    "--username or AWS_TOKEN_USERNAME",
                    login.suggested_username.as_deref(),
                )?;
                self.prompted_username.typed(&u);
                walk.username = Some(u.clone());
                u
            }
        };
        let get_type = url
            .join(c.text("urlGetCredentialType"))
            .map_err(|e| Error::Protocol {
                url: display_url(url),
                message: format!("no GetCredentialType URL: {e}"),
            })?;
        let shown = display_url(&get_type);
        let body = serde_json::json!({
            "username": username, "isOtherIdpSupported": true, "checkPhones": false,
            "isRemoteNGCSupported": false, "isCookieBannerShown": false, "isFidoSupported": false,
            "originalRequest": c.text("sCtx"), "country": c.text("country"), "forceotclogin": false,
            "isExternalFederationDisallowed": false, "isRemoteConnectSupported": false,
            "federationFlags": 0, "isSignup": false, "flowToken": c.text("sFT"),
            "isAccessPassSupported": true,
        });
        let referer = url.to_string();
        let resp = self
            .http
            .send(&shown, Resend::Safe, |client| {
                client
                    .post(get_type.clone())
                    .header("Accept", "application/json")
                    .header("canary", c.text("apiCanary"))
                    .header("client-request-id", c.text("correlationId"))
                    .header("hpgact", c.raw("hpgact"))
                    .header("hpgid", c.raw("hpgid"))
                    .header("hpgrequestid", c.text("sessionId"))
                    .header("Referer", referer.as_str())
                    .json(&body)
            })
            .await?;
        let (_, bytes) = self.http.read_body(resp, &shown).await?;
        let answer: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| Error::Protocol {
                url: shown.clone(),
                message: "not a GetCredentialType answer".into(),
            })?;
        if answer
            .get("IfExistsResult")
            .and_then(serde_json::Value::as_i64)
            == Some(1)
        {
            return Err(Error::WrongPassword {
                url: display_url(url),
                message: format!(
                    "Entra knows no account {username} (GetCredentialType); check the username"
                ),
            });
        }
        let password = || match &login.password {
            Some(p) => Ok(p.clone()),
            None => prompter.secret("Password", "--password or AWS_TOKEN_PASSWORD"),
        };
        if let Some(adfs) = answer
            .pointer("/Credentials/FederationRedirectUrl")
            .and_then(serde_json::Value::as_str)
            .filter(|u| !u.is_empty())
        {
            let adfs = url.join(adfs).map_err(|e| Error::Protocol {
                url: shown.clone(),
                message: format!("a FederationRedirectUrl that is no URL: {e}"),
            })?;
            self.federation_server(login, prompter, &username, &adfs)?;
            self.reporter.verbose(&format!(
                "federated domain: signing in at {}",
                display_url(&adfs)
            ));
            let password = password()?;
            walk.password_sent = true;
            return self.adfs(&adfs, &username, &password).await;
        }
        let flow_token = answer
            .get("FlowToken")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .unwrap_or(c.text("sFT"));
        let fields = vec![
            ("canary".to_owned(), c.text("canary").to_owned()),
            ("hpgrequestid".to_owned(), c.text("sessionId").to_owned()),
            (c.text("sFTName").to_owned(), flow_token.to_owned()),
            ("ctx".to_owned(), c.text("sCtx").to_owned()),
            ("login".to_owned(), username.clone()),
            ("loginfmt".to_owned(), username.clone()),
        ];
        let post_url = url.join(c.text("urlPost")).map_err(|e| Error::Protocol {
            url: display_url(url),
            message: format!("no urlPost: {e}"),
        })?;
        // Only Microsoft's sign-in hosts (or config.json's) get the password: a redirect on the
        // way to this page may have led elsewhere.
        self.hosts.check(&post_url, url)?;
        let password = password()?;
        walk.password_sent = true;
        let _spinner = self.reporter.spinner("Signing in to Entra ID");
        let mut fields = fields;
        fields.push(("passwd".to_owned(), password.expose().clone()));
        post_form(&self.http, &post_url, &fields, Resend::OnlyIfNotTaken).await
    }

    /// Whether the password may go to `adfs`, the federation server GetCredentialType names for
    /// `username`'s domain: said before anything is sent; a host neither Microsoft's, nor in
    /// config.json, nor approved before is asked about on a terminal (and remembered for this
    /// app), and refused without one.
    fn federation_server(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
        username: &str,
        adfs: &url::Url,
    ) -> Result<()> {
        let host = adfs.host_str().unwrap_or_default().to_ascii_lowercase();
        let domain = username.rsplit_once('@').map_or(username, |(_, d)| d);
        let app = display_url(&login.url);
        let said = format!(
            "Entra sends {username}'s sign-in to {host}, the sign-in server your organisation federates {domain} to"
        );
        if self.hosts.known(&host) || self.hosts.approved(&app, &host) {
            self.reporter.info(&format!("{said}."));
            return Ok(());
        }
        let refused = |why: &str| Error::Network {
            url: display_url(adfs),
            message: format!(
                "refused: {said}, and aws-token has not sent a password there before; {why}"
            ),
        };
        if !prompter.interactive() {
            return Err(refused(&format!(
                "if {host} is your organisation's, add {host:?} to config.json's \"passwordHosts\", or run aws-token once in a terminal to approve it"
            )));
        }
        let items = vec![
            format!("Yes: send the password to {host} (remembered for this app)"),
            "No".to_owned(),
        ];
        let pick = prompter.select(
            &format!("{said}. Send the password there?"),
            &items,
            "passwordHosts in config.json",
        )?;
        if pick != 0 {
            return Err(refused("you said no"));
        }
        self.hosts.approve(&app, &host);
        Ok(())
    }

    /// A federated domain's ADFS: its forms sign-in with the username and password.
    async fn adfs(
        &self,
        start: &url::Url,
        username: &str,
        password: &Secret<String>,
    ) -> Result<(url::Url, String)> {
        let (url, html) = get(&self.http, start).await?;
        let forms = crate::idp::html_form::forms(&html, &url);
        let Some(form) = forms
            .iter()
            .find(|f| f.post && f.fields.iter().any(|x| x.name == "Password"))
        else {
            return Err(unknown(&url, &html, None));
        };
        let mut fields: Vec<(String, String)> = form
            .pairs()
            .into_iter()
            .filter(|(n, _)| !matches!(n.as_str(), "UserName" | "Password" | "AuthMethod"))
            .collect();
        fields.push(("UserName".into(), username.to_owned()));
        fields.push(("Password".into(), password.expose().clone()));
        fields.push(("AuthMethod".into(), "FormsAuthentication".into()));
        let (back, html) =
            post_form(&self.http, &form.action, &fields, Resend::OnlyIfNotTaken).await?;
        // The same form again: ADFS refused the password.
        if crate::idp::html_form::forms(&html, &back)
            .iter()
            .any(|f| f.fields.iter().any(|x| x.name == "Password"))
        {
            return Err(Error::WrongPassword {
                url: display_url(&back),
                message: format!(
                    "ADFS refused the sign-in: {}",
                    crate::idp::html_form::error_text(&html)
                        .unwrap_or_else(|| "wrong username or password".into())
                ),
            });
        }
        Ok((back, html))
    }
}

/// An AADSTS error as aws-token's error, with Entra's code and words.
fn aadsts(url: &url::Url, pgid: &str, code: &str, text: &str, walk: &Walk) -> Error {
    let said = if text.is_empty() {
        format!("AADSTS{code}")
    } else {
        format!("AADSTS{code}: {text}")
    };
    let shown = display_url(url);
    let auth = |message: String| Error::Authentication {
        url: shown.clone(),
        message,
    };
    match code {
        "50126" => Error::WrongPassword {
            url: shown.clone(),
            message: format!("wrong username or password ({said})"),
        },
        "50034" => Error::WrongPassword {
            url: shown.clone(),
            message: format!("no such account in this tenant ({said})"),
        },
        "50053" => auth(format!(
            "the account is locked ({said}); wait, or ask your Entra admin"
        )),
        "50055" => auth(format!(
            "the password has expired ({said}); change it at https://mysignins.microsoft.com"
        )),
        "50057" => auth(format!("the account is disabled ({said})")),
        "500121" => auth(format!("strong authentication failed ({said})")),
        "50105" => Error::NotAuthorized {
            message: format!(
                "{shown}: you are not assigned to this AWS app ({said}); ask your Entra admin"
            ),
        },
        "50076" | "50079" | "50072" => Error::NotAuthorized {
            message: format!(
                "{shown}: Entra asks to set up MFA first ({said}); register it at https://aka.ms/mfasetup"
            ),
        },
        c if c.starts_with("530") || pgid == "ConvergedConditionalAccess" => Error::NotAuthorized {
            message: format!(
                "{shown}: a Conditional Access policy blocks this sign-in ({said}); {USE_BROWSER}"
            ),
        },
        _ if walk.password_sent && !walk.mfa_done => {
            auth(format!("the sign-in was refused ({said})"))
        }
        _ => Error::Protocol {
            url: shown.clone(),
            message: format!("Entra refused the sign-in on page {pgid:?} ({said})"),
        },
    }
}

/// A page aws-token does not know: its title and page id (`--debug` keeps nothing here: the
/// terminal provider has no window; `--verbose` names every step).
fn unknown(url: &url::Url, html: &str, c: Option<&Config>) -> Error {
    let pgid = c.map(|c| c.page().to_owned()).unwrap_or_default();
    let title = if html.is_empty() {
        String::new()
    } else {
        page::title(html)
    };
    Error::NotAuthorized {
        message: format!(
            "{}: an Entra page aws-token cannot answer in a terminal (title {:?}{}); {USE_BROWSER}",
            display_url(url),
            title,
            if pgid.is_empty() {
                String::new()
            } else {
                format!(", page id {pgid}")
            }
        ),
    }
}

async fn get(http: &Http, url: &url::Url) -> Result<(url::Url, String)> {
    read(http.get_page(url).await?)
}

async fn post_form(
    http: &Http,
    url: &url::Url,
    fields: &[(String, String)],
    resend: Resend,
) -> Result<(url::Url, String)> {
    read(http.post_page(url, fields, resend).await?)
}

/// A page of the flow; a server error is a network error (Entra's pages answer 200 otherwise,
/// errors included, in `$Config`).
fn read(
    (url, status, html): (url::Url, reqwest::StatusCode, String),
) -> Result<(url::Url, String)> {
    if status.is_server_error() {
        return Err(Error::Network {
            url: display_url(&url),
            message: format!("Entra answered HTTP {}", status.as_u16()),
        });
    }
    Ok((url, html))
}
