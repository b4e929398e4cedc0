//! Fuzzes the HTTP/1.x request-head parser of the `http_hello` example
//! (`examples/http/parse.rs`) with arbitrary bytes.
//!
//! Beyond "never panics", it checks what a streaming server relies on:
//! - a complete head is at most `MAX_HEAD` bytes, ends with CRLF CRLF, and has at most
//!   `MAX_HEADERS` headers;
//! - the bytes after the head do not change how the head parses;
//! - every strict prefix of a valid head asks for more (`Ok(None)`): a request split
//!   across reads is never rejected.
//!
//! Run: `cargo +nightly fuzz run http_parse -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../examples/http/parse.rs"]
mod parse;

use parse::{parse, MAX_HEAD, MAX_HEADERS};

fuzz_target!(|data: &[u8]| {
    let Ok(Some((request, len))) = parse(data) else {
        return;
    };
    assert!(len <= data.len() && len <= MAX_HEAD, "head length {len}");
    assert_eq!(&data[len - 4..len], b"\r\n\r\n");
    assert!(request.headers.len() <= MAX_HEADERS);
    assert!(!request.method.is_empty() && !request.target.is_empty());

    // The head alone parses the same as the head followed by anything.
    let alone = parse(&data[..len]);
    assert_eq!(alone, Ok(Some((request, len))));

    // Every strict prefix asks for more. Checking each cut would make a run quadratic;
    // check the cuts next to line ends (where the parser changes its mind) and 32 more
    // spread over the head.
    let stride = (len / 32).max(1);
    for cut in 0..len {
        let near_line_end = data[cut.saturating_sub(2)..(cut + 2).min(len)].contains(&b'\n');
        if cut % stride == 0 || near_line_end {
            assert_eq!(parse(&data[..cut]), Ok(None), "cut at {cut} of {len}");
        }
    }
});
