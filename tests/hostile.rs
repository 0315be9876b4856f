//! A hostile server for the security tests (issue 19): a plain-TCP HTTP/1.1 listener on loopback
//! that records every request and answers each as a test script says — canned bytes, a body that
//! trickles, or the sandbox's own answer (a proxy that keeps the Host header, so the sandbox's
//! links name the hostile origin and the client stays on it). One request per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// The header lines, lower-cased names, as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    raw: Vec<u8>,
}

impl Seen {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How to answer one request.
pub enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// A response head, then `chunk` every `every`, `count` times (a body that trickles).
    Trickle {
        head: Vec<u8>,
        chunk: Vec<u8>,
        every: Duration,
        count: usize,
    },
    /// Whatever the upstream (the sandbox) answers.
    Forward,
}

/// An answer with `status`, a content type and `body`.
pub fn reply(status: &str, content_type: &str, body: &str) -> Reply {
    Reply::Raw(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// A redirect with `status` (`"302 Found"`, `"307 Temporary Redirect"`) to `location`.
pub fn redirect(status: &str, location: &str) -> Reply {
    Reply::Raw(
        format!(
            "HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .into_bytes(),
    )
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A running hostile server.
pub struct Hostile {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    /// Listen on 127.0.0.1 (any port); `upstream` is where `Reply::Forward` goes.
    pub fn start(
        upstream: Option<String>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Hostile {
        Hostile::on("127.0.0.1:0", upstream, handler)
    }

    /// Listen on `bind`.
    pub fn on(
        bind: &str,
        upstream: Option<String>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Hostile {
        let listener = TcpListener::bind(bind).expect("bind the hostile server");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, handler, upstream) = (kept.clone(), handler.clone(), upstream.clone());
                std::thread::spawn(move || serve(stream, &seen, handler.as_ref(), upstream));
            }
        });
        Hostile { addr, seen }
    }

    /// A recording listener that answers 200 to everything (a place nothing should reach).
    pub fn recorder() -> Hostile {
        Hostile::start(None, |_| reply("200 OK", "text/plain", "recorded"))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Seen>>, handler: &Handler, upstream: Option<String>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Some(request) = read_request(&stream) else {
        return;
    };
    seen.lock().unwrap().push(request.clone());
    let mut out = stream;
    match handler(&request) {
        Reply::Raw(bytes) => {
            let _ = out.write_all(&bytes);
        }
        Reply::Trickle {
            head,
            chunk,
            every,
            count,
        } => {
            let _ = out.write_all(&head);
            for _ in 0..count {
                if out.write_all(&chunk).and_then(|()| out.flush()).is_err() {
                    break;
                }
                std::thread::sleep(every);
            }
        }
        Reply::Forward => {
            let Some(up) = upstream else { return };
            let Ok(mut conn) = TcpStream::connect(up.trim_start_matches("http://")) else {
                return;
            };
            let _ = conn.write_all(&request.raw);
            let mut answer = Vec::new();
            let _ = conn.read_to_end(&mut answer);
            let _ = out.write_all(&answer);
        }
    }
    let _ = out.flush();
}

/// Read one request; its raw form is rewritten to `Connection: close` for forwarding.
fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    let mut raw = line.clone().into_bytes();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let t = h.trim_end();
        if t.is_empty() {
            break;
        }
        if let Some((n, v)) = t.split_once(':') {
            let n = n.trim().to_ascii_lowercase();
            if n != "connection" {
                raw.extend_from_slice(h.as_bytes());
            }
            headers.push((n, v.trim().to_owned()));
        }
    }
    raw.extend_from_slice(b"Connection: close\r\n\r\n");
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    raw.extend_from_slice(&body);
    Some(Seen {
        method,
        target,
        headers,
        body,
        raw,
    })
}
