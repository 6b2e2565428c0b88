//! Demo data (placeholder until written).
pub async fn run(_a: crate::cli::DemoArgs) -> anyhow::Result<()> { anyhow::bail!("not yet") }
