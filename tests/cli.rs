//! Integration tests of the built `tcsim` binary: the CLI and output-file
//! contracts of docs/reference.md, "Output files". Each test is named after the
//! rule it checks. Every run writes into a temporary directory (`--out` or
//! `current_dir`), never into the repository.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use predicates::prelude::*;

mod common;
use common::{listing, run_ok, tcsim, tempdir};

/// Runs per test run: more than one chunk of 4096, still quick in a debug build.
const RUNS: &str = "5000";

/// A small scenario with a private company (so the `unrealized` measure,
/// the exit waterfall and option exercise are exercised) and its own
/// percentiles (so the header must follow the file).
const PRIVATE_SCENARIO: &str = r#"
[simulation]
years = 4
runs = 2000
seed = 9
percentiles = [2.5, 50, 97.5]
baseline = "join"

[companies.bigco]
type = "public"
share_price = 180.0
drift = 0.08
volatility = 0.30

[companies.rocket]
type = "private"
valuation = 400_000_000
shares = 40_000_000
preference = 120_000_000
preferred_fraction = 0.45
exit_rate = 0.10
failure_rate = 0.08
ipo_fraction = 0.2
exit_multiple = { median = 1.5, sigma = 0.9 }
dilution = 0.07

[jobs.current]
company = "bigco"
base = 210_000
raise = { mean = 0.03, sd = 0.01 }
bonus = { target = 0.15, sd = 0.25 }

[[jobs.current.grants]]
kind = "rsu"
value = 400_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12
granted_months_ago = 18

[jobs.startup]
company = "rocket"
base = 190_000
sign_on = [20_000]

[[jobs.startup.grants]]
kind = "option"
units = 60_000
strike = 2.10
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12
on_leave = "exercise"

[[jobs.startup.grants]]
kind = "rsu"
value = 50_000
vesting = [25, 25, 25, 25]
cliff_months = 12

[jobs.later]
company = "bigco"
base_raise = { min = 0.05, max = 0.20 }
bonus = { target = 0.15, sd = 0.25 }

[[jobs.later.grants]]
kind = "rsu"
value = 300_000
vesting = [5, 15, 40, 40]
frequency = "quarterly"
cliff_months = 12

[strategies.stay]
path = [{ job = "current" }]

[strategies.join]
path = [{ job = "startup" }]

[strategies.join-then-leave]
path = [{ job = "startup", years = 2 }, { job = "later" }]
"#;

// ---------------------------------------------------------------- helpers

/// Every scenario bundled in `scenarios/`, sorted by name.
fn bundled() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    files
}

fn bundled_named(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// Writes `text` as `name` in `dir` and returns its path.
fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// The two output files' bytes.
fn outputs(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let read = |n: &str| {
        fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(n).display()))
    };
    (read("percentiles.csv"), read("compare.csv"))
}

/// What the tests need to know about a scenario file, read from the TOML.
struct Meta {
    years: i64,
    strategies: Vec<String>,
    baseline: String,
    percentile_labels: Vec<String>,
    any_private: bool,
    /// Whether the file has `[tax]` (the tax measures, and compare.csv's
    /// `measure` column).
    any_tax: bool,
    /// Whether some job is on a ladder (the `level` measure).
    any_ladder: bool,
    /// Whether some job sets `price_parity` (`real`, `real_cumulative`).
    any_parity: bool,
    /// Some company or job has a `layoffs` table.
    any_layoffs: bool,
    /// `[simulation] compare`'s pairs `(strategy, against)`.
    pairs: Vec<(String, String)>,
}

fn meta(text: &str) -> Meta {
    let t: toml::Table = text.parse().expect("scenario is TOML");
    let sim = t["simulation"].as_table().expect("[simulation]");
    let years = sim["years"].as_integer().expect("simulation.years");
    let strategies: Vec<String> = t["strategies"]
        .as_table()
        .expect("[strategies]")
        .keys()
        .cloned()
        .collect();
    let baseline = sim.get("baseline").map_or_else(
        || strategies[0].clone(),
        |b| b.as_str().unwrap().to_string(),
    );
    let percentile_labels = match sim.get("percentiles") {
        None => ["p5", "p10", "p25", "p50", "p75", "p90", "p95"]
            .map(String::from)
            .to_vec(),
        Some(v) => v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| match p {
                toml::Value::Integer(i) => format!("p{i}"),
                toml::Value::Float(f) => format!("p{f}"),
                other => panic!("percentile {other:?}"),
            })
            .collect(),
    };
    let any_private = t
        .get("companies")
        .and_then(|c| c.as_table())
        .is_some_and(|c| {
            c.values()
                .any(|c| c.get("type").and_then(|t| t.as_str()) == Some("private"))
        });
    let has_layoffs = |section: &str| {
        t.get(section)
            .and_then(|c| c.as_table())
            .is_some_and(|c| c.values().any(|e| e.get("layoffs").is_some()))
    };
    let any_layoffs = has_layoffs("companies") || has_layoffs("jobs");
    let any_tax = t.get("tax").is_some();
    let jobs_with = |key: &str| {
        t.get("jobs")
            .and_then(|c| c.as_table())
            .is_some_and(|c| c.values().any(|e| e.get(key).is_some()))
    };
    let pairs = sim.get("compare").map_or_else(Vec::new, |c| {
        c.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let p = p.as_array().unwrap();
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect()
    });
    Meta {
        pairs,
        any_tax,
        any_ladder: jobs_with("ladder"),
        any_parity: jobs_with("price_parity"),
        years,
        strategies,
        baseline,
        percentile_labels,
        any_private,
        any_layoffs,
    }
}

/// The file as a TOML table with `simulation.KEY = value`, re-serialised.
fn with_simulation_value(text: &str, key: &str, value: i64) -> String {
    let mut t: toml::Table = text.parse().unwrap();
    t["simulation"]
        .as_table_mut()
        .unwrap()
        .insert(key.into(), toml::Value::Integer(value));
    toml::to_string(&t).unwrap()
}

/// Dollars: an optional minus sign, digits, a point and exactly 2 decimals.
fn is_money(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let Some((int, frac)) = digits.split_once('.') else {
        return false;
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() == 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && s != "-0.00"
}

/// A probability: `d.dddd` in [0, 1].
fn is_probability(s: &str) -> bool {
    let Some((int, frac)) = s.split_once('.') else {
        return false;
    };
    (int == "0" || int == "1")
        && frac.len() == 4
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (0.0..=1.0).contains(&s.parse::<f64>().unwrap())
}

fn finite(s: &str, what: &str) -> f64 {
    let x: f64 = s
        .parse()
        .unwrap_or_else(|e| panic!("{what}: `{s}` is not a number: {e}"));
    assert!(x.is_finite(), "{what}: `{s}` is not finite");
    x
}

/// Splits a CSV file into rows of fields, checking the plain format: UTF-8,
/// `\n` line ends (no `\r`), a final line end, no quoting.
fn rows(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
    assert!(
        !text.contains('\r'),
        "{name} has a \\r (line ends must be \\n)"
    );
    assert!(text.ends_with('\n'), "{name} does not end with \\n");
    assert!(!text.contains('"'), "{name} has quoted fields");
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// Checks both output files of `scenario_text`'s run in `dir` against the
/// contract of docs/reference.md, "Output files".
fn assert_well_formed(dir: &Path, scenario_text: &str, label: &str) {
    let m = meta(scenario_text);
    let (pct, cmp) = outputs(dir);
    let mut measures = vec![
        "base",
        "bonus",
        "sign_on",
        "rsu",
        "options",
        "total",
        "cumulative",
    ];
    if m.any_layoffs {
        measures.push("severance");
    }
    if m.any_private {
        measures.push("unrealized");
    }
    if m.any_ladder {
        measures.push("level");
    }
    if m.any_parity {
        measures.extend(["real", "real_cumulative"]);
    }
    if m.any_tax {
        measures.extend([
            "tax_federal",
            "tax_fica",
            "tax_state",
            "tax_state_payroll",
            "tax",
            "net",
            "net_cumulative",
        ]);
    }

    // percentiles.csv
    let name = format!("{label}: percentiles.csv");
    let r = rows(&pct, &name);
    let mut header = vec!["strategy", "year", "measure", "mean"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    header.extend(m.percentile_labels.iter().cloned());
    assert_eq!(r[0], header, "{name} header");
    let mut want: Vec<(String, i64, String)> = Vec::new();
    for s in &m.strategies {
        for y in 1..=m.years {
            for &ms in &measures {
                want.push((s.clone(), y, ms.to_string()));
            }
        }
    }
    let mut got: Vec<(String, i64, String)> = Vec::new();
    for (i, row) in r[1..].iter().enumerate() {
        let at = format!("{name} line {}", i + 2);
        assert_eq!(row.len(), header.len(), "{at}: {row:?}");
        let year: i64 = row[1]
            .parse()
            .unwrap_or_else(|e| panic!("{at}: year `{}`: {e}", row[1]));
        got.push((row[0].clone(), year, row[2].clone()));
        let mut last = f64::NEG_INFINITY;
        for (j, field) in row[3..].iter().enumerate() {
            assert!(
                is_money(field),
                "{at}: `{field}` ({}) is not dollars with 2 decimals",
                header[3 + j]
            );
            let x = finite(field, &at);
            if j > 0 {
                assert!(x >= last, "{at}: percentiles decrease: {row:?}");
                last = x;
            }
        }
    }
    let count = |v: &[(String, i64, String)]| {
        let mut c = BTreeMap::new();
        for k in v {
            *c.entry(k.clone()).or_insert(0) += 1;
        }
        c
    };
    assert_eq!(
        count(&got),
        count(&want),
        "{name}: not one row per (strategy, year, measure)"
    );
    assert_eq!(got.len(), want.len(), "{name}: row count");

    // compare.csv
    let name = format!("{label}: compare.csv");
    let r = rows(&cmp, &name);
    let mut header = vec!["strategy", "baseline", "year"];
    // With [tax], a `measure` column after `year`: a `cumulative` and a
    // `net_cumulative` row for each compared strategy and year.
    let families: &[&str] = if m.any_tax {
        header.push("measure");
        &["cumulative", "net_cumulative"]
    } else {
        &[""]
    };
    let first = header.len(); // p_ahead
    header.extend(["p_ahead", "mean_diff"]);
    let mut header = header.into_iter().map(String::from).collect::<Vec<_>>();
    header.extend(m.percentile_labels.iter().cloned());
    assert_eq!(r[0], header, "{name} header");
    let mut want: Vec<(String, i64, String)> = Vec::new();
    // Every strategy against the baseline, then the compare pairs: the
    // `baseline` column of each row, in order.
    let mut against: Vec<String> = Vec::new();
    let pairs = m
        .strategies
        .iter()
        .filter(|s| **s != m.baseline)
        .map(|s| (s.clone(), m.baseline.clone()))
        .chain(m.pairs.iter().cloned());
    for (s, b) in pairs {
        for y in 1..=m.years {
            for f in families {
                want.push((format!("{s} vs {b}"), y, f.to_string()));
                against.push(b.clone());
            }
        }
    }
    assert_eq!(r.len() - 1, against.len(), "{name}: row count");
    let mut got: Vec<(String, i64, String)> = Vec::new();
    for (i, row) in r[1..].iter().enumerate() {
        let at = format!("{name} line {}", i + 2);
        assert_eq!(row.len(), header.len(), "{at}: {row:?}");
        assert_eq!(row[1], against[i], "{at}: baseline column");
        let year: i64 = row[2]
            .parse()
            .unwrap_or_else(|e| panic!("{at}: year `{}`: {e}", row[2]));
        let family = if m.any_tax {
            row[3].clone()
        } else {
            String::new()
        };
        got.push((format!("{} vs {}", row[0], row[1]), year, family));
        assert!(
            is_probability(&row[first]),
            "{at}: p_ahead `{}` is not a probability with 4 decimals",
            row[first]
        );
        finite(&row[first], &at);
        let mut last = f64::NEG_INFINITY;
        for (j, field) in row[first + 1..].iter().enumerate() {
            assert!(
                is_money(field),
                "{at}: `{field}` ({}) is not dollars with 2 decimals",
                header[first + 1 + j]
            );
            let x = finite(field, &at);
            if j > 0 {
                assert!(x >= last, "{at}: percentiles decrease: {row:?}");
                last = x;
            }
        }
    }
    let (mut g, mut w) = (got.clone(), want.clone());
    g.sort();
    w.sort();
    assert_eq!(g, w, "{name}: not one row per (compared strategy, year)");
}

// ------------------------------------------------------- output contract

#[test]
fn every_bundled_scenario_runs_and_writes_well_formed_csvs() {
    for file in bundled() {
        let out = tempdir();
        run_ok(&file, out.path(), &["--runs", "3000"]);
        assert_eq!(
            listing(out.path()),
            ["compare.csv", "manifest.json", "percentiles.csv"],
            "{}",
            file.display()
        );
        assert_well_formed(
            out.path(),
            &fs::read_to_string(&file).unwrap(),
            &file.display().to_string(),
        );
    }
}

#[test]
fn private_company_scenario_writes_well_formed_csvs_with_the_files_percentiles() {
    let dir = tempdir();
    let file = write_scenario(dir.path(), "private.toml", PRIVATE_SCENARIO);
    let out = dir.path().join("out");
    run_ok(&file, &out, &[]);
    assert_well_formed(&out, PRIVATE_SCENARIO, "private.toml");
    let pct = String::from_utf8(fs::read(out.join("percentiles.csv")).unwrap()).unwrap();
    assert!(
        pct.starts_with("strategy,year,measure,mean,p2.5,p50,p97.5\n"),
        "{}",
        pct.lines().next().unwrap()
    );
    assert!(
        pct.contains(",unrealized,"),
        "a private company reports unrealized equity"
    );
}

// ----------------------------------------------------------- determinism

#[test]
fn thread_count_does_not_change_output_bytes_for_any_bundled_scenario() {
    for file in bundled() {
        let (one, two) = (tempdir(), tempdir());
        run_ok(&file, one.path(), &["--runs", RUNS, "--threads", "1"]);
        run_ok(&file, two.path(), &["--runs", RUNS, "--threads", "2"]);
        assert!(
            outputs(one.path()) == outputs(two.path()),
            "{}: --threads 1 and 2 differ",
            file.display()
        );
    }
}

#[test]
fn thread_count_does_not_change_output_bytes_past_the_pilot() {
    // 70,000 runs: 18 chunks of 4096, and more than the 65,536-run pilot,
    // so the bracketed-percentile path is taken.
    let file = bundled_named("stay-vs-switch.toml");
    let (one, two) = (tempdir(), tempdir());
    run_ok(&file, one.path(), &["--runs", "70000", "--threads", "1"]);
    run_ok(&file, two.path(), &["--runs", "70000", "--threads", "2"]);
    assert!(
        outputs(one.path()) == outputs(two.path()),
        "--threads 1 and 2 differ at 70,000 runs"
    );
    assert_well_formed(
        one.path(),
        &fs::read_to_string(&file).unwrap(),
        "stay-vs-switch.toml, 70,000 runs",
    );
}

#[test]
fn thread_count_does_not_change_output_bytes_with_a_private_company_past_the_pilot() {
    let dir = tempdir();
    let file = write_scenario(dir.path(), "private.toml", PRIVATE_SCENARIO);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_ok(&file, &one, &["--runs", "70000", "--threads", "1"]);
    run_ok(&file, &two, &["--runs", "70000", "--threads", "2"]);
    assert!(
        outputs(&one) == outputs(&two),
        "--threads 1 and 2 differ at 70,000 runs"
    );
}

#[test]
fn same_seed_gives_identical_bytes_and_a_different_seed_gives_different_bytes() {
    for file in bundled() {
        let (a, b, c) = (tempdir(), tempdir(), tempdir());
        run_ok(&file, a.path(), &["--runs", "3000", "--seed", "1"]);
        run_ok(&file, b.path(), &["--runs", "3000", "--seed", "1"]);
        run_ok(&file, c.path(), &["--runs", "3000", "--seed", "2"]);
        assert!(
            outputs(a.path()) == outputs(b.path()),
            "{}: the same seed twice differs",
            file.display()
        );
        assert!(
            outputs(a.path()).0 != outputs(c.path()).0,
            "{}: seeds 1 and 2 give the same bytes",
            file.display()
        );
    }
}

#[test]
fn runs_and_seed_flags_override_the_file() {
    let file = bundled_named("job-hopper.toml");
    let text = fs::read_to_string(&file).unwrap();
    let dir = tempdir();

    // The summary states the run count and seed actually used.
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--seed", "7", "--out"])
        .arg(dir.path().join("flags"))
        .assert()
        .success()
        .stdout(predicate::str::contains("3,000 runs (seed 7)"));

    // A copy of the file that says runs = 3000 and seed = 7 gives the same bytes.
    let edited = with_simulation_value(&with_simulation_value(&text, "runs", 3000), "seed", 7);
    let copy = write_scenario(dir.path(), "edited.toml", &edited);
    tcsim()
        .arg("run")
        .arg(&copy)
        .arg("--out")
        .arg(dir.path().join("file"))
        .assert()
        .success()
        .stdout(predicate::str::contains("3,000 runs (seed 7)"));
    assert!(
        outputs(&dir.path().join("flags")) == outputs(&dir.path().join("file")),
        "flags and file values differ"
    );

    // The flags win over the copy's own values.
    tcsim()
        .arg("run")
        .arg(&copy)
        .args(["--runs", "4100", "--seed", "8", "--out"])
        .arg(dir.path().join("over"))
        .assert()
        .success()
        .stdout(predicate::str::contains("4,100 runs (seed 8)"));
}

// --------------------------------------------------------------- check

#[test]
fn check_prints_the_strategies_exits_0_and_writes_nothing() {
    for file in bundled() {
        let dir = tempdir();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&file).unwrap();
        write_scenario(dir.path(), &name, &text);
        let out = tcsim()
            .current_dir(dir.path())
            .args(["check", &name])
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with(format!("{name}: ok\n")))
            .stderr(predicate::str::is_empty())
            .get_output()
            .stdout
            .clone();
        let stdout = String::from_utf8(out).unwrap();
        let (_, listed) = stdout
            .split_once("\nstrategies:\n")
            .expect("a strategies section");
        let m = meta(&text);
        for s in &m.strategies {
            let tag = if *s == m.baseline { " [baseline]" } else { "" };
            let line = format!("  {s}{tag}: ");
            assert!(
                listed.lines().any(|l| l.starts_with(&line)),
                "{name}: `{line}` not in\n{stdout}"
            );
        }
        assert_eq!(listing(dir.path()), vec![name], "check wrote files");
    }
}

// ------------------------------------------------------- failures and files

#[test]
fn out_that_is_a_file_is_refused_with_status_2_and_writes_nothing() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, "a regular file").unwrap();
    // The file itself, and a directory inside it, for both commands that
    // take --out: refused before the scenario is read, saying why.
    for out in [blocker.clone(), blocker.join("sub")] {
        for command in [vec!["run"], vec!["sweep", "--set", "simulation.years=2,3"]] {
            tcsim()
                .arg(command[0])
                .arg(&file)
                .args(&command[1..])
                .args(["--runs", "3000", "--quiet", "--out"])
                .arg(&out)
                .assert()
                .code(2)
                .stdout(predicate::str::is_empty())
                .stderr(predicate::str::diff(format!(
                    "error: --out {}: {} is a file, not a directory; give a directory (created if missing)\n",
                    out.display(),
                    blocker.display()
                )));
            assert_eq!(
                listing(dir.path()),
                ["not-a-dir"],
                "temporary files left behind"
            );
            assert_eq!(fs::read_to_string(&blocker).unwrap(), "a regular file");
        }
    }
}

#[test]
fn output_file_that_cannot_be_replaced_fails_with_status_1_and_leaves_no_temporary_files() {
    // percentiles.csv is a directory, so it cannot be replaced by a file.
    let file = bundled_named("job-hopper.toml");
    let out = tempdir();
    fs::create_dir(out.path().join("percentiles.csv")).unwrap();
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::starts_with("error: ").and(predicate::str::contains("percentiles.csv")),
        );
    assert_eq!(
        listing(out.path()),
        ["percentiles.csv"],
        "temporary files left behind"
    );
}

#[test]
fn a_failed_write_leaves_every_previous_output_file_byte_identical() {
    let file = bundled_named("job-hopper.toml");
    let out = tempdir();
    fs::write(out.path().join("percentiles.csv"), "previous\n").unwrap();
    fs::create_dir(out.path().join("compare.csv")).unwrap();
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .code(1);
    let previous = fs::read_to_string(out.path().join("percentiles.csv")).unwrap();
    assert!(
        previous == "previous\n",
        "a failed run replaced percentiles.csv"
    );
    assert_eq!(
        listing(out.path()),
        ["compare.csv", "percentiles.csv"],
        "temporary files left behind"
    );
}

#[cfg(unix)]
#[test]
fn output_files_get_the_same_permissions_as_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let file = bundled_named("job-hopper.toml");
    let out = tempdir();
    run_ok(&file, out.path(), &["--runs", "3000"]);
    let plain = out.path().join("plain");
    fs::write(&plain, "x").unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for name in ["percentiles.csv", "compare.csv"] {
        let (got, want) = (mode(&out.path().join(name)), mode(&plain));
        assert!(
            got == want,
            "{name}: mode {got:o}, a new file gets {want:o}"
        );
    }
}

#[test]
fn a_failed_run_leaves_the_previous_good_output_byte_identical() {
    let file = bundled_named("job-hopper.toml");
    let text = fs::read_to_string(&file).unwrap();
    let dir = tempdir();
    let out = dir.path().join("out");
    run_ok(&file, &out, &["--runs", "3000"]);
    let before = outputs(&out);

    // The same file with an out-of-range volatility: rejected before simulating.
    let bad = text.replacen("volatility = 0.30", "volatility = 5.0", 1);
    assert_ne!(bad, text, "the edit must change the file");
    let bad_file = write_scenario(dir.path(), "bad.toml", &bad);
    tcsim()
        .arg("run")
        .arg(&bad_file)
        .args(["--runs", "3000", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:").and(predicate::str::contains("volatility")));
    assert!(
        outputs(&out) == before,
        "a failed run changed the previous output"
    );
    assert_eq!(
        listing(&out),
        ["compare.csv", "manifest.json", "percentiles.csv"],
        "temporary files left behind"
    );
}

#[test]
fn default_output_dir_is_out_slash_file_stem_relative_to_the_working_directory() {
    let file = bundled_named("stay-vs-switch.toml");
    let dir = tempdir();
    fs::create_dir(dir.path().join("mine")).unwrap();
    fs::copy(&file, dir.path().join("mine").join("my-offer.toml")).unwrap();
    let expected = Path::new("out").join("my-offer");
    tcsim()
        .current_dir(dir.path())
        .args(["run", "mine/my-offer.toml", "--runs", "3000"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            expected.join("percentiles.csv").display().to_string(),
        ));
    assert_eq!(
        listing(&dir.path().join(&expected)),
        ["compare.csv", "manifest.json", "percentiles.csv"]
    );
    assert_eq!(
        listing(&dir.path().join("mine")),
        ["my-offer.toml"],
        "nothing is written beside the scenario"
    );
    assert_eq!(listing(dir.path()), ["mine", "out"]);
}

// ------------------------------------------------------------ bad input

#[test]
fn zero_runs_flag_is_rejected_with_status_2() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    let out = dir.path().join("out");
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "0", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--runs"));
    assert!(!out.exists(), "a rejected run created its output directory");
}

#[test]
fn zero_runs_in_the_file_is_rejected_with_status_2() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    let zero = write_scenario(
        dir.path(),
        "zero.toml",
        &with_simulation_value(&fs::read_to_string(&file).unwrap(), "runs", 0),
    );
    let out = dir.path().join("out");
    tcsim()
        .arg("run")
        .arg(&zero)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("zero.toml:").and(predicate::str::contains("simulation.runs")),
        );
    assert!(!out.exists(), "a rejected run created its output directory");
}

#[test]
fn zero_threads_is_rejected_with_status_2() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--threads", "0", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads"));
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn integer_flags_take_underscores_between_digits_as_toml_does() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    // The same numbers as `runs = 3_000` and `seed = 1_7` in the file.
    tcsim()
        .arg("run")
        .arg(&file)
        .args([
            "--runs",
            "3_000",
            "--seed",
            "1_7",
            "--threads",
            "0_2",
            "--out",
        ])
        .arg(dir.path().join("underscores"))
        .assert()
        .success()
        .stdout(predicate::str::contains("3,000 runs (seed 17)"));
    run_ok(
        &file,
        &dir.path().join("plain"),
        &["--runs", "3000", "--seed", "17"],
    );
    assert!(
        outputs(&dir.path().join("underscores")) == outputs(&dir.path().join("plain")),
        "--runs 3_000 and --runs 3000 differ"
    );
    tcsim()
        .arg("sweep")
        .arg(bundled_named("stay-vs-switch.toml"))
        .args([
            "--set",
            "companies.bigco.drift=0.05",
            "--runs",
            "1_000",
            "--out",
        ])
        .arg(dir.path().join("sweep"))
        .assert()
        .success()
        .stdout(predicate::str::contains("1,000 runs"));
    tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "1_0", "--seed", "4_2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("run 10 of seed 42"));

    // TOML's rule: an underscore stands between two digits.
    for bad in ["1__000", "_1000", "1000_", "1_000_", "_", "1,000"] {
        let why = match bad {
            "1,000" => "invalid digit found in string",
            _ => "an underscore must stand between two digits, as in 100_000",
        };
        tcsim()
            .arg("run")
            .arg(&file)
            .args(["--runs", bad, "--quiet", "--out"])
            .arg(dir.path().join("bad"))
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(format!(
                "error: invalid value '{bad}' for '--runs <N>': {why}\n"
            )));
    }
    // The ranges hold as before, underscores or not.
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "1_000_000_001", "--quiet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "1000000001 is not in 1..=1000000000",
        ));
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn status_lines_go_to_stderr_and_stdout_holds_only_the_summary() {
    let file = bundled_named("job-hopper.toml");
    let dir = tempdir();
    let out = dir.path().join("run");
    let run = tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.starts_with("Cumulative TC over "), "{stdout}");
    assert!(!stdout.contains("wrote"), "{stdout}");
    let csv = |name: &str| out.join(name).display().to_string();
    assert_eq!(
        String::from_utf8(run.stderr).unwrap(),
        format!("wrote {}, {}\n", csv("percentiles.csv"), csv("compare.csv"))
    );

    let out = dir.path().join("sweep");
    let sweep = tcsim()
        .arg("sweep")
        .arg(bundled_named("stay-vs-switch.toml"))
        .args([
            "--set",
            "companies.bigco.drift=0.05,0.1",
            "--runs",
            "1000",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(sweep.status.success());
    assert_eq!(
        String::from_utf8(sweep.stdout).unwrap(),
        "2 points, 1,000 runs each (seed 42)\n"
    );
    assert_eq!(
        String::from_utf8(sweep.stderr).unwrap(),
        format!("wrote {}\n", out.join("sweep.csv").display())
    );

    // --quiet: neither.
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--quiet", "--out"])
        .arg(dir.path().join("quiet"))
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
}

#[test]
fn a_misspelt_strategy_name_is_answered_with_the_closest_one() {
    let file = bundled_named("stay-vs-switch.toml");
    tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "0", "--strategy", "swtich"])
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: --strategy swtich: no such strategy (strategies: stay, switch); did you mean `switch`?\n",
        ));
    tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "0", "--strategy", "quit"])
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: --strategy quit: no such strategy (strategies: stay, switch)\n",
        ));
}

#[test]
fn a_misspelt_set_key_is_answered_with_the_closest_known_key() {
    let file = bundled_named("stay-vs-switch.toml");
    let dir = tempdir();
    // A key the table cannot hold: the checker's known_key error, with
    // the closest key of that table.
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "companies.bigco.volatilty=0.1,0.2",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("companies.bigco.volatilty is not a known key")
                .and(predicate::str::ends_with("did you mean `volatility`?\n")),
        );
    // A table the file does not have: the closest one it has.
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args(["--set", "companies.bigcoo.drift=0.1", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: --set companies.bigcoo.drift: the scenario has no table `companies.bigcoo`; \
             did you mean `companies.bigco.drift`?\n",
        ));
    assert!(listing(dir.path()).is_empty());
}

// --------------------------------------------------- completions and man

/// Every subcommand clap knows, `help` aside.
fn subcommands() -> Vec<String> {
    tcsim::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

#[test]
fn completions_are_printed_for_every_shell_and_name_every_subcommand() {
    let names = subcommands();
    assert!(names.len() >= 7, "{names:?}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = tcsim()
            .args(["completions", shell])
            .assert()
            .success()
            .stderr(predicate::str::is_empty())
            .get_output()
            .stdout
            .clone();
        let script = String::from_utf8(out).unwrap();
        for name in &names {
            assert!(
                script.contains(name.as_str()),
                "{shell}: no `{name}` in\n{script}"
            );
        }
        if shell == "bash" {
            // The function bash's `complete` registers, and the flags of run.
            assert!(script.contains("complete -F _tcsim"), "{script}");
            assert!(
                script.contains("--runs") && script.contains("--out"),
                "{script}"
            );
        }
    }
    tcsim()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: bash, elvish, fish, powershell, zsh",
        ));
}

#[test]
fn the_man_page_is_roff_and_documents_every_subcommand_and_flag() {
    let out = tcsim()
        .arg("man")
        .assert()
        .success()
        .stderr(predicate::str::is_empty())
        .get_output()
        .stdout
        .clone();
    let page = String::from_utf8(out).unwrap();
    // A roff page: requests only, the title first among them.
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq\n"), "{page}");
    let th = page
        .lines()
        .find(|l| l.starts_with(".TH "))
        .unwrap_or_default();
    assert!(th.starts_with(".TH tcsim 1 "), "{th}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION"] {
        assert!(page.contains(section), "no {section}");
    }
    for name in subcommands() {
        let heading = format!(".SH \"TCSIM {}\"", name.to_uppercase());
        assert!(page.contains(&heading), "no {heading}");
    }
    // Every flag of every subcommand, as roff escapes its dashes.
    for cmd in tcsim::cli::Cli::command().get_subcommands() {
        for long in cmd.get_arguments().filter_map(|a| a.get_long()) {
            let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
            assert!(
                page.contains(&roff),
                "`tcsim {}`: no {roff}",
                cmd.get_name()
            );
        }
    }
}

// ---------------------------------------------------------------- help

#[test]
fn help_mentions_every_flag() {
    tcsim().arg("--help").assert().success().stdout(
        predicate::str::contains("run")
            .and(predicate::str::contains("check"))
            .and(predicate::str::contains("--help"))
            .and(predicate::str::contains("--version")),
    );
    let run_flags = [
        "--runs",
        "--seed",
        "--threads",
        "--out",
        "--quiet",
        "-q",
        "--help",
    ];
    let mut want = predicate::str::contains("<FILE>").boxed();
    for f in run_flags {
        want = want.and(predicate::str::contains(f)).boxed();
    }
    tcsim()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(want);

    // Whatever flags the definition has, each command's help names them all.
    let cli = tcsim::cli::Cli::command();
    let mut commands = vec![(Vec::<String>::new(), cli.clone())];
    commands.extend(
        cli.get_subcommands()
            .map(|c| (vec![c.get_name().to_string()], c.clone())),
    );
    for (path, cmd) in commands {
        let mut args = path.clone();
        args.push("--help".into());
        let out = tcsim()
            .args(&args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let help = String::from_utf8(out).unwrap();
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    help.contains(&format!("--{long}")),
                    "`tcsim {}` does not mention --{long}",
                    args.join(" ")
                );
            }
            if let Some(short) = arg.get_short() {
                assert!(
                    help.contains(&format!("-{short}")),
                    "`tcsim {}` does not mention -{short}",
                    args.join(" ")
                );
            }
        }
    }
}
