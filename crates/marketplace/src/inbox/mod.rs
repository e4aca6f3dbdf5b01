//! In-site messages (站内信): every event of supervision, work orders, unsubscribe
//! requests, reviews and failed production messages tells the parties, in the event's own
//! transaction. A message goes to a user, to a seller's tenant (each of its users reads
//! it), or to the operators; read per user. Other channels (e-mail, SMS) plug in as a
//! [`Channel`]: they get each notice after its transaction commits.

pub mod api;
pub mod events;
pub mod store;

use std::sync::Arc;

use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    User(String),
    /// Every user of a seller's tenant.
    Tenant(String),
    Operators,
}

impl Audience {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Self::User(id) => ("user", id),
            Self::Tenant(id) => ("tenant", id),
            Self::Operators => ("operators", ""),
        }
    }
}

/// One event told to one audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub audience: Audience,
    /// One of [`events::EVENTS`].
    pub event: &'static str,
    /// What it is about: `supervision`, `work_order`, `unsubscribe`, `application`,
    /// `kit_message`, with its id and a name people recognise (product, title).
    pub subject_type: &'static str,
    pub subject_id: String,
    pub subject_name: String,
}

impl Notice {
    pub fn new(
        audience: Audience,
        event: &'static str,
        subject_type: &'static str,
        subject_id: &str,
        subject_name: &str,
    ) -> Self {
        debug_assert!(events::EVENTS.iter().any(|(code, _, _)| *code == event));
        Self {
            audience,
            event,
            subject_type,
            subject_id: subject_id.to_owned(),
            subject_name: subject_name.to_owned(),
        }
    }
}

/// Another way to tell people (e-mail, SMS). It gets each notice once the change that
/// caused it has committed; failing there never undoes the change.
pub trait Channel: Send + Sync {
    fn name(&self) -> &'static str;
    fn deliver<'a>(
        &'a self,
        notice: &'a Notice,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>;
}

/// The channels besides the inbox; none are configured today.
#[derive(Clone, Default)]
pub struct Channels(Vec<Arc<dyn Channel>>);

impl Channels {
    pub fn new(channels: Vec<Arc<dyn Channel>>) -> Self {
        Self(channels)
    }

    /// Hands committed notices to every channel; a channel's failure is logged, not raised.
    pub async fn forward(&self, notices: &[Notice]) {
        for channel in &self.0 {
            for notice in notices {
                if let Err(reason) = channel.deliver(notice).await {
                    tracing::warn!(channel = channel.name(), event = notice.event, %reason, "notice not delivered");
                }
            }
        }
    }
}

/// Stores the notices in the event's transaction.
pub async fn notify_in(tx: &mut Tx, notices: &[Notice]) -> Result<(), StoreError> {
    let now = tx.now();
    for notice in notices {
        let (audience, recipient) = notice.audience.parts();
        sqlx::query(
            "INSERT INTO mkt_inbox (id, audience, recipient, event, subject_type, subject_id, \
             subject_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crate::store::sequence_id("msg", tx.now_millis()))
        .bind(audience)
        .bind(recipient)
        .bind(notice.event)
        .bind(notice.subject_type)
        .bind(&notice.subject_id)
        .bind(&notice.subject_name)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Recording(Mutex<Vec<String>>, bool);

    impl Channel for Recording {
        fn name(&self) -> &'static str {
            "recording"
        }
        fn deliver<'a>(
            &'a self,
            notice: &'a Notice,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>
        {
            Box::pin(async move {
                self.0.lock().unwrap().push(notice.event.to_owned());
                if self.1 {
                    Err("mail server down".into())
                } else {
                    Ok(())
                }
            })
        }
    }

    #[tokio::test]
    async fn every_channel_gets_every_notice_even_after_one_fails() {
        let failing = Arc::new(Recording(Mutex::new(Vec::new()), true));
        let working = Arc::new(Recording(Mutex::new(Vec::new()), false));
        let channels = Channels::new(vec![failing.clone(), working.clone()]);
        let notices = [
            Notice::new(
                Audience::Operators,
                "supervision.appealed",
                "supervision",
                "s1",
                "p",
            ),
            Notice::new(
                Audience::User("u".into()),
                "work_order.resolved",
                "work_order",
                "w",
                "t",
            ),
        ];
        channels.forward(&notices).await;
        let expected = vec![
            "supervision.appealed".to_owned(),
            "work_order.resolved".to_owned(),
        ];
        assert_eq!(*failing.0.lock().unwrap(), expected);
        assert_eq!(*working.0.lock().unwrap(), expected);
    }
}
