// Segment-lease room: re-exports only.
export { SegmentLeases } from "./durable-object";
export { applyClaim, CLAIM_HEADER } from "./claim";
