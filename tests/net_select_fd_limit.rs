//! C10K's counterpart on the select backend: `select` watches fds below 1024 only
//! (`FD_SETSIZE`), so a select loop cannot hold 10,000 connections. Instead it must refuse
//! the one connection too many clearly, and keep serving the others.
//!
//! A binary of its own, so that no other test allocates fds while this one counts them.
//! It builds its runtime with `Builder::backend(Backend::Select)`, so it runs whatever
//! `EVLOOP_BACKEND` says. Bounded (60 s).

use std::io::{Read, Write};
use std::net::TcpStream as StdStream;
use std::time::Duration;

use evloop::net::TcpListener;
use evloop::time::timeout;
use evloop::Backend;

/// The bound on the whole test.
const LIMIT: Duration = Duration::from_secs(60);

/// Raises the soft `RLIMIT_NOFILE` to the hard limit: the test needs over 1,024 fds.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: `lim` is a valid `rlimit`; raising the soft limit to the hard one is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
    assert!(
        lim.rlim_cur > 1_100,
        "the fd hard limit {} is too low",
        lim.rlim_cur
    );
}

/// The fd number an error message names (`... fd N, ...`).
fn fd_named_in(text: &str) -> u32 {
    let after = text
        .split("fd ")
        .nth(1)
        .unwrap_or_else(|| panic!("no fd in {text:?}"));
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no fd number in {text:?}"))
}

/// The server accepts while std clients connect (blocking, never registered: their
/// connects complete in the listener's backlog), until an accepted socket's fd is past
/// 1023. That accept fails with `InvalidInput` naming the fd, the limit and
/// `Backend::Epoll`, and closes the socket (its client sees the connection end); the
/// connections below the limit keep echoing, and once some close, the listener accepts
/// again.
#[test]
fn select_refuses_the_fd_past_fd_setsize_and_serves_the_others() {
    raise_fd_limit();
    let runtime = evloop::Runtime::builder()
        .backend(Backend::Select)
        .build()
        .unwrap();
    assert_eq!(runtime.backend(), Backend::Select);
    runtime.block_on(async {
        timeout(LIMIT, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut clients = Vec::new();
            let mut served = Vec::new();
            let refusal = loop {
                clients.push(StdStream::connect(addr).expect("connect"));
                match listener.accept().await {
                    Ok((stream, _)) => served.push(stream),
                    Err(e) => break e,
                }
                assert!(served.len() < 1024, "select accepted fds past 1023");
            };
            assert_eq!(
                refusal.kind(),
                std::io::ErrorKind::InvalidInput,
                "{refusal}"
            );
            let text = refusal.to_string();
            assert!(fd_named_in(&text) >= 1024, "{text}");
            assert!(
                text.contains("(1024)") && text.contains("Backend::Epoll"),
                "{text}"
            );
            assert!(served.len() > 400, "only {} served", served.len());
            println!("select: {} connections served, then: {text}", served.len());

            // The refused connection was closed: its client reads the end of it.
            let refused = clients.last_mut().unwrap();
            refused
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let end = refused.read(&mut [0u8; 1]);
            assert!(
                matches!(end, Ok(0)) || end.is_err(),
                "the refused connection is still open: {end:?}"
            );

            // Those below the limit still echo.
            for (i, (client, stream)) in clients.iter_mut().zip(&mut served).enumerate() {
                let msg = (i as u64).to_le_bytes();
                client.write_all(&msg).unwrap();
                let mut got = [0u8; 8];
                stream.read_exact(&mut got).await.unwrap();
                stream.write_all(&got).await.unwrap();
                client.read_exact(&mut got).unwrap();
                assert_eq!(got, msg, "connection {i}");
            }

            // Room again below 1024: the listener accepts the next connection.
            served.truncate(served.len() - 10);
            clients.push(StdStream::connect(addr).expect("connect"));
            let (again, _) = listener
                .accept()
                .await
                .expect("accept after fds were freed");
            drop(again);
        })
        .await
        .expect("the select refusal test did not finish in time");
    });
}
