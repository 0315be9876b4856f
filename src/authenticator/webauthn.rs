//! WebAuthn from the terminal: the assertion a browser would build for the org (clientDataJSON
//! with the org's origin and the challenge as given, the rpId from the challenge or the org's
//! host, the U2F appid as a second rpId for keys registered before WebAuthn, the credential ids
//! Okta lists as the allow list), signed by a `SecurityKey`: a CTAP2 USB key (`usb_key.rs`, cargo
//! feature `usb-keys`) or, in debug builds for tests only, a software key (`soft_key.rs`).

use crate::error::{Error, Result};
use crate::prompt::Prompter;
use crate::report::Reporter;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::Value;
use std::sync::Arc;

/// How the relying party wants the user verified (a PIN or a fingerprint on the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserVerification {
    Required,
    Preferred,
    Discouraged,
}

/// One assertion to ask for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The org's origin, as a browser on the org's page would send it.
    pub origin: String,
    pub rp_id: String,
    /// The U2F appid the org offers (`extensions.appid`).
    pub appid: Option<String>,
    /// The challenge, as given (base64url).
    pub challenge: String,
    /// The enrolled credentials' ids; empty: any the key holds for the rpId.
    pub allow: Vec<Vec<u8>>,
    pub user_verification: UserVerification,
}

impl Request {
    /// Read Okta's challenge data (Identity Engine's `challengeData`, Classic's `challenge`) for
    /// the org at `org`, with the enrolled credential ids in `allow` (base64url, as Okta lists
    /// them; ids that do not decode are left out). As a browser would, it refuses an rpId that is
    /// not the org's host or a parent domain of it, and drops an appid of another host: an answer
    /// cannot make the key sign for another site.
    pub fn from_okta(
        org: &url::Url,
        data: &Value,
        allow: &[&str],
    ) -> std::result::Result<Request, String> {
        let text = |p: &str| data.pointer(p).and_then(Value::as_str);
        let origin = org.origin().ascii_serialization();
        let host = org.host_str().ok_or("the org URL has no host")?;
        let rp_id = text("/rpId").unwrap_or(host).to_owned();
        if !rp_id_allowed(&rp_id, host) {
            return Err(format!(
                "the challenge names rpId {rp_id:?}, which is neither the org's host {host} nor a parent domain of it; a browser would refuse it too"
            ));
        }
        let appid = text("/extensions/appid")
            .filter(|a| {
                url::Url::parse(a).is_ok_and(|u| {
                    u.host_str() == Some(host)
                        && (u.scheme() == "https" || u.scheme() == org.scheme())
                })
            })
            .map(str::to_owned);
        Ok(Request {
            origin,
            rp_id,
            appid,
            challenge: text("/challenge")
                .ok_or("the challenge data holds no challenge")?
                .to_owned(),
            allow: allow.iter().filter_map(|id| decode(id)).collect(),
            user_verification: match text("/userVerification") {
                Some("required") => UserVerification::Required,
                Some("discouraged") => UserVerification::Discouraged,
                _ => UserVerification::Preferred,
            },
        })
    }

    /// The clientDataJSON a browser builds for `navigator.credentials.get` on the org's page.
    pub fn client_data_json(&self) -> Vec<u8> {
        serde_json::json!({
            "type": "webauthn.get",
            "challenge": self.challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }
}

/// What an authenticator returns for one assertion.
pub struct Signed {
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

/// A signed assertion, ready to send: the clientDataJSON and what the key returned. Bound to one
/// challenge and one origin, but never shown: `Debug` prints `***`.
pub struct Assertion {
    pub client_data: Vec<u8>,
    pub signed: Signed,
}

impl std::fmt::Debug for Assertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Assertion(***)")
    }
}

impl Assertion {
    /// The three fields Okta takes, in standard base64 (the widget's `btoa`).
    pub fn fields(&self) -> [(&'static str, String); 3] {
        [
            ("clientData", STANDARD.encode(&self.client_data)),
            (
                "authenticatorData",
                STANDARD.encode(&self.signed.authenticator_data),
            ),
            ("signatureData", STANDARD.encode(&self.signed.signature)),
        ]
    }

    /// The user handle, when the key returned one (standard base64).
    pub fn user_handle(&self) -> Option<String> {
        self.signed.user_handle.as_ref().map(|h| STANDARD.encode(h))
    }
}

/// Where the key talks to the user: "Touch your security key", the PIN prompt.
pub struct Ui<'a> {
    pub reporter: &'a Reporter,
    pub prompter: &'a dyn Prompter,
    /// The org, for messages.
    pub org: &'a str,
}

/// Something that signs WebAuthn assertions.
pub trait SecurityKey: Send + Sync + std::fmt::Debug {
    /// Sign SHA-256(`client_data`) for `rp_id` with one of `allow` (any, when empty). `Ok(None)`:
    /// no authenticator holds such a credential for that rpId.
    fn get_assertion(
        &self,
        rp_id: &str,
        client_data: &[u8],
        allow: &[Vec<u8>],
        uv: UserVerification,
        ui: &Ui<'_>,
    ) -> Result<Option<Signed>>;
}

/// Ask `key` for the assertion `request` describes: at the rpId, then at the U2F appid (a key
/// registered through the U2F API knows only that).
pub fn sign(key: &dyn SecurityKey, request: &Request, ui: &Ui<'_>) -> Result<Assertion> {
    let client_data = request.client_data_json();
    let mut rp_ids = vec![request.rp_id.as_str()];
    if let Some(appid) = request.appid.as_deref().filter(|a| *a != request.rp_id) {
        rp_ids.push(appid);
    }
    for rp_id in rp_ids {
        if let Some(signed) = key.get_assertion(
            rp_id,
            &client_data,
            &request.allow,
            request.user_verification,
            ui,
        )? {
            return Ok(Assertion {
                client_data,
                signed,
            });
        }
    }
    Err(Error::Authentication {
        url: ui.org.to_owned(),
        message: format!(
            "the security key holds no credential enrolled for this user at {} ({} enrolled); use the key you enrolled, or enrol this one at {} in a browser",
            request.rp_id,
            request.allow.len(),
            ui.org
        ),
    })
}

/// Whether `rp_id` may be claimed by a page of `host`: the host itself, or a parent domain of it
/// that is a registrable domain, as browsers decide with the public suffix list (`okta.com` for
/// `acme.okta.com`; never `com`, `co.uk` or `github.io`, which many sites share). An IP address
/// has no parent.
fn rp_id_allowed(rp_id: &str, host: &str) -> bool {
    let rp_id = rp_id.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    rp_id == host
        || (host.ends_with(&format!(".{rp_id}"))
            && host.parse::<std::net::IpAddr>().is_err()
            && psl::domain_str(&rp_id).is_some())
}

/// Base64url (or standard) with or without padding.
fn decode(text: &str) -> Option<Vec<u8>> {
    let t: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    STANDARD_NO_PAD.decode(t).ok()
}

/// The security key a login uses: in debug builds, the software key the tests name in
/// `AWS_TOKEN_TEST_SECURITY_KEY` (release builds never read it); else USB keys, where the build
/// has them; else none, which says how to get through.
pub fn security_key(env: &crate::environment::Environment) -> Arc<dyn SecurityKey> {
    #[cfg(debug_assertions)]
    if let Some(path) = env.var("AWS_TOKEN_TEST_SECURITY_KEY") {
        return Arc::new(super::soft_key::SoftKey::new(path.into()));
    }
    let _ = env;
    #[cfg(feature = "usb-keys")]
    return Arc::new(super::usb_key::UsbKeyHelper);
    #[cfg(not(feature = "usb-keys"))]
    return Arc::new(NoUsb);
}

/// Tests only: the key file (`AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR`) whose credential the browser
/// providers give Chromium's virtual authenticator. Debug builds only: the real provider never
/// adds one.
pub fn test_virtual_authenticator(
    env: &crate::environment::Environment,
) -> Option<std::path::PathBuf> {
    #[cfg(debug_assertions)]
    return env
        .var("AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR")
        .map(Into::into);
    #[cfg(not(debug_assertions))]
    {
        let _ = env;
        None
    }
}

/// A build without USB support (the static build: no libudev).
#[cfg(not(feature = "usb-keys"))]
#[derive(Debug)]
struct NoUsb;

#[cfg(not(feature = "usb-keys"))]
impl SecurityKey for NoUsb {
    fn get_assertion(
        &self,
        _: &str,
        _: &[u8],
        _: &[Vec<u8>],
        _: UserVerification,
        ui: &Ui<'_>,
    ) -> Result<Option<Signed>> {
        Err(Error::NotAuthorized {
            message: format!(
                "{}: the sign-in asks for a security key, and this aws-token was built without USB security-key support (the static build leaves it out: it has no libudev); use a build with the usb-keys feature, or provider \"okta-browser\" in config.json",
                ui.org
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_keys_and_public_suffixes_a_public_suffix_is_never_an_rp_id() {
        assert!(rp_id_allowed("okta.com", "acme.okta.com"));
        assert!(rp_id_allowed("acme.okta.com", "acme.okta.com"));
        assert!(rp_id_allowed("example.co.uk", "login.example.co.uk"));
        assert!(rp_id_allowed("localhost", "localhost"));
        for (rp_id, host) in [
            ("co.uk", "login.example.co.uk"),
            ("github.io", "acme.github.io"),
            ("com", "acme.okta.com"),
            ("uk", "login.example.co.uk"),
            ("0.1", "127.0.0.1"),
        ] {
            assert!(!rp_id_allowed(rp_id, host), "{rp_id} for {host}");
        }
    }

    #[test]
    fn okta_challenge_data_becomes_the_request_a_browser_would_make() {
        let org = url::Url::parse("https://acme.okta.com/").unwrap();
        let data = serde_json::json!({"challenge": "qjUCU0xoVe5QZ3-etDCD", "userVerification": "required",
            "extensions": {"appid": "https://acme.okta.com"}});
        let r = Request::from_okta(&org, &data, &["AQID", "not base64 !"]).unwrap();
        // Another site's rpId is refused, as a browser refuses it; another host's appid is
        // dropped.
        for bad in ["evil.example", "com", "cme.okta.com", "xacme.okta.com"] {
            let mut d = data.clone();
            d["rpId"] = bad.into();
            assert!(Request::from_okta(&org, &d, &[]).is_err(), "{bad}");
        }
        let mut d = data.clone();
        d["extensions"]["appid"] = "https://evil.example".into();
        assert_eq!(Request::from_okta(&org, &d, &[]).unwrap().appid, None);
        assert_eq!(r.rp_id, "acme.okta.com");
        assert_eq!(r.origin, "https://acme.okta.com");
        assert_eq!(r.appid.as_deref(), Some("https://acme.okta.com"));
        assert_eq!(r.allow, vec![vec![1, 2, 3]]);
        assert_eq!(r.user_verification, UserVerification::Required);
        let cd: Value = serde_json::from_slice(&r.client_data_json()).unwrap();
        assert_eq!(
            cd,
            serde_json::json!({"type": "webauthn.get", "challenge": "qjUCU0xoVe5QZ3-etDCD",
                "origin": "https://acme.okta.com", "crossOrigin": false})
        );
        // An rpId in the answer wins over the host.
        let mut d = data.clone();
        d["rpId"] = "okta.com".into();
        assert_eq!(Request::from_okta(&org, &d, &[]).unwrap().rp_id, "okta.com");
        // A port stays in the origin, never in the rpId.
        let local = url::Url::parse("http://127.0.0.1:8443/").unwrap();
        let r = Request::from_okta(&local, &data, &[]).unwrap();
        assert_eq!(
            (r.origin.as_str(), r.rp_id.as_str()),
            ("http://127.0.0.1:8443", "127.0.0.1")
        );
        assert!(Request::from_okta(&org, &serde_json::json!({}), &[]).is_err());
    }

    #[test]
    fn an_assertion_never_shows_itself() {
        let a = Assertion {
            client_data: b"{}".to_vec(),
            signed: Signed {
                authenticator_data: vec![2],
                signature: vec![3],
                user_handle: None,
            },
        };
        assert_eq!(format!("{a:?}"), "Assertion(***)");
        assert_eq!(a.fields()[0], ("clientData", "e30=".to_owned()));
    }
}
