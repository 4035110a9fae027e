// Plays a whole workshop through the real pages against the real server: organizer,
// facilitator, moderator, projector and six phones at two tables.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, checkA11y, screenshot, artifacts, layoutProblems, PHONE, ADMIN_TOKEN } from './harness.mjs';

const WAIT = { timeout: 20000 };

const PEOPLE = [
  { name: 'Maëlle', commune: 'Honfleur', table: 'T1' },
  { name: 'Jean', commune: 'Deauville', table: 'T1' },
  { name: 'Solène', commune: 'Trouville-sur-Mer', table: 'T1' },
  { name: 'Gaëtan', commune: 'Lisieux', table: 'T2' },
  { name: 'Inès', commune: 'Cabourg', table: 'T2' },
  { name: 'Paul', commune: 'Caen', table: 'T2' },
];

let server;
let browser;
const pages = {};
const phones = [];
const a11y = [];
let code;
let links;

let failureCount = 0;

// Waits until the locator shows; on a timeout, saves the page as failure-N.png first.
async function visible(locator) {
  try {
    await locator.first().waitFor({ state: 'visible', ...WAIT });
  } catch (error) {
    failureCount += 1;
    await locator.page().screenshot({ path: `${artifacts}/failure-${failureCount}.png`, fullPage: true }).catch(() => {});
    throw error;
  }
  return locator.first();
}

async function pickCommune(page, label, name) {
  const input = page.getByRole('combobox', { name: label });
  await input.fill(name);
  const option = page.getByRole('option', { name: new RegExp(`^${name}\\b`) }).first();
  await option.waitFor(WAIT);
  await option.click();
  await page.getByText(new RegExp(`(Commune choisie|Chosen commune).*${name}`)).first().waitFor(WAIT);
}

async function writeSecret(page, { title, text, place = '', moment = '' }) {
  await page.getByLabel('Titre du secret').fill(title);
  await page.getByLabel('Votre secret').fill(text);
  if (place) await page.getByLabel('Lieu', { exact: false }).first().fill(place);
  if (moment) await page.getByLabel('Le meilleur moment').fill(moment);
  await page.getByRole('button', { name: 'Envoyer mon secret' }).click();
  await visible(page.locator('.mine-item', { hasText: title }));
}

async function approveAll(page) {
  // Approves every pending secret with the keyboard shortcut, oldest first.
  for (let guard = 0; guard < 40; guard += 1) {
    const empty = await page.locator('.queue-pending .empty').count();
    if (empty) return;
    const first = page.locator('.queue-pending .queue-item').first();
    const title = await first.locator('.queue-title').textContent();
    await first.locator('button').click();
    await page.keyboard.press('a');
    await page.locator('.queue-pending .queue-item', { hasText: title }).waitFor({ state: 'detached', ...WAIT });
  }
  throw new Error('moderation queue never emptied');
}

async function facilitatorClick(name) {
  await pages.facilitator.getByRole('button', { name, exact: true }).click();
}

async function phaseIs(page, text) {
  await visible(page.locator('.phase-name', { hasText: text }));
}

function phonesAt(table) {
  return phones.filter((phone) => phone.table === table);
}

// Lets each presenter of a table show each of their secrets and hand over, checking that the
// other phones of the table show the spotlighted secret.
async function presentTable(table) {
  const atTable = phonesAt(table);
  for (let turn = 0; turn < atTable.length + 2; turn += 1) {
    const done = await atTable[0].page.getByText('Toutes les présentations de la table sont terminées.').count();
    if (done) return;
    let presenter = null;
    const deadline = Date.now() + 15000;
    while (!presenter && Date.now() < deadline) {
      for (const phone of atTable) {
        if (await phone.page.getByText('C’est votre tour de présenter.').count()) presenter = phone;
      }
      if (!presenter && (await atTable[0].page.getByText('Toutes les présentations de la table sont terminées.').count())) return;
    }
    assert.ok(presenter, `no presenter found at ${table}`);
    const showButtons = presenter.page.getByRole('button', { name: /^Montrer/ });
    const count = await showButtons.count();
    for (let i = 0; i < count; i += 1) {
      const button = presenter.page.getByRole('button', { name: /^Montrer/ }).nth(i);
      const label = await button.textContent();
      const title = label.replace(/^Montrer « /, '').replace(/ »$/, '');
      await button.click();
      const watcher = atTable.find((phone) => phone !== presenter);
      await visible(watcher.page.locator('.spotlight .secret-title', { hasText: title }));
    }
    if (turn === 0) await screenshot(presenter.page, `participant-presenting-${table}`);
    await presenter.page.getByRole('button', { name: 'J’ai fini' }).click();
    await presenter.page.getByText('C’est votre tour de présenter.').waitFor({ state: 'detached', ...WAIT });
  }
}

describe('a whole workshop in the browser', () => {
  before(async () => {
    server = await startServer('workshop');
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('organizer creates a workshop', async () => {
    const page = await openPage(browser, { name: 'organizer' });
    pages.organizer = page;
    await page.goto(`${server.base}/`);
    await page.getByLabel('Jeton d’administration').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Enregistrer le jeton' }).click();
    await visible(page.getByLabel('Titre de l’atelier'));
    a11y.push(...(await checkA11y(page, 'organizer')));
    await page.getByLabel('Titre de l’atelier').fill('Atelier test — Pays d’Auge');
    await page.getByLabel('Lieu').fill('Bar Le Quai, Honfleur');
    await page.getByLabel('Nombre de tables').fill('2');
    await page.getByLabel('Personnes par table (minimum)').fill('2');
    await page.getByLabel('Personnes par table (maximum)').fill('6');
    await page.getByLabel('Minutes d’écriture par thème').fill('10');
    await page.getByLabel('Boire un verre').uncheck();
    await page.getByLabel('Les endroits « waouh »').check();
    // Switching the language rebuilds the page but keeps what was typed.
    a11y.push(...(await checkA11y(page, 'organizer-filled')));
    assert.equal(await page.getByLabel('Titre de l’atelier').inputValue(), 'Atelier test — Pays d’Auge');
    assert.equal(await page.getByLabel('Nombre de tables').inputValue(), '2');
    assert.equal(await page.getByLabel('Les endroits « waouh »').isChecked(), true);
    assert.equal(await page.getByLabel('Boire un verre').isChecked(), false);
    await screenshot(page, 'organizer-form');
    await page.getByRole('button', { name: 'Créer l’atelier' }).click();
    const joinInput = await visible(page.getByLabel('Lien pour les participants'));
    const join = await joinInput.inputValue();
    code = decodeURIComponent(join.split('/join/')[1]);
    links = {
      join,
      facilitator: await page.getByLabel('Lien animateur').first().inputValue(),
      moderator: await page.getByLabel('Lien validateur').first().inputValue(),
      projector: await page.getByLabel('Lien écran (vidéoprojecteur)').first().inputValue(),
    };
    assert.ok(code, 'join link carries the code');
    for (const [role, url] of Object.entries(links)) assert.ok(url.startsWith(server.base), `${role} link ${url} points at the test server`);
    assert.match(links.facilitator, /\/facilitator#.+/);
    await screenshot(page, 'organizer-created');

    await page.getByRole('link', { name: 'Imprimer les cartes de table et la fiche papier' }).click();
    await visible(page.getByRole('heading', { name: 'Table T1' }));
    await visible(page.getByRole('heading', { name: 'Table T2' }));
    const qr = page.getByRole('img', { name: 'QR code pour rejoindre la table T2' });
    await qr.waitFor(WAIT);
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'table card QR image loads');
    a11y.push(...(await checkA11y(page, 'cards')));
    await screenshot(page, 'cards');
  });

  it('staff screens open from their links', async () => {
    pages.projector = await openPage(browser, { name: 'projector' });
    await pages.projector.goto(links.projector);
    await visible(pages.projector.locator('.join-code', { hasText: code }));
    await visible(pages.projector.getByText('Rejoignez l’atelier'));
    a11y.push(...(await checkA11y(pages.projector, 'projector-lobby')));
    await screenshot(pages.projector, 'projector-lobby');

    pages.facilitator = await openPage(browser, { name: 'facilitator' });
    await pages.facilitator.goto(links.facilitator);
    await visible(pages.facilitator.getByRole('heading', { name: /Animation/ }));
    await visible(pages.facilitator.getByText('Connecté'));

    pages.moderator = await openPage(browser, { name: 'moderator' });
    await pages.moderator.goto(links.moderator);
    await visible(pages.moderator.getByText('Rien à valider'));
    a11y.push(...(await checkA11y(pages.moderator, 'moderator-empty')));
  });

  it('six participants join at two tables', async () => {
    for (const [index, person] of PEOPLE.entries()) {
      const page = await openPage(browser, { name: person.name, viewport: PHONE });
      await page.goto(`${server.base}/join/${encodeURIComponent(code)}?table=${person.table}`);
      await visible(page.getByText(`Vous serez installé à la table ${person.table}.`));
      if (index === 0) {
        a11y.push(...(await checkA11y(page, 'join-form')));
        await screenshot(page, 'participant-join');
      }
      await page.getByLabel('Votre prénom').fill(person.name);
      await pickCommune(page, 'Votre commune', person.commune);
      // The consent box starts unticked: everyone but Paul agrees to show their first name.
      if (person.name !== 'Paul') await page.getByLabel('Afficher mon prénom avec mes secrets').check();
      if (person.name === 'Maëlle') {
        await page.getByLabel('L’Office de tourisme peut me recontacter par e-mail').check();
        await page.getByLabel('Votre adresse e-mail').fill('maelle@example.org');
      }
      await page.getByRole('button', { name: 'Rejoindre' }).click();
      await visible(page.locator('.seat-number', { hasText: person.table }));
      await visible(page.getByText(`Bonjour ${person.name} !`));
      phones.push({ ...person, page });
    }
    const first = phones[0].page;
    await visible(first.getByText('Connecté'));
    a11y.push(...(await checkA11y(first, 'participant-lobby')));
    await screenshot(first, 'participant-lobby');
    for (const person of PEOPLE) await visible(pages.facilitator.locator('.table-card .member-name', { hasText: person.name }));
    await visible(pages.facilitator.locator(`#table-T1 li.online`, { hasText: 'Maëlle' }));
  });

  it('round one: writing, moderation and a reload', async () => {
    await facilitatorClick('Lancer la saisie');
    for (const phone of phones) {
      await phaseIs(phone.page, 'Saisie');
      await visible(phone.page.getByRole('heading', { name: 'Les bonnes popotes' }));
      await visible(phone.page.locator('.countdown'));
    }
    const countdown = await phones[0].page.locator('.countdown').textContent();
    assert.match(countdown, /^(10:00|9:\d\d)$/, `countdown shows about ten minutes, got ${countdown}`);
    await visible(pages.projector.getByRole('heading', { name: 'Les bonnes popotes' }));

    const [maelle, jean, solene, gaetan, ines, paul] = phones;
    await writeSecret(maelle.page, { title: 'La crêperie du port', text: 'Une galette complète face aux bateaux.\nDemandez la bolée de cidre.', place: 'Quai Sainte-Catherine' });
    a11y.push(...(await checkA11y(maelle.page, 'participant-writing', { shot: 'participant-writing-en' })));
    await screenshot(maelle.page, 'participant-writing');

    // Text resized to 200 % on a 360-pixel phone: nothing needs horizontal scrolling.
    await maelle.page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
    const overflow = await maelle.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await maelle.page.screenshot({ path: `${artifacts}/participant-writing-text-200.png`, fullPage: true });
    await maelle.page.evaluate(() => { document.documentElement.style.fontSize = ''; });
    assert.ok(overflow <= 0, `page is ${overflow} px wider than the screen with text at 200 %`);
    await writeSecret(maelle.page, { title: 'Promo au Super Discount', text: 'Moins 20 % ce week-end seulement !' });
    await writeSecret(jean.page, { title: 'Les moules de Jean', text: 'Le vendredi soir au petit bistrot derrière la halle.' });
    await writeSecret(solene.page, { title: 'Le marché du samedi', text: 'Fromages fermiers et pain au levain.', moment: 'Samedi vers 9 h' });
    // T1 has four secrets and T2 none: the dashboard flags T2 as a table to help.
    const fac = pages.facilitator;
    await visible(fac.locator('#table-T2.stuck .stuck-reasons', { hasText: 'Aucun secret depuis le début' }));
    await visible(fac.locator('.alerts', { hasText: 'Table T2' }));
    assert.equal(await fac.locator('#table-T1.stuck').count(), 0, 'T1 is not flagged');
    await fac.getByRole('button', { name: 'Envoyer une question à T2' }).click();
    await visible(ines.page.locator('.question-text', { hasText: 'Quel plat faites-vous goûter à vos amis de passage ?' }));
    a11y.push(...(await checkA11y(fac, 'facilitator-stuck')));
    await screenshot(fac, 'facilitator-stuck');
    await writeSecret(gaetan.page, { title: 'Le teurgoule de Mamie', text: 'Riz au lait à la cannelle cuit six heures.' });
    await fac.locator('#table-T2.stuck').waitFor({ state: 'detached', ...WAIT });
    await writeSecret(ines.page, { title: 'Huîtres sur le sable', text: 'À marée basse, avec un verre de blanc.' });

    // Paul types a draft, reloads the page and finds his seat, his name and his draft again.
    await paul.page.getByLabel('Titre du secret').fill('Le camembert de la ferme');
    await paul.page.getByLabel('Votre secret').fill('Au lait cru, affiné dans la cave.');
    await paul.page.reload();
    await visible(paul.page.locator('.seat-number', { hasText: 'T2' }));
    await visible(paul.page.getByText('Bonjour Paul !'));
    await visible(paul.page.getByLabel('Titre du secret'));
    assert.equal(await paul.page.getByLabel('Titre du secret').inputValue(), 'Le camembert de la ferme');
    assert.equal(await paul.page.getByLabel('Votre secret').inputValue(), 'Au lait cru, affiné dans la cave.');
    await paul.page.getByRole('button', { name: 'Envoyer mon secret' }).click();
    await visible(paul.page.locator('.mine-item', { hasText: 'Le camembert de la ferme' }));

    // The facilitator adds a paper participant at T1 and types a paper form with the keyboard.
    await fac.getByRole('textbox', { name: 'Prénom', exact: true }).fill('Odette');
    await pickCommune(fac, 'Commune du participant', 'Honfleur');
    await fac.getByLabel('Table', { exact: true }).selectOption('T1');
    await fac.getByRole('button', { name: 'Ajouter le participant' }).click();
    await visible(fac.locator('#table-T1 .member-name', { hasText: 'Odette' }));
    await fac.getByLabel('Auteur de la fiche').selectOption({ label: 'Odette · T1 · Papier' });
    await fac.getByLabel('Titre du secret').focus();
    await fac.keyboard.type('Le pré aux pommiers');
    await fac.keyboard.press('Tab');
    await fac.keyboard.type('Pique-nique sous les pommiers en fleurs.');
    await fac.getByRole('button', { name: 'Enregistrer la fiche' }).click();
    await visible(fac.getByText('Fiche enregistrée.'));

    // Moderation: edit Jean's, reject the advertisement, mark one "à vérifier", approve the rest.
    const mod = pages.moderator;
    await visible(mod.locator('.queue-item', { hasText: 'Le pré aux pommiers' }));
    a11y.push(...(await checkA11y(mod, 'moderator-queue', { shot: 'moderator-queue-en' })));
    await screenshot(mod, 'moderator-queue');
    const titles = await mod.locator('.queue-pending .queue-title').allTextContents();
    assert.deepEqual(titles.slice(0, 2), ['La crêperie du port', 'Promo au Super Discount'], 'queue lists the oldest first');
    await mod.locator('.mod-detail h2').click();
    await mod.keyboard.press('j');
    await visible(mod.locator('.mod-detail .secret-title', { hasText: 'Promo au Super Discount' }));
    await mod.keyboard.press('k');
    await visible(mod.locator('.mod-detail .secret-title', { hasText: 'La crêperie du port' }));

    await mod.locator('.queue-item', { hasText: 'Promo au Super Discount' }).locator('button').click();
    await mod.keyboard.press('r');
    await mod.getByLabel('Motif').selectOption('advertising');
    await mod.getByRole('button', { name: 'Confirmer le refus' }).click();
    await mod.locator('.queue-item', { hasText: 'Promo au Super Discount' }).waitFor({ state: 'detached', ...WAIT });

    await mod.locator('.queue-item', { hasText: 'Les moules de Jean' }).locator('button').click();
    await mod.keyboard.press('e');
    await mod.getByLabel('Titre du secret').fill('Les moules-frites du vendredi');
    await screenshot(mod, 'moderator-edit');
    await mod.getByRole('button', { name: 'Enregistrer la modification' }).click();
    await visible(jean.page.locator('.mine-item', { hasText: 'Les moules-frites du vendredi' }));
    await visible(jean.page.locator('.mine-item .badge-edited'));

    await mod.locator('.queue-item', { hasText: 'Le marché du samedi' }).locator('button').click();
    await mod.keyboard.press('v');
    await mod.getByLabel('Que faut-il vérifier ?').fill('Horaires d’hiver');
    await mod.getByRole('button', { name: 'Marquer à vérifier' }).click();
    await visible(solene.page.locator('.mine-item .badge-to_check'));

    await approveAll(mod);
    await mod.locator('.queue-item', { hasText: 'Le marché du samedi' }).locator('button').click();
    await mod.keyboard.press('a');
    await visible(solene.page.locator('.mine-item .badge-approved'));
    await visible(maelle.page.locator('.mine-item', { hasText: 'Promo au Super Discount' }).locator('.badge-rejected'));
    await visible(maelle.page.getByText('Motif : Publicité'));
    await visible(maelle.page.locator('.mine-item', { hasText: 'La crêperie du port' }).locator('.badge-approved'));

    await visible(pages.projector.locator('.wall-item', { hasText: 'Les moules-frites du vendredi' }));
    assert.equal(await pages.projector.locator('.wall-item', { hasText: 'Promo au Super Discount' }).count(), 0, 'projector hides rejected secrets');
    a11y.push(...(await checkA11y(pages.projector, 'projector-writing')));
    await screenshot(pages.projector, 'projector-writing');

    // Help for a table: an inspiration question and one more minute.
    await fac.locator('#table-T1').getByRole('button', { name: 'Envoyer la question à la table' }).click();
    await visible(maelle.page.locator('.question-text', { hasText: 'Quel plat faites-vous goûter à vos amis de passage ?' }));
    await screenshot(maelle.page, 'participant-question');
    await fac.getByRole('button', { name: '+1 min pour T2' }).click();
    await visible(fac.locator('#table-T2 .countdown'));
    await paul.page.waitForFunction(() => /^1[01]:\d\d$/.test(document.querySelector('.countdown')?.textContent || ''), null, WAIT);
    await fac.getByRole('button', { name: 'Mettre en pause' }).click();
    await visible(jean.page.locator('.countdown', { hasText: 'En pause' }));
    await fac.getByRole('button', { name: 'Reprendre', exact: true }).click();
    await jean.page.waitForFunction(() => /^\d+:\d\d$/.test(document.querySelector('.countdown')?.textContent || ''), null, WAIT);

    await visible(fac.locator('#table-T2 .member-count', { hasText: '1 secret' }));
    a11y.push(...(await checkA11y(fac, 'facilitator-writing', { shot: 'facilitator-writing-en' })));
    await screenshot(fac, 'facilitator-writing');
  });

  it('round one: presentations, vote and results', async () => {
    await facilitatorClick('Lancer les présentations');
    for (const phone of phones) await phaseIs(phone.page, 'Présentations');
    a11y.push(...(await checkA11y(phones[1].page, 'participant-presenting')));
    await presentTable('T2');
    // The facilitator hands over for Odette, who has no phone.
    const t1 = phonesAt('T1');
    for (let guard = 0; guard < 8; guard += 1) {
      if (await t1[0].page.getByText('Toutes les présentations de la table sont terminées.').count()) break;
      const odetteTurn = await t1[0].page.getByText('C’est au tour de Odette de présenter.').count();
      if (odetteTurn) {
        // Odette's paper secret goes up in large type on her table's phones.
        await pages.facilitator.getByRole('button', { name: 'Afficher en grand : « Le pré aux pommiers »' }).click();
        await visible(t1[0].page.locator('.spotlight, .secret-large', { hasText: 'Le pré aux pommiers' }).first());
        await pages.facilitator.getByRole('button', { name: 'Personne suivante (T1)' }).click();
        await t1[0].page.getByText('C’est au tour de Odette de présenter.').waitFor({ state: 'detached', ...WAIT });
        continue;
      }
      await presentTable('T1').catch(() => {});
    }
    await visible(t1[0].page.getByText('Toutes les présentations de la table sont terminées.'));

    await facilitatorClick('Ouvrir le vote');
    const [maelle, jean, solene, gaetan, ines, paul] = phones;
    await phaseIs(maelle.page, 'Vote');
    assert.equal(await maelle.page.getByRole('button', { name: 'Voter pour « La crêperie du port »' }).count(), 0, 'no vote button for my own secret');
    assert.equal(await jean.page.getByRole('button', { name: 'Voter pour « Promo au Super Discount »' }).count(), 0, 'no vote button for a rejected secret');
    // Maëlle changes her mind: the second vote replaces the first.
    await maelle.page.getByRole('button', { name: 'Voter pour « Le marché du samedi »' }).click();
    await visible(maelle.page.getByText('Votre vote : « Le marché du samedi »'));
    await maelle.page.getByRole('button', { name: 'Voter pour « Les moules-frites du vendredi »' }).click();
    await visible(maelle.page.getByText('Votre vote : « Les moules-frites du vendredi »'));
    a11y.push(...(await checkA11y(maelle.page, 'participant-voting')));
    await screenshot(maelle.page, 'participant-voting');
    await solene.page.getByRole('button', { name: 'Voter pour « Les moules-frites du vendredi »' }).click();
    await jean.page.getByRole('button', { name: 'Voter pour « La crêperie du port »' }).click();
    await gaetan.page.getByRole('button', { name: 'Voter pour « Huîtres sur le sable »' }).click();
    await paul.page.getByRole('button', { name: 'Voter pour « Huîtres sur le sable »' }).click();
    await ines.page.getByRole('button', { name: 'Voter pour « Le teurgoule de Mamie »' }).click();
    for (const phone of phones) await visible(phone.page.getByText(/^Votre vote : /));

    const fac = pages.facilitator;
    await fac.getByLabel('Qui vote').selectOption({ label: 'Odette · T1 · Papier' });
    await fac.getByLabel('Secret choisi').selectOption({ label: 'Les moules-frites du vendredi (Jean)' });
    await fac.getByRole('button', { name: 'Enregistrer le vote' }).click();
    await visible(fac.locator('#table-T1 dd', { hasText: '4 sur 4' }));
    await visible(fac.locator('#table-T2 dd', { hasText: '3 sur 3' }));
    await screenshot(fac, 'facilitator-voting');

    await facilitatorClick('Clore le vote');
    await visible(maelle.page.locator('.winner .secret-title', { hasText: 'Les moules-frites du vendredi' }));
    await visible(paul.page.locator('.winner .secret-title', { hasText: 'Huîtres sur le sable' }));
    a11y.push(...(await checkA11y(paul.page, 'participant-results')));
    await screenshot(paul.page, 'participant-results');
    await visible(fac.locator('#table-T1 .winner-line', { hasText: 'Les moules-frites du vendredi' }));
    await screenshot(pages.projector, 'projector-results');
  });

  it('reshuffle moves people to new tables', async () => {
    const fac = pages.facilitator;
    await facilitatorClick('Préparer un brassage');
    await visible(fac.getByRole('heading', { name: 'Brassage proposé' }));
    a11y.push(...(await checkA11y(fac, 'facilitator-reshuffle')));
    await screenshot(fac, 'facilitator-reshuffle');
    // Move Maëlle by hand to the other table than the one proposed.
    const select = fac.locator('.reshuffle-table li', { hasText: 'Maëlle' }).locator('select');
    const proposed = await select.inputValue();
    const target = proposed === 'T1' ? 'T2' : 'T1';
    await select.selectOption(target);
    await visible(fac.locator('.reshuffle-table', { hasText: `Table ${target}` }).locator('li', { hasText: 'Maëlle' }));
    await fac.getByRole('button', { name: 'Appliquer le brassage' }).click();
    await fac.getByRole('heading', { name: 'Brassage proposé' }).waitFor({ state: 'detached', ...WAIT });
    const maelle = phones[0];
    if (target !== 'T1') {
      await visible(maelle.page.locator('.move-table', { hasText: `table ${target}` }));
      await screenshot(maelle.page, 'participant-move');
    }
    for (const phone of phones) {
      const seat = await phone.page.locator('.seat-number').textContent();
      phone.table = seat.trim();
    }
    assert.equal(phones[0].table, target, 'Maëlle is seated where the facilitator moved her');
  });

  it('round two goes from writing to results', async () => {
    await facilitatorClick('Lancer la saisie');
    for (const phone of phones) await visible(phone.page.getByRole('heading', { name: 'Les endroits « waouh »' }));
    // Maëlle's table-mates vote for her very long text below, so that it reaches the showcase.
    const longText = 'Depuis le sentier du littoral, on descend par les marches de la falaise. '.repeat(26).trim();
    assert.ok(longText.length > 1800, `long text has ${longText.length} characters`);
    assert.ok(longText.length <= 2000, `long text has ${longText.length} characters`);
    const paul = phones.find((phone) => phone.name === 'Paul');
    const gaetan = phones.find((phone) => phone.name === 'Gaëtan');
    for (const phone of phones) {
      if (phone === paul || phone === gaetan) continue;
      const text = phone.name === 'Maëlle' ? longText : `Un endroit que ${phone.name} adore, surtout au coucher du soleil.`;
      await writeSecret(phone.page, { title: `Le coin de ${phone.name}`, text });
    }

    // The acknowledgement of Gaëtan's secret is lost with his connection: the phone sends the
    // command again with the same operation id, and the server stores the secret once.
    const submitOps = [];
    let ackDropped = false;
    await gaetan.page.routeWebSocket(/\/ws$/, (client) => {
      const upstream = client.connectToServer();
      client.onMessage((message) => {
        const data = JSON.parse(message);
        if (data.type === 'cmd' && data.command.type === 'submit_secret') submitOps.push(data.op);
        upstream.send(message);
      });
      upstream.onMessage((message) => {
        const data = JSON.parse(message);
        if (!ackDropped && data.type === 'ack' && submitOps.includes(data.op)) {
          ackDropped = true;
          client.close({ code: 4000, reason: 'acknowledgement dropped by the test' });
          upstream.close();
          return;
        }
        client.send(message);
      });
    });
    await gaetan.page.reload();
    await visible(gaetan.page.getByLabel('Titre du secret'));
    await writeSecret(gaetan.page, { title: 'Le coin de Gaëtan', text: 'Un endroit que Gaëtan adore, surtout au coucher du soleil.' });
    await visible(gaetan.page.locator('.mine-item', { hasText: 'Le coin de Gaëtan' }).locator('.badge-pending'));
    await visible(gaetan.page.locator('.conn', { hasText: /^Connecté$/ }));
    assert.equal(await gaetan.page.locator('.mine-item', { hasText: 'Le coin de Gaëtan' }).count(), 1, 'my secrets list it once');
    assert.ok(ackDropped, 'the first acknowledgement was dropped');
    assert.equal(submitOps.length, 2, 'the secret was sent twice');
    assert.equal(submitOps[1], submitOps[0], 'the retry reuses the operation id');
    await visible(pages.moderator.locator('.queue-item', { hasText: 'Le coin de Gaëtan' }));
    assert.equal(await pages.moderator.locator('.queue-item', { hasText: 'Le coin de Gaëtan' }).count(), 1, 'the retried secret is stored once');

    // Paul writes while his phone is offline: the secret waits, then goes once the network is back.
    await paul.page.context().setOffline(true);
    await visible(paul.page.locator('.conn', { hasText: 'Hors ligne' }));
    await paul.page.getByLabel('Titre du secret').fill('Le coin de Paul');
    await paul.page.getByLabel('Votre secret').fill('Un endroit que Paul adore, surtout au coucher du soleil.');
    await paul.page.getByRole('button', { name: 'Envoyer mon secret' }).click();
    await visible(paul.page.locator('.mine-item', { hasText: 'Le coin de Paul' }).locator('.badge-waiting'));
    await visible(paul.page.locator('.conn', { hasText: 'Hors ligne — 1 élément(s) en attente' }));
    await screenshot(paul.page, 'participant-offline');
    await paul.page.context().setOffline(false);
    await visible(paul.page.locator('.conn', { hasText: /^Connecté$/ }));
    await visible(paul.page.locator('.mine-item', { hasText: 'Le coin de Paul' }).locator('.badge-pending'));
    await visible(pages.moderator.locator('.queue-item', { hasText: 'Le coin de Paul' }));
    assert.equal(await pages.moderator.locator('.queue-item', { hasText: 'Le coin de Paul' }).count(), 1, 'the resent secret is stored once');

    // Two moderators on the same secret: the second one's decision is refused as stale.
    const mod2 = await openPage(browser, { name: 'moderator-2' });
    pages.moderator2 = mod2;
    await mod2.goto(links.moderator);
    await mod2.locator('.queue-item', { hasText: 'Le coin de Jean' }).locator('button').click();
    await mod2.keyboard.press('e');
    await mod2.getByLabel('Titre du secret').fill('Le coin secret de Jean');
    await pages.moderator.locator('.queue-item', { hasText: 'Le coin de Jean' }).locator('button').click();
    await pages.moderator.keyboard.press('a');
    await visible(mod2.getByText('Attention : quelqu’un d’autre vient de décider de ce secret.', { exact: false }));
    await mod2.getByRole('button', { name: 'Enregistrer la modification' }).click();
    await visible(mod2.getByText('Ce secret a changé depuis que vous l\'avez ouvert', { exact: false }));
    await visible(mod2.locator('.mod-detail .badge-approved'));
    a11y.push(...(await checkA11y(mod2, 'moderator-stale')));
    await screenshot(mod2, 'moderator-stale');
    await approveAll(pages.moderator);
    await facilitatorClick('Lancer les présentations');
    // This time the facilitator hands over for everyone.
    const fac = pages.facilitator;
    for (const table of ['T1', 'T2']) {
      const progress = fac.locator(`#table-${table} dd`).nth(2);
      await visible(fac.getByRole('button', { name: `Personne suivante (${table})` }));
      for (let guard = 0; guard < 10 && (await progress.textContent()) !== 'terminées'; guard += 1) {
        const before = await progress.textContent();
        await fac.getByRole('button', { name: `Personne suivante (${table})` }).click();
        await fac.waitForFunction(([selector, text]) => document.querySelectorAll(selector)[2]?.textContent !== text, [`#table-${table} dd`, before], WAIT);
      }
      assert.equal(await progress.textContent(), 'terminées', `presentations at ${table} are done`);
    }
    await facilitatorClick('Ouvrir le vote');
    const maelle = phones[0];
    for (const phone of phones) {
      const forMaelle = phone !== maelle && phone.table === maelle.table;
      const button = await visible(phone.page.getByRole('button', { name: forMaelle ? 'Voter pour « Le coin de Maëlle »' : /^Voter pour/ }));
      await button.click();
      await visible(phone.page.getByText(/^Votre vote : /));
    }
    await facilitatorClick('Clore le vote');
    const ties = fac.getByRole('heading', { name: 'Égalités à départager' });
    await fac.locator('#table-T1 .winner-line, .tie').first().waitFor(WAIT);
    if (await ties.isVisible()) {
      for (const tie of await fac.locator('fieldset.tie').all()) {
        await tie.locator('input[type=checkbox]').first().check();
        await tie.getByRole('button', { name: 'Valider' }).click();
      }
      await screenshot(fac, 'facilitator-tie');
    }
    await visible(fac.locator('#table-T1 .winner-line'));
    await visible(fac.locator('#table-T2 .winner-line'));
  });

  it('showcase on the projector, driven by the facilitator', async () => {
    const fac = pages.facilitator;
    const projector = pages.projector;
    await facilitatorClick('Lancer la vitrine finale');
    await visible(projector.getByRole('heading', { name: 'Les bonnes popotes' }));
    const t1 = projector.locator('.showcase-card', { hasText: 'Table T1' });
    await visible(t1.locator('.showcase-title', { hasText: 'Les moules-frites du vendredi' }));
    await visible(t1.locator('.showcase-text', { hasText: 'petit bistrot' }));
    await visible(t1.locator('.showcase-credit', { hasText: 'Jean · Deauville' }));
    const t2 = projector.locator('.showcase-card', { hasText: 'Table T2' });
    await visible(t2.locator('.showcase-title', { hasText: 'Huîtres sur le sable' }));
    await visible(t2.locator('.showcase-credit', { hasText: 'Inès · Cabourg' }));
    a11y.push(...(await checkA11y(projector, 'projector-showcase', { shot: 'projector-showcase-en' })));
    await screenshot(projector, 'projector-showcase-1');
    await screenshot(fac, 'facilitator-showcase');
    for (const phone of phones) await visible(phone.page.getByText('Regardez l’écran : voici les secrets élus par chaque table.'));

    await fac.getByRole('button', { name: '2. Les endroits « waouh »' }).click();
    await visible(projector.getByRole('heading', { name: 'Les endroits « waouh »' }));
    const long = projector.locator('.showcase-card', { hasText: 'Le coin de Maëlle' });
    await visible(long.locator('.showcase-text', { hasText: 'sentier du littoral' }));
    await screenshot(projector, 'projector-showcase-2');
    const fits = await projector.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight);
    assert.ok(fits, 'the showcase with a 1,900-character winner fits on one 1920×1080 screen');
    const overflowing = await projector.evaluate(() => Array.from(document.querySelectorAll('.showcase-card')).filter((card) => card.scrollHeight > card.clientHeight + 1).length);
    assert.equal(overflowing, 0, 'no showcase card cuts its text');
    const textSize = await long.locator('.showcase-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(textSize >= 16, `the long text stays at 16 px or more on the projector, got ${textSize}`);
  });

  it('feedback and closing', async () => {
    await facilitatorClick('Ouvrir les avis');
    for (const [index, phone] of phones.entries()) {
      await visible(phone.page.getByRole('heading', { name: 'Votre avis sur l’atelier' }));
      if (index === 0) {
        a11y.push(...(await checkA11y(phone.page, 'participant-feedback')));
        await screenshot(phone.page, 'participant-feedback');
      }
      await phone.page.getByLabel(index % 2 ? '4 — très bien' : '5 — excellent').check();
      await phone.page.getByLabel('Un commentaire').fill(`Très sympa, merci (${phone.name})`);
      if (index === 0) await phone.page.getByLabel('Quelqu’un à inviter la prochaine fois').fill('Le boulanger de la rue Haute');
      await phone.page.getByRole('button', { name: 'Envoyer mon avis' }).click();
      await visible(phone.page.getByText('Merci pour votre avis !'));
    }
    await visible(pages.facilitator.getByRole('heading', { name: 'Avis reçus (6)' }));

    // Downloads: the staff workbook for the facilitator, the copy for everyone on a phone.
    const staffDownload = pages.facilitator.waitForEvent('download', WAIT);
    await pages.facilitator.getByRole('button', { name: 'Classeur de l’équipe (Excel)' }).click();
    assert.match((await staffDownload).suggestedFilename(), /^atelier-.+-equipe\.xlsx$/);
    const copyDownload = phones[2].page.waitForEvent('download', WAIT);
    await phones[2].page.getByRole('button', { name: 'Télécharger la copie des secrets (Excel)' }).click();
    assert.match((await copyDownload).suggestedFilename(), /^atelier-.+-secrets\.xlsx$/);
    await visible(pages.facilitator.getByText('Note moyenne : 4,5 / 5'));
    await screenshot(pages.projector, 'projector-feedback');
    await pages.facilitator.getByRole('button', { name: 'Clôturer l’atelier' }).click();
    for (const phone of phones) await visible(phone.page.getByText('L’atelier est terminé. Merci pour vos secrets !'));
    await screenshot(phones[0].page, 'participant-closed');
    await screenshot(pages.projector, 'projector-closed');
  });

  it('no accessibility violations in French and English', () => {
    assert.deepEqual(a11y, []);
  });

  it('no screen scrolls sideways on a phone', () => {
    assert.deepEqual(layoutProblems, []);
  });

  it('no page errors or CSP violations', () => {
    const problems = [...Object.values(pages), ...phones.map((phone) => phone.page)].flatMap((page) => page.problems);
    assert.deepEqual(problems, []);
  });
});
