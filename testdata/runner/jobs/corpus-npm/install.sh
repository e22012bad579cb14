# No lock file: npm resolves the pinned versions of package.json and
# downloads them into a cache of its own (~/.npm: empty at job start).
# npm 11 runs a dependency's install scripts only if package.json's
# allowScripts names it: all four are.
npm install
npm ls --depth=0
