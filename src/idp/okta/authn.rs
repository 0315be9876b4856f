//! Okta's Classic Authn API state machine: primary authentication, then each transaction status
//! (MFA_REQUIRED, MFA_CHALLENGE, LOCKED_OUT, PASSWORD_EXPIRED, ...) until SUCCESS gives a
//! sessionToken. Okta's errorCodes become distinct messages; no secret is ever part of one.

use super::{Ctx, mfa};
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::secret::Secret;
use serde::Deserialize;
use serde_json::Value;

/// An authentication transaction (authn.md "Authentication transaction object").
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Transaction {
    pub status: String,
    pub state_token: Option<Secret<String>>,
    pub session_token: Option<Secret<String>>,
    pub factor_result: Option<String>,
    #[serde(rename = "_embedded", default)]
    pub embedded: Embedded,
    #[serde(rename = "_links", default)]
    pub links: Links,
}

/// `_embedded`: the factors on offer (`factors`, or `factor` in newer docs) or the chosen `factor`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Embedded {
    #[serde(default)]
    pub factors: Option<Vec<Value>>,
    #[serde(default)]
    pub factor: Option<Value>,
}

/// The links aws-token follows.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Links {
    pub next: Option<Link>,
    pub skip: Option<Link>,
}

/// One HAL link.
#[derive(Debug, Deserialize)]
pub(super) struct Link {
    pub name: Option<String>,
    pub href: String,
}

/// An Okta error body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaError {
    error_code: Option<String>,
    error_summary: Option<String>,
    #[serde(default)]
    error_causes: Vec<OktaCause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaCause {
    error_summary: Option<String>,
}

/// POST `body` to `url` and read a transaction, mapping Okta error bodies.
pub(super) async fn post(ctx: &Ctx<'_>, url: &url::Url, body: &Value) -> Result<Transaction> {
    let shown = display_url(url);
    // A password or a code must not reach Okta twice (a second wrong attempt could lock the user
    // out); polls and state-token-only requests may be repeated.
    let resend = if ["password", "passCode", "answer", "clientData"]
        .iter()
        .any(|k| body.get(k).is_some())
    {
        Resend::OnlyIfNotTaken
    } else {
        Resend::Safe
    };
    let resp = ctx
        .http
        .send(&shown, resend, |c| {
            c.post(url.clone())
                .header("Accept", "application/json")
                .json(body)
        })
        .await?;
    let (status, bytes) = ctx.http.read_body(resp, &shown).await?;
    if !status.is_success() {
        let err: OktaError = serde_json::from_slice(&bytes).unwrap_or_default();
        return Err(okta_error(ctx, &shown, status.as_u16(), err));
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::Protocol {
        url: shown,
        message: format!("not an Okta authentication transaction (HTTP {status}): {e}"),
    })
}

fn okta_error(ctx: &Ctx<'_>, url: &str, status: u16, e: OktaError) -> Error {
    let code = e.error_code.unwrap_or_default();
    let summary = e.error_summary.unwrap_or_else(|| format!("HTTP {status}"));
    let auth = |message: String| Error::Authentication {
        url: ctx.org.to_string(),
        message,
    };
    match code.as_str() {
        "E0000004" => Error::WrongPassword {
            url: ctx.org.to_string(),
            message: "wrong username or password (E0000004); check both, or ask your Okta admin whether the account is locked".into(),
        },
        "E0000068" => auth("the MFA code was rejected (E0000068); check the code and try again".into()),
        "E0000082" => auth("that MFA code was already used (E0000082); wait for the next code".into()),
        "E0000069" => auth("the account is locked after too many MFA failures (E0000069); ask your Okta admin".into()),
        "E0000011" => auth("the login took too long and its state token expired (E0000011); run aws-token again".into()),
        "E0000064" => auth(format!("the password has expired (E0000064); change it at {}", ctx.org)),
        "E0000047" => Error::Network {
            url: url.to_owned(),
            message: "rate limited by Okta (E0000047); wait a minute and try again".into(),
        },
        _ => {
            let causes: Vec<String> = e.error_causes.into_iter().filter_map(|c| c.error_summary).collect();
            let detail = if causes.is_empty() { String::new() } else { format!(": {}", causes.join("; ")) };
            let code = if code.is_empty() { format!("HTTP {status}") } else { code };
            Error::Protocol {
                url: url.to_owned(),
                message: format!("{summary} ({code}){detail}"),
            }
        }
    }
}

/// How a Classic sign-in ended.
pub(super) enum SignedIn {
    /// A sessionToken to redeem at the app.
    Token(Secret<String>),
    /// An Okta session already in the cookie jar (a claims provider such as Duo opened it).
    Session,
}

impl SignedIn {
    /// The sessionToken, if the sign-in gave one.
    pub(super) fn token(&self) -> Option<&Secret<String>> {
        match self {
            SignedIn::Token(t) => Some(t),
            SignedIn::Session => None,
        }
    }
}

/// Primary authentication, then every step until a sessionToken (or a session).
pub(super) async fn login(
    ctx: &Ctx<'_>,
    username: &str,
    password: &Secret<String>,
) -> Result<SignedIn> {
    let spinner = ctx.reporter.spinner("Signing in to Okta");
    let body = serde_json::json!({
        "username": username,
        "password": password.expose(),
        "options": {"multiOptionalFactorEnroll": false, "warnBeforePasswordExpired": false},
    });
    let tx = post(ctx, &ctx.api("/api/v1/authn"), &body).await?;
    drop(spinner);
    drive(ctx, tx).await
}

/// Step-up: an app asked for more authentication; resume the transaction its page named.
pub(super) async fn step_up(ctx: &Ctx<'_>, state_token: &Secret<String>) -> Result<SignedIn> {
    let body = serde_json::json!({"stateToken": state_token.expose()});
    let tx = post(ctx, &ctx.api("/api/v1/authn"), &body).await?;
    drive(ctx, tx).await
}

/// Follow the transaction through its states until SUCCESS.
async fn drive(ctx: &Ctx<'_>, mut tx: Transaction) -> Result<SignedIn> {
    let auth = |message: String| Error::Authentication {
        url: ctx.org.to_string(),
        message,
    };
    for _ in 0..10 {
        ctx.reporter
            .verbose(&format!("Okta transaction status {}", tx.status));
        match tx.status.as_str() {
            "SUCCESS" => {
                return tx
                    .session_token
                    .map(SignedIn::Token)
                    .ok_or_else(|| Error::Protocol {
                        url: ctx.org.to_string(),
                        message: "SUCCESS without a sessionToken".into(),
                    });
            }
            "MFA_REQUIRED" | "MFA_CHALLENGE" => match mfa::answer(ctx, tx).await? {
                mfa::Step::Next(next) => tx = *next,
                mfa::Step::Session => return Ok(SignedIn::Session),
            },
            "LOCKED_OUT" => {
                return Err(auth(
                    "the account is locked out (LOCKED_OUT); unlock it from the Okta sign-in page or ask your Okta admin".into(),
                ));
            }
            "PASSWORD_EXPIRED" => {
                return Err(auth(format!(
                    "the password has expired (PASSWORD_EXPIRED); change it at {} and run aws-token again",
                    ctx.org
                )));
            }
            "PASSWORD_WARN" => {
                let (Some(skip), Some(st)) = (tx.links.skip.as_ref(), tx.state_token.as_ref())
                else {
                    return Err(auth("the password is about to expire and Okta offers no way to skip the warning".into()));
                };
                ctx.reporter
                    .warn("your Okta password expires soon: change it");
                let url = parse_href(ctx, &skip.href)?;
                tx = post(ctx, &url, &serde_json::json!({"stateToken": st.expose()})).await?;
            }
            "MFA_ENROLL" | "MFA_ENROLL_ACTIVATE" => {
                return Err(auth(format!(
                    "an MFA factor must be enrolled first ({}); sign in at {} once in a browser to enrol it",
                    tx.status, ctx.org
                )));
            }
            "PASSWORD_RESET" | "RECOVERY" | "RECOVERY_CHALLENGE" => {
                return Err(auth(format!(
                    "the account is in {} state; finish it at {} in a browser",
                    tx.status, ctx.org
                )));
            }
            other => {
                return Err(Error::Protocol {
                    url: ctx.org.to_string(),
                    message: format!("unsupported Okta transaction status {other:?}"),
                });
            }
        }
    }
    Err(Error::Protocol {
        url: ctx.org.to_string(),
        message: "the login did not finish after 10 steps".into(),
    })
}

/// An href from Okta, which must stay on the org (never send a state token elsewhere).
pub(super) fn parse_href(ctx: &Ctx<'_>, href: &str) -> Result<url::Url> {
    let url = ctx.org.join(href).map_err(|e| Error::Protocol {
        url: ctx.org.to_string(),
        message: format!("bad link {href:?}: {e}"),
    })?;
    if url.origin() != ctx.org.origin() {
        return Err(Error::Protocol {
            url: ctx.org.to_string(),
            message: format!(
                "refusing to follow a link to another host: {}",
                display_url(&url)
            ),
        });
    }
    Ok(url)
}
