//! `aws-token console [--open]`: a sign-in URL for the AWS console, made with the federation
//! endpoint of the credentials' partition (`getSigninToken` with the session credentials, then
//! `Action=login`); printed on stdout (it signs whoever holds it in, for 15 minutes), or opened
//! with the system's opener. `AWS_TOKEN_FEDERATION_URL` replaces the endpoint.

use super::{Context, Online, cached_credentials, write_stdout};
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::sts::Credentials;

/// Print or open the console sign-in URL.
pub fn run(ctx: &Context<'_>, open: bool) -> Result<()> {
    let (creds, region) = cached_credentials(ctx)?;
    let partition = partition_of(&creds.assumed_role_arn);
    let federation = match ctx.env.var("AWS_TOKEN_FEDERATION_URL") {
        Some(u) => crate::config::check_url(u)
            .map_err(|m| Error::Usage(format!("AWS_TOKEN_FEDERATION_URL: {m}")))?,
        None => url::Url::parse(federation_endpoint(partition))
            .map_err(|e| Error::Internal(format!("federation endpoint: {e}")))?,
    };
    let online = Online::new(ctx)?;
    let token = signin_token(&online, &federation, &creds)?;
    let mut login = federation.clone();
    login
        .query_pairs_mut()
        .clear()
        .append_pair("Action", "login")
        .append_pair("Issuer", "aws-token")
        .append_pair("Destination", &console_url(partition, &region))
        .append_pair("SigninToken", &token);
    if open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let status = std::process::Command::new(opener)
            .arg(login.as_str())
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| Error::Usage(format!("cannot run {opener} to open the console: {e}; run without --open and open the printed URL")))?;
        if !status.success() {
            return Err(Error::Usage(format!(
                "{opener} could not open the console ({status}); run without --open and open the printed URL"
            )));
        }
        ctx.reporter
            .info("The AWS console sign-in opened in your browser");
        return Ok(());
    }
    ctx.reporter
        .info("AWS console sign-in URL (valid for 15 minutes; it signs in whoever holds it):");
    write_stdout(format!("{login}\n").as_bytes())
}

/// `arn:aws-cn:sts::...` -> `aws-cn`.
fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

fn federation_endpoint(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "https://signin.amazonaws.cn/federation",
        "aws-us-gov" => "https://signin.amazonaws-us-gov.com/federation",
        _ => "https://signin.aws.amazon.com/federation",
    }
}

fn console_url(partition: &str, region: &str) -> String {
    let host = match partition {
        "aws-cn" => "console.amazonaws.cn".to_owned(),
        "aws-us-gov" => "console.amazonaws-us-gov.com".to_owned(),
        _ => format!("{region}.console.aws.amazon.com"),
    };
    format!("https://{host}/console/home?region={region}")
}

/// `getSigninToken` with the session credentials (in the query: the URL is never shown).
fn signin_token(online: &Online, federation: &url::Url, creds: &Credentials) -> Result<String> {
    let session = serde_json::json!({
        "sessionId": creds.access_key_id.expose(),
        "sessionKey": creds.secret_access_key.expose(),
        "sessionToken": creds.session_token.expose(),
    })
    .to_string();
    let mut url = federation.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("Action", "getSigninToken")
        .append_pair("Session", &session);
    let shown = display_url(federation);
    let (http, runtime) = online.http();
    runtime.block_on(async {
        let resp = http
            .send(&shown, Resend::Safe, |c| c.get(url.clone()))
            .await?;
        let (status, body) = http.read_body(resp, &shown).await?;
        if !status.is_success() {
            return Err(Error::Sts {
                operation: "getSigninToken",
                role: "the console".into(),
                code: format!("HTTP {}", status.as_u16()),
                message: "the federation endpoint refused the session credentials".into(),
                hint: "; run again with --force for fresh credentials".into(),
            });
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(rename = "SigninToken")]
            signin_token: String,
        }
        serde_json::from_slice::<Answer>(&body)
            .map(|a| a.signin_token)
            .map_err(|_| Error::Protocol {
                url: shown.clone(),
                message: "the answer holds no SigninToken".into(),
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_partition() {
        assert_eq!(
            partition_of("arn:aws-us-gov:sts::1:assumed-role/A/b"),
            "aws-us-gov"
        );
        assert_eq!(
            federation_endpoint("aws-cn"),
            "https://signin.amazonaws.cn/federation"
        );
        assert_eq!(
            console_url("aws", "eu-west-1"),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            console_url("aws-us-gov", "us-gov-west-1"),
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
    }
}
