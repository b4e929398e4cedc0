//! tokio's `AsyncReadExt`/`AsyncWriteExt` (its `io-util` feature: no runtime) on evloop's
//! `TcpStream` and its halves, through the `tokio-io` feature.

mod common;

use common::{assert_no_tokio_runtime, pair, run_bounded};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn tokio_read_and_write_helpers_on_a_stream() {
    run_bounded(async {
        assert_no_tokio_runtime();
        let (mut client, mut server) = pair().await;
        client.write_u32(0xdead_beef).await.unwrap();
        AsyncWriteExt::write_all(&mut client, b"payload")
            .await
            .unwrap();
        // `TcpStream::shutdown(how)` is an inherent method: tokio's takes the full path.
        AsyncWriteExt::shutdown(&mut client).await.unwrap();
        assert_eq!(server.read_u32().await.unwrap(), 0xdead_beef);
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"payload");
    });
}

#[test]
fn tokio_copy_proxies_between_the_halves_of_two_connections() {
    run_bounded(async {
        let (mut source, proxy_in) = pair().await;
        let (proxy_out, mut sink) = pair().await;
        let payload: Vec<u8> = (0..500_000u32).map(|i| (i % 253) as u8).collect();
        let proxy = evloop::spawn(async move {
            let (mut rd, _keep_write) = proxy_in.into_split();
            let (_keep_read, mut wr) = proxy_out.into_split();
            let n = tokio::io::copy(&mut rd, &mut wr).await.unwrap();
            AsyncWriteExt::shutdown(&mut wr).await.unwrap();
            n
        });
        let writer = evloop::spawn({
            let payload = payload.clone();
            async move {
                AsyncWriteExt::write_all(&mut source, &payload)
                    .await
                    .unwrap();
                AsyncWriteExt::shutdown(&mut source).await.unwrap();
            }
        });
        let mut got = Vec::new();
        sink.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(proxy.await.unwrap(), payload.len() as u64);
        assert!(got == payload, "the proxied bytes differ");
    });
}
