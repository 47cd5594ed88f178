//! `tcsim solve` (model.md section 12): break-even values by bisection on
//! common random numbers, exact on deterministic scenarios, with a 90 %
//! interval that narrows as runs grow, the same on any thread count.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

/// Stay at 200,000 a year, or take an offer at `base` with sign-on of
/// 30,000 then 10,000 and an RSU grant of 123,456.78 vesting over four
/// years, at a company whose price never moves: every world is the same.
const DETERMINISTIC: &str = r#"
[simulation]
years = 4
runs = 200
seed = 3

[companies.big]
type = "public"
share_price = 100
drift = 0
volatility = 0

[jobs.stay]
company = "big"
base = 200_000

[jobs.offer]
company = "big"
base = 150_000
sign_on = [30_000, 10_000]

[[jobs.offer.grants]]
kind = "rsu"
value = 123_456.78
vesting = [25, 25, 25, 25]

[strategies.stay]
path = [{ job = "stay" }]

[strategies.offer]
path = [{ job = "offer" }]
"#;

/// Stay at a salary, or take a lower one with RSUs at a volatile company:
/// the difference at the horizon is the base gap plus a lognormal vest.
const RANDOM: &str = r#"
[simulation]
years = 2
runs = 4000
seed = 1

[companies.big]
type = "public"
share_price = 100
drift = 0.05
volatility = 0

[companies.rocket]
type = "public"
share_price = 50
drift = 0.05
volatility = 0.5

[jobs.stay]
company = "big"
base = 200_000

[jobs.offer]
company = "rocket"
base = 150_000

[[jobs.offer.grants]]
kind = "rsu"
value = 150_000
vesting = [50, 50]
frequency = "quarterly"

[strategies.stay]
path = [{ job = "stay" }]

[strategies.offer]
path = [{ job = "offer" }]
"#;

struct Solved {
    status: i32,
    stdout: String,
    stderr: String,
    out: PathBuf,
}

impl Solved {
    /// The one row of `solve.csv`, by column name.
    fn row(&self) -> HashMap<String, String> {
        let mut r = csv::Reader::from_path(self.out.join("solve.csv")).unwrap();
        let header = r.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1, "solve.csv has one row");
        header
            .iter()
            .zip(rows[0].iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect()
    }

    fn value(&self) -> f64 {
        self.row()["value"].parse().unwrap()
    }

    /// The 90 % interval's ends, which must lie inside the range.
    fn interval(&self) -> (f64, f64) {
        let r = self.row();
        let end = |c: &str| {
            r[c].parse::<f64>()
                .unwrap_or_else(|_| panic!("{c} is {:?}", r[c]))
        };
        (end("interval_low"), end("interval_high"))
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn solve(file: &Path, out: &Path, args: &[&str]) -> Solved {
    let o = cargo_bin_cmd!("tcsim")
        .arg("solve")
        .arg(file)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    Solved {
        status: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
        out: out.to_path_buf(),
    }
}

fn solved(file: &Path, out: &Path, args: &[&str]) -> Solved {
    let s = solve(file, out, args);
    assert_eq!(s.status, 0, "{}", s.stderr);
    s
}

#[test]
fn the_break_even_base_of_a_deterministic_offer_is_exact_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "det.toml", DETERMINISTIC);
    // At year 4: 4 B + 40,000 + 123,456.78 = 4 * 200,000, so B is
    // 636,543.22 / 4 = 159,135.805: the smallest whole cent at or above it.
    let cents = 4 * 20_000_000 - 4_000_000 - 12_345_678;
    let want = format!("{}.{:02}", (cents + 3) / 4 / 100, (cents + 3) / 4 % 100);
    assert_eq!(want, "159135.81");
    for target in ["median_diff=0", "mean_diff=0", "p_ahead=0.5"] {
        let out = dir.path().join(target);
        let s = solved(
            &file,
            &out,
            &["--vary", "jobs.offer.base", "--target", target],
        );
        let row = s.row();
        assert_eq!(row["value"], want, "{target}");
        // Every world is the same: no Monte Carlo error, a point interval.
        assert_eq!(row["interval_low"], want, "{target}");
        assert_eq!(row["interval_high"], want, "{target}");
        // The default range: 0 to twice the file's 150,000.
        assert_eq!(
            (row["low"].as_str(), row["high"].as_str()),
            ("0.00", "300000.00")
        );
        assert!(
            s.stdout.starts_with("jobs.offer.base = 159,135.81\n"),
            "{}",
            s.stdout
        );
        assert!(
            s.stdout
                .contains("90 % interval: 159,135.81 to 159,135.81\n")
        );
        // stdout holds only the answer; the status lines go to stderr.
        assert!(!s.stdout.contains("wrote"), "{}", s.stdout);
        assert!(s.stderr.contains("wrote "), "{}", s.stderr);
        let evaluations = row["evaluations"].parse::<usize>().unwrap();
        assert_eq!(
            s.stderr.matches("evaluation ").count(),
            evaluations,
            "{}",
            s.stderr
        );
        assert!(
            s.stdout.contains(&format!(
                "{evaluations} evaluations of 200 runs each, seed 3"
            )),
            "{}",
            s.stdout
        );
    }
    // The statistic just below and at the answer, in evaluations.csv.
    let mut r = csv::Reader::from_path(dir.path().join("mean_diff=0/evaluations.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let at = |v: &str| rows.iter().find(|r| &r[2] == v).map(|r| r[4].to_string());
    assert_eq!(at("159135.81").as_deref(), Some("0.02"));
    assert_eq!(at("159135.80").as_deref(), Some("-0.02"));
}

#[test]
fn a_simulation_key_is_solved_on_whole_numbers_within_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    // A 100,000 sign-on against a base 20,000 lower: the offer's lead of
    // 100,000 - 20,000 y is used up in year 5.
    let text = DETERMINISTIC
        .replace("years = 4", "years = 3")
        .replace("sign_on = [30_000, 10_000]", "sign_on = [100_000]")
        .replace("base = 150_000", "base = 180_000")
        .replace(
            "[[jobs.offer.grants]]\nkind = \"rsu\"\nvalue = 123_456.78\nvesting = [25, 25, 25, 25]\n",
            "",
        );
    let file = write(dir.path(), "years.toml", &text);
    let s = solved(
        &file,
        &dir.path().join("o"),
        &["--vary", "simulation.years", "--target", "mean_diff=0"],
    );
    let row = s.row();
    // 0 to twice the file's 3, the 0 raised to years' rule minimum of 1.
    assert_eq!((row["low"].as_str(), row["high"].as_str()), ("1", "6"));
    assert_eq!(row["value"], "5");
    // The horizon moves with the key: the answer compares year 5.
    assert_eq!(row["year"], "5");
    assert_eq!(row["statistic"], "0.00");
    assert!(
        s.stdout.contains("is at or below 0.00"),
        "a falling difference reaches the target from above: {}",
        s.stdout
    );
}

#[test]
fn a_key_inside_an_array_of_tables_is_solved() {
    let dir = tempfile::tempdir().unwrap();
    // Stay at 200,000.00125: 4 * 150,000 + 40,000 + V = 800,000.005, so
    // V = 160,000.005 and the smallest whole cent reaching it is .01.
    let text = DETERMINISTIC.replace("base = 200_000", "base = 200_000.00125");
    let file = write(dir.path(), "grant.toml", &text);
    let s = solved(
        &file,
        &dir.path().join("o"),
        &[
            "--vary",
            "jobs.offer.grants[0].value",
            "--target",
            "median_diff=0",
        ],
    );
    let row = s.row();
    assert_eq!(row["value"], "160000.01");
    assert_eq!(row["key"], "jobs.offer.grants[0].value");
    // A grant value must be positive: the default range starts a cent
    // above 0, and ends at twice the file's 123,456.78.
    assert_eq!(
        (row["low"].as_str(), row["high"].as_str()),
        ("0.01", "246913.56")
    );
}

#[test]
fn a_target_outside_the_range_exits_2_naming_the_range_and_the_end_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "det.toml", DETERMINISTIC);
    let out = dir.path().join("o");
    let s = solve(
        &file,
        &out,
        &[
            "--vary",
            "jobs.offer.base",
            "--target",
            "median_diff=1_000_000",
        ],
    );
    assert_eq!(s.status, 2, "{}", s.stderr);
    // The ends: 4 B + 163,456.78 - 800,000 at B = 0 and 300,000.
    assert!(
        s.stderr.contains(
            "--target median_diff=1000000 is not reached between jobs.offer.base = 0.00 and 300,000.00: \
             the median of offer minus stay (cumulative, year 4) is -636,543.22 at 0.00 and 563,456.78 at 300,000.00"
        ),
        "{}",
        s.stderr
    );
    assert!(s.stdout.is_empty(), "{}", s.stdout);
    assert!(!out.exists(), "nothing is written");
    // A narrower range that misses the target names its own ends.
    let s = solve(
        &file,
        &out,
        &[
            "--vary",
            "jobs.offer.base",
            "--target",
            "mean_diff=0",
            "--between",
            "100000,150000",
        ],
    );
    assert_eq!(s.status, 2, "{}", s.stderr);
    assert!(
        s.stderr
            .contains("between jobs.offer.base = 100,000.00 and 150,000.00"),
        "{}",
        s.stderr
    );
    assert!(
        s.stderr
            .contains("-236,543.22 at 100,000.00 and -36,543.22 at 150,000.00")
    );
}

/// The order-statistic bounds of a median over `n` runs at `z` standard
/// errors, as percentiles: `50 -+ 100 z 0.5 / sqrt(n)`.
fn median_bounds(n: u64, z: f64) -> (f64, f64) {
    let h = 100.0 * z * 0.5 / (n as f64).sqrt();
    (50.0 - h, 50.0 + h)
}

#[test]
fn a_median_solution_holds_at_another_seed_and_its_interval_narrows_with_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "random.toml", RANDOM);
    let args = |runs: &'static str| {
        [
            "--vary",
            "jobs.offer.base",
            "--target",
            "median_diff=0",
            "--between",
            "100000,250000",
            "--runs",
            runs,
            "-q",
        ]
    };
    let small = solved(&file, &dir.path().join("small"), &args("4000"));
    let large = solved(&file, &dir.path().join("large"), &args("16000"));
    let base = small.value();
    let (lo, hi) = small.interval();
    assert!(lo < base && base < hi, "{lo} < {base} < {hi}");

    // The answer, rerun on another seed: the median difference there has
    // its own 99 % order-statistic interval (+-2.576 standard errors, at
    // the same run count), which must hold 0.
    let (p_lo, p_hi) = median_bounds(4000, 2.576);
    let rerun = RANDOM
        .replace("base = 150_000", &format!("base = {base}"))
        .replace("seed = 1", "seed = 2")
        .replace(
            "runs = 4000",
            &format!("runs = 4000\npercentiles = [{p_lo}, 50, {p_hi}]"),
        );
    let rerun_file = write(dir.path(), "rerun.toml", &rerun);
    let out = dir.path().join("rerun");
    let o = cargo_bin_cmd!("tcsim")
        .arg("run")
        .arg(&rerun_file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.join("compare.csv")).unwrap();
    let last = r.records().map(Result::unwrap).last().unwrap();
    // strategy,baseline,year,p_ahead,mean_diff,p_lo,p50,p_hi
    assert_eq!(&last[2], "2");
    let (q_lo, q_hi): (f64, f64) = (last[5].parse().unwrap(), last[7].parse().unwrap());
    assert!(q_lo <= 0.0 && 0.0 <= q_hi, "0 in [{q_lo}, {q_hi}]");

    // Four times the runs halve the interval (its width estimates vary by
    // about 10 % and 7 %: their ratio is 0.5 +- 0.06, and 0.75 is more
    // than four of those away).
    let (l_lo, l_hi) = large.interval();
    let (w_small, w_large) = (hi - lo, l_hi - l_lo);
    assert!(
        w_large < 0.75 * w_small,
        "16,000 runs: width {w_large}; 4,000 runs: {w_small}"
    );
    assert!(l_lo < large.value() && large.value() < l_hi);
}

#[test]
fn the_mean_diff_interval_is_the_mean_plus_or_minus_1_645_standard_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "random.toml",
        RANDOM.replace("runs = 4000", "runs = 2000").as_str(),
    );
    let s = solved(
        &file,
        &dir.path().join("o"),
        &["--vary", "jobs.offer.base", "--target", "mean_diff=0", "-q"],
    );
    let row = s.row();
    let value = row["value"].clone();
    // The same scenario at the answer, every run's cumulative TC.
    let at = RANDOM
        .replace("runs = 4000", "runs = 2000")
        .replace("base = 150_000", &format!("base = {value}"));
    let at_file = write(dir.path(), "at.toml", &at);
    let out = dir.path().join("samples");
    let o = cargo_bin_cmd!("tcsim")
        .arg("run")
        .arg(&at_file)
        .args(["--samples", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.join("samples.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (strategy, year, cumulative) = (col("strategy"), col("year"), col("cumulative"));
    let mut by_run: HashMap<(String, String), f64> = HashMap::new();
    let mut runs = Vec::new();
    for rec in r.records().map(Result::unwrap) {
        if &rec[year] != "2" {
            continue;
        }
        let run = rec[0].to_string();
        if !runs.contains(&run) {
            runs.push(run.clone());
        }
        by_run.insert(
            (rec[strategy].to_string(), run),
            rec[cumulative].parse().unwrap(),
        );
    }
    let diffs: Vec<f64> = runs
        .iter()
        .map(|run| by_run[&("offer".into(), run.clone())] - by_run[&("stay".into(), run.clone())])
        .collect();
    let n = diffs.len() as f64;
    assert_eq!(n, 2000.0);
    let mean = diffs.iter().sum::<f64>() / n;
    let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = 1.645 * sd / n.sqrt();
    // samples.csv rounds each value to the cent: the mean and the bounds
    // agree to a cent or so.
    let cell = |c: &str| row[c].parse::<f64>().unwrap();
    assert!(
        (cell("statistic") - mean).abs() < 0.02,
        "{} vs {mean}",
        cell("statistic")
    );
    assert!(
        (cell("lower_90") - (mean - half)).abs() < 0.05,
        "{} vs {}",
        cell("lower_90"),
        mean - half
    );
    assert!(
        (cell("upper_90") - (mean + half)).abs() < 0.05,
        "{} vs {}",
        cell("upper_90"),
        mean + half
    );
    assert!(
        half > 1000.0,
        "a random scenario has a real standard error: {half}"
    );
}

#[test]
fn p_ahead_finds_an_exit_rate_inside_the_range_on_the_bundled_startup_scenario() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bigtech-vs-startup.toml");
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "--vary",
        "companies.rocket.exit_rate",
        "--runs",
        "2000",
        "-q",
    ];
    // Ahead in half the worlds: at no exit rate the rounds allow (to
    // 1 - failure_rate = 0.92) does the startup's cash pass bigtech's in
    // half of them, and solve says so with the values at both ends.
    let s = solve(
        &file,
        &dir.path().join("half"),
        &[
            &common[..],
            &["--target", "p_ahead=0.5", "--between", "0,0.92"],
        ]
        .concat(),
    );
    assert_eq!(s.status, 2, "{}", s.stderr);
    assert!(
        s.stderr.contains(
            "is not reached between companies.rocket.exit_rate = 0 and 0.92: the share of worlds where startup is ahead of bigtech (p_ahead; cumulative, year 6) is 0.0000 at 0 and "
        ),
        "{}",
        s.stderr
    );
    // Ahead in 15 % of the worlds: an exit rate inside the range.
    let s = solved(
        &file,
        &dir.path().join("o"),
        &[
            &common[..],
            &["--target", "p_ahead=0.15", "--between", "0,0.5"],
        ]
        .concat(),
    );
    let v = s.value();
    assert!(0.0 < v && v < 0.5, "{v}");
    let row = s.row();
    assert_eq!(row["strategy"], "startup");
    assert_eq!(row["baseline"], "bigtech");
    assert!(row["statistic"].parse::<f64>().unwrap() >= 0.15, "{row:?}");
}

#[test]
fn solve_gives_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "random.toml",
        &RANDOM.replace("runs = 4000", "runs = 1000"),
    );
    let run = |threads: &str| {
        let out = dir.path().join(threads);
        let s = solved(
            &file,
            &out,
            &[
                "--vary",
                "jobs.offer.base",
                "--target",
                "mean_diff=0",
                "--threads",
                threads,
            ],
        );
        let read = |f: &str| std::fs::read(out.join(f)).unwrap();
        (s.stdout, read("solve.csv"), read("evaluations.csv"))
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn the_strategy_must_be_named_when_several_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{DETERMINISTIC}\n[strategies.other]\npath = [{{ job = \"offer\" }}]\n");
    let file = write(dir.path(), "three.toml", &text);
    let out = dir.path().join("o");
    let base = ["--vary", "jobs.offer.base", "--target", "mean_diff=0"];
    let s = solve(&file, &out, &base);
    assert_eq!(s.status, 2);
    assert!(
        s.stderr.contains(
            "several strategies are compared with the baseline stay (offer, other): give --strategy NAME"
        ),
        "{}",
        s.stderr
    );
    let s = solve(&file, &out, &[&base[..], &["--strategy", "stay"]].concat());
    assert_eq!(s.status, 2);
    assert!(
        s.stderr.contains("--strategy stay: that is the baseline"),
        "{}",
        s.stderr
    );
    let s = solve(&file, &out, &[&base[..], &["--strategy", "nope"]].concat());
    assert_eq!(s.status, 2);
    assert!(
        s.stderr
            .contains("no such strategy (strategies: stay, offer, other)"),
        "{}",
        s.stderr
    );
    assert!(!out.exists());
    let s = solve(&file, &out, &[&base[..], &["--strategy", "other"]].concat());
    assert_eq!(s.status, 0, "{}", s.stderr);
    assert_eq!(s.row()["strategy"], "other");
}

#[test]
fn bad_ranges_and_keys_exit_2_before_anything_is_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "det.toml", DETERMINISTIC);
    let out = dir.path().join("o");
    let cases: [(&[&str], &str); 9] = [
        // A path below a number: the patch's error names --vary, not --set.
        (
            &[
                "--vary",
                "jobs.offer.base.x",
                "--target",
                "mean_diff=0",
                "--between",
                "0,1",
            ],
            "--vary jobs.offer.base.x: the scenario has no table `jobs.offer.base.x`",
        ),
        // A misspelt key is not a key the file leaves to its default.
        (
            &["--vary", "jobs.offer.bsae", "--target", "mean_diff=0"],
            "with --vary jobs.offer.bsae=0: jobs.offer.bsae is not a known key",
        ),
        // The file's drift is 0: no scale for a default range.
        (
            &["--vary", "companies.big.drift", "--target", "mean_diff=0"],
            "--vary companies.big.drift: the file's value is 0, so there is no scale to take a range from; give --between LO,HI",
        ),
        // A value the key's rule refuses: the usual checker error.
        (
            &[
                "--vary",
                "companies.big.volatility",
                "--target",
                "mean_diff=0",
                "--between",
                "0,9",
            ],
            "with --vary companies.big.volatility=9: companies.big.volatility must be in [0, 2], got 9",
        ),
        (
            &["--vary", "jobs.nobody.base", "--target", "mean_diff=0"],
            "--vary jobs.nobody.base: the scenario has no table `jobs.nobody`",
        ),
        (
            &["--vary", "jobs.offer.company", "--target", "mean_diff=0"],
            "--vary jobs.offer.company: the file's value is a string, not a number",
        ),
        (
            &["--vary", "jobs.offer.base", "--target", "median=0"],
            "--target median=0: `median` is not a target statistic",
        ),
        (
            &[
                "--vary",
                "jobs.offer.base",
                "--target",
                "mean_diff=0",
                "--between",
                "5,1",
            ],
            "--between 5,1: LO must be below HI",
        ),
        (
            &[
                "--vary",
                "jobs.offer.base",
                "--target",
                "mean_diff=0",
                "--year",
                "9",
            ],
            "--year 9: the scenario with --vary jobs.offer.base=0.00 has a horizon of 4 years",
        ),
    ];
    for (args, want) in cases {
        let s = solve(&file, &out, args);
        assert_eq!(s.status, 2, "{args:?}: {}", s.stderr);
        assert!(s.stderr.contains(want), "{args:?}: {}", s.stderr);
        assert!(!s.stderr.contains("evaluation "), "{args:?}: {}", s.stderr);
        assert!(!out.exists(), "{args:?}");
    }
}

#[test]
fn quantiles_at_extra_probabilities_leave_the_runs_own_results_unchanged() {
    let s = tcsim::scenario::parse("random.toml", RANDOM).unwrap();
    let engine = tcsim::engine::Engine::new(&s);
    let plain = engine.simulate(&|_| {});
    let extra = [0.487, 0.513];
    let more = engine
        .simulate_with_probs(&extra, &mut (), &|_| true)
        .unwrap();
    let n = plain.probs.len();
    assert_eq!(more.probs[..n], plain.probs[..]);
    assert_eq!(more.probs[n..], extra[..]);
    for (a, b) in plain.series.iter().zip(&more.series) {
        assert_eq!(a.mean, b.mean);
        assert_eq!(a.share_positive, b.share_positive);
        assert_eq!(b.quantiles[..n], a.quantiles[..]);
        // The extra quantiles sit between the neighbouring ones.
        let median = a.quantiles[plain.probs.iter().position(|&p| p == 0.5).unwrap()];
        let q75 = a.quantiles[plain.probs.iter().position(|&p| p == 0.75).unwrap()];
        let q25 = a.quantiles[plain.probs.iter().position(|&p| p == 0.25).unwrap()];
        assert!(q25 <= b.quantiles[n] && b.quantiles[n] <= median);
        assert!(median <= b.quantiles[n + 1] && b.quantiles[n + 1] <= q75);
    }
}

#[test]
fn with_tax_the_target_is_on_net_cumulative_and_its_value_reruns_exactly() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/after-tax.toml");
    let dir = tempfile::tempdir().unwrap();
    let s = solved(
        &file,
        &dir.path().join("o"),
        &[
            "--vary",
            "jobs.remote.base",
            "--target",
            "median_diff=0",
            "--strategy",
            "remote-texas",
            "--runs",
            "500",
            "-q",
        ],
    );
    let row = s.row();
    assert_eq!(row["measure"], "net_cumulative");
    // The same file at the answer, seed and run count: the same worlds, so
    // compare.csv's after-tax median at the horizon is the statistic.
    let text = std::fs::read_to_string(&file).unwrap();
    let remote = "base = 187_000";
    assert_eq!(text.matches(remote).count(), 1, "the remote job's base");
    let at = text.replacen(remote, &format!("base = {}", row["value"]), 1);
    let at_file = write(dir.path(), "at.toml", &at);
    let out = dir.path().join("run");
    let o = cargo_bin_cmd!("tcsim")
        .arg("run")
        .arg(&at_file)
        .args(["--runs", "500", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.join("compare.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rec = r
        .records()
        .map(Result::unwrap)
        .find(|r| {
            &r[col("strategy")] == "remote-texas"
                && &r[col("year")] == "6"
                && &r[col("measure")] == "net_cumulative"
        })
        .unwrap();
    assert_eq!(rec[col("p50")], row["statistic"]);
}
