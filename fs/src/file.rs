//! [`File`]: an open file whose reads, writes and seeks run on the blocking pool.
//!
//! At most one operation is in flight per file. Its state is either *idle*, holding a
//! buffer (read-ahead data not yet handed out), or *busy*, awaiting the blocking job
//! that owns the buffer for the time of one `read`, `write_all` or `seek` on the std
//! file. Writes are *write-behind*: `poll_write` copies the data into the buffer, starts
//! the job and returns; its error (if any) comes back from the next operation or from
//! `flush`/`close`, which wait for it.

use std::fmt;
use std::fs::{Metadata, OpenOptions};
use std::future::{poll_fn, Future};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use evloop_executor::JoinHandle;

use crate::blocking::{context, run};

/// The most one blocking job reads or writes (larger writes are taken in parts).
const MAX_CHUNK: usize = 2 * 1024 * 1024;

/// An open file on the loop, like tokio's `fs::File`: `futures_io::AsyncRead`,
/// `AsyncWrite` and `AsyncSeek`, each operation run on the blocking pool (asyncio has
/// no async files either; its advice is `to_thread`, which this does for you).
///
/// ```
/// use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
/// use evloop::fs::File;
///
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-file-{}", std::process::id()));
///     let mut file = File::create(&path).await?;
///     file.write_all(b"hello, file").await?;
///     file.flush().await?; // waits for the write-behind: errors surface here
///
///     let mut file = File::open(&path).await?;
///     file.seek(SeekFrom::Start(7)).await?;
///     let mut text = String::new();
///     file.read_to_string(&mut text).await?;
///     assert_eq!(text, "file");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Traps
///
/// - Call `flush` (or `close`) before dropping a file you wrote: dropping finishes the
///   last write in the background, but its error is lost.
/// - Each operation is a trip to a pool thread: read and write in large chunks (wrap the
///   file in a `BufReader`/`BufWriter` for small ones).
pub struct File {
    /// The std file; shared with the blocking job in flight.
    std: Arc<std::fs::File>,
    /// Idle with a buffer, or busy with a job that owns it.
    state: State,
    /// The position asked of the seek in flight, if the job is a seek: a later
    /// `poll_seek` for another position (the first one's future was dropped) must not
    /// take its result.
    seeking: Option<SeekFrom>,
}

/// Whether a blocking job is in flight.
enum State {
    /// No job; the buffer holds read-ahead data (possibly none).
    Idle(Buf),
    /// A job runs; it hands the buffer back with its outcome.
    Busy(JoinHandle<(Outcome, Buf)>),
}

/// What a finished job did.
enum Outcome {
    /// A read filled the buffer with this many bytes (0: end of file).
    Read(io::Result<usize>),
    /// A write of the buffer's contents finished (or failed).
    Write(io::Result<()>),
    /// A seek moved the cursor to this offset (or failed).
    Seek(io::Result<u64>),
}

/// The buffer that travels between the loop and the pool.
#[derive(Default)]
struct Buf {
    /// Storage, zeroed once as it grows and reused: its length is its initialized size,
    /// not how much of it holds data.
    data: Vec<u8>,
    /// How many bytes of `data` hold read-ahead data (reads) or data to write (writes).
    filled: usize,
    /// How much of the read-ahead data was handed out already.
    pos: usize,
}

impl Buf {
    /// Bytes read ahead and not handed out: the std file's cursor is that far ahead of
    /// the user's position.
    fn unread(&self) -> usize {
        self.filled - self.pos
    }

    /// Copies read-ahead data into `dst`; how much.
    fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = self.unread().min(dst.len());
        dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }

    /// Forgets the contents, keeping the allocation.
    fn clear(&mut self) {
        self.filled = 0;
        self.pos = 0;
    }

    /// The first `len` bytes of storage to fill, growing it (zeroed) if needed.
    fn space(&mut self, len: usize) -> &mut [u8] {
        if self.data.len() < len {
            self.data.resize(len, 0);
        }
        &mut self.data[..len]
    }

    /// Copies `src` in as the data to write.
    fn set(&mut self, src: &[u8]) {
        self.space(src.len()).copy_from_slice(src);
        self.filled = src.len();
        self.pos = 0;
    }

    /// The data to write.
    fn contents(&self) -> &[u8] {
        &self.data[..self.filled]
    }
}

impl File {
    /// Opens a file for reading, like `std::fs::File::open`.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// evloop::run(async {
    ///     let err = evloop::fs::File::open("/no/such/file").await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("/no/such/file"));
    /// });
    /// ```
    ///
    /// # Errors
    /// std's error, with the path in its message.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        File::open_with(path.as_ref(), OpenOptions::new().read(true).clone()).await
    }

    /// Creates (or truncates) a file for writing, like `std::fs::File::create`.
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// evloop::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-create-{}", std::process::id()));
    ///     let mut file = evloop::fs::File::create(&path).await?;
    ///     file.write_all(b"new").await?;
    ///     file.close().await?;
    ///     assert_eq!(evloop::fs::read(&path).await?, b"new");
    ///     evloop::fs::remove_file(&path).await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// std's error, with the path in its message.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        let options = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .clone();
        File::open_with(path.as_ref(), options).await
    }

    /// Opens `path` with std's `options` (append, create_new, read and write, ...).
    ///
    /// ```
    /// use std::fs::OpenOptions;
    /// use futures::AsyncWriteExt;
    /// evloop::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-append-{}", std::process::id()));
    ///     evloop::fs::write(&path, "a").await?;
    ///     let mut options = OpenOptions::new();
    ///     options.append(true);
    ///     let mut file = evloop::fs::File::open_with(&path, options).await?;
    ///     file.write_all(b"b").await?;
    ///     file.close().await?;
    ///     assert_eq!(evloop::fs::read(&path).await?, b"ab");
    ///     evloop::fs::remove_file(&path).await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// std's error, with the path in its message.
    pub async fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let std = run(move || options.open(&path).map_err(|e| context(e, "open", &path))).await?;
        Ok(File::from_std(std))
    }

    /// Wraps an open std file.
    ///
    /// ```
    /// evloop::run(async {
    ///     let std = std::fs::File::open("Cargo.toml")?;
    ///     let mut file = evloop::fs::File::from_std(std);
    ///     assert!(file.metadata().await?.is_file());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            state: State::Idle(Buf::default()),
            seeking: None,
        }
    }

    /// Waits for the operation in flight and flushes it to the disk (`fsync`), like
    /// `std::fs::File::sync_all`.
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// evloop::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-sync-{}", std::process::id()));
    ///     let mut file = evloop::fs::File::create(&path).await?;
    ///     file.write_all(b"durable").await?;
    ///     file.sync_all().await?; // on the disk now
    ///     evloop::fs::remove_file(&path).await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The error of the write in flight, or of `fsync`.
    pub async fn sync_all(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let std = self.std.clone();
        run(move || std.sync_all()).await
    }

    /// Waits for the operation in flight and returns the file's metadata.
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// evloop::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-fmeta-{}", std::process::id()));
    ///     let mut file = evloop::fs::File::create(&path).await?;
    ///     file.write_all(b"four").await?;
    ///     assert_eq!(file.metadata().await?.len(), 4); // the write-behind is waited for
    ///     evloop::fs::remove_file(&path).await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The error of the write in flight, or of `fstat`.
    pub async fn metadata(&mut self) -> io::Result<Metadata> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let std = self.std.clone();
        run(move || std.metadata()).await
    }

    /// Waits for the operation in flight and truncates or extends the file to `len`
    /// bytes, like `std::fs::File::set_len`.
    ///
    /// ```
    /// evloop::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-setlen-{}", std::process::id()));
    ///     let mut file = evloop::fs::File::create(&path).await?;
    ///     file.set_len(10).await?;
    ///     assert_eq!(file.metadata().await?.len(), 10);
    ///     evloop::fs::remove_file(&path).await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The error of the write in flight, or of `ftruncate`.
    pub async fn set_len(&mut self, len: u64) -> io::Result<()> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let std = self.std.clone();
        run(move || std.set_len(len)).await
    }

    /// Waits until no job is in flight; a write's error is returned (once).
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let State::Busy(job) = &mut self.state {
            let (outcome, buf) = ready!(Pin::new(job).poll(cx))
                .map_err(|e| io::Error::other(format!("a file operation failed: {e}")))?;
            self.state = State::Idle(buf);
            self.seeking = None;
            if let Outcome::Write(Err(e)) = outcome {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Starts `job` on the blocking pool with the buffer; the file is busy until it ends.
    fn start(
        &mut self,
        buf: Buf,
        job: impl FnOnce(&std::fs::File, Buf) -> (Outcome, Buf) + Send + 'static,
    ) {
        let std = self.std.clone();
        self.state = State::Busy(evloop_executor::spawn_blocking(move || job(&std, buf)));
    }

    /// The idle buffer (the caller has made the file idle first).
    fn take_buf(&mut self) -> Buf {
        match std::mem::replace(&mut self.state, State::Idle(Buf::default())) {
            State::Idle(buf) => buf,
            State::Busy(_) => unreachable!("take_buf on a busy file"),
        }
    }
}

impl futures_io::AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            match &mut this.state {
                State::Idle(buf) if buf.unread() > 0 => return Poll::Ready(Ok(buf.copy_to(dst))),
                State::Idle(_) => {
                    let mut buf = this.take_buf();
                    buf.clear();
                    let want = dst.len().min(MAX_CHUNK);
                    this.start(buf, move |mut std, mut buf| {
                        let result = std.read(buf.space(want));
                        buf.filled = *result.as_ref().unwrap_or(&0);
                        (Outcome::Read(result), buf)
                    });
                }
                State::Busy(job) => {
                    let (outcome, mut buf) = ready!(Pin::new(job).poll(cx))
                        .map_err(|e| io::Error::other(format!("a file read failed: {e}")))?;
                    this.seeking = None;
                    let n = match &outcome {
                        Outcome::Read(Ok(_)) => buf.copy_to(dst),
                        _ => 0,
                    };
                    this.state = State::Idle(buf);
                    match outcome {
                        Outcome::Read(Ok(_)) => return Poll::Ready(Ok(n)),
                        Outcome::Read(Err(e)) | Outcome::Write(Err(e)) => {
                            return Poll::Ready(Err(e))
                        }
                        Outcome::Write(Ok(())) | Outcome::Seek(_) => {}
                    }
                }
            }
        }
    }
}

impl futures_io::AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        ready!(this.poll_idle(cx))?;
        let mut buf = this.take_buf();
        // Data read ahead puts the std cursor past the user's position: step back first.
        let rewind = buf.unread() as i64;
        let n = src.len().min(MAX_CHUNK);
        buf.set(&src[..n]);
        this.start(buf, move |std, mut buf| {
            let mut std = std;
            let result = if rewind > 0 {
                std.seek(SeekFrom::Current(-rewind)).map(drop)
            } else {
                Ok(())
            }
            .and_then(|()| std.write_all(buf.contents()));
            buf.clear();
            (Outcome::Write(result), buf)
        });
        Poll::Ready(Ok(n))
    }

    /// Waits for the write in flight and returns its error, if any.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_idle(cx)
    }

    /// As `poll_flush`; the file itself closes when dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_idle(cx)
    }
}

impl futures_io::AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Idle(_) => {
                    let mut buf = this.take_buf();
                    // Relative seeks count from the user's position, behind the read-ahead.
                    let target = match pos {
                        SeekFrom::Current(offset) => {
                            SeekFrom::Current(offset - buf.unread() as i64)
                        }
                        other => other,
                    };
                    buf.clear();
                    this.start(buf, move |mut std, buf| {
                        (Outcome::Seek(std.seek(target)), buf)
                    });
                    this.seeking = Some(pos);
                }
                State::Busy(job) => {
                    let (outcome, buf) = ready!(Pin::new(job).poll(cx))
                        .map_err(|e| io::Error::other(format!("a file seek failed: {e}")))?;
                    this.state = State::Idle(buf);
                    let ours = this.seeking.take() == Some(pos);
                    match outcome {
                        Outcome::Seek(result) if ours => return Poll::Ready(result),
                        Outcome::Seek(_) => {} // an abandoned seek's: start ours
                        Outcome::Write(Err(e)) => return Poll::Ready(Err(e)),
                        // A read that finished meanwhile: its data is read-ahead, which
                        // the seek started next accounts for.
                        Outcome::Read(_) | Outcome::Write(Ok(())) => {}
                    }
                }
            }
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("std", &self.std)
            .field("busy", &matches!(self.state, State::Busy(_)))
            .field("seeking", &self.seeking)
            .finish()
    }
}
