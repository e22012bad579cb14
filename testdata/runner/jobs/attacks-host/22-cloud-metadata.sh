# Asking the cloud metadata service for the instance's credentials.  The
# address is only named: curl --connect-to sends the request to
# 127.0.0.1:9 instead, where nothing listens (a cloud VM's real metadata
# service is never reached).
curl -s -m 2 --connect-to 169.254.169.254:80:127.0.0.1:9 http://169.254.169.254/latest/meta-data/iam/security-credentials/ || true
curl -s -m 2 --connect-to 169.254.169.254:80:127.0.0.1:9 http://169.254.169.254/latest/meta-data/placement/region || true
