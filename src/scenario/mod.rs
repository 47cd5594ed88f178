//! Scenario files: TOML text in, checked [`Scenario`] out, or one
//! [`ScenarioError`] naming the file, line, column, key and rule.

pub mod check;
mod locate;
mod raw;

use std::path::Path;

use crate::error::{AppError, KeyPath, ScenarioError, Seg};
use crate::model::Scenario;
use locate::{Locator, line_col};

/// Largest scenario file accepted, in bytes; a real one is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, AppError> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| AppError::Usage(format!("cannot read scenario {label}: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(AppError::Usage(format!(
            "scenario {label} is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
            meta.len()
        )));
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
                message: "the file is not valid UTF-8 text".into(),
            })
        }
    }
}

/// Checks `text` as a scenario file named `label`.
pub fn parse(label: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let at = |offset: usize, key: KeyPath, message: String| {
        let (line, column) = line_col(text, offset);
        ScenarioError {
            file: label.to_string(),
            line,
            column,
            key,
            message,
        }
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(
            offset,
            KeyPath::root(),
            format!("invalid TOML: {}", e.message().trim()),
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
        let mut message = inner.message().trim().to_string();
        if let Some(span) = &span {
            // An unknown key's span is the key itself: name it in the path.
            if message.starts_with("unknown field") {
                let k = text
                    .get(span.clone())
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_string();
                if !k.is_empty() && key.0.last() != Some(&Seg::Key(k.clone())) {
                    key.0.push(Seg::Key(k));
                }
                message = match message.split_once(", expected") {
                    Some((_, expected)) => format!("is not a known key (expected{expected})"),
                    None => "is not a known key".to_string(),
                };
            } else {
                message = format!("has the wrong type: {message}");
            }
        }
        let offset = span.map_or_else(|| Locator::new(text).span(&key).start, |s| s.start);
        at(offset, key, message)
    })?;
    check::check(&raw).map_err(|f| {
        let span = Locator::new(text).span(&f.key);
        at(span.start, f.key, f.message)
    })
}
