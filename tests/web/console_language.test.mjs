// The console in Vietnamese and English, switchable, with Vietnamese number
// and date formats and times in the customer's time zone.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {assertClean, newCustomer, pocCluster, rendered, screenshot, tallydAndBrowser} from './support.mjs';

const env = tallydAndBrowser();

async function signIn(page, customer) {
  await page.goto(`${env.server.url}/#/sign-in`);
  await page.fill('#token', customer.token);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => location.hash === '#/resources');
  await rendered(page);
}

describe('languages', () => {
  it('follows a Vietnamese browser, with "1.947.000 ₫" and Vietnamese dates in its time zone', async () => {
    const customer = await newCustomer(env.server, {name: 'Khách hàng'});
    const cluster = await pocCluster(env.server, customer, {name: 'cum-vks', nodes: 1});
    const checkout = await customer.api('POST', `/v1/resources/${cluster.id}/stop-poc`, {cycle_months: 12, auto_renew: false});
    const paid = await customer.api('POST', `/v1/checkouts/${checkout.id}/pay`, {method: 'credit'});
    const context = await env.browser.newContext({locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: {width: 1280, height: 900}});
    const page = await context.newPage();
    page.scriptErrors = [];
    page.on('pageerror', error => page.scriptErrors.push(error.message));
    await signIn(page, customer);
    assert.equal(await page.textContent('h1'), 'Tài nguyên');
    assert.equal(await page.getAttribute('html', 'lang'), 'vi');
    assert.equal(await page.inputValue('#lang'), 'vi');
    assert.equal(await page.textContent('#nav a[href="#/payments"]'), 'Thanh toán');
    await screenshot(page, 'vi-resources', {fullPage: true});

    // money as Vietnamese write it
    const wallets = await customer.api('GET', '/v1/wallets');
    const vi = new Intl.NumberFormat('vi-VN', {style: 'currency', currency: 'VND'});
    await page.goto(`${env.server.url}/#/wallets`);
    await rendered(page);
    const balance = await page.textContent('#credit-balance');
    assert.equal(balance, vi.format(wallets.credit.balance));
    assert.match(balance, /^\d{1,3}(\.\d{3})+\s₫$/, `"1.947.000 ₫" style: ${balance}`);

    // an invoice: Vietnamese labels, date and time in Vietnamese, GMT+7
    const invoice = await customer.api('GET', `/v1/invoices/${paid.invoice_ids[0]}`);
    await page.goto(`${env.server.url}/#/invoices/${invoice.id}`);
    await rendered(page);
    assert.equal(await page.textContent('h1'), `Hóa đơn ${invoice.number}`);
    const totals = await page.textContent('.invoice .totals');
    assert.ok(totals.includes('Tạm tính') && totals.includes('Tổng cộng') && totals.includes(vi.format(invoice.total)), totals);
    const facts = await page.textContent('.invoice .facts');
    const issued = new Intl.DateTimeFormat('vi-VN', {year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit',
      minute: '2-digit', timeZoneName: 'short', timeZone: 'Asia/Ho_Chi_Minh'}).format(new Date(invoice.issued_at));
    assert.ok(facts.includes(issued), `issued ${issued} in: ${facts}`);
    assert.ok(issued.includes('GMT+7'), issued);
    await screenshot(page, 'vi-invoice', {fullPage: true});
    assert.deepEqual(page.scriptErrors, []);
    await context.close();
  });

  it('switches between English and Vietnamese and keeps the choice', async () => {
    const customer = await newCustomer(env.server, {name: 'Switcher'});
    await pocCluster(env.server, customer, {name: 'switch-vks', nodes: 1});
    const context = await env.browser.newContext({locale: 'en-US'});
    const page = await context.newPage();
    page.scriptErrors = [];
    page.on('pageerror', error => page.scriptErrors.push(error.message));
    await signIn(page, customer);
    assert.equal(await page.textContent('h1'), 'Resources');
    assert.equal(await page.inputValue('#lang'), 'en');
    await page.selectOption('#lang', 'vi');
    await page.waitForSelector('h1:text-is("Tài nguyên")');
    await rendered(page);
    const headers = await page.locator('thead th').allTextContents();
    assert.ok(headers.includes('Tên') && headers.includes('Dịch vụ') && headers.includes('Trạng thái'), `${headers}`);
    assert.equal(await page.textContent('#sign-out'), 'Đăng xuất');
    await page.reload();
    await page.waitForSelector('h1:text-is("Tài nguyên")');
    assert.equal(await page.inputValue('#lang'), 'vi', 'the choice is kept');
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('h1:text-is("Resources")');
    assert.equal(await page.textContent('#sign-out'), 'Sign out');
    assert.deepEqual(page.scriptErrors, []);
    await context.close();
  });
});
