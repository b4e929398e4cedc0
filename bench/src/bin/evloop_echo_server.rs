//! evloop's echo server for the harness's `echo` workload: the logic of
//! `examples/echo_server.rs` (one task per connection, a 4 KiB buffer, read then
//! `write_all`, `TCP_NODELAY`).
//!
//! With `--loops N` it runs the thread-per-core shape of `examples/per_core_echo.rs`
//! instead: `evloop::run_per_core(N)`, each loop with its own `SO_REUSEPORT` listener
//! (`net::TcpSocket`) on the one port, so the kernel spreads the connections and the loops
//! share nothing. `run_per_core` pins loop `i` to the `i`-th CPU the process may run on;
//! with `--unpinned` the N loops run on plain threads (a `Runtime` each) that the
//! scheduler places, for a machine whose cores the load generator shares.
//!
//! With `--debug` the loop runs in debug mode (`Builder::debug(true)`), for the
//! `debug_cost` workload's CPU per message.
//!
//! ```text
//! cargo run --release -p evloop-bench --bin evloop_echo_server -- --port 7878 [--loops N [--unpinned]] [--debug]
//! ```

mod common;

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use evloop::net::{TcpListener, TcpSocket, TcpStream};
use evloop::sync::shared::Semaphore;

/// Echoes one connection until EOF or an error.
async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}

/// Accepts forever, one task per connection on this loop.
async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => drop(evloop::spawn(echo(stream))),
            Err(e) => {
                eprintln!("accept: {e}");
                evloop::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

fn main() {
    let args = common::args(
        "evloop_echo_server [--port N] [--loops N [--unpinned]] [--debug]",
        &["--debug", "--unpinned"],
        Some("--loops"),
    );
    common::raise_fd_limit();
    let debug = args.switches.iter().any(|s| s == "--debug");
    let pinned = !args.switches.iter().any(|s| s == "--unpinned");
    match args.count {
        None => evloop::Runtime::builder()
            .debug(debug)
            .build()
            .expect("runtime")
            .block_on(async move {
                let listener = TcpListener::bind(("127.0.0.1", args.port))
                    .await
                    .expect("bind");
                common::listen_backlog(&listener).expect("listen");
                common::announce(listener.local_addr().expect("local_addr"));
                serve(listener).await
            }),
        Some(loops) => serve_per_core(loops, args.port, pinned),
    }
}

/// What the loops of `serve_per_core` share while they bind.
struct Binding {
    /// The port every loop binds: loop 0's, once it has bound (it may have asked for 0).
    port: AtomicU16,
    /// One permit per other loop, added once `port` is loop 0's.
    port_known: Semaphore,
    /// One permit per other loop that has bound its listener.
    bound: Semaphore,
}

/// Serves on `loops` loops (`run_per_core` if `pinned`, else a plain thread and `Runtime`
/// each), each with its own `SO_REUSEPORT` listener on the same port; announces the
/// address once every loop listens, so that the kernel spreads even the first
/// connections over all of them.
fn serve_per_core(loops: usize, port: u16, pinned: bool) {
    let binding = Arc::new(Binding {
        port: AtomicU16::new(port),
        port_known: Semaphore::new(0),
        bound: Semaphore::new(0),
    });
    let serve_loop = move |index| {
        let binding = binding.clone();
        async move {
            if index > 0 {
                binding.port_known.acquire().await.expect("open").forget();
            }
            let listener = reuseport_listener(binding.port.load(Ordering::SeqCst))
                .unwrap_or_else(|e| panic!("loop {index}: binding the listener: {e}"));
            if index == 0 {
                let addr = listener.local_addr().expect("local_addr");
                binding.port.store(addr.port(), Ordering::SeqCst);
                binding.port_known.add_permits(loops - 1);
                if loops > 1 {
                    let others = binding.bound.acquire_many(loops - 1).await;
                    others.expect("open").forget();
                }
                common::announce(addr);
            } else {
                binding.bound.add_permits(1);
            }
            serve(listener).await
        }
    };
    if pinned {
        evloop::run_per_core(loops, serve_loop);
        return;
    }
    let serve_loop = Arc::new(serve_loop);
    let threads: Vec<_> = (0..loops)
        .map(|index| {
            let serve_loop = serve_loop.clone();
            std::thread::spawn(move || {
                evloop::Runtime::new()
                    .expect("runtime")
                    .block_on(serve_loop(index))
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a loop's thread panicked");
    }
}

/// A listener on `127.0.0.1:port` that other sockets may share (`SO_REUSEPORT`), with
/// the same accept backlog as every echo server.
fn reuseport_listener(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(([127, 0, 0, 1], port).into())?;
    socket.listen(4096)
}
