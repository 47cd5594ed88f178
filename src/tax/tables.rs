//! The tax tables: one TOML file per jurisdiction and table year under
//! `data/tax/YEAR/`, compiled into the binary, parsed and checked once.
//!
//! A file is read into the `Raw*` structs (serde, unknown keys refused),
//! checked (brackets start at 0 and strictly increase, rates in [0, 1],
//! amounts finite and non-negative, the sections a shape needs present),
//! and kept in [`Tables`]. [`Tables::for_year`] turns it into
//! [`YearTables`]: plain numbers in fixed arrays, every threshold the file
//! marks `indexed` grown by `(1 + inflation)^k`, for the hot loop.

use serde::Deserialize;
use std::fmt;

/// The most brackets a schedule may have.
pub const MAX_BRACKETS: usize = 12;
/// The most payroll contributions a state may have.
pub const MAX_PAYROLL: usize = 4;

/// The compiled-in files of each table year: (path, text).
const FILES_2026: &[(&str, &str)] = &[
    (
        "data/tax/2026/federal.toml",
        include_str!("../../data/tax/2026/federal.toml"),
    ),
    (
        "data/tax/2026/ca.toml",
        include_str!("../../data/tax/2026/ca.toml"),
    ),
    (
        "data/tax/2026/ny.toml",
        include_str!("../../data/tax/2026/ny.toml"),
    ),
    (
        "data/tax/2026/ma.toml",
        include_str!("../../data/tax/2026/ma.toml"),
    ),
    (
        "data/tax/2026/wa.toml",
        include_str!("../../data/tax/2026/wa.toml"),
    ),
    (
        "data/tax/2026/no_wage_tax.toml",
        include_str!("../../data/tax/2026/no_wage_tax.toml"),
    ),
    (
        "data/tax/2026/nyc.toml",
        include_str!("../../data/tax/2026/nyc.toml"),
    ),
];

/// The table year the files describe.
const TABLE_YEAR: u32 = 2026;

// ---------------------------------------------------------------------
// The files as written.

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerFiling {
    pub single: f64,
    pub joint: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBrackets {
    pub indexed: bool,
    pub rates: Vec<f64>,
    pub single: Vec<f64>,
    pub joint: Vec<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStandard {
    pub indexed: bool,
    pub single: f64,
    pub joint: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSalt {
    pub cap: f64,
    pub phase_down_start: f64,
    pub growth: f64,
    pub growth_through: u32,
    pub revert_year: u32,
    pub revert_cap: f64,
    pub phase_down_rate: f64,
    pub floor: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRate {
    pub rate: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCapitalGains {
    pub indexed: bool,
    pub rates: Vec<f64>,
    pub zero_top: PerFiling,
    pub fifteen_top: PerFiling,
    pub loss_limit: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawThresholdRate {
    pub indexed: bool,
    pub rate: f64,
    pub threshold: PerFiling,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAmt {
    pub indexed: bool,
    pub rates: Vec<f64>,
    pub breakpoint: PerFiling,
    pub exemption: PerFiling,
    pub phase_out_start: PerFiling,
    pub phase_out_rate: f64,
    pub iso_limit: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSocialSecurity {
    pub indexed: bool,
    pub rate: f64,
    pub wage_base: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMedicare {
    pub indexed: bool,
    pub rate: f64,
    pub additional_rate: f64,
    pub additional_threshold: PerFiling,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFederal {
    pub brackets: RawBrackets,
    pub standard_deduction: RawStandard,
    pub salt: RawSalt,
    pub itemized_limit: RawRate,
    pub capital_gains: RawCapitalGains,
    pub niit: RawThresholdRate,
    pub amt: RawAmt,
    pub social_security: RawSocialSecurity,
    pub medicare: RawMedicare,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExemptionCredit {
    pub indexed: bool,
    pub amount: f64,
    pub persons: PerFiling,
    pub phase_out_start: PerFiling,
    pub phase_out_step: PerFiling,
    pub phase_out_per_step: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSupplemental {
    pub indexed: bool,
    pub min_agi: f64,
    pub phase_in: f64,
    pub flat_above: PerFiling,
    pub single: Vec<[f64; 3]>,
    pub joint: Vec<[f64; 3]>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFlat {
    pub ordinary_rate: f64,
    pub short_gain_rate: f64,
    pub long_gain_rate: f64,
    pub exemption: PerFiling,
    pub fica_deduction_max: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCapitalGainsTax {
    pub indexed: bool,
    pub deduction: f64,
    pub rates: Vec<f64>,
    pub starts: Vec<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPayroll {
    #[allow(dead_code)] // the file's label of the contribution
    pub name: String,
    pub rate: f64,
    pub max_contribution: Option<f64>,
    #[serde(default)]
    pub indexed: bool,
    #[serde(default)]
    pub cap_at_wage_base: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawState {
    pub code: String,
    pub name: String,
    pub brackets: Option<RawBrackets>,
    pub standard_deduction: Option<RawStandard>,
    pub exemption_credit: Option<RawExemptionCredit>,
    pub surtax: Option<RawThresholdRate>,
    pub supplemental: Option<RawSupplemental>,
    pub flat: Option<RawFlat>,
    pub capital_gains_tax: Option<RawCapitalGainsTax>,
    #[serde(default)]
    pub payroll: Vec<RawPayroll>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNoTaxState {
    pub code: String,
    pub name: String,
    #[allow(dead_code)] // the file's citation
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNoTax {
    pub states: Vec<RawNoTaxState>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchool {
    pub indexed: bool,
    pub fixed: PerFiling,
    pub fixed_income_limit: f64,
    pub reduction_rates: Vec<f64>,
    pub reduction_single: Vec<f64>,
    pub reduction_joint: Vec<f64>,
    pub reduction_income_limit: f64,
    pub reduction_taxable_limit: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCity {
    pub code: String,
    pub state: String,
    #[allow(dead_code)] // the file's label
    pub name: String,
    pub brackets: RawBrackets,
    pub school_credit: Option<RawSchool>,
}

// ---------------------------------------------------------------------
// Parsing and checking.

/// Parses one file's text into `T`, naming the file and the dotted key of
/// what is wrong.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, TableError> {
    let de = toml::Deserializer::parse(text).map_err(|e| TableError {
        file: file.to_string(),
        key: String::new(),
        message: format!("not valid TOML: {}", e.message().trim()),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut key = e.path().to_string();
        if key == "." {
            key.clear();
        }
        let message = e.into_inner().message().trim().to_string();
        // serde names a missing field in the message, not the path.
        if let Some(rest) = message.strip_prefix("missing field `")
            && let Some(field) = rest.split('`').next()
        {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(field);
        }
        TableError {
            file: file.to_string(),
            key,
            message,
        }
    })
}

/// The checks of one file, accumulating its name.
struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn err(&self, key: &str, message: String) -> TableError {
        TableError {
            file: self.file.to_string(),
            key: key.to_string(),
            message,
        }
    }

    fn amount(&self, key: &str, v: f64) -> Result<(), TableError> {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(self.err(key, format!("{v} must be a finite amount >= 0")))
        }
    }

    fn rate(&self, key: &str, v: f64) -> Result<(), TableError> {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(self.err(key, format!("rate {v} must be in [0, 1]")))
        }
    }

    fn per_filing(&self, key: &str, v: &PerFiling) -> Result<(), TableError> {
        self.amount(&format!("{key}.single"), v.single)?;
        self.amount(&format!("{key}.joint"), v.joint)
    }

    /// Bracket starts: at most [`MAX_BRACKETS`], the first 0, strictly
    /// increasing, as many as `n`.
    fn starts(&self, key: &str, v: &[f64], n: usize) -> Result<(), TableError> {
        if v.len() != n {
            return Err(self.err(
                key,
                format!(
                    "{} thresholds for {n} rates: one threshold per rate",
                    v.len()
                ),
            ));
        }
        if v.is_empty() || v.len() > MAX_BRACKETS {
            return Err(self.err(
                key,
                format!("{} brackets: between 1 and {MAX_BRACKETS}", v.len()),
            ));
        }
        if v[0] != 0.0 {
            return Err(self.err(key, format!("the first bracket starts at {}, not 0", v[0])));
        }
        for (i, w) in v.windows(2).enumerate() {
            self.amount(&format!("{key}[{}]", i + 1), w[1])?;
            if w[1] <= w[0] {
                return Err(self.err(
                    &format!("{key}[{}]", i + 1),
                    format!("brackets must strictly increase: {} follows {}", w[1], w[0]),
                ));
            }
        }
        Ok(())
    }

    fn rates(&self, key: &str, v: &[f64]) -> Result<(), TableError> {
        for (i, r) in v.iter().enumerate() {
            self.rate(&format!("{key}[{i}]"), *r)?;
        }
        Ok(())
    }

    fn brackets(&self, key: &str, b: &RawBrackets) -> Result<(), TableError> {
        self.rates(&format!("{key}.rates"), &b.rates)?;
        self.starts(&format!("{key}.single"), &b.single, b.rates.len())?;
        self.starts(&format!("{key}.joint"), &b.joint, b.rates.len())
    }

    fn standard(&self, key: &str, s: &RawStandard) -> Result<(), TableError> {
        self.amount(&format!("{key}.single"), s.single)?;
        self.amount(&format!("{key}.joint"), s.joint)
    }

    fn threshold_rate(&self, key: &str, s: &RawThresholdRate) -> Result<(), TableError> {
        self.rate(&format!("{key}.rate"), s.rate)?;
        self.per_filing(&format!("{key}.threshold"), &s.threshold)
    }

    fn payroll(&self, p: &[RawPayroll]) -> Result<(), TableError> {
        if p.len() > MAX_PAYROLL {
            return Err(self.err(
                "payroll",
                format!("{} contributions: at most {MAX_PAYROLL}", p.len()),
            ));
        }
        for (i, c) in p.iter().enumerate() {
            self.rate(&format!("payroll[{i}].rate"), c.rate)?;
            if let Some(m) = c.max_contribution {
                self.amount(&format!("payroll[{i}].max_contribution"), m)?;
            }
        }
        Ok(())
    }

    fn federal(&self, f: &RawFederal) -> Result<(), TableError> {
        self.brackets("brackets", &f.brackets)?;
        self.standard("standard_deduction", &f.standard_deduction)?;
        let s = &f.salt;
        for (k, v) in [
            ("salt.cap", s.cap),
            ("salt.phase_down_start", s.phase_down_start),
            ("salt.revert_cap", s.revert_cap),
            ("salt.floor", s.floor),
        ] {
            self.amount(k, v)?;
        }
        self.rate("salt.growth", s.growth)?;
        self.rate("salt.phase_down_rate", s.phase_down_rate)?;
        if s.revert_year <= s.growth_through {
            return Err(self.err(
                "salt.revert_year",
                format!(
                    "{} must come after growth_through {}",
                    s.revert_year, s.growth_through
                ),
            ));
        }
        self.rate("itemized_limit.rate", f.itemized_limit.rate)?;
        let cg = &f.capital_gains;
        if cg.rates.len() != 3 {
            return Err(self.err(
                "capital_gains.rates",
                format!("{} rates: three (0 %, 15 %, 20 %)", cg.rates.len()),
            ));
        }
        self.rates("capital_gains.rates", &cg.rates)?;
        self.per_filing("capital_gains.zero_top", &cg.zero_top)?;
        self.per_filing("capital_gains.fifteen_top", &cg.fifteen_top)?;
        if cg.fifteen_top.single <= cg.zero_top.single || cg.fifteen_top.joint <= cg.zero_top.joint
        {
            return Err(self.err(
                "capital_gains.fifteen_top",
                "must be above zero_top".to_string(),
            ));
        }
        self.amount("capital_gains.loss_limit", cg.loss_limit)?;
        self.threshold_rate("niit", &f.niit)?;
        let a = &f.amt;
        if a.rates.len() != 2 {
            return Err(self.err(
                "amt.rates",
                format!("{} rates: two (26 %, 28 %)", a.rates.len()),
            ));
        }
        self.rates("amt.rates", &a.rates)?;
        self.per_filing("amt.breakpoint", &a.breakpoint)?;
        self.per_filing("amt.exemption", &a.exemption)?;
        self.per_filing("amt.phase_out_start", &a.phase_out_start)?;
        self.rate("amt.phase_out_rate", a.phase_out_rate)?;
        self.amount("amt.iso_limit", a.iso_limit)?;
        self.rate("social_security.rate", f.social_security.rate)?;
        self.amount("social_security.wage_base", f.social_security.wage_base)?;
        self.rate("medicare.rate", f.medicare.rate)?;
        self.rate("medicare.additional_rate", f.medicare.additional_rate)?;
        self.per_filing(
            "medicare.additional_threshold",
            &f.medicare.additional_threshold,
        )
    }

    fn state(&self, s: &RawState) -> Result<(), TableError> {
        if s.code.len() != 2 || !s.code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(self.err("code", format!("{:?} is not a two-letter code", s.code)));
        }
        if let Some(b) = &s.brackets {
            self.brackets("brackets", b)?;
            match &s.standard_deduction {
                Some(d) => self.standard("standard_deduction", d)?,
                None => {
                    return Err(self.err(
                        "standard_deduction",
                        "missing: a state with brackets needs its standard deduction".into(),
                    ));
                }
            }
        }
        if s.brackets.is_some() && s.flat.is_some() {
            return Err(self.err(
                "flat",
                "a state has either brackets or flat rates, not both".into(),
            ));
        }
        if let Some(e) = &s.exemption_credit {
            if s.brackets.is_none() {
                return Err(self.err("exemption_credit", "needs brackets".into()));
            }
            self.amount("exemption_credit.amount", e.amount)?;
            self.per_filing("exemption_credit.persons", &e.persons)?;
            self.per_filing("exemption_credit.phase_out_start", &e.phase_out_start)?;
            self.per_filing("exemption_credit.phase_out_step", &e.phase_out_step)?;
            if e.phase_out_step.single <= 0.0 || e.phase_out_step.joint <= 0.0 {
                return Err(self.err("exemption_credit.phase_out_step", "must be above 0".into()));
            }
            self.amount("exemption_credit.phase_out_per_step", e.phase_out_per_step)?;
        }
        if let Some(t) = &s.surtax {
            if s.brackets.is_none() && s.flat.is_none() {
                return Err(self.err("surtax", "needs brackets or flat rates".into()));
            }
            self.threshold_rate("surtax", t)?;
        }
        if let Some(p) = &s.supplemental {
            if s.brackets.is_none() {
                return Err(self.err("supplemental", "needs brackets".into()));
            }
            self.amount("supplemental.min_agi", p.min_agi)?;
            self.amount("supplemental.phase_in", p.phase_in)?;
            if p.phase_in <= 0.0 {
                return Err(self.err("supplemental.phase_in", "must be above 0".into()));
            }
            self.per_filing("supplemental.flat_above", &p.flat_above)?;
            for (key, rows) in [
                ("supplemental.single", &p.single),
                ("supplemental.joint", &p.joint),
            ] {
                let starts: Vec<f64> = rows.iter().map(|r| r[0]).collect();
                self.starts(key, &starts, rows.len())?;
                for (i, r) in rows.iter().enumerate() {
                    self.amount(&format!("{key}[{i}][1]"), r[1])?;
                    self.amount(&format!("{key}[{i}][2]"), r[2])?;
                }
            }
        }
        if let Some(f) = &s.flat {
            self.rate("flat.ordinary_rate", f.ordinary_rate)?;
            self.rate("flat.short_gain_rate", f.short_gain_rate)?;
            self.rate("flat.long_gain_rate", f.long_gain_rate)?;
            self.per_filing("flat.exemption", &f.exemption)?;
            self.amount("flat.fica_deduction_max", f.fica_deduction_max)?;
        }
        if let Some(c) = &s.capital_gains_tax {
            self.amount("capital_gains_tax.deduction", c.deduction)?;
            self.rates("capital_gains_tax.rates", &c.rates)?;
            self.starts("capital_gains_tax.starts", &c.starts, c.rates.len())?;
        }
        self.payroll(&s.payroll)
    }

    fn city(&self, c: &RawCity) -> Result<(), TableError> {
        self.brackets("brackets", &c.brackets)?;
        if let Some(s) = &c.school_credit {
            self.per_filing("school_credit.fixed", &s.fixed)?;
            self.amount("school_credit.fixed_income_limit", s.fixed_income_limit)?;
            self.rates("school_credit.reduction_rates", &s.reduction_rates)?;
            let n = s.reduction_rates.len();
            self.starts("school_credit.reduction_single", &s.reduction_single, n)?;
            self.starts("school_credit.reduction_joint", &s.reduction_joint, n)?;
            self.amount(
                "school_credit.reduction_income_limit",
                s.reduction_income_limit,
            )?;
            self.amount(
                "school_credit.reduction_taxable_limit",
                s.reduction_taxable_limit,
            )?;
        }
        Ok(())
    }
}

pub(crate) fn parse_federal(file: &str, text: &str) -> Result<RawFederal, TableError> {
    let f: RawFederal = parse(file, text)?;
    Check { file }.federal(&f)?;
    Ok(f)
}

pub(crate) fn parse_state(file: &str, text: &str) -> Result<RawState, TableError> {
    let s: RawState = parse(file, text)?;
    Check { file }.state(&s)?;
    Ok(s)
}

pub(crate) fn parse_city(file: &str, text: &str) -> Result<RawCity, TableError> {
    let c: RawCity = parse(file, text)?;
    Check { file }.city(&c)?;
    Ok(c)
}

pub(crate) fn parse_no_tax(file: &str, text: &str) -> Result<RawNoTax, TableError> {
    let n: RawNoTax = parse(file, text)?;
    let check = Check { file };
    for (i, s) in n.states.iter().enumerate() {
        if s.code.len() != 2 || !s.code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(check.err(
                &format!("states[{i}].code"),
                format!("{:?} is not a two-letter code", s.code),
            ));
        }
    }
    Ok(n)
}

/// A city's file names its `state`; a state's file does not.
fn is_city(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("state"))
}

// ---------------------------------------------------------------------
// The tables.

/// The tables of one table year, as read from the data files.
#[derive(Debug, Clone)]
pub struct Tables {
    /// The table year (e.g. 2026).
    pub year: u32,
    /// State codes in a fixed order (`"CA"`, `"NY"`, ...), including the
    /// states without a wage tax.
    pub states: Vec<String>,
    /// City codes (`"NYC"`), each belonging to one state.
    pub cities: Vec<(String, usize)>,
    /// State names, in the order of `states`.
    pub state_names: Vec<String>,
    federal: RawFederal,
    /// One per state; `None` for a state without a wage tax.
    state_data: Vec<Option<RawState>>,
    city_data: Vec<RawCity>,
}

/// A bracket schedule as plain numbers: rate `rate[i]` on the part of the
/// base from `start[i]` to `start[i + 1]`; `base[i]` is the tax at
/// `start[i]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Brackets in use.
    pub n: usize,
    /// Where each bracket starts.
    pub start: [f64; MAX_BRACKETS],
    /// Each bracket's rate.
    pub rate: [f64; MAX_BRACKETS],
    /// The tax on `start[i]`.
    pub base: [f64; MAX_BRACKETS],
}

impl Schedule {
    /// An empty schedule (no tax).
    pub const NONE: Schedule = Schedule {
        n: 0,
        start: [0.0; MAX_BRACKETS],
        rate: [0.0; MAX_BRACKETS],
        base: [0.0; MAX_BRACKETS],
    };

    fn new(starts: &[f64], rates: &[f64], factor: f64) -> Schedule {
        let mut s = Schedule::NONE;
        s.n = starts.len().min(rates.len()).min(MAX_BRACKETS);
        for i in 0..s.n {
            s.start[i] = starts[i] * factor;
            s.rate[i] = rates[i];
            if i > 0 {
                s.base[i] = s.base[i - 1] + s.rate[i - 1] * (s.start[i] - s.start[i - 1]);
            }
        }
        s
    }

    /// The index of the bracket `x` falls in (0 below the first start).
    #[inline]
    pub fn bracket(&self, x: f64) -> usize {
        let mut i = self.n.saturating_sub(1);
        while i > 0 && x < self.start[i] {
            i -= 1;
        }
        i
    }

    /// The tax on `x` (0 for `x <= 0`).
    #[inline]
    pub fn tax(&self, x: f64) -> f64 {
        if self.n == 0 || x <= 0.0 {
            return 0.0;
        }
        let i = self.bracket(x);
        self.base[i] + self.rate[i] * (x - self.start[i])
    }

    /// The marginal rate at `x`.
    #[inline]
    pub fn rate_at(&self, x: f64) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.rate[self.bracket(x)]
        }
    }
}

/// A figure per filing status, indexed by [`crate::tax::Filing`] as usize.
pub type ByFiling = [f64; 2];

fn by(p: &PerFiling, factor: f64) -> ByFiling {
    [p.single * factor, p.joint * factor]
}

fn factor_if(indexed: bool, f: f64) -> f64 {
    if indexed { f } else { 1.0 }
}

/// The federal figures of one simulation year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FederalYear {
    /// Ordinary brackets, single and joint.
    pub ordinary: [Schedule; 2],
    /// Standard deduction.
    pub standard: ByFiling,
    /// SALT cap this year (statutory schedule), before the phase-down.
    pub salt_cap: f64,
    /// MAGI above which the SALT cap is phased down.
    pub salt_phase_start: f64,
    /// The phase-down rate (30 %).
    pub salt_phase_rate: f64,
    /// The cap's floor ($10,000).
    pub salt_floor: f64,
    /// IRC 68 (2026): the 2/37 reduction of itemized deductions.
    pub itemized_limit_rate: f64,
    /// Capital gains rates 0 / 15 / 20 %.
    pub cg_rates: [f64; 3],
    /// Taxable income up to which long-term gains are at 0 %.
    pub cg_zero_top: ByFiling,
    /// Taxable income up to which long-term gains are at 15 %.
    pub cg_fifteen_top: ByFiling,
    /// Net capital loss deductible against ordinary income.
    pub loss_limit: f64,
    /// NIIT rate.
    pub niit_rate: f64,
    /// NIIT MAGI threshold.
    pub niit_threshold: ByFiling,
    /// AMT rates (26 %, 28 %).
    pub amt_rates: [f64; 2],
    /// AMT base from which 28 % applies.
    pub amt_breakpoint: ByFiling,
    /// AMT exemption.
    pub amt_exemption: ByFiling,
    /// AMTI from which the exemption is phased out.
    pub amt_phase_start: ByFiling,
    /// The exemption's phase-out rate.
    pub amt_phase_rate: f64,
    /// The yearly ISO limit of grant-date value first exercisable (IRC
    /// 422(d); not indexed).
    pub iso_limit: f64,
    /// Social Security rate.
    pub ss_rate: f64,
    /// Social Security wage base.
    pub ss_base: f64,
    /// Medicare rate.
    pub medicare_rate: f64,
    /// Additional Medicare rate.
    pub addl_rate: f64,
    /// Additional Medicare threshold.
    pub addl_threshold: ByFiling,
}

/// California's personal exemption credit and its phase-out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExemptionCredit {
    /// Credit per person.
    pub amount: f64,
    /// Persons (1 single, 2 joint).
    pub persons: ByFiling,
    /// Federal AGI from which each credit is reduced.
    pub start: ByFiling,
    /// The step of AGI ($2,500).
    pub step: ByFiling,
    /// The reduction per step ($6).
    pub per_step: f64,
}

/// A surtax on the state's taxable income above a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surtax {
    /// Rate.
    pub rate: f64,
    /// Threshold.
    pub threshold: ByFiling,
}

/// New York's supplemental tax (benefit recapture).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supplemental {
    /// NY AGI above which it applies.
    pub min_agi: f64,
    /// The length over which each bracket's benefit phases in.
    pub phase_in: f64,
    /// NY AGI above which all taxable income is at the top rate.
    pub flat_above: ByFiling,
    /// Rows in use, per filing.
    pub n: [usize; 2],
    /// Per filing: the taxable income from which each row applies.
    pub start: [[f64; MAX_BRACKETS]; 2],
    /// Per filing: each row's recapture base.
    pub recapture: [[f64; MAX_BRACKETS]; 2],
    /// Per filing: each row's incremental benefit.
    pub increment: [[f64; MAX_BRACKETS]; 2],
}

/// Massachusetts-shaped flat rates by class of income.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flat {
    /// Wages and other ordinary income (Part B).
    pub ordinary_rate: f64,
    /// Short-term gains (Part A).
    pub short_rate: f64,
    /// Long-term gains (Part C).
    pub long_rate: f64,
    /// Personal exemption.
    pub exemption: ByFiling,
    /// FICA deduction per earner, at most.
    pub fica_max: f64,
}

/// Washington-shaped tax on long-term gains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainsTax {
    /// Standard deduction.
    pub deduction: f64,
    /// Rates on the gains above the deduction.
    pub schedule: Schedule,
}

/// One payroll contribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Payroll {
    /// Rate on wages.
    pub rate: f64,
    /// Wages above this are not counted (infinite: no cap).
    pub wage_cap: f64,
    /// The most a year (infinite: none).
    pub max: f64,
}

/// A state's figures of one simulation year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateYear {
    /// Progressive brackets on taxable income (CA, NY), if any.
    pub brackets: Option<[Schedule; 2]>,
    /// Standard deduction (with brackets).
    pub standard: ByFiling,
    /// Exemption credit (CA).
    pub exemption_credit: Option<ExemptionCredit>,
    /// Surtax on taxable income (CA mental health, MA).
    pub surtax: Option<Surtax>,
    /// Supplemental tax (NY).
    pub supplemental: Option<Supplemental>,
    /// Flat rates by class (MA).
    pub flat: Option<Flat>,
    /// Tax on long-term gains only (WA).
    pub gains_tax: Option<GainsTax>,
    /// Payroll contributions in use.
    pub n_payroll: usize,
    /// Payroll contributions.
    pub payroll: [Payroll; MAX_PAYROLL],
}

impl StateYear {
    const NONE: StateYear = StateYear {
        brackets: None,
        standard: [0.0; 2],
        exemption_credit: None,
        surtax: None,
        supplemental: None,
        flat: None,
        gains_tax: None,
        n_payroll: 0,
        payroll: [Payroll {
            rate: 0.0,
            wage_cap: f64::INFINITY,
            max: f64::INFINITY,
        }; MAX_PAYROLL],
    };
}

/// NYC's school tax credit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchoolCredit {
    /// The fixed amount.
    pub fixed: ByFiling,
    /// Income (federal AGI) up to which the fixed amount is allowed.
    pub fixed_limit: f64,
    /// The rate reduction, on city taxable income.
    pub reduction: [Schedule; 2],
    /// Income up to which the rate reduction is allowed.
    pub reduction_income_limit: f64,
    /// City taxable income up to which the rate reduction is allowed.
    pub reduction_taxable_limit: f64,
}

/// A city's figures of one simulation year: taxed on its state's taxable
/// income.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CityYear {
    /// The brackets.
    pub brackets: [Schedule; 2],
    /// The school tax credit (NYC).
    pub school: Option<SchoolCredit>,
}

/// The tables indexed to one simulation year: every threshold the law
/// indexes grown by `(1 + inflation)^k`, rates unchanged.
#[derive(Debug, Clone)]
pub struct YearTables {
    /// The calendar year these tables are for.
    pub year: u32,
    /// The federal figures.
    pub federal: FederalYear,
    /// One per state of [`Tables::states`].
    pub states: Vec<StateYear>,
    /// One per city of [`Tables::cities`].
    pub cities: Vec<CityYear>,
}

/// A data file that does not hold a valid table: which file, which key,
/// what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    /// The data file, relative to the repository (`data/tax/2026/ca.toml`).
    pub file: String,
    /// The key, dotted (`brackets.single`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.key, self.message)
    }
}

impl std::error::Error for TableError {}

impl Tables {
    /// The table years compiled in.
    pub fn years() -> &'static [u32] {
        &[2026]
    }

    /// The compiled-in tables of `year`.
    pub fn load(year: u32) -> Result<Tables, TableError> {
        if year != TABLE_YEAR {
            let supported: Vec<String> = Self::years().iter().map(|y| y.to_string()).collect();
            return Err(TableError {
                file: "data/tax".to_string(),
                key: "year".to_string(),
                message: format!(
                    "no tax tables for {year} (supported: {})",
                    supported.join(", ")
                ),
            });
        }
        Self::from_files(year, FILES_2026)
    }

    /// Tables from the files of one year: `federal.toml`, `no_wage_tax.toml`,
    /// one file per state with a tax (with a `code`), one per city (with a
    /// `state`).
    pub(crate) fn from_files(year: u32, files: &[(&str, &str)]) -> Result<Tables, TableError> {
        let mut federal = None;
        let mut states = Vec::new();
        let mut state_names = Vec::new();
        let mut state_data = Vec::new();
        let mut raw_cities = Vec::new();
        for (file, text) in files {
            if file.ends_with("/federal.toml") {
                federal = Some(parse_federal(file, text)?);
            } else if file.ends_with("/no_wage_tax.toml") {
                for s in parse_no_tax(file, text)?.states {
                    states.push(s.code);
                    state_names.push(s.name);
                    state_data.push(None);
                }
            } else if is_city(text) {
                raw_cities.push((*file, parse_city(file, text)?));
            } else {
                let s = parse_state(file, text)?;
                states.push(s.code.clone());
                state_names.push(s.name.clone());
                state_data.push(Some(s));
            }
        }
        for (i, s) in states.iter().enumerate() {
            if states[..i].contains(s) {
                return Err(TableError {
                    file: format!("data/tax/{year}"),
                    key: "code".into(),
                    message: format!("state {s} is defined twice"),
                });
            }
        }
        let mut cities = Vec::new();
        let mut city_data = Vec::new();
        for (file, c) in raw_cities {
            let Some(s) = states.iter().position(|s| *s == c.state) else {
                return Err(TableError {
                    file: file.to_string(),
                    key: "state".into(),
                    message: format!("{} is not a state of the tables", c.state),
                });
            };
            if state_data[s]
                .as_ref()
                .and_then(|d| d.brackets.as_ref())
                .is_none()
            {
                return Err(TableError {
                    file: file.to_string(),
                    key: "state".into(),
                    message: format!(
                        "a city is taxed on its state's taxable income: {} has no brackets",
                        c.state
                    ),
                });
            }
            cities.push((c.code.clone(), s));
            city_data.push(c);
        }
        let federal = federal.ok_or_else(|| TableError {
            file: format!("data/tax/{year}/federal.toml"),
            key: String::new(),
            message: "missing".into(),
        })?;
        Ok(Tables {
            year,
            states,
            cities,
            state_names,
            federal,
            state_data,
            city_data,
        })
    }

    /// The state with this two-letter code.
    pub fn state(&self, code: &str) -> Option<usize> {
        self.states.iter().position(|s| s == code)
    }

    /// The city with this code, in state `state`.
    pub fn city(&self, state: usize, code: &str) -> Option<usize> {
        self.cities
            .iter()
            .position(|(c, s)| c == code && *s == state)
    }

    /// The tables of simulation year `k` (0-based: `k = 0` is the table
    /// year), thresholds indexed by `inflation` where the law indexes them.
    pub fn for_year(&self, k: u32, inflation: f64) -> YearTables {
        let g = (1.0 + inflation).powi(k as i32);
        let g = if g.is_finite() && g > 0.0 { g } else { 1.0 };
        let year = self.year + k;
        let federal = federal_year(&self.federal, year, g);
        YearTables {
            year,
            federal,
            states: self
                .state_data
                .iter()
                .map(|s| {
                    s.as_ref()
                        .map_or(StateYear::NONE, |s| state_year(s, g, federal.ss_base))
                })
                .collect(),
            cities: self.city_data.iter().map(|c| city_year(c, g)).collect(),
        }
    }
}

fn schedules(b: &RawBrackets, g: f64) -> [Schedule; 2] {
    let f = factor_if(b.indexed, g);
    [
        Schedule::new(&b.single, &b.rates, f),
        Schedule::new(&b.joint, &b.rates, f),
    ]
}

fn federal_year(f: &RawFederal, year: u32, g: f64) -> FederalYear {
    let s = &f.salt;
    // The statute's schedule, by calendar year: +growth a year from the
    // table year through growth_through, then the revert cap.
    let (salt_cap, salt_phase_start) = if year >= s.revert_year {
        (s.revert_cap, s.phase_down_start)
    } else {
        let n = year.min(s.growth_through).saturating_sub(TABLE_YEAR) as i32;
        let m = (1.0 + s.growth).powi(n);
        (s.cap * m, s.phase_down_start * m)
    };
    let cg = &f.capital_gains;
    let cgf = factor_if(cg.indexed, g);
    let a = &f.amt;
    let af = factor_if(a.indexed, g);
    FederalYear {
        ordinary: schedules(&f.brackets, g),
        standard: by(
            &PerFiling {
                single: f.standard_deduction.single,
                joint: f.standard_deduction.joint,
            },
            factor_if(f.standard_deduction.indexed, g),
        ),
        salt_cap,
        salt_phase_start,
        salt_phase_rate: s.phase_down_rate,
        salt_floor: s.floor,
        itemized_limit_rate: f.itemized_limit.rate,
        cg_rates: [cg.rates[0], cg.rates[1], cg.rates[2]],
        cg_zero_top: by(&cg.zero_top, cgf),
        cg_fifteen_top: by(&cg.fifteen_top, cgf),
        loss_limit: cg.loss_limit,
        niit_rate: f.niit.rate,
        niit_threshold: by(&f.niit.threshold, factor_if(f.niit.indexed, g)),
        amt_rates: [a.rates[0], a.rates[1]],
        amt_breakpoint: by(&a.breakpoint, af),
        amt_exemption: by(&a.exemption, af),
        amt_phase_start: by(&a.phase_out_start, af),
        amt_phase_rate: a.phase_out_rate,
        iso_limit: a.iso_limit,
        ss_rate: f.social_security.rate,
        ss_base: f.social_security.wage_base * factor_if(f.social_security.indexed, g),
        medicare_rate: f.medicare.rate,
        addl_rate: f.medicare.additional_rate,
        addl_threshold: by(
            &f.medicare.additional_threshold,
            factor_if(f.medicare.indexed, g),
        ),
    }
}

fn state_year(s: &RawState, g: f64, ss_base: f64) -> StateYear {
    let mut y = StateYear::NONE;
    if let Some(b) = &s.brackets {
        y.brackets = Some(schedules(b, g));
    }
    if let Some(d) = &s.standard_deduction {
        let f = factor_if(d.indexed, g);
        y.standard = [d.single * f, d.joint * f];
    }
    if let Some(e) = &s.exemption_credit {
        let f = factor_if(e.indexed, g);
        y.exemption_credit = Some(ExemptionCredit {
            amount: e.amount * f,
            persons: by(&e.persons, 1.0),
            start: by(&e.phase_out_start, f),
            step: by(&e.phase_out_step, 1.0),
            per_step: e.phase_out_per_step,
        });
    }
    if let Some(t) = &s.surtax {
        y.surtax = Some(Surtax {
            rate: t.rate,
            threshold: by(&t.threshold, factor_if(t.indexed, g)),
        });
    }
    if let Some(p) = &s.supplemental {
        let f = factor_if(p.indexed, g);
        let mut sup = Supplemental {
            min_agi: p.min_agi * f,
            phase_in: p.phase_in * f,
            flat_above: by(&p.flat_above, f),
            n: [0; 2],
            start: [[0.0; MAX_BRACKETS]; 2],
            recapture: [[0.0; MAX_BRACKETS]; 2],
            increment: [[0.0; MAX_BRACKETS]; 2],
        };
        for (fi, rows) in [&p.single, &p.joint].into_iter().enumerate() {
            sup.n[fi] = rows.len().min(MAX_BRACKETS);
            for (i, r) in rows.iter().take(MAX_BRACKETS).enumerate() {
                sup.start[fi][i] = r[0] * f;
                sup.recapture[fi][i] = r[1] * f;
                sup.increment[fi][i] = r[2] * f;
            }
        }
        y.supplemental = Some(sup);
    }
    if let Some(m) = &s.flat {
        y.flat = Some(Flat {
            ordinary_rate: m.ordinary_rate,
            short_rate: m.short_gain_rate,
            long_rate: m.long_gain_rate,
            exemption: by(&m.exemption, 1.0),
            fica_max: m.fica_deduction_max,
        });
    }
    if let Some(c) = &s.capital_gains_tax {
        let f = factor_if(c.indexed, g);
        y.gains_tax = Some(GainsTax {
            deduction: c.deduction * f,
            // The breakpoints of the rates (the $1M) are not indexed.
            schedule: Schedule::new(&c.starts, &c.rates, 1.0),
        });
    }
    y.n_payroll = s.payroll.len().min(MAX_PAYROLL);
    for (i, p) in s.payroll.iter().take(MAX_PAYROLL).enumerate() {
        y.payroll[i] = Payroll {
            rate: p.rate,
            // Capped at the Social Security wage base of the year.
            wage_cap: if p.cap_at_wage_base {
                ss_base
            } else {
                f64::INFINITY
            },
            max: p
                .max_contribution
                .map_or(f64::INFINITY, |m| m * factor_if(p.indexed, g)),
        };
    }
    y
}

fn city_year(c: &RawCity, g: f64) -> CityYear {
    CityYear {
        brackets: schedules(&c.brackets, g),
        school: c.school_credit.as_ref().map(|s| {
            let f = factor_if(s.indexed, g);
            SchoolCredit {
                fixed: by(&s.fixed, f),
                fixed_limit: s.fixed_income_limit * f,
                reduction: [
                    Schedule::new(&s.reduction_single, &s.reduction_rates, f),
                    Schedule::new(&s.reduction_joint, &s.reduction_rates, f),
                ],
                reduction_income_limit: s.reduction_income_limit * f,
                reduction_taxable_limit: s.reduction_taxable_limit * f,
            }
        }),
    }
}
