//! Every failure is reported: a full stdout is an error (exit 1 with a
//! message), a closed pipe is quiet success (ripgrep's rule), and a full
//! stderr never panics.
#![cfg(unix)]

use std::fs::OpenOptions;
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
