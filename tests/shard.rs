//! Sharded runs (model.md section 14): `tcsim run FILE --shard I/N` on
//! each shard, then `tcsim merge PARTS... --out DIR`, writes every file a
//! single `tcsim run` writes, byte for byte (the manifest aside), for every
//! bundled scenario; the shard comes from Slurm's or Kubernetes' variables;
//! parts of different runs, or an incomplete set, are refused naming the
//! files; a bracket miss names the shards to rerun, and their gaps parts
//! complete the merge.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::listing;

const BIN: &str = env!("CARGO_BIN_EXE_tcsim");

/// More runs than the pilot's 65,536, so the brackets are used.
const RUNS: &str = "200000";

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

/// `tcsim ARGS` with `env` set and no job-array variable inherited.
fn tcsim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
        "TCSIM_BRACKET_SIGMAS",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file in `dir` but the manifest, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    listing(dir)
        .into_iter()
        .filter(|n| n != "manifest.json")
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// `tcsim run FILE ARGS --quiet --out OUT`.
fn run(file: &Path, args: &[&str], out: &Path, env: &[(&str, &str)]) -> Output {
    let mut all = vec!["run", s(file)];
    all.extend_from_slice(args);
    all.extend(["--quiet", "--out", s(out)]);
    tcsim(&all, env)
}

/// Every shard of `count` run into `parts`; their paths, in shard order.
fn shards(file: &Path, args: &[&str], count: u64, parts: &Path) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            let spec = format!("{i}/{count}");
            let mut a = args.to_vec();
            a.extend(["--shard", &spec]);
            ok(run(file, &a, parts, &[]));
            parts.join(format!("part-{i}-of-{count}.tcsim"))
        })
        .collect()
}

/// `tcsim merge PARTS... --out OUT`.
fn merge(parts: &[PathBuf], out: &Path) -> Output {
    let mut all = vec!["merge"];
    all.extend(parts.iter().map(|p| s(p)));
    all.extend(["--quiet", "--out", s(out)]);
    tcsim(&all, &[])
}

/// The parts in a scrambled order: every second one, then the rest
/// backwards.
fn scrambled(parts: &[PathBuf]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = parts.iter().skip(1).step_by(2).cloned().collect();
    v.extend(parts.iter().step_by(2).rev().cloned());
    assert_eq!(v.len(), parts.len());
    v
}

/// Asserts that `count` shards of `file` with `args`, merged, write the
/// files a single run with `args` writes, byte for byte.
fn merges_to_the_single_run(file: &Path, args: &[&str], counts: &[u64]) {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    ok(run(file, args, &single, &[]));
    let want = files(&single);
    assert!(want.contains_key("percentiles.csv") || want.contains_key("percentiles.json"));
    for &count in counts {
        let parts = dir.path().join(format!("parts-{count}"));
        let paths = shards(file, args, count, &parts);
        let merged = dir.path().join(format!("merged-{count}"));
        ok(merge(&scrambled(&paths), &merged));
        let got = files(&merged);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{count} shards of {}",
            file.display()
        );
        for (name, bytes) in &want {
            assert!(
                got[name] == *bytes,
                "{name} of {count} shards of {} differs from the single run's",
                file.display()
            );
        }
        assert!(merged.join("manifest.json").exists());
    }
}

macro_rules! every_bundled_scenario {
    ($($test:ident: $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                merges_to_the_single_run(&scenario($name), &["--runs", RUNS], &[1, 2, 3, 7]);
            }
        )*

        #[test]
        fn the_merge_tests_cover_every_bundled_scenario() {
            let tested = [$($name),*];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
                    assert!(tested.contains(&stem.as_str()), "{stem} has no merge test");
                }
            }
        }
    };
}

every_bundled_scenario! {
    after_tax_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "after-tax",
    bigtech_vs_startup_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "bigtech-vs-startup",
    career_ladder_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "career-ladder",
    downturn_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "downturn",
    frontloaded_vesting_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "frontloaded-vesting",
    job_hopper_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "job-hopper",
    leave_the_startup_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "leave-the-startup",
    stay_vs_switch_merges_to_the_single_run_bytes_in_1_2_3_and_7_shards: "stay-vs-switch",
}

#[test]
fn samples_charts_and_the_report_merge_to_the_single_run_bytes() {
    // 100,000 runs: past the pilot, and samples.csv of a few tens of MB.
    let every = ["--runs", "100000", "--samples", "--plot", "--report"];
    let mut a = every.to_vec();
    a.extend(["--years", "all"]);
    merges_to_the_single_run(&scenario("stay-vs-switch"), &a, &[3]);
    let mut b = every.to_vec();
    b.extend(["--format", "json", "--years", "1,3"]);
    merges_to_the_single_run(&scenario("after-tax"), &b, &[2]);
}

#[test]
fn more_shards_than_chunks_leave_some_empty_and_still_merge_exactly() {
    // 4 chunks of 4,096 runs (and 5 more) in 6 shards: two are empty.
    let args = ["--runs", "12293", "--samples", "--plot"];
    merges_to_the_single_run(&scenario("job-hopper"), &args, &[6]);
}

#[test]
fn a_shard_takes_its_index_from_a_slurm_array_or_a_kubernetes_indexed_job() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario("stay-vs-switch");
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    let out = dir.path().join("slurm");
    let o = ok(tcsim(
        &["run", s(&file), "--runs", "2000", "--out", s(&out)],
        &slurm,
    ));
    assert_eq!(listing(&out), ["part-2-of-4.tcsim"]);
    assert_eq!(
        stderr(&o).trim(),
        format!("wrote {}", out.join("part-2-of-4.tcsim").display())
    );
    assert!(o.stdout.is_empty(), "a shard prints no summary");
    let k8s = dir.path().join("k8s");
    ok(run(
        &file,
        &["--runs", "2000", "--shard-count", "3"],
        &k8s,
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    assert_eq!(listing(&k8s), ["part-1-of-3.tcsim"]);
    // The flag wins over the environment.
    let flag = dir.path().join("flag");
    ok(run(
        &file,
        &["--runs", "2000", "--shard", "0/2"],
        &flag,
        &slurm,
    ));
    assert_eq!(listing(&flag), ["part-0-of-2.tcsim"]);
    // An index without a count is an error.
    let o = run(
        &file,
        &["--runs", "2000"],
        &dir.path().join("x"),
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--shard-count"), "{}", stderr(&o));
}

/// Rewrites the header line of the part at `path` with `edit`.
fn edit_header(path: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let bytes = std::fs::read(path).unwrap();
    let end = bytes.iter().position(|&b| b == b'\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[..end]).unwrap();
    edit(&mut header);
    let mut out = serde_json::to_vec(&header).unwrap();
    out.extend_from_slice(&bytes[end..]);
    std::fs::write(path, out).unwrap();
}

/// Asserts that merging `parts` fails with status 2 and a message holding
/// every one of `words`.
fn refused(parts: &[PathBuf], out: &Path, words: &[&str]) {
    let o = merge(parts, out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    for w in words {
        assert!(e.contains(w), "{w:?} not in {e}");
    }
    assert!(!out.exists(), "nothing written");
}

#[test]
fn parts_of_different_runs_or_an_incomplete_set_are_refused_naming_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario("stay-vs-switch");
    let args = ["--runs", "5000"];
    let good = shards(&file, &args, 3, &dir.path().join("good"));
    let out = dir.path().join("merged");
    let name = |p: &PathBuf| p.display().to_string();
    // Another part for shard 2 in another directory, made one way or
    // another differently.
    let other = |extra: &[&str], tag: &str| -> Vec<PathBuf> {
        let parts = dir.path().join(tag);
        let mut a = match extra.first() {
            Some(&"--runs") => Vec::new(),
            _ => args.to_vec(),
        };
        a.extend_from_slice(extra);
        a.extend(["--shard", "2/3"]);
        ok(run(&file, &a, &parts, &[]));
        let mut v = good[..2].to_vec();
        v.push(parts.join("part-2-of-3.tcsim"));
        v
    };
    let seed = other(&["--seed", "7"], "seed");
    refused(
        &seed,
        &out,
        &[&name(&good[0]), &name(&seed[2]), "seed is 42", "7"],
    );
    let runs = other(&["--runs", "6000"], "runs");
    refused(&runs, &out, &[&name(&runs[2]), "runs is 5000", "6000"]);
    let flags = other(&["--samples"], "flags");
    refused(
        &flags,
        &out,
        &[&name(&flags[2]), "samples is false", "true"],
    );
    let format = other(&["--format", "json"], "format");
    refused(&format, &out, &[&name(&format[2]), "format"]);
    // Another scenario file.
    let mut others = good[..2].to_vec();
    let parts = dir.path().join("scenario");
    ok(run(
        &scenario("job-hopper"),
        &["--runs", "5000", "--shard", "2/3"],
        &parts,
        &[],
    ));
    others.push(parts.join("part-2-of-3.tcsim"));
    refused(&others, &out, &[&name(&others[2]), "the scenario is"]);
    // Another tcsim version or part format.
    let version = other(&[], "version");
    edit_header(&version[2], |h| h["tcsim"] = "0.0.1".into());
    refused(
        &version,
        &out,
        &[&name(&version[2]), "tcsim 0.0.1", "rerun that shard"],
    );
    let format = other(&[], "part-format");
    edit_header(&format[2], |h| h["version"] = 99.into());
    refused(&format, &out, &[&name(&format[2]), "part format 99"]);
    // An edited setting.
    let edited = other(&[], "edited");
    edit_header(&edited[2], |h| h["settings"]["seed"] = 43.into());
    refused(&edited, &out, &[&name(&edited[2]), "seed is 42", "43"]);
    // A run count out of range in a whole set (one shard).
    let one = shards(&file, &args, 1, &dir.path().join("one"));
    edit_header(&one[0], |h| h["settings"]["runs"] = 0.into());
    refused(&one, &out, &[&name(&one[0]), "\"runs\""]);
    // A missing shard, a shard twice, a file that is not a part.
    refused(
        &[good[0].clone(), good[2].clone()],
        &out,
        &["missing part-1-of-3.tcsim"],
    );
    refused(
        &[
            good[0].clone(),
            good[1].clone(),
            good[1].clone(),
            good[2].clone(),
        ],
        &out,
        &["both shard 1/3"],
    );
    let csv = dir.path().join("percentiles.csv");
    std::fs::write(&csv, "strategy,year\n").unwrap();
    refused(
        std::slice::from_ref(&csv),
        &out,
        &[&name(&csv), "not a tcsim partial file"],
    );
    // A part cut short.
    let cut = other(&[], "cut");
    let bytes = std::fs::read(&cut[2]).unwrap();
    std::fs::write(&cut[2], &bytes[..bytes.len() - 20]).unwrap();
    refused(&cut, &out, &[&name(&cut[2]), "damaged"]);
    // The good set merges.
    ok(merge(&good, &out));
}

#[test]
fn a_bracket_miss_names_the_shards_to_rerun_and_their_gaps_parts_complete_the_merge() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario("stay-vs-switch");
    let args = ["--runs", "100000", "--plot"];
    let single = dir.path().join("single");
    ok(run(&file, &args, &single, &[]));
    // Brackets 0 standard deviations wide: the pilot misses almost every
    // rank (every figure is still exact).
    let parts = dir.path().join("parts");
    let narrow = [("TCSIM_BRACKET_SIGMAS", "0")];
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| {
            let spec = format!("{i}/3");
            let mut a = args.to_vec();
            a.extend(["--shard", &spec]);
            ok(run(&file, &a, &parts, &narrow));
            parts.join(format!("part-{i}-of-3.tcsim"))
        })
        .collect();
    let out = dir.path().join("merged");
    let o = merge(&paths, &out);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    let misses = out.join("misses.json");
    assert!(e.contains("bracket miss"), "{e}");
    assert!(e.contains(&format!("wrote {}", misses.display())), "{e}");
    assert!(e.contains("shards 0/3, 1/3, 2/3"), "{e}");
    assert!(e.contains("--resolve"), "{e}");
    assert_eq!(
        listing(&out),
        ["misses.json"],
        "only misses.json is written"
    );
    // The command the message gives, for I in 0, 1, 2.
    let command = e.split('`').nth(1).unwrap().to_string();
    assert!(command.starts_with("tcsim run "), "{command}");
    let gap_parts: Vec<PathBuf> = (0..3)
        .map(|i| {
            let words: Vec<String> = command
                .split(' ')
                .skip(1)
                .map(|w| w.replace("I/3", &format!("{i}/3")))
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let o = ok(tcsim(&words, &[]));
            let part = parts.join(format!("part-{i}-of-3.gaps.tcsim"));
            assert!(stderr(&o).contains(&format!("wrote {}", part.display())));
            part
        })
        .collect();
    // With some of them, the rest are still named.
    let mut some = paths.clone();
    some.push(gap_parts[1].clone());
    let o = merge(&some, &out);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("shards 0/3, 2/3"), "{}", stderr(&o));
    // With all of them, in any order, the single run's bytes.
    let mut all = gap_parts.clone();
    all.extend(scrambled(&paths));
    ok(merge(&all, &out));
    let mut got = files(&out);
    got.remove("misses.json");
    assert_eq!(got, files(&single));
    // A gaps part is refused where there is no miss.
    let plain = shards(&file, &args, 3, &dir.path().join("plain"));
    let mut with_gaps = plain.clone();
    with_gaps.push(gap_parts[0].clone());
    let o = merge(&with_gaps, &dir.path().join("x"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no bracket miss"), "{}", stderr(&o));
    // --resolve needs a shard, and the run the misses are of.
    let o = run(
        &file,
        &["--runs", "100000", "--resolve", s(&misses)],
        &parts,
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(
        &file,
        &[
            "--runs",
            "100000",
            "--seed",
            "1",
            "--shard",
            "0/3",
            "--resolve",
            s(&misses),
        ],
        &parts,
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("seed 42"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn an_interrupted_shard_writes_no_part() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("parts");
    let mut child = Command::new(BIN)
        .arg("run")
        .arg(scenario("stay-vs-switch"))
        .args([
            "--runs",
            "5000000",
            "--samples",
            "--shard",
            "1/2",
            "--quiet",
        ])
        .arg("--out")
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The part's temporary file exists once the shard has begun.
    let started = Instant::now();
    while !out.exists() || !listing(&out).iter().any(|n| n.ends_with(".tmp")) {
        assert!(child.try_wait().unwrap().is_none(), "ended too early");
        assert!(started.elapsed() < Duration::from_secs(60), "never began");
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(200));
    common::send_signal(child.id(), "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(listing(&out).is_empty(), "left: {:?}", listing(&out));
}

#[test]
fn a_second_writer_of_the_same_shard_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let header = tcsim::shard::PartHeader::new(
        "run",
        tcsim::shard::ShardSpec::new(1, 2).unwrap(),
        Path::new("a.toml"),
        "x = 1\n",
        serde_json::json!({}),
    );
    let first = tcsim::shard::PartWriter::create(dir.path(), &header).unwrap();
    let Err(e) = tcsim::shard::PartWriter::create(dir.path(), &header) else {
        panic!("a second writer of the same shard was let in");
    };
    assert!(e.to_string().contains("another tcsim process"), "{e}");
    // Another shard in the same directory is not held up.
    let other = tcsim::shard::PartHeader {
        shard: 0,
        ..header.clone()
    };
    tcsim::shard::PartWriter::create(dir.path(), &other)
        .unwrap()
        .finish()
        .unwrap();
    first.finish().unwrap();
    assert_eq!(
        listing(dir.path()),
        ["part-0-of-2.tcsim", "part-1-of-2.tcsim"]
    );
}
