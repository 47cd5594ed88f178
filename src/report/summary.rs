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
    let l = &r.layout;
    let taxed = l.reports(Measure::NetCumulative);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Cumulative TC over {} years, {} runs (seed {})",
        l.years,
        dollars(r.runs as f64),
        scenario.sim.seed
    );
    table(&mut out, scenario, r, Measure::Cumulative, |k, y| {
        l.diff(k, y)
    });
    if taxed {
        let _ = writeln!(
            out,
            "\nNet cumulative TC after tax over {} years (total less the year's tax liability)",
            l.years
        );
        table(&mut out, scenario, r, Measure::NetCumulative, |k, y| {
            l.net_diff(k, y)
        });
    }
    if l.reports(Measure::Severance) {
        // Mean severance over the horizon: the sum of the yearly means.
        for (s, strategy) in scenario.strategies.iter().enumerate() {
            let mean: f64 = (0..l.years)
                .map(|y| r.series[l.at(s, y, Measure::Severance)].mean)
                .sum();
            let _ = writeln!(
                out,
                "{} severance: mean {} over {} years (part of TC)",
                strategy.name,
                short_dollars(mean),
                l.years
            );
        }
    }
    let baseline = &scenario.strategies[l.baseline].name;
    let y = l.years - 1;
    for (i, &s) in l.compared.iter().enumerate() {
        let (share, median) = verdict(r, l.diff(i, y));
        let name = &scenario.strategies[s].name;
        if taxed {
            let (net_share, net_median) = verdict(r, l.net_diff(i, y));
            let _ = writeln!(
                out,
                "{name} ahead of {baseline} after tax in {:.0}% of worlds by year {}; median {} {} after tax \
                 (before tax: ahead in {:.0}%, median {} {})",
                100.0 * net_share,
                l.years,
                change(net_median),
                short_dollars(net_median.abs()),
                100.0 * share,
                change(median),
                short_dollars(median.abs())
            );
        } else {
            let _ = writeln!(
                out,
                "{name} ahead of {baseline} in {:.0}% of worlds by year {}; median {} {}",
                100.0 * share,
                l.years,
                change(median),
                short_dollars(median.abs())
            );
        }
    }
    if taxed && l.reports(Measure::Unrealized) {
        let _ = writeln!(
            out,
            "unrealized equity is reported before tax (not part of total, net or the comparison)"
        );
    }
    if let Some(counts) = &r.levels {
        levels(&mut out, scenario, counts, l.years);
    }
    out
}

/// A share of worlds as the summary prints it, one decimal: `84.5%`. The
/// level table and its sentences both use it, so they always agree.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
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
    let name_w = scenario
        .strategies
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].len())
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
    for (strategy, row) in scenario.strategies.iter().zip(&rows) {
        let _ = write!(out, "{:<name_w$}", strategy.name);
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>w$}");
        }
        out.push('\n');
    }
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

/// One table of `measure` at the horizon: p10, median and p90 per
/// strategy, and the share of worlds ahead of the baseline by the
/// difference series `diff(k, y)`.
fn table(
    out: &mut String,
    scenario: &Scenario,
    r: &Results,
    measure: Measure,
    diff: impl Fn(usize, usize) -> usize,
) {
    let l = &r.layout;
    let y = l.years - 1;
    let baseline = &scenario.strategies[l.baseline].name;
    let ahead_header = format!("ahead of {baseline}");
    let name_w = scenario
        .strategies
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut rows: Vec<[String; 4]> = Vec::new();
    for s in 0..scenario.strategies.len() {
        let k = l.at(s, y, measure);
        let ahead = match l.compared_index(s) {
            Some(i) => format!("{:.1}%", 100.0 * r.series[diff(i, y)].share_positive),
            None => "baseline".into(),
        };
        rows.push([
            dollars(r.quantile(k, 0.1)),
            dollars(r.quantile(k, 0.5)),
            dollars(r.quantile(k, 0.9)),
            ahead,
        ]);
    }
    let col_w = |i: usize, header: &str| {
        rows.iter()
            .map(|row| row[i].len())
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let headers = ["p10", "median", "p90", ahead_header.as_str()];
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| col_w(i, h))
        .collect();
    let _ = write!(out, "{:<name_w$}", "strategy");
    for (h, w) in headers.iter().zip(&widths) {
        let _ = write!(out, "  {h:>w$}");
    }
    out.push('\n');
    for (strategy, row) in scenario.strategies.iter().zip(&rows) {
        let _ = write!(out, "{:<name_w$}", strategy.name);
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>w$}");
        }
        out.push('\n');
    }
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
    fn short_dollars_use_k_and_m() {
        assert_eq!(short_dollars(83_400.0), "$83k");
        assert_eq!(short_dollars(1_250_000.0), "$1.2M");
    }
}
