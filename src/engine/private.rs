//! Equity at a private company (model.md sections 3, 4, 9 and 15): the
//! mark before an exit, the waterfall at an acquisition and what it does to
//! unvested units, the share price and the lockup after an IPO, and the
//! exercise window of a leaver's options.
//!
//! Each grant is one of a few stories, told in the order of its months:
//! - the company's story ended before the grant (a later stint or a
//!   refresher): public rules after an IPO, the acquisition price after an
//!   acquisition, nothing after a failure;
//! - the holder is there at the exit (employed, or in continued vesting);
//! - the holder left before any event: RSUs are kept; options lapse
//!   (`forfeit`) or wait for the exercise window's end (`exercise`).
//!
//! Until a sale, vested units held at a year end count as `unrealized`: at
//! the mark before an exit, at the market price during a lockup.

use crate::engine::compile::{Event, Held, StrategyPlan, year_of};
use crate::engine::evaluate::{Book, ISO_MONTHS_AFTER_LEAVING, Slots};
use crate::engine::ledger::{Basis, Flow, LapseAt, Ledger};
use crate::engine::world::{Fate, World};
use crate::model::{GrantKind, OnAcquisition, OnLeave, PrivateCompany};
use crate::schema::Measure;

/// A vested fraction read forward in time: `pre_vested` plus the events up
/// to a month, for months that never decrease.
struct Vested<'e> {
    events: &'e [Event],
    next: usize,
    fraction: f64,
}

impl<'e> Vested<'e> {
    fn new(h: &Held, events: &'e [Event]) -> Vested<'e> {
        Vested {
            events,
            next: 0,
            fraction: h.pre_vested,
        }
    }

    /// The fraction vested by month `m` (inclusive).
    fn by(&mut self, m: u32) -> f64 {
        while self.next < self.events.len() && self.events[self.next].month <= m {
            self.fraction += self.events[self.next].fraction;
            self.next += 1;
        }
        self.fraction
    }
}

/// What a grant's holder has once vesting stopped and before a sale.
#[derive(Clone, Copy, PartialEq)]
enum After {
    /// Units held: RSUs, or shares bought by exercise (worth a share each).
    Shares,
    /// Options not exercised yet (worth a share less the strike).
    Options,
    /// Nothing (options lapsed or forfeited).
    Nothing,
}

/// The per-grant facts every story reads.
struct Grant<'a> {
    g: usize,
    h: &'a Held,
    events: &'a [Event],
    company: usize,
    p: &'a PrivateCompany,
    measure: Measure,
    strike: f64,
    option: bool,
    years: u32,
    /// The share of the grant's options taxed as ISOs (0 for RSUs, NSOs,
    /// or without `[tax]`).
    iso: f64,
}

/// How the tax law sees a payout (model.md section 10).
#[derive(Clone, Copy)]
enum Taxed {
    /// RSUs settled or sold: wages (a reading for RSUs held through a
    /// lockup: wages at the sale, as if settled then).
    Wages,
    /// Options exercised and sold the same day (at a lockup's end, or at
    /// leaving after an IPO): the spread is wages (NSO) or ordinary income
    /// without FICA (ISO: a disqualifying disposition, IRC 3121(a)(22)).
    Cashless,
    /// Options cancelled for cash at an acquisition: compensation, so wages
    /// for ISOs and NSOs alike (no ISO is exercised).
    CashOut,
    /// Shares bought at the exercise window's end, now sold.
    Sold(Lot),
}

/// Shares bought by exercising options: what the tax law remembers.
#[derive(Clone, Copy)]
struct Lot {
    /// Month of the exercise.
    exercised: u32,
    /// The spread per share at exercise: the fair market value of common
    /// (`fmv_fraction x mark`) less the strike, or 0.
    spread: f64,
    /// The share of the lot bought as ISOs.
    iso: f64,
    /// Whether the ISO spread entered the AMT in the exercise year (the
    /// shares were kept past that year's end), so a sale reverses it.
    preference: bool,
}

impl Grant<'_> {
    /// The ISO share of an exercise in month `t`: ISOs exercised more than
    /// 3 months after leaving are NSOs (IRC 422(a)(2)).
    fn iso_at(&self, t: u32) -> f64 {
        // From the last month worked: continued vesting after a layoff is
        // not employment.
        if self.h.leaves && t > self.h.worked.saturating_add(ISO_MONTHS_AFTER_LEAVING) {
            0.0
        } else {
            self.iso
        }
    }

    /// The taxable items of `n` units paid `per_unit` in `month`: the sale
    /// proceeds of bought shares against their basis, `holding` the month
    /// whose distance from the exercise sets the holding period (the year
    /// end for shares made worthless by a failure, IRC 165(g)).
    fn tax<L: Ledger>(
        &self,
        book: &mut Book<'_, L>,
        month: u32,
        holding: u32,
        n: f64,
        per_unit: f64,
        taxed: Taxed,
    ) {
        if !book.taxed() {
            return;
        }
        match taxed {
            Taxed::Wages => book.wages(month, n * per_unit),
            Taxed::Cashless => book.cashless(month, n * per_unit, self.iso_at(month)),
            Taxed::CashOut => book.wages(month, n * per_unit),
            Taxed::Sold(lot) => {
                let strike = self.strike;
                // Long-term: held more than 12 months after exercise (IRC
                // 1222(3)).
                let long = holding.saturating_sub(lot.exercised) > 12;
                // NSO shares: basis is the strike plus the spread taxed as
                // wages at exercise.
                let nso = n * (1.0 - lot.iso) * (per_unit - strike - lot.spread);
                // ISO shares: a qualifying disposition (more than 1 year
                // after exercise, 2 after grant: IRC 422(a)(1)) is all
                // capital gain; a disqualifying one is ordinary income up
                // to the spread, capped at the gain (IRC 421(b), 422(c)(2)).
                let b = n * lot.iso;
                let gain = b * (per_unit - strike);
                let granted = self.h.source.granted;
                let qualifying = long && i64::from(holding) - granted > 24;
                let ordinary = if qualifying {
                    0.0
                } else {
                    (b * lot.spread).min(gain).max(0.0)
                };
                let capital = nso + gain - ordinary;
                // Shares whose spread entered the AMT at exercise have an
                // AMT basis of the fair market value then: the AMT sees no
                // ordinary income now and a capital gain smaller by the
                // spread, `(S - K - spread) b` against the regular tax's
                // `gain - ordinary` (Form 6251 line 2k); the AMT nets it
                // with its own loss limit.
                let (amt_ordinary, amt_capital) = if lot.preference {
                    (-ordinary, ordinary - b * lot.spread)
                } else {
                    (0.0, 0.0)
                };
                book.item(month, |i| {
                    i.ordinary += ordinary;
                    i.iso_preference += amt_ordinary;
                    if long {
                        i.long_gain += capital;
                        i.amt_long_gain += amt_capital;
                    } else {
                        i.short_gain += capital;
                        i.amt_short_gain += amt_capital;
                    }
                });
            }
        }
    }

    /// How a payout of units still held as `state` is taxed: RSUs as
    /// wages, options as a cashless exercise, bought shares as a sale.
    fn taxed_as(&self, state: After, lot: Option<Lot>) -> Taxed {
        match (state, self.option, lot) {
            (After::Shares, true, Some(lot)) => Taxed::Sold(lot),
            (_, true, _) => Taxed::Cashless,
            _ => Taxed::Wages,
        }
    }

    /// [`Grant::taxed_as`] at an acquisition: options not exercised are
    /// cashed out.
    fn taxed_at_acquisition(&self, state: After, lot: Option<Lot>) -> Taxed {
        match self.taxed_as(state, lot) {
            Taxed::Cashless => Taxed::CashOut,
            t => t,
        }
    }

    /// A share's worth at month `t`: the market price from the IPO month on,
    /// else the mark; and whether it is the market's.
    fn share(&self, world: &World, ipo: Option<u32>, t: u32) -> (f64, bool) {
        match ipo {
            Some(x) if t >= x => (world.price(self.company, t), true),
            _ => (world.mark(self.company, t), false),
        }
    }

    /// What one unit is worth in state `state` at `t`, and on what basis.
    fn worth(&self, world: &World, ipo: Option<u32>, t: u32, state: After) -> (f64, Basis) {
        let (s, market) = self.share(world, ipo, t);
        let net = (s - self.strike).max(0.0);
        match (state, self.option, market) {
            (After::Nothing, ..) => (0.0, Basis::MarkLessStrike),
            // An RSU or a bought share is a share; an option is a share
            // less the strike.
            (_, false, false) | (After::Shares, true, false) => (s, Basis::Mark),
            (_, false, true) | (After::Shares, true, true) => (s, Basis::Price),
            (_, true, false) => (net, Basis::MarkLessStrike),
            (_, true, true) => (net, Basis::PriceLessStrike),
        }
    }

    /// Records units left unvested when the holder leaves (no money moves).
    fn forfeit_unvested<L: Ledger>(&self, units: f64, book: &mut Book<'_, L>) {
        StrategyPlan::forfeit_unvested(self.g, self.h, units, book);
    }

    /// `unrealized` at each year end `t < stop` (and within the horizon):
    /// `held(t)` units at `worth(t)` each.
    fn unrealized<L: Ledger>(
        &self,
        book: &mut Book<'_, L>,
        stop: u32,
        mut at: impl FnMut(u32) -> (f64, f64, Basis),
    ) {
        if book.slots.get(Measure::Unrealized) == Slots::NONE {
            return;
        }
        for y in 1..=self.years {
            let t = 12 * y;
            if t >= stop {
                break;
            }
            let (n, per_unit, basis) = at(t);
            book.add(
                t,
                Measure::Unrealized,
                n * per_unit,
                Flow::Unrealized {
                    grant: self.g,
                    units: n,
                    per_unit,
                    basis,
                },
            );
        }
    }
}

/// Adds grant `g`'s private-company cash flows in `world` to `book`.
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate<L: Ledger>(
    g: usize,
    h: &Held,
    events: &[Event],
    p: &PrivateCompany,
    world: &World,
    horizon: u32,
    years: u32,
    book: &mut Book<'_, L>,
) {
    let (measure, strike, option) = match h.kind {
        GrantKind::Rsu => (Measure::Rsu, 0.0, false),
        GrantKind::Option { strike, .. } => (Measure::Options, strike, true),
    };
    let fate = world.fate(h.company);
    // The price that converts a `value` into units, and the grant-date
    // fair market value of a unit for the ISO limit (model.md section 10).
    let (price, fmv) = match fate {
        // Nothing is left to vest into after a failure.
        Fate::Failure { month } if month <= h.convert_month => return,
        Fate::Exit {
            month, ipo: true, ..
        } if month <= h.convert_month => {
            let p = world.price(h.company, h.convert_month);
            (p, p)
        }
        Fate::Exit {
            month,
            ipo: false,
            common,
            ..
        } if month <= h.convert_month => (common, common),
        _ => {
            let m = world.mark(h.company, h.convert_month);
            (m, p.fmv_fraction * m)
        }
    };
    let units = h.units(price);
    let iso = if option && book.taxed() {
        book.iso_share(h, events, units, fmv)
    } else {
        0.0
    };
    let gr = Grant {
        g,
        h,
        events,
        company: h.company,
        p,
        measure,
        strike,
        option,
        years,
        iso,
    };
    match fate {
        // Granted at or after an IPO: public rules but for the lockup.
        Fate::Exit {
            month, ipo: true, ..
        } if month <= h.convert_month => {
            gr.forfeit_unvested(units, book);
            at_ipo(&gr, units, month, world, horizon, book);
        }
        // Granted after an acquisition: each vest pays the common price.
        Fate::Exit {
            month,
            ipo: false,
            common,
            ..
        } if month <= h.convert_month => {
            let per_unit = (common - strike).max(0.0);
            gr.forfeit_unvested(units, book);
            let taxed = gr.taxed_at_acquisition(After::Options, None);
            for e in events {
                settle(&gr, e.month, units * e.fraction, per_unit, taxed, book);
            }
        }
        _ => before_the_end(&gr, units, fate, world, horizon, book),
    }
}

/// The tax items of buying `n` options at the window's end `w` (model.md
/// section 10): the spread at the fair market value of common
/// (`fmv_fraction x mark`) is wages for NSOs; for ISOs it is the AMT
/// preference when the shares are kept past the year's end (`disposed`, the
/// month they are sold or made worthless, falls in a later year or never).
fn exercise_tax<L: Ledger>(
    gr: &Grant<'_>,
    book: &mut Book<'_, L>,
    w: u32,
    n: f64,
    mark: f64,
    disposed: Option<u32>,
) -> Lot {
    let spread = (gr.p.fmv_fraction * mark - gr.strike).max(0.0);
    let iso = gr.iso_at(w);
    let preference = disposed.is_none_or(|t| year_of(t) != year_of(w));
    book.item(w, |i| {
        i.wages += n * (1.0 - iso) * spread;
        if preference {
            i.iso_preference += n * iso * spread;
        }
    });
    Lot {
        exercised: w,
        spread,
        iso,
        preference,
    }
}

/// A payout of `n` units at `per_unit` in `month`.
fn settle<L: Ledger>(
    gr: &Grant<'_>,
    month: u32,
    n: f64,
    per_unit: f64,
    taxed: Taxed,
    book: &mut Book<'_, L>,
) {
    gr.tax(book, month, month, n, per_unit, taxed);
    book.add(
        month,
        gr.measure,
        n * per_unit,
        Flow::Settle {
            grant: gr.g,
            units: n,
            per_unit,
        },
    );
}

/// A sale at the lockup's end `end` of `n` units held (`strike` paid on
/// each option exercised then).
fn lockup_sale<L: Ledger>(
    gr: &Grant<'_>,
    world: &World,
    end: u32,
    n: f64,
    strike: f64,
    taxed: Taxed,
    book: &mut Book<'_, L>,
) {
    let price = world.price(gr.company, end);
    gr.tax(book, end, end, n, (price - strike).max(0.0), taxed);
    book.add(
        end,
        gr.measure,
        n * (price - strike).max(0.0),
        Flow::LockupSale {
            grant: gr.g,
            units: n,
            price,
            strike,
        },
    );
}

/// The holder is there at an IPO in month `x` (employed, in continued
/// vesting, or granted since): units vested by the lockup's end `l` (or by
/// leaving, if sooner) are sold then; later RSU vests are sold at their
/// month's price and later options exercised and sold at leaving (model.md
/// sections 9 and 15). Year ends in `[x, l)` count what is held at the
/// market price.
fn at_ipo<L: Ledger>(
    gr: &Grant<'_>,
    units: f64,
    x: u32,
    world: &World,
    horizon: u32,
    book: &mut Book<'_, L>,
) {
    let h = gr.h;
    let l = x.saturating_add(gr.p.after_ipo.lockup_months);
    let mut vested = Vested::new(h, gr.events);
    let held = vested.by(l.min(h.leave_month));
    if l <= horizon && held > 0.0 {
        let taxed = gr.taxed_as(After::Options, None);
        lockup_sale(gr, world, l, units * held, gr.strike, taxed, book);
    }
    // Vests after the lockup (all within the holding, so before leaving).
    let later = &gr.events[vested.next..];
    match h.kind {
        GrantKind::Rsu => {
            for e in later {
                let price = world.price(gr.company, e.month);
                let n = units * e.fraction;
                book.add_in(
                    e.year,
                    e.month,
                    Measure::Rsu,
                    n * price,
                    Flow::Vest {
                        grant: gr.g,
                        units: n,
                        price,
                    },
                );
            }
        }
        GrantKind::Option { strike, .. } => {
            let fraction: f64 = later.iter().map(|e| e.fraction).sum();
            if fraction > 0.0 {
                let price = world.price(gr.company, h.leave_month);
                let n = units * fraction;
                let m = h.leave_month;
                gr.tax(book, m, m, n, (price - strike).max(0.0), Taxed::Cashless);
                book.add(
                    h.leave_month,
                    Measure::Options,
                    n * (price - strike).max(0.0),
                    Flow::OptionSale {
                        grant: gr.g,
                        units: n,
                        price,
                        strike,
                    },
                );
            }
        }
    }
    let mut vested = Vested::new(h, gr.events);
    gr.unrealized(book, l, |t| {
        let n = units * vested.by(t.min(h.leave_month));
        let (per_unit, market) = gr.worth(world, Some(x), t, After::Options);
        (n, per_unit, market)
    });
}

/// A grant made before the company's story ended (or that never ends
/// within the horizon).
fn before_the_end<L: Ledger>(
    gr: &Grant<'_>,
    units: f64,
    fate: Fate,
    world: &World,
    horizon: u32,
    book: &mut Book<'_, L>,
) {
    let h = gr.h;
    let (end, ipo) = match fate {
        Fate::Exit { month, ipo, .. } => (month, ipo.then_some(month)),
        Fate::Failure { month } => (month, None),
        Fate::Private => (u32::MAX, None),
    };
    let l = match ipo {
        Some(x) => x.saturating_add(gr.p.after_ipo.lockup_months),
        None => end,
    };
    let mut vested = Vested::new(h, gr.events);
    if end <= h.leave_month {
        // There at the exit or the failure.
        match fate {
            Fate::Exit { ipo: true, .. } => {
                gr.forfeit_unvested(units, book);
                // Year ends before the IPO at the mark, from it at the price.
                return at_ipo(gr, units, end, world, horizon, book);
            }
            Fate::Exit { common, .. } => {
                let per_unit = (common - gr.strike).max(0.0);
                let at_exit = vested.by(end);
                let taxed = gr.taxed_at_acquisition(After::Options, None);
                settle(gr, end, units * at_exit, per_unit, taxed, book);
                let unvested = 1.0 - at_exit;
                match gr.p.on_acquisition {
                    OnAcquisition::Assume => {
                        gr.forfeit_unvested(units, book);
                        for e in &gr.events[vested.next..] {
                            settle(gr, e.month, units * e.fraction, per_unit, taxed, book);
                        }
                    }
                    OnAcquisition::Cancel if unvested > 0.0 => book.note(
                        end,
                        Flow::Cancelled {
                            grant: gr.g,
                            units: units * unvested,
                        },
                    ),
                    OnAcquisition::Accelerate if unvested > 0.0 => {
                        gr.tax(book, end, end, units * unvested, per_unit, taxed);
                        book.add(
                            end,
                            gr.measure,
                            units * unvested * per_unit,
                            Flow::Accelerated {
                                grant: gr.g,
                                units: units * unvested,
                                per_unit,
                            },
                        )
                    }
                    _ => {}
                }
            }
            _ => gr.forfeit_unvested(units, book),
        }
        let mut vested = Vested::new(h, gr.events);
        gr.unrealized(book, end, |t| {
            let (per_unit, market) = gr.worth(world, None, t, After::Options);
            (units * vested.by(t), per_unit, market)
        });
        return;
    }
    // Left before any event: what is kept after `leave_month`.
    gr.forfeit_unvested(units, book);
    let leave = h.leave_month;
    let n = units * h.vested_at_leave;
    // When bought shares would be sold (an acquisition, the lockup's end
    // after an IPO) or made worthless (a failure), within the horizon.
    let disposed = match fate {
        Fate::Exit { ipo: false, .. } | Fate::Failure { .. } if end <= horizon => Some(end),
        Fate::Exit { ipo: true, .. } if l <= horizon => Some(l),
        _ => None,
    };
    let mut lot = None;
    // `decided`: the month from which `after` holds (before it, options are
    // held in the window).
    let (after, decided) = match h.kind {
        GrantKind::Rsu => (After::Shares, leave),
        _ if !h.leaves => (After::Options, u32::MAX),
        GrantKind::Option {
            on_leave: OnLeave::Forfeit,
            ..
        } => {
            // Vested options lapse at leaving (model.md section 9); the
            // unvested ones were forfeited above.
            if n > 0.0 {
                book.note(
                    leave,
                    Flow::Lapse {
                        grant: gr.g,
                        units: n,
                        mark: world.mark(gr.company, leave),
                        strike: gr.strike,
                        at: LapseAt::Leaving,
                    },
                );
            }
            (After::Nothing, leave)
        }
        GrantKind::Option {
            exercise_window_months,
            ..
        } => {
            let w = leave.saturating_add(exercise_window_months);
            if end <= w {
                // An event inside the window decides for the holder.
                match fate {
                    Fate::Failure { month } if n > 0.0 => book.note(
                        month,
                        Flow::Lapse {
                            grant: gr.g,
                            units: n,
                            mark: 0.0,
                            strike: gr.strike,
                            at: LapseAt::Failure,
                        },
                    ),
                    _ => {}
                }
                (After::Options, u32::MAX)
            } else if w > horizon {
                // The window outlives the horizon: nothing bought yet.
                (After::Options, u32::MAX)
            } else {
                // Exactly the options in the money at the mark are bought.
                let mark = world.mark(gr.company, w);
                if n > 0.0 {
                    if mark > gr.strike {
                        lot = Some(exercise_tax(gr, book, w, n, mark, disposed));
                        book.add(
                            w,
                            Measure::Options,
                            -n * gr.strike,
                            Flow::Exercise {
                                grant: gr.g,
                                units: n,
                                strike: gr.strike,
                                mark,
                            },
                        );
                    } else {
                        book.note(
                            w,
                            Flow::Lapse {
                                grant: gr.g,
                                units: n,
                                mark,
                                strike: gr.strike,
                                at: LapseAt::WindowEnd,
                            },
                        );
                    }
                }
                let state = if mark > gr.strike {
                    After::Shares
                } else {
                    After::Nothing
                };
                (state, w)
            }
        }
    };
    // What the kept units bring at a later event (after the window for
    // options still held then: cashless at an acquisition, sold at the
    // lockup's end after an IPO).
    let paid = |state: After| -> Option<f64> {
        match state {
            After::Nothing => None,
            After::Shares => Some(0.0),
            After::Options => Some(gr.strike),
        }
    };
    let state_at = |t: u32| {
        if t >= decided { after } else { After::Options }
    };
    if n > 0.0 && end <= horizon {
        // The state in the event's month (options, before a decision).
        let state = if h.kind == GrantKind::Rsu {
            After::Shares
        } else {
            state_at(end)
        };
        if let Some(strike) = paid(state) {
            let taxed = gr.taxed_as(state, lot);
            match fate {
                Fate::Exit {
                    ipo: false, common, ..
                } => {
                    let taxed = gr.taxed_at_acquisition(state, lot);
                    settle(gr, end, n, (common - strike).max(0.0), taxed, book)
                }
                Fate::Exit { ipo: true, .. } if l <= horizon => {
                    lockup_sale(gr, world, l, n, strike, taxed, book);
                }
                // Bought shares made worthless: a capital loss of their
                // basis, treated as sold on the year's last day (IRC
                // 165(g)(1)).
                Fate::Failure { .. } if matches!(taxed, Taxed::Sold(_)) => {
                    let year_end = 12 * (year_of(end) + 1);
                    gr.tax(book, end, year_end, n, 0.0, taxed);
                }
                _ => {}
            }
        }
    }
    gr.unrealized(book, l, |t| {
        if t < leave {
            let (per_unit, market) = gr.worth(world, ipo, t, After::Options);
            return (units * vested.by(t), per_unit, market);
        }
        let state = if h.kind == GrantKind::Rsu {
            After::Shares
        } else {
            state_at(t)
        };
        // Options that lapsed are not held: no units (the trace lists no
        // holding of nothing).
        let held = if state == After::Nothing { 0.0 } else { n };
        let (per_unit, market) = gr.worth(world, ipo, t, state);
        (held, per_unit, market)
    });
}
