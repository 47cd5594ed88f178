//! The checked model: what a scenario file means once every key has been
//! validated. The engine trusts these values and never sees TOML or CLI types.
//!
//! Units: money in dollars, rates as fractions (0.07 = 7 %), time in months
//! counted from the start of the horizon (month 0), years 1-based in outputs.

use crate::vesting::Schedule;

/// A whole checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Simulation settings (horizon, runs, seed, percentiles).
    pub sim: Simulation,
    /// `[market]`: the stock-market index every company may move with.
    pub market: Option<Market>,
    /// Companies in file order.
    pub companies: Vec<Company>,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
    /// Strategies in file order.
    pub strategies: Vec<Strategy>,
    /// `[tax]`: after-tax measures (model.md section 10); `None` without it.
    pub tax: Option<TaxSettings>,
    /// `[ladders.NAME]` in file order (model.md section 11).
    pub ladders: Vec<Ladder>,
}

/// `[ladders.NAME]`, checked: one entry per level in every array (model.md
/// section 11).
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    /// The user's name for it.
    pub name: String,
    /// Level names, lowest first (`"L3"`, `"L4"`, ...).
    pub levels: Vec<String>,
    /// Base on entering each level (the band), before `pay_factor`.
    pub base: Vec<f64>,
    /// Bonus target of each level, a fraction of base.
    pub bonus_target: Vec<f64>,
    /// Yearly refresher value of each level, before `pay_factor`.
    pub refresh: Vec<f64>,
    /// Yearly promotion probability out of each level once eligible (the
    /// top level's is never used).
    pub promotion_rate: Vec<f64>,
    /// Whole years in each level before a promotion can come.
    pub min_years: Vec<u32>,
    /// RSU grant value on reaching each level, before `pay_factor` (the
    /// lowest level's is never used).
    pub promotion_grant: Vec<f64>,
    /// The least raise a promotion gives: base becomes
    /// `max(base (1 + promotion_raise), band)`.
    pub promotion_raise: f64,
}

/// A job's place on a ladder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnLadder {
    /// Index into [`Scenario::ladders`].
    pub ladder: usize,
    /// The level a stint at this job starts at.
    pub level: LevelStart,
    /// Geographic pay tier: multiplies every dollar figure the ladder gives
    /// (base bands, refreshers, promotion grants), not a job's own base.
    pub pay_factor: f64,
}

/// `level` of a job on a ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelStart {
    /// A named level: its 0-based index in the ladder.
    At(usize),
    /// `"same"`: the previous stint's last level index.
    Same,
    /// `"+1"`: one above the previous stint's last level (the top stays the
    /// top).
    Up,
}

/// `[tax]`, checked: the tables of its year and the household.
#[derive(Debug, Clone)]
pub struct TaxSettings {
    /// The compiled-in tables of `[tax] year`.
    pub tables: crate::tax::Tables,
    /// Filing status, other income and itemized deductions.
    pub household: crate::tax::Household,
    /// `[tax] state` and `city`: the residence while a job without its own
    /// `state` is held.
    pub residence: crate::tax::Residence,
    /// Yearly indexing of the thresholds after the table year.
    pub inflation: f64,
}

/// `[simulation]`: how many worlds to sample and what to report.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Horizon in years (1-based years `1..=years`).
    pub years: u32,
    /// Number of simulated worlds.
    pub runs: u64,
    /// Seed: run `i`'s world is a pure function of `(seed, i)`.
    pub seed: u64,
    /// The v1 price-path resolution (a multiple of 12), still accepted:
    /// prices are exact at month ends and nothing reads between them, so it
    /// changes no output (model.md section 14).
    pub steps_per_year: u32,
    /// Requested percentiles in percent, strictly increasing, each in `[0, 100]`.
    pub percentiles: Vec<f64>,
    /// Index of the baseline strategy every other one is compared against.
    pub baseline: usize,
    /// `compare = [["a", "b"], ...]`: pairs `(strategy, against)` compared
    /// besides the baseline comparisons, in file order (model.md section 12).
    pub compare: Vec<(usize, usize)>,
    /// `risk_aversion` with `wealth`: the certainty equivalent's utility.
    pub risk: Option<Risk>,
    /// `discount_rate`: the annual rate `present_value` discounts at.
    pub discount_rate: Option<f64>,
}

/// CRRA utility `u(w) = w^(1-g)/(1-g)` (`ln w` at `g = 1`) of the wealth
/// `W + X`, `X` a strategy's cumulative cash (model.md section 12).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    /// Relative risk aversion `g > 0`.
    pub aversion: f64,
    /// Wealth `W > 0` the cash is added to.
    pub wealth: f64,
}

impl Simulation {
    /// Months in the horizon.
    pub fn months(&self) -> u32 {
        12 * self.years
    }
}

/// `[market]`: one stock-market index `M`, `M(0) = 1`, following GBM with
/// its own keyed normals (model.md sections 8 and 14).
#[derive(Debug, Clone, Copy)]
pub struct Market {
    /// Expected annual return: `E[M_T] = e^(drift T)`.
    pub drift: f64,
    /// Annual volatility.
    pub volatility: f64,
}

/// A company whose shares the equity is paid in.
#[derive(Debug, Clone)]
pub struct Company {
    /// The user's name for it.
    pub name: String,
    /// Stable stream key derived from the name, so a company's draws do not
    /// change when other companies or jobs are added or removed.
    pub stream: u64,
    /// Public (price path) or private (fate: exit, failure or neither).
    pub kind: CompanyKind,
    /// Correlation of the company's log returns (public) or of its exit
    /// multiple's log (private) with the market's; 0 without `[market]`.
    pub market_correlation: f64,
}

/// A `layoffs` table (model.md sections 8 and 15), on a job or its company.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layoffs {
    /// Yearly layoff probability at a flat market.
    pub rate: f64,
    /// `k` in `r = min(1, rate exp(-k L))`, `L` the market's trailing
    /// 12-month log return.
    pub market_sensitivity: f64,
    /// Weeks of base paid on a layoff; `None` when the table does not say
    /// (0 weeks on a layoff, and no severance at all on a failure).
    pub severance_weeks: Option<f64>,
    /// Extra weeks of severance per whole year served in the stint.
    pub weeks_per_year: f64,
    /// Months vesting goes on after the layoff.
    pub vesting_months: u32,
    /// Months without pay before the rehire.
    pub rehire_months: u32,
    /// Rehire base as a fraction of the base at the layoff.
    pub rehire_pay: f64,
}

impl Layoffs {
    /// The rehire rule of a private company's failure at a job without a
    /// `layoffs` table: no severance, 3 months' gap, then the same base.
    pub const FAILURE_DEFAULT: Layoffs = Layoffs {
        rate: 0.0,
        market_sensitivity: 0.0,
        severance_weeks: None,
        weeks_per_year: 0.0,
        vesting_months: 0,
        rehire_months: 3,
        rehire_pay: 1.0,
    };
}

/// Public or private company parameters.
#[derive(Debug, Clone)]
pub enum CompanyKind {
    /// Geometric Brownian motion share price.
    Public(Gbm),
    /// A private company with a liquidity event hazard.
    Private(PrivateCompany),
}

/// `S(t+dt) = S(t) exp((drift - vol^2/2) dt + vol sqrt(dt) Z)`.
#[derive(Debug, Clone, Copy)]
pub struct Gbm {
    /// Month-0 share price.
    pub share_price: f64,
    /// Expected annual return: `E[S_T] = S_0 e^(drift T)`.
    pub drift: f64,
    /// Annual volatility.
    pub volatility: f64,
}

/// A private company (docs/reference.md, "The model's rules").
#[derive(Debug, Clone, Copy)]
pub struct PrivateCompany {
    /// Latest post-money valuation in dollars.
    pub valuation: f64,
    /// Fully diluted share count at month 0.
    pub shares: f64,
    /// Liquidation preference ahead of common, in dollars.
    pub preference: f64,
    /// Share of the fully diluted stock that is preferred, in `[0, 1)`.
    pub preferred_fraction: f64,
    /// Annual probability of a liquidity event.
    pub exit_rate: f64,
    /// Annual probability of shutting down.
    pub failure_rate: f64,
    /// Share of exits that are IPOs (the rest are acquisitions).
    pub ipo_fraction: f64,
    /// Median multiple of `valuation` at exit.
    pub exit_median: f64,
    /// Log-sd of the exit multiple.
    pub exit_sigma: f64,
    /// Annual growth of the share count.
    pub dilution: f64,
    /// A scheduled exit: the company exits at this month in every world
    /// (an announced acquisition or IPO date), instead of the hazards.
    pub exit_month: Option<u32>,
    /// Priced funding rounds (model.md section 9); exclusive with a yearly
    /// `dilution` (then 0 here).
    pub rounds: Option<Rounds>,
    /// The share price after an IPO (the defaults when the key is absent).
    pub after_ipo: AfterIpo,
    /// What an acquisition does to unvested units.
    pub on_acquisition: OnAcquisition,
    /// The 409A fair market value of common as a fraction of the mark: it
    /// prices spreads for tax, never the exercise decision or `unrealized`
    /// (default 1).
    pub fmv_fraction: f64,
}

/// `rounds = { rate, step_up = { median, sigma }, dilution }` (model.md
/// section 9): while private and alive, a priced round comes with monthly
/// probability `1 - (1 - rate)^(1/12)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rounds {
    /// Yearly probability of a round.
    pub rate: f64,
    /// Median of the lognormal step-up of the valuation (below 1 is a down
    /// round).
    pub step_median: f64,
    /// Log-sd of the step-up.
    pub step_sigma: f64,
    /// Investors' share of the post-money: `N <- N / (1 - dilution)`.
    pub dilution: f64,
}

/// `after_ipo = { drift, volatility, lockup_months }` (model.md section 9):
/// the GBM the share price follows from the IPO common price, and the months
/// nothing can be sold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AfterIpo {
    /// Expected annual return after the IPO.
    pub drift: f64,
    /// Annual volatility after the IPO.
    pub volatility: f64,
    /// Months after the IPO month before anything can be sold.
    pub lockup_months: u32,
}

impl AfterIpo {
    /// The defaults of model.md section 9 (0.08, 0.50, a 6-month lockup).
    pub const DEFAULT: AfterIpo = AfterIpo {
        drift: 0.08,
        volatility: 0.50,
        lockup_months: 6,
    };
}

/// What an acquisition does to unvested units (model.md section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnAcquisition {
    /// They keep vesting and pay the acquisition common price at each vest.
    Assume,
    /// They are forfeited at the exit.
    Cancel,
    /// They all vest at the exit.
    Accelerate,
}

impl PrivateCompany {
    /// Price per share of the round before month 0 (the mark until a new
    /// round; without `rounds`, the mark throughout).
    pub fn round_price(&self) -> f64 {
        self.valuation / self.shares
    }
}

/// A position at a company.
#[derive(Debug, Clone)]
pub struct Job {
    /// The user's name for it.
    pub name: String,
    /// Stable stream key derived from the name (see [`Company::stream`]).
    pub stream: u64,
    /// Index into [`Scenario::companies`]; `None` for a cash-only job (no
    /// grants, no refresh).
    pub company: Option<usize>,
    /// Starting base salary.
    pub base: Base,
    /// Merit raise at each anniversary: `Normal(mean, sd)`.
    pub raise: Raise,
    /// Yearly promotion chance and base bump.
    pub promotion: Promotion,
    /// Yearly bonus.
    pub bonus: Bonus,
    /// Sign-on cash by stint year (index 0 = the stint's first year).
    pub sign_on: Vec<f64>,
    /// Grants made at the start of every stint at this job.
    pub grants: Vec<Grant>,
    /// Repeated RSU grants.
    pub refresh: Option<Refresh>,
    /// The layoff rule of this job: its own `layoffs` table, else its
    /// company's (a job's table replaces its company's whole).
    pub layoffs: Option<Layoffs>,
    /// `sign_on_clawback_months`: leaving by the path after `w < C` months
    /// repays `y1 (1 - w/C)`; 0 for no clawback.
    pub sign_on_clawback_months: u32,
    /// The job's own `state` (and city): the residence while it is held;
    /// `None` for `[tax]`'s.
    pub residence: Option<crate::tax::Residence>,
    /// `ladder`, `level` and `pay_factor` (model.md section 11).
    pub ladder: Option<OnLadder>,
    /// `price_parity`: the regional price parity where the holder lives
    /// while the job is held (US average 1.0); `None` for 1.0.
    pub price_parity: Option<f64>,
}

/// Starting base of a stint.
#[derive(Debug, Clone, Copy)]
pub enum Base {
    /// A fixed base in dollars.
    Fixed(f64),
    /// The previous stint's last base times `1 + U(min, max)`.
    Relative {
        /// Lower bound of the raise.
        min: f64,
        /// Upper bound of the raise.
        max: f64,
    },
    /// `base = { p10, p50, p90 }`: drawn once per world and job from the
    /// split lognormal through the three points (model.md section 11).
    Market {
        /// 10th percentile.
        p10: f64,
        /// Median.
        p50: f64,
        /// 90th percentile.
        p90: f64,
    },
    /// `base_raise = { p10, p50, p90 }`: the previous stint's last base
    /// times `1 + r`, `r` from the split normal through the three points,
    /// drawn per stint.
    RelativeMarket {
        /// 10th percentile of the raise.
        p10: f64,
        /// Median raise.
        p50: f64,
        /// 90th percentile of the raise.
        p90: f64,
    },
    /// A job on a ladder without a base of its own: the starting level's
    /// band times `pay_factor`.
    Level,
}

/// Merit raise, normal with these parameters; a factor below 0 is clamped to 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raise {
    /// Mean raise (0.03 = 3 %).
    pub mean: f64,
    /// Standard deviation of the raise.
    pub sd: f64,
}

/// Promotion: with probability `rate` each anniversary, base grows by `raise`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Promotion {
    /// Yearly probability.
    pub rate: f64,
    /// Base bump when promoted.
    pub raise: f64,
}

/// The bonus multiplier's noise around 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BonusDistribution {
    /// `1 + sd z` (v1).
    Normal,
    /// `exp(sd z - sd^2/2)`: mean 1, a fat right tail.
    Lognormal,
}

/// Bonus `base * target * m`, `m = clamp(noise R^company_link, min, max)`
/// (model.md section 8).
#[derive(Debug, Clone, Copy)]
pub struct Bonus {
    /// Target as a fraction of base.
    pub target: f64,
    /// Standard deviation of the multiplier.
    pub sd: f64,
    /// Lowest multiplier.
    pub min: f64,
    /// Highest multiplier.
    pub max: f64,
    /// Exponent `k` of the price ratio `R` over the bonus year.
    pub company_link: f64,
    /// The noise's law.
    pub distribution: BonusDistribution,
}

impl Default for Bonus {
    fn default() -> Self {
        Bonus {
            target: 0.0,
            sd: 0.0,
            min: 0.0,
            max: 2.0,
            company_link: 0.0,
            distribution: BonusDistribution::Normal,
        }
    }
}

/// One equity grant.
#[derive(Debug, Clone)]
pub struct Grant {
    /// RSU or option.
    pub kind: GrantKind,
    /// How many units, directly or as a dollar value at grant.
    pub size: GrantSize,
    /// When the units vest, relative to the grant month.
    pub schedule: Schedule,
    /// Months before month 0 the grant was made (0 for a new grant).
    pub granted_months_ago: u32,
}

/// RSU or stock option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GrantKind {
    /// Restricted stock units (double-trigger at a private company).
    Rsu,
    /// Stock options with a strike price.
    Option {
        /// Exercise price per share.
        strike: f64,
        /// What happens to vested options on leaving a private company.
        on_leave: OnLeave,
        /// Months after leaving a private company within which vested
        /// options can be exercised (default 3, the 90-day norm).
        exercise_window_months: u32,
        /// How the tax law treats them (model.md section 10).
        tax_type: TaxType,
    },
}

/// Incentive or non-qualified stock options (model.md section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxType {
    /// ISOs: no tax at exercise but the AMT preference; long-term gains if
    /// held a year after exercise and two after grant (the default at a
    /// private company).
    Iso,
    /// NSOs: the exercise spread is wages (the default at a public company).
    Nso,
}

/// Exercise or forfeit vested private options on leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLeave {
    /// Decide at the exercise window's end: cashless at an exit inside the
    /// window, else pay the strike for exactly the options in the money at
    /// the latest mark (model.md section 9).
    Exercise,
    /// Drop the options.
    Forfeit,
}

/// Grant size.
#[derive(Debug, Clone, Copy)]
pub enum GrantSize {
    /// A fixed number of units.
    Units(f64),
    /// Dollars converted to units at the grant-month price.
    Value(f64),
}

/// Repeated RSU grants (`refresh`).
#[derive(Debug, Clone)]
pub struct Refresh {
    /// Dollar value of each refresher.
    pub value: f64,
    /// Years between refreshers.
    pub every_years: u32,
    /// Stint year after which the first refresher comes.
    pub first_after_years: u32,
    /// Vesting of each refresher.
    pub schedule: Schedule,
}

/// A career path: stints in order, the last one running to the horizon.
#[derive(Debug, Clone)]
pub struct Strategy {
    /// The user's name for it.
    pub name: String,
    /// Stints, covering the horizon exactly.
    pub stints: Vec<Stint>,
}

/// A stint: a job held over months `start + 1 ..= end` (`years` or
/// `months` in the file).
#[derive(Debug, Clone, Copy)]
pub struct Stint {
    /// Index into [`Scenario::jobs`].
    pub job: usize,
    /// Month the stint starts (its grants are made at this month); it
    /// covers months `start + 1 ..= end`.
    pub start: u32,
    /// Last month of the stint as planned (the holder leaves after it).
    pub end: u32,
}

impl Stint {
    /// Month the stint starts (its grants are made at this month).
    pub fn start_month(&self) -> u32 {
        self.start
    }
    /// Last month of the stint as planned (the holder leaves after it).
    pub fn end_month(&self) -> u32 {
        self.end
    }
    /// Months the stint lasts as planned.
    pub fn months(&self) -> u32 {
        self.end - self.start
    }
}
