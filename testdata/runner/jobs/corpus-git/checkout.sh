# actions/checkout@v4 with submodules: true and persist-credentials (its
# default): the auth header it writes into the repository's config is a
# made-up token here (x-access-token:ghs_fake, base64).
echo "Syncing repository: acme/hello"
git version
git init "$GITHUB_WORKSPACE"
git remote add origin file:///home/runner/work/_seed/server/acme/hello.git
git config --local gc.auto 0
git config --local http.https://github.com/.extraheader \
    "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX2Zha2U="
git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules \
    --depth=1 origin +refs/heads/main:refs/remotes/origin/main
git checkout --progress --force -B main refs/remotes/origin/main
git submodule sync --recursive
git -c protocol.version=2 -c protocol.file.allow=always submodule update \
    --init --force --depth=1 --recursive
git submodule foreach --recursive 'git config --local gc.auto 0'
git log -1 --format='%H'
