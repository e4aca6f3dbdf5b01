//! Every workflow step writes the same way: a conditional UPDATE on the version it read
//! (optimistic concurrency: two steps racing on one subject, exactly one wins) and one log
//! row, in the step's transaction.

use super::log::{append, LogRow, LogTable};
use super::sql::{bind_all, Cell};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// The subject as the step read it.
pub struct Read<'a> {
    pub table: &'static str,
    pub id: &'a str,
    pub version: i64,
}

/// What one step changes: the columns it sets, and further conditions the row must still
/// meet (a state, say) besides its version.
pub struct Change<'a> {
    pub set: Vec<(&'static str, Cell<'a>)>,
    pub only_if: Vec<(&'static str, Cell<'a>)>,
}

impl<'a> Change<'a> {
    pub fn set(set: Vec<(&'static str, Cell<'a>)>) -> Self {
        Change {
            set,
            only_if: Vec::new(),
        }
    }

    pub fn only_if(mut self, column: &'static str, value: impl Into<Cell<'a>>) -> Self {
        self.only_if.push((column, value.into()));
        self
    }
}

/// Applies `change` to `read` if it is still at the version read, bumping the version, and
/// appends `entry` to `log`; false (and nothing written) when another change came first.
pub async fn update_and_log(
    tx: &mut Tx,
    read: Read<'_>,
    change: Change<'_>,
    log: &LogTable,
    entry: &impl LogRow,
) -> Result<bool, StoreError> {
    if !update(tx, &read, change).await? {
        return Ok(false);
    }
    append(tx, log, read.id, entry).await?;
    Ok(true)
}

/// The UPDATE alone, for steps whose log row depends on the outcome.
pub async fn update(tx: &mut Tx, read: &Read<'_>, change: Change<'_>) -> Result<bool, StoreError> {
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let mut sets: Vec<String> = change
        .set
        .iter()
        .map(|(column, _)| format!("{column} = ${}", next()))
        .collect();
    sets.push("version = version + 1".to_owned());
    let mut conditions = vec![
        format!("id = ${}", next()),
        format!("version = ${}", next()),
    ];
    conditions.extend(
        change
            .only_if
            .iter()
            .map(|(column, _)| format!("{column} = ${}", next())),
    );
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        read.table,
        sets.join(", "),
        conditions.join(" AND ")
    );
    let mut values: Vec<Cell<'_>> = change.set.into_iter().map(|(_, cell)| cell).collect();
    values.push(Cell::Text(read.id));
    values.push(Cell::Int(read.version));
    values.extend(change.only_if.into_iter().map(|(_, cell)| cell));
    let updated = bind_all(sqlx::query(&sql), &values)
        .execute(&mut **tx)
        .await?;
    Ok(updated.rows_affected() == 1)
}
