# Pinned versions of the local control plane; the cache is keyed by them so a bump rebuilds.
K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
RAMP_CACHE=${RAMP_CACHE:-$HOME/.cache/ramp}
K8S_BIN=$RAMP_CACHE/bin/kubernetes-$K8S_VERSION
ETCD_BIN=$RAMP_CACHE/bin/etcd-$ETCD_VERSION
KWOK_BIN=$RAMP_CACHE/bin/kwok-$KWOK_VERSION
