//! Page and item streams: the documented maximum page size, the end of a stream, a repeated token.

use crate::common::*;
use futures_util::{StreamExt, TryStreamExt};
use generated_client::*;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
    assert!(matches!(&results[2], Err(Error::Pagination { token, .. }) if token == "same"));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 2);
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
