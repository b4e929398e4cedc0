//! Helpers the eco tests share (each test file that needs them says `mod common;`).
#![allow(dead_code)] // each test crate uses its own subset

use std::any::Any;
use std::future::Future;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// Runs `test` on a fresh evloop loop, failing (instead of hanging) if it takes over 20 s.
pub fn run_bounded<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        timeout(Duration::from_secs(20), test)
            .await
            .expect("the test did not finish within 20 s (a hang?)")
    })
}

/// A connected (client, server) pair on 127.0.0.1.
pub async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// Fails the test if a tokio runtime is reachable from here: what runs must run on
/// evloop alone.
pub fn assert_no_tokio_runtime() {
    assert!(
        tokio::runtime::Handle::try_current().is_err(),
        "a tokio runtime is running: the test would not show that evloop alone suffices"
    );
}

/// The message of a panic payload (a literal or a formatted string).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .expect("a panic with a message")
}
