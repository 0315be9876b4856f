//! Talk on stderr: one printer that knows quiet/normal/verbose and colour, and spinners while the
//! network is slow. Data never goes through here; it goes to stdout from `output.rs`.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// The stderr printer.
#[derive(Debug, Clone)]
pub struct Reporter {
    verbosity: Verbosity,
    tty: bool,
    color: bool,
}

impl Reporter {
    /// A printer; spinners only when stderr is a terminal.
    pub fn new(verbosity: Verbosity, stderr_is_tty: bool, color: bool) -> Self {
        Reporter {
            verbosity,
            tty: stderr_is_tty,
            color,
        }
    }

    /// A printer that says nothing (tests, library use).
    pub fn silent() -> Self {
        Reporter::new(Verbosity::Quiet, false, false)
    }

    /// A line the user should see (not in --quiet).
    pub fn info(&self, msg: &str) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("{msg}");
        }
    }

    /// Something that needs the user's attention now (shown even with --quiet): the push number.
    pub fn attention(&self, msg: &str) {
        if self.color {
            eprintln!("\x1b[1;33m{msg}\x1b[0m");
        } else {
            eprintln!("{msg}");
        }
    }

    /// A warning (not in --quiet).
    pub fn warn(&self, msg: &str) {
        if self.verbosity >= Verbosity::Normal {
            if self.color {
                eprintln!("\x1b[33mwarning:\x1b[0m {msg}");
            } else {
                eprintln!("warning: {msg}");
            }
        }
    }

    /// A step, shown with --verbose only. Callers never pass secrets.
    pub fn verbose(&self, msg: &str) {
        if self.verbosity >= Verbosity::Verbose {
            eprintln!("aws-token: {msg}");
        }
    }

    /// A spinner with `msg` until the returned guard is dropped; nothing when stderr is not a TTY.
    pub fn spinner(&self, msg: &str) -> Spinner {
        self.verbose(msg);
        if !self.tty || self.verbosity == Verbosity::Quiet {
            return Spinner(None);
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(msg.to_owned());
        pb.enable_steady_tick(Duration::from_millis(80));
        Spinner(Some(pb))
    }
}

/// Clears its spinner when dropped.
#[derive(Debug)]
pub struct Spinner(Option<ProgressBar>);

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
        }
    }
}
