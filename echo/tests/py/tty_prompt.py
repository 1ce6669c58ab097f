#!/usr/bin/env python3
"""Runs `certlab-echo serve …` on a pseudo-terminal, answers the key-password prompt, and
prints one JSON object: whether the prompt came, whether the password was echoed, and
whether the server went on to listen. Standard library only (pty).

usage: tty_prompt.py PASSWORD BIN ARGS...
"""
import json
import os
import pty
import select
import signal
import sys
import time


def read_until(fd, needle, deadline, buf):
    while needle not in buf and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk.decode("utf-8", "replace")
    return buf


def main():
    password, argv = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["RUST_LOG"] = "warn"
        os.execv(argv[0], argv)
    deadline = time.time() + 30
    out = read_until(fd, "Password for", deadline, "")
    prompted = "Password for" in out
    before = len(out)
    if prompted:
        time.sleep(0.2)  # let stty -echo take effect
        os.write(fd, (password + "\n").encode())
    out = read_until(fd, "listening wss://", deadline, out)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    print(json.dumps({
        "prompted": prompted,
        "echoed": password in out[before:],
        "listening": "listening wss://" in out,
        "transcript": out,
    }))


if __name__ == "__main__":
    main()
