//! `tcsim trace` as text or CSV: the ledger of one world
//! ([`crate::engine::trace`]) written for a person or a spreadsheet.

use std::fmt::Write;

use crate::engine::compile::GrantSource;
use crate::engine::ledger::{Basis, Cause, Entry, Flow, TaxYear};
use crate::engine::trace::StrategyTrace;
use crate::engine::world::{Fate, World};
use crate::model::{CompanyKind, GrantKind, Scenario, TaxSettings};
use crate::report::money;
use crate::report::summary::dollars;
use crate::report::table::{Cell, Table};
use crate::schema::Measure;
use crate::tax::{Residence, Tables};

fn grant_label(s: &Scenario, g: &GrantSource) -> String {
    let job = &s.jobs[g.job].name;
    let kind = match g.kind {
        GrantKind::Rsu => "RSU",
        GrantKind::Option { .. } => "option",
    };
    match g.grant {
        Some(i) => format!("{job} {kind} grant {} (month {})", i + 1, g.granted),
        None if g.promotion => format!("{job} promotion grant (month {})", g.granted),
        None => format!("{job} refresher (month {})", g.granted),
    }
}

/// The stint of strategy `t` that month `month` (`1 ..= horizon`) is part of.
fn stint_at(s: &Scenario, strategy: usize, month: u32) -> Option<&crate::model::Stint> {
    s.strategies[strategy]
        .stints
        .iter()
        .find(|st| st.start < month && month <= st.end)
}

/// The name of the 1-based `level` held in year `y`'s last month by
/// strategy `strategy` (its job's ladder's name for it), or `None` when the
/// job then has no ladder (`level` 0).
fn level_name(s: &Scenario, strategy: usize, y: u32, level: f64) -> Option<String> {
    let k = level as usize;
    if k == 0 {
        return None;
    }
    let ladder = stint_at(s, strategy, 12 * y)
        .and_then(|st| s.jobs[st.job].ladder)
        .map(|o| &s.ladders[o.ladder]);
    Some(match ladder.and_then(|l| l.levels.get(k - 1)) {
        Some(name) => name.clone(),
        None => format!("level {k}"),
    })
}

/// A promotion, for the text ledger: the levels left and reached, the new
/// base and the promotion grant (none at a job without stock, or when the
/// ladder gives the level none).
fn promotion_text(s: &Scenario, t: &StrategyTrace, e: &Entry) -> String {
    let Flow::Promotion {
        ladder,
        from,
        to,
        base,
        grant,
    } = e.flow
    else {
        return String::new();
    };
    let l = &s.ladders[ladder];
    let stock = stint_at(s, t.strategy, e.month).is_some_and(|st| s.jobs[st.job].company.is_some());
    let grant = if stock && grant > 0.0 {
        format!(
            "promotion grant of ${} in RSUs (month {})",
            dollars_cents(grant),
            e.month
        )
    } else {
        "no promotion grant".to_string()
    };
    format!(
        "promoted on the {} ladder from {} to {} (level {} to {}): base ${} a year from this anniversary, {grant}",
        l.name,
        l.levels[from],
        l.levels[to],
        from + 1,
        to + 1,
        dollars_cents(base),
    )
}

fn describe(s: &Scenario, t: &StrategyTrace, e: &Entry) -> String {
    match e.flow {
        Flow::Base => "base".into(),
        Flow::Bonus { multiplier } => format!("bonus (multiplier {multiplier:.3})"),
        Flow::SignOn => "sign-on".into(),
        Flow::Clawback { months } => {
            format!("sign-on repaid on leaving after {months} months")
        }
        Flow::Layoff {
            cause,
            severance,
            gap,
            rehire_base,
        } => format!(
            "{}: severance ${}, {gap} months without pay, then rehired at ${} a year until the stint's planned end",
            match cause {
                Cause::Layoff => "laid off",
                Cause::Failure => "the company failed, ending the stint",
                Cause::AlreadyFailed => "the company had failed before the stint began",
            },
            dollars_cents(severance),
            dollars_cents(rehire_base)
        ),
        Flow::Severance => "severance".into(),
        Flow::Rehired => "base after the rehire".into(),
        Flow::Promotion { .. } => promotion_text(s, t, e),
        Flow::Vest {
            grant,
            units,
            price,
        } => {
            format!(
                "vest {units:.2} units x ${price:.2}, {}",
                grant_label(s, &t.grants[grant])
            )
        }
        Flow::OptionSale {
            grant,
            units,
            price,
            strike,
        } => format!(
            "exercise and sell {units:.2} options at ${price:.2} - strike ${strike:.2}, {}",
            grant_label(s, &t.grants[grant])
        ),
        Flow::Exercise {
            grant,
            units,
            strike,
            mark,
        } => format!(
            "exercise window ends: the mark ${mark:.4} is above the strike, so exercise {units:.2} options paying ${strike:.2} each, {}",
            grant_label(s, &t.grants[grant])
        ),
        Flow::Lapse {
            grant,
            units,
            mark,
            strike,
        } => {
            if mark > 0.0 {
                format!(
                    "exercise window ends: the mark ${mark:.4} is at or below the strike ${strike:.2}, so {units:.2} vested options lapse, {}",
                    grant_label(s, &t.grants[grant])
                )
            } else {
                format!(
                    "the company failed inside the exercise window: {units:.2} vested options lapse, {}",
                    grant_label(s, &t.grants[grant])
                )
            }
        }
        Flow::LockupSale {
            grant,
            units,
            price,
            strike,
        } => {
            if strike > 0.0 {
                format!(
                    "lockup ends: exercise and sell {units:.2} options at ${price:.2} - strike ${strike:.2}, {}",
                    grant_label(s, &t.grants[grant])
                )
            } else {
                format!(
                    "lockup ends: sell {units:.2} shares at ${price:.2}, {}",
                    grant_label(s, &t.grants[grant])
                )
            }
        }
        Flow::Accelerated {
            grant,
            units,
            per_unit,
        } => format!(
            "acquisition accelerates vesting: {units:.2} unvested units x ${per_unit:.4}, {}",
            grant_label(s, &t.grants[grant])
        ),
        Flow::Cancelled { grant, units } => format!(
            "acquisition cancels {units:.2} unvested units, {}",
            grant_label(s, &t.grants[grant])
        ),
        Flow::Settle {
            grant,
            units,
            per_unit,
        } => {
            format!(
                "exit payout {units:.2} units x ${per_unit:.4}, {}",
                grant_label(s, &t.grants[grant])
            )
        }
        Flow::Forfeit { grant, units } => {
            format!(
                "forfeit {units:.2} unvested units on leaving, {}",
                grant_label(s, &t.grants[grant])
            )
        }
        Flow::Unrealized {
            grant,
            units,
            per_unit,
            basis,
        } => format!(
            "unrealized: {units:.2} vested units held x ${per_unit:.4} ({}), {}",
            match basis {
                Basis::Mark => "the mark, the latest round price a share",
                Basis::MarkLessStrike => "the mark less the strike",
                Basis::Price => "the share price, in the lockup",
                Basis::PriceLessStrike => "the share price less the strike, in the lockup",
            },
            grant_label(s, &t.grants[grant])
        ),
    }
}

/// The market and the company events of the world, one line each.
pub fn company_lines(s: &Scenario, world: &World) -> Vec<String> {
    let years = s.sim.years;
    let market = world.market(0).map(|_| {
        let levels: Vec<String> = (0..=years)
            .map(|y| format!("{:.4}", world.market(12 * y).unwrap_or(1.0)))
            .collect();
        format!(
            "market: index level at month 0 and each year end: {}",
            levels.join(", ")
        )
    });
    market
        .into_iter()
        .chain(
            s.companies
                .iter()
                .enumerate()
                .flat_map(|(c, company)| match &company.kind {
                    CompanyKind::Public(_) => {
                        let prices: Vec<String> = (0..=years)
                            .map(|y| format!("{:.2}", world.price(c, 12 * y)))
                            .collect();
                        vec![format!(
                            "{}: public, share price at month 0 and each year end: {}",
                            company.name,
                            prices.join(", ")
                        )]
                    }
                    CompanyKind::Private(p) => private_lines(s, world, c, &company.name, p),
                }),
        )
        .collect()
}

/// A private company's story: each funding round, then its fate, and after
/// an IPO the lockup's end and the share price at each later year end.
fn private_lines(
    s: &Scenario,
    world: &World,
    c: usize,
    name: &str,
    p: &crate::model::PrivateCompany,
) -> Vec<String> {
    let mut lines: Vec<String> = world
        .rounds(c)
        .iter()
        .map(|r| {
            format!(
                "{name}: {} round in month {} (step-up x{:.3}): valuation ${}, mark ${:.4} a share, {} shares, preference stack ${}, preferred {:.1}%",
                if r.step_up < 1.0 { "down" } else { "priced" },
                r.month,
                r.step_up,
                dollars(r.valuation),
                r.mark(),
                dollars(r.shares),
                dollars(r.preference),
                100.0 * r.preferred_fraction
            )
        })
        .collect();
    let horizon = s.sim.months();
    lines.push(match world.fate(c) {
        Fate::Private => format!(
            "{name}: still private at the horizon (mark ${:.4} a share)",
            world.mark(c, horizon)
        ),
        Fate::Failure { month } => {
            format!("{name}: failed in month {month}; common is worth nothing")
        }
        Fate::Exit {
            month,
            ipo,
            value,
            common,
        } => format!(
            "{name}: {} in month {month} (year {}) at ${}; common ${common:.4} a share",
            if ipo { "IPO" } else { "acquired" },
            (month - 1) / 12 + 1,
            dollars(value)
        ),
    });
    if let Fate::Exit {
        month, ipo: true, ..
    } = world.fate(c)
    {
        let end = month.saturating_add(p.after_ipo.lockup_months);
        lines.push(if end <= horizon {
            format!(
                "{name}: lockup ends in month {end} (year {}): share price ${:.2}",
                (end - 1) / 12 + 1,
                world.price(c, end)
            )
        } else {
            format!("{name}: lockup ends in month {end}, after the horizon")
        });
        let prices: Vec<String> = (month.div_ceil(12)..=s.sim.years)
            .map(|y| 12 * y)
            .filter(|&t| t >= month)
            .map(|t| format!("month {t}: ${:.2}", world.price(c, t)))
            .collect();
        if !prices.is_empty() {
            lines.push(format!(
                "{name}: public from month {month}, share price at each year end: {}",
                prices.join(", ")
            ));
        }
    }
    lines
}

/// Year `y`'s entries in month order (evaluation order within a month).
fn year_entries(t: &StrategyTrace, y: u32) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = t.entries.iter().filter(|e| e.year == y).collect();
    v.sort_by_key(|e| e.month);
    v
}

/// The human-readable ledger.
pub fn render_text(
    s: &Scenario,
    label: &str,
    run: u64,
    world: &World,
    traces: &[StrategyTrace],
    measures: &[Measure],
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{label}: run {run} of seed {}", s.sim.seed);
    let _ = writeln!(o, "\ncompanies:");
    for line in company_lines(s, world) {
        let _ = writeln!(o, "  {line}");
    }
    let m = measures.len();
    let total = measures
        .iter()
        .position(|&x| x == Measure::Total)
        .expect("total is reported");
    let cumulative = measures
        .iter()
        .position(|&x| x == Measure::Cumulative)
        .expect("cumulative is reported");
    let slot = |x: Measure| measures.iter().position(|&k| k == x);
    let (level_slot, real_slot, real_cumulative_slot) = (
        slot(Measure::Level),
        slot(Measure::Real),
        slot(Measure::RealCumulative),
    );
    for t in traces {
        let _ = writeln!(o, "\nstrategy {}", s.strategies[t.strategy].name);
        for y in 1..=s.sim.years {
            let _ = writeln!(o, "  year {y}");
            for e in year_entries(t, y) {
                let note = note_label(&e.flow);
                let amount = if note.is_some() {
                    String::new()
                } else {
                    dollars_cents(e.amount)
                };
                let measure = note.unwrap_or(e.measure.name());
                let _ = writeln!(
                    o,
                    "    month {:>3}  {:<10} {:>16}  {}",
                    e.month,
                    measure,
                    amount,
                    describe(s, t, e)
                );
            }
            let yi = (y - 1) as usize;
            let level = level_slot
                .and_then(|k| level_name(s, t.strategy, y, t.row[yi * m + k]))
                .map(|name| format!("   level {name}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "    total {}   cumulative {}{level}",
                dollars_cents(t.row[yi * m + total]),
                dollars_cents(t.row[yi * m + cumulative])
            );
            if let (Some(tax), Some(ty)) = (&s.tax, t.taxes.iter().find(|x| x.year == y)) {
                let year_row = &t.row[yi * m..(yi + 1) * m];
                let at = |x: Measure| {
                    measures
                        .iter()
                        .position(|&k| k == x)
                        .map(|i| year_row[i])
                        .expect("the tax measures are reported with [tax]")
                };
                for line in tax_lines(tax, ty, at(Measure::Tax), at(Measure::Net), {
                    at(Measure::NetCumulative)
                }) {
                    let _ = writeln!(o, "    {line}");
                }
            }
            if let (Some(real), Some(real_sum)) = (real_slot, real_cumulative_slot) {
                let _ = writeln!(
                    o,
                    "    real {}   real cumulative {}   (each month's cash{} over its price parity)",
                    dollars_cents(t.row[yi * m + real]),
                    dollars_cents(t.row[yi * m + real_sum]),
                    if s.tax.is_some() { " after tax" } else { "" }
                );
            }
        }
    }
    o
}

/// Where a residence is: the state's code, and the city's after a comma
/// (`NY, NYC`).
fn residence_label(tables: &Tables, r: &Residence) -> String {
    let state = tables.states.get(r.state).map_or("?", String::as_str);
    match r.city.and_then(|c| tables.cities.get(c)) {
        Some((city, _)) => format!("{state}, {city}"),
        None => state.to_string(),
    }
}

/// One line of the tax block: a label, the amount in a column, and what it
/// is.
fn tax_line(label: &str, amount: f64, note: &str) -> String {
    let line = format!("  {label:<28} {:>16}", dollars_cents(amount));
    if note.is_empty() {
        line
    } else {
        format!("{line}  {note}")
    }
}

/// A list of amounts with their names, the zero ones left out: `short-term
/// 1,000.00, long-term 2,000.00`.
fn nonzero_items(items: &[(&str, f64)]) -> Vec<String> {
    items
        .iter()
        .filter(|(_, x)| *x != 0.0)
        .map(|(name, x)| format!("{name} {}", dollars_cents(*x)))
        .collect()
}

/// One year's tax computation (model.md section 10), for the text ledger:
/// the income items by residence (the non-zero ones), the federal lines
/// from AGI to the federal total (the AMT with why it is or is not owed;
/// the minimum tax credit, the capital losses carried and the NIIT only
/// when not zero), FICA, state and local, state payroll, the federal
/// marginal rate, then the year's `tax`, `net` and `net_cumulative` (the
/// engine's row for the year) on one line, as `total` and `cumulative` are.
fn tax_lines(tax: &TaxSettings, ty: &TaxYear, total: f64, net: f64, net_sum: f64) -> Vec<String> {
    let f = &ty.liability.federal;
    let mut v = vec!["tax, the year's liability (not withholding):".to_string()];
    for (r, inc) in &ty.parts {
        let items = nonzero_items(&[
            ("wages", inc.wages),
            ("other ordinary income", inc.ordinary),
            ("short-term gain", inc.short_gain),
            ("long-term gain", inc.long_gain),
            ("ISO AMT preference", inc.iso_preference),
            ("AMT adjustment to short-term gains", inc.amt_short_gain),
            ("AMT adjustment to long-term gains", inc.amt_long_gain),
        ]);
        let items = if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        };
        v.push(format!(
            "  income in {}: {items}",
            residence_label(&tax.tables, r)
        ));
    }
    if tax.household.other_income != 0.0 {
        v.push(tax_line(
            "other household income",
            tax.household.other_income,
            "[tax] other_income: in the income taxes, not in FICA",
        ));
    }
    let c_in = &ty.carry_in;
    let carried_in = nonzero_items(&[
        ("short-term", c_in.short_loss),
        ("long-term", c_in.long_loss),
    ]);
    if !carried_in.is_empty() {
        v.push(format!(
            "  capital loss carried in: {}",
            carried_in.join(", ")
        ));
    }
    v.push(tax_line("AGI", f.agi, ""));
    v.push(tax_line(
        if f.itemized {
            "itemized deduction"
        } else {
            "standard deduction"
        },
        f.deduction,
        if f.itemized {
            "state and local taxes (capped) and [tax] itemized_deductions, above the standard deduction"
        } else {
            "at or above the itemized one"
        },
    ));
    v.push(tax_line("taxable income", f.taxable, ""));
    v.push(tax_line(
        "regular tax",
        f.regular,
        "ordinary brackets and the capital-gains rates",
    ));
    v.push(tax_line("tentative minimum tax", f.tentative_minimum, ""));
    v.push(tax_line(
        "AMT",
        f.amt,
        if f.amt > 0.0 {
            "the tentative minimum tax exceeds the regular tax"
        } else if f.regular > f.tentative_minimum {
            "regular tax exceeds the tentative minimum tax"
        } else {
            "regular tax equals the tentative minimum tax"
        },
    ));
    let c_out = &ty.carry_out;
    if f.credit_used != 0.0 || c_in.min_tax_credit != 0.0 || c_out.min_tax_credit != 0.0 {
        v.push(tax_line(
            "minimum tax credit used",
            f.credit_used,
            &format!(
                "carried in {}, carried to next year {}",
                dollars_cents(c_in.min_tax_credit),
                dollars_cents(c_out.min_tax_credit)
            ),
        ));
    }
    if f.niit != 0.0 {
        v.push(tax_line("NIIT", f.niit, "net investment income tax, 3.8%"));
    }
    v.push(tax_line(
        "federal income tax",
        f.total,
        "tax_federal: regular tax + AMT - credit used + NIIT",
    ));
    v.push(tax_line(
        "FICA",
        ty.liability.fica,
        "tax_fica: Social Security, Medicare, additional Medicare",
    ));
    v.push(tax_line(
        "state and local income tax",
        ty.liability.state,
        "tax_state",
    ));
    v.push(tax_line(
        "state payroll tax",
        ty.liability.state_payroll,
        "tax_state_payroll: SDI, PFL, WA Cares...",
    ));
    let carried_out = nonzero_items(&[
        ("short-term", c_out.short_loss),
        ("long-term", c_out.long_loss),
    ]);
    if !carried_out.is_empty() {
        v.push(format!(
            "  capital loss carried to next year: {}",
            carried_out.join(", ")
        ));
    }
    v.push(format!(
        "  federal marginal rate {:.1}% (on one more dollar of wages)",
        100.0 * f.marginal_rate
    ));
    v.push(format!(
        "tax {}   net {}   net cumulative {}",
        dollars_cents(total),
        dollars_cents(net),
        dollars_cents(net_sum)
    ));
    v
}

/// The label of an entry that moves no money (a forfeiture, a layoff).
fn note_label(flow: &Flow) -> Option<&'static str> {
    match flow {
        Flow::Forfeit { .. } => Some("forfeit"),
        Flow::Lapse { .. } => Some("lapse"),
        Flow::Cancelled { .. } => Some("cancelled"),
        Flow::Layoff {
            cause: Cause::Layoff,
            ..
        } => Some("layoff"),
        Flow::Layoff { .. } => Some("failure"),
        Flow::Promotion { .. } => Some("promotion"),
        _ => None,
    }
}

/// Dollars with separators and cents, for the text ledger.
fn dollars_cents(x: f64) -> String {
    let cents = money(x);
    let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
    let negative = whole.starts_with('-');
    let digits = whole.trim_start_matches('-');
    let grouped = dollars(digits.parse::<f64>().unwrap_or(0.0));
    format!("{}{grouped}.{frac}", if negative { "-" } else { "" })
}

/// The same ledger as CSV: one row per entry, then one `total` and one
/// `cumulative` row per strategy and year.
pub fn render_csv(
    s: &Scenario,
    traces: &[StrategyTrace],
    measures: &[Measure],
) -> Result<Vec<u8>, crate::error::AppError> {
    let columns = [
        "strategy", "year", "month", "measure", "item", "units", "price", "amount",
    ];
    let mut rows = Vec::new();
    let m = measures.len();
    for t in traces {
        let name = &s.strategies[t.strategy].name;
        for y in 1..=s.sim.years {
            for e in year_entries(t, y) {
                let (item, units, price) = match e.flow {
                    Flow::Base => ("base".to_string(), String::new(), String::new()),
                    Flow::Bonus { multiplier } => (
                        format!("bonus x{multiplier:.4}"),
                        String::new(),
                        String::new(),
                    ),
                    Flow::SignOn => ("sign-on".to_string(), String::new(), String::new()),
                    Flow::Clawback { months } => (
                        format!("sign-on repaid after {months} months"),
                        String::new(),
                        String::new(),
                    ),
                    Flow::Layoff {
                        cause,
                        severance,
                        gap,
                        rehire_base,
                    } => (
                        format!(
                            "{}: severance {}, {gap} months without pay, rehire base {}",
                            match cause {
                                Cause::Layoff => "laid off",
                                Cause::Failure => "company failed",
                                Cause::AlreadyFailed => "company failed before the stint",
                            },
                            crate::report::money(severance),
                            crate::report::money(rehire_base)
                        ),
                        String::new(),
                        String::new(),
                    ),
                    Flow::Severance => ("severance".to_string(), String::new(), String::new()),
                    Flow::Promotion {
                        ladder,
                        from,
                        to,
                        base,
                        grant,
                    } => {
                        let stock = stint_at(s, t.strategy, e.month)
                            .is_some_and(|st| s.jobs[st.job].company.is_some());
                        let l = &s.ladders[ladder];
                        (
                            format!(
                                "promoted from {} to {}: base {}, promotion grant {}",
                                l.levels[from],
                                l.levels[to],
                                crate::report::money(base),
                                crate::report::money(if stock { grant } else { 0.0 })
                            ),
                            String::new(),
                            String::new(),
                        )
                    }
                    Flow::Rehired => (
                        "base after the rehire".to_string(),
                        String::new(),
                        String::new(),
                    ),
                    Flow::Vest {
                        grant,
                        units,
                        price,
                    }
                    | Flow::OptionSale {
                        grant,
                        units,
                        price,
                        ..
                    } => (
                        grant_label(s, &t.grants[grant]),
                        format!("{units:.4}"),
                        format!("{price:.4}"),
                    ),
                    Flow::Exercise {
                        grant,
                        units,
                        strike,
                        mark,
                    } => (
                        format!(
                            "exercise at the window's end (mark {mark:.4}), {}",
                            grant_label(s, &t.grants[grant])
                        ),
                        format!("{units:.4}"),
                        format!("{strike:.4}"),
                    ),
                    Flow::Lapse {
                        grant,
                        units,
                        mark,
                        strike,
                    } => (
                        format!(
                            "options lapse at the window's end (mark {mark:.4}, strike {strike:.4}), {}",
                            grant_label(s, &t.grants[grant])
                        ),
                        format!("{units:.4}"),
                        String::new(),
                    ),
                    Flow::LockupSale {
                        grant,
                        units,
                        price,
                        strike,
                    } => (
                        format!(
                            "sold at the lockup's end (strike {strike:.4}), {}",
                            grant_label(s, &t.grants[grant])
                        ),
                        format!("{units:.4}"),
                        format!("{price:.4}"),
                    ),
                    Flow::Accelerated {
                        grant,
                        units,
                        per_unit,
                    } => (
                        format!(
                            "accelerated at the acquisition, {}",
                            grant_label(s, &t.grants[grant])
                        ),
                        format!("{units:.4}"),
                        format!("{per_unit:.4}"),
                    ),
                    Flow::Cancelled { grant, units } => (
                        format!(
                            "cancelled at the acquisition, {}",
                            grant_label(s, &t.grants[grant])
                        ),
                        format!("{units:.4}"),
                        String::new(),
                    ),
                    Flow::Settle {
                        grant,
                        units,
                        per_unit,
                    } => (
                        format!("exit payout, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        format!("{per_unit:.4}"),
                    ),
                    Flow::Forfeit { grant, units } => (
                        format!("forfeit, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        String::new(),
                    ),
                    Flow::Unrealized {
                        grant,
                        units,
                        per_unit,
                        ..
                    } => (
                        format!("unrealized, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        format!("{per_unit:.4}"),
                    ),
                };
                let measure = note_label(&e.flow).unwrap_or(e.measure.name());
                rows.push(vec![
                    Cell::Text(name.clone()),
                    Cell::Count(y.into()),
                    Cell::Count(e.month.into()),
                    Cell::Text(measure.to_string()),
                    Cell::Text(item),
                    Cell::Text(units),
                    Cell::Text(price),
                    Cell::Money(e.amount),
                ]);
            }
            let yi = (y - 1) as usize;
            for (k, label) in measures.iter().enumerate() {
                // The year's rows: total and cumulative, with a ladder the
                // level (its name as the item, the whole number as the
                // amount), with [tax] the tax measures, net and
                // net_cumulative, and with a price parity real and
                // real_cumulative.
                let x = t.row[yi * m + k];
                if *label == Measure::Level {
                    rows.push(vec![
                        Cell::Text(name.clone()),
                        Cell::Count(y.into()),
                        Cell::Empty,
                        Cell::Text(label.name().to_string()),
                        Cell::Text(level_name(s, t.strategy, y, x).unwrap_or_default()),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Count(x as u64),
                    ]);
                } else if matches!(label, Measure::Total | Measure::Cumulative)
                    || Measure::TAXES.contains(label)
                    || matches!(
                        label,
                        Measure::Tax
                            | Measure::Net
                            | Measure::NetCumulative
                            | Measure::Real
                            | Measure::RealCumulative
                    )
                {
                    rows.push(vec![
                        Cell::Text(name.clone()),
                        Cell::Count(y.into()),
                        Cell::Empty,
                        Cell::Text(label.name().to_string()),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Money(x),
                    ]);
                }
            }
        }
    }
    crate::report::csv::write(&Table {
        columns: columns.map(String::from).to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::{Carry, Federal, Filing, Household, Income, Liability};

    fn settings(other_income: f64) -> TaxSettings {
        let tables = Tables::load(2026).unwrap();
        let ny = tables.state("NY").unwrap();
        let residence = Residence {
            state: ny,
            city: tables.city(ny, "NYC"),
        };
        TaxSettings {
            tables,
            household: Household {
                filing: Filing::Joint,
                other_income,
                itemized_deductions: 0.0,
            },
            residence,
            inflation: 0.025,
        }
    }

    #[test]
    fn the_tax_block_shows_amt_credit_niit_and_losses_only_when_not_zero() {
        let t = settings(50_000.0);
        let ty = TaxYear {
            year: 2,
            parts: vec![(
                t.residence,
                Income {
                    wages: 200_000.0,
                    short_gain: -1_500.0,
                    long_gain: 4_000.0,
                    iso_preference: 120_000.0,
                    ..Income::default()
                },
            )],
            carry_in: Carry {
                min_tax_credit: 3_000.0,
                short_loss: 0.0,
                long_loss: 9_000.0,
                ..Carry::default()
            },
            liability: Liability {
                federal: Federal {
                    agi: 250_000.0,
                    deduction: 40_000.0,
                    itemized: true,
                    taxable: 210_000.0,
                    regular: 40_000.0,
                    tentative_minimum: 52_000.0,
                    amt: 12_000.0,
                    credit_used: 0.0,
                    niit: 152.0,
                    total: 52_152.0,
                    marginal_rate: 0.28,
                },
                fica: 15_000.0,
                state: 20_000.0,
                state_payroll: 500.0,
            },
            carry_out: Carry {
                min_tax_credit: 15_000.0,
                short_loss: 0.0,
                long_loss: 6_500.0,
                ..Carry::default()
            },
        };
        let lines = tax_lines(&t, &ty, 87_652.0, 112_348.0, 200_000.0);
        let text = lines.join("\n");
        let has = |s: &str| lines.iter().any(|l| l.trim_start().starts_with(s));
        assert!(
            has(
                "income in NY, NYC: wages 200,000.00, short-term gain -1,500.00, long-term gain 4,000.00, ISO AMT preference 120,000.00"
            ),
            "{text}"
        );
        assert!(!text.contains("other ordinary income"), "a zero item");
        assert!(has("other household income"), "{text}");
        assert!(has("capital loss carried in: long-term 9,000.00"), "{text}");
        assert!(
            has("capital loss carried to next year: long-term 6,500.00"),
            "{text}"
        );
        assert!(has("itemized deduction"), "{text}");
        assert!(
            text.contains("12,000.00  the tentative minimum tax exceeds the regular tax"),
            "{text}"
        );
        assert!(
            text.contains("carried in 3,000.00, carried to next year 15,000.00"),
            "{text}"
        );
        assert!(has("NIIT"), "{text}");
        assert!(has("federal marginal rate 28.0%"), "{text}");
        assert_eq!(
            lines.last().unwrap(),
            "tax 87,652.00   net 112,348.00   net cumulative 200,000.00"
        );

        // The same year with nothing to carry and no investment income.
        let quiet = TaxYear {
            parts: vec![(
                t.residence,
                Income {
                    wages: 200_000.0,
                    ..Income::default()
                },
            )],
            carry_in: Carry::default(),
            carry_out: Carry::default(),
            liability: Liability {
                federal: Federal {
                    amt: 0.0,
                    tentative_minimum: 30_000.0,
                    niit: 0.0,
                    itemized: false,
                    ..ty.liability.federal
                },
                ..ty.liability
            },
            ..ty
        };
        let lines = tax_lines(&settings(0.0), &quiet, 1.0, 2.0, 3.0);
        let text = lines.join("\n");
        for absent in [
            "NIIT",
            "minimum tax credit",
            "capital loss",
            "other household",
            "itemized deduction",
        ] {
            assert!(
                !lines.iter().any(|l| l.trim_start().starts_with(absent)),
                "{absent} in\n{text}"
            );
        }
        assert!(
            text.contains("0.00  regular tax exceeds the tentative minimum tax"),
            "{text}"
        );
        // The totals are always there.
        for always in [
            "federal income tax",
            "FICA",
            "state and local income tax",
            "state payroll tax",
            "tax 1.00   net 2.00   net cumulative 3.00",
        ] {
            assert!(
                lines.iter().any(|l| l.trim_start().starts_with(always)),
                "{always}"
            );
        }
    }
}
