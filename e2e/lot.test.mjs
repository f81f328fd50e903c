// Browser tests of the batch page (/lot), in Debian's Chromium driven by
// playwright-core, against the server TestBrowser (cmd/zonage/browser_test.go)
// starts; run them with `make e2e`. The page's counts are checked against the
// file it downloads, row for row. Screenshots go to ZONAGE_TESTOUT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lancer } from './chromium.mjs';

const BASE = process.env.ZONAGE_URL;
const SORTIE = process.env.ZONAGE_TESTOUT || join(import.meta.dirname, '..', 'testout', 'e2e');
const DELAI = 60_000;
const BUREAU = { viewport: { width: 1366, height: 850 } };
const TELEPHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let navigateur;

before(async () => {
  assert.ok(BASE, 'ZONAGE_URL manque : lancez ces tests par « make e2e »');
  mkdirSync(SORTIE, { recursive: true });
  navigateur = await lancer();
});

after(async () => {
  if (navigateur) await navigateur.close();
});

async function ouvrir(options = BUREAU) {
  const contexte = await navigateur.newContext({ locale: 'fr-FR', acceptDownloads: true, ...options });
  const page = await contexte.newPage();
  const erreurs = [];
  page.on('console', (m) => { if (m.type() === 'error') erreurs.push(`console : ${m.text()}`); });
  page.on('pageerror', (e) => erreurs.push(`page : ${e.message}`));
  page.on('requestfailed', (r) => {
    // A download started by a form post ends its navigation as "aborted", and Chromium
    // at times says the same of a streamed answer read to its end; what the page made
    // of that answer is checked against the downloaded file.
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/classify') && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    erreurs.push(`requête : ${r.method()} ${r.resourceType()} ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(`${BASE}/lot`);
  return { contexte, page, erreurs };
}

// lireCSV parses RFC 4180 text: quoted fields may hold the delimiter, newlines and "".
function lireCSV(texte, sep) {
  const lignes = [];
  let ligne = [];
  let champ = '';
  let guillemets = false;
  for (let i = 0; i < texte.length; i++) {
    const c = texte[i];
    if (guillemets) {
      if (c === '"' && texte[i + 1] === '"') { champ += '"'; i++; } else if (c === '"') guillemets = false; else champ += c;
    } else if (c === '"') guillemets = true;
    else if (c === sep) { ligne.push(champ); champ = ''; }
    else if (c === '\n') { ligne.push(champ); lignes.push(ligne); ligne = []; champ = ''; }
    else if (c !== '\r') champ += c;
  }
  if (champ !== '' || ligne.length) { ligne.push(champ); lignes.push(ligne); }
  return lignes;
}

// Every status (ok, ambigu, introuvable, erreur), a blank line, a short and a long
// row, quotes holding the delimiter, doubled quotes and a newline, a formula-like cell.
const MELANGE = [
  'id;code_insee;adresse;lat;lon',
  '1;75106;;;',
  '2;08439;;;',
  '3;99999;;;',
  '4;;;95;2',
  '',
  '5;;"12 rue de Vaugirard; Paris";;',
  '6;75106',
  '7;75106;;;;en trop;encore',
  '"8";"13216";"un ""cabinet"" sur',
  'deux lignes";;',
  '9;;;48.85;2.33',
  '10;13055;;;',
  '11;97411;;;',
  '12;2A004;;;',
  '13;01330;;;',
  '14;33063;;;',
  '=1+1;59350;;;',
  '16;69381;;;',
  '17;;;46.5;-3.5',
  '18;11262;;;',
  '19;15219;;;',
  '20;06088;;;',
].join('\r\n') + '\r\n';

async function classer(page, nom, contenu) {
  await page.setInputFiles('#fichier', { name: nom, mimeType: 'text/csv', buffer: Buffer.from(contenu) });
  await page.locator('#colonnes-choix select').first().waitFor({ timeout: DELAI });
  await page.waitForFunction(() => !document.getElementById('colonnes').hasAttribute('aria-busy'));
  await page.locator('#lancer').click();
  await page.waitForSelector('#resultat[data-lignes]', { timeout: DELAI });
}

async function telecharger(page, bouton, nom) {
  const [t] = await Promise.all([page.waitForEvent('download', { timeout: DELAI }), page.locator(bouton).click()]);
  const chemin = join(SORTIE, nom);
  await t.saveAs(chemin);
  return { nom: t.suggestedFilename(), octets: readFileSync(chemin) };
}

// compteTable reads a count table: label → count, and its total row.
async function compteTable(page, id) {
  return page.evaluate((id) => {
    const lire = (tr) => [tr.cells[0].innerText.trim(), Number(tr.cells[1].innerText.replace(/\s/g, ''))];
    const t = document.getElementById(id);
    return { lignes: Object.fromEntries([...t.tBodies[0].rows].map(lire)), total: lire(t.tFoot.rows[0])[1] };
  }, id);
}

const LIBELLES = { ok: 'trouvée', ambigu: 'ambiguë', introuvable: 'introuvable', erreur: 'erreur de saisie' };

// sansArtefact: no literal null/undefined/NaN, no message said twice in a row's cell.
async function sansArtefact(page) {
  const texte = await page.locator('main').innerText();
  assert.doesNotMatch(texte, /\bnull\b|\bundefined\b|\bNaN\b|\[object /);
  const doublons = await page.evaluate(() => [...document.querySelectorAll('.table-lignes td')]
    .map((td) => [...td.querySelectorAll('p')].map((p) => p.textContent))
    .filter((ps) => new Set(ps).size !== ps.length));
  assert.deepEqual(doublons, [], 'un message répété dans une même cellule');
}

test('/lot : les comptes et les lignes à vérifier correspondent au fichier téléchargé, ligne à ligne', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await classer(page, 'cabinets.csv', MELANGE);
  const complet = await telecharger(page, '#telecharger', 'lot-complet.csv');
  assert.equal(complet.nom, 'cabinets-zonage.csv');
  const rendu = lireCSV(complet.octets.toString('utf8'), ';');
  const entete = rendu[0];
  const lignes = rendu.slice(1);
  assert.equal(lignes.length, 20, 'vingt lignes de données, la ligne vide n\'en est pas une');
  // The added columns sit under their headers, however many cells a row has.
  const statut = (l) => l[entete.indexOf('zonage_statut')];
  const parStatut = {};
  for (const l of lignes) parStatut[statut(l)] = (parStatut[statut(l)] || 0) + 1;
  assert.deepEqual(Object.keys(parStatut).sort(), ['ambigu', 'erreur', 'introuvable', 'ok'], `tous les statuts : ${JSON.stringify(parStatut)}`);

  assert.equal(await page.locator('#resultat').getAttribute('data-lignes'), '20');
  const statuts = await compteTable(page, 'table-statuts');
  assert.equal(statuts.total, 20);
  assert.deepEqual(statuts.lignes, Object.fromEntries(Object.entries(parStatut).map(([k, n]) => [LIBELLES[k], n])));
  const categories = await compteTable(page, 'table-categories');
  assert.equal(categories.total, 20);
  assert.equal(Object.values(categories.lignes).reduce((a, b) => a + b, 0), 20, `catégories : ${JSON.stringify(categories.lignes)}`);
  const nonOk = lignes.filter((l) => statut(l) !== 'ok');
  assert.equal(await page.locator('#resultat').getAttribute('data-a-verifier'), String(nonOk.length));
  assert.equal(await page.locator('#table-erreurs tbody tr').count(), nonOk.length);
  assert.match(await page.locator('#resume-total').innerText(), new RegExp(`^20 lignes classées : ${parStatut.ok} trouvées, ${nonOk.length} à vérifier\\.$`));
  // The rows to check, in order, with the spreadsheet's line numbers (header = 1).
  const numeros = await page.locator('#table-erreurs tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(numeros.map((n) => n.replace(/\D/g, '')), lignes.map((l, i) => [l, i + 2]).filter(([l]) => statut(l) !== 'ok').map(([, n]) => String(n)));
  assert.match(await page.locator('#table-erreurs').innerText(), /latitude « 95 »/);

  // Each row found links to its commune on the map.
  const liens = await page.locator('#table-apercu a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(liens.includes('/?commune=75106') && liens.includes('/?commune=08439'), `liens : ${liens}`);
  await sansArtefact(page);
  await page.screenshot({ path: join(SORTIE, 'lot-01-resume-bureau.png'), fullPage: true });

  // « Télécharger les lignes à vérifier »: the same header and the non-ok rows, in order.
  const bouton = page.locator('#telecharger-a-verifier');
  assert.equal(await bouton.innerText(), `Télécharger les ${nonOk.length} lignes à vérifier (CSV)`);
  const aVerifier = await telecharger(page, '#telecharger-a-verifier', 'lot-a-verifier.csv');
  assert.equal(aVerifier.nom, 'cabinets-zonage-a-verifier.csv');
  const rv = lireCSV(aVerifier.octets.toString('utf8'), ';');
  assert.deepEqual(rv[0], entete);
  assert.deepEqual(rv.slice(1), nonOk);
  // Same line endings as the full download (the input's CRLF).
  assert.ok(aVerifier.octets.includes('\r\n') && complet.octets.includes('\r\n'));
  // Downloading left the form as it was: a second full download is the same file.
  const encore = await telecharger(page, '#telecharger', 'lot-complet-2.csv');
  assert.ok(encore.octets.equals(complet.octets));
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('/lot : un fichier Windows-1252 garde son encodage, lignes à vérifier comprises', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  const texte = 'nom;ville;code_postal\nCabinet Hélène;Salers;15140\nCabinet Loïc;Nulle-Part-Ailleurs;99999\n';
  const latin1 = Buffer.from(texte, 'latin1');
  await classer(page, 'excel.csv', latin1);
  assert.match(await page.locator('#colonnes-etat').innerText(), /Windows-1252/);
  assert.match(await page.locator('#table-apercu dl').first().textContent(), /Cabinet Hélène/);
  const complet = await telecharger(page, '#telecharger', 'lot-excel.csv');
  const aVerifier = await telecharger(page, '#telecharger-a-verifier', 'lot-excel-a-verifier.csv');
  for (const f of [complet, aVerifier]) {
    assert.ok(!f.octets.includes(Buffer.from('Ã')), `${f.nom} réencodé en UTF-8`);
  }
  assert.ok(complet.octets.includes(Buffer.from('Hélène', 'latin1')));
  const rv = lireCSV(aVerifier.octets.toString('latin1'), ';');
  assert.equal(rv.length, 1 + Number(await page.locator('#resultat').getAttribute('data-a-verifier')));
  assert.equal(rv[1][0], 'Cabinet Loïc');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('/lot : les colonnes devinées sont montrées, et se désignent quand l\'en-tête n\'est pas reconnu', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  // Recognised: the guess is shown in the pickers.
  await page.setInputFiles('#fichier', { name: 'a.csv', mimeType: 'text/csv', buffer: Buffer.from('id;Code Postal;Ville\n1;15140;Salers\n') });
  await page.locator('#colonne-postcode').waitFor({ timeout: DELAI });
  assert.equal(await page.locator('#colonne-postcode').inputValue(), '2');
  assert.equal(await page.locator('#colonne-city').inputValue(), '3');
  assert.equal(await page.locator('#colonne-citycode').inputValue(), '-');
  assert.ok(await page.locator('#colonnes-probleme').isHidden());

  // Not recognised: the page says so and the pickers are the way out.
  const inconnu = 'nom;endroit;position_y;position_x\nA;75106;;\nB;15219;48.85;2.33\nC;99999;;\n';
  await page.setInputFiles('#fichier', { name: 'inconnu.csv', mimeType: 'text/csv', buffer: Buffer.from(inconnu) });
  await page.locator('#colonnes-probleme').filter({ hasText: 'Choisissez ci-dessous' }).waitFor({ timeout: DELAI });
  assert.match(await page.locator('#colonnes-probleme').innerText(), /ne nomme aucune colonne connue \(nom, endroit, position_y, position_x\)/);
  assert.match(await page.locator('#colonne-citycode option:checked').innerText(), /aucune/);
  assert.match(await page.locator('#colonne-citycode option[value="2"]').innerText(), /endroit \(ex\. « 75106 »\)/);
  await page.screenshot({ path: join(SORTIE, 'lot-02-colonnes-inconnues.png'), fullPage: true });
  await page.selectOption('#colonne-citycode', '2');
  await page.locator('#colonnes-probleme').waitFor({ state: 'hidden', timeout: DELAI });
  // Latitude without longitude is refused before anything is sent.
  await page.selectOption('#colonne-lat', '3');
  await page.locator('#colonnes-probleme').filter({ hasText: 'latitude et longitude vont ensemble' }).waitFor({ timeout: DELAI });
  await page.selectOption('#colonne-lon', '4');
  await page.locator('#colonnes-probleme').waitFor({ state: 'hidden', timeout: DELAI });
  await page.selectOption('#colonne-lat', '-');
  await page.selectOption('#colonne-lon', '-');
  await page.waitForFunction(() => !document.getElementById('colonnes').hasAttribute('aria-busy'));
  await page.locator('#lancer').click();
  await page.waitForSelector('#resultat[data-lignes]', { timeout: DELAI });
  assert.equal(await page.locator('#resultat').getAttribute('data-lignes'), '3');
  const apercu = await page.locator('#table-apercu').innerText();
  assert.match(apercu, /Paris 6e Arrondissement \(75106\)/);
  // The coordinates were left aside: Salers by its code, not Paris by its point.
  assert.match(apercu, /Salers \(15219\)/);
  // The download uses the same columns.
  const f = await telecharger(page, '#telecharger', 'lot-colonnes.csv');
  const rendu = lireCSV(f.octets.toString('utf8'), ';');
  assert.deepEqual(rendu.slice(1).map((l) => l[4]), ['75106', '15219', '']);
  await sansArtefact(page);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('/lot sur un téléphone : des lignes lisibles, le texte entier sur demande, rien de coupé', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir(TELEPHONE);
  await page.screenshot({ path: join(SORTIE, 'lot-03-telephone-accueil.png') });
  assert.ok(await page.locator('h1').isVisible(), 'le titre de la page');
  await classer(page, 'cabinets.csv', MELANGE);
  await page.screenshot({ path: join(SORTIE, 'lot-04-telephone-resultat.png'), fullPage: true });
  for (const [id, nom] of [['colonnes', 'lot-04a-telephone-colonnes'], ['resultat-titre', 'lot-04b-telephone-resume'], ['erreurs-titre', 'lot-04c-telephone-a-verifier']]) {
    await page.locator(`#${id}`).evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: join(SORTIE, `${nom}.png`) });
  }
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'pas de défilement de côté');
  // No row taller than half a screen, folded detail included.
  const hauteurs = await page.locator('.table-lignes tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
  assert.ok(Math.max(...hauteurs) < 844 / 2, `hauteurs des lignes : ${hauteurs.map(Math.round)}`);
  // Nothing cut in the count tables: every cell shows all its text.
  const coupees = await page.locator('.table-comptes td, .table-comptes th').evaluateAll((cs) => cs
    .filter((c) => c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > window.innerWidth).map((c) => c.innerText));
  assert.deepEqual(coupees, []);
  // The ambiguous commune nouvelle: short message, the whole text one tap away.
  const ligne = page.locator('#table-erreurs tbody tr', { hasText: 'Tannay' });
  const court = await ligne.locator('.message-court').innerText();
  assert.ok(court.length <= 91 && court.endsWith('…'), `message court : ${court}`);
  await ligne.locator('summary').tap();
  const entier = await ligne.locator('details p').innerText();
  assert.match(entier, /Tannay \(08439\) très sous-dotée, Le Mont-Dieu \(08300\) intermédiaire/);
  assert.match(await ligne.locator('details dl').innerText(), /code_insee\s+08439/);
  await ligne.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SORTIE, 'lot-05-telephone-detail.png') });
  // A commune link opens the map on it.
  await ligne.locator('a').tap();
  await page.waitForURL(/\/\?commune=08439/);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// csv builds n rows of places: commune codes (current, former, ambiguous, unknown)
// and coordinates, one of them out of range.
function grand(n) {
  const codes = ['75106', '13216', '01330', '08439', '97411', '33063', '69381', '2A004', '99999', '59350'];
  const lignes = ['id;code_insee;lat;lon'];
  for (let i = 0; i < n; i++) {
    if (i % 5 === 4) lignes.push(`${i + 1};;${(43 + (i % 7) * 0.9).toFixed(4)};${(-0.5 + (i % 11) * 0.6).toFixed(4)}`);
    else if (i === 500) lignes.push(`${i + 1};;95;2`);
    else lignes.push(`${i + 1};${codes[i % codes.length]};;`);
  }
  return `${lignes.join('\n')}\n`;
}

test('/lot : un fichier de 1 000 lignes en rend 1 000, et ses lignes à vérifier toutes', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await classer(page, 'mille.csv', grand(1000));
  assert.equal(await page.locator('#resultat').getAttribute('data-lignes'), '1000');
  assert.match(await page.locator('#resume-total').innerText(), /^1\s000 lignes classées/);
  const f = await telecharger(page, '#telecharger', 'mille-zonage.csv');
  assert.equal(lireCSV(f.octets.toString('utf8'), ';').length, 1001, 'l\'en-tête et 1 000 lignes');
  const nonOk = Number(await page.locator('#resultat').getAttribute('data-a-verifier'));
  assert.ok(nonOk > 200, `${nonOk} lignes à vérifier`);
  assert.equal(await page.locator('#table-erreurs tbody tr').count(), 200, 'les 200 premières affichées');
  assert.match(await page.locator('#erreurs-resume').innerText(), /toutes sont dans le fichier des lignes à vérifier/);
  const av = await telecharger(page, '#telecharger-a-verifier', 'mille-a-verifier.csv');
  assert.equal(lireCSV(av.octets.toString('utf8'), ';').length, 1 + nonOk);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// axe-core checks WCAG 2 A and AA rules on the page, columns and results shown.
async function auditer(page) {
  await page.addScriptTag({ path: join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js') });
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }));
  assert.ok(r.passes.length > 10, `axe n'a vérifié que ${r.passes.length} règles`);
  return r.violations.map((v) => `${v.id} : ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' ; ')})`);
}

for (const [nom, options] of [['bureau', BUREAU], ['téléphone', TELEPHONE]]) {
  test(`/lot, accessibilité (${nom}) : aucune violation WCAG 2.1 AA détectée par axe`, { timeout: 2 * DELAI }, async () => {
    const { contexte, page, erreurs } = await ouvrir({ ...options, bypassCSP: true });
    await classer(page, 'cabinets.csv', MELANGE);
    await page.locator('#table-erreurs summary').first().click();
    assert.deepEqual(await auditer(page), []);
    assert.deepEqual(erreurs, []);
    await contexte.close();
  });
}

test('/lot : la profession choisie vaut pour le classement, le résumé et le téléchargement', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  const fichier = 'id;code_insee\r\n1;01014\r\n2;75106\r\n3;08439\r\n';
  await page.selectOption('#profession', 'orthophoniste');
  await classer(page, 'professions.csv', fichier);
  assert.equal(await page.locator('#categories-titre').innerText(), 'Par catégorie (orthophonistes)');
  const comptes = await compteTable(page, 'table-categories');
  assert.equal(comptes.lignes['sous-dense'], 1, JSON.stringify(comptes));
  assert.equal(comptes.total, 3);
  const une = await telecharger(page, '#telecharger', 'lot-orthophonistes.csv');
  assert.equal(une.nom, 'professions-zonage-orthophoniste.csv');
  const rendu = lireCSV(une.octets.toString('utf8'), ';');
  const cat = rendu[0].indexOf('zonage_categorie');
  assert.deepEqual(rendu.slice(1).map((l) => l[cat]), ['sous_dense', 'intermediaire', 'intermediaire']);

  await page.selectOption('#profession', 'all');
  await page.locator('#lancer').click();
  await page.waitForFunction(() => document.getElementById('categories-titre').textContent.includes('masseurs-kinésithérapeutes'), null, { timeout: DELAI });
  const toutes = await telecharger(page, '#telecharger', 'lot-toutes.csv');
  assert.equal(toutes.nom, 'professions-zonage-all.csv');
  const tout = lireCSV(toutes.octets.toString('utf8'), ';');
  assert.deepEqual(tout[0].slice(-5), ['zonage_categorie_masseur-kinesitherapeute', 'zonage_categorie_infirmier',
    'zonage_categorie_orthophoniste', 'zonage_categorie_sage-femme', 'zonage_categorie_chirurgien-dentiste']);
  assert.equal(tout.length, 4);
  assert.deepEqual(tout.slice(1).map((l) => l[tout[0].indexOf('zonage_categorie_orthophoniste')]), ['sous_dense', 'intermediaire', 'intermediaire']);
  await page.screenshot({ path: join(SORTIE, 'lot-professions.png'), fullPage: true });
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// sansProfessions makes the page's /api/v1/map say that the data served lacks
// these professions, as an older snapshot's does. The server's side of it is
// covered by its Go tests; this checks what the page makes of it.
async function sansProfessions(contexte, absentes) {
  await contexte.route(/\/api\/v1\/map(\?|$)/, async (route) => {
    const reponse = await route.fetch();
    const infos = await reponse.json();
    for (const p of infos.professions) if (absentes.includes(p.slug)) p.available = false;
    await route.fulfill({ response: reponse, json: infos });
  });
}

// choixProfession reads the select once the page has asked what the data has.
async function choixProfession(page) {
  await page.waitForSelector('body[data-professions="pretes"]', { timeout: DELAI });
  return page.locator('#profession option').evaluateAll((os) => os.map((o) => [o.value, o.disabled, o.textContent]));
}

test('/lot sur des données sans les autres professions : elles sont désactivées, « toutes » aussi', { timeout: 2 * DELAI }, async () => {
  const contexte = await navigateur.newContext({ locale: 'fr-FR', ...TELEPHONE });
  const page = await contexte.newPage();
  const erreurs = [];
  page.on('pageerror', (e) => erreurs.push(`page : ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') erreurs.push(`console : ${m.text()}`); });
  await sansProfessions(contexte, ['infirmier', 'orthophoniste', 'sage-femme', 'chirurgien-dentiste']);
  await page.goto(`${BASE}/lot?profession=infirmier`);
  assert.deepEqual(await choixProfession(page), [
    ['masseur-kinesitherapeute', false, 'masseurs-kinésithérapeutes'],
    ['infirmier', true, 'infirmiers — pas de données'],
    ['orthophoniste', true, 'orthophonistes — pas de données'],
    ['sage-femme', true, 'sages-femmes — pas de données'],
    ['chirurgien-dentiste', true, 'chirurgiens-dentistes — pas de données'],
    ['all', true, 'toutes (une colonne chacune) — pas de données'],
  ]);
  // The link's profession is not served: the kinés' is chosen, and the page says so.
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(new URL(page.url()).searchParams.get('profession'), null);
  assert.equal(await page.locator('#retour-carte').getAttribute('href'), '/');
  assert.equal(await page.locator('#profession-avis').innerText(),
    'Les données servies ne contiennent pas le zonage des infirmiers : le fichier sera classé pour les masseurs-kinésithérapeutes.');
  await page.screenshot({ path: join(SORTIE, 'lot-professions-absentes.png'), fullPage: true });
  // The file is classed for the kinés, without a refusal.
  await classer(page, 'kines.csv', 'id;code_insee\r\n1;75106\r\n');
  assert.equal(await page.locator('#categories-titre').innerText(), 'Par catégorie (masseurs-kinésithérapeutes)');
  assert.equal((await compteTable(page, 'table-categories')).lignes['non prioritaire'], 1);
  assert.equal(await page.locator('#erreur').isHidden(), true);

  // One missing: only it and « toutes » are off, and a link to another keeps it.
  await contexte.unrouteAll();
  await sansProfessions(contexte, ['sage-femme']);
  await page.goto(`${BASE}/lot?profession=%20Orthophoniste%20`);
  assert.deepEqual((await choixProfession(page)).map(([v, off]) => [v, off]), [
    ['masseur-kinesitherapeute', false], ['infirmier', false], ['orthophoniste', false], ['sage-femme', true],
    ['chirurgien-dentiste', false], ['all', true]]);
  assert.equal(await page.locator('#profession').inputValue(), 'orthophoniste');
  assert.equal(new URL(page.url()).searchParams.get('profession'), 'orthophoniste');
  assert.equal(await page.locator('#profession-avis').isHidden(), true);
  await page.goto(`${BASE}/lot?profession=all`);
  await choixProfession(page);
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(await page.locator('#profession-avis').innerText(),
    'Les données servies ne contiennent pas le zonage de toutes les professions : le fichier sera classé pour les masseurs-kinésithérapeutes.');
  const ok = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(ok, 'rien ne déborde');
  await page.screenshot({ path: join(SORTIE, 'lot-toutes-absente.png'), fullPage: true });
  await page.selectOption('#profession', 'infirmier');
  assert.equal(await page.locator('#profession-avis').isHidden(), true, 'l\'avis du lien s\'efface au choix d\'une autre');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('/lot : toutes les professions servies, toutes se choisissent', { timeout: DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  assert.ok((await choixProfession(page)).every(([, off, nom]) => !off && !nom.includes('pas de données')));
  await page.goto(`${BASE}/lot?profession=INFIRMIER`);
  await choixProfession(page);
  assert.equal(await page.locator('#profession').inputValue(), 'infirmier');
  assert.equal(await page.locator('#profession-avis').isHidden(), true);
  await page.goto(`${BASE}/lot?profession=medecin`);
  await choixProfession(page);
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(await page.locator('#profession-avis').innerText(),
    'Profession « medecin » inconnue : le fichier sera classé pour les masseurs-kinésithérapeutes.');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});
