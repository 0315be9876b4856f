//! Ctrl-C: put the terminal back as it was (a masked prompt turns echo off, a picker hides the
//! cursor) and exit with 130. Credentials files are only ever replaced by rename, so stopping at any
//! point leaves them whole.

use std::io::IsTerminal;

/// Install the SIGINT handler. Call once, before any prompt.
pub fn install() {
    let stdin = std::io::stdin();
    let saved = if stdin.is_terminal() {
        rustix::termios::tcgetattr(&stdin).ok()
    } else {
        None
    };
    let stderr_tty = std::io::stderr().is_terminal();
    // Failing to install (a handler already set by an embedding program) only loses the restore.
    let _ = ctrlc::set_handler(move || {
        if let Some(t) = &saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                t,
            );
        }
        if stderr_tty {
            eprint!("\x1b[?25h");
        }
        eprintln!("\naws-token: interrupted");
        std::process::exit(130);
    });
}
