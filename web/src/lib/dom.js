// A small DOM builder. Every text that may come from a file name, a signature or a server
// goes through textContent, never through innerHTML: a model may name a file
// `<img src=x onerror=...>`.

/**
 * h('p', {class: 'x', onclick: fn, hidden: true}, 'text', child, [more]) -> Element.
 * Attributes: `class`, `for`, aria-*, data-* and others are set as attributes; `on*`
 * functions become listeners; `true` sets a boolean attribute, `false`/null/undefined skip it.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value' && 'value' in el) el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** Saves `data` (a string or Blob) as a download named `name`. */
export function download(name, data, type = 'application/json') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL; keep it a moment for slow browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
