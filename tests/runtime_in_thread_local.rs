//! A `Runtime` kept in a `thread_local!` is dropped while its thread's thread-locals are
//! being destroyed. Its shutdown must still find its loop (and not abort the process with
//! "thread local panicked on drop"), dropping every task it still holds.
//!
//! A binary of its own: before the fix, this aborted the whole process.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use evloop::Runtime;

/// Counts its drops.
struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

#[test]
fn a_runtime_in_a_thread_local_is_dropped_cleanly_at_thread_exit() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = dropped.clone();
    std::thread::spawn(move || {
        // Stored first: this thread-local's destructor is registered before any the loop
        // touches while it runs, so at thread exit it runs after theirs (in reverse
        // order), when they are gone.
        RUNTIME.with(|slot| *slot.borrow_mut() = Some(Runtime::new().unwrap()));
        let run = |rt: &Runtime| {
            rt.block_on(async move {
                // Left alive when block_on returns: a sleeper, a socket, a blocking job.
                let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let guard = CountDrop(counter);
                evloop::spawn(async move {
                    let _guard = guard;
                    let _listener = listener;
                    evloop::time::sleep(Duration::from_secs(60)).await;
                });
                evloop::spawn_blocking(|| std::thread::sleep(Duration::from_millis(10)));
                evloop::yield_now().await;
            })
        };
        RUNTIME.with(|slot| run(slot.borrow().as_ref().unwrap()));
        // The thread ends here: its thread-locals are destroyed, the runtime with them.
    })
    .join()
    .expect("the thread ended without a panic");
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the pending task was dropped"
    );
}

#[test]
fn a_runtime_that_never_ran_in_a_thread_local_is_dropped_cleanly() {
    std::thread::spawn(|| {
        RUNTIME.with(|slot| *slot.borrow_mut() = Some(Runtime::new().unwrap()));
    })
    .join()
    .expect("the thread ended without a panic");
}
