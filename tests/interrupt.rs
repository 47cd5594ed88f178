//! Ctrl-C: the run stops promptly, writes nothing, keeps earlier outputs and
//! exits with status 130.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scenario() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/stay-vs-switch.toml").to_string()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn sigint_stops_the_run_keeps_previous_outputs_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_tcsim");
    let first = Command::new(bin)
        .args(["run", &scenario(), "--runs", "5000", "--quiet", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(first.success());
    let before = std::fs::read(out.join("percentiles.csv")).unwrap();
    let before_compare = std::fs::read(out.join("compare.csv")).unwrap();

    // A run far too long to finish before the signal.
    let mut child = Command::new(bin)
        .args(["run", &scenario(), "--runs", "20000000", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the long run ended before the signal"
    );
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
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
    assert_eq!(std::fs::read(out.join("percentiles.csv")).unwrap(), before);
    assert_eq!(
        std::fs::read(out.join("compare.csv")).unwrap(),
        before_compare
    );
    assert_eq!(
        listing(&out),
        vec!["compare.csv", "percentiles.csv"],
        "temporary files left behind"
    );
}

#[test]
fn sigint_during_the_samples_pass_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_tcsim");
    let first = Command::new(bin)
        .args(["run", &scenario(), "--runs", "3000", "--quiet", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(first.success());
    let before = std::fs::read(out.join("percentiles.csv")).unwrap();
    let before_compare = std::fs::read(out.join("compare.csv")).unwrap();

    // The samples pass starts once samples.csv's temporary file exists:
    // after the simulation, before the replay that fills it.
    let mut child = Command::new(bin)
        .args(["run", &scenario(), "--runs", "60001", "--samples", "--plot"])
        .args(["--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    assert_eq!(std::fs::read(out.join("percentiles.csv")).unwrap(), before);
    assert_eq!(
        std::fs::read(out.join("compare.csv")).unwrap(),
        before_compare
    );
    assert_eq!(
        listing(&out),
        vec!["compare.csv", "percentiles.csv"],
        "samples.csv, a chart or a temporary file was left behind"
    );
}
