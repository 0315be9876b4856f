//! Build script: bake an organisation's config.json into the binary when AWS_TOKEN_EMBED_CONFIG
//! names one (`AWS_TOKEN_EMBED_CONFIG=path/to/config.json cargo build --release`), so a team can
//! hand out one file. The JSON is checked here; the schema is checked when the binary reads it.
//! Also names the commit built (`git rev-parse`, "unknown" outside a checkout, as in a Docker
//! build), the embedded config and whether USB security keys are built in, for `--version`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=AWS_TOKEN_EMBED_CONFIG");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_config.json");
    let text = match std::env::var_os("AWS_TOKEN_EMBED_CONFIG").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            let path = if path.is_absolute() {
                path
            } else {
                PathBuf::from(
                    std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
                )
                .join(path)
            };
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("AWS_TOKEN_EMBED_CONFIG={}: {e}", path.display()));
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                panic!("AWS_TOKEN_EMBED_CONFIG={}: not JSON: {e}", path.display());
            }
            println!("cargo:rustc-env=AWS_TOKEN_EMBEDDED_FROM={}", path.display());
            text
        }
        None => String::new(),
    };
    let config_note = match std::env::var_os("AWS_TOKEN_EMBED_CONFIG").filter(|v| !v.is_empty()) {
        Some(p) => format!("config embedded from {}", PathBuf::from(p).display()),
        None => "no embedded config".to_owned(),
    };
    println!("cargo:rustc-env=AWS_TOKEN_CONFIG_NOTE={config_note}");
    // The usb-keys feature (src/authenticator/usb_key.rs): a static build leaves it out.
    let keys_note = if std::env::var_os("CARGO_FEATURE_USB_KEYS").is_some() {
        "USB security keys"
    } else {
        "no USB security keys: built without the usb-keys feature"
    };
    println!("cargo:rustc-env=AWS_TOKEN_KEYS_NOTE={keys_note}");
    println!("cargo:rustc-env=AWS_TOKEN_COMMIT={}", commit());
    std::fs::write(&out, text).expect("write the embedded config into OUT_DIR");
}

/// The short commit of the checkout being built (with `-dirty` when it has changes), else
/// "unknown". Rebuilt when HEAD moves.
fn commit() -> String {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let git = manifest.join(".git");
    if !git.exists() {
        return "unknown".into();
    }
    println!("cargo:rerun-if-changed={}", git.join("HEAD").display());
    println!("cargo:rerun-if-changed={}", git.join("index").display());
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
        && let Some(r) = head.trim().strip_prefix("ref: ")
    {
        println!("cargo:rerun-if-changed={}", git.join(r).display());
    }
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&manifest)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match run(&["rev-parse", "--short=12", "HEAD"]) {
        Some(c) if !c.is_empty() => {
            let dirty = run(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty { format!("{c}-dirty") } else { c }
        }
        _ => "unknown".into(),
    }
}
