//! The keys of one economy as the scenario layer reads and checks them
//! (docs/reference.md): `[market]`, `market_correlation`, `layoffs` on a
//! company or a job (the job's table replacing its company's whole),
//! cash-only jobs, `bonus.company_link` and `bonus.distribution` (with the
//! lognormal's default bounds), `sign_on_clawback_months` and stints in
//! months; what `tcsim check` prints of them; and that `tcsim sweep --set`
//! reaches every one. Nothing here simulates: the engine is not under test.

use std::fs;

use assert_cmd::cargo::cargo_bin_cmd;
use tcsim::config::Overrides;
use tcsim::error::ScenarioError;
use tcsim::model::{BonusDistribution, Layoffs, Scenario};
use tcsim::scenario::keys::accepted_keys;
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

fn job<'a>(s: &'a Scenario, name: &str) -> &'a tcsim::model::Job {
    s.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

const SIM: &str = "[simulation]\nyears = 3\nruns = 100\n";
const MARKET: &str = "[market]\ndrift = 0.07\nvolatility = 0.16\n";
const BIGCO: &str = r#"
[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3
"#;
const ROCKET: &str = r#"
[companies.rocket]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
exit_multiple = { median = 1.5, sigma = 0.9 }
"#;

/// A one-job file: `SIM`, then `body`, then a strategy holding job `j`.
fn with(body: &str) -> String {
    format!("{SIM}{body}\n[strategies.s]\npath = [{{ job = \"j\" }}]\n")
}

// ----------------------------------------------------------------- market

#[test]
fn the_market_is_read_and_is_absent_without_its_table() {
    let s = ok(&with(&format!(
        "{MARKET}{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n"
    )));
    let m = s.market.expect("a market");
    assert_eq!((m.drift, m.volatility), (0.07, 0.16));
    let s = ok(&with(&format!(
        "{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n"
    )));
    assert!(s.market.is_none());
}

#[test]
fn market_correlation_defaults_to_zero_and_any_given_value_needs_the_market() {
    let job = "\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n";
    let s = ok(&with(&format!(
        "{MARKET}{BIGCO}market_correlation = -0.4\n{ROCKET}market_correlation = 0.5\n{job}"
    )));
    assert_eq!(s.companies[0].market_correlation, -0.4);
    assert_eq!(s.companies[1].market_correlation, 0.5);
    let s = ok(&with(&format!("{MARKET}{BIGCO}{job}")));
    assert_eq!(s.companies[0].market_correlation, 0.0);
    for rho in ["0", "0.65"] {
        let e = err(&with(&format!("{BIGCO}market_correlation = {rho}\n{job}")));
        assert_eq!(e.rule, Rule::MarketCorrelationNeedsMarket, "{e}");
        assert_eq!(e.key.to_string(), "companies.bigco.market_correlation");
    }
    // Neither public-only nor private-only.
    let job = job.replace("bigco", "rocket");
    ok(&with(&format!(
        "{MARKET}{ROCKET}market_correlation = 1\n{job}"
    )));
}

// ---------------------------------------------------------------- layoffs

#[test]
fn a_jobs_layoffs_table_replaces_its_companys_whole_and_missing_keys_take_the_defaults() {
    let s = ok(&format!(
        r#"{SIM}{MARKET}{BIGCO}
[companies.bigco.layoffs]
rate = 0.1
market_sensitivity = 2
severance_weeks = 16
weeks_per_year = 2
vesting_months = 3
rehire_months = 6
rehire_pay = 0.8
{ROCKET}
[jobs.inherits]
company = "bigco"
base = 1

[jobs.own]
company = "bigco"
base = 1
layoffs = {{ rate = 0.02 }}

[jobs.none]
company = "rocket"
base = 1

[jobs.cash]
base = 1

[jobs.cash-laid-off]
base = 1
layoffs = {{ rate = 0.3, severance_weeks = 4 }}

[strategies.s]
path = [{{ job = "inherits" }}]
"#
    ));
    let company = Layoffs {
        rate: 0.1,
        market_sensitivity: 2.0,
        severance_weeks: Some(16.0),
        weeks_per_year: 2.0,
        vesting_months: 3,
        rehire_months: 6,
        rehire_pay: 0.8,
    };
    let defaults = Layoffs {
        rate: 0.0,
        market_sensitivity: 0.0,
        severance_weeks: None,
        weeks_per_year: 0.0,
        vesting_months: 0,
        rehire_months: 3,
        rehire_pay: 1.0,
    };
    assert_eq!(job(&s, "inherits").layoffs, Some(company));
    // Not the company's rehire rule or severance: the defaults.
    assert_eq!(
        job(&s, "own").layoffs,
        Some(Layoffs {
            rate: 0.02,
            ..defaults
        })
    );
    assert_eq!(job(&s, "none").layoffs, None);
    assert_eq!(job(&s, "cash").layoffs, None);
    assert_eq!(
        job(&s, "cash-laid-off").layoffs,
        Some(Layoffs {
            rate: 0.3,
            severance_weeks: Some(4.0),
            ..defaults
        })
    );
    // The defaults are those of a failure without a table, but for the rate.
    assert_eq!(defaults, Layoffs::FAILURE_DEFAULT);
}

#[test]
fn an_empty_layoffs_table_holds_every_default_and_no_severance_weeks() {
    let s = ok(&with("\n[jobs.j]\nbase = 1\nlayoffs = {}\n"));
    assert_eq!(job(&s, "j").layoffs, Some(Layoffs::FAILURE_DEFAULT));
    assert_eq!(job(&s, "j").layoffs.unwrap().severance_weeks, None);
}

#[test]
fn market_sensitivity_needs_no_market_and_the_limits_are_inclusive() {
    let s = ok(&with(
        "\n[jobs.j]\nbase = 1\nlayoffs = { rate = 1, market_sensitivity = -20, severance_weeks = 520, \
         weeks_per_year = 52, vesting_months = 120, rehire_months = 600, rehire_pay = 10 }\n",
    ));
    let l = job(&s, "j").layoffs.unwrap();
    assert_eq!(l.market_sensitivity, -20.0);
    assert_eq!((l.vesting_months, l.rehire_months), (120, 600));
    for (key, bad, rule) in [
        ("rate", "1.01", Rule::LayoffsRateInRange),
        (
            "market_sensitivity",
            "20.5",
            Rule::LayoffsMarketSensitivityInRange,
        ),
        ("severance_weeks", "521", Rule::LayoffsSeveranceWeeksInRange),
        ("weeks_per_year", "-1", Rule::LayoffsWeeksPerYearInRange),
        ("vesting_months", "121", Rule::LayoffsVestingMonthsInRange),
        ("rehire_months", "601", Rule::LayoffsRehireMonthsInRange),
        ("rehire_pay", "-0.1", Rule::LayoffsRehirePayInRange),
    ] {
        let e = err(&with(&format!(
            "\n[jobs.j]\nbase = 1\nlayoffs = {{ {key} = {bad} }}\n"
        )));
        assert_eq!(e.rule, rule, "{e}");
        assert_eq!(e.key.to_string(), format!("jobs.j.layoffs.{key}"));
    }
}

// ------------------------------------------------------------------ bonus

fn bonus(table: &str) -> Result<tcsim::model::Bonus, ScenarioError> {
    parse(
        "t.toml",
        &with(&format!(
            "{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\nbonus = {{ {table} }}\n"
        )),
    )
    .map(|s| s.jobs[0].bonus)
}

#[test]
fn a_lognormal_bonus_is_bounded_by_0_and_20_unless_told_otherwise() {
    let b = bonus("target = 1, sd = 0.8, distribution = \"lognormal\"").unwrap();
    assert_eq!(b.distribution, BonusDistribution::Lognormal);
    assert_eq!((b.min, b.max), (0.0, 20.0));
    let b = bonus("target = 1, distribution = \"normal\"").unwrap();
    assert_eq!(b.distribution, BonusDistribution::Normal);
    assert_eq!((b.min, b.max), (0.0, 2.0));
    let b = bonus("target = 1").unwrap();
    assert_eq!(b.distribution, BonusDistribution::Normal);
    assert_eq!(b.max, 2.0);
    // A floor of 3 is under the lognormal's default cap, above the normal's.
    let b = bonus("target = 1, distribution = \"lognormal\", min = 3").unwrap();
    assert_eq!((b.min, b.max), (3.0, 20.0));
    let e = bonus("target = 1, min = 3").unwrap_err();
    assert_eq!(e.rule, Rule::BonusMinAtMostDefaultMax);
    let e = bonus("target = 1, distribution = \"lognormal\", min = 21").unwrap_err();
    assert_eq!(e.rule, Rule::BonusMinAtMostDefaultMax);
    assert!(e.message.contains("max = 20"), "{}", e.message);
    let b = bonus("target = 1, distribution = \"lognormal\", max = 5").unwrap();
    assert_eq!(b.max, 5.0);
    let e = bonus("target = 1, distribution = \"lognormal\", min = 6, max = 5").unwrap_err();
    assert_eq!(e.rule, Rule::BonusMaxAtLeastMin);
    let e = bonus("distribution = \"Lognormal\"").unwrap_err();
    assert_eq!(e.rule, Rule::BonusDistributionKnown);
}

#[test]
fn company_link_needs_the_market_only_where_r_is_the_markets() {
    let link = "bonus = { target = 0.2, company_link = 1.5 }\n";
    // A public company: R is its own price ratio.
    let s = ok(&with(&format!(
        "{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n{link}"
    )));
    assert_eq!(s.jobs[0].bonus.company_link, 1.5);
    for (companies, company, why) in [
        (
            ROCKET,
            "company = \"rocket\"\n",
            "`j` is at `rocket`, a private company",
        ),
        ("", "", "`j` is a cash-only job (no company)"),
    ] {
        let body = format!("{companies}\n[jobs.j]\n{company}base = 1\n{link}");
        let e = err(&with(&body));
        assert_eq!(e.rule, Rule::BonusCompanyLinkNeedsMarket, "{e}");
        assert_eq!(e.key.to_string(), "jobs.j.bonus.company_link");
        assert!(e.message.contains(why), "{}", e.message);
        let s = ok(&with(&format!("{MARKET}{body}")));
        assert_eq!(s.jobs[0].bonus.company_link, 1.5);
        // A link of 0 is no link.
        ok(&with(
            &body.replace("company_link = 1.5", "company_link = 0"),
        ));
    }
    let e = bonus("company_link = -10.5").unwrap_err();
    assert_eq!(e.rule, Rule::BonusCompanyLinkInRange);
}

// ---------------------------------------------------- cash-only and clawback

#[test]
fn a_cash_only_job_needs_no_company_and_a_file_of_them_no_companies_table() {
    let s = ok(&with(
        "\n[jobs.j]\nbase = 250_000\nbonus = { target = 1, sd = 1, distribution = \"lognormal\" }\n\
         sign_on = [50_000]\nsign_on_clawback_months = 12\n",
    ));
    assert!(s.companies.is_empty());
    assert_eq!(s.jobs[0].company, None);
    assert_eq!(s.jobs[0].sign_on_clawback_months, 12);
    let grant = "[[jobs.j.grants]]\nkind = \"rsu\"\nunits = 10\nvesting = [100]\n";
    let refresh = "refresh = { value = 1, every_years = 1, vesting = [100] }\n";
    for stock in [grant.to_string(), refresh.to_string()] {
        let e = err(&with(&format!("{BIGCO}\n[jobs.j]\nbase = 1\n{stock}")));
        assert_eq!(e.rule, Rule::JobCompanyRequired, "{e}");
        assert_eq!(e.key.to_string(), "jobs.j.company");
    }
    // A named company must still exist.
    let e = err(&with("\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n"));
    assert_eq!(e.rule, Rule::JobCompanyDefined);
}

#[test]
fn sign_on_clawback_months_default_to_none_and_stay_within_120() {
    let s = ok(&with("\n[jobs.j]\nbase = 1\n"));
    assert_eq!(s.jobs[0].sign_on_clawback_months, 0);
    let s = ok(&with(
        "\n[jobs.j]\nbase = 1\nsign_on_clawback_months = 120\n",
    ));
    assert_eq!(s.jobs[0].sign_on_clawback_months, 120);
    let e = err(&with(
        "\n[jobs.j]\nbase = 1\nsign_on_clawback_months = -1\n",
    ));
    assert_eq!(e.rule, Rule::SignOnClawbackMonthsInRange);
}

// ---------------------------------------------------------- stints in months

fn path(years: u32, path: &str) -> Result<Scenario, ScenarioError> {
    parse(
        "t.toml",
        &format!(
            "[simulation]\nyears = {years}\n{BIGCO}\n[jobs.a]\ncompany = \"bigco\"\nbase = 1\n\
             [jobs.b]\ncompany = \"bigco\"\nbase_raise = {{ min = 0, max = 0.1 }}\n\
             [jobs.old]\ncompany = \"bigco\"\nbase = 1\n\
             [[jobs.old.grants]]\nkind = \"rsu\"\nunits = 10\nvesting = [100]\ngranted_months_ago = 6\n\
             [strategies.s]\npath = {path}\n"
        ),
    )
}

fn spans(s: &Scenario) -> Vec<(u32, u32)> {
    s.strategies[0]
        .stints
        .iter()
        .map(|t| (t.start, t.end))
        .collect()
}

#[test]
fn stints_start_and_end_at_months() {
    let s = path(
        4,
        r#"[{ job = "a", months = 18 }, { job = "b", years = 1 }, { job = "b" }]"#,
    )
    .unwrap();
    assert_eq!(spans(&s), [(0, 18), (18, 30), (30, 48)]);
    let s = path(
        3,
        r#"[{ job = "a", years = 1 }, { job = "b", months = 24 }]"#,
    )
    .unwrap();
    assert_eq!(spans(&s), [(0, 12), (12, 36)]);
    // Whole years, in months.
    let s = path(2, r#"[{ job = "a", months = 12 }, { job = "b" }]"#).unwrap();
    assert_eq!(spans(&s), [(0, 12), (12, 24)]);
    let s = path(2, r#"[{ job = "a" }]"#).unwrap();
    assert_eq!(spans(&s), [(0, 24)]);
    assert_eq!(s.strategies[0].stints[0].months(), 24);
}

#[test]
fn a_stint_gives_years_or_months_and_the_path_must_fit_the_horizon_in_months() {
    let e = path(
        3,
        r#"[{ job = "a", years = 1, months = 6 }, { job = "b" }]"#,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::StintMonthsExcludeYears);
    assert_eq!(e.key.to_string(), "strategies.s.path[0].months");
    let e = path(3, r#"[{ job = "a" }, { job = "b" }]"#).unwrap_err();
    assert_eq!(e.rule, Rule::StintYearsRequired);
    assert!(e.message.contains("`months`"), "{}", e.message);
    let e = path(3, r#"[{ job = "a", months = 37 }, { job = "b" }]"#).unwrap_err();
    assert_eq!(e.rule, Rule::StintMonthsInRange);
    assert!(e.message.contains("[1, 36]"), "{}", e.message);
    let e = path(
        3,
        r#"[{ job = "a", months = 30 }, { job = "b", months = 12 }]"#,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::PathWithinHorizon);
    assert_eq!(e.key.to_string(), "strategies.s.path[1].months");
    assert!(
        e.message.starts_with("takes the path to month 42,"),
        "{}",
        e.message
    );
    let e = path(
        3,
        r#"[{ job = "a", months = 12 }, { job = "b", years = 3 }]"#,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::PathWithinHorizon);
    assert!(
        e.message.starts_with("takes the path to year 4,"),
        "{}",
        e.message
    );
    let e = path(
        3,
        r#"[{ job = "a", months = 6 }, { job = "b", years = 2 }]"#,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::PathReachesHorizon);
    assert_eq!(e.key.to_string(), "strategies.s.path[1].years");
    assert!(
        e.message.starts_with(
            "ends the path at month 30, before the horizon of 3 years: leave `years` out"
        ),
        "{}",
        e.message
    );
    let e = path(
        3,
        r#"[{ job = "a", years = 1 }, { job = "b", months = 12 }]"#,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::PathReachesHorizon);
    assert!(e.message.contains("at year 2,"), "{}", e.message);
    assert!(e.message.contains("leave `months` out"), "{}", e.message);
    let e = path(3, r#"[{ job = "a", months = 36 }, { job = "b" }]"#).unwrap_err();
    assert_eq!(e.rule, Rule::StintStartsBeforeHorizon);
}

/// The checks that held for stints of whole years hold for stints of months.
#[test]
fn first_stint_rules_hold_for_stints_in_months() {
    let e = path(3, r#"[{ job = "b", months = 6 }, { job = "a" }]"#).unwrap_err();
    assert_eq!(e.rule, Rule::FirstStintHasBase);
    let e = path(3, r#"[{ job = "a", months = 6 }, { job = "old" }]"#).unwrap_err();
    assert_eq!(e.rule, Rule::ExistingGrantOnFirstStint);
    let s = path(3, r#"[{ job = "old", months = 7 }, { job = "b" }]"#).unwrap();
    assert_eq!(spans(&s), [(0, 7), (7, 36)]);
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

/// A file that uses none of the new keys prints what it did before them,
/// but for the two lines of startup life below a private company (what an
/// IPO and an acquisition do, which apply to every private company), the
/// line of its exits, and the terms of each job below its own line (pay
/// growth, bonus multiplier, sign-on, vesting), which every file has.
#[test]
fn check_prints_a_file_without_the_new_keys_as_before() {
    let text = r#"[simulation]
years = 4
runs = 2000
seed = 7

[companies.bigco]
type = "public"
share_price = 180.0
drift = 0.08
volatility = 0.30

[companies.rocket]
type = "private"
valuation = 300_000_000
shares = 30_000_000
preference = 65_000_000
exit_rate = 0.1
failure_rate = 0.05
exit_multiple = { median = 1.5, sigma = 0.9 }

[jobs.current]
company = "bigco"
base = 210_000
bonus = { target = 0.15, sd = 0.2 }
refresh = { value = 50_000, every_years = 1 }

[[jobs.current.grants]]
kind = "rsu"
value = 400_000
vesting = [25, 25, 25, 25]
granted_months_ago = 12

[jobs.startup]
company = "rocket"
base_raise = { min = 0.0, max = 0.1 }

[[jobs.startup.grants]]
kind = "option"
units = 40_000
strike = 3
vesting = [25, 25, 25, 25]

[strategies.stay]
path = [{ job = "current" }]

[strategies.switch]
path = [{ job = "current", years = 1 }, { job = "startup" }]
"#;
    let expected = "v1.toml: ok
horizon 4 years, 2000 runs, seed 7, 12 price steps a year, percentiles 5, 10, 25, 50, 75, 90, 95

companies:
  bigco: public, share price 180, drift 8.0%, volatility 30.0%
  rocket: private, valuation 300,000,000, 30,000,000 shares (10.0000/share), preference 65,000,000, exit 10.0%/yr, failure 5.0%/yr
    exits: every exit an acquisition; multiple of the latest valuation median 1.5 (sigma 0.9); preferred 0% of the shares, yearly dilution 0.0%
    after an IPO: drift 8.0%, volatility 50.0%, lockup 6 months (defaults)
    on an acquisition: unvested units keep vesting, each paying the acquisition price (assume)

jobs:
  current at bigco: base 210,000, bonus target 15%, grants: RSU $400,000 (granted 12 months ago), refreshers
    pay: no merit raise, no promotion (base flat within a stint)
    bonus multiplier: sd 0.2, within [0, 2]
    grant 1: vesting 25/25/25/25% over 4 years, monthly, no cliff
    refreshers: $50,000 every year, the first after stint year 1; vesting 25/25/25/25% over 4 years, monthly, no cliff
  startup at rocket: base = last base +0% to +10%, bonus target 0%, grants: options @ 3 40,000 units
    pay: no merit raise, no promotion (base flat within a stint)
    grant 1: vesting 25/25/25/25% over 4 years, monthly, no cliff; on leaving, vested options lapse (on_leave \"forfeit\")

strategies:
  stay [baseline]: current (years 1-4)
  switch: current (years 1-1) -> startup (years 2-4)
";
    assert_eq!(check_output("v1.toml", text), expected);
}

#[test]
fn check_prints_the_market_correlations_layoffs_bonus_laws_clawbacks_and_months() {
    let text = r#"[simulation]
years = 3

[market]
drift = 0.07
volatility = 0.16

[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3
market_correlation = 0.65
layoffs = { rate = 0.04, market_sensitivity = 2, severance_weeks = 16, weeks_per_year = 2, rehire_months = 4, rehire_pay = 0.9 }

[companies.rocket]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
exit_multiple = { median = 1.5, sigma = 0.9 }
market_correlation = 0.5

[jobs.big]
company = "bigco"
base = 200_000
bonus = { target = 0.15, company_link = 1 }

[jobs.big-own]
company = "bigco"
base = 200_000
layoffs = { rate = 0.1, weeks_per_year = 1 }

[jobs.trading]
base = 250_000
bonus = { target = 1.0, sd = 0.8, distribution = "lognormal", company_link = 1.5 }
sign_on = [50_000]
sign_on_clawback_months = 12
layoffs = { rate = 0.08, vesting_months = 2 }

[strategies.stay]
path = [{ job = "big" }]

[strategies.hop]
path = [{ job = "big", months = 18 }, { job = "trading", years = 1 }, { job = "big-own" }]
"#;
    let out = check_output("e.toml", text);
    for want in [
        "\nmarket: drift 7.0%, volatility 16.0%\n\ncompanies:\n",
        "  bigco: public, share price 100, drift 8.0%, volatility 30.0%, market correlation 0.65\n    layoffs: 4.0%/yr, market sensitivity 2, severance 16 weeks + 2 per year served, rehired after 4 months at 90% of base\n",
        "failure 0.0%/yr, market correlation 0.5\n    exits: every exit an acquisition; multiple of the latest valuation median 1.5 (sigma 0.9); preferred 0% of the shares, yearly dilution 0.0%\n    after an IPO: drift 8.0%, volatility 50.0%, lockup 6 months (defaults)\n    on an acquisition: unvested units keep vesting, each paying the acquisition price (assume)\n\njobs:\n",
        "  big at bigco: base 200,000, bonus target 15% (company_link 1), grants: none\n    pay: no merit raise, no promotion (base flat within a stint)\n    bonus multiplier: sd 0, within [0, 2]\n    layoffs (bigco's): 4.0%/yr,",
        "  big-own at bigco: base 200,000, bonus target 0%, grants: none\n    pay: no merit raise, no promotion (base flat within a stint)\n    layoffs (its own): 10.0%/yr, severance 1 weeks per year served (none on a failure), rehired after 3 months at 100% of base\n",
        "  trading (cash only): base 250,000, bonus target 100% (lognormal, company_link 1.5), grants: none, sign-on clawback over 12 months\n    pay: no merit raise, no promotion (base flat within a stint)\n    bonus multiplier: sd 0.8, within [0, 20]\n    sign-on: 50,000 in stint year 1\n    layoffs (its own): 8.0%/yr, no severance, vesting goes on 2 months, rehired after 3 months at 100% of base\n",
        "  stay [baseline]: big (years 1-3)\n",
        "  hop: big (months 1-18) -> trading (months 19-30) -> big-own (months 31-36)\n",
    ] {
        assert!(out.contains(want), "`{want}` not in\n{out}");
    }
}

// ------------------------------------------------------------- sweep paths

/// Every key the parser accepts is a `--set` key path once its names and
/// indices are filled in (the syntax `solve --vary` is to share).
#[test]
fn every_accepted_key_is_a_set_key_path() {
    for key in accepted_keys() {
        let path = key.replace(".*", ".x").replace("[]", "[0]");
        let axis =
            parse_axis(&format!("{path}=1")).unwrap_or_else(|e| panic!("--set {path}=1: {e}"));
        assert_eq!(axis.path.to_string(), path);
    }
}

#[test]
fn sweep_sets_the_market_correlation_layoffs_bonus_clawback_and_months_keys() {
    let text = format!(
        r#"{SIM}{MARKET}{BIGCO}market_correlation = 0.1
layoffs = {{ rate = 0.01 }}

[jobs.j]
company = "bigco"
base = 1
bonus = {{ target = 0.1 }}
sign_on = [10]
layoffs = {{ rate = 0.01 }}

[strategies.s]
path = [{{ job = "j", months = 6 }}, {{ job = "j" }}]
"#
    );
    let axes = [
        "market.drift=0.02,0.09",
        "market.volatility=0.2",
        "companies.bigco.market_correlation=0.3",
        "companies.bigco.layoffs.rehire_months=5",
        "jobs.j.layoffs.severance_weeks=8",
        "jobs.j.bonus.company_link=2",
        "jobs.j.bonus.distribution=lognormal",
        "jobs.j.sign_on_clawback_months=9",
        "strategies.s.path[0].months=6,18",
    ]
    .map(|a| parse_axis(a).unwrap());
    let pts = points("t.toml", &text, &axes, Overrides::default()).unwrap();
    assert_eq!(pts.len(), 4);
    let last = &pts[3].scenario;
    let m = last.market.unwrap();
    assert_eq!((m.drift, m.volatility), (0.09, 0.2));
    assert_eq!(last.companies[0].market_correlation, 0.3);
    let j = &last.jobs[0];
    // The job's own table: not the company's rehire_months.
    let l = j.layoffs.unwrap();
    assert_eq!((l.severance_weeks, l.rehire_months), (Some(8.0), 3));
    assert_eq!(j.bonus.company_link, 2.0);
    assert_eq!(j.bonus.distribution, BonusDistribution::Lognormal);
    assert_eq!(j.bonus.max, 20.0);
    assert_eq!(j.sign_on_clawback_months, 9);
    assert_eq!(spans(last), [(0, 18), (18, 36)]);
    assert_eq!(spans(&pts[0].scenario), [(0, 6), (6, 36)]);

    // A whole `[market]` added to a file without one.
    let plain = with(&format!(
        "{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n"
    ));
    let axes = [parse_axis("market={ drift = 0.05, volatility = 0.1 }").unwrap()];
    let pts = points("t.toml", &plain, &axes, Overrides::default()).unwrap();
    assert_eq!(pts[0].scenario.market.unwrap().drift, 0.05);
}

/// `tcsim sweep --set` takes the new keys on the command line: a point per
/// value, the keys as columns; a value that breaks a rule is refused
/// before anything is simulated, naming the point and the rule.
#[test]
fn tcsim_sweep_sets_the_market_and_stint_months() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("e.toml");
    fs::write(
        &file,
        format!(
            "{SIM}{MARKET}{BIGCO}market_correlation = 0.5\n\n[jobs.j]\ncompany = \"bigco\"\nbase = 1000\n\n\
             [strategies.s]\npath = [{{ job = \"j\", months = 6 }}, {{ job = \"j\" }}]\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&file)
        .args(["--runs", "50", "--quiet", "--out"])
        .arg(&out)
        .args([
            "--set",
            "market.drift=0.02,0.09",
            "--set",
            "strategies.s.path[0].months=6,18",
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
        lines
            .next()
            .unwrap()
            .starts_with("market.drift,strategies.s.path[0].months,strategy,"),
        "{csv}"
    );
    assert_eq!(lines.count(), 4, "{csv}");

    let bad = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&file)
        .args(["--runs", "50", "--quiet", "--out"])
        .arg(dir.path().join("bad"))
        .args(["--set", "strategies.s.path[0].months=6,0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--set strategies.s.path[0].months=0: strategies.s.path[0].months must be an integer in [1, 36], got 0"),
        "{stderr}"
    );
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn check_prints_a_scheduled_exit_instead_of_the_hazards_it_replaces() {
    let text = r#"
[simulation]
years = 2

[companies.r]
type = "private"
valuation = 1e8
shares = 1e7
exit_month = 14
exit_multiple = { median = 1.0, sigma = 0.5 }

[jobs.j]
company = "r"
base = 100000

[strategies.s]
path = [{ job = "j" }]
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scheduled.toml");
    std::fs::write(&file, text).unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("tcsim")
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("preference 0, exit scheduled in month 14\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("%/yr"), "{stdout}");
}
