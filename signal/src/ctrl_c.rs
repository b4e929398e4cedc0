//! [`ctrl_c`]: wait for one Ctrl-C (`SIGINT`).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::kind::SignalKind;
use crate::stream::{signal, Signal};

/// Completes on the next Ctrl-C (`SIGINT`) after this call; the asyncio way of doing
/// this is catching `KeyboardInterrupt` around `asyncio.run`, or
/// `loop.add_signal_handler(signal.SIGINT, ...)`.
///
/// Listening starts when `ctrl_c()` is called, not when the future is first polled: a
/// Ctrl-C that arrives in between is not missed. The first call installs evloop's
/// `SIGINT` handler for the rest of the process (see [`signal`](crate::signal())), so
/// from then on Ctrl-C no longer ends the program by itself: the program decides.
///
/// ```no_run
/// use evloop::signal::ctrl_c;
///
/// evloop::run(async {
///     let stop = ctrl_c();
///     println!("running; press Ctrl-C to stop");
///     stop.await?;
///     println!("shutting down");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The future yields the error [`signal`](crate::signal()) gave, e.g.
/// [`io::ErrorKind::Other`] when `ctrl_c()` was called outside a running loop.
#[track_caller]
pub fn ctrl_c() -> CtrlC {
    CtrlC {
        signal: signal(SignalKind::interrupt()).map_err(Some),
    }
}

/// The future of [`ctrl_c`]: `Ok(())` on the next `SIGINT`.
///
/// ```
/// use evloop::signal::{ctrl_c, raise, SignalKind};
///
/// evloop::run(async {
///     let stop: evloop::signal::CtrlC = ctrl_c(); // listening from here on
///     raise(SignalKind::interrupt())?; // what pressing Ctrl-C in the terminal does
///     stop.await?; // completes: the SIGINT arrived after ctrl_c() was called
///     Ok::<(), std::io::Error>(())
/// })?;
/// // Outside a loop the future reports the error instead:
/// let outside = ctrl_c();
/// let err = evloop::run(outside).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::Other);
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct CtrlC {
    /// The `SIGINT` stream, or the error that making it gave (taken by the first poll).
    signal: Result<Signal, Option<io::Error>>,
}

impl Future for CtrlC {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.signal {
            Ok(signal) => signal.poll_recv(cx).map(|delivery| {
                delivery.ok_or_else(|| {
                    io::Error::other("evloop::signal: reading the signal pipe failed")
                })
            }),
            Err(err) => Poll::Ready(Err(err
                .take()
                .expect("CtrlC polled again after it returned its error"))),
        }
    }
}

impl fmt::Debug for CtrlC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtrlC")
            .field("signal", &self.signal)
            .finish()
    }
}
