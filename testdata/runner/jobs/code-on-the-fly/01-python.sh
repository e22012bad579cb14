python3 -c 'import platform; print("python", platform.python_version())'
# Clustered flags: -B (no .pyc) then -c.
python3 -Bc 'print(sum(range(10)))'
