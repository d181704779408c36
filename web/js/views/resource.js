// resource.js: one resource or cluster: its billing state, a cluster's
// members grouped by role, the Stop POC button (top right, while Stop POC
// is available) and deletion with a confirmation.
import {get, request, userAction} from '../api.js';
import {add, facts, h, table} from '../dom.js';
import {billingModeLabel, day, money, plural, roleLabel, serviceLabel, typeLabel, when} from '../format.js';
import {actionButton, billingBadges, openDialog, pageTitle, statusBadge} from '../ui.js';
import {stopPoc} from './stoppoc.js';

const GROUPS = [
  ['node', 'Nodes'], ['boot_volume', 'Boot volumes'], ['pvc', 'PVCs'],
  ['load_balancer', 'Load balancers'], ['snapshot', 'Snapshots'],
];

function memberGroups(members, now) {
  const known = new Set(GROUPS.map(([role]) => role));
  const groups = [...GROUPS, ['other', 'Other members']];
  return groups.map(([role, title]) => {
    const rows = members.filter(m => (role === 'other' ? !known.has(m.role) : m.role === role));
    if (rows.length === 0) return null;
    return h('section', {class: 'member-group', 'aria-label': title},
      h('h3', null, title, ` (${rows.length})`),
      table([
        {label: 'Name', cell: m => h('a', {href: `#/resources/${m.id}`}, m.name)},
        {label: 'ID', class: 'wide-only', cell: m => h('code', null, m.id)},
        {label: 'Type', cell: m => typeLabel(m.type)},
        {label: 'Billing', cell: m => billingBadges(m, now)},
      ], rows));
  });
}

function deleteDialog(resource, opener, navigate) {
  const members = resource.members || [];
  const prepaid = resource.billing && resource.billing.mode === 'prepaid';
  const action = userAction();
  return openDialog({
    title: `Delete ${resource.name}?`,
    opener,
    content: [
      members.length ? h('p', null, `Its ${plural(members.length, 'member')} (nodes, volumes, load balancers, snapshots) are deleted with it.`) : null,
      prepaid ? h('p', null, 'The unused part of the paid term is refunded to your credit, with a credit note.') : null,
      h('p', {class: 'warning'}, 'Deleting cannot be undone; the data is gone.'),
    ],
    actions: [
      {label: 'Keep it', class: 'btn'},
      {label: 'Delete', busy: 'Deleting…', class: 'btn btn-danger', onclick: async () => {
        await request('DELETE', `/v1/resources/${resource.id}`, undefined, {action});
        navigate('/resources', `${resource.name} was deleted.`);
      }},
    ],
  });
}

function termFact(resource) {
  const b = resource.billing || {};
  if (b.mode !== 'prepaid') return null;
  if (!b.term_end) return ['Term', resource.members ? 'Each member has its own term (see Members)' : '—'];
  return ['Term', `${day(b.term_start)} – ${day(b.term_end)} (${plural(b.cycle_months, 'month')})`];
}

function billingFacts(resource, currency, cluster) {
  const b = resource.billing || {};
  return facts([
    ['ID', h('code', null, resource.id)],
    ['Type', `${typeLabel(resource.type)}${resource.role ? ` · ${roleLabel(resource.role)}` : ''}`],
    ['Service', serviceLabel(resource.service)],
    ['Status', statusBadge(resource.status)],
    ['Billing', billingModeLabel(b.mode)],
    termFact(resource),
    b.mode === 'prepaid' && b.term_end ? ['Auto-renew', b.auto_renew ? 'On' : 'Off'] : null,
    resource.cluster_id ? ['Cluster', h('a', {href: `#/resources/${resource.cluster_id}`, id: 'cluster-link'},
      cluster ? cluster.name : resource.cluster_id)] : null,
    ['Created', when(resource.created_at)],
    ['Currency', currency],
  ]);
}

export async function renderResource(view, {args: [id], navigate}) {
  const [resource, wallets] = await Promise.all([get(`/v1/resources/${id}`), get('/v1/wallets')]);
  // The member's cluster by its name; a cluster that cannot be read still
  // leaves the link, by id.
  const cluster = resource.cluster_id ? await get(`/v1/resources/${resource.cluster_id}`).catch(() => null) : null;
  const actions = h('div', {class: 'page-actions'});
  const status = h('div', {'aria-live': 'assertive'});
  if (resource.open_checkout_id) {
    // Stop POC would be refused while this checkout is open: go on with it.
    actions.append(h('a', {class: 'btn btn-primary', href: `#/checkouts/${resource.open_checkout_id}`}, 'Continue to the checkout'));
  } else if (resource.stop_poc_available) {
    actions.append(actionButton('Stop POC', {class: 'btn btn-primary', id: 'stop-poc'}, 'Checking…', status,
      button => stopPoc(resource, wallets.currency, button, navigate)));
  }
  if (resource.status !== 'deleted') {
    const del = h('button', {type: 'button', class: 'btn btn-danger'}, 'Delete');
    del.addEventListener('click', () => deleteDialog(resource, del, navigate));
    actions.append(del);
  }
  const open = resource.open_checkout_id
    ? h('p', {class: 'notice'}, 'A checkout is open for this resource: continue with it, or cancel it there.')
    : null;
  add(view, 
    pageTitle(resource.name, billingBadges(resource, wallets.as_of), actions),
    status,
    open,
    billingFacts(resource, wallets.currency, cluster),
    resource.members ? h('h2', null, 'Members') : null,
    resource.members ? memberGroups(resource.members, wallets.as_of) : null,
    h('p', null, h('a', {href: `#/invoices?resource_id=${resource.id}`, id: 'resource-invoices'},
      resource.members ? 'Invoices of this cluster and its members' : 'Invoices of this resource'), ' · ',
      `available credit ${money(wallets.credit.available, wallets.currency)}`));
}
