// DOM helpers. User text only ever goes through text nodes, never through innerHTML.

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'indeterminate']);

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replaceChildren(el, ...children) {
  clear(el);
  return append(el, children);
}

// Keeps the node of every item whose signature did not change, so a live update does not
// steal the focus from a button or input inside an unchanged item.
export function keyedList(container, items, keyOf, signatureOf, build) {
  const previous = new Map();
  for (const node of Array.from(container.children)) {
    if (node.dataset.key !== undefined) previous.set(node.dataset.key, node);
  }
  const ordered = [];
  for (const item of items) {
    const key = String(keyOf(item));
    const signature = signatureOf(item);
    let node = previous.get(key);
    if (!node || node.dataset.sig !== signature) {
      node = build(item);
      node.dataset.key = key;
      node.dataset.sig = signature;
    }
    ordered.push(node);
  }
  const keptSet = new Set(ordered);
  for (const node of Array.from(container.children)) {
    if (!keptSet.has(node)) node.remove();
  }
  ordered.forEach((node, index) => {
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] || null);
  });
}

// Returns a random id usable as an operation id. crypto.randomUUID exists only in secure
// contexts, and phones reach the venue laptop over plain http, so build it from getRandomValues.
export function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function storageGet(key, fallback = null) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function storageSet(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private browsing on old Safari throws on write: the page still works without persistence.
  }
}

let fieldCounter = 0;
export function uniqueId(prefix) {
  fieldCounter += 1;
  return `${prefix}-${fieldCounter}`;
}

// Announces a message to screen readers and shows it as a toast.
export function announce(message, kind = 'info') {
  const region = document.getElementById(kind === 'error' ? 'toast-alert' : 'toast-status');
  if (!region) return;
  const item = h('p', { class: ['toast', `toast-${kind}`], text: message });
  region.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 9000 : 5000);
}
