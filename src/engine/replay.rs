//! Replaying runs in order, for outputs that need every run's row rather
//! than its statistics (raw samples, histograms).
//!
//! Run `i` is a pure function of `(seed, i)`, so any run can be produced
//! again instead of being kept: runs are replayed in pieces, a batch of
//! pieces at a time in parallel, and each batch is handed over in run order.
//! Memory is a batch of pieces, whatever the number of runs.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{Engine, World};

/// Pieces replayed in parallel per batch, per worker thread: enough to keep
/// every thread busy while the pieces differ in cost, few enough that a
/// batch is quick to stop and small to hold.
const PIECES_PER_THREAD: u64 = 4;

impl Engine<'_> {
    /// Replays every run of the scenario, in pieces of `piece_runs` runs.
    ///
    /// Each piece starts from `init()` and `visit(&mut piece, run, row)`
    /// sees its runs in order, with the row [`Engine::run_into`] writes.
    /// Pieces are built in parallel on the current rayon pool, a batch at a
    /// time, and `consume` receives them in run order. `progress` receives
    /// run counts once per piece and stops the work by returning `false`;
    /// `consume` stops it the same way. Returns whether every run was
    /// replayed and consumed.
    pub fn replay<T: Send>(
        &self,
        piece_runs: u64,
        init: impl Fn() -> T + Sync,
        visit: impl Fn(&mut T, u64, &[f64]) + Sync,
        progress: &(dyn Fn(u64) -> bool + Sync),
        mut consume: impl FnMut(T) -> bool,
    ) -> bool {
        let runs = self.scenario.sim.runs;
        let piece_runs = piece_runs.max(1);
        let pieces = runs.div_ceil(piece_runs);
        let batch = rayon::current_num_threads() as u64 * PIECES_PER_THREAD;
        let width = self.layout().width();
        // Set once `progress` says stop, so the pieces not yet started in
        // the batch are skipped.
        let stop = AtomicBool::new(false);
        let mut next = 0;
        while next < pieces {
            let end = (next + batch).min(pieces);
            let built: Vec<Option<T>> = (next..end)
                .into_par_iter()
                .map(|p| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    let first = p * piece_runs;
                    let last = (first + piece_runs).min(runs);
                    // One world and one row per piece, reused by its runs:
                    // nothing is allocated per run.
                    let mut world = World::new(self.scenario);
                    let mut row = vec![0.0; width];
                    let mut piece = init();
                    for run in first..last {
                        self.run_into(run, &mut world, &mut row);
                        visit(&mut piece, run, &row);
                    }
                    if progress(last - first) {
                        Some(piece)
                    } else {
                        stop.store(true, Ordering::Relaxed);
                        None
                    }
                })
                .collect();
            for piece in built {
                let Some(piece) = piece else { return false };
                if !consume(piece) {
                    return false;
                }
            }
            next = end;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Measure;

    const SCENARIO: &str = r#"
[simulation]
years = 3
runs = 1000
seed = 5

[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.05
volatility = 0.3

[jobs.current]
company = "bigco"
base = 100_000
bonus = { target = 0.1, sd = 0.3 }

[[jobs.current.grants]]
kind = "rsu"
value = 100_000
vesting = [25, 25, 25, 25]

[strategies.stay]
path = [{ job = "current" }]
"#;

    #[test]
    fn replay_hands_over_every_run_in_order_with_the_rows_run_into_writes() {
        let s = crate::scenario::parse("inline.toml", SCENARIO).unwrap();
        let engine = Engine::new(&s);
        let l = engine.layout().clone();
        let cum = Measure::Cumulative;
        let mut seen = Vec::new();
        // Pieces of 7 runs: pieces and batches end mid-way through the runs.
        let done = engine.replay(
            7,
            Vec::new,
            |p: &mut Vec<(u64, f64)>, run, row| p.push((run, row[l.at(0, 2, cum)])),
            &|_| true,
            |p| {
                seen.extend(p);
                true
            },
        );
        assert!(done);
        let mut world = World::new(&s);
        let mut row = vec![0.0; l.width()];
        assert_eq!(seen.len(), 1000);
        for (i, &(run, x)) in seen.iter().enumerate() {
            assert_eq!(run, i as u64);
            engine.run_into(run, &mut world, &mut row);
            assert_eq!(x, row[l.at(0, 2, cum)]);
        }
    }

    #[test]
    fn replay_stops_when_progress_or_consume_says_so() {
        let s = crate::scenario::parse("inline.toml", SCENARIO).unwrap();
        let engine = Engine::new(&s);
        assert!(!engine.replay(10, || (), |_, _, _| {}, &|_| false, |_| true));
        let mut consumed = 0;
        let done = engine.replay(
            10,
            || (),
            |_, _, _| {},
            &|_| true,
            |_| {
                consumed += 1;
                consumed < 3
            },
        );
        assert!(!done);
        assert_eq!(consumed, 3);
    }
}
