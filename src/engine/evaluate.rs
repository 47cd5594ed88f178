//! Evaluation: a compiled strategy's cash flows in one sampled world, added
//! into the run's row (docs/reference.md, "The model's rules").

use crate::engine::compile::{GrantSource, Held, Plan, StrategyPlan, year_of};
use crate::engine::ledger::{Entry, Flow, Ledger, NoLedger};
use crate::engine::world::{Fate, World};
use crate::model::{Base, CompanyKind, GrantKind, GrantSize, OnLeave, Scenario};
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
                &mut row[s * per..(s + 1) * per],
                &mut NoLedger,
            );
        }
        for (k, &s) in l.compared.iter().enumerate() {
            for y in 0..l.years {
                row[l.diff(k, y)] = row[l.at(s, y, Measure::Cumulative)]
                    - row[l.at(l.baseline, y, Measure::Cumulative)];
            }
        }
    }
}

impl Plan {
    /// Evaluates strategy `s` alone in `world`, recording every cash flow:
    /// its row ([`Layout::per_strategy`] entries) and its ledger, for `tcsim trace`.
    pub fn trace(&self, scenario: &Scenario, world: &World, s: usize) -> (Vec<f64>, Vec<Entry>) {
        let l = &self.layout;
        let mut row = vec![0.0; l.per_strategy()];
        let mut ledger = Vec::new();
        self.strategies[s].evaluate(scenario, world, l, &mut row, &mut ledger);
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
        out: &mut [f64],
        ledger: &mut L,
    ) {
        let mut book = Book {
            slots: Slots::of(layout),
            m: layout.measures().len(),
            out,
            ledger,
        };
        let mut last_base = 0.0;
        for st in &self.stints {
            let job = &scenario.jobs[st.job];
            let mut base = match job.base {
                Base::Fixed(b) => b,
                Base::Relative { .. } => last_base * world.job_year(st.job, st.start / 12).switch,
            };
            for y in st.start / 12..st.end / 12 {
                let d = world.job_year(st.job, y);
                let year_end = 12 * (y + 1);
                book.add(year_end, Measure::Base, base, Flow::Base);
                book.add(
                    year_end,
                    Measure::Bonus,
                    base * job.bonus.target * d.bonus,
                    Flow::Bonus {
                        multiplier: d.bonus,
                    },
                );
                if let Some(&s) = job.sign_on.get((y - st.start / 12) as usize) {
                    book.add(year_end, Measure::SignOn, s, Flow::SignOn);
                }
                last_base = base;
                // The anniversary raise applies only if the stint goes on.
                if y + 1 < st.end / 12 {
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
        let (out, slots, m) = (book.out, book.slots, book.m);
        let (total, cumulative) = (slots.get(Measure::Total), slots.get(Measure::Cumulative));
        let cash = Measure::CASH.map(|c| slots.get(c));
        let mut sum = 0.0;
        for year in out.chunks_exact_mut(m) {
            // The cash measures in a fixed order, so the sum is reproducible.
            let mut t = 0.0;
            for &c in &cash {
                t += year[c];
            }
            year[total] = t;
            sum += t;
            year[cumulative] = sum;
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

    /// Private equity (docs/reference.md, "The model's rules"). Double-trigger RSUs and
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
        let (measure, strike, on_leave) = match h.kind {
            GrantKind::Rsu => (Measure::Rsu, 0.0, OnLeave::Exercise),
            GrantKind::Option { strike, on_leave } => (Measure::Options, strike, on_leave),
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
                Measure::Options,
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
                            measure,
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
                    measure,
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
                    measure,
                    n * common,
                    Flow::Settle {
                        grant: g,
                        units: n,
                        per_unit: common,
                    },
                );
            }
        }
        if book.slots.get(Measure::Unrealized) == Slots::NONE {
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
                Measure::Unrealized,
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

/// Each measure's position within a year of a strategy's row, copied out of
/// the [`Layout`] so the hot loop reads it from the stack.
#[derive(Clone, Copy)]
struct Slots([usize; Measure::ALL.len()]);

impl Slots {
    /// The slot of a measure that is not reported.
    const NONE: usize = usize::MAX;

    fn of(layout: &Layout) -> Slots {
        Slots(Measure::ALL.map(|m| layout.slot(m).unwrap_or(Slots::NONE)))
    }

    #[inline(always)]
    fn get(self, m: Measure) -> usize {
        self.0[m as usize]
    }
}

/// Where evaluation puts each cash flow: the run's row, and the ledger.
struct Book<'a, L> {
    slots: Slots,
    /// Measures per year in `out`.
    m: usize,
    out: &'a mut [f64],
    ledger: &'a mut L,
}

impl<L: Ledger> Book<'_, L> {
    /// Adds `amount` to `measure` of the year of `month`.
    #[inline]
    fn add(&mut self, month: u32, measure: Measure, amount: f64, flow: Flow) {
        self.add_in(year_of(month), month, measure, amount, flow);
    }

    /// [`Book::add`] with the 0-based year of `month` already known.
    #[inline]
    fn add_in(&mut self, year: u32, month: u32, measure: Measure, amount: f64, flow: Flow) {
        let slot = self.slots.get(measure);
        if slot != Slots::NONE {
            self.out[year as usize * self.m + slot] += amount;
        }
        self.ledger.record(Entry {
            month,
            year: year + 1,
            measure,
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
