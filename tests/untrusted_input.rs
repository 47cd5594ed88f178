//! The binary against input it must not trust (issue 10, "Outputs you can
//! trust"): files that never end, seeds past what a TOML file can hold,
//! terminal escape sequences in a scenario, a file name whose stem is `..`.
//! The scenario rules themselves are the broken-file catalogue's
//! (`tests/broken_files.rs`).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use predicates::prelude::*;

mod common;
use common::{listing, tcsim, tempdir};

/// A small valid scenario.
const VALID: &str = r#"[simulation]
years = 2
runs = 100

[companies.bigco]
type = "public"
share_price = 180.0
drift = 0.08
volatility = 0.30

[jobs.current]
company = "bigco"
base = 210_000

[strategies.stay]
path = [{ job = "current" }]
"#;

/// Long enough for a debug build to read 1 MiB, far too short to read more.
const QUICK: Duration = Duration::from_secs(20);

fn too_big(file: &str) -> String {
    format!("error: scenario {file} is more than 1048576 bytes; the limit is 1048576 bytes\n")
}

// ------------------------------------------------------- bounded input

/// `/dev/zero` reports a size of 0 and never ends: it is read to one byte
/// past the limit and refused, not read until memory runs out.
#[test]
fn an_endless_device_is_refused_at_the_size_limit_with_status_2() {
    for cmd in ["check", "run", "trace"] {
        let mut c = tcsim();
        c.args([cmd, "/dev/zero"]).timeout(QUICK);
        if cmd == "trace" {
            c.args(["--run", "0"]);
        }
        let dir = tempdir();
        c.current_dir(dir.path())
            .assert()
            .code(2)
            .stdout("")
            .stderr(too_big("/dev/zero"));
        assert!(listing(dir.path()).is_empty(), "{cmd} wrote something");
    }
}

/// A FIFO, like a device, has no size to check: it is read up to the limit.
#[test]
fn a_fifo_past_the_size_limit_is_refused_with_status_2() {
    let dir = tempdir();
    let fifo = dir.path().join("scenario.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Blocks until tcsim opens the FIFO; stops when it closes it.
            let mut w = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let line = [b'#'; 4096];
            for _ in 0..(4 << 20) / line.len() {
                if w.write_all(&line).is_err() {
                    return;
                }
            }
        })
    };
    tcsim()
        .arg("check")
        .arg(&fifo)
        .timeout(QUICK)
        .assert()
        .code(2)
        .stderr(too_big(&fifo.display().to_string()));
    writer.join().unwrap();
}

/// `/dev/stdin` is a file like any other: a scenario piped in is read, an
/// endless one refused.
#[test]
fn a_scenario_on_stdin_is_read_within_the_same_limit() {
    tcsim()
        .args(["check", "/dev/stdin"])
        .write_stdin(VALID)
        .timeout(QUICK)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("/dev/stdin: ok\n"));
    let zero = fs::File::open("/dev/zero").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcsim"))
        .args(["check", "/dev/stdin"])
        .stdin(Stdio::from(zero))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), too_big("/dev/stdin"));
}

// ---------------------------------------------------------------- seed

/// `--seed` takes exactly what `simulation.seed` takes: 0 to 2^63 - 1, the
/// largest integer a TOML file can hold.
#[test]
fn seed_flags_take_the_range_of_simulation_seed() {
    let dir = tempdir();
    let file = dir.path().join("s.toml");
    fs::write(&file, VALID).unwrap();
    let out = dir.path().join("out");
    let file_arg = file.to_str().unwrap();
    let out_arg = out.to_str().unwrap();
    for seed in ["9223372036854775808", "18446744073709551615", "-1"] {
        let flag = format!("--seed={seed}");
        for args in [
            vec!["run", file_arg, "--quiet", "--out", out_arg, &flag],
            vec!["trace", file_arg, "--run", "0", &flag],
            vec![
                "sweep",
                file_arg,
                "--set",
                "jobs.current.base=1,2",
                "--quiet",
                "--out",
                out_arg,
                &flag,
            ],
        ] {
            tcsim()
                .args(&args)
                .assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(seed));
        }
    }
    assert!(!out.exists());
    let max = "9223372036854775807";
    tcsim()
        .args(["trace", file_arg, "--run", "0", "--seed", max])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("run 0 of seed {max}")));
    // The same largest seed, from the file.
    fs::write(&file, VALID.replace("runs = 100", &format!("seed = {max}"))).unwrap();
    tcsim()
        .args(["check", file_arg])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("seed {max}")));
    fs::write(
        &file,
        VALID.replace("runs = 100", "seed = 9223372036854775808"),
    )
    .unwrap();
    tcsim()
        .args(["check", file_arg])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "simulation.seed is out of range, got 9223372036854775808",
        ));
}

// -------------------------------------------------- control characters

/// Escape sequences written in a key, a value or a name reach the terminal
/// escaped: the error line holds no byte below 0x20 but its line end.
#[test]
fn scenario_errors_never_carry_a_control_character_to_the_terminal() {
    let cases = [
        // An unknown key.
        VALID.replace("runs = 100", "\"\\u001b[2J\\u001b[31m\" = 1"),
        // A string value.
        VALID.replace("\"public\"", "\"\\u001b]0;title\\u0007\\r\\n\""),
        // A reference to a name.
        VALID.replace("company = \"bigco\"", "company = \"\\u001b[1m\\tbigco\""),
        // A name.
        VALID.replace("[strategies.stay]", "[strategies.\"\\u001b[5mstay\"]"),
    ];
    let dir = tempdir();
    let file = dir.path().join("esc.toml");
    for text in cases {
        fs::write(&file, &text).unwrap();
        let out = tcsim().arg("check").arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = out.stderr;
        assert_eq!(err.last(), Some(&b'\n'), "{text}");
        let body = &err[..err.len() - 1];
        assert!(
            body.iter().all(|&b| b >= 0x20 && b != 0x7f),
            "a control byte in {:?}",
            String::from_utf8_lossy(&err)
        );
        assert!(
            String::from_utf8_lossy(body).contains("\\u{1b}"),
            "{:?}",
            String::from_utf8_lossy(&err)
        );
    }
}

// ------------------------------------------------ default output directory

/// The stem of `...toml` is `..`: the outputs go to `out/scenario/`, never
/// to `out/..`, the working directory.
#[test]
fn a_file_whose_stem_is_dot_dot_writes_inside_out() {
    for name in ["...toml", "..toml"] {
        let dir = tempdir();
        fs::write(dir.path().join(name), VALID).unwrap();
        tcsim()
            .current_dir(dir.path())
            .args(["run", name, "--quiet"])
            .assert()
            .success();
        assert_eq!(listing(dir.path()), [name, "out"], "{name}");
        assert_eq!(listing(&dir.path().join("out")), ["scenario"], "{name}");
        assert_eq!(
            listing(&Path::new(dir.path()).join("out").join("scenario")),
            ["compare.csv", "manifest.json", "percentiles.csv"],
            "{name}"
        );
    }
}

// ---------------------------------------------------------- trace --run

/// `trace --run I` replays a world `tcsim run` simulates: `I` below
/// `simulation.runs`.
#[test]
fn trace_of_a_run_past_the_scenarios_runs_is_refused_with_status_2() {
    let dir = tempdir();
    let file = dir.path().join("s.toml");
    fs::write(&file, VALID).unwrap();
    tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "99"])
        .assert()
        .success();
    tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "100"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: --run 100: the scenario has 100 runs (0 to 99); pick one of them, or raise simulation.runs\n",
        );
}
