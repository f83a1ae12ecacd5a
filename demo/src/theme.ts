// One palette for both pages, so HTTP and P2P are the same colours in every card,
// chart, bar and timeline cell. Mirrors the CSS custom properties in demo/styles.css
// (canvas charts cannot read CSS variables cheaply, so the values live here too).

export const COLORS = {
  http: "#f5a524", // amber: the origin's bytes, the ones on the egress bill
  p2p: "#2dd4bf", // teal: bytes a peer delivered and the SHA-256 check accepted
  upload: "#a78bfa", // violet: bytes this viewer gave to others
  rejected: "#f87171", // red: peer segments that failed the hash check
  offload: "#2dd4bf",
  axis: "#9aa4b8",
  grid: "rgba(154, 164, 184, 0.15)",
} as const;
