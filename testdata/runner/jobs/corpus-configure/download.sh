# The release tarball, unpacked into the workspace.
tar -xzf /home/runner/work/_seed/steptrail-*.tar.gz --strip-components=1
ls
