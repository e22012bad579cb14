# Build: make runs cc for the three objects and the link.
make
