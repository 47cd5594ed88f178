//! `tcsim solve`'s outputs: `solve.csv` (the answer, one row),
//! `evaluations.csv` (every simulated value, in the order evaluated), the
//! answer's text, its progress lines and its no-bracket message
//! (docs/reference.md, "tcsim solve").

use crate::report::summary;
use crate::report::table::{Cell, Table};
use crate::schema::Measure;
use crate::solve::{Direction, End, Estimate, KeyKind, Search, Solution, Stat, Target};

/// What a search is about: the key, the target and the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The varied key as written.
    pub key: &'a str,
    /// Its kind (how its values are written).
    pub kind: KeyKind,
    /// The target.
    pub target: Target,
    /// The compared strategy.
    pub strategy: &'a str,
    /// The baseline.
    pub baseline: &'a str,
    /// The measure compared: `cumulative`, or `net_cumulative` with `[tax]`.
    pub measure: Measure,
}

/// A solved search, for its tables and text.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// What it is about.
    pub subject: Subject<'a>,
    /// Runs per evaluation at the answer.
    pub runs: u64,
    /// The seed every evaluation uses.
    pub seed: u64,
    /// The search's result.
    pub solution: &'a Solution,
    /// The 1-based year compared at each evaluation, in the order of
    /// `solution.evaluations` (the horizon of each, unless `--year`).
    pub years: &'a [u32],
}

/// `solve.csv`: one row. The key's values (`low`, `high`, `value`,
/// `interval_low`, `interval_high`) are the decimal text the scenario was
/// simulated with; an interval end is empty when it lies beyond the range
/// searched (`interval_low`: the 90 % bound reaches the target already at
/// `low`; `interval_high`: it does not reach it by `high`).
pub fn table(r: &Report<'_>) -> Table {
    let s = r.solution;
    let grid = &s.grid;
    let at = r.solution.at(s.answer).unwrap_or(Estimate {
        point: f64::NAN,
        lower: f64::NAN,
        upper: f64::NAN,
    });
    let stat = |x: f64| stat_cell(r.subject.target.stat, x);
    let end = |e: End| match e {
        End::At(i) => Cell::Text(key_text(r.subject.kind, &grid.text(i))),
        End::AtOrBelowLow | End::AboveHigh => Cell::Empty,
    };
    let columns = [
        "key",
        "strategy",
        "baseline",
        "year",
        "measure",
        "target",
        "target_value",
        "low",
        "high",
        "value",
        "interval_low",
        "interval_high",
        "statistic",
        "lower_90",
        "upper_90",
        "evaluations",
        "runs",
        "seed",
    ];
    let row = vec![
        Cell::Text(r.subject.key.to_string()),
        Cell::Text(r.subject.strategy.to_string()),
        Cell::Text(r.subject.baseline.to_string()),
        Cell::Count(u64::from(answer_year(r))),
        Cell::Text(r.subject.measure.name().into()),
        Cell::Text(r.subject.target.stat.name().into()),
        stat(r.subject.target.value),
        Cell::Text(key_text(r.subject.kind, &grid.text(grid.lo))),
        Cell::Text(key_text(r.subject.kind, &grid.text(grid.hi))),
        Cell::Text(key_text(r.subject.kind, &grid.text(s.answer))),
        end(s.interval.0),
        end(s.interval.1),
        stat(at.point),
        stat(at.lower),
        stat(at.upper),
        Cell::Count(s.evaluations.len() as u64),
        Cell::Count(r.runs),
        Cell::Count(r.seed),
    ];
    Table {
        columns: columns.map(String::from).to_vec(),
        rows: vec![row],
    }
}

/// `evaluations.csv`: one row per simulated value, in the order made:
/// which search asked for it (`range`, `answer`, `interval_low`,
/// `interval_high`), the value, the year compared, the statistic and its
/// 90 % bounds, and whether the statistic reaches the target there.
pub fn evaluations(r: &Report<'_>) -> Table {
    let s = r.solution;
    let columns = [
        "evaluation",
        "search",
        "value",
        "year",
        "statistic",
        "lower_90",
        "upper_90",
        "reaches",
    ];
    let rows = s
        .evaluations
        .iter()
        .enumerate()
        .map(|(n, e)| {
            let year = r.years.get(n).copied().unwrap_or(0);
            vec![
                Cell::Count(n as u64 + 1),
                Cell::Text(e.search.name().into()),
                Cell::Text(key_text(r.subject.kind, &s.grid.text(e.index))),
                Cell::Count(u64::from(year)),
                stat_cell(r.subject.target.stat, e.estimate.point),
                stat_cell(r.subject.target.stat, e.estimate.lower),
                stat_cell(r.subject.target.stat, e.estimate.upper),
                Cell::Text(
                    s.direction
                        .reaches(e.estimate.point, r.subject.target.value)
                        .to_string(),
                ),
            ]
        })
        .collect();
    Table {
        columns: columns.map(String::from).to_vec(),
        rows,
    }
}

/// The answer as printed:
///
/// ```text
/// jobs.offer.base = 159,135.81
/// the smallest value from 0.00 to 300,000.00 at which the median of offer minus stay (cumulative, year 4) is at or above 0.00 (there: 0.02)
/// 90 % interval: 159,135.81 to 159,135.81
/// 27 evaluations of 10,000 runs each, seed 42
/// ```
pub fn text(r: &Report<'_>) -> String {
    let s = r.solution;
    let grid = &s.grid;
    let value = |i: i64| shown_key(r.subject.kind, &grid.text(i));
    let (lo, hi) = (value(grid.lo), value(grid.hi));
    let end = |e: End| match e {
        End::At(i) => value(i),
        End::AtOrBelowLow => format!("at or below {lo} (the range's low end)"),
        End::AboveHigh => format!("above {hi} (the range's high end)"),
    };
    let there = s
        .at(s.answer)
        .map(|e| format!(" (there: {})", shown_stat(r.subject.target.stat, e.point)))
        .unwrap_or_default();
    format!(
        "{key} = {answer}\n\
         the smallest value from {lo} to {hi} at which {what} is {cmp} {target}{there}\n\
         90 % interval: {low} to {high}\n\
         {evaluations} of {runs} each, seed {seed}\n",
        key = r.subject.key,
        answer = value(s.answer),
        what = comparison(&r.subject, answer_year(r)),
        cmp = match s.direction {
            Direction::Up => "at or above",
            Direction::Down => "at or below",
        },
        target = shown_stat(r.subject.target.stat, r.subject.target.value),
        low = end(s.interval.0),
        high = end(s.interval.1),
        evaluations = summary::count(s.evaluations.len() as u64, "evaluation", "evaluations"),
        runs = summary::count(r.runs, "run", "runs"),
        seed = r.seed,
    )
}

/// One line per evaluation on stderr: `evaluation 3 (answer): jobs.offer.base
/// = 150,000.00: median_diff -35,864.12 (90 %: -40,112.50 to -31,020.75)`.
pub fn progress_line(
    n: usize,
    key: &str,
    kind: KeyKind,
    value: &str,
    search: Search,
    stat: Stat,
    e: &Estimate,
) -> String {
    format!(
        "evaluation {n} ({}): {key} = {}: {} {} (90 %: {} to {})",
        search.name(),
        shown_key(kind, value),
        stat.name(),
        shown_stat(stat, e.point),
        shown_stat(stat, e.lower),
        shown_stat(stat, e.upper),
    )
}

/// The no-bracket error: the range (its ends as written), and the target
/// statistic at both ends.
pub fn no_bracket(
    subject: &Subject<'_>,
    target_text: &str,
    (lo, hi): (&str, &str),
    (low, high): (&Estimate, &Estimate),
    (year_lo, year_hi): (u32, u32),
) -> String {
    let stat = subject.target.stat;
    // Varying `simulation.years` without `--year` compares each end at its
    // own horizon: name both years then.
    let (what, at_lo, at_hi) = if year_lo == year_hi {
        (comparison(subject, year_lo), String::new(), String::new())
    } else {
        (
            comparison(subject, year_lo).replace(&format!(", year {year_lo})"), ")"),
            format!(" (year {year_lo})"),
            format!(" (year {year_hi})"),
        )
    };
    format!(
        "--target {target_text} is not reached between {key} = {lo} and {hi}: {what} is {a} at {lo}{at_lo} and {b} at {hi}{at_hi}; \
         give a range whose ends bracket the target with --between LO,HI, or another target",
        key = subject.key,
        lo = shown_key(subject.kind, lo),
        hi = shown_key(subject.kind, hi),
        a = shown_stat(stat, low.point),
        b = shown_stat(stat, high.point),
    )
}

/// `the median of offer minus stay (cumulative, year 4)`.
fn comparison(s: &Subject<'_>, year: u32) -> String {
    let (strategy, baseline, measure) = (s.strategy, s.baseline, s.measure.name());
    match s.target.stat {
        Stat::PAhead => format!(
            "the share of worlds where {strategy} is ahead of {baseline} (p_ahead; {measure}, year {year})"
        ),
        Stat::MedianDiff => {
            format!("the median of {strategy} minus {baseline} ({measure}, year {year})")
        }
        Stat::MeanDiff => {
            format!("the mean of {strategy} minus {baseline} ({measure}, year {year})")
        }
    }
}

/// The year compared at the answer.
fn answer_year(r: &Report<'_>) -> u32 {
    let s = r.solution;
    s.evaluations
        .iter()
        .position(|e| e.index == s.answer)
        .and_then(|n| r.years.get(n).copied())
        .unwrap_or(0)
}

/// A statistic as a cell: a probability, or dollars.
fn stat_cell(stat: Stat, x: f64) -> Cell {
    if !x.is_finite() {
        return Cell::Empty;
    }
    match stat {
        Stat::PAhead => Cell::Probability(x),
        _ => Cell::Money(x),
    }
}

/// A key value as written in the CSV files and in messages: the grid
/// text, trailing zeros after the point dropped for a real key
/// (`0.0500000` is `0.05`).
pub fn key_text(kind: KeyKind, text: &str) -> String {
    match kind {
        KeyKind::Real if text.contains('.') => {
            let t = text.trim_end_matches('0');
            t.strip_suffix('.').unwrap_or(t).to_string()
        }
        _ => text.to_string(),
    }
}

/// A key value as printed: a money key with thousands separators and
/// cents (`159,135.81`), another as in the CSV.
fn shown_key(kind: KeyKind, text: &str) -> String {
    match kind {
        KeyKind::Money => grouped(text),
        _ => key_text(kind, text),
    }
}

/// A statistic as printed: a share to 4 decimals, dollars with separators
/// and cents.
fn shown_stat(stat: Stat, x: f64) -> String {
    match stat {
        Stat::PAhead => crate::report::probability(x),
        _ => grouped(&crate::report::money(x)),
    }
}

/// Decimal text with thousands separators in its whole part.
fn grouped(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::{Evaluation, Grid};

    fn report_of(solution: &Solution, years: &[u32]) -> String {
        let r = Report {
            subject: Subject {
                key: "jobs.offer.base",
                kind: KeyKind::Money,
                target: Target {
                    stat: Stat::MedianDiff,
                    value: 0.0,
                },
                strategy: "offer",
                baseline: "stay",
                measure: Measure::Cumulative,
            },
            runs: 10_000,
            seed: 42,
            solution,
            years,
        };
        let csv = String::from_utf8(crate::report::csv::write(&table(&r)).unwrap()).unwrap();
        format!("{}{csv}", text(&r))
    }

    #[test]
    fn the_answer_reads_as_a_sentence_and_one_csv_row() {
        let e = |index, point: f64| Evaluation {
            index,
            estimate: Estimate {
                point,
                lower: point - 100.0,
                upper: point + 100.0,
            },
            search: Search::Answer,
        };
        let solution = Solution {
            grid: Grid {
                lo: 0,
                hi: 30_000_000,
                decimals: 2,
            },
            direction: Direction::Up,
            answer: 15_913_581,
            interval: (End::AtOrBelowLow, End::At(15_950_000)),
            evaluations: vec![e(0, -5e5), e(30_000_000, 5e5), e(15_913_581, 0.02)],
        };
        assert_eq!(
            report_of(&solution, &[4, 4, 4]),
            "jobs.offer.base = 159,135.81\n\
             the smallest value from 0.00 to 300,000.00 at which the median of offer minus stay (cumulative, year 4) is at or above 0.00 (there: 0.02)\n\
             90 % interval: at or below 0.00 (the range's low end) to 159,500.00\n\
             3 evaluations of 10,000 runs each, seed 42\n\
             key,strategy,baseline,year,measure,target,target_value,low,high,value,interval_low,interval_high,statistic,lower_90,upper_90,evaluations,runs,seed\n\
             jobs.offer.base,offer,stay,4,cumulative,median_diff,0.00,0.00,300000.00,159135.81,,159500.00,0.02,-99.98,100.02,3,10000,42\n"
        );
    }

    #[test]
    fn separators_group_the_whole_part_only() {
        assert_eq!(grouped("159135.81"), "159,135.81");
        assert_eq!(grouped("-1234567.00"), "-1,234,567.00");
        assert_eq!(grouped("100"), "100");
        assert_eq!(key_text(KeyKind::Real, "0.0500000"), "0.05");
        assert_eq!(key_text(KeyKind::Real, "2.0000000"), "2");
        assert_eq!(key_text(KeyKind::Real, "30000000"), "30000000");
    }
}
