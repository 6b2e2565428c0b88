//! The command line: `serve`, `demo`, `migrate`, `user`, `audit verify`, `backup`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "wangge", version, about = "网格化服务管理信息系统 — grid-based community service and governance")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives (every command takes these).
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Data directory: the SQLite database and uploaded files.
    #[arg(long, default_value = "./data", env = "WANGGE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` (add `?mode=rwc` to create) or `postgres://…`. Default: SQLite in the data directory.
    #[arg(long, env = "WANGGE_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "WANGGE_LISTEN")]
    pub listen: String,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, default_value_t = 30)]
    pub idle_timeout_minutes: i64,
    /// Send cookies only over HTTPS (set behind a TLS-terminating proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Take the client address from the last X-Forwarded-For entry (set only behind your own reverse proxy).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Tile URL template with {z}/{x}/{y} drawn under the grid maps (e.g. 天地图 with your key); none: boundaries only.
    #[arg(long, env = "WANGGE_TILE_URL")]
    pub tile_url: Option<String>,
    /// Coordinate system of the tiles: wgs84 (or cgcs2000, 天地图) or gcj02 (高德, 腾讯).
    #[arg(long, default_value = "wgs84", env = "WANGGE_TILE_DATUM")]
    pub tile_datum: String,
    /// Public address of the site for QR codes on posters and contact cards (default: the address each request came to).
    #[arg(long, env = "WANGGE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the server.
    Serve(ServeArgs),
    /// Create (idempotently) the demo county, print its sign-ins, then serve.
    Demo(DemoArgs),
    /// Apply database migrations and exit.
    Migrate(DataArgs),
    /// Create the county at the root of the tree (once, on a fresh installation).
    Init {
        #[command(flatten)]
        data: DataArgs,
        /// The county's 6-digit GB/T 2260 code.
        #[arg(long)]
        county_code: String,
        /// The county's name.
        #[arg(long)]
        county_name: String,
    },
    /// Manage accounts from the command line.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Performance figures (prints them; use a separate data directory).
    Bench {
        #[command(subcommand)]
        action: BenchAction,
    },
    /// Write a consistent online copy of the SQLite database to FILE (PostgreSQL: prints the pg_dump recipe).
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// Where to write the copy.
        file: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Password of every demo account.
    #[arg(long, default_value = "wangge2026")]
    pub demo_password: String,
    /// Size of the synthetic tree: `county` (the seed county), `city` (~20,000 grids) or `province` (~200,000 grids).
    #[arg(long, default_value = "county")]
    pub scale: String,
    /// People in the whole register for `city`/`province` (default 5,000,000 / 50,000,000; topped up, never removed).
    #[arg(long)]
    pub people: Option<u64>,
    /// Create the data and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Create an account (the first system and security administrators are created this way).
    Add {
        #[command(flatten)]
        data: DataArgs,
        /// Username (lower-case letters, digits, _ . -).
        username: String,
        /// Role: grid_worker, grid_leader, community_staff, town_center, county_center, department_handler,
        /// county_viewer, system_admin, security_admin, audit_admin.
        #[arg(long)]
        role: String,
        /// Area code the account is bound to (default: the county).
        #[arg(long)]
        area_code: Option<String>,
        /// Department id (for department handlers).
        #[arg(long)]
        department_id: Option<i64>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new initial password (printed once); the holder must change it at next sign-in.
    ResetPassword {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
    /// Lock an account and end its sessions.
    Lock {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
    /// Unlock an account and clear its failed sign-ins.
    Unlock {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchAction {
    /// The register: lookups and searches on a city-scale register, and a 100,000-row import.
    Register(BenchRegisterArgs),
    /// The closed loop: actions, to-do lists, a month's figures and the card scan over a city's events.
    Events(BenchEventsArgs),
    /// Supervision: a city-scale month's bulletin (JSON, .docx, .xlsx), assessment rankings, and the
    /// plain SQL aggregations beside them.
    Bulletin(BenchBulletinArgs),
    /// Maps: the grid of a coordinate among many grid polygons through the R-tree, on one core.
    Geo(BenchGeoArgs),
    /// The public board of a grid under many concurrent clients (runs `wrk`; Debian: apt-get install -y wrk).
    Public(BenchPublicArgs),
    /// The field app: a phone's queue of records sent through the real HTTP sync endpoint in the app's batches.
    Sync(BenchSyncArgs),
    /// Uploads: peak memory of the Excel reader on the worst file the limits accept, and on a refused one.
    Upload,
}

#[derive(Args, Debug, Clone)]
pub struct BenchPublicArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The grid whose board is requested (the demo county's 嫩水社区第 1 网格 by default).
    #[arg(long, default_value = "510725101001001")]
    pub grid: String,
    /// Concurrent connections (wrk -c).
    #[arg(long, default_value_t = 200)]
    pub connections: u32,
    /// wrk threads (wrk -t).
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// Seconds to run (wrk -d).
    #[arg(long, default_value_t = 20)]
    pub seconds: u32,
}

#[derive(Args, Debug, Clone)]
pub struct BenchSyncArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Queued records (people, events, houses, households, visits).
    #[arg(long, default_value_t = 500)]
    pub records: usize,
    /// Operations per request, as the app sends them.
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchGeoArgs {
    /// Grid polygons (a jittered lattice that tiles the plane).
    #[arg(long, default_value_t = 20_000)]
    pub grids: usize,
    /// Random coordinates to look up, per round.
    #[arg(long, default_value_t = 2_000_000)]
    pub lookups: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchBulletinArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Events reported in the measured month (last month), across the synthetic city's grids.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// People in the synthetic register (generated once, kept for later runs; 0 to skip).
    #[arg(long, default_value_t = 5_000_000)]
    pub people: u64,
    /// Reports of the key groups sent in the month.
    #[arg(long, default_value_t = 100_000)]
    pub submissions: usize,
    /// Samples per figure.
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchEventsArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Events in the synthetic city (generated once, kept for later runs).
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// Samples per figure.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
}

#[derive(Args, Debug, Clone)]
pub struct BenchRegisterArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// People in the synthetic register (generated once, kept for later runs).
    #[arg(long, default_value_t = 1_000_000)]
    pub people: usize,
    /// Rows of the import benchmark file.
    #[arg(long, default_value_t = 100_000)]
    pub import_rows: usize,
    /// Samples per lookup figure.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Imports of a fresh file, one after the other, each into another town (the first meets the
    /// indexes as the generator built them, packed full; the later ones meet them as imports leave them).
    #[arg(long, default_value_t = 1)]
    pub imports: usize,
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Check the keyed chain and the anchors; report truncation or the first altered or missing row.
    Verify(DataArgs),
    /// Append an anchor (row count and head hash) to the anchor file; with --print, print the file for the paper log.
    Anchor {
        #[command(flatten)]
        data: DataArgs,
        /// Print every anchor instead of writing a new one.
        #[arg(long)]
        print: bool,
    },
}
