//! `timer_precision`: sequential sleeps of one length in one task; lateness in µs of
//! each (negative would mean early).

use crate::runtimes::Rt;
use std::time::{Duration, Instant};

/// The sleep lengths measured.
pub const LENGTHS: [Duration; 4] = [
    Duration::from_micros(50),
    Duration::from_micros(250),
    Duration::from_millis(1),
    Duration::from_millis(10),
];

/// Sleeps per length.
pub const SAMPLES: usize = 200;

pub fn run<R: Rt>(d: Duration) -> Vec<f64> {
    R::block_on(async move {
        let mut late = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let start = Instant::now();
            R::sleep(d).await;
            let took = start.elapsed();
            late.push((took.as_nanos() as f64 - d.as_nanos() as f64) / 1000.0);
        }
        late
    })
}
