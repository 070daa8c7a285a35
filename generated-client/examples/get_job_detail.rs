//! Gets everything about one job (its basic facts, the people on it, its job requirements, addresses and
//! storefronts) and its settings (the interview rounds), in two calls made together.
//!
//! `cargo run -p generated-client --example get_job_detail [JOB_ID]` (offline against a mock), or with
//! `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set, against Feishu.

mod support;

use generated_client::{DepartmentIdType, JobUserIdType, StorefrontMode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let job_id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "7281257045172308287".to_owned());
    let target = support::target().await?;
    let client = &target.client;
    let (detail, config) = tokio::try_join!(
        client
            .get_job_detail(&job_id)
            .user_id_type(JobUserIdType::OpenId)
            .department_id_type(DepartmentIdType::OpenDepartmentId)
            .send(),
        client
            .get_job_config(&job_id)
            .user_id_type(JobUserIdType::OpenId)
            .send(),
    )?;
    let detail = detail.job_detail.unwrap_or_default();
    let basic = detail.basic_info.unwrap_or_default();
    println!(
        "job {job_id}: {:?}, {:?} openings, levels {:?} to {:?}",
        basic.title,
        basic.head_count,
        basic
            .min_job_level
            .and_then(|l| l.name)
            .and_then(|n| n.en_us),
        basic
            .max_job_level
            .and_then(|l| l.name)
            .and_then(|n| n.en_us),
    );
    let recruiter = detail.recruiter.and_then(|r| r.name).and_then(|n| n.en_us);
    println!("recruiter {recruiter:?}");
    for requirement in detail.job_requirement_list.unwrap_or_default() {
        println!(
            "fills requirement {:?} ({:?})",
            requirement.name, requirement.short_code
        );
    }
    for address in detail.address_list.unwrap_or_default() {
        let city = address.city.and_then(|c| c.name).and_then(|n| n.en_us);
        println!("works in {city:?}");
    }
    if basic.storefront_mode == Some(StorefrontMode::Storefront) {
        for store in detail.storefront_list.unwrap_or_default() {
            println!("storefront {:?}", store.name.and_then(|n| n.en_us));
        }
    }
    let config = config.job_config.unwrap_or_default();
    for round in config.interview_round_list.unwrap_or_default() {
        let interviewers: Vec<String> = round
            .interviewer_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.name.and_then(|n| n.en_us))
            .collect();
        println!("round {:?}: {}", round.round, interviewers.join(", "));
    }
    Ok(())
}
