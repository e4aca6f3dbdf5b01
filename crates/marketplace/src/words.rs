//! The marketplace's refusals in the reader's language. The API answers with the English
//! (its wire text, in RFC 9457 problems and the open API's `errorMsg`); the console shows
//! `in_language`, so a Chinese page never carries an English refusal of ours.
//!
//! Each entry is the English as the code writes it, with `{}` where the code formats a
//! value in, and the Chinese with its `{}` in the same order.

use unilogin_core::web::Lang;

const WORDS: &[(&str, &str)] = &[
    // Signing in and roles.
    ("Attachments are for signed-in buyers, sellers and operators", "附件仅供已登录的买家、卖家和运营人员使用"),
    ("Buying is for signed-in users", "请先登录再购买"),
    ("The catalogue is for signed-in users", "请先登录再浏览商品"),
    ("The inbox is for signed-in buyers, sellers and operators", "站内信仅供已登录的买家、卖家和运营人员使用"),
    ("To-dos are for signed-in users", "请先登录再查看待办"),
    ("This needs the operator role", "此操作需要运营角色"),
    ("This needs the seller role: a user of a merchant tenant", "此操作需要卖家角色：请以商家租户的用户登录"),
    ("Only the app's administrators in your tenant manage its users", "只有本租户中该应用的管理员可以管理其用户"),
    ("a joint-operation app is bought for a tenant: sign in as a user of one", "联营应用需为租户购买：请以某个租户的用户登录"),
    ("you cannot remove yourself: another administrator can", "不能移除自己：请由另一位管理员操作"),
    ("vouchers are claimed by people", "代金券须由用户本人领取"),
    // Things that are not there.
    ("No such access key", "访问密钥不存在"),
    ("No such app of yours", "您没有该应用"),
    ("No such application", "上架申请不存在"),
    ("No such attachment", "附件不存在"),
    ("No such discount", "专属优惠不存在"),
    ("No such discount link", "优惠链接不存在"),
    ("No such discount of yours", "您没有该专属优惠"),
    ("No such instance of your tenant", "本租户没有该实例"),
    ("No such message", "消息不存在"),
    ("No such message of yours", "您没有该消息"),
    ("No such order", "订单不存在"),
    ("No such order of yours", "您没有该订单"),
    ("No such partner in the plan", "计划中没有该伙伴"),
    ("No such product of yours", "您没有该商品"),
    ("No such product of yours on sale", "您没有在售的该商品"),
    ("No such product on sale", "没有在售的该商品"),
    ("No such resource", "资源不存在"),
    ("No such subscription", "订阅不存在"),
    ("No such supervision", "服务监管不存在"),
    ("No such unsubscribe request", "退订申请不存在"),
    ("No such upgrade rule of yours", "您没有该升级规则"),
    ("No such voucher", "代金券不存在"),
    ("No such voucher of yours", "您没有该代金券"),
    ("No such work order", "工单不存在"),
    ("no such user in your tenant", "本租户中没有该用户"),
    ("Invalid parameter: no such orderId", "参数无效：订单号不存在"),
    ("Invalid parameter: no such orderLineId in the order", "参数无效：订单中没有该订单行"),
    ("Invalid parameter: orderId is required", "参数无效：缺少订单号"),
    ("orderId is required", "缺少订单号"),
    // Concurrent changes.
    ("changed meanwhile: retry", "内容已被他人修改，请重试"),
    ("a concurrent order got there first: look at your orders and order again", "另一笔订单已抢先完成：请查看您的订单后重新下单"),
    ("the app's instance changed meanwhile: order again", "应用实例已发生变化：请重新下单"),
    ("the discount changed meanwhile: look at it and try again", "专属优惠已发生变化：请查看后重试"),
    ("the order's supervision changed meanwhile: look at it and try again", "订单的服务监管已发生变化：请查看后重试"),
    ("the order's voucher changed meanwhile: try again", "订单所用代金券已发生变化：请重试"),
    ("the request changed meanwhile: look at it and try again", "申请已发生变化：请查看后重试"),
    ("the subscription changed meanwhile: look at it and try again", "订阅已发生变化：请查看后重试"),
    ("the supervision changed meanwhile: look at it and try again", "服务监管已发生变化：请查看后重试"),
    ("the voucher changed meanwhile: look at it and try again", "代金券已发生变化：请查看后重试"),
    ("the work order changed meanwhile: look at it and try again", "工单已发生变化：请查看后重试"),
    ("this exclusive discount was used meanwhile: one order per discount", "该专属优惠刚刚已被使用：每个优惠只能用于一笔订单"),
    ("this voucher was used meanwhile: one voucher pays one order", "该代金券刚刚已被使用：一张代金券只能支付一笔订单"),
    ("a later message of the same instance has been sent since", "同一实例之后的消息已经发送"),
    ("a later sync of the same instance replaced this one", "同一实例之后的同步已取代这一条"),
    // Uploads and forms.
    ("an attachment is at most {} MiB", "附件最大 {} MiB"),
    ("at most {} MiB of uploads in 24 hours: retry later", "24 小时内最多上传 {} MiB：请稍后再试"),
    ("attachments: at most {} different attachment ids", "附件：最多 {} 个不同的附件"),
    ("attachments: each must be an upload of yours not attached to anything else", "附件：每个附件须为您上传且尚未被使用的文件"),
    ("the content is not what the name says: a file like this is named .{}", "文件内容与文件名不符：此类文件的扩展名应为 .{}"),
    ("the file is empty", "文件为空"),
    ("the form could not be read", "无法读取表单，请重新提交"),
    ("the upload was cut off", "上传被中断，请重试"),
    ("fileName is 1 to 120 characters, without a path", "文件名为 1 到 120 个字符，不能包含路径"),
    ("fileName is required", "缺少文件名"),
    ("Send a JSON body with Content-Type: application/json", "请以 Content-Type: application/json 发送 JSON 请求体"),
    ("comment is at most 500 characters", "说明最多 500 个字符"),
    ("choose a reason", "请选择原因"),
    ("choose a scenario", "请选择场景"),
    ("say why in the comment", "请在说明中写明原因"),
    ("describe the result of the service in the comment", "请在说明中描述服务结果"),
    ("name is 1 to 100 characters", "名称为 1 到 100 个字符"),
    ("name is 1 to 60 characters", "名称为 1 到 60 个字符"),
    ("role is admin or user", "角色须为管理员或普通用户"),
    ("the role is admin or user", "角色须为管理员或普通用户"),
    ("lang is en or zh-CN", "语言须为 en 或 zh-CN"),
    ("unread is true or false", "unread 须为 true 或 false"),
    ("tab is available, used or expired", "标签须为可用、已使用或已过期"),
    ("tab is product or configuration", "标签须为商品或配置"),
    ("view is all or handled_by_me", "视图须为全部或由我处理"),
    ("Idempotency-Key is 1 to 64 visible ASCII characters", "Idempotency-Key 为 1 到 64 个可见 ASCII 字符"),
    ("This Idempotency-Key was used for a different order request", "该 Idempotency-Key 已用于另一个下单请求"),
    ("tenantId is 1 to 64 letters, digits, - _ .", "租户 ID 为 1 到 64 个字母、数字或 - _ ."),
    ("customerId is the customer's account ID", "customerId 须为客户的账号 ID"),
    // Products and their review.
    ("A merchant holds at most {} access keys: delete one first", "一个商家最多持有 {} 个访问密钥：请先删除一个"),
    ("Only the latest application of a product can be edited and resubmitted", "只有商品最新的上架申请可以修改并重新提交"),
    ("SKU code {} appears twice", "SKU 编码 {} 重复出现"),
    ("The application is {}", "上架申请当前状态为 {}"),
    ("The product already has an application that is {}", "该商品已有一个状态为 {} 的上架申请"),
    ("This product has a joint-operation app already: change that one", "该商品已有联营应用：请修改那一个"),
    ("a SKU code is 1 to 64 of A-Z a-z 0-9 - _", "SKU 编码为 1 到 64 个 A-Z a-z 0-9 - _ 字符"),
    ("a product has 1 to {} specs", "一个商品有 1 到 {} 个规格"),
    ("a rejection needs a reason of 1 to 1000 characters", "驳回需填写 1 到 1000 个字符的原因"),
    ("accessType {} is not an access type", "{} 不是有效的接入方式"),
    ("unknown access type {}: one of {}", "未知的接入方式 {}：可选 {}"),
    ("charging mode {} is not allowed for {} products", "计费模式 {} 不适用于 {} 类商品"),
    ("an online License delivery has no serviceFlowTemplate", "在线 License 交付没有服务流程模板"),
    ("deliveryFlow is for License and manual-service products", "交付流程仅适用于 License 与人工服务类商品"),
    ("a manual service is delivered offline, under its service process", "人工服务按其服务流程线下交付"),
    ("period billing needs a periodType (year, month or day)", "包周期计费需要周期类型（年、月或日）"),
    ("period billing needs periodNumber from 1 to {}", "包周期计费需要 1 到 {} 的周期数"),
    ("periodNumber is only for PERIOD billing", "周期数仅用于包周期计费"),
    ("periodType is only for PERIOD billing", "周期类型仅用于包周期计费"),
    ("price is in minor currency units, 0 or more", "价格以分为单位，不能为负"),
    ("project (工程) assets cannot go on sale: choose another access type", "工程类资产不能上架：请选择其他接入方式"),
    ("the security self-check must be confirmed (securitySelfCheck: true) before publishing", "上架前须确认安全自检"),
    ("the product has no SKU {}", "该商品没有 SKU {}"),
    ("{} has no SKU {}", "{} 没有 SKU {}"),
    ("{} is not a product of yours on sale", "{} 不是您在售的商品"),
    ("{} is not a product on sale", "{} 不是在售商品"),
    ("resultCode 000004 (in progress): a debug case needs 000000", "resultCode 为 000004（处理中）：调测用例需要 000000"),
    ("the path must stay on the production host", "路径须在生产地址的主机上"),
    // Why a production interface's answer did not count (kit::exchange::Refusal, the
    // outbound client's errors), as the debug page shows them.
    ("HTTP status {}, expected 200", "HTTP 状态码为 {}，应为 200"),
    ("content type {}, expected application/json", "内容类型为 {}，应为 application/json"),
    ("the body is not a JSON object with resultCode and resultMsg (expected {\"resultCode\":\"000000\",\"resultMsg\":\"success.\"})", "应答体不是含 resultCode 与 resultMsg 的 JSON 对象（应为 {\"resultCode\":\"000000\",\"resultMsg\":\"success.\"}）"),
    ("resultCode {} ({}): {}", "resultCode 为 {}（{}）：{}"),
    ("the answer lacks {}", "应答缺少 {}"),
    ("the answer has no Body-Sign header", "应答缺少 Body-Sign 头"),
    ("the Body-Sign signature does not match the body", "Body-Sign 签名与应答体不符"),
    ("the Body-Sign header is malformed: expected sign_type=\"HMAC-SHA256\", signature=\"…\"", "Body-Sign 头格式不正确：应为 sign_type=\"HMAC-SHA256\", signature=\"…\""),
    ("no answer within {} s", "{} 秒内没有应答"),
    ("unreachable: {}", "无法连接：{}"),
    ("the answer is larger than {} bytes", "应答超过 {} 字节"),
    ("{} resolves only to private, loopback or link-local addresses", "{} 只解析到私有、回环或链路本地地址"),
    ("url must be on the production URL's host ({})", "地址须在生产地址的主机上（{}）"),
    ("only a failed message is started again", "只有发送失败的消息可以重新发送"),
    ("the opening failed and its order was unsubscribed; the buyer orders again", "开通失败，订单已退订；请买家重新下单"),
    ("scenario is one of {}", "场景须为以下之一：{}"),
    // Orders.
    ("TRIAL_TO_FORMAL follows a TRIAL order", "试用转正式订单须跟随一笔试用订单"),
    ("a CHANGE order moves to another SKU: the subscription is on {} already", "变更订单须换到另一个 SKU：订阅已在 {} 上"),
    ("a configuration quote names its skuCode", "配置报价须指明 SKU 编码"),
    ("a product quote covers every SKU: leave skuCode out", "商品报价覆盖所有 SKU：请不要填写 SKU 编码"),
    ("a {} order costs nothing: leave couponId out", "{} 订单不收费：请不要使用代金券"),
    ("a {} order costs nothing: leave discountLink out", "{} 订单不收费：请不要使用优惠链接"),
    ("a {} order has no relatedOrderId", "{} 订单没有关联订单"),
    ("a {} order is not placed by buyers", "{} 订单不由买家下单"),
    ("a {} order needs a PERIOD spec", "{} 订单需要包周期规格"),
    ("a {} order needs relatedOrderId: the order it follows", "{} 订单需要关联订单：即它所跟随的订单"),
    ("hardware orders need a shipping address (recipient, phone, address)", "硬件订单需要收货信息（收货人、电话、地址）"),
    ("shipping needs a recipient, a phone number (digits, + - space) and an address", "收货信息需要收货人、电话（数字、+、-、空格）和地址"),
    ("orderType is one of {}", "订单类型须为以下之一：{}"),
    ("orderType must be one of {}", "订单类型须为以下之一：{}"),
    ("quantity is 1 to {}", "数量为 1 到 {}"),
    ("relatedOrderId is an order of another product", "关联订单属于另一个商品"),
    ("the related order has no subscription", "关联订单没有订阅"),
    ("an invoice was requested for this order already", "该订单已申请过发票"),
    ("this order cost nothing: there is nothing to invoice", "该订单未收费：无需开票"),
    ("only a new hardware order is shipped", "只有新购的硬件订单可以发货"),
    ("only hardware orders are shipped", "只有硬件订单需要发货"),
    ("this order is not in transit", "该订单不在运输中"),
    ("this order was shipped already", "该订单已发货"),
    ("this order was unsubscribed already", "该订单已退订"),
    ("the app's instance is {}", "应用实例当前状态为 {}"),
    ("the app's instance: {}", "应用实例：{}"),
    ("the instance is {}: users are managed while it is live", "实例当前状态为 {}：只有生效中的实例可以管理用户"),
    ("your tenant has an instance of this app already ({}, {}): renew it instead", "本租户已有该应用的实例（{}，{}）：请改为续费"),
    ("your tenant has an instance of this app already: renew it instead", "本租户已有该应用的实例：请改为续费"),
    ("your tenant has no open instance of this app to {}", "本租户没有可{}的该应用实例"),
    ("no upgrade rule of the seller leads from {} to {}", "卖家没有从 {} 到 {} 的升级规则"),
    ("the upgrade rule does not hold now: {}", "升级规则当前不适用：{}"),
    ("this rule is configured already", "该规则已配置"),
    ("a transfer names the user of your tenant who takes it over", "转交需指定本租户中接手的用户"),
    ("no user {} in your tenant", "本租户中没有用户 {}"),
    ("at most 200 authorizations", "最多 200 个授权"),
    ("{} is authorized twice", "{} 被重复授权"),
    // Unsubscribing and after-sale service.
    ("a negotiated unsubscription needs refundAmount from 0 to {} (the order's amount)", "协商退订需要 0 到 {} 的退款金额（订单金额）"),
    ("the refund of a {} unsubscription is fixed: leave refundAmount out", "{} 退订的退款金额是固定的：请不要填写退款金额"),
    ("refundAmount is set only when approving", "退款金额只在同意时填写"),
    ("an appeal sets no refundAmount", "申诉不设置退款金额"),
    ("an unsubscribe request of this subscription is waiting already", "该订阅已有一个待处理的退订申请"),
    ("this order has no subscription to unsubscribe", "该订单没有可退订的订阅"),
    ("a seller's appeal attaches the delivery proof", "卖家申诉须附上交付证明"),
    ("attach the acceptance report or the delivery proof", "请附上验收报告或交付证明"),
    ("attach the requirement (following the product's requirement template)", "请按商品的需求模板附上需求文档"),
    ("a hardware delivery names its carrier and trackingNumber", "硬件交付须填写承运商和运单号"),
    ("carrier and trackingNumber are for hardware deliveries", "承运商和运单号仅用于硬件交付"),
    ("carrier and trackingNumber come together", "承运商和运单号须同时填写"),
    ("carrier, trackingNumber and actualStartDate come with a delivery only", "承运商、运单号和实际开始日期只随交付填写"),
    ("actualStartDate is a day, yyyy-MM-dd", "实际开始日期须为 yyyy-MM-dd 格式的日期"),
    ("the actual start is not before the day the order was placed", "实际开始日期不能早于下单日期"),
    ("assignee comes with transfer only", "接手人只在转交时填写"),
    ("cause and solution come together", "原因和解决方案须同时填写"),
    ("cause and solution come with confirm_resolved only", "原因和解决方案只在确认解决时填写"),
    ("confirming it resolved needs the cause and the solution", "确认解决需要填写原因和解决方案"),
    ("resumeAt comes with resume only", "恢复时间只在恢复时填写"),
    ("a work order is about one orderId of yours or one productId on sale", "工单须关于您的一笔订单或一个在售商品"),
    ("{} handles it already", "{} 已在处理"),
    ("{} is not the {}'s to take", "{} 不由{}处理"),
    ("{} is the {}'s step", "{} 是{}的步骤"),
    ("unknown action {}: see the SupervisionStep schema", "未知的操作 {}：请参阅 SupervisionStep 定义"),
    ("unknown action {}: see the WorkOrderAction schema", "未知的操作 {}：请参阅 WorkOrderAction 定义"),
    ("unknown action {}", "未知的操作 {}"),
    // Vouchers, discounts and the partner plan.
    ("faceValue is 1 to {} fen", "面额为 1 到 {} 分"),
    ("minimumSpend is 0 to {} fen", "最低消费为 0 到 {} 分"),
    ("perBuyerLimit is 1 to {}, and not above totalQuantity", "每人限领为 1 到 {}，且不超过发放总量"),
    ("totalQuantity is 1 to {}", "发放总量为 1 到 {}"),
    ("validDays is 1 to {}", "有效天数为 1 到 {}"),
    ("validUntil is on or after validFrom, at most {} days later", "有效期结束日期不早于开始日期，且最多晚 {} 天"),
    ("the validity is already over", "有效期已经结束"),
    ("scope all takes no items", "适用范围为全部时不选择商品"),
    ("scope is all, products or skus", "适用范围须为全部、指定商品或指定 SKU"),
    ("scope products names products only: no skuCode", "指定商品时只选择商品，不填写 SKU"),
    ("scope skus needs a skuCode in every item", "指定 SKU 时每一项都需要 SKU 编码"),
    ("scope {} needs 1 to 50 items", "适用范围 {} 需要 1 到 50 项"),
    ("an item is named twice", "有一项被重复选择"),
    ("a voucher of your own tenant is for your buyers", "您自己租户的代金券是发给您的买家的"),
    ("this voucher does not apply to this product or SKU", "该代金券不适用于此商品或 SKU"),
    ("This exclusive discount is {}, no longer effective", "该专属优惠当前状态为 {}，已不再生效"),
    ("an exclusive discount is for a customer, not for yourself", "专属优惠是给客户的，不能给自己"),
    ("this exclusive discount is for another product", "该专属优惠适用于另一个商品"),
    ("the discount is {}: only an effective one has a link", "专属优惠当前状态为 {}：只有生效中的优惠有链接"),
    ("paidBasisPoints 10000 is no discount", "10 折不是折扣"),
    ("{} is 1 to 10000 basis points of the price paid (8500: 8.5折)", "{} 须为 0.01 到 10 折（例如 8.5 折）"),
    ("The partner behind this discount has left the plan", "提供此优惠的伙伴已退出计划"),
    ("The plan authorizes you no discount for this product: ask an operator", "计划未授权您对此商品打折：请联系运营人员"),
    ("Your tenant is not a partner of the customer service provider plan", "本租户不是客户服务商计划的伙伴"),
    ("this configuration quote is for SKU {}", "该配置报价适用于 SKU {}"),
    // Longer explanations.
    ("the seller has not finished debugging this app (missing: {}); it cannot be opened yet", "卖家尚未完成该应用的调测（缺少：{}），暂时无法开通"),
    ("the product's joint-operation app {} lacks saved debug cases ({}): the seller debugs them first", "商品的联营应用 {} 缺少已保存的调测用例（{}）：请卖家先完成调测"),
    ("a CHANGE of a SaaS subscription is priced for the rest of its period: leave periodNumber out", "SaaS 订阅的变更按剩余周期计价：请不要填写周期数"),
    ("UNSUBSCRIBE orders come only from an approved unsubscribe request: POST {}/buyer/unsubscribe-requests", "退订订单只能来自已同意的退订申请：POST {}/buyer/unsubscribe-requests"),
    ("resumeAt is awaiting_requirement, requirement_submitted, awaiting_delivery or delivered", "恢复节点须为待提交需求、需求已提交、待交付或已交付"),
    ("state is one of awaiting_requirement, requirement_submitted, awaiting_delivery, delivered, appealed, completed, closed", "状态须为待提交需求、需求已提交、待交付、已交付、申诉中、已完成、已关闭之一"),
    ("another claim of yours for this voucher ran at the same time: look at your vouchers", "您对该代金券的另一次领取同时进行：请查看您的代金券"),
    ("this product is unsubscribed through a request the seller decides: POST /api/marketplace/v1/buyer/unsubscribe-requests", "该商品需提交退订申请，由卖家处理"),
    ("state is one of pending, appealed, awaiting_return, completed, rejected, withdrawn, failed", "状态须为待处理、申诉中、待退货、已完成、已拒绝、已撤回、失败之一"),
    ("this product is unsubscribed in the billing centre, at once and without the seller's decision: POST /api/marketplace/v1/buyer/billing/unsubscriptions", "该商品在费用中心直接退订，无需卖家处理"),
    ("Save a successful upgrade debug case of the product's joint-operation app first (POST …/seller/kit/apps/{}/debug-cases with scenario upgrade)", "请先为商品的联营应用保存一个成功的升级调测用例"),
    ("{} is not a distributor in the plan (an active partner of its own)", "{} 不是计划中的分销商（自身须为生效中的伙伴）"),
    ("a reseller is authorized no deeper than its distributor: {} at {} is not within {}'s authorization", "经销商的授权折扣不能低于其分销商：{} 的 {} 不在 {} 的授权范围内"),
    ("This exclusive discount is for another account: sign in with the account it names", "该专属优惠属于另一个账号：请用其指定的账号登录"),
    ("you hold {} uploads not attached to anything (at most {}): attach them to a step, or wait — unattached uploads are deleted after a day", "您有 {} 个未使用的上传文件（最多 {} 个）：请先在步骤中使用它们，或等待——未使用的上传文件一天后删除"),
    ("this kind of file is not accepted: PNG, JPEG, GIF, PDF, ZIP (and Office files) or plain text", "不接受此类文件：仅支持 PNG、JPEG、GIF、PDF、ZIP（及 Office 文件）或纯文本"),
    ("supervised is for SaaS products: hardware and app orchestration are always supervised, License and manual service as their deliveryFlow says, the other types never", "服务监管选项仅适用于 SaaS 商品：硬件和应用编排总是受监管，License 与人工服务按其交付流程，其他类型从不受监管"),
    ("a License names its delivery flow (deliveryFlow, on the product or on each spec): online, or offline with a serviceFlowTemplate", "License 须指定交付流程（在商品或每个规格上）：在线，或线下并指定服务流程模板"),
    ("an offline License delivery names its serviceFlowTemplate (standard or delivery_acceptance)", "线下 License 交付须指定服务流程模板（标准或交付验收）"),
    ("a {} application cannot be withdrawn: of joint-operation products only License, manual-service and SaaS applications can be", "{} 申请不能撤回：联营商品中只有 License、人工服务和 SaaS 的申请可以撤回"),
    ("this product's free trial was taken already (one per tenant and product): order it instead", "该商品的免费试用已使用过（每个租户每个商品一次）：请直接购买"),
    // List filters and request fields (the API's words, for completeness).
    ("quoteType is product or configuration", "报价类型须为商品或配置"),
    ("state is one of trial, live, frozen, unsubscribing, released, unsubscribed", "状态须为试用、生效、冻结、退订中、已释放或已退订之一"),
    ("state is pending_review, effective, rejected, withdrawn, used or expired", "状态须为待审核、生效、已驳回、已撤回、已使用或已过期之一"),
    ("status is a code (0, 1, 2, 3, 4, 5, 12, 13, 17) or its name", "状态须为状态码（0、1、2、3、4、5、12、13、17）或其名称"),
    ("query parameter {} is given twice", "查询参数 {} 重复出现"),
    ("unknown query parameter {}", "未知的查询参数 {}"),
    ("{} is 1 to {} characters (line breaks allowed, no other control characters)", "{} 为 1 到 {} 个字符（可换行，不能有其他控制字符）"),
    ("{} is 1 to {} characters, without control characters", "{} 为 1 到 {} 个字符，不能包含控制字符"),
    ("{} must be {} to {} printable characters", "{} 须为 {} 到 {} 个可打印字符"),
    ("{} must be an integer from {} to {}", "{} 须为 {} 到 {} 之间的整数"),
    ("{} must be one of {}", "{} 须为以下之一：{}"),
    ("{} is a time in unix seconds", "{} 须为 Unix 秒数表示的时间"),
    ("{} is yyyy-MM-dd", "{} 须为 yyyy-MM-dd 格式的日期"),
    ("No such {}", "{} 不存在"),
    ("{} body: {}", "{} 请求体无法读取：{}"),
    ("url: {}", "地址：{}"),
];

/// The values `template`'s `{}` stand for in `message`, when `message` is `template`
/// formatted.
fn captures<'m>(template: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let mut parts = template.split("{}");
    let first = parts.next().unwrap_or_default();
    let mut rest = message.strip_prefix(first)?;
    let literals: Vec<&str> = parts.collect();
    let mut values = Vec::with_capacity(literals.len());
    for (index, literal) in literals.iter().enumerate() {
        let last = index + 1 == literals.len();
        let end = if last {
            // The last literal ends the message.
            rest.len().checked_sub(literal.len())?
        } else if literal.is_empty() {
            return None;
        } else {
            rest.find(literal)?
        };
        if !rest[end..].starts_with(literal) || end == 0 {
            return None;
        }
        values.push(&rest[..end]);
        rest = &rest[end + literal.len()..];
    }
    rest.is_empty().then_some(values)
}

fn fill(chinese: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(chinese.len() + 16);
    let mut values = values.iter();
    let mut parts = chinese.split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            out.push_str(values.next().copied().unwrap_or_default());
        }
    }
    out
}

/// `message` (a refusal of the marketplace or of the domain types) in `lang`; one without
/// Chinese words yet stays as it is.
pub fn in_language(lang: Lang, message: &str) -> String {
    if lang != Lang::Zh {
        return message.to_owned();
    }
    if let Some((_, chinese)) = WORDS.iter().find(|(english, _)| *english == message) {
        return (*chinese).to_owned();
    }
    for (english, chinese) in WORDS.iter().filter(|(english, _)| english.contains("{}")) {
        if let Some(values) = captures(english, message) {
            return fill(chinese, &values);
        }
    }
    // "field: why", where the why is a refusal of the domain types.
    if let Some((field, why)) = message.split_once(": ") {
        let words = unilogin_core::domain::words::in_language(lang, why);
        if words != why {
            return format!("{field}：{words}");
        }
    }
    unilogin_core::domain::words::in_language(lang, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_a_debug_call_failed_reads_in_chinese() {
        use crate::kit::exchange::Refusal;
        for refusal in [
            Refusal::Status(404),
            Refusal::ContentType("text/html".into()),
            Refusal::NotJson,
            Refusal::MissingField("instanceId"),
            Refusal::ResultCode {
                code: "000001".into(),
                meaning: crate::kit::exchange::meaning("000001"),
                message: "bad".into(),
            },
        ] {
            let english = refusal.to_string();
            let chinese = in_language(Lang::Zh, &english);
            assert_ne!(chinese, english, "no Chinese for {english}");
        }
        assert_eq!(
            in_language(Lang::Zh, "HTTP status 404, expected 200"),
            "HTTP 状态码为 404，应为 200"
        );
    }

    #[test]
    fn values_are_carried_over_in_order() {
        assert_eq!(
            in_language(Lang::Zh, "an attachment is at most 10 MiB"),
            "附件最大 10 MiB"
        );
        assert_eq!(
            in_language(
                Lang::Zh,
                "charging mode PER_CALL is not allowed for LICENSE products"
            ),
            "计费模式 PER_CALL 不适用于 LICENSE 类商品"
        );
        assert_eq!(in_language(Lang::Zh, "No such order"), "订单不存在");
        assert_eq!(in_language(Lang::En, "No such order"), "No such order");
        assert_eq!(in_language(Lang::Zh, "something new"), "something new");
        assert_eq!(captures("a {} b {}", "a x b "), None);
        assert_eq!(captures("a {} b {}", "a x b y"), Some(vec!["x", "y"]));
        assert_eq!(
            captures("{} is {}", "p is q is r"),
            Some(vec!["p", "q is r"])
        );
    }

    /// Every refusal the marketplace's sources write (a string literal in an `Invalid`,
    /// `Conflict`, `NotFound`, … or a helper named after one) has Chinese words: the
    /// literal, with a value in each `{…}`, reads differently in Chinese.
    #[test]
    fn every_refusal_in_the_sources_has_chinese_words() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut missing = Vec::new();
        let mut seen = 0;
        for crate_dir in ["marketplace/src", "market-console/src"] {
            for file in rust_files(&std::path::Path::new(root).join(crate_dir)) {
                let source = std::fs::read_to_string(&file).unwrap();
                let source = source.split("#[cfg(test)]").next().unwrap_or_default();
                for literal in refusal_literals(source) {
                    seen += 1;
                    let example = with_values(&literal);
                    if in_language(Lang::Zh, &example) == example {
                        missing.push(format!("{}: {literal}", file.display()));
                    }
                }
            }
        }
        assert!(seen > 150, "only {seen} refusals found: the scan is broken");
        assert!(
            missing.is_empty(),
            "refusals without Chinese words:\n{}",
            missing.join("\n")
        );
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }

    /// The first string literal after each refusal constructor, skipping an opening
    /// `format!(`; field-name arguments (one word, no space) are not refusals.
    fn refusal_literals(source: &str) -> Vec<String> {
        const OPENERS: &[&str] = &[
            "Invalid(",
            "Conflict(",
            "invalid(",
            "conflict(",
            "Refused(",
            "refused(",
            "TooLarge(",
            "QuotaExceeded(",
            "DebugFailed(",
            "NotFound(",
            "Forbidden(",
        ];
        let mut found = Vec::new();
        for opener in OPENERS {
            for (at, _) in source.match_indices(opener) {
                let after = source[at + opener.len()..].trim_start();
                let after = after
                    .strip_prefix("format!(")
                    .map(str::trim_start)
                    .unwrap_or(after);
                let Some(body) = after.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = body.find('"') else { continue };
                let literal = joined(&body[..end]);
                // "{field}: {why}" carries a refusal of the domain types, which has words
                // of its own; field names alone are not refusals.
                let only_values = literal
                    .replace(['{', '}', ':', ' '], "")
                    .chars()
                    .all(|c| c.is_ascii_lowercase());
                if (literal.contains(' ') || literal.contains('{')) && !only_values {
                    found.push(literal);
                }
            }
        }
        found
    }

    /// A literal as Rust reads it: a `\\` at a line's end joins the next line, without its
    /// indentation.
    fn joined(literal: &str) -> String {
        let mut out = String::new();
        let mut lines = literal.split("\\\n");
        out.push_str(lines.next().unwrap_or_default());
        for line in lines {
            out.push_str(line.trim_start());
        }
        out
    }

    /// A formatting literal with a plausible value in each `{…}`.
    fn with_values(literal: &str) -> String {
        let mut out = String::new();
        let mut rest = literal;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str("X1");
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }
}
