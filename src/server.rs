//! The local credential endpoint (issue 21.4), for `exec --server` and `serve`: an HTTP server on
//! 127.0.0.1 that answers the container-credentials protocol the AWS SDKs and CLI already speak
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN`). The credentials
//! are held in memory and renewed ahead of expiry by one renewer thread, through the kept IdP
//! session and never a prompt, so a request finds them at once. Only a request for the one path,
//! addressed to the loopback host (a web page reaching the port through DNS rebinding names
//! another), carrying the run's random token, gets them; a renewal that fails answers the SDK with
//! a body that says what to run, never a hang.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::secret::Secret;
use crate::sts::Credentials;
use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Bytes;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The one path credentials are served at.
pub const PATH: &str = "/aws-token/credentials";

/// How long a request waits for a renewal it asked for before it is answered with an error (the
/// SDKs give up on the endpoint after one to five seconds, and retry).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// Due credentials still valid this long are answered at once, the renewal going on behind.
const STILL_VALID: chrono::Duration = chrono::Duration::seconds(5);

/// After a renewal failed, the next one is tried no sooner than this (an SDK retrying three times
/// a second must not become three logins a second).
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// The least time between two renewals, whatever the credentials' lifetime says (credentials
/// that came back already due, or expired, must not become a login per loop).
const RENEW_FLOOR: Duration = Duration::from_secs(5);

/// The most connections served at once; a new one past it closes the oldest.
const MAX_CONNECTIONS: usize = 64;

/// The first and the longest pause after `accept` failed.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// How long a client may take to send a request's headers.
const HEADER_WAIT: Duration = Duration::from_secs(10);

/// Where the endpoint answers and the token it wants: the two variables an SDK reads.
#[derive(Debug)]
pub struct Endpoint {
    pub url: String,
    pub token: Secret<String>,
}

impl Endpoint {
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`, with their values.
    pub fn variables(&self) -> [(&'static str, &str); 2] {
        [
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", self.url.as_str()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                self.token.expose().as_str(),
            ),
        ]
    }
}

/// Renews the credentials without asking anyone: through the kept IdP session (or a remembered
/// password), else an error.
pub type Renew<'a> = dyn Fn() -> Result<Credentials> + Sync + 'a;

/// Credentials and when this run got them (their lifetime decides how early they are renewed).
#[derive(Clone)]
struct Held {
    credentials: Credentials,
    obtained: DateTime<Utc>,
}

impl Held {
    /// When to renew: the refresh margin before expiry, or a quarter of their lifetime when that
    /// is longer (credentials that live minutes are renewed while a caller can still use them),
    /// but never before half their lifetime has passed: credentials that live no longer than the
    /// margin (`--duration 900` with a margin of 15 minutes) would otherwise be due the moment
    /// they arrive, and renewed in a loop.
    fn renew_at(&self, margin: Duration) -> DateTime<Utc> {
        let lifetime = self.lifetime();
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
        let early = self.credentials.expiration - margin.max(lifetime / 4);
        early.max(self.obtained + lifetime / 2)
    }

    fn lifetime(&self) -> chrono::Duration {
        self.credentials.expiration - self.obtained
    }
}

/// What the HTTP side and the renewer share.
struct Shared {
    token: Secret<String>,
    port: u16,
    margin: Duration,
    clock: Arc<dyn Clock>,
    held: Mutex<Held>,
    /// The last renewal's failure, and when: answered while no newer credentials exist.
    failure: Mutex<Option<(Instant, String)>>,
    asks: mpsc::Sender<Ask>,
}

impl Shared {
    fn held(&self) -> Held {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn failure(&self) -> Option<(Instant, String)> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn ask(&self, ask: Ask) {
        let _ = self.asks.send(ask);
    }
}

/// What the renewer is asked.
enum Ask {
    /// Renew if due, then say so.
    Renew(tokio::sync::oneshot::Sender<()>),
    Stop,
}

/// Serve `initial` (renewed with `renew`) on 127.0.0.1:`port` (0: any free port) while `with`
/// runs; returns what `with` returns. `label` names the credentials in messages.
pub fn run<T>(
    initial: Credentials,
    renew: &Renew<'_>,
    margin: Duration,
    port: u16,
    label: &str,
    reporter: &Reporter,
    with: impl FnOnce(&Endpoint) -> Result<T>,
) -> Result<T> {
    raise_open_files_limit();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| Error::Usage(
        format!("cannot listen on 127.0.0.1:{port} for the credential endpoint: {e}; choose another --port (0: any free one)"),
    ))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("the endpoint's address: {e}")))?
        .port();
    let token = Secret::new(random_token()?);
    let endpoint = Endpoint {
        url: format!("http://127.0.0.1:{port}{PATH}"),
        token: token.clone(),
    };
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
    let (asks, asked) = mpsc::channel();
    let shared = Arc::new(Shared {
        token,
        port,
        margin,
        held: Mutex::new(Held {
            credentials: initial,
            obtained: clock.now(),
        }),
        clock,
        failure: Mutex::new(None),
        asks,
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::scope(|s| {
        let http = shared.clone();
        s.spawn(move || serve(listener, http, stopped, reporter));
        let renewing = shared.clone();
        s.spawn(move || renewer(&renewing, &asked, renew, label, reporter));
        let out = with(&endpoint);
        let _ = stop.send(());
        shared.ask(Ask::Stop);
        out
    })
}

/// A token no other process can guess: 32 random bytes, hex.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no random numbers for the endpoint's token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The renewer: renews when the held credentials are due (or a request finds them due), one
/// renewal at a time, until told to stop.
fn renewer(
    shared: &Shared,
    asked: &mpsc::Receiver<Ask>,
    renew: &Renew<'_>,
    label: &str,
    reporter: &Reporter,
) {
    let mut last_attempt: Option<Instant> = None;
    let mut said_margin = false;
    // A run of failed renewals is said once on stderr (the SDK gets each one's message).
    let mut failing = false;
    loop {
        let held = shared.held();
        if !said_margin
            && chrono::Duration::from_std(shared.margin).is_ok_and(|m| m >= held.lifetime())
        {
            said_margin = true;
            reporter.warn(&format!(
                "the refresh margin ({} s) is not shorter than the credentials' lifetime ({} s): they are renewed when half of it has passed",
                shared.margin.as_secs(),
                held.lifetime().num_seconds()
            ));
        }
        let due = held.renew_at(shared.margin);
        let mut wait = (due - shared.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        if let Some(at) = last_attempt {
            wait = wait.max(RENEW_FLOOR.saturating_sub(at.elapsed()));
        }
        if let Some((at, _)) = shared.failure() {
            wait = wait.max(RETRY_AFTER.saturating_sub(at.elapsed()));
        }
        let reply = match asked.recv_timeout(wait) {
            Ok(Ask::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
            Ok(Ask::Renew(reply)) => Some(reply),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
        };
        let recently_failed = shared
            .failure()
            .is_some_and(|(at, _)| at.elapsed() < RETRY_AFTER);
        let too_soon = last_attempt.is_some_and(|at| at.elapsed() < RENEW_FLOOR);
        if shared.clock.now() >= shared.held().renew_at(shared.margin)
            && !recently_failed
            && !too_soon
        {
            last_attempt = Some(Instant::now());
            match renew() {
                Ok(credentials) => {
                    reporter.verbose(&format!(
                        "credential endpoint: {label} renewed, {}",
                        crate::commands::expiry_text(credentials.expiration)
                    ));
                    *shared.held.lock().unwrap_or_else(PoisonError::into_inner) = Held {
                        credentials,
                        obtained: shared.clock.now(),
                    };
                    *shared
                        .failure
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = None;
                    failing = false;
                }
                Err(e) => {
                    let message = format!(
                        "aws-token could not renew the credentials of {label}: {e}. Run `aws-token login` with the same --account and --role in a terminal; this endpoint uses the new session at the next request"
                    );
                    if !failing {
                        reporter.warn(&message);
                        failing = true;
                    }
                    *shared
                        .failure
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), message));
                }
            }
        }
        if let Some(reply) = reply {
            let _ = reply.send(());
        }
    }
}

/// Accept connections until `stopped`; each is served on its own task.
fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    stopped: tokio::sync::oneshot::Receiver<()>,
    reporter: &Reporter,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let (Ok(runtime), Ok(())) = (runtime, listener.set_nonblocking(true)) else {
        reporter.warn("the credential endpoint could not start its runtime");
        return;
    };
    runtime.block_on(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            reporter.warn("the credential endpoint could not listen");
            return;
        };
        tokio::pin!(stopped);
        // The connections being served, oldest first: past `MAX_CONNECTIONS` the oldest is
        // closed, so that connections opened and left silent (any local user can) never keep
        // the SDK's own request out, nor use up the process's file descriptors.
        let mut open: std::collections::VecDeque<tokio::task::JoinHandle<()>> =
            std::collections::VecDeque::new();
        let mut backoff = ACCEPT_BACKOFF_MIN;
        loop {
            let stream = tokio::select! {
                _ = &mut stopped => return,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        backoff = ACCEPT_BACKOFF_MIN;
                        stream
                    }
                    Err(_) => {
                        // Out of file descriptors (EMFILE), say: retrying at once would spin.
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                        continue;
                    }
                },
            };
            open.retain(|task| !task.is_finished());
            while open.len() >= MAX_CONNECTIONS {
                if let Some(oldest) = open.pop_front() {
                    oldest.abort();
                }
            }
            let shared = shared.clone();
            open.push_back(tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&shared, &request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_WAIT)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            }));
        }
    });
}

/// Raise this process's open-files limit to its hard limit (a soft limit of 1024 is common),
/// best effort: the endpoint then has room for its connections and the login's.
fn raise_open_files_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}

/// The answer to one request.
async fn answer<B>(shared: &Shared, request: &Request<B>) -> Response<Full<Bytes>> {
    if !host_is_loopback(request.headers().get(header::HOST), shared.port) {
        return error(
            StatusCode::FORBIDDEN,
            "the credential endpoint answers requests for 127.0.0.1 and localhost only",
        );
    }
    if request.uri().path() != PATH {
        return error(StatusCode::NOT_FOUND, "not found");
    }
    if request.method() != Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "GET only");
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(http::HeaderValue::as_bytes);
    if !token.is_some_and(|t| same(t, shared.token.expose().as_bytes())) {
        return error(
            StatusCode::UNAUTHORIZED,
            "the Authorization header is not this endpoint's token (AWS_CONTAINER_AUTHORIZATION_TOKEN)",
        );
    }
    match credentials(shared).await {
        Ok(c) => json(StatusCode::OK, &body(&c)),
        Err(message) => error(StatusCode::SERVICE_UNAVAILABLE, &message),
    }
}

/// The held credentials while they are not due; due but valid for `STILL_VALID` more, the same
/// at once while the renewer renews behind (an SDK gives the endpoint a second or two per attempt:
/// a slow IdP must not make it give up); else the renewer's answer (at most `ANSWER_WAIT` later);
/// credentials that are due but still valid when a renewal failed.
async fn credentials(shared: &Shared) -> std::result::Result<Credentials, String> {
    let held = shared.held();
    let now = shared.clock.now();
    if now < held.renew_at(shared.margin) {
        return Ok(held.credentials);
    }
    if held.credentials.expiration > now + STILL_VALID {
        let (reply, _) = tokio::sync::oneshot::channel();
        shared.ask(Ask::Renew(reply));
        return Ok(held.credentials);
    }
    let (reply, replied) = tokio::sync::oneshot::channel();
    shared.ask(Ask::Renew(reply));
    let _ = tokio::time::timeout(ANSWER_WAIT, replied).await;
    let held = shared.held();
    let now = shared.clock.now();
    if now < held.renew_at(shared.margin) || held.credentials.expiration > now {
        return Ok(held.credentials);
    }
    Err(shared.failure().map_or_else(
        || {
            format!(
                "aws-token is still renewing the credentials after {} s; try again",
                ANSWER_WAIT.as_secs()
            )
        },
        |(_, message)| message,
    ))
}

/// The container-credentials JSON.
fn body(c: &Credentials) -> serde_json::Value {
    serde_json::json!({
        "AccessKeyId": c.access_key_id.expose(),
        "SecretAccessKey": c.secret_access_key.expose(),
        "Token": c.session_token.expose(),
        "Expiration": c.expiration.to_rfc3339_opts(SecondsFormat::Secs, true),
        "RoleArn": c.assumed_role_arn,
    })
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let code = match status {
        StatusCode::SERVICE_UNAVAILABLE => "CredentialsUnavailable",
        StatusCode::UNAUTHORIZED => "Unauthorized",
        StatusCode::NOT_FOUND => "NotFound",
        _ => "Refused",
    };
    json(
        status,
        &serde_json::json!({ "Code": code, "Message": message }),
    )
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Whether `host` names this endpoint: 127.0.0.1 or localhost, with its port.
fn host_is_loopback(host: Option<&http::HeaderValue>, port: u16) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    p == port.to_string() && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// Equal bytes, compared in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(lifetime_minutes: i64, obtained: DateTime<Utc>) -> Held {
        Held {
            credentials: Credentials {
                access_key_id: Secret::new("ASIA".into()),
                secret_access_key: Secret::new("s".into()),
                session_token: Secret::new("t".into()),
                expiration: obtained + chrono::Duration::minutes(lifetime_minutes),
                assumed_role_arn: String::new(),
            },
            obtained,
        }
    }

    #[test]
    fn renewal_comes_a_margin_or_a_quarter_of_the_lifetime_early() {
        let t = Utc::now();
        let margin = Duration::from_secs(15 * 60);
        // An hour: the margin (15 min) is the quarter.
        assert_eq!(
            held(60, t).renew_at(margin),
            t + chrono::Duration::minutes(45)
        );
        // Twelve hours: a quarter, three hours, early.
        assert_eq!(
            held(720, t).renew_at(margin),
            t + chrono::Duration::minutes(540)
        );
        // An hour with a margin of 30 minutes: the margin.
        assert_eq!(
            held(60, t).renew_at(Duration::from_secs(1800)),
            t + chrono::Duration::minutes(30)
        );
        // Four minutes with no margin: a quarter, one minute, early.
        assert_eq!(
            held(4, t).renew_at(Duration::ZERO),
            t + chrono::Duration::minutes(3)
        );
    }

    #[test]
    fn credentials_no_longer_than_the_margin_are_not_due_on_arrival() {
        let t = Utc::now();
        // 15 minutes with a 15-minute margin: at half their lifetime, not at once.
        assert_eq!(
            held(15, t).renew_at(Duration::from_secs(15 * 60)),
            t + chrono::Duration::seconds(450)
        );
        // An hour with a margin of two: half an hour.
        assert_eq!(
            held(60, t).renew_at(Duration::from_secs(7200)),
            t + chrono::Duration::minutes(30)
        );
    }

    #[test]
    fn only_the_loopback_host_with_the_port_is_served() {
        let h = |v: &'static str| http::HeaderValue::from_static(v);
        assert!(host_is_loopback(Some(&h("127.0.0.1:8080")), 8080));
        assert!(host_is_loopback(Some(&h("LOCALHOST:8080")), 8080));
        assert!(!host_is_loopback(Some(&h("127.0.0.1:8081")), 8080));
        assert!(!host_is_loopback(Some(&h("attacker.example:8080")), 8080));
        assert!(!host_is_loopback(Some(&h("127.0.0.1")), 8080));
        assert!(!host_is_loopback(None, 8080));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }
}
