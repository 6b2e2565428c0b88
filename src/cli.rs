//! The command line: `serve`, `demo`, `migrate`, `user`, `audit verify`, `backup`, `bench`. The help
//! (doc comments below, shown by `--help`) is in Chinese like the rest of the program; `command()` also
//! puts clap's own headings and the help and version flags into Chinese. Command and flag names are a
//! contract and stay as they are.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "wangge", version, about = "网格化服务管理信息系统：一个程序，装上就能用，浏览器打开即可")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// 数据放在哪里（每个命令都有这两个选项）。
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// 数据目录：SQLite 数据库、上传的文件和密钥都在这里
    #[arg(long, default_value = "./data", env = "WANGGE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// 数据库地址：`sqlite:路径`（要新建时加 `?mode=rwc`）或 `postgres://…`；不设时用数据目录里的 SQLite
    #[arg(long, env = "WANGGE_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080", env = "WANGGE_LISTEN")]
    pub listen: String,
    /// 会话空闲多少分钟后失效
    #[arg(long, default_value_t = 30)]
    pub idle_timeout_minutes: i64,
    /// Cookie 只经 HTTPS 发送（在 TLS 反向代理后面时使用）
    #[arg(long)]
    pub secure_cookies: bool,
    /// 客户端地址取 X-Forwarded-For 的最后一项（只在自己的反向代理后面使用）
    #[arg(long)]
    pub trust_proxy: bool,
    /// 网格地图的瓦片底图地址模板，含 {z}、{x}、{y}（如带密钥的天地图）；不设时只画边界、不联网
    #[arg(long, env = "WANGGE_TILE_URL")]
    pub tile_url: Option<String>,
    /// 瓦片的坐标系：wgs84（或 cgcs2000，天地图）、gcj02（高德、腾讯）
    #[arg(long, default_value = "wgs84", env = "WANGGE_TILE_DATUM")]
    pub tile_datum: String,
    /// 本站对外的地址，用于海报和服务联系卡上的二维码（不设时用浏览器访问时的地址）
    #[arg(long, env = "WANGGE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 启动服务（启动时自动执行数据库迁移）
    Serve(ServeArgs),
    /// 建演示县（可重复运行，不会重复建），打印演示账号，然后启动服务
    Demo(DemoArgs),
    /// 只执行数据库迁移，然后退出
    Migrate(DataArgs),
    /// 新装系统时建立区域树的根：县（只做一次）
    Init {
        #[command(flatten)]
        data: DataArgs,
        /// 县的 6 位 GB/T 2260 行政区划代码
        #[arg(long)]
        county_code: String,
        /// 县的名称
        #[arg(long)]
        county_name: String,
    },
    /// 在命令行管理账号：新建、重置密码、锁定、解锁
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// 审计日志：校验审计链、写锚点
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// 性能测试（打印结果；请用单独的数据目录）
    Bench {
        #[command(subcommand)]
        action: BenchAction,
    },
    /// 在线生成一致的 SQLite 数据库副本（PostgreSQL：打印 pg_dump 的做法）
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// 副本写到哪个文件（不覆盖已有文件）
        file: PathBuf,
    },
}

/// The command line with clap's own words in Chinese too: the headings, the usage line and the help
/// and version flags (the same names `-h`/`--help`, `-V`/`--version`), on every subcommand.
pub fn command() -> clap::Command {
    localize(<Cli as clap::CommandFactory>::command(), true)
}

fn localize(cmd: clap::Command, root: bool) -> clap::Command {
    use clap::{Arg, ArgAction};
    let mut cmd = cmd
        .help_template("{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("子命令")
        .subcommand_value_name("子命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示本帮助"))
        .mut_args(|a| if a.is_positional() { a.help_heading("参数") } else { a.help_heading("选项") });
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_owned()).collect();
    for n in names {
        cmd = cmd.mut_subcommand(n, |c| localize(c, false));
    }
    cmd
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// 所有演示账号的密码
    #[arg(long, default_value = "wangge2026")]
    pub demo_password: String,
    /// 规模：county（种子材料的演示县）、city（约 2 万个网格）或 province（约 20 万个网格）
    #[arg(long, default_value = "county")]
    pub scale: String,
    /// city、province 规模时登记的总人数（默认 500 万 / 5000 万；只补足，不删除）
    #[arg(long)]
    pub people: Option<u64>,
    /// 只建数据，不启动服务
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// 新建账号，打印一次性初始密码（第一个系统管理员和安全管理员就这样建）
    Add {
        #[command(flatten)]
        data: DataArgs,
        /// 用户名（小写字母、数字、_ . -）
        username: String,
        /// 角色：grid_worker 网格员、grid_leader 网格长、community_staff 社区工作人员、town_center 乡镇综治中心、
        /// county_center 县综治中心、department_handler 职能部门办理人、county_viewer 县级只读、
        /// system_admin 系统管理员、security_admin 安全管理员、audit_admin 审计管理员
        #[arg(long)]
        role: String,
        /// 账号绑定的区域编码（默认绑定到县）
        #[arg(long)]
        area_code: Option<String>,
        /// 职能部门编号（职能部门办理人用）
        #[arg(long)]
        department_id: Option<i64>,
        /// 姓名（显示名）
        #[arg(long)]
        name: Option<String>,
    },
    /// 生成新的初始密码（只打印一次）并结束该账号的所有会话；下次登录必须修改
    ResetPassword {
        #[command(flatten)]
        data: DataArgs,
        /// 用户名
        username: String,
    },
    /// 锁定账号，同时结束其会话
    Lock {
        #[command(flatten)]
        data: DataArgs,
        /// 用户名
        username: String,
    },
    /// 解锁账号，同时清除登录失败计数
    Unlock {
        #[command(flatten)]
        data: DataArgs,
        /// 用户名
        username: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchAction {
    /// 实有人口登记：在市级规模的登记上测精确查找、检索和 10 万行导入
    Register(BenchRegisterArgs),
    /// 事件流转：在一个市的事件上测办理操作、待办、月度统计和黄牌红牌扫描
    Events(BenchEventsArgs),
    /// 督导：市级规模一个月的月度通报（JSON、Word、Excel）、考核排名，以及对照的原始 SQL 用时
    Bulletin(BenchBulletinArgs),
    /// 地图：在大量网格多边形中给坐标找网格（R 树，单核），以及重叠缝隙检查
    Geo(BenchGeoArgs),
    /// 公示牌的并发性能（调用 wrk；Debian 上 apt-get install -y wrk）
    Public(BenchPublicArgs),
    /// 外勤手机应用：把一部手机的待同步记录按应用的批次发给真正的同步接口
    Sync(BenchSyncArgs),
    /// 上传：读取限度内最坏的 Excel 文件和应被拒绝的文件时的峰值内存
    Upload,
}

#[derive(Args, Debug, Clone)]
pub struct BenchPublicArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 请求哪个网格的公示牌（默认演示县嫩水社区第 1 网格）
    #[arg(long, default_value = "510725101001001")]
    pub grid: String,
    /// 并发连接数（wrk -c）
    #[arg(long, default_value_t = 200)]
    pub connections: u32,
    /// wrk 线程数（wrk -t）
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// 运行秒数（wrk -d）
    #[arg(long, default_value_t = 20)]
    pub seconds: u32,
}

#[derive(Args, Debug, Clone)]
pub struct BenchSyncArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 待同步的记录数（人员、事件、房屋、户、走访）
    #[arg(long, default_value_t = 500)]
    pub records: usize,
    /// 每次请求的操作数（与应用相同）
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchGeoArgs {
    /// 网格多边形个数（抖动过的格点，拼满平面）
    #[arg(long, default_value_t = 20_000)]
    pub grids: usize,
    /// 每轮查找的随机坐标数
    #[arg(long, default_value_t = 2_000_000)]
    pub lookups: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchBulletinArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 所测月份（上个月）在合成市各网格上报的事件数
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// 合成登记的人数（只生成一次，以后保留；0 为不生成）
    #[arg(long, default_value_t = 5_000_000)]
    pub people: u64,
    /// 当月重点人群的报送数
    #[arg(long, default_value_t = 100_000)]
    pub submissions: usize,
    /// 每个数字测几次
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchEventsArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 合成市的事件数（只生成一次，以后保留）
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// 每个数字测几次
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchRegisterArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 合成登记的人数（只生成一次，以后保留）
    #[arg(long, default_value_t = 1_000_000)]
    pub people: usize,
    /// 导入测试文件的行数
    #[arg(long, default_value_t = 100_000)]
    pub import_rows: usize,
    /// 每种查找测几次
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// 连续导入几个新文件，各进一个乡镇（第一次遇到合成时填满的索引，之后遇到导入过后的索引）
    #[arg(long, default_value_t = 1)]
    pub imports: usize,
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// 用审计密钥和锚点校验审计链，报告截断或第一条被篡改、缺失的记录
    Verify(DataArgs),
    /// 把审计链当前行数和末条哈希追加到锚点文件；加 --print 打印全部锚点供纸质登记
    Anchor {
        #[command(flatten)]
        data: DataArgs,
        /// 打印全部锚点，不写新的
        #[arg(long)]
        print: bool,
    },
}
