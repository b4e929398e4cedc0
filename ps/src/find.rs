//! Where the loops of a process serve their task dumps: `evloop-PID-N.sock` in the
//! process's `$XDG_RUNTIME_DIR` (read from `/proc/PID/environ`), in ours, or in `/tmp`,
//! as the executor names them (`executor/src/scheduler/dump_server/`).
//!
//! Finding none is answered by what is true of the process: it does not exist (and a
//! socket under its id is stale), it is another user's, or it runs without debug mode.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// A socket a loop of the process serves on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Socket {
    /// Where it is.
    pub(crate) path: PathBuf,
    /// The process whose id it is named with.
    pub(crate) pid: u32,
    /// The loop's index in that process.
    pub(crate) loop_index: u16,
}

/// The sockets of process `pid`, by loop index; or why there are none to ask.
pub(crate) fn sockets(pid: u32) -> Result<Vec<Socket>, String> {
    let found = scan(&dirs(pid), pid);
    let me = euid();
    match fs::metadata(format!("/proc/{pid}")) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Err(match found.first() {
            Some(stale) => format!(
                "there is no process {pid}; {} is a stale dump socket left by a process with \
                 that id that did not exit cleanly: remove it",
                stale.path.display()
            ),
            None => format!("there is no process {pid}"),
        }),
        Err(err) => Err(format!("cannot look at process {pid}: {err}")),
        Ok(meta) if meta.uid() != me && me != 0 => Err(format!(
            "process {pid} belongs to user {}, not to you (user {me}): run evloop-ps as that user",
            meta.uid()
        )),
        Ok(_) if found.is_empty() => Err(format!(
            "process {pid} serves no task dump: not in debug mode (start it with \
             EVLOOP_DEBUG=1), or not an evloop program"
        )),
        Ok(_) => Ok(found),
    }
}

/// This process's effective user id.
pub(crate) fn euid() -> u32 {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() }
}

/// The directories a loop of process `pid` may have put its socket in, in the order to
/// look: its `$XDG_RUNTIME_DIR`, ours, `/tmp`.
fn dirs(pid: u32) -> Vec<PathBuf> {
    let theirs = fs::read(format!("/proc/{pid}/environ"))
        .ok()
        .and_then(|environ| runtime_dir_of(&environ));
    let ours = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
    let mut dirs = Vec::new();
    for dir in [theirs, ours, Some(PathBuf::from("/tmp"))]
        .into_iter()
        .flatten()
    {
        if dir.is_absolute() && !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// `XDG_RUNTIME_DIR` in an environment block (`NAME=value` strings, each ended by NUL).
fn runtime_dir_of(environ: &[u8]) -> Option<PathBuf> {
    environ
        .split(|&b| b == 0)
        .find_map(|var| var.strip_prefix(b"XDG_RUNTIME_DIR="))
        .map(|value| PathBuf::from(OsStr::from_bytes(value)))
}

/// The sockets named for process `pid` in `dirs`, by loop index.
fn scan(dirs: &[PathBuf], pid: u32) -> Vec<Socket> {
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Some(loop_index) = loop_of(&entry.file_name(), pid) {
                found.push(Socket {
                    path: entry.path(),
                    pid,
                    loop_index,
                });
            }
        }
    }
    found.sort_by_key(|s| s.loop_index);
    found
}

/// The loop index in `name` if it is `evloop-PID-N.sock` for process `pid`.
fn loop_of(name: &OsStr, pid: u32) -> Option<u16> {
    let name = name.to_str()?;
    let rest = name.strip_prefix(&format!("evloop-{pid}-"))?;
    rest.strip_suffix(".sock")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_names_carry_the_pid_and_the_loop() {
        let name = |s: &str| loop_of(OsStr::new(s), 42);
        assert_eq!(name("evloop-42-0.sock"), Some(0));
        assert_eq!(name("evloop-42-17.sock"), Some(17));
        assert_eq!(name("evloop-421-0.sock"), None);
        assert_eq!(name("evloop-42-x.sock"), None);
        assert_eq!(name("evloop-42-0.sock.bak"), None);
    }

    #[test]
    fn the_runtime_dir_is_read_from_an_environment_block() {
        let environ = b"HOME=/root\0XDG_RUNTIME_DIR=/run/user/1000\0PATH=/bin\0";
        assert_eq!(
            runtime_dir_of(environ),
            Some(PathBuf::from("/run/user/1000"))
        );
        assert_eq!(runtime_dir_of(b"HOME=/root\0"), None);
    }

    #[test]
    fn a_process_that_does_not_exist_is_named_so() {
        // Pids are below 2^22 on Linux.
        let problem = sockets(4_000_000_000).unwrap_err();
        assert_eq!(problem, "there is no process 4000000000");
    }
}
