//! Ctrl-C (and Ctrl-\ SIGQUIT, SIGTERM, SIGHUP): put the terminal back as it was (a masked prompt turns echo off,
//! a picker hides the cursor), stop the child processes and delete the temporary directories that
//! are registered in the `Cleanup` (a browser and its profile, which holds the IdP's session
//! cookies), and exit with 128 + the signal (130 for Ctrl-C). Credentials files are only ever
//! replaced by rename, so stopping at any point leaves them whole.

use crate::process_tree;
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Install the handler for SIGINT (Ctrl-C), SIGQUIT (Ctrl-\\), SIGTERM and SIGHUP (the terminal closed). Call once,
/// before any prompt; hand the returned `Cleanup` to whatever starts a process or writes a temporary
/// directory. The process then exits with 128 + the signal's number (130 for Ctrl-C).
pub fn install() -> Cleanup {
    let cleanup = Cleanup::default();
    // The controlling terminal (stdin's, or the one prompts go to when a calling tool holds
    // stdin and stderr): a masked prompt turns its echo off.
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok();
    let saved = terminal
        .as_ref()
        .and_then(|t| rustix::termios::tcgetattr(t).ok());
    let stderr_tty = std::io::stderr().is_terminal();
    let on_signal = cleanup.clone();
    // Failing to install only loses the restore and the clean-up; the signals then kill as usual.
    let Ok(mut signals) = Signals::new([SIGINT, SIGQUIT, SIGTERM, SIGHUP]) else {
        return cleanup;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            // While `exec` runs a command, the signal is the command's to handle (held while
            // the command is being started, passed on once its pid is known).
            if on_signal.route(signal) {
                continue;
            }
            if let (Some(t), Some(attrs)) = (&terminal, &saved) {
                let _ = rustix::termios::tcsetattr(t, rustix::termios::OptionalActions::Now, attrs);
            }
            if stderr_tty {
                eprint!("\x1b[?25h");
            }
            let normal = matches!(signal, SIGINT | SIGTERM) && on_signal.stops_normally_now();
            on_signal.run();
            if normal {
                eprintln!("\naws-token: stopped");
                std::process::exit(0);
            }
            let what = match signal {
                SIGINT | SIGQUIT => "interrupted",
                SIGHUP => "the terminal went away",
                _ => "terminated",
            };
            eprintln!("\naws-token: {what}");
            std::process::exit(128 + signal);
        }
    });
    cleanup
}

/// The catchable signals `exec` passes on besides INT/QUIT/TERM/HUP (which `install` handles):
/// never the job-control ones (TSTP, TTIN, TTOU, CONT: the terminal sends them to the whole
/// process group, and a caught one would leave aws-token running while its command stops), nor
/// CHLD and PIPE, which are aws-token's own.
const PASSED_ON: &[i32] = &[
    signal_hook::consts::SIGUSR1,
    signal_hook::consts::SIGUSR2,
    signal_hook::consts::SIGALRM,
    signal_hook::consts::SIGWINCH,
    signal_hook::consts::SIGURG,
    signal_hook::consts::SIGVTALRM,
    signal_hook::consts::SIGPROF,
    signal_hook::consts::SIGIO,
    signal_hook::consts::SIGXCPU,
    signal_hook::consts::SIGXFSZ,
    #[cfg(any(target_os = "linux", target_os = "android"))]
    rustix::process::Signal::POWER.as_raw(),
];

/// Passes the signals of `PASSED_ON` to a process while it lives.
#[derive(Debug)]
pub struct Forwarder {
    handle: Option<signal_hook::iterator::Handle>,
    signals: Option<Signals>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        if let Some(h) = &self.handle {
            h.close();
        }
    }
}

/// Catch every signal of `PASSED_ON` from now on (call before the command starts, so that none
/// arriving in between kills aws-token: SIGUSR1 or SIGALRM would, and orphan the command), to be
/// passed on by `Forwarder::to` once the command's pid is known.
pub fn catch_others() -> Forwarder {
    match Signals::new(PASSED_ON) {
        Ok(signals) => Forwarder {
            handle: Some(signals.handle()),
            signals: Some(signals),
        },
        Err(_) => Forwarder {
            handle: None,
            signals: None,
        },
    }
}

impl Forwarder {
    /// Pass every caught signal (those already pending too) to `pid` until this is dropped.
    pub fn to(mut self, pid: u32) -> Forwarder {
        if let Some(mut signals) = self.signals.take() {
            std::thread::spawn(move || {
                for signal in signals.forever() {
                    forward(pid, signal);
                }
            });
        }
        self
    }
}

#[derive(Debug)]
enum Leftover {
    Process(u32),
    Dir(PathBuf),
    /// Signals go to this process instead of ending aws-token; `None` while it is being started.
    Forward(Option<u32>),
    /// Ctrl-C or SIGTERM is how this run ends when all is well (`serve`): exit 0.
    NormalStop,
}

#[derive(Debug, Default)]
struct Registry {
    next: u64,
    entries: Vec<(u64, Leftover)>,
    /// Signals that came while the command to forward them to was being started.
    held: Vec<i32>,
}

/// What an interruption must undo; entries are added for as long as a `Registration` lives.
#[derive(Debug, Clone, Default)]
pub struct Cleanup(Arc<Mutex<Registry>>);

/// Keeps one entry in its `Cleanup` until dropped (the normal path cleans up by itself).
#[derive(Debug)]
#[must_use = "the entry is removed again when the registration is dropped"]
pub struct Registration {
    cleanup: Cleanup,
    id: u64,
}

impl Cleanup {
    /// Kill process `pid` on interruption.
    pub fn process(&self, pid: u32) -> Registration {
        self.add(Leftover::Process(pid))
    }

    /// Delete directory `path` and everything in it on interruption.
    pub fn dir(&self, path: PathBuf) -> Registration {
        self.add(Leftover::Dir(path))
    }

    /// Pass the signals aws-token gets to the command `exec` is about to start, and keep running:
    /// the command decides, and aws-token exits as it does. Call before the command starts (a
    /// signal in between is held, not the end of aws-token, which would orphan the command), then
    /// `Registration::forward_to` with its pid.
    pub fn forward(&self) -> Registration {
        self.add(Leftover::Forward(None))
    }

    /// Ctrl-C or SIGTERM ends this run normally (exit 0) while the registration lives: how
    /// `serve` is stopped.
    pub fn normal_stop(&self) -> Registration {
        self.add(Leftover::NormalStop)
    }

    fn stops_normally_now(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .iter()
            .any(|(_, l)| matches!(l, Leftover::NormalStop))
    }

    /// Whether `signal` is the command's: passed on to it, or held until its pid is known.
    fn route(&self, signal: i32) -> bool {
        let mut registry = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let target = registry.entries.iter().rev().find_map(|(_, l)| match l {
            Leftover::Forward(pid) => Some(*pid),
            _ => None,
        });
        match target {
            Some(Some(pid)) => forward(pid, signal),
            Some(None) => registry.held.push(signal),
            None => return false,
        }
        true
    }

    fn add(&self, leftover: Leftover) -> Registration {
        let mut registry = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        registry.next += 1;
        let id = registry.next;
        registry.entries.push((id, leftover));
        Registration {
            cleanup: self.clone(),
            id,
        }
    }

    /// Processes first (a browser still writes to its profile), then directories.
    pub fn run(&self) {
        let entries = std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entries,
        );
        for (_, leftover) in &entries {
            if let Leftover::Process(pid) = leftover {
                kill(*pid);
            }
        }
        for (_, leftover) in &entries {
            if let Leftover::Dir(path) = leftover {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
}

impl Registration {
    /// The command of this `Cleanup::forward` registration started as `pid`: the signals held
    /// meanwhile go to it now, and later ones as they come.
    pub fn forward_to(&self, pid: u32) {
        let mut registry = self
            .cleanup
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (id, leftover) in registry.entries.iter_mut() {
            if *id == self.id
                && let Leftover::Forward(target) = leftover
            {
                *target = Some(pid);
            }
        }
        for signal in std::mem::take(&mut registry.held) {
            forward(pid, signal);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut registry = self
            .cleanup
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let unstarted = registry
            .entries
            .iter()
            .any(|(id, l)| *id == self.id && matches!(l, Leftover::Forward(None)));
        registry.entries.retain(|(id, _)| *id != self.id);
        // The command never started: signals held for it were aws-token's own after all.
        let held = if unstarted {
            std::mem::take(&mut registry.held)
        } else {
            Vec::new()
        };
        drop(registry);
        for signal in held {
            forward(std::process::id(), signal);
        }
    }
}

/// Send `signal` to `pid`.
fn forward(pid: u32, signal: i32) {
    if let (Some(pid), Some(sig)) = (
        i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw),
        rustix::process::Signal::from_named_raw(signal),
    ) {
        let _ = rustix::process::kill_process(pid, sig);
    }
}

/// Kill the process and its helpers, then reap it, so its files are closed before they are deleted.
fn kill(pid: u32) {
    process_tree::kill(pid);
    if let Some(root) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::waitpid(Some(root), rustix::process::WaitOptions::empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_while_the_command_starts_is_held_and_then_passed_on() {
        let cleanup = Cleanup::default();
        assert!(
            !cleanup.route(SIGTERM),
            "no command: the signal is aws-token's"
        );
        let forward = cleanup.forward();
        // The command is being started: SIGTERM waits for it instead of ending aws-token.
        assert!(cleanup.route(SIGTERM));
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        forward.forward_to(child.id());
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(SIGTERM));
        drop(forward);
        assert!(!cleanup.route(SIGTERM));
    }

    #[test]
    fn run_deletes_registered_directories_and_dropped_registrations_are_forgotten() {
        let cleanup = Cleanup::default();
        let kept = tempfile::tempdir().unwrap();
        let removed = tempfile::tempdir().unwrap();
        std::fs::write(removed.path().join("Cookies"), "session").unwrap();
        let forgotten = cleanup.dir(kept.path().to_path_buf());
        drop(forgotten);
        let _live = cleanup.dir(removed.path().to_path_buf());
        cleanup.run();
        assert!(kept.path().exists());
        assert!(!removed.path().exists());
    }

    #[test]
    fn run_kills_and_reaps_registered_processes() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let cleanup = Cleanup::default();
        let _live = cleanup.process(child.id());
        cleanup.run();
        // Reaped by run(): the pid is gone, so try_wait reports an error or an exit.
        assert!(!matches!(child.try_wait(), Ok(None)));
    }
}
