//! HTML forms as a browser sees them: parse every `<form>` of a page (scraper decodes entities),
//! find the username, password and one-time-code fields (by type, common names, or names set in
//! config.json), and encode a submission with every other field as the page set it.

use crate::config::FieldNames;
use crate::secret::Secret;
use scraper::{ElementRef, Html, Selector};

/// One form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub id: String,
    pub value: String,
    /// Lower-cased `type` (`text` when absent; `select`, `textarea` for those elements).
    pub kind: String,
    pub autocomplete: String,
    /// Sent with the form (false for unchecked boxes and for every submit button but the first).
    pub successful: bool,
}

/// One `<form>`.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: url::Url,
    pub post: bool,
    pub fields: Vec<Field>,
}

const USER_HINTS: &[&str] = &[
    "user",
    "login",
    "email",
    "identifier",
    "uid",
    "account",
    "j_username",
];
const CODE_HINTS: &[&str] = &[
    "otp",
    "code",
    "totp",
    "mfa",
    "passcode",
    "token",
    "verification",
    "one-time",
];
const TEXTUAL: &[&str] = &["text", "email", "tel", "number", ""];

impl Field {
    fn mentions(&self, hints: &[&str]) -> bool {
        let (n, i) = (self.name.to_ascii_lowercase(), self.id.to_ascii_lowercase());
        hints.iter().any(|h| n.contains(h) || i.contains(h))
    }
}

impl Form {
    /// The SAMLResponse this form would post, if it is the SAML form.
    pub fn saml_response(&self) -> Option<Secret<String>> {
        self.fields
            .iter()
            .find(|f| f.name == "SAMLResponse" && !f.value.trim().is_empty())
            .map(|f| Secret::new(f.value.trim().to_owned()))
    }

    fn named(&self, name: Option<&str>) -> Option<usize> {
        let name = name?;
        self.fields.iter().position(|f| f.name == name)
    }

    /// The password field's index.
    pub fn password_field(&self, names: &FieldNames) -> Option<usize> {
        self.named(names.password_field.as_deref()).or_else(|| {
            self.fields
                .iter()
                .position(|f| f.kind == "password" && !f.mentions(CODE_HINTS))
        })
    }

    /// The username field's index: by config name, by common names, else the text field before the password.
    pub fn username_field(&self, names: &FieldNames) -> Option<usize> {
        if let Some(i) = self.named(names.username_field.as_deref()) {
            return Some(i);
        }
        let textual = |f: &Field| TEXTUAL.contains(&f.kind.as_str());
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| textual(f) && f.mentions(USER_HINTS) && !f.mentions(CODE_HINTS))
        {
            return Some(i);
        }
        let pw = self.password_field(names)?;
        self.fields[..pw].iter().rposition(textual)
    }

    /// The one-time-code field's index (only on a form without username and password).
    pub fn code_field(&self, names: &FieldNames) -> Option<usize> {
        if let Some(i) = self.named(names.code_field.as_deref()) {
            return Some(i);
        }
        if self.username_field(names).is_some() || self.password_field(names).is_some() {
            return None;
        }
        self.fields.iter().position(|f| {
            (TEXTUAL.contains(&f.kind.as_str()) || f.kind == "password")
                && (f.mentions(CODE_HINTS) || f.autocomplete == "one-time-code")
        })
    }

    /// A form with nothing to type: hidden fields and buttons only (an intermediate auto-post).
    pub fn is_auto_post(&self) -> bool {
        !self.fields.is_empty()
            && self
                .fields
                .iter()
                .all(|f| matches!(f.kind.as_str(), "hidden" | "submit" | "button" | "image"))
    }

    /// The name=value pairs a browser would send.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|f| f.successful && !f.name.is_empty())
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect()
    }
}

/// Every form of the page at `base`.
pub fn forms(html: &str, base: &url::Url) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let (Ok(form_sel), Ok(field_sel), Ok(option_sel)) = (
        Selector::parse("form"),
        Selector::parse("input, select, textarea, button"),
        Selector::parse("option"),
    ) else {
        return Vec::new();
    };
    doc.select(&form_sel)
        .map(|form| {
            let attr = |e: &ElementRef<'_>, n: &str| e.value().attr(n).unwrap_or("").to_owned();
            let action = match form
                .value()
                .attr("action")
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                Some(a) => base.join(a).unwrap_or_else(|_| base.clone()),
                None => base.clone(),
            };
            let post = form
                .value()
                .attr("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"));
            let mut seen_submit = false;
            let fields = form
                .select(&field_sel)
                .filter(|e| e.value().attr("disabled").is_none())
                .map(|e| {
                    let tag = e.value().name();
                    let kind = match tag {
                        "input" => attr(&e, "type").to_ascii_lowercase(),
                        "button" => {
                            let t = attr(&e, "type").to_ascii_lowercase();
                            if t.is_empty() { "submit".to_owned() } else { t }
                        }
                        other => other.to_owned(),
                    };
                    let value = match tag {
                        "select" => e
                            .select(&option_sel)
                            .find(|o| o.value().attr("selected").is_some())
                            .or_else(|| e.select(&option_sel).next())
                            .map(|o| {
                                o.value().attr("value").map_or_else(
                                    || o.text().collect::<String>().trim().to_owned(),
                                    str::to_owned,
                                )
                            })
                            .unwrap_or_default(),
                        "textarea" => e.text().collect(),
                        _ => attr(&e, "value"),
                    };
                    let successful = match kind.as_str() {
                        "checkbox" | "radio" => e.value().attr("checked").is_some(),
                        "submit" | "image" => !std::mem::replace(&mut seen_submit, true),
                        "button" | "reset" | "file" => false,
                        _ => true,
                    };
                    Field {
                        name: attr(&e, "name"),
                        id: attr(&e, "id"),
                        value,
                        kind,
                        autocomplete: attr(&e, "autocomplete").to_ascii_lowercase(),
                        successful,
                    }
                })
                .collect();
            Form {
                action,
                post,
                fields,
            }
        })
        .collect()
}

/// Words that mark a sentence as a login error, for pages that put it in a plain element.
const ERROR_WORDS: &[&str] = &[
    "invalid",
    "incorrect",
    "wrong",
    "failed",
    "not recognized",
    "not recognised",
    "denied",
    "try again",
    "error",
];

/// The text of `e`, white space folded, at most 200 characters.
fn folded_text(e: &ElementRef<'_>) -> String {
    let t = e.text().collect::<Vec<_>>().join(" ");
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

/// The first error message a page shows, for the user: in an alert box (Keycloak, Bootstrap),
/// Django's `errorlist`, SimpleSAMLphp 1.x's unclassed box with its error icon, else a short plain
/// paragraph or `div` outside the forms that reads like a login error.
pub fn error_text(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(
        "[role=alert], .alert-error, .alert-danger, .error, .errors, .errorlist, .form-error, #error, .kc-feedback-text, #input-error, .text-danger, .alert",
    )
    .ok()?;
    if let Some(t) = doc.select(&sel).find_map(|e| {
        let t = folded_text(&e);
        (!t.is_empty()).then_some(t)
    }) {
        return Some(t);
    }
    // SimpleSAMLphp 1.x: <div style=...><img class="float-l erroricon"><h2>...</h2><p>...</p></div>
    let icon = Selector::parse("img.erroricon").ok()?;
    if let Some(t) = doc
        .select(&icon)
        .find_map(|img| img.parent().and_then(ElementRef::wrap))
        .map(|box_| folded_text(&box_))
        .filter(|t| !t.is_empty())
    {
        return Some(t);
    }
    let plain = Selector::parse("p, div, span, li, strong, b, font").ok()?;
    doc.select(&plain)
        .filter(|e| {
            !e.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "form")
        })
        .filter(|e| {
            // The innermost element that says it: none of its children says it too.
            !e.children()
                .filter_map(ElementRef::wrap)
                .any(|c| reads_like_error(&folded_text(&c)))
        })
        .map(|e| folded_text(&e))
        .find(|t| reads_like_error(t))
}

fn reads_like_error(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !text.is_empty() && text.len() < 200 && ERROR_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether the page asks the user to consent to releasing attributes (Keycloak's "grant access",
/// SimpleSAMLphp's consent module, Shibboleth's attribute release): not a login step aws-token
/// may answer for the user.
pub fn asks_for_consent(html: &str, forms: &[Form]) -> bool {
    let names = [
        "_shib_idp_consentoptions",
        "_shib_idp_consentids",
        "yesbutton",
        "saveconsent",
        "consent",
    ];
    let field_says = forms.iter().any(|f| {
        f.fields.iter().any(|x| {
            let (n, i) = (x.name.to_ascii_lowercase(), x.id.to_ascii_lowercase());
            names.iter().any(|c| n.contains(c) || i.contains(c))
        })
    });
    if field_says {
        return true;
    }
    let doc = Html::parse_document(html);
    let Ok(body) = Selector::parse("body") else {
        return false;
    };
    let text = doc
        .select(&body)
        .next()
        .map(|b| folded_text_all(&b))
        .unwrap_or_default()
        .to_ascii_lowercase();
    !forms.is_empty()
        && [
            "consent",
            "grant these access privileges",
            "attribute release",
            "information to be provided to service",
            "release the following",
        ]
        .iter()
        .any(|p| text.contains(p))
}

/// The whole text of `e` (not cut at 200 characters), white space folded.
fn folded_text_all(e: &ElementRef<'_>) -> String {
    let t = e.text().collect::<Vec<_>>().join(" ");
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("https://idp.example.com/login/page?x=1").unwrap()
    }

    #[test]
    fn login_form_fields_are_found() {
        let html = r#"<form method="POST" action="/auth?step=1"><input type="hidden" name="csrf" value="a&amp;b">
            <input name="j_username" id="u"><input type="password" name="j_password"><input type="checkbox" name="remember">
            <button name="go" value="1">Sign in</button><button name="other" value="2">Other</button></form>"#;
        let f = &forms(html, &base())[0];
        let names = FieldNames::default();
        assert_eq!(f.action.as_str(), "https://idp.example.com/auth?step=1");
        assert!(f.post);
        assert_eq!(
            f.fields[f.username_field(&names).unwrap()].name,
            "j_username"
        );
        assert_eq!(
            f.fields[f.password_field(&names).unwrap()].name,
            "j_password"
        );
        assert_eq!(f.code_field(&names), None);
        assert_eq!(
            f.pairs(),
            vec![
                ("csrf".into(), "a&b".into()),
                ("j_username".into(), String::new()),
                ("j_password".into(), String::new()),
                ("go".into(), "1".into())
            ]
        );
    }

    #[test]
    fn unnamed_username_is_the_text_field_before_the_password() {
        let html = r#"<form><input name="f1"><input type="password" name="f2"></form>"#;
        let f = &forms(html, &base())[0];
        assert_eq!(f.username_field(&FieldNames::default()), Some(0));
        assert_eq!(f.action, base());
        assert!(!f.post);
    }

    #[test]
    fn code_form_and_config_names() {
        let html = r#"<form method="post"><input type="hidden" name="csrf_token" value="t"><input name="otp" autocomplete="one-time-code"></form>"#;
        let f = &forms(html, &base())[0];
        assert_eq!(
            f.fields[f.code_field(&FieldNames::default()).unwrap()].name,
            "otp"
        );
        let html =
            r#"<form><input name="a"><input name="b"><input type="password" name="c"></form>"#;
        let f = &forms(html, &base())[0];
        let names = FieldNames {
            username_field: Some("a".into()),
            ..Default::default()
        };
        assert_eq!(f.username_field(&names), Some(0));
    }

    #[test]
    fn saml_form_and_auto_post() {
        let html = r#"<form action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="post"><input type="hidden" name="SAMLResponse" value="PD94&#x2b;"><input type="hidden" name="RelayState" value=""></form>"#;
        let f = &forms(html, &base())[0];
        assert_eq!(f.saml_response().unwrap().expose(), "PD94+");
        assert_eq!(f.action.as_str(), "https://signin.aws.amazon.com/saml");
        assert!(f.is_auto_post());
    }

    #[test]
    fn error_text_of_django_simplesamlphp_and_plain_pages() {
        assert_eq!(
            error_text(r#"<form><ul class="errorlist nonfield"><li>Please enter a correct username and password.</li></ul><input name="username"></form>"#).as_deref(),
            Some("Please enter a correct username and password.")
        );
        assert_eq!(
            error_text(r#"<div style="border-left: 1px solid #e8e8e8"><img src="gtk-dialog-error.48x48.png" class="float-l erroricon" alt=""><h2>Incorrect username or password</h2><p>Either no user with the given username could be found, or the password was wrong.</p></div><form><input name="username"></form>"#).as_deref(),
            Some("Incorrect username or password Either no user with the given username could be found, or the password was wrong.")
        );
        assert_eq!(
            error_text(r#"<div><h1>Sign in</h1><p>Welcome back.</p><div><p>The password you entered is incorrect.</p></div><form><p>Forgot your password? Try again later</p><input name="username"></form></div>"#).as_deref(),
            Some("The password you entered is incorrect.")
        );
        assert_eq!(
            error_text(r#"<p>Welcome back.</p><form><input name="u"></form>"#),
            None
        );
    }

    #[test]
    fn consent_pages_are_recognised() {
        let keycloak = r#"<h3>Do you grant these access privileges?</h3><form method="post" action="/consent"><input type="hidden" name="code" value="c"><input type="submit" name="accept" value="Yes"><input type="submit" name="cancel" value="No"></form>"#;
        assert!(asks_for_consent(keycloak, &forms(keycloak, &base())));
        let shib = r#"<form method="post"><input type="radio" name="_shib_idp_consentOptions" value="x"><button name="_eventId_proceed">Accept</button></form>"#;
        assert!(asks_for_consent(shib, &forms(shib, &base())));
        let login = r#"<form method="post"><input name="username"><input type="password" name="password"></form>"#;
        assert!(!asks_for_consent(login, &forms(login, &base())));
    }

    #[test]
    fn error_text_is_found() {
        assert_eq!(
            error_text(r#"<div class="x"><span class="alert alert-error" role="alert"> Invalid   username or password. </span></div>"#).as_deref(),
            Some("Invalid username or password.")
        );
        assert_eq!(error_text("<p>fine</p>"), None);
    }
}
