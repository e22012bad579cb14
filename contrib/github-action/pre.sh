#!/bin/sh
# pre.sh: the action's pre step, before the job's first step: make sure
# auditd and steptrail are installed, then install steptrail's audit
# rules.  What it did goes to $GITHUB_STATE for post.sh (STATE_NAME
# there), and the rules state is saved before the rules go in, so that
# post.sh removes them even if this step dies half-way.
#
# Inputs (see action.yml): install-auditd, install-command, source, user,
# fail-on.  Exit: 0 capturing; 2 bad inputs; 1 anything else went wrong
# (0 with a warning when fail-on is never: the action never fails a job
# then, except on bad inputs).
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 1
# shellcheck source=contrib/github-action/lib.sh
. "$here/lib.sh"

need_runner_files GITHUB_STATE || exit 1
check_fail_on || exit 2
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

# main.sh sets up when this did not run (GitHub runs no pre step for a
# local action, uses: ./path): this file says that it did.
: > "$temp/steptrail-pre-ran"
save_state sudo "$SUDO"

export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {	# apt_install PACKAGE...: an image's package lists may be stale
	if [ -z "$apt_updated" ]; then
		as_root apt-get update -q || return 1
		apt_updated=1
	fi
	as_root apt-get install -y -q --no-install-recommends "$@"
}

# --- auditd: the registered audit daemon that receives the records
have_auditd() {
	PATH=$PATH:/usr/sbin:/sbin command -v auditd > /dev/null 2>&1
}
mode=$(input INSTALL_AUDITD)
case ${mode:-auto} in
true) need=1 ;;
false) need= ;;
auto) if have_auditd; then need=; else need=1; fi ;;
*)
	annotate error "install-auditd: \"$mode\" is not auto, true or false"
	exit 2
	;;
esac
if [ -n "$need" ]; then
	echo "::group::steptrail: installing auditd"
	apt_install auditd
	rc=$?
	echo "::endgroup::"
	[ "$rc" = 0 ] || { give_up "$fail_on" 1 "apt-get install auditd failed (exit $rc): no capture"; exit; }
	save_state auditd installed
else
	save_state auditd found
fi

# --- steptrail: the install command, the one on PATH, or built from source
# build_source DIR: the README's build, out of tree, installed in
# /usr/local (on PATH, and in sudo's secure_path)
build_source() {
	if [ ! -f "$1/configure.ac" ] || [ ! -f "$1/src/main.c" ]; then
		echo "steptrail: $1 is not steptrail's source tree" >&2
		return 1
	fi
	apt_install build-essential autoconf automake pkg-config \
	    libaudit-dev libauparse-dev libpcre2-dev libcjson-dev zlib1g-dev xz-utils ||
	    return 1
	if [ ! -x "$1/configure" ]; then
		(cd "$1" && autoreconf -fi) || return 1
	fi
	mkdir -p "$temp/steptrail-build" &&
	    cd "$temp/steptrail-build" &&
	    "$1/configure" --quiet &&
	    make -j"$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo 2)" &&
	    as_root make install
}
install_command=$(input INSTALL_COMMAND)
source_dir=$(input SOURCE)
if [ -n "$install_command" ]; then
	how=install-command
	echo "::group::steptrail: installing it (install-command)"
	sh -c "$install_command"
	rc=$?
elif [ -z "$source_dir" ] && command -v steptrail > /dev/null 2>&1; then
	how=path
	rc=0
else
	# the default source: this action's own repository (the runner
	# fetches all of it for uses: OWNER/steptrail/contrib/github-action@REF)
	how=source
	[ -n "$source_dir" ] || source_dir=$here/../..
	case $source_dir in
	/*) ;;
	*) source_dir=${GITHUB_WORKSPACE:-$(pwd)}/$source_dir ;;
	esac
	echo "::group::steptrail: building it from $source_dir"
	(build_source "$source_dir")
	rc=$?
fi
[ "$how" = path ] || echo "::endgroup::"
if [ "$rc" != 0 ]; then
	give_up "$fail_on" 1 "could not install steptrail ($how, exit $rc): no capture"
	exit
fi
if ! steptrail=$(command -v steptrail); then
	give_up "$fail_on" 1 "steptrail is not on PATH after its installation ($how): no capture"
	exit
fi
save_state installed_by "$how"
save_state steptrail "$steptrail"
echo "steptrail: $("$steptrail" version 2> /dev/null || echo '(no version)') at $steptrail ($how)"

# --- the rules
user=$(input USER)
[ -n "$user" ] || user=$(id -un)
# Saved first: if this step is killed inside rules install, post.sh still
# removes what got in (remove without a saved state removes only ours).
save_state rules installing
as_root "$steptrail" rules install --user "$user"
rc=$?
if [ "$rc" != 0 ]; then
	give_up "$fail_on" 1 "steptrail rules install failed (exit $rc): no capture (see its message above)"
	exit
fi
save_state rules installed
echo "steptrail: capturing; the report comes in the post step, at the end of the job"
