//! Asking a loop for its dump: connect to its socket, send one request line (`dump
//! table`, `dump tree` or `dump json`), read the reply to its end. Nothing is sent to a
//! socket that is not this user's, and a loop that does not answer in a few seconds is
//! reported as such, never waited for forever.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::find::{euid, Socket};

/// How long a loop may take to answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// How the dump is to be printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// One line a task.
    Table,
    /// The await tree.
    Tree,
    /// JSON.
    Json,
}

impl Format {
    /// The request line that asks for it.
    fn request(self) -> &'static [u8] {
        match self {
            Format::Table => b"dump table\n",
            Format::Tree => b"dump tree\n",
            Format::Json => b"dump json\n",
        }
    }
}

/// Whether a user `me` may ask a socket owned by `owner`: their own, or any for root.
fn may_ask(owner: u32, me: u32) -> Result<(), String> {
    if owner == me || me == 0 {
        Ok(())
    } else {
        Err(format!(
            "belongs to user {owner}, not to you (user {me}): not asking it"
        ))
    }
}

/// The dump the loop at `socket` serves, printed as `format`; or what went wrong, in a
/// sentence.
pub(crate) fn dump(socket: &Socket, format: Format) -> Result<String, String> {
    let path = socket.path.display();
    let (pid, index) = (socket.pid, socket.loop_index);
    let meta = fs::symlink_metadata(&socket.path).map_err(|err| format!("{path}: {err}"))?;
    if !meta.file_type().is_socket() {
        return Err(format!("{path} is not a socket: not asking it"));
    }
    may_ask(meta.uid(), euid()).map_err(|why| format!("{path} {why}"))?;
    let mut stream = UnixStream::connect(&socket.path).map_err(|err| match err.kind() {
        io::ErrorKind::ConnectionRefused => format!(
            "{path} is stale: no loop of process {pid} listens on it (its runtime was leaked, \
             or an earlier process with that id did not exit cleanly)"
        ),
        _ => format!("cannot connect to {path}: {err}"),
    })?;
    let timed_out = || {
        format!(
            "loop {index} of process {pid} did not answer within {} s: it is between two \
             block_on calls, or a task is blocking its thread (debug mode's slow-poll reports \
             on the process's stderr name such a task)",
            TIMEOUT.as_secs()
        )
    };
    let io_error = |err: io::Error| match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => timed_out(),
        _ => format!("loop {index} of process {pid}: {err}"),
    };
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io_error)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io_error)?;
    stream.write_all(format.request()).map_err(io_error)?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).map_err(io_error)?;
    if let Some(refusal) = reply.strip_prefix("error: ") {
        return Err(format!(
            "loop {index} of process {pid} refused: {}",
            refusal.trim_end()
        ));
    }
    if reply.is_empty() {
        return Err(format!(
            "loop {index} of process {pid} closed without an answer"
        ));
    }
    Ok(reply.trim_end_matches('\n').to_string() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_or_root_asks_a_socket() {
        assert_eq!(may_ask(1000, 1000), Ok(()));
        assert_eq!(may_ask(1000, 0), Ok(()));
        assert_eq!(
            may_ask(0, 1000).unwrap_err(),
            "belongs to user 0, not to you (user 1000): not asking it"
        );
    }
}
