//! What the `tokio-io` feature does *not* cover: code that calls `tokio::spawn` or uses
//! tokio's timers needs tokio's runtime, and on evloop alone it panics with tokio's
//! message (quoted in the README's "Crates on evloop" table and evloop-net's docs).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use common::panic_text;

/// tokio's message when its runtime is missing.
const NO_TOKIO_RUNTIME: &str =
    "there is no reactor running, must be called from the context of a Tokio 1.x runtime";

/// Runs `body` inside `evloop::run` and returns its panic message.
fn panic_on_evloop(body: impl FnOnce() + 'static) -> String {
    let payload = catch_unwind(AssertUnwindSafe(|| evloop::run(async move { body() })))
        .expect_err("tokio ran without its runtime");
    panic_text(&*payload)
}

#[test]
fn tokio_spawn_on_evloop_alone_panics_with_tokios_message() {
    let text = panic_on_evloop(|| {
        drop(tokio::spawn(async {}));
    });
    assert_eq!(text, NO_TOKIO_RUNTIME);
}

#[test]
fn tokio_sleep_on_evloop_alone_panics_with_tokios_message() {
    let text = panic_on_evloop(|| {
        drop(tokio::time::sleep(Duration::from_millis(1)));
    });
    assert_eq!(text, NO_TOKIO_RUNTIME);
}
