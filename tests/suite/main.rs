//! The integration tests of the public API, as users write them, in one test binary:
//! each file of this folder is one area (`cargo test --test suite net_echo::` runs one).
//!
//! One binary instead of one per file: every test binary links the whole runtime, and
//! fifty links took most of the README's test command. Tests that change or measure
//! something process-wide (the environment, `RLIMIT_NOFILE`, signal dispositions, the
//! resident memory, the allocator), re-run their own binary as a child process, or watch
//! the process's children keep a binary of their own in `tests/`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../sync_util/mod.rs"]
mod sync_util;

mod async_fd;
mod backend;
mod blocking;
mod cancel_and_panic;
mod debug_mode;
mod eco_async_channel;
mod eco_async_lock;
mod eco_event_listener;
mod eco_futures;
mod fault_accept;
mod fault_half_close;
mod fault_reset;
mod fault_udp;
mod fs;
mod gather_sleep;
mod handle;
mod io;
mod join_set;
mod joins;
mod net_accept;
mod net_echo;
mod net_errors;
mod net_http;
mod net_short_reads;
mod net_ten_calls;
mod net_udp;
mod net_unix;
mod paused_time;
mod per_core;
mod select;
mod spawn;
mod sync_broadcast;
mod sync_event;
mod sync_mpsc;
mod sync_mutex;
mod sync_oneshot;
mod sync_semaphore;
mod sync_send_sync;
mod sync_shared;
mod sync_watch;
mod task_dump;
mod timeout;
mod uring;
mod wakes;
