//! The ids that cross module boundaries — from a path in the API or the console, through
//! a workflow's `visible` check, to its store — typed, so that a work order's id cannot
//! be looked up as a supervision's. They deserialize from a path segment as they are: an
//! id that names nothing is simply not found.

use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

id_type! {
    /// A supervised delivery (`mkt_supervisions`).
    SupervisionId;
    /// A work order (`mkt_work_orders`).
    WorkOrderId;
    /// An unsubscribe request (`mkt_unsubscribe_requests`).
    UnsubscribeRequestId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_from_a_path_segment_as_it_is() {
        let id: WorkOrderId = serde_json::from_str("\"wo-1\"").unwrap();
        assert_eq!(id, WorkOrderId::new("wo-1"));
        assert_eq!(id.to_string(), "wo-1");
        assert_ne!(id.as_str(), SupervisionId::new("wo-2").as_str());
    }
}
