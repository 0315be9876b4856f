//! The process's surroundings as one value: home and working directory, the environment variables
//! aws-token reads, whether stdin/stderr are terminals, and the controlling terminal (`/dev/tty`)
//! when stdin or stderr is not one (a calling tool took them: talk and prompts go there). Read once
//! in `main`; tests build their own.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

/// What the outside world looks like to this run.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub home: Option<PathBuf>,
    pub cwd: PathBuf,
    pub vars: HashMap<String, String>,
    pub stdin_is_tty: bool,
    pub stderr_is_tty: bool,
    /// The controlling terminal, opened only when stdin or stderr is not a terminal and there is one.
    pub tty: Option<std::sync::Arc<std::fs::File>>,
}

impl Environment {
    /// Read the real process environment.
    pub fn from_process() -> Self {
        // Variables that are not UTF-8 are none of aws-token's (std::env::vars would panic on them).
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let stdin_is_tty = std::io::stdin().is_terminal();
        let stderr_is_tty = std::io::stderr().is_terminal();
        let tty = if stdin_is_tty && stderr_is_tty {
            None
        } else {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .ok()
                .map(std::sync::Arc::new)
        };
        Environment {
            home,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            vars,
            stdin_is_tty,
            stderr_is_tty,
            tty,
        }
    }

    /// A variable, when set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The variables whose names start with `prefix`.
    pub fn vars_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.vars
            .iter()
            .filter(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The same surroundings without a terminal to ask on: for work that must never prompt (a
    /// renewal while another program holds the terminal).
    pub fn without_terminal(&self) -> Environment {
        Environment {
            stdin_is_tty: false,
            tty: None,
            ..self.clone()
        }
    }

    /// The system's URL opener when a desktop is there to show what it opens: always `open` on
    /// macOS; elsewhere `xdg-open` on PATH with a display (DISPLAY or WAYLAND_DISPLAY).
    pub fn url_opener(&self) -> Option<&'static str> {
        if cfg!(target_os = "macos") {
            return Some("open");
        }
        if self.var("DISPLAY").is_none() && self.var("WAYLAND_DISPLAY").is_none() {
            return None;
        }
        let on_path = self.var("PATH").is_some_and(|path| {
            std::env::split_paths(path).any(|dir| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::metadata(dir.join("xdg-open"))
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            })
        });
        on_path.then_some("xdg-open")
    }

    /// Colour only on a terminal and when NO_COLOR is not set (https://no-color.org).
    pub fn color(&self) -> bool {
        self.stderr_is_tty && !self.vars.contains_key("NO_COLOR")
    }

    /// Where to ask and talk: stdin and stderr when both are terminals; else the controlling
    /// terminal when there is one (`credential_process` under botocore, `eval "$(...)" 2>log`).
    pub fn talk_terminal(&self) -> Option<std::sync::Arc<std::fs::File>> {
        if self.stdin_is_tty && self.stderr_is_tty {
            None
        } else {
            self.tty.clone()
        }
    }
}
