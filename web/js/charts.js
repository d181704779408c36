// charts.js: the console's two charts as plain SVG: monthly bars and a
// POC wallet's burn-down. Each chart has a text title and description for
// screen readers; the numbers it draws are also written out beside it.

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const child of children) if (child) el.append(child);
  return el;
}

function text(x, y, content, attrs = {}) {
  const el = svg('text', {x, y, ...attrs});
  el.textContent = content;
  return el;
}

function frame(width, height, title, description) {
  const t = svg('title');
  t.textContent = title;
  const d = svg('desc');
  d.textContent = description;
  return svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart',
    preserveAspectRatio: 'xMidYMid meet'}, t, d);
}

// bars: [{label, value}] (value may be negative); format: value -> text.
export function barChart({title, description, bars, format}) {
  const width = 640, height = 260, left = 64, right = 12, top = 16, bottom = 40;
  const max = Math.max(0, ...bars.map(b => b.value));
  const min = Math.min(0, ...bars.map(b => b.value));
  const span = max - min || 1;
  const plotH = height - top - bottom;
  const y = v => top + ((max - v) / span) * plotH;
  const slot = (width - left - right) / Math.max(1, bars.length);
  const chart = frame(width, height, title, description);
  chart.classList.add('bar-chart');
  chart.append(
    svg('line', {x1: left, x2: width - right, y1: y(0), y2: y(0), class: 'axis'}),
    text(left - 6, y(max) + 4, format(max), {'text-anchor': 'end', class: 'tick'}),
    min < 0 ? text(left - 6, y(min) + 4, format(min), {'text-anchor': 'end', class: 'tick'}) : null,
    text(left - 6, y(0) + 4, format(0), {'text-anchor': 'end', class: 'tick'}));
  bars.forEach((b, i) => {
    const x = left + i * slot + slot * 0.15;
    const top0 = Math.min(y(b.value), y(0));
    const bar = svg('rect', {x, y: top0, width: slot * 0.7, height: Math.max(b.value ? 1 : 0, Math.abs(y(b.value) - y(0))),
      class: b.value < 0 ? 'bar bar-negative' : 'bar', 'data-value': b.value});
    const tip = svg('title');
    tip.textContent = `${b.label}: ${format(b.value)}`;
    bar.append(tip);
    chart.append(bar, text(x + slot * 0.35, height - bottom + 16, b.label, {'text-anchor': 'middle', class: 'tick'}));
  });
  return chart;
}

// A POC wallet from its grant to its expiry: the balance at the grant and
// now (a straight line: the average burn), then the same rate projected
// (dashed) until the money or the time runs out.
export function burnDown({title, granted, balance, createdAt, asOf, expiresAt, format, formatDate}) {
  const width = 640, height = 240, left = 64, right = 16, top = 16, bottom = 40;
  const t0 = Date.parse(createdAt), t1 = Date.parse(asOf), tEnd = Date.parse(expiresAt);
  const spanT = Math.max(1, tEnd - t0);
  const x = t => left + (Math.min(Math.max(t, t0), tEnd) - t0) / spanT * (width - left - right);
  const y = v => top + (1 - v / Math.max(1, granted)) * (height - top - bottom);
  const ratePerMs = t1 > t0 ? (granted - balance) / (t1 - t0) : 0;
  const runsOutAt = ratePerMs > 0 ? t1 + balance / ratePerMs : Infinity;
  const projectedEnd = Math.min(runsOutAt, tEnd);
  const projectedBalance = Math.max(0, balance - ratePerMs * (projectedEnd - t1));
  const description = runsOutAt < tEnd
    ? `At the average rate so far the wallet runs out on ${formatDate(new Date(runsOutAt).toISOString())}, before it expires on ${formatDate(expiresAt)}.`
    : `At the average rate so far ${format(projectedBalance)} is left unused when the wallet expires on ${formatDate(expiresAt)}.`;
  const chart = frame(width, height, title, description);
  chart.classList.add('burn-down');
  chart.append(
    svg('line', {x1: left, x2: width - right, y1: y(0), y2: y(0), class: 'axis'}),
    text(left - 6, y(granted) + 4, format(granted), {'text-anchor': 'end', class: 'tick'}),
    text(left - 6, y(0) + 4, format(0), {'text-anchor': 'end', class: 'tick'}),
    svg('polyline', {points: `${x(t0)},${y(granted)} ${x(t1)},${y(balance)}`, class: 'burn-actual'}),
    svg('polyline', {points: `${x(t1)},${y(balance)} ${x(projectedEnd)},${y(projectedBalance)}`, class: 'burn-projected'}),
    svg('circle', {cx: x(t1), cy: y(balance), r: 4, class: 'burn-now'}),
    svg('line', {x1: x(tEnd), x2: x(tEnd), y1: top, y2: y(0), class: 'expiry-line'}),
    text(x(t0), height - bottom + 16, formatDate(createdAt), {'text-anchor': 'start', class: 'tick'}),
    text(x(t1), height - bottom + 32, 'now', {'text-anchor': 'middle', class: 'tick'}),
    text(x(tEnd), height - bottom + 16, `expires ${formatDate(expiresAt)}`, {'text-anchor': 'end', class: 'tick'}));
  return {chart, description};
}
