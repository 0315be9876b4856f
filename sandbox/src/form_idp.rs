//! The sandbox's plain HTML form IdP (no JavaScript): a username+password form with a CSRF field,
//! a one-time-code page for users with a TOTP factor, error messages in an alert box, and the
//! auto-post SAML form at the end, and a session cookie (`FORMSESSION`) with which the login page
//! answers with the SAML form at once, as IdPs with single sign-on do. Also a page with no form at
//! all, for the "nothing to do" case, and a plain WebAuthn page (a few lines of script, no widget)
//! for users with a security key, checked by `webauthn::check`.

use crate::data::{DEMO_APP, Factor};
use crate::{AppState, random_token};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><main class=\"login\">{body}</main></body></html>"
    ))
    .into_response()
}

fn alert(message: Option<&str>) -> String {
    message
        .map(|m| format!("<div class=\"alert alert-error\" role=\"alert\">{m}</div>"))
        .unwrap_or_default()
}

/// The login form, with a CSRF token issued for it: in a hidden field and in a cookie
/// (`FORMCSRF`), both of which the post must bring back (a real IdP's double-submit check).
fn login_form(s: &crate::Shared, app: &str, error: Option<&str>) -> Response {
    let csrf = random_token(16);
    s.state().csrf_issued.insert(csrf.clone());
    let mut r = page(
        "Sandbox IdP - Sign in",
        &format!(
            "<h1>Sign in</h1>{}<form method=\"post\" action=\"/form/login\">\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\"><input type=\"hidden\" name=\"app\" value=\"{app}\">\
             <label for=\"username\">Username</label><input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\">\
             <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\">\
             <input type=\"checkbox\" name=\"remember\" value=\"yes\"> Remember me\
             <button type=\"submit\" name=\"action\" value=\"login\">Sign in</button></form>",
            alert(error),
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("FORMCSRF={csrf}; Path=/form; HttpOnly")) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn code_form(txn: &str, error: Option<&str>) -> Response {
    page(
        "Sandbox IdP - Verification",
        &format!(
            "<h1>Enter the code from your authenticator app</h1>{}<form method=\"post\" action=\"/form/code\">\
             <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
             <input id=\"otp\" name=\"otp\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\">\
             <button type=\"submit\">Verify</button></form>",
            alert(error)
        ),
    )
}

/// GET /form/login?app=ID: the SAML form for a signed-in browser, else the login form.
pub(crate) async fn login_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let app = q.get("app").map_or(DEMO_APP, String::as_str);
    let signed_in = crate::okta::cookie(&headers, "FORMSESSION")
        .and_then(|sid| s.state().sessions.get(&sid).cloned());
    match signed_in {
        Some(session) => saml_page(&s, &session.login, app),
        None => login_form(&s, app, None),
    }
}

/// The SAML page after a finished login, with the new session's cookie.
fn signed_in(s: &crate::Shared, login: &str, app: &str) -> Response {
    let mut r = saml_page(s, login, app);
    if r.status().is_success() {
        let sid = s.new_session(crate::okta::Session {
            login: login.to_owned(),
            stepped_up: false,
            idx: None,
        });
        if let Ok(v) = HeaderValue::from_str(&format!("FORMSESSION={sid}; Path=/form; HttpOnly")) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// GET /form/empty: a page with nothing to fill in.
pub(crate) async fn empty_page() -> Response {
    page(
        "Maintenance",
        "<p>The sign-in service is down for maintenance.</p>",
    )
}

/// The SAML auto-post page for `login` in `app_id`, or a 403 page when not assigned.
fn saml_page(s: &crate::Shared, login: &str, app_id: &str) -> Response {
    let (Some(user), Some(app)) = (s.user(login), s.data.apps.iter().find(|a| a.id == app_id))
    else {
        return (StatusCode::NOT_FOUND, "no such app").into_response();
    };
    let roles = user.apps.get(&app.id).cloned().unwrap_or_default();
    if roles.is_empty() {
        return (
            StatusCode::FORBIDDEN,
            page(
                "Forbidden",
                "<p>You are not allowed to access this application.</p>",
            ),
        )
            .into_response();
    }
    crate::okta::saml_form(s, app, user, &roles)
}

/// POST /form/login
pub(crate) async fn login_submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    s.state().counts.form_login += 1;
    let app = f.get("app").map_or(DEMO_APP, String::as_str).to_owned();
    let get = |k: &str| f.get(k).map_or("", String::as_str);
    // The token must be one this IdP issued (used once) and match the cookie its page set.
    let token = get("csrf_token");
    let issued = s.state().csrf_issued.remove(token);
    if !issued || crate::okta::cookie(&headers, "FORMCSRF").as_deref() != Some(token) {
        return (
            StatusCode::BAD_REQUEST,
            page("Bad request", "<p>The form expired; reload it.</p>"),
        )
            .into_response();
    }
    let user = s
        .user(get("username"))
        .filter(|u| s.password_of(u) == get("password") && u.status == "ACTIVE");
    let Some(user) = user else {
        return login_form(&s, &app, Some("Invalid username or password."));
    };
    if user
        .factors
        .iter()
        .any(|f| matches!(f, Factor::Webauthn { .. }))
    {
        let txn = s.begin_form(&user.login, &app);
        return webauthn_form(&s, &crate::okta::org(&s, &headers), &txn, None);
    }
    if user
        .factors
        .iter()
        .any(|f| matches!(f, Factor::Totp { .. }))
    {
        let txn = s.begin_form(&user.login, &app);
        return code_form(&txn, None);
    }
    signed_in(&s, &user.login, &app)
}

/// POST /form/code
pub(crate) async fn code_submit(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let txn = f.get("txn").cloned().unwrap_or_default();
    let Some((login, app)) = s.form_txn(&txn) else {
        return login_form(&s, DEMO_APP, Some("Your session expired. Sign in again."));
    };
    let Some(user) = s.user(&login) else {
        return login_form(&s, &app, Some("Your session expired. Sign in again."));
    };
    let code = f.get("otp").map_or("", |c| c.trim());
    let ok = user.factors.iter().any(|factor| match factor {
        Factor::Totp { secret } => {
            s.check_totp(&user.login, secret, code) == crate::TotpCheck::Accepted
        }
        _ => false,
    });
    if !ok {
        return code_form(&txn, Some("Invalid code. Try again."));
    }
    s.end_form(&txn);
    signed_in(&s, &login, &app)
}

/// The security-key page: a new challenge for the transaction, and the script that asks WebAuthn
/// for it and posts the answer.
fn webauthn_form(s: &crate::Shared, org: &str, txn: &str, error: Option<&str>) -> Response {
    let Some((login, _)) = s.form_txn(txn) else {
        return login_form(s, DEMO_APP, Some("Your session expired. Sign in again."));
    };
    let keys: Vec<Factor> = s
        .user(&login)
        .map(|u| u.factors.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|f| matches!(f, Factor::Webauthn { .. }))
        .collect();
    let Some(first) = keys.first() else {
        return login_form(s, DEMO_APP, Some("No security key is enrolled."));
    };
    let challenge = crate::webauthn::challenge();
    if let Some(t) = s.state().form_txns.get_mut(txn) {
        t.webauthn = Some(challenge.clone());
    }
    let ids: Vec<&str> = keys
        .iter()
        .filter_map(|f| match f {
            Factor::Webauthn { credential_id, .. } => Some(credential_id.as_str()),
            _ => None,
        })
        .collect();
    let data = crate::webauthn::challenge_data(s, first, &challenge, org);
    // A refused answer shows the error and waits for the user to try again.
    let run = if error.is_some() {
        "document.getElementById('retry').hidden = false;"
    } else {
        "go();"
    };
    page(
        "Sandbox IdP - Security key",
        &format!(
            "<h1>Use your security key</h1>{}<p data-se=\"webauthn-waiting\">Touch your security key.</p>\
             <form method=\"post\" action=\"/form/webauthn\" id=\"webauthn\">\
             <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
             <input type=\"hidden\" name=\"clientData\"><input type=\"hidden\" name=\"authenticatorData\">\
             <input type=\"hidden\" name=\"signatureData\"></form>\
             <button id=\"retry\" hidden onclick=\"go()\">Try again</button>\
             <script>{}</script><script>\
             function go() {{ sandboxWebauthn({data}, {ids}).then(function (a) {{\
               const f = document.getElementById('webauthn');\
               for (const k in a) f.elements[k].value = a[k];\
               f.submit(); }}, function (e) {{ document.getElementById('retry').hidden = false; }}); }}\
             {run}</script>",
            alert(error),
            include_str!("webauthn.js"),
            data = data,
            ids = serde_json::json!(ids),
        ),
    )
}

/// GET /form/webauthn?txn=: the security-key page of a login whose password was accepted.
pub(crate) async fn webauthn_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let txn = q.get("txn").map_or("", String::as_str);
    webauthn_form(&s, &crate::okta::org(&s, &headers), txn, None)
}

/// POST /form/webauthn: the assertion, checked against the user's keys.
pub(crate) async fn webauthn_submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let org = crate::okta::org(&s, &headers);
    let txn = f.get("txn").cloned().unwrap_or_default();
    let Some((login, app)) = s.form_txn(&txn) else {
        return login_form(&s, DEMO_APP, Some("Your session expired. Sign in again."));
    };
    let issued = s
        .state()
        .form_txns
        .get_mut(&txn)
        .and_then(|t| t.webauthn.take());
    let answer = serde_json::json!(f);
    let factors = s
        .user(&login)
        .map(|u| u.factors.clone())
        .unwrap_or_default();
    let ok = issued.is_some_and(|c| {
        factors.iter().any(|k| {
            matches!(k, Factor::Webauthn { .. })
                && crate::webauthn::check(&s, k, &c, &org, &answer).is_ok()
        })
    });
    if !ok {
        return webauthn_form(&s, &org, &txn, Some("Your security key was not accepted."));
    }
    s.end_form(&txn);
    signed_in(&s, &login, &app)
}

/// A form login waiting for its one-time code or its security key.
#[derive(Debug, Clone)]
pub(crate) struct FormTxn {
    login: String,
    app: String,
    expires: chrono::DateTime<chrono::Utc>,
    /// The WebAuthn challenge handed out last.
    webauthn: Option<String>,
}

impl crate::Shared {
    pub(crate) fn begin_form(&self, login: &str, app: &str) -> String {
        let txn = self.hand_out(random_token(32));
        self.state().form_txns.insert(
            txn.clone(),
            FormTxn {
                login: login.to_owned(),
                app: app.to_owned(),
                expires: chrono::Utc::now() + chrono::Duration::minutes(5),
                webauthn: None,
            },
        );
        txn
    }

    fn form_txn(&self, txn: &str) -> Option<(String, String)> {
        let t = self.state().form_txns.get(txn).cloned()?;
        (t.expires > chrono::Utc::now()).then_some((t.login, t.app))
    }

    fn end_form(&self, txn: &str) {
        self.state().form_txns.remove(txn);
    }
}
