//! Signals: Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the run promptly in
//! every phase, remove every temporary file, keep earlier outputs and exit
//! with 128 + the signal's number (130, 143, 129).
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
fn interrupt_and_check(child: Child, out: &Path, before: (Vec<u8>, Vec<u8>, Vec<u8>), left: &str) {
    signal_and_check(child, "INT", 130, out, before, left);
}

/// Sends `signal` and checks the run stops with status `code`, leaving the
/// previous outputs byte-identical and nothing else in `out`.
fn signal_and_check(
    mut child: Child,
    signal: &str,
    code: i32,
    out: &Path,
    before: (Vec<u8>, Vec<u8>, Vec<u8>),
    left: &str,
) {
    common::send_signal(child.id(), signal);
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
    assert_eq!(status.code(), Some(code), "SIG{signal}; stderr: {stderr}");
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

#[test]
fn sigterm_and_sighup_stop_the_samples_pass_like_sigint_with_their_own_status() {
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let before = previous_outputs(&out, "3000");
        let mut child = spawn(&out, &["--runs", "2000000", "--samples", "--plot"]);
        let started = Instant::now();
        // samples.csv's temporary file exists once the pass has begun.
        while !listing(&out).iter().any(|n| n.starts_with(".samples.csv.")) {
            assert!(child.try_wait().unwrap().is_none(), "ended too early");
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no samples pass"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(300));
        signal_and_check(
            child,
            signal,
            code,
            &out,
            before,
            "a temporary file was left behind",
        );
    }
}

/// A heavy valid scenario: 50 years, 64 grants vesting quarterly, 41
/// strategies. One chunk of its runs takes seconds, one block of 64 runs a
/// few milliseconds.
fn heavy(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from(
        "[simulation]\nyears = 50\nruns = 3000\nsteps_per_year = 360\n\n\
         [companies.bigco]\ntype = \"public\"\nshare_price = 100.0\ndrift = 0.07\nvolatility = 0.3\n\n\
         [jobs.j]\ncompany = \"bigco\"\nbase = 200_000\nbonus = { target = 0.1, sd = 0.2 }\n\n",
    );
    for _ in 0..64 {
        text.push_str(
            "[[jobs.j.grants]]\nkind = \"rsu\"\nvalue = 10_000\nvesting = [25, 25, 25, 25]\n\n",
        );
    }
    for s in 0..41 {
        text.push_str(&format!(
            "[strategies.s{s}]\npath = [{{ job = \"j\" }}]\n\n"
        ));
    }
    let path = dir.join("heavy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_heavy_scenario_stops_promptly_at_any_moment() {
    let dir = tempfile::tempdir().unwrap();
    let file = heavy(dir.path());
    let out = dir.path().join("out");
    // Signals at several moments: setup, the middle of the only chunk, and
    // (when the machine is fast) the selection after it.
    for delay_ms in [100, 400, 900] {
        let mut child = Command::new(BIN)
            .arg("run")
            .arg(&file)
            .args(["--quiet", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_some() {
            continue; // finished first: nothing to stop
        }
        let sent = Instant::now();
        common::send_signal(child.id(), "INT");
        let status = child.wait().unwrap();
        let took = sent.elapsed();
        // It stops within tens of milliseconds (a block of 64 runs); the
        // bound leaves room for a loaded machine, and the previous engine,
        // which checked once per chunk, took 2.4-3.0 s.
        assert!(
            took < Duration::from_millis(1500),
            "took {took:?} after {delay_ms} ms"
        );
        if status.code() == Some(130) && out.exists() {
            assert!(listing(&out).is_empty(), "left: {:?}", listing(&out));
        }
    }
}
