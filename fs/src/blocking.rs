//! [`run`]: one file system call, on the blocking pool, awaited on the loop.

use std::io;
use std::path::Path;

/// Runs `op` on the blocking pool and awaits its result; a panic in `op` becomes an
/// error instead of ending the task.
pub(crate) async fn run<T: Send + 'static>(
    op: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    evloop_executor::spawn_blocking(op)
        .await
        .unwrap_or_else(|e| Err(io::Error::other(format!("a file system call failed: {e}"))))
}

/// `e` with what was being done to `path` in its message; its kind is kept.
pub(crate) fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("cannot {what} {path:?}: {e}"))
}
