// Imported before uPlot (see charts.ts). uPlot runs `new Intl.NumberFormat(navigator.language)`
// when its module loads, and that throws RangeError for the POSIX-style tags some Linux
// browsers report (headless Chromium under LANG=C.UTF-8 says "en-US@posix"), which would
// take the whole page down. When the browser's tag is not a valid BCP 47 tag, shadow it
// with its valid prefix (or en-US) on this page only. Does nothing in a normal browser.

function valid(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && typeof navigator.language === "string" && !valid(navigator.language)) {
  const prefix = navigator.language.split(/[@.]/)[0] ?? "";
  const fixed = prefix && valid(prefix) ? prefix : "en-US";
  Object.defineProperty(navigator, "language", { value: fixed, configurable: true });
}

export {};
