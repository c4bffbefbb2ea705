//! Integration tests: one binary (ripgrep's `tests/tests.rs`), one module per subject. Where a new
//! test goes: tests/README.md.

mod audit_account;
mod checks_cmd;
mod collect;
mod config;
mod deploy;
mod diff;
mod enforced;
mod json_outputs;
mod messages;
mod module_graph;
mod publish;
mod sandbox_change;
mod sandbox_extension;
mod sandbox_lifecycle;
mod sandbox_organization;
mod scan;
mod site;
mod snapshots;
mod support;
#[path = "../synthetic/mod.rs"]
mod synthetic;
mod walkthrough;
