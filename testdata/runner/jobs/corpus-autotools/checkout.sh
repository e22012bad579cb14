# What actions/checkout@v4 runs, its git commands in a run: step: a fresh
# repository in the workspace, a shallow fetch of the one commit, a
# checkout.  The "forge" is the bare repository record.sh seeded
# (steptrail's own, at HEAD).
echo "Syncing repository: acme/steptrail"
git version
git init "$GITHUB_WORKSPACE"
git remote add origin file:///home/runner/work/_seed/steptrail.git
git config --local gc.auto 0
git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules \
    --depth=1 origin +refs/heads/main:refs/remotes/origin/main
git checkout --progress --force -B main refs/remotes/origin/main
git log -1 --format='%H %s'
