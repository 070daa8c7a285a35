//! Streams over the pages of a paginated operation ([`Pages`]), and over the items of those pages ([`Items`]).

use crate::Error;
use futures_core::Stream;
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of one page.
pub type PageFuture<P> = Pin<Box<dyn Future<Output = Result<P, Error>> + Send>>;

pub(crate) mod sealed {
    /// Keeps [`Paginated`](super::Paginated) to the request builders of this crate.
    pub trait Sealed {}
}

/// What a paginated request builder tells the page streams ([`Pages`], [`Items`]). Implemented by the request
/// builders of the paginated operations, from the spec's `x-pagination`; sealed, so it cannot be implemented
/// elsewhere.
pub trait Paginated: sealed::Sealed + Clone + Send + Sync + 'static {
    /// The operation, for errors.
    const OPERATION_ID: &'static str;
    /// The `data` of one page.
    type Page: Send + 'static;
    /// One item of a page.
    type Item: Send + 'static;
    /// Sets the page token of the next request.
    fn set_page_token(&mut self, token: Option<String>);
    /// Sets the page size to the documented maximum unless the caller chose one.
    fn fill_page_size(&mut self);
    /// Sends the request.
    fn fetch(&self) -> PageFuture<Self::Page>;
    /// `has_more` and the next page token of a page.
    fn next_token(page: &Self::Page) -> (bool, Option<&str>);
    /// The items of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// The page streams of a paginated request builder, from its `x-pagination`: the builder, its page (`data`)
/// and item types, the page token parameter, the `data` fields of the next token, `has_more` and the items, and
/// the page size parameter with its documented maximum, when the operation has one. The generated code invokes
/// it once per paginated builder.
macro_rules! paginated {
    (
        $builder:ident, $page:ident, $item:ty,
        page_token: $token:ident,
        next_token: $next:ident,
        has_more: $has_more:ident,
        items: $items:ident
        $(, page_size: $size:ident = $max:literal)? $(,)?
    ) => {
        impl crate::pagination::sealed::Sealed for $builder {}

        impl crate::pagination::Paginated for $builder {
            const OPERATION_ID: &'static str = $builder::OPERATION.id;
            type Page = $page;
            type Item = $item;

            fn set_page_token(&mut self, token: Option<String>) {
                self.$token = token;
            }

            fn fill_page_size(&mut self) {
                $(
                    if self.$size.is_none() {
                        self.$size = Some($max);
                    }
                )?
            }

            fn fetch(&self) -> crate::pagination::PageFuture<$page> {
                let request = self.clone();
                Box::pin(async move { request.send().await })
            }

            fn next_token(page: &$page) -> (bool, Option<&str>) {
                (page.$has_more.unwrap_or(false), page.$next.as_deref())
            }

            fn into_items(page: $page) -> Vec<$item> {
                page.$items.unwrap_or_default()
            }
        }

        impl $builder {
            #[doc = concat!(
                "Every page, fetched one after another as the stream is polled, starting from the page token set ",
                "on this request.",
                $(" Unless `", stringify!($size), "` is set, pages hold ", stringify!($max),
                  " items, the documented maximum.",)?
                "\n\nThe stream ends when `", stringify!($has_more), "` is false or the next token is missing or ",
                "empty, and fails with [`Error::Pagination`](crate::Error::Pagination) if the server repeats a token."
            )]
            pub fn pages(self) -> crate::pagination::Pages<Self> {
                crate::pagination::Pages::new(self)
            }

            /// Every item of every page, in order; see [`pages`](Self::pages).
            pub fn items(self) -> crate::pagination::Items<Self> {
                crate::pagination::Items::new(self)
            }
        }
    };
}

pub(crate) use paginated;

struct State<R> {
    request: R,
    seen: HashSet<String>,
    finished: bool,
    failure: Option<Error>,
}

/// Every page of a request, fetched lazily: what `pages()` of a paginated request builder returns. It ends after
/// a page with `has_more == false` or without a token; a token seen before ends it with [`Error::Pagination`]
/// after the page that repeated it.
#[must_use = "a stream does nothing until polled"]
pub struct Pages<R: Paginated> {
    inner: Pin<Box<dyn Stream<Item = Result<R::Page, Error>> + Send>>,
}

impl<R: Paginated> Pages<R> {
    /// The pages of `request`, from the page token set on it.
    pub(crate) fn new(request: R) -> Self {
        Pages {
            inner: Box::pin(pages(request)),
        }
    }
}

impl<R: Paginated> Stream for Pages<R> {
    type Item = Result<R::Page, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<R: Paginated> fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &R::OPERATION_ID)
            .finish_non_exhaustive()
    }
}

/// Every item of every page of a request, in order: what `items()` of a paginated request builder returns.
#[must_use = "a stream does nothing until polled"]
pub struct Items<R: Paginated> {
    inner: Pin<Box<dyn Stream<Item = Result<R::Item, Error>> + Send>>,
}

impl<R: Paginated> Items<R> {
    /// The items of `request`, from the page token set on it.
    pub(crate) fn new(request: R) -> Self {
        let items = pages(request)
            .map_ok(|page| stream::iter(R::into_items(page)).map(Ok))
            .try_flatten();
        Items {
            inner: Box::pin(items),
        }
    }
}

impl<R: Paginated> Stream for Items<R> {
    type Item = Result<R::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<R: Paginated> fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("operation", &R::OPERATION_ID)
            .finish_non_exhaustive()
    }
}

fn pages<R: Paginated>(
    mut request: R,
) -> impl Stream<Item = Result<R::Page, Error>> + Send + 'static {
    request.fill_page_size();
    let state = State {
        request,
        seen: HashSet::new(),
        finished: false,
        failure: None,
    };
    stream::try_unfold(state, |mut state| async move {
        if let Some(failure) = state.failure.take() {
            return Err(failure);
        }
        if state.finished {
            return Ok(None);
        }
        let page = state.request.fetch().await?;
        let (has_more, token) = R::next_token(&page);
        match token.filter(|t| has_more && !t.is_empty()) {
            Some(token) if !state.seen.insert(token.to_owned()) => {
                state.failure = Some(Error::Pagination {
                    operation: R::OPERATION_ID,
                    token: token.to_owned(),
                });
            }
            Some(token) => {
                let token = token.to_owned();
                state.request.set_page_token(Some(token));
            }
            None => state.finished = true,
        }
        Ok(Some((page, state)))
    })
}
