//! The tax tables: one TOML file per jurisdiction and table year under
//! `data/tax/YEAR/`, compiled into the binary, parsed and checked once.

use std::fmt;

/// The tables of one table year, as read from the data files.
#[derive(Debug, Clone)]
pub struct Tables {
    /// The table year (e.g. 2026).
    pub year: u32,
    /// State codes in a fixed order (`"CA"`, `"NY"`, ...), including the
    /// states without a wage tax.
    pub states: Vec<String>,
    /// City codes (`"NYC"`), each belonging to one state.
    pub cities: Vec<(String, usize)>,
}

/// The tables indexed to one simulation year: every threshold the law
/// indexes grown by `(1 + inflation)^k`, rates unchanged.
#[derive(Debug, Clone)]
pub struct YearTables {}

/// A data file that does not hold a valid table: which file, which key,
/// what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    /// The data file, relative to the repository (`data/tax/2026/ca.toml`).
    pub file: String,
    /// The key, dotted (`brackets.single`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.key, self.message)
    }
}

impl Tables {
    /// The table years compiled in.
    pub fn years() -> &'static [u32] {
        &[2026]
    }

    /// The compiled-in tables of `year`.
    pub fn load(year: u32) -> Result<Tables, TableError> {
        let _ = year;
        unimplemented!("the tax tables")
    }

    /// The state with this two-letter code.
    pub fn state(&self, code: &str) -> Option<usize> {
        self.states.iter().position(|s| s == code)
    }

    /// The city with this code, in state `state`.
    pub fn city(&self, state: usize, code: &str) -> Option<usize> {
        self.cities.iter().position(|(c, s)| c == code && *s == state)
    }

    /// The tables of simulation year `k` (0-based: `k = 0` is the table
    /// year), thresholds indexed by `inflation` where the law indexes them.
    pub fn for_year(&self, k: u32, inflation: f64) -> YearTables {
        let _ = (k, inflation);
        unimplemented!("the tax tables")
    }
}
