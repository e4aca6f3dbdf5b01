//! The calls an instance's changes make, as outbox jobs: each activity's body with the
//! field names of the reference (§4.2) and its idempotency key. Scalar flags are strings
//! ("0", "1", "2"), as the query parameters of upstream's first version were; times are
//! UTC `yyyyMMddHHmmss` (`timeStamp` adds milliseconds).

use serde_json::{json, Value};

use crate::kit::exchange::Activity;
use crate::kit::outbox::NewJob;
use crate::kit::store::InstanceRecord;
use unilogin_core::secret::random_id;

/// `flag` of the kit syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncFlag {
    Delete,
    Add,
    Modify,
}

impl SyncFlag {
    fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "0",
            Self::Add => "1",
            Self::Modify => "2",
        }
    }
}

/// The renewal a `refreshInstance` announces.
#[derive(Debug, Clone)]
pub struct Renewal<'a> {
    pub order_id: &'a str,
    pub order_line_id: &'a str,
    pub expires_at: i64,
    pub trial_to_formal: bool,
    pub period_type: &'a str,
    pub period_number: i64,
    pub order_amount: i64,
}

/// The tenant a `tenantSync` delivers.
#[derive(Debug, Clone)]
pub struct TenantInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub domain_name: &'a str,
}

/// A user an authorization sync delivers.
#[derive(Debug, Clone)]
pub struct UserInfo<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub name: &'a str,
    /// `admin` or `user`; `None` takes the authorization away.
    pub role: Option<&'a str>,
}

fn time(unix: i64) -> String {
    unilogin_core::calendar::compact(unix)
}

/// `timeStamp`: set when a sync is queued, and again on each attempt (when it is signed).
pub(crate) fn time_ms(unix_ms: i64) -> String {
    format!(
        "{}{:03}",
        unilogin_core::calendar::compact(unix_ms.div_euclid(1000)),
        unix_ms.rem_euclid(1000)
    )
}

/// The calls of one instance, keyed so that repeating a change finds its jobs again.
pub struct Calls<'a> {
    pub instance: &'a InstanceRecord,
    pub test: bool,
}

impl Calls<'_> {
    fn job(&self, activity: Activity, key: String, payload: Value) -> NewJob {
        NewJob {
            seller_tenant_id: self.instance.seller_tenant_id.clone(),
            app_id: self.instance.app_id.clone(),
            instance_id: self.instance.id.clone(),
            activity,
            idempotency_key: key,
            payload,
        }
    }

    fn test_flag(&self) -> &'static str {
        if self.test {
            "1"
        } else {
            "0"
        }
    }

    /// A call caused by the instance's change at its current version: one per change.
    fn on_change(&self, activity: Activity, payload: Value) -> NewJob {
        let key = format!(
            "{}/{}/v{}",
            activity.as_str(),
            self.instance.id,
            self.instance.version
        );
        self.job(activity, key, payload)
    }

    /// §4.2: the V2 opening is keyed by `orderId + orderLineId`; `businessId` is ours.
    pub fn new_instance(&self) -> NewJob {
        let i = self.instance;
        self.job(
            Activity::NewInstance,
            format!("newInstance/{}/{}", i.order_id, i.order_line_id),
            json!({"orderId": i.order_id, "orderLineId": i.order_line_id,
                   "businessId": i.id, "testFlag": self.test_flag()}),
        )
    }

    /// Polls an opening the seller answered with `000004`.
    pub fn query_instance(&self) -> NewJob {
        let i = self.instance;
        let mut payload = json!({"orderId": i.order_id, "orderLineId": i.order_line_id,
                                 "businessId": i.id, "testFlag": self.test_flag()});
        if !i.seller_instance_id.is_empty() {
            payload["instanceId"] = i.seller_instance_id.clone().into();
        }
        self.job(
            Activity::QueryInstance,
            format!("queryInstance/{}/{}", i.order_id, i.order_line_id),
            payload,
        )
    }

    pub fn refresh_instance(&self, renewal: &Renewal<'_>) -> NewJob {
        self.job(
            Activity::RefreshInstance,
            format!(
                "refreshInstance/{}/{}",
                renewal.order_id, renewal.order_line_id
            ),
            json!({"instanceId": self.instance.seller_id(), "orderId": renewal.order_id,
                   "orderLineId": renewal.order_line_id, "expireTime": time(renewal.expires_at),
                   "trialToFormal": if renewal.trial_to_formal { "1" } else { "0" },
                   "periodType": renewal.period_type, "periodNumber": renewal.period_number,
                   "orderAmount": renewal.order_amount, "testFlag": self.test_flag()}),
        )
    }

    /// `FREEZE` (the period ended) or `UNFREEZE` (renewed while frozen).
    pub fn update_status(&self, frozen: bool) -> NewJob {
        self.on_change(
            Activity::UpdateInstanceStatus,
            json!({"instanceId": self.instance.seller_id(),
                   "status": if frozen { "FREEZE" } else { "UNFREEZE" },
                   "testFlag": self.test_flag()}),
        )
    }

    pub fn release_instance(&self) -> NewJob {
        self.on_change(
            Activity::ReleaseInstance,
            json!({"instanceId": self.instance.seller_id(), "orderId": self.instance.order_id,
                   "testFlag": self.test_flag()}),
        )
    }

    pub fn tenant_sync(&self, tenant: &TenantInfo<'_>, flag: SyncFlag, now_ms: i64) -> NewJob {
        self.on_change(
            Activity::TenantSync,
            json!({"tenantId": tenant.id, "tenantCode": tenant.id, "name": tenant.name,
                   "domainName": tenant.domain_name, "flag": flag.as_str(),
                   "testFlag": self.test_flag(), "timeStamp": time_ms(now_ms)}),
        )
    }

    /// The tenant's credentials (`sealed_secret`: RSA-OAEP under the app's key, base64),
    /// or, with `Delete`, their end.
    pub fn application_sync(
        &self,
        sealed_secret: Option<&str>,
        flag: SyncFlag,
        now_ms: i64,
    ) -> NewJob {
        let i = self.instance;
        let mut payload = json!({"instanceId": i.seller_id(), "tenantId": i.buyer_tenant_id,
                                 "appId": i.app_id, "clientId": i.client_id,
                                 "flag": flag.as_str(), "testFlag": self.test_flag(),
                                 "timeStamp": time_ms(now_ms)});
        if let Some(secret) = sealed_secret {
            payload["clientSecret"] = secret.into();
        }
        self.on_change(Activity::ApplicationSync, payload)
    }

    /// A CHANGE order: the same instance moves to another SKU.
    pub fn upgrade(
        &self,
        order_id: &str,
        line_id: &str,
        sku_code: &str,
        product_id: &str,
    ) -> NewJob {
        self.job(
            Activity::Upgrade,
            format!("upgrade/{order_id}/{line_id}"),
            json!({"instanceId": self.instance.seller_id(), "orderId": order_id,
                   "orderLineId": line_id, "skuCode": sku_code, "productId": product_id,
                   "testFlag": self.test_flag()}),
        )
    }

    /// Every order of the app's product, through the generic interface.
    pub fn order_notify(&self, order_id: &str, line_id: &str) -> NewJob {
        self.job(
            Activity::OrderNotify,
            format!("orderNotify/{order_id}/{line_id}"),
            json!({"orderId": order_id, "orderLineId": line_id, "testFlag": self.test_flag()}),
        )
    }

    /// A user's authorization for the app, granted (`admin`/`user`) or taken away.
    pub fn user_sync(&self, user: &UserInfo<'_>, now_ms: i64) -> NewJob {
        let i = self.instance;
        let flag = match user.role {
            Some(_) => SyncFlag::Add,
            None => SyncFlag::Delete,
        };
        let payload = json!({"instanceId": i.seller_id(), "tenantId": i.buyer_tenant_id,
                             "appId": i.app_id, "userId": user.id, "userName": user.username,
                             "name": user.name, "role": user.role.unwrap_or(""),
                             "flag": flag.as_str(), "testFlag": self.test_flag(),
                             "timeStamp": time_ms(now_ms)});
        // Each grant or removal is its own event, however often it repeats.
        let key = format!("userSync/{}/{}/{}", i.id, user.id, random_id(16));
        self.job(Activity::UserSync, key, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_the_upstream_forms() {
        assert_eq!(time(0), "19700101000000");
        assert_eq!(time_ms(1_000_042), "19700101001640042");
    }
}
