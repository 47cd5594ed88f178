//! One possible world: every company's price path or fate and every job's
//! yearly draws, sampled once per run and read by every strategy (common
//! random numbers, docs/reference.md, "The model's rules").
//!
//! Each company and each job draws from its own stream, seeded from
//! `(seed, run, stable key of its name)`. So run `i`'s world depends only on
//! `(seed, i)`, and adding a strategy, job or company leaves the draws of the
//! others untouched.

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{CompanyKind, Gbm, PrivateCompany, Scenario};
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

/// A job's draws for one calendar year, already turned into factors.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobYear {
    /// Base multiplier at the anniversary ending this year: merit raise
    /// `max(0, 1 + mean + sd z)` times the promotion bump if promoted.
    pub raise: f64,
    /// Bonus multiplier `clamp(1 + sd z, min, max)`.
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

impl World {
    /// Empty storage for worlds of `scenario`.
    pub fn new(scenario: &Scenario) -> World {
        let months = scenario.sim.months() as usize;
        let years = scenario.sim.years as usize;
        World {
            months,
            years,
            price: vec![0.0; scenario.companies.len() * (months + 1)],
            jobs: vec![JobYear::default(); scenario.jobs.len() * years],
            fates: vec![Fate::Private; scenario.companies.len()],
        }
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

    /// Samples run `run`'s world in place.
    pub fn sample(&mut self, scenario: &Scenario, shape: &WorldShape, run: u64) {
        let seed = scenario.sim.seed;
        let row = self.months + 1;
        for (c, company) in scenario.companies.iter().enumerate() {
            let mut rng = stream(seed, run, company.stream);
            match &company.kind {
                CompanyKind::Public(g) => {
                    let prices = &mut self.price[c * row..(c + 1) * row];
                    sample_path(
                        g,
                        scenario.sim.steps_per_year,
                        &shape.needed[c],
                        prices,
                        &mut rng,
                    );
                }
                CompanyKind::Private(p) => {
                    self.fates[c] = sample_fate(p, self.months as u32, &mut rng);
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
                self.jobs[j * self.years + y] = JobYear {
                    raise: merit * if promoted { 1.0 + promo.raise } else { 1.0 },
                    bonus: (1.0 + bonus.sd * z_bonus).clamp(bonus.min, bonus.max),
                    switch: 1.0 + lo + (hi - lo) * u_switch,
                };
            }
        }
    }
}

/// GBM path on the `steps_per_year` grid (docs/reference.md, "The model's rules"):
/// `ln S` moves by `(drift - vol^2/2) dt + vol sqrt(dt) Z` per step, exact at
/// any step size. `steps_per_year` is a multiple of 12, so every month end is
/// a grid point; `exp` is taken only at the months some strategy reads.
fn sample_path(
    g: &Gbm,
    steps_per_year: u32,
    needed: &[bool],
    prices: &mut [f64],
    rng: &mut Xoshiro256PlusPlus,
) {
    let dt = 1.0 / f64::from(steps_per_year);
    let mu = (g.drift - 0.5 * g.volatility * g.volatility) * dt;
    let sd = g.volatility * dt.sqrt();
    let sub = steps_per_year / 12;
    let mut log_ret = 0.0;
    prices[0] = g.share_price;
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

/// A private company's fate (docs/reference.md, "The model's rules"). Each month it exits with
/// probability `pe = 1 - (1 - exit_rate)^(1/12)`, else fails with
/// `pf = 1 - (1 - failure_rate)^(1/12)`. The first event's month is geometric
/// with `P(M > m) = ((1-pe)(1-pf))^m`, sampled by inversion from one uniform;
/// a second uniform picks exit over failure with probability
/// `pe / (1 - (1-pe)(1-pf))`. Four draws always, in a fixed order.
fn sample_fate(p: &PrivateCompany, horizon: u32, rng: &mut Xoshiro256PlusPlus) -> Fate {
    let u_time: f64 = rng.random();
    let u_kind: f64 = rng.random();
    let u_ipo: f64 = rng.random();
    let z_mult: f64 = rng.sample(StandardNormal);
    if let Some(month) = p.exit_month {
        return exit(p, month, u_ipo, z_mult);
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
        exit(p, month, u_ipo, z_mult)
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
