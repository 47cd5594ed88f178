//! The run driver: the one seeded, stoppable, chunked parallel loop over runs.
//!
//! Run `i` is a pure function of `(seed, i)` (see [`super::world::stream`]),
//! so runs can be produced in any order, on any thread, and produced again.
//! The driver cuts the runs into chunks of [`CHUNK_RUNS`], simulates a batch
//! of chunks in parallel, lets each [`Consumer`] take what it needs from each
//! chunk on the worker thread ([`Consumer::part`]), and hands the parts over
//! in chunk order ([`Consumer::absorb`]). Everything order-dependent (sums of
//! floats, the lines of `samples.csv`) is therefore the same on any number of
//! threads, and one pass feeds every consumer: statistics, samples and
//! histograms alike.
//!
//! This is the scheme of rand's `rayon-monte-carlo` example (fixed batches
//! reduced in order), with the progress report and the stop check once per
//! chunk, never per run.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

/// Runs per chunk: the unit of parallel work, of progress reports and stop
/// checks, and of the fixed summation order of means. Seeds do not depend
/// on it (a run's stream is keyed by its index alone), but the order in
/// which floats are added does: changing it changes the last bits of means.
pub const CHUNK_RUNS: u64 = 4096;

/// Rows per block of [`transpose_block`]: 64 rows of a few hundred series
/// stay in the L1/L2 cache while each series' slice is written.
pub const BLOCK_RUNS: usize = 64;

/// Chunks in flight per worker thread: a batch ends when its slowest chunk
/// does, so with a few chunks per thread the others wait little (measured:
/// 2 per thread cost ~10 % at 10^6 runs on 2 threads, 4 and 8 about 0).
const CHUNKS_PER_THREAD: usize = 8;

/// Bytes of column buffers a batch may hold before it shrinks towards one
/// chunk per thread (wide scenarios have chunks of hundreds of megabytes).
const BATCH_BYTES: usize = 256 << 20;

/// Chunks the driver holds at once (buffers and parts) on `threads`
/// threads, for rows of `width` numbers.
pub fn in_flight(threads: usize, width: usize) -> usize {
    let threads = threads.max(1);
    let chunk_bytes = (CHUNK_RUNS as usize * width * 8).max(1);
    (BATCH_BYTES / chunk_bytes).clamp(threads, threads * CHUNKS_PER_THREAD)
}

/// Number of chunks of `runs` runs.
pub fn chunk_count(runs: u64) -> u64 {
    runs.div_ceil(CHUNK_RUNS)
}

/// First run and number of runs of chunk `c`.
pub fn chunk_bounds(c: u64, runs: u64) -> (u64, usize) {
    let first = c * CHUNK_RUNS;
    (first, CHUNK_RUNS.min(runs - first) as usize)
}

/// Produces the rows of a range of runs: the engine, or a synthetic source
/// in tests.
pub trait Source: Sync {
    /// Numbers per run.
    fn width(&self) -> usize;

    /// Writes the rows of runs `first .. first + rows.len() / width`,
    /// row-major, into `rows`.
    fn fill(&self, first: u64, rows: &mut [f64]);

    /// Writes runs `first .. first + n` column-major into `cols`
    /// (`cols[k * n + j]`), asking `go` before each block of
    /// [`BLOCK_RUNS`] runs whether to go on (a heavy scenario's chunk takes
    /// seconds; a block, milliseconds). Returns `false`, with `cols`
    /// incomplete, when `go` said stop. The default fills blocks of rows
    /// and transposes them; a source may fuse the two.
    fn fill_columns(&self, first: u64, n: usize, cols: &mut [f64], go: &dyn Fn() -> bool) -> bool {
        let width = self.width();
        let mut rows = vec![0.0; BLOCK_RUNS * width];
        for start in (0..n).step_by(BLOCK_RUNS) {
            if !go() {
                return false;
            }
            let count = BLOCK_RUNS.min(n - start);
            let block = &mut rows[..count * width];
            self.fill(first + start as u64, block);
            transpose_block(block, width, start, n, cols);
        }
        true
    }
}

/// Copies a block of row-major `rows` (runs `start ..` of a chunk of `n`
/// runs) into column-major `cols`.
pub fn transpose_block(rows: &[f64], width: usize, start: usize, n: usize, cols: &mut [f64]) {
    let count = rows.len() / width;
    for k in 0..width {
        let out = &mut cols[k * n + start..k * n + start + count];
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(width)) {
            *o = row[k];
        }
    }
}

/// One chunk of runs, column-major: each series' values are one slice.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    /// Chunk index.
    pub index: u64,
    /// Index of its first run.
    pub first: u64,
    /// Runs in the chunk.
    pub runs: usize,
    /// `cols[k * runs + j]` is series `k` of run `first + j`.
    pub cols: &'a [f64],
}

impl Chunk<'_> {
    /// Series `k`'s values, in run order.
    #[inline]
    pub fn series(&self, k: usize) -> &[f64] {
        &self.cols[k * self.runs..(k + 1) * self.runs]
    }

    /// Numbers per run.
    pub fn width(&self) -> usize {
        self.cols.len() / self.runs.max(1)
    }
}

/// What a pass over the runs feeds: an accumulator or an output.
pub trait Consumer: Sync {
    /// What it takes from one chunk.
    type Part: Send;

    /// Takes what it needs from `chunk`, on a worker thread.
    fn part(&self, chunk: &Chunk<'_>) -> Self::Part;

    /// Receives the parts in chunk order, on the driving thread. Returns
    /// `false` to stop the pass (e.g. a write failed).
    fn absorb(&mut self, part: Self::Part) -> bool;
}

impl Consumer for () {
    type Part = ();
    fn part(&self, _: &Chunk<'_>) {}
    fn absorb(&mut self, _: ()) -> bool {
        true
    }
}

impl<C: Consumer> Consumer for Option<C> {
    type Part = Option<C::Part>;
    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        self.as_ref().map(|c| c.part(chunk))
    }
    fn absorb(&mut self, part: Self::Part) -> bool {
        match (self, part) {
            (Some(c), Some(p)) => c.absorb(p),
            _ => true,
        }
    }
}

impl<C: Consumer> Consumer for &mut C {
    type Part = C::Part;
    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        (**self).part(chunk)
    }
    fn absorb(&mut self, part: Self::Part) -> bool {
        (**self).absorb(part)
    }
}

impl<A: Consumer, B: Consumer> Consumer for (A, B) {
    type Part = (A::Part, B::Part);
    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        (self.0.part(chunk), self.1.part(chunk))
    }
    fn absorb(&mut self, (a, b): Self::Part) -> bool {
        self.0.absorb(a) && self.1.absorb(b)
    }
}

impl<A: Consumer, B: Consumer, C: Consumer> Consumer for (A, B, C) {
    type Part = (A::Part, B::Part, C::Part);
    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        (self.0.part(chunk), self.1.part(chunk), self.2.part(chunk))
    }
    fn absorb(&mut self, (a, b, c): Self::Part) -> bool {
        self.0.absorb(a) && self.1.absorb(b) && self.2.absorb(c)
    }
}

/// Progress and stop: receives run counts once per simulated chunk and
/// stops the work by returning `false` (a signal). Called with 0, it is a
/// poll: the driver and the statistics ask it between blocks of runs and
/// between the steps of every later phase, so any phase stops promptly.
pub type Progress<'a> = &'a (dyn Fn(u64) -> bool + Sync);

/// Simulates chunks `chunks` of a run of `runs` runs from `src` on the
/// current rayon pool and feeds every chunk to `consumer`, in chunk order.
/// Returns `false` if `progress` or the consumer stopped the pass.
pub fn drive<C: Consumer>(
    src: &dyn Source,
    runs: u64,
    chunks: Range<u64>,
    consumer: &mut C,
    progress: Progress<'_>,
) -> bool {
    simulate(src, runs, chunks, consumer, progress, false).is_some()
}

/// [`drive`], keeping every chunk's columns (`kept[i]` is chunk
/// `chunks.start + i`, column-major): the pilot. The buffers themselves are
/// kept, not copies. `None` if the pass was stopped.
pub fn drive_keeping<C: Consumer>(
    src: &dyn Source,
    runs: u64,
    chunks: Range<u64>,
    consumer: &mut C,
    progress: Progress<'_>,
) -> Option<Vec<Vec<f64>>> {
    simulate(src, runs, chunks, consumer, progress, true)
}

/// The simulated pass of [`drive`] and [`drive_keeping`].
fn simulate<C: Consumer>(
    src: &dyn Source,
    runs: u64,
    chunks: Range<u64>,
    consumer: &mut C,
    progress: Progress<'_>,
    keep: bool,
) -> Option<Vec<Vec<f64>>> {
    let width = src.width();
    let batch = in_flight(rayon::current_num_threads(), width) as u64;
    // Column buffers reused across batches: one per chunk in flight.
    let buffers: Mutex<Vec<Vec<f64>>> = Mutex::new(Vec::new());
    let mut kept = Vec::new();
    let done = in_order(
        chunks,
        batch,
        consumer,
        &|consumer, c, stop| {
            let (first, n) = chunk_bounds(c, runs);
            let reused = match keep {
                true => None,
                false => buffers.lock().ok().and_then(|mut b| b.pop()),
            };
            // A new buffer comes zeroed from the allocator (`calloc`): its
            // pages are touched as runs fill them, between stop checks,
            // rather than all at once here.
            let mut cols = reused.unwrap_or_else(|| vec![0.0; n * width]);
            cols.resize(n * width, 0.0);
            let filled = src.fill_columns(first, n, &mut cols, &|| {
                !stop.load(Ordering::Relaxed) && progress(0)
            });
            if !filled || !progress(n as u64) {
                stop.store(true, Ordering::Relaxed);
                return None;
            }
            let part = consumer.part(&Chunk {
                index: c,
                first,
                runs: n,
                cols: &cols,
            });
            if keep {
                return Some((part, cols));
            }
            if let Ok(mut b) = buffers.lock() {
                b.push(cols);
            }
            Some((part, Vec::new()))
        },
        &mut |consumer, (part, cols)| {
            if keep {
                kept.push(cols);
            }
            consumer.absorb(part)
        },
    );
    done.then_some(kept)
}

/// Feeds chunks already held in memory to `consumer`, in chunk order:
/// `held[i]` is chunk `first_chunk + i` of a run of `runs` runs, column-major.
/// Returns `false` if `stopped` turned true or the consumer stopped.
pub fn feed<C: Consumer>(
    held: &[Vec<f64>],
    first_chunk: u64,
    runs: u64,
    consumer: &mut C,
    stopped: &(dyn Fn() -> bool + Sync),
) -> bool {
    let chunks = first_chunk..first_chunk + held.len() as u64;
    let width = held
        .first()
        .map_or(0, |c| c.len() / chunk_bounds(first_chunk, runs).1.max(1));
    let batch = in_flight(rayon::current_num_threads(), width) as u64;
    in_order(
        chunks,
        batch,
        consumer,
        &|consumer, c, _| {
            if stopped() {
                return None;
            }
            let (first, n) = chunk_bounds(c, runs);
            Some(consumer.part(&Chunk {
                index: c,
                first,
                runs: n,
                cols: &held[(c - first_chunk) as usize],
            }))
        },
        &mut |consumer, part| consumer.absorb(part),
    )
}

/// Computes chunk `c`'s item for a consumer, or `None` to stop the pass
/// (the flag lets it stop the chunks not yet started).
type PartFn<'a, C, P> = dyn Fn(&C, u64, &AtomicBool) -> Option<P> + Sync + 'a;

/// The batch loop every pass shares: the items of a batch of chunks
/// computed in parallel by `part` (which returns `None` to stop), then
/// handed to `absorb` in chunk order (which returns `false` to stop).
fn in_order<C: Consumer, P: Send>(
    chunks: Range<u64>,
    batch: u64,
    consumer: &mut C,
    part: &PartFn<'_, C, P>,
    absorb: &mut dyn FnMut(&mut C, P) -> bool,
) -> bool {
    // Set once a chunk says stop, so the chunks not yet started are skipped.
    let stop = AtomicBool::new(false);
    let mut next = chunks.start;
    while next < chunks.end {
        let end = (next + batch).min(chunks.end);
        let shared: &C = consumer;
        let parts: Vec<Option<P>> = (next..end)
            .into_par_iter()
            .map(|c| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let p = part(shared, c, &stop);
                if p.is_none() {
                    stop.store(true, Ordering::Relaxed);
                }
                p
            })
            .collect();
        for p in parts {
            let Some(p) = p else { return false };
            if !absorb(consumer, p) {
                return false;
            }
        }
        next = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Series 0 is the run index, series 1 its square.
    struct Squares;

    impl Source for Squares {
        fn width(&self) -> usize {
            2
        }
        fn fill(&self, first: u64, rows: &mut [f64]) {
            for (j, row) in rows.chunks_exact_mut(2).enumerate() {
                let i = (first + j as u64) as f64;
                row[0] = i;
                row[1] = i * i;
            }
        }
    }

    /// Records every (run, series 1) pair it is fed.
    #[derive(Default)]
    struct Record {
        seen: Vec<(u64, f64)>,
        stop_after: Option<usize>,
    }

    impl Consumer for Record {
        type Part = Vec<(u64, f64)>;
        fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
            (0..chunk.runs)
                .map(|j| (chunk.first + j as u64, chunk.series(1)[j]))
                .collect()
        }
        fn absorb(&mut self, part: Self::Part) -> bool {
            self.seen.extend(part);
            self.stop_after.is_none_or(|n| self.seen.len() < n)
        }
    }

    #[test]
    fn every_run_reaches_the_consumer_once_in_run_order_with_its_row() {
        let runs = 3 * CHUNK_RUNS + 17;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let mut rec = Record::default();
        let done =
            pool.install(|| drive(&Squares, runs, 0..chunk_count(runs), &mut rec, &|_| true));
        assert!(done);
        assert_eq!(rec.seen.len() as u64, runs);
        for (i, &(run, sq)) in rec.seen.iter().enumerate() {
            assert_eq!(run, i as u64);
            assert_eq!(sq, (i * i) as f64);
        }
    }

    #[test]
    fn held_chunks_are_fed_like_simulated_ones() {
        let runs = 2 * CHUNK_RUNS + 5;
        let held: Vec<Vec<f64>> = (0..chunk_count(runs))
            .map(|c| {
                let (first, n) = chunk_bounds(c, runs);
                let mut cols = vec![0.0; 2 * n];
                assert!(Squares.fill_columns(first, n, &mut cols, &|| true));
                cols
            })
            .collect();
        let (mut a, mut b) = (Record::default(), Record::default());
        assert!(feed(&held[1..], 1, runs, &mut a, &|| false));
        assert!(drive(&Squares, runs, 1..chunk_count(runs), &mut b, &|_| {
            true
        }));
        assert_eq!(a.seen, b.seen);
        assert_eq!(a.seen[0].0, CHUNK_RUNS);
    }

    #[test]
    fn progress_or_the_consumer_can_stop_a_pass() {
        let runs = 10 * CHUNK_RUNS;
        let mut rec = Record::default();
        assert!(!drive(&Squares, runs, 0..10, &mut rec, &|_| false));
        assert!(rec.seen.is_empty(), "a stopped chunk is never absorbed");
        let mut rec = Record {
            stop_after: Some(2 * CHUNK_RUNS as usize),
            ..Record::default()
        };
        assert!(!drive(&Squares, runs, 0..10, &mut rec, &|_| true));
        assert_eq!(rec.seen.len() as u64, 2 * CHUNK_RUNS);
    }
}
