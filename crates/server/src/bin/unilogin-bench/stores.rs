//! A Redis server and a PostgreSQL cluster of the bench's own (own ports, own data
//! directories), so the fault run can stop and start them without touching the shared
//! services other work relies on.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::free_port;

/// A store process the bench owns.
pub struct OwnStore {
    name: &'static str,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    start: fn(&OwnStore) -> Result<Child, String>,
    /// PostgreSQL refuses to run as root: the cluster then runs as this user.
    run_as: Option<String>,
}

impl Drop for OwnStore {
    fn drop(&mut self) {
        self.stop_now();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl OwnStore {
    pub fn addr(&self) -> SocketAddr {
        ([127, 0, 0, 1], self.port).into()
    }

    /// Stops the server the way an operator's restart does (Redis writes its append-only
    /// file; PostgreSQL's fast shutdown), waits `down`, and starts it again on the same
    /// port and data; returns when it accepts connections again.
    pub async fn restart(&mut self, down: Duration) -> Result<Instant, String> {
        self.stop_now();
        tokio::time::sleep(down).await;
        self.child = Some((self.start)(self)?);
        self.wait_up().await?;
        Ok(Instant::now())
    }

    fn stop_now(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = self.server_pid().unwrap_or(child.id());
            let signal = if self.name == "PostgreSQL" {
                "-INT"
            } else {
                "-TERM"
            };
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) && !self.pid_alive(pid) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server's own pid (PostgreSQL started through `runuser` is its grandchild).
    fn server_pid(&self) -> Option<u32> {
        let pid_file = std::fs::read_to_string(self.dir.join("data/postmaster.pid")).ok()?;
        pid_file.lines().next()?.trim().parse().ok()
    }

    fn pid_alive(&self, pid: u32) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| stat.contains(") Z "))
    }

    async fn wait_up(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.answers().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "{} on port {} did not come up",
            self.name, self.port
        ))
    }

    /// Whether the server answers its protocol (not only accepts TCP).
    async fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(self.addr()).await else {
            return false;
        };
        if self.name == "Redis" {
            let mut reply = [0u8; 7];
            stream.write_all(b"PING\r\n").await.is_ok()
                && stream.read_exact(&mut reply).await.is_ok()
                && &reply == b"+PONG\r\n"
        } else {
            pg_isready(&self.dir, self.port, self.run_as.as_deref())
        }
    }

    /// A Redis server on a free port with its append-only file in a directory of its own.
    pub async fn redis() -> Result<OwnStore, String> {
        let store = OwnStore::new("Redis", None)?;
        Self::launch(store).await
    }

    /// A PostgreSQL cluster (initdb) on a free port, trusting loopback.
    pub async fn postgres() -> Result<OwnStore, String> {
        let run_as = running_as_root().then(|| "postgres".to_owned());
        let store = OwnStore::new("PostgreSQL", run_as)?;
        let data = store.dir.join("data");
        if let Some(user) = &store.run_as {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(&store.dir)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err(format!("chown {} failed", store.dir.display()));
            }
        }
        let output = as_user(store.run_as.as_deref(), &postgres_bin("initdb")?)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "initdb: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Self::launch(store).await
    }

    fn new(name: &'static str, run_as: Option<String>) -> Result<OwnStore, String> {
        let dir = std::env::temp_dir().join(format!(
            "unilogin_bench_{}_{}",
            name.to_lowercase(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let start = if name == "Redis" {
            start_redis
        } else {
            start_postgres
        };
        Ok(OwnStore {
            name,
            port: free_port(),
            dir,
            child: None,
            start,
            run_as,
        })
    }

    async fn launch(mut store: OwnStore) -> Result<OwnStore, String> {
        store.child = Some((store.start)(&store)?);
        store.wait_up().await?;
        Ok(store)
    }

    pub fn url(&self) -> String {
        match self.name {
            "Redis" => format!("redis://127.0.0.1:{}/", self.port),
            _ => format!("postgres://postgres@127.0.0.1:{}/postgres", self.port),
        }
    }
}

fn log_file(dir: &Path, name: &str) -> Result<Stdio, String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(name))
        .map_err(|e| e.to_string())?;
    Ok(Stdio::from(file))
}

fn start_redis(store: &OwnStore) -> Result<Child, String> {
    Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &store.port.to_string()])
        .args([
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
        ])
        .arg("--dir")
        .arg(&store.dir)
        .stdout(log_file(&store.dir, "redis.log")?)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-server (apt-get install redis-server): {e}"))
}

fn start_postgres(store: &OwnStore) -> Result<Child, String> {
    as_user(store.run_as.as_deref(), &postgres_bin("postgres")?)
        .arg("-D")
        .arg(store.dir.join("data"))
        .args(["-p", &store.port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1"])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", store.dir.display()))
        .args(["-c", "max_connections=100"])
        .stdout(Stdio::null())
        .stderr(log_file(&store.dir, "postgres.log")?)
        .spawn()
        .map_err(|e| format!("postgres: {e}"))
}

fn pg_isready(dir: &Path, port: u16, run_as: Option<&str>) -> bool {
    postgres_bin("pg_isready").is_ok_and(|bin| {
        as_user(run_as, &bin)
            .args(["-q", "-h"])
            .arg(dir)
            .args(["-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn as_user(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// A PostgreSQL server program: from `pg_config --bindir`, else the newest Debian one.
fn postgres_bin(name: &str) -> Result<PathBuf, String> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join(name).exists() {
            return Ok(dir.join(name));
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL's server programs are missing (apt-get install postgresql)")?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
        .filter(|p| p.exists())
        .collect();
    versions.sort_by_key(|p| {
        p.components()
            .nth(4)
            .and_then(|c| c.as_os_str().to_str()?.parse::<u32>().ok())
    });
    versions
        .pop()
        .ok_or_else(|| format!("no PostgreSQL {name} under /usr/lib/postgresql"))
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}
