// The batch page: a CSV sent to POST /api/v1/classify, its answer read as it
// streams back. Only counts, the first rows and the rows to check are kept, so a
// file of millions of rows costs the page no more than one of ten. Before that,
// POST /api/v1/classify/preview reads the start of the file as the server will,
// so the columns it guessed are shown and can be changed.
import './style.css';
import { el, formatNombre, pastille, KINE } from './common.js';

const $ = (id) => document.getElementById(id);

// Rows shown at the top of the result, and rows to check kept at most.
const APERCU = 10;
const A_VERIFIER = 200;
// Bytes of the file read for the preview of its columns.
const DEBUT = 64 * 1024;

// The columns the server adds, in its order.
const ZONAGE = ['zonage_commune_code', 'zonage_commune_nom', 'zonage_categorie', 'zonage_libelle',
  'zonage_statut', 'zonage_precision', 'zonage_score', 'zonage_message'];

const CATEGORIES = [
  ['tres_sous_dotee', 'très sous-dotée'],
  ['sous_dense', 'sous-dense'],
  ['sous_dotee', 'sous-dotée'],
  ['intermediaire', 'intermédiaire'],
  ['non_prioritaire', 'non prioritaire'],
  ['tres_dotee', 'très dotée'],
  ['sur_dotee', 'sur-dotée'],
  ['non_disponible', 'résultat non disponible'],
  ['ambigu', 'ambiguë, à préciser'],
  ['', 'sans commune'],
];
const STATUTS = [
  ['ok', 'trouvée', 'trouvées'],
  ['ambigu', 'ambiguë', 'ambiguës'],
  ['introuvable', 'introuvable', 'introuvables'],
  ['erreur', 'erreur de saisie', 'erreurs de saisie'],
];
const PRECISIONS = { adresse: 'à l\'adresse', commune: 'à la commune', coordonnees: 'aux coordonnées' };

// ROLES are the columns the server reads, by the parameter that names each and
// the key of the preview's "roles".
const ROLES = [
  ['columns', 'address', 'Adresse complète'],
  ['street', 'street', 'Numéro et voie'],
  ['postcode', 'postcode', 'Code postal'],
  ['city', 'city', 'Commune (nom)'],
  ['citycode', 'citycode', 'Code INSEE'],
  ['lat', 'lat', 'Latitude'],
  ['lon', 'lon', 'Longitude'],
];
// AUCUNE is the server's word for "no column plays this role".
const AUCUNE = '-';

const pluriel = (n, un, plusieurs) => `${formatNombre(n)} ${n > 1 ? plusieurs : un}`;

// LecteurCSV splits CSV text given in pieces into records, quotes included
// (RFC 4180: a field in double quotes may hold the delimiter, newlines and "").
export class LecteurCSV {
  constructor(surLigne) {
    this.surLigne = surLigne;
    this.sep = null;
    this.champ = '';
    this.ligne = [];
    this.guillemets = false;
    this.apresGuillemet = false;
    this.tete = '';
  }

  // lire takes the next piece of text.
  lire(texte) {
    if (this.sep === null) {
      // The delimiter is the one before the first zonage_ column of the header.
      this.tete += texte;
      const fin = this.tete.indexOf('\n');
      if (fin < 0 && this.tete.length < 1 << 20) return;
      const premiere = fin < 0 ? this.tete : this.tete.slice(0, fin);
      // Excel's "sep=;" line declares the delimiter; the header follows it.
      const declaration = /^\ufeff?sep=([^\r\n])\r?$/i.exec(premiere);
      if (declaration && fin >= 0) {
        this.sep = declaration[1];
        texte = this.tete.slice(fin + 1);
        this.tete = '';
        return this.lire(texte);
      }
      const i = premiere.indexOf('zonage_commune_code');
      this.sep = i > 0 ? premiere[i - 1] : [';', ',', '\t', '|'].reduce((a, b) => (premiere.split(b).length > premiere.split(a).length ? b : a));
      texte = this.tete;
      this.tete = '';
    }
    const sep = this.sep;
    for (let i = 0; i < texte.length; i++) {
      const c = texte[i];
      if (this.guillemets) {
        if (c === '"') { this.guillemets = false; this.apresGuillemet = true; } else this.champ += c;
        continue;
      }
      if (c === '"') {
        if (this.apresGuillemet) this.champ += '"'; // "" inside quotes
        this.guillemets = true;
        this.apresGuillemet = false;
        continue;
      }
      this.apresGuillemet = false;
      if (c === sep) { this.ligne.push(this.champ); this.champ = ''; }
      else if (c === '\n') { this.finirLigne(); }
      else if (c !== '\r') this.champ += c;
    }
  }

  finirLigne() {
    this.ligne.push(this.champ);
    this.champ = '';
    const l = this.ligne;
    this.ligne = [];
    if (l.length === 1 && l[0] === '') return;
    this.surLigne(l);
  }

  fin() {
    if (this.sep === null) {
      const t = this.tete;
      this.tete = '';
      if (t) this.lire(`${t}\n`);
      return;
    }
    if (this.champ !== '' || this.ligne.length) this.finirLigne();
  }
}

// compterLignes counts the lines of the file by reading it in pieces, to give the
// progress a total; quoted newlines make it an upper bound.
async function compterLignes(fichier) {
  let n = 0;
  let dernier = 10;
  const lecteur = fichier.stream().getReader();
  for (;;) {
    const { done, value } = await lecteur.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) n++;
    dernier = value[value.length - 1];
  }
  return dernier === 10 ? n : n + 1;
}

function erreur(texte) {
  $('erreur').textContent = texte;
  $('erreur').hidden = !texte;
}

// lireProbleme gives the French detail of a failed answer.
async function lireProbleme(r) {
  try {
    const p = await r.json();
    if (p && p.detail) return p.detail;
  } catch { /* not a problem document */ }
  return `erreur ${r.status}`;
}

// ----- Columns -----

// etatColonnes numbers the previews asked, so that only the last one is shown.
const etatColonnes = { demande: 0 };

function nomColonne(entete, i) {
  return entete[i] && entete[i].trim() ? entete[i] : `colonne ${i + 1}`;
}

function exemple(v) {
  const t = (v || '').trim();
  if (!t) return '';
  return ` (ex. « ${t.length > 30 ? `${t.slice(0, 29)}…` : t} »)`;
}

// apercu asks the server how it reads the start of the file; with choix, the
// columns chosen in the form go along, so the server checks them.
async function apercu(form, fichier, choix) {
  const n = ++etatColonnes.demande;
  const donnees = new FormData();
  donnees.append('data', fichier.slice(0, DEBUT), fichier.name);
  for (const nom of ['delimiter', 'encoding']) if (form.elements[nom].value) donnees.append(nom, form.elements[nom].value);
  if (form.elements.no_header.checked) donnees.append('no_header', 'true');
  if (choix) for (const [param] of ROLES) if (form.elements[param]) donnees.append(param, form.elements[param].value);
  const zone = $('colonnes');
  zone.hidden = false;
  zone.setAttribute('aria-busy', 'true');
  $('colonnes-etat').textContent = 'Lecture des colonnes…';
  let p;
  try {
    const r = await fetch('/api/v1/classify/preview', { method: 'POST', body: donnees });
    if (!r.ok) throw new Error(await lireProbleme(r));
    p = await r.json();
  } catch (err) {
    if (n !== etatColonnes.demande) return;
    zone.removeAttribute('aria-busy');
    $('colonnes-etat').textContent = '';
    $('colonnes-choix').replaceChildren();
    montrerProbleme(`Lecture du fichier impossible : ${err.message}`);
    return;
  }
  if (n !== etatColonnes.demande) return;
  zone.removeAttribute('aria-busy');
  const sep = { ';': 'point-virgule', ',': 'virgule', tab: 'tabulation', '|': 'barre verticale' }[p.delimiter] || `« ${p.delimiter} »`;
  const reconnues = ROLES.filter(([, cle]) => p.roles[cle]).length;
  const encodage = { 'utf-8': 'UTF-8', 'windows-1252': 'Windows-1252', 'utf-16': 'UTF-16 (rendu en UTF-8)' }[p.encoding] || p.encoding;
  $('colonnes-etat').textContent = `Séparateur ${sep}, encodage ${encodage}, ${pluriel(p.header.length, 'colonne', 'colonnes')}. `
    + (choix ? 'Colonnes choisies :' : `${reconnues ? `Colonnes reconnues par leur nom, à corriger au besoin :` : 'Aucune colonne reconnue par son nom.'}`)
    + (p.notes.length ? ` ${p.notes.join(' ; ')}.` : '');
  // The server's « désignez les colonnes » becomes the pickers right below.
  const designer = /\s*:\s*désignez les colonnes.*$/;
  montrerProbleme(!p.problem ? '' : designer.test(p.problem)
    ? `${p.problem.replace(designer, '')}. Choisissez ci-dessous les colonnes à lire.`
    : `${p.problem}.`);
  // The server checked the choices as they stand: they stay as the person set them.
  if (choix) return;
  const premiere = p.rows[0] || [];
  $('colonnes-choix').replaceChildren(...ROLES.map(([param, cle, libelle]) => {
    const choisie = p.roles[cle] ? String(p.roles[cle]) : AUCUNE;
    const select = el('select', { name: param, id: `colonne-${param}` },
      el('option', { value: AUCUNE }, 'aucune'),
      p.header.map((h, i) => el('option', { value: String(i + 1) }, `${nomColonne(p.header, i)}${exemple(premiere[i])}`)));
    select.value = choisie;
    const etiquette = el('label', { class: choisie === AUCUNE ? 'colonne-vide' : 'colonne-lue' }, libelle, select);
    select.addEventListener('change', () => {
      etiquette.className = select.value === AUCUNE ? 'colonne-vide' : 'colonne-lue';
      apercu(form, fichier, true);
    });
    return etiquette;
  }));
}

function montrerProbleme(texte) {
  $('colonnes-probleme').textContent = texte;
  $('colonnes-probleme').hidden = !texte;
}

// ----- Result tables -----

function tableau(table, entetes, lignes, pied) {
  // An empty cell ("—") is left out of a phone's card.
  const cellules = (l) => l.map((v, i) => el('td', {
    class: [entetes[i].nombre ? 'nombre' : '', v === '—' ? 'vide' : ''].join(' ').trim() || null, 'data-etiquette': entetes[i].texte || entetes[i],
  }, v));
  table.replaceChildren(
    el('thead', {}, el('tr', {}, entetes.map((h) => el('th', { scope: 'col', class: h.nombre ? 'nombre' : null }, h.texte || h)))),
    el('tbody', {}, lignes.map((l) => el('tr', {}, cellules(l)))),
    ...(pied ? [el('tfoot', {}, el('tr', {}, cellules(pied)))] : []));
}

// comptes draws a count table: one row per class with its share as a bar, and the
// total, which is the number of rows of the file.
function comptes(table, titre, lignes, total) {
  const part = (n) => `${(Math.round((1000 * n) / total) / 10).toLocaleString('fr-FR')} %`;
  tableau(table, [titre, { texte: 'Lignes', nombre: true }, { texte: 'Part', nombre: true }],
    lignes.map(({ classe, libelle, n }) => {
      const barre = classe === null ? el('span', { class: 'barre-remplie barre-neutre', 'aria-hidden': 'true' }) : pastille(classe);
      barre.classList.add('barre-remplie');
      barre.classList.remove('pastille');
      barre.style.width = `${Math.max(1, (100 * n) / total)}%`;
      return [libelle, formatNombre(n), el('span', { class: 'part' }, el('span', { class: 'barre-part', 'aria-hidden': 'true' }, barre), part(n))];
    }),
    ['Total', formatNombre(total), '100 %']);
}

// messageCourt keeps what a row's message says first: the line number is in its
// own column, and the full text is one tap away.
function messageCourt(m) {
  let t = (m || '').replace(/^ligne \d+ : /, '');
  if (t.length <= 90) return t;
  const i = t.indexOf(' : ');
  if (i >= 20 && i <= 90) return `${t.slice(0, i)}…`;
  t = t.slice(0, 80);
  return `${t.slice(0, Math.max(40, t.lastIndexOf(' ')))}…`;
}

// ligneAffichee makes the cells of a result row: number, commune (a link to the
// map), category, status and message, the full message and the row's own cells
// folded under « Détail ».
function ligneAffichee(r) {
  const commune = r.code
    ? el('a', { href: `/?commune=${encodeURIComponent(r.code)}` }, r.nom ? `${r.nom} (${r.code})` : r.code)
    : '—';
  let categorie = '—';
  if (r.categorie) {
    const libelle = r.libelle || (CATEGORIES.find(([k]) => k === r.categorie) || [])[1] || r.categorie;
    categorie = el('span', { class: 'avec-pastille' }, pastille(r.categorie), libelle);
  } else if (r.statut === 'ambigu') {
    categorie = el('span', { class: 'avec-pastille' }, pastille('ambigu'), 'à préciser');
  }
  const st = STATUTS.find(([k]) => k === r.statut);
  const statut = `${st ? st[1] : r.statut || '—'}${r.statut === 'ok' && PRECISIONS[r.precision] ? ` ${PRECISIONS[r.precision]}` : ''}`;
  // A row found says again its commune and category: only other news is kept.
  const redite = r.statut === 'ok' && r.message === `${r.nom} (${r.code}) : ${r.libelle}`;
  const court = redite ? '' : messageCourt(r.message);
  const detail = el('details', { class: 'detail-ligne' },
    el('summary', {}, 'Détail', el('span', { class: 'visuellement-cache' }, ` de la ligne ${r.n}`)),
    r.message && r.message !== court && !redite ? el('p', {}, r.message) : null,
    el('dl', { class: 'contenu-ligne' }, r.contenu.flatMap(([nom, v]) => [el('dt', {}, nom), el('dd', {}, v === '' ? '(vide)' : v)])));
  return [String(r.n), commune, categorie, statut, el('div', {}, court ? el('p', { class: 'message-court' }, court) : null, detail)];
}

const COLONNES_LIGNES = [{ texte: 'Ligne', nombre: true }, 'Commune', 'Catégorie', 'Statut', 'Message'];

// ----- Classification -----

// initProfession preselects the profession a link names (the map's « Fichier »
// link names its own) and keeps the link and the way back to the map on the
// profession chosen.
function initProfession() {
  const choix = $('profession');
  // Read as the server reads it, whatever its case and spaces around it.
  const brute = (new URLSearchParams(location.search).get('profession') || '').trim();
  const voulue = brute.toLowerCase();
  if (voulue && [...choix.options].some((o) => o.value === voulue)) choix.value = voulue;
  else if (voulue) {
    // An unknown one leaves the kinés' chosen, as on the map, and says so.
    avisProfession(choix, `Profession « ${brute.length > 60 ? `${brute.slice(0, 60)}…` : brute} » inconnue : le fichier sera classé pour les ${choix.selectedOptions[0].textContent}.`);
  }
  const suivre = () => {
    const p = choix.value;
    const url = new URL(location.href);
    if (p === KINE) url.searchParams.delete('profession');
    else url.searchParams.set('profession', p);
    history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    // The map has no « all »: it opens on the kinés'.
    $('retour-carte').href = p === KINE || p === 'all' ? '/' : `/?profession=${encodeURIComponent(p)}`;
  };
  choix.addEventListener('change', suivre);
  suivre();
  marquerDisponibles(choix, suivre);
}

// marquerDisponibles asks the map's description which professions the data served
// has, and disables the others, « toutes » unless every one is there: a file sent
// for a profession the data lacks would only be refused once uploaded. A link's
// profession the data lacks leaves the kinés' chosen, and the page says so beside
// the choice. Should the question fail, every choice stays open and the server
// answers for itself.
async function marquerDisponibles(choix, suivre) {
  let professions;
  try {
    const r = await fetch('/api/v1/map', { headers: { Accept: 'application/json' } });
    if (r.ok) professions = (await r.json()).professions;
  } catch {
    professions = undefined;
  }
  if (Array.isArray(professions)) {
    const disponible = (slug) => professions.some((x) => x.slug === slug && x.available);
    const toutes = professions.every((x) => x.available);
    for (const option of choix.options) {
      option.dataset.nom ??= option.textContent;
      option.disabled = option.value === 'all' ? !toutes : option.value !== KINE && !disponible(option.value);
      option.textContent = option.disabled ? `${option.dataset.nom} — pas de données` : option.dataset.nom;
    }
    const choisie = choix.selectedOptions[0];
    if (choisie && choisie.disabled) {
      const absente = choisie.value === 'all' ? 'de toutes les professions' : `des ${choisie.dataset.nom}`;
      choix.value = KINE;
      suivre();
      avisProfession(choix, `Les données servies ne contiennent pas le zonage ${absente} : le fichier sera classé pour les ${choix.selectedOptions[0].textContent}.`);
    }
  }
  document.body.dataset.professions = Array.isArray(professions) ? 'pretes' : 'inconnues';
}

// avisProfession says, under the choice of profession, why the link's is not the
// one chosen; once another choice is made it no longer applies.
function avisProfession(choix, texte) {
  const avis = $('profession-avis');
  avis.textContent = texte;
  avis.hidden = false;
  choix.addEventListener('change', () => { avis.hidden = true; }, { once: true });
}

function demarrer() {
  const form = $('formulaire');
  const champ = $('fichier');
  const depot = $('depot');
  let enCours = null;
  initProfession();

  const choisi = () => {
    const f = champ.files[0];
    $('fichier-nom').textContent = f ? `Fichier choisi : ${f.name} (${formatNombre(Math.ceil(f.size / 1024))} Ko)` : '';
    if (f) apercu(form, f, false);
    else $('colonnes').hidden = true;
  };
  champ.addEventListener('change', choisi);
  for (const nom of ['delimiter', 'encoding', 'no_header']) {
    form.elements[nom].addEventListener('change', () => { if (champ.files[0]) apercu(form, champ.files[0], false); });
  }
  for (const ev of ['dragenter', 'dragover']) {
    depot.addEventListener(ev, (e) => { e.preventDefault(); depot.classList.add('survol'); });
  }
  for (const ev of ['dragleave', 'drop']) depot.addEventListener(ev, () => depot.classList.remove('survol'));
  depot.addEventListener('drop', (e) => {
    e.preventDefault();
    if (!e.dataTransfer.files.length) return;
    // The dropped file goes into the form's field, so that the downloads can send it.
    champ.files = e.dataTransfer.files;
    choisi();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!champ.files.length) { erreur('Choisissez d\'abord un fichier CSV.'); champ.focus(); return; }
    if (enCours) enCours.abort();
    enCours = new AbortController();
    classer(form, champ.files[0], enCours.signal);
  });
  // A native form post: the browser writes the streamed answer to disk itself.
  $('telecharger').addEventListener('click', () => form.submit());
  $('telecharger-a-verifier').addEventListener('click', () => {
    const statuts = el('input', { type: 'hidden', name: 'status', value: 'ambigu,introuvable,erreur' });
    form.append(statuts);
    form.submit();
    statuts.remove();
  });
}

async function classer(form, fichier, signal) {
  erreur('');
  const avancement = $('avancement');
  const texte = $('avancement-texte');
  const barre = $('progression');
  avancement.hidden = false;
  $('resultat').hidden = true;
  delete $('resultat').dataset.lignes;
  $('lancer').disabled = true;
  barre.removeAttribute('value');
  texte.textContent = 'Envoi du fichier…';

  const totalPromis = compterLignes(fichier).then((n) => Math.max(1, n - 1));
  // The form as it stands (file, separator, encoding, columns), as the downloads send it.
  const donnees = new FormData(form);
  donnees.set('data', fichier, fichier.name);
  // The page reads UTF-8 whatever the file's encoding; the downloads keep it.
  donnees.append('output_encoding', 'utf-8');

  const r = {
    lignes: 0, categories: {}, statuts: {}, apercu: [], aVerifier: [], nAVerifier: 0,
  };
  let entete = null;
  const col = {};
  let dernierAffichage = 0;
  let total = 0;
  totalPromis.then((n) => { total = n; });

  const afficher = (fini) => {
    if (total) {
      barre.max = total;
      barre.value = Math.min(r.lignes, total);
    }
    texte.textContent = fini
      ? `${pluriel(r.lignes, 'ligne classée', 'lignes classées')}.`
      : `${formatNombre(r.lignes)}${total ? ` sur environ ${formatNombre(total)}` : ''} ${r.lignes > 1 ? 'lignes classées' : 'ligne classée'}…`;
  };
  const lecteur = new LecteurCSV((l) => {
    if (!entete) {
      entete = l;
      // The added columns sit under their headers in every row: a short row is
      // padded to the header's width, a long row's extra cells come after them.
      l.forEach((h, i) => { if (!(h in col)) col[h] = i; });
      return;
    }
    r.lignes++;
    const v = (nom) => l[col[nom]] || '';
    const statut = v('zonage_statut');
    const categorie = v('zonage_categorie');
    const classe = categorie || (statut === 'ambigu' ? 'ambigu' : '');
    r.categories[classe] = (r.categories[classe] || 0) + 1;
    r.statuts[statut] = (r.statuts[statut] || 0) + 1;
    const aVerifier = statut !== 'ok';
    if (aVerifier) r.nAVerifier++;
    if (r.apercu.length < APERCU || (aVerifier && r.aVerifier.length < A_VERIFIER)) {
      const zonage = new Set(ZONAGE.map((c) => col[c]));
      const contenu = [];
      l.forEach((val, i) => {
        if (zonage.has(i)) return;
        contenu.push([i < entete.length ? nomColonne(entete, i) : `hors en-tête ${i + 1 - entete.length}`, val]);
      });
      const ligne = {
        n: r.lignes + 1, code: v('zonage_commune_code'), nom: v('zonage_commune_nom'), categorie, libelle: v('zonage_libelle'),
        statut, precision: v('zonage_precision'), message: v('zonage_message'), contenu,
      };
      if (r.apercu.length < APERCU) r.apercu.push(ligne);
      if (aVerifier && r.aVerifier.length < A_VERIFIER) r.aVerifier.push(ligne);
    }
    const t = performance.now();
    if (t - dernierAffichage > 120) { dernierAffichage = t; afficher(false); }
  });

  try {
    const rep = await fetch('/api/v1/classify', { method: 'POST', body: donnees, signal });
    if (!rep.ok) throw new Error(await lireProbleme(rep));
    texte.textContent = 'Classement…';
    const flux = rep.body.pipeThrough(new TextDecoderStream('utf-8')).getReader();
    for (;;) {
      const { done, value } = await flux.read();
      if (done) break;
      lecteur.lire(value);
    }
    lecteur.fin();
  } catch (err) {
    if (err.name === 'AbortError') return;
    erreur(`Classement impossible : ${err.message}`);
    avancement.hidden = true;
    $('lancer').disabled = false;
    return;
  }
  total = r.lignes;
  afficher(true);
  // The summary says it all from here.
  avancement.hidden = true;
  $('lancer').disabled = false;
  if (!entete || !ZONAGE.every((c) => c in col)) {
    erreur('La réponse du serveur ne contient pas les colonnes zonage_* attendues.');
    return;
  }
  montrerResultat(r);
}

function montrerResultat(r) {
  const s = $('resultat');
  s.hidden = false;
  s.dataset.lignes = String(r.lignes);
  s.dataset.aVerifier = String(r.nAVerifier);
  const ok = r.statuts.ok || 0;
  $('resume-total').textContent = `${pluriel(r.lignes, 'ligne classée', 'lignes classées')} : ${pluriel(ok, 'trouvée', 'trouvées')}, ${formatNombre(r.nAVerifier)} à vérifier.`;

  // The categories counted are those of zonage_categorie: the kinés' with « all ».
  const profession = $('profession');
  const choisie = profession.value === 'all' ? profession.options[0] : profession.selectedOptions[0];
  $('categories-titre').textContent = `Par catégorie (${choisie ? choisie.textContent : 'masseurs-kinésithérapeutes'})`;
  const categories = CATEGORIES.filter(([k]) => r.categories[k]).map(([k, l]) => ({ classe: k || null, libelle: l, n: r.categories[k] }));
  for (const k of Object.keys(r.categories)) {
    // A category this page does not know yet still counts.
    if (!CATEGORIES.some(([c]) => c === k)) categories.push({ classe: null, libelle: k, n: r.categories[k] });
  }
  comptes($('table-categories'), 'Catégorie', categories.map((c) => ({ ...c, libelle: c.classe ? el('span', { class: 'avec-pastille' }, pastille(c.classe), c.libelle) : c.libelle })), r.lignes);
  const statuts = STATUTS.filter(([k]) => r.statuts[k]).map(([k, l]) => ({ classe: null, libelle: l, n: r.statuts[k] }));
  for (const k of Object.keys(r.statuts)) {
    if (!STATUTS.some(([c]) => c === k)) statuts.push({ classe: null, libelle: k || 'sans statut', n: r.statuts[k] });
  }
  comptes($('table-statuts'), 'Statut', statuts, r.lignes);

  const bouton = $('telecharger-a-verifier');
  bouton.hidden = r.nAVerifier === 0;
  bouton.textContent = `Télécharger ${r.nAVerifier > 1 ? `les ${formatNombre(r.nAVerifier)} lignes` : 'la ligne'} à vérifier (CSV)`;
  const detail = STATUTS.filter(([k]) => k !== 'ok' && r.statuts[k]).map(([k, un, plusieurs]) => pluriel(r.statuts[k], un, plusieurs));
  const autres = r.nAVerifier - STATUTS.reduce((n, [k]) => n + (k !== 'ok' ? r.statuts[k] || 0 : 0), 0);
  if (autres) detail.push(pluriel(autres, 'sans statut', 'sans statut'));
  $('erreurs-resume').textContent = r.nAVerifier === 0
    ? 'Aucune : toutes les lignes ont trouvé leur commune.'
    : `${pluriel(r.nAVerifier, 'ligne', 'lignes')} à vérifier : ${detail.join(', ')}.${r.nAVerifier > r.aVerifier.length ? ` Les ${formatNombre(r.aVerifier.length)} premières sont ci-dessous ; toutes sont dans le fichier des lignes à vérifier.` : ''}`;
  $('table-erreurs').hidden = r.nAVerifier === 0;
  tableau($('table-erreurs'), COLONNES_LIGNES, r.aVerifier.map(ligneAffichee));
  tableau($('table-apercu'), COLONNES_LIGNES, r.apercu.map(ligneAffichee));
}

demarrer();
