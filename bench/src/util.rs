//! Runtime-neutral pieces shared by the workloads, written once and used by every runtime.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Yields once: wakes itself with `wake_by_ref` and returns `Pending` the first time.
pub struct YieldOnce(bool);

impl YieldOnce {
    pub fn new() -> Self {
        YieldOnce(false)
    }
}

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// A one-slot flag saying whose turn it is, with one stored `Waker` per side.
pub struct Baton {
    turn: Cell<usize>,
    wakers: [RefCell<Option<Waker>>; 2],
}

impl Baton {
    pub fn new(turn: usize) -> Self {
        Baton {
            turn: Cell::new(turn),
            wakers: [RefCell::new(None), RefCell::new(None)],
        }
    }

    /// Completes once it is `me`'s turn.
    pub fn wait(&self, me: usize) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.turn.get() == me {
                return Poll::Ready(());
            }
            let mut slot = self.wakers[me].borrow_mut();
            match &*slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
            Poll::Pending
        })
    }

    /// Hands the turn to `to` and wakes it.
    pub fn pass(&self, to: usize) {
        self.turn.set(to);
        if let Some(w) = &*self.wakers[to].borrow() {
            w.wake_by_ref();
        }
    }
}

/// The median of `xs` (the mean of the middle two for an even count); NaN if empty.
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The nearest-rank `p`th percentile (0 < p ≤ 100) of `xs`; NaN if empty.
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// The process's resident set size in bytes, from `/proc/self/statm`.
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(1) as usize
}

/// The process's peak resident set size (`VmHWM`) in bytes, from `/proc/self/status`.
pub fn peak_rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kib * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_percentile() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&xs, 99.0), 99.0);
        assert_eq!(percentile(&xs, 50.0), 50.0);
        assert_eq!(percentile(&xs, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 1.0), 7.0);
    }

    #[test]
    fn peak_rss_is_at_least_the_current_rss() {
        let rss = rss_bytes();
        let peak = peak_rss_bytes();
        assert!(rss > 0);
        // The peak so far covers the RSS read before it (halved: the two files may
        // round per-CPU counters differently).
        assert!(
            peak >= rss / 2,
            "VmHWM {peak} far below an earlier RSS {rss}"
        );
    }
}
