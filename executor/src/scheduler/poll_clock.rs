//! The clock debug mode times polls with: the kernel's tick clock when the slow-poll
//! threshold is coarse enough for it, the precise monotonic clock otherwise.
//!
//! Debug mode reads a clock once per poll (the end of one poll is the start of the next).
//! The precise clock (`CLOCK_MONOTONIC`, what `std::time::Instant` reads) costs some
//! 20-35 ns a read on a virtual machine, more than a whole poll of a task that only
//! yields; the tick clock (`CLOCK_MONOTONIC_COARSE`) is a memory read of the time the
//! kernel stored at its last tick, a few ns, but moves in whole ticks (4 ms on most
//! kernels). Both run on the same timeline, so their readings compare.
//!
//! With the tick clock a poll's measured length is a whole number of ticks and may be one
//! tick short of or over the truth: fine for a threshold of twenty ticks or more (the
//! default 100 ms against 4 ms ticks), and summed over many polls the error averages out
//! (a poll counts one tick as often as it spans a tick boundary). A finer threshold gets
//! the precise clock and pays for it.

use std::time::Duration;

/// How many ticks a threshold must span for polls to be timed in ticks.
const TICKS_PER_THRESHOLD: u32 = 20;

/// The clock a loop times its polls with in debug mode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PollClock {
    /// `CLOCK_MONOTONIC_COARSE` or `CLOCK_MONOTONIC`.
    id: libc::clockid_t,
    /// How far a reading may be from the truth: one tick, or zero for the precise clock.
    slack: Duration,
    /// The slow-poll threshold it was chosen for, in nanoseconds.
    threshold: u64,
}

impl PollClock {
    /// The cheapest clock fine enough for `threshold` (see the module docs).
    pub(crate) fn for_threshold(threshold: Duration) -> PollClock {
        let threshold_ns = u64::try_from(threshold.as_nanos()).unwrap_or(u64::MAX);
        match tick() {
            Some(tick) if tick * TICKS_PER_THRESHOLD <= threshold => PollClock {
                id: libc::CLOCK_MONOTONIC_COARSE,
                slack: tick,
                threshold: threshold_ns,
            },
            _ => PollClock {
                threshold: threshold_ns,
                ..PollClock::precise()
            },
        }
    }

    /// The precise monotonic clock (with no threshold: every poll counts as slow).
    pub(crate) fn precise() -> PollClock {
        PollClock {
            id: libc::CLOCK_MONOTONIC,
            slack: Duration::ZERO,
            threshold: 0,
        }
    }

    /// Now, in nanoseconds on the monotonic timeline.
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        read(self.id).unwrap_or(0)
    }

    /// How much a measured length may be short of the truth: one tick for the tick clock.
    pub(crate) fn slack(&self) -> Duration {
        self.slack
    }

    /// The slow-poll threshold, in nanoseconds of this clock.
    #[inline]
    pub(crate) fn threshold(&self) -> u64 {
        self.threshold
    }
}

/// The tick clock's resolution, if the kernel has that clock.
fn tick() -> Option<Duration> {
    let mut res = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `res` is a valid, writable timespec.
    let rc = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut res) };
    (rc == 0).then(|| Duration::new(res.tv_sec as u64, res.tv_nsec as u32))
}

/// Reads clock `id` in nanoseconds (`None` if the kernel refuses, which it does only for
/// an unknown clock).
#[inline]
fn read(id: libc::clockid_t) -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn both_clocks_share_a_timeline() {
        let coarse = PollClock::for_threshold(Duration::from_secs(3600));
        let precise = PollClock::precise();
        let (a, b) = (coarse.now(), precise.now());
        // The tick clock lags the precise one by less than a tick (and some slack for a
        // preempted test thread), and never leads it.
        assert!(a <= b + 1_000, "coarse {a} ahead of precise {b}");
        assert!(b - a < 1_000_000_000, "coarse {a} far behind precise {b}");
        assert!(coarse.slack() < Duration::from_millis(100));
    }

    #[test]
    fn a_fine_threshold_gets_the_precise_clock() {
        let clock = PollClock::for_threshold(Duration::from_micros(10));
        assert_eq!(clock.slack(), Duration::ZERO);
        let a = clock.now();
        std::thread::sleep(Duration::from_millis(1));
        assert!(clock.now() - a >= 1_000_000);
    }
}
