//! tokio-util's codecs on evloop's sockets, through the `tokio-io` feature, with no tokio
//! runtime: `Framed` with `LinesCodec` (a line-protocol server and several clients), and
//! `FramedRead`/`FramedWrite` with `LengthDelimitedCodec` on a stream's two halves.

mod common;

use bytes::Bytes;
use common::{assert_no_tokio_runtime, pair, run_bounded};
use evloop::net::{TcpListener, TcpStream};
use futures::{SinkExt, StreamExt, TryStreamExt};
use tokio_util::codec::{Framed, FramedRead, FramedWrite, LengthDelimitedCodec, LinesCodec};

#[test]
fn framed_lines_codec_serves_several_clients_on_evloop_alone() {
    const CLIENTS: usize = 8;
    const LINES: usize = 50;
    run_bounded(async {
        assert_no_tokio_runtime();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The server: one task per connection; answers each line with it upper-cased.
        evloop::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                evloop::spawn(async move {
                    let mut framed = Framed::new(stream, LinesCodec::new());
                    while let Some(Ok(line)) = framed.next().await {
                        if framed.send(line.to_uppercase()).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });

        let clients = (0..CLIENTS).map(|c| {
            evloop::spawn(async move {
                assert_no_tokio_runtime();
                let stream = TcpStream::connect(addr).await.unwrap();
                let mut framed = Framed::new(stream, LinesCodec::new());
                for i in 0..LINES {
                    framed.send(format!("client {c} line {i}")).await.unwrap();
                    let reply = framed.next().await.unwrap().unwrap();
                    assert_eq!(reply, format!("CLIENT {c} LINE {i}"));
                }
                LINES
            })
        });
        let answered: usize = evloop::gather_all(clients)
            .await
            .into_iter()
            .map(Result::unwrap)
            .sum();
        assert_eq!(answered, CLIENTS * LINES);
    });
}

#[test]
fn framed_read_and_framed_write_on_the_two_halves_carry_large_frames() {
    run_bounded(async {
        let (client, server) = pair().await;
        let frames: Vec<Bytes> = (0..20u8)
            .map(|i| Bytes::from(vec![i; 64 * 1024 + usize::from(i)]))
            .collect();

        // The server echoes frames: its read half in one task, its write half in another,
        // connected by a channel.
        let (srv_rd, srv_wr) = server.into_split();
        let (tx, mut rx) = evloop::sync::mpsc::channel::<Bytes>(4);
        evloop::spawn(async move {
            let mut frames = FramedRead::new(srv_rd, LengthDelimitedCodec::new());
            while let Some(Ok(frame)) = frames.next().await {
                if tx.send(frame.freeze()).await.is_err() {
                    break;
                }
            }
        });
        evloop::spawn(async move {
            let mut out = FramedWrite::new(srv_wr, LengthDelimitedCodec::new());
            while let Some(frame) = rx.recv().await {
                out.send(frame).await.unwrap();
            }
            SinkExt::<Bytes>::close(&mut out).await.unwrap(); // a write shutdown: EOF
        });

        let (cl_rd, cl_wr) = client.into_split();
        let writer = evloop::spawn({
            let frames = frames.clone();
            async move {
                let mut out = FramedWrite::new(cl_wr, LengthDelimitedCodec::new());
                for frame in frames {
                    out.send(frame).await.unwrap();
                }
                SinkExt::<Bytes>::close(&mut out).await.unwrap();
            }
        });
        let echoed: Vec<_> = FramedRead::new(cl_rd, LengthDelimitedCodec::new())
            .try_collect()
            .await
            .unwrap();
        writer.await.unwrap();
        assert_eq!(echoed.len(), frames.len());
        assert!(
            echoed.iter().zip(&frames).all(|(a, b)| a == b),
            "an echoed frame differs"
        );
    });
}
