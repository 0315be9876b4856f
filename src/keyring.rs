//! Secrets kept between runs (the IdP session, a remembered password): the OS keyring behind the
//! small `SecretStore` trait — on Linux the kernel keyring (keyutils), which answers at once or not
//! at all, else the Secret Service over D-Bus (GNOME Keyring, KWallet), each of whose calls is
//! bounded in time (a D-Bus peer that never answers, a collection waiting for an unlock prompt no
//! one sees) — with a 0600 file in the cache directory as the fall-back where no keyring answers
//! (SSH sessions without a session keyring, WSL, containers). `AWS_TOKEN_KEYRING` chooses: `kernel`,
//! `secret-service`, `file`. An index in the cache directory (names only, no secret) lets `logout`
//! find every entry.

use crate::cache::{locked, read_private, write_private};
use crate::error::{Error, Result};
use crate::secret::Secret;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The keyring service name of every entry.
const SERVICE: &str = "aws-token";

/// The longest wait for one Secret Service call (connect, unlock check, read or write).
const SECRET_SERVICE_TIMEOUT: Duration = Duration::from_secs(3);

/// Where kept secrets live.
pub trait SecretStore: Send + Sync {
    /// The secret named `name`, if one is kept.
    fn get(&self, name: &str) -> Option<Secret<String>>;
    /// Keep `value` as `name`; says where it went (`describe` of the store that took it).
    fn set(&self, name: &str, value: &Secret<String>) -> Result<String>;
    /// Forget `name`; true when something was removed.
    fn delete(&self, name: &str) -> bool;
    /// Where, for messages ("the kernel keyring", "~/.cache/aws-token/secrets.json").
    fn describe(&self) -> String;
    /// The names of the entries this store can list by itself (so that `logout` finds them
    /// whatever the index says); empty where the store cannot list.
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Which OS keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The platform's own: the kernel keyring on Linux, Keychain, Credential Manager.
    Native,
    /// The freedesktop Secret Service over D-Bus (Linux).
    SecretService,
}

/// An OS keyring that answered the probe.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    backend: Backend,
    /// A Secret Service call ran out of time: later calls of this run are not tried.
    stuck: Arc<AtomicBool>,
}

impl OsKeyring {
    fn entry(backend: Backend, name: &str) -> Option<::keyring::Entry> {
        match backend {
            #[cfg(target_os = "linux")]
            Backend::Native => {
                let c =
                    ::keyring::keyutils::KeyutilsCredential::new_with_target(None, SERVICE, name)
                        .ok()?;
                Some(::keyring::Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(target_os = "linux")]
            Backend::SecretService => {
                let c =
                    ::keyring::secret_service::SsCredential::new_with_target(None, SERVICE, name)
                        .ok()?;
                Some(::keyring::Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(not(target_os = "linux"))]
            _ => ::keyring::Entry::new(SERVICE, name).ok(),
        }
    }

    /// Run `op` on the entry `name`: at once for the native keyring; for the Secret Service on a
    /// thread of its own, given up after `SECRET_SERVICE_TIMEOUT` (`None`).
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        op: impl FnOnce(&::keyring::Entry) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let backend = self.backend;
        if backend == Backend::Native {
            return op(&OsKeyring::entry(backend, name)?);
        }
        if self.stuck.load(Ordering::SeqCst) {
            return None;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let name = name.to_owned();
        // A call that never returns leaves this thread blocked until the process ends; the run
        // goes on without the keyring.
        std::thread::spawn(move || {
            let _ = tx.send(OsKeyring::entry(backend, &name).and_then(|e| op(&e)));
        });
        match rx.recv_timeout(SECRET_SERVICE_TIMEOUT) {
            Ok(v) => v,
            Err(_) => {
                self.stuck.store(true, Ordering::SeqCst);
                None
            }
        }
    }

    /// Whether `backend` answers here. The kernel keyring: a write, read and delete of a probe
    /// entry (without a session keyring a read answers and a write fails). The Secret Service: a
    /// read, answered (found or not) by an unlocked service; each call of it costs a D-Bus
    /// connection, so the probe is one.
    fn probe(backend: Backend) -> std::result::Result<OsKeyring, String> {
        let k = OsKeyring {
            backend,
            stuck: Arc::default(),
        };
        let ok = k.call("probe", move |e| {
            Some(match backend {
                Backend::Native => {
                    let ok = e.set_password("probe").is_ok()
                        && e.get_password().is_ok_and(|v| v == "probe");
                    let _ = e.delete_credential();
                    ok
                }
                Backend::SecretService => {
                    matches!(e.get_password(), Ok(_) | Err(::keyring::Error::NoEntry))
                }
            })
        });
        match ok {
            Some(true) => Ok(k),
            Some(false) => Err(format!("{} is not usable here", describe(backend))),
            None => Err(format!(
                "{} did not answer within {} s",
                describe(backend),
                SECRET_SERVICE_TIMEOUT.as_secs()
            )),
        }
    }

    /// The OS keyring that answers here, tried in order (Linux: the kernel keyring, then the
    /// Secret Service within a bounded time); `choice` is `AWS_TOKEN_KEYRING` (`kernel`,
    /// `secret-service`: only that one; `file`: none). `note` is told what did not answer.
    pub fn find(choice: Option<&str>, note: impl Fn(&str)) -> Option<OsKeyring> {
        let order: &[Backend] = match choice {
            Some("file") => &[],
            Some("kernel" | "native") => &[Backend::Native],
            Some("secret-service") if cfg!(target_os = "linux") => &[Backend::SecretService],
            _ if cfg!(target_os = "linux") => &[Backend::Native, Backend::SecretService],
            _ => &[Backend::Native],
        };
        for backend in order {
            match OsKeyring::probe(*backend) {
                Ok(k) => return Some(k),
                Err(why) => note(&why),
            }
        }
        None
    }
}

fn describe(backend: Backend) -> &'static str {
    match backend {
        Backend::Native if cfg!(target_os = "linux") => "the kernel keyring",
        Backend::Native => "the system keyring",
        Backend::SecretService => "the Secret Service (GNOME Keyring, KWallet)",
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> Option<Secret<String>> {
        self.call(name, |e| e.get_password().ok()).map(Secret::new)
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<String> {
        let value = value.clone();
        self.call(name, move |e| {
            Some(e.set_password(value.expose()).map_err(|e| e.to_string()))
        })
        .unwrap_or_else(|| Err("it did not answer in time".into()))
        .map_err(|e| Error::Internal(format!("the keyring refused to keep a secret: {e}")))?;
        Ok(self.describe())
    }

    fn delete(&self, name: &str) -> bool {
        self.call(name, |e| Some(e.delete_credential().is_ok()))
            .unwrap_or(false)
    }

    fn describe(&self) -> String {
        describe(self.backend).into()
    }

    /// The kernel keyring lists the keys this process may see in /proc/keys; their descriptions
    /// are the keyring crate's `keyring-rs:<name>@aws-token`.
    fn names(&self) -> Vec<String> {
        if self.backend != Backend::Native || !cfg!(target_os = "linux") {
            return Vec::new();
        }
        let Some(text) = std::fs::read_to_string("/proc/keys").ok() else {
            return Vec::new();
        };
        kernel_key_names(&text)
    }
}

/// aws-token's entry names in the text of /proc/keys (`id flags usage timeout perm uid gid type
/// description: summary`, for `user` keys).
fn kernel_key_names(proc_keys: &str) -> Vec<String> {
    let suffix = format!("@{SERVICE}: ");
    proc_keys
        .lines()
        .filter_map(|line| {
            if line.split_whitespace().nth(7)? != "user" {
                return None;
            }
            let rest = line.get(line.find(" keyring-rs:")? + " keyring-rs:".len()..)?;
            let end = rest.rfind(&suffix)?;
            Some(rest[..end].to_owned())
        })
        .collect()
}

/// The entries of a file store's `bytes` (none when they are not a JSON object of strings).
pub(crate) fn file_store_from(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// One entry of the index: a kept secret's name, where it was kept and since when (names alone
/// in the files of earlier versions).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum IndexEntry {
    Kept {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<DateTime<Utc>>,
    },
    Name(String),
}

/// What the index says of one kept entry (no secret): `status` shows it without asking the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub name: String,
    /// Where it was kept ("the kernel keyring", a file path), when known.
    pub store: Option<String>,
    /// When it was kept, when known.
    pub since: Option<DateTime<Utc>>,
}

impl From<IndexEntry> for Kept {
    fn from(e: IndexEntry) -> Kept {
        match e {
            IndexEntry::Kept { name, store, since } => Kept { name, store, since },
            IndexEntry::Name(name) => Kept {
                name,
                store: None,
                since: None,
            },
        }
    }
}

/// The entries of an index file's `bytes` (none when they are not a JSON array of names or
/// entries).
pub(crate) fn index_from(bytes: &[u8]) -> Vec<Kept> {
    serde_json::from_slice::<Vec<IndexEntry>>(bytes)
        .unwrap_or_default()
        .into_iter()
        .map(Kept::from)
        .collect()
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
        read_private(&self.path)
            .map(|b| file_store_from(&b))
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

    fn set(&self, name: &str, value: &Secret<String>) -> Result<String> {
        locked(&self.path, || {
            let mut map = self.load();
            map.insert(name.to_owned(), value.expose().clone());
            self.save(&map)
        })?;
        Ok(self.describe())
    }

    fn delete(&self, name: &str) -> bool {
        locked(&self.path, || {
            let mut map = self.load();
            let removed = map.remove(name).is_some();
            if removed {
                self.save(&map)?;
            }
            Ok(removed)
        })
        .unwrap_or(false)
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn names(&self) -> Vec<String> {
        self.load().into_keys().collect()
    }
}

/// The store to use: the OS keyring that answered (`OsKeyring::find`, one probe per run), with
/// the file for a write it refuses (a locked collection, a call that timed out); else the file.
/// `note` is told when the file is used.
pub fn open(
    cache_dir: &std::path::Path,
    os_keyring: Option<&OsKeyring>,
    note: impl Fn(&str) + Send + Sync + 'static,
) -> Box<dyn SecretStore> {
    match os_keyring {
        Some(k) => Box::new(KeyringOrFile {
            keyring: Box::new(k.clone()),
            file: FileStore::new(cache_dir),
            note: Box::new(note),
        }),
        None => {
            note("no keyring answers here; kept secrets go to a 0600 file in the cache directory");
            Box::new(FileStore::new(cache_dir))
        }
    }
}

/// The OS keyring first; the file for what the keyring would not take, so that a session is not
/// lost to a keyring that answers reads and refuses writes.
struct KeyringOrFile {
    keyring: Box<dyn SecretStore>,
    file: FileStore,
    note: Box<dyn Fn(&str) + Send + Sync>,
}

impl SecretStore for KeyringOrFile {
    fn get(&self, name: &str) -> Option<Secret<String>> {
        self.keyring.get(name).or_else(|| self.file.get(name))
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<String> {
        match self.keyring.set(name, value) {
            Ok(kept) => {
                // An older copy in the file would outlive a later logout of the keyring's one.
                self.file.delete(name);
                Ok(kept)
            }
            Err(e) => {
                (self.note)(&format!(
                    "{} refused to keep the session ({e}); it goes to a 0600 file in the cache directory",
                    self.keyring.describe()
                ));
                self.file.set(name, value)
            }
        }
    }

    fn delete(&self, name: &str) -> bool {
        // Both: a session may sit in either.
        let in_keyring = self.keyring.delete(name);
        self.file.delete(name) || in_keyring
    }

    fn describe(&self) -> String {
        self.keyring.describe()
    }

    fn names(&self) -> Vec<String> {
        let mut names = self.keyring.names();
        names.extend(self.file.names());
        names
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

    /// Every kept name (none when the file is missing or damaged).
    pub fn names(&self) -> Vec<String> {
        self.entries().into_iter().map(|k| k.name).collect()
    }

    /// Every kept entry, with where and since when.
    pub fn entries(&self) -> Vec<Kept> {
        read_private(&self.path)
            .map(|b| index_from(&b))
            .unwrap_or_default()
    }

    fn save(&self, entries: &[Kept]) -> Result<()> {
        let entries: Vec<IndexEntry> = entries
            .iter()
            .map(|k| IndexEntry::Kept {
                name: k.name.clone(),
                store: k.store.clone(),
                since: k.since,
            })
            .collect();
        write_private(
            &self.path,
            &serde_json::to_vec(&entries).unwrap_or_default(),
        )
    }

    /// Remember that `name` is kept, in `store` (under the index's lock: parallel runs lose no
    /// entry); an entry kept again is kept since now.
    pub fn add(&self, name: &str, store: Option<&str>) {
        let _ = locked(&self.path, || {
            let mut entries = self.entries();
            entries.retain(|k| k.name != name);
            entries.push(Kept {
                name: name.to_owned(),
                store: store.map(str::to_owned),
                since: Some(Utc::now()),
            });
            self.save(&entries)
        });
    }

    /// Forget `name`.
    pub fn remove(&self, name: &str) {
        let _ = locked(&self.path, || {
            let mut entries = self.entries();
            let before = entries.len();
            entries.retain(|k| k.name != name);
            if entries.len() == before {
                return Ok(());
            }
            self.save(&entries)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyring that answers reads and refuses every write (a locked collection).
    struct Refusing;

    impl SecretStore for Refusing {
        fn get(&self, _: &str) -> Option<Secret<String>> {
            None
        }
        fn set(&self, _: &str, _: &Secret<String>) -> Result<String> {
            Err(Error::Internal("locked".into()))
        }
        fn delete(&self, _: &str) -> bool {
            false
        }
        fn describe(&self) -> String {
            "the refusing keyring".into()
        }
    }

    #[test]
    fn what_the_keyring_refuses_goes_to_the_file_and_is_found_there() {
        let dir = tempfile::tempdir().unwrap();
        let notes = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let seen = notes.clone();
        let store = KeyringOrFile {
            keyring: Box::new(Refusing),
            file: FileStore::new(dir.path()),
            note: Box::new(move |n| seen.lock().unwrap().push(n.to_owned())),
        };
        store.set("s", &Secret::new("cookie".into())).unwrap();
        assert_eq!(store.get("s").unwrap().expose(), "cookie");
        assert!(notes.lock().unwrap()[0].contains("the refusing keyring refused to keep"));
        assert!(store.delete("s"));
        assert!(store.get("s").is_none());
    }

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
    fn kernel_key_names_are_read_from_proc_keys() {
        let text = "1f2e3d4c I--Q---     1 perm 3f010000     0     0 user      keyring-rs:session https://org.example.com/ jane@example.com@aws-token: 120\n\
                    0aa0aa0a I--Q---     1 perm 3f010000     0     0 keyring   _ses: 1\n\
                    0bb0bb0b I--Q---     1 perm 3f010000     0     0 user      keyring-rs:someone@other-app: 10\n";
        assert_eq!(
            kernel_key_names(text),
            ["session https://org.example.com/ jane@example.com"]
        );
    }

    #[test]
    fn the_index_lists_names() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::new(dir.path());
        index.add("x", Some("the kernel keyring"));
        index.add("y", None);
        index.add("x", Some("a file"));
        assert_eq!(index.names(), ["y", "x"]);
        let x = &index.entries()[1];
        assert_eq!(x.store.as_deref(), Some("a file"));
        assert!(x.since.is_some());
        index.remove("x");
        assert_eq!(index.names(), ["y"]);
    }

    #[test]
    fn an_index_of_bare_names_from_an_earlier_version_is_read() {
        let kept = index_from(br#"["session https://a/ -", {"name": "password https://a/ u", "store": "the kernel keyring"}]"#);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].name, "session https://a/ -");
        assert_eq!(kept[0].store, None);
        assert_eq!(kept[1].store.as_deref(), Some("the kernel keyring"));
    }
}
