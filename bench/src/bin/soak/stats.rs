//! Counters of what happened during the soak, shared by the server and client tasks.

use std::cell::Cell;
use std::fmt;

/// Counters (all on the loop's one thread, so plain `Cell`s).
#[derive(Default)]
pub struct Stats {
    /// Client sessions finished, of any kind.
    pub sessions: Cell<u64>,
    /// Sessions that echoed every message and closed cleanly.
    pub clean: Cell<u64>,
    /// Sessions that reset the connection (SO_LINGER 0) halfway through a message.
    pub resets: Cell<u64>,
    /// Sessions that dropped the connection halfway through reading an echo.
    pub drops: Cell<u64>,
    /// Sessions whose I/O a very short timeout cancelled midway.
    pub cancelled: Cell<u64>,
    /// Sessions that idled until the server closed them.
    pub idled_out: Cell<u64>,
    /// Sessions that half-closed and read the rest of the echo and EOF.
    pub half_closed: Cell<u64>,
    /// Echoed bytes checked against what was sent.
    pub verified_bytes: Cell<u64>,
    /// Connections the server accepted.
    pub accepted: Cell<u64>,
    /// Connections the server closed for idleness.
    pub server_idle_closes: Cell<u64>,
    /// I/O errors the server saw on connections (resets by the clients).
    pub server_io_errors: Cell<u64>,
    /// Errors from `accept` (e.g. EMFILE); the server sleeps and retries.
    pub accept_errors: Cell<u64>,
    /// Client connections open now.
    pub client_open: Cell<u64>,
    /// Server connections open now.
    pub server_open: Cell<u64>,
    /// Things that must never happen: a wrong echo, or an error in a session that
    /// misbehaved in no way. Each is printed when it happens.
    pub failures: Cell<u64>,
}

/// Adds one to a counter.
pub fn bump(counter: &Cell<u64>) {
    counter.set(counter.get() + 1);
}

/// Takes one from a counter.
pub fn drop_one(counter: &Cell<u64>) {
    counter.set(counter.get() - 1);
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sessions ({} clean, {} reset, {} dropped mid-read, {} cancelled by timeout, \
             {} idled out, {} half-closed), {:.1} MiB echoed and verified; server: {} accepted, \
             {} idle closes, {} I/O errors, {} accept errors; failures: {}",
            self.sessions.get(),
            self.clean.get(),
            self.resets.get(),
            self.drops.get(),
            self.cancelled.get(),
            self.idled_out.get(),
            self.half_closed.get(),
            self.verified_bytes.get() as f64 / (1024.0 * 1024.0),
            self.accepted.get(),
            self.server_idle_closes.get(),
            self.server_io_errors.get(),
            self.accept_errors.get(),
            self.failures.get(),
        )
    }
}
