#!/usr/bin/env bash
# Fetches or builds the real peers the integration tests run against, once per machine, into a
# cache folder outside the clone (never committed): an Apache Kafka broker from Maven Central, an
# OpenTelemetry Collector and Prometheus 3 from the Go module proxy. Each lands in a folder named
# after its version and a hash of the files that define it (kafka/pom.xml; go/go.mod + go/go.sum +
# go/otelcol/main.go), so a changed definition builds anew and an unchanged one is reused. Built
# beside its final place and renamed into it: an interrupted or concurrent build never leaves a
# half-filled folder.
#
# The Collector and Prometheus come from one Go module (go/): the Prometheus the tests run is the
# release the Collector's prometheus receiver is built on, so the two builds share every package they
# have in common (the second one compiles only what is Prometheus's own).
#
# While this script runs, <folder>.building holds its pid (and the log named by $QSS_PEERS_LOG) for
# each peer it has to build: a test that needs the peer waits until its folder is ready
# (test/support/peers.ts), so .ci/run can build the Go peers in the background while the tests that
# do not need them run.
#
#   bash test/support/peers/build-peers.sh            # all three
#   bash test/support/peers/build-peers.sh kafka      # one of kafka | otelcol | prometheus
#   bash test/support/peers/build-peers.sh --print    # where each one is (or would be)
#
# Needs Java 17+ and Maven (kafka), Go 1.26 (otelcol, prometheus). The cache folder is
# $QSS_PEERS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/qss-forwarder/peers; test/support/peers.ts
# computes the same names.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${QSS_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qss-forwarder/peers}"

defining_files() { # $1: peer
  case $1 in
    kafka) echo kafka/pom.xml ;;
    otelcol | prometheus) echo go/go.mod go/go.sum go/otelcol/main.go ;;
  esac
}
key() { # $1: peer; prints the content hash of the files that define it (first 12 hex digits)
  local f
  for f in $(defining_files "$1"); do cat "$here/$f"; done | sha256sum | cut -c1-12
}
version() { # $1: peer
  case $1 in
    kafka) sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml" ;;
    otelcol) sed -n 's:^\s*go.opentelemetry.io/collector/otelcol \(v[^ ]*\).*:\1:p' "$here/go/go.mod" | head -1 ;;
    prometheus) sed -n 's:^\s*github.com/prometheus/prometheus \(v[^ ]*\).*:\1:p' "$here/go/go.mod" | head -1 ;;
  esac
}
folder() { echo "$cache/$1-$(version "$1")-$(key "$1")"; }

need() { command -v "$1" >/dev/null || { echo "build-peers: $1 is not on PATH; $2" >&2; exit 1; }; }

build() { # $1: peer
  local peer=$1 final started=$SECONDS staging
  final=$(folder "$peer")
  if [ -e "$final/ready" ]; then echo "peer $peer: $final (cached)"; return; fi
  mkdir -p "$cache"
  staging=$(mktemp -d "$cache/.$peer.XXXXXX")
  trap 'rm -rf "$staging"' RETURN
  echo "peer $peer $(version "$peer"): building into $final"
  case $peer in
    kafka)
      need java 'install a Java 17+ JDK (Kafka 4 brokers need Java 17)'
      need mvn 'install Maven (apt-get install -y maven)'
      mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$staging/libs"
      ;;
    otelcol | prometheus)
      need go 'install Go 1.26 (the Go module proxy must be reachable)'
      local pkg=./otelcol out=otelcol
      [ "$peer" = prometheus ] && pkg=github.com/prometheus/prometheus/cmd/prometheus out=prometheus
      # remove_all_sd: Prometheus's service discoveries (AWS, Azure, GCE, Kubernetes, … — most of the
      # build) are left out of both; the tests scrape static targets only.
      (cd "$here/go" && go build -mod=readonly -trimpath -tags remove_all_sd -ldflags='-s -w' -o "$staging/$out" "$pkg")
      ;;
  esac
  touch "$staging/ready"
  mv -T "$staging" "$final" 2>/dev/null || [ -e "$final/ready" ]
  echo "peer $peer: ready in $((SECONDS - started)) s"
}

if [ "${1:-}" = --print ]; then
  for p in kafka otelcol prometheus; do echo "$p $(folder "$p")"; done
  exit 0
fi
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(kafka prometheus otelcol)
for p in "${peers[@]}"; do
  case $p in kafka | otelcol | prometheus) ;; *) echo "build-peers: unknown peer '$p' (kafka, otelcol or prometheus)" >&2; exit 2 ;; esac
done
# Mark every peer this run will build before the first build starts (a test may be waiting for the
# last one); the markers go when this script ends, however it ends.
markers=()
trap 'rm -f "${markers[@]}"' EXIT
mkdir -p "$cache"
for p in "${peers[@]}"; do
  f=$(folder "$p")
  [ -e "$f/ready" ] || { printf '%s\n%s\n' "$$" "${QSS_PEERS_LOG:-}" >"$f.building"; markers+=("$f.building"); }
done
for p in "${peers[@]}"; do build "$p"; done
