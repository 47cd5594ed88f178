//! The engine against closed forms, with fixed seeds. Tolerances are
//! derived from the run count: at least 4.5 standard errors of the
//! estimator, so a correct engine fails about once in 150,000 checks and a
//! wrong one fails for good.

mod common;

use common::{diff, norm_cdf, norm_pdf, norm_quantile, series, simulate};

const RUNS: u64 = 200_000;
const SIGMAS: f64 = 4.5;

/// A public company and one job holding `units` RSUs that all vest at
/// month `12 t` (vesting [0, ..., 100], annual), horizon `t` years.
fn single_vest(t: usize, steps_per_year: u32, seed: u64) -> String {
    let mut vesting = vec!["0"; t];
    vesting[t - 1] = "100";
    format!(
        r#"
[simulation]
years = {t}
runs = {RUNS}
seed = {seed}
steps_per_year = {steps_per_year}
percentiles = [5, 10, 25, 50, 75, 90, 95]

[companies.co]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.35

[jobs.j]
company = "co"
base = 0

[[jobs.j.grants]]
kind = "rsu"
units = 1000
vesting = [{}]
frequency = "annual"

[strategies.hold]
path = [{{ job = "j" }}]
"#,
        vesting.join(", ")
    )
}

/// Quantile q of `units * S_T` is `units * S_0 exp((mu - s^2/2) T + s sqrt(T) z_q)`
/// (docs/reference.md, "The model's rules"). Standard error of a sample quantile:
/// `sqrt(q (1 - q) / n) / f(x_q)` with the lognormal density
/// `f(x) = phi(z) / (x s sqrt T)`.
fn check_lognormal_quantiles(t: usize, steps: u32, seed: u64) {
    let (s, r) = simulate(&single_vest(t, steps, seed));
    let (s0, mu, vol, units) = (100.0, 0.08, 0.35, 1000.0);
    let tt = t as f64;
    let got = series(&s, &r, "hold", t, "rsu");
    for (i, &p) in s.sim.percentiles.iter().enumerate() {
        let q = p / 100.0;
        let z = norm_quantile(q);
        let x = units * s0 * ((mu - 0.5 * vol * vol) * tt + vol * tt.sqrt() * z).exp();
        let density = norm_pdf(z) / (x * vol * tt.sqrt());
        let se = (q * (1.0 - q) / RUNS as f64).sqrt() / density;
        let err = (got.quantiles[i] - x).abs();
        assert!(
            err < SIGMAS * se,
            "T={t} steps={steps} p{p}: got {} want {x} (|err| {err} > {} = {SIGMAS} se)",
            got.quantiles[i],
            SIGMAS * se
        );
    }
    // Mean: units S_0 e^(mu T), sd of the lognormal E sqrt(e^(s^2 T) - 1).
    let mean = units * s0 * (mu * tt).exp();
    let se = mean * ((vol * vol * tt).exp() - 1.0).sqrt() / (RUNS as f64).sqrt();
    assert!(
        (got.mean - mean).abs() < SIGMAS * se,
        "T={t} mean {} want {mean} (se {se})",
        got.mean
    );
    // Nothing vests before T.
    for y in 1..t {
        assert!(
            series(&s, &r, "hold", y, "rsu")
                .quantiles
                .iter()
                .all(|&q| q == 0.0)
        );
    }
}

#[test]
fn single_vest_value_has_lognormal_quantiles_and_mean() {
    check_lognormal_quantiles(3, 12, 7);
}

#[test]
fn single_vest_distribution_does_not_depend_on_the_step_size() {
    // GBM is exact at any step: monthly and weekly-ish grids give the same law.
    check_lognormal_quantiles(2, 48, 13);
}

#[test]
fn zero_volatility_gives_exact_deterministic_totals() {
    let text = r#"
[simulation]
years = 2
runs = 5000
seed = 3

[companies.co]
type = "public"
share_price = 100.0
drift = 0.05
volatility = 0.0

[jobs.j]
company = "co"
base = 100_000
raise = { mean = 0.03, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }
sign_on = [10_000]

[[jobs.j.grants]]
kind = "rsu"
value = 48_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[strategies.stay]
path = [{ job = "j" }]
"#;
    let (s, r) = simulate(text);
    // 480 units, 30 a quarter, at S(m) = 100 e^(0.05 m / 12).
    let price = |m: f64| 100.0 * (0.05 * m / 12.0).exp();
    let rsu = |months: [f64; 4]| months.iter().map(|&m| 30.0 * price(m)).sum::<f64>();
    let y1 = 100_000.0 + 10_000.0 + 10_000.0 + rsu([3.0, 6.0, 9.0, 12.0]);
    let y2 = 103_000.0 + 10_300.0 + rsu([15.0, 18.0, 21.0, 24.0]);
    for (year, want) in [(1, y1), (2, y2)] {
        let total = series(&s, &r, "stay", year, "total");
        for &q in &total.quantiles {
            assert!((q - want).abs() < 1e-6, "year {year}: {q} vs {want}");
        }
        assert!((total.mean - want).abs() < 1e-6);
    }
    let cumulative = series(&s, &r, "stay", 2, "cumulative");
    assert!(
        cumulative
            .quantiles
            .iter()
            .all(|&q| q == cumulative.quantiles[0])
    );
    assert!((cumulative.quantiles[0] - (y1 + y2)).abs() < 1e-6);
}

/// A private company whose common is worth exactly $1 a share at any exit
/// (no preference, no dilution, sigma 0), and a fully vested existing
/// double-trigger RSU grant of one unit: it pays $1 in the year of the exit.
/// Compared with holding nothing, `p_ahead` at year T is `P(exit by T)`.
fn exit_scenario(exit_rate: f64, failure_rate: f64) -> String {
    format!(
        r#"
[simulation]
years = 6
runs = {RUNS}
seed = 5

[companies.startup]
type = "private"
valuation = 10_000_000
shares = 10_000_000
exit_rate = {exit_rate}
failure_rate = {failure_rate}
exit_multiple = {{ median = 1.0, sigma = 0.0 }}

[jobs.none]
company = "startup"
base = 0

[jobs.holder]
company = "startup"
base = 0

[[jobs.holder.grants]]
kind = "rsu"
units = 1
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[strategies.nothing]
path = [{{ job = "none" }}]

[strategies.held]
path = [{{ job = "holder" }}]
"#
    )
}

#[test]
fn exit_share_by_year_matches_the_annual_exit_rate() {
    let rate = 0.15;
    let (s, r) = simulate(&exit_scenario(rate, 0.0));
    for t in 1..=6 {
        let p = 1.0 - (1.0f64 - rate).powi(t as i32);
        let se = (p * (1.0 - p) / RUNS as f64).sqrt();
        let got = diff(&s, &r, "held", t).share_positive;
        assert!((got - p).abs() < SIGMAS * se, "year {t}: {got} vs {p}");
    }
}

#[test]
fn exit_share_with_failures_matches_the_competing_hazard_formula() {
    let (e, f) = (0.10, 0.12);
    let (s, r) = simulate(&exit_scenario(e, f));
    // Monthly pe, pf; no event in a month with (1-pe)(1-pf); an event in a
    // month is an exit with probability pe / (1 - (1-pe)(1-pf)).
    let pe = 1.0 - (1.0f64 - e).powf(1.0 / 12.0);
    let pf = 1.0 - (1.0f64 - f).powf(1.0 / 12.0);
    let stay = (1.0 - pe) * (1.0 - pf);
    for t in 1..=6 {
        let p = pe / (1.0 - stay) * (1.0 - stay.powi(12 * t as i32));
        let se = (p * (1.0 - p) / RUNS as f64).sqrt();
        let got = diff(&s, &r, "held", t).share_positive;
        assert!((got - p).abs() < SIGMAS * se, "year {t}: {got} vs {p}");
    }
}

/// A fully vested public option held to the horizon `T` pays
/// `max(S_T - K, 0)`. With drift r its mean is the Black-Scholes price grown
/// at r, `S_0 e^(rT) N(d1) - K N(d2)`, and `P(S_T > K) = N(d2)`.
#[test]
fn public_option_payoff_matches_black_scholes() {
    let (s0, k, r_, vol, t): (f64, f64, f64, f64, f64) = (50.0, 60.0, 0.06, 0.4, 3.0);
    let text = format!(
        r#"
[simulation]
years = 3
runs = {RUNS}
seed = 17

[companies.co]
type = "public"
share_price = {s0}
drift = {r_}
volatility = {vol}

[jobs.none]
company = "co"
base = 0

[jobs.holder]
company = "co"
base = 0

[[jobs.holder.grants]]
kind = "option"
units = 1
strike = {k}
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[strategies.nothing]
path = [{{ job = "none" }}]

[strategies.held]
path = [{{ job = "holder" }}]
"#
    );
    let (s, r) = simulate(&text);
    let d1 = ((s0 / k).ln() + (r_ + 0.5 * vol * vol) * t) / (vol * t.sqrt());
    let d2 = d1 - vol * t.sqrt();
    let growth = (r_ * t).exp();
    let mean = s0 * growth * norm_cdf(d1) - k * norm_cdf(d2);
    // E[payoff^2] = E[S^2 1{S>K}] - 2K E[S 1{S>K}] + K^2 N(d2), with
    // E[S^2 1{S>K}] = S0^2 e^((2r + s^2) T) N(d2 + 2 s sqrt T).
    let second = s0 * s0 * ((2.0 * r_ + vol * vol) * t).exp() * norm_cdf(d2 + 2.0 * vol * t.sqrt())
        - 2.0 * k * s0 * growth * norm_cdf(d1)
        + k * k * norm_cdf(d2);
    let se_mean = ((second - mean * mean) / RUNS as f64).sqrt();
    let got = series(&s, &r, "held", 3, "options");
    assert!(
        (got.mean - mean).abs() < SIGMAS * se_mean,
        "mean {} vs {mean} (se {se_mean})",
        got.mean
    );
    let p = norm_cdf(d2);
    let se_p = (p * (1.0 - p) / RUNS as f64).sqrt();
    let ahead = diff(&s, &r, "held", 3).share_positive;
    assert!(
        (ahead - p).abs() < SIGMAS * se_p,
        "P(in the money) {ahead} vs {p}"
    );
    // Nothing is paid before the horizon.
    assert_eq!(series(&s, &r, "held", 2, "options").mean, 0.0);
}

#[test]
fn bonus_multiplier_mean_matches_the_clamped_normal() {
    // m ~ Normal(1, sd) clamped to [0, 2]: symmetric about 1, so E[m] = 1;
    // the bonus mean is base * target.
    let text = format!(
        r#"
[simulation]
years = 1
runs = {RUNS}
seed = 23

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.j]
company = "co"
base = 200_000
bonus = {{ target = 0.2, sd = 0.8 }}

[strategies.s]
path = [{{ job = "j" }}]
"#
    );
    let (s, r) = simulate(&text);
    let got = series(&s, &r, "s", 1, "bonus");
    // Var of the clamped multiplier is below sd^2; bound the se with sd.
    let se = 40_000.0 * 0.8 / (RUNS as f64).sqrt();
    assert!((got.mean - 40_000.0).abs() < SIGMAS * se, "{}", got.mean);
    // P(m <= 0) = P(m >= 2) = N(-1/0.8) = 10.6 %: the clamp puts exact
    // masses at 0 and at 2, so p5 is 0 and p95 is 2 * target * base.
    assert!(norm_cdf(-1.0 / 0.8) > 0.05 + SIGMAS * (0.05f64 * 0.95 / RUNS as f64).sqrt());
    assert_eq!(got.quantiles[0], 0.0);
    assert_eq!(got.quantiles[6], 80_000.0);
}
