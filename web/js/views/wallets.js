// wallets.js: credit (balance, held, available), the last 12 months of
// invoiced amounts, and each live POC wallet's burn-down toward expiry.
import {get, listAll} from '../api.js';
import {add, facts, h, table} from '../dom.js';
import {compactMoney, day, money, serviceLabel} from '../format.js';
import {barChart, burnDown} from '../charts.js';
import {pageTitle} from '../ui.js';
import {locale, t} from '../i18n.js';

// The 12 months ending with as_of's month, as "YYYY-MM" keys, oldest first.
export function lastTwelveMonths(asOf) {
  const end = new Date(asOf);
  const months = [];
  for (let i = 11; i >= 0; i--) {
    const d = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - i, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  return months;
}

// Net invoiced per month: invoices add, credit notes take away.
export function monthlyInvoiced(invoices, months) {
  const sums = new Map(months.map(m => [m, 0]));
  for (const inv of invoices) {
    const month = inv.issued_at.slice(0, 7);
    if (!sums.has(month)) continue;
    sums.set(month, sums.get(month) + (inv.kind === 'credit_note' ? -inv.total : inv.total));
  }
  return months.map(m => ({month: m, value: sums.get(m)}));
}

function monthLabel(key) {
  return new Date(`${key}-01T00:00:00Z`).toLocaleString(locale(), {month: 'short', timeZone: 'UTC'});
}

function creditSection(wallets) {
  const c = wallets.currency;
  return h('section', {class: 'card', 'aria-labelledby': 'credit-h'},
    h('h2', {id: 'credit-h'}, 'Credit'),
    h('dl', {class: 'stats'},
      h('div', null, h('dt', null, 'Balance'), h('dd', {id: 'credit-balance'}, money(wallets.credit.balance, c))),
      h('div', null, h('dt', null, 'Held'), h('dd', {id: 'credit-held'}, money(wallets.credit.held, c))),
      h('div', null, h('dt', null, 'Available'), h('dd', {id: 'credit-available'}, money(wallets.credit.available, c)))),
    h('p', {class: 'help'}, 'Held credit is reserved for services settled by hold (such as vContainer) until their monthly invoice.'));
}

function spendingSection(wallets, {items: invoices, complete}) {
  const c = wallets.currency;
  const months = monthlyInvoiced(invoices, lastTwelveMonths(wallets.as_of));
  return h('section', {class: 'card', 'aria-labelledby': 'spend-h'},
    h('h2', {id: 'spend-h'}, 'Invoiced, last 12 months'),
    barChart({title: 'Invoiced per month, last 12 months', description: 'Net of credit notes.',
      bars: months.map(m => ({label: monthLabel(m.month), value: m.value})), format: v => compactMoney(v, c)}),
    complete ? null : h('p', {class: 'warning'}, `Only the newest ${invoices.length} invoices are counted; older months may be short.`),
    h('details', null, h('summary', null, 'The figures'),
      table([{label: 'Month', cell: m => m.month}, {label: 'Invoiced (net)', class: 'num', cell: m => money(m.value, c)}], months)));
}

// Net invoiced per key (service, resource) over `invoices`, largest first.
export function invoicedBy(invoices, key) {
  const sums = new Map();
  for (const inv of invoices) {
    const k = key(inv);
    sums.set(k, (sums.get(k) || 0) + (inv.kind === 'credit_note' ? -inv.total : inv.total));
  }
  return [...sums].map(([k, value]) => ({key: k, value})).sort((a, b) => b.value - a.value);
}

// Where the money of the last 12 months went: by service, and by resource
// (the 20 largest, each linked).
function breakdownSection(wallets, {items: invoices}) {
  const c = wallets.currency;
  const byService = invoicedBy(invoices, i => i.service || '');
  const names = new Map(invoices.map(i => [i.resource_id, i.resource_name]));
  const byResource = invoicedBy(invoices, i => i.resource_id);
  const top = byResource.slice(0, 20);
  return h('section', {class: 'card', 'aria-labelledby': 'breakdown-h'},
    h('h2', {id: 'breakdown-h'}, 'Spending by service and by resource, last 12 months'),
    invoices.length === 0 ? h('p', {class: 'empty'}, 'Nothing invoiced yet.') : [
      table([{label: 'Service', cell: r => serviceLabel(r.key)},
        {label: 'Invoiced (net)', class: 'num', cell: r => money(r.value, c)}], byService, 'By service'),
      table([{label: 'Resource', cell: r => h('a', {href: `#/resources/${r.key}`}, names.get(r.key) || r.key)},
        {label: 'Invoiced (net)', class: 'num', cell: r => money(r.value, c)}], top,
      byResource.length > top.length ? t('By resource (the {top} largest of {all})', {top: top.length, all: byResource.length}) : 'By resource'),
    ]);
}

function pocSection(wallets) {
  const c = wallets.currency;
  const live = wallets.poc.filter(w => !w.expired);
  if (live.length === 0) return h('section', {class: 'card'}, h('h2', null, 'POC wallets'), h('p', {class: 'empty'}, 'No POC wallet is active.'));
  return h('section', {class: 'card', 'aria-labelledby': 'poc-h'}, h('h2', {id: 'poc-h'}, 'POC wallets'),
    live.map(w => {
      const {chart, description} = burnDown({title: `POC wallet ${w.id} burn-down`, granted: w.granted, balance: w.balance,
        createdAt: w.created_at, asOf: wallets.as_of, expiresAt: w.expires_at, format: v => compactMoney(v, c), formatDate: day});
      return h('div', {class: 'poc-burn'},
        facts([['Wallet', h('code', null, w.id)], ['Granted', money(w.granted, c)], ['Left', money(w.balance, c)],
          ['Expires', day(w.expires_at)], w.cluster_id ? ['Cluster', w.cluster_id] : null]),
        chart, h('p', {class: 'help'}, description));
    }));
}

export async function renderWallets(view) {
  const wallets = await get('/v1/wallets');
  const since = lastTwelveMonths(wallets.as_of)[0];
  // Newest first: stop at the first invoice older than the chart's window.
  const invoices = await listAll('/v1/invoices', {}, inv => inv.issued_at.slice(0, 7) >= since);
  add(view, pageTitle('Wallets & spending'), creditSection(wallets), pocSection(wallets),
    spendingSection(wallets, invoices), breakdownSection(wallets, invoices));
}
