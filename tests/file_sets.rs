//! A run's files are one set, with their provenance: `manifest.json`, the
//! lock on the output directory, all-or-nothing replacement, files left
//! from earlier runs and directories shared by two scenario files
//! (docs/reference.md, "Output files").
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::{listing, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_tcsim");

fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `tcsim ARGS`, its output captured.
fn tcsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn manifest(dir: &Path) -> Value {
    let text = fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).unwrap()
}

/// Every file of the directory, by name, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// Checks that `dir` holds the whole set its manifest lists: every file
/// with the size and SHA-256 listed, every earlier file present, and
/// nothing else but dot files (temporary files, the lock file, backups)
/// when `leftovers` allows them. Returns the manifest.
fn assert_whole(dir: &Path, leftovers: bool) -> Value {
    let m = manifest(dir);
    let mut expected = vec!["manifest.json".to_string()];
    for f in m["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let bytes = fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(f["size"].as_u64(), Some(bytes.len() as u64), "{name}");
        assert_eq!(
            f["sha256"].as_str(),
            Some(sha256(&bytes).as_str()),
            "{name}"
        );
        expected.push(name.to_string());
    }
    for f in m["earlier_files"].as_array().unwrap() {
        let name = f.as_str().unwrap();
        assert!(dir.join(name).is_file(), "earlier file {name} is missing");
        expected.push(name.to_string());
    }
    expected.sort();
    let mut names = listing(dir);
    if leftovers {
        names.retain(|n| !n.starts_with('.'));
    }
    assert_eq!(names, expected, "{m:#}");
    m
}

// ------------------------------------------------------------ the manifest

#[test]
fn the_manifest_records_the_run_and_every_file_with_its_size_and_sha256() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let file = bundled("bigtech-vs-startup.toml");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--runs",
        "301",
        "--seed",
        "5",
        "--quiet",
        "--samples",
        "--plot",
        "--out",
        out.to_str().unwrap(),
    ];
    let before = SystemTime::now();
    ok(&tcsim(&args));
    let m = assert_whole(&out, false);
    assert_eq!(m["tcsim_version"], env!("CARGO_PKG_VERSION"));
    let command: Vec<&str> = m["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(command[0], BIN);
    assert_eq!(command[1..], args);
    assert_eq!(m["scenario"]["path"], file.to_str().unwrap());
    assert_eq!(m["scenario"]["sha256"], sha256(&fs::read(&file).unwrap()));
    assert_eq!(
        (m["seed"].as_u64(), m["runs"].as_u64()),
        (Some(5), Some(301))
    );
    assert_eq!(
        m["percentiles"],
        serde_json::json!([5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0])
    );
    let names: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "percentiles.csv",
            "compare.csv",
            "samples.csv",
            "fan.svg",
            "final.svg",
            "diff.svg",
            "unrealized.svg"
        ]
    );
    assert_eq!(m["earlier_files"], serde_json::json!([]));
    // UTC, RFC 3339, to the second, between the start and now.
    let time = m["time"].as_str().unwrap();
    assert_eq!(time.len(), 20, "{time}");
    assert!(time.ends_with('Z') && &time[10..11] == "T", "{time}");
    let year: u64 = time[..4].parse().unwrap();
    let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let approx_year = 1970 + secs(before) / 31_556_952;
    assert!(year.abs_diff(approx_year) <= 1, "{time}");
    let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "tcsim_version",
            "command",
            "scenario",
            "seed",
            "runs",
            "percentiles",
            "time",
            "files",
            "earlier_files"
        ]
    );
}

#[test]
fn every_file_but_the_manifest_is_byte_identical_across_thread_counts() {
    let file = bundled("leave-the-startup.toml");
    let (a, b) = (tempdir(), tempdir());
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        ok(&tcsim(&[
            "run",
            file.to_str().unwrap(),
            "--runs",
            "2001",
            "--quiet",
            "--samples",
            "--plot",
            "--threads",
            threads,
            "--out",
            dir.path().to_str().unwrap(),
        ]));
    }
    let (mut sa, mut sb) = (snapshot(a.path()), snapshot(b.path()));
    let (ma, mb) = (manifest(a.path()), manifest(b.path()));
    assert!(sa.remove("manifest.json").is_some() && sb.remove("manifest.json").is_some());
    assert!(sa == sb, "a file differs between --threads 1 and 2");
    // The manifests differ only in the command line and the time.
    for key in ["scenario", "seed", "runs", "percentiles", "files"] {
        assert_eq!(ma[key], mb[key], "{key}");
    }
}

#[test]
fn files_left_from_an_earlier_run_are_kept_and_listed_as_earlier() {
    let file = bundled("job-hopper.toml");
    let out = tempdir();
    let o = out.path().to_str().unwrap();
    let f = file.to_str().unwrap();
    ok(&tcsim(&[
        "run",
        f,
        "--runs",
        "301",
        "--quiet",
        "--samples",
        "--out",
        o,
    ]));
    let samples = fs::read(out.path().join("samples.csv")).unwrap();
    ok(&tcsim(&[
        "run", f, "--runs", "501", "--quiet", "--format", "json", "--out", o,
    ]));
    let m = assert_whole(out.path(), false);
    assert_eq!(
        m["earlier_files"],
        serde_json::json!(["percentiles.csv", "compare.csv", "samples.csv"])
    );
    assert_eq!(fs::read(out.path().join("samples.csv")).unwrap(), samples);
    ok(&tcsim(&[
        "sweep",
        f,
        "--set",
        "simulation.seed=1,2",
        "--runs",
        "200",
        "--quiet",
        "--out",
        o,
    ]));
    let m = assert_whole(out.path(), false);
    assert_eq!(m["files"][0]["name"], "sweep.csv");
    assert_eq!(m["seed"], Value::Null, "the sweep varies the seed");
    assert_eq!(m["runs"], 200);
    assert_eq!(m["earlier_files"].as_array().unwrap().len(), 5);
}

// ---------------------------------------------------------------- the lock

#[test]
fn a_run_into_a_locked_directory_fails_at_once_and_leaves_the_set_alone() {
    let file = bundled("job-hopper.toml");
    let out = tempdir();
    let o = out.path().to_str().unwrap();
    let f = file.to_str().unwrap();
    ok(&tcsim(&["run", f, "--runs", "301", "--quiet", "--out", o]));
    let before = snapshot(out.path());
    // Another process holding the lock, as a running tcsim would.
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(out.path().join(".tcsim.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let started = Instant::now();
    let run = tcsim(&[
        "run", f, "--runs", "301", "--seed", "9", "--quiet", "--out", o,
    ]);
    assert!(started.elapsed() < Duration::from_secs(5), "it waited");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with(&format!("error: {o}: another tcsim run is writing there")),
        "{stderr}"
    );
    let mut after = snapshot(out.path());
    assert!(
        after.remove(".tcsim.lock").is_some(),
        "the holder's lock file stays"
    );
    assert!(after == before, "a locked directory was written to");
    drop(lock);
    ok(&tcsim(&[
        "run", f, "--runs", "301", "--seed", "9", "--quiet", "--out", o,
    ]));
    assert_eq!(manifest(out.path())["seed"], 9);
    assert!(
        !out.path().join(".tcsim.lock").exists(),
        "the lock file goes with the run"
    );
}

#[test]
fn two_runs_at_once_into_one_directory_never_mix_their_files() {
    let file = bundled("stay-vs-switch.toml");
    let f = file.to_str().unwrap();
    // Each seed's tables, written alone.
    let reference: BTreeMap<u64, (Vec<u8>, Vec<u8>)> = [1u64, 2]
        .into_iter()
        .map(|seed| {
            let d = tempdir();
            let o = d.path().to_str().unwrap();
            ok(&tcsim(&[
                "run",
                f,
                "--runs",
                "400",
                "--seed",
                &seed.to_string(),
                "--quiet",
                "--out",
                o,
            ]));
            let read = |n: &str| fs::read(d.path().join(n)).unwrap();
            (seed, (read("percentiles.csv"), read("compare.csv")))
        })
        .collect();
    let mut refused = 0;
    for trial in 0..20 {
        let dir = tempdir();
        let out = dir.path().join("out");
        let children: Vec<_> = [1u64, 2]
            .into_iter()
            .map(|seed| {
                let mut cmd = Command::new(BIN);
                cmd.args([
                    "run",
                    f,
                    "--runs",
                    "400",
                    "--seed",
                    &seed.to_string(),
                    "--quiet",
                ]);
                if seed == 1 {
                    cmd.arg("--samples");
                }
                cmd.arg("--out")
                    .arg(&out)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut succeeded = Vec::new();
        for (seed, child) in [1u64, 2].into_iter().zip(children) {
            let o = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => succeeded.push(seed),
                Some(1) => {
                    assert!(
                        stderr.contains(&format!(
                            "{}: another tcsim run is writing there",
                            out.display()
                        )),
                        "trial {trial}: {stderr}"
                    );
                    refused += 1;
                }
                other => panic!("trial {trial}: status {other:?}: {stderr}"),
            }
        }
        assert!(!succeeded.is_empty(), "trial {trial}: both runs failed");
        let m = assert_whole(&out, false);
        let seed = m["seed"].as_u64().unwrap();
        assert!(succeeded.contains(&seed), "trial {trial}: seed {seed}");
        let (p, c) = &reference[&seed];
        assert!(
            fs::read(out.join("percentiles.csv")).unwrap() == *p,
            "trial {trial}"
        );
        assert!(
            fs::read(out.join("compare.csv")).unwrap() == *c,
            "trial {trial}"
        );
    }
    eprintln!("{refused} of 40 runs found the directory locked");
}

// ------------------------------------------------------- all or nothing

#[test]
fn a_file_that_cannot_be_replaced_at_the_end_leaves_the_whole_previous_set() {
    let file = bundled("stay-vs-switch.toml");
    let out = tempdir();
    let o = out.path().to_str().unwrap();
    let f = file.to_str().unwrap();
    ok(&tcsim(&["run", f, "--runs", "301", "--quiet", "--out", o]));
    let before = snapshot(out.path());
    // samples.csv is staged first; a directory takes its place while the
    // run simulates, after percentiles.csv and compare.csv could be
    // replaced.
    let child = Command::new(BIN)
        .args([
            "run",
            f,
            "--runs",
            "40001",
            "--seed",
            "3",
            "--quiet",
            "--samples",
            "--out",
            o,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !listing(out.path())
        .iter()
        .any(|n| n.starts_with(".samples.csv."))
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no samples.csv staged"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    fs::create_dir(out.path().join("samples.csv")).unwrap();
    fs::write(out.path().join("samples.csv").join("mine"), "x").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("samples.csv"), "{stderr}");
    let mut after = snapshot_files(out.path());
    assert_eq!(after.remove("samples.csv"), Some(None));
    let before: BTreeMap<String, Option<Vec<u8>>> =
        before.into_iter().map(|(n, b)| (n, Some(b))).collect();
    assert!(after == before, "the previous set was not left whole");
    fs::remove_dir_all(out.path().join("samples.csv")).unwrap();
    assert_whole(out.path(), false);
}

#[test]
fn an_immutable_file_of_the_set_leaves_every_previous_file_in_place() {
    // `chattr +i` takes root and a file system that has the flag: where it
    // fails, there is nothing to test (the test above needs neither).
    let file = bundled("job-hopper.toml");
    let out = tempdir();
    let o = out.path().to_str().unwrap();
    let f = file.to_str().unwrap();
    ok(&tcsim(&["run", f, "--runs", "301", "--quiet", "--out", o]));
    let before = snapshot(out.path());
    let compare = out.path().join("compare.csv");
    let chattr = |flag: &str| {
        Command::new("chattr")
            .arg(flag)
            .arg(&compare)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !chattr("+i") {
        eprintln!("chattr +i is not available here: skipped");
        return;
    }
    struct Mutable<F: Fn(&str) -> bool>(F);
    impl<F: Fn(&str) -> bool> Drop for Mutable<F> {
        fn drop(&mut self) {
            (self.0)("-i");
        }
    }
    let _undo = Mutable(chattr);
    // percentiles.csv comes first and could be replaced; compare.csv not.
    let run = tcsim(&[
        "run", f, "--runs", "301", "--seed", "8", "--quiet", "--out", o,
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("compare.csv"), "{stderr}");
    assert!(
        snapshot(out.path()) == before,
        "a file of the previous set was replaced"
    );
}

/// Like [`snapshot`], with `None` for a directory.
fn snapshot_files(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let p = dir.join(&n);
            let bytes = p.is_file().then(|| fs::read(&p).unwrap());
            (n, bytes)
        })
        .collect()
}

// ------------------------------------------------- shared default directories

#[test]
fn a_default_directory_holding_another_scenario_file_is_refused() {
    let dir = tempdir();
    let text = fs::read_to_string(bundled("stay-vs-switch.toml")).unwrap();
    for (sub, seed) in [("a", 1), ("b", 2)] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        let t = text.replacen("[simulation]", &format!("[simulation]\nseed = {seed}"), 1);
        let t = t.replacen("\nseed = 42", "", 1);
        fs::write(dir.path().join(sub).join("offer.toml"), t).unwrap();
    }
    let run = |file: &str, extra: &[&str]| {
        Command::new(BIN)
            .current_dir(dir.path())
            .args(["run", file, "--runs", "301", "--quiet"])
            .args(extra)
            .output()
            .unwrap()
    };
    ok(&run("a/offer.toml", &[]));
    let out = dir.path().join("out").join("offer");
    let before = snapshot(&out);
    // Another file of the same name: refused, nothing touched.
    let refused = run("b/offer.toml", &[]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.starts_with(
            "error: out/offer: holds the outputs of another scenario file, a/offer.toml"
        ) && stderr.contains("--out"),
        "{stderr}"
    );
    assert!(snapshot(&out) == before);
    // The same file edited, or under another path: the same scenario.
    let a = fs::read_to_string(dir.path().join("a/offer.toml")).unwrap();
    fs::write(
        dir.path().join("a/offer.toml"),
        a.replacen("years = 5", "years = 4", 1),
    )
    .unwrap();
    ok(&run("a/offer.toml", &[]));
    ok(&run("./a/offer.toml", &[]));
    // A directory named with --out: a warning, and the run goes on.
    let mine = dir.path().join("mine");
    ok(&run("a/offer.toml", &["--out", mine.to_str().unwrap()]));
    let warned = run("b/offer.toml", &["--out", mine.to_str().unwrap()]);
    ok(&warned);
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(
        stderr.starts_with(&format!(
            "warning: {} holds the outputs of another scenario file, a/offer.toml",
            mine.display()
        )),
        "{stderr}"
    );
    assert_eq!(manifest(&mine)["scenario"]["path"], "b/offer.toml");
}

// ------------------------------------------------------ property: interrupted

mod interrupted {
    use super::*;
    use proptest::prelude::*;
    use std::os::unix::process::ExitStatusExt;

    const SCENARIOS: [&str; 3] = [
        "stay-vs-switch.toml",
        "job-hopper.toml",
        "bigtech-vs-startup.toml",
    ];

    /// One `tcsim run`'s flags.
    #[derive(Debug, Clone)]
    struct Flags {
        seed: u64,
        runs: u64,
        samples: bool,
        plot: bool,
        json: bool,
    }

    impl Flags {
        fn command(&self, file: &Path, out: &Path) -> Command {
            let mut cmd = Command::new(BIN);
            cmd.arg("run")
                .arg(file)
                .args(["--quiet", "--threads", "2"])
                .args(["--seed", &self.seed.to_string()])
                .args(["--runs", &self.runs.to_string()]);
            if self.samples {
                cmd.arg("--samples");
            }
            if self.plot {
                cmd.arg("--plot");
            }
            if self.json {
                cmd.args(["--format", "json"]);
            }
            cmd.arg("--out")
                .arg(out)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            cmd
        }

        fn run_ok(&self, file: &Path, out: &Path) {
            ok(&self.command(file, out).output().unwrap());
        }
    }

    fn flags() -> impl Strategy<Value = Flags> {
        (
            0u64..1000,
            50u64..6000,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(seed, runs, samples, plot, json)| Flags {
                seed,
                runs,
                samples,
                plot,
                json,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 16,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// A run stopped at any point, by Ctrl-C or by SIGKILL, leaves
        /// either the whole previous set or its own whole set, each
        /// matching its manifest; only a killed run may leave dot files
        /// (temporary files, the lock file, backups), and the next run
        /// into the directory clears them.
        #[test]
        fn a_run_stopped_at_any_point_leaves_one_whole_set(
            scenario in 0..SCENARIOS.len(),
            old in flags(),
            new in flags(),
            sigkill in any::<bool>(),
            delay_ms in 0u64..200,
        ) {
            let file = bundled(SCENARIOS[scenario]);
            let dir = tempdir();
            let out = dir.path().join("out");
            old.run_ok(&file, &out);
            let before = snapshot(&out);

            let mut child = new.command(&file, &out).spawn().unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let signal = if sigkill { "-KILL" } else { "-INT" };
            let _ = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
            let status = child.wait().unwrap();
            let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
            prop_assert!(
                matches!(status.code(), Some(0 | 130)) || status.signal().is_some(),
                "status {status:?}: {stderr}"
            );

            let m = assert_whole(&out, status.signal().is_some());
            if fs::read(out.join("manifest.json")).unwrap() == before["manifest.json"] {
                // The previous set, every file as it was.
                let mut now = snapshot(&out);
                now.retain(|n, _| !n.starts_with('.'));
                prop_assert!(now == before, "the previous set changed");
            } else {
                // This run's set: it got as far as its manifest.
                prop_assert!(status.success() || status.signal() == Some(9), "{status:?}");
                prop_assert_eq!(m["seed"].as_u64(), Some(new.seed));
                prop_assert_eq!(m["runs"].as_u64(), Some(new.runs));
            }

            // The next run cleans up whatever a killed one left.
            new.run_ok(&file, &out);
            assert_whole(&out, false);
        }
    }
}
