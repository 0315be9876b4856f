"""aws-token beside the tools users would pick instead, on the same login: password, one role, the
credentials file written, against the sandbox served over https (a generated CA the peers trust
through REQUESTS_CA_BUNDLE / AWS_CA_BUNDLE, aws-token through SSL_CERT_FILE), STS included.

Usage: python3 bench/compare.py SANDBOX_URL CA_FILE AWS_TOKEN_BINARY PEER_VENV ROUNDS SVG_OUT SANDBOX_LOG
So that the ratio is read honestly, it also reports each tool's bare start-up (`--version`, else
`--help`: the interpreter and imports a Python tool pays before any work) and the requests each
tool's login makes, counted in the sandbox's request log (SANDBOX_LOG, written when the sandbox
runs with AWS_TOKEN_SANDBOX_LOG_REQUESTS): discovery, extra STS calls and the like.
Tools alternate within each round (the order rotates), so a slow moment of the machine falls on all
of them. Wall time is whole process; peak RSS is GNU time's %M. A tool that cannot complete the
login against the sandbox is reported with the reason (a finding about the sandbox's fidelity too).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fresh import forget_all_but_pipeline

url, ca, aws_token, venv, rounds, svg_out, sandbox_log = sys.argv[1:8]
rounds = int(rounds)
host = url.removeprefix("https://")
app = url + "/home/amazon_aws/0oaawsdemo0000000001/272"
user, password = "bench@example.com", "correct horse"
role = "arn:aws:iam::111111111111:role/Admin"
work = tempfile.mkdtemp()


def home(name):
    h = os.path.join(work, name)
    os.makedirs(h, exist_ok=True)
    return h


def base_env(h):
    return {"HOME": h, "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "NO_COLOR": "1",
            "AWS_ENDPOINT_URL_STS": url + "/sts", "AWS_DEFAULT_REGION": "us-east-1",
            "REQUESTS_CA_BUNDLE": ca, "AWS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca}


def setup_aws_token():
    h = home("aws-token")
    with open(os.path.join(h, "config.json"), "w") as f:
        json.dump({"region": "us-east-1", "idpEntryUrl": app, "defaultAccount": "staging",
                   "accounts": {"staging": "111111111111"}}, f)
    env = dict(base_env(h), AWS_TOKEN_PASSWORD=password, AWS_TOKEN_KEYRING="file")
    # --force: log in every time (no kept profile), and no kept session: a first login of the day.
    args = [aws_token, "--config", os.path.join(h, "config.json"), "--username", user,
            "--role", "Admin", "--force", "-q"]
    reset = lambda: forget_all_but_pipeline(h)
    return env, args, os.path.join(h, ".aws/credentials"), reset


def setup_tokendito():
    h = home("tokendito")
    args = [f"{venv}/bin/tokendito", "--username", user, "--password", password, "--okta-tile", app,
            "--aws-role-arn", role, "--aws-profile", "bench", "--aws-region", "us-east-1"]
    return base_env(h), args, os.path.join(h, ".aws/credentials"), None


def setup_okta_awscli():
    h = home("okta-awscli")
    with open(os.path.join(h, ".okta-aws"), "w") as f:
        f.write(f"[default]\nbase-url = {host}\nusername = {user}\npassword = {password}\n"
                f"app-link = {app}\nrole = {role}\n")
    args = [f"{venv}/bin/okta-awscli", "--force", "--profile", "bench"]
    return base_env(h), args, os.path.join(h, ".aws/credentials"), None


def setup_aws_okta_processor():
    h = home("aws-okta-processor")
    # A credential_process tool: it prints the credentials (JSON) and writes no file of its own.
    args = [f"{venv}/bin/aws-okta-processor", "authenticate", "--no-okta-cache", "--no-aws-cache",
            "-u", user, "-p", password, "-o", host, "-a", app, "-r", role, "-R", "us-east-1"]
    return base_env(h), args, None, None


def setup_gimme():
    h = home("gimme-aws-creds")
    with open(os.path.join(h, ".okta_aws_login_config"), "w") as f:
        f.write(f"[DEFAULT]\nokta_org_url = {url}\nokta_auth_server =\nclient_id =\n"
                f"gimme_creds_server = appurl\naws_appname =\naws_rolename = {role}\n"
                f"write_aws_creds = True\ncred_profile = bench\nokta_username = {user}\n"
                f"app_url = {app}\nresolve_aws_alias = False\ninclude_path = False\n"
                f"preferred_mfa_type =\nremember_device = False\naws_default_duration = 3600\n"
                f"device_token =\noutput_format = export\nforce_classic = True\n")
    env = dict(base_env(h), OKTA_PASSWORD=password)
    args = [f"{venv}/bin/gimme-aws-creds", "--profile", "DEFAULT"]
    return env, args, os.path.join(h, ".aws/credentials"), None


tools = {
    "aws-token": setup_aws_token(),
    "okta-awscli": setup_okta_awscli(),
    "aws-okta-processor": setup_aws_okta_processor(),
    "gimme-aws-creds": setup_gimme(),
    "tokendito": setup_tokendito(),
}


def run(name):
    env, args, creds, reset = tools[name]
    if reset:
        reset()
    if creds and os.path.exists(creds):
        os.remove(creds)
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "RSS %M", *args], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    wall = time.perf_counter() - t0
    rss = int(p.stderr.strip().splitlines()[-1].split()[-1]) if "RSS " in p.stderr else 0
    ok = p.returncode == 0 and (creds is None and "AccessKeyId" in p.stdout or
                                creds is not None and os.path.exists(creds) and "aws_session_token" in open(creds).read())
    why = "" if ok else (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])
    if not ok:
        lines = [l for l in why if not l.startswith(("RSS ", "Command exited"))]
        why = f"exit {p.returncode}: " + (lines[-1] if lines else "no credentials written")
    return ok, wall, rss, why


def log_lines():
    with open(sandbox_log) as f:
        return [l.split("request ", 1)[1].strip() for l in f if " request " in l]


def kind(request):
    method, path = request.split(" ", 1)
    if path.startswith("/sts"):
        return "STS"
    if path.startswith("/.well-known"):
        return "discovery"
    if path.startswith("/api/v1/authn"):
        return "Authn API"
    if path.startswith("/api/v1/sessions") or path.startswith("/login/"):
        return "session"
    if path.startswith("/home/"):
        return "embed link"
    return path


working, failed, requests = [], {}, {}
for name in tools:
    before = len(log_lines())
    ok, _, _, why = run(name)  # warm-up, the check that the tool completes at all, and its requests
    made = [kind(r) for r in log_lines()[before:]]
    requests[name] = {k: made.count(k) for k in dict.fromkeys(made)}
    if ok:
        working.append(name)
    else:
        failed[name] = why


def startup(name):
    """Median wall time of the tool's bare start-up: --version, else --help."""
    env, args, _, _ = tools[name]
    for flag in ("--version", "--help"):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            p = subprocess.run([args[0], flag], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            times.append(time.perf_counter() - t0)
        if p.returncode == 0:
            return statistics.median(times), flag
    return None, None
if "aws-token" not in working:
    sys.exit("aws-token itself failed: " + failed.get("aws-token", "?"))

walls = {n: [] for n in working}
rsss = {n: [] for n in working}
for r in range(rounds):
    order = working[r % len(working):] + working[:r % len(working)]
    for name in order:
        ok, wall, rss, why = run(name)
        if not ok:
            sys.exit(f"{name} failed in round {r + 1}: {why}")
        walls[name].append(wall)
        rsss[name].append(rss)

ms = lambda xs: statistics.median(xs) * 1000
base = ms(walls["aws-token"])
print(f"{rounds} rounds, tools alternating; full https login (password, one role, STS, credentials written)\n")
print("| tool | wall median | min | max | peak RSS median | vs aws-token | bare start-up | login less start-up | requests per login |")
print("|---|---|---|---|---|---|---|---|---|")
for name in working:
    w = walls[name]
    up, flag = startup(name)
    up_text = f"{up*1000:.1f} ms ({flag})" if up is not None else "n/a"
    rest = f"{ms(w) - up*1000:.1f} ms" if up is not None else "n/a"
    made = ", ".join(f"{n} {k}" for k, n in requests[name].items())
    print(f"| {name} | {ms(w):.1f} ms | {min(w)*1000:.1f} ms | {max(w)*1000:.1f} ms | "
          f"{statistics.median(rsss[name])/1024:.1f} MiB | {ms(w)/base:.1f}x | {up_text} | {rest} | {made} |")
for name, why in failed.items():
    print(f"| {name} | could not complete against the sandbox: {why[:160]} | | | | |")
others = [ms(walls[n]) for n in working if n != "aws-token"]
if others:
    print(f"\naws-token is {min(others)/base:.0f}x faster than the fastest peer")

# The chart: horizontal bars of the wall-time medians (log scale would hide the point: linear).
width, bar, gap, left = 760, 28, 14, 170
height = 60 + len(working) * (bar + gap)
top = max(ms(walls[n]) for n in working)
scale = (width - left - 120) / top
rows = []
for i, name in enumerate(working):
    y = 40 + i * (bar + gap)
    v = ms(walls[name])
    colour = "#2b7a0b" if name == "aws-token" else "#7a7a7a"
    rows.append(f'<text x="{left - 10}" y="{y + bar * 0.7:.0f}" text-anchor="end">{name}</text>'
                f'<rect x="{left}" y="{y}" width="{max(v * scale, 1):.1f}" height="{bar}" fill="{colour}"/>'
                f'<text x="{left + max(v * scale, 1) + 8:.1f}" y="{y + bar * 0.7:.0f}">{v:.0f} ms</text>')
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="14">'
       f'<rect width="100%" height="100%" fill="white"/>'
       f'<text x="10" y="22" font-weight="bold">Full https login, whole process, median of {rounds} (lower is better)</text>'
       + "".join(rows) + "</svg>\n")
with open(svg_out, "w") as f:
    f.write(svg)
print(f"\nchart: {svg_out}")
