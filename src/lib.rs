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
pub mod collect;
mod commands;
pub mod config;
pub mod diff;
pub mod discover;
pub mod evaluate;
pub mod facts;
pub mod files;
pub mod finding;
pub mod output;
pub mod publish;
pub mod render;
pub mod sandbox;
pub mod snapshot;
pub mod text;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// It did everything it was asked (exit status 0).
    Done,
    /// It finished, but some of what it had to read could not be read (exit status 3): a scan
    /// whose snapshot holds ERROR verdicts.
    DoneWithErrors,
    /// It worked and the answer is bad (exit status 1): `diff` found a regression, `verify`
    /// found a snapshot that is not as written.
    Bad,
}

/// Runs the command the user asked for. An error is the whole failure, to be reported once by
/// the caller ([`output::report_error`]) with exit status 2.
pub fn run(cli: cli::Cli) -> anyhow::Result<Completion> {
    commands::run(cli.command)
}
