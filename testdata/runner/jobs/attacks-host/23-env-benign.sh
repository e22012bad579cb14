# The benign look-alikes of step 6: printing the environment, in a step
# that also downloads something (to 127.0.0.1:9): a curl that does not
# read stdin is no pipe's other end.  No finding.
curl -fsS -m 2 -o /dev/null http://127.0.0.1:9/tool.tgz || true
env | sort > /dev/null
printenv PATH > /dev/null
env
