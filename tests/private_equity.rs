//! Startup equity in a world with no randomness left: a scheduled exit,
//! sigma 0 and zero volatility, so every figure is checked to the cent.

mod common;

use common::{assert_cents, simulate};

const SCENARIO: &str = r#"
[simulation]
years = 4
runs = 2000
seed = 1

[companies.startup]
type = "private"
valuation = 100_000_000
shares = 10_000_000          # last round: $10 a share
preference = 20_000_000
preferred_fraction = 0.3
exit_month = 30              # acquired in month 30 of every world
ipo_fraction = 0.0
exit_multiple = { median = 2.0, sigma = 0.0 }
dilution = 0.10

[companies.bigco]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.startup]
company = "startup"
base = 150_000

[[jobs.startup.grants]]
kind = "option"
units = 10_000
strike = 1.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12
on_leave = "exercise"

[[jobs.startup.grants]]
kind = "rsu"
units = 1_200
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[jobs.startup-forfeit]
company = "startup"
base = 150_000

[[jobs.startup-forfeit.grants]]
kind = "option"
units = 10_000
strike = 1.0
vesting = [25, 25, 25, 25]
frequency = "monthly"
cliff_months = 12
on_leave = "forfeit"

[jobs.after]
company = "bigco"
base = 200_000

[strategies.stay]
path = [{ job = "startup" }]

[strategies.leave-exercise]
path = [{ job = "startup", years = 2 }, { job = "after" }]

[strategies.leave-forfeit]
path = [{ job = "startup-forfeit", years = 2 }, { job = "after" }]
"#;

/// Common price at the exit: V = 2 x 100M = 200M is above P / f = 66.7M, so
/// preferred converts and common gets V / N with N = 10M x 1.1^(30/12).
fn common_price() -> f64 {
    200_000_000.0 / (10_000_000.0 * 1.1f64.powf(2.5))
}

#[test]
fn staying_through_the_exit_pays_vested_units_at_exit_and_later_ones_as_they_vest() {
    let (s, r) = simulate(SCENARIO);
    let c = common_price();
    // Options: 25 % at the month-12 cliff, then 1/48 a month. At month 30,
    // 0.25 + 18/48 = 62.5 % is vested: 6,250 options pay c - 1 each in year 3.
    // Months 31-36 vest 6 x 208.33 more in year 3, months 37-48 the last
    // 2,500 in year 4, each paying c - 1 when it vests.
    assert_cents(&s, &r, "stay", 1, "options", 0.0);
    assert_cents(&s, &r, "stay", 2, "options", 0.0);
    assert_cents(
        &s,
        &r,
        "stay",
        3,
        "options",
        (6_250.0 + 1_250.0) * (c - 1.0),
    );
    assert_cents(&s, &r, "stay", 4, "options", 2_500.0 * (c - 1.0));
    // Double-trigger RSUs: 75 a quarter; ten quarters vested at month 30
    // plus months 33 and 36 in year 3, four more quarters in year 4.
    assert_cents(&s, &r, "stay", 3, "rsu", (750.0 + 150.0) * c);
    assert_cents(&s, &r, "stay", 4, "rsu", 300.0 * c);
    // Before the exit, vested units are unrealized at the round price ($10):
    // year 1: 2,500 options x (10 - 1) + 300 RSUs x 10; year 2: 5,000 x 9 + 600 x 10.
    assert_cents(&s, &r, "stay", 1, "unrealized", 22_500.0 + 3_000.0);
    assert_cents(&s, &r, "stay", 2, "unrealized", 45_000.0 + 6_000.0);
    assert_cents(&s, &r, "stay", 3, "unrealized", 0.0);
    // Unrealized equity is never part of total.
    assert_cents(&s, &r, "stay", 1, "total", 150_000.0);
}

#[test]
fn leaving_and_exercising_pays_the_strike_at_the_windows_end_then_the_exit_price() {
    let (s, r) = simulate(SCENARIO);
    let c = common_price();
    // Leaving at month 24 with 0.25 + 12/48 = 50 % vested: the default 3-month
    // window ends in month 27, where the mark ($10) is above the $1 strike, so
    // the 5,000 options are bought then (year 3), and the shares pay c each
    // at the month-30 exit (model.md section 9).
    assert_cents(&s, &r, "leave-exercise", 2, "options", 0.0);
    assert_cents(
        &s,
        &r,
        "leave-exercise",
        3,
        "options",
        -5_000.0 + 5_000.0 * c,
    );
    assert_cents(&s, &r, "leave-exercise", 4, "options", 0.0);
    // Vested RSUs (600) are kept after leaving and settle at the exit.
    assert_cents(&s, &r, "leave-exercise", 3, "rsu", 600.0 * c);
    // At the year-2 end the options are still in the window: worth the mark
    // less the strike; the RSUs the mark.
    assert_cents(
        &s,
        &r,
        "leave-exercise",
        2,
        "unrealized",
        5_000.0 * 9.0 + 600.0 * 10.0,
    );
    assert_cents(&s, &r, "leave-exercise", 2, "total", 150_000.0);
    assert_cents(
        &s,
        &r,
        "leave-exercise",
        3,
        "total",
        200_000.0 - 5_000.0 + 5_000.0 * c + 600.0 * c,
    );
    assert_cents(
        &s,
        &r,
        "leave-exercise",
        4,
        "cumulative",
        150_000.0 + 150_000.0 + 195_000.0 + 5_600.0 * c + 200_000.0,
    );
}

#[test]
fn leaving_and_forfeiting_drops_the_vested_options() {
    let (s, r) = simulate(SCENARIO);
    for y in 1..=4 {
        assert_cents(&s, &r, "leave-forfeit", y, "options", 0.0);
    }
    assert_cents(&s, &r, "leave-forfeit", 2, "unrealized", 0.0);
    assert_cents(&s, &r, "leave-forfeit", 1, "unrealized", 2_500.0 * 9.0);
}

#[test]
fn a_stint_starting_after_an_acquisition_vests_at_the_acquisition_price() {
    // The company is acquired in month 30; a stint that starts in year 4
    // (month 36) gets its grants, which vest and pay the acquisition common
    // price per unit (model.md section 15; v1 gave it nothing).
    let text = SCENARIO.replace(
        "[strategies.stay]",
        "[strategies.late]\npath = [{ job = \"after\", years = 3 }, { job = \"startup\" }]\n\n[strategies.stay]",
    );
    let (s, r) = simulate(&text);
    let c = common_price();
    assert_cents(&s, &r, "late", 4, "base", 150_000.0);
    // The options' 12-month cliff falls on month 48, the horizon: 25 %.
    assert_cents(&s, &r, "late", 4, "options", 2_500.0 * (c - 1.0));
    // RSUs vest 75 a quarter with no cliff: months 39, 42, 45 and 48.
    assert_cents(&s, &r, "late", 4, "rsu", 300.0 * c);
    assert_cents(&s, &r, "late", 4, "unrealized", 0.0);
}
