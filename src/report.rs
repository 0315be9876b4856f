//! Talk on stderr: one printer that knows quiet/normal/verbose and colour, and spinners while the
//! network is slow. Data never goes through here; it goes to stdout from `output.rs`.

use indicatif::{ProgressBar, ProgressStyle};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `text` safe to show on a terminal: control characters (C0, DEL, C1: escape sequences that
/// could move the cursor, rewrite the screen or set the title) and the bidirectional overrides
/// (which reorder what is shown) become visible `\u{..}` escapes. IdP and STS data (role names,
/// messages, page text) goes through this before anyone sees it (issue 19.7).
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

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
    /// The spinner on screen, if any: lines are printed above it, not into it.
    active: Arc<Mutex<Option<ProgressBar>>>,
    /// The controlling terminal, when talk goes there instead of stderr (a calling tool holds it).
    terminal: Option<Arc<std::fs::File>>,
}

impl Reporter {
    /// A printer; spinners only when stderr is a terminal.
    pub fn new(verbosity: Verbosity, stderr_is_tty: bool, color: bool) -> Self {
        Reporter {
            verbosity,
            tty: stderr_is_tty,
            color,
            active: Arc::default(),
            terminal: None,
        }
    }

    /// The same printer, talking on `terminal` (the controlling terminal) instead of stderr.
    pub fn on_terminal(mut self, terminal: Option<Arc<std::fs::File>>) -> Self {
        if terminal.is_some() {
            self.tty = false; // no spinner on a terminal we only borrow
        }
        self.terminal = terminal;
        self
    }

    /// A printer that says nothing (tests, library use).
    pub fn silent() -> Self {
        Reporter::new(Verbosity::Quiet, false, false)
    }

    /// Print one line on stderr, above the spinner when one is showing.
    fn line(&self, text: &str) {
        if let Some(t) = &self.terminal {
            use std::io::Write;
            let _ = writeln!(&**t, "{text}");
            return;
        }
        let active = self.active.lock().ok().and_then(|a| a.clone());
        match active {
            Some(pb) => pb.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    /// A line the user should see (not in --quiet).
    pub fn info(&self, msg: &str) {
        if self.verbosity >= Verbosity::Normal {
            self.line(&printable(msg));
        }
    }

    /// Something that needs the user's attention now (shown even with --quiet): the push number.
    pub fn attention(&self, msg: &str) {
        let msg = printable(msg);
        if self.color {
            self.line(&format!("\x1b[1;33m{msg}\x1b[0m"));
        } else {
            self.line(&msg);
        }
    }

    /// A warning (not in --quiet).
    pub fn warn(&self, msg: &str) {
        let msg = printable(msg);
        if self.verbosity >= Verbosity::Normal {
            if self.color {
                self.line(&format!("\x1b[33mwarning:\x1b[0m {msg}"));
            } else {
                self.line(&format!("warning: {msg}"));
            }
        }
    }

    /// A step, shown with --verbose only. Callers never pass secrets.
    pub fn verbose(&self, msg: &str) {
        if self.verbosity >= Verbosity::Verbose {
            self.line(&format!("aws-token: {}", printable(msg)));
        }
    }

    /// A spinner with `msg` until the returned guard is dropped; nothing when stderr is not a TTY.
    pub fn spinner(&self, msg: &str) -> Spinner {
        self.verbose(msg);
        if !self.tty || self.verbosity == Verbosity::Quiet {
            return Spinner(None, Arc::clone(&self.active));
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(printable(msg).into_owned());
        pb.enable_steady_tick(Duration::from_millis(80));
        if let Ok(mut a) = self.active.lock() {
            *a = Some(pb.clone());
        }
        Spinner(Some(pb), Arc::clone(&self.active))
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_and_bidi_overrides_are_shown_escaped() {
        assert_eq!(printable("Admin"), "Admin");
        assert_eq!(
            printable("x\u{1b}[2J\u{7}y\u{9b}z\u{202e}w\n"),
            "x\\u{1b}[2J\\u{7}y\\u{9b}z\\u{202e}w\\u{a}"
        );
    }
}

/// Clears its spinner when dropped.
#[derive(Debug)]
pub struct Spinner(Option<ProgressBar>, Arc<Mutex<Option<ProgressBar>>>);

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
            if let Ok(mut a) = self.1.lock() {
                *a = None;
            }
        }
    }
}
