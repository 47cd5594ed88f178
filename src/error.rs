//! Errors a user can act on, and how they map to exit codes.
//!
//! Exit codes follow ripgrep: 0 success, 1 a runtime failure (I/O), 2 bad
//! input (scenario file or command-line values), 130 interrupted; and 3
//! for a merge that needs some shards rerun (a bracket miss).

use std::fmt;
use std::path::PathBuf;

use crate::scenario::Rule;

/// One segment of a key path into the scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A key path such as `jobs.current.grants[0].vesting`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The empty path (the document root).
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
        KeyPath(v)
    }
    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        KeyPath(v)
    }
    /// True for the document root.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    let bare = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        // Quoted as TOML writes it, the quote and backslash
                        // escaped; anything unprintable as `escape` shows it.
                        f.write_str("\"")?;
                        for c in k.chars() {
                            match c {
                                '"' | '\\' => write!(f, "\\{c}")?,
                                c => match escape_char(c) {
                                    Some(e) => write!(f, "{e}")?,
                                    None => write!(f, "{c}")?,
                                },
                            }
                        }
                        f.write_str("\"")?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// User text made safe to print in a message: every character a terminal
/// would not show as itself (control characters such as ESC, line breaks,
/// tabs, format characters such as a right-to-left override, combining
/// marks, unassigned code points) is written as Rust's `escape_debug` writes
/// it (`\u{1b}`, `\n`, `\t`, `\u{202e}`); everything else, quotes and
/// backslashes included, is kept as it is. Escaping escaped text changes
/// nothing, so a value may pass through twice.
///
/// Every piece of user text in a [`ScenarioError`] goes through here: the
/// values of a rule's message (`Rule::message_with`), the keys of a
/// [`KeyPath`] and the file name.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| escape_char(c).is_none()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match escape_char(c) {
            Some(e) => out.extend(e),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How [`escape`] writes `c`: `None` when `c` prints as itself.
fn escape_char(c: char) -> Option<std::char::EscapeDebug> {
    match c {
        // escape_debug escapes these for Rust literals; they print fine.
        '"' | '\'' | '\\' => None,
        c => {
            let e = c.escape_debug();
            (e.len() > 1).then_some(e)
        }
    }
}

/// How alike two names must be for one to be offered as a typo of the
/// other: a Jaro-Winkler similarity (Winkler 1990: the Jaro score raised
/// for a common prefix of up to 4 characters, as strsim computes it) of at
/// least 0.8. The prefix weight suits keys, whose typos are mostly in the
/// middle or the end (`volatilty`, `cliff` for `cliff_months`, `vol`);
/// clap's own suggestions take Jaro above 0.7, a looser bar than this one.
/// `salary` (for any job key) and `yrs` (for `years`) stay below it.
pub const SIMILAR_AT_LEAST: f64 = 0.8;

/// The name in `known` closest to `got` (case aside), if it is close
/// enough to be what was meant ([`SIMILAR_AT_LEAST`]); the first such in
/// `known`'s order on a tie, so the answer never depends on a hash.
pub fn closest<'a>(got: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = got.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for name in known {
        if name == got {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &name.to_lowercase());
        if score >= SIMILAR_AT_LEAST && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `; did you mean `NAME`?` for the [`closest`] known name, or nothing: the
/// `{suggestion}` of a rule's message and of the command line's errors.
pub fn did_you_mean<'a>(got: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match closest(got, known) {
        Some(name) => format!("; did you mean `{name}`?"),
        None => String::new(),
    }
}

/// An invalid scenario: where, which key, and what rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Key path the error is about (empty for a syntax error before any key).
    pub key: KeyPath,
    /// The rule the file breaks.
    pub rule: Rule,
    /// The rule's message with the bad value filled in, e.g.
    /// `must be in [0, 1], got 1.5`.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", escape(&self.file), self.line, self.column)?;
        // The message is escaped already (see `escape`); again, in case.
        let message = escape(&self.message);
        if self.key.is_empty() {
            f.write_str(&message)
        } else {
            write!(f, "{} {message}", self.key)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The usual name of a signal that stops a run.
fn signal_name(signal: i32) -> String {
    match signal {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// Everything `tcsim` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The scenario file is invalid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A command-line value is invalid.
    #[error("{0}")]
    Usage(String),
    /// The run would not fit in memory.
    #[error("{0}")]
    Memory(String),
    /// `tcsim merge` met a bracket miss: some shards must be rerun with
    /// `--resolve` (the message says which and how).
    #[error("{0}")]
    Rerun(String),
    /// A signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP; its number) stopped
    /// the run; nothing was written.
    #[error("interrupted by {}; no output was written", signal_name(*.0))]
    Interrupted(i32),
    /// A table whose rows do not match its header, or another broken
    /// invariant: a bug, reported rather than written.
    #[error("internal error: {0}; please report it")]
    Internal(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl AppError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Scenario(_) | AppError::Usage(_) => 2,
            AppError::Io { .. } | AppError::Memory(_) | AppError::Internal(_) => 1,
            AppError::Rerun(_) => 3,
            // 128 + the signal's number, as a shell reports a process the
            // signal killed: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
            AppError::Interrupted(signal) => 128 + signal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_shows_unprintable_characters_as_rust_escapes() {
        assert_eq!(
            escape("plain \"text\" it's a\\b"),
            "plain \"text\" it's a\\b"
        );
        assert_eq!(escape("caf\u{e9}"), "caf\u{e9}");
        assert_eq!(
            escape("\u{1b}[2J\n\t\r\0\u{7}"),
            "\\u{1b}[2J\\n\\t\\r\\0\\u{7}"
        );
        assert_eq!(
            escape("a\u{202e}b\u{200b}c\u{85}"),
            "a\\u{202e}b\\u{200b}c\\u{85}"
        );
        assert_eq!(escape("e\u{301}"), "e\\u{301}");
        // Escaped text is printable, so escaping it again changes nothing.
        let once = escape("\u{1b}]0;x\u{7}\n").into_owned();
        assert_eq!(escape(&once), once);
        assert!(once.bytes().all(|b| (0x20..0x7f).contains(&b)), "{once}");
    }

    #[test]
    fn key_paths_quote_keys_that_are_not_bare_and_escape_them() {
        let p = KeyPath::root()
            .key("jobs")
            .key("senior.eng")
            .key("grants")
            .index(0);
        assert_eq!(p.to_string(), "jobs.\"senior.eng\".grants[0]");
        let q = KeyPath::root().key("simulation").key("\u{1b}[31m\"q\"\\");
        assert_eq!(q.to_string(), "simulation.\"\\u{1b}[31m\\\"q\\\"\\\\\"");
        assert_eq!(KeyPath::root().key("").to_string(), "\"\"");
    }

    #[test]
    fn a_near_miss_is_offered_and_a_far_one_is_not() {
        let company = ["type", "share_price", "drift", "volatility", "layoffs"];
        for typo in ["volatilty", "volatiliy", "Volatility", "vol", "volatility_"] {
            assert_eq!(closest(typo, company), Some("volatility"), "{typo}");
        }
        assert_eq!(closest("drfit", company), Some("drift"));
        assert_eq!(closest("beta", company), None);
        assert_eq!(closest("yrs", ["job", "years", "months"]), None);
        assert_eq!(
            closest("cliff", ["vesting", "cliff_months", "frequency"]),
            Some("cliff_months")
        );
        // The closest of several close names, and the first on a tie.
        assert_eq!(
            closest("promotion_raises", ["promotion_rate", "promotion_raise"]),
            Some("promotion_raise")
        );
        assert_eq!(closest("ab", ["abc", "abd"]), Some("abc"));
        assert_eq!(closest("x", std::iter::empty()), None);
        assert_eq!(did_you_mean("stya", ["stay"]), "; did you mean `stay`?");
        assert_eq!(did_you_mean("othertech", ["bigco"]), "");
    }

    #[test]
    fn a_scenario_error_prints_no_control_character() {
        let e = ScenarioError {
            file: "a\u{1b}b.toml".into(),
            line: 1,
            column: 2,
            key: KeyPath::root().key("\n"),
            rule: Rule::KnownKey,
            message: "got \u{1b}[2J".into(),
        };
        assert_eq!(e.to_string(), "a\\u{1b}b.toml:1:2: \"\\n\" got \\u{1b}[2J");
    }
}
