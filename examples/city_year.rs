//! The city-year at full speed: 20 million disputes, service requests and
//! 12345 work orders over 365 days in a city of a million organisations —
//! generated, decided, recorded, folded into governance metrics and
//! dropped — with throughput and peak memory.
//!
//! ```text
//! cargo run --release --features sim --example city_year                      # the full 20 million
//! cargo run --release --features sim --example city_year -- --cases 200000    # what CI runs
//! cargo run --release --features sim --example city_year -- --cases 20000 --small --threads 1 --seed 7
//! ```
//!
//! Options: `--cases N` (default 20,000,000), `--threads T` (default: every
//! core), `--seed S` (default 2026), `--small` (a small city instead of the
//! million-organisation one), `--organisations` (print every
//! organisation's row), `--json FILE` (write the report as JSON).

use std::process::ExitCode;
use std::time::Instant;

use grassroots::load::{City, CityYear};
use grassroots::org::generate::CityScale;

/// A line of this process's `/proc/self/status` in KiB, on Linux:
/// `VmHWM` (the peak resident set) or `VmRSS` (the resident set now).
fn memory_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Options {
    year: CityYear,
    threads: usize,
    organisations: bool,
    json: Option<String>,
}

fn parse() -> Result<Options, String> {
    let mut year = CityYear::default();
    let mut threads = 0;
    let mut organisations = false;
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--cases" => {
                year.cases = value("--cases")?
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("--cases: {e}"))?;
            }
            "--threads" => {
                threads = value("--threads")?
                    .parse()
                    .map_err(|e| format!("--threads: {e}"))?;
            }
            "--seed" => {
                year.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?;
            }
            "--small" => year.scale = CityScale::small(),
            "--organisations" => organisations = true,
            "--json" => json = Some(value("--json")?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Options {
        year,
        threads,
        organisations,
        json,
    })
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("city_year: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Built here rather than by `load::run`, to read the memory the city
    // holds before any case is played.
    let started = Instant::now();
    let city = match City::build(&options.year) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("city_year: {e}");
            return ExitCode::FAILURE;
        }
    };
    let setup = started.elapsed();
    let built = (memory_kib("VmHWM"), memory_kib("VmRSS"));
    let mut report = city.run(options.threads);
    report.setup = setup;
    if options.organisations {
        println!("{report:#}");
    } else {
        println!("{report}");
    }
    let total = report.setup + report.elapsed;
    println!(
        "throughput: {:.0} cases/s, {:.0} events/s; {:.1} s in all ({:.1} s building the city, {:.1} s playing)",
        report.cases_per_second(),
        report.events_per_second(),
        total.as_secs_f64(),
        report.setup.as_secs_f64(),
        report.elapsed.as_secs_f64(),
    );
    match (memory_kib("VmHWM"), built) {
        (Some(peak), (Some(built_peak), Some(held))) => println!(
            "peak memory (VmHWM): {:.0} MiB ({:.0} MiB peak while building the city, {:.0} MiB held by it)",
            mib(peak),
            mib(built_peak),
            mib(held)
        ),
        (Some(peak), _) => println!("peak memory (VmHWM): {:.0} MiB", mib(peak)),
        (None, _) => println!("peak memory: not available on this system"),
    }
    if let Some(path) = options.json {
        let written = serde_json::to_string_pretty(&report)
            .map_err(|e| e.to_string())
            .and_then(|text| std::fs::write(&path, text).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("city_year: {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if report.unexpected > 0 || report.replay_mismatches > 0 {
        eprintln!(
            "city_year: {} unexpected outcomes, {} replay mismatches",
            report.unexpected, report.replay_mismatches
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
