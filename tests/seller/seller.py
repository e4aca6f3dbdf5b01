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

Usage: seller.py CONFIG.json, with port, cert, key, private_key, log, faults, keys
({"basic", "kitSync", "generic"}) and skew_check (bool). Prints "ready" once listening.
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
from urllib.parse import parse_qs, urlparse

CONFIG = json.load(open(sys.argv[1]))
LOCK = threading.Lock()
NONCES = set()
INSTANCES = {}


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

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urlparse(self.path)
        try:
            payload = json.loads(body)
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
        if activity == "applicationSync" and payload.get("clientSecret"):
            entry["decryptedSecret"] = decrypt(payload["clientSecret"])
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
        result = {"resultCode": "000000", "resultMsg": "success."}
        if activity == "newInstance":
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
