//! [`IntoUri`]: what [`Client::get`](super::Client::get) accepts as a URI.

use hyper::Uri;

use super::Error;

/// A URI, or text to parse as one: [`Uri`], `&Uri`, `&str`, `String` and `&String`.
///
/// Text that does not parse gives an [`Error`] for which
/// [`is_invalid_uri`](Error::is_invalid_uri) is true, quoting the text. The trait is
/// sealed.
///
/// ```
/// use evloop_hyper::client::IntoUri;
/// let uri = "http://127.0.0.1:8080/x".into_uri().unwrap();
/// assert_eq!(uri.port_u16(), Some(8080));
/// let err = "http://exa mple/".into_uri().unwrap_err();
/// assert!(err.is_invalid_uri() && err.to_string().contains("`http://exa mple/`"), "{err}");
/// ```
pub trait IntoUri: sealed::Sealed {
    /// The URI, or why the text is not one.
    ///
    /// ```
    /// use evloop_hyper::client::IntoUri;
    /// let uri: hyper::Uri = "https://localhost/".parse().unwrap();
    /// assert_eq!(uri.clone().into_uri().unwrap(), uri);
    /// ```
    fn into_uri(self) -> Result<Uri, Error>;
}

/// Parses `text`, naming it in the error.
fn parse(text: &str) -> Result<Uri, Error> {
    text.parse::<Uri>().map_err(|e| {
        if text.contains("://") {
            Error::invalid_uri(text, e)
        } else {
            Error::invalid_uri(
                text,
                "the URI has no scheme and host: write it whole, e.g. http://127.0.0.1:8080/path",
            )
        }
    })
}

impl IntoUri for Uri {
    fn into_uri(self) -> Result<Uri, Error> {
        Ok(self)
    }
}

impl IntoUri for &Uri {
    fn into_uri(self) -> Result<Uri, Error> {
        Ok(self.clone())
    }
}

impl IntoUri for &str {
    fn into_uri(self) -> Result<Uri, Error> {
        parse(self)
    }
}

impl IntoUri for String {
    fn into_uri(self) -> Result<Uri, Error> {
        parse(&self)
    }
}

impl IntoUri for &String {
    fn into_uri(self) -> Result<Uri, Error> {
        parse(self)
    }
}

/// Keeps [`IntoUri`] implemented only here.
mod sealed {
    /// The supertrait no other crate can implement.
    pub trait Sealed {}
    impl Sealed for hyper::Uri {}
    impl Sealed for &hyper::Uri {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
}
