// stoppoc.js: the Stop POC confirmation. It asks tallyd for the preview
// (what would be converted, and the warnings) and shows exactly that: every
// server and volume, boot volumes and PVCs included; load balancers and
// snapshots never appear because they are not paid by POC. Confirming
// either opens the checkout or, when nothing is left in POC, just stops.
import {request, newIdempotencyKey} from '../api.js';
import {h, table} from '../dom.js';
import {money, roleLabel, typeLabel} from '../format.js';
import {flash, openDialog} from '../ui.js';

function previewTable(preview, currency) {
  return table([
    {label: 'Name', cell: r => r.name},
    {label: 'Type', cell: r => typeLabel(r.type)},
    {label: 'Role', cell: r => roleLabel(r.role) || '—'},
    {label: 'Monthly price', class: 'num', cell: r => money(r.monthly_price, currency)},
  ], preview.resources, `${preview.resources.length} resources will be converted`);
}

// Opens the dialog for resource; resolves when it is done with.
export async function stopPoc(resource, currency, opener, navigate) {
  const preview = await request('POST', `/v1/resources/${resource.id}/stop-poc/preview`);
  const key = newIdempotencyKey(); // one confirmation, however many clicks
  const warnings = preview.warnings.map(w => h('p', {class: 'warning'}, w));
  const confirm = () => request('POST', `/v1/resources/${resource.id}/stop-poc`,
    {cycle_months: 1, auto_renew: false}, {idempotencyKey: key});
  if (preview.action === 'stop') {
    return openDialog({
      title: `Stop POC for ${resource.name}`,
      opener,
      content: [h('p', null, 'Every server and volume of this cluster is already paid. Stop turns off the POC option of the cluster itself; there is nothing to pay.'), ...warnings],
      actions: [
        {label: 'Cancel', class: 'btn'},
        {label: 'Stop', busy: 'Stopping…', class: 'btn btn-primary', onclick: async () => {
          await confirm();
          flash(`${resource.name} is no longer a POC.`);
          navigate(`/resources/${resource.id}`);
        }},
      ],
    });
  }
  return openDialog({
    title: `Stop POC for ${resource.name}`,
    opener,
    content: [
      h('p', null, 'These resources keep running with the same data and become paid. On the next page you choose the term, auto-renewal and a coupon, then pay.'),
      ...warnings,
      previewTable(preview, currency),
    ],
    actions: [
      {label: 'Cancel', class: 'btn'},
      {label: 'Stop POC', busy: 'Opening checkout…', class: 'btn btn-primary', onclick: async () => {
        const checkout = await confirm();
        navigate(`/checkouts/${checkout.id}`);
      }},
    ],
  });
}
