//! `tcsim sweep --shard I/N` and `tcsim merge` (model.md section 14): the
//! parts of a sweep sharded by point merge to the bytes of the one-machine
//! `sweep.csv` / `sweep.json` and its terminal summary, for any number of
//! shards (more shards than points included); parts of different sweeps,
//! or damaged ones, are refused with exit status 2; a bad point fails
//! every shard before anything is written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{listing, tcsim, tempdir};

fn bundled(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// Two axes over `stay-vs-switch.toml`: 3 x 2 = 6 points, the second axis
/// changing the horizon (so the points differ in cost and in rows).
const GRID: [&str; 4] = [
    "--set",
    "companies.bigco.drift=0.03,0.08,0.12",
    "--set",
    "simulation.years=2,4",
];

/// `tcsim sweep FILE ARGS --out OUT`, asserting success; its stdout.
fn sweep(file: &Path, args: &[&str], out: &Path) -> String {
    let o = tcsim()
        .arg("sweep")
        .arg(file)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "sweep {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Every part in `dir`, in file-name order.
fn parts(dir: &Path) -> Vec<PathBuf> {
    listing(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tcsim"))
        .map(|n| dir.join(n))
        .collect()
}

/// `tcsim merge PARTS --out OUT`: its exit code, stdout and stderr.
fn merge(parts: &[PathBuf], out: &Path) -> (i32, String, String) {
    let o = tcsim()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// Shards `args` over `file` `n` ways (the parts written into one folder,
/// as on a shared file system), merges them, and asserts the merge wrote
/// `name` with the one-machine bytes and printed its summary.
fn assert_merges_to_the_one_machine_sweep(file: &Path, args: &[&str], name: &str, ns: &[u64]) {
    let dir = tempdir();
    let one = dir.path().join("one");
    let summary = sweep(file, args, &one);
    let want = fs::read(one.join(name)).unwrap();
    for &n in ns {
        let shards = dir.path().join(format!("parts-{n}"));
        for i in 0..n {
            let mut a = args.to_vec();
            let spec = format!("{i}/{n}");
            a.extend(["--shard", &spec]);
            sweep(file, &a, &shards);
        }
        let parts = parts(&shards);
        assert_eq!(parts.len() as u64, n, "one part per shard");
        let merged = dir.path().join(format!("merged-{n}"));
        // The parts in reverse: the merge orders them itself.
        let reversed: Vec<PathBuf> = parts.into_iter().rev().collect();
        let (code, stdout, stderr) = merge(&reversed, &merged);
        assert_eq!(code, 0, "merge of {n} shards: {stderr}");
        let got = fs::read(merged.join(name)).unwrap();
        assert!(
            got == want,
            "{name} merged from {n} shards differs from the one-machine sweep:\n{}\n---\n{}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(stdout, summary, "the merge prints the sweep's summary");
        assert_eq!(stderr, format!("wrote {}\n", merged.join(name).display()));
        assert_eq!(
            listing(&merged),
            vec!["manifest.json".to_string(), name.into()]
        );
    }
}

#[test]
fn a_sweep_sharded_by_point_merges_to_the_one_machine_sweep_csv_byte_for_byte() {
    let mut args = GRID.to_vec();
    args.extend(["--runs", "3000"]);
    // 8 > 6 points: shards 6 and 7 hold none.
    assert_merges_to_the_one_machine_sweep(
        &bundled("stay-vs-switch.toml"),
        &args,
        "sweep.csv",
        &[1, 2, 3, 8],
    );
}

#[test]
fn a_sweep_sharded_by_point_merges_to_the_one_machine_sweep_json_byte_for_byte() {
    // With [tax] and a discount rate: the optional column groups too.
    let args = [
        "--set",
        "simulation.discount_rate=0.02,0.05",
        "--set",
        "simulation.years=3,4",
        "--runs",
        "2000",
        "--seed",
        "7",
        "--format",
        "json",
    ];
    assert_merges_to_the_one_machine_sweep(
        &bundled("after-tax.toml"),
        &args,
        "sweep.json",
        &[3, 5],
    );
}

#[test]
fn sweep_shards_deal_the_points_round_robin() {
    let dir = tempdir();
    let mut args = GRID.to_vec();
    args.extend(["--runs", "1000", "--shard", "1/4"]);
    let stdout = sweep(&bundled("stay-vs-switch.toml"), &args, dir.path());
    assert_eq!(
        stdout,
        "shard 1/4 of 6 points: 2 points, 1,000 runs each (seed 42)\n"
    );
    let text = fs::read_to_string(dir.path().join("part-1-of-4.tcsim")).unwrap();
    let body: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    let points: Vec<u64> = body["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["point"].as_u64().unwrap())
        .collect();
    assert_eq!(points, vec![1, 5], "points k with k mod 4 = 1");
}

#[test]
fn parts_of_sweeps_with_different_set_values_are_refused() {
    let dir = tempdir();
    let file = bundled("stay-vs-switch.toml");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    sweep(
        &file,
        &[
            "--set",
            "companies.bigco.drift=0.03,0.08",
            "--runs",
            "1000",
            "--shard",
            "0/2",
        ],
        &a,
    );
    sweep(
        &file,
        &[
            "--set",
            "companies.bigco.drift=0.03,0.09",
            "--runs",
            "1000",
            "--shard",
            "1/2",
        ],
        &b,
    );
    let out = dir.path().join("merged");
    let given = [a.join("part-0-of-2.tcsim"), b.join("part-1-of-2.tcsim")];
    let (code, stdout, stderr) = merge(&given, &out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("parts of different computations: set is"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");

    // Another --runs, or another format, is another sweep too.
    let c = dir.path().join("c");
    sweep(
        &file,
        &[
            "--set",
            "companies.bigco.drift=0.03,0.08",
            "--runs",
            "2000",
            "--shard",
            "1/2",
        ],
        &c,
    );
    let (code, _, stderr) = merge(
        &[a.join("part-0-of-2.tcsim"), c.join("part-1-of-2.tcsim")],
        &out,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("runs is 1000 in the first, 2000"),
        "{stderr}"
    );
    let j = dir.path().join("j");
    sweep(
        &file,
        &[
            "--set",
            "companies.bigco.drift=0.03,0.08",
            "--runs",
            "1000",
            "--shard",
            "1/2",
            "--format",
            "json",
        ],
        &j,
    );
    let (code, _, stderr) = merge(
        &[a.join("part-0-of-2.tcsim"), j.join("part-1-of-2.tcsim")],
        &out,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("format is \"csv\""), "{stderr}");
    // And a shard missing.
    let (code, _, stderr) = merge(&[a.join("part-0-of-2.tcsim")], &out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing part-1-of-2.tcsim"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_damaged_sweep_part_is_refused() {
    let dir = tempdir();
    let file = bundled("stay-vs-switch.toml");
    for i in 0..2 {
        let spec = format!("{i}/2");
        sweep(
            &file,
            &[
                "--set",
                "companies.bigco.drift=0.03,0.08,0.1",
                "--runs",
                "1000",
                "--shard",
                &spec,
            ],
            dir.path(),
        );
    }
    // Shard 0's body with its second point (point 2) dropped.
    let path = dir.path().join("part-0-of-2.tcsim");
    let text = fs::read_to_string(&path).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let mut body: serde_json::Value = serde_json::from_str(body).unwrap();
    body["points"].as_array_mut().unwrap().truncate(1);
    fs::write(&path, format!("{header}\n{body}\n")).unwrap();
    let out = dir.path().join("merged");
    let (code, _, stderr) = merge(&parts(dir.path()), &out);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("part-0-of-2.tcsim: it holds 1 of the shard's 2 points"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_bad_point_fails_every_shard_before_anything_is_written() {
    let dir = tempdir();
    // Point 1 (years = 0) breaks a rule; shard 0/2 owns points 0 and 2 only.
    let o = tcsim()
        .arg("sweep")
        .arg(bundled("stay-vs-switch.toml"))
        .args([
            "--set",
            "simulation.years=2,0,3",
            "--runs",
            "1000",
            "--shard",
            "0/2",
            "--out",
        ])
        .arg(dir.path().join("parts"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(stderr.contains("simulation.years=0"), "{stderr}");
    assert!(!dir.path().join("parts").exists(), "nothing written");
}

#[test]
fn a_sweep_shard_takes_its_index_from_a_slurm_array_or_an_indexed_job() {
    let dir = tempdir();
    let file = bundled("stay-vs-switch.toml");
    let args = [
        "--set",
        "companies.bigco.drift=0.03,0.08,0.1",
        "--runs",
        "1000",
        "--quiet",
    ];
    // `--array=1-3`: task 2 is the second of three shards.
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .assert()
        .success();
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args(args)
        .args(["--shard-count", "3", "--out"])
        .arg(dir.path())
        .env("JOB_COMPLETION_INDEX", "2")
        .assert()
        .success();
    assert_eq!(
        listing(dir.path()),
        vec!["part-1-of-3.tcsim".to_string(), "part-2-of-3.tcsim".into()]
    );
    // Without --shard-count an Indexed Job's index is refused.
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args(args)
        .arg("--out")
        .arg(dir.path().join("k"))
        .env("JOB_COMPLETION_INDEX", "0")
        .assert()
        .code(2);
    assert!(!dir.path().join("k").exists());
}

#[cfg(unix)]
#[test]
fn a_part_gets_the_permissions_the_umask_gives() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    sweep(
        &bundled("stay-vs-switch.toml"),
        &[
            "--set",
            "companies.bigco.drift=0.03,0.08",
            "--runs",
            "1000",
            "--shard",
            "0/2",
            "--quiet",
        ],
        dir.path(),
    );
    // A file created plainly in the same process tree gets 0666 less the
    // umask: the part must match it, not a temporary file's 0600.
    let plain = dir.path().join("plain");
    fs::File::create(&plain).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("part-0-of-2.tcsim")), mode(&plain));
}
