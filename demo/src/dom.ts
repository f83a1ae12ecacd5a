// Tiny DOM helpers shared by the two pages: typed lookups that fail loudly when the HTML
// and the script disagree, text/number setters that skip no-op writes (less layout work
// on a page that updates every second), and status pills. No page logic here.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo page is missing #${id}`);
  return el as T;
}

/** Sets text (and an optional raw value in data-value, which the browser tests read). */
export function setText(el: HTMLElement, text: string, raw?: number | string): void {
  if (el.textContent !== text) el.textContent = text;
  if (raw !== undefined) {
    const v = String(raw);
    if (el.dataset.value !== v) el.dataset.value = v;
  }
}

export type PillTone = "ok" | "wait" | "bad";

export function setPill(el: HTMLElement, tone: PillTone, state: string, text: string): void {
  el.classList.remove("pill-ok", "pill-wait", "pill-bad");
  el.classList.add(`pill-${tone}`);
  el.dataset.state = state;
  const label = el.querySelector(".pill-text");
  if (label && label.textContent !== text) label.textContent = text;
}

/** Creates an element with text content; attributes are set as properties-free strings. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}
