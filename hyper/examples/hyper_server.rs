//! An HTTP/1.1 server (keep-alive) of hyper on evloop: `GET /` says hello, `POST /echo`
//! echoes the body.
//!
//!     cargo run --release -p evloop-hyper --example hyper_server [-- ADDR]
//!     curl http://127.0.0.1:3000/
//!
//! ADDR defaults to 127.0.0.1:3000. The asyncio counterpart is an `aiohttp` app served
//! with `web.run_app`.

#[path = "shared/server.rs"]
mod server;
#[path = "shared/service.rs"]
mod service;

use std::io::Write;

use evloop::net::TcpListener;

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = TcpListener::bind(&*addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    server::serve(listener, server::http1_builder()).await
}
