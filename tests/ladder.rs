//! The ladder and the market (model.md section 11, with the readings of
//! section 15), through the engine's own rows:
//! - deterministic, to the cent: `promotion_rate = 1` promotes at every
//!   eligible anniversary, zero volatility fixes the share price, no merit
//!   raise;
//! - statistical, against closed forms with tolerances of 4.5 standard
//!   errors derived from the run count (the formula beside each): the split
//!   lognormal market base and the split normal `base_raise` at their three
//!   points, and the promotion timing `P(level >= 2 in year y) = 1 - (1 -
//!   r)^(y - 1)`;
//! - a property: the level never decreases within a stint and never
//!   exceeds the ladder's top.

mod common;

use common::norm_pdf;
use proptest::prelude::*;
use tcsim::engine::{Engine, Measure, World};
use tcsim::model::Scenario;
use tcsim::stats::percentile_inc;

/// Tolerance in standard errors of the estimator.
const SIGMAS: f64 = 4.5;

/// `z_0.9`: p10 and p90 of the split laws sit at `median -/+ z_0.9 sigma`.
const Z90: f64 = 1.281_551_565_544_600_4;

/// `got` equals `want` to the cent.
fn assert_cents(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() < 0.005,
        "{what}: got {got:.4}, want {want:.4}"
    );
}

/// Every run's row of `s`.
fn rows(s: &Scenario) -> Vec<Vec<f64>> {
    let engine = Engine::new(s);
    let width = engine.layout().width();
    let mut world = World::new(s);
    (0..s.sim.runs)
        .map(|i| {
            let mut row = vec![f64::NAN; width];
            engine.run_into(i, &mut world, &mut row);
            row
        })
        .collect()
}

fn strategy(s: &Scenario, name: &str) -> usize {
    s.strategies
        .iter()
        .position(|x| x.name == name)
        .unwrap_or_else(|| panic!("strategy {name}"))
}

/// `measure` of strategy `name` in 1-based `year`, in every run.
fn column(s: &Scenario, rows: &[Vec<f64>], name: &str, year: usize, m: Measure) -> Vec<f64> {
    let l = Engine::new(s).layout().clone();
    let k = l.at(strategy(s, name), year - 1, m);
    rows.iter().map(|r| r[k]).collect()
}

// ---------------------------------------------------------------------------
// Deterministic: three levels, a promotion at every eligible anniversary.

const CLIMB: &str = r#"
[simulation]
years = 4
runs = 3
seed = 1

[companies.big]
type = "public"
share_price = 100.0
drift = 0.0
volatility = 0.0

[ladders.eng]
levels = ["L1", "L2", "L3"]
base = [100_000, 150_000, 160_000]
bonus_target = [0.10, 0.15, 0.20]
refresh = [10_000, 20_000, 40_000]
promotion_rate = [1.0, 1.0, 0.0]
min_years = [1, 1, 1]
promotion_grant = [0, 50_000, 80_000]
promotion_raise = 0.10

[jobs.climb]
company = "big"
ladder = "eng"
level = "L1"
pay_factor = 0.9

[jobs.next]
company = "big"
ladder = "eng"
level = "+1"

[strategies.climb]
path = [{ job = "climb" }]

[strategies.switch]
path = [{ job = "climb", months = 24 }, { job = "next" }]
"#;

#[test]
fn a_certain_promotion_moves_base_bonus_refreshers_and_grants_through_three_levels_to_the_cent() {
    let s = common::scenario(CLIMB);
    let r = rows(&s);
    // Year 1 at L1: base 100,000 x 0.9. Month 12: L2 at max(90,000 x 1.1,
    // 150,000 x 0.9) = 135,000. Month 24: L3 at max(135,000 x 1.1, 160,000
    // x 0.9) = 148,500. L3 is the top: no more promotions.
    let base = [90_000.0, 135_000.0, 148_500.0, 148_500.0];
    // The bonus target of the level held during the year.
    let bonus = [
        9_000.0,
        135_000.0 * 0.15,
        148_500.0 * 0.20,
        148_500.0 * 0.20,
    ];
    let level = [1.0, 2.0, 3.0, 3.0];
    // Refreshers at months 12, 24, 36 valued at the level after that
    // anniversary's promotion (L2, L3, L3) x 0.9: 18,000, 36,000, 36,000;
    // promotion grants at 12 (L2: 45,000) and 24 (L3: 72,000). No RSU grant
    // and no refresh table: 25/25/25/25 quarterly without a cliff, 1/16 a
    // quarter, at a flat $100.
    let at12 = 18_000.0 + 45_000.0;
    let at24 = 36_000.0 + 72_000.0;
    let at36 = 36_000.0;
    let rsu = [
        0.0,
        at12 / 4.0,
        at12 / 4.0 + at24 / 4.0,
        at12 / 4.0 + at24 / 4.0 + at36 / 4.0,
    ];
    for y in 1..=4 {
        for run in 0..3 {
            let at = |m| column(&s, &r, "climb", y, m)[run];
            assert_cents(&format!("year {y} base"), at(Measure::Base), base[y - 1]);
            assert_cents(&format!("year {y} bonus"), at(Measure::Bonus), bonus[y - 1]);
            assert_cents(&format!("year {y} rsu"), at(Measure::Rsu), rsu[y - 1]);
            assert_eq!(at(Measure::Level), level[y - 1], "year {y} level");
        }
    }
}

#[test]
fn plus_one_after_a_switch_starts_one_level_above_the_last_one_at_the_new_band() {
    let s = common::scenario(CLIMB);
    let r = rows(&s);
    // Two years at `climb`: promoted to L2 at month 12; none at month 24,
    // the leaving month. `next` starts at "+1" = L3 at its band, 160,000
    // (pay_factor 1), and its L3 bonus target.
    let level = |y| column(&s, &r, "switch", y, Measure::Level)[0];
    assert_eq!(
        [level(1), level(2), level(3), level(4)],
        [1.0, 2.0, 3.0, 3.0]
    );
    let base = |y| column(&s, &r, "switch", y, Measure::Base)[0];
    assert_cents("year 2 base", base(2), 135_000.0);
    assert_cents("year 3 base", base(3), 160_000.0);
    assert_cents(
        "year 3 bonus",
        column(&s, &r, "switch", 3, Measure::Bonus)[0],
        160_000.0 * 0.20,
    );
}

#[test]
fn pay_factor_scales_every_ladder_figure_and_not_a_jobs_own_base() {
    let half = common::scenario(&CLIMB.replace("pay_factor = 0.9", "pay_factor = 0.45"));
    let full = common::scenario(CLIMB);
    let (rh, rf) = (rows(&half), rows(&full));
    for y in 1..=4 {
        for m in [Measure::Base, Measure::Bonus, Measure::Rsu] {
            let h = column(&half, &rh, "climb", y, m)[0];
            let f = column(&full, &rf, "climb", y, m)[0];
            // The promotion rule max(base (1 + raise), band) is linear in
            // the factor when both sides are scaled.
            assert_cents(&format!("year {y} {}", m.name()), 2.0 * h, f);
        }
    }
    // A job's own base is not scaled.
    let own =
        common::scenario(&CLIMB.replace("pay_factor = 0.9", "pay_factor = 0.45\nbase = 100_000"));
    let ro = rows(&own);
    assert_cents(
        "own base",
        column(&own, &ro, "climb", 1, Measure::Base)[0],
        100_000.0,
    );
}

// ---------------------------------------------------------------------------
// Cost of living.

#[test]
fn real_is_each_months_cash_over_its_parity_across_a_move() {
    // Seven months at 120,000 a year in a 1.2 parity city, then 96,000 a
    // year at a 0.8 parity: year 1 real = 70,000 / 1.2 + 40,000 / 0.8.
    let text = r#"
[simulation]
years = 2
runs = 2
seed = 3

[jobs.city]
base = 120_000
price_parity = 1.2

[jobs.remote]
base = 96_000
price_parity = 0.8

[strategies.move]
path = [{ job = "city", months = 7 }, { job = "remote" }]
"#;
    let s = common::scenario(text);
    let r = rows(&s);
    let y1 = 70_000.0 / 1.2 + 5.0 * 8_000.0 / 0.8;
    let y2 = 96_000.0 / 0.8;
    assert_cents(
        "year 1 total",
        column(&s, &r, "move", 1, Measure::Total)[0],
        110_000.0,
    );
    assert_cents(
        "year 1 real",
        column(&s, &r, "move", 1, Measure::Real)[0],
        y1,
    );
    assert_cents(
        "year 2 real",
        column(&s, &r, "move", 2, Measure::Real)[0],
        y2,
    );
    assert_cents(
        "real_cumulative",
        column(&s, &r, "move", 2, Measure::RealCumulative)[0],
        y1 + y2,
    );
}

// ---------------------------------------------------------------------------
// Statistical.

/// `(p10, p50, p90)` of the sample.
fn three(v: &[f64]) -> [f64; 3] {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    [0.1, 0.5, 0.9].map(|p| percentile_inc(&v, p))
}

#[test]
fn a_market_base_has_the_given_p10_p50_p90() {
    let (p10, p50, p90): (f64, f64, f64) = (160_000.0, 200_000.0, 260_000.0);
    let runs = 40_000;
    let text = format!(
        "[simulation]\nyears = 1\nruns = {runs}\nseed = 11\n\n[jobs.offer]\nbase = {{ p10 = {p10}, p50 = {p50}, p90 = {p90} }}\n\n[strategies.offer]\npath = [{{ job = \"offer\" }}]\n"
    );
    let s = common::scenario(&text);
    let r = rows(&s);
    let got = three(&column(&s, &r, "offer", 1, Measure::Base));
    // ln B is normal with sigma_lo = ln(p50/p10)/z_0.9 below the median and
    // sigma_hi = ln(p90/p50)/z_0.9 above: the density of B at a point x of
    // the lower side is phi(z)/(x sigma_lo). The sample p-quantile's SE is
    // sqrt(p(1-p)/n)/f(q_p); at the median the density jumps, so the lower
    // of its two sides' densities (the larger SE) is used.
    let (s_lo, s_hi) = ((p50 / p10).ln() / Z90, (p90 / p50).ln() / Z90);
    let n = runs as f64;
    let se =
        |p: f64, x: f64, sigma: f64, z: f64| (p * (1.0 - p) / n).sqrt() * x * sigma / norm_pdf(z);
    let want = [
        (p10, se(0.1, p10, s_lo, Z90)),
        (p50, se(0.5, p50, s_lo.max(s_hi), 0.0)),
        (p90, se(0.9, p90, s_hi, Z90)),
    ];
    for (g, (w, e)) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= SIGMAS * e,
            "quantile {g:.2} vs {w:.2} (SE {e:.2})"
        );
    }
}

#[test]
fn a_market_base_with_equal_points_is_exact() {
    let text = "[simulation]\nyears = 1\nruns = 50\nseed = 2\n\n[jobs.offer]\nbase = { p10 = 180_000, p50 = 180_000, p90 = 180_000 }\n\n[strategies.offer]\npath = [{ job = \"offer\" }]\n";
    let s = common::scenario(text);
    let r = rows(&s);
    for b in column(&s, &r, "offer", 1, Measure::Base) {
        assert_eq!(b, 180_000.0);
    }
}

#[test]
fn a_market_base_raise_has_the_given_p10_p50_p90() {
    let (p10, p50, p90): (f64, f64, f64) = (0.05, 0.12, 0.30);
    let runs = 40_000;
    let text = format!(
        "[simulation]\nyears = 2\nruns = {runs}\nseed = 12\n\n[jobs.now]\nbase = 100_000\n\n[jobs.hop]\nbase_raise = {{ p10 = {p10}, p50 = {p50}, p90 = {p90} }}\n\n[strategies.hop]\npath = [{{ job = \"now\", months = 12 }}, {{ job = \"hop\" }}]\n"
    );
    let s = common::scenario(&text);
    let r = rows(&s);
    let raises: Vec<f64> = column(&s, &r, "hop", 2, Measure::Base)
        .iter()
        .map(|b| b / 100_000.0 - 1.0)
        .collect();
    let got = three(&raises);
    // The split normal: sigma_lo = (p50 - p10)/z_0.9, sigma_hi = (p90 -
    // p50)/z_0.9; the density at p10 is phi(z_0.9)/sigma_lo.
    let (s_lo, s_hi) = ((p50 - p10) / Z90, (p90 - p50) / Z90);
    let n = runs as f64;
    let se = |p: f64, sigma: f64, z: f64| (p * (1.0 - p) / n).sqrt() * sigma / norm_pdf(z);
    let want = [
        (p10, se(0.1, s_lo, Z90)),
        (p50, se(0.5, s_lo.max(s_hi), 0.0)),
        (p90, se(0.9, s_hi, Z90)),
    ];
    for (g, (w, e)) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= SIGMAS * e,
            "raise quantile {g:.5} vs {w:.5} (SE {e:.5})"
        );
    }
}

fn timing(rate: f64, min_years: u32, runs: u64) -> String {
    format!(
        r#"
[simulation]
years = 6
runs = {runs}
seed = 21

[ladders.two]
levels = ["junior", "senior"]
base = [100_000, 130_000]
bonus_target = [0.0, 0.0]
refresh = [0, 0]
promotion_rate = [{rate}, 0.0]
min_years = [{min_years}, 0]
promotion_grant = [0, 0]

[jobs.climb]
ladder = "two"
level = "junior"

[strategies.climb]
path = [{{ job = "climb" }}]
"#
    )
}

#[test]
fn with_rate_r_and_one_year_in_level_the_level_is_at_least_2_in_year_y_with_probability_1_minus_1_minus_r_to_the_y_minus_1()
 {
    let (rate, runs) = (0.3, 20_000u64);
    let s = common::scenario(&timing(rate, 1, runs));
    let r = rows(&s);
    let n = runs as f64;
    for y in 1..=6 {
        let up = column(&s, &r, "climb", y, Measure::Level)
            .iter()
            .filter(|&&l| l >= 2.0)
            .count() as f64
            / n;
        let p = 1.0 - (1.0 - rate).powi(y as i32 - 1);
        // A share's SE: sqrt(p (1 - p) / n); exact 0 in year 1.
        let se = (p * (1.0 - p) / n).sqrt();
        assert!(
            (up - p).abs() <= SIGMAS * se + 1e-12,
            "year {y}: {up:.4} vs {p:.4} (SE {se:.4})"
        );
    }
}

#[test]
fn with_two_years_in_level_the_first_promotion_never_comes_before_year_3() {
    let (rate, runs) = (0.5, 4_000u64);
    let s = common::scenario(&timing(rate, 2, runs));
    let r = rows(&s);
    for y in 1..=2 {
        assert!(
            column(&s, &r, "climb", y, Measure::Level)
                .iter()
                .all(|&l| l == 1.0),
            "year {y}"
        );
    }
    // The anniversary closing year 2 is the first eligible one.
    let up3 = column(&s, &r, "climb", 3, Measure::Level)
        .iter()
        .filter(|&&l| l == 2.0)
        .count() as f64
        / runs as f64;
    let se = (rate * (1.0 - rate) / runs as f64).sqrt();
    assert!((up3 - rate).abs() <= SIGMAS * se, "year 3: {up3}");
}

// ---------------------------------------------------------------------------
// A property.

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// The level never decreases within a stint and never exceeds the top;
    /// it starts each stint where the stint's `level` says.
    #[test]
    fn the_level_never_decreases_within_a_stint_nor_exceeds_the_top(
        rates in prop::collection::vec(0.0..=1.0f64, 4),
        min_years in prop::collection::vec(0u32..3, 4),
        months in 6u32..40,
        seed in 0u64..1000,
    ) {
        let text = format!(
            r#"
[simulation]
years = 8
runs = 40
seed = {seed}

[ladders.l]
levels = ["a", "b", "c", "d"]
base = [100_000, 120_000, 150_000, 190_000]
bonus_target = [0.0, 0.0, 0.0, 0.0]
refresh = [0, 0, 0, 0]
promotion_rate = [{}, {}, {}, {}]
min_years = [{}, {}, {}, {}]
promotion_grant = [0, 0, 0, 0]
promotion_raise = 0.05

[jobs.first]
ladder = "l"
level = "a"

[jobs.second]
ladder = "l"
level = "+1"

[strategies.stay]
path = [{{ job = "first" }}]

[strategies.hop]
path = [{{ job = "first", months = {months} }}, {{ job = "second" }}]
"#,
            rates[0], rates[1], rates[2], rates[3], min_years[0], min_years[1], min_years[2], min_years[3]
        );
        let s = common::scenario(&text);
        let r = rows(&s);
        for name in ["stay", "hop"] {
            for run in 0..r.len() {
                let mut last = 0.0;
                for y in 1..=8 {
                    let l = column(&s, &r, name, y, Measure::Level)[run];
                    prop_assert!((1.0..=4.0).contains(&l), "{} year {}: {}", name, y, l);
                    // Within the stay strategy's one stint, and within each
                    // of hop's (a switch to "+1" only goes up).
                    prop_assert!(l >= last, "{} year {}: {} after {}", name, y, l, last);
                    last = l;
                }
            }
        }
    }
}

#[test]
fn with_tax_real_takes_the_years_tax_at_its_cash_weighted_parity() {
    // The move above, taxed in Texas: each month's cash less its share of
    // the year's tax (the year's average rate), over its month's parity.
    let text = r#"
[simulation]
years = 1
runs = 2
seed = 3

[tax]
state = "TX"

[jobs.city]
base = 120_000
price_parity = 1.2

[jobs.remote]
base = 96_000
price_parity = 0.8

[strategies.move]
path = [{ job = "city", months = 7 }, { job = "remote" }]
"#;
    let s = common::scenario(text);
    let r = rows(&s);
    let total = column(&s, &r, "move", 1, Measure::Total)[0];
    let tax = column(&s, &r, "move", 1, Measure::Tax)[0];
    assert!(tax > 0.0);
    let keep = 1.0 - tax / total;
    let want = keep * (70_000.0 / 1.2 + 40_000.0 / 0.8);
    assert_cents("real", column(&s, &r, "move", 1, Measure::Real)[0], want);
}

#[test]
fn with_tax_real_weighs_the_tax_by_the_years_positive_cash_so_a_clawback_cannot_push_it_outside_the_parities()
 {
    // Year 2: one month at a 1.25 parity with a sign-on clawback (-45,833)
    // in it, then eleven at 0.8. The tax's weight is the parity the year's
    // positive cash was earned at, (10,000 / 1.25 + 88,000 / 0.8) / 98,000,
    // inside [1 / 1.25, 1 / 0.8]; the whole year's cash over its whole total
    // would weigh it 1.56, outside.
    let file = |tax: &str| {
        format!(
            r#"
[simulation]
years = 2
runs = 2
seed = 3
{tax}
[jobs.city]
base = 120_000
sign_on = [100_000]
sign_on_clawback_months = 24
price_parity = 1.25

[jobs.remote]
base = 96_000
price_parity = 0.8

[strategies.move]
path = [{{ job = "city", months = 13 }}, {{ job = "remote" }}]
"#
        )
    };
    let taxed = common::scenario(&file("[tax]\nstate = \"TX\"\n"));
    let plain = common::scenario(&file(""));
    let (rt, rp) = (rows(&taxed), rows(&plain));
    let before = column(&plain, &rp, "move", 2, Measure::Real)[0];
    let after = column(&taxed, &rt, "move", 2, Measure::Real)[0];
    let tax = column(&taxed, &rt, "move", 2, Measure::Tax)[0];
    assert!(tax > 0.0);
    let w = (before - after) / tax;
    let want = (10_000.0 / 1.25 + 88_000.0 / 0.8) / 98_000.0;
    assert!((w - want).abs() < 1e-9, "weight {w} vs {want}");
    assert!((1.0 / 1.25..=1.0 / 0.8).contains(&w));
}
