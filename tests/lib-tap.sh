# lib-tap.sh: what the TAP test scripts share (sourced, not run).
# tap_start NAME: a private scratch directory $tmp, removed on exit, and
# the test point counter; point ok|not-ok DESCRIPTION prints one point;
# check DESCRIPTION COMMAND...: a point that the command succeeds, with
# what it printed shown when it does not.
tap_start() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/steptrail-$1.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
	n=0
}

point() {	# point ok|not-ok DESCRIPTION
	n=$((n + 1))
	# printf, not echo: dash's echo would turn a "\n" of the description
	# (a check on escaped output names one) into a new line
	if [ "$1" = ok ]; then
		printf 'ok %d - %s\n' "$n" "$2"
	else
		printf 'not ok %d - %s\n' "$n" "$2"
	fi
}

check() {	# check DESCRIPTION COMMAND...
	_desc=$1
	shift
	if "$@" > "$tmp/check.out" 2>&1; then
		point ok "$_desc"
	else
		point not-ok "$_desc"
		sed 's/^/# /' "$tmp/check.out" | head -30
	fi
}
