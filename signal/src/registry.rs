//! The process-wide signal state: one self-pipe, which signals have evloop's handler,
//! what the handler recorded, and who listens for what.
//!
//! ```text
//! signal handler (any thread)          a loop whose Signal saw the pipe readable
//!   PENDING[sig] = true        ──►       drain the pipe
//!   write(pipe, 1 byte)                  for each sig with PENDING[sig].swap(false):
//!                                            generation[sig] += 1
//!                                            wake every listener of sig (any loop)
//! ```
//!
//! Draining comes before the swap: a signal that lands in between leaves its byte in the
//! pipe and its flag set, so it is dispatched now or on the next wake-up, never lost.
//! Several deliveries between two dispatches count once (like tokio, and like the kernel
//! itself for non-real-time signals).

use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::Waker;

use libc::c_int;

use crate::kind::SignalKind;
use crate::sys;

/// One more than the highest signal number on Linux (`_NSIG`: 1–31 standard, 32–64
/// real-time).
pub(crate) const NSIG: usize = 65;

/// Signals whose handler the crate refuses to install, with why.
const FORBIDDEN: [(c_int, &str); 6] = [
    (libc::SIGKILL, "SIGKILL cannot be caught"),
    (libc::SIGSTOP, "SIGSTOP cannot be caught"),
    (
        libc::SIGSEGV,
        "SIGSEGV reports a memory fault in the thread that caused it; returning from a handler re-runs the faulting instruction",
    ),
    (
        libc::SIGBUS,
        "SIGBUS reports a memory fault in the thread that caused it; returning from a handler re-runs the faulting instruction",
    ),
    (
        libc::SIGILL,
        "SIGILL reports an illegal instruction in the thread that ran it; returning from a handler re-runs it",
    ),
    (
        libc::SIGFPE,
        "SIGFPE reports an arithmetic fault in the thread that caused it; returning from a handler re-runs it",
    ),
];

/// A `false` to build [`PENDING`] from (a `const`, so the array may repeat it).
#[allow(clippy::declare_interior_mutable_const)]
const NOT_PENDING: AtomicBool = AtomicBool::new(false);

/// Set by the handler when a signal arrives, cleared by [`Globals::dispatch`]. A plain
/// `static` (not behind the `OnceLock`) because the handler may touch nothing else.
static PENDING: [AtomicBool; NSIG] = [NOT_PENDING; NSIG];

/// Created on the first [`Globals::get`], then kept for the rest of the process.
static GLOBALS: OnceLock<Globals> = OnceLock::new();

/// Records a delivery of `signum`. Called from the signal handler: one atomic store,
/// async-signal-safe.
pub(crate) fn record(signum: c_int) {
    if let Some(flag) = usize::try_from(signum).ok().and_then(|i| PENDING.get(i)) {
        flag.store(true, Ordering::SeqCst);
    }
}

/// The state shared by every loop of the process.
pub(crate) struct Globals {
    /// The pipe's read end (non-blocking). Never read directly: each
    /// [`Signal`](crate::Signal) registers its own duplicate with its loop's reactor.
    read: OwnedFd,
    /// The pipe's write end, which the handler writes to; open until the process exits.
    write: OwnedFd,
    /// Per signal number: its deliveries and listeners.
    slots: Vec<Slot>,
    /// Per signal number: whether evloop's handler is installed (it stays for the rest
    /// of the process). A lock, so two loops asking at once install it once.
    installed: Mutex<[bool; NSIG]>,
}

/// What the registry knows about one signal number.
#[derive(Default)]
struct Slot {
    /// Dispatched deliveries so far; a listener that saw a smaller value has news.
    generation: AtomicU64,
    /// The listeners to wake on a delivery, from every loop of the process.
    listeners: Mutex<Vec<Arc<Listener>>>,
}

/// One [`Signal`](crate::Signal)'s entry in its signal's listener list.
#[derive(Debug, Default)]
pub(crate) struct Listener {
    /// The task waiting in `poll_recv`, woken on the next delivery (from whichever loop
    /// dispatches it, hence `Waker`'s cross-thread wake).
    waker: Mutex<Option<Waker>>,
}

impl Listener {
    /// Parks `waker` to be woken on the next delivery (unless it is already parked).
    pub(crate) fn park(&self, waker: &Waker) {
        let mut slot = lock(&self.waker);
        match &*slot {
            Some(parked) if parked.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

impl Globals {
    /// The process's signal state, creating the self-pipe on first use.
    ///
    /// # Errors
    /// The OS error of `pipe2` (typically `EMFILE`).
    pub(crate) fn get() -> io::Result<&'static Globals> {
        if let Some(globals) = GLOBALS.get() {
            return Ok(globals);
        }
        // Two threads may both get here; the loser's pipe is closed when dropped.
        let (read, write) = sys::pipe()?;
        let globals = GLOBALS.get_or_init(|| Globals {
            read,
            write,
            slots: (0..NSIG).map(|_| Slot::default()).collect(),
            installed: Mutex::new([false; NSIG]),
        });
        sys::set_handler_pipe(&globals.write);
        Ok(globals)
    }

    /// The read end, to duplicate for a reactor registration.
    pub(crate) fn read_end(&self) -> &OwnedFd {
        &self.read
    }

    /// Installs evloop's handler for `signum` unless it already is.
    ///
    /// # Errors
    /// Those of [`check`]; otherwise the OS error of `sigaction` (`EINVAL` for the
    /// real-time signals the C library reserves for itself).
    pub(crate) fn ensure_handler(&self, signum: c_int) -> io::Result<()> {
        check(signum)?;
        let mut installed = lock(&self.installed);
        let index = signum as usize;
        if !installed[index] {
            sys::install_handler(signum).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "evloop::signal: installing a handler for {}: {e}",
                        SignalKind::from_raw(signum)
                    ),
                )
            })?;
            installed[index] = true;
        }
        Ok(())
    }

    /// Adds a listener for `signum`; returns it with the signal's current generation
    /// (deliveries before this call are not the listener's).
    pub(crate) fn listen(&self, signum: c_int) -> (Arc<Listener>, u64) {
        let slot = &self.slots[signum as usize];
        let listener = Arc::new(Listener::default());
        let mut listeners = lock(&slot.listeners);
        listeners.push(listener.clone());
        let generation = slot.generation.load(Ordering::SeqCst);
        drop(listeners);
        (listener, generation)
    }

    /// Removes `listener` from `signum`'s list.
    pub(crate) fn unlisten(&self, signum: c_int, listener: &Arc<Listener>) {
        let mut listeners = lock(&self.slots[signum as usize].listeners);
        listeners.retain(|l| !Arc::ptr_eq(l, listener));
    }

    /// Deliveries of `signum` dispatched so far.
    pub(crate) fn generation(&self, signum: c_int) -> u64 {
        self.slots[signum as usize]
            .generation
            .load(Ordering::SeqCst)
    }

    /// Turns what the handler recorded into listener wake-ups. Call after draining the
    /// pipe (see the module docs for why in this order).
    pub(crate) fn dispatch(&self) {
        for (flag, slot) in PENDING.iter().zip(&self.slots) {
            if !flag.swap(false, Ordering::SeqCst) {
                continue;
            }
            slot.generation.fetch_add(1, Ordering::SeqCst);
            // Wake outside the list's lock: a waker may run code that drops a Signal.
            let wakers: Vec<Waker> = lock(&slot.listeners)
                .iter()
                .filter_map(|l| lock(&l.waker).take())
                .collect();
            for waker in wakers {
                waker.wake();
            }
        }
    }
}

/// Refuses numbers that are no signal, and signals that must not be caught.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] for a number outside 1–64 or one of the signals that
/// must not be caught (`SIGKILL`, `SIGSTOP`, `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`).
pub(crate) fn check(signum: c_int) -> io::Result<()> {
    if let Some((_, why)) = FORBIDDEN.iter().find(|(forbidden, _)| *forbidden == signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("evloop::signal: refusing to handle signal {signum}: {why}"),
        ));
    }
    if !(1..NSIG as c_int).contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "evloop::signal: {signum} is not a signal number (1 to {})",
                NSIG - 1
            ),
        ));
    }
    Ok(())
}

/// Locks `mutex`, ignoring poison: every critical section here leaves its data valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_and_out_of_range_numbers_are_invalid_input() {
        for signum in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            0,
            -1,
            NSIG as c_int,
        ] {
            let err = check(signum).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{signum}: {err}");
        }
        for signum in [libc::SIGINT, libc::SIGTERM, libc::SIGUSR1, libc::SIGWINCH] {
            check(signum).unwrap();
        }
    }
}
