//! Each operation sent to a real HTTP server on loopback: method, path, query, headers and body are checked,
//! and the documented example answer decodes. Error answers map to the right error.

use generated_client::*;
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The one request the server received.
async fn only_request(server: &MockServer) -> Request {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request reaches the server");
    requests.into_iter().next().expect("one request")
}

/// A server answering `verb path` with the documented example of `operation`, a client for it, and the
/// example's `data`.
async fn serve_example(operation: &str, verb: &str, at: &str) -> (MockServer, Client, Value) {
    let server = MockServer::start().await;
    let example = crate::common::response_example(operation);
    Mock::given(method(verb))
        .and(path(at))
        .and(header(
            "authorization",
            format!("Bearer {}", crate::common::TOKEN).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .mount(&server)
        .await;
    let client = crate::common::client(&server.uri());
    (server, client, example["data"].clone())
}

/// Asserts that `decoded` re-encodes to the documented `data`: nothing lost, nothing renamed.
fn assert_is_example<T: serde::Serialize>(decoded: &T, data: &Value) {
    assert_eq!(&serde_json::to_value(decoded).expect("encodes"), data);
}

#[tokio::test]
async fn list_job_processes_sends_query_and_decodes_the_example() {
    let (server, client, data) = serve_example(
        "list_job_processes",
        "GET",
        "/open-apis/hire/v1/job_processes",
    )
    .await;
    let page = client
        .list_job_processes()
        .page_size(50)
        .page_token("7342029494511126794")
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&page, &data);
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("page_size=50&page_token=7342029494511126794")
    );
    assert!(request.body.is_empty(), "a GET has no body");
}

#[tokio::test]
async fn search_job_requirements_posts_json_and_query() {
    let (server, client, data) = serve_example(
        "search_job_requirements",
        "POST",
        "/open-apis/hire/v1/job_requirements/search",
    )
    .await;
    let found = client
        .search_job_requirements()
        .user_id_type(UserIdType::UserId)
        .department_id_type(DepartmentIdType::DepartmentId)
        .job_level_id_type(JobLevelIdType::JobLevelId)
        .job_family_id_type(JobFamilyIdType::JobFamilyId)
        .employee_type_id_type(EmployeeTypeIdType::EmployeeTypeEnumId)
        .id_list(["6952811314255265796", "6952811314255265797"])
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&found, &data);
    let request = only_request(&server).await;
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    assert_eq!(content_type, Some("application/json; charset=utf-8"));
    let body: Value = serde_json::from_slice(&request.body).expect("the body is JSON");
    assert_eq!(
        body,
        json!({"id_list": ["6952811314255265796", "6952811314255265797"]})
    );
    assert_eq!(
        request.url.query(),
        Some("user_id_type=user_id&department_id_type=department_id&job_level_id_type=job_level_id&job_family_id_type=job_family_id&employee_type_id_type=employee_type_enum_id")
    );
}

#[tokio::test]
async fn get_job_config_puts_the_job_id_in_the_path() {
    let (server, client, data) = serve_example(
        "get_job_config",
        "GET",
        "/open-apis/hire/v1/jobs/6960663240925956660/config",
    )
    .await;
    let config = client
        .get_job_config("6960663240925956660")
        .user_id_type(JobUserIdType::PeopleAdminId)
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&config, &data);
    let round = &config
        .job_config
        .expect("config")
        .interview_round_list
        .expect("rounds")[0];
    assert_eq!(round.round, Some(1));
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("user_id_type=people_admin_id"));
    assert_eq!(
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer t-test-token")
    );
}

/// The request of the official SDK's `client.hire.v1.job.get_detail`: `GET .../jobs/:job_id/get_detail`, the
/// four id kinds as query parameters in its order.
#[tokio::test]
async fn get_job_detail_sends_what_the_official_sdk_sends() {
    let (server, client, data) = serve_example(
        "get_job_detail",
        "GET",
        "/open-apis/hire/v1/jobs/7281257045172308287/get_detail",
    )
    .await;
    let detail = client
        .get_job_detail("7281257045172308287")
        .user_id_type(JobUserIdType::UserId)
        .department_id_type(DepartmentIdType::DepartmentId)
        .job_level_id_type(JobLevelIdType::JobLevelId)
        .job_family_id_type(JobFamilyIdType::JobFamilyId)
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&detail, &data);
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some(
            "user_id_type=user_id&department_id_type=department_id&job_level_id_type=job_level_id\
             &job_family_id_type=job_family_id"
        )
    );
    assert!(request.body.is_empty());
    let job = detail.job_detail.expect("a job");
    let basic = job.basic_info.expect("basic facts");
    assert_eq!(basic.title.as_deref(), Some("测试职位"));
    assert_eq!(basic.active_status, Some(ActiveStatus::Enabled));
    assert_eq!(basic.storefront_mode, Some(StorefrontMode::Regular));
    assert_eq!(
        basic.min_job_level.and_then(|l| l.active_status),
        Some(ActiveStatus::Enabled)
    );
    let city = job.address_list.expect("addresses")[0].city.clone();
    assert_eq!(city.and_then(|c| c.code).as_deref(), Some("CT_1"));
}

#[tokio::test]
async fn get_job_percent_encodes_the_path_parameter() {
    let (server, client, data) =
        serve_example("get_job", "GET", "/open-apis/hire/v1/jobs/R%26D%2F1%20x").await;
    let job = client
        .get_job("R&D/1 x")
        .user_id_type(JobUserIdType::OpenId)
        .department_id_type(DepartmentIdType::OpenDepartmentId)
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&job, &data);
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("user_id_type=open_id&department_id_type=open_department_id")
    );
}

#[tokio::test]
async fn list_external_applications_sends_the_required_talent_id() {
    let (server, client, data) = serve_example(
        "list_external_applications",
        "GET",
        "/open-apis/hire/v1/external_applications",
    )
    .await;
    let page = client
        .list_external_applications("6960663240925956660")
        .page_size(20)
        .send()
        .await
        .expect("succeeds");
    assert_is_example(&page, &data);
    assert_eq!(
        page.items.expect("items")[0].delivery_type,
        Some(DeliveryType::HrSourcing)
    );
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("talent_id=6960663240925956660&page_size=20")
    );
}

#[tokio::test]
async fn a_non_zero_code_is_a_typed_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("X-Tt-Logid", "20240101000000ABCDEF")
                .set_body_json(json!({"code": 1002601, "msg": "job not found"})),
        )
        .mount(&server)
        .await;
    let client = crate::common::client(&server.uri());
    let err = client.get_job("404").send().await.expect_err("fails");
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.code, 1002601);
    assert_eq!(api.msg, "job not found");
    assert_eq!(api.http_status, 404);
    assert_eq!(api.log_id.as_deref(), Some("20240101000000ABCDEF"));
    assert_eq!(api.operation, "get_job");
    assert_eq!(api.error_code(), ErrorCode::JobNotFound);
    let text = err.to_string();
    assert!(
        text.contains("get_job")
            && text.contains("1002601")
            && text.contains("20240101000000ABCDEF"),
        "{text}"
    );
}

#[tokio::test]
async fn an_undocumented_code_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 1234567, "msg": "new", "error": {"log_id": "from-body"}}),
        ))
        .mount(&server)
        .await;
    let err = crate::common::client(&server.uri())
        .get_job("1")
        .send()
        .await
        .expect_err("fails");
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.error_code(), ErrorCode::Unknown(1234567));
    assert_eq!(
        api.log_id.as_deref(),
        Some("from-body"),
        "the body's log id is used when the header is absent"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("<html><body>gateway says hi</body></html>"),
        )
        .mount(&server)
        .await;
    let err = crate::common::client(&server.uri())
        .get_job("1")
        .send()
        .await
        .expect_err("fails");
    let Error::Decode {
        operation,
        excerpt,
        status,
        ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(*operation, "get_job");
    assert_eq!(*status, 200);
    let excerpt = excerpt.as_deref().expect("an excerpt");
    assert!(excerpt.starts_with("<html>"), "{excerpt}");
}

#[tokio::test]
async fn an_html_error_page_is_an_http_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let err = crate::common::client(&server.uri())
        .get_job("1")
        .send()
        .await
        .expect_err("fails");
    let Error::Http {
        status, excerpt, ..
    } = &err
    else {
        panic!("expected an HTTP error, got {err:?}")
    };
    assert_eq!(*status, 502);
    assert!(excerpt
        .as_deref()
        .is_some_and(|e| e.contains("Bad Gateway")));
}

#[tokio::test]
async fn a_field_of_the_wrong_type_names_its_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok",
            "data": {"items": [{"id": "1"}, {"id": "2", "stage_list": [{"type": "not a number"}]}]}
        })))
        .mount(&server)
        .await;
    let err = crate::common::client(&server.uri())
        .list_job_processes()
        .send()
        .await
        .expect_err("fails");
    let Error::Decode { path, .. } = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(path, "data.items[1].stage_list[0].type");
}

#[tokio::test]
async fn missing_data_is_an_empty_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    let page = crate::common::client(&server.uri())
        .list_job_processes()
        .send()
        .await
        .expect("succeeds");
    assert_eq!(page, ListJobProcessesData::default());
}
