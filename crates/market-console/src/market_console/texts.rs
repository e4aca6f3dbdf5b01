//! The marketplace console's words in Simplified Chinese and English, one row per text.

use crate::web::Lang;

unilogin_core::texts!(MarketTexts {
    html_lang: "zh-CN", "en";
    console: "云商店控制台", "Marketplace console";
    switch_label: "English", "中文";
    sign_out: "退出登录", "Sign out";
    signed_in_as: "当前用户", "Signed in as";
    main_navigation: "主导航", "Main navigation";
    skip_to_content: "跳到正文", "Skip to content";
    menu: "菜单", "Menu";
    close_menu: "收起菜单", "Close menu";
    admin_console: "统一登录管理控制台", "Admin console";
    home: "首页", "Home";
    todo_ending_soon: "30 天内到期的订阅", "Subscriptions ending within 30 days";
    todo_open_unsubscribes: "处理中的退订申请", "Unsubscribe requests in progress";
    todo_work_orders_awaiting: "待您确认或补充信息的工单", "Work orders awaiting you";
    todo_deliveries_awaiting: "待您处理的交付", "Deliveries awaiting you";
    todo_unread: "未读消息", "Unread messages";
    todo_rejected: "被驳回的申请", "Rejected applications";
    todo_to_deliver: "待交付或待发货的订单", "Orders to deliver or ship";
    todo_to_decide: "待处理的退订申请", "Unsubscribe requests to decide";
    todo_to_accept: "待受理的工单", "Work orders to accept";
    todo_failed_messages: "发送失败的生产接口消息", "Failed production messages";
    month_orders: "{} 月订单数", "Orders in {}";
    month_amount: "{} 月订单金额", "Amount in {}";
    todo_review_queue: "待审核的申请", "Applications to review";
    todo_overdue: "超过 {} 个工作日未审核", "Waiting over {} working days";
    oldest_waiting: "最早一份提交于 {}，应于 {} 前审核完毕。", "The oldest was submitted {} and is due by {}.";
    oldest_overdue: "已超过审核时限。", "It is past the review target.";
    browse_catalogue: "浏览商品目录", "Browse the catalogue";
    todo_unsubscribe_appeals: "退订申诉", "Unsubscribe appeals";
    buyer_centre: "买家中心", "Buyer centre";
    seller_centre: "卖家中心", "Seller centre";
    operator_centre: "运营审核", "Operations";
    catalogue: "商品目录", "Catalogue";
    my_orders: "我的订单", "My orders";
    my_subscriptions: "我的订阅", "My subscriptions";
    my_unsubscribes: "退订管理", "Unsubscribe requests";
    my_applications: "我的申请", "My applications";
    my_products: "我的商品", "My products";
    modify: "修改", "Modify";
    publish: "发布商品", "Publish a product";
    sold_orders: "我的商品订单", "Orders of my products";
    sold_subscriptions: "我的商品订阅", "Subscriptions to my products";
    seller_unsubscribes: "买家退订申请", "Buyers' unsubscribe requests";
    review_queue: "商品审核", "Review queue";
    appeals: "退订申诉", "Unsubscribe appeals";
    search: "搜索", "Search";
    keywords: "关键词", "Keywords";
    access_type: "接入类型", "Access type";
    category: "类目", "Category";
    all: "全部", "All";
    filter: "筛选", "Filter";
    next_page: "下一页", "Next page";
    previous_page: "上一页", "Previous page";
    page_of: "共 {} 条", "{} in all";
    name: "名称", "Name";
    description: "描述", "Description";
    sku: "规格编码", "SKU";
    spec: "规格", "Spec";
    charging_mode: "计费模式", "Charging";
    period: "周期", "Period";
    price: "价格（元）", "Price (yuan)";
    price_not_yuan: "第 {} 行规格：价格应为以元为单位的金额，最多两位小数，如 99.00", "Spec {}: the price is an amount in yuan with at most two decimals, such as 99.00";
    price_yuan: "价格", "Price";
    quantity: "数量", "Quantity";
    periods: "购买周期数", "Periods";
    order_type: "订单类型", "Order type";
    type_new: "购买", "Buy";
    type_trial: "免费试用", "Free trial";
    place_order: "提交订单", "Place the order";
    shipping: "收货信息", "Shipping";
    recipient: "收货人", "Recipient";
    phone: "电话", "Phone";
    address: "地址", "Address";
    order: "订单", "Order";
    order_id: "订单号", "Order";
    amount: "金额", "Amount";
    amount_yuan: "金额（元）", "Amount (yuan)";
    export_csv: "导出 CSV", "Export CSV";
    choose_category: "请选择分类", "Choose a category";
    add_spec_row: "添加一行规格", "Add a spec row";
    drop_spec_rows: "删除勾选的规格", "Remove the ticked specs";
    drop_spec: "删除", "Remove";
    spec_rows_hint: "留空的行不算规格；勾选“删除”后点击“删除勾选的规格”，或直接提交，勾选的行都不会提交。", "Rows left empty are not specs; ticked rows are removed with “Remove the ticked specs”, and never submitted.";
    listing_status: "状态", "Status";
    delist: "下架", "Take off sale";
    relist: "重新上架", "Put back on sale";
    delist_confirm: "下架后买家将无法再找到或购买它", "Buyers can no longer find or order it";
    done_delisted: "商品已下架。已购买的买家不受影响；修改后重新提交审核即可重新上架。", "The product is off sale. What buyers bought is not affected; submit it again to put it back on sale once approved.";
    export_hint: "导出当前筛选条件下的全部订单（最多 10000 条）。", "Exports every order the filter shows (at most 10,000).";
    created: "创建时间", "Created";
    updated: "更新时间", "Updated";
    state: "状态", "State";
    product: "商品", "Product";
    subscription: "订阅", "Subscription";
    expires: "到期时间", "Expires";
    frozen_until: "冻结至", "Frozen until";
    no_rows: "暂无记录。", "Nothing here yet.";
    details: "详情", "Details";
    related_order: "关联订单", "Related order";
    lines: "订单明细", "Order lines";
    start_time: "生效时间", "Starts";
    reason_type: "退订原因", "Reason";
    reason: "说明", "Details";
    request_unsubscribe: "申请退订", "Request to unsubscribe";
    unsubscribe_hint:
        "退订规则：下单 5 天内且未申请发票可无理由全额退款；未生效的续费全额退款；其余由卖家协商。试用、已到期订单和已生效的续费不可退订。",
        "The rules: within 5 days of ordering and with no invoice requested, a full refund without a reason; a renewal not yet in effect, in full; otherwise the seller decides. Trials, expired orders and renewals in effect are not unsubscribed.";
    reason_no_longer_needed: "不再需要", "No longer needed";
    reason_not_as_described: "与描述不符", "Not as described";
    reason_quality_problem: "质量问题", "Quality problem";
    reason_not_received: "未收到货（硬件）", "Not received (hardware)";
    reason_other: "其他", "Other";
    refund: "退款", "Refund";
    unsubscribe_now: "在费用中心退订", "Unsubscribe in the billing centre";
    open_app: "去使用", "Open app";
    delivery_flow: "交付流信息", "Delivery flow";
    no_delivery_flow: "不适用（非 License、人工服务）", "Not applicable (not License or manual service)";
    delivery_flow_hint:
        "License 必选：在线交付，或线下交付并选择服务流模板。人工服务选择服务流程（默认标准服务流程）。其他类型留空。",
        "Required for a License: online, or offline with a service flow template. A manual service chooses its service process (standard by default). Leave empty for other types.";
    unsubscribe_now_button: "立即退订", "Unsubscribe now";
    billing_unsubscribe_hint:
        "SaaS（非监管类）和镜像在费用中心由您直接退订，立即生效，无需卖家处理：下单 5 天内且未申请发票全额退款；未生效的续费全额退款；其余退还当前周期未使用部分（按秒折算，一次性购买不退款）。试用、已到期订单和已生效的续费不可退订。",
        "Non-supervised SaaS and images are unsubscribed here by you, at once, with no seller's decision: within 5 days of ordering and with no invoice requested, a full refund; a renewal not yet in effect, in full; otherwise the unused part of the period, pro rata by the second (nothing for a one-time purchase). Trials, expired orders and renewals in effect are not unsubscribed.";
    unsubscribe_now_terms: "按当前规则退款", "Refunded now under the rules";
    confirm_unsubscribe_now: "我确认立即退订，订阅随即结束", "I understand the subscription ends now";
    channel: "退订方式", "Where";
    refund_yuan: "退款金额（元）", "Refund (yuan)";
    refund_not_yuan: "退款金额应为以元为单位的金额，最多两位小数，如 99.00", "The refund is an amount in yuan with at most two decimals, such as 99.00";
    refund_negotiated: "由卖家决定", "The seller decides";
    rule: "退订规则", "Rule";
    comment: "意见", "Comment";
    approve: "同意", "Approve";
    reject: "驳回", "Reject";
    withdraw: "撤回", "Withdraw";
    appeal: "申诉", "Appeal";
    post_return: "提交退货物流", "Post the return shipment";
    carrier: "物流公司", "Carrier";
    tracking_number: "运单号", "Tracking number";
    return_due: "退货截止", "Return by";
    confirm_irreversible: "我已确认：此操作不可撤销", "I confirm: this cannot be undone";
    must_confirm: "请勾选确认后再提交。", "Tick the confirmation first.";
    history: "处理记录", "History";
    actor: "操作人", "By";
    action: "操作", "Action";
    at: "时间", "When";
    decide: "处理退订", "Decide";
    invoice: "申请发票", "Request an invoice";
    invoice_title: "发票抬头", "Invoice title";
    tax_id: "税号", "Taxpayer ID";
    confirm_receipt: "确认收货", "Confirm receipt";
    ship: "发货", "Ship";
    shipment: "物流", "Shipment";
    in_transit: "运输中", "In transit";
    received: "已收货", "Received";
    status: "状态", "Status";
    kind: "类型", "Type";
    kind_publish: "发布", "Publish";
    kind_modify: "修改", "Modify";
    status_pending: "待审核", "Pending review";
    status_approved: "已通过", "Approved";
    status_rejected: "已驳回", "Rejected";
    status_withdrawn: "已撤回", "Withdrawn";
    from_date: "起始日期", "From";
    to_date: "截止日期", "To";
    operation_log: "操作记录", "Operation log";
    rejection_reason: "驳回原因", "Rejection reason";
    security_self_check: "已完成安全自检", "Security self-check done";
    supervised_saas: "SaaS 交付受服务监管（硬件、应用编排始终受监管；License、人工服务按交付流信息）", "SaaS delivery under service supervision (hardware and app orchestration always are; License and manual service as their delivery flow says)";
    specs: "规格与价格", "Specs and prices";
    specs_hint:
        "至少填写一行；按周期计费需选择周期类型，其余计费模式不填。价格以元为单位，如 99.00。",
        "Fill in at least one row; period billing needs a period type, other modes none. Prices are in yuan, such as 99.00.";
    submit_for_review: "提交审核", "Submit for review";
    resubmit: "修改后重新提交", "Edit and resubmit";
    no_period: "—", "—";
    error_title: "无法完成请求", "The request could not be completed";
    back: "返回云商店控制台", "Back to the marketplace console";
    not_found: "找不到该记录，或您无权查看。", "Not found, or not yours to see.";
    forbidden: "您的账号没有此页面所需的角色。", "Your account lacks the role this page needs.";
    csrf_expired: "页面已过期，请刷新后重试。", "This page has expired. Reload it and try again.";
    unavailable: "服务暂时不可用，请稍后重试。", "The service is temporarily unavailable. Please try again shortly.";
    internal: "服务器未能完成请求。", "The server could not complete the request.";
    sign_in_failed: "登录未完成，请重新登录。", "Signing in did not complete. Please sign in again.";
    done_ordered: "订单已提交。", "The order is placed.";
    done_requested: "退订申请已提交，等待卖家处理。", "Your request is sent; the seller decides.";
    done_unsubscribed: "已退订，退款按规则退回。", "Unsubscribed: the refund follows the rules.";
    done_changed: "已更新。", "Updated.";
    done_published: "已提交审核。", "Submitted for review.";
    done_invoiced: "发票申请已提交。", "The invoice is requested.";
    access_keys: "访问密钥", "Access keys";
    key_minted: "访问密钥已创建", "Access key created";
    key_shown_once:
        "SK 仅显示这一次，请立即妥善保存；之后无法再次查看。",
        "The SK is shown this once: store it now; it cannot be shown again.";
    keys_hint:
        "访问密钥（AK/SK）用于签名调用开放接口。创建需在 15 分钟内登录过，每个商家最多 10 个。",
        "Access keys (AK/SK) sign calls to the open API. Creating one needs a sign-in within 15 minutes; a merchant holds at most 10.";
    mint_key: "创建访问密钥", "Create an access key";
    delete: "删除", "Delete";
    failed_messages: "失败的生产接口消息", "Failed production messages";
    messages_hint:
        "重试次数用尽仍未成功的生产接口调用。修复生产地址后可重新启动；租户或应用同步失败时，同一实例之后的消息会等待它，重新启动后按顺序发送。已被同一实例更新的同步取代的消息不再发送。",
        "Calls to your production URL that failed through every retry. Fix the cause, then start them again. A failed tenant or application sync holds the later calls of its instance; started again, it goes first and they follow in order. A sync replaced by a later one of the same instance is not sent again.";
    message_status: "状态", "Status";
    message_failed: "发送失败", "Failed";
    message_superseded: "已被更新的同步取代", "Replaced by a later sync";
    waiting_behind: "等待中的后续消息", "Calls waiting behind it";
    activity: "接口", "Activity";
    instance: "实例", "Instance";
    attempts: "尝试次数", "Attempts";
    last_error: "异常信息", "Last error";
    retry: "重新启动", "Retry";
    instances: "联营应用实例", "App instances";
    instances_hint:
        "本租户购买的联营应用实例。应用管理员可授权本租户用户使用应用，或取消授权。",
        "Your tenant's joint-operation app instances. The app's administrators grant users of the tenant access, or take it away.";
    username: "用户名", "Username";
    app_role: "应用角色", "App role";
    grant_access: "授权", "Grant access";
    remove_access: "取消授权", "Remove access";
    kit_apps: "联营应用", "Joint-operation apps";
    apps_hint:
        "每个 SaaS 商品对应一个联营应用：生产地址、RSA 公钥与访问密钥。在应用页调试生产接口并保存调测用例。",
        "Each SaaS product has one joint-operation app: its production URL, RSA key and access keys. Debug the production interface and save the cases on the app's page.";
    production_url: "生产地址", "Production URL";
    missing_cases: "缺少的必测用例", "Required cases missing";
    none_missing: "已全部保存", "All saved";
    debug_cases: "调测用例", "Debug cases";
    case_result: "结果", "Result";
    case_passed: "通过", "Passed";
    case_details: "请求与应答", "Request and answer";
    case_request: "发送的请求体", "Request body sent";
    case_failed: "未通过", "Failed";
    case_latency: "耗时", "Latency";
    last_run: "本次调试", "This run";
    http_status: "HTTP 状态码", "HTTP status";
    no_answer: "没有收到应答", "No answer";
    failure_reason: "未通过的原因", "Why it failed";
    case_answer: "应答", "Answer";
    debug_path: "路径（可选）", "Path (optional)";
    run_debug: "调试并保存", "Debug and save";
    generate_request: "仅生成请求", "Generate the request only";
    generated_request: "生成的请求", "The generated request";
    generated_hint: "已签名，未发送：可在自己的环境中用 curl 调用。", "Signed and not sent: call it with curl from your own environment.";
    evidence: "凭证附件", "Evidence";
    evidence_hint:
        "可选。PNG、JPEG、GIF、PDF、ZIP（含 Office 文件）或纯文本，最大 5 MiB。",
        "Optional. PNG, JPEG, GIF, PDF, ZIP (and Office files) or plain text, at most 5 MiB.";
    new_app: "注册联营应用", "Register an app";
    edit_app: "修改联营应用", "Change the app";
    app_product_hint: "每个 SaaS 商品一个应用；应用注册后不能换商品。", "One app per SaaS product; an app stays with its product.";
    home_url: "应用首页（接收 code 与 tenant）", "Home URL (receives code and tenant)";
    redirect_uris: "回调地址（每行一个，默认为首页）", "Redirect URIs (one per line; default: the home URL)";
    post_logout_uris: "退出后跳转地址（每行一个）", "Post-logout URIs (one per line)";
    public_key: "RSA 公钥（PEM）", "RSA public key (PEM)";
    public_key_hint: "至少 3072 位；实例的密钥用它加密交付（RSA-OAEP-SHA256）。", "At least 3072 bits: instances' secrets are delivered under it (RSA-OAEP-SHA256).";
    key_basic: "基础接口的访问密钥", "Access key of the basic interfaces";
    key_kit_sync: "联营同步接口的访问密钥", "Access key of the kit sync interfaces";
    key_generic: "通用接口的访问密钥", "Access key of the generic interfaces";
    app_keys_hint: "三类接口各需一个不同的访问密钥；先在“访问密钥”中创建。", "Each category needs a different access key: create them under Access keys first.";
    save: "保存", "Save";
    edit: "修改", "Change";
    supervisions: "服务监管", "Service supervision";
    sold_supervisions: "服务监管（卖家）", "Supervised deliveries";
    supervision_appeals: "监管申诉", "Supervision appeals";
    supervision: "服务监管", "Service supervision";
    supervision_hint:
        "人工服务、License、受监管 SaaS 的交付由平台监管：买家提交需求 → 卖家确认 → 卖家交付 → 买家验收。硬件与应用编排从交付开始。验收后结算，有效期从实际开始日期或验收时起算。",
        "Manual service, License and supervised SaaS deliveries are supervised: the buyer submits the requirement, the seller confirms it, delivers, and the buyer accepts. Hardware and app orchestration start at delivery. The seller is settled at completion; the validity period starts at the actual start date, else at acceptance.";
    flow: "流程", "Flow";
    waiting_on: "待处理方", "Waiting on";
    since: "到达本节点", "At this node since";
    rejections: "驳回次数", "Rejections";
    settlement: "结算", "Settlement";
    valid_from: "有效期起算", "Valid from";
    actual_start: "实际开始日期", "Actual start date";
    actual_start_hint: "可选；填写后有效期从该日起算，否则从验收时起算。", "Optional: the validity period starts on this day, else at acceptance.";
    appeal_by: "申诉方", "Appealed by";
    appeal_ground: "申诉理由", "Grounds";
    appealed_at: "申诉时间", "Appealed";
    resolve_by: "处理时限（3 个工作日）", "Resolve by (3 working days)";
    waited: "已等待", "Waited";
    days_hours: "{} 天 {} 小时", "{} d {} h";
    queue_seller: "卖家", "Seller";
    submitted_at: "提交时间", "Submitted";
    review_due: "审核时限（3 个工作日）", "Review due (3 working days)";
    overdue: "已超时", "Overdue";
    frozen_at: "冻结于节点", "Frozen at";
    submit_requirement: "提交需求", "Submit the requirement";
    requirement_file: "需求文档（按商品的需求模板填写）", "Requirement (following the product's template)";
    confirm_requirement: "确认需求", "Confirm the requirement";
    reject_requirement: "驳回需求", "Reject the requirement";
    deliver: "开通交付", "Deliver";
    delivery_file: "验收报告或交付凭证", "Acceptance report or delivery proof";
    accept_delivery: "确认验收", "Accept the delivery";
    reject_delivery: "驳回交付", "Reject the delivery";
    appeal_hint:
        "买家可在任意节点申诉；卖家在流程等待买家超过 5 天后可申诉，并须附交付凭证。申诉期间流程冻结，由运营在 3 个工作日内处理。",
        "The buyer may appeal at any node; the seller once the flow has waited on the buyer for more than 5 days, with the delivery proof. An appeal freezes the flow until operations resolve it, within 3 working days.";
    resolve_appeal: "处理申诉", "Resolve the appeal";
    resume_at: "恢复到节点", "Resume at";
    resume: "恢复流程", "Resume the flow";
    complete_supervision: "直接完成", "Complete it";
    file_required: "必须上传文件。", "A file is required.";
    work_orders: "工单", "Work orders";
    my_work_orders: "我的工单", "My work orders";
    handled_by_me: "我处理的", "Handled by me";
    all_work_orders: "全部工单", "All work orders";
    escalated_work_orders: "升级工单", "Escalated work orders";
    new_work_order: "提交工单", "Open a work order";
    work_order: "工单", "Work order";
    title: "标题", "Title";
    handler: "处理人", "Handler";
    escalated: "已升级至运营", "Escalated to operations";
    sla: "服务时限（SLA）", "Service level (SLA)";
    sla_acceptance: "受理时限 24 小时", "Acceptance within 24 hours";
    sla_resolution: "解决时限 72 小时", "Resolution within 72 hours";
    sla_used: "已用", "Used";
    sla_due: "到期", "Due";
    sla_paused: "已暂停（等待客户）", "Paused (waiting on the customer)";
    sla_met: "已达成", "Met";
    sla_breached: "已超时", "Breached";
    conversation: "沟通记录", "Conversation";
    customer: "客户", "Customer";
    support: "客服", "Support";
    message: "留言", "Message";
    send_message: "发送", "Send";
    accept_work_order: "受理", "Accept";
    transfer: "转派", "Transfer";
    transfer_to: "转派给（本租户用户名）", "Transfer to (a username of your tenant)";
    escalate: "升级至运营", "Escalate to operations";
    await_feedback: "待客户反馈", "Ask the customer for feedback";
    confirm_resolved: "确认已解决", "Confirm resolved";
    cause: "问题原因", "Cause";
    solution: "解决方案", "Solution";
    pause: "暂停", "Pause";
    resume_work_order: "恢复处理", "Resume";
    mark_invalid: "判定无效", "Mark invalid";
    urge: "催单", "Urge";
    cancel_work_order: "撤销工单", "Cancel the work order";
    close_work_order: "确认结果并关闭", "Confirm the result and close";
    delete_work_order: "删除", "Delete";
    about_order: "关于订单", "About the order";
    about_product: "关于商品", "About the product";
    work_order_hint:
        "工单由商品的卖家处理：24 小时内受理，72 小时内解决（等待您反馈期间不计时）。",
        "The product's seller handles the work order: accepted within 24 hours, resolved within 72 (the time waiting on your feedback does not count).";
    attachment: "附件", "Attachment";
    inbox: "站内信", "Messages";
    unread: "未读", "Unread";
    mark_read: "标为已读", "Mark read";
    mark_all_read: "全部标为已读", "Mark all read";
    only_unread: "只看未读", "Unread only";
    message_text: "内容", "Message";
    subject: "相关", "About";
    open_subject: "查看", "Open";
    done_opened: "工单已提交，等待卖家受理。", "The work order is open: the seller accepts it next.";
    done_read: "已标为已读。", "Marked read.";
    role_buyer: "买家", "Buyer";
    role_seller: "卖家", "Seller";
    role_operator: "运营", "Operator";
});

/// The words for a state, rule or access type code the pages show; the code itself when
/// there are none.
/// The categories a product is filed under (its `category`), in the order the form
/// offers them.
pub const CATEGORIES: [&str; 8] = [
    "software", "apps", "devices", "security", "data", "ai", "industry", "services",
];

pub fn label(lang: Lang, code: &str) -> String {
    let (zh, en) = match code {
        "software" => ("基础软件", "Software"),
        "apps" => ("企业应用", "Business apps"),
        "devices" => ("硬件设备", "Devices"),
        "security" => ("安全", "Security"),
        "data" => ("数据与分析", "Data and analytics"),
        "ai" => ("人工智能", "AI"),
        "industry" => ("行业解决方案", "Industry solutions"),
        "services" => ("专业服务", "Professional services"),
        "on_sale" => ("在售", "On sale"),
        "change_in_review" => ("修改审核中", "Change in review"),
        "in_review" => ("审核中", "In review"),
        "not_listed" => ("未上架", "Not on sale"),
        "delisted" => ("已下架", "Off sale"),
        "relist_in_review" => ("重新上架审核中", "Back on sale after review"),
        "trial" => ("试用中", "Trial"),
        "live" => ("生效中", "Live"),
        "frozen" => ("已冻结", "Frozen"),
        "unsubscribing" => ("退订中", "Unsubscribing"),
        "released" => ("已释放", "Released"),
        "unsubscribed" => ("已退订", "Unsubscribed"),
        "pending" => ("待卖家处理", "Waiting for the seller"),
        "appealed" => ("申诉中", "Appealed"),
        "awaiting_return" => ("待退货", "Awaiting the return"),
        "completed" => ("已完成", "Completed"),
        "rejected" => ("已驳回", "Rejected"),
        "withdrawn" => ("已撤回", "Withdrawn"),
        // What histories say happened.
        "requested" => ("提出退订申请", "Unsubscribe requested"),
        "unsubscribed in the billing centre" => {
            ("在计费中心退订", "Unsubscribed in the billing centre")
        }
        "approved" => ("已同意", "Approved"),
        "failed: invoice requested" => ("失败：已申请发票", "Failed: an invoice was requested"),
        "return shipped" => ("已寄回", "Return shipped"),
        "withdrawn: return not shipped in time" => (
            "已撤回：未按时寄回",
            "Withdrawn: the return was not shipped in time",
        ),
        "submitted" => ("已提交", "Submitted"),
        // A user's role in a joint-operation app (the kit's userSync role).
        "admin" => ("管理员", "Administrator"),
        "user" => ("普通用户", "User"),
        "resubmitted" => ("已重新提交", "Resubmitted"),
        "failed" => ("已失效", "Failed"),
        "no_reason" => ("5 天无理由", "5-day no reason"),
        "pending_renewal" => ("未生效续费", "Renewal not in effect"),
        "negotiated" => ("协商退款", "Negotiated"),
        "failed_provisioning" => ("开通失败自动退款", "Failed provisioning"),
        "online" => ("在线交付（无服务监管）", "Online delivery (no supervision)"),
        "offline_standard" => (
            "线下交付 · 标准服务流程（需求 → 交付 → 验收）",
            "Offline · standard process (requirement, delivery, acceptance)",
        ),
        "offline_delivery_acceptance" => (
            "线下交付 · 交付验收（交付服务 → 验收）",
            "Offline · delivery and acceptance (deliver the service, accept)",
        ),
        "unused_remainder" => ("未使用部分按比例退款", "Unused part, pro rata"),
        "buyer_centre" => ("买家中心申请", "Buyer centre request"),
        "billing_centre" => ("费用中心退订", "Billing centre"),
        "saas" => ("SaaS", "SaaS"),
        "license" => ("License", "License"),
        "manual_service" => ("人工服务", "Manual service"),
        "container" => ("容器", "Container"),
        "hardware" => ("硬件", "Hardware"),
        "image" => ("镜像", "Image"),
        "api" => ("API", "API"),
        "ai_asset" => ("AI 资产", "AI asset"),
        "data_asset" => ("数据资产", "Data asset"),
        "app_orchestration" => ("应用编排", "App orchestration"),
        "awaiting_requirement" => ("待提交需求", "Awaiting the requirement"),
        "requirement_submitted" => ("待确认需求", "Requirement to confirm"),
        "awaiting_delivery" => ("待交付", "Awaiting delivery"),
        "delivered" => ("待验收", "Delivered: to accept"),
        "closed" => ("已关闭", "Closed"),
        "requirement" => ("需求 → 交付 → 验收", "Requirement, delivery, acceptance"),
        "delivery_first" => ("交付 → 验收", "Delivery, acceptance"),
        "buyer" => ("买家", "Buyer"),
        "seller" => ("卖家", "Seller"),
        "operator" => ("运营", "Operations"),
        "system" => ("平台", "Platform"),
        "seller_overdue" => ("卖家超过 5 天未处理", "The seller left it over 5 days"),
        "repeated_rejections" => ("驳回超过 3 次", "Rejected more than 3 times"),
        "buyer_overdue" => ("买家超过 5 天未处理", "The buyer left it over 5 days"),
        "any_node" => ("买家申诉", "The buyer's appeal"),
        "held" => ("暂缓结算", "Held"),
        "due" => ("待结算", "Due"),
        "pending_acceptance" => ("待受理", "Pending acceptance"),
        "processing" => ("处理中", "Processing"),
        "pending_confirmation" => ("待确认结果", "Pending your confirmation"),
        "cancelled" => ("已撤销", "Cancelled"),
        "paused" => ("已暂停", "Paused"),
        "invalid" => ("无效", "Invalid"),
        "deleted" => ("已删除", "Deleted"),
        "awaiting_feedback" => ("待反馈", "Awaiting feedback"),
        "NEW" => ("新购", "New"),
        "RENEW" => ("续费", "Renewal"),
        "CHANGE" => ("变更", "Change"),
        "UNSUBSCRIBE" => ("退订", "Unsubscription"),
        "TRIAL" => ("试用", "Trial"),
        "TRIAL_TO_FORMAL" => ("试用转正", "Trial to formal"),
        "PERIOD" => ("按周期", "By period"),
        "ONE_TIME" => ("一次性", "One-time"),
        "ON_DEMAND" => ("按需", "On demand"),
        "ON_DEMAND_PKG" => ("按需套餐", "On-demand package"),
        "PER_CALL" => ("按次", "Per call"),
        "PER_CALL_PKG" => ("按次套餐", "Per-call package"),
        "BY_QUANTITY" => ("按数量", "By quantity"),
        "year" => ("年", "year"),
        "month" => ("月", "month"),
        "day" => ("天", "day"),
        "unused" => ("未使用", "Unused"),
        "used" => ("已使用", "Used"),
        "expired" => ("已过期", "Expired"),
        "recycled" => ("已退回", "Given back"),
        "active" => ("生效中", "Active"),
        "removed" => ("已移出", "Removed"),
        "pending_review" => ("待人工审核", "Waiting for review"),
        "effective" => ("已生效", "Effective"),
        "product" => ("商品报价", "Product quote"),
        "configuration" => ("配置报价", "Configuration quote"),
        _ => return code.to_owned(),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The words for what was done, in a supervision's or a work order's history.
pub fn action_label(lang: Lang, code: &str) -> String {
    let (zh, en) = match code {
        "opened" => ("监管开始", "Supervision opened"),
        "requirement submitted" => ("提交需求", "Requirement submitted"),
        "requirement confirmed" => ("确认需求", "Requirement confirmed"),
        "requirement rejected" => ("驳回需求", "Requirement rejected"),
        "delivery rejected" => ("驳回交付", "Delivery rejected"),
        "accepted" => ("确认验收", "Accepted"),
        "resumed by an operator" => ("运营恢复流程", "Resumed by operations"),
        "completed by an operator" => ("运营完成监管", "Completed by operations"),
        "closed: the order was unsubscribed" => {
            ("订单退订，监管关闭", "Closed: the order was unsubscribed")
        }
        "delivered" => ("开通交付", "Delivered"),
        "appealed" => ("申诉", "Appealed"),
        "open" => ("提交工单", "Opened"),
        "accept" => ("受理", "Accepted"),
        "message" => ("留言", "Message"),
        "transfer" => ("转派", "Transferred"),
        "escalate" => ("升级至运营", "Escalated"),
        "await_feedback" => ("待客户反馈", "Feedback asked"),
        "confirm_resolved" => ("确认已解决", "Resolved"),
        "pause" => ("暂停", "Paused"),
        "resume" => ("恢复处理", "Resumed"),
        "mark_invalid" => ("判定无效", "Marked invalid"),
        "urge" => ("催单", "Urged"),
        "cancel" => ("撤销", "Cancelled"),
        "close" => ("确认关闭", "Closed"),
        "delete" => ("删除", "Deleted"),
        _ => return label(lang, code),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The access types, in the order the filter offers them.
pub const ACCESS_TYPES: [&str; 10] = [
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

impl MarketTexts {
    /// The language these words are in.
    pub fn lang(&self) -> Lang {
        if self.html_lang == "zh-CN" {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}
