//! Searches job requirements by id.
//!
//! `cargo run -p generated-client --example search_job_requirements [ID ...]` (offline against a mock), or with
//! `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set, against Feishu.

mod support;

use generated_client::UserIdType;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut ids: Vec<String> = std::env::args().skip(1).collect();
    if ids.is_empty() {
        ids.push("6949805467799537964".to_owned());
    }
    let target = support::target().await?;
    let found = target
        .client
        .search_job_requirements()
        .user_id_type(UserIdType::OpenId)
        .id_list(ids)
        .send()
        .await?;
    for requirement in found.items.unwrap_or_default() {
        println!(
            "{} {:?}: {:?}, {:?} people, status {:?}",
            requirement.id.unwrap_or_default(),
            requirement.short_code,
            requirement.name,
            requirement.head_count,
            requirement.display_progress
        );
    }
    Ok(())
}
