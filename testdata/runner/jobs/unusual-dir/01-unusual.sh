cp /bin/true /tmp/x
/tmp/x && echo "ran /tmp/x"
cp /bin/true /dev/shm/y
/dev/shm/y && echo "ran /dev/shm/y"
mkdir -p .cache-x
cp /bin/true .cache-x/tool
./.cache-x/tool && echo "ran .cache-x/tool"
printf '#!/bin/sh\necho "setup from /var/tmp"\n' > /var/tmp/setup.sh
chmod +x /var/tmp/setup.sh
/var/tmp/setup.sh
# The same script read by a shell rather than executed: exe and path are /bin/sh.
sh /var/tmp/setup.sh
rm -f /tmp/x /dev/shm/y /var/tmp/setup.sh
