//! `sweep.csv` / `sweep.json`: one row per (point, strategy), the swept
//! values, then cumulative TC at the horizon and its comparison with the
//! baseline, written by the same writers as the result tables.

use crate::engine::Results;
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::percentile_label;
use crate::report::table::{Cell, Table};
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
pub fn table(axes: &[Axis], points: &[Point]) -> Result<Table, AppError> {
    // Every point reports the same percentiles (checked when the points
    // were built): one header.
    let percentiles: &[f64] = points.first().map_or(&[], |p| &p.results.percentiles);
    let mut columns: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    columns.extend(["strategy", "year", "measure", "mean"].map(String::from));
    columns.extend(percentiles.iter().map(|&p| percentile_label(p)));
    columns.extend(["baseline", "p_ahead", "mean_diff"].map(String::from));
    columns.extend(
        percentiles
            .iter()
            .map(|&p| format!("diff_{}", percentile_label(p))),
    );
    let mut rows = Vec::new();
    for p in points {
        let r = &p.results;
        let l = &r.layout;
        let y = l.years - 1;
        let n = r.percentiles.len();
        let cum = Measure::Cumulative;
        let money = |q: &[f64]| q[..n].iter().map(|&x| Cell::Money(x)).collect::<Vec<_>>();
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
            match l.compared.iter().position(|&c| c == s) {
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
            rows.push(row);
        }
    }
    Ok(Table { columns, rows })
}
