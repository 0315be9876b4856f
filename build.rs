//! Build script: bake an organisation's config.json into the binary when AWS_TOKEN_EMBED_CONFIG
//! names one (`AWS_TOKEN_EMBED_CONFIG=path/to/config.json cargo build --release`), so a team can
//! hand out one file. The JSON is checked here; the schema is checked when the binary reads it.

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
    std::fs::write(&out, text).expect("write the embedded config into OUT_DIR");
}
