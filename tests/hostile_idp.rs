//! What a hostile or misconfigured IdP or STS can make aws-token send or hang on (issue 19, points
//! 1-3): plain http to a host that is not loopback, 307/308 that would re-post a body to another
//! origin, cookies across origins, answers that trickle or never end, answers too large to hold.
//! Each test is named after the defect it guards against. The "remote" hosts are 0.0.0.0 and [::],
//! which Linux delivers to a recording listener on loopback: if a refusal broke, the recorder would
//! see the request, and nothing leaves the machine either way.

use crate::hostile::{Hostile, Reply, redirect, reply};
use crate::support::*;
use aws_token_sandbox::data;
use std::time::{Duration, Instant};

/// A form-provider config whose entry URL is `entry`, with the sandbox's STS.
fn form_config(w: &World, entry: &str) {
    w.write_config(&format!(
        r#"{{"provider": "form", "region": "us-east-1", "idpEntryUrl": "{entry}",
            "defaultAccount": "staging", "accounts": {{"staging": "111111111111"}}}}"#
    ));
}

/// An Okta config at `entry`, the pipeline forced to `pipeline`.
fn okta_config(w: &World, entry: &str, pipeline: &str) {
    w.write_config(&format!(
        r#"{{"provider": "okta", "oktaPipeline": "{pipeline}", "region": "us-east-1", "idpEntryUrl": "{entry}",
            "defaultAccount": "staging", "accounts": {{"staging": "111111111111"}}}}"#
    ));
}

fn login_page(action: &str) -> String {
    format!(
        r#"<html><body><form method="post" action="{action}"><input name="username"><input type="password" name="password"><button>Sign in</button></form></body></html>"#
    )
}

/// An IdP at 127.0.0.1 whose login form posts to `action`; the run must be refused (exit 6) naming
/// the URL and the page, and the recorder must see nothing.
fn form_posting_to(action_of: impl Fn(u16) -> String, recorder: Hostile) {
    let action = action_of(recorder.port());
    let page = login_page(&action);
    let idp = Hostile::start(None, move |_| reply("200 OK", "text/html", &page));
    let w = World::new();
    form_config(&w, &format!("{}/login", idp.url()));
    let r = w.login("nomfa@example.com").expect(6);
    r.stderr_has(&action)
        .stderr_has(&format!("{}/login pointed there", idp.url()))
        .stderr_has("clear text");
    assert!(recorder.seen().is_empty(), "the password went to {action}");
    assert!(!r.stderr().contains(PASSWORD));
}

#[test]
fn a_login_form_posting_to_plain_http_at_0_0_0_0_never_gets_the_password() {
    form_posting_to(
        |port| format!("http://0.0.0.0:{port}/login"),
        Hostile::recorder(),
    );
}

#[test]
fn a_login_form_posting_to_plain_http_at_ipv6_any_never_gets_the_password() {
    let recorder = Hostile::on("[::1]:0", None, |_| reply("200 OK", "text/plain", "x"));
    form_posting_to(|port| format!("http://[::]:{port}/login"), recorder);
}

#[test]
fn an_auto_posting_form_to_plain_http_is_refused() {
    let recorder = Hostile::recorder();
    let action = format!("http://0.0.0.0:{}/next", recorder.port());
    let page = format!(
        r#"<form method="post" action="{action}"><input type="hidden" name="RelayState" value="state"></form>"#
    );
    let idp = Hostile::start(None, move |_| reply("200 OK", "text/html", &page));
    let w = World::new();
    form_config(&w, &format!("{}/start", idp.url()));
    w.login("nomfa@example.com").expect(6).stderr_has(&action);
    assert!(recorder.seen().is_empty());
}

#[test]
fn a_redirect_to_plain_http_is_refused_and_names_the_page_that_sent_it() {
    let recorder = Hostile::recorder();
    let to = format!("http://0.0.0.0:{}/x", recorder.port());
    let target = to.clone();
    let idp = Hostile::start(None, move |_| redirect("302 Found", &target));
    let w = World::new();
    form_config(&w, &format!("{}/start", idp.url()));
    w.login("nomfa@example.com")
        .expect(6)
        .stderr_has(&to)
        .stderr_has(&format!("{}/start pointed there", idp.url()));
    assert!(recorder.seen().is_empty());
}

/// A hostile front of the sandbox that answers `path`'s POST with a 307 to the recorder's origin
/// (`localhost`, another origin than 127.0.0.1) and forwards everything else.
fn redirecting_post(w: &World, path: &'static str, recorder: &Hostile) -> Hostile {
    let to = format!("http://localhost:{}{path}", recorder.port());
    Hostile::start(Some(w.sandbox.url()), move |seen| {
        if seen.method == "POST" && seen.path() == path {
            redirect("307 Temporary Redirect", &to)
        } else {
            Reply::Forward
        }
    })
}

#[test]
fn a_307_from_classic_authn_does_not_repost_the_password_to_another_origin() {
    let w = World::new();
    let recorder = Hostile::recorder();
    let front = redirecting_post(&w, "/api/v1/authn", &recorder);
    okta_config(
        &w,
        &format!("{}/home/amazon_aws/{DEMO_APP}/272", front.url()),
        "v1",
    );
    w.login("nomfa@example.com")
        .expect(6)
        .stderr_has("redirect to another origin");
    assert!(recorder.seen().is_empty(), "the password was re-posted");
}

#[test]
fn a_307_from_idx_identify_does_not_repost_the_state_handle_to_another_origin() {
    let mut d = data::demo();
    d.identity_engine = true;
    let w = World::with_data(d);
    let recorder = Hostile::recorder();
    let front = redirecting_post(&w, "/idp/idx/identify", &recorder);
    okta_config(
        &w,
        &format!("{}/home/amazon_aws/{DEMO_APP}/272", front.url()),
        "idx",
    );
    w.login("nomfa@example.com")
        .expect(6)
        .stderr_has("redirect to another origin");
    assert!(recorder.seen().is_empty(), "the stateHandle was re-posted");
    // The walk got that far through the front: the 307 is what stopped it.
    assert!(front.seen().iter().any(|s| s.path() == "/idp/idx/identify"));
}

#[test]
fn a_307_from_sts_does_not_resend_the_assertion_to_another_origin() {
    let w = World::new();
    let recorder = Hostile::recorder();
    let to = format!("http://localhost:{}/sts", recorder.port());
    let sts = Hostile::start(None, move |_| redirect("307 Temporary Redirect", &to));
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .expect(6)
        .stderr_has("redirect to another origin");
    assert!(recorder.seen().is_empty(), "the assertion was re-sent");
    let seen = sts.seen();
    assert_eq!(seen.len(), 1, "sent once, not retried");
    assert!(seen[0].body_text().contains("SAMLAssertion="));
}

#[test]
fn a_cross_origin_redirect_of_a_get_is_followed_without_the_first_origins_cookies() {
    // 127.0.0.1 sets a session cookie, then sends the browser to localhost (another origin) with
    // a 302 and a 307; the pages there get no cookie of 127.0.0.1.
    let end = Hostile::start(None, |_| {
        reply("200 OK", "text/html", "<p>nothing to fill in here</p>")
    });
    let hop_to = format!("http://localhost:{}/end", end.port());
    let hop = Hostile::start(None, move |_| redirect("307 Temporary Redirect", &hop_to));
    let first_to = format!("http://localhost:{}/hop", hop.port());
    let idp = Hostile::start(None, move |_| {
        Reply::Raw(
            format!(
                "HTTP/1.1 302 Found\r\nSet-Cookie: IDPSESSION=s3cr3t-cookie; Path=/\r\nLocation: {first_to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes(),
        )
    });
    let w = World::new();
    form_config(&w, &format!("{}/start", idp.url()));
    // The last page has no form: exit 4, after both redirects were followed.
    w.login("nomfa@example.com").expect(4);
    for s in hop.seen().iter().chain(end.seen().iter()) {
        assert_eq!(s.method, "GET");
        assert!(
            s.header("cookie").is_none_or(|c| !c.contains("s3cr3t")),
            "a cookie of 127.0.0.1 crossed to localhost: {s:?}"
        );
    }
    assert_eq!(end.seen().len(), 1, "the 307 of a GET is followed");
}

#[test]
fn an_answer_that_trickles_is_given_up_at_the_request_deadline() {
    let idp = Hostile::start(None, |_| Reply::Trickle {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>"
            .to_vec(),
        chunk: b"<p>".to_vec(),
        every: Duration::from_millis(500),
        count: 1000,
    });
    let w = World::new();
    form_config(&w, &format!("{}/login", idp.url()));
    let start = Instant::now();
    w.login("nomfa@example.com")
        .args(["--request-timeout", "2", "--read-timeout", "5"])
        .expect(6)
        .stderr_has("not complete within 2 s (--request-timeout");
    // Each read came within the read timeout; only the deadline ends it (margin for a loaded CI).
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn an_answer_larger_than_any_sign_in_page_is_refused() {
    // Announced: refused before it is read.
    let idp = Hostile::start(None, |_| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 209715200\r\nConnection: close\r\n\r\n<html>"
                .to_vec(),
        )
    });
    let w = World::new();
    form_config(&w, &format!("{}/login", idp.url()));
    w.login("nomfa@example.com")
        .expect(6)
        .stderr_has("larger than 8 MiB");
    // Not announced: read until the cap, then refused.
    let idp = Hostile::start(None, |_| Reply::Trickle {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n".to_vec(),
        chunk: vec![b'a'; 1 << 20],
        every: Duration::ZERO,
        count: 200,
    });
    form_config(&w, &format!("{}/login", idp.url()));
    w.login("nomfa@example.com")
        .expect(6)
        .stderr_has("larger than 8 MiB");
}

#[test]
fn an_sts_answer_larger_than_any_sts_answer_is_refused() {
    let w = World::new();
    let sts = Hostile::start(None, |_| Reply::Trickle {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n".to_vec(),
        chunk: vec![b' '; 1 << 20],
        every: Duration::ZERO,
        count: 50,
    });
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .expect(6)
        .stderr_has("larger than 1 MiB");
}

#[test]
fn a_page_in_chromium_posting_to_plain_http_is_stopped_before_it_is_sent() {
    crate::browser::chromium();
    let recorder = Hostile::recorder();
    let action = format!("http://0.0.0.0:{}/login", recorder.port());
    let page = format!(
        r#"<html><body><form method="post" action="{action}"><input name="username" value="nomfa@example.com"><input type="password" name="password" value="{PASSWORD}"></form><script>document.forms[0].submit()</script></body></html>"#
    );
    let idp = Hostile::start(None, move |_| reply("200 OK", "text/html", &page));
    let w = World::new();
    w.write_config(&format!(
        r#"{{"provider": "okta-browser", "region": "us-east-1", "idpEntryUrl": "{}/home/amazon_aws/x/272",
            "defaultAccount": "staging", "accounts": {{"staging": "111111111111"}}}}"#,
        idp.url()
    ));
    crate::browser::headless(&w, w.login("nomfa@example.com"))
        .args(["--browser-timeout", "20"])
        .expect(6)
        .stderr_has(&action)
        .stderr_has("clear text");
    assert!(
        recorder.seen().is_empty(),
        "Chromium sent the form to {action}"
    );
}

/// The demo sandbox with nomfa@example.com granted `roles` (names in account 111111111111) in the
/// demo app, besides Admin.
fn world_with_roles(roles: &[String]) -> World {
    let mut d = data::demo();
    let user = d
        .users
        .iter_mut()
        .find(|u| u.login == "nomfa@example.com")
        .unwrap();
    let granted = user.apps.get_mut(DEMO_APP).unwrap();
    granted.retain(|r| r.ends_with("role/Admin"));
    granted.extend(
        roles
            .iter()
            .map(|r| format!("arn:aws:iam::111111111111:role/{r}")),
    );
    World::with_data(d)
}

#[test]
fn a_role_name_with_escape_sequences_never_reaches_the_terminal_raw() {
    let w = world_with_roles(&["Evil\u{1b}]0;pwned\u{7}\u{1b}[2J".into()]);
    // Not an IAM name: skipped when the assertion is read, and named in printable form.
    let r = w.login("nomfa@example.com").arg("roles").expect(0);
    assert!(!r.stdout().contains("Evil"), "{:?}", r.stdout());
    assert!(!r.stderr().contains('\u{1b}'), "{:?}", r.stderr());
    r.stderr_has("skipped")
        .stderr_has("Evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J");
    // In an error (the choices of a --role that matches nothing) and in --verbose lines.
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Nothing", "--verbose"])
        .expect(4);
    assert!(!r.stderr().contains('\u{1b}'), "{:?}", r.stderr());
    r.stderr_has("Evil\\u{1b}]0;pwned");
}

#[test]
fn all_refuses_a_profile_name_that_would_add_a_section() {
    let w = world_with_roles(&["x]\n[default".into()]);
    w.write_credentials("[default]\naws_access_key_id = AKIAKEEP\n");
    // Not an IAM role ARN: skipped when the assertion is read; the good roles are written.
    let r = w.login("nomfa@example.com").arg("--all").expect(0);
    r.stderr_has("skipped").stderr_has("x]\\u{a}[default");
    let creds = w.credentials();
    assert_eq!(creds.matches("[default]").count(), 1, "{creds}");
    assert!(creds.contains("[staging-Admin]"), "{creds}");
    // botocore still reads the file.
    botocore_reads(&w, &["staging-Admin"]);
}

#[test]
fn all_makes_at_most_sixteen_sts_calls_at_once() {
    let names: Vec<String> = (0..200).map(|i| format!("Role{i:03}")).collect();
    let w = world_with_roles(&names);
    let now = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (n, m) = (now.clone(), most.clone());
    let sts = Hostile::start(Some(w.sandbox.url()), move |_| {
        use std::sync::atomic::Ordering::SeqCst;
        let at_once = n.fetch_add(1, SeqCst) + 1;
        m.fetch_max(at_once, SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        n.fetch_sub(1, SeqCst);
        Reply::Forward
    });
    w.login("nomfa@example.com")
        .arg("--all")
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", sts.url()))
        .expect(0)
        .stderr_has("201 profiles written");
    let most = most.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=16).contains(&most), "{most} STS calls at once");
    assert_eq!(sts.seen().len(), 201);
}

/// A SAML form (auto-posting) that posts `saml` to `action`.
fn saml_form(action: &str, saml: &str) -> String {
    format!(
        r#"<html><body onload="document.forms[0].submit()"><form method="post" action="{action}"><input type="hidden" name="SAMLResponse" value="{saml}"><input type="hidden" name="RelayState" value=""></form></body></html>"#
    )
}

/// A broker (Keycloak's shape) in front of the sandbox's form IdP: its entry page carries an
/// upstream IdP's SAML response addressed to the broker's `/broker/upstream/endpoint`; that
/// endpoint answers with `after`.
fn broker(after: impl Fn() -> Reply + Send + Sync + 'static) -> Hostile {
    Hostile::start(None, move |seen| {
        if seen.path() == "/broker/upstream/endpoint" {
            return after();
        }
        let host = seen.header("host").unwrap_or_default().to_owned();
        reply(
            "200 OK",
            "text/html",
            &saml_form(
                &format!("http://{host}/broker/upstream/endpoint"),
                "UHJvb2YgZnJvbSB0aGUgdXBzdHJlYW0gSWRQ",
            ),
        )
    })
}

#[test]
fn a_brokered_login_posts_the_upstream_response_to_the_broker_and_goes_on_to_aws() {
    let w = World::new();
    let to_login = w.sandbox.form_login(DEMO_APP);
    let front = broker(move || redirect("302 Found", &to_login));
    form_config(
        &w,
        &format!("{}/realms/corp/protocol/saml/clients/aws", front.url()),
    );
    w.login("nomfa@example.com")
        .args(["--role", "Admin", "--verbose"])
        .expect(0)
        .stderr_has("goes to 127.0.0.1, not AWS: posting it there (a brokered login)");
    let posted: Vec<_> = front
        .seen()
        .into_iter()
        .filter(|s| s.path() == "/broker/upstream/endpoint")
        .collect();
    assert_eq!(posted.len(), 1);
    assert!(posted[0].body_text().contains("SAMLResponse=UHJvb2Yg"));
}

#[test]
fn a_saml_response_that_ends_at_a_service_that_is_not_aws_is_named() {
    let w = World::new();
    let front = broker(|| reply("200 OK", "text/html", "<h1>Welcome to the wiki</h1>"));
    form_config(&w, &format!("{}/idp/sso", front.url()));
    w.login("nomfa@example.com")
        .expect(4)
        .stderr_has("the IdP's SAML response goes to 127.0.0.1, which is not AWS");
}

/// An IdP whose login form, once posted, comes back with `error_html` beside it.
fn refusing_idp(error_html: &'static str) -> Hostile {
    Hostile::start(None, move |seen| {
        let form = login_page("/login");
        if seen.method == "POST" {
            reply(
                "200 OK",
                "text/html",
                &form.replace("<body>", &format!("<body>{error_html}")),
            )
        } else {
            reply("200 OK", "text/html", &form)
        }
    })
}

#[test]
fn the_idps_own_words_are_shown_for_django_simplesamlphp_and_plain_pages() {
    for (html, words) in [
        (
            r#"<ul class="errorlist nonfield"><li>Please enter a correct username and password. Note that both fields may be case-sensitive.</li></ul>"#,
            "Please enter a correct username and password.",
        ),
        (
            r#"<div style="border-left: 1px solid #e8e8e8"><img src="/simplesaml/resources/icons/experience/gtk-dialog-error.48x48.png" class="float-l erroricon" alt=""><h2>Incorrect username or password</h2></div>"#,
            "Incorrect username or password",
        ),
        (
            r#"<p>The username or password you entered is incorrect.</p>"#,
            "The username or password you entered is incorrect.",
        ),
    ] {
        let idp = refusing_idp(html);
        let w = World::new();
        form_config(&w, &format!("{}/login", idp.url()));
        w.login("nomfa@example.com")
            .expect(3)
            .stderr_has(&format!("the IdP says: {words}"));
    }
}

#[test]
fn a_consent_page_is_named_and_never_answered() {
    let idp = Hostile::start(None, |seen| {
        if seen.method == "POST" {
            reply("200 OK", "text/html", "accepted")
        } else {
            reply(
                "200 OK",
                "text/html",
                r#"<h3>Do you grant these access privileges?</h3><form method="post" action="/consent"><input type="hidden" name="code" value="c"><input type="submit" name="accept" value="Yes"><input type="submit" name="cancel" value="No"></form>"#,
            )
        }
    });
    let w = World::new();
    form_config(&w, &format!("{}/start", idp.url()));
    w.login("nomfa@example.com")
        .expect(4)
        .stderr_has("the IdP asks for consent");
    assert!(
        idp.seen().iter().all(|s| s.method == "GET"),
        "consent was answered"
    );
}

#[test]
fn a_proxy_in_the_environment_never_sees_a_loopback_request() {
    let proxy = Hostile::recorder();
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("HTTP_PROXY", proxy.url())
        .env("https_proxy", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .expect(0);
    assert!(
        proxy.seen().is_empty(),
        "{} requests went to the proxy",
        proxy.seen().len()
    );
}

#[test]
fn a_proxy_in_the_environment_is_still_used_for_a_remote_host() {
    let proxy = Hostile::recorder();
    let w = World::new();
    // 0.0.0.0 is not loopback to aws-token (nobody configures it): a remote host here.
    form_config(&w, "https://0.0.0.0:9/login");
    w.login("nomfa@example.com")
        .env("HTTPS_PROXY", proxy.url())
        .expect(6);
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    for s in &seen {
        assert_eq!(
            (s.method.as_str(), s.target.as_str()),
            ("CONNECT", "0.0.0.0:9")
        );
    }
}
