//! After tax (model.md section 10): one year's liability of one person from
//! that year's income items, by the federal rules and the rules of each
//! state the person lived in that year. A pure module: the engine calls
//! [`year`] once per (strategy, year) of a world with tables made once per
//! simulation year ([`Tables::for_year`]), so the hot loop only compares and
//! multiplies.
//!
//! The figures are data, not code: one TOML file per jurisdiction and table
//! year under `data/tax/`, each figure with its source beside it, compiled in
//! with `include_str!` ([`tables`]).

pub mod tables;

pub use tables::{Tables, TableError, YearTables};

/// `[tax] filing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    /// Single filer.
    Single,
    /// Married filing jointly.
    Joint,
}

/// Where the person lives: a state of [`Tables`] and, where it has a local
/// income tax, a city (NYC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Residence {
    /// Index of the state in [`Tables::states`].
    pub state: usize,
    /// Index of the city in [`Tables::cities`].
    pub city: Option<usize>,
}

/// The household settings of `[tax]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Household {
    /// Filing status.
    pub filing: Filing,
    /// Another earner's wages (a spouse): in the income taxes and the
    /// additional Medicare threshold, not in this person's FICA or state
    /// payroll taxes.
    pub other_income: f64,
    /// Itemized deductions beyond state and local income taxes.
    pub itemized_deductions: f64,
}

/// One year's income of the person while resident in one place, as the
/// tax law sees it. Dollars; gains may be negative (losses).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Income {
    /// W-2 wages: base, bonus, sign-on, severance, RSUs at vest or
    /// settlement, NSO spreads at exercise, public-option spreads. Subject
    /// to FICA and state payroll taxes.
    pub wages: f64,
    /// Other ordinary income, without FICA: an ISO's disqualifying
    /// disposition (the lesser of the exercise spread and the gain).
    pub ordinary: f64,
    /// Net short-term capital gain (shares held 12 months or less).
    pub short_gain: f64,
    /// Net long-term capital gain (held more than 12 months).
    pub long_gain: f64,
    /// The AMT adjustment: the spread of ISOs exercised and kept past the
    /// year's end (Form 6251 line 2i).
    pub iso_preference: f64,
}

impl Income {
    /// The sum of two years' or two residences' items.
    pub fn plus(&self, o: &Income) -> Income {
        Income {
            wages: self.wages + o.wages,
            ordinary: self.ordinary + o.ordinary,
            short_gain: self.short_gain + o.short_gain,
            long_gain: self.long_gain + o.long_gain,
            iso_preference: self.iso_preference + o.iso_preference,
        }
    }
}

/// What one world and strategy carries from one year to the next.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Carry {
    /// The minimum tax credit (Form 8801): AMT paid on ISO spreads, recovered
    /// in later years where the regular tax exceeds the tentative minimum tax.
    pub min_tax_credit: f64,
    /// Capital loss carried forward, short-term part (a positive number).
    pub short_loss: f64,
    /// Capital loss carried forward, long-term part (a positive number).
    pub long_loss: f64,
}

/// The federal computation of one year, line by line (for `tcsim trace`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Federal {
    /// Adjusted gross income (wages, other income, ordinary, net gains
    /// after the $3,000 loss limit).
    pub agi: f64,
    /// The deduction taken: the larger of the standard one and the
    /// itemized one (SALT capped, plus `itemized_deductions`).
    pub deduction: f64,
    /// Whether the deduction is itemized.
    pub itemized: bool,
    /// Taxable income.
    pub taxable: f64,
    /// Regular tax: ordinary brackets plus the capital-gains rates.
    pub regular: f64,
    /// Tentative minimum tax.
    pub tentative_minimum: f64,
    /// AMT: the tentative minimum tax above the regular tax, or 0.
    pub amt: f64,
    /// Minimum tax credit used this year.
    pub credit_used: f64,
    /// Net investment income tax.
    pub niit: f64,
    /// Federal income tax: regular + AMT - credit used + NIIT.
    pub total: f64,
    /// Marginal rate on one more dollar of wages (federal income tax only).
    pub marginal_rate: f64,
}

/// One residence's state and local lines.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct State {
    /// State income tax.
    pub income_tax: f64,
    /// Local income tax (NYC).
    pub local_tax: f64,
    /// State payroll taxes on the person's wages (CA SDI, NY PFL and DBL,
    /// WA Cares and PFML, MA PFML).
    pub payroll: f64,
}

/// One year's liability (not withholding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Liability {
    /// The federal lines.
    pub federal: Federal,
    /// Social Security, Medicare and additional Medicare.
    pub fica: f64,
    /// State and local income tax, summed over the year's residences.
    pub state: f64,
    /// State payroll taxes, summed over the year's residences.
    pub state_payroll: f64,
}

impl Liability {
    /// The year's whole liability: `tax_federal + tax_fica + tax_state +
    /// tax_state_payroll`.
    pub fn total(&self) -> f64 {
        self.federal.total + self.fica + self.state + self.state_payroll
    }
}

/// The year's liability: each residence's state and local tax on the items
/// paid while living there (no sourcing rules), then the federal tax on the
/// sum with those state and local income taxes as the SALT deduction, then
/// FICA on the wages. `carry` comes in from the previous year and leaves for
/// the next.
pub fn year(
    t: &YearTables,
    h: &Household,
    parts: &[(Residence, Income)],
    carry: &mut Carry,
) -> Liability {
    let _ = (t, h, parts, carry);
    unimplemented!("the tax engine")
}
