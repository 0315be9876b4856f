//! A stand-in for Okta Verify on this device, for FastPass tests (shared/okta-phishing-resistant.md):
//! a loopback service that answers `GET /probe` and `POST /challenge {challengeRequest}` (the
//! widget's loopback code sends only `Content-Type: application/json` and that body; the browser
//! adds `Origin`), records the request's `Origin`, and approves the transaction at the sandbox, as
//! Okta Verify tells Okta over its own channel. Switches: another OS user's Okta Verify (503), one
//! that answers an error (500), and one that never answers the probe.
//!
//! The Origin check, what is known and what is not: Okta's "A Technical Deep Dive into Okta
//! FastPass" says Okta Verify inspects the Origin header before it signs, and third-party write-ups
//! say the origin goes into the signed answer and Okta refuses a domain that does not match. What
//! Okta Verify compares it with is not public (the widget's mock JWT has `iss`
//! `https://idx.okta1.com:80`, with a port an Origin would not show). So this stand-in refuses
//! only a request with no Origin at all, and leaves the comparison to the tests, which assert what
//! aws-token sends (the org's origin, as a browser on the org's page would) rather than a rule of
//! Okta Verify's.

use crate::Sandbox;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::{Arc, Mutex};

/// How this Okta Verify answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Probes answered, challenges approved (any Origin; the tests check what was sent).
    Approve,
    /// Another OS user's Okta Verify: `/challenge` answers 503.
    OtherUser,
    /// `/challenge` answers 500.
    Error,
    /// `/probe` never answers in time.
    Silent,
    /// The first challenge makes Okta issue a new one (what the device sees changed); the next
    /// is approved.
    ChangedChallenge,
}

#[derive(Debug)]
struct Inner {
    sandbox: crate::AppState,
    behaviour: Behaviour,
    origins: Mutex<Vec<String>>,
    challenges: Mutex<u32>,
}

/// A running Okta Verify (stopped on drop).
#[derive(Debug)]
pub struct OktaVerify {
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl OktaVerify {
    /// The `Origin` headers the challenges came with, in order.
    pub fn origins(&self) -> Vec<String> {
        self.inner
            .origins
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// How many challenges were posted.
    pub fn challenges(&self) -> u32 {
        self.inner.challenges.lock().map(|c| *c).unwrap_or(0)
    }
}

impl Drop for OktaVerify {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Sandbox {
    /// Start an Okta Verify answering as `behaviour` on 127.0.0.1:`port` (list the port in the
    /// data's `oktaVerifyPorts`).
    pub fn okta_verify(&self, port: u16, behaviour: Behaviour) -> std::io::Result<OktaVerify> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let inner = Arc::new(Inner {
            sandbox: self.shared.clone(),
            behaviour,
            origins: Mutex::new(Vec::new()),
            challenges: Mutex::new(0),
        });
        let app = Router::new()
            .route("/probe", get(probe))
            .route("/challenge", post(challenge))
            .with_state(inner.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        Ok(OktaVerify {
            inner,
            shutdown: Some(tx),
        })
    }
}

async fn probe(State(ov): State<Arc<Inner>>) -> Response {
    if ov.behaviour == Behaviour::Silent {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
    StatusCode::OK.into_response()
}

async fn challenge(State(ov): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Ok(mut n) = ov.challenges.lock() {
        *n += 1;
    }
    let origin = headers
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Ok(mut o) = ov.origins.lock() {
        o.push(origin.clone());
    }
    match ov.behaviour {
        Behaviour::OtherUser => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Behaviour::Error => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "{\"error\":\"internal\"}",
            )
                .into_response();
        }
        _ => {}
    }
    let jwt = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("challengeRequest")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    // A browser always sends an Origin with this cross-origin POST; a request without one is no
    // page's (the comparison itself is not public: see the module doc).
    if origin.is_empty() {
        return (StatusCode::FORBIDDEN, "no origin").into_response();
    }
    if ov.behaviour == Behaviour::ChangedChallenge
        && ov.challenges.lock().map(|n| *n == 1).unwrap_or(false)
    {
        return if crate::idx::renew_fastpass(&ov.sandbox, &jwt) {
            (StatusCode::OK, "{}").into_response()
        } else {
            (StatusCode::BAD_REQUEST, "unknown challenge").into_response()
        };
    }
    if crate::idx::approve_fastpass(&ov.sandbox, &jwt) {
        (StatusCode::OK, "{}").into_response()
    } else {
        (StatusCode::BAD_REQUEST, "unknown challenge").into_response()
    }
}
