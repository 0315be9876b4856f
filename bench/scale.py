"""The growth measurements of bench/scale.sh: login cost against role count and credentials-file size.
Usage: python3 bench/scale.py AWS_TOKEN_BINARY SANDBOX_URL WORK_DIR RUNS"""
import json
import os
import statistics
import subprocess
import sys
import time
from fresh import forget_all_but_pipeline

binary, url, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = "/home/amazon_aws/0oaawsdemo0000000001/272"


def world(name):
    home = os.path.join(work, name)
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "config.json")
    with open(config, "w") as f:
        json.dump({"region": "us-east-1", "idpEntryUrl": url + app, "defaultAccount": "staging",
                   "accounts": {"staging": "111111111111"}}, f)
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_STS": url + "/sts",
           "AWS_TOKEN_PASSWORD": "correct horse", "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}
    return home, config, env


def median_ms(args, env, before=None):
    times, last = [], None
    for i in range(runs + 1):
        if before:
            before()
        t0 = time.perf_counter()
        p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        last = p
        if i:
            times.append(dt)
    return statistics.median(times) * 1000, last


print("| roles in the assertion | `roles` (no STS) | full login |")
print("|---|---|---|")
for n in (1, 10, 100, 1000):
    home, config, env = world(f"roles{n}")
    user = f"roles{n}@example.com"
    # No kept session: each run signs in with the password, as a first login of the day does.
    forget = lambda home=home: forget_all_but_pipeline(home)
    refused = lambda r: "refused: " + r.stderr.decode().strip().split("error: ")[-1][:90]
    roles_ms, r = median_ms([binary, "--config", config, "--username", user, "roles"], env, forget)
    roles = f"{roles_ms:.1f} ms" if r.returncode == 0 else f"{roles_ms:.1f} ms, " + refused(r)
    login_ms, r = median_ms([binary, "--config", config, "--username", user, "--role", "Role0000", "--force", "-q"], env, forget)
    login = f"{login_ms:.1f} ms" if r.returncode == 0 else f"{login_ms:.1f} ms, " + refused(r)
    print(f"| {n} | {roles} | {login} |")

print()
print("| profiles in the credentials file | file size | full login |")
print("|---|---|---|")
for n in (1, 100, 10000):
    home, config, env = world(f"profiles{n}")
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    creds = os.path.join(home, ".aws", "credentials")
    text = "".join(f"[p{i}]\naws_access_key_id = AKIA{i:016d}\naws_secret_access_key = {'s' * 40}\n\n" for i in range(n))
    def reset():
        with open(creds, "w") as f:
            f.write(text)
        forget_all_but_pipeline(home)
        # Written back before the run: aws-token's fsync must not pay for this script's write.
        os.sync()
    ms, r = median_ms([binary, "--config", config, "--username", "nomfa@example.com", "--role", "Admin", "-q"], env, reset)
    assert r.returncode == 0, r.stderr.decode()
    print(f"| {n} | {len(text) / 1024:.0f} KiB | {ms:.1f} ms |")
