//! The default build stays lean: `rand` and `rand_pcg` come only with the
//! `sim` feature (issue 12), `tracing` only with the `tracing` feature,
//! and no `tokio` without the `tokio` (or `postgres`) feature (issue 17).
//! This test asks cargo for the dependency tree of the library with no
//! features and fails if any returns.

use std::path::Path;
use std::process::Command;

/// The crates of `cargo tree -e normal --prefix none` for the library with
/// the given features, one name per line; `None` when cargo cannot be run.
fn normal_dependencies(features: &[&str]) -> Option<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--no-default-features",
        ])
        .arg("--manifest-path")
        .arg(&manifest);
    if !features.is_empty() {
        command.arg("--features").arg(features.join(","));
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(e) => {
            eprintln!("skipped: cargo could not be run ({e})");
            return None;
        }
    };
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("cargo tree prints UTF-8");
    Some(
        text.lines()
            .filter_map(|line| line.split_whitespace().next())
            .map(str::to_owned)
            .collect(),
    )
}

fn is_rand(name: &str) -> bool {
    name == "rand" || name.starts_with("rand_")
}

#[test]
fn the_default_build_has_no_rand() {
    let Some(crates) = normal_dependencies(&[]) else {
        return;
    };
    assert!(
        crates.iter().any(|c| c == "grassroots"),
        "the tree names the crate itself: {crates:?}"
    );
    let rand: Vec<_> = crates.iter().filter(|c| is_rand(c)).collect();
    assert!(
        rand.is_empty(),
        "the default build pulls in {rand:?}; put its user behind the `sim` feature"
    );
}

#[test]
fn the_sim_feature_brings_rand() {
    // The check above would pass vacuously if the tree were read wrongly.
    let Some(crates) = normal_dependencies(&["sim"]) else {
        return;
    };
    assert!(crates.iter().any(|c| c == "rand"), "{crates:?}");
    assert!(crates.iter().any(|c| c == "rand_pcg"), "{crates:?}");
}

fn is_tracing(name: &str) -> bool {
    name == "tracing" || name.starts_with("tracing-")
}

#[test]
fn the_default_build_has_no_tracing() {
    let Some(crates) = normal_dependencies(&[]) else {
        return;
    };
    let tracing: Vec<_> = crates.iter().filter(|c| is_tracing(c)).collect();
    assert!(
        tracing.is_empty(),
        "the default build pulls in {tracing:?}; put its user behind the `tracing` feature"
    );
}

#[test]
fn the_tracing_feature_brings_tracing() {
    let Some(crates) = normal_dependencies(&["tracing"]) else {
        return;
    };
    assert!(crates.iter().any(|c| c == "tracing"), "{crates:?}");
    assert!(crates.iter().any(|c| c == "tracing-core"), "{crates:?}");
}

#[test]
fn the_default_build_has_no_tokio() {
    let Some(crates) = normal_dependencies(&[]) else {
        return;
    };
    let tokio: Vec<_> = crates.iter().filter(|c| c.starts_with("tokio")).collect();
    assert!(
        tokio.is_empty(),
        "the default build pulls in {tokio:?}; put its user behind the `tokio` feature"
    );
}

#[test]
fn the_tokio_feature_brings_tokio() {
    let Some(crates) = normal_dependencies(&["tokio"]) else {
        return;
    };
    assert!(crates.iter().any(|c| c == "tokio"), "{crates:?}");
}
