//! Model checks of the cross-thread wake-up protocol (`remote.rs`, `inject.rs`, `park.rs`): the injection queue,
//! the "loop may be asleep" flag and the eventfd, here a loom model of one.

use std::sync::Arc;

use loom::sync::{Condvar, Mutex};

use super::park::Wakeup;
use super::remote::Remote;
use crate::loom::{model, Ordering};
use loom::sync::atomic::AtomicUsize;

/// An eventfd: a wake-up before the wait is kept, and the wait consumes it.
#[derive(Default)]
struct ModelEventfd {
    /// Written and not yet read.
    pending: Mutex<bool>,
    /// Signalled on write.
    written: Condvar,
}

impl Wakeup for ModelEventfd {
    fn wakeup(&self) {
        *self.pending.lock().unwrap() = true;
        self.written.notify_one();
    }
}

impl ModelEventfd {
    /// Blocks like `epoll_wait` with no timeout until the eventfd is written. A lost
    /// wake-up leaves this blocked forever, which loom reports as a deadlock.
    fn wait(&self) {
        let mut pending = self.pending.lock().unwrap();
        while !*pending {
            pending = self.written.wait(pending).unwrap();
        }
        *pending = false;
    }
}

/// A loop that sleeps whenever it has nothing to do, until it has received `expected`.
fn run_loop(remote: &Remote<u32>, eventfd: &ModelEventfd, expected: u32) {
    let mut got = 0;
    loop {
        while let Some(v) = remote.pop_remote() {
            got += v;
        }
        if got == expected {
            return;
        }
        if remote.prepare_sleep() {
            eventfd.wait();
            remote.end_sleep();
        }
    }
}

/// Guards: a wake pushed after the loop's last look at the queue but before it blocks
/// (the store-load race the Dekker pair exists for) still wakes the loop.
#[test]
fn loom_a_remote_wake_is_never_lost_when_the_loop_goes_to_sleep() {
    model(
        "loom_a_remote_wake_is_never_lost_when_the_loop_goes_to_sleep",
        || {
            let eventfd = Arc::new(ModelEventfd::default());
            let remote = Arc::new(Remote::<u32>::new(eventfd.clone()));
            let waker = {
                let remote = remote.clone();
                loom::thread::spawn(move || remote.schedule_remote(1))
            };
            run_loop(&remote, &eventfd, 1);
            waker.join().unwrap();
        },
    );
}

/// Guards: two wakers on two threads, each pushing while the loop may go to sleep in
/// between: neither wake is lost.
#[test]
fn loom_two_remote_wakers_and_a_sleeping_loop() {
    model("loom_two_remote_wakers_and_a_sleeping_loop", || {
        let eventfd = Arc::new(ModelEventfd::default());
        let remote = Arc::new(Remote::<u32>::new(eventfd.clone()));
        let wakers: Vec<_> = [1, 2]
            .into_iter()
            .map(|v| {
                let remote = remote.clone();
                loom::thread::spawn(move || remote.schedule_remote(v))
            })
            .collect();
        run_loop(&remote, &eventfd, 3);
        for w in wakers {
            w.join().unwrap();
        }
    });
}

/// Guards: the main future's waker (a flag, not a queue entry) racing the loop going to
/// sleep is not lost either.
#[test]
fn loom_the_main_futures_wake_is_never_lost() {
    model("loom_the_main_futures_wake_is_never_lost", || {
        let eventfd = Arc::new(ModelEventfd::default());
        let remote = Arc::new(Remote::<u32>::new(eventfd.clone()));
        let waker = {
            let remote = remote.clone();
            loom::thread::spawn(move || remote.wake_main_remote())
        };
        while !remote.take_main_woken() {
            if remote.prepare_sleep() {
                eventfd.wait();
                remote.end_sleep();
            }
        }
        waker.join().unwrap();
    });
}

/// Drops count themselves, so the test can see a value released exactly once.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Guards: a remote wake racing the runtime's shutdown (`close`) neither leaks the queued
/// task reference nor releases it twice.
#[test]
fn loom_a_wake_racing_shutdown_releases_its_task_exactly_once() {
    model(
        "loom_a_wake_racing_shutdown_releases_its_task_exactly_once",
        || {
            let eventfd = Arc::new(ModelEventfd::default());
            let remote = Arc::new(Remote::<Counted>::new(eventfd));
            let drops = Arc::new(AtomicUsize::new(0));
            let waker = {
                let (remote, drops) = (remote.clone(), drops.clone());
                loom::thread::spawn(move || remote.schedule_remote(Counted(drops)))
            };
            remote.close();
            waker.join().unwrap();
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        },
    );
}

/// Guards: a task spawned from another thread while the loop takes in its queue and then
/// shuts down: the task is either taken in (and run) or released by the shutdown (which
/// cancels it), exactly once, never both and never neither.
#[test]
fn loom_a_remote_spawn_racing_shutdown_runs_or_is_cancelled_once() {
    model(
        "loom_a_remote_spawn_racing_shutdown_runs_or_is_cancelled_once",
        || {
            let eventfd = Arc::new(ModelEventfd::default());
            let remote = Arc::new(Remote::<Counted>::new(eventfd));
            let releases = Arc::new(AtomicUsize::new(0));
            let spawner = {
                let (remote, releases) = (remote.clone(), releases.clone());
                loom::thread::spawn(move || remote.schedule_remote(Counted(releases)))
            };
            // The loop's last intake (a task taken in runs, then is released), then its
            // shutdown (which releases what is still queued).
            let mut ran = 0;
            while let Some(task) = remote.pop_remote() {
                ran += 1;
                drop(task);
            }
            remote.close();
            let queued = spawner.join().unwrap();
            assert_eq!(releases.load(Ordering::SeqCst), 1, "released exactly once");
            assert!(queued || ran == 0, "a refused spawn never runs");
        },
    );
}
