#!/usr/bin/env bash
# test-postgres.sh: find or start a PostgreSQL server for the test suite.
#
# Prints exactly one line on stdout: a URL such as
#   postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# that internal/store/storetest accepts as GRIDWORK_TEST_POSTGRES. Every log
# line goes to stderr. Exits non-zero (and prints nothing on stdout) if no
# server could be found or started.
#
# Strategy, first that works wins:
#   a. GRIDWORK_TEST_POSTGRES is already set and answers -> print it.
#   b. A server answers on 127.0.0.1:5432, database "test", trust auth,
#      as user postgres (then root) -> print that URL.
#   c. A Debian cluster is installed (/etc/postgresql/*) but down -> start it
#      with pg_ctlcluster, wait, create database "test" if missing, verify.
#   d. Throwaway cluster: install Debian's "postgresql" if initdb is missing,
#      initdb (trust auth, user postgres) in a temp dir as a non-root user, start
#      it on a free loopback port from 55432 up, create database "test".
#      The cluster lives in ${TMPDIR:-/tmp}/gridwork-test-pg-<uid> and is left
#      running; a later run reuses it (idempotent) instead of making another.
#
# Knobs (environment):
#   GRIDWORK_TEST_POSTGRES        URL to try first (branch a).
#   GRIDWORK_PG_FORCE_THROWAWAY=1 skip a-c and go straight to d (for testing).
#   GRIDWORK_PG_THROWAWAY_DIR     where branch d keeps its cluster.
#   GRIDWORK_PG_WAIT              seconds to wait for a started server (30).
set -euo pipefail

# Keep the real stdout on fd 3 for the final URL; everything else, including
# output of the tools we run, goes to stderr. Every command that may leave a
# daemon behind runs through `detached` (all fds above 2 closed), so the daemon
# cannot hold the caller's $(...) pipe open: that would make the command
# substitution in .ci/run hang forever.
exec 3>&1 1>&2

log() { printf 'test-postgres: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WAIT=${GRIDWORK_PG_WAIT:-30}
DEFAULT_PORT=5432
THROWAWAY_FIRST_PORT=55432
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}

emit() {
	log "using $1"
	printf '%s\n' "$1" >&3
	exit 0
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# detached CMD...: run CMD from /, stdin from /dev/null and every fd above 2
# closed, so a daemon it leaves behind (postgres) holds none of our caller's
# pipes: not our $(...) pipe on fd 3, nor anything CI handed down.
detached() {
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			if [[ $fd =~ ^[0-9]+$ ]] && [ "$fd" -gt 2 ]; then
				eval "exec $fd>&-" 2>/dev/null || true
			fi
		done
		cd / && exec "$@"
	) </dev/null 3>&-
}

# as_user USER CMD...: run CMD detached as USER (we are root).
as_user() {
	local user=$1
	shift
	detached runuser -u "$user" -- "$@"
}

APT_UPDATED=0
apt_install() {
	local sudo=()
	if ! is_root; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			die "need to apt-get install $* but not root and no passwordless sudo"
		fi
	fi
	command -v apt-get >/dev/null 2>&1 || die "need to install $* but apt-get is missing"
	if [ "$APT_UPDATED" -eq 0 ]; then
		log "apt-get update"
		detached "${sudo[@]}" apt-get update -q >&2 || die "apt-get update failed"
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	detached "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
		>&2 || die "apt-get install $* failed"
}

# pg_bindir_with TOOL: the newest /usr/lib/postgresql/<ver>/bin holding TOOL,
# or nothing.
pg_bindir_with() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/$1" ]; then printf '%s\n' "$d"; fi
	done | sort -t/ -k4,4V | tail -n1
}

# PSQL: a psql binary (Debian's wrapper, or a versioned one).
PSQL=""
find_psql() {
	[ -n "$PSQL" ] && return 0
	if command -v psql >/dev/null 2>&1; then
		PSQL=$(command -v psql)
	else
		local d
		d=$(pg_bindir_with psql)
		if [ -n "$d" ]; then PSQL=$d/psql; fi
	fi
	[ -n "$PSQL" ]
}
need_psql() {
	find_psql && return 0
	log "psql not found; installing postgresql-client"
	apt_install postgresql-client
	find_psql || die "psql still not found after installing postgresql-client"
}

# answers URL: the server behind URL accepts a connection and can run a query.
answers() {
	"$PSQL" -X -w -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c 'select 1' </dev/null 3>&- >/dev/null 2>&1
}

# can_create_schema URL: tests run CREATE SCHEMA in the database, so require
# that privilege (superusers have it).
can_create_schema() {
	local r
	r=$("$PSQL" -X -w -q -A -t -d "$1" -c "select has_database_privilege(current_database(), 'CREATE')" </dev/null 3>&- 2>/dev/null) || return 1
	[ "$r" = t ]
}

url_for() { printf 'postgres://%s@127.0.0.1:%s/test?sslmode=disable' "$1" "$2"; }

# try_local PORT: print-and-exit with the first trust URL that works on PORT.
try_local() {
	local port=$1 user url
	for user in postgres root; do
		url=$(url_for "$user" "$port")
		if answers "$url"; then
			if can_create_schema "$url"; then
				emit "$url"
			fi
			log "$url answers but may not CREATE SCHEMA in test; trying next"
		fi
	done
	return 1
}

# --- a. GRIDWORK_TEST_POSTGRES ---------------------------------------------
branch_a() {
	local url=${GRIDWORK_TEST_POSTGRES:-}
	[ -n "$url" ] || return 1
	need_psql
	local i
	for i in 1 2 3; do
		if answers "$url"; then
			log "GRIDWORK_TEST_POSTGRES answers"
			emit "$url"
		fi
		sleep 1
	done
	log "WARNING: GRIDWORK_TEST_POSTGRES is set but does not answer: $url; looking elsewhere"
	return 1
}

# --- b. a server on 127.0.0.1:5432 -----------------------------------------
branch_b() {
	if ! find_psql; then
		# Without a client we cannot check; if something listens on 5432, get one.
		if (exec 3>&- ; : </dev/tcp/127.0.0.1/$DEFAULT_PORT) 2>/dev/null; then
			need_psql
		else
			log "nothing listens on 127.0.0.1:$DEFAULT_PORT"
			return 1
		fi
	fi
	try_local "$DEFAULT_PORT" || true
	log "no trust-auth server with database test on 127.0.0.1:$DEFAULT_PORT"
	return 1
}

# --- c. installed Debian cluster, maybe down -------------------------------
wait_ready() { # PORT
	local port=$1 i
	for ((i = 0; i < WAIT; i++)); do
		if (exec 3>&- ; : </dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
			if [ -n "$PSQL" ] && "$PSQL" -X -w -q -d "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -c 'select 1' </dev/null >/dev/null 2>&1 3>&-; then
				return 0
			fi
			# Port is open; the server may still be starting, or need a password.
			if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$port" 3>&-; then
				return 0
			fi
		fi
		sleep 1
	done
	return 1
}

branch_c() {
	compgen -G '/etc/postgresql/*/*/postgresql.conf' >/dev/null || { log "no Debian cluster in /etc/postgresql"; return 1; }
	command -v pg_lsclusters >/dev/null 2>&1 || { log "/etc/postgresql exists but pg_lsclusters is missing"; return 1; }
	if ! is_root; then
		log "a Debian cluster exists but starting it needs root; skipping"
		return 1
	fi
	need_psql
	# Candidates: cluster "main" first, newest version first.
	local line ver name port status owner rest
	local -a rows=()
	while read -r ver name port status owner rest; do
		[ -n "$ver" ] || continue
		if [ "$name" = main ]; then rows=("$ver $name $port $status $owner" "${rows[@]}"); else rows+=("$ver $name $port $status $owner"); fi
	done < <(pg_lsclusters -h 2>/dev/null | sort -k1,1V 3>&-)
	[ "${#rows[@]}" -gt 0 ] || { log "pg_lsclusters lists no cluster"; return 1; }
	for line in "${rows[@]}"; do
		read -r ver name port status owner <<<"$line"
		log "cluster $ver/$name: port $port, status $status, owner $owner"
		if [ "${status%%,*}" != online ]; then
			log "starting cluster $ver/$name"
			if ! detached pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2; then
				log "pg_ctlcluster $ver $name start failed; see /var/log/postgresql/postgresql-$ver-$name.log"
				continue
			fi
		fi
		if ! wait_ready "$port"; then
			log "cluster $ver/$name does not answer on 127.0.0.1:$port after ${WAIT}s"
			continue
		fi
		# Create database test as the cluster owner over the Unix socket (peer
		# or trust auth both work for the owner).
		local have
		have=$(as_user "$owner" "$PSQL" -X -w -q -A -t -p "$port" -d postgres \
			-c "select 1 from pg_database where datname = 'test'" 2>&1) || {
			log "cannot query cluster $ver/$name as $owner: $have"
			continue
		}
		if [ "$have" != 1 ]; then
			log "creating database test in cluster $ver/$name"
			as_user "$owner" "$PSQL" -X -w -q -p "$port" -d postgres -c 'CREATE DATABASE test' >&2 ||
				{ log "CREATE DATABASE test failed"; continue; }
		fi
		try_local "$port" || true
		log "cluster $ver/$name is up but 127.0.0.1:$port does not give trust access to test (pg_hba.conf?)"
	done
	return 1
}

# --- d. throwaway cluster ---------------------------------------------------
port_free() { # PORT: nothing accepts connections on 127.0.0.1:PORT
	! (exec 3>&- ; : </dev/tcp/127.0.0.1/"$1") 2>/dev/null
}

branch_d() {
	local bindir
	bindir=$(pg_bindir_with initdb)
	if [ -z "$bindir" ]; then
		if command -v initdb >/dev/null 2>&1; then
			bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
		else
			log "initdb not found; installing Debian's postgresql"
			apt_install postgresql
			bindir=$(pg_bindir_with initdb)
		fi
	fi
	if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
		die "no initdb/pg_ctl found (looked in /usr/lib/postgresql/*/bin and PATH)"
	fi
	log "using PostgreSQL binaries in $bindir"
	need_psql

	# initdb refuses to run as root: run the cluster as "postgres" (created by
	# Debian's package), creating that system user if it does not exist.
	local runas=""
	if is_root; then
		runas=postgres
		if ! id -u "$runas" >/dev/null 2>&1; then
			log "creating system user $runas"
			useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$runas" ||
				die "useradd $runas failed"
		fi
	fi
	run() { if [ -n "$runas" ]; then as_user "$runas" "$@"; else detached "$@"; fi; }

	# Loopback only; durability is pointless for a throwaway test cluster.
	local SERVER_OPTS="-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	local base=${GRIDWORK_PG_THROWAWAY_DIR:-${TMPDIR:-/tmp}/gridwork-test-pg-$(id -u)}
	local data=$base/data port_file=$base/port url port

	# Reuse a cluster left by an earlier run.
	port=""
	if [ -f "$port_file" ]; then port=$(cat "$port_file"); fi
	if [ -f "$data/PG_VERSION" ] && [[ $port =~ ^[0-9]+$ ]]; then
		url=$(url_for postgres "$port")
		if answers "$url"; then
			log "reusing throwaway cluster in $base (port $port)"
			emit "$url"
		fi
		if port_free "$port" && run "$bindir/pg_ctl" -D "$data" -l "$base/log" -w -t 60 \
			-o "-k $base -p $port $SERVER_OPTS" start >&2; then
			if answers "$url"; then
				log "restarted throwaway cluster in $base (port $port)"
				emit "$url"
			fi
		fi
		log "throwaway cluster in $base is unusable; recreating it"
	fi
	if [ -f "$data/PG_VERSION" ]; then
		run "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	fi
	if [ -e "$base" ] || [ -L "$base" ]; then
		if [ -L "$base" ] || [ ! -d "$base" ]; then die "$base exists and is not a directory"; fi
		if [ ! -e "$data" ] && [ ! -e "$port_file" ] && [ -n "$(ls -A -- "$base")" ]; then
			die "$base holds something else; refusing to delete it"
		fi
		rm -rf -- "$base"
	fi
	mkdir -m 700 -- "$base"
	if [ -n "$runas" ]; then chown "$runas:" "$base"; fi

	local locale=C
	if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then locale=C.UTF-8; fi
	log "initdb $data (as ${runas:-$(id -un)}, locale $locale)"
	run "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale="$locale" --no-sync >&2 ||
		die "initdb failed"

	local tries=0
	port=$THROWAWAY_FIRST_PORT
	while :; do
		while ! port_free "$port"; do port=$((port + 1)); done
		[ "$port" -lt 65535 ] || die "no free port"
		log "starting throwaway cluster on 127.0.0.1:$port"
		if run "$bindir/pg_ctl" -D "$data" -l "$base/log" -w -t 60 \
			-o "-k $base -p $port $SERVER_OPTS" start >&2; then
			break
		fi
		tries=$((tries + 1))
		log "pg_ctl start failed on port $port; server log tail:"
		tail -n 20 "$base/log" >&2 || true
		[ "$tries" -lt 5 ] || die "could not start the throwaway cluster"
		port=$((port + 1))
	done
	printf '%s\n' "$port" >"$port_file"

	"$PSQL" -X -w -q -v ON_ERROR_STOP=1 -d "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" \
		-c 'CREATE DATABASE test' </dev/null 3>&- || die "CREATE DATABASE test failed"
	url=$(url_for postgres "$port")
	answers "$url" || die "throwaway cluster does not answer on $url"
	log "throwaway cluster ready in $base (stop: $bindir/pg_ctl -D $data stop)"
	emit "$url"
}

if [ "${GRIDWORK_PG_FORCE_THROWAWAY:-}" = 1 ]; then
	log "GRIDWORK_PG_FORCE_THROWAWAY=1: skipping checks, using a throwaway cluster"
	branch_d
fi
branch_a || true
branch_b || true
branch_c || true
branch_d
