//! `percentiles.csv` and `compare.csv` (docs/reference.md, "Output files").

use crate::error::AppError;
use crate::report::table::Table;

/// A table as CSV: a header row, `\n` line ends, fields quoted only when
/// they must be. A row that does not match the header is an error.
pub fn write(t: &Table) -> Result<Vec<u8>, AppError> {
    t.check()?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let failed = |e: ::csv::Error| AppError::Internal(format!("CSV writer: {e}"));
    w.write_record(&t.columns).map_err(failed)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| c.text()))
            .map_err(failed)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(format!("CSV writer: {e}")))
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
