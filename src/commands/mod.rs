//! Command glue: what each command does, in terms of the library's stages, with `anyhow` context
//! naming the input that failed. No logic of its own beyond sequencing, and no printing except
//! through `output`. One file per command (`render`, `serve` and `publish` share `site`, and
//! `sandbox` and `demo` share `demo`); what more than one command needs is here.

mod checks;
mod demo;
mod diff;
mod reevaluate;
mod scan;
mod site;
mod verify;

use anyhow::Context;

use crate::Completion;
use crate::aws::{AwsTarget, check_endpoint_url, check_profile};
use crate::cli::Command;
use crate::sandbox::{Sandbox, SandboxStatus};

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<Completion> {
    match command {
        Command::Scan(args) if args.preflight => scan::preflight(&args),
        Command::Scan(args) => scan::scan(&args).map(|(completion, _)| completion),
        Command::Diff(args) => diff::diff(&args),
        Command::Verify(args) => verify::verify(&args),
        Command::Reevaluate(args) => reevaluate::reevaluate(&args),
        Command::Checks(args) => checks::checks(&args),
        Command::Sandbox(command) => demo::sandbox(command).map(|()| Completion::Done),
        Command::Demo(args) => demo::demo(args),
        Command::Render(args) => site::render_site(&args).map(|_| Completion::Done),
        Command::Serve(args) => site::serve(&args),
        Command::Publish(args) => site::publish(&args),
    }
}

/// The AWS a command's flags name: the running sandbox with `--sandbox`, else the standard chain
/// with the profile, Region and endpoint given. A profile the config files do not define
/// (`--profile`, or `AWS_PROFILE`) and an endpoint that is no URL (`--endpoint-url`, or
/// `AWS_ENDPOINT_URL`) are refused by name before any call.
pub(super) fn aws_target(
    runtime: &tokio::runtime::Runtime,
    sandbox: bool,
    profile: Option<&String>,
    region: Option<&String>,
    endpoint_url: Option<&String>,
) -> anyhow::Result<AwsTarget> {
    if sandbox {
        return match Sandbox::locate().status()? {
            SandboxStatus::Running(running) => Ok(AwsTarget::sandbox(running.endpoint)),
            _ => anyhow::bail!(
                "--sandbox: no sandbox is running; start one with `posture sandbox start`"
            ),
        };
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // AWS_PROFILE is the SDK's to read; it is checked here as --profile is. Not when access keys
    // are in the environment: the chain takes those first and never reads the profile's.
    let named = match profile {
        Some(profile) => Some(("--profile", profile.clone())),
        None if env("AWS_ACCESS_KEY_ID").is_none() => {
            env("AWS_PROFILE").map(|profile| ("AWS_PROFILE", profile))
        }
        None => None,
    };
    if let Some((source, profile)) = &named
        && let Err(problem) = runtime.block_on(check_profile(profile))
    {
        anyhow::bail!("{source}: {}", problem.describe(profile));
    }
    let endpoint = match endpoint_url {
        Some(url) => Some(("--endpoint-url", url.clone())),
        None => env("AWS_ENDPOINT_URL").map(|url| ("AWS_ENDPOINT_URL", url)),
    };
    if let Some((source, url)) = &endpoint
        && let Err(reason) = check_endpoint_url(url)
    {
        anyhow::bail!(
            "{source}: {url:?} is not an endpoint URL ({reason}): give one like https://host or http://127.0.0.1:4566"
        );
    }
    Ok(AwsTarget::new(
        profile.cloned(),
        region.cloned(),
        endpoint_url.cloned(),
    ))
}

pub(super) fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The async runtime for the commands that talk to AWS; the sandbox commands need none.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
