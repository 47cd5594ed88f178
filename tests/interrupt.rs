//! Ctrl-C: the run stops promptly, writes nothing, keeps earlier outputs and
//! exits with status 130.
#![cfg(unix)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::listing;

const BIN: &str = env!("CARGO_BIN_EXE_tcsim");

fn scenario() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/stay-vs-switch.toml").to_string()
}

/// A first, small run's outputs in `out`, and their bytes.
fn previous_outputs(out: &Path, runs: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let first = Command::new(BIN)
        .args(["run", &scenario(), "--runs", runs, "--quiet", "--out"])
        .arg(out)
        .status()
        .unwrap();
    assert!(first.success());
    (
        std::fs::read(out.join("percentiles.csv")).unwrap(),
        std::fs::read(out.join("compare.csv")).unwrap(),
        std::fs::read(out.join("manifest.json")).unwrap(),
    )
}

/// A run writing to `out`, with its stderr captured.
fn spawn(out: &Path, args: &[&str]) -> Child {
    Command::new(BIN)
        .args(["run", &scenario(), "--quiet"])
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT and checks the run stops with status 130, leaving the
/// previous outputs byte-identical and nothing else in `out`.
fn interrupt_and_check(
    mut child: Child,
    out: &Path,
    before: (Vec<u8>, Vec<u8>, Vec<u8>),
    left: &str,
) {
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let sent = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        // Generous bound for a loaded CI machine; it stops in milliseconds.
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    assert_eq!(
        std::fs::read(out.join("percentiles.csv")).unwrap(),
        before.0
    );
    assert_eq!(std::fs::read(out.join("compare.csv")).unwrap(), before.1);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before.2);
    assert_eq!(
        listing(out),
        vec!["compare.csv", "manifest.json", "percentiles.csv"],
        "{left}"
    );
}

#[test]
fn sigint_stops_the_run_keeps_previous_outputs_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let before = previous_outputs(&out, "5000");
    // A run far too long to finish before the signal.
    let mut child = spawn(&out, &["--runs", "20000000"]);
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the long run ended before the signal"
    );
    interrupt_and_check(child, &out, before, "temporary files left behind");
}

#[test]
fn sigint_during_the_samples_pass_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let before = previous_outputs(&out, "3000");
    // The samples pass starts once samples.csv's temporary file exists:
    // after the simulation, before the replay that fills it.
    let mut child = spawn(&out, &["--runs", "60001", "--samples", "--plot"]);
    let started = Instant::now();
    while !listing(&out).iter().any(|n| n.starts_with(".samples.csv.")) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its samples pass was seen"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no samples pass"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    interrupt_and_check(
        child,
        &out,
        before,
        "samples.csv, a chart or a temporary file was left behind",
    );
}
