//! The fuzz targets' way in (fuzz/): each function hands arbitrary bytes to aws-token's own readers
//! of what an IdP, STS or a tampered cache can send — Okta's IDX answers (FastPass and security-key
//! challenges included), a security key's challenge data, Okta's embed pages, any HTML
//! login page (and Duo's prompt pages), the cache and kept-secret files, a kept session — and does all that the flows do
//! with the result. None of them may panic. Not for use by anything else.

use std::time::Duration;

/// An answer of Okta's IDX API.
pub fn idx_answer(data: &[u8]) {
    crate::idp::okta::read_idx_answer(data);
}

/// A security key's challenge data as Okta sends it (Classic: a factor's `_embedded.challenge`;
/// Identity Engine: `contextualData.challengeData`), made into the request a browser would make.
pub fn webauthn_challenge(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(org) = url::Url::parse("https://acme.okta.com/") else {
        return;
    };
    if let Ok(r) =
        crate::authenticator::webauthn::Request::from_okta(&org, &value, &["AQID", "not base64 !"])
    {
        let _ = r.client_data_json();
        assert!(r.rp_id == "acme.okta.com" || "acme.okta.com".ends_with(&format!(".{}", r.rp_id)));
    }
}

/// The page Okta's embed link answers with (SAML form, step-up, sign-in page, errors).
pub fn okta_page(data: &[u8]) {
    crate::idp::okta::read_app_page(&String::from_utf8_lossy(data));
}

/// A login page as the form provider reads it: its forms and fields, what it would submit, the
/// SAML form and where it posts, the IdP's error text, a consent page.
pub fn html_page(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let Ok(base) = url::Url::parse("https://idp.example.com/login/page?x=1") else {
        return;
    };
    let names = crate::config::FieldNames::default();
    let forms = crate::idp::html_form::forms(&html, &base);
    for f in &forms {
        let _ = (f.password_field(&names), f.username_field(&names));
        let _ = (f.code_field(&names), f.is_auto_post(), f.pairs());
        let _ = f.saml_response();
        let _ = crate::saml::is_aws_sign_in(&f.action);
        let _ = crate::idp::http::refuse_plain_http(&f.action, Some(&base));
    }
    let _ = crate::idp::html_form::error_text(&html);
    let _ = crate::idp::html_form::asks_for_consent(&html, &forms);
    // The same bytes as Duo's frameless and prompt pages, and as an Entra sign-in page.
    crate::idp::duo::read_everything(&html);
    crate::idp::entra::read_everything(&html);
}

/// A file of the cache directory read as each kind it may be: cached credentials, the file store
/// of kept secrets, the index of kept names, the learnt pipelines.
pub fn cache_file(data: &[u8]) {
    let now = chrono::Utc::now();
    if let Some(c) = crate::cache::cached_from(data, now, Duration::from_secs(900)) {
        assert!(c.credentials.expiration > now);
    }
    for (org, pipeline) in crate::keyring::file_store_from(data) {
        let _ = url::Url::parse(&org);
        let _ = crate::idp::okta::pipeline::Pipeline::parse(&pipeline);
    }
    let _ = crate::keyring::index_from(data);
}

/// A kept IdP session as read back from a store: checked, split, and put in a cookie jar as the
/// next login does.
pub fn kept_session(data: &[u8]) {
    let header = crate::secret::Secret::new(String::from_utf8_lossy(data).into_owned());
    if crate::session::unsendable(&header).is_some() {
        return;
    }
    let Ok(url) = url::Url::parse("https://example.okta.com/") else {
        return;
    };
    let jar = reqwest::cookie::Jar::default();
    crate::idp::http::put_cookies(&jar, &url, header.expose());
    use reqwest::cookie::CookieStore;
    if let Some(v) = jar.cookies(&url) {
        let _ = v.to_str();
    }
}
