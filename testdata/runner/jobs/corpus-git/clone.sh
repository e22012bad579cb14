# Clones beside the workspace: by plain path (git's local clone: hard
# links, no transport) and by file:// (the transport, as for a remote),
# then fetches and checkouts of tags and branches.
cd ..
git clone /home/runner/work/_seed/server/acme/hello.git hello-path
git clone --branch feature \
    file:///home/runner/work/_seed/server/acme/hello.git hello-file
cd hello-file
git fetch --tags origin
git checkout v1.0
git checkout -b fix origin/main
git checkout feature
git -c protocol.file.allow=always submodule update --init
git branch -a
git tag -l
cd ../hello-path
git pull --ff-only
git log --oneline -3
