//! Resource checks made before any work starts: a run whose memory estimate
//! exceeds what the machine has refuses to start and says what to lower.

use crate::engine::Engine;
use crate::error::AppError;

/// Refuses a run whose memory estimate exceeds the memory available now
/// (Linux `MemAvailable`; elsewhere the check is skipped).
pub fn check_memory(engine: &Engine, threads: usize) -> Result<(), AppError> {
    let scenario = engine.scenario();
    let need = engine.memory_estimate(threads);
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if need > available {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(AppError::Memory(format!(
            "this run needs about {:.1} GiB of memory ({} runs, {} strategies, {} years) but {:.1} GiB is available; \
             lower --runs, or the number of strategies, years or percentiles",
            gib(need),
            scenario.sim.runs,
            scenario.strategies.len(),
            scenario.sim.years,
            gib(available)
        )));
    }
    Ok(())
}

fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
