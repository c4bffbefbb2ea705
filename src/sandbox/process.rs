//! The few process operations the sandbox needs that std lacks: does a pid exist, send it a signal,
//! wait for it to go, and does it run `server.py`. Every pid is checked to name one process before
//! it reaches `kill(2)`.

use std::fs;
use std::io;
use std::thread;
use std::time::{Duration, Instant};

/// How often `wait_until_gone` looks again.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A pid as `kill(2)` takes it, refusing 0 and 1 and negative values: those would signal a
/// process group, every process, or init, never one sandbox server.
fn to_pid(pid: u32) -> Option<libc::pid_t> {
    libc::pid_t::try_from(pid).ok().filter(|&p| p > 1)
}

/// Sends `sig` to `pid`; a process that is already gone is not an error.
pub(super) fn signal(pid: u32, sig: libc::c_int) -> io::Result<()> {
    let Some(raw) = to_pid(pid) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{pid} does not name a single process"),
        ));
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; `raw` names a single
    // process (> 1), never a group.
    if unsafe { libc::kill(raw, sig) } == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::ESRCH) {
        Ok(())
    } else {
        Err(err)
    }
}

/// Whether a process `pid` exists (a zombie child of ours is reaped first, so it does not count).
pub(super) fn process_alive(pid: u32) -> bool {
    let Some(raw) = to_pid(pid) else {
        return false;
    };
    let mut status = 0;
    // SAFETY: waitpid(2) writes only to `status`, which lives on this stack. It reaps `raw` only if
    // that is an exited child of this process (a server a test started here); for anything else it
    // fails with ECHILD and changes nothing.
    unsafe { libc::waitpid(raw, &mut status, libc::WNOHANG) };
    // SAFETY: as in `signal`; signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(raw, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !is_zombie(pid)
}

/// Whether `pid` has exited but not been reaped: its parent is not this process (a CLI-started
/// server belongs to init once posture exits), and an init that does not reap (a container
/// without one) would otherwise keep it "alive" forever. Linux `/proc`; elsewhere, no.
fn is_zombie(pid: u32) -> bool {
    // `/proc/PID/stat` is `pid (comm) S ...`; comm may hold spaces and parentheses, the state
    // follows the last `)`.
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// Whether `pid` is gone within `within`, looking every 50 ms.
pub(super) fn wait_until_gone(pid: u32, within: Duration) -> bool {
    let began = Instant::now();
    while process_alive(pid) {
        if began.elapsed() > within {
            return false;
        }
        thread::sleep(POLL_INTERVAL);
    }
    true
}

/// Whether `pid`'s command line runs `server.py` (Linux `/proc`; elsewhere unknown, so no).
pub(super) fn runs_sandbox_server(pid: u32) -> bool {
    fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
        cmdline
            .split(|&b| b == 0)
            .any(|arg| arg.ends_with(b"server.py"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_pids_that_name_groups_or_init() {
        assert_eq!(to_pid(0), None);
        assert_eq!(to_pid(1), None);
        assert_eq!(to_pid(u32::MAX), None);
        assert_eq!(to_pid(4242), Some(4242));
    }

    #[test]
    fn this_process_is_alive_and_not_the_server() {
        assert!(process_alive(std::process::id()));
        assert!(!runs_sandbox_server(std::process::id()));
    }
}
