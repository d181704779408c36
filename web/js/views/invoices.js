// invoices.js: invoice history, and one invoice laid out to print cleanly
// (print.css), with its download as a PDF tallyd renders (in the console's
// language), as JSON and as CSV.
import {get, getFile, listAll, query} from '../api.js';
import {add, facts, h, replace, table} from '../dom.js';
import {day, kindLabel, money, percentFromBp, plural, serviceLabel, when} from '../format.js';
import {actionButton, pageTitle} from '../ui.js';
import {lang, t, tr} from '../i18n.js';

function period(invoice) {
  return invoice.period ? `${day(invoice.period.start)} – ${day(invoice.period.end)}` : '—';
}

// A credit note gives money back: its total counts against the others.
function signedTotal(invoice) {
  return invoice.kind === 'credit_note' ? -invoice.total : invoice.total;
}

function statusBadge(invoice) {
  return h('span', {class: `badge badge-invoice-${invoice.status}`}, invoice.status.replace(/_/g, ' '));
}

function invoiceTable(rows) {
  return table([
    {label: 'Number', cell: i => h('a', {href: `#/invoices/${i.id}`}, i.number)},
    {label: 'Issued', cell: i => day(i.issued_at)},
    {label: 'Resource', cell: i => h('a', {href: `#/resources/${i.resource_id}`}, i.resource_name)},
    {label: 'Kind', class: 'wide-only', cell: i => tr(kindLabel(i.kind))},
    {label: 'Period', class: 'wide-only', cell: period},
    {label: 'Total', class: 'num', cell: i => money(signedTotal(i), i.currency)},
    {label: 'Status', cell: statusBadge},
  ], rows, 'Invoice history');
}

// The invoices of a cluster are its members' (each server and volume is
// invoiced on its own) and its own: every one of them, newest first.
async function clusterInvoices(cluster) {
  const ids = [cluster.id, ...cluster.members.map(m => m.id)];
  const lists = await Promise.all(ids.map(id => listAll('/v1/invoices', {resource_id: id})));
  const rows = lists.flatMap(l => l.items);
  rows.sort((a, b) => (a.issued_at === b.issued_at ? (a.id < b.id ? 1 : -1) : (a.issued_at < b.issued_at ? 1 : -1)));
  return {rows, complete: lists.every(l => l.complete)};
}

export async function renderInvoices(view, {params}) {
  const resourceId = params.get('resource_id');
  const resource = resourceId ? await get(`/v1/resources/${resourceId}`) : null;
  const scope = resource ? h('p', null, resource.members ? 'Invoices of the cluster ' : 'Invoices of ',
    h('a', {href: `#/resources/${resource.id}`}, resource.name),
    resource.members ? ` and its ${plural(resource.members.length, 'member')}` : '',
    ' · ', h('a', {href: '#/invoices'}, 'all invoices')) : null;
  const count = h('p', {class: 'count', 'aria-live': 'polite'});
  if (resource && resource.members) {
    const {rows, complete} = await clusterInvoices(resource);
    count.textContent = `${t('{count} shown', {count: plural(rows.length, 'invoice')})}${complete ? '' : ' (the newest only)'}`;
    add(view, pageTitle('Invoices'), scope,
      rows.length ? invoiceTable(rows) : h('p', {class: 'empty'}, 'No invoices yet.'), count);
    return;
  }
  const rows = [];
  let next = null;
  const list = h('div');
  const status = h('div', {'aria-live': 'assertive'});
  const load = async () => {
    const page = await get(`/v1/invoices${query({resource_id: resourceId, limit: 50, after: next})}`);
    rows.push(...page.data);
    next = page.next;
  };
  const more = actionButton('Load more', {}, 'Loading…', status, async () => {
    await load();
    draw();
  });
  const draw = () => {
    replace(list, rows.length ? invoiceTable(rows) : h('p', {class: 'empty'}, 'No invoices yet.'));
    count.textContent = t('{count} shown', {count: plural(rows.length, 'invoice')});
    more.hidden = !next;
  };
  await load();
  draw();
  add(view, pageTitle('Invoices'), scope, list, count, status, more);
}

// A text cell a spreadsheet would run as a formula (=, +, -, @) is
// written with a leading ' instead; numbers are written as they are.
function csvCell(value) {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// CSV: one row per line (a credit note, which has none, gets one row), the
// invoice's own columns first, then every scalar field the lines have.
// Amounts stay integers of minor units, with the currency in its own
// column, so a spreadsheet sums them exactly.
export function invoiceCsv(invoice) {
  const head = {invoice_number: invoice.number, invoice_id: invoice.id, issued_at: invoice.issued_at,
    status: invoice.status, kind: invoice.kind, credits: invoice.credits, resource_id: invoice.resource_id,
    resource_name: invoice.resource_name, period_start: invoice.period && invoice.period.start,
    period_end: invoice.period && invoice.period.end, currency: invoice.currency,
    invoice_subtotal: invoice.subtotal, invoice_discount: invoice.discount, invoice_tax: invoice.tax,
    invoice_total: invoice.total};
  const invoiceColumns = Object.keys(head);
  const lineColumns = [];
  for (const line of invoice.lines) {
    for (const [k, v] of Object.entries(line)) {
      if ((v === null || typeof v !== 'object') && !lineColumns.includes(k)) lineColumns.push(k);
    }
  }
  const lines = invoice.lines.length ? invoice.lines : [{}];
  const rows = [[...invoiceColumns, ...lineColumns].join(',')];
  for (const line of lines) {
    rows.push([...invoiceColumns.map(c => csvCell(head[c])), ...lineColumns.map(c => csvCell(line[c]))].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function lineTable(invoice) {
  const c = invoice.currency;
  return table([
    {label: 'Description', cell: l => l.description || l.item_id},
    {label: 'Qty', class: 'num', cell: l => (l.unit === 'gb_month' ? `${l.quantity} GB` : l.quantity)},
    {label: 'Unit price', class: 'num', cell: l => money(l.unit_price, c)},
    {label: 'Term', class: 'num', cell: l => (l.cycle_months ? plural(l.cycle_months, 'month') : '—')},
    {label: 'Discounts', class: 'num', cell: l => money(-((l.cycle_discount || 0) + (l.coupon_discount || 0)), c)},
    {label: 'Tax', class: 'num', cell: l => money(l.tax, c)},
    {label: 'Total', class: 'num', cell: l => money(l.total, c)},
  ], invoice.lines, 'Lines');
}

// The totals with the words and the order of the checkout: Price, Term
// discount, Subtotal (after the term discount), Coupon discount, Tax,
// Total. tallyd's invoice has one "discount" (term and coupon together) and
// a "subtotal" before both; its lines say which part is which.
export function invoiceTotals(invoice) {
  const c = invoice.currency;
  const sum = field => invoice.lines.reduce((n, l) => n + (l[field] || 0), 0);
  const term = sum('cycle_discount');
  const coupon = sum('coupon_discount');
  const split = term + coupon === invoice.discount;
  const rows = [];
  if (invoice.discount !== 0 && split) {
    rows.push(['Price', invoice.subtotal]);
    if (term) rows.push(['Term discount', -term]);
    rows.push(['Subtotal', invoice.subtotal - term]);
    if (coupon) rows.push([invoice.coupon_code ? t('Coupon discount ({code})', {code: invoice.coupon_code}) : 'Coupon discount', -coupon]);
  } else if (invoice.discount !== 0) {
    rows.push(['Price', invoice.subtotal], ['Discounts', -invoice.discount],
      ['Subtotal', invoice.subtotal - invoice.discount]);
  } else {
    rows.push(['Subtotal', invoice.subtotal]);
  }
  const rate = invoice.lines.length && invoice.lines[0].tax_rate_bp !== undefined
    ? percentFromBp(invoice.lines[0].tax_rate_bp) : null;
  rows.push([rate ? t('Tax ({rate})', {rate}) : 'Tax', invoice.tax]);
  return h('dl', {class: 'totals', 'aria-label': 'Totals'},
    rows.map(([label, amount]) => [h('dt', null, label), h('dd', null, money(amount, c))]),
    h('dt', {class: 'total'}, invoice.kind === 'credit_note' ? 'Refunded to your credit' : 'Total'),
    h('dd', {class: 'total'}, money(invoice.total, c)),
    invoice.amount_paid !== undefined ? [h('dt', null, 'Paid'), h('dd', null, money(invoice.amount_paid, c))] : null);
}

export async function renderInvoice(view, {args: [id]}) {
  const invoice = await get(`/v1/invoices/${id}`);
  const account = await get(`/v1/accounts/${invoice.account_id}`);
  const pdfStatus = h('div', {class: 'no-print', 'aria-live': 'polite'});
  const actions = h('div', {class: 'page-actions no-print'},
    h('button', {type: 'button', class: 'btn', onclick: () => window.print()}, 'Print'),
    actionButton('Download PDF', {id: 'download-pdf'}, 'Preparing the PDF…', pdfStatus, async () =>
      download(`${invoice.number}.pdf`, 'application/pdf',
        await getFile(`/v1/invoices/${invoice.id}.pdf?lang=${lang()}`, 'application/pdf'))),
    h('button', {type: 'button', class: 'btn', id: 'download-json',
      onclick: () => download(`${invoice.number}.json`, 'application/json', `${JSON.stringify(invoice, null, 2)}\n`)}, 'Download JSON'),
    h('button', {type: 'button', class: 'btn', id: 'download-csv',
      onclick: () => download(`${invoice.number}.csv`, 'text/csv', invoiceCsv(invoice))}, 'Download CSV'));
  add(view, 
    pageTitle(t('Invoice {number}', {number: invoice.number}), statusBadge(invoice), actions),
    pdfStatus,
    h('div', {class: 'invoice'},
      facts([
        ['Invoice', `${invoice.number} (${invoice.id})`],
        ['Billed to', `${account.name} (${account.id})`],
        ['Issued', when(invoice.issued_at)],
        ['Kind', kindLabel(invoice.kind)],
        ['Resource', `${invoice.resource_name} (${invoice.resource_id})`],
        ['Service', serviceLabel(invoice.service)],
        ['Period', period(invoice)],
        invoice.payment_id ? ['Payment', invoice.payment_id] : null,
        invoice.credits ? ['Refund of', h('a', {href: `#/invoices/${invoice.credits}`}, invoice.credits)] : null,
      ]),
      invoice.lines.length ? lineTable(invoice) : null,
      invoiceTotals(invoice)),
    h('p', {class: 'no-print'}, h('a', {href: '#/invoices'}, 'All invoices')));
}
