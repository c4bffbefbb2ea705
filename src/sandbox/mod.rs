//! The sandbox organization's life cycle, for the CLI (`posture sandbox …`, `posture demo`) and
//! the integration tests alike: the Python virtual environments, starting and stopping the
//! server, asking it whether it is alive, and running the seeder.
//!
//! It owns the files under the sandbox directory that posture writes (`.venv/`, `.cli-venv/` for
//! the AWS CLI the tests run the README's walk-through with, `.state/`), and knows the server
//! only through its contract in `sandbox/README.md`: the command line, the state file and
//! `GET /_posture/health`. It never reads what the seeder wrote (the description is the tests'
//! business) and never talks AWS. It is blocking on purpose: it runs child processes and one
//! local HTTP request at a time, and [`SandboxGuard`] must be able to stop the server in `Drop`.
//!
//! Unix only: the server is put in its own process group and stopped with signals.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tracing::{debug, info, warn};

use self::process::{process_alive, runs_sandbox_server, signal, wait_until_gone};

mod admin;
mod process;

pub use self::admin::{AdminError, FaultKind, FaultRule, RecordedRequest, RootUser, SandboxAdmin};

/// How often `start` looks again whether the server answers.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long the server may take from spawn to answering its health check.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the server may take to exit after SIGTERM before it gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long to wait for the process to disappear after SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(5);
/// How many lines of `server.log` an error quotes: one, so the error stays one line.
const LOG_TAIL_LINES: usize = 1;

/// The sandbox's static access key: the root user of its management account (moto's default
/// 123456789012), also when the sandbox enforces IAM (`sandbox/posture_sandbox/enforce.py`).
pub const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// The secret of [`ACCESS_KEY_ID`].
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The environment that makes the standard AWS credential chain use the sandbox's static
/// credentials, in us-east-1: how tests and benchmarks run `posture scan --endpoint-url` through
/// the real chain.
pub const CREDENTIALS_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
    ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
    ("AWS_REGION", "us-east-1"),
];

/// The environment variable that points posture at another `sandbox/` directory.
pub const SANDBOX_DIR_ENV: &str = "POSTURE_SANDBOX_DIR";

/// What went wrong with the sandbox; each variant names the file or command it concerns.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// There is no Python to create the virtual environment with.
    #[error("Python 3 is required for the sandbox, but `{}` was not found", python.to_string_lossy())]
    PythonMissing {
        /// The interpreter that was looked for.
        python: OsString,
    },
    /// The Python found is older than the lock supports.
    #[error(
        "the sandbox needs Python 3.11 or newer (its pinned packages do), but `{}` is {version}: install a newer Python 3",
        python.to_string_lossy()
    )]
    PythonTooOld {
        /// The interpreter found.
        python: OsString,
        /// Its version.
        version: String,
    },
    /// A command could not be started at all.
    #[error("could not run `{command}`")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A setup command (venv creation, pip) exited with an error; its output went to a log file.
    #[error(
        "`{command}` failed ({status}){}; its output is in {}",
        last_line.as_deref().map(|l| format!(": {l}")).unwrap_or_default(),
        log.display()
    )]
    SetupFailed {
        /// The command line.
        command: String,
        /// How it ended.
        status: ExitStatus,
        /// The last non-empty line it printed, usually the reason.
        last_line: Option<String>,
        /// The file holding all it printed.
        log: PathBuf,
    },
    /// The seeder exited with an error; its output was streamed to stderr.
    #[error("`{command}` failed ({status}); its output is above")]
    SeederFailed {
        /// The command line.
        command: String,
        /// How it ended.
        status: ExitStatus,
    },
    /// A file could not be read, written or removed.
    #[error("could not {action} {}", path.display())]
    Io {
        /// What was being done ("read", "write", "remove", "create", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The state file exists but is not what `server.py` writes.
    #[error("the sandbox state file {} is not valid; remove it and start again", path.display())]
    InvalidStateFile {
        /// The state file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `start` was asked for while a sandbox of the same state directory is running.
    #[error("a sandbox is already running at {endpoint} (pid {pid})")]
    AlreadyRunning {
        /// Its endpoint.
        endpoint: String,
        /// Its process id.
        pid: u32,
    },
    /// An operation needs a running sandbox and there is none.
    #[error("no sandbox is running (state file {}); run `posture sandbox start` first", state_file.display())]
    NotRunning {
        /// The state file that was read.
        state_file: PathBuf,
    },
    /// A script of the sandbox directory is missing.
    #[error("{} does not exist", path.display())]
    MissingScript {
        /// The script.
        path: PathBuf,
    },
    /// `change` needs the description that `seed` writes.
    #[error("there is no organization description at {}; run `posture sandbox seed` first", path.display())]
    NoDescription {
        /// Where it was expected.
        path: PathBuf,
    },
    /// The server exited before it answered.
    #[error("the sandbox server exited ({status}) before it answered; its log {} ends: {tail}", log.display())]
    ServerExited {
        /// How it ended.
        status: ExitStatus,
        /// Its log.
        log: PathBuf,
        /// The last line it logged (usually the exception).
        tail: String,
    },
    /// The server did not answer in time, and was killed.
    #[error("the sandbox server did not answer within {} s and was stopped; its log {} ends: {tail}", after.as_secs(), log.display())]
    StartTimeout {
        /// How long it was given.
        after: Duration,
        /// Its log.
        log: PathBuf,
        /// The last line it logged (usually the exception).
        tail: String,
    },
    /// A signal could not be sent.
    #[error("could not signal the sandbox server (pid {pid})")]
    Signal {
        /// The process id.
        pid: u32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The server was still there after SIGKILL.
    #[error("the sandbox server (pid {pid}) is still running after SIGKILL")]
    StillRunning {
        /// The process id.
        pid: u32,
    },
}

/// A sandbox server that answers its health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningSandbox {
    /// Where every AWS service of the sandbox answers, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The port of the endpoint.
    pub port: u16,
    /// The server's process id.
    pub pid: u32,
    /// The state file that names it.
    pub state_file: PathBuf,
    /// From spawn until it answered, when this process started it; `None` when it was found
    /// already running.
    pub ready_after: Option<Duration>,
}

/// What [`Sandbox::status`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxStatus {
    /// No state file: never started, or stopped.
    NotRunning,
    /// The server named by the state file answers.
    Running(RunningSandbox),
    /// A state file exists, but its server does not answer (or something else answers there).
    NotAnswering {
        /// The endpoint in the state file.
        endpoint: String,
        /// The process id in the state file.
        pid: u32,
        /// Whether a process with that id exists.
        process_alive: bool,
        /// The state file.
        state_file: PathBuf,
    },
}

/// What [`Sandbox::stop`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// There was no state file; nothing to stop.
    NotRunning,
    /// The server was stopped.
    Stopped {
        /// Its process id.
        pid: u32,
        /// Whether it needed SIGKILL after ignoring SIGTERM for 10 s.
        killed: bool,
    },
    /// The state file named a process that is gone or is not a sandbox server; only the file was
    /// removed.
    StaleStateRemoved {
        /// The process id it named.
        pid: u32,
    },
}

/// The state file `server.py` writes once it listens (`sandbox/README.md`).
#[derive(Debug, Clone, Deserialize)]
struct ServerState {
    endpoint: String,
    port: u16,
    pid: u32,
}

/// One virtual environment posture makes from a hash-pinned requirements file, and where its
/// lock and setup log live: beside the environments, not in the (maybe per-test) state
/// directory, since there is one of each environment, so one lock and one log for it.
struct PythonEnv {
    /// What it is, in log lines.
    what: &'static str,
    dir: PathBuf,
    requirements: PathBuf,
    lock: PathBuf,
    log: PathBuf,
}

/// Where a sandbox lives, and its life cycle.
///
/// The sandbox directory holds `server.py`, `seed.py`, `requirements.txt` and
/// `requirements-cli.txt`; posture keeps the virtual environments in `<dir>/.venv` (the server's)
/// and `<dir>/.cli-venv` (the AWS CLI's, for the tests) and, by default, the state in `<dir>/.state`
/// (`sandbox.json`, `server.log`, `organization.json`). Tests give each sandbox its own state
/// directory with [`Sandbox::with_state_dir`]; they all share the virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    dir: PathBuf,
    state_dir: PathBuf,
    python: OsString,
}

impl Sandbox {
    /// The sandbox directory of this checkout (`sandbox/` beside `Cargo.toml`, fixed at build
    /// time), or `$POSTURE_SANDBOX_DIR` when set.
    pub fn locate() -> Self {
        let dir = std::env::var_os(SANDBOX_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("sandbox"));
        Self::in_dir(dir)
    }

    /// The sandbox in `dir`, with its state in `<dir>/.state`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            state_dir: dir.join(".state"),
            dir,
            python: OsString::from("python3"),
        }
    }

    /// Keeps the state (state file, server log, description) in `state_dir` instead, so that
    /// several sandboxes can run at once.
    pub fn with_state_dir(mut self, state_dir: impl Into<PathBuf>) -> Self {
        self.state_dir = state_dir.into();
        self
    }

    /// Creates the virtual environment with this interpreter instead of `python3` from `PATH`.
    pub fn with_python(mut self, python: impl Into<OsString>) -> Self {
        self.python = python.into();
        self
    }

    /// The sandbox directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The virtual environment, `<dir>/.venv`.
    pub fn venv_dir(&self) -> PathBuf {
        self.dir.join(".venv")
    }

    /// The virtual environment's interpreter, which runs the server and the seeder.
    pub fn venv_python(&self) -> PathBuf {
        self.venv_dir().join("bin").join("python")
    }

    /// Where the state file, the server log and the description are kept.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The state file the server writes: endpoint, port, pid.
    pub fn state_file(&self) -> PathBuf {
        self.state_dir.join("sandbox.json")
    }

    /// The server's stdout and stderr (appended to across starts).
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("server.log")
    }

    /// The description of the seeded organization that `seed.py` writes.
    pub fn description_file(&self) -> PathBuf {
        self.state_dir.join("organization.json")
    }

    /// The AWS CLI's virtual environment, `<dir>/.cli-venv`: apart from the server's, so that
    /// the CLI's pins (it bundles its own botocore) and moto's can never clash.
    pub fn cli_venv_dir(&self) -> PathBuf {
        self.dir.join(".cli-venv")
    }

    /// The server's environment: `requirements.txt` in `.venv`.
    fn server_env(&self) -> PythonEnv {
        PythonEnv {
            what: "the sandbox's Python environment",
            dir: self.venv_dir(),
            requirements: self.dir.join("requirements.txt"),
            lock: self.dir.join(".state").join("venv.lock"),
            log: self.dir.join(".state").join("venv.log"),
        }
    }

    /// The AWS CLI's environment: `requirements-cli.txt` in `.cli-venv`, with a lock and log of
    /// its own, so that it can be made while the server's is.
    fn cli_env(&self) -> PythonEnv {
        PythonEnv {
            what: "the AWS CLI's Python environment",
            dir: self.cli_venv_dir(),
            requirements: self.dir.join("requirements-cli.txt"),
            lock: self.dir.join(".state").join("cli-venv.lock"),
            log: self.dir.join(".state").join("cli-venv.log"),
        }
    }

    /// Makes sure the virtual environment exists and holds exactly `requirements.txt`.
    ///
    /// It is reused when its stamp holds the SHA-256 of `requirements.txt`; otherwise it is
    /// created afresh (`python3 -m venv --clear`), filled with `pip install --require-hashes -r
    /// requirements.txt`, and stamped. Concurrent callers (parallel tests) wait for each other on a
    /// lock file.
    ///
    /// No `--no-deps`: in hash-checking mode pip refuses any dependency that the file does not
    /// pin with a hash, so resolving still proves the lock complete for this interpreter, where
    /// `--no-deps` would install an incomplete set silently (say, a dependency that only a newer
    /// Python needs) and fail later at import.
    pub fn ensure_venv(&self) -> Result<(), SandboxError> {
        self.ensure_env(&self.server_env())
    }

    /// Makes sure the AWS CLI's virtual environment exists and holds exactly
    /// `requirements-cli.txt` (as [`Sandbox::ensure_venv`] does for the server's), and returns
    /// the folder holding its `aws`. The tests run the README's walk-through with it; posture
    /// itself never needs the CLI.
    pub fn ensure_cli_venv(&self) -> Result<PathBuf, SandboxError> {
        let env = self.cli_env();
        self.ensure_env(&env)?;
        Ok(env.dir.join("bin"))
    }

    fn ensure_env(&self, env: &PythonEnv) -> Result<(), SandboxError> {
        let requirements = &env.requirements;
        let digest = sha256_hex(&read(requirements)?);
        let python = env.dir.join("bin").join("python");
        let stamp_path = env.dir.join(".requirements.sha256");

        let lock_path = &env.lock;
        create_dir(lock_path.parent().unwrap_or(&self.dir))?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path)
            .map_err(io_error("open", lock_path))?;
        lock.lock().map_err(io_error("lock", lock_path))?;

        let stamp = fs::read_to_string(&stamp_path).ok();
        if python.exists() && stamp_matches(stamp.as_deref(), &digest) {
            debug!(venv = %env.dir.display(), "reusing {}", env.what);
            return Ok(());
        }

        let began = Instant::now();
        info!(
            venv = %env.dir.display(),
            "creating {} (a minute or two the first time)", env.what
        );
        self.check_python_version()?;
        let log_path = &env.log;
        let log = File::create(log_path).map_err(io_error("create", log_path))?;

        let mut venv = Command::new(&self.python);
        venv.arg("-m").arg("venv").arg("--clear").arg(&env.dir);
        match run_logged(&mut venv, &log, log_path) {
            Err(SandboxError::Spawn { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                return Err(SandboxError::PythonMissing {
                    python: self.python.clone(),
                });
            }
            other => other?,
        }

        info!(requirements = %requirements.display(), "installing the pinned packages");
        let mut pip = Command::new(&python);
        pip.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--require-hashes",
            "-r",
        ])
        .arg(requirements);
        run_logged(&mut pip, &log, log_path)?;

        write_atomically(&stamp_path, format!("{digest}\n").as_bytes())?;
        info!(
            took_s = format_args!("{:.1}", began.elapsed().as_secs_f64()),
            "{} is ready", env.what
        );
        // Only now may another process see the environment as ready.
        drop(lock);
        Ok(())
    }

    /// Whether the sandbox of this state directory is running and answering.
    pub fn status(&self) -> Result<SandboxStatus, SandboxError> {
        let state_file = self.state_file();
        let Some(state) = self.read_state()? else {
            return Ok(SandboxStatus::NotRunning);
        };
        if health(state.port) == Some(state.pid) {
            Ok(SandboxStatus::Running(RunningSandbox {
                endpoint: state.endpoint,
                port: state.port,
                pid: state.pid,
                state_file,
                ready_after: None,
            }))
        } else {
            Ok(SandboxStatus::NotAnswering {
                endpoint: state.endpoint,
                pid: state.pid,
                process_alive: process_alive(state.pid),
                state_file,
            })
        }
    }

    /// The running sandbox of this state directory, or a new one started on `port` (0 = a free
    /// port). The CLI's `sandbox start` and `demo`.
    pub fn start_or_reuse(&self, port: u16) -> Result<RunningSandbox, SandboxError> {
        if let SandboxStatus::Running(running) = self.status()? {
            if port != 0 && port != running.port {
                warn!(
                    running.port,
                    requested = port,
                    "the sandbox is already running on another port; stop it to change the port"
                );
            }
            return Ok(running);
        }
        self.start(port, false)
    }

    /// Starts the server on `port` (0 = a free port) and waits until it answers.
    ///
    /// Creates the virtual environment first if needed. The server runs detached, in its own
    /// process group so that Ctrl-C on posture does not reach it, with stdin closed and its output
    /// appended to `server.log`. With `exit_with_parent` it exits when this process ends (tests).
    /// Fails if a sandbox of the same state directory is running; a stale state file is removed.
    pub fn start(&self, port: u16, exit_with_parent: bool) -> Result<RunningSandbox, SandboxError> {
        self.ensure_venv()?;
        match self.status()? {
            SandboxStatus::Running(running) => {
                return Err(SandboxError::AlreadyRunning {
                    endpoint: running.endpoint,
                    pid: running.pid,
                });
            }
            SandboxStatus::NotAnswering { pid, .. } => {
                debug!(pid, "removing a stale sandbox state file");
                remove_if_exists(&self.state_file())?;
            }
            SandboxStatus::NotRunning => {}
        }
        let server = self.dir.join("server.py");
        if !server.is_file() {
            return Err(SandboxError::MissingScript { path: server });
        }
        create_dir(&self.state_dir)?;
        let state_file = self.state_file();
        let log_path = self.log_file();
        let mut log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_error("open", &log_path))?;
        // Only what this start logged goes into an error.
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        writeln!(
            log,
            "--- started by posture (pid {}) ---",
            std::process::id()
        )
        .map_err(io_error("write", &log_path))?;
        let log_err = log.try_clone().map_err(io_error("open", &log_path))?;

        let mut command = Command::new(self.venv_python());
        command
            .arg(&server)
            .arg("--port")
            .arg(port.to_string())
            .arg("--state-file")
            .arg(&state_file);
        if exit_with_parent {
            command.arg("--exit-with-parent");
        }
        command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0);

        let spawned = Instant::now();
        let mut child = command.spawn().map_err(|source| SandboxError::Spawn {
            command: describe(&command),
            source,
        })?;
        let pid = child.id();
        debug!(pid, "spawned the sandbox server");

        let state = loop {
            if let Some(status) = child.try_wait().map_err(io_error("wait for", &server))? {
                return Err(SandboxError::ServerExited {
                    status,
                    tail: log_tail(&log_path, log_start),
                    log: log_path,
                });
            }
            // The server writes the state file atomically once it listens; until then, or while an
            // older file is still there, this finds nothing or another pid.
            if let Ok(Some(state)) = self.read_state()
                && state.pid == pid
                && health(state.port) == Some(pid)
            {
                break state;
            }
            if spawned.elapsed() > READY_TIMEOUT {
                stop_child(&mut child);
                return Err(SandboxError::StartTimeout {
                    after: READY_TIMEOUT,
                    tail: log_tail(&log_path, log_start),
                    log: log_path,
                });
            }
            thread::sleep(POLL_INTERVAL);
        };
        let ready_after = spawned.elapsed();
        info!(
            endpoint = %state.endpoint,
            pid,
            ready_ms = ready_after.as_millis() as u64,
            "the sandbox is running"
        );
        // Dropping `Child` neither kills nor waits: the server outlives this process (and is
        // reaped by init), or is reaped by `stop`.
        drop(child);
        Ok(RunningSandbox {
            endpoint: state.endpoint,
            port: state.port,
            pid,
            state_file,
            ready_after: Some(ready_after),
        })
    }

    /// Stops the sandbox of this state directory: SIGTERM, up to 10 s to exit, then SIGKILL; then
    /// removes the state file.
    ///
    /// Signals only a process that is the sandbox server: one that answers the health check with
    /// the pid of the state file, or (when it hangs) whose command line runs `server.py`. A pid
    /// that was reused by something else is left alone.
    pub fn stop(&self) -> Result<StopOutcome, SandboxError> {
        let state_file = self.state_file();
        let Some(state) = self.read_state()? else {
            return Ok(StopOutcome::NotRunning);
        };
        let pid = state.pid;
        let is_server =
            health(state.port) == Some(pid) || (process_alive(pid) && runs_sandbox_server(pid));
        if !is_server {
            remove_if_exists(&state_file)?;
            return Ok(StopOutcome::StaleStateRemoved { pid });
        }

        debug!(pid, "stopping the sandbox server");
        signal(pid, libc::SIGTERM).map_err(|source| SandboxError::Signal { pid, source })?;
        let mut killed = false;
        if !wait_until_gone(pid, STOP_GRACE) {
            warn!(
                pid,
                "the sandbox server ignored SIGTERM for 10 s; killing it"
            );
            signal(pid, libc::SIGKILL).map_err(|source| SandboxError::Signal { pid, source })?;
            killed = true;
            if !wait_until_gone(pid, KILL_GRACE) {
                return Err(SandboxError::StillRunning { pid });
            }
        }
        // The server removes it when it shuts down cleanly, but not when killed.
        remove_if_exists(&state_file)?;
        info!(pid, "the sandbox is stopped");
        Ok(StopOutcome::Stopped { pid, killed })
    }

    /// Seeds the running sandbox with the demo organization (`seed.py seed`), streaming the
    /// seeder's output to stderr, and returns the path of the description it wrote.
    pub fn seed(&self, members: u32) -> Result<PathBuf, SandboxError> {
        self.seed_with(members, &[])
    }

    /// [`Self::seed`] with more of `seed.py seed`'s options (`--org-trail-bucket management`: a
    /// variant organization for tests).
    pub fn seed_with(&self, members: u32, options: &[&str]) -> Result<PathBuf, SandboxError> {
        let running = self.require_running()?;
        let script = self.seed_script()?;
        let description = self.description_file();
        // A failed seed must not leave the previous organization's description behind.
        remove_if_exists(&description)?;
        let mut command = Command::new(self.venv_python());
        command
            .arg(&script)
            .arg("seed")
            .arg("--endpoint")
            .arg(&running.endpoint)
            .arg("--members")
            .arg(members.to_string())
            .arg("--out")
            .arg(&description)
            .args(options);
        run_streamed(&mut command)?;
        Ok(description)
    }

    /// Applies the demo's change step to the seeded sandbox (`seed.py change`), streaming the
    /// seeder's output to stderr, and returns the path of the description it read.
    pub fn change(&self) -> Result<PathBuf, SandboxError> {
        let running = self.require_running()?;
        let script = self.seed_script()?;
        let description = self.description_file();
        if !description.is_file() {
            return Err(SandboxError::NoDescription { path: description });
        }
        let mut command = Command::new(self.venv_python());
        command
            .arg(&script)
            .arg("change")
            .arg("--endpoint")
            .arg(&running.endpoint)
            .arg("--description")
            .arg(&description);
        run_streamed(&mut command)?;
        Ok(description)
    }

    /// Refuses a Python older than 3.11 (the oldest the lock's packages install on) before pip
    /// fails deep inside the install.
    fn check_python_version(&self) -> Result<(), SandboxError> {
        let output = Command::new(&self.python)
            .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .output();
        let output = match output {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(SandboxError::PythonMissing {
                    python: self.python.clone(),
                });
            }
            other => other.map_err(|source| SandboxError::Spawn {
                command: format!("{} -c …", self.python.to_string_lossy()),
                source,
            })?,
        };
        let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let parsed: Option<(u32, u32)> = version
            .split_once('.')
            .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
        match parsed {
            Some(v) if v >= (3, 11) => Ok(()),
            _ => Err(SandboxError::PythonTooOld {
                python: self.python.clone(),
                version,
            }),
        }
    }

    fn require_running(&self) -> Result<RunningSandbox, SandboxError> {
        match self.status()? {
            SandboxStatus::Running(running) => Ok(running),
            SandboxStatus::NotRunning | SandboxStatus::NotAnswering { .. } => {
                Err(SandboxError::NotRunning {
                    state_file: self.state_file(),
                })
            }
        }
    }

    fn seed_script(&self) -> Result<PathBuf, SandboxError> {
        let script = self.dir.join("seed.py");
        if script.is_file() {
            Ok(script)
        } else {
            Err(SandboxError::MissingScript { path: script })
        }
    }

    fn read_state(&self) -> Result<Option<ServerState>, SandboxError> {
        let path = self.state_file();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SandboxError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| SandboxError::InvalidStateFile { path, source })
    }
}

/// A sandbox that lives as long as a test: started with `exit_with_parent` (so it dies with the
/// test process even when that is killed) and stopped on `Drop`.
#[derive(Debug)]
pub struct SandboxGuard {
    sandbox: Sandbox,
    running: RunningSandbox,
}

impl SandboxGuard {
    /// Starts `sandbox` on a free port; give each guard its own state directory
    /// ([`Sandbox::with_state_dir`]) so that guards can run in parallel.
    pub fn start(sandbox: Sandbox) -> Result<Self, SandboxError> {
        let running = sandbox.start(0, true)?;
        Ok(Self { sandbox, running })
    }

    /// The sandbox's endpoint, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.running.endpoint
    }

    /// The running server.
    pub fn running(&self) -> &RunningSandbox {
        &self.running
    }

    /// The sandbox, for `seed` and `change`.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for SandboxGuard {
    fn drop(&mut self) {
        if let Err(err) = self.sandbox.stop() {
            warn!(pid = self.running.pid, error = %err, "could not stop the sandbox");
        }
    }
}

/// Hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a stamp file's content (if there is one) records `digest`.
fn stamp_matches(stamp: Option<&str>, digest: &str) -> bool {
    stamp.is_some_and(|s| s.trim() == digest)
}

/// Runs a setup command with its output going to `log`; on failure the error quotes the last line.
fn run_logged(command: &mut Command, log: &File, log_path: &Path) -> Result<(), SandboxError> {
    let out = log.try_clone().map_err(io_error("open", log_path))?;
    let err = log.try_clone().map_err(io_error("open", log_path))?;
    command.stdin(Stdio::null()).stdout(out).stderr(err);
    let described = describe(command);
    debug!(command = %described, "running");
    let status = command.status().map_err(|source| SandboxError::Spawn {
        command: described.clone(),
        source,
    })?;
    if status.success() {
        return Ok(());
    }
    let last_line = fs::read_to_string(log_path)
        .ok()
        .and_then(|text| reason_line(&text));
    Err(SandboxError::SetupFailed {
        command: described,
        status,
        last_line,
        log: log_path.to_owned(),
    })
}

/// Runs the seeder with its stdout and stderr both on our stderr: it reports progress, and
/// posture's stdout is for results only.
fn run_streamed(command: &mut Command) -> Result<(), SandboxError> {
    command
        .stdin(Stdio::null())
        .stdout(io::stderr())
        .stderr(Stdio::inherit());
    let described = describe(command);
    debug!(command = %described, "running");
    let status = command.status().map_err(|source| SandboxError::Spawn {
        command: described.clone(),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(SandboxError::SeederFailed {
            command: described,
            status,
        })
    }
}

/// A command line as a user would type it (lossy for non-UTF-8 paths; for messages only).
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last `n` non-empty lines of `text`, oldest first.
fn last_lines(text: &str, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .map(str::to_owned)
        .collect();
    lines.reverse();
    lines
}

/// The line of a setup command's output that most likely says why it failed: pip and venv start
/// theirs with `ERROR:` (a hash mismatch is followed by lines of hashes), else the last line.
fn reason_line(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find(|l| l.trim_start().to_ascii_lowercase().starts_with("error:"))
        .map(|l| l.trim().to_owned())
        .or_else(|| last_lines(text, 1).pop().map(|l| l.trim().to_owned()))
}

/// The last lines `server.log` got since byte `from`, indented, for an error message.
fn log_tail(log: &Path, from: u64) -> String {
    let text = fs::read(log)
        .map(|bytes| {
            let from = usize::try_from(from).unwrap_or(0).min(bytes.len());
            String::from_utf8_lossy(&bytes[from..]).into_owned()
        })
        .unwrap_or_default();
    let lines = last_lines(&text, LOG_TAIL_LINES);
    if lines.is_empty() {
        return "  (nothing)".to_owned();
    }
    lines
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kills a child this process started and reaps it.
fn stop_child(child: &mut Child) {
    if let Err(err) = child.kill() {
        debug!(error = %err, "could not kill the sandbox server");
    }
    let _ = child.wait();
}

fn read(path: &Path) -> Result<Vec<u8>, SandboxError> {
    fs::read(path).map_err(io_error("read", path))
}

fn create_dir(path: &Path) -> Result<(), SandboxError> {
    fs::create_dir_all(path).map_err(io_error("create", path))
}

fn remove_if_exists(path: &Path) -> Result<(), SandboxError> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(SandboxError::Io {
            action: "remove",
            path: path.to_owned(),
            source: err,
        }),
        _ => Ok(()),
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half of it.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), SandboxError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, contents).map_err(io_error("write", &tmp))?;
    fs::rename(&tmp, path).map_err(io_error("write", path))
}

/// The pid of the sandbox server answering on 127.0.0.1:`port`, if one answers. Always the
/// loopback address, whatever endpoint a state file names.
fn health(port: u16) -> Option<u32> {
    SandboxAdmin::new(&format!("http://127.0.0.1:{port}")).health()
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SandboxError {
    let path = path.to_owned();
    move |source| SandboxError::Io {
        action,
        path,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_matches_only_the_same_digest() {
        let digest = sha256_hex(b"moto[server]==5.2.5\n");
        assert!(stamp_matches(Some(&format!("{digest}\n")), &digest));
        assert!(!stamp_matches(Some("0000"), &digest));
        assert!(!stamp_matches(Some(""), &digest));
        assert!(!stamp_matches(None, &digest));
    }

    #[test]
    fn sha256_hex_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn last_lines_skips_blank_lines() {
        let text = "a\n\nb\n  \nc\n\n";
        assert_eq!(last_lines(text, 2), ["b", "c"]);
        assert_eq!(last_lines(text, 10), ["a", "b", "c"]);
        assert!(last_lines("", 3).is_empty());
    }

    #[test]
    fn reason_line_prefers_pips_error_line() {
        let pip = "Collecting six==1.16.0\nERROR: THESE PACKAGES DO NOT MATCH THE HASHES.\n    six==1.16.0:\n        Got  8abb\n\n";
        assert_eq!(
            reason_line(pip).as_deref(),
            Some("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES.")
        );
        assert_eq!(reason_line("a\n  last one \n").as_deref(), Some("last one"));
        assert_eq!(reason_line(""), None);
    }

    #[test]
    fn sandbox_paths_follow_the_directory() {
        let sandbox = Sandbox::in_dir("/x/sandbox").with_state_dir("/tmp/s1");
        assert_eq!(
            sandbox.venv_python(),
            Path::new("/x/sandbox/.venv/bin/python")
        );
        assert_eq!(sandbox.state_file(), Path::new("/tmp/s1/sandbox.json"));
        assert_eq!(
            sandbox.description_file(),
            Path::new("/tmp/s1/organization.json")
        );
        assert_eq!(
            sandbox.server_env().lock,
            Path::new("/x/sandbox/.state/venv.lock")
        );
        assert_eq!(
            sandbox.cli_env().requirements,
            Path::new("/x/sandbox/requirements-cli.txt")
        );
        assert_eq!(
            sandbox.cli_env().dir.join("bin"),
            Path::new("/x/sandbox/.cli-venv/bin")
        );
    }
}
