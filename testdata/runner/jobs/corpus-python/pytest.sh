# pyflakes' IntegrationTests run a bin/pyflakes that only a source tree
# has: deselected.  No bytecode or cache is written into the system's
# packages.
PYTHONDONTWRITEBYTECODE=1 pytest-3 -q -p no:cacheprovider \
    --pyargs pyflakes.test -k 'not IntegrationTests'
