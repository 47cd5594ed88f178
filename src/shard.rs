//! Sharded work (model.md section 14): which share of the runs (or of a
//! sweep's points) one process computes, where that comes from (the
//! command line, a Slurm job array, a Kubernetes Indexed Job), and the
//! versioned partial file a shard writes for `tcsim merge`.

use crate::error::AppError;

pub mod run;

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

    /// The name of the part a shard rerun after a bracket miss writes:
    /// `part-I-of-N.gaps.tcsim`.
    pub fn gaps_file_name(&self) -> String {
        format!("part-{}-of-{}.gaps.tcsim", self.index, self.count)
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
            // The index is taken relative to a contiguous array: a step, or
            // a resubmitted subset (`--array=5,9`), would map tasks onto the
            // wrong shards.
            if let Some(step) = var("SLURM_ARRAY_TASK_STEP")?.filter(|&s| s != 1) {
                return Err(AppError::Usage(format!(
                    "SLURM_ARRAY_TASK_STEP={step}: a job array with a step does not number shards 0 to N-1; give --shard I/N"
                )));
            }
            if let Some(max) = var("SLURM_ARRAY_TASK_MAX")?
                && max.checked_sub(min).map(|d| d + 1) != Some(count)
            {
                return Err(AppError::Usage(format!(
                    "the Slurm job array runs {count} tasks from {min} to {max}, not a contiguous range (a resubmitted subset?): give each task --shard I/N"
                )));
            }
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
    fn a_slurm_array_with_a_step_or_gaps_is_refused() {
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert!(ShardSpec::resolve(None, None, &stepped).is_err());
        // `--array=5,9` resubmitted: two tasks, 5 to 9.
        let subset = env(&[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ]);
        let e = ShardSpec::resolve(None, None, &subset).unwrap_err();
        assert!(e.to_string().contains("not a contiguous range"), "{e}");
        let whole = env(&[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "15"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
            ("SLURM_ARRAY_TASK_STEP", "1"),
        ]);
        assert_eq!(
            ShardSpec::resolve(None, None, &whole).unwrap(),
            Some(ShardSpec {
                index: 9,
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

    fn header(i: u64, n: u64, seed: u64) -> PartHeader {
        let spec = ShardSpec::new(i, n).unwrap();
        let settings = serde_json::json!({ "runs": 1000, "seed": seed });
        PartHeader::new(
            "run",
            spec,
            std::path::Path::new("a.toml"),
            "x = 1\n",
            settings,
        )
    }

    #[test]
    fn a_part_reads_back_its_header_and_body() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_part(dir.path(), &header(1, 3, 7), b"\x00body\n").unwrap();
        assert_eq!(path.file_name().unwrap(), "part-1-of-3.tcsim");
        let (h, body) = read_part(&path).unwrap();
        assert_eq!(h, header(1, 3, 7));
        assert_eq!(body, b"\x00body\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no lock or temporary file is left");
    }

    #[test]
    fn parts_of_different_runs_or_an_incomplete_set_are_refused() {
        let part = |i, n, seed| {
            (
                std::path::PathBuf::from(format!("p{i}")),
                header(i, n, seed),
                Vec::new(),
            )
        };
        let err = |v| check_set(v).unwrap_err().to_string();
        assert!(err(vec![part(0, 2, 1), part(1, 2, 2)]).contains("seed is 1 in the first, 2"));
        assert!(err(vec![part(0, 2, 1), part(1, 3, 1)]).contains("number of shards"));
        assert!(err(vec![part(0, 3, 1), part(2, 3, 1)]).contains("missing part-1-of-3.tcsim"));
        assert!(err(vec![part(0, 2, 1), part(0, 2, 1)]).contains("both shard 0/2"));
        let ok = check_set(vec![part(1, 2, 1), part(0, 2, 1)]).unwrap();
        assert_eq!(ok[0].1.shard, 0);
    }

    #[test]
    fn a_file_that_is_not_a_part_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("percentiles.csv");
        std::fs::write(&path, "strategy,year\n").unwrap();
        let e = read_part(&path).unwrap_err();
        assert!(
            e.to_string()
                .contains("percentiles.csv: not a tcsim partial file"),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
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

// ------------------------------------------------------- partial files

/// The partial-file format's version: a part is merged only by a tcsim of
/// the same version writing the same format.
pub const PART_FORMAT: u32 = 1;

/// The first line of every partial file (JSON); the body, in the kind's own
/// encoding, follows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartHeader {
    /// Always `"tcsim-part"`.
    pub format: String,
    /// [`PART_FORMAT`] of the tcsim that wrote it.
    pub version: u32,
    /// The version of the tcsim that wrote it.
    pub tcsim: String,
    /// `"run"` or `"sweep"`.
    pub kind: String,
    /// This part's shard index (0-based).
    pub shard: u64,
    /// The number of shards.
    pub shards: u64,
    /// The scenario file as the user named it.
    pub scenario: String,
    /// The scenario file's text, so `merge` needs nothing but the parts.
    pub text: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// What else decides the bytes (run count, seed, output flags, a
    /// sweep's axes): equal in every part of one set.
    pub settings: serde_json::Value,
}

const MAGIC: &str = "tcsim-part";

impl PartHeader {
    /// A header for shard `spec` of a `kind` computation of the scenario
    /// `scenario` (its `text`) with `settings`.
    pub fn new(
        kind: &str,
        spec: ShardSpec,
        scenario: &std::path::Path,
        text: &str,
        settings: serde_json::Value,
    ) -> PartHeader {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(text.as_bytes());
        PartHeader {
            format: MAGIC.into(),
            version: PART_FORMAT,
            tcsim: env!("CARGO_PKG_VERSION").into(),
            kind: kind.into(),
            shard: spec.index,
            shards: spec.count,
            scenario: scenario.display().to_string(),
            text: text.into(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            settings,
        }
    }

    /// The file's name: `part-I-of-N.tcsim`, or `part-I-of-N.gaps.tcsim`
    /// for the values a shard rerun gathers after a bracket miss (kind
    /// `"gaps"`).
    pub fn file_name(&self) -> String {
        match self.kind.as_str() {
            "gaps" => self.spec().gaps_file_name(),
            _ => self.spec().file_name(),
        }
    }

    /// Its shard.
    pub fn spec(&self) -> ShardSpec {
        ShardSpec {
            index: self.shard,
            count: self.shards,
        }
    }
}

fn io_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io { path, source }
}

/// Writes shard `header.spec()`'s partial file into `dir` (created if
/// needed) as [`PartHeader::file_name`]: the header line, then `body`.
/// Shards share a folder, so only this file is locked (see
/// [`PartWriter`]).
pub fn write_part(
    dir: &std::path::Path,
    header: &PartHeader,
    body: &[u8],
) -> Result<std::path::PathBuf, AppError> {
    let mut w = PartWriter::create(dir, header)?;
    w.write(body)?;
    w.finish()
}

/// A partial file being written, its body piece by piece (a shard's rows
/// of `samples.csv` can be larger than memory). Shards share a folder, so
/// only this file is locked (a sibling `.NAME.lock`, held from
/// [`PartWriter::create`] to [`PartWriter::finish`]): a second process
/// writing the same shard fails at once. The file is written to a
/// temporary file and renamed into place, so a part on disk is always
/// whole; dropped without `finish` (an error, a signal), nothing is left.
pub struct PartWriter {
    target: std::path::PathBuf,
    tmp: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
    /// Held for the writer's life; dropped (after the temporary file, so
    /// after the rename of a finished part) it removes the lock file.
    _lock: crate::report::FileLock,
}

impl PartWriter {
    /// Locks the part's file name in `dir` (created if needed) and starts
    /// its temporary file with the header line.
    pub fn create(dir: &std::path::Path, header: &PartHeader) -> Result<PartWriter, AppError> {
        use std::io::Write as _;
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let name = header.file_name();
        let target = dir.join(&name);
        let lock = crate::report::FileLock::acquire(
            &dir.join(format!(".{name}.lock")),
            &target,
            "another tcsim process is writing this shard; wait for it, or give another --out",
        )?;
        let tmp = temp_builder(&format!(".{name}."))
            .tempfile_in(dir)
            .map_err(io_error(dir))?;
        let mut tmp = std::io::BufWriter::with_capacity(1 << 20, tmp);
        let line = serde_json::to_string(header)
            .map_err(|e| AppError::Internal(format!("cannot encode a part header: {e}")))?;
        let path = tmp.get_ref().path().to_path_buf();
        tmp.write_all(line.as_bytes())
            .and_then(|()| tmp.write_all(b"\n"))
            .map_err(io_error(&path))?;
        Ok(PartWriter {
            target,
            tmp: Some(tmp),
            _lock: lock,
        })
    }

    /// Appends `bytes` to the body.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        use std::io::Write as _;
        let tmp = self.tmp.as_mut().expect("written until finished");
        let path = tmp.get_ref().path().to_path_buf();
        tmp.write_all(bytes).map_err(io_error(&path))
    }

    /// Flushes the part to disk and renames it into place; returns its path.
    pub fn finish(mut self) -> Result<std::path::PathBuf, AppError> {
        let tmp = self.tmp.take().expect("finished once");
        let path = tmp.get_ref().path().to_path_buf();
        let tmp = tmp.into_inner().map_err(|e| AppError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        tmp.as_file().sync_all().map_err(io_error(&path))?;
        tmp.persist(&self.target).map_err(|e| AppError::Io {
            path: self.target.clone(),
            source: e.error,
        })?;
        Ok(self.target.clone())
    }
}

/// A temporary file's builder: named `PREFIX*.tmp`, and created with the
/// permissions a new file gets (0666 less the umask; a temporary file's
/// default is owner-only), since parts are read by other jobs and users.
pub fn temp_builder(prefix: &str) -> tempfile::Builder<'_, '_> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

/// The longest header line read: the scenario's text (at most 1 MiB) as a
/// JSON string, every byte escaped at worst, and the settings.
const MAX_HEADER_BYTES: u64 = 8 << 20;

/// Reads a partial file's header and returns it with a reader at the start
/// of its body. A file that is not one is an error naming it (exit 2).
pub fn open_part(
    path: &std::path::Path,
) -> Result<(PartHeader, std::io::BufReader<std::fs::File>), AppError> {
    use std::io::{BufRead as _, Read as _};
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let not_a_part = || {
        AppError::Usage(format!(
            "{}: not a tcsim partial file (written by `tcsim run --shard I/N` or `tcsim sweep --shard I/N`)",
            path.display()
        ))
    };
    let mut line = Vec::new();
    (&mut reader)
        .take(MAX_HEADER_BYTES)
        .read_until(b'\n', &mut line)
        .map_err(io_error(path))?;
    if line.pop() != Some(b'\n') {
        return Err(not_a_part());
    }
    let value: serde_json::Value = serde_json::from_slice(&line).map_err(|_| not_a_part())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(MAGIC) {
        return Err(not_a_part());
    }
    let (version, tcsim) = (
        value.get("version").and_then(|v| v.as_u64()),
        value.get("tcsim").and_then(|v| v.as_str()).unwrap_or("?"),
    );
    if version != Some(u64::from(PART_FORMAT)) || tcsim != env!("CARGO_PKG_VERSION") {
        return Err(AppError::Usage(format!(
            "{}: written by tcsim {tcsim} (part format {}); this is tcsim {} (part format {PART_FORMAT}): rerun that shard with this tcsim",
            path.display(),
            version.map_or("?".into(), |v| v.to_string()),
            env!("CARGO_PKG_VERSION"),
        )));
    }
    let header: PartHeader = serde_json::from_value(value).map_err(|_| not_a_part())?;
    if header.shards == 0 || header.shard >= header.shards {
        return Err(not_a_part());
    }
    Ok((header, reader))
}

/// Reads a partial file: its header and body. A file that is not one is an
/// error naming it (exit 2).
pub fn read_part(path: &std::path::Path) -> Result<(PartHeader, Vec<u8>), AppError> {
    use std::io::Read as _;
    let (header, mut reader) = open_part(path)?;
    let mut body = Vec::new();
    reader.read_to_end(&mut body).map_err(io_error(path))?;
    Ok((header, body))
}

/// Checks that `parts` are every shard of one computation, once each, and
/// returns them in shard order. The errors name the files and what differs.
pub fn check_set(
    mut parts: Vec<(std::path::PathBuf, PartHeader, Vec<u8>)>,
) -> Result<Vec<(std::path::PathBuf, PartHeader, Vec<u8>)>, AppError> {
    let Some((first_path, first, _)) = parts.first() else {
        return Err(AppError::Usage(
            "tcsim merge: give the partial files to merge".into(),
        ));
    };
    let (first_path, first) = (first_path.clone(), first.clone());
    for (path, h, _) in &parts[1..] {
        let differs = |what: &str, a: String, b: String| {
            AppError::Usage(format!(
                "{} and {} are parts of different computations: {what} {a} in the first, {b} in the second; merge only the parts of one `--shard` set",
                first_path.display(),
                path.display()
            ))
        };
        if h.kind != first.kind {
            return Err(differs(
                "a",
                format!("{} part", first.kind),
                format!("{} part", h.kind),
            ));
        }
        if h.shards != first.shards {
            return Err(differs(
                "the number of shards is",
                first.shards.to_string(),
                h.shards.to_string(),
            ));
        }
        if h.sha256 != first.sha256 {
            return Err(differs(
                "the scenario is",
                format!("{} (sha256 {:.12})", first.scenario, first.sha256),
                format!("{} (sha256 {:.12})", h.scenario, h.sha256),
            ));
        }
        if h.settings != first.settings {
            let (a, b) = (&first.settings, &h.settings);
            let key = match (a.as_object(), b.as_object()) {
                (Some(a), Some(b)) => a
                    .keys()
                    .chain(b.keys())
                    .find(|k| a.get(*k) != b.get(*k))
                    .cloned(),
                _ => None,
            };
            return Err(match key {
                Some(k) => differs(
                    &format!("{k} is"),
                    a.get(&k).map_or("unset".into(), |v| v.to_string()),
                    b.get(&k).map_or("unset".into(), |v| v.to_string()),
                ),
                None => differs("the settings are", a.to_string(), b.to_string()),
            });
        }
    }
    parts.sort_by_key(|(_, h, _)| h.shard);
    for w in parts.windows(2) {
        if w[0].1.shard == w[1].1.shard {
            return Err(AppError::Usage(format!(
                "{} and {} are both shard {}/{}: give each shard once",
                w[0].0.display(),
                w[1].0.display(),
                w[0].1.shard,
                w[0].1.shards
            )));
        }
    }
    if parts.len() as u64 != first.shards {
        let have: std::collections::BTreeSet<u64> = parts.iter().map(|(_, h, _)| h.shard).collect();
        let missing: Vec<String> = (0..first.shards)
            .filter(|i| !have.contains(i))
            .take(20)
            .map(|i| format!("part-{i}-of-{}.tcsim", first.shards))
            .collect();
        return Err(AppError::Usage(format!(
            "tcsim merge: {} of {} shards given; missing {}{}",
            parts.len(),
            first.shards,
            missing.join(", "),
            if first.shards as usize - parts.len() > missing.len() {
                ", ..."
            } else {
                ""
            }
        )));
    }
    Ok(parts)
}
