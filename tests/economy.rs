//! One economy (model.md section 8, with the readings of section 15): a
//! market every company may move with, bonuses linked to results, layoffs,
//! failures that end the stint, cash-only jobs and stints in months.
//!
//! Three kinds of checks, all with fixed seeds:
//! - statistical, against closed forms, with tolerances of 4.5 standard
//!   errors of the estimator derived from the run count in the code (the
//!   formula is written next to each), never tuned: a correct engine fails
//!   about once in 150,000 checks and a wrong one fails for good;
//! - deterministic, to the cent: `rate = 1` makes the monthly layoff
//!   probability `1 - (1 - 1)^(1/12) = 1`, so the layoff comes in the stint's
//!   first month; `failure_rate = 1` with `exit_rate = 0` does the same for a
//!   failure (a scheduled `exit_month` is an exit, never a failure);
//! - per world, on the rows `Engine::run_into` writes (the values behind the
//!   percentiles): common random numbers, streams, and the layoff rules
//!   checked to the cent in every world given that world's layoff month.

mod common;

use std::fs;
use std::sync::OnceLock;

use common::{assert_cents, norm_cdf, norm_pdf, norm_quantile, run_ok, series, simulate, tempdir};
use proptest::prelude::*;
use tcsim::engine::{Engine, Layout, Measure, World};
use tcsim::model::Scenario;
use tcsim::stats::percentile_inc;

/// Tolerance in standard errors of the estimator.
const SIGMAS: f64 = 4.5;

/// Runs of the statistical tests: enough for a 4.5-se band that separates
/// the rule from its plausible misreadings (checked in the tests that say
/// so), few enough for a debug build.
const RUNS: u64 = 40_000;

/// Probabilities of the quantiles checked.
const PROBS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

// ---------------------------------------------------------------------------
// Per-world values.

/// Every run's row of a scenario, written by `Engine::run_into`: the values
/// the percentiles and `samples.csv` are made of, for every measure.
struct Worlds {
    s: Scenario,
    layout: Layout,
    rows: Vec<Vec<f64>>,
}

impl Worlds {
    fn of(text: &str) -> Worlds {
        let s = common::scenario(text);
        let engine = Engine::new(&s);
        let layout = engine.layout().clone();
        let mut world = World::new(&s);
        let rows = (0..s.sim.runs)
            .map(|i| {
                let mut row = vec![f64::NAN; layout.width()];
                engine.run_into(i, &mut world, &mut row);
                row
            })
            .collect();
        Worlds { s, layout, rows }
    }

    /// The worlds of `text`, computed once per test binary and shared by the
    /// tests that read them.
    fn shared(cell: &'static OnceLock<Worlds>, text: &str) -> &'static Worlds {
        cell.get_or_init(|| Worlds::of(text))
    }

    fn runs(&self) -> usize {
        self.rows.len()
    }

    /// Whether the outputs report the measure named `name`.
    fn reports(&self, name: &str) -> bool {
        self.layout.measures().iter().any(|m| m.name() == name)
    }

    fn measure(&self, name: &str) -> Measure {
        *self
            .layout
            .measures()
            .iter()
            .find(|m| m.name() == name)
            .unwrap_or_else(|| panic!("measure {name} is not reported"))
    }

    fn strategy(&self, name: &str) -> usize {
        self.s
            .strategies
            .iter()
            .position(|x| x.name == name)
            .unwrap_or_else(|| panic!("strategy {name} exists"))
    }

    /// Index in a row of `measure` of `strategy` in 1-based `year`.
    fn index(&self, strategy: &str, year: usize, measure: &str) -> usize {
        self.layout
            .at(self.strategy(strategy), year - 1, self.measure(measure))
    }

    /// `measure` of `strategy` in 1-based `year`, in every world.
    fn column(&self, strategy: &str, year: usize, measure: &str) -> Vec<f64> {
        let k = self.index(strategy, year, measure);
        self.rows.iter().map(|r| r[k]).collect()
    }

    /// `measure` of `strategy` summed over every year, in every world.
    fn sum_over_years(&self, strategy: &str, measure: &str) -> Vec<f64> {
        let years = self.s.sim.years as usize;
        let ks: Vec<usize> = (1..=years)
            .map(|y| self.index(strategy, y, measure))
            .collect();
        self.rows
            .iter()
            .map(|r| ks.iter().map(|&k| r[k]).sum())
            .collect()
    }
}

/// The linear-interpolation sample quantile (PERCENTILE.INC), as the
/// outputs compute it.
fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    percentile_inc(&v, p)
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Pearson's sample correlation.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// The sample correlation of `x` and `y` (jointly normal) is `rho` within
/// 4.5 standard errors on Fisher's scale: `atanh(r)` is close to normal with
/// mean `atanh(rho)` and standard error `1 / sqrt(n - 3)` (Fisher 1921).
fn assert_correlation(x: &[f64], y: &[f64], rho: f64, what: &str) {
    let n = x.len() as f64;
    let r = correlation(x, y);
    let se = 1.0 / (n - 3.0).sqrt();
    let err = (r.atanh() - rho.atanh()).abs();
    assert!(
        err < SIGMAS * se,
        "{what}: sample correlation {r}, want {rho} (|atanh r - atanh rho| = {err} > {} = {SIGMAS} se)",
        SIGMAS * se
    );
}

/// `values` are draws of `scale * exp(m + s Z)`: their sample quantiles are
/// `scale exp(m + s z_p)` within 4.5 standard errors of a sample quantile,
/// `sqrt(p (1 - p) / n) / f(x_p)` with the lognormal density
/// `f(x) = phi(z) / (x s)`; their mean is `scale exp(m + s^2 / 2)` within 4.5
/// standard errors of a mean, `sd / sqrt(n)` with the lognormal's
/// `sd = mean sqrt(exp(s^2) - 1)`.
fn assert_lognormal(values: &[f64], scale: f64, m: f64, s: f64, what: &str) {
    let n = values.len() as f64;
    for p in PROBS {
        let z = norm_quantile(p);
        let x = scale * (m + s * z).exp();
        let density = norm_pdf(z) / (x * s);
        let se = (p * (1.0 - p) / n).sqrt() / density;
        let got = quantile(values, p);
        assert!(
            (got - x).abs() < SIGMAS * se,
            "{what}: p{} {got}, want {x} (|err| {} > {} = {SIGMAS} se)",
            100.0 * p,
            (got - x).abs(),
            SIGMAS * se
        );
    }
    let want = scale * (m + 0.5 * s * s).exp();
    let se = want * ((s * s).exp() - 1.0).sqrt() / n.sqrt();
    let got = mean(values);
    assert!(
        (got - want).abs() < SIGMAS * se,
        "{what}: mean {got}, want {want} (se {se})"
    );
}

/// The binomial standard error of a share `p` estimated from `n` worlds:
/// `sqrt(p (1 - p) / n)`.
fn binomial_se(p: f64, n: usize) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}

// ---------------------------------------------------------------------------
// The market: marginals unchanged, correlations as constructed.

/// `[market]` with drift 0.07 and volatility 0.16; public companies `a`
/// (market_correlation 0.7), `b` (0.6) and `c` (0); a private company whose
/// exit multiple is coupled to the market (0.5), exiting by acquisition in
/// month 12 of every world. Strategies hold one unit vesting at month 36
/// (`va`, `vb`, `vc`: the rsu measure of year 3 is `S(36)`), one unit of `a`
/// vesting at month 12 (`va12`), a cash-only job whose bonus is linked to
/// the market (`index`: bonus of year 1 = 10,000 M(12)), and a fully vested
/// double-trigger unit of the private company (`holder`: rsu of year 1 =
/// the exit's common price per share).
const MARKET: &str = r#"
[simulation]
years = 3
runs = 40000
seed = 41

[market]
drift = 0.07
volatility = 0.16

[companies.a]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.35
market_correlation = 0.7

[companies.b]
type = "public"
share_price = 40.0
drift = 0.09
volatility = 0.45
market_correlation = 0.6

[companies.c]
type = "public"
share_price = 20.0
drift = 0.08
volatility = 0.30
market_correlation = 0.0

[companies.rocket]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 12
ipo_fraction = 0.0
exit_multiple = { median = 1.5, sigma = 0.8 }
market_correlation = 0.5

[jobs.va]
company = "a"
base = 0

[[jobs.va.grants]]
kind = "rsu"
units = 1
vesting = [0, 0, 100]
frequency = "annual"

[jobs.vb]
company = "b"
base = 0

[[jobs.vb.grants]]
kind = "rsu"
units = 1
vesting = [0, 0, 100]
frequency = "annual"

[jobs.vc]
company = "c"
base = 0

[[jobs.vc.grants]]
kind = "rsu"
units = 1
vesting = [0, 0, 100]
frequency = "annual"

[jobs.va12]
company = "a"
base = 0

[[jobs.va12.grants]]
kind = "rsu"
units = 1
vesting = [100]
frequency = "annual"

[jobs.index]
base = 100_000
bonus = { target = 0.1, sd = 0.0, company_link = 1.0, max = 20.0 }

[jobs.holder]
company = "rocket"
base = 0

[[jobs.holder.grants]]
kind = "rsu"
units = 1
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[strategies.va]
path = [{ job = "va" }]

[strategies.vb]
path = [{ job = "vb" }]

[strategies.vc]
path = [{ job = "vc" }]

[strategies.va12]
path = [{ job = "va12" }]

[strategies.index]
path = [{ job = "index" }]

[strategies.holder]
path = [{ job = "holder" }]
"#;

static MARKET_WORLDS: OnceLock<Worlds> = OnceLock::new();

#[test]
fn a_market_leaves_a_correlated_companys_single_vest_lognormal() {
    // model.md section 8: each marginal law is unchanged, so the v1 closed
    // form holds for market_correlation 0.7: S(T) = S0 exp((mu - s^2/2) T +
    // s sqrt(T) Z), quantiles S0 exp((mu - s^2/2) T + s sqrt(T) z_q), mean
    // S0 e^(mu T).
    let w = Worlds::shared(&MARKET_WORLDS, MARKET);
    assert_eq!(w.runs() as u64, RUNS);
    let t: f64 = 3.0;
    let (s0, mu, vol) = (100.0, 0.08, 0.35);
    let price = w.column("va", 3, "rsu");
    assert_lognormal(
        &price,
        s0,
        (mu - 0.5 * vol * vol) * t,
        vol * t.sqrt(),
        "a (market_correlation 0.7): S(36)",
    );
    // And the percentiles the outputs report are those same sample quantiles.
    let (s, r) = simulate(MARKET);
    let got = series(&s, &r, "va", 3, "rsu");
    for (i, &p) in s.sim.percentiles.iter().enumerate() {
        assert_eq!(got.quantiles[i], quantile(&price, p / 100.0), "p{p}");
    }
    // Nothing vests before month 36.
    assert!(w.column("va", 2, "rsu").iter().all(|&x| x == 0.0));
}

#[test]
fn log_prices_correlate_as_the_product_of_their_market_correlations() {
    // corr(ln S_a(T), ln S_b(T)) = rho_a rho_b (model.md section 8): each
    // step's shock is rho Z_m + sqrt(1 - rho^2) Z with the same market Z_m and
    // independent Z, so cov = s_a s_b rho_a rho_b T and each variance s^2 T.
    let w = Worlds::shared(&MARKET_WORLDS, MARKET);
    let ln = |v: Vec<f64>| v.into_iter().map(f64::ln).collect::<Vec<_>>();
    let (a, b, c) = (
        ln(w.column("va", 3, "rsu")),
        ln(w.column("vb", 3, "rsu")),
        ln(w.column("vc", 3, "rsu")),
    );
    assert_correlation(&a, &b, 0.7 * 0.6, "ln S_a(36), ln S_b(36)");
    assert_correlation(&a, &c, 0.0, "ln S_a(36), ln S_c(36) (c uncorrelated)");
    assert_correlation(&b, &c, 0.0, "ln S_b(36), ln S_c(36) (c uncorrelated)");
    // b's marginal is unchanged too.
    let t: f64 = 3.0;
    assert_lognormal(
        &w.column("vb", 3, "rsu"),
        40.0,
        (0.09 - 0.5 * 0.45 * 0.45) * t,
        0.45 * t.sqrt(),
        "b (market_correlation 0.6): S(36)",
    );
}

#[test]
fn a_cash_only_jobs_company_link_follows_the_markets_yearly_ratio() {
    // model.md section 15: R is the market's ratio over the 12 months ending
    // at the bonus month for a cash-only job. sd = 0, so the year-1 bonus is
    // base * target * clamp(M(12) / M(0), 0, 20) = 10,000 M(12), lognormal
    // with (drift - vol^2/2, vol); max 20 is 18 standard deviations away.
    let w = Worlds::shared(&MARKET_WORLDS, MARKET);
    let (d, v) = (0.07, 0.16);
    let bonus1 = w.column("index", 1, "bonus");
    assert_lognormal(&bonus1, 10_000.0, d - 0.5 * v * v, v, "bonus of year 1");
    // Year 2's bonus uses M(24)/M(12): the same law, independent of year 1.
    let bonus2 = w.column("index", 2, "bonus");
    assert_lognormal(&bonus2, 10_000.0, d - 0.5 * v * v, v, "bonus of year 2");
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    assert_correlation(
        &ln(&bonus1),
        &ln(&bonus2),
        0.0,
        "ln R(year 1), ln R(year 2)",
    );
    // corr(ln S(T), ln M(T)) = rho (model.md section 8), at T = 1 year.
    let a12 = ln(&w.column("va12", 1, "rsu"));
    assert_correlation(&a12, &ln(&bonus1), 0.7, "ln S_a(12), ln M(12)");
}

#[test]
fn a_private_exit_multiple_correlates_with_the_market_return_to_the_exit_month() {
    // model.md section 8: the multiple is median exp(sigma (rho W +
    // sqrt(1 - rho^2) Z)), W the market's standardised log return from month
    // 0 to the exit month; its marginal is unchanged. No preference, no
    // dilution, an acquisition: common gets V / N = 10 x multiple a share,
    // paid on the vested unit in month 12. ln M(12) is ln(bonus / 10,000) of
    // the `index` strategy, so corr(ln payoff, ln M(12)) = rho = 0.5.
    let w = Worlds::shared(&MARKET_WORLDS, MARKET);
    let payoff = w.column("holder", 1, "rsu");
    assert_lognormal(&payoff, 10.0 * 1.5, 0.0, 0.8, "common price at the exit");
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    let market = ln(&w.column("index", 1, "bonus"));
    assert_correlation(&ln(&payoff), &market, 0.5, "ln multiple, ln M(12)");
}

// ---------------------------------------------------------------------------
// Linked and lognormal bonuses.

/// A public company (no market) and a job whose bonus is linked to its
/// share price with `sd = 0` and bounds [0.75, 1.5].
const LINKED: &str = r#"
[simulation]
years = 2
runs = 40000
seed = 43

[companies.co]
type = "public"
share_price = 50.0
drift = 0.08
volatility = 0.35

[jobs.j]
company = "co"
base = 100_000
bonus = { target = 0.2, sd = 0.0, company_link = 1.0, min = 0.75, max = 1.5 }

[strategies.s]
path = [{ job = "j" }]
"#;

#[test]
fn a_linked_bonus_is_base_times_target_times_the_clamped_yearly_price_ratio() {
    // model.md section 8: multiplier clamp((1 + sd z) R^k, min, max) with sd
    // = 0 and k = 1 is clamp(R, min, max), R = S(12y) / S(12(y - 1)) for a
    // company declared public (section 15), ln R ~ N(mu - s^2/2, s^2). The
    // clamp is monotone, so the q quantile of the bonus is
    // c clamp(exp(a + s z_q), lo, hi) exactly, c = base * target.
    let w = Worlds::of(LINKED);
    let n = w.runs();
    let (mu, s) = (0.08f64, 0.35f64);
    let a = mu - 0.5 * s * s;
    let (c, lo, hi) = (20_000.0, 0.75f64, 1.5f64);
    // Masses of the clamp: P(R <= lo) = N((ln lo - a) / s), P(R >= hi).
    let (u_lo, u_hi) = ((lo.ln() - a) / s, (hi.ln() - a) / s);
    let (p_lo, p_hi) = (norm_cdf(u_lo), 1.0 - norm_cdf(u_hi));
    // Every quantile checked sits clear of the clamp's atoms, by 4.5 binomial
    // standard errors of the atoms' masses, so its sample quantile falls on
    // the side its closed form says.
    let (m_lo, m_hi) = (SIGMAS * binomial_se(p_lo, n), SIGMAS * binomial_se(p_hi, n));
    for year in [1, 2] {
        let bonus = w.column("s", year, "bonus");
        for p in PROBS {
            assert!(
                (p - p_lo).abs() > m_lo && (p - (1.0 - p_hi)).abs() > m_hi,
                "p{p}"
            );
            let got = quantile(&bonus, p);
            if p < p_lo || p > 1.0 - p_hi {
                // Inside an atom of the clamp: exact to the cent.
                let want = c * if p < p_lo { lo } else { hi };
                assert!(
                    (got - want).abs() < 0.005,
                    "year {year} p{}: {got} want {want}",
                    100.0 * p
                );
            } else {
                // Sample quantile se sqrt(p (1 - p) / n) / f(x_p), the density
                // of c R at x being phi(z) / (x s).
                let z = norm_quantile(p);
                let x = c * (a + s * z).exp();
                let se = binomial_se(p, n) / (norm_pdf(z) / (x * s));
                assert!(
                    (got - x).abs() < SIGMAS * se,
                    "year {year} p{}: {got} want {x} (se {se})",
                    100.0 * p
                );
            }
        }
        // Mean of clamp(R, lo, hi): lo P(lo) + hi P(hi) + E[R; lo < R < hi],
        // E[R^j; lo < R < hi] = e^(j a + j^2 s^2 / 2) (N(u_hi - j s) - N(u_lo - j s));
        // its standard error sqrt(E[m^2] - E[m]^2) / sqrt(n).
        let partial = |j: f64| {
            (j * a + 0.5 * j * j * s * s).exp() * (norm_cdf(u_hi - j * s) - norm_cdf(u_lo - j * s))
        };
        let m1 = lo * p_lo + hi * p_hi + partial(1.0);
        let m2 = lo * lo * p_lo + hi * hi * p_hi + partial(2.0);
        let se = c * (m2 - m1 * m1).sqrt() / (n as f64).sqrt();
        let got = mean(&bonus);
        assert!(
            (got - c * m1).abs() < SIGMAS * se,
            "year {year} mean {got} want {} (se {se})",
            c * m1
        );
    }
    // The two years' ratios are independent, so are their clamped bonuses:
    // the sample correlation of independent variables with finite fourth
    // moments has standard error 1 / sqrt(n) to first order.
    let (b1, b2) = (w.column("s", 1, "bonus"), w.column("s", 2, "bonus"));
    let r = correlation(&b1, &b2);
    assert!(
        r.abs() < SIGMAS / (n as f64).sqrt(),
        "corr of the bonuses of years 1 and 2: {r}"
    );
}

/// A job with a lognormal bonus whose bounds do not bind (sd 0.5, so the
/// default upper bound 20 is 6.2 standard deviations of ln m away), and one
/// whose default bounds do bind (sd 1.5: P(m > 20) = 0.3 %).
const LOGNORMAL: &str = r#"
[simulation]
years = 1
runs = 40000
seed = 47

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.desk]
company = "co"
base = 200_000
bonus = { target = 0.5, sd = 0.5, distribution = "lognormal" }

[jobs.wild]
company = "co"
base = 200_000
bonus = { target = 0.5, sd = 1.5, distribution = "lognormal" }

[strategies.desk]
path = [{ job = "desk" }]

[strategies.wild]
path = [{ job = "wild" }]
"#;

static LOGNORMAL_WORLDS: OnceLock<Worlds> = OnceLock::new();

#[test]
fn a_lognormal_bonus_has_mean_base_times_target_when_its_bounds_do_not_bind() {
    // model.md section 8: "lognormal" replaces 1 + sd z by exp(sd z - sd^2/2),
    // mean 1: the bonus is c exp(-sd^2/2 + sd Z), c = base * target, with
    // quantiles c exp(sd z_q - sd^2/2) and mean c (the lognormal's standard
    // error c sqrt(e^(sd^2) - 1) / sqrt(n) in assert_lognormal). The clamp at
    // 20 removes P(Z > (ln 20 + sd^2/2) / sd) = N(-6.24) ~ 2e-10 of the mass.
    let w = Worlds::shared(&LOGNORMAL_WORLDS, LOGNORMAL);
    let sd = 0.5;
    assert!(norm_cdf(-((20f64).ln() + 0.5 * sd * sd) / sd) < 1e-9);
    assert_lognormal(
        &w.column("desk", 1, "bonus"),
        100_000.0,
        -0.5 * sd * sd,
        sd,
        "lognormal bonus (sd 0.5)",
    );
}

#[test]
fn a_lognormal_bonus_is_clamped_to_zero_and_twenty_by_default() {
    // Default bounds [0, 20] for "lognormal" (not v1's [0, 2]): with sd 1.5,
    // P(m >= 20) = N(-(ln 20 + 1.125) / 1.5) = 0.30 %, about 120 of the
    // 40,000 worlds (a binomial count at least 4.5 se away from 0), so the
    // largest bonus is exactly 20 c, and none is negative.
    let w = Worlds::shared(&LOGNORMAL_WORLDS, LOGNORMAL);
    let n = w.runs();
    let sd = 1.5f64;
    let p_top = norm_cdf(-((20f64).ln() + 0.5 * sd * sd) / sd);
    assert!(p_top - SIGMAS * binomial_se(p_top, n) > 0.0);
    let bonus = w.column("wild", 1, "bonus");
    let c = 100_000.0;
    let top = bonus.iter().cloned().fold(f64::MIN, f64::max);
    assert!((top - 20.0 * c).abs() < 0.005, "largest bonus {top}");
    assert!(bonus.iter().all(|&b| b >= 0.0));
    let at_top = bonus
        .iter()
        .filter(|&&b| (b - 20.0 * c).abs() < 0.005)
        .count();
    let share = at_top as f64 / n as f64;
    assert!(
        (share - p_top).abs() < SIGMAS * binomial_se(p_top, n),
        "share at the bound {share}, want {p_top}"
    );
}

// ---------------------------------------------------------------------------
// Layoff timing.

/// One job with a layoff table, holding 4,800 units of a $1 share (zero
/// volatility) vesting monthly over 48 months: 100 units a month, so the
/// rsu summed over the years is 100 x the last month vested, the layoff
/// month `T` (no continued vesting by default: the units left are forfeited).
/// Severance of one week of a 52,000 base ($1,000, no weeks per year)
/// marks a layoff in month 48 apart from none. `market` is a `[market]`
/// table or nothing, `k` its effect (left out without a market).
fn layoff_timing(rate: f64, market: &str, k: f64, seed: u64) -> String {
    let sensitivity = if market.is_empty() {
        String::new()
    } else {
        format!("market_sensitivity = {k:?}, ")
    };
    format!(
        r#"
[simulation]
years = 4
runs = {RUNS}
seed = {seed}
{market}

[companies.co]
type = "public"
share_price = 1.0
drift = 0.0
volatility = 0.0

[jobs.j]
company = "co"
base = 52_000
layoffs = {{ rate = {rate:?}, {sensitivity}severance_weeks = 1, weeks_per_year = 0 }}

[[jobs.j.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[strategies.s]
path = [{{ job = "j" }}]
"#
    )
}

/// Each world's layoff month (`None`: not laid off within the horizon),
/// read from the units vested and the severance paid.
fn layoff_months(w: &Worlds) -> Vec<Option<u32>> {
    let vested = w.sum_over_years("s", "rsu");
    let severance = w.sum_over_years("s", "severance");
    vested
        .iter()
        .zip(&severance)
        .map(|(&v, &sev)| {
            let months = (v / 100.0).round();
            assert!((v - 100.0 * months).abs() < 1e-6, "vested {v}");
            if sev == 0.0 {
                assert_eq!(months, 48.0, "no severance, but vesting stopped early");
                None
            } else {
                assert!((sev - 1_000.0).abs() < 0.005, "severance {sev}");
                Some(months as u32)
            }
        })
        .collect()
}

/// The empirical survival `P(T > m)` is `want(m)` within 4.5 binomial
/// standard errors `sqrt(S (1 - S) / n)` at every month `m` of the horizon.
fn assert_survival(months: &[Option<u32>], want: impl Fn(u32) -> f64, what: &str) {
    let n = months.len();
    for m in 1..=48 {
        let alive = months.iter().filter(|t| t.is_none_or(|t| t > m)).count();
        let got = alive as f64 / n as f64;
        let s = want(m);
        let se = binomial_se(s, n);
        assert!(
            (got - s).abs() < SIGMAS * se,
            "{what}: P(employed after {m} months) = {got}, want {s} (se {se})"
        );
    }
}

#[test]
fn without_a_market_survival_after_m_months_is_one_minus_rate_to_the_m_over_12() {
    // Monthly probability 1 - (1 - r)^(1/12), r = rate (L = 0 without
    // [market]): P(not laid off in months 1..m) = (1 - rate)^(m/12).
    let rate = 0.2;
    let w = Worlds::of(&layoff_timing(rate, "", 0.0, 51));
    let months = layoff_months(&w);
    assert_survival(
        &months,
        |m| (1.0 - rate).powf(f64::from(m) / 12.0),
        "no market",
    );
}

#[test]
fn the_layoff_rate_follows_the_trailing_12_month_market_return() {
    // With a zero-volatility market of drift d, ln M(t) = d t / 12 and the
    // window of section 15, L_t = ln M(t-1) - ln M(max(0, t-13)), is
    // d (t - 1) / 12 up to month 13 (a partial window) and d from month 13:
    // r_t = min(1, rate exp(-k L_t)), and P(T > m) = prod_{t <= m} (1 - r_t)^(1/12).
    let (rate, k, d) = (0.15, 3.0, -0.10);
    let market = "[market]\ndrift = -0.10\nvolatility = 0.0\n";
    let w = Worlds::of(&layoff_timing(rate, market, k, 53));
    let months = layoff_months(&w);
    let r = |t: u32| {
        let l = d * f64::from((t - 1).min(12)) / 12.0;
        (rate * (-k * l).exp()).min(1.0)
    };
    let survival = |m: u32| {
        (1..=m)
            .map(|t| (1.0 - r(t)).powf(1.0 / 12.0))
            .product::<f64>()
    };
    assert_survival(&months, survival, "zero-volatility market");
    // The band separates this rule from the two plausible misreadings: a
    // full window from month 1 (r = rate e^(-k d) throughout) and no market
    // effect (r = rate), at month 12 and at the horizon.
    let n = months.len();
    let full = |m: u32| (1.0 - (rate * (-k * d).exp()).min(1.0)).powf(f64::from(m) / 12.0);
    let flat = |m: u32| (1.0 - rate).powf(f64::from(m) / 12.0);
    for (m, other) in [(12, full(12)), (48, flat(48))] {
        let se = binomial_se(survival(m), n);
        assert!((survival(m) - other).abs() > 2.0 * SIGMAS * se, "month {m}");
    }
}

// ---------------------------------------------------------------------------
// Layoffs and failures, to the cent.

/// Share price at month `m` of a company at $10 with drift 0.06 and zero
/// volatility: `10 exp(0.06 m / 12)`.
fn p(m: u32) -> f64 {
    10.0 * (0.06 * f64::from(m) / 12.0).exp()
}

/// Layoffs with `rate = 1`: every layoff is in the stint's first month.
const LAYOFF: &str = r#"
[simulation]
years = 3
runs = 200
seed = 31

[companies.co]
type = "public"
share_price = 10.0
drift = 0.06
volatility = 0.0

[companies.cutco]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0
layoffs = { rate = 1.0, severance_weeks = 16, weeks_per_year = 2, vesting_months = 1, rehire_months = 4, rehire_pay = 0.9 }

[jobs.plain]
company = "co"
base = 60_000

[jobs.cut]
company = "co"
base = 120_000
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }
sign_on = [10_000, 5_000]
layoffs = { rate = 1.0, severance_weeks = 16, weeks_per_year = 2, vesting_months = 2, rehire_months = 4, rehire_pay = 0.9 }

[[jobs.cut.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.after]
company = "co"
base_raise = { min = 0.10, max = 0.10 }
bonus = { target = 0.10, sd = 0.0 }

[jobs.inherits]
company = "cutco"
base = 120_000

[jobs.own]
company = "cutco"
base = 120_000
layoffs = { rate = 1.0 }

[jobs.trader]
base = 240_000
layoffs = { rate = 1.0, severance_weeks = 4, rehire_months = 6 }

[strategies.safe]
path = [{ job = "plain" }]

[strategies.cut]
path = [{ job = "cut", years = 2 }, { job = "after" }]

[strategies.short-cut]
path = [{ job = "cut", months = 2 }, { job = "plain" }]

[strategies.inherits]
path = [{ job = "inherits" }]

[strategies.own]
path = [{ job = "own" }]

[strategies.trader]
path = [{ job = "trader" }]
"#;

#[test]
fn a_layoff_pays_severance_then_the_gap_then_rehire_pay_until_the_stints_planned_end() {
    let (s, r) = simulate(LAYOFF);
    // Laid off in month 1, the last month worked: its salary, 120,000 / 12.
    // Severance base / 52 x (16 + 2 x 0 whole years) in month 1. No pay in
    // months 2-5 (rehire_months 4), then 120,000 x 0.9 a year, accrued
    // monthly, in months 6-24: no raise, no bonus, no sign-on.
    let severance = 120_000.0 / 52.0 * 16.0;
    let rehire = 120_000.0 * 0.9;
    assert_cents(&s, &r, "cut", 1, "base", 10_000.0 + 7.0 * rehire / 12.0);
    assert_cents(&s, &r, "cut", 1, "base", 73_000.0);
    assert_cents(&s, &r, "cut", 1, "severance", severance);
    assert_cents(&s, &r, "cut", 1, "severance", 36_923.08);
    assert_cents(&s, &r, "cut", 1, "bonus", 0.0);
    // Sign-on y1 is paid in month 1, where the holder is still employed.
    assert_cents(&s, &r, "cut", 1, "sign_on", 10_000.0);
    assert_cents(&s, &r, "cut", 2, "base", rehire);
    assert_cents(&s, &r, "cut", 2, "bonus", 0.0);
    // y2 would be paid in month 13, inside the rehire period: not paid.
    assert_cents(&s, &r, "cut", 2, "sign_on", 0.0);
    // Severance is cash, part of total.
    let rsu1 = 100.0 * (p(1) + p(2) + p(3));
    assert_cents(
        &s,
        &r,
        "cut",
        1,
        "total",
        10_000.0 + 7.0 * rehire / 12.0 + severance + 10_000.0 + rsu1,
    );
    assert_cents(&s, &r, "cut", 2, "total", rehire);
}

#[test]
fn the_rehire_period_is_not_exposed_to_layoffs() {
    // rate = 1 would lay the holder off again in every month of months 6-24
    // if the rehire period were exposed: one layoff per stint.
    let (s, r) = simulate(LAYOFF);
    assert_cents(&s, &r, "cut", 2, "severance", 0.0);
    assert_cents(&s, &r, "cut", 2, "base", 108_000.0);
    assert_cents(&s, &r, "inherits", 2, "severance", 0.0);
    assert_cents(&s, &r, "inherits", 3, "severance", 0.0);
}

#[test]
fn the_path_goes_on_as_planned_after_the_stints_planned_end() {
    // The next stint starts at month 24 as planned; its base_raise applies to
    // the stint's last base, the rehire base 108,000 (section 15).
    let (s, r) = simulate(LAYOFF);
    assert_cents(&s, &r, "cut", 3, "base", 108_000.0 * 1.10);
    assert_cents(&s, &r, "cut", 3, "base", 118_800.0);
    assert_cents(&s, &r, "cut", 3, "bonus", 11_880.0);
    assert_cents(&s, &r, "cut", 3, "severance", 0.0);
    assert_cents(&s, &r, "cut", 3, "rsu", 0.0);
}

#[test]
fn continued_vesting_goes_on_for_vesting_months_then_unvested_units_are_forfeited() {
    // vesting_months = 2: the vests of months 1 (the layoff month), 2 and 3,
    // 100 units each at that month's price; everything later is forfeited.
    let (s, r) = simulate(LAYOFF);
    assert_cents(&s, &r, "cut", 1, "rsu", 100.0 * (p(1) + p(2) + p(3)));
    assert_cents(&s, &r, "cut", 2, "rsu", 0.0);
}

#[test]
fn continued_vesting_stops_at_the_stints_planned_end() {
    // A 2-month stint laid off in month 1: vesting goes on to month 2 only
    // (min(t + vesting_months, planned end) = min(3, 2)); the gap is cut at
    // the planned end too, and the next stint pays from month 3.
    let (s, r) = simulate(LAYOFF);
    assert_cents(&s, &r, "short-cut", 1, "rsu", 100.0 * (p(1) + p(2)));
    assert_cents(&s, &r, "short-cut", 1, "base", 10_000.0 + 10.0 * 5_000.0);
    assert_cents(&s, &r, "short-cut", 1, "severance", 120_000.0 / 52.0 * 16.0);
    assert_cents(&s, &r, "short-cut", 2, "base", 60_000.0);
    assert_cents(&s, &r, "short-cut", 2, "severance", 0.0);
}

#[test]
fn a_jobs_layoffs_table_replaces_its_companys_whole() {
    let (s, r) = simulate(LAYOFF);
    // `inherits` takes the company's table: 16 weeks, a 4-month gap, 0.9.
    assert_cents(&s, &r, "inherits", 1, "severance", 120_000.0 / 52.0 * 16.0);
    assert_cents(&s, &r, "inherits", 1, "base", 10_000.0 + 7.0 * 9_000.0);
    assert_cents(&s, &r, "inherits", 2, "base", 108_000.0);
    // `own` gives only `rate = 1`: every other key takes its default, not
    // the company's: no severance weeks, a 3-month gap (months 2-4), rehire
    // pay 1.0 from month 5.
    assert_cents(&s, &r, "own", 1, "severance", 0.0);
    assert_cents(&s, &r, "own", 1, "base", 10_000.0 + 8.0 * 10_000.0);
    assert_cents(&s, &r, "own", 2, "base", 120_000.0);
    assert_cents(&s, &r, "own", 3, "base", 120_000.0);
}

#[test]
fn a_cash_only_job_may_carry_its_own_layoffs_table() {
    // 240,000 / 52 x 4 weeks in month 1; no pay in months 2-7; the same
    // base (rehire_pay defaults to 1.0) from month 8.
    let (s, r) = simulate(LAYOFF);
    assert_cents(&s, &r, "trader", 1, "severance", 240_000.0 / 52.0 * 4.0);
    assert_cents(&s, &r, "trader", 1, "base", 20_000.0 + 5.0 * 20_000.0);
    assert_cents(&s, &r, "trader", 2, "base", 240_000.0);
    assert_cents(&s, &r, "trader", 1, "rsu", 0.0);
    // A strategy with no layoff table anywhere on its path: no severance.
    for y in 1..=3 {
        assert_cents(&s, &r, "safe", y, "severance", 0.0);
        assert_cents(&s, &r, "safe", y, "base", 60_000.0);
    }
}

/// Private companies that fail in month 1 of every world (`failure_rate = 1`,
/// `exit_rate = 0`: the monthly failure probability is 1), one with a
/// layoffs table that sets severance weeks.
const FAILURE: &str = r#"
[simulation]
years = 2
runs = 200
seed = 32

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[companies.doomed]
type = "private"
valuation = 10_000_000
shares = 1_000_000
exit_rate = 0.0
failure_rate = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }

[companies.paying]
type = "private"
valuation = 10_000_000
shares = 1_000_000
exit_rate = 0.0
failure_rate = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }
layoffs = { rate = 0.0, severance_weeks = 8, rehire_months = 2, rehire_pay = 0.8 }

[jobs.startup]
company = "doomed"
base = 120_000
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }
sign_on = [10_000, 5_000]

[jobs.paying]
company = "paying"
base = 120_000

[jobs.safe]
company = "co"
base = 60_000

[strategies.startup]
path = [{ job = "startup" }]

[strategies.paying]
path = [{ job = "paying" }]

[strategies.late]
path = [{ job = "safe", years = 1 }, { job = "startup" }]
"#;

#[test]
fn a_failure_ends_the_stint_with_a_three_month_gap_and_the_same_base_by_default() {
    // The failure is a layoff in month 1 (section 15): month 1 is worked, no
    // severance (no table), no pay in months 2-4, then the base at the
    // failure (rehire_pay 1.0) from month 5: no raise, no bonus, no y2.
    let (s, r) = simulate(FAILURE);
    assert_cents(&s, &r, "startup", 1, "base", 10_000.0 + 8.0 * 10_000.0);
    assert_cents(&s, &r, "startup", 1, "bonus", 0.0);
    assert_cents(&s, &r, "startup", 1, "sign_on", 10_000.0);
    assert_cents(&s, &r, "startup", 1, "severance", 0.0);
    assert_cents(&s, &r, "startup", 1, "total", 100_000.0);
    assert_cents(&s, &r, "startup", 2, "base", 120_000.0);
    assert_cents(&s, &r, "startup", 2, "bonus", 0.0);
    assert_cents(&s, &r, "startup", 2, "sign_on", 0.0);
    assert_cents(&s, &r, "startup", 2, "total", 120_000.0);
}

#[test]
fn a_failure_pays_severance_when_the_companys_table_sets_severance_weeks() {
    // 120,000 / 52 x 8 in month 1; no pay in months 2-3; 120,000 x 0.8 from
    // month 4.
    let (s, r) = simulate(FAILURE);
    assert_cents(&s, &r, "paying", 1, "severance", 120_000.0 / 52.0 * 8.0);
    assert_cents(&s, &r, "paying", 1, "base", 10_000.0 + 9.0 * 8_000.0);
    assert_cents(&s, &r, "paying", 2, "base", 96_000.0);
    assert_cents(&s, &r, "paying", 2, "severance", 0.0);
}

#[test]
fn a_stint_at_a_company_that_has_already_failed_starts_in_the_rehire_state() {
    // The company failed in month 1; the stint starting at month 12 has no
    // grants and no sign-on, the gap (months 13-15), then the job's base
    // (rehire_pay 1.0) from month 16.
    let (s, r) = simulate(FAILURE);
    assert_cents(&s, &r, "late", 1, "base", 60_000.0);
    assert_cents(&s, &r, "late", 2, "base", 9.0 * 10_000.0);
    assert_cents(&s, &r, "late", 2, "sign_on", 0.0);
    assert_cents(&s, &r, "late", 2, "bonus", 0.0);
    assert_cents(&s, &r, "late", 2, "severance", 0.0);
}

/// A 12-month sign-on clawback.
const CLAWBACK: &str = r#"
[simulation]
years = 2
runs = 200
seed = 33

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.hop]
company = "co"
base = 120_000
bonus = { target = 0.10, sd = 0.0 }
sign_on = [12_000, 6_000]
sign_on_clawback_months = 12

[jobs.hop-cut]
company = "co"
base = 120_000
sign_on = [12_000, 6_000]
sign_on_clawback_months = 12
layoffs = { rate = 1.0 }

[jobs.next]
company = "co"
base = 60_000
bonus = { target = 0.10, sd = 0.0 }

[strategies.early]
path = [{ job = "hop", months = 7 }, { job = "next" }]

[strategies.at-term]
path = [{ job = "hop", months = 12 }, { job = "next" }]

[strategies.late]
path = [{ job = "next", months = 18 }, { job = "hop" }]

[strategies.cut]
path = [{ job = "hop-cut", months = 7 }, { job = "next" }]
"#;

#[test]
fn leaving_by_the_path_before_the_clawback_months_repays_the_unserved_share_of_y1() {
    // w = 7 < C = 12: y1 (1 - 7/12) = 5,000 repaid in month 7 as a negative
    // sign_on, so the year's sign_on is 12,000 - 5,000.
    let (s, r) = simulate(CLAWBACK);
    assert_cents(
        &s,
        &r,
        "early",
        1,
        "sign_on",
        12_000.0 - 12_000.0 * (1.0 - 7.0 / 12.0),
    );
    assert_cents(&s, &r, "early", 1, "sign_on", 7_000.0);
    // Base: 7 months of 10,000, then 5 of 5,000. The 7-month stint has no
    // anniversary: no bonus; `next`'s first anniversary is month 19.
    assert_cents(&s, &r, "early", 1, "base", 70_000.0 + 25_000.0);
    assert_cents(&s, &r, "early", 1, "bonus", 0.0);
    assert_cents(&s, &r, "early", 2, "bonus", 6_000.0);
    assert_cents(&s, &r, "early", 2, "sign_on", 0.0);
    assert_cents(&s, &r, "early", 1, "total", 95_000.0 + 7_000.0);
}

#[test]
fn no_clawback_after_the_clawback_months_at_the_horizon_or_on_a_layoff() {
    let (s, r) = simulate(CLAWBACK);
    // w = 12 is not below C = 12: nothing repaid; the bonus of the stint's
    // last month (its anniversary) is paid.
    assert_cents(&s, &r, "at-term", 1, "sign_on", 12_000.0);
    assert_cents(&s, &r, "at-term", 1, "bonus", 12_000.0);
    assert_cents(&s, &r, "at-term", 2, "bonus", 6_000.0);
    // A stint ended by the horizon after 6 months: y1 paid in month 19,
    // nothing repaid.
    assert_cents(&s, &r, "late", 2, "sign_on", 12_000.0);
    assert_cents(&s, &r, "late", 2, "base", 6.0 * 5_000.0 + 6.0 * 10_000.0);
    // A stint ended by a layoff (month 1): y1 was paid in month 1, nothing
    // repaid; base: month 1, the gap (months 2-4), rehire pay in months 5-7,
    // then `next` from month 8.
    assert_cents(&s, &r, "cut", 1, "sign_on", 12_000.0);
    assert_cents(
        &s,
        &r,
        "cut",
        1,
        "base",
        10_000.0 + 3.0 * 10_000.0 + 5.0 * 5_000.0,
    );
    assert_cents(&s, &r, "cut", 1, "severance", 0.0);
}

/// Stints in months.
const PARTIAL: &str = r#"
[simulation]
years = 3
runs = 200
seed = 34

[companies.co]
type = "public"
share_price = 10.0
drift = 0.06
volatility = 0.0

[jobs.part]
company = "co"
base = 120_000
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }
sign_on = [10_000, 5_000]

[jobs.rest]
company = "co"
base = 90_000
raise = { mean = 0.04, sd = 0.0 }
bonus = { target = 0.20, sd = 0.0 }

[[jobs.rest.grants]]
kind = "rsu"
units = 1_200
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[strategies.part]
path = [{ job = "part", months = 18 }, { job = "rest" }]

[strategies.months-24]
path = [{ job = "part", months = 24 }, { job = "rest" }]

[strategies.years-2]
path = [{ job = "part", years = 2 }, { job = "rest" }]
"#;

#[test]
fn a_partial_year_stint_accrues_base_monthly_with_anniversaries_every_12_months() {
    let (s, r) = simulate(PARTIAL);
    // Months 1-12 at 120,000; the raise at the 12-month anniversary (the
    // stint goes on): 126,000 for months 13-18; `rest` from month 19 at
    // 90,000, raised 4 % at its anniversary, month 30.
    assert_cents(&s, &r, "part", 1, "base", 120_000.0);
    assert_cents(&s, &r, "part", 2, "base", 6.0 * 10_500.0 + 6.0 * 7_500.0);
    assert_cents(
        &s,
        &r,
        "part",
        3,
        "base",
        6.0 * 7_500.0 + 6.0 * 90_000.0 * 1.04 / 12.0,
    );
    assert_cents(&s, &r, "part", 3, "base", 91_800.0);
}

#[test]
fn a_stint_years_bonus_is_paid_at_its_anniversary_only_inside_the_stint() {
    let (s, r) = simulate(PARTIAL);
    // part: month 12 (on 120,000); its second anniversary, month 24, is
    // after the stint's end. rest: month 30, on its first year's base.
    assert_cents(&s, &r, "part", 1, "bonus", 12_000.0);
    assert_cents(&s, &r, "part", 2, "bonus", 0.0);
    assert_cents(&s, &r, "part", 3, "bonus", 18_000.0);
}

#[test]
fn sign_on_is_paid_in_the_first_month_of_each_stint_year() {
    // y1 in month 1, y2 in month 13 (the first month of stint year 2 of an
    // 18-month stint, employed): both paid.
    let (s, r) = simulate(PARTIAL);
    assert_cents(&s, &r, "part", 1, "sign_on", 10_000.0);
    assert_cents(&s, &r, "part", 2, "sign_on", 5_000.0);
    assert_cents(&s, &r, "part", 3, "sign_on", 0.0);
}

#[test]
fn a_stint_starting_mid_year_makes_its_grants_at_its_start_month() {
    // rest's grant is made at month 18: its 12-month cliff vests 300 units at
    // month 30, then 75 a quarter (months 33, 36).
    let (s, r) = simulate(PARTIAL);
    assert_cents(&s, &r, "part", 2, "rsu", 0.0);
    assert_cents(
        &s,
        &r,
        "part",
        3,
        "rsu",
        300.0 * p(30) + 75.0 * (p(33) + p(36)),
    );
}

#[test]
fn a_stint_of_24_months_is_a_stint_of_2_years() {
    // Whole years in months give v1's figures: every value of every world.
    let w = Worlds::of(PARTIAL);
    for y in 1..=3 {
        for m in w.layout.measures() {
            let name = m.name();
            assert_eq!(
                w.column("months-24", y, name),
                w.column("years-2", y, name),
                "year {y} {name}"
            );
        }
    }
    let (s, r) = simulate(PARTIAL);
    assert_cents(&s, &r, "years-2", 2, "base", 126_000.0);
    assert_cents(&s, &r, "years-2", 2, "bonus", 12_600.0);
    assert_cents(&s, &r, "years-2", 3, "base", 90_000.0);
}

// ---------------------------------------------------------------------------
// Every world, to the cent, given its layoff month.

/// A job laid off at a yearly rate of 0.5 over a 36-month horizon, with a
/// merit raise, a bonus, three sign-on payments, a monthly-vesting grant and
/// every layoff key set: the layoff month `T` is random, and everything
/// that follows from it is fixed.
const RULES: &str = r#"
[simulation]
years = 3
runs = 4000
seed = 37

[companies.co]
type = "public"
share_price = 10.0
drift = 0.06
volatility = 0.0

[jobs.j]
company = "co"
base = 120_000
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }
sign_on = [10_000, 5_000, 2_000]
layoffs = { rate = 0.5, severance_weeks = 16, weeks_per_year = 2, vesting_months = 2, rehire_months = 4, rehire_pay = 0.9 }

[[jobs.j.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[strategies.s]
path = [{ job = "j" }]
"#;

/// Measures predicted by [`rules_row`], in this order.
const RULE_MEASURES: [&str; 5] = ["base", "bonus", "sign_on", "rsu", "severance"];

/// Each year's base, bonus, sign-on, rsu and severance of `RULES` when the
/// layoff is in month `t` (`None`: never), from sections 8 and 15:
/// - months `1..=t` are worked at the base of their stint year,
///   120,000 x 1.05^(year - 1), a twelfth a month; the base at the layoff is
///   that of month `t` (a layoff at an anniversary loses its raise);
/// - months `t+1 ..= t+4` pay nothing, then 0.9 x the base at the layoff,
///   a twelfth a month, to month 36;
/// - the bonus of stint year `k` (10 % of that year's base) is paid in month
///   `12k` only when `12k < t`;
/// - sign-on `y_k` is paid in month `12(k-1) + 1` when that month is worked;
/// - 100 units vest every month up to `min(t + 2, 36)` at `p(m)`;
/// - severance base_at_layoff / 52 x (16 + 2 floor(t / 12)) in month `t`.
fn rules_row(t: Option<u32>) -> [[f64; 5]; 3] {
    let mut out = [[0.0; 5]; 3];
    let year = |m: u32| ((m - 1) / 12) as usize;
    let base_of = |m: u32| 120_000.0 * 1.05f64.powi(year(m) as i32);
    let worked = |m: u32| t.is_none_or(|t| m <= t);
    for m in 1..=36 {
        if worked(m) {
            out[year(m)][0] += base_of(m) / 12.0;
        } else if m > t.unwrap() + 4 {
            out[year(m)][0] += 0.9 * base_of(t.unwrap()) / 12.0;
        }
        if m % 12 == 0 && t.is_none_or(|t| m < t) {
            out[year(m)][1] += 0.10 * base_of(m);
        }
        if m % 12 == 1 && worked(m) {
            out[year(m)][2] += [10_000.0, 5_000.0, 2_000.0][year(m)];
        }
        if t.is_none_or(|t| m <= t + 2) {
            out[year(m)][3] += 100.0 * p(m);
        }
    }
    if let Some(t) = t {
        out[year(t)][4] += base_of(t) / 52.0 * (16.0 + 2.0 * f64::from(t / 12));
    }
    out
}

#[test]
fn every_world_follows_the_layoff_rules_to_the_cent_given_its_layoff_month() {
    let w = Worlds::of(RULES);
    let k: Vec<Vec<usize>> = (1..=3)
        .map(|y| RULE_MEASURES.iter().map(|m| w.index("s", y, m)).collect())
        .collect();
    let total: Vec<usize> = (1..=3).map(|y| w.index("s", y, "total")).collect();
    let candidates: Vec<(Option<u32>, [[f64; 5]; 3])> = std::iter::once(None)
        .chain((1..=36).map(Some))
        .map(|t| (t, rules_row(t)))
        .collect();
    let mut seen = std::collections::BTreeMap::new();
    for (run, row) in w.rows.iter().enumerate() {
        let gap = |want: &[[f64; 5]; 3]| {
            (0..3)
                .flat_map(|y| (0..5).map(move |i| (y, i)))
                .map(|(y, i)| (row[k[y][i]] - want[y][i]).abs())
                .fold(0.0, f64::max)
        };
        let (t, best) = candidates
            .iter()
            .map(|(t, want)| (*t, gap(want)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert!(
            best < 0.005,
            "run {run}: no layoff month explains the row {:?} (closest: month {t:?}, off by {best}: {:?})",
            (0..3)
                .map(|y| (0..5).map(|i| row[k[y][i]]).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            rules_row(t)
        );
        for y in 0..3 {
            let sum: f64 = (0..5).map(|i| row[k[y][i]]).sum();
            assert!(
                (row[total[y]] - sum).abs() < 0.005,
                "run {run} year {}: total",
                y + 1
            );
        }
        *seen.entry(t).or_insert(0u32) += 1;
    }
    // The cases that matter all occurred: layoffs at the anniversaries
    // (months 12 and 24: bonus and raise lost, a whole year of severance),
    // just after one (month 13), at the end of the horizon (continued
    // vesting cut at month 36), and no layoff.
    for t in [
        Some(1),
        Some(12),
        Some(13),
        Some(24),
        Some(25),
        Some(35),
        None,
    ] {
        assert!(
            seen.contains_key(&t),
            "no world laid off in month {t:?}: {seen:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Common random numbers and streams.

/// Strategy `a` holds job `x` for the whole horizon; `b` holds it for 24
/// months, then `y`. A market moves the layoff hazard.
const SHARED: &str = r#"
[simulation]
years = 4
runs = 4000
seed = 38

[market]
drift = 0.05
volatility = 0.20

[companies.co]
type = "public"
share_price = 30.0
drift = 0.07
volatility = 0.30
market_correlation = 0.6

[companies.other]
type = "public"
share_price = 10.0
drift = 0.05
volatility = 0.30

[jobs.x]
company = "co"
base = 120_000
raise = { mean = 0.03, sd = 0.02 }
bonus = { target = 0.15, sd = 0.3, company_link = 0.5 }
sign_on = [20_000, 10_000]
layoffs = { rate = 0.3, market_sensitivity = 2.0, severance_weeks = 16, weeks_per_year = 2, vesting_months = 3, rehire_months = 3, rehire_pay = 0.9 }

[[jobs.x.grants]]
kind = "rsu"
value = 200_000
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.y]
company = "other"
base = 150_000
bonus = { target = 0.10, sd = 0.2 }

[strategies.a]
path = [{ job = "x" }]

[strategies.b]
path = [{ job = "x", years = 2 }, { job = "y" }]
"#;

#[test]
fn two_strategies_holding_the_same_job_in_the_same_month_see_the_same_layoff_draw() {
    // Whatever happens in months 1-24 happens to both: the same layoff in
    // the same month (a layoff in 1..24 shows in both rows), the same
    // severance, gap, rehire pay, bonus, sign-on and vests. A layoff of `a`
    // in month 24 or earlier also ends b's continued vesting and rehire pay
    // by month 24 at the latest, all inside years 1-2.
    let w = Worlds::of(SHARED);
    let mut laid_off = 0;
    for (run, row) in w.rows.iter().enumerate() {
        for y in 1..=2 {
            for m in w.layout.measures() {
                let (ka, kb) = (w.index("a", y, m.name()), w.index("b", y, m.name()));
                assert_eq!(
                    row[ka].to_bits(),
                    row[kb].to_bits(),
                    "run {run} year {y} {}: a {} b {}",
                    m.name(),
                    row[ka],
                    row[kb]
                );
            }
        }
        if (1..=2).any(|y| row[w.index("a", y, "severance")] > 0.0) {
            laid_off += 1;
        }
        // y has no layoff table: b is never laid off after month 24.
        for y in 3..=4 {
            assert_eq!(row[w.index("b", y, "severance")], 0.0, "run {run} year {y}");
        }
    }
    // Not vacuous: about half the worlds see a layoff in months 1-24.
    assert!(laid_off > w.runs() / 4, "{laid_off} layoffs in months 1-24");
}

/// A file with a market, public and private companies, raises, promotions,
/// linked bonuses, RSUs and options; `{extra}` is appended to it.
fn streams(extra_company: &str, extra_job: &str) -> String {
    format!(
        r#"
[simulation]
years = 4
runs = 2000
seed = 39

[market]
drift = 0.06
volatility = 0.18

[companies.co1]
type = "public"
share_price = 50.0
drift = 0.08
volatility = 0.30
market_correlation = 0.6

[companies.co2]
type = "public"
share_price = 20.0
drift = 0.07
volatility = 0.40
market_correlation = 0.5
{extra_company}

[companies.rocket]
type = "private"
valuation = 200_000_000
shares = 20_000_000
preference = 40_000_000
preferred_fraction = 0.3
exit_rate = 0.10
failure_rate = 0.10
ipo_fraction = 0.2
exit_multiple = {{ median = 1.2, sigma = 0.8 }}
dilution = 0.08
market_correlation = 0.4

[jobs.j1]
company = "co1"
base = 180_000
raise = {{ mean = 0.03, sd = 0.02 }}
promotion = {{ rate = 0.2, raise = 0.1 }}
bonus = {{ target = 0.15, sd = 0.3, company_link = 0.5 }}

[[jobs.j1.grants]]
kind = "rsu"
value = 200_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[jobs.j2]
company = "rocket"
base = 160_000
raise = {{ mean = 0.04, sd = 0.02 }}
bonus = {{ target = 0.05, sd = 0.2 }}

[[jobs.j2.grants]]
kind = "option"
units = 20_000
strike = 2.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12

[jobs.j3]
company = "co2"
base = 170_000
raise = {{ mean = 0.03, sd = 0.02 }}
bonus = {{ target = 0.10, sd = 0.3 }}

[[jobs.j3.grants]]
kind = "rsu"
value = 150_000
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.j4]
base = 200_000
bonus = {{ target = 0.5, sd = 0.8, distribution = "lognormal" }}
{extra_job}

[strategies.p]
path = [{{ job = "j1", years = 2 }}, {{ job = "j2" }}]

[strategies.q]
path = [{{ job = "j3" }}]

[strategies.r]
path = [{{ job = "j4" }}]
"#
    )
}

/// Asserts that `strategy`'s values are the same bits in both sets of
/// worlds, for every measure both report; returns whether they all are
/// (`expect_same = false` only counts).
fn same_values(a: &Worlds, b: &Worlds, strategy: &str, expect_same: bool) -> bool {
    let mut same = true;
    for m in a.layout.measures() {
        if !b.reports(m.name()) {
            continue;
        }
        for y in 1..=a.s.sim.years as usize {
            let (ca, cb) = (
                a.column(strategy, y, m.name()),
                b.column(strategy, y, m.name()),
            );
            for (run, (x, z)) in ca.iter().zip(&cb).enumerate() {
                if x.to_bits() != z.to_bits() {
                    assert!(
                        !expect_same,
                        "{strategy} run {run} year {y} {}: {x} before, {z} after",
                        m.name()
                    );
                    same = false;
                }
            }
        }
    }
    same
}

#[test]
fn adding_layoffs_to_one_company_or_job_changes_no_other_entitys_draws() {
    let before = Worlds::of(&streams("", ""));
    let after = Worlds::of(&streams(
        "layoffs = { rate = 0.3, market_sensitivity = 2.0, severance_weeks = 16 }",
        "layoffs = { rate = 0.2, severance_weeks = 8 }",
    ));
    // p holds neither co2 nor j4: every value of every world is unchanged.
    same_values(&before, &after, "p", true);
    // Not vacuous: the tables do change q (at co2) and r (j4).
    assert!(!same_values(&before, &after, "q", false));
    assert!(!same_values(&before, &after, "r", false));
}

/// Public and private companies, every pay key, a layoffs table that does
/// not read the market (market_sensitivity 0) and bonuses linked to a
/// public company's own price; `{market}` adds a market with every
/// `market_correlation` 0, which nothing then reads.
fn unread_market(market: bool, private: bool) -> String {
    let (m, corr) = if market {
        (
            "[market]\ndrift = 0.07\nvolatility = 0.16\n",
            "market_correlation = 0.0",
        )
    } else {
        ("", "")
    };
    let rocket = if private {
        format!(
            r#"
[companies.rocket]
type = "private"
valuation = 200_000_000
shares = 20_000_000
preference = 40_000_000
preferred_fraction = 0.3
exit_rate = 0.10
failure_rate = 0.10
ipo_fraction = 0.2
exit_multiple = {{ median = 1.2, sigma = 0.8 }}
dilution = 0.08
{corr}

[jobs.j2]
company = "rocket"
base = 160_000
raise = {{ mean = 0.04, sd = 0.02 }}

[[jobs.j2.grants]]
kind = "option"
units = 20_000
strike = 2.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12

[strategies.startup]
path = [{{ job = "j2" }}]
"#
        )
    } else {
        String::new()
    };
    format!(
        r#"
[simulation]
years = 4
runs = 2000
seed = 40
{m}
[companies.co1]
type = "public"
share_price = 50.0
drift = 0.08
volatility = 0.30
{corr}

[companies.co2]
type = "public"
share_price = 20.0
drift = 0.07
volatility = 0.40
{corr}
layoffs = {{ rate = 0.2, market_sensitivity = 0.0, severance_weeks = 16, weeks_per_year = 2 }}

[jobs.j1]
company = "co1"
base = 180_000
raise = {{ mean = 0.03, sd = 0.02 }}
promotion = {{ rate = 0.2, raise = 0.1 }}
bonus = {{ target = 0.15, sd = 0.3, company_link = 0.5 }}

[[jobs.j1.grants]]
kind = "rsu"
value = 200_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[jobs.j3]
company = "co2"
base = 170_000
bonus = {{ target = 0.10, sd = 0.3 }}

[[jobs.j3.grants]]
kind = "option"
units = 5_000
strike = 20.0
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.j4]
base = 200_000
bonus = {{ target = 0.5, sd = 0.8, distribution = "lognormal" }}

[strategies.stay]
path = [{{ job = "j1" }}]

[strategies.switch]
path = [{{ job = "j1", years = 2 }}, {{ job = "j3" }}]

[strategies.trade]
path = [{{ job = "j3", months = 18 }}, {{ job = "j4" }}]
{rocket}
"#
    )
}

#[test]
fn adding_a_market_with_zero_correlations_changes_no_companys_draws() {
    // The market has its own stream (model.md section 8): with every
    // market_correlation 0 a public step is (mu - s^2/2) dt + s sqrt(dt) Z
    // with the same Z, a private multiple median exp(sigma Z) with the same
    // Z, and the layoff, bonus and raise draws are untouched: every value of
    // every world is the same bits.
    let without = Worlds::of(&unread_market(false, true));
    let with = Worlds::of(&unread_market(true, true));
    for st in ["stay", "switch", "trade", "startup"] {
        same_values(&without, &with, st, true);
    }
}

#[test]
fn without_a_private_company_a_market_nothing_reads_leaves_the_output_bytes_unchanged() {
    let dir = tempdir();
    let mut files = Vec::new();
    for (name, market) in [("without.toml", false), ("with.toml", true)] {
        let path = dir.path().join(name);
        fs::write(&path, unread_market(market, false)).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        run_ok(&path, &out, &[]);
        files.push(out);
    }
    for f in ["percentiles.csv", "compare.csv"] {
        let (a, b) = (
            fs::read(files[0].join(f)).unwrap(),
            fs::read(files[1].join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs with a market nothing reads");
    }
    // Severance is reported: the file has a layoffs table.
    let pct = fs::read_to_string(files[0].join("percentiles.csv")).unwrap();
    assert!(pct.contains(",severance,"), "{pct}");
}

// ---------------------------------------------------------------------------
// Cash-only files.

const CASH_ONLY: &str = r#"
[simulation]
years = 2
runs = 1000
seed = 44

[jobs.desk]
base = 250_000
bonus = { target = 0.5, sd = 0.6, distribution = "lognormal" }

[jobs.other]
base = 200_000
raise = { mean = 0.03, sd = 0.0 }

[strategies.desk]
path = [{ job = "desk" }]

[strategies.other]
path = [{ job = "other", months = 6 }, { job = "desk" }]
"#;

#[test]
fn a_file_whose_jobs_are_all_cash_only_needs_no_companies_table() {
    let (s, r) = simulate(CASH_ONLY);
    assert_cents(&s, &r, "desk", 1, "base", 250_000.0);
    assert_cents(&s, &r, "desk", 2, "rsu", 0.0);
    assert_cents(
        &s,
        &r,
        "other",
        1,
        "base",
        6.0 * 200_000.0 / 12.0 + 6.0 * 250_000.0 / 12.0,
    );
    assert_cents(&s, &r, "other", 2, "base", 250_000.0);
    // And through the binary, as a user runs it.
    let dir = tempdir();
    let path = dir.path().join("desk.toml");
    fs::write(&path, CASH_ONLY).unwrap();
    let out = dir.path().join("out");
    run_ok(&path, &out, &[]);
    let pct = fs::read_to_string(out.join("percentiles.csv")).unwrap();
    assert!(pct.contains("desk,1,base,250000.00,"), "{pct}");
    assert!(!pct.contains(",unrealized,"), "{pct}");
}

#[test]
fn the_bundled_downturn_scenario_runs_and_reports_severance() {
    // scenarios/downturn.toml at 2,000 runs: it parses, every number is
    // finite, severance is reported, and the cash-only trading job holds no
    // equity.
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/downturn.toml"
    ))
    .expect("bundled scenario");
    let text = text.replace("runs = 100000", "runs = 2000");
    assert!(text.contains("runs = 2000"));
    let w = Worlds::of(&text);
    assert!(w.reports("severance"));
    for row in &w.rows {
        assert!(row.iter().all(|v| v.is_finite()));
    }
    for y in 1..=5 {
        assert!(w.column("trading", y, "rsu").iter().all(|&x| x == 0.0));
        assert!(w.column("trading", y, "options").iter().all(|&x| x == 0.0));
        for st in ["stay", "startup", "trading"] {
            assert!(w.column(st, y, "severance").iter().all(|&x| x >= 0.0));
        }
    }
    // Somebody is laid off somewhere: the tables are live.
    assert!(
        ["stay", "startup", "trading"]
            .iter()
            .any(|st| w.sum_over_years(st, "severance").iter().any(|&x| x > 0.0))
    );
}

// ---------------------------------------------------------------------------
// A property over generated economies.

/// A layoffs table of a generated economy.
#[derive(Debug, Clone)]
struct Table {
    rate: f64,
    sensitivity: f64,
    severance_weeks: Option<f64>,
    weeks_per_year: f64,
    vesting_months: u32,
    rehire_months: u32,
    rehire_pay: f64,
}

impl Table {
    /// The table as a TOML line; `market_sensitivity` only with a market.
    fn toml(&self, market: bool) -> String {
        let mut t = format!("layoffs = {{ rate = {:?}, ", self.rate);
        if market {
            t += &format!("market_sensitivity = {:?}, ", self.sensitivity);
        }
        t += &format!(
            "weeks_per_year = {:?}, vesting_months = {}, rehire_months = {}, rehire_pay = {:?}",
            self.weeks_per_year, self.vesting_months, self.rehire_months, self.rehire_pay
        );
        if let Some(w) = self.severance_weeks {
            t += &format!(", severance_weeks = {w:?}");
        }
        t + " }"
    }
}

fn table() -> impl Strategy<Value = Table> {
    (
        0.0..=1.0f64,
        0.0..4.0f64,
        proptest::option::of(0.0..30.0f64),
        0.0..3.0f64,
        0u32..12,
        1u32..=12,
        0.5..=1.0f64,
    )
        .prop_map(
            |(rate, sensitivity, severance_weeks, weeks_per_year, vm, rm, rp)| Table {
                rate,
                sensitivity,
                severance_weeks,
                weeks_per_year,
                vesting_months: vm,
                rehire_months: rm,
                rehire_pay: rp,
            },
        )
}

/// A generated economy: a market or none, a public company with a layoffs
/// table or none, a private company that may fail, a cash-only job with a
/// table or none, and two strategies: `exposed` moves between the jobs that
/// may be laid off (stints in months), `unexposed` holds only jobs with no
/// layoffs table on them or their company.
#[derive(Debug, Clone)]
struct Economy {
    years: u32,
    seed: u64,
    market: Option<(f64, f64)>,
    correlations: (f64, f64, f64),
    volatility: f64,
    rates: (f64, f64),
    sigma: f64,
    public_table: Option<Table>,
    private_table: Option<Table>,
    cash_table: Option<Table>,
    link: f64,
    lognormal: bool,
    bonus_sd: f64,
    clawback: u32,
    stints: Vec<(u8, u32)>,
    safe_months: u32,
}

fn economy() -> impl Strategy<Value = Economy> {
    (
        (
            1u32..=4,
            any::<u64>(),
            proptest::option::of((-0.1..0.15f64, 0.0..0.3f64)),
            (-0.9..0.9f64, -0.9..0.9f64, -0.9..0.9f64),
            0.0..0.8f64,
            (0.0..0.4f64, 0.0..0.6f64),
            0.0..1.5f64,
        ),
        (
            proptest::option::of(table()),
            proptest::option::of(table()),
            proptest::option::of(table()),
            // The whole accepted range of `bonus.company_link`.
            -10.0..10.0f64,
            any::<bool>(),
            0.0..1.0f64,
            1u32..24,
            proptest::collection::vec((0u8..3, 1u32..30), 0..4),
            1u32..40,
        ),
    )
        .prop_map(
            |(
                (years, seed, market, correlations, volatility, rates, sigma),
                (
                    public_table,
                    private_table,
                    cash_table,
                    link,
                    lognormal,
                    bonus_sd,
                    clawback,
                    stints,
                    safe_months,
                ),
            )| Economy {
                years,
                seed,
                market,
                correlations,
                volatility,
                rates,
                sigma,
                public_table,
                private_table,
                cash_table,
                link,
                lognormal,
                bonus_sd,
                clawback,
                stints,
                safe_months,
            },
        )
}

impl Economy {
    fn toml(&self) -> String {
        let horizon = 12 * self.years;
        let mut t = format!(
            "[simulation]\nyears = {}\nruns = 150\nseed = {}\n\n",
            self.years,
            self.seed % 1_000_000
        );
        let corr = |c: f64| {
            if self.market.is_some() {
                format!("market_correlation = {c:?}\n")
            } else {
                String::new()
            }
        };
        if let Some((d, v)) = self.market {
            t += &format!("[market]\ndrift = {d:?}\nvolatility = {v:?}\n\n");
        }
        let market = self.market.is_some();
        let layoffs =
            |x: &Option<Table>| x.as_ref().map_or(String::new(), |x| x.toml(market) + "\n");
        t += &format!(
            "[companies.co]\ntype = \"public\"\nshare_price = 40.0\ndrift = 0.07\nvolatility = {:?}\n{}{}\n",
            self.volatility,
            corr(self.correlations.0),
            layoffs(&self.public_table)
        );
        t += &format!(
            "[companies.calm]\ntype = \"public\"\nshare_price = 25.0\ndrift = 0.06\nvolatility = 0.3\n{}\n",
            corr(self.correlations.1)
        );
        t += &format!(
            "[companies.rocket]\ntype = \"private\"\nvaluation = 100_000_000\nshares = 10_000_000\n\
             preference = 20_000_000\npreferred_fraction = 0.3\nexit_rate = {:?}\nfailure_rate = {:?}\n\
             ipo_fraction = 0.2\nexit_multiple = {{ median = 1.2, sigma = {:?} }}\n{}{}\n",
            self.rates.0,
            self.rates.1,
            self.sigma,
            corr(self.correlations.2),
            layoffs(&self.private_table)
        );
        let distribution = if self.lognormal {
            ", distribution = \"lognormal\""
        } else {
            ""
        };
        t += &format!(
            "[jobs.pub]\ncompany = \"co\"\nbase = 180_000\nraise = {{ mean = 0.03, sd = 0.02 }}\n\
             bonus = {{ target = 0.15, sd = {:?}, company_link = {:?}{distribution} }}\n\
             sign_on = [30_000, 10_000]\nsign_on_clawback_months = {}\n\n\
             [[jobs.pub.grants]]\nkind = \"rsu\"\nvalue = 200_000\nvesting = [25, 25, 25, 25]\n\
             frequency = \"quarterly\"\ncliff_months = 12\n\n\
             [jobs.pub.refresh]\nvalue = 50_000\nevery_years = 1\n\n",
            self.bonus_sd, self.link, self.clawback
        );
        t += "[jobs.start]\ncompany = \"rocket\"\nbase = 150_000\nsign_on = [20_000]\n\n\
              [[jobs.start.grants]]\nkind = \"option\"\nunits = 20_000\nstrike = 2.0\n\
              vesting = [25, 25, 25, 25]\nfrequency = \"monthly\"\ncliff_months = 12\n\
              on_leave = \"exercise\"\n\n";
        let link = if self.market.is_some() {
            format!(", company_link = {:?}", self.link)
        } else {
            String::new()
        };
        t += &format!(
            "[jobs.cash]\nbase = 220_000\nbonus = {{ target = 0.4, sd = {:?}{link}{distribution} }}\n{}\n",
            self.bonus_sd,
            layoffs(&self.cash_table)
        );
        t += "[jobs.safe]\ncompany = \"calm\"\nbase = 170_000\nbonus = { target = 0.1, sd = 0.2 }\n\n\
              [[jobs.safe.grants]]\nkind = \"rsu\"\nvalue = 100_000\nvesting = [25, 25, 25, 25]\n\
              frequency = \"monthly\"\n\n";
        t += "[jobs.quiet]\nbase = 160_000\nbonus = { target = 0.3, sd = 0.5, distribution = \"lognormal\" }\n\n";
        // The exposed path: stints in months while they fit, then the
        // last stint to the horizon.
        let jobs = ["pub", "start", "cash"];
        let mut path = Vec::new();
        let mut used = 0;
        for &(j, m) in &self.stints {
            if used + m >= horizon {
                break;
            }
            path.push(format!(
                "{{ job = \"{}\", months = {m} }}",
                jobs[j as usize]
            ));
            used += m;
        }
        path.push(format!("{{ job = \"{}\" }}", jobs[path.len() % 3]));
        t += &format!("[strategies.exposed]\npath = [{}]\n\n", path.join(", "));
        let safe = if self.safe_months < horizon {
            format!(
                "[{{ job = \"safe\", months = {} }}, {{ job = \"quiet\" }}]",
                self.safe_months
            )
        } else {
            "[{ job = \"safe\" }]".to_string()
        };
        t += &format!("[strategies.unexposed]\npath = {safe}\n");
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case simulates 150 worlds of a full economy in a debug build.
        cases: 12,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// model.md sections 7, 8 and 15: nothing reaches the outputs as NaN or
    /// infinity; severance is cash (part of total) and never negative; a
    /// strategy holding no job exposed to layoffs has severance 0 in every
    /// world.
    #[test]
    fn cash_is_finite_severance_is_never_negative_and_zero_without_exposure(e in economy()) {
        let text = e.toml();
        let s = tcsim::scenario::parse("economy.toml", &text)
            .unwrap_or_else(|err| panic!("{err}\n{text}"));
        let engine = Engine::new(&s);
        let l = engine.layout().clone();
        let mut world = World::new(&s);
        let mut row = vec![f64::NAN; l.width()];
        let has_severance = l.measures().iter().any(|m| m.name() == "severance");
        let any_table = e.public_table.is_some() || e.private_table.is_some() || e.cash_table.is_some();
        prop_assert_eq!(has_severance, any_table, "severance is reported exactly when a layoffs table exists\n{}", text);
        let find = |name: &str| *l.measures().iter().find(|m| m.name() == name).unwrap();
        let cash: Vec<Measure> = ["base", "bonus", "sign_on", "rsu", "options", "severance"]
            .iter()
            .filter(|n| l.measures().iter().any(|m| m.name() == **n))
            .map(|n| find(n))
            .collect();
        for run in 0..s.sim.runs {
            engine.run_into(run, &mut world, &mut row);
            for (k, v) in row.iter().enumerate() {
                prop_assert!(v.is_finite(), "run {} row[{}] = {}\n{}", run, k, v, text);
            }
            for (si, st) in s.strategies.iter().enumerate() {
                for y in 0..s.sim.years as usize {
                    let sum: f64 = cash.iter().map(|&m| row[l.at(si, y, m)]).sum();
                    let total = row[l.at(si, y, find("total"))];
                    prop_assert!((total - sum).abs() <= 1e-6 * total.abs().max(1.0),
                        "run {} {} year {}: total {} vs the cash measures' sum {}\n{}", run, st.name, y + 1, total, sum, text);
                    if has_severance {
                        let sev = row[l.at(si, y, find("severance"))];
                        prop_assert!(sev >= 0.0, "run {} {} year {}: severance {}\n{}", run, st.name, y + 1, sev, text);
                        if st.name == "unexposed" {
                            prop_assert!(sev == 0.0, "run {} unexposed year {}: severance {}\n{}", run, y + 1, sev, text);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Run i's world depends only on (seed, i), with a market and layoffs.

/// A market, a public company with market-linked layoffs whose jobs hold
/// options (with a linked bonus) or RSUs and refreshers, a private company
/// that may fail or exit, and a cash-only job with its own layoffs, held by
/// paths with stints in months.
const ANY_STRATEGIES: &str = r#"
[simulation]
years = 4
runs = 300
seed = 45

[market]
drift = 0.06
volatility = 0.2

[companies.co]
type = "public"
share_price = 40.0
drift = 0.08
volatility = 0.4
market_correlation = 0.6
layoffs = { rate = 0.3, market_sensitivity = 3.0, severance_weeks = 8, weeks_per_year = 2, vesting_months = 3, rehire_months = 2, rehire_pay = 0.9 }

[companies.rocket]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.2
failure_rate = 0.2
ipo_fraction = 0.5
exit_multiple = { median = 1.2, sigma = 0.8 }
market_correlation = 0.4

[jobs.opt]
company = "co"
base = 150_000
raise = { mean = 0.03, sd = 0.02 }
bonus = { target = 0.15, sd = 0.3, company_link = 1.0 }
sign_on = [20_000, 10_000]
sign_on_clawback_months = 24

[[jobs.opt.grants]]
kind = "option"
units = 10_000
strike = 35.0
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.rsu]
company = "co"
base_raise = { min = 0.05, max = 0.2 }
bonus = { target = 0.1, sd = 0.2 }

[[jobs.rsu.grants]]
kind = "rsu"
value = 100_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[jobs.rsu.refresh]
value = 40_000
every_years = 1

[jobs.start]
company = "rocket"
base = 140_000
bonus = { target = 0.1, sd = 0.2, company_link = 0.5 }

[[jobs.start.grants]]
kind = "option"
units = 20_000
strike = 2.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
on_leave = "exercise"

[jobs.cash]
base = 200_000
bonus = { target = 0.4, sd = 0.6, distribution = "lognormal", company_link = 1.0 }
layoffs = { rate = 0.25, market_sensitivity = 2.0, severance_weeks = 4 }

[strategies.a]
path = [{ job = "opt", months = 18 }, { job = "rsu" }]

[strategies.b]
path = [{ job = "cash", months = 30 }, { job = "rsu", months = 5 }, { job = "opt" }]

[strategies.c]
path = [{ job = "cash", months = 7 }, { job = "start" }]

[strategies.d]
path = [{ job = "opt" }]
"#;

#[test]
fn each_strategy_alone_and_in_any_run_order_sees_the_same_values_as_in_the_whole_file() {
    // model.md section 1: run i's world depends only on (seed, i), not on
    // which strategies exist nor on which world the storage held before.
    // Strategies that read different months' prices: an exposed stint with
    // public options reads every month, a linked bonus its anniversaries,
    // RSUs their vest months.
    let whole = common::scenario(ANY_STRATEGIES);
    let engine = Engine::new(&whole);
    let layout = engine.layout().clone();
    let mut world = World::new(&whole);
    let rows: Vec<Vec<f64>> = (0..whole.sim.runs)
        .map(|i| {
            let mut row = vec![f64::NAN; layout.width()];
            engine.run_into(i, &mut world, &mut row);
            row
        })
        .collect();
    for (k, name) in whole.strategies.iter().map(|s| &s.name).enumerate() {
        let mut alone = whole.clone();
        alone.strategies.retain(|s| &s.name == name);
        alone.sim.baseline = 0;
        let e = Engine::new(&alone);
        let l = e.layout().clone();
        let mut world = World::new(&alone);
        let mut row = vec![f64::NAN; l.width()];
        // Backwards, so each world's storage last held a later world.
        for i in (0..alone.sim.runs).rev() {
            e.run_into(i, &mut world, &mut row);
            for y in 0..l.years {
                for &m in l.measures() {
                    assert_eq!(
                        row[l.at(0, y, m)].to_bits(),
                        rows[i as usize][layout.at(k, y, m)].to_bits(),
                        "{name} alone, run {i} year {} {}",
                        y + 1,
                        m.name()
                    );
                }
            }
        }
    }
}
