//! Gets a job and its settings.
//!
//! `cargo run -p generated-client --example get_job [JOB_ID]` (offline against a mock), or with
//! `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set, against Feishu.

// `get_job` is deprecated by its doc page, and still served: it is exercised here on purpose.
#![allow(deprecated)]

mod support;

use generated_client::JobUserIdType;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let job_id = std::env::args().nth(1).unwrap_or_else(|| "6001".to_owned());
    let target = support::target().await?;
    let client = &target.client;
    let (job, config) = tokio::try_join!(
        client
            .get_job(&job_id)
            .user_id_type(JobUserIdType::OpenId)
            .send(),
        client
            .get_job_config(&job_id)
            .user_id_type(JobUserIdType::OpenId)
            .send(),
    )?;
    let job = job.job.unwrap_or_default();
    println!(
        "job {}: {:?}, {:?} openings, process {:?}",
        job_id, job.title, job.head_count, job.process_name
    );
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
