use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tcsim::cli::Cli::parse();
    match tcsim::app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tcsim::terminal::print_error(&e.to_string());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
