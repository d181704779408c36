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
  // The day's hold job may not have run for this new account yet; when the
  // ticker runs it, it replaces the checkout's hold. Run it now, so what
  // the test reads stays what the page shows.
  await env.server.admin('POST', '/v1/admin/jobs/run');
  return {customer, vks, vc, paid, held, holdCheckout: b};
}

describe('payments and holds', () => {
  it('lists every payment with its resources and invoices, and each hold: for what, how much, until when', async () => {
    const {customer, vks, vc} = await customerWithPayments('pay');
    const payments = (await customer.api('GET', '/v1/payments')).data;
    const holds = (await customer.api('GET', '/v1/holds')).data;
    assert.equal(payments.length, 2);
    assert.equal(holds.filter(h => h.status === 'pending').length, 1, JSON.stringify(holds));
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('#nav a[href="#/payments"]');
    await page.waitForSelector('h1:text("Payments")');
    await rendered(page);
    await screenshot(page, 'payments', {fullPage: true});

    const rows = page.locator('table:has(caption:text("Payments")) tbody tr');
    assert.equal(await rows.count(), 2);
    for (const p of payments) {
      const row = rows.filter({hasText: vnd(p.amount)});
      assert.equal(await row.count(), 1, `a row of ${vnd(p.amount)}: ${await rows.allTextContents()}`);
      const text = await row.textContent();
      if (p.method === 'credit') {
        assert.ok(text.includes('Credit') && text.includes(`${p.invoice_ids.length} invoices`), text);
        const linked = await row.locator('a[href^="#/resources/"]').allTextContents();
        assert.ok(linked.length > 0 && linked.every(n => vks.members.some(m => m.name === n)), `${linked}`);
      } else {
        assert.ok(text.includes('Hold on credit'), text);
      }
    }
    const holdsNow = (await customer.api('GET', '/v1/holds')).data;
    const allHolds = page.locator('table:has(caption:text("Holds")) tbody tr');
    assert.equal(await allHolds.count(), holdsNow.length, `${await allHolds.allTextContents()}`);
    const held = holdsNow.filter(h => h.status === 'pending');
    assert.equal(held.length, 1, JSON.stringify(holdsNow));
    const hold = allHolds.filter({hasText: held[0].id});
    assert.equal(await hold.count(), 1, `${await allHolds.allTextContents()}`);
    const text = await hold.textContent();
    assert.ok(text.includes('held'), text);
    const names = await hold.locator('a').allTextContents();
    // the checkout's hold names the members it converted; the daily hold,
    // the account's resources billed on use: the vContainer cluster and
    // its members (the VKS ones are prepaid)
    const members = [vc.name, ...vc.members.map(m => m.name)];
    assert.ok(names.length > 0 && names.every(n => members.includes(n)), `${names} are members of ${vc.name}`);
    const until = new Intl.DateTimeFormat('en-GB', {year: 'numeric', month: 'short', day: 'numeric'}).format(new Date(held[0].expires_at));
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

describe('the resource list and spending', () => {
  it('shows each resource\'s service and status, and links a member to its cluster by name', async () => {
    const {customer, vks, vc} = await customerWithPayments('list');
    const page = await signedInPage(env.browser, env.server, customer);
    await rendered(page);
    const row = name => page.locator(`tbody tr:has(td:first-child a:text-is("${name}"))`);
    const vcNode = vc.members.find(m => m.role === 'node');
    assert.equal(await row(vcNode.name).locator('td[data-label="Service"]').textContent(), 'vContainer');
    assert.equal(await row(vks.name).locator('td[data-label="Service"]').textContent(), 'VKS');
    assert.equal(await row(vks.name).locator('td[data-label="Status"]').textContent(), 'active');
    const node = vks.members.find(m => m.role === 'node');
    await show(page, `/resources/${node.id}`);
    assert.equal(await page.textContent('#cluster-link'), vks.name);
    await page.click('#cluster-link');
    await page.waitForSelector(`h1:text-is("${vks.name}")`);
    await assertClean(page);
    await page.context().close();
  });

  it('breaks the spending down by service and by resource', async () => {
    const {customer, vks, paid} = await customerWithPayments('spend');
    const invoices = await Promise.all(paid.invoice_ids.map(id => customer.api('GET', `/v1/invoices/${id}`)));
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, '/wallets');
    const byService = page.locator('table:has(caption:text("By service")) tbody tr');
    const services = new Map();
    for (const i of invoices) services.set(i.service, (services.get(i.service) || 0) + i.total);
    assert.equal(await byService.count(), services.size);
    const shown = await byService.locator('td[data-label="Invoiced (net)"]').allTextContents();
    assert.deepEqual([...shown].sort(), [...services.values()].map(vnd).sort());
    const byResource = page.locator('table:has(caption:text("By resource")) tbody tr');
    assert.equal(await byResource.count(), invoices.length);
    const first = invoices.find(i => i.resource_id === vks.members[0].id) || invoices[0];
    const link = byResource.locator(`a[href="#/resources/${first.resource_id}"]`);
    assert.equal(await link.textContent(), first.resource_name);
    await screenshot(page, 'spending', {fullPage: true});
    await assertClean(page);
    await page.context().close();
  });

  it('stacks table rows at phone width, each value beside its label, nothing scrolling sideways', async () => {
    const {customer} = await customerWithPayments('phone');
    const page = await signedInPage(env.browser, env.server, customer, {width: 375, height: 740});
    for (const hash of ['/resources', '/payments', '/wallets', '/invoices']) {
      await show(page, hash);
      const wide = await page.evaluate(() => [...document.querySelectorAll('.table-wrap')]
        .filter(w => w.scrollWidth > w.clientWidth + 1).length);
      assert.equal(wide, 0, `no table on ${hash} scrolls sideways`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${hash} fits`);
    }
    await show(page, '/resources');
    const label = await page.evaluate(() => getComputedStyle(document.querySelector('tbody td[data-label="Service"]'), '::before').content);
    assert.equal(label, '"Service"');
    await screenshot(page, 'phone-payments-list', {fullPage: true});
    await assertClean(page);
    await page.context().close();
  });
});
