//! The current loop: which loop, if any, runs on this thread, and its parts.
//!
//! One thread-local pointer for the whole runtime. The loop that runs on a thread (the
//! executor's, while `block_on` runs) makes its [`LoopContext`] current; every layer
//! finds what it needs there: a socket its reactor ([`Registration::new`]), a sleep its
//! timer store (`evloop-time`, which keeps it here type-erased because it sits above
//! this crate), a waker the executor's own loop ([`current_owner`]). It lives in this
//! crate because this crate is at the bottom: every layer can see it.
//!
//! The thread-local is a plain `Cell` of a pointer, without a destructor, so reading it
//! stays valid while a thread's thread-locals are being destroyed: a runtime kept in a
//! `thread_local!` is dropped then, and its shutdown still finds its loop.
//!
//! ```
//! use std::rc::Rc;
//! use evloop_reactor::context::{self, LoopContext};
//! use evloop_reactor::Reactor;
//!
//! let reactor = Reactor::new()?;
//! assert!(context::with(|_| ()).is_none()); // no loop on this thread
//! let cx = LoopContext::new(Some(reactor.clone()), None);
//! {
//!     let _entered = cx.enter();
//!     let current = context::with(|cx| cx.reactor().cloned()).flatten().unwrap();
//!     assert!(Rc::ptr_eq(&current, &reactor));
//! }
//! assert!(context::with(|_| ()).is_none()); // the guard restored the previous state
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! [`Registration::new`]: crate::Registration::new

#![allow(unsafe_code)] // the thread-local holds a raw pointer; each use says why it is valid

use std::any::{Any, TypeId};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ptr;
use std::rc::Rc;

use crate::Reactor;

thread_local! {
    /// The context of the loop running on this thread, or null.
    static CURRENT: Cell<*const LoopContext> = const { Cell::new(ptr::null()) };
}

/// What a running loop shares with the code it runs: its reactor, its timer store and the
/// loop itself. Made current on a thread by [`enter`](LoopContext::enter) or
/// [`enter_as`](LoopContext::enter_as) for as long as the returned guard lives.
pub struct LoopContext {
    /// The loop's reactor (a context made for a bare timer store, in tests, has none).
    reactor: Option<Rc<Reactor>>,
    /// The loop's timer store (`evloop-time`'s `TimerStore`): kept as `dyn Any` because
    /// that crate sits above this one; [`timers`](LoopContext::timers) finds it again.
    timers: Option<Rc<dyn Any>>,
    /// The loop that entered this context (`enter_as`), as its type and its address, for
    /// the executor's own lookups ([`current_owner`]).
    owner: Cell<Option<(TypeId, *const ())>>,
}

impl LoopContext {
    /// A context of `reactor` and `timers` (`evloop-time`'s `TimerStore`, as `Rc<dyn Any>`).
    ///
    /// ```
    /// let reactor = evloop_reactor::Reactor::new()?;
    /// let cx = evloop_reactor::context::LoopContext::new(Some(reactor), None);
    /// assert!(cx.reactor().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(reactor: Option<Rc<Reactor>>, timers: Option<Rc<dyn Any>>) -> LoopContext {
        LoopContext {
            reactor,
            timers,
            owner: Cell::new(None),
        }
    }

    /// The loop's reactor, if it has one.
    ///
    /// ```
    /// let cx = evloop_reactor::context::LoopContext::new(None, None);
    /// assert!(cx.reactor().is_none());
    /// ```
    pub fn reactor(&self) -> Option<&Rc<Reactor>> {
        self.reactor.as_ref()
    }

    /// The loop's timer store, if it has one of type `T`.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use evloop_reactor::context::LoopContext;
    /// let cx = LoopContext::new(None, Some(Rc::new(7u32)));
    /// assert_eq!(cx.timers::<u32>().as_deref(), Some(&7));
    /// assert!(cx.timers::<u64>().is_none());
    /// ```
    pub fn timers<T: Any>(&self) -> Option<Rc<T>> {
        self.timers.clone()?.downcast::<T>().ok()
    }

    /// [`timers`](LoopContext::timers), borrowed (no reference count taken).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use evloop_reactor::context::LoopContext;
    /// let cx = LoopContext::new(None, Some(Rc::new(7u32)));
    /// assert_eq!(cx.timers_ref::<u32>(), Some(&7));
    /// ```
    pub fn timers_ref<T: Any>(&self) -> Option<&T> {
        self.timers.as_deref()?.downcast_ref::<T>()
    }

    /// Makes this the thread's current loop context until the guard drops, which
    /// restores the previous one. Guards nest; drop them in reverse order.
    ///
    /// ```
    /// use evloop_reactor::context::{self, LoopContext};
    /// let cx = LoopContext::new(None, None);
    /// let guard = cx.enter();
    /// assert!(context::with(|_| ()).is_some());
    /// drop(guard);
    /// assert!(context::with(|_| ()).is_none());
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.owner.set(None);
        self.make_current(None)
    }

    /// [`enter`](LoopContext::enter), naming `owner` as the loop that entered it: the
    /// executor passes its own loop, which [`current_owner`] then finds. `owner` must
    /// outlive the guard (the borrow says so).
    ///
    /// ```
    /// use evloop_reactor::context::{self, LoopContext};
    /// struct MyLoop(u32);
    /// let my_loop = MyLoop(5);
    /// let cx = LoopContext::new(None, None);
    /// let _entered = cx.enter_as(&my_loop);
    /// let found = context::current_owner::<MyLoop>();
    /// assert_eq!(found, &my_loop as *const MyLoop);
    /// assert!(context::current_owner::<String>().is_null()); // not a String
    /// ```
    pub fn enter_as<'a, T: 'static>(&'a self, owner: &'a T) -> EnterGuard<'a> {
        self.owner
            .set(Some((TypeId::of::<T>(), ptr::from_ref(owner).cast())));
        self.make_current(None)
    }

    /// Enters a context the guard owns (for [`Reactor::enter`] and the timer store's own
    /// `enter`, which have no loop around them).
    ///
    /// ```
    /// use evloop_reactor::context::{self, LoopContext};
    /// let guard = LoopContext::new(None, None).enter_owned();
    /// assert!(context::with(|_| ()).is_some());
    /// drop(guard);
    /// ```
    pub fn enter_owned(self) -> EnterGuard<'static> {
        let owned = Box::new(self);
        let cx: *const LoopContext = &*owned;
        // SAFETY: the box is kept in the guard, so the context outlives its being current.
        unsafe { make_current(cx, Some(owned)) }
    }

    /// Sets the thread-local to this context.
    fn make_current(&self, owned: Option<Box<LoopContext>>) -> EnterGuard<'_> {
        // SAFETY: the guard borrows `self` for as long as it is current.
        unsafe { make_current(ptr::from_ref(self), owned) }
    }
}

/// Sets the thread-local to `cx` and returns the guard that restores the previous value.
///
/// # Safety
/// `cx` must stay valid until the guard is dropped.
unsafe fn make_current<'a>(
    cx: *const LoopContext,
    owned: Option<Box<LoopContext>>,
) -> EnterGuard<'a> {
    let prev = CURRENT.with(|current| current.replace(cx));
    EnterGuard {
        prev,
        _owned: owned,
        _context: PhantomData,
    }
}

/// Runs `f` with the loop context of this thread, if a loop runs here.
///
/// ```
/// assert!(evloop_reactor::context::with(|_| ()).is_none());
/// evloop::run(async {
///     assert!(evloop_reactor::context::with(|cx| cx.reactor().is_some()).unwrap());
/// });
/// ```
#[inline]
pub fn with<R>(f: impl FnOnce(&LoopContext) -> R) -> Option<R> {
    let cx = CURRENT.with(Cell::get);
    if cx.is_null() {
        None
    } else {
        // SAFETY: CURRENT is non-null only while an `EnterGuard` for it lives on this
        // thread, and that guard keeps the context alive (it borrows or owns it).
        Some(f(unsafe { &*cx }))
    }
}

/// The loop that entered this thread's context with [`LoopContext::enter_as`], if it is
/// of type `T`; null otherwise (no loop here, or another kind of loop). The pointer is
/// valid for as long as that guard lives: while the caller runs inside that loop.
///
/// ```
/// assert!(evloop_reactor::context::current_owner::<u8>().is_null());
/// ```
#[inline]
pub fn current_owner<T: 'static>() -> *const T {
    let cx = CURRENT.with(Cell::get);
    if cx.is_null() {
        return ptr::null();
    }
    // SAFETY: as in `with`.
    match unsafe { &*cx }.owner.get() {
        Some((ty, owner)) if ty == TypeId::of::<T>() => owner.cast(),
        _ => ptr::null(),
    }
}

/// Restores the thread's previous loop context when dropped (see [`LoopContext::enter`]).
pub struct EnterGuard<'a> {
    /// What the thread-local held before.
    prev: *const LoopContext,
    /// The context, when the guard owns it (`enter_owned`).
    _owned: Option<Box<LoopContext>>,
    /// Ties the guard to a borrowed context; keeps it on its thread (`!Send`).
    _context: PhantomData<&'a LoopContext>,
}

impl Drop for EnterGuard<'_> {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.prev));
    }
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard")
            .field("restores_previous", &!self.prev.is_null())
            .finish()
    }
}

impl fmt::Debug for LoopContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopContext")
            .field("reactor", &self.reactor.is_some())
            .field("timers", &self.timers.is_some())
            .field("owned_by_a_loop", &self.owner.get().is_some())
            .finish()
    }
}
