// dom.js: building elements without innerHTML, so nothing the API returns
// (a resource name, an error message) can ever run as markup. Text children
// and label attributes go through tr(): the console's words in the chosen
// language (i18n.js).
import {tr} from './i18n.js';

const LABEL_ATTRIBUTES = new Set(['aria-label', 'placeholder', 'title']);

// h('a', {href: '#/x', class: 'btn'}, 'text', child, [more]) -> element.
// Attributes starting with "on" are event listeners; null/false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, LABEL_ATTRIBUTES.has(name) ? tr(String(value)) : String(value));
  }
  append(el, children);
  return el;
}

// Appends children to el, flattening arrays and skipping null/false.
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : tr(String(child)));
  }
}

// Replaces everything inside el.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A table: columns [{label, cell: row => content, class?}], rows, caption.
// Each cell carries its column's label (data-label): on a phone-width screen
// the rows are stacked as cards, each value under its label (console.css).
export function table(columns, rows, caption) {
  return h('div', {class: 'table-wrap'},
    h('table', null,
      caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, columns.map(c => h('th', {scope: 'col', class: c.class}, c.label)))),
      h('tbody', null, rows.map(row => h('tr', null, columns.map(c => h('td', {class: c.class, 'data-label': c.label}, c.cell(row))))))));
}

// Definition list from [label, value] pairs.
export function facts(pairs) {
  return h('dl', {class: 'facts'}, pairs.filter(Boolean).map(([label, value]) =>
    [h('dt', null, label), h('dd', null, value)]));
}
