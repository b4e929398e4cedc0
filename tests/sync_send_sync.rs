//! Which `evloop::sync` types may cross threads (`Send`), be shared between threads
//! (`Sync`) and move after being pinned (`Unpin`), pinned type by type: loop-local types
//! are never `Sync` and their handles never `Send`, `shared` ones cross threads when their
//! values do, and every handle and future is `Unpin`. A change to any of them is a change
//! of the public API.

use std::cell::Cell;
use std::marker::PhantomData;
use std::rc::Rc;

use evloop::sync::{self, mpsc, oneshot, shared};

/// "Does `T` implement the trait?" for a concrete `T`: each probe's inherent constant
/// exists only when the bound holds, and then shadows this trait's `false`.
trait Fallback {
    const SEND: bool = false;
    const SYNC: bool = false;
    const UNPIN: bool = false;
}
struct IsSend<T: ?Sized>(PhantomData<T>);
impl<T: ?Sized> Fallback for IsSend<T> {}
impl<T: ?Sized + Send> IsSend<T> {
    const SEND: bool = true;
}

struct IsSync<T: ?Sized>(PhantomData<T>);
impl<T: ?Sized> Fallback for IsSync<T> {}
impl<T: ?Sized + Sync> IsSync<T> {
    const SYNC: bool = true;
}

struct IsUnpin<T: ?Sized>(PhantomData<T>);
impl<T: ?Sized> Fallback for IsUnpin<T> {}
impl<T: ?Sized + Unpin> IsUnpin<T> {
    const UNPIN: bool = true;
}

/// One row per type: its name and which of `Send`, `Sync`, `Unpin` it implements.
macro_rules! table {
    ($($ty:ty),* $(,)?) => {
        vec![$(format!(
            "{:<48} {}{}{}",
            stringify!($ty),
            if IsSend::<$ty>::SEND { " Send" } else { " !Send" },
            if IsSync::<$ty>::SYNC { " Sync" } else { " !Sync" },
            if IsUnpin::<$ty>::UNPIN { " Unpin" } else { " !Unpin" },
        )),*]
    };
}

/// Compares a table with the expected one row by row, naming every row that differs.
fn assert_table(got: Vec<String>, want: &[&str]) {
    let squash = |row: &str| row.split_whitespace().collect::<Vec<_>>().join(" ");
    let got: Vec<String> = got.iter().map(|r| squash(r)).collect();
    let want: Vec<String> = want.iter().map(|r| squash(r)).collect();
    let wrong: Vec<String> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("  got  {g}\n  want {w}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "auto traits changed:\n{}",
        wrong.join("\n")
    );
    assert_eq!(got.len(), want.len());
}

/// `T` that is `Send + Sync`; `Cell` (`Send`, `!Sync`) and `Rc` (neither) are the others.
type T = u32;
type NotSync = Cell<u32>;
type NeitherT = Rc<u32>;

#[test]
fn the_probe_tells_each_trait_apart() {
    assert_table(
        table![u32, NotSync, NeitherT, std::marker::PhantomPinned],
        &[
            "u32 Send Sync Unpin",
            "NotSync Send !Sync Unpin",
            "NeitherT !Send !Sync Unpin",
            "std::marker::PhantomPinned Send Sync !Unpin",
        ],
    );
}

#[test]
fn loop_local_types_are_never_sync_and_their_handles_never_send() {
    assert_table(
        table![
            sync::Semaphore,
            sync::Acquire<'static>,
            sync::AcquireOwned,
            sync::SemaphorePermit<'static>,
            sync::OwnedSemaphorePermit,
            sync::Mutex<T>,
            sync::Lock<'static, T>,
            sync::MutexGuard<'static, T>,
            sync::Event,
            sync::Wait<'static>,
            oneshot::Sender<T>,
            oneshot::Receiver<T>,
            mpsc::Sender<T>,
            mpsc::UnboundedSender<T>,
            mpsc::Receiver<T>,
            mpsc::SendFuture<'static, T>,
            mpsc::Recv<'static, T>,
        ],
        &[
            "sync::Semaphore Send !Sync Unpin",
            "sync::Acquire<'static> !Send !Sync Unpin",
            "sync::AcquireOwned !Send !Sync Unpin",
            "sync::SemaphorePermit<'static> !Send !Sync Unpin",
            "sync::OwnedSemaphorePermit !Send !Sync Unpin",
            "sync::Mutex<T> Send !Sync Unpin",
            "sync::Lock<'static, T> !Send !Sync Unpin",
            "sync::MutexGuard<'static, T> !Send !Sync Unpin",
            "sync::Event Send !Sync Unpin",
            "sync::Wait<'static> !Send !Sync Unpin",
            "oneshot::Sender<T> !Send !Sync Unpin",
            "oneshot::Receiver<T> !Send !Sync Unpin",
            "mpsc::Sender<T> !Send !Sync Unpin",
            "mpsc::UnboundedSender<T> !Send !Sync Unpin",
            "mpsc::Receiver<T> !Send !Sync Unpin",
            "mpsc::SendFuture<'static, T> !Send !Sync Unpin",
            "mpsc::Recv<'static, T> !Send !Sync Unpin",
        ],
    );
}

#[test]
fn shared_types_cross_threads_when_their_values_do() {
    assert_table(
        table![
            shared::Semaphore,
            shared::Acquire<'static>,
            shared::AcquireOwned,
            shared::SemaphorePermit<'static>,
            shared::OwnedSemaphorePermit,
            shared::Mutex<T>,
            shared::Mutex<NotSync>,
            shared::Mutex<NeitherT>,
            shared::Lock<'static, T>,
            shared::MutexGuard<'static, T>,
            shared::MutexGuard<'static, NotSync>,
            shared::oneshot::Sender<T>,
            shared::oneshot::Sender<NotSync>,
            shared::oneshot::Sender<NeitherT>,
            shared::oneshot::Receiver<T>,
            shared::oneshot::Receiver<NotSync>,
            shared::mpsc::Sender<T>,
            shared::mpsc::Sender<NotSync>,
            shared::mpsc::Sender<NeitherT>,
            shared::mpsc::UnboundedSender<T>,
            shared::mpsc::UnboundedSender<NotSync>,
            shared::mpsc::Receiver<T>,
            shared::mpsc::Receiver<NotSync>,
            shared::mpsc::Receiver<NeitherT>,
            shared::mpsc::SendFuture<'static, T>,
            shared::mpsc::SendFuture<'static, NotSync>,
            shared::mpsc::Recv<'static, T>,
            shared::mpsc::Recv<'static, NotSync>,
        ],
        &[
            "shared::Semaphore Send Sync Unpin",
            "shared::Acquire<'static> Send Sync Unpin",
            "shared::AcquireOwned Send Sync Unpin",
            "shared::SemaphorePermit<'static> Send Sync Unpin",
            "shared::OwnedSemaphorePermit Send Sync Unpin",
            "shared::Mutex<T> Send Sync Unpin",
            "shared::Mutex<NotSync> Send Sync Unpin",
            "shared::Mutex<NeitherT> !Send !Sync Unpin",
            "shared::Lock<'static, T> Send Sync Unpin",
            "shared::MutexGuard<'static, T> !Send Sync Unpin",
            "shared::MutexGuard<'static, NotSync> !Send !Sync Unpin",
            "shared::oneshot::Sender<T> Send Sync Unpin",
            "shared::oneshot::Sender<NotSync> Send Sync Unpin",
            "shared::oneshot::Sender<NeitherT> !Send !Sync Unpin",
            "shared::oneshot::Receiver<T> Send Sync Unpin",
            "shared::oneshot::Receiver<NotSync> Send Sync Unpin",
            "shared::mpsc::Sender<T> Send Sync Unpin",
            "shared::mpsc::Sender<NotSync> Send Sync Unpin",
            "shared::mpsc::Sender<NeitherT> !Send !Sync Unpin",
            "shared::mpsc::UnboundedSender<T> Send Sync Unpin",
            "shared::mpsc::UnboundedSender<NotSync> Send Sync Unpin",
            "shared::mpsc::Receiver<T> Send Sync Unpin",
            "shared::mpsc::Receiver<NotSync> Send !Sync Unpin",
            "shared::mpsc::Receiver<NeitherT> !Send !Sync Unpin",
            "shared::mpsc::SendFuture<'static, T> Send Sync Unpin",
            "shared::mpsc::SendFuture<'static, NotSync> Send !Sync Unpin",
            "shared::mpsc::Recv<'static, T> Send Sync Unpin",
            "shared::mpsc::Recv<'static, NotSync> Send !Sync Unpin",
        ],
    );
}

#[test]
fn handles_and_futures_are_unpin_whatever_they_carry() {
    type Pinned = std::marker::PhantomPinned;
    assert_table(
        table![
            sync::Mutex<Pinned>,
            sync::Lock<'static, Pinned>,
            sync::MutexGuard<'static, Pinned>,
            oneshot::Sender<Pinned>,
            oneshot::Receiver<Pinned>,
            mpsc::Sender<Pinned>,
            mpsc::Receiver<Pinned>,
            mpsc::SendFuture<'static, Pinned>,
            mpsc::Recv<'static, Pinned>,
            shared::Mutex<Pinned>,
            shared::Lock<'static, Pinned>,
            shared::MutexGuard<'static, Pinned>,
            shared::oneshot::Sender<Pinned>,
            shared::oneshot::Receiver<Pinned>,
            shared::mpsc::Sender<Pinned>,
            shared::mpsc::Receiver<Pinned>,
            shared::mpsc::SendFuture<'static, Pinned>,
            shared::mpsc::Recv<'static, Pinned>,
        ],
        &[
            "sync::Mutex<Pinned> Send !Sync !Unpin",
            "sync::Lock<'static, Pinned> !Send !Sync Unpin",
            "sync::MutexGuard<'static, Pinned> !Send !Sync Unpin",
            "oneshot::Sender<Pinned> !Send !Sync Unpin",
            "oneshot::Receiver<Pinned> !Send !Sync Unpin",
            "mpsc::Sender<Pinned> !Send !Sync Unpin",
            "mpsc::Receiver<Pinned> !Send !Sync Unpin",
            "mpsc::SendFuture<'static, Pinned> !Send !Sync Unpin",
            "mpsc::Recv<'static, Pinned> !Send !Sync Unpin",
            "shared::Mutex<Pinned> Send Sync !Unpin",
            "shared::Lock<'static, Pinned> Send Sync Unpin",
            "shared::MutexGuard<'static, Pinned> !Send Sync Unpin",
            "shared::oneshot::Sender<Pinned> Send Sync Unpin",
            "shared::oneshot::Receiver<Pinned> Send Sync Unpin",
            "shared::mpsc::Sender<Pinned> Send Sync Unpin",
            "shared::mpsc::Receiver<Pinned> Send Sync Unpin",
            "shared::mpsc::SendFuture<'static, Pinned> Send Sync Unpin",
            "shared::mpsc::Recv<'static, Pinned> Send Sync Unpin",
        ],
    );
}
