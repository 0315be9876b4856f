//! `aws-token console [-s SERVICE|PATH|URL] [--region R]`: sign in to the AWS console, made with
//! the federation endpoint of the credentials' partition (`getSigninToken` with the session
//! credentials, then `Action=login` with the destination). The URL signs whoever holds it in for 15
//! minutes, so it goes to one place only: the system's opener where a desktop is (or `--open`),
//! else stdout (or `--stdout`); never stderr, a log or an error message. `AWS_TOKEN_FEDERATION_URL`
//! replaces the endpoint.

use super::{Context, Online, cached_credentials, write_stdout};
use crate::error::{Error, Result};
use crate::idp::http::{Resend, display_url};
use crate::sts::Credentials;

/// Where the sign-in URL goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// The opener where a desktop is, else stdout.
    Default,
    /// The opener (`--open`).
    Open,
    /// stdout (`--stdout`).
    Print,
}

/// Open or print the console sign-in URL for `destination` in `region`.
pub fn run(
    ctx: &Context<'_>,
    destination: Option<&str>,
    region: Option<&str>,
    show: Show,
) -> Result<()> {
    if let Some(r) = region {
        check_region(r)?;
    }
    let (creds, profile_region) = cached_credentials(ctx)?;
    let region = region.unwrap_or(&profile_region);
    let partition = partition_of(&creds.assumed_role_arn);
    let target = console_destination(partition, region, destination)?;
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
        .append_pair("Destination", &target)
        .append_pair("SigninToken", &token);
    let opener = ctx.env.url_opener();
    let open = match show {
        Show::Print => false,
        Show::Open => true,
        Show::Default => opener.is_some(),
    };
    let landing = display_url(
        &url::Url::parse(&target)
            .map_err(|e| Error::Internal(format!("console destination: {e}")))?,
    );
    if !open {
        ctx.reporter.info(&format!(
            "AWS console sign-in URL for {landing} (valid for 15 minutes; it signs in whoever holds it):"
        ));
        return write_stdout(format!("{login}\n").as_bytes());
    }
    let opener = opener.unwrap_or(if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    });
    // The opener's own output could repeat the URL (xdg-open does, when it fails): it goes nowhere.
    let status = std::process::Command::new(opener)
        .arg(login.as_str())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::Usage(format!("cannot run {opener} to open the console: {e}; run with --stdout and open the printed URL")))?;
    if !status.success() {
        return Err(Error::Usage(format!(
            "{opener} could not open the console ({status}); run with --stdout and open the printed URL"
        )));
    }
    ctx.reporter.info(&format!(
        "The AWS console ({landing}) opened in your browser"
    ));
    Ok(())
}

/// A region name as AWS spells them (`eu-west-1`, `cn-north-1`, `us-gov-west-1`).
fn check_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--region {region:?} is no AWS region name (like eu-west-1)"
        )))
    }
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

/// The console's domain in `partition`.
fn console_domain(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "console.amazonaws.cn",
        "aws-us-gov" => "console.amazonaws-us-gov.com",
        _ => "console.aws.amazon.com",
    }
}

/// The console's host for `region` in `partition`.
fn console_host(partition: &str, region: &str) -> String {
    match partition {
        "aws-cn" | "aws-us-gov" => console_domain(partition).to_owned(),
        _ => format!("{region}.{}", console_domain(partition)),
    }
}

/// Services whose console path is not their name (aws-vault's and granted's shorthands among them).
const SERVICE_PATHS: &[(&str, &str)] = &[
    ("ddb", "dynamodbv2/home"),
    ("dynamodb", "dynamodbv2/home"),
    ("cfn", "cloudformation/home"),
    ("cw", "cloudwatch/home"),
    ("logs", "cloudwatch/home#logsV2:log-groups"),
    ("ecs", "ecs/v2/home"),
    ("route53", "route53/v2/home"),
    ("r53", "route53/v2/home"),
    ("sm", "secretsmanager/home"),
    ("ssm", "systems-manager/home"),
    ("vpc", "vpcconsole/home"),
    ("stepfunctions", "states/home"),
    ("sfn", "states/home"),
    ("eb", "elasticbeanstalk/home"),
    ("es", "aos/home"),
    ("opensearch", "aos/home"),
    ("sso", "singlesignon/home"),
    ("identitycenter", "singlesignon/home"),
];

/// The console URL to land on: the home page, a service's page (`ec2`), a console path
/// (`/ec2/home#Instances`), or a console URL of the credentials' partition. The region goes into
/// the query unless the destination names one.
fn console_destination(partition: &str, region: &str, wanted: Option<&str>) -> Result<String> {
    let host = console_host(partition, region);
    let domain = console_domain(partition);
    let with_region = |url: String| {
        if url.contains("region=") {
            return url;
        }
        let (base, fragment) = match url.split_once('#') {
            Some((b, f)) => (b.to_owned(), format!("#{f}")),
            None => (url.clone(), String::new()),
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}region={region}{fragment}")
    };
    let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(format!("https://{host}/console/home?region={region}"));
    };
    if wanted.contains("://") {
        let url = url::Url::parse(wanted)
            .map_err(|e| Error::Usage(format!("--service {wanted:?}: not a URL: {e}")))?;
        let ok_host = url.host_str().is_some_and(|h| {
            h.eq_ignore_ascii_case(domain)
                || h.to_ascii_lowercase().ends_with(&format!(".{domain}"))
        });
        if url.scheme() != "https" || !ok_host {
            return Err(Error::Usage(format!(
                "--service {}: a console URL must be https://…{domain} (these credentials are in partition {partition})",
                display_url(&url)
            )));
        }
        return Ok(with_region(url.to_string()));
    }
    if wanted.starts_with('/') {
        return Ok(with_region(format!("https://{host}{wanted}")));
    }
    let name = wanted.to_ascii_lowercase();
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::Usage(format!(
            "--service {wanted:?}: give a service name (ec2, s3, iam), a console path (/ec2/home) or a console URL"
        )));
    }
    let path = SERVICE_PATHS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| format!("{name}/home"), |(_, p)| (*p).to_owned());
    Ok(with_region(format!("https://{host}/{path}")))
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
        let d = |p, r, w| console_destination(p, r, w).unwrap();
        assert_eq!(
            d("aws", "eu-west-1", None),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            d("aws-us-gov", "us-gov-west-1", None),
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
        assert_eq!(
            d("aws-cn", "cn-north-1", Some("ec2")),
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
        );
    }

    #[test]
    fn destinations_are_services_paths_or_console_urls() {
        let d = |w| console_destination("aws", "eu-west-1", Some(w));
        assert_eq!(
            d("ec2").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
        );
        assert_eq!(
            d("DDB").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
        );
        assert_eq!(
            d("logs").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups"
        );
        assert_eq!(
            d("/ec2/home#Instances:").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"
        );
        assert_eq!(
            d("/lambda/home?region=us-east-2#/functions").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/lambda/home?region=us-east-2#/functions"
        );
        assert_eq!(
            d("https://us-east-1.console.aws.amazon.com/s3/buckets").unwrap(),
            "https://us-east-1.console.aws.amazon.com/s3/buckets?region=eu-west-1"
        );
        // Nothing but the partition's console.
        assert!(d("https://evil.example/console.aws.amazon.com").is_err());
        assert!(d("https://console.aws.amazon.com.evil.example/").is_err());
        assert!(d("http://us-east-1.console.aws.amazon.com/").is_err());
        assert!(
            console_destination(
                "aws-cn",
                "cn-north-1",
                Some("https://us-east-1.console.aws.amazon.com/")
            )
            .is_err()
        );
        assert!(d("ec2 home").is_err());
        assert!(check_region("eu-west-1").is_ok());
        assert!(check_region("eu west").is_err());
    }
}
