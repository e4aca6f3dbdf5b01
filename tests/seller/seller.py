#!/usr/bin/env python3
"""An independent seller for the joint-operation kit tests.

The production interface of a SaaS app, written from the upstream documentation
(koogallery-reference.md section 4), not from unilogin's code: HTTPS on loopback with a
certificate of a test CA; every request's V2 signature verified with the key of its
interface category (kit sync in x-sign/x-timestamp/x-nonce headers under
/produceAPI/v2/, the rest in signature/timestamp/nonce query parameters); answers signed
with Body-Sign; the client secret of applicationSync decrypted with the seller's RSA
private key (RSA-OAEP, SHA-256, through the openssl command). Every request is logged to
a JSON-lines file; faults are taken, one per request, from a JSON file the test rewrites:
{"activity": ["500", "bad-sign", "no-sign", "000005", "000004", "timeout", "text"]}.

It keeps what it is sent, as a seller's server would: tenants (tenantSync), each tenant's
credentials (applicationSync, keyed by tenantId + appId; flag "0" deletes them), the
authorized users (userSync) and each instance's status. Its home page, GET
/home?code=&tenant=, is the documented WEB login: it picks the credentials of `tenant`,
redeems the code at the identity provider's token endpoint, calls userinfo and answers
with what it learned (JSON), or 403 when it holds no credentials for the tenant.

Usage: seller.py CONFIG.json, with port, cert, key, private_key, log, faults, keys
({"basic", "kitSync", "generic"}), skew_check (bool) and idp (the identity provider's
base URL). Prints "ready" once listening.
"""

import base64
import hashlib
import hmac
import json
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlparse

CONFIG = json.load(open(sys.argv[1]))
LOCK = threading.Lock()
NONCES = set()
INSTANCES = {}
TENANTS = {}
CREDENTIALS = {}
USERS = {}
STATUS = {}


def mac(key, message):
    return hmac.new(key.encode(), message, hashlib.sha256)


def expected_signature(key, nonce, timestamp, body):
    canonical = (key + nonce + timestamp + mac(key, body).hexdigest()).encode()
    return mac(key, canonical).hexdigest()


def take_fault(activity):
    with LOCK:
        try:
            faults = json.load(open(CONFIG["faults"]))
        except (OSError, ValueError):
            return None
        queue = faults.get(activity) or []
        if not queue:
            return None
        fault = queue.pop(0)
        faults[activity] = queue
        json.dump(faults, open(CONFIG["faults"], "w"))
        return fault


def log(entry):
    with LOCK:
        with open(CONFIG["log"], "a") as f:
            f.write(json.dumps(entry) + "\n")


def decrypt(secret_b64):
    result = subprocess.run(
        ["openssl", "pkeyutl", "-decrypt", "-inkey", CONFIG["private_key"],
         "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
         "-pkeyopt", "rsa_mgf1_md:sha256"],
        input=base64.b64decode(secret_b64), capture_output=True, check=True)
    return result.stdout.decode()


class Seller(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, sign="good", content_type="application/json"):
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        key = CONFIG["keys"][self.category] if hasattr(self, "category") else "x"
        if sign == "good":
            signature = base64.b64encode(mac(key, raw).digest()).decode()
            self.send_header("Body-Sign", 'sign_type="HMAC-SHA256", signature="%s"' % signature)
        elif sign == "bad":
            self.send_header("Body-Sign", 'sign_type="HMAC-SHA256", signature="AAAA"')
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):
        url = urlparse(self.path)
        self.category = "basic"
        if url.path != "/home":
            return self.answer(404, {"error": "not found"}, sign="none")
        query = parse_qs(url.query)
        code = query.get("code", [""])[0]
        tenant = query.get("tenant", [""])[0]
        with LOCK:
            found = [c for (t, _), c in CREDENTIALS.items() if t == tenant]
        if not found:
            return self.answer(403, {"error": "no credentials for tenant " + tenant}, sign="none")
        credentials = found[0]
        home = "https://localhost:%d/home" % CONFIG["port"]
        form = urlencode({"grant_type": "authorization_code", "code": code,
                          "client_id": credentials["clientId"],
                          "client_secret": credentials["clientSecret"],
                          "redirect_uri": home}).encode()
        try:
            with urllib.request.urlopen(CONFIG["idp"] + "/api/v1/oauth2/token", form) as r:
                tokens = json.load(r)
            request = urllib.request.Request(
                CONFIG["idp"] + "/api/v1/oauth2/userinfo",
                headers={"Authorization": "Bearer " + tokens["access_token"],
                         "Accept": "application/json"})
            with urllib.request.urlopen(request) as r:
                userinfo = json.load(r)
        except urllib.error.HTTPError as e:
            return self.answer(502, {"error": "the identity provider said %d: %s"
                                     % (e.code, e.read().decode())}, sign="none")
        return self.answer(200, {"tenant": tenant, "tenantName": TENANTS.get(tenant, {}).get("name"),
                                 "clientId": credentials["clientId"], "userinfo": userinfo,
                                 "accessToken": tokens["access_token"]}, sign="none")

    def remember(self, activity, payload, secret):
        with LOCK:
            if activity == "tenantSync":
                TENANTS[payload["tenantId"]] = payload
            elif activity == "applicationSync":
                key = (payload["tenantId"], payload["appId"])
                if payload.get("flag") == "0":
                    CREDENTIALS.pop(key, None)
                else:
                    CREDENTIALS[key] = {"clientId": payload["clientId"], "clientSecret": secret}
            elif activity == "userSync":
                key = (payload["tenantId"], payload["userId"])
                if payload.get("flag") == "0":
                    USERS.pop(key, None)
                else:
                    USERS[key] = payload["role"]
            elif activity == "updateInstanceStatus":
                STATUS[payload["instanceId"]] = payload["status"]
            elif activity == "releaseInstance":
                STATUS[payload["instanceId"]] = "RELEASED"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urlparse(self.path)
        try:
            payload = json.loads(body)
            # Kit sync is named by its path; the production interface by the body.
            if "/produceAPI/v2/" in url.path:
                activity = url.path.rsplit("/", 1)[1]
            else:
                activity = payload["activity"]
        except (ValueError, KeyError):
            self.category = "basic"
            return self.answer(200, {"resultCode": "000002", "resultMsg": "bad params"})
        if url.path.endswith("/produceAPI/v2/" + activity):
            self.category = "kitSync"
            sign = self.headers.get("x-sign", "")
            stamp = self.headers.get("x-timestamp", "")
            nonce = self.headers.get("x-nonce", "")
        else:
            self.category = "generic" if activity == "orderNotify" else "basic"
            query = parse_qs(url.query)
            sign = query.get("signature", [""])[0]
            stamp = query.get("timestamp", [""])[0]
            nonce = query.get("nonce", [""])[0]
        key = CONFIG["keys"][self.category]
        verified = hmac.compare_digest(
            sign.lower(), expected_signature(key, nonce, stamp, body))
        fresh = not CONFIG.get("skew_check") or abs(time.time() * 1000 - int(stamp or 0)) <= 60000
        with LOCK:
            replayed = nonce in NONCES
            NONCES.add(nonce)
        entry = {"activity": activity, "path": url.path, "category": self.category,
                 "verified": verified and fresh and not replayed, "body": payload}
        if not entry["verified"]:
            log(entry)
            return self.answer(200, {"resultCode": "000001", "resultMsg": "auth failed"})
        fault = take_fault(activity)
        entry["fault"] = fault
        secret = None
        if activity == "applicationSync" and payload.get("clientSecret"):
            secret = decrypt(payload["clientSecret"])
            entry["decryptedSecret"] = secret
        log(entry)
        if fault == "timeout":
            time.sleep(30)
            return None
        if fault == "500":
            return self.answer(500, {"resultCode": "000005", "resultMsg": "boom"})
        if fault == "text":
            return self.answer(200, b"ok", content_type="text/plain")
        if fault in ("bad-sign", "no-sign"):
            return self.answer(200, {"resultCode": "000000", "resultMsg": "success."},
                               sign="bad" if fault == "bad-sign" else "none")
        if fault and fault.isdigit():
            return self.answer(200, {"resultCode": fault, "resultMsg": "as the test asked"})
        self.remember(activity, payload, secret)
        result = {"resultCode": "000000", "resultMsg": "success."}
        if activity in ("newInstance", "queryInstance"):
            key = payload.get("orderId", "") + "/" + payload.get("orderLineId", "")
            with LOCK:
                INSTANCES.setdefault(key, "ins-" + payload.get("orderLineId", "x"))
                result["instanceId"] = INSTANCES[key]
        return self.answer(200, result)


server = ThreadingHTTPServer(("127.0.0.1", CONFIG["port"]), Seller)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CONFIG["cert"], CONFIG["key"])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()
