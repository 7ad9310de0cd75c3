# shellcheck shell=bash
# Starts a throwaway PostgreSQL cluster for the journal's PostgreSQL tests
# and benches, and points them at it through GRASSROOTS_POSTGRES_URL.
#
# Meant to be *sourced*, so the variable reaches the commands that follow:
#
#     source .ci/postgres.sh
#     cargo test --all-features
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 at a free
# port (and on a unix socket in that directory), and is stopped and deleted
# when the sourcing shell exits (an EXIT trap, chained after any trap already
# set). If GRASSROOTS_POSTGRES_URL is already set, nothing is started.
#
# Environment:
#   GRASSROOTS_PG_BIN   directory of initdb/pg_ctl (default: initdb's directory on
#                       the PATH, else the newest /usr/lib/postgresql/*/bin)
#   GRASSROOTS_PG_USER  system user to run the server as when sourced by root
#                       (default postgres; PostgreSQL refuses to run as root)

# The directory of initdb and pg_ctl: GRASSROOTS_PG_BIN, else initdb's on
# the PATH (links resolved), else the newest Debian-style install.
grassroots_pg_bindir() {
    if [ -n "${GRASSROOTS_PG_BIN:-}" ]; then
        echo "$GRASSROOTS_PG_BIN"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
    else
        ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
    fi
}

grassroots_pg_start() {
    local bin
    bin="$(grassroots_pg_bindir)"
    local user="${GRASSROOTS_PG_USER:-postgres}"
    local dir port run=()

    if [ -n "${GRASSROOTS_POSTGRES_URL:-}" ]; then
        echo "postgres.sh: GRASSROOTS_POSTGRES_URL is already set, not starting a cluster" >&2
        return 0
    fi
    if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
        echo "postgres.sh: no PostgreSQL binaries in $bin (set GRASSROOTS_PG_BIN)" >&2
        return 1
    fi

    dir="$(mktemp -d "${TMPDIR:-/tmp}/grassroots-pg.XXXXXX")" || return 1
    if [ "$(id -u)" -eq 0 ]; then
        if ! id "$user" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$user" || return 1
        fi
        chown "$user" "$dir"
        run=(runuser -u "$user" --)
    fi

    # A free port: the first one from 54320 on that nothing answers on.
    for port in $(seq 54320 54419); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            break
        fi
    done

    "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        return 1
    }
    "${run[@]}" "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
        -c "CREATE DATABASE grassroots" >/dev/null || return 1

    GRASSROOTS_PG_DIR="$dir"
    GRASSROOTS_PG_RUN="${run[*]}"
    export GRASSROOTS_POSTGRES_URL="host=127.0.0.1 port=$port user=postgres dbname=grassroots"
    echo "postgres.sh: PostgreSQL running in $dir; GRASSROOTS_POSTGRES_URL=$GRASSROOTS_POSTGRES_URL" >&2

    local previous
    previous="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
    # shellcheck disable=SC2064 # expand $previous now, on purpose
    trap "grassroots_pg_stop; ${previous:-:}" EXIT
}

grassroots_pg_stop() {
    local bin
    bin="$(grassroots_pg_bindir)"
    [ -n "${GRASSROOTS_PG_DIR:-}" ] || return 0
    # shellcheck disable=SC2086 # GRASSROOTS_PG_RUN is a word list
    ${GRASSROOTS_PG_RUN:-} "$bin/pg_ctl" -D "$GRASSROOTS_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$GRASSROOTS_PG_DIR"
    unset GRASSROOTS_PG_DIR GRASSROOTS_PG_RUN GRASSROOTS_POSTGRES_URL
}

grassroots_pg_start
