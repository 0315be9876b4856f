//! The one HTTP client every IdP shares: cookie jar, keep-alive, 10 s connect and 30 s total
//! timeouts, a redirect policy that refuses plain http except to loopback, and retry with backoff on
//! 429 (honouring X-Rate-Limit-Reset) and 5xx. It never logs a body or a query string.

use crate::clock::Clock;
use crate::config::is_loopback;
use crate::error::{Error, Result};
use crate::report::Reporter;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Retries after the first attempt.
const RETRIES: u32 = 3;
/// The longest single wait for a rate limit to reset; a longer one is reported instead.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// A shared HTTP client with the retry policy.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    reporter: Reporter,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Http")
    }
}

impl Http {
    /// Build the client. Without `tls` no trust roots are loaded (all endpoints are loopback http)
    /// and an https URL fails certificate verification.
    pub fn new(clock: Arc<dyn Clock>, reporter: Reporter, tls: bool) -> Result<Http> {
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
        let mut builder = reqwest::Client::builder();
        if !tls {
            builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let client = builder
            .cookie_store(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(policy)
            .user_agent(concat!("aws-token/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http {
            client,
            clock,
            reporter,
        })
    }

    /// The underlying client, to build requests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The clock this client waits with.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Send the request `build` makes, retrying on connection failure, 429 and 5xx. `what` names
    /// the target in messages (a URL without query).
    pub async fn send(
        &self,
        what: &str,
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
                Ok(r) if r.status().is_server_error() && attempt < RETRIES => {
                    self.reporter
                        .verbose(&format!("{what} answered {}; retrying", r.status()));
                    backoff(attempt)
                }
                Ok(r) if r.status().is_server_error() => {
                    return Err(Error::Network {
                        url: what.to_owned(),
                        message: format!(
                            "server error {} after {} attempts",
                            r.status(),
                            attempt + 1
                        ),
                    });
                }
                Ok(_) => return result.map_err(|e| network(what, &e)),
                Err(e) if (e.is_connect() || e.is_timeout()) && attempt < RETRIES => {
                    self.reporter
                        .verbose(&format!("{what}: {}; retrying", describe(e)));
                    backoff(attempt)
                }
                Err(e) => return Err(network(what, e)),
            };
            self.clock.sleep(wait).await;
            attempt += 1;
        }
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

fn network(what: &str, e: &reqwest::Error) -> Error {
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
