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

#[cfg(test)]
mod tests;

use tables::FederalYear;
pub use tables::{TableError, Tables, YearTables};

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
    /// The AMT adjustment of ordinary kind (Form 6251 line 2i): the spread
    /// of ISOs exercised and kept past the year's end, and, when such shares
    /// are sold in a later year, minus the ordinary income the regular tax
    /// sees then (the AMT recognized it at exercise).
    pub iso_preference: f64,
    /// What the AMT sees of the year's short-term gains beyond the regular
    /// tax's (line 2k): shares whose AMT basis is higher (ISOs that entered
    /// the AMT at exercise) gain less, or lose more. The AMT nets its own
    /// gains with its own $3,000 loss limit and carry.
    pub amt_short_gain: f64,
    /// The same for long-term gains.
    pub amt_long_gain: f64,
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
            amt_short_gain: self.amt_short_gain + o.amt_short_gain,
            amt_long_gain: self.amt_long_gain + o.amt_long_gain,
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
    /// The AMT's own capital loss carried forward, short-term part (its
    /// gains differ where the AMT basis does).
    pub amt_short_loss: f64,
    /// The AMT's own capital loss carried forward, long-term part.
    pub amt_long_loss: f64,
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
///
/// Readings where the contract is silent:
/// - gains are netted federally (Schedule D) with the carried losses; with
///   one residence the state taxes the same netted gains (states follow the
///   federal carryover); with several, each part's own gains netted within
///   the part (no carried loss, the $3,000 limit per part);
/// - `other_income` is in every state's income; with several residences it
///   is split in proportion to the parts' wages (equally without wages);
/// - `marginal_rate` is the federal tax on one more dollar of wages with the
///   SALT deduction held (a finite difference of $1).
pub fn year(
    t: &YearTables,
    h: &Household,
    parts: &[(Residence, Income)],
    carry: &mut Carry,
) -> Liability {
    compute(t, h, parts, carry, true)
}

/// [`year`] without the marginal rate (left at 0): the engine's path, which
/// reports the liability only and so saves the second federal computation.
pub fn liability(
    t: &YearTables,
    h: &Household,
    parts: &[(Residence, Income)],
    carry: &mut Carry,
) -> Liability {
    compute(t, h, parts, carry, false)
}

#[inline]
fn compute(
    t: &YearTables,
    h: &Household,
    parts: &[(Residence, Income)],
    carry: &mut Carry,
    marginal: bool,
) -> Liability {
    let fi = h.filing as usize;
    let fed = &t.federal;
    let other = h.other_income;
    let tot = match parts {
        [(_, one)] => *one,
        _ => parts
            .iter()
            .fold(Income::default(), |a, (_, inc)| a.plus(inc)),
    };
    let net = net_gains(
        tot.short_gain,
        tot.long_gain,
        carry.short_loss,
        carry.long_loss,
        fed.loss_limit,
    );

    // States, part by part.
    let mut salt = 0.0;
    let mut state_payroll = 0.0;
    let total_wages: f64 = parts.iter().map(|(_, i)| i.wages.max(0.0)).sum();
    let n = parts.len() as f64;
    for (r, inc) in parts {
        let (gains, other_here) = if parts.len() == 1 {
            (net, other)
        } else {
            let share = if total_wages > 0.0 {
                inc.wages.max(0.0) / total_wages
            } else {
                1.0 / n
            };
            (
                net_gains(inc.short_gain, inc.long_gain, 0.0, 0.0, fed.loss_limit),
                other * share,
            )
        };
        let s = state(t, fi, r, inc, &gains, other_here);
        salt += s.income_tax + s.local_tax;
        state_payroll += s.payroll;
    }

    // The AMT's own Schedule D where its gains or carries differ (a higher
    // AMT basis): the adjustment is the difference of the two netted gains,
    // each after its own $3,000 limit (Form 6251 line 2k).
    let amt_net = if tot.amt_short_gain == 0.0
        && tot.amt_long_gain == 0.0
        && carry.amt_short_loss == carry.short_loss
        && carry.amt_long_loss == carry.long_loss
    {
        net
    } else {
        net_gains(
            tot.short_gain + tot.amt_short_gain,
            tot.long_gain + tot.amt_long_gain,
            carry.amt_short_loss,
            carry.amt_long_loss,
            fed.loss_limit,
        )
    };

    // Federal.
    let ordinary = tot.wages + tot.ordinary + other + (net.in_agi - net.preferential);
    let inputs = FederalInputs {
        ordinary,
        preferential: net.preferential,
        investment: net.in_agi.max(0.0),
        salt,
        itemized: h.itemized_deductions.max(0.0),
        iso: tot.iso_preference + (amt_net.in_agi - net.in_agi),
        amt_preferential: amt_net.preferential,
        credit: carry.min_tax_credit.max(0.0),
    };
    let (mut federal, generated) = federal_tax(fed, fi, &inputs);
    if marginal {
        let (up, _) = federal_tax(
            fed,
            fi,
            &FederalInputs {
                ordinary: ordinary + 1.0,
                ..inputs
            },
        );
        federal.marginal_rate = up.total - federal.total;
    }

    carry.min_tax_credit = (inputs.credit - federal.credit_used + generated).max(0.0);
    carry.short_loss = net.short_carry;
    carry.long_loss = net.long_carry;
    carry.amt_short_loss = amt_net.short_carry;
    carry.amt_long_loss = amt_net.long_carry;

    Liability {
        federal,
        fica: fica(fed, fi, tot.wages, other),
        state: salt,
        state_payroll,
    }
}

/// A year's capital gains after netting (Schedule D).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NetGains {
    /// The net gain in AGI: positive, or a loss of at most the limit.
    pub in_agi: f64,
    /// The part taxed at the long-term rates (net capital gain): >= 0.
    pub preferential: f64,
    /// Short-term loss carried to next year.
    pub short_carry: f64,
    /// Long-term loss carried to next year.
    pub long_carry: f64,
}

/// Nets the year's short and long gains with the carried losses; a net loss
/// deducts at most `limit` and the rest carries, the deduction taken from the
/// short-term loss first (Capital Loss Carryover Worksheet).
pub(crate) fn net_gains(short: f64, long: f64, cs: f64, cl: f64, limit: f64) -> NetGains {
    let s = short - cs.max(0.0);
    let l = long - cl.max(0.0);
    let total = s + l;
    if total >= 0.0 {
        return NetGains {
            in_agi: total,
            preferential: l.min(total).max(0.0),
            short_carry: 0.0,
            long_carry: 0.0,
        };
    }
    let allowed = limit.min(-total);
    let (short_carry, long_carry) = if s < 0.0 && l < 0.0 {
        let from_short = allowed.min(-s);
        (-s - from_short, -l - (allowed - from_short))
    } else if s < 0.0 {
        (-total - allowed, 0.0)
    } else {
        (0.0, -total - allowed)
    };
    NetGains {
        in_agi: -allowed,
        preferential: 0.0,
        short_carry: short_carry.max(0.0),
        long_carry: long_carry.max(0.0),
    }
}

#[derive(Debug, Clone, Copy)]
struct FederalInputs {
    /// AGI less the preferential gain.
    ordinary: f64,
    /// Net long-term gain taxed at the capital-gains rates.
    preferential: f64,
    /// Net investment income (the net gains in AGI, not below 0).
    investment: f64,
    /// State and local income taxes of the year.
    salt: f64,
    /// Other itemized deductions.
    itemized: f64,
    /// The ISO adjustments (the spread at exercise, and what a later sale
    /// of those shares reverses).
    iso: f64,
    /// The net capital gain the AMT taxes at the capital-gains rates.
    amt_preferential: f64,
    /// Minimum tax credit available.
    credit: f64,
}

/// The regular tax on `taxable` of which `pref` is net capital gain
/// (Qualified Dividends and Capital Gain Tax Worksheet).
fn regular_tax(f: &FederalYear, fi: usize, taxable: f64, pref: f64) -> f64 {
    let sched = &f.ordinary[fi];
    if taxable <= 0.0 {
        return 0.0;
    }
    let pref = pref.clamp(0.0, taxable);
    if pref <= 0.0 {
        return sched.tax(taxable);
    }
    let ord = taxable - pref; // line 5
    let at0 = pref.min((f.cg_zero_top[fi].min(taxable) - ord).max(0.0)); // line 9
    let at15 = (pref - at0).min((f.cg_fifteen_top[fi].min(taxable) - (ord + at0)).max(0.0)); // line 17
    let at20 = (pref - at0 - at15).max(0.0); // line 20
    let with_rates =
        sched.tax(ord) + f.cg_rates[0] * at0 + f.cg_rates[1] * at15 + f.cg_rates[2] * at20;
    with_rates.min(sched.tax(taxable)) // line 25
}

/// The AMT rates on an AMT base.
fn amt_rate(f: &FederalYear, fi: usize, base: f64) -> f64 {
    let b = f.amt_breakpoint[fi];
    if base <= 0.0 {
        0.0
    } else if base <= b {
        f.amt_rates[0] * base
    } else {
        f.amt_rates[0] * b + f.amt_rates[1] * (base - b)
    }
}

/// The tentative minimum tax (Form 6251 lines 4-9 and Part III): `reg_ord`
/// is the ordinary part of the regular taxable income (worksheet line 5),
/// `pref` the net capital gain taxed at the preferential rates.
fn tentative_minimum(f: &FederalYear, fi: usize, amti: f64, reg_ord: f64, pref: f64) -> f64 {
    let exemption =
        (f.amt_exemption[fi] - f.amt_phase_rate * (amti - f.amt_phase_start[fi]).max(0.0)).max(0.0);
    let base = (amti - exemption).max(0.0); // line 6
    let full = amt_rate(f, fi, base); // line 40
    if pref <= 0.0 || base <= 0.0 {
        return full;
    }
    let p = pref.min(base); // line 22
    let line18 = amt_rate(f, fi, base - p);
    // Lines 19-38: the 0 % and 15 % room measured against the regular
    // return's ordinary taxable income (line 20 = worksheet line 5).
    let zero_room = (f.cg_zero_top[fi] - reg_ord).max(0.0); // line 21
    let at0 = zero_room.min(p); // line 23
    let fifteen_room = (f.cg_fifteen_top[fi] - (zero_room + reg_ord)).max(0.0); // line 29
    let at15 = fifteen_room.min(p - at0); // line 30
    let at20 = (p - at0 - at15).max(0.0); // line 38
    let with_rates = line18 + f.cg_rates[0] * at0 + f.cg_rates[1] * at15 + f.cg_rates[2] * at20;
    with_rates.min(full) // line 41
}

/// The federal income tax lines, and the minimum tax credit this year's AMT
/// generates (the AMT less what it would be on the exclusion items alone:
/// Form 8801 Part I).
#[inline]
fn federal_tax(f: &FederalYear, fi: usize, x: &FederalInputs) -> (Federal, f64) {
    let agi = x.ordinary + x.preferential;
    // SALT: capped, the cap phased down by MAGI (= AGI here) never below
    // the floor.
    let cap = (f.salt_cap - f.salt_phase_rate * (agi - f.salt_phase_start).max(0.0))
        .max(f.salt_floor.min(f.salt_cap));
    let salt_ded = x.salt.max(0.0).min(cap);
    let itemized_raw = salt_ded + x.itemized;
    // IRC 68 (2026): 2/37 of the lesser of the itemized deductions and the
    // taxable income before them above the 37 % bracket.
    let top = f.ordinary[fi].start[f.ordinary[fi].n.saturating_sub(1)];
    let itemized = itemized_raw - f.itemized_limit_rate * itemized_raw.min((agi - top).max(0.0));
    let standard = f.standard[fi];
    let itemizes = itemized > standard;
    let deduction = if itemizes { itemized } else { standard };
    let taxable = (agi - deduction).max(0.0);
    let pref = x.preferential.min(taxable).max(0.0);
    let regular = regular_tax(f, fi, taxable, pref);

    // AMT (Form 6251): the standard deduction, or the taxes deducted, added
    // back (line 2a); the ISO spread (line 2i). The other itemized
    // deductions stay (after the IRC 68 reduction, taken from them first).
    let addback = if itemizes {
        salt_ded.min(itemized)
    } else {
        standard
    };
    let amti_excl = agi - deduction + addback;
    let reg_ord = taxable - pref;
    let tmt = tentative_minimum(f, fi, amti_excl + x.iso, reg_ord, x.amt_preferential);
    let amt = (tmt - regular).max(0.0);
    let generated = if amt > 0.0 {
        let tmt_excl = tentative_minimum(f, fi, amti_excl, reg_ord, pref);
        (amt - (tmt_excl - regular).max(0.0)).clamp(0.0, amt)
    } else {
        0.0
    };
    let credit_used = x.credit.min((regular - tmt).max(0.0));

    let niit = f.niit_rate
        * x.investment
            .min((agi - f.niit_threshold[fi]).max(0.0))
            .max(0.0);
    let total = (regular + amt - credit_used + niit).max(0.0);
    (
        Federal {
            agi,
            deduction,
            itemized: itemizes,
            taxable,
            regular,
            tentative_minimum: tmt,
            amt,
            credit_used,
            niit,
            total,
            marginal_rate: 0.0,
        },
        generated,
    )
}

/// Social Security to the wage base, Medicare, and the additional 0.9 %:
/// single on wages above the threshold; joint on the couple's wages
/// (`wages + other_income`) above it, at most 0.9 % of this person's wages
/// (the excess attributed to this earner first: a simplification; the
/// liability is the couple's, Form 8959).
fn fica(f: &FederalYear, fi: usize, wages: f64, other: f64) -> f64 {
    let w = wages.max(0.0);
    let ss = f.ss_rate * w.min(f.ss_base);
    let medicare = f.medicare_rate * w;
    let excess = if fi == Filing::Joint as usize {
        (w + other.max(0.0) - f.addl_threshold[fi]).max(0.0).min(w)
    } else {
        (w - f.addl_threshold[fi]).max(0.0)
    };
    ss + medicare + f.addl_rate * excess
}

/// `x.ceil()` for `0 <= x < 2^52` without a call into libm (the baseline
/// x86-64 target has no rounding instruction); other values go to libm.
#[inline]
fn ceil(x: f64) -> f64 {
    if (0.0..4_503_599_627_370_496.0).contains(&x) {
        let t = x as u64 as f64;
        if t < x { t + 1.0 } else { t }
    } else {
        x.ceil()
    }
}

/// One residence's state and local lines on that part's items.
fn state(
    t: &YearTables,
    fi: usize,
    r: &Residence,
    inc: &Income,
    gains: &NetGains,
    other: f64,
) -> State {
    let Some(s) = t.states.get(r.state) else {
        return State::default();
    };
    let mut out = State::default();
    let wages = inc.wages.max(0.0);
    // The part's AGI (as the federal one, on this part's items).
    let agi = inc.wages + inc.ordinary + other + gains.in_agi;
    let mut taxable = 0.0;

    if let Some(b) = &s.brackets {
        taxable = (agi - s.standard[fi]).max(0.0);
        let mut tax = b[fi].tax(taxable);
        if let Some(sup) = &s.supplemental {
            tax += supplemental(sup, &b[fi], fi, agi, taxable, tax);
        }
        if let Some(e) = &s.exemption_credit {
            let over = (agi - e.start[fi]).max(0.0);
            let steps = ceil(over / e.step[fi]);
            let each = (e.amount - steps * e.per_step).max(0.0);
            tax = (tax - e.persons[fi] * each).max(0.0);
        }
        out.income_tax = tax;
    }
    if let Some(m) = &s.flat {
        // Part B: wages and ordinary income less FICA (at most fica_max per
        // earner) and the exemption; any excess exemption against Part A,
        // then Part C.
        let base = inc.wages + inc.ordinary + other;
        let own_fica = (t.federal.ss_rate * wages.min(t.federal.ss_base)
            + t.federal.medicare_rate * wages)
            .min(m.fica_max);
        let other_fica = if fi == Filing::Joint as usize {
            ((t.federal.ss_rate + t.federal.medicare_rate) * other.max(0.0)).min(m.fica_max)
        } else {
            0.0
        };
        let before_exemption = (base - own_fica - other_fica).max(0.0);
        let b_taxable = (before_exemption - m.exemption[fi]).max(0.0);
        let mut excess = (m.exemption[fi] - before_exemption).max(0.0);
        let short = (gains.in_agi - gains.preferential).max(0.0);
        let a_taxable = (short - excess).max(0.0);
        excess = (excess - short).max(0.0);
        let c_taxable = (gains.preferential - excess).max(0.0);
        taxable = b_taxable + a_taxable + c_taxable;
        out.income_tax =
            m.ordinary_rate * b_taxable + m.short_rate * a_taxable + m.long_rate * c_taxable;
    }
    if let Some(sur) = &s.surtax {
        out.income_tax += sur.rate * (taxable - sur.threshold[fi]).max(0.0);
    }
    if let Some(g) = &s.gains_tax {
        out.income_tax += g.schedule.tax((inc.long_gain - g.deduction).max(0.0));
    }
    if let Some(c) = r.city.and_then(|c| t.cities.get(c)) {
        let mut local = c.brackets[fi].tax(taxable);
        if let Some(sc) = &c.school {
            let mut credit = 0.0;
            if agi <= sc.fixed_limit {
                credit += sc.fixed[fi];
            }
            if agi <= sc.reduction_income_limit && taxable <= sc.reduction_taxable_limit {
                credit += sc.reduction[fi].tax(taxable);
            }
            local = (local - credit).max(0.0);
        }
        out.local_tax = local;
    }
    for p in &s.payroll[..s.n_payroll] {
        out.payroll += (p.rate * wages.min(p.wage_cap)).min(p.max);
    }
    out
}

/// New York's supplemental tax on `taxable` with NY AGI `agi` and the tax
/// of the brackets `main` (Tax Law 601(d-1), as PolicyEngine computes it).
fn supplemental(
    sup: &tables::Supplemental,
    brackets: &tables::Schedule,
    fi: usize,
    agi: f64,
    taxable: f64,
    main: f64,
) -> f64 {
    if agi <= sup.min_agi || taxable <= 0.0 {
        return 0.0;
    }
    if agi > sup.flat_above[fi] {
        let top = brackets.rate[brackets.n.saturating_sub(1)];
        return (top * taxable - main).max(0.0);
    }
    let prev = brackets.start[brackets.bracket(taxable)];
    let phase = ((agi - prev.max(sup.min_agi)).max(0.0) / sup.phase_in).min(1.0);
    let n = sup.n[fi];
    let mut i = n.saturating_sub(1);
    while i > 0 && taxable < sup.start[fi][i] {
        i -= 1;
    }
    if n == 0 {
        return 0.0;
    }
    sup.recapture[fi][i] + phase * sup.increment[fi][i]
}
