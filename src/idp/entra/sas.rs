//! Entra MFA on the ConvergedTFA page: which proof (`--mfa`, a code method for `--otp`, else the
//! one the tenant marks default), `BeginAuth` at `urlBeginAuth`, then `EndAuth` at `urlEndAuth`
//! with the code, or polled every `oPerAuthPollingInterval` seconds while Microsoft Authenticator's
//! push waits (its number, `Entropy`, shown on stderr), each with the newest FlowToken and Ctx; the
//! answer's `ResultValue` / `ErrCode` become errors in Entra's words. A code is sent once.

use super::page::Config;
use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::idp::LoginRequest;
use crate::idp::http::{Http, Resend, display_url};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::secret::Secret;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// One registered proof (`arrUserProofs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Proof {
    pub(super) method: String,
    pub(super) display: String,
    pub(super) default: bool,
}

impl Proof {
    fn kind(&self) -> Option<MfaKind> {
        match self.method.as_str() {
            "PhoneAppNotification" => Some(MfaKind::Push),
            "PhoneAppOTP" | "SoftwareTokenOTP" | "HardwareTokenOTP" => Some(MfaKind::Totp),
            "OneWaySMS" => Some(MfaKind::Sms),
            "TwoWayVoiceMobile" | "TwoWayVoiceAlternateMobile" | "TwoWayVoiceOffice" => {
                Some(MfaKind::Call)
            }
            _ => None,
        }
    }

    fn takes_code(&self) -> bool {
        matches!(self.kind(), Some(MfaKind::Totp | MfaKind::Sms))
    }

    fn label(&self) -> String {
        let to = if self.display.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.display)
        };
        match self.method.as_str() {
            "PhoneAppNotification" => format!("Microsoft Authenticator push{to}"),
            "PhoneAppOTP" => "Microsoft Authenticator code".into(),
            "SoftwareTokenOTP" | "HardwareTokenOTP" => "authenticator code".into(),
            "OneWaySMS" => format!("SMS code{to}"),
            m => format!("{m}{to}"),
        }
    }
}

/// The proofs the page offers.
pub(super) fn proofs(c: &Config) -> Vec<Proof> {
    c.0.get("arrUserProofs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Proof {
                method: p.get("authMethodId")?.as_str()?.to_owned(),
                display: p
                    .get("display")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                default: p.get("isDefault").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

/// The proof to use: the one `--mfa` names, a code method for `--otp`, else the default one.
fn choose(list: &[Proof], login: &LoginRequest) -> Result<Proof> {
    crate::idp::unattended_mfa(login, "MFA")?;
    let labels = || list.iter().map(Proof::label).collect::<Vec<_>>().join(", ");
    let usable: Vec<&Proof> = list.iter().filter(|p| p.kind().is_some()).collect();
    let pick = match login.mfa {
        Some(kind) => usable
            .iter()
            .find(|p| p.kind() == Some(kind))
            .copied()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--mfa {}: Entra offers no such method; it offers {}",
                    clap::ValueEnum::to_possible_value(&kind)
                        .map_or_else(|| format!("{kind:?}"), |v| v.get_name().to_owned()),
                    labels()
                ))
            })?,
        None if login.otp.is_some() => usable
            .iter()
            .find(|p| p.kind() == Some(MfaKind::Totp))
            .or_else(|| usable.iter().find(|p| p.takes_code()))
            .or_else(|| usable.first())
            .copied()
            .ok_or_else(|| none_usable(&labels()))?,
        None => usable
            .iter()
            .find(|p| p.default)
            .or_else(|| usable.first())
            .copied()
            .ok_or_else(|| none_usable(&labels()))?,
    };
    Ok(pick.clone())
}

fn none_usable(offered: &str) -> Error {
    Error::NotAuthorized {
        message: format!(
            "none of the MFA methods Entra offers can be answered in a terminal ({offered}); use provider \"browser\" in config.json"
        ),
    }
}

/// A SAS answer (BeginAuth, EndAuth).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Answer {
    success: bool,
    result_value: String,
    message: Option<Value>,
    err_code: i64,
    retry: bool,
    flow_token: String,
    ctx: String,
    session_id: String,
    entropy: i64,
}

impl Answer {
    fn words(&self) -> String {
        let message = match &self.message {
            Some(Value::String(s)) if !s.is_empty() => format!(": {s}"),
            _ => String::new(),
        };
        let code = if self.err_code != 0 {
            format!("AADSTS{}, ", self.err_code)
        } else {
            String::new()
        };
        format!("{code}{}{message}", self.result_value)
    }
}

/// Answer the MFA of the ConvergedTFA page `c` (at `page`); returns the form to POST to
/// `urlPost` (ProcessAuth): the newest flow token, `request` and `login`.
pub(super) async fn answer(
    http: &Http,
    reporter: &Reporter,
    prompter: &dyn Prompter,
    login: &LoginRequest,
    page: &url::Url,
    c: &Config,
) -> Result<Vec<(String, String)>> {
    let proof = choose(&proofs(c), login)?;
    reporter.verbose(&format!("Entra MFA with {}", proof.label()));
    let begin_url = join(page, c.text("urlBeginAuth"))?;
    let end_url = join(page, c.text("urlEndAuth"))?;
    let begun = post(
        http,
        &begin_url,
        &json!({"AuthMethodId": proof.method, "Method": "BeginAuth", "Ctx": c.text("sCtx"), "FlowToken": c.text("sFT")}),
        Resend::Safe,
    )
    .await?;
    if !begun.success {
        return Err(refused(page, &proof, &begun));
    }
    let mut last = begun;
    let clock = http.clock();
    if proof.takes_code() {
        if proof.kind() == Some(MfaKind::Sms) {
            reporter.info(&format!("Entra sent an {}", proof.label()));
        }
        let code = match &login.otp {
            Some(c) => Secret::new(c.expose().trim().to_owned()),
            None => prompter.code(
                &format!("{} (MFA code)", proof.label()),
                "--otp CODE or AWS_TOKEN_OTP",
                true,
            )?,
        };
        let ended = post(
            http,
            &end_url,
            &json!({"AuthMethodId": proof.method, "Method": "EndAuth", "Ctx": last.ctx, "FlowToken": last.flow_token,
                    "SessionId": last.session_id, "AdditionalAuthData": code.expose(), "PollCount": 1}),
            Resend::OnlyIfNotTaken,
        )
        .await?;
        if !ended.success {
            return Err(refused(page, &proof, &ended));
        }
        last = ended;
    } else {
        if last.entropy > 0 {
            reporter.attention(&format!(
                "Microsoft Authenticator: enter {} on your phone",
                last.entropy
            ));
        } else {
            reporter.info(&format!("{}: approve it on your phone", proof.label()));
        }
        let _spinner = reporter.spinner("Waiting for the sign-in to be approved");
        let every =
            c.0.pointer(&format!("/oPerAuthPollingInterval/{}", proof.method))
                .and_then(Value::as_f64)
                .unwrap_or(1.0)
                .clamp(0.2, 10.0);
        let deadline = clock.now() + login.mfa_timeout;
        let mut polls = 0;
        loop {
            if clock.now() >= deadline {
                return Err(Error::Authentication {
                    url: display_url(page),
                    message: format!(
                        "the {} was not answered within {} s (--mfa-timeout)",
                        proof.label(),
                        login.mfa_timeout.as_secs()
                    ),
                });
            }
            clock.sleep(Duration::from_secs_f64(every)).await;
            polls += 1;
            let ended = post(
                http,
                &end_url,
                &json!({"AuthMethodId": proof.method, "Method": "EndAuth", "Ctx": last.ctx, "FlowToken": last.flow_token,
                        "SessionId": last.session_id, "PollCount": polls}),
                Resend::Safe,
            )
            .await?;
            let pending = !ended.success && ended.retry && ended.err_code == 0;
            if ended.success {
                last = ended;
                break;
            }
            if !pending {
                return Err(refused(page, &proof, &ended));
            }
            last = Answer {
                flow_token: if ended.flow_token.is_empty() {
                    last.flow_token
                } else {
                    ended.flow_token
                },
                ctx: if ended.ctx.is_empty() {
                    last.ctx
                } else {
                    ended.ctx
                },
                ..last
            };
        }
    }
    Ok(vec![
        (c.text("sFTName").to_owned(), last.flow_token.clone()),
        ("request".to_owned(), last.ctx.clone()),
        ("login".to_owned(), c.text("sPOST_Username").to_owned()),
    ])
}

/// An MFA answer that refuses, in Entra's words (exit 3).
fn refused(page: &url::Url, proof: &Proof, a: &Answer) -> Error {
    let what = match a.result_value.as_str() {
        "PhoneAppDenied" => "the sign-in was denied in Microsoft Authenticator".to_owned(),
        "PhoneAppNoResponse" => "the push was not answered".to_owned(),
        "OathCodeIncorrect" | "SMSAuthFailedWrongCodeEntered" => {
            "the code was not accepted (it was sent once: run aws-token again with a new one)"
                .to_owned()
        }
        "OathCodeDuplicate" => {
            "that code was used already: wait for the next one and run aws-token again".to_owned()
        }
        _ => format!("the {} failed", proof.label()),
    };
    Error::Authentication {
        url: display_url(page),
        message: format!("{what} ({})", a.words()),
    }
}

fn join(page: &url::Url, u: &str) -> Result<url::Url> {
    page.join(u).map_err(|e| Error::Protocol {
        url: display_url(page),
        message: format!("the page names no usable MFA endpoint ({u:?}: {e})"),
    })
}

async fn post(http: &Http, url: &url::Url, body: &Value, resend: Resend) -> Result<Answer> {
    let shown = display_url(url);
    let target = url.clone();
    let resp = http
        .send(&shown, resend, |c| {
            c.post(target.clone())
                .header("Accept", "application/json")
                .json(body)
        })
        .await?;
    let (status, bytes) = http.read_body(resp, &shown).await?;
    serde_json::from_slice(&bytes).map_err(|_| Error::Protocol {
        url: shown,
        message: format!("not an Entra MFA answer (HTTP {})", status.as_u16()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(method: &str, default: bool) -> Proof {
        Proof {
            method: method.into(),
            display: String::new(),
            default,
        }
    }

    fn login(mfa: Option<MfaKind>, otp: bool) -> LoginRequest {
        LoginRequest {
            unattended: false,
            url: url::Url::parse("https://myapps.microsoft.com/signin/x").unwrap(),
            username: None,
            suggested_username: None,
            password: None,
            otp: otp.then(|| Secret::new("123456".into())),
            mfa,
            duo_device: None,
            mfa_timeout: Duration::from_secs(1),
            kept_session: None,
        }
    }

    #[test]
    fn the_default_proof_unless_asked() {
        let list = [
            proof("OneWaySMS", false),
            proof("PhoneAppNotification", true),
            proof("PhoneAppOTP", false),
        ];
        assert_eq!(
            choose(&list, &login(None, false)).unwrap().method,
            "PhoneAppNotification"
        );
        assert_eq!(
            choose(&list, &login(None, true)).unwrap().method,
            "PhoneAppOTP"
        );
        assert_eq!(
            choose(&list, &login(Some(MfaKind::Sms), false))
                .unwrap()
                .method,
            "OneWaySMS"
        );
        assert!(choose(&list, &login(Some(MfaKind::Email), false)).is_err());
    }
}
