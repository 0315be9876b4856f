//! Okta FastPass from the terminal, as Okta's sign-in widget drives it (its LoopbackProbe): Okta
//! Verify on this device listens on a loopback port; the IDX answer lists the candidate ports,
//! the domain (`http://localhost`, and maybe an https one) and the challenge (a JWT passed through
//! untouched). Each base is probed in order (`GET /probe`, `probeTimeoutMillis`); the first that
//! answers gets `POST /challenge {"challengeRequest"}` with the org's `Origin` (Okta Verify checks
//! it); 503 means another OS user's Okta Verify answered: the next port. Okta Verify then tells
//! Okta itself, and the caller's poll sees the sign-in finish. The challenge is never sent anywhere
//! but a loopback host.

use crate::error::Error;
use crate::idp::http::Http;
use serde_json::Value;
use std::time::Duration;

/// The longest wait for Okta Verify to answer the challenge (the user approves on the device).
const CHALLENGE_WAIT: Duration = Duration::from_secs(300);

/// Why the loopback did not succeed: the cancel `reason` Okta expects, the status Okta Verify
/// answered (when it answered), and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub reason: &'static str,
    pub status: Option<u16>,
    pub message: String,
}

/// The most ports of the org's list that are probed: Okta lists a handful; a longer list would
/// make aws-token a port scanner of this machine, handing the first that answers the challenge.
const MAX_PORTS: usize = 10;

/// A FastPass challenge as the IDX answer gives it.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub method: String,
    pub request: String,
    /// Where to probe, in order: `httpsDomain:port` first when given, then `domain:port`.
    pub bases: Vec<url::Url>,
    pub probe_timeout: Duration,
    /// The `cancel-polling` form: its href (`Answer::fastpass_challenge` says where it is read).
    pub cancel: Option<String>,
    /// The `cancel-polling` form's `accepts` (the poll's is used when it has none).
    pub cancel_accepts: Option<String>,
    /// `CUSTOM_URI`: the link that launches Okta Verify.
    pub href: Option<String>,
}

impl Challenge {
    /// Read `value` (`authenticatorChallenge.value` or `contextualData.challenge.value`).
    pub fn read(value: &Value) -> Option<Challenge> {
        let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
        let ports: Vec<String> = value
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                p.as_str()
                    .map(str::to_owned)
                    .or_else(|| p.as_u64().map(|n| n.to_string()))
            })
            .take(MAX_PORTS)
            .collect();
        let mut bases = Vec::new();
        for domain in [text("httpsDomain"), text("domain")].into_iter().flatten() {
            for port in &ports {
                if let Ok(u) = url::Url::parse(&format!("{}:{port}", domain.trim_end_matches('/')))
                {
                    bases.push(u);
                }
            }
        }
        let method = text("challengeMethod")?;
        // A CUSTOM_URI challenge carries its challengeRequest inside the link (the widget's
        // `-custom-uri.json` mock has no `challengeRequest` of its own).
        let request = match text("challengeRequest") {
            Some(r) => r,
            None if text("href").is_some() => String::new(),
            None => return None,
        };
        Some(Challenge {
            method,
            request,
            bases,
            probe_timeout: Duration::from_millis(
                value
                    .get("probeTimeoutMillis")
                    .and_then(Value::as_u64)
                    .unwrap_or(100)
                    .clamp(20, 10_000),
            ),
            cancel: None,
            cancel_accepts: None,
            href: text("href"),
        })
        .map(|mut c| {
            if let Some(form) = value.get("cancel") {
                c.cancel_with(form);
            }
            c
        })
    }

    /// Cancel (a failed loopback) with the `cancel-polling` form `form`: its href and `accepts`.
    pub fn cancel_with(&mut self, form: &Value) {
        let text = |k: &str| form.get(k).and_then(Value::as_str).map(str::to_owned);
        self.cancel = text("href");
        self.cancel_accepts = text("accepts");
    }
}

/// Only a loopback host may receive the challenge (a hostile answer naming another host is
/// skipped as if nothing answered there).
fn loopback_only(u: &url::Url) -> bool {
    crate::config::is_loopback(u)
}

/// Probe the bases and hand the challenge to the Okta Verify that answers, with `origin` (the
/// org's). Ok when Okta Verify took it.
pub async fn answer(
    http: &Http,
    origin: &str,
    challenge: &Challenge,
) -> std::result::Result<(), Failed> {
    for base in challenge.bases.iter().filter(|b| loopback_only(b)) {
        let Ok(probe) = base.join("/probe") else {
            continue;
        };
        let shown = crate::idp::http::display_url(&probe);
        let request = http
            .client()
            .get(probe.clone())
            .timeout(challenge.probe_timeout);
        let found =
            matches!(http.send_once(&shown, request).await, Ok(r) if r.status().is_success());
        if !found {
            continue;
        }
        let Ok(post) = base.join("/challenge") else {
            continue;
        };
        let shown = crate::idp::http::display_url(&post);
        let request = http
            .client()
            .post(post.clone())
            .header("Origin", origin)
            .header("Accept", "application/json")
            .json(&serde_json::json!({"challengeRequest": challenge.request}))
            .timeout(CHALLENGE_WAIT);
        match http.send_once(&shown, request).await {
            Ok(r) if r.status().is_success() => return Ok(()),
            // Another OS user's Okta Verify: the next port may be this user's.
            Ok(r) if r.status().as_u16() == 503 => continue,
            Ok(r) => {
                return Err(Failed {
                    reason: "OV_RETURNED_ERROR",
                    status: Some(r.status().as_u16()),
                    message: format!(
                        "Okta Verify on this device answered the FastPass challenge with HTTP {} ({})",
                        r.status().as_u16(),
                        shown
                    ),
                });
            }
            Err(e) => {
                return Err(Failed {
                    reason: "OV_RETURNED_ERROR",
                    status: None,
                    message: format!("Okta Verify on this device did not take the challenge: {e}"),
                });
            }
        }
    }
    Err(Failed {
        reason: "OV_UNREACHABLE_BY_LOOPBACK",
        status: None,
        message: format!(
            "Okta Verify did not answer on this device (probed {})",
            if challenge.bases.is_empty() {
                "no port: Okta listed none".to_owned()
            } else {
                challenge
                    .bases
                    .iter()
                    .map(|b| b.as_str().trim_end_matches('/').to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    })
}

/// The schemes of Okta Verify's launch links (the widget's mocks:
/// `authenticator-verification-okta-verify-signed-nonce-custom-uri.json` has
/// `com-okta-authenticator:/deviceChallenge?challengeRequest=...`,
/// `identify-with-device-launch-authenticator.json` has `com.verify.okta://open`): the only links
/// aws-token hands to the system's opener for FastPass (never an http one an IdP could point
/// anywhere, nor a file or another program's scheme).
const LAUNCH_SCHEMES: &[&str] = &["com-okta-authenticator:", "com.verify.okta:"];

/// Launch Okta Verify with the `CUSTOM_URI` link of `challenge` (`login_hint` added, as the widget
/// does) through `opener`.
pub fn launch(
    challenge: &Challenge,
    login_hint: Option<&str>,
    opener: Option<&str>,
) -> std::result::Result<(), Failed> {
    let failed = |message: String| Failed {
        reason: "OV_UNREACHABLE_BY_LOOPBACK",
        status: None,
        message,
    };
    let Some(href) = challenge
        .href
        .as_deref()
        .filter(|h| LAUNCH_SCHEMES.iter().any(|scheme| h.starts_with(scheme)))
    else {
        return Err(failed(format!(
            "Okta's launch link is not Okta Verify's ({}); aws-token opens no other",
            LAUNCH_SCHEMES.join(" or ")
        )));
    };
    let Some(opener) = opener else {
        return Err(failed(
            "Okta Verify did not answer on this device, and launching it needs a desktop (no URL opener here)".into(),
        ));
    };
    let mut link = href.to_owned();
    if let Some(hint) = login_hint {
        link.push_str(if link.contains('?') {
            "&login_hint="
        } else {
            "?login_hint="
        });
        link.extend(url::form_urlencoded::byte_serialize(hint.as_bytes()));
    }
    let status = std::process::Command::new(opener)
        .arg(&link)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(failed(format!("{opener} could not open Okta Verify ({s})"))),
        Err(e) => Err(failed(format!(
            "cannot run {opener} to open Okta Verify: {e}"
        ))),
    }
}

/// The error a failed FastPass ends the sign-in with (exit 4): what happened, and the ways through.
pub fn refused(org: &url::Url, failed: &Failed) -> Error {
    Error::NotAuthorized {
        message: format!(
            "{org}: Okta FastPass: {}; start Okta Verify and sign in to it on this device, or use another factor (--mfa), or provider \"okta-browser\"",
            failed.message
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_in_the_widgets_order() {
        let c = Challenge::read(&serde_json::json!({
            "challengeMethod": "LOOPBACK", "challengeRequest": "a.b.c",
            "domain": "http://localhost", "httpsDomain": "https://login.okta.example", "ports": ["8769", "65111"],
            "probeTimeoutMillis": 200,
            "cancel": {"href": "https://org.example/idp/idx/authenticators/poll/cancel"},
        }))
        .unwrap();
        let bases: Vec<String> = c.bases.iter().map(|b| b.as_str().to_owned()).collect();
        assert_eq!(
            bases,
            [
                "https://login.okta.example:8769/",
                "https://login.okta.example:65111/",
                "http://localhost:8769/",
                "http://localhost:65111/"
            ]
        );
        assert_eq!(c.probe_timeout, Duration::from_millis(200));
        // Only loopback hosts are ever sent the challenge.
        assert!(!loopback_only(&c.bases[0]));
        assert!(loopback_only(&c.bases[2]));
    }
}
