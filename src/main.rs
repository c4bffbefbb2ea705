//! The `posture` binary: parses the command line, sets up logging on stderr, calls
//! [`posture::run`], and turns its result into the exit status. The one exit point (ripgrep's
//! `main.rs`): 0 when it succeeded, 1 when the answer is bad (`diff` found a regression, `verify` a
//! snapshot that is not as written), 2 when posture failed, 3 when a scan finished but could not
//! read everything.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use posture::Completion;
use posture::cli::Cli;

/// mimalloc rather than the system allocator (ripgrep's choice of jemalloc, for the same
/// reason): `render` makes millions of small allocations on several threads, and glibc's malloc
/// spent a fifth of its time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The environment variable holding the log filter (`tracing_subscriber` directives).
const LOG_ENV: &str = "POSTURE_LOG";
/// Our progress at info; everything else only when something is wrong; the SDK's credential and
/// runtime crates (`aws_config`, `aws_smithy_*`) only when it fails outright. Their warnings say,
/// with `Debug` dumps of their internals, what posture's own error line then says in words (a
/// `credential_process` that failed, a profile that sources itself), and they came first;
/// `POSTURE_LOG=warn` (or `aws_config=debug`, ...) shows them again.
const DEFAULT_LOG_FILTER: &str = "warn,posture=info,aws_config=error,aws_smithy=error";

/// The answer is bad: a regression, a broken chain.
const EXIT_BAD: u8 = 1;
const EXIT_FAILURE: u8 = 2;
/// A scan that finished but could not read everything (its snapshot has ERROR verdicts).
const EXIT_DONE_WITH_ERRORS: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` and `--version` land here too, on stdout with status 0; usage errors go to
            // stderr with status 2.
            posture::output::report_usage_error(&err);
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(EXIT_FAILURE));
        }
    };
    if let Err(err) = init_tracing() {
        posture::output::report_error(&err);
        return ExitCode::from(EXIT_FAILURE);
    }
    match posture::run(cli) {
        Ok(Completion::Done) => ExitCode::SUCCESS,
        Ok(Completion::DoneWithErrors) => ExitCode::from(EXIT_DONE_WITH_ERRORS),
        Ok(Completion::Bad) => ExitCode::from(EXIT_BAD),
        // `posture … | head`: the reader left, which is not a failure of ours.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            posture::output::report_error(&err);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Logs go to stderr, filtered by `POSTURE_LOG`, in colour only when stderr is a terminal.
fn init_tracing() -> anyhow::Result<()> {
    let filter = match std::env::var(LOG_ENV) {
        Ok(directives) => EnvFilter::try_new(&directives).map_err(|err| {
            anyhow::anyhow!("{LOG_ENV}={directives:?} is not a valid filter: {err}")
        })?,
        Err(_) => EnvFilter::new(DEFAULT_LOG_FILTER),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();
    Ok(())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
