//! aws-token's sandbox: a local Okta org (Classic Authn API, app embed links with signed SAML
//! responses) and a strict STS, served over HTTP on 127.0.0.1. Built to the shapes of
//! shared/okta-aws-protocol.md so that a real Okta client could talk to it.

// Handlers return an axum `Response` as their error: that is the reply, not a value to pass on.
#![allow(clippy::result_large_err)]

pub mod data;
mod dsig;
mod duo;
mod entra;
mod federation;
mod form_idp;
mod idx;
mod okta;
pub mod okta_verify;
mod saml;
mod sigv4;
mod sts;
pub mod tls;
pub mod webauthn;

use axum::Router;
use axum::routing::{get, post};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

pub use data::Data;

/// Everything the server remembers between requests.
#[derive(Debug, Default)]
struct State {
    transactions: HashMap<String, okta::Transaction>,
    session_tokens: HashMap<String, okta::SessionToken>,
    sessions: HashMap<String, okta::Session>,
    issued: HashMap<String, sts::Issued>,
    form_txns: HashMap<String, form_idp::FormTxn>,
    /// Identity Engine transactions by their current stateHandle.
    idx_txns: HashMap<String, idx::Txn>,
    /// Finished IDX transactions by the stateToken of their success-redirect.
    idx_done: HashMap<String, idx::Done>,
    authn_calls: u32,
    /// Requests counted by kind, for tests (`Sandbox::requests`).
    counts: Requests,
    /// Console sign-in tokens handed out: token -> assumed-role ARN.
    signin_tokens: HashMap<String, String>,
    /// Passwords changed since start (as an admin or the user would): login -> new password.
    changed_passwords: HashMap<String, String>,
    /// Every secret handed to a client (state and session tokens, sids, SAML responses, AWS
    /// secrets), kept so that tests can look for them where they must not be.
    handed_out: Vec<String>,
    /// When each push poll arrived (Classic verify polls and IDX challenge-polls), for tests of
    /// the interval a client keeps.
    poll_times: Vec<std::time::Instant>,
    /// CSRF tokens the form IdP issued and that were not used yet.
    csrf_issued: std::collections::HashSet<String>,
    /// FastPass challenges the sandbox's Okta Verify answered.
    fastpass_approved: std::collections::HashSet<String>,
    /// FastPass cancels: "reason statusCode", in order.
    fastpass_cancels: Vec<String>,
    /// Entra sign-ins by their `sCtx`.
    entra_flows: HashMap<String, entra::Flow>,
    /// Entra sessions (the ESTSAUTH cookie's value) -> login.
    entra_sessions: HashMap<String, String>,
    /// One-time codes of Entra's hidden forms and ADFS tokens -> login.
    entra_codes: HashMap<String, String>,
    /// Duo sign-ins by their frameless `sid`.
    duo_logins: HashMap<String, duo::DuoLogin>,
    /// Okta's hand-offs to Duo by their OIDC state.
    duo_pending: HashMap<String, duo::Pending>,
    /// The last sign count seen of each WebAuthn credential, by credential id.
    sign_counts: HashMap<String, u32>,
    /// Why WebAuthn assertions were refused, in order (for tests).
    webauthn_refusals: Vec<String>,
    /// TOTP codes accepted lately: (login, secret, code) -> when.
    used_codes: HashMap<(String, String, String), std::time::Instant>,
}

/// How many requests of each kind the sandbox answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Requests {
    /// POSTs to /api/v1/authn (primary authentication: a password was sent).
    pub authn: u32,
    /// GETs of an app's embed link.
    pub embed: u32,
    /// STS AssumeRoleWithSAML calls.
    pub assume_role_with_saml: u32,
    /// Federation getSigninToken calls.
    pub signin_token: u32,
    /// POSTs to the Identity Engine's IDX API (/idp/idx/...).
    pub idx: u32,
    /// GETs of /.well-known/okta-organization.
    pub well_known: u32,
    /// POSTs of the form IdP's login form (a password was sent).
    pub form_login: u32,
    /// Classic factor verify POSTs that carried a code (`passCode`).
    pub code_verify: u32,
    /// Okta Verify pushes sent (Classic: the first verify POST of a push transaction).
    pub pushes: u32,
    /// Identity Engine answers that carried a password (`challenge/answer` at the password step,
    /// or `identify` with one).
    pub idx_passwords: u32,
    /// Identity Engine answers that carried a one-time code.
    pub idx_codes: u32,
    /// Duo prompt POSTs that carried a passcode.
    pub duo_passcode: u32,
    /// Duo status polls.
    pub duo_status: u32,
    /// Entra (or its ADFS) password POSTs.
    pub entra_password: u32,
    /// Entra EndAuth calls that carried a code.
    pub entra_codes: u32,
}

/// Shared server state.
#[derive(Debug)]
struct Shared {
    data: Data,
    /// Signs and checks SAML assertions (the IdP and STS share it, as IAM trusts the IdP's cert).
    signing_key: [u8; 32],
    /// The public keys of the outside IdPs in `data.saml_providers`, by provider ARN.
    provider_keys: HashMap<String, rsa::RsaPublicKey>,
    /// Served over https: the org URL it hands out starts with https://.
    tls: bool,
    state: Mutex<State>,
}

/// How a TOTP code fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TotpCheck {
    Accepted,
    Wrong,
    /// Right, but already used in its window (Okta's E0000082).
    Reused,
}

impl Shared {
    /// Check `code` against `secret` (RFC 6238, one step of skew) for `login`; a code accepted
    /// once is refused for the 90 seconds it could still be valid, as Okta refuses a replay.
    pub(crate) fn check_totp(&self, login: &str, secret: &str, code: &str) -> TotpCheck {
        let valid = okta::totp(secret).is_ok_and(|t| t.check_current(code).unwrap_or(false));
        if !valid {
            return TotpCheck::Wrong;
        }
        let now = std::time::Instant::now();
        let mut st = self.state();
        st.used_codes
            .retain(|_, at| now.duration_since(*at) < std::time::Duration::from_secs(90));
        let key = (login.to_owned(), secret.to_owned(), code.to_owned());
        if st.used_codes.contains_key(&key) {
            return TotpCheck::Reused;
        }
        st.used_codes.insert(key, now);
        TotpCheck::Accepted
    }

    /// Remember `secret` as handed out, and return it.
    fn hand_out(&self, secret: String) -> String {
        self.state().handed_out.push(secret.clone());
        secret
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicked handler leaves the maps usable; the sandbox keeps serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

type AppState = Arc<Shared>;

/// The HTTP routes.
fn router(shared: AppState) -> Router {
    Router::new()
        .route("/api/v1/authn", post(okta::authn))
        .route("/api/v1/authn/cancel", post(okta::cancel))
        .route("/api/v1/authn/factors/{id}/verify", post(okta::verify))
        .route("/api/v1/sessions", post(okta::create_session))
        .route(
            "/login/sessionCookieRedirect",
            get(okta::session_cookie_redirect),
        )
        .route("/home/amazon_aws/{app}/{n}", get(okta::embed_link))
        .route("/.well-known/okta-organization", get(okta::organization))
        .route("/.well-known/webfinger", get(okta::webfinger))
        .route("/login/login.htm", get(okta::login_page))
        .route("/idp/idx/introspect", post(idx::introspect))
        .route("/idp/idx/identify", post(idx::identify))
        .route("/idp/idx/challenge/answer", post(idx::answer))
        .route("/idp/idx/challenge", post(idx::challenge))
        .route("/idp/idx/authenticators/poll", post(idx::poll))
        .route(
            "/idp/idx/authenticators/poll/cancel",
            post(idx::cancel_poll),
        )
        .route(
            "/idp/idx/authenticators/okta-verify/launch",
            post(idx::launch),
        )
        .route("/login/token/redirect", get(idx::token_redirect))
        .route(
            "/form/login",
            get(form_idp::login_page).post(form_idp::login_submit),
        )
        .route("/form/code", post(form_idp::code_submit))
        .route(
            "/form/webauthn",
            get(form_idp::webauthn_page).post(form_idp::webauthn_submit),
        )
        .route("/form/empty", get(form_idp::empty_page))
        .route("/sso/idps/{id}", get(duo::okta_redirect))
        .route("/oauth2/v1/authorize/callback", get(duo::okta_callback))
        .route("/oauth/v1/authorize", get(duo::authorize))
        .route(
            "/frame/frameless/v4/auth",
            get(duo::frameless).post(duo::frameless_post),
        )
        .route(
            "/frame/prompt",
            get(duo::prompt_page).post(duo::prompt_post),
        )
        .route("/frame/v4/status", post(duo::status))
        .route("/frame/v4/oidc/exit", post(duo::oidc_exit))
        .route(
            "/applications/redirecttofederatedapplication.aspx",
            get(entra::linked_sign_in),
        )
        .route("/signin/{app}", get(entra::my_apps))
        .route("/{tenant}/saml2", get(entra::saml2))
        .route(
            "/common/GetCredentialType",
            post(entra::get_credential_type),
        )
        .route("/{tenant}/login", post(entra::login))
        .route(
            "/{tenant}/SkipMfaRegistration",
            get(entra::skip_mfa_registration),
        )
        .route("/common/SAS/BeginAuth", post(entra::begin_auth))
        .route("/common/SAS/EndAuth", post(entra::end_auth))
        .route("/{tenant}/SAS/ProcessAuth", post(entra::process_auth))
        .route("/kmsi", post(entra::kmsi))
        .route("/{tenant}/reprocess", post(entra::reprocess))
        .route("/adfs/ls/", get(entra::adfs_page).post(entra::adfs_post))
        .route("/login.srf", post(entra::login_srf))
        .route("/federation", get(federation::handle))
        .route("/sts", post(sts::handle))
        .route("/sts/", post(sts::handle))
        .with_state(shared)
        .layer(axum::middleware::from_fn(log_request))
}

/// With AWS_TOKEN_SANDBOX_LOG_REQUESTS set, one stderr line per request (method and path, never
/// a query or body): how many round trips each client makes (bench/compare.py counts them).
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if std::env::var_os("AWS_TOKEN_SANDBOX_LOG_REQUESTS").is_some() {
        eprintln!(
            "aws-token-sandbox: request {} {}",
            req.method(),
            req.uri().path()
        );
    }
    // AWS_TOKEN_SANDBOX_RECORD=DIR keeps every answer's body in DIR (the fuzz seeds are taken
    // from the sandbox's real pages and answers this way: fuzz/seeds/README.md).
    let Some(dir) = std::env::var_os("AWS_TOKEN_SANDBOX_RECORD") else {
        return next.run(req).await;
    };
    let name: String = format!("{} {}", req.method(), req.uri().path())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let response = next.run(req).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::path::Path::new(&dir).join(format!("{}-{n:05}-{name}", std::process::id()));
    let _ = std::fs::write(path, &bytes);
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A running sandbox.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: AppState,
    /// Served over https (with a generated CA) rather than plain http.
    tls: bool,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Start on 127.0.0.1:`port` (0 for any free port) in a background thread, over plain http.
    pub fn start(data: Data, port: u16) -> std::io::Result<Sandbox> {
        Sandbox::start_with(data, port, None)
    }

    /// Start on 127.0.0.1:`port`, over https with `tls` when given (the client must trust its CA).
    pub fn start_with(
        data: Data,
        port: u16,
        tls: Option<tls::Identity>,
    ) -> std::io::Result<Sandbox> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls_on = tls.is_some();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let mut provider_keys = HashMap::new();
        for p in &data.saml_providers {
            let key = dsig::certificate_key(&p.certificate).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("samlProviders {}: {e}", p.arn),
                )
            })?;
            provider_keys.insert(p.arn.clone(), key);
        }
        let shared = Arc::new(Shared {
            data,
            signing_key: rand::random(),
            provider_keys,
            tls: tls_on,
            state: Mutex::new(State::default()),
        });
        let kept = shared.clone();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let shutdown = async move {
                    let _ = rx.await;
                };
                let served = match tls {
                    Some(identity) => match tls::Listener::new(listener, &identity) {
                        Ok(l) => {
                            axum::serve(l, router(shared))
                                .with_graceful_shutdown(shutdown)
                                .await
                        }
                        Err(e) => Err(e),
                    },
                    None => {
                        axum::serve(listener, router(shared))
                            .with_graceful_shutdown(shutdown)
                            .await
                    }
                };
                if let Err(e) = served {
                    eprintln!("aws-token-sandbox: server error: {e}");
                }
            });
        });
        Ok(Sandbox {
            addr,
            shared: kept,
            tls: tls_on,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, or `https://` when served over TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The app embed link for `app_id`.
    pub fn embed_link(&self, app_id: &str) -> String {
        format!("{}/home/amazon_aws/{app_id}/272", self.url())
    }

    /// The form IdP's security-key page for `login` in `app_id`, as the browser shows it after
    /// the user's password was accepted (tests play that part with this link). `base` is the
    /// origin the browser uses (WebAuthn takes `localhost`, not an IP address).
    pub fn form_webauthn_link(&self, base: &str, login: &str, app_id: &str) -> String {
        let txn = self.shared.begin_form(login, app_id);
        format!("{base}/form/webauthn?txn={txn}")
    }

    /// The plain HTML form IdP's entry URL for `app_id`.
    pub fn form_login(&self, app_id: &str) -> String {
        format!("{}/form/login?app={app_id}", self.url())
    }

    /// The STS endpoint (for AWS_ENDPOINT_URL_STS).
    pub fn sts_url(&self) -> String {
        format!("{}/sts", self.url())
    }

    /// How many requests of each kind were answered so far.
    pub fn requests(&self) -> Requests {
        self.shared.state().counts
    }

    /// Change `login`'s password (an earlier one stops working).
    pub fn change_password(&self, login: &str, password: &str) {
        self.shared
            .state()
            .changed_passwords
            .insert(login.to_owned(), password.to_owned());
    }

    /// When each push poll arrived, in order.
    pub fn poll_times(&self) -> Vec<std::time::Instant> {
        self.shared.state().poll_times.clone()
    }

    /// End every signed-in session, Okta's and Entra's (as when a session expires or an admin
    /// clears it).
    pub fn end_sessions(&self) {
        let mut st = self.shared.state();
        st.sessions.clear();
        st.entra_sessions.clear();
    }

    /// The federation endpoint (for AWS_TOKEN_FEDERATION_URL).
    pub fn federation_url(&self) -> String {
        format!("{}/federation", self.url())
    }

    /// Why WebAuthn assertions were refused, in order.
    pub fn webauthn_refusals(&self) -> Vec<String> {
        self.shared.state().webauthn_refusals.clone()
    }

    /// The last sign count the org saw of a credential (base64url id).
    pub fn sign_count(&self, credential_id: &str) -> Option<u32> {
        self.shared.state().sign_counts.get(credential_id).copied()
    }

    /// The FastPass cancels clients sent ("reason statusCode"), in order.
    pub fn fastpass_cancels(&self) -> Vec<String> {
        self.shared.state().fastpass_cancels.clone()
    }

    /// Every secret the sandbox handed out so far: stateTokens, sessionTokens, sid cookies, form
    /// session ids, SAMLResponses, AWS secret keys and session tokens.
    pub fn handed_out(&self) -> Vec<String> {
        self.shared.state().handed_out.clone()
    }

    /// Block until the server stops (it runs until the process ends).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The current TOTP code for a base32 secret (the demo's "authenticator app").
pub fn totp_now(secret_b32: &str) -> Result<String, String> {
    okta::totp(secret_b32).and_then(|t| t.generate_current().map_err(|e| e.to_string()))
}

/// The TOTP code `offset` seconds from now (30: the next window's, which a verifier with one step
/// of skew takes too).
pub fn totp_at(secret_b32: &str, offset: u64) -> Result<String, String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    okta::totp(secret_b32).map(|t| t.generate(now + offset))
}

/// Random token text of `len` characters from `[A-Za-z0-9]`.
fn random_token(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}
