//! posture audits an AWS Organization: it discovers every member account, collects the facts its
//! checks need, evaluates checks mapped to NIST CSF 2.0, and keeps the result as snapshots (see
//! `../shared/DESIGN.md` for the pipeline).
//!
//! The modules are public so that the integration tests in `tests/` can drive each stage (and the
//! sandbox) directly. The binary (`main.rs`) only parses arguments, sets up logging and calls
//! [`run`]; this library never installs a tracing subscriber and never prints except through
//! [`output`].

pub mod aws;
pub mod cli;
mod commands;
pub mod output;
pub mod sandbox;

/// Runs the command the user asked for. An error is the whole failure, to be reported once by
/// the caller ([`output::report_error`]) with exit status 2.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    commands::run(cli.command)
}
