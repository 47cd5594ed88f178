//! The scenario file as written: serde structs that mirror the TOML shape.
//! Nothing here is trusted; `check.rs` turns it into the checked model.
//!
//! Every table denies unknown keys so a typo is an error, not a silent
//! default. Integers are read as `i64` and floats as `f64` so that range
//! errors are ours to report, with the key and the bad value.
//!
//! Every table is a table: serde's derive would also take a struct from an
//! array of its fields in order (`bonus = [0.15, 0.25]`), silently dropping
//! any extra elements. So each struct derives its deserializer under
//! `remote = "Self"` (an inherent `deserialize`) and [`tables!`] implements
//! `Deserialize` with it, through [`TableOnly`], which refuses an array:
//! `must be a table, got an array` (or `an array of tables`, for
//! `[[jobs.NAME.bonus]]`). The key walk in `keys.rs` checks that every
//! struct it meets does.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

/// What a table's visitor expects, in the file's words; `keys.rs` looks for
/// it to prove that a struct refuses arrays.
pub const EXPECTING_TABLE: &str = "a table";

/// What the visitor of a key that holds a number or a table (`base`)
/// expects; `keys.rs` accepts it as refusing arrays too.
pub const EXPECTING_NUMBER_OR_TABLE: &str = "a number or a table";

/// Implements `Deserialize` for each struct through its derived inherent
/// `deserialize` (from `#[serde(remote = "Self")]`), wrapped in
/// [`TableOnly`].
macro_rules! tables {
    ($($t:ident),* $(,)?) => {
        $(
            impl<'de> Deserialize<'de> for $t {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    $t::deserialize(TableOnly(d))
                }
            }
        )*
    };
}

tables!(
    RawScenario,
    RawSimulation,
    RawMarket,
    RawTax,
    RawCompany,
    RawLayoffs,
    RawExitMultiple,
    RawRounds,
    RawStepUp,
    RawAfterIpo,
    RawLadder,
    RawJob,
    RawPercentiles,
    RawRange,
    RawRaise,
    RawPromotion,
    RawBonus,
    RawGrant,
    RawRefresh,
    RawStrategy,
    RawStint,
);

/// A deserializer whose structs accept only a table (a map), never an array.
struct TableOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for TableOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, NoSeq(visitor))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// A struct's visitor that takes a table and refuses everything else, an
/// array included, as "expected a table".
struct NoSeq<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for NoSeq<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING_TABLE)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V::Value, A::Error> {
        // `[[a.b]]` makes an array of tables where one table belongs: say so.
        let got = match seq.next_element_seed(IsTable)? {
            Some(true) => Unexpected::Other("array of tables"),
            _ => Unexpected::Seq,
        };
        Err(de::Error::invalid_type(got, &self))
    }
}

/// Reads any value, answering whether it was a table.
struct IsTable;

impl<'de> DeserializeSeed<'de> for IsTable {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IsTable {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i128<E>(self, _: i128) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u128<E>(self, _: u128) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: Option<RawSimulation>,
    pub market: Option<RawMarket>,
    pub tax: Option<RawTax>,
    #[serde(default)]
    pub companies: IndexMap<String, RawCompany>,
    #[serde(default)]
    pub ladders: IndexMap<String, RawLadder>,
    #[serde(default)]
    pub jobs: IndexMap<String, RawJob>,
    #[serde(default)]
    pub strategies: IndexMap<String, RawStrategy>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawSimulation {
    pub years: Option<i64>,
    pub runs: Option<i64>,
    pub seed: Option<i64>,
    pub steps_per_year: Option<i64>,
    pub percentiles: Option<Vec<f64>>,
    pub baseline: Option<String>,
    pub compare: Option<Vec<Vec<String>>>,
    pub risk_aversion: Option<f64>,
    pub wealth: Option<f64>,
    pub discount_rate: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawMarket {
    pub drift: Option<f64>,
    pub volatility: Option<f64>,
}

/// `[tax]` (model.md section 10).
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawTax {
    pub year: Option<i64>,
    pub filing: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub inflation: Option<f64>,
    pub other_income: Option<f64>,
    pub itemized_deductions: Option<f64>,
}

/// Both company types share one table shape; `check.rs` rejects keys that
/// belong to the other type with a message naming the type.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawCompany {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    // public
    pub share_price: Option<f64>,
    pub drift: Option<f64>,
    pub volatility: Option<f64>,
    // private
    pub valuation: Option<f64>,
    pub shares: Option<f64>,
    pub preference: Option<f64>,
    pub preferred_fraction: Option<f64>,
    pub exit_rate: Option<f64>,
    pub failure_rate: Option<f64>,
    pub ipo_fraction: Option<f64>,
    pub exit_multiple: Option<RawExitMultiple>,
    pub dilution: Option<f64>,
    pub exit_month: Option<i64>,
    pub rounds: Option<RawRounds>,
    pub after_ipo: Option<RawAfterIpo>,
    pub on_acquisition: Option<String>,
    pub fmv_fraction: Option<f64>,
    // either type
    pub market_correlation: Option<f64>,
    pub layoffs: Option<RawLayoffs>,
}

/// A `layoffs` table, on a company or on a job.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawLayoffs {
    pub rate: Option<f64>,
    pub market_sensitivity: Option<f64>,
    pub severance_weeks: Option<f64>,
    pub weeks_per_year: Option<f64>,
    pub vesting_months: Option<i64>,
    pub rehire_months: Option<i64>,
    pub rehire_pay: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawExitMultiple {
    pub median: Option<f64>,
    pub sigma: Option<f64>,
}

/// `rounds = { rate, step_up = { median, sigma }, dilution }`.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawRounds {
    pub rate: Option<f64>,
    pub step_up: Option<RawStepUp>,
    pub dilution: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawStepUp {
    pub median: Option<f64>,
    pub sigma: Option<f64>,
}

/// `after_ipo = { drift, volatility, lockup_months }`.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawAfterIpo {
    pub drift: Option<f64>,
    pub volatility: Option<f64>,
    pub lockup_months: Option<i64>,
}

/// `[ladders.NAME]` (model.md section 11): every array has one entry per
/// level, checked in `check.rs`.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawLadder {
    pub levels: Option<Vec<String>>,
    pub base: Option<Vec<f64>>,
    pub bonus_target: Option<Vec<f64>>,
    pub refresh: Option<Vec<f64>>,
    pub promotion_rate: Option<Vec<f64>>,
    pub min_years: Option<Vec<i64>>,
    pub promotion_grant: Option<Vec<f64>>,
    pub promotion_raise: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawJob {
    pub company: Option<String>,
    pub base: Option<RawBase>,
    pub base_raise: Option<RawRange>,
    pub ladder: Option<String>,
    pub level: Option<RawLevel>,
    pub pay_factor: Option<f64>,
    pub raise: Option<RawRaise>,
    pub promotion: Option<RawPromotion>,
    pub bonus: Option<RawBonus>,
    pub sign_on: Option<Vec<f64>>,
    pub sign_on_clawback_months: Option<i64>,
    #[serde(default)]
    pub grants: Vec<RawGrant>,
    pub refresh: Option<RawRefresh>,
    pub layoffs: Option<RawLayoffs>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub price_parity: Option<f64>,
}

/// `base_raise`: `{ min, max }` (uniform) or `{ p10, p50, p90 }` (split
/// normal); `check.rs` refuses a mix.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// `base = { p10, p50, p90 }`: market pay.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawPercentiles {
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// The keys of [`RawPercentiles`], in its order: what a `base` table is
/// asked for (tested against the struct by the key walk).
const PERCENTILE_KEYS: &[&str] = &["p10", "p50", "p90"];

/// A job's `base`: a number of dollars, or market pay as a table.
#[derive(Debug)]
pub enum RawBase {
    Amount(f64),
    Market(RawPercentiles),
}

impl<'de> Deserialize<'de> for RawBase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Asked as a struct, so the key walk sees its table's keys; the
        // TOML deserializer hands a number to the same visitor.
        d.deserialize_struct("RawPercentiles", PERCENTILE_KEYS, BaseVisitor)
    }
}

struct BaseVisitor;

impl<'de> Visitor<'de> for BaseVisitor {
    type Value = RawBase;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING_NUMBER_OR_TABLE)
    }

    fn visit_f64<E>(self, x: f64) -> Result<RawBase, E> {
        Ok(RawBase::Amount(x))
    }

    fn visit_i64<E>(self, x: i64) -> Result<RawBase, E> {
        Ok(RawBase::Amount(x as f64))
    }

    fn visit_u64<E>(self, x: u64) -> Result<RawBase, E> {
        Ok(RawBase::Amount(x as f64))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawBase, A::Error> {
        <RawPercentiles as Deserialize>::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(RawBase::Market)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawBase, A::Error> {
        // As a table's visitor says it (`NoSeq`).
        let got = match seq.next_element_seed(IsTable)? {
            Some(true) => Unexpected::Other("array of tables"),
            _ => Unexpected::Seq,
        };
        Err(de::Error::invalid_type(got, &self))
    }
}

/// A job's `level`: a string, or the integer TOML makes of an unquoted
/// `+1` (refused by `check.rs` with a hint to quote it).
#[derive(Debug)]
pub enum RawLevel {
    Name(String),
    Integer(i64),
}

impl<'de> Deserialize<'de> for RawLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(LevelVisitor)
    }
}

struct LevelVisitor;

impl<'de> Visitor<'de> for LevelVisitor {
    type Value = RawLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<RawLevel, E> {
        Ok(RawLevel::Name(s.to_string()))
    }

    fn visit_i64<E>(self, x: i64) -> Result<RawLevel, E> {
        Ok(RawLevel::Integer(x))
    }
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawRaise {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawPromotion {
    pub rate: Option<f64>,
    pub raise: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawBonus {
    pub target: Option<f64>,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub company_link: Option<f64>,
    pub distribution: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawGrant {
    pub kind: Option<String>,
    pub value: Option<f64>,
    pub units: Option<f64>,
    pub strike: Option<f64>,
    pub vesting: Option<Vec<f64>>,
    pub frequency: Option<String>,
    pub cliff_months: Option<i64>,
    pub granted_months_ago: Option<i64>,
    pub on_leave: Option<String>,
    pub exercise_window_months: Option<i64>,
    pub tax_type: Option<String>,
}

/// `Default`: the table a job on a ladder without one takes.
#[derive(Debug, Default, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawRefresh {
    pub value: Option<f64>,
    pub every_years: Option<i64>,
    pub first_after_years: Option<i64>,
    pub vesting: Option<Vec<f64>>,
    pub frequency: Option<String>,
    pub cliff_months: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawStrategy {
    pub path: Option<Vec<RawStint>>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RawStint {
    pub job: Option<String>,
    pub years: Option<i64>,
    pub months: Option<i64>,
}
