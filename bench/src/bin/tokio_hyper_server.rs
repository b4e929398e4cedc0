//! The same hyper service as evloop-hyper's `hyper_server` example
//! (`hyper/examples/shared/service.rs`), on tokio's current_thread runtime with
//! hyper-util's `TokioIo` and `TokioTimer`: the comparison point for measuring
//! `hyper_server` on evloop (`hyper/wrk_side_by_side.sh`). It lives here, with the other
//! peers, so that tokio is no dependency of evloop-hyper's tests.
//!
//!     cargo run --release -p evloop-bench --bin tokio_hyper_server [-- ADDR]
//!
//! ADDR defaults to 127.0.0.1:3001.

#[path = "../../../hyper/examples/shared/service.rs"]
mod service;

use std::io::Write;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3001".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = TcpListener::bind(&*addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new());
        loop {
            let (stream, _peer) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let conn = http.serve_connection(TokioIo::new(stream), service_fn(service::service));
            tokio::task::spawn(async move {
                if let Err(e) = conn.await {
                    if !e.is_incomplete_message() {
                        eprintln!("connection error: {e}");
                    }
                }
            });
        }
    })
}
