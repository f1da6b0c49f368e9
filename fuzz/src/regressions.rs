//! Replays every recorded input of `fuzz/regressions/<target>/` through its target,
//! without libFuzzer: `cargo test --lib` in `fuzz/` (the smoke run of `fuzz.sh` replays
//! them through the instrumented binaries too).
//!
//! An input that still fails because the fix belongs elsewhere is listed, with the
//! reason, in `fuzz/regressions/<target>/PENDING` (one file name per line, `#`
//! comments); it is then expected to fail, so that this test notices the fix and asks
//! for the line to be removed.

use std::panic;
use std::path::Path;

fn pending(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("PENDING"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn recorded_inputs_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, run) in crate::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let pending = pending(&dir);
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if file == "PENDING" || file.starts_with('.') || file.ends_with(".md") {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            count += 1;
            let failed = panic::catch_unwind(|| run(&data)).is_err();
            let expected = pending.contains(&file);
            if failed != expected {
                failures.push(format!(
                    "{name}/{file}: {}",
                    if failed {
                        "fails"
                    } else {
                        "passes now: remove it from PENDING"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{count} inputs replayed:\n{}",
        failures.join("\n")
    );
}
