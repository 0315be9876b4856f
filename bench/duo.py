"""Benchmark a full aws-token login with a Duo passcode against the sandbox (whole process), and
the same round trips made by a minimal keep-alive client (one connection to the org, one to Duo,
which answers at localhost). Usage: python3 bench/duo.py SANDBOX_URL AWS_TOKEN_BINARY [RUNS]
Every login signs in as a bench user (bench<i>@example.com, a copy of duo@) not used before.
"""
import http.client, json, os, re, statistics, subprocess, sys, tempfile, time, urllib.parse
from fresh import count_round_trips, forget_all_but_pipeline

ROUND_TRIPS = count_round_trips()

url, binary = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 25
app = "/home/amazon_aws/0oaawsdemo0000000001/272"
org = urllib.parse.urlparse(url)
password, passcode = "correct horse", "246810"
users = (f"bench{i}@example.com" for i in range(10_000))

def baseline(login):
    okta = http.client.HTTPConnection(org.hostname, org.port)
    duo = http.client.HTTPConnection("localhost", org.port)
    h = {"Content-Type": "application/json", "Accept": "application/json"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    t0 = time.perf_counter()
    okta.request("POST", "/api/v1/authn", json.dumps({"username": login, "password": password}), h)
    tx = json.loads(okta.getresponse().read())
    verify = urllib.parse.urlparse(tx["_embedded"]["factors"][0]["_links"]["verify"]["href"]).path
    okta.request("POST", verify, json.dumps({"stateToken": tx["stateToken"]}), h)
    nxt = urllib.parse.urlparse(json.loads(okta.getresponse().read())["_links"]["next"]["href"])
    okta.request("GET", nxt.path + "?" + nxt.query)
    r = okta.getresponse(); r.read()
    authz = urllib.parse.urlparse(r.getheader("Location"))
    duo.request("GET", authz.path + "?" + authz.query)
    r = duo.getresponse(); r.read()
    frameless = r.getheader("Location")
    duo.request("GET", frameless)
    page = duo.getresponse().read().decode()
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    duo.request("POST", frameless, urllib.parse.urlencode(fields), form)
    r = duo.getresponse(); r.read()
    duo.request("GET", r.getheader("Location"))
    page = duo.getresponse().read().decode()
    sid = re.search(r'name="sid" value="([^"]+)"', page).group(1)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    duo.request("POST", "/frame/prompt", urllib.parse.urlencode({
        "sid": sid, "_xsrf": xsrf, "factor": "Passcode", "device": "phone1",
        "passcode": passcode, "postAuthDestination": "OIDC_EXIT"}), form)
    txid = json.loads(duo.getresponse().read())["response"]["txid"]
    duo.request("POST", "/frame/v4/status", urllib.parse.urlencode({"txid": txid, "sid": sid}), form)
    assert json.loads(duo.getresponse().read())["response"]["status_code"] == "allow"
    duo.request("POST", "/frame/v4/oidc/exit", urllib.parse.urlencode({
        "txid": txid, "sid": sid, "factor": "Passcode", "_xsrf": xsrf, "device_key": "", "dampen_choice": "false"}), form)
    r = duo.getresponse(); r.read()
    back = urllib.parse.urlparse(r.getheader("Location"))
    okta.request("GET", back.path + "?" + back.query)
    r = okta.getresponse(); r.read()
    sid_cookie = re.search(r"(sid=[^;]+)", r.getheader("Set-Cookie")).group(1)
    okta.request("GET", app, headers={"Cookie": sid_cookie})
    saml = re.search(r'name="SAMLResponse" type="hidden" value="([^"]+)"', okta.getresponse().read().decode()).group(1)
    saml = re.sub(r"&#x([0-9a-f]+);", lambda m: chr(int(m.group(1), 16)), saml)
    okta.request("POST", "/sts", urllib.parse.urlencode({
        "Action": "AssumeRoleWithSAML", "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::111111111111:role/Admin",
        "PrincipalArn": "arn:aws:iam::111111111111:saml-provider/Okta", "SAMLAssertion": saml}), form)
    assert b"AccessKeyId" in okta.getresponse().read()
    elapsed = time.perf_counter() - t0
    okta.close(); duo.close()
    return elapsed


home = tempfile.mkdtemp()
config = os.path.join(home, "config.json")
json.dump({"region": "us-east-1", "idpEntryUrl": url + app, "defaultAccount": "staging",
           "accounts": {"staging": "111111111111"}}, open(config, "w"))
env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL_STS": url + "/sts",
       "AWS_TOKEN_PASSWORD": password, "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}


def one_login(login):
    forget_all_but_pipeline(home)
    args = [binary, "--config", config, "--username", login, "--mfa", "duo-passcode", "--otp", passcode,
            "--role", "Admin", "-q", "--force"]
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr.decode())
    return elapsed


one_login(next(users)); baseline(next(users))
tool, base = [], []
for _ in range(runs):
    tool.append(one_login(next(users)))
    base.append(baseline(next(users)))
ms = lambda xs: statistics.median(xs) * 1000
print(f"runs: {runs}, Duo passcode behind Okta Classic")
print(f"aws-token whole process, median: {ms(tool):.1f} ms (min {min(tool)*1000:.1f}, max {max(tool)*1000:.1f})")
print(f"sandbox round trips (keep-alive client, {ROUND_TRIPS[0] // (runs + 1)} a login), median: {ms(base):.1f} ms")
print(f"difference of medians: {ms(tool) - ms(base):.1f} ms")
