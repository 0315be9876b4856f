//! Logging in with a real Chromium over the DevTools protocol (chromiumoxide): `okta-browser`
//! fills Okta's sign-in page (two-step or one-page), answers TOTP and Okta Verify push on the page;
//! `browser` opens the entry URL in a window for the user to finish any login. Both capture the
//! SAMLResponse by intercepting the POST to the AWS sign-in URL: AWS is never contacted. Every wait
//! is on page state, with a timeout; Chromium runs with a fresh profile that is deleted afterwards.

use super::http::display_url;
use super::{IdentityProvider, LoginRequest};
use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::interrupt::Cleanup;
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::saml::SamlResponse;
use crate::secret::Secret;
use async_trait::async_trait;
use base64::Engine;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::fetch::{
    self, EventRequestPaused, FulfillRequestParams, RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{
    CookieParam, GetCookiesParams, SetCookiesParams,
};
use chromiumoxide::cdp::browser_protocol::page::NavigateParams;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::{Page, ScreenshotParams};
use futures::StreamExt;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Switches that keep a throwaway Chromium quiet, off the network and off the CPU, beyond
/// chromiumoxide's defaults (which already disable background networking, sync and first-run).
/// Written without the leading `--`: chromiumoxide adds it (with it, Chromium got `----no-pings`
/// and ignored it). `no-startup-window`: no New Tab page rendering (and fetching) beside the login.
pub const QUIET_SWITCHES: &[&str] = &[
    "disable-component-update",
    "no-default-browser-check",
    "disable-domain-reliability",
    "no-pings",
    "no-startup-window",
];

/// Features switched off, merged by chromiumoxide into its own `--disable-features` list. The
/// WebUI omnibox popups are renderers preloaded in the background that compete with the login
/// page for the CPU (measured: 1.47 -> 0.95 s per login on 2 cores, with `no-startup-window`).
pub const DISABLED_FEATURES: &[&str] = &[
    "Translate",
    "OptimizationHints",
    "MediaRouter",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
    "NetworkTimeServiceQuerying",
];

/// Hosts Chromium must never look up during a login: the AWS sign-in URLs (the SAML POST is
/// captured before it leaves, but Chromium preconnects to the form's target), and the Google
/// services its background jobs call even with the switches above (component and extension
/// updates, network time). Mapped to "not found" in Chromium's resolver: no DNS query, no connection.
const UNREACHABLE_HOSTS: &[&str] = &[
    "signin.aws.amazon.com",
    "*.signin.aws.amazon.com",
    "signin.amazonaws.cn",
    "signin.amazonaws-us-gov.com",
    "update.googleapis.com",
    "clients2.google.com",
];

/// With `okta-browser` also Google's account check (ListAccounts); `browser` leaves it reachable,
/// since that provider may be logging in at Google as the IdP.
const UNREACHABLE_FOR_OKTA: &[&str] = &["accounts.google.com"];

/// The `--host-resolver-rules` value for `mode`.
pub fn host_resolver_rules(mode: Mode) -> String {
    let extra = match mode {
        Mode::Okta => UNREACHABLE_FOR_OKTA,
        Mode::Manual => &[],
    };
    UNREACHABLE_HOSTS
        .iter()
        .chain(extra)
        .map(|h| format!("MAP {h} ~NOTFOUND"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which browser login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fill Okta's sign-in page.
    Okta,
    /// Let the user log in, in a visible window.
    Manual,
}

/// The browser provider.
#[derive(Debug)]
pub struct BrowserIdp {
    pub mode: Mode,
    pub executable: PathBuf,
    /// Show the window (`--debug`, or always for `browser`).
    pub headed: bool,
    /// Keep a screenshot and the HTML of a failing page.
    pub debug: bool,
    /// The longest wait for one step of the page.
    pub step_timeout: Duration,
    pub reporter: Reporter,
    /// Where Chromium and its profile are registered, so Ctrl-C removes them too.
    pub cleanup: Cleanup,
    /// The IdP's cookies when this run's login reached AWS (a session to keep).
    pub session: std::sync::Mutex<Option<Secret<String>>>,
    /// The username the user typed at the prompt.
    pub prompted_username: super::PromptedUsername,
    /// Tests only (debug builds): a key file whose credential Chromium's virtual authenticator
    /// holds (`webauthn::test_virtual_authenticator`).
    pub virtual_authenticator: Option<std::path::PathBuf>,
}

/// What the page shows, as the waiting script reports it.
#[derive(Debug, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
enum State {
    /// Chromium's own error page: a later navigation failed (certificate, DNS, refused).
    NetError {
        text: String,
    },
    Error {
        text: String,
    },
    Denied {
        text: String,
    },
    Number {
        text: String,
    },
    /// The Identity Engine widget's list of authenticators to verify with.
    Authenticators {
        options: Vec<AuthenticatorButton>,
    },
    /// Okta asks how to send a code (a phone: SMS, or a call by the link beside it).
    Send,
    Code,
    Username {
        with_password: bool,
    },
    Password,
    Push,
    /// A security key or passkey is asked for (the widget called WebAuthn).
    Webauthn,
    /// Duo's prompt (behind Okta): the user's devices, and what Duo prefers.
    Duo {
        devices: Vec<crate::idp::duo::Device>,
        preferred_device: String,
        preferred_factor: String,
    },
    Timeout {
        title: String,
        url: String,
    },
}

/// Resolves with the first page state worth acting on; Okta's classic and Identity Engine widgets'
/// selectors both. Args: timeout (ms), whether the number was shown, whether the push was sent,
/// whether the security-key step was seen already.
const WAIT_JS: &str = r#"(timeoutMs, numberShown, pushSent, webauthnSeen) => new Promise((resolve) => {
  const visible = (e) => !!(e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length));
  const find = (sels) => { for (const s of sels) for (const e of document.querySelectorAll(s)) if (visible(e)) return e; return null; };
  const empty = (sels) => { const e = find(sels); return e && !e.value ? e : null; };
  const ERRORS = ['.o-form-error-container [role=alert]', '.okta-form-infobox-error', '.o-form-input-error', '.o-form-has-errors .o-form-explain', '#signin-error', '.error-text', '.messages-list .message.error'];
  const NUMBER = ['.number-challenge .phone--number', '[data-se=number-challenge]', '.number-challenge-view .phone--number'];
  const CODE = ['input[name=answer]', 'input[name="credentials.passcode"][autocomplete=one-time-code]', 'input[autocomplete=one-time-code]', '#input-answer'];
  const USER = ['#okta-signin-username', 'input[name=identifier]', 'input[name=username]'];
  const PASS = ['#okta-signin-password', 'input[name="credentials.passcode"]', 'input[type=password]'];
  const PUSH = ['[data-se=push-send]', 'input[value="Send Push"]', '.send-push', 'a[data-se=okta_verify-push] .button'];
  const SEND = ['input[value="Receive a code via SMS"]', 'input[value="Send me an email"]'];
  const check = () => {
    if (location.protocol === 'chrome-error:') {
      const t = ((document.body && document.body.innerText) || '').match(/(?:NET::|net::)?ERR_[A-Z_]+/);
      return {state: 'neterror', text: t ? t[0] : 'a network error'};
    }
    const DENIED = /not allowed to access|not assigned to|App Access Locked|permission to perform/i;
    if (!webauthnSeen && find(['[data-se=webauthn-waiting]', '.retry-webauthn'])) return {state: 'webauthn'};
    const err = find(ERRORS);
    if (err && err.innerText.trim()) return {state: DENIED.test(err.innerText) ? 'denied' : 'error', text: err.innerText.trim()};
    const body = (document.body && document.body.innerText) || '';
    if (DENIED.test(body)) return {state: 'denied', text: body.trim().slice(0, 200)};
    const duo = document.querySelector('form#login-form select[name=device]');
    if (duo && !pushSent) {
      const f = duo.form;
      const hidden = (n) => { const i = f.querySelector('input[name=' + n + ']'); return i ? i.value : ''; };
      return {state: 'duo', preferred_device: hidden('preferred_device'), preferred_factor: hidden('preferred_factor'),
        devices: [...duo.options].map((o) => {
          const set = f.querySelector('fieldset[data-device-index="' + CSS.escape(o.value) + '"]');
          return {key: o.value, name: o.innerText.trim(), factors: set ? [...set.querySelectorAll('input[name=factor]')].map((i) => i.value) : []};
        })};
    }
    const num = find(NUMBER);
    if (num && !numberShown && num.innerText.trim()) return {state: 'number', text: num.innerText.trim()};
    const buttons = [...document.querySelectorAll('.authenticator-list .authenticator-button[data-se]')].filter(visible);
    if (buttons.length) return {state: 'authenticators', options: buttons.map((b) => {
      const row = b.closest('.authenticator-row');
      const l = row && row.querySelector('.authenticator-label');
      return {se: b.dataset.se, label: ((l && l.innerText) || b.dataset.se).trim()};
    })};
    if (empty(CODE)) return {state: 'code'};
    if (empty(USER)) return {state: 'username', with_password: !!empty(PASS)};
    if (empty(PASS)) return {state: 'password'};
    if (!pushSent && find(PUSH)) return {state: 'push'};
    if (find(SEND)) return {state: 'send'};
    return null;
  };
  const now = check();
  if (now) return resolve(now);
  const obs = new MutationObserver(() => { const r = check(); if (r) { obs.disconnect(); clearTimeout(t); resolve(r); } });
  obs.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const t = setTimeout(() => { obs.disconnect(); resolve({state: 'timeout', title: document.title, url: location.origin + location.pathname}); }, timeoutMs);
})"#;

/// Types `value` into the first visible field matching `sels` (as input events, so frameworks see it).
const FILL_JS: &str = r#"(sels, value) => {
  const visible = (e) => !!(e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length));
  for (const s of sels) for (const e of document.querySelectorAll(s)) if (visible(e) && !e.value) {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, value);
    e.dispatchEvent(new Event('input', {bubbles: true}));
    e.dispatchEvent(new Event('change', {bubbles: true}));
    return true;
  }
  return false;
}"#;

/// Submits the form of the first visible field matching `sels`, or clicks the element itself.
const SUBMIT_JS: &str = r#"(sels) => {
  const visible = (e) => !!(e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length));
  for (const s of sels) for (const e of document.querySelectorAll(s)) if (visible(e)) {
    const f = e.form;
    if (!f) { e.click(); return true; }
    const b = f.querySelector('[type=submit], button:not([type])');
    if (b) b.click(); else f.requestSubmit();
    return true;
  }
  return false;
}"#;

/// Starts a factor at Duo's prompt: in the chosen device's row, types the passcode (if any) and
/// clicks the factor's button. Args: device key, the factor's row class, the passcode or null.
const DUO_JS: &str = r#"(device, row, passcode) => {
  const set = document.querySelector('form#login-form fieldset[data-device-index="' + CSS.escape(device) + '"]');
  const r = set && set.querySelector('.' + row);
  if (!r) return false;
  if (passcode !== null) {
    const i = r.querySelector('input[name=passcode]');
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, passcode);
    i.dispatchEvent(new Event('input', {bubbles: true}));
  }
  r.querySelector('button').click();
  return true;
}"#;

/// Resolves once nothing matches the selector (or after the timeout, in ms).
const GONE_JS: &str = r#"(sel, timeoutMs) => new Promise((resolve) => {
  const start = Date.now();
  const check = () => (!document.querySelector(sel) || Date.now() - start > timeoutMs) ? resolve(true) : setTimeout(check, 25);
  check();
})"#;

/// The buttons that have Okta send a code, and the link that asks for a call instead.
const SEND: &[&str] = &[
    "input[value=\"Receive a code via SMS\"]",
    "input[value=\"Send me an email\"]",
];
const CALL: &str = "[data-se=voice-call]";

const USER: &[&str] = &[
    "#okta-signin-username",
    "input[name=identifier]",
    "input[name=username]",
];
const PASS: &[&str] = &[
    "#okta-signin-password",
    "input[name=\"credentials.passcode\"]",
    "input[type=password]",
];
const CODE: &[&str] = &[
    "input[name=answer]",
    "input[name=\"credentials.passcode\"][autocomplete=one-time-code]",
    "input[autocomplete=one-time-code]",
    "#input-answer",
];
const PUSH: &[&str] = &[
    "[data-se=push-send]",
    "input[value=\"Send Push\"]",
    ".send-push",
    "a[data-se=okta_verify-push] .button",
];

/// One button of the Identity Engine widget's authenticator list: its `data-se` (the
/// authenticator key, with the method for Okta Verify: `okta_verify-push`) and its label.
#[derive(Debug, Clone, Deserialize)]
struct AuthenticatorButton {
    se: String,
    label: String,
}

impl crate::idp::mfa_choice::Offer for AuthenticatorButton {
    fn kind(&self) -> Option<MfaKind> {
        match self.se.as_str() {
            "google_otp" | "rsa_token" | "symantec_vip" | "yubikey_token" => Some(MfaKind::Totp),
            s if s.ends_with("-totp") => Some(MfaKind::Totp),
            s if s.ends_with("-push") => Some(MfaKind::Push),
            "phone_number" => Some(MfaKind::Sms),
            "okta_email" => Some(MfaKind::Email),
            "external_idp" if self.label.to_lowercase().contains("duo") => Some(MfaKind::DuoPush),
            "webauthn" => Some(MfaKind::SecurityKey),
            _ => None,
        }
    }

    fn label(&self) -> String {
        self.label.clone()
    }

    fn answers(&self, kind: MfaKind) -> bool {
        if self.kind() == Some(MfaKind::DuoPush) {
            crate::idp::mfa_choice::is_duo_kind(kind)
        } else {
            self.kind() == Some(kind)
        }
    }
}

/// The longest Chromium may take to start and open its DevTools endpoint.
const START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn browser_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Protocol {
        url: "the browser".into(),
        message: format!("{what}: {e}"),
    }
}

/// Look for Chromium: `--browser`, else well-known names on PATH, else the macOS app bundles.
pub fn find_chromium(flag: Option<&Path>, path_var: Option<&str>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(Error::Usage(format!(
                "--browser {}: no such file",
                p.display()
            )))
        };
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome-stable",
        "google-chrome",
        "chrome",
    ];
    for dir in std::env::split_paths(path_var.unwrap_or("")) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    for p in [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ] {
        if Path::new(p).is_file() {
            return Ok(PathBuf::from(p));
        }
    }
    Err(Error::Usage(
        "no Chromium or Chrome found on PATH: install one (Debian/Ubuntu: apt install chromium; macOS: brew install --cask chromium) or pass --browser PATH (AWS_TOKEN_BROWSER)".into(),
    ))
}

#[async_trait]
impl IdentityProvider for BrowserIdp {
    async fn saml_response(
        &self,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse> {
        let profile = tempfile::Builder::new()
            .prefix("aws-token-chromium-")
            .tempdir()
            .map_err(|e| {
                Error::file(std::env::temp_dir(), "cannot create a browser profile", &e)
            })?;
        // The profile holds the IdP's session cookies: it must not outlive the login.
        let _profile_on_interrupt = self.cleanup.dir(profile.path().to_path_buf());
        let mut config = BrowserConfig::builder()
            .chrome_executable(&self.executable)
            .user_data_dir(profile.path())
            // Chromium's own start has a bound of its own: a loaded machine may take seconds to
            // start it, and --browser-timeout (a page step's bound) must not cut that short.
            .launch_timeout(START_TIMEOUT)
            .request_timeout(self.step_timeout)
            // chromiumoxide's default tells every tab to ignore certificate errors: the page where
            // the password is typed must be the IdP's, so Chromium checks certificates as usual.
            .respect_https_errors()
            .args(QUIET_SWITCHES.iter().copied())
            .arg(("disable-features", DISABLED_FEATURES))
            .arg((
                "host-resolver-rules",
                host_resolver_rules(self.mode).as_str(),
            ));
        config = if self.headed {
            config.with_head()
        } else {
            config.new_headless_mode()
        };
        if rustix::process::geteuid().is_root() {
            // Chromium's sandbox refuses to run as root (CI, containers).
            config = config.no_sandbox();
        }
        let config = config
            .build()
            .map_err(|e| browser_err("cannot configure Chromium", e))?;
        let spinner = self.reporter.spinner("Starting Chromium");
        let (mut browser, mut handler) = Browser::launch(config).await.map_err(|e| {
            browser_err(
                &format!(
                    "cannot start {} (Chromium's start is given {} s of its own, apart from --browser-timeout)",
                    self.executable.display(),
                    START_TIMEOUT.as_secs()
                ),
                e,
            )
        })?;
        let pid = browser.get_mut_child().and_then(|c| c.as_mut_inner().id());
        let _chromium_on_interrupt = pid.map(|pid| self.cleanup.process(pid));
        let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
        drop(spinner);
        let result = self.drive(&browser, login, prompter).await;
        match pid {
            // The profile is thrown away, so a graceful close (~100 ms of Chromium saving it) buys
            // nothing: stop Chromium and its helpers at once; tokio reaps it.
            Some(pid) => crate::process_tree::kill(pid),
            None => {
                let _ = browser.close().await;
            }
        }
        let _ = browser.wait().await;
        events.abort();
        drop(profile);
        result
    }

    /// The IdP's cookies Chromium held when the login reached AWS.
    fn session(&self, _login: &LoginRequest) -> Option<Secret<String>> {
        self.session.lock().ok()?.clone()
    }

    fn signed_in_as(&self) -> Option<String> {
        self.prompted_username.get()
    }
}

impl BrowserIdp {
    async fn drive(
        &self,
        browser: &Browser,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<SamlResponse> {
        let page = browser
            .new_page("about:blank")
            .await
            .map_err(|e| browser_err("cannot open a page", e))?;
        // The AWS sign-in post is captured; plain http is watched too, so that no page sends the
        // password or the session over it to a host that is not loopback.
        let patterns: Vec<RequestPattern> = crate::saml::AWS_SIGN_IN_PATTERNS
            .iter()
            .chain(&["http://*"])
            .map(|p| {
                RequestPattern::builder()
                    .url_pattern(*p)
                    .request_stage(RequestStage::Request)
                    .build()
            })
            .collect();
        page.execute(fetch::EnableParams::builder().patterns(patterns).build())
            .await
            .map_err(|e| browser_err("cannot watch for the AWS sign-in request", e))?;
        #[cfg(debug_assertions)]
        if let Some(key) = &self.virtual_authenticator {
            add_virtual_authenticator(&page, key).await?;
        }
        let org = crate::idp::org_of(&login.url);
        if let Some(kept) = &login.kept_session {
            self.reporter
                .verbose("opening the IdP with the kept session's cookies");
            let cookies: Vec<CookieParam> = crate::session::cookie_pairs(kept.expose())
                .filter_map(|(name, value)| {
                    CookieParam::builder()
                        .name(name)
                        .value(value)
                        .url(org.as_str())
                        .build()
                        .ok()
                })
                .collect();
            page.execute(SetCookiesParams::new(cookies))
                .await
                .map_err(|e| browser_err("cannot give Chromium the kept session", e))?;
        }
        let mut paused = page
            .event_listener::<EventRequestPaused>()
            .await
            .map_err(|e| browser_err("cannot watch for the AWS sign-in request", e))?;
        // The navigation runs beside the capture: a page that posts to AWS at once (a session that
        // is still valid) is paused by Fetch before Page.navigate answers, and only the capture
        // answers that request.
        // Said before the page opens: a window with a live session posts to AWS at once, and
        // the capture may end the login before the navigation answers.
        if self.mode == Mode::Manual {
            self.reporter.info(&format!(
                "Finish the login in the browser window (waiting up to {} s)",
                login.mfa_timeout.as_secs()
            ));
        }
        let steps = async {
            let opened = page
                .execute(NavigateParams::new(login.url.as_str()))
                .await
                .map_err(|e| browser_err(&format!("cannot open {}", display_url(&login.url)), e))?;
            // ERR_ABORTED: the page moved on before it committed (to the AWS post, say).
            if let Some(error) = opened
                .result
                .error_text
                .as_deref()
                .filter(|e| *e != "net::ERR_ABORTED")
            {
                return Err(navigation_failed(&login.url, error));
            }
            match self.mode {
                Mode::Okta => self.fill_okta(&page, login, prompter).await,
                Mode::Manual => {
                    tokio::time::sleep(login.mfa_timeout).await;
                    Err(Error::Authentication {
                        url: display_url(&login.url),
                        message: format!(
                            "the login was not finished in the browser within {} s (--mfa-timeout)",
                            login.mfa_timeout.as_secs()
                        ),
                    })
                }
            }
        };
        let captured = async {
            while let Some(ev) = paused.next().await {
                if let Ok(url) = url::Url::parse(&ev.request.url)
                    && url.scheme() == "http"
                {
                    if crate::config::is_loopback(&url) {
                        let _ = page
                            .execute(fetch::ContinueRequestParams::new(ev.request_id.clone()))
                            .await;
                        continue;
                    }
                    let _ = page
                        .execute(fetch::FailRequestParams::new(
                            ev.request_id.clone(),
                            chromiumoxide::cdp::browser_protocol::network::ErrorReason::BlockedByClient,
                        ))
                        .await;
                    let from = page
                        .url()
                        .await
                        .ok()
                        .flatten()
                        .and_then(|u| url::Url::parse(&u).ok());
                    crate::idp::http::refuse_plain_http(&url, from.as_ref())?;
                }
                if let Some(saml) = saml_from_post(&ev) {
                    let body = "<!DOCTYPE html><title>aws-token</title><p>aws-token has the sign-in. You can close this window.</p>";
                    let done = FulfillRequestParams::builder()
                        .request_id(ev.request_id.clone())
                        .response_code(200)
                        .body(base64::engine::general_purpose::STANDARD.encode(body))
                        .build()
                        .map_err(|e| browser_err("cannot answer the AWS sign-in request", e))?;
                    let _ = page.execute(done).await;
                    return Ok(saml);
                }
                let _ = page
                    .execute(fetch::FailRequestParams::new(
                        ev.request_id.clone(),
                        chromiumoxide::cdp::browser_protocol::network::ErrorReason::BlockedByClient,
                    ))
                    .await;
            }
            Err(browser_err(
                "Chromium closed",
                "the page went away before the sign-in reached AWS",
            ))
        };
        let result = tokio::select! {
            r = captured => r,
            r = steps => r.and_then(|()| Err(Error::Internal("the page flow ended without a result".into()))),
        };
        if result.is_ok() {
            self.keep_session(&page, &org).await;
        }
        match result {
            Err(e) if self.debug => Err(self.keep_evidence(&page, e).await),
            other => other,
        }
    }

    /// Read the IdP's cookies (its session) from Chromium once the login reached AWS.
    async fn keep_session(&self, page: &Page, org: &url::Url) {
        let asked = GetCookiesParams::builder()
            .urls(vec![org.to_string()])
            .build();
        let Ok(answer) = page.execute(asked).await else {
            return;
        };
        let header = answer
            .result
            .cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        if !header.is_empty()
            && let Ok(mut kept) = self.session.lock()
        {
            *kept = Some(Secret::new(header));
        }
    }

    /// Fill Okta's widget until the SAML post is captured (which ends this future from outside).
    async fn fill_okta(
        &self,
        page: &Page,
        login: &LoginRequest,
        prompter: &dyn Prompter,
    ) -> Result<()> {
        let mut number_shown = false;
        let mut push_sent = false;
        let mut typed_username = false;
        let mut typed_password = false;
        let mut typed_code = false;
        let mut chosen = 0;
        let mut sent = 0;
        let mut webauthn_seen = false;
        loop {
            let timeout = if push_sent || webauthn_seen {
                login.mfa_timeout
            } else {
                self.step_timeout
            };
            let state = self
                .wait(page, timeout, number_shown, push_sent, webauthn_seen)
                .await?;
            self.reporter
                .verbose(&format!("page state: {}", state_name(&state)));
            match state {
                State::NetError { text } => {
                    let failed = unreachable_url(page)
                        .await
                        .unwrap_or_else(|| login.url.clone());
                    return Err(navigation_failed(&failed, &text.replace("NET::", "net::")));
                }
                State::Error { text } => {
                    let url = display_url(&login.url);
                    let message = format!("the sign-in page says: {text}");
                    // Right after the password, before any code: the password was refused.
                    return Err(
                        if typed_password && !typed_code && !push_sent && chosen == 0 {
                            Error::WrongPassword { url, message }
                        } else {
                            Error::Authentication { url, message }
                        },
                    );
                }
                State::Denied { text } => {
                    return Err(Error::NotAuthorized {
                        message: format!(
                            "{}: {}",
                            display_url(&login.url),
                            text.lines().next().unwrap_or("access denied")
                        ),
                    });
                }
                State::Number { text } => {
                    self.reporter
                        .attention(&format!("Okta Verify: tap {text} on your phone"));
                    number_shown = true;
                }
                // Headless Chromium has no way to reach a security key (no window for its
                // prompt): say so at once instead of waiting out the page's timeout.
                State::Webauthn if !self.headed && self.virtual_authenticator.is_none() => {
                    return Err(Error::NotAuthorized {
                        message: format!(
                            "{}: a security key needs the browser window: provider \"browser\" in config.json (or \"okta\", which asks a USB security key from the terminal)",
                            display_url(&login.url)
                        ),
                    });
                }
                State::Webauthn => {
                    self.reporter.attention("Touch your security key");
                    webauthn_seen = true;
                }
                State::Authenticators { options } => {
                    chosen += 1;
                    if chosen > 2 {
                        return Err(self.rejected(login, "authenticator choice"));
                    }
                    let org = display_url(&login.url);
                    let pick = crate::idp::mfa_choice::choose(
                        &org,
                        login,
                        prompter,
                        &options,
                        "only a security key, biometric or Okta FastPass on this device can answer; use provider \"browser\" (a window you sign in yourself) in config.json",
                    )?;
                    self.reporter
                        .verbose(&format!("MFA with {} ({})", pick.label, pick.se));
                    let selector = format!(
                        ".authenticator-button[data-se={}] [data-se=button]",
                        json(&pick.se)
                    );
                    self.submit(page, &[selector.as_str()]).await?;
                    self.wait_gone(page, &selector).await;
                    if crate::idp::mfa_choice::Offer::kind(&pick) == Some(MfaKind::Push) {
                        self.reporter
                            .info("Okta Verify push sent: approve it on your phone");
                        push_sent = true;
                    }
                }
                State::Username { with_password } => {
                    if typed_username && !with_password {
                        return Err(self.rejected(login, "username"));
                    }
                    if !typed_username && login.kept_session.is_some() {
                        self.reporter
                            .info("The kept IdP session has ended; signing in again");
                    }
                    let username = match &login.username {
                        Some(u) => u.clone(),
                        None => {
                            let u = prompter.input(
                                "Okta username",
                                "--username or AWS_TOKEN_USERNAME",
                                login.suggested_username.as_deref(),
                            )?;
                            self.prompted_username.typed(&u);
                            u
                        }
                    };
                    self.fill(page, USER, &username).await?;
                    if with_password {
                        let password = password(login, prompter)?;
                        self.fill(page, PASS, password.expose()).await?;
                        typed_password = true;
                    }
                    typed_username = true;
                    self.submit(page, USER).await?;
                }
                State::Password => {
                    if typed_password {
                        return Err(Error::WrongPassword {
                            url: display_url(&login.url),
                            message:
                                "the sign-in page asked for the password again: it was not accepted"
                                    .into(),
                        });
                    }
                    let password = password(login, prompter)?;
                    self.fill(page, PASS, password.expose()).await?;
                    typed_password = true;
                    self.submit(page, PASS).await?;
                }
                State::Code => {
                    if typed_code {
                        return Err(self.rejected(login, "code"));
                    }
                    let code = match &login.otp {
                        Some(c) => c.clone(),
                        None => {
                            prompter.code("Okta code (MFA)", "--otp CODE or AWS_TOKEN_OTP", true)?
                        }
                    };
                    self.fill(page, CODE, code.expose().trim()).await?;
                    typed_code = true;
                    self.submit(page, CODE).await?;
                }
                State::Send => {
                    sent += 1;
                    if sent > 2 {
                        return Err(self.rejected(login, "request to send a code"));
                    }
                    let (what, selectors) = if login.mfa == Some(MfaKind::Call) {
                        ("a phone call", vec![CALL])
                    } else {
                        ("a code", SEND.to_vec())
                    };
                    self.reporter.info(&format!("Okta is sending {what}"));
                    self.submit(page, &selectors).await?;
                    for s in &selectors {
                        self.wait_gone(page, s).await;
                    }
                }
                State::Push => {
                    self.reporter
                        .info("Okta Verify push sent: approve it on your phone");
                    self.submit(page, PUSH).await?;
                    push_sent = true;
                }
                State::Duo {
                    devices,
                    preferred_device,
                    preferred_factor,
                } => {
                    let ask = crate::idp::duo::Ask::of(login);
                    let device = crate::idp::duo::choose_device(
                        &devices,
                        &preferred_device,
                        &ask,
                        prompter,
                    )?;
                    let method = crate::idp::duo::choose_method(&ask, &preferred_factor);
                    let (row, passcode) = match method {
                        crate::idp::duo::Method::Push => ("push-label", None),
                        crate::idp::duo::Method::Call => ("phone-label", None),
                        crate::idp::duo::Method::Passcode => (
                            "passcode-label",
                            Some(match &login.otp {
                                Some(c) => c.clone(),
                                None => prompter.code(
                                    "Duo passcode (Duo Mobile or a hardware token)",
                                    "--otp CODE or AWS_TOKEN_OTP",
                                    true,
                                )?,
                            }),
                        ),
                    };
                    let expr = format!(
                        "({DUO_JS})({}, {}, {})",
                        json(&device.key),
                        json(row),
                        passcode
                            .as_ref()
                            .map_or_else(|| "null".to_owned(), |p| json(p.expose().trim()))
                    );
                    if !self.eval::<bool>(page, &expr).await? {
                        return Err(Error::Usage(format!(
                            "Duo offers {} no {}",
                            device.name,
                            method.name()
                        )));
                    }
                    match method {
                        crate::idp::duo::Method::Push => self.reporter.info(&format!(
                            "Duo Push sent to {}: approve it on the device",
                            device.name
                        )),
                        crate::idp::duo::Method::Call => self.reporter.info(&format!(
                            "Duo is calling {}: answer and follow the call",
                            device.name
                        )),
                        crate::idp::duo::Method::Passcode => {}
                    }
                    // Waits as for a push: Duo's answer, then its exit back to Okta.
                    push_sent = true;
                }
                State::Timeout { title, url } => {
                    // Exit 4, as the form provider's page with no form and no SAMLResponse.
                    return Err(Error::NotAuthorized {
                        message: format!(
                            "{url}: the page (\"{title}\") showed no sign-in field, MFA prompt or error that aws-token knows, and did not post a SAMLResponse to AWS within {} s (--browser-timeout){}",
                            timeout.as_secs(),
                            if self.debug {
                                ""
                            } else {
                                "; run with --debug to see it"
                            }
                        ),
                    });
                }
            }
        }
    }

    fn rejected(&self, login: &LoginRequest, what: &str) -> Error {
        Error::Authentication {
            url: display_url(&login.url),
            message: format!("the sign-in page asked for the {what} again: it was not accepted"),
        }
    }

    /// Evaluate the waiting script; while the page navigates (its context goes away), try again.
    async fn wait(
        &self,
        page: &Page,
        timeout: Duration,
        number_shown: bool,
        push_sent: bool,
        webauthn_seen: bool,
    ) -> Result<State> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let expr = format!(
                "({WAIT_JS})({}, {number_shown}, {push_sent}, {webauthn_seen})",
                left.as_millis()
            );
            match self.eval::<State>(page, &expr).await {
                Ok(s) => return Ok(s),
                Err(_) if Instant::now() < deadline => {
                    // A navigation is replacing the document: wait for the next one to exist.
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn fill(&self, page: &Page, selectors: &[&str], value: &str) -> Result<()> {
        let expr = format!("({FILL_JS})({}, {})", json(selectors), json(&value));
        let ok: bool = self.eval(page, &expr).await?;
        if ok {
            Ok(())
        } else {
            Err(browser_err("the page changed while typing", "field gone"))
        }
    }

    async fn submit(&self, page: &Page, selectors: &[&str]) -> Result<()> {
        let expr = format!("({SUBMIT_JS})({})", json(selectors));
        let _: bool = self.eval(page, &expr).await?;
        Ok(())
    }

    /// Wait (at most one step's time) until nothing matches `selector`: a clicked choice stays on
    /// the page until the widget has Okta's answer, and must not be clicked twice.
    async fn wait_gone(&self, page: &Page, selector: &str) {
        let expr = format!(
            "({GONE_JS})({}, {})",
            json(selector),
            self.step_timeout.as_millis()
        );
        // A navigation that replaces the document also means it is gone.
        let _: Result<bool> = self.eval(page, &expr).await;
    }

    async fn eval<T: serde::de::DeserializeOwned>(&self, page: &Page, expr: &str) -> Result<T> {
        let params = EvaluateParams::builder()
            .expression(expr)
            .await_promise(true)
            .return_by_value(true)
            .build()
            .map_err(|e| browser_err("bad script", e))?;
        let result = page
            .evaluate_expression(params)
            .await
            .map_err(|e| browser_err("script failed", e))?;
        result
            .into_value()
            .map_err(|e| browser_err("unexpected script result", e))
    }

    /// With `--debug`: save a screenshot and the HTML of the page and name them in the error.
    async fn keep_evidence(&self, page: &Page, err: Error) -> Error {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let dir =
            std::env::temp_dir().join(format!("aws-token-debug-{stamp}-{}", std::process::id()));
        if std::fs::create_dir_all(&dir).is_err() {
            return err;
        }
        let png = dir.join("page.png");
        let html = dir.join("page.html");
        let shot = page
            .screenshot(ScreenshotParams::builder().full_page(true).build())
            .await;
        let content = page.content().await;
        let saved_png = shot.is_ok_and(|b| std::fs::write(&png, b).is_ok());
        let saved_html = content.is_ok_and(|c| std::fs::write(&html, c).is_ok());
        if saved_png || saved_html {
            self.reporter.attention(&format!(
                "debug: the failing page is saved as {} and {}",
                png.display(),
                html.display()
            ));
        }
        err
    }
}

/// The URL Chromium's error page stands for (the page that could not be loaded).
async fn unreachable_url(page: &Page) -> Option<url::Url> {
    let tree = page
        .execute(chromiumoxide::cdp::browser_protocol::page::GetFrameTreeParams::default())
        .await
        .ok()?;
    let raw = tree.result.frame_tree.frame.unreachable_url.as_deref()?;
    url::Url::parse(raw).ok()
}

/// Chromium could not load `url` (`error` is its net error, e.g. `net::ERR_CERT_AUTHORITY_INVALID`).
fn navigation_failed(url: &url::Url, error: &str) -> Error {
    let host = url.host_str().unwrap_or("the IdP");
    let message = if error.starts_with("net::ERR_CERT_") || error.contains("SSL") {
        format!(
            "Chromium refused the certificate of {host} ({error}); if your network uses its own CA, add it to Chromium's trust store (Linux: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n my-ca -i ca.pem)"
        )
    } else {
        format!("Chromium could not load the page ({error})")
    };
    Error::Network {
        url: display_url(url),
        message,
    }
}

fn password(login: &LoginRequest, prompter: &dyn Prompter) -> Result<Secret<String>> {
    match &login.password {
        Some(p) => Ok(p.clone()),
        None => prompter.secret("Okta password", "--password or AWS_TOKEN_PASSWORD"),
    }
}

/// Tests only (debug builds): Chromium's virtual authenticator (CDP WebAuthn domain), present
/// and verified at once, holding the credential of the test key file `key`.
#[cfg(debug_assertions)]
async fn add_virtual_authenticator(page: &Page, key: &std::path::Path) -> Result<()> {
    use base64::Engine;
    use chromiumoxide::cdp::browser_protocol::web_authn;
    let failed = |e: &dyn std::fmt::Display| browser_err("cannot add the test authenticator", e);
    let file = crate::authenticator::key_file::KeyFile::read(key)?;
    // CDP takes the credential id in standard base64.
    let id = file.credential_id(key)?;
    page.execute(web_authn::EnableParams::default())
        .await
        .map_err(|e| failed(&e))?;
    let options = web_authn::VirtualAuthenticatorOptions::builder()
        .protocol(web_authn::AuthenticatorProtocol::Ctap2)
        .transport(web_authn::AuthenticatorTransport::Usb)
        .has_user_verification(true)
        .is_user_verified(true)
        .automatic_presence_simulation(true)
        .build()
        .map_err(|e| failed(&e))?;
    let added = page
        .execute(web_authn::AddVirtualAuthenticatorParams::new(options))
        .await
        .map_err(|e| failed(&e))?;
    let credential = web_authn::Credential::builder()
        .credential_id(base64::engine::general_purpose::STANDARD.encode(id))
        .is_resident_credential(false)
        .rp_id(file.rp_id)
        .private_key(file.private_key)
        .sign_count(i64::from(file.sign_count))
        .build()
        .map_err(|e| failed(&e))?;
    page.execute(web_authn::AddCredentialParams::new(
        added.result.authenticator_id.clone(),
        credential,
    ))
    .await
    .map_err(|e| failed(&e))?;
    Ok(())
}

fn state_name(s: &State) -> &'static str {
    match s {
        State::NetError { .. } => "network error",
        State::Error { .. } => "error",
        State::Denied { .. } => "denied",
        State::Number { .. } => "number challenge",
        State::Authenticators { .. } => "authenticator list",
        State::Send => "send a code",
        State::Code => "code",
        State::Username { .. } => "username",
        State::Password => "password",
        State::Push => "push",
        State::Webauthn => "security key",
        State::Duo { .. } => "duo prompt",
        State::Timeout { .. } => "timeout",
    }
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The SAMLResponse in an intercepted form POST to AWS.
fn saml_from_post(ev: &EventRequestPaused) -> Option<SamlResponse> {
    let entries = ev.request.post_data_entries.as_ref()?;
    let mut body = Vec::new();
    for entry in entries {
        let b64: &str = entry.bytes.as_ref()?.as_ref();
        body.extend(base64::engine::general_purpose::STANDARD.decode(b64).ok()?);
    }
    url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "SAMLResponse")
        .map(|(_, v)| SamlResponse(Secret::new(v.into_owned())))
}
