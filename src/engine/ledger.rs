//! The ledger: every cash flow of one strategy in one world, for `tcsim
//! trace`. The engine evaluates through the same code with [`NoLedger`],
//! which records nothing and compiles away, so a trace equals the engine's
//! row by construction.

use crate::schema::Measure;
use crate::tax::{Carry, Income, Liability, Residence};

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
    /// Sign-on repaid on leaving before `sign_on_clawback_months`.
    Clawback {
        /// Months the stint lasted.
        months: u32,
    },
    /// Laid off, or the company failed (no money moves).
    Layoff {
        /// Why the stint ended early.
        cause: Cause,
        /// Severance paid this month.
        severance: f64,
        /// Months without pay before the rehire.
        gap: u32,
        /// Yearly base after the rehire.
        rehire_base: f64,
    },
    /// Severance paid on a layoff.
    Severance,
    /// Base after a rehire, until the stint's planned end.
    Rehired,
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
    /// Private options exercised at the exercise window's end, because the
    /// mark was above the strike then (a cost).
    Exercise {
        /// Grant index.
        grant: usize,
        /// Options exercised.
        units: f64,
        /// Exercise price paid per option.
        strike: f64,
        /// The mark (round price per share) at the decision month.
        mark: f64,
    },
    /// Vested private options that lapse (no money moves): on leaving with
    /// `on_leave = "forfeit"`, at the exercise window's end (at or below
    /// water at the mark), or when the company failed inside the window.
    Lapse {
        /// Grant index.
        grant: usize,
        /// Options lapsed.
        units: f64,
        /// The mark at the decision month (0 after a failure).
        mark: f64,
        /// Exercise price per option.
        strike: f64,
        /// When they lapsed.
        at: LapseAt,
    },
    /// Held shares (or vested options, exercised) sold at the end of an
    /// IPO's lockup, at that month's price.
    LockupSale {
        /// Grant index.
        grant: usize,
        /// Shares or options sold.
        units: f64,
        /// Share price at the lockup's end.
        price: f64,
        /// Strike paid per unit now (0 for shares and RSUs).
        strike: f64,
    },
    /// Unvested units vested all at once by an acquisition (`accelerate`).
    Accelerated {
        /// Grant index.
        grant: usize,
        /// Units vested at the exit.
        units: f64,
        /// Dollars per unit.
        per_unit: f64,
    },
    /// Unvested units cancelled by an acquisition (`cancel`; no money moves).
    Cancelled {
        /// Grant index.
        grant: usize,
        /// Units cancelled.
        units: f64,
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
    /// A ladder promotion at an anniversary (no money moves here: the new
    /// base and the promotion grant follow).
    Promotion {
        /// Index into [`crate::model::Scenario::ladders`].
        ladder: usize,
        /// 0-based level left.
        from: usize,
        /// 0-based level reached.
        to: usize,
        /// Base from the anniversary on: `max(base (1 + promotion_raise),
        /// band)`.
        base: f64,
        /// Value of the promotion grant (RSUs), after `pay_factor`.
        grant: f64,
    },
    /// A promotion of a job on no ladder at an anniversary (no money moves
    /// here: the new base follows).
    Promoted {
        /// The promotion's bump, `promotion.raise`.
        raise: f64,
        /// The merit raise factor of the same anniversary.
        merit: f64,
        /// Base from the anniversary on: the last base times both.
        base: f64,
    },
    /// Units given up on leaving (no money moves).
    Forfeit {
        /// Grant index.
        grant: usize,
        /// Units forfeited.
        units: f64,
    },
    /// Vested private equity held at a year end: at the mark before an
    /// exit, at the market price during an IPO's lockup.
    Unrealized {
        /// Grant index.
        grant: usize,
        /// Units held.
        units: f64,
        /// Value per unit (net of strike for options not yet exercised).
        per_unit: f64,
        /// What `per_unit` is.
        basis: Basis,
    },
}

/// What a unit of unrealized equity is valued at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The mark: the latest round price per share (RSUs, bought shares).
    Mark,
    /// The mark less the strike, floored at 0 (options not exercised).
    MarkLessStrike,
    /// The market price during an IPO's lockup.
    Price,
    /// The market price less the strike, floored at 0, during a lockup.
    PriceLessStrike,
}

/// When vested private options lapse (model.md section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapseAt {
    /// At leaving, with `on_leave = "forfeit"`.
    Leaving,
    /// At the exercise window's end, at or below water at the mark.
    WindowEnd,
    /// The company failed inside the exercise window.
    Failure,
}

/// Why a stint ended before its planned end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A layoff draw.
    Layoff,
    /// The company failed during the stint.
    Failure,
    /// The company had failed before the stint began.
    AlreadyFailed,
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

/// One year's tax computation of one strategy (for `tcsim trace`): the
/// items by residence, what was carried in and out, and every line.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxYear {
    /// 1-based year.
    pub year: u32,
    /// The year's income items, by the residence they were paid in.
    pub parts: Vec<(Residence, Income)>,
    /// The minimum tax credit and capital losses carried into the year.
    pub carry_in: Carry,
    /// Every tax line.
    pub liability: Liability,
    /// What the year carries to the next.
    pub carry_out: Carry,
}

/// Receives ledger entries while a world is evaluated.
pub trait Ledger {
    /// Whether the ledger keeps each year's tax computation (then the
    /// engine computes its marginal rate too).
    const TAX_YEARS: bool = false;

    /// One entry.
    fn record(&mut self, entry: Entry);

    /// One year's tax computation (with `[tax]`); ignored unless the
    /// ledger keeps it, so the engine's path allocates nothing.
    #[inline(always)]
    fn tax_year(
        &mut self,
        _year: u32,
        _parts: &[(Residence, Income)],
        _carry_in: &Carry,
        _liability: &Liability,
        _carry_out: &Carry,
    ) {
    }
}

/// The trace's ledger: every entry and every year's tax computation.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    /// Every cash flow, in evaluation order.
    pub entries: Vec<Entry>,
    /// Each year's tax computation, in year order (empty without `[tax]`).
    pub taxes: Vec<TaxYear>,
}

impl Ledger for Recorder {
    const TAX_YEARS: bool = true;

    fn record(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    fn tax_year(
        &mut self,
        year: u32,
        parts: &[(Residence, Income)],
        carry_in: &Carry,
        liability: &Liability,
        carry_out: &Carry,
    ) {
        self.taxes.push(TaxYear {
            year,
            parts: parts.to_vec(),
            carry_in: *carry_in,
            liability: *liability,
            carry_out: *carry_out,
        });
    }
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
