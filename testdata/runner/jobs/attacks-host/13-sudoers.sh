# A sudoers drop-in, as nobody (refused).  Only the file watch (key
# steptrail-sudoers) can see this: there is no exec recipe for it.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
echo 'runner ALL=(ALL) NOPASSWD:ALL' | $NOBODY tee /etc/sudoers.d/steptrail-attack > /dev/null 2>&1 || true
$NOBODY bash -c "echo 'runner ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers" 2>/dev/null || true
