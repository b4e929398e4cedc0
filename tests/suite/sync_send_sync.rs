//! Which `evloop::sync` types may cross threads (`Send`), be shared between threads
//! (`Sync`), move after being pinned (`Unpin`) and cross `catch_unwind` (`UnwindSafe`,
//! `RefUnwindSafe`), pinned type by type: loop-local types are never `Sync` and their
//! handles never `Send`, `shared` ones cross threads when their values do, and every
//! handle and future is `Unpin`. A change to any of them is a change of the public API.

use std::cell::Cell;
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

use evloop::sync::{self, mpsc, oneshot, shared};

/// "Does `T` implement the trait?" for a concrete `T`: each probe's inherent constant
/// exists only when the bound holds, and then shadows this trait's `false`.
trait Fallback {
    const SEND: bool = false;
    const SYNC: bool = false;
    const UNPIN: bool = false;
    const UNWIND_SAFE: bool = false;
    const REF_UNWIND_SAFE: bool = false;
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

struct IsUnwindSafe<T: ?Sized>(PhantomData<T>);
impl<T: ?Sized> Fallback for IsUnwindSafe<T> {}
impl<T: ?Sized + UnwindSafe> IsUnwindSafe<T> {
    const UNWIND_SAFE: bool = true;
}

struct IsRefUnwindSafe<T: ?Sized>(PhantomData<T>);
impl<T: ?Sized> Fallback for IsRefUnwindSafe<T> {}
impl<T: ?Sized + RefUnwindSafe> IsRefUnwindSafe<T> {
    const REF_UNWIND_SAFE: bool = true;
}

/// One row per type: its name and which of `Send`, `Sync`, `Unpin` it implements.
macro_rules! table {
    ($($ty:ty),* $(,)?) => {
        vec![$(format!(
            "{:<48} {}{}{}{}{}",
            stringify!($ty),
            if IsSend::<$ty>::SEND { " Send" } else { " !Send" },
            if IsSync::<$ty>::SYNC { " Sync" } else { " !Sync" },
            if IsUnpin::<$ty>::UNPIN { " Unpin" } else { " !Unpin" },
            if IsUnwindSafe::<$ty>::UNWIND_SAFE { " UnwindSafe" } else { " !UnwindSafe" },
            if IsRefUnwindSafe::<$ty>::REF_UNWIND_SAFE { " RefUnwindSafe" } else { " !RefUnwindSafe" },
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
            "u32 Send Sync Unpin UnwindSafe RefUnwindSafe",
            "NotSync Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "NeitherT !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "std::marker::PhantomPinned Send Sync !Unpin UnwindSafe RefUnwindSafe",
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
            "sync::Semaphore Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "sync::Acquire<'static> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::AcquireOwned !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::SemaphorePermit<'static> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::OwnedSemaphorePermit !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::Mutex<T> Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "sync::Lock<'static, T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::MutexGuard<'static, T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::Event Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "sync::Wait<'static> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "oneshot::Sender<T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "oneshot::Receiver<T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Sender<T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::UnboundedSender<T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Receiver<T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::SendFuture<'static, T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Recv<'static, T> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
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
            "shared::Semaphore Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::Acquire<'static> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::AcquireOwned Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::SemaphorePermit<'static> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::OwnedSemaphorePermit Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::Mutex<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::Mutex<NotSync> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::Mutex<NeitherT> !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::Lock<'static, T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::MutexGuard<'static, T> !Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::MutexGuard<'static, NotSync> !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Sender<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Sender<NotSync> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Sender<NeitherT> !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Receiver<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Receiver<NotSync> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Sender<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Sender<NotSync> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Sender<NeitherT> !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::UnboundedSender<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::UnboundedSender<NotSync> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Receiver<T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Receiver<NotSync> Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "shared::mpsc::Receiver<NeitherT> !Send !Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::SendFuture<'static, T> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::SendFuture<'static, NotSync> Send !Sync Unpin UnwindSafe !RefUnwindSafe",
            "shared::mpsc::Recv<'static, T> Send Sync Unpin !UnwindSafe RefUnwindSafe",
            "shared::mpsc::Recv<'static, NotSync> Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
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
            "sync::Mutex<Pinned> Send !Sync !Unpin UnwindSafe !RefUnwindSafe",
            "sync::Lock<'static, Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "sync::MutexGuard<'static, Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "oneshot::Sender<Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "oneshot::Receiver<Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Sender<Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Receiver<Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::SendFuture<'static, Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "mpsc::Recv<'static, Pinned> !Send !Sync Unpin !UnwindSafe !RefUnwindSafe",
            "shared::Mutex<Pinned> Send Sync !Unpin UnwindSafe RefUnwindSafe",
            "shared::Lock<'static, Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::MutexGuard<'static, Pinned> !Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Sender<Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::oneshot::Receiver<Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Sender<Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Receiver<Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::SendFuture<'static, Pinned> Send Sync Unpin UnwindSafe RefUnwindSafe",
            "shared::mpsc::Recv<'static, Pinned> Send Sync Unpin !UnwindSafe RefUnwindSafe",
        ],
    );
}
