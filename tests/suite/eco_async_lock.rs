//! `async-lock`, unchanged, on evloop: an `RwLock` with readers and writers holding it
//! across `.await`, a `Mutex`, a `Semaphore` and a `Barrier`, each across several tasks.

use crate::common;

use common::run_bounded;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use async_lock::{Barrier, Mutex, RwLock, Semaphore};
use evloop::time::sleep;

/// Raises `max` to `now` if it is higher.
fn record_max(max: &Cell<usize>, now: usize) {
    max.set(max.get().max(now));
}

#[test]
fn rwlock_readers_share_and_writers_exclude_across_awaits() {
    const WRITERS: u64 = 3;
    const WRITES: u64 = 20;
    const READERS: usize = 5;
    let lock = Rc::new(RwLock::new((0u64, 0u64)));
    let readers_now = Rc::new(Cell::new(0usize));
    let max_readers = Rc::new(Cell::new(0usize));
    let reads = Rc::new(Cell::new(0usize));
    run_bounded({
        let (lock, readers_now, max_readers, reads) = (
            lock.clone(),
            readers_now.clone(),
            max_readers.clone(),
            reads.clone(),
        );
        async move {
            let mut tasks = Vec::new();
            for _ in 0..WRITERS {
                let lock = lock.clone();
                tasks.push(evloop::spawn(async move {
                    for _ in 0..WRITES {
                        let mut pair = lock.write().await;
                        // Half-updated while other tasks run: no reader may see this.
                        pair.0 += 1;
                        sleep(Duration::from_micros(200)).await;
                        pair.1 += 1;
                        drop(pair);
                        evloop::yield_now().await;
                    }
                }));
            }
            for _ in 0..READERS {
                let (lock, readers_now, max_readers, reads) = (
                    lock.clone(),
                    readers_now.clone(),
                    max_readers.clone(),
                    reads.clone(),
                );
                tasks.push(evloop::spawn(async move {
                    loop {
                        let pair = lock.read().await;
                        assert_eq!(pair.0, pair.1, "a reader saw a half-done write");
                        readers_now.set(readers_now.get() + 1);
                        record_max(&max_readers, readers_now.get());
                        sleep(Duration::from_micros(300)).await;
                        readers_now.set(readers_now.get() - 1);
                        reads.set(reads.get() + 1);
                        let finished = pair.0 == WRITERS * WRITES;
                        drop(pair);
                        if finished {
                            break;
                        }
                        evloop::yield_now().await;
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        }
    });
    assert_eq!(lock.try_read().unwrap().1, WRITERS * WRITES);
    assert!(max_readers.get() > 1, "readers held the lock together");
    assert!(reads.get() >= READERS);
}

#[test]
fn mutex_serialises_read_modify_write_across_sleeps() {
    const TASKS: usize = 8;
    const ROUNDS: usize = 25;
    let counter = Rc::new(Mutex::new(0usize));
    run_bounded({
        let counter = counter.clone();
        async move {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let counter = counter.clone();
                    evloop::spawn(async move {
                        for _ in 0..ROUNDS {
                            let mut guard = counter.lock().await;
                            let seen = *guard;
                            evloop::yield_now().await; // others run; none may enter
                            *guard = seen + 1;
                        }
                    })
                })
                .collect();
            evloop::gather_all(tasks).await;
        }
    });
    assert_eq!(*counter.try_lock().unwrap(), TASKS * ROUNDS);
}

#[test]
fn semaphore_caps_concurrency_at_its_permits() {
    const PERMITS: usize = 3;
    let in_use = Rc::new(Cell::new(0usize));
    let max = Rc::new(Cell::new(0usize));
    run_bounded({
        let (in_use, max) = (in_use.clone(), max.clone());
        async move {
            let sem = Arc::new(Semaphore::new(PERMITS));
            let tasks: Vec<_> = (0..12)
                .map(|_| {
                    let (sem, in_use, max) = (sem.clone(), in_use.clone(), max.clone());
                    evloop::spawn(async move {
                        let _permit = sem.acquire_arc().await;
                        in_use.set(in_use.get() + 1);
                        record_max(&max, in_use.get());
                        sleep(Duration::from_millis(5)).await;
                        in_use.set(in_use.get() - 1);
                    })
                })
                .collect();
            evloop::gather_all(tasks).await;
        }
    });
    assert_eq!(max.get(), PERMITS);
    assert_eq!(in_use.get(), 0);
}

#[test]
fn barrier_releases_all_four_tasks_together_with_one_leader() {
    const TASKS: usize = 4;
    let arrived = Rc::new(Cell::new(0usize));
    let outcomes = run_bounded({
        let arrived = arrived.clone();
        async move {
            let barrier = Rc::new(Barrier::new(TASKS));
            let tasks: Vec<_> = (0..TASKS)
                .map(|i| {
                    let (barrier, arrived) = (barrier.clone(), arrived.clone());
                    evloop::spawn(async move {
                        sleep(Duration::from_millis(5 * i as u64)).await;
                        arrived.set(arrived.get() + 1);
                        let leader = barrier.wait().await.is_leader();
                        // Nobody passes before everyone arrived.
                        (arrived.get(), leader)
                    })
                })
                .collect();
            evloop::gather_all(tasks).await
        }
    });
    let outcomes: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    assert!(
        outcomes.iter().all(|&(seen, _)| seen == TASKS),
        "{outcomes:?}"
    );
    assert_eq!(outcomes.iter().filter(|&&(_, leader)| leader).count(), 1);
}
