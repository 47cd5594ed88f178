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
