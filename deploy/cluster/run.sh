#!/usr/bin/env bash
# The several-node shape on one machine, from Debian packages (docs/deployment.md):
#
#   HAProxy :BASE  ->  gunicorn web1 :BASE+1, web2 :BASE+2   (health-checked on /readyz)
#   PgBouncer :BASE+12 (transaction pooling)  ->  PostgreSQL primary :BASE+10
#   PostgreSQL streaming replica :BASE+11 (pg_basebackup -R), read by the public pages
#   Redis :BASE+13, Celery workers worker1 and worker2, one Celery beat
#
# Every process listens on 127.0.0.1 only, lives under CLUSTER_DIR and is stopped by its PID;
# the machine's own PostgreSQL (5432) and Redis (6379) are never touched.
#
#   deploy/cluster/run.sh start            start everything (migrations run once), print the URL
#   deploy/cluster/run.sh stop             stop everything, keep CLUSTER_DIR (data)
#   deploy/cluster/run.sh destroy          stop everything and delete CLUSTER_DIR
#   deploy/cluster/run.sh status           each part: running or not
#   deploy/cluster/run.sh kill NAME        kill -9 one part (web1 web2 worker1 worker2 beat)
#   deploy/cluster/run.sh stop-one NAME    stop one part cleanly (also primary, replica, pgbouncer, redis, haproxy)
#   deploy/cluster/run.sh start-one NAME   start one part again
#
# Environment: CLUSTER_DIR (default: a folder in $TMPDIR), CLUSTER_PORT (BASE, default 18400),
# CLUSTER_WEB_WORKERS (gunicorn processes per node, default 2), and any CIVICWORKS_* / DJANGO_*
# setting, passed on to the web nodes and workers. cluster.env in CLUSTER_DIR holds what they get.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${CLUSTER_DIR:-${TMPDIR:-/tmp}/civicworks-cluster}"
BASE="${CLUSTER_PORT:-18400}"
WEB_WORKERS="${CLUSTER_WEB_WORKERS:-2}"
VENV="${CLUSTER_VENV:-$ROOT/.venv}"
PG_BIN="${CIVICWORKS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

P_HAPROXY=$BASE
P_WEB1=$((BASE + 1))
P_WEB2=$((BASE + 2))
P_STATS=$((BASE + 3))
P_PRIMARY=$((BASE + 10))
P_REPLICA=$((BASE + 11))
P_BOUNCER=$((BASE + 12))
P_REDIS=$((BASE + 13))
DB=civicworks

say() { printf '%s\n' "$*" >&2; }
die() { say "cluster: $*"; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

need() {
    local missing=()
    [ -x "$PG_BIN/initdb" ] || missing+=("PostgreSQL server (apt-get install postgresql)")
    command -v redis-server >/dev/null || missing+=("redis-server (apt-get install redis-server)")
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=("haproxy (apt-get install haproxy)")
    command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=("pgbouncer (apt-get install pgbouncer)")
    [ -x "$VENV/bin/gunicorn" ] && [ -x "$VENV/bin/celery" ] || missing+=("gunicorn and celery in $VENV (make install)")
    if [ "$(id -u)" = 0 ]; then command -v runuser >/dev/null || missing+=("runuser (util-linux)"); fi
    [ ${#missing[@]} = 0 ] || die "missing: ${missing[*]}"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

pid_of() { [ -f "$DIR/run/$1.pid" ] && cat "$DIR/run/$1.pid"; }

alive() {
    local pid
    pid="$(pid_of "$1" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# A Python process in its own session (its PID is its process group: kill -9 takes its children).
spawn() { # name command...
    local name=$1
    shift
    setsid "$@" >>"$DIR/log/$name.log" 2>&1 </dev/null &
    echo $! >"$DIR/run/$name.pid"
}

app_env() {
    set -a
    # shellcheck disable=SC1091
    . "$DIR/cluster.env"
    set +a
}

# --- PostgreSQL ----------------------------------------------------------------------------------

pg_opts() { # port
    echo "-p $1 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR/run -c timezone=UTC -c max_connections=200 -c hot_standby_feedback=on -c jit=off"
}

pg_start() { # name port
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR/$1" -l "$DIR/log/$1.log" -o "$(pg_opts "$2")" -w -t 60 start >/dev/null
}

pg_stop() { # name
    [ -f "$DIR/$1/postmaster.pid" ] || return 0
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR/$1" -m fast -w stop >/dev/null || true
}

make_databases() {
    as_postgres "$PG_BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/log/initdb.log"
    pg_start primary "$P_PRIMARY"
    "$PG_BIN/psql" -h 127.0.0.1 -p "$P_PRIMARY" -U postgres -q -c "CREATE DATABASE $DB" >/dev/null
    # The replica: a base backup streamed from the primary, with its standby settings (-R).
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$P_PRIMARY" -U postgres -D "$DIR/replica" -R -X stream -c fast
    pg_start replica "$P_REPLICA"
}

# --- PgBouncer, HAProxy --------------------------------------------------------------------------

write_pgbouncer() {
    mkdir -p "$DIR/pgbouncer"
    cat >"$DIR/pgbouncer/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$P_PRIMARY dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $P_BOUNCER
unix_socket_dir =
auth_type = trust
auth_file = $DIR/pgbouncer/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
reserve_pool_size = 10
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
pidfile = $DIR/run/pgbouncer.pid
logfile = $DIR/log/pgbouncer.log
EOF
    echo '"postgres" ""' >"$DIR/pgbouncer/userlist.txt"
    [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$DIR/pgbouncer"
}

pgbouncer_start() {
    as_postgres pgbouncer -d -q "$DIR/pgbouncer/pgbouncer.ini"
    wait_port "$P_BOUNCER" 10 || die "pgbouncer did not start (log/pgbouncer.log)"
}

write_haproxy() {
    cat >"$DIR/haproxy.cfg" <<EOF
global
    maxconn 2000
    pidfile $DIR/run/haproxy.pid

defaults
    mode http
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A busy node answers /readyz late, not never: 3 s, and three misses before it is taken out.
    timeout check 3s
    # A node that died between two health checks: a refused connection is tried on the other
    # node; a GET/HEAD whose node closed without answering (killed) is sent again. A POST is
    # never re-sent once it reached a node (clients retry it with their Idempotency-Key).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend civicworks
    bind 127.0.0.1:$P_HAPROXY
    option forwardfor
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fall 3 rise 2 slowstart 2s
    server web1 127.0.0.1:$P_WEB1 check
    server web2 127.0.0.1:$P_WEB2 check

listen stats
    bind 127.0.0.1:$P_STATS
    stats enable
    stats uri /
EOF
}

haproxy_start() {
    local bin
    bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
    "$bin" -D -f "$DIR/haproxy.cfg" -p "$DIR/run/haproxy.pid" >>"$DIR/log/haproxy.log" 2>&1
    wait_port "$P_HAPROXY" 10 || die "haproxy did not start (log/haproxy.log)"
}

# --- The application -----------------------------------------------------------------------------

write_env() {
    local secret
    secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    mkdir -p "$DIR/media"
    {
        echo "DATABASE_URL=postgres://postgres@127.0.0.1:$P_BOUNCER/$DB"
        echo "DATABASE_POOLED=1"
        echo "DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$P_REPLICA/$DB"
        echo "REDIS_URL=redis://127.0.0.1:$P_REDIS/0"
        echo "DJANGO_DEBUG=0"
        echo "DJANGO_SECRET_KEY=$secret"
        echo "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost"
        echo "DJANGO_SECURE_SSL_REDIRECT=0"
        echo "DJANGO_MEDIA_ROOT=$DIR/media"
        echo "DJANGO_LOG_LEVEL=WARNING"
        echo "CELERY_TASK_ALWAYS_EAGER=0"
        echo "CIVICWORKS_SITE_URL=http://localhost:$P_HAPROXY"
        echo "CLUSTER_PRIMARY_URL=postgres://postgres@127.0.0.1:$P_PRIMARY/$DB"
        echo "CLUSTER_HTTP_PORT=$P_HAPROXY"
        # Settings given to this command (e.g. the fault test's sweep knobs) reach every node.
        env | grep -E '^(CIVICWORKS_|DJANGO_EMAIL_)' || true
    } >"$DIR/cluster.env"
}

start_part() { # name
    case "$1" in
    primary) pg_start primary "$P_PRIMARY" ;;
    replica) pg_start replica "$P_REPLICA" ;;
    pgbouncer) pgbouncer_start ;;
    haproxy) haproxy_start ;;
    redis)
        redis-server --port "$P_REDIS" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
            --pidfile "$DIR/run/redis.pid" --logfile "$DIR/log/redis.log" --dir "$DIR"
        wait_port "$P_REDIS" 10 || die "redis did not start"
        ;;
    web1 | web2)
        local port=$P_WEB1
        [ "$1" = web2 ] && port=$P_WEB2
        (cd "$ROOT" && app_env && spawn "$1" "$VENV/bin/gunicorn" civicworks.wsgi --bind "127.0.0.1:$port" \
            --workers "$WEB_WORKERS" --worker-class gthread --threads 4 --timeout 30 --preload \
            --graceful-timeout 10 --access-logfile -)
        ;;
    worker1 | worker2)
        (cd "$ROOT" && app_env && spawn "$1" "$VENV/bin/celery" -A civicworks worker -n "$1@%h" \
            --concurrency 2 --without-gossip --without-mingle --loglevel WARNING)
        ;;
    beat)
        rm -f "$DIR/run/beat-schedule"* # a beat killed -9 may leave a half-written file
        (cd "$ROOT" && app_env && spawn beat "$VENV/bin/celery" -A civicworks beat \
            --schedule "$DIR/run/beat-schedule" --loglevel WARNING)
        ;;
    *) die "unknown part: $1" ;;
    esac
}

stop_part() { # name
    local pid
    case "$1" in
    primary | replica) pg_stop "$1" ;;
    *)
        pid="$(pid_of "$1" 2>/dev/null)" || return 0
        [ -n "$pid" ] || return 0
        if [ "$1" = haproxy ] || [ "$1" = redis ] || [ "$1" = pgbouncer ]; then
            kill "$pid" 2>/dev/null || true
        else
            kill -TERM -- "-$pid" 2>/dev/null || true
        fi
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        rm -f "$DIR/run/$1.pid"
        ;;
    esac
}

kill_part() { # name: kill -9 the part and its children, as a crash would
    local pid
    pid="$(pid_of "$1")" || die "$1 is not running"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    rm -f "$DIR/run/$1.pid"
}

APP_PARTS="web1 web2 worker1 worker2 beat"

start() {
    need
    [ ! -f "$DIR/run/started" ] || die "already started in $DIR (run.sh stop first)"
    for port in $P_HAPROXY $P_WEB1 $P_WEB2 $P_STATS $P_PRIMARY $P_REPLICA $P_BOUNCER $P_REDIS; do
        port_free "$port" || die "port $port is taken: set CLUSTER_PORT to another base"
    done
    mkdir -p "$DIR/run" "$DIR/log"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$DIR" "$DIR/run" "$DIR/log"
        runuser -u postgres -- test -w "$DIR" || die "the postgres user cannot reach $DIR: choose another CLUSTER_DIR"
    fi
    if [ -d "$DIR/primary" ]; then
        pg_start primary "$P_PRIMARY"
        pg_start replica "$P_REPLICA"
    else
        make_databases
    fi
    write_pgbouncer
    pgbouncer_start
    start_part redis
    write_env
    say "cluster: migrations (once, on the primary)"
    (cd "$ROOT" && app_env && DATABASE_URL="$CLUSTER_PRIMARY_URL" "$VENV/bin/python" manage.py migrate --no-input -v 0)
    (cd "$ROOT" && app_env && "$VENV/bin/python" manage.py collectstatic --no-input -v 0)
    for part in $APP_PARTS; do start_part "$part"; done
    wait_port "$P_WEB1" 60 && wait_port "$P_WEB2" 60 || die "gunicorn did not start (log/web1.log, log/web2.log)"
    write_haproxy
    haproxy_start
    touch "$DIR/run/started"
    say "cluster: up in $DIR"
    echo "http://localhost:$P_HAPROXY/"
}

stop() {
    [ -d "$DIR/run" ] || return 0
    stop_part haproxy
    for part in $APP_PARTS; do stop_part "$part"; done
    stop_part pgbouncer
    stop_part redis
    pg_stop replica
    pg_stop primary
    rm -f "$DIR/run/started"
    say "cluster: stopped ($DIR kept; run.sh destroy deletes it)"
}

status() {
    for part in haproxy $APP_PARTS pgbouncer redis; do
        if alive "$part"; then echo "$part running"; else echo "$part stopped"; fi
    done
    for part in primary replica; do
        if [ -f "$DIR/$part/postmaster.pid" ]; then echo "$part running"; else echo "$part stopped"; fi
    done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
destroy)
    stop
    rm -rf "$DIR"
    ;;
status) status ;;
kill) kill_part "${2:?name}" ;;
stop-one) stop_part "${2:?name}" ;;
start-one) start_part "${2:?name}" ;;
*) die "usage: run.sh start|stop|destroy|status|kill NAME|stop-one NAME|start-one NAME" ;;
esac
