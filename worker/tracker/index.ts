// Tracker room entry: re-exports only (routes are dispatched by worker/index.ts).
export { TrackerShard } from "./durable-object";
export { ShardRegistry } from "./registry";
export { handleTrackerRequest } from "./routing";
export { handleTrackerStats, handleTrackerTestOutage } from "./stats";
