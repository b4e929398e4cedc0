//! An axum application on evloop: axum's `Router`, served by hyper over evloop's
//! sockets through evloop-hyper, with no tokio runtime.
//!
//!     cargo run -p evloop-eco-tests --example axum [-- ADDR]
//!     curl http://127.0.0.1:3000/users/7
//!     curl -d '{"name":"loop"}' -H 'content-type: application/json' http://127.0.0.1:3000/echo
//!
//! ADDR defaults to 127.0.0.1:3000. The routes are listed in `shared/axum_app.rs`. The
//! asyncio counterpart: a FastAPI or aiohttp application run by the event loop.

#[path = "shared/axum_app.rs"]
mod axum_app;

use std::io::Write;

use evloop::net::TcpListener;

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = TcpListener::bind(&*addr).await?;
    println!("axum on evloop: http://{}/", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum_app::serve(listener, axum_app::app(axum_app::Hits::default())).await;
    Ok(())
}
