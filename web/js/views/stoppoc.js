// stoppoc.js: the Stop POC confirmation. It asks tallyd for the preview
// (what would be converted, and the warnings) and shows exactly that: every
// server and volume, boot volumes and PVCs included; load balancers and
// snapshots never appear because they are not paid by POC. Confirming
// opens the checkout; when nothing is left in POC it just stops, and on a
// postpaid account it converts at once with nothing to pay.
import {request, userAction} from '../api.js';
import {h, table} from '../dom.js';
import {money, roleLabel, typeLabel} from '../format.js';
import {openDialog} from '../ui.js';

function previewTable(preview, currency) {
  return table([
    {label: 'Name', cell: r => r.name},
    {label: 'Type', cell: r => typeLabel(r.type)},
    {label: 'Role', cell: r => roleLabel(r.role) || '—'},
    {label: 'Monthly price', class: 'num', cell: r => money(r.monthly_price, currency)},
  ], preview.resources, `${preview.resources.length} resources will be converted`);
}

// Asks for the preview and opens the dialog; resolves once it is open (the
// opener is busy only while the preview loads). navigate is the view's
// (to, message).
export async function stopPoc(resource, currency, opener, navigate) {
  const preview = await request('POST', `/v1/resources/${resource.id}/stop-poc/preview`);
  const action = userAction();
  const warnings = preview.warnings.map(w => h('p', {class: 'warning'}, w));
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
      h('p', null, 'These resources keep running with the same data and become paid. On the next page you choose the term, auto-renewal and a coupon, then pay.'),
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
