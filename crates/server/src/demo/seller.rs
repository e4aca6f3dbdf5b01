//! The demo partner app as a joint-operation seller: a merchant (`demo-seller`) with a
//! period-billed SaaS product on sale, its app `demo-crm` whose production URL is this
//! server's `/demo/produce`, three access keys and an RSA key pair made at every start
//! (like the demo client's secret, only the seller holds them). The production interface
//! is implemented as a seller would: V2 signatures checked with the key of the call's
//! category, answers signed with `Body-Sign`, the delivered secret decrypted, tenants,
//! credentials and users kept (in memory: the demo forgets them when it stops). Its home,
//! `/demo/kit/home?code=&tenant=`, redeems the code with the credentials of `tenant`.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeySize, OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA256_MGF1SHA256,
};
use base64::Engine;
use serde_json::{json, Value};

use crate::marketplace::kit::app_store::{KeyBindings, KitApp};
use crate::marketplace::kit::debug_cases::{required, sample};
use crate::marketplace::kit::exchange::{Activity, Category};
use crate::marketplace::kit::secret_delivery::public_key_pem;
use crate::marketplace::kit::signing::{body_sign, v2_signature};
use crate::marketplace::store::AccessKeyRecord;
use crate::marketplace::Marketplace;
use crate::secret::Secret;

pub const DEMO_SELLER_TENANT: &str = "demo-seller";
pub const DEMO_KIT_APP: &str = "demo-crm";
const PRODUCT_NAME: &str = "Demo CRM";
/// How far a request's timestamp may be from now (§4.1).
const SKEW_MS: i64 = 60_000;

/// What the seller was told about a tenant's instance.
#[derive(Clone, Default)]
pub struct Received {
    pub tenant_name: String,
    pub client_id: String,
    client_secret: Option<Secret>,
    pub users: Vec<(String, String)>,
    pub status: String,
}

pub struct DemoSeller {
    pub product_id: String,
    keys: HashMap<&'static str, Secret>,
    private_key: OaepPrivateDecryptingKey,
    instances: Mutex<HashMap<String, String>>,
    /// Which tenant each instance is, from the syncs that name both.
    instance_tenants: Mutex<HashMap<String, String>>,
    tenants: Mutex<HashMap<String, Received>>,
    nonces: Mutex<Vec<String>>,
}

fn category_name(category: Category) -> &'static str {
    match category {
        Category::Basic => "basic",
        Category::KitSync => "kitSync",
        Category::Generic => "generic",
    }
}

impl DemoSeller {
    /// The merchant, its product on sale, fresh keys and the app bound to them, at
    /// `backchannel` (where this process reaches itself).
    pub async fn seed(
        market: &Marketplace,
        issuer: &str,
        backchannel: &str,
    ) -> Result<Self, String> {
        let store = &market.store;
        match store
            .create_merchant(DEMO_SELLER_TENANT, "Demo Seller")
            .await
        {
            Ok(()) | Err(crate::store::StoreError::Conflict) => {}
            Err(err) => return Err(err.to_string()),
        }
        let existing = store
            .kit_app(DEMO_KIT_APP)
            .await
            .map_err(|e| e.to_string())?;
        let product_id = match &existing {
            Some(app) => app.product_id.clone(),
            None => put_product_on_sale(market).await?,
        };
        // Fresh keys every start: only the seller (this process) knows their secrets.
        for old in store
            .access_keys_of(DEMO_SELLER_TENANT)
            .await
            .map_err(|e| e.to_string())?
        {
            let _ = store
                .delete_access_key(DEMO_SELLER_TENANT, &old.access_key)
                .await;
        }
        let mut keys = HashMap::new();
        let mut ids = Vec::new();
        for category in ["basic", "kitSync", "generic"] {
            let id = crate::secret::random_id(20).to_ascii_uppercase();
            let secret = Secret::new(crate::secret::random_id(40));
            let sealed = market
                .sealer
                .seal(&id, &secret)
                .map_err(|e| format!("sealing a key: {e}"))?;
            store
                .insert_access_key(&AccessKeyRecord {
                    access_key: id.clone(),
                    tenant_id: DEMO_SELLER_TENANT.into(),
                    secret_sealed: sealed,
                    created_by: "demo".into(),
                    created_at: market.clock.now_unix(),
                })
                .await
                .map_err(|e| e.to_string())?;
            keys.insert(category, secret);
            ids.push(id);
        }
        let private_key = PrivateDecryptingKey::generate(KeySize::Rsa3072)
            .map_err(|_| "generating the demo's RSA key failed".to_owned())?;
        let public_der = private_key
            .public_key()
            .as_der()
            .map_err(|_| "encoding the demo's public key failed".to_owned())?;
        let private_key = OaepPrivateDecryptingKey::new(private_key)
            .map_err(|_| "the demo's RSA key cannot decrypt".to_owned())?;
        let now = market.clock.now_unix();
        let home = format!("{issuer}/demo/kit/home");
        let app = KitApp {
            id: DEMO_KIT_APP.into(),
            seller_tenant_id: DEMO_SELLER_TENANT.into(),
            product_id: product_id.clone(),
            name: PRODUCT_NAME.into(),
            home_url: home.clone(),
            redirect_uris: vec![home.clone()],
            post_logout_uris: vec![format!("{issuer}/demo/")],
            production_url: format!("{backchannel}/demo/produce"),
            public_key: public_key_pem(public_der.as_ref()),
            keys: KeyBindings {
                basic: ids[0].clone(),
                kit_sync: ids[1].clone(),
                generic: ids[2].clone(),
            },
            created_at: existing.as_ref().map_or(now, |a| a.created_at),
            updated_at: now,
        };
        let saved = if existing.is_some() {
            store.update_kit_app(&app).await.map(|_| ())
        } else {
            store.insert_kit_app(&app).await
        };
        saved.map_err(|e| e.to_string())?;
        let home_uri = crate::domain::RedirectUri::parse(&home).map_err(|e| e.0)?;
        market
            .admin
            .register_portal_app(
                &crate::admin::Actor::system(),
                DEMO_KIT_APP,
                PRODUCT_NAME,
                &home_uri,
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            product_id,
            keys,
            private_key,
            instances: Mutex::new(HashMap::new()),
            instance_tenants: Mutex::new(HashMap::new()),
            tenants: Mutex::new(HashMap::new()),
            nonces: Mutex::new(Vec::new()),
        })
    }

    /// Debugs and saves the required cases against this server once it listens (the
    /// real calls, through the outbound client).
    pub async fn debug_required(market: &Marketplace) -> Result<(), String> {
        let app = market
            .store
            .kit_app(DEMO_KIT_APP)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo app is missing")?;
        for scenario in required(true) {
            let payload = sample(&app, *scenario, market.clock.now_unix())?;
            crate::marketplace::kit::debug_api::run_case(
                market,
                &app,
                *scenario,
                app.production_url.clone(),
                json!({}),
                payload,
            )
            .await
            .map_err(|e| format!("{}: {e}", scenario.as_str()))?;
        }
        Ok(())
    }

    /// What the seller holds for each tenant, by tenant id.
    pub fn received(&self) -> Vec<(String, Received)> {
        let tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<(String, Received)> = tenants
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }

    /// The credentials delivered for `tenant`.
    pub fn credentials(&self, tenant: &str) -> Option<(String, Secret)> {
        let tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        let found = tenants.get(tenant)?;
        Some((found.client_id.clone(), found.client_secret.clone()?))
    }

    /// One request to the production interface: the answer's body and `Body-Sign`.
    pub fn handle(
        &self,
        path_activity: Option<&str>,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
        now_ms: i64,
    ) -> (Vec<u8>, String) {
        let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        // Kit sync is named by its path (`…/produceAPI/v2/{activity}`), the rest by the
        // body's `activity` on the production URL itself.
        let activity = match path_activity {
            Some(name) => Activity::parse(name).filter(|a| a.category() == Category::KitSync),
            None => payload["activity"]
                .as_str()
                .and_then(Activity::parse)
                .filter(|a| a.category() != Category::KitSync),
        };
        let category = activity.map_or(Category::Basic, Activity::category);
        let key = &self.keys[category_name(category)];
        let answer = |code: &str, message: &str, extra: Value| {
            let mut body = json!({"resultCode": code, "resultMsg": message});
            if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
                body.extend(extra.clone());
            }
            let raw = body.to_string().into_bytes();
            let sign = body_sign(key.expose(), &raw);
            (raw, sign)
        };
        let Some(activity) = activity else {
            return answer(
                "000002",
                "bad params: no known activity for this path",
                json!({}),
            );
        };
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|t| (now_ms - t).abs() <= SKEW_MS);
        let expected = v2_signature(key.expose(), nonce, timestamp.parse().unwrap_or(0), body);
        let replayed = {
            let mut seen = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
            let replayed = seen.iter().any(|n| n == nonce);
            seen.push(nonce.to_owned());
            if seen.len() > 10_000 {
                seen.drain(..5_000);
            }
            replayed
        };
        if !fresh || replayed || !signature.eq_ignore_ascii_case(&expected) {
            return answer("000001", "authentication failed", json!({}));
        }
        match self.remember(activity, &payload) {
            Ok(extra) => answer("000000", "success.", extra),
            Err(why) => answer("000002", &why, json!({})),
        }
    }

    fn remember(&self, activity: Activity, payload: &Value) -> Result<Value, String> {
        let text = |name: &str| payload[name].as_str().unwrap_or_default().to_owned();
        let test = text("testFlag") == "1";
        let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        match activity {
            Activity::NewInstance | Activity::QueryInstance => {
                let key = format!("{}/{}", text("orderId"), text("orderLineId"));
                let mut instances = self.instances.lock().unwrap_or_else(|p| p.into_inner());
                // The same order line always gets the same instance (§4.2: idempotent).
                let id = instances
                    .entry(key)
                    .or_insert_with(|| text("businessId"))
                    .clone();
                return Ok(json!({"instanceId": id}));
            }
            _ if test => {}
            Activity::TenantSync => {
                tenants.entry(text("tenantId")).or_default().tenant_name = text("name");
            }
            Activity::ApplicationSync => {
                self.instance_tenant(&text("instanceId"), &text("tenantId"));
                let entry = tenants.entry(text("tenantId")).or_default();
                if text("flag") == "0" {
                    entry.client_secret = None;
                } else {
                    let sealed = base64::engine::general_purpose::STANDARD
                        .decode(text("clientSecret"))
                        .map_err(|_| "clientSecret is not base64")?;
                    entry.client_secret = Some(self.decrypt(&sealed)?);
                    entry.client_id = text("clientId");
                    entry.status = "NORMAL".into();
                }
            }
            Activity::UserSync => {
                self.instance_tenant(&text("instanceId"), &text("tenantId"));
                let entry = tenants.entry(text("tenantId")).or_default();
                entry.users.retain(|(user, _)| *user != text("userName"));
                if text("flag") != "0" {
                    entry.users.push((text("userName"), text("role")));
                }
            }
            Activity::UpdateInstanceStatus | Activity::ReleaseInstance => {
                let status = match activity {
                    Activity::ReleaseInstance => "RELEASED".to_owned(),
                    _ => text("status").replace("UNFREEZE", "NORMAL"),
                };
                let owners = self
                    .instance_tenants
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                if let Some(received) = owners
                    .get(&text("instanceId"))
                    .and_then(|tenant| tenants.get_mut(tenant))
                {
                    received.status = status;
                }
            }
            _ => {}
        }
        Ok(json!({}))
    }

    fn instance_tenant(&self, instance: &str, tenant: &str) {
        let mut owners = self
            .instance_tenants
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        owners.insert(instance.to_owned(), tenant.to_owned());
    }

    fn decrypt(&self, sealed: &[u8]) -> Result<Secret, String> {
        let key = &self.private_key;
        let mut out = vec![0u8; key.min_output_size()];
        let plain = key
            .decrypt(&OAEP_SHA256_MGF1SHA256, sealed, &mut out, None)
            .map_err(|_| "clientSecret does not decrypt")?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| "clientSecret is not text")?;
        Ok(Secret::new(text))
    }
}

/// A period-billed SaaS product, submitted and approved as an operator would.
async fn put_product_on_sale(market: &Marketplace) -> Result<String, String> {
    use crate::marketplace::selling::machine::{Action, Actor};
    use crate::marketplace::selling::store::Transition;
    let content = json!({
        "name": PRODUCT_NAME,
        "description": "The demo partner app, sold as a joint-operation SaaS app",
        "category": "software",
        "accessType": "saas",
        "securitySelfCheck": true,
        "specs": [{"name": "Monthly", "skuCode": "month", "chargingMode": "PERIOD",
                   "price": 9900, "periodType": "month"}]
    });
    let application = market
        .store
        .submit_application(DEMO_SELLER_TENANT, None, &content.to_string(), "demo")
        .await
        .map_err(|e| format!("{e:?}"))?;
    market
        .store
        .transition(&Transition {
            application_id: &application.id,
            tenant_id: None,
            action: Action::Approve,
            role: Actor::Operator,
            actor: "demo",
            comment: "the demo's own product",
        })
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(application.product_id)
}
