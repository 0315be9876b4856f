//! The sandbox's Microsoft Entra ID tenant (shared/entra-protocol.md, shaped from the pages and
//! answers saml2aws' AzureAD provider tests record): the AWS app's user access URL (My Apps, or the
//! `redirecttofederatedapplication.aspx` link) sends the browser to the tenant's `saml2` endpoint
//! with a SAMLRequest; every page then carries a `$Config` JSON block (page id `pgid`, `sFT` /
//! `sFTName`, `sCtx`, `canary` / `apiCanary`, the next URLs): ConvergedSignIn, GetCredentialType,
//! the password POST, ConvergedProofUpRedirect, ConvergedTFA with the SAS endpoints (BeginAuth,
//! EndAuth polled, ProcessAuth), KmsiInterrupt, a hidden auto-posting form, and the SAMLResponse form
//! for AWS. A federated domain signs in at the tenant's forms ADFS and comes back through
//! `login.srf`. Errors are AADSTS codes in `sErrorCode` / `ErrCode`. The login host is
//! `localhost:PORT` (another origin than the app link's `127.0.0.1:PORT`, as login.microsoftonline.com
//! is); the session is the `ESTSAUTH` cookie (and `ESTSAUTHPERSISTENT` after "stay signed in").

use crate::data::{EntraMethod, EntraTenant, EntraUser};
use crate::{AppState, Shared, random_token};
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

/// One sign-in in progress, by its `sCtx`.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    login: Option<String>,
    /// The current flow token (`sFT`): every answer hands out a new one.
    flow_token: String,
    api_canary: String,
    password_ok: bool,
    mfa_done: bool,
    /// The SAS session of the MFA method begun.
    sas: Option<Sas>,
}

#[derive(Debug, Clone)]
struct Sas {
    session_id: String,
    method: String,
    polls: u32,
}

fn tenant(s: &Shared) -> Option<&EntraTenant> {
    s.data.entra.as_ref()
}

fn user<'a>(s: &'a Shared, login: &str) -> Option<&'a EntraUser> {
    tenant(s)?
        .users
        .iter()
        .find(|u| u.login.eq_ignore_ascii_case(login))
}

/// `http://localhost:PORT`: the tenant's login host, from the request's Host.
fn login_host(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let port = host.rsplit_once(':').map_or("80", |(_, p)| p);
    format!("http://localhost:{port}")
}

/// `http://127.0.0.1:PORT`: the app link's and the ADFS host.
fn app_host(headers: &HeaderMap) -> String {
    login_host(headers).replacen("localhost", "127.0.0.1", 1)
}

/// A page with a `$Config` block, as Entra draws every step (`&` written `\u0026`).
fn config_page(pgid: &str, config: Value) -> Response {
    let json = config.to_string().replace('&', "\\u0026");
    Html(format!(
        "\n\n<!-- Copyright (C) Microsoft Corporation. All rights reserved. -->\n<!DOCTYPE html>\n<html dir=\"ltr\" class=\"\" lang=\"en\">\n<head>\n    <title>Sign in to your account</title>\n    <meta name=\"PageID\" content=\"{pgid}\" />\n<script type=\"text/javascript\">//<![CDATA[\n$Config={json};\n//]]></script>\n<script type=\"text/javascript\">\n        ServerData = $Config;\n    </script>\n</head>\n<body data-bind=\"defineGlobals: ServerData, bodyCssClass\" class=\"cb\" style=\"display: none\">\n<div id=\"entra\" data-pgid=\"{pgid}\"></div>\n<script type=\"text/javascript\">{ui}</script>\n</body>\n</html>",
        ui = include_str!("entra_ui.js"),
    ))
    .into_response()
}

/// The common `$Config` keys of a step of `flow` (under `ctx`).
fn base_config(s: &Shared, ctx: &str, flow: &Flow, pgid: &str, hpgid: u32) -> Value {
    let t = tenant(s).map_or("", |t| t.tenant_id.as_str());
    json!({
        "urlPost": format!("/{t}/login"),
        "sFT": flow.flow_token, "sFTName": "flowToken", "sCtx": ctx,
        "apiCanary": flow.api_canary, "canary": format!("{}=9:1", random_token(40)),
        "correlationId": random_token(36), "sessionId": random_token(36),
        "hpgact": 1800, "hpgid": hpgid, "pgid": pgid, "sErrorCode": "", "sErrTxt": "",
        "sPOST_Username": flow.login.clone().unwrap_or_default(),
        "country": "DE", "locale": {"mkt": "en-US", "lcid": 1033},
        "autofill": tenant(s).and_then(|t| t.autofill.clone()),
    })
}

/// Store `flow` under `ctx` with a new flow token and canary; returns it.
fn advance(s: &Shared, ctx: &str, mut flow: Flow) -> Flow {
    flow.flow_token = s.hand_out(format!("AQABAAEAAAD{}", random_token(60)));
    flow.api_canary = random_token(40);
    s.state().entra_flows.insert(ctx.to_owned(), flow.clone());
    flow
}

fn sign_in_page(s: &Shared, ctx: &str, flow: Flow, error: Option<(&str, &str)>) -> Response {
    let flow = advance(s, ctx, flow);
    let mut c = base_config(s, ctx, &flow, "ConvergedSignIn", 1104);
    c["urlGetCredentialType"] = json!("/common/GetCredentialType?mkt=en-US");
    if let Some((code, text)) = error {
        c["sErrorCode"] = json!(code);
        c["sErrTxt"] = json!(text);
    }
    config_page("ConvergedSignIn", c)
}

/// GET /applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId=…:
/// the page whose script sends the browser on with a SAMLRequest.
pub(crate) async fn linked_sign_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(t) = tenant(&s) else {
        return not_found();
    };
    if q.get("applicationId") != Some(&t.app_id)
        || q.get("Operation").map(String::as_str) != Some("LinkedSignIn")
    {
        return not_found();
    }
    let to = saml_request_url(&headers, t);
    Html(format!(
        "<!DOCTYPE html><html><head><title></title><meta name=\"WT.ti\" content=\"RedirectToApplicationPage\" /></head><body><form name=\"RedirectToFederatedApplicationForm\" method=\"post\" action=\"./redirecttofederatedapplication.aspx?Operation=LinkedSignIn&amp;applicationId={}\"></form><script type=\"text/javascript\">\n//<![CDATA[\nSys.Application.add_load( function() {{ }} );window.location = '{to}';var DialogManager = null;\n//]]>\n</script></body></html>",
        t.app_id
    ))
    .into_response()
}

/// GET /signin/{app}?tenantId=…: My Apps' link, a redirect on.
pub(crate) async fn my_apps(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(app): Path<String>,
) -> Response {
    match tenant(&s).filter(|t| t.app_id == app) {
        Some(t) => (
            StatusCode::FOUND,
            [(header::LOCATION, saml_request_url(&headers, t))],
        )
            .into_response(),
        None => not_found(),
    }
}

fn saml_request_url(headers: &HeaderMap, t: &EntraTenant) -> String {
    let request = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!(
            "<samlp:AuthnRequest ID=\"id{}\" Issuer=\"https://signin.aws.amazon.com/saml\"/>",
            random_token(20)
        ),
    );
    let mut u = format!(
        "{}/{}/saml2?RelayState={}",
        login_host(headers),
        t.tenant_id,
        t.app_id
    );
    u.push_str("&SAMLRequest=");
    u.extend(url::form_urlencoded::byte_serialize(request.as_bytes()));
    u
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html("<title>404</title>Not found")).into_response()
}

/// The login of the session the request's ESTSAUTH / ESTSAUTHPERSISTENT cookie names.
fn session_login(s: &Shared, headers: &HeaderMap) -> Option<String> {
    ["ESTSAUTH", "ESTSAUTHPERSISTENT"].iter().find_map(|name| {
        let v = crate::okta::cookie(headers, name)?;
        s.state().entra_sessions.get(&v).cloned()
    })
}

/// GET /{tenant}/saml2?SAMLRequest=…: signed in already (a session cookie) -> the SAML form; else
/// the sign-in page of a new flow.
pub(crate) async fn saml2(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(t): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if tenant(&s).is_none_or(|x| x.tenant_id != t) || !q.contains_key("SAMLRequest") {
        return not_found();
    }
    if let Some(login) = session_login(&s, &headers) {
        return finish(&s, &login);
    }
    let ctx = s.hand_out(format!("rQQIAR{}", random_token(80)));
    let flow = Flow {
        login: None,
        flow_token: String::new(),
        api_canary: String::new(),
        password_ok: false,
        mfa_done: false,
        sas: None,
    };
    sign_in_page(&s, &ctx, flow, None)
}

/// POST /common/GetCredentialType: what the user signs in with; a federated domain's redirect.
pub(crate) async fn get_credential_type(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    };
    let text = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let ctx = text("originalRequest");
    let Some(flow) = s.state().entra_flows.get(&ctx).cloned() else {
        return (StatusCode::BAD_REQUEST, "unknown originalRequest").into_response();
    };
    let canary = headers
        .get("canary")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if canary != flow.api_canary || text("flowToken") != flow.flow_token {
        return (StatusCode::BAD_REQUEST, "invalid canary or flow token").into_response();
    }
    let username = text("username");
    let flow = advance(
        &s,
        &ctx,
        Flow {
            login: Some(username.clone()),
            ..flow
        },
    );
    let exists = user(&s, &username).is_some();
    let federated = tenant(&s)
        .and_then(|t| t.federated_domain.as_deref())
        .is_some_and(|d| username.to_lowercase().ends_with(&format!("@{d}")));
    let mut credentials = json!({"PrefCredential": 1, "HasPassword": true, "RemoteNgcParams": null, "FidoParams": null, "SasParams": null, "CertAuthParams": null, "GoogleParams": null, "FacebookParams": null});
    if federated {
        credentials["PrefCredential"] = json!(4);
        let mut u = format!(
            "{}/adfs/ls/?client-request-id={}&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=",
            app_host(&headers),
            random_token(36)
        );
        u.extend(url::form_urlencoded::byte_serialize(ctx.as_bytes()));
        u.push_str("&username=");
        u.extend(url::form_urlencoded::byte_serialize(username.as_bytes()));
        credentials["FederationRedirectUrl"] = json!(u);
    }
    axum::Json(json!({
        "Username": username, "Display": username, "IfExistsResult": if exists { 0 } else { 1 },
        "IsUnmanaged": false, "ThrottleStatus": 0, "Credentials": credentials,
        "EstsProperties": {"UserTenantBranding": null, "DomainType": if federated { 4 } else { 3 }},
        "FlowToken": flow.flow_token, "IsSignupDisallowed": true, "apiCanary": flow.api_canary,
    }))
    .into_response()
}

/// The flow of the form's `ctx` when its flow token is the current one.
fn flow_of(s: &Shared, f: &HashMap<String, String>, ctx_field: &str) -> Option<(String, Flow)> {
    let ctx = f.get(ctx_field)?.clone();
    let flow = s.state().entra_flows.get(&ctx).cloned()?;
    (f.get("flowToken") == Some(&flow.flow_token)).then_some((ctx, flow))
}

/// POST /{tenant}/login: the password.
pub(crate) async fn login(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((ctx, flow)) = flow_of(&s, &f, "ctx") else {
        return expired();
    };
    s.state().counts.entra_password += 1;
    let login = f.get("login").cloned().unwrap_or_default();
    let flow = Flow {
        login: Some(login.clone()),
        ..flow
    };
    let Some(u) = user(&s, &login).filter(|u| Some(&u.password) == f.get("passwd")) else {
        return sign_in_page(
            &s,
            &ctx,
            flow,
            Some((
                "50126",
                "Your account or password is incorrect. If you don't remember your password, reset it now.",
            )),
        );
    };
    if u.locked {
        return sign_in_page(
            &s,
            &ctx,
            flow,
            Some((
                "50053",
                "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password.",
            )),
        );
    }
    let u = u.clone();
    after_password(
        &s,
        &ctx,
        Flow {
            password_ok: true,
            ..flow
        },
        &u,
    )
}

/// After the password: MFA registration to skip, MFA, or "stay signed in?".
fn after_password(s: &Shared, ctx: &str, flow: Flow, u: &EntraUser) -> Response {
    let t = tenant(s).map_or("", |t| t.tenant_id.as_str()).to_owned();
    if u.proof_up && !flow.mfa_done {
        let flow = advance(s, ctx, flow);
        let mut c = base_config(s, ctx, &flow, "ConvergedProofUpRedirect", 1129);
        let mut skip = format!("/{t}/SkipMfaRegistration?ctx=");
        skip.extend(url::form_urlencoded::byte_serialize(ctx.as_bytes()));
        c["urlSkipMfaRegistration"] = json!(skip);
        c["iRemainingDaysToSkipMfaRegistration"] = json!(14);
        return config_page("ConvergedProofUpRedirect", c);
    }
    if !u.methods.is_empty() && !flow.mfa_done {
        let flow = advance(s, ctx, flow);
        let mut c = base_config(s, ctx, &flow, "ConvergedTFA", 1114);
        let proofs: Vec<Value> = u
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (id, display) = match m {
                    EntraMethod::PhoneAppNotification { .. } => ("PhoneAppNotification", "+XX XXX XXXX X46".to_owned()),
                    EntraMethod::PhoneAppOtp { .. } => ("PhoneAppOTP", "+XX XXX XXXX X46".to_owned()),
                    EntraMethod::OneWaySms { phone, .. } => ("OneWaySMS", phone.clone()),
                };
                json!({"authMethodId": id, "data": id, "display": display, "isDefault": i == 0, "isLocationAware": false})
            })
            .collect();
        c["arrUserProofs"] = json!(proofs);
        c["urlBeginAuth"] = json!("/common/SAS/BeginAuth");
        c["urlEndAuth"] = json!("/common/SAS/EndAuth");
        c["urlPost"] = json!(format!("/{t}/SAS/ProcessAuth"));
        c["oPerAuthPollingInterval"] = json!({"PhoneAppNotification": 1.0});
        c["iMaxPollAttempts"] = json!(10);
        return config_page("ConvergedTFA", c);
    }
    let flow = advance(s, ctx, flow);
    let mut c = base_config(s, ctx, &flow, "KmsiInterrupt", 1115);
    c["urlPost"] = json!("/kmsi");
    config_page("KmsiInterrupt", c)
}

/// GET /{tenant}/SkipMfaRegistration?ctx=…: "skip for now".
pub(crate) async fn skip_mfa_registration(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = q.get("ctx").cloned().unwrap_or_default();
    let flow = s.state().entra_flows.get(&ctx).cloned();
    let Some(flow) = flow.filter(|f| f.password_ok) else {
        return expired();
    };
    let Some(u) = flow.login.as_deref().and_then(|l| user(&s, l)).cloned() else {
        return expired();
    };
    after_password(
        &s,
        &ctx,
        Flow {
            mfa_done: true,
            ..flow
        },
        &u,
    )
}

fn sas(v: Value) -> Response {
    axum::Json(v).into_response()
}

/// POST /common/SAS/BeginAuth `{AuthMethodId, Method, Ctx, FlowToken}`.
pub(crate) async fn begin_auth(State(s): State<AppState>, body: Bytes) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    };
    let text = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let ctx = text("Ctx");
    let flow = s.state().entra_flows.get(&ctx).cloned();
    let Some(flow) = flow.filter(|f| f.password_ok && f.flow_token == text("FlowToken")) else {
        return sas(
            json!({"Success": false, "ResultValue": "InvalidSession", "ErrCode": 90015, "Retry": false, "Message": "The session is no longer valid."}),
        );
    };
    let Some(u) = flow.login.as_deref().and_then(|l| user(&s, l)).cloned() else {
        return sas(
            json!({"Success": false, "ResultValue": "InvalidSession", "ErrCode": 90015, "Retry": false}),
        );
    };
    let method = text("AuthMethodId");
    let Some(m) = u.methods.iter().find(|m| method_id(m) == method) else {
        return sas(
            json!({"Success": false, "ResultValue": "AuthMethodNotRegistered", "ErrCode": 500121, "Retry": false, "Message": "This method is not registered for the user."}),
        );
    };
    let entropy = match m {
        EntraMethod::PhoneAppNotification { number, .. } => *number,
        EntraMethod::OneWaySms { phone, .. } => {
            eprintln!(
                "aws-token-sandbox: Entra SMS code for {} sent to {phone}",
                u.login
            );
            0
        }
        EntraMethod::PhoneAppOtp { .. } => 0,
    };
    let session_id = random_token(36);
    let flow = advance(
        &s,
        &ctx,
        Flow {
            sas: Some(Sas {
                session_id: session_id.clone(),
                method: method.clone(),
                polls: 0,
            }),
            ..flow
        },
    );
    sas(json!({
        "Success": true, "ResultValue": "Success", "Message": null, "AuthMethodId": method, "ErrCode": 0,
        "Retry": false, "FlowToken": flow.flow_token, "Ctx": ctx, "SessionId": session_id,
        "CorrelationId": random_token(36), "Timestamp": crate::okta::ts(chrono::Utc::now()), "Entropy": entropy,
    }))
}

fn method_id(m: &EntraMethod) -> &'static str {
    match m {
        EntraMethod::PhoneAppNotification { .. } => "PhoneAppNotification",
        EntraMethod::PhoneAppOtp { .. } => "PhoneAppOTP",
        EntraMethod::OneWaySms { .. } => "OneWaySMS",
    }
}

/// POST /common/SAS/EndAuth: the code, or a poll of the push.
pub(crate) async fn end_auth(State(s): State<AppState>, body: Bytes) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    };
    let text = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let ctx = text("Ctx");
    let flow = s.state().entra_flows.get(&ctx).cloned();
    let Some((flow, mut sas_state)) = flow
        .filter(|f| f.flow_token == text("FlowToken"))
        .and_then(|f| f.sas.clone().map(|x| (f, x)))
        .filter(|(_, x)| x.session_id == text("SessionId"))
    else {
        return sas(
            json!({"Success": false, "ResultValue": "InvalidSession", "ErrCode": 90015, "Retry": false, "Message": "The session is no longer valid."}),
        );
    };
    let Some(u) = flow.login.as_deref().and_then(|l| user(&s, l)).cloned() else {
        return sas(
            json!({"Success": false, "ResultValue": "InvalidSession", "ErrCode": 90015, "Retry": false}),
        );
    };
    let Some(m) = u
        .methods
        .iter()
        .find(|m| method_id(m) == sas_state.method)
        .cloned()
    else {
        return sas(
            json!({"Success": false, "ResultValue": "InvalidSession", "ErrCode": 90015, "Retry": false}),
        );
    };
    let code = text("AdditionalAuthData");
    if !code.is_empty() {
        s.state().counts.entra_codes += 1;
    }
    sas_state.polls += 1;
    let refused = |value: &str, message: &str| json!({"Success": false, "ResultValue": value, "Message": message, "AuthMethodId": sas_state.method, "ErrCode": 500121, "Retry": false});
    let outcome: Result<(), Value> = match &m {
        EntraMethod::PhoneAppNotification {
            result,
            after_polls,
            ..
        } => {
            if sas_state.polls <= *after_polls {
                let flow = advance(
                    &s,
                    &ctx,
                    Flow {
                        sas: Some(sas_state.clone()),
                        ..flow
                    },
                );
                return sas(
                    json!({"Success": false, "ResultValue": "AuthenticationPending", "Message": null, "AuthMethodId": sas_state.method, "ErrCode": 0, "Retry": true, "FlowToken": flow.flow_token, "Ctx": ctx, "SessionId": sas_state.session_id, "Entropy": 0}),
                );
            }
            match result.as_str() {
                "approve" => Ok(()),
                "deny" => Err(refused(
                    "PhoneAppDenied",
                    "You've denied the sign-in request.",
                )),
                _ => Err(refused(
                    "PhoneAppNoResponse",
                    "We didn't receive a response to the sign-in request.",
                )),
            }
        }
        EntraMethod::PhoneAppOtp { secret } => match s.check_totp(&u.login, secret, code.trim()) {
            crate::TotpCheck::Accepted => Ok(()),
            crate::TotpCheck::Reused => Err(refused(
                "OathCodeDuplicate",
                "This code has already been used. Wait for a new one.",
            )),
            crate::TotpCheck::Wrong => Err(refused(
                "OathCodeIncorrect",
                "You entered the wrong code. Please try again.",
            )),
        },
        EntraMethod::OneWaySms { code: expected, .. } => {
            if code.trim() == expected {
                Ok(())
            } else {
                Err(refused(
                    "SMSAuthFailedWrongCodeEntered",
                    "You entered the wrong code. Please try again.",
                ))
            }
        }
    };
    match outcome {
        Ok(()) => {
            let flow = advance(
                &s,
                &ctx,
                Flow {
                    mfa_done: true,
                    sas: Some(sas_state.clone()),
                    ..flow
                },
            );
            sas(
                json!({"Success": true, "ResultValue": "Success", "Message": null, "AuthMethodId": sas_state.method, "ErrCode": 0, "Retry": false, "FlowToken": flow.flow_token, "Ctx": ctx, "SessionId": sas_state.session_id, "Entropy": 0}),
            )
        }
        Err(v) => sas(v),
    }
}

/// POST /{tenant}/SAS/ProcessAuth `{flowToken, request, login}`: MFA done -> "stay signed in?".
pub(crate) async fn process_auth(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    match flow_of(&s, &f, "request") {
        Some((ctx, flow)) if flow.mfa_done => {
            let Some(u) = flow.login.as_deref().and_then(|l| user(&s, l)).cloned() else {
                return expired();
            };
            after_password(&s, &ctx, flow, &u)
        }
        _ => error_page(
            "ConvergedError",
            "500121",
            "Authentication failed during strong authentication request.",
        ),
    }
}

/// POST /kmsi `{flowToken, ctx, LoginOptions}`: the session opens (persistent with LoginOptions=1),
/// then a hidden form carries the browser on.
pub(crate) async fn kmsi(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((_, flow)) = flow_of(&s, &f, "ctx").filter(|(_, fl)| fl.password_ok) else {
        return expired();
    };
    let login = flow.login.clone().unwrap_or_default();
    // "Stay signed in?" comes after the MFA the user has: the session is never opened on the
    // password alone (a client that skipped ConvergedTFA gets nothing).
    let needs_mfa = user(&s, &login).is_some_and(|u| !u.methods.is_empty());
    if needs_mfa && !flow.mfa_done {
        return expired();
    }
    let session = s.hand_out(random_token(120));
    s.state()
        .entra_sessions
        .insert(session.clone(), login.clone());
    let code = random_token(40);
    s.state().entra_codes.insert(code.clone(), login);
    let t = tenant(&s).map_or("", |t| t.tenant_id.as_str()).to_owned();
    let mut r = Html(format!(
        "<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"{}/{t}/reprocess\"><input type=\"hidden\" name=\"code\" value=\"{code}\" /><input type=\"hidden\" name=\"state\" value=\"{}\" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form><script language=\"javascript\">document.forms[0].submit();</script></body></html>",
        login_host(&headers),
        random_token(30)
    ))
    .into_response();
    let persistent = f.get("LoginOptions").map(String::as_str) == Some("1");
    let cookie =
        |name: &str| HeaderValue::from_str(&format!("{name}={session}; path=/; HttpOnly")).ok();
    for name in if persistent {
        &["ESTSAUTH", "ESTSAUTHPERSISTENT"][..]
    } else {
        &["ESTSAUTH"][..]
    } {
        if let Some(v) = cookie(name) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&format!("buid={}; path=/; HttpOnly", random_token(20))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// POST /{tenant}/reprocess `{code, state}`: the hidden form's target -> the app.
pub(crate) async fn reprocess(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let login = f.get("code").and_then(|c| s.state().entra_codes.remove(c));
    match login {
        Some(login) => finish(&s, &login),
        None => expired(),
    }
}

/// The end of a sign-in as `login`: a Conditional Access block, an unassigned user, or the SAML
/// form that posts to AWS.
fn finish(s: &Shared, login: &str) -> Response {
    let Some(u) = user(s, login).cloned() else {
        return error_page(
            "ConvergedError",
            "50034",
            "The user account does not exist in this directory.",
        );
    };
    if u.blocked_by_conditional_access {
        return error_page(
            "ConvergedConditionalAccess",
            "53003",
            "You cannot access this right now. Your sign-in was successful but does not meet the criteria to access this resource. For example, you might be signing in from a browser, app, or location that is restricted by your admin.",
        );
    }
    if u.roles.is_empty() {
        return error_page(
            "ConvergedError",
            "50105",
            "Your administrator has configured the application AWS Single-Account Access to block users unless they are specifically granted ('assigned') access to the application.",
        );
    }
    let Some(t) = tenant(s) else {
        return not_found();
    };
    let app = crate::data::App {
        id: format!("ent{}", t.app_id.replace('-', "")),
        provider_name: "AzureAD".into(),
        session_duration: Some(43200),
        acs: None,
        step_up: false,
        access_denied: false,
    };
    let okta_user = crate::data::User {
        login: u.login.clone(),
        password: String::new(),
        status: "ACTIVE".into(),
        factors: Vec::new(),
        apps: Default::default(),
    };
    let saml = s.hand_out(crate::saml::response(s, &app, &okta_user, &u.roles));
    Html(format!(
        "<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"https://signin.aws.amazon.com/saml\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"{saml}\" /><input type=\"hidden\" name=\"RelayState\" value=\"{}\" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form><script language=\"javascript\">document.forms[0].submit();</script></body></html>",
        t.app_id
    ))
    .into_response()
}

/// The error page of a request whose flow is unknown or spent (AADSTS90015).
fn expired() -> Response {
    error_page(
        "ConvergedError",
        "90015",
        "The request is no longer valid: sign in again.",
    )
}

/// An error page: `$Config` with the page id, the AADSTS code and its text.
fn error_page(pgid: &str, code: &str, text: &str) -> Response {
    config_page(
        pgid,
        json!({"pgid": pgid, "sErrorCode": code, "sErrTxt": text, "iErrorCode": code.parse::<u32>().unwrap_or(0),
               "strServiceExceptionMessage": format!("AADSTS{code}: {text}"), "correlationId": random_token(36)}),
    )
}

// ---- The tenant's ADFS (a federated domain) ----

/// GET /adfs/ls/?…: the forms sign-in page.
pub(crate) async fn adfs_page(Query(q): Query<HashMap<String, String>>) -> Response {
    adfs_form(&q, None)
}

fn adfs_form(q: &HashMap<String, String>, error: Option<&str>) -> Response {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.iter())
        .finish();
    let err = error.map_or(String::new(), |e| {
        format!("<span id=\"errorText\" class=\"error\">{e}</span>")
    });
    Html(format!(
        "<!DOCTYPE html><html><head><title>Sign In</title></head><body><div id=\"loginArea\"><form method=\"post\" id=\"loginForm\" autocomplete=\"off\" action=\"/adfs/ls/?{}\"><div id=\"error\" class=\"fieldMargin error smallText\">{err}</div><input id=\"userNameInput\" name=\"UserName\" type=\"email\" value=\"{}\" /><input id=\"passwordInput\" name=\"Password\" type=\"password\" /><input id=\"kmsiInput\" type=\"checkbox\" name=\"Kmsi\" value=\"true\" /><input id=\"optionForms\" type=\"hidden\" name=\"AuthMethod\" value=\"FormsAuthentication\"/><span id=\"submitButton\" class=\"submit\" role=\"button\">Sign in</span></form></div></body></html>",
        query.replace('&', "&amp;"),
        q.get("username").map_or(String::new(), |u| u.replace('"', "&quot;"))
    ))
    .into_response()
}

/// POST /adfs/ls/?…: the password at ADFS; a hidden form back to the tenant.
pub(crate) async fn adfs_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    s.state().counts.entra_password += 1;
    let login = f.get("UserName").cloned().unwrap_or_default();
    let ok = f.get("AuthMethod").map(String::as_str) == Some("FormsAuthentication")
        && user(&s, &login).is_some_and(|u| Some(&u.password) == f.get("Password"));
    if !ok {
        return adfs_form(
            &q,
            Some(
                "Incorrect user ID or password. Type the correct user ID and password, and try again.",
            ),
        );
    }
    let token = random_token(60);
    s.state().entra_codes.insert(token.clone(), login);
    let wctx = q.get("wctx").cloned().unwrap_or_default();
    Html(format!(
        "<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"{}/login.srf\"><input type=\"hidden\" name=\"wa\" value=\"wsignin1.0\" /><input type=\"hidden\" name=\"wresult\" value=\"{token}\" /><input type=\"hidden\" name=\"wctx\" value=\"{}\" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form><script language=\"javascript\">document.forms[0].submit();</script></body></html>",
        login_host(&headers),
        wctx.replace('"', "&quot;")
    ))
    .into_response()
}

/// POST /login.srf `{wa, wresult, wctx}`: ADFS's token back at the tenant.
pub(crate) async fn login_srf(
    State(s): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let login = f
        .get("wresult")
        .and_then(|t| s.state().entra_codes.remove(t));
    let ctx = f.get("wctx").cloned().unwrap_or_default();
    let flow = s.state().entra_flows.get(&ctx).cloned();
    match (login, flow) {
        (Some(login), Some(flow)) => {
            let Some(u) = user(&s, &login).cloned() else {
                return error_page(
                    "ConvergedError",
                    "50034",
                    "The user account does not exist in this directory.",
                );
            };
            after_password(
                &s,
                &ctx,
                Flow {
                    login: Some(login),
                    password_ok: true,
                    ..flow
                },
                &u,
            )
        }
        _ => expired(),
    }
}
