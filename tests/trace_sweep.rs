//! `tcsim trace` replays run I exactly; `tcsim sweep` runs a grid with common
//! random numbers.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use common::scenario;
use tcsim::engine::{Engine, Measure, World};

fn bundled(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn trace_csv_totals_equal_the_engines_values_for_that_run() {
    let path = bundled("leave-the-startup.toml");
    let run = 12u64;
    let out = cargo_bin_cmd!("tcsim")
        .args(["trace", &path, "--run", "12", "--csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = scenario(&std::fs::read_to_string(&path).unwrap());
    let engine = Engine::new(&s);
    let l = engine.layout().clone();
    let mut row = vec![0.0; l.width()];
    engine.run_into(run, &mut World::new(&s), &mut row);
    let (total, cumulative) = (Measure::Total, Measure::Cumulative);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut checked = 0;
    for rec in reader.records() {
        let rec = rec.unwrap();
        let k = match &rec[3] {
            "total" if rec[2].is_empty() => total,
            "cumulative" => cumulative,
            _ => continue,
        };
        let si = s.strategies.iter().position(|x| x.name == rec[0]).unwrap();
        let y: usize = rec[1].parse().unwrap();
        assert_eq!(
            rec[7],
            tcsim::report::money(row[l.at(si, y - 1, k)]),
            "{rec:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2 * s.strategies.len() * s.sim.years as usize);
}

#[test]
fn trace_names_company_events_and_rejects_an_unknown_strategy() {
    let path = bundled("bigtech-vs-startup.toml");
    let out = cargo_bin_cmd!("tcsim")
        .args(["trace", &path, "--run", "0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rocket:") && text.contains("bigco: public"),
        "{text}"
    );
    let bad = cargo_bin_cmd!("tcsim")
        .args(["trace", &path, "--run", "0", "--strategy", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--strategy nope"));
}

#[test]
fn sweep_writes_one_row_per_point_and_strategy_with_common_random_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = cargo_bin_cmd!("tcsim")
        .args([
            "sweep",
            &bundled("bigtech-vs-startup.toml"),
            "--runs",
            "3000",
            "--quiet",
        ])
        .args([
            "--set",
            "companies.rocket.exit_rate=0.05,0.2",
            "--set",
            "jobs.startup.base=150000,200000",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut reader = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..4],
        [
            "companies.rocket.exit_rate",
            "jobs.startup.base",
            "strategy",
            "year"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2 * 2 * 2);
    // The baseline (bigtech) does not depend on the startup's parameters, and
    // every point uses the same seed: its rows are identical at every point.
    let baseline: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| &r[2] == "bigtech")
        .map(|r| r.iter().skip(2).map(String::from).collect())
        .collect();
    assert!(baseline.windows(2).all(|w| w[0] == w[1]), "{baseline:?}");
    // A higher startup base raises the startup's horizon mean.
    let startup: Vec<f64> = rows
        .iter()
        .filter(|r| &r[2] == "startup")
        .map(|r| r[5].parse().unwrap())
        .collect();
    assert!(
        startup[1] > startup[0] && startup[3] > startup[2],
        "{startup:?}"
    );
}

#[test]
fn sweep_rejects_a_bad_key_or_value_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (set, needle) in [
        ("companies.rockett.exit_rate=0.1", "companies.rockett"),
        (
            "companies.rocket.exit_rate=1.5",
            "exit_rate must be in [0, 1], got 1.5",
        ),
        ("companies.rocket.exit_rate", "missing `=`"),
    ] {
        let o = cargo_bin_cmd!("tcsim")
            .args([
                "sweep",
                &bundled("bigtech-vs-startup.toml"),
                "--runs",
                "100",
                "--quiet",
                "--set",
                set,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{set}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{set}: {err}");
        assert!(!out.exists());
    }
}

/// `tcsim sweep` of a bundled scenario with `args`, into a fresh directory:
/// the output, and the rows of sweep.csv when it succeeded.
fn sweep(
    args: &[&str],
) -> (
    std::process::Output,
    Vec<csv::StringRecord>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_bin_cmd!("tcsim")
        .args(["sweep", &bundled("stay-vs-switch.toml"), "--quiet", "--out"])
        .arg(dir.path())
        .args(args)
        .output()
        .unwrap();
    let rows = if out.status.success() {
        csv::Reader::from_path(dir.path().join("sweep.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap())
            .collect()
    } else {
        Vec::new()
    };
    (out, rows, dir)
}

#[test]
fn sweeping_the_seed_gives_each_point_its_own_worlds() {
    let (out, rows, _dir) = sweep(&["--runs", "2001", "--set", "simulation.seed=1,2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&rows[0][0], "1");
    assert_eq!(&rows[2][0], "2");
    // Same strategy, different seed: different statistics.
    assert_eq!(&rows[0][1], &rows[2][1]);
    assert_ne!(
        rows[0].iter().skip(4).collect::<Vec<_>>(),
        rows[2].iter().skip(4).collect::<Vec<_>>()
    );
}

#[test]
fn sweeping_the_run_count_runs_each_point_at_its_count() {
    let (out, rows, dir) = sweep(&["--set", "simulation.runs=1001,3001"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each point's row equals a plain run at that count.
    for (i, runs) in [(0, "1001"), (2, "3001")] {
        let run_dir = dir.path().join(format!("run-{runs}"));
        let status = cargo_bin_cmd!("tcsim")
            .args([
                "run",
                &bundled("stay-vs-switch.toml"),
                "--quiet",
                "--runs",
                runs,
                "--out",
            ])
            .arg(&run_dir)
            .output()
            .unwrap();
        assert!(status.status.success());
        let mut table = csv::Reader::from_path(run_dir.join("percentiles.csv")).unwrap();
        let want = table
            .records()
            .map(|r| r.unwrap())
            .find(|r| &r[0] == "stay" && &r[1] == "5" && &r[2] == "cumulative")
            .unwrap();
        let got: Vec<&str> = rows[i].iter().skip(1).take(want.len()).collect();
        assert_eq!(got, want.iter().collect::<Vec<_>>(), "runs {runs}");
    }
}

#[test]
fn a_swept_seed_or_run_count_conflicts_with_its_flag() {
    for args in [
        ["--seed", "3", "--set", "simulation.seed=1,2"],
        ["--runs", "1000", "--set", "simulation.runs=1000,2000"],
    ] {
        let (out, _, dir) = sweep(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("both set simulation."), "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing written"
        );
    }
}

#[test]
fn percentile_lists_that_differ_between_points_are_refused_not_misfiled() {
    for format in ["csv", "json"] {
        let (out, _, dir) = sweep(&[
            "--runs",
            "500",
            "--format",
            format,
            "--set",
            "simulation.percentiles=[50],[10,90]",
        ]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("the same percentiles"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    // One list for every point is fine: its columns are the header.
    let (out, rows, _dir) = sweep(&["--runs", "500", "--set", "simulation.percentiles=[10,90]"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows[0].len(), 1 + 4 + 2 + 3 + 2);
}

#[test]
fn grant_keys_are_swept_through_array_indices() {
    let (out, rows, _dir) = sweep(&[
        "--runs",
        "1001",
        "--set",
        "jobs.offer.grants[0].vesting=[25,25,25,25],[5,15,40,40]",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows.len(), 4);
    let switch: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[1] == "switch").collect();
    assert_ne!(
        &switch[0][4], &switch[1][4],
        "the vesting shape moves the mean"
    );
    let (bad, _, _dir) = sweep(&["--set", "jobs.offer.grants[9].vesting=[100]"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no array element `jobs.offer.grants[9]`")
    );
}

#[test]
fn the_same_key_swept_twice_is_an_error() {
    let (out, _, _dir) = sweep(&[
        "--set",
        "jobs.offer.base=200000",
        "--set",
        "jobs.offer.base=250000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already swept"));
}

/// A certain layoff (rate 1: month 1), a clawback and a market, for the
/// trace's new lines.
const ECONOMY: &str = r#"
[simulation]
years = 2
runs = 10

[market]
drift = 0.05
volatility = 0.0

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.cut]
company = "co"
base = 120_000
layoffs = { rate = 1.0, severance_weeks = 16, rehire_months = 4, rehire_pay = 0.9 }

[jobs.short]
base = 60_000
sign_on = [12_000]
sign_on_clawback_months = 12

[jobs.next]
base = 60_000

[strategies.cut]
path = [{ job = "cut" }]

[strategies.short]
path = [{ job = "short", months = 7 }, { job = "next" }]
"#;

#[test]
fn trace_shows_the_market_each_layoff_its_severance_and_rehire_and_each_clawback() {
    let dir = common::tempdir();
    let file = dir.path().join("economy.toml");
    std::fs::write(&file, ECONOMY).unwrap();
    let text = cargo_bin_cmd!("tcsim")
        .arg("trace")
        .arg(&file)
        .args(["--run", "0"])
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    // M(12) = e^0.05 at zero volatility.
    assert!(
        text.contains("market: index level at month 0 and each year end: 1.0000, 1.0513, 1.1052"),
        "{text}"
    );
    assert!(
        text.contains(
            "month   1  layoff                       laid off: severance $36,923.08, 4 months without pay, then rehired at $108,000.00 a year"
        ),
        "{text}"
    );
    assert!(
        text.contains("month   1  severance         36,923.08  severance"),
        "{text}"
    );
    assert!(text.contains("base after the rehire"), "{text}");
    // 12000 (1 - 7/12) repaid in month 7.
    assert!(
        text.contains(
            "month   7  sign_on           -5,000.00  sign-on repaid on leaving after 7 months"
        ),
        "{text}"
    );
    let csv = cargo_bin_cmd!("tcsim")
        .arg("trace")
        .arg(&file)
        .args(["--run", "0", "--csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(
        csv.contains("cut,1,1,severance,severance,,,36923.08"),
        "{csv}"
    );
    assert!(
        csv.contains("cut,1,1,layoff,\"laid off: severance 36923.08, 4 months without pay, rehire base 108000.00\",,,0.00"),
        "{csv}"
    );
    assert!(
        csv.contains("short,1,7,sign_on,sign-on repaid after 7 months,,,-5000.00"),
        "{csv}"
    );
}
