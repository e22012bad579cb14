# What release and changelog steps ask of the checkout: the whole history
# (unshallow), tags, descriptions, diffs, an archive; then a clean tree.
git fetch --unshallow --tags origin
git log --oneline --graph --all --decorate
git describe --tags
git diff --stat v1.0 v1.1
git show --stat HEAD
git status --short
git rev-parse HEAD
git submodule status
git archive --format=tar.gz --prefix=hello/ -o ../hello.tar.gz HEAD
git clean -ffdx
git reset --hard HEAD
