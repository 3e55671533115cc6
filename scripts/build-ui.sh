#!/usr/bin/env bash
# Rebuild the web front end (ui/) into ui/dist, which is committed and
# embedded by package ui, so that `go build` needs no Node.
#
#   scripts/build-ui.sh                 install ui/'s locked packages if needed (npm ci) and build
#   scripts/build-ui.sh --check         build, then fail if ui/dist differs from the commit (CI)
#   scripts/build-ui.sh --screenshots   build, then run the browser test saving docs/screenshots/*.png
#
# The build is reproducible: the same package-lock.json and sources give
# the same files, byte for byte (Vite names assets by content hash).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=false screenshots=false
for a in "$@"; do
	case $a in
	--check) check=true ;;
	--screenshots) screenshots=true ;;
	*) echo "usage: $0 [--check] [--screenshots]" >&2; exit 2 ;;
	esac
done

command -v npm >/dev/null 2>&1 || { echo "build-ui: npm not found (Node.js 20 or later is needed to rebuild the front end)" >&2; exit 1; }
# npm ci when node_modules is missing or older than the lock file.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ] || $check; then
	(cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npx vite build)
go test -count=1 -run TestFirstLoadSize -v ./ui | grep -E 'total gzipped|FAIL|ok' || true

if $check; then
	if ! git diff --exit-code --stat -- ui/dist || [ -n "$(git status --porcelain -- ui/dist)" ]; then
		git status --short -- ui/dist
		echo "build-ui: ui/dist does not match its sources: run scripts/build-ui.sh and commit ui/dist" >&2
		exit 1
	fi
	echo "ok: ui/dist matches its sources"
fi

if $screenshots; then
	mkdir -p docs/screenshots
	GRIDWORK_SCREENSHOTS="$PWD/docs/screenshots" go test -count=1 -run TestBrowser ./ui
	echo "screenshots in docs/screenshots/"
fi
