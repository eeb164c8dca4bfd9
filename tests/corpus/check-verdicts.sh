#!/usr/bin/env bash
# check-verdicts.sh OUTDIR — after generate.sh OUTDIR, check that the
# installed Go's reader (`go tool trace -d=parsed`) accepts every generated
# trace and gives the verdict truncated.txt records for each truncated copy.
# Exit 1 on any mismatch. Guards the corpus itself, not the C++ reader.
set -euo pipefail
if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
dir=$1
export GOTOOLCHAIN=local
unset GODEBUG
bad=0
verdict() {
	if go tool trace -d=parsed "$1" >/dev/null 2>&1; then echo accept; else echo reject; fi
}
for f in "$dir"/*.trace; do
	name=$(basename "$f")
	case "$name" in
	truncated-*)
		want=$(awk -v n="$name" '$1 == n { print $3 }' "$dir/truncated.txt")
		;;
	*) want=accept ;;
	esac
	got=$(verdict "$f")
	if [ "$got" != "$want" ]; then
		echo "MISMATCH $name: want $want, go tool trace says $got"
		bad=1
	else
		echo "ok $name $got"
	fi
done
exit $bad
