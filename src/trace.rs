//! `tcsim trace`: one world's story. Replays run `i` (the same world as run
//! `i` inside `tcsim run`) and lists every cash flow per strategy, so a user
//! can check one concrete future against their own arithmetic.

use std::fmt::Write;

use crate::engine::compile::GrantSource;
use crate::engine::ledger::{Entry, Flow};
use crate::engine::world::Fate;
use crate::engine::{Engine, World};
use crate::model::{CompanyKind, GrantKind, Scenario};
use crate::report::money;
use crate::report::summary::dollars;
use crate::report::table::{Cell, Table};
use crate::schema::Measure;

/// One strategy's ledger in one world.
#[derive(Debug, Clone)]
pub struct StrategyTrace {
    /// Index into [`Scenario::strategies`].
    pub strategy: usize,
    /// Every cash flow, in evaluation order.
    pub entries: Vec<Entry>,
    /// The yearly measures the engine computed (`years * measures`).
    pub row: Vec<f64>,
    /// The grants the entries refer to.
    pub grants: Vec<GrantSource>,
}

/// Run `run`'s world and the ledgers of the chosen strategies (all when
/// `only` is `None`).
pub fn replay(scenario: &Scenario, run: u64, only: Option<usize>) -> (World, Vec<StrategyTrace>) {
    let engine = Engine::new(scenario);
    let mut world = World::new(scenario);
    // Every month's price, so the story can show year-end prices; the
    // draws are the same whichever prices are evaluated.
    let mut shape = engine.plan().shape.clone();
    for months in &mut shape.needed {
        months.fill(true);
    }
    world.sample(scenario, &shape, run);
    let traces = (0..scenario.strategies.len())
        .filter(|&s| only.is_none_or(|o| o == s))
        .map(|s| {
            let (row, entries) = engine.plan().trace(scenario, &world, s);
            StrategyTrace {
                strategy: s,
                entries,
                row,
                grants: engine.plan().grants(s),
            }
        })
        .collect();
    (world, traces)
}

fn grant_label(s: &Scenario, g: &GrantSource) -> String {
    let job = &s.jobs[g.job].name;
    let kind = match g.kind {
        GrantKind::Rsu => "RSU",
        GrantKind::Option { .. } => "option",
    };
    match g.grant {
        Some(i) => format!("{job} {kind} grant {} (month {})", i + 1, g.granted),
        None => format!("{job} refresher (month {})", g.granted),
    }
}

fn describe(s: &Scenario, t: &StrategyTrace, e: &Entry) -> String {
    match e.flow {
        Flow::Base => "base".into(),
        Flow::Bonus { multiplier } => format!("bonus (multiplier {multiplier:.3})"),
        Flow::SignOn => "sign-on".into(),
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
        } => format!(
            "exercise {units:.2} options on leaving, paying ${strike:.2} each, {}",
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
        } => format!(
            "unrealized: {units:.2} vested units held x ${per_unit:.4} (round price), {}",
            grant_label(s, &t.grants[grant])
        ),
    }
}

/// The company events of the world, one line each.
pub fn company_lines(s: &Scenario, world: &World) -> Vec<String> {
    let years = s.sim.years;
    s.companies
        .iter()
        .enumerate()
        .map(|(c, company)| match &company.kind {
            CompanyKind::Public(_) => {
                let prices: Vec<String> = (0..=years)
                    .map(|y| format!("{:.2}", world.price(c, 12 * y)))
                    .collect();
                format!(
                    "{}: public, share price at month 0 and each year end: {}",
                    company.name,
                    prices.join(", ")
                )
            }
            CompanyKind::Private(p) => match world.fate(c) {
                Fate::Private => format!(
                    "{}: still private at the horizon (round price ${:.4} a share)",
                    company.name,
                    p.round_price()
                ),
                Fate::Failure { month } => format!(
                    "{}: failed in month {month}; common is worth nothing",
                    company.name
                ),
                Fate::Exit {
                    month,
                    ipo,
                    value,
                    common,
                } => format!(
                    "{}: {} in month {month} (year {}) at ${}; common ${common:.4} a share",
                    company.name,
                    if ipo { "IPO" } else { "acquired" },
                    (month - 1) / 12 + 1,
                    dollars(value)
                ),
            },
        })
        .collect()
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
    for t in traces {
        let _ = writeln!(o, "\nstrategy {}", s.strategies[t.strategy].name);
        for y in 1..=s.sim.years {
            let _ = writeln!(o, "  year {y}");
            for e in year_entries(t, y) {
                let forfeit = matches!(e.flow, Flow::Forfeit { .. });
                let amount = if forfeit {
                    String::new()
                } else {
                    dollars_cents(e.amount)
                };
                let measure = if forfeit { "forfeit" } else { e.measure.name() };
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
            let _ = writeln!(
                o,
                "    total {}   cumulative {}",
                dollars_cents(t.row[yi * m + total]),
                dollars_cents(t.row[yi * m + cumulative])
            );
        }
    }
    o
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
pub fn render_csv(s: &Scenario, traces: &[StrategyTrace], measures: &[Measure]) -> Vec<u8> {
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
                    } => (
                        format!("exercise on leaving, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        format!("{strike:.4}"),
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
                    } => (
                        format!("unrealized, {}", grant_label(s, &t.grants[grant])),
                        format!("{units:.4}"),
                        format!("{per_unit:.4}"),
                    ),
                };
                let measure = if matches!(e.flow, Flow::Forfeit { .. }) {
                    "forfeit"
                } else {
                    e.measure.name()
                };
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
                if matches!(label, Measure::Total | Measure::Cumulative) {
                    rows.push(vec![
                        Cell::Text(name.clone()),
                        Cell::Count(y.into()),
                        Cell::Empty,
                        Cell::Text(label.name().to_string()),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Money(t.row[yi * m + k]),
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

    fn scenario() -> Scenario {
        let text = include_str!("../scenarios/leave-the-startup.toml")
            .replace("runs = 100000", "runs = 100");
        crate::scenario::parse("leave-the-startup.toml", &text).expect("bundled scenario")
    }

    #[test]
    fn trace_entries_add_up_to_the_rows_the_engine_used() {
        let s = scenario();
        let engine = Engine::new(&s);
        let layout = engine.layout().clone();
        let mut world = World::new(&s);
        for run in [0, 7, 42, 99] {
            let mut row = vec![0.0; layout.width()];
            engine.run_into(run, &mut world, &mut row);
            let (_, traces) = replay(&s, run, None);
            for t in &traces {
                for y in 0..layout.years {
                    for (k, &measure) in layout.measures().iter().enumerate() {
                        let engine_value = row[layout.at(t.strategy, y, measure)];
                        // The trace's own row is the engine's.
                        assert_eq!(t.row[y * layout.measures().len() + k], engine_value);
                        // And its entries add up to it, flow by flow.
                        if !matches!(measure, Measure::Total | Measure::Cumulative) {
                            let sum: f64 = t
                                .entries
                                .iter()
                                .filter(|e| e.year as usize == y + 1 && e.measure == measure)
                                .map(|e| e.amount)
                                .sum();
                            assert!(
                                (sum - engine_value).abs() < 1e-6,
                                "run {run} {measure:?} year {}",
                                y + 1
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn trace_of_one_strategy_lists_only_that_strategy() {
        let s = scenario();
        let (_, traces) = replay(&s, 3, Some(1));
        assert_eq!(traces.len(), 1);
        assert_eq!(traces[0].strategy, 1);
    }
}
