# lib-tap.sh: what the TAP test scripts share (sourced, not run).
# tap_start NAME: a private scratch directory $tmp, removed on exit, and
# the test point counter; point ok|not-ok DESCRIPTION prints one point.
tap_start() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/steptrail-$1.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
	n=0
}

point() {	# point ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}
