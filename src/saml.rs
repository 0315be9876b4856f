//! The SAMLResponse: base64 decoding and XML parsing (quick-xml) into the AWS roles it grants, the
//! session duration and name, and the ACS URL that tells the partition and default region. Pure
//! functions only; the assertion itself stays a `Secret`.

use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine;
use quick_xml::events::Event;

const ROLE_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_NAME_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const DURATION_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/// The longest SAMLAssertion AssumeRoleWithSAML takes (its API's length constraint): a longer one
/// is refused before it is decoded or parsed, so no IdP can make aws-token parse megabytes.
pub const MAX_ASSERTION: usize = 100_000;

/// Where a SAML response for AWS is posted (every partition's sign-in endpoint), as URL patterns
/// (Chromium's Fetch patterns use them); `is_aws_sign_in` is the same rule for a URL.
pub const AWS_SIGN_IN_PATTERNS: &[&str] = &[
    "https://signin.aws.amazon.com/saml*",
    "https://*.signin.aws.amazon.com/saml*",
    "https://signin.amazonaws.cn/saml*",
    "https://signin.amazonaws-us-gov.com/saml*",
];

/// Whether `url` is an AWS sign-in endpoint that takes a SAML response (`AWS_SIGN_IN_PATTERNS`).
pub fn is_aws_sign_in(url: &url::Url) -> bool {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    url.scheme() == "https"
        && url.path().starts_with("/saml")
        && (matches!(
            host.as_str(),
            "signin.aws.amazon.com" | "signin.amazonaws.cn" | "signin.amazonaws-us-gov.com"
        ) || host
            .strip_suffix(".signin.aws.amazon.com")
            .is_some_and(is_region_label))
}

/// Whether `label` can be an AWS region name (`eu-west-1`): lower-case letters, digits and dashes.
/// Anything else in a Destination's host is not taken as a region (it would reach the SDK's
/// endpoint resolver and `serve`'s export lines).
pub fn is_region_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 32
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The base64 SAMLResponse exactly as the IdP posted it.
#[derive(Debug, Clone)]
pub struct SamlResponse(pub Secret<String>);

/// One role the assertion grants: a role ARN and the SAML provider ARN to present with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AwsRole {
    pub role_arn: String,
    pub principal_arn: String,
    pub partition: String,
    pub account_id: String,
    /// The last path segment of the role ARN: what `--role` matches.
    pub name: String,
}

impl AwsRole {
    /// "name (account)", as listed to the user.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.account_id)
    }
}

/// An AWS partition and its default region, derived from the ACS URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    pub default_region: String,
}

/// What aws-token needs from a parsed assertion.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub roles: Vec<AwsRole>,
    pub session_duration: Option<i32>,
    pub session_name: Option<String>,
    /// `Response@Destination`, else `SubjectConfirmationData@Recipient`.
    pub destination: Option<String>,
    /// The raw base64 to send to STS.
    pub raw: SamlResponse,
    /// Role attribute values left out because they are not IAM ARNs, each as the reason in
    /// printable form (said as a warning; never written anywhere).
    pub skipped: Vec<String>,
}

impl Assertion {
    /// Decode and parse a SAMLResponse.
    pub fn parse(response: &SamlResponse) -> Result<Assertion> {
        let length = response.0.expose().len();
        if length > MAX_ASSERTION {
            return Err(bad(format!(
                "it is {length} characters and STS accepts at most {MAX_ASSERTION}: the IdP sends too many roles or attributes; ask your IdP admin to trim what the AWS app sends"
            )));
        }
        let compact: String = response
            .0
            .expose()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let xml = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| bad(format!("SAMLResponse is not base64: {e}")))?;
        let xml = Secret::new(
            String::from_utf8(xml).map_err(|_| bad("SAMLResponse is not UTF-8 XML".into()))?,
        );
        let fields = scan(xml.expose())?;
        if !fields.is_response {
            return Err(bad(
                "the SAMLResponse the IdP sent is not a SAML Response document (no <Response> element); the IdP or a proxy answered with something else"
                    .into(),
            ));
        }
        // Duplicates dropped in one pass (a Vec::contains per role was quadratic).
        // A value that is not a pair of IAM ARNs is skipped, not fatal: one bad value must not
        // lock the user out of the good ones, and none of its text goes further than a warning.
        let mut roles = Vec::new();
        let mut skipped = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for value in &fields.role_values {
            match parse_role_value(value) {
                Ok(role) => {
                    if seen.insert(role.clone()) {
                        roles.push(role);
                    }
                }
                Err(why) => skipped.push(why),
            }
        }
        let session_duration =
            match fields.duration {
                Some(d) => Some(d.trim().parse::<i32>().map_err(|_| {
                    bad(format!("SessionDuration {d:?} is not a number of seconds"))
                })?),
                None => None,
            };
        Ok(Assertion {
            roles,
            session_duration,
            session_name: fields.session_name.map(|s| s.trim().to_owned()),
            destination: fields.destination.or(fields.recipient),
            raw: response.clone(),
            skipped,
        })
    }

    /// Partition and default region from the ACS URL (gimme-aws-creds' rule); the global partition
    /// when the assertion names none.
    pub fn partition(&self) -> Partition {
        partition_of_acs(self.destination.as_deref().unwrap_or(""))
    }
}

fn bad(message: String) -> Error {
    Error::Protocol {
        url: "the SAML assertion".into(),
        message,
    }
}

#[derive(Default)]
struct Fields {
    role_values: Vec<String>,
    session_name: Option<String>,
    duration: Option<String>,
    destination: Option<String>,
    recipient: Option<String>,
    /// Whether a `<samlp:Response>` element was seen at all.
    is_response: bool,
}

/// Walk the XML once, collecting the attributes and URLs by local name (any namespace prefix).
fn scan(xml: &str) -> Result<Fields> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut fields = Fields::default();
    let mut attribute: Option<String> = None;
    let mut value: Option<String> = None;
    let xml_err =
        |e: &dyn std::fmt::Display| bad(format!("SAMLResponse is not well-formed XML: {e}"));
    loop {
        let event = reader.read_event().map_err(|e| xml_err(&e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let attr = |name: &[u8]| -> Result<Option<String>> {
                    match e.try_get_attribute(name).map_err(|err| xml_err(&err))? {
                        Some(a) => Ok(Some(
                            a.unescape_value()
                                .map_err(|err| xml_err(&err))?
                                .into_owned(),
                        )),
                        None => Ok(None),
                    }
                };
                match e.local_name().as_ref() {
                    b"Response" => {
                        fields.is_response = true;
                        fields.destination = attr(b"Destination")?;
                    }
                    b"SubjectConfirmationData" if fields.recipient.is_none() => {
                        fields.recipient = attr(b"Recipient")?;
                    }
                    b"Attribute" => attribute = attr(b"Name")?,
                    b"AttributeValue" if matches!(event, Event::Start(_)) => {
                        value = Some(String::new())
                    }
                    b"AttributeValue" => {
                        push_value(&mut fields, attribute.as_deref(), String::new())
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(v) = value.as_mut() {
                    v.push_str(&t.xml_content().map_err(|e| xml_err(&e))?);
                }
            }
            Event::CData(t) => {
                if let Some(v) = value.as_mut() {
                    v.push_str(&t.decode().map_err(|e| xml_err(&e))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(v) = value.as_mut() {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(&e))? {
                        v.push(c);
                    } else {
                        let name = r.decode().map_err(|e| xml_err(&e))?;
                        let s = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| bad(format!("unknown XML entity &{name};")))?;
                        v.push_str(s);
                    }
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"AttributeValue" => {
                    if let Some(v) = value.take() {
                        push_value(&mut fields, attribute.as_deref(), v);
                    }
                }
                b"Attribute" => attribute = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(fields)
}

fn push_value(fields: &mut Fields, attribute: Option<&str>, v: String) {
    match attribute {
        Some(ROLE_ATTR) => fields.role_values.push(v),
        Some(SESSION_NAME_ATTR) => fields.session_name = Some(v),
        Some(DURATION_ATTR) => fields.duration = Some(v),
        _ => {}
    }
}

/// One Role attribute value: "provider-arn,role-arn" in either order, whitespace around each
/// allowed. Both must be IAM ARNs (`is_iam_arn`); else the reason, in printable form.
fn parse_role_value(value: &str) -> std::result::Result<AwsRole, String> {
    let shown = || {
        let mut v: String = value.trim().chars().take(200).collect();
        if value.trim().chars().count() > 200 {
            v.push_str("...");
        }
        crate::report::printable(&v).into_owned()
    };
    let mut role = None;
    let mut provider = None;
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if is_iam_arn(part, "saml-provider") {
            provider = Some(part);
        } else if is_iam_arn(part, "role") {
            role = Some(part);
        } else {
            return Err(format!(
                "Role attribute value \"{}\" skipped: \"{}\" is not an IAM role or saml-provider ARN",
                shown(),
                crate::report::printable(&part.chars().take(200).collect::<String>())
            ));
        }
    }
    let (Some(role_arn), Some(principal_arn)) = (role, provider) else {
        return Err(format!(
            "Role attribute value \"{}\" skipped: it is not a role ARN and a saml-provider ARN",
            shown()
        ));
    };
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    // is_iam_arn proved the shape arn:PARTITION:iam::ACCOUNT:role/PATH/NAME.
    let name = parts[5].rsplit('/').next().unwrap_or_default().to_owned();
    Ok(AwsRole {
        role_arn: role_arn.to_owned(),
        principal_arn: principal_arn.to_owned(),
        partition: parts[1].to_owned(),
        account_id: parts[4].to_owned(),
        name,
    })
}

/// Whether `arn` is `arn:<partition>:iam::<12 digits>:<kind>/<path and name>` in IAM's grammar: a
/// partition of `aws` and lower-case labels, and a path and name of `[A-Za-z0-9_+=,.@-]` and `/`
/// (the name 1 to 64 characters long, the path's segments not empty). Nothing else reaches a
/// file, a shell word or a completion script.
pub fn is_iam_arn(arn: &str, kind: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-')
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_lowercase()))
        });
    let Some(path_and_name) = resource
        .strip_prefix(kind)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    let (path, name) = match path_and_name.rsplit_once('/') {
        Some((path, name)) => (Some(path), name),
        None => (None, path_and_name),
    };
    prefix == "arn"
        && partition_ok
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && is_iam_name(name)
        && path.is_none_or(|p| {
            p.split('/')
                .all(|s| !s.is_empty() && s.bytes().all(is_iam_char))
        })
        && arn.len() <= 2048
}

/// Whether `name` is an IAM role name: 1 to 64 of `[A-Za-z0-9_+=,.@-]`. Role names that came from
/// an IdP are kept, completed and printed only when they pass.
pub fn is_iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(is_iam_char)
}

fn is_iam_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b)
}

/// The partition and default region implied by the ACS (AWS sign-in) URL.
pub fn partition_of_acs(acs: &str) -> Partition {
    let host = url::Url::parse(acs)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    if host.ends_with("amazonaws.cn") {
        Partition {
            name: "aws-cn",
            default_region: "cn-north-1".into(),
        }
    } else if host.ends_with("amazonaws-us-gov.com") {
        Partition {
            name: "aws-us-gov",
            default_region: "us-gov-east-1".into(),
        }
    } else {
        let region = host
            .strip_suffix(".signin.aws.amazon.com")
            .filter(|r| is_region_label(r))
            .unwrap_or("us-east-1");
        Partition {
            name: "aws",
            default_region: region.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(roles: &[&str], extra: &str) -> SamlResponse {
        let values: String = roles
            .iter()
            .map(|r| format!("<saml2:AttributeValue>{r}</saml2:AttributeValue>"))
            .collect();
        let xml = format!(
            r#"<?xml version="1.0"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml"><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:AttributeStatement><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{values}</saml2:Attribute><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml2:AttributeValue>jane@example.com</saml2:AttributeValue></saml2:Attribute>{extra}</saml2:AttributeStatement></saml2:Assertion></saml2p:Response>"#
        );
        SamlResponse(Secret::new(
            base64::engine::general_purpose::STANDARD.encode(xml),
        ))
    }

    #[test]
    fn aws_sign_in_endpoints_of_every_partition() {
        let yes = |u: &str| is_aws_sign_in(&url::Url::parse(u).unwrap());
        assert!(yes("https://signin.aws.amazon.com/saml"));
        assert!(yes("https://eu-west-1.signin.aws.amazon.com/saml"));
        assert!(yes("https://signin.amazonaws.cn/saml"));
        assert!(yes("https://signin.amazonaws-us-gov.com/saml"));
        assert!(!yes("http://signin.aws.amazon.com/saml"));
        assert!(!yes("https://signin.aws.amazon.com.evil.example/saml"));
        assert!(!yes("https://a.b.signin.aws.amazon.com/saml"));
        assert!(!yes(
            "https://keycloak.example.com/realms/x/broker/adfs/endpoint"
        ));
    }

    #[test]
    fn roles_in_either_order_and_with_whitespace() {
        let a = Assertion::parse(&response(
            &[
                "arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/Admin",
                "\n  arn:aws:iam::222222222222:role/path/ReadOnly , arn:aws:iam::222222222222:saml-provider/Okta\n",
            ],
            "",
        ))
        .unwrap();
        assert_eq!(a.roles.len(), 2);
        assert_eq!(a.roles[0].name, "Admin");
        assert_eq!(
            a.roles[0].principal_arn,
            "arn:aws:iam::111111111111:saml-provider/Okta"
        );
        assert_eq!(a.roles[1].name, "ReadOnly");
        assert_eq!(a.roles[1].account_id, "222222222222");
        assert_eq!(
            a.roles[1].role_arn,
            "arn:aws:iam::222222222222:role/path/ReadOnly"
        );
        assert_eq!(a.session_name.as_deref(), Some("jane@example.com"));
        assert_eq!(a.partition().default_region, "us-east-1");
    }

    #[test]
    fn session_duration_and_other_partitions() {
        let a = Assertion::parse(&response(
            &["arn:aws-cn:iam::111111111111:role/A,arn:aws-cn:iam::111111111111:saml-provider/P"],
            r#"<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><saml2:AttributeValue>7200</saml2:AttributeValue></saml2:Attribute>"#,
        ))
        .unwrap();
        assert_eq!(a.session_duration, Some(7200));
        assert_eq!(a.roles[0].partition, "aws-cn");
        assert_eq!(
            partition_of_acs("https://signin.amazonaws.cn/saml").name,
            "aws-cn"
        );
        assert_eq!(
            partition_of_acs("https://signin.amazonaws-us-gov.com/saml").name,
            "aws-us-gov"
        );
        assert_eq!(
            partition_of_acs("https://eu-west-1.signin.aws.amazon.com/saml").default_region,
            "eu-west-1"
        );
    }

    #[test]
    fn entities_in_values_are_decoded() {
        let a = Assertion::parse(&response(
            &["arn:aws:iam::111111111111:saml-provider/Okta&#44;arn:aws:iam::111111111111:role/A&#45;B"],
            "",
        ))
        .unwrap();
        assert_eq!(a.roles[0].name, "A-B");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let e = Assertion::parse(&SamlResponse(Secret::new("!!!".into()))).unwrap_err();
        assert!(e.to_string().contains("base64"));
        let a = Assertion::parse(&response(&["arn:aws:iam::1:role/x"], "")).unwrap();
        assert!(a.roles.is_empty());
        assert!(a.skipped[0].contains("saml-provider"), "{:?}", a.skipped);
    }

    #[test]
    fn only_arns_in_iams_grammar_are_roles() {
        let p = "arn:aws:iam::111111111111:saml-provider/Okta";
        let good = [
            "arn:aws:iam::111111111111:role/Admin",
            "arn:aws:iam::111111111111:role/team/sub/Dev_1+=,.@-",
            "arn:aws-us-gov:iam::111111111111:role/A",
            "arn:aws-iso-b:iam::111111111111:role/A",
        ];
        for role in good {
            assert!(is_iam_arn(role, "role"), "{role}");
        }
        assert!(is_iam_arn(p, "saml-provider"));
        let bad = [
            "arn:aws:iam::111111111111:role/x\n[profile staging-Admin]\ncredential_process = touch f",
            "arn:aws:iam::111111111111:role/x\r[profile y]",
            "arn:aws:iam::111111111111:role/x y",
            "arn:aws:iam::111111111111:role/$(touch${IFS}x)",
            "arn:aws:iam::111111111111:role/x'y",
            "arn:aws:iam::11111111111:role/A",
            "arn:aws:iam::1111111111111:role/A",
            "arn:aws:iam:us-east-1:111111111111:role/A",
            "arn:aws:sts::111111111111:role/A",
            "arn:AWS:iam::111111111111:role/A",
            "arn:aws:iam::111111111111:role/",
            "arn:aws:iam::111111111111:role//A",
            "arn:aws:iam::111111111111:role/a//A",
            "arn:aws:iam::111111111111:user/A",
            "arn:aws:iam::111111111111:role/\u{202e}A",
        ];
        for role in bad {
            assert!(!is_iam_arn(role, "role"), "{role:?}");
        }
        assert!(!is_iam_arn(
            &format!("arn:aws:iam::111111111111:role/{}", "a".repeat(65)),
            "role"
        ));
        assert!(is_iam_arn(
            &format!("arn:aws:iam::111111111111:role/{}", "a".repeat(64)),
            "role"
        ));
        let a = Assertion::parse(&response(
            &[
                &format!("{p},arn:aws:iam::111111111111:role/Good"),
                &format!("{p},arn:aws:iam::111111111111:role/x&#10;[profile y]&#10;credential_process = touch f"),
                &format!("{p},arn:aws:iam::111111111111:role/x\r[profile y]"),
            ],
            "",
        ))
        .unwrap();
        assert_eq!(a.roles.len(), 1);
        assert_eq!(a.roles[0].name, "Good");
        assert_eq!(a.skipped.len(), 2);
        assert!(
            a.skipped
                .iter()
                .all(|s| !s.contains('\n') && !s.contains('\r')),
            "{:?}",
            a.skipped
        );
    }

    #[test]
    fn a_region_is_taken_from_the_destination_only_when_it_looks_like_one() {
        assert_eq!(
            partition_of_acs("https://a$(id)b.signin.aws.amazon.com/saml").default_region,
            "us-east-1"
        );
        assert_eq!(
            partition_of_acs("https://EU-WEST-1.signin.aws.amazon.com/saml").default_region,
            "eu-west-1"
        );
        assert!(!is_region_label("a$(id)b"));
        assert!(!is_region_label("a_b"));
        assert!(is_region_label("us-gov-west-1"));
    }

    #[test]
    fn mime_line_breaks_are_accepted() {
        let r = response(
            &["arn:aws:iam::111111111111:saml-provider/O,arn:aws:iam::111111111111:role/A"],
            "",
        );
        let wrapped: String =
            r.0.expose()
                .as_bytes()
                .chunks(76)
                .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
                .collect();
        assert_eq!(
            Assertion::parse(&SamlResponse(Secret::new(wrapped)))
                .unwrap()
                .roles
                .len(),
            1
        );
    }
}
