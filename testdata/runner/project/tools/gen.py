#!/usr/bin/env python3
"""Generate version.h from a config file: gen.py -c CONFIG [-o OUT]."""
import argparse
import configparser

ap = argparse.ArgumentParser()
ap.add_argument("-c", "--config", required=True)
ap.add_argument("-o", "--output", default="version.h")
args = ap.parse_args()
cfg = configparser.ConfigParser()
cfg.read(args.config)
v = cfg["version"]
with open(args.output, "w") as f:
    f.write('#define HELLO_VERSION "%s.%s.%s"\n' % (v["major"], v["minor"], v["patch"]))
print("wrote", args.output)
