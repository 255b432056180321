# Pinned versions of the local control plane; the cache is keyed by them so a bump rebuilds.
K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
RAMP_CACHE=${RAMP_CACHE:-$HOME/.cache/ramp}
K8S_BIN=$RAMP_CACHE/bin/kubernetes-$K8S_VERSION
ETCD_BIN=$RAMP_CACHE/bin/etcd-$ETCD_VERSION
KWOK_BIN=$RAMP_CACHE/bin/kwok-$KWOK_VERSION
# Upstream CRDs the traffic routers write to, fetched from their Go modules by upstream-crds.sh.
# gateway-api v1.7 needs go >= 1.27; v1.6.3 is the newest release the pinned Go toolchain can fetch.
GATEWAY_API_VERSION=v1.6.3
ISTIO_API_VERSION=v1.31.1
UPSTREAM_CRDS=$RAMP_CACHE/crds
# Helm, built from its Go module by build-helm.sh; the chart's tests run helm lint/template with it.
HELM_VERSION=v4.3.1
HELM_BIN=$RAMP_CACHE/bin/helm-$HELM_VERSION
# The Prometheus Operator's ServiceMonitor and PrometheusRule CRDs (from its Go module's example/), so the
# chart's optional monitoring objects are validated by the real apiserver. v0.85.0 is what the proxy serves.
PROMETHEUS_OPERATOR_VERSION=v0.85.0
# GitOps CRDs the examples/argocd and examples/flux objects are validated against (gitops-crds.sh).
# argo-cd v3.6 and kustomize-controller v1.10 need go >= 1.27: these are the newest the pinned Go fetches.
ARGOCD_VERSION=v3.5.7
FLUX_KUSTOMIZE_CONTROLLER_VERSION=v1.9.6
# Flux's kstatus (github.com/fluxcd/cli-utils, what kustomize-controller v1.9.6 uses), built by
# build-kstatus.sh from test/support/kstatus/ to check the Rollout conditions Flux health checks read.
FLUX_CLI_UTILS_VERSION=v1.2.3
# The CRDs of the controllers `kubectl ramp migrate` moves apps from (migration-crds.sh): Argo Rollouts'
# Rollout/AnalysisTemplate/…, and Flagger's Canary/MetricTemplate/AlertProvider.
ARGO_ROLLOUTS_VERSION=v1.10.1
FLAGGER_VERSION=v1.36.1
# Argo Rollouts' controller for the peer bench (build-argo-rollouts.sh; its CRDs come from the same module).
# v1.10.2's go.mod asks for go 1.26.10, a toolchain the proxy serves, used for that build only. Its CRDs
# are byte-identical to v1.10.1's, so the migrate tests' pin and the bench's may share one cluster.
ARGO_ROLLOUTS_BENCH_VERSION=v1.10.2
ARGO_ROLLOUTS_GOTOOLCHAIN=go1.26.10
ARGO_ROLLOUTS_BIN=$RAMP_CACHE/bin/argo-rollouts-$ARGO_ROLLOUTS_BENCH_VERSION
# Traefik, built from its Go module by build-traefik.sh: the real Gateway API data plane of the traffic
# tests, the abort bench and the demo. v3.7.x needs modules the proxy does not serve (go-acme/lego v5 DNS
# SDKs, a go-http-auth fork); v3.6.12 builds with the pinned Go and implements Gateway API v1.4.0.
TRAEFIK_VERSION=v3.6.12
TRAEFIK_BIN=$RAMP_CACHE/bin/traefik-$TRAEFIK_VERSION
