//! Checks the annotated function and writes the expansion: a plain `fn` that builds a
//! runtime and `block_on`s the original body, kept as an inner `async fn`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Signature};

use crate::options::Options;

/// Which attribute is being expanded.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `#[evloop::main]`.
    Main,
    /// `#[evloop::test]`.
    Test,
}

impl Kind {
    /// The attribute as the user writes it, for messages.
    fn attr(self) -> &'static str {
        match self {
            Kind::Main => "#[evloop::main]",
            Kind::Test => "#[evloop::test]",
        }
    }
}

/// Expands `item` under the attribute `kind` with options `args`; on bad input, a
/// `compile_error!` with a message that says what to write instead.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let attr = kind.attr();
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(e) => {
            let message = format!("{attr} goes on an `async fn`");
            let error = syn::Error::new(e.span(), message).to_compile_error();
            return quote!(#error #item);
        }
    };
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| options.parse(meta, attr));
    let checked = syn::parse::Parser::parse2(parser, args).and_then(|()| check(kind, &function));
    match checked {
        Ok(()) => write(kind, &options, function),
        Err(error) => {
            // The error, and an empty function of the same name in place of the bad one,
            // so that no follow-on error ("`main` function not found") buries the message.
            let error = error.to_compile_error();
            let (vis, ident) = (&function.vis, &function.sig.ident);
            quote!(#error #[allow(dead_code)] #vis fn #ident() {})
        }
    }
}

/// Rejects what the expansion cannot run: a non-`async` function, parameters, generics,
/// and (for tests) a second `#[test]`.
fn check(kind: Kind, function: &ItemFn) -> syn::Result<()> {
    let attr = kind.attr();
    let sig: &Signature = &function.sig;
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span,
            format!("{attr} needs an `async fn`: write `async fn {name}()`"),
        ));
    }
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new(
            sig.inputs.span(),
            format!("{attr} functions take no parameters: `{name}` is called by the runtime"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("{attr} functions cannot be generic"),
        ));
    }
    if let Kind::Test = kind {
        if let Some(test) = function.attrs.iter().find(|a| a.path().is_ident("test")) {
            return Err(syn::Error::new(
                test.span(),
                "#[evloop::test] already makes the function a test: remove this `#[test]`",
            ));
        }
    }
    Ok(())
}

/// The expansion: the original attributes and visibility on a plain `fn` with the same
/// name and return type, whose body builds the runtime and runs the original body (an
/// inner `async fn`, so `?` and `return` keep their meaning) to completion, after
/// `evloop::time::pause()` if `start_paused = true`.
fn write(kind: Kind, options: &Options, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let (name, output) = (&sig.ident, &sig.output);
    let runtime = options.build_runtime(kind.attr());
    let test_attr = match kind {
        Kind::Main => quote!(),
        Kind::Test => quote!(#[::core::prelude::v1::test]),
    };
    let body = quote_spanned!(block.span()=> __evloop_body);
    let run_body = if options.start_paused {
        quote!(async {
            ::evloop::time::pause();
            #body().await
        })
    } else {
        quote!(#body())
    };
    quote! {
        #test_attr
        #(#attrs)*
        #vis fn #name() #output {
            async fn #body() #output #block
            #runtime.block_on(#run_body)
        }
    }
}
