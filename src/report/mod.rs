//! Reports: one writer per output format, and the single place that puts
//! files on disk (whole or not at all).

pub mod csv;
pub mod summary;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::AppError;

/// Dollars rounded to cents, plain: no exponent, no separators, and never
/// `-0.00`.
pub fn money(x: f64) -> String {
    debug_assert!(x.is_finite(), "the engine only produces finite values");
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".into() } else { s }
}

/// A probability rounded to 4 decimals.
pub fn probability(x: f64) -> String {
    format!("{x:.4}")
}

/// A percentile column label: `p5`, `p2.5`.
pub fn percentile_label(p: f64) -> String {
    format!("p{p}")
}

/// Writes every `(name, bytes)` into `dir` atomically: each file is written
/// to a temporary file in `dir` first, and only when all of them are written
/// and every target is known to be replaceable are they renamed over the
/// targets. An error before the renames leaves the previous files untouched
/// and removes the temporary ones. (A rename failing after a first one
/// succeeded would take a failing file system; each file is still whole.)
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Vec<PathBuf>, AppError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AppError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
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
        let mut tmp = builder.tempfile_in(dir).map_err(io(dir))?;
        tmp.write_all(bytes).map_err(io(tmp.path()))?;
        tmp.as_file().sync_all().map_err(io(tmp.path()))?;
        staged.push((tmp, target));
    }
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
}
