//! Embeds the vendored browser assets (`assets/dist/`, listed with their SHA-256 in
//! `assets/SHA256SUMS`) into the binary: writes `$OUT_DIR/vendored_assets.rs`, a table of
//! `(name, sha256, bytes)` that `src/http/assets.rs` serves.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let root = Path::new(&root);
    let sums_path = root.join("assets/SHA256SUMS");
    let dist = root.join("assets/dist");
    println!("cargo:rerun-if-changed={}", sums_path.display());
    println!("cargo:rerun-if-changed={}", dist.display());

    let sums = std::fs::read_to_string(&sums_path)
        .unwrap_or_else(|err| panic!("{}: {err}", sums_path.display()));
    let mut table = String::from("&[\n");
    for line in sums.lines().filter(|line| !line.trim().is_empty()) {
        let (sha256, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("not a sha256sum line in SHA256SUMS: {line}"));
        let name = name.trim_start_matches("./");
        let file = dist.join(name);
        assert!(file.is_file(), "{} is listed but missing", file.display());
        println!("cargo:rerun-if-changed={}", file.display());
        writeln!(
            table,
            "    ({name:?}, {sha256:?}, include_bytes!({path:?})),",
            path = file.display().to_string()
        )
        .unwrap_or_default();
    }
    table.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("vendored_assets.rs");
    std::fs::write(&out, table).unwrap_or_else(|err| panic!("{}: {err}", out.display()));
}
