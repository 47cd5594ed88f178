//! `percentiles.csv` and `compare.csv` (model.md section 6).

use crate::engine::Results;
use crate::model::Scenario;
use crate::report::table::{self, Table};

/// A table as CSV: a header row, `\n` line ends, fields quoted only when
/// they must be.
pub fn write(t: &Table) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&t.columns).expect("in memory");
    for row in &t.rows {
        w.write_record(row.iter().map(|c| c.text()))
            .expect("in memory");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// One row per (strategy, year, measure): mean and requested percentiles.
pub fn percentiles(scenario: &Scenario, r: &Results) -> Vec<u8> {
    write(&table::percentiles(scenario, r))
}

/// One row per (compared strategy, year): share of worlds ahead of the
/// baseline, and the distribution of the cumulative difference.
pub fn compare(scenario: &Scenario, r: &Results) -> Vec<u8> {
    write(&table::compare(scenario, r))
}

/// One field as CSV would write it (quoted only when it must be), e.g. a
/// strategy name repeated on every row of `samples.csv`.
pub fn field(text: &str) -> String {
    if text.is_empty() {
        // Alone in a record the writer would quote it (`""`), in a row it
        // is written as nothing.
        return String::new();
    }
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record([text]).expect("in memory");
    let mut bytes = w.into_inner().expect("writing to memory cannot fail");
    bytes.pop();
    String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("stay"), "stay");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
