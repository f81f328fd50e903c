// Browser tests of the map (/) and batch (/lot) pages, in Debian's Chromium driven
// by playwright-core. The server is started by the Go test TestBrowser
// (cmd/zonage/browser_test.go), which passes its address in ZONAGE_URL; run them
// with `make e2e`. Each step leaves a screenshot in ZONAGE_TESTOUT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lancer } from './chromium.mjs';

const BASE = process.env.ZONAGE_URL;
const SORTIE = process.env.ZONAGE_TESTOUT || join(import.meta.dirname, '..', 'testout', 'e2e');
const DELAI = 60_000;

let navigateur;

before(async () => {
  assert.ok(BASE, 'ZONAGE_URL manque : lancez ces tests par « make e2e »');
  mkdirSync(SORTIE, { recursive: true });
  navigateur = await lancer();
});

after(async () => {
  if (navigateur) await navigateur.close();
});

// ouvrir opens a page in a fresh context and records every console error, page
// error and failed request; verifier asserts there were none.
async function ouvrir(options = {}) {
  const contexte = await navigateur.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', acceptDownloads: true, ...options });
  const page = await contexte.newPage();
  const erreurs = [];
  page.on('console', (m) => { if (m.type() === 'error') erreurs.push(`console : ${m.text()}`); });
  page.on('pageerror', (e) => erreurs.push(`page : ${e.message}`));
  page.on('requestfailed', (r) => {
    // Tiles left behind by a zoom are cancelled on purpose.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') erreurs.push(`requête : ${r.url()} ${r.failure()?.errorText}`);
  });
  return { contexte, page, erreurs };
}

async function capture(page, nom) {
  await page.screenshot({ path: join(SORTIE, `${nom}.png`) });
}

async function carte(page, chemin = '/') {
  await page.goto(BASE + chemin);
  await page.waitForSelector('body[data-carte="prete"]', { timeout: DELAI });
}

// panneau waits for the side panel to show the commune with that code.
async function panneau(page, code) {
  const titre = page.locator('#panneau-titre');
  await titre.filter({ hasText: code }).waitFor({ timeout: DELAI });
  await page.waitForFunction(() => !document.getElementById('panneau').hasAttribute('aria-busy'), null, { timeout: DELAI });
  return page.locator('#panneau').innerText();
}

test('la carte se charge, sans erreur dans la console', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page);
  const premier = await page.evaluate(() => window.zonagePremierAffichage);
  console.log(`premier affichage de la carte : ${Math.round(premier)} ms`);
  const legende = await page.locator('#legende-liste').innerText();
  assert.match(legende, /très sous-dotée\s+[\d\s  ]+/);
  assert.match(legende, /non prioritaire/);
  assert.equal(await page.locator('#territoire option').count(), 7, 'métropole et cinq DROM, plus « Aller à… »');
  // The tiles are drawn, in the legend's colours (viridis purple for très sous-dotée).
  const pixels = await page.evaluate(() => {
    let colores = 0;
    let violet = 0;
    for (const c of document.querySelectorAll('.leaflet-tile-container canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0) colores++;
        if (d[i] === 0x44 && d[i + 1] === 0x01 && d[i + 2] === 0x54) violet++;
      }
    }
    return { colores, violet };
  });
  assert.ok(pixels.colores > 100_000 && pixels.violet > 10_000, `pixels dessinés : ${JSON.stringify(pixels)}`);
  // The borders are drawn once the colours are: wait for them before the picture.
  await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
  await capture(page, '01-carte-france');
  await page.selectOption('#territoire', '974');
  await page.waitForTimeout(1500);
  await capture(page, '01b-la-reunion');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('un clic sur Paris 6e montre « non prioritaire » et la régulation', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/?lat=48.8493&lon=2.3325&zoom=14&vue=1');
  const boite = await page.locator('#carte').boundingBox();
  await page.mouse.click(boite.x + boite.width / 2, boite.y + boite.height / 2);
  const texte = await panneau(page, '75106');
  assert.match(texte, /non prioritaire/);
  assert.match(texte, /régul/i);
  assert.match(texte, /Vérifiez auprès de votre CPAM/);
  assert.match(texte, /Île-de-France/);
  await page.waitForTimeout(800);
  await capture(page, '02-paris-6e');
  // The panel is the page's answer: focus moves to its title, for screen readers.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'panneau-titre');

  // The permalink restores the selection.
  const lien = new URL(page.url());
  assert.ok(lien.searchParams.get('lat') && lien.searchParams.get('zoom'), `lien permanent ${page.url()}`);
  const autre = await contexte.newPage();
  await carte(autre, lien.pathname + lien.search);
  assert.match(await panneau(autre, '75106'), /non prioritaire/);
  await carte(autre, '/?commune=75106&zoom=13');
  assert.match(await panneau(autre, '75106'), /non prioritaire/);
  assert.equal(new URL(autre.url()).searchParams.get('commune'), '75106');
  await capture(autre, '02b-lien-permanent');

  // The keyboard alone: Enter on the map answers for its centre.
  await page.locator('#panneau-fermer').click();
  await page.locator('#carte').focus();
  await page.keyboard.press('Enter');
  await panneau(page, '75106');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('une commune nouvelle ambiguë s\'explique', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/?commune=08439');
  const texte = await panneau(page, '08439');
  assert.match(texte, /communes déléguées ont des catégories différentes/);
  assert.match(texte, /Catégories possibles/);
  await capture(page, '03-commune-ambigue');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('la recherche au clavier ouvre une commune', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page);
  await page.locator('#recherche').fill('Narbonne');
  await page.locator('#suggestions li').first().waitFor({ timeout: DELAI });
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#recherche').getAttribute('aria-activedescendant'), 'suggestion-0');
  await page.keyboard.press('Enter');
  const texte = await panneau(page, '11262');
  assert.match(texte, /Narbonne/);
  await page.waitForTimeout(1200);
  await capture(page, '04-recherche-commune');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('la recherche de « 12 rue de Vaugirard Paris » ouvre 75106', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page);
  await page.locator('#recherche').fill('12 rue de Vaugirard Paris');
  await page.locator('#recherche').press('Enter');
  const texte = await panneau(page, '75106');
  assert.match(texte, /Vaugirard/i);
  await page.waitForTimeout(1200);
  await capture(page, '05-recherche-adresse');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('le profil précise les options', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/?commune=75106');
  await panneau(page, '75106');
  await page.locator('#profil-bouton').click();
  await page.selectOption('select[name="statut"]', 'remplacant');
  await page.locator('#panneau .option summary', { hasText: /remplaçant/i }).waitFor({ timeout: DELAI });
  assert.equal(await page.locator('#panneau .option').count(), 1, 'un seul statut une fois le profil choisi');
  await capture(page, '06-profil');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('sur un téléphone, le panneau s\'ouvre en bas de l\'écran', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await carte(page, '/?lat=48.8493&lon=2.3325&zoom=13&vue=1');
  await capture(page, '08-telephone-carte');
  await page.locator('#legende-bouton').tap();
  assert.equal(await page.locator('#legende-bouton').getAttribute('aria-expanded'), 'true');
  await page.locator('#legende-liste').waitFor({ state: 'visible' });
  await capture(page, '08b-telephone-legende');
  await page.locator('#legende-bouton').tap();
  const boite = await page.locator('#carte').boundingBox();
  await page.touchscreen.tap(boite.x + boite.width / 2, boite.y + boite.height / 2);
  const texte = await panneau(page, '75106');
  assert.match(texte, /non prioritaire/);
  const p = await page.locator('#panneau').boundingBox();
  assert.ok(p.y > 844 * 0.35 && Math.round(p.width) === 390, `panneau en bas sur toute la largeur : ${JSON.stringify(p)}`);
  await capture(page, '08c-telephone-panneau');
  // Nothing wider than the screen: no sideways scrolling.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// axe-core checks WCAG 2 A and AA rules (labels, contrast, roles, names) on both
// pages, the panel open. The pages forbid inline scripts; the audit context lifts
// that to inject axe.
async function auditer(page) {
  await page.addScriptTag({ path: join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js') });
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }));
  assert.ok(r.passes.length > 10, `axe n'a vérifié que ${r.passes.length} règles`);
  return r.violations.map((v) => `${v.id} : ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' ; ')})`);
}

test('accessibilité : aucune violation WCAG 2.1 AA détectée par axe', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ bypassCSP: true });
  await carte(page, '/?commune=75106');
  await panneau(page, '75106');
  await page.locator('#profil-bouton').click();
  assert.deepEqual(await auditer(page), []);
  await page.goto(`${BASE}/lot`);
  assert.deepEqual(await auditer(page), []);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});
