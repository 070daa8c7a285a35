//! `codegen::read`, the one reading of the spec that `gen`, the doc audit, the draft and the tests share: the doc
//! facts it keeps beside the types (examples, defaults, deviations), what a reference lends, and draft labels.

use codegen::model::{Api, Check, Operation};
use codegen::DraftLabels;
use serde_json::json;

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Facts, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: update_thing
      summary: Updates a thing.
      x-doc-deviations:
        - {at: body.kind.example, reason: The page's example is a label.}
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}, example: "t1"}
        - name: kind
          in: query
          x-rust-name: kind_param
          schema: {$ref: "#/components/schemas/Kind"}
        - name: other_kind
          in: query
          schema:
            allOf: [{$ref: "#/components/schemas/Kind"}]
            default: large
          example: large
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Body"}
            example: {kind: small, tags: [a]}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/Envelope"}
                  - type: object
                    properties:
                      data: {type: object, properties: {done: {type: boolean}}}
              example: {code: 0, msg: ok, data: {done: true}}
components:
  schemas:
    Envelope:
      type: object
      x-envelope: true
      required: [code, msg]
      properties:
        code: {type: integer, format: int32}
        msg: {type: string}
    Kind:
      type: string
      description: A kind.
      enum: [small, large]
      x-enum-varnames: [Small, Large]
      default: small
      example: small
    Body:
      type: object
      properties:
        kind:
          allOf: [{$ref: "#/components/schemas/Kind"}]
          example: large
        tags: {type: array, minItems: 1, maxItems: 3, items: {type: string}, example: [b]}
"##;

fn read(text: &str) -> Api {
    codegen::read("facts.yaml", text, DraftLabels::Refused)
        .expect("the spec reads")
        .api
}

fn operation(api: &Api) -> &Operation {
    api.operations.first().expect("one operation")
}

#[test]
fn examples_and_deviations_are_kept() {
    let api = read(SPEC);
    let op = operation(&api);
    assert_eq!(
        op.examples.body,
        Some(json!({"kind": "small", "tags": ["a"]}))
    );
    assert_eq!(
        op.examples.answer,
        Some(json!({"code": 0, "msg": "ok", "data": {"done": true}}))
    );
    assert_eq!(op.doc_deviations.len(), 1);
    assert_eq!(op.doc_deviations[0].at, "body.kind.example");
    let id = op.params.iter().find(|p| p.wire == "id").expect("id");
    assert_eq!(id.example, Some(json!("t1")));
}

#[test]
fn a_reference_lends_what_the_value_does_not_say() {
    let api = read(SPEC);
    let op = operation(&api);
    let param = |wire: &str| op.params.iter().find(|p| p.wire == wire).expect(wire);
    // A bare $ref: the component's default and example.
    assert_eq!(param("kind").default.as_deref(), Some("small"));
    assert_eq!(param("kind").example, Some(json!("small")));
    // A wrapped $ref: its own default and example first.
    assert_eq!(param("other_kind").default.as_deref(), Some("large"));
    assert_eq!(param("other_kind").example, Some(json!("large")));
    let body = api.structs.iter().find(|s| s.name == "Body").expect("Body");
    let kind = body.fields.iter().find(|f| f.wire == "kind").expect("kind");
    assert_eq!(kind.example, Some(json!("large")));
    assert_eq!(kind.default.as_deref(), Some("small"));
    let tags = body.fields.iter().find(|f| f.wire == "tags").expect("tags");
    assert_eq!(
        (tags.rules.min_items, tags.rules.max_items),
        (Some(1), Some(3))
    );
    assert_eq!(tags.example, Some(json!(["b"])));
}

#[test]
fn a_list_length_is_checked_both_ways() {
    let api = read(SPEC);
    let checks = &operation(&api).checks;
    assert!(checks
        .iter()
        .any(|c| matches!(c, Check::MinItems { value, min: 1 } if value.wire == "tags")));
    assert!(checks
        .iter()
        .any(|c| matches!(c, Check::MaxItems { value, max: 3 } if value.wire == "tags")));
}

#[test]
fn draft_labels_are_refused_unless_accepted() {
    let drafted = SPEC.replace("summary: Updates a thing.", "summary: 'DRAFT: 更新'");
    let refused = codegen::read("facts.yaml", &drafted, DraftLabels::Refused)
        .expect_err("refused")
        .to_string();
    assert!(
        refused.starts_with("facts.yaml at #/paths/~1things~1{id}/post/summary"),
        "{refused}"
    );
    let accepted = codegen::read("facts.yaml", &drafted, DraftLabels::Accepted).expect("reads");
    assert_eq!(
        operation(&accepted.api).summary.as_deref(),
        Some("DRAFT: 更新")
    );
    // Accepting labels relaxes nothing else.
    let broken = drafted.replace("operationId: update_thing", "operationId: set_app_ticket");
    let err = codegen::read("facts.yaml", &broken, DraftLabels::Accepted).expect_err("refused");
    assert!(
        err.to_string()
            .contains("the Client method `set_app_ticket`"),
        "{err}"
    );
}

/// Everything a draft left is listed at once, each with its line and pointer: two labels and a placeholder
/// variant name, not only the first.
#[test]
fn every_draft_label_and_placeholder_is_listed_with_its_line() {
    let drafted = SPEC
        .replace("summary: Updates a thing.", "summary: 'DRAFT: 更新'")
        .replace("description: A kind.", "description: 'DRAFT: 种类'")
        .replace(
            "x-enum-varnames: [Small, Large]",
            "x-enum-varnames: [Small, Value2]",
        );
    assert_ne!(drafted, SPEC);
    let refused = codegen::read("facts.yaml", &drafted, DraftLabels::Refused)
        .expect_err("refused")
        .to_string();
    let line_of = |needle: &str| {
        drafted
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .expect("the spec holds it")
    };
    for (needle, what) in [
        ("DRAFT: 更新", "`DRAFT: 更新` is a doc page's label"),
        ("DRAFT: 种类", "`DRAFT: 种类` is a doc page's label"),
        ("Value2", "`Value2` is a placeholder variant name"),
    ] {
        let line = format!("facts.yaml:{} at #/", line_of(needle));
        assert!(
            refused
                .lines()
                .any(|l| l.trim_start().starts_with(&line) && l.contains(what)),
            "{needle}:\n{refused}"
        );
    }
    assert!(refused.contains("left 2 doc page label(s)"), "{refused}");
    assert!(
        refused.contains("1 placeholder variant name(s)"),
        "{refused}"
    );
    // A draft is read as it is for its audit.
    codegen::read("facts.yaml", &drafted, DraftLabels::Accepted).expect("accepted");
}
