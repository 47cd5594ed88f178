//! The terminal: progress bars on stderr, text on stdout, and the signals
//! that stop a run (Ctrl-C, `kill`, a closed terminal).

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, OnceLock};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::error::AppError;

/// The number of the last SIGINT, SIGTERM or SIGHUP received, 0 before any.
/// The handlers only set it (signal-hook's flags); the run driver polls it
/// between blocks of 64 runs and every later phase between steps, so a run
/// stops within milliseconds, its temporary files are removed as it
/// unwinds, and earlier outputs are left as they were.
pub fn interrupt_flag() -> &'static AtomicUsize {
    static FLAG: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // Registration fails only for forbidden signals, none of these;
            // without it the default action (terminate) still applies. A
            // second signal ends the process at once (the conditional
            // shutdown sees the first one's mark), for a user who will not
            // wait for the cleanup.
            let status = 128 + signal;
            let _ =
                signal_hook::flag::register_conditional_shutdown(signal, status, Arc::clone(&seen));
            let _ = signal_hook::flag::register(signal, Arc::clone(&seen));
            let _ = signal_hook::flag::register_usize(signal, Arc::clone(&flag), signal as usize);
        }
        flag
    })
}

/// The bar's template: `{rate}` is [`whole_rate`] of indicatif's rate
/// (its own `{per_sec}` prints four decimals: `184,423.2962/s`).
const BAR_TEMPLATE: &str = "{bar:40} {human_pos}/{human_len} runs  {rate}/s  eta {eta}";

/// A bar on stderr when it is a terminal, advanced once per chunk of runs
/// (the engine's callback; the rate is indicatif's, formatted when it
/// draws, at most a few times a second, so a run costs nothing more).
pub fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    bar.set_style(bar_style());
    bar
}

/// The bar's style: [`BAR_TEMPLATE`] with its `{rate}` key.
fn bar_style() -> ProgressStyle {
    // The template is a constant that parses (tested); should it not, the
    // default style still shows the bar.
    match ProgressStyle::with_template(BAR_TEMPLATE) {
        Ok(style) => style.with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
            let _ = w.write_str(&whole_rate(state.per_sec()));
        }),
        Err(_) => ProgressStyle::default_bar(),
    }
}

/// A rate of runs per second as a whole number with thousands separators
/// (`184,423`); `0` before there is one to show (indicatif's rate is not
/// finite until time has passed).
pub fn whole_rate(per_sec: f64) -> String {
    match per_sec.is_finite() && per_sec > 0.0 {
        true => crate::report::summary::dollars(per_sec),
        false => "0".into(),
    }
}

/// Prints a status line (`wrote ...`) to stderr, so that stdout holds only
/// the results; like [`print_warning`] it never fails.
pub fn print_status(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", escape_controls(message)).and_then(|()| err.flush());
}

/// Writes bytes to stdout as they are, for output tcsim generates from its
/// own definition (a completion script, the man page: tabs must stay
/// tabs). A closed pipe is not an error, as for [`print_stdout`].
pub fn print_stdout_bytes(bytes: &[u8]) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Io {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Prints to stdout. A closed pipe (`tcsim ... | head`) is not an error
/// (ripgrep's rule); any other failure (a full disk, `> /dev/full`) is.
pub fn print_stdout(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(escape_controls(text).as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Io {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Prints one error line to stderr. A stderr that cannot be written (full,
/// closed) loses the line; it never panics.
pub fn print_error(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {}", escape_controls(message)).and_then(|()| err.flush());
}

/// Prints a warning line to stderr (never fails, like [`print_error`]).
pub fn print_warning(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "warning: {}", escape_controls(message)).and_then(|()| err.flush());
}

/// `text` with every control character but the line feed written as a
/// visible escape (`\u{1b}` for ESC), so no value from a file can move the
/// cursor, recolour the terminal or rewrite a line.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_rate_is_a_whole_number_with_thousands_separators() {
        assert_eq!(whole_rate(184_423.296_2), "184,423");
        assert_eq!(whole_rate(1_234_567.5), "1,234,568");
        assert_eq!(whole_rate(999.49), "999");
        for nothing_yet in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(whole_rate(nothing_yet), "0");
        }
    }

    #[test]
    fn the_progress_template_parses_and_uses_the_whole_rate() {
        assert!(ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
        assert!(BAR_TEMPLATE.contains("{rate}") && !BAR_TEMPLATE.contains("per_sec"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal_raw() {
        assert_eq!(escape_controls("plain\ntext"), "plain\ntext");
        assert_eq!(
            escape_controls("a\u{1b}[31mred\r\t"),
            "a\\u{1b}[31mred\\u{d}\\u{9}"
        );
        assert_eq!(escape_controls("\u{9b}x"), "\\u{9b}x");
    }
}
