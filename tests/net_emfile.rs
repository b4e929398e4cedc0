//! `accept` at the fd limit returns `EMFILE` instead of spinning, and the listener keeps
//! working once fds free up.
//!
//! This binary holds this one test only, so lowering the process's `RLIMIT_NOFILE`
//! cannot disturb any other test.

use std::os::fd::AsRawFd;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// Sets the soft `RLIMIT_NOFILE` and returns the previous limits.
fn set_soft_fd_limit(soft: libc::rlim_t) -> libc::rlimit {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `old` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) }, 0);
    let new = libc::rlimit {
        rlim_cur: soft,
        rlim_max: old.rlim_max,
    };
    // SAFETY: `new` is a valid `rlimit` whose hard limit is unchanged.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) }, 0);
    old
}

#[test]
fn accept_at_the_fd_limit_returns_emfile_and_serving_goes_on() {
    evloop::run(async {
        timeout(Duration::from_secs(10), async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();

            // The lowest free fd number: below it every fd is taken. With the soft limit
            // set to it, the next fd the process asks for is refused with EMFILE.
            // SAFETY: duplicating an fd we own; the copy is closed right after.
            let lowest_free = unsafe { libc::dup(listener.as_raw_fd()) };
            assert!(lowest_free >= 0);
            // SAFETY: `lowest_free` is the fd `dup` just gave us, closed once.
            unsafe { libc::close(lowest_free) };
            let old = set_soft_fd_limit(lowest_free as libc::rlim_t);
            let refused = listener.accept().await;
            set_soft_fd_limit(old.rlim_cur);

            let err = refused.expect_err("accept succeeded beyond the fd limit");
            assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
            // The connection waited in the queue; now that fds are available, it comes.
            let (_conn, peer) = listener.accept().await.unwrap();
            assert_eq!(peer, client.local_addr().unwrap());
        })
        .await
        .expect("the test took over 10 s");
    });
}
