//! Okta Identity Engine sign-in through the IDX API, as Okta's own sign-in page does it: introspect
//! the page's stateToken, then answer the remediations each answer offers (identify, the password,
//! select-authenticator-authenticate, challenge-authenticator with a code, challenge-poll for an
//! Okta Verify push with its number challenge) with the newest stateHandle, until the
//! success-redirect. Okta's messages become errors with Okta's words kept (`idx_answer.rs`).

use super::idx_answer::{Answer, Choice, Refusal, refusal};
use super::mfa::{self, CODE_ATTEMPTS};
use super::{Ctx, authn::parse_href};
use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::secret::Secret;
use serde_json::{Value, json};
use std::time::Duration;

const ION: &str = "application/ion+json; okta-version=1.0.0";
/// More steps than any policy takes (identify, password, select, challenge, polls are counted
/// apart): a loop is an error, not a hang.
const MAX_STEPS: usize = 20;
/// Bounds on the poll interval a remediation asks for.
const POLL_MIN: Duration = Duration::from_millis(100);
const POLL_MAX: Duration = Duration::from_secs(10);

/// What this sign-in has done so far.
#[derive(Default)]
struct Walk {
    username: Option<String>,
    identified: bool,
    password_sent: bool,
    /// The method chosen, for prompts and messages.
    chosen: Option<Choice>,
    selections: usize,
    /// Codes sent so far, and whether the last one was typed (it may be typed again).
    codes_sent: usize,
    code_prompted: bool,
    /// FastPass: Okta Verify did not answer over loopback; launch it (once) when Okta offers.
    launch_okta_verify: bool,
    launched: bool,
    /// FastPass was chosen because the policy offered it (not asked for), and it failed: the
    /// other methods are offered next.
    fastpass_preferred: bool,
    fastpass_failed: bool,
    /// "Sign in with Okta FastPass" was taken at the sign-in form (`--mfa fastpass`).
    fastpass_sign_in: bool,
    /// Security-key assertions sent (a refused one is not sent again).
    assertions_sent: u32,
}

impl Walk {
    /// A FastPass that was only preferred failed (`why`): it is not offered again, and choosing
    /// another method is not counted as a repeated choice.
    fn pass_over_fastpass(&mut self, ctx: &Ctx<'_>, why: &str) {
        ctx.reporter.info(&format!("{why}; using another method"));
        self.fastpass_failed = true;
        self.selections = self.selections.saturating_sub(1);
    }
}

/// The transaction of a sign-in page's stateToken: Okta's first answer.
pub(super) async fn introspect(ctx: &Ctx<'_>, state_token: &Secret<String>) -> Result<Answer> {
    let introspect = ctx.api("/idp/idx/introspect");
    send(
        ctx,
        &introspect,
        ION,
        &json!({"stateToken": state_token.expose()}),
        Resend::Safe,
    )
    .await
}

/// From the introspected transaction to the success-redirect URL (on the org), with the username
/// the walk identified with.
pub(super) async fn sign_in(ctx: &Ctx<'_>, first: Answer) -> Result<(url::Url, Option<String>)> {
    let mut answer = first;
    let mut walk = Walk {
        username: ctx.login.username.clone(),
        ..Walk::default()
    };
    let mut steps = 0;
    loop {
        ctx.reporter
            .verbose(&format!("Okta IDX offers {:?}", answer.names()));
        if let Some(href) = answer.success_href() {
            return Ok((parse_href(ctx, href)?, walk.username));
        }
        // Duo as an IdP authenticator: its Universal Prompt, whose exit finishes the
        // transaction at Okta; the app then opens with the session.
        if let Some(r) = answer
            .remediation("redirect-idp")
            .filter(|r| r.idp_name().to_lowercase().contains("duo"))
        {
            let start = parse_href(ctx, r.href())?;
            let ask = crate::idp::duo::Ask::of(ctx.login);
            crate::idp::duo::universal(
                ctx.http,
                ctx.reporter,
                ctx.prompter,
                &start,
                &ctx.org,
                &ask,
            )
            .await?;
            return Ok((ctx.login.url.clone(), walk.username));
        }
        match refusal(ctx.org.as_str(), &answer) {
            Some(Refusal::BadCode(e)) if walk.code_prompted && walk.codes_sent < CODE_ATTEMPTS => {
                ctx.reporter.warn(&e.to_string());
            }
            Some(Refusal::BadCode(e) | Refusal::Fatal(e)) => return Err(e),
            None => {}
        }
        let polling = answer.remediation("challenge-poll").is_some()
            && answer.remediation("challenge-authenticator").is_none();
        if !polling {
            steps += 1;
            if steps > MAX_STEPS {
                return Err(Error::Protocol {
                    url: ctx.org.to_string(),
                    message: format!(
                        "the Identity Engine sign-in did not finish after {MAX_STEPS} steps (last offered {:?})",
                        answer.names()
                    ),
                });
            }
        }
        answer = step(ctx, &mut walk, &answer).await?;
    }
}

/// Answer the first remediation aws-token can, in the order a sign-in goes.
async fn step(ctx: &Ctx<'_>, walk: &mut Walk, answer: &Answer) -> Result<Answer> {
    let handle = answer.state_handle().ok_or_else(|| Error::Protocol {
        url: ctx.org.to_string(),
        message: format!(
            "an IDX answer (HTTP {}) without a stateHandle",
            answer.status
        ),
    })?;
    // "Sign in with Okta FastPass" beside the sign-in form: taken when FastPass is asked for, so
    // that Okta Verify on this device signs the user in with nothing typed.
    if let Some(r) = answer
        .remediation("launch-authenticator")
        .filter(|_| answer.remediation("identify").is_some())
        .filter(|_| ctx.login.mfa == Some(MfaKind::Fastpass) && !walk.launched)
    {
        walk.launched = true;
        walk.fastpass_sign_in = true;
        ctx.reporter
            .verbose("taking Okta's \"Sign in with Okta FastPass\"");
        return launch(ctx, r, handle).await;
    }
    if let Some(r) = answer.remediation("identify") {
        if walk.identified {
            return Err(rejected(ctx, "username"));
        }
        let username = match &walk.username {
            Some(u) => u.clone(),
            None => ctx.prompter.input(
                "Okta username",
                "--username or AWS_TOKEN_USERNAME",
                ctx.login.suggested_username.as_deref(),
            )?,
        };
        let mut body = json!({"identifier": username, "stateHandle": handle});
        let with_password = r.field("credentials").is_some();
        if with_password {
            let password = password(ctx)?;
            body["credentials"] = json!({"passcode": password.expose()});
            walk.password_sent = true;
        }
        walk.identified = true;
        walk.username = Some(username);
        let resend = if with_password {
            Resend::OnlyIfNotTaken
        } else {
            Resend::Safe
        };
        return submit(ctx, r, &body, resend).await;
    }
    if let Some(r) = answer.remediation("challenge-authenticator") {
        let fields = r.credential_fields();
        if answer.current_key() == Some("okta_password") {
            if walk.password_sent {
                return Err(Error::WrongPassword {
                    url: ctx.org.to_string(),
                    message: "Okta asked for the password again: it was not accepted".into(),
                });
            }
            let password = password(ctx)?;
            walk.password_sent = true;
            let body =
                json!({"credentials": {"passcode": password.expose()}, "stateHandle": handle});
            return submit(ctx, r, &body, Resend::OnlyIfNotTaken).await;
        }
        if fields.contains(&"clientData") || answer.current_key() == Some("webauthn") {
            if walk.assertions_sent > 0 {
                return Err(rejected(ctx, "security key's answer"));
            }
            let assertion = ctx.security_key_assertion(
                answer.webauthn_challenge(),
                &answer.webauthn_credentials(),
            )?;
            walk.assertions_sent += 1;
            let mut credentials = serde_json::Map::new();
            for (k, v) in assertion.fields() {
                credentials.insert(k.into(), v.into());
            }
            if let Some(h) = assertion.user_handle() {
                credentials.insert("userHandle".into(), h.into());
            }
            let body = json!({"credentials": credentials, "stateHandle": handle});
            return submit(ctx, r, &body, Resend::OnlyIfNotTaken).await;
        }
        let Some(field) = ["totp", "passcode"]
            .into_iter()
            .find(|f| fields.contains(f))
        else {
            return Err(browser_only(
                ctx,
                &format!(
                    "{} asks for {}",
                    answer.current_name().unwrap_or("the authenticator"),
                    fields.join(", ")
                ),
            ));
        };
        if walk.codes_sent > 0 && !walk.code_prompted {
            return Err(rejected(ctx, "code"));
        }
        let label = walk
            .chosen
            .as_ref()
            .map(Choice::describe)
            .or_else(|| answer.current_name().map(|n| format!("{n} code")))
            .unwrap_or_else(|| "Okta code".into());
        let (code, prompted) = mfa::one_code(ctx, &label)?;
        walk.codes_sent += 1;
        walk.code_prompted = prompted;
        let body = json!({"credentials": {field: code.expose()}, "stateHandle": handle});
        return submit(ctx, r, &body, Resend::OnlyIfNotTaken).await;
    }
    if let Some(r) = answer.remediation("challenge-poll") {
        return poll(ctx, walk, answer, r, handle, false).await;
    }
    if let Some(r) = answer
        .remediation("launch-authenticator")
        .filter(|_| walk.launch_okta_verify && !walk.launched)
    {
        walk.launched = true;
        return launch(ctx, r, handle).await;
    }
    // Silent device probing: Okta Verify on this device may sign the user in (FastPass); when
    // it does not answer, the sign-in goes on as Okta then says.
    if let Some(r) = answer.remediation("device-challenge-poll") {
        let silent = !walk.fastpass_sign_in;
        return poll(ctx, walk, answer, r, handle, silent).await;
    }
    if let Some(r) = answer.remediation("select-authenticator-authenticate") {
        walk.selections += 1;
        if walk.selections > 3 {
            return Err(Error::Authentication {
                url: ctx.org.to_string(),
                message: "Okta asked to choose an authenticator again after the last one was answered; run aws-token again".into(),
            });
        }
        let choices = answer.choices();
        let choice = match choices.iter().find(|c| c.method == "password") {
            Some(p) if !walk.password_sent => p.clone(),
            _ => {
                let mfa: Vec<Choice> = choices
                    .into_iter()
                    .filter(|c| c.method != "password")
                    .filter(|c| !(walk.fastpass_failed && c.kind() == Some(MfaKind::Fastpass)))
                    .collect();
                // FastPass is preferred when the policy offers it (and nothing else is asked
                // for): Okta Verify on this device may answer; if not, the others follow.
                let fastpass = mfa
                    .iter()
                    .find(|c| c.kind() == Some(MfaKind::Fastpass))
                    .filter(|_| ctx.login.mfa.is_none() && ctx.login.otp.is_none() && mfa.len() > 1)
                    .cloned();
                match (fastpass, default_method(ctx, &mfa)) {
                    (Some(f), _) => {
                        walk.fastpass_preferred = true;
                        f
                    }
                    (None, Some(c)) => c,
                    (None, None) => mfa::choose(ctx, &mfa)?,
                }
            }
        };
        return choose_method(ctx, walk, r, handle, choice).await;
    }
    if let Some(r) = answer.remediation("authenticator-verification-data") {
        let choice = verification_method(ctx, answer)?;
        return choose_method(ctx, walk, r, handle, choice).await;
    }
    let names = answer.names();
    let okta_words = answer
        .messages()
        .into_iter()
        .map(|m| m.text)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let said = if okta_words.is_empty() {
        String::new()
    } else {
        format!(" (Okta: \"{okta_words}\")")
    };
    let org = &ctx.org;
    Err(if names.contains(&"reenroll-authenticator") {
        Error::Authentication {
            url: org.to_string(),
            message: format!(
                "the password has expired{said}; change it at {org} and run aws-token again"
            ),
        }
    } else if names
        .iter()
        .any(|n| n.starts_with("enroll-") || n.contains("authenticator-enroll"))
    {
        Error::Authentication {
            url: org.to_string(),
            message: format!(
                "Okta asks to enrol an authenticator first{said}; sign in at {org} once in a browser to enrol it"
            ),
        }
    } else if names.contains(&"redirect-idp") {
        browser_only(ctx, "the org signs you in at another identity provider")
    } else if names
        .iter()
        .any(|n| n.contains("device") || n.contains("launch-authenticator"))
    {
        browser_only(ctx, "Okta asks for FastPass or device assurance")
    } else {
        Error::Protocol {
            url: org.to_string(),
            message: format!(
                "Okta offers nothing aws-token can answer in a terminal: {names:?}{said}"
            ),
        }
    })
}

/// Take a `launch-authenticator` remediation (Okta Verify is to be reached): only the stateHandle
/// is posted, so it may be sent again.
async fn launch(
    ctx: &Ctx<'_>,
    r: super::idx_answer::Remediation<'_>,
    handle: &str,
) -> Result<Answer> {
    submit(ctx, r, &json!({"stateHandle": handle}), Resend::Safe).await
}

/// POST `body` to remediation `r`'s href, as its `accepts` says.
async fn submit(
    ctx: &Ctx<'_>,
    r: super::idx_answer::Remediation<'_>,
    body: &Value,
    resend: Resend,
) -> Result<Answer> {
    send(ctx, &parse_href(ctx, r.href())?, r.accepts(), body, resend).await
}

/// Poll an Okta Verify push until Okta answers with something other than the poll again, showing
/// the number challenge once. Waits the interval the remediation asks for.
async fn poll(
    ctx: &Ctx<'_>,
    walk: &mut Walk,
    first: &Answer,
    remediation: super::idx_answer::Remediation<'_>,
    handle: &str,
    silent: bool,
) -> Result<Answer> {
    let (href, accepts, refresh_ms) = (
        remediation.href(),
        remediation.accepts(),
        remediation.refresh_ms(),
    );
    let poll_name = remediation.name();
    let clock = ctx.http.clock();
    let deadline = clock.now() + ctx.login.mfa_timeout;
    let mut wait = refresh_ms.map_or(Duration::from_secs(4), Duration::from_millis);
    // FastPass: Okta Verify on this device takes the challenge over loopback; then poll at once.
    let _spinner = if let Some(challenge) = first
        .fastpass_challenge()
        .filter(|c| c.method == "CUSTOM_URI")
    {
        ctx.reporter
            .info("Okta FastPass: opening Okta Verify; approve the sign-in there");
        if let Err(failed) =
            crate::authenticator::fastpass::launch(&challenge, walk.username.as_deref(), ctx.opener)
        {
            return Err(crate::authenticator::fastpass::refused(&ctx.org, &failed));
        }
        ctx.reporter.spinner("Waiting for Okta Verify")
    } else if let Some(challenge) = first.fastpass_challenge() {
        if challenge.method != "LOOPBACK" {
            return Err(browser_only(
                ctx,
                &format!(
                    "Okta asks FastPass to reach Okta Verify by {}",
                    challenge.method
                ),
            ));
        }
        if silent {
            ctx.reporter
                .verbose("Okta probes for Okta Verify on this device (FastPass)");
        } else {
            ctx.reporter
                .info("Okta FastPass: approve in Okta Verify on this device");
        }
        let spinner = ctx
            .reporter
            .spinner("Waiting for Okta Verify on this device");
        let origin = ctx.org.origin().ascii_serialization();
        if let Err(failed) =
            crate::authenticator::fastpass::answer(ctx.http, &origin, &challenge).await
        {
            let mut told = None;
            if let Some(cancel) = &challenge.cancel {
                let mut body = json!({"stateHandle": handle, "reason": failed.reason});
                if let Some(code) = failed.status {
                    body["statusCode"] = json!(code.to_string());
                }
                // Told to Okta so that the transaction does not wait for an answer.
                let accepts = challenge.cancel_accepts.as_deref().unwrap_or(accepts);
                told = post(ctx, &parse_href(ctx, cancel)?, accepts, &body, Resend::Safe)
                    .await
                    .ok();
            }
            match told {
                // Preferred, not asked for: the other methods Okta offers next.
                Some(next)
                    if walk.fastpass_preferred
                        && (ctx.opener.is_none()
                            || failed.reason != "OV_UNREACHABLE_BY_LOOPBACK")
                        && next
                            .remediation("select-authenticator-authenticate")
                            .is_some() =>
                {
                    walk.pass_over_fastpass(ctx, &format!("Okta FastPass: {}", failed.message));
                    return Ok(next);
                }
                // Okta offers to launch Okta Verify instead: the walk does that next.
                Some(next)
                    if !silent
                        && failed.reason == "OV_UNREACHABLE_BY_LOOPBACK"
                        && next.remediation("launch-authenticator").is_some()
                        && !walk.launched =>
                {
                    ctx.reporter.verbose(&format!(
                        "{}; Okta offers to launch Okta Verify",
                        failed.message
                    ));
                    walk.launch_okta_verify = true;
                    return Ok(next);
                }
                // Silent probing: no Okta Verify here; the sign-in goes on as usual.
                Some(next) if silent => {
                    ctx.reporter.verbose(&format!(
                        "no FastPass here ({}): signing in as usual",
                        failed.message
                    ));
                    return Ok(next);
                }
                _ => return Err(crate::authenticator::fastpass::refused(&ctx.org, &failed)),
            }
        }
        wait = Duration::ZERO;
        spinner
    } else {
        let label = walk
            .chosen
            .as_ref()
            .map(Choice::describe)
            .unwrap_or_else(|| "Okta Verify push".into());
        ctx.reporter
            .info(&format!("{label}: approve it on your phone"));
        ctx.reporter.spinner("Waiting for the push to be approved")
    };
    let mut number_shown = false;
    let mut url = parse_href(ctx, href)?;
    let mut accepts = accepts.to_owned();
    let mut handle = handle.to_owned();
    let mut current: Option<Answer> = None;
    // The FastPass challenge Okta Verify answered (a new one means asking again).
    let mut answered = first.fastpass_challenge().map(|c| c.request);
    loop {
        let shown = current.as_ref().unwrap_or(first);
        if !number_shown && let Some(n) = shown.correct_answer() {
            ctx.reporter
                .attention(&format!("Okta Verify: tap {n} on your phone"));
            number_shown = true;
        }
        if clock.now() >= deadline {
            return Err(Error::Authentication {
                url: ctx.org.to_string(),
                message: format!(
                    "the Okta Verify push was not answered within {} s (--mfa-timeout)",
                    ctx.login.mfa_timeout.as_secs()
                ),
            });
        }
        clock.sleep(wait.clamp(POLL_MIN, POLL_MAX)).await;
        wait = refresh_ms.map_or(Duration::from_secs(4), Duration::from_millis);
        let next = post(
            ctx,
            &url,
            &accepts,
            &json!({"stateHandle": handle}),
            Resend::Safe,
        )
        .await?;
        let again = next.remediation(poll_name).filter(|_| {
            next.success_href().is_none() && refusal(ctx.org.as_str(), &next).is_none()
        });
        match (again, next.state_handle()) {
            (Some(r), Some(h)) => {
                url = parse_href(ctx, r.href())?;
                accepts = r.accepts().to_owned();
                if let Some(ms) = r.refresh_ms() {
                    wait = Duration::from_millis(ms);
                }
                handle = h.to_owned();
                // A new FastPass challenge while polling: Okta Verify is asked again.
                if let Some(changed) = next
                    .fastpass_challenge()
                    .filter(|c| c.method == "LOOPBACK" && Some(&c.request) != answered.as_ref())
                {
                    ctx.reporter
                        .verbose("Okta sent a new FastPass challenge: asking Okta Verify again");
                    let origin = ctx.org.origin().ascii_serialization();
                    if let Err(failed) =
                        crate::authenticator::fastpass::answer(ctx.http, &origin, &changed).await
                    {
                        return Err(crate::authenticator::fastpass::refused(&ctx.org, &failed));
                    }
                    answered = Some(changed.request.clone());
                    wait = Duration::ZERO;
                }
                current = Some(next);
            }
            _ => return Ok(next),
        }
    }
}

/// `post` under a spinner: the prompts of a step come before it, never while it spins.
async fn send(
    ctx: &Ctx<'_>,
    url: &url::Url,
    content_type: &str,
    body: &Value,
    resend: Resend,
) -> Result<Answer> {
    let _spinner = ctx.reporter.spinner("Signing in to Okta (Identity Engine)");
    post(ctx, url, content_type, body, resend).await
}

/// POST `body` to an IDX endpoint and read the answer (an error status with an IDX body is an
/// answer too: its messages say what went wrong).
async fn post(
    ctx: &Ctx<'_>,
    url: &url::Url,
    content_type: &str,
    body: &Value,
    resend: Resend,
) -> Result<Answer> {
    let shown = display_url(url);
    let bytes = serde_json::to_vec(body)
        .map_err(|e| Error::Internal(format!("cannot encode an IDX request: {e}")))?;
    let resp = ctx
        .http
        .send(&shown, resend, |c| {
            c.post(url.clone())
                .header("Content-Type", content_type)
                .header("Accept", ION)
                .body(bytes.clone())
        })
        .await?;
    let (status, text) = ctx.http.read_body(resp, &shown).await?;
    let status = status.as_u16();
    Answer::parse(status, &text).ok_or_else(|| Error::Protocol {
        url: shown,
        message: format!("not an Okta IDX answer (HTTP {status}); is the org an Identity Engine org? Set \"oktaPipeline\" in config.json if it is not"),
    })
}

/// Post the chosen authenticator and method to `r` (select-authenticator-authenticate or
/// authenticator-verification-data), saying when Okta is about to send a code.
async fn choose_method(
    ctx: &Ctx<'_>,
    walk: &mut Walk,
    r: super::idx_answer::Remediation<'_>,
    handle: &str,
    choice: Choice,
) -> Result<Answer> {
    if choice.method != "password" {
        crate::idp::unattended_mfa(ctx.login, &choice.describe())?;
    }
    ctx.reporter
        .verbose(&format!("MFA with {}", choice.describe()));
    if matches!(
        choice.kind(),
        Some(MfaKind::Sms | MfaKind::Email | MfaKind::Call)
    ) {
        ctx.reporter
            .info(&format!("Sending: {}", choice.describe()));
    }
    let body = json!({"authenticator": {"id": choice.id, "methodType": choice.method}, "stateHandle": handle});
    walk.chosen = Some(choice);
    submit(ctx, r, &body, Resend::Safe).await
}

/// `authenticator-verification-data`: how to reach the one authenticator Okta chose (a phone: SMS
/// or a call): `--mfa sms|call`, else Okta's first method.
fn verification_method(ctx: &Ctx<'_>, answer: &Answer) -> Result<Choice> {
    let offered = answer.verification_choices();
    match ctx.login.mfa {
        Some(kind) => offered
            .iter()
            .find(|c| c.kind() == Some(kind))
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--mfa {}: Okta offers only {} for this authenticator",
                    format!("{kind:?}").to_lowercase(),
                    offered
                        .iter()
                        .map(Choice::describe)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
        None => offered
            .into_iter()
            .find(|c| c.kind().is_some())
            .ok_or_else(|| {
                browser_only(
                    ctx,
                    "Okta offers no way to reach the authenticator that a terminal can use",
                )
            }),
    }
}

/// Without `--mfa`, one authenticator with several methods (a phone: SMS or call; Okta Verify:
/// push or code) is one factor, as in Classic: its code method for `--otp`, else Okta's first.
fn default_method(ctx: &Ctx<'_>, choices: &[Choice]) -> Option<Choice> {
    let usable: Vec<&Choice> = choices.iter().filter(|c| c.kind().is_some()).collect();
    let first = usable.first()?;
    if ctx.login.mfa.is_some() || usable.iter().any(|c| c.id != first.id) {
        return None;
    }
    let code = usable.iter().find(|c| c.kind() == Some(MfaKind::Totp));
    match (&ctx.login.otp, code) {
        (Some(_), Some(c)) => Some((*c).clone()),
        _ => Some((*first).clone()),
    }
}

fn password(ctx: &Ctx<'_>) -> Result<Secret<String>> {
    match &ctx.login.password {
        Some(p) => Ok(p.clone()),
        None => ctx
            .prompter
            .secret("Okta password", "--password or AWS_TOKEN_PASSWORD"),
    }
}

fn rejected(ctx: &Ctx<'_>, what: &str) -> Error {
    Error::Authentication {
        url: ctx.org.to_string(),
        message: format!("Okta asked for the {what} again: it was not accepted"),
    }
}

fn browser_only(ctx: &Ctx<'_>, what: &str) -> Error {
    Error::NotAuthorized {
        message: format!(
            "{}: {what}, which aws-token cannot answer in a terminal; use provider \"okta-browser\" (or \"browser\", a window you sign in yourself) in config.json",
            ctx.org
        ),
    }
}
