//! The two result tables (docs/reference.md, "Output files") as typed rows, built once and
//! written by each format's writer (`csv.rs`, `json.rs`), so the formats
//! cannot disagree on a column or a rounding.

use crate::engine::Results;
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::percentile_label;
use crate::schema::Measure;

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A name: strategy, baseline, measure.
    Text(String),
    /// A whole number: the year.
    Count(u64),
    /// Dollars, written rounded to cents.
    Money(f64),
    /// A probability, written rounded to 4 decimals.
    Probability(f64),
    /// No value: an empty CSV field, `null` in JSON.
    Empty,
}

impl Cell {
    /// The value as it is written in a CSV field.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(x) => super::money(*x),
            Cell::Probability(x) => super::probability(*x),
            Cell::Empty => String::new(),
        }
    }
}

/// Named columns and rows of cells, one per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names, the CSV header.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns` (the writers check it).
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Checks that every row has one cell per column, so no value can be
    /// written under another column's name.
    pub fn check(&self) -> Result<(), AppError> {
        match self.rows.iter().position(|r| r.len() != self.columns.len()) {
            None => Ok(()),
            Some(i) => Err(AppError::Internal(format!(
                "table row {} has {} cells for {} columns ({})",
                i + 1,
                self.rows[i].len(),
                self.columns.len(),
                self.columns.join(",")
            ))),
        }
    }
}

fn columns(first: &[&str], r: &Results) -> Vec<String> {
    let mut c: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    c.extend(r.percentiles.iter().map(|&p| percentile_label(p)));
    c
}

/// The file's percentiles of a series, as money cells.
fn quantile_cells(r: &Results, k: usize) -> impl Iterator<Item = Cell> + '_ {
    r.series[k].quantiles[..r.percentiles.len()]
        .iter()
        .map(|&q| Cell::Money(q))
}

/// `percentiles`: one row per (strategy, year, measure), the mean and the
/// file's percentiles.
pub fn percentiles(scenario: &Scenario, r: &Results) -> Table {
    let l = &r.layout;
    let mut rows = Vec::new();
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        for y in 0..l.years {
            for &measure in l.measures() {
                let k = l.at(s, y, measure);
                let mut row = vec![
                    Cell::Text(strategy.name.clone()),
                    Cell::Count(y as u64 + 1),
                    Cell::Text(measure.name().into()),
                    Cell::Money(r.series[k].mean),
                ];
                row.extend(quantile_cells(r, k));
                rows.push(row);
            }
        }
    }
    Table {
        columns: columns(&["strategy", "year", "measure", "mean"], r),
        rows,
    }
}

/// `compare`: one row per (compared pair, year), the share of worlds where
/// the strategy is ahead of the one it is compared with (the baseline, then
/// `[simulation] compare`'s pairs, whose `baseline` column names the
/// other strategy) and the distribution of the cumulative difference.
///
/// With `[tax]` (the layout reports `net_cumulative`) a `measure` column
/// follows `year`, and each (strategy, year) has two rows: `cumulative`,
/// then `net_cumulative` (the after-tax difference), the order of
/// `percentiles.csv`, where the measure varies fastest. Without it the
/// columns and rows are v1's.
pub fn compare(scenario: &Scenario, r: &Results) -> Table {
    let l = &r.layout;
    let taxed = l.reports(Measure::NetCumulative);
    let mut rows = Vec::new();
    for (i, &(s, against)) in l.pairs.iter().enumerate() {
        let baseline = &scenario.strategies[against].name;
        for y in 0..l.years {
            let families: &[(Measure, usize)] = if taxed {
                &[
                    (Measure::Cumulative, l.diff(i, y)),
                    (Measure::NetCumulative, l.net_diff(i, y)),
                ]
            } else {
                &[(Measure::Cumulative, l.diff(i, y))]
            };
            for &(measure, k) in families {
                let mut row = vec![
                    Cell::Text(scenario.strategies[s].name.clone()),
                    Cell::Text(baseline.clone()),
                    Cell::Count(y as u64 + 1),
                ];
                if taxed {
                    row.push(Cell::Text(measure.name().into()));
                }
                row.extend([
                    Cell::Probability(r.series[k].share_positive),
                    Cell::Money(r.series[k].mean),
                ]);
                row.extend(quantile_cells(r, k));
                rows.push(row);
            }
        }
    }
    let first: &[&str] = if taxed {
        &[
            "strategy",
            "baseline",
            "year",
            "measure",
            "p_ahead",
            "mean_diff",
        ]
    } else {
        &["strategy", "baseline", "year", "p_ahead", "mean_diff"]
    };
    Table {
        columns: columns(first, r),
        rows,
    }
}

/// `decision`: with `risk_aversion` or `discount_rate`, one row per
/// (strategy, year): the mean and median of cumulative cash (net with
/// `[tax]`), the certainty equivalent, the mean present value and
/// `p_equity_zero` (model.md section 12). A column whose key is not set is
/// empty.
pub fn decision(scenario: &Scenario, r: &Results) -> Option<Table> {
    let sim = &scenario.sim;
    if sim.risk.is_none() && sim.discount_rate.is_none() {
        return None;
    }
    let d = r.decision.as_ref()?;
    let l = &r.layout;
    let cash = if l.reports(Measure::NetCumulative) {
        Measure::NetCumulative
    } else {
        Measure::Cumulative
    };
    let mut rows = Vec::new();
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        for y in 0..l.years {
            let k = l.at(s, y, cash);
            let pv = match l.reports(Measure::PresentValue) {
                true => Cell::Money(r.series[l.at(s, y, Measure::PresentValue)].mean),
                false => Cell::Empty,
            };
            rows.push(vec![
                Cell::Text(strategy.name.clone()),
                Cell::Count(y as u64 + 1),
                Cell::Money(r.series[k].mean),
                Cell::Money(r.quantile(k, 0.5)),
                d.certainty_equivalent(s, y)
                    .map_or(Cell::Empty, Cell::Money),
                pv,
                Cell::Probability(d.equity_zero_share(s, y)),
            ]);
        }
    }
    let columns = [
        "strategy",
        "year",
        "mean",
        "p50",
        "certainty_equivalent",
        "present_value_mean",
        "p_equity_zero",
    ];
    Some(Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_wider_or_narrower_than_the_header_is_an_error() {
        let mut t = Table {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Cell::Count(1), Cell::Count(2)]],
        };
        assert!(t.check().is_ok());
        t.rows.push(vec![Cell::Count(1)]);
        let e = t.check().unwrap_err().to_string();
        assert!(e.contains("row 2 has 1 cells for 2 columns"), "{e}");
        t.rows[1] = vec![Cell::Empty, Cell::Empty, Cell::Empty];
        assert!(t.check().is_err());
    }
}
