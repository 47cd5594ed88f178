//! Cash flows: a strategy compiled once into the grants it holds and the
//! months their units vest, then evaluated in each world.
//!
//! Everything that does not depend on the draws (which stint holds which
//! grant, which events fall before leaving, which fraction vested before
//! month 0) is worked out here once, so evaluating a world is a few loops of
//! multiply-adds.

use std::ops::Range;

use crate::engine::world::{Fate, World, WorldShape};
use crate::model::{Base, CompanyKind, GrantKind, GrantSize, OnLeave, Scenario, Stint};
use crate::vesting::Schedule;

/// One output measure per (strategy, year), in the order of `percentiles.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Base salary paid in the year.
    Base,
    /// Bonus paid at the year's end.
    Bonus,
    /// Sign-on cash.
    SignOn,
    /// RSU income: public vests at the vest-month price, private settlements.
    Rsu,
    /// Option income net of exercise costs.
    Options,
    /// Cash TC: the sum of the five measures above.
    Total,
    /// `total` summed up to the year.
    Cumulative,
    /// Vested private equity still held at the year's end, at the last
    /// round's price; never part of `total`.
    Unrealized,
}

impl Measure {
    /// Every measure, in row order.
    pub const ALL: [Measure; 8] = [
        Measure::Base,
        Measure::Bonus,
        Measure::SignOn,
        Measure::Rsu,
        Measure::Options,
        Measure::Total,
        Measure::Cumulative,
        Measure::Unrealized,
    ];

    /// The name used in output files.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Base => "base",
            Measure::Bonus => "bonus",
            Measure::SignOn => "sign_on",
            Measure::Rsu => "rsu",
            Measure::Options => "options",
            Measure::Total => "total",
            Measure::Cumulative => "cumulative",
            Measure::Unrealized => "unrealized",
        }
    }
}

const BASE: usize = 0;
const BONUS: usize = 1;
const SIGN_ON: usize = 2;
const RSU: usize = 3;
const OPTIONS: usize = 4;
const TOTAL: usize = 5;
const CUMULATIVE: usize = 6;
const UNREALIZED: usize = 7;

/// Where each number of a run's row lives.
///
/// A row holds, for each strategy and year, the measures in
/// [`Measure::ALL`] order (without `unrealized` when no company is private),
/// then for each compared strategy and year the difference of cumulative TC
/// against the baseline in the same world.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Number of strategies.
    pub strategies: usize,
    /// Number of years.
    pub years: usize,
    /// Measures per (strategy, year).
    pub measures: usize,
    /// The baseline strategy.
    pub baseline: usize,
    /// Strategies compared against the baseline, in file order.
    pub compared: Vec<usize>,
}

impl Layout {
    /// Numbers per run.
    pub fn width(&self) -> usize {
        self.strategies * self.years * self.measures + self.compared.len() * self.years
    }
    /// Index of measure `m` of strategy `s` in 0-based year `y`.
    pub fn at(&self, s: usize, y: usize, m: usize) -> usize {
        (s * self.years + y) * self.measures + m
    }
    /// Index of the cumulative difference of the `k`-th compared strategy.
    pub fn diff(&self, k: usize, y: usize) -> usize {
        self.strategies * self.years * self.measures + k * self.years + y
    }
    /// The measures reported, in order.
    pub fn measure_list(&self) -> &'static [Measure] {
        &Measure::ALL[..self.measures]
    }
}

/// One vesting event that happens while the grant is held.
#[derive(Debug, Clone, Copy)]
struct Event {
    month: u32,
    year: u32,
    fraction: f64,
}

/// A grant as one strategy holds it.
#[derive(Debug, Clone)]
struct Held {
    company: usize,
    kind: GrantKind,
    size: GrantSize,
    /// Month whose price converts a `value` into units.
    convert_month: u32,
    /// Last month the grant is held (the stint's end); later events are
    /// forfeited.
    leave_month: u32,
    /// Whether the holder leaves before the horizon.
    leaves: bool,
    /// Fraction vested before month 0 (existing grants).
    pre_vested: f64,
    /// Fraction vested when the holder leaves (or at the horizon).
    vested_at_leave: f64,
    /// This grant's events in months `1 ..= leave_month`.
    events: Range<usize>,
}

/// A strategy compiled against a scenario.
#[derive(Debug, Clone)]
pub struct StrategyPlan {
    stints: Vec<Stint>,
    held: Vec<Held>,
    events: Vec<Event>,
}

/// Everything the engine needs besides the scenario and the draws.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Row layout.
    pub layout: Layout,
    /// Which draws and prices the worlds must provide.
    pub shape: WorldShape,
    strategies: Vec<StrategyPlan>,
}

fn year_of(month: u32) -> u32 {
    (month - 1) / 12
}

impl Plan {
    /// Compiles every strategy of `scenario`.
    pub fn new(scenario: &Scenario) -> Plan {
        let months = scenario.sim.months();
        let any_private = scenario
            .companies
            .iter()
            .any(|c| matches!(c.kind, CompanyKind::Private(_)));
        let layout = Layout {
            strategies: scenario.strategies.len(),
            years: scenario.sim.years as usize,
            measures: if any_private { 8 } else { 7 },
            baseline: scenario.sim.baseline,
            compared: (0..scenario.strategies.len())
                .filter(|&s| s != scenario.sim.baseline)
                .collect(),
        };
        let mut shape = WorldShape {
            needed: vec![vec![false; months as usize + 1]; scenario.companies.len()],
            job_used: vec![false; scenario.jobs.len()],
        };
        let strategies = scenario
            .strategies
            .iter()
            .map(|s| {
                let plan = StrategyPlan::new(scenario, &s.stints);
                for st in &s.stints {
                    shape.job_used[st.job] = true;
                }
                for h in &plan.held {
                    if matches!(scenario.companies[h.company].kind, CompanyKind::Private(_)) {
                        continue;
                    }
                    let needed = &mut shape.needed[h.company];
                    if matches!(h.size, GrantSize::Value(_)) {
                        needed[h.convert_month as usize] = true;
                    }
                    match h.kind {
                        GrantKind::Rsu => {
                            for e in &plan.events[h.events.clone()] {
                                needed[e.month as usize] = true;
                            }
                        }
                        GrantKind::Option { .. } => needed[h.leave_month as usize] = true,
                    }
                }
                plan
            })
            .collect();
        Plan {
            layout,
            shape,
            strategies,
        }
    }

    /// Writes run `world`'s row: every strategy's measures, then the
    /// differences against the baseline. `row` has [`Layout::width`] entries.
    pub fn evaluate(&self, scenario: &Scenario, world: &World, row: &mut [f64]) {
        let l = &self.layout;
        row.fill(0.0);
        let per = l.years * l.measures;
        for (s, plan) in self.strategies.iter().enumerate() {
            plan.evaluate(
                scenario,
                world,
                l.measures,
                &mut row[s * per..(s + 1) * per],
            );
        }
        for (k, &s) in l.compared.iter().enumerate() {
            for y in 0..l.years {
                row[l.diff(k, y)] =
                    row[l.at(s, y, CUMULATIVE)] - row[l.at(l.baseline, y, CUMULATIVE)];
            }
        }
    }
}

impl StrategyPlan {
    fn new(scenario: &Scenario, stints: &[Stint]) -> StrategyPlan {
        let mut plan = StrategyPlan {
            stints: stints.to_vec(),
            held: Vec::new(),
            events: Vec::new(),
        };
        let horizon_years = scenario.sim.years;
        for st in stints {
            let job = &scenario.jobs[st.job];
            let leave = st.end_month();
            let leaves = st.end < horizon_years;
            for g in &job.grants {
                let granted = i64::from(st.start_month()) - i64::from(g.granted_months_ago);
                plan.hold(
                    job.company,
                    g.kind,
                    g.size,
                    granted,
                    leave,
                    leaves,
                    &g.schedule,
                );
            }
            if let Some(r) = &job.refresh {
                // Refreshers at stint months 12 (first + k every), strictly
                // before the stint ends (model.md section 4).
                let mut after = r.first_after_years;
                while st.start + after < st.end {
                    let month = i64::from(12 * (st.start + after));
                    plan.hold(
                        job.company,
                        GrantKind::Rsu,
                        GrantSize::Value(r.value),
                        month,
                        leave,
                        leaves,
                        &r.schedule,
                    );
                    after += r.every_years;
                }
            }
        }
        plan
    }

    #[allow(clippy::too_many_arguments)]
    fn hold(
        &mut self,
        company: usize,
        kind: GrantKind,
        size: GrantSize,
        granted: i64,
        leave_month: u32,
        leaves: bool,
        schedule: &Schedule,
    ) {
        let first = self.events.len();
        let mut pre_vested = 0.0;
        let mut vested = 0.0;
        for e in schedule.events() {
            let month = granted + i64::from(e.month);
            if month <= 0 {
                pre_vested += e.fraction;
            } else if month <= i64::from(leave_month) {
                let month = month as u32;
                self.events.push(Event {
                    month,
                    year: year_of(month),
                    fraction: e.fraction,
                });
                vested += e.fraction;
            }
        }
        self.held.push(Held {
            company,
            kind,
            size,
            convert_month: granted.max(0) as u32,
            leave_month,
            leaves,
            pre_vested,
            vested_at_leave: pre_vested + vested,
            events: first..self.events.len(),
        });
    }

    /// Adds this strategy's cash flows in `world` to `out` (`years * m`
    /// entries, zeroed, measure index fastest).
    fn evaluate(&self, scenario: &Scenario, world: &World, m: usize, out: &mut [f64]) {
        let at = |y: u32, k: usize| y as usize * m + k;
        let mut last_base = 0.0;
        for st in &self.stints {
            let job = &scenario.jobs[st.job];
            let mut base = match job.base {
                Base::Fixed(b) => b,
                Base::Relative { .. } => last_base * world.job_year(st.job, st.start).switch,
            };
            for y in st.start..st.end {
                let d = world.job_year(st.job, y);
                out[at(y, BASE)] += base;
                out[at(y, BONUS)] += base * job.bonus.target * d.bonus;
                if let Some(s) = job.sign_on.get((y - st.start) as usize) {
                    out[at(y, SIGN_ON)] += s;
                }
                last_base = base;
                // The anniversary raise applies only if the stint goes on.
                if y + 1 < st.end {
                    base *= d.raise;
                }
            }
        }
        for h in &self.held {
            match &scenario.companies[h.company].kind {
                CompanyKind::Public(_) => self.public(h, world, m, out),
                CompanyKind::Private(p) => self.private(
                    h,
                    world.fate(h.company),
                    p.round_price(),
                    scenario.sim.years,
                    m,
                    out,
                ),
            }
        }
        let mut cumulative = 0.0;
        for y in 0..scenario.sim.years {
            let total = out[at(y, BASE)]
                + out[at(y, BONUS)]
                + out[at(y, SIGN_ON)]
                + out[at(y, RSU)]
                + out[at(y, OPTIONS)];
            out[at(y, TOTAL)] = total;
            cumulative += total;
            out[at(y, CUMULATIVE)] = cumulative;
        }
    }

    /// Public RSUs vest at the vest-month price and are sold; public options
    /// are exercised and sold when the stint ends (or at the horizon).
    fn public(&self, h: &Held, world: &World, m: usize, out: &mut [f64]) {
        let c = h.company;
        let units = match h.size {
            GrantSize::Units(u) => u,
            GrantSize::Value(v) => v / world.price(c, h.convert_month),
        };
        match h.kind {
            GrantKind::Rsu => {
                for e in &self.events[h.events.clone()] {
                    out[e.year as usize * m + RSU] += units * e.fraction * world.price(c, e.month);
                }
            }
            GrantKind::Option { strike, .. } => {
                let spread = (world.price(c, h.leave_month) - strike).max(0.0);
                out[year_of(h.leave_month) as usize * m + OPTIONS] +=
                    units * h.vested_at_leave * spread;
            }
        }
    }

    /// Private equity (model.md sections 3 and 4). Double-trigger RSUs and
    /// options pay at an exit for the units vested by then; units vesting
    /// after an exit, while still employed, pay the exit price on their vest
    /// month. Leaving before an exit keeps vested RSUs, and exercises
    /// (paying the strike) or forfeits vested options. Until an exit, vested
    /// units still held count as `unrealized` at each year end.
    fn private(
        &self,
        h: &Held,
        fate: Fate,
        round_price: f64,
        years: u32,
        m: usize,
        out: &mut [f64],
    ) {
        let units = match h.size {
            GrantSize::Units(u) => u,
            GrantSize::Value(v) => v / round_price,
        };
        let events = &self.events[h.events.clone()];
        let (slot, strike, on_leave) = match h.kind {
            GrantKind::Rsu => (RSU, 0.0, OnLeave::Exercise),
            GrantKind::Option { strike, on_leave } => (OPTIONS, strike, on_leave),
        };
        let is_option = matches!(h.kind, GrantKind::Option { .. });
        // The month the company's story ends, if it does within the horizon.
        let end_month = match fate {
            Fate::Exit { month, .. } | Fate::Failure { month } => month,
            Fate::Private => u32::MAX,
        };
        // A grant made at or after the month the company's story ended (the
        // stint started after its exit or failure in this world) holds
        // nothing: there is no private equity left to vest into.
        if end_month <= h.convert_month {
            return;
        }
        // Vested options held on leaving are exercised if the company is
        // still private then; RSUs are simply kept.
        let exercised =
            is_option && h.leaves && on_leave == OnLeave::Exercise && end_month > h.leave_month;
        if exercised {
            out[year_of(h.leave_month) as usize * m + OPTIONS] -=
                units * h.vested_at_leave * strike;
        }
        let kept_after_leaving = !is_option || exercised;
        if let Fate::Exit {
            month: x, common, ..
        } = fate
        {
            if x <= h.leave_month {
                // Employed at the exit: vested units pay now, later ones as
                // they vest.
                let per_unit = (common - strike).max(0.0);
                let mut at_exit = h.pre_vested;
                for e in events {
                    if e.month <= x {
                        at_exit += e.fraction;
                    } else {
                        out[e.year as usize * m + slot] += units * e.fraction * per_unit;
                    }
                }
                out[year_of(x) as usize * m + slot] += units * at_exit * per_unit;
            } else if kept_after_leaving {
                // Left earlier holding RSUs or exercised shares: each share
                // pays the common price.
                out[year_of(x) as usize * m + slot] += units * h.vested_at_leave * common;
            }
        }
        if m <= UNREALIZED {
            return;
        }
        // Unrealized at each year end before any event: vested units held,
        // valued at the last round's price.
        let mut vested = h.pre_vested;
        let mut next = 0;
        for y in 1..=years {
            let t = 12 * y;
            if t >= end_month {
                break;
            }
            while next < events.len() && events[next].month <= t {
                vested += events[next].fraction;
                next += 1;
            }
            let per_unit = if t < h.leave_month || !h.leaves {
                (round_price - strike).max(0.0)
            } else if exercised || !is_option {
                round_price
            } else {
                0.0
            };
            out[(y - 1) as usize * m + UNREALIZED] += units * vested * per_unit;
        }
    }
}
