//! The `HasKind` derive of the [grassroots](https://docs.rs/grassroots)
//! crate. Use it through `grassroots::workflow::HasKind`; see that crate's
//! docs for what it generates.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, parse_macro_input};

/// Derives `grassroots::workflow::HasKind` for an enum, generating its kind:
/// a `Copy` enum with one fieldless variant per variant of the input, named
/// after the input with `Kind` appended (`#[kind(name = OtherName)]` renames
/// it).
///
/// A variant that wraps another workflow's value — one unnamed field whose
/// type implements `HasKind` — is marked `#[kind(embed)]`: its kind carries
/// the embedded kind, and its name is the variant's name, a dot and the
/// embedded kind's name (`Ladder.Started`).
#[proc_macro_derive(HasKind, attributes(kind))]
pub fn derive_has_kind(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

enum Shape {
    Plain,
    Embedded(Box<Type>),
}

struct Variant {
    ident: Ident,
    fields: Fields,
    shape: Shape,
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "HasKind cannot be derived for a generic enum",
        ));
    }
    let name = &input.ident;
    let mut kind_name = format_ident!("{}Kind", name);
    let mut single: Option<Ident> = None;
    for attr in &input.attrs {
        if !attr.path().is_ident("kind") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                kind_name = meta.value()?.parse()?;
                Ok(())
            } else if meta.path.is_ident("variant") {
                single = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error("expected `name = KindName` or, on a struct, `variant = Name`"))
            }
        })?;
    }
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(_) => return Ok(expand_struct(input, &kind_name, single)),
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "HasKind can only be derived for an enum or a struct",
            ));
        }
    };
    if single.is_some() {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`variant = Name` applies to a struct; an enum's kinds are its variants",
        ));
    }
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "HasKind needs at least one variant",
        ));
    }
    let mut variants = Vec::new();
    for v in &data.variants {
        let mut embed = false;
        for attr in &v.attrs {
            if !attr.path().is_ident("kind") {
                continue;
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("embed") {
                    embed = true;
                    Ok(())
                } else {
                    Err(meta.error("expected `embed`"))
                }
            })?;
        }
        let shape = if embed {
            match &v.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    Shape::Embedded(Box::new(f.unnamed[0].ty.clone()))
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &v.ident,
                        "an embedded variant has exactly one unnamed field",
                    ));
                }
            }
        } else {
            Shape::Plain
        };
        variants.push(Variant {
            ident: v.ident.clone(),
            fields: v.fields.clone(),
            shape,
        });
    }

    let kind_variants: Vec<TokenStream2> = variants
        .iter()
        .map(|v| {
            let ident = &v.ident;
            let doc = LitStr::new(&format!("[`{name}::{ident}`]."), Span::call_site());
            match &v.shape {
                Shape::Plain => quote!(#[doc = #doc] #ident),
                Shape::Embedded(ty) => {
                    quote!(#[doc = #doc] #ident(<#ty as ::grassroots::workflow::HasKind>::Kind))
                }
            }
        })
        .collect();
    let kind_arms: Vec<TokenStream2> = variants
        .iter()
        .map(|v| {
            let ident = &v.ident;
            match (&v.shape, &v.fields) {
                (Shape::Embedded(_), _) => quote!(
                    #name::#ident(inner) => #kind_name::#ident(::grassroots::workflow::HasKind::kind(inner))
                ),
                (Shape::Plain, Fields::Unit) => quote!(#name::#ident => #kind_name::#ident),
                (Shape::Plain, Fields::Unnamed(_)) => quote!(#name::#ident(..) => #kind_name::#ident),
                (Shape::Plain, Fields::Named(_)) => quote!(#name::#ident { .. } => #kind_name::#ident),
            }
        })
        .collect();
    Ok(generate(
        input,
        &kind_name,
        &variants,
        &kind_variants,
        &quote!(match self { #(#kind_arms,)* }),
    ))
}

/// A struct is a workflow with one kind of state (or event, or command):
/// its kind has one variant, named after the struct unless
/// `#[kind(variant = Name)]` says otherwise.
fn expand_struct(input: &DeriveInput, kind_name: &Ident, single: Option<Ident>) -> TokenStream2 {
    let name = &input.ident;
    let ident = single.unwrap_or_else(|| name.clone());
    let doc = LitStr::new(&format!("[`{name}`]: its only kind."), Span::call_site());
    let variants = [Variant {
        ident: ident.clone(),
        fields: Fields::Unit,
        shape: Shape::Plain,
    }];
    generate(
        input,
        kind_name,
        &variants,
        &[quote!(#[doc = #doc] #ident)],
        &quote!(#kind_name::#ident),
    )
}

fn generate(
    input: &DeriveInput,
    kind_name: &Ident,
    variants: &[Variant],
    kind_variants: &[TokenStream2],
    kind_body: &TokenStream2,
) -> TokenStream2 {
    let name = &input.ident;
    let krate = quote!(::grassroots::workflow);
    let vis = &input.vis;
    let doc = LitStr::new(
        &format!(
            "The kind of a [`{name}`]: which variant it is, without its data. \
             Generated by `#[derive(HasKind)]`."
        ),
        Span::call_site(),
    );

    // The number of kinds each variant stands for, and the running offsets.
    let sizes: Vec<TokenStream2> = variants
        .iter()
        .map(|v| match &v.shape {
            Shape::Plain => quote!(1usize),
            Shape::Embedded(ty) => {
                quote!(<<#ty as #krate::HasKind>::Kind as #krate::Kind>::COUNT)
            }
        })
        .collect();
    let mut offsets = Vec::new();
    let mut running = quote!(0usize);
    for size in &sizes {
        offsets.push(running.clone());
        running = quote!(#running + #size);
    }
    let count = running;

    let index_arms = variants.iter().zip(&offsets).map(|(v, offset)| {
        let ident = &v.ident;
        match &v.shape {
            Shape::Plain => quote!(Self::#ident => #offset),
            Shape::Embedded(_) => {
                quote!(Self::#ident(inner) => #offset + #krate::Kind::index(inner))
            }
        }
    });
    let from_index_steps = variants.iter().zip(&sizes).map(|(v, size)| {
        let ident = &v.ident;
        let found = match &v.shape {
            Shape::Plain => quote!(::core::option::Option::Some(Self::#ident)),
            Shape::Embedded(_) => {
                quote!(#krate::Kind::from_index(index).map(Self::#ident))
            }
        };
        quote! {
            if index < #size {
                return #found;
            }
            index -= #size;
        }
    });
    let name_arms = variants.iter().map(|v| {
        let ident = &v.ident;
        let text = LitStr::new(&ident.to_string(), ident.span());
        match &v.shape {
            Shape::Plain => quote!(Self::#ident => out.write_str(#text)),
            Shape::Embedded(_) => {
                let prefix = LitStr::new(&format!("{ident}."), ident.span());
                quote!(Self::#ident(inner) => {
                    out.write_str(#prefix)?;
                    #krate::Kind::write_name(inner, out)
                })
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #vis enum #kind_name {
            #(#kind_variants,)*
        }

        impl #krate::Kind for #kind_name {
            const COUNT: usize = #count;

            #[inline]
            fn index(self) -> usize {
                match self {
                    #(#index_arms,)*
                }
            }

            fn from_index(index: usize) -> ::core::option::Option<Self> {
                let mut index = index;
                #(#from_index_steps)*
                let _ = index;
                ::core::option::Option::None
            }

            fn write_name(self, out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                match self {
                    #(#name_arms,)*
                }
            }
        }

        impl ::core::fmt::Display for #kind_name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #krate::Kind::write_name(*self, f)
            }
        }

        impl ::grassroots::__private::serde::Serialize for #kind_name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: ::grassroots::__private::serde::Serializer,
            {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::grassroots::__private::serde::Deserialize<'de> for #kind_name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: ::grassroots::__private::serde::Deserializer<'de>,
            {
                ::grassroots::__private::deserialize_kind(deserializer)
            }
        }

        impl ::core::cmp::PartialEq<str> for #kind_name {
            fn eq(&self, name: &str) -> bool {
                #krate::Kind::is_named(*self, name)
            }
        }

        impl ::core::cmp::PartialEq<&str> for #kind_name {
            fn eq(&self, name: &&str) -> bool {
                #krate::Kind::is_named(*self, name)
            }
        }

        impl ::core::str::FromStr for #kind_name {
            type Err = #krate::UnknownKind;

            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                #krate::Kind::from_name(s).ok_or_else(|| #krate::UnknownKind::new(s))
            }
        }

        impl #krate::HasKind for #name {
            type Kind = #kind_name;

            #[inline]
            fn kind(&self) -> #kind_name {
                #kind_body
            }
        }
    }
}
