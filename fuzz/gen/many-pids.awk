# many-pids.awk: awk -v n=N [-v nodes=K] -f many-pids.awk > OUT.log
#
# N processes that never exit within the log: each is created by one
# clone record (exit = the child's pid) of its node's shell (pid 2), then
# an EOE, 100000 a second (a fork bomb, or an aggregated log of a busy
# fleet).  The kernel's pids stop at 4194304, so N distinct pids need
# several hosts: the log is that of K nodes (node=h0 ...; default 5), in
# turn, each numbering its serials from 1.  Nothing is idle for a day:
# only a bound on the process table keeps memory flat
# (tests/malformed.sh, bench/many-pids.sh).  mawk writes 1M processes
# (2M lines, 200 MB) in about a second.
BEGIN {
	if (nodes < 1)
		nodes = 5
	per = int((n + nodes - 1) / nodes)
	if (per > 4194300) {
		print "many-pids.awk: more than 4194300 pids a node" > "/dev/stderr"
		exit 1
	}
	for (i = 0; i < n; i++) {
		k = i % per
		h = sprintf("node=h%d type=%%s msg=audit(%d.%03d:%d):",
		    int(i / per), 1795400000 + int(i / 100000),
		    int(i / 100) % 1000, k + 1)
		printf(h " arch=c000003e syscall=56 success=yes exit=%d " \
		    "a0=1200011 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=1001 " \
		    "uid=1001 gid=1001 euid=1001 ses=3 comm=\"sh\" " \
		    "exe=\"/usr/bin/dash\" key=\"st-fork\"\n", "SYSCALL", k + 3)
		printf(h "\n", "EOE")
	}
}
