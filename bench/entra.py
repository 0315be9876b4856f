"""Benchmark a full aws-token login at the sandbox's Entra tenant (password + TOTP) as a whole
process, and the same round trips made by a minimal keep-alive client (one connection to the app
link's host, one to the login host at localhost). Usage: python3 bench/entra.py URL BINARY [RUNS]
"""
import http.client, json, os, re, statistics, subprocess, sys, tempfile, time, urllib.parse
from fresh import count_round_trips, forget_all_but_pipeline

ROUND_TRIPS = count_round_trips()
import totp_users

url, binary, users_file = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 25
app = "8a3e5b7c-1d2f-4e6a-9b0c-7d5e3f1a2b4c"
link = f"/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={app}"
host = urllib.parse.urlparse(url)
password = "correct horse"
users = iter([(u["login"], u["methods"][0]["secret"]) for u in json.load(open(users_file))["entra"]["users"]
              if u["login"].startswith("bench")])


def user():
    """A tenant user not signed in as before, and its current code."""
    login, secret = next(users)
    return login, totp_users.code(secret)


def config_of(page):
    start = page.index("$Config=") + len("$Config=")
    return json.JSONDecoder().raw_decode(page[start:])[0]

def baseline(u):
    login, code = u
    front = http.client.HTTPConnection(host.hostname, host.port)
    ests = http.client.HTTPConnection("localhost", host.port)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    js = {"Content-Type": "application/json"}
    t0 = time.perf_counter()
    front.request("GET", link)
    page = front.getresponse().read().decode()
    nxt = urllib.parse.urlparse(re.search(r"window.location = '([^']+)'", page).group(1))
    ests.request("GET", nxt.path + "?" + nxt.query)
    c = config_of(ests.getresponse().read().decode())
    ests.request("POST", c["urlGetCredentialType"], json.dumps({"username": login, "isOtherIdpSupported": True,
                 "originalRequest": c["sCtx"], "flowToken": c["sFT"]}), {**js, "canary": c["apiCanary"]})
    t = json.loads(ests.getresponse().read())
    ests.request("POST", c["urlPost"], urllib.parse.urlencode({"canary": c["canary"], "flowToken": t["FlowToken"],
                 "ctx": c["sCtx"], "login": login, "loginfmt": login, "passwd": password}), form)
    c = config_of(ests.getresponse().read().decode())
    ests.request("POST", c["urlBeginAuth"], json.dumps({"AuthMethodId": "PhoneAppOTP", "Method": "BeginAuth",
                 "Ctx": c["sCtx"], "FlowToken": c["sFT"]}), js)
    b = json.loads(ests.getresponse().read())
    ests.request("POST", c["urlEndAuth"], json.dumps({"AuthMethodId": "PhoneAppOTP", "Method": "EndAuth", "Ctx": b["Ctx"],
                 "FlowToken": b["FlowToken"], "SessionId": b["SessionId"], "AdditionalAuthData": code, "PollCount": 1}), js)
    e = json.loads(ests.getresponse().read())
    assert e["Success"], e
    ests.request("POST", c["urlPost"], urllib.parse.urlencode({"flowToken": e["FlowToken"], "request": e["Ctx"],
                 "login": login}), form)
    c = config_of(ests.getresponse().read().decode())
    ests.request("POST", c["urlPost"], urllib.parse.urlencode({"flowToken": c["sFT"], "ctx": c["sCtx"], "LoginOptions": "1"}), form)
    r = ests.getresponse()
    page = r.read().decode()
    cookies = "; ".join(re.findall(r"((?:ESTSAUTH|ESTSAUTHPERSISTENT|buid)=[^;]+)", ", ".join(r.headers.get_all("Set-Cookie"))))
    action = urllib.parse.urlparse(re.search(r'action="([^"]+)"', page).group(1))
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    ests.request("POST", action.path, urllib.parse.urlencode(fields), {**form, "Cookie": cookies})
    saml = re.search(r'name="SAMLResponse" value="([^"]+)"', ests.getresponse().read().decode()).group(1)
    front.request("POST", "/sts", urllib.parse.urlencode({
        "Action": "AssumeRoleWithSAML", "Version": "2011-06-15", "DurationSeconds": "3600",
        "RoleArn": "arn:aws:iam::111111111111:role/Admin",
        "PrincipalArn": "arn:aws:iam::111111111111:saml-provider/AzureAD", "SAMLAssertion": saml}), form)
    assert b"AccessKeyId" in front.getresponse().read()
    elapsed = time.perf_counter() - t0
    front.close(); ests.close()
    return elapsed


home = tempfile.mkdtemp()
config = os.path.join(home, "config.json")
json.dump({"region": "us-east-1", "provider": "entra", "idpEntryUrl": url + link, "passwordHosts": ["localhost"],
           "defaultAccount": "prod",
           "accounts": {"prod": "111111111111"}}, open(config, "w"))
env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL_STS": url + "/sts",
       "AWS_TOKEN_PASSWORD": password, "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}


def one_login(u):
    login, code = u
    forget_all_but_pipeline(home)
    args = [binary, "--config", config, "--username", login, "--otp", code, "--role", "Admin",
            "--durationSeconds", "3600", "-q", "--force"]
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr.decode())
    return elapsed


one_login(user()); baseline(user())
tool, base = [], []
for _ in range(runs):
    tool.append(one_login(user()))
    base.append(baseline(user()))
ms = lambda xs: statistics.median(xs) * 1000
print(f"runs: {runs}, Entra ID password + TOTP")
print(f"aws-token whole process, median: {ms(tool):.1f} ms (min {min(tool)*1000:.1f}, max {max(tool)*1000:.1f})")
print(f"sandbox round trips (keep-alive client, {ROUND_TRIPS[0] // (runs + 1)} a login), median: {ms(base):.1f} ms")
print(f"difference of medians: {ms(tool) - ms(base):.1f} ms")
