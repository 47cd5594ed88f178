use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tcsim::cli::Cli::parse();
    match tcsim::app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
