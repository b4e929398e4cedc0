//! Punctual timers: sleep in the kernel until just before a deadline, then spin to it.
//!
//! Even with the thread's timer slack at 1 ns, a thread that asks the kernel to wake it
//! at time T runs again some tens of microseconds after T on a virtual machine (the
//! hrtimer interrupt, the scheduler, the vCPU being descheduled). The loop learns how late
//! its own timed waits end (`record`, a moving average) and asks the kernel to wake it
//! that much *before* the next timer's deadline (`margin`); the last few microseconds it
//! spends checking the clock, and for I/O every few microseconds, so the timer fires within a
//! microsecond or two of its deadline and never before it.
//!
//! The cost is CPU: at most `max` per timed wait, and only while the loop has nothing
//! else to do. `Builder::timer_spin(Duration::ZERO)` turns it off.

use std::cell::Cell;
use std::time::Duration;

/// The learned wake-up lateness of the kernel, and the cap on how early the loop wakes.
#[derive(Debug)]
pub(crate) struct TimerSpin {
    /// The longest margin ever used; zero disables spinning.
    max: Duration,
    /// Moving average of how late a timed kernel wait ended, in nanoseconds.
    late_ns: Cell<u64>,
}

/// The starting guess for the kernel's lateness before anything was measured.
const INITIAL_LATE_NS: u64 = 20_000;

impl TimerSpin {
    /// A spinner that never wakes more than `max` before a deadline.
    pub(crate) fn new(max: Duration) -> TimerSpin {
        TimerSpin {
            max,
            late_ns: Cell::new(INITIAL_LATE_NS),
        }
    }

    /// How long before a deadline to end the kernel wait: twice the average lateness
    /// (lateness has a long tail), capped at `max`.
    pub(crate) fn margin(&self) -> Duration {
        if self.max.is_zero() {
            return Duration::ZERO;
        }
        Duration::from_nanos(self.late_ns.get().saturating_mul(2)).min(self.max)
    }

    /// Records that a kernel wait asked to end at some instant ended `late` after it.
    pub(crate) fn record(&self, late: Duration) {
        // Cap a single sample so one preemption (milliseconds) cannot dominate the average.
        let sample = (late.as_nanos() as u64).min(self.max.as_nanos() as u64 * 2);
        let avg = self.late_ns.get();
        // avg += (sample - avg) / 8, in integers.
        self.late_ns.set(avg - avg / 8 + sample / 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_spinner_has_no_margin() {
        let spin = TimerSpin::new(Duration::ZERO);
        spin.record(Duration::from_micros(50));
        assert_eq!(spin.margin(), Duration::ZERO);
    }

    #[test]
    fn margin_follows_measured_lateness_within_the_cap() {
        let spin = TimerSpin::new(Duration::from_micros(100));
        for _ in 0..100 {
            spin.record(Duration::from_micros(10));
        }
        let m = spin.margin();
        assert!(
            m >= Duration::from_micros(19) && m <= Duration::from_micros(21),
            "{m:?}"
        );
        for _ in 0..100 {
            spin.record(Duration::from_millis(5));
        }
        assert_eq!(spin.margin(), Duration::from_micros(100), "capped at max");
        for _ in 0..200 {
            spin.record(Duration::ZERO);
        }
        assert!(spin.margin() < Duration::from_micros(1));
    }
}
