//! `EVLOOP_BACKEND` chooses the backend of runtimes whose builder did not; the builder
//! wins; an unknown value is a clear error (and `evloop::run` panics with it).
//!
//! One test in a binary of its own: it changes the process environment, which must not
//! race with other tests reading it.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use evloop::{Backend, Runtime};

/// Sets (or removes) `EVLOOP_BACKEND`.
fn set_backend_var(value: Option<&std::ffi::OsStr>) {
    // SAFETY: this binary holds one test, and no thread of it reads the environment while
    // the test changes it (runtimes read it in `build`, on this thread).
    unsafe {
        match value {
            Some(value) => std::env::set_var(Backend::ENV_VAR, value),
            None => std::env::remove_var(Backend::ENV_VAR),
        }
    }
}

/// Restores `EVLOOP_BACKEND` as it was (CI runs this suite with it set) when dropped.
struct Restore(Option<std::ffi::OsString>);

impl Drop for Restore {
    fn drop(&mut self) {
        set_backend_var(self.0.as_deref());
    }
}

#[test]
fn evloop_backend_chooses_the_builder_wins_and_unknown_values_are_errors() {
    let _restore = Restore(std::env::var_os(Backend::ENV_VAR));
    assert_eq!(Backend::ENV_VAR, "EVLOOP_BACKEND");

    for &backend in Backend::ALL {
        set_backend_var(Some(backend.name().as_ref()));
        let rt = Runtime::new().unwrap();
        common::assert_backend(&rt, backend);
        assert_eq!(
            rt.block_on(async { evloop::spawn(async { 2 }).await.unwrap() }),
            2
        );
        for &chosen in Backend::ALL {
            let built = Runtime::builder().backend(chosen).build().unwrap();
            common::assert_backend(&built, chosen);
        }
    }

    set_backend_var(Some("kqueue".as_ref()));
    for err in [
        Runtime::new().unwrap_err(),
        Runtime::builder().build().unwrap_err(),
    ] {
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        let text = err.to_string();
        assert!(text.contains("EVLOOP_BACKEND=\"kqueue\""), "{text}");
        assert!(text.contains("epoll, poll, select"), "{text}");
    }
    let chosen = Runtime::builder().backend(Backend::Poll).build().unwrap();
    assert_eq!(
        chosen.backend(),
        Backend::Poll,
        "a chosen backend never reads it"
    );
    let panic = catch_unwind(AssertUnwindSafe(|| evloop::run(async {}))).unwrap_err();
    let text = common::panic_text(&*panic);
    assert!(
        text.contains("kqueue") && text.contains("epoll, poll, select"),
        "{text}"
    );

    // Empty or unset: the default.
    set_backend_var(Some("".as_ref()));
    assert_eq!(Runtime::new().unwrap().backend(), Backend::Epoll);
    set_backend_var(None);
    assert_eq!(Runtime::new().unwrap().backend(), Backend::Epoll);
}
