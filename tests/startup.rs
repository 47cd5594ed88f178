//! Startup life (model.md section 9, with the readings of section 15):
//! funding rounds, the share price after an IPO and its lockup, what an
//! acquisition does to unvested units, and the exercise window.
//!
//! Three kinds of checks, all with fixed seeds:
//! - deterministic, to the cent: `rounds.rate = 1` makes the monthly round
//!   probability `1 - (1 - 1)^(1/12) = 1` (a round every month), `sigma = 0`
//!   makes every step-up and exit multiple its median, `exit_month` with
//!   `ipo_fraction` 0 or 1 fixes the exit's month and kind;
//! - per world, against the world's own draws (`World::rounds`,
//!   `World::mark`, `World::price`, `World::fate`) and the ledger
//!   `tcsim::engine::trace::replay` writes for it;
//! - statistical, against closed forms, with tolerances of 4.5 standard
//!   errors of the estimator derived from the run count in the code (the
//!   formula is written next to each), never tuned: a correct engine fails
//!   about once in 150,000 checks and a wrong one fails for good.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::{assert_cents, norm_cdf, norm_pdf, norm_quantile};
use proptest::prelude::*;
use tcsim::engine::ledger::{Entry, Flow};
use tcsim::engine::trace::{StrategyTrace, replay};
use tcsim::engine::world::Fate;
use tcsim::engine::{Engine, Layout, Measure, World};
use tcsim::model::{GrantKind, Scenario};
use tcsim::stats::percentile_inc;

/// Tolerance in standard errors of the estimator.
const SIGMAS: f64 = 4.5;

/// Runs of the statistical tests.
const RUNS: u64 = 40_000;

/// Probabilities of the quantiles checked.
const PROBS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

// ---------------------------------------------------------------------------
// Helpers.

/// Every run's row of a scenario, written by `Engine::run_into`, and each
/// run's fate of every company (read from the world right after the run).
struct Worlds {
    s: Scenario,
    layout: Layout,
    rows: Vec<Vec<f64>>,
    fates: Vec<Vec<Fate>>,
}

impl Worlds {
    fn of(text: &str) -> Worlds {
        let s = common::scenario(text);
        let engine = Engine::new(&s);
        let layout = engine.layout().clone();
        let mut world = World::new(&s);
        let mut fates = Vec::new();
        let rows = (0..s.sim.runs)
            .map(|i| {
                let mut row = vec![f64::NAN; layout.width()];
                engine.run_into(i, &mut world, &mut row);
                fates.push((0..s.companies.len()).map(|c| world.fate(c)).collect());
                row
            })
            .collect();
        Worlds {
            s,
            layout,
            rows,
            fates,
        }
    }

    fn shared(cell: &'static OnceLock<Worlds>, text: &str) -> &'static Worlds {
        cell.get_or_init(|| Worlds::of(text))
    }

    fn runs(&self) -> usize {
        self.rows.len()
    }

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
        strategy(&self.s, name)
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
}

fn strategy(s: &Scenario, name: &str) -> usize {
    s.strategies
        .iter()
        .position(|x| x.name == name)
        .unwrap_or_else(|| panic!("strategy {name} exists"))
}

fn company(s: &Scenario, name: &str) -> usize {
    s.companies
        .iter()
        .position(|x| x.name == name)
        .unwrap_or_else(|| panic!("company {name} exists"))
}

/// Run `run`'s world and the ledger of strategy `name`.
fn ledger(s: &Scenario, run: u64, name: &str) -> (World, StrategyTrace) {
    let (world, mut traces) = replay(s, run, Some(strategy(s, name)));
    (world, traces.remove(0))
}

/// The value of `measure` in 1-based `year` of a trace's row.
fn traced(s: &Scenario, t: &StrategyTrace, year: usize, measure: &str) -> f64 {
    let layout = Engine::new(s).layout().clone();
    let k = layout
        .measures()
        .iter()
        .position(|m| m.name() == measure)
        .unwrap_or_else(|| panic!("measure {measure} is not reported"));
    t.row[(year - 1) * layout.measures().len() + k]
}

/// An equity flow's kind, grant index and month.
type FlowKey = (&'static str, usize, u32);

/// Units and dollars.
type FlowSum = (f64, f64);

/// The equity flows of a ledger that move money or units at an exit, by
/// (kind, grant, month): (units, dollars). Forfeitures, lapses and
/// unrealized values are left out (see [`lapses`], [`unrealized`]).
fn equity_flows(entries: &[Entry]) -> BTreeMap<FlowKey, FlowSum> {
    let mut out = BTreeMap::new();
    for e in entries {
        let (kind, grant, units) = match e.flow {
            Flow::Vest { grant, units, .. } => ("vest", grant, units),
            Flow::OptionSale { grant, units, .. } => ("option_sale", grant, units),
            Flow::Exercise { grant, units, .. } => ("exercise", grant, units),
            Flow::LockupSale { grant, units, .. } => ("lockup_sale", grant, units),
            Flow::Accelerated { grant, units, .. } => ("accelerated", grant, units),
            Flow::Cancelled { grant, units } => ("cancelled", grant, units),
            Flow::Settle { grant, units, .. } => ("settle", grant, units),
            _ => continue,
        };
        let slot = out.entry((kind, grant, e.month)).or_insert((0.0, 0.0));
        slot.0 += units;
        slot.1 += e.amount;
    }
    out
}

/// Asserts that the equity flows of a ledger are `want`, to the cent (and
/// to a millionth of a unit), and nothing else.
fn assert_flows(what: &str, entries: &[Entry], want: &[(FlowKey, FlowSum)]) {
    let got = equity_flows(entries);
    let want: BTreeMap<_, _> = want.iter().cloned().collect();
    for (k, (units, dollars)) in &want {
        let Some((u, d)) = got.get(k) else {
            panic!("{what}: no {k:?} flow; the ledger's flows: {got:?}");
        };
        assert!(
            (u - units).abs() < 1e-6 && (d - dollars).abs() < 0.005,
            "{what}: {k:?} is {u} units, ${d}; want {units} units, ${dollars}"
        );
    }
    for k in got.keys() {
        assert!(
            want.contains_key(k),
            "{what}: unexpected flow {k:?} = {:?}",
            got[k]
        );
    }
}

/// The grant index (into `StrategyTrace::grants`) of the option grant with
/// exercise price `strike` held in stint `stint`.
fn option_grant(t: &StrategyTrace, stint: usize, strike: f64) -> usize {
    t.grants
        .iter()
        .position(|g| {
            g.stint == stint && matches!(g.kind, GrantKind::Option { strike: k, .. } if k == strike)
        })
        .unwrap_or_else(|| panic!("no option grant at strike {strike} in stint {stint}"))
}

/// The grant index of the (only) RSU grant held in stint `stint`.
fn rsu_grant(t: &StrategyTrace, stint: usize) -> usize {
    t.grants
        .iter()
        .position(|g| g.stint == stint && matches!(g.kind, GrantKind::Rsu))
        .unwrap_or_else(|| panic!("no RSU grant in stint {stint}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
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

/// A share price `s0 exp((mu - v^2/2) t + v sqrt(t) Z)`: GBM from `s0`
/// after `t` years.
#[derive(Clone, Copy)]
struct Gbm {
    s0: f64,
    mu: f64,
    v: f64,
    t: f64,
}

/// `values` are draws of `units * max(S - k, 0)` with
/// `S = s0 exp((mu - v^2/2) T + v sqrt(T) Z)`. Quantiles: `S`'s quantile
/// `x_p` maps to `units max(x_p - k, 0)` (a monotone map), within 4.5 se of
/// `S`'s sample quantile, `units sqrt(p (1 - p) / n) / f(x_p)`, where
/// `x_p > k` (slope `units`). Mean (Black and Scholes 1973 without
/// discounting): `E[(S - k)+] = s0 e^(mu T) N(d1) - k N(d2)`,
/// `d2 = (ln(s0 / k) + (mu - v^2/2) T) / (v sqrt T)`, `d1 = d2 + v sqrt T`;
/// its standard error `sd / sqrt(n)` from the second moment
/// `E[(S - k)+^2] = s0^2 e^((2 mu + v^2) T) N(d2 + 2 v sqrt T)
///  - 2 k s0 e^(mu T) N(d1) + k^2 N(d2)`.
fn assert_call(values: &[f64], units: f64, path: Gbm, k: f64, what: &str) {
    let Gbm { s0, mu, v, t } = path;
    let n = values.len() as f64;
    let (m, s) = ((mu - 0.5 * v * v) * t, v * t.sqrt());
    for p in PROBS {
        let z = norm_quantile(p);
        let x = s0 * (m + s * z).exp();
        assert!(x > k, "{what}: p{} is out of the money", 100.0 * p);
        let density = norm_pdf(z) / (x * s);
        let se = units * (p * (1.0 - p) / n).sqrt() / density;
        let want = units * (x - k);
        let got = quantile(values, p);
        assert!(
            (got - want).abs() < SIGMAS * se,
            "{what}: p{} {got}, want {want} (se {se})",
            100.0 * p
        );
    }
    let d2 = ((s0 / k).ln() + m) / s;
    let d1 = d2 + s;
    let first = s0 * (mu * t).exp() * norm_cdf(d1) - k * norm_cdf(d2);
    let second = s0 * s0 * ((2.0 * mu + v * v) * t).exp() * norm_cdf(d2 + 2.0 * s)
        - 2.0 * k * s0 * (mu * t).exp() * norm_cdf(d1)
        + k * k * norm_cdf(d2);
    let want = units * first;
    let se = units * (second - first * first).sqrt() / n.sqrt();
    let got = mean(values);
    assert!(
        (got - want).abs() < SIGMAS * se,
        "{what}: mean {got}, want {want} (se {se})"
    );
}

// ---------------------------------------------------------------------------
// Rounds, to the cent.

/// Valuation 100M, 10M shares ($10 a share), a 20M stack held by 30 % of the
/// shares; a round every month (`rate = 1`) at a step-up of exactly 1.5
/// (`sigma = 0`), investors taking 20 % of the post-money. `climb` never
/// exits; `convert`, `squeezed` and `wiped` are acquired in month 4 (so
/// after 3 rounds) at 1.0, 0.6 and 0.4 times the latest valuation: one in
/// each branch of the waterfall.
const ROUNDS: &str = r#"
[simulation]
years = 2
runs = 20
seed = 61

[companies.climb]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.0, sigma = 0.0 }
rounds = { rate = 1.0, step_up = { median = 1.5, sigma = 0.0 }, dilution = 0.2 }

[companies.convert]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_month = 4
ipo_fraction = 0.0
exit_multiple = { median = 1.0, sigma = 0.0 }
rounds = { rate = 1.0, step_up = { median = 1.5, sigma = 0.0 }, dilution = 0.2 }

[companies.squeezed]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_month = 4
ipo_fraction = 0.0
exit_multiple = { median = 0.6, sigma = 0.0 }
rounds = { rate = 1.0, step_up = { median = 1.5, sigma = 0.0 }, dilution = 0.2 }

[companies.wiped]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_month = 4
ipo_fraction = 0.0
exit_multiple = { median = 0.4, sigma = 0.0 }
rounds = { rate = 1.0, step_up = { median = 1.5, sigma = 0.0 }, dilution = 0.2 }

[jobs.hold]
company = "climb"
base = 0

[[jobs.hold.grants]]
kind = "rsu"
units = 1_200
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[[jobs.hold.grants]]
kind = "option"
units = 1_000
strike = 12.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[jobs.cash]
base = 60_000

[jobs.late]
company = "climb"
base = 0

[[jobs.late.grants]]
kind = "rsu"
value = 1_000_000
vesting = [100]
frequency = "annual"

[jobs.convert]
company = "convert"
base = 0

[[jobs.convert.grants]]
kind = "rsu"
units = 1_000
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[[jobs.convert.grants]]
kind = "option"
units = 1_000
strike = 3.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[jobs.squeezed]
company = "squeezed"
base = 0

[[jobs.squeezed.grants]]
kind = "rsu"
units = 1_000
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[jobs.wiped]
company = "wiped"
base = 0

[[jobs.wiped.grants]]
kind = "rsu"
units = 1_000
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[strategies.hold]
path = [{ job = "hold" }]

[strategies.late]
path = [{ job = "cash", months = 6 }, { job = "late" }]

[strategies.convert]
path = [{ job = "convert" }]

[strategies.squeezed]
path = [{ job = "squeezed" }]

[strategies.wiped]
path = [{ job = "wiped" }]
"#;

/// The state after `k` rounds of `ROUNDS` in closed form: valuation
/// `V0 m^k`, shares `N0 / (1 - d)^k`, stack `P0 + d V0 sum_{i=1..k} m^i`,
/// preferred fraction `1 - (1 - f0)(1 - d)^k`.
fn after_rounds(k: u32) -> (f64, f64, f64, f64) {
    let (v0, n0, p0, f0, m, d) = (100e6, 10e6, 20e6, 0.3, 1.5f64, 0.2f64);
    let v = v0 * m.powi(k as i32);
    let n = n0 / (1.0 - d).powi(k as i32);
    let p = p0 + d * v0 * (1..=k).map(|i| m.powi(i as i32)).sum::<f64>();
    let f = 1.0 - (1.0 - f0) * (1.0 - d).powi(k as i32);
    (v, n, p, f)
}

/// The mark after `k` rounds: `V / N = 10 (1.5 x 0.8)^k = 10 x 1.2^k`.
fn mark_after(k: u32) -> f64 {
    let (v, n, _, _) = after_rounds(k);
    v / n
}

#[test]
fn after_k_rounds_the_valuation_shares_stack_fraction_and_mark_have_the_closed_form() {
    let s = common::scenario(ROUNDS);
    let c = company(&s, "climb");
    for run in [0, 7] {
        let (world, _) = ledger(&s, run, "hold");
        let rounds = world.rounds(c);
        // rate = 1: a round in every month of the horizon, 24 of them.
        assert_eq!(rounds.len(), 24, "run {run}: {rounds:?}");
        for (i, r) in rounds.iter().enumerate() {
            let k = i as u32 + 1;
            let (v, n, p, f) = after_rounds(k);
            assert_eq!(r.month, k, "run {run}: round {k}'s month");
            assert!(
                close(r.step_up, 1.5, 1e-12),
                "round {k}: step-up {}",
                r.step_up
            );
            assert!(
                close(r.valuation, v, 1e-9),
                "round {k}: V {} want {v}",
                r.valuation
            );
            assert!(
                close(r.shares, n, 1e-9),
                "round {k}: N {} want {n}",
                r.shares
            );
            assert!(
                close(r.preference, p, 1e-9),
                "round {k}: P {} want {p}",
                r.preference
            );
            assert!(
                close(r.preferred_fraction, f, 1e-12),
                "round {k}: f {} want {f}",
                r.preferred_fraction
            );
            assert!(close(r.mark(), mark_after(k), 1e-9));
        }
        // The mark after month m's round; month 0's is the file's round
        // price, V0 / N0 = $10.
        assert!(close(world.mark(c, 0), 10.0, 1e-12));
        for m in 0..=24 {
            let want = 10.0 * 1.2f64.powi(m as i32);
            assert!(
                close(world.mark(c, m), want, 1e-9),
                "run {run}: mark({m}) = {}, want {want}",
                world.mark(c, m)
            );
            assert!(close(world.mark(c, m), mark_after(m), 1e-9));
        }
        assert_eq!(world.fate(c), Fate::Private);
    }
}

#[test]
fn held_units_are_unrealized_at_the_mark_after_the_year_ends_round() {
    // Year-end unrealized is taken after that month's round: 1,200 RSUs at
    // mark(12) = 10 x 1.2^12 and 1,000 options at mark(12) - 12; the same
    // at month 24.
    let (s, r) = common::simulate(ROUNDS);
    for (year, k) in [(1, 12), (2, 24)] {
        let m = mark_after(k);
        assert_cents(
            &s,
            &r,
            "hold",
            year,
            "unrealized",
            1_200.0 * m + 1_000.0 * (m - 12.0),
        );
        assert_cents(&s, &r, "hold", year, "rsu", 0.0);
        assert_cents(&s, &r, "hold", year, "options", 0.0);
    }
    // 10 x 1.2^12 = 89.16 (not v1's $10 throughout).
    assert!((mark_after(12) - 89.161_004_84).abs() < 1e-6);
}

#[test]
fn a_value_grant_converts_at_its_grant_months_mark() {
    // The stint starts at month 6: $1M / mark(6) units, vesting at month 18,
    // unrealized at year 2's end at mark(24): 1M x 1.2^18.
    let (s, r) = common::simulate(ROUNDS);
    let units = 1_000_000.0 / mark_after(6);
    assert_cents(&s, &r, "late", 1, "unrealized", 0.0);
    assert_cents(&s, &r, "late", 2, "unrealized", units * mark_after(24));
    // And the mark the world gives month 6 is the one the closed form gives.
    let (world, _) = ledger(&s, 0, "late");
    assert!(close(
        world.mark(company(&s, "climb"), 6),
        mark_after(6),
        1e-9
    ));
}

#[test]
fn there_is_no_round_in_an_exits_month() {
    // Acquired in month 4 with rate 1: rounds in months 1, 2 and 3 only, and
    // the mark stays that of round 3 from month 3 on.
    let s = common::scenario(ROUNDS);
    for name in ["convert", "squeezed", "wiped"] {
        let c = company(&s, name);
        let (world, _) = ledger(&s, 3, name);
        let months: Vec<u32> = world.rounds(c).iter().map(|r| r.month).collect();
        assert_eq!(months, vec![1, 2, 3], "{name}");
        for m in 3..=24 {
            assert!(
                close(world.mark(c, m), mark_after(3), 1e-9),
                "{name} month {m}"
            );
        }
    }
}

#[test]
fn an_acquisition_pays_the_waterfall_on_the_grown_stack_in_each_branch() {
    // After 3 rounds: V = 337.5M, N = 19,531,250, P = 162.5M, f = 0.6416
    // (P / f = 253.27M).
    let (v, n, p, f) = after_rounds(3);
    assert!(close(v, 337.5e6, 1e-12) && close(n, 19_531_250.0, 1e-12));
    assert!(close(p, 162.5e6, 1e-12) && close(f, 0.6416, 1e-12));
    let (s, r) = common::simulate(ROUNDS);
    // convert: exit 1.0 V = 337.5M >= P / f: preferred converts, common
    // gets V / N = $17.28. The options (strike 3) pay 17.28 - 3.
    let c = v / n;
    assert!((c - 17.28).abs() < 1e-9);
    assert_cents(&s, &r, "convert", 1, "rsu", 1_000.0 * c);
    assert_cents(&s, &r, "convert", 1, "options", 1_000.0 * (c - 3.0));
    // squeezed: 0.6 V = 202.5M, between P and P / f: preferred takes its
    // 162.5M, common shares the rest: 40M / ((1 - f) N) = 40M / 7M.
    let x = 0.6 * v;
    assert!(x > p && x < p / f);
    let c = (x - p) / ((1.0 - f) * n);
    assert!((c - 40.0 / 7.0).abs() < 1e-9);
    assert_cents(&s, &r, "squeezed", 1, "rsu", 1_000.0 * c);
    // wiped: 0.4 V = 135M <= P: common gets nothing.
    assert!(0.4 * v <= p);
    assert_cents(&s, &r, "wiped", 1, "rsu", 0.0);
    // v1's stack (P0 = 20M, f0 = 0.3, N0 = 10M) would pay 33.75, 20.25 and
    // 13.50 a share: far from these.
    for name in ["convert", "squeezed", "wiped"] {
        assert_cents(&s, &r, name, 1, "unrealized", 0.0);
        assert_cents(&s, &r, name, 2, "rsu", 0.0);
    }
    // The fate the world records says the same.
    let (world, _) = ledger(&s, 0, "squeezed");
    match world.fate(company(&s, "squeezed")) {
        Fate::Exit {
            month,
            ipo,
            value,
            common,
        } => {
            assert_eq!((month, ipo), (4, false));
            assert!(close(value, x, 1e-12), "exit value {value}");
            assert!(close(common, 40.0 / 7.0, 1e-12), "common {common}");
        }
        other => panic!("squeezed: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// After an IPO.

/// IPO in month 12 of every world at 1.0 x $100M over 10M shares: $10 a
/// share. Afterwards GBM with drift 0.10 and volatility 0.40; a 6-month
/// lockup ends in month 18.
const IPO: &str = r#"
[simulation]
years = 4
runs = 40000
seed = 62

[companies.rocket]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 12
ipo_fraction = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }
after_ipo = { drift = 0.10, volatility = 0.40, lockup_months = 6 }

[jobs.held]
company = "rocket"
base = 0

[[jobs.held.grants]]
kind = "rsu"
units = 1_000
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[jobs.opt]
company = "rocket"
base = 0

[[jobs.opt.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12

[jobs.annual]
company = "rocket"
base = 0

[[jobs.annual.grants]]
kind = "rsu"
units = 400
vesting = [25, 25, 25, 25]
frequency = "annual"

[jobs.cash]
base = 60_000

[jobs.fresh]
company = "rocket"
base = 0

[[jobs.fresh.grants]]
kind = "rsu"
value = 120_000
vesting = [100]
frequency = "annual"

[strategies.held]
path = [{ job = "held" }]

[strategies.opt]
path = [{ job = "opt" }]

[strategies.annual]
path = [{ job = "annual" }]

[strategies.leaver]
path = [{ job = "held", months = 14 }, { job = "cash" }]

[strategies.fresh]
path = [{ job = "cash", years = 2 }, { job = "fresh" }]
"#;

static IPO_WORLDS: OnceLock<Worlds> = OnceLock::new();

/// `after_ipo` of `IPO`.
const DRIFT: f64 = 0.10;
const VOL: f64 = 0.40;

#[test]
fn the_lockup_sale_is_units_times_the_ipo_price_times_the_lognormal_over_the_lockup() {
    // S(18) = 10 exp((0.10 - 0.08) 0.5 + 0.4 sqrt(0.5) Z): 1,000 held RSUs
    // sold at it in year 2.
    let w = Worlds::shared(&IPO_WORLDS, IPO);
    assert_eq!(w.runs() as u64, RUNS);
    let t: f64 = 6.0 / 12.0;
    assert_lognormal(
        &w.column("held", 2, "rsu"),
        1_000.0 * 10.0,
        (DRIFT - 0.5 * VOL * VOL) * t,
        VOL * t.sqrt(),
        "1,000 RSUs sold at the lockup's end",
    );
    // 1,000 vested options exercised and sold at it: 1,000 max(S(18) - 4, 0).
    let path = Gbm {
        s0: 10.0,
        mu: DRIFT,
        v: VOL,
        t,
    };
    assert_call(
        &w.column("opt", 2, "options"),
        1_000.0,
        path,
        4.0,
        "1,000 options sold at the lockup's end",
    );
    // Nothing is sold before the lockup's end.
    assert!(w.column("held", 1, "rsu").iter().all(|&x| x == 0.0));
    assert!(w.column("opt", 1, "options").iter().all(|&x| x == 0.0));
}

#[test]
fn units_vesting_after_the_lockup_are_sold_at_the_gbm_price_of_their_month() {
    // 100 units vest at months 36 and 48: sold at S(36) and S(48), lognormal
    // over 2 and 3 years after the IPO.
    let w = Worlds::shared(&IPO_WORLDS, IPO);
    for (year, years_after) in [(3, 2.0f64), (4, 3.0)] {
        assert_lognormal(
            &w.column("annual", year, "rsu"),
            100.0 * 10.0,
            (DRIFT - 0.5 * VOL * VOL) * years_after,
            VOL * years_after.sqrt(),
            &format!("100 units vesting in month {}", 12 * year),
        );
    }
}

#[test]
fn during_the_lockup_held_units_are_unrealized_at_the_market_and_after_it_nothing_is() {
    // Year 1 ends in the IPO month (x <= 12 < 18): 1,000 RSUs at S(12) = $10,
    // 1,000 options at 10 - 4, the 100 units vested at month 12 at $10.
    let s = common::scenario(IPO.replace("runs = 40000", "runs = 50").as_str());
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "held", 1, "unrealized", 10_000.0);
    assert_cents(&s, &r, "opt", 1, "unrealized", 6_000.0);
    assert_cents(&s, &r, "annual", 1, "unrealized", 1_000.0);
    for y in 2..=4 {
        for st in ["held", "opt", "annual", "leaver", "fresh"] {
            assert_cents(&s, &r, st, y, "unrealized", 0.0);
        }
    }
}

#[test]
fn every_world_sells_at_the_lockups_end_and_after_it_at_the_price_of_the_month() {
    // Per world, against the world's own post-IPO path.
    let s = common::scenario(IPO.replace("runs = 40000", "runs = 60").as_str());
    let c = company(&s, "rocket");
    for run in 0..60 {
        let (world, held) = ledger(&s, run, "held");
        let price = |m: u32| world.price(c, m);
        assert_eq!(
            world.fate(c),
            Fate::Exit {
                month: 12,
                ipo: true,
                value: 100e6,
                common: 10.0
            }
        );
        // S(x) is the IPO common price.
        assert!(
            close(price(12), 10.0, 1e-12),
            "run {run}: S(12) {}",
            price(12)
        );
        let g = rsu_grant(&held, 0);
        assert_flows(
            &format!("run {run} held"),
            &held.entries,
            &[(("lockup_sale", g, 18), (1_000.0, 1_000.0 * price(18)))],
        );
        for e in &held.entries {
            if let Flow::LockupSale {
                price: p, strike, ..
            } = e.flow
            {
                assert_eq!(p, price(18), "run {run}");
                assert_eq!(strike, 0.0, "run {run}");
                assert_eq!(e.measure, Measure::Rsu, "run {run}");
            }
        }
        // Options: exercised and sold at the lockup's end, max(S - 4, 0).
        let (_, opt) = ledger(&s, run, "opt");
        let g = option_grant(&opt, 0, 4.0);
        assert_flows(
            &format!("run {run} opt"),
            &opt.entries,
            &[(
                ("lockup_sale", g, 18),
                (1_000.0, 1_000.0 * (price(18) - 4.0).max(0.0)),
            )],
        );
        // annual: the month-12 vest held to month 18, then each vest sold
        // at its month's price.
        let (_, annual) = ledger(&s, run, "annual");
        let g = rsu_grant(&annual, 0);
        assert_flows(
            &format!("run {run} annual"),
            &annual.entries,
            &[
                (("lockup_sale", g, 18), (100.0, 100.0 * price(18))),
                (("vest", g, 24), (100.0, 100.0 * price(24))),
                (("vest", g, 36), (100.0, 100.0 * price(36))),
                (("vest", g, 48), (100.0, 100.0 * price(48))),
            ],
        );
        for e in &annual.entries {
            if let Flow::Vest { price: p, .. } = e.flow {
                assert_eq!(p, price(e.month), "run {run} month {}", e.month);
            }
        }
        // A holder who leaves at month 14, inside the lockup, sells at its end.
        let (_, leaver) = ledger(&s, run, "leaver");
        let g = rsu_grant(&leaver, 0);
        assert_flows(
            &format!("run {run} leaver"),
            &leaver.entries,
            &[(("lockup_sale", g, 18), (1_000.0, 1_000.0 * price(18)))],
        );
        // A grant made after the IPO (month 24) converts $120,000 at S(24)
        // and is sold at S(36) when it vests.
        let (_, fresh) = ledger(&s, run, "fresh");
        let g = rsu_grant(&fresh, 1);
        let units = 120_000.0 / price(24);
        assert_flows(
            &format!("run {run} fresh"),
            &fresh.entries,
            &[(("vest", g, 36), (units, units * price(36)))],
        );
        assert!(close(traced(&s, &fresh, 3, "rsu"), units * price(36), 1e-9));
    }
}

#[test]
fn a_grant_made_after_the_ipo_is_worth_its_value_times_one_years_lognormal() {
    // 120,000 / S(24) units sold at S(36): 120,000 exp((mu - v^2/2) + v Z).
    let w = Worlds::shared(&IPO_WORLDS, IPO);
    assert_lognormal(
        &w.column("fresh", 3, "rsu"),
        120_000.0,
        DRIFT - 0.5 * VOL * VOL,
        VOL,
        "a $120,000 grant at month 24 vesting at month 36",
    );
}

// ---------------------------------------------------------------------------
// Acquisitions: assume, cancel, accelerate.

/// Acquired in month 12 of every world at 2 x $100M over 10M shares: $20 a
/// share. Each job holds 4,800 RSUs and 2,400 options at $5 vesting monthly
/// over 4 years (100 and 50 a month).
const ACQUISITION: &str = r#"
[simulation]
years = 3
runs = 20
seed = 63

[companies.assumed]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 12
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }
on_acquisition = "assume"

[companies.cancelled]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 12
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }
on_acquisition = "cancel"

[companies.accelerated]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 12
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }
on_acquisition = "accelerate"

[jobs.assume]
company = "assumed"
base = 0

[[jobs.assume.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[[jobs.assume.grants]]
kind = "option"
units = 2_400
strike = 5.0
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.cancel]
company = "cancelled"
base = 0

[[jobs.cancel.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[[jobs.cancel.grants]]
kind = "option"
units = 2_400
strike = 5.0
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.accelerate]
company = "accelerated"
base = 0

[[jobs.accelerate.grants]]
kind = "rsu"
units = 4_800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[[jobs.accelerate.grants]]
kind = "option"
units = 2_400
strike = 5.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
on_leave = "forfeit"

[jobs.cash]
base = 60_000

[jobs.after]
company = "assumed"
base = 0

[[jobs.after.grants]]
kind = "rsu"
units = 1_200
vesting = [100]
frequency = "annual"

[strategies.assume]
path = [{ job = "assume" }]

[strategies.cancel]
path = [{ job = "cancel" }]

[strategies.accelerate]
path = [{ job = "accelerate" }]

[strategies.left]
path = [{ job = "accelerate", months = 6 }, { job = "cash" }]

[strategies.joiner]
path = [{ job = "cash", months = 18 }, { job = "after" }]
"#;

#[test]
fn assume_keeps_unvested_units_vesting_and_paying_the_common_price_at_each_vest() {
    // At month 12: 1,200 vested RSUs x $20 and 600 options x (20 - 5); then
    // 100 RSUs and 50 options a month, each paid at its vest.
    let s = common::scenario(ACQUISITION);
    let (_, t) = ledger(&s, 0, "assume");
    let (rsu, opt) = (rsu_grant(&t, 0), option_grant(&t, 0, 5.0));
    let mut want = vec![
        (("settle", rsu, 12), (1_200.0, 24_000.0)),
        (("settle", opt, 12), (600.0, 9_000.0)),
    ];
    for m in 13..=36 {
        want.push((("settle", rsu, m), (100.0, 2_000.0)));
        want.push((("settle", opt, m), (50.0, 750.0)));
    }
    assert_flows("assume", &t.entries, &want);
    let r = Engine::new(&s).simulate(&|_| {});
    for y in 1..=3 {
        assert_cents(&s, &r, "assume", y, "rsu", 24_000.0);
        assert_cents(&s, &r, "assume", y, "options", 9_000.0);
        assert_cents(&s, &r, "assume", y, "unrealized", 0.0);
    }
}

#[test]
fn cancel_forfeits_the_unvested_units_at_the_acquisition() {
    // The vested ones pay $20 (options 20 - 5); 3,600 RSUs and 1,800 options
    // are cancelled at month 12, no money.
    let s = common::scenario(ACQUISITION);
    let (_, t) = ledger(&s, 0, "cancel");
    let (rsu, opt) = (rsu_grant(&t, 0), option_grant(&t, 0, 5.0));
    assert_flows(
        "cancel",
        &t.entries,
        &[
            (("settle", rsu, 12), (1_200.0, 24_000.0)),
            (("settle", opt, 12), (600.0, 9_000.0)),
            (("cancelled", rsu, 12), (3_600.0, 0.0)),
            (("cancelled", opt, 12), (1_800.0, 0.0)),
        ],
    );
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "cancel", 1, "rsu", 24_000.0);
    assert_cents(&s, &r, "cancel", 1, "options", 9_000.0);
    for y in 2..=3 {
        assert_cents(&s, &r, "cancel", y, "rsu", 0.0);
        assert_cents(&s, &r, "cancel", y, "options", 0.0);
        assert_cents(&s, &r, "cancel", y, "unrealized", 0.0);
    }
}

#[test]
fn accelerate_vests_every_unvested_unit_at_the_acquisition() {
    // All 4,800 RSUs pay $20 and all 2,400 options 20 - 5 in month 12.
    let s = common::scenario(ACQUISITION);
    let (_, t) = ledger(&s, 0, "accelerate");
    let (rsu, opt) = (rsu_grant(&t, 0), option_grant(&t, 0, 5.0));
    assert_flows(
        "accelerate",
        &t.entries,
        &[
            (("settle", rsu, 12), (1_200.0, 24_000.0)),
            (("settle", opt, 12), (600.0, 9_000.0)),
            (("accelerated", rsu, 12), (3_600.0, 72_000.0)),
            (("accelerated", opt, 12), (1_800.0, 27_000.0)),
        ],
    );
    for e in &t.entries {
        if let Flow::Accelerated {
            units, per_unit, ..
        } = e.flow
        {
            assert!((e.amount - units * per_unit).abs() < 0.005, "{e:?}");
        }
    }
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "accelerate", 1, "rsu", 96_000.0);
    assert_cents(&s, &r, "accelerate", 1, "options", 36_000.0);
    for y in 2..=3 {
        assert_cents(&s, &r, "accelerate", y, "rsu", 0.0);
        assert_cents(&s, &r, "accelerate", y, "options", 0.0);
    }
}

#[test]
fn accelerate_leaves_a_holder_who_left_before_the_acquisition_with_what_had_vested() {
    // Left at month 6: 600 vested RSUs kept (double trigger), paid $20 at
    // the exit; the vested options lapsed at leaving (forfeit); nothing is
    // accelerated.
    let s = common::scenario(ACQUISITION);
    let (_, t) = ledger(&s, 0, "left");
    let rsu = rsu_grant(&t, 0);
    assert_flows(
        "left",
        &t.entries,
        &[(("settle", rsu, 12), (600.0, 12_000.0))],
    );
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "left", 1, "rsu", 12_000.0);
    assert_cents(&s, &r, "left", 1, "options", 0.0);
}

#[test]
fn a_grant_made_after_an_acquisition_vests_and_pays_the_acquisition_price() {
    // The stint starts at month 18, six months after the acquisition: its
    // 1,200 units vest at month 30 and pay $20 each.
    let s = common::scenario(ACQUISITION);
    let (_, t) = ledger(&s, 0, "joiner");
    let rsu = rsu_grant(&t, 1);
    assert_flows(
        "joiner",
        &t.entries,
        &[(("settle", rsu, 30), (1_200.0, 24_000.0))],
    );
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "joiner", 3, "rsu", 24_000.0);
    assert_cents(&s, &r, "joiner", 2, "rsu", 0.0);
}

// ---------------------------------------------------------------------------
// The exercise window.

/// Fully vested options (existing grants) at $10-a-share private companies;
/// every holder leaves at month 6 for a cash job, so a 3-month window ends
/// at month 9. `acq8` is acquired in month 8 at $20 (inside the window),
/// `acq30` in month 30 at $20, `ipo8` goes public in month 8 at $10 (its
/// lockup ends at month 14), `still` never exits.
const WINDOW: &str = r#"
[simulation]
years = 3
runs = 60
seed = 64

[companies.acq8]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 8
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }

[companies.acq30]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 30
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }

[companies.ipo8]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 8
ipo_fraction = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }
after_ipo = { drift = 0.10, volatility = 0.40, lockup_months = 6 }

[companies.still]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.0, sigma = 0.0 }

[jobs.cash]
base = 60_000

[jobs.acq8]
company = "acq8"
base = 0

[[jobs.acq8.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[[jobs.acq8.grants]]
kind = "option"
units = 1_000
strike = 25.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[jobs.still]
company = "still"
base = 0

[[jobs.still.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[[jobs.still.grants]]
kind = "option"
units = 1_000
strike = 10.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[[jobs.still.grants]]
kind = "option"
units = 1_000
strike = 12.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[jobs.still-120]
company = "still"
base = 0

[[jobs.still-120.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"
exercise_window_months = 120

[jobs.acq30-3]
company = "acq30"
base = 0

[[jobs.acq30-3.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[jobs.acq30-120]
company = "acq30"
base = 0

[[jobs.acq30-120.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"
exercise_window_months = 120

[jobs.ipo8]
company = "ipo8"
base = 0

[[jobs.ipo8.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[[jobs.ipo8.grants]]
kind = "option"
units = 1_000
strike = 30.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[strategies.acq8]
path = [{ job = "acq8", months = 6 }, { job = "cash" }]

[strategies.still]
path = [{ job = "still", months = 6 }, { job = "cash" }]

[strategies.still-120]
path = [{ job = "still-120", months = 6 }, { job = "cash" }]

[strategies.acq30-3]
path = [{ job = "acq30-3", months = 6 }, { job = "cash" }]

[strategies.acq30-120]
path = [{ job = "acq30-120", months = 6 }, { job = "cash" }]

[strategies.ipo8]
path = [{ job = "ipo8", months = 6 }, { job = "cash" }]
"#;

/// No flow of a ledger is an exercise and none is negative.
fn assert_nothing_paid(what: &str, entries: &[Entry]) {
    for e in entries {
        assert!(
            !matches!(e.flow, Flow::Exercise { .. }),
            "{what}: an exercise {e:?}"
        );
        assert!(e.amount >= 0.0, "{what}: a cost {e:?}");
    }
}

#[test]
fn an_acquisition_inside_the_window_pays_common_minus_strike_and_costs_nothing_upfront() {
    // Left at month 6, acquired at month 8 <= 9: cashless at the exit,
    // 1,000 x (20 - 4); the $25 options are under water at $20: nothing.
    let s = common::scenario(WINDOW);
    let (_, t) = ledger(&s, 0, "acq8");
    assert_nothing_paid("acq8", &t.entries);
    let money: f64 = t
        .entries
        .iter()
        .filter(|e| e.measure == Measure::Options)
        .map(|e| e.amount)
        .sum();
    assert!((money - 16_000.0).abs() < 0.005, "{:?}", t.entries);
    for e in t.entries.iter().filter(|e| e.measure == Measure::Options) {
        assert_eq!(e.month, 8, "{e:?}");
    }
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "acq8", 1, "options", 16_000.0);
    assert_cents(&s, &r, "acq8", 1, "unrealized", 0.0);
    assert_cents(&s, &r, "acq8", 2, "options", 0.0);
}

#[test]
fn at_the_windows_end_an_option_in_the_money_at_the_mark_is_bought_for_its_strike() {
    // Mark $10 at month 9: the $4 options are bought (-$4,000 in month 9);
    // the shares are unrealized at the mark, 1,000 x $10, at every year end.
    let s = common::scenario(WINDOW);
    let c = company(&s, "still");
    let (world, t) = ledger(&s, 0, "still");
    let g = option_grant(&t, 0, 4.0);
    assert_flows(
        "still",
        &t.entries,
        &[(("exercise", g, 9), (1_000.0, -4_000.0))],
    );
    for e in &t.entries {
        if let Flow::Exercise {
            grant,
            units,
            strike,
            mark,
        } = e.flow
        {
            assert_eq!((grant, units, strike), (g, 1_000.0, 4.0));
            assert_eq!(mark, world.mark(c, 9));
            assert!(close(mark, 10.0, 1e-12));
            assert_eq!(e.measure, Measure::Options);
        }
    }
    let r = Engine::new(&s).simulate(&|_| {});
    assert_cents(&s, &r, "still", 1, "options", -4_000.0);
    for y in 1..=3 {
        assert_cents(&s, &r, "still", y, "unrealized", 10_000.0);
    }
    assert_cents(&s, &r, "still", 2, "options", 0.0);
}

#[test]
fn at_the_windows_end_options_at_or_under_water_lapse_and_cost_nothing() {
    // Strikes $10 (at the mark) and $12 (above it): they lapse at month 9,
    // no money moves.
    let s = common::scenario(WINDOW);
    let (_, t) = ledger(&s, 0, "still");
    for strike in [10.0, 12.0] {
        let g = option_grant(&t, 0, strike);
        let lapsed: f64 = t
            .entries
            .iter()
            .filter_map(|e| match e.flow {
                Flow::Lapse { grant, units, .. } if grant == g => {
                    assert_eq!(e.amount, 0.0, "{e:?}");
                    assert_eq!(e.month, 9, "{e:?}");
                    Some(units)
                }
                _ => None,
            })
            .sum();
        assert!(
            (lapsed - 1_000.0).abs() < 1e-6,
            "strike {strike}: {lapsed} lapsed"
        );
        for e in &t.entries {
            if let Flow::Exercise { grant, .. } = e.flow {
                assert_ne!(grant, g, "strike {strike} bought: {e:?}");
            }
        }
    }
}

#[test]
fn a_window_ending_after_the_horizon_buys_nothing_and_values_the_options_at_mark_minus_strike() {
    // 120 months from month 6 ends after month 36: nothing paid, the
    // options unrealized at 1,000 x (10 - 4).
    let s = common::scenario(WINDOW);
    let (_, t) = ledger(&s, 0, "still-120");
    assert_nothing_paid("still-120", &t.entries);
    let r = Engine::new(&s).simulate(&|_| {});
    for y in 1..=3 {
        assert_cents(&s, &r, "still-120", y, "options", 0.0);
        assert_cents(&s, &r, "still-120", y, "unrealized", 6_000.0);
    }
}

#[test]
fn a_120_month_window_waits_for_the_exit_and_a_90_day_one_does_not() {
    let s = common::scenario(WINDOW);
    let r = Engine::new(&s).simulate(&|_| {});
    // 120 months: the acquisition at month 30 comes inside it: cashless,
    // 1,000 x (20 - 4) in year 3, nothing paid before.
    let (_, t) = ledger(&s, 0, "acq30-120");
    assert_nothing_paid("acq30-120", &t.entries);
    assert_cents(&s, &r, "acq30-120", 1, "options", 0.0);
    assert_cents(&s, &r, "acq30-120", 2, "options", 0.0);
    assert_cents(&s, &r, "acq30-120", 3, "options", 16_000.0);
    // Until then the vested options are unrealized at mark - strike.
    assert_cents(&s, &r, "acq30-120", 1, "unrealized", 6_000.0);
    assert_cents(&s, &r, "acq30-120", 2, "unrealized", 6_000.0);
    assert_cents(&s, &r, "acq30-120", 3, "unrealized", 0.0);
    // 3 months: bought at month 9 for $4,000, the shares then pay $20 at
    // the acquisition; unrealized at the $10 mark until then.
    let (_, t) = ledger(&s, 0, "acq30-3");
    let g = option_grant(&t, 0, 4.0);
    assert_flows(
        "acq30-3",
        &t.entries,
        &[
            (("exercise", g, 9), (1_000.0, -4_000.0)),
            (("settle", g, 30), (1_000.0, 20_000.0)),
        ],
    );
    assert_cents(&s, &r, "acq30-3", 1, "options", -4_000.0);
    assert_cents(&s, &r, "acq30-3", 2, "options", 0.0);
    assert_cents(&s, &r, "acq30-3", 3, "options", 20_000.0);
    assert_cents(&s, &r, "acq30-3", 1, "unrealized", 10_000.0);
    assert_cents(&s, &r, "acq30-3", 2, "unrealized", 10_000.0);
    assert_cents(&s, &r, "acq30-3", 3, "unrealized", 0.0);
}

#[test]
fn an_ipo_inside_the_window_sells_the_options_at_the_lockups_end() {
    // IPO at month 8 <= 9: nothing paid upfront; at month 14 both grants
    // are exercised and sold at max(S(14) - strike, 0). At year 1's end
    // (8 <= 12 < 14) they are unrealized at max(S(12) - strike, 0).
    let s = common::scenario(WINDOW);
    let c = company(&s, "ipo8");
    let mut in_the_money = [0, 0];
    for run in 0..s.sim.runs {
        let (world, t) = ledger(&s, run, "ipo8");
        let price = |m: u32| world.price(c, m);
        assert!(close(price(8), 10.0, 1e-12), "run {run}: S(8) {}", price(8));
        assert_nothing_paid(&format!("run {run} ipo8"), &t.entries);
        let (g4, g30) = (option_grant(&t, 0, 4.0), option_grant(&t, 0, 30.0));
        let mut want = vec![(
            ("lockup_sale", g4, 14),
            (1_000.0, 1_000.0 * (price(14) - 4.0).max(0.0)),
        )];
        // The $30 options are sold when S(14) > 30; at or under water
        // they may be listed as sold for nothing or lapse.
        let listed = equity_flows(&t.entries).contains_key(&("lockup_sale", g30, 14));
        if price(14) > 30.0 || listed {
            want.push((
                ("lockup_sale", g30, 14),
                (1_000.0, 1_000.0 * (price(14) - 30.0).max(0.0)),
            ));
        }
        assert_flows(&format!("run {run} ipo8"), &t.entries, &want);
        let sale = 1_000.0 * ((price(14) - 4.0).max(0.0) + (price(14) - 30.0).max(0.0));
        assert!(
            (traced(&s, &t, 2, "options") - sale).abs() < 0.005,
            "run {run}"
        );
        assert_eq!(traced(&s, &t, 1, "options"), 0.0, "run {run}");
        let held = 1_000.0 * ((price(12) - 4.0).max(0.0) + (price(12) - 30.0).max(0.0));
        assert!(
            (traced(&s, &t, 1, "unrealized") - held).abs() < 0.005,
            "run {run}: unrealized {} want {held}",
            traced(&s, &t, 1, "unrealized")
        );
        assert_eq!(traced(&s, &t, 2, "unrealized"), 0.0, "run {run}");
        in_the_money[usize::from(price(14) > 4.0)] += 1;
    }
    assert!(in_the_money[1] > 0, "{in_the_money:?}");
}

/// Fully vested $4 options at a $10 company that fails at a yearly rate of
/// 0.5 and never exits; the holder leaves at month 6 (3-month window: the
/// decision at month 9).
const FRAGILE: &str = r#"
[simulation]
years = 3
runs = 2000
seed = 65

[companies.fragile]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.0
failure_rate = 0.5
exit_multiple = { median = 1.0, sigma = 0.0 }

[jobs.cash]
base = 60_000

[jobs.start]
company = "fragile"
base = 0

[[jobs.start.grants]]
kind = "option"
units = 1_000
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"

[strategies.leave]
path = [{ job = "start", months = 6 }, { job = "cash" }]
"#;

static FRAGILE_WORLDS: OnceLock<Worlds> = OnceLock::new();

/// Each world's failure month of `fragile`, or `None`.
fn failure_months(w: &Worlds) -> Vec<Option<u32>> {
    let c = company(&w.s, "fragile");
    w.fates
        .iter()
        .map(|f| match f[c] {
            Fate::Failure { month } => Some(month),
            Fate::Private => None,
            other => panic!("fragile never exits: {other:?}"),
        })
        .collect()
}

#[test]
fn a_failure_inside_the_window_lapses_the_options() {
    // Failure in months 7-9: nothing bought, nothing paid, nothing held.
    // Failure after month 9 (or none): bought at month 9 for $4,000, the
    // shares unrealized at the $10 mark at the year ends before the
    // failure, worthless after it.
    let w = Worlds::shared(&FRAGILE_WORLDS, FRAGILE);
    let months = failure_months(w);
    let (mut inside, mut after) = (0, 0);
    for (run, f) in months.iter().enumerate() {
        let row = &w.rows[run];
        let options: Vec<f64> = (1..=3)
            .map(|y| row[w.index("leave", y, "options")])
            .collect();
        let unrealized: Vec<f64> = (1..=3)
            .map(|y| row[w.index("leave", y, "unrealized")])
            .collect();
        match *f {
            Some(m) if (7..=9).contains(&m) => {
                inside += 1;
                assert_eq!(options, vec![0.0; 3], "run {run}: failure in month {m}");
                assert_eq!(unrealized, vec![0.0; 3], "run {run}: failure in month {m}");
            }
            Some(m) if m <= 6 => {}
            f => {
                after += 1;
                assert!(
                    (options[0] + 4_000.0).abs() < 0.005 && options[1] == 0.0 && options[2] == 0.0,
                    "run {run}: failure {f:?}: options {options:?}"
                );
                for (y, u) in unrealized.iter().enumerate() {
                    let year_end = 12 * (y as u32 + 1);
                    let want = if f.is_some_and(|m| m <= year_end) {
                        0.0
                    } else {
                        10_000.0
                    };
                    assert!(
                        (u - want).abs() < 0.005,
                        "run {run}: failure {f:?}: year {} unrealized {u}, want {want}",
                        y + 1
                    );
                }
            }
        }
    }
    // The monthly failure probability is 1 - 0.5^(1/12) = 5.6 %: about 15 %
    // of the 2,000 worlds fail in months 7-9, about 70 % later or never.
    assert!(
        inside > 100 && after > 1_000,
        "{inside} inside, {after} after"
    );
    // And the ledger says they lapsed, in the failure's world.
    let s = &w.s;
    let run = months
        .iter()
        .position(|f| f.is_some_and(|m| (7..=9).contains(&m)))
        .unwrap() as u64;
    let (_, t) = ledger(s, run, "leave");
    assert_nothing_paid("a failure inside the window", &t.entries);
    let lapsed: f64 = t
        .entries
        .iter()
        .filter_map(|e| match e.flow {
            Flow::Lapse { units, .. } => Some(units),
            _ => None,
        })
        .sum();
    assert!((lapsed - 1_000.0).abs() < 1e-6, "{:?}", t.entries);
}

#[test]
fn a_failure_that_ends_the_stint_leaves_nothing_worth_buying() {
    // A failure in months 1-6 ends the stint (the holder leaves at the
    // failure): the company's common is worth nothing, so no strike is
    // paid for it whatever the last mark was.
    let w = Worlds::shared(&FRAGILE_WORLDS, FRAGILE);
    let months = failure_months(w);
    let mut seen = 0;
    for (run, f) in months.iter().enumerate() {
        if f.is_some_and(|m| m <= 6) {
            seen += 1;
            for y in 1..=3 {
                let o = w.rows[run][w.index("leave", y, "options")];
                let u = w.rows[run][w.index("leave", y, "unrealized")];
                assert!(
                    o == 0.0 && u == 0.0,
                    "run {run}: failure {f:?}: year {y} options {o} unrealized {u}"
                );
            }
        }
    }
    assert!(seen > 100, "{seen} failures in months 1-6");
}

// ---------------------------------------------------------------------------
// A property: no strike is ever paid for an option at or under water.

/// A generated startup: rounds that may go down, exits and failures, a
/// lockup, options at strikes around the $10 mark with windows of 1 to 120
/// months, and paths that leave and come back.
#[derive(Debug, Clone)]
struct Startup {
    years: u32,
    seed: u64,
    exit_rate: f64,
    failure_rate: f64,
    ipo_fraction: f64,
    sigma: f64,
    rate: f64,
    step_median: f64,
    step_sigma: f64,
    dilution: f64,
    lockup: u32,
    on_acquisition: u8,
    strikes: (f64, f64, f64),
    windows: (u32, u32, u32),
    months: (u32, u32, u32),
}

/// An exercise window: mostly one that ends inside a 2-5 year horizon, at
/// times a 10-year one.
fn window() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 1u32..=12, 1 => 13u32..=120]
}

fn startup() -> impl Strategy<Value = Startup> {
    (
        (
            2u32..=5,
            any::<u64>(),
            0.0..0.4f64,
            0.0..0.4f64,
            0.0..=1.0f64,
            0.0..1.5f64,
            0.0..=1.0f64,
            0.3..2.5f64,
        ),
        (
            0.0..1.0f64,
            0.0..0.5f64,
            0u32..=12,
            0u8..3,
            (0.5..30.0f64, 0.5..30.0f64, 0.5..30.0f64),
            (window(), window(), window()),
            (1u32..40, 1u32..20, 1u32..30),
        ),
    )
        .prop_map(
            |(
                (years, seed, exit_rate, failure_rate, ipo_fraction, sigma, rate, step_median),
                (step_sigma, dilution, lockup, on_acquisition, strikes, windows, months),
            )| Startup {
                years,
                seed,
                exit_rate,
                failure_rate,
                ipo_fraction,
                sigma,
                rate,
                step_median,
                step_sigma,
                dilution,
                lockup,
                on_acquisition,
                strikes,
                windows,
                months,
            },
        )
}

impl Startup {
    fn toml(&self) -> String {
        let acquisition = ["assume", "cancel", "accelerate"][self.on_acquisition as usize];
        let mut t = format!(
            "[simulation]\nyears = {}\nruns = 40\nseed = {}\n\n",
            self.years,
            self.seed % 1_000_000
        );
        t += &format!(
            "[companies.rocket]\ntype = \"private\"\nvaluation = 100_000_000\nshares = 10_000_000\n\
             preference = 20_000_000\npreferred_fraction = 0.3\nexit_rate = {:?}\nfailure_rate = {:?}\n\
             ipo_fraction = {:?}\nexit_multiple = {{ median = 1.2, sigma = {:?} }}\n\
             rounds = {{ rate = {:?}, step_up = {{ median = {:?}, sigma = {:?} }}, dilution = {:?} }}\n\
             after_ipo = {{ drift = 0.08, volatility = 0.5, lockup_months = {} }}\n\
             on_acquisition = \"{acquisition}\"\n\n",
            self.exit_rate,
            self.failure_rate,
            self.ipo_fraction,
            self.sigma,
            self.rate,
            self.step_median,
            self.step_sigma,
            self.dilution,
            self.lockup
        );
        let (k1, k2, k3) = self.strikes;
        let (w1, w2, w3) = self.windows;
        t += &format!(
            "[jobs.first]\ncompany = \"rocket\"\nbase = 150_000\n\n\
             [[jobs.first.grants]]\nkind = \"option\"\nunits = 10_000\nstrike = {k1:?}\n\
             vesting = [25, 25, 25, 25]\nfrequency = \"monthly\"\ngranted_months_ago = 24\n\
             on_leave = \"exercise\"\nexercise_window_months = {w1}\n\n\
             [[jobs.first.grants]]\nkind = \"option\"\nunits = 20_000\nstrike = {k2:?}\n\
             vesting = [25, 25, 25, 25]\nfrequency = \"monthly\"\ncliff_months = 12\n\
             on_leave = \"exercise\"\nexercise_window_months = {w2}\n\n\
             [jobs.again]\ncompany = \"rocket\"\nbase = 160_000\n\n\
             [[jobs.again.grants]]\nkind = \"option\"\nunits = 15_000\nstrike = {k3:?}\n\
             vesting = [25, 25, 25, 25]\nfrequency = \"monthly\"\n\
             on_leave = \"exercise\"\nexercise_window_months = {w3}\n\n\
             [jobs.cash]\nbase = 200_000\n\n"
        );
        let horizon = 12 * self.years;
        let (a, b, c) = self.months;
        let fit = |m: u32| m.min(horizon.saturating_sub(1)).max(1);
        let a = fit(a);
        t += &format!(
            "[strategies.leaves]\npath = [{{ job = \"first\", months = {a} }}, {{ job = \"cash\" }}]\n\n"
        );
        if a + b < horizon {
            t += &format!(
                "[strategies.returns]\npath = [{{ job = \"first\", months = {a} }}, \
                 {{ job = \"cash\", months = {b} }}, {{ job = \"again\" }}]\n\n"
            );
        }
        if b + c < horizon {
            t += &format!(
                "[strategies.joins]\npath = [{{ job = \"cash\", months = {b} }}, \
                 {{ job = \"again\", months = {c} }}, {{ job = \"cash\" }}]\n\n"
            );
        }
        t += "[strategies.stays]\npath = [{ job = \"first\" }]\n";
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case replays 40 worlds of every strategy in a debug build.
        cases: 32,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// model.md section 9: "Underwater options are never bought." Every
    /// `Flow::Exercise` of every strategy in every world pays the strike of
    /// an option whose mark at the decision month, `World::mark(c, month)`,
    /// is above it; the company is still private and alive then; the cost
    /// is `units x strike`, an `options` flow.
    #[test]
    fn no_strategy_ever_pays_a_strike_for_an_option_at_or_under_water(st in startup()) {
        let text = st.toml();
        let s = tcsim::scenario::parse("startup.toml", &text)
            .unwrap_or_else(|err| panic!("{err}\n{text}"));
        let c = company(&s, "rocket");
        for run in 0..s.sim.runs {
            let (world, traces) = replay(&s, run, None);
            for t in &traces {
                let name = &s.strategies[t.strategy].name;
                for e in &t.entries {
                    if let Flow::Lapse { mark, strike, .. } = e.flow {
                        // The rest lapse: at or under water at the mark, or
                        // the company failed (mark 0).
                        if mark != 0.0 {
                            prop_assert!(mark <= strike,
                                "run {} {}: lapsed at mark {} > strike {}: {:?}\n{}", run, name, mark, strike, e, text);
                            prop_assert_eq!(mark, world.mark(c, e.month),
                                "run {} {}: the mark of month {} is {}: {:?}\n{}", run, name, e.month, world.mark(c, e.month), e, text);
                        }
                    }
                    let Flow::Exercise { grant, units, strike, mark } = e.flow else {
                        continue;
                    };
                    prop_assert!(mark > strike,
                        "run {} {}: bought at mark {} <= strike {}: {:?}\n{}", run, name, mark, strike, e, text);
                    prop_assert_eq!(mark, world.mark(c, e.month),
                        "run {} {}: the mark of month {} is {}: {:?}\n{}", run, name, e.month, world.mark(c, e.month), e, text);
                    let g = &t.grants[grant];
                    prop_assert_eq!(g.company, c);
                    let granted_strike = match g.kind {
                        GrantKind::Option { strike, .. } => strike,
                        GrantKind::Rsu => panic!("run {run} {name}: an RSU exercised: {e:?}\n{text}"),
                    };
                    prop_assert_eq!(strike, granted_strike);
                    prop_assert!(e.measure == Measure::Options, "{:?}", e);
                    prop_assert!(units > 0.0 && (e.amount + units * strike).abs() <= 1e-6 * (units * strike).max(1.0),
                        "run {} {}: {:?}", run, name, e);
                    match world.fate(c) {
                        Fate::Exit { month, .. } | Fate::Failure { month } => prop_assert!(e.month < month,
                            "run {} {}: bought in month {} at or after the company's {:?}\n{}", run, name, e.month, world.fate(c), text),
                        Fate::Private => {}
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Streams and what stays as it was.

/// A public company, two private ones (`rocket` with `{rounds}` or none),
/// a cash-only job, and one strategy per company.
fn streams(rounds: &str) -> String {
    format!(
        r#"
[simulation]
years = 4
runs = 1000
seed = 66

[companies.co]
type = "public"
share_price = 50.0
drift = 0.08
volatility = 0.30

[companies.rocket]
type = "private"
valuation = 200_000_000
shares = 20_000_000
preference = 40_000_000
preferred_fraction = 0.3
exit_rate = 0.15
failure_rate = 0.10
ipo_fraction = 0.3
exit_multiple = {{ median = 1.2, sigma = 0.8 }}
{rounds}

[companies.calm]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_rate = 0.15
failure_rate = 0.10
ipo_fraction = 0.3
exit_multiple = {{ median = 1.2, sigma = 0.8 }}
dilution = 0.08

[jobs.pub]
company = "co"
base = 180_000
raise = {{ mean = 0.03, sd = 0.02 }}
bonus = {{ target = 0.15, sd = 0.3 }}

[[jobs.pub.grants]]
kind = "rsu"
value = 200_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[jobs.rocket]
company = "rocket"
base = 160_000
raise = {{ mean = 0.04, sd = 0.02 }}

[[jobs.rocket.grants]]
kind = "option"
units = 20_000
strike = 2.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
on_leave = "exercise"

[jobs.calm]
company = "calm"
base = 150_000

[[jobs.calm.grants]]
kind = "option"
units = 20_000
strike = 2.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
on_leave = "exercise"

[[jobs.calm.grants]]
kind = "rsu"
units = 5_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[jobs.cash]
base = 200_000
bonus = {{ target = 0.5, sd = 0.8, distribution = "lognormal" }}

[strategies.pub]
path = [{{ job = "pub" }}]

[strategies.rocket]
path = [{{ job = "rocket", years = 2 }}, {{ job = "cash" }}]

[strategies.calm]
path = [{{ job = "calm", months = 30 }}, {{ job = "pub" }}]

[strategies.cash]
path = [{{ job = "cash" }}]
"#
    )
}

/// Whether `strategy`'s values are the same bits in both sets of worlds,
/// for every measure both report; asserts it when `expect_same`.
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
fn adding_rounds_to_one_company_changes_no_other_companys_or_jobs_draws() {
    let before = Worlds::of(&streams(""));
    let after = Worlds::of(&streams(
        "rounds = { rate = 0.6, step_up = { median = 1.6, sigma = 0.6 }, dilution = 0.18 }",
    ));
    // pub, calm and cash hold nothing of rocket: every value of every world
    // is the same bits.
    for st in ["pub", "calm", "cash"] {
        same_values(&before, &after, st, true);
    }
    // rocket's own fate keeps its month and kind (the rounds have their own
    // stream); the other companies' fates are the same.
    let (r, calm) = (company(&before.s, "rocket"), company(&before.s, "calm"));
    let when = |f: Fate| match f {
        Fate::Private => (0, 0),
        Fate::Exit { month, ipo, .. } => (month, 1 + u32::from(ipo)),
        Fate::Failure { month } => (month, 3),
    };
    for run in 0..before.runs() {
        assert_eq!(
            when(before.fates[run][r]),
            when(after.fates[run][r]),
            "run {run}"
        );
        assert_eq!(before.fates[run][calm], after.fates[run][calm], "run {run}");
    }
    // Not vacuous: the rounds do change rocket's holder.
    assert!(!same_values(&before, &after, "rocket", false));
}

/// A v1 file with a private company where none of v2's four changes to
/// private results applies: no failures, no IPOs, nobody leaves with
/// `on_leave = "exercise"`, no stint starts after an exit. With `defaults`
/// the new keys spelled out at their defaults (`exercise_window_months`
/// only with `exercise`, the only `on_leave` it is allowed with).
fn v1_private(defaults: bool, exercise: bool) -> String {
    let company = if defaults {
        "after_ipo = { drift = 0.08, volatility = 0.50, lockup_months = 6 }\non_acquisition = \"assume\"\n"
    } else {
        ""
    };
    let grant = match (defaults, exercise) {
        (true, true) => "on_leave = \"exercise\"\nexercise_window_months = 3\n",
        (false, true) => "on_leave = \"exercise\"\n",
        (_, false) => "on_leave = \"forfeit\"\n",
    };
    format!(
        r#"
[simulation]
years = 5
runs = 1000
seed = 67

[companies.co]
type = "public"
share_price = 40.0
drift = 0.08
volatility = 0.35

[companies.rocket]
type = "private"
valuation = 300_000_000
shares = 30_000_000
preference = 65_000_000
preferred_fraction = 0.45
exit_rate = 0.15
failure_rate = 0.0
ipo_fraction = 0.0
exit_multiple = {{ median = 1.2, sigma = 1.0 }}
dilution = 0.09
{company}
[jobs.start]
company = "rocket"
base = 185_000
raise = {{ mean = 0.04, sd = 0.02 }}
bonus = {{ target = 0.05, sd = 0.2 }}

[[jobs.start.grants]]
kind = "option"
units = 40_000
strike = 3.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12
{grant}
[[jobs.start.grants]]
kind = "rsu"
units = 4_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[jobs.pub]
company = "co"
base_raise = {{ min = 0.10, max = 0.25 }}
bonus = {{ target = 0.15, sd = 0.25 }}

[[jobs.pub.grants]]
kind = "rsu"
value = 300_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[strategies.stay]
path = [{{ job = "start" }}]

[strategies.leave]
path = [{{ job = "start", years = 2 }}, {{ job = "pub" }}]
"#
    )
}

/// FNV-1a of `bytes`, continuing from `h`.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a over every value of every row rounded to the cent (as an
/// integer), in run order.
fn cents_fingerprint(w: &Worlds) -> u64 {
    w.rows.iter().flatten().fold(FNV_START, |h, v| {
        fnv(h, &((v * 100.0).round() as i64).to_le_bytes())
    })
}

/// What v1's private rules compute for `v1_private(false, false)`:
/// [`cents_fingerprint`] of its rows, and FNV-1a of the bytes of its
/// `percentiles.csv` and `compare.csv`. Pinned at commit 16cc715 (v1,
/// before startup life), whose rows the v2 private rules reproduced to the
/// cent; re-pinned when the public company's price path became a Brownian
/// bridge over keyed normals (model.md section 14), which changes the
/// public prices of this file and nothing of its private company.
const V1_CENTS: u64 = 4_106_096_412_755_667_450;
const V1_PERCENTILES: u64 = 14_834_013_150_732_854_881;
const V1_COMPARE: u64 = 5_187_304_517_942_060_668;

#[test]
fn a_v1_private_file_none_of_the_four_changes_touch_gives_v1s_values_and_bytes() {
    // Acquisitions only, forfeit on leaving, every stint from month 0: v1's
    // rules (yearly dilution, the mark V / N, assume) give every value to
    // the cent in every world, and `tcsim run` writes v1's bytes. (Not the
    // same bits: v2 adds an exit's settlements in another order, which
    // moves some values by an ulp, at most 6e-16 of them.)
    let w = Worlds::of(&v1_private(false, false));
    assert_eq!(
        cents_fingerprint(&w),
        V1_CENTS,
        "the rows of a v1 private file changed"
    );
    let dir = common::tempdir();
    let path = dir.path().join("v1.toml");
    std::fs::write(&path, v1_private(false, false)).unwrap();
    let out = dir.path().join("out");
    common::run_ok(&path, &out, &[]);
    for (file, want) in [
        ("percentiles.csv", V1_PERCENTILES),
        ("compare.csv", V1_COMPARE),
    ] {
        let bytes = std::fs::read(out.join(file)).unwrap();
        assert_eq!(fnv(FNV_START, &bytes), want, "{file} differs from v1's");
    }
}

#[test]
fn the_new_keys_at_their_defaults_change_nothing() {
    // after_ipo, on_acquisition and exercise_window_months spelled out at
    // their defaults give the same bits as leaving them out, here and in a
    // file with IPOs, failures and exercise windows.
    let without = Worlds::of(&v1_private(false, false));
    let with = Worlds::of(&v1_private(true, false));
    for st in ["stay", "leave"] {
        same_values(&without, &with, st, true);
    }
    let busy = |defaults: bool| {
        v1_private(defaults, true)
            .replace("failure_rate = 0.0", "failure_rate = 0.1")
            .replace("ipo_fraction = 0.0", "ipo_fraction = 0.4")
    };
    let without = Worlds::of(&busy(false));
    let with = Worlds::of(&busy(true));
    for st in ["stay", "leave"] {
        same_values(&without, &with, st, true);
    }
}

// ---------------------------------------------------------------------------
// The bundled scenarios.

/// A bundled scenario at 2,000 runs.
fn bundled(name: &str) -> Worlds {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("bundled scenario");
    assert!(text.contains("runs = 100000"), "{name}");
    Worlds::of(&text.replace("runs = 100000", "runs = 2000"))
}

#[test]
fn the_bundled_leave_the_startup_compares_a_90_day_window_with_a_10_year_one() {
    // Both leave at month 24 with 20,000 vested $3 options. The 90-day
    // window ends at month 27: the options in the money at the mark are
    // bought then, at most 20,000 x $3, in year 3. The 10-year window ends
    // after the horizon: no strike is ever paid.
    let w = bundled("leave-the-startup");
    for row in &w.rows {
        assert!(row.iter().all(|v| v.is_finite()));
    }
    let mut bought = 0;
    for y in 1..=6 {
        for (run, (&short, &long)) in w
            .column("leave-exercise", y, "options")
            .iter()
            .zip(&w.column("leave-exercise-10y", y, "options"))
            .enumerate()
        {
            assert!(
                long >= 0.0,
                "run {run} year {y}: the 10-year window paid {long}"
            );
            assert!(short >= -60_000.005, "run {run} year {y}: paid {short}");
            if y != 3 {
                assert!(
                    short >= 0.0,
                    "run {run} year {y}: paid {short} outside year 3"
                );
            } else if short < 0.0 {
                bought += 1;
            }
        }
    }
    // Most worlds are still private and alive at month 27 with the mark
    // above $3: the 90-day leaver pays in them.
    assert!(bought > w.runs() / 4, "{bought} worlds bought at month 27");
}

#[test]
fn the_bundled_bigtech_vs_startup_has_rounds_that_move_the_unrealized_value() {
    // With rounds the mark moves: the startup's unrealized value at year 2's
    // end (vested options at mark - $3) takes many values, not v1's one
    // (20,000 x (10 - 3) in every world still private).
    let w = bundled("bigtech-vs-startup");
    for row in &w.rows {
        assert!(row.iter().all(|v| v.is_finite()));
    }
    let mut values: Vec<f64> = w
        .column("startup", 2, "unrealized")
        .into_iter()
        .filter(|&v| v > 0.0)
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup_by(|a, b| (*a - *b).abs() < 0.005);
    assert!(
        values.len() > 100,
        "{} distinct unrealized values",
        values.len()
    );
}

/// model.md section 3's floor ($0.0001 a share) holds for a `value` grant
/// made after an IPO whose price is near zero: the grant converts at the
/// floor, so its unit count and every output stay finite (section 7).
#[test]
fn a_value_grant_after_an_ipo_at_a_near_zero_price_converts_at_the_floor() {
    let text = r#"
[simulation]
years = 3
runs = 50
seed = 5

[companies.dust]
type = "private"
valuation = 1
shares = 1e12
exit_month = 5
ipo_fraction = 1.0
exit_multiple = { median = 1e-300, sigma = 0.0 }

[jobs.first]
company = "dust"
base = 100_000

[jobs.later]
company = "dust"
base = 100_000

[[jobs.later.grants]]
kind = "rsu"
value = 100_000
vesting = [100]
frequency = "quarterly"

[strategies.stay]
path = [{ job = "first", years = 1 }, { job = "later" }]
"#;
    let (s, r) = common::simulate(text);
    for series in &r.series {
        assert!(series.mean.is_finite());
        assert!(series.quantiles.iter().all(|q| q.is_finite()));
    }
    // 100,000 / 0.0001 = 1e9 units, each worth the near-zero price: the
    // vests pay (almost) nothing, never infinity.
    let (_, t) = ledger(&s, 0, "stay");
    let units: f64 = t
        .entries
        .iter()
        .filter_map(|e| match e.flow {
            Flow::Vest { units, .. } | Flow::LockupSale { units, .. } => Some(units),
            _ => None,
        })
        .sum();
    assert!((units - 1e9).abs() < 1e-3, "units {units}");
}
