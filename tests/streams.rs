//! Every failure is reported: a full stdout is an error (exit 1 with a
//! message), a closed pipe is quiet success (ripgrep's rule), and a full
//! stderr never panics.
#![cfg(unix)]

use std::fs::OpenOptions;

use sha2::Digest as _;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_tcsim");

fn bundled(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn dev_full() -> std::fs::File {
    OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

#[test]
fn a_full_stdout_is_an_error_with_status_1() {
    for args in [
        vec!["check".to_string(), bundled("stay-vs-switch.toml")],
        vec![
            "trace".to_string(),
            bundled("stay-vs-switch.toml"),
            "--run".into(),
            "3".into(),
        ],
        vec![
            "trace".to_string(),
            bundled("stay-vs-switch.toml"),
            "--run".into(),
            "3".into(),
            "--csv".into(),
        ],
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .stdout(dev_full())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("standard output"), "{stderr}");
    }
}

#[test]
fn a_closed_pipe_is_quiet_success() {
    // `tcsim trace ... | head -c 1`: head exits after one byte.
    let mut child = Command::new(BIN)
        .args(["trace", &bundled("leave-the-startup.toml"), "--run", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_full_stderr_never_panics() {
    // An error to report, and nowhere to report it: the status still says it.
    let out = Command::new(BIN)
        .args(["check", "does-not-exist.toml"])
        .stdout(Stdio::null())
        .stderr(dev_full())
        .status()
        .unwrap();
    assert_eq!(out.code(), Some(2));
}

#[test]
fn samples_longer_than_a_spreadsheet_are_written_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // Two strategies x 5 years: 10 rows a run; 104,857 runs fit.
    for (runs, warned) in [("104857", false), ("104858", true)] {
        let out = Command::new(BIN)
            .args([
                "run",
                &bundled("stay-vs-switch.toml"),
                "--quiet",
                "--samples",
            ])
            .args(["--runs", runs, "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.contains("1,048,576"), warned, "{runs}: {stderr}");
        if warned {
            assert!(stderr.contains("104,857 runs fit"), "{stderr}");
        }
        let rows = std::fs::read(dir.path().join("samples.csv"))
            .unwrap()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        assert_eq!(
            rows as u64,
            1 + 10 * runs.parse::<u64>().unwrap(),
            "written whole"
        );
    }
}

#[test]
fn the_memory_estimate_follows_the_runs_and_threads_actually_used() {
    // 41 strategies over 50 years (16,350 series a run): 10 runs need a few
    // megabytes whatever --threads says; the old estimate (64 threads x 3
    // chunks of 4,096 runs) asked for about 100 GB and refused.
    let dir = tempfile::tempdir().unwrap();
    let file = wide(dir.path());
    let out = Command::new(BIN)
        .arg("run")
        .arg(&file)
        .args(["--runs", "10", "--threads", "64", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn control_characters_in_a_value_never_reach_stderr_raw() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("esc.toml");
    std::fs::write(
        &file,
        "[simulation]\nyears = 2\nbaseline = \"\u{1b}[2Jgone\"\n\n[strategies.a]\npath = []\n",
    )
    .unwrap();
    let out = Command::new(BIN).arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = &out.stderr;
    assert!(!stderr.is_empty());
    let body = &stderr[..stderr.len() - 1];
    assert!(
        body.iter().all(|&b| b >= 0x20),
        "{}",
        String::from_utf8_lossy(stderr)
    );
}

/// 41 strategies over 50 years: 16,350 series a run.
fn wide(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from(
        "[simulation]\nyears = 50\n\n[companies.c]\ntype = \"public\"\nshare_price = 10.0\n\
         drift = 0.05\nvolatility = 0.2\n\n[jobs.j]\ncompany = \"c\"\nbase = 100_000\n\n",
    );
    for s in 0..41 {
        text.push_str(&format!("[strategies.s{s}]\npath = [{{ job = \"j\" }}]\n"));
    }
    let file = dir.join("wide.toml");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_sweep_checks_every_points_memory_before_simulating_the_first() {
    // Point 1 alone would simulate for many minutes; point 2 cannot fit
    // (10^9 runs of 16,350 series). The sweep must refuse at once.
    let dir = tempfile::tempdir().unwrap();
    let file = wide(dir.path());
    let out_dir = dir.path().join("out");
    let started = std::time::Instant::now();
    let out = Command::new(BIN)
        .arg("sweep")
        .arg(&file)
        .args([
            "--quiet",
            "--set",
            "simulation.runs=20000000,1000000000",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("memory"));
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(!out_dir.exists());
}

#[test]
fn a_scenario_piped_on_stdin_is_read_once_hashed_and_swept() {
    use std::io::Write as _;
    let text = std::fs::read(bundled("stay-vs-switch.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pipe = |args: &[&str], out: &std::path::Path| {
        let mut child = Command::new(BIN)
            .args(args)
            .args(["--quiet", "--runs", "1000", "--out"])
            .arg(out)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&text).unwrap();
        child.wait_with_output().unwrap()
    };
    let run = pipe(&["run", "/dev/stdin"], &dir.path().join("run"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("run").join("manifest.json")).unwrap(),
    )
    .unwrap();
    let want: String = sha2::Sha256::digest(&text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        manifest.to_string().contains(&want),
        "the manifest hashes the bytes that were simulated: {manifest}"
    );
    let sweep = pipe(
        &[
            "sweep",
            "/dev/stdin",
            "--set",
            "jobs.offer.base=200000,250000",
        ],
        &dir.path().join("sweep"),
    );
    assert!(
        sweep.status.success(),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
}
