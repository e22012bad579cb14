# "npm ci": tools/npm-lite.js installs the vendored packages and runs
# their lifecycle scripts the way npm does (sh -c SCRIPT in the package).
node tools/npm-lite.js ci
ls node_modules
