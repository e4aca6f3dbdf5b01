//! The durable record of browser sessions, for administrators: who is signed in, since
//! when, from where. The sessions themselves live in the ephemeral store; ending one goes
//! through the lifecycle, which also marks its record here.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub sid: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub address: String,
    pub user_agent: String,
}

/// At most this many characters of a user agent are kept.
const USER_AGENT_CHARS: usize = 256;

impl Durable {
    /// Records a new session, and forgets those expired for more than a day.
    pub async fn record_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "record_session");
        sqlx::query("DELETE FROM user_sessions WHERE expires_at < $1")
            .bind(self.now() - 86_400)
            .execute(self.pool())
            .await?;
        let user_agent: String = session
            .user_agent
            .chars()
            .filter(|c| !c.is_control())
            .take(USER_AGENT_CHARS)
            .collect();
        sqlx::query(
            "INSERT INTO user_sessions (sid, user_id, created_at, expires_at, address, \
             user_agent) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.sid)
        .bind(&session.user_id)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(&session.address)
        .bind(user_agent)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The user's sessions that have neither ended nor expired, newest first.
    pub async fn live_sessions_of_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT sid, user_id, created_at, expires_at, address, user_agent \
             FROM user_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC, sid LIMIT 500",
        )
        .bind(user_id)
        .bind(self.now())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionRecord {
                    sid: row.try_get("sid")?,
                    user_id: row.try_get("user_id")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    address: row.try_get("address")?,
                    user_agent: row.try_get("user_agent")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Marks one session ended.
    pub async fn end_session_record(&self, sid: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_sessions SET ended_at = $1 WHERE sid = $2 AND ended_at IS NULL")
            .bind(self.now())
            .bind(sid)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks every session of a user ended.
    pub async fn end_session_records_of_user(&self, user_id: &str) -> Result<(), StoreError> {
        let now = self.now();
        sqlx::query(
            "UPDATE user_sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
