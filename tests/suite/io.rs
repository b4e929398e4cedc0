//! `evloop::io`: futures-util's buffered readers and writers, line reading, `copy` and
//! `split`, on `TcpStream` and its halves.

use crate::common;

use common::{pair, run_bounded};
use evloop::io::{
    copy, split, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter, StreamExt,
    TryStreamExt,
};

#[test]
fn read_line_and_lines_on_a_stream_and_on_its_read_half() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        server
            .write_all(b"first\nsecond\r\nthird\nfourth")
            .await
            .unwrap();
        drop(server);

        let (rd, _wr) = client.into_split();
        let mut reader = BufReader::new(rd);
        let mut line = String::new();
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 6);
        assert_eq!(line, "first\n");
        // `lines` strips `\n` and `\r\n`; the last line needs no newline.
        let rest: Vec<String> = reader.lines().try_collect().await.unwrap();
        assert_eq!(rest, ["second", "third", "fourth"]);
    });
}

#[test]
fn lines_on_a_whole_stream_one_message_at_a_time() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let mut lines = BufReader::new(client).lines();
        for i in 0..3 {
            server
                .write_all(format!("msg {i}\n").as_bytes())
                .await
                .unwrap();
            assert_eq!(lines.next().await.unwrap().unwrap(), format!("msg {i}"));
        }
        drop(server);
        assert!(lines.next().await.is_none(), "EOF ends the stream of lines");
    });
}

#[test]
fn a_buf_writer_sends_nothing_until_flushed_then_everything_in_order() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let (_rd, wr) = client.into_split();
        let mut writer = BufWriter::new(wr);
        for i in 0..100u32 {
            writer.write_all(&i.to_le_bytes()).await.unwrap();
        }
        // 400 bytes fit in the 8 KiB buffer: nothing has reached the socket yet.
        let mut probe = [0u8; 1];
        let early = evloop::time::timeout(
            std::time::Duration::from_millis(20),
            server.read(&mut probe),
        )
        .await;
        assert!(early.is_err(), "bytes arrived before the flush");
        writer.flush().await.unwrap();
        let mut got = vec![0u8; 400];
        server.read_exact(&mut got).await.unwrap();
        let numbers: Vec<u32> = got
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(numbers, (0..100).collect::<Vec<_>>());
        // `close` flushes and shuts the write side down: the peer reads EOF.
        writer.close().await.unwrap();
        assert_eq!(server.read(&mut probe).await.unwrap(), 0);
    });
}

#[test]
fn copy_pumps_one_connection_into_another_until_eof() {
    run_bounded(async {
        let (mut source, proxy_in) = pair().await;
        let (proxy_out, mut sink) = pair().await;
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let proxy = evloop::spawn(async move {
            let (mut rd, _) = proxy_in.into_split();
            let (_, mut wr) = proxy_out.into_split();
            let n = copy(&mut rd, &mut wr).await?;
            wr.close().await.map(|()| n)
        });
        let writer = evloop::spawn({
            let payload = payload.clone();
            async move {
                source.write_all(&payload).await?;
                source.close().await
            }
        });
        let mut got = Vec::new();
        sink.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap().unwrap();
        assert_eq!(proxy.await.unwrap().unwrap(), payload.len() as u64);
        assert!(got == payload, "the copied bytes differ");
    });
}

#[test]
fn a_capped_read_line_stops_a_peer_that_never_sends_a_newline() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let writer = evloop::spawn(async move {
            // 64 KiB without a newline, then the connection stays open.
            let _ = server.write_all(&[b'x'; 64 * 1024]).await;
            server
        });
        let mut reader = BufReader::new(client);
        let mut line = String::new();
        let n = (&mut reader).take(1024).read_line(&mut line).await.unwrap();
        assert_eq!(n, 1024);
        assert!(!line.ends_with('\n'), "a capped line has no newline");
        drop(writer);
    });
}

#[test]
fn split_gives_halves_that_work_in_two_tasks_and_reunite() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let (mut rd, mut wr) = split(client);
        let writer = evloop::spawn(async move {
            wr.write_all(b"ping").await.unwrap();
            wr
        });
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        server.write_all(b"pong").await.unwrap();
        rd.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
        let wr = writer.await.unwrap();
        let client = rd.reunite(wr).unwrap();
        assert_eq!(
            client.peer_addr().unwrap(),
            server.local_addr().unwrap(),
            "the reunited stream is the original one"
        );
    });
}
