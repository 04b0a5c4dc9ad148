#!/usr/bin/env bash
# The image on a read-only root filesystem, as a non-root user, with only its data volume writable.
# The approach of ../shared/tools/verify-image.sh (podman, a debootstrap stand-in for the base image,
# --network host), then: run with --read-only and no tmpfs anywhere (Docker's --read-only gives
# none either), a named volume on /data, the embedded PostgreSQL inside; probe /healthz, /readyz
# and a feed; check the user, that / refuses writes and /data takes them; stop with SIGTERM.
# Usage: .ci/verify-readonly.sh [CONTEXT_DIR]   env: PORT (default 18081), KEEP=1 keeps the work dir.
set -euo pipefail
CTX=$(cd "${1:-$(dirname "$0")/..}" && pwd)
PORT=${PORT:-18081}
WORK=${WORK:-$(mktemp -d)}
MIRROR=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)}
[ -n "$MIRROR" ] || { echo "set MIRROR to the Debian mirror apt uses" >&2; exit 2; }
log(){ printf '== %s\n' "$*" >&2; }
fail(){ echo "FAIL: $*" >&2; [ -n "${CID:-}" ] && podman logs "$CID" 2>&1 | tail -40 >&2; exit 1; }

log "install engine (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
command -v podman >/dev/null || { apt-get update -qq; apt-get install -y -qq podman runc netavark aardvark-dns uidmap fuse-overlayfs slirp4netns debootstrap >/dev/null; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
# netavark shells out to iptables even for a build's RUN steps.
command -v iptables >/dev/null || apt-get install -y -qq iptables >/dev/null

# Everything podman writes stays under $WORK (runc: this kernel's hybrid cgroups; capped ulimits:
# no CAP_SYS_RESOURCE here), as in verify-image.sh.
cat > "$WORK/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$WORK/graph"
runroot = "$WORK/run"
CONF
cat > "$WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf

CID=""
VOLUME="warta-readonly-$$"
cleanup(){ [ -n "$CID" ] && podman rm -f -t 2 "$CID" >/dev/null 2>&1 || true
           podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
           [ "${KEEP:-0}" = 1 ] || { podman system reset -f >/dev/null 2>&1 || true; rm -rf "$WORK"; }; }
trap cleanup EXIT

log "stand-in base: debootstrap bookworm from $MIRROR"
R=$WORK/rootfs
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates bookworm "$R" "$MIRROR" >"$WORK/debootstrap.log" 2>&1
rm -f "$R"/usr/lib/python3*/EXTERNALLY-MANAGED
ln -sf python3 "$R/usr/bin/python"; ln -sf pip3 "$R/usr/bin/pip"
cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/" 2>/dev/null || true  # this machine's extra CAs, test-only
chroot "$R" update-ca-certificates >/dev/null
chroot "$R" apt-get clean; rm -rf "$R"/var/lib/apt/lists/*
tar --numeric-owner -C "$R" -c . | podman import \
   --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV LANG=C.UTF-8' \
   --change 'CMD ["python3"]' - localhost/base-standin:bookworm >/dev/null
stages=$(awk 'toupper($1)=="FROM" && toupper($3)=="AS"{print $4}' "$CTX/Dockerfile")
for img in $(awk 'toupper($1)=="FROM"{for(i=2;i<=NF;i++) if($i !~ /^--/){print $i; break}}' "$CTX/Dockerfile" | sort -u); do
  grep -qx "$img" <<<"$stages" && continue
  case $img in */*/*) full=$img;; */*) full=docker.io/$img;; *) full=docker.io/library/$img;; esac
  [[ $full == *:* ]] || full=$full:latest
  log "tag stand-in as $full"; podman tag localhost/base-standin:bookworm "$full"
done

log "build"
podman build --pull=never --format docker -t localhost/warta:readonly "$CTX" >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; fail "build"; }

log "run: --read-only, no tmpfs, volume $VOLUME on /data, embedded PostgreSQL"
podman volume create "$VOLUME" >/dev/null
CID=$(podman run -d --network host --read-only --read-only-tmpfs=false -v "$VOLUME:/data" \
      -e WARTA_HOST=127.0.0.1 -e WARTA_PORT="$PORT" -e WARTA_LOG_LEVEL=WARNING localhost/warta:readonly)
base="http://127.0.0.1:$PORT"
probe(){ for _ in $(seq 1 120); do curl -fsS -m 3 -o "$WORK/probe" "$base$1" 2>/dev/null && return 0
         [ "$(podman inspect "$CID" --format '{{.State.Running}}')" = true ] || return 1; sleep 0.5; done; return 1; }
probe /healthz || fail "/healthz never answered"
log "/healthz: $(cat "$WORK/probe")"
probe /readyz || fail "/readyz never ready (embedded PostgreSQL on the volume)"
log "/readyz: $(cat "$WORK/probe")"
probe /feeds/all.atom || fail "no feed"
head -c 200 "$WORK/probe" | grep -q '<feed' || fail "/feeds/all.atom is not an Atom feed"
log "/feeds/all.atom: $(wc -c <"$WORK/probe") bytes of Atom"
if podman image inspect localhost/warta:readonly --format '{{.HealthCheck}}' | grep -q CMD; then
  podman healthcheck run "$CID" >/dev/null 2>&1 || fail "HEALTHCHECK on a read-only root"
  log "image HEALTHCHECK: healthy"
fi
uid=$(podman exec "$CID" id -u); [ "$uid" != 0 ] || fail "runs as root"
log "user: $uid"
podman exec "$CID" sh -c 'touch /app/x' 2>/dev/null && fail "the root filesystem took a write"
podman exec "$CID" sh -c 'touch /tmp/x' 2>/dev/null && fail "/tmp is writable (expected no tmpfs)"
podman exec "$CID" sh -c 'touch /data/x && rm /data/x' || fail "the data volume refused a write"
podman exec "$CID" sh -c 'test -s /data/postgres/PG_VERSION' || fail "no PostgreSQL data on the volume"
log "root read-only, /data writable, PostgreSQL data on the volume"
podman stop -t 20 "$CID" >/dev/null
code=$(podman inspect "$CID" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "readonly verify: 1 passed, 0 failed"
