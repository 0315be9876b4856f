//! SAML responses as Okta sends them (Issuer, Status, Assertion with Subject, Conditions with
//! NotOnOrAfter, AuthnStatement, AttributeStatement; provider ARN first in each Role value), signed
//! by the sandbox, and the reading of them that the sandbox STS does.
//!
//! The signature is HMAC-SHA256 over the Assertion's exact bytes (without its ds:Signature), keyed
//! by a per-process secret the IdP and STS share; it is not XML-DSig, but it makes the sandbox STS
//! refuse any assertion that was altered or not issued by this sandbox.

use crate::Shared;
use crate::data::{App, User};
use base64::Engine;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use quick_xml::events::Event;
use sha2::Sha256;

/// The AWS sign-in (ACS) URL of the global partition.
pub(crate) const AWS_ACS: &str = "https://signin.aws.amazon.com/saml";
const ASSERTION_LIFETIME: i64 = 300;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn sign(key: &[u8; 32], bytes: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(bytes);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The base64 SAMLResponse for `user` in `app` with `roles`.
pub(crate) fn response(s: &Shared, app: &App, user: &User, roles: &[String]) -> String {
    let now = Utc::now();
    let later = now + Duration::seconds(ASSERTION_LIFETIME);
    let acs = app.acs.as_deref().unwrap_or(AWS_ACS);
    let issuer = format!("http://www.okta.com/exk{}", &app.id[3..]);
    let id = format!("id{}", crate::random_token(30));
    let values: String = roles
        .iter()
        .map(|role| {
            let account = role.split(':').nth(4).unwrap_or("");
            let partition = role.split(':').nth(1).unwrap_or("aws");
            let provider = format!("arn:{partition}:iam::{account}:saml-provider/{}", app.provider_name);
            format!(
                r#"<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{},{}</saml2:AttributeValue>"#,
                esc(&provider),
                esc(role)
            )
        })
        .collect();
    let duration = app
        .session_duration
        .map(|d| format!(r#"<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{d}</saml2:AttributeValue></saml2:Attribute>"#))
        .unwrap_or_default();
    let head = format!(
        r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" IssueInstant="{now}" Version="2.0"><saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{issuer}</saml2:Issuer>"#,
        now = ts(now)
    );
    let body = format!(
        concat!(
            r#"<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{login}</saml2:NameID>"#,
            r#"<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData NotOnOrAfter="{later}" Recipient="{acs}"/></saml2:SubjectConfirmation></saml2:Subject>"#,
            r#"<saml2:Conditions NotBefore="{before}" NotOnOrAfter="{later}"><saml2:AudienceRestriction><saml2:Audience>urn:amazon:webservices</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>"#,
            r#"<saml2:AuthnStatement AuthnInstant="{now}" SessionIndex="{id}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>"#,
            r#"<saml2:AttributeStatement><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">{values}</saml2:Attribute>"#,
            r#"<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{login}</saml2:AttributeValue></saml2:Attribute>{duration}</saml2:AttributeStatement></saml2:Assertion>"#
        ),
        login = esc(&user.login),
        later = ts(later),
        before = ts(now - Duration::seconds(60)),
        now = ts(now),
        acs = esc(acs),
        id = id,
        values = values,
        duration = duration,
    );
    let signature = format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:SignatureMethod Algorithm="{SANDBOX_METHOD}"/><ds:Reference URI="#{id}"/></ds:SignedInfo><ds:SignatureValue>{}</ds:SignatureValue></ds:Signature>"##,
        sign(&s.signing_key, format!("{head}{body}").as_bytes())
    );
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="{acs}" ID="r{id}" IssueInstant="{now}" Version="2.0"><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{issuer}</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>{head}{signature}{body}</saml2p:Response>"#,
        acs = esc(acs),
        now = ts(now),
    );
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// What the sandbox STS reads from an assertion.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    /// (role ARN, provider ARN) pairs.
    pub roles: Vec<(String, String)>,
    pub session_name: Option<String>,
    pub session_duration: Option<i32>,
    pub not_on_or_after: Option<DateTime<Utc>>,
    pub subject: Option<String>,
}

/// Why an assertion is refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    Malformed(String),
    BadSignature,
    UnknownProvider,
}

/// The sandbox's own signature method (see the module comment).
const SANDBOX_METHOD: &str = "urn:aws-token-sandbox:hmac-sha256";

/// Check the signature of a base64 SAMLResponse (plain or MIME base64) presented with
/// `principal_arn`, and read its claims: the sandbox's own assertions by their HMAC, an outside
/// IdP's by its XML signature and the certificate of the SAML provider `principal_arn` names.
pub(crate) fn verify_for(s: &Shared, principal_arn: &str, b64: &str) -> Result<Claims, Refusal> {
    let xml = decode(b64)?;
    if xml.contains(SANDBOX_METHOD) {
        return verify_xml(&s.signing_key, &xml);
    }
    let key = s
        .provider_keys
        .get(principal_arn)
        .ok_or(Refusal::UnknownProvider)?;
    match crate::dsig::verify_assertion(&xml, key) {
        Ok(canonical) => claims(&canonical).map_err(Refusal::Malformed),
        Err(why) => {
            eprintln!("aws-token-sandbox: STS refused an assertion for {principal_arn}: {why}");
            Err(Refusal::BadSignature)
        }
    }
}

fn decode(b64: &str) -> Result<String, Refusal> {
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| Refusal::Malformed("SAMLAssertion is not base64".into()))?;
    String::from_utf8(bytes).map_err(|_| Refusal::Malformed("SAMLAssertion is not UTF-8".into()))
}

/// Check the sandbox's own signature and read the claims of a base64 SAMLResponse.
#[cfg(test)]
pub(crate) fn verify(key: &[u8; 32], b64: &str) -> Result<Claims, Refusal> {
    verify_xml(key, &decode(b64)?)
}

fn verify_xml(key: &[u8; 32], xml: &str) -> Result<Claims, Refusal> {
    let start = xml.find("<saml2:Assertion").ok_or(Refusal::BadSignature)?;
    let end = xml
        .find("</saml2:Assertion>")
        .ok_or(Refusal::BadSignature)?
        + "</saml2:Assertion>".len();
    let assertion = &xml[start..end];
    let sig_start = assertion
        .find("<ds:Signature")
        .ok_or(Refusal::BadSignature)?;
    let sig_end = assertion
        .find("</ds:Signature>")
        .ok_or(Refusal::BadSignature)?
        + "</ds:Signature>".len();
    let signature = &assertion[sig_start..sig_end];
    let value = signature
        .split("<ds:SignatureValue>")
        .nth(1)
        .and_then(|v| v.split("</ds:SignatureValue>").next())
        .ok_or(Refusal::BadSignature)?;
    let signed = format!("{}{}", &assertion[..sig_start], &assertion[sig_end..]);
    if sign(key, signed.as_bytes()) != value {
        return Err(Refusal::BadSignature);
    }
    claims(assertion).map_err(Refusal::Malformed)
}

fn claims(xml: &str) -> Result<Claims, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut c = Claims::default();
    let mut attribute = String::new();
    let mut text: Option<String> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => {
                let get = |n: &[u8]| {
                    e.try_get_attribute(n)
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                match e.local_name().as_ref() {
                    b"Attribute" => attribute = get(b"Name").unwrap_or_default(),
                    b"AttributeValue" | b"NameID" => text = Some(String::new()),
                    b"SubjectConfirmationData" => {
                        c.not_on_or_after = get(b"NotOnOrAfter")
                            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                            .map(|t| t.with_timezone(&Utc));
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&t.xml_content().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(s) = text.as_mut() {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    match r.resolve_char_ref().map_err(|e| e.to_string())? {
                        Some(ch) => s.push(ch),
                        None => s.push_str(
                            quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""),
                        ),
                    }
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                if local.as_ref() == b"NameID" {
                    c.subject = text.take();
                } else if local.as_ref() == b"AttributeValue"
                    && let Some(v) = text.take()
                {
                    let v = v.trim().to_owned();
                    match attribute.as_str() {
                        "https://aws.amazon.com/SAML/Attributes/Role" => {
                            let (mut role, mut provider) = (String::new(), String::new());
                            for p in v.split(',').map(str::trim) {
                                if p.contains(":saml-provider/") {
                                    provider = p.to_owned();
                                } else {
                                    role = p.to_owned();
                                }
                            }
                            c.roles.push((role, provider));
                        }
                        "https://aws.amazon.com/SAML/Attributes/RoleSessionName" => {
                            c.session_name = Some(v)
                        }
                        "https://aws.amazon.com/SAML/Attributes/SessionDuration" => {
                            c.session_duration = v.parse().ok();
                        }
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data;

    fn shared() -> Shared {
        Shared {
            data: data::demo(),
            signing_key: [7; 32],
            provider_keys: std::collections::HashMap::new(),
            tls: false,
            state: std::sync::Mutex::default(),
        }
    }

    #[test]
    fn signed_response_verifies_and_tampering_is_caught() {
        let s = shared();
        let user = &s.data.users[0];
        let roles = vec!["arn:aws:iam::111111111111:role/Admin".to_owned()];
        let b64 = response(&s, &s.data.apps[0], user, &roles);
        let claims = verify(&s.signing_key, &b64).unwrap();
        assert_eq!(
            claims.roles,
            vec![(
                roles[0].clone(),
                "arn:aws:iam::111111111111:saml-provider/Okta".to_owned()
            )]
        );
        assert_eq!(claims.session_name.as_deref(), Some("demo@example.com"));
        assert!(claims.not_on_or_after.unwrap() > Utc::now());

        let xml = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&b64)
                .unwrap(),
        )
        .unwrap();
        let forged = xml.replace("role/Admin", "role/Owner");
        let forged = base64::engine::general_purpose::STANDARD.encode(forged);
        assert!(matches!(
            verify(&s.signing_key, &forged),
            Err(Refusal::BadSignature)
        ));
        assert!(matches!(verify(&[8; 32], &b64), Err(Refusal::BadSignature)));
    }

    #[test]
    fn mime_wrapped_assertions_are_accepted() {
        let s = shared();
        let b64 = response(
            &s,
            &s.data.apps[0],
            &s.data.users[0],
            &["arn:aws:iam::111111111111:role/Admin".to_owned()],
        );
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        assert!(verify(&s.signing_key, &wrapped).is_ok());
    }
}
