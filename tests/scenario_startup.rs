//! The keys of startup life as the scenario layer reads and checks them
//! (docs/reference.md, model.md section 9): a private company's `rounds`,
//! `after_ipo` and `on_acquisition`, and an option grant's
//! `exercise_window_months`; the rules that refuse them where they mean
//! nothing; what `tcsim check` prints of them; and that `tcsim sweep --set`
//! reaches every one. Nothing here looks at simulated numbers: the engine is
//! not under test.

use std::fs;

use assert_cmd::cargo::cargo_bin_cmd;
use tcsim::config::Overrides;
use tcsim::error::ScenarioError;
use tcsim::model::{
    AfterIpo, CompanyKind, GrantKind, OnAcquisition, OnLeave, PrivateCompany, Rounds, Scenario,
};
use tcsim::scenario::patch::{parse_axis, points};
use tcsim::scenario::{Rule, parse};

fn ok(text: &str) -> Scenario {
    parse("t.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err(text: &str) -> ScenarioError {
    match parse("t.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

/// The first company of `s`, which must be private.
fn private(s: &Scenario) -> &PrivateCompany {
    match &s.companies[0].kind {
        CompanyKind::Private(p) => p,
        CompanyKind::Public(_) => panic!("{} is public", s.companies[0].name),
    }
}

/// The `(strike, on_leave, window)` of job `j`'s grant `i`, an option.
fn option(s: &Scenario, i: usize) -> (f64, OnLeave, u32) {
    match s.jobs[0].grants[i].kind {
        GrantKind::Option {
            strike,
            on_leave,
            exercise_window_months,
            ..
        } => (strike, on_leave, exercise_window_months),
        GrantKind::Rsu => panic!("grant {i} is an RSU grant"),
    }
}

const SIM: &str = "[simulation]\nyears = 3\nruns = 100\n";
const BIGCO: &str = r#"
[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3
"#;
/// A private company; the keys under test are appended to its table.
const ROCKET: &str = r#"
[companies.rocket]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
ipo_fraction = 0.5
exit_multiple = { median = 1.5, sigma = 0.9 }
"#;
const ROUNDS: &str =
    "rounds = { rate = 0.5, step_up = { median = 1.8, sigma = 0.6 }, dilution = 0.18 }\n";

/// A one-job file: `SIM`, `companies` (whose last table takes `keys`), then
/// job `j` at `company` with `grant` as its one grant (if not empty), and a
/// strategy holding it.
fn file(companies: &str, keys: &str, company: &str, grant: &str) -> String {
    let grants = if grant.is_empty() {
        String::new()
    } else {
        format!("\n[[jobs.j.grants]]\n{grant}")
    };
    format!(
        "{SIM}{companies}{keys}\n[jobs.j]\ncompany = \"{company}\"\nbase = 1\n{grants}\n\
         [strategies.s]\npath = [{{ job = \"j\" }}]\n"
    )
}

/// `ROCKET` with `keys` in its table.
fn rocket(keys: &str) -> String {
    file(ROCKET, keys, "rocket", "")
}

/// An option grant with `keys` added, at `company` (`ROCKET` or `BIGCO`).
fn option_grant(companies: &str, company: &str, keys: &str) -> String {
    file(
        companies,
        "",
        company,
        &format!("kind = \"option\"\nunits = 100\nstrike = 1\nvesting = [100]\n{keys}"),
    )
}

// ----------------------------------------------------------------- rounds

#[test]
fn rounds_are_read_and_absent_without_their_table() {
    let p = *private(&ok(&rocket(ROUNDS)));
    assert_eq!(
        p.rounds,
        Some(Rounds {
            rate: 0.5,
            step_median: 1.8,
            step_sigma: 0.6,
            dilution: 0.18,
        })
    );
    // Rounds leave the yearly dilution at 0.
    assert_eq!(p.dilution, 0.0);
    let p = *private(&ok(&rocket("dilution = 0.05\n")));
    assert_eq!(p.rounds, None);
    assert_eq!(p.dilution, 0.05);
}

#[test]
fn rounds_step_up_sigma_defaults_to_zero() {
    let r = private(&ok(&rocket(
        "rounds = { rate = 1, step_up = { median = 2 }, dilution = 0.1 }\n",
    )))
    .rounds
    .expect("rounds");
    assert_eq!(
        (r.rate, r.step_median, r.step_sigma, r.dilution),
        (1.0, 2.0, 0.0, 0.1)
    );
}

#[test]
fn rounds_exclude_dilution_but_not_exit_month() {
    let e = err(&rocket(&format!("dilution = 0.05\n{ROUNDS}")));
    assert_eq!(e.rule, Rule::RoundsExcludeDilution, "{e}");
    assert_eq!(e.key.to_string(), "companies.rocket.rounds");
    // Whichever comes first in the file.
    let e = err(&rocket(&format!("{ROUNDS}dilution = 0.05\n")));
    assert_eq!(e.rule, Rule::RoundsExcludeDilution, "{e}");
    // Even a yearly dilution of 0: the file says two things.
    let e = err(&rocket(&format!("dilution = 0\n{ROUNDS}")));
    assert_eq!(e.rule, Rule::RoundsExcludeDilution, "{e}");
    // A scheduled exit replaces the exit hazards, not the rounds.
    let text = rocket(ROUNDS).replace("exit_rate = 0.1\n", "exit_month = 30\n");
    let p = *private(&ok(&text));
    assert_eq!(p.exit_month, Some(30));
    assert_eq!(p.rounds.map(|r| r.rate), Some(0.5));
}

/// Each required key of `rounds` is required, and each range holds at its
/// ends and breaks just past them, naming the key and the rule.
#[test]
fn rounds_keys_are_required_and_within_their_ranges() {
    ok(&rocket(
        "rounds = { rate = 0, step_up = { median = 0.01, sigma = 0 }, dilution = 0 }\n",
    ));
    let r = private(&ok(&rocket(
        "rounds = { rate = 1, step_up = { median = 100, sigma = 5 }, dilution = 0.9 }\n",
    )))
    .rounds
    .unwrap();
    assert_eq!((r.step_median, r.step_sigma, r.dilution), (100.0, 5.0, 0.9));
    let cases = [
        (
            "step_up = { median = 1.8 }, dilution = 0.18",
            "rate",
            Rule::RoundsRateRequired,
        ),
        (
            "rate = 1.01, step_up = { median = 1.8 }, dilution = 0.18",
            "rate",
            Rule::RoundsRateInRange,
        ),
        (
            "rate = -0.1, step_up = { median = 1.8 }, dilution = 0.18",
            "rate",
            Rule::RoundsRateInRange,
        ),
        (
            "rate = 0.5, dilution = 0.18",
            "step_up",
            Rule::RoundsStepUpRequired,
        ),
        (
            "rate = 0.5, step_up = { sigma = 0.6 }, dilution = 0.18",
            "step_up.median",
            Rule::RoundsStepUpMedianRequired,
        ),
        (
            "rate = 0.5, step_up = { median = 0 }, dilution = 0.18",
            "step_up.median",
            Rule::RoundsStepUpMedianPositive,
        ),
        (
            "rate = 0.5, step_up = { median = 100.5 }, dilution = 0.18",
            "step_up.median",
            Rule::RoundsStepUpMedianAtMost,
        ),
        (
            "rate = 0.5, step_up = { median = 1.8, sigma = 5.01 }, dilution = 0.18",
            "step_up.sigma",
            Rule::RoundsStepUpSigmaInRange,
        ),
        (
            "rate = 0.5, step_up = { median = 1.8, sigma = -0.1 }, dilution = 0.18",
            "step_up.sigma",
            Rule::RoundsStepUpSigmaInRange,
        ),
        (
            "rate = 0.5, step_up = { median = 1.8 }",
            "dilution",
            Rule::RoundsDilutionRequired,
        ),
        (
            "rate = 0.5, step_up = { median = 1.8 }, dilution = 0.91",
            "dilution",
            Rule::RoundsDilutionInRange,
        ),
        (
            "rate = 0.5, step_up = { median = 1.8 }, dilution = -0.01",
            "dilution",
            Rule::RoundsDilutionInRange,
        ),
        (
            "rate = inf, step_up = { median = 1.8 }, dilution = 0.18",
            "rate",
            Rule::FiniteNumber,
        ),
    ];
    for (table, key, rule) in cases {
        let e = err(&rocket(&format!("rounds = {{ {table} }}\n")));
        assert_eq!(e.rule, rule, "{table}: {e}");
        assert_eq!(
            e.key.to_string(),
            format!("companies.rocket.rounds.{key}"),
            "{table}"
        );
    }
}

#[test]
fn rounds_and_step_up_refuse_unknown_keys() {
    for (table, key) in [
        (
            "rate = 0.5, step_up = { median = 1.8, sd = 0.6 }, dilution = 0.18",
            "step_up.sd",
        ),
        (
            "rate = 0.5, step_up = { median = 1.8 }, dilution = 0.18, preference = 1",
            "preference",
        ),
    ] {
        let e = err(&rocket(&format!("rounds = {{ {table} }}\n")));
        assert_eq!(e.rule, Rule::KnownKey, "{e}");
        assert_eq!(e.key.to_string(), format!("companies.rocket.rounds.{key}"));
    }
}

// -------------------------------------------------------------- after_ipo

#[test]
fn after_ipo_defaults_each_key_it_leaves_out() {
    assert_eq!(
        AfterIpo::DEFAULT,
        AfterIpo {
            drift: 0.08,
            volatility: 0.5,
            lockup_months: 6
        }
    );
    assert_eq!(private(&ok(&rocket(""))).after_ipo, AfterIpo::DEFAULT);
    assert_eq!(
        private(&ok(&rocket("after_ipo = {}\n"))).after_ipo,
        AfterIpo::DEFAULT
    );
    assert_eq!(
        private(&ok(&rocket("after_ipo = { lockup_months = 0 }\n"))).after_ipo,
        AfterIpo {
            lockup_months: 0,
            ..AfterIpo::DEFAULT
        }
    );
    assert_eq!(
        private(&ok(&rocket(
            "after_ipo = { drift = -0.2, volatility = 0.9, lockup_months = 12 }\n"
        )))
        .after_ipo,
        AfterIpo {
            drift: -0.2,
            volatility: 0.9,
            lockup_months: 12
        }
    );
}

/// The ranges of a public company's drift and volatility, and a lockup of
/// 0 to 120 whole months.
#[test]
fn after_ipo_keys_are_within_their_ranges() {
    let a = private(&ok(&rocket(
        "after_ipo = { drift = -1, volatility = 2, lockup_months = 120 }\n",
    )))
    .after_ipo;
    assert_eq!((a.drift, a.volatility, a.lockup_months), (-1.0, 2.0, 120));
    ok(&rocket("after_ipo = { drift = 1, volatility = 0 }\n"));
    for (table, key, rule) in [
        ("drift = 1.01", "drift", Rule::AfterIpoDriftInRange),
        ("drift = -1.5", "drift", Rule::AfterIpoDriftInRange),
        (
            "volatility = -0.01",
            "volatility",
            Rule::AfterIpoVolatilityInRange,
        ),
        (
            "volatility = 2.5",
            "volatility",
            Rule::AfterIpoVolatilityInRange,
        ),
        (
            "lockup_months = 121",
            "lockup_months",
            Rule::AfterIpoLockupMonthsInRange,
        ),
        (
            "lockup_months = -1",
            "lockup_months",
            Rule::AfterIpoLockupMonthsInRange,
        ),
        ("lockup_months = 6.0", "lockup_months", Rule::ValueType),
        ("lockup = 6", "lockup", Rule::KnownKey),
    ] {
        let e = err(&rocket(&format!("after_ipo = {{ {table} }}\n")));
        assert_eq!(e.rule, rule, "{table}: {e}");
        assert_eq!(
            e.key.to_string(),
            format!("companies.rocket.after_ipo.{key}")
        );
    }
}

// --------------------------------------------------------- on_acquisition

#[test]
fn on_acquisition_known() {
    for (word, want) in [
        ("assume", OnAcquisition::Assume),
        ("cancel", OnAcquisition::Cancel),
        ("accelerate", OnAcquisition::Accelerate),
    ] {
        let p = *private(&ok(&rocket(&format!("on_acquisition = \"{word}\"\n"))));
        assert_eq!(p.on_acquisition, want, "{word}");
    }
    assert_eq!(
        private(&ok(&rocket(""))).on_acquisition,
        OnAcquisition::Assume
    );
    for bad in ["Cancel", "accelerated", ""] {
        let e = err(&rocket(&format!("on_acquisition = \"{bad}\"\n")));
        assert_eq!(e.rule, Rule::OnAcquisitionKnown, "{e}");
        assert_eq!(e.key.to_string(), "companies.rocket.on_acquisition");
        assert_eq!(
            e.message,
            format!("must be \"assume\", \"cancel\" or \"accelerate\", got \"{bad}\"")
        );
    }
    let e = err(&rocket("on_acquisition = true\n"));
    assert_eq!(e.rule, Rule::ValueType, "{e}");
}

// ------------------------------------------------------ a public company

#[test]
fn private_only_key_rounds_after_ipo_and_on_acquisition() {
    for keys in [
        ROUNDS,
        "after_ipo = { lockup_months = 0 }\n",
        "on_acquisition = \"assume\"\n",
    ] {
        let e = err(&file(BIGCO, keys, "bigco", ""));
        assert_eq!(e.rule, Rule::PrivateOnlyKey, "{keys}: {e}");
        let name = keys.split(' ').next().unwrap();
        assert_eq!(e.key.to_string(), format!("companies.bigco.{name}"));
    }
}

// ------------------------------------------------ exercise_window_months

#[test]
fn exercise_window_months_defaults_to_3_and_takes_0_to_600() {
    let s = ok(&option_grant(ROCKET, "rocket", "on_leave = \"exercise\"\n"));
    assert_eq!(option(&s, 0), (1.0, OnLeave::Exercise, 3));
    // The default of a grant that may not give the key.
    let s = ok(&option_grant(ROCKET, "rocket", ""));
    assert_eq!(option(&s, 0), (1.0, OnLeave::Forfeit, 3));
    for w in [0, 120, 600] {
        let s = ok(&option_grant(
            ROCKET,
            "rocket",
            &format!("on_leave = \"exercise\"\nexercise_window_months = {w}\n"),
        ));
        assert_eq!(option(&s, 0).2, w);
    }
}

#[test]
fn exercise_window_months_in_range() {
    for (bad, rule) in [
        ("601", Rule::ExerciseWindowMonthsInRange),
        ("-1", Rule::ExerciseWindowMonthsInRange),
        ("3.0", Rule::ValueType),
    ] {
        let e = err(&option_grant(
            ROCKET,
            "rocket",
            &format!("on_leave = \"exercise\"\nexercise_window_months = {bad}\n"),
        ));
        assert_eq!(e.rule, rule, "{bad}: {e}");
        assert_eq!(e.key.to_string(), "jobs.j.grants[0].exercise_window_months");
    }
}

#[test]
fn exercise_window_only_on_options() {
    let e = err(&file(
        ROCKET,
        "",
        "rocket",
        "kind = \"rsu\"\nunits = 100\nvesting = [100]\nexercise_window_months = 3\n",
    ));
    assert_eq!(e.rule, Rule::ExerciseWindowOnlyOnOptions, "{e}");
    assert_eq!(e.key.to_string(), "jobs.j.grants[0].exercise_window_months");
}

/// The window is the time to buy vested options after leaving, so it needs
/// `on_leave = "exercise"`; the message says when `forfeit` is the default.
#[test]
fn exercise_window_needs_exercise() {
    let e = err(&option_grant(
        ROCKET,
        "rocket",
        "exercise_window_months = 3\n",
    ));
    assert_eq!(e.rule, Rule::ExerciseWindowNeedsExercise, "{e}");
    assert_eq!(e.key.to_string(), "jobs.j.grants[0].exercise_window_months");
    assert!(e.message.contains("\"forfeit\" (the default)"), "{e}");
    let e = err(&option_grant(
        ROCKET,
        "rocket",
        "on_leave = \"forfeit\"\nexercise_window_months = 120\n",
    ));
    assert_eq!(e.rule, Rule::ExerciseWindowNeedsExercise, "{e}");
    assert!(!e.message.contains("(the default)"), "{e}");
}

/// Public options are exercised and sold at leaving (model.md section 15),
/// whatever `on_leave` says.
#[test]
fn exercise_window_only_at_private() {
    for on_leave in ["on_leave = \"exercise\"\n", "on_leave = \"forfeit\"\n", ""] {
        let e = err(&option_grant(
            BIGCO,
            "bigco",
            &format!("{on_leave}exercise_window_months = 3\n"),
        ));
        assert_eq!(e.rule, Rule::ExerciseWindowOnlyAtPrivate, "{e}");
        assert_eq!(e.key.to_string(), "jobs.j.grants[0].exercise_window_months");
        assert!(e.message.contains("`bigco` is public"), "{e}");
    }
    // Without the key a public option grant is as before.
    let s = ok(&option_grant(BIGCO, "bigco", "on_leave = \"exercise\"\n"));
    assert_eq!(option(&s, 0), (1.0, OnLeave::Exercise, 3));
}

// ------------------------------------------------------------ tcsim check

fn check_output(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), text).unwrap();
    let out = cargo_bin_cmd!("tcsim")
        .args(["check", name])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_prints_rounds_after_ipo_acquisition_and_exercise_windows() {
    let text = format!(
        r#"{SIM}{BIGCO}
[companies.rocket]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
exit_multiple = {{ median = 1.5, sigma = 0.9 }}
{ROUNDS}on_acquisition = "accelerate"

[companies.later]
type = "private"
valuation = 1e8
shares = 1e7
exit_month = 20
exit_multiple = {{ median = 1.0, sigma = 0.5 }}
after_ipo = {{ drift = 0.1, volatility = 0.6, lockup_months = 0 }}
on_acquisition = "cancel"

[jobs.startup]
company = "rocket"
base = 150_000

[[jobs.startup.grants]]
kind = "option"
units = 40_000
strike = 3
vesting = [25, 25, 25, 25]
on_leave = "exercise"
exercise_window_months = 120

[[jobs.startup.grants]]
kind = "option"
units = 10_000
strike = 3
vesting = [100]
on_leave = "exercise"

[[jobs.startup.grants]]
kind = "option"
units = 5_000
strike = 3
vesting = [100]

[jobs.big]
company = "bigco"
base = 200_000

[[jobs.big.grants]]
kind = "option"
units = 1_000
strike = 50
vesting = [100]
on_leave = "exercise"

[strategies.s]
path = [{{ job = "startup" }}]
"#
    );
    let out = check_output("startup.toml", &text);
    let want = "
companies:
  bigco: public, share price 100, drift 8.0%, volatility 30.0%
  rocket: private, valuation 1,000,000,000, 100,000,000 shares (10.0000/share), preference 0, exit 10.0%/yr, failure 0.0%/yr
    exits: every exit an acquisition; multiple of the latest valuation median 1.5 (sigma 0.9); preferred 0% of the shares
    rounds: 50.0%/yr, step-up median 1.8 (sigma 0.6), dilution 18.0% a round
    after an IPO: drift 8.0%, volatility 50.0%, lockup 6 months (defaults)
    on an acquisition: unvested units all vest at once (accelerate)
  later: private, valuation 100,000,000, 10,000,000 shares (10.0000/share), preference 0, exit scheduled in month 20
    exits: every exit an acquisition; multiple of the latest valuation median 1 (sigma 0.5); preferred 0% of the shares, yearly dilution 0.0%
    after an IPO: drift 10.0%, volatility 60.0%, lockup 0 months
    on an acquisition: unvested units are forfeited (cancel)

jobs:
  startup at rocket: base 150,000, bonus target 0%, grants: options @ 3 40,000 units (exercise window 120 months); options @ 3 10,000 units (exercise window 3 months); options @ 3 5,000 units
    pay: no merit raise, no promotion (base flat within a stint)
    grant 1: vesting 25/25/25/25% over 4 years, monthly, no cliff; on leaving, vested options are bought at the window's end if in the money (on_leave \"exercise\")
    grant 2: vesting 100% over 1 year, monthly, no cliff; on leaving, vested options are bought at the window's end if in the money (on_leave \"exercise\")
    grant 3: vesting 100% over 1 year, monthly, no cliff; on leaving, vested options lapse (on_leave \"forfeit\")
  big at bigco: base 200,000, bonus target 0%, grants: options @ 50 1,000 units
    pay: no merit raise, no promotion (base flat within a stint)
    grant 1: vesting 100% over 1 year, monthly, no cliff
";
    assert!(out.contains(want), "`{want}` not in\n{out}");
}

#[test]
fn check_says_what_an_assumed_acquisition_does_and_that_after_ipo_is_defaulted() {
    let out = check_output("r.toml", &rocket("after_ipo = {}\n"));
    // Written, even empty: not "(defaults)".
    assert!(
        out.contains(
            "    after an IPO: drift 8.0%, volatility 50.0%, lockup 6 months\n    on an acquisition: unvested units keep vesting, each paying the acquisition price (assume)\n"
        ),
        "{out}"
    );
    let out = check_output("r.toml", &rocket(""));
    assert!(out.contains("lockup 6 months (defaults)\n"), "{out}");
    assert!(!out.contains("rounds:"), "{out}");
}

// ------------------------------------------------------------ sweep paths

/// Every new key is reached by `--set`, through the points a sweep checks:
/// the sub-keys of `rounds` and `after_ipo` (their tables written in the
/// file), `on_acquisition` as a bare word, a grant's window by its index.
#[test]
fn sweep_sets_rounds_after_ipo_on_acquisition_and_the_exercise_window() {
    let text = file(
        ROCKET,
        &format!("{ROUNDS}after_ipo = {{ lockup_months = 6 }}\n"),
        "rocket",
        "kind = \"option\"\nunits = 100\nstrike = 1\nvesting = [100]\non_leave = \"exercise\"\n",
    );
    let axes = [
        "companies.rocket.rounds.rate=0.3,1",
        "companies.rocket.rounds.step_up.median=2",
        "companies.rocket.rounds.step_up.sigma=0.1",
        "companies.rocket.rounds.dilution=0.25",
        "companies.rocket.after_ipo.drift=-0.1",
        "companies.rocket.after_ipo.volatility=0.7",
        "companies.rocket.after_ipo.lockup_months=0,12",
        "companies.rocket.on_acquisition=cancel,accelerate",
        "jobs.j.grants[0].exercise_window_months=120",
    ]
    .map(|a| parse_axis(a).unwrap());
    let pts = points("t.toml", &text, &axes, Overrides::default()).unwrap();
    assert_eq!(pts.len(), 8);
    let p = *private(&pts[7].scenario);
    assert_eq!(
        p.rounds,
        Some(Rounds {
            rate: 1.0,
            step_median: 2.0,
            step_sigma: 0.1,
            dilution: 0.25,
        })
    );
    assert_eq!(
        p.after_ipo,
        AfterIpo {
            drift: -0.1,
            volatility: 0.7,
            lockup_months: 12
        }
    );
    assert_eq!(p.on_acquisition, OnAcquisition::Accelerate);
    assert_eq!(option(&pts[7].scenario, 0).2, 120);
    let first = *private(&pts[0].scenario);
    assert_eq!(first.rounds.map(|r| r.rate), Some(0.3));
    assert_eq!(first.after_ipo.lockup_months, 0);
    assert_eq!(first.on_acquisition, OnAcquisition::Cancel);

    // Whole tables, added to a file that has neither.
    let plain = file(ROCKET, "", "rocket", "");
    let axes = [
        "companies.rocket.rounds={ rate = 1, step_up = { median = 1.5 }, dilution = 0.2 }",
        "companies.rocket.after_ipo={ lockup_months = 3 }",
    ]
    .map(|a| parse_axis(a).unwrap());
    let pts = points("t.toml", &plain, &axes, Overrides::default()).unwrap();
    let p = *private(&pts[0].scenario);
    assert_eq!(
        p.rounds.map(|r| (r.step_median, r.step_sigma)),
        Some((1.5, 0.0))
    );
    assert_eq!(p.after_ipo.lockup_months, 3);
}

/// A point that breaks a rule of startup life is refused before anything
/// is simulated, naming the point and the rule.
#[test]
fn sweep_refuses_a_point_that_breaks_a_rule_of_startup_life() {
    let text = file(ROCKET, ROUNDS, "rocket", "");
    for (set, want) in [
        (
            "companies.rocket.dilution=0.05",
            "--set companies.rocket.dilution=0.05: companies.rocket.rounds cannot be given together with the yearly `dilution`",
        ),
        (
            "companies.rocket.rounds.dilution=0.95",
            "--set companies.rocket.rounds.dilution=0.95: companies.rocket.rounds.dilution must be in [0, 0.9], got 0.95",
        ),
        (
            "companies.rocket.on_acquisition=merge",
            "--set companies.rocket.on_acquisition=merge: companies.rocket.on_acquisition must be \"assume\", \"cancel\" or \"accelerate\", got \"merge\"",
        ),
    ] {
        let axes = [parse_axis(set).unwrap()];
        let e = points("t.toml", &text, &axes, Overrides::default())
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{set}: {e}");
    }
}

/// `tcsim sweep` on the command line: the new keys as columns, one row per
/// point and strategy; a bad window is refused with status 2, writing
/// nothing.
#[test]
fn tcsim_sweep_sets_on_acquisition_and_the_exercise_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    // Acquisitions only: the command line is under test here, not the IPO.
    let text = option_grant(ROCKET, "rocket", "on_leave = \"exercise\"\n")
        .replace("ipo_fraction = 0.5\n", "");
    fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let run = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&path)
        .args(["--runs", "20", "--quiet", "--out"])
        .arg(&out)
        .args([
            "--set",
            "companies.rocket.on_acquisition=assume,cancel",
            "--set",
            "jobs.j.grants[0].exercise_window_months=3,120",
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with(
            "companies.rocket.on_acquisition,jobs.j.grants[0].exercise_window_months,strategy,"
        ),
        "{csv}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(rows[3].starts_with("cancel,120,s,"), "{csv}");

    let bad = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&path)
        .args(["--runs", "20", "--quiet", "--out"])
        .arg(dir.path().join("bad"))
        .args(["--set", "jobs.j.grants[0].exercise_window_months=3,601"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--set jobs.j.grants[0].exercise_window_months=601: jobs.j.grants[0].exercise_window_months must be an integer in [0, 600], got 601"),
        "{stderr}"
    );
    assert!(!dir.path().join("bad").exists());
}
