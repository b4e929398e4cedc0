//! `spawn_many`: spawn 200,000 trivial tasks, then await every handle. ns per task.

use crate::runtimes::Rt;
use std::time::Instant;

const N: usize = 200_000;

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = (0..N).map(|i| R::spawn(async move { i })).collect();
        let mut sum = 0usize;
        for h in handles {
            sum += h.await;
        }
        std::hint::black_box(sum);
        start.elapsed().as_nanos() as f64 / N as f64
    })
}
