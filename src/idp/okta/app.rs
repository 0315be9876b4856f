//! Redeem the sessionToken at the AWS app's embed link and read the SAMLResponse from the auto-post
//! form Okta answers with. A page without one is explained (not assigned, step-up, access locked)
//! instead of waited on; a step-up page is answered once through the Authn API.

use super::{Ctx, authn};
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::saml::SamlResponse;
use crate::secret::Secret;

/// What the embed link answered.
enum Page {
    Saml(SamlResponse),
    StepUp(Secret<String>),
}

/// sessionToken -> SAMLResponse.
pub(super) async fn saml_response(
    ctx: &Ctx<'_>,
    session_token: Secret<String>,
) -> Result<SamlResponse> {
    match fetch(ctx, Some(&session_token)).await? {
        Page::Saml(s) => Ok(s),
        Page::StepUp(state_token) => {
            ctx.reporter
                .info("The AWS app asks for extra verification (step-up MFA)");
            let token = authn::step_up(ctx, &state_token).await?;
            match fetch(ctx, Some(&token)).await? {
                Page::Saml(s) => Ok(s),
                Page::StepUp(_) => Err(Error::NotAuthorized {
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
        Ok(Page::StepUp(_)) => Ok(None),
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
async fn fetch(ctx: &Ctx<'_>, session_token: Option<&Secret<String>>) -> Result<Page> {
    let _spinner = ctx.reporter.spinner("Opening the AWS app in Okta");
    let shown = display_url(&ctx.login.url);
    let mut url = ctx.login.url.clone();
    if let Some(token) = session_token {
        url.query_pairs_mut()
            .append_pair("sessionToken", token.expose());
    }
    let resp = ctx
        .http
        .send(&shown, Resend::Safe, |c| {
            c.get(url.clone()).header("Accept", "text/html")
        })
        .await?;
    let status = resp.status();
    let html = resp
        .text()
        .await
        .map_err(|e| crate::idp::http::body_error(&shown, &e))?;
    parse_page(&shown, status.as_u16(), &html)
}

/// Read the SAML form, or say why there is none.
fn parse_page(url: &str, status: u16, html: &str) -> Result<Page> {
    if let Some(saml) = saml_from_html(html) {
        return Ok(Page::Saml(saml));
    }
    if let Some(st) = step_up_token(html) {
        return Ok(Page::StepUp(st));
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

/// `var stateToken = '...'` (with `\x2D` for '-') on a step-up page.
fn step_up_token(html: &str) -> Option<Secret<String>> {
    let start = html.find("var stateToken = ")? + "var stateToken = ".len();
    let rest = &html[start..];
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = rest[1..].find(quote)?;
    let raw = rest[1..=end].replace("\\x2D", "-");
    (!raw.is_empty()).then(|| Secret::new(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saml_form_with_entities() {
        let html = r#"<html><body><form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST"><input name="SAMLResponse" type="hidden" value="PD94&#x2b;bWw&#x3d;"/><input name="RelayState" type="hidden" value=""/></form></body></html>"#;
        match parse_page("u", 200, html).unwrap() {
            Page::Saml(s) => assert_eq!(s.0.expose(), "PD94+bWw="),
            Page::StepUp(_) => panic!("not step-up"),
        }
    }

    #[test]
    fn step_up_page() {
        let html = "<script>var stateToken = '00abc\\x2Ddef';</script>";
        match parse_page("u", 200, html).unwrap() {
            Page::StepUp(s) => assert_eq!(s.expose(), "00abc-def"),
            Page::Saml(_) => panic!("not saml"),
        }
    }

    #[test]
    fn other_pages_are_explained() {
        let e = parse_page("u", 403, "<title>Error</title>").err().unwrap();
        assert_eq!(e.exit_code(), 4);
        assert!(e.to_string().contains("not assigned"));
        let e = parse_page("u", 200, "<p>App Access Locked</p>")
            .err()
            .unwrap();
        assert!(e.to_string().contains("App Access Locked"));
        let e = parse_page("u", 200, "<title>Sign In</title>")
            .err()
            .unwrap();
        assert!(e.to_string().contains("\"Sign In\""), "{e}");
    }
}
