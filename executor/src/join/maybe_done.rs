//! `MaybeDone`: a future that keeps its output once it has finished, so a join can poll
//! many futures and collect all outputs at the end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

pin_project! {
    /// A child of a join: still running, finished with its output, or emptied.
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    #[doc(hidden)]
    pub enum MaybeDone<F: Future> {
        /// Still running.
        Pending { #[pin] future: F },
        /// Finished; holds the output until the join takes it.
        Done { output: F::Output },
        /// The output was taken.
        Taken,
    }
}

impl<F: Future> MaybeDone<F> {
    /// Wraps a future that has not been polled yet.
    pub fn new(future: F) -> MaybeDone<F> {
        MaybeDone::Pending { future }
    }

    /// Polls the future if it still runs; `true` once it has finished.
    pub fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        match self.as_mut().project() {
            MaybeDoneProj::Pending { future } => match future.poll(cx) {
                Poll::Ready(output) => {
                    self.project_replace(MaybeDone::Done { output });
                    true
                }
                Poll::Pending => false,
            },
            MaybeDoneProj::Done { .. } => true,
            MaybeDoneProj::Taken => true,
        }
    }

    /// Takes the output of a finished future.
    ///
    /// # Panics
    /// If the future has not finished or its output was already taken.
    pub fn take_output(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Taken) {
            MaybeDoneReplace::Done { output } => output,
            _ => panic!("evloop join: output taken before the future finished"),
        }
    }
}

impl<F, T, E> MaybeDone<F>
where
    F: Future<Output = Result<T, E>>,
{
    /// Takes the error of a future that finished with `Err`, leaving `Ok` outputs alone.
    pub fn take_err(mut self: Pin<&mut Self>) -> Option<E> {
        if !matches!(
            self.as_mut().project(),
            MaybeDoneProj::Done { output: Err(_) }
        ) {
            return None;
        }
        match self.project_replace(MaybeDone::Taken) {
            MaybeDoneReplace::Done { output: Err(err) } => Some(err),
            _ => unreachable!("checked just above"),
        }
    }

    /// Takes the `Ok` value of a finished future (after `take_err` found no error).
    ///
    /// # Panics
    /// If the future has not finished, its output was taken, or it is an `Err`.
    pub fn take_ok(self: Pin<&mut Self>) -> T {
        match self.take_output() {
            Ok(value) => value,
            Err(_) => panic!("evloop try_gather: error output taken as a value"),
        }
    }
}
