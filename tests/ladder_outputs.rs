//! The output side of model.md section 11 ("The ladder and the market"),
//! in process: with a ladder (set on the parsed scenario here until the
//! parser reads `[ladders.NAME]`) the summary shows the share of worlds at
//! or above each level by the horizon, `samples.csv` gains `level`, the
//! trace labels each promotion and the level held each year; with a
//! `price_parity`, `real` and `real_cumulative` reach `percentiles.csv`,
//! `samples.csv`, the trace and `sweep.csv`; without either every output
//! keeps its bytes.
//!
//! The level counts the summary prints are checked against counts made
//! here from the engine's own rows (`Engine::run_into`), world by world.

use tcsim::engine::trace::replay;
use tcsim::engine::{Engine, Results, World};
use tcsim::model::{Base, Ladder, LevelStart, OnLadder, Scenario};
use tcsim::report::samples::Samples;
use tcsim::report::{self, Format};
use tcsim::schema::{Layout, Measure};

const YEARS: usize = 5;

/// `climb` holds the ladder job for the whole horizon; `hop` holds the
/// flat (ladder-less) job for two years, then the ladder job. A public company whose share never moves, so a
/// promotion grant is worth its value.
const TEXT: &str = r#"
[simulation]
years = 5
runs = 3001
seed = 17

[companies.c]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.ladder]
company = "c"
base = 100_000
raise = { mean = 0.03, sd = 0.01 }
bonus = { target = 0.1, sd = 0.2 }

[jobs.ladder.refresh]
value = 1
every_years = 1
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[jobs.flat]
company = "c"
base = 120_000

[strategies.climb]
path = [{ job = "ladder" }]

[strategies.hop]
path = [{ job = "flat", years = 2 }, { job = "ladder" }]
"#;

fn ladder() -> Ladder {
    Ladder {
        name: "bigtech".into(),
        levels: ["L3", "L4", "L5", "L6", "L7"].map(String::from).to_vec(),
        base: vec![150_000.0, 185_000.0, 225_000.0, 275_000.0, 330_000.0],
        bonus_target: vec![0.10, 0.10, 0.15, 0.20, 0.20],
        refresh: vec![15_000.0, 40_000.0, 90_000.0, 180_000.0, 320_000.0],
        promotion_rate: vec![0.6, 0.45, 0.3, 0.2, 0.0],
        min_years: vec![1, 1, 1, 2, 3],
        promotion_grant: vec![0.0, 40_000.0, 80_000.0, 160_000.0, 300_000.0],
        promotion_raise: 0.08,
    }
}

fn plain(text: &str) -> Scenario {
    tcsim::scenario::parse("inline.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn job(s: &Scenario, name: &str) -> usize {
    s.jobs.iter().position(|j| j.name == name).unwrap()
}

/// [`TEXT`] with the ladder: every stint at the ladder job starts at L3,
/// its base the band's, its bonus target and refreshers the level's.
fn laddered(text: &str) -> Scenario {
    let mut s = plain(text);
    s.ladders = vec![ladder()];
    let j = job(&s, "ladder");
    s.jobs[j].ladder = Some(OnLadder {
        ladder: 0,
        level: LevelStart::At(0),
        pay_factor: 1.0,
    });
    s.jobs[j].base = Base::Level;
    s.jobs[j].bonus.target = 0.0;
    assert!(s.jobs[j].refresh.is_some(), "a ladder job has refreshers");
    s
}

/// [`laddered`] with price parities: the ladder job in San Francisco
/// (1.176), the flat one somewhere cheaper (0.92).
fn priced(text: &str) -> Scenario {
    let mut s = laddered(text);
    let (l, f) = (job(&s, "ladder"), job(&s, "flat"));
    s.jobs[l].price_parity = Some(1.176);
    s.jobs[f].price_parity = Some(0.92);
    s
}

fn simulate(s: &Scenario) -> Results {
    Engine::new(s).simulate(&|_| {})
}

/// Every run's row, from the engine itself.
fn rows(s: &Scenario) -> Vec<Vec<f64>> {
    let engine = Engine::new(s);
    let mut world = World::new(s);
    (0..s.sim.runs)
        .map(|run| {
            let mut row = vec![0.0; engine.layout().width()];
            engine.run_into(run, &mut world, &mut row);
            row
        })
        .collect()
}

/// Per strategy, how many runs end the horizon at each level 0 ..= 5,
/// counted from the engine's rows.
fn counted(s: &Scenario) -> Vec<[u64; 6]> {
    let l = Layout::new(s);
    let rows = rows(s);
    (0..s.strategies.len())
        .map(|st| {
            let mut c = [0u64; 6];
            for row in &rows {
                let level = row[l.at(st, YEARS - 1, Measure::Level)];
                assert_eq!(level, level.round(), "a level is a whole number");
                c[level as usize] += 1;
            }
            c
        })
        .collect()
}

/// Dollars and cents with thousands separators, as the trace prints them:
/// `1,234.50`.
fn group(x: f64) -> String {
    let c = format!("{x:.2}");
    let (whole, frac) = c.split_once('.').unwrap();
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::new();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*d);
    }
    format!("{out}.{frac}")
}

fn percent(count: u64, runs: u64) -> String {
    format!("{:.1}%", 100.0 * count as f64 / runs as f64)
}

/// The summary's level block: its title line and what follows.
fn level_block(summary: &str) -> Vec<&str> {
    let at = summary
        .find("Level reached by year")
        .unwrap_or_else(|| panic!("no level table in\n{summary}"));
    summary[at..].lines().collect()
}

#[test]
fn summary_shows_the_share_of_worlds_at_or_above_each_level_by_the_horizon() {
    let s = laddered(TEXT);
    let r = simulate(&s);
    let text = report::summary::render(&s, &r);
    let block = level_block(&text);
    assert_eq!(
        block[0],
        format!("Level reached by year {YEARS} (share of worlds at or above each level)")
    );
    let header: Vec<&str> = block[1].split_whitespace().collect();
    assert_eq!(header, ["strategy", "L3+", "L4+", "L5+", "L6+", "L7+"]);
    let runs = s.sim.runs;
    let counts = counted(&s);
    for (st, name) in ["climb", "hop"].iter().enumerate() {
        let c = &counts[st];
        assert_eq!(c.iter().sum::<u64>(), runs);
        let at_or_above = |k: usize| c[k..].iter().sum::<u64>();
        let row: Vec<&str> = block[2 + st].split_whitespace().collect();
        let want: Vec<String> = (1..=5).map(|k| percent(at_or_above(k), runs)).collect();
        assert_eq!(row[0], *name);
        assert_eq!(row[1..], want[..], "{name} in\n{text}");
        // The results hold the same counts.
        let levels = r.levels.as_ref().expect("a ladder is used");
        for (k, &want) in c.iter().enumerate() {
            assert_eq!(levels.at(st, k), want, "{name} at level {k}");
        }
        // The sentence: the highest level at least half the worlds reach,
        // and the next one up, with the table's rounding.
        let k = (1..=5).rev().find(|&k| 2 * at_or_above(k) >= runs).unwrap();
        let names = ["L3", "L4", "L5", "L6", "L7"];
        let mut sentence = format!(
            "{name} by year {YEARS}: {} or above in {} of worlds",
            names[k - 1],
            percent(at_or_above(k), runs)
        );
        if k < 5 && at_or_above(k + 1) > 0 {
            sentence += &format!(
                ", {} or above in {}",
                names[k],
                percent(at_or_above(k + 1), runs)
            );
        }
        assert!(
            block.contains(&sentence.as_str()),
            "no `{sentence}` in\n{text}"
        );
        // Every share in the sentence is one of the row's cells.
        for share in sentence.split_whitespace().filter(|w| w.contains('%')) {
            let share = share.trim_end_matches(',');
            assert!(
                row.contains(&share),
                "{share} of `{sentence}` not in {row:?}"
            );
        }
    }
    // Everyone is on the ladder at the horizon; some are promoted, nobody
    // climbs four levels in five years with these rates and min_years.
    assert_eq!(counts[0][0], 0);
    assert!(counts[0][2..].iter().sum::<u64>() > 0);
    // `hop` is on the ladder from year 3 only: it spends fewer years there.
    let above = |st: usize, k: usize| counts[st][k..].iter().sum::<u64>();
    assert!(above(1, 3) < above(0, 3), "{counts:?}");
    // The level table comes last, after the verdict.
    let verdict = text.find("hop ahead of climb").unwrap();
    assert!(verdict < text.find("Level reached").unwrap());
}

#[test]
fn summary_names_levels_by_number_when_the_ladders_name_them_differently() {
    let mut s = laddered(TEXT);
    let mut other = ladder();
    other.name = "startup".into();
    other.levels = ["E1", "E2", "E3", "E4", "E5"].map(String::from).to_vec();
    s.ladders.push(other);
    // `hop`'s flat job goes on the second ladder, at E2.
    let f = job(&s, "flat");
    s.jobs[f].ladder = Some(OnLadder {
        ladder: 1,
        level: LevelStart::At(1),
        pay_factor: 0.9,
    });
    s.jobs[f].base = Base::Level;
    s.jobs[f].refresh = s.jobs[job(&s, "ladder")].refresh.clone();
    let text = report::summary::render(&s, &simulate(&s));
    let block = level_block(&text);
    assert!(
        block[0].ends_with(
            "(share of worlds at or above each level; levels by number, 1 is a ladder's lowest)"
        ),
        "{text}"
    );
    let header: Vec<&str> = block[1].split_whitespace().collect();
    assert_eq!(header, ["strategy", "1+", "2+", "3+", "4+", "5+"]);
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("climb by year 5: level ")),
        "{text}"
    );
}

#[test]
fn a_strategy_that_ends_without_a_ladder_says_so() {
    let text = TEXT.replace(
        r#"path = [{ job = "flat", years = 2 }, { job = "ladder" }]"#,
        r#"path = [{ job = "ladder", years = 2 }, { job = "flat" }]"#,
    );
    let s = laddered(&text);
    let summary = report::summary::render(&s, &simulate(&s));
    let block = level_block(&summary);
    let row: Vec<&str> = block[3].split_whitespace().collect();
    assert_eq!(row, ["hop", "0.0%", "0.0%", "0.0%", "0.0%", "0.0%"]);
    assert!(
        block.contains(&"hop by year 5: at a job without a ladder in every world"),
        "{summary}"
    );
}

#[test]
fn level_shares_do_not_depend_on_the_thread_count() {
    // More runs than the pilot keeps whole (65,536), so the counts come
    // from held chunks and simulated ones alike.
    let mut s = laddered(TEXT);
    s.sim.runs = 70_001;
    let engine = Engine::new(&s);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| engine.simulate(&|_| {}))
    };
    let (one, three) = (on(1), on(3));
    assert_eq!(one.levels, three.levels);
    let levels = one.levels.as_ref().unwrap();
    assert_eq!(levels.runs(), 70_001);
    assert_eq!(
        (0..=5).map(|k| levels.at(0, k)).sum::<u64>(),
        70_001,
        "every run counted once"
    );
    assert_eq!(
        report::summary::render(&s, &one),
        report::summary::render(&s, &three)
    );
}

/// The text ledger's block of `strategy`, year `year`.
fn year_block(text: &str, strategy: &str, year: usize) -> String {
    let start = text
        .find(&format!("\nstrategy {strategy}\n"))
        .expect("the strategy's ledger");
    let body = &text[start + 1..];
    let body = &body[..body[1..].find("\nstrategy ").map_or(body.len(), |e| e + 1)];
    let from = body.find(&format!("  year {year}\n")).unwrap();
    let block = &body[from..];
    block[..block[1..].find("  year ").map_or(block.len(), |e| e + 1)].to_string()
}

/// A run in which `climb` is promoted at least once.
fn promoted_run(s: &Scenario) -> u64 {
    let l = Layout::new(s);
    let rows = rows(s);
    (0..s.sim.runs)
        .find(|&r| rows[r as usize][l.at(0, YEARS - 1, Measure::Level)] >= 3.0)
        .expect("some world promotes twice")
}

#[test]
fn trace_labels_each_promotion_and_the_years_level() {
    let s = laddered(TEXT);
    let run = promoted_run(&s);
    let (world, traces) = replay(&s, run, None);
    let measures = Layout::new(&s).measures().to_vec();
    let level_at = measures.iter().position(|&m| m == Measure::Level).unwrap();
    let text = report::trace::render_text(&s, "inline.toml", run, &world, &traces, &measures);
    let names = ["L3", "L4", "L5", "L6", "L7"];
    let t = &traces[0];
    let mut promotions = 0;
    for year in 1..=YEARS {
        let block = year_block(&text, "climb", year);
        let level = t.row[(year - 1) * measures.len() + level_at] as usize;
        let total = block
            .lines()
            .find(|l| l.trim_start().starts_with("total "))
            .unwrap();
        assert!(
            total.ends_with(&format!("   level {}", names[level - 1])),
            "{total}"
        );
        for line in block.lines().filter(|l| l.contains("promoted")) {
            promotions += 1;
            // The measure column says what it is, and no amount.
            assert!(line.contains(" promotion "), "{line}");
            assert!(!line.contains(" 0.00 "), "{line}");
            assert!(
                line.contains("promoted on the bigtech ladder from L"),
                "{line}"
            );
            assert!(line.contains(": base $"), "{line}");
            assert!(line.contains("promotion grant of $"), "{line}");
        }
    }
    let entries: Vec<_> = t
        .entries
        .iter()
        .filter(|e| matches!(e.flow, tcsim::engine::ledger::Flow::Promotion { .. }))
        .collect();
    assert_eq!(entries.len(), promotions);
    assert!(promotions >= 2);
    // Each promotion's line names its levels, base and grant as the
    // ledger holds them; the grant is named where it vests.
    for e in entries {
        let tcsim::engine::ledger::Flow::Promotion {
            from,
            to,
            base,
            grant,
            ..
        } = e.flow
        else {
            unreachable!()
        };
        let block = year_block(&text, "climb", e.year as usize);
        let line = block
            .lines()
            .find(|l| l.contains("promoted") && l.contains(&format!("month {:>3}", e.month)))
            .unwrap_or_else(|| panic!("no promotion in month {} in\n{block}", e.month));
        assert!(
            line.contains(&format!(
                "from {} to {} (level {} to {}): base ${} a year from this anniversary, promotion grant of ${} in RSUs (month {})",
                names[from],
                names[to],
                from + 1,
                to + 1,
                group(base),
                group(grant),
                e.month
            )),
            "{line}"
        );
        assert_eq!(to, from + 1);
        assert!(
            text.contains(&format!("ladder promotion grant (month {})", e.month)),
            "the grant's vests are named as a promotion grant"
        );
    }
    // `hop` holds the flat job (no ladder) in years 1 and 2: no level.
    for year in 1..=2 {
        let block = year_block(&text, "hop", year);
        assert!(!block.contains("level"), "{block}");
    }
    assert!(year_block(&text, "hop", 3).contains("   level L3"));
    // No price parity: no real line.
    assert!(!text.contains("real"), "{text}");
}

#[test]
fn trace_csv_has_the_years_level_and_real_rows() {
    let s = priced(TEXT);
    let run = promoted_run(&s);
    let (_, traces) = replay(&s, run, None);
    let measures = Layout::new(&s).measures().to_vec();
    let csv =
        String::from_utf8(report::trace::render_csv(&s, &traces, &measures).unwrap()).unwrap();
    let year = |strategy: &str, y: usize| -> Vec<Vec<String>> {
        csv.lines()
            .filter(|l| l.starts_with(&format!("{strategy},{y},,")))
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    };
    let names: Vec<String> = year("climb", 1).iter().map(|r| r[3].clone()).collect();
    assert_eq!(
        names,
        ["total", "cumulative", "level", "real", "real_cumulative"]
    );
    let m = measures.len();
    let at = |k: Measure| measures.iter().position(|&x| x == k).unwrap();
    for y in 1..=YEARS {
        let rows = year("climb", y);
        let level = &rows[2];
        let want = traces[0].row[(y - 1) * m + at(Measure::Level)];
        assert_eq!(level[7], format!("{}", want as u64));
        assert_eq!(level[4], ["L3", "L4", "L5", "L6", "L7"][want as usize - 1]);
        let real = traces[0].row[(y - 1) * m + at(Measure::Real)];
        assert_eq!(rows[3][7], format!("{real:.2}"));
    }
    // hop's first two years: no ladder, level 0 with no name.
    let hop = year("hop", 1);
    assert_eq!(hop[2][3..], ["level", "", "", "", "0"].map(String::from));
    // A promotion entry: measure `promotion`, its levels in the item.
    let promotion = csv
        .lines()
        .find(|l| l.contains(",promotion,"))
        .expect("a promotion row");
    assert!(
        promotion.contains(",promotion,\"promoted from L"),
        "{promotion}"
    );
    assert!(promotion.contains("promotion grant "), "{promotion}");
    assert!(promotion.ends_with(",0.00"), "{promotion}");
}

#[test]
fn trace_shows_real_per_year_when_reported() {
    let s = priced(TEXT);
    let (world, traces) = replay(&s, 0, None);
    let measures = Layout::new(&s).measures().to_vec();
    let text = report::trace::render_text(&s, "inline.toml", 0, &world, &traces, &measures);
    let m = measures.len();
    let at = |k: Measure| measures.iter().position(|&x| x == k).unwrap();
    for (t, name) in traces.iter().zip(["climb", "hop"]) {
        for y in 1..=YEARS {
            let block = year_block(&text, name, y);
            let real = t.row[(y - 1) * m + at(Measure::Real)];
            let sum = t.row[(y - 1) * m + at(Measure::RealCumulative)];
            let line = format!(
                "    real {}   real cumulative {}   (each month's cash over its price parity)",
                group(real),
                group(sum)
            );
            assert!(block.contains(&line), "no `{line}` in\n{block}");
        }
    }
}

#[test]
fn samples_csv_has_level_and_real_cumulative_when_reported() {
    let s = priced(TEXT);
    let engine = Engine::new(&s);
    let l = engine.layout().clone();
    let samples = Samples::new(&s, &l);
    assert_eq!(
        samples.header(),
        "run,strategy,year,total,cumulative,level,real_cumulative\n"
    );
    let mut world = World::new(&s);
    let mut row = vec![0.0; l.width()];
    let run = promoted_run(&s);
    engine.run_into(run, &mut world, &mut row);
    let mut out = Vec::new();
    samples.write_run(&mut out, run, |k| row[k]);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 * YEARS);
    for (st, name) in ["climb", "hop"].iter().enumerate() {
        for y in 0..YEARS {
            let want = format!(
                "{run},{name},{},{:.2},{:.2},{},{:.2}",
                y + 1,
                row[l.at(st, y, Measure::Total)],
                row[l.at(st, y, Measure::Cumulative)],
                row[l.at(st, y, Measure::Level)] as u64,
                row[l.at(st, y, Measure::RealCumulative)]
            );
            assert_eq!(lines[st * YEARS + y], want);
        }
    }
    // hop's first two years are at the flat job: level 0.
    assert!(lines[YEARS].split(',').nth(5) == Some("0"), "{text}");
    // A ladder alone adds only `level`, a parity alone only real_cumulative.
    let only_ladder = laddered(TEXT);
    let ol = Layout::new(&only_ladder);
    assert_eq!(
        Samples::new(&only_ladder, &ol).header(),
        "run,strategy,year,total,cumulative,level\n"
    );
    let mut only_parity = plain(TEXT);
    only_parity.jobs[0].price_parity = Some(1.1);
    let op = Layout::new(&only_parity);
    assert_eq!(
        Samples::new(&only_parity, &op).header(),
        "run,strategy,year,total,cumulative,real_cumulative\n"
    );
    // After the tax columns.
    let mut taxed = priced(TEXT);
    taxed.tax = Some(tax_settings());
    let tl = Layout::new(&taxed);
    assert_eq!(
        Samples::new(&taxed, &tl).header(),
        "run,strategy,year,total,cumulative,tax,net,net_cumulative,level,real_cumulative\n"
    );
}

fn tax_settings() -> tcsim::model::TaxSettings {
    let tables = tcsim::tax::Tables::load(2026).unwrap();
    let residence = tcsim::tax::Residence {
        state: tables.state("CA").unwrap(),
        city: None,
    };
    tcsim::model::TaxSettings {
        tables,
        household: tcsim::tax::Household {
            filing: tcsim::tax::Filing::Single,
            other_income: 0.0,
            itemized_deductions: 0.0,
        },
        residence,
        inflation: 0.025,
    }
}

fn tables(s: &Scenario, r: &Results, format: Format) -> (String, String) {
    let mut t = report::tables(format, s, r).expect("tables are written");
    t.truncate(2);
    let [(_, p), (_, c)]: [_; 2] = t.try_into().expect("two tables");
    (String::from_utf8(p).unwrap(), String::from_utf8(c).unwrap())
}

#[test]
fn percentiles_csv_lists_level_real_and_real_cumulative_when_reported() {
    let s = priced(TEXT);
    let r = simulate(&s);
    let (p, _) = tables(&s, &r, Format::Csv);
    let measures: Vec<&str> = p
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("climb,1,"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        measures,
        [
            "base",
            "bonus",
            "sign_on",
            "rsu",
            "options",
            "total",
            "cumulative",
            "level",
            "real",
            "real_cumulative"
        ]
    );
    // The written median level at the horizon is the engine's, from its
    // rows: PERCENTILE.INC of the level over the worlds.
    let l = Layout::new(&s);
    let mut levels: Vec<f64> = rows(&s)
        .iter()
        .map(|row| row[l.at(0, YEARS - 1, Measure::Level)])
        .collect();
    levels.sort_by(f64::total_cmp);
    let median = tcsim::stats::percentile_inc(&levels, 0.5);
    let line = p
        .lines()
        .find(|x| x.starts_with(&format!("climb,{YEARS},level,")))
        .unwrap();
    let header: Vec<&str> = p.lines().next().unwrap().split(',').collect();
    let p50 = header.iter().position(|&h| h == "p50").unwrap();
    assert_eq!(line.split(',').nth(p50).unwrap(), format!("{median:.2}"));
    // Year 1 in San Francisco: real is the year's cash over 1.176, and
    // real_cumulative sums it.
    for y in 1..=YEARS {
        let row = |m: &str| -> Vec<f64> {
            p.lines()
                .find(|x| x.starts_with(&format!("climb,{y},{m},")))
                .unwrap()
                .split(',')
                .skip(3)
                .map(|v| v.parse().unwrap())
                .collect()
        };
        let (total, real) = (row("total"), row("real"));
        for (t, r) in total.iter().zip(&real) {
            assert!((t / 1.176 - r).abs() < 0.02, "year {y}: {t} / 1.176 vs {r}");
        }
    }
    let (pj, _) = tables(&s, &r, Format::Json);
    for m in ["level", "real", "real_cumulative"] {
        assert!(pj.contains(&format!("\"measure\": \"{m}\"")), "{m}");
    }
    // Neither without a ladder or a parity.
    let plain = plain(TEXT);
    let (pp, _) = tables(&plain, &simulate(&plain), Format::Csv);
    for m in [",level,", ",real,", ",real_cumulative,"] {
        assert!(!pp.contains(m), "{m}");
    }
}

#[test]
fn sweep_adds_real_cumulative_columns_when_reported() {
    use tcsim::report::sweep::{Point, table};
    let axis = tcsim::scenario::patch::parse_axis("jobs.flat.base=120000").unwrap();
    let point = |s: Scenario| Point {
        values: vec!["120000".into()],
        results: simulate(&s),
        scenario: s,
    };
    let v1 = table(std::slice::from_ref(&axis), &[point(plain(TEXT))]).unwrap();
    let v1_columns = v1.columns.join(",");
    let t = table(std::slice::from_ref(&axis), &[point(priced(TEXT))]).unwrap();
    assert_eq!(
        t.columns.join(","),
        format!(
            "{v1_columns},real_cumulative_mean,real_cumulative_p5,real_cumulative_p10,\
             real_cumulative_p25,real_cumulative_p50,real_cumulative_p75,real_cumulative_p90,\
             real_cumulative_p95"
        )
    );
    // A ladder alone adds no column.
    let l = table(std::slice::from_ref(&axis), &[point(laddered(TEXT))]).unwrap();
    assert_eq!(l.columns.join(","), v1_columns);
    // A point without a parity beside one with: empty cells.
    let mixed = table(
        std::slice::from_ref(&axis),
        &[point(plain(TEXT)), point(priced(TEXT))],
    )
    .unwrap();
    let text = String::from_utf8(report::csv::write(&mixed).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].ends_with(",,,,,,,,"), "{}", lines[2]);
    assert!(!lines[3].ends_with(','), "{}", lines[3]);
}

#[test]
fn files_without_ladders_keep_v1_outputs() {
    let s = plain(TEXT);
    let r = simulate(&s);
    assert!(r.levels.is_none());
    let summary = report::summary::render(&s, &r);
    assert!(!summary.contains("Level"), "{summary}");
    assert!(!summary.contains("level"), "{summary}");
    let l = Layout::new(&s);
    assert_eq!(
        Samples::new(&s, &l).header(),
        "run,strategy,year,total,cumulative\n"
    );
    let (world, traces) = replay(&s, 1, None);
    let measures = l.measures().to_vec();
    let text = report::trace::render_text(&s, "inline.toml", 1, &world, &traces, &measures);
    for word in ["level", "promot", "real"] {
        assert!(!text.contains(word), "{word} in\n{text}");
    }
    let csv =
        String::from_utf8(report::trace::render_csv(&s, &traces, &measures).unwrap()).unwrap();
    for word in ["level", "promot", "real"] {
        assert!(!csv.contains(word), "{word} in\n{csv}");
    }
    // The same file with a ladder: the v1 parts of each output unchanged
    // where the ladder changes no pay (`climb`'s pay does change, so only
    // the table's shape is compared).
    let with = laddered(TEXT);
    let rw = simulate(&with);
    let sw = report::summary::render(&with, &rw);
    let first = |t: &str| t.lines().next().unwrap().to_string();
    assert_eq!(first(&summary), first(&sw));
}

#[test]
fn no_output_with_a_ladder_or_a_parity_writes_nan_infinity_or_an_exponent() {
    let mut s = priced(TEXT);
    s.tax = Some(tax_settings());
    let r = simulate(&s);
    let (p, c) = tables(&s, &r, Format::Csv);
    let (pj, cj) = tables(&s, &r, Format::Json);
    let summary = report::summary::render(&s, &r);
    let (world, traces) = replay(&s, 3, None);
    let measures = Layout::new(&s).measures().to_vec();
    let trace = report::trace::render_text(&s, "inline.toml", 3, &world, &traces, &measures);
    let trace_csv =
        String::from_utf8(report::trace::render_csv(&s, &traces, &measures).unwrap()).unwrap();
    let engine = Engine::new(&s);
    let samples = Samples::new(&s, engine.layout());
    let mut out = samples.header().into_bytes();
    let mut world = World::new(&s);
    let mut row = vec![0.0; engine.layout().width()];
    for run in 0..50 {
        engine.run_into(run, &mut world, &mut row);
        samples.write_run(&mut out, run, |k| row[k]);
    }
    let samples = String::from_utf8(out).unwrap();
    for text in [&p, &c, &pj, &cj, &summary, &trace, &trace_csv, &samples] {
        for bad in ["NaN", "nan", "inf", "e+", "e-", "E+"] {
            assert!(!text.contains(bad), "{bad} in\n{text}");
        }
    }
}

/// The text of docs/reference.md's `### {title}` section.
fn reference_section(title: &str) -> &'static str {
    const REFERENCE: &str = include_str!("../docs/reference.md");
    let start = REFERENCE
        .find(&format!("\n### {title}\n"))
        .unwrap_or_else(|| panic!("docs/reference.md has no `### {title}`"));
    let body = &REFERENCE[start + 1..];
    body[..body[4..].find("\n## ").map_or(body.len(), |e| e + 4)]
        .split("\n### ")
        .next()
        .unwrap()
}

#[test]
fn every_ladder_output_has_its_words_in_the_reference() {
    let samples = reference_section("`samples.csv`");
    for c in ["level", "real_cumulative"] {
        assert!(
            samples.contains(&format!("\n| `{c}` |")),
            "samples.csv: {c}"
        );
    }
    let sweep = reference_section("`sweep.csv` and `sweep.json`");
    assert!(sweep.contains("`real_cumulative_mean`"));
    let trace = reference_section("Trace text");
    for words in ["promoted on the", "level L4", "real cumulative"] {
        assert!(trace.contains(words), "Trace text: {words}");
    }
    let csv = reference_section("Trace CSV");
    for words in ["`level`", "`real_cumulative`", "`promotion`"] {
        assert!(csv.contains(words), "Trace CSV: {words}");
    }
    assert!(reference_section("Terminal summary").contains("Level reached by year"));
}

#[test]
fn trace_says_no_promotion_grant_at_a_job_without_stock() {
    let mut s = laddered(TEXT);
    // A cash-only ladder job: promotions, but no grant to make.
    let j = job(&s, "ladder");
    s.jobs[j].company = None;
    let run = promoted_run(&s);
    let (world, traces) = replay(&s, run, Some(0));
    let measures = Layout::new(&s).measures().to_vec();
    let text = report::trace::render_text(&s, "inline.toml", run, &world, &traces, &measures);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("promoted")).collect();
    assert!(!lines.is_empty(), "{text}");
    for line in lines {
        assert!(line.ends_with(", no promotion grant"), "{line}");
    }
    assert!(!text.contains("promotion grant ("), "{text}");
    let csv =
        String::from_utf8(report::trace::render_csv(&s, &traces, &measures).unwrap()).unwrap();
    for line in csv.lines().filter(|l| l.contains(",promotion,")) {
        assert!(line.contains("promotion grant 0.00\""), "{line}");
    }
}
