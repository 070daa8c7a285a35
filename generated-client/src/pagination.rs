//! Streams over the pages of a paginated operation, and over the items of those pages.

use crate::Error;
use futures_core::Stream;
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

/// The future of one page.
pub(crate) type PageFuture<P> = Pin<Box<dyn Future<Output = Result<P, Error>> + Send>>;

/// What a paginated request builder tells the page streams; generated from `x-pagination`.
pub(crate) trait Paginated: Clone + Send + Sync + 'static {
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

struct State<R> {
    request: R,
    seen: HashSet<String>,
    finished: bool,
    failure: Option<Error>,
}

/// Every page of `request`, fetched lazily. Ends after a page with `has_more == false` or without a token;
/// a token seen before ends the stream with [`Error::Pagination`] after the page that repeated it.
pub(crate) fn pages<R: Paginated>(
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

/// Every item of every page of `request`, in order.
pub(crate) fn items<R: Paginated>(
    request: R,
) -> impl Stream<Item = Result<R::Item, Error>> + Send + 'static {
    pages(request)
        .map_ok(|page| stream::iter(R::into_items(page)).map(Ok))
        .try_flatten()
}
