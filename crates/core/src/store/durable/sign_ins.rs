//! Sign-ins at the unified login page, successful and failed, with the address they came
//! from: kept in the audit trail (`login.success`, `login.failed`; the typed username as
//! the detail), listed and counted by day for administrators.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

/// The kind of the event that an account was locked.
const LOCKED: &str = "login.locked";

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Success,
    /// A wrong password, an unknown or disabled user: the page said the same for each.
    Failure,
}

impl SignInOutcome {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Success => "login.success",
            Self::Failure => "login.failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "success" => Some(Self::Success),
            "failure" => Some(Self::Failure),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Time-ordered, as every audit event's.
    pub id: String,
    pub at: i64,
    pub outcome: SignInOutcome,
    /// The user's id when the username named one.
    pub user_id: String,
    /// As typed (checked as a username, or empty).
    pub username: String,
    pub address: String,
}

/// Which sign-ins to list; empty text and `None` match everything.
#[derive(Debug, Clone, Default)]
pub struct SignInFilter {
    pub username: String,
    pub outcome: Option<SignInOutcome>,
    pub address: String,
    /// Unix seconds, inclusive.
    pub from: i64,
    pub to: i64,
}

/// The sign-ins of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInDay {
    pub successes: i64,
    pub failures: i64,
}

impl Durable {
    /// Keeps one sign-in. `username` is what was typed, already checked as a username.
    pub async fn record_sign_in(
        &self,
        outcome: SignInOutcome,
        user_id: &str,
        username: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        self.insert_audit("", address, outcome.kind(), user_id, "", username)
            .await
    }

    /// Keeps that an account was locked after too many failed sign-ins (`login.locked`,
    /// the typed username as the detail).
    pub async fn record_lockout(
        &self,
        user_id: &str,
        username: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        self.insert_audit("", address, LOCKED, user_id, "", username)
            .await
    }

    /// The accounts (usernames as typed) locked on each of `days` days from `first_day`,
    /// days being `offset` seconds east of UTC, each account once a day.
    pub async fn lockouts_by_day(
        &self,
        first_day: i64,
        days: usize,
        offset: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT (at + $1) / 86400 AS day, COUNT(DISTINCT detail) AS n FROM audit_events \
             WHERE actor = '' AND kind = $2 AND at >= $3 GROUP BY (at + $1) / 86400",
        )
        .bind(offset)
        .bind(LOCKED)
        .bind(first_day)
        .fetch_all(self.pool())
        .await?;
        let first = (first_day + offset).div_euclid(86_400);
        let mut counted = vec![0; days];
        for row in &rows {
            let day: i64 = row.try_get("day")?;
            if let Some(slot) = usize::try_from(day - first)
                .ok()
                .and_then(|i| counted.get_mut(i))
            {
                *slot = row.try_get("n")?;
            }
        }
        Ok(counted)
    }

    /// Deletes the sign-ins (and lockouts) from before `before`; how many went.
    pub async fn purge_sign_ins(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM audit_events WHERE actor = '' AND kind IN ($1, $2, $3) AND at < $4",
        )
        .bind(SignInOutcome::Success.kind())
        .bind(SignInOutcome::Failure.kind())
        .bind(LOCKED)
        .bind(before)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Sign-ins matching `filter`, newest first, up to `limit`, older than the id `before`
    /// when it is not empty.
    pub async fn sign_ins(
        &self,
        filter: &SignInFilter,
        before: &str,
        limit: i64,
    ) -> Result<Vec<SignIn>, StoreError> {
        let kinds = match filter.outcome {
            Some(outcome) => [outcome.kind(), outcome.kind()],
            None => [SignInOutcome::Success.kind(), SignInOutcome::Failure.kind()],
        };
        let rows = sqlx::query(
            "SELECT id, at, kind, subject, detail, address FROM audit_events \
             WHERE actor = '' AND kind IN ($1, $2) AND ($3 = '' OR id < $3) \
             AND ($4 = '' OR detail = $4) AND ($5 = '' OR address = $5) \
             AND at >= $6 AND at <= $7 ORDER BY id DESC LIMIT $8",
        )
        .bind(kinds[0])
        .bind(kinds[1])
        .bind(before)
        .bind(&filter.username)
        .bind(&filter.address)
        .bind(filter.from)
        .bind(filter.to)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(SignIn {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    outcome: if kind == SignInOutcome::Success.kind() {
                        SignInOutcome::Success
                    } else {
                        SignInOutcome::Failure
                    },
                    user_id: row.try_get("subject")?,
                    username: row.try_get("detail")?,
                    address: row.try_get("address")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Sign-ins counted by day for `days` days from `first_day` (the first second of a
    /// day), days being `offset` seconds east of UTC (the zone's offset now).
    pub async fn sign_ins_by_day(
        &self,
        first_day: i64,
        days: usize,
        offset: i64,
    ) -> Result<Vec<SignInDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT (at + $1) / 86400 AS day, kind, COUNT(*) AS n FROM audit_events \
             WHERE actor = '' AND kind IN ($2, $3) AND at >= $4 \
             GROUP BY (at + $1) / 86400, kind",
        )
        .bind(offset)
        .bind(SignInOutcome::Success.kind())
        .bind(SignInOutcome::Failure.kind())
        .bind(first_day)
        .fetch_all(self.pool())
        .await?;
        let first = (first_day + offset).div_euclid(86_400);
        let mut counted = vec![SignInDay::default(); days];
        for row in &rows {
            let day: i64 = row.try_get("day")?;
            let kind: String = row.try_get("kind")?;
            let n: i64 = row.try_get("n")?;
            let Some(slot) = usize::try_from(day - first)
                .ok()
                .and_then(|i| counted.get_mut(i))
            else {
                continue;
            };
            if kind == SignInOutcome::Success.kind() {
                slot.successes += n;
            } else {
                slot.failures += n;
            }
        }
        Ok(counted)
    }
}
