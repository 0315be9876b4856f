//! Redeem the sessionToken at the AWS app's embed link and read the SAMLResponse from the auto-post
//! form Okta answers with. A page without one is explained (not assigned, step-up, access locked)
//! instead of waited on; a step-up page is answered once through the Authn API.

use super::{Ctx, authn};
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::saml::SamlResponse;
use crate::secret::Secret;

/// What the embed link answered.
pub(super) enum Page {
    Saml(SamlResponse),
    /// A page that carries a stateToken: Classic's step-up, or an Identity Engine sign-in page.
    StateToken(Secret<String>),
    /// The sign-in page without a stateToken (a Classic org, no session).
    SignIn,
}

/// sessionToken (or the session a claims provider opened) -> SAMLResponse.
pub(super) async fn saml_response(
    ctx: &Ctx<'_>,
    signed_in: authn::SignedIn,
) -> Result<SamlResponse> {
    match fetch(ctx, signed_in.token()).await? {
        Page::Saml(s) => Ok(s),
        Page::SignIn => Err(Error::Protocol {
            url: display_url(&ctx.login.url),
            message: "Okta answered the sessionToken with its sign-in page; run aws-token again"
                .into(),
        }),
        Page::StateToken(state_token) => {
            ctx.reporter
                .info("The AWS app asks for extra verification (step-up MFA)");
            let signed_in = authn::step_up(ctx, &state_token).await?;
            match fetch(ctx, signed_in.token()).await? {
                Page::Saml(s) => Ok(s),
                Page::StateToken(_) | Page::SignIn => Err(Error::NotAuthorized {
                    message: format!(
                        "{} still asks for step-up authentication after MFA; sign in with provider \"okta-browser\"",
                        display_url(&ctx.login.url)
                    ),
                }),
            }
        }
    }
}

/// With a session kept from an earlier login (its cookies are in the jar): the SAMLResponse, or
/// `None` when Okta sends the browser to its sign-in page instead (the session has ended). A page
/// that says the user may not use the app is that error: signing in again would not change it.
pub(super) async fn with_kept_session(ctx: &Ctx<'_>) -> Result<Option<SamlResponse>> {
    match fetch(ctx, None).await {
        Ok(Page::Saml(s)) => Ok(Some(s)),
        Ok(Page::StateToken(_) | Page::SignIn) => Ok(None),
        Err(e @ Error::NotAuthorized { .. })
            if e.to_string().contains("not assigned")
                || e.to_string().contains("denies access") =>
        {
            Err(e)
        }
        Err(Error::NotAuthorized { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// GET the embed link, with a sessionToken to redeem, or with the session cookies alone.
pub(super) async fn fetch(ctx: &Ctx<'_>, session_token: Option<&Secret<String>>) -> Result<Page> {
    let mut url = ctx.login.url.clone();
    if let Some(token) = session_token {
        url.query_pairs_mut()
            .append_pair("sessionToken", token.expose());
    }
    open(ctx, &url).await
}

/// GET `url` (the embed link, or where a finished sign-in sends the browser) and read the page.
pub(super) async fn open(ctx: &Ctx<'_>, url: &url::Url) -> Result<Page> {
    let _spinner = ctx.reporter.spinner("Opening the AWS app in Okta");
    let shown = display_url(&ctx.login.url);
    let url = url.clone();
    let resp = ctx
        .http
        .send(&shown, Resend::Safe, |c| {
            c.get(url.clone()).header("Accept", "text/html")
        })
        .await?;
    let sign_in = resp.url().path().starts_with("/login/");
    let (status, html) = ctx.http.read_text(resp, &shown).await?;
    parse_page(&shown, status.as_u16(), &html, sign_in)
}

/// Read `html` as the embed link's answer, every way the flow does (the fuzz target's entry).
pub(crate) fn read_everything(html: &str) {
    for (status, sign_in) in [(200, true), (200, false), (404, false), (403, false)] {
        let _ = parse_page(
            "https://example.okta.com/home/amazon_aws/x/272",
            status,
            html,
            sign_in,
        );
    }
}

/// Read the SAML form, or say why there is none. `sign_in`: the page is Okta's sign-in page.
fn parse_page(url: &str, status: u16, html: &str, sign_in: bool) -> Result<Page> {
    if let Some(saml) = saml_from_html(html) {
        return Ok(Page::Saml(saml));
    }
    if let Some(st) = step_up_token(html) {
        return Ok(Page::StateToken(st));
    }
    if sign_in && status == 200 {
        return Ok(Page::SignIn);
    }
    let why = if html.contains("App Access Locked") {
        "Okta's policy denies access to this app (App Access Locked)".to_owned()
    } else if status == 404 {
        "the app was not found (HTTP 404): check idpEntryUrl in config.json".to_owned()
    } else if status == 403
        || html.contains("not assigned")
        || html.contains("not allowed to access")
    {
        format!(
            "you are not assigned to this AWS app (HTTP {status}): ask your Okta admin to assign it"
        )
    } else {
        format!(
            "the page (HTTP {status}{}) holds no SAMLResponse: you may not be assigned to the app, or idpEntryUrl is not an AWS app embed link",
            title(html)
                .map(|t| format!(", \"{t}\""))
                .unwrap_or_default()
        )
    };
    Err(Error::NotAuthorized {
        message: format!("{url}: {why}"),
    })
}

/// The value of `<input name="SAMLResponse">`, entities decoded by the HTML parser.
fn saml_from_html(html: &str) -> Option<SamlResponse> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"input[name="SAMLResponse"]"#).ok()?;
    let value = doc
        .select(&sel)
        .next()?
        .value()
        .attr("value")?
        .trim()
        .to_owned();
    (!value.is_empty()).then(|| SamlResponse(Secret::new(value)))
}

fn title(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("title").ok()?;
    let t = doc.select(&sel).next()?.text().collect::<String>();
    let t = t.trim();
    (!t.is_empty()).then(|| t.chars().take(80).collect())
}

/// The stateToken of a step-up or Identity Engine sign-in page: `var stateToken = '...'` or
/// `"stateToken":"..."`, with JavaScript's `\xHH` escapes (Okta writes `-` as `\x2D`) undone.
fn step_up_token(html: &str) -> Option<Secret<String>> {
    let (start, quote) = [("var stateToken = ", None), ("\"stateToken\":", Some('"'))]
        .iter()
        .find_map(|(marker, q)| html.find(marker).map(|i| (i + marker.len(), *q)))?;
    let rest = html[start..].trim_start();
    let quote = quote
        .or_else(|| rest.chars().next())
        .filter(|c| *c == '\'' || *c == '"')?;
    let body = rest.strip_prefix(quote)?;
    let end = body.find(quote)?;
    let raw = unescape_js(&body[..end]);
    (!raw.is_empty()).then(|| Secret::new(raw))
}

/// Undo `\xHH` and `\uHHHH` escapes (and `\\`, `\/`) of a JavaScript string literal.
fn unescape_js(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |n: usize, chars: &mut std::str::Chars<'_>| {
            let h: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match chars.next() {
            Some('x') => out.extend(hex(2, &mut chars)),
            Some('u') => out.extend(hex(4, &mut chars)),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saml_form_with_entities() {
        let html = r#"<html><body><form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST"><input name="SAMLResponse" type="hidden" value="PD94&#x2b;bWw&#x3d;"/><input name="RelayState" type="hidden" value=""/></form></body></html>"#;
        match parse_page("u", 200, html, false).unwrap() {
            Page::Saml(s) => assert_eq!(s.0.expose(), "PD94+bWw="),
            _ => panic!("not saml"),
        }
    }

    #[test]
    fn step_up_page() {
        let html = "<script>var stateToken = '00abc\\x2Ddef';</script>";
        match parse_page("u", 200, html, false).unwrap() {
            Page::StateToken(s) => assert_eq!(s.expose(), "00abc-def"),
            _ => panic!("not a state token"),
        }
        let json = r#"<script>var config = {"stateToken":"02.id\u002Dx\x2Dy", "x": 1};</script>"#;
        match parse_page("u", 200, json, true).unwrap() {
            Page::StateToken(s) => assert_eq!(s.expose(), "02.id-x-y"),
            _ => panic!("not a state token"),
        }
        assert!(matches!(
            parse_page("u", 200, "<title>Sign In</title>", true).unwrap(),
            Page::SignIn
        ));
    }

    #[test]
    fn other_pages_are_explained() {
        let e = parse_page("u", 403, "<title>Error</title>", false)
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 4);
        assert!(e.to_string().contains("not assigned"));
        let e = parse_page("u", 200, "<p>App Access Locked</p>", false)
            .err()
            .unwrap();
        assert!(e.to_string().contains("App Access Locked"));
        let e = parse_page("u", 200, "<title>Sign In</title>", false)
            .err()
            .unwrap();
        assert!(e.to_string().contains("\"Sign In\""), "{e}");
    }
}
