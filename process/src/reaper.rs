//! The background reaper: collects children whose [`Child`](crate::Child) was dropped
//! before they exited, so none is left a zombie.
//!
//! A zombie is an exited child nobody `waitpid`ed: it keeps its pid and a process-table
//! slot until its parent collects it. A dropped `Child` can no longer be awaited, and the
//! loop that spawned it may stop before it exits, so its pid (and pidfd) goes to one
//! process-wide thread that sleeps in `poll(2)` on the orphans' pidfds and reaps each as
//! it exits. The thread starts with the first orphan and ends when none is left. Without
//! pidfds (the `SIGCHLD` fallback) it checks its orphans every 100 ms instead.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

use crate::sys;

/// How often the reaper looks at orphans it has no pidfd for.
const FALLBACK_PERIOD: Duration = Duration::from_millis(100);

/// A child nobody will wait for.
#[derive(Debug)]
pub(crate) struct Orphan {
    /// Its pid.
    pub(crate) pid: u32,
    /// Its pidfd, readable once it exits; `None` under the `SIGCHLD` fallback.
    pub(crate) pidfd: Option<OwnedFd>,
}

/// The reaper's shared state.
#[derive(Debug)]
struct Reaper {
    /// The children to reap.
    orphans: Vec<Orphan>,
    /// Whether the thread runs (it clears this, under the lock, as it ends).
    running: bool,
}

/// The orphans and the thread's state, shared by every loop of the process.
static REAPER: Mutex<Reaper> = Mutex::new(Reaper {
    orphans: Vec::new(),
    running: false,
});

/// The eventfd that wakes the thread when an orphan arrives.
static DOORBELL: OnceLock<OwnedFd> = OnceLock::new();

/// The reaper's state; a panic elsewhere while it was held leaves it usable.
fn lock() -> MutexGuard<'static, Reaper> {
    REAPER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Hands `orphan` to the background reaper, starting it if needed.
pub(crate) fn adopt(orphan: Orphan) {
    let doorbell = match DOORBELL.get() {
        Some(fd) => Some(fd),
        None => sys::eventfd().ok().map(|fd| DOORBELL.get_or_init(|| fd)),
    };
    let mut reaper = lock();
    reaper.orphans.push(orphan);
    if reaper.running {
        if let Some(doorbell) = doorbell {
            sys::ring(doorbell.as_fd());
        }
        return;
    }
    match thread::Builder::new()
        .name("evloop-reaper".into())
        .spawn(run)
    {
        Ok(_) => reaper.running = true,
        // No thread today: the orphans stay listed, and the next adoption tries again.
        Err(e) => eprintln!(
            "evloop-process: cannot start the thread that reaps dropped children ({e}); \
             they stay zombies until the next child is dropped"
        ),
    }
}

/// The thread: reap what has exited, sleep until a pidfd or the doorbell says more.
fn run() {
    loop {
        let (fds, timeout) = {
            let mut reaper = lock();
            reaper.orphans.retain(|orphan| {
                // Reaped, or not ours to reap any more (ECHILD): either way, done.
                !matches!(sys::try_reap(orphan.pid), Ok(Some(_)) | Err(_))
            });
            if reaper.orphans.is_empty() {
                reaper.running = false;
                return;
            }
            let mut fds: Vec<RawFd> = reaper
                .orphans
                .iter()
                .filter_map(|o| o.pidfd.as_ref().map(AsRawFd::as_raw_fd))
                .collect();
            let blind = fds.len() < reaper.orphans.len();
            if let Some(doorbell) = DOORBELL.get() {
                fds.push(doorbell.as_raw_fd());
            }
            // Only this thread removes orphans, so the pidfds stay open while it polls.
            (fds, blind.then_some(FALLBACK_PERIOD))
        };
        let timeout = if DOORBELL.get().is_none() {
            Some(FALLBACK_PERIOD)
        } else {
            timeout
        };
        if sys::poll_readable(&fds, timeout).is_err() {
            // poll itself failed (out of memory): look again a little later.
            thread::sleep(FALLBACK_PERIOD);
        }
        if let Some(doorbell) = DOORBELL.get() {
            sys::drain(doorbell.as_fd());
        }
    }
}
