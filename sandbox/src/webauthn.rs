//! WebAuthn at the sandbox's orgs: the test security keys it has registered (ES256 key pairs made
//! from fixed seeds, so that a test can hold the private half) and the relying party's check of an
//! assertion, step by step as the WebAuthn Level 2 recommendation's "Verifying an Authentication
//! Assertion" (§7.2) lists it: the client data's type, challenge and origin, the rpId hash (or
//! the U2F appid's), the user-present and user-verified flags, the signature over authenticatorData
//! || SHA-256(clientDataJSON), and a sign counter that must grow.

use crate::data::Factor;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::EncodePrivateKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Flags of authenticatorData: user present, user verified.
const UP: u8 = 0x01;
const UV: u8 = 0x04;

/// A test security key the sandbox has registered: what a test hands to the software authenticator
/// (or to Chromium's virtual one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestKey {
    /// The credential id, base64url without padding.
    pub credential_id: String,
    /// The private key, PKCS#8 DER in standard base64 (Chromium's `WebAuthn.addCredential` form).
    pub private_key_pkcs8: String,
    /// The public key, an uncompressed SEC1 point in standard base64 (what the org stores).
    pub public_key: String,
}

/// Test key `n`: the same key pair on every run, from a fixed seed.
pub fn test_key(n: u8) -> TestKey {
    let seed = Sha256::digest(format!("aws-token sandbox security key {n}"));
    // A SHA-256 output is a valid P-256 scalar but with probability ~2^-128; the seeds used are
    // fixed and were checked (the test below), so this cannot fail.
    let secret = p256::SecretKey::from_slice(&seed).expect("a fixed seed is a valid scalar");
    let der = secret
        .to_pkcs8_der()
        .expect("a P-256 key always encodes as PKCS#8");
    let point = secret.public_key().to_sec1_bytes();
    let id = Sha256::digest(format!("aws-token sandbox credential {n}"));
    TestKey {
        credential_id: URL_SAFE_NO_PAD.encode(id),
        private_key_pkcs8: base64::engine::general_purpose::STANDARD.encode(der.as_bytes()),
        public_key: base64::engine::general_purpose::STANDARD.encode(point),
    }
}

impl TestKey {
    /// The key file aws-token's test authenticators read (debug builds:
    /// `AWS_TOKEN_TEST_SECURITY_KEY`, `AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR`): the credential, its
    /// private key, the rpId it was registered at and a sign count of 0.
    pub fn key_file(&self, rp_id: &str) -> Value {
        serde_json::json!({"credentialId": self.credential_id, "privateKey": self.private_key_pkcs8,
            "rpId": rp_id, "signCount": 0})
    }
}

/// Base64 in either flavour, padded or not (Okta takes both: its widget sends standard base64,
/// saml2aws and gimme-aws-creds url-safe).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
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

/// What the relying party expects of one assertion.
pub(crate) struct Expected<'a> {
    /// The challenge it handed out, as sent (base64url).
    pub challenge: &'a str,
    /// The org's origin (`http://127.0.0.1:PORT`).
    pub origin: &'a str,
    /// The rpIds whose hash may appear: the org's host, and the appid for a U2F-era credential.
    pub rp_ids: Vec<String>,
    /// The credential's public key (uncompressed SEC1, standard base64).
    pub public_key: &'a str,
    /// userVerification "required".
    pub user_verification: bool,
    /// The last sign count seen for the credential.
    pub last_count: u32,
}

/// The answer's three parts, base64 of either flavour.
pub(crate) struct Given<'a> {
    pub client_data: &'a str,
    pub authenticator_data: &'a str,
    pub signature: &'a str,
}

/// Check an assertion: the new sign count, or why it is refused.
pub(crate) fn verify(want: &Expected<'_>, got: &Given<'_>) -> Result<u32, String> {
    let client_data = decode(got.client_data).ok_or("clientData is not base64")?;
    let auth = decode(got.authenticator_data).ok_or("authenticatorData is not base64")?;
    let sig = decode(got.signature).ok_or("signatureData is not base64")?;
    let c: Value = serde_json::from_slice(&client_data).map_err(|_| "clientData is not JSON")?;
    let field = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
    if field("type") != "webauthn.get" {
        return Err(format!("clientData type {:?}", field("type")));
    }
    if field("challenge") != want.challenge {
        return Err("clientData holds another challenge".into());
    }
    if field("origin") != want.origin {
        return Err(format!(
            "clientData origin {:?}, not {:?}",
            field("origin"),
            want.origin
        ));
    }
    if c.get("crossOrigin").and_then(Value::as_bool) == Some(true) {
        return Err("a cross-origin assertion".into());
    }
    if auth.len() < 37 {
        return Err("authenticatorData is shorter than 37 bytes".into());
    }
    if !want
        .rp_ids
        .iter()
        .any(|id| Sha256::digest(id.as_bytes()).as_slice() == &auth[..32])
    {
        return Err("the rpId hash is not this org's".into());
    }
    let flags = auth[32];
    if flags & UP == 0 {
        return Err("the user was not present (UP flag clear)".into());
    }
    if want.user_verification && flags & UV == 0 {
        return Err("the user was not verified (UV flag clear)".into());
    }
    let count = u32::from_be_bytes([auth[33], auth[34], auth[35], auth[36]]);
    if (count != 0 || want.last_count != 0) && count <= want.last_count {
        return Err(format!(
            "sign count {count} is not above {}: a cloned authenticator?",
            want.last_count
        ));
    }
    let key = decode(want.public_key)
        .and_then(|k| VerifyingKey::from_sec1_bytes(&k).ok())
        .ok_or("the registered public key does not decode")?;
    let signature = Signature::from_der(&sig).map_err(|_| "signatureData is not a DER ECDSA")?;
    let mut signed = auth.clone();
    signed.extend_from_slice(&Sha256::digest(&client_data));
    key.verify(&signed, &signature)
        .map_err(|_| "the signature does not verify".to_owned())?;
    Ok(count)
}

/// A fresh challenge: 32 random bytes, base64url as Okta sends them.
pub(crate) fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What the org sends a client for `factor`: the challenge data (Identity Engine's
/// `challengeData`, Classic's `challenge`): the challenge, the policy's userVerification and the
/// U2F appid (the org's origin). No rpId (the client takes the org's host, as the widget does),
/// unless the `webauthnRpId` fault names one.
pub(crate) fn challenge_data(
    s: &crate::Shared,
    factor: &Factor,
    challenge: &str,
    org: &str,
) -> Value {
    let uv = match factor {
        Factor::Webauthn {
            user_verification, ..
        } => user_verification.as_str(),
        _ => "preferred",
    };
    let mut data = serde_json::json!({"challenge": challenge, "userVerification": uv, "extensions": {"appid": org}});
    if let Some(rp_id) = &s.data.faults.webauthn_rp_id {
        data["rpId"] = rp_id.as_str().into();
    }
    data
}

/// Check the assertion in `answer` (`clientData`, `authenticatorData`, `signatureData`) against
/// `factor`'s credential, for the `challenge` the org handed out at `org`; a pass records the new
/// sign count, a refusal its reason (`Sandbox::webauthn_refusals`).
pub(crate) fn check(
    s: &crate::Shared,
    factor: &Factor,
    challenge: &str,
    org: &str,
    answer: &Value,
) -> Result<(), String> {
    let Factor::Webauthn {
        credential_id,
        public_key,
        u2f,
        user_verification,
    } = factor
    else {
        return Err("not a WebAuthn factor".into());
    };
    let host = url::Url::parse(org)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let mut rp_ids = vec![host];
    if *u2f {
        rp_ids.push(org.to_owned());
    }
    let text = |k: &str| answer.get(k).and_then(Value::as_str).unwrap_or("");
    let last_count = s
        .state()
        .sign_counts
        .get(credential_id)
        .copied()
        .unwrap_or(0);
    let want = Expected {
        challenge,
        origin: org,
        rp_ids,
        public_key,
        user_verification: user_verification == "required",
        last_count,
    };
    let got = Given {
        client_data: text("clientData"),
        authenticator_data: text("authenticatorData"),
        signature: text("signatureData"),
    };
    let mut st = s.state();
    match verify(&want, &got) {
        Ok(count) => {
            st.sign_counts.insert(credential_id.clone(), count);
            Ok(())
        }
        Err(why) => {
            eprintln!("aws-token-sandbox: WebAuthn assertion refused: {why}");
            st.webauthn_refusals.push(why.clone());
            Err(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::DecodePrivateKey;

    fn assertion(
        key: &TestKey,
        rp_id: &str,
        origin: &str,
        ch: &str,
        flags: u8,
        count: u32,
    ) -> [String; 3] {
        let der = base64::engine::general_purpose::STANDARD
            .decode(&key.private_key_pkcs8)
            .unwrap();
        let signing = SigningKey::from_pkcs8_der(&der).unwrap();
        let cd = format!(
            r#"{{"type":"webauthn.get","challenge":"{ch}","origin":"{origin}","crossOrigin":false}}"#
        );
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(flags);
        auth.extend_from_slice(&count.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend_from_slice(&Sha256::digest(cd.as_bytes()));
        let sig: Signature = signing.sign(&signed);
        let b = |x: &[u8]| base64::engine::general_purpose::STANDARD.encode(x);
        [
            b(cd.as_bytes()),
            URL_SAFE_NO_PAD.encode(&auth),
            b(sig.to_der().as_bytes()),
        ]
    }

    #[test]
    fn a_right_assertion_passes_and_each_wrong_part_is_refused() {
        let key = test_key(1);
        assert_ne!(key, test_key(2));
        let want = |last_count| Expected {
            challenge: "abc",
            origin: "http://127.0.0.1:9",
            rp_ids: vec!["127.0.0.1".into()],
            public_key: &key.public_key,
            user_verification: false,
            last_count,
        };
        let check = |a: &[String; 3], last| {
            verify(
                &want(last),
                &Given {
                    client_data: &a[0],
                    authenticator_data: &a[1],
                    signature: &a[2],
                },
            )
        };
        let good = assertion(&key, "127.0.0.1", "http://127.0.0.1:9", "abc", UP, 5);
        assert_eq!(check(&good, 4), Ok(5));
        assert!(check(&good, 5).unwrap_err().contains("sign count"));
        let e = |a| check(&a, 0).unwrap_err();
        assert!(
            e(assertion(
                &key,
                "127.0.0.1",
                "http://127.0.0.1:9",
                "abd",
                UP,
                1
            ))
            .contains("challenge")
        );
        assert!(
            e(assertion(
                &key,
                "127.0.0.1",
                "https://evil.example",
                "abc",
                UP,
                1
            ))
            .contains("origin")
        );
        assert!(
            e(assertion(
                &key,
                "evil.example",
                "http://127.0.0.1:9",
                "abc",
                UP,
                1
            ))
            .contains("rpId")
        );
        assert!(
            e(assertion(
                &key,
                "127.0.0.1",
                "http://127.0.0.1:9",
                "abc",
                0,
                1
            ))
            .contains("UP")
        );
        assert!(
            e(assertion(
                &test_key(2),
                "127.0.0.1",
                "http://127.0.0.1:9",
                "abc",
                UP,
                1
            ))
            .contains("signature")
        );
        let mut uv = want(0);
        uv.user_verification = true;
        let a = assertion(&key, "127.0.0.1", "http://127.0.0.1:9", "abc", UP, 1);
        let given = Given {
            client_data: &a[0],
            authenticator_data: &a[1],
            signature: &a[2],
        };
        assert!(verify(&uv, &given).unwrap_err().contains("UV"));
    }
}
