//! Fetching many URLs with at most a few requests in flight, on one
//! `evloop_hyper::Client`: the crawler loop of the `fetch_many` example and its test.

use std::error::Error;
use std::rc::Rc;

use evloop::sync::Semaphore;
use evloop_hyper::Client;
use http_body_util::BodyExt;
use hyper::StatusCode;

/// One URL's outcome.
#[derive(Debug)]
pub struct Fetched {
    /// The URL fetched.
    pub url: String,
    /// The response's status.
    pub status: StatusCode,
    /// The body, read to its end (which lets the pool reuse the connection).
    pub body: bytes::Bytes,
}

/// Fetches `urls` with `client`, at most `limit` at a time: a task per URL, each
/// holding a permit of one semaphore while its request runs, like asyncio's `gather` of
/// coroutines that each do `async with semaphore:`. The results come in `urls` order.
pub async fn fetch_all(
    client: &Client,
    urls: Vec<String>,
    limit: usize,
) -> Vec<Result<Fetched, Box<dyn Error + Send + Sync>>> {
    let permits = Rc::new(Semaphore::new(limit));
    let tasks: Vec<_> = urls
        .into_iter()
        .map(|url| {
            let (client, permits) = (client.clone(), permits.clone());
            evloop::spawn(async move {
                let _permit = permits.acquire().await?;
                let response = client.get(&url).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                Ok(Fetched { url, status, body })
            })
        })
        .collect();
    evloop::gather_all(tasks)
        .await
        .into_iter()
        .map(|joined| joined.unwrap_or_else(|e| Err(e.to_string().into())))
        .collect()
}
