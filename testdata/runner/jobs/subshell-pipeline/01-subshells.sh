echo "nested subshells around a pipeline"
( ( curl -s file:///etc/hostname | sh -c 'perl -e "print qq(x\n)"' ) ; true )
echo "a background subshell"
( sleep 0.2; python3 -c "print(2)" ) &
wait
echo "a shell function as a pipeline element"
f() { node -e 'console.log("y")'; echo done; }
f | cat
