// Drawing of the vector tiles on a 2D canvas, shared by the tile workers (on an
// OffscreenCanvas) and by the page itself where workers cannot draw.
import { COULEURS, HACHURES } from './common.js';
import { lireTuile } from './mvt.js';

// Commune borders are drawn from this zoom on: below, they would grey the colours.
export const ZOOM_CONTOURS = 9;

function nouveauCanvas(l, h) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(l, h);
  const c = document.createElement('canvas');
  c.width = l;
  c.height = h;
  return c;
}

const motifs = new Map();

// remplissage is the fill of a class: its colour, or stripes of it for the
// hatched classes.
function remplissage(ctx, classe) {
  const c = COULEURS[classe] || '#ffffff';
  if (!HACHURES.has(classe)) return c;
  if (!motifs.has(classe)) {
    const m = nouveauCanvas(8, 8);
    const g = m.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = c;
    g.lineWidth = 2.5;
    g.beginPath();
    g.moveTo(-2, 10); g.lineTo(10, -2);
    g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(6, 10); g.lineTo(10, 6);
    g.stroke();
    motifs.set(classe, m);
  }
  return ctx.createPattern(motifs.get(classe), 'repeat');
}

// CheminSVG collects a path as SVG path data. Chromium spends some 3 µs in each
// Path2D.lineTo call, and a tile of all of France has 60 000 points: building the
// text and parsing it once in new Path2D(texte) is four times faster.
class CheminSVG {
  constructor() { this.morceaux = []; }
  moveTo(x, y) { this.morceaux.push(`M${x} ${y}`); }
  lineTo(x, y) { this.morceaux.push(`L${x} ${y}`); }
  closePath() { this.morceaux.push('Z'); }
  chemin() { return new Path2D(this.morceaux.join('')); }
}

// dessinerCommunes fills the communes one class at a time: one path per class
// rather than per commune makes a tile of all of France several times faster.
function dessinerCommunes(ctx, communes, zoom, taille) {
  const k = taille / communes.etendue;
  const textes = new Map();
  communes.parcourir((etiquettes, geometrie) => {
    let t = textes.get(etiquettes.k);
    if (!t) textes.set(etiquettes.k, (t = new CheminSVG()));
    geometrie(k, t, true);
  });
  const chemins = new Map([...textes].map(([classe, t]) => [classe, t.chemin()]));
  for (const [classe, chemin] of chemins) {
    const fond = remplissage(ctx, classe);
    ctx.fillStyle = fond;
    ctx.fill(chemin, 'evenodd');
    // Each commune was simplified on its own, so neighbours' edges run up to some
    // 60 m apart: a stroke of the commune's own colour, wider as the zoom grows,
    // covers the slivers of background between them.
    ctx.strokeStyle = fond;
    ctx.lineWidth = zoom < ZOOM_CONTOURS ? 0.8 : zoom < 12 ? 1.6 : zoom < 14 ? 3 : 5;
    ctx.stroke(chemin);
  }
  if (zoom >= ZOOM_CONTOURS) {
    ctx.strokeStyle = 'rgba(20, 20, 20, 0.5)';
    ctx.lineWidth = zoom >= 12 ? 1 : 0.6;
    for (const chemin of chemins.values()) ctx.stroke(chemin);
  }
}

function dessinerLimites(ctx, deps, zoom, taille) {
  const k = taille / deps.etendue;
  const t = new CheminSVG();
  deps.parcourir((_, geometrie) => geometrie(k, t, false));
  ctx.strokeStyle = '#1b1b1b';
  ctx.lineWidth = zoom >= ZOOM_CONTOURS ? 2 : zoom >= 6 ? 1.1 : 0.7;
  ctx.lineJoin = 'round';
  ctx.stroke(t.chemin());
}

// PointsSVG collects the points of a layer of points.
class Points {
  constructor() { this.liste = []; }
  moveTo(x, y) { this.liste.push([x, y]); }
  lineTo() {}
  closePath() {}
}

// dessinerNoms writes the commune names the server placed: dark text on a white
// halo, readable on every category colour. A name across two tiles is in both,
// and each draws its part.
function dessinerNoms(ctx, noms, taille) {
  const k = taille / noms.etendue;
  ctx.font = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
  ctx.fillStyle = '#1b1b1b';
  noms.parcourir((etiquettes, geometrie) => {
    const p = new Points();
    geometrie(k, p, false);
    if (!etiquettes.n || !p.liste.length) return;
    const [x, y] = p.liste[0];
    ctx.strokeText(etiquettes.n, x, y);
    ctx.fillText(etiquettes.n, x, y);
  });
}

// dessinerTuile draws an MVT tile (its bytes) on canvas, whose side is taille CSS
// pixels times the device pixel ratio.
export function dessinerTuile(canvas, octets, zoom, taille) {
  const couches = lireTuile(octets);
  const ctx = canvas.getContext('2d');
  ctx.scale(canvas.width / taille, canvas.width / taille);
  // Mitred joins cost a tenth of round ones, and at 0.8 px nobody sees the difference.
  ctx.lineJoin = 'miter';
  ctx.miterLimit = 2;
  if (couches.communes) dessinerCommunes(ctx, couches.communes, zoom, taille);
  if (couches.departements) dessinerLimites(ctx, couches.departements, zoom, taille);
  if (couches.noms) dessinerNoms(ctx, couches.noms, taille);
}
