//! Crash safety (issue 10.3): writers killed with SIGKILL at random points never leave a credentials
//! file that is neither the old one nor the new one, and the temporary files a kill leaves behind
//! are removed by the next run. Bounded: 100 kills or 60 seconds, whichever comes first. Half the
//! runs pause between writing the temporary file and renaming it (a debug-build hook), and the
//! test counts the kills that provably landed there (their temporary file was left behind).

use crate::support::*;
use std::time::{Duration, Instant};

/// The file without the `[crash]` section's values: what a run may not change.
fn without_crash_values(text: &str) -> String {
    let mut inside = false;
    text.lines()
        .filter(|l| {
            let t = l.trim();
            if t.starts_with('[') {
                inside = t == "[crash]";
                return !inside;
            }
            !inside
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

fn has_whole_crash_section(text: &str) -> bool {
    [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "x_security_token_expires",
    ]
    .iter()
    .all(|k| ini_value(text, "crash", k).is_some_and(|v| !v.is_empty()))
}

fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".aws-token-"))
        .collect()
}

#[test]
fn sigkill_at_random_points_leaves_the_old_or_the_new_file() {
    let w = World::new();
    // A file of some size, so that a kill can land while it is being written.
    let mut base = String::from("# team file\n[default]\naws_access_key_id = AKIAKEEP\n");
    for i in 0..3000 {
        base.push_str(&format!(
            "\n[other{i}]\nregion = eu-west-1\noutput = json\n"
        ));
    }
    w.write_credentials(&base);
    let stable = without_crash_values(&base);
    let mut seed = u64::from(std::process::id()) ^ 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    let (mut kills, mut landed, mut in_window) = (0, 0, 0);
    let aws_dir = w.home.path().join(".aws");
    while kills < 100 && started.elapsed() < Duration::from_secs(60) {
        let before = w.credentials();
        let temp_before = temp_files(&aws_dir);
        let new_temp = || {
            temp_files(&aws_dir)
                .iter()
                .any(|t| !temp_before.contains(t))
        };
        let pause = kills % 2 == 1;
        let mut child = w
            .login("nomfa@example.com")
            .args(["--role", "Admin", "--profile", "crash", "-q", "--force"])
            .env(
                "AWS_TOKEN_TEST_WRITE_PAUSE_MS",
                if pause { "40" } else { "0" },
            )
            .spawn();
        if pause {
            // Wait for the temporary file (written, not yet renamed), then kill inside the pause.
            let deadline = Instant::now() + Duration::from_secs(5);
            while !new_temp() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_micros(rand() % 30_000));
        } else {
            std::thread::sleep(Duration::from_micros(rand() % 25_000));
        }
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        if !finished {
            kills += 1;
            // A temporary file left behind: the kill came between its write and the rename.
            if new_temp() {
                in_window += 1;
            }
        }
        let after = w.credentials();
        // (No assert_eq: the file is 100 KB.)
        assert!(
            without_crash_values(&after) == stable,
            "a kill changed bytes outside the profile ({} bytes now, {} before)",
            after.len(),
            before.len()
        );
        if after != before {
            assert!(has_whole_crash_section(&after), "half a profile");
            landed += 1;
        }
    }
    assert!(kills >= 20, "only {kills} runs were killed in time");
    assert!(
        in_window >= kills / 4,
        "only {in_window} of {kills} kills landed between the write and the rename"
    );
    // The next run removes what the killed ones left, and writes the profile.
    w.login("nomfa@example.com")
        .args(["--role", "Admin", "--profile", "crash", "--force"])
        .expect(0);
    let left = temp_files(&w.home.path().join(".aws"));
    assert!(
        left.is_empty(),
        "temp files left after {kills} kills: {left:?}"
    );
    assert!(has_whole_crash_section(&w.credentials()));
    eprintln!(
        "{kills} kills ({in_window} between write and rename), {landed} writes landed before the kill"
    );
}
