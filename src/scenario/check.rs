//! Turns the raw file into the checked model, one rule at a time. The first
//! broken rule stops the check with the key path and a message that states
//! the rule and the bad value.
//!
//! The limits below keep every later computation finite: with them the
//! largest possible share price is about `1e7 * exp(50 + 2 * sqrt(50) * 9)`,
//! around 1e51, and the largest dollar total stays far below `f64::MAX`.

use super::raw::*;
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
/// Default percentiles (model.md section 6).
pub const DEFAULT_PERCENTILES: [f64; 7] = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0];
/// Default number of runs.
pub const DEFAULT_RUNS: u64 = 10_000;

/// A broken rule, before it is given a position in the file.
#[derive(Debug)]
pub struct Fail {
    pub key: KeyPath,
    pub message: String,
}

type Check<T> = Result<T, Fail>;

fn fail<T>(key: &KeyPath, message: impl Into<String>) -> Check<T> {
    Err(Fail {
        key: key.clone(),
        message: message.into(),
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

fn finite(key: &KeyPath, x: f64) -> Check<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        fail(key, format!("must be a finite number, got {}", show(x)))
    }
}

/// `x` in the closed interval `[lo, hi]`.
fn within(key: &KeyPath, x: f64, lo: f64, hi: f64) -> Check<f64> {
    finite(key, x)?;
    if x < lo || x > hi {
        return fail(
            key,
            format!("must be in [{}, {}], got {}", show(lo), show(hi), show(x)),
        );
    }
    Ok(x)
}

/// `x` in `(0, hi]`.
fn positive(key: &KeyPath, x: f64, hi: f64) -> Check<f64> {
    finite(key, x)?;
    if x <= 0.0 {
        return fail(key, format!("must be positive, got {}", show(x)));
    }
    if x > hi {
        return fail(
            key,
            format!("must be at most {}, got {}", show(hi), show(x)),
        );
    }
    Ok(x)
}

fn int_within(key: &KeyPath, x: i64, lo: i64, hi: i64) -> Check<i64> {
    if x < lo || x > hi {
        return fail(key, format!("must be an integer in [{lo}, {hi}], got {x}"));
    }
    Ok(x)
}

fn required<T: Copy>(key: &KeyPath, v: Option<T>) -> Check<T> {
    match v {
        Some(v) => Ok(v),
        None => fail(key, "is required but missing"),
    }
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

/// Checks the whole file.
pub fn check(raw: &RawScenario) -> Check<Scenario> {
    let root = KeyPath::root();
    let sim_key = root.key("simulation");
    let Some(sim) = &raw.simulation else {
        return fail(
            &sim_key,
            "is required: add a [simulation] table with at least `years`",
        );
    };
    let years = int_within(
        &sim_key.key("years"),
        required(&sim_key.key("years"), sim.years)?,
        1,
        MAX_YEARS,
    )? as u32;

    let companies = raw
        .companies
        .iter()
        .map(|(name, c)| company(&root.key("companies").key(name), name, c, years))
        .collect::<Check<Vec<_>>>()?;

    if raw.strategies.is_empty() {
        return fail(
            &root.key("strategies"),
            "must define at least one strategy, e.g. [strategies.stay] path = [{ job = \"current\" }]",
        );
    }

    let mut jobs = Vec::with_capacity(raw.jobs.len());
    for (name, j) in &raw.jobs {
        jobs.push(job(
            &root.key("jobs").key(name),
            name,
            j,
            raw,
            &companies,
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
    Ok(Scenario {
        sim,
        companies,
        jobs,
        strategies,
    })
}

fn simulation(
    key: &KeyPath,
    s: &RawSimulation,
    years: u32,
    raw: &RawScenario,
) -> Check<Simulation> {
    let runs = match s.runs {
        Some(r) => int_within(&key.key("runs"), r, 1, MAX_RUNS)? as u64,
        None => DEFAULT_RUNS,
    };
    let seed = match s.seed {
        Some(x) => int_within(&key.key("seed"), x, 0, i64::MAX)? as u64,
        None => 0,
    };
    let steps_per_year = match s.steps_per_year {
        Some(x) => {
            let k = key.key("steps_per_year");
            let x = int_within(&k, x, 1, 360)?;
            if x % 12 != 0 {
                return fail(
                    &k,
                    format!(
                        "must be a multiple of 12 (12 = monthly, 24, ..., 252 = trading days) so every month end is on the price grid, got {x}"
                    ),
                );
            }
            x as u32
        }
        None => 12,
    };
    let percentiles = match &s.percentiles {
        Some(p) => {
            let k = key.key("percentiles");
            if p.is_empty() {
                return fail(&k, "must list at least one percentile");
            }
            if p.len() > 99 {
                return fail(
                    &k,
                    format!("must list at most 99 percentiles, got {}", p.len()),
                );
            }
            for (i, &x) in p.iter().enumerate() {
                within(&k.index(i), x, 0.0, 100.0)?;
                if i > 0 && x <= p[i - 1] {
                    return fail(
                        &k.index(i),
                        format!(
                            "must be strictly increasing, got {} after {}",
                            show(x),
                            show(p[i - 1])
                        ),
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
                    format!(
                        "names strategy `{b}`, which is not defined (strategies: {})",
                        names(raw.strategies.keys())
                    ),
                );
            }
        },
        None => 0,
    };
    Ok(Simulation {
        years,
        runs,
        seed,
        steps_per_year,
        percentiles,
        baseline,
    })
}

const PUBLIC_ONLY: [&str; 3] = ["share_price", "drift", "volatility"];
const PRIVATE_ONLY: [&str; 10] = [
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
];

fn company(key: &KeyPath, name: &str, c: &RawCompany, years: u32) -> Check<Company> {
    let kind_key = key.key("type");
    let Some(kind) = &c.kind else {
        return fail(&kind_key, "is required: \"public\" or \"private\"");
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
    ];
    let kind = match kind.as_str() {
        "public" => {
            if let Some(i) = private_set.iter().position(|&b| b) {
                return fail(
                    &key.key(PRIVATE_ONLY[i]),
                    "applies only to a private company, but this one has type = \"public\"",
                );
            }
            let sp = key.key("share_price");
            let share_price = within(
                &sp,
                required(&sp, c.share_price)?,
                MIN_SHARE_PRICE,
                MAX_SHARE_PRICE,
            )?;
            let dk = key.key("drift");
            let drift = within(&dk, required(&dk, c.drift)?, -1.0, 1.0)?;
            let vk = key.key("volatility");
            let volatility = within(&vk, required(&vk, c.volatility)?, 0.0, 2.0)?;
            CompanyKind::Public(Gbm {
                share_price,
                drift,
                volatility,
            })
        }
        "private" => {
            if let Some(i) = public_set.iter().position(|&b| b) {
                return fail(
                    &key.key(PUBLIC_ONLY[i]),
                    "applies only to a public company, but this one has type = \"private\"",
                );
            }
            private_company(key, c, years)?
        }
        other => {
            return fail(
                &kind_key,
                format!("must be \"public\" or \"private\", got \"{other}\""),
            );
        }
    };
    Ok(Company {
        name: name.to_string(),
        stream: stream_key("company", name),
        kind,
    })
}

fn private_company(key: &KeyPath, c: &RawCompany, years: u32) -> Check<CompanyKind> {
    let k = |s: &str| key.key(s);
    let valuation = within(
        &k("valuation"),
        required(&k("valuation"), c.valuation)?,
        1.0,
        MAX_VALUATION,
    )?;
    let shares = within(
        &k("shares"),
        required(&k("shares"), c.shares)?,
        1.0,
        MAX_UNITS,
    )?;
    let preference = within(
        &k("preference"),
        c.preference.unwrap_or(0.0),
        0.0,
        MAX_VALUATION,
    )?;
    let preferred_fraction = c.preferred_fraction.unwrap_or(0.0);
    finite(&k("preferred_fraction"), preferred_fraction)?;
    if !(0.0..1.0).contains(&preferred_fraction) {
        return fail(
            &k("preferred_fraction"),
            format!("must be in [0, 1), got {}", show(preferred_fraction)),
        );
    }
    let exit_month = match c.exit_month {
        Some(m) => {
            for (other, set) in [
                ("exit_rate", c.exit_rate.is_some()),
                ("failure_rate", c.failure_rate.is_some()),
            ] {
                if set {
                    return fail(
                        &k(other),
                        "cannot be given together with `exit_month` (a scheduled exit replaces the yearly hazards)",
                    );
                }
            }
            Some(int_within(&k("exit_month"), m, 1, i64::from(12 * years))? as u32)
        }
        None => None,
    };
    let exit_rate = match exit_month {
        Some(_) => 0.0,
        None => within(
            &k("exit_rate"),
            required(&k("exit_rate"), c.exit_rate)?,
            0.0,
            1.0,
        )?,
    };
    let failure_rate = within(&k("failure_rate"), c.failure_rate.unwrap_or(0.0), 0.0, 1.0)?;
    if exit_rate + failure_rate > 1.0 {
        return fail(
            &k("failure_rate"),
            format!(
                "plus exit_rate must be at most 1, got {} + {} = {}",
                show(failure_rate),
                show(exit_rate),
                show(exit_rate + failure_rate)
            ),
        );
    }
    let ipo_fraction = within(&k("ipo_fraction"), c.ipo_fraction.unwrap_or(0.0), 0.0, 1.0)?;
    let mk = k("exit_multiple");
    let Some(m) = &c.exit_multiple else {
        return fail(
            &mk,
            "is required for a private company, e.g. exit_multiple = { median = 1.5, sigma = 0.9 }",
        );
    };
    let exit_median = positive(
        &mk.key("median"),
        required(&mk.key("median"), m.median)?,
        1000.0,
    )?;
    let exit_sigma = within(
        &mk.key("sigma"),
        required(&mk.key("sigma"), m.sigma)?,
        0.0,
        5.0,
    )?;
    let dilution = within(&k("dilution"), c.dilution.unwrap_or(0.0), 0.0, 1.0)?;
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
    }))
}

fn frequency(key: &KeyPath, f: &Option<String>) -> Check<Option<Frequency>> {
    Ok(match f.as_deref() {
        None => None,
        Some("monthly") => Some(Frequency::Monthly),
        Some("quarterly") => Some(Frequency::Quarterly),
        Some("annual") => Some(Frequency::Annual),
        Some(other) => {
            return fail(
                key,
                format!("must be \"monthly\", \"quarterly\" or \"annual\", got \"{other}\""),
            );
        }
    })
}

fn vesting_percent(key: &KeyPath, v: &[f64]) -> Check<Vec<f64>> {
    if v.is_empty() || v.len() > MAX_VESTING_YEARS {
        return fail(
            key,
            format!(
                "must list the percent vesting in each of 1 to {MAX_VESTING_YEARS} years, got {} entries",
                v.len()
            ),
        );
    }
    for (i, &p) in v.iter().enumerate() {
        within(&key.index(i), p, 0.0, 100.0)?;
    }
    let sum: f64 = v.iter().sum();
    if (sum - 100.0).abs() > 1e-6 {
        return fail(key, format!("must sum to 100, got {}", show(sum)));
    }
    Ok(v.to_vec())
}

fn cliff(key: &KeyPath, c: Option<i64>, vest_years: usize, horizon: u32) -> Check<u32> {
    let Some(c) = c else { return Ok(0) };
    let c = int_within(key, c, 0, 12 * vest_years as i64)?;
    if c > i64::from(12 * horizon) {
        return fail(
            key,
            format!(
                "must not exceed the horizon of {} months, got {c}",
                12 * horizon
            ),
        );
    }
    Ok(c as u32)
}

fn job(
    key: &KeyPath,
    name: &str,
    j: &RawJob,
    raw: &RawScenario,
    companies: &[Company],
    years: u32,
) -> Check<Job> {
    let ck = key.key("company");
    let Some(cname) = &j.company else {
        return fail(&ck, "is required: the name of a company under [companies]");
    };
    let Some(company) = raw.companies.get_index_of(cname) else {
        return fail(
            &ck,
            format!(
                "names company `{cname}`, which is not defined under [companies] (defined: {})",
                names(raw.companies.keys())
            ),
        );
    };
    let base = match (j.base, &j.base_raise) {
        (Some(_), Some(_)) => {
            return fail(
                &key.key("base_raise"),
                "cannot be given together with `base`: choose one",
            );
        }
        (None, None) => {
            return fail(
                &key.key("base"),
                "is required (or give `base_raise = { min, max }` for a later switch)",
            );
        }
        (Some(b), None) => Base::Fixed(within(&key.key("base"), b, 0.0, MAX_MONEY)?),
        (None, Some(r)) => {
            let rk = key.key("base_raise");
            let min = within(&rk.key("min"), required(&rk.key("min"), r.min)?, -0.9, 10.0)?;
            let max = within(&rk.key("max"), required(&rk.key("max"), r.max)?, -0.9, 10.0)?;
            if min > max {
                return fail(
                    &rk.key("max"),
                    format!("must be at least min = {}, got {}", show(min), show(max)),
                );
            }
            Base::Relative { min, max }
        }
    };
    let raise = match &j.raise {
        Some(r) => {
            let rk = key.key("raise");
            Raise {
                mean: within(&rk.key("mean"), r.mean.unwrap_or(0.0), -0.5, 1.0)?,
                sd: within(&rk.key("sd"), r.sd.unwrap_or(0.0), 0.0, 1.0)?,
            }
        }
        None => Raise::default(),
    };
    let promotion = match &j.promotion {
        Some(p) => {
            let pk = key.key("promotion");
            Promotion {
                rate: within(&pk.key("rate"), p.rate.unwrap_or(0.0), 0.0, 1.0)?,
                raise: within(&pk.key("raise"), p.raise.unwrap_or(0.0), 0.0, 5.0)?,
            }
        }
        None => Promotion::default(),
    };
    let bonus = match &j.bonus {
        Some(b) => {
            let bk = key.key("bonus");
            let target = within(&bk.key("target"), b.target.unwrap_or(0.0), 0.0, 10.0)?;
            let sd = within(&bk.key("sd"), b.sd.unwrap_or(0.0), 0.0, 5.0)?;
            let min = within(&bk.key("min"), b.min.unwrap_or(0.0), 0.0, 100.0)?;
            let max = within(&bk.key("max"), b.max.unwrap_or(2.0), 0.0, 100.0)?;
            if min > max {
                // Blame the key the user wrote: min against the default max.
                return match b.max {
                    Some(_) => fail(
                        &bk.key("max"),
                        format!("must be at least min = {}, got {}", show(min), show(max)),
                    ),
                    None => fail(
                        &bk.key("min"),
                        format!(
                            "must be at most max = {} (the default; set max too), got {}",
                            show(max),
                            show(min)
                        ),
                    ),
                };
            }
            Bonus {
                target,
                sd,
                min,
                max,
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
                    format!(
                        "must list at most {MAX_YEARS} yearly amounts, got {}",
                        v.len()
                    ),
                );
            }
            v.iter()
                .enumerate()
                .map(|(i, &x)| within(&sk.index(i), x, 0.0, MAX_MONEY))
                .collect::<Check<Vec<_>>>()?
        }
        None => Vec::new(),
    };
    let public = matches!(companies[company].kind, CompanyKind::Public(_));
    let gk = key.key("grants");
    if j.grants.len() > MAX_GRANTS {
        return fail(
            &gk,
            format!(
                "must hold at most {MAX_GRANTS} grants, got {}",
                j.grants.len()
            ),
        );
    }
    let grants = j
        .grants
        .iter()
        .enumerate()
        .map(|(i, g)| grant(&gk.index(i), g, years, public))
        .collect::<Check<Vec<_>>>()?;
    let refresh = match &j.refresh {
        Some(r) => Some(refresh(&key.key("refresh"), r, j, years)?),
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
    })
}

fn grant(key: &KeyPath, g: &RawGrant, years: u32, _public: bool) -> Check<Grant> {
    let kk = key.key("kind");
    let kind_name = match g.kind.as_deref() {
        None => return fail(&kk, "is required: \"rsu\" or \"option\""),
        Some(k @ ("rsu" | "option")) => k,
        Some(other) => {
            return fail(
                &kk,
                format!("must be \"rsu\" or \"option\", got \"{other}\""),
            );
        }
    };
    let kind = if kind_name == "rsu" {
        if g.strike.is_some() {
            return fail(
                &key.key("strike"),
                "applies only to options, but this grant has kind = \"rsu\"",
            );
        }
        if g.on_leave.is_some() {
            return fail(
                &key.key("on_leave"),
                "applies only to options, but this grant has kind = \"rsu\"",
            );
        }
        GrantKind::Rsu
    } else {
        let sk = key.key("strike");
        let strike = within(&sk, required(&sk, g.strike)?, 0.0, MAX_SHARE_PRICE)?;
        let on_leave = match g.on_leave.as_deref() {
            None | Some("forfeit") => OnLeave::Forfeit,
            Some("exercise") => OnLeave::Exercise,
            Some(other) => {
                return fail(
                    &key.key("on_leave"),
                    format!("must be \"exercise\" or \"forfeit\", got \"{other}\""),
                );
            }
        };
        GrantKind::Option { strike, on_leave }
    };
    let size = match (g.value, g.units) {
        (Some(_), Some(_)) => {
            return fail(
                &key.key("units"),
                "cannot be given together with `value`: choose one",
            );
        }
        (None, None) => {
            return fail(
                &key.key("units"),
                "is required (or `value` in dollars for an RSU grant)",
            );
        }
        (Some(v), None) => {
            if kind_name == "option" {
                return fail(
                    &key.key("value"),
                    "is not supported for options: give `units` and `strike`",
                );
            }
            GrantSize::Value(positive(&key.key("value"), v, MAX_MONEY)?)
        }
        (None, Some(u)) => GrantSize::Units(positive(&key.key("units"), u, MAX_UNITS)?),
    };
    let vk = key.key("vesting");
    let Some(vesting) = &g.vesting else {
        return fail(
            &vk,
            "is required: percent vesting per year, e.g. [25, 25, 25, 25]",
        );
    };
    let vesting = vesting_percent(&vk, vesting)?;
    let freq = frequency(&key.key("frequency"), &g.frequency)?.unwrap_or(Frequency::Monthly);
    let cliff_months = cliff(
        &key.key("cliff_months"),
        g.cliff_months,
        vesting.len(),
        years,
    )?;
    let granted_months_ago = match g.granted_months_ago {
        Some(m) => int_within(
            &key.key("granted_months_ago"),
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

fn refresh(key: &KeyPath, r: &RawRefresh, j: &RawJob, years: u32) -> Check<Refresh> {
    let vk = key.key("value");
    let value = positive(&vk, required(&vk, r.value)?, MAX_MONEY)?;
    let ek = key.key("every_years");
    let every_years = int_within(&ek, required(&ek, r.every_years)?, 1, MAX_YEARS)? as u32;
    let first_after_years = match r.first_after_years {
        Some(f) => int_within(&key.key("first_after_years"), f, 0, MAX_YEARS)? as u32,
        None => every_years,
    };
    // Vesting keys not given here come from the job's first RSU grant.
    let template = j.grants.iter().find(|g| g.kind.as_deref() == Some("rsu"));
    let vesting = match (&r.vesting, template.and_then(|g| g.vesting.as_ref())) {
        (Some(v), _) => vesting_percent(&key.key("vesting"), v)?,
        (None, Some(v)) => v.clone(),
        (None, None) => {
            return fail(
                &key.key("vesting"),
                "is required: the job has no RSU grant to take the vesting schedule from",
            );
        }
    };
    let freq = match frequency(&key.key("frequency"), &r.frequency)? {
        Some(f) => f,
        None => template
            .and_then(|g| {
                frequency(&key.key("frequency"), &g.frequency)
                    .ok()
                    .flatten()
            })
            .unwrap_or(Frequency::Monthly),
    };
    let cliff_months = match (r.cliff_months, template.and_then(|g| g.cliff_months)) {
        (Some(c), _) => cliff(&key.key("cliff_months"), Some(c), vesting.len(), years)?,
        (None, inherited) => cliff(&key.key("cliff_months"), inherited, vesting.len(), years)
            .map_err(|mut f| {
                f.message
                    .push_str(" (taken from the job's first RSU grant; set refresh.cliff_months)");
                f
            })?,
    };
    Ok(Refresh {
        value,
        every_years,
        first_after_years,
        schedule: Schedule::new(&vesting, freq, cliff_months),
    })
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
        return fail(
            &pk,
            "is required: stints in order, e.g. path = [{ job = \"current\" }]",
        );
    };
    if path.is_empty() {
        return fail(&pk, "must hold at least one stint");
    }
    let mut stints = Vec::with_capacity(path.len());
    let mut start: u32 = 0;
    for (i, st) in path.iter().enumerate() {
        let sk = pk.index(i);
        let last = i + 1 == path.len();
        let Some(jname) = &st.job else {
            return fail(
                &sk.key("job"),
                "is required: the name of a job under [jobs]",
            );
        };
        let Some(job) = raw.jobs.get_index_of(jname) else {
            return fail(
                &sk.key("job"),
                format!(
                    "names job `{jname}`, which is not defined under [jobs] (defined: {})",
                    names(raw.jobs.keys())
                ),
            );
        };
        let len = match st.years {
            Some(y) => int_within(&sk.key("years"), y, 1, MAX_YEARS)? as u32,
            None if last => years.saturating_sub(start),
            None => return fail(&sk.key("years"), "is required on every stint but the last"),
        };
        let end = start + len;
        if end > years {
            return fail(
                &sk.key("years"),
                format!(
                    "takes the path to year {end}, beyond the horizon of {years} years (simulation.years)"
                ),
            );
        }
        if last && end < years {
            return fail(
                &sk.key("years"),
                format!(
                    "ends the path at year {end}, before the horizon of {years} years: leave `years` out of the last stint so it runs to the horizon"
                ),
            );
        }
        if len == 0 {
            return fail(
                &sk.key("job"),
                format!("starts at year {start}, which is already the horizon"),
            );
        }
        let j = &jobs[job];
        if i == 0 && matches!(j.base, Base::Relative { .. }) {
            return fail(
                &sk.key("job"),
                format!(
                    "is `{jname}`, which uses base_raise, but a first stint has no previous base to raise: give that job a `base`"
                ),
            );
        }
        if i > 0 && j.grants.iter().any(|g| g.granted_months_ago > 0) {
            return fail(
                &sk.key("job"),
                format!(
                    "is `{jname}`, which has an existing grant (granted_months_ago), so it can only be a strategy's first stint"
                ),
            );
        }
        stints.push(Stint { job, start, end });
        start = end;
    }
    Ok(Strategy {
        name: name.to_string(),
        stints,
    })
}
