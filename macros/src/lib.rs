//! evloop's attribute macros: [`#[evloop::main]`](macro@main) and
//! [`#[evloop::test]`](macro@test).
//!
//! They are the front door of ARCHITECTURE.md's loop: each turns an `async fn` into a plain
//! `fn` that builds an `evloop::Runtime` (with the options given in the attribute) and
//! runs the body on it with `block_on`, the way `asyncio.run(main())` starts a Python
//! program. Users reach them through the facade as `evloop::main` and `evloop::test`;
//! the expansions name `::evloop`, so the facade must be a dependency.
//!
//! The layout: `options.rs` reads the attribute's `key = value` options, `expand.rs`
//! checks the function and writes the expansion.

mod expand;
mod options;

use proc_macro::TokenStream;

use expand::Kind;

/// Runs an `async fn main` on an evloop runtime, like `asyncio.run(main())`.
///
/// ```
/// #[evloop::main]
/// async fn main() {
///     let answer = evloop::spawn(async { 6 * 7 }).await.unwrap();
///     assert_eq!(answer, 42);
/// }
/// ```
///
/// expands to (roughly)
///
/// ```text
/// fn main() {
///     async fn body() {
///         let answer = evloop::spawn(async { 6 * 7 }).await.unwrap();
///         assert_eq!(answer, 42);
///     }
///     evloop::Builder::new().build().expect("...").block_on(body())
/// }
/// ```
///
/// The function keeps its return type, so `main` may return a `Result` and use `?`:
///
/// ```
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> {
///     let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await?;
///     assert!(listener.local_addr()?.port() > 0);
///     Ok(())
/// }
/// ```
///
/// # Options
///
/// Each option calls the [`Builder`](../evloop/struct.Builder.html) method of the same
/// name:
///
/// | option | example | like asyncio's |
/// |---|---|---|
/// | `debug = bool` | `#[evloop::main(debug = true)]` | `asyncio.run(main(), debug=True)` |
/// | `slow_poll_threshold_ms = int` | `#[evloop::main(debug = true, slow_poll_threshold_ms = 20)]` | `loop.slow_callback_duration` |
/// | `event_interval = int` | `#[evloop::main(event_interval = 32)]` | — |
/// | `max_blocking_threads = int` | `#[evloop::main(max_blocking_threads = 8)]` | the default executor's `max_workers` |
/// | `timer_slack = bool` | `#[evloop::main(timer_slack = false)]` | — |
/// | `start_paused = bool` | `#[evloop::test(start_paused = true)]` | a mocked `loop.time()` |
///
/// `start_paused = true` is not a `Builder` method: it calls `evloop::time::pause()` before
/// the body, so the loop's clock stands still and jumps from timer to timer (see
/// `evloop::time::pause`); it is meant for tests.
///
/// ```
/// #[evloop::main(debug = true, max_blocking_threads = 2)]
/// async fn main() {
///     let sum = evloop::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap();
///     assert_eq!(sum, 55);
/// }
/// ```
///
/// # Errors
///
/// The function must be an `async fn` without parameters or generics:
///
/// ```compile_fail
/// #[evloop::main] // error: #[evloop::main] needs an `async fn`
/// fn main() {}
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a fresh evloop runtime: the test's own loop, built and
/// dropped around it, so tests never share tasks, timers or sockets.
///
/// ```
/// # // Doctests cannot run `#[test]`s; this shows the shape of one.
/// use std::time::Duration;
/// use evloop::time::{sleep, Instant};
///
/// #[evloop::test]
/// async fn a_task_sees_what_another_sent() {
///     let (tx, rx) = evloop::sync::oneshot::channel();
///     evloop::spawn(async move { tx.send(42) });
///     assert_eq!(rx.await, Ok(42));
/// }
///
/// // With the clock paused, timers fire in order and at exact instants, in no real time.
/// #[evloop::test(start_paused = true)]
/// async fn sleeps_overlap() {
///     let start = Instant::now();
///     let nap = || sleep(Duration::from_secs(20));
///     evloop::gather!(nap(), nap()).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(20)); // not 40: they overlap
/// }
/// # fn main() {}
/// ```
///
/// It takes the same options as [`#[evloop::main]`](macro@main)
/// (`#[evloop::test(debug = true)]`), keeps the return type (a test may return a
/// `Result`) and the other attributes (`#[should_panic]`, `#[ignore]`). It adds `#[test]`
/// itself; writing both is an error.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Test, args.into(), item.into()).into()
}
