//! What an answer of the production interface sets off, recorded in one transaction with
//! the job's outcome: an accepted opening registers the tenant's client and delivers it
//! (tenant, application and the buyer's authorization sync); an opening answered
//! `000004` is polled with `queryInstance`; an opening given up fails the instance and
//! unsubscribes its order.

use serde_json::Value;

use crate::inbox;
use crate::inbox::{Audience, Notice};
use crate::kit::app_store::KitApp;
use crate::kit::exchange::{Accepted, Activity};
use crate::kit::machine::{Action, Actor, Effect, State};
use crate::kit::outbox;
use crate::kit::outbox::{AfterFailure, Job};
use crate::kit::payloads::{Calls, SyncFlag, TenantInfo, UserInfo};
use crate::kit::provisioning::align_registration;
use crate::kit::secret_delivery::DeliveryKey;
use crate::kit::store as instance_store;
use crate::kit::store::{Applied, InstanceRecord};
use crate::orders::store as order_store;
use crate::orders::store::{OrderLineRecord, OrderRecord};
use crate::state::Marketplace;
use unilogin_core::admin::{Actor as AdminActor, AppRole, NewClientRequest};
use unilogin_core::domain::{RedirectUri, TenantId};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// Records an accepted answer and what it sets off.
pub async fn settle_accepted(
    market: &Marketplace,
    app: &KitApp,
    job: &Job,
    owner: &str,
    accepted: Accepted,
) {
    let opening = matches!(
        job.activity,
        Activity::NewInstance | Activity::QueryInstance
    );
    if opening && accepted.in_progress() {
        if job.activity == Activity::QueryInstance {
            // Still opening: polled again after the interval.
            return settle_failed(market, job, owner, "the seller is still opening (000004)").await;
        }
        let seller_instance = accepted.instance_id().map(str::to_owned);
        let then = Then::Poll { seller_instance };
        return commit(market, job, owner, &accepted.body, then).await;
    }
    if !opening {
        return commit(market, job, owner, &accepted.body, Then::Nothing).await;
    }
    let instance = match market.store.instance(&job.instance_id).await {
        Ok(Some(instance)) if instance.instance.state == State::Opening => instance,
        // Released meanwhile, or opened by an earlier answer: nothing more to do.
        Ok(_) => return commit(market, job, owner, &accepted.body, Then::Nothing).await,
        Err(err) => {
            tracing::warn!(error = %err, job = %job.id, "kit: instance unreadable");
            return;
        }
    };
    let delivery = match register(market, app, &instance).await {
        Ok(delivery) => delivery,
        Err(why) => {
            return settle_failed(market, job, owner, &format!("unilogin: {why}")).await;
        }
    };
    let seller_instance = accepted.instance_id().map(str::to_owned);
    let then = Then::Open(Box::new(Opening {
        instance,
        seller_instance,
        delivery,
    }));
    commit(market, job, owner, &accepted.body, then).await;
}

/// What `register` prepared for the syncs.
struct Delivery {
    sealed_secret: String,
    tenant_name: String,
    domain_name: String,
    username: String,
    name: String,
}

/// The tenant's registration (created, or given a new secret if an earlier attempt was
/// cut off), the buyer authorized as the app's administrator, and the secret sealed
/// under the app's key. Outside the transaction: the admin service keeps its own.
async fn register(
    market: &Marketplace,
    app: &KitApp,
    instance: &InstanceRecord,
) -> Result<Delivery, String> {
    let tenant =
        TenantId::parse(&instance.buyer_tenant_id).map_err(|e| format!("tenant: {}", e.0))?;
    let uris = |list: &[String]| -> Result<Vec<RedirectUri>, String> {
        list.iter()
            .map(|u| RedirectUri::parse(u).map_err(|e| format!("{u}: {}", e.0)))
            .collect()
    };
    let home = RedirectUri::parse(&app.home_url).map_err(|e| format!("home URL: {}", e.0))?;
    let mut redirect_uris = uris(&app.redirect_uris)?;
    if redirect_uris.is_empty() {
        redirect_uris.push(home.clone());
    }
    let request = NewClientRequest {
        name: app.name.clone(),
        redirect_uris,
        post_logout_uris: uris(&app.post_logout_uris)?,
        home_url: Some(home),
        public: false,
        id_token_alg: None,
        scopes: Vec::new(),
        client_id: Some(instance.client_id.clone()),
        app_id: None,
    };
    let actor = AdminActor::system();
    let admin = &market.admin;
    let created = admin
        .open_tenant_client(&actor, &app.id, &tenant, request)
        .await
        .map_err(|e| format!("cannot register the tenant's client: {e}"))?;
    let secret = created
        .client_secret
        .ok_or("the tenant's client has no secret")?;
    admin
        .authorize_client_user(
            &actor,
            &instance.client_id,
            &instance.buyer_user_id,
            AppRole::Admin,
        )
        .await
        .map_err(|e| format!("cannot authorize the buyer: {e}"))?;
    let sealed_secret = DeliveryKey::from_pem(&app.public_key)
        .and_then(|key| key.encrypt(&secret))
        .map_err(|e| format!("cannot seal the secret: {e}"))?;
    // A tenant known only from its users' records has no name of its own. `domainName`
    // is where the seller redeems the tenant's codes: the tenant's domain, else ours.
    let (tenant_name, domain_name) = match admin.tenant(tenant.as_str()).await {
        Ok(record) => (record.name, record.domain_name),
        Err(unilogin_core::admin::AdminError::NotFound(_)) => (tenant.as_str().to_owned(), None),
        Err(err) => return Err(err.to_string()),
    };
    let domain_name = domain_name
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| market.issuer.clone());
    let buyer = admin
        .user(&instance.buyer_user_id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Delivery {
        sealed_secret,
        tenant_name,
        domain_name,
        username: buyer.username,
        name: buyer.name,
    })
}

async fn opened(
    tx: &mut Tx,
    current: InstanceRecord,
    seller_instance: Option<String>,
    delivery: Delivery,
) -> Result<Option<InstanceRecord>, StoreError> {
    let mut current = current;
    if let Some(id) = seller_instance {
        current.seller_instance_id = id;
    }
    let detail = format!("instanceId {}", current.seller_id());
    let outcome = instance_store::apply_in(
        tx,
        &current,
        Action::Opened,
        Actor::System,
        "opened",
        &detail,
    )
    .await?;
    let Applied::Changed {
        record: changed,
        effects,
    } = outcome
    else {
        return Ok(None);
    };
    if effects.contains(&Effect::OpenRegistration) {
        let calls = Calls {
            instance: &changed,
            test: false,
        };
        let now_ms = tx.now_millis();
        let tenant = TenantInfo {
            id: &changed.buyer_tenant_id,
            name: &delivery.tenant_name,
            domain_name: &delivery.domain_name,
        };
        let buyer = UserInfo {
            id: &changed.buyer_user_id,
            username: &delivery.username,
            name: &delivery.name,
            role: Some(AppRole::Admin.as_str()),
        };
        for job in [
            calls.tenant_sync(&tenant, SyncFlag::Add, now_ms),
            calls.application_sync(Some(&delivery.sealed_secret), SyncFlag::Add, now_ms),
            calls.user_sync(&buyer, now_ms),
        ] {
            outbox::enqueue_in(tx, &job).await?;
        }
    }
    Ok(Some(*changed))
}

async fn poll_opening(
    tx: &mut Tx,
    job: &Job,
    seller_instance: Option<&str>,
) -> Result<Option<InstanceRecord>, StoreError> {
    let Some(mut current) = instance_store::instance_in(tx, &job.instance_id).await? else {
        return Ok(None);
    };
    if current.instance.state != State::Opening {
        return Ok(None);
    }
    if let Some(id) = seller_instance {
        current.seller_instance_id = id.to_owned();
        let detail = format!("opening asynchronously, instanceId {id}");
        let state = current.instance.state;
        if !instance_store::update_instance_in(
            tx,
            &current,
            state,
            "opening",
            Actor::System,
            &detail,
        )
        .await?
        {
            return Ok(None);
        }
    }
    let calls = Calls {
        instance: &current,
        test: false,
    };
    outbox::enqueue_in(tx, &calls.query_instance()).await?;
    Ok(None)
}

struct Opening {
    instance: InstanceRecord,
    seller_instance: Option<String>,
    delivery: Delivery,
}

/// What an accepted answer sets off.
enum Then {
    Nothing,
    /// Poll an opening answered `000004`.
    Poll {
        seller_instance: Option<String>,
    },
    Open(Box<Opening>),
}

/// The job done and `then` in one transaction; nothing of either if the lease was lost.
/// The changed instance's registration is aligned after the commit.
async fn commit(market: &Marketplace, job: &Job, owner: &str, answer: &Value, then: Then) {
    let result = async {
        let mut tx = market.outbox.begin().await?;
        if !outbox::succeed_in(&mut tx, &job.id, owner, answer).await? {
            return Ok::<_, StoreError>((false, None));
        }
        let changed = match then {
            Then::Nothing => None,
            Then::Poll { seller_instance } => {
                poll_opening(&mut tx, job, seller_instance.as_deref()).await?
            }
            Then::Open(opening) => {
                let Opening {
                    instance,
                    seller_instance,
                    delivery,
                } = *opening;
                opened(&mut tx, instance, seller_instance, delivery).await?
            }
        };
        tx.commit().await?;
        Ok((true, changed))
    }
    .await;
    match result {
        Ok((true, changed)) => {
            tracing::info!(job = %job.id, activity = job.activity.as_str(), "production call accepted");
            if let Some(changed) = changed {
                align_registration(market, &changed).await;
            }
        }
        Ok((false, _)) => {
            tracing::info!(job = %job.id, "production call answered after its lease was lost")
        }
        Err(err) => {
            tracing::warn!(error = %err, job = %job.id, "kit outbox: cannot record success")
        }
    }
}

/// Records a failed attempt; when an opening is given up, the instance fails and its
/// order is unsubscribed, in the same transaction.
pub async fn settle_failed(market: &Marketplace, job: &Job, owner: &str, why: &str) {
    let result = async {
        let mut tx = market.outbox.begin().await?;
        let after = outbox::attempt_failed_in(&mut tx, job, owner, why).await?;
        let opening = matches!(
            job.activity,
            Activity::NewInstance | Activity::QueryInstance
        );
        let mut notices = Vec::new();
        let notice = |event| {
            Notice::new(
                Audience::Tenant(job.seller_tenant_id.clone()),
                event,
                "kit_message",
                &job.id,
                job.activity.as_str(),
            )
        };
        match after {
            // The seller hears of a message's trouble at once, while it is still retried.
            AfterFailure::Retrying(_) if job.first_in_window() => {
                notices.push(notice("kit.message_failing"));
            }
            AfterFailure::GaveUp => {
                notices.push(notice("kit.message_failed"));
            }
            _ => {}
        }
        inbox::notify_in(&mut tx, &notices).await?;
        if after == AfterFailure::GaveUp && opening {
            notices.extend(give_up_opening(&mut tx, job, why).await?);
        }
        tx.commit().await?;
        market.channels.forward(&notices).await;
        Ok::<_, StoreError>(after)
    }
    .await;
    match result {
        Ok(AfterFailure::Retrying(at)) => {
            tracing::info!(job = %job.id, activity = job.activity.as_str(), error = why, retry_at = at, "production call failed")
        }
        Ok(AfterFailure::GaveUp) => {
            tracing::warn!(job = %job.id, activity = job.activity.as_str(), error = why, "production call given up")
        }
        Ok(AfterFailure::Superseded) => {
            tracing::info!(job = %job.id, activity = job.activity.as_str(), "production call superseded by a later sync")
        }
        Ok(AfterFailure::LeaseLost) => {}
        Err(err) => {
            tracing::warn!(error = %err, job = %job.id, "kit outbox: cannot record a failure")
        }
    }
}

/// The opening failed for good: the instance fails, and the order is unsubscribed
/// (refunded, its supervision closed). Returns the in-site messages it sent.
async fn give_up_opening(tx: &mut Tx, job: &Job, why: &str) -> Result<Vec<Notice>, StoreError> {
    let Some(current) = instance_store::instance_in(tx, &job.instance_id).await? else {
        return Ok(Vec::new());
    };
    let detail: String = why.chars().take(500).collect();
    let outcome = instance_store::apply_in(
        tx,
        &current,
        Action::GaveUp,
        Actor::System,
        "gave up",
        &detail,
    )
    .await?;
    let Applied::Changed { effects, .. } = outcome else {
        return Ok(Vec::new());
    };
    let now = tx.now();
    let mut notices = Vec::new();
    if effects.contains(&Effect::UnsubscribeOrder) {
        if let Some(order) = order_store::order_in(tx, &current.order_id).await? {
            let unsubscription = automatic_unsubscription(&order, now);
            order_store::insert_order_in(tx, &unsubscription).await?;
            notices = crate::unsubscribe::service::record_failed_provisioning(
                tx,
                &order,
                &unsubscription.id,
            )
            .await?;
        }
    }
    Ok(notices)
}

/// The UNSUBSCRIBE order the platform places for an opening that failed (§4.4: the
/// order fails and is unsubscribed automatically).
fn automatic_unsubscription(order: &OrderRecord, now: i64) -> OrderRecord {
    let id = crate::orders::request::new_order_id(now);
    OrderRecord {
        lines: order
            .lines
            .iter()
            .enumerate()
            .map(|(n, line)| OrderLineRecord {
                id: format!("{id}-{:06}", n + 1),
                amount: 0,
                list_amount: 0,
                discount_amount: 0,
                voucher_amount: 0,
                voucher_id: None,
                discount_id: None,
                partner_tenant_id: None,
                expire_time: None,
                starts_at: Some(now),
                ..line.clone()
            })
            .collect(),
        id,
        order_type: "UNSUBSCRIBE".into(),
        related_order_id: Some(order.id.clone()),
        idempotency_key: None,
        request_hash: None,
        shipping: None,
        amount: 0,
        created_at: now,
        ..order.clone()
    }
}
