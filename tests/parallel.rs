//! Shards run through GNU parallel, as docs/distributed.md shows: a
//! 4-shard run and a 4-shard sweep, each merged with `tcsim merge`, give
//! the bytes one machine writes.
//!
//! GNU parallel is found on the `PATH` (`.ci/run` installs Debian's
//! `parallel`). Without it these tests fail under CI (`CI` set) and are
//! skipped, loudly, elsewhere.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{listing, tempdir};

const TCSIM: &str = env!("CARGO_BIN_EXE_tcsim");

fn bundled(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// Whether `parallel` on the `PATH` is GNU parallel (moreutils ships
/// another program of that name); if not, a loud note that `test` is
/// skipped, or under CI a failure.
fn gnu_parallel_or_skip(test: &str) -> bool {
    let found = Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("GNU parallel")
        });
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: GNU parallel is missing under CI (.ci/run installs Debian's parallel package)"
        );
        // Straight to the process's stderr: the test harness captures
        // eprintln! of a passing test, and this must be seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n\
             ************************************************************************\n\
             SKIPPED {test}: no GNU parallel on the PATH (install Debian's\n\
             parallel package); the shards were not run through it.\n\
             ************************************************************************\n"
        );
    }
    found
}

/// `parallel ... tcsim ARGS --shard {}/4 --out PARTS --quiet ::: 0 1 2 3`
/// (`--quote`: the paths reach tcsim as they are, spaces and all).
fn four_shards_through_parallel(args: &[&str], parts: &Path) {
    let status = Command::new("parallel")
        .args([
            "--will-cite",
            "--quote",
            "--halt",
            "now,fail=1",
            "--jobs",
            "2",
        ])
        .arg(TCSIM)
        .args(args)
        .args(["--threads", "1", "--shard", "{}/4", "--quiet", "--out"])
        .arg(parts)
        .args([":::", "0", "1", "2", "3"])
        .status()
        .expect("parallel starts");
    assert!(status.success(), "parallel: {status}");
    assert_eq!(
        listing(parts),
        (0..4)
            .map(|i| format!("part-{i}-of-4.tcsim"))
            .collect::<Vec<_>>()
    );
}

/// `tcsim merge PARTS/part-*.tcsim --out OUT --quiet`, asserting success.
fn merge(parts: &Path, out: &Path) {
    let given: Vec<PathBuf> = listing(parts).iter().map(|n| parts.join(n)).collect();
    let o = Command::new(TCSIM)
        .arg("merge")
        .args(&given)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `tcsim COMMAND ARGS --out OUT --quiet` on one machine.
fn one_machine(args: &[&str], out: &Path) {
    let o = Command::new(TCSIM)
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every file of `one` but the manifest has the same bytes in `merged`,
/// and `merged` holds no other output.
fn assert_same_files(one: &Path, merged: &Path) {
    assert_eq!(listing(one), listing(merged));
    for name in listing(one) {
        if name == "manifest.json" {
            continue;
        }
        let (a, b) = (
            fs::read(one.join(&name)).unwrap(),
            fs::read(merged.join(&name)).unwrap(),
        );
        assert!(a == b, "{name}: the merged bytes differ from one machine's");
    }
}

#[test]

fn a_run_sharded_four_ways_through_gnu_parallel_merges_to_the_one_machine_bytes() {
    if !gnu_parallel_or_skip(
        "a_run_sharded_four_ways_through_gnu_parallel_merges_to_the_one_machine_bytes",
    ) {
        return;
    }
    let dir = tempdir();
    let file = bundled("stay-vs-switch.toml");
    let file = file.to_str().unwrap();
    // More runs than the pilot (65,536): the brackets are exercised.
    let args = ["run", file, "--runs", "200000"];
    let parts = dir.path().join("parts");
    four_shards_through_parallel(&args, &parts);
    let merged = dir.path().join("merged");
    merge(&parts, &merged);
    let one = dir.path().join("one");
    one_machine(&args, &one);
    assert_same_files(&one, &merged);
}

#[test]
fn a_sweep_sharded_four_ways_through_gnu_parallel_merges_to_the_one_machine_bytes() {
    if !gnu_parallel_or_skip(
        "a_sweep_sharded_four_ways_through_gnu_parallel_merges_to_the_one_machine_bytes",
    ) {
        return;
    }
    let dir = tempdir();
    let file = bundled("job-hopper.toml");
    let file = file.to_str().unwrap();
    // 3 x 2 points over 4 shards: two shards hold two points, two one.
    let args = [
        "sweep",
        file,
        "--set",
        "jobs.hop.base_raise.max=0.15,0.2,0.3",
        "--set",
        "jobs.current.promotion.rate=0.2,0.33",
        "--runs",
        "3000",
    ];
    let parts = dir.path().join("parts");
    four_shards_through_parallel(&args, &parts);
    let merged = dir.path().join("merged");
    merge(&parts, &merged);
    let one = dir.path().join("one");
    one_machine(&args, &one);
    assert_same_files(&one, &merged);
    assert!(merged.join("sweep.csv").is_file());
}
