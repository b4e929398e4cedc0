//! `yield_many`: 200 tasks each yielding 10,000 times. ns per yield.

use crate::runtimes::Rt;
use crate::util::YieldOnce;
use std::time::Instant;

const TASKS: usize = 200;
const YIELDS: usize = 10_000;

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                R::spawn(async {
                    for _ in 0..YIELDS {
                        YieldOnce::new().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        start.elapsed().as_nanos() as f64 / (TASKS * YIELDS) as f64
    })
}
