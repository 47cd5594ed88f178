//! Integration tests of the optional outputs and of `tcsim init`: the
//! starter scenario, `--samples`, `--format json` and `--plot`. Every run
//! writes into a temporary directory, never into the repository.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

mod common;
use common::{listing, run_ok, tcsim, tempdir};

fn bundled(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// A plain CSV (no quoted fields: the bundled names have no commas) as a
/// header and rows.
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect());
    let header = lines.next().expect("a header row");
    (header, lines.collect())
}

/// Strategy names in file order, read from the TOML.
fn strategies(file: &Path) -> Vec<String> {
    let t: toml::Table = fs::read_to_string(file).unwrap().parse().unwrap();
    t["strategies"]
        .as_table()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// Excel's PERCENTILE.INC, written out independently of the crate:
/// `h = (n-1) p`, `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`.
fn percentile_inc(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// `x` as the CSVs write money: cents, no `-0.00`.
fn cents(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".into() } else { s }
}

// --------------------------------------------------------------------- init

#[test]
fn init_writes_the_starter_scenario_which_runs_as_it_is() {
    let dir = tempdir();
    tcsim()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("wrote scenario.toml")
                .and(predicate::str::contains("EDIT"))
                .and(predicate::str::contains("tcsim run scenario.toml")),
        );
    let text = read(dir.path(), "scenario.toml");
    assert_eq!(text, tcsim::scenario::starter::STARTER);
    assert!(text.contains("# EDIT"), "the starter says what to edit");
    tcsim()
        .current_dir(dir.path())
        .args(["check", "scenario.toml"])
        .assert()
        .success();
    tcsim()
        .current_dir(dir.path())
        .args(["run", "scenario.toml", "--runs", "3000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("stay").and(predicate::str::contains("switch")));
    assert_eq!(
        listing(&dir.path().join("out").join("scenario")),
        ["compare.csv", "manifest.json", "percentiles.csv"]
    );
}

#[test]
fn init_writes_to_the_path_given() {
    let dir = tempdir();
    tcsim()
        .current_dir(dir.path())
        .args(["init", "my-offer.toml"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("wrote my-offer.toml"));
    assert_eq!(listing(dir.path()), ["my-offer.toml"]);
}

#[test]
fn init_refuses_to_overwrite_an_existing_file_with_status_2() {
    let dir = tempdir();
    let path = dir.path().join("offer.toml");
    fs::write(&path, "# my own numbers\n").unwrap();
    tcsim()
        .arg("init")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::starts_with("error: ")
                .and(predicate::str::contains("offer.toml"))
                .and(predicate::str::contains("already exists")),
        );
    assert_eq!(fs::read_to_string(&path).unwrap(), "# my own numbers\n");
    assert_eq!(listing(dir.path()), ["offer.toml"], "temporary files left");
}

#[test]
fn init_into_a_directory_is_refused_with_status_2() {
    let dir = tempdir();
    tcsim()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn init_into_a_missing_directory_says_it_does_not_exist_with_status_2() {
    let dir = tempdir();
    tcsim()
        .current_dir(dir.path())
        .args(["init", "sub/dir/offer.toml"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::diff(
            "error: sub/dir/offer.toml: the directory sub/dir does not exist; \
             create it first (mkdir -p sub/dir) or give a path in an existing directory\n",
        ));
    assert!(listing(dir.path()).is_empty(), "init created a directory");
    // A file where the directory should be: said as such.
    fs::write(dir.path().join("sub"), "a file").unwrap();
    tcsim()
        .current_dir(dir.path())
        .args(["init", "sub/offer.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: sub/offer.toml: sub is a file, not a directory; give a path in a directory\n",
        ));
    assert_eq!(listing(dir.path()), ["sub"]);
}

// ------------------------------------------------------------------ samples

/// Runs `file` with `--samples` and checks samples.csv against
/// percentiles.csv. `runs` is odd, so p50 is one order statistic
/// (`h = (n-1)/2` is whole) and the samples' cents give exactly the
/// percentile's cents; at other probabilities PERCENTILE.INC interpolates
/// between two values each already rounded to cents, so it may differ from
/// the exact value's rounding by a cent.
fn check_samples(file: &Path, runs: u64) {
    assert_eq!(runs % 2, 1);
    let out = tempdir();
    run_ok(
        file,
        out.path(),
        &["--runs", &runs.to_string(), "--samples"],
    );
    assert_eq!(
        listing(out.path()),
        [
            "compare.csv",
            "manifest.json",
            "percentiles.csv",
            "samples.csv"
        ]
    );
    let names = strategies(file);
    let text = read(out.path(), "samples.csv");
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let (header, rows) = csv(&text);
    assert_eq!(header, ["run", "strategy", "year", "total", "cumulative"]);
    let years = rows
        .iter()
        .map(|r| r[2].parse::<usize>().unwrap())
        .max()
        .unwrap();
    assert_eq!(rows.len() as u64, runs * names.len() as u64 * years as u64);

    // Rows in run order, then strategy (file order), then year; money in
    // cents; cumulative adds up the totals.
    let mut horizon: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut i = 0;
    for run in 0..runs {
        for (s, name) in names.iter().enumerate() {
            let mut sum = 0.0;
            for y in 1..=years {
                let r = &rows[i];
                i += 1;
                assert_eq!(r.len(), 5, "{r:?}");
                assert_eq!(
                    (r[0].as_str(), r[1].as_str()),
                    (run.to_string().as_str(), name.as_str())
                );
                assert_eq!(r[2], y.to_string());
                for field in &r[3..] {
                    let (_, frac) = field.split_once('.').expect("two decimals");
                    assert_eq!(frac.len(), 2, "{r:?}");
                }
                let (total, cumulative): (f64, f64) =
                    (r[3].parse().unwrap(), r[4].parse().unwrap());
                sum += total;
                assert!((sum - cumulative).abs() < 0.01 * y as f64, "{r:?}");
                if y == years {
                    horizon[s].push(cumulative);
                }
            }
        }
    }

    let (pct_header, pct_rows) = csv(&read(out.path(), "percentiles.csv"));
    let col = |label: &str| pct_header.iter().position(|h| h == label).unwrap();
    for (s, name) in names.iter().enumerate() {
        let row = pct_rows
            .iter()
            .find(|r| r[0] == *name && r[1] == years.to_string() && r[2] == "cumulative")
            .expect("a horizon cumulative row");
        let values = &mut horizon[s];
        values.sort_by(f64::total_cmp);
        assert_eq!(
            cents(percentile_inc(values, 0.5)),
            row[col("p50")],
            "{name}: p50 of samples.csv against percentiles.csv"
        );
        for (label, p) in [("p5", 0.05), ("p10", 0.1), ("p90", 0.9), ("p95", 0.95)] {
            let want: f64 = row[col(label)].parse().unwrap();
            let got = percentile_inc(values, p);
            assert!(
                (got - want).abs() <= 0.0101,
                "{name} {label}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn samples_reproduce_the_median_of_percentiles_csv_to_the_cent() {
    check_samples(&bundled("job-hopper.toml"), 5001);
}

#[test]
fn samples_reproduce_the_median_past_the_pilot() {
    check_samples(&bundled("stay-vs-switch.toml"), 70_001);
}

#[test]
fn samples_do_not_depend_on_threads_or_on_other_outputs() {
    let file = bundled("leave-the-startup.toml");
    let (a, b) = (tempdir(), tempdir());
    run_ok(
        &file,
        a.path(),
        &["--runs", "5000", "--samples", "--threads", "1"],
    );
    run_ok(
        &file,
        b.path(),
        &[
            "--runs",
            "5000",
            "--samples",
            "--threads",
            "2",
            "--plot",
            "--format",
            "json",
        ],
    );
    assert!(read(a.path(), "samples.csv") == read(b.path(), "samples.csv"));
}

#[test]
fn optional_outputs_leave_the_tables_byte_identical() {
    let file = bundled("bigtech-vs-startup.toml");
    let (a, b) = (tempdir(), tempdir());
    run_ok(&file, a.path(), &["--runs", "4000"]);
    run_ok(&file, b.path(), &["--runs", "4000", "--samples", "--plot"]);
    for name in ["percentiles.csv", "compare.csv"] {
        assert!(
            read(a.path(), name) == read(b.path(), name),
            "{name} changed"
        );
    }
    assert_eq!(
        listing(b.path()),
        [
            "compare.csv",
            "diff.svg",
            "fan.svg",
            "final.svg",
            "manifest.json",
            "percentiles.csv",
            "samples.csv",
            "unrealized.svg"
        ]
    );
}

#[test]
fn a_directory_in_the_way_of_samples_csv_fails_with_status_1_before_the_replay() {
    let file = bundled("job-hopper.toml");
    let out = tempdir();
    fs::create_dir(out.path().join("samples.csv")).unwrap();
    tcsim()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3000", "--quiet", "--samples", "--out"])
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("samples.csv"));
    assert_eq!(listing(out.path()), ["samples.csv"], "nothing else written");
}

// --------------------------------------------------------------------- json

#[test]
fn json_tables_hold_the_csv_values_of_the_same_run() {
    let file = bundled("leave-the-startup.toml");
    let (c, j) = (tempdir(), tempdir());
    run_ok(&file, c.path(), &["--runs", "3000"]);
    run_ok(&file, j.path(), &["--runs", "3000", "--format", "json"]);
    assert_eq!(
        listing(j.path()),
        ["compare.json", "manifest.json", "percentiles.json"]
    );
    for table in ["percentiles", "compare"] {
        let (header, rows) = csv(&read(c.path(), &format!("{table}.csv")));
        let text = read(j.path(), &format!("{table}.json"));
        assert!(
            !text.contains("NaN") && !text.contains("inf"),
            "{table}.json"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let objects = json.as_array().expect("an array of rows");
        assert_eq!(objects.len(), rows.len(), "{table}: row count");
        for (row, object) in rows.iter().zip(objects) {
            let object = object.as_object().expect("a row is an object");
            let keys: Vec<&String> = object.keys().collect();
            assert_eq!(keys, header.iter().collect::<Vec<_>>(), "{table}: keys");
            for (key, field) in header.iter().zip(row) {
                let v = &object[key];
                match key.as_str() {
                    "strategy" | "baseline" | "measure" => {
                        assert_eq!(v.as_str(), Some(field.as_str()))
                    }
                    "year" => assert_eq!(
                        v.as_u64().map(|y| y.to_string()).as_deref(),
                        Some(field.as_str())
                    ),
                    _ => {
                        let x = v.as_f64().unwrap_or_else(|| panic!("{table} {key}: {v}"));
                        assert_eq!(x, field.parse::<f64>().unwrap(), "{table} {key}");
                        let decimals = if key == "p_ahead" { 4 } else { 2 };
                        let text = format!("{x:.decimals$}");
                        let text = if text == "-0.00" {
                            "0.00".to_string()
                        } else {
                            text
                        };
                        assert_eq!(&text, field, "{table} {key}");
                    }
                }
            }
        }
    }
}

#[test]
fn an_unknown_format_is_rejected_with_status_2() {
    let out = tempdir();
    tcsim()
        .arg("run")
        .arg(bundled("job-hopper.toml"))
        .args(["--format", "xml", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format").and(predicate::str::contains("json")));
    assert!(listing(out.path()).is_empty());
}

// --------------------------------------------------------------------- plot

/// Parses an SVG and checks the standalone SVG 1.1 basics and the chart's
/// contents: one series group per strategy, named by its `<title>` and id,
/// drawn with `shapes`, and both axis labels.
fn check_svg(text: &str, what: &str, names: &[String], shapes: &[&str]) {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg", "{what}");
    assert_eq!(
        svg.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg"),
        "{what}"
    );
    assert_eq!(svg.attribute("version"), Some("1.1"), "{what}");
    for a in ["width", "height", "viewBox"] {
        assert!(svg.attribute(a).is_some(), "{what}: no {a}");
    }
    assert!(
        doc.descendants().all(|n| n.tag_name().name() != "style"
            && n.attributes()
                .all(|a| a.name() != "href" && a.name() != "style")),
        "{what}: CSS or external references"
    );
    let series: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("series"))
        .collect();
    assert_eq!(series.len(), names.len(), "{what}: one series per strategy");
    for (g, name) in series.iter().zip(names) {
        assert_eq!(g.tag_name().name(), "g");
        let title = g
            .children()
            .find(|c| c.has_tag_name("title"))
            .expect("a title");
        assert!(
            title.text().unwrap().starts_with(name.as_str()),
            "{what}: {name}"
        );
        assert!(
            g.attribute("id").unwrap().ends_with(name.as_str()),
            "{what}: {name}"
        );
        for shape in shapes {
            assert!(
                g.children().any(|c| c.has_tag_name(*shape)),
                "{what}: {name} has no {shape}"
            );
        }
    }
    let colours: std::collections::BTreeSet<_> = series
        .iter()
        .map(|g| {
            g.descendants()
                .find_map(|c| c.attribute("fill"))
                .expect("a coloured series")
        })
        .collect();
    assert_eq!(colours.len(), names.len(), "{what}: distinct colours");
    for label in ["x-label", "y-label"] {
        let node = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(label))
            .unwrap_or_else(|| panic!("{what}: no {label}"));
        assert!(
            !node.text().unwrap_or("").is_empty(),
            "{what}: empty {label}"
        );
    }
    let ticks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("tick-label"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        ticks
            .iter()
            .any(|t| t.starts_with('$') && (t.ends_with('k') || t.ends_with('M'))),
        "{what}: no dollar ticks in {ticks:?}"
    );
}

#[test]
fn plot_writes_a_fan_chart_and_a_histogram_with_one_series_per_strategy() {
    // Two strategies share one chart; eight get small multiples.
    for scenario in ["stay-vs-switch.toml", "frontloaded-vesting.toml"] {
        let file = bundled(scenario);
        let names = strategies(&file);
        let out = tempdir();
        run_ok(&file, out.path(), &["--runs", "3000", "--plot"]);
        // Public companies only: no unrealized equity to draw.
        assert_eq!(
            listing(out.path()),
            [
                "compare.csv",
                "diff.svg",
                "fan.svg",
                "final.svg",
                "manifest.json",
                "percentiles.csv"
            ]
        );
        let fan = read(out.path(), "fan.svg");
        check_svg(
            &fan,
            &format!("{scenario} fan.svg"),
            &names,
            &["polygon", "polyline"],
        );
        assert!(fan.contains(">Year<"));
        // The difference to the baseline (the first strategy here), per
        // compared strategy.
        let diff = read(out.path(), "diff.svg");
        check_svg(
            &diff,
            &format!("{scenario} diff.svg"),
            &names[1..],
            &["polygon", "polyline"],
        );
        assert!(diff.contains(r#"class="zero""#));
        let hist = read(out.path(), "final.svg");
        check_svg(
            &hist,
            &format!("{scenario} final.svg"),
            &names,
            &["path", "line"],
        );
        assert!(hist.contains(">Share of runs<"));
    }
}

#[test]
fn run_help_lists_the_output_flags_and_init_help_its_default_path() {
    tcsim().args(["run", "--help"]).assert().success().stdout(
        predicate::str::contains("--samples")
            .and(predicate::str::contains("--plot"))
            .and(predicate::str::contains("--format <FORMAT>"))
            .and(predicate::str::contains("json")),
    );
    tcsim()
        .args(["init", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[PATH]").and(predicate::str::contains("scenario.toml")));
}

#[test]
fn readme_flags_section_names_every_flag_and_command() {
    use clap::CommandFactory;
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("## Flags").expect("a Flags section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    for cmd in tcsim::cli::Cli::command().get_subcommands() {
        assert!(
            section.contains(&format!("tcsim {}", cmd.get_name())),
            "README Flags does not show `tcsim {}`",
            cmd.get_name()
        );
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    section.contains(&format!("--{long}")),
                    "README Flags lacks --{long}"
                );
            }
        }
    }
}

/// Every world laid off in month 1 (rate 1): 120,000 / 52 x 16 of severance
/// in year 1, nothing in year 2.
const LAYOFFS: &str = r#"
[simulation]
years = 2
runs = 11

[jobs.cut]
base = 120_000
layoffs = { rate = 1.0, severance_weeks = 16 }

[strategies.cut]
path = [{ job = "cut" }]
"#;

#[test]
fn severance_reaches_the_csv_the_json_the_samples_and_the_summary() {
    let dir = tempdir();
    let file = dir.path().join("layoffs.toml");
    fs::write(&file, LAYOFFS).unwrap();
    let out = dir.path().join("out");
    run_ok(&file, &out, &["--samples"]);
    let pct = fs::read_to_string(out.join("percentiles.csv")).unwrap();
    assert!(pct.contains("cut,1,severance,36923.08,36923.08,"), "{pct}");
    assert!(pct.contains("cut,2,severance,0.00,0.00,"), "{pct}");
    let json_out = dir.path().join("json");
    run_ok(&file, &json_out, &["--format", "json"]);
    let json = fs::read_to_string(json_out.join("percentiles.json")).unwrap();
    assert!(json.contains("\"measure\": \"severance\""), "{json}");
    let samples = fs::read_to_string(out.join("samples.csv")).unwrap();
    let mut lines = samples.lines();
    assert_eq!(
        lines.next(),
        Some("run,strategy,year,total,cumulative,severance")
    );
    // One month of base, 3 months unpaid, then the same base: 8/12 of it.
    assert_eq!(lines.next(), Some("0,cut,1,126923.08,126923.08,36923.08"));
    assert_eq!(lines.next(), Some("0,cut,2,120000.00,246923.08,0.00"));
    let summary = tcsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out2"))
        .output()
        .unwrap();
    let text = String::from_utf8(summary.stdout).unwrap();
    assert!(
        text.contains("cut severance: mean $37k over 2 years (part of TC)"),
        "{text}"
    );
}
