//! Resolve flags, environment and config.json into one `Settings` value, before any network call:
//! which config file, which account and IdP URL, whether the role is reached by chaining, where the
//! files are. Everything wrong with the input is found here, with exit code 2.

use crate::cli::{Cli, MfaKind, OutputFormat};
use crate::config::FieldNames;
use crate::config::{self, Config, ConfigSource};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::idp::browser::{Mode as BrowserMode, find_chromium};
use crate::idp::okta::pipeline::Pipeline;
use crate::secret::Secret;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the wanted account is reached from the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Log in to the account's own app; keep only the roles in `account_number` when the assertion
    /// spans several accounts.
    Direct { account_number: String },
    /// Log in through the organisation's app, then AssumeRole into the role of the same name in
    /// `account_number` (the seed's role chaining).
    Chained { account_number: String },
}

/// Which login method to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// Okta Classic Authn API.
    Okta,
    /// A plain HTML login form, with optional field names.
    Form(FieldNames),
    /// Microsoft Entra ID, in the terminal.
    Entra,
    /// A real Chromium: filling Okta's page, or a window for the user.
    Browser {
        mode: BrowserMode,
        executable: PathBuf,
        headed: bool,
        step_timeout: Duration,
    },
}

/// Everything a run needs, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config_path: PathBuf,
    pub provider: ProviderKind,
    pub idp_url: url::Url,
    pub account_name: String,
    /// Every account of config.json: (name, account number).
    pub account_names: Vec<(String, String)>,
    /// The accounts logged in to directly through `idp_url` (their own URL, or the default
    /// account's top-level one): the names `--all` gives their roles' profiles.
    pub direct_accounts: Vec<String>,
    pub target: Target,
    pub username: Option<String>,
    /// The username last used at the org (`usernames.json`), offered when the login asks for one.
    pub suggested_username: Option<String>,
    pub password: Option<Secret<String>>,
    pub otp: Option<Secret<String>>,
    pub mfa: Option<MfaKind>,
    /// `--duo-device`: which of the user's Duo devices.
    pub duo_device: Option<String>,
    pub role: Option<String>,
    pub profile: String,
    pub duration: Option<i32>,
    pub output: OutputFormat,
    pub region: Option<String>,
    pub aws_output_format: Option<String>,
    pub credentials_file: PathBuf,
    pub aws_config_file: PathBuf,
    pub sts_endpoint: Option<String>,
    /// Connect and read timeouts of every IdP and STS request.
    pub timeouts: crate::idp::http::Timeouts,
    pub mfa_timeout: Duration,
    pub debug: bool,
    /// Log in even while credentials are still valid.
    pub force: bool,
    /// Nobody answers this login (the credential endpoint's renewal): no MFA step is taken.
    pub unattended: bool,
    /// Only the kept IdP session may sign in: no password, not even a remembered one.
    pub session_only: bool,
    /// `--all`: a profile for every role the login grants.
    pub all: bool,
    /// `--remember`: keep the password in the OS keyring.
    pub remember: bool,
    /// Credentials are renewed this long before they expire.
    pub refresh_margin: Duration,
    /// aws-token's cache: `$XDG_CACHE_HOME/aws-token`, else `~/.cache/aws-token`.
    pub cache_dir: PathBuf,
    /// Provider okta: the pipeline config.json forces (`oktaPipeline`, or provider `okta-idx`).
    pub okta_pipeline: Option<Pipeline>,
    /// Provider entra: hosts besides Microsoft's sign-in hosts that may get the password
    /// (config.json's `passwordHosts`).
    pub password_hosts: Vec<String>,
}

/// botocore's own refresh window.
const DEFAULT_REFRESH_MARGIN_MINUTES: u32 = 15;

impl Settings {
    /// The username this run signs in as, as far as it is known before the login: the one given,
    /// else the one last used at the org. Sessions, passwords and cached credentials are kept
    /// under it.
    pub fn effective_username(&self) -> Option<&str> {
        self.username
            .as_deref()
            .or(self.suggested_username.as_deref())
    }

    /// Resolve `cli` against the environment: find and read config.json, pick the account.
    pub fn resolve(cli: Cli, env: &Environment) -> Result<Settings> {
        let source = find_config(cli.config.as_deref(), env)?;
        let config = source.load()?;
        Settings::from_config(cli, config, source.label(), env)
    }

    /// Resolve with an already loaded config.
    pub fn from_config(
        cli: Cli,
        config: Config,
        config_path: PathBuf,
        env: &Environment,
    ) -> Result<Settings> {
        let (account_name, account) = match cli
            .account
            .as_deref()
            .or(config.default_account.as_deref())
        {
            Some(name) => match config.accounts.get(name) {
                Some(a) => (name.to_owned(), a.clone()),
                None => {
                    return Err(Error::config(
                        &config_path,
                        format!(
                            "unknown account {name:?}; accounts: {}",
                            config.account_names()
                        ),
                    ));
                }
            },
            None if config.accounts.len() == 1 => {
                let (n, a) = config
                    .accounts
                    .iter()
                    .next()
                    .ok_or_else(|| Error::Internal("one account".into()))?;
                (n.clone(), a.clone())
            }
            None => {
                return Err(Error::config(
                    &config_path,
                    format!(
                        "no \"defaultAccount\" and no --account; pass --account with one of: {}",
                        config.account_names()
                    ),
                ));
            }
        };

        let is_default = config.default_account.as_deref() == Some(account_name.as_str())
            || config.default_account.is_none();
        let default_url = config
            .default_account
            .as_ref()
            .and_then(|d| config.accounts.get(d))
            .and_then(|a| a.idp_entry_url());
        let number = account.number().to_owned();
        let (url, target) = match account.idp_entry_url() {
            Some(own) => (
                Some(own),
                Target::Direct {
                    account_number: number,
                },
            ),
            None if is_default => (
                config.idp_entry_url.as_deref(),
                Target::Direct {
                    account_number: number,
                },
            ),
            None => (
                config.idp_entry_url.as_deref().or(default_url),
                Target::Chained {
                    account_number: number,
                },
            ),
        };
        let url = url.ok_or_else(|| {
            Error::config(
                &config_path,
                format!("account {account_name:?} has no \"idpEntryUrl\" and there is no top-level \"idpEntryUrl\""),
            )
        })?;
        let idp_url = config::check_url(url).map_err(|m| Error::config(&config_path, m))?;

        let provider = match config.provider.as_deref() {
            None | Some("okta" | "okta-idx") => ProviderKind::Okta,
            Some("form") => ProviderKind::Form(config.form.clone().unwrap_or_default()),
            Some("entra") => ProviderKind::Entra,
            Some(name @ ("okta-browser" | "browser")) => {
                let mode = if name == "browser" {
                    BrowserMode::Manual
                } else {
                    BrowserMode::Okta
                };
                let executable = find_chromium(cli.browser.as_deref(), env.var("PATH"))?;
                let display = cfg!(target_os = "macos")
                    || env.var("DISPLAY").is_some()
                    || env.var("WAYLAND_DISPLAY").is_some();
                if mode == BrowserMode::Manual && !display {
                    return Err(Error::Usage(
                        "provider \"browser\" opens a window for you to log in, but there is no display (DISPLAY is not set); use \"okta-browser\" or run where a desktop is".into(),
                    ));
                }
                ProviderKind::Browser {
                    mode,
                    executable,
                    headed: mode == BrowserMode::Manual || (cli.debug && display),
                    step_timeout: Duration::from_secs(cli.browser_timeout.max(1)),
                }
            }
            Some(other) => {
                return Err(Error::config(
                    &config_path,
                    format!("\"provider\": {other:?} is not supported"),
                ));
            }
        };

        let profile = cli.profile.clone().unwrap_or_else(|| account_name.clone());
        check_profile_name(&profile)?;

        let home = env.home.as_deref();
        let credentials_file = match env.var("AWS_SHARED_CREDENTIALS_FILE") {
            Some(p) => expand_tilde(p, home),
            None => {
                let home = home.ok_or_else(|| {
                    Error::config(
                        &config_path,
                        "HOME is not set; set HOME or AWS_SHARED_CREDENTIALS_FILE",
                    )
                })?;
                let rel = config
                    .aws_config_path
                    .as_deref()
                    .unwrap_or("/.aws/credentials");
                join_to_home(home, rel)
            }
        };
        let aws_config_file = match env.var("AWS_CONFIG_FILE") {
            Some(p) => expand_tilde(p, home),
            None => match home {
                Some(h) => h.join(".aws/config"),
                None => credentials_file.with_file_name("config"),
            },
        };

        let cache_dir = match (env.var("XDG_CACHE_HOME"), home) {
            (Some(x), _) => PathBuf::from(x).join("aws-token"),
            (None, Some(h)) => h.join(".cache/aws-token"),
            (None, None) => credentials_file.with_file_name("aws-token-cache"),
        };
        let account_names = config
            .accounts
            .iter()
            .map(|(name, a)| (name.clone(), a.number().to_owned()))
            .collect();
        let direct_accounts = config
            .accounts
            .iter()
            .filter(|(name, a)| {
                let effective = match a.idp_entry_url() {
                    Some(own) => Some(own),
                    None if config.default_account.as_deref() == Some(name.as_str()) => {
                        config.idp_entry_url.as_deref()
                    }
                    None => None,
                };
                effective.is_some_and(|u| url::Url::parse(u).is_ok_and(|u| u == idp_url))
            })
            .map(|(name, _)| name.clone())
            .collect();
        Ok(Settings {
            config_path,
            account_names,
            direct_accounts,
            provider,
            idp_url,
            account_name,
            target,
            username: cli.username.filter(|u| !u.is_empty()),
            suggested_username: None,
            password: cli.password.filter(|p| !p.is_empty()).map(Secret::new),
            otp: cli.otp.filter(|p| !p.is_empty()).map(Secret::new),
            mfa: cli.mfa,
            duo_device: cli.duo_device.filter(|d| !d.is_empty()),
            // config.json's defaultRole when none is asked (--all wants every role).
            role: cli.role.filter(|r| !r.is_empty()).or_else(|| {
                (!cli.all)
                    .then(|| config.default_role.clone())
                    .flatten()
                    .filter(|r| !r.is_empty())
            }),
            profile,
            duration: cli.duration_seconds,
            output: cli.output,
            region: config.region.clone(),
            aws_output_format: config.output_format.clone(),
            credentials_file,
            aws_config_file,
            sts_endpoint: sts_endpoint(env)?,
            timeouts: crate::idp::http::Timeouts {
                connect: Duration::from_secs(cli.connect_timeout),
                read: Duration::from_secs(cli.read_timeout),
                total: Duration::from_secs(cli.request_timeout),
            },
            mfa_timeout: Duration::from_secs(cli.mfa_timeout.max(1)),
            debug: cli.debug,
            force: cli.force,
            unattended: false,
            session_only: false,
            all: cli.all,
            remember: cli.remember,
            refresh_margin: Duration::from_secs(
                60 * u64::from(
                    cli.refresh_margin
                        .or(config.refresh_margin_minutes)
                        .unwrap_or(DEFAULT_REFRESH_MARGIN_MINUTES),
                ),
            ),
            cache_dir,
            password_hosts: config
                .password_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            okta_pipeline: match config.provider.as_deref() {
                Some("okta-idx") => Some(Pipeline::IdentityEngine),
                _ => config.okta_pipeline.as_deref().and_then(Pipeline::parse),
            },
        })
    }
}

/// `--config`, else AWS_TOKEN_CONFIG (through clap), else the search path, else the config
/// embedded at build time.
pub fn find_config(flag: Option<&Path>, env: &Environment) -> Result<ConfigSource> {
    if let Some(p) = flag {
        return Ok(ConfigSource::File(p.to_path_buf()));
    }
    let xdg = env.var("XDG_CONFIG_HOME").map(PathBuf::from);
    let candidates = config::search_path(&env.cwd, xdg.as_deref(), env.home.as_deref());
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(ConfigSource::File(found.clone()));
    }
    if let Some((_, built_from)) = config::embedded() {
        return Ok(ConfigSource::Embedded {
            built_from: built_from.to_owned(),
        });
    }
    let looked = candidates
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::config(
        "config.json",
        format!(
            "no config file found (looked in {looked}); run `aws-token configure` to write one from your AWS app's link, or pass --config PATH (or set AWS_TOKEN_CONFIG)"
        ),
    ))
}

/// The seed joins `awsConfigPath` to the home directory: `/.aws/credentials` -> `~/.aws/credentials`.
fn join_to_home(home: &Path, rel: &str) -> PathBuf {
    let rel = rel.strip_prefix('~').unwrap_or(rel);
    home.join(rel.trim_start_matches('/'))
}

fn expand_tilde(p: &str, home: Option<&Path>) -> PathBuf {
    match (p.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(p),
    }
}

/// A profile name becomes an INI section header: refuse what would break the file.
pub fn check_profile_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@+/:".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "profile name {name:?} is not allowed: use letters, digits and - _ . @ + / :"
        )))
    }
}

/// AWS_ENDPOINT_URL_STS (else AWS_ENDPOINT_URL): a URL, https unless the host is loopback — the SAML
/// assertion it carries is a bearer credential and must not cross a network in clear text.
fn sts_endpoint(env: &Environment) -> Result<Option<String>> {
    let Some((name, raw)) = [("AWS_ENDPOINT_URL_STS"), ("AWS_ENDPOINT_URL")]
        .into_iter()
        .find_map(|n| env.var(n).map(|v| (n, v)))
    else {
        return Ok(None);
    };
    config::check_url(raw)
        .map(|_| Some(raw.to_owned()))
        .map_err(|m| Error::Usage(format!("{name}: {m}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(args: &[&str], json: &str) -> Result<Settings> {
        let cli =
            Cli::try_parse_from(std::iter::once("aws-token").chain(args.iter().copied())).unwrap();
        let config = Config::parse(json, Path::new("c.json"))?;
        let env = Environment {
            home: Some(PathBuf::from("/home/u")),
            ..Default::default()
        };
        Settings::from_config(cli, config, PathBuf::from("c.json"), &env)
    }

    const CFG: &str = r#"{"idpEntryUrl":"https://o.okta.com/home/amazon_aws/top/1","defaultAccount":"staging",
        "accounts":{"staging":{"accountNumber":"111111111111","idpEntryUrl":"https://o.okta.com/home/amazon_aws/stg/1"},
                    "development":"222222222222",
                    "prod":{"accountNumber":"333333333333","idpEntryUrl":"https://o.okta.com/home/amazon_aws/prd/1"}}}"#;

    #[test]
    fn default_account_logs_in_directly_with_its_own_url() {
        let s = settings(&[], CFG).unwrap();
        assert_eq!(s.idp_url.path(), "/home/amazon_aws/stg/1");
        assert_eq!(
            s.target,
            Target::Direct {
                account_number: "111111111111".into()
            }
        );
        assert_eq!(s.profile, "staging");
        assert_eq!(
            s.credentials_file,
            PathBuf::from("/home/u/.aws/credentials")
        );
    }

    #[test]
    fn account_without_url_is_chained_through_the_top_level_url() {
        let s = settings(&["--account", "development"], CFG).unwrap();
        assert_eq!(s.idp_url.path(), "/home/amazon_aws/top/1");
        assert_eq!(
            s.target,
            Target::Chained {
                account_number: "222222222222".into()
            }
        );
    }

    #[test]
    fn chaining_falls_back_to_the_default_accounts_url() {
        let cfg = CFG.replace(
            r#""idpEntryUrl":"https://o.okta.com/home/amazon_aws/top/1","#,
            "",
        );
        let s = settings(&["--account", "development"], &cfg).unwrap();
        assert_eq!(s.idp_url.path(), "/home/amazon_aws/stg/1");
    }

    #[test]
    fn account_with_own_url_is_direct() {
        let s = settings(&["--account", "prod", "--profile", "p"], CFG).unwrap();
        assert_eq!(s.idp_url.path(), "/home/amazon_aws/prd/1");
        assert_eq!(s.profile, "p");
    }

    #[test]
    fn unknown_account_lists_the_known_ones() {
        let e = settings(&["--account", "nope"], CFG).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("development, prod, staging"), "{e}");
    }

    #[test]
    fn aws_config_path_is_joined_to_home() {
        let cfg = CFG.replacen('{', r#"{"awsConfigPath":"/creds/file","#, 1);
        let s = settings(&[], &cfg).unwrap();
        assert_eq!(s.credentials_file, PathBuf::from("/home/u/creds/file"));
    }

    #[test]
    fn bad_profile_names_are_refused() {
        assert!(settings(&["--profile", "a]b"], CFG).is_err());
        assert!(settings(&["--profile", "a b"], CFG).is_err());
    }
}
