//! The facade's `hyper` feature: `evloop::hyper` is this crate, so the adapters and the
//! client are reachable as `evloop::hyper::EvloopIo`, `evloop::hyper::Client` etc. with
//! a single `evloop` dependency.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hyper::rt::{Executor, Timer};

#[test]
fn the_facade_reexports_the_adapters() {
    // The same types under both paths: one is assigned to the other without conversion.
    let executor: evloop_hyper::EvloopExecutor = evloop::hyper::EvloopExecutor;
    let timer: evloop_hyper::EvloopTimer = evloop::hyper::EvloopTimer;
    let client: evloop_hyper::Client = evloop::hyper::Client::new();
    drop(client);
    let start = Instant::now();
    let fired = evloop::run(async move {
        let fired = Rc::new(Cell::new(false));
        let flag = fired.clone();
        executor.execute(async move {
            timer.sleep(Duration::from_millis(10)).await;
            flag.set(true);
        });
        evloop::time::sleep(Duration::from_millis(50)).await;
        fired.get()
    });
    assert!(fired, "the executed task ran and its sleep fired");
    assert!(start.elapsed() >= Duration::from_millis(50));
}
