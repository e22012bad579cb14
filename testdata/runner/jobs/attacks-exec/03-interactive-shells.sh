# Interactive shells with no terminal, each fed "exit" on stdin so that it
# ends at once; timeout is the safety net.
echo exit | timeout 10 python3 -c 'import pty; pty.spawn("/bin/sh")' || true
echo exit | timeout 10 script -qc /bin/sh /dev/null || true
echo exit | timeout 10 perl -e 'system("/bin/sh", "-i")' || true
echo exit | timeout 10 node -e 'require("child_process").spawnSync("/bin/sh", ["-i"], {stdio: "inherit"})' || true
# Benign look-alikes: an interactive shell given a command, a fake tty for a command.
bash -ic 'echo "bash -ic: hello"' < /dev/null || true
script -qec 'echo "script -c: hello"' /dev/null < /dev/null
