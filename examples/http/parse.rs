//! A small, strict HTTP/1.x request-head parser for the examples (`http_hello`), kept
//! free of I/O so tests and a fuzz target can drive it with arbitrary bytes.
//!
//! It parses the request line and headers of one request from the front of a buffer and
//! says how many bytes the head and its body take. It never panics and never reads past
//! [`MAX_HEAD`] bytes looking for the end of the head.

use std::fmt;

/// The largest request head (request line and headers) accepted: 8 KiB, as nginx's
/// default. A larger head is answered with `431 Request Header Fields Too Large`.
pub const MAX_HEAD: usize = 8 * 1024;

/// The most headers one request may carry.
pub const MAX_HEADERS: usize = 64;

/// One parsed request head, borrowing from the buffer it was parsed from.
#[derive(Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The request target, e.g. `/index.html?x=1`.
    pub target: &'a str,
    /// The minor version: `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// The headers in order, names as sent, values trimmed of surrounding whitespace.
    pub headers: Vec<(&'a str, &'a [u8])>,
    /// Whether the connection stays open after the response (HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    pub keep_alive: bool,
    /// The body's length from `Content-Length` (0 without one).
    pub content_length: usize,
}

impl Request<'_> {
    /// The first value of header `name` (case-insensitive).
    #[allow(dead_code)]
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }
}

/// Why a request cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The bytes are not a valid HTTP/1.x request head: answer `400 Bad Request` and
    /// close the connection. The text says what was wrong.
    Malformed(&'static str),
    /// The head is longer than [`MAX_HEAD`]: answer `431` and close.
    HeadTooLarge,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(why) => write!(f, "malformed request: {why}"),
            Error::HeadTooLarge => write!(f, "request head over {MAX_HEAD} bytes"),
        }
    }
}

/// Parses the request head at the front of `buf`.
///
/// Returns `Ok(None)` if the head is not complete yet (read more and call again),
/// `Ok(Some((request, head_len)))` once it is (the body, `request.content_length` bytes,
/// follows at `buf[head_len..]`), or the [`Error`] to answer with.
pub fn parse(buf: &[u8]) -> Result<Option<(Request<'_>, usize)>, Error> {
    let window = &buf[..buf.len().min(MAX_HEAD)];
    let Some(end) = find(window, b"\r\n\r\n") else {
        if buf.len() >= MAX_HEAD {
            return Err(Error::HeadTooLarge);
        }
        // Reject garbage early instead of waiting for 8 KiB of it.
        if let Some(line_end) = find(buf, b"\r\n") {
            request_line(&buf[..line_end])?;
        } else if buf.contains(&b'\n') {
            return Err(Error::Malformed("line ends with a bare LF, not CRLF"));
        }
        return Ok(None);
    };
    let mut lines = Vec::new();
    let mut rest = &buf[..end];
    while let Some(i) = find(rest, b"\r\n") {
        lines.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    lines.push(rest);
    if lines
        .iter()
        .any(|line| line.iter().any(|&b| b == b'\r' || b == b'\n'))
    {
        return Err(Error::Malformed("bare CR or LF: lines must end with CRLF"));
    }
    let (method, target, minor_version) = request_line(lines[0])?;
    if lines.len() - 1 > MAX_HEADERS {
        return Err(Error::HeadTooLarge);
    }
    let headers = lines[1..]
        .iter()
        .map(|line| header(line))
        .collect::<Result<Vec<_>, _>>()?;

    let mut keep_alive = minor_version == 1;
    let mut content_length = None;
    for &(name, value) in &headers {
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(|&b| b == b',') {
                let token = trim(token);
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            let len = digits(value).ok_or(Error::Malformed("invalid Content-Length"))?;
            if content_length.is_some_and(|prev| prev != len) {
                return Err(Error::Malformed("conflicting Content-Length headers"));
            }
            content_length = Some(len);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Error::Malformed("Transfer-Encoding is not supported"));
        }
    }
    let request = Request {
        method,
        target,
        minor_version,
        headers,
        keep_alive,
        content_length: content_length.unwrap_or(0),
    };
    Ok(Some((request, end + 4)))
}

/// Parses `METHOD SP target SP HTTP/1.x`.
fn request_line(line: &[u8]) -> Result<(&str, &str, u8), Error> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::Malformed(
            "request line is not `METHOD target HTTP/1.x`",
        ));
    };
    if method.is_empty() || !method.iter().all(|&b| is_token(b)) {
        return Err(Error::Malformed("invalid method"));
    }
    if target.is_empty() || !target.iter().all(|&b| b.is_ascii_graphic()) {
        return Err(Error::Malformed("invalid request target"));
    }
    let minor_version = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        _ => return Err(Error::Malformed("unsupported HTTP version")),
    };
    // Both are ASCII, checked above.
    let method = std::str::from_utf8(method).map_err(|_| Error::Malformed("invalid method"))?;
    let target =
        std::str::from_utf8(target).map_err(|_| Error::Malformed("invalid request target"))?;
    Ok((method, target, minor_version))
}

/// Parses `Name: value`.
fn header(line: &[u8]) -> Result<(&str, &[u8]), Error> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(Error::Malformed("header line without a colon"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
        return Err(Error::Malformed("invalid header name"));
    }
    if value.iter().any(|&b| b == 0 || b == b'\n') {
        return Err(Error::Malformed("invalid byte in a header value"));
    }
    let name = std::str::from_utf8(name).map_err(|_| Error::Malformed("invalid header name"))?;
    Ok((name, trim(value)))
}

/// Whether `b` may appear in a method or header name (RFC 9110 `tchar`).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `bytes` without leading and trailing spaces and tabs.
fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t');
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t');
    match (start, end) {
        (Some(s), Some(e)) => &bytes[s..=e],
        _ => &[],
    }
}

/// A decimal number of at most 15 digits (no sign, no spaces), or `None`.
fn digits(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() || bytes.len() > 15 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    bytes.iter().try_fold(0usize, |n, &d| {
        n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
    })
}

/// The position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curl_request_parses() {
        let raw = b"GET /hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
        let (req, len) = parse(raw).unwrap().unwrap();
        assert_eq!(len, raw.len());
        assert_eq!(
            (req.method, req.target, req.minor_version),
            ("GET", "/hello?x=1", 1)
        );
        assert_eq!(req.header("host"), Some(&b"127.0.0.1:8080"[..]));
        assert_eq!(req.headers.len(), 3);
        assert!(req.keep_alive);
        assert_eq!(req.content_length, 0);
    }

    #[test]
    fn incomplete_heads_ask_for_more() {
        let raw = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        for cut in 0..raw.len() {
            assert_eq!(parse(&raw[..cut]), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn pipelined_requests_parse_one_at_a_time() {
        let raw = b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        let (a, len) = parse(raw).unwrap().unwrap();
        assert_eq!(a.target, "/a");
        let (b, _) = parse(&raw[len..]).unwrap().unwrap();
        assert_eq!(b.target, "/b");
    }

    #[test]
    fn connection_and_content_length_are_understood() {
        let close = parse(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap()
            .unwrap()
            .0;
        assert!(!close.keep_alive);
        let old = parse(b"GET / HTTP/1.0\r\n\r\n").unwrap().unwrap().0;
        assert!(!old.keep_alive);
        let old_ka = parse(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            .unwrap()
            .unwrap()
            .0;
        assert!(old_ka.keep_alive);
        let post = parse(b"POST / HTTP/1.1\r\nContent-Length:  5 \r\n\r\nhello")
            .unwrap()
            .unwrap();
        assert_eq!((post.0.content_length, post.1), (5, 40));
    }

    #[test]
    fn malformed_requests_are_rejected() {
        let bad: &[&[u8]] = &[
            b"GARBAGE\r\n\r\n",
            b"GET /\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET / HTTP/1.1 extra\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            b"GET / HTTP/1.1\r\n: empty\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\nHost: x\n\n",
            b"GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
            b"\r\n\r\n",
        ];
        for raw in bad {
            assert!(
                matches!(parse(raw), Err(Error::Malformed(_))),
                "{:?} gave {:?}",
                String::from_utf8_lossy(raw),
                parse(raw)
            );
        }
    }

    #[test]
    fn garbage_is_rejected_before_the_head_is_complete() {
        assert!(matches!(
            parse(b"HELLO THERE\r\n"),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(parse(b"hello\n"), Err(Error::Malformed(_))));
    }

    #[test]
    fn oversized_heads_are_431() {
        let mut raw = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        raw.resize(MAX_HEAD + 10, b'a');
        assert_eq!(parse(&raw), Err(Error::HeadTooLarge));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse(&many), Err(Error::HeadTooLarge));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            let mut buf = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 64) as usize;
            let alphabet = b"GET /HTP1.\r\n: aZ\t0";
            for i in 0..len {
                let pick = (seed.rotate_left(i as u32 * 5) % alphabet.len() as u64) as usize;
                buf.push(alphabet[pick]);
            }
            let _ = parse(&buf);
        }
    }
}
