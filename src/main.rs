//! The `wangge` binary: parses the command line and runs the command.

use clap::FromArgMatches;
use wangge::cli::{Cli, Command};

/// mimalloc instead of the system allocator: an import moves millions of small strings and rows
/// between its reading, checking and writing threads, which glibc's per-thread arenas handle badly
/// (a third of the checking threads' time went to `malloc`/`free`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WANGGE_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_target(false)
        .init();
    let cli = match Cli::from_arg_matches(&wangge::cli::command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Serve(args) => wangge::startup::serve(args).await,
        Command::Demo(args) => wangge::demo::run(args).await,
        Command::Migrate(data) => wangge::commands::migrate(data).await,
        Command::Init { data, county_code, county_name } => {
            wangge::commands::init(data, &county_code, &county_name).await
        }
        Command::User { action } => wangge::commands::user(action).await,
        Command::Audit { action } => wangge::commands::audit(action).await,
        Command::Backup { data, file } => wangge::commands::backup(data, &file).await,
        Command::Bench { action: wangge::cli::BenchAction::Register(args) } => wangge::bench::register(args).await,
        Command::Bench { action: wangge::cli::BenchAction::Events(args) } => wangge::bench::events(args).await,
        Command::Bench { action: wangge::cli::BenchAction::Bulletin(args) } => wangge::bench::bulletin(args).await,
        Command::Bench { action: wangge::cli::BenchAction::Geo(args) } => wangge::bench::geo(args),
        Command::Bench { action: wangge::cli::BenchAction::Public(args) } => wangge::bench::public(args).await,
        Command::Bench { action: wangge::cli::BenchAction::Sync(args) } => wangge::bench::sync(args).await,
        Command::Bench { action: wangge::cli::BenchAction::Upload } => wangge::bench::upload(),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
