//! Migrations embedded in the binary, so `unilogin migrate` needs no files beside it.

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::AnyPool;
use std::future::Future;
use std::pin::Pin;

use crate::store::StoreError;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../../../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "oidc",
        include_str!("../../../../../migrations/0002_oidc.sql"),
    ),
    (
        3,
        "refresh parent",
        include_str!("../../../../../migrations/0003_refresh_parent.sql"),
    ),
    (
        4,
        "marketplace",
        include_str!("../../../../../migrations/0004_marketplace.sql"),
    ),
    (
        5,
        "lifecycle",
        include_str!("../../../../../migrations/0005_lifecycle.sql"),
    ),
    (
        6,
        "stored keys",
        include_str!("../../../../../migrations/0006_stored_keys.sql"),
    ),
    (
        7,
        "administration",
        include_str!("../../../../../migrations/0007_administration.sql"),
    ),
    (
        8,
        "kit outbox",
        include_str!("../../../../../migrations/0008_kit_outbox.sql"),
    ),
    (
        9,
        "portal apps",
        include_str!("../../../../../migrations/0009_portal_apps.sql"),
    ),
    (
        10,
        "kit apps",
        include_str!("../../../../../migrations/0010_kit_apps.sql"),
    ),
    (
        11,
        "kit instances",
        include_str!("../../../../../migrations/0011_kit_instances.sql"),
    ),
    (
        12,
        "kit debug cases",
        include_str!("../../../../../migrations/0012_kit_debug_cases.sql"),
    ),
    (
        13,
        "subscriptions",
        include_str!("../../../../../migrations/0013_subscriptions.sql"),
    ),
    (
        14,
        "after-sale service",
        include_str!("../../../../../migrations/0014_after_sale.sql"),
    ),
    (
        15,
        "vouchers",
        include_str!("../../../../../migrations/0015_vouchers.sql"),
    ),
    (
        16,
        "partner discounts",
        include_str!("../../../../../migrations/0016_partner_discounts.sql"),
    ),
    (
        17,
        "upgrade rules",
        include_str!("../../../../../migrations/0017_upgrade_rules.sql"),
    ),
    (
        18,
        "upload quota",
        include_str!("../../../../../migrations/0018_upload_quota.sql"),
    ),
    (
        19,
        "kit message windows",
        include_str!("../../../../../migrations/0019_kit_message_windows.sql"),
    ),
    (
        20,
        "billing centre unsubscriptions",
        include_str!("../../../../../migrations/0020_billing_centre_unsubscriptions.sql"),
    ),
    (
        21,
        "client secret grace",
        include_str!("../../../../../migrations/0021_client_secret_grace.sql"),
    ),
    (
        22,
        "daily counts",
        include_str!("../../../../../migrations/0022_daily_counts.sql"),
    ),
    (
        23,
        "debug case latency",
        include_str!("../../../../../migrations/0023_debug_case_latency.sql"),
    ),
];

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    #[allow(clippy::type_complexity)]
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub(super) async fn run(pool: &AnyPool) -> Result<(), StoreError> {
    let migrator = Migrator::new(Embedded)
        .await
        .map_err(|e| StoreError::Backend(format!("loading migrations: {e}")))?;
    migrator.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(inner) => StoreError::from(inner),
        other => StoreError::Backend(format!("migration failed: {other}")),
    })
}
