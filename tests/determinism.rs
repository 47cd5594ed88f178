//! Run `i`'s world depends only on `(seed, i)` (docs/reference.md, "The model's rules").

mod common;

use common::scenario;
use tcsim::engine::driver::Source;
use tcsim::engine::{Engine, World};
use tcsim::stats::percentile_inc;

fn stay_vs_switch(runs: u64) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/stay-vs-switch.toml"
    ))
    .expect("bundled scenario");
    text.replace("runs = 100000", &format!("runs = {runs}"))
}

fn rows(engine: &Engine, runs: std::ops::Range<u64>, s: &tcsim::model::Scenario) -> Vec<Vec<f64>> {
    let mut world = World::new(s);
    runs.map(|i| {
        let mut row = vec![0.0; engine.width()];
        engine.run_into(i, &mut world, &mut row);
        row
    })
    .collect()
}

#[test]
fn a_small_run_equals_the_first_runs_of_a_larger_one() {
    let small = scenario(&stay_vs_switch(1000));
    let large = scenario(&stay_vs_switch(50_000));
    let small_engine = Engine::new(&small);
    let large_engine = Engine::new(&large);
    // The first 1000 worlds of the large run, summarised by sorting.
    let first = rows(&large_engine, 0..1000, &large);
    let results = small_engine.simulate(&|_| {});
    for k in 0..small_engine.width() {
        let mut col: Vec<f64> = first.iter().map(|r| r[k]).collect();
        col.sort_by(f64::total_cmp);
        let want: Vec<f64> = results
            .probs
            .iter()
            .map(|&p| percentile_inc(&col, p))
            .collect();
        assert_eq!(results.series[k].quantiles, want, "series {k}");
    }
}

#[test]
fn adding_a_strategy_leaves_the_other_strategies_worlds_unchanged() {
    let base = stay_vs_switch(100);
    let extended = format!(
        "{base}\n[strategies.later]\npath = [{{ job = \"current\", years = 2 }}, {{ job = \"offer\" }}]\n"
    );
    let (a, b) = (scenario(&base), scenario(&extended));
    let (ea, eb) = (Engine::new(&a), Engine::new(&b));
    let (ra, rb) = (rows(&ea, 0..100, &a), rows(&eb, 0..100, &b));
    let (la, lb) = (ea.layout(), eb.layout());
    for (run, (x, y)) in ra.iter().zip(&rb).enumerate() {
        for s in 0..la.strategies {
            for yr in 0..la.years {
                for &m in la.measures() {
                    assert_eq!(
                        x[la.at(s, yr, m)],
                        y[lb.at(s, yr, m)],
                        "run {run} strategy {s} year {yr} measure {}",
                        m.name()
                    );
                }
            }
        }
    }
}

#[test]
fn the_same_run_index_replays_the_same_world() {
    let s = scenario(&stay_vs_switch(10));
    let e = Engine::new(&s);
    let forward = rows(&e, 0..50, &s);
    let mut world = World::new(&s);
    for i in (0..50).rev() {
        let mut row = vec![0.0; e.width()];
        e.run_into(i, &mut world, &mut row);
        assert_eq!(row, forward[i as usize], "run {i}");
    }
}

#[test]
fn bracketed_percentiles_of_the_engine_equal_a_full_sort() {
    // More runs than the pilot (65,536), so the bracket-and-count path runs.
    let runs = 80_000;
    let s = scenario(&stay_vs_switch(runs));
    let e = Engine::new(&s);
    let all = rows(&e, 0..runs, &s);
    let results = e.simulate(&|_| {});
    for k in 0..e.width() {
        let mut col: Vec<f64> = all.iter().map(|r| r[k]).collect();
        col.sort_by(f64::total_cmp);
        let want: Vec<f64> = results
            .probs
            .iter()
            .map(|&p| percentile_inc(&col, p))
            .collect();
        assert_eq!(results.series[k].quantiles, want, "series {k}");
        let mean = col.iter().sum::<f64>() / runs as f64;
        assert!(
            (results.series[k].mean - mean).abs() <= 1e-9 * mean.abs().max(1.0),
            "series {k} mean"
        );
    }
}

/// The engine as a source that counts the runs it simulates.
struct Counting<'a> {
    engine: &'a Engine<'a>,
    simulated: std::sync::atomic::AtomicU64,
}

impl Source for Counting<'_> {
    fn width(&self) -> usize {
        self.engine.width()
    }
    fn fill(&self, first: u64, rows: &mut [f64]) {
        let n = rows.len() / self.width();
        self.simulated
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        self.engine.fill(first, rows);
    }
    fn fill_columns(&self, first: u64, n: usize, cols: &mut [f64], go: &dyn Fn() -> bool) -> bool {
        self.simulated
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        self.engine.fill_columns(first, n, cols, go)
    }
}

#[test]
fn samples_and_a_histogram_do_not_simulate_the_worlds_again() {
    use tcsim::report::plot::Histogram;
    // Beyond the pilot, so the counting pass runs too.
    let runs = 100_001;
    let s = scenario(&stay_vs_switch(runs));
    let engine = Engine::new(&s);
    let src = Counting {
        engine: &engine,
        simulated: Default::default(),
    };
    let mut histogram = Some(Histogram::new(engine.layout(), runs));
    let series = tcsim::stats::summarize(&src, runs, &engine.probs(), &mut histogram, &|_| true)
        .expect("not stopped");
    assert_eq!(
        src.simulated.into_inner(),
        runs,
        "each world simulated once"
    );
    let (_, counts) = histogram.unwrap().finish().expect("started");
    for st in 0..s.strategies.len() {
        let n = counts.len() / s.strategies.len();
        let total: u64 = counts[st * n..(st + 1) * n].iter().sum();
        assert_eq!(total, runs, "every run counted once for strategy {st}");
    }
    // And the statistics are those of a plain simulation.
    assert_eq!(series, engine.simulate(&|_| {}).series);
}

/// Every share price and market level of run `run` at months `1 ..= months`.
fn prices(text: &str, run: u64, months: u32) -> Vec<f64> {
    let s = scenario(text);
    let (world, _) = tcsim::engine::trace::replay(&s, run, None);
    let mut v = Vec::new();
    for c in 0..s.companies.len() {
        v.extend((1..=months).map(|m| world.price(c, m)));
    }
    v.extend((1..=months).filter_map(|m| world.market(m)));
    v
}

#[test]
fn a_sweep_over_years_or_cliff_months_keeps_every_price() {
    // Prices are fixed functions of keyed normals (model.md section 14):
    // the horizon and the months the strategies read change none of them.
    let base = stay_vs_switch(10).replace(
        "[companies.bigco]",
        "[market]\ndrift = 0.07\nvolatility = 0.16\n\n[companies.bigco]\nmarket_correlation = 0.6",
    );
    let short = base.replace("years = 5 ", "years = 3 ");
    let cliff = base.replace("cliff_months = 12 ", "cliff_months = 7 ");
    assert_ne!(short, base);
    assert_ne!(cliff, base);
    for run in [0, 1, 77, 4095] {
        let all = prices(&base, run, 36);
        assert_eq!(prices(&short, run, 36), all, "years = 3, run {run}");
        assert_eq!(prices(&cliff, run, 36), all, "cliff_months = 7, run {run}");
    }
    // And the engine's own world, which computes only the months read,
    // agrees with the trace's, which computes every month.
    let s = scenario(&cliff);
    let engine = Engine::new(&s);
    let mut world = World::new(&s);
    engine.sample_only(77, &mut world);
    let (every, _) = tcsim::engine::trace::replay(&s, 77, None);
    for c in 0..s.companies.len() {
        for m in 1..=60 {
            if engine.plan().shape.needed[c][m as usize] {
                assert_eq!(world.price(c, m).to_bits(), every.price(c, m).to_bits());
            }
        }
    }
}
