//! What is kept between runs per IdP org and username (issue 14): the IdP's session cookies, in the
//! secret store (OS keyring, else the 0600 file), tried at the embed link before any password and
//! dropped when the IdP no longer accepts them; and, with `--remember`, the password, in the OS
//! keyring only (never a file), used instead of the prompt and forgotten when the IdP refuses it.
//! Entries live until the IdP refuses them or `logout`.

use crate::keyring::{Index, OsKeyring, SecretStore};
use crate::secret::Secret;

/// The largest kept session sent (IdPs refuse a Cookie header much past 8-16 KB).
const MAX_SESSION: usize = 16 * 1024;

/// Why a kept session cannot be sent as a Cookie header, if it cannot: too large, or holding a
/// byte no header may carry (a damaged or tampered store).
pub fn unsendable(cookies: &Secret<String>) -> Option<String> {
    let v = cookies.expose();
    if v.len() > MAX_SESSION {
        return Some(format!(
            "it is {} bytes, more than the {MAX_SESSION} an IdP takes",
            v.len()
        ));
    }
    if v.bytes()
        .any(|b| !(b == b'\t' || (0x20..0x7f).contains(&b)))
    {
        return Some("it holds characters no HTTP header may carry".into());
    }
    None
}

/// The `name=value` pairs of a kept session (a Cookie header's value), trimmed; pieces without
/// `=` are skipped. The one reader of a kept session: the HTTP client and Chromium both use it.
pub fn cookie_pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| !name.trim().is_empty())
}

/// The kept sessions of one store.
pub struct Sessions {
    store: Box<dyn SecretStore>,
    index: Index,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sessions({})", self.store.describe())
    }
}

/// The entry name for `org` (scheme://host:port/) and `username` (`-` when it was prompted).
pub fn name(org: &url::Url, username: Option<&str>) -> String {
    entry_name("session", org, username)
}

/// Usernames are compared as Okta and Entra compare them, without case: `Jane@Example.com` finds
/// what `jane@example.com` kept.
fn entry_name(kind: &str, org: &url::Url, username: Option<&str>) -> String {
    let username = username.map_or_else(|| "-".to_owned(), str::to_lowercase);
    format!("{kind} {} {username}", org.as_str())
}

/// The entry's name (`entry_name`), then the one an aws-token before usernames were compared
/// without case used (the username as spelt) when it differs: still read, and forgotten, so that
/// an upgrade loses no kept session or remembered password. A username already in lower case has
/// one name, and costs one look-up.
fn entry_names(kind: &str, org: &url::Url, username: Option<&str>) -> Vec<String> {
    let name = entry_name(kind, org, username);
    let as_spelt = format!("{kind} {} {}", org.as_str(), username.unwrap_or("-"));
    if as_spelt == name {
        vec![name]
    } else {
        vec![name, as_spelt]
    }
}

impl Sessions {
    /// Sessions in `store`, listed in `index`.
    pub fn new(store: Box<dyn SecretStore>, index: Index) -> Sessions {
        Sessions { store, index }
    }

    /// The session kept for `org` and `username`.
    pub fn get(&self, org: &url::Url, username: Option<&str>) -> Option<Secret<String>> {
        entry_names("session", org, username)
            .iter()
            .find_map(|n| self.store.get(n))
    }

    /// Keep `cookies` for `org` and `username`.
    pub fn keep(&self, org: &url::Url, username: Option<&str>, cookies: &Secret<String>) {
        let n = name(org, username);
        if let Ok(kept) = self.store.set(&n, cookies) {
            self.index.add(&n, Some(&kept));
        }
    }

    /// Forget the session of `org` and `username`.
    pub fn forget(&self, org: &url::Url, username: Option<&str>) {
        for n in entry_names("session", org, username) {
            self.store.delete(&n);
            self.index.remove(&n);
        }
    }

    /// Forget every kept session of `org` (every org when `None`); returns how many.
    pub fn forget_all(&self, org: Option<&url::Url>) -> usize {
        forget_all(self.store.as_ref(), &self.index, "session", org)
    }

    /// Where they are kept, for messages.
    pub fn describe(&self) -> String {
        self.store.describe()
    }
}

/// Forget every `kind` entry of `org` (every org when `None`) in `store`; returns how many.
fn forget_all(store: &dyn SecretStore, index: &Index, kind: &str, org: Option<&url::Url>) -> usize {
    let prefix = match org {
        Some(o) => format!("{kind} {} ", o.as_str()),
        None => format!("{kind} "),
    };
    // The index, and what the store lists by itself: a damaged or stale index (parallel runs of
    // an older aws-token lost entries) never leaves a session behind.
    let listed = index.names();
    let mut names: Vec<String> = listed
        .iter()
        .cloned()
        .chain(store.names())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    names.sort();
    names.dedup();
    let mut removed = 0;
    for n in names {
        if store.delete(&n) || listed.contains(&n) {
            removed += 1;
        }
        index.remove(&n);
    }
    removed
}

/// The index name of a wish to remember a password at the next login (no secret).
const WANTED: &str = "password-wanted";

/// Passwords remembered with `--remember`: the OS keyring only.
pub struct Passwords {
    store: OsKeyring,
    index: Index,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords")
    }
}

impl Passwords {
    /// The remembered passwords, when an OS keyring answers here.
    pub fn open(index: Index, os_keyring: Option<&OsKeyring>) -> Option<Passwords> {
        os_keyring.map(|k| Passwords {
            store: k.clone(),
            index,
        })
    }

    /// The password remembered for `org` and `username`.
    pub fn get(&self, org: &url::Url, username: &str) -> Option<Secret<String>> {
        entry_names("password", org, Some(username))
            .iter()
            .find_map(|n| self.store.get(n))
    }

    /// Remember `password` for `org` and `username`.
    pub fn keep(&self, org: &url::Url, username: &str, password: &Secret<String>) -> bool {
        let n = entry_name("password", org, Some(username));
        let Ok(kept) = self.store.set(&n, password) else {
            return false;
        };
        self.index.add(&n, Some(&kept));
        self.index.remove(&entry_name(WANTED, org, Some(username)));
        true
    }

    /// `--remember` was asked on a run that did not sign in (the profile was still valid): the
    /// next login of `org` and `username` keeps the password it uses.
    pub fn want(&self, org: &url::Url, username: &str) {
        self.index
            .add(&entry_name(WANTED, org, Some(username)), None);
    }

    /// Whether a run asked to remember the password of `org` and `username` and no login has
    /// kept it since.
    pub fn wanted(&self, org: &url::Url, username: &str) -> bool {
        let n = entry_name(WANTED, org, Some(username));
        self.index.names().contains(&n)
    }

    /// Forget the password of `org` and `username`.
    pub fn forget(&self, org: &url::Url, username: &str) {
        for n in entry_names("password", org, Some(username)) {
            self.store.delete(&n);
            self.index.remove(&n);
        }
    }

    /// Forget every remembered password of `org` (every org when `None`), and any wish to
    /// remember one; returns how many passwords.
    pub fn forget_all(&self, org: Option<&url::Url>) -> usize {
        let prefix = match org {
            Some(o) => format!("{WANTED} {} ", o.as_str()),
            None => format!("{WANTED} "),
        };
        for n in self.index.names() {
            if n.starts_with(&prefix) {
                self.index.remove(&n);
            }
        }
        forget_all(&self.store, &self.index, "password", org)
    }

    /// Where they are kept.
    pub fn describe(&self) -> String {
        self.store.describe()
    }
}
