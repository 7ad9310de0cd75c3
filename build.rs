//! Says whether this crate's PostgreSQL tests can run here, so they are
//! reported as *ignored* — not as passed — where they cannot.
//!
//! With the `postgres` feature, the cfg `grassroots_pg` is set when
//! `GRASSROOTS_POSTGRES_URL` names a server, or when PostgreSQL's `initdb`
//! and `pg_ctl` are found (in `GRASSROOTS_PG_BIN`, or the newest
//! `/usr/lib/postgresql/*/bin`): the tests then start a throwaway cluster
//! themselves (see `tests/support/stores.rs`). Nothing else in the crate
//! reads the cfg; without the feature this script does nothing.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(grassroots_pg)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=GRASSROOTS_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=GRASSROOTS_PG_BIN");
    if std::env::var_os("CARGO_FEATURE_POSTGRES").is_none() {
        return;
    }
    let url = std::env::var("GRASSROOTS_POSTGRES_URL").is_ok_and(|url| !url.trim().is_empty());
    let bin = postgres_bin();
    if let Some(bin) = bin.as_ref().and_then(|bin| bin.to_str()) {
        // Where the tests find `initdb` and `pg_ctl` for their own cluster.
        println!("cargo::rustc-env=GRASSROOTS_PG_BIN_FOUND={bin}");
    }
    if url || bin.is_some() {
        println!("cargo::rustc-cfg=grassroots_pg");
    }
}

/// The directory holding `initdb` and `pg_ctl`, if there is one.
fn postgres_bin() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("GRASSROOTS_PG_BIN") {
        return Some(PathBuf::from(dir)).filter(|dir| has_tools(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_tools(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
