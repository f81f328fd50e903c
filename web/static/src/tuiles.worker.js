// Tile worker: fetches, decodes and draws map tiles off the page's thread, so that
// panning and zooming stay smooth while a view of all of France is drawn.
import { dessinerTuile } from './dessin.js';

const enCours = new Map();

self.onmessage = async (e) => {
  const m = e.data;
  if (m.annuler !== undefined) {
    const a = enCours.get(m.annuler);
    if (a) a.abort();
    return;
  }
  const arret = new AbortController();
  enCours.set(m.id, arret);
  try {
    const r = await fetch(m.url, { signal: arret.signal });
    if (!r.ok) throw new Error(`tuile ${m.z} : erreur ${r.status}`);
    const octets = await r.arrayBuffer();
    const canvas = new OffscreenCanvas(m.cote, m.cote);
    dessinerTuile(canvas, octets, m.z, m.taille);
    const image = canvas.transferToImageBitmap();
    self.postMessage({ id: m.id, image }, [image]);
  } catch (err) {
    if (err.name !== 'AbortError') self.postMessage({ id: m.id, erreur: err.message });
  } finally {
    enCours.delete(m.id);
  }
};
