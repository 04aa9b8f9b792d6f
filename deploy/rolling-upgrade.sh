#!/usr/bin/env bash
# Rolling upgrade of the srb instances on this host to the binary given, one at a time, with no
# failed request: migrations first, then each instance stopped (it drains), started, and
# waited for until it is ready and back in the load balancer's rotation.
# Usage: rolling-upgrade.sh /path/to/new/srb [instances…]   (default instances: 1 2 3)
set -euo pipefail
new=${1:?usage: rolling-upgrade.sh NEW_BINARY [instances…]}
shift
[ $# -gt 0 ] || set -- 1 2 3

install -m 0755 "$new" /usr/local/bin/srb.new
mv /usr/local/bin/srb.new /usr/local/bin/srb

# 1. Migrations, before any instance runs the new version. They only add, so the instances
#    still on the old version go on meanwhile.
systemctl start srb-migrate.service

# 2. One instance after the other.
for i in "$@"; do
  addr=$(sed -n 's/^SRB_ADDR=//p' "/etc/srb/srb-$i.env")
  echo "srb@$i ($addr): restarting"
  systemctl restart "srb@$i.service"   # SIGTERM: drains for SRB_DRAIN_S, then stops
  for _ in $(seq 1 120); do
    curl -fs "http://$addr/readyz" >/dev/null && break
    sleep 0.5
  done
  curl -fs "http://$addr/readyz" >/dev/null || { echo "srb@$i is not ready: stopping the upgrade"; exit 1; }
  # Back in rotation after `rise 2` checks at `inter 2s`.
  sleep 5
done

# 3. When the new version changed the search index format (its release notes say so, and the
#    index name's suffix changes), fill the new index once every instance runs the new version,
#    so that writes the old instances handled in between reach it too.
if [ "${REINDEX:-no}" = yes ]; then
  systemd-run --wait --pty --uid=srb --gid=srb -p EnvironmentFile=/etc/srb/srb.env \
    -p Environment=SRB_DATA_DIR=/var/lib/srb/migrate /usr/local/bin/srb reindex
fi
echo "all instances run $(/usr/local/bin/srb --version 2>/dev/null || echo 'the new version')"
