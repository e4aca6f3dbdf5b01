//! What a seller publishes: a product with its specs, parsed and checked at the edge.
//! Access types and the charging modes each allows follow koogallery-reference.md §5.5;
//! where upstream is silent (containers) the choice is ours and written here.

use serde::{Deserialize, Serialize};

use crate::http::error::MarketError;
use crate::selling::delivery::{checked_flows, DeliveryFlow};
use crate::supervision::machine::Flow;
use crate::unsubscribe::rules::Channel;

/// Project (工程) assets are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessType {
    Saas,
    License,
    ManualService,
    Container,
    Hardware,
    Image,
    Api,
    AiAsset,
    DataAsset,
    /// App orchestration (应用编排): supervised, from the seller's delivery.
    AppOrchestration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChargingMode {
    Period,
    OneTime,
    OnDemand,
    OnDemandPkg,
    PerCall,
    PerCallPkg,
    ByQuantity,
}

impl ChargingMode {
    /// The wire name (`PER_CALL`), as refusals name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Period => "PERIOD",
            Self::OneTime => "ONE_TIME",
            Self::OnDemand => "ON_DEMAND",
            Self::OnDemandPkg => "ON_DEMAND_PKG",
            Self::PerCall => "PER_CALL",
            Self::PerCallPkg => "PER_CALL_PKG",
            Self::ByQuantity => "BY_QUANTITY",
        }
    }
}

/// PERIOD billing only, and required there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PeriodType {
    Year,
    Month,
    Day,
}

impl PeriodType {
    /// One period's length: a year of 365 days, a month of 30.
    pub fn seconds(self) -> i64 {
        match self {
            Self::Year => 365 * 86_400,
            Self::Month => 30 * 86_400,
            Self::Day => 86_400,
        }
    }
}

impl AccessType {
    /// Whether a pending application for a product of this type may be withdrawn. Every
    /// product here is a joint-operation (联营) product, and of those upstream lets only
    /// License, manual-service and SaaS applications be withdrawn (§5.6).
    pub fn application_withdrawable(self) -> bool {
        matches!(self, Self::Saas | Self::License | Self::ManualService)
    }

    const NAMES: &'static [&'static str] = &[
        "saas",
        "license",
        "manual_service",
        "container",
        "hardware",
        "image",
        "api",
        "ai_asset",
        "data_asset",
        "app_orchestration",
    ];

    pub fn parse(raw: &str) -> Result<Self, MarketError> {
        if raw == "project" {
            return Err(MarketError::Invalid(
                "project (工程) assets cannot go on sale: choose another access type".into(),
            ));
        }
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
            MarketError::Invalid(format!(
                "unknown access type {raw:?}: one of {}",
                Self::NAMES.join(", ")
            ))
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The charging modes a spec of this access type may use.
    pub fn charging_modes(self) -> &'static [ChargingMode] {
        use ChargingMode::*;
        match self {
            Self::Saas => &[Period, OneTime, OnDemandPkg, OnDemand],
            Self::License | Self::ManualService => &[OneTime, Period],
            // Upstream names containers without their modes; we sell them like licenses.
            Self::Container => &[OneTime, Period],
            Self::Image => &[OnDemand, Period],
            Self::Api => &[PerCallPkg, PerCall, OnDemandPkg, OnDemand],
            Self::Hardware => &[OneTime, ByQuantity],
            Self::AiAsset => &[PerCallPkg, PerCall],
            Self::DataAsset => &[OneTime],
            // Upstream is silent; an orchestrated deployment sells like a license.
            Self::AppOrchestration => &[OneTime, Period],
        }
    }

    /// How the seller's delivery is supervised (§5.1), when it is: always for License,
    /// manual service, hardware and app orchestration; for SaaS when the seller says so.
    /// Where an order of it is unsubscribed (§5.7): non-supervised SaaS and images in the
    /// billing centre; manual service, License, supervised SaaS, app orchestration, data
    /// files, and the types upstream does not name, in the buyer centre.
    pub fn unsubscribe_channel(self, supervised_saas: bool) -> Channel {
        match self {
            Self::Saas if !supervised_saas => Channel::BillingCentre,
            Self::Image => Channel::BillingCentre,
            _ => Channel::BuyerCentre,
        }
    }

    pub fn supervision(self, supervised_saas: bool) -> Option<Flow> {
        match self {
            Self::License | Self::ManualService => Some(Flow::Requirement),
            Self::Saas if supervised_saas => Some(Flow::Requirement),
            Self::Hardware | Self::AppOrchestration => Some(Flow::DeliveryFirst),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub name: String,
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub sku_code: String,
    pub charging_mode: ChargingMode,
    /// Minor currency units (fen): 1999 is ¥19.99.
    #[schema(minimum = 0)]
    pub price: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_type: Option<PeriodType>,
    /// License and manual service: this spec's own delivery flow (else the product's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_flow: Option<DeliveryFlow>,
}

/// A product as published (and as kept in each application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"name": "CRM", "description": "Customer relationship management", "category": "software", "accessType": "saas", "securitySelfCheck": true, "specs": [{"name": "Basic", "skuCode": "basic", "chargingMode": "PERIOD", "price": 9900, "periodType": "month"}]}))]
pub struct ProductContent {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    pub access_type: AccessType,
    #[schema(min_items = 1, max_items = 20)]
    pub specs: Vec<Spec>,
    /// Must be true.
    pub security_self_check: bool,
    /// SaaS only: the delivery is under service supervision (监管类 SaaS).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub supervised: bool,
    /// License (required here or on every spec) and manual service (default: offline,
    /// the standard service process): how it is delivered (交付流信息).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_flow: Option<DeliveryFlow>,
}

/// The request body, before checking (unknown fields are refused).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawProduct {
    name: String,
    #[serde(default)]
    description: String,
    category: String,
    access_type: String,
    specs: Vec<RawSpec>,
    #[serde(default)]
    security_self_check: bool,
    #[serde(default)]
    supervised: bool,
    #[serde(default)]
    delivery_flow: Option<DeliveryFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSpec {
    name: String,
    sku_code: String,
    charging_mode: ChargingMode,
    price: i64,
    #[serde(default)]
    period_type: Option<PeriodType>,
    #[serde(default)]
    delivery_flow: Option<DeliveryFlow>,
}

pub const MAX_SPECS: usize = 20;
const MAX_PRICE: i64 = 1_000_000_000_000;

fn text(what: &str, value: &str, min: usize, max: usize) -> Result<String, MarketError> {
    let value = value.trim();
    let len = value.chars().count();
    if len < min || len > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(MarketError::Invalid(format!(
            "{what} must be {min} to {max} printable characters"
        )));
    }
    Ok(value.to_owned())
}

impl ProductContent {
    /// Parses and checks a product from a JSON body.
    pub fn parse(body: &[u8]) -> Result<Self, MarketError> {
        let raw: RawProduct = serde_json::from_slice(body)
            .map_err(|e| MarketError::Invalid(format!("product body: {e}")))?;
        let access_type = AccessType::parse(&raw.access_type)?;
        if raw.supervised && access_type != AccessType::Saas {
            return Err(MarketError::Invalid(
                "supervised is for SaaS products: hardware and app orchestration are always \
                 supervised, License and manual service as their deliveryFlow says, the other \
                 types never"
                    .into(),
            ));
        }
        if !raw.security_self_check {
            return Err(MarketError::Invalid(
                "the security self-check must be confirmed (securitySelfCheck: true) before publishing"
                    .into(),
            ));
        }
        if raw.specs.is_empty() || raw.specs.len() > MAX_SPECS {
            return Err(MarketError::Invalid(format!(
                "a product has 1 to {MAX_SPECS} specs"
            )));
        }
        let spec_flows: Vec<Option<DeliveryFlow>> =
            raw.specs.iter().map(|s| s.delivery_flow).collect();
        let (delivery_flow, spec_flows) =
            checked_flows(access_type, raw.delivery_flow, &spec_flows)?;
        let mut specs: Vec<Spec> = Vec::with_capacity(raw.specs.len());
        for (spec, delivery_flow) in raw.specs.into_iter().zip(spec_flows) {
            let sku_ok = (1..=64).contains(&spec.sku_code.len())
                && spec
                    .sku_code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !sku_ok {
                return Err(MarketError::Invalid(
                    "a SKU code is 1 to 64 of A-Z a-z 0-9 - _".into(),
                ));
            }
            if specs.iter().any(|s| s.sku_code == spec.sku_code) {
                return Err(MarketError::Invalid(format!(
                    "SKU code {} appears twice",
                    spec.sku_code
                )));
            }
            if !access_type.charging_modes().contains(&spec.charging_mode) {
                return Err(MarketError::Invalid(format!(
                    "charging mode {} is not allowed for {} products",
                    spec.charging_mode.as_str(),
                    access_type.as_str()
                )));
            }
            if !(0..=MAX_PRICE).contains(&spec.price) {
                return Err(MarketError::Invalid(
                    "price is in minor currency units, 0 or more".into(),
                ));
            }
            let period_type = match (spec.charging_mode, spec.period_type) {
                (ChargingMode::Period, None) => {
                    return Err(MarketError::Invalid(
                        "period billing needs a periodType (year, month or day)".into(),
                    ))
                }
                (ChargingMode::Period, some) => some,
                (_, Some(_)) => {
                    return Err(MarketError::Invalid(
                        "periodType is only for PERIOD billing".into(),
                    ))
                }
                (_, None) => None,
            };
            specs.push(Spec {
                name: text("spec name", &spec.name, 1, 100)?,
                sku_code: spec.sku_code,
                charging_mode: spec.charging_mode,
                price: spec.price,
                period_type,
                delivery_flow,
            });
        }
        Ok(Self {
            name: text("name", &raw.name, 1, 100)?,
            description: text("description", &raw.description, 0, 5000)?,
            category: text("category", &raw.category, 1, 64)?,
            access_type,
            specs,
            security_self_check: true,
            supervised: raw.supervised,
            delivery_flow,
        })
    }

    /// Whether, and from where, an order of this product is supervised.
    /// The supervision an order line of `sku_code` opens: a License's or manual
    /// service's by its delivery flow (one stored before flows were named: the standard
    /// process it had then), the others' by their type.
    pub fn supervision_for(&self, sku_code: &str) -> Option<Flow> {
        match self.access_type {
            AccessType::License | AccessType::ManualService => {
                match self.delivery_flow_of(sku_code) {
                    Some(flow) => flow.supervision(),
                    None => Some(Flow::Requirement),
                }
            }
            _ => self.access_type.supervision(self.supervised),
        }
    }

    /// The delivery flow of `sku_code`: the spec's own, else the product's.
    pub fn delivery_flow_of(&self, sku_code: &str) -> Option<DeliveryFlow> {
        self.spec(sku_code)
            .and_then(|s| s.delivery_flow)
            .or(self.delivery_flow)
    }

    pub fn unsubscribe_channel(&self) -> Channel {
        self.access_type.unsubscribe_channel(self.supervised)
    }

    pub fn spec(&self, sku_code: &str) -> Option<&Spec> {
        self.specs.iter().find(|s| s.sku_code == sku_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(access: &str, mode: &str, period: Option<&str>, check: bool) -> Vec<u8> {
        let mut spec = serde_json::json!({
            "name": "Basic", "skuCode": "basic-1", "chargingMode": mode, "price": 1999
        });
        if let Some(p) = period {
            spec["periodType"] = p.into();
        }
        let mut product = serde_json::json!({
            "name": "CRM", "description": "A CRM", "category": "software",
            "accessType": access, "specs": [spec], "securitySelfCheck": check
        });
        if access == "license" {
            product["deliveryFlow"] = serde_json::json!({"mode": "online"});
        }
        serde_json::to_vec(&product).unwrap()
    }

    fn refused(body: &[u8]) -> String {
        match ProductContent::parse(body) {
            Err(MarketError::Invalid(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn every_access_type_accepts_exactly_its_charging_modes() {
        for access in AccessType::NAMES {
            let parsed = AccessType::parse(access).unwrap();
            assert_eq!(parsed.as_str(), *access);
            for mode in [
                "PERIOD",
                "ONE_TIME",
                "ON_DEMAND",
                "ON_DEMAND_PKG",
                "PER_CALL",
                "PER_CALL_PKG",
                "BY_QUANTITY",
            ] {
                let mode_value: ChargingMode =
                    serde_json::from_value(serde_json::json!(mode)).unwrap();
                let period = (mode == "PERIOD").then_some("month");
                let result = ProductContent::parse(&body(access, mode, period, true));
                assert_eq!(
                    result.is_ok(),
                    parsed.charging_modes().contains(&mode_value),
                    "{access} {mode}"
                );
                assert_eq!(mode_value.as_str(), mode, "the wire name");
                if let Err(MarketError::Invalid(message)) = &result {
                    if message.starts_with("charging mode") {
                        // Refusals name the mode as the wire does, never as Rust does.
                        assert!(message.contains(mode), "{message}");
                    }
                }
            }
        }
    }

    #[test]
    fn projects_unchecked_products_and_bad_specs_are_refused_clearly() {
        assert!(refused(&body("project", "ONE_TIME", None, true)).contains("project"));
        assert!(refused(&body("saas", "ONE_TIME", None, false)).contains("security self-check"));
        assert!(refused(&body("saas", "PERIOD", None, true)).contains("periodType"));
        assert!(refused(&body("saas", "ONE_TIME", Some("year"), true)).contains("only for PERIOD"));
        assert!(refused(&body("vm", "ONE_TIME", None, true)).contains("unknown access type"));
        assert!(refused(b"{\"name\":\"x\",\"unknown\":1}").contains("product body"));
        let parsed = ProductContent::parse(&body("saas", "PERIOD", Some("year"), true)).unwrap();
        assert_eq!(
            parsed.spec("basic-1").unwrap().period_type,
            Some(PeriodType::Year)
        );
    }
}
