"""schemathesis hooks for scripts/schemathesis_run.py: webhook requests carry a real provider signature.

A generated signature header is replaced, once the request's final URL and body are known, by the one the
provider would send: Twilio's X-Twilio-Signature (HMAC-SHA1 of the URL and the sorted form parameters), Meta's
X-Hub-Signature-256 (HMAC-SHA256 of the raw body) and WAHA's X-Webhook-Hmac (HMAC-SHA512 of the raw body). A
request the fuzzer sends without the header (a negative case) keeps it missing, so refusals are tested too.
The secrets come from the environment the runner sets (INBOX_ST_TWILIO_TOKEN, INBOX_ST_META_SECRET,
INBOX_ST_WAHA_KEY, INBOX_ST_PUBLIC_URL).
"""
import base64
import hashlib
import hmac
import os
from urllib.parse import parse_qsl, urlsplit

import requests
import schemathesis


def _body(request: requests.PreparedRequest) -> bytes:
    body = request.body or b""
    return body.encode() if isinstance(body, str) else body


class ProviderSigner(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        headers = request.headers
        if "X-Twilio-Signature" in headers:
            parts = urlsplit(request.url)
            # The server signs its public URL and the request target; the fuzzer sends to the same host.
            url = os.environ["INBOX_ST_PUBLIC_URL"] + parts.path + (f"?{parts.query}" if parts.query else "")
            try:
                params = parse_qsl(_body(request).decode(), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                params = []
            payload = url + "".join(name + value for name, value in sorted(params))
            mac = hmac.new(os.environ["INBOX_ST_TWILIO_TOKEN"].encode(), payload.encode(), hashlib.sha1).digest()
            headers["X-Twilio-Signature"] = base64.b64encode(mac).decode()
        if "X-Hub-Signature-256" in headers:
            mac = hmac.new(os.environ["INBOX_ST_META_SECRET"].encode(), _body(request), hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = "sha256=" + mac
        if "X-Webhook-Hmac" in headers:
            headers["X-Webhook-Hmac"] = hmac.new(os.environ["INBOX_ST_WAHA_KEY"].encode(), _body(request),
                                                 hashlib.sha512).hexdigest()
        return request


@schemathesis.hook
def before_call(context, case, kwargs):
    if os.environ.get("INBOX_ST_SIGN") == "1" and case.operation.path.startswith("/webhooks/"):
        kwargs["auth"] = ProviderSigner()
