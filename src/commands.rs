//! Command glue: what each command does, in terms of the library's stages, with `anyhow` context
//! naming the input that failed. No logic of its own beyond sequencing, and no printing except
//! through `output`.

use anyhow::Context;

use crate::aws::ClientFactory;
use crate::aws::error::AwsErrorInfo;
use crate::cli::{Command, DemoArgs, SandboxCommand};
use crate::output;
use crate::sandbox::Sandbox;

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Sandbox(command) => sandbox(command),
        Command::Demo(args) => demo(args),
    }
}

fn sandbox(command: SandboxCommand) -> anyhow::Result<()> {
    let sandbox = Sandbox::locate();
    match command {
        SandboxCommand::Start(args) => {
            let running = sandbox.start_or_reuse(args.port)?;
            output::sandbox_running(&sandbox, &running)?;
        }
        SandboxCommand::Stop => output::sandbox_stopped(&sandbox.stop()?)?,
        SandboxCommand::Status => output::sandbox_status(&sandbox, &sandbox.status()?)?,
        SandboxCommand::Seed(args) => output::seeded(&sandbox.seed(args.members)?)?,
        SandboxCommand::Change => output::changed(&sandbox.change()?)?,
    }
    Ok(())
}

/// For now: start (or reuse) the sandbox, seed it, and say what is there. It grows into scan,
/// change, scan again, render.
fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::locate();
    let running = sandbox.start_or_reuse(args.port)?;
    output::sandbox_running(&sandbox, &running)?;
    let description = sandbox.seed(args.members)?;
    let (accounts, organizational_units) = runtime()?
        .block_on(count_organization(&running.endpoint))
        .with_context(|| {
            format!(
                "could not read the sandbox organization at {}",
                running.endpoint
            )
        })?;
    output::demo_summary(&running, accounts, organizational_units, &description)?;
    Ok(())
}

/// Counts the accounts and OUs of the organization at `endpoint` through the Organizations API,
/// as the management account. A stand-in until `discover` builds the inventory.
async fn count_organization(endpoint: &str) -> anyhow::Result<(usize, usize)> {
    let factory = ClientFactory::for_sandbox(endpoint).await;
    let organizations = factory.organizations(factory.base());

    let accounts: Vec<_> = organizations
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|err| AwsErrorInfo::from_sdk_error(&err))
        .context("ListAccounts failed")?;
    let accounts = accounts
        .iter()
        .map(|page| page.accounts().len())
        .sum::<usize>();

    let roots: Vec<_> = organizations
        .list_roots()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|err| AwsErrorInfo::from_sdk_error(&err))
        .context("ListRoots failed")?;
    let mut parents: Vec<String> = roots
        .iter()
        .flat_map(|page| page.roots())
        .filter_map(|root| root.id().map(str::to_owned))
        .collect();
    let mut organizational_units = 0;
    while let Some(parent) = parents.pop() {
        let pages: Vec<_> = organizations
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|err| AwsErrorInfo::from_sdk_error(&err))
            .with_context(|| format!("ListOrganizationalUnitsForParent {parent} failed"))?;
        for ou in pages.iter().flat_map(|page| page.organizational_units()) {
            organizational_units += 1;
            parents.extend(ou.id().map(str::to_owned));
        }
    }
    Ok((accounts, organizational_units))
}

/// The async runtime for the commands that talk to AWS; the sandbox commands need none.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
