//! `sweep.csv` / `sweep.json`: one row per (point, strategy), the swept
//! values, then cumulative TC at the horizon and its comparison with the
//! baseline, written by the same writers as the result tables.

use crate::engine::Results;
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::table::{Cell, Table};
use crate::report::{percentile_label, summary};
use crate::scenario::patch::Axis;
use crate::schema::Measure;

/// One simulated point of a sweep.
pub struct Point {
    /// The value of each axis at this point, as written.
    pub values: Vec<String>,
    /// The scenario at this point.
    pub scenario: Scenario,
    /// Its results.
    pub results: Results,
}

/// The sweep as a table, written by the same CSV and JSON writers as the
/// result tables. Columns: the swept keys, then `percentiles.csv`'s columns
/// for `cumulative` at the horizon, then `compare.csv`'s columns (`diff_`
/// before the percentiles of the difference). One row per (point,
/// strategy); the baseline's comparison cells are empty.
///
/// With `[tax]` the same figures for `net_cumulative` follow, after v1's
/// columns: `net_cumulative_mean` and its percentiles
/// (`net_cumulative_p5`...), then `net_p_ahead`, `net_mean_diff` and
/// `net_diff_p5`... (empty for the baseline, and for a point without
/// `[tax]`). Without `[tax]` at any point the columns are v1's.
///
/// With a `price_parity` (at any point) `real_cumulative_mean` and its
/// percentiles (`real_cumulative_p5`...) at the horizon follow (empty
/// for a point without one); then with a `discount_rate` (at any point)
/// `present_value_mean` and its percentiles, and with a `risk_aversion`
/// (at any point) `certainty_equivalent`, the same way.
pub fn table(axes: &[Axis], points: &[Point]) -> Result<Table, AppError> {
    let scenarios: Vec<&Scenario> = points.iter().map(|p| &p.scenario).collect();
    let shape = Shape::new(&scenarios);
    Ok(Table {
        columns: shape.columns(axes),
        rows: points.iter().flat_map(|p| shape.rows(p)).collect(),
    })
}

/// What decides `sweep.csv`'s columns: the percentiles and which of the
/// optional column groups some point reports. It is read off the scenarios
/// of every point, not their results, so each shard of a sharded sweep
/// (which simulates only some points) and the merge agree on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    percentiles: Vec<f64>,
    taxed: bool,
    real: bool,
    present: bool,
    certain: bool,
}

impl Shape {
    /// The shape of a sweep over the scenarios of all its points.
    pub fn new(scenarios: &[&Scenario]) -> Shape {
        // Every point reports the same percentiles (checked when the points
        // were built): one header.
        let any = |m: Measure| scenarios.iter().any(|s| m.reported(s));
        Shape {
            percentiles: scenarios
                .first()
                .map_or_else(Vec::new, |s| s.sim.percentiles.clone()),
            taxed: any(Measure::NetCumulative),
            real: any(Measure::RealCumulative),
            present: any(Measure::PresentValue),
            certain: scenarios.iter().any(|s| s.sim.risk.is_some()),
        }
    }

    /// The header: the swept keys, then the figures.
    pub fn columns(&self, axes: &[Axis]) -> Vec<String> {
        let percentiles = &self.percentiles;
        let mut columns: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
        columns.extend(["strategy", "year", "measure", "mean"].map(String::from));
        columns.extend(percentiles.iter().map(|&p| percentile_label(p)));
        columns.extend(["baseline", "p_ahead", "mean_diff"].map(String::from));
        columns.extend(
            percentiles
                .iter()
                .map(|&p| format!("diff_{}", percentile_label(p))),
        );
        if self.taxed {
            columns.push("net_cumulative_mean".into());
            columns.extend(
                percentiles
                    .iter()
                    .map(|&p| format!("net_cumulative_{}", percentile_label(p))),
            );
            columns.extend(["net_p_ahead", "net_mean_diff"].map(String::from));
            columns.extend(
                percentiles
                    .iter()
                    .map(|&p| format!("net_diff_{}", percentile_label(p))),
            );
        }
        if self.real {
            columns.push("real_cumulative_mean".into());
            columns.extend(
                percentiles
                    .iter()
                    .map(|&p| format!("real_cumulative_{}", percentile_label(p))),
            );
        }
        if self.present {
            columns.push("present_value_mean".into());
            columns.extend(
                percentiles
                    .iter()
                    .map(|&p| format!("present_value_{}", percentile_label(p))),
            );
        }
        if self.certain {
            columns.push("certainty_equivalent".into());
        }
        columns
    }

    /// One point's rows, one per strategy: the table is the points' rows in
    /// point order.
    pub fn rows(&self, p: &Point) -> Vec<Vec<Cell>> {
        let (taxed, real, present, certain) = (self.taxed, self.real, self.present, self.certain);
        let mut rows = Vec::with_capacity(p.scenario.strategies.len());
        let r = &p.results;
        let l = &r.layout;
        let y = l.years - 1;
        let n = r.percentiles.len();
        let cum = Measure::Cumulative;
        let money = |q: &[f64]| q[..n].iter().map(|&x| Cell::Money(x)).collect::<Vec<_>>();
        let point_taxed = l.reports(Measure::NetCumulative);
        for (s, strategy) in p.scenario.strategies.iter().enumerate() {
            let stats = &r.series[l.at(s, y, cum)];
            let mut row: Vec<Cell> = p.values.iter().map(|v| Cell::Text(v.clone())).collect();
            row.extend([
                Cell::Text(strategy.name.clone()),
                Cell::Count(l.years as u64),
                Cell::Text("cumulative".into()),
                Cell::Money(stats.mean),
            ]);
            row.extend(money(&stats.quantiles));
            let compared = l.compared_index(s);
            match compared {
                Some(k) => {
                    let d = &r.series[l.diff(k, y)];
                    row.extend([
                        Cell::Text(p.scenario.strategies[l.baseline].name.clone()),
                        Cell::Probability(d.share_positive),
                        Cell::Money(d.mean),
                    ]);
                    row.extend(money(&d.quantiles));
                }
                None => row.extend(std::iter::repeat_n(Cell::Empty, 3 + n)),
            }
            if taxed {
                if point_taxed {
                    let net = &r.series[l.at(s, y, Measure::NetCumulative)];
                    row.push(Cell::Money(net.mean));
                    row.extend(money(&net.quantiles));
                } else {
                    row.extend(std::iter::repeat_n(Cell::Empty, 1 + n));
                }
                match compared.filter(|_| point_taxed) {
                    Some(k) => {
                        let d = &r.series[l.net_diff(k, y)];
                        row.extend([Cell::Probability(d.share_positive), Cell::Money(d.mean)]);
                        row.extend(money(&d.quantiles));
                    }
                    None => row.extend(std::iter::repeat_n(Cell::Empty, 2 + n)),
                }
            }
            if real {
                if l.reports(Measure::RealCumulative) {
                    let stats = &r.series[l.at(s, y, Measure::RealCumulative)];
                    row.push(Cell::Money(stats.mean));
                    row.extend(money(&stats.quantiles));
                } else {
                    row.extend(std::iter::repeat_n(Cell::Empty, 1 + n));
                }
            }
            if present {
                if l.reports(Measure::PresentValue) {
                    let stats = &r.series[l.at(s, y, Measure::PresentValue)];
                    row.push(Cell::Money(stats.mean));
                    row.extend(money(&stats.quantiles));
                } else {
                    row.extend(std::iter::repeat_n(Cell::Empty, 1 + n));
                }
            }
            if certain {
                let ce = r
                    .decision
                    .as_ref()
                    .and_then(|d| d.certainty_equivalent(s, y));
                row.push(ce.map_or(Cell::Empty, Cell::Money));
            }
            rows.push(row);
        }
        rows
    }
}

/// What `tcsim sweep` prints on stdout when done: the points, their runs
/// and seeds (the file written is a status line on stderr).
pub fn summary(points: &[Point]) -> String {
    let scenarios: Vec<&Scenario> = points.iter().map(|p| &p.scenario).collect();
    summary_of(&scenarios)
}

/// [`summary`] from the points' scenarios alone (what a merge of a
/// sharded sweep has).
pub fn summary_of(scenarios: &[&Scenario]) -> String {
    let runs: Vec<u64> = scenarios.iter().map(|s| s.sim.runs).collect();
    let seeds: Vec<u64> = scenarios.iter().map(|s| s.sim.seed).collect();
    format!(
        "{}, {} each ({})\n",
        summary::count(scenarios.len() as u64, "point", "points"),
        runs_phrase(&runs),
        seed_phrase(&seeds),
    )
}

/// "1,000 runs" when every point has the same run count, else the range.
fn runs_phrase(runs: &[u64]) -> String {
    let (lo, hi) = (runs.iter().min(), runs.iter().max());
    match (lo, hi) {
        (Some(&lo), Some(&hi)) if lo != hi => format!(
            "{} to {} runs",
            summary::dollars(lo as f64),
            summary::dollars(hi as f64)
        ),
        (Some(&n), _) => summary::count(n, "run", "runs"),
        _ => String::new(),
    }
}

/// "seed 42", or "seeds 1, 2" when they differ.
fn seed_phrase(seeds: &[u64]) -> String {
    let mut distinct = seeds.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    match distinct.as_slice() {
        [one] => format!("seed {one}"),
        many => {
            let list: Vec<String> = many.iter().map(u64::to_string).collect();
            format!("seeds {}", list.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_each_seed_and_run_count_once() {
        assert_eq!(seed_phrase(&[1, 2, 1, 2]), "seeds 1, 2");
        assert_eq!(seed_phrase(&[42, 42]), "seed 42");
        assert_eq!(runs_phrase(&[1000, 1000]), "1,000 runs");
        assert_eq!(runs_phrase(&[1]), "1 run");
        assert_eq!(runs_phrase(&[5000, 1000]), "1,000 to 5,000 runs");
    }
}
