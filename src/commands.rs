//! The administrative commands: migrate, init, user add/reset-password/lock/unlock, audit verify, backup.

use crate::audit::{self, AuditCtx};
use crate::auth::{Role, password, store as auth_store};
use crate::cli::{AuditAction, DataArgs, UserAction};
use crate::clock::Clock;
use crate::db::{Db, DbUrl};
use crate::domains::org::account_store::{self, NewAccount};
use crate::domains::org::area_store::{self, NewArea};
use crate::domains::org::model::{AreaKind, check_code, check_username};
use crate::startup::{db_url, open};
use anyhow::{Context, anyhow, bail};
use serde_json::json;
use std::path::Path;

pub async fn migrate(data: DataArgs) -> anyhow::Result<()> {
    let (db, _) = open(&data).await?;
    db.close().await;
    println!("数据库迁移完成");
    Ok(())
}

/// Creates the root county if no county with that code exists.
pub async fn create_county(db: &Db, code: &str, name: &str, now: i64) -> anyhow::Result<i64> {
    if let Some(a) = area_store::get_by_code(db, code).await? {
        return Ok(a.id);
    }
    check_code(AreaKind::County, code, None).map_err(|e| anyhow!(e))?;
    let mut tx = db.begin().await?;
    let row = area_store::insert(
        &mut tx,
        &NewArea {
            parent_id: None,
            parent_path: "/",
            depth: 0,
            kind: "county",
            subkind: "county",
            code,
            name,
            boundary: None,
            households: None,
            area_note: None,
            note: None,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &AuditCtx::cli(now),
        "area_created",
        "area",
        row.id,
        json!({ "code": code, "name": name, "kind": "county" }),
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn init(data: DataArgs, code: &str, name: &str) -> anyhow::Result<()> {
    let (db, _) = open(&data).await?;
    let name = name.trim();
    if name.is_empty() {
        bail!("请提供县名称");
    }
    let id = create_county(&db, code, name, Clock::System.now()).await?;
    println!("县级区域已就绪：{name}（编码 {code}，ID {id}）");
    println!("下一步：wangge user add admin --role system_admin；wangge user add security --role security_admin");
    db.close().await;
    Ok(())
}

fn initial_password() -> String {
    let raw = hex::encode(crate::auth::secret::random_bytes(5));
    format!("Wg{raw}")
}

/// The area a new account is bound to: none for a department account, the area of the code given,
/// else the only county.
async fn area_for(db: &Db, department_id: Option<i64>, area_code: Option<String>) -> anyhow::Result<Option<i64>> {
    Ok(match (department_id, area_code) {
        (Some(_), _) => None,
        (None, Some(code)) => {
            Some(area_store::get_by_code(db, &code).await?.ok_or_else(|| anyhow!("区域编码 {code} 不存在"))?.id)
        }
        (None, None) => {
            let counties = area_store::list(
                db,
                &area_store::AreaFilter { scope_path: "/".into(), kind: Some("county".into()), ..Default::default() },
                crate::web::paging::Paging::new(Some(1), Some(2)),
            )
            .await?;
            match counties.items.as_slice() {
                [one] => Some(one.id),
                [] => bail!("还没有县级区域，请先运行 wangge init --county-code 编码 --county-name 名称"),
                _ => bail!("有多个县级区域，请用 --area-code 指定"),
            }
        }
    })
}

pub async fn user(action: UserAction) -> anyhow::Result<()> {
    let now = Clock::System.now();
    let ctx = AuditCtx::cli(now);
    match action {
        UserAction::Add { data, username, role, area_code, department_id, name } => {
            let (db, _) = open(&data).await?;
            let username = check_username(&username).map_err(|e| anyhow!("{e}"))?;
            let role = Role::parse(&role).ok_or_else(|| anyhow!("角色不正确：{role}"))?;
            let area_id = area_for(&db, department_id, area_code).await?;
            let plain = initial_password();
            let hash = password::hash(&plain)?;
            let display = name.unwrap_or_else(|| username.clone());
            let mut tx = db.begin().await?;
            let id = account_store::insert(
                &mut tx,
                &NewAccount {
                    username: &username,
                    display_name: &display,
                    role: role.as_str(),
                    area_id,
                    department_id,
                    staff_id: None,
                    password_hash: &hash,
                    must_change_password: true,
                    demo: false,
                },
                now,
            )
            .await
            .map_err(|e| {
                if crate::db::is_unique_violation(&e) { anyhow!("用户名 {username} 已被使用") } else { e.into() }
            })?;
            audit::record(
                &mut tx,
                &ctx,
                "account_created",
                "account",
                id,
                json!({ "username": username, "role": role.as_str() }),
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
            tx.commit().await?;
            println!("已创建账号 {username}（{}），初始密码：{plain}", role.label());
            println!("首次登录后必须修改密码。");
            db.close().await;
        }
        UserAction::ResetPassword { data, username } => {
            let (db, _) = open(&data).await?;
            let acc = find(&db, &username).await?;
            let plain = initial_password();
            let hash = password::hash(&plain)?;
            let mut tx = db.begin().await?;
            auth_store::set_password(&mut tx, acc.id, &hash, true, now).await?;
            auth_store::end_access(&mut tx, acc.id, now).await?;
            audit::record(&mut tx, &ctx, "password_reset", "account", acc.id, json!({}))
                .await
                .map_err(|e| anyhow!("{e}"))?;
            tx.commit().await?;
            println!("账号 {username} 的新初始密码：{plain}（下次登录时必须修改）");
            db.close().await;
        }
        UserAction::Lock { data, username } => set_status(&data, &username, "locked", &ctx).await?,
        UserAction::Unlock { data, username } => set_status(&data, &username, "active", &ctx).await?,
    }
    Ok(())
}

async fn find(db: &Db, username: &str) -> anyhow::Result<account_store::AccountRow> {
    account_store::get_by_username(db, &username.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow!("账号 {username} 不存在"))
}

async fn set_status(data: &DataArgs, username: &str, status: &str, ctx: &AuditCtx) -> anyhow::Result<()> {
    let (db, _) = open(data).await?;
    let acc = find(&db, username).await?;
    let mut tx = db.begin().await?;
    account_store::set_status(&mut tx, acc.id, status, ctx.now).await?;
    if status == "locked" {
        auth_store::delete_sessions_of(&mut tx, acc.id).await?;
    } else {
        account_store::clear_failures(&mut tx, &acc.username).await?;
    }
    let action = if status == "locked" { "account_locked" } else { "account_unlocked" };
    audit::record(&mut tx, ctx, action, "account", acc.id, json!({ "status": { "from": acc.status, "to": status } }))
        .await
        .map_err(|e| anyhow!("{e}"))?;
    tx.commit().await?;
    println!("账号 {username} 已{}", if status == "locked" { "锁定" } else { "解锁" });
    db.close().await;
    Ok(())
}

pub async fn audit(action: AuditAction) -> anyhow::Result<()> {
    match action {
        AuditAction::Verify(data) => {
            let (db, _) = open(&data).await?;
            let (report, notes) = audit_verify(&db, &data.data_dir, Clock::System.now()).await?;
            for n in notes {
                println!("{n}");
            }
            println!("{report}");
            db.close().await;
            match report {
                audit::VerifyReport::Intact { .. } => Ok(()),
                _ => bail!("审计记录校验未通过"),
            }
        }
        AuditAction::Anchor { data, print } => {
            if print {
                print!("{}", audit_anchors_text(&data.data_dir)?);
                return Ok(());
            }
            let (db, _) = open(&data).await?;
            let a = audit::anchor::anchor_now(&db, &data.data_dir, Clock::System.now(), false).await?;
            db.close().await;
            println!("已写入锚点：{} 共 {} 条，末条哈希 {}", crate::clock::format_local(a.at), a.rows, a.hash);
            Ok(())
        }
    }
}

/// What `audit verify` checks and prints (the command without opening the database).
pub async fn audit_verify(db: &Db, data_dir: &Path, now: i64) -> anyhow::Result<(audit::VerifyReport, Vec<String>)> {
    audit::verify_data_dir(db, data_dir, now).await
}

/// The anchor file as `audit anchor --print` prints it: one line per anchor, for the paper log.
pub fn audit_anchors_text(data_dir: &Path) -> anyhow::Result<String> {
    let anchors = audit::anchor::read(data_dir)?
        .ok_or_else(|| anyhow!("锚点文件 {} 不存在", audit::anchor::path(data_dir).display()))?;
    let mut out = String::from("时间\t条数\t末条哈希\t说明\n");
    for a in anchors {
        let note = if a.keyed_after { "启用审计密钥（此前各条为 SHA-256 链）" } else { "定期锚点" };
        out.push_str(&format!("{}\t{}\t{}\t{note}\n", crate::clock::format_local(a.at), a.rows, a.hash));
    }
    Ok(out)
}

pub async fn backup(data: DataArgs, file: &Path) -> anyhow::Result<()> {
    match db_url(&data)? {
        DbUrl::Postgres(_) => {
            println!("PostgreSQL 请使用 pg_dump 在线备份，例如：");
            println!("  pg_dump --format=custom --file={} \"$WANGGE_DATABASE_URL\"", file.display());
            println!("恢复：pg_restore --clean --if-exists --dbname=\"$WANGGE_DATABASE_URL\" {}", file.display());
            println!(
                "上传的文件在数据目录的 files/ 下，请一并备份（如 rsync -a {}/files/ 备份位置/）。",
                data.data_dir.display()
            );
            Ok(())
        }
        DbUrl::Sqlite { .. } => {
            if file.exists() {
                bail!("{} 已存在，不会覆盖", file.display());
            }
            let (db, _) = open(&data).await?;
            let target = file.to_str().ok_or_else(|| anyhow!("备份文件路径含有无法识别的字符"))?;
            db.read()
                .execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")), crate::args![])
                .await
                .context("备份失败")?;
            db.close().await;
            println!("已备份到 {}（上传的文件在 {}/files/，请一并复制）", file.display(), data.data_dir.display());
            Ok(())
        }
    }
}
