//! Engine benchmarks. `cargo bench` prints, per benchmark, the time per
//! iteration and (where a throughput is set) runs per second ("elem/s").
//!
//! - `end_to_end/*`: a whole `tcsim run` minus file writing, on the bundled
//!   scenarios, at 1 thread and at all threads.
//! - `per_world/draws_alone` vs `per_world/one_world`: the random draws one
//!   world of stay-vs-switch needs (the same keys and streams, summed and
//!   nothing else) against sampling and evaluating that world: their ratio
//!   is how far the engine is from the generator's limit.
//!   `per_world/draws_monthly` is what the draws cost when every month of
//!   every price path was drawn (before model.md section 14).
//! - `economy/*`: one world of stay-vs-switch as it is, with a correlated
//!   market, with layoffs, and with both: the cost of model.md section 8.
//! - `startup/*`: one world of bigtech-vs-startup with v1's private model
//!   (yearly dilution, an IPO's price held), with rounds, and with rounds and
//!   an IPO in every world: the cost of model.md section 9.
//! - `tax/*`: one world of after-tax.toml with and without its `[tax]`, and
//!   of stay-vs-switch and bigtech-vs-startup without and with a `[tax]`
//!   (California, single): the cost of model.md section 10 (each pair's
//!   ratio).
//! - `ladder/*`: one world of career-ladder.toml with and without its
//!   ladders, market raises and parities: the cost of model.md section 11.
//! - `decision/*`: one world of bigtech-vs-startup without and with a
//!   `discount_rate` (the present-value measure in the engine), and 100,000
//!   runs summarised without and with `risk_aversion` and `discount_rate`
//!   (the decision pass: utility sums and `p_equity_zero`): the cost of
//!   model.md section 12.
//! - `percentiles`: exact quantile extraction by selection vs a full sort.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::RngExt;
use rand_distr::StandardNormal;
use tcsim::engine::driver::Source;
use tcsim::engine::world::stream;
use tcsim::engine::{Engine, World};
use tcsim::model::{CompanyKind, Layoffs, Market, Rounds, Scenario};
use tcsim::stats::select_ranks;

fn load(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    tcsim::scenario::load(std::path::Path::new(&path)).expect("bundled scenario is valid")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

fn end_to_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for file in ["stay-vs-switch.toml", "bigtech-vs-startup.toml"] {
        for runs in [100_000u64, 1_000_000] {
            for threads in [1, cores] {
                let mut s = load(file);
                s.sim.runs = runs;
                let p = pool(threads);
                g.throughput(Throughput::Elements(runs));
                let id = BenchmarkId::new(format!("{file}/{threads}t"), runs);
                g.bench_with_input(id, &s, |b, s| {
                    b.iter(|| p.install(|| black_box(Engine::new(s).simulate(&|_| {}))));
                });
            }
        }
    }
    g.finish();
}

/// The draws one world of `s` made before the price paths became bridges
/// (model.md section 14): every month's normal (every step's) of every
/// public company, then the same fate and job draws as now.
fn draws_monthly(s: &Scenario, run: u64) -> f64 {
    let months = s.sim.months() as usize;
    let sub = (s.sim.steps_per_year / 12).max(1) as usize;
    let mut acc = 0.0;
    for c in &s.companies {
        let mut rng = stream(s.sim.seed, run, c.stream);
        match c.kind {
            CompanyKind::Public(_) => {
                for _ in 0..months * sub {
                    let z: f64 = rng.sample(StandardNormal);
                    acc += z;
                }
            }
            CompanyKind::Private(_) => {
                for _ in 0..3 {
                    let u: f64 = rng.random();
                    acc += u;
                }
                let z: f64 = rng.sample(StandardNormal);
                acc += z;
            }
        }
    }
    let used: Vec<bool> = (0..s.jobs.len())
        .map(|j| {
            s.strategies
                .iter()
                .any(|st| st.stints.iter().any(|t| t.job == j))
        })
        .collect();
    for (j, job) in s.jobs.iter().enumerate() {
        if !used[j] {
            continue;
        }
        let mut rng = stream(s.sim.seed, run, job.stream);
        for _ in 0..s.sim.years {
            let a: f64 = rng.sample(StandardNormal);
            let b: f64 = rng.random();
            let c: f64 = rng.sample(StandardNormal);
            let d: f64 = rng.random();
            acc += a + b + c + d;
        }
    }
    acc
}

fn per_world(c: &mut Criterion) {
    let s = load("stay-vs-switch.toml");
    let engine = Engine::new(&s);
    let mut world = World::new(&s);
    let mut row = vec![0.0; engine.width()];
    let shape = &engine.plan().shape;
    let nodes: usize = (0..s.companies.len()).map(|c| shape.company_nodes(c)).sum();
    eprintln!(
        "stay-vs-switch: {} price normals per world before (every month of every company), {nodes} bridge nodes now",
        s.companies.len() as u64 * u64::from(s.sim.months()) * u64::from(s.sim.steps_per_year / 12),
    );
    let mut g = c.benchmark_group("per_world");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("draws_monthly", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for run in 0..1000 {
                acc += draws_monthly(&s, run);
            }
            black_box(acc)
        })
    });
    g.bench_function("draws_alone", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for run in 0..1000 {
                acc += tcsim::engine::world::draws_alone(&s, shape, run);
            }
            black_box(acc)
        })
    });
    g.bench_function("sample_world", |b| {
        b.iter(|| {
            for run in 0..1000 {
                engine.sample_only(run, &mut world);
            }
            black_box(&world);
        })
    });
    g.bench_function("one_world", |b| {
        b.iter(|| {
            for run in 0..1000 {
                engine.run_into(run, &mut world, &mut row);
            }
            black_box(&row);
        })
    });
    g.finish();
}

/// stay-vs-switch in one correlated economy: a market every company moves
/// with (calibration.md: S&P 500 volatility ~15 %, big-tech correlations
/// ~0.6), layoffs at every job (4 % a year, sensitivity 2).
fn economy(c: &mut Criterion) {
    let plain = load("stay-vs-switch.toml");
    let with_market = |mut s: Scenario| {
        s.market = Some(Market {
            drift: 0.07,
            volatility: 0.16,
        });
        for c in &mut s.companies {
            c.market_correlation = 0.65;
        }
        s
    };
    let with_layoffs = |mut s: Scenario| {
        for j in &mut s.jobs {
            j.layoffs = Some(Layoffs {
                rate: 0.04,
                market_sensitivity: 2.0,
                severance_weeks: Some(16.0),
                weeks_per_year: 2.0,
                vesting_months: 0,
                rehire_months: 4,
                rehire_pay: 0.9,
            });
        }
        s
    };
    let cases = [
        ("plain", plain.clone()),
        ("market", with_market(plain.clone())),
        ("layoffs", with_layoffs(plain.clone())),
        ("market_and_layoffs", with_layoffs(with_market(plain))),
    ];
    let mut g = c.benchmark_group("economy");
    g.throughput(Throughput::Elements(1000));
    for (name, s) in &cases {
        let engine = Engine::new(s);
        let mut world = World::new(s);
        let mut row = vec![0.0; engine.width()];
        g.bench_function(*name, |b| {
            b.iter(|| {
                for run in 0..1000 {
                    engine.run_into(run, &mut world, &mut row);
                }
                black_box(&row);
            })
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let bundled = load("bigtech-vs-startup.toml");
    fn private(s: &mut Scenario) -> Vec<&mut tcsim::model::PrivateCompany> {
        s.companies
            .iter_mut()
            .filter_map(|c| match &mut c.kind {
                CompanyKind::Private(p) => Some(p),
                CompanyKind::Public(_) => None,
            })
            .collect()
    }
    // v1's private model: a yearly dilution instead of rounds.
    let mut yearly = bundled.clone();
    for p in private(&mut yearly) {
        p.rounds = None;
        p.dilution = 0.09;
    }
    let mut rounds = bundled.clone();
    for p in private(&mut rounds) {
        p.rounds = Some(Rounds {
            rate: 0.5,
            step_median: 1.5,
            step_sigma: 0.6,
            dilution: 0.13,
        });
    }
    // An IPO in month 13 of every world: the post-IPO path every time.
    let mut ipo = rounds.clone();
    for p in private(&mut ipo) {
        p.exit_month = Some(13);
        p.ipo_fraction = 1.0;
    }
    let cases = [
        ("yearly_dilution", yearly),
        ("rounds", rounds),
        ("rounds_and_ipo", ipo),
    ];
    let mut g = c.benchmark_group("startup");
    g.throughput(Throughput::Elements(1000));
    for (name, s) in &cases {
        let engine = Engine::new(s);
        let mut world = World::new(s);
        let mut row = vec![0.0; engine.width()];
        g.bench_function(*name, |b| {
            b.iter(|| {
                for run in 0..1000 {
                    engine.run_into(run, &mut world, &mut row);
                }
                black_box(&row);
            })
        });
    }
    g.finish();
}

fn tax(c: &mut Criterion) {
    let with_tax = |mut s: Scenario| {
        let tables = tcsim::tax::Tables::load(2026).expect("tables");
        let residence = tcsim::tax::Residence {
            state: tables.state("CA").expect("CA"),
            city: None,
        };
        s.tax = Some(tcsim::model::TaxSettings {
            tables,
            household: tcsim::tax::Household {
                filing: tcsim::tax::Filing::Single,
                other_income: 0.0,
                itemized_deductions: 0.0,
            },
            residence,
            inflation: 0.025,
        });
        s
    };
    // after-tax.toml as written, and with its `[tax]` taken away.
    let bundled = load("after-tax.toml");
    let mut untaxed = bundled.clone();
    untaxed.tax = None;
    let mut cases = vec![
        ("after-tax.toml/without".to_string(), untaxed),
        ("after-tax.toml/with".to_string(), bundled),
    ];
    for file in ["stay-vs-switch.toml", "bigtech-vs-startup.toml"] {
        let mut plain = load(file);
        plain.tax = None;
        cases.push((format!("{file}/without"), plain.clone()));
        cases.push((format!("{file}/with"), with_tax(plain)));
    }
    let mut g = c.benchmark_group("tax");
    // One year's liability alone: CA wages, and NY + NYC wages with gains.
    {
        use tcsim::tax::{Carry, Filing, Household, Income, Residence, Tables};
        let t = Tables::load(2026).expect("tables");
        let y = t.for_year(1, 0.025);
        let h = Household {
            filing: Filing::Single,
            other_income: 0.0,
            itemized_deductions: 0.0,
        };
        let ca = Residence {
            state: t.state("CA").expect("CA"),
            city: None,
        };
        let ny = t.state("NY").expect("NY");
        let nyc = Residence {
            state: ny,
            city: t.city(ny, "NYC"),
        };
        let wages = Income {
            wages: 412_000.0,
            ..Income::default()
        };
        let mixed = Income {
            long_gain: 40_000.0,
            short_gain: -5_000.0,
            iso_preference: 90_000.0,
            ..wages
        };
        let tx = Residence {
            state: t.state("TX").expect("TX"),
            city: None,
        };
        for (name, r, inc) in [
            ("liability/tx_wages", tx, wages),
            ("liability/ca_wages", ca, wages),
            ("liability/nyc_mixed", nyc, mixed),
        ] {
            g.bench_function(name, |b| {
                b.iter(|| {
                    let mut carry = Carry::default();
                    black_box(tcsim::tax::liability(
                        &y,
                        &h,
                        &[(r, black_box(inc))],
                        &mut carry,
                    ))
                })
            });
        }
    }
    g.throughput(Throughput::Elements(1000));
    for (name, s) in &cases {
        let engine = Engine::new(s);
        let mut world = World::new(s);
        let mut row = vec![0.0; engine.width()];
        g.bench_function(name.as_str(), |b| {
            b.iter(|| {
                for run in 0..1000 {
                    engine.run_into(run, &mut world, &mut row);
                }
                black_box(&row);
            })
        });
    }
    g.finish();
}

fn ladder(c: &mut Criterion) {
    // career-ladder.toml as written, and with its ladders, market raises
    // and parities taken away (each job at its starting band, no
    // promotions): the cost of model.md section 11.
    let bundled = load("career-ladder.toml");
    let mut flat = bundled.clone();
    for j in &mut flat.jobs {
        if let Some(o) = j.ladder.take() {
            let l = &flat.ladders[o.ladder];
            let start = match o.level {
                tcsim::model::LevelStart::At(i) => i,
                _ => 0,
            };
            j.base = tcsim::model::Base::Fixed(l.base[start] * o.pay_factor);
            j.refresh = None;
        }
        j.price_parity = None;
    }
    let mut g = c.benchmark_group("ladder");
    g.throughput(Throughput::Elements(1000));
    for (name, s) in [("without", &flat), ("with", &bundled)] {
        let engine = Engine::new(s);
        let mut world = World::new(s);
        let mut row = vec![0.0; engine.width()];
        g.bench_function(name, |b| {
            b.iter(|| {
                for run in 0..1000 {
                    engine.run_into(run, &mut world, &mut row);
                }
                black_box(&row);
            })
        });
    }
    g.finish();
}

fn decision(c: &mut Criterion) {
    let plain = load("bigtech-vs-startup.toml");
    let mut decided = plain.clone();
    decided.sim.discount_rate = Some(0.04);
    decided.sim.risk = Some(tcsim::model::Risk {
        aversion: 2.0,
        wealth: 250_000.0,
    });
    let mut g = c.benchmark_group("decision");
    g.throughput(Throughput::Elements(1000));
    for (name, s) in [("one_world_without", &plain), ("one_world_with", &decided)] {
        let engine = Engine::new(s);
        let mut world = World::new(s);
        let mut row = vec![0.0; engine.width()];
        g.bench_function(name, |b| {
            b.iter(|| {
                for run in 0..1000 {
                    engine.run_into(run, &mut world, &mut row);
                }
                black_box(&row);
            })
        });
    }
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    let pool = pool(1);
    for (name, s) in [("runs_1e5_without", &plain), ("runs_1e5_with", &decided)] {
        let mut s = s.clone();
        s.sim.runs = 100_000;
        g.bench_function(name, |b| {
            b.iter(|| {
                let engine = Engine::new(&s);
                black_box(pool.install(|| engine.simulate(&|_| {})))
            })
        });
    }
    g.finish();
}

fn percentiles(c: &mut Criterion) {
    let n = 1_000_000usize;
    let values: Vec<f64> = (0..n)
        .map(|i| ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64)
        .collect();
    let ranks: Vec<usize> = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
        .iter()
        .flat_map(|p: &f64| {
            let h = (n - 1) as f64 * p;
            [h.floor() as usize, h.floor() as usize + 1]
        })
        .collect();
    let mut g = c.benchmark_group("percentiles_1e6");
    g.bench_function("select", |b| {
        b.iter(|| {
            let mut v = values.clone();
            black_box(select_ranks(&mut v, &ranks))
        })
    });
    g.bench_function("full_sort", |b| {
        b.iter(|| {
            let mut v = values.clone();
            v.sort_unstable_by(f64::total_cmp);
            black_box(ranks.iter().map(|&r| v[r]).sum::<f64>())
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    per_world,
    economy,
    startup,
    tax,
    ladder,
    decision,
    percentiles,
    end_to_end
);
criterion_main!(benches);
