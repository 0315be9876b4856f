"""Benchmark one full aws-token login (password + TOTP + STS + credentials file write) against the
sandbox, as a whole process, and the same HTTP round trips made by a minimal keep-alive client.

Usage: python3 bench/login.py SANDBOX_URL AWS_TOKEN_BINARY USERS_JSON [RUNS] [classic|idx]
Every login (aws-token's and the minimal client's) signs in as a bench user of USERS_JSON not used
before, with a fresh TOTP code (bench/totp_users.py): the sandbox refuses a code used once.
With idx the sandbox is an Identity Engine org (started with --identity-engine) and the minimal
client walks the IDX API as aws-token does. Prints medians, the difference, and aws-token's peak RSS, measured in separate runs under GNU time
(wait4's rusage of a child forked from Python would count Python's own pages).
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from fresh import forget_all_but_pipeline
import totp_users

url, binary, users_file = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 25
pipeline = sys.argv[5] if len(sys.argv) > 5 else "classic"
app = "/home/amazon_aws/0oaawsdemo0000000001/272"
host = urllib.parse.urlparse(url)
password = "correct horse"


fresh_users = iter(totp_users.users(users_file))


def next_user():
    """A user not signed in as before, and its current code."""
    login, secret = next(fresh_users)
    return login, totp_users.code(secret)


def baseline(user):
    """The sandbox's own round trips: authn, factor verify, embed link, AssumeRoleWithSAML."""
    login, code = user
    c = http.client.HTTPConnection(host.hostname, host.port)
    h = {"Content-Type": "application/json", "Accept": "application/json"}
    t0 = time.perf_counter()
    c.request("POST", "/api/v1/authn", json.dumps({"username": login, "password": password}), h)
    tx = json.loads(c.getresponse().read())
    verify = urllib.parse.urlparse(tx["_embedded"]["factors"][0]["_links"]["verify"]["href"]).path
    c.request("POST", verify, json.dumps({"stateToken": tx["stateToken"], "passCode": code}), h)
    st = json.loads(c.getresponse().read())["sessionToken"]
    c.request("GET", app + "?sessionToken=" + st)
    assume(c, saml_from(c.getresponse().read().decode()))
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed


def saml_from(page):
    saml = re.search(r'name="SAMLResponse" type="hidden" value="([^"]+)"', page).group(1)
    return re.sub(r"&#x([0-9a-f]+);", lambda m: chr(int(m.group(1), 16)), saml)


def assume(c, saml):
    body = urllib.parse.urlencode({
        "Action": "AssumeRoleWithSAML", "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::111111111111:role/Admin",
        "PrincipalArn": "arn:aws:iam::111111111111:saml-provider/Okta",
        "SAMLAssertion": saml,
    })
    c.request("POST", "/sts", body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert b"AccessKeyId" in c.getresponse().read()


def baseline_idx(user):
    """The Identity Engine's round trips: embed link (302), sign-in page, introspect, identify,
    password, code, success-redirect (302, sets sid), embed link with the session, STS."""
    login, code = user
    c = http.client.HTTPConnection(host.hostname, host.port)
    ion = {"Content-Type": "application/ion+json; okta-version=1.0.0", "Accept": "application/ion+json; okta-version=1.0.0"}
    t0 = time.perf_counter()
    c.request("GET", app)
    r = c.getresponse(); r.read()
    c.request("GET", r.getheader("Location"))
    page = c.getresponse().read().decode()
    token = re.search(r"var stateToken = '([^']*)'", page).group(1).replace("\\x2D", "-")

    def post(path, body):
        c.request("POST", path, json.dumps(body), ion)
        return json.loads(c.getresponse().read())
    a = post("/idp/idx/introspect", {"stateToken": token})
    a = post("/idp/idx/identify", {"identifier": login, "stateHandle": a["stateHandle"]})
    a = post("/idp/idx/challenge/answer", {"credentials": {"passcode": password}, "stateHandle": a["stateHandle"]})
    a = post("/idp/idx/challenge/answer", {"credentials": {"passcode": code}, "stateHandle": a["stateHandle"]})
    done = urllib.parse.urlparse(a["success"]["href"])
    c.request("GET", done.path + "?" + done.query)
    r = c.getresponse(); r.read()
    # The session is the sid and the idx cookie together, as at an Identity Engine org.
    cookies = "; ".join(re.findall(r"((?:sid|idx)=[^;]+)", ", ".join(r.headers.get_all("Set-Cookie"))))
    c.request("GET", r.getheader("Location"), headers={"Cookie": cookies})
    assume(c, saml_from(c.getresponse().read().decode()))
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed


def login_env(home):
    # The kept session goes to a file that each run removes first: every run is a full login.
    return {"HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL_STS": url + "/sts",
            "AWS_TOKEN_PASSWORD": password, "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}


def login_args(config, user):
    # --force: no skipping while the profile written by the previous run is valid.
    login, code = user
    return [binary, "--config", config, "--username", login, "--otp", code, "--role", "Admin", "-q", "--force"]


def one_login(home, config, user):
    env, args = login_env(home), login_args(config, user)
    forget_all_but_pipeline(home)
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr.decode())
    return elapsed


def peak_rss_kib(env, args):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *args], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


home = tempfile.mkdtemp()
config = os.path.join(home, "config.json")
with open(config, "w") as f:
    json.dump({"region": "us-east-1", "idpEntryUrl": url + app, "defaultAccount": "staging",
               "accounts": {"staging": "111111111111"}}, f)

if pipeline == "idx":
    baseline = baseline_idx
tool, base, rss = [], [], []
one_login(home, config, next_user())  # warm-up: page cache, first file creation, the pipeline learnt
baseline(next_user())
for _ in range(runs):
    tool.append(one_login(home, config, next_user()))
    base.append(baseline(next_user()))
# Peak RSS of full logins too (the kept session cleared before each, as for the timings).
for _ in range(5):
    forget_all_but_pipeline(home)
    rss.append(peak_rss_kib(login_env(home), login_args(config, next_user())))

ms = lambda xs: statistics.median(xs) * 1000
print(f"runs: {runs}, Okta pipeline: {pipeline}")
print(f"aws-token whole process, median: {ms(tool):.1f} ms (min {min(tool)*1000:.1f}, max {max(tool)*1000:.1f})")
print(f"sandbox round trips (keep-alive client, in-process), median: {ms(base):.1f} ms")
print(f"difference of medians: {ms(tool) - ms(base):.1f} ms")
print(f"aws-token peak RSS (GNU time, 5 runs): max {max(rss)/1024:.1f} MiB, median {statistics.median(rss)/1024:.1f} MiB")
