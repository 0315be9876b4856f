"""What the login benchmarks reset before each run: everything aws-token keeps in HOME's cache
directory (the kept IdP session, cached credentials, the profile record) except the Okta pipeline
learnt for the org, the org's last username and the roles it granted, which a user's later logins also
find remembered. Each run is then a full login as the first one of a day is, not the first one ever
(that one asks the org's well-known document too).
"""
import os
import shutil


def forget_all_but_pipeline(home):
    cache = os.path.join(home, ".cache", "aws-token")
    if not os.path.isdir(cache):
        return
    for name in os.listdir(cache):
        if name in ("pipelines.json", "usernames.json", "roles.json"):
            continue
        path = os.path.join(cache, name)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
