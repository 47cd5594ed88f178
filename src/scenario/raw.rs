//! The scenario file as written: serde structs that mirror the TOML shape.
//! Nothing here is trusted; `check.rs` turns it into the checked model.
//!
//! Every table denies unknown keys so a typo is an error, not a silent
//! default. Integers are read as `i64` and floats as `f64` so that range
//! errors are ours to report, with the key and the bad value.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: Option<RawSimulation>,
    #[serde(default)]
    pub companies: IndexMap<String, RawCompany>,
    #[serde(default)]
    pub jobs: IndexMap<String, RawJob>,
    #[serde(default)]
    pub strategies: IndexMap<String, RawStrategy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub years: Option<i64>,
    pub runs: Option<i64>,
    pub seed: Option<i64>,
    pub steps_per_year: Option<i64>,
    pub percentiles: Option<Vec<f64>>,
    pub baseline: Option<String>,
}

/// Both company types share one table shape; `check.rs` rejects keys that
/// belong to the other type with a message naming the type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExitMultiple {
    pub median: Option<f64>,
    pub sigma: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    pub company: Option<String>,
    pub base: Option<f64>,
    pub base_raise: Option<RawRange>,
    pub raise: Option<RawRaise>,
    pub promotion: Option<RawPromotion>,
    pub bonus: Option<RawBonus>,
    pub sign_on: Option<Vec<f64>>,
    #[serde(default)]
    pub grants: Vec<RawGrant>,
    pub refresh: Option<RawRefresh>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRaise {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPromotion {
    pub rate: Option<f64>,
    pub raise: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBonus {
    pub target: Option<f64>,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRefresh {
    pub value: Option<f64>,
    pub every_years: Option<i64>,
    pub first_after_years: Option<i64>,
    pub vesting: Option<Vec<f64>>,
    pub frequency: Option<String>,
    pub cliff_months: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategy {
    pub path: Option<Vec<RawStint>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStint {
    pub job: Option<String>,
    pub years: Option<i64>,
}
