//! Misuse gets a clear panic or error, never undefined behaviour, a leak or a hang:
//! starting a loop from inside a task, spawning from a blocking-pool thread, polling a
//! finished `JoinHandle` again, waking finished tasks or tasks of another (or a dropped)
//! runtime, a million waker clones dropped on another thread, empty reads and writes on
//! split halves.
//!
//! (Already covered elsewhere: `run` inside `run` and `spawn` outside a loop in
//! `spawn.rs`; a waker used after its runtime is gone in `wakes.rs`; empty reads and
//! writes on a whole stream in `net_echo.rs`; unparseable addresses in `net_errors.rs`.)

mod common;

use common::{panic_text, run_bounded};
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};

/// The size of the padding in [`ParkOnce`]: it makes that task's one allocation a size
/// that nothing else in this binary allocates (power-of-two `Vec` growth never lands in
/// `[TASK_PAD, TASK_PAD + 64 KiB)`), so the allocator below can watch it.
const TASK_PAD: usize = (1 << 20) + 12_345;

/// Live allocations whose size is in `[TASK_PAD, TASK_PAD + 64 KiB)`: the tasks of
/// [`ParkOnce`] futures.
static BIG_TASKS_LIVE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the allocations of `ParkOnce` tasks.
struct CountingAllocator;

fn is_task_sized(layout: Layout) -> bool {
    (TASK_PAD..TASK_PAD + 64 * 1024).contains(&layout.size())
}

// SAFETY: every call is forwarded to `System` unchanged; the counter is a side effect.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && is_task_sized(layout) {
            BIG_TASKS_LIVE.fetch_add(1, Ordering::SeqCst);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_task_sized(layout) {
            BIG_TASKS_LIVE.fetch_sub(1, Ordering::SeqCst);
        }
        // SAFETY: the caller's contract is passed on to `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Counts its drops.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that parks its waker in `slot`, returns `Pending` once, and is ready when
/// polled again; it counts its polls. `PAD` bytes of padding can give its task a size of
/// its own.
struct ParkOnce<const PAD: usize> {
    /// Never read: it only gives the task its size.
    _pad: [u8; PAD],
    /// Where the first poll puts its waker.
    slot: Arc<Mutex<Option<Waker>>>,
    /// How many times it was polled.
    polls: Arc<AtomicUsize>,
    /// Dropped with the future.
    _guard: DropCounter,
}

impl<const PAD: usize> Future for ParkOnce<PAD> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polls.fetch_add(1, Ordering::SeqCst) == 0 {
            *self.slot.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// Runs `f` on a thread with a stack big enough to move a `ParkOnce` around by value
/// (debug builds copy it a few times on the way into its task).
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn block_on_inside_a_task_panics_saying_one_loop_per_thread() {
    let (nested_block_on, nested_run) = evloop::run(async {
        let a = evloop::spawn(async {
            let rt = evloop::Runtime::new().unwrap();
            rt.block_on(async { 1 })
        });
        let b = evloop::spawn(async { evloop::run(async { 2 }) });
        (a.await.unwrap_err(), b.await.unwrap_err())
    });
    for err in [nested_block_on, nested_run] {
        assert!(err.is_panic());
        let msg = panic_text(&*err.into_panic());
        assert!(msg.contains("one loop per thread"), "{msg}");
        assert!(msg.contains(".await"), "the advice is missing: {msg}");
    }
}

#[test]
fn a_runtime_made_and_dropped_inside_a_task_is_fine() {
    // Only *running* a second loop on the thread is refused; owning one is not.
    let alive = evloop::run(async {
        evloop::spawn(async {
            let rt = evloop::Runtime::new().unwrap();
            rt.alive_tasks()
        })
        .await
        .unwrap()
    });
    assert_eq!(alive, 0);
}

#[test]
fn spawn_from_a_blocking_pool_thread_panics_with_advice() {
    let err = evloop::run(async {
        evloop::spawn_blocking(|| drop(evloop::spawn(async {})))
            .await
            .unwrap_err()
    });
    assert!(err.is_panic());
    let msg = panic_text(&*err.into_panic());
    assert!(msg.contains("outside of an evloop runtime"), "{msg}");
}

#[test]
fn polling_a_join_handle_after_it_returned_panics_clearly() {
    let msg = evloop::run(async {
        let mut handle = pin!(evloop::spawn(async { 5 }));
        assert_eq!(handle.as_mut().await.unwrap(), 5);
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let waker = Waker::from(Arc::new(NoWake));
            let _ = handle.as_mut().poll(&mut Context::from_waker(&waker));
        }));
        panic_text(&*again.unwrap_err())
    });
    assert!(msg.contains("polled again after it returned"), "{msg}");
}

#[test]
fn waking_a_finished_task_does_nothing() {
    run_bounded(async {
        let slot = Arc::new(Mutex::new(None));
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let handle = evloop::spawn(ParkOnce::<0> {
            _pad: [],
            slot: slot.clone(),
            polls: polls.clone(),
            _guard: DropCounter(drops.clone()),
        });
        evloop::yield_now().await;
        let waker = slot
            .lock()
            .unwrap()
            .take()
            .expect("the task parked its waker");
        waker.wake_by_ref();
        handle.await.unwrap();
        assert_eq!(polls.load(Ordering::SeqCst), 2);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // Wake the finished task every way there is, here and from another thread.
        waker.wake_by_ref();
        let by_value = waker.clone(); // `wake` by value takes another code path
        by_value.wake();
        let remote = waker.clone();
        std::thread::spawn(move || {
            remote.wake_by_ref();
            remote.wake();
        })
        .join()
        .unwrap();
        for _ in 0..10 {
            evloop::yield_now().await;
        }
        assert_eq!(
            polls.load(Ordering::SeqCst),
            2,
            "a finished task was polled"
        );
        waker.wake();
    });
}

#[test]
fn a_waker_cloned_a_million_times_and_dropped_on_another_thread_frees_its_task() {
    on_big_stack(|| {
        let slot = Arc::new(Mutex::new(None));
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        assert_eq!(BIG_TASKS_LIVE.load(Ordering::SeqCst), 0);
        evloop::run({
            let (slot, drops) = (slot.clone(), drops.clone());
            async move {
                let handle = evloop::spawn(ParkOnce::<TASK_PAD> {
                    _pad: [0; TASK_PAD],
                    slot: slot.clone(),
                    polls,
                    _guard: DropCounter(drops.clone()),
                });
                assert_eq!(
                    BIG_TASKS_LIVE.load(Ordering::SeqCst),
                    1,
                    "the task's memory"
                );
                evloop::yield_now().await;
                let waker: Waker = slot.lock().unwrap().take().unwrap();
                let clones: Vec<Waker> = (0..1_000_000).map(|_| waker.clone()).collect();
                waker.wake_by_ref();
                handle.await.unwrap();
                assert_eq!(drops.load(Ordering::SeqCst), 1, "the future was dropped");
                assert_eq!(
                    BIG_TASKS_LIVE.load(Ordering::SeqCst),
                    1,
                    "the wakers still hold the task"
                );
                std::thread::spawn(move || {
                    drop(clones);
                    drop(waker);
                })
                .join()
                .unwrap();
                assert_eq!(
                    BIG_TASKS_LIVE.load(Ordering::SeqCst),
                    0,
                    "the last waker dropped on another thread must free the task"
                );
            }
        });
    });
}

#[test]
fn a_waker_of_one_runtime_woken_inside_another_queues_on_its_own_loop() {
    let rt1 = evloop::Runtime::new().unwrap();
    let slot = Arc::new(Mutex::new(None));
    let polls = Arc::new(AtomicUsize::new(0));
    let handle = rt1
        .block_on({
            let (slot, polls) = (slot.clone(), polls.clone());
            async move {
                let handle = evloop::spawn(poll_fn(move |cx| {
                    if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                        *slot.lock().unwrap() = Some(cx.waker().clone());
                        Poll::Pending
                    } else {
                        Poll::Ready("done on rt1")
                    }
                }));
                evloop::yield_now().await;
                Some(handle) // wrapped: a bare handle would be awaited by nobody
            }
        })
        .unwrap();
    let waker = slot.lock().unwrap().take().unwrap();
    // rt2 runs on the same thread; the wake must not make rt2 poll rt1's task.
    let rt2 = evloop::Runtime::new().unwrap();
    rt2.block_on(async {
        waker.wake_by_ref();
        for _ in 0..10 {
            evloop::yield_now().await;
        }
    });
    assert_eq!(polls.load(Ordering::SeqCst), 1, "rt2 polled a task of rt1");
    assert_eq!(rt2.alive_tasks(), 0);
    assert_eq!(rt1.block_on(handle).unwrap(), "done on rt1");
    assert_eq!(polls.load(Ordering::SeqCst), 2);
}

#[test]
fn wakes_racing_with_the_runtime_being_dropped_are_harmless() {
    for _ in 0..20 {
        let slot = Arc::new(Mutex::new(None));
        let rt = evloop::Runtime::new().unwrap();
        rt.block_on({
            let slot = slot.clone();
            async move {
                drop(evloop::spawn(poll_fn(move |cx| {
                    *slot.lock().unwrap() = Some(cx.waker().clone());
                    Poll::<()>::Pending
                })));
                evloop::yield_now().await;
            }
        });
        let waker: Waker = slot.lock().unwrap().take().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let hammer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    waker.wake_by_ref();
                    let by_value = waker.clone();
                    by_value.wake();
                }
                waker.wake();
            })
        };
        std::thread::sleep(Duration::from_millis(1));
        drop(rt);
        stop.store(true, Ordering::Relaxed);
        hammer
            .join()
            .expect("a wake crashed after the runtime was dropped");
    }
}

#[test]
fn a_runtime_with_live_tasks_dropped_inside_a_task_of_another_cancels_them() {
    let drops = Arc::new(AtomicUsize::new(0));
    let inner = evloop::Runtime::new().unwrap();
    inner.block_on({
        let drops = drops.clone();
        async move {
            for _ in 0..3 {
                let guard = DropCounter(drops.clone());
                drop(evloop::spawn(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                }));
            }
            evloop::yield_now().await;
        }
    });
    assert_eq!(inner.alive_tasks(), 3);
    let outer_result = evloop::run(async move {
        // The inner runtime's tasks are dropped here, inside a task of this loop, and
        // this loop must be the current one again afterwards.
        evloop::spawn(async move { drop(inner) }).await.unwrap();
        evloop::spawn(async { 7 }).await.unwrap()
    });
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    assert_eq!(outer_result, 7);
}

/// Spawns a task from its destructor: what runtime shutdown must keep draining.
struct SpawnOnDrop(Arc<AtomicUsize>);

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        let guard = DropCounter(self.0.clone());
        drop(evloop::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
    }
}

#[test]
fn a_future_that_spawns_while_dropped_at_shutdown_leaves_nothing_behind() {
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = evloop::Runtime::new().unwrap();
    rt.block_on({
        let drops = drops.clone();
        async move {
            let spawner = SpawnOnDrop(drops);
            drop(evloop::spawn(async move {
                let _spawner = spawner;
                std::future::pending::<()>().await;
            }));
            evloop::yield_now().await;
        }
    });
    drop(rt);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the task spawned during shutdown was dropped too"
    );
}

/// Panics when dropped.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("a destructor panicked");
    }
}

#[test]
fn destructors_that_panic_do_not_take_the_loop_down() {
    let rt = evloop::Runtime::new().unwrap();
    let (cancelled, output) = rt.block_on(async {
        // A future that panics while it is dropped by `abort`.
        let aborted = evloop::spawn(async {
            let _bomb = PanicOnDrop;
            std::future::pending::<()>().await;
        });
        evloop::yield_now().await;
        aborted.abort();
        let cancelled = aborted.await.unwrap_err().is_cancelled();
        // An output that panics when dropped unread (its handle is dropped).
        drop(evloop::spawn(async { PanicOnDrop }));
        evloop::yield_now().await;
        evloop::yield_now().await;
        (
            cancelled,
            evloop::spawn(async { "still running" }).await.unwrap(),
        )
    });
    assert!(cancelled);
    assert_eq!(output, "still running");
    // And one left for shutdown to drop.
    rt.block_on(async {
        drop(evloop::spawn(async {
            let _bomb = PanicOnDrop;
            std::future::pending::<()>().await;
        }));
        evloop::yield_now().await;
    });
    drop(rt);
}

#[test]
fn empty_reads_and_writes_on_split_halves_return_at_once() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (mut rd, mut wr) = client.into_split();
        assert_eq!(rd.read(&mut []).await.unwrap(), 0);
        rd.read_exact(&mut []).await.unwrap();
        assert_eq!(wr.write(&[]).await.unwrap(), 0);
        wr.write_all(&[]).await.unwrap();

        // With data waiting, an empty read still returns 0 and consumes nothing.
        server.write_all(b"kept").await.unwrap();
        let mut first = [0u8; 1];
        rd.read_exact(&mut first).await.unwrap();
        assert_eq!(rd.read(&mut []).await.unwrap(), 0);
        let mut rest = [0u8; 3];
        rd.read_exact(&mut rest).await.unwrap();
        assert_eq!((&first, &rest), (b"k", b"ept"));
    });
}

/// A waker that does nothing.
struct NoWake;

impl std::task::Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}
