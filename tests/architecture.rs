//! The tree and its map agree: every module under `src/`, `core/src/`, `wire/src/` and
//! `relay/src/` is named in `docs/architecture.md`, no file is over 500 lines before its tests
//! without saying why at its top, and the view, sizing and slots import nothing from `zones/`.

use std::path::{Path, PathBuf};

const CRATES: [&str; 4] = ["src", "core/src", "wire/src", "relay/src"];
const LONGEST: usize = 500;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("{} cannot be read", dir.display());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in CRATES {
        rust_files(&root().join(dir), &mut files);
    }
    files.sort();
    files
}

#[test]
fn every_module_is_named_in_the_architecture_page() {
    let map = std::fs::read_to_string(root().join("docs/architecture.md")).expect("the page");
    let mut missing = Vec::new();
    for file in all_files() {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // A folder module is named by its folder; a test file beside its module is not one.
        let named = match name {
            "tests.rs" => continue,
            "mod.rs" => file
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .map(|dir| format!("{dir}/"))
                .unwrap_or_default(),
            other => other.to_owned(),
        };
        if !map.contains(&named) {
            missing.push(
                file.strip_prefix(root())
                    .unwrap_or(&file)
                    .display()
                    .to_string(),
            );
        }
    }
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not name these modules: {missing:?}"
    );
}

#[test]
fn no_file_is_over_500_lines_before_its_tests_without_a_reason() {
    let mut long = Vec::new();
    for file in all_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let before_tests = text
            .lines()
            .position(|l| l.starts_with("#[cfg(test)]"))
            .unwrap_or_else(|| text.lines().count());
        let says_why = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .any(|l| l.contains("500 lines"));
        if before_tests > LONGEST && !says_why {
            long.push(format!(
                "{} ({before_tests} lines)",
                file.strip_prefix(root()).unwrap_or(&file).display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "over {LONGEST} lines before their tests, with no reason at the top: {long:?}"
    );
}

#[test]
fn the_view_sizing_and_slots_import_nothing_from_the_zones() {
    let screen = root().join("src/screen");
    let mut files = vec![screen.join("sizing.rs"), screen.join("slots.rs")];
    rust_files(&screen.join("view"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        assert!(
            !code.iter().any(|l| l.contains("zones::")),
            "{} uses something in zones/: the zones depend on it, not the other way",
            file.display()
        );
    }
}
