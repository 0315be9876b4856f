//! The one error type of aws-token: every failure a user can meet, with the context they need to act
//! on it, and the exit code each maps to (see DESIGN.md "Exit codes"). Messages never hold a secret.

use std::path::PathBuf;

/// Everything that can stop a login. Each variant names where it happened and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or its value is wrong (clap reports most of these itself).
    #[error("{0}")]
    Usage(String),

    /// config.json is missing, unreadable, not JSON, or has a wrong key or value.
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },

    /// Input is needed but there is no terminal to ask on.
    #[error("{what} is needed but standard input is not a terminal: pass {hint}")]
    NoTerminal { what: String, hint: String },

    /// The IdP refused the login: wrong password, locked out, MFA rejected or timed out.
    #[error("login to {url} failed: {message}")]
    Authentication { url: String, message: String },

    /// The IdP refused the username or password (a remembered password is forgotten on this).
    #[error("login to {url} failed: {message}")]
    WrongPassword { url: String, message: String },

    /// A login without anyone to answer (the credential endpoint's renewal) reached a step that
    /// needs the user: MFA. Nothing was sent for that step (no code, no push).
    #[error(
        "{url}: the IdP session has ended and signing in again needs {what}, which a renewal never gives on its own (it sends no code, starts no push, and sends no password the IdP refused)"
    )]
    LoginNeeded { url: String, what: String },

    /// The login worked but gives no way into the wanted AWS role.
    #[error("{message}")]
    NotAuthorized { message: String },

    /// `--role` matched nothing in the assertion.
    #[error("no role matches --role {wanted:?}; the SAML assertion offers: {choices}")]
    RoleNotFound { wanted: String, choices: String },

    /// STS answered with an error.
    #[error("STS {operation} for {role} failed: {code}: {message}{hint}")]
    Sts {
        operation: &'static str,
        role: String,
        code: String,
        message: String,
        hint: String,
    },

    /// The IdP or STS could not be reached, or kept failing after retries.
    #[error("could not reach {url}: {message}")]
    Network { url: String, message: String },

    /// The IdP answered something this tool does not understand.
    #[error("unexpected answer from {url}: {message}")]
    Protocol { url: String, message: String },

    /// The credentials or config file could not be read, locked or written.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },

    /// `exec` could not start its command: not found (exit 127) or not runnable (exit 126), as a
    /// shell says.
    #[error("{program}: {message}")]
    CommandNotRun {
        program: String,
        message: String,
        not_found: bool,
    },

    /// The user pressed Ctrl-C or ended the input.
    #[error("interrupted")]
    Interrupted,

    /// A bug: something that should not happen did.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error (DESIGN.md "Exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Internal(_) => 1,
            Error::Usage(_) | Error::Config { .. } | Error::NoTerminal { .. } => 2,
            Error::Authentication { .. }
            | Error::WrongPassword { .. }
            | Error::LoginNeeded { .. } => 3,
            Error::NotAuthorized { .. } | Error::RoleNotFound { .. } => 4,
            Error::Sts { .. } => 5,
            Error::Network { .. } | Error::Protocol { .. } => 6,
            Error::File { .. } => 7,
            Error::CommandNotRun { not_found, .. } => {
                if *not_found {
                    127
                } else {
                    126
                }
            }
            Error::Interrupted => 130,
        }
    }

    /// A file error with the io error rendered into the message.
    pub fn file(path: impl Into<PathBuf>, what: &str, err: &std::io::Error) -> Self {
        Error::File {
            path: path.into(),
            message: format!("{what}: {err}"),
        }
    }

    /// A config error for `path`.
    pub fn config(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_design_table() {
        assert_eq!(Error::Usage("x".into()).exit_code(), 2);
        assert_eq!(
            Error::Authentication {
                url: "u".into(),
                message: "m".into()
            }
            .exit_code(),
            3
        );
        assert_eq!(
            Error::RoleNotFound {
                wanted: "a".into(),
                choices: "b".into()
            }
            .exit_code(),
            4
        );
        assert_eq!(Error::Interrupted.exit_code(), 130);
    }
}
