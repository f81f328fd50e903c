// The map page: France coloured by zonage category from the server's vector tiles,
// for the profession chosen, a click answered by the server's lookup, search,
// profile and permalinks.
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './style.css';
import { el, formatNombre, formatDate, lireJSON, ErreurAPI, pastille, PROFESSIONS, KINE } from './common.js';
import { dessinerTuile } from './dessin.js';
import { rendrePanneau, rendreUnite, rendreSources, clesSources, homogene } from './panneau.js';

const $ = (id) => document.getElementById(id);

// Metropolitan France, shown until the server names the territories.
const FRANCE = [[41.3, -5.2], [51.1, 9.6]];

const etat = {
  carte: null,
  choroplethe: null,
  fond: null,
  infos: null, // answer of /api/v1/map
  profession: KINE,
  jour: '', // the day whose zonage is shown, AAAA-MM-JJ; '' for today
  aujourdhui: '', // today, by the server's clock once its map has said
  demandeInfos: 0, // increments with each profession asked for; late answers of older ones are dropped
  couches: 0, // increments with each choropleth drawn; late loads of older ones are ignored
  anciennes: [], // choropleths of professions left, removed once the new one is drawn
  limites: null, // {gabarit, couche}: the département borders and their tile URL template
  selection: null, // {commune: code}, {adresse: texte} or {lat, lon}
  surlignage: null,
  unite: null,
  repere: null,
  demande: 0, // increments with each selection; late answers of older ones are dropped
};

// annoncer says a short sentence to screen readers.
function annoncer(texte) {
  const s = $('annonce');
  s.textContent = '';
  setTimeout(() => { s.textContent = texte; }, 50);
}

function afficherErreur(texte) {
  const z = $('erreur');
  z.textContent = texte;
  z.hidden = !texte;
}

// ----- Vector tile layers -----

// Workers draw the tiles where the browser lets them draw (OffscreenCanvas);
// elsewhere the page draws them itself.
const travailleurs = [];
let prochainTravailleur = 0;
let numeroTuile = 0;
const attentes = new Map();

function initTravailleurs() {
  const meta = document.querySelector('meta[name="zonage-tuiles"]');
  if (!meta || typeof OffscreenCanvas === 'undefined' || typeof Worker === 'undefined') return;
  const n = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));
  for (let i = 0; i < n; i++) {
    try {
      const w = new Worker(meta.content);
      w.onmessage = (e) => {
        const a = attentes.get(e.data.id);
        if (!a) { if (e.data.image) e.data.image.close(); return; }
        attentes.delete(e.data.id);
        a(e.data);
      };
      travailleurs.push(w);
    } catch {
      return;
    }
  }
}

// CoucheTuiles draws the server's vector tiles on canvases. It is not interactive:
// a click goes to the map and is answered by the server's lookup.
const CoucheTuiles = L.GridLayer.extend({
  initialize(url, options) {
    this._url = url;
    L.GridLayer.prototype.initialize.call(this, options);
    this.on('tileunload', (e) => e.tile._annuler && e.tile._annuler());
  },
  createTile(coords, fini) {
    const taille = this.getTileSize().x;
    const canvas = document.createElement('canvas');
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = canvas.height = taille * ratio;
    const zones = this.options.zones;
    if (zones && !zones.some((z) => z.intersects(this._tileCoordsToBounds(coords)))) {
      // Sea and foreign land: nothing to ask the server. Leaflet wants the answer
      // after createTile has returned.
      Promise.resolve().then(() => fini(null, canvas));
      return canvas;
    }
    const url = new URL(this._url.replace('{z}', coords.z).replace('{x}', coords.x).replace('{y}', coords.y), location.href).href;
    if (travailleurs.length) {
      const id = ++numeroTuile;
      const w = travailleurs[prochainTravailleur++ % travailleurs.length];
      attentes.set(id, (r) => {
        if (r.image) {
          canvas.getContext('2d').drawImage(r.image, 0, 0);
          r.image.close();
          fini(null, canvas);
        } else fini(new Error(r.erreur), canvas);
      });
      canvas._annuler = () => { attentes.delete(id); w.postMessage({ annuler: id }); };
      w.postMessage({ id, url, z: coords.z, taille, cote: canvas.width });
      return canvas;
    }
    const arret = new AbortController();
    canvas._annuler = () => arret.abort();
    fetch(url, { signal: arret.signal })
      .then((r) => {
        if (!r.ok) throw new Error(`tuile ${coords.z}/${coords.x}/${coords.y} : erreur ${r.status}`);
        return r.arrayBuffer();
      })
      .then((octets) => {
        dessinerTuile(canvas, octets, coords.z, taille);
        fini(null, canvas);
      })
      .catch((err) => {
        if (err.name !== 'AbortError') fini(err, canvas);
      });
    return canvas;
  },
});

// ----- Legend and territories -----

function rendreLegende(infos) {
  const liste = $('legende-liste');
  liste.replaceChildren();
  for (const c of infos.classes) {
    if (!c.count) continue;
    liste.append(el('li', {}, pastille(c.key), el('span', { class: 'legende-libelle' }, c.label), el('span', { class: 'legende-nombre' }, formatNombre(c.count))));
  }
  // The day is the date field's, below.
  $('legende-date').textContent = `Communes et arrondissements (données ${infos.dataset_version}).`;
  // The data's vintage, and a warning when regions' two-year revision is due.
  if (infos.data_vintage) $('legende-date').append(el('span', { class: 'legende-millesime' }, ` Zonage : ${infos.data_vintage}.`));
  if (infos.revision_warning) $('legende-date').append(el('span', { class: 'legende-alerte', role: 'note' }, ` ⚠ ${infos.revision_warning}`));
  const choix = $('territoire');
  choix.replaceChildren(el('option', { value: '' }, 'Aller à…'));
  for (const t of infos.territories) choix.append(el('option', { value: t.code }, t.name));
}

function allerAuTerritoire(code) {
  const t = etat.infos && etat.infos.territories.find((x) => x.code === code);
  if (!t) return;
  const [o, s, e, n] = t.bounds;
  etat.carte.flyToBounds([[s, o], [n, e]], { duration: 0.8 });
}

// ----- Selection: point, commune, address -----

// requeteProfession is the profession= parameter of the server's calls: none for
// the kiné, so that the kiné's URLs are those of before.
function requeteProfession() {
  return etat.profession === KINE ? '' : `&profession=${encodeURIComponent(etat.profession)}`;
}

// requeteJour is the date= parameter of the server's calls: none for today.
function requeteJour() {
  return etat.jour ? `&date=${etat.jour}` : '';
}

// requeteProfil adds the profile to a kiné's lookup: it selects among the kiné's
// options, and the other professions' installation rules do not depend on it.
function requeteProfil() {
  if (etat.profession !== KINE) return '';
  const p = new URLSearchParams();
  const f = $('profil-formulaire');
  for (const nom of ['statut', 'debut_etudes', 'annees_etablissement', 'deja_conventionne', 'projet', 'installe_depuis']) {
    const v = f.elements[nom].value.trim();
    if (v) p.set(nom, v);
  }
  const s = p.toString();
  return s ? `&${s}` : '';
}

// resoudre asks the server about a place and shows the answer. selection is what
// the link will name once the answer is in; ou says how to move the map and
// whether this is a new step in the history. A search that finds nothing leaves
// the page, its selection and its link as they were, and says so once.
async function resoudre(params, selection, ou) {
  const n = ++etat.demande;
  $('panneau').setAttribute('aria-busy', 'true');
  afficherErreur('');
  try {
    const res = await lireJSON(`/api/v1/resolve?${params}${requeteProfession()}${requeteJour()}${requeteProfil()}`);
    if (n !== etat.demande) return;
    if (ou.recherche && res.status === 'introuvable') {
      const texte = res.match && res.match.method === 'code' && res.message
        ? `${res.message[0].toUpperCase()}${res.message.slice(1)}.`
        : `« ${ou.recherche} » : aucune commune ni adresse trouvée. Essayez le nom d'une commune, un code postal ou une adresse avec sa commune.`;
      afficherErreur(texte);
      annoncer(texte);
      return;
    }
    etat.selection = selection;
    await montrer(res, ou, n);
  } catch (err) {
    if (n !== etat.demande) return;
    afficherErreur(err instanceof ErreurAPI ? err.message : `Le serveur ne répond pas : ${err.message}`);
    annoncer(err.message);
  } finally {
    if (n === etat.demande) $('panneau').removeAttribute('aria-busy');
  }
}

function choisirPoint(latlng, options = {}) {
  const lat = +latlng.lat.toFixed(6);
  const lon = +L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
  poserRepere([lat, lon]);
  return resoudre(`lat=${lat}&lon=${lon}`, { lat, lon }, { point: [lat, lon], ...options });
}

function choisirCommune(code, options = {}) {
  return resoudre(`citycode=${encodeURIComponent(code)}`, { commune: code }, { cadrer: options.cadrer !== false, ...options });
}

function choisirAdresse(texte, options = {}) {
  return resoudre(`q=${encodeURIComponent(texte)}`, { adresse: texte }, { cadrer: true, adresse: true, recherche: texte, ...options });
}

function poserRepere(latlng) {
  enleverRepere();
  etat.repere = L.circleMarker(latlng, { radius: 7, color: '#000', weight: 2.5, fillColor: '#fff', fillOpacity: 1, interactive: false }).addTo(etat.carte);
}

function enleverRepere() {
  if (etat.repere) etat.repere.remove();
  etat.repere = null;
}

// montrer opens the panel on an answer, outlines the commune and its catchment,
// and moves the map to them when asked.
async function montrer(res, ou, n) {
  const panneau = $('panneau');
  const contenu = rendrePanneau(res, {
    profession: etat.profession,
    jour: etat.jour,
    choisirCommune: (code) => choisirCommune(code),
    lien: () => lienPermanent(),
  });
  $('panneau-contenu').replaceChildren(contenu);
  $('panneau-contenu').scrollTop = 0;
  const ouverture = panneau.hidden;
  panneau.hidden = false;
  document.body.classList.add('panneau-ouvert');
  feuille.ouvrir(ouverture);
  // A new place takes the focus to its title; the same place asked again (the
  // profile, the profession or the day changed) leaves it on the control used.
  if (!ou.garderFocus || ouverture) $('panneau-titre').focus({ preventScroll: true });
  etat.carte.invalidateSize();

  const m = res.match || {};
  if (ou.adresse && m.lat && m.lon) poserRepere([m.lat, m.lon]);
  else if (!ou.point) enleverRepere();
  if (res.commune && etat.selection && etat.selection.commune) etat.selection.commune = res.commune.code;
  if (ou.nommer && res.commune && !$('recherche').value) $('recherche').value = res.commune.name;

  const titre = res.commune ? `${res.commune.name} (${res.commune.code})` : $('panneau-titre').textContent;
  const cat = res.zonage ? res.zonage.label : res.status === 'ambigu' ? 'catégorie selon le lieu exact' : res.message;
  annoncer(`${titre} : ${cat}`);
  document.title = `${titre} — zonage ${PROFESSIONS[etat.profession].singulier}`;
  mettreAJourURL(ou.historique !== false);

  const taches = [];
  if (res.commune) taches.push(surligner(res.commune.code, ou, m, n));
  else {
    nettoyerSurlignage();
    if (ou.adresse && m.lat && m.lon) viser(L.latLng(m.lat, m.lon), Math.max(etat.carte.getZoom(), 14));
  }
  const unite = res.zonage && res.zonage.catchment;
  if (unite) taches.push(montrerUnite(unite, n));
  else if (etat.unite) { etat.unite.remove(); etat.unite = null; }
  const cles = clesSources(res);
  if (cles.length) taches.push(lireJSON(`/api/v1/sources?keys=${encodeURIComponent(cles.join(','))}`)
    .then((s) => { if (n === etat.demande) rendreSources(s.sources); })
    .catch(() => {}));
  await Promise.all(taches);
  // A place tapped where the sheet now lies is brought above it.
  if (n === etat.demande && !ou.cadrer) feuille.garderVisible();
}

// lieuAffiche is the box, in page pixels, of the chosen place as drawn (its
// outline, or the marker of a point): read by the browser tests, which cannot
// see into the canvas the overlays are drawn on.
window.zonageLieuAffiche = () => {
  const c = etat.carte;
  let b = null;
  if (etat.surlignage) b = L.featureGroup(etat.surlignage.getLayers()).getBounds();
  else if (etat.repere) b = L.latLngBounds(etat.repere.getLatLng(), etat.repere.getLatLng());
  if (!c || !b || !b.isValid()) return null;
  const o = c.getContainer().getBoundingClientRect();
  const p1 = c.latLngToContainerPoint(b.getNorthWest());
  const p2 = c.latLngToContainerPoint(b.getSouthEast());
  return { x: o.x + (p1.x + p2.x) / 2, y: o.y + (p1.y + p2.y) / 2, l: p2.x - p1.x, h: p2.y - p1.y, repere: !!etat.repere };
};

function nettoyerSurlignage() {
  if (etat.surlignage) etat.surlignage.remove();
  etat.surlignage = null;
}

async function surligner(code, ou, m, n) {
  let geo;
  try {
    geo = await lireJSON(`/api/v1/communes/${encodeURIComponent(code)}?geometry=1`);
  } catch {
    return;
  }
  if (n !== etat.demande || !geo.geometry) return;
  nettoyerSurlignage();
  // A white halo under a black line reads on every category colour.
  etat.surlignage = L.layerGroup([
    L.geoJSON(geo.geometry, { style: { color: '#ffffff', weight: 6, opacity: 1, fill: false }, interactive: false }),
    L.geoJSON(geo.geometry, { style: { color: '#000000', weight: 3, opacity: 1, fill: false }, interactive: false }),
  ]).addTo(etat.carte);
  if (etat.repere) etat.repere.bringToFront();
  const bornes = L.geoJSON(geo.geometry).getBounds();
  if (ou.cadrer) {
    if (ou.adresse && m.lat && m.lon) viser(L.latLng(m.lat, m.lon), Math.max(etat.carte.getZoom(), 15));
    else if (ou.zoom !== undefined) etat.carte.setView(bornes.getCenter(), ou.zoom, { animate: false });
    else cadrer(bornes);
  } else if (ou.point && !etat.carte.getBounds().contains(L.latLng(ou.point))) {
    viser(L.latLng(ou.point), etat.carte.getZoom());
  }
}

// cadrer fits the map to bounds in what the open panel leaves visible.
function cadrer(bornes) {
  const [dx, dy] = decalagePanneau();
  etat.carte.flyToBounds(bornes, { maxZoom: 13, duration: 0.8, paddingTopLeft: [20, 20], paddingBottomRight: [dx + 20, dy + 20] });
}

// viser flies to a point, placed in the middle of what the open panel leaves visible.
function viser(latlng, zoom) {
  const [dx, dy] = decalagePanneau();
  const centre = etat.carte.unproject(etat.carte.project(latlng, zoom).add([dx / 2, dy / 2]), zoom);
  etat.carte.flyTo(centre, zoom, { duration: 0.8 });
}

// decalagePanneau is how much of the map the open panel covers: its width on the
// right on a wide screen, the sheet's height at the bottom on a phone.
function decalagePanneau() {
  const p = $('panneau');
  if (p.hidden) return [0, 0];
  if (telephone()) return [0, feuille.hauteurVisee()];
  return [p.getBoundingClientRect().width, 0];
}

function telephone() {
  return window.matchMedia('(max-width: 760px)').matches;
}

async function montrerUnite(unite, n) {
  let u;
  try {
    u = await lireJSON(`/api/v1/catchments/${encodeURIComponent(unite.kind)}/${encodeURIComponent(unite.code)}${etat.jour ? `?date=${etat.jour}` : ''}`);
  } catch {
    return;
  }
  if (n !== etat.demande) return;
  if (etat.unite) etat.unite.remove();
  etat.unite = null;
  // The catchment is outlined only where its communes share one category: around
  // communes classed differently, the line would suggest a decision taken for all.
  if (u.outline && homogene(u) && u.communes.length > 1) {
    etat.unite = L.layerGroup([
      L.geoJSON(u.outline, { style: { color: '#ffffff', weight: 5, opacity: 0.9 }, interactive: false }),
      L.geoJSON(u.outline, { style: { color: '#000000', weight: 2.5, opacity: 1, dashArray: '7 5' }, interactive: false }),
    ]).addTo(etat.carte);
    if (etat.surlignage) etat.surlignage.eachLayer((l) => l.bringToFront());
  }
  rendreUnite(u, (code) => choisirCommune(code));
}

// ----- Bottom sheet on a phone -----

// feuille is the panel on a narrow screen: a sheet over the bottom of the map at
// three heights — a peek at the answer, half the map, all of it — dragged by its
// head or cycled by its handle button. The map keeps the chosen place in view
// above it.
const CRANS = ['apercu', 'moitie', 'plein'];
const feuille = {
  cran: 'moitie',
  hauteurs() {
    const h = document.querySelector('.principal').clientHeight;
    const tete = $('panneau').querySelector('.panneau-tete').offsetHeight || 56;
    // Half-open shows the whole summary when it is short enough to leave the map
    // two fifths of the screen.
    const resume = $('panneau').querySelector('.resume');
    const voulu = resume ? tete + resume.offsetHeight + 24 : h * 0.5;
    return { apercu: Math.min(h * 0.35, tete + 110), moitie: Math.round(Math.max(h * 0.4, Math.min(h * 0.6, voulu))), plein: h - 8 };
  },
  hauteurVisee() {
    return Math.round(this.hauteurs()[this.cran]);
  },
  poser(cran, suivre = true) {
    this.cran = cran;
    const p = $('panneau');
    if (!telephone()) { p.style.removeProperty('height'); return; }
    p.style.height = `${this.hauteurVisee()}px`;
    p.dataset.cran = cran;
    const b = $('panneau-poignee');
    b.setAttribute('aria-label', cran === 'plein' ? 'Réduire le panneau' : 'Agrandir le panneau');
    b.setAttribute('aria-expanded', String(cran === 'plein'));
    if (suivre) this.garderVisible();
  },
  // ouvrir sizes the sheet for a new answer: half-open, or as it was while the
  // reader browses from one answer to the next.
  ouvrir(nouvelle) {
    this.poser(nouvelle || this.cran === 'apercu' ? 'moitie' : this.cran, false);
  },
  // garderVisible pans the map so that the chosen place is above the sheet.
  garderVisible() {
    const carte = etat.carte;
    if (!carte || !telephone()) return;
    let cible = null;
    if (etat.repere) cible = etat.repere.getLatLng();
    else if (etat.surlignage) {
      const b = L.featureGroup(etat.surlignage.getLayers()).getBounds();
      if (b.isValid()) cible = b.getCenter();
    }
    if (!cible) return;
    const libre = carte.getSize().y - this.hauteurVisee();
    const y = carte.latLngToContainerPoint(cible).y;
    if (libre > 60 && (y > libre - 20 || y < 10)) carte.panBy([0, y - libre / 2]);
  },
  init() {
    const p = $('panneau');
    const tete = p.querySelector('.panneau-tete');
    const poignee = $('panneau-poignee');
    poignee.addEventListener('click', () => {
      if (feuille.glisse) return;
      this.poser(CRANS[(CRANS.indexOf(this.cran) + 1) % CRANS.length]);
    });
    let depart = null;
    tete.addEventListener('pointerdown', (e) => {
      if (!telephone() || e.target.closest('#panneau-fermer')) return;
      depart = { y: e.clientY, h: p.getBoundingClientRect().height };
      feuille.glisse = false;
      tete.setPointerCapture(e.pointerId);
    });
    tete.addEventListener('pointermove', (e) => {
      if (!depart) return;
      const dy = e.clientY - depart.y;
      if (Math.abs(dy) > 6) feuille.glisse = true;
      if (!feuille.glisse) return;
      p.classList.add('glisse');
      const h = this.hauteurs();
      p.style.height = `${Math.max(h.apercu * 0.6, Math.min(h.plein, depart.h - dy))}px`;
    });
    const finir = () => {
      if (!depart) return;
      depart = null;
      p.classList.remove('glisse');
      if (!feuille.glisse) return;
      const actuelle = p.getBoundingClientRect().height;
      const h = this.hauteurs();
      const proche = CRANS.reduce((a, b) => (Math.abs(h[b] - actuelle) < Math.abs(h[a] - actuelle) ? b : a));
      this.poser(proche);
      setTimeout(() => { feuille.glisse = false; }, 0);
    };
    tete.addEventListener('pointerup', finir);
    tete.addEventListener('pointercancel', finir);
    window.addEventListener('resize', () => { if (!p.hidden) this.poser(this.cran, false); });
  },
};

// ----- Permalinks and history -----

// lienPermanent is the link of what the page shows: the place chosen (a commune,
// an address as typed, or a point) or, with nothing chosen, the view.
function lienPermanent() {
  const p = new URLSearchParams();
  const s = etat.selection;
  if (s && s.commune) p.set('commune', s.commune);
  else if (s && s.adresse) p.set('adresse', s.adresse);
  else if (s && s.lat !== undefined) {
    p.set('lat', s.lat);
    p.set('lon', s.lon);
  } else {
    const c = etat.carte.getCenter();
    p.set('lat', c.lat.toFixed(5));
    p.set('lon', c.lng.toFixed(5));
    p.set('vue', '1');
  }
  p.set('zoom', etat.carte.getZoom());
  if (etat.profession !== KINE) p.set('profession', etat.profession);
  if (etat.jour) p.set('date', etat.jour);
  return `${location.pathname}?${p}`;
}

// mettreAJourURL writes the link into the address bar: a new history entry for a
// new place, a replacement when only the view moved.
function mettreAJourURL(nouveauLieu = false) {
  const lien = lienPermanent();
  const actuel = new URLSearchParams(location.search);
  const lieu = (q) => ['commune', 'adresse', 'lat', 'lon', 'vue', 'profession', 'date'].map((k) => q.get(k) || '').join('|');
  if (nouveauLieu && lieu(actuel) !== lieu(new URLSearchParams(lien.split('?')[1]))) history.pushState(null, '', lien);
  else history.replaceState(null, '', lien);
}

function lireURL() {
  const p = new URLSearchParams(location.search);
  const lieu = lireLieu(p);
  Object.assign(lieu, lireProfession(p.get('profession')));
  // A date that is not a real day is today's: the link opens today's map.
  lieu.date = jourValide(p.get('date') || '') ? p.get('date') : '';
  if (lieu.date === etat.aujourdhui) lieu.date = '';
  return lieu;
}

// lireProfession reads a link's profession as the server does, whatever its case
// and spaces around it. An unknown one is the default's, named in inconnue so that
// the page says so: it shows a map rather than an error, and its link then drops
// the parameter.
function lireProfession(brute) {
  const valeur = (brute || '').trim();
  const slug = valeur.toLowerCase();
  if (!slug) return { profession: KINE };
  if (Object.hasOwn(PROFESSIONS, slug)) return { profession: slug };
  return { profession: KINE, inconnue: valeur.length > 60 ? `${valeur.slice(0, 60)}…` : valeur };
}

function lireLieu(p) {
  const zoom = p.has('zoom') ? Math.max(0, Math.min(18, parseInt(p.get('zoom'), 10) || 0)) : undefined;
  const lat = parseFloat(p.get('lat'));
  const lon = parseFloat(p.get('lon'));
  if (CODE_COMMUNE.test(p.get('commune') || '')) return { commune: p.get('commune').toUpperCase(), zoom };
  const adresse = (p.get('adresse') || '').trim();
  if (adresse.length >= 2 && adresse.length <= 200) return { adresse, zoom };
  if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    return { lat, lon, zoom: zoom === undefined ? 13 : zoom, vue: p.has('vue') };
  }
  return {};
}

// appliquerURL shows what a link names: on load, and on Back and Forward.
function appliquerURL(url, historique) {
  const autreJour = url.date !== etat.jour;
  if (autreJour) poserJour(url.date);
  if (url.profession !== etat.profession) changerProfession(url.profession, { historique: false, reinterroger: false });
  else if (autreJour) rechargerJour(etat.jour, { reinterroger: false });
  const ou = { historique, zoom: url.zoom };
  // The search field says what the link names: its address, its commune once
  // answered, else nothing; Back must not leave the text of a later search.
  const champ = $('recherche');
  champ.value = url.adresse || '';
  if (url.commune) return choisirCommune(url.commune, { ...ou, nommer: true });
  if (url.adresse) return choisirAdresse(url.adresse, ou);
  if (url.lat !== undefined) {
    if (url.vue) {
      fermerPanneau({ ecrire: false });
      etat.carte.setView([url.lat, url.lon], url.zoom);
      return null;
    }
    etat.carte.setView([url.lat, url.lon], url.zoom);
    return choisirPoint(L.latLng(url.lat, url.lon), { historique });
  }
  fermerPanneau({ ecrire: false });
  return null;
}

// ----- Search -----

// sansAccents folds a name for comparison: « Saint-Étienne » and « saint etienne » match.
function sansAccents(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

// CODE_COMMUNE is the shape of a code INSEE (2A and 2B for Corsica).
const CODE_COMMUNE = /^[0-9][0-9AB][0-9]{3}$/i;

// meilleurChoix picks what Enter opens when no suggestion is marked: a commune
// named exactly as typed, or else the text as an address.
// Five characters shaped like a code are a code INSEE or a postcode: the commune
// of that code (which the search lists first), else the first one of that
// postcode, as the list shows them; neither, and the page says no commune has it.
function meilleurChoix(q, resultats) {
  const cle = sansAccents(q);
  const estCommune = (r) => r.kind === 'commune' || r.kind === 'arrondissement';
  const commune = resultats.find((r) => estCommune(r) && sansAccents(r.label) === cle);
  if (commune) return commune;
  if (CODE_COMMUNE.test(q)) {
    const code = q.toUpperCase();
    return resultats.find((r) => estCommune(r) && r.code === code)
      || resultats.find((r) => estCommune(r) && r.postcode === code)
      || { kind: 'commune', code, label: q };
  }
  return { kind: 'adresse', label: q };
}

function initRecherche() {
  const champ = $('recherche');
  const liste = $('suggestions');
  let resultats = [];
  let pour = '';
  let actif = -1;
  let minuterie = 0;
  let numero = 0;

  const fermer = () => {
    liste.hidden = true;
    champ.setAttribute('aria-expanded', 'false');
    champ.removeAttribute('aria-activedescendant');
    actif = -1;
  };
  const marquer = (i) => {
    actif = i;
    [...liste.children].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0) {
      champ.setAttribute('aria-activedescendant', `suggestion-${i}`);
      liste.children[i].scrollIntoView({ block: 'nearest' });
    } else champ.removeAttribute('aria-activedescendant');
  };
  const valider = (r, texte) => {
    fermer();
    if (r.kind === 'commune' || r.kind === 'arrondissement') {
      champ.value = r.label;
      choisirCommune(r.code, texte ? { recherche: texte } : {});
    } else if (r.kind === 'adresse') {
      choisirAdresse(texte);
    } else {
      champ.value = r.label;
      choisirAdresse(r.postcode && !r.label.includes(r.postcode) ? `${r.label} ${r.postcode}` : r.label);
    }
    if (telephone()) champ.blur();
  };
  const chercher = async (q) => {
    const r = await lireJSON(`/api/v1/search?q=${encodeURIComponent(q)}&limit=8`);
    return r.results || [];
  };
  const afficher = (rs, q) => {
    resultats = rs;
    pour = q;
    liste.replaceChildren(...rs.map((r, i) => el('li', {
      id: `suggestion-${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); valider(r); },
    }, el('span', { class: 'suggestion-libelle' }, r.label),
    el('span', { class: 'suggestion-detail' }, detailSuggestion(r, q)))));
    liste.hidden = rs.length === 0;
    champ.setAttribute('aria-expanded', rs.length ? 'true' : 'false');
    $('recherche-aide').textContent = rs.length ? `${rs.length} suggestion${rs.length > 1 ? 's' : ''} ; flèches pour choisir, Entrée pour valider.` : '';
    actif = -1;
  };
  champ.addEventListener('input', () => {
    clearTimeout(minuterie);
    const q = champ.value.trim();
    if (q.length < 2) { afficher([], q); return; }
    minuterie = setTimeout(async () => {
      const n = ++numero;
      try {
        const rs = await chercher(q);
        if (n === numero) afficher(rs, q);
      } catch {
        if (n === numero) afficher([], q);
      }
    }, 150);
  });
  champ.addEventListener('keydown', async (e) => {
    const ouvert = !liste.hidden && resultats.length > 0;
    if (e.key === 'ArrowDown' && ouvert) { e.preventDefault(); marquer((actif + 1) % resultats.length); }
    else if (e.key === 'ArrowUp' && ouvert) { e.preventDefault(); marquer(actif <= 0 ? resultats.length - 1 : actif - 1); }
    else if (e.key === 'Escape') { fermer(); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(minuterie);
      const n = ++numero;
      if (ouvert && actif >= 0) { valider(resultats[actif]); return; }
      const q = champ.value.trim();
      fermer();
      if (q.length < 2) return;
      let rs = pour === q ? resultats : null;
      if (!rs) {
        try { rs = await chercher(q); } catch { rs = []; }
        if (n !== numero) return;
      }
      valider(meilleurChoix(q, rs), q);
    }
  });
  champ.addEventListener('blur', () => setTimeout(fermer, 100));
}

// detailSuggestion tells same-name places apart: kind, département and postcode;
// for a place found by the code typed, that it is its code INSEE, since the same
// five digits are also some other commune's postcode.
function detailSuggestion(r, q = '') {
  const dep = r.departement ? (r.departement.name ? `${r.departement.name} (${r.departement.code})` : `département ${r.departement.code}`) : '';
  const parCode = r.kind !== 'street' && CODE_COMMUNE.test(q) && r.code === q.toUpperCase();
  return [genre(r.kind), dep, parCode ? `code INSEE ${r.code}` : r.postcode].filter(Boolean).join(' · ');
}

function genre(kind) {
  return { commune: 'commune', arrondissement: 'arrondissement', street: 'voie', housenumber: 'adresse', address: 'adresse' }[kind] || kind;
}

// ----- Profile -----

// resumerProfil shows on the profile button how many criteria are set:
// « 2 critères » on a wide screen, a « 2 » badge on a phone, where the words
// would push the file link onto a line of its own; a screen reader hears the
// words either way.
function resumerProfil(resume, n) {
  resume.replaceChildren();
  if (!n) return;
  const mots = n > 1 ? 'critères' : 'critère';
  resume.append(el('span', { class: 'long' }, `${n} ${mots}`),
    el('span', { class: 'court profil-nombre' }, String(n), el('span', { class: 'visuellement-cache' }, ` ${mots}`)));
}

const CLE_PROFIL = 'zonage-profil';

function initProfil() {
  const f = $('profil-formulaire');
  try {
    const enregistre = JSON.parse(localStorage.getItem(CLE_PROFIL) || '{}');
    for (const [k, v] of Object.entries(enregistre)) if (f.elements[k]) f.elements[k].value = v;
  } catch { /* a corrupt or blocked storage leaves the form empty */ }
  f.elements.debut_etudes.max = new Date().getFullYear() + 1;
  const bouton = $('profil-bouton');
  const zone = $('profil');
  bouton.addEventListener('click', () => {
    const ouvrir = zone.hidden;
    zone.hidden = !ouvrir;
    bouton.setAttribute('aria-expanded', String(ouvrir));
    if (ouvrir) f.elements.statut.focus();
  });
  f.addEventListener('submit', (e) => e.preventDefault());
  f.addEventListener('change', () => {
    const valeurs = {};
    for (const e of f.elements) if (e.name && e.value) valeurs[e.name] = e.value;
    try { localStorage.setItem(CLE_PROFIL, JSON.stringify(valeurs)); } catch { /* private browsing */ }
    const n = Object.keys(valeurs).length;
    resumerProfil($('profil-resume'), n);
    reinterroger();
  });
  $('profil-effacer').addEventListener('click', () => {
    f.reset();
    f.dispatchEvent(new Event('change'));
  });
  f.dispatchEvent(new Event('change'));
}

// reinterroger asks the server again about the place shown, once the profile or
// the profession has changed, without moving the map or adding to the history.
function reinterroger() {
  const s = etat.selection;
  const ou = { cadrer: false, historique: false, garderFocus: true };
  if (s && s.commune) choisirCommune(s.commune, ou);
  else if (s && s.adresse) choisirAdresse(s.adresse, ou);
  else if (s && s.lat !== undefined) choisirPoint({ lat: s.lat, lng: s.lon }, ou);
}

// ----- Geolocation -----

function initGeolocalisation() {
  const b = $('geolocaliser');
  if (!('geolocation' in navigator)) { b.hidden = true; return; }
  b.addEventListener('click', () => {
    b.disabled = true;
    annoncer('Recherche de votre position…');
    navigator.geolocation.getCurrentPosition((pos) => {
      b.disabled = false;
      const ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      choisirPoint(ll).then(() => viser(ll, Math.max(etat.carte.getZoom(), 13)));
    }, (err) => {
      b.disabled = false;
      afficherErreur(err.code === 1 ? 'Géolocalisation refusée : autorisez-la dans votre navigateur, ou cherchez une adresse.' : 'Position introuvable : cherchez une adresse ou cliquez sur la carte.');
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
}

// ----- Start -----

async function demarrer() {
  const carte = L.map('carte', {
    zoomSnap: 1, minZoom: 3, maxZoom: 18, worldCopyJump: true, keyboardPanDelta: 120,
    zoomControl: false, attributionControl: true, preferCanvas: true,
  });
  etat.carte = carte;
  L.control.zoom({ position: 'topleft', zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(carte);
  carte.attributionControl.setPrefix(false);
  carte.fitBounds(FRANCE);

  const url = lireURL();
  if (url.lat !== undefined) carte.setView([url.lat, url.lon], url.zoom);
  else if (url.zoom !== undefined) carte.setZoom(url.zoom);

  carte.on('click', (e) => choisirPoint(e.latlng));
  carte.getContainer().addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target === carte.getContainer()) {
      e.preventDefault();
      choisirPoint(carte.getCenter());
    }
  });
  carte.on('moveend', () => mettreAJourURL(false));
  window.addEventListener('popstate', () => appliquerURL(lireURL(), false));
  $('panneau-fermer').addEventListener('click', () => fermerPanneau());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('panneau').hidden && !e.target.closest('#barre')) fermerPanneau();
  });
  $('territoire').addEventListener('change', (e) => { allerAuTerritoire(e.target.value); e.target.value = ''; });
  $('legende-bouton').addEventListener('click', () => {
    const l = $('legende');
    const ouvrir = l.classList.toggle('legende-ouverte');
    $('legende-bouton').setAttribute('aria-expanded', String(ouvrir));
  });

  feuille.init();
  initTravailleurs();
  initRecherche();
  initProfil();
  initGeolocalisation();

  initJour(url.date);
  initProfession(url.profession);
  let infos;
  let avis = url.inconnue === undefined ? '' : `Profession « ${url.inconnue} » inconnue\u00a0: carte des ${nomComplet(KINE)}`;
  if (avis) afficherErreur(avis);
  try {
    infos = await lireInfos(etat.profession);
  } catch (err) {
    if (etat.profession === KINE) {
      afficherErreur(`Carte indisponible : ${err.message}`);
      return;
    }
    // A link naming a profession this server has no data for opens the kiné's map
    // and says why.
    const absente = etat.profession;
    afficherErreur(messageIndisponible(absente, err));
    poserProfession(KINE);
    url.profession = KINE;
    if (!nommeUnLieu(url)) mettreAJourURL(false);
    try {
      infos = await lireInfos(KINE);
    } catch (err2) {
      afficherErreur(`Carte indisponible : ${err2.message}`);
      return;
    }
    avis = messageIndisponible(absente, err, infos);
    afficherErreur(avis);
  }
  etat.infos = infos;
  if (!etat.jour) {
    // The server's today, which may not be this browser's.
    etat.aujourdhui = infos.date;
    poserJour('');
  }
  rendreLegende(infos);
  marquerDisponibles(infos);
  if (infos.base_map) {
    etat.fond = L.tileLayer(infos.base_map.url, { attribution: infos.base_map.attribution, maxZoom: 19, subdomains: 'abc' }).addTo(carte);
    document.body.classList.add('avec-fond');
  } else {
    document.body.classList.add('sans-fond');
  }
  poserCouches(infos, true);
  $('profession').disabled = false;
  if (nommeUnLieu(url)) await appliquerURL(url, false);
  // Said again once the place is shown: its lookup cleared the message.
  if (avis) {
    afficherErreur(avis);
    annoncer(avis);
  }
}

// nomComplet names a profession's practitioners in full: « masseurs-kinésithérapeutes ».
function nomComplet(profession) {
  const p = PROFESSIONS[profession];
  return p.long || p.pluriel;
}

// messageIndisponible says why the map of a profession cannot be drawn. When the
// data served lacks it, the professions it has are named as the page names them,
// from the availability the map's description gives (infos), not by their slugs.
function messageIndisponible(profession, err, infos) {
  const debut = `Zonage des ${PROFESSIONS[profession].pluriel} indisponible\u00a0: `;
  const absente = err.status === 404 && err.probleme && /\/profession-absente$/.test(err.probleme.type || '');
  if (!absente || !infos || !Array.isArray(infos.professions)) return debut + err.message;
  const noms = infos.professions.filter((x) => x.available)
    .map((x) => (Object.hasOwn(PROFESSIONS, x.slug) ? nomComplet(x.slug) : x.plural || x.label || x.slug));
  return `${debut}les données servies ne le contiennent pas${noms.length ? `\u00a0; professions disponibles\u00a0: ${noms.join(', ')}` : ''}.`;
}

// nommeUnLieu says whether a link names a place to answer for, not only a view.
function nommeUnLieu(url) {
  return Boolean(url.commune || url.adresse || (url.lat !== undefined && !url.vue));
}

// lireInfos asks the server what the map of a profession is drawn from, on the
// day shown.
function lireInfos(profession) {
  const p = new URLSearchParams();
  if (profession !== KINE) p.set('profession', profession);
  if (etat.jour) p.set('date', etat.jour);
  const q = p.toString();
  return lireJSON(q ? `/api/v1/map?${q}` : '/api/v1/map');
}

// ----- Day -----

// aujourdhuiLocal is today in this browser, until the server's map says its own.
function aujourdhuiLocal() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// jourValide says whether s is a real day written AAAA-MM-JJ, from 2000 on: a
// date field being typed in passes through years like 0002.
function jourValide(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || s < '2000-01-01') return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// poserJour shows a day in the date field and, when it is not today, says so
// over the map and in the field's colour.
function poserJour(jour) {
  etat.jour = jour;
  $('jour').value = jour || etat.aujourdhui;
  document.body.classList.toggle('jour-autre', Boolean(jour));
  document.body.dataset.jour = jour || 'aujourdhui';
  direJour();
}

// direJour says over the map which day is shown when it is not today. The other
// professions' export dates no arrêté: their map is the same whatever the day,
// and the notice says that rather than a zonage « in force » on the day.
function direJour() {
  const jour = etat.jour;
  $('jour-avis').hidden = !jour;
  let texte = '';
  if (jour && etat.profession === KINE) texte = `Zonage en vigueur le ${formatDate(jour)}, pas aujourd'hui.`;
  else if (jour) texte = `Jour choisi : ${formatDate(jour)}. L'export du zonage des ${PROFESSIONS[etat.profession].pluriel} ne date pas les arrêtés : la carte est la même quel que soit le jour.`;
  $('jour-avis-texte').textContent = texte;
}

function initJour(jour) {
  etat.aujourdhui = aujourdhuiLocal();
  poserJour(jour === etat.aujourdhui ? '' : jour);
  const champ = $('jour');
  let minuterie = 0;
  // Typing a date changes it digit by digit: the map follows once the typing stops.
  champ.addEventListener('change', () => {
    clearTimeout(minuterie);
    minuterie = setTimeout(() => {
      const v = champ.value;
      if (!v) changerJour('');
      else if (jourValide(v)) changerJour(v);
    }, 400);
  });
  $('jour-aujourdhui').addEventListener('click', () => { changerJour(''); champ.focus(); });
}

// changerJour redraws the map for the zonage in force on a day ('' : today), and
// answers the open panel again for it. A day the server refuses leaves the map
// as it was and says why.
function changerJour(jour, options = {}) {
  const j = jour === etat.aujourdhui ? '' : jour;
  if (j === etat.jour) { poserJour(j); return null; }
  const avant = etat.jour;
  poserJour(j);
  if (options.historique !== false) mettreAJourURL(true);
  return rechargerJour(avant, options);
}

// rechargerJour draws the map of the day shown; avant is the day to go back to
// if the server cannot answer.
function rechargerJour(avant, options = {}) {
  return recharger({
    revenir: () => poserJour(avant),
    indisponible: (err) => `Zonage ${etat.jour ? `du ${formatDate(etat.jour)}` : "d'aujourd'hui"} indisponible : ${err.message}`,
    annonce: (infos) => `Carte du zonage en vigueur le ${formatDate(infos.date)}`,
  }, options);
}

// recharger draws the map of the profession and day shown, once either changed.
// If the server cannot answer, the map stays as it was: revenir puts back what
// changed and indisponible(err) says why; annonce(infos) is read out once drawn.
async function recharger({ revenir, indisponible, annonce }, options = {}) {
  const dessin = document.body.dataset.carte;
  document.body.dataset.carte = 'chargement';
  afficherErreur('');
  const n = ++etat.demandeInfos;
  let infos;
  try {
    infos = await lireInfos(etat.profession);
  } catch (err) {
    if (n !== etat.demandeInfos) return;
    const texte = indisponible(err);
    revenir();
    document.body.dataset.carte = dessin;
    mettreAJourURL(false);
    afficherErreur(texte);
    annoncer(texte);
    return;
  }
  if (n !== etat.demandeInfos) return;
  etat.infos = infos;
  if (!etat.jour) etat.aujourdhui = infos.date;
  rendreLegende(infos);
  marquerDisponibles(infos);
  poserCouches(infos);
  annoncer(annonce(infos));
  if (options.reinterroger !== false) reinterroger();
}

// poserCouches draws the choropleth of infos (a profession's classes) and the
// département borders. Changing profession draws the new colours over the old ones
// and removes the old once the new are all drawn, so the map never goes blank.
function poserCouches(infos, premier = false) {
  if (!infos.tiles) return;
  const carte = etat.carte;
  const n = ++etat.couches;
  document.body.dataset.carte = 'chargement';
  // Only the tiles over France are asked for: a view of metropolitan France
  // covers twice as many tiles of sea and neighbours, and a browser opens six
  // connections per server.
  const zones = infos.territories.map((t) => L.latLngBounds([t.bounds[1], t.bounds[0]], [t.bounds[3], t.bounds[2]]).pad(0.02));
  const options = { maxNativeZoom: infos.max_zoom, maxZoom: 18, updateWhenZooming: false, keepBuffer: 3, zones };
  if (etat.choroplethe) etat.anciennes.push(etat.choroplethe);
  const choroplethe = new CoucheTuiles(infos.tiles.communes, {
    ...options, opacity: infos.base_map ? 0.72 : 1, attribution: 'Zonage : ARS, CartoSanté ; contours : IGN ADMIN EXPRESS',
  });
  etat.choroplethe = choroplethe;
  choroplethe.once('load', () => {
    if (n !== etat.couches) return;
    // The new tiles fade in: the old ones go once they have.
    const anciennes = etat.anciennes;
    etat.anciennes = [];
    setTimeout(() => anciennes.forEach((c) => c.remove()), 400);
    if (premier) {
      // The first complete drawing of the map: read by the performance measure.
      performance.mark('zonage-carte-peinte');
      window.zonagePremierAffichage = performance.now();
    }
    document.body.dataset.carte = 'prete';
    // The borders come second, so that their tiles do not queue before the colours.
    // Borders and names come more detailed than the colours: enlarged, their
    // lines and letters would blur and thicken.
    const gabarit = infos.tiles.departements;
    if (etat.limites && etat.limites.gabarit === gabarit) return;
    if (etat.limites) etat.limites.couche.remove();
    const natif = (infos.max_zoom_layers && infos.max_zoom_layers.departements) || infos.max_zoom;
    const limites = new CoucheTuiles(gabarit, { ...options, maxNativeZoom: natif, zIndex: 2 });
    etat.limites = { gabarit, couche: limites };
    document.body.dataset.limites = 'chargement';
    limites.once('load', () => { if (etat.limites && etat.limites.couche === limites) document.body.dataset.limites = 'pretes'; });
    limites.addTo(carte);
  });
  choroplethe.addTo(carte);
}

// ----- Profession -----

// initProfession sets the select to the link's profession and follows its
// changes, once the first map is set up: until then there is none to change.
function initProfession(profession) {
  poserProfession(profession);
  $('profession').disabled = true;
  $('profession').addEventListener('change', (e) => changerProfession(e.target.value));
}

// poserProfession shows a profession in the header, the legend and the titles,
// and the kiné's profile only to a kiné.
function poserProfession(profession) {
  etat.profession = profession;
  const p = PROFESSIONS[profession];
  $('profession').value = profession;
  $('profession-court').textContent = p.court;
  $('titre-profession').textContent = ` des ${p.pluriel}`;
  // « chirurgiens-dentistes » wraps as a whole, not at its hyphen.
  $('legende-titre').replaceChildren('Zonage des ', el('span', { class: 'insecable' }, p.pluriel));
  document.body.dataset.profession = profession;
  direJour();
  const kine = profession === KINE;
  // The batch page classes for the profession of the map it is opened from.
  document.querySelector('.lien-lot').href = kine ? '/lot' : `/lot?profession=${encodeURIComponent(profession)}`;
  $('profil-bouton').hidden = !kine;
  if (!kine && !$('profil').hidden) {
    $('profil').hidden = true;
    $('profil-bouton').setAttribute('aria-expanded', 'false');
  }
  if ($('panneau').hidden) document.title = titrePage();
}

function titrePage() {
  const p = PROFESSIONS[etat.profession];
  return `Zonage des ${p.long || p.pluriel} — carte`;
}

// marquerDisponibles disables the professions the server has no data for; a link
// naming one says why when it is opened.
function marquerDisponibles(infos) {
  if (!Array.isArray(infos.professions)) return;
  for (const option of $('profession').options) {
    const p = infos.professions.find((x) => x.slug === option.value);
    option.disabled = Boolean(p) && p.available === false && option.value !== etat.profession;
  }
}

// changerProfession redraws the map for a profession: its classes in the legend,
// its colours, and the open panel answered again for it. A profession the server
// cannot answer for leaves the map as it was and says why.
function changerProfession(profession, options = {}) {
  if (!Object.hasOwn(PROFESSIONS, profession) || profession === etat.profession) return null;
  const avant = etat.profession;
  poserProfession(profession);
  if (options.historique !== false) mettreAJourURL(true);
  return recharger({
    revenir: () => poserProfession(avant),
    indisponible: (err) => messageIndisponible(profession, err, etat.infos),
    annonce: () => `Carte du zonage des ${PROFESSIONS[profession].pluriel}`,
  }, options);
}

function fermerPanneau(options = {}) {
  const ouvert = !$('panneau').hidden;
  $('panneau').hidden = true;
  document.body.classList.remove('panneau-ouvert');
  nettoyerSurlignage();
  if (etat.unite) etat.unite.remove();
  etat.unite = null;
  enleverRepere();
  etat.selection = null;
  etat.demande++;
  document.title = titrePage();
  if (options.ecrire !== false) mettreAJourURL(true);
  etat.carte.invalidateSize();
  if (ouvert && options.ecrire !== false) etat.carte.getContainer().focus();
}

demarrer();
