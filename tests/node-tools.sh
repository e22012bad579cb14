#!/bin/sh
# node-tools.sh DIR: install into DIR the npm tools that tests/formats.sh
# reads the reports with, as their consumers would:
#   - Microsoft's SARIF Multitool, whose `validate` checks the SARIF report
#     against the schema and the SARIF rules (GitHub's among them);
#   - markdown-it, a CommonMark renderer with GFM tables, for the GitHub
#     job summary.
# Pinned versions, from the npm registry (the one registry, with Debian's,
# that CI may download from).  .ci/run calls it; so can you:
#   sh tests/node-tools.sh ~/.cache/steptrail-node-tools
#   make check STEPTRAIL_NODE_TOOLS=~/.cache/steptrail-node-tools
set -eu
dir=${1:?usage: node-tools.sh DIR}
mkdir -p "$dir"
npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$dir" \
    @microsoft/sarif-multitool@5.7.0 markdown-it@14.1.0 >/dev/null
# npm 11 does not run the package's postinstall (chmod u+x): do it here
chmod u+x "$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
echo "node-tools.sh: installed in $dir"
