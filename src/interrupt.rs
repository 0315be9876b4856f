//! Ctrl-C: put the terminal back as it was (a masked prompt turns echo off, a picker hides the
//! cursor), stop the child processes and delete the temporary directories that are registered in
//! the `Cleanup` (a browser and its profile, which holds the IdP's session cookies), and exit with
//! 130. Credentials files are only ever replaced by rename, so stopping at any point leaves them whole.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Install the SIGINT handler. Call once, before any prompt; hand the returned `Cleanup` to whatever
/// starts a process or writes a temporary directory.
pub fn install() -> Cleanup {
    let cleanup = Cleanup::default();
    let stdin = std::io::stdin();
    let saved = if stdin.is_terminal() {
        rustix::termios::tcgetattr(&stdin).ok()
    } else {
        None
    };
    let stderr_tty = std::io::stderr().is_terminal();
    let on_signal = cleanup.clone();
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
        on_signal.run();
        eprintln!("\naws-token: interrupted");
        std::process::exit(130);
    });
    cleanup
}

#[derive(Debug)]
enum Leftover {
    Process(u32),
    Dir(PathBuf),
}

#[derive(Debug, Default)]
struct Registry {
    next: u64,
    entries: Vec<(u64, Leftover)>,
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

impl Drop for Registration {
    fn drop(&mut self) {
        let mut registry = self
            .cleanup
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        registry.entries.retain(|(id, _)| *id != self.id);
    }
}

/// Stop the process and everything it started (Chromium's zygote, renderer and network processes
/// write to the profile too), then reap it, so no one writes to a directory about to be deleted.
fn kill(pid: u32) {
    use rustix::process::{Pid, Signal, WaitOptions, kill_process, waitpid};
    let Some(root) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return;
    };
    // Frozen first, so it starts nothing new while its descendants are listed.
    if kill_process(root, Signal::STOP).is_err() {
        return;
    }
    let family = descendants(pid);
    let _ = kill_process(root, Signal::KILL);
    for p in &family {
        if let Some(p) = i32::try_from(*p).ok().and_then(Pid::from_raw) {
            let _ = kill_process(p, Signal::KILL);
        }
    }
    let _ = waitpid(Some(root), WaitOptions::empty());
    // The others are not our children: wait (briefly, bounded) until the kernel has let them go.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while family.iter().any(|p| alive(*p)) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Every process below `root`, from the parent pids in /proc (Linux; elsewhere none are found).
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?.1)))
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// A process that exists and is not a zombie.
fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

/// State and parent pid from /proc/PID/stat (after the command name, which may hold spaces).
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = text.get(text.rfind(')')? + 1..)?.split_whitespace();
    let state = rest.next()?.chars().next()?;
    Some((state, rest.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn run_kills_registered_processes() {
        // A shell with a grandchild, as Chromium has its zygote and renderers.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .spawn()
            .unwrap();
        let grandchildren = || descendants(child.id());
        let start = std::time::Instant::now();
        while grandchildren().len() < 2 && start.elapsed().as_secs() < 5 {
            std::thread::yield_now();
        }
        let family = grandchildren();
        assert_eq!(family.len(), 2, "{family:?}");
        let cleanup = Cleanup::default();
        let _live = cleanup.process(child.id());
        cleanup.run();
        // Reaped by run(): the pid is gone, so try_wait reports an error or an exit.
        assert!(!matches!(child.try_wait(), Ok(None)));
        assert!(!family.iter().any(|p| alive(*p)), "{family:?}");
    }
}
