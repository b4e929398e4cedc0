//! Fault injection for tests: makes `accept` fail with a chosen error on a share of its
//! calls. **Not part of the API**: it exists only with the `fault-injection` feature,
//! which nothing but this workspace's own dev-dependencies enables, so that tests can
//! check what a server does with errors the kernel gives rarely and at random
//! (`ECONNABORTED` when a client resets a connection still in the accept queue; `EPROTO`;
//! `EPERM` from a firewall rule; `EMFILE`).
//!
//! An injected error is returned *instead of* calling `accept4`, before it: it consumes
//! no queued connection, as a real `ECONNABORTED` concerns a connection that is gone, not
//! the one behind it. The setting is per thread (a loop is one thread), so tests running
//! in parallel do not see each other's faults. Which calls fail is decided by a
//! xorshift generator with a fixed seed: a run is reproducible.

use std::cell::Cell;
use std::io;

/// What to inject on this thread, and the generator that picks the calls.
struct Plan {
    /// The `errno` to fail with; 0: inject nothing.
    errno: Cell<i32>,
    /// The share of `accept` calls that fail, in percent (0..=100).
    percent: Cell<u32>,
    /// The xorshift32 state that picks the failing calls.
    rng: Cell<u32>,
    /// How many errors were injected on this thread since the plan was set.
    injected: Cell<u64>,
}

/// The fixed seed of the generator (any non-zero value).
const SEED: u32 = 0x9e37_79b9;

thread_local! {
    /// This thread's plan.
    static PLAN: Plan = const {
        Plan {
            errno: Cell::new(0),
            percent: Cell::new(0),
            rng: Cell::new(SEED),
            injected: Cell::new(0),
        }
    };
}

/// From now on, on this thread, fails `percent` % of `accept` calls (chosen at random,
/// reproducibly) with `errno`, before they reach the kernel; `percent` 0 stops. Resets
/// the count of [`injected_accept_errors`] and the generator.
///
/// # Panics
/// If `percent` is over 100.
pub fn inject_accept_errors(errno: i32, percent: u32) {
    assert!(
        percent <= 100,
        "a share of calls in percent: {percent} > 100"
    );
    PLAN.with(|plan| {
        plan.errno.set(errno);
        plan.percent.set(percent);
        plan.rng.set(SEED);
        plan.injected.set(0);
    });
}

/// How many `accept` errors were injected on this thread since the last
/// [`inject_accept_errors`].
pub fn injected_accept_errors() -> u64 {
    PLAN.with(|plan| plan.injected.get())
}

/// The error to fail this `accept` call with, if the plan picks it.
pub(crate) fn accept_fault() -> Option<io::Error> {
    PLAN.with(|plan| {
        let (errno, percent) = (plan.errno.get(), plan.percent.get());
        if errno == 0 || percent == 0 {
            return None;
        }
        let mut x = plan.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        plan.rng.set(x);
        (x % 100 < percent).then(|| {
            plan.injected.set(plan.injected.get() + 1);
            io::Error::from_raw_os_error(errno)
        })
    })
}
