// Segment-lease room: re-exports only.
export { SegmentLeases } from "./durable-object";
export { serveClaimed } from "./claim";
