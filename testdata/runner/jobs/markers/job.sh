# markers: a job of "any CI", no runner structure at all: a plain bash
# script (record.sh runs `/usr/bin/bash /home/runner/work/_ci/job.sh` in
# the workspace, as root with the job's login uid) that marks its steps
# with `steptrail step NAME`.  @STEPTRAIL@ is the steptrail binary.
set -eu
export PATH=/usr/local/bin:/usr/bin:/bin

# Before the first marker: belongs to no step.
cp -R /home/runner/work/_seed/hello/. .

@STEPTRAIL@ step build
cc --version | head -n 1
make
# Started in build; its python3 -c runs 2 s later, while test runs: it
# still belongs to build, the step that started it.
( sleep 2; python3 -c 'print("late, from build")' ) &

@STEPTRAIL@ step test
make check
# A nested shell marks a step of its own: what it starts belongs to "unit
# tests", and the job's shell is still in test afterwards.
bash -c '@STEPTRAIL@ step "unit tests"; ./hello unit; python3 -c "print(\"unit tests\")"; true'
# The same, where the shell's last command replaces the shell (bash runs
# the last command of -c without a fork): python3 is this shell's own
# exec, after its marker.
bash -c '@STEPTRAIL@ step lint; python3 -c "print(\"lint\")"'
./hello test
# The build step's background process ends during test.
wait

@STEPTRAIL@ step --end
# After the end: belongs to no step.
python3 -c 'print("after the end")'
