//! Positions in the scenario text: byte offsets to line and column, and key
//! paths to the span of the value they name.
//!
//! The checked model keeps no spans; when a rule fails, the checker names the
//! key path and this module finds where that key is written, using the
//! spanned tree that the TOML parser builds.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{KeyPath, Seg};

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    // Step back to a char boundary so slicing cannot panic.
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The spanned document, parsed once for locating keys.
pub struct Locator<'a> {
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    /// Parses `text` for locating; a document that fails to parse locates
    /// nothing (its syntax error is reported by the parser itself).
    pub fn new(text: &'a str) -> Self {
        Locator {
            root: DeTable::parse(text).ok(),
        }
    }

    /// Byte span of the deepest existing prefix of `path`: the value when the
    /// whole path exists, else the key or table that should have held it.
    pub fn span(&self, path: &KeyPath) -> Range<usize> {
        let Some(root) = &self.root else { return 0..0 };
        let mut best = 0..0;
        let mut current: Option<&DeValue<'a>> = None;
        let mut table: Option<&DeTable<'a>> = Some(root.get_ref());
        for (depth, seg) in path.0.iter().enumerate() {
            let found = match seg {
                Seg::Key(k) => table
                    .and_then(|t| {
                        t.iter()
                            .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    })
                    .map(|(key, value)| (key.span(), value)),
                Seg::Index(i) => current
                    .and_then(|c| c.as_array())
                    .and_then(|a| a.get(*i))
                    .map(|v| (v.span(), v)),
            };
            let Some((key_span, value)) = found else {
                return best;
            };
            // Point at a scalar value itself, at a table or array by its key:
            // a table's own span can cover a whole section.
            let is_leaf = depth + 1 == path.0.len();
            best = match value.get_ref() {
                DeValue::Table(_) | DeValue::Array(_) => key_span,
                _ if is_leaf => value.span(),
                _ => key_span,
            };
            current = Some(value.get_ref());
            table = value.get_ref().as_table();
        }
        best
    }
}
