python3 --version
/usr/bin/python3 --version
pytest-3 --version
