//! The credentials-file editor's promise: editing one profile never changes another byte. The
//! input's first line names the profile, the rest is the file. Checked against a spec written here
//! independently: everything before the profile's section and everything after it stays, a new
//! section only appends, the keys land once each, and a second edit with the same values changes
//! nothing.
#![no_main]

use aws_token::credentials_file::{SectionEdit, apply};
use libfuzzer_sys::fuzz_target;

const KEYS: [&str; 4] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "x_security_token_expires",
];

fn is_header_of(line: &str, section: &str) -> bool {
    let t = line.trim();
    t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) == Some(section)
}

fn is_header(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('[') && t.ends_with(']')
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (name, old) = text.split_once('\n').unwrap_or(("fuzz", ""));
    let section: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(40)
        .collect();
    let section = if section.is_empty() {
        "fuzz".to_owned()
    } else {
        section
    };
    let edit = SectionEdit {
        section: &section,
        set: KEYS.iter().map(|k| (*k, format!("V{k}"))).collect(),
        update_if_present: vec![("aws_security_token", "Vtoken".to_owned())],
    };
    let new = apply(old, &edit);

    // Byte offsets of the section's first header and of the header after it.
    let mut offset = 0;
    let mut start = None;
    let mut end = None;
    for line in old.split_inclusive('\n') {
        if start.is_none() && is_header_of(line, &section) {
            start = Some(offset);
        } else if start.is_some() && end.is_none() && is_header(line) {
            end = Some(offset);
        }
        offset += line.len();
    }
    match start {
        Some(s) => {
            assert!(
                new.starts_with(&old[..s]),
                "bytes before the section changed"
            );
            if let Some(e) = end {
                assert!(new.ends_with(&old[e..]), "bytes after the section changed");
            }
        }
        None => {
            let kept = if old.is_empty() || old.ends_with('\n') {
                old.to_owned()
            } else {
                // The line ending of the file's first line.
                let crlf = old.find('\n').is_some_and(|i| old[..i].ends_with('\r'));
                format!("{old}{}", if crlf { "\r\n" } else { "\n" })
            };
            assert!(
                new.starts_with(&kept),
                "appending changed the file before it"
            );
        }
    }
    // Within the edited section every key is there, once.
    let (mut inside, mut seen) = (false, false);
    let mut counts = [0usize; 4];
    for line in new.split_inclusive('\n') {
        if is_header(line) {
            // The first [section] is the one edited; a later duplicate is left as it was.
            inside = !seen && is_header_of(line, &section);
            seen |= inside;
            continue;
        }
        if inside {
            for (i, k) in KEYS.iter().enumerate() {
                if line.starts_with(&format!("{k} = ")) {
                    counts[i] += 1;
                }
            }
        }
    }
    assert_eq!(counts, [1; 4], "keys in [{section}]");
    assert_eq!(
        apply(&new, &edit),
        new,
        "a second identical edit changed the file"
    );
});
