"""Signs one request with Huawei Cloud's own Python SDK signer (huaweicloudsdkcore) and
prints what to send: {"uri": ..., "headers": {...}}.

usage: sign.py AK SK HOST PATH QUERY_JSON   (QUERY_JSON: [["orderId", "..."], ...])
"""
import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


def main():
    ak, sk, host, path, query = sys.argv[1:6]
    request = SdkRequest(
        method="GET",
        schema="http",
        host=host,
        resource_path=path,
        query_params=[tuple(pair) for pair in json.loads(query)],
        header_params={"Content-Type": "application/json"},
        body="",
    )
    signed = Signer(BasicCredentials(ak, sk)).sign(request)
    print(json.dumps({"uri": signed.uri, "headers": signed.header_params}))


if __name__ == "__main__":
    main()
