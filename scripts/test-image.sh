#!/usr/bin/env bash
# `npm run test:image`: builds the top-level Dockerfile for real and runs the image's entrypoint.
#
# No container registry is reachable here and containers cannot be started, so:
#  1. A stand-in for docker.io/library/node:20-bookworm-slim is made locally: a Debian bookworm minbase rootfs
#     (debootstrap, from Debian's mirror) with this machine's own Node 20, npm and Node's headers under
#     /usr/local as in the official image, and its `node` user (uid 1000). It is cached as a tarball under
#     /var/cache/fleetgraph, keyed by the Node version, and imported into podman under that name (an image
#     already there under that name and not made by this script, e.g. the real one, is used as it is).
#  2. podman builds the Dockerfile with `--isolation chroot` (the build stage reaches Debian's mirror and the
#     npm registry through the host's network).
#  3. The image's filesystem is mounted read-only (`podman image mount`) and its ENTRYPOINT runs under chroot,
#     as the image's USER, with the image's Env and WorkingDir, in a private mount namespace with /proc, /dev and
#     a tmpfs /tmp: so it proves the image works on a read-only root filesystem. The demo fleet must answer
#     `{ clusters { edges { node { name } } } }` over HTTP with its members.
#
# Needs root (debootstrap, podman, chroot). Installs podman and debootstrap when missing. When Debian's mirror
# cannot be reached it says so and exits non-zero: it never skips silently. Prints image size and build times.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=docker.io/library/node:20-bookworm-slim
IMAGE=localhost/fleetgraph:test
# Overrides: FLEETGRAPH_IMAGE_CACHE (where the rootfs tarball is kept), FLEETGRAPH_DEBIAN_MIRROR (default: the
# mirror this machine's apt uses), FLEETGRAPH_IMAGE_START_TIMEOUT (seconds the entrypoint has to serve).
CACHE_DIR=${FLEETGRAPH_IMAGE_CACHE:-/var/cache/fleetgraph}
# Bump when the stand-in's recipe changes, so a cached rootfs made by an older recipe is not reused.
RECIPE=2
START_TIMEOUT=${FLEETGRAPH_IMAGE_START_TIMEOUT:-90}

passed=0
failed=0
say() { printf 'test:image: %s\n' "$*"; }
die() { printf 'test:image: FAILED: %s\n' "$*" >&2; exit 1; }
check() { # check <description> <command...>
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); say "ok - $what"; else failed=$((failed + 1)); say "not ok - $what"; fi
}

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, podman and chroot); run it as root"
mkdir -p "$CACHE_DIR"
export DEBIAN_FRONTEND=noninteractive

# ---- Debian's mirror, as this machine's apt is configured -------------------------------------------------
mirror=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null \
  | grep -oE 'https?://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ' || true)
mirror=${FLEETGRAPH_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
mirror=${mirror%/}
if ! node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(20000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
  "$mirror/dists/bookworm/InRelease"; then
  die "Debian's mirror $mirror cannot be reached (fetching dists/bookworm/InRelease failed): the image test needs it for debootstrap and for the build stage's apt-get"
fi

# ---- tools ------------------------------------------------------------------------------------------------
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v unshare >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq || die "apt-get update failed: Debian's mirror cannot be reached"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# ---- the stand-in base image -----------------------------------------------------------------------------
node_bin=$(readlink -f "$(command -v node)")
node_version=$(node -p 'process.versions.node')
case $node_version in 20.*) ;; *) die "the stand-in for $BASE_IMAGE needs Node 20 on this machine (found $node_version)" ;; esac
node_prefix=$(dirname "$(dirname "$node_bin")")
node_headers=$node_prefix/include/node
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[ -f "$node_headers/node_version.h" ] || die "Node's headers are not at $node_headers (the stand-in puts them under /usr/local/include/node)"
[ -f "$npm_dir/package.json" ] || die "npm's folder not found (looked at $npm_dir)"
arch=$(dpkg --print-architecture)
key="bookworm-node${node_version}-${arch}-r${RECIPE}"
rootfs_tar=$CACHE_DIR/rootfs-$key.tar

make_rootfs() {
  local dir=$CACHE_DIR/rootfs-$key.building
  rm -rf "$dir" "$rootfs_tar.tmp"
  mkdir -p "$dir"
  say "debootstrap bookworm (minbase) from $mirror into $dir"
  if ! timeout 1200 debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$CACHE_DIR/debootstrap-$key.log" 2>&1; then
    tail -n 20 "$CACHE_DIR/debootstrap-$key.log" >&2
    rm -rf "$dir"
    die "debootstrap failed (log: $CACHE_DIR/debootstrap-$key.log)"
  fi
  # apt sources as the official image has them (deb822), on this machine's mirror.
  rm -f "$dir/etc/apt/sources.list"
  local security=${mirror%/debian}/debian-security
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Node, npm, corepack and the headers where the official image has them.
  install -D -m 0755 "$node_bin" "$dir/usr/local/bin/node"
  mkdir -p "$dir/usr/local/lib/node_modules" "$dir/usr/local/include"
  cp -a "$npm_dir" "$dir/usr/local/lib/node_modules/npm"
  [ -d "$(dirname "$npm_dir")/corepack" ] && cp -a "$(dirname "$npm_dir")/corepack" "$dir/usr/local/lib/node_modules/corepack"
  cp -a "$node_headers" "$dir/usr/local/include/node"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  [ -d "$dir/usr/local/lib/node_modules/corepack" ] && ln -s ../lib/node_modules/corepack/dist/corepack.js "$dir/usr/local/bin/corepack"
  chroot "$dir" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  chroot "$dir" /usr/local/bin/node --version >/dev/null || die "the stand-in's node does not run in the rootfs"
  # What the official image leaves out of its layers.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/log/*.log
  tar --numeric-owner -C "$dir" -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$dir"
  # Rootfs tarballs of other keys (an older Node or recipe) are not used again.
  find "$CACHE_DIR" -maxdepth 1 \( -name 'rootfs-*.tar' -o -name 'debootstrap-*.log' \) ! -name "*-$key.*" -delete
}

base_label=$(podman image inspect --format '{{ index .Config.Labels "io.fleetgraph.standin" }}' "$BASE_IMAGE" 2>/dev/null || echo absent)
if [ "$base_label" = "$key" ]; then
  say "stand-in $BASE_IMAGE ($key) already imported"
elif [ "$base_label" = "<no value>" ]; then
  say "using the $BASE_IMAGE already in podman's storage (not a stand-in)"
else
  # A stand-in of an older key (another Node version or recipe) is replaced.
  [ "$base_label" != absent ] && podman rmi --force "$BASE_IMAGE" >/dev/null 2>&1 || true
  if [ -f "$rootfs_tar" ]; then say "cached rootfs $rootfs_tar"; else
    t0=$SECONDS; make_rootfs; say "made the stand-in rootfs in $((SECONDS - t0)) s"
  fi
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' \
    --change "LABEL io.fleetgraph.standin=$key" \
    "$rootfs_tar" "$BASE_IMAGE" >/dev/null
  say "imported $rootfs_tar as $BASE_IMAGE"
fi

# ---- build ------------------------------------------------------------------------------------------------
build_args=(--build-arg "VERSION=$(node -p 'require("./package.json").version')"
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
# The CA bundle this machine trusts (it may include a TLS-intercepting proxy's CA), for npm ci in the build.
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca_bundle" ] && build_args+=(--secret "id=ca,src=$ca_bundle")
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!v:-}" ] && build_args+=(--build-arg "$v=${!v}")
done
npm_registry=$(npm config get registry 2>/dev/null || true)
[ -n "$npm_registry" ] && build_args+=(--build-arg "NPM_REGISTRY=$npm_registry")

say "podman build --isolation chroot -t $IMAGE ."
previous=$(podman image inspect --format '{{ .Id }}' "$IMAGE" 2>/dev/null || true)
t0=$SECONDS
if ! timeout 1800 podman build --isolation chroot --pull=never --layers "${build_args[@]}" -t "$IMAGE" -f Dockerfile . \
  >"$CACHE_DIR/build.log" 2>&1; then
  tail -n 40 "$CACHE_DIR/build.log" >&2
  die "podman build failed (log: $CACHE_DIR/build.log)"
fi
build_seconds=$((SECONDS - t0))
# The image this run replaced (untagged now) would otherwise pile up run after run; the build cache stays.
current=$(podman image inspect --format '{{ .Id }}' "$IMAGE")
[ -n "$previous" ] && [ "$previous" != "$current" ] && podman rmi "$previous" >/dev/null 2>&1 || true
size=$(podman image inspect --format '{{ .Size }}' "$IMAGE")
say "built $IMAGE in ${build_seconds} s; size $((size / 1000000)) MB ($size bytes)"

# ---- what the image says about itself ---------------------------------------------------------------------
inspect=$(podman image inspect "$IMAGE")
field() { node -e 'const [i] = JSON.parse(require("fs").readFileSync(0, "utf8")); const v = eval("i." + process.argv[1]); console.log(typeof v === "string" ? v : JSON.stringify(v ?? null))' "$1" <<<"$inspect"; }
user=$(field Config.User)
workdir=$(field Config.WorkingDir)
entrypoint_json=$(field Config.Entrypoint)
mapfile -t entrypoint < <(node -e 'for (const a of JSON.parse(process.argv[1]) ?? []) console.log(a)' "$entrypoint_json")
mapfile -t image_env < <(node -e 'for (const e of JSON.parse(process.argv[1]) ?? []) console.log(e)' "$(field Config.Env)")
labels=$(field Config.Labels)

check "ENTRYPOINT is fleetgraph serve (got $entrypoint_json)" test "$entrypoint_json" = '["fleetgraph","serve"]'
check "USER is a numeric non-root uid:gid (got $user)" bash -c '[[ $1 =~ ^[0-9]+:[0-9]+$ ]] && [ "${1%%:*}" != 0 ]' _ "$user"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
check "OCI labels (title, version, revision $revision, created, licenses, base.name)" node -e '
  const l = JSON.parse(process.argv[1]) ?? {};
  const o = (k) => l["org.opencontainers.image." + k];
  const want = ["title", "version", "revision", "created", "licenses", "base.name"];
  process.exit(want.every((k) => o(k) && o(k) !== "unknown") && o("version") === process.argv[2]
    && (process.argv[3] === "unknown" || o("revision") === process.argv[3]) ? 0 : 1)' \
  "$labels" "$(node -p 'require("./package.json").version')" "$revision"
check "NODE_ENV=production in the image's Env" bash -c 'printf "%s\n" "${@}" | grep -qx NODE_ENV=production' _ "${image_env[@]}"

# ---- run the entrypoint in the mounted image ---------------------------------------------------------------
root=""
server_pid=""
work=$(mktemp -d /tmp/fleetgraph-image-test.XXXXXX)
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  # The mounts under the image live in the private mount namespace and vanish with it; the image mount is ours.
  [ -n "$root" ] && podman image unmount "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$(podman image mount "$IMAGE")
[ -d "$root/app" ] || die "podman image mount gave $root, which has no /app"
check "/app holds no sources, tests or host node_modules build leftovers" bash -c \
  '[ ! -e "$1/app/src" ] && [ ! -e "$1/app/test" ] && [ ! -e "$1/app/.git" ] && [ -f "$1/app/dist/main.js" ] && [ ! -e "$1/app/node_modules/typescript" ]' _ "$root"
check "no compiler in the runtime image" bash -c '[ ! -e "$1/usr/bin/g++" ] && [ ! -e "$1/usr/bin/make" ]' _ "$root"
check "the image's root filesystem is mounted read-only" bash -c '! touch "$1/app/.write-test" 2>/dev/null' _ "$root"

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
uid=${user%%:*}
gid=${user##*:}
say "running ${entrypoint[*]} --host 127.0.0.1 --port $port --audit-db /data/audit.db in $root as $uid:$gid"
# A private mount namespace: /proc, /dev and the tmpfs /tmp exist only for this process tree, so nothing stays
# mounted whatever happens to this script. The read-only image mount is the root filesystem.
unshare --mount --propagation private -- /bin/bash -c '
  set -e
  root=$1; uid=$2; gid=$3; workdir=$4; shift 4
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/tmp"
  # The volume for the SQLite audit log, as a Deployment would mount one (owned by the image user, as /data is).
  mount -t tmpfs -o "mode=0700,uid=$uid,gid=$gid,size=64m" tmpfs "$root/data"
  exec chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i -C "$workdir" "$@"
' _ "$root" "$uid" "$gid" "${workdir:-/}" "${image_env[@]}" HOME=/nonexistent \
  "${entrypoint[@]}" --host 127.0.0.1 --port "$port" --audit-db /data/audit.db >"$work/out.log" 2>&1 &
server_pid=$!

url="http://127.0.0.1:$port/graphql"
deadline=$((SECONDS + START_TIMEOUT))
until grep -q 'GraphQL at' "$work/out.log" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/out.log" >&2; die "the entrypoint exited before serving"; fi
  if [ $SECONDS -ge $deadline ]; then cat "$work/out.log" >&2; die "the entrypoint did not serve within ${START_TIMEOUT} s"; fi
  sleep 0.5
done
say "$(grep -m1 'GraphQL at' "$work/out.log")"

# The gateway's process runs as the image's user (the chroot'ed node under unshare/chroot/env, which exec).
check "the gateway runs as uid $uid" bash -c 'grep -qE "^Uid:[[:space:]]+$2[[:space:]]" /proc/$1/status' _ "$server_pid" "$uid"

answer=$(node -e '
  const [url] = process.argv.slice(1);
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(30000),
    body: JSON.stringify({ query: "{ clusters { totalCount edges { node { name health { ready } } } } }" }) })
    .then(async (r) => { console.log(JSON.stringify({ status: r.status, body: await r.json() })); })
    .catch((e) => { console.log(JSON.stringify({ error: String(e) })); });' "$url")
say "answer: $answer"
check "the demo fleet answers { clusters } with member1, member2, member3, all ready" node -e '
  const a = JSON.parse(process.argv[1]);
  const c = a.body?.data?.clusters;
  const names = c?.edges.map((e) => e.node.name);
  process.exit(a.status === 200 && !a.body.errors && c.totalCount === 3
    && JSON.stringify(names) === JSON.stringify(["member1", "member2", "member3"])
    && c.edges.every((e) => e.node.health.ready === true) ? 0 : 1)' "$answer"
check "the image serves the dashboard at /ui (the page, then its script)" node -e '
  const base = process.argv[1].replace(/\/graphql$/, "");
  (async () => {
    const page = await fetch(base + "/ui", { signal: AbortSignal.timeout(30000) });
    const html = await page.text();
    const src = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const js = src ? await fetch(base + src, { signal: AbortSignal.timeout(30000) }) : undefined;
    process.exit(page.status === 200 && js?.status === 200 && (js.headers.get("content-type") ?? "").includes("javascript") ? 0 : 1);
  })().catch(() => process.exit(1));' "$url"
# What the gateway wrote, seen through its own root (/proc/PID/root): the demo's kubeconfig in the tmpfs /tmp, the
# audit log in the /data volume; the rest of its filesystem is the read-only image.
check "the demo fleet's kubeconfig went to /tmp (the tmpfs)" bash -c \
  'grep -qE "export KUBECONFIG=/tmp/fleetgraph-demo-" "$2" && compgen -G "/proc/$1/root/tmp/fleetgraph-demo-*/kubeconfig.yaml" >/dev/null' _ "$server_pid" "$work/out.log"
check "the audit log is the SQLite file on the /data volume" bash -c \
  '[ "$(head -c 15 "/proc/$1/root/data/audit.db")" = "SQLite format 3" ]' _ "$server_pid"

# SIGTERM: the gateway stops by itself, in time.
kill -TERM "$server_pid"
stopped=no
for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || { stopped=yes; break; }; sleep 0.2; done
check "the gateway exits on SIGTERM within 20 s" test "$stopped" = yes
if [ "$stopped" = yes ]; then
  wait "$server_pid" && code=0 || code=$?
  check "exit status 0 after SIGTERM (got $code)" test "$code" = 0
fi
server_pid=""

say "image $IMAGE: $((size / 1000000)) MB, built in ${build_seconds} s"
printf 'image: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
