// Tracker room entry: re-exports only (routes are dispatched by worker/index.ts).
export { TrackerShard } from "./durable-object";
export { ShardRegistry } from "./registry";
export { ChannelDirectory } from "./directory";
export { handleTrackerRequest } from "./connect";
export { handleTrackerStats, handleTrackerTestOutage } from "./stats";
