//! `chained_spawn`: a task spawns a task … 1,000 deep, repeated 100 times. ns per spawn.

use crate::runtimes::Rt;
use crate::util::Baton;
use std::rc::Rc;
use std::time::Instant;

const DEPTH: usize = 1_000;
const ROUNDS: usize = 100;

fn chain<R: Rt>(n: usize, done: Rc<Baton>) {
    if n == 0 {
        done.pass(1);
    } else {
        R::spawn_detached(async move { chain::<R>(n - 1, done) });
    }
}

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let start = Instant::now();
        for _ in 0..ROUNDS {
            let done = Rc::new(Baton::new(0));
            chain::<R>(DEPTH, done.clone());
            done.wait(1).await;
        }
        start.elapsed().as_nanos() as f64 / (DEPTH * ROUNDS) as f64
    })
}
