//! Starting and stopping a sandbox: the venv is reused, the server answers, and stop ends it.

use posture::sandbox::{Sandbox, SandboxAdmin, SandboxGuard, SandboxStatus, StopOutcome};

use crate::support::state_dir;

#[test]
fn a_second_sandbox_starts_on_its_own_port_and_stops_by_its_pid() {
    let sandbox = Sandbox::locate().with_state_dir(state_dir("it-lifecycle"));
    let guard = SandboxGuard::start(sandbox.clone()).expect("start");
    let running = guard.running().clone();
    assert!(running.ready_after.is_some(), "this process started it");
    assert_eq!(
        SandboxAdmin::new(&running.endpoint).health(),
        Some(running.pid)
    );
    assert!(
        matches!(sandbox.status().expect("status"), SandboxStatus::Running(r) if r.pid == running.pid && r.endpoint == running.endpoint)
    );

    // A second start in the same state directory refuses rather than starting a twin.
    assert!(sandbox.start(0, true).is_err());

    drop(guard);
    assert_eq!(sandbox.status().expect("status"), SandboxStatus::NotRunning);
    assert!(!running.state_file.exists());
    assert_eq!(SandboxAdmin::new(&running.endpoint).health(), None);
    assert_eq!(sandbox.stop().expect("stop"), StopOutcome::NotRunning);
}
