//! Crates of the Rust async ecosystem on evloop, tested against real peers: the tests are
//! in `eco/tests/`, one file per crate or family. This package has no code of its own
//! and is not published; it keeps heavy test dependencies (tokio-util, rustls and rcgen,
//! tokio-postgres, axum) out of the workspace's default test run. Its `examples/` run the
//! same crates as programs (`https`, `postgres`, `axum`); `examples/shared/` holds what
//! the examples and the tests share.
//!
//! | file | what runs on evloop |
//! |---|---|
//! | `tests/tokio_util_codec.rs` | tokio-util's `Framed`, `FramedRead`, `FramedWrite` with `LinesCodec` and `LengthDelimitedCodec`, through the `tokio-io` feature |
//! | `tests/tokio_io_traits.rs` | tokio's `AsyncReadExt`/`AsyncWriteExt` on `TcpStream` and its halves |
//! | `tests/tls.rs` | rustls (the `ring` provider) through futures-rustls: evloop's HTTPS server, `evloop::hyper::Client` over https, curl and OpenSSL's `s_server` as peers, and handshakes that fail cleanly (rcgen certificates) |
//! | `tests/postgres.rs` | tokio-postgres' `connect_raw` over `TcpStream` (`tokio-io`) against a real PostgreSQL started by the test: transactions, prepared statements, server errors |
//! | `tests/axum.rs` | an axum `Router` served by hyper through evloop-hyper, answering curl and `evloop::hyper::Client` |
//! | `tests/tokio_runtime_needed.rs` | what does *not* run: `tokio::spawn` and tokio's timers, and the panic they give |
