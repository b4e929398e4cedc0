//! `timers`: 200,000 tasks each sleeping a spread of 0–100 ms. ns per timer of the time
//! beyond the longest sleep: (total − 100 ms) / 200,000.

use crate::runtimes::Rt;
use std::time::{Duration, Instant};

/// The number of sleepers.
pub const N: u64 = 200_000;
const LONGEST: Duration = Duration::from_millis(100);

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let d = LONGEST * i as u32 / (N - 1) as u32;
                R::spawn(async move {
                    R::sleep(d).await;
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        (start.elapsed() - LONGEST).as_nanos() as f64 / N as f64
    })
}
