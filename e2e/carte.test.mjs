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
  assert.match(texte, /la catégorie dépend de celle où se trouve le cabinet/);
  assert.match(texte, /Le Mont-Dieu \(08300\)/);
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

test('cinq chiffres sont un code INSEE ou un code postal : la liste montre les deux, Entrée ouvre le premier', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await carte(page);
  const champ = page.locator('#recherche');
  // 69003 is Albigny-sur-Saône's code and Lyon 3e's postcode.
  await champ.fill('69003');
  await page.locator('#suggestions li').nth(1).waitFor({ timeout: DELAI });
  const liste = await page.locator('#suggestions').innerText();
  assert.match(liste, /Albigny-sur-Saône\s+commune · Rhône \(69\) · code INSEE 69003/);
  assert.match(liste, /Lyon 3e Arrondissement/);
  await capture(page, '05b-code-ou-code-postal');
  await champ.press('Enter');
  assert.match(await panneau(page, '69003'), /Albigny-sur-Saône/);
  // 45000 is only a postcode: Enter opens Orléans, as the one suggestion says.
  await champ.fill('45000');
  await page.locator('#suggestions li').first().filter({ hasText: 'Orléans' }).waitFor({ timeout: DELAI });
  await champ.press('Enter');
  assert.match(await panneau(page, '45234'), /Orléans/);
  assert.ok(await page.locator('#erreur').isHidden());
  // The postcode suggestion, tapped, opens its commune.
  await champ.fill('97411');
  await page.locator('#suggestions li').nth(1).waitFor({ timeout: DELAI });
  await page.locator('#suggestions li').filter({ hasText: 'Saint-Paul' }).tap();
  assert.match(await panneau(page, '97415'), /Saint-Paul/);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('Saint-Barthélemy, sans catégorie publiée : le panneau ne dit pas qu\'il n\'y a pas d\'aide', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await carte(page, '/?commune=97701');
  const texte = await panneau(page, '97701');
  assert.match(texte, /Aucune catégorie n'est publiée pour ce lieu/);
  assert.doesNotMatch(texte, /Pas d'aide/);
  assert.match(texte, /Inconnue : sans catégorie publiée, aucune aide ne peut être indiquée/);
  await capture(page, '05c-saint-barthelemy');
  // Its suggestion names its collectivité, as others name their département.
  const champ = page.locator('#recherche');
  await champ.fill('Saint-Barth');
  const suggestion = page.locator('#suggestions li').filter({ hasText: 'Saint-Barthélemy (977)' });
  await suggestion.first().waitFor({ timeout: DELAI });
  await capture(page, '05c-saint-barthelemy-suggestion');
  await suggestion.first().tap();
  assert.match(await panneau(page, '97701'), /Saint-Barthélemy/);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('sur un téléphone, un profil rempli laisse le titre, la profession, le profil et le fichier sur une ligne', { timeout: 4 * DELAI }, async () => {
  for (const viewport of [{ width: 360, height: 740 }, { width: 390, height: 844 }]) {
    const mesurer = async (profil) => {
      const { contexte, page, erreurs } = await ouvrir({ viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      if (profil) await contexte.addInitScript((p) => localStorage.setItem('zonage-profil', JSON.stringify(p)), profil);
      await carte(page);
      const boite = async (s) => page.locator(s).boundingBox();
      const m = { barre: await boite('#barre'), profession: await boite('.profession'), profil: await boite('#profil-bouton'), lot: await boite('.lien-lot'), recherche: await boite('#recherche') };
      m.texte = await page.locator('#profil-bouton').innerText();
      m.nom = await page.locator('#profil-bouton').evaluate((b) => b.textContent.replace(/\s+/g, ' ').trim());
      await capture(page, `05e-entete-${viewport.width}${profil ? '-profil' : ''}`);
      assert.deepEqual(erreurs, []);
      await contexte.close();
      return m;
    };
    const sans = await mesurer(null);
    const avec = await mesurer({ statut: 'titulaire', debut_etudes: '2024' });
    const ou = `${viewport.width}×${viewport.height} : ${JSON.stringify(avec)}`;
    for (const s of ['profil', 'lot']) assert.equal(Math.round(avec[s].y), Math.round(avec.profession.y), `${s} sur la ligne de la profession, ${ou}`);
    assert.ok(avec.lot.x + avec.lot.width <= viewport.width, `fichier dans l'écran, ${ou}`);
    assert.equal(Math.round(avec.barre.height), Math.round(sans.barre.height), `en-tête aussi haut qu'avant le profil, ${ou}`);
    assert.ok(avec.recherche.y + avec.recherche.height <= avec.barre.y + avec.barre.height, `recherche dans l'en-tête, ${ou}`);
    assert.match(avec.texte, /Profil\s*2/, ou);
    assert.match(avec.nom, /2 critères/, `le nombre de critères dit en mots aux lecteurs d'écran, ${ou}`);
  }
});

test('changer de statut dans le profil laisse le focus sur le champ', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await carte(page, '/?commune=75106');
  await panneau(page, '75106');
  await page.locator('#profil-bouton').tap();
  for (const [statut, libelle] of [['remplacant', /Conventionnement \(remplaçant\)/], ['assistant', /Conventionnement \(assistant libéral\)/]]) {
    await page.locator('select[name=statut]').selectOption(statut);
    await page.locator('#panneau').filter({ hasText: libelle }).waitFor({ timeout: DELAI });
    await page.waitForFunction(() => !document.getElementById('panneau').hasAttribute('aria-busy'), null, { timeout: DELAI });
    assert.equal(await page.evaluate(() => document.activeElement.name), 'statut', `le focus reste sur le statut après « ${statut} »`);
  }
  await capture(page, '05d-profil-focus');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('Précédent et Suivant : le champ de recherche nomme le lieu du lien, pas la recherche suivante', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await carte(page);
  const champ = page.locator('#recherche');
  for (const [nom, code] of [['Narbonne', '11262'], ['Salers', '15219']]) {
    await champ.fill(nom);
    await page.locator('#suggestions li').first().filter({ hasText: nom }).waitFor({ timeout: DELAI });
    await champ.press('Enter');
    await panneau(page, code);
  }
  await page.goBack();
  await panneau(page, '11262');
  assert.equal(await champ.inputValue(), 'Narbonne');
  await page.goBack();
  await page.locator('#panneau').waitFor({ state: 'hidden', timeout: DELAI });
  assert.equal(await champ.inputValue(), '');
  await page.goForward();
  await panneau(page, '11262');
  assert.equal(await champ.inputValue(), 'Narbonne');
  await capture(page, '05e-precedent-suivant');
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
  await page.locator('#panneau .resume-faits dt', { hasText: 'Conventionnement (remplaçant)' }).waitFor({ timeout: DELAI });
  assert.equal(await page.locator('#panneau .option').count(), 1, 'un seul statut une fois le profil choisi');
  assert.match(await page.locator('#panneau .resume').innerText(), /situation conventionnelle du remplacé/);
  await capture(page, '06-profil');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// Places whose panels are walked: every category, both schemes (avenant 7 and the
// older avenant 5 of La Réunion), an ambiguous commune nouvelle, a former commune,
// arrondissements of Paris, Lyon and Marseille and the cities themselves, each
// overseas département, Corsica.
const ECHANTILLON = ['15219', '01042', '01002', '75106', '97411', '97401', '08439', '01330', '75056', '69123', '13055',
  '69383', '13201', '97129', '97209', '97302', '97611', '2A004'];

// artefacts lists what a panel must never show: null, undefined, NaN, empty
// headings or labels, a sentence said twice in the summary.
async function artefacts(page) {
  return page.evaluate(() => {
    const p = document.getElementById('panneau');
    const out = [];
    const texte = p.textContent;
    for (const mot of ['null', 'undefined', 'NaN', '[object']) if (texte.includes(mot)) out.push(`« ${mot} » dans le panneau`);
    for (const e of p.querySelectorAll('h2, h3, h4, summary, dt, dd, li, .message, .categorie')) {
      if (!e.textContent.trim()) out.push(`${e.tagName.toLowerCase()}.${e.className} vide`);
    }
    const vus = new Set();
    for (const e of p.querySelectorAll('.resume p')) {
      const t = e.textContent.trim();
      if (vus.has(t)) out.push(`dit deux fois : ${t}`);
      vus.add(t);
    }
    return out;
  });
}

// resumeVisible says whether the summary of the panel is on screen, above the
// fold, once the phone sheet has finished growing to its new height.
async function resumeVisible(page) {
  return page.waitForFunction(() => {
    const r = document.querySelector('#panneau .resume').getBoundingClientRect();
    return r.height > 0 && r.bottom <= window.innerHeight + 1;
  }, null, { timeout: 3000 }).then(() => true, () => false);
}

test('aucun artefact dans les panneaux, avec et sans profil ; le résumé tient sur un écran de téléphone', { timeout: 10 * DELAI }, async () => {
  const profils = [null, { statut: 'titulaire', debut_etudes: '2024' }, { statut: 'remplacant' }];
  for (const [n, profil] of profils.entries()) {
    const telephone = n !== 1;
    const { contexte, page, erreurs } = await ouvrir(telephone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : { viewport: { width: 1366, height: 850 } });
    if (profil) await contexte.addInitScript((p) => localStorage.setItem('zonage-profil', JSON.stringify(p)), profil);
    await carte(page);
    for (const code of ECHANTILLON) {
      await page.locator('#recherche').fill(code);
      await page.locator('#recherche').press('Enter');
      const attendu = code === '01330' ? '01187' : code;
      const texte = await panneau(page, attendu);
      const ou = `${code} ${profil ? JSON.stringify(profil) : 'sans profil'}`;
      assert.deepEqual(await artefacts(page), [], ou);
      const resume = await page.locator('#panneau .resume').innerText();
      if (await page.locator('#panneau .resume .categorie').count()) {
        assert.match(resume, /Conventionnement/i, ou);
        assert.match(resume, /Aide/i, ou);
        assert.match(resume, /(€|Pas d'aide conventionnelle ici)/, ou);
        if (profil) assert.equal(await page.locator('#panneau .resume-conventionnement li').count(), 1, ou);
        // A student of 2024 without two years in an establishment reads, first, why
        // Paris 6e is closed to them.
        if (profil && profil.debut_etudes === '2024' && code === '75106') assert.match(resume, /pas de conventionnement possible ici/, ou);
      } else {
        assert.match(resume, /(catégorie par arrondissement|la catégorie dépend de celle où se trouve le cabinet)/, ou);
      }
      assert.ok(await resumeVisible(page), `résumé hors de l'écran : ${ou}`);
      assert.match(texte, /Vérifiez auprès de votre CPAM/, ou);
      if (['15219', '75106', '08439', '75056'].includes(code)) await capture(page, `10-panneau-${code}${telephone ? '-telephone' : ''}${profil ? `-${profil.statut}` : ''}`);
    }
    // Paris, Lyon and Marseille are classified by arrondissement: the panel of one
    // says so and never that its city's arrondissements were classed with it.
    await page.locator('#recherche').fill('75106');
    await page.locator('#recherche').press('Enter');
    await panneau(page, '75106');
    const zonage = await page.locator('#panneau .zonage').textContent();
    assert.match(zonage, /par arrondissement : la catégorie est publiée pour l'arrondissement lui-même/);
    assert.doesNotMatch(zonage, /classées avec|classe l'unité/);
    // A bassin de vie whose communes differ says so, and is not outlined as one.
    await page.locator('#recherche').fill('01011');
    await page.locator('#recherche').press('Enter');
    await panneau(page, '01011');
    await page.locator('#unite h3').waitFor({ state: 'attached', timeout: DELAI });
    const unite = await page.locator('#panneau .zonage').textContent();
    assert.match(unite, /Les 30 communes du bassin de vie Oyonnax n'ont pas la même catégorie \(/);
    assert.doesNotMatch(unite, /classées avec|entourées en pointillés/);
    assert.deepEqual(erreurs, []);
    await contexte.close();
  }
});

// centreSurligne is where the outline of the chosen place is drawn, in page pixels.
async function centreSurligne(page) {
  return page.evaluate(() => window.zonageLieuAffiche());
}

test('Entrée sur « Lyon » va à Lyon : contour, arrondissements, lien, Retour', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 1366, height: 850 } });
  await carte(page);
  await page.locator('#recherche').fill('Lyon');
  await page.locator('#recherche').press('Enter');
  const texte = await panneau(page, '69123');
  assert.match(texte, /Lyon est classée par arrondissement/);
  assert.match(texte, /non prioritaire : 1er, 2e/);
  assert.equal(await page.title(), 'Lyon (69123) — zonage kiné');
  await page.waitForTimeout(1500);
  const c = await centreSurligne(page);
  const boite = await page.locator('#carte').boundingBox();
  const panneauGauche = (await page.locator('#panneau').boundingBox()).x;
  assert.ok(c && c.x > boite.x && c.x < panneauGauche && c.y > boite.y && c.y < boite.y + boite.height && c.l > 100, `Lyon cadrée hors du panneau : ${JSON.stringify(c)}`);
  assert.equal(new URL(page.url()).searchParams.get('commune'), '69123');
  await capture(page, '11-recherche-lyon');

  // An arrondissement from the list, then Back returns to the city, Forward to it.
  await page.locator('#panneau .liste-candidats button', { hasText: /^5e$/ }).click();
  await panneau(page, '69385');
  await page.goBack();
  await panneau(page, '69123');
  assert.equal(new URL(page.url()).searchParams.get('commune'), '69123');
  await page.goForward();
  await panneau(page, '69385');

  // Nonsense: one message, the link and the panel unchanged.
  const avant = page.url();
  await page.locator('#recherche').fill('xqzwv qsdfg');
  await page.locator('#recherche').press('Enter');
  await page.locator('#erreur').waitFor({ state: 'visible', timeout: DELAI });
  assert.match(await page.locator('#erreur').innerText(), /aucune commune ni adresse trouvée/);
  assert.equal(await page.locator('#erreur:visible, .message:visible', { hasText: 'xqzwv' }).count(), 1);
  assert.equal(page.url(), avant);
  assert.match(await page.locator('#panneau-titre').innerText(), /69385/);
  await page.locator('#recherche').fill('99999');
  await page.locator('#recherche').press('Enter');
  await page.locator('#erreur', { hasText: 'Aucune commune de code 99999' }).waitFor({ timeout: DELAI });
  assert.equal(page.url(), avant);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('les suggestions nomment le département et le code postal ; un lien d\'adresse la retrouve', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 1366, height: 850 } });
  await carte(page);
  await page.locator('#recherche').fill('Saint-Denis');
  await page.locator('#suggestions li').first().waitFor({ timeout: DELAI });
  const details = await page.locator('#suggestions .suggestion-detail').allInnerTexts();
  assert.ok(details.some((d) => /La Réunion \(974\) · 974\d\d/.test(d)), details.join(' | '));
  assert.ok(details.some((d) => /Seine-Saint-Denis \(93\) · 93\d\d\d/.test(d)), details.join(' | '));
  await capture(page, '12-suggestions');
  await page.keyboard.press('Escape');

  await carte(page, `/?adresse=${encodeURIComponent('12 rue de Vaugirard Paris')}`);
  const texte = await panneau(page, '75106');
  assert.match(texte, /Adresse trouvée : 12 Rue de Vaugirard 75006 Paris/);
  assert.equal(await page.locator('#recherche').inputValue(), '12 rue de Vaugirard Paris');
  await page.waitForTimeout(1200);
  const repere = await centreSurligne(page);
  assert.ok(repere && repere.repere, 'un repère sur l\'adresse');

  // With nothing chosen, the link follows the view.
  await page.locator('#panneau-fermer').click();
  await page.locator('#carte').focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('vue') === '1', null, { timeout: DELAI });
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('sur un téléphone : titre, consigne, territoires ; la feuille se tire et garde le lieu visible', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await carte(page);
  // The first row: the title, the profession (a short label over the select) and
  // the buttons; the search below it.
  assert.ok(await page.locator('.titre').isVisible());
  assert.equal(await page.locator('#profession-court').innerText(), 'Kiné');
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  const rangee = async (s) => Math.round((await page.locator(s).boundingBox()).y);
  assert.equal(await rangee('.profession'), await rangee('#profil-bouton'));
  assert.ok(await rangee('#recherche') > await rangee('.profession'), 'la recherche sous le titre');
  assert.ok(await page.locator('#indication').isVisible());
  assert.ok(await page.locator('#territoire').isVisible(), 'territoires sans ouvrir la légende');
  await capture(page, '13-telephone-accueil');
  await page.locator('#recherche').fill('Salers');
  await page.locator('#suggestions li').first().waitFor({ timeout: DELAI });
  await page.locator('#suggestions li').first().tap();
  await panneau(page, '15219');
  await page.waitForTimeout(1500);
  const feuille = await page.locator('#panneau').boundingBox();
  const c = await centreSurligne(page);
  assert.ok(c && c.y < feuille.y && c.y > 100, `Salers au-dessus de la feuille : ${JSON.stringify({ c, feuille })}`);
  assert.ok(await resumeVisible(page));
  await capture(page, '13b-telephone-salers');

  // Drag the sheet up to full height, then down to a peek.
  const tete = await page.locator('.panneau-tete').boundingBox();
  const tirer = async (dy) => {
    await page.mouse.move(tete.x + tete.width / 2, tete.y + 20);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(tete.x + tete.width / 2, tete.y + 20 + (dy * i) / 8);
    await page.mouse.up();
    await page.waitForTimeout(400);
  };
  await tirer(-500);
  assert.equal(await page.locator('#panneau').getAttribute('data-cran'), 'plein');
  await capture(page, '13c-telephone-feuille-pleine');
  const haute = await page.locator('.panneau-tete').boundingBox();
  tete.y = haute.y;
  await tirer(600);
  assert.equal(await page.locator('#panneau').getAttribute('data-cran'), 'apercu');
  await page.locator('#panneau-poignee').tap();
  assert.equal(await page.locator('#panneau').getAttribute('data-cran'), 'moitie');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('un point en mer entre les îles de la Guadeloupe dit « en mer » et la commune la plus proche', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 1366, height: 850 } });
  await carte(page, '/?lat=16.0&lon=-61.4&zoom=10');
  await page.locator('#panneau-titre', { hasText: 'En mer' }).waitFor({ timeout: DELAI });
  const texte = await page.locator('#panneau .resume').innerText();
  assert.match(texte, /en mer : aucune commune à moins de 1000 m ; la plus proche est Saint-Louis \(97126\), à 9,2 km/);
  assert.deepEqual(await artefacts(page), []);
  await capture(page, '14-en-mer');
  await page.locator('#panneau button', { hasText: 'Voir Saint-Louis (97126)' }).click();
  await panneau(page, '97126');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('pas de liseré blanc entre les communes à partir du zoom 12', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 1366, height: 850 } });
  for (const [lieu, zoom] of [['lat=45.14&lon=2.49', 12], ['lat=45.76&lon=4.84', 14]]) {
    await carte(page, `/?${lieu}&zoom=${zoom}&vue=1`);
    await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
    // Inland, every pixel of the colour tiles is painted: none lets the pale
    // background show between two communes.
    const trous = await page.evaluate(() => {
      let n = 0;
      for (const c of document.querySelectorAll('.leaflet-layer')[0].querySelectorAll('canvas')) {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] < 128) n++;
      }
      return n;
    });
    assert.equal(trous, 0, `pixels non peints au zoom ${zoom} (${lieu})`);
  }
  await capture(page, '15-sans-liseres-lyon-z14');
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
  // The place tapped, where the sheet now lies, is brought above it.
  await page.waitForFunction((haut) => {
    const l = window.zonageLieuAffiche();
    return l && l.repere && l.y < haut - 10 && l.y > 110;
  }, p.y, { timeout: DELAI });
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

// ----- Professions -----

// PROFESSIONS are the select's labels and the legend's plural, by slug.
const PROFESSIONS = {
  infirmier: { label: 'Infirmier', pluriel: 'infirmiers' },
  orthophoniste: { label: 'Orthophoniste', pluriel: 'orthophonistes' },
  'sage-femme': { label: 'Sage-femme', pluriel: 'sages-femmes' },
  'chirurgien-dentiste': { label: 'Chirurgien-dentiste', pluriel: 'chirurgiens-dentistes' },
};

// carteDe waits for the map of a profession to be drawn.
async function carteDe(page, profession) {
  await page.waitForSelector(`body[data-carte="prete"][data-profession="${profession}"]`, { timeout: DELAI });
}

// legende reads the legend as the page shows it: [label, count] per line.
async function legende(page) {
  return page.locator('#legende-liste li').evaluateAll((lis) => lis.map((li) => [
    li.querySelector('.legende-libelle').textContent, li.querySelector('.legende-nombre').textContent.replace(/\s/g, ''),
    getComputedStyle(li.querySelector('.pastille')).backgroundColor]));
}

// pixelsDe counts the choropleth's pixels of each colour given as [r, g, b].
async function pixelsDe(page, couleurs) {
  return page.evaluate((cs) => {
    const n = cs.map(() => 0);
    for (const c of document.querySelectorAll('.leaflet-tile-container canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        cs.forEach(([r, g, b], k) => { if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n[k]++; });
      }
    }
    return n;
  }, couleurs);
}

// reponse is the server's own answer for a commune and a profession, which the
// panel must show.
async function reponse(page, code, profession) {
  const r = await page.request.get(`${BASE}/api/v1/resolve?citycode=${code}&profession=${profession}`);
  assert.equal(r.status(), 200, `resolve ${code} ${profession}`);
  return r.json();
}

// verifierPanneau checks the panel against the answer: the category of the
// profession, its installation rules (items, or not covered with the official
// page), no kiné options, no artefact.
async function verifierPanneau(page, res, profession, ou) {
  const resume = await page.locator('#panneau .resume').innerText();
  const texte = await page.locator('#panneau').innerText();
  assert.equal(res.profession, profession, ou);
  assert.deepEqual(await artefacts(page), [], ou);
  assert.match(texte, /Vérifiez auprès de votre CPAM/, ou);
  assert.doesNotMatch(texte, /Détail par statut|nouveaux diplômés/i, `${ou} : pas d'options de kiné`);
  if (res.candidates && res.candidates.length) {
    assert.match(resume, new RegExp(`catégories? des ${PROFESSIONS[profession].pluriel}`), `${ou} : candidats de la profession`);
  }
  if (!res.zonage) return;
  assert.match(resume, new RegExp(`${res.zonage.label}\\s+zonage des ${PROFESSIONS[profession].pluriel}`), ou);
  // The date the export does not give is said to be unknown, with its note.
  await page.locator('#panneau .zonage summary').click();
  const zonage = await page.locator('#panneau .zonage').innerText();
  assert.match(zonage, new RegExp(res.zonage.official_code), ou);
  if (!res.zonage.arrete_date) assert.match(zonage, /Arrêté\s+date inconnue/, ou);
  if (res.zonage.date_note) assert.ok(zonage.includes(res.zonage.date_note), `${ou} : note de date`);
  const inst = res.installation;
  assert.ok(inst, `${ou} : réponse sans installation`);
  if (!inst.covered) {
    assert.match(resume, /Règles d'installation non couvertes pour cette profession/, ou);
    const lien = page.locator('#panneau .resume .page-officielle a');
    assert.equal(await lien.getAttribute('href'), inst.official_page.url, ou);
    return;
  }
  // Every item is in the detail, with its amount and its folded sources; the
  // summary names one per kind and marks what is not confirmed.
  await page.locator('#panneau .installation > summary').click();
  const items = page.locator('#panneau .item-installation');
  assert.equal(await items.count(), inst.items.length, ou);
  for (const [i, item] of inst.items.entries()) {
    const t = await items.nth(i).innerText();
    assert.ok(t.includes(item.title), `${ou} : ${item.title}`);
    if (item.amount_eur) assert.ok(t.replace(/\s/g, '').includes(`${item.amount_eur}€`), `${ou} : montant de ${item.title}`);
    if (item.uncertain) assert.ok(t.includes(`À confirmer : ${item.uncertain}`), `${ou} : ${item.title} à confirmer`);
    assert.equal(await items.nth(i).locator('.sources-item li').count(), item.sources.length, `${ou} : sources de ${item.title}`);
  }
  for (const genre of new Set(inst.items.map((x) => x.kind))) {
    assert.ok(inst.items.some((x) => x.kind === genre && resume.includes(x.title)), `${ou} : résumé ${genre}`);
  }
  if (inst.items.some((x) => x.uncertain && resume.includes(x.title))) assert.match(resume, /à confirmer/, ou);
}

test('la carte des infirmiers : échelle, couleurs, panneau, lien, Précédent', { timeout: 4 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  const tuiles = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/tiles/')) tuiles.push(r.url()); });
  await carte(page, '/?commune=75106');
  assert.match(await panneau(page, '75106'), /non prioritaire/);
  await page.selectOption('#profession', 'infirmier');
  await carteDe(page, 'infirmier');
  assert.equal(new URL(page.url()).searchParams.get('profession'), 'infirmier');
  assert.equal(new URL(page.url()).searchParams.get('commune'), '75106');

  // The legend is the nurses' scale, as the server counts it, and nothing else.
  const infos = await (await page.request.get(`${BASE}/api/v1/map?profession=infirmier`)).json();
  const attendu = infos.classes.filter((c) => c.count > 0).map((c) => [c.label, String(c.count)]);
  assert.deepEqual((await legende(page)).map(([l, n]) => [l, n]), attendu);
  assert.equal(await page.locator('#legende-titre').innerText(), 'Zonage des infirmiers');
  const libelles = attendu.map(([l]) => l);
  for (const l of ['très sous-dotée', 'sous-dotée', 'intermédiaire', 'très dotée', 'sur-dotée']) assert.ok(libelles.includes(l), l);
  assert.ok(!libelles.includes('non prioritaire'), 'pas de « non prioritaire » chez les infirmiers');
  // Every tile asked for once the kinés' colours are gone carries the profession.
  await page.waitForTimeout(1000);
  const depuis = tuiles.length;
  await page.locator('#panneau-fermer').click();
  await page.locator('#carte').focus();
  await page.keyboard.press('-');
  await carteDe(page, 'infirmier');
  await page.waitForTimeout(1500);
  const nouvelles = tuiles.slice(depuis).filter((u) => u.includes('/communes/'));
  assert.ok(nouvelles.length > 0 && nouvelles.every((u) => u.includes('profession=infirmier')), nouvelles.join('\n'));
  await page.goto(`${BASE}/?profession=infirmier`);
  await carteDe(page, 'infirmier');
  await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
  // Très dotée (green) and sur-dotée (brick red) are both drawn, apart.
  const [vert, rouge, jaune] = await pixelsDe(page, [[0x5e, 0xc9, 0x62], [0xa8, 0x38, 0x20], [0xfd, 0xe7, 0x25]]);
  assert.ok(vert > 10_000 && rouge > 2_000 && jaune === 0, `pixels très dotée ${vert}, sur-dotée ${rouge}, non prioritaire ${jaune}`);
  await capture(page, '20-infirmiers-france');

  // A click: the nurses' category of Nice and what it means for installing.
  await carte(page, '/?lat=43.7031&lon=7.2661&zoom=12&vue=1&profession=infirmier');
  await carteDe(page, 'infirmier');
  const boite = await page.locator('#carte').boundingBox();
  await page.mouse.click(boite.x + boite.width / 2, boite.y + boite.height / 2);
  await panneau(page, '06088');
  const res = await reponse(page, '06088', 'infirmier');
  assert.equal(res.zonage.category, 'sur_dotee');
  await verifierPanneau(page, res, 'infirmier', 'Nice, infirmiers');
  assert.equal(await page.title(), 'Nice (06088) — zonage infirmier');
  assert.ok(await page.locator('#profil-bouton').isHidden(), 'pas de profil de kiné');
  await page.locator('#panneau .sources-item summary').first().click();
  await page.locator('#panneau .sources-item li a').first().waitFor({ timeout: DELAI });
  await capture(page, '21-infirmiers-nice');

  // The link restores the profession and the place; Back returns to the kinés.
  const lien = new URL(page.url());
  assert.equal(lien.searchParams.get('profession'), 'infirmier');
  const autre = await contexte.newPage();
  await carte(autre, lien.pathname + lien.search);
  await carteDe(autre, 'infirmier');
  assert.equal(await autre.locator('#profession').inputValue(), 'infirmier');
  assert.match(await panneau(autre, '06088'), /sur-dotée\s+zonage des infirmiers/);
  await autre.selectOption('#profession', 'masseur-kinesitherapeute');
  await carteDe(autre, 'masseur-kinesitherapeute');
  assert.doesNotMatch(await panneau(autre, '06088'), /zonage des infirmiers/);
  assert.equal(new URL(autre.url()).searchParams.get('profession'), null, 'le lien d\'un kiné reste celui d\'avant');
  await autre.goBack();
  await carteDe(autre, 'infirmier');
  assert.match(await panneau(autre, '06088'), /zonage des infirmiers/);
  assert.equal(await autre.locator('#profession').inputValue(), 'infirmier');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('chaque profession : son échelle, ses couleurs, des panneaux sans artefact', { timeout: 10 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 1280, height: 800 } });
  await carte(page);
  const couleur = (hex) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
  for (const [profession, p] of Object.entries(PROFESSIONS)) {
    await page.selectOption('#profession', profession);
    await carteDe(page, profession);
    const lignes = await legende(page);
    const parLibelle = Object.fromEntries(lignes.map(([l, , c]) => [l, c]));
    // One colour per category of the scale.
    assert.equal(new Set(lignes.map(([, , c]) => c)).size, lignes.length, `${profession} : ${JSON.stringify(lignes)}`);
    if (profession === 'orthophoniste') {
      assert.equal(parLibelle['sous-dense'], couleur('#472c7a'), 'sous-dense entre très sous-dotée et sous-dotée');
      assert.ok(lignes.findIndex(([l]) => l === 'sous-dense') > lignes.findIndex(([l]) => l === 'très sous-dotée'));
    }
    if (profession === 'chirurgien-dentiste') {
      assert.equal(parLibelle['très dotée'], couleur('#5ec962'));
      assert.equal(parLibelle['non prioritaire'], couleur('#fde725'));
    }
    await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
    await page.waitForTimeout(500);
    await capture(page, `22-legende-${profession}`);
    for (const code of ['15219', '75106', '97411', '08439', '06088', '69123']) {
      await page.locator('#recherche').fill(code);
      await page.locator('#recherche').press('Enter');
      await panneau(page, code);
      const res = await reponse(page, code, profession);
      await verifierPanneau(page, res, profession, `${code} ${profession}`);
      if (code === '15219') await capture(page, `23-panneau-${code}-${profession}`);
    }
    await page.locator('#panneau-fermer').click();
  }
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('sur un téléphone : la profession au titre, la carte et la feuille des infirmiers', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await carte(page, '/?lat=43.7031&lon=7.2661&zoom=12&vue=1');
  await page.locator('#profession').selectOption('infirmier');
  await carteDe(page, 'infirmier');
  assert.equal(await page.locator('#profession-court').innerText(), 'Infirmier');
  const tete = await page.locator('.profession').boundingBox();
  assert.ok(tete.x + tete.width <= 390 && tete.y < 60, `profession sur la première ligne : ${JSON.stringify(tete)}`);
  // A tap on the short label reaches the select, which opens the phone's own list.
  assert.equal(await page.evaluate(() => {
    const r = document.querySelector('.profession').getBoundingClientRect();
    return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).id;
  }), 'profession');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
  await capture(page, '24-telephone-infirmiers');
  const boite = await page.locator('#carte').boundingBox();
  await page.touchscreen.tap(boite.x + boite.width / 2, boite.y + boite.height / 2);
  await panneau(page, '06088');
  assert.ok(await resumeVisible(page), 'le résumé tient dans la feuille');
  await page.waitForTimeout(1200);
  await capture(page, '24b-telephone-infirmiers-nice');
  await verifierPanneau(page, await reponse(page, '06088', 'infirmier'), 'infirmier', 'Nice, téléphone');
  await page.locator('#panneau-poignee').tap();
  await page.waitForTimeout(600);
  await capture(page, '24c-telephone-infirmiers-detail');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

const TEL = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// avis is the notice over the map, its non-breaking spaces read as spaces.
async function avis(page) {
  return (await page.locator('#erreur').innerText()).replace(/\u00a0/g, ' ');
}

// visibleEntier says whether an element is shown whole within a 390 px wide screen.
async function visibleEntier(page, selecteur) {
  return page.locator(selecteur).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return !e.hidden && r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && r.top >= 0 && r.bottom <= window.innerHeight &&
      e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1;
  });
}

test('un lien à la profession inconnue ouvre la carte des kinés, et le dit', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir(TEL);
  await carte(page, '/?commune=75106&profession=plombier');
  assert.match(await panneau(page, '75106'), /non prioritaire\s+avenant 7/);
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(new URL(page.url()).searchParams.get('profession'), null);
  assert.equal(await avis(page), 'Profession « plombier » inconnue : carte des masseurs-kinésithérapeutes');
  assert.ok(await visibleEntier(page, '#erreur'), 'avis entier');
  await capture(page, '25-profession-inconnue-panneau');
  await carte(page, '/?profession=medecin');
  await carteDe(page, 'masseur-kinesitherapeute');
  assert.equal(await avis(page), 'Profession « medecin » inconnue : carte des masseurs-kinésithérapeutes');
  assert.ok(await visibleEntier(page, '#erreur'), 'avis entier');
  await capture(page, '25b-profession-inconnue');
  // A name never seen is not the default's in silence either, however long.
  await carte(page, `/?profession=${'x'.repeat(300)}`);
  assert.match(await avis(page), /^Profession « x{60}… » inconnue : carte des masseurs-kinésithérapeutes$/);
  assert.ok(await visibleEntier(page, '#erreur'), 'avis entier');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('la profession d\'un lien se lit comme le serveur la lit : « INFIRMIER », «  infirmier  »', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/?profession=INFIRMIER');
  await carteDe(page, 'infirmier');
  assert.equal(await page.locator('#profession').inputValue(), 'infirmier');
  assert.equal(await page.locator('#erreur').isHidden(), true);
  // The link written once the map moves keeps the profession, in its own spelling.
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction(() => new URLSearchParams(location.search).has('zoom'), null, { timeout: DELAI });
  assert.equal(new URL(page.url()).searchParams.get('profession'), 'infirmier');

  await carte(page, '/?commune=06088&profession=%20infirmier%20');
  await carteDe(page, 'infirmier');
  await verifierPanneau(page, await reponse(page, '06088', 'infirmier'), 'infirmier', 'Nice, « infirmier » entre espaces');
  assert.equal(new URL(page.url()).searchParams.get('profession'), 'infirmier');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// sansProfessions makes the page's /api/v1/map say that the data served lacks
// these professions, as an older snapshot's does, and answer 404 for them as the
// server then does. The server's side of it is covered by its Go tests; this
// checks what the page makes of it.
async function sansProfessions(contexte, absentes) {
  await contexte.route(/\/api\/v1\/map(\?|$)/, async (route) => {
    const url = new URL(route.request().url());
    const demandee = (url.searchParams.get('profession') || '').trim().toLowerCase();
    if (absentes.includes(demandee)) {
      const disponibles = ['masseur-kinesitherapeute', ...Object.keys(PROFESSIONS)].filter((p) => !absentes.includes(p));
      await route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: '/problems/profession-absente', title: 'Profession absente des données', status: 404,
          detail: `les données servies (version 2024-10.test) ne contiennent pas le zonage des ${demandee}s ; professions disponibles : ${disponibles.join(', ')}`,
          instance: '/api/v1/map', field: 'profession', value: demandee,
        }),
      });
      return;
    }
    const reponse = await route.fetch();
    const infos = await reponse.json();
    for (const p of infos.professions) if (absentes.includes(p.slug)) p.available = false;
    await route.fulfill({ response: reponse, json: infos });
  });
}

test('des données sans les autres professions : la carte les dit par leur nom et les désactive', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir(TEL);
  await sansProfessions(contexte, Object.keys(PROFESSIONS));
  await carte(page, '/?profession=infirmier');
  await carteDe(page, 'masseur-kinesitherapeute');
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(await avis(page),
    'Zonage des infirmiers indisponible : les données servies ne le contiennent pas ; professions disponibles : masseurs-kinésithérapeutes.');
  assert.ok(await visibleEntier(page, '#erreur'), 'avis entier');
  const options = await page.locator('#profession option').evaluateAll((os) => os.map((o) => [o.value, o.disabled, o.textContent]));
  assert.deepEqual(options, [
    ['masseur-kinesitherapeute', false, 'Masseur-kinésithérapeute'],
    ['infirmier', true, 'Infirmier'],
    ['orthophoniste', true, 'Orthophoniste'],
    ['sage-femme', true, 'Sage-femme'],
    ['chirurgien-dentiste', true, 'Chirurgien-dentiste'],
  ]);
  await capture(page, '26-profession-absente');

  // Only one missing: the others are named, the kinés first.
  await contexte.unrouteAll();
  await sansProfessions(contexte, ['sage-femme']);
  await carte(page, '/?commune=15219&profession=sage-femme');
  await panneau(page, '15219');
  assert.equal(await avis(page), 'Zonage des sages-femmes indisponible : les données servies ne le contiennent pas ; '
    + 'professions disponibles : masseurs-kinésithérapeutes, infirmiers, orthophonistes, chirurgiens-dentistes.');
  assert.ok(await visibleEntier(page, '#erreur'), 'avis entier');
  await capture(page, '26b-profession-absente-panneau');
  assert.deepEqual(erreurs.filter((e) => !/status of 404/.test(e)), []);
  await contexte.close();
});

test('accessibilité du panneau d\'une autre profession : aucune violation axe', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ bypassCSP: true });
  await carte(page, '/?commune=15219&profession=sage-femme');
  await carteDe(page, 'sage-femme');
  await panneau(page, '15219');
  await page.locator('#panneau .installation > summary').click();
  assert.deepEqual(await auditer(page), []);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('le panneau nomme le département : Cantal (15), Corse-du-Sud (2A), La Réunion (974), Paris (75), Rhône (69)', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  const cas = [
    ['15014', 'commune · Cantal (15) · Auvergne-Rhône-Alpes'],
    ['2A004', 'commune · Corse-du-Sud (2A) · Corse'],
    ['2B033', 'commune · Haute-Corse (2B) · Corse'],
    // Overseas the région has the département's name: said once.
    ['97411', 'commune · La Réunion (974) · '],
    ['97611', 'commune · Mayotte (976) · '],
    ['75106', 'arrondissement · Paris (75) · Île-de-France'],
    ['69381', 'arrondissement · Rhône (69) · Auvergne-Rhône-Alpes'],
    ['13201', 'arrondissement · Bouches-du-Rhône (13) · Provence-Alpes-Côte d\'Azur'],
  ];
  for (const [code, attendu] of cas) {
    await carte(page, `/?commune=${code}`);
    await panneau(page, code);
    const sousTitre = await page.locator('#panneau .sous-titre').innerText();
    assert.ok(sousTitre.startsWith(attendu), `${code} : « ${sousTitre} »`);
    assert.doesNotMatch(sousTitre, /dép\./, code);
    if (code === '15014') await capture(page, '30-departement-cantal');
  }
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

// jourDeLaCarte waits for the map of a day ('aujourdhui' for today) to be drawn.
async function jourDeLaCarte(page, jour) {
  await page.waitForSelector(`body[data-carte="prete"][data-jour="${jour}"]`, { timeout: DELAI });
}

test('le jour choisi : la carte, ses tuiles, la légende, le panneau et le lien sont ceux de ce jour', { timeout: 4 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ bypassCSP: true });
  const tuiles = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/tiles/communes/')) tuiles.push(r.url()); });
  await carte(page, '/?commune=15014');
  assert.match(await panneau(page, '15014'), /intermédiaire/);
  const aujourdhui = (await (await page.request.get(`${BASE}/api/v1/map`)).json()).date;
  assert.equal(await page.locator('#jour').inputValue(), aujourdhui, 'le champ dit aujourd\'hui');
  assert.ok(await page.locator('#jour-avis').isHidden(), 'pas d\'avis pour aujourd\'hui');
  assert.equal(await page.locator('label[for="jour"]').innerText(), 'Zonage en vigueur le');

  // Before the arrêté of Auvergne-Rhône-Alpes's data: outside the data, said so.
  await page.waitForTimeout(800);
  const depuis = tuiles.length;
  await page.locator('#jour').fill('2024-06-01');
  await jourDeLaCarte(page, '2024-06-01');
  assert.equal(new URL(page.url()).searchParams.get('date'), '2024-06-01');
  assert.equal(new URL(page.url()).searchParams.get('commune'), '15014');
  const infos = await (await page.request.get(`${BASE}/api/v1/map?date=2024-06-01`)).json();
  const attendu = infos.classes.filter((c) => c.count > 0).map((c) => [c.label, String(c.count)]);
  assert.deepEqual((await legende(page)).map(([l, n]) => [l, n]), attendu);
  assert.ok(attendu.some(([l]) => l === 'hors des données (arrêté antérieur)'), JSON.stringify(attendu));
  await page.waitForFunction(() => /hors des données/.test(document.getElementById('panneau').innerText), null, { timeout: DELAI });
  const texte = await panneau(page, '15014');
  assert.match(texte, /Zonage en vigueur le 1er juin 2024 : la date choisie, pas aujourd'hui\./);
  assert.doesNotMatch(texte, /intermédiaire/);
  assert.match(await page.locator('#jour-avis').innerText(), /Zonage en vigueur le 1er juin 2024, pas aujourd'hui\./);
  await page.waitForTimeout(1500);
  const apres = tuiles.slice(depuis);
  assert.ok(apres.length > 0 && apres.every((u) => u.includes('date=2024-06-01')), apres.join('\n'));
  await capture(page, '31-jour-2024-06-01');
  // The notice, the field and the panel's line pass the accessibility audit too.
  assert.deepEqual(await auditer(page), []);

  // The link opens the same day, place and panel.
  const autre = await contexte.newPage();
  await carte(autre, new URL(page.url()).pathname + new URL(page.url()).search);
  await jourDeLaCarte(autre, '2024-06-01');
  assert.equal(await autre.locator('#jour').inputValue(), '2024-06-01');
  assert.match(await panneau(autre, '15014'), /hors des données/);
  await autre.close();

  // Back to today: the link drops the date; Back returns to the day chosen.
  await page.locator('#jour-aujourdhui').click();
  await jourDeLaCarte(page, 'aujourdhui');
  assert.equal(new URL(page.url()).searchParams.get('date'), null);
  assert.equal(await page.locator('#jour').inputValue(), aujourdhui);
  assert.ok(await page.locator('#jour-avis').isHidden());
  await page.waitForFunction(() => /intermédiaire/.test(document.getElementById('panneau').innerText), null, { timeout: DELAI });
  await page.goBack();
  await jourDeLaCarte(page, '2024-06-01');
  assert.equal(await page.locator('#jour').inputValue(), '2024-06-01');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('sur un téléphone : le champ du jour et l\'avis se voient, rien ne déborde', { timeout: 3 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await carte(page, '/?date=2025-01-01');
  await jourDeLaCarte(page, '2025-01-01');
  const champ = await page.locator('#jour').boundingBox();
  const avis = await page.locator('#jour-avis').boundingBox();
  const zoom = await page.locator('.leaflet-control-zoom').boundingBox();
  assert.ok(champ && champ.y + champ.height <= 844 && champ.x + champ.width <= 390, `champ ${JSON.stringify(champ)}`);
  assert.ok(avis && avis.x >= zoom.x + zoom.width && avis.x + avis.width <= 390, `avis ${JSON.stringify(avis)}, zoom ${JSON.stringify(zoom)}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await page.waitForSelector('body[data-limites="pretes"]', { timeout: DELAI });
  await capture(page, '32-telephone-jour');
  const boite = await page.locator('#carte').boundingBox();
  await page.touchscreen.tap(boite.x + boite.width / 2, boite.y + boite.height * 0.3);
  await page.locator('#panneau-titre').filter({ hasText: /\d/ }).waitFor({ timeout: DELAI });
  await page.waitForFunction(() => !document.getElementById('panneau').hasAttribute('aria-busy'), null, { timeout: DELAI });
  assert.match(await page.locator('#panneau').innerText(), /Zonage en vigueur le 1er janvier 2025 : la date choisie/);
  assert.ok(await page.locator('#jour-avis').isVisible(), 'l\'avis reste au-dessus de la feuille');
  await page.waitForTimeout(1000);
  await capture(page, '32b-telephone-jour-panneau');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('le lien « Fichier » porte la profession, que /lot présélectionne', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/');
  assert.equal(await page.locator('.lien-lot').getAttribute('href'), '/lot');
  await page.selectOption('#profession', 'orthophoniste');
  await carteDe(page, 'orthophoniste');
  assert.equal(await page.locator('.lien-lot').getAttribute('href'), '/lot?profession=orthophoniste');
  await page.locator('.lien-lot').click();
  await page.waitForURL(/\/lot\?profession=orthophoniste$/, { timeout: DELAI });
  await page.waitForLoadState('load');
  assert.equal(await page.locator('#profession').inputValue(), 'orthophoniste');
  assert.equal(await page.locator('#retour-carte').getAttribute('href'), '/?profession=orthophoniste');
  await page.selectOption('#profession', 'all');
  assert.equal(new URL(page.url()).searchParams.get('profession'), 'all');
  assert.equal(await page.locator('#retour-carte').getAttribute('href'), '/', 'la carte n\'a pas « toutes »');
  await page.goto(`${BASE}/lot?profession=plombier`);
  assert.equal(await page.locator('#profession').inputValue(), 'masseur-kinesitherapeute');
  assert.equal(new URL(page.url()).searchParams.get('profession'), null);
  assert.deepEqual(erreurs, []);
  await contexte.close();
});

test('un jour choisi pour les infirmiers : l\'avis dit que leur carte ne dépend pas du jour', { timeout: 2 * DELAI }, async () => {
  const { contexte, page, erreurs } = await ouvrir();
  await carte(page, '/?commune=06088&profession=infirmier&date=2024-06-01');
  await carteDe(page, 'infirmier');
  await jourDeLaCarte(page, '2024-06-01');
  const avis = await page.locator('#jour-avis').innerText();
  assert.match(avis, /Jour choisi : 1er juin 2024\. L'export du zonage des infirmiers ne date pas les arrêtés/);
  assert.doesNotMatch(avis, /en vigueur/);
  const texte = await panneau(page, '06088');
  assert.match(texte, /Jour choisi : 1er juin 2024 ; l'export ne date pas ce zonage/);
  assert.match(texte, /sur-dotée\s+zonage des infirmiers/);
  // Back to the kinés: the notice is the kinés' again.
  await page.selectOption('#profession', 'masseur-kinesitherapeute');
  await carteDe(page, 'masseur-kinesitherapeute');
  assert.match(await page.locator('#jour-avis').innerText(), /Zonage en vigueur le 1er juin 2024, pas aujourd'hui\./);
  await capture(page, '33-jour-kines-apres-infirmiers');
  assert.deepEqual(erreurs, []);
  await contexte.close();
});
