# A rule of the step's own, added and removed: the kernel logs both.
auditctl -a always,exit -F arch=b64 -S getpid -F auid=1001 -k steptrail-tamper
auditctl -d always,exit -F arch=b64 -S getpid -F auid=1001 -k steptrail-tamper
