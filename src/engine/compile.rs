//! Strategy compilation: each strategy turned once into the grants it holds
//! and the months their units vest, and the world shape (which prices and
//! draws some strategy reads).
//!
//! Everything that does not depend on the draws (which stint holds which
//! grant, which events fall before leaving, which fraction vested before
//! month 0) is worked out here once, so evaluating a world is a few loops of
//! multiply-adds.

use std::ops::Range;

use crate::engine::world::WorldShape;
use crate::model::{CompanyKind, GrantKind, GrantSize, Layoffs, Scenario, Stint};
use crate::schema::Layout;
use crate::vesting::Schedule;

/// One vesting event that happens while the grant is held.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) month: u32,
    /// 0-based year of `month`, precomputed for the hot loop.
    pub(super) year: u32,
    pub(super) fraction: f64,
}

/// A grant as one strategy holds it.
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub(super) company: usize,
    pub(super) kind: GrantKind,
    pub(super) size: GrantSize,
    /// Month whose price converts a `value` into units.
    pub(super) convert_month: u32,
    /// Last month the grant is held (the stint's end); later events are
    /// forfeited.
    pub(super) leave_month: u32,
    /// Whether the holder leaves before the horizon.
    pub(super) leaves: bool,
    /// Fraction vested before month 0 (existing grants).
    pub(super) pre_vested: f64,
    /// `pre_vested` by calendar year before the simulation: `[k]` vested in
    /// the `k+1`-th year before year 1 (the last slot takes any earlier),
    /// for the ISO limit's yearly room.
    pub(super) pre_years: [f64; PAST_YEARS],
    /// The last month worked: `leave_month`, but for continued vesting
    /// after a layoff (the ISO clock of IRC 422(a)(2) starts here).
    pub(super) worked: u32,
    /// Fraction vested when the holder leaves (or at the horizon).
    pub(super) vested_at_leave: f64,
    /// This grant's events in months `1 ..= leave_month`.
    pub(super) events: Range<usize>,
    /// Where the grant comes from, for the trace.
    pub(super) source: GrantSource,
}

/// Calendar years before the simulation an existing grant's vesting is
/// kept by year (`granted_months_ago` is at most 120 months).
pub(super) const PAST_YEARS: usize = 11;

/// The share-price floor of model.md section 3: the lowest price a `value`
/// grant converts at (an acquisition that paid common nothing, a simulated
/// price near zero), so a grant's unit count stays finite.
const PRICE_FLOOR: f64 = 0.0001;

impl Held {
    /// Units of the grant, converting a `value` at `price` (floored).
    pub(super) fn units(&self, price: f64) -> f64 {
        match self.size {
            GrantSize::Units(u) => u,
            GrantSize::Value(v) => v / price.max(PRICE_FLOOR),
        }
    }
}

/// Where a held grant comes from (for `tcsim trace`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrantSource {
    /// Index of the stint in the strategy's path.
    pub stint: usize,
    /// Index into [`Scenario::jobs`].
    pub job: usize,
    /// Index into the job's `grants`, or `None` for a refresher or a
    /// promotion grant.
    pub grant: Option<usize>,
    /// A ladder's promotion grant (model.md section 11): made only in the
    /// worlds where the anniversary of `granted` promotes.
    pub promotion: bool,
    /// Month of the grant (negative for an existing grant).
    pub granted: i64,
    /// Company index.
    pub company: usize,
    /// RSU or option.
    pub kind: GrantKind,
}

/// A stint as one strategy holds it: how it may end early in a world.
#[derive(Debug, Clone)]
pub(super) struct StintPlan {
    pub(super) stint: Stint,
    /// Whether the job's layoff draws can end it (a `layoffs` table with a
    /// positive rate).
    pub(super) layoffs: bool,
    /// The job's private company, whose failure ends the stint.
    pub(super) failure: Option<usize>,
    /// The rule of a layoff or a failure: the job's `layoffs` table, else
    /// a failure's default.
    pub(super) rule: Layoffs,
    /// The job's company, when it is public (its price links the bonus).
    pub(super) public: Option<usize>,
    /// This stint's grants in [`StrategyPlan::held`].
    pub(super) held: Range<usize>,
}

impl StintPlan {
    /// Whether the stint can end before its planned end in some world.
    pub(super) fn exposed(&self) -> bool {
        self.layoffs || self.failure.is_some()
    }
}

/// A strategy compiled against a scenario.
#[derive(Debug, Clone)]
pub struct StrategyPlan {
    pub(super) stints: Vec<StintPlan>,
    pub(super) held: Vec<Held>,
    pub(super) events: Vec<Event>,
    /// With `[tax]`: the residences the strategy lives in, in first-use
    /// order, and each month's (`0 ..= horizon`) index into them: the
    /// residence of the job held that month (model.md section 10).
    pub(super) residences: Vec<crate::tax::Residence>,
    pub(super) month_residence: Vec<u8>,
    /// With `real`: `1 / price_parity` of the job held each month (`0 ..=
    /// horizon`), 1 where the job sets none (model.md section 11).
    pub(super) inv_parity: Vec<f64>,
    /// With `present_value`: each month's (`0 ..= horizon`) discount factor
    /// `(1 + d)^(-m/12)` (model.md section 12), then their running sums.
    pub(super) discount: Vec<f64>,
}

/// Everything the engine needs besides the scenario and the draws.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Row layout.
    pub layout: Layout,
    /// Which draws and prices the worlds must provide.
    pub shape: WorldShape,
    pub(super) strategies: Vec<StrategyPlan>,
    /// With `[tax]`: the tables of each simulation year, indexed once.
    pub(super) tax_years: Vec<crate::tax::YearTables>,
}

/// The vesting of a ladder job's promotion grants: the job's first RSU
/// grant's, else its refresh table's, else 25/25/25/25 quarterly with no
/// cliff (model.md sections 11 and 15).
fn promotion_schedule(job: &crate::model::Job) -> Schedule {
    if let Some(g) = job.grants.iter().find(|g| g.kind == GrantKind::Rsu) {
        return g.schedule.clone();
    }
    if let Some(r) = &job.refresh {
        return r.schedule.clone();
    }
    Schedule::new(
        &[25.0, 25.0, 25.0, 25.0],
        crate::vesting::Frequency::Quarterly,
        0,
    )
}

/// The months a stint holds for its residence and parity: `start + 1 ..=
/// end` (a flow in month `end` is the stint's own, like its last base), and
/// month 0 with the first stint.
fn stint_months(st: &Stint) -> std::ops::RangeInclusive<usize> {
    let from = if st.start == 0 { 0 } else { st.start + 1 };
    from as usize..=st.end as usize
}

/// 0-based year of a 1-based month.
pub(super) fn year_of(month: u32) -> u32 {
    (month - 1) / 12
}

impl Plan {
    /// Compiles every strategy of `scenario`.
    pub fn new(scenario: &Scenario) -> Plan {
        let layout = Layout::new(scenario);
        let mut shape = WorldShape::empty(scenario);
        let strategies = scenario
            .strategies
            .iter()
            .map(|s| {
                let plan = StrategyPlan::new(scenario, &s.stints);
                for sp in &plan.stints {
                    let st = sp.stint;
                    shape.job_used[st.job] = true;
                    // A bonus linked to results reads the company's price
                    // (the market's, elsewhere) at each anniversary and 12
                    // months before.
                    let job = &scenario.jobs[st.job];
                    if job.bonus.company_link != 0.0 {
                        let months = match sp.public {
                            Some(c) => &mut shape.needed[c],
                            None => &mut shape.market_needed,
                        };
                        let mut a = st.start + 12;
                        while a <= st.end {
                            months[a as usize] = true;
                            months[a as usize - 12] = true;
                            a += 12;
                        }
                    }
                }
                for h in &plan.held {
                    if matches!(scenario.companies[h.company].kind, CompanyKind::Private(_)) {
                        continue;
                    }
                    let needed = &mut shape.needed[h.company];
                    // A stint that can end early leaves in any month, and
                    // public options are sold at leaving (RSUs read only
                    // their vest months, marked below).
                    if plan.stints[h.source.stint].exposed()
                        && matches!(h.kind, GrantKind::Option { .. })
                    {
                        for m in h.convert_month..=h.leave_month {
                            needed[m as usize] = true;
                        }
                    }
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
        // The market at every month for what reads it at months known only
        // in the world: a layoff hazard linked to it (the 12 months before
        // each month), a private company moving with it (its exit month and
        // its price after an IPO).
        if scenario.market.is_some() {
            let linked_layoffs = scenario.jobs.iter().enumerate().any(|(j, job)| {
                shape.job_used[j]
                    && job
                        .layoffs
                        .as_ref()
                        .is_some_and(|l| l.rate > 0.0 && l.market_sensitivity != 0.0)
            });
            let linked_private = scenario
                .companies
                .iter()
                .any(|c| matches!(c.kind, CompanyKind::Private(_)) && c.market_correlation != 0.0);
            if linked_layoffs || linked_private {
                shape.market_needed.fill(true);
            }
        }
        shape.compile(scenario);
        let tax_years = match &scenario.tax {
            Some(t) => (0..scenario.sim.years)
                .map(|k| t.tables.for_year(k, t.inflation))
                .collect(),
            None => Vec::new(),
        };
        Plan {
            layout,
            shape,
            strategies,
            tax_years,
        }
    }
}

impl StrategyPlan {
    fn new(scenario: &Scenario, stints: &[Stint]) -> StrategyPlan {
        let mut plan = StrategyPlan {
            stints: Vec::with_capacity(stints.len()),
            held: Vec::new(),
            events: Vec::new(),
            residences: Vec::new(),
            month_residence: Vec::new(),
            inv_parity: Vec::new(),
            discount: Vec::new(),
        };
        let horizon = scenario.sim.months();
        if let Some(d) = scenario.sim.discount_rate {
            // `(1 + d)^(-m/12)` for `m = 0 ..= horizon`, then the running
            // sums over months `1 ..= m` (a block of base months is
            // discounted month by month with one subtraction).
            plan.discount = (0..=horizon)
                .map(|m| (1.0 + d).powf(-f64::from(m) / 12.0))
                .collect();
            let mut sum = 0.0;
            for m in 0..=horizon as usize {
                if m > 0 {
                    sum += plan.discount[m];
                }
                plan.discount.push(sum);
            }
        }
        if let Some(tax) = &scenario.tax {
            plan.month_residence = vec![0; horizon as usize + 1];
            for st in stints {
                let r = scenario.jobs[st.job].residence.unwrap_or(tax.residence);
                let i = match plan.residences.iter().position(|&x| x == r) {
                    Some(i) => i,
                    None => {
                        plan.residences.push(r);
                        plan.residences.len() - 1
                    }
                };
                for m in stint_months(st) {
                    plan.month_residence[m] = i as u8;
                }
            }
        }
        if crate::schema::Measure::Real.reported(scenario) {
            plan.inv_parity = vec![1.0; horizon as usize + 1];
            for st in stints {
                let p = scenario.jobs[st.job].price_parity.unwrap_or(1.0);
                for m in stint_months(st) {
                    plan.inv_parity[m] = 1.0 / p;
                }
            }
        }
        for (si, st) in stints.iter().enumerate() {
            let job = &scenario.jobs[st.job];
            let kind = job.company.map(|c| &scenario.companies[c].kind);
            let first = plan.held.len();
            plan.stints.push(StintPlan {
                stint: *st,
                layoffs: job.layoffs.is_some_and(|l| l.rate > 0.0),
                failure: match kind {
                    Some(CompanyKind::Private(p))
                        if p.failure_rate > 0.0 && p.exit_month.is_none() =>
                    {
                        job.company
                    }
                    _ => None,
                },
                rule: job.layoffs.unwrap_or(Layoffs::FAILURE_DEFAULT),
                public: match kind {
                    Some(CompanyKind::Public(_)) => job.company,
                    _ => None,
                },
                held: first..first,
            });
            // A cash-only job holds no grants (checked).
            let Some(company) = job.company else {
                continue;
            };
            let leave = st.end_month();
            let leaves = st.end < horizon;
            for (gi, g) in job.grants.iter().enumerate() {
                let granted = i64::from(st.start_month()) - i64::from(g.granted_months_ago);
                plan.hold(
                    (si, st.job, Some(gi), false),
                    company,
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
                // before the stint ends (docs/reference.md, "The model's rules").
                // On a ladder their value is the level's, set per world.
                let mut after = r.first_after_years;
                while st.start + 12 * after < st.end {
                    let month = i64::from(st.start + 12 * after);
                    plan.hold(
                        (si, st.job, None, false),
                        company,
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
            if job.ladder.is_some() {
                // A possible promotion grant at every anniversary strictly
                // before the stint ends (none in the leaving month); its
                // value, and whether it is made, are the world's.
                let schedule = promotion_schedule(job);
                let mut k = 1;
                while st.start + 12 * k < st.end {
                    plan.hold(
                        (si, st.job, None, true),
                        company,
                        GrantKind::Rsu,
                        GrantSize::Value(0.0),
                        i64::from(st.start + 12 * k),
                        leave,
                        leaves,
                        &schedule,
                    );
                    k += 1;
                }
            }
            plan.stints[si].held = first..plan.held.len();
        }
        plan
    }

    #[allow(clippy::too_many_arguments)]
    fn hold(
        &mut self,
        origin: (usize, usize, Option<usize>, bool),
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
        let mut pre_years = [0.0; PAST_YEARS];
        let mut vested = 0.0;
        for e in schedule.events() {
            let month = granted + i64::from(e.month);
            if month <= 0 {
                pre_vested += e.fraction;
                // Months -11..=0 are the year before year 1.
                let k = ((-month) / 12).min(PAST_YEARS as i64 - 1) as usize;
                pre_years[k] += e.fraction;
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
            pre_years,
            worked: leave_month,
            vested_at_leave: pre_vested + vested,
            events: first..self.events.len(),
            source: GrantSource {
                stint: origin.0,
                job: origin.1,
                grant: origin.2,
                promotion: origin.3,
                granted,
                company,
                kind,
            },
        });
    }
}
