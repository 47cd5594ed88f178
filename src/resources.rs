//! Resource checks made before any work starts: a run whose memory estimate
//! exceeds what the machine has refuses to start and says what to lower.

use crate::engine::Engine;
use crate::error::AppError;

/// Refuses a run whose memory estimate exceeds the memory available now
/// (Linux `MemAvailable`; elsewhere the check is skipped).
pub fn check_memory(engine: &Engine, threads: usize) -> Result<(), AppError> {
    check_need(
        engine,
        engine.memory_estimate(threads),
        "this run",
        "lower --runs",
    )
}

/// [`check_memory`] for shard `chunks` of the run (`run --shard`).
pub fn check_shard_memory(
    engine: &Engine,
    threads: usize,
    chunks: std::ops::Range<u64>,
) -> Result<(), AppError> {
    let need = engine.shard_memory_estimate(threads, chunks);
    check_need(engine, need, "this shard", "lower --runs")
}

/// [`check_memory`] for merging `shards` parts of the run (`tcsim merge`).
pub fn check_merge_memory(engine: &Engine, shards: u64) -> Result<(), AppError> {
    let need = engine.merge_memory_estimate(shards);
    check_need(
        engine,
        need,
        "this merge",
        "merge on a machine with more memory, or run fewer runs",
    )
}

fn check_need(engine: &Engine, need: u64, what: &str, lower: &str) -> Result<(), AppError> {
    let scenario = engine.scenario();
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if need > available {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(AppError::Memory(format!(
            "{what} needs about {:.1} GiB of memory ({} runs, {} strategies, {} years) but {:.1} GiB is available; \
             {lower}, or the number of strategies, years or percentiles",
            gib(need),
            scenario.sim.runs,
            scenario.strategies.len(),
            scenario.sim.years,
            gib(available)
        )));
    }
    Ok(())
}

/// The memory this process may still use: Linux `MemAvailable`, or less
/// when its cgroup (v2) has a lower `memory.max` (inside a container
/// `MemAvailable` is the host's).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let host = kib * 1024;
    Some(cgroup_headroom().map_or(host, |c| c.min(host)))
}

/// `memory.max - memory.current` of this process's cgroup v2, if it has a
/// limit (`max` means none).
fn cgroup_headroom() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // cgroup v2 has the single line `0::/path`.
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    headroom(
        &std::fs::read_to_string(dir.join("memory.max")).ok()?,
        &std::fs::read_to_string(dir.join("memory.current")).unwrap_or_default(),
    )
}

/// The headroom `memory.max` and `memory.current` (their texts) leave.
fn headroom(max: &str, current: &str) -> Option<u64> {
    let max: u64 = max.trim().parse().ok()?; // "max": no limit
    let current: u64 = current.trim().parse().unwrap_or(0);
    Some(max.saturating_sub(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cgroup_limit_leaves_its_headroom_and_max_means_none() {
        assert_eq!(headroom("1073741824\n", "73741824\n"), Some(1_000_000_000));
        assert_eq!(headroom("max\n", "5"), None);
        assert_eq!(headroom("100", "200"), Some(0));
        assert_eq!(headroom("100", ""), Some(100));
    }
}
