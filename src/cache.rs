//! aws-token's cache directory (`$XDG_CACHE_HOME/aws-token`, else `~/.cache/aws-token`; 0700, files
//! 0600, as the AWS CLI keeps its own): cached credentials keyed by (IdP URL, account, role,
//! duration), and one lock per key so that parallel callers wait for one login instead of each
//! making their own. The lock is an OS advisory lock: it dies with its holder, a crash never leaves
//! it stuck. Cached credentials never go into the credentials file.
//!
//! The directory and its files are trusted only when they are the user's own and private (issue
//! 19.6): a directory another user owns is refused, a loose one tightened; a file is read only when
//! it is a regular file of the user's (never through a symlink), at most `MAX_FILE` bytes, and not
//! writable by others (it is ignored then: anyone could have planted it); lock files are never
//! opened through a symlink.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::sts::Credentials;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The largest cache file read: kept sessions and cached credentials of many orgs are a few KB.
pub const MAX_FILE: u64 = 1 << 20;

/// How long a change of a shared cache file (the kept-secrets index, the file store) waits for
/// another aws-token changing it.
const SHARED_FILE_WAIT: Duration = Duration::from_secs(10);

/// What identifies one set of cached credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub idp_url: String,
    /// The IdP username asked for (`--username`), empty when none was given: one user's cached
    /// credentials are never another's.
    pub username: String,
    /// The account number the credentials are for (after chaining, the target's).
    pub account: String,
    /// The role as asked for (`--role`, a name or an ARN), empty when the login chose it.
    pub role: String,
    /// `--durationSeconds`, 0 when not given.
    pub duration: i32,
}

impl Key {
    /// The file stem for this key: a hash, so no name or URL ends up in a file name.
    fn stem(&self) -> String {
        // Usernames without case, as the IdPs compare them.
        let username = self.username.to_lowercase();
        hashed_name(&[
            self.idp_url.as_bytes(),
            username.as_bytes(),
            self.account.as_bytes(),
            self.role.as_bytes(),
            self.duration.to_string().as_bytes(),
        ])
    }
}

/// A file name stem for `parts` (128 bits of SHA-256, hex): what a cache file is about, without
/// a name, URL or path in the file name.
pub fn hashed_name(parts: &[&[u8]]) -> String {
    let mut h = sha2::Sha256::new();
    for part in parts {
        h.update(part);
        h.update([0u8]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Write `bytes` to `path` in the cache directory: the directory made 0700 when missing, a 0600
/// temporary file beside `path`, fsynced and renamed into place, so a reader sees the old file or
/// the new one and no other user ever sees either.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, true)
}

/// Make sure `dir` is a private directory of the user's: created 0700 when missing; one owned by
/// another user is refused (whoever owns it can read and replace what aws-token keeps there); one
/// of the user's that others may enter is tightened to 0700, and the returned note says so.
pub fn secure_dir(dir: &Path) -> Result<Option<String>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::file(dir, "cannot create the cache directory", &e))?;
    let meta = std::fs::metadata(dir)
        .map_err(|e| Error::file(dir, "cannot read the cache directory", &e))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Error::File {
            path: dir.to_owned(),
            message: format!(
                "the cache directory belongs to user id {}, not to you ({me}): whoever owns it could read or replace the sessions and credentials kept there; remove it, or point XDG_CACHE_HOME at a directory of your own",
                meta.uid()
            ),
        });
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::file(dir, "cannot make the cache directory private (0700)", &e))?;
    Ok(Some(format!(
        "{}: the cache directory was open to others (mode {mode:o}); it is now 0700",
        dir.display()
    )))
}

/// Open `path` for reading without following a symlink.
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nofollow())
        .open(path)
}

/// `O_NOFOLLOW`: opening a symlink fails instead of opening what it points at.
fn nofollow() -> i32 {
    i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0)
}

/// The bytes of the cache file `path` when it can be trusted: a regular file of the user's, not a
/// symlink, at most `MAX_FILE` bytes, not writable by others. One that others may read is made
/// 0600 first (it may hold secrets). Anything else is no file.
pub fn read_private(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let file = open_nofollow(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file()
        || meta.uid() != rustix::process::geteuid().as_raw()
        || meta.len() > MAX_FILE
        || meta.mode() & 0o022 != 0
    {
        return None;
    }
    if meta.mode() & 0o044 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .ok()?;
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_FILE).then_some(bytes)
}

/// Open (creating it 0600) the lock file `path`: never through a symlink, so a link planted as the
/// lock cannot make aws-token create or lock a file elsewhere.
fn open_lock(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(nofollow())
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                Error::File {
                    path: path.to_owned(),
                    message:
                        "the lock file is a symbolic link, which aws-token never follows: remove it"
                            .into(),
                }
            } else {
                Error::file(path, "cannot open the lock file", &e)
            }
        })
}

/// Wait up to `wait` for the exclusive lock of `file`; false when another holder kept it.
fn lock_within(file: &std::fs::File, wait: Duration) -> std::io::Result<bool> {
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        if start.elapsed() >= wait {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Run `change` (a read-modify-write of the shared file `path`) while holding `path`'s lock, so
/// parallel runs never lose each other's entries. The lock is `path` + `.lock` beside it.
pub fn locked<T>(path: &Path, change: impl FnOnce() -> Result<T>) -> Result<T> {
    let dir = path.parent().unwrap_or(Path::new("."));
    secure_dir(dir)?;
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = open_lock(&lock_path)?;
    if !lock_within(&file, SHARED_FILE_WAIT)
        .map_err(|e| Error::file(&lock_path, "cannot lock", &e))?
    {
        return Err(Error::File {
            path: lock_path,
            message: format!(
                "another aws-token has held this lock for more than {} s; try again",
                SHARED_FILE_WAIT.as_secs()
            ),
        });
    }
    let out = change();
    drop(file);
    out
}

/// Write `bytes` to `path` in the cache directory as `write_private` does, but without the fsync:
/// for what only saves a later run a question or a round trip (the org's last username, its roles),
/// never for credentials or sessions. A crash leaves the old file or the new one, maybe the old.
pub fn write_hint(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, false)
}

/// Replace `path` by a 0600 temporary file beside it holding `bytes` (fsynced first when
/// `durable`), in a private directory.
fn replace(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    secure_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".aws-token-")
        .tempfile_in(dir)
        .map_err(|e| Error::file(dir, "cannot create a temporary file", &e))?;
    tmp.write_all(bytes)
        .and_then(|()| {
            if durable {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| Error::file(path, "cannot write", &e))?;
    tmp.persist(path)
        .map_err(|e| Error::file(path, "cannot replace the file", &e.error))?;
    Ok(())
}

/// The cached form of credentials (the credential_process fields, plus what a later run needs).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: DateTime<Utc>,
    assumed_role_arn: String,
    region: String,
    /// The IdP org the credentials came from (scheme://host:port/), for `logout`.
    #[serde(default)]
    org: String,
}

/// Cached credentials with the region they were obtained for.
#[derive(Debug)]
pub struct Cached {
    pub credentials: Credentials,
    pub region: String,
}

/// The credentials a cache file's `bytes` hold when they are valid for longer than `margin` at
/// `now`; anything else (not JSON, a field missing, expired) is no entry.
pub(crate) fn cached_from(bytes: &[u8], now: DateTime<Utc>, margin: Duration) -> Option<Cached> {
    let e: Entry = serde_json::from_slice(bytes).ok()?;
    let margin = chrono::Duration::from_std(margin).ok()?;
    if e.expiration.checked_sub_signed(margin)? <= now {
        return None;
    }
    Some(Cached {
        credentials: Credentials {
            access_key_id: Secret::new(e.access_key_id),
            secret_access_key: Secret::new(e.secret_access_key),
            session_token: Secret::new(e.session_token),
            expiration: e.expiration,
            assumed_role_arn: e.assumed_role_arn,
        },
        region: e.region,
    })
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache at `dir` (created, 0700, when first written).
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    fn path(&self, key: &Key, ext: &str) -> PathBuf {
        self.dir.join(format!("credentials-{}.{ext}", key.stem()))
    }

    /// The credentials cached for `key` when they are valid for longer than `margin` at `now`.
    /// A missing, unreadable or expired entry is no entry.
    pub fn get(&self, key: &Key, now: DateTime<Utc>, margin: Duration) -> Option<Cached> {
        cached_from(&read_private(&self.path(key, "json"))?, now, margin)
    }

    /// Store `creds` for `key`: a 0600 temporary file renamed into place, so readers see the old
    /// entry or the new one.
    pub fn put(&self, key: &Key, creds: &Credentials, region: &str) -> Result<()> {
        let org = url::Url::parse(&key.idp_url)
            .map(|u| crate::idp::org_of(&u).to_string())
            .unwrap_or_default();
        let entry = Entry {
            access_key_id: creds.access_key_id.expose().clone(),
            secret_access_key: creds.secret_access_key.expose().clone(),
            session_token: creds.session_token.expose().clone(),
            expiration: creds.expiration,
            assumed_role_arn: creds.assumed_role_arn.clone(),
            region: region.to_owned(),
            org,
        };
        let text = Secret::new(
            serde_json::to_vec(&entry)
                .map_err(|e| Error::Internal(format!("cannot encode the cache entry: {e}")))?,
        );
        write_private(&self.path(key, "json"), text.expose())
    }

    /// Forget every cached credential of `org` (every org when `None`); returns how many.
    pub fn remove_org(&self, org: Option<&url::Url>) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("credentials-") && name.ends_with(".json")) {
                continue;
            }
            let ours = match org {
                None => true,
                Some(o) => read_private(&path)
                    .and_then(|b| serde_json::from_slice::<Entry>(&b).ok())
                    .is_some_and(|e| e.org == o.as_str()),
            };
            if ours && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Take the lock for `key`, waiting up to `wait` for another aws-token that holds it (one
    /// login for many callers). Released when the returned value is dropped, or when the holder
    /// dies.
    pub fn lock(&self, key: &Key, wait: Duration) -> Result<KeyLock> {
        secure_dir(&self.dir)?;
        let path = self.path(key, "lock");
        let file = open_lock(&path)?;
        if lock_within(&file, wait).map_err(|e| Error::file(&path, "cannot lock", &e))? {
            return Ok(KeyLock { _file: file });
        }
        Err(Error::File {
            path,
            message: format!(
                "another aws-token has been logging in for the same role for more than {} s (waiting for MFA?); finish or stop that one, or try again",
                wait.as_secs()
            ),
        })
    }

    /// Every set of cached credentials, without their secrets (for `status`); soonest expiry
    /// first.
    pub fn list(&self) -> Vec<Listed> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut listed: Vec<Listed> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("credentials-") && name.ends_with(".json")
            })
            .filter_map(|e| {
                let entry: Entry = serde_json::from_slice(&read_private(&e.path())?).ok()?;
                Some(Listed {
                    assumed_role_arn: entry.assumed_role_arn,
                    org: entry.org,
                    region: entry.region,
                    expiration: entry.expiration,
                })
            })
            .collect();
        listed.sort_by(|a, b| {
            (a.expiration, &a.assumed_role_arn).cmp(&(b.expiration, &b.assumed_role_arn))
        });
        listed
    }

    /// The directory, for messages.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A held per-key lock.
/// What `status` shows of a cached set of credentials: no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub assumed_role_arn: String,
    /// The IdP org they came from (empty in entries of earlier versions).
    pub org: String,
    pub region: String,
    pub expiration: DateTime<Utc>,
}

#[derive(Debug)]
pub struct KeyLock {
    _file: std::fs::File,
}

/// One sign-in per IdP user at a time: the lock a login holds from before it reads the kept
/// session until it has kept the new one, per (org, username) — usernames compared as Okta does,
/// without case. Parallel callers for different roles (Terraform's providers, `xargs -P`, two
/// terminals) then ask once: the first signs in on the terminal, the others wait and use the
/// session it kept.
#[derive(Debug, Clone)]
pub struct SignIns {
    dir: PathBuf,
    wait: Duration,
}

impl SignIns {
    /// Locks in `dir` (the cache directory), each waited for up to `wait`.
    pub fn new(dir: PathBuf, wait: Duration) -> SignIns {
        SignIns { dir, wait }
    }

    /// Hold the sign-in of `username` (the org's only one, when not known yet) at `org`;
    /// `waiting` is called once when another aws-token holds it.
    pub fn hold(
        &self,
        org: &url::Url,
        username: Option<&str>,
        waiting: impl FnOnce(),
    ) -> Result<KeyLock> {
        secure_dir(&self.dir)?;
        let username = username.unwrap_or_default().to_lowercase();
        let name = hashed_name(&[org.as_str().as_bytes(), username.as_bytes()]);
        let path = self.dir.join(format!("signin-{name}.lock"));
        let file = open_lock(&path)?;
        match file.try_lock() {
            Ok(()) => return Ok(KeyLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => waiting(),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::file(&path, "cannot lock", &e));
            }
        }
        if lock_within(&file, self.wait).map_err(|e| Error::file(&path, "cannot lock", &e))? {
            return Ok(KeyLock { _file: file });
        }
        Err(Error::File {
            path,
            message: format!(
                "another aws-token has been signing in as the same user for more than {} s (waiting for MFA?); finish or stop that one, or try again",
                self.wait.as_secs()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(role: &str) -> Key {
        Key {
            idp_url: "https://example.okta.com/home/amazon_aws/0oa1/272".into(),
            username: "jane@example.com".into(),
            account: "111111111111".into(),
            role: role.into(),
            duration: 0,
        }
    }

    fn creds(expiration: DateTime<Utc>) -> Credentials {
        Credentials {
            access_key_id: Secret::new("ASIAEXAMPLE".into()),
            secret_access_key: Secret::new("secret".into()),
            session_token: Secret::new("token".into()),
            expiration,
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/Admin/jane".into(),
        }
    }

    #[test]
    fn entries_are_reused_until_the_refresh_margin() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("aws-token"));
        let now = Utc::now();
        let margin = Duration::from_secs(15 * 60);
        cache
            .put(
                &key("Admin"),
                &creds(now + chrono::Duration::minutes(60)),
                "us-east-1",
            )
            .unwrap();
        let got = cache.get(&key("Admin"), now, margin).unwrap();
        assert_eq!(got.credentials.access_key_id.expose(), "ASIAEXAMPLE");
        assert_eq!(got.region, "us-east-1");
        assert!(cache.get(&key("ReadOnly"), now, margin).is_none());
        // 46 minutes on, the entry is inside the margin: not served.
        assert!(
            cache
                .get(&key("Admin"), now + chrono::Duration::minutes(46), margin)
                .is_none()
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(cache.dir()), 0o700);
        assert_eq!(mode(&cache.path(&key("Admin"), "json")), 0o600);
    }

    #[test]
    fn a_held_lock_makes_the_next_caller_wait_then_fail_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let held = cache.lock(&key("Admin"), Duration::from_secs(1)).unwrap();
        let e = cache
            .lock(&key("Admin"), Duration::from_millis(100))
            .unwrap_err();
        assert!(
            e.to_string().contains("logging in for the same role"),
            "{e}"
        );
        drop(held);
        cache
            .lock(&key("Admin"), Duration::from_millis(100))
            .unwrap();
    }
}
