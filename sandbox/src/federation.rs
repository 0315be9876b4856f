//! The AWS federation endpoint, as `aws-token console` uses it: `Action=getSigninToken` with a
//! `Session` of credentials this sandbox's STS issued answers `{"SigninToken": ...}`; anything else
//! (unknown, wrong secret, expired) is 400, as AWS answers. `Action=login` with a token it issued
//! answers a page naming the role and the destination.

use crate::{AppState, random_token};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// GET /federation
pub(crate) async fn handle(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match q.get("Action").map(String::as_str) {
        Some("getSigninToken") => {
            s.state().counts.signin_token += 1;
            let session: serde_json::Value = match q.get("Session").map(|v| serde_json::from_str(v))
            {
                Some(Ok(v)) => v,
                _ => {
                    return (StatusCode::BAD_REQUEST, "Session is missing or not JSON")
                        .into_response();
                }
            };
            let field = |k: &str| session[k].as_str().unwrap_or_default().to_owned();
            let Some((arn, _)) = crate::sts::live_session(
                &s,
                &field("sessionId"),
                &field("sessionKey"),
                &field("sessionToken"),
            ) else {
                return (
                    StatusCode::BAD_REQUEST,
                    "The session credentials are not valid",
                )
                    .into_response();
            };
            let token = s.hand_out(random_token(120));
            s.state().signin_tokens.insert(token.clone(), arn);
            axum::Json(serde_json::json!({ "SigninToken": token })).into_response()
        }
        Some("login") => {
            let token = q.get("SigninToken").cloned().unwrap_or_default();
            let Some(arn) = s.state().signin_tokens.remove(&token) else {
                return (StatusCode::BAD_REQUEST, "Invalid SigninToken").into_response();
            };
            let destination = q.get("Destination").cloned().unwrap_or_default();
            Html(format!(
                "<!DOCTYPE html><title>AWS console (sandbox)</title><p>Signed in as {} to {}</p>",
                quick_xml::escape::escape(&arn),
                quick_xml::escape::escape(&destination)
            ))
            .into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "Unknown Action").into_response(),
    }
}
