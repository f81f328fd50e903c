// Shared by the map and the batch page: colours of the map classes, API calls,
// French formatting and DOM helpers.

// The professions whose zonage the server answers for, by slug (the values of
// the profession= parameter). pluriel and singulier name them in sentences; court
// is what a phone's header has room for; long names the kinés in full in titles.
export const PROFESSIONS = {
  'masseur-kinesitherapeute': { court: 'Kiné', pluriel: 'kinés', singulier: 'kiné', long: 'masseurs-kinésithérapeutes' },
  infirmier: { court: 'Infirmier', pluriel: 'infirmiers', singulier: 'infirmier' },
  orthophoniste: { court: 'Orthophoniste', pluriel: 'orthophonistes', singulier: 'orthophoniste' },
  'sage-femme': { court: 'Sage-femme', pluriel: 'sages-femmes', singulier: 'sage-femme' },
  'chirurgien-dentiste': { court: 'Chirurgien-dentiste', pluriel: 'chirurgiens-dentistes', singulier: 'chirurgien-dentiste' },
};

// KINE is the default profession: a query or a link that names none is a kiné's.
export const KINE = 'masseur-kinesitherapeute';

// Colours of the classes, from the most under-supplied to the most supplied: a
// viridis ramp, read in order by colour-blind users and in greyscale — sous-dense
// (orthophonistes) sits between très sous-dotée and sous-dotée on it — with a
// separate brick red for sur-dotée, apart from très dotée's green for the
// red-green colour-blind too, grey for "non disponible" and a hatching (not a
// colour) for the ambiguous communes nouvelles, grey hatching for the communes
// whose zonage on the day chosen predates the data.
export const COULEURS = {
  tres_sous_dotee: '#440154',
  sous_dense: '#472c7a',
  sous_dotee: '#3b528b',
  intermediaire: '#21918c',
  tres_dotee: '#5ec962',
  non_prioritaire: '#fde725',
  sur_dotee: '#a83820',
  non_disponible: '#9e9e9e',
  ambigu: '#c51b7d',
  hors_donnees: '#b0b0b0',
  sans_zonage: '#ffffff',
};

// Classes drawn with stripes rather than a plain fill.
export const HACHURES = new Set(['ambigu', 'hors_donnees']);

const nombre = new Intl.NumberFormat('fr-FR');

export function formatNombre(n) {
  return nombre.format(n);
}

export function formatEuros(n) {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(n);
}

// formatDate writes an ISO date the French way: 2024-11-05 → 5 novembre 2024,
// 2025-01-01 → 1er janvier 2025.
export function formatDate(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  const texte = d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return +m[3] === 1 ? texte.replace(/^1 /, '1er ') : texte;
}

// ErreurAPI carries the problem document of a failed call; its message is the
// server's French "detail".
export class ErreurAPI extends Error {
  constructor(status, probleme) {
    super((probleme && probleme.detail) || `erreur ${status}`);
    this.status = status;
    this.probleme = probleme;
  }
}

export async function lireJSON(url, options = {}) {
  const r = await fetch(url, { headers: { Accept: 'application/json' }, ...options });
  let corps = null;
  try {
    corps = await r.json();
  } catch {
    corps = null;
  }
  if (!r.ok) throw new ErreurAPI(r.status, corps);
  return corps;
}

// el builds an element: el('p', {class: 'x'}, 'texte', enfant). Text is always set
// as text, never as HTML: answers carry names and messages from the data.
export function el(tag, attrs = {}, ...enfants) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of enfants.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// pastille is the colour swatch of a class, as in the legend.
export function pastille(classe) {
  const s = el('span', { class: 'pastille', 'aria-hidden': 'true' });
  const c = COULEURS[classe] || '#ffffff';
  if (HACHURES.has(classe)) {
    s.style.backgroundImage = `repeating-linear-gradient(45deg, ${c} 0 3px, #ffffff 3px 6px)`;
  } else {
    s.style.backgroundColor = c;
  }
  return s;
}
