# after_script: runs after step_script, in a shell of its own.
ls -la
make clean
