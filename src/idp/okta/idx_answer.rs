//! One answer of Okta's IDX API, read: its stateHandle, the remediations it offers (name, href,
//! fields, authenticator options), the success-redirect, the push's number challenge, and Okta's
//! messages (top-level or on a field) turned into aws-token's errors with Okta's words kept.

use crate::cli::MfaKind;
use crate::error::Error;
use serde_json::Value;

/// An IDX answer. It holds the stateHandle, so it never prints its body.
pub(super) struct Answer {
    pub(super) status: u16,
    body: Value,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IdxAnswer(HTTP {}, offers {:?})",
            self.status,
            self.names()
        )
    }
}

/// One remediation: a form to POST to its href.
#[derive(Clone, Copy)]
pub(super) struct Remediation<'a>(&'a Value);

/// One message from Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Message {
    pub(super) text: String,
    pub(super) key: String,
    pub(super) error: bool,
}

/// One way to verify that a `select-authenticator-authenticate` offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Choice {
    pub(super) id: String,
    /// `password`, `otp`, `totp`, `push`, `sms`, `voice`, `email`, `webauthn`, `signed_nonce`, ...
    pub(super) method: String,
    /// The authenticator's key (`google_otp`, `okta_verify`, `phone_number`, `okta_email`, ...).
    pub(super) key: String,
    pub(super) label: String,
    /// The phone number or email address it goes to, as Okta shows it.
    pub(super) to: String,
}

impl Choice {
    /// The `--mfa` kind it answers to; `None` for what a terminal cannot do.
    pub(super) fn kind(&self) -> Option<MfaKind> {
        if self.is_duo() {
            return Some(MfaKind::DuoPush);
        }
        match self.method.as_str() {
            "otp" | "totp" => Some(MfaKind::Totp),
            "push" => Some(MfaKind::Push),
            "sms" => Some(MfaKind::Sms),
            "voice" => Some(MfaKind::Call),
            "email" => Some(MfaKind::Email),
            "signed_nonce" => Some(MfaKind::Fastpass),
            "webauthn" => Some(MfaKind::SecurityKey),
            _ => None,
        }
    }

    /// Duo as an IdP authenticator: choosing it hands the sign-in to Duo's Universal Prompt.
    pub(super) fn is_duo(&self) -> bool {
        self.method == "idp" && self.label.to_lowercase().contains("duo")
    }

    /// How the choice is shown in a prompt and in messages.
    pub(super) fn describe(&self) -> String {
        if self.is_duo() {
            return format!("{} (push, call or passcode)", self.label);
        }
        let to = if self.to.is_empty() {
            String::new()
        } else {
            format!(" to {}", self.to)
        };
        match self.method.as_str() {
            "otp" | "totp" => format!("{} code", self.label),
            "push" => format!("{} push{to}", self.label),
            "sms" => format!("SMS code{to}"),
            "voice" => format!("phone call{to}"),
            "email" => format!("email code{to}"),
            "webauthn" => format!("{} (WebAuthn)", self.label),
            "signed_nonce" => format!("{} (FastPass)", self.label),
            m => format!("{} ({m})", self.label),
        }
    }
}

impl super::mfa::Offer for Choice {
    fn kind(&self) -> Option<MfaKind> {
        Choice::kind(self)
    }
    fn label(&self) -> String {
        self.describe()
    }
    fn answers(&self, kind: MfaKind) -> bool {
        if self.is_duo() {
            crate::idp::mfa_choice::is_duo_kind(kind)
        } else {
            self.kind() == Some(kind)
        }
    }
}

impl Answer {
    /// An answer read from `body` with HTTP `status`; `None` when it is not an IDX answer.
    pub(super) fn parse(status: u16, body: &[u8]) -> Option<Answer> {
        let v: Value = serde_json::from_slice(body).ok()?;
        let idx = v.get("stateHandle").is_some()
            || v.get("remediation").is_some()
            || v.get("messages").is_some()
            || v.get("success").is_some();
        (v.is_object() && idx).then_some(Answer { status, body: v })
    }

    pub(super) fn state_handle(&self) -> Option<&str> {
        self.body.get("stateHandle").and_then(Value::as_str)
    }

    fn remediations(&self) -> impl Iterator<Item = Remediation<'_>> {
        self.body
            .pointer("/remediation/value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(Remediation)
    }

    /// The names of the remediations offered, in order.
    pub(super) fn names(&self) -> Vec<&str> {
        self.remediations().map(|r| r.name()).collect()
    }

    /// The remediation `name`, when offered.
    pub(super) fn remediation(&self, name: &str) -> Option<Remediation<'_>> {
        self.remediations().find(|r| r.name() == name)
    }

    /// The success-redirect's href: the sign-in is done.
    pub(super) fn success_href(&self) -> Option<&str> {
        let s = self.body.get("success")?;
        (s.get("name").and_then(Value::as_str) == Some("success-redirect"))
            .then(|| s.get("href").and_then(Value::as_str))
            .flatten()
    }

    /// The key of the authenticator being verified now (`okta_password`, `google_otp`, ...).
    pub(super) fn current_key(&self) -> Option<&str> {
        [
            "/currentAuthenticatorEnrollment/value/key",
            "/currentAuthenticator/value/key",
        ]
        .iter()
        .find_map(|p| self.body.pointer(p).and_then(Value::as_str))
    }

    /// The current authenticator's display name.
    pub(super) fn current_name(&self) -> Option<&str> {
        [
            "/currentAuthenticatorEnrollment/value/displayName",
            "/currentAuthenticator/value/displayName",
        ]
        .iter()
        .find_map(|p| self.body.pointer(p).and_then(Value::as_str))
    }

    /// Where the current authenticator sends its code (phone number, email address), if shown.
    pub(super) fn current_profile_target(&self) -> String {
        [
            "/currentAuthenticatorEnrollment/value/profile/phoneNumber",
            "/currentAuthenticatorEnrollment/value/profile/email",
        ]
        .iter()
        .find_map(|p| self.body.pointer(p).and_then(Value::as_str))
        .unwrap_or("")
        .to_owned()
    }

    /// A security key's challenge (`contextualData.challengeData` of the current authenticator).
    pub(super) fn webauthn_challenge(&self) -> Option<&Value> {
        [
            "/currentAuthenticator/value/contextualData/challengeData",
            "/currentAuthenticatorEnrollment/value/contextualData/challengeData",
        ]
        .iter()
        .find_map(|p| self.body.pointer(p))
    }

    /// The credential ids of the user's enrolled security keys (base64url, as Okta lists them).
    pub(super) fn webauthn_credentials(&self) -> Vec<&str> {
        self.body
            .pointer("/authenticatorEnrollments/value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|e| e.get("key").and_then(Value::as_str) == Some("webauthn"))
            .filter_map(|e| e.get("credentialId").and_then(Value::as_str))
            .collect()
    }

    /// Okta Verify's number challenge while a push is polled.
    /// The FastPass challenge this answer carries (a `challenge-poll` of Okta Verify's
    /// `signed_nonce`, or a `device-challenge-poll`), if any.
    ///
    /// Its `cancel-polling` form is where the widget reads it (okta-auth-js makes an action only
    /// of a form one level below a top-level key): `currentAuthenticator.value.cancel` at a
    /// signed_nonce challenge-poll (widget mock
    /// `authenticator-verification-okta-verify-signed-nonce-loopback.json`),
    /// `authenticatorChallenge.value.cancel` at a device-challenge-poll
    /// (`identify-with-device-probing-loopback.json`); a form inside the challenge itself (the
    /// `-app-link.json` mock has one) is the last resort.
    pub(super) fn fastpass_challenge(&self) -> Option<crate::authenticator::fastpass::Challenge> {
        let poll = self
            .body
            .pointer("/currentAuthenticator/value/contextualData/challenge/value");
        let v = poll.or_else(|| self.body.pointer("/authenticatorChallenge/value"))?;
        // `Challenge::read` takes a form inside the challenge; the authenticator's wins.
        let mut challenge = crate::authenticator::fastpass::Challenge::read(v)?;
        if poll.is_some()
            && let Some(form) = self.body.pointer("/currentAuthenticator/value/cancel")
        {
            challenge.cancel_with(form);
        }
        Some(challenge)
    }

    pub(super) fn correct_answer(&self) -> Option<String> {
        [
            "/currentAuthenticator/value/contextualData/correctAnswer",
            "/currentAuthenticatorEnrollment/value/contextualData/correctAnswer",
        ]
        .iter()
        .find_map(|p| self.body.pointer(p))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Every message: top-level first, then those on the remediations' fields.
    pub(super) fn messages(&self) -> Vec<Message> {
        let mut out = Vec::new();
        collect_messages(self.body.get("messages"), &mut out);
        for r in self.remediations() {
            field_messages(r.0.get("value"), &mut out);
        }
        out
    }

    /// The options of `select-authenticator-authenticate`, one per method.
    pub(super) fn choices(&self) -> Vec<Choice> {
        let Some(r) = self.remediation("select-authenticator-authenticate") else {
            return Vec::new();
        };
        let Some(field) = r.field("authenticator") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for option in field
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let fields = option
                .pointer("/value/form/value")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let (Some(id), named_methods) = authenticator_form(&fields) else {
                continue;
            };
            let enrollment = option
                .get("relatesTo")
                .and_then(Value::as_str)
                .and_then(|p| self.relates_to(p));
            let text = |v: Option<&Value>, p: &str| {
                v.and_then(|v| v.pointer(p))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let label = option
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or("authenticator");
            let key = text(enrollment, "/key");
            let to = [
                text(enrollment, "/profile/phoneNumber"),
                text(enrollment, "/profile/email"),
            ]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
            let methods: Vec<String> = match named_methods {
                Some(m) => m,
                // No methodType field: the enrollment's methods say what it is.
                None => enrollment
                    .and_then(|e| e.get("methods"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.get("type").and_then(Value::as_str).map(str::to_owned))
                    .take(1)
                    .collect(),
            };
            for method in methods {
                out.push(Choice {
                    id: id.clone(),
                    method,
                    key: key.clone(),
                    label: label.to_owned(),
                    to: to.clone(),
                });
            }
        }
        out
    }

    /// The methods `authenticator-verification-data` offers to reach the current authenticator
    /// (a phone: `sms`, `voice`), one choice each.
    pub(super) fn verification_choices(&self) -> Vec<Choice> {
        let fields = self
            .remediation("authenticator-verification-data")
            .and_then(|r| r.field("authenticator"))
            .and_then(|a| a.pointer("/form/value"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let (id, methods) = authenticator_form(&fields);
        methods
            .unwrap_or_default()
            .into_iter()
            .map(|method| Choice {
                id: id.clone().unwrap_or_default(),
                method,
                key: self.current_key().unwrap_or("").to_owned(),
                label: self.current_name().unwrap_or("Phone").to_owned(),
                to: self.current_profile_target(),
            })
            .collect()
    }

    /// `$.authenticatorEnrollments.value[N]` and the like, the one path shape Okta uses here.
    fn relates_to(&self, path: &str) -> Option<&Value> {
        let rest = path.strip_prefix("$.")?;
        let mut v = &self.body;
        for part in rest.split('.') {
            match part.split_once('[') {
                Some((name, idx)) => {
                    let i: usize = idx.strip_suffix(']')?.parse().ok()?;
                    v = v.get(name)?.get(i)?;
                }
                None => v = v.get(part)?,
            }
        }
        Some(v)
    }
}

impl<'a> Remediation<'a> {
    pub(super) fn name(self) -> &'a str {
        self.0.get("name").and_then(Value::as_str).unwrap_or("")
    }

    pub(super) fn href(self) -> &'a str {
        self.0.get("href").and_then(Value::as_str).unwrap_or("")
    }

    /// The content type to post with: what the remediation accepts, else ion+json.
    pub(super) fn accepts(self) -> &'a str {
        self.0
            .get("accepts")
            .and_then(Value::as_str)
            .unwrap_or("application/ion+json; okta-version=1.0.0")
    }

    /// How long to wait before polling again (`refresh`, in ms).
    pub(super) fn refresh_ms(self) -> Option<u64> {
        self.0.get("refresh").and_then(Value::as_u64)
    }

    /// The top-level field `name`.
    /// The name of the identity provider a `redirect-idp` sends the user to.
    pub(super) fn idp_name(self) -> &'a str {
        self.0
            .pointer("/idp/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub(super) fn field(self, name: &str) -> Option<&'a Value> {
        self.0
            .get("value")
            .and_then(Value::as_array)?
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The names inside `credentials` (`passcode`, `totp`, or WebAuthn's `clientData`, ...).
    pub(super) fn credential_fields(self) -> Vec<&'a str> {
        self.field("credentials")
            .and_then(|c| c.pointer("/form/value"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("name").and_then(Value::as_str))
            .collect()
    }
}

/// The `id` of an authenticator form and the methods its `methodType` field names (its value, or
/// its options); `None` for a form without such a field.
fn authenticator_form(fields: &[Value]) -> (Option<String>, Option<Vec<String>>) {
    let named = |n: &str| {
        fields
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(n))
    };
    let id = named("id")
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let methods = named("methodType").map(|m| {
        match (m.get("value").and_then(Value::as_str), m.get("options")) {
            (Some(v), _) => vec![v.to_owned()],
            (None, Some(Value::Array(opts))) => opts
                .iter()
                .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    });
    (id, methods)
}

fn collect_messages(messages: Option<&Value>, out: &mut Vec<Message>) {
    for m in messages
        .and_then(|m| m.get("value"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push(Message {
            text: m
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_owned(),
            key: m
                .pointer("/i18n/key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            error: m.get("class").and_then(Value::as_str) != Some("INFO"),
        });
    }
}

/// Messages attached to fields, at any depth of nested forms.
fn field_messages(fields: Option<&Value>, out: &mut Vec<Message>) {
    for f in fields.and_then(Value::as_array).into_iter().flatten() {
        collect_messages(f.get("messages"), out);
        field_messages(f.pointer("/form/value"), out);
    }
}

/// What a refusal means for the flow.
#[derive(Debug)]
pub(super) enum Refusal {
    /// The code was wrong: a prompted one may be typed again.
    BadCode(Error),
    /// The sign-in cannot go on.
    Fatal(Error),
}

/// Read `body` as an IDX answer and ask it all that the walk asks (the fuzz target's entry: none
/// of it may panic, whatever an org or a hostile server sends).
pub(crate) fn read_everything(body: &[u8]) {
    let Some(a) = Answer::parse(400, body) else {
        return;
    };
    let _ = (a.state_handle(), a.success_href(), a.current_key());
    let _ = (
        a.current_name(),
        a.current_profile_target(),
        a.correct_answer(),
    );
    let _ = a.messages();
    for c in a.choices().iter().chain(a.verification_choices().iter()) {
        let _ = (c.kind(), c.describe());
    }
    for name in a.names() {
        if let Some(r) = a.remediation(name) {
            let _ = (r.href(), r.accepts(), r.refresh_ms(), r.field("passcode"));
            let _ = r.credential_fields();
        }
    }
    let _ = refusal("https://example.okta.com", &a);
    // The phishing-resistant challenges: FastPass's (its bases and cancel form) and a security
    // key's (made into the request a browser would make).
    if let Some(c) = a.fastpass_challenge() {
        let _ = (
            c.bases.len(),
            c.cancel,
            c.cancel_accepts,
            c.href,
            c.probe_timeout,
        );
    }
    if let (Some(data), Ok(org)) = (
        a.webauthn_challenge(),
        url::Url::parse("https://example.okta.com/"),
    ) {
        let ids = a.webauthn_credentials();
        if let Ok(r) = crate::authenticator::webauthn::Request::from_okta(&org, data, &ids) {
            let _ = r.client_data_json();
        }
    }
}

/// The error Okta's messages in `answer` amount to, if any. `org` names the org in messages.
pub(super) fn refusal(org: &str, answer: &Answer) -> Option<Refusal> {
    let m = answer.messages().into_iter().find(|m| m.error)?;
    let okta = if m.key.is_empty() {
        format!("Okta: \"{}\"", m.text)
    } else {
        format!("Okta: \"{}\" ({})", m.text, m.key)
    };
    let auth = |message: String| {
        Refusal::Fatal(Error::Authentication {
            url: org.to_owned(),
            message,
        })
    };
    let denied = |message: String| Refusal::Fatal(Error::NotAuthorized { message });
    let key = m.key.as_str();
    let lower = m.text.to_lowercase();
    Some(match key {
        "incorrectPassword" | "errors.E0000004" | "authfactor.challenge.password.invalid" => {
            Refusal::Fatal(Error::WrongPassword {
                url: org.to_owned(),
                message: format!(
                    "wrong username or password ({okta}); check both, or ask your Okta admin whether the account is locked"
                ),
            })
        }
        k if k.contains("invalid_passcode")
            || k.contains("PASSCODE_INVALID")
            || k.contains("passcode.invalid") =>
        {
            Refusal::BadCode(Error::Authentication {
                url: org.to_owned(),
                message: format!(
                    "the MFA code was rejected ({okta}); check the code and try again"
                ),
            })
        }
        k if k == "errors.E0000119"
            || k.contains("locked")
            || lower.contains("account is locked") =>
        {
            auth(format!(
                "the account is locked out ({okta}); unlock it from the Okta sign-in page or ask your Okta admin"
            ))
        }
        k if k.contains("push_rejected") || lower.contains("reject") => auth(format!(
            "the Okta Verify push was rejected on the phone ({okta})"
        )),
        k if k.contains("push") && (k.contains("expired") || k.contains("timeout"))
            || lower.contains("push notification has expired") =>
        {
            auth(format!(
                "the Okta Verify push expired before it was answered ({okta}); run aws-token again"
            ))
        }
        "idx.session.expired" => auth(format!(
            "the sign-in took too long and Okta ended it ({okta}); run aws-token again"
        )),
        k if k.contains("not.assigned") || lower.contains("not assigned") => denied(format!(
            "{org}: you are not assigned to this AWS app ({okta}): ask your Okta admin to assign it"
        )),
        k if k.contains("webauthn") && k.contains("assertion") => auth(format!(
            "Okta refused the security key's answer ({okta}); use the key you enrolled, and run aws-token again"
        )),
        k if k.contains("signed_nonce") || k.contains("device") || k.contains("webauthn") => {
            denied(format!(
                "{org}: Okta asks for what only a browser on a trusted device can give ({okta}); use provider \"okta-browser\" or \"browser\" in config.json"
            ))
        }
        k if k.contains("access_denied")
            || k.contains("policy")
            || lower.contains("permission") =>
        {
            denied(format!(
                "{org}: Okta's policy denies access to this app ({okta})"
            ))
        }
        "E0000047" => Refusal::Fatal(Error::Network {
            url: org.to_owned(),
            message: format!("rate limited by Okta ({okta}); wait a minute and try again"),
        }),
        _ => auth(format!("Okta refused the sign-in ({okta})")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(v: Value) -> Answer {
        Answer::parse(200, v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn fastpass_cancel_is_read_where_okta_puts_it() {
        // authenticator-verification-okta-verify-signed-nonce-loopback.json (trimmed): the
        // challenge in contextualData, the cancel-polling form on the authenticator.
        let a = answer(json!({
            "stateHandle": "h",
            "remediation": {"type": "array", "value": [{"name": "challenge-poll",
                "href": "https://idx.okta1.com/idp/idx/authenticators/poll", "method": "POST",
                "accepts": "application/json; okta-version=1.0.0", "refresh": 4000, "value": []}]},
            "currentAuthenticator": {"type": "object", "value": {
                "type": "app", "key": "okta_verify", "id": "aut1", "methods": [{"type": "signed_nonce"}],
                "contextualData": {"challenge": {"value": {"challengeMethod": "LOOPBACK",
                    "challengeRequest": "eyJ", "domain": "http://localhost",
                    "ports": ["2000", "6511", "6512", "6513"], "probeTimeoutMillis": 3000}}},
                "cancel": {"rel": ["create-form"], "name": "cancel-polling",
                    "href": "https://idx.okta1.com/idp/idx/authenticators/poll/cancel", "method": "POST",
                    "accepts": "application/vnd.okta.v1+json",
                    "value": [{"name": "stateHandle", "required": true, "value": "h", "visible": false, "mutable": false}]},
            }},
        }));
        let c = a.fastpass_challenge().unwrap();
        assert_eq!(
            c.cancel.as_deref(),
            Some("https://idx.okta1.com/idp/idx/authenticators/poll/cancel")
        );
        assert_eq!(
            c.cancel_accepts.as_deref(),
            Some("application/vnd.okta.v1+json")
        );
        // identify-with-device-probing-loopback.json (trimmed): on the authenticatorChallenge.
        let a = answer(json!({
            "stateHandle": "h",
            "authenticatorChallenge": {"type": "object", "value": {"challengeMethod": "LOOPBACK",
                "challengeRequest": "eyJ", "domain": "http://localhost", "ports": ["2000"],
                "cancel": {"name": "cancel-polling", "href": "https://idx.okta1.com/idp/idx/authenticators/poll/cancel",
                    "method": "POST", "accepts": "application/json; okta-version=1.0.0", "value": []}}},
        }));
        assert!(a.fastpass_challenge().unwrap().cancel.is_some());
        // ...-signed-nonce-custom-uri.json (trimmed): no challengeRequest but in the link.
        let a = answer(json!({
            "stateHandle": "h",
            "currentAuthenticator": {"type": "object", "value": {
                "contextualData": {"challenge": {"value": {"challengeMethod": "CUSTOM_URI",
                    "href": "com-okta-authenticator:/deviceChallenge?challengeRequest=eyJ",
                    "downloadHref": "https://apps.apple.com/us/app/okta-verify/id490179405"}}}}},
        }));
        let c = a.fastpass_challenge().unwrap();
        assert_eq!(c.method, "CUSTOM_URI");
        assert!(c.href.unwrap().starts_with("com-okta-authenticator:"));
    }

    #[test]
    fn choices_one_per_method_with_enrollment_details() {
        let a = answer(json!({
            "stateHandle": "h",
            "remediation": {"value": [{"name": "select-authenticator-authenticate", "href": "/idp/idx/challenge", "value": [
                {"name": "authenticator", "options": [
                    {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[0]", "value": {"form": {"value": [
                        {"name": "id", "value": "aut1"},
                        {"name": "methodType", "options": [{"value": "push"}, {"value": "totp"}]}]}}},
                    {"label": "Phone", "relatesTo": "$.authenticatorEnrollments.value[1]", "value": {"form": {"value": [
                        {"name": "id", "value": "aut2"}, {"name": "methodType", "value": "sms"}]}}},
                    {"label": "Security Key", "value": {"form": {"value": [{"name": "id", "value": "aut3"}]}}}
                ]},
                {"name": "stateHandle", "value": "h"}]}]},
            "authenticatorEnrollments": {"value": [
                {"key": "okta_verify", "methods": [{"type": "push"}]},
                {"key": "phone_number", "profile": {"phoneNumber": "+1 XXX-XXX-0042"}}]}
        }));
        let c = a.choices();
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!(
            (c[0].method.as_str(), c[0].key.as_str()),
            ("push", "okta_verify")
        );
        assert_eq!(c[1].kind(), Some(MfaKind::Totp));
        assert_eq!(c[2].describe(), "SMS code to +1 XXX-XXX-0042");
        assert_eq!(
            format!("{a:?}"),
            "IdxAnswer(HTTP 200, offers [\"select-authenticator-authenticate\"])"
        );
    }

    #[test]
    fn field_messages_become_errors_with_okta_words() {
        let a = answer(
            json!({"stateHandle": "h", "remediation": {"value": [{"name": "challenge-authenticator", "value": [
            {"name": "credentials", "form": {"value": [{"name": "passcode", "messages": {"value": [
                {"message": "Your code doesn't match our records. Please try again.", "i18n": {"key": "authfactor.challenge.soft_token.invalid_passcode"}, "class": "ERROR"}]}}]}}]}]}}),
        );
        match refusal("https://o/", &a) {
            Some(Refusal::BadCode(e)) => {
                assert_eq!(e.exit_code(), 3);
                assert!(e.to_string().contains("doesn't match our records"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        let info = answer(
            json!({"stateHandle": "h", "messages": {"value": [{"message": "Your password has expired", "class": "INFO"}]}}),
        );
        assert!(refusal("o", &info).is_none());
    }

    #[test]
    fn refusals_map_to_exit_codes() {
        let with = |text: &str, key: &str| {
            let a = answer(
                json!({"messages": {"value": [{"message": text, "i18n": {"key": key}, "class": "ERROR"}]}}),
            );
            match refusal("o", &a) {
                Some(Refusal::Fatal(e)) => (e.exit_code(), e.to_string()),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(with("Password is incorrect", "incorrectPassword").0, 3);
        assert!(
            with("Password is incorrect", "incorrectPassword")
                .1
                .contains("wrong username or password")
        );
        assert_eq!(with("Your account is locked.", "errors.E0000119").0, 3);
        assert_eq!(
            with(
                "User is not assigned to this application.",
                "idx.error.user.not.assigned.to.app"
            )
            .0,
            4
        );
        assert_eq!(
            with(
                "You do not have permission to perform the requested action.",
                "security.access_denied"
            )
            .0,
            4
        );
        assert_eq!(
            with(
                "You have chosen to reject this login.",
                "api.authn.poll.error.push_rejected"
            )
            .0,
            3
        );
        assert_eq!(with("The session has expired.", "idx.session.expired").0, 3);
        let fast = with(
            "Okta Verify is not running",
            "oie.authenticator.app.method.signed_nonce.not.available",
        );
        assert_eq!(fast.0, 4);
        assert!(fast.1.contains("okta-browser"), "{}", fast.1);
    }
}
