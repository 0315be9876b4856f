//! The sandbox's Okta Identity Engine org: the sign-in page that carries a stateToken, the IDX API
//! (introspect, identify, challenge, challenge/answer, authenticators/poll) with ion+json answers,
//! a new stateHandle on every answer (an old one is refused), the remediations Okta offers for the
//! demo users' authenticators, Okta's error messages, and the success-redirect that opens a session
//! (`sid` and `idx` cookies) and returns to the app's SAML form.

use crate::data::{Factor, User};
use crate::okta::{Session, org, set_sid, ts};
use crate::{AppState, Shared, random_token};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

const LIFETIME: i64 = 300;
/// How often the client is told to poll a push, in ms (Okta says 4000; the sandbox is quicker).
const POLL_REFRESH_MS: u64 = 1000;
const ION: &str = "application/ion+json; okta-version=1.0.0";

/// How an authenticator is being verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// Google Authenticator's code, `credentials.passcode`.
    Otp,
    /// Okta Verify's code, `credentials.totp`.
    OktaVerifyCode,
    /// A code sent by SMS, call or email, `credentials.passcode`.
    Sent,
    /// WebAuthn: answered by a browser only.
    Webauthn,
}

/// Where a transaction stands: what the last answer offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Identify,
    Password,
    Select,
    Challenge {
        factor: usize,
        method: Method,
    },
    Poll {
        factor: usize,
    },
    /// A lone phone: SMS or a call (`authenticator-verification-data`).
    VerificationData {
        factor: usize,
    },
    /// An IdP authenticator (Duo) was chosen: the answer is the redirect to it.
    Redirect,
    /// Okta FastPass: polled while Okta Verify on the device answers the loopback challenge.
    FastPass {
        factor: usize,
    },
    /// Silent device probing before anything is asked: a device-challenge-poll.
    DeviceProbe,
    /// "Sign in with Okta FastPass" taken at identify: a device-challenge-poll over loopback.
    SignInProbe,
    PasswordExpired,
}

/// An IDX transaction, keyed by its current stateHandle.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    /// The token the sign-in page carried (introspect takes it).
    state_token: String,
    /// Where the success-redirect returns to (the app's embed link).
    from_uri: String,
    login: Option<String>,
    step: Step,
    expires: DateTime<Utc>,
    polls: u32,
    /// MFA is part of this transaction (else the org's policy may skip it).
    mfa: bool,
    /// The FastPass challengeRequest handed out (a JWT), while FastPass is in progress.
    fastpass: Option<String>,
    /// The WebAuthn challenge handed out, while a security key is being asked.
    webauthn: Option<String>,
}

/// A finished transaction, waiting for its success-redirect.
#[derive(Debug, Clone)]
pub(crate) struct Done {
    login: String,
    from_uri: String,
    expires: DateTime<Utc>,
    /// The session it opens has seen MFA.
    stepped_up: bool,
}

/// The sign-in page of an Identity Engine org: a new transaction's stateToken in script, its `-`
/// written `\x2D` as Okta's page does, and the widget that walks the IDX API.
pub(crate) fn sign_in_page(s: &Shared, from_uri: &str) -> Response {
    page_for(s, from_uri, None, Step::Identify)
}

/// The page an app with step-up shows a signed-in user whose session has not seen MFA: a
/// transaction that starts at the user's MFA.
pub(crate) fn step_up_page(s: &Shared, from_uri: &str, user: &User) -> Response {
    match first_mfa_step(user) {
        Some(step) => page_for(s, from_uri, Some(user.login.clone()), step),
        None => (StatusCode::FORBIDDEN, Html("<title>Sandbox Okta - Access denied</title><p>This app needs MFA and no authenticator is enrolled.</p>")).into_response(),
    }
}

/// Where MFA starts for `user`: a lone phone is asked how, a lone code app is challenged at
/// once, several are listed (as Okta does); `None` without any.
fn first_mfa_step(user: &User) -> Option<Step> {
    match user.factors.as_slice() {
        [] => None,
        [Factor::Sms { .. }] => Some(Step::VerificationData { factor: 0 }),
        [Factor::Totp { .. }] => Some(Step::Challenge {
            factor: 0,
            method: Method::Otp,
        }),
        _ => Some(Step::Select),
    }
}

fn page_for(s: &Shared, from_uri: &str, login: Option<String>, step: Step) -> Response {
    let token = s.hand_out(format!("02.id.{}-{}", random_token(20), random_token(20)));
    let handle = s.hand_out(new_handle());
    let mfa = login.is_some();
    // Silent device probing: the transaction starts by asking Okta Verify on this device.
    let step = match (&s.data.device_probing, step) {
        (Some(_), Step::Identify) => Step::DeviceProbe,
        (_, step) => step,
    };
    s.state().idx_txns.insert(
        handle,
        Txn {
            state_token: token.clone(),
            from_uri: from_uri.to_owned(),
            login,
            step,
            expires: Utc::now() + Duration::seconds(LIFETIME),
            polls: 0,
            mfa,
            fastpass: None,
            webauthn: None,
        },
    );
    let escaped = token.replace('-', "\\x2D");
    Html(format!(
        "<!DOCTYPE html><html><head><title>Sandbox Okta - Sign In</title></head><body>\
         <div id=\"okta-sign-in\" data-pipeline=\"idx\"></div><noscript>Please enable JavaScript.</noscript>\
         <script>var stateToken = '{escaped}';</script>\
         <script>{}</script><script>{}</script></body></html>",
        include_str!("webauthn.js"),
        include_str!("widget_idx.js")
    ))
    .into_response()
}

fn new_handle() -> String {
    format!("02.id.{}~c.{}", random_token(24), random_token(32))
}

/// One message, as Okta words it.
fn message(text: &str, key: &str) -> Value {
    json!({"message": text, "i18n": {"key": key}, "class": "ERROR"})
}

fn messages(list: Vec<Value>) -> Value {
    json!({"type": "array", "value": list})
}

/// An ion+json answer with `status`.
fn ion(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ION));
    r
}

/// 401 idx.session.expired: an unknown, used or expired stateHandle.
fn expired() -> Response {
    ion(
        StatusCode::UNAUTHORIZED,
        &json!({"version": "1.0.0", "messages": messages(vec![message("The session has expired.", "idx.session.expired")])}),
    )
}

fn state_field(handle: &str) -> Value {
    json!({"name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false})
}

fn remediation(org: &str, name: &str, path: &str, value: Vec<Value>) -> Value {
    json!({
        "rel": ["create-form"], "name": name, "href": format!("{org}{path}"), "method": "POST",
        "produces": ION, "accepts": "application/json; okta-version=1.0.0", "value": value,
    })
}

/// `credentials` with one field (`passcode` or `totp`), and Okta's message on it when refused.
fn credentials(field: &str, label: &str, error: Option<Value>) -> Value {
    let mut f = json!({"name": field, "label": label, "secret": field == "passcode" && label == "Password"});
    if let Some(m) = error {
        f["messages"] = messages(vec![m]);
    }
    json!({"name": "credentials", "type": "object", "required": true, "form": {"value": [f]}})
}

fn authenticator_id(i: usize) -> String {
    format!("aut{i:017}")
}

/// (label, key, type, methods offered) of an enrolled factor.
fn describe(f: &Factor) -> (&'static str, &'static str, &'static str, Vec<&'static str>) {
    match f {
        Factor::Totp { .. } => ("Google Authenticator", "google_otp", "app", vec!["otp"]),
        Factor::Push { totp_secret, .. } => {
            let mut m = vec!["push"];
            if totp_secret.is_some() {
                m.push("totp");
            }
            ("Okta Verify", "okta_verify", "app", m)
        }
        Factor::Sms { .. } => ("Phone", "phone_number", "phone", vec!["sms", "voice"]),
        Factor::Email { .. } => ("Email", "okta_email", "email", vec!["email"]),
        Factor::Webauthn { .. } => (
            "Security Key or Biometric",
            "webauthn",
            "security_key",
            vec!["webauthn"],
        ),
        Factor::FastPass => ("Okta FastPass", "okta_verify", "app", vec!["signed_nonce"]),
        // Duo as an IdP authenticator: choosing it hands the user to Duo (`redirect-idp`).
        Factor::Duo { .. } | Factor::DuoIframe => {
            ("Duo Security", "external_idp", "idp", vec!["idp"])
        }
    }
}

fn enrollment(i: usize, f: &Factor) -> Value {
    let (label, key, kind, methods) = describe(f);
    let profile = match f {
        Factor::Sms { phone, .. } => json!({"phoneNumber": phone}),
        Factor::Email { email, .. } => json!({"email": email}),
        Factor::Push { device, .. } => json!({"deviceName": device}),
        _ => json!({}),
    };
    let mut e = json!({
        "type": kind, "key": key, "id": authenticator_id(i), "displayName": label,
        "methods": methods.iter().map(|m| json!({"type": m})).collect::<Vec<_>>(), "profile": profile,
    });
    if let Factor::Webauthn { credential_id, .. } = f {
        e["credentialId"] = json!(credential_id);
    }
    e
}

fn select_remediation(org: &str, user: &User, handle: &str) -> Value {
    let options: Vec<Value> = user
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (label, _, _, methods) = describe(f);
            let method = if methods.len() == 1 {
                json!({"name": "methodType", "required": false, "value": methods[0], "mutable": false})
            } else {
                json!({"name": "methodType", "type": "string", "required": false, "options": methods.iter().map(|m| json!({"label": m, "value": m})).collect::<Vec<_>>()})
            };
            json!({
                "label": label,
                "value": {"form": {"value": [
                    {"name": "id", "required": true, "value": authenticator_id(i), "mutable": false},
                    method,
                ]}},
                "relatesTo": format!("$.authenticatorEnrollments.value[{i}]"),
            })
        })
        .collect();
    remediation(
        org,
        "select-authenticator-authenticate",
        "/idp/idx/challenge",
        vec![
            json!({"name": "authenticator", "type": "object", "options": options}),
            state_field(handle),
        ],
    )
}

/// The answer for where `txn` stands, under `handle`, with `top` messages and a field `error`.
fn answer_for(
    s: &Shared,
    org: &str,
    handle: &str,
    txn: &Txn,
    top: Vec<Value>,
    error: Option<Value>,
) -> Value {
    let user = txn.login.as_deref().and_then(|l| s.user(l));
    let mut remediations = Vec::new();
    let mut v = json!({
        "version": "1.0.0", "stateHandle": handle, "expiresAt": ts(txn.expires), "intent": "LOGIN",
        "app": {"type": "object", "value": {"name": "amazon_aws", "label": "AWS Account Federation", "id": "0oasandbox"}},
    });
    match txn.step {
        Step::Identify => {
            let mut fields =
                vec![json!({"name": "identifier", "label": "Username", "required": true})];
            if s.data.one_page_sign_in {
                fields.push(credentials("passcode", "Password", error));
            }
            fields.push(
                json!({"name": "rememberMe", "type": "boolean", "label": "Keep me signed in"}),
            );
            fields.push(state_field(handle));
            remediations.push(remediation(org, "identify", "/idp/idx/identify", fields));
            if s.data.fastpass_sign_in.is_some() {
                remediations.push(remediation(
                    org,
                    "launch-authenticator",
                    "/idp/idx/authenticators/okta-verify/launch",
                    vec![state_field(handle)],
                ));
            }
        }
        Step::Password => {
            remediations.push(remediation(
                org,
                "challenge-authenticator",
                "/idp/idx/challenge/answer",
                vec![
                    credentials("passcode", "Password", error),
                    state_field(handle),
                ],
            ));
            v["currentAuthenticatorEnrollment"] = json!({"type": "object", "value": {
                "type": "password", "key": "okta_password", "id": "lae00000000000000001",
                "displayName": "Password", "methods": [{"type": "password"}]}});
        }
        Step::PasswordExpired => {
            remediations.push(remediation(
                org,
                "reenroll-authenticator",
                "/idp/idx/challenge/answer",
                vec![
                    credentials("passcode", "New password", None),
                    state_field(handle),
                ],
            ));
        }
        Step::Select => {
            if let Some(u) = user {
                remediations.push(select_remediation(org, u, handle));
            }
        }
        Step::Challenge { factor, method } => {
            let (field, label) = match method {
                Method::OktaVerifyCode => ("totp", "Enter code from Okta Verify app"),
                _ => ("passcode", "Enter code"),
            };
            let creds = if method == Method::Webauthn {
                json!({"name": "credentials", "type": "object", "required": true, "form": {"value": [
                    {"name": "clientData", "required": true, "visible": false},
                    {"name": "authenticatorData", "required": true, "visible": false},
                    {"name": "signatureData", "required": true, "visible": false}]}})
            } else {
                credentials(field, label, error)
            };
            remediations.push(remediation(
                org,
                "challenge-authenticator",
                "/idp/idx/challenge/answer",
                vec![creds, state_field(handle)],
            ));
            if let Some(u) = user {
                if let (Some(f), Some(c)) = (u.factors.get(factor), &txn.webauthn) {
                    // The widget's mock: the challenge is the current authenticator's.
                    let mut e = enrollment(factor, f);
                    e["contextualData"] =
                        json!({"challengeData": crate::webauthn::challenge_data(s, f, c, org)});
                    v["currentAuthenticator"] = json!({"type": "object", "value": e});
                } else if let Some(f) = u.factors.get(factor) {
                    let mut e = enrollment(factor, f);
                    if matches!(f, Factor::Email { .. }) {
                        e["poll"] = json!({"rel": ["create-form"], "name": "poll", "href": format!("{org}/idp/idx/challenge/poll"), "method": "POST", "refresh": 4000, "value": [state_field(handle)]});
                        e["resend"] = json!({"rel": ["create-form"], "name": "resend", "href": format!("{org}/idp/idx/challenge/resend"), "method": "POST", "value": [state_field(handle)]});
                    }
                    v["currentAuthenticatorEnrollment"] = json!({"type": "object", "value": e});
                }
                if u.factors.len() > 1 {
                    remediations.push(select_remediation(org, u, handle));
                }
            }
        }
        Step::VerificationData { factor } => {
            let methods = json!([{"label": "SMS", "value": "sms"}, {"label": "Voice call", "value": "voice"}]);
            remediations.push(remediation(
                org,
                "authenticator-verification-data",
                "/idp/idx/challenge",
                vec![
                    json!({"name": "authenticator", "label": "Phone", "form": {"value": [
                        {"name": "id", "required": true, "value": authenticator_id(factor), "mutable": false},
                        {"name": "methodType", "type": "string", "required": false, "options": methods},
                    ]}}),
                    state_field(handle),
                ],
            ));
            if let Some(f) = user.and_then(|u| u.factors.get(factor)) {
                v["currentAuthenticatorEnrollment"] =
                    json!({"type": "object", "value": enrollment(factor, f)});
            }
        }
        Step::DeviceProbe | Step::SignInProbe => {
            let mut poll = remediation(
                org,
                "device-challenge-poll",
                "/idp/idx/authenticators/poll",
                vec![state_field(handle)],
            );
            poll["refresh"] = json!(POLL_REFRESH_MS);
            poll["relatesTo"] = json!("authenticatorChallenge");
            remediations.push(poll);
            let mut c = fastpass_challenge(s, org, handle, txn);
            c["cancel"] = cancel_polling(org, handle);
            v["authenticatorChallenge"] = json!({"type": "object", "value": c});
        }
        Step::FastPass { factor } => {
            let mut poll = remediation(
                org,
                "challenge-poll",
                "/idp/idx/authenticators/poll",
                vec![state_field(handle)],
            );
            poll["refresh"] = json!(POLL_REFRESH_MS);
            poll["relatesTo"] = json!(["$.currentAuthenticator"]);
            remediations.push(poll);
            if let Some(f) = user.and_then(|u| u.factors.get(factor)) {
                // As the widget's mock of a signed_nonce challenge-poll: the challenge in
                // contextualData, its cancel form on the authenticator itself.
                let mut e = enrollment(factor, f);
                e["contextualData"] =
                    json!({"challenge": {"value": fastpass_challenge(s, org, handle, txn)}});
                e["cancel"] = cancel_polling(org, handle);
                v["currentAuthenticator"] = json!({"type": "object", "value": e});
            }
        }
        Step::Redirect => {
            remediations.push(json!({
                "name": "redirect-idp", "type": "OIDC",
                "idp": {"id": crate::duo::IDP_ID, "name": "Duo Security"},
                "href": format!("{org}/sso/idps/{}?stateToken={handle}", crate::duo::IDP_ID),
                "method": "GET",
            }));
        }
        Step::Poll { factor } => {
            let mut poll = remediation(
                org,
                "challenge-poll",
                "/idp/idx/authenticators/poll",
                vec![state_field(handle)],
            );
            poll["refresh"] = json!(POLL_REFRESH_MS);
            remediations.push(poll);
            if let Some(u) = user {
                if let Some(f) = u.factors.get(factor) {
                    let mut e = enrollment(factor, f);
                    if let Factor::Push {
                        number_challenge: Some(n),
                        ..
                    } = f
                    {
                        e["contextualData"] = json!({"correctAnswer": n.to_string()});
                    }
                    v["currentAuthenticator"] = json!({"type": "object", "value": e});
                }
                if u.factors.len() > 1 {
                    remediations.push(select_remediation(org, u, handle));
                }
            }
        }
    }
    if let Some(u) = user {
        v["authenticatorEnrollments"] = json!({"type": "array", "value":
            u.factors.iter().enumerate().map(|(i, f)| enrollment(i, f)).collect::<Vec<_>>()});
        v["user"] = json!({"type": "object", "value": {"id": "00usandbox", "identifier": u.login}});
    }
    v["remediation"] = json!({"type": "array", "value": remediations});
    v["cancel"] = json!({"rel": ["create-form"], "name": "cancel", "href": format!("{org}/idp/idx/cancel"), "method": "POST", "value": [state_field(handle)]});
    if !top.is_empty() {
        v["messages"] = messages(top);
    }
    v
}

/// What every IDX request goes through: counting, injected faults, the body, the transaction.
struct Request {
    org: String,
    handle: String,
    txn: Txn,
    body: Value,
}

fn begin(
    s: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
    by_token: bool,
) -> Result<Request, Response> {
    let calls = {
        let mut st = s.state();
        st.counts.idx += 1;
        st.authn_calls += 1;
        st.authn_calls
    };
    let f = &s.data.faults;
    if calls <= f.authn_rate_limited {
        let mut r = ion(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}),
        );
        let reset = (Utc::now().timestamp() + 1).to_string();
        if let Ok(v) = HeaderValue::from_str(&reset) {
            r.headers_mut().insert("X-Rate-Limit-Reset", v);
        }
        return Err(r);
    }
    if calls <= f.authn_rate_limited + f.authn_server_errors {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response());
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !json_type {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected application/ion+json",
        )
            .into_response());
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Err(ion(
            StatusCode::BAD_REQUEST,
            &json!({"version": "1.0.0", "messages": messages(vec![message("The request body was not well-formed.", "E0000003")])}),
        ));
    };
    let mut st = s.state();
    let found = if by_token {
        let token = body.get("stateToken").and_then(Value::as_str).unwrap_or("");
        st.idx_txns
            .iter()
            .find(|(_, t)| t.state_token == token)
            .map(|(h, _)| h.clone())
    } else {
        body.get("stateHandle")
            .and_then(Value::as_str)
            .filter(|h| st.idx_txns.contains_key(*h))
            .map(str::to_owned)
    };
    let Some(old) = found else {
        return Err(expired());
    };
    let Some(txn) = st.idx_txns.remove(&old) else {
        return Err(expired());
    };
    if txn.expires < Utc::now() {
        return Err(expired());
    }
    drop(st);
    Ok(Request {
        org: org(s, headers),
        handle: old,
        txn,
        body,
    })
}

impl Request {
    /// Keep the transaction under a new stateHandle and answer where it stands.
    fn reply(
        self,
        s: &Shared,
        status: StatusCode,
        top: Vec<Value>,
        error: Option<Value>,
    ) -> Response {
        let handle = s.hand_out(new_handle());
        let mut this = self;
        let _ = &this.handle;
        // A probe's challenge names the org as the client reached it.
        if this.txn.step == Step::DeviceProbe && this.txn.fastpass.is_none() {
            this.txn.fastpass = Some(fastpass_jwt(s, &this.org));
        }
        let body = answer_for(s, &this.org, &handle, &this.txn, top, error);
        s.state().idx_txns.insert(handle, this.txn);
        ion(status, &body)
    }

    /// A remediation the last answer did not offer.
    fn not_offered(self, s: &Shared, what: &str) -> Response {
        let m = message(
            &format!("The action '{what}' is not available at this point of the sign-in."),
            "idx.invalid.remediation",
        );
        self.reply(s, StatusCode::BAD_REQUEST, vec![m], None)
    }

    /// The transaction is done: a success-redirect to the app.
    fn success(self, s: &Shared) -> Response {
        let login = self.txn.login.clone().unwrap_or_default();
        let token = s.hand_out(format!("02.id.{}", random_token(40)));
        s.state().idx_done.insert(
            token.clone(),
            Done {
                login,
                from_uri: self.txn.from_uri.clone(),
                expires: Utc::now() + Duration::seconds(LIFETIME),
                stepped_up: self.txn.mfa,
            },
        );
        let handle = s.hand_out(new_handle());
        ion(
            StatusCode::OK,
            &json!({
                "version": "1.0.0", "stateHandle": handle, "expiresAt": ts(self.txn.expires), "intent": "LOGIN",
                "success": {"name": "success-redirect", "href": format!("{}/login/token/redirect?stateToken={token}", self.org)},
                "user": {"type": "object", "value": {"id": "00usandbox", "identifier": self.txn.login}},
            }),
        )
    }

    /// The step after a right password.
    fn after_password(mut self, s: &Shared, user: &User) -> Response {
        if user.status == "PASSWORD_EXPIRED" {
            self.txn.step = Step::PasswordExpired;
            let m = json!({"message": "Your password has expired", "i18n": {"key": "password.expired.title.generic"}, "class": "INFO"});
            return self.reply(s, StatusCode::OK, vec![m], None);
        }
        match first_mfa_step(user) {
            // The org's policy asks for the password only: an app may step up later.
            _ if s.data.password_only_sessions => self.success(s),
            None => self.success(s),
            Some(step) => {
                self.txn.step = step;
                self.txn.mfa = true;
                self.reply(s, StatusCode::OK, vec![], None)
            }
        }
    }

    /// Refusals that do not depend on the password: locked, not assigned, denied by policy.
    fn refused(s: &Shared, txn: &Txn, user: &User) -> Option<(StatusCode, Value)> {
        if user.status == "LOCKED_OUT" {
            return Some((
                StatusCode::FORBIDDEN,
                message(
                    "Your account is locked. Please contact your administrator.",
                    "errors.E0000119",
                ),
            ));
        }
        let app = s
            .data
            .apps
            .iter()
            .find(|a| txn.from_uri.contains(&format!("/{}/", a.id)));
        if let Some(app) = app {
            if user.apps.get(&app.id).is_none_or(Vec::is_empty) {
                return Some((
                    StatusCode::BAD_REQUEST,
                    message(
                        "User is not assigned to this application.",
                        "idx.error.user.not.assigned.to.app",
                    ),
                ));
            }
            if app.access_denied {
                return Some((
                    StatusCode::FORBIDDEN,
                    message(
                        "You do not have permission to perform the requested action.",
                        "security.access_denied",
                    ),
                ));
            }
        }
        None
    }
}

fn incorrect_password() -> Value {
    message("Password is incorrect", "incorrectPassword")
}

/// POST /idp/idx/introspect {stateToken}
pub(crate) async fn introspect(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match begin(&s, &headers, &body, true) {
        Ok(r) => r.reply(&s, StatusCode::OK, vec![], None),
        Err(r) => r,
    }
}

/// POST /idp/idx/identify {identifier, credentials?, stateHandle}
pub(crate) async fn identify(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if r.txn.step != Step::Identify {
        return r.not_offered(&s, "identify");
    }
    let identifier = r
        .body
        .get("identifier")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if identifier.is_empty() {
        let m = message(
            "This field cannot be left blank",
            "model.validation.field.blank",
        );
        return r.reply(&s, StatusCode::BAD_REQUEST, vec![m], None);
    }
    let user = s.user(&identifier).cloned();
    if s.data.one_page_sign_in {
        let password = r
            .body
            .pointer("/credentials/passcode")
            .and_then(Value::as_str);
        if password.is_some() {
            s.state().counts.idx_passwords += 1;
        }
        let Some(user) = user.filter(|u| password == Some(s.password_of(u).as_str())) else {
            let m = message("Authentication failed", "errors.E0000004");
            return r.reply(&s, StatusCode::UNAUTHORIZED, vec![m], None);
        };
        r.txn.login = Some(user.login.clone());
        if let Some((status, m)) = Request::refused(&s, &r.txn, &user) {
            return r.reply(&s, status, vec![m], None);
        }
        return r.after_password(&s, &user);
    }
    // Identifier first: an unknown user is asked for a password too (no enumeration).
    r.txn.login = Some(user.as_ref().map_or(identifier, |u| u.login.clone()));
    r.txn.step = Step::Password;
    r.reply(&s, StatusCode::OK, vec![], None)
}

/// POST /idp/idx/challenge/answer {credentials: {passcode | totp}, stateHandle}
pub(crate) async fn answer(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let user = r.txn.login.as_deref().and_then(|l| s.user(l)).cloned();
    match (r.txn.step, user) {
        (Step::Password, user) => {
            let given = r
                .body
                .pointer("/credentials/passcode")
                .and_then(Value::as_str);
            s.state().counts.idx_passwords += 1;
            let Some(user) = user.filter(|u| given == Some(s.password_of(u).as_str())) else {
                return r.reply(
                    &s,
                    StatusCode::BAD_REQUEST,
                    vec![],
                    Some(incorrect_password()),
                );
            };
            if let Some((status, m)) = Request::refused(&s, &r.txn, &user) {
                return r.reply(&s, status, vec![m], None);
            }
            r.after_password(&s, &user)
        }
        (
            Step::Challenge {
                factor,
                method: Method::Webauthn,
            },
            Some(user),
        ) => {
            // A challenge is answered once: a refused assertion needs a new one.
            let issued = r.txn.webauthn.take();
            let given = r.body.get("credentials").cloned().unwrap_or_default();
            let checked = match (issued, user.factors.get(factor)) {
                (Some(c), Some(f)) => crate::webauthn::check(&s, f, &c, &r.org, &given),
                _ => Err("no challenge was handed out".into()),
            };
            if checked.is_ok() {
                r.success(&s)
            } else {
                r.txn.webauthn = Some(crate::webauthn::challenge());
                let m = message(
                    "Unable to verify your security key or biometric authenticator. Please try again.",
                    "authfactor.webauthn.error.assertion_validation_failure",
                );
                r.reply(&s, StatusCode::BAD_REQUEST, vec![m], None)
            }
        }
        (Step::Challenge { factor, method }, Some(user)) => {
            let field = if method == Method::OktaVerifyCode {
                "totp"
            } else {
                "passcode"
            };
            let code = r
                .body
                .get("credentials")
                .and_then(|c| c.get(field))
                .and_then(Value::as_str)
                .map(str::trim);
            if code.is_some() {
                s.state().counts.idx_codes += 1;
            }
            let check = match (user.factors.get(factor), code) {
                (Some(Factor::Totp { secret }), Some(c))
                | (
                    Some(Factor::Push {
                        totp_secret: Some(secret),
                        ..
                    }),
                    Some(c),
                ) => s.check_totp(&user.login, secret, c),
                (
                    Some(Factor::Sms { code: want, .. } | Factor::Email { code: want, .. }),
                    Some(c),
                ) if c == want => crate::TotpCheck::Accepted,
                _ => crate::TotpCheck::Wrong,
            };
            if check == crate::TotpCheck::Accepted {
                r.success(&s)
            } else if check == crate::TotpCheck::Reused {
                let m = message(
                    "Each code can only be used once. Please wait for a new code and try again.",
                    "E0000082",
                );
                r.reply(&s, StatusCode::BAD_REQUEST, vec![], Some(m))
            } else {
                let m = message(
                    "Your code doesn't match our records. Please try again.",
                    "authfactor.challenge.soft_token.invalid_passcode",
                );
                r.reply(&s, StatusCode::BAD_REQUEST, vec![], Some(m))
            }
        }
        _ => r.not_offered(&s, "challenge-authenticator"),
    }
}

/// POST /idp/idx/challenge {authenticator: {id, methodType}, stateHandle}
pub(crate) async fn challenge(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let user = r.txn.login.as_deref().and_then(|l| s.user(l)).cloned();
    let offered = matches!(r.txn.step, Step::Select | Step::VerificationData { .. })
        || matches!(r.txn.step, Step::Challenge { .. } | Step::Poll { .. })
            && user.as_ref().is_some_and(|u| u.factors.len() > 1);
    let Some(user) = user.filter(|_| offered) else {
        return r.not_offered(&s, "select-authenticator-authenticate");
    };
    let id = r
        .body
        .pointer("/authenticator/id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let method = r
        .body
        .pointer("/authenticator/methodType")
        .and_then(Value::as_str);
    let Some((i, factor)) = user
        .factors
        .iter()
        .enumerate()
        .find(|(i, _)| authenticator_id(*i) == id)
    else {
        let m = message("Invalid authenticator.", "idx.error.authenticator.invalid");
        return r.reply(&s, StatusCode::BAD_REQUEST, vec![m], None);
    };
    let (_, _, _, methods) = describe(factor);
    let method = method.unwrap_or(methods[0]);
    if !methods.contains(&method) {
        let m = message(
            &format!("Method {method:?} is not available."),
            "idx.error.method.invalid",
        );
        return r.reply(&s, StatusCode::BAD_REQUEST, vec![m], None);
    }
    r.txn.step = match method {
        "push" => {
            r.txn.polls = 0;
            Step::Poll { factor: i }
        }
        "otp" => Step::Challenge {
            factor: i,
            method: Method::Otp,
        },
        "totp" => Step::Challenge {
            factor: i,
            method: Method::OktaVerifyCode,
        },
        "sms" | "voice" | "email" => {
            eprintln!(
                "aws-token-sandbox: one-time code for {} sent by {method}",
                user.login
            );
            Step::Challenge {
                factor: i,
                method: Method::Sent,
            }
        }
        "webauthn" => {
            r.txn.webauthn = Some(crate::webauthn::challenge());
            Step::Challenge {
                factor: i,
                method: Method::Webauthn,
            }
        }
        "idp" => Step::Redirect,
        // Okta answers the choice of FastPass with a challenge-poll whose loopback challenge lists
        // Okta Verify's ports (the widget's testcafe spec: POST /idp/idx/challenge answers
        // authenticator-verification-okta-verify-signed-nonce-loopback); whether anything
        // answers there is the device's business. (No public source shows Okta refusing the
        // choice itself.)
        "signed_nonce" => {
            r.txn.fastpass = Some(fastpass_jwt(&s, &r.org));
            Step::FastPass { factor: i }
        }
        _ => return r.not_offered(&s, "select-authenticator-authenticate"),
    };
    r.reply(&s, StatusCode::OK, vec![], None)
}

/// POST /idp/idx/authenticators/poll {stateHandle}: an Okta Verify push.
pub(crate) async fn poll(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Step::FastPass { .. } | Step::DeviceProbe | Step::SignInProbe = r.txn.step {
        s.state().poll_times.push(std::time::Instant::now());
        let approved = r
            .txn
            .fastpass
            .as_ref()
            .is_some_and(|jwt| s.state().fastpass_approved.contains(jwt));
        return if approved {
            if r.txn.step == Step::DeviceProbe {
                // The device's Okta Verify vouched for its user: signed in with FastPass.
                r.txn.login = s.data.device_probing.clone();
                r.txn.mfa = true;
            }
            if r.txn.step == Step::SignInProbe {
                r.txn.login = s.data.fastpass_sign_in.clone();
                r.txn.mfa = true;
            }
            r.success(&s)
        } else {
            r.reply(&s, StatusCode::OK, vec![], None)
        };
    }
    let Step::Poll { factor } = r.txn.step else {
        return r.not_offered(&s, "challenge-poll");
    };
    s.state().poll_times.push(std::time::Instant::now());
    let user = r.txn.login.as_deref().and_then(|l| s.user(l)).cloned();
    let Some(Factor::Push {
        result,
        after_polls,
        ..
    }) = user.as_ref().and_then(|u| u.factors.get(factor)).cloned()
    else {
        return r.not_offered(&s, "challenge-poll");
    };
    r.txn.polls += 1;
    if r.txn.polls <= after_polls {
        return r.reply(&s, StatusCode::OK, vec![], None);
    }
    match result.as_str() {
        "approve" => r.success(&s),
        "reject" => {
            r.txn.step = Step::Select;
            let m = message(
                "You have chosen to reject this login.",
                "api.authn.poll.error.push_rejected",
            );
            r.reply(&s, StatusCode::OK, vec![m], None)
        }
        _ => {
            r.txn.step = Step::Select;
            let m = message(
                "Your push notification has expired.",
                "oie.okta_verify.push.expired",
            );
            r.reply(&s, StatusCode::OK, vec![m], None)
        }
    }
}

/// POST /idp/idx/authenticators/poll/cancel `{stateHandle, reason, statusCode}`: the client gave up
/// on FastPass (Okta Verify unreachable, or it answered an error); recorded for tests.
pub(crate) async fn cancel_poll(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !matches!(
        r.txn.step,
        Step::FastPass { .. } | Step::DeviceProbe | Step::SignInProbe
    ) {
        return r.not_offered(&s, "cancel-polling");
    }
    let text = |k: &str| {
        r.body
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (reason, code) = (text("reason"), text("statusCode"));
    s.state()
        .fastpass_cancels
        .push(format!("{reason} {code}").trim().to_owned());
    if r.txn.step == Step::SignInProbe {
        // The user asked for FastPass and Okta Verify did not answer: back to the sign-in form.
        r.txn.fastpass = None;
        r.txn.step = Step::Identify;
        let m = message(
            "Okta FastPass could not verify you: Okta Verify did not answer on this device.",
            "oie.authenticator.app.method.signed_nonce.not.available",
        );
        return r.reply(&s, StatusCode::OK, vec![m], None);
    }
    if r.txn.step == Step::DeviceProbe {
        // Silent probing found no Okta Verify: the sign-in goes on as usual.
        r.txn.fastpass = None;
        r.txn.step = Step::Identify;
        return r.reply(&s, StatusCode::OK, vec![], None);
    }
    r.txn.fastpass = None;
    // The widget's playground (mocks/config/responseConfig.js, userVerificationLoopback) answers
    // the cancel of a signed_nonce challenge-poll with the authenticator choice again
    // (authenticator-verification-select-authenticator), with no message.
    r.txn.step = Step::Select;
    r.reply(&s, StatusCode::OK, vec![], None)
}

/// POST /idp/idx/authenticators/okta-verify/launch `{stateHandle}`: launch Okta Verify by its link.
pub(crate) async fn launch(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut r = match begin(&s, &headers, &body, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    r.txn.step = match r.txn.step {
        // "Sign in with Okta FastPass" at the sign-in form: Okta Verify is found over loopback.
        Step::Identify if s.data.fastpass_sign_in.is_some() => Step::SignInProbe,
        _ => return r.not_offered(&s, "launch-authenticator"),
    };
    r.txn.fastpass = Some(fastpass_jwt(&s, &r.org));
    r.reply(&s, StatusCode::OK, vec![], None)
}

/// A FastPass challengeRequest for the org `org`: a JWT naming it, shaped as the widget mocks'
/// (`typ` okta-devicebind+jwt, `iss`, `aud`, a nonce); its issuer is used to find the transaction
/// again, not to check an Origin (see sandbox/src/okta_verify.rs).
fn fastpass_jwt(s: &Shared, org: &str) -> String {
    let b64 = |v: &Value| {
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            v.to_string(),
        )
    };
    s.hand_out(format!(
        "{}.{}.{}",
        b64(&json!({"typ": "okta-devicebind+jwt", "alg": "RS256"})),
        b64(&json!({"iss": org, "aud": "okta.sandbox", "jti": random_token(20), "nonce": random_token(32), "signals": ["deviceAttestation"]})),
        random_token(43)
    ))
}

/// The FastPass challenge of `txn` (loopback: Okta Verify's ports; or a CUSTOM_URI link).
fn fastpass_challenge(s: &Shared, org: &str, handle: &str, txn: &Txn) -> Value {
    let ports: Vec<String> = s
        .data
        .okta_verify_ports
        .iter()
        .map(u16::to_string)
        .collect();
    let _ = (org, handle);
    let request = txn.fastpass.clone().unwrap_or_default();
    if s.data.fastpass_challenge_method.as_deref() == Some("CUSTOM_URI") {
        // authenticator-verification-okta-verify-signed-nonce-custom-uri.json
        let href = s.data.fastpass_launch_href.clone().unwrap_or_else(|| {
            format!("com-okta-authenticator:/deviceChallenge?challengeRequest={request}")
        });
        return json!({"challengeMethod": "CUSTOM_URI", "href": href,
                      "downloadHref": "https://apps.apple.com/us/app/okta-verify/id490179405"});
    }
    // authenticator-verification-okta-verify-signed-nonce-loopback.json (its probeTimeoutMillis
    // is 3000; the sandbox's Okta Verify answers at once, so 500 keeps a missing one quick).
    let mut c = json!({
        "challengeMethod": "LOOPBACK",
        "challengeRequest": request,
        "domain": s.data.fastpass_domain.as_deref().unwrap_or("http://localhost"),
        "ports": ports, "probeTimeoutMillis": 500,
    });
    if let Some(d) = &s.data.fastpass_https_domain {
        c["httpsDomain"] = json!(d);
    }
    c
}

/// The `cancel-polling` form of a FastPass challenge, as the widget's mocks have it
/// (`authenticator-verification-okta-verify-signed-nonce-loopback.json`: at
/// `currentAuthenticator.value.cancel`; `identify-with-device-probing-loopback.json`: at
/// `authenticatorChallenge.value.cancel`): the stateHandle only; the widget adds `reason` and
/// `statusCode` as parameters (okta-auth-js `generateIdxAction`).
fn cancel_polling(org: &str, handle: &str) -> Value {
    json!({"rel": ["create-form"], "name": "cancel-polling", "href": format!("{org}/idp/idx/authenticators/poll/cancel"),
           "method": "POST", "accepts": "application/json; okta-version=1.0.0",
           "value": [state_field(handle)]})
}

/// Okta issues a new challenge in place of `jwt` (the next poll shows it); false when no
/// transaction handed `jwt` out.
pub(crate) fn renew_fastpass(s: &Shared, jwt: &str) -> bool {
    let fresh = fastpass_jwt(s, &fastpass_issuer(jwt).unwrap_or_default());
    let mut st = s.state();
    let mut renewed = false;
    for t in st.idx_txns.values_mut() {
        if t.fastpass.as_deref() == Some(jwt) {
            t.fastpass = Some(fresh.clone());
            renewed = true;
        }
    }
    renewed
}

/// The org a FastPass challengeRequest names (its payload's `iss`).
pub(crate) fn fastpass_issuer(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(str::to_owned)
}

/// The sandbox's Okta Verify answered the challenge `jwt` (what the real one tells Okta over its
/// own channel); false when no transaction handed it out.
pub(crate) fn approve_fastpass(s: &Shared, jwt: &str) -> bool {
    let mut st = s.state();
    let known = st
        .idx_txns
        .values()
        .any(|t| t.fastpass.as_deref() == Some(jwt));
    if known {
        st.fastpass_approved.insert(jwt.to_owned());
    }
    known
}

/// The user of the transaction under `handle` when it waits for its IdP authenticator (Duo).
pub(crate) fn waiting_for_idp(s: &Shared, handle: &str) -> Option<String> {
    let st = s.state();
    let txn = st.idx_txns.get(handle)?;
    (txn.step == Step::Redirect && txn.expires > Utc::now())
        .then(|| txn.login.clone())
        .flatten()
}

/// The IdP authenticator answered for the transaction under `handle`: it is done, and the
/// success-redirect (a path on the org) opens the session as any finished sign-in does.
pub(crate) fn finish_by_idp(s: &Shared, handle: &str) -> Option<String> {
    let txn = s.state().idx_txns.remove(handle)?;
    let token = s.hand_out(format!("02.id.{}", random_token(40)));
    s.state().idx_done.insert(
        token.clone(),
        Done {
            login: txn.login?,
            from_uri: txn.from_uri,
            expires: Utc::now() + Duration::seconds(LIFETIME),
            stepped_up: true,
        },
    );
    Some(format!("/login/token/redirect?stateToken={token}"))
}

/// GET /login/token/redirect?stateToken=…: open the session and return to the app.
pub(crate) async fn token_redirect(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let done = q
        .get("stateToken")
        .and_then(|t| s.state().idx_done.remove(t))
        .filter(|d| d.expires > Utc::now());
    let Some(done) = done else {
        return (
            StatusCode::UNAUTHORIZED,
            Html("<html><head><title>Sandbox Okta - Session Expired</title></head><body>Your session has expired. Sign in again.</body></html>"),
        )
            .into_response();
    };
    let idx = s.hand_out(random_token(40));
    let sid = s.new_session(Session {
        login: done.login,
        stepped_up: done.stepped_up,
        idx: Some(idx.clone()),
    });
    let mut r = (StatusCode::FOUND, [(header::LOCATION, done.from_uri)]).into_response();
    set_sid(&mut r, &sid);
    if let Ok(v) = HeaderValue::from_str(&format!("idx={idx}; Path=/; HttpOnly")) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
