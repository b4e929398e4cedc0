//! `select!`: wait on several futures of different types, run the branch of the first to
//! complete, drop the rest.
//!
//! The macro is `macro_rules!` in three stages, each a hidden macro below:
//!
//! 1. `__select_parse!` reads the branches one by one (`pattern = future, if cond =>
//!    body`, an optional `else => body`) into a uniform list. It collects a pattern's
//!    tokens up to the `=` one token at a time, so that stage 3 can rewrite them.
//! 2. `__select_expand!` gives each branch its own hidden locals (the future, its output
//!    slot, its enabled flag): an identifier a `macro_rules!` expansion writes is distinct
//!    in each recursion step (hygiene), as in `gather!`.
//! 3. The expansion polls the enabled futures, starting at a pseudo-random branch (or the
//!    first, with `biased;`). A finished future's output is checked against its pattern
//!    *by reference*, so a value that does not match can be dropped and the branch
//!    disabled; `__select_clean!` strips `mut` and `ref` from the pattern for that check
//!    (a `mut x` binding cannot bind through a reference). The output that matches goes to
//!    its slot, the futures are dropped, and then the body runs, outside any loop or
//!    closure of the macro: `break`, `continue`, `return`, `?` and `.await` in a body act
//!    on the caller's code.

use std::cell::Cell;

/// Waits on several futures at once and runs the branch of the first to complete; the
/// other futures are dropped (cancelled) before that branch's body runs. Like asyncio's
/// `asyncio.wait(..., return_when=FIRST_COMPLETED)` followed by cancelling the rest, in
/// tokio's `select!` shape. Unlike [`race`](crate::race), the futures may have different
/// output types.
///
/// ```text
/// evloop::select! {
///     biased;                                        // optional: poll in the order written
///     <pattern> = <future> (, if <condition>)? => <body>,
///     ...
///     else => <body>,                                // optional
/// }
/// ```
///
/// It must be used inside `async` code (it awaits), and is an expression: every body
/// gives a value of one type.
///
/// ```
/// use std::time::Duration;
/// use evloop::sync::mpsc;
/// use evloop::time::sleep;
///
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::channel::<&str>(4);
///     evloop::spawn(async move {
///         sleep(Duration::from_millis(10)).await;
///         tx.send("job").await.unwrap();
///     });
///     // Different output types: Option<&str> and ().
///     let got = evloop::select! {
///         Some(job) = rx.recv() => format!("got {job}"),
///         () = sleep(Duration::from_secs(5)) => "timed out".to_string(),
///     };
///     assert_eq!(got, "got job");
/// });
/// ```
///
/// # How one `select!` runs
///
/// 1. Every `if` condition is evaluated; a branch whose condition is `false` is disabled.
/// 2. Every future expression is evaluated (a disabled branch's too: it is just never
///    polled).
/// 3. The enabled futures are polled, each time starting from a branch picked
///    pseudo-randomly (a thread-local generator: no system call), so that a branch that
///    is always ready cannot starve the others. With `biased;` as the first line they
///    are polled in the order written, which lets a shutdown or control branch take
///    priority; then keeping the others from starving is up to the caller.
/// 4. When a future completes, its output is matched against its pattern. If it does
///    not match (a `Some(x)` pattern and a `None`, say), that branch is disabled and the
///    others keep running.
/// 5. When one matches, every future is dropped, then that branch's body runs with the
///    pattern's bindings. If every branch is disabled, the `else` body runs; without an
///    `else`, `select!` panics ("all branches are disabled and there is no else
///    branch").
///
/// The bodies run outside the macro's machinery: `break` and `continue` act on the
/// caller's loop, `return` and `?` on the caller's function.
///
/// ```
/// use evloop::sync::mpsc;
///
/// evloop::run(async {
///     let (tx_a, mut a) = mpsc::unbounded_channel::<u32>();
///     let (tx_b, mut b) = mpsc::unbounded_channel::<&str>();
///     tx_a.send(1).unwrap();
///     tx_b.send("one").unwrap();
///     drop((tx_a, tx_b));
///     let (mut numbers, mut words) = (Vec::new(), Vec::new());
///     // Drain two channels until both are closed: a closed channel's `None` does not
///     // match `Some(..)`, which disables its branch; `else` runs when both are.
///     loop {
///         evloop::select! {
///             Some(n) = a.recv() => numbers.push(n),
///             Some(w) = b.recv() => words.push(w),
///             else => break,
///         }
///     }
///     assert_eq!((numbers, words), (vec![1], vec!["one"]));
/// });
/// ```
///
/// # Cancel safety
///
/// Every branch that loses is dropped in the middle of whatever it was doing, so in a
/// loop the question for each future is: *does dropping it before it completes lose
/// anything?* A future is **cancel-safe** when it does not: selecting on it again later
/// picks up where things were.
///
/// Cancel-safe in evloop:
///
/// - [`time::sleep`](../evloop/time/fn.sleep.html) and `sleep_until`: nothing is lost,
///   but a new `sleep(d)` starts a new `d`. For one deadline across iterations, create
///   the sleep once before the loop and select on `&mut sleep`.
///   [`Interval::tick`](../evloop/time/struct.Interval.html) is cancel-safe too.
/// - `TcpListener::accept`: a connection is only taken in the poll that returns it.
/// - `TcpStream::read` / `write` and the same on `OwnedReadHalf` / `OwnedWriteHalf`:
///   one `recv`/`send` in the poll that returns its count; `UdpSocket::recv`,
///   `recv_from`, `send`, `send_to` likewise (with a literal address: a host name is
///   resolved first, and dropping that only loses the lookup).
/// - `sync::mpsc` `Receiver::recv` (bounded and unbounded, and the `sync::shared`
///   ones): a dropped `recv` loses no message. `Sender::send`: if it is dropped before
///   completing, the message was not sent (it is dropped with the future).
/// - `sync::oneshot::Receiver` awaited by `&mut rx`: the value stays in the channel.
/// - [`JoinHandle`](crate::JoinHandle) awaited by `&mut handle`: the output stays in
///   the task. Passed by value, a losing handle is dropped, which *detaches* the task
///   (it keeps running; its output is then lost).
/// - `sync::Mutex::lock`, `Semaphore::acquire`, `Event::wait`: a dropped waiter leaves
///   the queue, and a lock or permits already handed to it pass on to the next waiter;
///   it does lose its place in the queue.
/// - `signal::Signal::recv`: a delivery is not lost. `signal::ctrl_c()` listens from the
///   moment it is called: create it once before the loop and select on `&mut ctrl_c`.
/// - Streams' `next()`, including `evloop::io::Lines`: a partial line stays inside the
///   `Lines` stream.
/// - `time::timeout(d, f)` is exactly as cancel-safe as `f`. `TcpStream::connect`
///   loses nothing but the attempt (the half-open socket is closed).
///
/// **Not** cancel-safe (dropping one midway loses the bytes it had already moved):
///
/// - `read_exact`, `read_to_end`, `read_to_string` (of `TcpStream`, its halves, or
///   `evloop::io::AsyncReadExt`): bytes already read are lost with the future.
/// - `write_all` (and `AsyncWriteExt::write_all`): the peer may have received part of
///   the buffer, and no one knows how much.
/// - `evloop::io::AsyncBufReadExt::read_line` and `read_until`: the bytes of a partial
///   line were taken from the reader and are thrown away (`read_line`'s `String` gets
///   back only what it held before). Select on `lines.next()` instead, or move the
///   reading into a task of its own and select on a channel it feeds.
///
/// # Traps
///
/// - A future that completes but whose pattern does not match is dropped: its value is
///   gone. Match what you must not lose with a pattern that always matches (`msg =
///   rx.recv() => match msg { ... }`).
/// - `select!` in a loop creates its futures anew every iteration; futures that should
///   live across iterations (a deadline, a long `read_exact`) are made once, pinned
///   (`std::pin::pin!`) before the loop, and selected on by `&mut`.
/// - Each pattern may take a few dozen steps of macro recursion; a `select!` with many
///   branches of long patterns may need a larger `#![recursion_limit = "256"]`.
#[macro_export]
macro_rules! select {
    (biased; $($branches:tt)+) => {
        $crate::__select_parse!(@branches [true] [] [] $($branches)+)
    };
    ($($branches:tt)+) => {
        $crate::__select_parse!(@branches [false] [] [] $($branches)+)
    };
}

/// Stage 1 of `select!`: reads the branches into `[(pattern) (future) (condition)
/// (body)]` items, and the `else` body.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // All branches read.
    (@branches [$biased:tt] [$($done:tt)*] [$($else:tt)*]) => {
        $crate::__select_expand!(@locals [$biased] [$($else)*] [] $($done)*)
    };
    // The `else` branch.
    (@branches [$biased:tt] [$($done:tt)*] [] else => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)*] [$body] $($rest)*)
    };
    (@branches [$biased:tt] [$($done:tt)*] [] else => $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)*] [$body] $($rest)*)
    };
    (@branches [$biased:tt] [$($done:tt)*] [] else => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)*] [$body] $($rest)*)
    };
    (@branches [$biased:tt] [$($done:tt)*] [] else => $body:expr) => {
        $crate::__select_parse!(@branches [$biased] [$($done)*] [$body])
    };
    (@branches [$biased:tt] [$($done:tt)*] [$($else:tt)+] else $($rest:tt)*) => {
        ::core::compile_error!("select! takes at most one `else` branch")
    };
    // A branch: collect its pattern's tokens up to the `=`.
    (@branches [$biased:tt] [$($done:tt)*] [$($else:tt)*] $($rest:tt)+) => {
        $crate::__select_parse!(@pattern [$biased] [$($done)*] [$($else)*] [] $($rest)+)
    };

    // The pattern is complete: the future, and an optional `if` condition.
    (@pattern [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($pat:tt)+]
        = $future:expr, if $cond:expr => $($rest:tt)+) => {
        $crate::__select_parse!(@body [$biased] [$($done)*] [$($else)*]
            [($($pat)+) ($future) ($cond)] $($rest)+)
    };
    (@pattern [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($pat:tt)+]
        = $future:expr => $($rest:tt)+) => {
        $crate::__select_parse!(@body [$biased] [$($done)*] [$($else)*]
            [($($pat)+) ($future) (true)] $($rest)+)
    };
    (@pattern [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($pat:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__select_parse!(@pattern [$biased] [$($done)*] [$($else)*] [$($pat)* $next] $($rest)*)
    };
    (@pattern [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($pat:tt)*]) => {
        ::core::compile_error!(
            "select! expects branches of the form `pattern = future => body` (or `else => body`)"
        )
    };

    // The body: a block (a comma after it is optional) or an expression (a comma after it
    // is required, unless it is the last branch).
    (@body [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($branch:tt)*] $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)* [$($branch)* ($body)]] [$($else)*] $($rest)*)
    };
    (@body [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($branch:tt)*] $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)* [$($branch)* ($body)]] [$($else)*] $($rest)*)
    };
    (@body [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($branch:tt)*] $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@branches [$biased] [$($done)* [$($branch)* ($body)]] [$($else)*] $($rest)*)
    };
    (@body [$biased:tt] [$($done:tt)*] [$($else:tt)*] [$($branch:tt)*] $body:expr) => {
        $crate::__select_parse!(@branches [$biased] [$($done)* [$($branch)* ($body)]] [$($else)*])
    };
}

/// Stages 2 and 3 of `select!`: hidden locals per branch, then the expansion.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_expand {
    // Give the next branch its locals: `future`, `slot` and `enabled` written in this
    // step are distinct from those of every other step.
    (@locals [$biased:tt] [$($else:tt)*] [$($acc:tt)*]
        [($($pat:tt)+) ($init:expr) ($cond:expr) ($($body:tt)+)] $($rest:tt)*) => {
        $crate::__select_expand!(@locals [$biased] [$($else)*]
            [$($acc)* [future slot enabled ($($pat)+) ($init) ($cond) ($($body)+)]] $($rest)*)
    };
    (@locals [$biased:tt] [$($else:tt)*]
        [$([$future:ident $slot:ident $enabled:ident ($($pat:tt)+) ($init:expr) ($cond:expr) ($($body:tt)+)])+]) => {{
        // 1. The conditions, then 2. the futures (all of them, as tokio does).
        $( let mut $enabled: bool = $cond; )+
        $( let mut $slot = ::core::option::Option::None; )+
        {
            $( let mut $future = ::core::pin::pin!(::core::future::IntoFuture::into_future($init)); )+
            let branches: usize = 0 $( + $crate::__select_one!($slot) )+;
            let start: usize = if $biased { 0 } else { $crate::__private::select_start(branches) };
            ::core::future::poll_fn(|cx| {
                // 3. Poll the enabled futures from `start` on, then those before it.
                let mut running = false;
                for from_start in [true, false] {
                    let mut index: usize = 0;
                    $(
                        if $enabled && (index >= start) == from_start {
                            match ::core::future::Future::poll($future.as_mut(), cx) {
                                ::core::task::Poll::Ready(output) => {
                                    // 4. Does the output match the pattern? Checked by
                                    // reference, so a mismatch can be dropped.
                                    #[allow(unused_variables, unreachable_patterns)]
                                    let matched = match &output {
                                        $crate::__select_clean!($($pat)+) => true,
                                        _ => false,
                                    };
                                    if matched {
                                        $slot = ::core::option::Option::Some(output);
                                        return ::core::task::Poll::Ready(());
                                    }
                                    $enabled = false;
                                }
                                ::core::task::Poll::Pending => running = true,
                            }
                        }
                        index += 1;
                    )+
                }
                if running {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(()) // every branch disabled
                }
            })
            .await;
        } // 5. Every future is dropped here, before a body runs.
        $( if let ::core::option::Option::Some($($pat)+) = $slot { $($body)+ } else )+ {
            $crate::__select_else!($($else)*)
        }
    }};
}

/// The `else` body of `select!`, or the panic when there is none.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_else {
    () => {
        ::core::panic!("all branches are disabled and there is no else branch")
    };
    ($($body:tt)+) => {
        $($body)+
    };
}

/// `1usize`, whatever it is given: counts `select!`'s branches.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_one {
    ($($any:tt)*) => {
        1usize
    };
}

/// A `select!` pattern without its `mut` and `ref` keywords, to check a value through a
/// reference (`ref x` and `mut x` would try to bind or move out of it). The tokens are
/// copied one at a time; a bracketed group is entered with the tokens around it pushed
/// on a stack, and closed again when its contents are done.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_clean {
    (@[$($stack:tt)*] [$($out:tt)*] mut $($rest:tt)*) => {
        $crate::__select_clean!(@[$($stack)*] [$($out)*] $($rest)*)
    };
    (@[$($stack:tt)*] [$($out:tt)*] ref $($rest:tt)*) => {
        $crate::__select_clean!(@[$($stack)*] [$($out)*] $($rest)*)
    };
    (@[$($stack:tt)*] [$($out:tt)*] ($($inner:tt)*) $($rest:tt)*) => {
        $crate::__select_clean!(@[(paren [$($out)*] [$($rest)*]) $($stack)*] [] $($inner)*)
    };
    (@[$($stack:tt)*] [$($out:tt)*] [$($inner:tt)*] $($rest:tt)*) => {
        $crate::__select_clean!(@[(bracket [$($out)*] [$($rest)*]) $($stack)*] [] $($inner)*)
    };
    (@[$($stack:tt)*] [$($out:tt)*] {$($inner:tt)*} $($rest:tt)*) => {
        $crate::__select_clean!(@[(brace [$($out)*] [$($rest)*]) $($stack)*] [] $($inner)*)
    };
    (@[$($stack:tt)*] [$($out:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__select_clean!(@[$($stack)*] [$($out)* $next] $($rest)*)
    };
    // A group's contents are done: close it and go on after it.
    (@[(paren [$($before:tt)*] [$($after:tt)*]) $($stack:tt)*] [$($out:tt)*]) => {
        $crate::__select_clean!(@[$($stack)*] [$($before)* ($($out)*)] $($after)*)
    };
    (@[(bracket [$($before:tt)*] [$($after:tt)*]) $($stack:tt)*] [$($out:tt)*]) => {
        $crate::__select_clean!(@[$($stack)*] [$($before)* [$($out)*]] $($after)*)
    };
    (@[(brace [$($before:tt)*] [$($after:tt)*]) $($stack:tt)*] [$($out:tt)*]) => {
        $crate::__select_clean!(@[$($stack)*] [$($before)* {$($out)*}] $($after)*)
    };
    (@[] [$($out:tt)*]) => {
        $($out)*
    };
    ($($pattern:tt)+) => {
        $crate::__select_clean!(@[] [] $($pattern)+)
    };
}

thread_local! {
    /// The state of this thread's xorshift generator that picks `select!`'s first branch;
    /// 0 until first used.
    static SELECT_RNG: Cell<u32> = const { Cell::new(0) };
}

/// A pseudo-random branch index in `0..branches`, for `select!` to start polling at: a
/// step of a thread-local xorshift32 generator, seeded from the address of its own
/// state (which differs between threads and between runs): no system call, no lock.
#[doc(hidden)]
pub fn select_start(branches: usize) -> usize {
    SELECT_RNG.with(|rng| {
        let mut x = rng.get();
        if x == 0 {
            let addr = rng as *const Cell<u32> as usize as u64;
            x = ((addr ^ (addr >> 32)) as u32) | 1;
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        rng.set(x);
        // Lemire's multiply-shift maps the 32-bit value onto the range without a division.
        ((u64::from(x) * branches as u64) >> 32) as usize
    })
}

#[cfg(test)]
mod tests {
    use super::select_start;

    #[test]
    fn the_start_branch_stays_in_range_and_visits_every_branch() {
        for branches in 1..=8 {
            let mut seen = vec![0u32; branches];
            for _ in 0..8000 {
                seen[select_start(branches)] += 1;
            }
            // Uniform would be 8000 / branches each; allow a wide margin.
            let floor = 8000 / branches as u32 / 2;
            assert!(seen.iter().all(|&n| n > floor), "{branches}: {seen:?}");
        }
    }
}
