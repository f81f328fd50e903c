// The side panel: a resolution rendered for reading, by eye and by screen reader.
// Options come from the server's rules and are rendered generically: whatever
// statuses, aids and caveats an answer carries are shown, none is assumed.
import { el, pastille, formatDate, formatEuros, formatNombre } from './common.js';

const ACCES = { ouvert: 'ouvert', sous_conditions: 'sous conditions', ferme: 'fermé' };
const ELIGIBILITE = { eligible: 'éligible', sous_conditions: 'sous conditions', non_eligible: 'non éligible' };

function ligne(dl, terme, ...valeur) {
  if (valeur.every((v) => v === undefined || v === null || v === '')) return;
  dl.append(el('dt', {}, terme), el('dd', {}, ...valeur));
}

// renvoisSources writes "Sources : A1, L1" with links to the bibliography below.
function renvoisSources(cles) {
  if (!cles || !cles.length) return null;
  const p = el('p', { class: 'renvois' }, cles.length > 1 ? 'Sources : ' : 'Source : ');
  cles.forEach((c, i) => {
    if (i) p.append(', ');
    p.append(el('a', { href: `#source-${c}`, 'data-source': c }, c));
  });
  return p;
}

// incertitude flags a rule the sources do not settle, and one resting on trade
// press rather than texts.
function incertitude(item) {
  const out = [];
  if (item.uncertain) out.push(el('p', { class: 'incertain' }, el('strong', {}, 'À confirmer'), item.uncertain_why ? ` : ${item.uncertain_why}` : ''));
  if (item.secondary) out.push(el('p', { class: 'secondaire' }, 'Repose sur des sources secondaires (presse professionnelle, syndicats).'));
  return out;
}

function conditions(titre, liste) {
  if (!liste || !liste.length) return null;
  return el('div', { class: 'conditions' },
    el('p', { class: 'conditions-titre' }, titre),
    el('ul', {}, liste.map((c) => el('li', {}, c.text, ...incertitude(c), renvoisSources(c.sources)))));
}

function montant(aide) {
  const parts = [];
  if (aide.amount_text) parts.push(aide.amount_text);
  else {
    if (aide.max_amount_eur) parts.push(`jusqu'à ${formatEuros(aide.max_amount_eur)}`);
    if (aide.yearly_eur) parts.push(`${formatEuros(aide.yearly_eur)} par an`);
    if (aide.monthly_eur) parts.push(`${formatEuros(aide.monthly_eur)} par mois`);
  }
  if (aide.duration) parts.push(aide.duration);
  return parts.join(' ; ');
}

function rendreAide(aide) {
  const elig = ELIGIBILITE[aide.eligibility] || aide.eligibility;
  return el('li', { class: 'aide' },
    el('p', { class: 'aide-nom' }, el('strong', {}, aide.name || aide.short_name),
      elig ? el('span', { class: `etiquette etiquette-${aide.eligibility}` }, elig) : null),
    montant(aide) ? el('p', { class: 'montant' }, montant(aide)) : null,
    aide.why ? el('p', {}, aide.why) : null,
    aide.schedule && aide.schedule.length ? el('ul', { class: 'echeancier' }, aide.schedule.map((s) => el('li', {}, s))) : null,
    conditions('Conditions :', aide.conditions),
    conditions('Dans votre région :', aide.regional),
    aide.authority_label ? el('p', { class: 'autorite' }, `Décidée par : ${aide.authority_label}`) : null,
    ...incertitude(aide),
    renvoisSources(aide.sources));
}

function rendreOption(opt, ouvert) {
  const d = el('details', { class: 'option', open: ouvert });
  const acces = opt.conventionnement && (ACCES[opt.conventionnement.access] || opt.conventionnement.access);
  d.append(el('summary', {}, el('span', { class: 'option-statut' }, capitale(opt.status_label || opt.status)),
    opt.conventionnement ? el('span', { class: 'option-resume' }, ` — conventionnement ${opt.conventionnement.label}${acces ? ` (${acces})` : ''}`) : null));
  if (opt.available === false || opt.message) d.append(el('p', { class: opt.available === false ? 'message' : 'note' }, opt.message));
  const cv = opt.conventionnement;
  if (cv) {
    d.append(el('h4', {}, 'Conventionnement'),
      el('p', {}, cv.text),
      cv.why ? el('p', { class: 'pourquoi' }, cv.why) : null,
      conditions('Conditions :', cv.conditions),
      conditions('À savoir :', cv.notes),
      cv.authority_label ? el('p', { class: 'autorite' }, `Décidé par : ${cv.authority_label}`) : null,
      ...incertitude(cv),
      renvoisSources(cv.sources));
  }
  const ng = opt.new_graduate;
  if (ng) {
    d.append(el('h4', {}, ng.name || 'Nouveaux diplômés'),
      ng.outcome_text ? el('p', { class: 'resultat' }, ng.outcome_text) : null,
      ng.text ? el('p', {}, ng.text) : null,
      ng.zone_counts_text ? el('p', {}, ng.zone_counts_text) : null,
      conditions('À savoir :', ng.notes),
      ...incertitude(ng),
      renvoisSources(ng.sources));
  }
  if (opt.aids && opt.aids.length) {
    d.append(el('h4', {}, 'Aides'), el('ul', { class: 'aides' }, opt.aids.map(rendreAide)));
  } else if (opt.available !== false && opt.aids) {
    d.append(el('h4', {}, 'Aides'), el('p', {}, "Aucune aide conventionnelle à l'installation dans cette catégorie."));
  }
  if (opt.caveats && opt.caveats.length) {
    d.append(el('h4', {}, 'Attention'), el('ul', { class: 'mises-en-garde' }, opt.caveats.map((c) => el('li', {}, c.text, ...incertitude(c), renvoisSources(c.sources)))));
  }
  return d;
}

function capitale(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function rendreOptions(options, titre) {
  if (!options || !options.length) return null;
  const s = el('section', { class: 'options', 'aria-labelledby': 'options-titre' },
    el('h3', { id: 'options-titre' }, titre || "Options d'installation"));
  const echelle = options[0];
  if (echelle.scheme_unknown) s.append(el('p', { class: 'note' }, "L'échelle de zonage de la région n'est pas connue : seules les règles communes aux deux échelles sont données."));
  options.forEach((o, i) => s.append(rendreOption(o, i === 0 || options.length === 1)));
  return s;
}

function blocZonage(z) {
  const dl = el('dl', { class: 'faits' });
  ligne(dl, 'Région', z.region && z.region.name);
  ligne(dl, 'Arrêté', z.arrete_date ? formatDate(z.arrete_date) : 'date non publiée dans la source', z.arrete_ref ? ` (${z.arrete_ref})` : '');
  ligne(dl, 'En vigueur depuis', z.effective_date ? formatDate(z.effective_date) : '');
  if (z.date_note) ligne(dl, 'Sur ces dates', z.date_note, renvoisSources(z.date_sources));
  else if (z.date_sources && z.date_sources.length) ligne(dl, 'Sources des dates', renvoisSources(z.date_sources));
  if (z.catchment) {
    ligne(dl, 'Décidé pour', `le ${libelleUnite(z.catchment.kind)} ${z.catchment.name || z.catchment.code}`,
      z.catchment.derived ? el('span', { class: 'note' }, ' (regroupement reconstitué à partir des tables INSEE : indicatif)') : '');
  }
  ligne(dl, 'Échelle', z.scheme_label);
  ligne(dl, 'Code officiel', el('code', {}, z.official_code));
  if (z.zonage_code) ligne(dl, 'Publié pour', `${z.zonage_name || ''} (${z.zonage_code})`);
  return dl;
}

function libelleUnite(kind) {
  return { bassin_de_vie: 'bassin de vie', canton_ville: 'canton-ville' }[kind] || kind;
}

function badge(z) {
  return el('p', { class: 'categorie' }, pastille(z.category), el('strong', { class: 'categorie-libelle' }, z.label),
    z.scheme_label ? el('span', { class: 'categorie-echelle' }, ` · zone ${z.scheme === 'avenant5' ? 'ancienne échelle' : 'avenant 7'}`) : null);
}

// rendrePanneau returns the panel's content for a resolution.
export function rendrePanneau(res, actions) {
  const f = document.createDocumentFragment();
  const c = res.commune;
  const titre = document.getElementById('panneau-titre');
  titre.textContent = c ? c.name : res.status === 'introuvable' ? 'Aucune commune ici' : 'Résultat';
  if (c) titre.append(' ', el('span', { class: 'code' }, c.code));

  if (c) {
    const lieu = [c.type === 'arrondissement-municipal' ? 'arrondissement municipal' : 'commune',
      c.departement ? `département ${c.departement}` : '', c.region && c.region.name,
      c.population ? `${formatNombre(c.population)} habitants` : ''].filter(Boolean).join(' · ');
    f.append(el('p', { class: 'sous-titre' }, lieu));
  }
  if (res.former_commune) {
    const fc = res.former_commune;
    f.append(el('p', { class: 'note' }, `Ancienne commune ${fc.name || ''} (${fc.code}), rattachée à ${c ? c.name : fc.current}${fc.date ? ` depuis le ${formatDate(fc.date)}` : ''}.`));
  }
  if (res.match && res.match.label && res.match.method === 'adresse') {
    f.append(el('p', { class: 'adresse' }, `Adresse trouvée : ${res.match.label}`));
  }

  if (res.zonage) {
    f.append(badge(res.zonage));
    if (res.status !== 'ok' || (res.match && res.match.method === 'proximite')) f.append(el('p', { class: 'message' }, res.message));
    f.append(blocZonage(res.zonage));
    const up = res.zonage.upcoming;
    if (up) {
      f.append(el('div', { class: 'a-venir' }, el('p', {}, el('strong', {}, 'À venir : '), `${up.label}${up.effective_date ? ` à partir du ${formatDate(up.effective_date)}` : ''}`),
        up.arrete_date ? el('p', {}, `Arrêté du ${formatDate(up.arrete_date)}`) : null));
    }
  } else {
    f.append(el('p', { class: res.status === 'ambigu' ? 'message message-ambigu' : 'message' }, res.message));
  }
  if (res.match && res.match.warnings) res.match.warnings.forEach((w) => f.append(el('p', { class: 'note' }, w)));

  if (res.candidates && res.candidates.length) {
    const s = el('section', { class: 'candidats', 'aria-labelledby': 'candidats-titre' },
      el('h3', { id: 'candidats-titre' }, res.status === 'ambigu' ? 'Catégories possibles' : 'Candidats'),
      el('p', {}, "La catégorie dépend de l'endroit exact du cabinet (commune déléguée ou arrondissement) : cherchez son adresse, ou choisissez ci-dessous."),
      el('ul', { class: 'liste-candidats' }, res.candidates.map((k) => el('li', {}, pastille(k.zonage.category),
        ` ${k.name} (${k.code}) : `, el('strong', {}, k.zonage.label), ' ',
        el('button', { type: 'button', class: 'lien', onclick: () => actions.choisirCommune(k.code) }, `voir ${k.name}`)))));
    // What each candidate's category opens, folded: the list above stays readable.
    for (const k of res.candidates.filter((c) => c.options && c.options.length)) {
      const d = el('details', { class: 'options-candidat' }, el('summary', {}, `Options d'installation à ${k.name} (${k.zonage.label})`));
      d.append(rendreOptions(k.options, `Options à ${k.name}`));
      s.append(d);
    }
    f.append(s);
  }

  f.append(el('section', { id: 'unite', class: 'unite', hidden: true }));
  const opts = rendreOptions(res.options);
  if (opts) f.append(opts);

  f.append(el('div', { class: 'cpam', role: 'note' },
    el('p', {}, el('strong', {}, 'Vérifiez auprès de votre CPAM'),
      " avant toute décision d'installation : elle seule enregistre le conventionnement, et l'ARS publie le zonage en vigueur. Ces informations sont données à titre indicatif.")));

  const prov = res.provenance || {};
  const sources = el('section', { id: 'sources', class: 'sources', 'aria-labelledby': 'sources-titre' },
    el('h3', { id: 'sources-titre' }, 'Sources'),
    el('ul', {},
      prov.zonage_source ? el('li', {}, `Zonage : ${prov.zonage_source}${prov.zonage_vintage ? ` (${prov.zonage_vintage})` : ''}`) : null,
      prov.geo_vintage ? el('li', {}, `Contours : ${prov.geo_vintage}`) : null,
      prov.dataset_version ? el('li', {}, `Jeu de données ${prov.dataset_version}`) : null),
    el('ul', { id: 'bibliographie', class: 'bibliographie' }));
  f.append(sources);

  const lien = el('button', { type: 'button', class: 'bouton-secondaire', onclick: async (e) => {
    const url = actions.lien();
    try {
      await navigator.clipboard.writeText(url);
      e.target.textContent = 'Lien copié';
    } catch {
      window.prompt('Lien vers cette vue :', url);
    }
  } }, 'Copier le lien de cette vue');
  f.append(el('p', {}, lien));
  return f;
}

// rendreUnite fills the catchment section: the other communes decided together.
export function rendreUnite(u, choisir) {
  const s = document.getElementById('unite');
  if (!s) return;
  const autres = u.communes.length - 1;
  const titre = `${capitale(u.kind_label)} ${u.name || u.code}`;
  const details = el('details', {},
    el('summary', {}, `${formatNombre(u.communes.length)} commune${u.communes.length > 1 ? 's' : ''}`),
    el('ul', { class: 'liste-unite' }, u.communes.map((m) => el('li', {}, pastille(m.category), ' ',
      el('button', { type: 'button', class: 'lien', onclick: () => choisir(m.code) }, `${m.name} (${m.code})`), ` : ${m.label}`))));
  s.replaceChildren(
    el('h3', {}, titre),
    el('p', {}, `L'ARS classe par ${u.kind_label}, pas par commune : ${autres > 0 ? `les ${formatNombre(autres)} autres communes de cette unité, entourées en pointillés sur la carte, ont été classées avec celle-ci` : 'cette unité ne compte que cette commune'}.`,
      u.derived ? ' Le regroupement est reconstitué à partir des tables INSEE : il est indicatif.' : ''),
    details);
  s.hidden = false;
}

// clesSources lists the bibliography keys an answer cites.
export function clesSources(res) {
  const cles = new Set();
  const ajouter = (l) => (l || []).forEach((k) => cles.add(k));
  const parcourir = (o) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) { o.forEach(parcourir); return; }
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'sources' || k === 'date_sources') && Array.isArray(v) && v.every((x) => typeof x === 'string')) ajouter(v);
      else if (k !== 'provenance') parcourir(v);
    }
  };
  parcourir(res.zonage);
  parcourir(res.options);
  parcourir(res.candidates);
  return [...cles].sort();
}

// rendreSources fills the bibliography with the entries the server knows.
export function rendreSources(sources) {
  const ul = document.getElementById('bibliographie');
  if (!ul) return;
  ul.replaceChildren(...sources.map((s) => el('li', { id: `source-${s.key}` },
    el('span', { class: 'cle' }, s.key), ' ',
    s.urls && s.urls.length ? el('a', { href: s.urls[0], rel: 'noopener', target: '_blank' }, s.title) : s.title,
    s.secondary ? el('span', { class: 'note' }, ' (source secondaire)') : null)));
}
