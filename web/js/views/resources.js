// resources.js: the resource list: the POC wallets first (their balance
// and how long until they expire), then a searchable, filterable table.
import {get, query} from '../api.js';
import {add, h, replace, table} from '../dom.js';
import {day, daysBetween, money, plural, typeLabel, when} from '../format.js';
import {billingBadges, pageTitle} from '../ui.js';

// Within this many days of expiry a POC wallet is shown as a warning.
const EXPIRY_WARNING_DAYS = 7;

export function pocWalletNotices(wallets) {
  const live = wallets.poc.filter(w => !w.expired);
  return live.map(w => {
    const days = daysBetween(wallets.as_of, w.expires_at);
    const soon = days <= EXPIRY_WARNING_DAYS;
    return h('section', {class: `poc-wallet${soon ? ' poc-wallet-soon' : ''}`, 'aria-label': `POC wallet ${w.id}`},
      h('div', {class: 'poc-wallet-balance'},
        h('span', {class: 'label'}, w.cluster_id ? `POC wallet for cluster ${w.cluster_id}` : 'POC wallet'),
        h('strong', {class: 'amount'}, money(w.balance, wallets.currency))),
      h('div', {class: 'poc-wallet-expiry'},
        h('strong', null, days === 0 ? 'Expires today' : `${plural(days, 'day')} left`),
        h('span', null, ` · expires ${when(w.expires_at)}`)),
      soon ? h('p', {class: 'warning', role: 'alert'},
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
  form.addEventListener('submit', event => {
    event.preventDefault();
    apply();
  });
  form.querySelectorAll('select').forEach(s => s.addEventListener('change', apply));
  return form;
}

function resourceTable(rows, clusterNames, now) {
  return table([
    {label: 'Name', cell: r => h('a', {href: `#/resources/${r.id}`}, r.name)},
    {label: 'ID', class: 'wide-only', cell: r => h('code', null, r.id)},
    {label: 'Type', cell: r => typeLabel(r.type)},
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
  const results = h('div', {'aria-live': 'polite'});
  let next = first.next;
  const more = h('button', {type: 'button', class: 'btn'}, 'Load more');
  const draw = () => {
    replace(results, rows.length
      ? resourceTable(rows, clusterNames, wallets.as_of)
      : h('p', {class: 'empty'}, 'No resources match.'),
    h('p', {class: 'count'}, `${plural(rows.length, 'resource')} shown`), next ? more : null);
  };
  more.addEventListener('click', async () => {
    const page = await get(`/v1/resources${query({...filters, limit: 50, after: next})}`);
    rows.push(...page.data);
    next = page.next;
    draw();
  });
  draw();
  add(view, pageTitle('Resources'), ...pocWalletNotices(wallets),
    filterForm(params, clusters.data, navigate), results);
}
