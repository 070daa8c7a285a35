//! Streams over the pages of a paginated operation ([`Pages`]), and over the items of those pages ([`Items`]).
//!
//! A stream is bounded whatever the server sends: a token it sent before, [`MAX_EMPTY_PAGES`] empty pages in a
//! row that still say there are more, and a token longer than [`MAX_PAGE_TOKEN_LEN`] each end it with
//! [`Error::Pagination`]. The tokens seen are remembered as 128-bit keyed digests, not as the tokens.

use crate::Error;
use futures_core::Stream;
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::task::{Context, Poll};

/// How many pages in a row may hold no item while they say there are more (`has_more` and a next token): the
/// stream fetches this many, then ends with [`Error::Pagination`] ([`PaginationProblem::EmptyPages`]) instead of
/// asking again. A server that keeps saying "more" with nothing in it would otherwise be asked forever.
pub const MAX_EMPTY_PAGES: usize = 5;

/// The longest page token a page stream sends, in bytes: 4 KiB, far above Feishu's tokens (tens of
/// characters) and well within what a request's URL carries once percent-encoded. A longer token, from the
/// server or set on the request, ends the stream with [`Error::Pagination`]
/// ([`PaginationProblem::TokenTooLong`]) without a request.
pub const MAX_PAGE_TOKEN_LEN: usize = 4096;

/// Why a page stream stopped with [`Error::Pagination`]. None of these is retried: asking again would get the
/// same pages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationProblem {
    /// The server sent a next page token it had sent before in this stream: the pages would loop.
    RepeatedToken {
        /// The repeated token (at most [`MAX_PAGE_TOKEN_LEN`] bytes; not shown by `Display`).
        token: String,
    },
    /// The server sent `count` ([`MAX_EMPTY_PAGES`]) pages in a row with no items that still said there were
    /// more.
    EmptyPages {
        /// How many empty pages came in a row.
        count: usize,
    },
    /// A page token is longer than [`MAX_PAGE_TOKEN_LEN`]; it was not sent.
    TokenTooLong {
        /// Its length, in bytes.
        len: usize,
    },
}

impl fmt::Display for PaginationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationProblem::RepeatedToken { token } => write!(
                f,
                "the server repeated a page token ({} bytes); stopping instead of looping",
                token.len()
            ),
            PaginationProblem::EmptyPages { count } => write!(
                f,
                "the server sent {count} pages in a row with no items that still said there were more; \
                 stopping instead of asking forever"
            ),
            PaginationProblem::TokenTooLong { len } => write!(
                f,
                "a page token of {len} bytes is longer than a request can carry ({MAX_PAGE_TOKEN_LEN} bytes, \
                 `MAX_PAGE_TOKEN_LEN`); it was not sent"
            ),
        }
    }
}

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
    /// The page token set on the request.
    fn page_token(&self) -> Option<&str>;
    /// Sets the page token of the next request.
    fn set_page_token(&mut self, token: Option<String>);
    /// Sets the page size to the documented maximum unless the caller chose one.
    fn fill_page_size(&mut self);
    /// Sends the request.
    fn fetch(&self) -> PageFuture<Self::Page>;
    /// `has_more` and the next page token of a page.
    fn next_token(page: &Self::Page) -> (bool, Option<&str>);
    /// Whether a page holds no item.
    fn holds_no_items(page: &Self::Page) -> bool;
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

            fn page_token(&self) -> Option<&str> {
                self.$token.as_deref()
            }

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

            fn holds_no_items(page: &$page) -> bool {
                page.$items.as_ref().is_none_or(Vec::is_empty)
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
                "empty. It fails with [`Error::Pagination`](crate::Error::Pagination) if the server repeats a ",
                "token, sends [`MAX_EMPTY_PAGES`](crate::MAX_EMPTY_PAGES) pages in a row with no items that still ",
                "say there are more, or a token longer than [`MAX_PAGE_TOKEN_LEN`](crate::MAX_PAGE_TOKEN_LEN) ",
                "bytes (a token that long set on this request fails before any request)."
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
    guard: Guard,
    finished: bool,
    failure: Option<Error>,
}

/// What keeps a page stream bounded: the digests of the tokens seen, and the run of empty pages.
struct Guard {
    /// Two independently keyed hashers: together, a 128-bit digest of a token.
    keys: (RandomState, RandomState),
    seen: HashSet<u128>,
    empty_in_a_row: usize,
}

impl Guard {
    fn new() -> Self {
        Guard {
            keys: (RandomState::new(), RandomState::new()),
            seen: HashSet::new(),
            empty_in_a_row: 0,
        }
    }

    fn digest(&self, token: &str) -> u128 {
        (u128::from(self.keys.0.hash_one(token)) << 64) | u128::from(self.keys.1.hash_one(token))
    }

    /// Checks a token before it is sent: its length, and whether it was seen before in this stream.
    fn token(&mut self, token: &str) -> Result<(), PaginationProblem> {
        if token.len() > MAX_PAGE_TOKEN_LEN {
            return Err(PaginationProblem::TokenTooLong { len: token.len() });
        }
        if !self.seen.insert(self.digest(token)) {
            return Err(PaginationProblem::RepeatedToken {
                token: token.to_owned(),
            });
        }
        Ok(())
    }

    /// Counts a page that says there are more: one more empty one in a row, or none.
    fn page(&mut self, empty: bool) -> Result<(), PaginationProblem> {
        self.empty_in_a_row = if empty { self.empty_in_a_row + 1 } else { 0 };
        if self.empty_in_a_row >= MAX_EMPTY_PAGES {
            return Err(PaginationProblem::EmptyPages {
                count: self.empty_in_a_row,
            });
        }
        Ok(())
    }
}

/// Every page of a request, fetched lazily: what `pages()` of a paginated request builder returns. It ends after
/// a page with `has_more == false` or without a token. After the page that caused it, a token seen before,
/// [`MAX_EMPTY_PAGES`] empty pages in a row that say there are more, or a token longer than
/// [`MAX_PAGE_TOKEN_LEN`] end it with [`Error::Pagination`]; so does a token that long set on the request,
/// before any request.
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
    let mut guard = Guard::new();
    // The caller's token is checked like the server's; a server that sends it back is repeating it.
    let failure = request
        .page_token()
        .filter(|token| !token.is_empty())
        .and_then(|token| guard.token(token).err())
        .map(|problem| Error::Pagination {
            operation: R::OPERATION_ID,
            problem,
        });
    let state = State {
        request,
        guard,
        finished: failure.is_some(),
        failure,
    };
    stream::try_unfold(state, |mut state| async move {
        if let Some(failure) = state.failure.take() {
            return Err(failure);
        }
        // After a failure, `try_unfold` ends the stream: nothing follows the error.
        if state.finished {
            return Ok(None);
        }
        let page = state.request.fetch().await?;
        let (has_more, token) = R::next_token(&page);
        match token.filter(|t| has_more && !t.is_empty()) {
            Some(token) => {
                let empty = R::holds_no_items(&page);
                let checked = state
                    .guard
                    .token(token)
                    .and_then(|()| state.guard.page(empty));
                match checked {
                    Ok(()) => state.request.set_page_token(Some(token.to_owned())),
                    Err(problem) => {
                        state.failure = Some(Error::Pagination {
                            operation: R::OPERATION_ID,
                            problem,
                        });
                    }
                }
            }
            None => state.finished = true,
        }
        Ok(Some((page, state)))
    })
}
