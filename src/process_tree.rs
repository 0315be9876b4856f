//! Stopping a process together with everything it started (Chromium's zygote, renderer, GPU and
//! network processes), so none of them still writes to a directory that is about to be deleted.
//! Linux reads the tree from /proc; elsewhere only the process itself is stopped.

use rustix::process::{Pid, Signal, kill_process};
use std::time::{Duration, Instant};

/// SIGKILL `pid` and all its descendants, and wait (at most 2 s) until the descendants are gone.
/// `pid` itself is left for its parent to reap.
pub fn kill(pid: u32) {
    let Some(root) = to_pid(pid) else {
        return;
    };
    // Frozen first, so it starts nothing new while its descendants are listed.
    if kill_process(root, Signal::STOP).is_err() {
        return;
    }
    let family = descendants(pid);
    let _ = kill_process(root, Signal::KILL);
    for p in family.iter().filter_map(|p| to_pid(*p)) {
        let _ = kill_process(p, Signal::KILL);
    }
    // They are not our children, so they cannot be waited for: watch them go.
    let deadline = Instant::now() + Duration::from_secs(2);
    while family.iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn to_pid(pid: u32) -> Option<Pid> {
    i32::try_from(pid).ok().and_then(Pid::from_raw)
}

/// Every process below `root`, from the parent pids in /proc.
pub fn descendants(root: u32) -> Vec<u32> {
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
pub fn alive(pid: u32) -> bool {
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
    fn kill_stops_the_process_and_its_children() {
        // A shell with two children, as Chromium has its zygote and renderers.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .spawn()
            .unwrap();
        let start = Instant::now();
        while descendants(child.id()).len() < 2 && start.elapsed() < Duration::from_secs(5) {
            std::thread::yield_now();
        }
        let family = descendants(child.id());
        assert_eq!(family.len(), 2, "{family:?}");
        kill(child.id());
        assert!(!family.iter().any(|p| alive(*p)), "{family:?}");
        assert!(child.wait().unwrap().code().is_none(), "killed by a signal");
    }

    #[test]
    fn a_process_that_is_gone_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!alive(pid));
        assert!(descendants(pid).is_empty());
    }
}
