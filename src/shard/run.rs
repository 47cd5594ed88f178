//! The partial files of a sharded run (`tcsim run FILE --shard I/N`, kind
//! `"run"`), those of a shard rerun after a bracket miss (`--resolve
//! misses.json`, kind `"gaps"`), and the `misses.json` a merge writes when
//! it needs them.
//!
//! A part's body, after its JSON header line, is a sequence of sections,
//! each a tag byte, a little-endian `u64` length and that many bytes:
//!
//! | tag | section |
//! |---|---|
//! | 1 | rows of `samples.csv`, the shard's runs in run order (any number of sections, one per chunk; none without `--samples`) |
//! | 2 | the shard's summaries, level counts and decision figures ([`crate::engine::ShardResults::encode`]) |
//! | 3 | the histogram's bins and counts (with `--plot` or `--report`; [`crate::report::plot::Histogram::encode`]) |
//! | 4 | a gaps part's values in the missed gaps ([`crate::stats::GapValues::encode`]) |
//! | 0 | the end: length 0, always last |
//!
//! The rows come first because they are written while the shard runs; a
//! merge skips over them to read the statistics, and copies them into
//! `samples.csv` only once every part has been read and checked.

use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use super::{PartHeader, PartWriter};
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::config::{Overrides, RunConfig};
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::Format;
use crate::report::samples::Sink;
use crate::stats::Gaps;

/// The kind of a run's part.
pub const RUN: &str = "run";
/// The kind of a shard rerun's part after a bracket miss.
pub const GAPS: &str = "gaps";

/// Section tags.
pub mod tag {
    /// The last section, of length 0.
    pub const END: u8 = 0;
    /// Rows of `samples.csv`.
    pub const SAMPLES: u8 = 1;
    /// The shard's statistics.
    pub const STATS: u8 = 2;
    /// The histogram's share.
    pub const HISTOGRAM: u8 = 3;
    /// Values in the missed gaps.
    pub const GAP_VALUES: u8 = 4;
}

/// Writes a part's body as sections.
pub struct Sections<'a>(pub &'a mut PartWriter);

impl Sections<'_> {
    /// Writes section `tag` holding `bytes`.
    pub fn write(&mut self, tag: u8, bytes: &[u8]) -> Result<(), AppError> {
        let mut head = [0u8; 9];
        head[0] = tag;
        head[1..].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.write(&head)?;
        self.0.write(bytes)
    }

    /// Writes section `tag` holding what `encode` writes.
    pub fn encode(&mut self, tag: u8, encode: impl FnOnce(&mut Encoder)) -> Result<(), AppError> {
        let mut e = Encoder::new();
        encode(&mut e);
        self.write(tag, &e.into_bytes())
    }

    /// Writes the end section.
    pub fn end(&mut self) -> Result<(), AppError> {
        self.write(tag::END, &[])
    }
}

impl Sink for Sections<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        Sections::write(self, tag::SAMPLES, bytes)
    }
}

/// A part's body read back: the statistics sections whole, the rows of
/// `samples.csv` as where they are in the file.
pub struct Body {
    path: PathBuf,
    /// Every section but the rows and the end, by tag, each once.
    sections: Vec<(u8, Vec<u8>)>,
    /// Offset and length of each rows section, in order.
    samples: Vec<(u64, u64)>,
}

/// Reads the part at `path`: its header, then its body's sections,
/// skipping over the rows of `samples.csv`.
pub fn read(path: &Path) -> Result<Body, AppError> {
    let (_, reader) = super::open_part(path)?;
    read_body(path, reader)
}

/// Reads the sections of the part at `path` (its header already read by
/// `reader`), skipping over the rows of `samples.csv`.
pub fn read_body(path: &Path, mut reader: BufReader<std::fs::File>) -> Result<Body, AppError> {
    let io = |e: std::io::Error| AppError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut body = Body {
        path: path.to_path_buf(),
        sections: Vec::new(),
        samples: Vec::new(),
    };
    let bad = |why: &str| body_damaged(path, why);
    let size = reader.get_ref().metadata().map_err(io)?.len();
    loop {
        let mut head = [0u8; 9];
        reader.read_exact(&mut head).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => bad("cut short"),
            _ => io(e),
        })?;
        let len = u64::from_le_bytes(head[1..].try_into().expect("eight bytes"));
        let at = reader.stream_position().map_err(io)?;
        if at.checked_add(len).is_none_or(|end| end > size) {
            return Err(bad("a section runs past the end"));
        }
        match head[0] {
            tag::END if len == 0 => break,
            tag::SAMPLES => {
                body.samples.push((at, len));
                reader.seek_relative(len as i64).map_err(io)?;
            }
            t @ (tag::STATS | tag::HISTOGRAM | tag::GAP_VALUES)
                if body.sections.iter().all(|(s, _)| *s != t) =>
            {
                let mut v = vec![0; len as usize];
                reader.read_exact(&mut v).map_err(io)?;
                body.sections.push((t, v));
            }
            t => return Err(bad(&format!("an unexpected section {t}"))),
        }
    }
    if reader.stream_position().map_err(io)? != size {
        return Err(bad("bytes after the end"));
    }
    Ok(body)
}

fn body_damaged(path: &Path, why: &str) -> AppError {
    AppError::Usage(format!(
        "{}: a damaged partial file ({why}); rerun its shard",
        path.display()
    ))
}

impl Body {
    /// The body without its sections, once decoded: where the rows of
    /// `samples.csv` are is all a merge still needs.
    pub fn rows_only(mut self) -> Body {
        self.sections = Vec::new();
        self
    }

    /// Whether the part holds rows of `samples.csv`.
    pub fn has_samples(&self) -> bool {
        !self.samples.is_empty()
    }

    /// Copies the part's rows of `samples.csv` to `sink`, in order.
    pub fn copy_samples(&self, sink: &mut dyn Sink) -> Result<(), AppError> {
        let io = |e: std::io::Error| AppError::Io {
            path: self.path.clone(),
            source: e,
        };
        let mut file = std::fs::File::open(&self.path).map_err(io)?;
        let mut buf = vec![0u8; 1 << 20];
        for &(at, len) in &self.samples {
            file.seek(std::io::SeekFrom::Start(at)).map_err(io)?;
            let mut left = len;
            while left > 0 {
                let n = left.min(buf.len() as u64) as usize;
                file.read_exact(&mut buf[..n]).map_err(io)?;
                sink.write(&buf[..n])?;
                left -= n as u64;
            }
        }
        Ok(())
    }

    /// Decodes section `tag` (`what` it holds) with `decode`, which must
    /// read it whole; a missing or damaged section is an error naming the
    /// part.
    pub fn decode<T>(
        &self,
        tag: u8,
        what: &str,
        decode: impl FnOnce(&mut Decoder<'_>) -> Result<T, DecodeError>,
    ) -> Result<T, AppError> {
        let bytes = self
            .sections
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| self.damaged(&format!("no {what}")))?;
        let mut d = Decoder::new(bytes);
        decode(&mut d)
            .and_then(|v| d.finish(what).map(|()| v))
            .map_err(|e| self.damaged(&e))
    }

    /// An error naming the part: `what` is wrong in it.
    pub fn damaged(&self, what: &str) -> AppError {
        body_damaged(&self.path, what)
    }
}

// ------------------------------------------------------------ settings

/// What decides a run's output bytes beyond the scenario's text: the
/// header's `settings`, equal in every part of one set.
pub fn settings(cfg: &RunConfig, scenario: &Scenario) -> serde_json::Value {
    let years = match &cfg.summary_years {
        None => serde_json::Value::Null,
        Some(list) if list.is_empty() => "all".into(),
        Some(list) => serde_json::json!(list),
    };
    serde_json::json!({
        "runs": scenario.sim.runs,
        "seed": scenario.sim.seed,
        "percentiles": scenario.sim.percentiles,
        "format": match cfg.format {
            Format::Csv => "csv",
            Format::Json => "json",
        },
        "samples": cfg.samples,
        "plot": cfg.plot,
        "report": cfg.report,
        "years": years,
    })
}

/// The run configuration the parts of `header` were made with, writing to
/// `out` (`tcsim merge --out`): the scenario file as the shards named it,
/// `--runs` and `--seed` as they ran, the output flags they were given.
pub fn config(
    path: &Path,
    header: &PartHeader,
    out: &Path,
    quiet: bool,
) -> Result<RunConfig, AppError> {
    let s = &header.settings;
    let bad = |key: &str| {
        AppError::Usage(format!(
            "{}: the part's settings have no valid {key:?}; rerun its shard",
            path.display()
        ))
    };
    let int = |key: &str| s.get(key).and_then(|v| v.as_u64()).ok_or_else(|| bad(key));
    let flag = |key: &str| s.get(key).and_then(|v| v.as_bool()).ok_or_else(|| bad(key));
    let format = match s.get("format").and_then(|v| v.as_str()) {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        _ => return Err(bad("format")),
    };
    let summary_years = match s.get("years") {
        Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(a)) if a == "all" => Some(Vec::new()),
        Some(serde_json::Value::Array(list)) => Some(
            list.iter()
                .map(|y| {
                    y.as_u64()
                        .and_then(|y| u32::try_from(y).ok())
                        .filter(|&y| y >= 1)
                })
                .collect::<Option<Vec<u32>>>()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| bad("years"))?,
        ),
        _ => return Err(bad("years")),
    };
    // The ranges of --runs and --seed.
    let runs = Some(int("runs")?).filter(|r| (1..=1_000_000_000).contains(r));
    let seed = Some(int("seed")?).filter(|&s| s <= i64::MAX as u64);
    Ok(RunConfig {
        file: PathBuf::from(&header.scenario),
        overrides: Overrides {
            runs: Some(runs.ok_or_else(|| bad("runs"))?),
            seed: Some(seed.ok_or_else(|| bad("seed"))?),
        },
        threads: None,
        out_dir: out.to_path_buf(),
        quiet,
        format,
        samples: flag("samples")?,
        plot: flag("plot")?,
        report: flag("report")?,
        summary_years,
    })
}

/// The `settings` of a gaps part: the run it belongs to and which gaps.
pub fn gaps_settings(scenario: &Scenario, gaps: &Gaps) -> serde_json::Value {
    serde_json::json!({
        "runs": scenario.sim.runs,
        "seed": scenario.sim.seed,
        "gaps": fingerprint(gaps),
    })
}

/// A short name of a set of gaps: the SHA-256 of their JSON.
pub fn fingerprint(gaps: &Gaps) -> String {
    let json = serde_json::to_vec(&gaps.to_json()).expect("gaps serialize");
    crate::report::manifest::sha256(&json)
}

// ------------------------------------------------------------ misses.json

/// The file `misses.json`'s name.
pub const MISSES: &str = "misses.json";

/// What a merge that met a bracket miss writes, and a shard rerun reads:
/// the run it belongs to, the shards whose runs hold values in the gaps,
/// and the gaps themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Misses {
    /// The scenario file as the shards named it.
    pub scenario: String,
    /// SHA-256 of its text.
    pub sha256: String,
    /// Runs and seed of the run.
    pub runs: u64,
    /// The seed.
    pub seed: u64,
    /// The number of shards.
    pub shards: u64,
    /// The shards to rerun.
    pub rerun: Vec<u64>,
    /// The gaps, as [`Gaps::to_json`] writes them.
    pub gaps: serde_json::Value,
}

impl Misses {
    /// Pretty JSON with a final line end.
    pub fn to_bytes(&self) -> Vec<u8> {
        let v = serde_json::json!({
            "format": "tcsim-misses",
            "tcsim": env!("CARGO_PKG_VERSION"),
            "scenario": self.scenario,
            "sha256": self.sha256,
            "runs": self.runs,
            "seed": self.seed,
            "shards": self.shards,
            "rerun": self.rerun,
            "gaps": self.gaps,
        });
        let mut out = serde_json::to_vec_pretty(&v).expect("JSON serializes");
        out.push(b'\n');
        out
    }

    /// Writes `dir/misses.json` (created if needed; replaced whole).
    pub fn write(&self, dir: &Path) -> Result<PathBuf, AppError> {
        use std::io::Write as _;
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| AppError::Io { path: p, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let target = dir.join(MISSES);
        let mut tmp = super::temp_builder(".misses.json.")
            .tempfile_in(dir)
            .map_err(io(dir))?;
        tmp.write_all(&self.to_bytes()).map_err(io(&target))?;
        tmp.persist(&target).map_err(|e| AppError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        Ok(target)
    }

    /// Reads `path` (`--resolve FILE`).
    pub fn read(path: &Path) -> Result<Misses, AppError> {
        let bad = |why: &str| {
            AppError::Usage(format!(
                "--resolve {}: {why} (give the misses.json that `tcsim merge` wrote)",
                path.display()
            ))
        };
        let bytes = std::fs::read(path).map_err(|e| bad(&e.to_string()))?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| bad("not a tcsim misses file"))?;
        if v.get("format").and_then(|f| f.as_str()) != Some("tcsim-misses") {
            return Err(bad("not a tcsim misses file"));
        }
        let text = |key: &str| {
            v.get(key)
                .and_then(|x| x.as_str())
                .map(String::from)
                .ok_or_else(|| bad(&format!("no {key}")))
        };
        let int = |key: &str| {
            v.get(key)
                .and_then(|x| x.as_u64())
                .ok_or_else(|| bad(&format!("no {key}")))
        };
        let rerun = v
            .get("rerun")
            .and_then(|r| r.as_array())
            .and_then(|r| r.iter().map(|i| i.as_u64()).collect::<Option<Vec<u64>>>())
            .ok_or_else(|| bad("no rerun"))?;
        Ok(Misses {
            scenario: text("scenario")?,
            sha256: text("sha256")?,
            runs: int("runs")?,
            seed: int("seed")?,
            shards: int("shards")?,
            rerun,
            gaps: v.get("gaps").cloned().ok_or_else(|| bad("no gaps"))?,
        })
    }
}

/// A word of a command line as a POSIX shell reads it: quoted unless it is
/// made only of characters a shell leaves alone.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', "'\\''")),
    }
}

/// The command that reruns shard `index` of the run of `header` to gather
/// the values of `misses` (its part written into `dir`); `index` may be a
/// placeholder.
pub fn rerun_command(
    header: &PartHeader,
    index: &dyn std::fmt::Display,
    misses: &Path,
    dir: &Path,
) -> String {
    let setting = |key: &str| {
        header
            .settings
            .get(key)
            .and_then(|v| v.as_u64())
            .unwrap_or(0)
    };
    format!(
        "tcsim run {} --shard {index}/{} --runs {} --seed {} --resolve {} --out {}",
        shell_word(&header.scenario),
        header.shards,
        setting("runs"),
        setting("seed"),
        shell_word(&misses.display().to_string()),
        shell_word(&dir.display().to_string()),
    )
}
