//! The organisation's config.json, read exactly as the seed wrote it: schema (serde), validation with
//! messages that name the key, and account lookup. It does not decide precedence; `settings.rs` does.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The field names config.json may set, for IdPs whose forms the heuristics miss.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldNames {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_field: Option<String>,
}

/// config.json as written by the organisation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Credentials file path, joined to the home directory (`/.aws/credentials` -> `~/.aws/credentials`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_config_path: Option<String>,
    /// `output` written to the profile in ~/.aws/config (json, text, table, yaml).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    /// Region for STS and for the profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Which login method: okta (default), okta-browser, browser, form, okta-idx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The IdP entry URL (the Okta app's embed link). `idPEntryUrl` is the seed README's spelling.
    #[serde(alias = "idPEntryUrl", skip_serializing_if = "Option::is_none")]
    pub idp_entry_url: Option<String>,
    /// The account used when `--account` is not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_account: Option<String>,
    /// Account name -> account.
    #[serde(default)]
    pub accounts: BTreeMap<String, Account>,
    /// Field names for provider "form" when its heuristics miss them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FieldNames>,
    /// Renew credentials this many minutes before they expire (default 15, botocore's window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_margin_minutes: Option<u32>,
    /// The role used when `--role` is not given (a name or a full ARN; `aws-token configure`
    /// writes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
    /// Provider okta: the org's sign-in pipeline, `v1` (Classic) or `idx` (Identity Engine),
    /// instead of learning it from the org.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub okta_pipeline: Option<String>,
    /// Provider entra: host names besides Microsoft's sign-in hosts that may be sent the password
    /// (the organisation's ADFS, a sign-in proxy such as Defender for Cloud Apps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub password_hosts: Vec<String>,
}

/// One account: a bare account number (old seed) or an object.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Account {
    Number(String),
    Object(AccountObject),
}

/// The object form of an account.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccountObject {
    pub account_number: String,
    #[serde(alias = "idPEntryUrl", skip_serializing_if = "Option::is_none")]
    pub idp_entry_url: Option<String>,
}

impl Account {
    /// The 12-digit account number.
    pub fn number(&self) -> &str {
        match self {
            Account::Number(n) => n,
            Account::Object(o) => &o.account_number,
        }
    }

    /// The account's own IdP entry URL, if it has one.
    pub fn idp_entry_url(&self) -> Option<&str> {
        match self {
            Account::Number(_) => None,
            Account::Object(o) => o.idp_entry_url.as_deref(),
        }
    }
}

/// What an `oktaPipeline` value names, as Okta's well-known document words it: `v1` (Classic, also
/// written `classic`) or `idx` (Identity Engine, also `identity-engine`).
pub fn okta_pipeline_name(value: &str) -> Option<&'static str> {
    match value {
        "v1" | "classic" => Some("v1"),
        "idx" | "identity-engine" => Some("idx"),
        _ => None,
    }
}

impl Config {
    /// Read and validate config.json at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(
                path,
                format!(
                    "cannot read the config file: {e}; pass --config PATH or set AWS_TOKEN_CONFIG"
                ),
            )
        })?;
        Config::parse(&text, path)
    }

    /// Parse and validate config text; `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config = serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            // serde's untagged-enum message says nothing useful; say what an account may be.
            let first = text.trim_start().chars().next();
            let msg = if first.is_some_and(|c| c != '{') && e.is_data() {
                format!(
                    "config.json must be one JSON object ({{ \"idpEntryUrl\": ..., \"accounts\": {{...}} }}), not a value that starts with {:?}",
                    first.unwrap_or(' ')
                )
            } else if msg.contains("did not match any variant of untagged enum Account") {
                format!(
                    "an account must be an account number string or an object with \"accountNumber\" and optional \"idpEntryUrl\" ({msg})"
                )
            } else {
                msg
            };
            Error::config(path, format!("invalid config.json: {msg}"))
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |m: String| Err(Error::config(path, m));
        if let Some(p) = &self.provider {
            let known = [
                "okta",
                "okta-idx",
                "form",
                "okta-browser",
                "browser",
                "entra",
            ];
            if !known.contains(&p.as_str()) {
                return bad(format!(
                    "\"provider\": unknown provider {p:?}; known: okta, okta-idx, okta-browser, browser, form, entra"
                ));
            }
        }
        if let Some(pipeline) = &self.okta_pipeline {
            let provider = self.provider.as_deref().unwrap_or("okta");
            match okta_pipeline_name(pipeline) {
                None => {
                    return bad(format!(
                        "\"oktaPipeline\": unknown pipeline {pipeline:?}; use \"v1\" (Okta Classic) or \"idx\" (Identity Engine), or leave it out to learn it from the org"
                    ));
                }
                Some(p) if provider == "okta-idx" && p != "idx" => {
                    return bad(format!(
                        "\"oktaPipeline\": {pipeline:?} contradicts \"provider\": \"okta-idx\""
                    ));
                }
                Some(_) if !provider.starts_with("okta") || provider == "okta-browser" => {
                    return bad(format!(
                        "\"oktaPipeline\" applies to provider \"okta\" only, not {provider:?}"
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(url) = &self.idp_entry_url
            && let Err(m) = check_url(url)
        {
            return bad(format!("\"idpEntryUrl\": {m}"));
        }
        for host in &self.password_hosts {
            let plain = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !plain {
                return bad(format!(
                    "\"passwordHosts\": {host:?} is not a host name (write it as adfs.example.com: no scheme, port or path)"
                ));
            }
        }
        for (name, account) in &self.accounts {
            let n = account.number();
            if n.len() != 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return bad(format!(
                    "\"accounts\".{name:?}: account number {n:?} must be 12 digits"
                ));
            }
            if let Some(url) = account.idp_entry_url()
                && let Err(m) = check_url(url)
            {
                return bad(format!("\"accounts\".{name:?}.idpEntryUrl: {m}"));
            }
        }
        if let Some(d) = &self.default_account
            && !self.accounts.contains_key(d)
        {
            return bad(format!(
                "\"defaultAccount\": {d:?} is not a key of \"accounts\" ({})",
                self.account_names()
            ));
        }
        if let Some(r) = &self.region
            && (r.is_empty() || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return bad(format!("\"region\": {r:?} is not a region name"));
        }
        Ok(())
    }

    /// The account names, comma-separated, for messages.
    pub fn account_names(&self) -> String {
        if self.accounts.is_empty() {
            "no accounts are defined".to_owned()
        } else {
            self.accounts
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// An IdP URL must be https, or http to a loopback host (the sandbox).
pub fn check_url(raw: &str) -> std::result::Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "{raw:?} uses http://; only https:// is allowed (http only for a loopback host)"
        )),
        other => Err(format!("{raw:?}: scheme {other:?} is not https")),
    }
}

/// True when the URL's host is 127.0.0.0/8, ::1 or localhost.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Where the config in effect came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file: `--config`, AWS_TOKEN_CONFIG, or found on the search path.
    File(PathBuf),
    /// Baked into the binary at build time (AWS_TOKEN_EMBED_CONFIG), from this path.
    Embedded { built_from: String },
}

impl ConfigSource {
    /// How messages name it.
    pub fn label(&self) -> PathBuf {
        match self {
            ConfigSource::File(p) => p.clone(),
            ConfigSource::Embedded { built_from } => PathBuf::from(format!(
                "config.json embedded in aws-token (built from {built_from})"
            )),
        }
    }

    /// Read and validate the config.
    pub fn load(&self) -> Result<Config> {
        match self {
            ConfigSource::File(p) => Config::load(p),
            ConfigSource::Embedded { .. } => {
                Config::parse(embedded().unwrap_or_default().0, &self.label())
            }
        }
    }
}

/// The config baked in at build time and the path it was built from, if any.
pub fn embedded() -> Option<(&'static str, &'static str)> {
    let text: &'static str = include_str!(concat!(env!("OUT_DIR"), "/embedded_config.json"));
    (!text.is_empty()).then(|| {
        (
            text,
            option_env!("AWS_TOKEN_EMBEDDED_FROM").unwrap_or("unknown"),
        )
    })
}

/// True for an `http://` URL to a loopback host: no TLS, so no trust roots are needed for it.
pub fn is_plain_loopback(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| u.scheme() == "http" && is_loopback(&u))
}

/// Where config.json is looked for, in order, when neither `--config` nor AWS_TOKEN_CONFIG is set.
pub fn search_path(
    cwd: &Path,
    xdg_config_home: Option<&Path>,
    home: Option<&Path>,
) -> Vec<PathBuf> {
    let mut paths = vec![cwd.join("config.json")];
    match (xdg_config_home, home) {
        (Some(x), _) => paths.push(x.join("aws-token/config.json")),
        (None, Some(h)) => paths.push(h.join(".config/aws-token/config.json")),
        (None, None) => {}
    }
    paths.push(PathBuf::from("/etc/aws-token/config.json"));
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"{
      "awsConfigPath": "/.aws/credentials",
      "outputFormat": "json",
      "region": "us-east-1",
      "provider": "okta",
      "idpEntryUrl": "https://example.okta.com/home/amazon_aws/0oa123/272",
      "defaultAccount": "staging",
      "accounts": {
        "staging": { "accountNumber": "111111111111", "idpEntryUrl": "https://example.okta.com/home/amazon_aws/0oa456/272" },
        "development": "222222222222"
      }
    }"#;

    fn parse(t: &str) -> Result<Config> {
        Config::parse(t, Path::new("config.json"))
    }

    #[test]
    fn seed_config_is_accepted() {
        let c = parse(SEED).unwrap();
        assert_eq!(c.accounts["development"].number(), "222222222222");
        assert_eq!(
            c.accounts["staging"].idp_entry_url(),
            Some("https://example.okta.com/home/amazon_aws/0oa456/272")
        );
    }

    #[test]
    fn old_spelling_of_idp_entry_url_is_accepted() {
        let c = parse(r#"{"idPEntryUrl":"https://x.okta.com/home/amazon_aws/a/1","accounts":{"a":"111111111111"}}"#).unwrap();
        assert!(c.idp_entry_url.is_some());
    }

    #[test]
    fn unknown_key_is_named() {
        let e = parse(r#"{"regoin":"us-east-1"}"#).unwrap_err().to_string();
        assert!(e.contains("regoin"), "{e}");
    }

    #[test]
    fn plain_http_is_refused_except_loopback() {
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://example.com/x").is_err());
        assert!(check_url("ftp://example.com/x").is_err());
    }

    #[test]
    fn default_account_must_exist() {
        let e = parse(r#"{"defaultAccount":"nope","accounts":{"a":"111111111111"}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope") && e.contains("a"), "{e}");
    }
}
