//! Reports: one writer per output format, and the single place that puts
//! files on disk (whole or not at all).

pub mod csv;
pub mod describe;
pub mod json;
pub mod plot;
pub mod samples;
pub mod summary;
pub mod sweep;
pub mod table;
pub mod trace;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::engine::Results;
use crate::error::AppError;
use crate::model::Scenario;

/// Dollars rounded to cents, plain: no exponent, no separators, and never
/// `-0.00`.
pub fn money(x: f64) -> String {
    let mut out = Vec::with_capacity(16);
    write_money(&mut out, x);
    String::from_utf8(out).expect("digits are ASCII")
}

/// [`money`] appended to `out` without an allocation of its own (the
/// samples file writes two per row).
pub fn write_money(out: &mut Vec<u8>, x: f64) {
    debug_assert!(x.is_finite(), "the engine only produces finite values");
    let start = out.len();
    let _ = write!(out, "{x:.2}");
    if out[start..] == *b"-0.00" {
        out.truncate(start);
        out.extend_from_slice(b"0.00");
    }
}

/// A probability rounded to 4 decimals.
pub fn probability(x: f64) -> String {
    format!("{x:.4}")
}

/// A percentile column label: `p5`, `p2.5`.
pub fn percentile_label(p: f64) -> String {
    format!("p{p}")
}

/// The result tables' file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `percentiles.csv` and `compare.csv`.
    Csv,
    /// `percentiles.json` and `compare.json`.
    Json,
}

/// The two result tables as `(file name, bytes)` in `format`.
pub fn tables(
    format: Format,
    scenario: &Scenario,
    r: &Results,
) -> Result<[(&'static str, Vec<u8>); 2], AppError> {
    let (percentiles, compare) = (table::percentiles(scenario, r), table::compare(scenario, r));
    Ok(match format {
        Format::Csv => [
            ("percentiles.csv", csv::write(&percentiles)?),
            ("compare.csv", csv::write(&compare)?),
        ],
        Format::Json => [
            ("percentiles.json", json::write(&percentiles)?),
            ("compare.json", json::write(&compare)?),
        ],
    })
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io { path, source }
}

/// Writes every `(name, bytes)` into `dir` atomically (see [`Staging`]).
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Vec<PathBuf>, AppError> {
    let mut staging = Staging::new(dir)?;
    for (name, bytes) in files {
        staging.add(name, bytes)?;
    }
    staging.commit()
}

/// Output files on their way into a directory, whole or not at all: each
/// file is written to a temporary file in the directory first, and only
/// when all of them are written and every target is known to be replaceable
/// does [`Staging::commit`] rename them over the targets. Dropping a
/// staging without committing (an error, Ctrl-C) leaves the previous files
/// untouched, removes the temporary ones and any directory it created.
/// (A rename failing after a first one succeeded would take a failing file
/// system; each file is still whole.)
pub struct Staging {
    dir: PathBuf,
    staged: Vec<(NamedTempFile, PathBuf)>,
    /// Directories [`Staging::new`] created, deepest first.
    created: Vec<PathBuf>,
}

impl Staging {
    /// Creates `dir` if needed.
    pub fn new(dir: &Path) -> Result<Staging, AppError> {
        let mut created = Vec::new();
        let mut missing = Some(dir);
        while let Some(d) = missing {
            if d.as_os_str().is_empty() || d.exists() {
                break;
            }
            created.push(d.to_path_buf());
            missing = d.parent();
        }
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
            created,
        })
    }

    /// Stages `name` with contents `bytes`.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), AppError> {
        let mut stream = self.begin(name)?;
        stream.write(bytes)?;
        self.push(stream)
    }

    /// Starts a temporary file for `name`, to be written piece by piece (a
    /// file too big to hold in memory) while other files are staged. It is
    /// staged, in the order of the calls, by [`Staging::push`]; dropped, it
    /// is removed.
    pub fn begin(&self, name: &str) -> Result<Stream, AppError> {
        let target = self.dir.join(name);
        // A directory in the way would make its rename fail after the
        // others succeeded: refuse before touching anything.
        if target.is_dir() {
            return Err(AppError::Io {
                path: target,
                source: std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a directory, not a file",
                ),
            });
        }
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Ask for 0666 so the umask decides, as for any new file (the
        // default for temporary files is owner-only 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(&self.dir)
            .map_err(io_error(&self.dir))?;
        Ok(Stream {
            file: BufWriter::with_capacity(1 << 20, tmp),
            target,
        })
    }

    /// Flushes `stream` to disk and stages it after the files staged so far.
    pub fn push(&mut self, stream: Stream) -> Result<(), AppError> {
        let (tmp, target) = stream.finish()?;
        self.staged.push((tmp, target));
        Ok(())
    }

    /// Renames every staged file over its target, in the order staged, and
    /// returns the targets.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, AppError> {
        let staged = std::mem::take(&mut self.staged);
        // The directories now hold the outputs: keep them whatever happens.
        self.created.clear();
        let mut written = Vec::with_capacity(staged.len());
        for (tmp, target) in staged {
            tmp.persist(&target).map_err(|e| AppError::Io {
                path: target.clone(),
                source: e.error,
            })?;
            written.push(target);
        }
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Temporary files first, so that a directory created for them is
        // empty again; one holding anything else stays.
        self.staged.clear();
        for d in &self.created {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// One file being written before it is staged (see [`Staging::begin`]).
pub struct Stream {
    file: BufWriter<NamedTempFile>,
    target: PathBuf,
}

impl Stream {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.file
            .write_all(bytes)
            .map_err(io_error(self.file.get_ref().path()))
    }

    /// Flushes the file to disk.
    fn finish(self) -> Result<(NamedTempFile, PathBuf), AppError> {
        let path = self.file.get_ref().path().to_path_buf();
        let tmp = self.file.into_inner().map_err(|e| AppError::Io {
            path,
            source: e.into_error(),
        })?;
        tmp.as_file().sync_all().map_err(io_error(tmp.path()))?;
        Ok((tmp, self.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_plain_and_never_negative_zero() {
        assert_eq!(money(0.1 + 0.2), "0.30");
        assert_eq!(money(-0.001), "0.00");
        assert_eq!(money(1e16), "10000000000000000.00");
        assert_eq!(money(-1234.567), "-1234.57");
    }

    #[test]
    fn write_money_appends_what_money_returns() {
        let mut out = b"x,".to_vec();
        for x in [0.1 + 0.2, -0.001, -0.005, 1e16, -1234.567, 2.675] {
            write_money(&mut out, x);
            out.push(b',');
        }
        let want: Vec<String> = [0.1 + 0.2, -0.001, -0.005, 1e16, -1234.567, 2.675]
            .iter()
            .map(|&x| money(x))
            .collect();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("x,{},", want.join(","))
        );
    }

    #[test]
    fn probability_has_four_decimals() {
        assert_eq!(probability(0.642), "0.6420");
        assert_eq!(probability(1.0), "1.0000");
    }

    #[test]
    fn percentile_labels_follow_the_requested_values() {
        assert_eq!(percentile_label(5.0), "p5");
        assert_eq!(percentile_label(2.5), "p2.5");
    }

    #[test]
    fn write_files_replaces_targets_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "old").unwrap();
        write_files(
            dir.path(),
            &[("a.csv", b"new".to_vec()), ("b.csv", b"b".to_vec())],
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "new"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_dropped_staging_leaves_no_trace_not_even_the_directory_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a").join("b");
        {
            let mut staging = Staging::new(&out).unwrap();
            staging.add("x.csv", b"x").unwrap();
            let mut stream = staging.begin("y.csv").unwrap();
            stream.write(b"partial").unwrap();
            drop(stream);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_streamed_file_is_committed_with_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path()).unwrap();
        let mut stream = staging.begin("big.csv").unwrap();
        stream.write(b"a,").unwrap();
        stream.write(b"b\n").unwrap();
        staging.push(stream).unwrap();
        staging.add("small.csv", b"s").unwrap();
        assert!(
            !dir.path().join("big.csv").exists(),
            "nothing before commit"
        );
        let written = staging.commit().unwrap();
        assert_eq!(
            written,
            [dir.path().join("big.csv"), dir.path().join("small.csv")]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("big.csv")).unwrap(),
            "a,b\n"
        );
    }
}
