//! Errors a user can act on, and how they map to exit codes.
//!
//! Exit codes follow ripgrep: 0 success, 1 a runtime failure (I/O), 2 bad
//! input (scenario file or command-line values), 130 interrupted.

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
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
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
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} {}", self.key, self.message)
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
            // 128 + the signal's number, as a shell reports a process the
            // signal killed: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
            AppError::Interrupted(signal) => 128 + signal,
        }
    }
}
