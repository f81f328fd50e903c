// Measures the map as the README quotes it: first paint of all of France in
// Chromium (cold server, then warm server with a cold browser cache), frames
// during a pan and a zoom, and the size of the tiles per zoom.
//
//   node e2e/mesure.mjs --binaire bin/zonage [--snapshot FILE] [--tours 5]
//
// `make mesure-carte` runs it on the binary with the embedded snapshot.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { lancer } from './chromium.mjs';

const opt = { binaire: 'bin/zonage', tours: '5', snapshot: '' };
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const TOURS = +opt.tours;

// demarrer starts `zonage serve` on a free port, without a base map (the figures
// are the server's own), and resolves with its URL.
function demarrer() {
  const args = ['serve', '--addr', '127.0.0.1:0', '--journal', 'warn'];
  if (opt.snapshot) args.push('--snapshot', opt.snapshot);
  const p = spawn(opt.binaire, args, { env: { ...process.env, ZONAGE_FOND_CARTE: 'aucun' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, ko) => {
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
      const m = /API sur (http:\/\/\S+)/.exec(err);
      if (m) ok({ url: m[1], arreter: () => new Promise((fin) => { p.once('exit', fin); p.kill('SIGTERM'); }) });
    });
    p.once('exit', (code) => ko(new Error(`zonage serve s'est arrêté (${code}) : ${err}`)));
  });
}

async function premierAffichage(navigateur, url) {
  const contexte = await navigateur.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await contexte.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-carte="prete"]', { timeout: 120_000 });
  const ms = await page.evaluate(() => window.zonagePremierAffichage);
  return { contexte, page, ms };
}

// images counts the frames of an interaction and those over 50 ms (a visible jerk).
async function images(page, geste) {
  await page.evaluate(() => {
    window.mesureImages = [];
    window.mesureEnCours = true;
    const boucle = (t) => { window.mesureImages.push(t); if (window.mesureEnCours) requestAnimationFrame(boucle); };
    requestAnimationFrame(boucle);
  });
  await geste();
  await page.waitForTimeout(1200);
  return page.evaluate(() => {
    window.mesureEnCours = false;
    const t = window.mesureImages;
    const d = t.slice(1).map((x, i) => x - t[i]);
    return { images: d.length, pire: Math.round(Math.max(...d)), lentes: d.filter((x) => x > 50).length };
  });
}

function mediane(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// octets fetches a tile as the browser does (gzip accepted) and counts the bytes
// that cross the wire.
function octets(url) {
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    http.get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (r) => {
      let n = 0;
      r.on('data', (d) => { n += d.length; });
      r.on('end', () => ok({ n, ms: performance.now() - t0, statut: r.statusCode }));
    }).on('error', ko);
  });
}

function tuile(lon, lat, z) {
  const n = 2 ** z;
  const l = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(l) + 1 / Math.cos(l)) / Math.PI) / 2) * n)];
}

async function tailles(url) {
  const infos = await (await fetch(`${url}/api/v1/map`)).json();
  const [o, s, e, n] = infos.territories.find((t) => t.code === 'metropole').bounds;
  const lignes = [];
  for (const couche of ['communes', 'departements']) {
    for (let z = 5; z <= 12; z++) {
      const [x0, y0] = tuile(o, n, z);
      const [x1, y1] = tuile(e, s, z);
      const toutes = [];
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) toutes.push([x, y]);
      // Every tile up to zoom 8; beyond, an even sample of 150.
      const pas = Math.max(1, Math.floor(toutes.length / 150));
      const echantillon = toutes.filter((_, i) => i % pas === 0);
      const mesures = [];
      for (const [x, y] of echantillon) {
        const r = await octets(`${url}${infos.tiles[couche].replace('{z}', z).replace('{x}', x).replace('{y}', y)}`);
        if (r.statut !== 200) throw new Error(`tuile ${couche} ${z}/${x}/${y} : ${r.statut}`);
        mesures.push(r);
      }
      const pleines = mesures.filter((m) => m.n > 40);
      const total = mesures.reduce((a, m) => a + m.n, 0) * (toutes.length / echantillon.length);
      lignes.push({
        couche, z, tuiles: toutes.length, mesurees: echantillon.length,
        totalKo: Math.round(total / 1024),
        moyenneKo: pleines.length ? +(pleines.reduce((a, m) => a + m.n, 0) / pleines.length / 1024).toFixed(1) : 0,
        maxKo: +(Math.max(0, ...mesures.map((m) => m.n)) / 1024).toFixed(1),
        construction: Math.round(mediane(mesures.map((m) => m.ms))),
      });
    }
  }
  return lignes;
}

const navigateur = await lancer();
try {
  const froid = [];
  for (let i = 0; i < Math.min(TOURS, 3); i++) {
    const serveur = await demarrer();
    const r = await premierAffichage(navigateur, `${serveur.url}/`);
    froid.push(r.ms);
    await r.contexte.close();
    await serveur.arreter();
  }
  const serveur = await demarrer();
  try {
    (await premierAffichage(navigateur, `${serveur.url}/`)).contexte.close();
    const chaud = [];
    let fluidite;
    for (let i = 0; i < TOURS; i++) {
      const r = await premierAffichage(navigateur, `${serveur.url}/`);
      chaud.push(r.ms);
      if (i === TOURS - 1) {
        await r.page.waitForTimeout(500);
        const p = r.page;
        const deplacement = await images(p, async () => {
          await p.mouse.move(500, 400);
          await p.mouse.down();
          for (let k = 1; k <= 20; k++) await p.mouse.move(500 + k * 15, 400 + k * 8);
          await p.mouse.up();
        });
        const zoom = await images(p, () => p.mouse.dblclick(600, 420));
        fluidite = { deplacement, zoom };
      }
      await r.contexte.close();
    }
    const lignes = await tailles(serveur.url);
    console.log(`Premier affichage de la France entière (1280×800, Chromium ${navigateur.version()}, sans fond de carte) :`);
    console.log(`- serveur froid (démarré juste avant) : ${froid.map(Math.round).join(', ')} ms ; médiane ${Math.round(mediane(froid))} ms`);
    console.log(`- serveur chaud, cache du navigateur vide : ${chaud.map(Math.round).join(', ')} ms ; médiane ${Math.round(mediane(chaud))} ms`);
    console.log(`- déplacement : ${fluidite.deplacement.images} images, la plus longue ${fluidite.deplacement.pire} ms, ${fluidite.deplacement.lentes} au-delà de 50 ms`);
    console.log(`- zoom : ${fluidite.zoom.images} images, la plus longue ${fluidite.zoom.pire} ms, ${fluidite.zoom.lentes} au-delà de 50 ms`);
    console.log('\nTuiles de la France métropolitaine, octets gzip transmis (au-delà du zoom 8, estimés sur un échantillon de 150) :\n');
    console.log('| couche | zoom | tuiles | total | moyenne (non vides) | max | réponse médiane (serveur chaud ou froid) |');
    console.log('|---|---|---|---|---|---|---|');
    for (const l of lignes) {
      console.log(`| ${l.couche} | ${l.z} | ${l.tuiles}${l.mesurees < l.tuiles ? ` (${l.mesurees} mesurées)` : ''} | ${l.totalKo} Ko | ${l.moyenneKo} Ko | ${l.maxKo} Ko | ${l.construction} ms |`);
    }
  } finally {
    await serveur.arreter();
  }
} finally {
  await navigateur.close();
}
