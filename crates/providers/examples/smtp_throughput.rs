//! Prints one JSON line: SMTP messages per second through pooled lettre connections to a
//! local sink. `cargo run -p gurumisha-providers --example smtp_throughput -- [N] [CONC] [POOL]`

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric arguments"))
        .collect();
    let messages = args.first().copied().unwrap_or(5000);
    let concurrency = args.get(1).copied().unwrap_or(16);
    let pool = args.get(2).copied().unwrap_or(16) as u32;
    let report = gurumisha_providers::bench::smtp_throughput(messages, concurrency, pool).await?;
    println!("{}", serde_json::to_string(&report).expect("serialisable"));
    Ok(())
}
