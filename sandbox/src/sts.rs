//! A strict STS Query API: AssumeRoleWithSAML checks the assertion's signature, that the
//! RoleArn/PrincipalArn pair is in it, NotOnOrAfter, and DurationSeconds against the role's maximum;
//! AssumeRole and GetCallerIdentity need a SigV4 signature from credentials this STS issued.
//! Errors are STS's own XML with its codes.

use crate::data::StsFault;
use crate::{AppState, random_token, saml, sigv4};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::collections::HashMap;

/// Credentials this STS handed out.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    secret: String,
    token: String,
    expires: DateTime<Utc>,
    assumed_arn: String,
    account: String,
}

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"{NS}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            quick_xml::escape::escape(message),
            request_id()
        ),
    )
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

fn request_id() -> String {
    let t = random_token(32).to_lowercase();
    format!(
        "{}-{}-{}-{}-{}",
        &t[..8],
        &t[8..12],
        &t[12..16],
        &t[16..20],
        &t[20..32]
    )
}

fn validation(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "ValidationError", message)
}

/// POST /sts
pub(crate) async fn handle(
    State(s): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    match params.get("Action").map(String::as_str) {
        Some("AssumeRoleWithSAML") => {
            s.state().counts.assume_role_with_saml += 1;
            assume_role_with_saml(&s, &params)
        }
        Some(action @ ("AssumeRole" | "GetCallerIdentity")) => {
            let caller = match authenticate(&s, &method, &uri, &headers, &body) {
                Ok(c) => c,
                Err(r) => return r,
            };
            if action == "AssumeRole" {
                assume_role(&s, &params, &caller)
            } else {
                xml(
                    StatusCode::OK,
                    format!(
                        "<GetCallerIdentityResponse xmlns=\"{NS}\"><GetCallerIdentityResult><Arn>{}</Arn><UserId>AROA{}:{}</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                        caller.assumed_arn,
                        random_token(17).to_uppercase(),
                        caller.assumed_arn.rsplit('/').next().unwrap_or(""),
                        caller.account,
                        request_id()
                    ),
                )
            }
        }
        Some(other) => error(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            &format!("Could not find operation {other} for version 2011-06-15"),
        ),
        None => error(StatusCode::BAD_REQUEST, "MissingAction", "Missing Action"),
    }
}

fn duration(params: &HashMap<String, String>) -> Result<i64, Response> {
    let d = match params.get("DurationSeconds") {
        None => 3600,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| validation(&format!("Value '{v}' at 'durationSeconds' failed to satisfy constraint: Member must be a number")))?,
    };
    if !(900..=43200).contains(&d) {
        return Err(validation(&format!(
            "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"
        )));
    }
    Ok(d)
}

fn assume_role_with_saml(s: &crate::Shared, p: &HashMap<String, String>) -> Response {
    let (Some(role_arn), Some(principal_arn), Some(assertion)) = (
        p.get("RoleArn"),
        p.get("PrincipalArn"),
        p.get("SAMLAssertion"),
    ) else {
        return validation("RoleArn, PrincipalArn and SAMLAssertion are required");
    };
    for (name, arn) in [("roleArn", role_arn), ("principalArn", principal_arn)] {
        if !(20..=2048).contains(&arn.len()) {
            return validation(&format!(
                "Value at '{name}' failed to satisfy constraint: Member must have length between 20 and 2048"
            ));
        }
    }
    if !(4..=100_000).contains(&assertion.len()) {
        return validation(
            "Value at 'SAMLAssertion' failed to satisfy constraint: Member must have length between 4 and 100000",
        );
    }
    let requested = match duration(p) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let claims = match saml::verify_for(s, principal_arn, assertion) {
        Ok(c) => c,
        Err(saml::Refusal::BadSignature) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidIdentityToken",
                "Response signature invalid",
            );
        }
        Err(saml::Refusal::UnknownProvider) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidIdentityToken",
                "Issuer not present in specified provider",
            );
        }
        Err(saml::Refusal::Malformed(m)) => {
            return error(StatusCode::BAD_REQUEST, "InvalidIdentityToken", &m);
        }
    };
    if claims.not_on_or_after.is_none_or(|t| t <= Utc::now()) {
        return error(
            StatusCode::BAD_REQUEST,
            "ExpiredTokenException",
            "Token must be redeemed within 5 minutes of issuance",
        );
    }
    let denied = s
        .data
        .roles
        .get(role_arn.as_str())
        .is_some_and(|l| l.trust_denied);
    if denied
        || !claims
            .roles
            .iter()
            .any(|(r, pr)| r == role_arn && pr == principal_arn)
    {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithSAML",
        );
    }
    let max = s
        .data
        .roles
        .get(role_arn.as_str())
        .map_or(3600, |l| i64::from(l.max_session_duration));
    if requested > max {
        return validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        );
    }
    let seconds = claims
        .session_duration
        .map_or(requested, |d| requested.min(i64::from(d)));
    let session = claims
        .session_name
        .clone()
        .unwrap_or_else(|| "sandbox".into());
    let account = role_arn.split(':').nth(4).unwrap_or("").to_owned();
    let mut issued = issue(s, role_arn, &session, &account, seconds);
    let subject = claims.subject.unwrap_or_default();
    let mut credentials = credentials_xml(&issued.0, &issued.1);
    match s.data.faults.sts_answer {
        None => {}
        Some(StsFault::Html) => {
            return (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
            )
                .into_response();
        }
        Some(StsFault::Garbage) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/xml")],
                "\u{1}\u{2}garbage{{{",
            )
                .into_response();
        }
        Some(StsFault::TooLarge) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Some(StsFault::InjectedNewline) => {
            credentials = credentials.replace(
                &issued.0,
                &format!("{}\n[default]\naws_access_key_id = INJECTED", issued.0),
            );
        }
        Some(StsFault::NoSecret) => {
            credentials = credentials.replace(
                &format!("<SecretAccessKey>{}</SecretAccessKey>", issued.1.secret),
                "",
            );
        }
        Some(StsFault::Expired) => {
            issued.1.expires = Utc::now() - Duration::hours(1);
            credentials = credentials_xml(&issued.0, &issued.1);
        }
    }
    xml(
        StatusCode::OK,
        format!(
            "<AssumeRoleWithSAMLResponse xmlns=\"{NS}\"><AssumeRoleWithSAMLResult>{}<AssumedRoleUser><AssumedRoleId>AROA{}:{session}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize><Subject>{}</Subject><SubjectType>unspecified</SubjectType><Issuer>http://www.okta.com/sandbox</Issuer><Audience>https://signin.aws.amazon.com/saml</Audience><NameQualifier>sandbox=</NameQualifier></AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>",
            credentials,
            random_token(17).to_uppercase(),
            issued.1.assumed_arn,
            quick_xml::escape::escape(&subject),
            request_id()
        ),
    )
}

/// Record and return new credentials: (access key id, what is remembered of them).
fn issue(
    s: &crate::Shared,
    role_arn: &str,
    session: &str,
    account: &str,
    seconds: i64,
) -> (String, Issued) {
    let akid = format!("ASIA{}", random_token(16).to_uppercase());
    let role_name = role_arn.rsplit('/').next().unwrap_or("");
    let partition = role_arn.split(':').nth(1).unwrap_or("aws");
    let issued = Issued {
        secret: s.hand_out(random_token(40)),
        token: s.hand_out(format!("FQoGZXIvYXdzE{}", random_token(300))),
        expires: Utc::now()
            + Duration::seconds(s.data.faults.credential_lifetime_seconds.unwrap_or(seconds)),
        assumed_arn: format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/{session}"),
        account: account.to_owned(),
    };
    s.state().issued.insert(akid.clone(), issued.clone());
    (akid, issued)
}

/// The credentials with access key `akid` when they are ones this STS issued, with the right
/// secret and token, and not expired (the federation endpoint's check).
pub(crate) fn live_session(
    s: &crate::Shared,
    akid: &str,
    secret: &str,
    token: &str,
) -> Option<(String, String)> {
    let st = s.state();
    let i = st.issued.get(akid)?;
    (i.secret == secret && i.token == token && i.expires > Utc::now())
        .then(|| (i.assumed_arn.clone(), i.account.clone()))
}

fn credentials_xml(akid: &str, i: &Issued) -> String {
    format!(
        "<Credentials><AccessKeyId>{akid}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>",
        i.secret,
        i.token,
        i.expires.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

/// The caller of a signed request, if the signature is good and the credentials are ours and live.
fn authenticate(
    s: &crate::Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Issued, Response> {
    let Some(auth) = sigv4::parse(headers) else {
        return Err(error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let Some(issued) = s.state().issued.get(&auth.access_key_id).cloned() else {
        return Err(error(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
    };
    let token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(issued.token.as_str()) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
    }
    if !sigv4::verify(&auth, &issued.secret, method, uri, headers, body) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ));
    }
    if issued.expires <= Utc::now() {
        return Err(error(
            StatusCode::FORBIDDEN,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(issued)
}

fn assume_role(s: &crate::Shared, p: &HashMap<String, String>, caller: &Issued) -> Response {
    let (Some(role_arn), Some(session)) = (p.get("RoleArn"), p.get("RoleSessionName")) else {
        return validation("RoleArn and RoleSessionName are required");
    };
    if session.len() < 2
        || session.len() > 64
        || !session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        return validation(
            "Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        );
    }
    let requested = match duration(p) {
        Ok(d) => d,
        Err(r) => return r,
    };
    // Every AssumeRole made with role credentials is role chaining, limited to one hour.
    if requested > 3600 {
        return validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        );
    }
    if !s.data.roles.contains_key(role_arn.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                caller.assumed_arn
            ),
        );
    }
    let account = role_arn.split(':').nth(4).unwrap_or("").to_owned();
    let (akid, issued) = issue(s, role_arn, session, &account, requested);
    xml(
        StatusCode::OK,
        format!(
            "<AssumeRoleResponse xmlns=\"{NS}\"><AssumeRoleResult>{}<AssumedRoleUser><AssumedRoleId>AROA{}:{session}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></AssumeRoleResponse>",
            credentials_xml(&akid, &issued),
            random_token(17).to_uppercase(),
            issued.assumed_arn,
            request_id()
        ),
    )
}
