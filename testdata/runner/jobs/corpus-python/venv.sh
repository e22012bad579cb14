python3 -m venv .venv
.venv/bin/python -m pip --version
.venv/bin/python -c 'import sys; print(sys.prefix)'
