//! Decisions (model.md section 12): the certainty equivalent against a
//! closed form by quadrature, the present value against the discounted sum,
//! `p_equity_zero`, the `W + X <= 0` error, `[simulation] compare` pairs, the
//! verdict counting held equity, and the summary's shares agreeing between
//! its tables and its sentences for every bundled scenario.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tcsim::engine::Engine;
use tcsim::model::Risk;
use tcsim::stats::decision::{inverse_utility, utility};

fn tcsim() -> Command {
    Command::cargo_bin("tcsim").expect("binary builds")
}

/// A CSV without quoted fields as its header and rows.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// One RSU grant of `UNITS` shares vesting whole at month 12, no salary:
/// the year's cash is `X = UNITS S_1`, lognormal.
const UNITS: f64 = 1000.0;
const S0: f64 = 100.0;
const DRIFT: f64 = 0.08;
const VOL: f64 = 0.4;
const WEALTH: f64 = 100_000.0;

fn lognormal_vest(runs: u64, g: f64) -> String {
    format!(
        r#"
[simulation]
years = 1
runs = {runs}
seed = 11
risk_aversion = {g}
wealth = {WEALTH}

[companies.c]
type = "public"
share_price = {S0}
drift = {DRIFT}
volatility = {VOL}

[jobs.j]
company = "c"
base = 0

[[jobs.j.grants]]
kind = "rsu"
units = {UNITS}
vesting = [100]
frequency = "annual"

[strategies.s]
path = [{{ job = "j" }}]
"#
    )
}

/// `E[f(Z)]` for a standard normal `Z`, by Simpson's rule on [-12, 12]
/// (the tails beyond carry less than 1e-32 of the mass).
fn normal_expectation(f: impl Fn(f64) -> f64) -> f64 {
    let n = 24_000;
    let (a, b) = (-12.0, 12.0);
    let h = (b - a) / n as f64;
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mut sum = 0.0;
    for i in 0..=n {
        let z = a + i as f64 * h;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        sum += w * f(z) * phi(z);
    }
    sum * h / 3.0
}

/// The certainty equivalent of the lognormal vest by quadrature, and its
/// Monte Carlo standard error at `runs` runs (delta method:
/// `W sd(u) / sqrt(n) / u'(r*)`, `u'(r) = r^-g` on the wealth ratio).
fn closed_form(g: f64, runs: u64) -> (f64, f64) {
    let ratio = |z: f64| {
        let s1 = S0 * ((DRIFT - VOL * VOL / 2.0) + VOL * z).exp();
        1.0 + UNITS * s1 / WEALTH
    };
    let eu = normal_expectation(|z| utility(g, ratio(z)));
    let eu2 = normal_expectation(|z| utility(g, ratio(z)).powi(2));
    let r_star = inverse_utility(g, eu);
    let se = WEALTH * ((eu2 - eu * eu) / runs as f64).sqrt() / r_star.powf(-g);
    (WEALTH * (r_star - 1.0), se)
}

#[test]
fn the_certainty_equivalent_of_a_lognormal_vest_matches_quadrature() {
    let runs = 100_000;
    for g in [1.0, 2.0, 5.0] {
        let (s, r) = common::simulate(&lognormal_vest(runs, g));
        let d = r
            .decision
            .as_ref()
            .expect("decision figures with risk_aversion");
        let ce = d.certainty_equivalent(0, 0).expect("no ruin: X >= 0");
        let (want, se) = closed_form(g, runs);
        assert!(
            (ce - want).abs() <= 4.5 * se,
            "g {g}: Monte Carlo {ce:.2}, quadrature {want:.2}, 4.5 SE = {:.2}",
            4.5 * se
        );
        // The engine's own standard error agrees with the closed form's.
        let own = d.certainty_equivalent_se(0, 0).expect("a standard error");
        assert!((own / se - 1.0).abs() < 0.1, "g {g}: SE {own} vs {se}");
        // A risk-averse certainty equivalent is below the mean.
        let mean = common::series(&s, &r, "s", 1, "cumulative").mean;
        assert!(ce < mean, "g {g}: {ce} >= mean {mean}");
    }
}

#[test]
fn a_risk_aversion_near_zero_gives_the_mean() {
    let (s, r) = common::simulate(&lognormal_vest(20_000, 1e-6));
    let ce = r
        .decision
        .as_ref()
        .unwrap()
        .certainty_equivalent(0, 0)
        .unwrap();
    let mean = common::series(&s, &r, "s", 1, "cumulative").mean;
    // CE ~ mean - g Var(X) / (2 (W + mean)): under a dollar at g = 1e-6.
    assert!((ce - mean).abs() < 1.0, "ce {ce} mean {mean}");
}

#[test]
fn a_larger_risk_aversion_never_gives_a_larger_certainty_equivalent_through_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ce.toml");
    fs::write(&file, lognormal_vest(5_000, 1.0)).unwrap();
    let out = dir.path().join("out");
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "simulation.risk_aversion=0.5,1,2,4,8,16",
            "--quiet",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = csv(&out.join("sweep.csv"));
    let ce = column(&h, "certainty_equivalent");
    let values: Vec<f64> = rows.iter().map(|r| r[ce].parse().unwrap()).collect();
    assert_eq!(values.len(), 6);
    for w in values.windows(2) {
        assert!(w[1] <= w[0], "{values:?}");
    }
    // The mean does not depend on the utility: the same worlds throughout.
    let mean = column(&h, "mean");
    assert!(rows.iter().all(|r| r[mean] == rows[0][mean]));
}

/// Fixed pay: base $120k, a $12k sign-on in month 1, a bonus of exactly
/// 10 % of base at each anniversary, three years.
const FIXED: &str = r#"
[simulation]
years = 3
runs = 5
discount_rate = 0.07

[companies.c]
type = "public"
share_price = 100
drift = 0
volatility = 0

[jobs.j]
company = "c"
base = 120_000
sign_on = [12_000]
bonus = { target = 0.10, sd = 0 }

[strategies.s]
path = [{ job = "j" }]
"#;

#[test]
fn present_value_of_deterministic_flows_is_the_discounted_sum_to_the_cent() {
    let (s, r) = common::simulate(FIXED);
    let v = |m: u32| 1.07f64.powf(-f64::from(m) / 12.0);
    let mut want = 0.0;
    for y in 1..=3u32 {
        if y == 1 {
            want += 12_000.0 * v(1);
        }
        want += (12 * (y - 1) + 1..=12 * y)
            .map(|m| 10_000.0 * v(m))
            .sum::<f64>();
        want += 12_000.0 * v(12 * y);
        let got = common::series(&s, &r, "s", y as usize, "present_value");
        assert!(
            (got.mean - want).abs() < 0.005,
            "year {y}: {} vs {want}",
            got.mean
        );
        // Cash is certain: every percentile is the mean.
        assert!(got.quantiles.iter().all(|&q| (q - got.mean).abs() < 1e-6));
    }
}

#[test]
fn present_value_with_tax_takes_each_years_tax_in_its_last_month() {
    let text = FIXED.replace(
        "[companies.c]",
        "[tax]\nyear = 2026\nfiling = \"single\"\nstate = \"CA\"\n\n[companies.c]",
    );
    let (s, r) = common::simulate(&text);
    let v = |m: u32| 1.07f64.powf(-f64::from(m) / 12.0);
    let mut want = 0.0;
    for y in 1..=3u32 {
        let tax = common::series(&s, &r, "s", y as usize, "tax").mean;
        assert!(tax > 10_000.0, "a CA wage earner pays tax: {tax}");
        if y == 1 {
            want += 12_000.0 * v(1);
        }
        want += (12 * (y - 1) + 1..=12 * y)
            .map(|m| 10_000.0 * v(m))
            .sum::<f64>();
        want += 12_000.0 * v(12 * y) - tax * v(12 * y);
        let got = common::series(&s, &r, "s", y as usize, "present_value").mean;
        assert!((got - want).abs() < 0.005, "year {y}: {got} vs {want}");
    }
}

#[test]
fn a_zero_discount_rate_gives_the_cumulative_cash() {
    let (s, r) = common::simulate(&FIXED.replace("discount_rate = 0.07", "discount_rate = 0"));
    for y in 1..=3 {
        let pv = common::series(&s, &r, "s", y, "present_value").mean;
        let cum = common::series(&s, &r, "s", y, "cumulative").mean;
        assert!((pv - cum).abs() < 1e-6, "year {y}: {pv} vs {cum}");
    }
}

/// Three strategies at fixed pay: `rsu` has a grant that vests, `cash`
/// none, `underwater` options whose strike is above the (constant) price.
const EQUITY: &str = r#"
[simulation]
years = 2
runs = 50
discount_rate = 0.05
compare = [["underwater", "rsu"]]

[companies.c]
type = "public"
share_price = 100
drift = 0
volatility = 0

[jobs.cash]
company = "c"
base = 200_000

[jobs.rsu]
company = "c"
base = 150_000

[[jobs.rsu.grants]]
kind = "rsu"
units = 400
vesting = [50, 50]
frequency = "annual"

[jobs.underwater]
company = "c"
base = 180_000

[[jobs.underwater.grants]]
kind = "option"
units = 1000
strike = 150
vesting = [50, 50]
frequency = "annual"

[strategies.cash]
path = [{ job = "cash" }]

[strategies.rsu]
path = [{ job = "rsu" }]

[strategies.underwater]
path = [{ job = "underwater" }]
"#;

#[test]
fn p_equity_zero_counts_the_worlds_whose_equity_paid_nothing() {
    let (s, r) = common::simulate(EQUITY);
    let d = r
        .decision
        .as_ref()
        .expect("discount_rate asks for decision figures");
    let index = |n: &str| s.strategies.iter().position(|x| x.name == n).unwrap();
    for y in 0..2 {
        assert_eq!(d.equity_zero_share(index("cash"), y), 1.0);
        assert_eq!(d.equity_zero_share(index("rsu"), y), 0.0);
        assert_eq!(d.equity_zero_share(index("underwater"), y), 1.0);
    }
}

#[test]
fn a_compare_pair_adds_rows_against_its_second_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("equity.toml");
    fs::write(&file, EQUITY).unwrap();
    let out = dir.path().join("out");
    let assert = tcsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let (h, rows) = csv(&out.join("compare.csv"));
    let (strategy, baseline, year, mean) = (
        column(&h, "strategy"),
        column(&h, "baseline"),
        column(&h, "year"),
        column(&h, "mean_diff"),
    );
    let pair: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[strategy] == "underwater" && r[baseline] == "rsu")
        .collect();
    assert_eq!(pair.len(), 2, "{rows:?}");
    // Year 1: 180,000 against 150,000 + 200 x $100; year 2 twice that.
    assert_eq!(pair[0][year], "1");
    assert_eq!(pair[0][mean], "10000.00");
    assert_eq!(pair[1][mean], "20000.00");
    // After the baseline rows, in file order.
    let last: Vec<&str> = rows.iter().map(|r| r[baseline].as_str()).collect();
    assert_eq!(last, ["cash", "cash", "cash", "cash", "rsu", "rsu"]);
    assert!(
        stdout.contains("underwater ahead of rsu in 100.0% of worlds by year 2; median gain $20k"),
        "{stdout}"
    );
    // decision.csv: one row per strategy and year, p_equity_zero as above.
    let (h, rows) = csv(&out.join("decision.csv"));
    assert_eq!(
        h,
        [
            "strategy",
            "year",
            "mean",
            "p50",
            "certainty_equivalent",
            "present_value_mean",
            "p_equity_zero"
        ]
    );
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter().all(|r| r[4].is_empty()),
        "no risk_aversion: {rows:?}"
    );
    assert_eq!(rows[2][6], "0.0000");
}

#[test]
fn a_world_where_wealth_plus_cash_is_not_positive_is_an_error_naming_strategy_and_year() {
    // Leaving after a year and exercising 10,000 options at $1 (the mark is
    // $10) costs $10,000 against $1,000 of base: the cumulative cash is
    // -$9,000, below -W.
    let text = r#"
[simulation]
years = 2
runs = 200
risk_aversion = 2
wealth = 5_000

[companies.p]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 0
preferred_fraction = 0.3
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.5, sigma = 0.5 }

[companies.c]
type = "public"
share_price = 100
drift = 0
volatility = 0

[jobs.startup]
company = "p"
base = 1_000

[[jobs.startup.grants]]
kind = "option"
units = 10_000
strike = 1
vesting = [100]
frequency = "annual"
on_leave = "exercise"
exercise_window_months = 0

[jobs.after]
company = "c"
base = 100_000

[strategies.after]
path = [{ job = "after" }]

[strategies.leave]
path = [{ job = "startup", years = 1 }, { job = "after" }]
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ruin.toml");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let assert = tcsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("simulation.risk_aversion: strategy `leave`, year 1: wealth 5,000 plus the cumulative cash \
         is at most 0 in some worlds (lowest -9,000, in run 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("raise simulation.wealth above 9,000"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn decision_figures_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ce.toml");
    let text = lognormal_vest(30_000, 3.0).replace("years = 1", "years = 1\ndiscount_rate = 0.04");
    fs::write(&file, text).unwrap();
    let bytes = |threads: &str| {
        let out = dir.path().join(format!("out{threads}"));
        tcsim()
            .arg("run")
            .arg(&file)
            .args(["--quiet", "--threads", threads])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        fs::read(out.join("decision.csv")).unwrap()
    };
    assert_eq!(bytes("1"), bytes("2"));
}

/// A startup whose vested shares are held to the horizon (no exit, no
/// failure) against a better-paid public job: cash says the public job,
/// counting the shares at their mark may say otherwise.
fn held(units: u64) -> String {
    format!(
        r#"
[simulation]
years = 2
runs = 400

[companies.p]
type = "private"
valuation = 100_000_000
shares = 10_000_000          # $10 a share
preference = 0
preferred_fraction = 0.3
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = {{ median = 1.5, sigma = 0.5 }}

[companies.c]
type = "public"
share_price = 100
drift = 0
volatility = 0.3

[jobs.public]
company = "c"
base = 200_000

[jobs.startup]
company = "p"
base = 150_000

[[jobs.startup.grants]]
kind = "rsu"
units = {units}
vesting = [50, 50]
frequency = "annual"

[strategies.public]
path = [{{ job = "public" }}]

[strategies.startup]
path = [{{ job = "startup" }}]
"#
    )
}

fn summary_of(text: &str) -> String {
    let (s, r) = common::simulate(text);
    tcsim::report::summary::render(&s, &r)
}

#[test]
fn unrealized_equity_that_outweighs_the_cash_gap_could_reverse_the_verdict() {
    // 20,000 shares at $10: $200k held at year 2 against a $100k cash gap.
    let text = summary_of(&held(20_000));
    assert!(
        text.contains("startup ahead of public in 0.0% of worlds by year 2; median loss $100k"),
        "{text}"
    );
    assert!(
        text.contains(
            "counting unrealized equity with cash, startup is ahead of public in 100.0% of worlds \
             (cash alone: 0.0%); this could reverse the cash verdict"
        ),
        "{text}"
    );
    let row = text
        .lines()
        .filter(|l| l.starts_with("startup "))
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.len() == 4)
        .unwrap_or_else(|| panic!("no unrealized row in\n{text}"));
    assert_eq!(row, ["startup", "200,000", "200,000", "100.0%"]);
}

#[test]
fn unrealized_equity_smaller_than_the_cash_gap_leaves_the_verdict_standing() {
    // 5,000 shares: $50k held, the gap is $100k.
    let text = summary_of(&held(5_000));
    assert!(
        text.contains(
            "is ahead of public in 0.0% of worlds (cash alone: 0.0%); the cash verdict stands"
        ),
        "{text}"
    );
}

#[test]
fn the_summary_tables_and_sentences_agree_for_every_bundled_scenario() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let assert = tcsim()
            .arg("run")
            .arg(&file)
            .args(["--runs", "3000"])
            .arg("--out")
            .arg(dir.path())
            .assert()
            .success();
        let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        let scenario = tcsim::scenario::load(&file).unwrap();
        let baseline = &scenario.strategies[scenario.sim.baseline].name;
        let taxed = scenario.tax.is_some();
        // The tables: the last cell of each compared strategy's row, in the
        // cash table and (with [tax]) the after-tax one.
        let tables: Vec<&str> = text.split("\nNet cumulative TC after tax").collect();
        let cell = |table: &str, name: &str| -> String {
            table
                .lines()
                .find(|l| l.split_whitespace().next() == Some(name))
                .and_then(|l| l.split_whitespace().last())
                .unwrap_or_else(|| panic!("{}: no row {name} in\n{table}", file.display()))
                .to_string()
        };
        let mut checked = 0;
        for s in &scenario.strategies {
            if &s.name == baseline {
                continue;
            }
            let head = format!("{} ahead of {baseline} ", s.name);
            let line = text
                .lines()
                .find(|l| l.starts_with(&head))
                .unwrap_or_else(|| {
                    panic!("{}: no verdict for {} in\n{text}", file.display(), s.name)
                });
            let share_after = |word: &str| -> String {
                let at = line.find(word).unwrap() + word.len();
                line[at..].split_whitespace().next().unwrap().to_string()
            };
            if taxed {
                assert_eq!(
                    share_after("after tax in "),
                    cell(tables[1], &s.name),
                    "{line}"
                );
                assert_eq!(
                    share_after("(before tax: ahead in ").trim_end_matches(','),
                    cell(tables[0], &s.name),
                    "{line}"
                );
            } else {
                assert_eq!(share_after(" in "), cell(tables[0], &s.name), "{line}");
            }
            checked += 1;
        }
        assert_eq!(checked, scenario.strategies.len() - 1, "{}", file.display());
    }
}

#[test]
fn the_risk_keys_take_their_values_from_sweep_set_and_the_engine_reads_them() {
    let s = common::scenario(&lognormal_vest(10, 2.0));
    assert_eq!(
        s.sim.risk,
        Some(Risk {
            aversion: 2.0,
            wealth: WEALTH
        })
    );
    // The layout reports present_value only with a discount rate.
    let with = common::scenario(FIXED);
    let engine = Engine::new(&with);
    assert!(
        engine
            .layout()
            .measures()
            .iter()
            .any(|m| m.name() == "present_value")
    );
    let without = common::scenario(&lognormal_vest(10, 2.0));
    assert!(
        !Engine::new(&without)
            .layout()
            .measures()
            .iter()
            .any(|m| m.name() == "present_value")
    );
}

#[test]
fn a_discount_rate_swept_lowers_the_present_value_and_not_the_cash() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixed.toml");
    fs::write(&file, FIXED).unwrap();
    let out = dir.path().join("out");
    tcsim()
        .arg("sweep")
        .arg(&file)
        .args(["--set", "simulation.discount_rate=0,0.03,0.1", "--quiet"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = csv(&out.join("sweep.csv"));
    let pv = column(&h, "present_value_mean");
    let mean = column(&h, "mean");
    let values: Vec<f64> = rows.iter().map(|r| r[pv].parse().unwrap()).collect();
    assert_eq!(rows[0][pv], rows[0][mean], "d = 0: the cash itself");
    assert!(values[0] > values[1] && values[1] > values[2], "{values:?}");
}

#[test]
fn present_value_reaches_the_trace_the_samples_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixed.toml");
    fs::write(
        &file,
        FIXED.replace(
            "discount_rate = 0.07",
            "discount_rate = 0.07\nrisk_aversion = 1\nwealth = 50_000",
        ),
    )
    .unwrap();
    let v = |m: u32| 1.07f64.powf(-f64::from(m) / 12.0);
    let year1 = 12_000.0 * v(1) + (1..=12).map(|m| 10_000.0 * v(m)).sum::<f64>() + 12_000.0 * v(12);
    let cents = format!("{:.2}", year1);
    let trace = tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&trace.stdout);
    let grouped = tcsim::report::summary::dollars(year1.trunc());
    assert!(
        text.contains(&format!(
            "present value {grouped}.{}",
            &cents[cents.len() - 2..]
        )),
        "{text}"
    );
    assert!(
        text.contains("discounted at 7% a year to month 0"),
        "{text}"
    );
    let csv_trace = tcsim()
        .arg("trace")
        .arg(&file)
        .args(["--run", "0", "--csv"])
        .output()
        .unwrap();
    let csv_text = String::from_utf8_lossy(&csv_trace.stdout);
    assert!(
        csv_text.contains(&format!("s,1,,present_value,,,,{cents}")),
        "{csv_text}"
    );
    let out = dir.path().join("out");
    let run = tcsim()
        .arg("run")
        .arg(&file)
        .args(["--samples", "--format", "json"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(
        summary.contains("ranked by the certainty equivalent"),
        "{summary}"
    );
    assert!(summary.contains("present value"), "{summary}");
    let samples = fs::read_to_string(out.join("samples.csv")).unwrap();
    let header = samples.lines().next().unwrap();
    assert!(header.ends_with(",present_value"), "{header}");
    assert!(
        samples.lines().nth(1).unwrap().ends_with(&cents),
        "{samples}"
    );
    // JSON: the decision table as decision.json, the measure in percentiles.json.
    let decision = fs::read_to_string(out.join("decision.json")).unwrap();
    assert!(decision.contains("\"certainty_equivalent\""), "{decision}");
    let percentiles = fs::read_to_string(out.join("percentiles.json")).unwrap();
    assert!(percentiles.contains("\"present_value\""));
}

#[test]
fn solving_on_a_decision_key_says_the_target_does_not_move_with_it() {
    // The targets are differences of cash; risk aversion, wealth and the
    // discount rate change none of them, so no range brackets a target
    // the ends do not already meet, and solve says so (exit 2).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ce.toml");
    let text = EQUITY.replace(
        "discount_rate = 0.05",
        "discount_rate = 0.05\nrisk_aversion = 2\nwealth = 100_000",
    );
    fs::write(&file, text).unwrap();
    for key in [
        "simulation.risk_aversion",
        "simulation.wealth",
        "simulation.discount_rate",
    ] {
        let out = tcsim()
            .arg("solve")
            .arg(&file)
            .args([
                "--vary",
                key,
                "--target",
                "mean_diff=0",
                "--strategy",
                "rsu",
                "--quiet",
            ])
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not reached between"), "{key}: {err}");
    }
}
