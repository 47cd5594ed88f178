//! What `tcsim check` prints: the scenario as tcsim understood it, so a user
//! can see each company, job and strategy before simulating anything.
//!
//! A file that uses none of the keys of one economy (`[market]`,
//! `market_correlation`, `layoffs`, a linked or lognormal bonus, a clawback,
//! a cash-only job, stints in months) prints what it printed before them,
//! but for the lines of startup life below each private company: what
//! happens after its IPO and at an acquisition applies to every one of them
//! (model.md section 9), written or not. A file with `[tax]` also shows
//! its tax settings, each job's own residence, each option grant's tax
//! type and each private company's `fmv_fraction`; a file without `[tax]`
//! shows none of them (but an `fmv_fraction` it writes, with a note). A
//! file with `[ladders]` shows each ladder as a table of its levels, and
//! each job on one its ladder, starting level and pay factor; a job's
//! `price_parity` has a line of its own. A file without these keys prints
//! what it printed before them.

use std::fmt::Write as _;
use std::path::Path;

use crate::model::{
    Base, BonusDistribution, CompanyKind, GrantKind, GrantSize, Job, Ladder, Layoffs, LevelStart,
    OnAcquisition, OnLeave, PrivateCompany, Scenario, Stint, TaxSettings, TaxType,
};
use crate::report::summary::dollars;
use crate::scenario::AsWritten;
use crate::scenario::check::show;
use crate::vesting::{Frequency, Schedule};

/// What `tcsim check` prints: the scenario as tcsim understood it; `written`
/// adds what the model does not keep (each company's own `layoffs` table).
pub fn describe(file: &Path, s: &Scenario, written: &AsWritten) -> String {
    let mut o = String::new();
    let sim = &s.sim;
    let pct: Vec<String> = sim.percentiles.iter().map(|p| format!("{p}")).collect();
    let _ = writeln!(o, "{}: ok", file.display());
    let _ = writeln!(
        o,
        "horizon {} years, {} runs, seed {}, {} price steps a year, percentiles {}",
        sim.years,
        sim.runs,
        sim.seed,
        sim.steps_per_year,
        pct.join(", ")
    );
    if let Some(m) = &s.market {
        let _ = writeln!(
            o,
            "\nmarket: drift {}%, volatility {}%",
            percent(m.drift, 1),
            percent(m.volatility, 1)
        );
    }
    if let Some(t) = &s.tax {
        let _ = writeln!(o, "\n{}", tax_line(t));
    }
    let _ = writeln!(o, "\ncompanies:");
    for (ci, c) in s.companies.iter().enumerate() {
        let correlation = if c.market_correlation != 0.0 {
            format!(", market correlation {}", show(c.market_correlation))
        } else {
            String::new()
        };
        match &c.kind {
            CompanyKind::Public(g) => {
                let _ = writeln!(
                    o,
                    "  {}: public, share price {}, drift {}%, volatility {}%{correlation}",
                    c.name,
                    g.share_price,
                    percent(g.drift, 1),
                    percent(g.volatility, 1)
                );
            }
            CompanyKind::Private(p) => {
                // A scheduled exit replaces both hazards (no failure then).
                let fate = match p.exit_month {
                    Some(m) => format!("exit scheduled in month {m}"),
                    None => format!(
                        "exit {}%/yr, failure {}%/yr",
                        percent(p.exit_rate, 1),
                        percent(p.failure_rate, 1)
                    ),
                };
                let _ = writeln!(
                    o,
                    "  {}: private, valuation {}, {} shares ({:.4}/share), preference {}, {fate}{correlation}",
                    c.name,
                    exact_dollars(p.valuation),
                    exact_dollars(p.shares),
                    p.round_price(),
                    exact_dollars(p.preference),
                );
                let _ = writeln!(o, "    {}", exits(p));
            }
        }
        if let CompanyKind::Private(p) = &c.kind {
            let defaults = !written.company_after_ipo.get(ci).copied().unwrap_or(false);
            for line in startup_life(p, defaults) {
                let _ = writeln!(o, "    {line}");
            }
            // Shown with [tax], where it prices the spreads; without it only
            // when written (then it has no effect).
            if s.tax.is_some() || p.fmv_fraction != 1.0 {
                let _ = writeln!(
                    o,
                    "    409A fair market value (fmv_fraction): {}% of the mark{}",
                    show(100.0 * p.fmv_fraction),
                    if s.tax.is_some() {
                        ""
                    } else {
                        ", no effect without [tax]"
                    }
                );
            }
        }
        if let Some(Some(l)) = written.company_layoffs.get(ci) {
            let _ = writeln!(o, "    layoffs: {}", layoffs(l));
        }
    }
    if !s.ladders.is_empty() {
        let _ = writeln!(o, "\nladders:");
        for l in &s.ladders {
            for line in ladder(l) {
                let _ = writeln!(o, "  {line}");
            }
        }
    }
    let _ = writeln!(o, "\njobs:");
    let private = |c: Option<usize>| {
        c.is_some_and(|c| matches!(s.companies[c].kind, CompanyKind::Private(_)))
    };
    for (ji, j) in s.jobs.iter().enumerate() {
        let on = j.ladder.map(|o| (o, &s.ladders[o.ladder]));
        let base = match j.base {
            Base::Fixed(b) => format!("base {}", exact_dollars(b)),
            Base::Relative { min, max } => format!(
                "base = last base +{}% to +{}%",
                percent(min, 0),
                percent(max, 0)
            ),
            Base::Market { p10, p50, p90 } => format!(
                "base drawn per world: p10 {}, p50 {}, p90 {}",
                exact_dollars(p10),
                exact_dollars(p50),
                exact_dollars(p90)
            ),
            Base::RelativeMarket { p10, p50, p90 } => format!(
                "base = last base, raised p10 {}, p50 {}, p90 {} (drawn per stint)",
                signed_percent(p10),
                signed_percent(p50),
                signed_percent(p90)
            ),
            Base::Level => match on {
                Some((o, l)) => match o.level {
                    LevelStart::At(i) => format!(
                        "base {} (level {}'s band)",
                        dollars(l.base[i] * o.pay_factor),
                        l.levels[i]
                    ),
                    LevelStart::Same | LevelStart::Up => {
                        "base the starting level's band".to_string()
                    }
                },
                None => "base from the ladder's level".to_string(),
            },
        };
        let grants: Vec<String> = j
            .grants
            .iter()
            .map(|g| {
                let size = match g.size {
                    GrantSize::Units(u) => format!("{} units", exact_dollars(u)),
                    GrantSize::Value(v) => format!("${}", exact_dollars(v)),
                };
                let mut notes = Vec::new();
                if g.granted_months_ago > 0 {
                    notes.push(format!("granted {} months ago", g.granted_months_ago));
                }
                let kind = match g.kind {
                    GrantKind::Rsu => "RSU".to_string(),
                    GrantKind::Option {
                        strike,
                        on_leave,
                        exercise_window_months,
                        tax_type,
                    } => {
                        // What the tax law makes of them, with [tax] only.
                        if s.tax.is_some() {
                            notes.insert(
                                0,
                                match tax_type {
                                    TaxType::Iso => "ISO",
                                    TaxType::Nso => "NSO",
                                }
                                .to_string(),
                            );
                        }
                        // The window applies only to a private company's
                        // options bought on leaving.
                        if on_leave == OnLeave::Exercise && private(j.company) {
                            notes.push(format!("exercise window {exercise_window_months} months"));
                        }
                        format!("options @ {strike}")
                    }
                };
                if notes.is_empty() {
                    format!("{kind} {size}")
                } else {
                    format!("{kind} {size} ({})", notes.join(", "))
                }
            })
            .collect();
        let employer = match j.company {
            Some(c) => format!(" at {}", s.companies[c].name),
            None => " (cash only)".to_string(),
        };
        let mut bonus_law = Vec::new();
        if j.bonus.distribution == BonusDistribution::Lognormal {
            bonus_law.push("lognormal".to_string());
        }
        if j.bonus.company_link != 0.0 {
            bonus_law.push(format!("company_link {}", show(j.bonus.company_link)));
        }
        let bonus_law = if bonus_law.is_empty() {
            String::new()
        } else {
            format!(" ({})", bonus_law.join(", "))
        };
        let clawback = match j.sign_on_clawback_months {
            0 => String::new(),
            c => format!(", sign-on clawback over {c} months"),
        };
        // On a ladder the level gives the bonus target and the refreshers.
        let target = match on {
            Some(_) => "from the level".to_string(),
            None => format!("{}%", percent(j.bonus.target, 0)),
        };
        // A ladder job's refreshers, when they can be worth anything: at a
        // company, on a ladder with a refresher above 0.
        let gives = |l: &Ladder| j.company.is_some() && l.refresh.iter().any(|&x| x > 0.0);
        let refreshers = match (on, &j.refresh) {
            (Some((_, l)), _) if !gives(l) => String::new(),
            (Some(_), Some(r)) if r.every_years == 1 => {
                ", refreshers from the level (every year)".to_string()
            }
            (Some(_), Some(r)) => format!(
                ", refreshers from the level (every {} years)",
                r.every_years
            ),
            (None, Some(_)) => ", refreshers".to_string(),
            (_, None) => String::new(),
        };
        let _ = writeln!(
            o,
            "  {}{}: {}, bonus target {}{}, grants: {}{}{}",
            j.name,
            employer,
            base,
            target,
            bonus_law,
            if grants.is_empty() {
                "none".into()
            } else {
                grants.join("; ")
            },
            refreshers,
            clawback
        );
        for line in terms(s, j) {
            let _ = writeln!(o, "    {line}");
        }
        if let Some((o_, l)) = on {
            let start = match o_.level {
                LevelStart::At(i) => format!("level {}", l.levels[i]),
                LevelStart::Same => "the previous stint's last level (\"same\")".to_string(),
                LevelStart::Up => {
                    "one above the previous stint's last level (\"+1\", the top stays the top)"
                        .to_string()
                }
            };
            let _ = writeln!(
                o,
                "    ladder {}, starting at {start}, pay factor {}",
                l.name,
                show(o_.pay_factor)
            );
        }
        if let (Some(r), Some(t)) = (&j.residence, &s.tax) {
            let _ = writeln!(o, "    residence while held: {}", residence(t, r));
        }
        if let Some(p) = j.price_parity {
            let _ = writeln!(o, "    price parity while held: {}", show(p));
        }
        if let Some(l) = &j.layoffs {
            let whose = match (written.job_own_layoffs.get(ji), j.company) {
                (Some(true), _) | (_, None) => "its own".to_string(),
                (_, Some(c)) => format!("{}'s", s.companies[c].name),
            };
            let _ = writeln!(o, "    layoffs ({whose}): {}", layoffs(l));
        }
    }
    let _ = writeln!(o, "\nstrategies:");
    for (i, st) in s.strategies.iter().enumerate() {
        let path: Vec<String> = st
            .stints
            .iter()
            .map(|t| format!("{} ({})", s.jobs[t.job].name, stint_span(t)))
            .collect();
        let tag = if i == sim.baseline { " [baseline]" } else { "" };
        let _ = writeln!(o, "  {}{}: {}", st.name, tag, path.join(" -> "));
    }
    o
}

/// The terms of a job the line above it leaves out, one line each: how
/// its base grows (merit raise and promotion, or that it stays flat), the
/// bonus multiplier's spread and bounds when there is a bonus, the
/// sign-on by stint year, each grant's vesting (and at a private company
/// what leaving does to vested options), and the refreshers' size, timing
/// and vesting. Two jobs that differ in any term the model reads print
/// differently.
fn terms(s: &Scenario, j: &Job) -> Vec<String> {
    let mut lines = Vec::new();
    let raise = if j.raise.mean == 0.0 && j.raise.sd == 0.0 {
        "no merit raise".to_string()
    } else if j.raise.sd == 0.0 {
        format!("merit raise {}% a year", percent(j.raise.mean, 0))
    } else {
        format!(
            "merit raise {}% a year (sd {}%)",
            percent(j.raise.mean, 0),
            percent(j.raise.sd, 0)
        )
    };
    let promotion = if j.ladder.is_some() {
        "promotions from the ladder".to_string()
    } else if j.promotion.rate == 0.0 && j.promotion.raise == 0.0 {
        "no promotion".to_string()
    } else {
        format!(
            "promotion {}% a year, +{}% base",
            percent(j.promotion.rate, 0),
            percent(j.promotion.raise, 0)
        )
    };
    // The case a reader would not guess from a base alone.
    let flat = if raise == "no merit raise" && promotion == "no promotion" {
        " (base flat within a stint)"
    } else {
        ""
    };
    lines.push(format!("pay: {raise}, {promotion}{flat}"));
    // The multiplier matters only when there is a target to multiply (a
    // ladder's level gives one).
    if j.bonus.target > 0.0 || j.ladder.is_some() {
        lines.push(format!(
            "bonus multiplier: sd {}, within [{}, {}]",
            show(j.bonus.sd),
            show(j.bonus.min),
            show(j.bonus.max)
        ));
    }
    if !j.sign_on.is_empty() {
        let years: Vec<String> = j
            .sign_on
            .iter()
            .enumerate()
            .map(|(k, &x)| format!("{} in stint year {}", exact_dollars(x), k + 1))
            .collect();
        lines.push(format!("sign-on: {}", years.join(", ")));
    }
    let private = j
        .company
        .is_some_and(|c| matches!(s.companies[c].kind, CompanyKind::Private(_)));
    for (i, g) in j.grants.iter().enumerate() {
        let mut line = format!("grant {}: {}", i + 1, vesting(&g.schedule));
        // Public options are exercised at leaving whatever `on_leave` says.
        if let GrantKind::Option { on_leave, .. } = g.kind
            && private
        {
            line.push_str(match on_leave {
                OnLeave::Forfeit => "; on leaving, vested options lapse (on_leave \"forfeit\")",
                OnLeave::Exercise => {
                    "; on leaving, vested options are bought at the window's end if in the money (on_leave \"exercise\")"
                }
            });
        }
        lines.push(line);
    }
    if let Some(r) = &j.refresh {
        // On a ladder the level sizes each refresher; one that gives none
        // makes none.
        let size = match j.ladder.map(|o| &s.ladders[o.ladder]) {
            Some(l) if j.company.is_none() || l.refresh.iter().all(|&x| x == 0.0) => None,
            Some(_) => Some("the level's".to_string()),
            None => Some(format!("${}", exact_dollars(r.value))),
        };
        if let Some(size) = size {
            let every = match r.every_years {
                1 => "every year".to_string(),
                n => format!("every {n} years"),
            };
            let first = match r.first_after_years {
                0 => "the first at the stint's start".to_string(),
                n => format!("the first after stint year {n}"),
            };
            lines.push(format!(
                "refreshers: {size} {every}, {first}; {}",
                vesting(&r.schedule)
            ));
        }
    }
    lines
}

/// A vesting schedule as written: `vesting 25/25/25/25% over 4 years,
/// quarterly, cliff 12 months`.
fn vesting(v: &Schedule) -> String {
    let years: Vec<String> = v.percent_per_year().iter().map(|&p| show(p)).collect();
    let every = match v.frequency() {
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
        Frequency::Annual => "annually",
    };
    let cliff = match v.cliff_months() {
        0 => "no cliff".to_string(),
        c => format!("cliff {c} months"),
    };
    let n = years.len();
    format!(
        "vesting {}% over {n} year{}, {every}, {cliff}",
        years.join("/"),
        if n == 1 { "" } else { "s" }
    )
}

/// `100 x` with `decimals` decimals (`15`, `8.0`), or with as many as it
/// takes when those would hide a digit the file gives (`15.5`, `8.25`), so
/// two different rates never print alike.
fn percent(x: f64, decimals: usize) -> String {
    let p = 100.0 * x;
    let fixed = format!("{p:.decimals$}");
    let close = fixed
        .parse::<f64>()
        .is_ok_and(|f| (f - p).abs() <= 1e-9 * p.abs().max(1.0));
    if close { fixed } else { show(p) }
}

/// Dollars with thousands separators, and cents (or finer) only when the
/// file gives them: `200,000`, `200,000.5`.
fn exact_dollars(x: f64) -> String {
    if x.fract() == 0.0 {
        return dollars(x);
    }
    let shown = show(x);
    match shown.split_once('.') {
        Some((_, frac)) if !shown.contains('e') => format!("{}.{frac}", dollars(x.trunc())),
        _ => shown,
    }
}

/// A percent with its sign: `+12.5%`, `-5%`, `+0%`.
fn signed_percent(x: f64) -> String {
    let p = show(100.0 * x);
    if p.starts_with('-') {
        format!("{p}%")
    } else {
        format!("+{p}%")
    }
}

/// A ladder as a heading line and a table of its levels, one row each,
/// lowest first. A figure the model never uses shows `-`: the top level's
/// promotion rate and minimum years (nothing is above it), the lowest
/// level's promotion grant (nothing is promoted into it).
fn ladder(l: &Ladder) -> Vec<String> {
    let n = l.levels.len();
    let header = [
        "level",
        "base",
        "bonus target",
        "refresh",
        "promotion rate",
        "min years",
        "promotion grant",
    ];
    let percent = |x: f64| format!("{}%", show(100.0 * x));
    let mut rows: Vec<[String; 7]> = vec![header.map(str::to_string)];
    for i in 0..n {
        let top = i + 1 == n;
        rows.push([
            l.levels[i].clone(),
            dollars(l.base[i]),
            percent(l.bonus_target[i]),
            dollars(l.refresh[i]),
            if top {
                "-".to_string()
            } else {
                percent(l.promotion_rate[i])
            },
            if top {
                "-".to_string()
            } else {
                l.min_years[i].to_string()
            },
            if i == 0 {
                "-".to_string()
            } else {
                dollars(l.promotion_grant[i])
            },
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut lines = vec![format!(
        "{}: {} (dollars before a job's pay factor); a promotion sets base to the larger of base +{} and the new level's base",
        l.name,
        crate::report::summary::count(n as u64, "level", "levels"),
        percent(l.promotion_raise)
    )];
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        lines.push(format!("  {}", cells.join("  ").trim_end()));
    }
    lines
}

/// `[tax]` in words: the table year, the filing status, the residence, the
/// indexing and the household's other income and deductions.
fn tax_line(t: &TaxSettings) -> String {
    let filing = match t.household.filing {
        crate::tax::Filing::Single => "single",
        crate::tax::Filing::Joint => "joint",
    };
    format!(
        "tax: {} tables, filing {filing}, residence {}, brackets indexed {}%/yr after {}, other income {}, itemized deductions {}",
        t.tables.year,
        residence(t, &t.residence),
        show(100.0 * t.inflation),
        t.tables.year,
        dollars(t.household.other_income),
        dollars(t.household.itemized_deductions),
    )
}

/// A residence in words: `CA (California)`, `NY (New York), city NYC`, or
/// `NY (New York), outside NYC` in a state whose cities the tables tax.
fn residence(t: &TaxSettings, r: &crate::tax::Residence) -> String {
    let tables = &t.tables;
    let state = format!(
        "{} ({})",
        tables.states[r.state], tables.state_names[r.state]
    );
    let cities: Vec<&str> = tables
        .cities
        .iter()
        .filter(|(_, s)| *s == r.state)
        .map(|(c, _)| c.as_str())
        .collect();
    match r.city {
        Some(c) => format!("{state}, city {}", tables.cities[c].0),
        None if !cities.is_empty() => format!("{state}, outside {}", cities.join(" and ")),
        None => state,
    }
}

/// A stint's span: `years 1-2` when it starts and ends at a year's end, else
/// `months 1-18` (its first and last month).
fn stint_span(t: &Stint) -> String {
    if t.start.is_multiple_of(12) && t.end.is_multiple_of(12) {
        format!("years {}-{}", t.start / 12 + 1, t.end / 12)
    } else {
        format!("months {}-{}", t.start + 1, t.end)
    }
}

/// What an exit of a private company is made of: the share of IPOs, the
/// exit multiple's law, the preferred share of the stock and, without
/// `rounds`, the yearly dilution.
fn exits(p: &PrivateCompany) -> String {
    let dilution = match p.rounds {
        Some(_) => String::new(),
        None => format!(", yearly dilution {}%", percent(p.dilution, 1)),
    };
    let kinds = match p.ipo_fraction {
        0.0 => "every exit an acquisition".to_string(),
        1.0 => "every exit an IPO".to_string(),
        f => format!("{}% IPOs, the rest acquisitions", percent(f, 0)),
    };
    format!(
        "exits: {kinds}; multiple of the latest valuation median {} (sigma {}); preferred {}% of the shares{dilution}",
        show(p.exit_median),
        show(p.exit_sigma),
        percent(p.preferred_fraction, 0),
    )
}

/// A private company's funding rounds (when it has them), its stock after an
/// IPO and what an acquisition does, one line each; `defaults` says the
/// file gives no `after_ipo`.
fn startup_life(p: &PrivateCompany, defaults: bool) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(r) = &p.rounds {
        lines.push(format!(
            "rounds: {}%/yr, step-up median {} (sigma {}), dilution {}% a round",
            percent(r.rate, 1),
            show(r.step_median),
            show(r.step_sigma),
            percent(r.dilution, 1)
        ));
    }
    let a = &p.after_ipo;
    lines.push(format!(
        "after an IPO: drift {}%, volatility {}%, lockup {} months{}",
        percent(a.drift, 1),
        percent(a.volatility, 1),
        a.lockup_months,
        if defaults { " (defaults)" } else { "" }
    ));
    lines.push(
        match p.on_acquisition {
            OnAcquisition::Assume => {
                "on an acquisition: unvested units keep vesting, each paying the acquisition price (assume)"
            }
            OnAcquisition::Cancel => "on an acquisition: unvested units are forfeited (cancel)",
            OnAcquisition::Accelerate => {
                "on an acquisition: unvested units all vest at once (accelerate)"
            }
        }
        .to_string(),
    );
    lines
}

/// A `layoffs` table in words.
fn layoffs(l: &Layoffs) -> String {
    let mut parts = vec![format!("{}%/yr", percent(l.rate, 1))];
    if l.market_sensitivity != 0.0 {
        parts.push(format!("market sensitivity {}", show(l.market_sensitivity)));
    }
    let per_year = show(l.weeks_per_year);
    parts.push(match l.severance_weeks {
        Some(w) => format!("severance {} weeks + {per_year} per year served", show(w)),
        None if l.weeks_per_year == 0.0 => "no severance".to_string(),
        None => format!("severance {per_year} weeks per year served (none on a failure)"),
    });
    if l.vesting_months > 0 {
        parts.push(format!("vesting goes on {} months", l.vesting_months));
    }
    parts.push(format!(
        "rehired after {} months at {}% of base",
        l.rehire_months,
        show(100.0 * l.rehire_pay)
    ));
    parts.join(", ")
}
