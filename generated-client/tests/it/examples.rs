//! Every request and response example of the spec decodes into the generated types and re-encodes to the same
//! JSON; values and fields the spec does not know survive decoding.

use generated_client::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn roundtrip<T: DeserializeOwned + Serialize>(what: &str, example: &Value) {
    let decoded: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{what}: does not decode: {e}"));
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    assert_eq!(
        &encoded, example,
        "{what}: re-encoding lost or renamed a field"
    );
}

#[test]
fn every_documented_example_round_trips() {
    let spec = crate::common::spec();
    assert_eq!(
        spec.operations.len(),
        6,
        "the spec documents six operations"
    );
    for op in &spec.operations {
        let id = &op.id;
        let answer = op.examples.answer.as_ref().expect("an example answer");
        assert_eq!(answer["code"], json!(0), "{id}: the example is a success");
        let data = &answer["data"];
        assert!(data.is_object(), "{id}: the response example has data");
        let what = format!("{id} response example");
        match id.as_str() {
            "list_job_processes" => roundtrip::<ListJobProcessesData>(&what, data),
            "search_job_requirements" => roundtrip::<SearchJobRequirementsData>(&what, data),
            "get_job_config" => roundtrip::<GetJobConfigData>(&what, data),
            "get_job" => roundtrip::<GetJobData>(&what, data),
            "get_job_detail" => roundtrip::<GetJobDetailData>(&what, data),
            "list_external_applications" => roundtrip::<ListExternalApplicationsData>(&what, data),
            other => panic!("operation {other} has no round-trip check: add it here"),
        }
        if let Some(body) = &op.examples.body {
            match id.as_str() {
                "search_job_requirements" => {
                    roundtrip::<SearchJobRequirementsBody>(&format!("{id} request example"), body)
                }
                other => panic!(
                    "operation {other} has a request example but no round-trip check: add it here"
                ),
            }
        }
    }
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
