//! A hyper HTTP/1.1 client on evloop: fetches `GET /` a few times over one keep-alive
//! connection, then `POST /echo`, from a server such as `hyper_server`.
//!
//!     cargo run --release -p evloop-hyper --example hyper_server &
//!     cargo run --release -p evloop-hyper --example hyper_client [-- ADDR [COUNT]]
//!
//! ADDR defaults to 127.0.0.1:3000 and COUNT to 3. The asyncio counterpart is an
//! `aiohttp.ClientSession` doing `session.get(url)`.

use std::error::Error;

use bytes::Bytes;
use evloop::net::TcpStream;
use evloop_hyper::EvloopIo;
use http_body_util::{BodyExt, Full};
use hyper::{header, Request};

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let count: usize = args.next().map_or(Ok(3), |n| n.parse())?;

    let stream = TcpStream::connect(&*addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(EvloopIo::new(stream)).await?;
    // The connection is its own task: it moves bytes while `sender` waits for answers.
    evloop::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("connection error: {e}");
        }
    });

    for i in 1..=count {
        let request = Request::get("/")
            .header(header::HOST, &addr)
            .body(Full::<Bytes>::default())?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        println!("GET / #{i}: {status} {}", String::from_utf8_lossy(&body));
    }

    let request = Request::post("/echo")
        .header(header::HOST, &addr)
        .body(Full::new(Bytes::from_static(b"echo, echo")))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    println!("POST /echo: {status} {}", String::from_utf8_lossy(&body));
    Ok(())
}
