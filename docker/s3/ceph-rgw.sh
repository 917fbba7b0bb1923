#!/usr/bin/env bash
# The S3 server of docker-compose.yml: Ceph's object gateway (radosgw) on a one-node
# Ceph cluster (one monitor, one OSD), everything in one container and one directory.
# See docs/adr/0003-s3-server.md for why this and not a MinIO fork.
#
# It is the cluster devkit/local-stack/src/ceph-rgw.ts starts for the tests and
# `npm start`, with one difference: the OSD keeps objects on disk (BlueStore in a
# sparse file, CEPH_DATA_DIR/store/block) instead of in RAM (memstore), so a crash or a
# kill loses nothing that was acknowledged. The first start creates the cluster;
# later starts reuse it. Every start (re)creates the S3 user with the given keys.
#
# Environment:
#   S3_ACCESS_KEY, S3_SECRET_KEY  the S3 user's keys (required)
#   CEPH_DATA_DIR                 everything of the cluster (default /var/lib/docuvault-s3)
#   S3_BIND                       address:port the S3 API listens on (default 0.0.0.0:9000)
#   CEPH_MON_PORT                 the monitor's port on 127.0.0.1 (default 3300)
#   S3_STORE_GIB                  size of the OSD's sparse file, in GiB (default 100);
#                                 the OSD refuses writes at 95 % of it
#   CEPH_OSD_MEMORY_BYTES         the OSD's cache target (default 1 GiB)
#
# SIGTERM or SIGINT stop the gateway, then the OSD, then the monitor. The file
# CEPH_DATA_DIR/run/ready holds this script's PID while the gateway serves the S3 user
# (the health check looks for it).
set -Eeuo pipefail

: "${S3_ACCESS_KEY:?S3_ACCESS_KEY must be set}"
: "${S3_SECRET_KEY:?S3_SECRET_KEY must be set}"
DATA=${CEPH_DATA_DIR:-/var/lib/docuvault-s3}
BIND=${S3_BIND:-0.0.0.0:9000}
MON_PORT=${CEPH_MON_PORT:-3300}
STORE_GIB=${S3_STORE_GIB:-100}
OSD_MEMORY=${CEPH_OSD_MEMORY_BYTES:-1073741824}
CONF=$DATA/ceph.conf
export CEPH_CONF=$CONF
unset CEPH_ARGS

log() { printf '[s3] %s\n' "$*" >&2; }

mkdir -p "$DATA"/{mon,osd,store,rgw,run,log,crash}
rm -f "$DATA/run/ready"
[ -s "$DATA/fsid" ] || cat /proc/sys/kernel/random/uuid > "$DATA/fsid"
[ -s "$DATA/osd-uuid" ] || cat /proc/sys/kernel/random/uuid > "$DATA/osd-uuid"
FSID=$(cat "$DATA/fsid")

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon_host = [v2:127.0.0.1:$MON_PORT]
mon_initial_members = a
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_msgr1 = false
# Every daemon is in this container and talks over 127.0.0.1 only: no cephx.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
run_dir = $DATA/run
admin_socket = $DATA/run/\$cluster-\$name.asok
log_file = $DATA/log/\$cluster-\$name.log
log_to_stderr = false
err_to_stderr = true
pid_file =
crash_dir = $DATA/crash
keyring = $DATA/keyring
# One OSD: one replica, few placement groups, no warnings about either.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false

[mon]
mon_data = $DATA/mon

[osd]
osd_data = $DATA/osd
osd_objectstore = bluestore
bluestore_block_path = $DATA/store/block
bluestore_block_create = true
bluestore_block_size = $((STORE_GIB * 1024 * 1024 * 1024))
bluestore_block_db_create = false
bluestore_block_wal_create = false
osd_memory_target = $OSD_MEMORY

[client.rgw]
rgw_data = $DATA/rgw
rgw_frontends = beast endpoint=$BIND
rgw_thread_pool_size = 32
objecter_tick_interval = 1
# Accept a LocationConstraint naming a region other than the zonegroup's.
rgw_relaxed_region_enforcement = true
EOF

if [ ! -e "$DATA/mon/done" ]; then
  log "creating the cluster in $DATA"
  rm -rf "${DATA:?}/mon" "${DATA:?}/osd" && mkdir -p "$DATA/mon" "$DATA/osd"
  monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DATA/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$DATA/monmap"
  touch "$DATA/mon/done"
fi

pids=()
stopping=
stop() {
  [ -z "$stopping" ] || return 0
  stopping=1
  local code=${1:-0}
  rm -f "$DATA/run/ready"
  log 'stopping'
  # Gateway first, then the OSD (it tells the monitor it is going), monitor last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  exit "$code"
}
trap stop TERM INT
trap 'stop 1' ERR

ceph-mon -f -i a &
pids+=($!)

if [ ! -e "$DATA/osd/ready" ]; then
  log 'creating the OSD'
  rm -rf "${DATA:?}/osd" "${DATA:?}/store" && mkdir -p "$DATA/osd" "$DATA/store"
  ceph --connect-timeout 60 osd new "$(cat "$DATA/osd-uuid")" 0 >/dev/null
  ceph-osd --mkfs -i 0 --osd-uuid "$(cat "$DATA/osd-uuid")"
fi
ceph-osd -f -i 0 &
pids+=($!)

radosgw -f -n client.rgw &
pids+=($!)

# The gateway creates its pools on its first start; the user needs them.
for _ in $(seq 1 180); do
  if radosgw-admin user info --uid docuvault >/dev/null 2>&1 \
    || radosgw-admin user create --uid docuvault --display-name DocuVault \
      --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" >/dev/null 2>&1; then
    break
  fi
  sleep 1
done
# The keys in the environment are the only ones that work: set them, drop any others
# (keys replaced in .env stop working on the next start).
radosgw-admin key create --uid docuvault --key-type s3 \
  --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" >/dev/null
radosgw-admin user info --uid docuvault \
  | sed -n -E 's/.*"access_key": "([^"]+)".*/\1/p' \
  | while read -r key; do
    [ "$key" = "$S3_ACCESS_KEY" ] || radosgw-admin key rm --uid docuvault --key-type s3 --access-key "$key" >/dev/null
  done
echo $$ > "$DATA/run/ready"
log "serving S3 on $BIND"

# Any daemon that exits takes the others down: the container restarts whole.
set +e
wait -n "${pids[@]}"
status=$?
log "a Ceph daemon exited ($status)"
stop 1
