//! Each pay rule of docs/reference.md ("The model's rules") in
//! a world with no randomness left: zero volatility, `sd = 0`, promotion
//! rates of 0 or 1, `base_raise` with `min = max`. Every world is then the
//! same, so the mean and every percentile must equal the figure worked out
//! by hand here from the rules, to the cent.

mod common;

use common::{assert_cents, series, simulate};

/// Share price at month `m` of a public company with zero volatility:
/// `S0 exp(drift m / 12)` (docs/reference.md, "The model's rules" with volatility 0).
fn price(s0: f64, drift: f64, m: u32) -> f64 {
    s0 * (drift * f64::from(m) / 12.0).exp()
}

/// Months (after the grant) and fractions of `vesting = [25, 25, 25, 25]`,
/// `frequency = "quarterly"`, `cliff_months = 12`: the first year's four
/// quarters (25 %) at the cliff, then 1/16 every quarter up to month 48.
fn quarterly_four_years_one_year_cliff() -> Vec<(u32, f64)> {
    let mut events = vec![(12, 0.25)];
    events.extend((15..=48).step_by(3).map(|m| (m, 1.0 / 16.0)));
    events
}

/// Year (1-based) of month `m >= 1`: year `y` is months `12(y-1)+1 ..= 12y`.
fn year_of(m: u32) -> usize {
    ((m - 1) / 12 + 1) as usize
}

// ---------------------------------------------------------------- base ---

const SALARY: &str = r#"
[simulation]
years = 5
runs = 500
seed = 11

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.merit]
company = "co"
base = 100_000
raise = { mean = 0.04, sd = 0.0 }

[jobs.promoted]
company = "co"
base = 100_000
raise = { mean = 0.03, sd = 0.0 }
promotion = { rate = 1.0, raise = 0.10 }

[jobs.never-promoted]
company = "co"
base = 100_000
raise = { mean = 0.03, sd = 0.0 }
promotion = { rate = 0.0, raise = 0.50 }

[jobs.later]
company = "co"
base = 150_000
raise = { mean = 0.05, sd = 0.0 }

[strategies.merit]
path = [{ job = "merit" }]

[strategies.promoted]
path = [{ job = "promoted" }]

[strategies.never-promoted]
path = [{ job = "never-promoted" }]

[strategies.switch]
path = [{ job = "merit", years = 2 }, { job = "later" }]
"#;

#[test]
fn merit_raise_applies_at_each_anniversary_never_in_year_one() {
    let (s, r) = simulate(SALARY);
    for y in 1..=5 {
        let want = 100_000.0 * 1.04f64.powi(y as i32 - 1);
        assert_cents(&s, &r, "merit", y, "base", want);
    }
    assert_cents(&s, &r, "merit", 1, "base", 100_000.0);
    assert_cents(&s, &r, "merit", 2, "base", 104_000.0);
}

#[test]
fn anniversaries_count_from_the_stint_start() {
    let (s, r) = simulate(SALARY);
    assert_cents(&s, &r, "switch", 1, "base", 100_000.0);
    assert_cents(&s, &r, "switch", 2, "base", 104_000.0);
    // The new job pays its own base in its first year, raised at its own
    // anniversaries (the ends of years 3 and 4).
    assert_cents(&s, &r, "switch", 3, "base", 150_000.0);
    assert_cents(&s, &r, "switch", 4, "base", 157_500.0);
    assert_cents(&s, &r, "switch", 5, "base", 165_375.0);
}

#[test]
fn promotion_with_rate_one_multiplies_base_at_each_anniversary_on_top_of_merit() {
    let (s, r) = simulate(SALARY);
    for y in 1..=5 {
        let want = 100_000.0 * (1.03f64 * 1.10).powi(y as i32 - 1);
        assert_cents(&s, &r, "promoted", y, "base", want);
    }
    assert_cents(&s, &r, "promoted", 2, "base", 113_300.0);
}

#[test]
fn promotion_with_rate_zero_never_happens() {
    let (s, r) = simulate(SALARY);
    for y in 1..=5 {
        let want = 100_000.0 * 1.03f64.powi(y as i32 - 1);
        assert_cents(&s, &r, "never-promoted", y, "base", want);
    }
}

// ---------------------------------------------------- bonus and sign-on ---

const CASH: &str = r#"
[simulation]
years = 4
runs = 500
seed = 12

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.first]
company = "co"
base = 100_000
raise = { mean = 0.04, sd = 0.0 }
promotion = { rate = 1.0, raise = 0.10 }
bonus = { target = 0.15, sd = 0.0 }
sign_on = [5_000]

[jobs.second]
company = "co"
base = 200_000
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.20, sd = 0.0 }
sign_on = [30_000, 20_000, 10_000]

[strategies.stay]
path = [{ job = "first" }]

[strategies.switch]
path = [{ job = "first", years = 2 }, { job = "second" }]

[strategies.back-and-forth]
path = [{ job = "second", years = 1 }, { job = "first", years = 1 }, { job = "second" }]
"#;

#[test]
fn bonus_is_that_years_base_times_target_in_every_stint_year() {
    let (s, r) = simulate(CASH);
    let bump = 1.04 * 1.10;
    for y in 1..=4 {
        let base = 100_000.0 * f64::powi(bump, y as i32 - 1);
        assert_cents(&s, &r, "stay", y, "bonus", base * 0.15);
    }
    // Year 2 is the first stint's last year: its bonus is still paid, on
    // the year-2 base.
    assert_cents(&s, &r, "switch", 1, "bonus", 100_000.0 * 0.15);
    assert_cents(&s, &r, "switch", 2, "bonus", 100_000.0 * bump * 0.15);
    assert_cents(&s, &r, "switch", 3, "bonus", 200_000.0 * 0.20);
    assert_cents(&s, &r, "switch", 4, "bonus", 210_000.0 * 0.20);
    // One-year stints: each pays its single year's bonus.
    assert_cents(&s, &r, "back-and-forth", 1, "bonus", 200_000.0 * 0.20);
    assert_cents(&s, &r, "back-and-forth", 2, "bonus", 100_000.0 * 0.15);
    assert_cents(&s, &r, "back-and-forth", 3, "bonus", 200_000.0 * 0.20);
    assert_cents(&s, &r, "back-and-forth", 4, "bonus", 210_000.0 * 0.20);
}

#[test]
fn sign_on_is_paid_by_stint_year() {
    let (s, r) = simulate(CASH);
    assert_cents(&s, &r, "stay", 1, "sign_on", 5_000.0);
    for y in 2..=4 {
        assert_cents(&s, &r, "stay", y, "sign_on", 0.0);
    }
    // A second stint starting in year 3 pays sign_on[0] in year 3, [1] in
    // year 4; [2] would fall after the horizon.
    assert_cents(&s, &r, "switch", 1, "sign_on", 5_000.0);
    assert_cents(&s, &r, "switch", 2, "sign_on", 0.0);
    assert_cents(&s, &r, "switch", 3, "sign_on", 30_000.0);
    assert_cents(&s, &r, "switch", 4, "sign_on", 20_000.0);
}

#[test]
fn each_stint_is_a_fresh_hire_with_its_own_sign_on_and_base() {
    let (s, r) = simulate(CASH);
    // A one-year stint pays only sign_on[0]; coming back to the job in year
    // 3 starts over at its base and its sign_on[0].
    assert_cents(&s, &r, "back-and-forth", 1, "sign_on", 30_000.0);
    assert_cents(&s, &r, "back-and-forth", 2, "sign_on", 5_000.0);
    assert_cents(&s, &r, "back-and-forth", 3, "sign_on", 30_000.0);
    assert_cents(&s, &r, "back-and-forth", 4, "sign_on", 20_000.0);
    assert_cents(&s, &r, "back-and-forth", 1, "base", 200_000.0);
    assert_cents(&s, &r, "back-and-forth", 2, "base", 100_000.0);
    assert_cents(&s, &r, "back-and-forth", 3, "base", 200_000.0);
    assert_cents(&s, &r, "back-and-forth", 4, "base", 210_000.0);
}

// ---------------------------------------------------------- base_raise ---

const BASE_RAISE: &str = r#"
[simulation]
years = 4
runs = 500
seed = 13

[companies.co]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.current]
company = "co"
base = 100_000
raise = { mean = 0.03, sd = 0.0 }
promotion = { rate = 1.0, raise = 0.10 }

[jobs.next]
company = "co"
base_raise = { min = 0.20, max = 0.20 }
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.10, sd = 0.0 }

[strategies.hop-after-two]
path = [{ job = "current", years = 2 }, { job = "next" }]

[strategies.hop-after-one]
path = [{ job = "current", years = 1 }, { job = "next" }]

[strategies.hop-twice]
path = [{ job = "current", years = 1 }, { job = "next", years = 1 }, { job = "next" }]
"#;

#[test]
fn base_raise_multiplies_the_previous_stints_last_paid_base() {
    let (s, r) = simulate(BASE_RAISE);
    // The base paid in year 2 is 100,000 x 1.03 x 1.10 = 113,300. Leaving at
    // the end of year 2 there is no anniversary raise, so the new base is
    // 113,300 x 1.2, then the new job's own merit raise applies.
    let last = 100_000.0 * 1.03 * 1.10;
    assert_cents(&s, &r, "hop-after-two", 2, "base", 113_300.0);
    assert_cents(&s, &r, "hop-after-two", 3, "base", last * 1.20);
    assert_cents(&s, &r, "hop-after-two", 3, "base", 135_960.0);
    assert_cents(&s, &r, "hop-after-two", 4, "base", 135_960.0 * 1.05);
    assert_cents(&s, &r, "hop-after-two", 3, "bonus", 13_596.0);
}

#[test]
fn base_raise_with_min_equal_to_max_is_the_same_whatever_the_year_drawn() {
    let (s, r) = simulate(BASE_RAISE);
    // The switch draw is keyed by (job, year); with min = max every draw
    // gives 1.2, so the switch in year 2 is as exact as the one in year 3.
    assert_cents(&s, &r, "hop-after-one", 1, "base", 100_000.0);
    assert_cents(&s, &r, "hop-after-one", 2, "base", 120_000.0);
    assert_cents(&s, &r, "hop-after-one", 3, "base", 126_000.0);
    assert_cents(&s, &r, "hop-after-one", 4, "base", 132_300.0);
    // A base_raise stint after a base_raise stint raises its last base again.
    assert_cents(&s, &r, "hop-twice", 2, "base", 120_000.0);
    assert_cents(&s, &r, "hop-twice", 3, "base", 144_000.0);
    assert_cents(&s, &r, "hop-twice", 4, "base", 151_200.0);
}

// ----------------------------------------------------------------- RSUs ---

const S0: f64 = 40.0;
const DRIFT: f64 = 0.08;

const FORFEIT: &str = r#"
[simulation]
years = 5
runs = 500
seed = 14

[companies.co]
type = "public"
share_price = 40.0
drift = 0.08
volatility = 0.0

[jobs.a]
company = "co"
base = 0

[[jobs.a.grants]]
kind = "rsu"
units = 1_600
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[jobs.b]
company = "co"
base = 0

[[jobs.b.grants]]
kind = "rsu"
units = 800
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[jobs.nothing]
company = "co"
base = 0

[strategies.stay]
path = [{ job = "a" }]

[strategies.leave]
path = [{ job = "a", years = 2 }, { job = "b" }]

[strategies.one-year]
path = [{ job = "a", years = 1 }, { job = "nothing" }]
"#;

#[test]
fn rsus_vest_quarterly_after_the_cliff_at_the_vest_month_price() {
    let (s, r) = simulate(FORFEIT);
    let p = |m| price(S0, DRIFT, m);
    // 1,600 units: 400 at the month-12 cliff, then 100 a quarter.
    assert_cents(&s, &r, "stay", 1, "rsu", 400.0 * p(12));
    assert_cents(
        &s,
        &r,
        "stay",
        2,
        "rsu",
        100.0 * (p(15) + p(18) + p(21) + p(24)),
    );
    assert_cents(
        &s,
        &r,
        "stay",
        3,
        "rsu",
        100.0 * (p(27) + p(30) + p(33) + p(36)),
    );
    assert_cents(
        &s,
        &r,
        "stay",
        4,
        "rsu",
        100.0 * (p(39) + p(42) + p(45) + p(48)),
    );
    assert_cents(&s, &r, "stay", 5, "rsu", 0.0);
}

#[test]
fn leaving_forfeits_unvested_units_and_the_new_grant_starts_its_own_cliff() {
    let (s, r) = simulate(FORFEIT);
    let p = |m| price(S0, DRIFT, m);
    // Years 1-2: exactly the quarters of job a vested by month 24.
    assert_cents(&s, &r, "leave", 1, "rsu", 400.0 * p(12));
    assert_cents(
        &s,
        &r,
        "leave",
        2,
        "rsu",
        100.0 * (p(15) + p(18) + p(21) + p(24)),
    );
    // Job a's months 27.. are forfeited. Job b's grant is made at month 24:
    // nothing in months 25-35, its cliff (200 units) at month 36, then 50 a
    // quarter.
    assert_cents(&s, &r, "leave", 3, "rsu", 200.0 * p(36));
    assert_cents(
        &s,
        &r,
        "leave",
        4,
        "rsu",
        50.0 * (p(39) + p(42) + p(45) + p(48)),
    );
    assert_cents(
        &s,
        &r,
        "leave",
        5,
        "rsu",
        50.0 * (p(51) + p(54) + p(57) + p(60)),
    );
}

#[test]
fn a_cliff_on_the_last_month_of_a_one_year_stint_vests_before_leaving() {
    let (s, r) = simulate(FORFEIT);
    let p = |m| price(S0, DRIFT, m);
    assert_cents(&s, &r, "one-year", 1, "rsu", 400.0 * p(12));
    for y in 2..=5 {
        assert_cents(&s, &r, "one-year", y, "rsu", 0.0);
    }
}

const EXISTING: &str = r#"
[simulation]
years = 4
runs = 500
seed = 15

[companies.co]
type = "public"
share_price = 50.0
drift = 0.06
volatility = 0.0

[jobs.units]
company = "co"
base = 0

[[jobs.units.grants]]
kind = "rsu"
units = 1_600
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12
granted_months_ago = 18

[jobs.value]
company = "co"
base = 0

[[jobs.value.grants]]
kind = "rsu"
value = 80_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12
granted_months_ago = 18

[jobs.done]
company = "co"
base = 0

[[jobs.done.grants]]
kind = "rsu"
units = 1_600
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12
granted_months_ago = 48

[jobs.nothing]
company = "co"
base = 0

[strategies.units]
path = [{ job = "units" }]

[strategies.value]
path = [{ job = "value" }]

[strategies.done]
path = [{ job = "done" }]

[strategies.leave]
path = [{ job = "units", years = 2 }, { job = "nothing" }]
"#;

#[test]
fn existing_grant_vests_only_its_remaining_quarters_from_month_zero() {
    let (s, r) = simulate(EXISTING);
    let p = |m| price(50.0, 0.06, m);
    // Granted at month -18: events at -6 (cliff), -3, 0 are before the
    // horizon's first year and count nothing; 10 quarters of 100 units
    // remain, at months 3, 6, ..., 30.
    assert_cents(
        &s,
        &r,
        "units",
        1,
        "rsu",
        100.0 * (p(3) + p(6) + p(9) + p(12)),
    );
    assert_cents(
        &s,
        &r,
        "units",
        2,
        "rsu",
        100.0 * (p(15) + p(18) + p(21) + p(24)),
    );
    assert_cents(&s, &r, "units", 3, "rsu", 100.0 * (p(27) + p(30)));
    assert_cents(&s, &r, "units", 4, "rsu", 0.0);
}

#[test]
fn existing_grant_value_converts_at_the_month_zero_share_price() {
    let (s, r) = simulate(EXISTING);
    let p = |m| price(50.0, 0.06, m);
    // 80,000 / 50 = 1,600 units, the same as the units grant.
    let units: f64 = 80_000.0 / 50.0;
    let q = units / 16.0;
    assert_cents(&s, &r, "value", 1, "rsu", q * (p(3) + p(6) + p(9) + p(12)));
    assert_cents(
        &s,
        &r,
        "value",
        2,
        "rsu",
        q * (p(15) + p(18) + p(21) + p(24)),
    );
    assert_cents(&s, &r, "value", 3, "rsu", q * (p(27) + p(30)));
    assert_cents(&s, &r, "value", 4, "rsu", 0.0);
}

#[test]
fn existing_grant_fully_vested_before_month_zero_pays_nothing() {
    let (s, r) = simulate(EXISTING);
    for y in 1..=4 {
        assert_cents(&s, &r, "done", y, "rsu", 0.0);
    }
}

#[test]
fn existing_grant_is_forfeited_on_leaving_like_any_other() {
    let (s, r) = simulate(EXISTING);
    let p = |m| price(50.0, 0.06, m);
    assert_cents(
        &s,
        &r,
        "leave",
        2,
        "rsu",
        100.0 * (p(15) + p(18) + p(21) + p(24)),
    );
    assert_cents(&s, &r, "leave", 3, "rsu", 0.0);
}

const VALUE: &str = r#"
[simulation]
years = 4
runs = 500
seed = 16

[companies.co]
type = "public"
share_price = 50.0
drift = 0.10
volatility = 0.0

[jobs.first]
company = "co"
base = 0

[[jobs.first.grants]]
kind = "rsu"
value = 120_000
vesting = [25, 25, 25, 25]
frequency = "annual"

[jobs.second]
company = "co"
base = 0

[[jobs.second.grants]]
kind = "rsu"
value = 200_000
vesting = [25, 25, 25, 25]
frequency = "annual"

[strategies.switch]
path = [{ job = "first", years = 2 }, { job = "second" }]
"#;

#[test]
fn value_grants_convert_at_the_grant_month_price_of_that_world() {
    let (s, r) = simulate(VALUE);
    let p = |m| price(50.0, 0.10, m);
    // First stint: granted at month 0, 120,000 / 50 = 2,400 units, a
    // quarter vesting at months 12 and 24.
    let first = 120_000.0 / 50.0;
    assert_cents(&s, &r, "switch", 1, "rsu", 0.25 * first * p(12));
    assert_cents(&s, &r, "switch", 2, "rsu", 0.25 * first * p(24));
    // Second stint starts in year 3: granted at month 24, units = value /
    // (S0 exp(d 24 / 12)); a quarter vests at months 36 and 48.
    let second = 200_000.0 / (50.0 * (0.10f64 * 24.0 / 12.0).exp());
    assert_cents(&s, &r, "switch", 3, "rsu", 0.25 * second * p(36));
    assert_cents(&s, &r, "switch", 4, "rsu", 0.25 * second * p(48));
    // Equivalently: a quarter of the grant's value, grown by one and two
    // years of drift.
    assert_cents(&s, &r, "switch", 3, "rsu", 50_000.0 * 0.10f64.exp());
    assert_cents(&s, &r, "switch", 4, "rsu", 50_000.0 * 0.20f64.exp());
}

// ----------------------------------------------------------- refreshers ---

const REFRESH: &str = r#"
[simulation]
years = 4
runs = 500
seed = 17

[companies.co]
type = "public"
share_price = 100.0
drift = 0.05
volatility = 0.0

# The job's RSU grant has a distinctive schedule (annual, half a year,
# 18-month cliff): 50 % at 18 months, 50 % at 24. Refreshers inherit it.
[jobs.refreshed]
company = "co"
base = 0
refresh = { value = 12_000, every_years = 1 }

[[jobs.refreshed.grants]]
kind = "rsu"
units = 100
vesting = [50, 50]
frequency = "annual"
cliff_months = 18

[jobs.late]
company = "co"
base = 0
refresh = { value = 12_000, every_years = 1, first_after_years = 2 }

[[jobs.late.grants]]
kind = "rsu"
units = 100
vesting = [50, 50]
frequency = "annual"
cliff_months = 18

[jobs.nothing]
company = "co"
base = 0

[strategies.stay]
path = [{ job = "refreshed" }]

[strategies.late]
path = [{ job = "late" }]

[strategies.leave]
path = [{ job = "refreshed", years = 2 }, { job = "nothing" }]

[strategies.join-later]
path = [{ job = "nothing", years = 1 }, { job = "refreshed" }]
"#;

/// Per-year RSU income (index 0 = year 1) of `units` granted at month `g`
/// with the refreshed job's schedule (50 % at g+18, 50 % at g+24), held
/// until month `leave`, in a horizon of 4 years.
fn half_half(units: f64, g: u32, leave: u32) -> [f64; 4] {
    let p = |m| price(100.0, 0.05, m);
    let mut out = [0.0; 4];
    for m in [g + 18, g + 24] {
        if m <= leave && m <= 48 {
            out[year_of(m) - 1] += 0.5 * units * p(m);
        }
    }
    out
}

/// Units of a 12,000 refresher granted at month `g`.
fn refresher(g: u32) -> f64 {
    12_000.0 / price(100.0, 0.05, g)
}

fn add(parts: &[[f64; 4]]) -> [f64; 4] {
    let mut out = [0.0; 4];
    for p in parts {
        for (o, x) in out.iter_mut().zip(p) {
            *o += x;
        }
    }
    out
}

#[test]
fn refreshers_come_every_year_from_stint_month_12_at_the_then_price() {
    let (s, r) = simulate(REFRESH);
    // Initial grant at 0; refreshers at months 12, 24 and 36 (48 is the
    // stint's end), each with the job's 18-month-cliff annual schedule.
    let want = add(&[
        half_half(100.0, 0, 48),
        half_half(refresher(12), 12, 48),
        half_half(refresher(24), 24, 48),
        half_half(refresher(36), 36, 48),
    ]);
    let p = |m| price(100.0, 0.05, m);
    // Spelled out: year 2 is the initial grant only; year 3 the month-12
    // refresher (months 30 and 36); year 4 the month-24 one (42 and 48);
    // the month-36 one vests after the horizon.
    assert!((want[0] - 0.0).abs() < 1e-9);
    assert!((want[1] - 50.0 * (p(18) + p(24))).abs() < 1e-9);
    assert!((want[2] - 6_000.0 * (p(30) + p(36)) / p(12)).abs() < 1e-9);
    assert!((want[3] - 6_000.0 * (p(42) + p(48)) / p(24)).abs() < 1e-9);
    for (y, w) in want.iter().enumerate() {
        assert_cents(&s, &r, "stay", y + 1, "rsu", *w);
    }
}

#[test]
fn first_after_years_delays_the_first_refresher() {
    let (s, r) = simulate(REFRESH);
    // Refreshers at stint months 24 and 36 only.
    let want = add(&[
        half_half(100.0, 0, 48),
        half_half(refresher(24), 24, 48),
        half_half(refresher(36), 36, 48),
    ]);
    assert!(want[2].abs() < 1e-9);
    for (y, w) in want.iter().enumerate() {
        assert_cents(&s, &r, "late", y + 1, "rsu", *w);
    }
}

#[test]
fn refreshers_stop_with_the_stint_and_their_unvested_units_are_forfeited() {
    let (s, r) = simulate(REFRESH);
    // A two-year stint gets the month-12 refresher only, and leaves at
    // month 24 before it vests (months 30 and 36).
    let p = |m| price(100.0, 0.05, m);
    assert_cents(&s, &r, "leave", 1, "rsu", 0.0);
    assert_cents(&s, &r, "leave", 2, "rsu", 50.0 * (p(18) + p(24)));
    assert_cents(&s, &r, "leave", 3, "rsu", 0.0);
    assert_cents(&s, &r, "leave", 4, "rsu", 0.0);
}

#[test]
fn refreshers_count_stint_months_from_a_later_stints_start() {
    let (s, r) = simulate(REFRESH);
    // Stint from month 12: initial grant at 12, refreshers at months 24
    // and 36 (stint months 12 and 24), not at 48.
    let want = add(&[
        half_half(100.0, 12, 48),
        half_half(refresher(24), 24, 48),
        half_half(refresher(36), 36, 48),
    ]);
    let p = |m| price(100.0, 0.05, m);
    assert!((want[2] - 50.0 * (p(30) + p(36))).abs() < 1e-9);
    assert!((want[3] - 6_000.0 * (p(42) + p(48)) / p(24)).abs() < 1e-9);
    for (y, w) in want.iter().enumerate() {
        assert_cents(&s, &r, "join-later", y + 1, "rsu", *w);
    }
}

// --------------------------------------------------- total, cumulative ---

const EVERYTHING: &str = r#"
[simulation]
years = 4
runs = 500
seed = 18

[companies.co]
type = "public"
share_price = 40.0
drift = 0.08
volatility = 0.0

[jobs.first]
company = "co"
base = 100_000
raise = { mean = 0.04, sd = 0.0 }
promotion = { rate = 1.0, raise = 0.10 }
bonus = { target = 0.15, sd = 0.0 }
sign_on = [5_000, 2_500]

[[jobs.first.grants]]
kind = "rsu"
units = 1_600
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[[jobs.first.grants]]
kind = "option"
units = 1_000
strike = 30.0
vesting = [25, 25, 25, 25]
frequency = "annual"

[jobs.second]
company = "co"
base_raise = { min = 0.25, max = 0.25 }
raise = { mean = 0.05, sd = 0.0 }
bonus = { target = 0.20, sd = 0.0 }
sign_on = [30_000]

[[jobs.second.grants]]
kind = "rsu"
value = 100_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[[jobs.second.grants]]
kind = "option"
units = 2_000
strike = 45.0
vesting = [25, 25, 25, 25]
frequency = "annual"

[strategies.switch]
path = [{ job = "first", years = 2 }, { job = "second" }]
"#;

#[test]
fn total_is_the_sum_of_the_five_measures_and_cumulative_its_running_sum() {
    let (s, r) = simulate(EVERYTHING);
    let p = |m| price(S0, DRIFT, m);
    let bump = 1.04 * 1.10;
    let base = [
        100_000.0,
        100_000.0 * bump,
        100_000.0 * bump * 1.25,
        100_000.0 * bump * 1.25 * 1.05,
    ];
    let bonus = [
        base[0] * 0.15,
        base[1] * 0.15,
        base[2] * 0.20,
        base[3] * 0.20,
    ];
    let sign_on = [5_000.0, 2_500.0, 30_000.0, 0.0];
    // RSUs: the first job's 1,600 units until month 24, then the second
    // job's grant of 100,000 / S(24) units from month 24 (cliff at 36).
    let mut rsu = [0.0; 4];
    for (m, f) in quarterly_four_years_one_year_cliff() {
        if m <= 24 {
            rsu[year_of(m) - 1] += 1_600.0 * f * p(m);
        }
        let at = 24 + m;
        if at <= 48 {
            rsu[year_of(at) - 1] += 100_000.0 / p(24) * f * p(at);
        }
    }
    assert!((rsu[0] - 400.0 * p(12)).abs() < 1e-9);
    // Public options are exercised and sold at the stint's end or the
    // horizon: 500 of the first job's (half vested by month 24) at S(24) -
    // 30, then 1,000 of the second's (half vested by month 48) at S(48) - 45.
    let options = [0.0, 500.0 * (p(24) - 30.0), 0.0, 1_000.0 * (p(48) - 45.0)];
    let mut cumulative = 0.0;
    for y in 0..4 {
        let total = base[y] + bonus[y] + sign_on[y] + rsu[y] + options[y];
        cumulative += total;
        let year = y + 1;
        assert_cents(&s, &r, "switch", year, "base", base[y]);
        assert_cents(&s, &r, "switch", year, "bonus", bonus[y]);
        assert_cents(&s, &r, "switch", year, "sign_on", sign_on[y]);
        assert_cents(&s, &r, "switch", year, "rsu", rsu[y]);
        assert_cents(&s, &r, "switch", year, "options", options[y]);
        assert_cents(&s, &r, "switch", year, "total", total);
        assert_cents(&s, &r, "switch", year, "cumulative", cumulative);
    }
}

#[test]
fn the_mean_of_huge_equal_amounts_is_that_amount() {
    // 1.2 10^9 units at $9.9 10^6 vesting at once: $1.2 10^16 of RSU income in year 1 of
    // every world, within the documented limits. Summed over 100,001 runs
    // the rounding of the running sum would put the mean below the values.
    let (s, r) = simulate(
        r#"
[simulation]
years = 1
runs = 100001

[companies.c]
type = "public"
share_price = 9_876_543.21
drift = 0.0
volatility = 0.0

[jobs.j]
company = "c"
base = 0

[[jobs.j.grants]]
kind = "rsu"
units = 1_234_567_891
vesting = [100]
frequency = "annual"
cliff_months = 0

[strategies.stay]
path = [{ job = "j" }]
"#,
    );
    let rsu = series(&s, &r, "stay", 1, "rsu");
    let value = 1_234_567_891.0 * 9_876_543.21;
    assert!(
        rsu.quantiles.iter().all(|&q| q == value),
        "{:?}",
        rsu.quantiles
    );
    assert_eq!(rsu.mean, value);
}
