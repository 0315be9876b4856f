//! Duo behind Okta, in the terminal: the Universal Prompt (shared/duo-protocol.md). From Okta's
//! redirect link, every next URL comes from Duo's own pages: the frameless page's `plugin_form` is
//! posted back, the prompt's `login-form` gives the devices, their factors and the `_xsrf` token;
//! the chosen factor (Duo Push, Phone Call, Passcode) is started with a POST to the form's action,
//! `/frame/v4/status` is polled until Duo allows or refuses, and `/frame/v4/oidc/exit` sends the
//! browser back to Okta, whose callback opens the Okta session (its cookie lands in the jar). A
//! passcode is sent once, to Duo's origin only.

use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::idp::http::{Http, Resend, display_url};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::secret::Secret;
use scraper::{Html, Selector};
use serde::Deserialize;
use std::time::Duration;

/// How often Duo's status is asked while a push or call waits.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// What the user asked of Duo.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    /// `--mfa`: duo-push / duo-passcode / duo-call (or push / totp / call).
    pub mfa: Option<MfaKind>,
    /// `--otp`: a passcode.
    pub otp: Option<&'a Secret<String>>,
    /// `--duo-device`: a device's key or (part of) its name.
    pub device: Option<&'a str>,
    /// How long a push or call may wait.
    pub timeout: Duration,
}

impl<'a> Ask<'a> {
    /// What `login` asks of Duo.
    pub fn of(login: &'a crate::idp::LoginRequest) -> Ask<'a> {
        Ask {
            mfa: login.mfa,
            otp: login.otp.as_ref(),
            device: login.duo_device.as_deref(),
            timeout: login.mfa_timeout,
        }
    }
}

/// The factors of Duo's prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Push,
    Call,
    Passcode,
}

impl Method {
    /// The prompt's name of it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Push => "Duo Push",
            Method::Call => "Phone Call",
            Method::Passcode => "Passcode",
        }
    }

    fn from_kind(kind: MfaKind) -> Option<Method> {
        match kind {
            MfaKind::DuoPush | MfaKind::Push => Some(Method::Push),
            MfaKind::DuoCall | MfaKind::Call => Some(Method::Call),
            MfaKind::DuoPasscode | MfaKind::Totp => Some(Method::Passcode),
            _ => None,
        }
    }
}

/// One of the user's devices, as the prompt lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Device {
    pub(crate) key: String,
    pub(crate) name: String,
    /// The factors the prompt offers on it (empty: not said).
    #[serde(default)]
    pub(crate) factors: Vec<String>,
}

/// What the prompt page holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Prompt {
    action: url::Url,
    /// The form's own fields (`sid`, `_xsrf`, `ukey`, the preferred device and factor, ...).
    fields: Vec<(String, String)>,
    devices: Vec<Device>,
}

impl Prompt {
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// An answer of Duo's JSON endpoints.
#[derive(Debug, Deserialize)]
struct Answer {
    stat: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    response: Option<serde_json::Value>,
}

/// The one Duo sign-in: `start` is Okta's link that redirects to Duo; `okta` the org Duo must send
/// the browser back to. On success the Okta session is in `http`'s cookie jar.
pub async fn universal(
    http: &Http,
    reporter: &Reporter,
    prompter: &dyn Prompter,
    start: &url::Url,
    okta: &url::Url,
    ask: &Ask<'_>,
) -> Result<()> {
    let spinner = reporter.spinner("Opening Duo");
    let (page_url, html) = get_page(http, start).await?;
    let plugin = plugin_form(&html, &page_url).ok_or_else(|| unknown_page(&page_url, &html))?;
    let duo = page_url.origin();
    if plugin.0.origin() != duo {
        return Err(elsewhere(&page_url, &plugin.0));
    }
    let (prompt_url, html) = post_form(http, &plugin.0, &plugin.1, Resend::Safe).await?;
    let prompt = login_form(&html, &prompt_url).ok_or_else(|| unknown_page(&prompt_url, &html))?;
    if prompt.action.origin() != duo || prompt_url.origin() != duo {
        return Err(elsewhere(&page_url, &prompt.action));
    }
    drop(spinner);
    // A user with no device in Duo's list (a hardware token only: no preferred_device input
    // either, gimme-aws-creds #478) can answer with a passcode, and nothing else.
    let token_only = prompt.devices.is_empty();
    let method = if token_only && ask.mfa.is_none() {
        Method::Passcode
    } else {
        choose_method(ask, prompt.field("preferred_factor"))
    };
    let device = if token_only && method == Method::Passcode {
        Device {
            key: String::new(),
            name: "a hardware token".into(),
            factors: Vec::new(),
        }
    } else {
        choose_device(
            &prompt.devices,
            prompt.field("preferred_device"),
            ask,
            prompter,
        )?
    };
    if !device.factors.is_empty() && !device.factors.iter().any(|f| f == method.name()) {
        return Err(Error::Usage(format!(
            "Duo offers {} no {}; it offers {}",
            device.name,
            method.name(),
            device.factors.join(", ")
        )));
    }
    let mut fields = prompt.fields.clone();
    fields.retain(|(n, _)| !matches!(n.as_str(), "factor" | "device" | "passcode"));
    fields.push(("factor".into(), method.name().into()));
    fields.push(("device".into(), device.key.clone()));
    fields.push(("postAuthDestination".into(), "OIDC_EXIT".into()));
    let passcode = match method {
        Method::Passcode => Some(match ask.otp {
            Some(c) => Secret::new(c.expose().trim().to_owned()),
            None => prompter.code(
                "Duo passcode (Duo Mobile or a hardware token)",
                "--otp CODE or AWS_TOKEN_OTP",
                true,
            )?,
        }),
        _ => None,
    };
    let started = {
        let mut with_code = fields.clone();
        if let Some(p) = &passcode {
            with_code.push(("passcode".into(), p.expose().clone()));
        }
        // A passcode is sent once: a second try could be a second wrong attempt.
        let resend = if passcode.is_some() {
            Resend::OnlyIfNotTaken
        } else {
            Resend::Safe
        };
        json_post(http, &prompt.action, &with_code, resend).await?
    };
    if started.stat != "OK" {
        return Err(Error::NotAuthorized {
            message: format!(
                "Duo refused the sign-in: {}",
                started.message.as_deref().unwrap_or("no reason given")
            ),
        });
    }
    let txid = started
        .response
        .as_ref()
        .and_then(|r| r.get("txid"))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Error::Protocol {
            url: display_url(&prompt.action),
            message: "Duo's answer holds no txid".into(),
        })?
        .to_owned();
    let sid = prompt.field("sid").to_owned();
    let _waiting = match method {
        Method::Push => {
            reporter.info(&format!(
                "Duo Push sent to {}: approve it on the device",
                device.name
            ));
            Some(reporter.spinner("Waiting for the Duo Push to be approved"))
        }
        Method::Call => {
            reporter.info(&format!(
                "Duo is calling {}: answer and follow the call",
                device.name
            ));
            Some(reporter.spinner("Waiting for the Duo call to be answered"))
        }
        Method::Passcode => None,
    };
    let status_url = prompt_url
        .join("/frame/v4/status")
        .map_err(|e| Error::Internal(e.to_string()))?;
    wait(http, &status_url, &txid, &sid, method, ask.timeout).await?;
    let exit_url = prompt_url
        .join("/frame/v4/oidc/exit")
        .map_err(|e| Error::Internal(e.to_string()))?;
    let exit = vec![
        ("txid".to_owned(), txid),
        ("sid".to_owned(), sid),
        ("factor".to_owned(), method.name().to_owned()),
        ("_xsrf".to_owned(), prompt.field("_xsrf").to_owned()),
        ("device_key".to_owned(), String::new()),
        ("dampen_choice".to_owned(), "false".to_owned()),
    ];
    let (back, html) = post_form(http, &exit_url, &exit, Resend::Safe).await?;
    if back.origin() != okta.origin() {
        return Err(Error::Protocol {
            url: display_url(&exit_url),
            message: format!(
                "Duo's exit did not lead back to the Okta org ({}) but to {}{}",
                okta,
                display_url(&back),
                crate::idp::html_form::error_text(&html)
                    .map(|t| format!(": {t}"))
                    .unwrap_or_default()
            ),
        });
    }
    reporter.verbose("Duo approved; back at Okta with a session");
    Ok(())
}

/// Poll Duo's status until it allows (Ok) or refuses (its words, exit 3), or `timeout` passes.
async fn wait(
    http: &Http,
    url: &url::Url,
    txid: &str,
    sid: &str,
    method: Method,
    timeout: Duration,
) -> Result<()> {
    let clock = http.clock();
    let deadline = clock.now() + timeout;
    let fields = vec![
        ("txid".to_owned(), txid.to_owned()),
        ("sid".to_owned(), sid.to_owned()),
    ];
    let duo = url.origin().ascii_serialization();
    let refused = |message: String| Error::Authentication {
        url: duo.clone(),
        message,
    };
    loop {
        let answer = json_post(http, url, &fields, Resend::Safe).await?;
        if answer.stat != "OK" {
            return Err(refused(format!(
                "Duo: {}",
                answer
                    .message
                    .as_deref()
                    .unwrap_or("the status check failed")
            )));
        }
        let r = answer.response.unwrap_or_default();
        let text = |k: &str| r.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
        // Duo's own words: its status line, and the reason when the line does not say it.
        let (status, reason) = (text("status"), text("reason"));
        let words = if status.is_empty() || status.contains(reason) {
            if status.is_empty() { reason } else { status }.to_owned()
        } else {
            format!("{status} {reason}")
        };
        match text("status_code") {
            "allow" => return Ok(()),
            "deny" if method == Method::Passcode => {
                return Err(refused(format!(
                    "Duo did not accept the passcode ({words}); it was sent once: run aws-token again with a new one"
                )));
            }
            "deny" => {
                return Err(refused(format!(
                    "the Duo {} was denied ({words})",
                    if method == Method::Call {
                        "call"
                    } else {
                        "push"
                    }
                )));
            }
            "timeout" => {
                return Err(refused(format!(
                    "the Duo {} was not answered in time ({words}); run aws-token again",
                    if method == Method::Call {
                        "call"
                    } else {
                        "push"
                    }
                )));
            }
            "fraud" => {
                return Err(refused(format!(
                    "Duo: the request was reported as fraud ({words})"
                )));
            }
            _ => {}
        }
        if clock.now() >= deadline {
            return Err(refused(format!(
                "the Duo {} was not answered within {} s (--mfa-timeout)",
                method.name(),
                timeout.as_secs()
            )));
        }
        clock.sleep(POLL_INTERVAL).await;
    }
}

/// The factor to use: the one `--mfa` names, a passcode for `--otp`, else the one Duo prefers
/// (a push when it says none).
pub(crate) fn choose_method(ask: &Ask<'_>, preferred_factor: &str) -> Method {
    match ask.mfa.and_then(Method::from_kind) {
        Some(m) => m,
        None if ask.otp.is_some() => Method::Passcode,
        None => match preferred_factor {
            "Phone Call" => Method::Call,
            "Passcode" => Method::Passcode,
            _ => Method::Push,
        },
    }
}

/// The device to use: `--duo-device`, the one Duo prefers, the only one, or the user's pick.
pub(crate) fn choose_device(
    devices: &[Device],
    preferred: &str,
    ask: &Ask<'_>,
    prompter: &dyn Prompter,
) -> Result<Device> {
    let names = || {
        devices
            .iter()
            .map(|d| format!("{} ({})", d.name, d.key))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if devices.is_empty() {
        return Err(Error::NotAuthorized {
            message: "Duo lists no device for this account; enrol one in Duo first".into(),
        });
    }
    if let Some(wanted) = ask.device {
        let w = wanted.to_lowercase();
        return devices
            .iter()
            .find(|d| d.key == wanted)
            .or_else(|| devices.iter().find(|d| d.name.to_lowercase().contains(&w)))
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--duo-device {wanted}: Duo has no such device; it has {}",
                    names()
                ))
            });
    }
    if let Some(d) = devices
        .iter()
        .find(|d| !preferred.is_empty() && d.key == preferred)
    {
        return Ok(d.clone());
    }
    if devices.len() == 1 {
        return Ok(devices[0].clone());
    }
    let items: Vec<String> = devices.iter().map(|d| d.name.clone()).collect();
    let i = prompter.select(
        "Choose the Duo device",
        &items,
        &format!("--duo-device NAME (Duo lists {})", names()),
    )?;
    devices
        .get(i)
        .cloned()
        .ok_or_else(|| Error::Internal("the device choice is out of range".into()))
}

/// GET `url` (redirects followed): the final URL and its page, which must be a success.
async fn get_page(http: &Http, url: &url::Url) -> Result<(url::Url, String)> {
    page(http.get_page(url).await?)
}

/// POST `fields` as a form to `url` (redirects followed): the final URL and its page.
async fn post_form(
    http: &Http,
    url: &url::Url,
    fields: &[(String, String)],
    resend: Resend,
) -> Result<(url::Url, String)> {
    page(http.post_page(url, fields, resend).await?)
}

fn page(
    (final_url, status, html): (url::Url, reqwest::StatusCode, String),
) -> Result<(url::Url, String)> {
    if !status.is_success() {
        return Err(Error::Protocol {
            url: display_url(&final_url),
            message: format!(
                "HTTP {}{}",
                status.as_u16(),
                crate::idp::html_form::error_text(&html)
                    .map(|t| format!(": {t}"))
                    .unwrap_or_default()
            ),
        });
    }
    Ok((final_url, html))
}

/// POST `fields` to one of Duo's JSON endpoints.
async fn json_post(
    http: &Http,
    url: &url::Url,
    fields: &[(String, String)],
    resend: Resend,
) -> Result<Answer> {
    let shown = display_url(url);
    let target = url.clone();
    let resp = http
        .send(&shown, resend, |c| {
            c.post(target.clone())
                .header("Accept", "application/json")
                .form(fields)
        })
        .await?;
    let (status, body) = http.read_body(resp, &shown).await?;
    serde_json::from_slice(&body).map_err(|_| Error::Protocol {
        url: shown,
        message: format!("Duo answered HTTP {} with no JSON status", status.as_u16()),
    })
}

/// The page Duo was expected to show and did not: its title, for the user.
fn unknown_page(url: &url::Url, html: &str) -> Error {
    let title = Selector::parse("title")
        .ok()
        .and_then(|s| {
            Html::parse_document(html)
                .select(&s)
                .next()
                .map(|t| t.text().collect::<String>().trim().to_owned())
        })
        .unwrap_or_default();
    if html.contains("duo_iframe") || html.contains("Duo.init") {
        return Error::NotAuthorized {
            message: format!(
                "{}: Duo's traditional prompt (an iframe), which Duo retired on 2024-03-30; ask your Okta admin to move the Duo factor to the Duo Universal Prompt",
                display_url(url)
            ),
        };
    }
    Error::NotAuthorized {
        message: format!(
            "{}: a Duo page aws-token does not know ({}); sign in with provider \"okta-browser\" or \"browser\"",
            display_url(url),
            if title.is_empty() { "no title" } else { &title }
        ),
    }
}

fn elsewhere(page: &url::Url, to: &url::Url) -> Error {
    Error::Protocol {
        url: display_url(page),
        message: format!(
            "Duo's page points to another host ({}); not following it",
            display_url(to)
        ),
    }
}

/// The `plugin_form` of Duo's frameless page: where it posts and its fields.
fn plugin_form(html: &str, base: &url::Url) -> Option<(url::Url, Vec<(String, String)>)> {
    let doc = Html::parse_document(html);
    let form_sel = Selector::parse("form#plugin_form").ok()?;
    let input_sel = Selector::parse("input[name]").ok()?;
    let form = doc.select(&form_sel).next()?;
    let action = match form.value().attr("action").map(str::trim) {
        Some(a) if !a.is_empty() => base.join(a).ok()?,
        _ => base.clone(),
    };
    let fields = form
        .select(&input_sel)
        .map(|i| {
            (
                i.value().attr("name").unwrap_or("").to_owned(),
                i.value().attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect();
    Some((action, fields))
}

/// The prompt's `login-form`: its action, its own hidden fields (not those of each device's
/// factor rows), the devices and what each offers.
fn login_form(html: &str, base: &url::Url) -> Option<Prompt> {
    let doc = Html::parse_document(html);
    let form_sel = Selector::parse("form#login-form").ok()?;
    let option_sel = Selector::parse("select[name=device] option").ok()?;
    let fieldset_sel = Selector::parse("fieldset[data-device-index]").ok()?;
    let factor_sel = Selector::parse("input[name=factor]").ok()?;
    let form = doc.select(&form_sel).next()?;
    let action = base.join(form.value().attr("action").unwrap_or("")).ok()?;
    let fields = form
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .filter(|e| e.value().name() == "input")
        .filter_map(|e| {
            Some((
                e.value().attr("name")?.to_owned(),
                e.value().attr("value").unwrap_or("").to_owned(),
            ))
        })
        .collect();
    let devices = form
        .select(&option_sel)
        .filter_map(|o| {
            let key = o.value().attr("value")?.to_owned();
            let name = o.text().collect::<String>().trim().to_owned();
            let factors = form
                .select(&fieldset_sel)
                .find(|f| f.value().attr("data-device-index") == Some(key.as_str()))
                .map(|f| {
                    f.select(&factor_sel)
                        .filter_map(|i| i.value().attr("value").map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            Some(Device { key, name, factors })
        })
        .collect();
    Some(Prompt {
        action,
        fields,
        devices,
    })
}

/// Read `html` as each Duo page (the fuzz target's entry).
pub(crate) fn read_everything(html: &str) {
    let base = url::Url::parse("https://api-example.duosecurity.com/frame/prompt").ok();
    if let Some(base) = base {
        let _ = plugin_form(html, &base);
        let _ = login_form(html, &base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMPT: &str = r#"<form action="/frame/prompt" method="post" id="login-form">
<input type="hidden" name="sid" value="frameless-1">
<input type="hidden" name="_xsrf" value="x1" />
<input type="hidden" name="preferred_factor" value="Duo&#x20;Push">
<input type="hidden" name="preferred_device" value="">
<select name="device"><option value="phone1">Phone 1 &#x28;XXX-XXX-1111&#x29;</option><option value="tablet">iPad</option></select>
<fieldset data-device-index="phone1"><input type="hidden" name="factor" value="Duo&#x20;Push"><input type="hidden" name="factor" value="Passcode"><input type="text" name="passcode"></fieldset>
<fieldset data-device-index="tablet"><input type="hidden" name="factor" value="Duo&#x20;Push"></fieldset>
</form>"#;

    #[test]
    fn the_prompt_gives_its_fields_devices_and_factors() {
        let base =
            url::Url::parse("https://api-1.duosecurity.com/frame/prompt?sid=frameless-1").unwrap();
        let p = login_form(PROMPT, &base).unwrap();
        assert_eq!(
            p.action.as_str(),
            "https://api-1.duosecurity.com/frame/prompt"
        );
        assert_eq!(p.field("sid"), "frameless-1");
        assert_eq!(p.field("preferred_factor"), "Duo Push");
        // The factor rows' fields are not the form's own.
        assert!(
            !p.fields
                .iter()
                .any(|(n, _)| n == "factor" || n == "passcode")
        );
        assert_eq!(p.devices.len(), 2);
        assert_eq!(p.devices[0].name, "Phone 1 (XXX-XXX-1111)");
        assert_eq!(p.devices[0].factors, ["Duo Push", "Passcode"]);
        assert_eq!(p.devices[1].factors, ["Duo Push"]);
    }

    #[test]
    fn devices_are_named_by_key_or_part_of_their_name() {
        let base = url::Url::parse("https://api-1.duosecurity.com/frame/prompt").unwrap();
        let p = login_form(PROMPT, &base).unwrap();
        let ask = |device| Ask {
            mfa: None,
            otp: None,
            device,
            timeout: Duration::from_secs(1),
        };
        let none = crate::prompt::NoTerminal;
        let choose = |a: Ask<'_>| choose_device(&p.devices, "", &a, &none);
        assert_eq!(choose(ask(Some("tablet"))).unwrap().key, "tablet");
        assert_eq!(choose(ask(Some("phone 1"))).unwrap().key, "phone1");
        assert!(choose(ask(Some("watch"))).is_err());
        let preferred = choose_device(&p.devices, "tablet", &ask(None), &none);
        assert_eq!(preferred.unwrap().key, "tablet");
        // Two devices, none preferred, nobody to ask: the flag is named.
        let e = choose(ask(None)).unwrap_err().to_string();
        assert!(e.contains("--duo-device"), "{e}");
    }
}
