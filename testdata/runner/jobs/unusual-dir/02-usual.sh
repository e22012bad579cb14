# A tool built in the workspace and run from there.
printf '#include <stdio.h>\nint main(void){puts("mytool ok");return 0;}\n' > mytool.c
cc -O2 -o mytool mytool.c
./mytool
# npm's bin links: a hidden directory every JavaScript build has.
mkdir -p node_modules/.bin
printf '#!/bin/sh\necho "eslint: 0 problems"\n' > node_modules/.bin/eslint
chmod +x node_modules/.bin/eslint
./node_modules/.bin/eslint
# The CI configuration directory.
mkdir -p .github/scripts
printf '#!/bin/sh\necho "ci check ok"\n' > .github/scripts/check.sh
chmod +x .github/scripts/check.sh
.github/scripts/check.sh
