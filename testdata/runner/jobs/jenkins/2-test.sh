# sh step 2: test, and a poisoned line: python3 -c.
make check
python3 -c 'import os; print(sorted(k for k in os.environ if "TOKEN" in k or "COOKIE" in k))'
