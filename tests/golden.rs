//! Golden outputs: the exact bytes tcsim writes for each bundled scenario at
//! a small run count and a fixed seed, kept under `tests/golden/`.
//!
//! Every other determinism test compares two runs of the same binary, so a
//! change in draw order, in the percentile algorithm or a `rand_distr`
//! upgrade would pass them unnoticed. These files pin the random streams and
//! the formatting: when a change alters them on purpose, regenerate them with
//! `TCSIM_UPDATE_GOLDEN=1 cargo test --test golden` and say why in the
//! commit message.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

/// Runs and seed of the golden files: few enough runs for a debug build,
/// all kept by the pilot, so the files pin the draws and the formatting.
const RUNS: &str = "2001";
const SEED: &str = "7";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn golden_dir(name: &str) -> PathBuf {
    root().join("tests").join("golden").join(name)
}

/// Compares `got` with the golden file `dir/file`, or rewrites it when
/// `TCSIM_UPDATE_GOLDEN` is set. Returns a description of a mismatch.
fn compare(dir: &Path, file: &str, got: &[u8]) -> Option<String> {
    let path = dir.join(file);
    if std::env::var_os("TCSIM_UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(dir).expect("create the golden directory");
        fs::write(&path, got).expect("write the golden file");
        return None;
    }
    let want = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run TCSIM_UPDATE_GOLDEN=1 cargo test --test golden",
            path.display()
        )
    });
    if want == got {
        return None;
    }
    let (w, g) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(got));
    let line = w
        .lines()
        .zip(g.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| w.lines().count().min(g.lines().count()));
    Some(format!(
        "{}: differs at line {}:\n  golden: {}\n  now:    {}",
        path.display(),
        line + 1,
        w.lines().nth(line).unwrap_or("<end of file>"),
        g.lines().nth(line).unwrap_or("<end of file>")
    ))
}

/// `tcsim run` of a bundled scenario at the golden run count and seed, with
/// `extra` flags; returns the output directory.
fn run(scenario: &str, runs: &str, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("a temporary directory");
    let file = root().join("scenarios").join(format!("{scenario}.toml"));
    let mut cmd = cargo_bin_cmd!("tcsim");
    cmd.arg("run")
        .arg(&file)
        .args(["--runs", runs, "--seed", SEED, "--quiet", "--out"])
        .arg(out.path())
        .args(extra);
    let output = cmd.output().expect("tcsim runs");
    assert!(
        output.status.success(),
        "tcsim run {scenario} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

const SCENARIOS: [&str; 8] = [
    "stay-vs-switch",
    "job-hopper",
    "frontloaded-vesting",
    "bigtech-vs-startup",
    "leave-the-startup",
    "downturn",
    "after-tax",
    "career-ladder",
];

#[test]
fn every_bundled_scenario_writes_its_golden_tables_byte_for_byte() {
    let mut failures = Vec::new();
    for name in SCENARIOS {
        let out = run(name, RUNS, &[]);
        for file in ["percentiles.csv", "compare.csv"] {
            let got = fs::read(out.path().join(file)).expect("the table was written");
            failures.extend(compare(&golden_dir(name), file, &got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_optional_outputs_match_their_golden_bytes() {
    // Samples, both charts and the JSON tables of one private-company
    // scenario: every writer and the replay pinned.
    let name = "bigtech-vs-startup";
    // 201 runs keep samples.csv small enough to commit.
    let out = run(name, "201", &["--samples", "--plot", "--format", "json"]);
    let mut failures = Vec::new();
    for file in [
        "percentiles.json",
        "compare.json",
        "samples.csv",
        "fan.svg",
        "final.svg",
        "diff.svg",
        "unrealized.svg",
    ] {
        let got = fs::read(out.path().join(file)).expect("the file was written");
        failures.extend(compare(&golden_dir(name), file, &got));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_optional_outputs_after_tax_match_their_golden_bytes() {
    // The tax measures and the net_cumulative differences through every
    // writer: samples, the JSON tables and the charts.
    let name = "after-tax";
    let out = run(name, "41", &["--samples", "--plot", "--format", "json"]);
    let mut failures = Vec::new();
    for file in [
        "percentiles.json",
        "compare.json",
        "samples.csv",
        "fan.svg",
        "final.svg",
        "diff.svg",
        "unrealized.svg",
    ] {
        let got = fs::read(out.path().join(file)).expect("the file was written");
        failures.extend(compare(&golden_dir(name), file, &got));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tables_beyond_the_pilot_match_their_golden_bytes() {
    // More runs than the pilot keeps (65,536): the bracketed percentile
    // passes are pinned too.
    let mut failures = Vec::new();
    for name in ["stay-vs-switch", "bigtech-vs-startup"] {
        let out = run(name, "70001", &[]);
        for file in ["percentiles.csv", "compare.csv"] {
            let got = fs::read(out.path().join(file)).expect("the table was written");
            let golden = golden_dir(name).join("70001-runs");
            failures.extend(compare(&golden, file, &got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_and_trace_print_their_golden_text() {
    let mut failures = Vec::new();
    for name in [
        "stay-vs-switch",
        "leave-the-startup",
        "after-tax",
        "career-ladder",
    ] {
        let file = root().join("scenarios").join(format!("{name}.toml"));
        let label = format!("scenarios/{name}.toml");
        let mut outputs = Vec::new();
        for (what, args) in [
            ("check.txt", vec!["check", label.as_str()]),
            ("trace.txt", vec!["trace", label.as_str(), "--run", "3"]),
            (
                "trace.csv",
                vec!["trace", label.as_str(), "--run", "3", "--csv"],
            ),
        ] {
            let output = cargo_bin_cmd!("tcsim")
                .current_dir(root())
                .args(&args)
                .output()
                .expect("tcsim runs");
            assert!(output.status.success(), "{what} of {}", file.display());
            outputs.push((what, output.stdout));
        }
        for (what, bytes) in outputs {
            failures.extend(compare(&golden_dir(name), what, &bytes));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_sweep_writes_its_golden_table() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let output = cargo_bin_cmd!("tcsim")
        .current_dir(root())
        .args([
            "sweep",
            "scenarios/bigtech-vs-startup.toml",
            "--set",
            "companies.rocket.exit_rate=0.05,0.2",
            "--runs",
            "1001",
            "--seed",
            SEED,
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .output()
        .expect("tcsim runs");
    assert!(output.status.success());
    let got = fs::read(out.path().join("sweep.csv")).expect("sweep.csv was written");
    let failures: Vec<String> = compare(&golden_dir("bigtech-vs-startup"), "sweep.csv", &got)
        .into_iter()
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
