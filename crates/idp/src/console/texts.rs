//! The console's words in Simplified Chinese and English, one row per text, so the two
//! languages cannot drift apart by a field.

unilogin_core::texts!(ConsoleTexts {
    html_lang: "zh-CN", "en";
    console: "统一登录管理控制台", "unilogin admin console";
    switch_label: "English", "中文";
    sign_out: "退出登录", "Sign out";
    signed_in_as: "当前管理员", "Signed in as";
    main_navigation: "主导航", "Main navigation";
    skip_to_content: "跳到正文", "Skip to content";
    menu: "菜单", "Menu";
    close_menu: "收起菜单", "Close menu";
    market_console: "云商店控制台", "Marketplace console";
    any_action: "全部操作", "Any action";
    actor_placeholder: "用户名", "Username";
    overview: "概览", "Overview";
    clients: "应用（客户端）", "Clients";
    tenants: "租户", "Tenants";
    users: "用户", "Users";
    resource_servers: "资源服务与权限范围", "Resource servers & scopes";
    keys: "签名密钥", "Signing keys";
    audit: "审计日志", "Audit log";
    sign_ins: "登录记录", "Sign-ins";
    outcome: "结果", "Outcome";
    any_outcome: "全部结果", "Any outcome";
    outcome_success: "成功", "Succeeded";
    outcome_failure: "失败", "Failed";
    no_sign_ins: "没有符合条件的登录记录。", "No sign-ins match.";
    sign_ins_hint: "统一登录页上的每次登录，成功或失败，连同来源地址。失败记录中的用户名为输入的内容。", "Every sign-in at the unified login page, successful or failed, with the address it came from. A failed one shows the username as typed.";
    chart_title: "近 14 天的登录", "Sign-ins, last 14 days";
    chart_successes: "成功登录", "Successful sign-ins";
    chart_failures: "失败登录", "Failed sign-ins";
    chart_numbers: "查看数据", "The numbers";
    activity_title: "近 14 天的令牌、会话与锁定", "Tokens, sessions and lockouts, last 14 days";
    chart_tokens: "签发的令牌", "Tokens issued";
    chart_sessions: "同时在线会话（当日峰值）", "Sessions live at once (the day's peak)";
    chart_locked: "被锁定的账号", "Accounts locked";
    activity_note: "各实例每 30 秒写入一次签发的令牌数，并在写入时取样在线会话数；打开本页时本实例先写入。", "Each instance writes the tokens it issued every 30 seconds and samples the live sessions as it writes; this instance writes as this page opens.";
    day: "日期", "Day";
    search: "搜索", "Search";
    next_page: "下一页", "Next page";
    first_page: "第一页", "First page";
    save: "保存", "Save";
    cancel: "取消", "Cancel";
    create: "创建", "Create";
    actions: "操作", "Actions";
    none: "无", "None";
    yes: "是", "Yes";
    no: "否", "No";
    name: "名称", "Name";
    created_at: "创建时间", "Created";
    status: "状态", "Status";
    enabled: "正常", "Enabled";
    disabled: "已停用", "Disabled";
    details: "详情", "Details";
    edit: "编辑", "Edit";
    times_in: "时间均为{}。", "Times are in {}.";
    china_time: "北京时间", "China Standard Time";
    error_title: "无法完成请求", "The request could not be completed";
    back_to_console: "返回控制台", "Back to the console";
    not_found: "找不到该记录，可能已被删除。", "Not found: it may have been deleted.";
    not_admin:
        "只有平台管理员可以使用管理控制台。请使用平台管理员账号登录。",
        "Only platform administrators may use the console. Sign in with a platform administrator's account.";
    sign_in_other: "使用其他账号登录", "Sign in with another account";
    csrf_expired: "页面已过期，请刷新后重试。", "This page has expired. Reload it and try again.";
    unavailable:
        "服务暂时不可用，请稍后重试。",
        "The service is temporarily unavailable. Please try again shortly.";
    internal: "服务器未能完成请求。", "The server could not complete the request.";
    sign_in_failed: "登录未完成，请重新登录。", "Signing in did not complete. Please sign in again.";
    stale:
        "该记录在您打开后已被其他管理员修改。请查看最新内容后重新提交。",
        "Someone else changed this record after you opened it. Review the current version and submit again.";
    field_required: "必填。", "Required.";
    reauth_heading: "请确认是您本人", "Confirm it is you";
    reauth_text:
        "此操作不可撤销，需要最近 15 分钟内登录过。请重新输入密码。",
        "This action cannot be undone and needs a sign-in within the last 15 minutes. Please enter your password again.";
    reauth_button: "重新登录并继续", "Sign in again and continue";
    confirm_heading: "确认操作", "Confirm";
    cannot_undo: "此操作不可撤销。", "This cannot be undone.";
    stores: "存储状态", "Stores";
    durable_store: "持久存储（数据库）", "Durable store (database)";
    ephemeral_store: "临时存储（会话与缓存）", "Ephemeral store (sessions and caches)";
    up: "正常", "Up";
    down: "不可用", "Down";
    counts: "数量", "Counts";
    platform_admins: "平台管理员", "Platform administrators";
    disabled_users: "已停用用户", "Disabled users";
    key_ages: "签名密钥（使用天数）", "Signing keys (age in days)";
    days: "天", "days";
    recent_events: "最近的审计事件", "Recent audit events";
    view_all: "查看全部", "View all";
    client_id: "Client ID", "Client ID";
    app_id: "App ID", "App ID";
    client_type: "类型", "Type";
    public_client: "公开客户端（PKCE，无密钥）", "Public (PKCE, no secret)";
    confidential_client: "机密客户端（有密钥）", "Confidential (with a secret)";
    redirect_uris: "回调地址（redirect_uri）", "Redirect URIs";
    one_per_line: "每行一个。", "One per line.";
    line_before: "第 ", "Line ";
    line_after: " 行：", ": ";
    post_logout_uris: "登出后跳转地址", "Post-logout redirect URIs";
    home_url: "应用首页地址", "Home URL";
    id_token_alg: "ID Token 签名算法", "ID token algorithm";
    scopes: "可申请的 API 权限范围", "API scopes it may request";
    new_client: "注册应用", "Register a client";
    search_clients: "按 ID、App ID 或名称搜索", "Search by id, app id or name";
    client_created: "应用已注册", "Client registered";
    secret_once:
        "客户端密钥只显示这一次，请立即复制并妥善保存。",
        "The client secret is shown only this once. Copy it now and keep it safe.";
    public_no_secret: "公开客户端没有密钥，请使用 PKCE。", "A public client has no secret: it uses PKCE.";
    copy: "复制", "Copy";
    client_secret: "客户端密钥", "Client secret";
    rotate_secret: "轮换密钥", "Rotate secret";
    rotate_secret_text:
        "新密钥立即生效；当前密钥立即失效，或在您选择的宽限期内与新密钥同时有效，以便应用无中断地切换。",
        "A new secret takes effect at once; the current one stops at once, or stays valid beside it for the grace period you choose, so that the app switches without an outage.";
    grace_label: "旧密钥继续有效", "Keep the old secret valid for";
    grace_0: "不保留（立即失效）", "No time (it stops now)";
    grace_3600: "1 小时", "1 hour";
    grace_86400: "1 天", "1 day";
    grace_604800: "7 天", "7 days";
    grace_2592000: "30 天", "30 days";
    grace_not_offered: "请选择列出的宽限期。", "Choose one of the grace periods listed.";
    previous_valid_until: "旧密钥有效至", "The previous secret stays valid until";
    revoke_tokens_option: "同时吊销已签发给该应用的所有令牌", "Also revoke every token issued to this client";
    secret_rotated: "密钥已轮换", "Secret rotated";
    secret_shown_already: "密钥已显示过", "The secret was shown already";
    secret_gone:
        "出于安全考虑，密钥只显示一次，刷新或返回不会再次显示，也不会再次注册或轮换。如果没有保存，请再次轮换密钥。",
        "For safety a secret is shown once: reloading or going back shows it no more, and registers or rotates nothing again. If it was not saved, rotate the secret again.";
    delete_client: "删除应用", "Delete client";
    delete_client_text:
        "删除后，该应用的所有授权码和令牌立即失效。",
        "Every code and token of this client stops working at once.";
    builtin_client:
        "控制台自身的注册由 unilogin 维护，不能修改或删除。",
        "The console's own registration is maintained by unilogin and cannot be changed or deleted.";
    no_clients: "没有符合条件的应用。", "No clients match.";
    tenant_id: "租户 ID", "Tenant ID";
    choose_tenant: "请选择租户", "Choose a tenant";
    tenant_must_exist: "用户只能加入已有的租户；新租户请先创建。", "A user joins an existing tenant; create a new one first.";
    domain: "域名", "Domain";
    new_tenant: "创建租户", "Create a tenant";
    no_tenants: "还没有租户。", "No tenants yet.";
    username: "用户名", "Username";
    tenant: "租户", "Tenant";
    email: "邮箱", "Email";
    mobile: "手机号", "Mobile";
    role: "角色", "Role";
    role_admin: "租户管理员（admin）", "Tenant administrator (admin)";
    role_user: "普通用户（user）", "User (user)";
    org_code: "组织编码", "Organization code";
    org_name: "组织名称", "Organization name";
    project_name: "项目名称", "Project name";
    platform_admin: "平台管理员", "Platform administrator";
    new_user: "创建用户", "Create a user";
    search_users: "按用户名、姓名或邮箱搜索", "Search by username, name or email";
    initial_password: "初始密码", "Initial password";
    password_or_link:
        "留空则生成一次性设置密码链接（72 小时内有效，只显示一次，不会发送给任何人）。",
        "Leave empty to get a one-time set-password link instead (valid 72 hours, shown once, sent to nobody).";
    user_created: "用户已创建", "User created";
    link_once:
        "一次性设置密码链接只显示这一次，请通过安全渠道交给用户。",
        "The one-time set-password link is shown only this once. Hand it to the user over a safe channel.";
    set_password_link: "设置密码链接", "Set-password link";
    profile: "资料", "Profile";
    disable_user: "停用用户", "Disable user";
    disable_user_text:
        "停用后，该用户的所有会话和令牌立即失效，且无法再登录。",
        "The user's sessions and tokens end at once and they cannot sign in any more.";
    enable_user: "启用用户", "Enable user";
    reset_password: "重置密码", "Reset password";
    reset_password_text:
        "新密码立即生效；该用户的所有会话和令牌立即结束。",
        "The new password takes effect at once; the user's sessions and tokens end at once.";
    new_password: "新密码", "New password";
    confirm_password: "确认新密码", "Confirm the new password";
    passwords_differ: "两次输入的密码不一致。", "The two passwords differ.";
    sessions: "登录会话", "Sessions";
    started: "开始时间", "Started";
    expires: "过期时间", "Expires";
    address: "地址", "Address";
    user_agent: "浏览器", "Browser";
    end_session: "结束会话", "End session";
    end_session_text: "该会话及其签发的令牌立即失效。", "This session and the tokens it issued end at once.";
    end_all_sessions: "结束全部会话", "End all sessions";
    end_all_sessions_text:
        "该用户的所有会话和令牌立即失效，用户需要重新登录。",
        "All of the user's sessions and tokens end at once; they must sign in again.";
    no_sessions: "没有进行中的会话。", "No open sessions.";
    grants: "授权", "Grants";
    client: "应用", "Client";
    scope: "权限范围", "Scope";
    revoke_grant: "吊销授权", "Revoke grant";
    revoke_grant_text:
        "该授权的刷新令牌和访问令牌立即失效。",
        "The grant's refresh and access tokens stop working at once.";
    no_grants: "没有有效的授权。", "No live grants.";
    no_users: "没有符合条件的用户。", "No users match.";
    identifier: "标识（audience）", "Identifier (audience)";
    builtin: "内置", "Built in";
    new_resource_server: "注册资源服务", "Register a resource server";
    scopes_hint:
        "以空格分隔，例如 orders.read orders.write",
        "Separated by spaces, for example orders.read orders.write";
    kid: "密钥 ID（kid）", "Key id (kid)";
    algorithm: "算法", "Algorithm";
    key_status: "状态", "Status";
    age: "使用天数", "Age (days)";
    rotate_keys: "轮换签名密钥", "Rotate signing keys";
    rotate_keys_text:
        "每种算法生成新的签名密钥并立即用于签发；旧密钥在最长令牌有效期内仍可验证。",
        "A new key per algorithm signs from now on; the previous keys keep verifying for the longest token lifetime.";
    actor: "操作者", "Actor";
    action: "操作", "Action";
    target: "对象", "Target";
    from_day: "起始日期", "From";
    to_day: "截止日期", "To";
    time: "时间", "Time";
    changes: "变更内容", "Changes";
    change_field: "字段", "Field";
    change_before: "变更前", "Before";
    change_after: "变更后", "After";
    change_value: "值", "Value";
    change_none: "无", "(none)";
    filter: "筛选", "Filter";
    export_csv: "导出 CSV", "Export CSV";
    no_events: "没有符合条件的审计事件。", "No events match.";
    bad_day: "请使用 yyyy-mm-dd 格式的日期。", "Use a date in the form yyyy-mm-dd.";
    from_after_to: "起始日期不能晚于截止日期。", "The start must not be after the end.";
    done_client_updated: "应用已保存。", "Client saved.";
    done_client_deleted: "应用已删除。", "Client deleted.";
    done_tenant_created: "租户已创建。", "Tenant created.";
    done_tenant_updated: "租户已保存。", "Tenant saved.";
    done_user_updated: "用户资料已保存。", "User saved.";
    done_user_disabled: "用户已停用，其会话已结束。", "User disabled; their sessions ended.";
    done_user_enabled: "用户已启用。", "User enabled.";
    done_password_reset: "密码已重置。", "Password reset.";
    done_sessions_ended: "会话已结束。", "Sessions ended.";
    done_grant_revoked: "授权已吊销。", "Grant revoked.";
    done_keys_rotated: "签名密钥已轮换。", "Signing keys rotated.";
    done_resource_server_created: "资源服务已注册。", "Resource server registered.";
    done_operator_granted: "已设为云商店运营。", "Now a marketplace operator.";
    done_operator_revoked: "已取消云商店运营。", "No longer a marketplace operator.";
    done_merchant_registered: "租户已登记为云商店商家，其用户可以开店销售。", "The tenant is a marketplace merchant: its users can sell.";
    market_roles: "云商店角色", "Marketplace roles";
    market_buyer: "买家", "Buyer";
    market_buyer_text: "所有用户均可在云商店购买。", "Every user can buy in the marketplace.";
    market_seller: "卖家", "Seller";
    market_seller_of: "所属租户已登记为商家：", "Their tenant is the merchant ";
    market_not_seller: "所属租户尚未登记为商家，其用户不能开店销售。", "Their tenant is not a merchant: its users cannot sell.";
    merchant_name: "商家名称", "Merchant name";
    register_merchant: "将所属租户登记为商家", "Register their tenant as a merchant";
    register_merchant_hint: "登记后，该租户的所有用户都成为卖家。", "Every user of the tenant becomes a seller.";
    market_operator: "运营（审核商品与申诉）", "Operator (reviews products and appeals)";
    grant_operator: "设为运营", "Make an operator";
    revoke_operator: "取消运营", "Stop being an operator";
});
