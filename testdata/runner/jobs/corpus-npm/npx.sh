# A tool run with npx, fetched from the registry now: is this node recent
# enough?
v=$(node --version)
npx --yes semver@7.7.1 --range '>=18' "${v#v}"
