//! One possible world: every company's price path or fate and every job's
//! yearly draws, sampled once per run and read by every strategy (common
//! random numbers, docs/reference.md, "The model's rules").
//!
//! Each company and each job draws from its own stream, seeded from
//! `(seed, run, stable key of its name)`; the market and each job's layoff
//! draws have streams of their own. So run `i`'s world depends only on
//! `(seed, i)`, and adding a strategy, job, company, market or layoff table
//! leaves the draws of the others untouched.

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{
    BonusDistribution, CompanyKind, Gbm, Layoffs, Market, PrivateCompany, Scenario,
};
use crate::waterfall::common_price;

/// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective mix of 64 bits.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for one entity's draws in one run.
pub fn stream(seed: u64, run: u64, key: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(splitmix(splitmix(seed) ^ run) ^ key))
}

/// FNV-1a of `kind:name`, the same hash the scenario checker gives every
/// company and job ([`crate::scenario::check::stream_key`]), here for the
/// market's key: no company or job is of kind `market`.
const fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// The market's stream key.
pub const MARKET_STREAM: u64 = fnv(b"market:");

/// The stream key of job `job_stream`'s layoff draws: its own, so adding a
/// layoff table shifts none of the job's raise, bonus or switch draws.
pub fn layoff_stream(job_stream: u64) -> u64 {
    splitmix(job_stream ^ fnv(b"layoffs:"))
}

/// No layoff within the horizon.
pub const NEVER: u32 = u32::MAX;

/// A job's draws for one calendar year, already turned into factors.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobYear {
    /// Base multiplier at the anniversary ending this year: merit raise
    /// `max(0, 1 + mean + sd z)` times the promotion bump if promoted.
    pub raise: f64,
    /// Bonus noise before the link and the bounds: `1 + sd z`, or
    /// `exp(sd z - sd^2/2)` for a lognormal bonus.
    pub bonus: f64,
    /// Base multiplier of a `base_raise` stint starting this year:
    /// `1 + U(min, max)`.
    pub switch: f64,
}

/// What happened to a private company by the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// Still private at the horizon.
    Private,
    /// A liquidity event.
    Exit {
        /// Month of the event (1-based, within the horizon).
        month: u32,
        /// IPO (true) or acquisition.
        ipo: bool,
        /// Exit value `V` in dollars.
        value: f64,
        /// Common price per share after the preference waterfall.
        common: f64,
    },
    /// Shut down; common is worth nothing.
    Failure {
        /// Month of the failure.
        month: u32,
    },
}

/// Storage for one world, reused across the runs of a chunk.
#[derive(Debug, Clone)]
pub struct World {
    months: usize,
    years: usize,
    /// `price[c * (months + 1) + m]`, filled at the months some strategy
    /// reads (see [`WorldShape::needed`]); public companies only.
    price: Vec<f64>,
    /// `jobs[j * years + y]`.
    jobs: Vec<JobYear>,
    /// One fate per company (`Private` for public companies).
    fates: Vec<Fate>,
    /// `ln M(m)` for months `0 ..= months` (empty without `[market]`).
    log_market: Vec<f64>,
    /// The market's standard normal shock of each price step.
    market_shock: Vec<f64>,
    /// `next_layoff[j * (months + 2) + m]`: the first month `>= m` in which
    /// a holder of job `j` would be laid off, or [`NEVER`].
    next_layoff: Vec<u32>,
}

/// What the sampler needs to know besides the scenario: which months'
/// prices are read. Skipping the other `exp` calls changes no draw.
#[derive(Debug, Clone)]
pub struct WorldShape {
    /// `needed[c][m]`: some strategy reads company `c`'s price at month `m`.
    pub needed: Vec<Vec<bool>>,
    /// Whether any strategy holds job `j` (unheld jobs need no draws; their
    /// streams are separate, so skipping them changes nothing else).
    pub job_used: Vec<bool>,
}

impl WorldShape {
    /// Nothing read yet, for `scenario`.
    pub fn empty(scenario: &Scenario) -> WorldShape {
        WorldShape {
            needed: vec![vec![false; scenario.sim.months() as usize + 1]; scenario.companies.len()],
            job_used: vec![false; scenario.jobs.len()],
        }
    }
}

impl World {
    /// Empty storage for worlds of `scenario`.
    pub fn new(scenario: &Scenario) -> World {
        let months = scenario.sim.months() as usize;
        let years = scenario.sim.years as usize;
        let steps = months * (scenario.sim.steps_per_year as usize / 12);
        let market = scenario.market.is_some();
        World {
            months,
            years,
            price: vec![0.0; scenario.companies.len() * (months + 1)],
            jobs: vec![JobYear::default(); scenario.jobs.len() * years],
            fates: vec![Fate::Private; scenario.companies.len()],
            log_market: if market {
                vec![0.0; months + 1]
            } else {
                Vec::new()
            },
            market_shock: if market { vec![0.0; steps] } else { Vec::new() },
            next_layoff: vec![NEVER; scenario.jobs.len() * (months + 2)],
        }
    }

    /// The market level `M(m)` (1 at month 0), or `None` without `[market]`.
    pub fn market(&self, m: u32) -> Option<f64> {
        self.log_market.get(m as usize).map(|l| l.exp())
    }

    /// `ln M(a) - ln M(b)`: the market's log return from month `b` to `a`
    /// (0 without `[market]`).
    #[inline]
    pub fn market_log_return(&self, a: u32, b: u32) -> f64 {
        if self.log_market.is_empty() {
            0.0
        } else {
            self.log_market[a as usize] - self.log_market[b as usize]
        }
    }

    /// The first month `>= from` in which a holder of job `j` is laid off,
    /// or [`NEVER`] (always [`NEVER`] for a job without layoffs).
    #[inline]
    pub fn next_layoff(&self, j: usize, from: u32) -> u32 {
        self.next_layoff[j * (self.months + 2) + (from as usize).min(self.months + 1)]
    }

    /// Company `c`'s share price at month `m` (public companies, months the
    /// shape marked as needed).
    #[inline]
    pub fn price(&self, c: usize, m: u32) -> f64 {
        self.price[c * (self.months + 1) + m as usize]
    }

    /// Job `j`'s draws for 0-based calendar year `y`.
    #[inline]
    pub fn job_year(&self, j: usize, y: u32) -> JobYear {
        self.jobs[j * self.years + y as usize]
    }

    /// Company `c`'s fate.
    #[inline]
    pub fn fate(&self, c: usize) -> Fate {
        self.fates[c]
    }

    /// Makes month `month` the first layoff month of job `j` (a test's
    /// certain event).
    #[cfg(test)]
    pub fn force_layoff(&mut self, j: usize, month: u32) {
        let row = self.months + 2;
        for m in 0..row {
            let next = &mut self.next_layoff[j * row + m];
            *next = if m as u32 <= month { month } else { NEVER };
        }
    }

    /// Makes `fate` company `c`'s fate (a test's certain event).
    #[cfg(test)]
    pub fn force_fate(&mut self, c: usize, fate: Fate) {
        self.fates[c] = fate;
    }

    /// Samples run `run`'s world in place.
    pub fn sample(&mut self, scenario: &Scenario, shape: &WorldShape, run: u64) {
        let seed = scenario.sim.seed;
        let row = self.months + 1;
        if let Some(m) = &scenario.market {
            let mut rng = stream(seed, run, MARKET_STREAM);
            sample_market(
                m,
                scenario.sim.steps_per_year,
                &mut self.log_market,
                &mut self.market_shock,
                &mut rng,
            );
        }
        for (c, company) in scenario.companies.iter().enumerate() {
            let mut rng = stream(seed, run, company.stream);
            match &company.kind {
                CompanyKind::Public(g) => {
                    let prices = &mut self.price[c * row..(c + 1) * row];
                    let market = (company.market_correlation != 0.0)
                        .then_some((company.market_correlation, &self.market_shock[..]));
                    sample_path(
                        g,
                        scenario.sim.steps_per_year,
                        &shape.needed[c],
                        prices,
                        market,
                        &mut rng,
                    );
                }
                CompanyKind::Private(p) => {
                    let coupling = match (&scenario.market, company.market_correlation) {
                        (Some(m), rho) if rho != 0.0 => Some(Coupling {
                            rho,
                            market: *m,
                            log_market: &self.log_market,
                        }),
                        _ => None,
                    };
                    self.fates[c] = sample_fate(p, self.months as u32, coupling, &mut rng);
                }
            }
        }
        for (j, job) in scenario.jobs.iter().enumerate() {
            if !shape.job_used[j] {
                continue;
            }
            let mut rng = stream(seed, run, job.stream);
            let (raise, promo, bonus) = (job.raise, job.promotion, job.bonus);
            let (lo, hi) = match job.base {
                crate::model::Base::Relative { min, max } => (min, max),
                crate::model::Base::Fixed(_) => (0.0, 0.0),
            };
            for y in 0..self.years {
                // Four draws per year in a fixed order, whatever the job uses,
                // so editing one key does not shift the other draws.
                let z_raise: f64 = rng.sample(StandardNormal);
                let u_promo: f64 = rng.random();
                let z_bonus: f64 = rng.sample(StandardNormal);
                let u_switch: f64 = rng.random();
                let promoted = u_promo < promo.rate;
                let merit = (1.0 + raise.mean + raise.sd * z_raise).max(0.0);
                let noise = match bonus.distribution {
                    BonusDistribution::Normal => 1.0 + bonus.sd * z_bonus,
                    // Mean 1: E[exp(sd z)] = exp(sd^2/2).
                    BonusDistribution::Lognormal => {
                        (bonus.sd * z_bonus - 0.5 * bonus.sd * bonus.sd).exp()
                    }
                };
                self.jobs[j * self.years + y] = JobYear {
                    raise: merit * if promoted { 1.0 + promo.raise } else { 1.0 },
                    bonus: noise,
                    switch: 1.0 + lo + (hi - lo) * u_switch,
                };
            }
            if let Some(l) = job.layoffs.as_ref().filter(|l| l.rate > 0.0) {
                let next = &mut self.next_layoff[j * (row + 1)..(j + 1) * (row + 1)];
                let mut rng = stream(seed, run, layoff_stream(job.stream));
                sample_layoffs(l, &self.log_market, next, &mut rng);
            }
        }
    }
}

/// The market index (model.md section 8): `ln M` moves by
/// `(drift - vol^2/2) dt + vol sqrt(dt) Z_m` per step from `M(0) = 1`; each
/// step's `Z_m` is kept for the companies that move with it.
fn sample_market(
    m: &Market,
    steps_per_year: u32,
    log_market: &mut [f64],
    shocks: &mut [f64],
    rng: &mut Xoshiro256PlusPlus,
) {
    let dt = 1.0 / f64::from(steps_per_year);
    let mu = (m.drift - 0.5 * m.volatility * m.volatility) * dt;
    let sd = m.volatility * dt.sqrt();
    let sub = (steps_per_year / 12) as usize;
    let mut level = 0.0;
    log_market[0] = 0.0;
    for (month, steps) in shocks.chunks_exact_mut(sub).enumerate() {
        for z in steps {
            *z = rng.sample(StandardNormal);
            level += mu + sd * *z;
        }
        log_market[month + 1] = level;
    }
}

/// One job's layoff months (model.md sections 8 and 15). In month `t` the
/// holder is laid off with probability `q_t = 1 - (1 - r_t)^(1/12)`,
/// `r_t = min(1, rate exp(-k L_t))`, `L_t = ln M(t-1) - ln M(max(0, t-13))`:
/// when one uniform `u` of that month is below `q_t`. One uniform per month
/// whatever `r_t` is, so every strategy holding the job that month sees the
/// same draw. With a market, the largest `q_t` of the path bounds them all,
/// so `q_t` itself (an `exp` and a root) is computed only in the months whose
/// `u` falls below the bound. Fills `next[m]` with the first layoff month
/// `>= m`.
fn sample_layoffs(l: &Layoffs, log_market: &[f64], next: &mut [u32], rng: &mut Xoshiro256PlusPlus) {
    let months = next.len() - 2;
    let k = l.market_sensitivity;
    let linked = k != 0.0 && !log_market.is_empty();
    // `r = 1` gives `q = 1`: every `u` in [0, 1) is below it.
    let monthly = |r: f64| 1.0 - (1.0 - r.min(1.0)).powf(1.0 / 12.0);
    let exponent = |t: usize| -k * (log_market[t - 1] - log_market[t.saturating_sub(13)]);
    let bound = if linked {
        let worst = (1..=months).map(exponent).fold(f64::NEG_INFINITY, f64::max);
        monthly(l.rate * worst.exp())
    } else {
        monthly(l.rate)
    };
    for (t, flag) in next.iter_mut().enumerate().take(months + 1).skip(1) {
        let u: f64 = rng.random();
        let hit = u < bound && (!linked || u < monthly(l.rate * exponent(t).exp()));
        // For now `next[t]` says whether month `t` is a layoff month.
        *flag = u32::from(hit);
    }
    let mut following = NEVER;
    next[months + 1] = NEVER;
    for t in (0..=months).rev() {
        if t >= 1 && next[t] == 1 {
            following = t as u32;
        }
        next[t] = following;
    }
}

/// GBM path on the `steps_per_year` grid (docs/reference.md, "The model's rules"):
/// `ln S` moves by `(drift - vol^2/2) dt + vol sqrt(dt) Z` per step, exact at
/// any step size. `steps_per_year` is a multiple of 12, so every month end is
/// a grid point; `exp` is taken only at the months some strategy reads.
///
/// With a market correlation `rho` the step's shock is
/// `rho Z_m + sqrt(1 - rho^2) Z` (model.md section 8): still standard normal,
/// so the marginal law is unchanged, and `corr(ln S_a, ln S_b) = rho_a rho_b`.
/// The company's own draws are the same with or without the market.
fn sample_path(
    g: &Gbm,
    steps_per_year: u32,
    needed: &[bool],
    prices: &mut [f64],
    market: Option<(f64, &[f64])>,
    rng: &mut Xoshiro256PlusPlus,
) {
    let dt = 1.0 / f64::from(steps_per_year);
    let mu = (g.drift - 0.5 * g.volatility * g.volatility) * dt;
    let sd = g.volatility * dt.sqrt();
    let sub = (steps_per_year / 12) as usize;
    let mut log_ret = 0.0;
    prices[0] = g.share_price;
    match market {
        None => {
            for m in 1..prices.len() {
                for _ in 0..sub {
                    let z: f64 = rng.sample(StandardNormal);
                    log_ret += mu + sd * z;
                }
                if needed[m] {
                    prices[m] = g.share_price * log_ret.exp();
                }
            }
        }
        Some((rho, shocks)) => {
            let own = (1.0 - rho * rho).max(0.0).sqrt();
            for m in 1..prices.len() {
                for &z_m in &shocks[(m - 1) * sub..m * sub] {
                    let z: f64 = rng.sample(StandardNormal);
                    log_ret += mu + sd * (rho * z_m + own * z);
                }
                if needed[m] {
                    prices[m] = g.share_price * log_ret.exp();
                }
            }
        }
    }
}

/// How a private company's exit multiple moves with the market.
#[derive(Clone, Copy)]
struct Coupling<'a> {
    rho: f64,
    market: Market,
    log_market: &'a [f64],
}

impl Coupling<'_> {
    /// The multiple's standard normal `rho W + sqrt(1 - rho^2) z`, `W` the
    /// market's standardised log return from month 0 to `month`:
    /// `(ln M(t) - (d - v^2/2) t) / (v sqrt t)`, 0 at zero volatility
    /// (model.md sections 8 and 15). Its marginal stays standard normal.
    fn normal(&self, month: u32, z: f64) -> f64 {
        let (d, v) = (self.market.drift, self.market.volatility);
        let t = f64::from(month) / 12.0;
        let w = if v == 0.0 || month == 0 {
            0.0
        } else {
            (self.log_market[month as usize] - (d - 0.5 * v * v) * t) / (v * t.sqrt())
        };
        self.rho * w + (1.0 - self.rho * self.rho).max(0.0).sqrt() * z
    }
}

/// A private company's fate (docs/reference.md, "The model's rules"). Each month it exits with
/// probability `pe = 1 - (1 - exit_rate)^(1/12)`, else fails with
/// `pf = 1 - (1 - failure_rate)^(1/12)`. The first event's month is geometric
/// with `P(M > m) = ((1-pe)(1-pf))^m`, sampled by inversion from one uniform;
/// a second uniform picks exit over failure with probability
/// `pe / (1 - (1-pe)(1-pf))`. Four draws always, in a fixed order.
fn sample_fate(
    p: &PrivateCompany,
    horizon: u32,
    coupling: Option<Coupling<'_>>,
    rng: &mut Xoshiro256PlusPlus,
) -> Fate {
    let u_time: f64 = rng.random();
    let u_kind: f64 = rng.random();
    let u_ipo: f64 = rng.random();
    let z_own: f64 = rng.sample(StandardNormal);
    let z_at = |month: u32| coupling.map_or(z_own, |c| c.normal(month, z_own));
    if let Some(month) = p.exit_month {
        return exit(p, month, u_ipo, z_at(month));
    }
    let pe = monthly(p.exit_rate);
    let pf = monthly(p.failure_rate);
    let stay = (1.0 - pe) * (1.0 - pf);
    if stay >= 1.0 {
        return Fate::Private;
    }
    // 1 - u is in (0, 1], so its log is finite.
    let m = if stay <= 0.0 {
        1.0
    } else {
        ((1.0 - u_time).ln() / stay.ln()).floor() + 1.0
    };
    if m > f64::from(horizon) {
        return Fate::Private;
    }
    let month = m as u32;
    if u_kind * (1.0 - stay) < pe {
        exit(p, month, u_ipo, z_at(month))
    } else {
        Fate::Failure { month }
    }
}

/// An exit at `month`: IPO with probability `ipo_fraction`, value
/// `valuation * median * exp(sigma z)` (lognormal multiple), share count
/// grown by `dilution`, common price from the waterfall.
fn exit(p: &PrivateCompany, month: u32, u_ipo: f64, z_mult: f64) -> Fate {
    let ipo = u_ipo < p.ipo_fraction;
    let value = p.valuation * p.exit_median * (p.exit_sigma * z_mult).exp();
    let shares = p.shares * (1.0 + p.dilution).powf(f64::from(month) / 12.0);
    let common = common_price(value, shares, p.preference, p.preferred_fraction, ipo);
    Fate::Exit {
        month,
        ipo,
        value,
        common,
    }
}

/// Monthly probability equivalent to an annual one: `1 - (1 - annual)^(1/12)`.
pub fn monthly(annual: f64) -> f64 {
    1.0 - (1.0 - annual).powf(1.0 / 12.0)
}
