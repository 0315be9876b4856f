//! The last username used at each IdP org, remembered in the cache directory (`usernames.json`, a
//! 0600 file of org -> username; a username is not a secret), so that a later run that names none —
//! `credential-process` from an AWS SDK, `roles`, `console`, `exec` — finds the same kept session,
//! remembered password and cached credentials, and a login prompt offers it (issue 20.1).

use crate::cache::{locked, read_private, write_hint};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The remembered usernames.
#[derive(Debug, Clone)]
pub struct Usernames {
    path: PathBuf,
}

impl Usernames {
    /// The file in `cache_dir`.
    pub fn new(cache_dir: &Path) -> Usernames {
        Usernames {
            path: cache_dir.join("usernames.json"),
        }
    }

    fn all(&self) -> BTreeMap<String, String> {
        read_private(&self.path)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The username last used at `org`.
    pub fn get(&self, org: &url::Url) -> Option<String> {
        self.all().remove(org.as_str()).filter(|u| !u.is_empty())
    }

    /// Remember `username` for `org` (best effort: without it the next run asks again).
    pub fn remember(&self, org: &url::Url, username: &str) {
        // The same user in another spelling is no new username (the IdP compares without case).
        if self
            .get(org)
            .is_some_and(|u| u.to_lowercase() == username.to_lowercase())
        {
            return;
        }
        let _ = locked(&self.path, || {
            let mut all = self.all();
            all.insert(org.to_string(), username.to_owned());
            write_hint(
                &self.path,
                &serde_json::to_vec_pretty(&all).unwrap_or_default(),
            )
        });
    }

    /// Forget the username of `org` (every org when `None`).
    pub fn forget(&self, org: Option<&url::Url>) {
        let _ = locked(&self.path, || {
            let mut all = self.all();
            match org {
                Some(o) => {
                    all.remove(o.as_str());
                }
                None => all.clear(),
            }
            write_hint(
                &self.path,
                &serde_json::to_vec_pretty(&all).unwrap_or_default(),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_remembered_per_org() {
        let dir = tempfile::tempdir().unwrap();
        let u = Usernames::new(dir.path());
        let a = url::Url::parse("https://a.okta.com/").unwrap();
        let b = url::Url::parse("https://b.okta.com/").unwrap();
        assert_eq!(u.get(&a), None);
        u.remember(&a, "jane@example.com");
        u.remember(&b, "joe@example.com");
        assert_eq!(u.get(&a).as_deref(), Some("jane@example.com"));
        u.forget(Some(&a));
        assert_eq!(u.get(&a), None);
        assert_eq!(u.get(&b).as_deref(), Some("joe@example.com"));
    }
}
