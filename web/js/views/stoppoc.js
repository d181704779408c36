// stoppoc.js: the Stop POC confirmation. It asks tallyd for the preview
// (what would be converted, and the warnings) and shows exactly that: every
// server and volume, boot volumes and PVCs included; load balancers and
// snapshots never appear because they are not paid by POC. Confirming
// opens the checkout; when nothing is left in POC it just stops, and on a
// postpaid account it converts at once with nothing to pay.
import {get, request, userAction} from '../api.js';
import {h, table} from '../dom.js';
import {money, plural, roleLabel, typeLabel} from '../format.js';
import {openDialog} from '../ui.js';
import {t, tr} from '../i18n.js';

function previewTable(preview, currency) {
  return table([
    {label: 'Name', cell: r => r.name},
    {label: 'Type', cell: r => typeLabel(r.type)},
    {label: 'Role', cell: r => roleLabel(r.role) || '—'},
    {label: 'Monthly price', class: 'num', cell: r => money(r.monthly_price, currency)},
  ], preview.resources, t('{count} will be converted', {count: plural(preview.resources.length, 'resource')}));
}

// tallyd's warning that a member is converted without its cluster names
// both by id; the customer reads it with the names, and the cluster linked.
const MEMBER_ALONE = /is converted on its own; its cluster (res_\w+) stays POC/;

async function warningText(warning, resource) {
  const match = MEMBER_ALONE.exec(warning);
  if (!match) return h('p', {class: 'warning'}, warning);
  const cluster = await get(`/v1/resources/${match[1]}`).catch(() => null);
  const kind = tr(typeLabel(resource.type)).toLowerCase();
  return h('p', {class: 'warning'}, t('Only this {kind} becomes paid. Its cluster ', {kind}),
    h('a', {href: `#/resources/${match[1]}`}, cluster ? cluster.name : 'of this member'),
    ' stays a POC, with its other members, until you Stop POC on the cluster itself.');
}

// Asks for the preview and opens the dialog; resolves once it is open (the
// opener is busy only while the preview loads). navigate is the view's
// (to, message).
export async function stopPoc(resource, currency, opener, navigate) {
  const [preview, catalog] = await Promise.all([
    request('POST', `/v1/resources/${resource.id}/stop-poc/preview`), get('/v1/catalog')]);
  // vContainer is paid by a hold and invoiced on use, not for a term.
  const service = catalog.services.find(s => s.id === resource.service);
  const hold = Boolean(service && service.settlement === 'hold');
  const action = userAction();
  const warnings = await Promise.all(preview.warnings.map(w => warningText(w, resource)));
  const confirm = () => request('POST', `/v1/resources/${resource.id}/stop-poc`,
    {cycle_months: 1, auto_renew: false}, {action});
  if (preview.action === 'stop') {
    openDialog({
      title: `Stop POC for ${resource.name}`,
      opener,
      content: [h('p', null, 'Every server and volume of this cluster is already paid. Stop turns off the POC option of the cluster itself; there is nothing to pay.'), ...warnings],
      actions: [
        {label: 'Cancel', class: 'btn'},
        {label: 'Stop', busy: 'Stopping…', class: 'btn btn-primary', onclick: async () => {
          await confirm();
          navigate(`/resources/${resource.id}`, `${resource.name} is no longer a POC.`);
        }},
      ],
    });
    return;
  }
  openDialog({
    title: `Stop POC for ${resource.name}`,
    opener,
    content: [
      hold
        ? h('p', null, 'These resources keep running with the same data. They are invoiced monthly on their actual use; ',
          'on the next page you place a hold of a few days of estimated use on your credit. There is no term, auto-renewal or coupon to choose.')
        : h('p', null, 'These resources keep running with the same data and become paid. On the next page you choose the term, auto-renewal and a coupon, then pay.'),
      ...warnings,
      previewTable(preview, currency),
    ],
    actions: [
      {label: 'Cancel', class: 'btn'},
      {label: 'Stop POC', busy: 'Opening checkout…', class: 'btn btn-primary', onclick: async () => {
        const result = await confirm();
        if (result.stopped) { // a postpaid account: converted, invoiced monthly on use
          navigate(`/resources/${resource.id}`,
            `${resource.name} is converted: your account is postpaid, so it is invoiced monthly on its use.`);
        } else {
          navigate(`/checkouts/${result.id}`);
        }
      }},
    ],
  });
}
