# Clearing shell history: in a throwaway bash -c, and the CI user's
# history files under /home/runner (created here first).
bash -c 'history -c; unset HISTFILE; export HISTSIZE=0; true'
bash -c 'export HISTFILE=/dev/null; true'
touch ~/.bash_history
rm -f ~/.bash_history
echo 'ls # steptrail attack test' > ~/.bash_history
shred -u ~/.bash_history
bash -c 'ln -sf /dev/null ~/.bash_history'
rm -f ~/.bash_history
truncate -s 0 ~/.zsh_history
rm -f ~/.zsh_history
# Not a finding: reading the history variable.
bash -c 'echo "$HISTFILE" > /dev/null'
