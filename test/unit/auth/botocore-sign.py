"""Signs requests with botocore, as the AWS CLI and boto3 do, and prints them as JSON.

Reads a JSON list of calls on stdin: {"service", "operation", "params", "region",
"signature_version"?, "presign"?: seconds, "addressing_style"?}. Each call is
captured just before it would be sent (nothing leaves the machine) and written
as {"method", "url", "headers", "body" (base64)}.
"""
import base64
import json
import sys

import boto3
from botocore.config import Config


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def capture(request, **kwargs):
    raise Captured(request)


def main():
    calls = json.load(sys.stdin)
    session = boto3.session.Session(aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2])
    out = []
    for call in calls:
        config = Config(
            signature_version=call.get("signature_version"),
            retries={"max_attempts": 0},
            s3={"addressing_style": call.get("addressing_style", "path")},
        )
        client = session.client(call["service"], region_name=call["region"], endpoint_url=call.get("endpoint", "http://localhost:4566"), config=config)
        if "presign" in call:
            url = client.generate_presigned_url(call["operation"], Params=call["params"], ExpiresIn=call["presign"], HttpMethod=call.get("http_method"))
            out.append({"method": call.get("http_method") or "GET", "url": url, "headers": {}, "body": ""})
            continue
        client.meta.events.register("before-send", capture)
        try:
            getattr(client, call["operation"])(**call["params"])
        except Captured as captured:
            r = captured.request
            body = r.body if isinstance(r.body, bytes) else (r.body or "").encode() if isinstance(r.body, str) else (r.body.read() if r.body else b"")
            out.append({"method": r.method, "url": r.url, "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in r.headers.items()}, "body": base64.b64encode(body).decode()})
    json.dump(out, sys.stdout)


main()
