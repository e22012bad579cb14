# lib.sh: what pre.sh, main.sh and post.sh share (sourced, not run).
#
# The action's logic lives in these sh scripts, not in JavaScript: run.js
# only starts them, so that they can be run and tested without a runner
# (tests/contrib.sh gives them a stand-in GitHub environment).  POSIX sh:
# the runner starts them with /bin/sh (dash on Ubuntu).

# input NAME: the action input NAME, blanks around it removed.  GitHub
# passes input fail-on as INPUT_FAIL-ON, which sh cannot read; run.js adds
# INPUT_FAIL_ON, and NAME is that spelling (FAIL_ON).
input() {
	eval "_in=\${INPUT_$1:-}"
	_in=${_in#"${_in%%[![:space:]]*}"}
	_in=${_in%"${_in##*[![:space:]]}"}
	printf '%s' "$_in"
}

# Workflow commands (annotations) carry the message after "::": a newline
# would end the command and let the rest start a new one, so %, CR and LF
# are escaped as the runner expects.
escape_data() {
	printf '%s' "$1" | awk 'BEGIN { ORS = "" }
	    { gsub(/%/, "%25"); gsub(/\r/, "%0D"); if (NR > 1) print "%0A"; print }'
}
annotate() {	# annotate error|warning|notice MESSAGE
	printf '::%s title=steptrail::%s\n' "$1" "$(escape_data "$2")"
}

# save NAME VALUE FILE: a NAME=VALUE line for the runner.  The one-line
# form cannot hold a newline; nothing saved here ever has one, but a path
# from an input could: refuse it rather than let it forge another entry.
save() {
	case $2 in
	*'
'*)
		annotate error "not saved: $1 holds a newline"
		return 1
		;;
	esac
	printf '%s=%s\n' "$1" "$2" >> "$3"
}
save_state() { save "$1" "$2" "$GITHUB_STATE"; }	# STATE_NAME for post.sh
set_output() { save "$1" "$2" "$GITHUB_OUTPUT"; }	# steps.ID.outputs.NAME

# need_runner_files VAR...: the files the runner gives every step
need_runner_files() {
	for _v in "$@"; do
		eval "_f=\${$_v:-}"
		if [ -z "$_f" ]; then
			annotate error "$_v is not set: this script runs as a GitHub Actions step (see contrib/github-action/README.md)"
			return 1
		fi
	done
}

# as_root COMMAND...: root is needed for kernel audit, apt-get and the
# system trail (/var/log/audit is root's).  A hosted runner's user may
# sudo anything; -E keeps GITHUB_STEP_SUMMARY and the GITHUB_* variables
# that steptrail reads its CI context from.
if [ "$(id -u)" = 0 ]; then
	SUDO=
else
	SUDO=sudo
fi
as_root() {
	if [ -n "$SUDO" ]; then
		sudo -E "$@"
	else
		"$@"
	fi
}

# check_fail_on: $fail_on from the fail-on input (default high); none is
# steptrail's older spelling of never.  Status 2 on anything else.
check_fail_on() {
	fail_on=$(input FAIL_ON)
	case ${fail_on:=high} in
	low | medium | high | critical | never) ;;
	none) fail_on=never ;;
	*)
		annotate error "fail-on: \"$fail_on\" is not low, medium, high, critical or never"
		return 2
		;;
	esac
}

# give_up FAIL_ON STATUS MESSAGE: the action could not do its job (not a
# finding, not a usage error).  It fails the step with STATUS, unless
# fail-on is never: then the action never fails the job, and says why as
# a warning.
give_up() {
	if [ "$1" = never ]; then
		annotate warning "$3 (fail-on is never: the job goes on)"
		return 0
	fi
	annotate error "$3"
	return "$2"
}
