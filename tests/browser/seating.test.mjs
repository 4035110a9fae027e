// Smaller paths around joining: a code typed by hand, an unknown code, seating without a
// table card and a device token the server no longer accepts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, PHONE, createWorkshopByApi } from './harness.mjs';

const WAIT = { timeout: 20000 };

let server;
let browser;
let created;


describe('joining without a table card', () => {
  before(async () => {
    server = await startServer('seating');
    browser = await launchBrowser();
    created = await createWorkshopByApi(server.base, { title: 'Atelier placement', tables: 2 });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('typed code leads to the join form', async () => {
    const page = await openPage(browser, { name: 'code', viewport: PHONE });
    await page.goto(`${server.base}/join`);
    await page.getByLabel('Code de l’atelier').fill(created.code);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText('Atelier placement').first().waitFor(WAIT);
    assert.match(new URL(page.url()).pathname, new RegExp(`/join/${created.code}$`));
    await page.context().close();
  });

  it('unknown code shows the server message', async () => {
    const page = await openPage(browser, { name: 'unknown', viewport: PHONE });
    await page.goto(`${server.base}/join/NOPE42`);
    await page.getByText('Atelier introuvable. Vérifiez le code.').first().waitFor(WAIT);
    await page.getByRole('link', { name: 'Saisir un autre code' }).waitFor(WAIT);
    await page.context().close();
  });

  it('phone without a card gets a seat', async () => {
    // The server seats a phone that joins without a table card at the emptiest table.
    const phone = await openPage(browser, { name: 'phone', viewport: PHONE });
    await phone.goto(`${server.base}/join/${created.code}`);
    await phone.getByLabel('Votre prénom').fill('Rose');
    await phone.getByRole('combobox', { name: 'Votre commune' }).fill('Lisieux');
    await phone.getByRole('option', { name: /^Lisieux\b/ }).first().click();
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByText('Bonjour Rose !').waitFor(WAIT);
    await phone.locator('.seat-number', { hasText: /^T[12]$/ }).waitFor(WAIT);
    assert.deepEqual([...phone.problems], []);
    await phone.context().close();
  });

  it('forgotten device token offers to sign up again', async () => {
    const page = await openPage(browser, { name: 'stale', viewport: PHONE });
    await page.goto(`${server.base}/join`);
    await page.evaluate((code) => {
      const session = { token: 'not-a-valid-token', participant_id: 'p99', workshop_id: 'gone', code };
      localStorage.setItem(`atelier.participant.${code}`, JSON.stringify(session));
    }, created.code);
    await page.goto(`${server.base}/join/${created.code}`);
    await page.getByText('Lien ou jeton invalide.', { exact: false }).first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Recommencer l’inscription' }).click();
    await page.getByLabel('Votre prénom').waitFor(WAIT);
    await page.context().close();
  });
});
