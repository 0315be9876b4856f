//! IdP sessions kept between runs (issue 14): after a login, the IdP's session cookies are kept in
//! the secret store per IdP org and username; a later run for any account or role of that org
//! tries them at the embed link first — no password, no MFA — and drops them when the IdP no
//! longer accepts them. Entries live until the IdP refuses them or `logout`.

use crate::keyring::{Index, SecretStore};
use crate::secret::Secret;

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
    format!("session {} {}", org.as_str(), username.unwrap_or("-"))
}

impl Sessions {
    /// Sessions in `store`, listed in `index`.
    pub fn new(store: Box<dyn SecretStore>, index: Index) -> Sessions {
        Sessions { store, index }
    }

    /// The session kept for `org` and `username`.
    pub fn get(&self, org: &url::Url, username: Option<&str>) -> Option<Secret<String>> {
        self.store.get(&name(org, username))
    }

    /// Keep `cookies` for `org` and `username`.
    pub fn keep(&self, org: &url::Url, username: Option<&str>, cookies: &Secret<String>) {
        let n = name(org, username);
        if self.store.set(&n, cookies).is_ok() {
            self.index.add(&n);
        }
    }

    /// Forget the session of `org` and `username`.
    pub fn forget(&self, org: &url::Url, username: Option<&str>) {
        let n = name(org, username);
        self.store.delete(&n);
        self.index.remove(&n);
    }

    /// Forget every kept session of `org` (every org when `None`); returns how many.
    pub fn forget_all(&self, org: Option<&url::Url>) -> usize {
        let prefix = org.map(|o| format!("session {} ", o.as_str()));
        let mut removed = 0;
        for n in self.index.names() {
            let ours = match &prefix {
                Some(p) => n.starts_with(p.as_str()),
                None => n.starts_with("session "),
            };
            if ours {
                self.store.delete(&n);
                self.index.remove(&n);
                removed += 1;
            }
        }
        removed
    }

    /// Where they are kept, for messages.
    pub fn describe(&self) -> String {
        self.store.describe()
    }
}
