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
pub use check::AsWritten;
use locate::{Locator, line_col};
pub use rules::Rule;

/// Largest scenario file accepted, in bytes; a real one is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, AppError> {
    Ok(load_with_text(path)?.1)
}

/// Reads and checks the scenario at `path`; also returns what the file says
/// that the checked model does not keep (for `tcsim check`).
pub fn load_as_written(path: &Path) -> Result<(Scenario, AsWritten), AppError> {
    let bytes = read_bounded(path)?;
    let label = path.display().to_string();
    let text = utf8(&label, &bytes)?;
    Ok(parse_as_written(&label, text)?)
}

/// Reads the scenario at `path` once and checks it: its text (valid UTF-8,
/// at most [`MAX_FILE_BYTES`]) and the checked scenario. Whoever needs the
/// file's bytes again (the manifest's hash, a sweep's patching) uses this
/// text, never a second read: a pipe has nothing left to give, and a file
/// edited meanwhile would no longer be the one checked.
pub fn load_with_text(path: &Path) -> Result<(String, Scenario), AppError> {
    let bytes = read_bounded(path)?;
    let scenario = parse_bytes(&path.display().to_string(), &bytes)?;
    // parse_bytes accepted the bytes as UTF-8.
    let text = String::from_utf8(bytes)
        .map_err(|_| AppError::Internal("a checked scenario is not UTF-8".into()))?;
    Ok((text, scenario))
}

/// The bytes of the scenario file at `path`, at most [`MAX_FILE_BYTES`] of
/// them, whatever the file is: a regular file, or a device, FIFO or
/// `/dev/stdin`, whose reported size (0) says nothing. A regular file over
/// the limit is refused before it is read, by its size; anything else is
/// read up to one byte past the limit and refused there. Either way the
/// error (exit status 2) names the file and the limit, and no more than
/// the limit plus one byte is ever held.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, AppError> {
    use std::io::Read;

    let label = crate::error::escape(&path.display().to_string()).into_owned();
    let cannot = |e: std::io::Error| AppError::Usage(format!("cannot read scenario {label}: {e}"));
    // Not a ScenarioError: nothing in the file has been read to point at.
    let too_big = |size: &dyn std::fmt::Display| {
        AppError::Usage(Rule::FileSizeWithinLimit.message_with(&[
            ("file", &label),
            ("size", size),
            ("limit", &MAX_FILE_BYTES),
        ]))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(too_big(&meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(&format_args!("more than {MAX_FILE_BYTES}")));
    }
    Ok(bytes)
}

/// Checks raw bytes as a scenario file named `label` (the path the user gave).
pub fn parse_bytes(label: &str, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    parse(label, utf8(label, bytes)?)
}

/// The bytes of the file `label` as text, or the error of a file that is
/// not UTF-8.
fn utf8<'a>(label: &str, bytes: &'a [u8]) -> Result<&'a str, ScenarioError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
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
    parse_as_written(label, text).map(|(s, _)| s)
}

/// Checks `text` as a scenario file named `label`; also returns what the
/// file says that the checked model does not keep.
pub fn parse_as_written(label: &str, text: &str) -> Result<(Scenario, AsWritten), ScenarioError> {
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
    check::check_as_written(&raw).map_err(|f| {
        let span = Locator::new(text).span(&f.key);
        at(span.start, f.key, f.rule, f.message)
    })
}

/// The key of the one-key table a TOML date reaches serde as.
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// Rewrites a serde or toml message in the file's terms, as the rule it
/// breaks: no Rust type names, the unknown key named in the path.
///
/// Every error serde's derive and the toml crate can raise for `raw.rs`:
///
/// - `unknown field`: a key the table does not know ([`Rule::KnownKey`]);
/// - `invalid type`: a value of the wrong type, arrays in place of tables
///   included (`raw.rs` refuses them) ([`Rule::ValueType`]), or an integer
///   beyond 64 bits ([`Rule::IntegerFits`]);
/// - `invalid value`: an integer beyond `i64` for an integer key
///   ([`Rule::IntegerFits`]).
///
/// The others cannot arise: every key is optional (no `missing field`),
/// duplicates are the parser's (no `duplicate field`), no struct is read
/// from an array (no `invalid length`) and there are no enums.
fn serde_message(message: &str, written: &str, key: &mut KeyPath) -> (Rule, String) {
    // TOML dates reach serde as a one-key table; say what was written.
    let is_datetime = written.trim().starts_with(|c: char| c.is_ascii_digit())
        && written.contains(['-', ':'])
        && !written.contains(['[', '{', '=']);
    // A date where a table belongs: the table the toml crate makes of it
    // has one key of its own, which the file never wrote.
    let datetime_key = Seg::Key(DATETIME_KEY.to_string());
    let in_date = key.0.iter().position(|s| *s == datetime_key);
    if is_datetime
        && (in_date.is_some() || message.starts_with(&format!("unknown field `{DATETIME_KEY}`")))
    {
        key.0.truncate(in_date.unwrap_or(key.0.len()));
        let rule = Rule::ValueType;
        let got = format!("the date/time {}", written.trim());
        return (
            rule,
            rule.message_with(&[("expected", &"a table"), ("got", &got)]),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        if key.0.last() != Some(&Seg::Key(name.to_string())) {
            key.0.push(Seg::Key(name.to_string()));
        }
        let (expected, suggestion) = match tail.split_once("expected") {
            // serde lists the table's keys in backticks: `expected one of
            // `a`, `b``, `expected `a` or `b``, `expected `a``.
            Some((_, expected)) => {
                let known = expected.split('`').skip(1).step_by(2);
                (
                    format!(" (expected{expected})"),
                    crate::error::did_you_mean(name, known),
                )
            }
            None => (String::new(), String::new()),
        };
        let rule = Rule::KnownKey;
        return (
            rule,
            rule.message_with(&[("expected", &expected), ("suggestion", &suggestion)]),
        );
    }
    let integer_fits = |got: &str| {
        let digits = got.split('`').nth(1).unwrap_or(got);
        let rule = Rule::IntegerFits;
        (rule, rule.message_with(&[("got", &digits)]))
    };
    if let Some(got) = message.strip_prefix("invalid value: ") {
        // An integer from 2^63 to 2^64 - 1, for an `i64` key.
        if got.starts_with("integer `") {
            return integer_fits(got);
        }
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        if got.contains(" as i128") || got.contains(" as u128") {
            return integer_fits(got);
        }
        let expected = match expected {
            "f32" | "f64" => "a number",
            "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => {
                "an integer"
            }
            "a sequence" => "an array",
            e if e.starts_with("struct ") || e == "a map" => "a table",
            e => e,
        };
        let got = match got {
            "map" if is_datetime => format!("the date/time {}", written.trim()),
            "map" => "a table".to_string(),
            "sequence" => "an array".to_string(),
            // `[[jobs.NAME.bonus]]` where `[jobs.NAME.bonus]` belongs.
            "array of tables" if written.trim_start().starts_with("[[") => {
                format!("an array of tables (`[[{key}]]`; write `[{key}]`)")
            }
            "array of tables" => "an array of tables".to_string(),
            // serde's `string "5"`: say `the string "5"`, like the others.
            g if g.starts_with("string ") => format!("the {g}"),
            g => g
                .replace("floating point", "the number")
                .replace("integer", "the integer")
                .replace("boolean", "the boolean")
                .replace('`', ""),
        };
        let rule = Rule::ValueType;
        return (
            rule,
            rule.message_with(&[("expected", &expected), ("got", &got)]),
        );
    }
    // Not known to be reachable (see above); should it be, the message is
    // still a broken ValueType in the file's terms, without serde's words.
    let rule = Rule::ValueType;
    (
        rule,
        rule.message_with(&[
            (
                "expected",
                &"of the type docs/reference.md gives for this key",
            ),
            ("got", &"a value of another shape"),
        ]),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
[simulation]
years = 2

[market]
drift = 0.07
volatility = 0.16

[companies.c]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
exit_multiple = { median = 1.5, sigma = 0.9 }
layoffs = { rate = 0.05 }

[jobs.j]
company = "c"
base = 1
raise = { mean = 0.03 }
promotion = { rate = 0.1 }
bonus = { target = 0.1 }
grants = [{ kind = "rsu", units = 10, vesting = [100] }]
refresh = { value = 1, every_years = 1 }

[jobs.k]
company = "c"
base_raise = { min = 0, max = 0.1 }
layoffs = { rate = 0.02 }

[ladders.l]
levels = ["a"]
base = [1]

[jobs.m]
ladder = "l"
level = "a"
base = { p10 = 1, p50 = 2, p90 = 3 }

[strategies.s]
path = [{ job = "j", years = 1 }, { job = "k" }]
"#;

    /// Every table of `raw.rs` refuses an array in its place, positional
    /// (`bonus = [0.1]`) or of tables (`[[jobs.j.bonus]]`), naming its key.
    #[test]
    fn every_table_refuses_an_array_in_its_place() {
        parse("valid.toml", VALID).expect("the base scenario is valid");
        let cases = [
            ("[simulation]\nyears = 2", "simulation = [2]", "simulation"),
            ("[companies.c]\n", "[[companies.c]]\n", "companies.c"),
            (
                "exit_multiple = { median = 1.5, sigma = 0.9 }",
                "exit_multiple = [1.5, 0.9]",
                "companies.c.exit_multiple",
            ),
            ("[jobs.j]\n", "[[jobs.j]]\n", "jobs.j"),
            ("raise = { mean = 0.03 }", "raise = [0.03]", "jobs.j.raise"),
            (
                "promotion = { rate = 0.1 }",
                "promotion = [0.1]",
                "jobs.j.promotion",
            ),
            ("bonus = { target = 0.1 }", "bonus = [0.1]", "jobs.j.bonus"),
            (
                "grants = [{ kind = \"rsu\", units = 10, vesting = [100] }]",
                "grants = [[\"rsu\", 10, [100]]]",
                "jobs.j.grants[0]",
            ),
            (
                "refresh = { value = 1, every_years = 1 }",
                "refresh = [1, 1]",
                "jobs.j.refresh",
            ),
            (
                "base_raise = { min = 0, max = 0.1 }",
                "base_raise = [0, 0.1]",
                "jobs.k.base_raise",
            ),
            ("[market]\n", "[[market]]\n", "market"),
            (
                "layoffs = { rate = 0.05 }",
                "layoffs = [0.05]",
                "companies.c.layoffs",
            ),
            (
                "layoffs = { rate = 0.02 }",
                "layoffs = [0.02]",
                "jobs.k.layoffs",
            ),
            ("[strategies.s]\n", "[[strategies.s]]\n", "strategies.s"),
            ("[ladders.l]\n", "[[ladders.l]]\n", "ladders.l"),
            (
                "path = [{ job = \"j\", years = 1 }, { job = \"k\" }]",
                "path = [[\"j\", 1], { job = \"k\" }]",
                "strategies.s.path[0]",
            ),
        ];
        for (from, to, key) in cases {
            assert!(VALID.contains(from), "{from}");
            let text = VALID.replacen(from, to, 1);
            let e = parse("t.toml", &text).expect_err(to);
            assert_eq!(e.rule, Rule::ValueType, "{to}: {e}");
            assert_eq!(e.key.to_string(), key, "{to}: {e}");
            assert!(
                e.message.starts_with("must be a table, got an array"),
                "{to}: {e}"
            );
        }
    }

    /// `base` takes a number or a table, never an array: its message says
    /// both.
    #[test]
    fn a_base_refuses_an_array_as_a_number_or_a_table() {
        for (to, got) in [
            ("base = [1, 2, 3]", "an array"),
            (
                "[[jobs.m.base]]\np10 = 1",
                "an array of tables (`[[jobs.m.base]]`; write `[jobs.m.base]`)",
            ),
        ] {
            let text = VALID.replacen("base = { p10 = 1, p50 = 2, p90 = 3 }", to, 1);
            let e = parse("t.toml", &text).expect_err(to);
            assert_eq!(e.rule, Rule::ValueType, "{to}: {e}");
            assert_eq!(e.key.to_string(), "jobs.m.base", "{to}: {e}");
            assert_eq!(
                e.message,
                format!("must be a number or a table, got {got}"),
                "{to}"
            );
        }
    }

    #[test]
    fn bounded_reads_refuse_a_stream_past_the_limit() {
        let e = read_bounded(Path::new("/dev/zero")).expect_err("/dev/zero is endless");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            format!(
                "scenario /dev/zero is more than {MAX_FILE_BYTES} bytes; the limit is {MAX_FILE_BYTES} bytes"
            )
        );
        let dir = tempfile::tempdir().unwrap();
        let at_limit = dir.path().join("at-limit.toml");
        std::fs::write(&at_limit, vec![b'#'; MAX_FILE_BYTES as usize]).unwrap();
        assert_eq!(
            read_bounded(&at_limit).unwrap().len() as u64,
            MAX_FILE_BYTES
        );
    }
}
