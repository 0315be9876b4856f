//! Which MFA method to use when the IdP offers several: the one `--mfa` names, the code method for
//! `--otp`, the only one, or the user's pick; none that a terminal can answer is exit 4, naming the
//! browser providers. Shared by Okta's Classic factors, its Identity Engine authenticators and the
//! `okta-browser` provider's authenticator list.

use crate::cli::MfaKind;
use crate::error::{Error, Result};
use crate::idp::LoginRequest;
use crate::prompt::Prompter;

/// What a terminal login says when only a browser can answer.
pub const USE_A_BROWSER: &str = "use provider \"okta-browser\" (or \"browser\", a window you sign in yourself) in config.json, or enrol Okta Verify, a TOTP app, SMS or email";

/// Something the user can be asked to verify with.
pub trait Offer: Clone {
    /// The `--mfa` kind it answers to; `None` when a terminal cannot answer it.
    fn kind(&self) -> Option<MfaKind>;
    /// How it is shown in the prompt and in messages.
    fn label(&self) -> String;
    /// Whether `--mfa kind` names it (a Duo factor answers to each Duo kind).
    fn answers(&self, kind: MfaKind) -> bool {
        self.kind() == Some(kind)
    }
}

/// Whether `--mfa kind` names Duo (a Duo factor answers to each of these).
pub fn is_duo_kind(kind: MfaKind) -> bool {
    matches!(
        kind,
        MfaKind::DuoPush | MfaKind::DuoPasscode | MfaKind::DuoCall
    )
}

/// The Duo kind a plain `--mfa` means when Duo is what is enrolled: push, totp (a passcode), call.
fn duo_form(kind: MfaKind) -> Option<MfaKind> {
    match kind {
        MfaKind::Push => Some(MfaKind::DuoPush),
        MfaKind::Totp => Some(MfaKind::DuoPasscode),
        MfaKind::Call => Some(MfaKind::DuoCall),
        _ => None,
    }
}

/// The factor to use: the one `--mfa` names, the TOTP one for `--otp`, the only one, or the user's
/// pick. None that aws-token can answer (WebAuthn, FastPass) is exit 4, with `way_through`.
pub fn choose<T: Offer>(
    org: &str,
    login: &LoginRequest,
    prompter: &dyn Prompter,
    factors: &[T],
    way_through: &str,
) -> Result<T> {
    crate::idp::unattended_mfa(login, "MFA")?;
    let supported: Vec<&T> = factors.iter().filter(|f| f.kind().is_some()).collect();
    let labels = |fs: &[&T]| fs.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ");
    if supported.is_empty() {
        let all: Vec<&T> = factors.iter().collect();
        return Err(Error::NotAuthorized {
            message: format!(
                "{}: none of the MFA methods Okta offers can be answered by aws-token ({}); {way_through}",
                org,
                if all.is_empty() {
                    "none offered".to_owned()
                } else {
                    labels(&all)
                }
            ),
        });
    }
    let candidates: Vec<&T> = match login.mfa {
        Some(kind) => {
            let named = |k: MfaKind| -> Vec<&T> {
                supported.iter().copied().filter(|f| f.answers(k)).collect()
            };
            let mut c = named(kind);
            if c.is_empty()
                && let Some(duo) = duo_form(kind)
            {
                c = named(duo);
            }
            if c.is_empty() {
                return Err(Error::Usage(format!(
                    "--mfa {}: no such factor is enrolled; enrolled: {}",
                    clap::ValueEnum::to_possible_value(&kind)
                        .map_or_else(|| format!("{kind:?}"), |v| v.get_name().to_owned()),
                    labels(&supported)
                )));
            }
            c
        }
        // A code on the command line means a TOTP factor, as in the seed.
        None if login.otp.is_some()
            && supported.iter().any(|f| f.kind() == Some(MfaKind::Totp)) =>
        {
            supported
                .iter()
                .copied()
                .filter(|f| f.kind() == Some(MfaKind::Totp))
                .collect()
        }
        // A code with an SMS factor and a call on the same phone: the SMS, as Okta's widget
        // offers first (a call reads the same kind of code out).
        None if login.otp.is_some()
            && supported.iter().any(|f| f.kind() == Some(MfaKind::Sms))
            && supported
                .iter()
                .all(|f| matches!(f.kind(), Some(MfaKind::Sms | MfaKind::Call))) =>
        {
            supported
                .iter()
                .copied()
                .filter(|f| f.kind() == Some(MfaKind::Sms))
                .collect()
        }
        None => supported,
    };
    if candidates.len() == 1 {
        return Ok(candidates[0].clone());
    }
    let items: Vec<String> = candidates.iter().map(|f| f.label()).collect();
    let i = prompter.select(
        "Choose the MFA factor",
        &items,
        "--mfa totp|push|sms|email|call|duo-push|duo-passcode|duo-call (several factors are enrolled)",
    )?;
    candidates
        .get(i)
        .map(|c| (*c).clone())
        .ok_or_else(|| Error::Internal("the MFA choice is out of range".into()))
}
