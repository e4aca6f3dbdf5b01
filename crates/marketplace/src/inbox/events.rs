//! What each in-site message says, in Simplified Chinese and English. The subject's name
//! (a product, a work order's title) follows the text.

use unilogin_core::web::Lang;

/// (event, zh, en).
pub const EVENTS: &[(&str, &str, &str)] = &[
    (
        "supervision.opened",
        "服务监管已开始，请提交需求",
        "Service supervision started: submit your requirement",
    ),
    (
        "supervision.opened_for_delivery",
        "服务监管已开始，请交付",
        "Service supervision started: deliver",
    ),
    (
        "supervision.requirement_submitted",
        "买家已提交需求，请确认",
        "The buyer submitted the requirement: confirm or reject it",
    ),
    (
        "supervision.requirement_confirmed",
        "卖家已确认需求",
        "The seller confirmed the requirement",
    ),
    (
        "supervision.requirement_rejected",
        "卖家驳回了需求，请修改后重新提交",
        "The seller rejected the requirement: revise and submit it again",
    ),
    (
        "supervision.delivered",
        "卖家已交付，请验收",
        "The seller delivered: accept or reject the delivery",
    ),
    (
        "supervision.accepted",
        "买家已验收，服务监管完成",
        "The buyer accepted: supervision completed",
    ),
    (
        "supervision.delivery_rejected",
        "买家驳回了交付",
        "The buyer rejected the delivery",
    ),
    (
        "supervision.appealed",
        "服务监管已申诉，流程冻结",
        "Supervision appealed: the flow is frozen",
    ),
    (
        "supervision.resumed",
        "运营已处理申诉，流程继续",
        "An operator resolved the appeal: the flow goes on",
    ),
    (
        "supervision.completed",
        "运营已处理申诉，服务监管完成",
        "An operator resolved the appeal: supervision completed",
    ),
    (
        "supervision.closed",
        "订单已退订，服务监管关闭",
        "The order was unsubscribed: supervision closed",
    ),
    (
        "work_order.opened",
        "新工单待受理",
        "A new work order to accept",
    ),
    (
        "work_order.accepted",
        "工单已受理",
        "Your work order was accepted",
    ),
    (
        "work_order.support_message",
        "客服回复了工单",
        "Support replied to your work order",
    ),
    (
        "work_order.customer_message",
        "客户回复了工单",
        "The customer replied to the work order",
    ),
    (
        "work_order.transferred",
        "工单已转给您处理",
        "A work order was transferred to you",
    ),
    (
        "work_order.escalated",
        "工单已升级至运营",
        "A work order was escalated to operations",
    ),
    (
        "work_order.awaiting_feedback",
        "工单待您反馈",
        "Your feedback is needed on a work order",
    ),
    (
        "work_order.resolved",
        "工单已处理，请确认结果",
        "Your work order was resolved: confirm the result",
    ),
    (
        "work_order.paused",
        "工单已暂停",
        "The work order was paused",
    ),
    (
        "work_order.resumed",
        "工单已恢复处理",
        "The work order is processed again",
    ),
    (
        "work_order.invalid",
        "工单被判定为无效",
        "The work order was found invalid",
    ),
    (
        "work_order.urged",
        "客户催单",
        "The customer is urging a work order",
    ),
    (
        "work_order.cancelled",
        "客户撤销了工单",
        "The customer cancelled a work order",
    ),
    (
        "work_order.closed",
        "客户已确认工单结果",
        "The customer confirmed the result",
    ),
    (
        "unsubscribe.requested",
        "买家申请退订",
        "A buyer asked to unsubscribe",
    ),
    (
        "unsubscribe.approved",
        "退订申请已通过",
        "Your unsubscribe request was approved",
    ),
    (
        "unsubscribe.rejected",
        "退订申请被驳回",
        "Your unsubscribe request was rejected",
    ),
    (
        "unsubscribe.appealed",
        "退订申请已申诉，待运营处理",
        "An unsubscribe request was appealed to operations",
    ),
    (
        "unsubscribe.withdrawn",
        "退订申请已撤回",
        "An unsubscribe request was withdrawn",
    ),
    (
        "unsubscribe.failed",
        "申请发票后退订申请失效",
        "The unsubscribe request failed: an invoice was requested",
    ),
    (
        "unsubscribe.return_shipped",
        "买家已寄回商品",
        "The buyer shipped the return",
    ),
    (
        "unsubscribe.completed",
        "退订已完成",
        "The unsubscription is complete",
    ),
    (
        "unsubscribe.self_service",
        "买家已在费用中心退订",
        "A buyer unsubscribed in the billing centre",
    ),
    (
        "unsubscribe.failed_provisioning",
        "卖家未能开通，订单已自动退订并全额退款",
        "The seller could not open what was bought: unsubscribed and refunded in full",
    ),
    (
        "application.submitted",
        "新的商品申请待审核",
        "A product application to review",
    ),
    (
        "application.approved",
        "商品申请审核通过",
        "Your product application was approved",
    ),
    (
        "application.rejected",
        "商品申请被驳回",
        "Your product application was rejected",
    ),
    (
        "kit.message_failing",
        "生产接口消息发送失败，平台将按计划重试",
        "A production interface message failed: it will be retried on schedule",
    ),
    (
        "kit.message_failed",
        "生产接口消息发送失败，请检查后重试",
        "A production interface message failed: check your URL and retry it",
    ),
];

/// What `event` says in `lang` (the code itself for an event this build does not know).
pub fn text(event: &str, lang: Lang) -> String {
    match EVENTS.iter().find(|(code, _, _)| *code == event) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => (*zh).to_owned(),
            Lang::En => (*en).to_owned(),
        },
        None => event.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_named_once_and_said_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (code, zh, en) in EVENTS {
            assert!(seen.insert(*code), "{code} twice");
            assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{code}");
        }
        assert_eq!(
            text("work_order.resolved", Lang::En),
            "Your work order was resolved: confirm the result"
        );
        assert_eq!(
            text("work_order.resolved", Lang::Zh),
            "工单已处理，请确认结果"
        );
    }
}
