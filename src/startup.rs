//! Opening the database from the command line's data arguments, and running the server.

use crate::cli::{DataArgs, ServeArgs};
use crate::clock::{Clock, MINUTE};
use crate::config::Config;
use crate::db::{Db, DbUrl, connect};
use crate::state::AppState;
use anyhow::Context;

/// The database location the arguments name.
pub fn db_url(data: &DataArgs) -> anyhow::Result<DbUrl> {
    match &data.database_url {
        Some(url) => DbUrl::parse(url),
        None => Ok(DbUrl::default_in(&data.data_dir)),
    }
}

/// Opens and migrates the database.
pub async fn open(data: &DataArgs) -> anyhow::Result<(Db, Config)> {
    let url = db_url(data)?;
    if !data.data_dir.exists() {
        // A new data directory holds the register: only its owner may enter it.
        crate::crypto::create_private_dir(&data.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", data.data_dir.display()))?;
    }
    let db = connect(&url).await?;
    db.migrate().await.context("数据库迁移失败")?;
    crate::audit::anchor::prepare(&db, &data.data_dir, Clock::System.now()).await?;
    tracing::info!(database = %url.describe(), "数据库已就绪");
    Ok((db, Config::new(data.data_dir.clone(), url)))
}

/// Builds the state for serving.
pub async fn state_for(args: &ServeArgs) -> anyhow::Result<AppState> {
    let (db, mut config) = open(&args.data).await?;
    config.idle_timeout = args.idle_timeout_minutes.max(1) * MINUTE;
    config.secure_cookies = args.secure_cookies;
    config.trust_proxy = args.trust_proxy;
    if let Some(url) = args.tile_url.as_deref().filter(|u| !u.trim().is_empty()) {
        let tiles = crate::geo::tiles::TileSource::parse(url, &args.tile_datum)
            .map_err(|e| anyhow::anyhow!("瓦片地址（--tile-url）有误：{e}"))?;
        config.tiles = Some(tiles);
    }
    config.public_url = crate::domains::public::qr::check_public_url(args.public_url.as_deref())?;
    let keys = crate::crypto::Keys::load(&args.data.data_dir)?;
    check_key(&db, &keys).await?;
    let interrupted = crate::imports::fail_interrupted_jobs(&db, Clock::System.now()).await?;
    if interrupted > 0 {
        tracing::warn!(jobs = interrupted, "import jobs interrupted by a restart were marked failed");
    }
    let state = AppState::new(db, Clock::System, config, keys);
    // The demo and the commands write through the services before any router exists.
    crate::domains::wire(&state);
    Ok(state)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let state = state_for(&args).await?;
    run(state, &args.listen).await
}

/// Binds and serves the router for a prepared state.
pub async fn run(state: AppState, listen: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("无法监听 {listen}"))?;
    let addr = listener.local_addr()?;
    println!("wangge 已启动：http://{addr}/");
    let db = state.db.clone();
    crate::domains::events::cards::spawn(state.clone());
    crate::audit::anchor::spawn_hourly(db.clone(), state.config.data_dir.clone(), state.clock.clone());
    let app = crate::web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Refuses to start when the data key cannot read the register (a lost key file silently
/// replaced by a new one, or a wrong `WANGGE_DATA_KEY`): nothing would decrypt or be found.
pub async fn check_key(db: &Db, keys: &crate::crypto::Keys) -> anyhow::Result<()> {
    if let Some(sample) = crate::domains::registry::person_store::any_encrypted(db).await?
        && keys.decrypt(&sample).is_err()
    {
        anyhow::bail!(
            "数据密钥与数据库不匹配：请恢复原来的密钥文件（数据目录下 keys/data.key）或设置正确的 WANGGE_DATA_KEY。\
             若密钥文件是刚自动生成的，说明原密钥丢失，请先找回备份，切勿在此状态下继续使用"
        );
    }
    Ok(())
}
