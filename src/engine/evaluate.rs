//! Evaluation: a compiled strategy's cash flows in one sampled world, added
//! into the run's row (docs/reference.md, "The model's rules").

use crate::engine::compile::{
    Event, GrantSource, Held, PAST_YEARS, Plan, StintPlan, StrategyPlan, year_of,
};
use crate::engine::ledger::{Cause, Entry, Flow, Ledger, NoLedger, Recorder};
use crate::engine::private;
use crate::engine::world::{Fate, NEVER, World};
use crate::model::{Base, CompanyKind, GrantKind, LevelStart, Scenario, TaxType};

/// The flag of a stint anniversary that promoted, in a ladder level byte.
const PROMOTED: u8 = 0x80;
use crate::schema::{Layout, Measure};

impl Plan {
    /// Writes run `world`'s row: every strategy's measures, then the
    /// differences against the baseline. `row` has [`Layout::width`] entries.
    pub fn evaluate(&self, scenario: &Scenario, world: &World, row: &mut [f64]) {
        let l = &self.layout;
        row.fill(0.0);
        let per = l.per_strategy();
        for (s, plan) in self.strategies.iter().enumerate() {
            plan.evaluate(
                scenario,
                world,
                l,
                &self.tax_years,
                &mut row[s * per..(s + 1) * per],
                &mut NoLedger,
            );
        }
        for (k, &(s, b)) in l.pairs.iter().enumerate() {
            for y in 0..l.years {
                row[l.diff(k, y)] =
                    row[l.at(s, y, Measure::Cumulative)] - row[l.at(b, y, Measure::Cumulative)];
            }
        }
        if l.reports(Measure::NetCumulative) {
            for (k, &(s, b)) in l.pairs.iter().enumerate() {
                for y in 0..l.years {
                    row[l.net_diff(k, y)] = row[l.at(s, y, Measure::NetCumulative)]
                        - row[l.at(b, y, Measure::NetCumulative)];
                }
            }
        }
    }
}

impl Plan {
    /// Evaluates strategy `s` alone in `world`, recording every cash flow:
    /// its row ([`Layout::per_strategy`] entries) and its ledger, for `tcsim trace`.
    pub fn trace(&self, scenario: &Scenario, world: &World, s: usize) -> (Vec<f64>, Recorder) {
        let l = &self.layout;
        let mut row = vec![0.0; l.per_strategy()];
        let mut ledger = Recorder::default();
        self.strategies[s].evaluate(scenario, world, l, &self.tax_years, &mut row, &mut ledger);
        (row, ledger)
    }

    /// Where strategy `s`'s grants come from, indexed like [`Flow`]'s `grant`.
    pub fn grants(&self, s: usize) -> Vec<GrantSource> {
        self.strategies[s].held.iter().map(|h| h.source).collect()
    }
}

impl StrategyPlan {
    /// Adds this strategy's cash flows in `world` to `out` (`years * m`
    /// entries, zeroed, measure index fastest), telling `ledger` about each.
    fn evaluate<L: Ledger>(
        &self,
        scenario: &Scenario,
        world: &World,
        layout: &Layout,
        tax_years: &[crate::tax::YearTables],
        out: &mut [f64],
        ledger: &mut L,
    ) {
        let slots = Slots::of(layout);
        let taxed = slots.get(Measure::Tax) != Slots::NONE;
        let mut scratch = world.tax.borrow_mut();
        let scratch = &mut *scratch;
        let residences = self.residences.len();
        let items = &mut scratch.items[..if taxed { layout.years * residences } else { 0 }];
        items.fill(crate::tax::Income::default());
        scratch.iso_used.fill(0.0);
        scratch.real_pos.fill(0.0);
        let mut book = Book {
            tax: taxed.then_some(TaxBook {
                items,
                month_residence: &self.month_residence,
                residences,
                iso_used: &mut scratch.iso_used,
                years: layout.years,
                iso_limit: tax_years.first().map_or(0.0, |t| t.federal.iso_limit),
                real_pos: &mut scratch.real_pos,
            }),
            slots,
            inv_parity: &self.inv_parity,
            discount: &self.discount,
            m: layout.measures().len(),
            out,
            ledger,
        };
        let horizon = scenario.sim.months();
        let mut last_base = 0.0;
        // Ladders (model.md sections 11 and 15): `levels[si * stride + k]` is
        // stint `si`'s level after its anniversary `k` (`k = 0`: at its
        // start), `PROMOTED` set when that anniversary promoted.
        let mut levels = world.levels.borrow_mut();
        let stride = layout.years + 1;
        let level_slot = slots.get(Measure::Level);
        let mut last_level: Option<usize> = None;
        for (si, sp) in self.stints.iter().enumerate() {
            let st = sp.stint;
            let job = &scenario.jobs[st.job];
            let (s, e) = (st.start, st.end);
            let ladder = job.ladder.map(|o| (o, &scenario.ladders[o.ladder]));
            let mut level = match ladder {
                None => 0,
                Some((o, l)) => {
                    let top = l.levels.len() - 1;
                    match o.level {
                        LevelStart::At(i) => i.min(top),
                        // The scenario layer refuses "same" and "+1" after a
                        // stint without a ladder.
                        LevelStart::Same => last_level.unwrap_or(0).min(top),
                        LevelStart::Up => (last_level.unwrap_or(0) + 1).min(top),
                    }
                }
            };
            if ladder.is_some() {
                levels[si * stride] = level as u8;
            }
            let start_base = match job.base {
                Base::Fixed(b) => b,
                // The switch draw of the calendar year of the stint's first month.
                Base::Relative { .. } | Base::RelativeMarket { .. } => {
                    last_base * world.job_year(st.job, s / 12).switch
                }
                Base::Market { .. } => world.market_base(st.job),
                Base::Level => match ladder {
                    Some((o, l)) => l.base[level] * o.pay_factor,
                    None => 0.0,
                },
            };
            let ending = Ending::of(sp, world);
            let worked = ending.last_worked(e);
            // The year ends `(level_from, ..]` of this stint not yet given
            // their level.
            let mut level_from = s;
            let mut in_level = 0u32;
            // Employed months `s + 1 ..= worked`, one stint year at a time:
            // base accrues monthly, the year's sign-on comes in its first
            // month, the bonus and the raise at its anniversary (model.md
            // sections 8 and 15).
            let mut base = start_base;
            let mut from = s;
            let mut k = 0;
            while from < worked {
                let anniversary = s + 12 * (k + 1);
                if let Some(&y) = job.sign_on.get(k as usize) {
                    book.add(from + 1, Measure::SignOn, y, Flow::SignOn);
                }
                accrue(&mut book, from, anniversary.min(worked), base, Flow::Base);
                if anniversary > worked {
                    break;
                }
                let d = world.job_year(st.job, year_of(anniversary));
                // A layoff or failure in the anniversary month loses its
                // bonus and raise.
                if anniversary < worked || matches!(ending, Ending::Planned) {
                    let multiplier = bonus_multiplier(job, sp, world, anniversary, d.bonus);
                    // On a ladder the target is the level's during the year.
                    let target = match ladder {
                        Some((_, l)) => l.bonus_target[level],
                        None => job.bonus.target,
                    };
                    book.add(
                        anniversary,
                        Measure::Bonus,
                        base * target * multiplier,
                        Flow::Bonus { multiplier },
                    );
                }
                // The anniversary raise applies only if the stint goes on.
                if anniversary < worked {
                    match ladder {
                        None => {
                            base *= d.raise;
                            // The trace labels a promotion (`d.raise` holds
                            // its bump: the world draws it so).
                            if d.promotion < job.promotion.rate {
                                book.note(
                                    anniversary,
                                    Flow::Promoted {
                                        raise: job.promotion.raise,
                                        merit: d.merit,
                                        base,
                                    },
                                );
                            }
                        }
                        Some((o, l)) => {
                            // The merit raise, then the promotion draw once
                            // `min_years` in the level have passed.
                            base *= d.merit;
                            in_level += 1;
                            let mut after = level as u8;
                            if level + 1 < l.levels.len()
                                && in_level >= l.min_years[level]
                                && d.promotion < l.promotion_rate[level]
                            {
                                let from_level = level;
                                level += 1;
                                in_level = 0;
                                base = (base * (1.0 + l.promotion_raise))
                                    .max(l.base[level] * o.pay_factor);
                                book.note(
                                    anniversary,
                                    Flow::Promotion {
                                        ladder: o.ladder,
                                        from: from_level,
                                        to: level,
                                        base,
                                        grant: l.promotion_grant[level] * o.pay_factor,
                                    },
                                );
                                // Year ends up to the anniversary keep the
                                // old level; the new one counts after it.
                                book.level(level_slot, level_from, anniversary, from_level);
                                level_from = anniversary;
                                after = level as u8 | PROMOTED;
                            }
                            levels[si * stride + k as usize + 1] = after;
                        }
                    }
                }
                from = anniversary;
                k += 1;
            }
            if ladder.is_some() {
                // The rest of the stint, a rehire period too, at the level
                // held last.
                book.level(level_slot, level_from, e, level);
                last_level = Some(level);
            }
            last_base = base;
            match ending {
                Ending::Planned => {
                    // Leaving by the path before the clawback period ends
                    // repays `y1 (1 - w/C)` in the leaving month.
                    let c = job.sign_on_clawback_months;
                    let w = e - s;
                    if e < horizon
                        && w < c
                        && let Some(&y1) = job.sign_on.first()
                    {
                        let repaid = y1 * (1.0 - f64::from(w) / f64::from(c));
                        book.add(e, Measure::SignOn, -repaid, Flow::Clawback { months: w });
                    }
                }
                Ending::Layoff(t) | Ending::Failure(t) | Ending::AlreadyFailed(t) => {
                    let rule = &sp.rule;
                    // Severance `base / 52 (weeks + weeks_per_year * whole
                    // years served)`; a failure pays it only when the table
                    // sets `severance_weeks`.
                    let weeks = match ending {
                        Ending::Layoff(_) => Some(rule.severance_weeks.unwrap_or(0.0)),
                        Ending::Failure(_) => rule.severance_weeks,
                        _ => None,
                    };
                    let severance = weeks
                        .map(|w| base / 52.0 * (w + rule.weeks_per_year * f64::from((t - s) / 12)));
                    let rehire_base = base * rule.rehire_pay;
                    // A stint at a company already failed is told in its
                    // first month (`t` is the previous stint's last).
                    let told = if matches!(ending, Ending::AlreadyFailed(_)) {
                        t + 1
                    } else {
                        t
                    };
                    book.note(
                        told,
                        Flow::Layoff {
                            cause: match ending {
                                Ending::Layoff(_) => Cause::Layoff,
                                Ending::Failure(_) => Cause::Failure,
                                _ => Cause::AlreadyFailed,
                            },
                            severance: severance.unwrap_or(0.0),
                            gap: rule.rehire_months,
                            rehire_base,
                        },
                    );
                    if let Some(amount) = severance {
                        book.add(t, Measure::Severance, amount, Flow::Severance);
                    }
                    // The rehire gap, then the rehire base until the stint's
                    // planned end: no bonus, equity, raise or sign-on.
                    let rehired = t.saturating_add(rule.rehire_months);
                    if rehired < e {
                        accrue(&mut book, rehired, e, rehire_base, Flow::Rehired);
                    }
                    last_base = rehire_base;
                }
            }
        }
        // Equity after cash, as the trace reads best; the ending is cheap to
        // find again.
        for sp in &self.stints {
            let ending = Ending::of(sp, world);
            let tenure = Tenure::of(ending, sp, ending.last_worked(sp.stint.end), sp.stint.end);
            let ladder = scenario.jobs[sp.stint.job]
                .ladder
                .map(|o| (o, &scenario.ladders[o.ladder]));
            for g in sp.held.clone() {
                let sized;
                let mut planned = &self.held[g];
                if let Some((o, l)) = ladder
                    && planned.source.grant.is_none()
                {
                    // A refresher or a promotion grant: the value of the
                    // level after its anniversary's promotion.
                    let k = ((planned.convert_month - sp.stint.start) / 12) as usize;
                    let at = levels[planned.source.stint * stride + k];
                    let level = (at & !PROMOTED) as usize;
                    let value = if planned.source.promotion {
                        if at & PROMOTED == 0 {
                            continue;
                        }
                        l.promotion_grant[level]
                    } else {
                        l.refresh[level]
                    };
                    // A level that gives nothing makes no grant.
                    if value == 0.0 {
                        continue;
                    }
                    let mut h = planned.clone();
                    h.size = crate::model::GrantSize::Value(value * o.pay_factor);
                    sized = h;
                    planned = &sized;
                }
                let ended;
                let h = if tenure.early {
                    let Some(held) = tenure.hold(planned, &self.events, horizon) else {
                        continue;
                    };
                    ended = held;
                    &ended
                } else {
                    planned
                };
                match &scenario.companies[h.company].kind {
                    CompanyKind::Public(_) => self.public(g, h, world, &mut book),
                    CompanyKind::Private(p) => private::evaluate(
                        g,
                        h,
                        &self.events[h.events.clone()],
                        p,
                        world,
                        horizon,
                        scenario.sim.years,
                        &mut book,
                    ),
                }
            }
        }
        let (out, slots, m) = (book.out, book.slots, book.m);
        let (total, cumulative) = (slots.get(Measure::Total), slots.get(Measure::Cumulative));
        let cash = Measure::CASH.map(|c| slots.get(c));
        let mut sum = 0.0;
        for year in out.chunks_exact_mut(m) {
            // The cash measures in a fixed order, so the sum is reproducible.
            let mut t = 0.0;
            for &c in &cash {
                if c != Slots::NONE {
                    t += year[c];
                }
            }
            year[total] = t;
            sum += t;
            year[cumulative] = sum;
        }
        let tax_book = book.tax;
        if let (Some(tb), Some(tax)) = (&tax_book, &scenario.tax) {
            Self::taxes(
                tb,
                tax,
                &self.residences,
                tax_years,
                &mut scratch.parts,
                out,
                slots,
                m,
                book.ledger,
            );
        }
        let (real, real_cumulative) =
            (slots.get(Measure::Real), slots.get(Measure::RealCumulative));
        if real != Slots::NONE {
            // `real` holds each month's cash over its parity; with `[tax]`
            // the year's tax comes off at the parity its positive cash was
            // earned at on average (each month's cash less its share of the
            // tax, over that month's parity), or at the year-end month's
            // when the year paid no cash (model.md section 11).
            let tax = slots.get(Measure::Tax);
            let mut sum = 0.0;
            for (y, year) in out.chunks_exact_mut(m).enumerate() {
                if let Some(tb) = &tax_book
                    && year[tax] != 0.0
                {
                    // The weights of the year's positive cash only, so an
                    // exercise cost or a clawback cannot push the average
                    // outside the year's parities.
                    let (cash, over) = (tb.real_pos[2 * y], tb.real_pos[2 * y + 1]);
                    let w = if cash > 0.0 {
                        over / cash
                    } else {
                        self.inv_parity[12 * (y + 1)]
                    };
                    year[real] -= year[tax] * w;
                }
                sum += year[real];
                year[real_cumulative] = sum;
            }
        }
        let pv = slots.get(Measure::PresentValue);
        if pv != Slots::NONE {
            // Each year's discounted cash less its tax, paid in the year's
            // last month `12 (y + 1)` (model.md section 12), summed up to
            // the year.
            let tax = slots.get(Measure::Tax);
            let mut sum = 0.0;
            for (y, year) in out.chunks_exact_mut(m).enumerate() {
                if tax != Slots::NONE {
                    year[pv] -= year[tax] * self.discount[12 * (y + 1)];
                }
                sum += year[pv];
                year[pv] = sum;
            }
        }
    }

    /// Each year's liability from its items, in year order so the carried
    /// minimum tax credit and capital losses flow forward, into the tax
    /// measures, `net` and `net_cumulative` (model.md section 10).
    #[allow(clippy::too_many_arguments)]
    fn taxes<L: Ledger>(
        tb: &TaxBook<'_>,
        tax: &crate::model::TaxSettings,
        residences: &[crate::tax::Residence],
        tax_years: &[crate::tax::YearTables],
        parts: &mut Vec<(crate::tax::Residence, crate::tax::Income)>,
        out: &mut [f64],
        slots: Slots,
        m: usize,
        ledger: &mut L,
    ) {
        let mut carry = crate::tax::Carry::default();
        let mut net_sum = 0.0;
        let n = residences.len();
        for (y, year) in out.chunks_exact_mut(m).enumerate() {
            parts.clear();
            for (r, &res) in residences.iter().enumerate() {
                let income = tb.items[y * n + r];
                if income != crate::tax::Income::default() {
                    parts.push((res, income));
                }
            }
            if parts.is_empty() {
                // A year without items is still a year of residence (its
                // other income is taxed there): the year-end month's.
                let r = tb.month_residence[12 * (y + 1)] as usize;
                parts.push((residences[r], crate::tax::Income::default()));
            }
            let carry_in = carry;
            let l = if L::TAX_YEARS {
                crate::tax::year(&tax_years[y], &tax.household, parts, &mut carry)
            } else {
                crate::tax::liability(&tax_years[y], &tax.household, parts, &mut carry)
            };
            ledger.tax_year(y as u32 + 1, parts, &carry_in, &l, &carry);
            let lines = [l.federal.total, l.fica, l.state, l.state_payroll];
            let mut t = 0.0;
            for (k, &measure) in Measure::TAXES.iter().enumerate() {
                year[slots.get(measure)] = lines[k];
                t += lines[k];
            }
            year[slots.get(Measure::Tax)] = t;
            let net = year[slots.get(Measure::Total)] - t;
            year[slots.get(Measure::Net)] = net;
            net_sum += net;
            year[slots.get(Measure::NetCumulative)] = net_sum;
        }
    }

    /// Records the units left unvested when the holder leaves (the ledger
    /// only: forfeiting moves no money).
    pub(super) fn forfeit_unvested<L: Ledger>(
        g: usize,
        h: &Held,
        units: f64,
        book: &mut Book<'_, L>,
    ) {
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
        let units = h.units(world.price(c, h.convert_month));
        match h.kind {
            GrantKind::Rsu if book.plain() => {
                // Without tax, `real` or `present_value` a vest adds to its
                // year's `rsu` alone: the sum is carried in a register while
                // the year stays the same, the same additions in the same
                // order as `add_in` makes (so the same bits), without a
                // store and a reload per vest.
                let slot = book.slots.get(Measure::Rsu);
                let mut at: Option<(usize, f64)> = None;
                for e in &self.events[h.events.clone()] {
                    let price = world.price(c, e.month);
                    let n = units * e.fraction;
                    if slot != Slots::NONE {
                        let i = e.year as usize * book.m + slot;
                        let sum = match at {
                            Some((j, sum)) if j == i => sum,
                            Some((j, sum)) => {
                                book.out[j] = sum;
                                book.out[i]
                            }
                            None => book.out[i],
                        };
                        at = Some((i, sum + n * price));
                    }
                    book.ledger.record(Entry {
                        month: e.month,
                        year: e.year + 1,
                        measure: Measure::Rsu,
                        amount: n * price,
                        flow: Flow::Vest {
                            grant: g,
                            units: n,
                            price,
                        },
                    });
                }
                if let Some((j, sum)) = at {
                    book.out[j] = sum;
                }
            }
            GrantKind::Rsu => {
                for e in &self.events[h.events.clone()] {
                    let price = world.price(c, e.month);
                    let n = units * e.fraction;
                    book.add_in(
                        e.year,
                        e.month,
                        Measure::Rsu,
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
                // Exercised and sold the same day: the spread is wages (an
                // NSO) or ordinary income (an ISO's disqualifying sale).
                if book.taxed() {
                    let fmv = world.price(c, h.convert_month);
                    let iso = book.iso_share(h, &self.events[h.events.clone()], units, fmv);
                    // More than 3 months after the last month worked: NSOs.
                    let late = h.leaves
                        && h.leave_month > h.worked.saturating_add(ISO_MONTHS_AFTER_LEAVING);
                    book.cashless(h.leave_month, n * spread, if late { 0.0 } else { iso });
                }
                book.add(
                    h.leave_month,
                    Measure::Options,
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
}

/// How a stint ends in one world (model.md sections 8 and 15).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    /// As planned: at its end, or at the horizon.
    Planned,
    /// Laid off in this month (the last month worked).
    Layoff(u32),
    /// The company failed in this month (the last month worked).
    Failure(u32),
    /// The company had failed by the stint's start month: the stint starts
    /// in the rehire state.
    AlreadyFailed(u32),
}

impl Ending {
    fn of(sp: &StintPlan, world: &World) -> Ending {
        if !sp.exposed() {
            return Ending::Planned;
        }
        let (s, e) = (sp.stint.start, sp.stint.end);
        let failed = sp.failure.and_then(|c| match world.fate(c) {
            Fate::Failure { month } => Some(month),
            _ => None,
        });
        let laid_off = if sp.layoffs {
            world.next_layoff(sp.stint.job, s + 1)
        } else {
            NEVER
        };
        match failed {
            Some(f) if f <= s => Ending::AlreadyFailed(s),
            // A failure month wins over a layoff in it.
            Some(f) if f <= e && f <= laid_off => Ending::Failure(f),
            _ if laid_off <= e => Ending::Layoff(laid_off),
            _ => Ending::Planned,
        }
    }

    /// The last month worked.
    fn last_worked(self, end: u32) -> u32 {
        match self {
            Ending::Planned => end,
            Ending::Layoff(t) | Ending::Failure(t) | Ending::AlreadyFailed(t) => t,
        }
    }
}

/// What a stint's grants see of its ending.
struct Tenure {
    /// Whether the stint ended early (then grants follow `leave`).
    early: bool,
    /// No grants at all: the company had already failed.
    none: bool,
    /// Last month worked: a refresher granted in it or later is never made.
    worked: u32,
    /// The month equity treats as leaving: `min(t + vesting_months, end)`.
    leave: u32,
}

impl Tenure {
    fn of(ending: Ending, sp: &StintPlan, worked: u32, end: u32) -> Tenure {
        match ending {
            Ending::Planned => Tenure {
                early: false,
                none: false,
                worked,
                leave: end,
            },
            Ending::AlreadyFailed(_) => Tenure {
                early: true,
                none: true,
                worked,
                leave: worked,
            },
            Ending::Layoff(t) | Ending::Failure(t) => Tenure {
                early: true,
                none: false,
                worked,
                leave: t.saturating_add(sp.rule.vesting_months).min(end),
            },
        }
    }

    /// The grant as held under an early ending: `None` when it is never
    /// made; otherwise vesting stops at [`Tenure::leave`] and the rest is
    /// forfeited.
    fn hold(&self, h: &Held, events: &[Event], horizon: u32) -> Option<Held> {
        if self.none || (h.source.grant.is_none() && h.convert_month >= self.worked) {
            return None;
        }
        let mut held = h.clone();
        let mut end = h.events.start;
        let mut vested = h.pre_vested;
        while end < h.events.end && events[end].month <= self.leave {
            vested += events[end].fraction;
            end += 1;
        }
        held.events = h.events.start..end;
        held.leave_month = self.leave;
        held.worked = self.worked.min(self.leave);
        // Continued vesting that reaches the horizon is held to it, like a
        // stint that runs to the horizon: nothing lapses there.
        held.leaves = self.leave < horizon;
        held.vested_at_leave = vested;
        Some(held)
    }
}

/// Adds `base / 12` for each month `from + 1 ..= to` into the years they
/// fall in, one entry per calendar year (`base * n / 12`, exactly `base`
/// for a whole year).
fn accrue<L: Ledger>(book: &mut Book<'_, L>, from: u32, to: u32, base: f64, flow: Flow) {
    let mut a = from;
    while a < to {
        let b = (12 * (a / 12 + 1)).min(to);
        book.add(b, Measure::Base, base * TWELFTHS[(b - a) as usize], flow);
        if book.slots.get(Measure::PresentValue) != Slots::NONE {
            book.add_present_base(a, b, base);
        }
        a = b;
    }
}

/// `n / 12` for `n` in `0 ..= 12`, the same values as the division (so
/// `TWELFTHS[12]` is exactly 1), without a division in the hot loop.
const TWELFTHS: [f64; 13] = {
    let mut t = [0.0; 13];
    let mut n = 0;
    while n < 13 {
        t[n] = n as f64 / 12.0;
        n += 1;
    }
    t
};

/// The bonus multiplier at `anniversary`: `clamp(noise R^k, min, max)`,
/// `R` the ratio over the 12 months before of the company's price (public)
/// or of the market (model.md sections 8 and 15).
#[inline]
fn bonus_multiplier(
    job: &crate::model::Job,
    sp: &StintPlan,
    world: &World,
    anniversary: u32,
    noise: f64,
) -> f64 {
    let b = &job.bonus;
    let linked = if b.company_link == 0.0 {
        noise
    } else {
        let ratio = match sp.public {
            Some(c) => world.price(c, anniversary) / world.price(c, anniversary - 12),
            None => world.market_log_return(anniversary, anniversary - 12).exp(),
        };
        noise * ratio.powf(b.company_link)
    };
    linked.clamp(b.min, b.max)
}

/// Each measure's position within a year of a strategy's row, copied out of
/// the [`Layout`] so the hot loop reads it from the stack.
#[derive(Clone, Copy)]
pub(super) struct Slots([usize; Measure::ALL.len()]);

impl Slots {
    /// The slot of a measure that is not reported.
    pub(super) const NONE: usize = usize::MAX;

    fn of(layout: &Layout) -> Slots {
        Slots(Measure::ALL.map(|m| layout.slot(m).unwrap_or(Slots::NONE)))
    }

    #[inline(always)]
    pub(super) fn get(self, m: Measure) -> usize {
        self.0[m as usize]
    }
}

/// Where evaluation puts each cash flow: the run's row, and the ledger.
pub(super) struct Book<'a, L> {
    /// With `[tax]`: the strategy's taxable items by year and residence.
    pub(super) tax: Option<TaxBook<'a>>,
    pub(super) slots: Slots,
    /// With `real`: `1 / price_parity` of each month (`0 ..= horizon`).
    inv_parity: &'a [f64],
    /// With `present_value`: each month's discount factor, then (from
    /// index `horizon + 1`) their running sums over months `1 ..= m`.
    discount: &'a [f64],
    /// Measures per year in `out`.
    m: usize,
    out: &'a mut [f64],
    ledger: &'a mut L,
}

/// A strategy's taxable items in one world (model.md section 10): each
/// item in the year of its month, by the residence of that month.
pub(super) struct TaxBook<'a> {
    items: &'a mut [crate::tax::Income],
    month_residence: &'a [u8],
    residences: usize,
    /// See [`crate::engine::world::TaxScratch::iso_used`].
    iso_used: &'a mut [f64],
    years: usize,
    /// IRC 422(d)'s yearly limit (not indexed).
    iso_limit: f64,
    /// With `real`: each year's positive cash and that cash over its
    /// months' parities (`[2 y]`, `[2 y + 1]`).
    real_pos: &'a mut [f64],
}

/// Months after leaving within which an exercise keeps ISO treatment (IRC
/// 422(a)(2)); later exercises are taxed as NSOs (model.md section 10).
pub(super) const ISO_MONTHS_AFTER_LEAVING: u32 = 3;

impl TaxBook<'_> {
    #[inline]
    fn at(&mut self, year: u32, month: u32) -> &mut crate::tax::Income {
        let r = self.month_residence[month as usize] as usize;
        &mut self.items[year as usize * self.residences + r]
    }
}

impl<L: Ledger> Book<'_, L> {
    /// Whether the scenario computes taxes.
    #[inline]
    pub(super) fn taxed(&self) -> bool {
        self.tax.is_some()
    }

    /// Whether a cash flow only adds to its own measure: no tax book, no
    /// `real` and no `present_value` to feed.
    #[inline]
    pub(super) fn plain(&self) -> bool {
        self.tax.is_none()
            && self.slots.get(Measure::Real) == Slots::NONE
            && self.slots.get(Measure::PresentValue) == Slots::NONE
    }

    /// Changes the taxable items of the year of `month`, by the residence of
    /// `month` (nothing without `[tax]`).
    #[inline]
    pub(super) fn item(&mut self, month: u32, f: impl FnOnce(&mut crate::tax::Income)) {
        if let Some(t) = &mut self.tax {
            f(t.at(year_of(month), month));
        }
    }

    /// W-2 wages paid in `month` (FICA and income tax).
    #[inline]
    pub(super) fn wages(&mut self, month: u32, amount: f64) {
        self.item(month, |i| i.wages += amount);
    }

    /// An option spread realized by an exercise and same-day sale in
    /// `month`: ordinary income without FICA for the ISO share (a
    /// disqualifying disposition, IRC 421(b)), wages for the rest (NSOs).
    #[inline]
    pub(super) fn cashless(&mut self, month: u32, amount: f64, iso: f64) {
        self.item(month, |i| {
            i.ordinary += amount * iso;
            i.wages += amount * (1.0 - iso);
        });
    }

    /// The share of grant `h`'s options taxed as ISOs: 0 for an NSO grant;
    /// for an ISO grant, the units whose grant-date value
    /// (`units x fmv` each) fits in IRC 422(d)'s yearly room, the room of
    /// each calendar year of vesting used in the order grants are held. One share
    /// for every exercise of the grant (a reading: the limit splits a grant,
    /// not each exercise).
    pub(super) fn iso_share(&mut self, h: &Held, events: &[Event], units: f64, fmv: f64) -> f64 {
        let Some(t) = &mut self.tax else {
            return 0.0;
        };
        if !matches!(
            h.kind,
            GrantKind::Option {
                tax_type: TaxType::Iso,
                ..
            }
        ) {
            return 0.0;
        }
        if !(fmv > 0.0 && units > 0.0) {
            return 1.0;
        }
        let row = h.company * (t.years + PAST_YEARS);
        let (mut all, mut iso) = (0.0, 0.0);
        let mut take = |slot: usize, fraction: f64| {
            let value = units * fraction * fmv;
            let room = (t.iso_limit - t.iso_used[row + slot]).max(0.0);
            let fits = value.min(room);
            t.iso_used[row + slot] += fits;
            all += value;
            iso += fits;
        };
        for (k, &f) in h.pre_years.iter().enumerate() {
            if f > 0.0 {
                take(PAST_YEARS - 1 - k, f);
            }
        }
        for e in events {
            take(PAST_YEARS + e.year as usize, e.fraction);
        }
        if all > 0.0 { iso / all } else { 1.0 }
    }

    /// Adds `amount` to `measure` of the year of `month`.
    #[inline]
    pub(super) fn add(&mut self, month: u32, measure: Measure, amount: f64, flow: Flow) {
        self.add_in(year_of(month), month, measure, amount, flow);
    }

    /// [`Book::add`] with the 0-based year of `month` already known.
    #[inline]
    pub(super) fn add_in(
        &mut self,
        year: u32,
        month: u32,
        measure: Measure,
        amount: f64,
        flow: Flow,
    ) {
        let slot = self.slots.get(measure);
        if slot != Slots::NONE {
            self.out[year as usize * self.m + slot] += amount;
        }
        let real = self.slots.get(Measure::Real);
        if real != Slots::NONE && measure.is_cash() {
            self.add_real(year, month, amount, real);
        }
        // Base comes in blocks of months: `accrue` discounts each month.
        let pv = self.slots.get(Measure::PresentValue);
        if pv != Slots::NONE && measure.is_cash() && measure != Measure::Base {
            self.add_present(year, month, amount, pv);
        }
        // Pay and RSUs sold at vest are wages (model.md section 10); equity
        // that is not says so where it is paid.
        if let Some(t) = &mut self.tax
            && matches!(
                flow,
                Flow::Base
                    | Flow::Bonus { .. }
                    | Flow::SignOn
                    | Flow::Clawback { .. }
                    | Flow::Severance
                    | Flow::Rehired
                    | Flow::Vest { .. }
            )
        {
            t.at(year, month).wages += amount;
        }
        self.ledger.record(Entry {
            month,
            year: year + 1,
            measure,
            amount,
            flow,
        });
    }

    /// Cash `amount` paid in `month` over that month's parity into `real`
    /// (and, with `[tax]`, the year's positive cash and its weights). Out
    /// of line: files without `price_parity` never come here, and the
    /// engine's per-flow path stays small.
    #[inline(never)]
    fn add_real(&mut self, year: u32, month: u32, amount: f64, real: usize) {
        let over = amount * self.inv_parity[month as usize];
        self.out[year as usize * self.m + real] += over;
        if let Some(t) = &mut self.tax
            && amount > 0.0
        {
            t.real_pos[2 * year as usize] += amount;
            t.real_pos[2 * year as usize + 1] += over;
        }
    }

    /// Cash `amount` paid in `month`, discounted to month 0, into the year's
    /// `present_value` slot (made cumulative, net of the year's tax, once
    /// the strategy is evaluated). Out of line, as [`Book::add_real`].
    #[inline(never)]
    fn add_present(&mut self, year: u32, month: u32, amount: f64, pv: usize) {
        self.out[year as usize * self.m + pv] += amount * self.discount[month as usize];
    }

    /// `base / 12` paid in each month `from + 1 ..= to` (one calendar year
    /// at most), each discounted by its own month's factor, into the
    /// year's `present_value` slot.
    #[inline(never)]
    fn add_present_base(&mut self, from: u32, to: u32, base: f64) {
        let pv = self.slots.get(Measure::PresentValue);
        let sums = &self.discount[self.discount.len() / 2..];
        let factor = sums[to as usize] - sums[from as usize];
        self.out[year_of(to) as usize * self.m + pv] += base / 12.0 * factor;
    }

    /// Writes the 1-based `level` into `measure`'s slot of every year whose
    /// last month is in `(from, to]` (nothing when it is not reported).
    #[inline]
    pub(super) fn level(&mut self, slot: usize, from: u32, to: u32, level: usize) {
        if slot == Slots::NONE {
            return;
        }
        let mut t = 12 * (from / 12 + 1);
        while t <= to {
            self.out[year_of(t) as usize * self.m + slot] = (level + 1) as f64;
            t += 12;
        }
    }

    /// Records an event that moves no money (a forfeiture).
    #[inline]
    pub(super) fn note(&mut self, month: u32, flow: Flow) {
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

#[cfg(test)]
mod tests {
    //! The stint rules of model.md sections 8 and 15 on worlds where every
    //! event is certain (a layoff rate of 1, a failure rate of 1, zero
    //! volatility), checked to the cent through the engine's own row.
    use super::*;
    use crate::engine::trace::replay;
    use crate::model::{Layoffs, Stint};

    const FILE: &str = r#"
[simulation]
years = 3
runs = 10

[companies.co]
type = "public"
share_price = 100.0
drift = 0.0
volatility = 0.0

[companies.startup]
type = "private"
valuation = 1e8
shares = 1e7
exit_rate = 0.0
failure_rate = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }

[jobs.a]
company = "co"
base = 120000
bonus = { target = 0.1 }
sign_on = [12000, 6000]

[[jobs.a.grants]]
kind = "rsu"
units = 4800
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.b]
company = "co"
base = 60000

[jobs.s]
company = "startup"
base = 96000

[strategies.x]
path = [{ job = "a", years = 2 }, { job = "b" }]
"#;

    fn scenario(edit: impl FnOnce(&mut Scenario)) -> Scenario {
        let mut s = crate::scenario::parse("t.toml", FILE).expect("valid");
        edit(&mut s);
        s
    }

    /// `(year, measure) -> amount` of strategy 0 in run 0.
    fn row(s: &Scenario) -> impl Fn(usize, Measure) -> f64 {
        let (_, traces) = replay(s, 0, Some(0));
        let layout = Layout::new(s);
        let r = traces[0].row.clone();
        move |y, m| r[(y - 1) * layout.measures().len() + layout.slot(m).expect("reported")]
    }

    fn cents(x: f64) -> f64 {
        (x * 100.0).round() / 100.0
    }

    const LAYOFF: Layoffs = Layoffs {
        rate: 1.0,
        market_sensitivity: 0.0,
        severance_weeks: Some(16.0),
        weeks_per_year: 2.0,
        vesting_months: 2,
        rehire_months: 4,
        rehire_pay: 0.5,
    };

    #[test]
    fn a_certain_layoff_pays_severance_then_the_gap_then_rehire_pay_until_the_planned_end() {
        let s = scenario(|s| s.jobs[0].layoffs = Some(LAYOFF));
        let at = row(&s);
        // Laid off in month 1: one month of base, the first sign-on, no
        // bonus; severance 120000/52 * 16; vesting goes on to month 3
        // (3 x 100 units at $100); months 2-5 unpaid; 60000/yr from month 6.
        assert_eq!(at(1, Measure::Base), 10_000.0 + 60_000.0 * 7.0 / 12.0);
        assert_eq!(at(1, Measure::SignOn), 12_000.0);
        assert_eq!(at(1, Measure::Bonus), 0.0);
        assert_eq!(cents(at(1, Measure::Severance)), 36_923.08);
        assert_eq!(at(1, Measure::Rsu), 30_000.0);
        // Year 2: rehire pay only (no sign-on, bonus or equity).
        assert_eq!(at(2, Measure::Base), 60_000.0);
        assert_eq!(at(2, Measure::SignOn), 0.0);
        assert_eq!(at(2, Measure::Rsu), 0.0);
        // Year 3: the path resumes at job b as planned.
        assert_eq!(at(3, Measure::Base), 60_000.0);
    }

    #[test]
    fn severance_counts_whole_years_served_and_a_layoff_at_an_anniversary_loses_its_bonus() {
        // A layoff exactly at month 12: the first whole year counts, the
        // anniversary's bonus is lost.
        let s = scenario(|s| {
            // Exposed to layoffs, with the month forced below.
            s.jobs[0].layoffs = Some(Layoffs {
                rate: 1e-9,
                ..LAYOFF
            });
        });
        let (mut world, _) = replay(&s, 0, Some(0));
        let plan = Plan::new(&s);
        world.force_layoff(0, 12);
        let (r, _) = plan.trace(&s, &world, 0);
        let m = plan.layout.measures().len();
        let at = |y: usize, k: Measure| r[(y - 1) * m + plan.layout.slot(k).unwrap()];
        assert_eq!(at(1, Measure::Base), 120_000.0);
        assert_eq!(at(1, Measure::Bonus), 0.0);
        assert_eq!(
            cents(at(1, Measure::Severance)),
            cents(120_000.0 / 52.0 * 18.0)
        );
        // Vesting to month 14, then forfeited: 14 x 100 units.
        assert_eq!(cents(at(1, Measure::Rsu) + at(2, Measure::Rsu)), 140_000.0);
        // Gap months 13-16, then 60000/yr for months 17-24.
        assert_eq!(at(2, Measure::Base), 40_000.0);
    }

    /// Strategy `si`'s `(year, measure) -> amount` in `world`.
    fn traced(s: &Scenario, world: &World, si: usize) -> impl Fn(usize, Measure) -> f64 + use<> {
        let plan = Plan::new(s);
        let (r, _) = plan.trace(s, world, si);
        let layout = plan.layout;
        move |y, m| r[(y - 1) * layout.measures().len() + layout.slot(m).expect("reported")]
    }

    #[test]
    fn a_failure_month_wins_over_a_layoff_in_it() {
        // Job s at the startup for the whole horizon, with a table that sets
        // no severance_weeks but 2 weeks per year served: a layoff in month
        // 13 pays 96000/52 * 2; a failure in month 13 pays nothing
        // (section 15), whatever the layoff draw of that month says.
        let s = scenario(|s| {
            s.jobs[2].layoffs = Some(Layoffs {
                rate: 1e-9,
                severance_weeks: None,
                ..LAYOFF
            });
            s.strategies[0].stints = vec![Stint {
                job: 2,
                start: 0,
                end: 36,
            }];
        });
        let (mut world, _) = replay(&s, 0, Some(0));
        world.force_layoff(2, 13);
        world.force_fate(1, Fate::Failure { month: 13 });
        let at = traced(&s, &world, 0);
        assert_eq!(at(2, Measure::Severance), 0.0);
        // Month 13 worked, months 14-17 unpaid, 48000/yr in months 18-24.
        assert_eq!(at(2, Measure::Base), 8_000.0 + 28_000.0);
        // The failure one month later: the layoff in month 13 comes first.
        world.force_fate(1, Fate::Failure { month: 14 });
        let at = traced(&s, &world, 0);
        assert_eq!(
            cents(at(2, Measure::Severance)),
            cents(96_000.0 / 52.0 * 2.0)
        );
        assert_eq!(at(2, Measure::Base), 8_000.0 + 28_000.0);
    }

    #[test]
    fn a_refresher_is_made_only_strictly_before_the_last_month_worked() {
        // A yearly refresher of $120,000 (1200 units at $100, 25 a month):
        // due at month 12. Laid off in month 12, it is never made (section
        // 15: a layoff in an anniversary month loses its grants); laid off
        // in month 13, it is, and vests in months 13-15 (vesting_months 2).
        let text = FILE.replace(
            "sign_on = [12000, 6000]\n",
            "sign_on = [12000, 6000]\nrefresh = { value = 120000, every_years = 1 }\n",
        );
        let mut s = crate::scenario::parse("t.toml", &text).expect("valid");
        s.jobs[0].layoffs = Some(Layoffs {
            rate: 1e-9,
            ..LAYOFF
        });
        let (mut world, _) = replay(&s, 0, Some(0));
        let rsu = |world: &World| {
            let at = traced(&s, world, 0);
            cents(at(1, Measure::Rsu) + at(2, Measure::Rsu))
        };
        world.force_layoff(0, 12);
        // The first grant's months 1-14 only.
        assert_eq!(rsu(&world), 140_000.0);
        world.force_layoff(0, 13);
        // Months 1-15 of the first grant, 13-15 of the refresher.
        assert_eq!(rsu(&world), 150_000.0 + 7_500.0);
    }

    #[test]
    fn public_options_are_exercised_at_the_end_of_continued_vesting_or_the_planned_end() {
        // 4800 options at a $50 strike, 100 vesting a month, on a price of
        // 100 e^(0.01 m); laid off in month 5 with vesting_months 2: the
        // holder leaves, for equity, in month min(5 + 2, planned end), and
        // sells every option vested by then at that month's price.
        const OPTIONS: &str = r#"
[simulation]
years = 2
runs = 10

[companies.co]
type = "public"
share_price = 100.0
drift = 0.12
volatility = 0.0

[jobs.o]
company = "co"
base = 120000

[[jobs.o.grants]]
kind = "option"
units = 4800
strike = 50.0
vesting = [25, 25, 25, 25]
frequency = "monthly"

[jobs.b]
company = "co"
base = 60000

[strategies.long]
path = [{ job = "o" }]

[strategies.short]
path = [{ job = "o", months = 6 }, { job = "b" }]
"#;
        let mut s = crate::scenario::parse("t.toml", OPTIONS).expect("valid");
        s.jobs[0].layoffs = Some(Layoffs {
            rate: 1e-9,
            ..LAYOFF
        });
        let (mut world, _) = replay(&s, 0, None);
        world.force_layoff(0, 5);
        let price = |m: f64| 100.0 * (0.01 * m).exp();
        let long = traced(&s, &world, 0);
        assert_eq!(
            cents(long(1, Measure::Options)),
            cents(700.0 * (price(7.0) - 50.0))
        );
        let short = traced(&s, &world, 1);
        assert_eq!(
            cents(short(1, Measure::Options)),
            cents(600.0 * (price(6.0) - 50.0))
        );
    }

    #[test]
    fn a_failure_ends_the_stint_without_severance_and_a_later_stint_starts_rehired() {
        let s = scenario(|s| {
            s.strategies[0].stints = vec![Stint {
                job: 2,
                start: 0,
                end: 36,
            }];
        });
        let at = row(&s);
        // Failed in month 1: one month of base, 3 months unpaid, then the
        // same base from month 5.
        assert_eq!(at(1, Measure::Base), 96_000.0 * 9.0 / 12.0);
        assert_eq!(at(2, Measure::Base), 96_000.0);
        // A stint that starts at the failed company: the gap, then pay.
        let s = scenario(|s| {
            s.strategies[0].stints = vec![
                Stint {
                    job: 1,
                    start: 0,
                    end: 12,
                },
                Stint {
                    job: 2,
                    start: 12,
                    end: 36,
                },
            ];
        });
        let at = row(&s);
        assert_eq!(at(1, Measure::Base), 60_000.0);
        assert_eq!(at(2, Measure::Base), 96_000.0 * 9.0 / 12.0);
    }

    #[test]
    fn leaving_by_the_path_inside_the_clawback_repays_the_unearned_share_of_the_first_sign_on() {
        let s = scenario(|s| {
            s.jobs[0].sign_on_clawback_months = 12;
            s.strategies[0].stints = vec![
                Stint {
                    job: 0,
                    start: 0,
                    end: 7,
                },
                Stint {
                    job: 1,
                    start: 7,
                    end: 36,
                },
            ];
        });
        let at = row(&s);
        // 12000 paid in month 1, 12000 (1 - 7/12) = 5000 repaid in month 7.
        assert_eq!(at(1, Measure::SignOn), 7_000.0);
        // Seven months of a, five of b.
        assert_eq!(at(1, Measure::Base), 70_000.0 + 25_000.0);
        // No bonus: the anniversary falls after the stint.
        assert_eq!(at(1, Measure::Bonus), 0.0);
    }

    #[test]
    fn an_eighteen_month_stint_pays_one_bonus_both_sign_ons_and_base_by_the_month() {
        let s = scenario(|s| {
            s.strategies[0].stints = vec![
                Stint {
                    job: 0,
                    start: 0,
                    end: 18,
                },
                Stint {
                    job: 1,
                    start: 18,
                    end: 36,
                },
            ];
        });
        let at = row(&s);
        assert_eq!(at(1, Measure::Bonus), 12_000.0);
        assert_eq!(at(2, Measure::Bonus), 0.0);
        assert_eq!(at(1, Measure::SignOn), 12_000.0);
        // y2 in month 13, the first month of stint year 2.
        assert_eq!(at(2, Measure::SignOn), 6_000.0);
        assert_eq!(at(2, Measure::Base), 60_000.0 + 30_000.0);
        // 18 monthly vests of 100 units, the rest forfeited.
        assert_eq!(cents(at(1, Measure::Rsu) + at(2, Measure::Rsu)), 180_000.0);
    }
}
