//! `evloop::select!`: the first future to complete with a matching value wins, its body
//! runs after the losers are dropped; patterns that do not match disable their branch;
//! `if` conditions, `else`, `biased;`, and the evloop futures it is used with (sleeps,
//! channels, join handles, sockets).

use crate::common;

use std::cell::{Cell, RefCell};
use std::future::{pending, ready, Future};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use common::{pair, run_bounded};
use evloop::net::{TcpListener, TcpStream, UdpSocket};
use evloop::sync::{mpsc, oneshot};
use evloop::time::sleep;

/// A future that is never ready and records in `log` when it is dropped.
struct DropProbe {
    /// Where the drop is recorded.
    log: Rc<RefCell<Vec<&'static str>>>,
    /// What is recorded.
    name: &'static str,
}

impl Future for DropProbe {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
        Poll::Pending
    }
}

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.name);
    }
}

/// A future that fails the test if it is ever polled.
struct MustNotBePolled;

impl Future for MustNotBePolled {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        panic!("a disabled branch's future was polled");
    }
}

#[test]
fn futures_of_different_output_types_and_the_first_to_complete_wins() {
    run_bounded(async {
        let start = Instant::now();
        let (tx, mut rx) = mpsc::channel::<String>(1);
        evloop::spawn(async move {
            sleep(Duration::from_millis(20)).await;
            tx.send("message".to_string()).await.unwrap();
        });
        let winner = evloop::select! {
            () = sleep(Duration::from_secs(5)) => "sleep".to_string(),
            Some(msg) = rx.recv() => msg,
            n = pending::<u64>() => n.to_string(),
        };
        assert_eq!(winner, "message");
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(20), "{took:?}");
        assert!(
            took < Duration::from_secs(4),
            "the 5 s sleep was awaited: {took:?}"
        );

        // A shorter sleep wins over a channel nobody sends on.
        let (_tx, mut rx) = mpsc::channel::<u32>(1);
        let winner: Result<u32, &str> = evloop::select! {
            Some(n) = rx.recv() => Ok(n),
            () = sleep(Duration::from_millis(10)) => Err("timed out"),
        };
        assert_eq!(winner, Err("timed out"));
    });
}

#[test]
fn the_losers_are_dropped_before_the_winning_body_runs() {
    run_bounded(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let probe = |name| DropProbe {
            log: log.clone(),
            name,
        };
        let seen_in_body = evloop::select! {
            _ = probe("first loser") => unreachable!(),
            x = async { sleep(Duration::from_millis(5)).await; 7 } => {
                log.borrow_mut().push("body");
                (x, log.borrow().clone())
            }
            _ = probe("second loser") => unreachable!(),
        };
        assert_eq!(seen_in_body.0, 7);
        let mut dropped_before_body = seen_in_body.1;
        assert_eq!(dropped_before_body.pop(), Some("body"));
        dropped_before_body.sort();
        assert_eq!(dropped_before_body, ["first loser", "second loser"]);
    });
}

#[test]
fn a_value_that_does_not_match_disables_only_its_branch() {
    run_bounded(async {
        // A closed channel gives `None`, which `Some(n)` does not match: that branch is
        // disabled and the select waits for the other one.
        let (tx, mut closed) = mpsc::channel::<u32>(1);
        drop(tx);
        let (tx, mut live) = mpsc::channel::<u32>(1);
        evloop::spawn(async move {
            sleep(Duration::from_millis(10)).await;
            tx.send(5).await.unwrap();
        });
        let got = evloop::select! {
            biased;
            Some(n) = closed.recv() => ("closed", n),
            Some(n) = live.recv() => ("live", n),
        };
        assert_eq!(got, ("live", 5));

        // A refutable pattern on a plain value: `Ok(n @ 1..)` rejects `Ok(0)` and `Err`.
        let got = evloop::select! {
            biased;
            Ok(n @ 1..) = ready(Ok::<u32, ()>(0)) => n,
            Ok(n @ 1..) = ready(Err::<u32, ()>(())) => n,
            Ok(n @ 1..) = async { sleep(Duration::from_millis(5)).await; Ok::<u32, ()>(9) } => n,
        };
        assert_eq!(got, 9);
    });
}

#[test]
fn else_runs_when_no_pattern_matches_or_every_branch_is_disabled() {
    run_bounded(async {
        let got = evloop::select! {
            Some(n) = ready(None::<u32>) => n,
            Ok(n) = ready(Err::<u32, &str>("no")) => n,
            else => 99,
        };
        assert_eq!(got, 99);

        // Every `if` false: the futures are made but never polled, `else` runs at once.
        let enabled = false;
        let got = evloop::select! {
            n = MustNotBePolled, if enabled => n,
            n = MustNotBePolled, if enabled => n,
            else => 0,
        };
        assert_eq!(got, 0);
    });
}

#[test]
fn without_else_every_branch_disabled_panics_with_a_clear_message() {
    let payload = std::panic::catch_unwind(|| {
        evloop::run(async {
            evloop::select! {
                Some(n) = ready(None::<u32>) => n,
            }
        })
    })
    .unwrap_err();
    assert_eq!(
        common::panic_text(&*payload),
        "all branches are disabled and there is no else branch"
    );
}

#[test]
fn an_if_condition_disables_its_branch_for_this_select() {
    run_bounded(async {
        let polled = Cell::new(false);
        let watch = async {
            polled.set(true);
            1
        };
        let got = evloop::select! {
            n = watch, if 1 + 1 == 3 => n,
            n = async { sleep(Duration::from_millis(5)).await; 2 } => n,
        };
        assert_eq!(got, 2);
        assert!(!polled.get(), "the disabled branch was polled");
    });
}

#[test]
fn biased_polls_in_the_order_written_and_unbiased_rotates() {
    run_bounded(async {
        let mut unbiased_wins = [0u32; 3];
        for _ in 0..600 {
            let biased_winner = evloop::select! {
                biased;
                () = ready(()) => 0,
                () = ready(()) => 1,
                () = ready(()) => 2,
            };
            assert_eq!(biased_winner, 0, "biased; must poll the first branch first");
            let winner = evloop::select! {
                () = ready(()) => 0,
                () = ready(()) => 1,
                () = ready(()) => 2,
            };
            unbiased_wins[winner] += 1;
        }
        // Uniform would be 200 each; any branch that wins under 100 times is starved.
        assert!(unbiased_wins.iter().all(|&n| n >= 100), "{unbiased_wins:?}");
    });
}

#[test]
fn bodies_can_break_continue_return_and_await_in_the_callers_code() {
    async fn first_even(mut rx: mpsc::Receiver<u32>) -> Option<u32> {
        let mut skipped = 0;
        loop {
            evloop::select! {
                msg = rx.recv() => match msg {
                    Some(n) if n % 2 == 0 => return Some(n + skipped),
                    Some(_) => {
                        skipped += 100;
                        continue;
                    }
                    None => break,
                },
                () = sleep(Duration::from_secs(5)) => {
                    sleep(Duration::from_millis(1)).await;
                    break;
                }
            }
        }
        None
    }
    run_bounded(async {
        let (tx, rx) = mpsc::channel(4);
        for n in [1, 3, 4] {
            tx.send(n).await.unwrap();
        }
        assert_eq!(first_even(rx).await, Some(204));
        let (tx, rx) = mpsc::channel(4);
        tx.send(1).await.unwrap();
        drop(tx);
        assert_eq!(first_even(rx).await, None);
    });
}

#[test]
fn mut_and_ref_bindings_and_or_patterns_work() {
    run_bounded(async {
        let got = evloop::select! {
            Some(mut v) = ready(Some(vec![1, 2])) => {
                v.push(3);
                v
            }
        };
        assert_eq!(got, [1, 2, 3]);
        let got = evloop::select! {
            (ref a, mut b) = ready((String::from("a"), 1)) => {
                b += 1;
                format!("{a}{b}")
            }
        };
        assert_eq!(got, "a2");
        let got = evloop::select! {
            1 | 2 = ready(3) => "one or two",
            Some(3 | 4) = ready(Some(4)) => "three or four",
        };
        assert_eq!(got, "three or four");
    });
}

#[test]
fn a_sleep_made_once_keeps_its_deadline_across_iterations() {
    run_bounded(async {
        // A message is ready at every iteration: a sleep made anew in each one would
        // never finish, and the loop would run until the test's watchdog.
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        evloop::spawn(async move {
            for i in 0.. {
                if tx.send(i).await.is_err() {
                    break;
                }
            }
        });
        // One message first, so that the loop below starts with the producer running.
        assert_eq!(rx.recv().await, Some(0));
        let start = Instant::now();
        let mut deadline = pin!(sleep(Duration::from_millis(100)));
        let mut received = 0;
        loop {
            evloop::select! {
                biased;
                () = &mut deadline => break,
                Some(_) = rx.recv() => received += 1,
            }
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(100), "{took:?}");
        assert!(received >= 1, "the loop never took a message");
    });
}

#[test]
fn join_handles_by_reference_keep_their_output_for_a_later_select() {
    run_bounded(async {
        // The slow task finishes only once the first select is over.
        let (go, gate) = oneshot::channel::<()>();
        let mut slow = evloop::spawn(async {
            gate.await.unwrap();
            "slow"
        });
        let fast = evloop::spawn(async {
            sleep(Duration::from_millis(5)).await;
            "fast"
        });
        let first = evloop::select! {
            r = &mut slow => r.unwrap(),
            r = fast => r.unwrap(),
        };
        assert_eq!(first, "fast");
        go.send(()).unwrap();
        // The slow handle lost the first select but was only borrowed: still awaitable.
        let (tx, mut never) = oneshot::channel::<u8>();
        let second = evloop::select! {
            r = &mut slow => r.unwrap(),
            _ = &mut never => "never",
        };
        assert_eq!(second, "slow");
        drop(tx);
    });
}

#[test]
fn accept_and_read_on_sockets_and_a_udp_receive() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let udp_addr = udp.local_addr().unwrap();

        // A connection arrives first: accept wins, the UDP receive is cancelled.
        let client = evloop::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let mut buf = [0u8; 16];
        let mut conn = evloop::select! {
            Ok((conn, _peer)) = listener.accept() => conn,
            Ok(_) = udp.recv_from(&mut buf) => panic!("no datagram was sent"),
        };
        let mut client = client.await.unwrap();

        // Then a datagram: the UDP receive wins over a read with nothing to read.
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sender.send_to(b"dgram", udp_addr).await.unwrap();
        let mut tcp_buf = [0u8; 16];
        let got = evloop::select! {
            n = conn.read(&mut tcp_buf) => panic!("read {n:?} from a silent peer"),
            Ok((n, _)) = udp.recv_from(&mut buf) => buf[..n].to_vec(),
        };
        assert_eq!(got, b"dgram");

        // And the cancelled read lost nothing: the bytes sent now are all read.
        client.write_all(b"after").await.unwrap();
        let mut got = [0u8; 5];
        conn.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"after");

        // A read on a connection whose peer closed: EOF (`Ok(0)`) wins over a sleep.
        let (a, mut b) = pair().await;
        drop(a);
        let eof = evloop::select! {
            Ok(n) = b.read(&mut tcp_buf) => n,
            () = sleep(Duration::from_secs(5)) => usize::MAX,
        };
        assert_eq!(eof, 0);
    });
}
