//! The `futures` crate, unchanged, on evloop: `join!`, `select!`, `StreamExt`,
//! `futures::channel::mpsc` and `futures::io::copy` over a `TcpStream`, each across
//! several tasks.

use crate::common;

use common::{run_bounded, run_paused};
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, Instant};
use futures::channel::{mpsc, oneshot};
use futures::stream::{self, FuturesUnordered};
use futures::{AsyncReadExt, AsyncWriteExt, FutureExt, SinkExt, StreamExt};

#[test]
fn join_runs_spawned_tasks_and_local_futures_concurrently() {
    let (a, b, c, took) = run_paused(async {
        let start = Instant::now();
        let slow = evloop::spawn(async {
            sleep(Duration::from_millis(60)).await;
            "spawned"
        });
        let (tx, rx) = oneshot::channel();
        let sender = evloop::spawn(async move {
            sleep(Duration::from_millis(30)).await;
            tx.send(42).unwrap();
        });
        let (a, b, c) = futures::join!(slow, rx, async {
            sleep(Duration::from_millis(50)).await;
            7
        });
        sender.await.unwrap();
        (a.unwrap(), b.unwrap(), c, start.elapsed())
    });
    assert_eq!((a, b, c), ("spawned", 42, 7));
    // Concurrent: the longest wait (60 ms), not the sum (140 ms).
    assert_eq!(took, Duration::from_millis(60));
}

#[test]
fn select_between_a_sleep_and_a_channel_takes_whichever_is_first() {
    run_bounded(async {
        // The channel wins: a task sends after 10 ms, the sleep is 5 s.
        let (mut tx, mut rx) = mpsc::channel::<u32>(1);
        let sender = evloop::spawn(async move {
            sleep(Duration::from_millis(10)).await;
            tx.send(5).await.unwrap();
        });
        let got = futures::select! {
            msg = rx.next() => msg,
            () = sleep(Duration::from_secs(5)).fuse() => None,
        };
        assert_eq!(got, Some(5));
        sender.await.unwrap();

        // The sleep wins: the sender waits 5 s, the sleep is 20 ms.
        let (mut tx, mut rx) = mpsc::channel::<u32>(1);
        let late = evloop::spawn(async move {
            sleep(Duration::from_secs(5)).await;
            let _ = tx.send(6).await;
        });
        let start = Instant::now();
        let timed_out = futures::select! {
            _ = rx.next() => false,
            () = sleep(Duration::from_millis(20)).fuse() => true,
        };
        assert!(timed_out);
        assert!(start.elapsed() >= Duration::from_millis(20));
        late.abort();
        assert!(late.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn mpsc_from_four_producer_tasks_through_stream_combinators() {
    const PRODUCERS: u64 = 4;
    const EACH: u64 = 1_000;
    let (count, sum) = run_bounded(async {
        let (tx, rx) = mpsc::channel::<u64>(16);
        for p in 0..PRODUCERS {
            let mut tx = tx.clone();
            evloop::spawn(async move {
                for i in 0..EACH {
                    // A bounded channel of 16: producers wait on the consumer.
                    tx.send(p * EACH + i).await.unwrap();
                    if i % 100 == 0 {
                        sleep(Duration::from_millis(1)).await;
                    }
                }
            });
        }
        drop(tx);
        // The stream ends when every producer has dropped its sender.
        rx.filter(|n| std::future::ready(n % 2 == 0))
            .map(|n| n * 3)
            .fold((0u64, 0u64), |(count, sum), n| async move {
                (count + 1, sum + n)
            })
            .await
    });
    let total = PRODUCERS * EACH;
    assert_eq!(count, total / 2);
    let even_sum: u64 = (0..total).filter(|n| n % 2 == 0).sum();
    assert_eq!(sum, 3 * even_sum);
}

#[test]
fn buffer_unordered_overlaps_timer_futures_and_keeps_every_result() {
    let (mut squares, took) = run_paused(async {
        let start = Instant::now();
        let squares = stream::iter(0..40u64)
            .map(|i| async move {
                sleep(Duration::from_millis(20 + i % 5)).await;
                i * i
            })
            .buffer_unordered(10)
            .collect::<Vec<_>>()
            .await;
        (squares, start.elapsed())
    });
    squares.sort_unstable();
    assert_eq!(squares, (0..40u64).map(|i| i * i).collect::<Vec<_>>());
    // Ten at a time: about four rounds of 20-24 ms sleeps (at least 80 ms, at most
    // 40 x 22 / 10 + 24 = 112 ms), not forty in a row (~880 ms).
    assert!(
        took >= Duration::from_millis(80) && took <= Duration::from_millis(112),
        "{took:?}"
    );
}

#[test]
fn futures_unordered_of_join_handles_yields_in_completion_order() {
    let order = run_paused(async {
        let mut pending: FuturesUnordered<_> = [30u64, 10, 20]
            .into_iter()
            .map(|ms| {
                evloop::spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        let mut order = Vec::new();
        while let Some(done) = pending.next().await {
            order.push(done.unwrap());
        }
        order
    });
    assert_eq!(order, [10, 20, 30]);
}

/// A deterministic, position-dependent byte pattern (catches reordering and loss).
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[2])
        .collect()
}

#[test]
fn io_copy_echoes_one_mebibyte_over_a_tcp_stream() {
    const LEN: usize = 1 << 20;
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The server echoes with `futures::io::copy` from the read half to the write half.
        let server = evloop::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            let (rd, mut wr) = conn.into_split();
            let copied = futures::io::copy(rd, &mut wr).await.unwrap();
            wr.close().await.unwrap();
            copied
        });

        let client = TcpStream::connect(addr).await.unwrap();
        let (mut rd, mut wr) = client.into_split();
        let data = pattern(LEN);
        let sent = data.clone();
        // Writer and reader are separate tasks: with 1 MiB in flight both socket
        // buffers fill, so writing everything before reading would deadlock.
        let writer = evloop::spawn(async move {
            for chunk in sent.chunks(64 * 1024) {
                wr.write_all(chunk).await.unwrap();
            }
            wr.close().await.unwrap(); // FIN: the server's copy sees EOF and ends
        });
        let mut echoed = Vec::with_capacity(LEN);
        rd.read_to_end(&mut echoed).await.unwrap();

        writer.await.unwrap();
        assert_eq!(server.await.unwrap(), LEN as u64);
        assert_eq!(echoed.len(), LEN);
        assert!(echoed == data, "the echoed bytes differ from the sent ones");
    });
}
