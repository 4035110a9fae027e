// "I am here" on a phone and coordinates typed by a moderator both reach the stored secret.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkA11y, screenshot, PHONE, ADMIN_TOKEN, createWorkshopByApi } from './harness.mjs';

const WAIT = { timeout: 20000 };

let server;
let browser;
let created;


async function startWriting(base, token) {
  // The facilitator page sends the command; its button label is the catalog's.
  const page = await openPage(browser, { name: 'facilitator' });
  await page.goto(`${base}/facilitator#${token}`);
  await page.getByRole('button', { name: 'Lancer la saisie' }).click();
  await page.getByText('Saisie — thème 1/1', { exact: false }).first().waitFor(WAIT);
  return page;
}

describe('positions of secrets', () => {
  before(async () => {
    server = await startServer('location');
    browser = await launchBrowser();
    created = await createWorkshopByApi(server.base, { title: 'Atelier positions', tables: 1 });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('phone adds its position and moderator corrects it', async () => {
    const phone = await openPage(browser, { name: 'phone', viewport: PHONE });
    await phone.context().grantPermissions(['geolocation'], { origin: server.base });
    await phone.context().setGeolocation({ latitude: 49.4193612, longitude: 0.2331049 });
    await phone.goto(`${server.base}/join/${created.code}`);
    await phone.getByLabel('Votre prénom').fill('Rose');
    await phone.getByRole('combobox', { name: 'Votre commune' }).fill('Honfleur');
    await phone.getByRole('option', { name: /^Honfleur\b/ }).first().click();
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByText('Bonjour Rose !').waitFor(WAIT);

    const facilitator = await startWriting(server.base, created.facilitator_token);
    await phone.getByLabel('Titre du secret').fill('Le banc du Mont-Joli');
    await phone.getByLabel('Votre secret').fill('Le meilleur banc pour voir le port au coucher du soleil.');
    await phone.getByRole('button', { name: 'Je suis ici : ajouter ma position' }).click();
    await phone.getByText('Position ajoutée : 49.41936, 0.2331.').waitFor(WAIT);
    await checkA11y(phone, 'participant-location');
    await screenshot(phone, 'participant-location');
    await phone.getByRole('button', { name: 'Envoyer mon secret' }).click();

    const moderator = await openPage(browser, { name: 'moderator' });
    await moderator.goto(`${server.base}/moderator#${created.moderator_token}`);
    await moderator.locator('.queue-item', { hasText: 'Le banc du Mont-Joli' }).locator('button').click();
    await moderator.getByText('Position : 49.41936, 0.2331').first().waitFor(WAIT);
    await moderator.keyboard.press('e');
    assert.equal(await moderator.getByLabel('Latitude').inputValue(), '49.41936');
    await moderator.getByLabel('Longitude').fill('');
    await moderator.getByRole('button', { name: 'Enregistrer la modification' }).click();
    await moderator.getByText('Indiquez la latitude', { exact: false }).first().waitFor(WAIT);
    await moderator.getByLabel('Longitude').fill('0.23400');
    await moderator.getByRole('button', { name: 'Enregistrer la modification' }).click();
    // The edit approves the secret, which leaves the queue once the server acknowledged it.
    await moderator.getByText('Modification enregistrée.').first().waitFor(WAIT);

    // The stored secret carries the corrected position, as the GeoJSON export shows.
    const geojson = await (await fetch(`${server.base}/api/workshops/${created.workshop_id}/exports/secrets.geojson`, {
      headers: { Authorization: `Bearer ${created.facilitator_token}` },
    })).json();
    const feature = geojson.features.find((f) => f.properties.title === 'Le banc du Mont-Joli' || JSON.stringify(f).includes('Le banc du Mont-Joli'));
    assert.ok(feature, 'the approved secret is in the GeoJSON export');
    assert.deepEqual(feature.geometry.coordinates, [0.234, 49.41936]);
    // A decision can be reopened from "recent decisions" and changed.
    await moderator.locator('.recent button', { hasText: 'Le banc du Mont-Joli' }).click();
    await moderator.keyboard.press('r');
    await moderator.getByLabel('Motif').selectOption('duplicate');
    await moderator.getByRole('button', { name: 'Confirmer le refus' }).click();
    await moderator.getByText('Refusé : « Le banc du Mont-Joli »').first().waitFor(WAIT);
    await moderator.locator('.recent li', { hasText: 'Le banc du Mont-Joli' }).locator('.badge-rejected').waitFor(WAIT);
    await checkA11y(moderator, 'moderator-reopened');
    for (const page of [phone, facilitator, moderator]) assert.deepEqual([...page.problems], []);
  });

  it('organizer hands out new role links', async () => {
    const page = await openPage(browser, { name: 'organizer' });
    await page.goto(`${server.base}/`);
    await page.getByLabel('Jeton d’administration').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Enregistrer le jeton' }).click();
    await page.getByRole('heading', { name: 'Tous les ateliers de ce serveur' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Nouveaux liens pour « Atelier positions »' }).click();
    await page.getByText('Nouveaux liens prêts pour « Atelier positions »', { exact: false }).first().waitFor(WAIT);
    const link = await page.getByLabel('Lien animateur').first().inputValue();
    assert.ok(!link.endsWith(created.facilitator_token), 'the facilitator link changed');
    await checkA11y(page, 'organizer-server-list');
    await screenshot(page, 'organizer-server-list');

    // The old link no longer opens the facilitator screen; the new one does.
    const old = await openPage(browser, { name: 'old-link' });
    await old.goto(`${server.base}/facilitator#${created.facilitator_token}`);
    await old.getByText('Lien ou jeton invalide.', { exact: false }).first().waitFor(WAIT);
    const fresh = await openPage(browser, { name: 'new-link' });
    await fresh.goto(link);
    await fresh.getByText('Atelier positions', { exact: false }).first().waitFor(WAIT);
    for (const p of [page, fresh]) assert.deepEqual([...p.problems], []);
  });
});
