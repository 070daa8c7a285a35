//! Page and item streams: the documented maximum page size, the end of a stream, and what bounds a stream
//! whatever the server sends: a repeated token, empty pages that say there are more, tokens too long to send.

use crate::common::*;
use futures_util::{StreamExt, TryStreamExt};
use generated_client::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn process_page(ids: &[&str], has_more: bool, token: Option<&str>) -> ResponseTemplate {
    let items: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    let mut data = json!({"has_more": has_more, "items": items});
    if let Some(token) = token {
        data["page_token"] = json!(token);
    }
    ok(data)
}

async fn mount_page(server: &MockServer, token: Option<&str>, response: ResponseTemplate) {
    let mock = Mock::given(method("GET")).and(path("/open-apis/hire/v1/job_processes"));
    let mock = match token {
        Some(token) => mock.and(query_param("page_token", token)),
        None => mock.and(wiremock::matchers::query_param_is_missing("page_token")),
    };
    mock.respond_with(response).mount(server).await;
}

#[tokio::test]
async fn items_stream_across_pages_with_the_maximum_page_size() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1", "2"], true, Some("p2"))).await;
    mount_page(&server, Some("p2"), process_page(&["3"], true, Some("p3"))).await;
    mount_page(&server, Some("p3"), process_page(&["4", "5"], false, None)).await;
    let client = client(&server.uri());
    let ids: Vec<String> = client
        .list_job_processes()
        .items()
        .map_ok(|p| p.id.unwrap_or_default())
        .try_collect()
        .await
        .expect("succeeds");
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.url.query().unwrap_or_default().contains("page_size=100")),
        "documented maximum"
    );

    let pages: Vec<ListJobProcessesData> = client
        .list_job_processes()
        .page_size(2)
        .pages()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(pages.len(), 3);
    let last = server
        .received_requests()
        .await
        .expect("recorded")
        .pop()
        .expect("a request");
    assert!(
        last.url.query().unwrap_or_default().contains("page_size=2"),
        "the caller's size is kept"
    );
}

#[tokio::test]
async fn a_missing_or_empty_token_ends_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, Some(""))).await;
    let items: Vec<JobProcess> = client(&server.uri())
        .list_job_processes()
        .items()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(items.len(), 1);
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);

    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, None)).await;
    let pages: Vec<_> = client(&server.uri())
        .list_job_processes()
        .pages()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(pages.len(), 1);
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, Some("same"))).await;
    mount_page(
        &server,
        Some("same"),
        process_page(&["2"], true, Some("same")),
    )
    .await;
    let results: Vec<Result<JobProcess, Error>> = client(&server.uri())
        .list_job_processes()
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "two items, then the error: {results:?}");
    assert!(matches!(
        &results[2],
        Err(Error::Pagination { problem: PaginationProblem::RepeatedToken { token }, .. }) if token == "same"
    ));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 2);
}

/// The page token of a request, if it has one.
fn token_of(request: &Request) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(name, _)| name == "page_token")
        .map(|(_, value)| value.into_owned())
}

/// A server whose every page of processes holds the items `items(n)` says for the n-th request (from 0), says
/// there are more, and gives a new token made by `token(n)`.
async fn endless_server(
    items: impl Fn(usize) -> usize + Send + Sync + 'static,
    token: impl Fn(usize) -> String + Send + Sync + 'static,
) -> MockServer {
    let server = MockServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/job_processes"))
        .respond_with(move |_: &Request| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let ids: Vec<Value> = (0..items(n))
                .map(|i| json!({"id": format!("{n}-{i}")}))
                .collect();
            ok(json!({"has_more": true, "page_token": token(n), "items": ids}))
        })
        .mount(&server)
        .await;
    server
}

/// Collects a stream, failing the test instead of hanging if it does not end.
async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .unwrap_or_else(|_| panic!("{what}: the stream did not end"))
}

#[tokio::test]
async fn endless_empty_pages_end_the_stream_after_the_documented_count() {
    let server = endless_server(|_| 0, |n| format!("next-{n}")).await;
    let results: Vec<Result<JobProcess, Error>> = within(
        "empty pages",
        client(&server.uri()).list_job_processes().items().collect(),
    )
    .await;
    assert_eq!(results.len(), 1, "no item, then the error: {results:?}");
    let err = results[0].as_ref().expect_err("an error");
    assert!(
        matches!(err, Error::Pagination { problem: PaginationProblem::EmptyPages { count }, .. } if *count == MAX_EMPTY_PAGES),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&MAX_EMPTY_PAGES.to_string()),
        "{err}"
    );
    assert!(!err.is_retryable());
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), MAX_EMPTY_PAGES);
}

#[tokio::test]
async fn empty_pages_between_full_ones_do_not_end_the_stream() {
    // Pages alternate: MAX_EMPTY_PAGES - 1 empty ones, then one item; after 30 pages, the server says no more.
    let server = MockServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/job_processes"))
        .respond_with(move |_: &Request| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let items = if n % MAX_EMPTY_PAGES == MAX_EMPTY_PAGES - 1 {
                vec![json!({"id": n.to_string()})]
            } else {
                vec![]
            };
            ok(json!({"has_more": n < 29, "page_token": format!("next-{n}"), "items": items}))
        })
        .mount(&server)
        .await;
    let items: Vec<JobProcess> = within(
        "runs of empty pages",
        client(&server.uri())
            .list_job_processes()
            .items()
            .try_collect(),
    )
    .await
    .expect("succeeds");
    assert_eq!(items.len(), 30 / MAX_EMPTY_PAGES);
    assert_eq!(
        server.received_requests().await.expect("recorded").len(),
        30
    );
}

#[tokio::test]
async fn many_long_distinct_tokens_are_followed_and_a_repeat_is_still_caught() {
    // Tokens of the longest length sent, all distinct: the stream remembers each as a 16-byte digest, not its
    // 4 KiB, and still knows the first one when it comes back after all the others.
    const PAGES: usize = 300;
    let long = |n: usize| format!("{n:08}{}", "t".repeat(MAX_PAGE_TOKEN_LEN - 8));
    let server = endless_server(|_| 1, move |n| long(if n < PAGES { n } else { 0 })).await;
    let results: Vec<Result<JobProcess, Error>> = within(
        "long tokens",
        client(&server.uri()).list_job_processes().items().collect(),
    )
    .await;
    assert_eq!(results.len(), PAGES + 2, "an item per page, then the error");
    assert!(results[..=PAGES].iter().all(Result::is_ok));
    let err = results[PAGES + 1].as_ref().expect_err("the repeat");
    assert!(
        matches!(err, Error::Pagination { problem: PaginationProblem::RepeatedToken { token }, .. } if *token == long(0)),
        "{err:?}"
    );
    assert!(
        err.to_string().len() < 200,
        "Display does not quote the token: {err}"
    );
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), PAGES + 1);
    assert_eq!(token_of(&requests[PAGES]), Some(long(PAGES - 1)));
}

#[tokio::test]
async fn a_token_too_long_for_a_url_is_a_pagination_error_sent_nowhere() {
    let huge = "x".repeat(70_000);
    let token = huge.clone();
    let server = endless_server(|_| 1, move |_| token.clone()).await;
    // A client that retries: the error is not one to retry.
    let results: Vec<Result<JobProcess, Error>> = within(
        "a huge token",
        retrying_client(&server.uri(), 3)
            .list_job_processes()
            .items()
            .collect(),
    )
    .await;
    assert_eq!(
        results.len(),
        2,
        "the first page's item, then the error: {results:?}"
    );
    let err = results[1].as_ref().expect_err("the error");
    assert!(
        matches!(
            err,
            Error::Pagination {
                problem: PaginationProblem::TokenTooLong { len: 70_000 },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(text.len() < 200 && !text.contains("xxxxxxxx"), "{text}");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);

    // The longest token allowed is sent; one byte more set on the request fails before any request.
    let fine = "y".repeat(MAX_PAGE_TOKEN_LEN);
    let pages = client(&server.uri())
        .list_job_processes()
        .page_token(&fine)
        .pages();
    let first = within("one page", pages.take(1).collect::<Vec<_>>()).await;
    assert!(first[0].is_ok(), "{first:?}");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(token_of(&requests[1]), Some(fine));

    let server = MockServer::start().await;
    let too_long = "z".repeat(MAX_PAGE_TOKEN_LEN + 1);
    let results: Vec<Result<JobProcess, Error>> = within(
        "a long token of the caller's",
        client(&server.uri())
            .list_job_processes()
            .page_token(too_long)
            .items()
            .collect(),
    )
    .await;
    assert!(
        matches!(
            results.as_slice(),
            [Err(Error::Pagination { problem: PaginationProblem::TokenTooLong { len }, .. })] if *len == MAX_PAGE_TOKEN_LEN + 1
        ),
        "{results:?}"
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn external_applications_page_with_their_own_maximum() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/external_applications"))
        .and(query_param("talent_id", "T1"))
        .and(query_param("page_size", "20"))
        .respond_with(ok(json!({"items": [{"id": "a"}], "has_more": false})))
        .mount(&server)
        .await;
    let apps: Vec<ExternalApplication> = client(&server.uri())
        .list_external_applications("T1")
        .items()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(apps.len(), 1);
}
