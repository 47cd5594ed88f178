//! `tcsim trace` as text or CSV: the ledger of one world
//! ([`crate::engine::trace`]) written for a person or a spreadsheet.

use std::fmt::Write;

use crate::engine::compile::GrantSource;
use crate::engine::ledger::{Basis, Cause, Entry, Flow, LapseAt, TaxYear};
use crate::engine::trace::{Priced, StrategyTrace, Worth};
use crate::engine::world::{Fate, World};
use crate::model::{CompanyKind, GrantKind, Scenario, TaxSettings};
use crate::report::money;
use crate::report::summary::dollars;
use crate::report::table::{Cell, Table};
use crate::scenario::check::show;
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

/// What a forfeited, lapsed or cancelled unit was worth, in words:
/// `worth $62,500.00 at the share price $100.00`, `worth $140,000.00 at
/// the mark $10.0000 (the latest round price) less the strike $3.00`, or
/// why it was worth nothing.
fn worth_text(units: f64, w: &Worth) -> String {
    let share = match w.priced {
        Priced::SharePrice => format!("the share price ${:.2}", w.share),
        Priced::Mark => format!("the mark ${:.4} (the latest round price)", w.share),
        Priced::AfterIpo => format!("the share price ${:.2} (public since its IPO)", w.share),
        Priced::Acquisition => format!("the acquisition price ${:.4} a share", w.share),
        Priced::Failed => return "worth nothing: the company failed".to_string(),
    };
    let less = if w.strike > 0.0 {
        format!(" less the strike ${:.2}", w.strike)
    } else {
        String::new()
    };
    if w.per_unit > 0.0 {
        format!(
            "worth ${} at {share}{less}",
            dollars_cents(units * w.per_unit)
        )
    } else if w.strike > 0.0 {
        format!(
            "worth nothing: {share} is at or below the strike ${:.2}",
            w.strike
        )
    } else {
        format!("worth nothing at {share}")
    }
}

/// "units" or "options", as a grant holds them.
fn unit_word(g: &GrantSource) -> &'static str {
    match g.kind {
        GrantKind::Rsu => "units",
        GrantKind::Option { .. } => "options",
    }
}

/// The strike of a grant's options (0 for RSUs).
fn strike_of(g: &GrantSource) -> f64 {
    match g.kind {
        GrantKind::Rsu => 0.0,
        GrantKind::Option { strike, .. } => strike,
    }
}

/// What an exit payout's dollars a unit are: the acquisition's common
/// price a share, less the strike for options not exercised, or why they
/// are nothing.
fn payout_basis(world: &World, g: &GrantSource, per_unit: f64) -> String {
    let common = match world.fate(g.company) {
        Fate::Exit { common, .. } => common,
        _ => per_unit,
    };
    let strike = strike_of(g);
    // Shares bought by an exercise are paid the common price itself.
    let net = strike > 0.0 && per_unit != common;
    match (net, per_unit > 0.0) {
        (true, true) => format!("the acquisition price ${common:.4} less the strike ${strike:.2}"),
        (true, false) => format!(
            "nothing paid: the acquisition price ${common:.4} is at or below the strike ${strike:.2}"
        ),
        (false, true) => "the acquisition price a share".to_string(),
        (false, false) => "nothing paid: the acquisition left common nothing".to_string(),
    }
}

/// Whether an entry tells the reader anything: an amount of exactly 0 that
/// only restates the file (the bonus of a job without one, a base of 0) and
/// flows of 0 units (a payout before anything vested) are left out. A
/// bonus of 0 because the multiplier drew 0 stays, and so do units worth
/// nothing (options under water), which say so.
fn informs(e: &Entry) -> bool {
    match e.flow {
        Flow::Bonus { multiplier } => e.amount != 0.0 || multiplier == 0.0,
        Flow::Base | Flow::Rehired | Flow::SignOn | Flow::Clawback { .. } | Flow::Severance => {
            e.amount != 0.0
        }
        Flow::Vest { units, .. }
        | Flow::OptionSale { units, .. }
        | Flow::Exercise { units, .. }
        | Flow::Lapse { units, .. }
        | Flow::LockupSale { units, .. }
        | Flow::Accelerated { units, .. }
        | Flow::Cancelled { units, .. }
        | Flow::Settle { units, .. }
        | Flow::Forfeit { units, .. }
        | Flow::Unrealized { units, .. } => units != 0.0,
        Flow::Layoff { .. } | Flow::Promotion { .. } | Flow::Promoted { .. } => true,
    }
}

/// A promotion of a job on no ladder, for the text ledger: its bump, the
/// merit raise of the same anniversary when there is one, and the new base.
fn promoted_text(raise: f64, merit: f64, base: f64) -> String {
    let merit = if merit == 1.0 {
        String::new()
    } else {
        format!(
            " on top of the merit raise of {}%",
            signed(100.0 * (merit - 1.0))
        )
    };
    format!(
        "promoted: base +{}%{merit}, ${} a year from this anniversary",
        show(100.0 * raise),
        dollars_cents(base)
    )
}

/// A percent with its sign and two decimals: `+3.12`, `-0.50`.
fn signed(p: f64) -> String {
    if p < 0.0 {
        format!("{p:.2}")
    } else {
        format!("+{p:.2}")
    }
}

fn describe(
    s: &Scenario,
    world: &World,
    t: &StrategyTrace,
    e: &Entry,
    worth: Option<&Worth>,
) -> String {
    let label = |grant: usize| grant_label(s, &t.grants[grant]);
    let worth = |units: f64| match worth {
        Some(w) => format!("{}, ", worth_text(units, w)),
        None => String::new(),
    };
    match e.flow {
        Flow::Base => "base".into(),
        Flow::Bonus { multiplier: 0.0 } => {
            "bonus (multiplier 0.000: the draw gave no bonus this year)".into()
        }
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
            "{}: {}, {gap} months without pay, then rehired at ${} a year until the stint's planned end",
            match cause {
                Cause::Layoff => "laid off",
                Cause::Failure => "the company failed, ending the stint",
                Cause::AlreadyFailed => "the company had failed before the stint began",
            },
            if severance > 0.0 {
                format!("severance ${}", dollars_cents(severance))
            } else {
                "no severance".to_string()
            },
            dollars_cents(rehire_base)
        ),
        Flow::Severance => "severance".into(),
        Flow::Rehired => "base after the rehire".into(),
        Flow::Promotion { .. } => promotion_text(s, t, e),
        Flow::Promoted { raise, merit, base } => promoted_text(raise, merit, base),
        Flow::Vest {
            grant,
            units,
            price,
        } => {
            format!("vest {units:.2} units x ${price:.2}, {}", label(grant))
        }
        Flow::OptionSale {
            grant,
            units,
            price,
            strike,
        } if price <= strike => format!(
            "{units:.2} vested options under water at leaving (share price ${price:.2}, strike ${strike:.2}): not exercised, worth nothing, {}",
            label(grant)
        ),
        Flow::OptionSale {
            grant,
            units,
            price,
            strike,
        } => format!(
            "exercise and sell {units:.2} options at ${price:.2} - strike ${strike:.2}, {}",
            label(grant)
        ),
        Flow::Exercise {
            grant,
            units,
            strike,
            mark,
        } => format!(
            "exercise window ends: the mark ${mark:.4} (the latest round price) is above the strike, so exercise {units:.2} options paying ${strike:.2} each, {}",
            label(grant)
        ),
        Flow::Lapse {
            grant,
            units,
            mark,
            strike,
            at,
        } => match at {
            LapseAt::Leaving => format!(
                "lapsed on leaving (on_leave \"forfeit\"): {units:.2} vested options, {}{}",
                worth(units),
                label(grant)
            ),
            LapseAt::WindowEnd => format!(
                "exercise window ends: the mark ${mark:.4} (the latest round price) is at or below the strike ${strike:.2}, so {units:.2} vested options lapse, worth nothing, {}",
                label(grant)
            ),
            LapseAt::Failure => format!(
                "the company failed inside the exercise window: {units:.2} vested options lapse, worth nothing, {}",
                label(grant)
            ),
        },
        Flow::LockupSale {
            grant,
            units,
            price,
            strike,
        } => {
            if strike > 0.0 && price <= strike {
                format!(
                    "lockup ends: {units:.2} options under water (share price ${price:.2}, strike ${strike:.2}): not exercised, worth nothing, {}",
                    label(grant)
                )
            } else if strike > 0.0 {
                format!(
                    "lockup ends: exercise and sell {units:.2} options at ${price:.2} - strike ${strike:.2}, {}",
                    label(grant)
                )
            } else {
                format!(
                    "lockup ends: sell {units:.2} shares at ${price:.2}, {}",
                    label(grant)
                )
            }
        }
        Flow::Accelerated {
            grant,
            units,
            per_unit,
        } => format!(
            "acquisition accelerates vesting: {units:.2} unvested {} x ${per_unit:.4} ({}), {}",
            unit_word(&t.grants[grant]),
            payout_basis(world, &t.grants[grant], per_unit),
            label(grant)
        ),
        Flow::Cancelled { grant, units } => format!(
            "acquisition cancels {units:.2} unvested {}, {}{}",
            unit_word(&t.grants[grant]),
            worth(units),
            label(grant)
        ),
        Flow::Settle {
            grant,
            units,
            per_unit,
        } => {
            format!(
                "exit payout {units:.2} {} x ${per_unit:.4} ({}), {}",
                unit_word(&t.grants[grant]),
                payout_basis(world, &t.grants[grant], per_unit),
                label(grant)
            )
        }
        Flow::Forfeit { grant, units } => {
            format!(
                "forfeited on leaving: {units:.2} unvested {}, {}{}",
                unit_word(&t.grants[grant]),
                worth(units),
                label(grant)
            )
        }
        Flow::Unrealized {
            grant,
            units,
            per_unit,
            basis,
        } => {
            let g = &t.grants[grant];
            let strike = strike_of(g);
            let share = match basis {
                Basis::Mark | Basis::MarkLessStrike => world.mark(g.company, e.month),
                Basis::Price | Basis::PriceLessStrike => world.price(g.company, e.month),
            };
            let why = match basis {
                Basis::Mark => "the mark, the latest round price a share".to_string(),
                Basis::Price => "the share price, in the lockup".to_string(),
                Basis::MarkLessStrike if per_unit > 0.0 => format!(
                    "the mark ${share:.4}, the latest round price, less the strike ${strike:.2}"
                ),
                Basis::MarkLessStrike => format!(
                    "under water: the mark ${share:.4}, the latest round price, is at or below the strike ${strike:.2}"
                ),
                Basis::PriceLessStrike if per_unit > 0.0 => format!(
                    "the share price ${share:.2} less the strike ${strike:.2}, in the lockup"
                ),
                Basis::PriceLessStrike => format!(
                    "under water: the share price ${share:.2} is at or below the strike ${strike:.2}, in the lockup"
                ),
            };
            // An option grant valued a share each holds the shares bought
            // by its exercise.
            let what = match (basis, g.kind) {
                (Basis::MarkLessStrike | Basis::PriceLessStrike, _) => "vested options held",
                (_, GrantKind::Option { .. }) => "shares held (bought by exercise)",
                _ => "vested units held",
            };
            format!(
                "unrealized: {units:.2} {what} x ${per_unit:.4} ({why}), {}",
                label(grant)
            )
        }
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
/// (Entries that tell nothing are left out: see [`informs`].) Each comes
/// with the worth of what it gives up, for a forfeiture, a lapse or a
/// cancellation.
fn year_entries(t: &StrategyTrace, y: u32) -> Vec<(&Entry, Option<&Worth>)> {
    let mut v: Vec<(&Entry, Option<&Worth>)> = t
        .entries
        .iter()
        .zip(&t.worth)
        .filter(|(e, _)| e.year == y && informs(e))
        .map(|(e, w)| (e, w.as_ref()))
        .collect();
    v.sort_by_key(|(e, _)| e.month);
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
            for (e, worth) in year_entries(t, y) {
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
                    describe(s, world, t, e, worth)
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
            if let (Some(k), Some(d)) = (slot(Measure::PresentValue), s.sim.discount_rate) {
                let _ = writeln!(
                    o,
                    "    present value {}   (cumulative cash{} discounted at {}% a year to month 0)",
                    dollars_cents(t.row[yi * m + k]),
                    if s.tax.is_some() { " after tax" } else { "" },
                    crate::scenario::check::show(100.0 * d)
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
        Flow::Promotion { .. } | Flow::Promoted { .. } => Some("promotion"),
        _ => None,
    }
}

/// The basis of a [`Worth`] in the CSV's words: `the mark 9.2943 less the
/// strike 3.0000`, `the share price 100.0000`, `the company failed`.
fn priced_csv(w: &Worth) -> String {
    let share = match w.priced {
        Priced::SharePrice => "the share price",
        Priced::Mark => "the mark",
        Priced::AfterIpo => "the share price after the IPO",
        Priced::Acquisition => "the acquisition price",
        Priced::Failed => return "the company failed".to_string(),
    };
    if w.strike > 0.0 {
        format!("{share} {:.4} less the strike {:.4}", w.share, w.strike)
    } else {
        format!("{share} {:.4}", w.share)
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
            for (e, worth) in year_entries(t, y) {
                // What a forfeiture, lapse or cancellation gave up: the
                // item says the dollars and their basis, `price` the
                // dollars a unit.
                let given_up = |units: f64| match worth {
                    Some(w) => (
                        format!(
                            "worth {} ({}), ",
                            crate::report::money(units * w.per_unit),
                            priced_csv(w)
                        ),
                        format!("{:.4}", w.per_unit),
                    ),
                    None => (String::new(), String::new()),
                };
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
                    Flow::Promoted { raise, merit, base } => (
                        format!(
                            "promoted: base +{}%, with the merit raise of {}%: base {}",
                            show(100.0 * raise),
                            signed(100.0 * (merit - 1.0)),
                            crate::report::money(base)
                        ),
                        String::new(),
                        String::new(),
                    ),
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
                        at,
                    } => {
                        let (worth, price) = given_up(units);
                        (
                            format!(
                                "{}, {worth}{}",
                                match at {
                                    LapseAt::Leaving => {
                                        "vested options lapsed on leaving".to_string()
                                    }
                                    LapseAt::WindowEnd => format!(
                                        "options lapse at the window's end (mark {mark:.4}, strike {strike:.4})"
                                    ),
                                    LapseAt::Failure => format!(
                                        "options lapse at a failure inside the window (strike {strike:.4})"
                                    ),
                                },
                                grant_label(s, &t.grants[grant])
                            ),
                            format!("{units:.4}"),
                            price,
                        )
                    }
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
                    Flow::Cancelled { grant, units } => {
                        let (worth, price) = given_up(units);
                        (
                            format!(
                                "cancelled at the acquisition, {worth}{}",
                                grant_label(s, &t.grants[grant])
                            ),
                            format!("{units:.4}"),
                            price,
                        )
                    }
                    Flow::Settle {
                        grant,
                        units,
                        per_unit,
                    } => (
                        format!("exit payout, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        format!("{per_unit:.4}"),
                    ),
                    Flow::Forfeit { grant, units } => {
                        let (worth, price) = given_up(units);
                        (
                            format!(
                                "forfeited unvested on leaving, {worth}{}",
                                grant_label(s, &t.grants[grant])
                            ),
                            format!("{units:.4}"),
                            price,
                        )
                    }
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
                            | Measure::PresentValue
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
