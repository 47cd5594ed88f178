//! Scenario files: TOML text in, checked [`Scenario`] out, or one
//! [`ScenarioError`] naming the file, line, column, key and rule.

pub mod check;
pub mod keys;
mod locate;
pub mod patch;
mod raw;
pub mod rules;
pub mod starter;

use std::path::Path;

use crate::error::{AppError, KeyPath, ScenarioError, Seg};
use crate::model::Scenario;
use locate::{Locator, line_col};
pub use rules::Rule;

/// Largest scenario file accepted, in bytes; a real one is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, AppError> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| AppError::Usage(format!("cannot read scenario {label}: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        // Not a ScenarioError: nothing in the file has been read to point at.
        return Err(AppError::Usage(Rule::FileSizeWithinLimit.message_with(&[
            ("file", &label),
            ("size", &meta.len()),
            ("limit", &MAX_FILE_BYTES),
        ])));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::Usage(format!("cannot read scenario {label}: {e}")))?;
    Ok(parse_bytes(&label, &bytes)?)
}

/// Checks raw bytes as a scenario file named `label` (the path the user gave).
pub fn parse_bytes(label: &str, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(label, text),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let (line, column) = line_col(valid, valid.len());
            Err(ScenarioError {
                file: label.to_string(),
                line,
                column,
                key: KeyPath::root(),
                rule: Rule::ValidUtf8,
                message: Rule::ValidUtf8.message_with(&[]),
            })
        }
    }
}

/// Checks `text` as a scenario file named `label`.
pub fn parse(label: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let at = |offset: usize, key: KeyPath, rule: Rule, message: String| {
        debug_assert!(rule.concerns(&key), "{key} is not a key of rule {rule}");
        let (line, column) = line_col(text, offset);
        ScenarioError {
            file: label.to_string(),
            line,
            column,
            key,
            rule,
            message,
        }
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let offset = e
            .span()
            .map_or_else(|| first_failing_line(text, e.message()), |s| s.start);
        at(
            offset,
            KeyPath::root(),
            Rule::ValidToml,
            Rule::ValidToml.message_with(&[("detail", &e.message().trim())]),
        )
    })?;
    let raw: raw::RawScenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let mut key = KeyPath(
            e.path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                    serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                    _ => None,
                })
                .collect(),
        );
        let inner = e.into_inner();
        let span = inner.span();
        let written = span.clone().and_then(|r| text.get(r)).unwrap_or("");
        let (rule, message) = serde_message(inner.message().trim(), written, &mut key);
        let offset = span.map_or_else(|| Locator::new(text).span(&key).start, |s| s.start);
        at(offset, key, rule, message)
    })?;
    check::check(&raw).map_err(|f| {
        let span = Locator::new(text).span(&f.key);
        at(span.start, f.key, f.rule, f.message)
    })
}

/// Rewrites a serde or toml message in the file's terms, as the rule it
/// breaks: no Rust type names, the unknown key named in the path.
fn serde_message(message: &str, written: &str, key: &mut KeyPath) -> (Rule, String) {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        if key.0.last() != Some(&Seg::Key(name.to_string())) {
            key.0.push(Seg::Key(name.to_string()));
        }
        let expected = match tail.split_once("expected") {
            Some((_, expected)) => format!(" (expected{expected})"),
            None => String::new(),
        };
        let rule = Rule::KnownKey;
        return (rule, rule.message_with(&[("expected", &expected)]));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        if got.contains(" as i128") || got.contains(" as u128") {
            let digits = got.split('`').nth(1).unwrap_or(got);
            let rule = Rule::IntegerFits;
            return (rule, rule.message_with(&[("got", &digits)]));
        }
        let expected = match expected {
            "f64" => "a number",
            "i64" => "an integer",
            "a sequence" => "an array",
            e if e.starts_with("struct ") || e == "a map" => "a table",
            e => e,
        };
        // TOML dates reach serde as a one-key table; say what was written.
        let is_datetime = written.trim().starts_with(|c: char| c.is_ascii_digit())
            && written.contains(['-', ':'])
            && !written.contains(['[', '{', '=']);
        let got = match got {
            "map" if is_datetime => format!("the date/time {}", written.trim()),
            "map" => "a table".to_string(),
            "sequence" => "an array".to_string(),
            g => g
                .replace("floating point", "the number")
                .replace("integer", "the integer")
                .replace('`', ""),
        };
        let rule = Rule::ValueType;
        return (
            rule,
            rule.message_with(&[("expected", &expected), ("got", &got)]),
        );
    }
    // No other serde error is known to reach here (every key is optional and
    // duplicates are the parser's); whatever does is a value of the wrong
    // shape for its key, passed on as serde words it.
    (Rule::ValueType, message.to_string())
}

/// Byte offset of the first line at which the document fails with
/// `message`, for parser errors that carry no position (the toml crate's
/// nesting limit): the shortest failing prefix of lines, by bisection.
fn first_failing_line(text: &str, message: &str) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let prefix_fails = |lines: usize| {
        let end = starts.get(lines).copied().unwrap_or(text.len());
        matches!(toml::Deserializer::parse(&text[..end]), Err(e) if e.message() == message)
    };
    let (mut lo, mut hi) = (0, starts.len());
    if !prefix_fails(hi) {
        return 0;
    }
    // Invariant: the first `lo` lines parse, the first `hi` lines fail.
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if prefix_fails(mid) {
            hi = mid
        } else {
            lo = mid
        }
    }
    starts[lo]
}
