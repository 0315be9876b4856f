//! Where an Entra sign-in may send the password: Microsoft's sign-in hosts (the public cloud and
//! the national ones), the hosts config.json names (`passwordHosts`: the organisation's ADFS, a
//! sign-in proxy), and a federation server GetCredentialType names only once the user said yes
//! to it on a terminal (remembered per app link in `federation-hosts.json` in the cache
//! directory). Every other host is refused before the password leaves: an open redirect on the
//! way to the sign-in page, or a look-alike domain's federation server, gets nothing.

use crate::cache::{locked, read_private, write_hint};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Microsoft's Entra sign-in hosts: the public cloud, US Government, China (21Vianet).
const MICROSOFT_LOGIN_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.windows.net",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
];

/// The hosts a sign-in may send the password to, and the federation servers approved before.
#[derive(Debug, Clone)]
pub struct PasswordHosts {
    configured: Vec<String>,
    approvals: PathBuf,
}

impl PasswordHosts {
    /// `configured` from config.json; approvals kept in `cache_dir`.
    pub fn new(configured: Vec<String>, cache_dir: &Path) -> PasswordHosts {
        PasswordHosts {
            configured,
            approvals: cache_dir.join("federation-hosts.json"),
        }
    }

    /// Whether `host` is Microsoft's or named in config.json.
    pub fn known(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        MICROSOFT_LOGIN_HOSTS.contains(&host.as_str()) || self.configured.contains(&host)
    }

    /// Refuse to send the password to `url` unless its host is `known`.
    pub fn check(&self, url: &url::Url, page: &url::Url) -> Result<()> {
        let host = url.host_str().unwrap_or_default();
        if self.known(host) {
            return Ok(());
        }
        Err(Error::Network {
            url: crate::idp::http::display_url(url),
            message: format!(
                "refused: the sign-in page at {} would send the password to {host}, which is not a Microsoft sign-in host ({}) nor in config.json's \"passwordHosts\"; if your organisation signs in there (a sign-in proxy), add {host:?} to \"passwordHosts\"",
                crate::idp::http::display_url(page),
                MICROSOFT_LOGIN_HOSTS.join(", ")
            ),
        })
    }

    fn all(&self) -> BTreeMap<String, Vec<String>> {
        read_private(&self.approvals)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Whether the user approved the federation server `host` for the app at `app` before.
    pub fn approved(&self, app: &str, host: &str) -> bool {
        self.all()
            .get(app)
            .is_some_and(|hosts| hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
    }

    /// Remember that the user approved `host` for `app` (best effort: else they are asked again).
    pub fn approve(&self, app: &str, host: &str) {
        let _ = locked(&self.approvals, || {
            let mut all = self.all();
            let hosts = all.entry(app.to_owned()).or_default();
            if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                hosts.push(host.to_ascii_lowercase());
            }
            write_hint(
                &self.approvals,
                &serde_json::to_vec(&all).unwrap_or_default(),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsofts_hosts_and_the_configured_ones_only() {
        let dir = tempfile::tempdir().unwrap();
        let hosts = PasswordHosts::new(vec!["adfs.example.com".into()], dir.path());
        assert!(hosts.known("login.microsoftonline.com"));
        assert!(hosts.known("LOGIN.MICROSOFTONLINE.US"));
        assert!(hosts.known("adfs.example.com"));
        assert!(!hosts.known("login.microsoftonline.com.evil.example"));
        assert!(!hosts.known("evil-login.microsoftonline.com"));
        assert!(!hosts.known("adfs.examp1e.com"));
        let page = url::Url::parse("https://open-redirect.example/x").unwrap();
        let e = hosts
            .check(
                &url::Url::parse("https://evil.example/post").unwrap(),
                &page,
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
        assert!(e.to_string().contains("passwordHosts"), "{e}");
        assert!(!hosts.approved("app", "adfs.evil.example"));
        hosts.approve("app", "ADFS.evil.example");
        assert!(hosts.approved("app", "adfs.evil.example"));
        assert!(!hosts.approved("other app", "adfs.evil.example"));
    }
}
