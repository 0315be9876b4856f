//! The sandbox's Okta org: the Classic Authn API (primary auth, factor verify with TOTP, push with
//! number challenge, SMS and email codes, the real errorCode bodies, injected 429/503), sessions,
//! and the AWS app embed link that answers with the auto-post SAML form.

use crate::data::{Factor, User};
use crate::{AppState, random_token, saml};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An authentication transaction, keyed by its stateToken.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) login: String,
    pub(crate) expires: DateTime<Utc>,
    /// POSTs to the push factor so far.
    push_posts: u32,
    /// An SMS or email code was sent in this transaction (a code is taken only after that).
    code_sent: bool,
    /// Started by an app's step-up page: its sessionToken opens step-up apps.
    pub(crate) step_up: bool,
    /// The WebAuthn challenge handed out in this transaction (one at a time).
    webauthn_challenge: Option<String>,
}

/// A single-use sessionToken.
#[derive(Debug, Clone)]
pub(crate) struct SessionToken {
    login: String,
    expires: DateTime<Utc>,
    stepped_up: bool,
}

/// A signed-in session (the `sid` cookie).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) login: String,
    pub(crate) stepped_up: bool,
    /// At an Identity Engine org: the `idx` cookie set with the session, which every request
    /// that uses the session must bring too (the `sid` alone is not the session there).
    pub(crate) idx: Option<String>,
}

const TX_LIFETIME: i64 = 300;

/// The org URL as the client reached it.
pub(crate) fn org(s: &crate::Shared, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = if s.tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An Okta error body with the real errorCode.
fn error(status: StatusCode, code: &str, summary: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": format!("oae{}", random_token(22)),
            "errorCauses": [],
        })),
    )
        .into_response()
}

/// The request's JSON body, or Okta's E0000003 answer.
fn json_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "E0000003",
            "The request body was not well-formed.",
        )
    })
}

/// E0000011: the stateToken is unknown or expired.
fn invalid_token() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "E0000011",
        "Invalid token provided",
    )
}

/// The factor's id: a type prefix and its index, 20 characters like Okta's.
fn factor_id(f: &Factor, i: usize) -> String {
    let prefix = match f {
        Factor::Totp { .. } => "ost",
        Factor::Push { .. } => "opf",
        Factor::Sms { .. } => "sms",
        Factor::Email { .. } => "emf",
        Factor::Webauthn { .. } => "fwf",
        Factor::FastPass => "fpf",
        Factor::Duo { .. } => "clp",
        Factor::DuoIframe => "dsf",
    };
    format!("{prefix}{i:017}")
}

fn factor_json(org: &str, f: &Factor, i: usize) -> Value {
    let id = factor_id(f, i);
    let (factor_type, provider, profile) = match f {
        Factor::Totp { .. } => (
            "token:software:totp",
            "GOOGLE",
            json!({"credentialId": "user"}),
        ),
        Factor::Push { device, .. } => (
            "push",
            "OKTA",
            json!({"name": device, "platform": "ANDROID", "deviceType": "SmartPhone_Android", "version": "14", "credentialId": "user"}),
        ),
        Factor::Sms { phone, .. } => ("sms", "OKTA", json!({"phoneNumber": phone})),
        Factor::Email { email, .. } => ("email", "OKTA", json!({"email": email})),
        Factor::Webauthn { credential_id, .. } => (
            "webauthn",
            "FIDO",
            json!({"credentialId": credential_id, "authenticatorName": "Security Key"}),
        ),
        Factor::FastPass => ("signed_nonce", "OKTA", json!({"name": "Okta FastPass"})),
        Factor::Duo { .. } => ("claims_provider", "CUSTOM", json!({})),
        Factor::DuoIframe => ("web", "DUO", json!({"credentialId": "user"})),
    };
    let vendor = match f {
        Factor::Duo { .. } => "Duo Universal Prompt",
        _ => provider,
    };
    json!({
        "id": id,
        "factorType": factor_type,
        "provider": provider,
        "vendorName": vendor,
        "profile": profile,
        "_links": {"verify": {"href": format!("{org}/api/v1/authn/factors/{id}/verify"), "hints": {"allow": ["POST"]}}},
    })
}

/// The factors Okta lists for `user` at Classic: each enrolled factor, and, as Okta enrolls them
/// alongside, Okta Verify's code (`token:software:totp`, provider OKTA) beside its push, and a
/// voice call (`call`) on the phone of an SMS factor. Each with its id, its JSON, and the factor
/// whose rules verify it.
fn listed_factors(org: &str, user: &User) -> Vec<(String, Value, Factor)> {
    let mut out = Vec::new();
    for (i, f) in user.factors.iter().enumerate() {
        out.push((factor_id(f, i), factor_json(org, f, i), f.clone()));
        let extra = match f {
            Factor::Push {
                totp_secret: Some(secret),
                ..
            } => Some((
                format!("otf{i:017}"),
                "token:software:totp",
                json!({"credentialId": "user"}),
                Factor::Totp {
                    secret: secret.clone(),
                },
            )),
            Factor::Sms { phone, .. } => Some((
                format!("clf{i:017}"),
                "call",
                json!({"phoneNumber": phone}),
                f.clone(),
            )),
            _ => None,
        };
        if let Some((id, factor_type, profile, rules)) = extra {
            let json = json!({
                "id": id,
                "factorType": factor_type,
                "provider": "OKTA",
                "vendorName": "OKTA",
                "profile": profile,
                "_links": {"verify": {"href": format!("{org}/api/v1/authn/factors/{id}/verify"), "hints": {"allow": ["POST"]}}},
            });
            out.push((id, json, rules));
        }
    }
    out
}

fn user_json(u: &User) -> Value {
    json!({"id": format!("00u{:017}", u.login.len()), "profile": {"login": u.login, "firstName": "Sandbox", "lastName": "User", "locale": "en", "timeZone": "UTC"}})
}

impl crate::Shared {
    /// `user`'s password now (changed since start, or the users file's).
    pub(crate) fn password_of(&self, user: &User) -> String {
        self.state()
            .changed_passwords
            .get(&user.login)
            .cloned()
            .unwrap_or_else(|| user.password.clone())
    }

    pub(crate) fn user(&self, login: &str) -> Option<&User> {
        self.data
            .users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// Start a transaction for `user`; returns its stateToken.
    fn begin(&self, user: &User, step_up: bool) -> String {
        let token = self.hand_out(format!("00{}-{}", random_token(20), random_token(20)));
        self.state().transactions.insert(
            token.clone(),
            Transaction {
                login: user.login.clone(),
                expires: Utc::now() + Duration::seconds(TX_LIFETIME),
                push_posts: 0,
                code_sent: false,
                step_up,
                webauthn_challenge: None,
            },
        );
        token
    }

    /// MFA_REQUIRED for the transaction `token`.
    fn mfa_required(&self, org: &str, user: &User, token: &str) -> Response {
        let expires = Utc::now() + Duration::seconds(TX_LIFETIME);
        let factors: Vec<Value> = listed_factors(org, user)
            .into_iter()
            .map(|(_, json, _)| json)
            .collect();
        axum::Json(json!({
            "stateToken": token,
            "expiresAt": ts(expires),
            "status": "MFA_REQUIRED",
            "_embedded": {"user": user_json(user), "factors": factors, "policy": {"allowRememberDevice": false}},
            "_links": {"cancel": {"href": format!("{org}/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}}},
        }))
        .into_response()
    }

    /// SUCCESS with a fresh single-use sessionToken.
    fn success(&self, user: &User, stepped_up: bool) -> Response {
        let token = self.hand_out(format!("20111{}", random_token(40)));
        let expires = Utc::now() + Duration::seconds(TX_LIFETIME);
        self.state().session_tokens.insert(
            token.clone(),
            SessionToken {
                login: user.login.clone(),
                expires,
                stepped_up,
            },
        );
        axum::Json(json!({
            "expiresAt": ts(expires),
            "status": "SUCCESS",
            "sessionToken": token,
            "_embedded": {"user": user_json(user)},
        }))
        .into_response()
    }

    /// Redeem a sessionToken (once, within 5 minutes) for a session.
    fn redeem(&self, token: &str) -> Option<Session> {
        let t = self.state().session_tokens.remove(token)?;
        (t.expires > Utc::now()).then_some(Session {
            login: t.login,
            stepped_up: t.stepped_up,
            idx: None,
        })
    }

    pub(crate) fn new_session(&self, session: Session) -> String {
        let sid = self.hand_out(format!("102{}", random_token(22)));
        self.state().sessions.insert(sid.clone(), session);
        sid
    }
}

/// POST /api/v1/authn: primary authentication, or a step-up `{stateToken}`.
pub(crate) async fn authn(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let calls = {
        let mut st = s.state();
        st.authn_calls += 1;
        st.counts.authn += 1;
        st.authn_calls
    };
    let f = &s.data.faults;
    if calls <= f.authn_rate_limited {
        let reset = Utc::now().timestamp() + 1;
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        );
        let h = r.headers_mut();
        h.insert("X-Rate-Limit-Limit", HeaderValue::from_static("10"));
        h.insert("X-Rate-Limit-Remaining", HeaderValue::from_static("0"));
        if let Ok(v) = HeaderValue::from_str(&reset.to_string()) {
            h.insert("X-Rate-Limit-Reset", v);
        }
        return r;
    }
    if calls <= f.authn_rate_limited + f.authn_server_errors {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if s.data.identity_engine {
        // An Identity Engine org whose policies the Classic API cannot satisfy answers this way.
        return error(
            StatusCode::UNAUTHORIZED,
            "E0000004",
            "Authentication failed",
        );
    }
    let org = org(&s, &headers);
    let body = match json_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(state_token) = body.get("stateToken").and_then(Value::as_str) {
        let tx = s.state().transactions.get(state_token).cloned();
        return match tx
            .filter(|t| t.expires > Utc::now())
            .and_then(|t| s.user(&t.login).map(|u| (t, u)))
        {
            Some((tx, user)) if user.factors.is_empty() => s.success(user, tx.step_up),
            Some((_, user)) => s.mfa_required(&org, user, state_token),
            None => invalid_token(),
        };
    }
    let username = body.get("username").and_then(Value::as_str).unwrap_or("");
    let password = body.get("password").and_then(Value::as_str).unwrap_or("");
    let Some(user) = s.user(username).filter(|u| s.password_of(u) == password) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "E0000004",
            "Authentication failed",
        );
    };
    match user.status.as_str() {
        "LOCKED_OUT" => axum::Json(json!({
            "status": "LOCKED_OUT",
            "_links": {"next": {"name": "unlock", "href": format!("{org}/api/v1/authn/recovery/unlock"), "hints": {"allow": ["POST"]}}},
        }))
        .into_response(),
        "PASSWORD_EXPIRED" => {
            let token = s.hand_out(format!("00{}", random_token(40)));
            axum::Json(json!({
                "stateToken": token,
                "expiresAt": ts(Utc::now() + Duration::seconds(TX_LIFETIME)),
                "status": "PASSWORD_EXPIRED",
                "_embedded": {"user": user_json(user)},
                "_links": {"next": {"name": "changePassword", "href": format!("{org}/api/v1/authn/credentials/change_password"), "hints": {"allow": ["POST"]}}},
            }))
            .into_response()
        }
        _ if user.factors.is_empty() => s.success(user, false),
        _ => {
            let token = s.begin(user, false);
            s.mfa_required(&org, user, &token)
        }
    }
}

/// POST /api/v1/authn/cancel
pub(crate) async fn cancel(State(s): State<AppState>, body: Bytes) -> Response {
    if let Ok(v) = serde_json::from_slice::<Value>(&body)
        && let Some(t) = v.get("stateToken").and_then(Value::as_str)
    {
        s.state().transactions.remove(t);
    }
    axum::Json(json!({"status": "UNAUTHENTICATED"})).into_response()
}

/// POST /api/v1/authn/factors/{id}/verify
pub(crate) async fn verify(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let org = org(&s, &headers);
    let body = match json_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let state_token = body
        .get("stateToken")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let tx = s.state().transactions.get(&state_token).cloned();
    let Some(tx) = tx.filter(|t| t.expires > Utc::now()) else {
        return invalid_token();
    };
    let Some(user) = s.user(&tx.login) else {
        return invalid_token();
    };
    let Some((_, listed_json, factor)) = listed_factors(&org, user)
        .into_iter()
        .find(|(listed, _, _)| *listed == id)
    else {
        return error(
            StatusCode::NOT_FOUND,
            "E0000007",
            &format!("Not found: Resource not found: {id} (UserFactor)"),
        );
    };
    let pass_code = body
        .get("passCode")
        .or_else(|| body.get("answer"))
        .and_then(Value::as_str)
        .map(str::trim);
    if pass_code.is_some() {
        s.state().counts.code_verify += 1;
    }
    let verify_href = format!("{org}/api/v1/authn/factors/{id}/verify");
    let challenge = |result: Option<&str>, next: &str, extra: Value| {
        let mut f = listed_json.clone();
        if !extra.is_null() {
            f["_embedded"] = extra;
        }
        let mut v = json!({
            "stateToken": state_token,
            "expiresAt": ts(tx.expires),
            "status": "MFA_CHALLENGE",
            "_embedded": {"user": user_json(user), "factor": f},
            "_links": {
                "next": {"name": next, "href": verify_href, "hints": {"allow": ["POST"]}},
                "cancel": {"href": format!("{org}/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}},
            },
        });
        if let Some(r) = result {
            v["factorResult"] = json!(r);
        }
        axum::Json(v).into_response()
    };
    let bad_code = || error(StatusCode::FORBIDDEN, "E0000068", "Invalid Passcode/Answer");
    let done = |ok: bool| {
        if ok {
            s.state().transactions.remove(&state_token);
            s.success(user, tx.step_up)
        } else {
            bad_code()
        }
    };
    match &factor {
        // Okta hands the user to Duo: the next link is the IdP redirect (sandbox/src/duo.rs).
        Factor::Duo { .. } => {
            let mut v = json!({
                "stateToken": state_token,
                "expiresAt": ts(tx.expires),
                "status": "MFA_CHALLENGE",
                "factorResult": "CHALLENGE",
                "_embedded": {"user": user_json(user), "factor": listed_json},
                "_links": {
                    "next": {"name": "redirect", "href": format!("{org}/sso/idps/{}?stateToken={state_token}", crate::duo::IDP_ID), "hints": {"allow": ["GET"]}},
                    "cancel": {"href": format!("{org}/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}},
                },
            });
            v["_embedded"]["policy"] = json!({"allowRememberDevice": false});
            axum::Json(v).into_response()
        }
        // The retired iframe: Okta answers with what Duo's JavaScript needs.
        Factor::DuoIframe => {
            let mut f = listed_json.clone();
            f["_embedded"] = json!({"verification": {
                "host": "api-sandbox.duosecurity.com",
                "signature": format!("TX|{}:APP|{}", random_token(40), random_token(40)),
                "_links": {"complete": {"href": format!("{org}/api/v1/authn/factors/{id}/lifecycle/duoCallback"), "hints": {"allow": ["POST"]}}},
            }});
            axum::Json(json!({
                "stateToken": state_token,
                "expiresAt": ts(tx.expires),
                "status": "MFA_CHALLENGE",
                "factorResult": "WAITING",
                "_embedded": {"user": user_json(user), "factor": f},
                "_links": {"next": {"name": "poll", "href": verify_href, "hints": {"allow": ["POST"]}}},
            }))
            .into_response()
        }
        // Okta's WebAuthn factor: the first POST hands out a challenge, the next carries the
        // assertion (clientData, authenticatorData, signatureData).
        Factor::Webauthn { .. } if body.get("clientData").is_none() => {
            let c = crate::webauthn::challenge();
            if let Some(t) = s.state().transactions.get_mut(&state_token) {
                t.webauthn_challenge = Some(c.clone());
            }
            challenge(
                None,
                "verify",
                json!({"challenge": crate::webauthn::challenge_data(&s, &factor, &c, &org)}),
            )
        }
        Factor::Webauthn { .. } => {
            // A challenge is answered once.
            let issued = s
                .state()
                .transactions
                .get_mut(&state_token)
                .and_then(|t| t.webauthn_challenge.take());
            let checked = match issued {
                Some(c) => crate::webauthn::check(&s, &factor, &c, &org, &body),
                None => Err("no challenge was handed out".into()),
            };
            match checked {
                Ok(()) => done(true),
                Err(_) => error(StatusCode::FORBIDDEN, "E0000068", "Invalid Passcode/Answer"),
            }
        }
        Factor::FastPass => error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: this factor is verified by the browser",
        ),
        Factor::Totp { secret } => match pass_code {
            None => challenge(None, "verify", Value::Null),
            Some(code) => match s.check_totp(&user.login, secret, code) {
                crate::TotpCheck::Reused => error(
                    StatusCode::FORBIDDEN,
                    "E0000082",
                    "Each code can only be used once. Please wait for a new code and try again.",
                ),
                check => done(check == crate::TotpCheck::Accepted),
            },
        },
        Factor::Sms {
            code: expected,
            phone,
        }
        | Factor::Email {
            code: expected,
            email: phone,
        } => match pass_code {
            None => {
                if let Some(t) = s.state().transactions.get_mut(&state_token) {
                    t.code_sent = true;
                }
                eprintln!(
                    "aws-token-sandbox: one-time code for {} sent to {phone}",
                    user.login
                );
                challenge(None, "verify", Value::Null)
            }
            // No code was sent in this transaction: none can be right.
            Some(_) if !tx.code_sent => bad_code(),
            Some(code) => done(code == expected),
        },
        Factor::Push {
            result,
            after_polls,
            number_challenge,
            ..
        } => {
            let posts = {
                let mut st = s.state();
                let Some(t) = st.transactions.get_mut(&state_token) else {
                    return invalid_token();
                };
                t.push_posts += 1;
                let n = t.push_posts;
                if n == 1 {
                    st.counts.pushes += 1;
                }
                if n > 1 {
                    // The first post sends the push; the later ones are polls.
                    st.poll_times.push(std::time::Instant::now());
                }
                n
            };
            let extra = match number_challenge {
                Some(n) => json!({"challenge": {"correctAnswer": n}}),
                None => Value::Null,
            };
            if posts <= *after_polls {
                return challenge(Some("WAITING"), "poll", extra);
            }
            match result.as_str() {
                "approve" => done(true),
                "reject" => challenge(Some("REJECTED"), "verify", Value::Null),
                _ => challenge(Some("TIMEOUT"), "verify", Value::Null),
            }
        }
    }
}

/// A TOTP checker for a base32 secret (SHA1, 6 digits, 30 s, one step of skew).
pub(crate) fn totp(secret_b32: &str) -> Result<totp_rs::TOTP, String> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|e| format!("bad TOTP secret: {e:?}"))?;
    Ok(totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
    ))
}

/// POST /api/v1/sessions {sessionToken}
pub(crate) async fn create_session(State(s): State<AppState>, body: Bytes) -> Response {
    let token = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("sessionToken")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let Some(session) = token.and_then(|t| s.redeem(&t)) else {
        return error(StatusCode::UNAUTHORIZED, "E0000005", "Invalid session");
    };
    let login = session.login.clone();
    let sid = s.new_session(session);
    let mut r = axum::Json(json!({
        "id": sid, "login": login, "userId": "00u", "status": "ACTIVE",
        "expiresAt": ts(Utc::now() + Duration::hours(2)), "mfaActive": true,
    }))
    .into_response();
    set_sid(&mut r, &sid);
    r
}

pub(crate) fn set_sid(r: &mut Response, sid: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("sid={sid}; Path=/; HttpOnly")) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn cookie_sid(headers: &HeaderMap) -> Option<String> {
    cookie(headers, "sid")
}

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(prefix.as_str()).map(str::to_owned))
}

/// GET /login/sessionCookieRedirect?token=..&redirectUrl=..
pub(crate) async fn session_cookie_redirect(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let login = q.get("token").and_then(|t| s.redeem(t));
    let existing = cookie_sid(&headers).filter(|sid| s.state().sessions.contains_key(sid));
    let redirect = q.get("redirectUrl").cloned().unwrap_or_else(|| "/".into());
    let mut r = (StatusCode::FOUND, [(header::LOCATION, redirect)]).into_response();
    match (login, existing) {
        (Some(session), _) => {
            let sid = s.new_session(session);
            set_sid(&mut r, &sid);
        }
        (None, Some(_)) => {}
        (None, None) => return sign_in_page(),
    }
    r
}

/// GET /.well-known/webfinger?resource=okta:acct:USER&rel=okta:idp: the user's IdP is this org
/// (Okta's IdP discovery; tokendito asks before it logs in).
pub(crate) async fn webfinger(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let subject = q.get("resource").cloned().unwrap_or_default();
    let org = org(&s, &headers);
    (
        [(header::CONTENT_TYPE, "application/jrd+json")],
        axum::Json(json!({
            "subject": subject,
            "links": [{
                "rel": "okta:idp",
                "href": format!("{org}/sso/idps/OKTA?login_hint={}", subject.trim_start_matches("okta:acct:")),
                "titles": {"und": "sandbox"},
                "properties": {"okta:idp:metadata": format!("{org}/api/v1/idps/OKTA/metadata.xml"), "okta:idp:type": "OKTA", "okta:idp:id": "OKTA"}
            }]
        })),
    )
        .into_response()
}

/// GET /.well-known/okta-organization: `v1` (Classic) or `idx` (Identity Engine).
pub(crate) async fn organization(State(s): State<AppState>) -> Response {
    s.state().counts.well_known += 1;
    if let Some(code) = s.data.faults.well_known_status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
        return (status, Html(format!("<title>{status}</title>"))).into_response();
    }
    let pipeline = if s.data.identity_engine { "idx" } else { "v1" };
    axum::Json(json!({"id": "00osandbox0000000001", "pipeline": pipeline, "_links": {"alternate": {"href": "https://sandbox.okta.example", "type": "text/html"}}, "settings": {"analyticsCollectionEnabled": false, "bugReportingEnabled": false, "omEnabled": false}}))
        .into_response()
}

/// GET /login/login.htm?fromURI=…: the sign-in page, drawn by JavaScript (a page that a plain HTML
/// client cannot use, as Okta's is). At an Identity Engine org it starts an IDX transaction and
/// carries its stateToken, escaped as Okta's page does.
pub(crate) async fn login_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if s.data.identity_engine {
        return crate::idx::sign_in_page(&s, q.get("fromURI").map_or("/", String::as_str));
    }
    let variant = if s.data.one_page_sign_in {
        "one-page"
    } else {
        "two-step"
    };
    Html(format!(
        "<!DOCTYPE html><html><head><title>Sandbox Okta - Sign In</title></head><body>\
         <div id=\"okta-sign-in\" data-variant=\"{variant}\"></div><noscript>Please enable JavaScript.</noscript>\
         <script>{}</script><script>{}</script></body></html>",
        include_str!("webauthn.js"),
        include_str!("widget.js")
    ))
    .into_response()
}

fn sign_in_page() -> Response {
    Html("<!DOCTYPE html><html><head><title>Sandbox Okta - Sign In</title></head><body><div id=\"signin-container\">Sign in to continue</div></body></html>")
        .into_response()
}

/// GET /home/amazon_aws/{app}/{n}: the SAML auto-post form for a signed-in, assigned user.
pub(crate) async fn embed_link(
    State(s): State<AppState>,
    Path((app_id, n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    s.state().counts.embed += 1;
    if let Some(ms) = s.data.faults.embed_delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let Some(app) = s.data.apps.iter().find(|a| a.id == app_id) else {
        return (
            StatusCode::NOT_FOUND,
            Html(
                "<html><head><title>404 Not Found</title></head><body>Page not found</body></html>",
            ),
        )
            .into_response();
    };
    let from_token = q.get("sessionToken").and_then(|t| s.redeem(t));
    let new_sid = from_token.clone().map(|session| s.new_session(session));
    let session = from_token.or_else(|| {
        let sid = cookie_sid(&headers)?;
        let session = s.state().sessions.get(&sid).cloned()?;
        // An Identity Engine session needs its idx cookie as well.
        match &session.idx {
            Some(idx) if cookie(&headers, "idx").as_ref() != Some(idx) => None,
            _ => Some(session),
        }
    });
    let Some((session, user)) = session.and_then(|se| s.user(&se.login).map(|u| (se, u))) else {
        // As Okta: to the sign-in page, coming back here afterwards.
        let back = format!("/home/amazon_aws/{}/{n}", app.id);
        let to = format!(
            "/login/login.htm?fromURI={}",
            url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
        );
        return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
    };
    let roles = user.apps.get(&app.id).cloned().unwrap_or_default();
    let mut r = if app.access_denied {
        (
            StatusCode::FORBIDDEN,
            Html("<html><head><title>App Access Locked</title></head><body><h1>App Access Locked</h1><p>Your access to this app is denied by a sign-on policy.</p></body></html>"),
        )
            .into_response()
    } else if app.step_up && !session.stepped_up && !roles.is_empty() && s.data.identity_engine {
        crate::idx::step_up_page(&s, &format!("/home/amazon_aws/{}/{n}", app.id), user)
    } else if app.step_up && !session.stepped_up && !roles.is_empty() {
        // Okta's step-up page: the widget resumes this transaction (dashes escaped as in Okta's JS).
        let token = s.begin(user, true).replace('-', "\\x2D");
        Html(format!(
            "<!DOCTYPE html><html><head><title>Sandbox Okta - Extra Verification</title></head><body>\
             <div id=\"okta-sign-in\"></div><script>var stateToken = '{token}';</script></body></html>"
        ))
        .into_response()
    } else if roles.is_empty() {
        (
            StatusCode::FORBIDDEN,
            Html("<html><head><title>403 Forbidden</title></head><body><h1>You are not allowed to access this app.</h1><p>The user is not assigned to this application.</p></body></html>"),
        )
            .into_response()
    } else {
        saml_form(&s, app, user, &roles)
    };
    if let Some(sid) = new_sid {
        set_sid(&mut r, &sid);
    }
    r
}

/// The auto-post form that carries a signed SAMLResponse for `user` in `app` to AWS.
pub(crate) fn saml_form(
    s: &crate::Shared,
    app: &crate::data::App,
    user: &User,
    roles: &[String],
) -> Response {
    let response = match &s.data.faults.saml_response {
        Some(forced) => forced.clone(),
        None => s.hand_out(saml::response(s, app, user, roles)),
    };
    let page = format!(
        "<!DOCTYPE html><html><head><title>Signing in to AWS</title></head><body onload=\"document.forms[0].submit()\">\
         <form id=\"appForm\" action=\"{}\" method=\"POST\">\
         <input name=\"SAMLResponse\" type=\"hidden\" value=\"{}\"/>\
         <input name=\"RelayState\" type=\"hidden\" value=\"\"/></form></body></html>",
        html_attr(app.acs.as_deref().unwrap_or(saml::AWS_ACS)),
        html_attr(&response)
    );
    if s.data.faults.embed_truncated {
        // Announce more than is sent: the client sees the connection end mid-body.
        // A stream that fails half-way: hyper sends the announced length, then drops the connection.
        let cut = page.as_bytes()[..page.len() / 2].to_vec();
        use futures_util::StreamExt;
        let first = futures_util::stream::iter([Ok::<_, std::io::Error>(cut)]);
        // The half is flushed before the stream fails.
        let fail = futures_util::stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            Err(std::io::Error::other("cut short"))
        });
        let mut r = axum::body::Body::from_stream(first.chain(fail)).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        if let Ok(v) = HeaderValue::from_str(&page.len().to_string()) {
            r.headers_mut().insert(header::CONTENT_LENGTH, v);
        }
        return r;
    }
    Html(page).into_response()
}

/// Okta entity-encodes attribute values (`&#x2b;` for `+`); so does the sandbox.
fn html_attr(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c.to_string(),
            c => format!("&#x{:x};", c as u32),
        })
        .collect()
}
