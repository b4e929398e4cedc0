//! `gather!` and `try_gather!`: run a fixed set of futures concurrently inside the
//! caller's task.
//!
//! Each future's expression is evaluated where the macro stands; the macro yields one
//! future that polls them all (no task is spawned) and finishes when every one has.
//! The recursion in `__gather_impl` gives each future its own hidden local: identifiers a
//! `macro_rules!` expansion creates are distinct per expansion step (hygiene).

/// Runs futures concurrently and waits for all of them, like `asyncio.gather`: the
/// outputs come back as a tuple, in argument order.
///
/// The futures run inside the calling task (no `spawn`): they make progress while the
/// `gather!` future is awaited, and are dropped with it.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{sleep, Instant};
/// evloop::run(async {
///     evloop::time::pause(); // exact timings: the clock moves only from timer to timer
///     let start = Instant::now();
///     let (a, b) = evloop::gather!(
///         async { sleep(Duration::from_millis(20)).await; "a" },
///         async { sleep(Duration::from_millis(20)).await; 2 },
///     )
///     .await;
///     assert_eq!((a, b), ("a", 2));
///     assert_eq!(start.elapsed(), Duration::from_millis(20)); // concurrent, not 40 ms
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_impl!(@ok [] $($future,)+)
    };
}

/// Like [`gather!`] for futures that return `Result<_, E>` with one error type: the
/// first `Err` is returned at once and the other futures are dropped; if all succeed,
/// the `Ok` values come back as a tuple.
///
/// ```
/// evloop::run(async {
///     let ok: Result<(i32, &str), String> =
///         evloop::try_gather!(async { Ok(1) }, async { Ok("two") }).await;
///     assert_eq!(ok, Ok((1, "two")));
///     let err: Result<(i32, i32), String> =
///         evloop::try_gather!(async { Ok(1) }, async { Err("bad".to_string()) }).await;
///     assert_eq!(err, Err("bad".to_string()));
/// });
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_impl!(@try [] $($future,)+)
    };
}

/// The expansion behind `gather!` and `try_gather!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_impl {
    (@$mode:ident [$($acc:tt)*] $head:expr, $($rest:expr,)*) => {
        $crate::__gather_impl!(@$mode [$($acc)* (child $head)] $($rest,)*)
    };
    (@ok [$(($child:ident $future:expr))*]) => {{
        $( let $child = $crate::__private::MaybeDone::new(
            ::core::future::IntoFuture::into_future($future)); )*
        async move {
            $( let mut $child = ::core::pin::pin!($child); )*
            ::core::future::poll_fn(move |cx| {
                let mut done = true;
                $( done &= $child.as_mut().poll_done(cx); )*
                if !done {
                    return ::core::task::Poll::Pending;
                }
                ::core::task::Poll::Ready(($( $child.as_mut().take_output(), )*))
            })
            .await
        }
    }};
    (@try [$(($child:ident $future:expr))*]) => {{
        $( let $child = $crate::__private::MaybeDone::new(
            ::core::future::IntoFuture::into_future($future)); )*
        async move {
            $( let mut $child = ::core::pin::pin!($child); )*
            ::core::future::poll_fn(move |cx| {
                let mut done = true;
                $(
                    done &= $child.as_mut().poll_done(cx);
                    if let ::core::option::Option::Some(err) = $child.as_mut().take_err() {
                        return ::core::task::Poll::Ready(::core::result::Result::Err(err));
                    }
                )*
                if !done {
                    return ::core::task::Poll::Pending;
                }
                ::core::task::Poll::Ready(::core::result::Result::Ok(($( $child.as_mut().take_ok(), )*)))
            })
            .await
        }
    }};
}
