# A shell with a hostile name, run from a hidden directory of the
# workspace (exec_from_unusual_dir), in a working directory with a hostile
# name, with a hostile argument; it runs a program of that hidden
# directory, so that the hostile command line is in that one's ancestry
# too.  (No / in the names: no HTML closing tags.)
wd=$(printf 'wd\n::error::cwd|<b>cwd%%0A')
exe=$(printf 'x\033[2J\r\n::error::exe|<script>%%0A##[add-mask]z`q`')
mkdir -p "$wd/.hidden"
cp /bin/dash "$wd/.hidden/$exe"
cp /bin/true "$wd/.hidden/t"
cd "$wd"
"./.hidden/$exe" -c './.hidden/t' "$(printf 'arg | cell\n::notice::forged\033[8m')"
