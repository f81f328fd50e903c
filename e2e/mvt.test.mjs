// The page's tile reader (web/static/src/mvt.js) on real tiles of the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lireTuile } from '../web/static/src/mvt.js';

const BASE = process.env.ZONAGE_URL;

// Chemin records what the reader draws, as a Path2D would receive it.
class Chemin {
  constructor() { this.points = []; this.fermetures = 0; this.traces = 0; }
  moveTo(x, y) { this.traces++; this.points.push([x, y]); }
  lineTo(x, y) { this.points.push([x, y]); }
  closePath() { this.fermetures++; }
}

async function tuile(couche, z, x, y) {
  const r = await fetch(`${BASE}/api/v1/tiles/${couche}/${z}/${x}/${y}.mvt`);
  assert.equal(r.status, 200);
  return lireTuile(await r.arrayBuffer());
}

test('une tuile de Paris se lit : classes, anneaux fermés, coordonnées dans la tuile', async () => {
  const { communes } = await tuile('communes', 12, 2074, 1409);
  assert.equal(communes.etendue, 512);
  const classes = new Set();
  let n = 0;
  communes.parcourir((etiquettes, geometrie) => {
    n++;
    classes.add(etiquettes.k);
    const c = new Chemin();
    geometrie(1, c, true);
    assert.ok(c.traces >= 1 && c.fermetures === c.traces, 'chaque anneau est fermé');
    for (const [x, y] of c.points) assert.ok(x >= -8 && x <= 520 && y >= -8 && y <= 520, `point ${x},${y} hors de la tuile`);
  });
  assert.ok(n > 10, `${n} communes`);
  assert.ok(classes.has('non_prioritaire') && classes.has('intermediaire'), [...classes].join(', '));
});

test('les limites de départements sont des lignes ouvertes', async () => {
  const { departements } = await tuile('departements', 6, 32, 22);
  let lignes = 0;
  departements.parcourir((_, geometrie) => {
    const c = new Chemin();
    geometrie(0.5, c, false);
    lignes += c.traces;
    assert.equal(c.fermetures, 0);
  });
  assert.ok(lignes > 20, `${lignes} lignes`);
});

test('les noms des communes viennent du serveur : les grandes villes d\'abord, les arrondissements de près', async () => {
  const noms = async (z, x, y) => {
    const { noms: couche } = await tuile('departements', z, x, y);
    const out = [];
    if (couche) couche.parcourir((etiquettes, geometrie) => {
      const c = new Chemin();
      geometrie(1, c, false);
      assert.equal(c.points.length, 1, `${etiquettes.n} : un point`);
      out.push(etiquettes.n);
    });
    return out;
  };
  // Zoom 6 over the north of France: Paris by its own name, no small town.
  const nord = await noms(6, 32, 22);
  assert.ok(nord.includes('Paris'), nord.join(', '));
  assert.ok(nord.length < 40, `${nord.length} noms au zoom 6`);
  // Zoom 12 over central Paris: the arrondissements, not the city.
  const centre = await noms(12, 2074, 1409);
  assert.ok(centre.includes('Paris 6e') && !centre.includes('Paris'), centre.join(', '));
});

test('une tuile de mer est vide', async () => {
  assert.deepEqual(Object.keys(await tuile('communes', 6, 28, 22)), []);
});
