//! Turns the raw file into the checked model, one rule at a time. The first
//! broken rule stops the check with the key path, the [`Rule`] and its
//! message with the bad value filled in.
//!
//! The limits below keep every later computation finite: with them the
//! largest possible share price is about `1e7 * exp(50 + 2 * sqrt(50) * 9)`,
//! around 1e51, and the largest dollar total stays far below `f64::MAX`.

use std::fmt::Display;

use super::raw::*;
use super::rules::Rule;
use crate::error::KeyPath;
use crate::model::*;
use crate::vesting::{Frequency, Schedule};

/// Longest horizon, in years.
pub const MAX_YEARS: i64 = 50;
/// Most runs one scenario may ask for.
pub const MAX_RUNS: i64 = 1_000_000_000;
/// Largest amount of money any single key may hold, in dollars.
pub const MAX_MONEY: f64 = 1e12;
/// Largest share price.
pub const MAX_SHARE_PRICE: f64 = 1e7;
/// Smallest share price: a `value` grant divides by the price, so a price
/// near zero would make the unit count infinite.
pub const MIN_SHARE_PRICE: f64 = 1e-4;
/// Largest unit count of a grant, and largest private share count.
pub const MAX_UNITS: f64 = 1e13;
/// Largest private valuation or preference, in dollars.
pub const MAX_VALUATION: f64 = 1e14;
/// Most grants one job may have.
pub const MAX_GRANTS: usize = 64;
/// Most vesting years of a grant.
pub const MAX_VESTING_YEARS: usize = 10;
/// Default percentiles (docs/reference.md, "Output files").
pub const DEFAULT_PERCENTILES: [f64; 7] = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0];
/// Default number of runs.
pub const DEFAULT_RUNS: u64 = 10_000;
/// Longest name of a company, job or strategy, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// `layoffs.rehire_months` when the table leaves it out.
pub const DEFAULT_REHIRE_MONTHS: i64 = 3;
/// `bonus.max` of the normal multiplier when the table leaves it out.
pub const DEFAULT_BONUS_MAX: f64 = 2.0;
/// `bonus.max` of the lognormal multiplier when the table leaves it out.
pub const DEFAULT_LOGNORMAL_BONUS_MAX: f64 = 20.0;
/// Longest sign-on clawback, in months.
pub const MAX_CLAWBACK_MONTHS: i64 = 120;
/// Longest lockup after an IPO, in months.
pub const MAX_LOCKUP_MONTHS: i64 = 120;
/// Longest exercise window of an option grant, in months (50 years, the
/// longest horizon).
pub const MAX_EXERCISE_WINDOW_MONTHS: i64 = 600;
/// `exercise_window_months` when the grant leaves it out: the 90-day norm.
pub const DEFAULT_EXERCISE_WINDOW_MONTHS: u32 = 3;
/// `[tax] inflation` when the table leaves it out: the yearly indexing of
/// the brackets after the table year (model.md section 10's example).
pub const DEFAULT_TAX_INFLATION: f64 = 0.025;
/// Most levels of one ladder.
pub const MAX_LEVELS: usize = 64;
/// Largest `promotion_raise` of a ladder.
pub const MAX_PROMOTION_RAISE: f64 = 10.0;
/// Largest `pay_factor` of a job on a ladder.
pub const MAX_PAY_FACTOR: f64 = 10.0;
/// Smallest and largest `price_parity` of a job: each month's cash is
/// divided by it, so it stays well away from 0.
pub const MIN_PRICE_PARITY: f64 = 0.1;
/// See [`MIN_PRICE_PARITY`].
pub const MAX_PRICE_PARITY: f64 = 10.0;
/// Smallest percentile of a market base, in dollars: with it the split
/// lognormal's upper tail stays finite whatever the ratio of the points.
pub const MIN_MARKET_BASE: f64 = 1.0;
/// Largest percentile of a `base_raise = { p10, p50, p90 }`.
pub const MAX_SWITCH_RAISE: f64 = 10.0;
/// Most stints in one path: as many as a horizon of [`MAX_YEARS`] has years,
/// the most a path of whole-year stints could hold. Each `base_raise` stint
/// multiplies the previous stint's last base (by up to 11, and a rehire by up
/// to 10 more), so this bound is what keeps every base finite now that a
/// stint may last a single month.
pub const MAX_STINTS: usize = MAX_YEARS as usize;

/// A broken rule, before it is given a position in the file.
#[derive(Debug)]
pub struct Fail {
    pub key: KeyPath,
    pub rule: Rule,
    pub message: String,
}

type Check<T> = Result<T, Fail>;

/// Fails `rule` at `key`, with the rule's message filled in from `args`.
fn fail<T>(key: &KeyPath, rule: Rule, args: &[(&str, &dyn Display)]) -> Check<T> {
    // A key outside the rule's pattern means the check cites the wrong rule.
    debug_assert!(rule.concerns(key), "{key} is not a key of rule {rule}");
    Err(Fail {
        key: key.clone(),
        rule,
        message: rule.message_with(args),
    })
}

/// Formats a number the way the user would recognise it in their file.
pub fn show(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x.abs() >= 1e15 || x.abs() < 1e-6 {
        format!("{x:e}")
    } else {
        // Twelve significant digits hide binary noise (0.7 + 0.6 shows 1.3).
        let decimals = (11 - x.abs().log10().floor() as i32).clamp(0, 17) as usize;
        let s = format!("{x:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// Every number must be finite, whatever else its key's rule says.
fn finite(key: &KeyPath, x: f64) -> Check<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        fail(key, Rule::FiniteNumber, &[("got", &show(x))])
    }
}

/// `x` in the closed interval `[lo, hi]`, by `rule`.
fn within(key: &KeyPath, rule: Rule, x: f64, lo: f64, hi: f64) -> Check<f64> {
    finite(key, x)?;
    if x < lo || x > hi {
        return fail(
            key,
            rule,
            &[("lo", &show(lo)), ("hi", &show(hi)), ("got", &show(x))],
        );
    }
    Ok(x)
}

/// `x` in `(lo, hi]`, by `rule` (whose message says `({lo}, {hi}]` or,
/// with `lo = 0` written in it, `(0, {hi}]`).
fn above_within(key: &KeyPath, rule: Rule, x: f64, lo: f64, hi: f64) -> Check<f64> {
    finite(key, x)?;
    if x <= lo || x > hi {
        return fail(key, rule, &[("hi", &show(hi)), ("got", &show(x))]);
    }
    Ok(x)
}

/// `x` in `(0, hi]`: positive by `positive`, at most `hi` by `at_most`.
fn positive(key: &KeyPath, positive: Rule, at_most: Rule, x: f64, hi: f64) -> Check<f64> {
    finite(key, x)?;
    if x <= 0.0 {
        return fail(key, positive, &[("got", &show(x))]);
    }
    if x > hi {
        return fail(key, at_most, &[("hi", &show(hi)), ("got", &show(x))]);
    }
    Ok(x)
}

/// The integer `x` in `[lo, hi]`, by `rule`.
fn int_within(key: &KeyPath, rule: Rule, x: i64, lo: i64, hi: i64) -> Check<i64> {
    if x < lo || x > hi {
        return fail(key, rule, &[("lo", &lo), ("hi", &hi), ("got", &x)]);
    }
    Ok(x)
}

/// The value of a key that `rule` requires.
fn required<T: Copy>(key: &KeyPath, rule: Rule, v: Option<T>) -> Check<T> {
    match v {
        Some(v) => Ok(v),
        None => fail(key, rule, &[]),
    }
}

/// The `{suggestion}` of a reference to an undefined name: the defined
/// name closest to it, if one is close (`crate::error::did_you_mean`).
fn suggest<'a>(got: &str, defined: impl Iterator<Item = &'a String>) -> String {
    crate::error::did_you_mean(got, defined.map(String::as_str))
}

fn names<'a>(it: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = it.map(|s| s.as_str()).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// FNV-1a, 64-bit: a stable hash of an entity name that keys its random
/// stream (std's hashers are not stable across Rust versions).
pub fn stream_key(kind: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes().chain([b':']).chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What is wrong with `name` as the name of a company, job or strategy
/// (`None`: nothing). A name is 1 to [`MAX_NAME_CHARS`] ASCII letters,
/// digits, `_`, `-` and `.`, and starts with a letter or digit: safe as a
/// CSV cell (no formula), a command-line argument, a file name and on a
/// terminal. The reason, for [`Rule::NameAlphabet`]'s `{got}`, shows a bad
/// character escaped.
pub fn name_problem(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let Some(first) = name.chars().next() else {
        return Some("an empty name".into());
    };
    if let Some((i, c)) = name.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        return Some(format!("`{c}` at character {}", i + 1));
    }
    if !first.is_ascii_alphanumeric() {
        return Some(format!("`{first}` as the first character"));
    }
    if name.len() > MAX_NAME_CHARS {
        return Some(format!("{} characters", name.len()));
    }
    None
}

/// Every name in `names` (the keys of the table at `key`) is a safe name.
fn safe_names<'a>(key: &KeyPath, names: impl Iterator<Item = &'a String>) -> Check<()> {
    for name in names {
        if let Some(got) = name_problem(name) {
            return fail(&key.key(name), Rule::NameAlphabet, &[("got", &got)]);
        }
    }
    Ok(())
}

/// What the file says that the checked model does not keep, for `tcsim
/// check` to show: the model keeps only each job's effective `layoffs`, and
/// a private company's `after_ipo` whether written or defaulted.
#[derive(Debug, Clone, Default)]
pub struct AsWritten {
    /// Each company's own `layoffs` table, in file order.
    pub(crate) company_layoffs: Vec<Option<Layoffs>>,
    /// Whether each company writes an `after_ipo` table, in file order
    /// (else a private company's is [`AfterIpo::DEFAULT`]).
    pub(crate) company_after_ipo: Vec<bool>,
    /// Whether each job gives a `layoffs` table of its own, in file order
    /// (else its effective table, if any, is its company's).
    pub(crate) job_own_layoffs: Vec<bool>,
}

/// Checks the whole file.
pub fn check(raw: &RawScenario) -> Check<Scenario> {
    check_as_written(raw).map(|(s, _)| s)
}

/// Checks the whole file; also returns what the model does not keep.
pub fn check_as_written(raw: &RawScenario) -> Check<(Scenario, AsWritten)> {
    let root = KeyPath::root();
    // First, so that every later message names only safe names.
    safe_names(&root.key("companies"), raw.companies.keys())?;
    safe_names(&root.key("ladders"), raw.ladders.keys())?;
    safe_names(&root.key("jobs"), raw.jobs.keys())?;
    safe_names(&root.key("strategies"), raw.strategies.keys())?;
    let sim_key = root.key("simulation");
    let Some(sim) = &raw.simulation else {
        return fail(&sim_key, Rule::SimulationRequired, &[]);
    };
    let yk = sim_key.key("years");
    let years = int_within(
        &yk,
        Rule::YearsInRange,
        required(&yk, Rule::YearsRequired, sim.years)?,
        1,
        MAX_YEARS,
    )? as u32;

    let market = match &raw.market {
        Some(m) => Some(market(&root.key("market"), m)?),
        None => None,
    };

    let tax = match &raw.tax {
        Some(t) => Some(tax(&root.key("tax"), t)?),
        None => None,
    };

    let mut companies = Vec::with_capacity(raw.companies.len());
    let mut company_layoffs = Vec::with_capacity(raw.companies.len());
    for (name, c) in &raw.companies {
        let (company, table) = company(
            &root.key("companies").key(name),
            name,
            c,
            years,
            market.is_some(),
        )?;
        companies.push(company);
        company_layoffs.push(table);
    }

    let ladders = raw
        .ladders
        .iter()
        .map(|(name, l)| ladder(&root.key("ladders").key(name), name, l))
        .collect::<Check<Vec<_>>>()?;

    if raw.strategies.is_empty() {
        return fail(&root.key("strategies"), Rule::StrategiesRequired, &[]);
    }

    let mut jobs = Vec::with_capacity(raw.jobs.len());
    for (name, j) in &raw.jobs {
        jobs.push(job(
            &root.key("jobs").key(name),
            name,
            j,
            raw,
            &Employers {
                companies: &companies,
                layoffs: &company_layoffs,
                market: market.is_some(),
                tax: tax.as_ref(),
                ladders: &ladders,
            },
            years,
        )?);
    }

    let mut strategies = Vec::with_capacity(raw.strategies.len());
    for (name, s) in &raw.strategies {
        strategies.push(strategy(
            &root.key("strategies").key(name),
            name,
            s,
            raw,
            &jobs,
            years,
        )?);
    }

    let sim = simulation(&sim_key, sim, years, raw)?;
    let written = AsWritten {
        company_layoffs,
        company_after_ipo: raw
            .companies
            .values()
            .map(|c| c.after_ipo.is_some())
            .collect(),
        job_own_layoffs: raw.jobs.values().map(|j| j.layoffs.is_some()).collect(),
    };
    Ok((
        Scenario {
            sim,
            market,
            companies,
            jobs,
            strategies,
            tax,
            ladders,
        },
        written,
    ))
}

/// `[market]`: the index every company may move with.
fn market(key: &KeyPath, m: &RawMarket) -> Check<Market> {
    // The ranges of a public company's drift and volatility.
    let dk = key.key("drift");
    let drift = within(
        &dk,
        Rule::MarketDriftInRange,
        required(&dk, Rule::MarketDriftRequired, m.drift)?,
        -1.0,
        1.0,
    )?;
    let vk = key.key("volatility");
    let volatility = within(
        &vk,
        Rule::MarketVolatilityInRange,
        required(&vk, Rule::MarketVolatilityRequired, m.volatility)?,
        0.0,
        2.0,
    )?;
    Ok(Market { drift, volatility })
}

/// `[tax]`: the tables of its year, the household and the residence.
fn tax(key: &KeyPath, t: &RawTax) -> Check<TaxSettings> {
    let k = |s: &str| key.key(s);
    let supported_years = || {
        crate::tax::Tables::years()
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let year = match t.year {
        None => crate::tax::Tables::years()[0],
        Some(y) => match u32::try_from(y)
            .ok()
            .filter(|y| crate::tax::Tables::years().contains(y))
        {
            Some(y) => y,
            None => {
                return fail(
                    &k("year"),
                    Rule::TaxYearSupported,
                    &[("supported", &supported_years()), ("got", &y)],
                );
            }
        },
    };
    let tables = tax_tables(year);
    let filing = match t.filing.as_deref() {
        None | Some("single") => crate::tax::Filing::Single,
        Some("joint") => crate::tax::Filing::Joint,
        Some(other) => return fail(&k("filing"), Rule::TaxFilingKnown, &[("got", &other)]),
    };
    let sk = k("state");
    let Some(code) = &t.state else {
        return fail(
            &sk,
            Rule::TaxStateRequired,
            &[("supported", &state_codes(&tables))],
        );
    };
    let state = state_index(&sk, Rule::TaxStateKnown, &tables, code)?;
    let city = match &t.city {
        Some(c) => Some(city_index(
            &k("city"),
            Rule::TaxCityKnown,
            &tables,
            state,
            false,
            c,
        )?),
        None => None,
    };
    let inflation = within(
        &k("inflation"),
        Rule::TaxInflationInRange,
        t.inflation.unwrap_or(DEFAULT_TAX_INFLATION),
        -0.5,
        1.0,
    )?;
    let other_income = within(
        &k("other_income"),
        Rule::TaxOtherIncomeInRange,
        t.other_income.unwrap_or(0.0),
        0.0,
        MAX_MONEY,
    )?;
    let itemized_deductions = within(
        &k("itemized_deductions"),
        Rule::TaxItemizedDeductionsInRange,
        t.itemized_deductions.unwrap_or(0.0),
        0.0,
        MAX_MONEY,
    )?;
    Ok(TaxSettings {
        tables,
        household: crate::tax::Household {
            filing,
            other_income,
            itemized_deductions,
        },
        residence: crate::tax::Residence { state, city },
        inflation,
    })
}

/// The compiled-in tables of `year`, one of [`crate::tax::Tables::years`],
/// read once per process: a sweep checks every point's file, and reading
/// the tables takes longer than checking the rest of it.
fn tax_tables(year: u32) -> crate::tax::Tables {
    static TABLES: std::sync::OnceLock<Vec<crate::tax::Tables>> = std::sync::OnceLock::new();
    let all = TABLES.get_or_init(|| {
        crate::tax::Tables::years()
            .iter()
            // The tables of every year load (the tax module's tests load
            // each): a failure here is a bug in the data, not in the input.
            .map(|&y| {
                crate::tax::Tables::load(y).unwrap_or_else(|e| {
                    panic!("the compiled-in tax tables of {y} do not load: {e}")
                })
            })
            .collect()
    });
    all.iter()
        .find(|t| t.year == year)
        .cloned()
        .unwrap_or_else(|| panic!("{year} is not one of the compiled-in table years"))
}

/// The state codes of `tables`, sorted, for a message.
fn state_codes(tables: &crate::tax::Tables) -> String {
    let mut codes: Vec<&str> = tables.states.iter().map(String::as_str).collect();
    codes.sort_unstable();
    codes.join(", ")
}

/// The index of the state `code` in `tables`, by `rule` (`tax.state` or a
/// job's `state`). Codes are the tables' own, upper case; a code in
/// another case is refused with a hint.
fn state_index(key: &KeyPath, rule: Rule, tables: &crate::tax::Tables, code: &str) -> Check<usize> {
    if let Some(i) = tables.state(code) {
        return Ok(i);
    }
    let upper = code.to_ascii_uppercase();
    let hint = match tables.state(&upper) {
        Some(_) => format!(" (codes are upper case: \"{upper}\")"),
        None => String::new(),
    };
    fail(
        key,
        rule,
        &[
            ("supported", &state_codes(tables)),
            ("got", &code),
            ("hint", &hint),
        ],
    )
}

/// The index of the city `code` of state `state` in `tables`, by `rule`;
/// `inherited` says the state is `[tax] state` (a job with a city but no
/// state of its own).
fn city_index(
    key: &KeyPath,
    rule: Rule,
    tables: &crate::tax::Tables,
    state: usize,
    inherited: bool,
    code: &str,
) -> Check<usize> {
    if let Some(i) = tables.city(state, code) {
        return Ok(i);
    }
    let state_code = &tables.states[state];
    let here: Vec<&str> = tables
        .cities
        .iter()
        .filter(|(_, s)| *s == state)
        .map(|(c, _)| c.as_str())
        .collect();
    let upper = code.to_ascii_uppercase();
    let whose = if inherited {
        format!("{state_code}, the [tax] state,")
    } else {
        state_code.clone()
    };
    let known = if tables.city(state, &upper).is_some() {
        format!("codes are upper case: \"{upper}\"")
    } else if here.is_empty() {
        let all: Vec<String> = tables
            .cities
            .iter()
            .map(|(c, s)| format!("{c} in {}", tables.states[*s]))
            .collect();
        let all = if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        };
        format!("{whose} has none; the tables have {all}")
    } else {
        format!("{whose} has {}", here.join(", "))
    };
    fail(
        key,
        rule,
        &[("state", state_code), ("got", &code), ("known", &known)],
    )
}

/// A `layoffs` table, of a company or of a job; a key it leaves out takes
/// its default (docs/reference.md, `layoffs`).
fn layoffs(key: &KeyPath, l: &RawLayoffs) -> Check<Layoffs> {
    // In the order of the keys, so the first broken one is reported.
    let k = |s: &str| key.key(s);
    let rate = within(
        &k("rate"),
        Rule::LayoffsRateInRange,
        l.rate.unwrap_or(0.0),
        0.0,
        1.0,
    )?;
    let market_sensitivity = within(
        &k("market_sensitivity"),
        Rule::LayoffsMarketSensitivityInRange,
        l.market_sensitivity.unwrap_or(0.0),
        -20.0,
        20.0,
    )?;
    // Kept absent: a failure pays severance only when the table says so.
    let severance_weeks = match l.severance_weeks {
        Some(w) => Some(within(
            &k("severance_weeks"),
            Rule::LayoffsSeveranceWeeksInRange,
            w,
            0.0,
            520.0,
        )?),
        None => None,
    };
    let weeks_per_year = within(
        &k("weeks_per_year"),
        Rule::LayoffsWeeksPerYearInRange,
        l.weeks_per_year.unwrap_or(0.0),
        0.0,
        52.0,
    )?;
    let vesting_months = int_within(
        &k("vesting_months"),
        Rule::LayoffsVestingMonthsInRange,
        l.vesting_months.unwrap_or(0),
        0,
        12 * MAX_VESTING_YEARS as i64,
    )? as u32;
    let rehire_months = int_within(
        &k("rehire_months"),
        Rule::LayoffsRehireMonthsInRange,
        l.rehire_months.unwrap_or(DEFAULT_REHIRE_MONTHS),
        0,
        12 * MAX_YEARS,
    )? as u32;
    let rehire_pay = within(
        &k("rehire_pay"),
        Rule::LayoffsRehirePayInRange,
        l.rehire_pay.unwrap_or(1.0),
        0.0,
        10.0,
    )?;
    Ok(Layoffs {
        rate,
        market_sensitivity,
        severance_weeks,
        weeks_per_year,
        vesting_months,
        rehire_months,
        rehire_pay,
    })
}

fn simulation(
    key: &KeyPath,
    s: &RawSimulation,
    years: u32,
    raw: &RawScenario,
) -> Check<Simulation> {
    let runs = match s.runs {
        Some(r) => int_within(&key.key("runs"), Rule::RunsInRange, r, 1, MAX_RUNS)? as u64,
        None => DEFAULT_RUNS,
    };
    let seed = match s.seed {
        Some(x) => int_within(&key.key("seed"), Rule::SeedInRange, x, 0, i64::MAX)? as u64,
        None => 0,
    };
    let steps_per_year = match s.steps_per_year {
        Some(x) => {
            let k = key.key("steps_per_year");
            let x = int_within(&k, Rule::StepsPerYearInRange, x, 1, 360)?;
            if x % 12 != 0 {
                return fail(&k, Rule::StepsPerYearMonthly, &[("got", &x)]);
            }
            x as u32
        }
        None => 12,
    };
    let percentiles = match &s.percentiles {
        Some(p) => {
            let k = key.key("percentiles");
            if p.is_empty() {
                return fail(&k, Rule::PercentilesNotEmpty, &[]);
            }
            if p.len() > 99 {
                return fail(&k, Rule::PercentilesAtMost99, &[("got", &p.len())]);
            }
            for (i, &x) in p.iter().enumerate() {
                within(&k.index(i), Rule::PercentileInRange, x, 0.0, 100.0)?;
                if i > 0 && x <= p[i - 1] {
                    return fail(
                        &k.index(i),
                        Rule::PercentilesIncreasing,
                        &[("got", &show(x)), ("previous", &show(p[i - 1]))],
                    );
                }
            }
            p.clone()
        }
        None => DEFAULT_PERCENTILES.to_vec(),
    };
    let baseline = match &s.baseline {
        Some(b) => match raw.strategies.get_index_of(b) {
            Some(i) => i,
            None => {
                return fail(
                    &key.key("baseline"),
                    Rule::BaselineDefined,
                    &[
                        ("name", b),
                        ("defined", &names(raw.strategies.keys())),
                        ("suggestion", &suggest(b, raw.strategies.keys())),
                    ],
                );
            }
        },
        None => 0,
    };
    let compare = compare_pairs(&key.key("compare"), s, baseline, raw)?;
    let risk = match (s.risk_aversion, s.wealth) {
        (Some(g), wealth) => {
            let aversion = above_within(
                &key.key("risk_aversion"),
                Rule::RiskAversionInRange,
                g,
                0.0,
                MAX_RISK_AVERSION,
            )?;
            let k = key.key("wealth");
            let w = required(&k, Rule::WealthRequired, wealth)?;
            // At least $1: the utility's wealth ratio (W + X) / W stays
            // below 10^14 for any cash the checked model can pay, where
            // r^(1-g) is far from underflow for every g <= 20.
            let wealth = within(&k, Rule::WealthInRange, w, 1.0, MAX_MONEY)?;
            Some(Risk { aversion, wealth })
        }
        (None, Some(_)) => return fail(&key.key("wealth"), Rule::WealthNeedsRiskAversion, &[]),
        (None, None) => None,
    };
    let discount_rate = match s.discount_rate {
        Some(d) => Some(within(
            &key.key("discount_rate"),
            Rule::DiscountRateInRange,
            d,
            0.0,
            1.0,
        )?),
        None => None,
    };
    Ok(Simulation {
        years,
        runs,
        seed,
        steps_per_year,
        percentiles,
        baseline,
        compare,
        risk,
        discount_rate,
    })
}

/// The largest `risk_aversion`: CRRA coefficients measured for people lie
/// between about 1 and 10; 20 keeps `w^(1-g)` finite for any wealth ratio
/// the engine can produce.
const MAX_RISK_AVERSION: f64 = 20.0;

/// `[simulation] compare`: each entry two distinct defined strategies, a
/// pair not already compared (the baseline comparisons included, in either
/// order: the reverse pair is the same difference negated).
fn compare_pairs(
    key: &KeyPath,
    s: &RawSimulation,
    baseline: usize,
    raw: &RawScenario,
) -> Check<Vec<(usize, usize)>> {
    let Some(entries) = &s.compare else {
        return Ok(Vec::new());
    };
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let k = key.index(i);
        if entry.len() != 2 {
            return fail(&k, Rule::ComparePair, &[("got", &entry.len())]);
        }
        let mut ends = [0; 2];
        for (j, name) in entry.iter().enumerate() {
            ends[j] = match raw.strategies.get_index_of(name) {
                Some(x) => x,
                None => {
                    return fail(
                        &k.index(j),
                        Rule::CompareDefined,
                        &[("name", name), ("defined", &names(raw.strategies.keys()))],
                    );
                }
            };
        }
        let (a, b) = (ends[0], ends[1]);
        if a == b {
            return fail(&k, Rule::CompareDistinct, &[("name", &entry[0])]);
        }
        let already = if a == baseline || b == baseline {
            Some("is already compared: every strategy is compared with the baseline")
        } else if pairs
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
        {
            Some("is compared by an earlier entry")
        } else {
            None
        };
        if let Some(already) = already {
            return fail(
                &k,
                Rule::CompareOnce,
                &[("a", &entry[0]), ("b", &entry[1]), ("already", &already)],
            );
        }
        pairs.push((a, b));
    }
    Ok(pairs)
}

/// The keys only a public company may have, in the order they are reported.
pub(super) const PUBLIC_ONLY: [&str; 3] = ["share_price", "drift", "volatility"];
/// The keys only a private company may have, in the order they are reported.
pub(super) const PRIVATE_ONLY: [&str; 14] = [
    "valuation",
    "shares",
    "preference",
    "preferred_fraction",
    "exit_rate",
    "failure_rate",
    "ipo_fraction",
    "exit_multiple",
    "dilution",
    "exit_month",
    "rounds",
    "after_ipo",
    "on_acquisition",
    "fmv_fraction",
];
/// The keys a company of either type may have (`type` aside): with the two
/// lists above, every key of a company table (tested).
#[cfg(test)]
pub(super) const EITHER_TYPE: [&str; 2] = ["market_correlation", "layoffs"];

/// A company and its own `layoffs` table.
fn company(
    key: &KeyPath,
    name: &str,
    c: &RawCompany,
    years: u32,
    has_market: bool,
) -> Check<(Company, Option<Layoffs>)> {
    let kind_key = key.key("type");
    let Some(kind) = &c.kind else {
        return fail(&kind_key, Rule::CompanyTypeRequired, &[]);
    };
    let public_set = [
        c.share_price.is_some(),
        c.drift.is_some(),
        c.volatility.is_some(),
    ];
    let private_set = [
        c.valuation.is_some(),
        c.shares.is_some(),
        c.preference.is_some(),
        c.preferred_fraction.is_some(),
        c.exit_rate.is_some(),
        c.failure_rate.is_some(),
        c.ipo_fraction.is_some(),
        c.exit_multiple.is_some(),
        c.dilution.is_some(),
        c.exit_month.is_some(),
        c.rounds.is_some(),
        c.after_ipo.is_some(),
        c.on_acquisition.is_some(),
        c.fmv_fraction.is_some(),
    ];
    let kind = match kind.as_str() {
        "public" => {
            if let Some(i) = private_set.iter().position(|&b| b) {
                return fail(&key.key(PRIVATE_ONLY[i]), Rule::PrivateOnlyKey, &[]);
            }
            let sp = key.key("share_price");
            let share_price = within(
                &sp,
                Rule::SharePriceInRange,
                required(&sp, Rule::SharePriceRequired, c.share_price)?,
                MIN_SHARE_PRICE,
                MAX_SHARE_PRICE,
            )?;
            let dk = key.key("drift");
            let drift = within(
                &dk,
                Rule::DriftInRange,
                required(&dk, Rule::DriftRequired, c.drift)?,
                -1.0,
                1.0,
            )?;
            let vk = key.key("volatility");
            let volatility = within(
                &vk,
                Rule::VolatilityInRange,
                required(&vk, Rule::VolatilityRequired, c.volatility)?,
                0.0,
                2.0,
            )?;
            CompanyKind::Public(Gbm {
                share_price,
                drift,
                volatility,
            })
        }
        "private" => {
            if let Some(i) = public_set.iter().position(|&b| b) {
                return fail(&key.key(PUBLIC_ONLY[i]), Rule::PublicOnlyKey, &[]);
            }
            private_company(key, c, years)?
        }
        other => {
            return fail(&kind_key, Rule::CompanyTypeKnown, &[("got", &other)]);
        }
    };
    let market_correlation = match c.market_correlation {
        Some(rho) => {
            let rk = key.key("market_correlation");
            if !has_market {
                return fail(&rk, Rule::MarketCorrelationNeedsMarket, &[]);
            }
            within(&rk, Rule::MarketCorrelationInRange, rho, -1.0, 1.0)?
        }
        None => 0.0,
    };
    let table = match &c.layoffs {
        Some(l) => Some(layoffs(&key.key("layoffs"), l)?),
        None => None,
    };
    Ok((
        Company {
            name: name.to_string(),
            stream: stream_key("company", name),
            kind,
            market_correlation,
        },
        table,
    ))
}

fn private_company(key: &KeyPath, c: &RawCompany, years: u32) -> Check<CompanyKind> {
    let k = |s: &str| key.key(s);
    let valuation = within(
        &k("valuation"),
        Rule::ValuationInRange,
        required(&k("valuation"), Rule::ValuationRequired, c.valuation)?,
        1.0,
        MAX_VALUATION,
    )?;
    let shares = within(
        &k("shares"),
        Rule::SharesInRange,
        required(&k("shares"), Rule::SharesRequired, c.shares)?,
        1.0,
        MAX_UNITS,
    )?;
    let preference = within(
        &k("preference"),
        Rule::PreferenceInRange,
        c.preference.unwrap_or(0.0),
        0.0,
        MAX_VALUATION,
    )?;
    let preferred_fraction = c.preferred_fraction.unwrap_or(0.0);
    finite(&k("preferred_fraction"), preferred_fraction)?;
    if !(0.0..1.0).contains(&preferred_fraction) {
        return fail(
            &k("preferred_fraction"),
            Rule::PreferredFractionInRange,
            &[("got", &show(preferred_fraction))],
        );
    }
    let exit_month = match c.exit_month {
        Some(m) => {
            for (other, set) in [
                ("exit_rate", c.exit_rate.is_some()),
                ("failure_rate", c.failure_rate.is_some()),
            ] {
                if set {
                    return fail(&k(other), Rule::ExitMonthExcludesHazards, &[]);
                }
            }
            let m = int_within(
                &k("exit_month"),
                Rule::ExitMonthInRange,
                m,
                1,
                i64::from(12 * years),
            )?;
            Some(m as u32)
        }
        None => None,
    };
    let exit_rate = match exit_month {
        Some(_) => 0.0,
        None => within(
            &k("exit_rate"),
            Rule::ExitRateInRange,
            required(&k("exit_rate"), Rule::ExitRateRequired, c.exit_rate)?,
            0.0,
            1.0,
        )?,
    };
    let failure_rate = within(
        &k("failure_rate"),
        Rule::FailureRateInRange,
        c.failure_rate.unwrap_or(0.0),
        0.0,
        1.0,
    )?;
    if exit_rate + failure_rate > 1.0 {
        return fail(
            &k("failure_rate"),
            Rule::HazardsAtMostOne,
            &[
                ("failure_rate", &show(failure_rate)),
                ("exit_rate", &show(exit_rate)),
                ("sum", &show(exit_rate + failure_rate)),
            ],
        );
    }
    let ipo_fraction = within(
        &k("ipo_fraction"),
        Rule::IpoFractionInRange,
        c.ipo_fraction.unwrap_or(0.0),
        0.0,
        1.0,
    )?;
    let mk = k("exit_multiple");
    let Some(m) = &c.exit_multiple else {
        return fail(&mk, Rule::ExitMultipleRequired, &[]);
    };
    let exit_median = positive(
        &mk.key("median"),
        Rule::ExitMedianPositive,
        Rule::ExitMedianAtMost,
        required(&mk.key("median"), Rule::ExitMedianRequired, m.median)?,
        1000.0,
    )?;
    let exit_sigma = within(
        &mk.key("sigma"),
        Rule::ExitSigmaInRange,
        required(&mk.key("sigma"), Rule::ExitSigmaRequired, m.sigma)?,
        0.0,
        5.0,
    )?;
    let dilution = within(
        &k("dilution"),
        Rule::DilutionInRange,
        c.dilution.unwrap_or(0.0),
        0.0,
        1.0,
    )?;
    let rounds = match &c.rounds {
        Some(r) => {
            // Both would grow the share count; the yearly rate is the smooth
            // stand-in for rounds (v1), so only one of them may say how.
            if c.dilution.is_some() {
                return fail(&k("rounds"), Rule::RoundsExcludeDilution, &[]);
            }
            Some(rounds(&k("rounds"), r)?)
        }
        None => None,
    };
    let after_ipo = match &c.after_ipo {
        Some(a) => after_ipo(&k("after_ipo"), a)?,
        None => AfterIpo::DEFAULT,
    };
    let on_acquisition = match c.on_acquisition.as_deref() {
        None | Some("assume") => OnAcquisition::Assume,
        Some("cancel") => OnAcquisition::Cancel,
        Some("accelerate") => OnAcquisition::Accelerate,
        Some(other) => {
            return fail(
                &k("on_acquisition"),
                Rule::OnAcquisitionKnown,
                &[("got", &other)],
            );
        }
    };
    let fk = k("fmv_fraction");
    let fmv_fraction = finite(&fk, c.fmv_fraction.unwrap_or(1.0))?;
    if !(fmv_fraction > 0.0 && fmv_fraction <= 1.0) {
        return fail(
            &fk,
            Rule::FmvFractionInRange,
            &[("got", &show(fmv_fraction))],
        );
    }
    Ok(CompanyKind::Private(PrivateCompany {
        valuation,
        shares,
        preference,
        preferred_fraction,
        exit_rate,
        failure_rate,
        ipo_fraction,
        exit_median,
        exit_sigma,
        dilution,
        exit_month,
        rounds,
        after_ipo,
        on_acquisition,
        fmv_fraction,
    }))
}

/// `rounds = { rate, step_up = { median, sigma }, dilution }`: every key
/// but `step_up.sigma` is required, since a round without one of them has
/// no meaning worth guessing.
fn rounds(key: &KeyPath, r: &RawRounds) -> Check<Rounds> {
    let rk = key.key("rate");
    let rate = within(
        &rk,
        Rule::RoundsRateInRange,
        required(&rk, Rule::RoundsRateRequired, r.rate)?,
        0.0,
        1.0,
    )?;
    let sk = key.key("step_up");
    let Some(step_up) = &r.step_up else {
        return fail(&sk, Rule::RoundsStepUpRequired, &[]);
    };
    let mk = sk.key("median");
    // At most 100 per round, with a sigma of at most 5: the engine keeps the
    // valuation within its bounds whatever the draws.
    let step_median = positive(
        &mk,
        Rule::RoundsStepUpMedianPositive,
        Rule::RoundsStepUpMedianAtMost,
        required(&mk, Rule::RoundsStepUpMedianRequired, step_up.median)?,
        100.0,
    )?;
    let step_sigma = within(
        &sk.key("sigma"),
        Rule::RoundsStepUpSigmaInRange,
        step_up.sigma.unwrap_or(0.0),
        0.0,
        5.0,
    )?;
    let dk = key.key("dilution");
    // Below 1: `N / (1 - dilution)` must stay finite.
    let dilution = within(
        &dk,
        Rule::RoundsDilutionInRange,
        required(&dk, Rule::RoundsDilutionRequired, r.dilution)?,
        0.0,
        0.9,
    )?;
    Ok(Rounds {
        rate,
        step_median,
        step_sigma,
        dilution,
    })
}

/// `after_ipo = { drift, volatility, lockup_months }`, each key defaulting
/// to [`AfterIpo::DEFAULT`]'s; drift and volatility take the ranges of a
/// public company's.
fn after_ipo(key: &KeyPath, a: &RawAfterIpo) -> Check<AfterIpo> {
    let d = AfterIpo::DEFAULT;
    let drift = within(
        &key.key("drift"),
        Rule::AfterIpoDriftInRange,
        a.drift.unwrap_or(d.drift),
        -1.0,
        1.0,
    )?;
    let volatility = within(
        &key.key("volatility"),
        Rule::AfterIpoVolatilityInRange,
        a.volatility.unwrap_or(d.volatility),
        0.0,
        2.0,
    )?;
    let lockup_months = int_within(
        &key.key("lockup_months"),
        Rule::AfterIpoLockupMonthsInRange,
        a.lockup_months.unwrap_or(i64::from(d.lockup_months)),
        0,
        MAX_LOCKUP_MONTHS,
    )? as u32;
    Ok(AfterIpo {
        drift,
        volatility,
        lockup_months,
    })
}

/// A vesting frequency, by `rule`.
fn frequency(key: &KeyPath, rule: Rule, f: &Option<String>) -> Check<Option<Frequency>> {
    Ok(match f.as_deref() {
        None => None,
        Some("monthly") => Some(Frequency::Monthly),
        Some("quarterly") => Some(Frequency::Quarterly),
        Some("annual") => Some(Frequency::Annual),
        Some(other) => return fail(key, rule, &[("got", &other)]),
    })
}

/// The rules a vesting schedule is checked by: a grant's or a refresh's.
struct VestingRules {
    years: Rule,
    entry: Rule,
    sum: Rule,
}

const GRANT_VESTING: VestingRules = VestingRules {
    years: Rule::GrantVestingYears,
    entry: Rule::GrantVestingEntryInRange,
    sum: Rule::GrantVestingSumsTo100,
};

const REFRESH_VESTING: VestingRules = VestingRules {
    years: Rule::RefreshVestingYears,
    entry: Rule::RefreshVestingEntryInRange,
    sum: Rule::RefreshVestingSumsTo100,
};

fn vesting_percent(key: &KeyPath, rules: &VestingRules, v: &[f64]) -> Check<Vec<f64>> {
    if v.is_empty() || v.len() > MAX_VESTING_YEARS {
        return fail(
            key,
            rules.years,
            &[("max", &MAX_VESTING_YEARS), ("got", &v.len())],
        );
    }
    for (i, &p) in v.iter().enumerate() {
        within(&key.index(i), rules.entry, p, 0.0, 100.0)?;
    }
    let sum: f64 = v.iter().sum();
    if (sum - 100.0).abs() > 1e-6 {
        return fail(key, rules.sum, &[("got", &show(sum))]);
    }
    Ok(v.to_vec())
}

/// The rules a cliff is checked by: a grant's or a refresh's.
struct CliffRules {
    in_range: Rule,
    within_horizon: Rule,
}

const GRANT_CLIFF: CliffRules = CliffRules {
    in_range: Rule::GrantCliffInRange,
    within_horizon: Rule::GrantCliffWithinHorizon,
};

const REFRESH_CLIFF: CliffRules = CliffRules {
    in_range: Rule::RefreshCliffInRange,
    within_horizon: Rule::RefreshCliffWithinHorizon,
};

fn cliff(
    key: &KeyPath,
    rules: &CliffRules,
    c: Option<i64>,
    vest_years: usize,
    horizon: u32,
) -> Check<u32> {
    let Some(c) = c else { return Ok(0) };
    let c = int_within(key, rules.in_range, c, 0, 12 * vest_years as i64)?;
    if c > i64::from(12 * horizon) {
        return fail(
            key,
            rules.within_horizon,
            &[("horizon", &(12 * horizon)), ("got", &c)],
        );
    }
    Ok(c as u32)
}

/// `[ladders.NAME]` (model.md section 11): the levels, one entry per level
/// in every array, each array's entries in their ranges. Every array but
/// `base` defaults to zeros (no bonus, no refreshers, no promotions, no
/// promotion grants, eligible at the first anniversary).
fn ladder(key: &KeyPath, name: &str, l: &RawLadder) -> Check<Ladder> {
    let lk = key.key("levels");
    let Some(levels) = &l.levels else {
        return fail(&lk, Rule::LadderLevelsRequired, &[]);
    };
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return fail(
            &lk,
            Rule::LadderLevelsCount,
            &[("max", &MAX_LEVELS), ("got", &levels.len())],
        );
    }
    for (i, level) in levels.iter().enumerate() {
        let k = lk.index(i);
        if let Some(got) = name_problem(level) {
            return fail(&k, Rule::LadderLevelName, &[("got", &got)]);
        }
        if level == "same" {
            return fail(&k, Rule::LadderLevelNotSame, &[]);
        }
        if let Some(first) = levels[..i].iter().position(|l| l == level) {
            return fail(
                &k,
                Rule::LadderLevelsDistinct,
                &[("got", level), ("first", &first)],
            );
        }
    }
    let n = levels.len();
    // One entry per level, else the default of every level.
    let per_level = |k: &str, v: Option<&[f64]>| -> Check<Vec<f64>> {
        match v {
            Some(v) if v.len() != n => fail(
                &key.key(k),
                Rule::LadderEntryPerLevel,
                &[("got", &v.len()), ("levels", &n)],
            ),
            Some(v) => Ok(v.to_vec()),
            None => Ok(vec![0.0; n]),
        }
    };
    let bk = key.key("base");
    let Some(base) = &l.base else {
        return fail(&bk, Rule::LadderBaseRequired, &[]);
    };
    let base = per_level("base", Some(base))?;
    for (i, &b) in base.iter().enumerate() {
        above_within(&bk.index(i), Rule::LadderBaseInRange, b, 0.0, MAX_MONEY)?;
    }
    let entries = |k: &str, v: &Option<Vec<f64>>, rule: Rule, hi: f64| -> Check<Vec<f64>> {
        let v = per_level(k, v.as_deref())?;
        for (i, &x) in v.iter().enumerate() {
            within(&key.key(k).index(i), rule, x, 0.0, hi)?;
        }
        Ok(v)
    };
    let bonus_target = entries(
        "bonus_target",
        &l.bonus_target,
        Rule::LadderBonusTargetInRange,
        10.0,
    )?;
    let refresh = entries("refresh", &l.refresh, Rule::LadderRefreshInRange, MAX_MONEY)?;
    let promotion_rate = entries(
        "promotion_rate",
        &l.promotion_rate,
        Rule::LadderPromotionRateInRange,
        1.0,
    )?;
    let mk = key.key("min_years");
    let min_years = match &l.min_years {
        Some(v) if v.len() != n => {
            return fail(
                &mk,
                Rule::LadderEntryPerLevel,
                &[("got", &v.len()), ("levels", &n)],
            );
        }
        Some(v) => v
            .iter()
            .enumerate()
            .map(|(i, &y)| {
                int_within(&mk.index(i), Rule::LadderMinYearsInRange, y, 0, MAX_YEARS)
                    .map(|y| y as u32)
            })
            .collect::<Check<Vec<_>>>()?,
        None => vec![0; n],
    };
    let promotion_grant = entries(
        "promotion_grant",
        &l.promotion_grant,
        Rule::LadderPromotionGrantInRange,
        MAX_MONEY,
    )?;
    let promotion_raise = within(
        &key.key("promotion_raise"),
        Rule::LadderPromotionRaiseInRange,
        l.promotion_raise.unwrap_or(0.0),
        0.0,
        MAX_PROMOTION_RAISE,
    )?;
    Ok(Ladder {
        name: name.to_string(),
        levels: levels.clone(),
        base,
        bonus_target,
        refresh,
        promotion_rate,
        min_years,
        promotion_grant,
        promotion_raise,
    })
}

/// What a job may refer to: the checked companies, their own `layoffs`
/// tables, whether the file has a `[market]`, its `[tax]` and its ladders.
struct Employers<'a> {
    companies: &'a [Company],
    layoffs: &'a [Option<Layoffs>],
    market: bool,
    tax: Option<&'a TaxSettings>,
    ladders: &'a [Ladder],
}

/// A job's `ladder`, `level` and `pay_factor` (model.md sections 11 and
/// 15); `ladder` is the index `ladder` names, already checked.
fn on_ladder(
    key: &KeyPath,
    j: &RawJob,
    ladder: Option<usize>,
    ladders: &[Ladder],
) -> Check<Option<OnLadder>> {
    let Some(li) = ladder else {
        for (k, given) in [
            ("level", j.level.is_some()),
            ("pay_factor", j.pay_factor.is_some()),
        ] {
            if given {
                return fail(&key.key(k), Rule::LadderKeyNeedsLadder, &[("key", &k)]);
            }
        }
        return Ok(None);
    };
    let l = &ladders[li];
    let lk = key.key("level");
    let levels = l.levels.join(", ");
    let level = match &j.level {
        None => {
            return fail(
                &lk,
                Rule::JobLevelRequired,
                &[("ladder", &l.name), ("levels", &levels)],
            );
        }
        Some(RawLevel::Integer(x)) => return fail(&lk, Rule::JobLevelQuoted, &[("got", x)]),
        Some(RawLevel::Name(n)) => match n.as_str() {
            "same" => LevelStart::Same,
            "+1" => LevelStart::Up,
            n => match l.levels.iter().position(|x| x == n) {
                Some(i) => LevelStart::At(i),
                None => {
                    return fail(
                        &lk,
                        Rule::JobLevelKnown,
                        &[("ladder", &l.name), ("levels", &levels), ("got", &n)],
                    );
                }
            },
        },
    };
    let pay_factor = match j.pay_factor {
        Some(p) => above_within(
            &key.key("pay_factor"),
            Rule::PayFactorInRange,
            p,
            0.0,
            MAX_PAY_FACTOR,
        )?,
        None => 1.0,
    };
    Ok(Some(OnLadder {
        ladder: li,
        level,
        pay_factor,
    }))
}

/// `base = { p10, p50, p90 }`: market pay, each point in
/// `[MIN_MARKET_BASE, MAX_MONEY]`, in order.
fn market_base(key: &KeyPath, p: &RawPercentiles) -> Check<Base> {
    let mut points = [0.0; 3];
    for (i, (k, v)) in [("p10", p.p10), ("p50", p.p50), ("p90", p.p90)]
        .into_iter()
        .enumerate()
    {
        let pk = key.key(k);
        let x = required(&pk, Rule::BaseMarketRequired, v)?;
        points[i] = within(&pk, Rule::BaseMarketInRange, x, MIN_MARKET_BASE, MAX_MONEY)?;
    }
    ordered(key, Rule::BaseMarketOrdered, points)?;
    let [p10, p50, p90] = points;
    Ok(Base::Market { p10, p50, p90 })
}

/// `p10 <= p50 <= p90`, by `rule`, blamed on the higher key.
fn ordered(key: &KeyPath, rule: Rule, [p10, p50, p90]: [f64; 3]) -> Check<()> {
    for (k, below, min, got) in [("p50", "p10", p10, p50), ("p90", "p50", p50, p90)] {
        if got < min {
            return fail(
                &key.key(k),
                rule,
                &[("below", &below), ("min", &show(min)), ("got", &show(got))],
            );
        }
    }
    Ok(())
}

/// `base_raise`: `{ min, max }`, the uniform switch raise, or `{ p10, p50,
/// p90 }`, the split normal through three points.
fn base_raise(key: &KeyPath, r: &RawRange) -> Check<Base> {
    let percentiles = [("p10", r.p10), ("p50", r.p50), ("p90", r.p90)];
    if let Some((k, _)) = percentiles.iter().find(|(_, v)| v.is_some()) {
        if let Some(other) = [("min", r.min), ("max", r.max)]
            .iter()
            .find(|(_, v)| v.is_some())
            .map(|(o, _)| *o)
        {
            return fail(
                &key.key(k),
                Rule::BaseRaiseFormsExclusive,
                &[("other", &other)],
            );
        }
        let mut points = [0.0; 3];
        for (i, (k, v)) in percentiles.into_iter().enumerate() {
            let pk = key.key(k);
            let x = required(&pk, Rule::BaseRaisePercentileRequired, v)?;
            points[i] = above_within(
                &pk,
                Rule::BaseRaisePercentileInRange,
                x,
                -1.0,
                MAX_SWITCH_RAISE,
            )?;
        }
        ordered(key, Rule::BaseRaisePercentilesOrdered, points)?;
        let [p10, p50, p90] = points;
        return Ok(Base::RelativeMarket { p10, p50, p90 });
    }
    let (mink, maxk) = (key.key("min"), key.key("max"));
    let min = within(
        &mink,
        Rule::BaseRaiseMinInRange,
        required(&mink, Rule::BaseRaiseMinRequired, r.min)?,
        -0.9,
        10.0,
    )?;
    let max = within(
        &maxk,
        Rule::BaseRaiseMaxInRange,
        required(&maxk, Rule::BaseRaiseMaxRequired, r.max)?,
        -0.9,
        10.0,
    )?;
    if min > max {
        return fail(
            &maxk,
            Rule::BaseRaiseMaxAtLeastMin,
            &[("min", &show(min)), ("got", &show(max))],
        );
    }
    Ok(Base::Relative { min, max })
}

fn job(
    key: &KeyPath,
    name: &str,
    j: &RawJob,
    raw: &RawScenario,
    employers: &Employers<'_>,
    years: u32,
) -> Check<Job> {
    let ladder = match &j.ladder {
        Some(lname) => match employers.ladders.iter().position(|l| &l.name == lname) {
            Some(i) => Some(i),
            None => {
                return fail(
                    &key.key("ladder"),
                    Rule::JobLadderDefined,
                    &[
                        ("name", lname),
                        ("defined", &names(employers.ladders.iter().map(|l| &l.name))),
                        (
                            "suggestion",
                            &suggest(lname, employers.ladders.iter().map(|l| &l.name)),
                        ),
                    ],
                );
            }
        },
        None => None,
    };
    let ck = key.key("company");
    // Only a cash-only job (no stock: no grants, no refresh, no ladder
    // refreshers or promotion grants) may have no company
    // (docs/reference.md, `jobs.*.company`).
    let company = match &j.company {
        Some(cname) => match raw.companies.get_index_of(cname) {
            Some(c) => Some(c),
            None => {
                return fail(
                    &ck,
                    Rule::JobCompanyDefined,
                    &[
                        ("name", cname),
                        ("defined", &names(raw.companies.keys())),
                        ("suggestion", &suggest(cname, raw.companies.keys())),
                    ],
                );
            }
        },
        None if !j.grants.is_empty() || j.refresh.is_some() => {
            return fail(&ck, Rule::JobCompanyRequired, &[]);
        }
        None => {
            if let Some(l) = ladder.map(|i| &employers.ladders[i])
                && l.refresh.iter().chain(&l.promotion_grant).any(|&x| x > 0.0)
            {
                return fail(&ck, Rule::LadderJobCompanyRequired, &[("ladder", &l.name)]);
            }
            None
        }
    };
    let on_ladder = on_ladder(key, j, ladder, employers.ladders)?;
    let base = match (&j.base, &j.base_raise) {
        (Some(_), Some(_)) => {
            return fail(&key.key("base_raise"), Rule::BaseRaiseExcludesBase, &[]);
        }
        // The starting level's band (model.md section 11).
        (None, None) if on_ladder.is_some() => Base::Level,
        (None, None) => return fail(&key.key("base"), Rule::BaseRequired, &[]),
        (Some(RawBase::Amount(b)), None) => Base::Fixed(within(
            &key.key("base"),
            Rule::BaseInRange,
            *b,
            0.0,
            MAX_MONEY,
        )?),
        (Some(RawBase::Market(p)), None) => market_base(&key.key("base"), p)?,
        (None, Some(r)) => base_raise(&key.key("base_raise"), r)?,
    };
    let raise = match &j.raise {
        Some(r) => {
            let rk = key.key("raise");
            Raise {
                mean: within(
                    &rk.key("mean"),
                    Rule::RaiseMeanInRange,
                    r.mean.unwrap_or(0.0),
                    -0.5,
                    1.0,
                )?,
                sd: within(
                    &rk.key("sd"),
                    Rule::RaiseSdInRange,
                    r.sd.unwrap_or(0.0),
                    0.0,
                    1.0,
                )?,
            }
        }
        None => Raise::default(),
    };
    let promotion = match &j.promotion {
        // The ladder promotes a job on it.
        Some(_) if on_ladder.is_some() => {
            return fail(&key.key("promotion"), Rule::PromotionExcludesLadder, &[]);
        }
        Some(p) => {
            let pk = key.key("promotion");
            Promotion {
                rate: within(
                    &pk.key("rate"),
                    Rule::PromotionRateInRange,
                    p.rate.unwrap_or(0.0),
                    0.0,
                    1.0,
                )?,
                raise: within(
                    &pk.key("raise"),
                    Rule::PromotionRaiseInRange,
                    p.raise.unwrap_or(0.0),
                    0.0,
                    5.0,
                )?,
            }
        }
        None => Promotion::default(),
    };
    let bonus = match &j.bonus {
        Some(b) => {
            let bk = key.key("bonus");
            let distribution = match b.distribution.as_deref() {
                None | Some("normal") => BonusDistribution::Normal,
                Some("lognormal") => BonusDistribution::Lognormal,
                Some(other) => {
                    return fail(
                        &bk.key("distribution"),
                        Rule::BonusDistributionKnown,
                        &[("got", &other)],
                    );
                }
            };
            let default_max = match distribution {
                BonusDistribution::Normal => DEFAULT_BONUS_MAX,
                BonusDistribution::Lognormal => DEFAULT_LOGNORMAL_BONUS_MAX,
            };
            // On a ladder the level gives the target; the engine reads it.
            if on_ladder.is_some() && b.target.is_some() {
                return fail(&bk.key("target"), Rule::LadderJobBonusTarget, &[]);
            }
            let target = within(
                &bk.key("target"),
                Rule::BonusTargetInRange,
                b.target.unwrap_or(0.0),
                0.0,
                10.0,
            )?;
            let sd = within(
                &bk.key("sd"),
                Rule::BonusSdInRange,
                b.sd.unwrap_or(0.0),
                0.0,
                5.0,
            )?;
            let min = within(
                &bk.key("min"),
                Rule::BonusMinInRange,
                b.min.unwrap_or(0.0),
                0.0,
                100.0,
            )?;
            let max = within(
                &bk.key("max"),
                Rule::BonusMaxInRange,
                b.max.unwrap_or(default_max),
                0.0,
                100.0,
            )?;
            if min > max {
                // Blame the key the user wrote: min against the default max.
                return match b.max {
                    Some(_) => fail(
                        &bk.key("max"),
                        Rule::BonusMaxAtLeastMin,
                        &[("min", &show(min)), ("got", &show(max))],
                    ),
                    None => fail(
                        &bk.key("min"),
                        Rule::BonusMinAtMostDefaultMax,
                        &[("max", &show(max)), ("got", &show(min))],
                    ),
                };
            }
            let lk = bk.key("company_link");
            let company_link = within(
                &lk,
                Rule::BonusCompanyLinkInRange,
                b.company_link.unwrap_or(0.0),
                -10.0,
                10.0,
            )?;
            // R is the company's price ratio only at a public company; at a
            // private company or a cash-only job it is the market's.
            if company_link != 0.0 && !employers.market {
                let why = match company {
                    None => Some(format!("`{name}` is a cash-only job (no company)")),
                    Some(c) => match employers.companies[c].kind {
                        CompanyKind::Public(_) => None,
                        CompanyKind::Private(_) => Some(format!(
                            "`{name}` is at `{}`, a private company",
                            employers.companies[c].name
                        )),
                    },
                };
                if let Some(why) = why {
                    return fail(
                        &lk,
                        Rule::BonusCompanyLinkNeedsMarket,
                        &[("got", &show(company_link)), ("why", &why)],
                    );
                }
            }
            Bonus {
                target,
                sd,
                min,
                max,
                company_link,
                distribution,
            }
        }
        None => Bonus::default(),
    };
    let sign_on = match &j.sign_on {
        Some(v) => {
            let sk = key.key("sign_on");
            if v.len() > MAX_YEARS as usize {
                return fail(
                    &sk,
                    Rule::SignOnYearsAtMost,
                    &[("max", &MAX_YEARS), ("got", &v.len())],
                );
            }
            v.iter()
                .enumerate()
                .map(|(i, &x)| within(&sk.index(i), Rule::SignOnInRange, x, 0.0, MAX_MONEY))
                .collect::<Check<Vec<_>>>()?
        }
        None => Vec::new(),
    };
    let sign_on_clawback_months = match j.sign_on_clawback_months {
        Some(c) => int_within(
            &key.key("sign_on_clawback_months"),
            Rule::SignOnClawbackMonthsInRange,
            c,
            0,
            MAX_CLAWBACK_MONTHS,
        )? as u32,
        None => 0,
    };
    // A job's own table replaces its company's whole.
    let layoffs = match &j.layoffs {
        Some(l) => Some(layoffs(&key.key("layoffs"), l)?),
        None => company.and_then(|c| employers.layoffs[c]),
    };
    let residence = residence(key, j, employers.tax)?;
    // The public company whose options are exercised at leaving, if any.
    let public = company
        .map(|c| &employers.companies[c])
        .filter(|c| matches!(c.kind, CompanyKind::Public(_)))
        .map(|c| c.name.as_str());
    let gk = key.key("grants");
    if j.grants.len() > MAX_GRANTS {
        return fail(
            &gk,
            Rule::GrantsAtMost,
            &[("max", &MAX_GRANTS), ("got", &j.grants.len())],
        );
    }
    let grants = j
        .grants
        .iter()
        .enumerate()
        .map(|(i, g)| grant(&gk.index(i), g, years, public))
        .collect::<Check<Vec<_>>>()?;
    let rk = key.key("refresh");
    let refresh = match (&j.refresh, on_ladder.is_some()) {
        (Some(r), ladder) => Some(refresh(&rk, r, j, years, ladder)?),
        // A job on a ladder always has refreshers, worth the level's.
        (None, true) => Some(refresh(&rk, &RawRefresh::default(), j, years, true)?),
        (None, false) => None,
    };
    let price_parity = match j.price_parity {
        Some(p) => Some(within(
            &key.key("price_parity"),
            Rule::PriceParityInRange,
            p,
            MIN_PRICE_PARITY,
            MAX_PRICE_PARITY,
        )?),
        None => None,
    };
    Ok(Job {
        name: name.to_string(),
        stream: stream_key("job", name),
        company,
        base,
        raise,
        promotion,
        bonus,
        sign_on,
        grants,
        refresh,
        layoffs,
        sign_on_clawback_months,
        residence,
        ladder: on_ladder,
        price_parity,
    })
}

/// A job's own `state` and `city`: the residence while it is held (`None`:
/// `[tax]`'s). A city without a state is a city of `[tax] state`; a state
/// without a city is that state outside any city with a local tax.
fn residence(
    key: &KeyPath,
    j: &RawJob,
    tax: Option<&TaxSettings>,
) -> Check<Option<crate::tax::Residence>> {
    if j.state.is_none() && j.city.is_none() {
        return Ok(None);
    }
    let Some(tax) = tax else {
        let k = if j.state.is_some() { "state" } else { "city" };
        return fail(&key.key(k), Rule::JobResidenceNeedsTax, &[("key", &k)]);
    };
    let state = match &j.state {
        Some(code) => state_index(&key.key("state"), Rule::JobStateKnown, &tax.tables, code)?,
        None => tax.residence.state,
    };
    let city = match &j.city {
        Some(c) => Some(city_index(
            &key.key("city"),
            Rule::JobCityKnown,
            &tax.tables,
            state,
            j.state.is_none(),
            c,
        )?),
        None => None,
    };
    Ok(Some(crate::tax::Residence { state, city }))
}

/// A grant; `public` names the job's company when it is public.
fn grant(key: &KeyPath, g: &RawGrant, years: u32, public: Option<&str>) -> Check<Grant> {
    let kk = key.key("kind");
    let kind_name = match g.kind.as_deref() {
        None => return fail(&kk, Rule::GrantKindRequired, &[]),
        Some(k @ ("rsu" | "option")) => k,
        Some(other) => return fail(&kk, Rule::GrantKindKnown, &[("got", &other)]),
    };
    let kind = if kind_name == "rsu" {
        if g.strike.is_some() {
            return fail(&key.key("strike"), Rule::StrikeOnlyOnOptions, &[]);
        }
        if g.on_leave.is_some() {
            return fail(&key.key("on_leave"), Rule::OnLeaveOnlyOnOptions, &[]);
        }
        if g.exercise_window_months.is_some() {
            return fail(
                &key.key("exercise_window_months"),
                Rule::ExerciseWindowOnlyOnOptions,
                &[],
            );
        }
        if g.tax_type.is_some() {
            return fail(&key.key("tax_type"), Rule::TaxTypeOnlyOnOptions, &[]);
        }
        GrantKind::Rsu
    } else {
        let sk = key.key("strike");
        let strike = within(
            &sk,
            Rule::StrikeInRange,
            required(&sk, Rule::StrikeRequired, g.strike)?,
            0.0,
            MAX_SHARE_PRICE,
        )?;
        let on_leave = match g.on_leave.as_deref() {
            None | Some("forfeit") => OnLeave::Forfeit,
            Some("exercise") => OnLeave::Exercise,
            Some(other) => {
                return fail(&key.key("on_leave"), Rule::OnLeaveKnown, &[("got", &other)]);
            }
        };
        let wk = key.key("exercise_window_months");
        let exercise_window_months = match (g.exercise_window_months, public) {
            (None, _) => DEFAULT_EXERCISE_WINDOW_MONTHS,
            // A window the model would ignore is a mistake in the file, not
            // a setting: say which rule makes it meaningless.
            (Some(_), Some(company)) => {
                return fail(
                    &wk,
                    Rule::ExerciseWindowOnlyAtPrivate,
                    &[("company", &company)],
                );
            }
            (Some(_), None) if on_leave == OnLeave::Forfeit => {
                let default = if g.on_leave.is_none() {
                    " (the default)"
                } else {
                    ""
                };
                return fail(
                    &wk,
                    Rule::ExerciseWindowNeedsExercise,
                    &[("default", &default)],
                );
            }
            (Some(w), None) => int_within(
                &wk,
                Rule::ExerciseWindowMonthsInRange,
                w,
                0,
                MAX_EXERCISE_WINDOW_MONTHS,
            )? as u32,
        };
        // Model.md section 10: ISOs by default at a private company, NSOs at
        // a public one (a cash-only job has no grants).
        let tax_type = match g.tax_type.as_deref() {
            None if public.is_some() => TaxType::Nso,
            None | Some("iso") => TaxType::Iso,
            Some("nso") => TaxType::Nso,
            Some(other) => {
                return fail(&key.key("tax_type"), Rule::TaxTypeKnown, &[("got", &other)]);
            }
        };
        GrantKind::Option {
            strike,
            on_leave,
            exercise_window_months,
            tax_type,
        }
    };
    let size = match (g.value, g.units) {
        (Some(_), Some(_)) => return fail(&key.key("units"), Rule::UnitsExcludeValue, &[]),
        (None, None) => return fail(&key.key("units"), Rule::GrantSizeRequired, &[]),
        (Some(v), None) => {
            if kind_name == "option" {
                return fail(&key.key("value"), Rule::ValueOnlyOnRsus, &[]);
            }
            GrantSize::Value(positive(
                &key.key("value"),
                Rule::GrantValuePositive,
                Rule::GrantValueAtMost,
                v,
                MAX_MONEY,
            )?)
        }
        (None, Some(u)) => GrantSize::Units(positive(
            &key.key("units"),
            Rule::GrantUnitsPositive,
            Rule::GrantUnitsAtMost,
            u,
            MAX_UNITS,
        )?),
    };
    let vk = key.key("vesting");
    let Some(vesting) = &g.vesting else {
        return fail(&vk, Rule::GrantVestingRequired, &[]);
    };
    let vesting = vesting_percent(&vk, &GRANT_VESTING, vesting)?;
    let freq = frequency(
        &key.key("frequency"),
        Rule::GrantFrequencyKnown,
        &g.frequency,
    )?
    .unwrap_or(Frequency::Monthly);
    let cliff_months = cliff(
        &key.key("cliff_months"),
        &GRANT_CLIFF,
        g.cliff_months,
        vesting.len(),
        years,
    )?;
    let granted_months_ago = match g.granted_months_ago {
        Some(m) => int_within(
            &key.key("granted_months_ago"),
            Rule::GrantedMonthsAgoInRange,
            m,
            0,
            12 * MAX_VESTING_YEARS as i64,
        )? as u32,
        None => 0,
    };
    Ok(Grant {
        kind,
        size,
        schedule: Schedule::new(&vesting, freq, cliff_months),
        granted_months_ago,
    })
}

/// A refresh table. On a ladder (`ladder`) the level gives the value (0
/// here, set per world by the engine), `every_years` defaults to 1, and a
/// job without an RSU grant vests its refreshers 25/25/25/25 quarterly
/// with no cliff unless the table says otherwise (model.md section 15).
fn refresh(key: &KeyPath, r: &RawRefresh, j: &RawJob, years: u32, ladder: bool) -> Check<Refresh> {
    let vk = key.key("value");
    let value = if ladder {
        if r.value.is_some() {
            return fail(&vk, Rule::LadderJobRefreshValue, &[]);
        }
        0.0
    } else {
        positive(
            &vk,
            Rule::RefreshValuePositive,
            Rule::RefreshValueAtMost,
            required(&vk, Rule::RefreshValueRequired, r.value)?,
            MAX_MONEY,
        )?
    };
    let ek = key.key("every_years");
    let every_years = match (r.every_years, ladder) {
        (None, true) => 1,
        (e, _) => int_within(
            &ek,
            Rule::RefreshEveryYearsInRange,
            required(&ek, Rule::RefreshEveryYearsRequired, e)?,
            1,
            MAX_YEARS,
        )? as u32,
    };
    let first_after_years = match r.first_after_years {
        Some(f) => int_within(
            &key.key("first_after_years"),
            Rule::RefreshFirstAfterYearsInRange,
            f,
            0,
            MAX_YEARS,
        )? as u32,
        None => every_years,
    };
    // Vesting keys not given here come from the job's first RSU grant.
    let template = j.grants.iter().find(|g| g.kind.as_deref() == Some("rsu"));
    let vesting = match (&r.vesting, template.and_then(|g| g.vesting.as_ref())) {
        (Some(v), _) => vesting_percent(&key.key("vesting"), &REFRESH_VESTING, v)?,
        (None, Some(v)) => v.clone(),
        (None, None) if ladder => LADDER_VESTING.to_vec(),
        (None, None) => return fail(&key.key("vesting"), Rule::RefreshVestingRequired, &[]),
    };
    let fk = key.key("frequency");
    let freq = match frequency(&fk, Rule::RefreshFrequencyKnown, &r.frequency)? {
        Some(f) => f,
        // The grant's frequency was checked with the grant.
        None => template
            .and_then(|g| {
                frequency(&fk, Rule::RefreshFrequencyKnown, &g.frequency)
                    .ok()
                    .flatten()
            })
            .unwrap_or(if ladder && template.is_none() {
                Frequency::Quarterly
            } else {
                Frequency::Monthly
            }),
    };
    let ck = key.key("cliff_months");
    let cliff_months = match (r.cliff_months, template.and_then(|g| g.cliff_months)) {
        (Some(c), _) => cliff(&ck, &REFRESH_CLIFF, Some(c), vesting.len(), years)?,
        // The grant's check already held an inherited cliff to the horizon;
        // only the refresh's own vesting years can make it too long.
        (None, Some(c)) => int_within(
            &ck,
            Rule::RefreshInheritedCliffInRange,
            c,
            0,
            12 * vesting.len() as i64,
        )? as u32,
        (None, None) => 0,
    };
    Ok(Refresh {
        value,
        every_years,
        first_after_years,
        schedule: Schedule::new(&vesting, freq, cliff_months),
    })
}

/// The vesting of a ladder job's refreshers when neither its refresh table
/// nor an RSU grant gives one (quarterly, no cliff).
const LADDER_VESTING: [f64; 4] = [25.0, 25.0, 25.0, 25.0];

/// Where a path gets to, as a message says it: `year 3` at a year's end,
/// else `month 30`.
fn path_point(month: u32) -> String {
    if month.is_multiple_of(12) {
        format!("year {}", month / 12)
    } else {
        format!("month {month}")
    }
}

fn strategy(
    key: &KeyPath,
    name: &str,
    s: &RawStrategy,
    raw: &RawScenario,
    jobs: &[Job],
    years: u32,
) -> Check<Strategy> {
    let pk = key.key("path");
    let Some(path) = &s.path else {
        return fail(&pk, Rule::PathRequired, &[]);
    };
    if path.is_empty() {
        return fail(&pk, Rule::PathNotEmpty, &[]);
    }
    if path.len() > MAX_STINTS {
        return fail(
            &pk,
            Rule::PathStintsAtMost,
            &[("max", &MAX_STINTS), ("got", &path.len())],
        );
    }
    let mut stints = Vec::with_capacity(path.len());
    // Months: a stint may last any whole number of months.
    let horizon = 12 * years;
    let mut start: u32 = 0;
    for (i, st) in path.iter().enumerate() {
        let sk = pk.index(i);
        let (jk, yk, mk) = (sk.key("job"), sk.key("years"), sk.key("months"));
        let last = i + 1 == path.len();
        let Some(jname) = &st.job else {
            return fail(&jk, Rule::StintJobRequired, &[]);
        };
        let Some(job) = raw.jobs.get_index_of(jname) else {
            return fail(
                &jk,
                Rule::StintJobDefined,
                &[
                    ("name", jname),
                    ("defined", &names(raw.jobs.keys())),
                    ("suggestion", &suggest(jname, raw.jobs.keys())),
                ],
            );
        };
        // The stint's length in months and the key that gave it.
        let (len, given) = match (st.years, st.months) {
            (Some(_), Some(_)) => return fail(&mk, Rule::StintMonthsExcludeYears, &[]),
            (Some(y), None) => (
                12 * int_within(&yk, Rule::StintYearsInRange, y, 1, MAX_YEARS)? as u32,
                Some(("years", &yk)),
            ),
            (None, Some(m)) => (
                int_within(&mk, Rule::StintMonthsInRange, m, 1, i64::from(horizon))? as u32,
                Some(("months", &mk)),
            ),
            (None, None) if last => (horizon.saturating_sub(start), None),
            (None, None) => return fail(&yk, Rule::StintYearsRequired, &[]),
        };
        let end = start + len;
        // A stint without a length runs to the horizon, so only a stint
        // that gives one can miss it.
        if let Some((given, gk)) = given {
            if end > horizon {
                return fail(
                    gk,
                    Rule::PathWithinHorizon,
                    &[("end", &path_point(end)), ("years", &years)],
                );
            }
            if last && end < horizon {
                return fail(
                    gk,
                    Rule::PathReachesHorizon,
                    &[
                        ("end", &path_point(end)),
                        ("years", &years),
                        ("given", &given),
                    ],
                );
            }
        }
        if len == 0 {
            // Only the last stint, without a length, after a path that
            // already fills the horizon, which ends at a year's end.
            return fail(
                &jk,
                Rule::StintStartsBeforeHorizon,
                &[("start", &(start / 12))],
            );
        }
        let j = &jobs[job];
        if i == 0 && matches!(j.base, Base::Relative { .. } | Base::RelativeMarket { .. }) {
            return fail(&jk, Rule::FirstStintHasBase, &[("job", jname)]);
        }
        // "same" and "+1" count from the previous stint's last level.
        if let Some(o) = j.ladder {
            let level = match o.level {
                LevelStart::At(_) => None,
                LevelStart::Same => Some("same"),
                LevelStart::Up => Some("+1"),
            };
            if let Some(level) = level {
                match stints.last().map(|p: &Stint| &jobs[p.job]) {
                    None => {
                        return fail(
                            &jk,
                            Rule::RelativeLevelNeedsPreviousStint,
                            &[("job", jname), ("level", &level)],
                        );
                    }
                    Some(previous) if previous.ladder.is_none() => {
                        return fail(
                            &jk,
                            Rule::RelativeLevelNeedsPreviousLadder,
                            &[
                                ("job", jname),
                                ("level", &level),
                                ("previous", &previous.name),
                            ],
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        if i > 0 && j.grants.iter().any(|g| g.granted_months_ago > 0) {
            return fail(&jk, Rule::ExistingGrantOnFirstStint, &[("job", jname)]);
        }
        stints.push(Stint { job, start, end });
        start = end;
    }
    Ok(Strategy {
        name: name.to_string(),
        stints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of a company table is public-only, private-only or of
    /// either type, so a new key cannot be reported as belonging to the
    /// other type by mistake, nor accepted on both unlisted.
    #[test]
    fn every_company_key_is_public_private_or_either() {
        let keys = super::super::keys::accepted_keys();
        let company_keys: Vec<&str> = keys
            .iter()
            .filter_map(|k| k.strip_prefix("companies.*."))
            .filter(|k| !k.contains('.'))
            .collect();
        for k in &company_keys {
            let lists = [
                PUBLIC_ONLY.contains(k),
                PRIVATE_ONLY.contains(k),
                EITHER_TYPE.contains(k),
                *k == "type",
            ];
            assert_eq!(
                lists.iter().filter(|&&b| b).count(),
                1,
                "companies.*.{k} must be in exactly one of PUBLIC_ONLY, PRIVATE_ONLY, EITHER_TYPE"
            );
        }
        for k in PUBLIC_ONLY.iter().chain(&PRIVATE_ONLY).chain(&EITHER_TYPE) {
            assert!(company_keys.contains(k), "{k} is not a company key");
        }
    }

    #[test]
    fn path_points_name_a_year_end_or_a_month() {
        assert_eq!(path_point(36), "year 3");
        assert_eq!(path_point(30), "month 30");
        assert_eq!(path_point(0), "year 0");
    }

    #[test]
    fn names_are_ascii_letters_digits_underscores_dashes_and_dots() {
        for ok in [
            "stay",
            "a",
            "0",
            "hop-modest",
            "current_co",
            "senior.eng",
            "v2.1-x_y",
        ] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        assert_eq!(name_problem(&"a".repeat(MAX_NAME_CHARS)), None);
        let bad = [
            ("", "an empty name"),
            ("-x", "`-` as the first character"),
            ("_x", "`_` as the first character"),
            (".x", "`.` as the first character"),
            ("=1+2", "`=` at character 1"),
            ("+x", "`+` at character 1"),
            ("@x", "`@` at character 1"),
            ("stay, then switch", "`,` at character 5"),
            ("a b", "` ` at character 2"),
            ("caf\u{e9}", "`\u{e9}` at character 4"),
            ("a\u{1b}[2J", "`\u{1b}` at character 2"),
            ("a/b", "`/` at character 2"),
        ];
        for (name, why) in bad {
            assert_eq!(name_problem(name).as_deref(), Some(why), "{name:?}");
        }
        assert_eq!(
            name_problem(&"a".repeat(MAX_NAME_CHARS + 1)).as_deref(),
            Some("65 characters")
        );
    }
}
