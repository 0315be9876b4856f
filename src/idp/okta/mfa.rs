//! Okta MFA: which factor to use (`--mfa`, the only one, or a prompt), then one way to answer each
//! kind: a code (TOTP, hardware token), a code sent first (SMS, email, call), or Okta Verify push
//! polled about once a second with the number challenge shown once.

use super::Ctx;
use super::authn::{Transaction, parse_href, post};
use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::secret::Secret;
use serde_json::{Value, json};
use std::time::Duration;

/// How often a push is polled.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How many times a prompted code may be typed again after Okta rejects it.
pub(super) const CODE_ATTEMPTS: usize = 3;

/// One enrolled factor.
#[derive(Debug, Clone)]
struct Factor {
    factor_type: String,
    provider: String,
    vendor: String,
    profile: Value,
    verify: String,
}

pub(super) use crate::idp::mfa_choice::Offer;

impl Offer for Factor {
    fn kind(&self) -> Option<MfaKind> {
        Factor::kind(self)
    }
    fn label(&self) -> String {
        Factor::label(self)
    }
    fn answers(&self, kind: MfaKind) -> bool {
        if self.is_duo() {
            crate::idp::mfa_choice::is_duo_kind(kind)
        } else {
            self.kind() == Some(kind)
        }
    }
}

impl Factor {
    fn parse(v: &Value) -> Option<Factor> {
        Some(Factor {
            factor_type: v.get("factorType")?.as_str()?.to_owned(),
            provider: v
                .get("provider")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            vendor: v
                .get("vendorName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            profile: v.get("profile").cloned().unwrap_or(Value::Null),
            verify: v.pointer("/_links/verify/href")?.as_str()?.to_owned(),
        })
    }

    /// Duo's Universal Prompt, reached through Okta as a claims provider.
    fn is_duo(&self) -> bool {
        self.factor_type == "claims_provider" && self.vendor.to_lowercase().contains("duo")
    }

    fn kind(&self) -> Option<MfaKind> {
        if self.is_duo() {
            return Some(MfaKind::DuoPush);
        }
        match self.factor_type.as_str() {
            "token:software:totp" | "token:hotp" | "token" | "token:hardware" => {
                Some(MfaKind::Totp)
            }
            "push" => Some(MfaKind::Push),
            "sms" => Some(MfaKind::Sms),
            "email" => Some(MfaKind::Email),
            "call" => Some(MfaKind::Call),
            "webauthn" | "u2f" => Some(MfaKind::SecurityKey),
            _ => None,
        }
    }

    fn profile(&self, key: &str) -> &str {
        self.profile.get(key).and_then(Value::as_str).unwrap_or("")
    }

    fn label(&self) -> String {
        let with = |s: &str, what: &str| {
            if what.is_empty() {
                s.to_owned()
            } else {
                format!("{s} {what}")
            }
        };
        match self.kind() {
            Some(MfaKind::Totp) => match self.provider.as_str() {
                "OKTA" => "Okta Verify code".into(),
                "GOOGLE" => "Google Authenticator code".into(),
                p => format!("{} code", if p.is_empty() { "token" } else { p }),
            },
            Some(MfaKind::Push) => with("Okta Verify push to", self.profile("name")),
            Some(MfaKind::Sms) => with("SMS code to", self.profile("phoneNumber")),
            Some(MfaKind::Email) => with("email code to", self.profile("email")),
            Some(MfaKind::Call) => with("phone call to", self.profile("phoneNumber")),
            Some(MfaKind::DuoPush | MfaKind::DuoPasscode | MfaKind::DuoCall) => {
                "Duo (push, call or passcode)".into()
            }
            Some(MfaKind::Fastpass) => "Okta FastPass".into(),
            Some(MfaKind::SecurityKey) => match self.profile("authenticatorName") {
                "" => "security key".into(),
                name => format!("security key ({name})"),
            },
            None if self.provider == "DUO" => "Duo's traditional prompt, which Duo retired on 2024-03-30 (your Okta admin must move it to the Duo Universal Prompt)".into(),
            None => format!("{} ({})", self.factor_type, self.provider),
        }
    }
}

/// Where answering a factor leaves the login.
pub(super) enum Step {
    /// Okta's next transaction (SUCCESS with a sessionToken, or another step).
    Next(Box<Transaction>),
    /// Signed in by a claims provider (Duo): the Okta session is in the cookie jar.
    Session,
}

/// Answer an MFA_REQUIRED (or a pending MFA_CHALLENGE) transaction.
pub(super) async fn answer(ctx: &Ctx<'_>, tx: Transaction) -> Result<Step> {
    let state_token = tx.state_token.clone().ok_or_else(|| Error::Protocol {
        url: ctx.org.to_string(),
        message: format!("{} without a stateToken", tx.status),
    })?;
    let offered: Vec<Value> = match (&tx.embedded.factors, &tx.embedded.factor) {
        (Some(list), _) => list.clone(),
        (None, Some(Value::Array(list))) => list.clone(),
        (None, Some(one)) => vec![one.clone()],
        (None, None) => Vec::new(),
    };
    let factors: Vec<Factor> = offered.iter().filter_map(Factor::parse).collect();
    let factor = choose(ctx, &factors)?;
    ctx.reporter
        .verbose(&format!("MFA with {}", factor.label()));
    let verify = parse_href(ctx, &factor.verify)?;
    let next = match factor.kind() {
        Some(MfaKind::DuoPush | MfaKind::DuoPasscode | MfaKind::DuoCall) => {
            duo(ctx, &verify, &state_token).await?;
            return Ok(Step::Session);
        }
        Some(MfaKind::Push) => push(ctx, &factor, &verify, &state_token).await,
        Some(MfaKind::SecurityKey) => security_key(ctx, &factor, &verify, &state_token).await,
        Some(MfaKind::Totp) => code(ctx, &factor, &verify, &state_token).await,
        _ => {
            // SMS, email, call: the first POST sends the code.
            let sent = post(ctx, &verify, &json!({"stateToken": state_token.expose()})).await?;
            ctx.reporter.info(&format!("Sent: {}", factor.label()));
            let next = match &sent.links.next {
                Some(l) if l.name.as_deref() == Some("verify") => parse_href(ctx, &l.href)?,
                _ => verify,
            };
            code(ctx, &factor, &next, &state_token).await
        }
    };
    next.map(|t| Step::Next(Box::new(t)))
}

/// A security key: the first POST hands out the challenge (`_embedded.challenge` of the factor),
/// the assertion goes to the `next` link. Okta refusing it is exit 3, in Okta's words.
async fn security_key(
    ctx: &Ctx<'_>,
    factor: &Factor,
    verify: &url::Url,
    state_token: &Secret<String>,
) -> Result<Transaction> {
    let tx = post(ctx, verify, &json!({"stateToken": state_token.expose()})).await?;
    let data = tx
        .embedded
        .factor
        .as_ref()
        .and_then(|f| f.pointer("/_embedded/challenge"));
    let enrolled = factor.profile("credentialId");
    let allow: Vec<&str> = [enrolled].into_iter().filter(|c| !c.is_empty()).collect();
    let assertion = ctx.security_key_assertion(data, &allow)?;
    let next = match &tx.links.next {
        Some(l) => parse_href(ctx, &l.href)?,
        None => verify.clone(),
    };
    let mut body = json!({"stateToken": state_token.expose()});
    for (k, v) in assertion.fields() {
        body[k] = v.into();
    }
    post(ctx, &next, &body).await.map_err(|e| match e {
        Error::Authentication { url, message } => Error::Authentication {
            url,
            message: format!("Okta refused the security key's answer: {message}"),
        },
        other => other,
    })
}

/// Duo's Universal Prompt: Okta's verify answers with the link that redirects to Duo
/// (src/idp/duo.rs walks it); Duo's exit brings the Okta session back.
async fn duo(ctx: &Ctx<'_>, verify: &url::Url, state_token: &Secret<String>) -> Result<()> {
    let tx = post(ctx, verify, &json!({"stateToken": state_token.expose()})).await?;
    let Some(next) = tx
        .links
        .next
        .as_ref()
        .filter(|l| l.name.as_deref() == Some("redirect"))
    else {
        return Err(Error::Protocol {
            url: ctx.org.to_string(),
            message: "Okta's answer to the Duo factor holds no redirect to Duo".into(),
        });
    };
    let start = parse_href(ctx, &next.href)?;
    let ask = crate::idp::duo::Ask::of(ctx.login);
    crate::idp::duo::universal(ctx.http, ctx.reporter, ctx.prompter, &start, &ctx.org, &ask).await
}

/// The factor to use (`mfa_choice::choose` with this login).
pub(super) fn choose<T: Offer>(ctx: &Ctx<'_>, factors: &[T]) -> Result<T> {
    crate::idp::mfa_choice::choose(
        ctx.org.as_str(),
        ctx.login,
        ctx.prompter,
        factors,
        crate::idp::mfa_choice::USE_A_BROWSER,
    )
}

/// The code for `label`: `--otp` (not prompted), else typed by the user (prompted), trimmed.
pub(super) fn one_code(ctx: &Ctx<'_>, label: &str) -> Result<(Secret<String>, bool)> {
    let (code, prompted) = match &ctx.login.otp {
        Some(c) => (c.clone(), false),
        None => (
            ctx.prompter.code(
                &format!("{label} (MFA code)"),
                "--otp CODE or AWS_TOKEN_OTP",
                true,
            )?,
            true,
        ),
    };
    Ok((Secret::new(code.expose().trim().to_owned()), prompted))
}

/// POST a code; a prompted code may be typed again after a rejection, a `--otp` code may not.
async fn code(
    ctx: &Ctx<'_>,
    factor: &Factor,
    url: &url::Url,
    state_token: &Secret<String>,
) -> Result<Transaction> {
    for attempt in 1..=CODE_ATTEMPTS {
        let (code, prompted) = one_code(ctx, &factor.label())?;
        let body = json!({"stateToken": state_token.expose(), "passCode": code.expose()});
        match post(ctx, url, &body).await {
            Err(e) if prompted && attempt < CODE_ATTEMPTS && is_bad_code(&e) => {
                ctx.reporter.warn(&e.to_string());
            }
            other => return other,
        }
    }
    Err(Error::Internal(
        "code attempts exhausted without an answer".into(),
    ))
}

fn is_bad_code(e: &Error) -> bool {
    matches!(e, Error::Authentication { message, .. } if message.contains("(E0000068)") || message.contains("(E0000082)"))
}

/// Okta Verify push: send, then poll until approved, rejected, timed out or our own limit.
async fn push(
    ctx: &Ctx<'_>,
    factor: &Factor,
    url: &url::Url,
    state_token: &Secret<String>,
) -> Result<Transaction> {
    let body = json!({"stateToken": state_token.expose()});
    let clock = ctx.http.clock();
    let deadline = clock.now() + ctx.login.mfa_timeout;
    let mut tx = post(ctx, url, &body).await?;
    ctx.reporter
        .info(&format!("{}: approve it on your phone", factor.label()));
    let _spinner = ctx.reporter.spinner("Waiting for the push to be approved");
    let mut shown_number = false;
    let auth = |message: String| Error::Authentication {
        url: ctx.org.to_string(),
        message,
    };
    loop {
        if tx.status == "SUCCESS" {
            return Ok(tx);
        }
        match tx.factor_result.as_deref() {
            Some("WAITING") | None => {}
            Some("REJECTED") => {
                return Err(auth(
                    "the Okta Verify push was rejected on the phone (REJECTED)".into(),
                ));
            }
            Some("TIMEOUT") => {
                return Err(auth("the Okta Verify push expired before it was answered (TIMEOUT); run aws-token again".into()));
            }
            Some(other) => return Err(auth(format!("the Okta Verify push ended with {other}"))),
        }
        if !shown_number
            && let Some(n) = tx
                .embedded
                .factor
                .as_ref()
                .and_then(|f| f.pointer("/_embedded/challenge/correctAnswer"))
        {
            ctx.reporter
                .attention(&format!("Okta Verify: tap {n} on your phone"));
            shown_number = true;
        }
        if clock.now() >= deadline {
            return Err(auth(format!(
                "the Okta Verify push was not answered within {} s (--mfa-timeout)",
                ctx.login.mfa_timeout.as_secs()
            )));
        }
        let poll = match &tx.links.next {
            Some(l) => parse_href(ctx, &l.href)?,
            None => url.clone(),
        };
        clock.sleep(POLL_INTERVAL).await;
        tx = post(ctx, &poll, &body).await?;
    }
}
