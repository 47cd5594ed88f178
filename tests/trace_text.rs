//! The words of `tcsim trace`: forfeitures in dollars beside their units,
//! vested options dropped on leaving called lapsed (model.md section 9),
//! unvested ones forfeited; no line of an amount of 0 that tells nothing
//! (the bonus of a job without one, a payout of 0 units); "round price"
//! only beside the mark, an option's value said to be the mark less the
//! strike; promotions labelled. Each rule on a scenario whose flows are
//! certain (zero volatility, scheduled exits), so the numbers are known.

use std::fs;
use std::path::Path;

use tcsim::engine::trace::replay;
use tcsim::report::trace::{render_csv, render_text};
use tcsim::schema::Layout;

/// A public company whose price never moves, and a private one whose mark
/// is $10 a share with no exit, failure or round.
const COMPANIES: &str = r#"
[companies.flat]
type = "public"
share_price = 100.0
drift = 0.0
volatility = 0.0

[companies.still]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.0, sigma = 0.5 }
"#;

fn file(body: &str) -> String {
    format!("[simulation]\nyears = 4\nruns = 10\nseed = 3\n{COMPANIES}{body}")
}

fn scenario(text: &str) -> tcsim::model::Scenario {
    tcsim::scenario::parse("t.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// `tcsim trace`'s text of run `run`.
fn text_of(text: &str, run: u64) -> String {
    let s = scenario(text);
    let (world, traces) = replay(&s, run, None);
    let measures = Layout::new(&s).measures().to_vec();
    render_text(&s, "t.toml", run, &world, &traces, &measures)
}

/// `tcsim trace --csv`'s rows of run `run`.
fn csv_of(text: &str, run: u64) -> String {
    let s = scenario(text);
    let (_, traces) = replay(&s, run, None);
    let measures = Layout::new(&s).measures().to_vec();
    String::from_utf8(render_csv(&s, &traces, &measures).unwrap()).unwrap()
}

/// The ledger lines of strategy `name` (its block of the text).
fn strategy_lines(text: &str, name: &str) -> Vec<String> {
    let start = text
        .find(&format!("\nstrategy {name}\n"))
        .unwrap_or_else(|| panic!("no strategy {name} in\n{text}"));
    text[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("strategy "))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_job_without_a_bonus_has_no_bonus_line_and_a_bonus_drawn_to_0_says_so() {
    let text = file(
        r#"
[jobs.plain]
company = "flat"
base = 100_000

[jobs.floored]
company = "flat"
base = 100_000
bonus = { target = 0.1, max = 0.0 }

[strategies.plain]
path = [{ job = "plain" }]

[strategies.floored]
path = [{ job = "floored" }]
"#,
    );
    let out = text_of(&text, 0);
    let plain = strategy_lines(&out, "plain");
    assert!(
        !plain.iter().any(|l| l.contains("bonus")),
        "{}",
        plain.join("\n")
    );
    // A multiplier held at 0 by `max = 0`: a bonus of 0 that is news.
    let floored = strategy_lines(&out, "floored");
    let zero: Vec<&String> = floored
        .iter()
        .filter(|l| {
            l.contains(
                "bonus                  0.00  bonus (multiplier 0.000: the draw gave no bonus this year)",
            )
        })
        .collect();
    assert_eq!(zero.len(), 4, "one a year:\n{}", floored.join("\n"));
    // The CSV leaves the empty bonus out too.
    let csv = csv_of(&text, 0);
    assert!(!csv.contains("plain,1,12,bonus"), "{csv}");
    assert!(
        csv.contains("floored,1,12,bonus,bonus x0.0000,,,0.00"),
        "{csv}"
    );
}

#[test]
fn an_exit_before_anything_vests_prints_no_payout_of_0_units() {
    // Acquired in month 6 at the mark ($10 a share, no preference): the
    // grant's cliff is at 12, so the exit pays nothing then, and the
    // assumed units pay at their vest.
    let text = format!(
        "[simulation]\nyears = 2\nruns = 10\nseed = 3\n{}",
        r#"
[companies.bought]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 6
ipo_fraction = 0.0
exit_multiple = { median = 1.0, sigma = 0.0 }

[jobs.j]
company = "bought"
base = 100_000

[[jobs.j.grants]]
kind = "rsu"
units = 1_000
vesting = [100]
cliff_months = 12

[strategies.s]
path = [{ job = "j" }]
"#
    );
    let out = text_of(&text, 0);
    assert!(!out.contains(" 0.00 units"), "{out}");
    assert!(!out.contains("exit payout 0.00"), "{out}");
    let payouts: Vec<&str> = out.lines().filter(|l| l.contains("exit payout")).collect();
    assert_eq!(payouts.len(), 1, "{out}");
    assert!(
        payouts[0].contains(
            "month  12  rsu               10,000.00  exit payout 1000.00 units x $10.0000 (the acquisition price a share)"
        ),
        "{out}"
    );
    assert!(
        !csv_of(&text, 0).contains(",0.0000,"),
        "a CSV row of 0 units"
    );
}

#[test]
fn a_forfeiture_shows_its_dollars_beside_its_units() {
    let text = file(
        r#"
[jobs.public]
company = "flat"
base = 100_000

[[jobs.public.grants]]
kind = "rsu"
units = 1_000
vesting = [25, 25, 25, 25]
cliff_months = 12

[jobs.startup]
company = "still"
base = 100_000

[[jobs.startup.grants]]
kind = "option"
units = 40_000
strike = 3
vesting = [25, 25, 25, 25]
cliff_months = 12
on_leave = "exercise"

[jobs.cash]
base = 100_000

[strategies.public]
path = [{ job = "public", months = 18 }, { job = "cash" }]

[strategies.startup]
path = [{ job = "startup", years = 2 }, { job = "cash" }]
"#,
    );
    let out = text_of(&text, 0);
    // 18 months of a 4-year monthly grant with a 1-year cliff: 37.5 %
    // vested, 625 units left, at $100.
    let public = strategy_lines(&out, "public").join("\n");
    assert!(
        public.contains(
            "month  18  forfeit                      forfeited on leaving: 625.00 unvested units, worth $62,500.00 at the share price $100.00, public RSU grant 1 (month 0)"
        ),
        "{public}"
    );
    // Half of 40,000 options unvested after two years, each worth the mark
    // less the strike, $7.
    let startup = strategy_lines(&out, "startup").join("\n");
    assert!(
        startup.contains(
            "month  24  forfeit                      forfeited on leaving: 20000.00 unvested options, worth $140,000.00 at the mark $10.0000 (the latest round price) less the strike $3.00, startup option grant 1 (month 0)"
        ),
        "{startup}"
    );
    let csv = csv_of(&text, 0);
    assert!(
        csv.contains(
            "public,2,18,forfeit,\"forfeited unvested on leaving, worth 62500.00 (the share price 100.0000), public RSU grant 1 (month 0)\",625.0000,100.0000,0.00"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(
            "startup,2,24,forfeit,\"forfeited unvested on leaving, worth 140000.00 (the mark 10.0000 less the strike 3.0000), startup option grant 1 (month 0)\",20000.0000,7.0000,0.00"
        ),
        "{csv}"
    );
}

/// A startup job whose options `on_leave` and `strike` the test sets, left
/// after two years.
fn leaver(on_leave: &str, strike: f64) -> String {
    file(&format!(
        r#"
[jobs.startup]
company = "still"
base = 100_000

[[jobs.startup.grants]]
kind = "option"
units = 40_000
strike = {strike}
vesting = [25, 25, 25, 25]
cliff_months = 12
on_leave = "{on_leave}"

[jobs.cash]
base = 100_000

[strategies.leave]
path = [{{ job = "startup", years = 2 }}, {{ job = "cash" }}]
"#
    ))
}

#[test]
fn vested_options_dropped_on_leaving_lapse_and_unvested_ones_are_forfeited() {
    let out = text_of(&leaver("forfeit", 3.0), 0);
    let lines = strategy_lines(&out, "leave");
    let at_24: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("month  24  forfeit") || l.contains("month  24  lapse"))
        .collect();
    assert_eq!(at_24.len(), 2, "{}", lines.join("\n"));
    assert!(
        at_24[0].contains("forfeited on leaving: 20000.00 unvested options, worth $140,000.00"),
        "{}",
        at_24[0]
    );
    assert!(
        at_24[1].contains(
            "month  24  lapse                        lapsed on leaving (on_leave \"forfeit\"): 20000.00 vested options, worth $140,000.00 at the mark $10.0000 (the latest round price) less the strike $3.00, startup option grant 1 (month 0)"
        ),
        "{}",
        at_24[1]
    );
    // Nothing is held after that: no unrealized line from year 2 on, and
    // no vested option called forfeited.
    assert!(
        !lines
            .iter()
            .skip_while(|l| !l.contains("year 2"))
            .any(|l| l.contains("unrealized")),
        "{}",
        lines.join("\n")
    );
    assert!(!out.contains("vested options on leaving"), "{out}");
    assert!(
        csv_of(&leaver("forfeit", 3.0), 0).contains(
            "leave,2,24,lapse,\"vested options lapsed on leaving, worth 140000.00 (the mark 10.0000 less the strike 3.0000), startup option grant 1 (month 0)\",20000.0000,7.0000,0.00"
        )
    );
}

#[test]
fn options_under_water_at_the_windows_end_lapse_and_say_the_mark_is_at_or_below_the_strike() {
    // Strike $12 against a $10 mark: under water throughout.
    let out = text_of(&leaver("exercise", 12.0), 0);
    let lines = strategy_lines(&out, "leave").join("\n");
    assert!(
        lines.contains(
            "month  27  lapse                        exercise window ends: the mark $10.0000 (the latest round price) is at or below the strike $12.00, so 20000.00 vested options lapse, worth nothing, startup option grant 1 (month 0)"
        ),
        "{lines}"
    );
    // Held under water before the window's end: a 0 that says why.
    assert!(
        lines.contains(
            "month  24  unrealized             0.00  unrealized: 20000.00 vested options held x $0.0000 (under water: the mark $10.0000, the latest round price, is at or below the strike $12.00)"
        ),
        "{lines}"
    );
    assert!(!lines.contains("month  36  unrealized"), "{lines}");
}

#[test]
fn round_price_is_named_only_beside_the_mark_and_an_options_value_is_the_mark_less_the_strike() {
    // An IPO in month 6 with a 12-month lockup: the year-1 holding is at
    // the share price, not a round price.
    let text = format!(
        "[simulation]\nyears = 3\nruns = 10\nseed = 3\n{}",
        r#"
[companies.listed]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = 6
ipo_fraction = 1.0
exit_multiple = { median = 1.0, sigma = 0.0 }
after_ipo = { drift = 0.0, volatility = 0.0, lockup_months = 12 }

[companies.still]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.0, sigma = 0.5 }

[jobs.ipo]
company = "listed"
base = 100_000

[[jobs.ipo.grants]]
kind = "option"
units = 1_000
strike = 4
vesting = [100]

[jobs.private]
company = "still"
base = 100_000

[[jobs.private.grants]]
kind = "option"
units = 1_000
strike = 4
vesting = [100]

[strategies.ipo]
path = [{ job = "ipo" }]

[strategies.private]
path = [{ job = "private" }]
"#
    );
    let out = text_of(&text, 0);
    for line in out.lines().filter(|l| l.contains("round price")) {
        assert!(line.contains("the mark"), "{line}");
    }
    let ipo = strategy_lines(&out, "ipo").join("\n");
    assert!(
        ipo.contains(
            "unrealized: 1000.00 vested options held x $6.0000 (the share price $10.00 less the strike $4.00, in the lockup)"
        ),
        "{ipo}"
    );
    assert!(!ipo.contains("round price"), "{ipo}");
    let private = strategy_lines(&out, "private").join("\n");
    assert!(
        private.contains(
            "unrealized: 1000.00 vested options held x $6.0000 (the mark $10.0000, the latest round price, less the strike $4.00)"
        ),
        "{private}"
    );
}

#[test]
fn a_promotion_of_a_job_on_no_ladder_is_labelled_with_its_new_base() {
    let text = file(
        r#"
[jobs.rising]
company = "flat"
base = 100_000
promotion = { rate = 1.0, raise = 0.1 }

[strategies.s]
path = [{ job = "rising" }]
"#,
    );
    let out = text_of(&text, 0);
    for (month, base) in [(12, "110,000.00"), (24, "121,000.00"), (36, "133,100.00")] {
        let want = format!(
            "month  {month}  promotion                    promoted: base +10%, ${base} a year from this anniversary"
        );
        assert!(out.contains(&want), "`{want}` not in\n{out}");
    }
    // None in the last year: the stint ends at the horizon's anniversary.
    assert!(!out.contains("month  48  promotion"), "{out}");
    assert!(
        out.contains("month  24  base             110,000.00  base"),
        "{out}"
    );
    // With a merit raise, the promotion says it comes on top of it.
    let merit = text.replace(
        "promotion = { rate = 1.0, raise = 0.1 }",
        "promotion = { rate = 1.0, raise = 0.1 }\nraise = { mean = 0.03 }",
    );
    let out = text_of(&merit, 0);
    assert!(
        out.contains("promoted: base +10% on top of the merit raise of +3.00%, $113,300.00 a year from this anniversary"),
        "{out}"
    );
}

/// The bundled scenarios, every strategy, a few worlds each: no ledger line
/// prints an amount of 0 without saying why, no flow of 0 units, no "$0.00".
#[test]
fn no_bundled_trace_prints_a_zero_that_says_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    let why = [
        "no bonus this year",
        "under water",
        "nothing paid",
        "worth nothing",
    ];
    let mut bad = Vec::new();
    for path in &names {
        let text = fs::read_to_string(path).unwrap();
        for run in 0..12 {
            let out = text_of(&text, run);
            for line in out.lines().filter(|l| l.trim_start().starts_with("month ")) {
                // The amount column: after the measure, right-aligned.
                let cells: Vec<&str> = line.split_whitespace().collect();
                let zero = cells.get(3).is_some_and(|&a| a == "0.00" || a == "-0.00");
                let silent = zero && !why.iter().any(|w| line.contains(w));
                // Dollars of exactly 0 in the words (a price of $0.0000
                // has more decimals: it is a price a unit, said with why).
                let zero_dollars = line
                    .match_indices("$0.00")
                    .any(|(i, _)| !line[i + 5..].starts_with(|c: char| c.is_ascii_digit()));
                if silent
                    || line.contains(" 0.00 units")
                    || line.contains(" 0.00 options")
                    || zero_dollars
                {
                    bad.push(format!("{} run {run}: {line}", path.display()));
                }
            }
            // The CSV lists no flow of 0 units either.
            for row in csv_of(&text, run).lines() {
                // `units` is the third column from the right (the item
                // before it may hold commas).
                let units = row.rsplit(',').nth(2);
                if units == Some("0.0000") {
                    bad.push(format!("{} run {run} (CSV): {row}", path.display()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
