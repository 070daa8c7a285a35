//! The spec's examples, operation by operation: each request built from them reaches a loopback server as
//! documented, and each answer decodes and re-encodes to the same JSON; values and fields the spec does not know
//! survive decoding.

use generated_client::*;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Each operation's request built from the spec's examples, emitted by `cargo xtask gen` beside the client's
/// code: an operation added to the spec is tested here with no edit.
#[rustfmt::skip]
#[path = "../../src/generated/example_requests.rs"]
mod example_requests;

/// A query or path value as the client writes it: a string as it is, anything else as JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether two JSON values are the same, a number being the same whether written `1` or `1.0` (a `float`
/// field encodes its value as `1.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// `%XX` escapes of a URL path, undone.
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the spec documents one operation to send, from its examples alone: method, path with the path
/// parameters' examples, the query pairs of the parameters with an example (a list once per item), and the
/// request example as the body.
struct Documented {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

fn documented(op: &codegen::model::Operation) -> Documented {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for p in &op.params {
        let Some(example) = &p.example else { continue };
        match p.location {
            codegen::model::ParamLocation::Path => {
                path = path.replace(&format!("{{{}}}", p.wire), &text(example));
            }
            codegen::model::ParamLocation::Query => match example {
                Value::Array(items) => {
                    query.extend(items.iter().map(|item| (p.wire.clone(), text(item))))
                }
                one => query.push((p.wire.clone(), text(one))),
            },
        }
    }
    query.sort();
    let body = op
        .body
        .as_ref()
        .map(|_| op.examples.body.clone().unwrap_or_else(|| json!({})));
    Documented {
        method: op.method.as_str().to_owned(),
        path,
        query,
        body,
    }
}

/// Every operation of the spec, through its public builder against a loopback server that answers with the
/// documented answer: the request built from the documented examples reaches the server with the documented
/// method, path, query and body, and the answer's `data` decodes and encodes again to the documented JSON.
#[tokio::test]
async fn every_operation_sends_its_documented_request_and_decodes_its_documented_answer() {
    let spec = crate::common::spec();
    let cases: std::collections::HashMap<&str, _> = example_requests::CASES
        .iter()
        .map(|(id, case)| (*id, case))
        .collect();
    assert_eq!(
        cases.len(),
        spec.operations.len(),
        "every operation of the spec has a case (run `cargo xtask gen`)"
    );
    let mut failures = Vec::new();
    for op in &spec.operations {
        let id = op.id.as_str();
        let send = match cases.get(id) {
            Some(Ok(send)) => send,
            Some(Err(missing)) => {
                failures.push(format!("{id}: {missing}"));
                continue;
            }
            None => {
                failures.push(format!("{id}: no case (run `cargo xtask gen`)"));
                continue;
            }
        };
        let Some(answer) = op.examples.answer.clone() else {
            failures.push(format!("{id}: the spec documents no answer"));
            continue;
        };
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .mount(&server)
            .await;
        let client = crate::common::client(&server.uri());
        match send(&client).await {
            Ok(data) if same_json(&data, &answer["data"]) => {}
            Ok(data) => failures.push(format!(
                "{id}: the documented answer's data decodes and encodes to {data}, not {}",
                answer["data"]
            )),
            Err(e) => {
                failures.push(format!("{id}: {e}"));
                continue;
            }
        }
        let received = server
            .received_requests()
            .await
            .expect("requests are recorded");
        let [request] = received.as_slice() else {
            failures.push(format!("{id}: {} requests, not one", received.len()));
            continue;
        };
        let expected = documented(op);
        let mut query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        query.sort();
        if let Some(form) = &op.form {
            // A file upload: a `multipart/form-data` body with each file part, named and with its content.
            let content_type = request
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let body = String::from_utf8_lossy(&request.body);
            let mut missing = Vec::new();
            if !content_type.starts_with("multipart/form-data; boundary=") {
                missing.push(format!("the content type (it is {content_type:?})"));
            }
            for part in &form.fields {
                let header = format!(
                    "name=\"{}\"; filename=\"{}\"",
                    part.wire,
                    example_requests::EXAMPLE_FILE_NAME
                );
                if !body.contains(&header) {
                    missing.push(format!("the part {header}"));
                }
            }
            let file = String::from_utf8_lossy(example_requests::EXAMPLE_FILE);
            if !body.contains(file.as_ref()) {
                missing.push("the file's content".to_owned());
            }
            if !missing.is_empty() {
                failures.push(format!("{id}: the form lacks {}", missing.join(", ")));
            }
        }
        let body = (!request.body.is_empty() && op.form.is_none())
            .then(|| serde_json::from_slice::<Value>(&request.body).expect("the body is JSON"));
        let sent = (
            request.method.to_string(),
            percent_decoded(request.url.path()),
            query,
            body,
        );
        let wanted = (
            expected.method,
            expected.path,
            expected.query,
            expected.body,
        );
        let same_body = match (&sent.3, &wanted.3) {
            (Some(a), Some(b)) => same_json(a, b),
            (a, b) => a == b,
        };
        if (&sent.0, &sent.1, &sent.2) != (&wanted.0, &wanted.1, &wanted.2) || !same_body {
            failures.push(format!("{id}: sent {sent:?}\n  documented {wanted:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn documented_examples_decode_to_the_documented_values() {
    let data = crate::common::response_example("get_job")["data"].clone();
    let job = serde_json::from_value::<GetJobData>(data)
        .expect("decodes")
        .job
        .expect("has a job");
    assert_eq!(job.id.as_deref(), Some("6001"));
    assert_eq!(job.process_type, Some(ProcessType::Social));
    assert_eq!(job.experience, Some(JobExperience::Unlimited));
    assert_eq!(job.required_degree, Some(Degree::PrimarySchool));
    assert_eq!(job.create_time, Some(1617170925462));
    assert_eq!(job.create_timestamp.as_deref(), Some("1617170925462"));
    let value = job.customized_data_list.expect("custom fields")[0]
        .value
        .clone()
        .expect("value");
    assert_eq!(
        value.option_list.expect("options")[0].key.as_deref(),
        Some("AA")
    );

    let data = crate::common::response_example("list_job_processes")["data"].clone();
    let page: ListJobProcessesData = serde_json::from_value(data).expect("decodes");
    let stage = &page.items.expect("items")[0]
        .stage_list
        .clone()
        .expect("stages")[0];
    assert_eq!(stage.r#type, Some(StageType::Screening));
}

#[test]
fn unknown_enum_values_survive_and_re_encode_unchanged() {
    let wire = json!({"id": "1", "type": 42, "stage_list": [{"id": "2", "type": 7}, {"id": "3", "type": 9000}]});
    let process: JobProcess = serde_json::from_value(wire.clone()).expect("decodes");
    assert_eq!(process.r#type, Some(ProcessType::Unknown(42)));
    let stages = process.stage_list.clone().expect("stages");
    assert_eq!(stages[0].r#type, Some(StageType::Onboarded));
    assert_eq!(stages[1].r#type, Some(StageType::Unknown(9000)));
    assert_eq!(serde_json::to_value(&process).expect("encodes"), wire);

    assert_eq!(
        JobUserIdType::from("people_admin_id"),
        JobUserIdType::PeopleAdminId
    );
    let odd: JobUserIdType = serde_json::from_value(json!("lark_id")).expect("decodes");
    assert_eq!(odd, JobUserIdType::Unknown("lark_id".to_owned()));
    assert_eq!(
        serde_json::to_value(&odd).expect("encodes"),
        json!("lark_id")
    );
    assert_eq!(odd.to_string(), "lark_id");
    assert_eq!(ProcessType::Campus.value(), 2);
}

#[test]
fn unknown_fields_are_tolerated() {
    let wire = json!({
        "job": {"id": "6001", "brand_new_field": {"nested": [1, 2]}, "title": "t",
                "city": {"city_code": "C20", "new_city_field": true}}
    });
    let data: GetJobData =
        serde_json::from_value(wire).expect("unknown fields do not break decoding");
    let job = data.job.expect("job");
    assert_eq!(job.title.as_deref(), Some("t"));
    assert_eq!(job.city.expect("city").city_code.as_deref(), Some("C20"));
}

#[test]
fn absent_fields_stay_absent() {
    let data: ListExternalApplicationsData =
        serde_json::from_value(json!({"items": []})).expect("decodes");
    assert_eq!(data.has_more, None);
    assert_eq!(
        serde_json::to_value(&data).expect("encodes"),
        json!({"items": []})
    );
}

#[test]
fn wrong_wire_types_are_rejected() {
    // `create_time` is a number on the job page; a string there is not silently accepted.
    let err =
        serde_json::from_value::<GetJobData>(json!({"job": {"create_time": "1617170925462"}}))
            .expect_err("rejected");
    assert!(err.to_string().contains("invalid type"), "{err}");
}

/// The example answer of `get_job_detail`'s own doc page (Feishu's Markdown, beside the checkout), through the
/// function `send()` decodes with: every field the page's example holds is typed, and nothing is lost.
#[test]
fn the_job_detail_pages_example_answer_decodes() {
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/pages/current/job_get_detail.md");
    let Ok(text) = std::fs::read_to_string(&page) else {
        eprintln!(
            "no {} beside the checkout; nothing to decode",
            page.display()
        );
        return;
    };
    // The first fenced JSON block after the response example's heading.
    let after = text
        .split("### 响应体示例")
        .nth(1)
        .expect("the page has a response example");
    let json = after
        .split("```json")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a fenced JSON example");
    let data = decode_answer::<GetJobDetailData>("get_job_detail", 200, json.as_bytes())
        .expect("the page's example decodes");
    let answer: Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(
        serde_json::to_value(&data).expect("encodes"),
        answer["data"],
        "decoding the page's example lost or renamed a field"
    );
    let job = data.job_detail.expect("a job");
    assert!(job.basic_info.and_then(|b| b.title).is_some());
    assert!(!job.storefront_list.unwrap_or_default().is_empty());
}

/// Every event's documented `event` object decodes to its own variant and re-encodes to the same JSON; an event
/// type the spec does not know is `Event::Unknown` with its object as sent, and a documented event whose object
/// has a value of another type is an error naming the event and the place.
#[test]
fn every_event_example_decodes_to_its_variant_and_round_trips() {
    use generated_client::events::EventDecodeError;
    use serde_json::value::RawValue;

    assert_eq!(
        example_requests::EVENT_EXAMPLES.len(),
        Event::EVENT_TYPES.len()
    );
    let mut problems = Vec::new();
    for (event_type, example) in example_requests::EVENT_EXAMPLES {
        let Some(example) = example else {
            problems.push(format!("{event_type}: the spec has no example"));
            continue;
        };
        let raw = RawValue::from_string((*example).to_owned()).expect("JSON");
        let event = match Event::decode(event_type, &raw) {
            Ok(event) => event,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        if matches!(event, Event::Unknown { .. }) || event.event_type() != *event_type {
            problems.push(format!("{event_type}: decoded as {event:?}"));
        }
        let again = event.to_json().expect("encodes");
        let documented: Value = serde_json::from_str(example).expect("JSON");
        if !same_json(&again, &documented) {
            problems.push(format!("{event_type}: {again} is not {documented}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let raw = RawValue::from_string(r#"{"anything": [1, "two"]}"#.to_owned()).expect("JSON");
    match Event::decode("hire.something.new_v9", &raw).expect("an unknown type decodes") {
        Event::Unknown { event_type, event } => {
            assert_eq!(event_type, "hire.something.new_v9");
            assert_eq!(event, json!({"anything": [1, "two"]}));
        }
        other => panic!("{other:?}"),
    }
    let raw = RawValue::from_string(r#"{"application_id": "1", "update_time": "soon"}"#.to_owned())
        .expect("JSON");
    let error: EventDecodeError = Event::decode("hire.application.stage_changed_v1", &raw)
        .expect_err("a string where an integer belongs");
    assert_eq!(error.event_type(), "hire.application.stage_changed_v1");
    assert_eq!(error.path(), "event.update_time");
    assert!(!error.to_string().contains("soon"), "{error}");
    // An integer in quotes reads as answers read it.
    let raw =
        RawValue::from_string(r#"{"update_time": "1652806656258"}"#.to_owned()).expect("JSON");
    match Event::decode("hire.application.stage_changed_v1", &raw).expect("lenient") {
        Event::ApplicationStageChanged(event) => assert_eq!(event.update_time, Some(1652806656258)),
        other => panic!("{other:?}"),
    }
}
