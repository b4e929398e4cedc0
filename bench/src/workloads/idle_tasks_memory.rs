//! `idle_tasks_memory`: 1,000,000 tasks parked forever; bytes per task from the RSS
//! delta, minus the future's own size and the handle kept for it.

use crate::runtimes::Rt;
use crate::util::{rss_bytes, YieldOnce};
use std::cell::Cell;
use std::rc::Rc;

const N: usize = 1_000_000;

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let started = Rc::new(Cell::new(0usize));
        // Return freed memory of earlier runs to the OS so that it is not reused unseen.
        // SAFETY: malloc_trim has no preconditions.
        unsafe { libc::malloc_trim(0) };
        let before = rss_bytes();
        let mut handles = Vec::with_capacity(N);
        let mut fut_size = 0;
        for _ in 0..N {
            let s = started.clone();
            let fut = async move {
                s.set(s.get() + 1);
                std::future::pending::<()>().await
            };
            fut_size = std::mem::size_of_val(&fut);
            handles.push(R::spawn(fut));
        }
        while started.get() < N {
            YieldOnce::new().await;
        }
        let per_task = (rss_bytes() - before) as f64 / N as f64;
        let handle_size = std::mem::size_of::<R::Handle<()>>();
        drop(handles);
        per_task - (fut_size + handle_size) as f64
    })
}
