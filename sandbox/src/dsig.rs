//! XML Signature verification of a SAML assertion signed by a real IdP, as IAM does for a SAML
//! provider: the enveloped signature over the Assertion, exclusive XML canonicalization (with an
//! optional InclusiveNamespaces PrefixList), a SHA-256 digest and an RSA-SHA256 signature checked
//! against the provider's certificate (never against the certificate the assertion carries).

use base64::Engine;
use quick_xml::events::Event;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// An element with its attributes (namespace declarations included) in document order.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    Element(Element),
    Text(String),
}

fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

fn prefix(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, local_name: &str) -> Option<&Element> {
        self.elements().find(|e| local(&e.name) == local_name)
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// This element's namespace declarations: prefix ("" for the default) -> URI.
    fn declarations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attrs.iter().filter_map(|(k, v)| {
            if k == "xmlns" {
                Some(("", v.as_str()))
            } else {
                k.strip_prefix("xmlns:").map(|p| (p, v.as_str()))
            }
        })
    }
}

/// Parse a document into its root element (comments and processing instructions dropped).
fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let start = |e: &quick_xml::events::BytesStart<'_>| -> Result<Element, String> {
        let name = String::from_utf8(e.name().as_ref().to_vec()).map_err(|e| e.to_string())?;
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let k = String::from_utf8(a.key.as_ref().to_vec()).map_err(|e| e.to_string())?;
            let v = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
            attrs.push((k, v));
        }
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
        })
    };
    let push_text = |stack: &mut Vec<Element>, t: String| {
        if let Some(top) = stack.last_mut() {
            if let Some(Node::Text(prev)) = top.children.last_mut() {
                prev.push_str(&t);
            } else {
                top.children.push(Node::Text(t));
            }
        }
    };
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => stack.push(start(&e)?),
            Event::Empty(e) => {
                let el = start(&e)?;
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| e.to_string())?.into_owned();
                push_text(&mut stack, s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| e.to_string())?.into_owned();
                push_text(&mut stack, s);
            }
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, s);
            }
            Event::DocType(_) => return Err("a DOCTYPE is not allowed in a SAML response".into()),
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".into())
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

type Namespaces = BTreeMap<String, String>;

/// Exclusive canonicalization of `e` (https://www.w3.org/TR/xml-exc-c14n/): `in_scope` holds the
/// declarations of its ancestors, `rendered` those already output; `skip` drops an element.
fn c14n(
    e: &Element,
    in_scope: &Namespaces,
    rendered: &Namespaces,
    inclusive: &[String],
    skip: &dyn Fn(&Element) -> bool,
    out: &mut String,
) {
    let mut scope = in_scope.clone();
    for (p, uri) in e.declarations() {
        scope.insert(p.to_owned(), uri.to_owned());
    }
    let mut used: Vec<String> = vec![prefix(&e.name).to_owned()];
    for (k, _) in &e.attrs {
        let p = prefix(k);
        if k != "xmlns" && p != "xmlns" && !p.is_empty() && p != "xml" {
            used.push(p.to_owned());
        }
    }
    used.extend(inclusive.iter().filter(|p| scope.contains_key(*p)).cloned());
    used.sort();
    used.dedup();
    let mut now_rendered = rendered.clone();
    let mut decls = Vec::new();
    for p in used {
        let uri = scope.get(&p).cloned().unwrap_or_default();
        let before = rendered.get(&p).cloned().unwrap_or_default();
        if uri != before {
            decls.push((p.clone(), uri.clone()));
            now_rendered.insert(p, uri);
        }
    }
    let mut attrs: Vec<(String, &str, &str)> = e
        .attrs
        .iter()
        .filter(|(k, _)| k != "xmlns" && !k.starts_with("xmlns:"))
        .map(|(k, v)| {
            let p = prefix(k);
            let uri = if p.is_empty() {
                String::new()
            } else if p == "xml" {
                "http://www.w3.org/XML/1998/namespace".to_owned()
            } else {
                scope.get(p).cloned().unwrap_or_default()
            };
            (uri, k.as_str(), v.as_str())
        })
        .collect();
    attrs.sort_by(|a, b| (a.0.as_str(), local(a.1)).cmp(&(b.0.as_str(), local(b.1))));
    out.push('<');
    out.push_str(&e.name);
    for (p, uri) in &decls {
        out.push_str(if p.is_empty() { " xmlns=\"" } else { " xmlns:" });
        if !p.is_empty() {
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(uri, out);
        out.push('"');
    }
    for (_, k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
    for child in &e.children {
        match child {
            Node::Text(t) => escape_text(t, out),
            Node::Element(c) if skip(c) => {}
            Node::Element(c) => c14n(c, &scope, &now_rendered, inclusive, skip, out),
        }
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

/// The PrefixList of an exc-c14n transform or method, if any.
fn inclusive_prefixes(method: &Element) -> Vec<String> {
    method
        .child("InclusiveNamespaces")
        .and_then(|i| i.attr("PrefixList"))
        .map(|l| {
            l.split_whitespace()
                .map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Verify the signature of the (single) Assertion in `xml` with `key`; return the canonical text of
/// the verified Assertion without its signature, from which alone claims may be read.
pub(crate) fn verify_assertion(xml: &str, key: &RsaPublicKey) -> Result<String, String> {
    let root = parse(xml)?;
    let mut scope = Namespaces::new();
    for (p, u) in root.declarations() {
        scope.insert(p.to_owned(), u.to_owned());
    }
    let assertion = if local(&root.name) == "Assertion" {
        scope.clear();
        &root
    } else {
        let mut found = root.elements().filter(|e| local(&e.name) == "Assertion");
        let a = found.next().ok_or("no Assertion")?;
        if found.next().is_some() {
            return Err("more than one Assertion".into());
        }
        a
    };
    let id = assertion.attr("ID").ok_or("the Assertion has no ID")?;
    let signature = assertion
        .child("Signature")
        .ok_or("the Assertion is not signed")?;
    let signed_info = signature.child("SignedInfo").ok_or("no SignedInfo")?;
    let c14n_method = signed_info
        .child("CanonicalizationMethod")
        .ok_or("no CanonicalizationMethod")?;
    if c14n_method.attr("Algorithm") != Some(EXC_C14N) {
        return Err(format!(
            "unsupported canonicalization {:?}",
            c14n_method.attr("Algorithm")
        ));
    }
    let method = signed_info
        .child("SignatureMethod")
        .and_then(|m| m.attr("Algorithm"));
    if method != Some(RSA_SHA256) {
        return Err(format!("unsupported signature method {method:?}"));
    }
    let mut references = signed_info
        .elements()
        .filter(|e| local(&e.name) == "Reference");
    let reference = references.next().ok_or("no Reference")?;
    if references.next().is_some() {
        return Err("more than one Reference".into());
    }
    if reference.attr("URI") != Some(&format!("#{id}")) {
        return Err("the Reference does not point at the Assertion".into());
    }
    let mut inclusive = Vec::new();
    if let Some(transforms) = reference.child("Transforms") {
        for t in transforms.elements() {
            match t.attr("Algorithm") {
                Some(ENVELOPED) => {}
                Some(EXC_C14N) => inclusive = inclusive_prefixes(t),
                other => return Err(format!("unsupported transform {other:?}")),
            }
        }
    }
    let digest_method = reference
        .child("DigestMethod")
        .and_then(|m| m.attr("Algorithm"));
    if digest_method != Some(SHA256) {
        return Err(format!("unsupported digest {digest_method:?}"));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let compact = |s: String| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let digest = b64
        .decode(compact(
            reference
                .child("DigestValue")
                .ok_or("no DigestValue")?
                .text(),
        ))
        .map_err(|_| "DigestValue is not base64")?;

    let is_this_signature = |e: &Element| std::ptr::eq(e, signature);
    let mut canonical = String::new();
    c14n(
        assertion,
        &scope,
        &Namespaces::new(),
        &inclusive,
        &is_this_signature,
        &mut canonical,
    );
    if Sha256::digest(canonical.as_bytes()).as_slice() != digest.as_slice() {
        return Err("the Assertion's digest does not match: it was altered".into());
    }

    let mut sig_scope = scope.clone();
    for el in [assertion, signature] {
        for (p, u) in el.declarations() {
            sig_scope.insert(p.to_owned(), u.to_owned());
        }
    }
    let mut signed = String::new();
    c14n(
        signed_info,
        &sig_scope,
        &Namespaces::new(),
        &inclusive_prefixes(c14n_method),
        &|_| false,
        &mut signed,
    );
    let value = b64
        .decode(compact(
            signature
                .child("SignatureValue")
                .ok_or("no SignatureValue")?
                .text(),
        ))
        .map_err(|_| "SignatureValue is not base64")?;
    let sig = Signature::try_from(value.as_slice()).map_err(|e| e.to_string())?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(signed.as_bytes(), &sig)
        .map_err(|_| "the signature does not verify with the provider's certificate".to_owned())?;
    Ok(canonical)
}

/// The RSA public key of a PEM certificate (an IAM SAML provider's metadata holds the IdP's certificate).
pub(crate) fn certificate_key(pem: &str) -> Result<RsaPublicKey, String> {
    use x509_cert::der::{DecodePem, Encode};
    let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    rsa::pkcs8::DecodePublicKey::from_public_key_der(&spki)
        .map_err(|e| format!("not an RSA key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(xml: &str) -> String {
        let root = parse(xml).unwrap();
        let mut out = String::new();
        c14n(
            &root,
            &Namespaces::new(),
            &Namespaces::new(),
            &[],
            &|_| false,
            &mut out,
        );
        out
    }

    #[test]
    fn exclusive_c14n_basics() {
        // Unused declarations go, used ones move to where they are used, attributes are sorted,
        // empty elements are expanded, and text and attribute values are escaped.
        assert_eq!(
            canon(
                r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" z="1" a:y="&quot;2" x='3'><c/><b:d>x &gt; y &amp; "q"</b:d></a:r>"#
            ),
            r#"<a:r xmlns:a="urn:a" x="3" z="1" a:y="&quot;2"><c></c><b:d xmlns:b="urn:b">x &gt; y &amp; "q"</b:d></a:r>"#
        );
        // A default namespace is declared once, and undeclared below an element without one.
        assert_eq!(
            canon(r#"<r xmlns="urn:d"><s><t xmlns=""/></s></r>"#),
            r#"<r xmlns="urn:d"><s><t xmlns=""></t></s></r>"#
        );
    }
}

#[cfg(test)]
mod real_idp {
    //! A response signed by the npm package saml-idp (samlp 7.1.1), captured with its certificate.
    use super::*;

    const RESPONSE: &str = include_str!("fixtures/saml-idp-response.xml");
    const CERT: &str = include_str!("fixtures/saml-idp-cert.pem");

    #[test]
    fn a_real_idps_signature_verifies() {
        let key = certificate_key(CERT).unwrap();
        let canonical = verify_assertion(RESPONSE, &key).unwrap();
        assert!(canonical.contains("arn:aws:iam::111111111111:role/ReadOnly"));
        assert!(!canonical.contains("SignatureValue"));
    }

    #[test]
    fn an_altered_assertion_is_refused() {
        let key = certificate_key(CERT).unwrap();
        let forged = RESPONSE.replace("role/ReadOnly", "role/Owner");
        assert!(
            verify_assertion(&forged, &key)
                .unwrap_err()
                .contains("digest does not match")
        );
    }

    #[test]
    fn another_certificate_is_refused() {
        // The sandbox's own TLS-free world has no second certificate: flip one bit of the key instead.
        let key = certificate_key(CERT).unwrap();
        let other = RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(&{
                let mut n = rsa::traits::PublicKeyParts::n(&key).to_bytes_be();
                let last = n.len() - 1;
                n[last] ^= 2;
                n
            }),
            rsa::traits::PublicKeyParts::e(&key).clone(),
        )
        .unwrap();
        assert!(
            verify_assertion(RESPONSE, &other)
                .unwrap_err()
                .contains("does not verify")
        );
    }

    #[test]
    fn a_second_assertion_is_refused() {
        let key = certificate_key(CERT).unwrap();
        let start = RESPONSE.find("<saml:Assertion").unwrap();
        let end = RESPONSE.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        let doubled = RESPONSE.replacen(
            "</samlp:Response>",
            &format!("{}</samlp:Response>", &RESPONSE[start..end]),
            1,
        );
        assert_eq!(
            verify_assertion(&doubled, &key).unwrap_err(),
            "more than one Assertion"
        );
    }
}
