//! `tcsim check` prints every term of a job (and of a company) that the
//! model reads, so two jobs that differ are never printed alike: for each
//! term, one base scenario is patched with two values of it (the `sweep
//! --set` path syntax) and the described blocks of that job or company
//! must differ. The base file sets every key to a non-default value where
//! it can, so each row changes one term and only it.

use std::path::Path;

use tcsim::report::describe::describe;
use tcsim::scenario::patch::{apply, parse_axis};

/// Every kind of job (public with two grants and refreshers, private with
/// options, cash-only, on a ladder, after a switch) and both kinds of
/// company, with `[market]` and `[tax]` so that every term has an effect.
const BASE: &str = r#"
[simulation]
years = 6
runs = 100
seed = 1

[market]
drift = 0.07
volatility = 0.16

[tax]
year = 2026
filing = "single"
state = "CA"

[companies.pub]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3
market_correlation = 0.5
layoffs = { rate = 0.05, severance_weeks = 8 }

[companies.pub2]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3

[companies.priv]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.3
exit_rate = 0.1
failure_rate = 0.05
ipo_fraction = 0.2
exit_multiple = { median = 1.2, sigma = 0.8 }
dilution = 0.05
fmv_fraction = 0.3
market_correlation = 0.2
on_acquisition = "assume"
after_ipo = { drift = 0.05, volatility = 0.5, lockup_months = 6 }

[companies.round]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.1
failure_rate = 0.05
exit_multiple = { median = 1.2, sigma = 0.8 }
rounds = { rate = 0.5, step_up = { median = 1.5, sigma = 0.6 }, dilution = 0.13 }

[ladders.l]
levels = ["L3", "L4"]
base = [150_000, 190_000]
bonus_target = [0.1, 0.15]
refresh = [40_000, 80_000]
promotion_rate = [0.3, 0.0]
min_years = [1, 0]
promotion_grant = [0, 60_000]
promotion_raise = 0.08

[ladders.m]
levels = ["L3", "L4"]
base = [150_000, 190_000]
bonus_target = [0.1, 0.15]
refresh = [40_000, 80_000]
promotion_rate = [0.3, 0.0]
min_years = [1, 0]
promotion_grant = [0, 60_000]
promotion_raise = 0.08

[jobs.a]
company = "pub"
base = 200_000
raise = { mean = 0.03, sd = 0.01 }
promotion = { rate = 0.1, raise = 0.1 }
bonus = { target = 0.15, sd = 0.2, min = 0.1, max = 2.0, company_link = 0.5, distribution = "normal" }
sign_on = [20_000, 10_000]
sign_on_clawback_months = 12
state = "CA"
price_parity = 1.1
layoffs = { rate = 0.04, market_sensitivity = 1.0, severance_weeks = 16, weeks_per_year = 2, vesting_months = 2, rehire_months = 4, rehire_pay = 0.9 }

[[jobs.a.grants]]
kind = "rsu"
value = 400_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12
granted_months_ago = 6

[[jobs.a.grants]]
kind = "option"
units = 1_000
strike = 50
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12
tax_type = "nso"

[jobs.a.refresh]
value = 50_000
every_years = 1
first_after_years = 1
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 3

[jobs.s]
company = "priv"
base = 180_000

[[jobs.s.grants]]
kind = "option"
units = 40_000
strike = 3
vesting = [25, 25, 25, 25]
cliff_months = 12
on_leave = "exercise"
exercise_window_months = 3
tax_type = "iso"

[jobs.c]
base = 250_000
bonus = { target = 0.5, sd = 0.5, distribution = "lognormal" }

[jobs.l]
company = "pub"
ladder = "l"
level = "L3"
pay_factor = 0.9
raise = { mean = 0.03, sd = 0.01 }
bonus = { sd = 0.2 }
refresh = { every_years = 1 }

[jobs.sw]
company = "pub"
base_raise = { min = 0.1, max = 0.2 }

[jobs.mk]
company = "round"
base = { p10 = 150_000, p50 = 180_000, p90 = 220_000 }

[strategies.x]
path = [{ job = "a" }]

[strategies.y]
path = [{ job = "s", years = 2 }, { job = "sw", years = 2 }, { job = "c" }]

[strategies.z]
path = [{ job = "l", years = 3 }, { job = "mk" }]
"#;

/// `(key, value A, value B)`: one term of a job or company, two values.
const JOB_TERMS: &[(&str, &str, &str)] = &[
    ("jobs.a.company", "\"pub\"", "\"pub2\""),
    ("jobs.a.base", "200_000", "200_000.5"),
    (
        "jobs.a.base",
        "200_000",
        "{ p10 = 150_000, p50 = 200_000, p90 = 260_000 }",
    ),
    (
        "jobs.mk.base",
        "{ p10 = 150_000, p50 = 180_000, p90 = 220_000 }",
        "{ p10 = 150_000, p50 = 181_000, p90 = 220_000 }",
    ),
    (
        "jobs.sw.base_raise",
        "{ min = 0.1, max = 0.2 }",
        "{ min = 0.1, max = 0.205 }",
    ),
    (
        "jobs.sw.base_raise",
        "{ min = 0.1, max = 0.2 }",
        "{ p10 = 0.1, p50 = 0.15, p90 = 0.2 }",
    ),
    ("jobs.a.raise.mean", "0.03", "0.035"),
    ("jobs.a.raise.sd", "0.01", "0.02"),
    (
        "jobs.a.raise",
        "{ mean = 0.03, sd = 0.01 }",
        "{ mean = 0.0, sd = 0.0 }",
    ),
    ("jobs.a.promotion.rate", "0.1", "0.2"),
    ("jobs.a.promotion.raise", "0.1", "0.12"),
    ("jobs.a.bonus.target", "0.15", "0.155"),
    ("jobs.a.bonus.sd", "0.2", "0.3"),
    ("jobs.a.bonus.min", "0.1", "0.5"),
    ("jobs.a.bonus.max", "2.0", "1.5"),
    ("jobs.a.bonus.company_link", "0.5", "1.0"),
    ("jobs.a.bonus.distribution", "\"normal\"", "\"lognormal\""),
    ("jobs.c.bonus.sd", "0.5", "0.7"),
    ("jobs.c.bonus.max", "20", "10"),
    ("jobs.l.bonus.sd", "0.2", "0.3"),
    ("jobs.a.sign_on", "[20_000, 10_000]", "[20_000, 10_001]"),
    ("jobs.a.sign_on", "[20_000, 10_000]", "[20_000]"),
    ("jobs.a.sign_on_clawback_months", "12", "6"),
    ("jobs.a.state", "\"CA\"", "\"TX\""),
    ("jobs.a.price_parity", "1.1", "1.2"),
    ("jobs.a.layoffs.rate", "0.04", "0.05"),
    ("jobs.a.layoffs.market_sensitivity", "1.0", "2.0"),
    ("jobs.a.layoffs.severance_weeks", "16", "12"),
    ("jobs.a.layoffs.weeks_per_year", "2", "3"),
    ("jobs.a.layoffs.vesting_months", "2", "3"),
    ("jobs.a.layoffs.rehire_months", "4", "5"),
    ("jobs.a.layoffs.rehire_pay", "0.9", "0.8"),
    ("jobs.a.grants[0].value", "400_000", "400_001"),
    (
        "jobs.a.grants[0]",
        "{ kind = \"rsu\", value = 400_000, vesting = [25, 25, 25, 25] }",
        "{ kind = \"rsu\", units = 400_000, vesting = [25, 25, 25, 25] }",
    ),
    (
        "jobs.a.grants[0]",
        "{ kind = \"rsu\", units = 1000, vesting = [25, 25, 25, 25] }",
        "{ kind = \"option\", units = 1000, strike = 0, vesting = [25, 25, 25, 25] }",
    ),
    (
        "jobs.a.grants[0].vesting",
        "[25, 25, 25, 25]",
        "[5, 15, 40, 40]",
    ),
    ("jobs.a.grants[0].vesting", "[25, 25, 25, 25]", "[50, 50]"),
    ("jobs.a.grants[0].frequency", "\"quarterly\"", "\"monthly\""),
    ("jobs.a.grants[0].frequency", "\"quarterly\"", "\"annual\""),
    ("jobs.a.grants[0].cliff_months", "12", "6"),
    ("jobs.a.grants[0].cliff_months", "12", "0"),
    ("jobs.a.grants[0].granted_months_ago", "6", "7"),
    ("jobs.a.grants[1].units", "1_000", "1_500"),
    ("jobs.a.grants[1].strike", "50", "50.5"),
    ("jobs.a.grants[1].tax_type", "\"nso\"", "\"iso\""),
    ("jobs.a.grants[1].cliff_months", "12", "0"),
    ("jobs.s.grants[0].strike", "3", "3.25"),
    ("jobs.s.grants[0].exercise_window_months", "3", "120"),
    (
        "jobs.s.grants[0]",
        "{ kind = \"option\", units = 40_000, strike = 3, vesting = [25, 25, 25, 25], on_leave = \"exercise\" }",
        "{ kind = \"option\", units = 40_000, strike = 3, vesting = [25, 25, 25, 25], on_leave = \"forfeit\" }",
    ),
    ("jobs.s.grants[0].tax_type", "\"iso\"", "\"nso\""),
    ("jobs.a.refresh.value", "50_000", "60_000"),
    ("jobs.a.refresh.every_years", "1", "2"),
    ("jobs.a.refresh.first_after_years", "1", "0"),
    ("jobs.a.refresh.first_after_years", "1", "2"),
    (
        "jobs.a.refresh.vesting",
        "[25, 25, 25, 25]",
        "[40, 30, 20, 10]",
    ),
    ("jobs.a.refresh.frequency", "\"quarterly\"", "\"monthly\""),
    ("jobs.a.refresh.cliff_months", "3", "12"),
    ("jobs.l.refresh.every_years", "1", "2"),
    (
        "jobs.l.refresh",
        "{ every_years = 1 }",
        "{ every_years = 1, frequency = \"monthly\" }",
    ),
    (
        "jobs.l.refresh",
        "{ every_years = 1 }",
        "{ every_years = 1, cliff_months = 12 }",
    ),
    (
        "jobs.l.refresh",
        "{ every_years = 1 }",
        "{ every_years = 1, first_after_years = 2 }",
    ),
    ("jobs.l.ladder", "\"l\"", "\"m\""),
    ("jobs.l.level", "\"L3\"", "\"L4\""),
    ("jobs.l.pay_factor", "0.9", "0.85"),
    ("jobs.l.raise.mean", "0.03", "0.04"),
];

/// `(key, value A, value B)` of a company's terms.
const COMPANY_TERMS: &[(&str, &str, &str)] = &[
    ("companies.pub.share_price", "100.0", "100.5"),
    ("companies.pub.drift", "0.08", "0.0825"),
    ("companies.pub.volatility", "0.3", "0.31"),
    ("companies.pub.market_correlation", "0.5", "0.6"),
    ("companies.pub.layoffs.severance_weeks", "8", "9"),
    ("companies.pub.layoffs.rate", "0.05", "0.06"),
    ("companies.priv.valuation", "100_000_000", "120_000_000"),
    ("companies.priv.shares", "10_000_000", "12_000_000"),
    ("companies.priv.preference", "20_000_000", "25_000_000"),
    ("companies.priv.preferred_fraction", "0.3", "0.4"),
    ("companies.priv.exit_rate", "0.1", "0.1025"),
    ("companies.priv.failure_rate", "0.05", "0.06"),
    ("companies.priv.ipo_fraction", "0.2", "0.3"),
    (
        "companies.priv.exit_multiple",
        "{ median = 1.2, sigma = 0.8 }",
        "{ median = 1.5, sigma = 0.8 }",
    ),
    (
        "companies.priv.exit_multiple",
        "{ median = 1.2, sigma = 0.8 }",
        "{ median = 1.2, sigma = 1.0 }",
    ),
    ("companies.priv.dilution", "0.05", "0.07"),
    ("companies.priv.fmv_fraction", "0.3", "0.4"),
    ("companies.priv.market_correlation", "0.2", "0.3"),
    ("companies.priv.on_acquisition", "\"assume\"", "\"cancel\""),
    (
        "companies.priv.on_acquisition",
        "\"assume\"",
        "\"accelerate\"",
    ),
    ("companies.priv.after_ipo.drift", "0.05", "0.06"),
    ("companies.priv.after_ipo.volatility", "0.5", "0.6"),
    ("companies.priv.after_ipo.lockup_months", "6", "3"),
    ("companies.round.rounds.rate", "0.5", "0.6"),
    (
        "companies.round.rounds.step_up",
        "{ median = 1.5, sigma = 0.6 }",
        "{ median = 1.6, sigma = 0.6 }",
    ),
    (
        "companies.round.rounds.step_up",
        "{ median = 1.5, sigma = 0.6 }",
        "{ median = 1.5, sigma = 0.7 }",
    ),
    ("companies.round.rounds.dilution", "0.13", "0.15"),
];

/// `tcsim check`'s text of the base scenario with `key` set to `value`.
fn described(key: &str, value: &str) -> String {
    let axis = parse_axis(&format!("{key}={value}")).expect("a valid --set");
    let text = apply(BASE, &[axis], &[0]).expect("the path exists in the base");
    let (s, written) = tcsim::scenario::parse_as_written("base.toml", &text)
        .unwrap_or_else(|e| panic!("{key} = {value}: {e}"));
    describe(Path::new("base.toml"), &s, &written)
}

/// The lines of the entry named `name` under the `section:` heading: its
/// own line (two spaces in) and the indented lines below it.
fn block(text: &str, section: &str, name: &str) -> String {
    let start = text
        .find(&format!("\n{section}:\n"))
        .unwrap_or_else(|| panic!("no {section} in\n{text}"));
    let mut lines = text[start..].lines().skip(2);
    let mut out = Vec::new();
    let mut inside = false;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let own = line.starts_with("  ") && !line.starts_with("   ");
        if own {
            let rest = &line[2..];
            inside = rest.starts_with(&format!("{name}:"))
                || rest.starts_with(&format!("{name} at "))
                || rest.starts_with(&format!("{name} (cash only)"));
        }
        if inside {
            out.push(line);
        }
    }
    assert!(!out.is_empty(), "no {name} under {section} in\n{text}");
    out.join("\n")
}

/// The job (or company) a key path names: `jobs.a.bonus.sd` -> `a`.
fn named(key: &str) -> &str {
    key.split('.').nth(1).expect("section.name.key")
}

fn assert_every_term_prints(terms: &[(&str, &str, &str)], section: &str) {
    let mut alike = Vec::new();
    for &(key, a, b) in terms {
        let name = named(key);
        let (ta, tb) = (described(key, a), described(key, b));
        let (ba, bb) = (block(&ta, section, name), block(&tb, section, name));
        if ba == bb {
            alike.push(format!("{key} = {a} or {b}:\n{ba}"));
        }
    }
    assert!(
        alike.is_empty(),
        "these terms print alike:\n{}",
        alike.join("\n\n")
    );
}

#[test]
fn two_jobs_differing_in_any_one_term_are_described_differently() {
    assert_every_term_prints(JOB_TERMS, "jobs");
}

#[test]
fn two_companies_differing_in_any_one_term_are_described_differently() {
    assert_every_term_prints(COMPANY_TERMS, "companies");
}

#[test]
fn a_job_without_a_raise_or_promotion_says_its_base_stays_flat() {
    let text = described("jobs.a.raise", "{ mean = 0.0, sd = 0.0 }");
    assert!(
        block(&text, "jobs", "a")
            .contains("\n    pay: no merit raise, promotion 10% a year, +10% base\n"),
        "{text}"
    );
    let axis = parse_axis("jobs.sw.base_raise={ min = 0.1, max = 0.2 }").unwrap();
    let flat = apply(BASE, &[axis], &[0]).unwrap();
    let (s, w) = tcsim::scenario::parse_as_written("base.toml", &flat).unwrap();
    let out = describe(Path::new("base.toml"), &s, &w);
    assert!(
        block(&out, "jobs", "sw")
            .contains("    pay: no merit raise, no promotion (base flat within a stint)"),
        "{out}"
    );
}

#[test]
fn the_vesting_of_each_grant_and_refresher_is_printed_as_written() {
    let out = described("jobs.a.grants[0].vesting", "[5, 15, 40, 40]");
    let a = block(&out, "jobs", "a");
    assert!(
        a.contains("    grant 1: vesting 5/15/40/40% over 4 years, quarterly, cliff 12 months\n"),
        "{a}"
    );
    assert!(
        a.contains("    grant 2: vesting 25/25/25/25% over 4 years, monthly, cliff 12 months\n"),
        "{a}"
    );
    assert!(
        a.contains("    refreshers: $50,000 every year, the first after stint year 1; vesting 25/25/25/25% over 4 years, quarterly, cliff 3 months"),
        "{a}"
    );
    // At a private company, what leaving does to vested options.
    let s = block(&out, "jobs", "s");
    assert!(
        s.contains("on leaving, vested options are bought at the window's end if in the money (on_leave \"exercise\")"),
        "{s}"
    );
}
