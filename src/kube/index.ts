// The Kubernetes plumbing the controller runs on: counted clients, informers, work queue, leader
// election and Events. Import from here; the modules behind it are internal.
export {
  type ClientOptions,
  type Clients,
  type ListWatchSource,
  makeClients,
  type PatchContentType,
  PatchType,
  type RawList,
  statusCodeOf,
  type WatchEvent,
} from "./client.ts";
export {
  EventRecorder,
  type EventRecorderOptions,
  type EventType,
  maxMessageBytes,
  truncateUtf8,
} from "./events.ts";
export {
  Informer,
  type InformerHandlers,
  type InformerOptions,
  objectKey,
  stripManagedFields,
} from "./informer.ts";
export { type LeaderElectionOptions, LeaderElector } from "./leader.ts";
export { describeRequest, type RequestInfo } from "./request-info.ts";
export {
  type Clock,
  type HandlerResult,
  realClock,
  type WorkHandler,
  WorkQueue,
  type WorkQueueOptions,
} from "./workqueue.ts";
