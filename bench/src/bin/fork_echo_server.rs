//! The process-per-client server of the harness's `server_models` workload, with no
//! runtime: the accept loop `fork`s a child for each connection, which echoes it
//! (blocking `read` then `write_all`, a 4 KiB buffer, `TCP_NODELAY`) and exits. The
//! model of the classic forking server (inetd, Apache's prefork, Python's
//! `socketserver.ForkingTCPServer`): each client is isolated in its own process, at the
//! price of a process (page tables, a kernel task, copied-on-write memory) per client.
//!
//! `SIGCHLD` is ignored, so the kernel reaps the children itself (no zombies).
//!
//! ```text
//! cargo run --release -p evloop-bench --bin fork_echo_server -- --port 7883
//! ```

mod common;

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Echoes one connection until EOF or an error.
fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        if stream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

/// The child's life: close the listener, serve the one connection, exit.
fn child(listener: TcpListener, stream: TcpStream) -> ! {
    drop(listener);
    echo(stream);
    // SAFETY: _exit ends this process at once; nothing of the parent's state (its
    // buffered stdout, say) is flushed or torn down a second time.
    unsafe { libc::_exit(0) }
}

fn main() {
    let port = common::args("fork_echo_server [--port N]", &[], None).port;
    common::raise_fd_limit();
    // SAFETY: SIG_IGN is a valid disposition for SIGCHLD: the kernel then reaps exited
    // children itself.
    unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) };
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    common::listen_backlog(&listener).expect("listen");
    common::announce(listener.local_addr().expect("local_addr"));
    loop {
        match listener.accept() {
            // SAFETY: this process runs one thread, so the child's copy of its memory
            // holds no lock or state half-changed by another thread; the child never
            // returns into this loop (`child` ends with `_exit`).
            Ok((stream, _)) => match unsafe { libc::fork() } {
                0 => child(listener, stream),
                -1 => eprintln!("fork: {}", io::Error::last_os_error()),
                _ => drop(stream), // the child has its own copy of the fd
            },
            Err(e) => {
                eprintln!("accept: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
