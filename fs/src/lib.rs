//! evloop's files: std's `fs` calls and an async [`File`], each run on the blocking pool,
//! like asyncio's advice to use `to_thread` for files, or tokio's `fs`.
//!
//! The loop waits on the kernel for readiness, and a regular file is never "not ready":
//! epoll refuses files, and a read that misses the page cache waits on the disk with the
//! thread. So file I/O cannot be awaited the way sockets are; it is moved to a thread of
//! the blocking pool (`evloop::spawn_blocking`) while the loop runs on, and awaited
//! there. That is what every function here does, one call per trip. Users reach the
//! crate as `evloop::fs`.
//!
//! ```
//! evloop::run(async {
//!     let dir = std::env::temp_dir().join(format!("evloop-fs-doc-{}", std::process::id()));
//!     evloop::fs::create_dir_all(&dir).await?;
//!     let path = dir.join("notes.txt");
//!     evloop::fs::write(&path, "written off the loop\n").await?;
//!     assert_eq!(evloop::fs::read_to_string(&path).await?, "written off the loop\n");
//!     assert_eq!(evloop::fs::metadata(&path).await?.len(), 21);
//!     evloop::fs::remove_file(&path).await?;
//!     # std::fs::remove_dir(&dir)?;
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Traps
//!
//! - Each call is a trip to a pool thread (tens of microseconds): prefer whole-file
//!   [`read`] and [`write()`], or large chunks through [`File`], to many small calls.
//! - The pool has a bounded number of threads, shared with `spawn_blocking`: thousands
//!   of concurrent file calls queue up.
//! - [`File`] writes behind: `flush` (or `close`) before dropping it to see the error.
//!
//! Neighbours: `evloop-executor` (the blocking pool), and the `evloop` facade.

#![deny(missing_docs, unsafe_code)]
#![warn(missing_debug_implementations)]

mod blocking;
mod file;
mod ops;

pub use file::File;
pub use ops::{create_dir_all, metadata, read, read_to_string, remove_file, rename, write};
