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
    /// 0-based year of `month`, precomputed for the hot loop.
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
    /// Where the grant comes from, for the trace.
    source: GrantSource,
}

/// Where a held grant comes from (for `tcsim trace`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrantSource {
    /// Index of the stint in the strategy's path.
    pub stint: usize,
    /// Index into [`Scenario::jobs`].
    pub job: usize,
    /// Index into the job's `grants`, or `None` for a refresher.
    pub grant: Option<usize>,
    /// Month of the grant (negative for an existing grant).
    pub granted: i64,
    /// Company index.
    pub company: usize,
    /// RSU or option.
    pub kind: GrantKind,
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
                &mut NoLedger,
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

impl Plan {
    /// Evaluates strategy `s` alone in `world`, recording every cash flow:
    /// its row (`years * measures` entries) and its ledger, for `tcsim trace`.
    pub fn trace(&self, scenario: &Scenario, world: &World, s: usize) -> (Vec<f64>, Vec<Entry>) {
        let l = &self.layout;
        let mut row = vec![0.0; l.years * l.measures];
        let mut ledger = Vec::new();
        self.strategies[s].evaluate(scenario, world, l.measures, &mut row, &mut ledger);
        (row, ledger)
    }

    /// Where strategy `s`'s grants come from, indexed like [`Flow`]'s `grant`.
    pub fn grants(&self, s: usize) -> Vec<GrantSource> {
        self.strategies[s].held.iter().map(|h| h.source).collect()
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
        for (si, st) in stints.iter().enumerate() {
            let job = &scenario.jobs[st.job];
            let leave = st.end_month();
            let leaves = st.end < horizon_years;
            for (gi, g) in job.grants.iter().enumerate() {
                let granted = i64::from(st.start_month()) - i64::from(g.granted_months_ago);
                plan.hold(
                    (si, st.job, Some(gi)),
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
                        (si, st.job, None),
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
        origin: (usize, usize, Option<usize>),
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
            source: GrantSource {
                stint: origin.0,
                job: origin.1,
                grant: origin.2,
                granted,
                company,
                kind,
            },
        });
    }

    /// Adds this strategy's cash flows in `world` to `out` (`years * m`
    /// entries, zeroed, measure index fastest), telling `ledger` about each.
    fn evaluate<L: Ledger>(
        &self,
        scenario: &Scenario,
        world: &World,
        m: usize,
        out: &mut [f64],
        ledger: &mut L,
    ) {
        let mut book = Book { m, out, ledger };
        let mut last_base = 0.0;
        for st in &self.stints {
            let job = &scenario.jobs[st.job];
            let mut base = match job.base {
                Base::Fixed(b) => b,
                Base::Relative { .. } => last_base * world.job_year(st.job, st.start).switch,
            };
            for y in st.start..st.end {
                let d = world.job_year(st.job, y);
                let year_end = 12 * (y + 1);
                book.add(year_end, BASE, base, Flow::Base);
                book.add(
                    year_end,
                    BONUS,
                    base * job.bonus.target * d.bonus,
                    Flow::Bonus {
                        multiplier: d.bonus,
                    },
                );
                if let Some(&s) = job.sign_on.get((y - st.start) as usize) {
                    book.add(year_end, SIGN_ON, s, Flow::SignOn);
                }
                last_base = base;
                // The anniversary raise applies only if the stint goes on.
                if y + 1 < st.end {
                    base *= d.raise;
                }
            }
        }
        for (g, h) in self.held.iter().enumerate() {
            match &scenario.companies[h.company].kind {
                CompanyKind::Public(_) => self.public(g, h, world, &mut book),
                CompanyKind::Private(p) => self.private(
                    g,
                    h,
                    world.fate(h.company),
                    p.round_price(),
                    scenario.sim.years,
                    &mut book,
                ),
            }
        }
        let out = book.out;
        let at = |y: u32, k: usize| y as usize * m + k;
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

    /// Units of grant `h`, converting a `value` at `price`.
    fn units(h: &Held, price: f64) -> f64 {
        match h.size {
            GrantSize::Units(u) => u,
            GrantSize::Value(v) => v / price,
        }
    }

    /// Records the units left unvested when the holder leaves (the ledger
    /// only: forfeiting moves no money).
    fn forfeit_unvested<L: Ledger>(g: usize, h: &Held, units: f64, book: &mut Book<'_, L>) {
        if h.leaves && h.vested_at_leave < 1.0 {
            book.note(
                h.leave_month,
                Flow::Forfeit {
                    grant: g,
                    units: units * (1.0 - h.vested_at_leave),
                },
            );
        }
    }

    /// Public RSUs vest at the vest-month price and are sold; public options
    /// are exercised and sold when the stint ends (or at the horizon).
    fn public<L: Ledger>(&self, g: usize, h: &Held, world: &World, book: &mut Book<'_, L>) {
        let c = h.company;
        let units = Self::units(h, world.price(c, h.convert_month));
        match h.kind {
            GrantKind::Rsu => {
                for e in &self.events[h.events.clone()] {
                    let price = world.price(c, e.month);
                    let n = units * e.fraction;
                    book.add_in(
                        e.year,
                        e.month,
                        RSU,
                        n * price,
                        Flow::Vest {
                            grant: g,
                            units: n,
                            price,
                        },
                    );
                }
            }
            GrantKind::Option { strike, .. } => {
                let price = world.price(c, h.leave_month);
                let n = units * h.vested_at_leave;
                let spread = (price - strike).max(0.0);
                book.add(
                    h.leave_month,
                    OPTIONS,
                    n * spread,
                    Flow::OptionSale {
                        grant: g,
                        units: n,
                        price,
                        strike,
                    },
                );
            }
        }
        Self::forfeit_unvested(g, h, units, book);
    }

    /// Private equity (model.md sections 3 and 4). Double-trigger RSUs and
    /// options pay at an exit for the units vested by then; units vesting
    /// after an exit, while still employed, pay the exit price on their vest
    /// month. Leaving before an exit keeps vested RSUs, and exercises
    /// (paying the strike) or forfeits vested options. Until an exit, vested
    /// units still held count as `unrealized` at each year end.
    fn private<L: Ledger>(
        &self,
        g: usize,
        h: &Held,
        fate: Fate,
        round_price: f64,
        years: u32,
        book: &mut Book<'_, L>,
    ) {
        let units = Self::units(h, round_price);
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
        Self::forfeit_unvested(g, h, units, book);
        // Vested options held on leaving are exercised if the company is
        // still private then; RSUs are simply kept.
        let exercised =
            is_option && h.leaves && on_leave == OnLeave::Exercise && end_month > h.leave_month;
        if exercised {
            let n = units * h.vested_at_leave;
            book.add(
                h.leave_month,
                OPTIONS,
                -n * strike,
                Flow::Exercise {
                    grant: g,
                    units: n,
                    strike,
                },
            );
        } else if is_option && h.leaves && end_month > h.leave_month {
            book.note(
                h.leave_month,
                Flow::Forfeit {
                    grant: g,
                    units: units * h.vested_at_leave,
                },
            );
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
                        let n = units * e.fraction;
                        book.add(
                            e.month,
                            slot,
                            n * per_unit,
                            Flow::Settle {
                                grant: g,
                                units: n,
                                per_unit,
                            },
                        );
                    }
                }
                let n = units * at_exit;
                book.add(
                    x,
                    slot,
                    n * per_unit,
                    Flow::Settle {
                        grant: g,
                        units: n,
                        per_unit,
                    },
                );
            } else if kept_after_leaving {
                // Left earlier holding RSUs or exercised shares: each share
                // pays the common price.
                let n = units * h.vested_at_leave;
                book.add(
                    x,
                    slot,
                    n * common,
                    Flow::Settle {
                        grant: g,
                        units: n,
                        per_unit: common,
                    },
                );
            }
        }
        if book.m <= UNREALIZED {
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
            let n = units * vested;
            book.add(
                t,
                UNREALIZED,
                n * per_unit,
                Flow::Unrealized {
                    grant: g,
                    units: n,
                    per_unit,
                },
            );
        }
    }
}

/// Where evaluation puts each cash flow: the run's row, and the ledger.
struct Book<'a, L> {
    m: usize,
    out: &'a mut [f64],
    ledger: &'a mut L,
}

impl<L: Ledger> Book<'_, L> {
    /// Adds `amount` to measure `slot` of the year of `month`.
    #[inline]
    fn add(&mut self, month: u32, slot: usize, amount: f64, flow: Flow) {
        self.add_in(year_of(month), month, slot, amount, flow);
    }

    /// [`Book::add`] with the 0-based year of `month` already known.
    #[inline]
    fn add_in(&mut self, year: u32, month: u32, slot: usize, amount: f64, flow: Flow) {
        self.out[year as usize * self.m + slot] += amount;
        self.ledger.record(Entry {
            month,
            year: year + 1,
            measure: Measure::ALL[slot],
            amount,
            flow,
        });
    }

    /// Records an event that moves no money (a forfeiture).
    #[inline]
    fn note(&mut self, month: u32, flow: Flow) {
        let year = year_of(month);
        self.ledger.record(Entry {
            month,
            year: year + 1,
            measure: Measure::Total,
            amount: 0.0,
            flow,
        });
    }
}

/// What a ledger entry was (for `tcsim trace`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Flow {
    /// The year's base salary.
    Base,
    /// The year's bonus, with its multiplier.
    Bonus {
        /// Multiplier `m` of `base * target * m`.
        multiplier: f64,
    },
    /// Sign-on cash.
    SignOn,
    /// Public RSUs vesting and sold at the month's price.
    Vest {
        /// Index into [`StrategyPlan::grants`].
        grant: usize,
        /// Units vesting.
        units: f64,
        /// Share price that month.
        price: f64,
    },
    /// Public options exercised and sold at the end of the stint.
    OptionSale {
        /// Grant index.
        grant: usize,
        /// Options exercised.
        units: f64,
        /// Share price.
        price: f64,
        /// Exercise price.
        strike: f64,
    },
    /// Private options exercised on leaving (a cost).
    Exercise {
        /// Grant index.
        grant: usize,
        /// Options exercised.
        units: f64,
        /// Exercise price paid per option.
        strike: f64,
    },
    /// Private units paid at (or after) an exit.
    Settle {
        /// Grant index.
        grant: usize,
        /// Units paid.
        units: f64,
        /// Dollars per unit.
        per_unit: f64,
    },
    /// Units given up on leaving (no money moves).
    Forfeit {
        /// Grant index.
        grant: usize,
        /// Units forfeited.
        units: f64,
    },
    /// Vested private equity held at a year end, at the round price.
    Unrealized {
        /// Grant index.
        grant: usize,
        /// Units held.
        units: f64,
        /// Round price per unit (net of strike for options).
        per_unit: f64,
    },
}

/// One line of a world's cash-flow ledger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Month of the flow (year end for base, bonus and sign-on).
    pub month: u32,
    /// 1-based year it counts in.
    pub year: u32,
    /// Measure it adds to ([`Measure::Total`] for forfeitures, which add nothing).
    pub measure: Measure,
    /// Dollars (negative for exercise costs).
    pub amount: f64,
    /// What it was.
    pub flow: Flow,
}

/// Receives ledger entries while a world is evaluated.
pub trait Ledger {
    /// One entry.
    fn record(&mut self, entry: Entry);
}

/// The engine's ledger: records nothing and compiles to nothing.
pub struct NoLedger;

impl Ledger for NoLedger {
    #[inline(always)]
    fn record(&mut self, _: Entry) {}
}

impl Ledger for Vec<Entry> {
    fn record(&mut self, entry: Entry) {
        self.push(entry);
    }
}
