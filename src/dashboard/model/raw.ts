// The loose shapes the model builders read: raw JSON as the watch caches hold it, every field optional,
// so a half-written or older object still renders instead of throwing.

export type RawMeta = {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  ownerReferences?: { uid?: string; controller?: boolean }[];
};

export type RawContainer = { name?: string; image?: string };
export type RawTemplate = { spec?: { containers?: RawContainer[] } };

export type RawStep = {
  setWeight?: number;
  pause?: { duration?: string | number };
  analysis?: { templates?: { templateName?: string }[] };
  setCanaryScale?: { weight?: number; replicas?: number; matchTrafficWeight?: boolean };
  setHeaderRoute?: { name?: string };
  setMirrorRoute?: { name?: string; percentage?: number };
};

export type RawTrafficRouting = {
  gatewayAPI?: { httpRoutes?: { name?: string }[] };
  nginx?: { stableIngress?: string; stableIngresses?: string[]; annotationPrefix?: string };
  istio?: { virtualService?: { name?: string }; virtualServices?: { name?: string }[] };
};

export type RawRollout = {
  metadata?: RawMeta;
  spec?: {
    paused?: boolean;
    template?: RawTemplate;
    workloadRef?: { name?: string; kind?: string };
    strategy?: {
      canary?: { steps?: RawStep[]; trafficRouting?: RawTrafficRouting };
      blueGreen?: Record<string, unknown>;
    };
  };
  status?: {
    phase?: string;
    message?: string;
    currentPodHash?: string;
    stableRS?: string;
    currentStepIndex?: number;
    stepCount?: number;
    canary?: { weight?: number };
    pauseStartTime?: string;
    abort?: { reason?: string; message?: string; by?: string; at?: string };
    conditions?: {
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
    machine?: { value?: string; context?: Record<string, unknown> };
  };
};

export type RawReplicaSet = {
  metadata?: RawMeta;
  spec?: { replicas?: number; template?: RawTemplate };
  status?: { replicas?: number; readyReplicas?: number };
};

export type RawPod = {
  metadata?: RawMeta;
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: { restartCount?: number }[];
  };
};

export type RawMeasurement = {
  phase?: string;
  value?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
};

export type RawAnalysisRun = {
  metadata?: RawMeta;
  spec?: {
    metrics?: { name?: string; successCondition?: string; failureCondition?: string }[];
    args?: {
      name?: string;
      value?: string;
      valueFrom?: { secretKeyRef?: { name?: string; key?: string }; fieldRef?: { fieldPath?: string } };
    }[];
  };
  status?: {
    phase?: string;
    message?: string;
    startedAt?: string;
    metricResults?: { name?: string; phase?: string; measurements?: RawMeasurement[] }[];
  };
};

export type RawEvent = {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  metadata?: RawMeta;
};
