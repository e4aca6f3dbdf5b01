//! Debug cases (接口调试, §4.5): for a scenario (an activity), the request a seller's
//! production interface is sent in a test (`testFlag` "1"), with sample values the seller
//! may preset; the cases that must have succeeded before a product's instances open;
//! and the `kit_debug_cases` table that keeps the successes.

use serde_json::{json, Map, Value};
use sqlx::Row;

use crate::kit::app_store::KitApp;
use crate::kit::exchange::Activity;
use crate::kit::secret_delivery::DeliveryKey;
use crate::store::MarketStore;
use unilogin_core::secret::Secret;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// The cases a product's instances need (§4.5): period billing new, renew, expire and
/// release; anything else (one-time, per use) new and release.
pub fn required(period_billing: bool) -> &'static [Activity] {
    if period_billing {
        &[
            Activity::NewInstance,
            Activity::RefreshInstance,
            Activity::UpdateInstanceStatus,
            Activity::ReleaseInstance,
        ]
    } else {
        &[Activity::NewInstance, Activity::ReleaseInstance]
    }
}

fn time(unix: i64) -> String {
    unilogin_core::calendar::compact(unix)
}

/// The sample body of `scenario` for `app` at `now` (unix seconds), `testFlag` "1".
pub fn sample(app: &KitApp, scenario: Activity, now: i64) -> Result<Value, String> {
    let order = "CS00000000TEST";
    let line = "CS00000000TEST-000001";
    let instance = "test-instance";
    let stamp = format!("{}000", time(now));
    let body = match scenario {
        Activity::NewInstance | Activity::QueryInstance => {
            json!({"orderId": order, "orderLineId": line, "businessId": "test-business"})
        }
        Activity::RefreshInstance => json!({
            "instanceId": instance, "orderId": order, "orderLineId": line,
            "expireTime": time(now + 30 * 86_400), "trialToFormal": "0", "periodType": "month",
            "periodNumber": 1, "orderAmount": 0}),
        Activity::UpdateInstanceStatus => json!({"instanceId": instance, "status": "FREEZE"}),
        Activity::ReleaseInstance => json!({"instanceId": instance, "orderId": order}),
        Activity::Upgrade => json!({
            "instanceId": instance, "orderId": order, "orderLineId": line,
            "skuCode": "test-sku", "productId": app.product_id}),
        Activity::OrderNotify => json!({"orderId": order, "orderLineId": line}),
        Activity::TenantSync => json!({
            "tenantId": "test-tenant", "tenantCode": "test-tenant", "name": "Test tenant",
            "domainName": "https://test.example.com", "flag": "1", "timeStamp": stamp}),
        Activity::ApplicationSync => {
            let sealed = DeliveryKey::from_pem(&app.public_key)
                .and_then(|key| key.encrypt(&Secret::new("test-client-secret")))
                .map_err(|e| format!("the app's public key: {e}"))?;
            json!({"instanceId": instance, "tenantId": "test-tenant", "appId": app.id,
                   "clientId": "test-client", "clientSecret": sealed, "flag": "1",
                   "timeStamp": stamp})
        }
        Activity::UserSync => json!({
            "instanceId": instance, "tenantId": "test-tenant", "appId": app.id,
            "userId": "test-user", "userName": "test-user", "name": "Test user",
            "role": "admin", "flag": "1", "timeStamp": stamp}),
    };
    let mut body = body;
    body["testFlag"] = "1".into();
    Ok(body)
}

/// The sample with the seller's preset values: only the sample's own fields, each a
/// string or a number; `testFlag` stays "1".
pub fn with_presets(mut sample: Value, presets: &Map<String, Value>) -> Result<Value, String> {
    let fields = sample
        .as_object_mut()
        .ok_or("the sample is not an object")?;
    for (name, value) in presets {
        if name == "testFlag" || !fields.contains_key(name) {
            let known: Vec<&str> = fields
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "testFlag")
                .collect();
            return Err(format!(
                "{name} cannot be preset for this scenario (its fields: {})",
                known.join(", ")
            ));
        }
        let fits = match value {
            Value::String(s) => s.chars().count() <= 512,
            Value::Number(_) => true,
            _ => false,
        };
        if !fits {
            return Err(format!(
                "{name}: a string of up to 512 characters, or a number"
            ));
        }
        fields.insert(name.clone(), value.clone());
    }
    Ok(sample)
}

/// A successful, saved case.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedCase {
    pub scenario: Activity,
    pub url: String,
    pub params: Value,
    /// The body sent (the sample with the presets, `testFlag` "1").
    pub request: Value,
    pub answer: Value,
    /// How long the production interface took to answer.
    pub latency_ms: i64,
    pub saved_at: i64,
}

impl MarketStore {
    /// Saves (or replaces) the app's case of `case.scenario`.
    pub async fn save_debug_case(&self, app: &KitApp, case: &SavedCase) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO kit_debug_cases (app_id, scenario, seller_tenant_id, url, params, \
             answer, saved_at, request, latency_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (app_id, scenario) DO UPDATE SET url = $4, params = $5, answer = $6, \
             saved_at = $7, request = $8, latency_ms = $9",
        )
        .bind(&app.id)
        .bind(case.scenario.as_str())
        .bind(&app.seller_tenant_id)
        .bind(&case.url)
        .bind(case.params.to_string())
        .bind(case.answer.to_string())
        .bind(case.saved_at)
        .bind(case.request.to_string())
        .bind(case.latency_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn debug_cases(&self, app_id: &str) -> Result<Vec<SavedCase>, StoreError> {
        debug_cases_with(self.pool(), app_id).await
    }

    /// The required scenarios the app has no saved case of.
    pub async fn missing_debug_cases(
        &self,
        app_id: &str,
        period_billing: bool,
    ) -> Result<Vec<Activity>, StoreError> {
        let saved = debug_cases_with(self.pool(), app_id).await?;
        Ok(missing(&saved, period_billing))
    }
}

/// `missing_debug_cases` inside the caller's transaction.
pub async fn missing_debug_cases_in(
    tx: &mut Tx,
    app_id: &str,
    period_billing: bool,
) -> Result<Vec<Activity>, StoreError> {
    let saved = debug_cases_with(&mut **tx, app_id).await?;
    Ok(missing(&saved, period_billing))
}

fn missing(saved: &[SavedCase], period_billing: bool) -> Vec<Activity> {
    required(period_billing)
        .iter()
        .copied()
        .filter(|a| !saved.iter().any(|c| c.scenario == *a))
        .collect()
}

async fn debug_cases_with<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    app_id: &str,
) -> Result<Vec<SavedCase>, StoreError> {
    let rows = sqlx::query(
        "SELECT scenario, url, params, answer, saved_at, request, latency_ms \
         FROM kit_debug_cases \
         WHERE app_id = $1 ORDER BY scenario",
    )
    .bind(app_id)
    .fetch_all(executor)
    .await?;
    let json = |raw: String| {
        serde_json::from_str::<Value>(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    rows.iter()
        .map(|row| {
            let scenario: String = row.try_get("scenario")?;
            Ok(SavedCase {
                scenario: Activity::parse(&scenario).ok_or_else(|| {
                    StoreError::Corrupt(format!("debug case scenario {scenario:?}"))
                })?,
                url: row.try_get("url")?,
                params: json(row.try_get("params")?)?,
                answer: json(row.try_get("answer")?)?,
                request: json(row.try_get("request")?)?,
                latency_ms: row.try_get("latency_ms")?,
                saved_at: row.try_get("saved_at")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> KitApp {
        KitApp {
            id: "app".into(),
            seller_tenant_id: "t".into(),
            product_id: "p".into(),
            name: "App".into(),
            home_url: "https://app.example/home".into(),
            redirect_uris: vec![],
            post_logout_uris: vec![],
            production_url: "https://app.example/produce".into(),
            public_key: String::new(),
            keys: crate::kit::app_store::KeyBindings {
                basic: "a".into(),
                kit_sync: "b".into(),
                generic: "c".into(),
            },
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn presets_change_only_the_samples_own_fields() {
        let sample = sample(&app(), Activity::NewInstance, 0).unwrap();
        assert_eq!(sample["testFlag"], "1");
        let presets = json!({"orderId": "CS1"});
        let body = with_presets(sample.clone(), presets.as_object().unwrap()).unwrap();
        assert_eq!(body["orderId"], "CS1");
        for bad in [
            json!({"testFlag": "0"}),
            json!({"surprise": "x"}),
            json!({"orderId": {"nested": true}}),
        ] {
            assert!(
                with_presets(sample.clone(), bad.as_object().unwrap()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn period_billing_needs_four_cases_and_the_rest_two() {
        assert_eq!(required(true).len(), 4);
        assert_eq!(
            required(false),
            [Activity::NewInstance, Activity::ReleaseInstance]
        );
    }
}
