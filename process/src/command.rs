//! [`Command`]: std's process builder, spawning children whose pipes and exit live on
//! the loop.

use std::env;
use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

use evloop_reactor::Reactor;

use crate::child::Child;
use crate::exit_watch::ExitWatch;
use crate::reaper::{self, Orphan};
use crate::sys;

/// A process to run, built like [`std::process::Command`] (whose `Stdio` it takes), and
/// spawned onto the loop, like asyncio's `create_subprocess_exec`.
///
/// ```
/// use std::process::Stdio;
/// use evloop::process::Command;
///
/// evloop::run(async {
///     let output = Command::new("sh")
///         .arg("-c")
///         .arg("echo $GREETING from $PWD")
///         .env("GREETING", "hello")
///         .current_dir("/")
///         .output()
///         .await?;
///     assert_eq!(output.stdout, b"hello from /\n");
///     assert!(output.status.success());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// The program is looked up in `PATH` unless it contains a `/`; arguments are passed as
/// they are, with no shell in between (asyncio's `create_subprocess_exec`, not
/// `create_subprocess_shell`: run `sh -c` for that).
pub struct Command {
    /// The std builder that holds everything and does the fork/exec.
    std: std::process::Command,
    /// Whether `stdin`, `stdout`, `stderr` were set by the user (else each spawning
    /// method applies its own default, as std does).
    stdio_set: [bool; 3],
    /// Whether dropping the `Child` while it runs kills it.
    kill_on_drop: bool,
}

/// What the standard streams default to when not set: they differ by method, as in std.
#[derive(Clone, Copy)]
enum Defaults {
    /// `spawn` and `status`: all three inherited from this process.
    Inherit,
    /// `output`: stdin from `/dev/null`, stdout and stderr captured.
    Capture,
}

impl Command {
    /// A command to run `program`, with no arguments, this process's environment and
    /// working directory, and (for [`spawn`](Self::spawn)) its standard streams.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let status = Command::new("true").status().await?;
    ///     assert!(status.success());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            std: std::process::Command::new(program),
            stdio_set: [false; 3],
            kill_on_drop: false,
        }
    }

    /// Adds one argument.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("echo").arg("one arg, spaces kept").output().await?;
    ///     assert_eq!(out.stdout, b"one arg, spaces kept\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("echo").args(["a", "b"]).output().await?;
    ///     assert_eq!(out.stdout, b"a b\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("sh").args(["-c", "echo $COLOR"]).env("COLOR", "blue").output().await?;
    ///     assert_eq!(out.stdout, b"blue\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("sh")
    ///         .args(["-c", "echo $A$B"])
    ///         .envs([("A", "1"), ("B", "2")])
    ///         .output()
    ///         .await?;
    ///     assert_eq!(out.stdout, b"12\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("sh")
    ///         .args(["-c", "echo ${HOME:-none}"])
    ///         .env_remove("HOME")
    ///         .output()
    ///         .await?;
    ///     assert_eq!(out.stdout, b"none\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (then add what it needs).
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("/usr/bin/env").env_clear().env("ONLY", "me").output().await?;
    ///     assert_eq!(out.stdout, b"ONLY=me\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("pwd").current_dir("/").output().await?;
    ///     assert_eq!(out.stdout, b"/\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's standard input: `Stdio::piped()` (then write to
    /// [`Child::stdin`]), `Stdio::null()`, `Stdio::inherit()`, or a file.
    ///
    /// ```
    /// use std::process::Stdio;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let child = Command::new("cat").stdin(Stdio::piped()).spawn()?;
    ///     assert!(child.stdin.is_some());
    ///     child.wait_with_output().await?; // closes stdin: cat exits
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdio_set[0] = true;
        self
    }

    /// Sets the child's standard output: `Stdio::piped()` (then read
    /// [`Child::stdout`]), `Stdio::null()`, `Stdio::inherit()`, or a file.
    ///
    /// ```
    /// use std::process::Stdio;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("echo").arg("hidden").stdout(Stdio::null()).output().await?;
    ///     assert!(out.stdout.is_empty());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdio_set[1] = true;
        self
    }

    /// Sets the child's standard error, as [`stdout`](Self::stdout).
    ///
    /// ```
    /// use std::process::Stdio;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("sh")
    ///         .args(["-c", "echo e >&2"])
    ///         .stderr(Stdio::piped())
    ///         .spawn()?;
    ///     assert!(child.stderr.is_some());
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stdio_set[2] = true;
        self
    }

    /// Whether dropping the [`Child`] while the process runs kills it (`SIGKILL`) before
    /// it is reaped in the background. Off by default, as in std: a dropped child runs
    /// on. Turn it on for helpers that must not outlive the task that owns them (a
    /// cancelled task drops its `Child`).
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let child = Command::new("sleep").arg("60").kill_on_drop(true).spawn()?;
    ///     drop(child); // killed now, reaped in the background
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// The std builder, for what this one does not wrap (`uid`, `process_group`,
    /// `pre_exec` through `std::os::unix::process::CommandExt`, ...).
    ///
    /// ```
    /// use std::os::unix::process::CommandExt;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut cmd = Command::new("true");
    ///     cmd.as_std_mut().process_group(0); // its own process group
    ///     assert!(cmd.status().await?.success());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Starts the child, like asyncio's `await create_subprocess_exec(...)`, and returns
    /// it at once. Unset standard streams are inherited.
    ///
    /// The only blocking work is the fork/exec itself (std's, which reports a failed
    /// exec); the exit is then watched through a pidfd on the loop's reactor (Linux
    /// 5.3+) or, on older kernels, through `SIGCHLD`.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let err = Command::new("no-such-program-here").spawn().unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("no-such-program-here"));
    /// });
    /// ```
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`] for a program that does not exist (or a working
    /// directory that does not), [`io::ErrorKind::PermissionDenied`] for one that is not
    /// executable, each naming the program; an error saying so outside a running loop;
    /// the OS error otherwise (`EMFILE`, `EAGAIN` at the process limit).
    pub fn spawn(&mut self) -> io::Result<Child> {
        self.spawn_with(Defaults::Inherit)
    }

    /// Runs the child to its end and returns its exit status; unset streams are
    /// inherited.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let status = Command::new("sh").args(["-c", "exit 7"]).status().await?;
    ///     assert_eq!(status.code(), Some(7));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`spawn`](Self::spawn) and [`Child::wait`].
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn_with(Defaults::Inherit)?;
        child.wait_at(None).await
    }

    /// Runs the child to its end and collects its output, like
    /// `create_subprocess_exec(..., stdout=PIPE, stderr=PIPE)` and `communicate()`.
    /// Unless set otherwise, stdin reads from `/dev/null` and stdout and stderr are
    /// captured.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let out = Command::new("sh").args(["-c", "echo out; echo err >&2"]).output().await?;
    ///     assert_eq!((&out.stdout[..], &out.stderr[..]), (&b"out\n"[..], &b"err\n"[..]));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`spawn`](Self::spawn) and [`Child::wait_with_output`].
    pub async fn output(&mut self) -> io::Result<Output> {
        self.spawn_with(Defaults::Capture)?.wait_with_output().await
    }

    /// Spawns with the unset standard streams set per `defaults`.
    fn spawn_with(&mut self, defaults: Defaults) -> io::Result<Child> {
        if Reactor::current().is_none() {
            return Err(io::Error::other(format!(
                "cannot spawn `{}` outside an evloop loop: spawn children inside \
                 `evloop::run` (their pipes and exit are watched by the loop)",
                self.std.get_program().to_string_lossy()
            )));
        }
        let [stdin, stdout, stderr] = self.stdio_set;
        if !stdin {
            self.std.stdin(match defaults {
                Defaults::Inherit => Stdio::inherit(),
                Defaults::Capture => Stdio::null(),
            });
        }
        for (set, capture) in [(stdout, true), (stderr, false)] {
            if set {
                continue;
            }
            let cfg = match defaults {
                Defaults::Inherit => Stdio::inherit(),
                Defaults::Capture => Stdio::piped(),
            };
            if capture {
                self.std.stdout(cfg);
            } else {
                self.std.stderr(cfg);
            }
        }
        let std_child = self.std.spawn().map_err(|e| self.spawn_error(e))?;
        let pid = std_child.id();
        // From here on the child exists: on an error it is killed and reaped, never leaked.
        let watch = ExitWatch::new(pid).inspect_err(|_| abandon(pid))?;
        Child::new(std_child, watch, self.kill_on_drop)
    }

    /// `e`, from std's spawn, with the program (and what to check) in its message.
    fn spawn_error(&self, e: io::Error) -> io::Error {
        let program = self.std.get_program().to_string_lossy();
        let why = match e.kind() {
            io::ErrorKind::NotFound => match self.std.get_current_dir() {
                Some(dir) if !dir.is_dir() => {
                    format!("its working directory {dir:?} does not exist")
                }
                _ if program.contains('/') => "no such file".to_owned(),
                _ => {
                    let path = self
                        .std
                        .get_envs()
                        .find(|(key, _)| *key == "PATH")
                        .and_then(|(_, value)| value.map(OsStr::to_owned))
                        .or_else(|| env::var_os("PATH"))
                        .unwrap_or_default();
                    format!("program not found in PATH ({})", path.to_string_lossy())
                }
            },
            io::ErrorKind::PermissionDenied => {
                "permission denied (not executable, or a directory on the way is not \
                 searchable)"
                    .to_owned()
            }
            _ => e.to_string(),
        };
        io::Error::new(e.kind(), format!("cannot run `{program}`: {why}"))
    }
}

/// Kills a child whose `Child` could not be made, and leaves it to the background reaper.
fn abandon(pid: u32) {
    let _ = sys::kill(pid, libc::SIGKILL);
    reaper::adopt(Orphan { pid, pidfd: None });
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("std", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
