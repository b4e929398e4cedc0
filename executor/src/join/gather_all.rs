//! `gather_all` and `try_gather_all`: join any number of futures, keeping input order.

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::maybe_done::MaybeDone;
use super::wake_list::WakeList;

/// Waits for every future of `iter` concurrently, inside the caller's task, and returns
/// their outputs in input order: `asyncio.gather(*aws)`.
///
/// Only the futures that were woken are polled again, so gathering 100,000
/// `JoinHandle`s costs O(n), not O(n²).
///
/// ```
/// evloop::run(async {
///     let handles: Vec<_> = (0..5).map(|i| evloop::spawn(async move { i * i })).collect();
///     let squares: Vec<i32> = evloop::gather_all(handles)
///         .await
///         .into_iter()
///         .map(Result::unwrap)
///         .collect();
///     assert_eq!(squares, [0, 1, 4, 9, 16]);
/// });
/// ```
pub fn gather_all<I>(iter: I) -> GatherAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    GatherAll {
        children: Children::new(iter),
    }
}

/// Like [`gather_all`] for futures returning `Result<T, E>`: the first `Err` is returned
/// at once and the remaining futures are dropped; otherwise all `Ok` values, in order.
///
/// ```
/// evloop::run(async {
///     let all: Result<Vec<u32>, String> =
///         evloop::try_gather_all((1..=3).map(|i| async move { Ok(i) })).await;
///     assert_eq!(all, Ok(vec![1, 2, 3]));
///     let first_err: Result<Vec<u32>, String> = evloop::try_gather_all(
///         (1..=3).map(|i| async move { if i == 2 { Err(format!("no {i}")) } else { Ok(i) } }),
///     )
///     .await;
///     assert_eq!(first_err, Err("no 2".to_string()));
/// });
/// ```
pub fn try_gather_all<I, T, E>(iter: I) -> TryGatherAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    TryGatherAll {
        children: Children::new(iter),
    }
}

/// The future of [`gather_all`]: a `Vec` of the outputs, in input order.
///
/// It polls its futures inside the task that awaits it; nothing is spawned. It can be
/// named in a struct or a type alias:
///
/// ```
/// use std::future::Ready;
/// use evloop::GatherAll;
/// let all: GatherAll<Ready<u8>> = evloop::gather_all([1, 2, 3].map(std::future::ready));
/// assert_eq!(evloop::run(all), [1, 2, 3]);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct GatherAll<F: Future> {
    /// The futures and their wakers.
    children: Children<F>,
}

/// The future of [`try_gather_all`]: `Ok` with a `Vec` of the values in input order, or
/// the first `Err`.
///
/// ```
/// use std::future::Ready;
/// use evloop::TryGatherAll;
/// let all: TryGatherAll<Ready<Result<u8, &str>>> =
///     evloop::try_gather_all([Ok(1), Err("two"), Ok(3)].map(std::future::ready));
/// assert_eq!(evloop::run(all), Err("two"));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TryGatherAll<F: Future> {
    /// The futures and their wakers.
    children: Children<F>,
}

/// The engine both joins share: the children pinned in one boxed slice, a `WakeList`
/// for their wakers, and a reusable buffer of woken indices.
struct Children<F: Future> {
    /// The futures; a boxed slice never moves its elements, which is what pins them.
    futures: Pin<Box<[MaybeDone<F>]>>,
    /// One waker per child, and the list of those woken.
    wakes: Arc<WakeList>,
    /// Reused buffer for the indices to poll this time.
    woken: Vec<u32>,
    /// Children not finished yet.
    pending: usize,
}

impl<F: Future> Children<F> {
    /// Collects the futures.
    fn new<I>(iter: I) -> Children<F>
    where
        I: IntoIterator,
        I::Item: IntoFuture<IntoFuture = F>,
    {
        let futures: Box<[MaybeDone<F>]> = iter
            .into_iter()
            .map(|f| MaybeDone::new(f.into_future()))
            .collect();
        let pending = futures.len();
        Children {
            wakes: WakeList::new(pending),
            futures: Box::into_pin(futures),
            woken: Vec::new(),
            pending,
        }
    }

    /// Polls the woken children. `check` looks at each child that just finished and may
    /// stop the join with an error. Ready(Ok) once every child has finished.
    fn poll_woken<E>(
        &mut self,
        cx: &mut Context<'_>,
        mut check: impl FnMut(Pin<&mut MaybeDone<F>>) -> Option<E>,
    ) -> Poll<Result<(), E>> {
        if self.pending == 0 {
            return Poll::Ready(Ok(()));
        }
        self.wakes.set_parent(cx.waker());
        let mut woken = std::mem::take(&mut self.woken);
        self.wakes.take_ready(&mut woken);
        for i in woken.drain(..) {
            let waker = ManuallyDrop::new(self.wakes.child_waker(i));
            let mut child_cx = Context::from_waker(&waker);
            let mut child = self.child(i as usize);
            if matches!(&*child, MaybeDone::Pending { .. })
                && child.as_mut().poll_done(&mut child_cx)
            {
                let err = check(child);
                self.pending -= 1;
                if let Some(err) = err {
                    return Poll::Ready(Err(err));
                }
            }
        }
        self.woken = woken;
        if self.pending == 0 {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    /// Child `i`, pinned.
    fn child(&mut self, i: usize) -> Pin<&mut MaybeDone<F>> {
        // SAFETY: projecting a pinned boxed slice to one element: elements are never moved
        // out of the box while it lives.
        unsafe { self.futures.as_mut().map_unchecked_mut(|s| &mut s[i]) }
    }

    /// Takes every output in input order (after all finished).
    fn take_all<T>(&mut self, mut take: impl FnMut(Pin<&mut MaybeDone<F>>) -> T) -> Vec<T> {
        (0..self.futures.len())
            .map(|i| take(self.child(i)))
            .collect()
    }
}

impl<F: Future> Future for GatherAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let children = &mut self.children;
        match children.poll_woken(cx, |_| None::<Infallible>) {
            Poll::Ready(Ok(())) => Poll::Ready(children.take_all(MaybeDone::take_output)),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F, T, E> Future for TryGatherAll<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let children = &mut self.children;
        match children.poll_woken(cx, MaybeDone::take_err) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(children.take_all(MaybeDone::take_ok))),
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

// `Children` holds its futures in a pinned box and never hands out `&mut` to them
// unpinned, so the join futures themselves may move freely.
impl<F: Future> Unpin for GatherAll<F> {}
impl<F: Future> Unpin for TryGatherAll<F> {}
