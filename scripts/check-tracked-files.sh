#!/usr/bin/env bash
# Fails, naming each, when a file tracked by git (git ls-files) in the repository of the current
# directory should not be:
#   - a binary executable: ELF or Mach-O magic, or the executable bit (mode 100755) on a file that
#     is not a script starting with #!;
#   - a file over 1 MiB (1048576 bytes) outside any testdata/ directory.
# Mode and size are the index's (what a commit holds), the first bytes the work tree's (the same on
# a clean checkout). Exit status: 0 when none, 1 when some (listed on stderr), 2 when not in a git
# work tree.
set -euo pipefail
export LC_ALL=C # bytes, not characters

max_bytes=1048576

top=$(git rev-parse --show-toplevel 2>/dev/null) || {
	echo "check-tracked-files: not in a git work tree" >&2
	exit 2
}
cd "$top"

modes=() oids=() paths=()
# git ls-files -s -z: "<mode> <object> <stage>\t<path>\0".
while IFS= read -r -d '' entry; do
	meta=${entry%%$'\t'*}
	read -r mode oid _ <<<"$meta"
	[ "$mode" = 100644 ] || [ "$mode" = 100755 ] || continue # symlinks, submodules
	modes+=("$mode") oids+=("$oid") paths+=("${entry#*$'\t'}")
done < <(git ls-files -s -z)
[ ${#paths[@]} -gt 0 ] || exit 0
mapfile -t sizes < <(printf '%s\n' "${oids[@]}" | git cat-file --batch-check='%(objectsize)')
[ ${#sizes[@]} -eq ${#paths[@]} ] || {
	echo "check-tracked-files: git cat-file gave ${#sizes[@]} sizes for ${#paths[@]} files" >&2
	exit 2
}

bad=0
for i in "${!paths[@]}"; do
	path=${paths[$i]} mode=${modes[$i]} size=${sizes[$i]}
	head=""
	if [ -f "$path" ]; then
		IFS= read -r -n 4 -d '' head <"$path" || true # stops at a NUL byte: no magic below has one
	fi
	problems=""
	case $head in
	$'\x7fELF') problems="ELF executable" ;;
	$'\xfe\xed\xfa\xce' | $'\xfe\xed\xfa\xcf' | $'\xce\xfa\xed\xfe' | $'\xcf\xfa\xed\xfe' | $'\xca\xfe\xba\xbe')
		problems="Mach-O executable" ;;
	*) [ "$mode" = 100644 ] || [ "${head:0:2}" = "#!" ] || problems="executable bit set, but no #! script" ;;
	esac
	case "/$path" in
	*/testdata/*) ;;
	*) [ "$size" -le "$max_bytes" ] || problems="${problems:+$problems, }over 1 MiB" ;;
	esac
	if [ -n "$problems" ]; then
		bad=$((bad + 1))
		printf '%s: %s (%s bytes)\n' "$path" "$problems" "$size" >&2
	fi
done

if [ "$bad" -gt 0 ]; then
	echo "check-tracked-files: $bad tracked file(s) should not be in the repository: git rm --cached them (and add them to .gitignore), or move test data under a testdata/ directory" >&2
	exit 1
fi
