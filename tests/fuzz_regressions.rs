//! The checks of the fuzz target (`fuzz/fuzz_targets/scenario.rs`) on
//! stable Rust, over the fuzzer's seed corpus (every file in `scenarios/`
//! and `tests/broken/`), and the home of minimised crash inputs.
//!
//! To add a crash the fuzzer found: minimise it (`cargo fuzz tmin`, see
//! `fuzz/README.md`), paste its bytes into a `#[test]` below that calls
//! [`check_input`], and name the test after the rule it breaks.

use tcsim::engine::{Engine, World};

/// What the fuzz target asserts for one input: parsing never panics; a
/// rejected file's message starts with `<file>:<line>:<col>: ` and points
/// inside the file; an accepted one simulates to finite numbers only (a few
/// rows by `run_into`, and `simulate` capped at 16 runs).
fn check_input(label: &str, data: &[u8]) {
    match tcsim::scenario::parse_bytes(label, data) {
        Err(e) => {
            let shown = e.to_string();
            let prefix = format!("{label}:{}:{}: ", e.line, e.column);
            assert!(shown.starts_with(&prefix), "{shown:?}");
            assert!(shown.len() > prefix.len(), "empty message: {shown:?}");
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(e.line >= 1 && e.line <= lines, "{shown:?}");
            assert!(e.column >= 1, "{shown:?}");
        }
        Ok(s) => {
            let engine = Engine::new(&s);
            let mut world = World::new(&s);
            let mut row = vec![f64::NAN; engine.layout().width()];
            let mut runs: Vec<u64> = (0..s.sim.runs.min(4)).collect();
            runs.push(s.sim.runs - 1);
            for run in runs {
                engine.run_into(run, &mut world, &mut row);
                for (k, v) in row.iter().enumerate() {
                    assert!(v.is_finite(), "{label}: run {run} row[{k}] = {v}");
                }
            }
            let mut small = s.clone();
            small.sim.runs = s.sim.runs.min(16);
            let r = Engine::new(&small).simulate(&|_| {});
            for (k, series) in r.series.iter().enumerate() {
                assert!(series.mean.is_finite(), "{label}: series {k} mean");
                for q in &series.quantiles {
                    assert!(q.is_finite(), "{label}: series {k} quantile {q}");
                }
            }
        }
    }
}

#[test]
fn every_seed_file_is_rejected_at_a_position_or_simulates_to_finite_numbers() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut seen = 0;
    for dir in ["scenarios", "tests/broken"] {
        let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .expect("seed directory")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("seed file");
            check_input(&path.display().to_string(), &data);
            seen += 1;
        }
    }
    assert!(seen > 50, "only {seen} seed files");
}

// Edge inputs worth keeping (not crashes: the fuzzer has found none so far).

#[test]
fn invalid_utf8_after_a_newline_is_located_on_its_line() {
    check_input("fuzz.toml", b"[simulation]\nyears = 1\n\xff\xfe");
}

#[test]
fn an_empty_file_is_located_at_its_start() {
    check_input("fuzz.toml", b"");
}
