//! Lists every recruitment process and its stages, walking all pages with the item stream.
//!
//! `cargo run -p generated-client --example list_job_processes` (offline against a mock), or with
//! `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set, against Feishu.

mod support;

use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target().await?;
    let mut processes = std::pin::pin!(target.client.list_job_processes().items());
    let mut count = 0;
    while let Some(process) = processes.try_next().await? {
        count += 1;
        let stages: Vec<String> = process
            .stage_list
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.en_name.or(s.zh_name).unwrap_or_default())
            .collect();
        println!(
            "{} {:?} ({:?}): {}",
            process.id.unwrap_or_default(),
            process.en_name,
            process.r#type,
            stages.join(" -> ")
        );
    }
    println!("{count} processes");
    Ok(())
}
