// The rest of the console: sign-in and sign-out, the resource list, the
// POC expiry warning, deletion, invoices (history, print, JSON and CSV),
// wallets and spending, errors, keyboard use and a phone-width screen.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {assertClean, newCustomer, pocCluster, rendered, screenshot, signedInPage, tallydAndBrowser, vnd} from './support.mjs';

const env = tallydAndBrowser();

async function convertByCredit(customer, resourceId, cycle = 1) {
  const checkout = await customer.api('POST', `/v1/resources/${resourceId}/stop-poc`, {cycle_months: cycle, auto_renew: false});
  return customer.api('POST', `/v1/checkouts/${checkout.id}/pay`, {method: 'credit'});
}

describe('signing in and out', () => {
  it('refuses a bad token with the API\'s message, and forgets the token on sign-out', async () => {
    const customer = await newCustomer(env.server, {name: 'Sign-in customer'});
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${env.server.url}/#/invoices`);
    await page.waitForSelector('#token');
    await screenshot(page, 'sign-in');
    await page.fill('#token', 'tly_not_a_real_token');
    await page.click('button[type=submit]');
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes('invalid_token'));

    await page.fill('#token', env.server.adminToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]:has-text("admin token")');

    await page.fill('#token', customer.token);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:text("Invoices")'); // back where the user was going
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tally.token')), customer.token);
    await page.click('#sign-out');
    await page.waitForSelector('#token');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tally.token')), null);
    assert.ok(await page.isHidden('#nav'));
    await page.goto(`${env.server.url}/#/resources`);
    await page.waitForSelector('#token'); // signed out stays signed out
    await context.close();
  });
});

describe('the resource list', () => {
  it('searches by name or id and filters by type, billing and cluster', async () => {
    const customer = await newCustomer(env.server, {name: 'List customer'});
    const a = await pocCluster(env.server, customer, {name: 'alpha', nodes: 2});
    const b = await pocCluster(env.server, customer, {name: 'beta', nodes: 1});
    await convertByCredit(customer, b.id);
    const page = await signedInPage(env.browser, env.server, customer);
    const names = async () => {
      await rendered(page);
      return page.locator('tbody tr td:first-child').allTextContents();
    };
    const all = await names();
    assert.equal(all.length, 2 + a.members.length + b.members.length, 'both clusters and all their members');

    await page.fill('#f-q', 'alpha-node');
    await page.press('#f-q', 'Enter');
    await page.waitForURL(/q=alpha-node/);
    assert.deepEqual((await names()).sort(), ['alpha-node-1', 'alpha-node-2']);

    await page.fill('#f-q', a.id);
    await page.press('#f-q', 'Enter');
    await page.waitForURL(new RegExp(`q=${a.id}`));
    assert.deepEqual(await names(), ['alpha']);

    await page.fill('#f-q', '');
    await page.selectOption('#f-type', 'cluster');
    await page.click('.filters button[type=submit]');
    await page.waitForURL(/#\/resources\?type=cluster$/);
    assert.deepEqual((await names()).sort(), ['alpha', 'beta']);

    await page.selectOption('#f-type', '');
    await page.selectOption('#f-billing', 'prepaid');
    await page.click('.filters button[type=submit]');
    await page.waitForURL(/#\/resources\?billing=prepaid$/);
    const prepaid = await names();
    assert.ok(prepaid.length > 0 && prepaid.every(n => n.startsWith('beta')), prepaid.join());

    await page.selectOption('#f-billing', '');
    await page.selectOption('#f-cluster', a.id);
    await page.click('.filters button[type=submit]');
    await page.waitForURL(new RegExp(`#/resources\\?cluster_id=${a.id}$`));
    const members = await names();
    assert.deepEqual(members.sort(), a.members.map(m => m.name).sort());
    assert.equal(await page.locator('tbody .badge-poc').count(), a.members.length - 1, 'all but the load balancer are POC');
    await assertClean(page);
    await page.context().close();
  });

  it('shows the POC wallet\'s balance and days left, with a warning as expiry nears', async () => {
    const relaxed = await newCustomer(env.server, {name: 'Relaxed', poc: 5000000, pocDays: 20});
    let page = await signedInPage(env.browser, env.server, relaxed);
    let wallet = page.locator('.poc-wallet');
    assert.ok((await wallet.textContent()).includes(vnd(5000000)));
    assert.ok((await wallet.textContent()).includes('20 days left'));
    assert.equal(await wallet.locator('.warning').count(), 0);
    await page.context().close();

    const hurried = await newCustomer(env.server, {name: 'Hurried', poc: 5000000, pocDays: 3});
    page = await signedInPage(env.browser, env.server, hurried);
    wallet = page.locator('.poc-wallet.poc-wallet-soon');
    assert.ok((await wallet.textContent()).includes('3 days left'));
    assert.ok((await wallet.locator('.warning').textContent()).includes('Stop POC'));
    await page.context().close();

    // an expired wallet says what became of its resources
    await env.server.admin('POST', '/v1/admin/clock', {advance_seconds: 4 * 86400});
    page = await signedInPage(env.browser, env.server, hurried);
    assert.ok((await page.textContent('.poc-wallet-expired')).includes('expired'));
    await assertClean(page);
    await page.context().close();
  });

  it('deletes a resource only after a confirmation', async () => {
    const customer = await newCustomer(env.server, {name: 'Deleting customer'});
    const scratch = await env.server.admin('POST', '/v1/resources', {account_id: customer.account.id, type: 'server', name: 'scratch',
      poc: true, spec: {flavor: 's.general.1c2g'}});
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('a:text-is("scratch")');
    await page.click('button:text-is("Delete")');
    await page.locator('dialog[open] button:text-is("Keep it")').click();
    assert.equal((await customer.api('GET', `/v1/resources/${scratch.id}`)).status, 'active');
    await page.click('button:text-is("Delete")');
    await page.locator('dialog[open] .btn-danger').click();
    await page.waitForSelector('.banner-success:has-text("scratch was deleted")');
    assert.equal((await customer.api('GET', `/v1/resources/${scratch.id}`)).status, 'deleted');
    await assertClean(page);
    await page.context().close();
  });
});

describe('invoices', () => {
  it('lists the history, prints cleanly, and downloads as JSON and CSV', async () => {
    const customer = await newCustomer(env.server, {name: 'Invoice customer'});
    const cluster = await pocCluster(env.server, customer, {name: 'billed', nodes: 1});
    const paid = await convertByCredit(customer, cluster.id, 3);
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('#nav a:text("Invoices")');
    await page.waitForSelector('h1:text("Invoices")');
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), paid.invoice_ids.length);
    await screenshot(page, 'invoices', {fullPage: true});

    const invoice = await customer.api('GET', `/v1/invoices/${paid.invoice_ids[0]}`);
    await page.click(`a:text-is("${invoice.number}")`);
    await page.waitForSelector(`h1:text("Invoice ${invoice.number}")`);
    assert.ok((await page.textContent('.invoice .totals')).includes(vnd(invoice.total)));
    assert.ok((await page.textContent('.invoice .facts')).includes(`Invoice customer (${customer.account.id})`));
    await screenshot(page, 'invoice', {fullPage: true});

    // the PDF tallyd renders, in the console's language, read back as text
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
    assert.equal(pdf.suggestedFilename(), `${invoice.number}.pdf`);
    const pdfPath = await pdf.path();
    assert.equal(readFileSync(pdfPath).subarray(0, 5).toString('latin1'), '%PDF-');
    const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-'], {encoding: 'utf8'});
    assert.ok(pdfText.includes(invoice.number), pdfText);
    assert.ok(/Invoice|INVOICE/.test(pdfText), `an English PDF: ${pdfText}`);

    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    assert.equal(json.suggestedFilename(), `${invoice.number}.json`);
    assert.deepEqual(JSON.parse(readFileSync(await json.path(), 'utf8')), invoice);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.equal(csv.suggestedFilename(), `${invoice.number}.csv`);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 1 + invoice.lines.length);
    const header = lines[0].split(',');
    const first = lines[1].split(',');
    assert.equal(first[header.indexOf('invoice_number')], invoice.number);
    assert.equal(first[header.indexOf('currency')], 'VND');
    assert.equal(Number(first[header.indexOf('total')]), invoice.lines[0].total, 'amounts in minor units, exact');

    await page.emulateMedia({media: 'print'});
    assert.ok(await page.isHidden('.topbar'), 'no navigation on paper');
    assert.ok(await page.isHidden('#download-csv'), 'no buttons on paper');
    assert.ok(await page.isVisible('.invoice'));
    await page.emulateMedia({media: 'screen'});

    await page.goto(`${env.server.url}/#/invoices?resource_id=${invoice.resource_id}`);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    await page.context().close();
  });
});

describe('wallets and spending', () => {
  it('shows credit, held and available, the last 12 months and the POC burn-down', async () => {
    const customer = await newCustomer(env.server, {name: 'Wallet customer'});
    const vc = await pocCluster(env.server, customer, {name: 'held-vc', service: 'vcontainer', nodes: 1});
    const holdCheckout = await customer.api('POST', `/v1/resources/${vc.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
    await customer.api('POST', `/v1/checkouts/${holdCheckout.id}/pay`, {method: 'hold'});
    const vks = await pocCluster(env.server, customer, {name: 'paid-vks', nodes: 1});
    await convertByCredit(customer, vks.id);
    // deleting a paid node early refunds the rest of its term: a credit note
    const node = vks.members.find(m => m.role === 'node');
    await customer.api('DELETE', `/v1/resources/${node.id}`);
    const invoices = (await customer.api('GET', '/v1/invoices?limit=500')).data;
    const notes = invoices.filter(i => i.kind === 'credit_note');
    assert.equal(notes.length, 1);
    const wallets = await customer.api('GET', '/v1/wallets');
    assert.ok(wallets.credit.held > 0);

    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('#nav a:text("Wallets")');
    await page.waitForSelector('svg.bar-chart');
    assert.equal(await page.textContent('#credit-balance'), vnd(wallets.credit.balance));
    assert.equal(await page.textContent('#credit-held'), vnd(wallets.credit.held));
    assert.equal(await page.textContent('#credit-available'), vnd(wallets.credit.available));
    const bars = page.locator('svg.bar-chart rect.bar');
    assert.equal(await bars.count(), 12);
    let invoiced = 0;
    for (const i of invoices) invoiced += i.kind === 'credit_note' ? -i.total : i.total;
    assert.ok(invoiced > 0 && notes[0].total > 0);
    assert.equal(Number(await bars.last().getAttribute('data-value')), invoiced, 'this month: invoiced less the refund');
    assert.equal(Number(await bars.first().getAttribute('data-value')), 0);
    assert.equal(await page.locator('svg.burn-down').count(), 1);
    assert.ok((await page.textContent('.poc-burn')).includes(vnd(wallets.poc[0].balance)));
    await screenshot(page, 'wallets', {fullPage: true});

    await page.goto(`${env.server.url}/#/invoices/${notes[0].id}`);
    await page.waitForSelector('text=Refunded to your credit');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const rows = readFileSync(await csv.path(), 'utf8').trim().split('\r\n');
    assert.equal(rows.length, 2, 'a credit note, which has no lines, is one row');
    const header = rows[0].split(',');
    assert.equal(rows[1].split(',')[header.indexOf('invoice_total')], String(notes[0].total));
    assert.equal(rows[1].split(',')[header.indexOf('credits')], notes[0].credits);
    await assertClean(page);
    await page.context().close();
  });
});

describe('errors, keyboard and small screens', () => {
  it('shows an error, never a blank page, for a resource that is not there', async () => {
    const customer = await newCustomer(env.server, {name: 'Lost customer'});
    const page = await signedInPage(env.browser, env.server, customer);
    await page.goto(`${env.server.url}/#/resources/res_doesnotexist`);
    const alert = page.locator('main [role=alert]');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes('resource_not_found'));
    assert.ok(await page.isVisible('button:text("Try again")'));
    await page.goto(`${env.server.url}/#/no/such/page`);
    await page.waitForSelector('h1:text("Page not found")');
    await page.context().close();
  });

  it('runs Stop POC from the keyboard, with the focus kept in the dialog', async () => {
    const customer = await newCustomer(env.server, {name: 'Keyboard customer'});
    await pocCluster(env.server, customer, {name: 'kbd', nodes: 1});
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click('a:text-is("kbd")');
    await page.waitForSelector('#stop-poc');
    await page.focus('#stop-poc');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open] table');
    const inDialog = () => page.evaluate(() => document.activeElement.closest('dialog') !== null);
    assert.equal(await inDialog(), true);
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await inDialog(), true, `Tab ${i + 1} left the dialog`);
    }
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog:not([open])', {state: 'attached'});
    assert.equal(await page.evaluate(() => document.activeElement.id), 'stop-poc', 'focus back on the opener');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open] table');
    await page.keyboard.press('Enter'); // the focused confirming button
    await page.waitForSelector('#continue');
    // the term select and the toggle keep the focus across their redraw
    await page.focus('#term');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('#term:not([disabled])');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'term');
    await assertClean(page);
    await page.context().close();
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const customer = await newCustomer(env.server, {name: 'Phone customer'});
    await pocCluster(env.server, customer, {name: 'pocket', nodes: 1});
    const page = await signedInPage(env.browser, env.server, customer, {width: 375, height: 740});
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await overflow() <= 0, `resources overflow by ${await overflow()}px`);
    await screenshot(page, 'phone-resources', {fullPage: true});
    await page.click('a:text-is("pocket")');
    await page.click('#stop-poc');
    await page.click('dialog[open] .btn-primary');
    await page.waitForSelector('#continue');
    assert.ok(await overflow() <= 0, `checkout overflows by ${await overflow()}px`);
    assert.ok(await page.isVisible('#continue'));
    await page.context().close();
  });
});
