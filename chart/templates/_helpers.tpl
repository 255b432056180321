{{/* The chart name, or nameOverride. */}}
{{- define "ramp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of every object: the release name, prefixed with the chart name unless it contains it. */}}
{{- define "ramp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The namespace of every namespaced object: the release's, or namespaceOverride (umbrella charts). */}}
{{- define "ramp.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 -}}
{{- end -}}

{{- define "ramp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (a Deployment's selector is immutable). */}}
{{- define "ramp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ramp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "ramp.labels" -}}
helm.sh/chart: {{ include "ramp.chart" . }}
{{ include "ramp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ramp
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "ramp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ramp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The namespace the controller watches in namespaced mode. */}}
{{- define "ramp.watchNamespace" -}}
{{- default (include "ramp.namespace" .) .Values.watchNamespace -}}
{{- end -}}

{{- define "ramp.leaseName" -}}
{{- default (include "ramp.fullname" .) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "ramp.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The rules the controller needs on namespaced resources, shared by the ClusterRole (cluster-wide mode)
and the Role (namespaced mode). Each verb is one the code uses; docs/install.md says where.
*/}}
{{- define "ramp.namespacedRules" -}}
# Rollouts: read through watches; the controller writes their status subresource, and patches
# metadata.finalizers (ramp.dev/traffic-cleanup) on Rollouts with trafficRouting, never their spec.
- apiGroups: ["ramp.dev"]
  resources: ["rollouts"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["ramp.dev"]
  resources: ["rollouts/status"]
  verbs: ["patch"]
# Owner references with blockOwnerDeletion (ReplicaSets, AnalysisRuns, canary Ingresses, analysis Jobs)
# need update on the owner's finalizers where OwnerReferencesPermissionEnforcement is enabled.
- apiGroups: ["ramp.dev"]
  resources: ["rollouts/finalizers", "analysisruns/finalizers"]
  verbs: ["update"]
# AnalysisRuns: created per step/background analysis, terminated by patch, pruned by delete.
- apiGroups: ["ramp.dev"]
  resources: ["analysisruns"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["ramp.dev"]
  resources: ["analysisruns/status"]
  verbs: ["patch"]
- apiGroups: ["ramp.dev"]
  resources: ["analysistemplates"]
  verbs: ["list", "watch"]
# Notifiers: read when a transition is recorded; their Ready condition is written to their status.
- apiGroups: ["ramp.dev"]
  resources: ["notifiers"]
  verbs: ["list", "watch"]
- apiGroups: ["ramp.dev"]
  resources: ["notifiers/status"]
  verbs: ["patch"]
# ReplicaSets: one per version, scaled by patch, old ones deleted past revisionHistoryLimit.
- apiGroups: ["apps"]
  resources: ["replicasets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# Deployments a Rollout's spec.workloadRef names: watched for their pod template; only spec.replicas is
# ever written (scaleDown), through the scale subresource. HPAs are watched to report one still aimed at
# such a Deployment.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  verbs: ["patch"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["list", "watch"]
# Services: the stable/canary/active/preview selectors are pinned to a version's pod-template hash.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "patch"]
# Pods: `kubectl ramp restart` (spec.restartAt) lists a Rollout's pods and deletes them one by one; role
# metadata (canaryMetadata, stableMetadata, …) moves with a role by patching the running pods' labels.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "delete", "patch"]
# Jobs: the Job analysis provider creates one per measurement and watches it finish.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create"]
# Events about Rollouts and AnalysisRuns; repeats are aggregated with a patch.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# Traffic routing: routes are watched; the user's routes are patched (weights, managed routes); ramp's
# own canary Ingress is written with server-side apply (a patch, which the apiserver authorizes as
# create too while the object does not exist yet) and deleted at the end.
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["list", "watch", "patch"]
# A route's Gateway names its GatewayClass, whose supportedFeatures say whether a mirror step can work.
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways"]
  verbs: ["list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.istio.io"]
  resources: ["virtualservices", "destinationrules"]
  verbs: ["list", "watch", "patch"]
{{- end -}}

{{/* Cluster-scoped objects: ClusterAnalysisTemplates, ClusterNotifiers (and their status), GatewayClasses and CRDs (always a ClusterRole). */}}
{{- define "ramp.clusterTemplateRules" -}}
- apiGroups: ["ramp.dev"]
  resources: ["clusteranalysistemplates", "clusternotifiers"]
  verbs: ["list", "watch"]
- apiGroups: ["ramp.dev"]
  resources: ["clusternotifiers/status"]
  verbs: ["patch"]
# GatewayClasses (cluster-scoped too): the features a Gateway API implementation publishes.
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gatewayclasses"]
  verbs: ["list", "watch"]
# CRDs, read-only: a router's API (Gateway API, Istio) installed or deleted after ramp is followed, no restart.
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["list", "watch"]
{{- end -}}

{{/* The Secrets rule: GET only, by name when names are given; nothing when analysis reads none. */}}
{{- define "ramp.secretRules" -}}
{{- $names := .Values.analysis.secretNames -}}
{{- if $names -}}
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: {{ toJson $names }}
  verbs: ["get"]
{{- else if and (not .Values.namespaced) .Values.analysis.readAllSecrets -}}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- end -}}
{{- end -}}
