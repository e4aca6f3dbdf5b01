//! The AK/SK-signed open API: shape, codes, debug orders, signature checks, lockout,
//! and requests signed by Huawei Cloud's own Python SDK.

use super::*;

// ---- The signed open API, signed here by an implementation of our own (not the
// server's): SDK-HMAC-SHA256 as Huawei documents it.

mod independent_signer {
    use aws_lc_rs::hmac;
    use sha2::{Digest, Sha256};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn escape(text: &str) -> String {
        let mut out = String::new();
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    /// `(name, value)` query pairs already decoded; headers as sent.
    pub fn authorization(
        ak: &str,
        sk: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> String {
        let mut uri: String = path
            .split('/')
            .map(|segment| {
                escape(&percent_encoding::percent_decode_str(segment).decode_utf8_lossy())
            })
            .collect::<Vec<_>>()
            .join("/");
        if !uri.ends_with('/') {
            uri.push('/');
        }
        let mut pairs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect();
        pairs.sort();
        let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
        names.sort();
        let canonical_headers: String = names
            .iter()
            .map(|n| {
                let value = headers
                    .iter()
                    .find(|(h, _)| h.to_lowercase() == *n)
                    .unwrap()
                    .1;
                format!("{n}:{}\n", value.trim())
            })
            .collect();
        let date = headers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case("x-sdk-date"))
            .unwrap()
            .1;
        let canonical = [
            method.to_string(),
            uri,
            pairs.join("&"),
            canonical_headers,
            names.join(";"),
            hex(&Sha256::digest(body)),
        ]
        .join("\n");
        let to_sign = format!(
            "SDK-HMAC-SHA256\n{date}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, sk.as_bytes());
        let signature = hex(hmac::sign(&key, to_sign.as_bytes()).as_ref());
        format!(
            "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={signature}",
            names.join(";")
        )
    }

    #[test]
    fn it_reproduces_the_published_vector() {
        let auth = authorization(
            "QTWAOYTTINDUT2QVKYUC",
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            "GET",
            "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            &[
                ("limit", "2"),
                ("marker", "13551d6b-755d-4757-b956-536f674975c0"),
            ],
            &[
                ("Content-Type", "application/json"),
                ("Host", "service.region.example.com"),
                ("X-Sdk-Date", "20191115T033655Z"),
            ],
            b"",
        );
        assert!(
            auth.ends_with(
                "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
            ),
            "{auth}"
        );
    }
}

fn sdk_date(offset_secs: i64) -> String {
    let when = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + offset_secs;
    let date = unilogin::calendar::compact(when);
    format!("{}T{}Z", &date[..8], &date[8..])
}

const QUERY: &str = "/api/mkp-openapi-public/global/v1/order/query";

/// Sends a signed order query; `tamper` may change the request after signing.
async fn signed_query(
    app: &TestApp,
    keys: (&str, &str),
    query: &[(&str, &str)],
    date: &str,
    tamper: impl FnOnce(&mut String, &mut String),
) -> (u16, serde_json::Value) {
    signed_query_from(&app.backchannel, app, keys, query, date, tamper).await
}

/// `signed_query` from `client` (another source address, say).
async fn signed_query_from(
    client: &reqwest::Client,
    app: &TestApp,
    (ak, sk): (&str, &str),
    query: &[(&str, &str)],
    date: &str,
    tamper: impl FnOnce(&mut String, &mut String),
) -> (u16, serde_json::Value) {
    let host = app.base.trim_start_matches("http://").to_owned();
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", host.as_str()),
        ("X-Sdk-Date", date),
    ];
    let mut authorization =
        independent_signer::authorization(ak, sk, "GET", QUERY, query, &headers, b"");
    let mut url = url::Url::parse(&app.url(QUERY)).unwrap();
    url.query_pairs_mut().extend_pairs(query);
    let mut url = url.to_string();
    tamper(&mut url, &mut authorization);
    let response = client
        .get(url)
        .header("content-type", "application/json")
        .header("x-sdk-date", date)
        .header("authorization", authorization)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_open_api_answers_signed_order_queries_in_the_upstream_shape() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let (_, placed) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": crm, "skuCode": "basic", "periodNumber": 12}),
        None,
    )
    .await;
    let id = placed["orderId"].as_str().unwrap().to_owned();
    let (ak, sk) = access_key(&app, &c.alice).await;
    let keys = (ak.as_str(), sk.as_str());
    let now = sdk_date(0);

    let (status, answer) = signed_query(&app, keys, &[("orderId", &id)], &now, |_, _| {}).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["resultCode"].as_str(), answer["resultMsg"].as_str()),
        (Some("MKT.0000"), Some("Success"))
    );
    let info = &answer["orderInfo"];
    assert_eq!(info["orderId"], id.as_str());
    assert_eq!(info["orderType"], "NEW");
    assert_eq!(info["createTime"], placed["createTime"]);
    let line = &info["orderLine"][0];
    assert_eq!(line["orderLineId"], format!("{id}-000001"));
    assert_eq!(
        (
            line["chargingMode"].as_str(),
            line["periodType"].as_str(),
            line["periodNumber"].as_i64()
        ),
        (Some("PERIOD"), Some("month"), Some(12))
    );
    assert_eq!(line["productInfo"][0]["skuCode"], "basic");
    assert_eq!(line["productInfo"][0]["productId"], crm.as_str());
    assert_eq!(line["currencyAfterDiscount"], "1188.00");
    assert_eq!(line["expireTime"].as_str().unwrap().len(), 14);
    assert_eq!(info["buyerInfo"]["customerId"], "tenant-d");

    let line_id = format!("{id}-000001");
    let (status, answer) = signed_query(
        &app,
        keys,
        &[("orderId", &id), ("orderLineId", &line_id)],
        &now,
        |_, _| {},
    )
    .await;
    assert_eq!(
        (status, answer["resultCode"].as_str()),
        (200, Some("MKT.0000"))
    );
    for (query, label) in [
        (
            vec![("orderId", id.as_str()), ("orderLineId", "CS-other-000001")],
            "foreign line",
        ),
        (vec![("orderId", "CSNOSUCHORDER")], "unknown order"),
        (vec![("orderLineId", line_id.as_str())], "missing orderId"),
        (
            vec![("orderId", id.as_str()), ("extra", "1")],
            "extra parameter",
        ),
    ] {
        let (status, answer) = signed_query(&app, keys, &query, &now, |_, _| {}).await;
        assert_eq!(
            (status, answer["resultCode"].as_str()),
            (400, Some("MKT.0101")),
            "{label}"
        );
    }

    // Another merchant's key: the order is not theirs.
    let (bob_ak, bob_sk) = access_key(&app, &c.bob).await;
    let (status, answer) = signed_query(
        &app,
        (&bob_ak, &bob_sk),
        &[("orderId", &id)],
        &now,
        |_, _| {},
    )
    .await;
    assert_eq!(
        (status, answer["resultCode"].as_str()),
        (401, Some("MKT.0150"))
    );

    // The debug orders answer every seller with their scenario.
    for (mock, kind, mode) in [
        ("MOCKPERIODYEARNEW", "NEW", "PERIOD"),
        ("MOCKONETIMENEW", "NEW", "ONE_TIME"),
        ("MOCKONDEMAND", "NEW", "ON_DEMAND"),
        ("MOCKONDEMANDPKG", "NEW", "ON_DEMAND_PKG"),
        ("MOCKPERIODDAYTRIAL", "TRIAL", "PERIOD"),
        ("MOCKMONTYTRIALTOFORMAL", "TRIAL_TO_FORMAL", "PERIOD"),
        ("MOCKMONTYUNSUBSCRIBE", "UNSUBSCRIBE", "PERIOD"),
        ("MOCKMONTYRENEW", "RENEW", "PERIOD"),
        ("MOCKMONTYCHANGE", "CHANGE", "PERIOD"),
    ] {
        let line = format!("{mock}-000001");
        let (status, answer) = signed_query(
            &app,
            (&bob_ak, &bob_sk),
            &[("orderId", mock), ("orderLineId", &line)],
            &now,
            |_, _| {},
        )
        .await;
        assert_eq!(status, 200, "{mock}");
        assert_eq!(answer["orderInfo"]["orderType"], kind, "{mock}");
        assert_eq!(
            answer["orderInfo"]["orderLine"][0]["chargingMode"], mode,
            "{mock}"
        );
        assert_eq!(
            answer["orderInfo"]["orderLine"][0]["orderLineId"],
            line.as_str()
        );
    }
}

/// The marketplace's people, and an access key of the seller's.
async fn seller_with_access_key() -> (TestApp, Cast, (String, String)) {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let key = access_key(&app, &c.alice).await;
    (app, c, key)
}

#[tokio::test]
async fn a_deleted_access_key_stops_at_once_though_it_was_just_used() {
    let (app, c, (ak, sk)) = seller_with_access_key().await;
    let keys = (ak.as_str(), sk.as_str());
    let now = sdk_date(0);
    let query = [("orderId", "MOCKONETIMENEW")];
    // Used twice: the second answer comes from the key kept in memory.
    for _ in 0..2 {
        let (status, answer) = signed_query(&app, keys, &query, &now, |_, _| {}).await;
        assert_eq!(
            (status, answer["resultCode"].as_str()),
            (200, Some("MKT.0000"))
        );
    }
    let (status, body, _) = call(
        &app,
        reqwest::Method::DELETE,
        &format!("{KEYS}/{ak}"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, answer) = signed_query(&app, keys, &query, &now, |_, _| {}).await;
    assert_eq!(
        (status, answer["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{answer}"
    );
}

#[tokio::test]
async fn bad_signatures_are_refused_and_five_in_a_row_lock_the_key() {
    let (app, c, (ak, sk)) = seller_with_access_key().await;
    let keys = (ak.as_str(), sk.as_str());
    let now = sdk_date(0);
    let query = [("orderId", "MOCKONETIMENEW")];
    let refused = |(status, answer): (u16, serde_json::Value)| {
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error_code"], "APIGW.0301");
        assert!(answer["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        answer["error_msg"].as_str().unwrap().to_owned()
    };
    let good = || signed_query(&app, keys, &query, &now, |_, _| {});
    assert_eq!(good().await.0, 200);

    // Any changed byte is refused: signature, query, key, algorithm.
    let flip = |auth: &mut String| {
        let last = auth.pop().unwrap();
        auth.push(if last == '0' { '1' } else { '0' });
    };
    refused(signed_query(&app, keys, &query, &now, |_, auth| flip(auth)).await);
    refused(
        signed_query(&app, keys, &query, &now, |url, _| {
            *url = url.replace("MOCKONETIMENEW", "MOCKONDEMAND")
        })
        .await,
    );
    refused(signed_query(&app, (&ak, "wrong-secret"), &query, &now, |_, _| {}).await);
    refused(
        signed_query(&app, keys, &query, &now, |_, auth| {
            *auth = auth.replace("SDK-HMAC-SHA256", "SDK-HMAC-SHA1")
        })
        .await,
    );
    // A good signature resets the count.
    assert_eq!(good().await.0, 200);
    // Expired, and dated in the future.
    let stale = sdk_date(-16 * 60);
    assert_eq!(
        refused(signed_query(&app, keys, &query, &stale, |_, _| {}).await),
        "signature expired"
    );
    let future = sdk_date(16 * 60);
    assert_eq!(
        refused(signed_query(&app, keys, &query, &future, |_, _| {}).await),
        "signature expired"
    );
    // Unknown access key.
    refused(signed_query(&app, ("NOSUCHKEY00000000000", &sk), &query, &now, |_, _| {}).await);

    // Five bad signatures in a row lock the key: then even a good one is refused.
    for _ in 0..5 {
        refused(signed_query(&app, keys, &query, &now, |_, auth| flip(auth)).await);
    }
    let message = refused(good().await);
    assert!(message.contains("locked"), "{message}");
    // The lock holds at the address the failures came from: the owner's servers, at
    // another address, are still served (an outsider who knows the AK cannot lock them out).
    let owner = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    assert_eq!(
        signed_query_from(&owner, &app, keys, &query, &now, |_, _| {})
            .await
            .0,
        200
    );
    // Bob's key is unaffected.
    let (bob_ak, bob_sk) = access_key(&app, &c.bob).await;
    assert_eq!(
        signed_query(&app, (&bob_ak, &bob_sk), &query, &now, |_, _| {})
            .await
            .0,
        200
    );
    // A deleted key no longer signs.
    call(
        &app,
        reqwest::Method::DELETE,
        &format!("{KEYS}/{bob_ak}"),
        Some(&c.bob),
    )
    .await;
    refused(signed_query(&app, (&bob_ak, &bob_sk), &query, &now, |_, _| {}).await);
}

/// Signs with Huawei Cloud's own Python SDK (`tests/sdk/sign.py`).
fn sdk_signed(ak: &str, sk: &str, host: &str, query: &[(&str, &str)]) -> serde_json::Value {
    let script = crate::helpers::repo_root().join("tests/sdk/sign.py");
    let script = script.to_str().expect("a UTF-8 path");
    let pairs = serde_json::to_string(&query).unwrap();
    let output = std::process::Command::new("python3")
        .args([script, ak, sk, host, QUERY, &pairs])
        .output();
    match output {
        Ok(out) if out.status.success() => serde_json::from_slice(&out.stdout).unwrap(),
        other => panic!(
            "the huaweicloudsdkcore signer did not run (pip install huaweicloudsdkcore): {other:?}"
        ),
    }
}

#[tokio::test]
#[ignore = "needs Huawei Cloud's Python SDK (huaweicloudsdkcore): .ci/run installs it and runs it"]
async fn a_request_signed_by_huaweis_python_sdk_is_accepted_and_any_changed_byte_refused() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let (_, placed) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": crm, "skuCode": "once"}),
        None,
    )
    .await;
    let id = placed["orderId"].as_str().unwrap().to_owned();
    let (ak, sk) = access_key(&app, &c.alice).await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let signed = sdk_signed(&ak, &sk, &host, &[("orderId", &id)]);
    let send = |uri: String, headers: serde_json::Map<String, serde_json::Value>| {
        let app = &app;
        async move {
            let mut request = app.backchannel.get(format!("{}{uri}", app.base));
            for (name, value) in &headers {
                if !name.eq_ignore_ascii_case("host") {
                    request = request.header(name.as_str(), value.as_str().unwrap());
                }
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let uri = signed["uri"].as_str().unwrap().to_owned();
    let headers = signed["headers"].as_object().unwrap().clone();
    let (status, answer) = send(uri.clone(), headers.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["resultCode"], "MKT.0000");
    assert_eq!(answer["orderInfo"]["orderId"], id.as_str());

    // One byte changed anywhere that is signed: refused.
    let flip = |text: &str, at: usize| -> String {
        let mut bytes = text.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).unwrap()
    };
    let mut cases = Vec::new();
    let auth = headers["Authorization"].as_str().unwrap();
    cases.push((uri.clone(), "Authorization", flip(auth, auth.len() - 1)));
    let date = headers["X-Sdk-Date"].as_str().unwrap();
    cases.push((uri.clone(), "X-Sdk-Date", flip(date, 14)));
    cases.push((flip(&uri, uri.len() - 1), "Authorization", auth.to_owned()));
    let (mut refused, mut total) = (0, 0);
    for (uri, header, value) in cases {
        let mut changed = headers.clone();
        changed.insert(header.into(), value.into());
        let (status, answer) = send(uri, changed).await;
        total += 1;
        if status == 401 && answer["error_code"] == "APIGW.0301" {
            refused += 1;
        }
    }
    assert_eq!(refused, total);
}
