//! [`RequestBody`]: any request body, boxed, so one pooled connection type carries them
//! all.

use std::pin::Pin;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;

use super::error::BoxError;

/// A request body of any type (`Empty`, `Full`, a stream, another response's
/// `Incoming`): one allocation per request buys one connection type per pool. It need
/// not be `Send`: it stays on the loop's thread.
pub(crate) type RequestBody = Pin<Box<dyn Body<Data = Bytes, Error = BoxError>>>;

/// Boxes `body`.
pub(crate) fn boxed<B>(body: B) -> RequestBody
where
    B: Body<Data = Bytes> + 'static,
    B::Error: Into<BoxError>,
{
    Box::pin(body.map_err(Into::into))
}
