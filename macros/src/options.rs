//! The runtime options an attribute may carry (`debug = true`, ...): each a call on the
//! facade's `Builder`, except `start_paused`, which pauses the loop's clock before the body.

use proc_macro2::TokenStream;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{LitBool, LitInt};

/// The options accepted, for the "unknown option" message.
const KNOWN: &str = "`debug`, `slow_poll_threshold_ms`, `event_interval`, \
    `max_blocking_threads`, `timer_slack`, `start_paused`";

/// The `Builder` calls the attribute asked for, in the order written.
#[derive(Default)]
pub(crate) struct Options {
    /// Each option as a method call, e.g. `.debug(true)`.
    calls: Vec<TokenStream>,
    /// The option names seen so far, to reject one given twice.
    seen: Vec<String>,
    /// `start_paused = true`: the body runs with the loop's clock paused
    /// (`evloop::time::pause()` first).
    pub(crate) start_paused: bool,
}

impl Options {
    /// Reads one `key = value` option of attribute `attr` (`#[evloop::main]` or
    /// `#[evloop::test]`, for the messages).
    pub(crate) fn parse(&mut self, meta: ParseNestedMeta, attr: &str) -> syn::Result<()> {
        let Some(key) = meta.path.get_ident().map(ToString::to_string) else {
            return Err(meta.error(format!("unknown option: {attr} accepts {KNOWN}")));
        };
        if self.seen.contains(&key) {
            return Err(meta.error(format!("the option `{key}` is given twice")));
        }
        let call = match key.as_str() {
            "debug" | "timer_slack" => {
                let value = parse_bool(&meta, &key)?;
                let method = syn::Ident::new(&key, meta.path.get_ident().unwrap().span());
                quote!(.#method(#value))
            }
            "start_paused" => {
                self.start_paused = parse_bool(&meta, &key)?.value;
                self.seen.push(key);
                return Ok(());
            }
            "event_interval" | "max_blocking_threads" => {
                let value = parse_int(&meta, &key)?;
                if value.base10_parse::<u64>()? == 0 {
                    return Err(syn::Error::new(
                        value.span(),
                        format!("`{key}` must be at least 1"),
                    ));
                }
                let method = syn::Ident::new(&key, meta.path.get_ident().unwrap().span());
                quote!(.#method(#value))
            }
            "slow_poll_threshold_ms" => {
                let value = parse_int(&meta, &key)?;
                let ms = value.base10_parse::<u64>()?;
                quote!(.slow_poll_threshold(::core::time::Duration::from_millis(#ms)))
            }
            _ => return Err(meta.error(format!("unknown option `{key}`: {attr} accepts {KNOWN}"))),
        };
        self.seen.push(key);
        self.calls.push(call);
        Ok(())
    }

    /// The expression that builds the runtime, panicking with `attr` in the message if
    /// the OS refuses (no epoll or eventfd left).
    pub(crate) fn build_runtime(&self, attr: &str) -> TokenStream {
        let calls = &self.calls;
        let failed = format!("{attr} could not create the evloop runtime");
        quote! {
            ::evloop::Builder::new() #(#calls)* .build().expect(#failed)
        }
    }
}

/// The `true` or `false` after `key =`, or an error that names the key.
fn parse_bool(meta: &ParseNestedMeta, key: &str) -> syn::Result<LitBool> {
    meta.value()?.parse().map_err(|e: syn::Error| {
        syn::Error::new(e.span(), format!("`{key}` takes `true` or `false`"))
    })
}

/// The integer literal after `key =`, or an error that names the key.
fn parse_int(meta: &ParseNestedMeta, key: &str) -> syn::Result<LitInt> {
    let value: LitInt = meta.value()?.parse().map_err(|e: syn::Error| {
        syn::Error::new(
            e.span(),
            format!("`{key}` takes an integer, e.g. `{key} = 32`"),
        )
    })?;
    value.base10_parse::<u64>()?;
    Ok(value)
}
