// Build-time constants (scripts/build.mjs defines them through esbuild).
declare const __EDGESWARM_TEST__: boolean;
