//! Ladders, market pay and the cost of living as the scenario layer reads
//! and checks them (model.md sections 11 and 15, docs/reference.md):
//! `[ladders.NAME]`, a job's `ladder`, `level`, `pay_factor` and
//! `price_parity`, `base = { p10, p50, p90 }` and `base_raise = { p10,
//! p50, p90 }`; each rule refused with its name; what `tcsim check` prints
//! of them; and that `tcsim sweep --set` reaches every new key.

mod common;

use std::fs;

use assert_cmd::cargo::cargo_bin_cmd;
use tcsim::config::Overrides;
use tcsim::error::ScenarioError;
use tcsim::model::{Base, Job, LevelStart, OnLadder, Scenario};
use tcsim::scenario::keys::accepted_keys;
use tcsim::scenario::patch::{parse_axis, points};
use tcsim::scenario::{Rule, parse};
use tcsim::vesting::{Frequency, Schedule};

fn ok(text: &str) -> Scenario {
    parse("t.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err(text: &str) -> ScenarioError {
    match parse("t.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

/// `text` is refused by `rule` at `key`.
fn refused(text: &str, rule: Rule, key: &str) -> ScenarioError {
    let e = err(text);
    assert_eq!((e.rule, e.key.to_string().as_str()), (rule, key), "{e}");
    e
}

fn job<'a>(s: &'a Scenario, name: &str) -> &'a Job {
    s.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

const SIM: &str = "[simulation]\nyears = 6\nruns = 100\n";
const BIGCO: &str = r#"
[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3
"#;
/// The ladder of model.md section 11.
const BIGTECH: &str = r#"
[ladders.bigtech]
levels          = ["L3", "L4", "L5", "L6", "L7"]
base            = [150_000, 185_000, 225_000, 275_000, 330_000]
bonus_target    = [0.10, 0.10, 0.15, 0.20, 0.20]
refresh         = [15_000, 40_000, 90_000, 180_000, 320_000]
promotion_rate  = [0.45, 0.35, 0.15, 0.08, 0.0]
min_years       = [1, 1, 2, 2, 3]
promotion_raise = 0.08
promotion_grant = [0, 40_000, 80_000, 160_000, 300_000]
"#;
/// A cash-only ladder: no refreshers, no promotion grants.
const CASH: &str = r#"
[ladders.cash]
levels = ["junior", "senior"]
base = [100_000, 140_000]
promotion_rate = [0.3, 0.0]
"#;

/// `SIM`, `BIGCO`, `BIGTECH`, then `jobs`, then a strategy holding job `j`.
fn with(jobs: &str) -> String {
    format!("{SIM}{BIGCO}{BIGTECH}{jobs}\n[strategies.s]\npath = [{{ job = \"j\" }}]\n")
}

/// A ladder job `j` at bigco, at L5, with `extra` keys.
fn ladder_job(extra: &str) -> String {
    with(&format!(
        "\n[jobs.j]\ncompany = \"bigco\"\nladder = \"bigtech\"\nlevel = \"L5\"\n{extra}\n"
    ))
}

// ---------------------------------------------------------------- parsing

#[test]
fn a_ladder_is_read_into_the_model_with_one_entry_per_level() {
    let s = ok(&format!(
        "{SIM}{BIGCO}{CASH}{BIGTECH}\n[jobs.j]\ncompany = \"bigco\"\nladder = \"bigtech\"\nlevel = \"L5\"\n\n\
         [strategies.s]\npath = [{{ job = \"j\" }}]\n"
    ));
    assert_eq!(s.ladders.len(), 2);
    // File order: `cash` first, so `bigtech` is ladder 1.
    let (cash, big) = (&s.ladders[0], &s.ladders[1]);
    assert_eq!(cash.name, "cash");
    assert_eq!(big.name, "bigtech");
    assert_eq!(big.levels, ["L3", "L4", "L5", "L6", "L7"]);
    assert_eq!(
        big.base,
        [150_000.0, 185_000.0, 225_000.0, 275_000.0, 330_000.0]
    );
    assert_eq!(big.bonus_target, [0.10, 0.10, 0.15, 0.20, 0.20]);
    assert_eq!(
        big.refresh,
        [15_000.0, 40_000.0, 90_000.0, 180_000.0, 320_000.0]
    );
    assert_eq!(big.promotion_rate, [0.45, 0.35, 0.15, 0.08, 0.0]);
    assert_eq!(big.min_years, [1, 1, 2, 2, 3]);
    assert_eq!(
        big.promotion_grant,
        [0.0, 40_000.0, 80_000.0, 160_000.0, 300_000.0]
    );
    assert_eq!(big.promotion_raise, 0.08);
    // Every array but `base` defaults to zeros, promotion_raise to 0.
    assert_eq!(cash.bonus_target, [0.0, 0.0]);
    assert_eq!(cash.refresh, [0.0, 0.0]);
    assert_eq!(cash.min_years, [0, 0]);
    assert_eq!(cash.promotion_grant, [0.0, 0.0]);
    assert_eq!(cash.promotion_raise, 0.0);
    assert_eq!(
        job(&s, "j").ladder,
        Some(OnLadder {
            ladder: 1,
            level: LevelStart::At(2),
            pay_factor: 1.0
        })
    );
}

#[test]
fn a_file_without_ladders_has_none_and_no_job_on_one() {
    let s = ok(&with("\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n"));
    assert_eq!(s.ladders.len(), 1);
    let j = job(&s, "j");
    assert_eq!((j.ladder, j.price_parity), (None, None));
    assert!(j.refresh.is_none());
    let plain = ok(&format!(
        "{SIM}{BIGCO}\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n\n[strategies.s]\npath = [{{ job = \"j\" }}]\n"
    ));
    assert!(plain.ladders.is_empty());
}

#[test]
fn level_is_a_level_name_same_or_plus_one_and_pay_factor_defaults_to_one() {
    let s = ok(&format!(
        "{SIM}{BIGCO}{BIGTECH}
[jobs.a]
company = \"bigco\"
ladder = \"bigtech\"
level = \"L3\"

[jobs.b]
company = \"bigco\"
ladder = \"bigtech\"
level = \"same\"
pay_factor = 0.85

[jobs.c]
company = \"bigco\"
ladder = \"bigtech\"
level = \"+1\"
pay_factor = 10

[strategies.s]
path = [{{ job = \"a\", years = 2 }}, {{ job = \"b\", years = 2 }}, {{ job = \"c\" }}]
"
    ));
    let on = |n: &str| job(&s, n).ladder.unwrap();
    assert_eq!(
        (on("a").level, on("a").pay_factor),
        (LevelStart::At(0), 1.0)
    );
    assert_eq!(
        (on("b").level, on("b").pay_factor),
        (LevelStart::Same, 0.85)
    );
    assert_eq!((on("c").level, on("c").pay_factor), (LevelStart::Up, 10.0));
}

#[test]
fn a_ladder_job_without_a_base_takes_its_levels_band_and_its_own_base_otherwise() {
    let level = ok(&ladder_job(""));
    assert!(matches!(job(&level, "j").base, Base::Level));
    let fixed = ok(&ladder_job("base = 200_000\npay_factor = 0.8"));
    // pay_factor scales the ladder's figures, not the job's own base.
    assert!(matches!(job(&fixed, "j").base, Base::Fixed(b) if b == 200_000.0));
    let market = ok(&ladder_job(
        "base = { p10 = 160_000, p50 = 200_000, p90 = 260_000 }",
    ));
    assert!(matches!(
        job(&market, "j").base,
        Base::Market { p10, p50, p90 } if (p10, p50, p90) == (160_000.0, 200_000.0, 260_000.0)
    ));
}

#[test]
fn market_pay_and_a_switch_raise_through_three_points_are_read_on_any_job() {
    let s = ok(&format!(
        "{SIM}{BIGCO}
[jobs.a]
base = {{ p10 = 160_000, p50 = 200_000, p90 = 260_000 }}

[jobs.b]
company = \"bigco\"
base_raise = {{ p10 = -0.05, p50 = 0.12, p90 = 0.30 }}

[jobs.c]
base_raise = {{ min = 0.0, max = 0.1 }}

[jobs.d]
base = {{ p10 = 1, p50 = 1, p90 = 1e12 }}

[strategies.s]
path = [{{ job = \"a\", years = 1 }}, {{ job = \"b\", years = 1 }}, {{ job = \"c\", years = 1 }}, {{ job = \"d\" }}]
"
    ));
    assert!(matches!(
        job(&s, "a").base,
        Base::Market { p10, p50, p90 } if (p10, p50, p90) == (160_000.0, 200_000.0, 260_000.0)
    ));
    assert!(matches!(
        job(&s, "b").base,
        Base::RelativeMarket { p10, p50, p90 } if (p10, p50, p90) == (-0.05, 0.12, 0.30)
    ));
    assert!(matches!(job(&s, "c").base, Base::Relative { min, max } if (min, max) == (0.0, 0.1)));
    // The points may coincide; the ends are inclusive.
    assert!(matches!(job(&s, "d").base, Base::Market { p90, .. } if p90 == 1e12));
    assert!(job(&s, "a").ladder.is_none());
}

#[test]
fn a_ladder_job_always_has_refreshers_worth_zero_here_yearly_by_default() {
    // No RSU grant, no refresh table: yearly, 25/25/25/25 quarterly, no cliff.
    let s = ok(&ladder_job(""));
    let r = job(&s, "j")
        .refresh
        .clone()
        .expect("a ladder job has refreshers");
    assert_eq!((r.value, r.every_years, r.first_after_years), (0.0, 1, 1));
    assert_eq!(
        r.schedule,
        Schedule::new(&[25.0, 25.0, 25.0, 25.0], Frequency::Quarterly, 0)
    );
    // The job's first RSU grant gives the vesting keys it has.
    let s = ok(&ladder_job(
        "grants = [{ kind = \"rsu\", value = 100_000, vesting = [5, 15, 40, 40], cliff_months = 12 }]",
    ));
    let r = job(&s, "j").refresh.clone().unwrap();
    assert_eq!(
        r.schedule,
        Schedule::new(&[5.0, 15.0, 40.0, 40.0], Frequency::Monthly, 12)
    );
    // The refresh table's own keys win; every_years and first_after_years too.
    let s = ok(&ladder_job(
        "refresh = { every_years = 2, first_after_years = 0, vesting = [50, 50], frequency = \"annual\" }",
    ));
    let r = job(&s, "j").refresh.clone().unwrap();
    assert_eq!((r.value, r.every_years, r.first_after_years), (0.0, 2, 0));
    assert_eq!(
        r.schedule,
        Schedule::new(&[50.0, 50.0], Frequency::Annual, 0)
    );
    // With only `every_years`, the defaults of a job without an RSU grant.
    let s = ok(&ladder_job("refresh = { every_years = 3 }"));
    let r = job(&s, "j").refresh.clone().unwrap();
    assert_eq!((r.every_years, r.first_after_years), (3, 3));
    assert_eq!(
        r.schedule,
        Schedule::new(&[25.0, 25.0, 25.0, 25.0], Frequency::Quarterly, 0)
    );
}

#[test]
fn a_ladder_jobs_bonus_target_is_the_levels_and_its_other_bonus_keys_apply() {
    let s = ok(&ladder_job("bonus = { sd = 0.25, max = 3 }"));
    let b = job(&s, "j").bonus;
    assert_eq!((b.target, b.sd, b.min, b.max), (0.0, 0.25, 0.0, 3.0));
}

#[test]
fn price_parity_is_read_on_any_job_from_0_1_to_10() {
    let s = ok(&with(
        "\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\nprice_parity = 1.176\n",
    ));
    assert_eq!(job(&s, "j").price_parity, Some(1.176));
    let s = ok(&ladder_job("price_parity = 0.1"));
    assert_eq!(job(&s, "j").price_parity, Some(0.1));
    let s = ok(&ladder_job("price_parity = 10"));
    assert_eq!(job(&s, "j").price_parity, Some(10.0));
}

#[test]
fn a_cash_only_ladder_job_needs_no_company() {
    let s = ok(&format!(
        "{SIM}{CASH}\n[jobs.j]\nladder = \"cash\"\nlevel = \"junior\"\n\n[strategies.s]\npath = [{{ job = \"j\" }}]\n"
    ));
    let j = job(&s, "j");
    assert_eq!(j.company, None);
    assert!(s.companies.is_empty());
}

#[test]
fn same_and_plus_one_follow_a_stint_on_any_ladder() {
    // After a stint on another ladder: allowed (model.md section 15).
    let s = ok(&format!(
        "{SIM}{BIGCO}{BIGTECH}{CASH}
[jobs.a]
ladder = \"cash\"
level = \"senior\"

[jobs.b]
company = \"bigco\"
ladder = \"bigtech\"
level = \"+1\"
base_raise = {{ p10 = 0.05, p50 = 0.12, p90 = 0.30 }}

[strategies.s]
path = [{{ job = \"a\", years = 2 }}, {{ job = \"b\" }}]
"
    ));
    assert_eq!(s.strategies[0].stints.len(), 2);
}

// ------------------------------------------------------------------ rules

#[test]
fn name_alphabet_holds_for_ladder_names() {
    let text = ladder_job("").replace("ladders.bigtech", "ladders.\"big tech\"");
    refused(&text, Rule::NameAlphabet, "ladders.\"big tech\"");
}

#[test]
fn ladder_levels_required() {
    let text = ladder_job("").replace(
        "levels          = [\"L3\", \"L4\", \"L5\", \"L6\", \"L7\"]\n",
        "",
    );
    refused(&text, Rule::LadderLevelsRequired, "ladders.bigtech.levels");
}

#[test]
fn ladder_levels_count() {
    let e = refused(
        &format!(
            "{SIM}[ladders.l]\nlevels = []\nbase = []\n[jobs.j]\nbase = 1\n[strategies.s]\npath = [{{ job = \"j\" }}]\n"
        ),
        Rule::LadderLevelsCount,
        "ladders.l.levels",
    );
    assert_eq!(e.message, "must list 1 to 64 levels, got 0");
    let many: Vec<String> = (0..65).map(|i| format!("\"l{i}\"")).collect();
    let text = format!(
        "{SIM}[ladders.l]\nlevels = [{}]\nbase = [{}]\n[jobs.j]\nbase = 1\n[strategies.s]\npath = [{{ job = \"j\" }}]\n",
        many.join(", "),
        vec!["1"; 65].join(", ")
    );
    refused(&text, Rule::LadderLevelsCount, "ladders.l.levels");
    // 64 levels are fine.
    let text = text.replace(", \"l64\"", "").replace(
        &format!("[{}]", vec!["1"; 65].join(", ")),
        &format!("[{}]", vec!["1"; 64].join(", ")),
    );
    assert_eq!(ok(&text).ladders[0].levels.len(), 64);
}

#[test]
fn ladder_level_name() {
    for bad in ["", "L 4", "+L4", "L4=", "-1"] {
        let text = ladder_job("").replacen("\"L4\"", &format!("\"{bad}\""), 1);
        refused(&text, Rule::LadderLevelName, "ladders.bigtech.levels[1]");
    }
}

#[test]
fn ladder_level_not_same() {
    let text = ladder_job("").replacen("\"L4\"", "\"same\"", 1);
    refused(&text, Rule::LadderLevelNotSame, "ladders.bigtech.levels[1]");
}

#[test]
fn ladder_levels_distinct() {
    let text = ladder_job("").replacen("\"L6\"", "\"L4\"", 1);
    let e = refused(
        &text,
        Rule::LadderLevelsDistinct,
        "ladders.bigtech.levels[3]",
    );
    assert!(
        e.message.contains("\"L4\" again (first at levels[1])"),
        "{e}"
    );
}

#[test]
fn ladder_base_required() {
    let text = ladder_job("").replace(
        "base            = [150_000, 185_000, 225_000, 275_000, 330_000]\n",
        "",
    );
    refused(&text, Rule::LadderBaseRequired, "ladders.bigtech.base");
}

#[test]
fn ladder_entry_per_level() {
    for (from, to, key) in [
        (
            "[150_000, 185_000, 225_000, 275_000, 330_000]",
            "[150_000, 185_000, 225_000, 275_000]",
            "base",
        ),
        ("[0.10, 0.10, 0.15, 0.20, 0.20]", "[0.10]", "bonus_target"),
        (
            "[15_000, 40_000, 90_000, 180_000, 320_000]",
            "[]",
            "refresh",
        ),
        (
            "[0.45, 0.35, 0.15, 0.08, 0.0]",
            "[0.45, 0.35, 0.15, 0.08, 0.0, 0.0]",
            "promotion_rate",
        ),
        ("[1, 1, 2, 2, 3]", "[1, 1, 2, 2]", "min_years"),
        (
            "[0, 40_000, 80_000, 160_000, 300_000]",
            "[40_000, 80_000, 160_000, 300_000]",
            "promotion_grant",
        ),
    ] {
        let text = ladder_job("").replacen(from, to, 1);
        let e = refused(
            &text,
            Rule::LadderEntryPerLevel,
            &format!("ladders.bigtech.{key}"),
        );
        let got = to.matches(',').count() + usize::from(to != "[]");
        assert_eq!(
            e.message,
            format!("has {got} entries, levels has 5: it must have one entry per level")
        );
    }
}

/// The ladder array `key` with its entry 1 replaced by `value` is refused
/// by `rule`; with `edge` there instead it is accepted.
fn entry_range(key: &str, from: &str, value: &str, edge: &str, rule: Rule) {
    let line = |v: &str| {
        let start = BIGTECH.find(&format!("{key} ")).unwrap();
        let end = start + BIGTECH[start..].find('\n').unwrap();
        let entries: Vec<&str> = BIGTECH[start..end]
            .split_once('[')
            .unwrap()
            .1
            .trim_end_matches([']', ' '])
            .split(", ")
            .collect();
        assert_eq!(entries[1], from, "{key}");
        let mut entries = entries.clone();
        entries[1] = v;
        (
            BIGTECH[start..end].to_string(),
            format!("{key} = [{}]", entries.join(", ")),
        )
    };
    let (old, bad) = line(value);
    refused(
        &ladder_job("").replacen(&old, &bad, 1),
        rule,
        &format!("ladders.bigtech.{key}[1]"),
    );
    let (_, good) = line(edge);
    ok(&ladder_job("").replacen(&old, &good, 1));
}

#[test]
fn ladder_base_in_range() {
    entry_range("base", "185_000", "0", "1e12", Rule::LadderBaseInRange);
    entry_range("base", "185_000", "1.5e12", "0.01", Rule::LadderBaseInRange);
    let e = err(&ladder_job("").replacen("185_000", "nan", 1));
    assert_eq!(e.rule, Rule::FiniteNumber, "{e}");
}

#[test]
fn ladder_bonus_target_in_range() {
    entry_range(
        "bonus_target",
        "0.10",
        "-0.1",
        "10",
        Rule::LadderBonusTargetInRange,
    );
    entry_range(
        "bonus_target",
        "0.10",
        "10.5",
        "0",
        Rule::LadderBonusTargetInRange,
    );
}

#[test]
fn ladder_refresh_in_range() {
    entry_range("refresh", "40_000", "-1", "0", Rule::LadderRefreshInRange);
    entry_range(
        "refresh",
        "40_000",
        "2e12",
        "1e12",
        Rule::LadderRefreshInRange,
    );
}

#[test]
fn ladder_promotion_rate_in_range() {
    entry_range(
        "promotion_rate",
        "0.35",
        "1.01",
        "1",
        Rule::LadderPromotionRateInRange,
    );
    entry_range(
        "promotion_rate",
        "0.35",
        "-0.01",
        "0",
        Rule::LadderPromotionRateInRange,
    );
}

#[test]
fn ladder_min_years_in_range() {
    entry_range("min_years", "1", "51", "50", Rule::LadderMinYearsInRange);
    entry_range("min_years", "1", "-1", "0", Rule::LadderMinYearsInRange);
    let e = err(&ladder_job("").replacen("[1, 1, 2, 2, 3]", "[1, 1.0, 2, 2, 3]", 1));
    assert_eq!(
        (e.rule, e.key.to_string().as_str()),
        (Rule::ValueType, "ladders.bigtech.min_years[1]")
    );
}

#[test]
fn ladder_promotion_grant_in_range() {
    entry_range(
        "promotion_grant",
        "40_000",
        "-40_000",
        "0",
        Rule::LadderPromotionGrantInRange,
    );
    entry_range(
        "promotion_grant",
        "40_000",
        "1e13",
        "1e12",
        Rule::LadderPromotionGrantInRange,
    );
}

#[test]
fn ladder_promotion_raise_in_range() {
    for bad in ["-0.01", "10.5"] {
        let text = ladder_job("").replace(
            "promotion_raise = 0.08",
            &format!("promotion_raise = {bad}"),
        );
        refused(
            &text,
            Rule::LadderPromotionRaiseInRange,
            "ladders.bigtech.promotion_raise",
        );
    }
    let text = ladder_job("").replace("promotion_raise = 0.08", "promotion_raise = 10");
    assert_eq!(ok(&text).ladders[0].promotion_raise, 10.0);
}

#[test]
fn a_ladder_refuses_keys_it_does_not_know() {
    let text = ladder_job("").replace(
        "promotion_raise = 0.08",
        "promotion_raise = 0.08\nraise = 0.03",
    );
    let e = refused(&text, Rule::KnownKey, "ladders.bigtech.raise");
    assert!(
        e.message.contains("`promotion_grant`, `promotion_raise`"),
        "{e}"
    );
}

#[test]
fn ladder_job_company_required() {
    // A ladder that gives stock: refreshers or promotion grants.
    let text = ladder_job("").replace("company = \"bigco\"\nladder", "ladder");
    let e = refused(&text, Rule::LadderJobCompanyRequired, "jobs.j.company");
    assert!(e.message.contains("ladder `bigtech`"), "{e}");
    // A ladder with a promotion grant only.
    let text = format!(
        "{SIM}[ladders.l]\nlevels = [\"a\", \"b\"]\nbase = [1, 2]\npromotion_grant = [0, 5]\n\
         [jobs.j]\nladder = \"l\"\nlevel = \"a\"\n[strategies.s]\npath = [{{ job = \"j\" }}]\n"
    );
    refused(&text, Rule::LadderJobCompanyRequired, "jobs.j.company");
    // Grants or a refresh table still need one, by the rule of any job.
    let text = format!(
        "{SIM}{CASH}\n[jobs.j]\nladder = \"cash\"\nlevel = \"junior\"\nrefresh = {{ every_years = 2 }}\n\n\
         [strategies.s]\npath = [{{ job = \"j\" }}]\n"
    );
    refused(&text, Rule::JobCompanyRequired, "jobs.j.company");
}

#[test]
fn job_ladder_defined() {
    let text = ladder_job("").replace("ladder = \"bigtech\"", "ladder = \"bigtek\"");
    let e = refused(&text, Rule::JobLadderDefined, "jobs.j.ladder");
    assert_eq!(
        e.message,
        "names ladder `bigtek`, which is not defined under [ladders] (defined: bigtech); did you mean `bigtech`?"
    );
}

#[test]
fn ladder_key_needs_ladder() {
    for (extra, key) in [
        ("level = \"L5\"", "level"),
        ("pay_factor = 0.9", "pay_factor"),
    ] {
        let text = with(&format!(
            "\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\n{extra}\n"
        ));
        let e = refused(&text, Rule::LadderKeyNeedsLadder, &format!("jobs.j.{key}"));
        assert!(e.message.ends_with(&format!("or leave {key} out")), "{e}");
    }
}

#[test]
fn job_level_required() {
    let text = ladder_job("").replace("level = \"L5\"\n", "");
    let e = refused(&text, Rule::JobLevelRequired, "jobs.j.level");
    assert!(e.message.contains("(L3, L4, L5, L6, L7)"), "{e}");
}

#[test]
fn job_level_known() {
    for bad in ["L9", "l5", "SAME", "+2", "-1", ""] {
        let text = ladder_job("").replace("level = \"L5\"", &format!("level = \"{bad}\""));
        let e = refused(&text, Rule::JobLevelKnown, "jobs.j.level");
        assert!(e.message.contains(&format!("got \"{bad}\"")), "{e}");
    }
}

#[test]
fn job_level_quoted() {
    let text = ladder_job("").replace("level = \"L5\"", "level = +1");
    let e = refused(&text, Rule::JobLevelQuoted, "jobs.j.level");
    assert!(
        e.message.ends_with("(level = \"+1\"), got the integer 1"),
        "{e}"
    );
    // Any other type is a type error.
    let text = ladder_job("").replace("level = \"L5\"", "level = 1.5");
    refused(&text, Rule::ValueType, "jobs.j.level");
}

#[test]
fn pay_factor_in_range() {
    for bad in ["0", "-0.5", "10.01"] {
        refused(
            &ladder_job(&format!("pay_factor = {bad}")),
            Rule::PayFactorInRange,
            "jobs.j.pay_factor",
        );
    }
}

#[test]
fn promotion_excludes_ladder() {
    refused(
        &ladder_job("promotion = { rate = 0.1 }"),
        Rule::PromotionExcludesLadder,
        "jobs.j.promotion",
    );
}

#[test]
fn ladder_job_bonus_target() {
    // Even a target of 0: the level gives it.
    refused(
        &ladder_job("bonus = { target = 0, sd = 0.2 }"),
        Rule::LadderJobBonusTarget,
        "jobs.j.bonus.target",
    );
}

#[test]
fn ladder_job_refresh_value() {
    refused(
        &ladder_job("refresh = { value = 50_000, every_years = 1 }"),
        Rule::LadderJobRefreshValue,
        "jobs.j.refresh.value",
    );
    // Off a ladder, a refresh still needs its value and every_years.
    let text = with(
        "\n[jobs.j]\ncompany = \"bigco\"\nbase = 1\nrefresh = { every_years = 1, vesting = [100] }\n",
    );
    refused(&text, Rule::RefreshValueRequired, "jobs.j.refresh.value");
}

#[test]
fn price_parity_in_range() {
    for bad in ["0", "0.09", "117.6", "-1"] {
        refused(
            &ladder_job(&format!("price_parity = {bad}")),
            Rule::PriceParityInRange,
            "jobs.j.price_parity",
        );
    }
}

#[test]
fn base_market_required() {
    for (table, missing) in [
        ("{ p50 = 2, p90 = 3 }", "p10"),
        ("{ p10 = 1, p90 = 3 }", "p50"),
        ("{ p10 = 1, p50 = 2 }", "p90"),
        ("{}", "p10"),
    ] {
        let text = with(&format!("\n[jobs.j]\nbase = {table}\n"));
        refused(
            &text,
            Rule::BaseMarketRequired,
            &format!("jobs.j.base.{missing}"),
        );
    }
}

#[test]
fn base_market_in_range() {
    for (table, key) in [
        ("{ p10 = 0.5, p50 = 2, p90 = 3 }", "p10"),
        ("{ p10 = 1, p50 = 2, p90 = 2e12 }", "p90"),
        ("{ p10 = -1, p50 = 2, p90 = 3 }", "p10"),
    ] {
        let text = with(&format!("\n[jobs.j]\nbase = {table}\n"));
        refused(
            &text,
            Rule::BaseMarketInRange,
            &format!("jobs.j.base.{key}"),
        );
    }
    let text = with("\n[jobs.j]\nbase = { p10 = 1, p50 = inf, p90 = 3 }\n");
    refused(&text, Rule::FiniteNumber, "jobs.j.base.p50");
}

#[test]
fn base_market_ordered() {
    let text = with("\n[jobs.j]\nbase = { p10 = 3, p50 = 2, p90 = 4 }\n");
    let e = refused(&text, Rule::BaseMarketOrdered, "jobs.j.base.p50");
    assert_eq!(e.message, "must be at least p10 = 3, got 2");
    let text = with("\n[jobs.j]\nbase = { p10 = 1, p50 = 2, p90 = 1.5 }\n");
    refused(&text, Rule::BaseMarketOrdered, "jobs.j.base.p90");
}

#[test]
fn a_base_is_a_number_or_a_table_of_exactly_p10_p50_and_p90() {
    for (value, got) in [
        ("\"200k\"", "the string \"200k\""),
        ("[1, 2, 3]", "an array"),
        ("true", "the boolean true"),
    ] {
        let e = refused(
            &with(&format!("\n[jobs.j]\nbase = {value}\n")),
            Rule::ValueType,
            "jobs.j.base",
        );
        assert_eq!(e.message, format!("must be a number or a table, got {got}"));
    }
    let e = refused(
        &with("\n[jobs.j]\nbase = { p10 = 1, p25 = 2, p50 = 2, p90 = 3 }\n"),
        Rule::KnownKey,
        "jobs.j.base.p25",
    );
    assert_eq!(
        e.message,
        "is not a known key (expected one of `p10`, `p50`, `p90`)"
    );
    // The key walk lists what the table takes.
    let keys = accepted_keys();
    let base: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("jobs.*.base."))
        .collect();
    assert_eq!(base, ["p10", "p50", "p90"]);
    // A table written as a section works too.
    let s = ok(&with(
        "\n[jobs.j]\n\n[jobs.j.base]\np10 = 1\np50 = 2\np90 = 3\n",
    ));
    assert!(matches!(job(&s, "j").base, Base::Market { .. }));
}

/// A job `k` with `base_raise = table`, after a first stint at `j`.
fn switch(table: &str) -> String {
    format!(
        "{SIM}\n[jobs.j]\nbase = 1\n\n[jobs.k]\nbase_raise = {table}\n\n\
         [strategies.s]\npath = [{{ job = \"j\", years = 1 }}, {{ job = \"k\" }}]\n"
    )
}

#[test]
fn base_raise_forms_exclusive() {
    let e = refused(
        &switch("{ min = 0, p10 = 0.05, p50 = 0.1, p90 = 0.2 }"),
        Rule::BaseRaiseFormsExclusive,
        "jobs.k.base_raise.p10",
    );
    assert!(
        e.message.starts_with("cannot be given together with `min`"),
        "{e}"
    );
    refused(
        &switch("{ max = 0.3, p90 = 0.2 }"),
        Rule::BaseRaiseFormsExclusive,
        "jobs.k.base_raise.p90",
    );
    // An empty table is the uniform form missing its min, as before.
    refused(
        &switch("{}"),
        Rule::BaseRaiseMinRequired,
        "jobs.k.base_raise.min",
    );
}

#[test]
fn base_raise_percentile_required() {
    refused(
        &switch("{ p10 = 0.05, p90 = 0.2 }"),
        Rule::BaseRaisePercentileRequired,
        "jobs.k.base_raise.p50",
    );
}

#[test]
fn base_raise_percentile_in_range() {
    for (table, key) in [
        ("{ p10 = -1, p50 = 0.1, p90 = 0.2 }", "p10"),
        ("{ p10 = 0, p50 = 0.1, p90 = 10.5 }", "p90"),
    ] {
        refused(
            &switch(table),
            Rule::BaseRaisePercentileInRange,
            &format!("jobs.k.base_raise.{key}"),
        );
    }
    ok(&switch("{ p10 = -0.99, p50 = 10, p90 = 10 }"));
}

#[test]
fn base_raise_percentiles_ordered() {
    let e = refused(
        &switch("{ p10 = 0.05, p50 = 0.1, p90 = 0.08 }"),
        Rule::BaseRaisePercentilesOrdered,
        "jobs.k.base_raise.p90",
    );
    assert_eq!(e.message, "must be at least p50 = 0.1, got 0.08");
}

#[test]
fn first_stint_has_base_holds_for_base_raise_through_three_points() {
    let text =
        switch("{ p10 = 0.05, p50 = 0.1, p90 = 0.2 }").replace("{ job = \"j\", years = 1 }, ", "");
    refused(&text, Rule::FirstStintHasBase, "strategies.s.path[0].job");
}

#[test]
fn relative_level_needs_previous_stint() {
    for level in ["same", "+1"] {
        let text = ladder_job("").replace("level = \"L5\"", &format!("level = \"{level}\""));
        let e = refused(
            &text,
            Rule::RelativeLevelNeedsPreviousStint,
            "strategies.s.path[0].job",
        );
        assert!(
            e.message
                .starts_with(&format!("is `j`, whose level = \"{level}\"")),
            "{e}"
        );
    }
}

#[test]
fn relative_level_needs_previous_ladder() {
    let text = format!(
        "{SIM}{BIGCO}{BIGTECH}
[jobs.a]
company = \"bigco\"
ladder = \"bigtech\"
level = \"L4\"

[jobs.off]
base = 200_000

[jobs.b]
company = \"bigco\"
ladder = \"bigtech\"
level = \"same\"

[strategies.ok]
path = [{{ job = \"a\", years = 2 }}, {{ job = \"b\" }}]

[strategies.bad]
path = [{{ job = \"a\", years = 2 }}, {{ job = \"off\", years = 1 }}, {{ job = \"b\" }}]
"
    );
    let e = refused(
        &text,
        Rule::RelativeLevelNeedsPreviousLadder,
        "strategies.bad.path[2].job",
    );
    assert!(
        e.message
            .contains("the previous stint's job `off` is on no ladder"),
        "{e}"
    );
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
fn check_prints_each_ladder_as_a_table_and_each_ladder_jobs_place_on_it() {
    let text = format!(
        "{SIM}{BIGCO}{BIGTECH}{CASH}
[jobs.current]
company = \"bigco\"
ladder = \"bigtech\"
level = \"L4\"
bonus = {{ sd = 0.2 }}

[jobs.remote]
company = \"bigco\"
ladder = \"bigtech\"
level = \"+1\"
pay_factor = 0.85
price_parity = 0.92
base_raise = {{ p10 = -0.05, p50 = 0.125, p90 = 0.30 }}
refresh = {{ every_years = 2 }}

[jobs.trading]
ladder = \"cash\"
level = \"same\"

[jobs.market]
base = {{ p10 = 160_000, p50 = 200_000, p90 = 260_000 }}
price_parity = 1.176

[strategies.stay]
path = [{{ job = \"current\" }}]

[strategies.go]
path = [{{ job = \"current\", years = 2 }}, {{ job = \"remote\", years = 2 }}, {{ job = \"trading\" }}]

[strategies.cash]
path = [{{ job = \"market\" }}]
"
    );
    let expected = "l.toml: ok
horizon 6 years, 100 runs, seed 0, 12 price steps a year, percentiles 5, 10, 25, 50, 75, 90, 95

companies:
  bigco: public, share price 100, drift 8.0%, volatility 30.0%

ladders:
  bigtech: 5 levels (dollars before a job's pay factor); a promotion sets base to the larger of base +8% and the new level's base
    level     base  bonus target  refresh  promotion rate  min years  promotion grant
    L3     150,000           10%   15,000             45%          1                -
    L4     185,000           10%   40,000             35%          1           40,000
    L5     225,000           15%   90,000             15%          2           80,000
    L6     275,000           20%  180,000              8%          2          160,000
    L7     330,000           20%  320,000               -          -          300,000
  cash: 2 levels (dollars before a job's pay factor); a promotion sets base to the larger of base +0% and the new level's base
    level      base  bonus target  refresh  promotion rate  min years  promotion grant
    junior  100,000            0%        0             30%          0                -
    senior  140,000            0%        0               -          -                0

jobs:
  current at bigco: base 185,000 (level L4's band), bonus target from the level, grants: none, refreshers from the level (every year)
    pay: no merit raise, promotions from the ladder
    bonus multiplier: sd 0.2, within [0, 2]
    refreshers: the level's every year, the first after stint year 1; vesting 25/25/25/25% over 4 years, quarterly, no cliff
    ladder bigtech, starting at level L4, pay factor 1
  remote at bigco: base = last base, raised p10 -5%, p50 +12.5%, p90 +30% (drawn per stint), bonus target from the level, grants: none, refreshers from the level (every 2 years)
    pay: no merit raise, promotions from the ladder
    bonus multiplier: sd 0, within [0, 2]
    refreshers: the level's every 2 years, the first after stint year 2; vesting 25/25/25/25% over 4 years, quarterly, no cliff
    ladder bigtech, starting at one above the previous stint's last level (\"+1\", the top stays the top), pay factor 0.85
    price parity while held: 0.92
  trading (cash only): base the starting level's band, bonus target from the level, grants: none
    pay: no merit raise, promotions from the ladder
    bonus multiplier: sd 0, within [0, 2]
    ladder cash, starting at the previous stint's last level (\"same\"), pay factor 1
  market (cash only): base drawn per world: p10 160,000, p50 200,000, p90 260,000, bonus target 0%, grants: none
    pay: no merit raise, no promotion (base flat within a stint)
    price parity while held: 1.176

strategies:
  stay [baseline]: current (years 1-6)
  go: current (years 1-2) -> remote (years 3-4) -> trading (years 5-6)
  cash: market (years 1-6)
";
    assert_eq!(check_output("l.toml", &text), expected);
    // The band times the pay factor, for a named starting level.
    let out = check_output("p.toml", &ladder_job("pay_factor = 0.8"));
    assert!(
        out.contains("  j at bigco: base 180,000 (level L5's band), "),
        "{out}"
    );
}

// ------------------------------------------------------------------ sweep

#[test]
fn sweep_sets_the_ladder_market_pay_and_cost_of_living_keys() {
    let text = format!(
        "{SIM}{BIGCO}{BIGTECH}
[jobs.j]
company = \"bigco\"
ladder = \"bigtech\"
level = \"L4\"

[jobs.k]
company = \"bigco\"
ladder = \"bigtech\"
level = \"L5\"
base = {{ p10 = 160_000, p50 = 200_000, p90 = 260_000 }}

[strategies.s]
path = [{{ job = \"j\", years = 2 }}, {{ job = \"k\" }}]
"
    );
    let axes = [
        "ladders.bigtech.promotion_rate=[0.5,0.5,0.5,0.5,0],[0,0,0,0,0]",
        "ladders.bigtech.promotion_raise=0.1",
        "ladders.bigtech.min_years[2]=4",
        "jobs.j.pay_factor=0.8",
        "jobs.j.price_parity=1.126",
        "jobs.k.level=+1,same,L6",
        "jobs.k.base.p50=210000",
    ]
    .map(|a| parse_axis(a).unwrap());
    let pts = points("t.toml", &text, &axes, Overrides::default()).unwrap();
    assert_eq!(pts.len(), 6);
    let s = &pts[0].scenario;
    let l = &s.ladders[0];
    assert_eq!(l.promotion_rate, [0.5, 0.5, 0.5, 0.5, 0.0]);
    assert_eq!(l.promotion_raise, 0.1);
    assert_eq!(l.min_years, [1, 1, 4, 2, 3]);
    let j = job(s, "j");
    assert_eq!(j.ladder.unwrap().pay_factor, 0.8);
    assert_eq!(j.price_parity, Some(1.126));
    let levels: Vec<LevelStart> = pts
        .iter()
        .map(|p| job(&p.scenario, "k").ladder.unwrap().level)
        .collect();
    assert_eq!(
        levels,
        [
            LevelStart::Up,
            LevelStart::Same,
            LevelStart::At(3),
            LevelStart::Up,
            LevelStart::Same,
            LevelStart::At(3)
        ]
    );
    assert!(matches!(job(s, "k").base, Base::Market { p50, .. } if p50 == 210_000.0));
    assert_eq!(pts[3].scenario.ladders[0].promotion_rate, [0.0; 5]);
    // A value that breaks a rule is refused, naming the point.
    let bad = [parse_axis("jobs.k.level=L9").unwrap()];
    let e = points("t.toml", &text, &bad, Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--set jobs.k.level=L9: jobs.k.level must be a level of ladder `bigtech`"),
        "{e}"
    );
}

/// `tcsim sweep --set jobs.X.pay_factor=0.8,1.0`: two points, and the pay
/// the ladder gives differs between them.
#[test]
fn tcsim_sweep_over_pay_factor_gives_different_points() {
    let dir = common::tempdir();
    let file = dir.path().join("l.toml");
    fs::write(
        &file,
        format!(
            "{SIM}{BIGCO}{BIGTECH}\n[jobs.j]\ncompany = \"bigco\"\nladder = \"bigtech\"\nlevel = \"L4\"\n\n\
             [strategies.s]\npath = [{{ job = \"j\" }}]\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&file)
        .args(["--runs", "200", "--quiet", "--out"])
        .arg(&out)
        .args(["--set", "jobs.j.pay_factor=0.8,1.0"])
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
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "jobs.j.pay_factor", "{csv}");
    let mean = header.iter().position(|&h| h == "mean").unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert_eq!((rows[0][0], rows[1][0]), ("0.8", "1.0"));
    let (low, high): (f64, f64) = (
        rows[0][mean].parse().unwrap(),
        rows[1][mean].parse().unwrap(),
    );
    // Base, refreshers and promotion grants all scale with the pay factor;
    // the bonus target is the level's.
    assert!(low < high, "{csv}");
    assert!((low / high - 0.8).abs() < 0.05, "{low} / {high}\n{csv}");
}
