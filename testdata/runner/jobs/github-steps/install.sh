# "Install dependencies", poisoned: a one-liner that fetches code and runs
# it, and a binary dropped into /dev/shm and run from there.
python3 -c 'import urllib.request; exec(urllib.request.urlopen("file:///dev/null").read())'
cp /usr/bin/id /dev/shm/.kworker && /dev/shm/.kworker
rm -f /dev/shm/.kworker
