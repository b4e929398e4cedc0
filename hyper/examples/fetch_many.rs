//! A small crawler on `evloop_hyper::Client`: fetches 50 URLs with at most 8 requests
//! in flight, from a server it starts on 127.0.0.1 in the same loop, then says how many
//! connections the client's keep-alive pool needed for them.
//!
//!     cargo run -p evloop-hyper --example fetch_many
//!
//! The asyncio counterpart: an `aiohttp.ClientSession` and `asyncio.gather` of
//! coroutines that each hold an `asyncio.Semaphore(8)` while they fetch.

#[path = "shared/counting_server.rs"]
mod counting_server;
#[path = "shared/fetch.rs"]
mod fetch;

use std::error::Error;
use std::time::Instant;

use evloop_hyper::Client;

/// How many URLs to fetch.
const URLS: usize = 50;
/// How many requests may be in flight at once.
const IN_FLIGHT: usize = 8;

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (addr, stats) = counting_server::start().await?;
    let urls = (1..=URLS)
        .map(|i| format!("http://{addr}/item/{i}"))
        .collect();
    let client = Client::new();
    let start = Instant::now();
    let results = fetch::fetch_all(&client, urls, IN_FLIGHT).await;
    let elapsed = start.elapsed();
    for result in &results {
        let fetched = result.as_ref().map_err(|e| e.to_string())?;
        println!(
            "{} -> {} {}",
            fetched.url,
            fetched.status,
            String::from_utf8_lossy(&fetched.body)
        );
    }
    println!(
        "{URLS} URLs in {elapsed:.0?}: at most {} requests in flight (limit {IN_FLIGHT}), over {} connections",
        stats.max_in_flight.get(),
        stats.accepted.get(),
    );
    Ok(())
}
