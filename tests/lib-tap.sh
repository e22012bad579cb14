# lib-tap.sh: what the TAP test scripts share (sourced, not run).
# tap_start NAME: a private scratch directory $tmp, removed on exit, and
# the test point counter; point ok|not-ok DESCRIPTION prints one point;
# check DESCRIPTION COMMAND...: a point that the command succeeds, with
# what it printed shown when it does not; same_as VAR=VALUE DESCRIPTION
# ARGS...: a point that `steptrail analyze ARGS` (in $dir) gives the same
# output and exit status with VAR=VALUE as without (the exit 1 at most,
# or $same_max).
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

same_as() {	# same_as VAR=VALUE DESCRIPTION ARGS...
	_env=$1
	_d=$2
	shift 2
	(cd "$dir" && env "$_env" "$STEPTRAIL" analyze "$@") \
	    > "$tmp/with.out" 2> "$tmp/with.err"
	_r1=$?
	(cd "$dir" && "$STEPTRAIL" analyze "$@") \
	    > "$tmp/without.out" 2> "$tmp/without.err"
	_r2=$?
	# 0 or 1 (findings), or up to $same_max: a usage error (2)
	# compares nothing, unreadable input (3) is compared when asked
	if [ $_r1 -le "${same_max:-1}" ] && [ $_r1 = $_r2 ] &&
	    cmp -s "$tmp/with.out" "$tmp/without.out" &&
	    cmp -s "$tmp/with.err" "$tmp/without.err"; then
		point ok "$_d (exit $_r1)"
	else
		point not-ok "$_d: exit $_r1 with $_env, $_r2 without"
		diff "$tmp/with.out" "$tmp/without.out" | head -20 |
		    sed 's/^/# /'
		diff "$tmp/with.err" "$tmp/without.err" | head -5 |
		    sed 's/^/# /'
	fi
}
