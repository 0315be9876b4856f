//! The one HTTP client every IdP shares: cookie jar, keep-alive, connect and read timeouts (10 s and
//! 20 s by default, `--connect-timeout`/`--read-timeout`), a redirect policy that refuses plain http
//! except to loopback, and retry with backoff on 429 (honouring X-Rate-Limit-Reset), 5xx and refused
//! connections. A request that timed out is not sent again (a silent server stays silent: giving up
//! takes one timeout, not four), and a request that carries a password or a one-time code is sent
//! again only when the server provably did not take it (connection refused, or 429). It never logs a
//! body or a query string.

use crate::clock::Clock;
use crate::config::is_loopback;
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::secret::Secret;
use crate::tls::TrustSources;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Retries after the first attempt.
const RETRIES: u32 = 3;
/// The longest single wait for a rate limit to reset; a longer one is reported instead.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// How long to wait for a connection, and for each read of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(20),
        }
    }
}

/// Whether a request may be sent again after a failure the server may have seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Reading a page, polling: safe to repeat (on 5xx too).
    Safe,
    /// It carries a password or a one-time code: again only if the server did not take it.
    OnlyIfNotTaken,
}

/// A shared HTTP client with the retry policy.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    /// The cookies of this run (an IdP session is read from here and put back here).
    jar: Arc<reqwest::cookie::Jar>,
    /// What the client trusts, for the hint on a certificate failure.
    trust: String,
    timeouts: Timeouts,
    clock: Arc<dyn Clock>,
    reporter: Reporter,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Http")
    }
}

impl Http {
    /// Build the client. The trust roots of `trust` are read on the first https handshake only.
    pub fn new(
        clock: Arc<dyn Clock>,
        reporter: Reporter,
        trust: TrustSources,
        timeouts: Timeouts,
    ) -> Result<Http> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let url = attempt.url();
            if url.scheme() == "http" && !is_loopback(url) {
                let host = url.host_str().unwrap_or("").to_owned();
                attempt.error(format!("refusing a redirect to plain http://{host}"))
            } else if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        });
        let trust_text = trust.describe();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::tls::client_config(trust)?)
            .cookie_provider(jar.clone())
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .redirect(policy)
            .user_agent(concat!("aws-token/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http {
            client,
            jar,
            trust: trust_text,
            timeouts,
            clock,
            reporter,
        })
    }

    /// The cookies the client would send to `url` (a `Cookie` header value).
    pub fn cookies(&self, url: &url::Url) -> Option<Secret<String>> {
        use reqwest::cookie::CookieStore;
        let v = self.jar.cookies(url)?;
        v.to_str().ok().map(|s| Secret::new(s.to_owned()))
    }

    /// Put back cookies read by `cookies` for `url`'s host.
    pub fn add_cookies(&self, url: &url::Url, header: &Secret<String>) {
        for pair in header.expose().split(';') {
            let pair = pair.trim();
            if !pair.is_empty() {
                self.jar.add_cookie_str(&format!("{pair}; Path=/"), url);
            }
        }
    }

    /// Drop the cookies named in `header` (a kept session the IdP refused).
    pub fn expire_cookies(&self, url: &url::Url, header: &Secret<String>) {
        for pair in header.expose().split(';') {
            if let Some((name, _)) = pair.trim().split_once('=') {
                self.jar
                    .add_cookie_str(&format!("{name}=; Max-Age=0; Path=/"), url);
            }
        }
    }

    /// The underlying client, to build requests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The clock this client waits with.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Send the request `build` makes, retrying as the module says: 429, refused connections, and
    /// 5xx when `resend` allows. `what` names the target in messages (a URL without query).
    pub async fn send(
        &self,
        what: &str,
        resend: Resend,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            let result = build(&self.client).send().await;
            let wait = match &result {
                Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
                    let wait = self.rate_limit_wait(r);
                    if wait > MAX_RATE_LIMIT_WAIT || attempt >= RETRIES {
                        return Err(Error::Network {
                            url: what.to_owned(),
                            message: format!(
                                "rate limited by the IdP (HTTP 429); the limit resets in {} s, try again then",
                                wait.as_secs().max(1)
                            ),
                        });
                    }
                    self.reporter.warn(&format!(
                        "{what} is rate limiting (HTTP 429); waiting {:.1} s",
                        wait.as_secs_f64()
                    ));
                    wait
                }
                Ok(r)
                    if r.status().is_server_error()
                        && attempt < RETRIES
                        && resend == Resend::Safe =>
                {
                    self.reporter
                        .verbose(&format!("{what} answered {}; retrying", r.status()));
                    backoff(attempt)
                }
                Ok(r) if r.status().is_server_error() => {
                    let why = if resend == Resend::Safe {
                        format!("after {} attempts", attempt + 1)
                    } else {
                        "(not sent again: it carried a password or code the server may have seen); try again later".to_owned()
                    };
                    return Err(Error::Network {
                        url: what.to_owned(),
                        message: format!("server error {} {why}", r.status()),
                    });
                }
                Ok(_) => return result.map_err(|e| self.network(what, &e)),
                // Only a refused connection is tried again: nothing was sent, and it may be a
                // restart. A timeout would only double the wait; a certificate that does not
                // verify will not verify on the next try either.
                Err(e)
                    if e.is_connect()
                        && !e.is_timeout()
                        && attempt < RETRIES
                        && tls_failure(e).is_none() =>
                {
                    self.reporter
                        .verbose(&format!("{what}: {}; retrying", describe(e)));
                    backoff(attempt)
                }
                Err(e) => return Err(self.network(what, e)),
            };
            self.clock.sleep(wait).await;
            attempt += 1;
        }
    }

    /// Send once, whatever the answer: for a document that is only a hint (a 5xx or 429 is read
    /// like any other status by the caller). A request that cannot be sent or answered at all is
    /// the same network error `send` gives.
    pub async fn send_once(&self, what: &str, request: RequestBuilder) -> Result<Response> {
        request.send().await.map_err(|e| self.network(what, &e))
    }

    /// How long until the rate limit resets: X-Rate-Limit-Reset (UTC epoch seconds), else Retry-After, else 1 s.
    fn rate_limit_wait(&self, r: &Response) -> Duration {
        let header = |n: &str| {
            r.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        if let Some(reset) = header("x-rate-limit-reset") {
            let secs = reset - self.clock.now().timestamp();
            return Duration::from_millis(u64::try_from(secs.max(0) * 1000 + 200).unwrap_or(200));
        }
        if let Some(after) = header("retry-after") {
            return Duration::from_secs(u64::try_from(after.max(0)).unwrap_or(1));
        }
        Duration::from_secs(1)
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(attempt))
}

/// A one-line cause for a reqwest error, without the URL (it may carry a token in its query).
fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else if e.is_redirect() {
        "redirect refused".to_owned()
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl Http {
    /// A network error for `what`; a certificate failure says what is trusted and how to add a CA,
    /// a timeout which one ran out and how to change it.
    pub fn network(&self, what: &str, e: &reqwest::Error) -> Error {
        let mut message = describe(e);
        if e.is_timeout() {
            message = if e.is_connect() {
                format!(
                    "no connection within {} s (--connect-timeout, AWS_TOKEN_CONNECT_TIMEOUT)",
                    self.timeouts.connect.as_secs()
                )
            } else {
                format!(
                    "no answer within {} s (--read-timeout, AWS_TOKEN_READ_TIMEOUT); the server accepted the connection but did not reply",
                    self.timeouts.read.as_secs()
                )
            };
        }
        if let Some(rustls::Error::InvalidCertificate(_)) = tls_failure(e) {
            message.push_str(&format!(
                "; the server's certificate is not trusted by {}: if your network uses its own CA (a TLS-inspecting proxy or a corporate CA), point SSL_CERT_FILE or AWS_CA_BUNDLE at its PEM file",
                self.trust
            ));
        }
        Error::Network {
            url: what.to_owned(),
            message,
        }
    }
}

/// The TLS error behind `e`, if the request failed in the handshake.
fn tls_failure(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut current: &(dyn std::error::Error + 'static) = e;
    loop {
        if let Some(t) = current.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        // io::Error::source skips the error it wraps (tokio-rustls nests two): look inside it.
        current = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref()?,
            None => current.source()?,
        };
    }
}

/// The status and whole body of `resp`; a body cut short is a network error naming `what`.
pub async fn read_body(resp: Response, what: &str) -> Result<(StatusCode, Vec<u8>)> {
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| body_error(what, &e))?;
    Ok((status, body.to_vec()))
}

/// Reading a response body failed (cut short, bad encoding). reqwest's own message names the URL
/// with its query, which can hold a sessionToken: the message is built from the causes alone.
pub fn body_error(what: &str, e: &reqwest::Error) -> Error {
    Error::Network {
        url: what.to_owned(),
        message: describe(e),
    }
}

/// A URL for messages: scheme, host, port and path, never the query (it can hold a session token).
pub fn display_url(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    u.to_string()
}
