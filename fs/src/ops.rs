//! Whole-file and directory operations: std's `fs` functions, each run on the blocking
//! pool. Errors name the path (their kind is std's).

use std::fs::Metadata;
use std::io;
use std::path::Path;

use crate::blocking::{context, run};

/// Reads a whole file, like `std::fs::read`, on the blocking pool.
///
/// ```
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-fs-read-{}", std::process::id()));
///     evloop::fs::write(&path, b"bytes").await?;
///     assert_eq!(evloop::fs::read(&path).await?, b"bytes");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error (`NotFound`, `PermissionDenied`, ...), with the path in its message.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    run(move || std::fs::read(&path).map_err(|e| context(e, "read", &path))).await
}

/// Reads a whole file as UTF-8 text, like `std::fs::read_to_string`, on the blocking
/// pool.
///
/// ```
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-fs-text-{}", std::process::id()));
///     evloop::fs::write(&path, "text").await?;
///     assert_eq!(evloop::fs::read_to_string(&path).await?, "text");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with the path in its message; `InvalidData` if the file is not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    run(move || std::fs::read_to_string(&path).map_err(|e| context(e, "read", &path))).await
}

/// Creates or truncates a file and writes `contents` to it, like `std::fs::write`, on
/// the blocking pool (`contents` is copied there).
///
/// ```
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-fs-write-{}", std::process::id()));
///     evloop::fs::write(&path, "first").await?;
///     evloop::fs::write(&path, "second").await?; // replaces
///     assert_eq!(evloop::fs::read_to_string(&path).await?, "second");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with the path in its message.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    run(move || std::fs::write(&path, contents).map_err(|e| context(e, "write", &path))).await
}

/// Creates a directory and all its missing parents, like `std::fs::create_dir_all`.
///
/// ```
/// evloop::run(async {
///     let root = std::env::temp_dir().join(format!("evloop-fs-dirs-{}", std::process::id()));
///     evloop::fs::create_dir_all(root.join("a/b/c")).await?;
///     assert!(evloop::fs::metadata(root.join("a/b/c")).await?.is_dir());
///     evloop::fs::create_dir_all(root.join("a/b/c")).await?; // already there: fine
///     # std::fs::remove_dir_all(&root)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with the path in its message (e.g. a file in the way).
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run(move || std::fs::create_dir_all(&path).map_err(|e| context(e, "create", &path))).await
}

/// Removes a file, like `std::fs::remove_file`.
///
/// ```
/// use std::io::ErrorKind;
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-fs-rm-{}", std::process::id()));
///     evloop::fs::write(&path, "x").await?;
///     evloop::fs::remove_file(&path).await?;
///     let err = evloop::fs::remove_file(&path).await.unwrap_err();
///     assert_eq!(err.kind(), ErrorKind::NotFound);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with the path in its message.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run(move || std::fs::remove_file(&path).map_err(|e| context(e, "remove", &path))).await
}

/// The metadata of a file or directory (following symlinks), like `std::fs::metadata`.
///
/// ```
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-fs-meta-{}", std::process::id()));
///     evloop::fs::write(&path, "12345").await?;
///     let meta = evloop::fs::metadata(&path).await?;
///     assert!(meta.is_file());
///     assert_eq!(meta.len(), 5);
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with the path in its message.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    run(move || std::fs::metadata(&path).map_err(|e| context(e, "read the metadata of", &path)))
        .await
}

/// Renames (moves) a file or directory, replacing `to` if it is a file, like
/// `std::fs::rename`.
///
/// ```
/// evloop::run(async {
///     let dir = std::env::temp_dir();
///     let (from, to) = (dir.join(format!("evloop-fs-mv-a-{}", std::process::id())),
///                       dir.join(format!("evloop-fs-mv-b-{}", std::process::id())));
///     evloop::fs::write(&from, "moved").await?;
///     evloop::fs::rename(&from, &to).await?;
///     assert_eq!(evloop::fs::read_to_string(&to).await?, "moved");
///     evloop::fs::remove_file(&to).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// std's error, with both paths in its message.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    run(move || {
        std::fs::rename(&from, &to)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot rename {from:?} to {to:?}: {e}")))
    })
    .await
}
