// The batch page: a CSV sent to POST /api/v1/classify, its answer read as it
// streams back. Only counts, the first rows and the rows to check are kept, so a
// file of millions of rows costs the page no more than one of ten.
import './style.css';
import { COULEURS, HACHURES, el, formatNombre, pastille } from './common.js';

const $ = (id) => document.getElementById(id);

// Rows shown at the top of the result, and rows to check kept at most.
const APERCU = 10;
const A_VERIFIER = 200;

const CATEGORIES = [
  ['tres_sous_dotee', 'très sous-dotée'],
  ['sous_dotee', 'sous-dotée'],
  ['intermediaire', 'intermédiaire'],
  ['non_prioritaire', 'non prioritaire'],
  ['tres_dotee', 'très dotée'],
  ['sur_dotee', 'sur-dotée'],
  ['non_disponible', 'résultat non disponible'],
  ['', 'sans catégorie'],
];
const STATUTS = [
  ['ok', 'trouvée'],
  ['ambigu', 'ambiguë (commune nouvelle ou ville à arrondissements)'],
  ['introuvable', 'introuvable'],
  ['erreur', 'erreur de saisie'],
];

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

function tableau(table, entetes, lignes) {
  const cap = table.querySelector('caption');
  table.replaceChildren(...(cap ? [cap] : []),
    el('thead', {}, el('tr', {}, entetes.map((h) => el('th', { scope: 'col', class: h.nombre ? 'nombre' : null }, h.texte || h)))),
    el('tbody', {}, lignes.map((l) => el('tr', {}, l.map((v, i) => el('td', { class: entetes[i].nombre ? 'nombre' : null }, v))))));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, texte) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (texte !== undefined) e.textContent = texte;
  return e;
}

// graphique draws the counts per category as horizontal bars, patterns included;
// the table beside it says the same for screen readers.
function graphique(comptes, total) {
  const g = $('graphique');
  const titre = g.querySelector('title');
  const lignes = CATEGORIES.filter(([k]) => comptes[k]);
  const hauteur = 26;
  const gauche = 150;
  const largeur = 480;
  g.replaceChildren(titre);
  g.setAttribute('viewBox', `0 0 ${largeur} ${lignes.length * hauteur + 4}`);
  g.setAttribute('height', String(lignes.length * hauteur + 4));
  titre.textContent = `Lignes par catégorie : ${lignes.map(([k, l]) => `${l} ${comptes[k]}`).join(', ')}`;
  const defs = svg('defs', {});
  g.append(defs);
  const max = Math.max(1, ...lignes.map(([k]) => comptes[k]));
  lignes.forEach(([k, libelle], i) => {
    const y = i * hauteur + 2;
    let fond = COULEURS[k] || '#d9d9d9';
    if (HACHURES.has(k)) {
      const motif = svg('pattern', { id: `motif-${k}`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
      motif.append(svg('rect', { width: 6, height: 6, fill: '#fff' }), svg('rect', { width: 3, height: 6, fill: fond }));
      defs.append(motif);
      fond = `url(#motif-${k})`;
    }
    const w = Math.max(2, ((largeur - gauche - 70) * comptes[k]) / max);
    g.append(svg('text', { x: gauche - 6, y: y + 16, 'text-anchor': 'end' }, libelle),
      svg('rect', { x: gauche, y: y + 3, width: w, height: hauteur - 8, fill: fond, stroke: '#555', 'stroke-width': 0.6 }),
      svg('text', { x: gauche + w + 6, y: y + 16 }, `${formatNombre(comptes[k])} (${Math.round((100 * comptes[k]) / total)} %)`));
  });
}

function demarrer() {
  const form = $('formulaire');
  const champ = $('fichier');
  const depot = $('depot');
  let enCours = null;

  const montrerNom = () => {
    const f = champ.files[0];
    $('fichier-nom').textContent = f ? `Fichier choisi : ${f.name} (${formatNombre(Math.ceil(f.size / 1024))} Ko)` : '';
  };
  champ.addEventListener('change', montrerNom);
  for (const ev of ['dragenter', 'dragover']) {
    depot.addEventListener(ev, (e) => { e.preventDefault(); depot.classList.add('survol'); });
  }
  for (const ev of ['dragleave', 'drop']) depot.addEventListener(ev, () => depot.classList.remove('survol'));
  depot.addEventListener('drop', (e) => {
    e.preventDefault();
    if (!e.dataTransfer.files.length) return;
    // The dropped file goes into the form's field, so that the download can send it.
    champ.files = e.dataTransfer.files;
    montrerNom();
    form.requestSubmit();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!champ.files.length) { erreur('Choisissez d\'abord un fichier CSV.'); champ.focus(); return; }
    if (enCours) enCours.abort();
    enCours = new AbortController();
    classer(form, champ.files[0], enCours.signal);
  });
  $('telecharger').addEventListener('click', () => {
    // A native form post: the browser writes the streamed answer to disk itself.
    form.submit();
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
  const donnees = new FormData();
  donnees.append('data', fichier, fichier.name);
  for (const nom of ['delimiter', 'encoding']) if (form.elements[nom].value) donnees.append(nom, form.elements[nom].value);
  // The page reads UTF-8 whatever the file's encoding; the download keeps it.
  donnees.append('output_encoding', 'utf-8');

  const comptes = {};
  const statuts = {};
  const apercu = [];
  const aVerifier = [];
  let nAVerifier = 0;
  let entete = null;
  let col = {};
  let lignes = 0;
  let dernierAffichage = 0;
  let total = 0;
  totalPromis.then((n) => { total = n; });

  const afficher = (fini) => {
    if (total) {
      barre.max = total;
      barre.value = Math.min(lignes, total);
    }
    texte.textContent = fini
      ? `${formatNombre(lignes)} ligne${lignes > 1 ? 's' : ''} classée${lignes > 1 ? 's' : ''}.`
      : `${formatNombre(lignes)}${total ? ` sur environ ${formatNombre(total)}` : ''} lignes classées…`;
  };
  const lecteur = new LecteurCSV((l) => {
    if (!entete) {
      entete = l;
      l.forEach((h, i) => { col[h] = i; });
      return;
    }
    lignes++;
    const cat = l[col.zonage_categorie] || '';
    const st = l[col.zonage_statut] || '';
    comptes[cat] = (comptes[cat] || 0) + 1;
    statuts[st] = (statuts[st] || 0) + 1;
    if (apercu.length < APERCU) apercu.push(l);
    if (st === 'erreur' || st === 'introuvable' || st === 'ambigu') {
      nAVerifier++;
      if (aVerifier.length < A_VERIFIER) aVerifier.push([lignes + 1, l]);
    }
    const t = performance.now();
    if (t - dernierAffichage > 120) { dernierAffichage = t; afficher(false); }
  });

  try {
    const r = await fetch('/api/v1/classify', { method: 'POST', body: donnees, signal });
    if (!r.ok) {
      let detail = `erreur ${r.status}`;
      try { detail = (await r.json()).detail || detail; } catch { /* not a problem document */ }
      throw new Error(detail);
    }
    texte.textContent = 'Classement…';
    const flux = r.body.pipeThrough(new TextDecoderStream('utf-8')).getReader();
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
  total = lignes;
  afficher(true);
  $('lancer').disabled = false;
  if (!entete || col.zonage_statut === undefined) {
    erreur('La réponse du serveur ne contient pas les colonnes zonage_* attendues.');
    return;
  }
  montrerResultat({ lignes, comptes, statuts, apercu, aVerifier, nAVerifier, entete, col });
}

function montrerResultat(r) {
  const s = $('resultat');
  s.hidden = false;
  s.dataset.lignes = String(r.lignes);
  $('resume-total').textContent = `${formatNombre(r.lignes)} ligne${r.lignes > 1 ? 's' : ''} classée${r.lignes > 1 ? 's' : ''} ; ${formatNombre(r.statuts.ok || 0)} trouvée${(r.statuts.ok || 0) > 1 ? 's' : ''}, ${formatNombre(r.nAVerifier)} à vérifier.`;
  graphique(r.comptes, r.lignes);
  const nb = { texte: 'Lignes', nombre: true };
  const pc = { texte: 'Part', nombre: true };
  const part = (n) => `${(Math.round((1000 * n) / r.lignes) / 10).toLocaleString('fr-FR')} %`;
  tableau($('table-categories'), ['Catégorie', nb, pc], CATEGORIES.filter(([k]) => r.comptes[k])
    .map(([k, l]) => [el('span', {}, pastille(k), ' ', l), formatNombre(r.comptes[k]), part(r.comptes[k])]));
  tableau($('table-statuts'), ['Statut', nb, pc], STATUTS.filter(([k]) => r.statuts[k])
    .map(([k, l]) => [l, formatNombre(r.statuts[k]), part(r.statuts[k])]));

  const c = r.col;
  $('erreurs-resume').textContent = r.nAVerifier === 0
    ? 'Aucune : toutes les lignes ont trouvé leur commune.'
    : `${formatNombre(r.nAVerifier)} ligne${r.nAVerifier > 1 ? 's' : ''} à vérifier${r.nAVerifier > r.aVerifier.length ? ` ; les ${formatNombre(r.aVerifier.length)} premières sont affichées, toutes sont dans le fichier téléchargé` : ''}.`;
  tableau($('table-erreurs'), [{ texte: 'Ligne', nombre: true }, 'Statut', 'Message', 'Contenu'],
    r.aVerifier.map(([n, l]) => [String(n), l[c.zonage_statut], l[c.zonage_message], l.slice(0, c.zonage_commune_code).join(' ; ')]));
  const premieres = r.entete;
  tableau($('table-apercu'), premieres, r.apercu);
}

demarrer();
