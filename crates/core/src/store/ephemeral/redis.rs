//! Redis ephemeral store. Every key carries the configured prefix; every command is bounded
//! by a short timeout so an unreachable Redis turns into a quick 503, and the connection
//! manager reconnects by itself when Redis comes back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use tokio::runtime;

use super::Ephemeral;
use crate::store::StoreError;

const COMMAND_TIMEOUT: Duration = Duration::from_millis(800);

#[derive(Clone)]
pub struct RedisStore {
    client: redis::Client,
    config: ConnectionManagerConfig,
    prefix: String,
    /// One connection per runtime, used only by that runtime's tasks, so that its driver
    /// task runs where the commands do: each HTTP worker has its own runtime on its own
    /// thread, and a command sent through a connection driven elsewhere cost two thread
    /// hand-offs per round trip. A runtime that stops (a draining worker) takes only its
    /// own connection with it.
    connections: Arc<Mutex<HashMap<runtime::Id, ConnectionManager>>>,
}

impl RedisStore {
    /// Prepares a connection to `url`; it is established lazily, so the service starts
    /// (and reports not ready) even while Redis is down.
    pub fn new(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::Backend(format!("bad Redis URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        current_runtime()?;
        Ok(Self {
            client,
            config,
            prefix: prefix.to_owned(),
            connections: Arc::default(),
        })
    }

    fn key(&self, key: &str) -> String {
        [self.prefix.as_str(), key].concat()
    }

    /// The calling runtime's connection (made on first use; it connects lazily).
    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let here = current_runtime()?.id();
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(connection) = connections.get(&here) {
            return Ok(connection.clone());
        }
        let connection =
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        connections.insert(here, connection.clone());
        Ok(connection)
    }

    async fn run<T, F>(&self, command: F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        classify(tokio::time::timeout(COMMAND_TIMEOUT, command).await)
    }

    /// Deletes every key under this store's prefix (test clean-up).
    pub async fn clear_prefix(&self) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let pattern = format!("{}*", self.prefix);
        let keys: Vec<String> = self
            .run(async {
                let mut iter = conn.scan_match::<_, String>(&pattern).await?;
                let mut keys = Vec::new();
                while let Some(key) = iter.next_item().await {
                    keys.push(key?);
                }
                Ok(keys)
            })
            .await?;
        if !keys.is_empty() {
            let mut conn = self.connection()?;
            self.run(conn.del::<_, ()>(keys)).await?;
        }
        Ok(())
    }
}

fn current_runtime() -> Result<runtime::Handle, StoreError> {
    runtime::Handle::try_current()
        .map_err(|_| StoreError::Backend("the Redis store needs a Tokio runtime".into()))
}

fn classify<T>(
    outcome: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
) -> Result<T, StoreError> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) if is_unavailable(&err) => Err(StoreError::Unavailable(err.to_string())),
        Ok(Err(err)) => Err(StoreError::Backend(err.to_string())),
        Err(_) => Err(StoreError::Unavailable("redis command timed out".into())),
    }
}

fn is_unavailable(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_unrecoverable_error()
}

fn millis(ttl: Duration) -> u64 {
    ttl.as_millis().clamp(1, u64::MAX as u128) as u64
}

#[async_trait]
impl Ephemeral for RedisStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        let value = value.to_vec();
        self.run(async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(&value)
                .arg("PX")
                .arg(millis(ttl))
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        let value = value.to_vec();
        let reply: Option<String> = self
            .run(async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&value)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok(reply.is_some())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        self.run(async move { conn.get(&key).await }).await
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        // GETDEL is atomic: a replayed code cannot be taken twice.
        self.run(async move { conn.get_del(&key).await }).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        self.run(async move { conn.del::<_, ()>(&key).await }).await
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, StoreError> {
        let mut conn = self.connection()?;
        let key = self.key(key);
        let (count, _): (i64, i64) = self
            .run(async move {
                // PEXPIRE … NX sets the window only when the counter is created.
                redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .cmd("PEXPIRE")
                    .arg(&key)
                    .arg(millis(ttl))
                    .arg("NX")
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok(count)
    }

    async fn exists_any(&self, keys: &[String]) -> Result<bool, StoreError> {
        if keys.is_empty() {
            return Ok(false);
        }
        let mut conn = self.connection()?;
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        let count: i64 = self.run(async move { conn.exists(keys).await }).await?;
        Ok(count > 0)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.connection()?;
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        self.run(async move {
            redis::cmd("MGET")
                .arg(keys)
                .query_async::<Vec<Option<Vec<u8>>>>(&mut conn)
                .await
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        self.run(async move { redis::cmd("PING").query_async::<String>(&mut conn).await })
            .await
            .map(|_| ())
    }
}
