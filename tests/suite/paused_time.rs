//! Test time: `evloop::time::pause`, `advance`, `resume` and `#[evloop::test(start_paused
//! = true)]`. With the clock paused, `Instant::now()` moves only by `advance` and by the
//! loop's jumps to its next timer, which it makes only when nothing else can happen.

use crate::common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::signal::{signal, SignalKind};
use evloop::time::{advance, interval, pause, resume, sleep, timeout, Instant};

const SEC: Duration = Duration::from_secs(1);

#[test]
#[should_panic(expected = "evloop::time::pause called outside an evloop runtime")]
fn pause_outside_a_loop_panics_with_advice() {
    pause();
}

#[evloop::test]
#[should_panic(expected = "time is already paused on this loop")]
async fn pausing_twice_panics() {
    pause();
    pause();
}

#[evloop::test(start_paused = true)]
#[should_panic(expected = "time is already paused on this loop")]
async fn pausing_a_test_that_starts_paused_panics() {
    pause();
}

#[evloop::test]
#[should_panic(expected = "evloop::time::advance needs paused time")]
async fn advance_without_pause_panics() {
    advance(SEC).await;
}

#[evloop::test]
#[should_panic(expected = "time is not paused on this loop")]
async fn resume_without_pause_panics() {
    resume();
}

#[evloop::test(start_paused = true)]
async fn the_clock_stands_still_while_paused() {
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(5));
    evloop::yield_now().await;
    assert_eq!(Instant::now(), start);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[evloop::test(start_paused = true)]
async fn advance_moves_the_clock_exactly_and_runs_the_tasks_it_woke() {
    let start = Instant::now();
    let woke_at = Rc::new(Cell::new(None));
    let record = woke_at.clone();
    evloop::spawn(async move {
        sleep(5 * SEC).await;
        record.set(Some(Instant::now()));
    });
    evloop::yield_now().await; // the task arms its timer
    advance(4 * SEC).await;
    assert_eq!(Instant::now(), start + 4 * SEC);
    assert_eq!(woke_at.get(), None, "not due yet");
    advance(Duration::from_nanos(999_999_999)).await;
    assert_eq!(woke_at.get(), None, "a nanosecond early is still early");
    advance(Duration::from_nanos(1)).await;
    assert_eq!(
        woke_at.get(),
        Some(start + 5 * SEC),
        "ran before advance returned"
    );
    assert_eq!(Instant::now(), start + 5 * SEC);
}

#[evloop::test(start_paused = true)]
async fn an_hour_of_interval_ticks_runs_in_no_real_time() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    let mut every = interval(SEC);
    for k in 0..=3600u32 {
        let scheduled = every.tick().await;
        assert_eq!(scheduled, start + k * SEC);
        assert_eq!(Instant::now(), scheduled, "tick {k} at its instant");
    }
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    // Milliseconds in fact; the bound is far below the hour and far above any scheduler.
    let took = real.elapsed();
    assert!(
        took < Duration::from_secs(60),
        "an hour of ticks took {took:?}"
    );
}

#[evloop::test(start_paused = true)]
async fn timers_fire_in_deadline_order_at_their_instants() {
    let start = Instant::now();
    let log = Rc::new(RefCell::new(Vec::new()));
    let delays = [7u64, 3, 11, 3, 1, 20, 5];
    let tasks: Vec<_> = delays
        .iter()
        .enumerate()
        .map(|(i, &secs)| {
            let log = log.clone();
            evloop::spawn(async move {
                sleep(Duration::from_secs(secs)).await;
                log.borrow_mut().push((Instant::now() - start, i));
            })
        })
        .collect();
    evloop::gather_all(tasks).await;
    let mut expected: Vec<_> = delays
        .iter()
        .enumerate()
        .map(|(i, &secs)| (Duration::from_secs(secs), i))
        .collect();
    expected.sort();
    let mut log = log.take();
    let times: Vec<Duration> = log.iter().map(|&(at, _)| at).collect();
    assert!(times.is_sorted(), "fired out of order: {log:?}");
    log.sort(); // timers due at the same instant fire in no set order
    assert_eq!(log, expected);
}

#[evloop::test(start_paused = true)]
async fn spawn_blocking_holds_the_clock_while_its_job_runs() {
    let start = Instant::now();
    // The job takes real time; the timeout must not jump ahead of it.
    let job = evloop::spawn_blocking(|| {
        std::thread::sleep(Duration::from_millis(50));
        "done"
    });
    let result = timeout(10 * SEC, job).await;
    assert_eq!(result.expect("no jump past a running job").unwrap(), "done");
    assert_eq!(Instant::now(), start, "the clock stood still");
    // Once the job is done the loop jumps again.
    sleep(10 * SEC).await;
    assert_eq!(Instant::now(), start + 10 * SEC);
}

#[evloop::test(start_paused = true)]
async fn io_that_is_ready_is_served_before_a_jump() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "the signal wait");
    let start = Instant::now();
    // A far timer: without it the loop would simply wait for I/O.
    let far = evloop::spawn(sleep(3600 * SEC));
    let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
    let waiter = evloop::spawn(async move {
        usr1.recv().await;
        Instant::now()
    });
    evloop::yield_now().await; // the waiter registers
                               // The handler writes its self-pipe before `raise` returns: the byte is ready I/O.
    evloop::signal::raise(SignalKind::user_defined1()).unwrap();
    assert_eq!(
        waiter.await.unwrap(),
        start,
        "served before the jump to the far timer"
    );
    far.abort();
}

#[evloop::test(start_paused = true)]
async fn sockets_work_while_time_is_paused() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "the echo");
    let sleeper = evloop::spawn(sleep(3600 * SEC));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = evloop::spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        let mut buf = [0; 5];
        conn.read_exact(&mut buf).await?;
        conn.write_all(&buf).await
    });
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"hello").await.unwrap();
    let mut back = [0; 5];
    client.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"hello");
    server.await.unwrap().unwrap();
    sleeper.abort();
}

#[evloop::test(start_paused = true)]
async fn resume_lets_time_run_from_where_it_stood() {
    let start = Instant::now();
    advance(10 * SEC).await;
    resume();
    let real = std::time::Instant::now();
    sleep(Duration::from_millis(2)).await; // a real sleep again
    let waited = real.elapsed();
    assert!(waited >= Duration::from_millis(2), "{waited:?}");
    let now = Instant::now();
    assert!(now >= start + 10 * SEC + Duration::from_millis(2));
    // Generous: only checks that the clock did not catch up with a jump of its own.
    assert!(now < start + 10 * SEC + waited + Duration::from_secs(30));
    pause(); // a resumed clock may be paused again
    let paused_at = Instant::now();
    advance(SEC).await;
    assert_eq!(Instant::now(), paused_at + SEC);
}

#[evloop::test(start_paused = true)]
async fn other_threads_keep_the_real_clock() {
    advance(3600 * SEC).await;
    let ours = Instant::now();
    let theirs = std::thread::spawn(Instant::now).join().unwrap();
    assert!(
        theirs < ours,
        "another thread's clock is an hour behind this paused one"
    );
    assert!(std::time::Instant::now() < ours.into_std());
}

#[test]
fn each_runtime_has_its_own_clock() {
    let paused = evloop::Runtime::new().unwrap();
    let start = paused.block_on(async {
        pause();
        let start = Instant::now();
        advance(60 * SEC).await;
        start
    });
    // The same runtime keeps its paused clock between block_on calls...
    paused.block_on(async { assert_eq!(Instant::now(), start + 60 * SEC) });
    // ...and another runtime on the same thread runs on the real clock.
    evloop::run(async {
        let before = Instant::now();
        sleep(Duration::from_millis(2)).await;
        assert!(before.elapsed() >= Duration::from_millis(2));
        assert!(Instant::now() < start + 60 * SEC);
    });
}
