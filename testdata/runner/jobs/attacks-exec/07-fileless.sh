# Fileless execution: /bin/true run from a memfd, from a deleted file through
# /dev/fd, from a deleted file through execveat, and a script from a pipe.
# memfd_create is logged only with rules.d/50-steptrail-inject.rules.
T=$PWD/attack-tmp
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
python3 -c 'import os; fd = os.memfd_create("payload"); os.write(fd, open("/bin/true", "rb").read()); os.execve(fd, ["payload"], {})'
cp /bin/true "$T/x"
( exec 3< "$T/x"; rm -f "$T/x"; /dev/fd/3 )
cp /bin/true "$T/y"
python3 -c "import os; fd = os.open('$T/y', os.O_RDONLY); os.unlink('$T/y'); os.execve(fd, ['y'], {})"
bash <(printf 'echo "a script from a pipe"\n')
