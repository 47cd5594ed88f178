//! The short table printed after a run: cumulative TC at the horizon per
//! strategy, and how often each strategy ends ahead of the baseline; with
//! a ladder, the share of worlds at or above each level by the horizon.

use std::fmt::Write;

use crate::engine::{Measure, Results};
use crate::model::Scenario;
use crate::stats::LevelCounts;

/// Whole dollars with thousands separators: `1,234,567`, `-83,000`.
pub fn dollars(x: f64) -> String {
    let r = x.round();
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if r < 0.0 { format!("-{out}") } else { out }
}

/// A count with its noun in English: `1 run`, `100,000 runs`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", dollars(n as f64), if n == 1 { one } else { many })
}

/// Compact dollars for prose: `$83k`, `$1.2M`.
pub fn short_dollars(x: f64) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e6 {
        format!("{sign}${:.1}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.0}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// The table, as text: cumulative TC at the horizon per strategy and how
/// often each compared strategy ends ahead. With `[tax]` a second table of
/// `net_cumulative` follows, and the verdict lines use the after-tax
/// difference (the before-tax figures beside it).
pub fn render(scenario: &Scenario, r: &Results) -> String {
    render_years(scenario, r, &[r.layout.years - 1])
}

/// [`render`] with the tables of each 0-based year in `years` (ascending),
/// the verdict at the horizon.
pub fn render_years(scenario: &Scenario, r: &Results, years: &[usize]) -> String {
    let l = &r.layout;
    let taxed = l.reports(Measure::NetCumulative);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Cumulative TC over {}, {} (seed {})",
        count(l.years as u64, "year", "years"),
        count(r.runs, "run", "runs"),
        scenario.sim.seed
    );
    for (i, &y) in years.iter().enumerate() {
        if years.len() > 1 || y != l.years - 1 {
            let _ = writeln!(out, "{}By year {}", if i > 0 { "\n" } else { "" }, y + 1);
        }
        table(&mut out, scenario, r, Measure::Cumulative, y, |k, y| {
            l.diff(k, y)
        });
    }
    if taxed {
        let _ = writeln!(
            out,
            "\nNet cumulative TC after tax over {} (total less the year's tax liability)",
            count(l.years as u64, "year", "years")
        );
        for (i, &y) in years.iter().enumerate() {
            if years.len() > 1 || y != l.years - 1 {
                let _ = writeln!(out, "{}By year {}", if i > 0 { "\n" } else { "" }, y + 1);
            }
            table(&mut out, scenario, r, Measure::NetCumulative, y, |k, y| {
                l.net_diff(k, y)
            });
        }
    }
    if l.reports(Measure::Severance) {
        // Mean severance over the horizon: the sum of the yearly means.
        for (s, strategy) in scenario.strategies.iter().enumerate() {
            let mean: f64 = (0..l.years)
                .map(|y| r.series[l.at(s, y, Measure::Severance)].mean)
                .sum();
            let _ = writeln!(
                out,
                "{} severance: mean {} over {} (part of TC)",
                strategy.name,
                short_dollars(mean),
                count(l.years as u64, "year", "years")
            );
        }
    }
    let y = l.years - 1;
    for (i, &(s, against)) in l.pairs.iter().enumerate() {
        let (share, median) = verdict(r, l.diff(i, y));
        let name = &scenario.strategies[s].name;
        let other = &scenario.strategies[against].name;
        if taxed {
            let (net_share, net_median) = verdict(r, l.net_diff(i, y));
            let _ = writeln!(
                out,
                "{name} ahead of {other} after tax in {} of worlds by year {}; median {} {} after tax \
                 (before tax: ahead in {}, median {} {})",
                percent(net_share),
                l.years,
                change(net_median),
                short_dollars(net_median.abs()),
                percent(share),
                change(median),
                short_dollars(median.abs())
            );
        } else {
            let _ = writeln!(
                out,
                "{name} ahead of {other} in {} of worlds by year {}; median {} {}",
                percent(share),
                l.years,
                change(median),
                short_dollars(median.abs())
            );
        }
    }
    if l.reports(Measure::Unrealized) {
        held(&mut out, scenario, r);
    }
    decision(&mut out, scenario, r);
    if let Some(counts) = &r.levels {
        levels(&mut out, scenario, counts, l.years);
    }
    out
}

/// Unrealized equity beside the cash verdict (model.md section 12): per
/// strategy its median, mean and share of worlds above 0 at the horizon,
/// and per compared pair the share of worlds ahead counting each world's
/// unrealized equity with its cash, and whether that could reverse the
/// cash verdict (the median difference's sign flips, or the share ahead
/// crosses one half).
fn held(out: &mut String, scenario: &Scenario, r: &Results) {
    let l = &r.layout;
    let y = l.years - 1;
    let Some(d) = &r.decision else {
        return;
    };
    let taxed = l.reports(Measure::NetCumulative);
    let _ = writeln!(
        out,
        "\nUnrealized equity by year {} (vested private equity still held, at the last round's price{}; \
         not in the cash figures above)",
        l.years,
        if taxed { ", before tax" } else { "" }
    );
    let headers = ["median", "mean", "above $0"];
    let rows: Vec<Vec<String>> = (0..l.strategies)
        .map(|s| {
            let k = l.at(s, y, Measure::Unrealized);
            vec![
                dollars(r.quantile(k, 0.5)),
                dollars(r.series[k].mean),
                percent(r.series[k].share_positive),
            ]
        })
        .collect();
    grid(out, scenario, &headers, &rows);
    for (i, &(s, against)) in l.pairs.iter().enumerate() {
        let diff = if taxed {
            l.net_diff(i, y)
        } else {
            l.diff(i, y)
        };
        let (share, median) = verdict(r, diff);
        let held_share = d.held_ahead_share(i);
        let cash_sign = if median > 0.0 {
            1
        } else if median < 0.0 {
            -1
        } else {
            0
        };
        let held_sign = d.held_median_sign(i);
        let flips = cash_sign * held_sign < 0 || (share - 0.5) * (held_share - 0.5) < 0.0;
        let name = &scenario.strategies[s].name;
        let other = &scenario.strategies[against].name;
        let _ = writeln!(
            out,
            "counting unrealized equity with cash, {name} is ahead of {other} in {} of worlds (cash alone: {}){}",
            percent(held_share),
            percent(share),
            if flips {
                "; this could reverse the cash verdict"
            } else {
                "; the cash verdict stands"
            }
        );
    }
}

/// With `risk_aversion`: the strategies ranked by certainty equivalent at
/// the horizon; with `discount_rate`: the mean present value beside it.
fn decision(out: &mut String, scenario: &Scenario, r: &Results) {
    let l = &r.layout;
    let y = l.years - 1;
    let sim = &scenario.sim;
    let pv = l.reports(Measure::PresentValue);
    let ce: Option<Vec<f64>> = match (&r.decision, sim.risk) {
        (Some(d), Some(_)) => (0..l.strategies)
            .map(|s| d.certainty_equivalent(s, y))
            .collect(),
        _ => None,
    };
    if ce.is_none() && !pv {
        return;
    }
    let cash = match l.reports(Measure::NetCumulative) {
        true => "net cumulative cash",
        false => "cumulative cash",
    };
    let mut order: Vec<usize> = (0..l.strategies).collect();
    let mut headers: Vec<String> = Vec::new();
    let mut title = format!("\nBy year {}", l.years);
    if let (Some(ce), Some(risk)) = (&ce, sim.risk) {
        // Highest first; ties keep file order (a stable sort).
        order.sort_by(|&a, &b| ce[b].total_cmp(&ce[a]));
        headers.push("certainty equivalent".into());
        let _ = write!(
            title,
            ", ranked by the certainty equivalent of {cash} (risk aversion {}, wealth ${})",
            crate::scenario::check::show(risk.aversion),
            dollars(risk.wealth)
        );
    }
    if let Some(d) = sim.discount_rate.filter(|_| pv) {
        headers.push("present value (mean)".into());
        let _ = write!(
            title,
            "{} present value at {}% a year to month 0",
            if ce.is_some() { "; with the" } else { ": the" },
            crate::scenario::check::show(100.0 * d)
        );
    }
    let _ = writeln!(out, "{title}");
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&s| {
            let mut row = Vec::new();
            if let Some(ce) = &ce {
                row.push(dollars(ce[s]));
            }
            if pv {
                row.push(dollars(r.series[l.at(s, y, Measure::PresentValue)].mean));
            }
            row
        })
        .collect();
    let names: Vec<&str> = order
        .iter()
        .map(|&s| scenario.strategies[s].name.as_str())
        .collect();
    let headers: Vec<&str> = headers.iter().map(|h| h.as_str()).collect();
    grid_named(out, &names, &headers, &rows);
}

/// A share of worlds as the summary prints it, one decimal: `84.5%`; a
/// share strictly between 0 and 1 never prints as `0.0%` or `100.0%`
/// (`<0.1%`, `>99.9%`). Every table and sentence uses it, so they always
/// agree.
pub fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if share > 0.0 && p < 0.05 {
        "<0.1%".into()
    } else if share < 1.0 && p >= 99.95 {
        ">99.9%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// A table with one row per strategy, in file order.
fn grid(out: &mut String, scenario: &Scenario, headers: &[&str], rows: &[Vec<String>]) {
    let names: Vec<&str> = scenario
        .strategies
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    grid_named(out, &names, headers, rows);
}

/// A table of `rows` named `names`, right-aligned columns.
fn grid_named(out: &mut String, names: &[&str], headers: &[&str], rows: &[Vec<String>]) {
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .max(h.chars().count())
        })
        .collect();
    let _ = write!(out, "{:<name_w$}", "strategy");
    for (h, w) in headers.iter().zip(&widths) {
        let _ = write!(out, "  {h:>w$}");
    }
    out.push('\n');
    for (name, row) in names.iter().zip(rows) {
        let _ = write!(out, "{name:<name_w$}");
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>w$}");
        }
        out.push('\n');
    }
}

/// The column labels of the level table, `level` 1 to `levels`: the level
/// names when every ladder a job uses names its levels alike (one ladder,
/// the usual case), else the level numbers (1 is each ladder's lowest);
/// and whether they are names.
pub fn level_names(scenario: &Scenario, levels: usize) -> (Vec<String>, bool) {
    let mut used = scenario
        .jobs
        .iter()
        .filter_map(|j| j.ladder)
        .map(|o| &scenario.ladders[o.ladder].levels);
    let named = match used.next() {
        Some(first) => used.all(|other| other == first).then_some(first),
        None => None,
    };
    match named {
        Some(names) if names.len() == levels => (names.clone(), true),
        _ => ((1..=levels).map(|i| i.to_string()).collect(), false),
    }
}

/// The level block: per strategy the share of worlds at or above each
/// level in the horizon's last month, then one sentence per strategy with
/// the highest level at least half its worlds reach and the next one up.
fn levels(out: &mut String, scenario: &Scenario, counts: &LevelCounts, years: usize) {
    let n = counts.levels();
    if n == 0 {
        return;
    }
    let (names, named) = level_names(scenario, n);
    let _ = writeln!(
        out,
        "\nLevel reached by year {years} (share of worlds at or above each level{})",
        if named {
            ""
        } else {
            "; levels by number, 1 is a ladder's lowest"
        }
    );
    let headers: Vec<String> = names.iter().map(|n| format!("{n}+")).collect();
    let rows: Vec<Vec<String>> = (0..scenario.strategies.len())
        .map(|s| {
            (1..=n)
                .map(|k| percent(counts.share_at_or_above(s, k)))
                .collect()
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    grid(out, scenario, &headers, &rows);
    let label = |k: usize| {
        if named {
            names[k - 1].clone()
        } else {
            format!("level {k}")
        }
    };
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        let name = &strategy.name;
        if counts.at_or_above(s, 1) == 0 {
            let _ = writeln!(
                out,
                "{name} by year {years}: at a job without a ladder in every world"
            );
            continue;
        }
        // The highest level at least half the worlds reach (the lowest
        // when fewer than half end on a ladder), and the next one up.
        let k = (1..=n)
            .rev()
            .find(|&k| 2 * counts.at_or_above(s, k) >= counts.runs())
            .unwrap_or(1);
        let mut line = format!(
            "{name} by year {years}: {} or above in {} of worlds",
            label(k),
            percent(counts.share_at_or_above(s, k))
        );
        if k < n && counts.at_or_above(s, k + 1) > 0 {
            let _ = write!(
                line,
                ", {} or above in {}",
                label(k + 1),
                percent(counts.share_at_or_above(s, k + 1))
            );
        }
        let _ = writeln!(out, "{line}");
    }
}

/// The share of worlds where difference series `k` is above zero, and its
/// median.
fn verdict(r: &Results, k: usize) -> (f64, f64) {
    (r.series[k].share_positive, r.quantile(k, 0.5))
}

/// `gain` for a median difference at or above zero, else `loss`.
fn change(median: f64) -> &'static str {
    if median >= 0.0 { "gain" } else { "loss" }
}

/// One table of `measure` in 0-based year `y`: p10, median and p90 per
/// strategy, and the share of worlds ahead of the baseline by the
/// difference series `diff(k, y)`.
fn table(
    out: &mut String,
    scenario: &Scenario,
    r: &Results,
    measure: Measure,
    y: usize,
    diff: impl Fn(usize, usize) -> usize,
) {
    let l = &r.layout;
    let baseline = &scenario.strategies[l.baseline].name;
    let ahead_header = format!("ahead of {baseline}");
    let rows: Vec<Vec<String>> = (0..scenario.strategies.len())
        .map(|s| {
            let k = l.at(s, y, measure);
            let ahead = match l.compared_index(s) {
                Some(i) => percent(r.series[diff(i, y)].share_positive),
                None => "baseline".into(),
            };
            vec![
                dollars(r.quantile(k, 0.1)),
                dollars(r.quantile(k, 0.5)),
                dollars(r.quantile(k, 0.9)),
                ahead,
            ]
        })
        .collect();
    grid(
        out,
        scenario,
        &["p10", "median", "p90", &ahead_header],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_have_thousands_separators() {
        assert_eq!(dollars(1_234_567.4), "1,234,567");
        assert_eq!(dollars(-83_000.0), "-83,000");
        assert_eq!(dollars(999.0), "999");
        assert_eq!(dollars(0.2), "0");
    }

    #[test]
    fn a_share_between_0_and_1_never_prints_as_0_or_100_percent() {
        assert_eq!(percent(0.845), "84.5%");
        assert_eq!(percent(0.996), "99.6%");
        assert_eq!(percent(0.99996), ">99.9%");
        assert_eq!(percent(0.00001), "<0.1%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0), "0.0%");
    }

    #[test]
    fn short_dollars_use_k_and_m() {
        assert_eq!(short_dollars(83_400.0), "$83k");
        assert_eq!(short_dollars(1_250_000.0), "$1.2M");
    }
}
