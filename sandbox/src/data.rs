//! The sandbox's users file: users with passwords, MFA factors and app assignments, the Okta apps,
//! role limits and injected faults. `demo()` is the data the README demo and the tests start from.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole users file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Data {
    pub users: Vec<User>,
    pub apps: Vec<App>,
    /// Role ARN -> limits. A role assumed by AssumeRole must be listed here.
    #[serde(default)]
    pub roles: BTreeMap<String, RoleLimits>,
    #[serde(default)]
    pub faults: Faults,
    /// The sign-in page asks for username and password on one page (else two steps, as Okta now does).
    #[serde(default)]
    pub one_page_sign_in: bool,
    /// The org runs Okta Identity Engine: the well-known document says `idx`, the sign-in page
    /// carries a stateToken for the IDX API, and the Classic Authn API refuses to sign anyone in.
    /// `onePageSignIn` then means the policy asks for the password on the first form.
    #[serde(default)]
    pub identity_engine: bool,
    /// Identity Engine: the org's sign-on policy asks for the password only; an app with `stepUp`
    /// asks for MFA at its embed link (a sign-in page for an MFA-only transaction).
    #[serde(default)]
    pub password_only_sessions: bool,
    /// Outside IdPs the STS trusts, as IAM SAML providers: assertions presented with this
    /// PrincipalArn must carry an XML signature by this certificate.
    #[serde(default)]
    pub saml_providers: Vec<SamlProvider>,
    /// The loopback ports the org tells a FastPass sign-in to find Okta Verify on (in order); none:
    /// FastPass is answered "Okta Verify is not running on this device".
    #[serde(default)]
    pub okta_verify_ports: Vec<u16>,
    /// How the org's FastPass challenge reaches Okta Verify: `LOOPBACK` (default; widget mock
    /// `authenticator-verification-okta-verify-signed-nonce-loopback.json`) or `CUSTOM_URI` (its
    /// `-custom-uri.json`: a `com-okta-authenticator:` link to launch Okta Verify by).
    #[serde(default)]
    pub fastpass_challenge_method: Option<String>,
    /// A hostile org: the launch link a CUSTOM_URI challenge carries instead of Okta Verify's.
    #[serde(default)]
    pub fastpass_launch_href: Option<String>,
    /// A hostile org: the loopback challenge's `domain` (default `http://localhost`, as the mock).
    #[serde(default)]
    pub fastpass_domain: Option<String>,
    /// A hostile org: the loopback challenge's `httpsDomain` (none by default, as the mocks).
    #[serde(default)]
    pub fastpass_https_domain: Option<String>,
    /// Silent device probing: the sign-in page's transaction starts with a device-challenge-poll,
    /// answered by the Okta Verify on this device, enrolled for this login (FastPass signs them in).
    #[serde(default)]
    pub device_probing: Option<String>,
    /// "Sign in with Okta FastPass": `launch-authenticator` offered beside `identify`; taking it
    /// starts a loopback device-challenge-poll answered by the Okta Verify on this device, enrolled
    /// for this login.
    #[serde(default)]
    pub fastpass_sign_in: Option<String>,
    /// A Microsoft Entra ID tenant with an AWS app (sandbox/src/entra.rs).
    #[serde(default)]
    pub entra: Option<EntraTenant>,
}

/// A Microsoft Entra ID tenant: its AWS app and its users.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntraTenant {
    /// The tenant id (a GUID) in the sign-in URLs.
    pub tenant_id: String,
    /// The AWS app's application id (a GUID) in its user access URL.
    pub app_id: String,
    /// Users of this domain sign in at the tenant's ADFS (a federated domain).
    #[serde(default)]
    pub federated_domain: Option<String>,
    pub users: Vec<EntraUser>,
    /// Test knob for a browser: the pages type this username and password and click on by
    /// themselves (the user at the window), MFA excepted.
    #[serde(default)]
    pub autofill: Option<EntraAutofill>,
}

/// What the pages type by themselves with `autofill`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntraAutofill {
    pub username: String,
    pub password: String,
}

/// A user of the Entra tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntraUser {
    pub login: String,
    pub password: String,
    /// The AWS roles the app grants the user (none: not assigned to the app, AADSTS50105).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The MFA methods registered (`arrUserProofs`); the first is the default one.
    #[serde(default)]
    pub methods: Vec<EntraMethod>,
    /// Locked after too many sign-ins (AADSTS50053).
    #[serde(default)]
    pub locked: bool,
    /// A Conditional Access policy blocks this sign-in (AADSTS53003).
    #[serde(default)]
    pub blocked_by_conditional_access: bool,
    /// MFA registration is pending and may be skipped for now (ConvergedProofUpRedirect).
    #[serde(default)]
    pub proof_up: bool,
}

/// An Entra MFA method, as the SAS endpoints answer it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "camelCase")]
pub enum EntraMethod {
    /// Microsoft Authenticator push with number matching: `result` after `after_polls` EndAuth polls.
    #[serde(rename_all = "camelCase")]
    PhoneAppNotification {
        #[serde(default = "approve")]
        result: String,
        #[serde(default = "two")]
        after_polls: u32,
        /// The number the user picks in the app (`Entropy`).
        number: u32,
    },
    /// The Authenticator app's code, or any TOTP app (RFC 6238, base32 secret).
    PhoneAppOtp { secret: String },
    /// A code sent by SMS.
    OneWaySms { phone: String, code: String },
}

/// An IAM SAML provider for an IdP other than the sandbox's own Okta org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SamlProvider {
    /// `arn:aws:iam::ACCOUNT:saml-provider/NAME`
    pub arn: String,
    /// The IdP's signing certificate, PEM.
    pub certificate: String,
}

/// A user of the Okta org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct User {
    pub login: String,
    pub password: String,
    /// ACTIVE (default), LOCKED_OUT, PASSWORD_EXPIRED.
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub factors: Vec<Factor>,
    /// App id -> role ARNs the user gets in that app's assertion.
    #[serde(default)]
    pub apps: BTreeMap<String, Vec<String>>,
}

fn active() -> String {
    "ACTIVE".into()
}

/// One enrolled factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "camelCase")]
pub enum Factor {
    /// RFC 6238 TOTP (SHA1, 6 digits, 30 s) with a base32 secret.
    Totp { secret: String },
    /// Okta Verify push: `result` (approve, reject, timeout) after `after_polls` polls.
    #[serde(rename_all = "camelCase")]
    Push {
        #[serde(default = "approve")]
        result: String,
        #[serde(default)]
        after_polls: u32,
        #[serde(default)]
        number_challenge: Option<u32>,
        #[serde(default = "device")]
        device: String,
        /// Okta Verify also shows a code for this base32 secret (Identity Engine offers it as the
        /// authenticator's `totp` method, answered in `credentials.totp`).
        #[serde(default)]
        totp_secret: Option<String>,
    },
    /// A code sent by SMS; the sandbox's "SMS" is its log line, and the code is fixed here.
    Sms { phone: String, code: String },
    /// A code sent by email.
    Email { email: String, code: String },
    /// A security key or passkey (WebAuthn) and the credential registered for it: an ES256 public
    /// key (`webauthn::test_key` makes the sandbox's own).
    #[serde(rename_all = "camelCase")]
    Webauthn {
        /// base64url, as Okta lists it.
        credential_id: String,
        /// An uncompressed SEC1 point, standard base64.
        public_key: String,
        /// Registered through the U2F API: its rpId is the appid (the org's origin).
        #[serde(default)]
        u2f: bool,
        /// userVerification asked of the key: "required", "preferred" (default), "discouraged".
        #[serde(default = "preferred")]
        user_verification: String,
    },
    /// Okta FastPass (Okta Verify's signed nonce on this device): no terminal can answer it.
    FastPass,
    /// Duo behind Okta, as the Universal Prompt (an Okta `claims_provider` factor whose IdP is
    /// the sandbox's Duo, sandbox/src/duo.rs).
    #[serde(rename_all = "camelCase")]
    Duo {
        devices: Vec<DuoDevice>,
        /// The device Duo preselects (`preferred_device`); none: the user picks.
        #[serde(default)]
        preferred_device: Option<String>,
        /// Duo's policy blocks this user's devices: the prompt refuses every factor.
        #[serde(default)]
        blocked: bool,
        /// The passcode a hardware token of the user's shows (a token is no device in the
        /// prompt's list: a user with only a token has no `preferred_device` input at all,
        /// gimme-aws-creds #478).
        #[serde(default)]
        hardware_token: Option<String>,
    },
    /// Duo's traditional iframe prompt (`provider: "DUO"`), retired by Duo on 2024-03-30.
    DuoIframe,
}

/// A device Duo knows for a user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DuoDevice {
    /// Duo's device key (`phone1`).
    pub id: String,
    /// What the prompt shows (`Phone 1 (XXX-XXX-1111)`).
    pub name: String,
    /// What a Duo Push (and a phone call) to it ends in: approve, deny or timeout.
    #[serde(default = "approve")]
    pub push: String,
    /// Status polls answered "pushed"/"calling" first.
    #[serde(default = "two")]
    pub after_polls: u32,
    /// The passcode it accepts (a Duo Mobile code or a hardware token's), once.
    #[serde(default)]
    pub passcode: Option<String>,
}

fn two() -> u32 {
    2
}

/// A Duo device for the demo users.
fn duo_device(id: &str, name: &str, push: &str) -> DuoDevice {
    DuoDevice {
        id: id.into(),
        name: name.into(),
        push: push.into(),
        after_polls: 2,
        passcode: Some("246810".into()),
    }
}

fn approve() -> String {
    "approve".into()
}
fn device() -> String {
    "Sandbox Phone".into()
}
fn preferred() -> String {
    "preferred".into()
}

impl Factor {
    /// A security key holding the sandbox's test key `n` (`webauthn::test_key`), registered
    /// through WebAuthn with userVerification "preferred".
    pub fn security_key(n: u8) -> Factor {
        let key = crate::webauthn::test_key(n);
        Factor::Webauthn {
            credential_id: key.credential_id,
            public_key: key.public_key,
            u2f: false,
            user_verification: preferred(),
        }
    }

    /// A U2F-era key holding test key `n`: registered under the appid, the org's origin.
    pub fn u2f_key(n: u8) -> Factor {
        match Factor::security_key(n) {
            Factor::Webauthn {
                credential_id,
                public_key,
                ..
            } => Factor::Webauthn {
                credential_id,
                public_key,
                u2f: true,
                user_verification: "discouraged".into(),
            },
            other => other,
        }
    }

    /// A security key holding test key `n` whose policy requires user verification (a PIN).
    pub fn security_key_with_pin(n: u8) -> Factor {
        match Factor::security_key(n) {
            Factor::Webauthn {
                credential_id,
                public_key,
                u2f,
                ..
            } => Factor::Webauthn {
                credential_id,
                public_key,
                u2f,
                user_verification: "required".into(),
            },
            other => other,
        }
    }
}

/// An Okta "AWS Account Federation" app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// The 20-character app id in the embed link `/home/amazon_aws/{id}/272`.
    pub id: String,
    /// The SAML provider's name in IAM (`arn:aws:iam::ACCOUNT:saml-provider/NAME`).
    #[serde(default = "okta")]
    pub provider_name: String,
    /// The SessionDuration attribute, when the app sends one.
    #[serde(default)]
    pub session_duration: Option<i32>,
    /// The ACS URL (partition): https://signin.aws.amazon.com/saml by default.
    #[serde(default)]
    pub acs: Option<String>,
    /// The app's sign-on policy asks for MFA again (Okta's step-up page) before the SAML form.
    #[serde(default)]
    pub step_up: bool,
    /// The app's sign-on policy denies access to everyone (Okta's "App Access Locked").
    #[serde(default)]
    pub access_denied: bool,
}

fn okta() -> String {
    "Okta".into()
}

/// What IAM would say of a role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleLimits {
    pub max_session_duration: i32,
    /// The role's trust policy does not trust the SAML provider: STS answers AccessDenied.
    #[serde(default)]
    pub trust_denied: bool,
}

/// Faults to inject, counted from the server's start.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Faults {
    /// The first N POSTs to /api/v1/authn get 429 E0000047 with X-Rate-Limit-* headers.
    #[serde(default)]
    pub authn_rate_limited: u32,
    /// The first N POSTs to /api/v1/authn get 503.
    #[serde(default)]
    pub authn_server_errors: u32,
    /// The embed link's SAML page is cut short: a Content-Length larger than the body sent.
    #[serde(default)]
    pub embed_truncated: bool,
    /// The SAMLResponse value the embed link's form carries instead of a real one (bad-input tests).
    #[serde(default)]
    pub saml_response: Option<String>,
    /// What STS answers to AssumeRoleWithSAML instead of credentials.
    #[serde(default)]
    pub sts_answer: Option<StsFault>,
    /// `/.well-known/okta-organization` answers with this status and an HTML page instead (404
    /// from a proxy in front of the org, 503 from a failing one).
    #[serde(default)]
    pub well_known_status: Option<u16>,
    /// Credentials STS issues live this many seconds, whatever DurationSeconds asked (so that a
    /// test sees a job outlive them in seconds rather than an hour).
    #[serde(default)]
    pub credential_lifetime_seconds: Option<i64>,
    /// A hostile Duo: its plugin form posts here instead of back to Duo.
    #[serde(default)]
    pub duo_plugin_action: Option<String>,
    /// A hostile Duo: its prompt's form posts here (a passcode would go with it).
    #[serde(default)]
    pub duo_prompt_action: Option<String>,
    /// A hostile Duo: its exit sends the browser here instead of back to the Okta org.
    #[serde(default)]
    pub duo_exit_location: Option<String>,
    /// The first N passcode POSTs to Duo's prompt are taken (counted) and answered 503.
    #[serde(default)]
    pub duo_passcode_server_errors: u32,
    /// The embed link answers this many milliseconds late (a slow IdP: a renewal then takes that
    /// long).
    #[serde(default)]
    pub embed_delay_ms: Option<u64>,
    /// The rpId a hostile org names in its WebAuthn challenges (another site's, say).
    #[serde(default)]
    pub webauthn_rp_id: Option<String>,
}

/// A broken STS answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StsFault {
    /// An AccessKeyId with a line break and a new section in it.
    InjectedNewline,
    /// Credentials without a SecretAccessKey.
    NoSecret,
    /// Credentials that expired an hour ago.
    Expired,
    /// An HTML error page (a proxy's, say) with status 502.
    Html,
    /// Bytes that are no XML, status 200.
    Garbage,
    /// HTTP 413 with an empty body.
    TooLarge,
}

/// The demo org: the README demo and the tests build on it.
pub const DEMO_APP: &str = "0oaawsdemo0000000001";
/// A second app for the "not assigned" case.
pub const OTHER_APP: &str = "0oaawsother000000002";
/// The demo user's TOTP secret.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The demo data.
pub fn demo() -> Data {
    let roles = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let demo_roles = roles(&[
        "arn:aws:iam::111111111111:role/Admin",
        "arn:aws:iam::111111111111:role/ReadOnly",
        "arn:aws:iam::222222222222:role/Developer",
    ]);
    let user = |login: &str, factors: Vec<Factor>| User {
        login: login.into(),
        password: "correct horse".into(),
        status: active(),
        factors,
        apps: [(DEMO_APP.to_owned(), demo_roles.clone())].into(),
    };
    let push = |result: &str, after_polls, number_challenge| Factor::Push {
        result: result.into(),
        after_polls,
        number_challenge,
        device: device(),
        totp_secret: None,
    };
    let mut single = user(
        "single@example.com",
        vec![Factor::Totp {
            secret: DEMO_TOTP_SECRET.into(),
        }],
    );
    single.apps = [(
        DEMO_APP.to_owned(),
        roles(&["arn:aws:iam::123456789012:role/Admin"]),
    )]
    .into();
    let mut locked = user("locked@example.com", vec![]);
    locked.status = "LOCKED_OUT".into();
    let mut expired = user("expired@example.com", vec![]);
    expired.status = "PASSWORD_EXPIRED".into();
    let mut unassigned = user("unassigned@example.com", vec![]);
    unassigned.apps = [(
        OTHER_APP.to_owned(),
        roles(&["arn:aws:iam::111111111111:role/Admin"]),
    )]
    .into();
    Data {
        users: vec![
            user(
                "demo@example.com",
                vec![Factor::Totp {
                    secret: DEMO_TOTP_SECRET.into(),
                }],
            ),
            user("nomfa@example.com", vec![]),
            user("push@example.com", vec![push("approve", 2, Some(42))]),
            user("reject@example.com", vec![push("reject", 1, None)]),
            user("timeout@example.com", vec![push("timeout", 1, None)]),
            user(
                "sms@example.com",
                vec![Factor::Sms {
                    phone: "+1 XXX-XXX-0042".into(),
                    code: "424242".into(),
                }],
            ),
            user(
                "email@example.com",
                vec![Factor::Email {
                    email: "e...l@example.com".into(),
                    code: "135790".into(),
                }],
            ),
            user(
                "multi@example.com",
                vec![
                    Factor::Totp {
                        secret: DEMO_TOTP_SECRET.into(),
                    },
                    push("approve", 1, None),
                    Factor::Sms {
                        phone: "+1 XXX-XXX-0042".into(),
                        code: "424242".into(),
                    },
                ],
            ),
            single,
            user(
                "verify@example.com",
                vec![Factor::Push {
                    result: approve(),
                    after_polls: 1,
                    number_challenge: Some(17),
                    device: device(),
                    totp_secret: Some(DEMO_TOTP_SECRET.into()),
                }],
            ),
            user(
                "webauthn@example.com",
                vec![Factor::security_key(1), Factor::FastPass],
            ),
            user("u2f@example.com", vec![Factor::u2f_key(2)]),
            user(
                "key-pin@example.com",
                vec![Factor::security_key_with_pin(3)],
            ),
            user(
                "duo@example.com",
                vec![Factor::Duo {
                    devices: vec![duo_device("phone1", "Phone 1 (XXX-XXX-1111)", "approve")],
                    preferred_device: Some("phone1".into()),
                    blocked: false,
                    hardware_token: None,
                }],
            ),
            user(
                "duo-deny@example.com",
                vec![Factor::Duo {
                    devices: vec![duo_device("phone1", "Phone 1 (XXX-XXX-1111)", "deny")],
                    preferred_device: Some("phone1".into()),
                    blocked: false,
                    hardware_token: None,
                }],
            ),
            user(
                "duo-two@example.com",
                vec![Factor::Duo {
                    devices: vec![
                        duo_device("phone1", "Phone 1 (XXX-XXX-1111)", "deny"),
                        duo_device("phone2", "Phone 2 (XXX-XXX-2222)", "approve"),
                    ],
                    preferred_device: None,
                    blocked: false,
                    hardware_token: None,
                }],
            ),
            user(
                "duo-blocked@example.com",
                vec![Factor::Duo {
                    devices: vec![duo_device("phone1", "Phone 1 (XXX-XXX-1111)", "approve")],
                    preferred_device: Some("phone1".into()),
                    blocked: true,
                    hardware_token: None,
                }],
            ),
            user(
                "duo-token@example.com",
                vec![Factor::Duo {
                    devices: vec![],
                    preferred_device: None,
                    blocked: false,
                    hardware_token: Some("112233".into()),
                }],
            ),
            user("duo-iframe@example.com", vec![Factor::DuoIframe]),
            user("fastpass@example.com", vec![Factor::FastPass]),
            user(
                "fastpass-push@example.com",
                vec![Factor::FastPass, push("approve", 1, None)],
            ),
            locked,
            expired,
            unassigned,
        ],
        apps: vec![
            App {
                id: DEMO_APP.into(),
                provider_name: okta(),
                session_duration: None,
                acs: None,
                step_up: false,
                access_denied: false,
            },
            App {
                id: OTHER_APP.into(),
                provider_name: okta(),
                session_duration: None,
                acs: None,
                step_up: false,
                access_denied: false,
            },
        ],
        roles: [
            ("arn:aws:iam::111111111111:role/Admin", 3600),
            ("arn:aws:iam::111111111111:role/ReadOnly", 43200),
            ("arn:aws:iam::222222222222:role/Developer", 43200),
            ("arn:aws:iam::222222222222:role/Admin", 3600),
            ("arn:aws:iam::123456789012:role/Admin", 43200),
        ]
        .into_iter()
        .map(|(r, m)| {
            (
                r.to_owned(),
                RoleLimits {
                    max_session_duration: m,
                    trust_denied: false,
                },
            )
        })
        .collect(),
        faults: Faults::default(),
        one_page_sign_in: false,
        identity_engine: false,
        password_only_sessions: false,
        saml_providers: Vec::new(),
        okta_verify_ports: Vec::new(),
        fastpass_challenge_method: None,
        fastpass_launch_href: None,
        fastpass_domain: None,
        fastpass_https_domain: None,
        device_probing: None,
        fastpass_sign_in: None,
        entra: Some(entra_demo()),
    }
}

/// The demo Entra tenant (password `correct horse` for everyone, `@entra.example.com`): `push@`
/// (Authenticator push, number 47), `totp@` (TOTP, the demo secret), `sms@` (code 135246), `nomfa@`,
/// `deny@` (push denied), `locked@`, `blocked@` (Conditional Access), `proofup@` (registration
/// pending, skippable), `unassigned@`; and `fed@adfs.example.com`, federated to the tenant's ADFS.
pub fn entra_demo() -> EntraTenant {
    let roles: Vec<String> = [
        "arn:aws:iam::111111111111:role/Admin",
        "arn:aws:iam::111111111111:role/ReadOnly",
    ]
    .iter()
    .map(|r| (*r).to_owned())
    .collect();
    let user = |login: &str, methods: Vec<EntraMethod>| EntraUser {
        login: login.into(),
        password: "correct horse".into(),
        roles: roles.clone(),
        methods,
        locked: false,
        blocked_by_conditional_access: false,
        proof_up: false,
    };
    let push = |result: &str| EntraMethod::PhoneAppNotification {
        result: result.into(),
        after_polls: 2,
        number: 47,
    };
    let mut locked = user("locked@entra.example.com", vec![]);
    locked.locked = true;
    let mut blocked = user("blocked@entra.example.com", vec![]);
    blocked.blocked_by_conditional_access = true;
    let mut proofup = user("proofup@entra.example.com", vec![]);
    proofup.proof_up = true;
    let mut unassigned = user("unassigned@entra.example.com", vec![]);
    unassigned.roles.clear();
    EntraTenant {
        tenant_id: "5c6f1c2a-0b4e-4c59-9a8e-4f2d3b1a0e7d".into(),
        app_id: "8a3e5b7c-1d2f-4e6a-9b0c-7d5e3f1a2b4c".into(),
        federated_domain: Some("adfs.example.com".into()),
        autofill: None,
        users: vec![
            user("push@entra.example.com", vec![push("approve")]),
            user(
                "totp@entra.example.com",
                vec![EntraMethod::PhoneAppOtp {
                    secret: DEMO_TOTP_SECRET.into(),
                }],
            ),
            user(
                "sms@entra.example.com",
                vec![EntraMethod::OneWaySms {
                    phone: "+XX XXX XXXX X46".into(),
                    code: "135246".into(),
                }],
            ),
            user("nomfa@entra.example.com", vec![]),
            user("deny@entra.example.com", vec![push("deny")]),
            locked,
            blocked,
            proofup,
            unassigned,
            user("fed@adfs.example.com", vec![]),
        ],
    }
}
