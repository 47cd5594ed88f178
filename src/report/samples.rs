//! `samples.csv`: every run's cash TC per strategy and year, the raw values
//! behind the percentiles, for a spreadsheet or a notebook.
//!
//! The file is never held whole: runs are replayed in order
//! ([`crate::engine::Engine::replay`]) and each piece of runs is formatted
//! into its own buffer by [`Samples::write_run`].

use crate::engine::{Layout, Measure};
use crate::model::Scenario;
use crate::report::{csv, write_money};

/// The header row.
pub const HEADER: &str = "run,strategy,year,total,cumulative\n";

/// Formats the rows of one run: one per (strategy, year), strategies in
/// file order. `run` is the 0-based run index, the world's number: the same
/// seed and run index give the same world.
pub struct Samples {
    layout: Layout,
    /// Each strategy's name as a CSV field, followed by a comma.
    names: Vec<String>,
}

impl Samples {
    /// The formatter for `scenario`'s rows laid out as `layout`.
    pub fn new(scenario: &Scenario, layout: &Layout) -> Samples {
        Samples {
            layout: layout.clone(),
            names: scenario
                .strategies
                .iter()
                .map(|s| format!("{},", csv::field(&s.name)))
                .collect(),
        }
    }

    /// A generous estimate of the bytes one run takes, to size buffers.
    pub fn bytes_per_run(&self) -> usize {
        let names: usize = self.names.iter().map(String::len).sum();
        // run, year, two amounts and separators: at most ~60 bytes a row.
        (names + 64 * self.names.len()) * self.layout.years
    }

    /// Appends run `run`'s rows, read from its engine row `row`, to `out`.
    pub fn write_run(&self, out: &mut Vec<u8>, run: u64, row: &[f64]) {
        use std::io::Write;
        let l = &self.layout;
        for (s, name) in self.names.iter().enumerate() {
            for y in 0..l.years {
                let _ = write!(out, "{run},{name}{},", y + 1);
                write_money(out, row[l.at(s, y, Measure::Total)]);
                out.push(b',');
                write_money(out, row[l.at(s, y, Measure::Cumulative)]);
                out.push(b'\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_has_one_row_per_strategy_and_year_in_file_order() {
        let s = crate::scenario::parse(
            "inline.toml",
            r#"
[simulation]
years = 2
runs = 10

[companies.c]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.2

[jobs.j]
company = "c"
base = 100_000

[strategies."b, then a"]
path = [{ job = "j" }]

[strategies.a]
path = [{ job = "j" }]
"#,
        )
        .unwrap();
        let engine = crate::engine::Engine::new(&s);
        let l = engine.layout().clone();
        let samples = Samples::new(&s, &l);
        let mut row = vec![0.0; l.width()];
        let mut world = crate::engine::World::new(&s);
        engine.run_into(7, &mut world, &mut row);
        let mut out = Vec::new();
        samples.write_run(&mut out, 7, &row);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7,\"b, then a\",1,100000.00,100000.00\n\
             7,\"b, then a\",2,100000.00,200000.00\n\
             7,a,1,100000.00,100000.00\n\
             7,a,2,100000.00,200000.00\n"
        );
    }
}
