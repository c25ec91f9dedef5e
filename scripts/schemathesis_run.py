"""The API contract step of `make test` (run by scripts/schemathesis.sh inside .venv-schemathesis).

1. Validates docs/openapi.yaml (openapi-spec-validator).
2. Makes a fresh server database with the CLI (two clinics, agents, numbers of every provider, a template), starts
   a real `.build/debug/inbox serve` on a free port, with a small provider stand-in for the Twilio Messages API and
   the patients' media files, and fills it through signed Twilio webhooks: patients, conversations, a stored
   attachment, one still pending (its download never finishes) and an agent's own uploaded file.
3. Runs schemathesis over the document twice with every check and a fixed seed: the agent API as a clinic's
   admin (examples, coverage, fuzzing and the stateful phase), then the webhooks with real provider signatures.
   Any failure or error fails the step.
Everything lives in one temporary directory; every process started here is stopped on the way out.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INBOX = os.environ.get("INBOX_BINARY") or os.path.join(ROOT, ".build", "debug", "inbox")
DOCUMENT = os.path.join(ROOT, "docs", "openapi.yaml")
VENV_BIN = os.path.dirname(sys.executable)
SEED = 20261202
# Per operation and phase; with the stateful phase the whole step stays well under three minutes on two cores.
MAX_EXAMPLES = int(os.environ.get("INBOX_ST_MAX_EXAMPLES", "50"))

TWILIO_SID = "ACschemathesis"
TWILIO_TOKEN = "schemathesis-twilio-token"
META_SECRET = "schemathesis-meta-secret"
META_VERIFY = "schemathesis-verify-token"
WAHA_KEY = "schemathesis-waha-key"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def log(message):
    print(f"schemathesis step: {message}", flush=True)


class Provider(BaseHTTPRequestHandler):
    """Twilio's Messages API (accepts every send) and the patients' media: /media/photo.png is served, a request
    for /media/never.pdf is held until the step ends, so that attachment stays pending."""
    sent = []
    release = threading.Event()

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/media/photo"):
            self._answer(200, "image/png", PNG)
        elif self.path.startswith("/media/never"):
            Provider.release.wait(600)
            self._answer(503, "text/plain", b"gone")
        else:
            self._answer(404, "text/plain", b"no")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        Provider.sent.append(form)
        sid = "SM" + uuid.uuid4().hex
        self._answer(201, "application/json", json.dumps({"sid": sid, "status": "queued"}).encode())

    def _answer(self, status, content_type, body):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Step:
    def __init__(self, workdir):
        self.workdir = workdir
        self.db = os.path.join(workdir, "inbox.sqlite")
        self.processes = []
        self.provider = None

    # Data -----------------------------------------------------------------------------------------------------
    def cli(self, *args):
        return run([INBOX, *args, "--db", self.db])

    def token(self, name, clinic, admin=False):
        output = self.cli("agent", "add", name, "--clinic", clinic, *(["--admin"] if admin else []))
        return output.strip().splitlines()[-1].strip()

    def seed_cli(self):
        self.tokens = {
            "ana": self.token("Ana Souza", "Clínica Norte", admin=True),
            "bea": self.token("Bea Lima", "Clínica Norte"),
            "caio": self.token("Caio Reis", "Clínica Sul", admin=True),
        }
        self.cli("number", "add", "+15550001111", "--clinic", "Clínica Norte")
        self.cli("number", "add", "+15550002222", "--clinic", "Clínica Sul")
        self.cli("number", "add", "+15550003333", "--clinic", "Clínica Norte", "--provider", "meta", "--ref", "100200300")
        self.cli("number", "add", "+15550004444", "--clinic", "Clínica Norte", "--provider", "waha", "--ref", "default")
        self.cli("template", "add", "appointment_reminder", "--clinic", "Clínica Norte", "--language", "en",
                 "--category", "utility", "--body", "Hello {{1}}, see you on {{2}}.")

    def start_provider(self):
        self.provider = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
        self.provider.daemon_threads = True
        threading.Thread(target=self.provider.serve_forever, daemon=True).start()
        self.provider_url = f"http://127.0.0.1:{self.provider.server_address[1]}"

    def start_server(self):
        env = dict(os.environ, TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
                   TWILIO_API_BASE=self.provider_url, META_APP_SECRET=META_SECRET, META_VERIFY_TOKEN=META_VERIFY,
                   WAHA_HMAC_KEY=WAHA_KEY, WAHA_BASE_URL=self.provider_url, INBOX_SHUTDOWN_DRAIN_MS="1000",
                   INBOX_LOG_LEVEL="debug")
        log_file = open(os.path.join(self.workdir, "server.log"), "w")
        server = subprocess.Popen([INBOX, "serve", "--db", self.db, "--port", "0"], cwd=self.workdir, env=env,
                                  stdout=subprocess.PIPE, stderr=log_file, text=True)
        self.processes.append(server)
        self.server_log = log_file.name
        line = server.stdout.readline()
        if "listening on" not in line:
            raise SystemExit(f"the server did not start: {line!r}\n{open(self.server_log).read()[-4000:]}")
        self.url = line.strip().rsplit(" ", 1)[-1]
        threading.Thread(target=server.stdout.read, daemon=True).start()
        log(f"server at {self.url}")

    def twilio(self, path, form):
        payload = self.url + path + "".join(k + v for k, v in sorted(form.items()))
        signature = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()
        status, body = request("POST", self.url + path, urllib.parse.urlencode(form).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        if status != 200:
            raise SystemExit(f"seeding webhook {form} got {status}: {body[:300]!r}")

    def api(self, method, path, body=None, token="ana", headers=None):
        all_headers = {"Authorization": f"Bearer {self.tokens[token]}", **(headers or {})}
        status, answer = request(method, self.url + path, body, all_headers)
        return status, answer

    def sync_all(self, token="ana"):
        status, body = self.api("GET", "/v1/sync?limit=10000", token=token)
        assert status == 200, (status, body)
        return json.loads(body)

    def seed_traffic(self):
        patients = [("+5511900000001", "Maria Silva", "+15550001111"), ("+5511900000002", "João Costa", "+15550001111"),
                    ("+5511900000003", "Rita Alves", "+15550001111"), ("+5511900000004", "Pedro Sul", "+15550002222")]
        for n, (phone, name, to) in enumerate(patients):
            self.twilio("/webhooks/twilio", {"MessageSid": f"SMseed{n}", "From": f"whatsapp:{phone}",
                                             "To": f"whatsapp:{to}", "Body": f"Olá, sou {name}", "ProfileName": name})
        media = {"NumMedia": "1", "MediaContentType0": "image/png"}
        self.twilio("/webhooks/twilio", {"MessageSid": "SMphoto", "From": "whatsapp:+5511900000001",
                                         "To": "whatsapp:+15550001111", "Body": "", **media,
                                         "MediaUrl0": self.provider_url + "/media/photo.png"})
        self.twilio("/webhooks/twilio", {"MessageSid": "SMphotoSul", "From": "whatsapp:+5511900000004",
                                         "To": "whatsapp:+15550002222", "Body": "", **media,
                                         "MediaUrl0": self.provider_url + "/media/photo.png"})
        self.twilio("/webhooks/twilio", {"MessageSid": "SMnever", "From": "whatsapp:+5511900000002",
                                         "To": "whatsapp:+15550001111", "Body": "", "NumMedia": "1",
                                         "MediaContentType0": "application/pdf",
                                         "MediaUrl0": self.provider_url + "/media/never.pdf"})
        # The patients' photo is stored, the PDF pending.
        deadline = time.monotonic() + 30
        while True:
            batch = self.sync_all()
            states = {m["providerMessageId"]: m["media"].get("state") for m in batch["messages"]
                      if "media" in m and "providerMessageId" in m}
            if states.get("SMphoto") == "stored" and states.get("SMnever") == "pending":
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"attachments did not settle: {states}")
            time.sleep(0.2)
        self.pending_id = next(m["id"] for m in batch["messages"] if m.get("providerMessageId") == "SMnever")
        conversation = next(m["conversationId"] for m in batch["messages"] if m.get("providerMessageId") == "SMphoto")
        # Ana uploads a file and sends it: the server gives Twilio a signed link to it.
        status, body = self.api("POST", "/v1/media", PNG, headers={"Content-Type": "image/png"})
        assert status == 201, (status, body)
        upload = json.loads(body)["uploadId"]
        status, body = self.api("POST", f"/v1/conversations/{conversation}/media",
                                json.dumps({"media": {"uploadId": upload, "fileName": "map.png", "caption": "Our address"}}).encode(),
                                headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        assert status == 200, (status, body)
        deadline = time.monotonic() + 30
        while not any("MediaUrl" in form for form in Provider.sent):
            if time.monotonic() > deadline:
                raise SystemExit("the agent's attachment was not delivered")
            time.sleep(0.2)
        link = next(form["MediaUrl"] for form in Provider.sent if "MediaUrl" in form)
        status, _ = request("GET", link)
        assert status == 200, ("signed link", link, status)
        # The signed link of the pending attachment, computed like the server does.
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
            secret = db.execute("SELECT value FROM server_meta WHERE key = 'media_link_secret'").fetchone()[0]
        signature = hmac.new(secret.encode(), f"media:{self.pending_id}".encode(), hashlib.sha256).hexdigest()
        status, _ = request("GET", f"{self.url}/media/{self.pending_id}/{signature}")
        assert status == 409, ("pending signed link", status)
        self.links = {"stored": link, "pending": f"{self.url}/media/{self.pending_id}/{signature}"}
        # Ids for the fuzzer to use besides the ones it makes up: Ana's clinic's, and the other clinic's (which must
        # stay invisible to her: 404).
        sul = self.sync_all("caio")
        self.conversation_ids = sorted({c["id"] for c in batch["conversations"]} | {c["id"] for c in sul["conversations"]})
        self.media_message_ids = sorted({m["id"] for m in batch["messages"] + sul["messages"] if "media" in m})
        log(f"seeded: {len(batch['conversations'])} conversations, {len(batch['messages'])} messages in Clínica Norte")

    def undocumented_routes(self):
        """Every route the server registered (its debug log lists them) must be an operation of the document."""
        import yaml
        with open(DOCUMENT) as handle:
            paths = yaml.safe_load(handle)["paths"]
        documented = {(method.upper(), path) for path, item in paths.items() for method in item
                      if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace")}
        line = next((line for line in open(self.server_log) if "routes: " in line), None)
        if line is None:
            return ["the server did not log its routes"]
        missing = []
        for route in line.split("routes: ", 1)[1].strip().split(", "):
            method, path = route.split(" ", 1)
            template = re.sub(r":(\w+)", r"{\1}", path)
            if "{action}" in template:
                # The commands share one route; the document names each action.
                pattern = re.escape(template).replace(re.escape("{action}"), "[a-z]+")
                found = any(m == method and re.fullmatch(pattern, p) for m, p in documented)
            else:
                found = (method, template) in documented
            if not found:
                missing.append(f"{method} {template}")
        return missing

    # schemathesis -----------------------------------------------------------------------------------------------
    def config(self, name, body):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as handle:
            handle.write(body)
        return path

    def schemathesis(self, label, config, *args):
        # No __pycache__ left in scripts/ by the hooks module.
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"), SCHEMATHESIS_HOOKS="schemathesis_hooks",
                   PYTHONDONTWRITEBYTECODE="1",
                   INBOX_ST_PUBLIC_URL=self.url, INBOX_ST_TWILIO_TOKEN=TWILIO_TOKEN, INBOX_ST_META_SECRET=META_SECRET,
                   INBOX_ST_WAHA_KEY=WAHA_KEY, INBOX_ST_SIGN="1")
        command = [os.path.join(VENV_BIN, "st"), "--config-file", config, "run", DOCUMENT, "--url", self.url,
                   "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--checks", "all", "--no-color",
                   "--workers", "1", *args]
        log(f"{label}: st run … {' '.join(args)}")
        started = time.monotonic()
        result = subprocess.run(command, cwd=self.workdir, env=env)
        log(f"{label}: exit {result.returncode} after {time.monotonic() - started:.0f} s")
        return result.returncode

    def stop(self):
        Provider.release.set()
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.provider:
            self.provider.shutdown()
            self.provider.server_close()


def validate_document():
    import yaml
    from openapi_spec_validator import validate
    with open(DOCUMENT) as handle:
        validate(yaml.safe_load(handle))
    log("docs/openapi.yaml is a valid OpenAPI 3.1 document")


def main():
    started = time.monotonic()
    validate_document()
    workdir = tempfile.mkdtemp(prefix="inbox-test-schemathesis-")
    step = Step(workdir)
    # SIGTERM (e.g. make interrupted) cleans up like a normal exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failed = []
    try:
        step.seed_cli()
        step.start_provider()
        step.start_server()
        step.seed_traffic()
        undocumented = step.undocumented_routes()
        if undocumented:
            log("served but not in docs/openapi.yaml: " + ", ".join(undocumented))
            failed.append("routes")
        else:
            log("every route the server serves is an operation of docs/openapi.yaml")
        media_id, media_signature = step.links["stored"].rsplit("/", 2)[-2:]
        api = step.config("api.toml", API_CONFIG.format(token=step.tokens["ana"], media_id=media_id,
                                                        media_signature=media_signature,
                                                        conversations=step.conversation_ids,
                                                        messages=step.media_message_ids))
        if step.schemathesis("agent API", api, "--exclude-tag", "webhooks") != 0:
            failed.append("agent API")
        hooks = step.config("webhooks.toml", WEBHOOK_CONFIG.format(verify=META_VERIFY))
        # No links lead from one webhook to another: no stateful phase here.
        if step.schemathesis("webhooks (signed)", hooks, "--include-tag", "webhooks",
                             "--phases", "examples,coverage,fuzzing") != 0:
            failed.append("webhooks")
    except BaseException:
        if os.path.exists(os.path.join(workdir, "server.log")):
            print(open(os.path.join(workdir, "server.log")).read()[-4000:], file=sys.stderr)
        raise
    finally:
        step.stop()
        if failed and os.path.exists(os.path.join(workdir, "server.log")):
            print("--- server log (end) ---\n" + open(os.path.join(workdir, "server.log")).read()[-3000:], file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"{'FAILED: ' + ', '.join(failed) if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


# Every check, every phase. Refusals no schema can express are accepted answers to schema-valid data, per operation:
# a cursor this server did not mint (410), bytes that are not the file type they claim (415), and the commands'
# 422s that depend on the conversation's state (closed, outside the window, another agent's, a template or
# upload the clinic does not have, an Idempotency-Key already used for another command).
ACCEPTED = '"2xx", "3xx", "401", "403", "404", "409", "429", "5xx"'
API_CONFIG = """
headers = {{ Authorization = "Bearer {token}" }}

[phases.stateful]
max-steps = 40

# Half the ids are real ones (both clinics'), half made up.
[dictionaries.conversations]
values = {conversations}
[dictionaries.messages]
values = {messages}

[[operations]]
include-path-regex = "^/v1/conversations/"
checks.positive_data_acceptance.expected-statuses = [ACCEPTED, "422"]
parameters = {{ "path.id" = {{ dictionary = "conversations", probability = 0.5 }} }}

[[operations]]
include-operation-id = "downloadMedia"
parameters = {{ "path.id" = {{ dictionary = "messages", probability = 0.5 }} }}

[[operations]]
include-operation-id = "sync"
checks.positive_data_acceptance.expected-statuses = [ACCEPTED, "410"]

[[operations]]
include-operation-id = "uploadMedia"
checks.positive_data_acceptance.expected-statuses = [ACCEPTED, "415"]

# The signed link of a stored attachment: without it every generated signature is a 404.
[[operations]]
include-operation-id = "providerMedia"
parameters = {{ "path.id" = {media_id}, "path.signature" = "{media_signature}" }}
""".replace("ACCEPTED", ACCEPTED)

WEBHOOK_CONFIG = """
[[operations]]
include-operation-id = "metaVerify"
parameters = {{ "query.hub.verify_token" = "{verify}" }}
"""

if __name__ == "__main__":
    sys.exit(main())
