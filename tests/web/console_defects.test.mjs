// The console defects of issue 19, each seen in headless Chromium against a
// real tallyd: a stopped cluster's term, a cluster's invoices, the invoice's
// totals, a refused coupon, the member Stop POC warning, the vContainer
// confirmation and checkout, and the days left of a term.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {assertClean, newCustomer, pocCluster, rendered, signedInPage, tallydAndBrowser, vnd} from './support.mjs';

const env = tallydAndBrowser();

async function convert(customer, resourceId, {cycle = 1, coupon} = {}) {
  const checkout = await customer.api('POST', `/v1/resources/${resourceId}/stop-poc`, {cycle_months: cycle, auto_renew: false});
  if (coupon) await customer.api('PATCH', `/v1/checkouts/${checkout.id}`, {coupon});
  return customer.api('POST', `/v1/checkouts/${checkout.id}/pay`, {method: 'credit'});
}

async function show(page, hash) {
  await page.goto(`${env.server.url}/#${hash}`);
  await rendered(page);
}

describe('a cluster stopped after its members were converted one by one', () => {
  it('shows that each member has its own term, not an empty one', async () => {
    const customer = await newCustomer(env.server, {name: 'Stopped cluster'});
    const cluster = await pocCluster(env.server, customer, {name: 'stopped', nodes: 1});
    for (const m of cluster.members.filter(x => x.type !== 'load_balancer')) await convert(customer, m.id);
    await customer.api('POST', `/v1/resources/${cluster.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
    assert.equal((await customer.api('GET', `/v1/resources/${cluster.id}`)).billing.mode, 'prepaid');
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/resources/${cluster.id}`);
    const head = await page.textContent('.page-head');
    assert.ok(head.includes('Prepaid · per member'), head);
    const text = await page.textContent('main');
    for (const bad of ['until —', 'null', '— – —']) assert.ok(!text.includes(bad), `no "${bad}" in: ${text}`);
    await show(page, '/resources?type=cluster');
    const row = await page.textContent('tbody tr:has(a:text-is("stopped"))');
    assert.ok(!row.includes('until —') && row.includes('per member'), row);
    await assertClean(page);
    await page.context().close();
  });
});

describe('the invoices of a cluster', () => {
  it('are its members\' invoices, right after they were issued', async () => {
    const customer = await newCustomer(env.server, {name: 'Cluster invoices'});
    const cluster = await pocCluster(env.server, customer, {name: 'inv-vks', nodes: 3});
    const paid = await convert(customer, cluster.id);
    assert.equal(paid.invoice_ids.length, 7);
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/resources/${cluster.id}`);
    await page.click('#resource-invoices');
    await page.waitForSelector('h1:text("Invoices")');
    await rendered(page);
    const numbers = await page.locator('tbody tr td:first-child').allTextContents();
    const expected = await Promise.all(paid.invoice_ids.map(id => customer.api('GET', `/v1/invoices/${id}`)));
    assert.deepEqual([...numbers].sort(), expected.map(i => i.number).sort());
    await assertClean(page);
    await page.context().close();
  });
});

describe('the invoice\'s totals', () => {
  it('name the term discount and the coupon apart, with the checkout\'s Subtotal', async () => {
    const customer = await newCustomer(env.server, {name: 'Invoice totals'});
    const cluster = await pocCluster(env.server, customer, {name: 'totals', nodes: 1});
    const node = cluster.members.find(m => m.role === 'node');
    await env.server.admin('POST', '/v1/coupons', {code: 'WELCOME10', percent_off: 10});
    const checkout = await customer.api('POST', `/v1/resources/${node.id}/stop-poc`, {cycle_months: 12, auto_renew: false});
    const priced = await customer.api('PATCH', `/v1/checkouts/${checkout.id}`, {coupon: 'WELCOME10'});
    assert.ok(priced.cycle_discount > 0 && priced.discount > 0, 'a term discount and a coupon');
    const paid = await customer.api('POST', `/v1/checkouts/${checkout.id}/pay`, {method: 'credit'});
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/invoices/${paid.invoice_ids[0]}`);
    const totals = page.locator('.invoice .totals');
    const value = async label => totals.locator(`dt:text-is("${label}") + dd`).textContent();
    assert.equal(await value('Price'), vnd(priced.gross));
    assert.equal(await value('Term discount'), vnd(-priced.cycle_discount));
    assert.equal(await value('Subtotal'), vnd(priced.subtotal), 'Subtotal is after the term discount, as on the checkout');
    assert.equal(await value('Coupon discount (WELCOME10)'), vnd(-priced.discount));
    assert.equal(await totals.locator('dt:text-is("Discount (WELCOME10)")').count(), 0);
    await assertClean(page);
    await page.context().close();
  });
});

describe('a refused coupon after an applied one', () => {
  it('keeps the applied coupon in view, in the field, and Remove names it', async () => {
    const customer = await newCustomer(env.server, {name: 'Coupon twice'});
    const cluster = await pocCluster(env.server, customer, {name: 'coupons', nodes: 1});
    await env.server.admin('POST', '/v1/coupons', {code: 'GOOD5', percent_off: 5});
    const checkout = await customer.api('POST', `/v1/resources/${cluster.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/checkouts/${checkout.id}`);
    await page.fill('#coupon', 'GOOD5');
    await page.click('.coupon-form button[type=submit]');
    await page.waitForSelector('text=Coupon GOOD5 applied');
    await page.fill('#coupon', 'BOGUS');
    await page.click('.coupon-form button[type=submit]');
    await page.waitForSelector('#coupon-status [role=alert]');
    const status = await page.textContent('#coupon-status');
    assert.ok(status.includes('BOGUS') && status.includes('coupon_not_found'), status);
    assert.ok(status.includes('Coupon GOOD5 applied'), `the coupon that counts stays shown: ${status}`);
    assert.equal(await page.inputValue('#coupon'), 'GOOD5', 'the field shows the coupon that counts');
    assert.equal(await page.textContent('#coupon-remove'), 'Remove GOOD5');
    assert.equal((await customer.api('GET', `/v1/checkouts/${checkout.id}`)).coupon, 'GOOD5');
    await page.context().close();
  });
});

describe('Stop POC on one member', () => {
  it('warns in words, with the cluster by name and linked, and counts "1 resource"', async () => {
    const customer = await newCustomer(env.server, {name: 'Member warning'});
    const cluster = await pocCluster(env.server, customer, {name: 'warned-vks', nodes: 1});
    const node = cluster.members.find(m => m.role === 'node');
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/resources/${node.id}`);
    await page.click('#stop-poc');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('table').waitFor();
    const warning = await dialog.locator('.warning').textContent();
    assert.ok(!/res_/.test(warning), `no ids: ${warning}`);
    assert.ok(warning.includes('warned-vks'), warning);
    assert.equal(await dialog.locator(`.warning a[href="#/resources/${cluster.id}"]`).count(), 1);
    const caption = await dialog.locator('caption').textContent();
    assert.equal(caption, '1 resource will be converted');
    await assertClean(page);
    await page.context().close();
  });
});

describe('vContainer Stop POC', () => {
  it('promises no term or coupon, and its biggest number is the hold it pays', async () => {
    const customer = await newCustomer(env.server, {name: 'vContainer words'});
    const cluster = await pocCluster(env.server, customer, {name: 'vc-words', service: 'vcontainer', nodes: 1});
    const page = await signedInPage(env.browser, env.server, customer);
    await show(page, `/resources/${cluster.id}`);
    await page.click('#stop-poc');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('table').waitFor();
    const text = await dialog.textContent();
    assert.ok(!text.includes('choose the term'), text);
    assert.ok(text.includes('hold'), text);
    await dialog.locator('.btn-primary').click();
    await page.waitForSelector('#continue');
    const checkoutId = page.url().match(/checkouts\/(chk_\w+)/)[1];
    const checkout = await customer.api('GET', `/v1/checkouts/${checkoutId}`);
    assert.ok(checkout.total > checkout.hold_amount, 'a month costs more than the hold');
    assert.equal(await page.textContent('#checkout-total'), vnd(checkout.hold_amount));
    const shown = await page.locator('.totals dd').allTextContents();
    assert.ok(!shown.includes(vnd(checkout.total)) || (await page.textContent('.totals dt.total')).includes('Hold'),
      `the month total is not the total: ${shown}`);
    assert.equal(await page.locator('.totals dt.total').textContent(), 'Hold now (3 days of use)'.replace('3', String(checkout.terms.hold_days)));
    await assertClean(page);
    await page.context().close();
  });
});

describe('the days left of a term', () => {
  it('are calendar days in the customer\'s zone, the same everywhere', async () => {
    const customer = await newCustomer(env.server, {name: 'Days left'});
    const cluster = await pocCluster(env.server, customer, {name: 'days-vks', nodes: 1});
    const node = cluster.members.find(m => m.role === 'node');
    await convert(customer, node.id, {cycle: 12});
    await env.server.admin('POST', '/v1/admin/clock', {advance_seconds: 600}); // minutes after buying
    const {billing} = await customer.api('GET', `/v1/resources/${node.id}`);
    const zone = 'Asia/Ho_Chi_Minh';
    const {as_of: now} = await customer.api('GET', '/v1/wallets');
    const date = t => new Intl.DateTimeFormat('en-CA', {timeZone: zone}).format(new Date(t));
    const expected = (Date.parse(date(billing.term_end)) - Date.parse(date(now))) / 86400000;
    assert.ok(expected >= 365, `12 months are at least 365 days: ${expected}`);

    const context = await env.browser.newContext({timezoneId: zone});
    const page = await context.newPage();
    await page.goto(`${env.server.url}/#/sign-in`);
    await page.fill('#token', customer.token);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:text("Resources")');
    await rendered(page);
    const inList = await page.textContent(`tbody tr:has(a:text-is("${node.name}")) .badge-prepaid`);
    assert.ok(inList.endsWith(` · ${expected} d left`), inList);
    await show(page, `/resources/${cluster.id}`);
    const inCluster = await page.textContent(`.member-group tr:has(a:text-is("${node.name}")) .badge-prepaid`);
    await show(page, `/resources/${node.id}`);
    const onPage = await page.textContent('.page-head .badge-prepaid');
    assert.equal(inCluster, inList);
    assert.equal(onPage, inList);
    // and times are the customer's, named
    const created = await page.textContent('.facts');
    assert.ok(created.includes('GMT+7'), created);
    await context.close();
  });
});
