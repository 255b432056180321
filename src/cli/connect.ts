// The plugin's KubeConfig, read as kubectl reads it: the same files in the same order, merged by the
// loader the controller uses (src/kube/kubeconfig.ts), so `kubectl ramp promote` acts on the cluster
// `kubectl get` shows.
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeconfigFiles, mergeKubeconfigs } from "../kube/kubeconfig.ts";
import { UsageError } from "./context.ts";

/** --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the pod's service account; --context on top. */
export function loadKubeConfig(
  KubeConfigClass: typeof KubeConfig,
  opts: { kubeconfig?: string | undefined; context?: string | undefined; env: NodeJS.ProcessEnv },
): KubeConfig {
  const kc = new KubeConfigClass();
  const files = kubeconfigFiles(opts.kubeconfig, opts.env);
  if (files.length === 0) kc.loadFromDefault();
  else {
    const merged = mergeKubeconfigs(files);
    // client-node reads a token file as "token-file"; kubectl writes "tokenFile".
    const users = merged.users.map(({ name, user }) => ({
      name,
      user: user?.tokenFile ? { ...user, "token-file": user.tokenFile } : user,
    }));
    kc.loadFromString(JSON.stringify({ ...merged, users }));
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw new UsageError(`context "${opts.context}" is not in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  return kc;
}
