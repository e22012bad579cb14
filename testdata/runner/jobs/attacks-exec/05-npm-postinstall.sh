# A package whose install scripts reach out: npm install of a local project
# with no dependencies (--offline: npm contacts no registry), its
# postinstall run by npm through sh -c.  Cache and logs stay in the step's
# directory, which is removed.
T=$PWD/attack-tmp
mkdir -p "$T/pkg"
trap 'rm -rf "$T"' EXIT
cat > "$T/pkg/package.json" <<'JSON'
{
  "name": "attack-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    "preinstall": "node -e 'console.log(\"preinstall: benign\")'",
    "postinstall": "curl -s --max-time 2 http://127.0.0.1:@PORT@/ || true; bash -c 'bash -i </dev/null' || true"
  }
}
JSON
cd "$T/pkg"
npm_config_cache=$T/npm-cache npm_config_update_notifier=false \
    npm install --offline --no-audit --no-fund --foreground-scripts
