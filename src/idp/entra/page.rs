//! What an Entra sign-in page says: the `$Config` JSON object every step embeds (read as one JSON
//! value from where it starts, whatever script follows it), its page id and error, and the pages
//! without one: the script redirect that carries a SAMLRequest, a hidden auto-posting form, the
//! SAMLResponse form for AWS.

use crate::idp::html_form::{Form, forms};
use serde_json::Value;

/// The `$Config` of a page.
#[derive(Debug, Clone)]
pub(super) struct Config(pub(super) Value);

impl Config {
    /// The `$Config={...}` object of `html`, if it has one.
    pub(super) fn of(html: &str) -> Option<Config> {
        let start = html.find("$Config=")? + "$Config=".len();
        let mut values = serde_json::Deserializer::from_str(&html[start..]).into_iter::<Value>();
        match values.next()? {
            Ok(v @ Value::Object(_)) => Some(Config(v)),
            _ => None,
        }
    }

    /// A string value (`""` when absent).
    pub(super) fn text(&self, key: &str) -> &str {
        self.0.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// A value as it is (numbers as their text).
    pub(super) fn raw(&self, key: &str) -> String {
        match self.0.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }
    }

    /// The page id (`pgid`).
    pub(super) fn page(&self) -> &str {
        self.text("pgid")
    }

    /// The AADSTS error code the page shows, when it shows one (50058, "no session yet", is none).
    pub(super) fn error(&self) -> Option<(String, String)> {
        let code = self.raw("sErrorCode");
        let code = if code.is_empty() {
            self.raw("iErrorCode")
        } else {
            code
        };
        (!code.is_empty() && code != "0" && code != "50058")
            .then(|| (code, self.text("sErrTxt").to_owned()))
    }
}

/// The URL a redirect page's script goes to with a SAMLRequest (`window.location = '...'`).
pub(super) fn saml_request_location(html: &str) -> Option<String> {
    let at = html.find("SAMLRequest")?;
    let before = &html[..at];
    let start = before.rfind("window.location")?;
    let rest = &html[start..];
    let quote_at = rest.find(['\'', '"'])?;
    let quote = rest[quote_at..].chars().next()?;
    let value = &rest[quote_at + 1..];
    let end = value.find(quote)?;
    let url = &value[..end];
    url.contains("SAMLRequest")
        .then(|| url.replace("\\u0026", "&").replace("&amp;", "&"))
}

/// The form a page posts by itself (`name="hiddenform"`, or a "Working..." page's only form).
pub(super) fn hidden_form(html: &str, base: &url::Url) -> Option<Form> {
    let auto = html.contains("name=\"hiddenform\"") || html.contains("<title>Working...</title>");
    if !auto {
        return None;
    }
    forms(html, base).into_iter().find(|f| f.post)
}

/// The page's `<title>`, for messages.
pub(super) fn title(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    scraper::Selector::parse("title")
        .ok()
        .and_then(|s| doc.select(&s).next().map(|t| t.text().collect::<String>()))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Read `html` every way the provider does (the fuzz target's entry).
pub(crate) fn read_everything(html: &str) {
    if let Some(c) = Config::of(html) {
        let _ = (c.page(), c.error(), c.raw("hpgact"), c.text("urlPost"));
        let _ = super::sas::proofs(&c);
    }
    let _ = saml_request_location(html);
    if let Ok(base) = url::Url::parse("https://login.microsoftonline.com/x/saml2") {
        let _ = hidden_form(html, &base);
    }
    let _ = title(html);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_read_whatever_follows_it() {
        for tail in [";\n//]]></script>", "; var x = {};</script>", ";//]]>"] {
            let html = format!(
                r#"<script>//<![CDATA[
$Config={{"pgid":"ConvergedSignIn","urlPost":"/t/login?a=1\u0026b=2","sErrorCode":"50126","sErrTxt":"Wrong"}}{tail}"#
            );
            let c = Config::of(&html).unwrap();
            assert_eq!(c.page(), "ConvergedSignIn");
            assert_eq!(c.text("urlPost"), "/t/login?a=1&b=2");
            assert_eq!(c.error(), Some(("50126".into(), "Wrong".into())));
        }
        let c = Config::of(r#"$Config={"pgid":"ConvergedSignIn","sErrorCode":"50058"};"#).unwrap();
        assert_eq!(c.error(), None);
        assert!(Config::of("no config here").is_none());
        assert!(Config::of("$Config=[1,2];").is_none());
    }

    #[test]
    fn the_saml_request_redirect_is_found_in_the_script() {
        let html = "<script>Sys.Application.add_load(function(){});window.location = 'https://login.example.com/t/saml2?SAMLRequest=abc\\u0026RelayState=x';var d;</script>";
        assert_eq!(
            saml_request_location(html).unwrap(),
            "https://login.example.com/t/saml2?SAMLRequest=abc&RelayState=x"
        );
        assert!(saml_request_location("<p>SAMLRequest</p>").is_none());
    }
}
