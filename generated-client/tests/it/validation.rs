//! Documented constraints are checked before sending: a clear error and no request.

use crate::common::assert_invalid;
use futures_util::StreamExt;
use generated_client::*;
use wiremock::MockServer;

#[tokio::test]
async fn documented_constraints_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = crate::common::client(&server.uri());
    assert_invalid(
        &server,
        client.list_job_processes().page_size(101).send().await,
        "page_size",
        "at most 100",
    )
    .await;
    assert_invalid(
        &server,
        client
            .list_external_applications("T1")
            .page_size(21)
            .send()
            .await,
        "page_size",
        "at most 20",
    )
    .await;
    assert_invalid(
        &server,
        client.list_external_applications("").send().await,
        "talent_id",
        "required",
    )
    .await;
    assert_invalid(
        &server,
        client.get_job("").send().await,
        "job_id",
        "required",
    )
    .await;
    assert_invalid(
        &server,
        client.get_job_config("").send().await,
        "job_id",
        "required",
    )
    .await;
    let ids: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    assert_invalid(
        &server,
        client
            .search_job_requirements()
            .id_list(ids.clone())
            .send()
            .await,
        "id_list",
        "at most 100",
    )
    .await;
    assert_invalid(
        &server,
        client
            .search_job_requirements()
            .short_code_list(ids)
            .send()
            .await,
        "short_code_list",
        "at most 100",
    )
    .await;
    let both = client
        .search_job_requirements()
        .id_list(["1"])
        .short_code_list(["R1"]);
    assert_invalid(&server, both.send().await, "id_list", "`short_code_list`").await;
    let err = client
        .list_job_processes()
        .page_size(101)
        .validate()
        .expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "list_job_processes: invalid request: `page_size` must be at most 100, got 101"
    );
    let items: Vec<Result<JobProcess, Error>> = client
        .list_job_processes()
        .page_size(500)
        .items()
        .collect()
        .await;
    assert!(matches!(
        items.as_slice(),
        [Err(Error::InvalidRequest { .. })]
    ));
    assert!(server
        .received_requests()
        .await
        .expect("recorded")
        .is_empty());
}
