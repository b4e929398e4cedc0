//! `timers_memory`: the `timers` workload run in a fresh process; its peak resident
//! memory (`VmHWM`) growth over the process's size before the runtime was built, per
//! timer. Counts everything the run held at its peak: the runtime, the 200,000 tasks and
//! their sleeps, and the handles.

use crate::runtimes::Rt;
use crate::util::{peak_rss_bytes, rss_bytes};
use crate::workloads::timers;

pub fn run<R: Rt>() -> f64 {
    let before = rss_bytes();
    std::hint::black_box(timers::run::<R>());
    (peak_rss_bytes().saturating_sub(before)) as f64 / timers::N as f64
}
