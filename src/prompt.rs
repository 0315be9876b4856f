//! Asking the user: the `Prompter` trait, the terminal implementation (masked input and pickers on
//! stderr, via dialoguer), the no-terminal one that fails with a clear message instead of hanging,
//! and a scripted one for tests.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Everything aws-token may ask of a person. `hint` says which flag answers the question instead.
pub trait Prompter: Send + Sync {
    /// Plain text (a username); `default` is offered, and taken on an empty answer.
    fn input(&self, label: &str, hint: &str, default: Option<&str>) -> Result<String>;
    /// Masked text (a password).
    fn secret(&self, label: &str, hint: &str) -> Result<Secret<String>>;
    /// A one-time code, shown as typed (it is good once; every peer echoes it) and checked before
    /// it is sent, so that a typo never costs one of the IdP's attempts: `digits` for an MFA app's,
    /// SMS, email or call code (6 to 8 digits; spaces are dropped), else any text but empty.
    fn code(&self, label: &str, hint: &str, digits: bool) -> Result<Secret<String>>;
    /// Whether a person answers (a refused password may then be asked again).
    fn interactive(&self) -> bool;
    /// One of `items`; returns its index.
    fn select(&self, label: &str, items: &[String], hint: &str) -> Result<usize>;
}

/// Prompts on a terminal: stderr (and stdin) when both are terminals, else the controlling
/// terminal (`/dev/tty`) a calling tool left us. Input is read from the terminal either way.
#[derive(Debug)]
pub struct TerminalPrompter {
    term: dialoguer::console::Term,
}

impl TerminalPrompter {
    /// Ask on stderr.
    pub fn on_stderr() -> Self {
        TerminalPrompter {
            term: dialoguer::console::Term::stderr(),
        }
    }

    /// Ask on `terminal` (an open `/dev/tty`).
    pub fn on(terminal: &std::fs::File) -> std::io::Result<Self> {
        Ok(TerminalPrompter {
            term: dialoguer::console::Term::read_write_pair(
                terminal.try_clone()?,
                terminal.try_clone()?,
            ),
        })
    }
}

fn io_err(e: dialoguer::Error) -> Error {
    let dialoguer::Error::IO(e) = e;
    match e.kind() {
        std::io::ErrorKind::Interrupted | std::io::ErrorKind::UnexpectedEof => Error::Interrupted,
        _ => Error::Internal(format!("terminal prompt failed: {e}")),
    }
}

impl Prompter for TerminalPrompter {
    fn input(&self, label: &str, _hint: &str, default: Option<&str>) -> Result<String> {
        let mut input = dialoguer::Input::<String>::new().with_prompt(label);
        if let Some(d) = default {
            input = input.default(d.to_owned());
        }
        input
            .interact_text_on(&self.term)
            .map(|s| s.trim().to_owned())
            .map_err(io_err)
    }

    fn secret(&self, label: &str, _hint: &str) -> Result<Secret<String>> {
        dialoguer::Password::new()
            .with_prompt(label)
            .interact_on(&self.term)
            .map(Secret::new)
            .map_err(io_err)
    }

    fn code(&self, label: &str, _hint: &str, digits: bool) -> Result<Secret<String>> {
        dialoguer::Input::<String>::new()
            .with_prompt(label)
            .validate_with(|s: &String| check_code(s, digits).map(|_| ()))
            .interact_text_on(&self.term)
            .map_err(io_err)
            .and_then(|s| {
                check_code(&s, digits)
                    .map(Secret::new)
                    .map_err(Error::Usage)
            })
    }

    fn interactive(&self) -> bool {
        true
    }

    /// A picker that filters as you type; Esc cancels (exit 130).
    fn select(&self, label: &str, items: &[String], _hint: &str) -> Result<usize> {
        let _ = self.term.write_line(
            "  (type to filter, \u{2191}\u{2193} to move, Enter to choose, Esc to cancel)",
        );
        dialoguer::FuzzySelect::new()
            .with_prompt(label)
            .items(
                items
                    .iter()
                    .map(|i| crate::report::printable(i).into_owned())
                    .collect::<Vec<_>>(),
            )
            .default(0)
            .interact_on_opt(&self.term)
            .map_err(io_err)?
            .ok_or(Error::Interrupted)
    }
}

/// Used when stdin is not a terminal: every question is an error that names the flag to pass.
#[derive(Debug, Default)]
pub struct NoTerminal;

impl Prompter for NoTerminal {
    /// The default when there is one (the username remembered for the org), else the error.
    fn input(&self, label: &str, hint: &str, default: Option<&str>) -> Result<String> {
        default
            .map(str::to_owned)
            .ok_or_else(|| no_tty(label, hint))
    }
    fn secret(&self, label: &str, hint: &str) -> Result<Secret<String>> {
        Err(no_tty(label, hint))
    }
    fn code(&self, label: &str, hint: &str, _digits: bool) -> Result<Secret<String>> {
        Err(no_tty(label, hint))
    }
    fn interactive(&self) -> bool {
        false
    }
    fn select(&self, label: &str, items: &[String], hint: &str) -> Result<usize> {
        Err(Error::NoTerminal {
            what: format!("{label} (one of: {})", items.join(", ")),
            hint: hint.to_owned(),
        })
    }
}

/// A typed one-time code, cleaned (spaces and dashes dropped), or why it cannot be one.
pub fn check_code(typed: &str, digits: bool) -> std::result::Result<String, String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && (*c != '-' || !digits))
        .collect();
    if code.is_empty() {
        return Err("type the code (nothing was typed)".into());
    }
    if digits {
        if !code.chars().all(|c| c.is_ascii_digit()) {
            return Err("a code is digits only".into());
        }
        if !(6..=8).contains(&code.len()) {
            return Err(format!("a code has 6 to 8 digits, this one {}", code.len()));
        }
    }
    Ok(code)
}

fn no_tty(label: &str, hint: &str) -> Error {
    Error::NoTerminal {
        what: label.to_owned(),
        hint: hint.to_owned(),
    }
}

/// Answers from a script, in order; for tests of the flows. Runs out -> NoTerminal error.
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    answers: Mutex<VecDeque<String>>,
}

impl ScriptedPrompter {
    /// A prompter that gives these answers in turn (a select answer is the item's text).
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(answers: I) -> Self {
        ScriptedPrompter {
            answers: Mutex::new(answers.into_iter().map(Into::into).collect()),
        }
    }

    fn next(&self, label: &str, hint: &str) -> Result<String> {
        let mut q = self
            .answers
            .lock()
            .map_err(|_| Error::Internal("scripted prompter poisoned".into()))?;
        q.pop_front().ok_or_else(|| no_tty(label, hint))
    }
}

impl Prompter for ScriptedPrompter {
    fn input(&self, label: &str, hint: &str, default: Option<&str>) -> Result<String> {
        match (self.next(label, hint), default) {
            (Ok(a), Some(d)) if a.is_empty() => Ok(d.to_owned()),
            (Err(_), Some(d)) => Ok(d.to_owned()),
            (answer, _) => answer,
        }
    }
    fn secret(&self, label: &str, hint: &str) -> Result<Secret<String>> {
        self.next(label, hint).map(Secret::new)
    }
    fn code(&self, label: &str, hint: &str, digits: bool) -> Result<Secret<String>> {
        check_code(&self.next(label, hint)?, digits)
            .map(Secret::new)
            .map_err(Error::Usage)
    }
    fn interactive(&self) -> bool {
        true
    }
    fn select(&self, label: &str, items: &[String], hint: &str) -> Result<usize> {
        let answer = self.next(label, hint)?;
        items.iter().position(|i| *i == answer).ok_or_else(|| {
            Error::Internal(format!("scripted answer {answer:?} is not among {items:?}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_before_they_are_sent() {
        assert_eq!(check_code(" 123 456 ", true).unwrap(), "123456");
        assert_eq!(check_code("123-456", true).unwrap(), "123456");
        assert_eq!(
            check_code("12a456", true).unwrap_err(),
            "a code is digits only"
        );
        assert!(check_code("12345", true).unwrap_err().contains("6 to 8"));
        assert!(check_code("123456789", true).is_err());
        assert!(check_code("12a456", true).is_err());
        assert!(check_code("", true).is_err());
        assert_eq!(check_code("AB-12 cd", false).unwrap(), "AB-12cd");
    }

    #[test]
    fn no_terminal_names_the_flag() {
        let e = NoTerminal
            .secret("Password", "--password or AWS_TOKEN_PASSWORD")
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--password"));
    }

    #[test]
    fn scripted_answers_in_order() {
        let p = ScriptedPrompter::new(["u", "b"]);
        assert_eq!(p.input("User", "", None).unwrap(), "u");
        assert_eq!(p.select("Pick", &["a".into(), "b".into()], "").unwrap(), 1);
        assert!(p.input("more", "", None).is_err());
        assert_eq!(p.input("more", "", Some("d")).unwrap(), "d");
        assert_eq!(NoTerminal.input("User", "", Some("jane")).unwrap(), "jane");
    }
}
