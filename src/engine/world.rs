//! One possible world: every company's price path or fate and every job's
//! yearly draws, sampled once per run and read by every strategy (common
//! random numbers, docs/reference.md, "The model's rules").
//!
//! Each company and each job draws from its own stream, seeded from
//! `(seed, run, stable key of its name)`; the market and each job's layoff
//! draws have streams of their own. So run `i`'s world depends only on
//! `(seed, i)`, and adding a strategy, job, company, market or layoff table
//! leaves the draws of the others untouched.
//!
//! Share prices and the market are Brownian paths built as fixed functions
//! of counter-keyed normals, one per (entity, month) ([`Bridge`]): the year
//! ends forward, the months inside a year by a fixed bisection tree
//! (Brownian bridge). Reading a month computes only the nodes on its path,
//! so which months the strategies read changes no price (model.md section
//! 14).

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{
    BonusDistribution, CompanyKind, Gbm, Layoffs, Market, PrivateCompany, Rounds, Scenario,
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

/// The stream key of company `company_stream`'s funding rounds.
pub fn rounds_stream(company_stream: u64) -> u64 {
    splitmix(company_stream ^ fnv(b"rounds:"))
}

/// The stream key of company `company_stream`'s share price after an IPO.
pub fn after_ipo_stream(company_stream: u64) -> u64 {
    splitmix(company_stream ^ fnv(b"after_ipo:"))
}

/// Bounds on a private company's valuation and share count through any
/// number of rounds (model.md section 3's floors; the ceilings keep a
/// long run of up rounds finite).
const VALUATION_RANGE: (f64, f64) = (1.0, 1e18);
const SHARES_RANGE: (f64, f64) = (1.0, 1e18);

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
    /// `1 + U(min, max)`, or `1 + r` with `r` the split normal of a market
    /// `base_raise = { p10, p50, p90 }`.
    pub switch: f64,
    /// The merit raise factor alone, `max(0, 1 + mean + sd z)`: a ladder's
    /// promotion is applied after it (model.md section 15).
    pub merit: f64,
    /// The year's promotion uniform: promoted when below the rate (the
    /// job's `promotion.rate`, or the ladder level's `promotion_rate`), the
    /// same draw for every strategy holding the job then.
    pub promotion: f64,
}

/// `z_0.9`, the standard normal's 90th percentile: the split laws of
/// model.md section 11 put p10 and p90 at `median -/+ z_0.9 sigma`.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// The stream key of job `job_stream`'s market pay: one normal for a market
/// `base`, then one per year for a market `base_raise` (model.md section
/// 11).
pub fn pay_stream(job_stream: u64) -> u64 {
    splitmix(job_stream ^ fnv(b"pay:"))
}

/// The split normal through `(p10, p50, p90)` at standard normal `z`:
/// `p50 + z (p50 - p10) / z_0.9` below the median, `p50 + z (p90 - p50) /
/// z_0.9` above.
#[inline]
pub fn split(z: f64, p10: f64, p50: f64, p90: f64) -> f64 {
    if z < 0.0 {
        p50 + z * (p50 - p10) / Z90
    } else {
        p50 + z * (p90 - p50) / Z90
    }
}

/// A priced funding round of a private company (model.md section 9): the
/// state right after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Round {
    /// Month of the round.
    pub month: u32,
    /// The valuation's multiple at this round (below 1: a down round).
    pub step_up: f64,
    /// Post-money valuation.
    pub valuation: f64,
    /// Fully diluted share count after the new shares.
    pub shares: f64,
    /// Preference stack after the money raised.
    pub preference: f64,
    /// Preferred share of the fully diluted stock.
    pub preferred_fraction: f64,
}

impl Round {
    /// The mark: the round price per share.
    pub fn mark(&self) -> f64 {
        self.valuation / self.shares
    }
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
    /// Each job's market base (`base = { p10, p50, p90 }`), drawn once per
    /// world; 0 for a job without one.
    market_base: Vec<f64>,
    /// One fate per company (`Private` for public companies).
    fates: Vec<Fate>,
    /// `ln M(m)` for months `0 ..= months` (empty without `[market]`), at
    /// the months the shape marks.
    log_market: Vec<f64>,
    /// The market's standard Brownian motion `B_m(m)` (years), at the same
    /// months: `ln M = (drift - vol^2/2) t + vol B_m`.
    market_b: Vec<f64>,
    /// Room for one company's own Brownian motion, reused.
    own_b: Vec<f64>,
    /// `next_layoff[j * (months + 2) + m]`: the first month `>= m` in which
    /// a holder of job `j` would be laid off, or [`NEVER`].
    next_layoff: Vec<u32>,
    /// Each company's rounds this world, in month order (private companies
    /// with `rounds` only; capacity reserved, so sampling never allocates).
    rounds: Vec<Vec<Round>>,
    /// `marks[c * (months + 1) + m]`: the mark after month `m`'s round, for
    /// companies with `rounds`.
    marks: Vec<f64>,
    /// The mark of a company without rounds (its round price), or of
    /// month 0.
    base_mark: Vec<f64>,
    /// Whether company `c` has rounds (then `marks` holds its row).
    has_rounds: Vec<bool>,
    /// With `[tax]`: room for a strategy's yearly income items by
    /// residence, reused by every strategy and run (evaluation reads the
    /// world and writes only here).
    pub(super) tax: std::cell::RefCell<TaxScratch>,
    /// With a ladder: each stint's level after each anniversary, for one
    /// strategy at a time (see `StrategyPlan::evaluate`).
    pub(super) levels: std::cell::RefCell<Vec<u8>>,
}

/// Room for one strategy's taxable items: `items[year * residences + r]`,
/// and the parts of one year handed to [`crate::tax::year`].
#[derive(Debug, Clone, Default)]
pub(super) struct TaxScratch {
    pub(super) items: Vec<crate::tax::Income>,
    pub(super) parts: Vec<(crate::tax::Residence, crate::tax::Income)>,
    /// The ISO limit's grant-date value used, per company and calendar year
    /// (`company * (years + PAST_YEARS) + PAST_YEARS + year`; the slots
    /// below `PAST_YEARS` for the years before the simulation).
    pub(super) iso_used: Vec<f64>,
    /// See `TaxBook::real_pos`: `2 * years` numbers.
    pub(super) real_pos: Vec<f64>,
}

/// What the sampler needs to know besides the scenario: which months'
/// prices are read. Every price is a fixed function of keyed normals, so
/// computing only these months changes no value (model.md section 14).
#[derive(Debug, Clone)]
pub struct WorldShape {
    /// `needed[c][m]`: some strategy reads company `c`'s price at month `m`.
    pub needed: Vec<Vec<bool>>,
    /// `market_needed[m]`: something reads the market at month `m` (a
    /// company moving with it, a layoff hazard, a bonus linked to it).
    pub market_needed: Vec<bool>,
    /// Whether any strategy holds job `j` (unheld jobs need no draws; their
    /// streams are separate, so skipping them changes nothing else).
    pub job_used: Vec<bool>,
    /// The bridge nodes that make company `c`'s needed months, in an order
    /// that computes every node after the two it hangs from ([`compile`]).
    nodes: Vec<Vec<Node>>,
    /// The market's nodes: its needed months and those of every company
    /// that moves with it.
    market_nodes: Vec<Node>,
}

impl WorldShape {
    /// Nothing read yet, for `scenario`.
    pub fn empty(scenario: &Scenario) -> WorldShape {
        let months = scenario.sim.months() as usize + 1;
        WorldShape {
            needed: vec![vec![false; months]; scenario.companies.len()],
            market_needed: vec![false; months],
            job_used: vec![false; scenario.jobs.len()],
            nodes: vec![Vec::new(); scenario.companies.len()],
            market_nodes: Vec::new(),
        }
    }

    /// Every month of every price and of the market (a trace shows them all).
    pub fn every_month(mut self, scenario: &Scenario) -> WorldShape {
        for months in &mut self.needed {
            months.fill(true);
        }
        if scenario.market.is_some() {
            self.market_needed.fill(true);
        }
        self.compile(scenario);
        self
    }

    /// Turns the needed months into each path's bridge nodes. A public
    /// company that moves with the market needs the market at its months.
    pub fn compile(&mut self, scenario: &Scenario) {
        let mut market = self.market_needed.clone();
        for (c, company) in scenario.companies.iter().enumerate() {
            let public = matches!(company.kind, CompanyKind::Public(_));
            self.nodes[c] = if public {
                compile(&self.needed[c])
            } else {
                Vec::new()
            };
            if public && company.market_correlation != 0.0 && scenario.market.is_some() {
                for (m, &n) in market.iter_mut().zip(&self.needed[c]) {
                    *m |= n;
                }
            }
        }
        self.market_nodes = if scenario.market.is_some() {
            compile(&market)
        } else {
            Vec::new()
        };
    }

    /// Company `c`'s bridge nodes per world (one keyed normal each).
    pub fn company_nodes(&self, c: usize) -> usize {
        self.nodes[c].len()
    }

    /// The market's bridge nodes per world.
    pub fn market_nodes(&self) -> usize {
        self.market_nodes.len()
    }
}

/// One node of a path's bridge: `B(m) = wl B(left) + wr B(right) + sd z`,
/// `z` the keyed normal of (path, `m`), `B` a standard Brownian motion in
/// years (`B(0) = 0`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    m: u32,
    /// Whether month `m` itself is read (else only nodes below hang from it).
    read: bool,
    left: u32,
    right: u32,
    wl: f64,
    wr: f64,
    sd: f64,
}

/// The fixed bisection of a year's months `0 ..= 12` (offsets): the path
/// from the root to offset `o`, each step `(node, lo, hi)`: 6 splits
/// `[0, 12]`, 3 and 9 the halves, then 1, 2, 4, 5, 7, 8, 10, 11.
fn year_path(o: u32) -> impl Iterator<Item = (u32, u32, u32)> {
    let (mut lo, mut hi, mut done) = (0, 12, false);
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mid = (lo + hi) / 2;
        let step = (mid, lo, hi);
        match o.cmp(&mid) {
            std::cmp::Ordering::Equal => done = true,
            std::cmp::Ordering::Less => hi = mid,
            std::cmp::Ordering::Greater => lo = mid,
        }
        Some(step)
    })
}

/// The nodes that give `B` at every month `m` with `needed[m]`: the year
/// ends up to `m`'s year, drawn forward (`B(12k) = B(12k - 12) + z`), and
/// the tree nodes on the way to `m` inside its year, each the Brownian
/// bridge between its interval's ends: mean the linear interpolation,
/// variance `(m - lo)(hi - m) / (hi - lo)` months (Glasserman 2004,
/// section 3.1). Ordered year ends first, then by depth, so every node
/// comes after its two ends.
fn compile(needed: &[bool]) -> Vec<Node> {
    let months = needed.len() - 1;
    // depth[m]: 0 = a year end, d >= 1 = a tree node of depth d; u8::MAX = not used.
    let mut depth = vec![u8::MAX; months + 1];
    let mut nodes = Vec::new();
    for m in (1..=months).filter(|&m| needed[m]) {
        let year = (m - 1) / 12;
        for e in 1..=year + 1 {
            depth[12 * e] = 0;
        }
        let base = 12 * year as u32;
        let o = m as u32 - base;
        if o != 12 {
            for (d, (node, lo, hi)) in year_path(o).enumerate() {
                let _ = (lo, hi);
                depth[(base + node) as usize] = depth[(base + node) as usize].min(d as u8 + 1);
            }
        }
    }
    let max_depth = depth
        .iter()
        .filter(|&&d| d != u8::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    for d in 0..=max_depth {
        for m in (1..=months).filter(|&m| depth[m] == d) {
            let m = m as u32;
            if d == 0 {
                nodes.push(Node {
                    m,
                    read: needed[m as usize],
                    left: m - 12,
                    right: m - 12,
                    wl: 1.0,
                    wr: 0.0,
                    sd: 1.0,
                });
                continue;
            }
            let base = 12 * ((m - 1) / 12);
            let (_, lo, hi) = year_path(m - base).last().expect("a path ends at its node");
            let o = m - base;
            let (a, b, w) = (f64::from(o - lo), f64::from(hi - o), f64::from(hi - lo));
            nodes.push(Node {
                m,
                read: needed[m as usize],
                left: base + lo,
                right: base + hi,
                wl: b / w,
                wr: a / w,
                sd: (a * b / w / 12.0).sqrt(),
            });
        }
    }
    nodes
}

/// The key of path `path_key`'s normal at month `m` (a bijective mix, so
/// distinct months give distinct keys).
#[inline]
fn node_key(path_key: u64, m: u32) -> u64 {
    splitmix(path_key ^ u64::from(m).wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// The key of an entity's path in run `run`: its own domain, apart from
/// the entity's sequential stream.
fn path_key(seed: u64, run: u64, key: u64) -> u64 {
    splitmix(splitmix(splitmix(splitmix(seed) ^ run) ^ key) ^ fnv(b"bridge:"))
}

/// Fills `b` at the months of `nodes` (`b[0] = 0`).
#[inline]
fn bridge(nodes: &[Node], key: u64, b: &mut [f64]) {
    b[0] = 0.0;
    for n in nodes {
        let z = super::normal::keyed(node_key(key, n.m));
        b[n.m as usize] = n.wl * b[n.left as usize] + n.wr * b[n.right as usize] + n.sd * z;
    }
}

impl World {
    /// Empty storage for worlds of `scenario`.
    pub fn new(scenario: &Scenario) -> World {
        let months = scenario.sim.months() as usize;
        let years = scenario.sim.years as usize;
        let market = scenario.market.is_some();
        let has_rounds: Vec<bool> = scenario
            .companies
            .iter()
            .map(|c| matches!(&c.kind, CompanyKind::Private(p) if p.rounds.is_some()))
            .collect();
        let any_rounds = has_rounds.iter().any(|&r| r);
        World {
            months,
            years,
            price: vec![0.0; scenario.companies.len() * (months + 1)],
            jobs: vec![JobYear::default(); scenario.jobs.len() * years],
            market_base: vec![0.0; scenario.jobs.len()],
            fates: vec![Fate::Private; scenario.companies.len()],
            log_market: if market {
                vec![0.0; months + 1]
            } else {
                Vec::new()
            },
            market_b: if market {
                vec![0.0; months + 1]
            } else {
                Vec::new()
            },
            own_b: vec![0.0; months + 1],
            next_layoff: vec![NEVER; scenario.jobs.len() * (months + 2)],
            rounds: scenario
                .companies
                .iter()
                .map(|c| match &c.kind {
                    CompanyKind::Private(p) if p.rounds.is_some() => Vec::with_capacity(months),
                    _ => Vec::new(),
                })
                .collect(),
            marks: if any_rounds {
                vec![0.0; scenario.companies.len() * (months + 1)]
            } else {
                Vec::new()
            },
            base_mark: scenario
                .companies
                .iter()
                .map(|c| match &c.kind {
                    CompanyKind::Private(p) => p.round_price(),
                    CompanyKind::Public(g) => g.share_price,
                })
                .collect(),
            has_rounds,
            levels: std::cell::RefCell::new(if scenario.jobs.iter().any(|j| j.ladder.is_some()) {
                let stints = scenario
                    .strategies
                    .iter()
                    .map(|s| s.stints.len())
                    .max()
                    .unwrap_or(1);
                vec![0; stints * (years + 1)]
            } else {
                Vec::new()
            }),
            tax: std::cell::RefCell::new(match scenario.tax {
                // A path has at most one residence per stint.
                Some(_) => {
                    let residences = scenario
                        .strategies
                        .iter()
                        .map(|s| s.stints.len())
                        .max()
                        .unwrap_or(1);
                    TaxScratch {
                        items: vec![crate::tax::Income::default(); years * residences],
                        parts: Vec::with_capacity(residences),
                        iso_used: vec![
                            0.0;
                            scenario.companies.len()
                                * (years + crate::engine::compile::PAST_YEARS)
                        ],
                        real_pos: vec![0.0; 2 * years],
                    }
                }
                None => TaxScratch::default(),
            }),
        }
    }

    /// Company `c`'s rounds in this world (empty without `rounds`).
    pub fn rounds(&self, c: usize) -> &[Round] {
        &self.rounds[c]
    }

    /// Private company `c`'s mark after month `m`'s round: the latest round
    /// price per share (`valuation / shares` throughout without `rounds`).
    #[inline]
    pub fn mark(&self, c: usize, m: u32) -> f64 {
        if self.has_rounds[c] {
            self.marks[c * (self.months + 1) + m as usize]
        } else {
            self.base_mark[c]
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

    /// Company `c`'s share price at month `m`: a public company's at the
    /// months the shape marked as needed; a private company's at every month
    /// from its IPO on.
    #[inline]
    pub fn price(&self, c: usize, m: u32) -> f64 {
        self.price[c * (self.months + 1) + m as usize]
    }

    /// Job `j`'s draws for 0-based calendar year `y`.
    #[inline]
    pub fn job_year(&self, j: usize, y: u32) -> JobYear {
        self.jobs[j * self.years + y as usize]
    }

    /// Job `j`'s market base in this world (0 without `base = { p10, p50,
    /// p90 }`).
    #[inline]
    pub fn market_base(&self, j: usize) -> f64 {
        self.market_base[j]
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
            bridge(
                &shape.market_nodes,
                path_key(seed, run, MARKET_STREAM),
                &mut self.market_b,
            );
            let mu = m.drift - 0.5 * m.volatility * m.volatility;
            self.log_market[0] = 0.0;
            for n in &shape.market_nodes {
                let i = n.m as usize;
                self.log_market[i] = mu * f64::from(n.m) / 12.0 + m.volatility * self.market_b[i];
            }
        }
        for (c, company) in scenario.companies.iter().enumerate() {
            match &company.kind {
                CompanyKind::Public(g) => {
                    let key = path_key(seed, run, company.stream);
                    bridge(&shape.nodes[c], key, &mut self.own_b);
                    let prices = &mut self.price[c * row..(c + 1) * row];
                    let rho = if self.market_b.is_empty() {
                        0.0
                    } else {
                        company.market_correlation
                    };
                    price_at_nodes(g, &shape.nodes[c], &self.own_b, rho, &self.market_b, prices);
                }
                CompanyKind::Private(p) => {
                    let mut rng = stream(seed, run, company.stream);
                    let coupling = match (&scenario.market, company.market_correlation) {
                        (Some(m), rho) if rho != 0.0 => Some(Coupling {
                            rho,
                            market: *m,
                            market_b: &self.market_b,
                        }),
                        _ => None,
                    };
                    let rounds = &mut self.rounds[c];
                    rounds.clear();
                    let fate = sample_fate(p, self.months as u32, coupling, &mut rng, |last| {
                        p.rounds.map(|r| {
                            let mut rng = stream(seed, run, rounds_stream(company.stream));
                            sample_rounds(p, &r, last, rounds, &mut rng)
                        })
                    });
                    self.fates[c] = fate;
                    if self.has_rounds[c] {
                        let marks = &mut self.marks[c * row..(c + 1) * row];
                        let mut mark = p.round_price();
                        let mut next = 0;
                        for (m, slot) in marks.iter_mut().enumerate() {
                            while next < rounds.len() && rounds[next].month as usize <= m {
                                mark = rounds[next].mark();
                                next += 1;
                            }
                            *slot = mark;
                        }
                    }
                    if let Fate::Exit {
                        month,
                        ipo: true,
                        common,
                        ..
                    } = fate
                    {
                        // Public from the IPO month: GBM from the IPO common
                        // price with `after_ipo`'s drift and volatility.
                        let g = Gbm {
                            share_price: common,
                            drift: p.after_ipo.drift,
                            volatility: p.after_ipo.volatility,
                        };
                        let from = month as usize;
                        let prices = &mut self.price[c * row + from..(c + 1) * row];
                        // The market's path from the IPO month on.
                        let market = if company.market_correlation != 0.0 {
                            Some((company.market_correlation, &self.market_b[from..]))
                        } else {
                            None
                        };
                        let mut rng = stream(seed, run, after_ipo_stream(company.stream));
                        after_ipo_path(&g, prices, market, &mut rng);
                    }
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
                _ => (0.0, 0.0),
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
                    merit,
                    promotion: u_promo,
                };
            }
            // Market pay from a stream of its own, so a file without it
            // keeps its draws (model.md section 11).
            match job.base {
                crate::model::Base::Market { p10, p50, p90 } => {
                    let mut rng = stream(seed, run, pay_stream(job.stream));
                    let z: f64 = rng.sample(StandardNormal);
                    // ln B is the split normal through the logs: B = p50
                    // exp(z sigma), sigma = ln(p50/p10)/z_0.9 below the
                    // median and ln(p90/p50)/z_0.9 above (exactly p50 when
                    // the points are equal).
                    let sigma = if z < 0.0 {
                        (p50 / p10).ln()
                    } else {
                        (p90 / p50).ln()
                    } / Z90;
                    self.market_base[j] = p50 * (z * sigma).exp();
                }
                crate::model::Base::RelativeMarket { p10, p50, p90 } => {
                    let mut rng = stream(seed, run, pay_stream(job.stream));
                    for y in 0..self.years {
                        let z: f64 = rng.sample(StandardNormal);
                        // A raise below -100 % would make the base negative.
                        self.jobs[j * self.years + y].switch =
                            (1.0 + split(z, p10, p50, p90)).max(0.0);
                    }
                }
                _ => {}
            }
            if let Some(l) = job.layoffs.as_ref().filter(|l| l.rate > 0.0) {
                let next = &mut self.next_layoff[j * (row + 1)..(j + 1) * (row + 1)];
                let mut rng = stream(seed, run, layoff_stream(job.stream));
                sample_layoffs(l, &self.log_market, next, &mut rng);
            }
        }
    }
}

/// The random numbers one world of `scenario` needs with `shape`, drawn
/// from the same keys and streams as [`World::sample`] and summed, with
/// nothing else done (the `draws_alone` benchmark: how far the engine is
/// from the cost of its draws). Rounds, market pay and after-IPO paths are
/// left out: a file with them costs more than this.
pub fn draws_alone(scenario: &Scenario, shape: &WorldShape, run: u64) -> f64 {
    let seed = scenario.sim.seed;
    let mut acc = 0.0;
    let mut nodes = |list: &[Node], key: u64| {
        for n in list {
            acc += super::normal::keyed(node_key(key, n.m));
        }
    };
    if scenario.market.is_some() {
        nodes(&shape.market_nodes, path_key(seed, run, MARKET_STREAM));
    }
    for (c, company) in scenario.companies.iter().enumerate() {
        if matches!(company.kind, CompanyKind::Public(_)) {
            nodes(&shape.nodes[c], path_key(seed, run, company.stream));
        }
    }
    for (c, company) in scenario.companies.iter().enumerate() {
        if matches!(company.kind, CompanyKind::Private(_)) {
            let _ = c;
            let mut rng = stream(seed, run, company.stream);
            for _ in 0..3 {
                acc += rng.random::<f64>();
            }
            acc += rng.sample::<f64, _>(StandardNormal);
        }
    }
    let months = scenario.sim.months();
    for (j, job) in scenario.jobs.iter().enumerate() {
        if !shape.job_used[j] {
            continue;
        }
        let mut rng = stream(seed, run, job.stream);
        for _ in 0..scenario.sim.years {
            acc += rng.sample::<f64, _>(StandardNormal) + rng.random::<f64>();
            acc += rng.sample::<f64, _>(StandardNormal) + rng.random::<f64>();
        }
        if job.layoffs.as_ref().is_some_and(|l| l.rate > 0.0) {
            let mut rng = stream(seed, run, layoff_stream(job.stream));
            for _ in 0..months {
                acc += rng.random::<f64>();
            }
        }
    }
    acc
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

/// A public company's price at the months of `nodes` (model.md sections 3
/// and 8): `S(t) = S(0) exp((drift - vol^2/2) t + vol (rho B_m(t) +
/// sqrt(1 - rho^2) B(t)))`, `B` its own Brownian motion and `B_m` the
/// market's, both in years. GBM is exact at any time, so the law at every
/// month is v1's; `corr(ln S_a, ln S_b) = rho_a rho_b` and `corr(ln S, ln M)
/// = rho` at every horizon.
fn price_at_nodes(
    g: &Gbm,
    nodes: &[Node],
    own_b: &[f64],
    rho: f64,
    market_b: &[f64],
    prices: &mut [f64],
) {
    let mu = g.drift - 0.5 * g.volatility * g.volatility;
    let own = (1.0 - rho * rho).max(0.0).sqrt();
    prices[0] = g.share_price;
    // `exp` only at the months read: a node that is only the parent of
    // others needs its Brownian value, not its price.
    if rho == 0.0 {
        for n in nodes.iter().filter(|n| n.read) {
            let i = n.m as usize;
            let t = f64::from(n.m) / 12.0;
            prices[i] = g.share_price * (mu * t + g.volatility * own_b[i]).exp();
        }
    } else {
        for n in nodes.iter().filter(|n| n.read) {
            let i = n.m as usize;
            let t = f64::from(n.m) / 12.0;
            let w = rho * market_b[i] + own * own_b[i];
            prices[i] = g.share_price * (mu * t + g.volatility * w).exp();
        }
    }
}

/// A listed company's price after its IPO (model.md section 9), at every
/// month from the IPO month (`prices[0]`, the IPO common price) to the
/// horizon: one normal a month from the company's `after_ipo` stream, GBM
/// with the `after_ipo` drift and volatility. With a market correlation
/// `rho` a month's shock is `rho Z_m + sqrt(1 - rho^2) Z`, `Z_m = (B_m(m) -
/// B_m(m-1)) sqrt(12)` the market's standardised shock of that month
/// (`market_b` from the IPO month on).
fn after_ipo_path(
    g: &Gbm,
    prices: &mut [f64],
    market: Option<(f64, &[f64])>,
    rng: &mut Xoshiro256PlusPlus,
) {
    let dt = 1.0 / 12.0;
    let mu = (g.drift - 0.5 * g.volatility * g.volatility) * dt;
    let sd = g.volatility * dt.sqrt();
    let mut log_ret = 0.0;
    prices[0] = g.share_price;
    let (rho, own) = market.map_or((0.0, 1.0), |(r, _)| (r, (1.0 - r * r).max(0.0).sqrt()));
    for m in 1..prices.len() {
        let z: f64 = rng.sample(StandardNormal);
        let z_m = market.map_or(0.0, |(_, b)| (b[m] - b[m - 1]) * 12f64.sqrt());
        log_ret += mu + sd * (rho * z_m + own * z);
        prices[m] = g.share_price * log_ret.exp();
    }
}

/// How a private company's exit multiple moves with the market.
#[derive(Clone, Copy)]
struct Coupling<'a> {
    rho: f64,
    market: Market,
    market_b: &'a [f64],
}

impl Coupling<'_> {
    /// The multiple's standard normal `rho W + sqrt(1 - rho^2) z`, `W` the
    /// market's standardised log return from month 0 to `month`:
    /// `(ln M(t) - (d - v^2/2) t) / (v sqrt t)`, 0 at zero volatility
    /// (model.md sections 8 and 15). Its marginal stays standard normal.
    fn normal(&self, month: u32, z: f64) -> f64 {
        let t = f64::from(month) / 12.0;
        // `(ln M(t) - (d - v^2/2) t) / (v sqrt t)` is `B_m(t) / sqrt t`.
        let w = if self.market.volatility == 0.0 || month == 0 {
            0.0
        } else {
            self.market_b[month as usize] / t.sqrt()
        };
        self.rho * w + (1.0 - self.rho * self.rho).max(0.0).sqrt() * z
    }
}

/// A private company's state after its latest round: valuation, shares,
/// preference stack, preferred fraction.
#[derive(Clone, Copy)]
struct Stack {
    valuation: f64,
    shares: f64,
    preference: f64,
    preferred: f64,
}

/// A private company's fate (docs/reference.md, "The model's rules"). Each month it exits with
/// probability `pe = 1 - (1 - exit_rate)^(1/12)`, else fails with
/// `pf = 1 - (1 - failure_rate)^(1/12)`. The first event's month is geometric
/// with `P(M > m) = ((1-pe)(1-pf))^m`, sampled by inversion from one uniform;
/// a second uniform picks exit over failure with probability
/// `pe / (1 - (1-pe)(1-pf))`. Four draws always, in a fixed order.
///
/// `rounds(last)` samples the funding rounds of months `1 ..= last` (a
/// round comes after an exit or failure in its month, so none in the
/// event's month) and returns the state after the latest; the exit
/// multiple applies to that valuation (model.md section 9).
fn sample_fate(
    p: &PrivateCompany,
    horizon: u32,
    coupling: Option<Coupling<'_>>,
    rng: &mut Xoshiro256PlusPlus,
    rounds: impl FnOnce(u32) -> Option<Stack>,
) -> Fate {
    let u_time: f64 = rng.random();
    let u_kind: f64 = rng.random();
    let u_ipo: f64 = rng.random();
    let z_own: f64 = rng.sample(StandardNormal);
    let z_at = |month: u32| coupling.map_or(z_own, |c| c.normal(month, z_own));
    let event = if let Some(month) = p.exit_month {
        Some((month, true))
    } else {
        let pe = monthly(p.exit_rate);
        let pf = monthly(p.failure_rate);
        let stay = (1.0 - pe) * (1.0 - pf);
        if stay >= 1.0 {
            None
        } else {
            // 1 - u is in (0, 1], so its log is finite.
            let m = if stay <= 0.0 {
                1.0
            } else {
                ((1.0 - u_time).ln() / stay.ln()).floor() + 1.0
            };
            (m <= f64::from(horizon)).then_some((m as u32, u_kind * (1.0 - stay) < pe))
        }
    };
    let last = event.map_or(horizon, |(month, _)| month - 1);
    let stack = rounds(last);
    match event {
        None => Fate::Private,
        Some((month, false)) => Fate::Failure { month },
        Some((month, true)) => exit(p, stack, month, u_ipo, z_at(month)),
    }
}

/// The funding rounds of months `1 ..= last` (model.md sections 9 and 15),
/// appended to `out`; the state after the latest. Rounds arrive with monthly
/// probability `q = 1 - (1 - rate)^(1/12)`, so the gap to the next is
/// geometric, `P(G > g) = (1 - q)^g`, sampled by inversion from one uniform,
/// then one normal for the step-up: two draws a round, in that order. At a
/// round `V <- V * median * exp(sigma z)`, `N <- N / (1 - d)`,
/// `P <- P + d V`, `f <- f (1 - d) + d`.
fn sample_rounds(
    p: &PrivateCompany,
    r: &Rounds,
    last: u32,
    out: &mut Vec<Round>,
    rng: &mut Xoshiro256PlusPlus,
) -> Stack {
    let mut st = Stack {
        valuation: p.valuation,
        shares: p.shares,
        preference: p.preference,
        preferred: p.preferred_fraction,
    };
    let q = monthly(r.rate);
    if q <= 0.0 {
        return st;
    }
    let mut month: u32 = 0;
    loop {
        let u: f64 = rng.random();
        let z: f64 = rng.sample(StandardNormal);
        let gap = if q >= 1.0 {
            1
        } else {
            // Saturating casts: a gap past the horizon ends the loop.
            (((1.0 - u).ln() / (1.0 - q).ln()).floor() + 1.0) as u32
        };
        month = month.saturating_add(gap.max(1));
        if month > last {
            return st;
        }
        let step_up = r.step_median * (r.step_sigma * z).exp();
        st.valuation = (st.valuation * step_up).clamp(VALUATION_RANGE.0, VALUATION_RANGE.1);
        st.shares = (st.shares / (1.0 - r.dilution)).clamp(SHARES_RANGE.0, SHARES_RANGE.1);
        st.preference += r.dilution * st.valuation;
        st.preferred = st.preferred * (1.0 - r.dilution) + r.dilution;
        // Capacity is `months` and rounds come at most once a month.
        if out.len() < out.capacity() {
            out.push(Round {
                month,
                step_up,
                valuation: st.valuation,
                shares: st.shares,
                preference: st.preference,
                preferred_fraction: st.preferred,
            });
        }
    }
}

/// An exit at `month`: IPO with probability `ipo_fraction`, value
/// `valuation * median * exp(sigma z)` (lognormal multiple of the latest
/// valuation), common price from the waterfall on the latest stack. Without
/// rounds the share count grows by the yearly `dilution` (v1).
fn exit(p: &PrivateCompany, stack: Option<Stack>, month: u32, u_ipo: f64, z_mult: f64) -> Fate {
    let ipo = u_ipo < p.ipo_fraction;
    let st = stack.unwrap_or(Stack {
        valuation: p.valuation,
        shares: p.shares * (1.0 + p.dilution).powf(f64::from(month) / 12.0),
        preference: p.preference,
        preferred: p.preferred_fraction,
    });
    let value = st.valuation * p.exit_median * (p.exit_sigma * z_mult).exp();
    let common = common_price(value, st.shares, st.preference, st.preferred, ipo);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn months(list: &[usize], horizon: usize) -> Vec<bool> {
        let mut v = vec![false; horizon + 1];
        for &m in list {
            v[m] = true;
        }
        v
    }

    #[test]
    fn every_month_of_a_year_is_one_node_of_the_bisection_tree() {
        let mut seen: Vec<u32> = (1..12)
            .flat_map(|o| year_path(o).last().map(|s| s.0))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..12).collect::<Vec<_>>());
        // Month 11 hangs from 6, 9 and 10: the path [0,12] -> [6,12] -> [9,12] -> [10,12].
        let path: Vec<u32> = year_path(11).map(|s| s.0).collect();
        assert_eq!(path, vec![6, 9, 10, 11]);
    }

    #[test]
    fn reading_a_month_computes_only_the_nodes_on_its_path() {
        // Quarter ends of two years: the year ends, 6, then 3 and 9.
        let nodes = compile(&months(&[3, 6, 9, 12, 15, 18, 21, 24], 24));
        let ms: Vec<u32> = nodes.iter().map(|n| n.m).collect();
        assert_eq!(ms, vec![12, 24, 6, 18, 3, 9, 15, 21]);
        // A month in year 3 needs the three year ends, then its path.
        let ms: Vec<u32> = compile(&months(&[29], 36)).iter().map(|n| n.m).collect();
        assert_eq!(ms, vec![12, 24, 36, 30, 27, 28, 29]);
    }

    #[test]
    fn a_months_value_does_not_depend_on_which_other_months_are_read() {
        let all = compile(&[true; 61]);
        let some = compile(&months(&[5, 17, 44, 60], 60));
        for run in 0..200u64 {
            let key = path_key(7, run, 99);
            let (mut a, mut b) = (vec![0.0; 61], vec![0.0; 61]);
            bridge(&all, key, &mut a);
            bridge(&some, key, &mut b);
            for m in [5, 17, 44, 60] {
                assert_eq!(a[m].to_bits(), b[m].to_bits(), "run {run} month {m}");
            }
        }
    }

    #[test]
    fn the_bridge_is_a_brownian_motion_in_years() {
        // Var B(m) = m/12 and Cov(B(a), B(b)) = min(a, b)/12 at months on
        // every level of the tree and across years; each sample moment
        // within 4.5 standard errors (SE of a product mean: sqrt(Var(XY)/n),
        // Var(XY) = Var X Var Y + Cov^2 for a centred normal pair).
        let n = 200_000u64;
        let nodes = compile(&[true; 37]);
        let pairs = [
            (1, 1),
            (5, 5),
            (11, 11),
            (12, 12),
            (29, 29),
            (3, 7),
            (7, 20),
            (6, 36),
            (10, 11),
        ];
        let mut sums = vec![0.0; pairs.len()];
        let mut b = vec![0.0; 37];
        for run in 0..n {
            bridge(&nodes, path_key(11, run, 5), &mut b);
            for (s, &(x, y)) in sums.iter_mut().zip(&pairs) {
                *s += b[x] * b[y];
            }
        }
        for (s, &(x, y)) in sums.iter().zip(&pairs) {
            let (vx, vy, cov) = (x as f64 / 12.0, y as f64 / 12.0, x.min(y) as f64 / 12.0);
            let se = ((vx * vy + cov * cov) / n as f64).sqrt();
            let got = s / n as f64;
            assert!(
                (got - cov).abs() < 4.5 * se,
                "E[B({x}) B({y})] = {got}, want {cov} +/- {}",
                4.5 * se
            );
        }
    }
}
