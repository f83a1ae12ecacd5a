// Network lab room entry: re-exports only. See docs/netlab.md.
export { PROFILES, parseProfile, planProfile, tbfBurstBytes, type LinkCaps, type ProfileName } from "./profiles.ts";
export { openNetLab, type NetHost, type NetLab } from "./lab.ts";
export { netlabSupport } from "./commands.ts";
