//! Sharded work (model.md section 14): which share of the runs (or of a
//! sweep's points) one process computes, where that comes from (the
//! command line, a Slurm job array, a Kubernetes Indexed Job), and the
//! versioned partial file a shard writes for `tcsim merge`.

use crate::error::AppError;

/// Shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// 0-based shard index, below `count`.
    pub index: u64,
    /// Number of shards, at least 1.
    pub count: u64,
}

/// Most shards a run or sweep may be cut into.
pub const MAX_SHARDS: u64 = 100_000;

impl ShardSpec {
    /// Parses `I/N` (0-based `I < N`; underscores allowed in the numbers, as
    /// in every integer flag).
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not I/N (e.g. 0/4: the first of four shards)"))?;
        let num = |s: &str, what: &str| -> Result<u64, String> {
            s.trim()
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{text:?}: {what} {s:?} is not a whole number"))
        };
        let (index, count) = (num(i, "the shard index")?, num(n, "the shard count")?);
        ShardSpec::new(index, count).map_err(|e| format!("{text:?}: {e}"))
    }

    /// Checks `0 <= index < count <= MAX_SHARDS`.
    pub fn new(index: u64, count: u64) -> Result<ShardSpec, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "the shard count must be from 1 to {MAX_SHARDS}, not {count}"
            ));
        }
        if index >= count {
            return Err(format!(
                "the shard index must be from 0 to {} (0-based) for {count} shards, not {index}",
                count - 1
            ));
        }
        Ok(ShardSpec { index, count })
    }

    /// The partial file's name: `part-I-of-N.tcsim`.
    pub fn file_name(&self) -> String {
        format!("part-{}-of-{}.tcsim", self.index, self.count)
    }

    /// The shard from the command line, else from the environment of a
    /// job array: `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`
    /// (the index less `SLURM_ARRAY_TASK_MIN`, so `--array=1-16` works as
    /// `0-15`), or a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with
    /// `--shard-count N`. `None`: not sharded. `env` looks a variable up
    /// (`std::env::var` in the program, a map in tests).
    pub fn resolve(
        flag: Option<ShardSpec>,
        shard_count: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<ShardSpec>, AppError> {
        if let Some(s) = flag {
            if let Some(n) = shard_count.filter(|&n| n != s.count) {
                return Err(AppError::Usage(format!(
                    "--shard {}/{} and --shard-count {n} disagree on the number of shards",
                    s.index, s.count
                )));
            }
            return Ok(Some(s));
        }
        let var = |name: &str| -> Result<Option<u64>, AppError> {
            match env(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    AppError::Usage(format!(
                        "the environment variable {name}={v:?} is not a whole number"
                    ))
                }),
            }
        };
        let usage = |e: String, from: &str| AppError::Usage(format!("{from}: {e}"));
        if let Some(id) = var("SLURM_ARRAY_TASK_ID")? {
            let min = var("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = match (shard_count, var("SLURM_ARRAY_TASK_COUNT")?) {
                (Some(n), _) | (None, Some(n)) => n,
                (None, None) => {
                    return Err(AppError::Usage(
                        "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shard I/N or --shard-count N".into(),
                    ));
                }
            };
            let index = id.checked_sub(min).ok_or_else(|| {
                AppError::Usage(format!(
                    "SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"
                ))
            })?;
            return ShardSpec::new(index, count)
                .map(Some)
                .map_err(|e| usage(e, "the Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT)"));
        }
        if let Some(index) = var("JOB_COMPLETION_INDEX")? {
            let Some(count) = shard_count else {
                return Err(AppError::Usage(
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give --shard-count N, the Job's completions".into(),
                ));
            };
            return ShardSpec::new(index, count).map(Some).map_err(|e| {
                usage(
                    e,
                    "the Kubernetes Indexed Job (JOB_COMPLETION_INDEX of --shard-count)",
                )
            });
        }
        match shard_count {
            Some(n) => Err(AppError::Usage(format!(
                "--shard-count {n} needs a shard index: --shard I/{n}, or JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment"
            ))),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn shard_text_is_a_zero_based_index_below_the_count() {
        assert_eq!(
            ShardSpec::parse("0/4"),
            Ok(ShardSpec { index: 0, count: 4 })
        );
        assert_eq!(
            ShardSpec::parse("3/4"),
            Ok(ShardSpec { index: 3, count: 4 })
        );
        assert!(ShardSpec::parse("4/4").is_err());
        assert!(ShardSpec::parse("0/0").is_err());
        assert!(ShardSpec::parse("1").is_err());
        assert!(ShardSpec::parse("-1/4").is_err());
        assert!(ShardSpec::parse("a/4").is_err());
        assert_eq!(ShardSpec::parse("0/1_000").unwrap().count, 1000);
    }

    #[test]
    fn slurm_array_index_is_normalised_by_its_minimum() {
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "16"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
        ]);
        let s = ShardSpec::resolve(None, None, &e).unwrap();
        assert_eq!(
            s,
            Some(ShardSpec {
                index: 15,
                count: 16
            })
        );
    }

    #[test]
    fn kubernetes_completion_index_needs_the_shard_count() {
        let e = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert!(ShardSpec::resolve(None, None, &e).is_err());
        let s = ShardSpec::resolve(None, Some(8), &e).unwrap();
        assert_eq!(s, Some(ShardSpec { index: 2, count: 8 }));
        assert!(
            ShardSpec::resolve(None, Some(2), &e).is_err(),
            "index 2 of 2"
        );
    }

    #[test]
    fn the_flag_wins_over_the_environment_and_no_shard_is_none() {
        let e = env(&[("JOB_COMPLETION_INDEX", "2")]);
        let flag = ShardSpec::parse("1/3").ok();
        assert_eq!(ShardSpec::resolve(flag, None, &e).unwrap(), flag);
        assert!(ShardSpec::resolve(flag, Some(4), &e).is_err());
        assert_eq!(ShardSpec::resolve(None, None, &env(&[])).unwrap(), None);
        assert!(ShardSpec::resolve(None, Some(4), &env(&[])).is_err());
    }
}
