//! The sandbox's Duo, behind its Okta org as the Universal Prompt (shared/duo-protocol.md, shaped
//! from the pages and answers gimme-aws-creds' tests record): Okta's IdP redirect to Duo's OIDC
//! authorize endpoint, the frameless `plugin_form` page, the prompt's `login-form` with the user's
//! devices and factors, the prompt POST that starts a push, call or passcode check, the status poll,
//! and the OIDC exit back to Okta's callback, which opens the Okta session. Duo answers at
//! `localhost:PORT` while the org is `127.0.0.1:PORT`: another origin, as `*.duosecurity.com` is.
//! Every form carries an `_xsrf` token Duo checks; the callback's `code` and `state` are checked by
//! the Okta side here, which owns the transaction.

use crate::data::{DuoDevice, Factor};
use crate::{AppState, okta, random_token};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

/// The id of the Okta IdP that stands for Duo (`/sso/idps/{id}`).
pub(crate) const IDP_ID: &str = "0oaduo0000000000idp1";

/// Duo's OIDC client id for the Okta org.
const CLIENT_ID: &str = "DIAWSTOKENSANDBOX001";

/// One Duo sign-in: from Okta's redirect to the exit back to Okta.
#[derive(Debug, Clone)]
pub(crate) struct DuoLogin {
    login: String,
    /// The Okta transaction it answers.
    state_token: String,
    /// The OIDC state Okta gave, returned at the exit.
    state: String,
    /// Where Duo sends the user back (Okta's callback).
    redirect_uri: String,
    tx: String,
    xsrf: String,
    plugin_done: bool,
    txid: Option<String>,
    factor: String,
    device: String,
    passcode: Option<String>,
    polls: u32,
    allowed: bool,
}

/// What the Okta side remembers between its redirect and the callback.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// A Classic transaction's stateToken, or an Identity Engine stateHandle.
    state_token: String,
    /// At an Identity Engine org (else Classic).
    idx: bool,
    login: String,
    /// The OIDC `request` Duo is given: it names this pending login.
    request: String,
    redirect_uri: String,
    /// The code Duo's exit carried, once it did.
    code: Option<String>,
    /// Where a browser goes once signed in (the widget passes `fromURI`; a terminal client
    /// opens the app itself).
    from_uri: Option<String>,
}

/// The Duo factor of `login`, if it has one.
fn duo_of(s: &crate::Shared, login: &str) -> Option<(Vec<DuoDevice>, Option<String>, bool)> {
    s.user(login)?.factors.iter().find_map(|f| match f {
        Factor::Duo {
            devices,
            preferred_device,
            blocked,
            ..
        } => Some((devices.clone(), preferred_device.clone(), *blocked)),
        _ => None,
    })
}

/// The passcode of the user's hardware token, if they have one.
fn hardware_token(s: &crate::Shared, login: &str) -> Option<String> {
    s.user(login)?.factors.iter().find_map(|f| match f {
        Factor::Duo { hardware_token, .. } => hardware_token.clone(),
        _ => None,
    })
}

/// Duo's origin: the org's port on `localhost`.
fn duo_origin(org: &str) -> String {
    org.replacen("127.0.0.1", "localhost", 1)
}

fn redirect(status: StatusCode, location: &str) -> Response {
    (status, [(header::LOCATION, location.to_owned())]).into_response()
}

fn page_error(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html><head><title>Duo Security</title></head><body><div class=\"error\">{text}</div></body></html>"
        )),
    )
        .into_response()
}

fn stat_fail(code: u32, message: &str) -> Response {
    axum::Json(json!({"stat": "FAIL", "code": code, "message": message})).into_response()
}

// ---- Okta's side: the IdP redirect and the OIDC callback ----

/// GET /sso/idps/{id}?stateToken=…: Okta hands the MFA step to Duo.
pub(crate) async fn okta_redirect(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let org = okta::org(&s, &headers);
    let token = q.get("stateToken").cloned().unwrap_or_default();
    let classic = s
        .state()
        .transactions
        .get(&token)
        .filter(|t| t.expires > chrono::Utc::now())
        .map(|t| t.login.clone());
    let (login, idx) = match classic {
        Some(login) => (login, false),
        None => match crate::idx::waiting_for_idp(&s, &token) {
            Some(login) => (login, true),
            None => return page_error(StatusCode::FORBIDDEN, "Invalid token provided"),
        },
    };
    if duo_of(&s, &login).is_none() {
        return page_error(StatusCode::FORBIDDEN, "No Duo factor for this user");
    }
    let state = random_token(32);
    let request = s.hand_out(random_token(64));
    let redirect_uri = format!("{org}/oauth2/v1/authorize/callback");
    s.state().duo_pending.insert(
        state.clone(),
        Pending {
            state_token: token,
            idx,
            login,
            request: request.clone(),
            redirect_uri: redirect_uri.clone(),
            code: None,
            from_uri: q
                .get("fromURI")
                .filter(|u| u.starts_with('/') && !u.starts_with("//"))
                .cloned(),
        },
    );
    let location = url::Url::parse_with_params(
        &format!("{}/oauth/v1/authorize", duo_origin(&org)),
        &[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", &redirect_uri),
            ("state", &state),
            ("request", &request),
        ],
    )
    .map(|u| u.to_string())
    .unwrap_or_default();
    redirect(StatusCode::FOUND, &location)
}

/// GET /oauth2/v1/authorize/callback?state=…&code=…: Duo's answer; the Okta session opens.
pub(crate) async fn okta_callback(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(state), Some(code)) = (q.get("state"), q.get("code")) else {
        return page_error(StatusCode::BAD_REQUEST, "state and code are required");
    };
    let pending = s.state().duo_pending.remove(state);
    let Some(pending) = pending.filter(|p| p.code.as_deref() == Some(code.as_str())) else {
        return page_error(
            StatusCode::FORBIDDEN,
            "The Duo response does not match a sign-in in progress",
        );
    };
    if pending.idx {
        return match crate::idx::finish_by_idp(&s, &pending.state_token) {
            Some(location) => redirect(StatusCode::FOUND, &location),
            None => page_error(StatusCode::FORBIDDEN, "The sign-in has expired"),
        };
    }
    let tx = s.state().transactions.remove(&pending.state_token);
    let Some(tx) = tx.filter(|t| t.expires > chrono::Utc::now()) else {
        return page_error(StatusCode::FORBIDDEN, "Invalid token provided");
    };
    let sid = s.new_session(okta::Session {
        login: tx.login,
        stepped_up: tx.step_up,
        idx: None,
    });
    let mut r = match pending.from_uri {
        Some(to) => redirect(StatusCode::FOUND, &to),
        None => Html(
            "<!DOCTYPE html><html><head><title>Signed in</title></head><body>Signed in</body></html>",
        )
        .into_response(),
    };
    okta::set_sid(&mut r, &sid);
    r
}

// ---- Duo ----

/// GET /oauth/v1/authorize: Duo takes the OIDC request and starts a frameless prompt.
pub(crate) async fn authorize(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != CLIENT_ID || get("response_type") != "code" || get("scope") != "openid" {
        return page_error(StatusCode::BAD_REQUEST, "Invalid OIDC request");
    }
    let found = s
        .state()
        .duo_pending
        .iter()
        .find(|(state, p)| *state == get("state") && p.request == get("request"))
        .map(|(state, p)| (state.clone(), p.clone()));
    let Some((state, pending)) = found else {
        return page_error(StatusCode::BAD_REQUEST, "Unknown or expired request");
    };
    let login = pending.login.clone();
    let sid = format!("frameless-{}", uuid_like());
    let tx = s.hand_out(random_token(96));
    s.state().duo_logins.insert(
        sid.clone(),
        DuoLogin {
            login,
            state_token: pending.state_token,
            state,
            redirect_uri: pending.redirect_uri,
            tx: tx.clone(),
            xsrf: random_token(38),
            plugin_done: false,
            txid: None,
            factor: String::new(),
            device: String::new(),
            passcode: None,
            polls: 0,
            allowed: false,
        },
    );
    redirect(
        StatusCode::SEE_OTHER,
        &format!("/frame/frameless/v4/auth?sid={sid}&tx={tx}"),
    )
}

fn uuid_like() -> String {
    let r = random_token(32);
    format!(
        "{}-{}-{}-{}-{}",
        &r[..8],
        &r[8..12],
        &r[12..16],
        &r[16..20],
        &r[20..]
    )
}

fn esc(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// GET /frame/frameless/v4/auth: the page whose `plugin_form` a browser's script posts back with
/// what it detected of itself.
pub(crate) async fn frameless(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let sid = q.get("sid").cloned().unwrap_or_default();
    let login = s.state().duo_logins.get(&sid).cloned();
    let Some(d) = login.filter(|d| Some(&d.tx) == q.get("tx")) else {
        return page_error(StatusCode::BAD_REQUEST, "Invalid session");
    };
    let fields = [
        "java_version",
        "flash_version",
        "screen_resolution_width",
        "screen_resolution_height",
        "color_depth",
        "ch_ua_error",
        "client_hints",
        "is_cef_browser",
        "is_ipad_os",
        "is_ie_compatibility_mode",
        "is_user_verifying_platform_authenticator_available",
        "user_verifying_platform_authenticator_available_error",
        "acting_ie_version",
        "react_support",
        "react_support_error_message",
    ]
    .iter()
    .map(|n| format!("<input type=\"hidden\" name=\"{n}\" value=\"\" />\n"))
    .collect::<String>();
    Html(format!(
        r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html><head><title>Duo Security - Two-Factor Authentication</title></head>
<body><div id="wrapper">
<form method="post" id="plugin_form"{action}>
<input type="hidden" name="tx" value="{tx}" />
<input type="hidden" name="parent" value="None" />
<input type="hidden" name="_xsrf" value="{xsrf}" />
{fields}</form>
</div>
<script>document.getElementById("plugin_form").submit();</script>
</body></html>"#,
        tx = esc(&d.tx),
        xsrf = esc(&d.xsrf),
        action = s
            .data
            .faults
            .duo_plugin_action
            .as_deref()
            .map(|a| format!(" action=\"{}\"", esc(a)))
            .unwrap_or_default(),
    ))
    .into_response()
}

/// POST /frame/frameless/v4/auth: the plugin form back; on to the prompt.
pub(crate) async fn frameless_post(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let sid = q.get("sid").cloned().unwrap_or_default();
    let mut st = s.state();
    let Some(d) = st.duo_logins.get_mut(&sid) else {
        return page_error(StatusCode::BAD_REQUEST, "Invalid session");
    };
    if f.get("tx") != Some(&d.tx) || f.get("_xsrf") != Some(&d.xsrf) {
        return page_error(StatusCode::FORBIDDEN, "Invalid request (_xsrf)");
    }
    d.plugin_done = true;
    redirect(StatusCode::FOUND, &format!("/frame/prompt?sid={sid}"))
}

/// GET /frame/prompt?sid=…: the prompt with the user's devices and their factors.
pub(crate) async fn prompt_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let sid = q.get("sid").cloned().unwrap_or_default();
    let login = s.state().duo_logins.get(&sid).cloned();
    let Some(d) = login.filter(|d| d.plugin_done) else {
        return page_error(StatusCode::BAD_REQUEST, "Invalid session");
    };
    let Some((devices, preferred, _)) = duo_of(&s, &d.login) else {
        return page_error(StatusCode::BAD_REQUEST, "Invalid session");
    };
    let options: String = devices
        .iter()
        .map(|dev| {
            format!(
                "<option value=\"{}\">{}</option>\n",
                esc(&dev.id),
                esc(&dev.name)
            )
        })
        .collect();
    let methods: String = devices
        .iter()
        .map(|dev| {
            format!(
                r#"<fieldset data-device-index="{id}" class="hidden">
<h2 class="medium-or-larger auth-method-header">Choose an authentication method</h2>
<div class="row-label push-label"><input type="hidden" name="factor" value="Duo&#x20;Push"><span class="label factor-label">Duo Push</span><button type="submit" class="positive auth-button">Send Me a Push</button></div>
<div class="row-label phone-label"><input type="hidden" name="factor" value="Phone&#x20;Call"><span class="label factor-label">Call Me</span><button type="submit" class="positive auth-button">Call Me</button></div>
<div class="passcode-label row-label"><input type="hidden" name="factor" value="Passcode"><span class="label factor-label">Passcode</span>
<div class="passcode-input-wrapper"><input type="text" name="passcode" autocomplete="off" data-index="{id}" class="hidden passcode-input" placeholder="ex.&#x20;867539" aria-label="passcode"></div>
<button type="submit" id="passcode" class="positive auth-button">Enter a Passcode</button></div>
</fieldset>
"#,
                id = esc(&dev.id)
            )
        })
        .collect();
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Two-Factor Authentication</title></head>
<body><div class="base-wrapper"><div role="main" class="base-body">
<form action="{action}" method="post" id="login-form" class="inline login-form hidden">
<input type="hidden" name="sid" value="{sid}">
<input type="hidden" name="url" value="/frame/prompt">
<input type="hidden" name="enrollment_message" value="">
<input type="hidden" name="itype" value="okta">
<input type="hidden" name="_xsrf" value="{xsrf}" />
<input type="hidden" name="ukey" value="DU{ukey}">
<input type="hidden" name="out_of_date" value="False">
<input type="hidden" name="days_out_of_date" value="0">
<input type="hidden" name="should_update_dm" value="False">
{preferred}
<input type="hidden" name="days_to_block" value="None">
<input type="hidden" name="should_retry_u2f_timeouts" value="True">
<input type="hidden" id="has_phone_that_requires_compliance_text" name="has_phone_that_requires_compliance_text" value="False">
<fieldset class="device-selector"><h1 class="cramped-frame-view">Device&#x3a;</h1>
<div class="device-select-wrapper"><select name="device" aria-label="Device">
{options}</select></div></fieldset>
<div id="auth_methods">
{methods}<input type="hidden" name="has-token" value="false">
</div>
</form>
<form class="oidc-exit-form" action="/frame/prompt/oidc/exit" method="POST">
<input type="hidden" name="txid" value="" />
<input type="hidden" name="sid" value="{sid}" />
<input type="hidden" name="_xsrf" value="{xsrf}" />
</form>
<div id="messages-view"><div class="messages-list"></div></div>
</div></div>
<input type="hidden" name="_xsrf" value="{xsrf}" />
<script>{script}</script>
</body></html>"#,
        script = PROMPT_JS,
        sid = esc(&sid),
        xsrf = esc(&d.xsrf),
        ukey = random_token(18),
        // A user with no device (a hardware token only) gets no preferred_* inputs at all
        // (gimme-aws-creds #478 met that page).
        preferred = if devices.is_empty() {
            String::new()
        } else {
            format!(
                "<input type=\"hidden\" name=\"preferred_factor\" value=\"{}\">\n<input type=\"hidden\" name=\"preferred_device\" value=\"{}\">",
                if preferred.is_some() { "Duo&#x20;Push" } else { "" },
                esc(preferred.as_deref().unwrap_or(""))
            )
        },
        action = esc(
            s.data
                .faults
                .duo_prompt_action
                .as_deref()
                .unwrap_or("/frame/prompt")
        ),
    ))
    .into_response()
}

/// What the prompt page does in a browser: a factor's button posts the form with that factor and
/// the selected device, the status is polled and shown, and an approval posts the exit form.
const PROMPT_JS: &str = r#"(function () {
  const form = document.getElementById('login-form');
  const list = document.querySelector('.messages-list');
  const say = function (text, cls) { list.innerHTML = '<div class="message ' + cls + '">' + text + '</div>'; };
  form.querySelectorAll('fieldset[data-device-index] button').forEach(function (b) {
    b.addEventListener('click', async function (e) {
      e.preventDefault();
      const row = b.closest('.row-label');
      const set = b.closest('fieldset');
      const data = new URLSearchParams();
      form.querySelectorAll(':scope > input').forEach(function (i) { data.append(i.name, i.value); });
      data.set('device', set.dataset.deviceIndex);
      form.querySelector('select[name=device]').value = set.dataset.deviceIndex;
      const factor = row.querySelector('input[name=factor]').value;
      data.set('factor', factor);
      const code = row.querySelector('input[name=passcode]');
      if (code) data.set('passcode', code.value);
      data.set('postAuthDestination', 'OIDC_EXIT');
      const started = await (await fetch('/frame/prompt', { method: 'POST', body: data })).json();
      if (started.stat !== 'OK') { say(started.message, 'error'); return; }
      const txid = started.response.txid;
      const sid = form.querySelector('input[name=sid]').value;
      for (;;) {
        const st = await (await fetch('/frame/v4/status', { method: 'POST', body: new URLSearchParams({ txid: txid, sid: sid }) })).json();
        const r = st.response || {};
        if (st.stat !== 'OK') { say(st.message, 'error'); return; }
        if (r.status_code === 'allow') break;
        if (r.status_code === 'deny' || r.status_code === 'timeout') { say(r.status || r.reason, 'error'); return; }
        say(r.status || 'Waiting...', 'info');
        await new Promise(function (done) { setTimeout(done, 1000); });
      }
      const exit = document.querySelector('.oidc-exit-form');
      exit.action = '/frame/v4/oidc/exit';
      exit.querySelector('input[name=txid]').value = txid;
      [['factor', factor], ['device_key', ''], ['dampen_choice', 'false']].forEach(function (kv) {
        const i = document.createElement('input');
        i.type = 'hidden'; i.name = kv[0]; i.value = kv[1];
        exit.appendChild(i);
      });
      exit.submit();
    });
  });
})();"#;

/// POST /frame/prompt: start the chosen factor on the chosen device -> `{stat, response: {txid}}`.
pub(crate) async fn prompt_post(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let sid = get("sid");
    let login = s.state().duo_logins.get(&sid).cloned();
    let Some(d) = login.filter(|d| d.plugin_done) else {
        return stat_fail(40002, "Invalid session");
    };
    if get("_xsrf") != d.xsrf {
        return stat_fail(40003, "Invalid request (_xsrf)");
    }
    let Some((devices, _, blocked)) = duo_of(&s, &d.login) else {
        return stat_fail(40002, "Invalid session");
    };
    let factor = get("factor");
    if !matches!(factor.as_str(), "Duo Push" | "Phone Call" | "Passcode") {
        return stat_fail(40002, &format!("Unknown factor: {factor}"));
    }
    if get("postAuthDestination") != "OIDC_EXIT" {
        return stat_fail(40002, "Missing postAuthDestination");
    }
    let device = get("device");
    if !devices.iter().any(|dev| dev.id == device) && factor != "Passcode" {
        return stat_fail(40002, "Unknown device");
    }
    if factor == "Passcode" {
        let n = {
            let mut st = s.state();
            st.counts.duo_passcode += 1;
            st.counts.duo_passcode
        };
        if n <= s.data.faults.duo_passcode_server_errors {
            // Taken, and the answer lost: a second POST would be a second attempt.
            return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
        }
    }
    if blocked {
        return stat_fail(
            40103,
            "Your account is disabled and cannot access this application. Please contact your administrator.",
        );
    }
    let txid = format!("{}-{}", random_token(8), uuid_like());
    let passcode = f.get("passcode").cloned();
    if let Some(d) = s.state().duo_logins.get_mut(&sid) {
        d.txid = Some(txid.clone());
        d.factor = factor.clone();
        d.device = device.clone();
        d.passcode = passcode;
        d.polls = 0;
        d.allowed = false;
    }
    if factor != "Passcode" {
        eprintln!(
            "aws-token-sandbox: Duo: {factor} to {} of {}",
            devices
                .iter()
                .find(|dev| dev.id == device)
                .map_or("?", |dev| dev.name.as_str()),
            d.login
        );
    }
    axum::Json(json!({"stat": "OK", "response": {"txid": txid}})).into_response()
}

/// POST /frame/v4/status `{txid, sid}`: how the factor fares.
pub(crate) async fn status(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let sid = f.get("sid").cloned().unwrap_or_default();
    let mut st = s.state();
    st.counts.duo_status += 1;
    let Some(d) = st.duo_logins.get_mut(&sid) else {
        return stat_fail(40002, "Invalid session");
    };
    if d.txid.is_none() || f.get("txid") != d.txid.as_ref() {
        return stat_fail(40002, "Invalid txid");
    }
    d.polls += 1;
    let (login, factor, device, polls) =
        (d.login.clone(), d.factor.clone(), d.device.clone(), d.polls);
    let passcode = d.passcode.clone();
    drop(st);
    let Some((devices, _, _)) = duo_of(&s, &login) else {
        return stat_fail(40002, "Invalid session");
    };
    let allow = |s: &crate::Shared| {
        if let Some(d) = s.state().duo_logins.get_mut(&sid) {
            d.allowed = true;
        }
        axum::Json(json!({"stat": "OK", "response": {
            "status_enum": 5, "status_code": "allow", "result": "SUCCESS",
            "reason": "User approved", "post_auth_action": "oidc_exit",
        }}))
        .into_response()
    };
    let refuse = |code: &str, reason: &str, status: &str| {
        axum::Json(json!({"stat": "OK", "response": {
            "status_enum": 6, "status_code": code, "result": "FAILURE", "reason": reason, "status": status,
        }}))
        .into_response()
    };
    if factor == "Passcode" {
        // Any of the user's devices' codes, once.
        let used = {
            let mut st = s.state();
            let key = (
                login.clone(),
                "duo".to_owned(),
                passcode.clone().unwrap_or_default(),
            );
            st.used_codes
                .insert(key, std::time::Instant::now())
                .is_some()
        };
        let right = passcode.is_some()
            && (devices
                .iter()
                .any(|dev| dev.passcode.is_some() && dev.passcode == passcode)
                || hardware_token(&s, &login) == passcode);
        return if right && !used {
            allow(&s)
        } else {
            refuse(
                "deny",
                "Incorrect passcode",
                "Incorrect passcode. Please try again.",
            )
        };
    }
    let Some(dev) = devices.iter().find(|dev| dev.id == device) else {
        return stat_fail(40002, "Unknown device");
    };
    if polls <= dev.after_polls {
        let (code, text) = if factor == "Phone Call" {
            ("calling", format!("Calling {}...", dev.name))
        } else {
            (
                "pushed",
                "Pushed a login request to your device...".to_owned(),
            )
        };
        return axum::Json(json!({"stat": "OK", "response": {
            "status_enum": 13, "status_code": code, "status": text,
        }}))
        .into_response();
    }
    match dev.push.as_str() {
        "approve" => allow(&s),
        "deny" => refuse("deny", "User declined", "Login request denied."),
        _ => refuse("timeout", "No response", "Login timed out."),
    }
}

/// POST /frame/v4/oidc/exit: after `allow`, back to Okta with a code for its state.
pub(crate) async fn oidc_exit(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let sid = get("sid");
    let login = s.state().duo_logins.get(&sid).cloned();
    let Some(d) = login else {
        return page_error(StatusCode::BAD_REQUEST, "Invalid session");
    };
    if get("_xsrf") != d.xsrf || d.txid.as_deref() != Some(get("txid").as_str()) || !d.allowed {
        return page_error(StatusCode::FORBIDDEN, "The authentication was not approved");
    }
    let code = s.hand_out(random_token(40));
    {
        let mut st = s.state();
        st.duo_logins.remove(&sid);
        match st.duo_pending.get_mut(&d.state) {
            Some(p) if p.state_token == d.state_token => p.code = Some(code.clone()),
            _ => return page_error(StatusCode::FORBIDDEN, "Unknown state"),
        }
    }
    let location = url::Url::parse_with_params(
        &d.redirect_uri,
        &[("state", d.state.as_str()), ("code", code.as_str())],
    )
    .map(|u| u.to_string())
    .unwrap_or_default();
    let location = s.data.faults.duo_exit_location.clone().unwrap_or(location);
    redirect(StatusCode::SEE_OTHER, &location)
}
