//! `percentiles.csv` and `compare.csv` (docs/reference.md, "Output files").

use crate::error::AppError;
use std::borrow::Cow;

use crate::report::table::{Cell, Table};

/// A table as CSV: a header row, `\n` line ends, fields quoted only when
/// they must be. A row that does not match the header is an error.
pub fn write(t: &Table) -> Result<Vec<u8>, AppError> {
    t.check()?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let failed = |e: ::csv::Error| AppError::Internal(format!("CSV writer: {e}"));
    w.write_record(t.columns.iter().map(|c| neutralised(c).into_owned()))
        .map_err(failed)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => neutralised(s).into_owned(),
            c => c.text(),
        }))
        .map_err(failed)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(format!("CSV writer: {e}")))
}

/// Text that a spreadsheet would take for a formula (it begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV-injection rule)
/// gets a leading `'`, which spreadsheets show as text. A plain number such
/// as `-0.05` (a swept value) is not a formula and is left as it is. Names
/// are already restricted to a safe alphabet; this is defence in depth.
pub fn neutralised(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = text.parse::<f64>().is_ok_and(f64::is_finite)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E' | '_'));
    if risky && !number {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
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
    w.write_record([neutralised(text).as_ref()])
        .expect("in memory");
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

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_neutralised() {
        for risky in [
            "=HYPERLINK(\"http://x\",\"click\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert!(neutralised(risky).starts_with('\''), "{risky:?}");
        }
        for plain in ["stay", "-0.05", "+3", "1e5", "[25,25,25,25]", "bigco"] {
            assert_eq!(neutralised(plain), plain);
        }
        assert_eq!(field("=1+1"), "'=1+1");
        let t = Table {
            columns: vec!["strategy".into(), "x".into()],
            rows: vec![vec![
                Cell::Text("=cmd|' /C calc'!A0".into()),
                Cell::Money(-5.0),
            ]],
        };
        let text = String::from_utf8(write(&t).unwrap()).unwrap();
        assert_eq!(text, "strategy,x\n'=cmd|' /C calc'!A0,-5.00\n");
    }
}
