//! The commands, one file each, and what they share: the `Context` of a run, the online world
//! (async runtime, HTTP client, IdP, STS, prompter) built only when a login is needed, and
//! credentials from the cache, with one login for every parallel caller of the same role.

pub mod configure;
pub mod console;
pub mod credential_process;
pub mod exec;
pub mod login;
pub mod logout;
pub mod profile_select;
pub mod profiles;
pub mod roles;
pub mod serve;
pub mod status;

use crate::cache::{Cache, Key};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::idp::IdentityProvider;
use crate::interrupt::Cleanup;
use crate::login::{Deps, Outcome};
use crate::prompt::{NoTerminal, Prompter, TerminalPrompter};
use crate::report::Reporter;
use crate::saml::{Assertion, AwsRole};
use crate::session::{Passwords, Sessions};
use crate::settings::{Settings, Target};
use crate::sts::{Credentials, Sts};
use crate::{clock, idp, keyring, sdk_http, sts, tls};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// One run: the resolved settings and the surroundings.
pub struct Context<'a> {
    pub settings: Settings,
    pub env: &'a Environment,
    pub reporter: &'a Reporter,
    pub cleanup: &'a Cleanup,
}

/// Makes an STS client for a region (known only once the assertion names the partition).
type StsFactory = Box<dyn Fn(&str) -> Box<dyn Sts>>;

/// What a login talks to, built on demand: nothing of it exists on the cached path.
pub struct Online {
    runtime: tokio::runtime::Runtime,
    http: idp::http::Http,
    idp: Box<dyn IdentityProvider>,
    prompter: Box<dyn Prompter>,
    make_sts: StsFactory,
    sessions: Option<Sessions>,
    passwords: Option<Passwords>,
    usernames: crate::usernames::Usernames,
    known_roles: crate::known_roles::KnownRoles,
    sign_ins: crate::cache::SignIns,
}

impl Online {
    /// Build the runtime, the one HTTP client, the IdP, STS and the prompter for `ctx`.
    pub fn new(ctx: &Context<'_>) -> Result<Online> {
        let settings = &ctx.settings;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
        let clock: Arc<dyn clock::Clock> = Arc::new(clock::SystemClock);
        let http = idp::http::Http::new(
            clock,
            ctx.reporter.clone(),
            tls::TrustSources::from_env(ctx.env),
            &idp::http::Proxies::from_env(|name| ctx.env.var(name).map(str::to_owned)),
            settings.timeouts,
        )?;
        let sdk_http = sdk_http::ReqwestHttpClient::new(http.client().clone());
        let idp = idp::build(
            settings,
            http.clone(),
            ctx.reporter,
            ctx.cleanup,
            idp::Devices::of(ctx.env),
        );
        let endpoint = settings.sts_endpoint.clone();
        let timeouts = settings.timeouts;
        let make_sts = Box::new(move |region: &str| -> Box<dyn Sts> {
            Box::new(sts::AwsSts::new(
                region.to_owned(),
                endpoint.clone(),
                sdk_http.clone(),
                timeouts,
            ))
        });
        // Every provider keeps the IdP's session and may use a remembered password.
        let (sessions, passwords) = {
            let (s, p) = kept(ctx);
            (Some(s), p)
        };
        Ok(Online {
            runtime,
            http,
            idp,
            prompter: prompter(ctx.env),
            make_sts,
            sessions,
            passwords,
            usernames: crate::usernames::Usernames::new(&settings.cache_dir),
            known_roles: crate::known_roles::KnownRoles::new(&settings.cache_dir),
            sign_ins: crate::cache::SignIns::new(settings.cache_dir.clone(), lock_wait(settings)),
        })
    }

    fn deps<'a>(&'a self, reporter: &'a Reporter) -> Deps<'a> {
        Deps {
            idp: self.idp.as_ref(),
            sts: &self.make_sts,
            prompter: self.prompter.as_ref(),
            reporter,
            sessions: self.sessions.as_ref(),
            passwords: self.passwords.as_ref(),
            usernames: Some(&self.usernames),
            known_roles: Some(&self.known_roles),
            sign_ins: Some(&self.sign_ins),
        }
    }

    /// Log in, to credentials.
    pub fn credentials(&self, settings: &Settings, reporter: &Reporter) -> Result<Outcome> {
        let deps = self.deps(reporter);
        self.runtime
            .block_on(crate::login::credentials(settings, &deps))
    }

    /// Log in once and assume every role the assertion grants (`--all`).
    pub fn every_role(
        &self,
        settings: &Settings,
        reporter: &Reporter,
        wanted: &dyn Fn(&AwsRole) -> bool,
    ) -> Result<crate::login::EveryRole> {
        let deps = self.deps(reporter);
        self.runtime
            .block_on(crate::login::every_role(settings, &deps, wanted))
    }

    /// Log in, to the assertion with every role it grants (no account filter).
    pub fn sign_in(&self, settings: &Settings, reporter: &Reporter) -> Result<Assertion> {
        let deps = self.deps(reporter);
        self.runtime
            .block_on(crate::login::sign_in(settings, &deps))
    }

    /// Log in, to the assertion and the roles it grants.
    pub fn assertion(
        &self,
        settings: &Settings,
        reporter: &Reporter,
    ) -> Result<(Assertion, Vec<AwsRole>)> {
        let deps = self.deps(reporter);
        self.runtime
            .block_on(crate::login::assertion(settings, &deps))
    }

    /// The HTTP client and a runtime to use it on (the console's federation call).
    pub fn http(&self) -> (&idp::http::Http, &tokio::runtime::Runtime) {
        (&self.http, &self.runtime)
    }
}

/// Who asks the user: the terminal on stdin/stderr, else the controlling terminal a calling tool
/// left us (botocore pipes stdout and stderr), else nobody (missing input is an error naming
/// the flag).
pub fn prompter(env: &Environment) -> Box<dyn Prompter> {
    if env.stdin_is_tty && env.stderr_is_tty {
        return Box::new(TerminalPrompter::on_stderr());
    }
    match env.tty.as_deref().map(TerminalPrompter::on) {
        Some(Ok(p)) => Box::new(p),
        _ => Box::new(NoTerminal),
    }
}

/// What is kept between runs: the IdP sessions (in the OS keyring, else the cache directory's
/// 0600 file) and the remembered passwords (the OS keyring only, `None` without one). One probe
/// of the OS keyring serves both.
pub fn kept(ctx: &Context<'_>) -> (Sessions, Option<Passwords>) {
    let dir = &ctx.settings.cache_dir;
    let os_keyring = keyring::OsKeyring::find(ctx.env.var("AWS_TOKEN_KEYRING"), |why| {
        ctx.reporter.verbose(why)
    });
    let reporter = ctx.reporter.clone();
    let store = keyring::open(dir, os_keyring.as_ref(), move |why| reporter.verbose(why));
    (
        Sessions::new(store, keyring::Index::new(dir)),
        Passwords::open(keyring::Index::new(dir), os_keyring.as_ref()),
    )
}

/// The cache key of the credentials `settings` ask for.
pub fn cache_key(settings: &Settings) -> Key {
    let account = match &settings.target {
        Target::Direct { account_number } | Target::Chained { account_number } => {
            account_number.clone()
        }
    };
    Key {
        idp_url: settings.idp_url.to_string(),
        username: settings.effective_username().unwrap_or_default().to_owned(),
        account,
        role: settings.role.clone().unwrap_or_default(),
        duration: settings.duration.unwrap_or(0),
    }
}

/// How long a caller waits for another one logging in for the same role: long enough for that
/// login to answer a push and make its requests (170 s by default).
fn lock_wait(settings: &Settings) -> Duration {
    settings.mfa_timeout + settings.timeouts.connect + 2 * settings.timeouts.read
}

/// Credentials for `ctx`'s role: from the cache while they are valid for longer than the refresh
/// margin (no runtime, no network: the fast path), else from one login shared by every caller
/// that asks at the same time (the others wait on the key's lock, then read the cache).
pub fn cached_credentials(ctx: &Context<'_>) -> Result<(Credentials, String)> {
    let settings = &ctx.settings;
    let cache = Cache::new(settings.cache_dir.clone());
    let key = cache_key(settings);
    let fresh = |cache: &Cache| {
        if settings.force {
            return None;
        }
        cache.get(&key, chrono::Utc::now(), settings.refresh_margin)
    };
    if let Some(c) = fresh(&cache) {
        ctx.reporter.verbose("credentials from the cache");
        return Ok((c.credentials, c.region));
    }
    let _lock = cache.lock(&key, lock_wait(settings))?;
    // Another caller may have logged in while this one waited.
    if let Some(c) = fresh(&cache) {
        ctx.reporter
            .verbose("credentials from the cache (another aws-token just logged in)");
        return Ok((c.credentials, c.region));
    }
    let outcome = Online::new(ctx)?.credentials(settings, ctx.reporter)?;
    cache.put(&key, &outcome.credentials, &outcome.region)?;
    Ok((outcome.credentials, outcome.region))
}

/// The context a renewal runs in (the credential endpoint's): a login even while the cache holds
/// credentials (they are the ones due), in `quiet` surroundings with no terminal, so that it goes
/// through the kept IdP session or fails, and never waits for an answer nobody sees. It never
/// sends a one-time code (`--otp` was good once, for the first login) nor takes an MFA step
/// (`unattended`); `with_password: false` after the IdP refused the password or asked for MFA, so
/// that renewals stop signing in (each would count towards a lockout) and only the session a new
/// `aws-token login` keeps is tried.
pub fn renewal<'a>(ctx: &Context<'a>, quiet: &'a Environment, with_password: bool) -> Context<'a> {
    Context {
        settings: Settings {
            force: true,
            unattended: true,
            otp: None,
            password: ctx.settings.password.clone().filter(|_| with_password),
            session_only: !with_password,
            ..ctx.settings.clone()
        },
        env: quiet,
        reporter: ctx.reporter,
        cleanup: ctx.cleanup,
    }
}

/// The name profiles give `account` (a 12-digit number): its name in config.json (one logged in
/// to directly first), else the number.
pub fn account_label(settings: &Settings, account: &str) -> String {
    let names: Vec<&String> = settings
        .account_names
        .iter()
        .filter(|(_, n)| n == account)
        .map(|(name, _)| name)
        .collect();
    names
        .iter()
        .find(|n| settings.direct_accounts.contains(n))
        .or(names.first())
        .map_or_else(|| account.to_owned(), |n| (*n).clone())
}

/// Serve `creds` (the credentials of `ctx`'s role) on the local credential endpoint
/// (src/server.rs) on `port` while `with` runs, renewed by logins in `renewal` surroundings.
pub fn serve_credentials<T>(
    ctx: &Context<'_>,
    creds: Credentials,
    port: u16,
    with: impl FnOnce(&crate::server::Endpoint) -> Result<T>,
) -> Result<T> {
    let quiet = ctx.env.without_terminal();
    let renewing = renewal(ctx, &quiet, true);
    let without_password = renewal(ctx, &quiet, false);
    let password_refused = std::sync::atomic::AtomicBool::new(false);
    let renew = || {
        use std::sync::atomic::Ordering;
        let context = if password_refused.load(Ordering::Relaxed) {
            &without_password
        } else {
            &renewing
        };
        let result = cached_credentials(context)
            .map(|(c, _)| c)
            .map_err(|e| match e {
                // Nobody is there to ask, whether or not the user's stdin is a terminal.
                Error::NoTerminal { what, .. } => Error::LoginNeeded {
                    url: crate::idp::http::display_url(&ctx.settings.idp_url),
                    what,
                },
                e => e,
            });
        if matches!(
            result,
            Err(Error::WrongPassword { .. } | Error::LoginNeeded { .. })
        ) {
            password_refused.store(true, Ordering::Relaxed);
        }
        result
    };
    crate::server::run(
        creds,
        &renew,
        ctx.settings.refresh_margin,
        port,
        &ctx.settings.profile,
        ctx.reporter,
        with,
    )
}

/// Write data to stdout; a reader that went away (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Internal(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// "expires 2026-11-23 18:04:05 +01:00 (in 1h00m)", in local time.
pub fn expiry_text(expiration: chrono::DateTime<chrono::Utc>) -> String {
    let local = expiration.with_timezone(&chrono::Local);
    let minutes = (expiration - chrono::Utc::now()).num_minutes().max(0);
    format!(
        "expires {} (in {}h{:02}m)",
        local.format("%Y-%m-%d %H:%M:%S %:z"),
        minutes / 60,
        minutes % 60
    )
}
