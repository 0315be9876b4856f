//! Secrets kept between runs (the IdP session): the OS keyring behind the small `SecretStore`
//! trait — on Linux the kernel keyring (keyutils), which answers at once or not at all — with a
//! 0600 file in the cache directory as the fall-back where no keyring answers (containers whose
//! seccomp profile blocks keyctl, some WSL set-ups). `AWS_TOKEN_KEYRING=file` chooses the file.
//! An index in the cache directory (names only, no secret) lets `logout` find every entry.

use crate::cache::write_private;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::path::PathBuf;

/// The keyring service name of every entry.
const SERVICE: &str = "aws-token";

/// Where kept secrets live.
pub trait SecretStore: Send + Sync {
    /// The secret named `name`, if one is kept.
    fn get(&self, name: &str) -> Option<Secret<String>>;
    /// Keep `value` as `name`.
    fn set(&self, name: &str, value: &Secret<String>) -> Result<()>;
    /// Forget `name`; true when something was removed.
    fn delete(&self, name: &str) -> bool;
    /// Where, for messages ("the kernel keyring", "~/.cache/aws-token/secrets.json").
    fn describe(&self) -> String;
}

/// The OS keyring (keyring crate).
#[derive(Debug)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry(name: &str) -> Option<::keyring::Entry> {
        ::keyring::Entry::new(SERVICE, name).ok()
    }

    /// Whether the keyring answers here: a write, read and delete of a probe entry.
    pub fn works() -> bool {
        let Some(e) = OsKeyring::entry("probe") else {
            return false;
        };
        let ok = e.set_password("probe").is_ok() && e.get_password().is_ok_and(|v| v == "probe");
        let _ = e.delete_credential();
        ok
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> Option<Secret<String>> {
        OsKeyring::entry(name)?.get_password().ok().map(Secret::new)
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<()> {
        OsKeyring::entry(name)
            .ok_or_else(|| Error::Internal("the keyring refused the entry name".into()))?
            .set_password(value.expose())
            .map_err(|e| Error::Internal(format!("the keyring refused to keep a secret: {e}")))
    }

    fn delete(&self, name: &str) -> bool {
        OsKeyring::entry(name).is_some_and(|e| e.delete_credential().is_ok())
    }

    fn describe(&self) -> String {
        if cfg!(target_os = "linux") {
            "the kernel keyring".into()
        } else {
            "the system keyring".into()
        }
    }
}

/// A 0600 JSON file of name -> secret in the cache directory (0700).
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// The store file in `cache_dir`.
    pub fn new(cache_dir: &std::path::Path) -> FileStore {
        FileStore {
            path: cache_dir.join("secrets.json"),
        }
    }

    fn load(&self) -> std::collections::BTreeMap<String, String> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, map: &std::collections::BTreeMap<String, String>) -> Result<()> {
        let text = Secret::new(serde_json::to_vec(map).unwrap_or_default());
        write_private(&self.path, text.expose())
    }
}

impl SecretStore for FileStore {
    fn get(&self, name: &str) -> Option<Secret<String>> {
        self.load().remove(name).map(Secret::new)
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<()> {
        let mut map = self.load();
        map.insert(name.to_owned(), value.expose().clone());
        self.save(&map)
    }

    fn delete(&self, name: &str) -> bool {
        let mut map = self.load();
        let removed = map.remove(name).is_some();
        if removed {
            let _ = self.save(&map);
        }
        removed
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// The store to use: the OS keyring when it answers (`os_keyring_works`, from one
/// `OsKeyring::works` probe per run), else the file; `choice` is `AWS_TOKEN_KEYRING` (`os`,
/// `file`). `fell_back` is told why the file is used.
pub fn open(
    cache_dir: &std::path::Path,
    choice: Option<&str>,
    os_keyring_works: bool,
    fell_back: impl FnOnce(&str),
) -> Box<dyn SecretStore> {
    match choice {
        Some("file") => Box::new(FileStore::new(cache_dir)),
        _ if os_keyring_works => Box::new(OsKeyring),
        _ => {
            fell_back(
                "no keyring answers here; kept secrets go to a 0600 file in the cache directory",
            );
            Box::new(FileStore::new(cache_dir))
        }
    }
}

/// The names of kept entries (no secrets), so that `logout` can find them all.
#[derive(Debug)]
pub struct Index {
    path: PathBuf,
}

impl Index {
    /// The index file in `cache_dir`.
    pub fn new(cache_dir: &std::path::Path) -> Index {
        Index {
            path: cache_dir.join("kept.json"),
        }
    }

    /// Every kept name.
    pub fn names(&self) -> Vec<String> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, names: &[String]) {
        let _ = write_private(&self.path, &serde_json::to_vec(names).unwrap_or_default());
    }

    /// Remember that `name` is kept.
    pub fn add(&self, name: &str) {
        let mut names = self.names();
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
            self.save(&names);
        }
    }

    /// Forget `name`.
    pub fn remove(&self, name: &str) {
        let mut names = self.names();
        names.retain(|n| n != name);
        self.save(&names);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_keeps_secrets_in_a_private_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("aws-token");
        let store = FileStore::new(&cache);
        assert!(store.get("a").is_none());
        store.set("a", &Secret::new("one".into())).unwrap();
        store.set("b", &Secret::new("two".into())).unwrap();
        assert_eq!(store.get("a").unwrap().expose(), "one");
        assert!(store.delete("a"));
        assert!(!store.delete("a"));
        assert_eq!(store.get("b").unwrap().expose(), "two");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cache.join("secrets.json")), 0o600);
        assert_eq!(mode(&cache), 0o700);
    }

    #[test]
    fn the_index_lists_names() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::new(dir.path());
        index.add("x");
        index.add("y");
        index.add("x");
        assert_eq!(index.names(), ["x", "y"]);
        index.remove("x");
        assert_eq!(index.names(), ["y"]);
    }
}
