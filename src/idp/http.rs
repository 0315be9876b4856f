//! The one HTTP client every IdP shares: cookie jar, keep-alive, connect and read timeouts (10 s and
//! 20 s by default, `--connect-timeout`/`--read-timeout`) and a total deadline per request, its
//! answer read to the end (60 s, `--request-timeout`), answers capped in size, and retry with
//! backoff on 429 (honouring X-Rate-Limit-Reset), 5xx and refused connections. Nothing is sent over
//! plain http to a host that is not loopback, whoever names the URL (a config, a page's form, a
//! redirect), and a 307/308 that would send a request's body again to another origin is refused
//! (issue 19); STS goes through the same client, so the same rules hold for it. A request that timed out is not sent again (a silent server stays silent: giving up
//! takes one timeout, not four), and a request that carries a password or a one-time code is sent
//! again only when the server provably did not take it (connection refused, or 429). It never logs a
//! body or a query string. The environment's proxies are used for remote hosts, never for loopback.

use crate::clock::Clock;
use crate::config::is_loopback;
use crate::error::{Error, Result};
use crate::report::Reporter;
use crate::secret::Secret;
use crate::tls::TrustSources;
use reqwest::{Request, RequestBuilder, Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Retries after the first attempt.
const RETRIES: u32 = 3;
/// The longest single wait for a rate limit to reset; a longer one is reported instead.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// The largest answer read from an IdP (a sign-in page with its scripts is a few hundred KB; a
/// SAMLResponse is at most 100,000 characters).
pub const MAX_ANSWER: usize = 8 << 20;

/// How long to wait for a connection, for each read of an answer, and for a whole request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
    /// From the request's start to the last byte of its answer.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(20),
            total: Duration::from_secs(60),
        }
    }
}

/// The proxies the environment names (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, either case;
/// `NO_PROXY`), read once from the run's environment. Loopback hosts (127.0.0.0/8, ::1,
/// localhost) never go through one, whatever `NO_PROXY` says: what aws-token sends there (a
/// FastPass challenge for Okta Verify on this device, a test IdP, a local STS) is for this machine
/// only, and a proxy would be handed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    http: Option<String>,
    https: Option<String>,
    all: Option<String>,
    no_proxy: Option<String>,
}

/// What no proxy ever gets, in NO_PROXY's syntax.
const NEVER_PROXIED: &str = "localhost,127.0.0.0/8,::1";

impl Proxies {
    /// From the run's environment (`var` reads one variable). A CGI environment's HTTP_PROXY is a
    /// request header, not a setting, and is ignored as curl and reqwest do.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Proxies {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
        };
        let cgi = var("REQUEST_METHOD").is_some();
        Proxies {
            http: if cgi {
                None
            } else {
                first(&["HTTP_PROXY", "http_proxy"])
            },
            https: first(&["HTTPS_PROXY", "https_proxy"]),
            all: first(&["ALL_PROXY", "all_proxy"]),
            no_proxy: first(&["NO_PROXY", "no_proxy"]),
        }
    }

    /// Configure `builder` with these proxies (and none from anywhere else).
    fn apply(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        builder = builder.no_proxy();
        let exempt = || {
            let list = match &self.no_proxy {
                Some(user) => format!("{user},{NEVER_PROXIED}"),
                None => NEVER_PROXIED.to_owned(),
            };
            reqwest::NoProxy::from_string(&list)
        };
        type Make = fn(&str) -> reqwest::Result<reqwest::Proxy>;
        let kinds: [(&Option<String>, Make, &str); 3] = [
            (&self.https, |p| reqwest::Proxy::https(p), "HTTPS_PROXY"),
            (&self.http, |p| reqwest::Proxy::http(p), "HTTP_PROXY"),
            (&self.all, |p| reqwest::Proxy::all(p), "ALL_PROXY"),
        ];
        for (url, make, name) in kinds {
            if let Some(p) = url {
                let proxy = make(p).map_err(|e| {
                    Error::Usage(format!(
                        "{name} is not a proxy URL aws-token can use ({e}); fix or unset it"
                    ))
                })?;
                builder = builder.proxy(proxy.no_proxy(exempt()));
            }
        }
        Ok(builder)
    }
}

/// When a request was sent, kept in its response for the messages of a body that timed out.
#[derive(Debug, Clone, Copy)]
struct Started(std::time::Instant);

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
        proxies: &Proxies,
        timeouts: Timeouts,
    ) -> Result<Http> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let url = attempt.url();
            let from = attempt.previous().last();
            if let Err(e) = refuse_plain_http(url, from) {
                let message = e.to_string();
                attempt.error(message)
            } else if matches!(
                attempt.status(),
                StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
            ) && from.is_some_and(|f| f.origin() != url.origin())
            {
                // A 307/308 keeps the method and the body: `Http::execute` decides, knowing
                // whether the request has one.
                attempt.stop()
            } else if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        });
        let trust_text = trust.describe();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = proxies
            .apply(reqwest::Client::builder())?
            .tls_backend_preconfigured(crate::tls::client_config(trust)?)
            .cookie_provider(jar.clone())
            .dns_resolver(Arc::new(crate::idp::dns::Resolver))
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .timeout(timeouts.total)
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
        put_cookies(&self.jar, url, header.expose());
    }

    /// Drop the cookies named in `header` (a kept session the IdP refused).
    pub fn expire_cookies(&self, url: &url::Url, header: &Secret<String>) {
        for (name, _) in crate::session::cookie_pairs(header.expose()) {
            self.jar
                .add_cookie_str(&format!("{name}=; Max-Age=0; Path=/"), url);
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
            let request = build(&self.client)
                .build()
                .map_err(|e| self.network(what, &e, None))?;
            let result = self.execute(what, request).await?;
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
                Ok(_) => return result.map_err(|(e, started)| self.network(what, &e, started)),
                // Only a refused connection is tried again: nothing was sent, and it may be a
                // restart. A timeout would only double the wait; a certificate that does not
                // verify will not verify on the next try either.
                Err((e, _))
                    if e.is_connect()
                        && !e.is_timeout()
                        && attempt < RETRIES
                        && tls_failure(e).is_none() =>
                {
                    self.reporter
                        .verbose(&format!("{what}: {}; retrying", describe(e)));
                    backoff(attempt)
                }
                Err((e, started)) => return Err(self.network(what, e, *started)),
            };
            self.clock.sleep(wait).await;
            attempt += 1;
        }
    }

    /// Send once, whatever the answer: for a document that is only a hint (a 5xx or 429 is read
    /// like any other status by the caller). A request that cannot be sent or answered at all is
    /// the same network error `send` gives.
    pub async fn send_once(&self, what: &str, request: RequestBuilder) -> Result<Response> {
        let request = request.build().map_err(|e| self.network(what, &e, None))?;
        self.execute(what, request)
            .await?
            .map_err(|(e, started)| self.network(what, &e, started))
    }

    /// Send `request` once. Plain http to a host that is not loopback is refused before anything
    /// is sent. A cross-origin 307/308 (which the redirect policy stops) is followed by hand when
    /// the request has no body, and refused when it has one: it would carry a password, a code or
    /// a stateHandle to a server the user never named. The outer error is a refusal; the inner
    /// one a failure of the exchange, with when it started.
    async fn execute(
        &self,
        what: &str,
        request: Request,
    ) -> Result<std::result::Result<Response, (reqwest::Error, Option<Started>)>> {
        refuse_plain_http(request.url(), None)?;
        let has_body = request.body().is_some();
        let template = request.try_clone();
        let mut request = request;
        for _ in 0..10 {
            let started = Started(std::time::Instant::now());
            let mut resp = match self.client.execute(request).await {
                Ok(r) => r,
                Err(e) => return Ok(Err((e, Some(started)))),
            };
            resp.extensions_mut().insert(started);
            let next = match resp.status() {
                StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| resp.url().join(l).ok())
                    .filter(|next| next.origin() != resp.url().origin()),
                _ => None,
            };
            let Some(next) = next else {
                return Ok(Ok(resp));
            };
            if has_body {
                return Err(Error::Network {
                    url: what.to_owned(),
                    message: format!(
                        "{} answered {} with a redirect to another origin, {}: that would send the request's body (a password, a code or a session's state) there again, so it is refused",
                        display_url(resp.url()),
                        resp.status().as_u16(),
                        next.origin().ascii_serialization()
                    ),
                });
            }
            refuse_plain_http(&next, Some(resp.url()))?;
            self.reporter
                .verbose(&format!("following a redirect to {}", display_url(&next)));
            let Some(mut again) = template.as_ref().and_then(Request::try_clone) else {
                return Ok(Ok(resp));
            };
            *again.url_mut() = next;
            request = again;
        }
        Err(Error::Network {
            url: what.to_owned(),
            message: "too many redirects".into(),
        })
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

/// Put the cookies of a kept session's `header` in `jar`, for `url`'s host (a pair's attributes
/// cannot ride along: only `name=value` is kept, with `Path=/`).
pub(crate) fn put_cookies(jar: &reqwest::cookie::Jar, url: &url::Url, header: &str) {
    for (name, value) in crate::session::cookie_pairs(header) {
        jar.add_cookie_str(&format!("{}={}; Path=/", name.trim(), value.trim()), url);
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
    fn network(&self, what: &str, e: &reqwest::Error, started: Option<Started>) -> Error {
        let mut message = describe(e);
        if e.is_timeout() {
            let whole = started.is_some_and(|s| s.0.elapsed() >= self.timeouts.total);
            message = if e.is_connect() {
                format!(
                    "no connection within {} s (--connect-timeout, AWS_TOKEN_CONNECT_TIMEOUT)",
                    self.timeouts.connect.as_secs()
                )
            } else if whole {
                format!(
                    "the answer was not complete within {} s (--request-timeout, AWS_TOKEN_REQUEST_TIMEOUT); the server is sending it too slowly",
                    self.timeouts.total.as_secs()
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

impl Http {
    /// The status and whole body of `resp`, at most `MAX_ANSWER` bytes; a body cut short, too
    /// large or too slow is a network error naming `what`.
    pub async fn read_body(&self, resp: Response, what: &str) -> Result<(StatusCode, Vec<u8>)> {
        self.read_body_capped(resp, what, MAX_ANSWER).await
    }

    /// GET the page at `url` (redirects followed): where it ended, its status and its text.
    pub async fn get_page(&self, url: &url::Url) -> Result<(url::Url, StatusCode, String)> {
        let shown = display_url(url);
        let target = url.clone();
        let resp = self
            .send(&shown, Resend::Safe, |c| {
                c.get(target.clone()).header("Accept", "text/html")
            })
            .await?;
        let at = resp.url().clone();
        let (status, text) = self.read_text(resp, &shown).await?;
        Ok((at, status, text))
    }

    /// POST `fields` as a form to `url` (redirects followed): where it ended, its status and its
    /// text.
    pub async fn post_page(
        &self,
        url: &url::Url,
        fields: &[(String, String)],
        resend: Resend,
    ) -> Result<(url::Url, StatusCode, String)> {
        let shown = display_url(url);
        let target = url.clone();
        let resp = self
            .send(&shown, resend, |c| {
                c.post(target.clone())
                    .header("Accept", "text/html")
                    .form(fields)
            })
            .await?;
        let at = resp.url().clone();
        let (status, text) = self.read_text(resp, &shown).await?;
        Ok((at, status, text))
    }

    /// The status and the body as text (invalid UTF-8 replaced), at most `MAX_ANSWER` bytes.
    pub async fn read_text(&self, resp: Response, what: &str) -> Result<(StatusCode, String)> {
        let (status, body) = self.read_body(resp, what).await?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// `read_body` with a cap of `limit` bytes.
    pub async fn read_body_capped(
        &self,
        mut resp: Response,
        what: &str,
        limit: usize,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let status = resp.status();
        let started = resp.extensions().get::<Started>().copied();
        let too_large = || Error::Network {
            url: what.to_owned(),
            message: format!(
                "the answer is larger than {} MiB, more than any sign-in page or SAML response; this is not the IdP's login (check the URL)",
                limit >> 20
            ),
        };
        if resp
            .content_length()
            .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.network(what, &e, started))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
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

/// Refuse `url` when it is plain http to a host that is not loopback (127.0.0.0/8, [::1],
/// localhost; not 0.0.0.0 or [::], which no user configures): whatever it carries (a password, a
/// code, a session cookie, a stateHandle) would cross the network in clear text. `from` is the page
/// that pointed there, for the message.
pub fn refuse_plain_http(url: &url::Url, from: Option<&url::Url>) -> Result<()> {
    if url.scheme() != "http" || is_loopback(url) {
        return Ok(());
    }
    let pointed = match from {
        Some(f) => format!("{} pointed there; ", display_url(f)),
        None => String::new(),
    };
    Err(Error::Network {
        url: display_url(url),
        message: format!(
            "refused: plain http to a host that is not loopback would carry the login (password, code or session) in clear text; {pointed}aws-token only speaks https to remote hosts"
        ),
    })
}
