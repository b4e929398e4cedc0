//! [`Target`]: where a request goes (scheme, host, port), read from its URI, and the
//! rewrite of the request into the form an HTTP/1.1 server expects.

use std::fmt;

use hyper::header::{HeaderValue, HOST};
use hyper::http::uri::{PathAndQuery, Scheme as UriScheme};
use hyper::{Request, Uri};

use super::Error;

/// The two schemes the client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Scheme {
    /// Plain HTTP over TCP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// A server the client connects to: the pool keeps connections per `Target`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    /// `http` or `https`.
    pub(crate) scheme: Scheme,
    /// The host as written in the URI, lowercased, without the brackets of an IPv6
    /// literal: what the resolver and TLS's server name get.
    pub(crate) host: String,
    /// The port, the scheme's default (80, 443) when the URI names none.
    pub(crate) port: u16,
}

impl Target {
    /// Reads the target of an absolute `http://` or `https://` URI.
    pub(crate) fn from_uri(uri: &Uri) -> Result<Target, Error> {
        let scheme = match uri.scheme() {
            Some(s) if *s == UriScheme::HTTP => Scheme::Http,
            Some(s) if *s == UriScheme::HTTPS => Scheme::Https,
            Some(other) => {
                return Err(Error::invalid_uri(
                    uri,
                    format!("the scheme `{other}` is not supported: use http:// or https://"),
                ))
            }
            None => return Err(Error::invalid_uri(
                uri,
                "the URI has no scheme and host: write it whole, e.g. http://127.0.0.1:8080/path",
            )),
        };
        let host = match uri.host() {
            Some(host) if !host.is_empty() => host,
            _ => return Err(Error::invalid_uri(uri, "the URI has no host")),
        };
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        });
        Ok(Target { scheme, host, port })
    }

    /// Turns `request` (whose URI is absolute) into what goes on the wire of an HTTP/1.1
    /// connection to this target: origin-form URI (`/path?query`) and a `Host` header,
    /// unless the caller set one.
    pub(crate) fn prepare<B>(&self, request: &mut Request<B>) -> Result<(), Error> {
        if !request.headers().contains_key(HOST) {
            let authority = request.uri().authority().map_or("", |a| a.as_str());
            // Userinfo (`user:pass@`) never goes into `Host`.
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let value = HeaderValue::from_str(host)
                .map_err(|_| Error::invalid_uri(request.uri(), "the host is not a valid header"))?;
            request.headers_mut().insert(HOST, value);
        }
        let path = request
            .uri()
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        *request.uri_mut() = Uri::from(path);
        Ok(())
    }
}

impl fmt::Display for Target {
    /// `http://host:port`, with brackets around an IPv6 host.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(uri: &str) -> Result<Target, Error> {
        Target::from_uri(&uri.parse().unwrap())
    }

    #[test]
    fn scheme_host_and_default_ports() {
        let t = target("http://127.0.0.1/x").unwrap();
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port),
            (Scheme::Http, "127.0.0.1", 80)
        );
        let t = target("https://LocalHost:8443").unwrap();
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port),
            (Scheme::Https, "localhost", 8443)
        );
        let t = target("http://[::1]:8080/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 8080));
        assert_eq!(t.to_string(), "http://[::1]:8080");
    }

    #[test]
    fn relative_and_foreign_uris_are_refused_with_the_reason() {
        for (uri, reason) in [
            ("/path", "no scheme"),
            ("ftp://127.0.0.1/", "`ftp` is not supported"),
        ] {
            let err = target(uri).unwrap_err();
            assert!(err.is_invalid_uri(), "{uri}: {err}");
            assert!(err.to_string().contains(reason), "{uri}: {err}");
        }
    }

    #[test]
    fn prepare_writes_origin_form_and_host() {
        let uri = "http://user:pw@127.0.0.1:8080/a/b?c=d";
        let mut request = Request::get(uri).body(()).unwrap();
        target(uri).unwrap().prepare(&mut request).unwrap();
        assert_eq!(request.uri(), "/a/b?c=d");
        assert_eq!(request.headers()[HOST], "127.0.0.1:8080");

        let mut request = Request::get("http://127.0.0.1")
            .header(HOST, "virtual")
            .body(())
            .unwrap();
        target("http://127.0.0.1")
            .unwrap()
            .prepare(&mut request)
            .unwrap();
        assert_eq!(request.uri(), "/");
        assert_eq!(request.headers()[HOST], "virtual");
    }
}
