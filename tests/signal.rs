//! Unix signals: Ctrl-C ends a child process's wait, deliveries reach every listener on
//! every loop, signals that must not be caught are refused.
//!
//! The Ctrl-C test re-executes this test binary (`current_exe()`) as a child that waits
//! for `ctrl_c()`, selected by an environment variable and `--exact ctrl_c_child_role`,
//! and sends it a real `SIGINT` with `kill(2)`, so no handler is ever installed for
//! `SIGINT` in the parent. The other tests share this process and therefore use distinct
//! signals (`SIGUSR1`, `SIGUSR2`, `SIGHUP`).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use evloop::signal::{ctrl_c, signal, SignalKind};
use evloop::time::timeout;

/// The environment variable that makes this binary the Ctrl-C child.
const CHILD_ROLE: &str = "EVLOOP_TEST_SIGNAL_CTRL_C_CHILD";
/// What the child prints once it listens for Ctrl-C.
const READY: &str = "child: ready";
/// What the child prints after `ctrl_c()` completed.
const GOT_IT: &str = "child: got ctrl-c";
/// How long any wait for a delivery may take before the test fails.
const LIMIT: Duration = Duration::from_secs(5);

/// Sends `signum` to the calling thread; returns once the handler ran.
fn raise(signum: libc::c_int) {
    // SAFETY: `raise` takes no pointers; the test installed evloop's handler for
    // `signum` first, so the delivery only wakes its listeners.
    assert_eq!(unsafe { libc::raise(signum) }, 0);
}

/// The child role: run only in the process the Ctrl-C test starts.
#[test]
fn ctrl_c_child_role() {
    if std::env::var_os(CHILD_ROLE).is_none() {
        return; // a normal test run: this test only has a job inside the child
    }
    evloop::run(async {
        let stop = ctrl_c();
        println!("{READY}");
        stop.await.expect("ctrl_c failed");
        println!("{GOT_IT}");
    });
}

#[test]
fn a_child_waiting_for_ctrl_c_exits_cleanly_on_sigint() {
    if std::env::var_os(CHILD_ROLE).is_some() {
        return; // inside the child: only the child role runs
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["ctrl_c_child_role", "--exact", "--nocapture"])
        .env(CHILD_ROLE, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // The child prints READY right after `ctrl_c()` returned; if it fails first, its
    // stdout ends and the read returns 0.
    while !seen.contains(READY) {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!("the child ended ({status}) before it was ready:\n{seen}");
        }
        seen.push_str(&line);
    }
    let sent = Instant::now();
    // SAFETY: `kill` takes no pointers; `pid` is our child, alive (it has not been
    // waited for) and listening for SIGINT.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > LIMIT {
            // SAFETY: as above; the child is still not reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let _ = child.wait();
            panic!("the child did not exit within {LIMIT:?} of SIGINT:\n{seen}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    stdout.read_to_string(&mut seen).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        status.success(),
        "the child failed ({status}):\n{seen}\n{stderr}"
    );
    assert!(seen.contains(GOT_IT), "ctrl_c() did not complete:\n{seen}");
}

#[test]
fn a_stream_sees_each_of_two_sigusr1_deliveries() {
    evloop::run(async {
        let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
        assert_eq!(usr1.kind(), SignalKind::from_raw(libc::SIGUSR1));
        for nth in 1..=2 {
            raise(libc::SIGUSR1);
            let got = timeout(LIMIT, usr1.recv()).await;
            assert_eq!(got, Ok(Some(())), "delivery {nth} not seen");
        }
        // Both deliveries were reported; there is no third.
        assert!(
            timeout(Duration::from_millis(50), usr1.recv())
                .await
                .is_err(),
            "a delivery was reported twice"
        );
    });
}

#[test]
fn two_listeners_on_one_loop_both_see_one_delivery() {
    evloop::run(async {
        let mut a = signal(SignalKind::user_defined2()).unwrap();
        let mut b = signal(SignalKind::user_defined2()).unwrap();
        raise(libc::SIGUSR2);
        let (a, b) = evloop::gather!(timeout(LIMIT, a.recv()), timeout(LIMIT, b.recv())).await;
        assert_eq!(a, Ok(Some(())), "the first listener missed it");
        assert_eq!(b, Ok(Some(())), "the second listener missed it");
    });
}

/// The interleaving this guards: loop B is parked on a delivery but busy (not in
/// `epoll_wait`) when the signal arrives; loop A drains the shared pipe first, so B's
/// epoll finds nothing left when B gets back to it. B must learn of the delivery from
/// A's dispatch (a cross-thread wake), not from its own fd.
#[test]
fn a_listener_on_a_busy_loop_sees_a_delivery_another_loop_drained() {
    let (parked_tx, parked_rx) = mpsc::channel();
    let (drained_tx, drained_rx) = mpsc::channel::<()>();
    let loop_b = std::thread::spawn(move || {
        evloop::run(async move {
            let mut hup = signal(SignalKind::hangup()).unwrap();
            // Runs once this task is parked in `recv` below, and blocks the whole loop
            // on purpose until loop A has drained the pipe.
            evloop::spawn(async move {
                parked_tx.send(()).unwrap();
                drained_rx.recv_timeout(LIMIT).unwrap();
            });
            let start = Instant::now();
            let got = timeout(LIMIT, hup.recv()).await;
            (got, start.elapsed())
        })
    });
    parked_rx.recv_timeout(LIMIT).unwrap();
    evloop::run(async {
        let mut hup = signal(SignalKind::hangup()).unwrap();
        raise(libc::SIGHUP);
        assert_eq!(timeout(LIMIT, hup.recv()).await, Ok(Some(())));
    });
    drained_tx.send(()).unwrap();
    let (got, waited) = loop_b.join().unwrap();
    assert_eq!(got, Ok(Some(())));
    // Its loop was blocked only until A drained; a listener that waited for the
    // timeout's own wake-up did not hear of the delivery.
    assert!(
        waited < LIMIT,
        "the listener on the busy loop learnt of the delivery only when its timeout fired"
    );
}

#[test]
fn signals_that_must_not_be_caught_are_refused() {
    evloop::run(async {
        for signum in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, libc::SIGFPE] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        }
        let err = signal(SignalKind::from_raw(0)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    });
}

#[test]
fn listening_outside_a_loop_is_an_error() {
    let err = signal(SignalKind::terminate()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Other, "{err}");
    assert!(err.to_string().contains("evloop::run"), "{err}");
}
