//! The reactor as its users (the executor and the net crate) drive it.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use evloop_reactor::{Direction, Interest, Reactor, Registration};

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

#[test]
fn readable_edge_wakes_read_waker_once() {
    let reactor = Reactor::new().unwrap();
    let (ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    theirs.write_all(b"one").unwrap();
    assert!(reactor.wait(SHORT).unwrap() >= 1);
    assert_eq!(count.get(), 1);

    // Edge-triggered: no new edge, no new wake, however often we wait.
    for _ in 0..3 {
        reactor.wait(Some(Duration::ZERO)).unwrap();
    }
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

#[test]
fn writable_at_start() {
    let reactor = Reactor::new().unwrap();
    let (ours, _theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::WRITABLE).unwrap();
    let (count, waker) = counting_waker();

    assert!(poll(&reg, Direction::Write, &waker).is_pending());
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Write, &waker).is_ready());
}

#[test]
fn clear_ready_waits_for_new_data() {
    let reactor = Reactor::new().unwrap();
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    theirs.write_all(b"first").unwrap();
    reactor.wait(SHORT).unwrap();
    assert!(poll(&reg, Direction::Read, &waker).is_ready());

    drain(&mut ours);
    reg.clear_ready(Direction::Read);
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    reactor.wait(Some(Duration::from_millis(10))).unwrap();
    assert_eq!(count.get(), 0, "no wake without new data");
    assert!(poll(&reg, Direction::Read, &waker).is_pending());

    theirs.write_all(b"second").unwrap();
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1, "new data is a new edge");
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

#[test]
fn short_io_clears_readiness_until_the_next_edge() {
    let reactor = Reactor::new().unwrap();
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

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
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

#[test]
fn short_io_keeps_readiness_after_peer_shutdown() {
    let reactor = Reactor::new().unwrap();
    let (mut ours, mut theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    // Data and the peer's shutdown arrive in one edge.
    theirs.write_all(b"abc").unwrap();
    theirs.shutdown(std::net::Shutdown::Write).unwrap();
    reactor.wait(SHORT).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(ours.read(&mut buf).unwrap(), 3);
    reg.clear_ready_after_short_io(Direction::Read);
    assert!(
        poll(&reg, Direction::Read, &waker).is_ready(),
        "no edge will come for the EOF: readiness must stay"
    );
    assert_eq!(ours.read(&mut buf).unwrap(), 0);

    // An EAGAIN-based clear still clears; nothing wakes without a new edge.
    reg.clear_ready(Direction::Read);
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    reactor.wait(Some(Duration::from_millis(10))).unwrap();
    assert_eq!(count.get(), 0);
}

#[test]
fn waker_is_replaced_not_duplicated() {
    let reactor = Reactor::new().unwrap();
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

#[test]
fn peer_close_counts_as_readable() {
    let reactor = Reactor::new().unwrap();
    let (ours, theirs) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE).unwrap();
    let (count, waker) = counting_waker();

    reactor.wait(SHORT).unwrap(); // the initial writable edge
    assert!(poll(&reg, Direction::Read, &waker).is_pending());
    drop(theirs);
    reactor.wait(SHORT).unwrap();
    assert_eq!(count.get(), 1);
    assert!(poll(&reg, Direction::Read, &waker).is_ready());
}

#[test]
fn stale_event_never_wakes_the_slots_new_owner() {
    let reactor = Reactor::new().unwrap();

    // An epoll item outlives its fd number when the file stays open through a dup:
    // closing `old` before dropping its Registration leaves an item in the kernel that
    // still reports events under the old registration's token.
    let (old, mut old_peer) = pair();
    let old_dup = old.try_clone().unwrap();
    let old_reg = Registration::with_reactor(&reactor, old.as_raw_fd(), Interest::BOTH).unwrap();
    reactor.wait(SHORT).unwrap(); // consume the initial writable edge
    drop(old);
    drop(old_reg); // EPOLL_CTL_DEL fails with EBADF (ignored); the slot is freed
    assert_eq!(reactor.registrations(), 0);

    let (new, _new_peer) = pair();
    let new_reg = Registration::with_reactor(&reactor, new.as_raw_fd(), Interest::BOTH).unwrap();
    reactor.wait(SHORT).unwrap(); // its initial writable edge
    let (count, waker) = counting_waker();
    assert!(poll(&new_reg, Direction::Read, &waker).is_pending());

    old_peer.write_all(b"for the old owner").unwrap();
    assert_eq!(
        reactor.wait(SHORT).unwrap(),
        1,
        "the kernel reports the stale item"
    );
    assert_eq!(count.get(), 0, "and the reactor ignores it");
    assert!(poll(&new_reg, Direction::Read, &waker).is_pending());
    drop(old_dup);
}

#[test]
fn notifier_interrupts_wait_from_another_thread() {
    let reactor = Reactor::new().unwrap();
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

#[test]
fn notifier_outlives_reactor_harmlessly() {
    let reactor = Reactor::new().unwrap();
    let notifier = reactor.notifier();
    drop(reactor);
    for _ in 0..1000 {
        notifier.notify();
    }
}

#[test]
fn timeout_never_ends_early() {
    let reactor = Reactor::new().unwrap();
    let timeout = Duration::from_millis(5);
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(reactor.wait(Some(timeout)).unwrap(), 0);
        let elapsed = start.elapsed();
        assert!(elapsed >= timeout, "returned after {elapsed:?}");
    }
}

#[test]
fn dropping_registration_deregisters() {
    let reactor = Reactor::new().unwrap();
    let (ours, mut theirs) = pair();
    let (ours2, _theirs2) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let reg2 = Registration::with_reactor(&reactor, ours2.as_raw_fd(), Interest::BOTH).unwrap();
    assert_eq!(reg.fd(), ours.as_raw_fd());
    assert_eq!(reactor.registrations(), 2);
    reactor.wait(SHORT).unwrap(); // initial edges

    drop(reg);
    assert_eq!(reactor.registrations(), 1);
    theirs.write_all(b"nobody listens").unwrap();
    assert_eq!(reactor.wait(Some(Duration::from_millis(10))).unwrap(), 0);
    drop(reg2);
    assert_eq!(reactor.registrations(), 0);

    // The fd can be registered again once its registration is gone.
    let again = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    assert_eq!(reactor.registrations(), 1);
    drop(again);
}

#[test]
fn registering_twice_is_an_os_error() {
    let reactor = Reactor::new().unwrap();
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

#[test]
fn enter_sets_current_and_nests() {
    assert!(Reactor::current().is_none());
    let (ours, _theirs) = pair();
    let err = Registration::new(ours.as_raw_fd(), Interest::BOTH).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other);
    assert!(err.to_string().contains("evloop::run"), "{err}");

    let outer = Reactor::new().unwrap();
    let inner = Reactor::new().unwrap();
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

/// A waker whose wake drops a registration: the reactor must not hold a borrow while
/// waking.
#[test]
fn waker_may_reenter_the_reactor() {
    use std::cell::RefCell;
    use std::rc::Rc;

    thread_local! {
        static VICTIM: RefCell<Option<Registration>> = const { RefCell::new(None) };
    }
    struct DropVictim;
    impl Wake for DropVictim {
        fn wake(self: Arc<Self>) {
            VICTIM.with(|v| v.borrow_mut().take());
        }
    }

    let reactor: Rc<Reactor> = Reactor::new().unwrap();
    let (ours, mut theirs) = pair();
    let (victim_fd, _victim_peer) = pair();
    let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::BOTH).unwrap();
    let victim =
        Registration::with_reactor(&reactor, victim_fd.as_raw_fd(), Interest::BOTH).unwrap();
    VICTIM.with(|v| *v.borrow_mut() = Some(victim));
    reactor.wait(SHORT).unwrap();
    reactor.wait(SHORT).unwrap();

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

/// A signal interrupting the wait comes back as `Ok(0)`, not an error.
#[test]
fn signal_during_wait_is_not_an_error() {
    extern "C" fn on_signal(_: libc::c_int) {}
    // SAFETY: installs a handler that does nothing (async-signal-safe) for SIGUSR1,
    // which nothing else in this test binary uses; `action` is fully initialised.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }

    let reactor = Reactor::new().unwrap();
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    let done = Arc::new(AtomicBool::new(false));
    let signaller = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(10));
                // SAFETY: `me` is the test thread, alive until it joins this thread.
                unsafe { libc::pthread_kill(me, libc::SIGUSR1) };
            }
        })
    };
    let start = Instant::now();
    let handled = reactor.wait(Some(Duration::from_secs(2))).unwrap();
    let elapsed = start.elapsed();
    done.store(true, Ordering::SeqCst);
    signaller.join().unwrap();
    assert_eq!(handled, 0);
    assert!(
        elapsed < Duration::from_secs(2),
        "the signal did not interrupt the wait"
    );
}
