// resources.js: the resource list: the POC wallets first (their balance
// and how long until they expire), then a searchable, filterable table.
import {get, query} from '../api.js';
import {add, h, replace, table} from '../dom.js';
import {day, daysBetween, money, plural, serviceLabel, typeLabel, when} from '../format.js';

const HOUR_MS = 3600000;
import {actionButton, billingBadges, pageTitle, statusBadge} from '../ui.js';
import {t} from '../i18n.js';

// With this many whole days left or fewer, a POC wallet is shown as a
// warning: the first of the expiry reminders comes 7 days ahead.
const EXPIRY_WARNING_DAYS = 7;

// "12 days left", or below a day the hours, so 23:00 is not "today".
function timeLeft(asOf, expiresAt) {
  const days = daysBetween(asOf, expiresAt);
  if (days > 0) return t('{count} left', {count: plural(days, 'day')});
  const hours = Math.floor((Date.parse(expiresAt) - Date.parse(asOf)) / HOUR_MS);
  return hours > 0 ? t('{count} left', {count: plural(hours, 'hour')}) : 'less than an hour left';
}

export function pocWalletNotices(wallets) {
  return wallets.poc.map(w => {
    if (w.expired) {
      return h('section', {class: 'poc-wallet poc-wallet-expired', 'aria-label': `POC wallet ${w.id}`},
        h('p', null, `The POC wallet ${w.id} expired on ${when(w.expires_at)}. `,
          'Its POC resources are suspended, and deleted after the retention period unless you Stop POC on them.'));
    }
    const soon = daysBetween(wallets.as_of, w.expires_at) <= EXPIRY_WARNING_DAYS;
    return h('section', {class: `poc-wallet${soon ? ' poc-wallet-soon' : ''}`, 'aria-label': `POC wallet ${w.id}`},
      h('div', {class: 'poc-wallet-balance'},
        h('span', {class: 'label'}, w.cluster_id ? t('POC wallet for cluster {cluster}', {cluster: w.cluster_id}) : 'POC wallet'),
        h('strong', {class: 'amount'}, money(w.balance, wallets.currency))),
      h('div', {class: 'poc-wallet-expiry'},
        h('strong', null, timeLeft(wallets.as_of, w.expires_at)),
        h('span', null, t(' · expires {time}', {time: when(w.expires_at)}))),
      soon ? h('p', {class: 'warning'},
        'Before it expires, Stop POC on the resources you keep (they become paid, same data) or delete them. ',
        'At expiry POC resources are suspended, and deleted after the retention period.') : null);
  });
}

function filterForm(params, clusters, navigate) {
  const q = h('input', {id: 'f-q', name: 'q', type: 'search', value: params.get('q') || '', placeholder: 'name or res_…'});
  const select = (id, name, label, options) => {
    const el = h('select', {id, name}, options.map(([value, text]) =>
      h('option', {value, selected: (params.get(name) || '') === value}, text)));
    return [h('label', {for: id}, label), el];
  };
  const form = h('form', {class: 'filters', role: 'search'},
    h('div', {class: 'field'}, h('label', {for: 'f-q'}, 'Search by name or id'), q),
    h('div', {class: 'field'}, select('f-type', 'type', 'Type', [['', 'All types'], ['cluster', 'Clusters'],
      ['server', 'Servers'], ['volume', 'Volumes'], ['load_balancer', 'Load balancers'], ['snapshot', 'Snapshots']])),
    h('div', {class: 'field'}, select('f-billing', 'billing', 'Billing', [['', 'Any billing'], ['poc', 'POC'],
      ['prepaid', 'Prepaid'], ['postpaid', 'Postpaid']])),
    h('div', {class: 'field'}, select('f-cluster', 'cluster_id', 'Cluster', [['', 'Any cluster'],
      ...clusters.map(c => [c.id, c.name])])),
    h('button', {type: 'submit', class: 'btn'}, 'Search'));
  const apply = () => {
    const data = new FormData(form);
    navigate(`/resources${query(Object.fromEntries(data.entries()))}`);
  };
  // Only on submit (the button, or Enter): a select's change fires on every
  // arrow key, which would leave a keyboard user no way through the list.
  form.addEventListener('submit', event => {
    event.preventDefault();
    apply();
  });
  return form;
}

function resourceTable(rows, clusterNames, now) {
  return table([
    {label: 'Name', cell: r => h('a', {href: `#/resources/${r.id}`}, r.name)},
    {label: 'ID', class: 'wide-only', cell: r => h('code', null, r.id)},
    {label: 'Type', cell: r => typeLabel(r.type)},
    {label: 'Service', cell: r => serviceLabel(r.service)},
    {label: 'Status', cell: r => statusBadge(r.status)},
    {label: 'Cluster', cell: r => r.cluster_id ? h('a', {href: `#/resources/${r.cluster_id}`}, clusterNames.get(r.cluster_id) || r.cluster_id) : '—'},
    {label: 'Billing', cell: r => billingBadges(r, now)},
    {label: 'Created', class: 'wide-only', cell: r => day(r.created_at)},
  ], rows);
}

export async function renderResources(view, {params, navigate}) {
  const filters = {q: params.get('q'), type: params.get('type'), billing: params.get('billing'),
    cluster_id: params.get('cluster_id')};
  const [wallets, clusters, first] = await Promise.all([
    get('/v1/wallets'),
    get('/v1/resources?type=cluster&limit=500'),
    get(`/v1/resources${query({...filters, limit: 50})}`),
  ]);
  const clusterNames = new Map(clusters.data.map(c => [c.id, c.name]));
  const rows = [...first.data];
  const list = h('div');
  const count = h('p', {class: 'count', 'aria-live': 'polite'});
  const status = h('div', {'aria-live': 'assertive'});
  let next = first.next;
  const more = actionButton('Load more', {}, 'Loading…', status, async () => {
    const page = await get(`/v1/resources${query({...filters, limit: 50, after: next})}`);
    rows.push(...page.data);
    next = page.next;
    draw();
  });
  const draw = () => {
    replace(list, rows.length ? resourceTable(rows, clusterNames, wallets.as_of) : h('p', {class: 'empty'}, 'No resources match.'));
    count.textContent = t('{count} shown', {count: plural(rows.length, 'resource')});
    more.hidden = !next;
  };
  draw();
  add(view, pageTitle('Resources'), ...pocWalletNotices(wallets),
    filterForm(params, clusters.data, navigate), list, count, status, more);
}
