"""What the login benchmarks reset before each run: everything aws-token keeps in HOME's cache
directory (the kept IdP session, cached credentials, the profile record) except the Okta pipeline
learnt for the org, the org's last username and the roles it granted, which a user's later logins also
find remembered. Each run is then a full login as the first one of a day is, not the first one ever
(that one asks the org's well-known document too).
"""
import http.client
import os
import shutil


def count_round_trips():
    """Count every request made through http.client from now on (a minimal keep-alive client
    makes one round trip per request): the returned list's one item is the count."""
    count = [0]
    request = http.client.HTTPConnection.request

    def counted(self, *args, **kwargs):
        count[0] += 1
        return request(self, *args, **kwargs)

    http.client.HTTPConnection.request = counted
    return count


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
