#!/usr/bin/env python3
"""gen-recipes.py DIR [N]

Writes N (default 200) distinct, valid recipes into DIR, one file each
(DIR/gen_*.json), for bench/run's recipe-count arm: what analyze costs
with a large site library next to the built-in one.

The recipes look like ones a site would add: a tool's binary, a download
host, a tool started by a shell, an install script under a package manager,
a pipeline, a token on a command line, a connection to a port, a config
file written.  They cycle through those eight shapes, scopes (the process,
parent., ancestor., sibling.), events (exec, connect, file), `once`,
severities and techniques.  Every pattern names its own made-up tool, so no
two recipes share a compiled pattern; none of the tools occurs in the
benchmark's log, so the findings do not change, only the matching work.
Each has match and nomatch examples: `steptrail recipes lint DIR` checks
them all.  Deterministic: the same N gives the same files."""
import json
import os
import sys

HEADS = ["kube", "cloud", "git", "dev", "log", "sync", "pack", "deploy",
         "build", "data", "mesh", "edge", "vault", "relay", "trace"]
TAILS = ["ctl", "agent", "helper", "hook", "proxy", "tun", "scan", "dump",
         "push", "relay", "watch", "shim", "bot", "link"]
TECHNIQUES = ["T1105", "T1059.004", "T1552.001", "T1071.001", "T1543.002",
              "T1195.002", "T1041", "T1572"]
TACTICS = ["Command and Control", "Execution", "Credential Access",
           "Command and Control", "Persistence", "Initial Access",
           "Exfiltration", "Command and Control"]
SEVERITIES = ["low", "medium", "high", "critical"]
ONCE = ["event", "process", "exe", "step", "ancestry"]


def words(i):
    """Two distinct made-up tool names for recipe i (xgitdump, ...)."""
    n = len(HEADS) * len(TAILS)
    a, b = i % n, (i * 37 + 11) % n
    if b == a:
        b = (b + 1) % n

    def word(k):
        return "x" + HEADS[k // len(TAILS)] + TAILS[k % len(TAILS)]
    return word(a), word(b)


def exe_name(w1, w2, i):
    return {
        "match": {"exe": "(?:^|/)(?:%s|%s)(?:-v?[0-9.]+)?$" % (w1, w2)},
        "examples": {
            "match": [{"argv": [w1, "run"], "exe": "/usr/local/bin/" + w1},
                      {"argv": [w2 + "-1.2", "up"],
                       "exe": "/opt/%s/%s-1.2" % (w2, w2)}],
            "nomatch": ["make -j2", {"argv": [w1 + "d"],
                                     "exe": "/usr/bin/%sd" % w1}]},
        "what": "the %s or %s binary ran" % (w1, w2)}


def download_host(w1, w2, i):
    return {
        "match": {"exe": "(?:^|/)(?:curl|wget|aria2c)$",
                  "args": "(?i)https?://(?:[a-z0-9-]+\\.)*%s\\.(?:io|dev|sh)"
                          "(?:[/:\\s]|$)" % w1},
        "examples": {
            "match": ["curl -fsSL https://get.%s.io/install.sh" % w1,
                      "wget -q https://%s.dev/x" % w1],
            "nomatch": ["curl -fsSL https://example.com/%s.io" % w1,
                        "curl -fsSL https://get.%s.io/" % w2]},
        "what": "a download from %s's site" % w1}


def started_by_shell(w1, w2, i):
    return {
        "match": {"exe": "(?:^|/)%s$" % w1,
                  "parent.exe": "(?:^|/)(?:ba|da|z)?sh$"},
        "examples": {
            "match": [{"argv": [w1, "--daemon"], "exe": "/usr/bin/" + w1}],
            "nomatch": [{"argv": [w1, "--daemon"], "exe": "/usr/bin/" + w1,
                         "parent": "make all"}]},
        "what": "%s started straight from a shell" % w1}


def install_script(w1, w2, i):
    return {
        "match": {"exe": "(?:^|/)(?:python[0-9.]*|node|ruby)$",
                  "args": "(?:^|/)%s[-_]?(?:setup|install|postinstall)"
                          "\\.(?:py|js|rb)\\b" % w1,
                  "ancestor.exe": "(?:^|/)(?:npm|pip[0-9.]*|yarn|pnpm|gem)$"},
        "examples": {
            "match": [{"argv": ["node", w1 + "-install.js"],
                       "ancestors": ["npm install"]}],
            "nomatch": [{"argv": ["node", w1 + "-install.js"]},
                        {"argv": ["node", "install.js"],
                         "ancestors": ["npm install"]}]},
        "what": "%s's install script run by a package manager" % w1}


def pipeline(w1, w2, i):
    return {
        "match": {"exe": "(?:^|/)(?:ba|da|z)?sh$",
                  "sibling.cmdline": "\\b%s\\s+(?:\\S+\\s+)*?(?:export|dump|"
                                     "print-?env)\\b" % w1},
        "examples": {
            "match": [{"argv": ["sh"],
                       "siblings": ["%s export --all" % w1]}],
            "nomatch": [{"argv": ["sh"], "siblings": ["cat README"]},
                        {"argv": ["sh"], "siblings": ["%s list" % w1]}]},
        "what": "%s's export piped into a shell" % w1}


def token_arg(w1, w2, i):
    return {
        "match": {"cmdline": "(?i)\\b%s\\s+(?:\\S+\\s+)*?--(?:token|password"
                             "|secret)[=\\s]\\S+" % w1},
        "unless": [{"args": "(?:^|\\s)--dry-run(?:\\s|$)"}],
        "grade": [{"args": "\\bprod(?:uction)?\\b", "severity": "critical",
                   "reason": "a production credential"}],
        "examples": {
            "match": ["%s login --token=abc123" % w1,
                      {"argv": [w1, "push", "--env", "prod",
                                "--secret", "s3"],
                       "severity": "critical"}],
            "nomatch": ["%s login --token=abc123 --dry-run" % w1,
                        "%s login" % w1]},
        "what": "a credential on %s's command line" % w1}


def connect_port(w1, w2, i):
    port = 20000 + i * 7
    return {
        "on": "connect",
        "match": {"exe": "(?:^|/)%s$" % w1,
                  "port": "^(?:%d|%d)$" % (port, port + 1),
                  "family": "^inet6?$"},
        "examples": {
            "match": [{"argv": [w1], "exe": "/usr/bin/" + w1,
                       "event": {"syscall": "connect", "addr": "203.0.113.5",
                                 "port": port, "family": "inet"}}],
            "nomatch": [{"argv": [w1], "exe": "/usr/bin/" + w1,
                         "event": {"syscall": "connect",
                                   "addr": "203.0.113.5", "port": 443,
                                   "family": "inet"}}]},
        "what": "%s connected to its control port" % w1}


def config_write(w1, w2, i):
    return {
        "on": "file",
        "match": {"file": "^/etc/%s(?:/|\\.conf$)" % w1,
                  "syscall": "^(?:open|openat|creat|rename|renameat2?|"
                             "unlink|unlinkat)$"},
        "unless": [{"exe": "(?:^|/)(?:dpkg|apt-get)$"}],
        "examples": {
            "match": [{"argv": ["tee", "/etc/%s.conf" % w1],
                       "event": {"syscall": "openat",
                                 "file": "/etc/%s.conf" % w1}}],
            "nomatch": [{"argv": ["cat", "/etc/hosts"],
                         "event": {"syscall": "openat",
                                   "file": "/etc/hosts"}}]},
        "what": "%s's configuration written" % w1}


SHAPES = [exe_name, download_host, started_by_shell, install_script,
          pipeline, token_arg, connect_port, config_write]


def recipe(i):
    w1, w2 = words(i)
    shape = SHAPES[i % len(SHAPES)]	# and the technique and tactic
    body = shape(w1, w2, i)
    r = {
        "name": "gen_%s_%03d_%s" % (shape.__name__, i, w1),
        "description": "Generated for bench/run: " + body["what"],
        "severity": SEVERITIES[i // len(SHAPES) % len(SEVERITIES)],
        "technique": TECHNIQUES[i % len(TECHNIQUES)],
        "tactic": TACTICS[i % len(TACTICS)],
        "on": body.get("on", "exec"),
        "match": [dict(body["match"], reason=body["what"])],
        "once": ONCE[i // len(SHAPES) % len(ONCE)],
        "examples": body["examples"],
    }
    for k in ("unless", "grade"):
        if k in body:
            r[k] = body[k]
    if r["severity"] == "critical" and "grade" in r:
        r["severity"] = "high"		# so that the grade raises it
    return r


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen-recipes.py DIR [N]")
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 200
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        r = recipe(i)
        with open(os.path.join(out, r["name"] + ".json"), "w") as f:
            json.dump(r, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
