//! Delivery flow information (交付流信息) a License or manual-service product names when
//! it is published, on the product or on one spec, and the service supervision each one
//! opens:
//!
//! - a License is delivered online (the seller's production interface or licence key: no
//!   supervision) or offline (线下交付), which names a service flow template (服务流模板);
//! - a manual service follows its service process (服务流程), a template as well; the
//!   standard one when it names none.
//!
//! The templates, where the publishing pages name them without their steps (our
//! decision, written in the README):
//!
//! - `standard` (标准服务流程): the buyer's requirement, confirmed by the seller, the
//!   seller's delivery, the buyer's acceptance;
//! - `delivery_acceptance` (交付验收): the seller delivers the service — a description
//!   of the result and the deliverables — and the buyer accepts it.

use serde::{Deserialize, Serialize};

use crate::http::error::MarketError;
use crate::selling::product::AccessType;
use crate::supervision::machine::Flow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// Delivered by the seller's systems: nothing to supervise.
    Online,
    /// 线下交付: delivered by people, under service supervision.
    Offline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceFlowTemplate {
    /// 标准服务流程: requirement, confirmation, delivery, acceptance.
    Standard,
    /// 交付验收: the seller's delivery (result and deliverables), the buyer's acceptance.
    DeliveryAcceptance,
}

/// How a License or manual service is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryFlow {
    pub mode: DeliveryMode,
    /// Offline only, and required there for a License (a manual service's defaults to
    /// `standard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_flow_template: Option<ServiceFlowTemplate>,
}

impl DeliveryFlow {
    pub const STANDARD: Self = Self {
        mode: DeliveryMode::Offline,
        service_flow_template: Some(ServiceFlowTemplate::Standard),
    };

    /// The flow as `access` may have it, a manual service's process filled in.
    pub fn checked(self, access: AccessType) -> Result<Self, MarketError> {
        let invalid = |why: &str| Err(MarketError::Invalid(why.into()));
        match (access, self.mode, self.service_flow_template) {
            (AccessType::License, DeliveryMode::Online, None) => Ok(self),
            (AccessType::License, DeliveryMode::Online, Some(_)) => {
                invalid("an online License delivery has no serviceFlowTemplate")
            }
            (AccessType::License, DeliveryMode::Offline, None) => invalid(
                "an offline License delivery names its serviceFlowTemplate (standard or \
                 delivery_acceptance)",
            ),
            (AccessType::ManualService, DeliveryMode::Online, _) => {
                invalid("a manual service is delivered offline, under its service process")
            }
            (AccessType::ManualService, DeliveryMode::Offline, None) => Ok(Self::STANDARD),
            (AccessType::License | AccessType::ManualService, DeliveryMode::Offline, Some(_)) => {
                Ok(self)
            }
            _ => invalid("deliveryFlow is for License and manual-service products"),
        }
    }

    /// The supervision it opens: none online, else the template's.
    pub fn supervision(self) -> Option<Flow> {
        match (self.mode, self.service_flow_template) {
            (DeliveryMode::Online, _) => None,
            (DeliveryMode::Offline, Some(ServiceFlowTemplate::DeliveryAcceptance)) => {
                Some(Flow::DeliveryFirst)
            }
            (DeliveryMode::Offline, _) => Some(Flow::Requirement),
        }
    }

    /// The code the pages translate: `online`, or the offline template's.
    pub fn code(self) -> &'static str {
        match (self.mode, self.service_flow_template) {
            (DeliveryMode::Online, _) => "online",
            (DeliveryMode::Offline, Some(ServiceFlowTemplate::DeliveryAcceptance)) => {
                "offline_delivery_acceptance"
            }
            (DeliveryMode::Offline, _) => "offline_standard",
        }
    }

    /// The flow a form's code names (`code`'s inverse); `None` for an empty choice.
    pub fn from_code(code: &str) -> Option<Self> {
        let offline = |template| Self {
            mode: DeliveryMode::Offline,
            service_flow_template: Some(template),
        };
        match code {
            "online" => Some(Self {
                mode: DeliveryMode::Online,
                service_flow_template: None,
            }),
            "offline_standard" => Some(offline(ServiceFlowTemplate::Standard)),
            "offline_delivery_acceptance" => Some(offline(ServiceFlowTemplate::DeliveryAcceptance)),
            _ => None,
        }
    }
}

/// The product's and its specs' flows checked together: only License and manual service
/// name one, and every spec of a License has one (its own or the product's).
pub fn checked_flows(
    access: AccessType,
    product: Option<DeliveryFlow>,
    specs: &[Option<DeliveryFlow>],
) -> Result<(Option<DeliveryFlow>, Vec<Option<DeliveryFlow>>), MarketError> {
    let named = product.is_some() || specs.iter().any(Option::is_some);
    match access {
        AccessType::License | AccessType::ManualService => {}
        _ if named => {
            return Err(MarketError::Invalid(
                "deliveryFlow is for License and manual-service products".into(),
            ))
        }
        _ => return Ok((None, specs.to_vec())),
    }
    let product = match (access, product) {
        (_, Some(flow)) => Some(flow.checked(access)?),
        (AccessType::ManualService, None) => Some(DeliveryFlow::STANDARD),
        (_, None) => None,
    };
    let specs = specs
        .iter()
        .map(|flow| flow.map(|f| f.checked(access)).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    if product.is_none() && (specs.is_empty() || specs.iter().any(Option::is_none)) {
        return Err(MarketError::Invalid(
            "a License names its delivery flow (deliveryFlow, on the product or on each \
             spec): online, or offline with a serviceFlowTemplate"
                .into(),
        ));
    }
    Ok((product, specs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONLINE: DeliveryFlow = DeliveryFlow {
        mode: DeliveryMode::Online,
        service_flow_template: None,
    };
    const HANDED_OVER: DeliveryFlow = DeliveryFlow {
        mode: DeliveryMode::Offline,
        service_flow_template: Some(ServiceFlowTemplate::DeliveryAcceptance),
    };
    const OFFLINE_UNNAMED: DeliveryFlow = DeliveryFlow {
        mode: DeliveryMode::Offline,
        service_flow_template: None,
    };

    #[test]
    fn each_type_names_the_flows_it_may_have_and_each_opens_its_supervision() {
        use AccessType as T;
        type Case = (T, DeliveryFlow, Result<Option<Flow>, &'static str>);
        let cases: Vec<Case> = vec![
            (T::License, ONLINE, Ok(None)),
            (T::License, HANDED_OVER, Ok(Some(Flow::DeliveryFirst))),
            (
                T::License,
                DeliveryFlow::STANDARD,
                Ok(Some(Flow::Requirement)),
            ),
            (
                T::License,
                OFFLINE_UNNAMED,
                Err("names its serviceFlowTemplate"),
            ),
            (
                T::License,
                DeliveryFlow {
                    service_flow_template: Some(ServiceFlowTemplate::Standard),
                    ..ONLINE
                },
                Err("has no serviceFlowTemplate"),
            ),
            (
                T::ManualService,
                OFFLINE_UNNAMED,
                Ok(Some(Flow::Requirement)),
            ),
            (T::ManualService, HANDED_OVER, Ok(Some(Flow::DeliveryFirst))),
            (T::ManualService, ONLINE, Err("delivered offline")),
            (T::Saas, ONLINE, Err("License and manual-service")),
            (T::Hardware, HANDED_OVER, Err("License and manual-service")),
        ];
        for (access, flow, want) in cases {
            let got = flow.checked(access).map(DeliveryFlow::supervision);
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{access:?} {flow:?}"),
                (Err(MarketError::Invalid(why)), Err(words)) => {
                    assert!(why.contains(words), "{access:?} {flow:?}: {why}")
                }
                (got, want) => panic!("{access:?} {flow:?}: {got:?}, want {want:?}"),
            }
        }
        for flow in [ONLINE, HANDED_OVER, DeliveryFlow::STANDARD] {
            assert_eq!(DeliveryFlow::from_code(flow.code()), Some(flow));
        }
    }

    #[test]
    fn a_license_names_its_flow_on_the_product_or_on_every_spec() {
        let license = AccessType::License;
        assert!(checked_flows(license, Some(ONLINE), &[None, None]).is_ok());
        assert!(checked_flows(license, None, &[Some(ONLINE), Some(HANDED_OVER)]).is_ok());
        assert!(checked_flows(license, None, &[Some(ONLINE), None]).is_err());
        assert!(checked_flows(license, None, &[]).is_err());
        let (product, _) = checked_flows(AccessType::ManualService, None, &[None]).unwrap();
        assert_eq!(product, Some(DeliveryFlow::STANDARD));
        assert!(checked_flows(AccessType::Saas, None, &[None])
            .unwrap()
            .0
            .is_none());
        assert!(checked_flows(AccessType::Saas, None, &[Some(ONLINE)]).is_err());
    }
}
