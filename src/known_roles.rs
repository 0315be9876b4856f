//! The role names each IdP org granted at its last login (`roles.json` in the cache directory;
//! names, not secrets), for shell completion of `--role` without a login.

use crate::cache::{read_private, write_hint};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The role names last granted per org.
#[derive(Debug, Clone)]
pub struct KnownRoles {
    path: PathBuf,
}

impl KnownRoles {
    /// The file in `cache_dir`.
    pub fn new(cache_dir: &Path) -> KnownRoles {
        KnownRoles {
            path: cache_dir.join("roles.json"),
        }
    }

    fn all(&self) -> BTreeMap<String, Vec<String>> {
        read_private(&self.path)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The role names `org` last granted, sorted: only IAM role names (a file written by an older
    /// aws-token, or by hand, may hold others, and these names end up in a shell's completion).
    pub fn get(&self, org: &url::Url) -> Vec<String> {
        let mut names = self.all().remove(org.as_str()).unwrap_or_default();
        names.retain(|n| crate::saml::is_iam_name(n));
        names
    }

    /// Keep `names` for `org` (best effort; written only when they changed); only IAM role names.
    pub fn keep(&self, org: &url::Url, names: impl IntoIterator<Item = String>) {
        let mut names: Vec<String> = names
            .into_iter()
            .filter(|n| crate::saml::is_iam_name(n))
            .collect();
        names.sort();
        names.dedup();
        let mut all = self.all();
        if all.get(org.as_str()) == Some(&names) {
            return;
        }
        all.insert(org.to_string(), names);
        let _ = crate::cache::locked(&self.path, || {
            write_hint(&self.path, &serde_json::to_vec(&all).unwrap_or_default())
        });
    }
}
