//! Every bad input gets one clear line (issue 10.4): a table of cases across config.json, flags,
//! file-system states, IdP answers, SAML and STS answers. Each must end with exactly one
//! `aws-token: error:` line naming the cause, the exit code of the README's table, and leave the
//! credentials file as it was.

use crate::support::*;
use aws_token_sandbox::data::{self, StsFault};
use base64::Engine;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What the credentials file holds before every case.
const KEEP: &str =
    "# mine\n[default]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = keep\n";

/// A server that answers every request with `response` (raw HTTP) and closes; `None` accepts and
/// never answers. Returns its base URL.
fn canned(response: Option<Vec<u8>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let response = response.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 1 << 16];
                let mut seen = Vec::new();
                // Read the head and the body the Content-Length announces.
                loop {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                    let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                match response {
                    Some(r) => {
                        let _ = s.write_all(&r);
                    }
                    None => while s.read(&mut buf).is_ok_and(|n| n > 0) {},
                }
            });
        }
    });
    url
}

fn http(status: &str, content_type: &str, body: &str) -> Option<Vec<u8>> {
    Some(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn sts_error(status: &str, code: &str, message: &str) -> Option<Vec<u8>> {
    http(
        status,
        "text/xml",
        &format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>c0ffee</RequestId></ErrorResponse>"
        ),
    )
}

/// A signed-looking SAML Response carrying `attributes` (base64, as the form posts it).
pub fn saml_with(attributes: &str) -> String {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml"><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:AttributeStatement>{attributes}</saml2:AttributeStatement></saml2:Assertion></saml2p:Response>"#
    );
    base64::engine::general_purpose::STANDARD.encode(xml)
}

pub fn role_attribute(value: &str) -> String {
    format!(
        r#"<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml2:AttributeValue>{value}</saml2:AttributeValue></saml2:Attribute>"#
    )
}

const GOOD_ROLE: &str =
    "arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/Admin";

/// One case: how to set the world up and run, what must come out.
struct Case {
    name: &'static str,
    faults: fn(&mut data::Faults),
    run: Box<dyn Fn(&World) -> Test>,
    code: i32,
    says: &'static str,
}

fn case(
    name: &'static str,
    code: i32,
    says: &'static str,
    run: impl Fn(&World) -> Test + 'static,
) -> Case {
    Case {
        name,
        faults: |_| {},
        run: Box::new(run),
        code,
        says,
    }
}

fn with_faults(mut c: Case, faults: fn(&mut data::Faults)) -> Case {
    c.faults = faults;
    c
}

fn login(w: &World) -> Test {
    w.login("nomfa@example.com").args(["--role", "Admin"])
}

fn with_config(w: &World, text: &str) -> Test {
    w.write_config(text);
    login(w)
}

fn special(w: &World, name: &str, kind: &[&str]) -> PathBuf {
    let p = w.home.path().join(name);
    let mut args = vec![p.to_str().unwrap().to_owned()];
    args.extend(kind.iter().map(|s| (*s).to_owned()));
    assert!(
        std::process::Command::new("mknod")
            .args(&args)
            .status()
            .unwrap()
            .success()
    );
    p
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        // config.json
        case("config missing", 2, "cannot read the config file", |w| {
            w.run_bare()
                .args(["--config", "/nonexistent/aws-token/config.json"])
                .args(["--username", "nomfa@example.com", "--role", "Admin"])
                .env("AWS_TOKEN_PASSWORD", PASSWORD)
        }),
        case("config empty", 2, "invalid config.json", |w| {
            with_config(w, "")
        }),
        case("config not JSON", 2, "invalid config.json", |w| {
            with_config(w, "{ \"accounts\": ")
        }),
        case("config an array", 2, "must be one JSON object", |w| {
            with_config(w, "[1, 2]")
        }),
        case("config a string", 2, "must be one JSON object", |w| {
            with_config(w, "\"x\"")
        }),
        case(
            "config unknown key",
            2,
            "unknown field `idpEntryURL`",
            |w| {
                with_config(
                    w,
                    &w.default_config()
                        .replace("\"idpEntryUrl\": \"http", "\"idpEntryURL\": \"http"),
                )
            },
        ),
        case("config not UTF-8", 2, "config", |w| {
            std::fs::write(w.config_path(), b"{\"region\": \"\xff\xfe\"}").unwrap();
            login(w)
        }),
        case("unknown account", 2, "nope", |w| {
            login(w).args(["--account", "nope"])
        }),
        case("no idpEntryUrl", 2, "idpEntryUrl", |_w| {
            let w = _w;
            with_config(
                w,
                r#"{"defaultAccount": "a", "accounts": {"a": "111111111111"}}"#,
            )
        }),
        case("http IdP URL", 2, "uses http://", |w| {
            with_config(
                w,
                r#"{"idpEntryUrl": "http://okta.example.com/home/amazon_aws/0oa1/272", "defaultAccount": "a", "accounts": {"a": "111111111111"}}"#,
            )
        }),
        case("IdP URL not a URL", 2, "is not a URL", |w| {
            with_config(
                w,
                r#"{"idpEntryUrl": "okta dot com", "defaultAccount": "a", "accounts": {"a": "111111111111"}}"#,
            )
        }),
        case(
            "unknown provider",
            2,
            "unknown provider \"saml2aws\"",
            |w| {
                with_config(
                    w,
                    &w.default_config()
                        .replace("\"provider\": \"okta\"", "\"provider\": \"saml2aws\""),
                )
            },
        ),
        case(
            "account object without number",
            2,
            "an account must be",
            |w| {
                with_config(
                    w,
                    &w.default_config().replace(
                        "\"development\": \"222222222222\"",
                        "\"development\": {\"idpEntryUrl\": \"https://x.example.com/\"}",
                    ),
                )
            },
        ),
        // flags
        case("bad --output", 2, "invalid value 'yaml'", |w| {
            login(w).args(["--output", "yaml"])
        }),
        case("duration not a number", 2, "invalid value 'soon'", |w| {
            login(w).args(["--durationSeconds", "soon"])
        }),
        case("duration too short", 2, "900", |w| {
            login(w).args(["--durationSeconds", "60"])
        }),
        case("unknown flag", 2, "unexpected argument '--passwd'", |w| {
            login(w).args(["--passwd", "x"])
        }),
        case("bad --mfa", 2, "invalid value 'pigeon'", |w| {
            login(w).args(["--mfa", "pigeon"])
        }),
        case("zero read timeout", 2, "--read-timeout", |w| {
            login(w).args(["--read-timeout", "0"])
        }),
        case("profile with a bracket", 2, "a]b", |w| {
            login(w).args(["--profile", "a]b"])
        }),
        case("--role without a value", 2, "--role", |w| {
            w.login("nomfa@example.com").arg("--role")
        }),
        case("no username, no terminal", 2, "--username", |w| {
            w.run().env("AWS_TOKEN_PASSWORD", PASSWORD)
        }),
        case("sts endpoint plain http", 2, "uses http://", |w| {
            login(w).env("AWS_ENDPOINT_URL_STS", "http://sts.example.com/")
        }),
        // the file system
        case("credentials a device", 7, "is a character device", |w| {
            let p = special(w, "dev", &["c", "1", "3"]);
            login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
        }),
        case("credentials a FIFO", 7, "is a named pipe (FIFO)", |w| {
            let p = special(w, "fifo", &["p"]);
            login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
        }),
        case("credentials a directory", 7, "is a directory", |w| {
            let p = w.home.path().join("creds-dir");
            std::fs::create_dir(&p).unwrap();
            login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
        }),
        case(
            "credentials a symlink loop",
            7,
            "too many levels of symbolic links",
            |w| {
                let (a, b) = (w.home.path().join("a"), w.home.path().join("b"));
                std::os::unix::fs::symlink(&b, &a).unwrap();
                std::os::unix::fs::symlink(&a, &b).unwrap();
                login(w).env("AWS_SHARED_CREDENTIALS_FILE", a)
            },
        ),
        case(
            "credentials read-only",
            7,
            "is read-only (mode 0444)",
            |w| {
                let p = w.home.path().join("ro");
                std::fs::write(&p, KEEP).unwrap();
                std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o444))
                    .unwrap();
                login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
            },
        ),
        case("credentials not UTF-8", 7, "is not UTF-8 text", |w| {
            let p = w.home.path().join("latin1");
            std::fs::write(&p, b"[default]\nname = caf\xe9\n").unwrap();
            login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
        }),
        case("credentials 50 MB", 7, "more than the 32 MiB", |w| {
            let p = w.home.path().join("huge");
            let f = std::fs::File::create(&p).unwrap();
            f.set_len(50 * 1024 * 1024).unwrap();
            login(w).env("AWS_SHARED_CREDENTIALS_FILE", p)
        }),
        case(
            "config file a directory",
            7,
            "config: is a directory",
            |w| {
                std::fs::create_dir_all(w.home.path().join(".aws/config")).unwrap();
                login(w)
            },
        ),
        case("config file a device", 7, "is a character device", |w| {
            let p = special(w, "cfgdev", &["c", "1", "3"]);
            login(w).env("AWS_CONFIG_FILE", p)
        }),
        case(
            "profile section twice",
            7,
            "has [default] more than once",
            |w| {
                let p = w.home.path().join("dup");
                std::fs::write(&p, "[default]\na = 1\n[default]\nb = 2\n").unwrap();
                login(w)
                    .args(["--profile", "default"])
                    .env("AWS_SHARED_CREDENTIALS_FILE", p)
            },
        ),
        // IdP answers
        case("IdP refuses connections", 6, "connection failed", |w| {
            let url = format!("http://127.0.0.1:{}", free_port());
            with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
        }),
        case("IdP never answers", 6, "no answer within 1 s", |w| {
            let url = canned(None);
            with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
                .args(["--read-timeout", "1"])
        }),
        case(
            "IdP 500",
            6,
            "server error 500 Internal Server Error",
            |w| {
                let url = canned(http("500 Internal Server Error", "text/html", "oops"));
                with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
            },
        ),
        case(
            "IdP 429 for long",
            6,
            "rate limited by the IdP (HTTP 429)",
            |w| {
                let url = canned(Some(
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            ));
                with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
            },
        ),
        case(
            "IdP malformed JSON",
            6,
            "not an Okta authentication transaction",
            |w| {
                let url = canned(http("200 OK", "application/json", "{\"status\": "));
                with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
            },
        ),
        case(
            "IdP HTML instead of JSON",
            6,
            "not an Okta authentication transaction",
            |w| {
                let url = canned(http("200 OK", "text/html", "<html>proxy login</html>"));
                with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
            },
        ),
        case("IdP closes at once", 6, "could not reach", |w| {
            let url = canned(Some(Vec::new()));
            with_config(w, &w.default_config().replace(&w.sandbox.url(), &url))
        }),
        with_faults(
            case(
                "embed page truncated",
                6,
                "reading the answer failed",
                login,
            ),
            |f| f.embed_truncated = true,
        ),
        case(
            "wrong password",
            3,
            "wrong username or password (E0000004)",
            |w| login(w).env("AWS_TOKEN_PASSWORD", "wrong"),
        ),
        case("locked out", 3, "locked", |w| {
            w.login("locked@example.com").args(["--role", "Admin"])
        }),
        case("password expired", 3, "expired", |w| {
            w.login("expired@example.com").args(["--role", "Admin"])
        }),
        case(
            "not assigned to the app",
            4,
            "not assigned to this AWS app",
            |w| w.login("unassigned@example.com").args(["--role", "Admin"]),
        ),
        case("unknown app", 4, "HTTP 404", |w| {
            with_config(
                w,
                &w.default_config().replace(DEMO_APP, "0oanosuchapp00000000"),
            )
        }),
        case(
            "role not in the assertion",
            4,
            "no role matches --role \"Root\"",
            |w| w.login("nomfa@example.com").args(["--role", "Root"]),
        ),
        // SAML
        with_faults(case("SAML not base64", 6, "is not base64", login), |f| {
            f.saml_response = Some("%%% not base64 %%%".into())
        }),
        with_faults(
            case("SAML not XML", 6, "not a SAML Response document", login),
            |f| {
                f.saml_response =
                    Some(base64::engine::general_purpose::STANDARD.encode("hello, not XML"))
            },
        ),
        with_faults(
            case("SAML other XML", 6, "not a SAML Response document", login),
            |f| {
                f.saml_response =
                    Some(base64::engine::general_purpose::STANDARD.encode("<html><body/></html>"))
            },
        ),
        with_faults(
            case("SAML broken XML", 6, "not well-formed XML", login),
            |f| {
                f.saml_response = Some(
                    base64::engine::general_purpose::STANDARD
                        .encode("<Response><a></b></Response>"),
                )
            },
        ),
        with_faults(case("SAML not UTF-8", 6, "not UTF-8", login), |f| {
            f.saml_response =
                Some(base64::engine::general_purpose::STANDARD.encode([0xff, 0xfe, 0x3c]))
        }),
        with_faults(
            case("SAML without a Role", 4, "grants no AWS role", login),
            |f| f.saml_response = Some(saml_with("")),
        ),
        with_faults(case("SAML bad role ARNs", 4, "not-an-arn", login), |f| {
            f.saml_response = Some(saml_with(&role_attribute("not-an-arn,also-not")))
        }),
        with_faults(
            case("SAML 20 MB", 6, "the answer is larger than 8 MiB", login),
            |f| {
                let pad = format!(
                    r#"<saml2:Attribute Name="pad"><saml2:AttributeValue>{}</saml2:AttributeValue></saml2:Attribute>"#,
                    "x".repeat(20 * 1024 * 1024)
                );
                f.saml_response = Some(saml_with(&(role_attribute(GOOD_ROLE) + &pad)))
            },
        ),
        with_faults(
            case("SAML 2 MB", 6, "STS accepts at most 100000", login),
            |f| {
                let pad = format!(
                    r#"<saml2:Attribute Name="pad"><saml2:AttributeValue>{}</saml2:AttributeValue></saml2:Attribute>"#,
                    "x".repeat(2 * 1024 * 1024)
                );
                f.saml_response = Some(saml_with(&(role_attribute(GOOD_ROLE) + &pad)))
            },
        ),
        with_faults(case("SAML entity expansion", 6, "entity", login), |f| {
            let xml = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:Attribute xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Name="https://aws.amazon.com/SAML/Attributes/Role"><saml2:AttributeValue>&c;</saml2:AttributeValue></saml2:Attribute></saml2p:Response>"#;
            f.saml_response = Some(base64::engine::general_purpose::STANDARD.encode(xml))
        }),
        with_faults(case("SAML external entity", 6, "entity", login), |f| {
            let xml = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:Attribute xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Name="https://aws.amazon.com/SAML/Attributes/Role"><saml2:AttributeValue>&x;</saml2:AttributeValue></saml2:Attribute></saml2p:Response>"#;
            f.saml_response = Some(base64::engine::general_purpose::STANDARD.encode(xml))
        }),
        // STS answers
        with_faults(case("STS garbage", 6, "not an STS response", login), |f| {
            f.sts_answer = Some(StsFault::Garbage)
        }),
        with_faults(
            case("STS HTML page", 6, "an HTML page titled", login),
            |f| f.sts_answer = Some(StsFault::Html),
        ),
        with_faults(
            case("STS 413", 6, "HTTP 413 Payload Too Large", login),
            |f| f.sts_answer = Some(StsFault::TooLarge),
        ),
        with_faults(
            case(
                "STS injected newline",
                6,
                "AccessKeyId holds characters",
                login,
            ),
            |f| f.sts_answer = Some(StsFault::InjectedNewline),
        ),
        with_faults(
            case("STS without secret", 6, "SecretAccessKey is missing", login),
            |f| f.sts_answer = Some(StsFault::NoSecret),
        ),
        with_faults(case("STS expired", 6, "expired already", login), |f| {
            f.sts_answer = Some(StsFault::Expired)
        }),
        case("STS refuses connections", 6, "Connection refused", |w| {
            login(w).env(
                "AWS_ENDPOINT_URL_STS",
                format!("http://127.0.0.1:{}/", free_port()),
            )
        }),
        case("STS never answers", 6, "got no answer within 2 s", |w| {
            login(w).env("AWS_ENDPOINT_URL_STS", canned(None)).args([
                "--read-timeout",
                "1",
                "--connect-timeout",
                "1",
            ])
        }),
    ];
    for (code, message) in [
        (
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithSAML",
        ),
        ("ExpiredTokenException", "Token is expired"),
        ("InvalidIdentityToken", "Invalid SAML response"),
        ("IDPRejectedClaim", "The IdP rejected the claim"),
        (
            "RegionDisabledException",
            "STS is not activated in this region",
        ),
        ("MalformedPolicyDocument", "The policy is malformed"),
    ] {
        let url = canned(sts_error("403 Forbidden", code, message));
        let says: &'static str = Box::leak(format!("{code}: {message}").into_boxed_str());
        v.push(case("STS error code", 5, says, move |w| {
            login(w).env("AWS_ENDPOINT_URL_STS", &url)
        }));
    }
    v
}

/// Every regular file under `dir` (aws-token's cache aside): its bytes and mode.
fn files_of(dir: &Path) -> std::collections::BTreeMap<PathBuf, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() && e.file_name() != ".cache" {
            out.extend(files_of(&path));
        } else if meta.is_file()
            && let Ok(bytes) = std::fs::read(&path)
        {
            out.insert(path, (bytes, meta.permissions().mode()));
        }
    }
    out
}

#[test]
fn every_bad_input_gets_one_clear_line_its_exit_code_and_an_untouched_file() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let mut d = data::demo();
        (c.faults)(&mut d.faults);
        let w = World::with_data(d);
        w.write_credentials(KEEP);
        // Set up (a case may write a file of its own and point AWS_SHARED_CREDENTIALS_FILE at it),
        // then every file in HOME is compared byte for byte, and by mode, after the run.
        let t = (c.run)(&w);
        let before = files_of(w.home.path());
        let r = t.output();
        let err = r.stderr();
        let error_lines: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("aws-token: error:") || l.starts_with("error:"))
            .collect();
        let mut problems = Vec::new();
        if r.code() != c.code {
            problems.push(format!("exit {} (want {})", r.code(), c.code));
        }
        if error_lines.len() != 1 {
            problems.push(format!("{} error lines", error_lines.len()));
        }
        if !err.contains(c.says) {
            problems.push(format!("no {:?}", c.says));
        }
        if w.credentials() != KEEP {
            problems.push("the credentials file changed".into());
        }
        let after = files_of(w.home.path());
        for (path, was) in &before {
            if after.get(path) != Some(was) {
                problems.push(format!("{} changed", path.display()));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {} -- stderr: {}",
                c.name,
                problems.join(", "),
                err.trim()
                    .replace('\n', " | ")
                    .chars()
                    .take(400)
                    .collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
