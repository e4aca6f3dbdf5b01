//! The commerce pages' words (vouchers, exclusive discounts, upgrade rules) in
//! Simplified Chinese and English.

use crate::web::Lang;

macro_rules! texts {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        pub struct CommerceTexts {
            $(pub $name: &'static str,)*
        }
        const ZH: CommerceTexts = CommerceTexts { $($name: $zh,)* };
        const EN: CommerceTexts = CommerceTexts { $($name: $en,)* };
    };
}

texts! {
    vouchers: "代金券", "Vouchers";
    my_vouchers: "我的代金券", "My vouchers";
    tab_available: "可使用", "Available";
    tab_used: "已用完", "Used up";
    tab_expired: "已过期", "Expired";
    no_minimum: "无门槛", "No minimum";
    spend_from: "满 {} 可用", "From {}";
    validity: "有效期", "Valid";
    applies_to: "适用范围", "Applies to";
    scope_all: "店铺全部商品", "All the seller's products";
    scope_products: "指定商品", "Some products";
    scope_skus: "指定规格", "Some SKUs";
    claim: "领取", "Claim";
    claimed: "已领取", "Claimed";
    left: "剩余", "Left";
    per_buyer: "每人限领", "Per buyer";
    not_combinable: "不与专属优惠同享", "Not with an exclusive discount";
    status: "状态", "Status";
    used_on: "使用订单", "Used on";
    coupon: "代金券", "Voucher";
    no_coupon: "不使用代金券", "No voucher";
    see_price: "查看价格明细", "See the price breakdown";
    breakdown: "价格明细", "Price breakdown";
    list_amount: "原价", "List price";
    discount_amount: "专属优惠", "Exclusive discount";
    voucher_amount: "代金券抵扣", "Voucher";
    amount_due: "应付金额", "To pay";
    done_claimed: "已领取代金券，下单时可选用。", "Voucher claimed: choose it when you order.";
    done_saved: "已保存。", "Saved.";
    my_account_id: "我的账号 ID（伙伴为您申请专属优惠时使用）", "My account ID (for partners' exclusive discounts)";
    seller_vouchers: "代金券管理", "Vouchers";
    publish_voucher: "发布代金券", "Publish a voucher";
    voucher_name: "名称", "Name";
    face_value_fen: "面额（分）", "Face value (fen)";
    minimum_spend_fen: "使用门槛（分，0 为无门槛）", "Minimum spend (fen, 0: none)";
    valid_from: "生效日期", "Valid from";
    valid_until: "截止日期", "Valid until";
    scope: "适用范围", "Scope";
    items: "适用商品或规格（每行一个：商品 ID，或 商品 ID/规格编码）", "Products or SKUs (one a line: product ID, or product ID/SKU)";
    total_quantity: "发放总量", "Total quantity";
    per_buyer_limit: "每人限领", "Per buyer";
    combinable: "可与专属优惠同享", "Combinable with an exclusive discount";
    claimed_count: "已领", "Claimed";
    state: "状态", "State";
    stop: "停止发放", "Stop handing out";
    state_active: "发放中", "Handed out";
    exclusive_offer: "为您专属的优惠", "An exclusive offer for you";
    offer_hint: "此优惠由伙伴为您的账号专属申请，仅您登录时可用，下单一次有效。", "A partner asked for this offer for your account: only you, signed in, can use it, for one order.";
    discounted_price: "优惠价", "Discounted price";
    paid_rate: "折扣（万分比）", "Rate (basis points paid)";
    partner_centre: "伙伴中心", "Partner centre";
    exclusive_discounts: "专属优惠", "Exclusive discounts";
    discount_applications: "优惠申请", "Discount applications";
    tab_product_quote: "商品报价", "Product quote";
    tab_configuration_quote: "配置报价", "Configuration quote";
    apply_discount: "申请专属优惠", "Apply for an exclusive discount";
    customer_id: "指定客户账号 ID", "Designated customer's account ID";
    product_id: "商品 ID", "Product ID";
    quote_type: "报价类型", "Quote type";
    quote_product: "商品报价（全部规格）", "Product quote (every SKU)";
    quote_configuration: "配置报价（单个规格）", "Configuration quote (one SKU)";
    sku_for_configuration: "规格编码（配置报价）", "SKU (configuration quote)";
    paid_bp_hint: "支付原价的万分比：8500 即 8.5 折；深于授权折扣将转人工审核。", "Basis points of the list price paid: 8500 is 15 % off; deeper than authorized goes to manual review.";
    valid_days: "有效天数", "Valid days";
    authorized: "授权折扣", "Authorized";
    private_link: "专属链接", "Private link";
    qr_code: "二维码", "QR code";
    share_hint: "将链接或二维码发给指定客户；客户须用该账号登录。", "Send the link or QR code to the designated customer, who must sign in with that account.";
    withdraw_discount: "撤回", "Withdraw";
    customer: "客户", "Customer";
    valid_until_time: "有效期至", "Valid until";
    plan: "客户服务商计划", "Service provider plan";
    register_partner: "登记伙伴", "Register a partner";
    tenant_id: "租户 ID", "Tenant ID";
    partner_name: "伙伴名称", "Partner name";
    authorizations: "授权折扣（每行：商品 ID 万分比）", "Authorized discounts (one a line: product ID basis points)";
    remove_partner: "移出计划", "Remove from the plan";
    distributor: "分销商", "Distributor";
    distributor_optional: "所属分销商租户 ID（经销商填写）", "Distributor's tenant ID (for a reseller)";
    discount_review: "专属优惠审核", "Discount review";
    approve: "通过", "Approve";
    reject: "驳回", "Reject";
    comment: "意见", "Comment";
    upgrade_rules: "升级规则", "Upgrade rules";
    rules_hint: "仅 SaaS 包年/包月规格；配置前须已保存成功的升级（upgrade）调测用例。", "SaaS yearly/monthly SKUs only; save a successful upgrade debug case first.";
    source_sku: "原规格", "From SKU";
    target_sku: "目标规格", "To SKU";
    add_rule: "添加规则", "Add the rule";
    rule_valid: "有效", "Valid";
    delete_rule: "删除", "Delete";
    confirm: "确认此不可撤销的操作", "I confirm this cannot be undone";
    upgrade: "升级", "Upgrade";
    upgrade_to: "升级规格", "Upgrade the subscription";
    upgrade_hint: "按剩余有效期折算差价，实例不变。", "You pay the difference for the rest of the period; the instance stays the same.";
    no_upgrades: "卖家未为此规格配置有效的升级规则。", "The seller has no upgrade rule from this SKU that holds.";
    upgrade_price: "升级费用", "Upgrade price";
}

pub fn texts(lang: Lang) -> &'static CommerceTexts {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// `template` with its `{}` replaced by `value`.
pub fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}
