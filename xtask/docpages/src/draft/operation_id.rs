//! Guessing the operation id a new page's endpoint would get, from its method and path, the way the spec's own
//! ids are made: English verb and plural rules that only drafting uses. The names the generator derives from an
//! id (its method, builder and types) are `codegen::naming`'s.

use codegen::naming::snake_name;

/// Verbs that can lead a path's action segment (`get_detail`, `search`, `batch_delete`, `change_talent_block`):
/// such a segment names what the operation does.
const ACTION_VERBS: &[&str] = &[
    "add",
    "batch",
    "cancel",
    "change",
    "close",
    "combined",
    "complete",
    "create",
    "delete",
    "get",
    "list",
    "mark",
    "move",
    "open",
    "publish",
    "query",
    "recover",
    "remove",
    "reset",
    "search",
    "set",
    "tag",
    "terminate",
    "transfer",
    "update",
    "withdraw",
];

/// Verbs that lead a verb of two words: `batch_delete`, `combined_create`.
const LEADING_VERBS: &[&str] = &["batch", "combined"];

/// The operation id a spec would give the endpoint `method path`, from its path below
/// `/open-apis/<service>/<version>/`, the way the spec's own ids are made:
///
/// - a collection: `GET /job_processes` is `list_job_processes`, `POST /applications` is
///   `create_application`;
/// - one item: `GET /jobs/{job_id}` is `get_job`; `PUT`/`PATCH` update, `DELETE` delete;
/// - an action on a collection: `POST /job_requirements/search` is `search_job_requirements`,
///   `GET /interviews/get_by_talent` is `get_interviews_by_talent`;
/// - an action or a part of an item: `GET /jobs/{job_id}/get_detail` is `get_job_detail`,
///   `GET /jobs/{job_id}/config` is `get_job_config`;
/// - the resources before the last one name it too: `GET /jobs/{job_id}/managers/{manager_id}` is
///   `get_job_manager`;
/// - a status set on an item is updated: `POST /talents/{talent_id}/onboard_status` is
///   `update_talent_onboard_status`;
/// - a version after the first is said: `GET /open-apis/hire/v2/talents/{talent_id}` is `get_talent_v2`.
pub fn operation_id(method: &str, path: &str) -> String {
    let id = guess(method, path);
    let version = path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip_while(|s| *s == "open-apis")
        .nth(1)
        .filter(|v| *v != "v1" && v.starts_with('v'));
    match version {
        Some(version) => format!("{id}_{version}"),
        None => id,
    }
}

fn guess(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip_while(|s| *s == "open-apis")
        .skip(2)
        .collect();
    let is_param = |s: &str| s.starts_with('{') || s.starts_with(':');
    let method = method.to_ascii_uppercase();
    let words = |s: &str| snake_name(s).trim_start_matches("r#").to_owned();
    // The last literal segment, and whether a parameter follows it (one item) or precedes it (a part or an
    // action of one item).
    let Some(last) = segments.iter().rposition(|s| !is_param(s)) else {
        return snake_name(&format!("{}_root", method.to_ascii_lowercase()));
    };
    let item = last + 1 < segments.len();
    let after_item = last > 0 && is_param(segments[last - 1]);
    // Literal segments before the last one, each naming one thing: `jobs` in `jobs/{id}/managers`.
    let parents: Vec<String> = segments[..last]
        .iter()
        .filter(|s| !is_param(s))
        .map(|s| singular(&words(s)))
        .collect();
    let own = words(segments[last]);
    let verb_of = |name: &str| -> Option<(String, String)> {
        ACTION_VERBS.iter().find_map(|verb| {
            let rest = name.strip_prefix(verb)?;
            if rest.is_empty() {
                return Some((verb.to_string(), String::new()));
            }
            let rest = rest.strip_prefix('_')?;
            // `batch_delete`, `batch_get`: a verb of two words.
            match ACTION_VERBS
                .iter()
                .find(|v| rest == **v || rest.starts_with(&format!("{v}_")))
            {
                Some(second) if LEADING_VERBS.contains(verb) => Some((
                    format!("{verb}_{second}"),
                    rest[second.len()..].trim_start_matches('_').to_owned(),
                )),
                _ => Some((verb.to_string(), rest.to_owned())),
            }
        })
    };
    let join = |parts: &[String]| {
        let parts: Vec<&str> = parts
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        snake_name(&parts.join("_"))
    };
    let action = if item { None } else { verb_of(&own) };
    if let Some((verb, rest)) = &action {
        // An action: on one item (`jobs/{id}/get_detail`), or on a collection (`job_requirements/search`).
        let Some((subject, outer)) = parents.split_last() else {
            return join(&[verb.clone(), rest.clone()]);
        };
        // One item's action, a creation or an update, is about one thing; any other action is about the
        // collection.
        let one_thing = verb.ends_with("create") || verb.ends_with("update");
        let one = subject.clone();
        let subject = if after_item || one_thing {
            subject.clone()
        } else {
            words(segments[last - 1])
        };
        // Ids fetched in a batch are `ids`; a thing removed from a folder is removed from it.
        let rest = match (verb.as_str(), rest.as_str()) {
            (v, "id") if v.starts_with("batch") => {
                return join(&[verb.clone(), one, "ids".to_owned()]);
            }
            ("remove", r) if r.starts_with("to_") => format!("from_{}", &r[3..]),
            _ => rest.clone(),
        };
        let rest = &rest;
        // A rest that names its subject already (`talent_blocklist/change_talent_block`) is not repeated.
        let first_word = |s: &str| s.split('_').next().unwrap_or("").to_owned();
        if !rest.is_empty() && first_word(rest) == first_word(&subject) {
            return join(&[verb.clone(), rest.clone()]);
        }
        let mut parts = vec![verb.clone()];
        parts.extend(outer.iter().cloned());
        parts.push(subject);
        parts.push(rest.clone());
        return join(&parts);
    }
    let verb = match (method.as_str(), item) {
        ("GET", true) => "get",
        ("GET", false) if after_item => "get",
        ("GET", false) => "list",
        ("POST", false) if after_item && own.ends_with("status") => "update",
        ("POST", _) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "call",
    };
    // A part that names its item again (`offers/{offer_id}/offer_status`) does not repeat it.
    let own = match parents.last() {
        Some(parent) if after_item && own.starts_with(&format!("{parent}_")) => {
            own[parent.len() + 1..].to_owned()
        }
        _ => own,
    };
    let mut parts = vec![verb.to_owned()];
    parts.extend(parents);
    // A collection listed keeps its plural; one item, one created thing, or a part of an item is singular.
    if verb == "list" || (after_item && !item && verb == "get") {
        parts.push(own);
    } else {
        parts.push(singular(&own));
    }
    join(&parts)
}

/// The singular of a snake_case name, by its last word: `job_processes` -> `job_process`, `agencies` ->
/// `agency`, `jobs` -> `job`; a word that is not a plural (`status`, `config`) is kept.
fn singular(name: &str) -> String {
    let (head, last) = match name.rsplit_once('_') {
        Some((head, last)) => (format!("{head}_"), last),
        None => (String::new(), name),
    };
    let one = if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes", "zzes"]
        .iter()
        .any(|end| last.ends_with(end))
    {
        last[..last.len() - 2].to_owned()
    } else if last.ends_with('s') && !["ss", "us", "is"].iter().any(|end| last.ends_with(end)) {
        last[..last.len() - 1].to_owned()
    } else {
        last.to_owned()
    };
    format!("{head}{one}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_come_from_the_method_and_the_path() {
        let cases = [
            (
                "GET",
                "/open-apis/hire/v1/job_processes",
                "list_job_processes",
            ),
            (
                "POST",
                "/open-apis/hire/v1/job_requirements/search",
                "search_job_requirements",
            ),
            (
                "GET",
                "/open-apis/hire/v1/jobs/{job_id}/config",
                "get_job_config",
            ),
            ("GET", "/open-apis/hire/v1/jobs/{job_id}", "get_job"),
            (
                "GET",
                "/open-apis/hire/v1/jobs/{job_id}/get_detail",
                "get_job_detail",
            ),
            (
                "GET",
                "/open-apis/hire/v1/external_applications",
                "list_external_applications",
            ),
            (
                "POST",
                "/open-apis/hire/v1/applications",
                "create_application",
            ),
            (
                "GET",
                "/open-apis/hire/v1/interviews/get_by_talent",
                "get_interviews_by_talent",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talent_blocklist/change_talent_block",
                "change_talent_block",
            ),
            (
                "POST",
                "/open-apis/hire/v1/eco_exam_papers/batch_delete",
                "batch_delete_eco_exam_papers",
            ),
            (
                "GET",
                "/open-apis/hire/v1/agencies/{agency_id}",
                "get_agency",
            ),
            (
                "DELETE",
                "/open-apis/hire/v1/external_background_checks/{id}",
                "delete_external_background_check",
            ),
            (
                "PUT",
                "/open-apis/hire/v1/external_interviews/{id}",
                "update_external_interview",
            ),
            (
                "GET",
                "/open-apis/hire/v1/referral_websites/job_posts/{id}",
                "get_referral_website_job_post",
            ),
            (
                "POST",
                "/open-apis/hire/v1/websites/{website_id}/deliveries/create_by_resume",
                "create_website_delivery_by_resume",
            ),
            (
                "GET",
                "/open-apis/hire/v1/jobs/{job_id}/managers/{manager_id}",
                "get_job_manager",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talents/{talent_id}/onboard_status",
                "update_talent_onboard_status",
            ),
            (
                "GET",
                "/open-apis/hire/v2/talents/{talent_id}",
                "get_talent_v2",
            ),
            (
                "POST",
                "/open-apis/hire/v1/jobs/combined_create",
                "combined_create_job",
            ),
            (
                "POST",
                "/open-apis/hire/v1/jobs/{job_id}/combined_update",
                "combined_update_job",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talents/combined_update",
                "combined_update_talent",
            ),
            (
                "POST",
                "/open-apis/hire/v1/applications/{application_id}/terminate",
                "terminate_application",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talents/batch_get_id",
                "batch_get_talent_ids",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talents/remove_to_folder",
                "remove_talents_from_folder",
            ),
            (
                "POST",
                "/open-apis/hire/v1/talents/{talent_id}/tag",
                "tag_talent",
            ),
            (
                "PATCH",
                "/open-apis/hire/v1/offers/{offer_id}/offer_status",
                "update_offer_status",
            ),
            (
                "POST",
                "/open-apis/hire/v1/offers/{offer_id}/intern_offer_status",
                "update_offer_intern_offer_status",
            ),
            ("GET", "/open-apis/hire/v1/{id}", "get_root"),
        ];
        for (method, path, id) in cases {
            assert_eq!(operation_id(method, path), id, "{method} {path}");
        }
    }

    #[test]
    fn singulars_of_path_words() {
        for (plural, one) in [
            ("job_processes", "job_process"),
            ("agencies", "agency"),
            ("jobs", "job"),
            ("boxes", "box"),
            ("onboard_status", "onboard_status"),
            ("config", "config"),
            ("addresses", "address"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }
}
