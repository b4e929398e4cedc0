//! The reactor as its users (the executor and the net crate) drive it, on every backend.
//!
//! Most tests are written once, as a function of the [`Backend`], and run on each one
//! (`for_each_backend!` makes a `#[test]` per backend: `epoll::name`, `poll::name`,
//! `select::name`, `uring::name`; where the kernel refuses io_uring, the uring tests say
//! why and run on the epoll reactor that stands in). They follow the pattern of the I/O types: a task polls (parking its
//! waker) before it waits, which is when every backend, level-triggered ones included,
//! reports readiness. What only one kind of backend does is tested on that kind alone.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use evloop_reactor::{Backend, Direction, Interest, Reactor, Registration};

/// Generates, for each test function `name(backend)`, the tests `epoll::name`,
/// `poll::name`, `select::name` and `uring::name`.
macro_rules! for_each_backend {
    ($($test:ident),* $(,)?) => {
        mod epoll {
            $( #[test] fn $test() { super::$test(evloop_reactor::Backend::Epoll) } )*
        }
        mod poll {
            $( #[test] fn $test() { super::$test(evloop_reactor::Backend::Poll) } )*
        }
        mod select {
            $( #[test] fn $test() { super::$test(evloop_reactor::Backend::Select) } )*
        }
        mod uring {
            $( #[test] fn $test() { super::$test(evloop_reactor::Backend::Uring) } )*
        }
    };
}

for_each_backend!(
    readable_edge_wakes_read_waker_once,
    writable_at_start,
    clear_ready_waits_for_new_data,
    short_io_clears_readiness_until_the_next_edge,
    short_io_never_loses_the_peers_shutdown,
    waker_is_replaced_not_duplicated,
    peer_close_counts_as_readable,
    notifier_interrupts_wait_from_another_thread,
    notifier_outlives_reactor_harmlessly,
    timeout_never_ends_early,
    dropping_registration_deregisters,
    registering_twice_is_an_os_error,
    registering_a_closed_fd_is_an_os_error,
    waker_may_reenter_the_reactor,
    a_signal_never_ends_a_wait_early,
);

/// A reactor on `backend`.
fn reactor(backend: Backend) -> std::rc::Rc<Reactor> {
    let reactor = Reactor::with_backend(backend).unwrap();
    match reactor.fallback_reason() {
        Some(why) if backend == Backend::Uring => {
            eprintln!("io_uring unavailable, testing the epoll fallback: {why}");
            assert_eq!(reactor.backend(), Backend::Epoll);
        }
        _ => assert_eq!(reactor.backend(), backend),
    }
    reactor
}

/// A waker that counts its wake-ups.
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A fresh counting waker and its counter.
fn counting_waker() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&count));
    (count, waker)
}

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A connected, non-blocking socket pair: (ours, theirs).
fn pair() -> (UnixStream, UnixStream) {
    let (ours, theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    (ours, theirs)
}

/// A short wait: long enough for an already-queued event, short enough for fast tests.
const SHORT: Option<Duration> = Some(Duration::from_millis(50));

fn poll(reg: &Registration, dir: Direction, waker: &Waker) -> Poll<io::Result<()>> {
    reg.poll_ready(dir, &mut Context::from_waker(waker))
}

/// Reads until EAGAIN, the way a socket type drains before clearing readiness.
fn drain(sock: &mut UnixStream) {
    let mut buf = [0u8; 256];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => panic!("read: {e}"),
        }
    }
}

fn readable_edge_wakes_read_waker_once(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"one").unwrap();
    assert!(reactor.wait(SHORT).unwrap() >= 1);
    assert_eq!(count.get(), 1);

    // Edge-style: no new edge, no new wake, however often we wait (on poll and select
    // too, though the data is still there: nobody waits for it any more).
    for _ in 0..3 {
        reactor.wait(Some(Duration::ZERO)).unwrap();
    }
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

fn writable_at_start(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, _theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::WRITABLE).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Write, &waker).is_pending());
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Write, &waker).is_ready());
}

fn clear_ready_waits_for_new_data(backend: Backend) {
    let reactor = reactor(backend);
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"first").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());

    drain(&mut ours);
    reg.clear_ready(Direction::Read);
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    reactor.wait(Some(Duration::from_millis(10))).unwrap();
    assert_eq!(count.get(), 1, "no wake without new data");
    assert!(poll(&reg, Direction::Read, &waker).is_pending());

    theirs.write_all(b"second").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 2, "new data is a new edge");
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

fn short_io_clears_readiness_until_the_next_edge(backend: Backend) {
    let reactor = reactor(backend);
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"abc").unwrap();
    reactor.wait(SHORT).unwrap();
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
    let mut buf = [0u8; 16];
    assert_eq!(ours.read(&mut buf).unwrap(), 3); // short: the queue is drained
    reg.clear_ready_after_short_io(Direction::Read);
    assert!(poll(&reg, Direction::Read, &waker).is_pending());

    // Data that arrives after the short read raises an edge of its own.
    theirs.write_all(b"def").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 2);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

/// Data and the peer's shutdown arrive together; a short read takes the data. The EOF
/// must still reach the reader: epoll and poll report the shutdown in the same event, so
/// readiness stays; select cannot tell it from data, so readiness is cleared and its
/// next wait reports the fd readable again (a level: the EOF is still there).
fn short_io_never_loses_the_peers_shutdown(backend: Backend) {
    let reactor = reactor(backend);
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"abc").unwrap();
    theirs.shutdown(std::net::Shutdown::Write).unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    let mut buf = [0u8; 16];
    assert_eq!(ours.read(&mut buf).unwrap(), 3);
    reg.clear_ready_after_short_io(Direction::Read);
    if backend == Backend::Select {
        assert!(poll(&reg, Direction::Read, &waker).is_pending());
        reactor.wait(SHORT).unwrap();
        assert_eq!(count.get(), 2, "the next wait reports the EOF");
    }
    assert!(
        poll(&reg, Direction::Read, &waker).is_ready(),
        "the EOF was lost"
    );
    assert_eq!(ours.read(&mut buf).unwrap(), 0);

    // An EAGAIN-based clear still clears; nothing wakes without a new edge on the
    // edge-triggered backend, and nobody waits on the others.
    reg.clear_ready(Direction::Read);
    let woken = count.get();
    reactor.wait(Some(Duration::from_millis(10))).unwrap();
    assert_eq!(count.get(), woken);
}

fn waker_is_replaced_not_duplicated(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (first, first_waker) = counting_waker();
    let (second, second_waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &first_waker).is_pending());
    assert!(poll(&reg, Direction::Read, &second_waker).is_pending());
    theirs.write_all(b"x").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(
        (first.get(), second.get()),
        (0, 1),
        "the latest poller is woken"
    );
}

fn peer_close_counts_as_readable(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    reactor.wait(Some(Duration::ZERO)).unwrap(); // epoll's initial writable edge
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    drop(theirs);
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

fn notifier_interrupts_wait_from_another_thread(backend: Backend) {
    let reactor = reactor(backend);
    let notifier = reactor.notifier();
    assert!(!reactor.take_notified());

    let start = Instant::now();
    let handle = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        notifier.notify();
    });
    while !reactor.take_notified() {
        reactor.wait(None).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "wait(None) was not interrupted"
        );
    }
    handle.join().unwrap();
    assert!(!reactor.take_notified(), "the flag resets");

    // Drained: the next wait does not see the same notification again.
    assert_eq!(reactor.wait(Some(Duration::ZERO)).unwrap(), 0);
}

fn notifier_outlives_reactor_harmlessly(backend: Backend) {
    let reactor = reactor(backend);
    let notifier = reactor.notifier();
    drop(reactor);
    for _ in 0..1000 {
        notifier.notify();
    }
}

fn timeout_never_ends_early(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, _theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (_count, waker) = counting_waker();
    assert!(poll(&reg, Direction::Read, &waker).is_pending()); // an fd to watch, never ready
    reactor.wait(Some(Duration::ZERO)).unwrap(); // epoll's initial writable edge
    for timeout in [Duration::from_micros(50), Duration::from_millis(5)] {
        for _ in 0..10 {
            let start = Instant::now();
            assert_eq!(reactor.wait(Some(timeout)).unwrap(), 0);
            let elapsed = start.elapsed();
            assert!(
                elapsed >= timeout,
                "{timeout:?}: returned after {elapsed:?}"
            );
        }
    }
}

fn dropping_registration_deregisters(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, mut theirs) = pair();
    let (ours2, _theirs2) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let reg2 = Registration::with_reactor(&reactor, ours2.as_raw_fd(), Interest::BOTH).unwrap();
    assert_eq!(reg.fd(), ours.as_raw_fd());
    assert_eq!(reactor.registrations(), 2);
    reactor.wait(Some(Duration::ZERO)).unwrap(); // epoll's initial edges
    let (count, waker) = counting_waker();
    assert!(poll(&reg, Direction::Read, &waker).is_pending());

    drop(reg);
    assert_eq!(reactor.registrations(), 1);
    theirs.write_all(b"nobody listens").unwrap();
    assert_eq!(reactor.wait(Some(Duration::from_millis(10))).unwrap(), 0);
    assert_eq!(count.get(), 0);
    drop(reg2);
    assert_eq!(reactor.registrations(), 0);

    // The fd can be registered again once its registration is gone.
    let again = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    assert_eq!(reactor.registrations(), 1);
    assert!(poll(&again, Direction::Read, &waker).is_pending());
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1, "the new registration sees the waiting data");
    drop(again);
}

fn registering_twice_is_an_os_error(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, _theirs) = pair();
    let _reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let err = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EEXIST));
    assert_eq!(
        reactor.registrations(),
        1,
        "the failed registration left no slot behind"
    );
}

fn registering_a_closed_fd_is_an_os_error(backend: Backend) {
    let reactor = reactor(backend);
    let fd = {
        let (ours, _theirs) = pair();
        ours.as_raw_fd()
    }; // closed here; the number may be reused by another test, hence -1 too
    for fd in [-1, fd] {
        match Registration::with_reactor(&reactor, fd, Interest::BOTH) {
            Err(e) => assert_eq!(e.raw_os_error(), Some(libc::EBADF), "fd {fd}: {e}"),
            Ok(reg) => assert!(fd >= 0, "fd {fd} was reopened meanwhile: {reg:?}"),
        }
    }
    assert_eq!(reactor.registrations(), 0);
}

/// A waker whose wake drops a registration: the reactor must not hold a borrow while
/// waking.
fn waker_may_reenter_the_reactor(backend: Backend) {
    use std::cell::RefCell;

    thread_local! {
        static VICTIM: RefCell<Option<Registration>> = const { RefCell::new(None) };
    }
    struct DropVictim;
    impl Wake for DropVictim {
        fn wake(self: Arc<Self>) {
            VICTIM.with(|v| v.borrow_mut().take());
        }
    }

    let reactor = reactor(backend);
    let (ours, mut theirs) = pair();
    let (victim_fd, _victim_peer) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let victim =
        Registration::with_reactor(&reactor, victim_fd.as_raw_fd(), Interest::BOTH).unwrap();
    VICTIM.with(|v| *v.borrow_mut() = Some(victim));
    reactor.wait(Some(Duration::ZERO)).unwrap();

    let waker = Waker::from(Arc::new(DropVictim));
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"x").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(
        reactor.registrations(),
        1,
        "the waker dropped the victim mid-wait"
    );
}

/// Signals raised at the waiting thread every 300 µs, as a profiler's `SIGPROF` would:
/// a timed wait still lasts its whole timeout, and a wait without one still ends only
/// when something happens (here the notifier, after 100 ms).
fn a_signal_never_ends_a_wait_early(backend: Backend) {
    extern "C" fn on_signal(_: libc::c_int) {}
    // SAFETY: installs a handler that does nothing (async-signal-safe) for SIGUSR1,
    // which nothing else in this test binary uses; `action` is fully initialised. No
    // SA_RESTART: the waits see EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }

    let reactor = reactor(backend);
    let (ours, _theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    reactor.wait(Some(Duration::ZERO)).unwrap(); // epoll's initial writable edge

    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    let done = Arc::new(AtomicBool::new(false));
    let signals = Arc::new(AtomicUsize::new(0));
    let signaller = {
        let (done, signals) = (Arc::clone(&done), Arc::clone(&signals));
        thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_micros(300));
                // SAFETY: `me` is the test thread, alive until it joins this thread.
                unsafe { libc::pthread_kill(me, libc::SIGUSR1) };
                signals.fetch_add(1, Ordering::SeqCst);
            }
        })
    };

    // Until at least 100 signals were raised during timed waits (3 waits on an idle
    // machine; more if the signaller gets the CPU less often).
    let timeout = Duration::from_millis(100);
    for round in 0.. {
        let start = Instant::now();
        let handled = reactor.wait(Some(timeout)).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(handled, 0, "nothing happened but signals");
        assert!(
            elapsed >= timeout,
            "a signal ended the wait after {elapsed:?}"
        );
        if round >= 2 && signals.load(Ordering::SeqCst) >= 100 {
            break;
        }
        assert!(round < 50, "the signaller thread hardly ran");
    }

    let notifier = reactor.notifier();
    let start = Instant::now();
    let notify = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        notifier.notify();
    });
    assert_eq!(reactor.wait(None).unwrap(), 1, "only the notifier ends it");
    assert!(reactor.take_notified());
    assert!(start.elapsed() >= Duration::from_millis(100));
    notify.join().unwrap();

    done.store(true, Ordering::SeqCst);
    signaller.join().unwrap();
    assert_eq!(count.get(), 0);
}

#[test]
fn enter_sets_current_and_nests() {
    assert!(Reactor::current().is_none());
    let (ours, _theirs) = pair();
    let err = Registration::new(ours.as_raw_fd(), Interest::BOTH).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other);
    assert!(err.to_string().contains("evloop::run"), "{err}");

    let outer = Reactor::new().unwrap();
    let inner = Reactor::with_backend(Backend::Poll).unwrap();
    {
        let _outer_guard = outer.enter();
        assert!(std::rc::Rc::ptr_eq(&Reactor::current().unwrap(), &outer));
        {
            let _inner_guard = inner.enter();
            assert!(std::rc::Rc::ptr_eq(&Reactor::current().unwrap(), &inner));
            let reg = Registration::new(ours.as_raw_fd(), Interest::BOTH).unwrap();
            assert_eq!((inner.registrations(), outer.registrations()), (1, 0));
            drop(reg);
        }
        assert!(std::rc::Rc::ptr_eq(&Reactor::current().unwrap(), &outer));
    }
    assert!(Reactor::current().is_none());
}

/// On `backend`, data arrives before any task polls: after one wait both directions are
/// ready at the first poll, and no waker was needed.
fn records_edges_nobody_waits_for(backend: Backend) {
    let reactor = reactor(backend);
    let (ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let (count, waker) = counting_waker();
    theirs.write_all(b"early").unwrap();
    assert!(reactor.wait(SHORT).unwrap() >= 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
    assert!(poll(&reg, Direction::Write, &waker).is_ready());
    assert_eq!(count.get(), 0);
}

/// Epoll records an edge whether or not a task waits for it: readiness is known before
/// anybody polls.
#[test]
fn epoll_records_edges_nobody_waits_for() {
    records_edges_nobody_waits_for(Backend::Epoll);
}

/// io_uring, like epoll, arms a registration's poll when it is made (with the next
/// wait) and records edges whether or not a task waits: readiness is known before
/// anybody polls.
#[test]
fn uring_records_edges_nobody_waits_for() {
    records_edges_nobody_waits_for(Backend::Uring);
}

/// One `io_uring_enter` per wait: what was pushed (here a poll) goes with the wait.
#[test]
fn uring_makes_one_system_call_per_wait() {
    let reactor = reactor(Backend::Uring);
    let Some(start) = reactor.uring_enters() else {
        return; // the epoll fallback
    };
    let (ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let (count, waker) = counting_waker();
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    assert_eq!(
        reactor.uring_enters(),
        Some(start),
        "pushed, not yet submitted"
    );
    theirs.write_all(b"x").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert_eq!(reactor.uring_enters(), Some(start + 1));
    for n in 2..5 {
        reactor.wait(Some(Duration::ZERO)).unwrap();
        assert_eq!(reactor.uring_enters(), Some(start + n));
    }
}

/// Poll and select report levels; they are asked only about the directions a task waits
/// on, so a level nobody consumes never ends a wait, and a level is reported once.
#[test]
fn level_triggered_backends_ask_only_for_awaited_directions() {
    for backend in [Backend::Poll, Backend::Select] {
        let reactor = reactor(backend);
        let (mut ours, mut theirs) = pair();
        let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
        let (count, waker) = counting_waker();

        // Readable and writable, and nobody waits: the kernel is not asked.
        theirs.write_all(b"level").unwrap();
        assert_eq!(reactor.wait(Some(Duration::ZERO)).unwrap(), 0, "{backend}");

        // A reader waits: one event, one wake; the write side stays unasked.
        assert!(poll(&reg, Direction::Read, &waker).is_pending());
        assert_eq!(reactor.wait(SHORT).unwrap(), 1, "{backend}");
        assert_eq!(count.get(), 1, "{backend}");
        assert!(
            poll(&reg, Direction::Write, &waker).is_pending(),
            "{backend}"
        );

        // The data is still there, but it was reported: the next waits see the writer only.
        assert_eq!(reactor.wait(SHORT).unwrap(), 1, "{backend}");
        assert_eq!(count.get(), 2, "{backend}");
        for _ in 0..3 {
            assert_eq!(reactor.wait(Some(Duration::ZERO)).unwrap(), 0, "{backend}");
        }
        assert!(poll(&reg, Direction::Read, &waker).is_ready(), "{backend}");
        assert!(poll(&reg, Direction::Write, &waker).is_ready(), "{backend}");

        drain(&mut ours);
        reg.clear_ready(Direction::Read);
        assert!(
            poll(&reg, Direction::Read, &waker).is_pending(),
            "{backend}"
        );
        assert_eq!(
            reactor.wait(Some(Duration::from_millis(10))).unwrap(),
            0,
            "{backend}"
        );
        assert_eq!(count.get(), 2, "{backend}");
    }
}

/// A registration that outlived its fd (closed first, by mistake): on poll and select the
/// waiting task is woken (its next syscall reports `EBADF`) and the wait does not fail.
#[test]
fn level_triggered_backends_wake_a_registration_whose_fd_was_closed() {
    for (backend, min) in [(Backend::Poll, 960), (Backend::Select, 980)] {
        let reactor = reactor(backend);
        let (ours, _theirs) = pair();
        // A high number, so that no other test reopens it while this one waits.
        let high = dup_at_least(&ours, min);
        let reg = Registration::with_reactor(&reactor, high, Interest::READABLE).unwrap();
        let (count, waker) = counting_waker();
        assert!(poll(&reg, Direction::Read, &waker).is_pending());
        close(high);
        assert_eq!(reactor.wait(SHORT).unwrap(), 1, "{backend}");
        assert_eq!(count.get(), 1, "{backend}");
        assert!(poll(&reg, Direction::Read, &waker).is_ready(), "{backend}");
    }
}

/// `select` cannot watch fd 1024 or above: registration refuses it, saying so, and what
/// to use instead; fd 1023, the last that fits, works.
#[test]
fn select_refuses_fds_at_or_above_fd_setsize() {
    raise_fd_limit(1100);
    let reactor = reactor(Backend::Select);
    let (ours, mut theirs) = pair();

    let high = dup_at_least(&ours, 1024);
    let err = Registration::with_reactor(&reactor, high, Interest::BOTH).unwrap_err();
    close(high);
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("fd {high}")), "{text}");
    assert!(text.contains("1024"), "{text}");
    assert!(text.contains("Backend::Epoll"), "{text}");
    assert_eq!(reactor.registrations(), 0);

    let last = dup_at_least(&ours, 1023);
    assert_eq!(last, 1023, "fd 1023 is taken in this process");
    let reg = Registration::with_reactor(&reactor, last, Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"fits").unwrap();
    assert_eq!(reactor.wait(SHORT).unwrap(), 1);
    assert_eq!(count.get(), 1);
    drop(reg);
    close(last);

    // Epoll and poll have no such limit.
    for backend in [Backend::Epoll, Backend::Poll] {
        let other = self::reactor(backend);
        let high = dup_at_least(&ours, 1024);
        let reg = Registration::with_reactor(&other, high, Interest::BOTH).unwrap();
        drop(reg);
        close(high);
    }
}

/// A duplicate of `fd` numbered `min` or above (`fcntl(F_DUPFD_CLOEXEC)`).
fn dup_at_least(fd: &impl AsRawFd, min: libc::c_int) -> libc::c_int {
    // SAFETY: F_DUPFD_CLOEXEC takes an integer and returns a new fd or -1; the caller
    // closes it with `close`.
    let dup = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, min) };
    assert!(dup >= min, "F_DUPFD: {}", io::Error::last_os_error());
    dup
}

/// Closes an fd made by [`dup_at_least`].
fn close(fd: libc::c_int) {
    // SAFETY: `fd` came from `dup_at_least` and nothing else owns or closes it.
    assert_eq!(unsafe { libc::close(fd) }, 0);
}

/// Raises the soft `RLIMIT_NOFILE` to at least `min` (within the hard limit).
fn raise_fd_limit(min: libc::rlim_t) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    if lim.rlim_cur < min {
        assert!(
            lim.rlim_max >= min,
            "the fd hard limit {} is below {min}",
            lim.rlim_max
        );
        lim.rlim_cur = min;
        // SAFETY: `lim` is a valid `rlimit` within the hard limit.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
    }
}
