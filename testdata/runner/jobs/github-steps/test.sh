# Test: make check runs ./hello (once through sh -c, for a redirection)
# and grep.
make check
