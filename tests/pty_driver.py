"""Run a command in a pseudo-terminal and answer its prompts: argv is the command; TTY_ANSWERS is a
JSON list of [prompt text to wait for, keys to type]. Each prompt is looked for only in what the
terminal showed after the previous one, so a prompt asked again is waited for, not matched by its
first showing. Prints everything the terminal showed and exits with the command's exit code. Used by tests/tty.rs (named so as not to shadow Python's tty module)."""
import json
import os
import pty
import select
import sys
import time

answers = json.loads(os.environ.pop("TTY_ANSWERS"))
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
# Where the text after the last matched prompt starts.
pos = 0


def read(until=None, timeout=15.0):
    global seen, pos
    end = time.time() + timeout
    while until is None or until.encode() not in seen[pos:]:
        if time.time() > end:
            sys.stdout.write(seen.decode(errors="replace"))
            sys.exit(f"pty_driver.py: timed out waiting for {until!r}")
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            seen += data
    if until is not None:
        pos = seen.index(until.encode(), pos) + len(until.encode())


for prompt, keys in answers:
    read(prompt)
    time.sleep(0.05)
    os.write(fd, keys.encode())
read()
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
