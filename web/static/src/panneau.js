// The side panel: a resolution rendered for reading, by eye and by screen reader.
// It opens with the answer a kiné came for — the category, what it means for
// conventionnement, the main aid — computed from the answer's own data; the rest
// (dates, codes, catchment, every option per status, sources) is folded below.
// Options come from the server's rules and are rendered generically: whatever
// statuses, aids and caveats an answer carries are shown, none is assumed. For
// the other professions, the answer's installation rules take the options' place.
import { el, pastille, formatDate, formatEuros, formatNombre, PROFESSIONS, KINE } from './common.js';

const ELIGIBILITE = { eligible: 'éligible', sous_conditions: 'sous conditions', non_eligible: 'non éligible' };

// ajouter appends the children that exist: Node.append writes null as the text "null".
function ajouter(parent, ...enfants) {
  for (const c of enfants.flat()) {
    if (c === undefined || c === null || c === false || c === '') continue;
    parent.append(c);
  }
  return parent;
}

function ligne(dl, terme, ...valeur) {
  if (valeur.every((v) => v === undefined || v === null || v === '')) return;
  ajouter(dl, el('dt', {}, terme), el('dd', {}, ...valeur));
}

function capitale(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}

// enumerer joins words the French way: « a, b et c ».
function enumerer(mots) {
  if (mots.length <= 1) return mots.join('');
  return `${mots.slice(0, -1).join(', ')} et ${mots[mots.length - 1]}`;
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
    el('ul', {}, liste.map((c) => el('li', {}, c.text, ...incertitude(c)))));
}

function montant(aide) {
  const parts = [];
  if (aide.amount_text) parts.push(aide.amount_text);
  else {
    if (aide.max_amount_eur) parts.push(`jusqu'à ${formatEuros(aide.max_amount_eur)}`);
    if (aide.yearly_eur) parts.push(`${formatEuros(aide.yearly_eur)} par an`);
    if (aide.monthly_eur) parts.push(`${formatEuros(aide.monthly_eur)} par mois`);
    if (aide.duration) parts.push(aide.duration);
  }
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
    ...incertitude(aide));
}

function libelleStatut(opt) {
  return opt.status_label || opt.status || '';
}

function rendreOption(opt) {
  const cv = opt.conventionnement;
  const d = el('details', { class: 'option' },
    el('summary', {}, el('span', { class: 'option-statut' }, capitale(libelleStatut(opt))),
      cv && cv.label ? el('span', { class: 'option-resume' }, ` — conventionnement ${cv.label}`) : null));
  if (opt.message) ajouter(d, el('p', { class: opt.available === false ? 'message' : 'note' }, opt.message));
  if (cv) {
    ajouter(d, el('h4', {}, 'Conventionnement'),
      cv.text ? el('p', {}, cv.text) : null,
      cv.why ? el('p', { class: 'pourquoi' }, cv.why) : null,
      conditions('Conditions :', cv.conditions),
      conditions('À savoir :', cv.notes),
      cv.authority_label ? el('p', { class: 'autorite' }, `Décidé par : ${cv.authority_label}`) : null,
      ...incertitude(cv));
  }
  const ng = opt.new_graduate;
  if (ng) {
    ajouter(d, el('h4', {}, ng.name || 'Nouveaux diplômés'),
      ng.outcome_text ? el('p', { class: 'resultat' }, ng.outcome_text) : null,
      ng.text ? el('p', {}, ng.text) : null,
      ng.zone_counts_text ? el('p', {}, ng.zone_counts_text) : null,
      conditions('À savoir :', ng.notes),
      ...incertitude(ng));
  }
  if (opt.aids && opt.aids.length) {
    ajouter(d, el('h4', {}, 'Aides'), el('ul', { class: 'aides' }, opt.aids.map(rendreAide)));
  } else if (opt.available !== false && opt.aids) {
    ajouter(d, el('h4', {}, 'Aides'), el('p', {}, "Aucune aide conventionnelle à l'installation dans cette catégorie."));
  }
  if (opt.caveats && opt.caveats.length) {
    ajouter(d, el('h4', {}, 'Attention'), el('ul', { class: 'mises-en-garde' }, opt.caveats.map((c) => el('li', {}, c.text, ...incertitude(c)))));
  }
  return d;
}

// rendreOptions folds every option under one heading; each status folds again.
function rendreOptions(options, titre) {
  if (!options || !options.length) return null;
  const d = el('details', { class: 'pli options' }, el('summary', {}, titre));
  if (options[0].scheme_unknown) ajouter(d, el('p', { class: 'note' }, "L'échelle de zonage de la région n'est pas connue : seules les règles communes aux deux échelles sont données."));
  options.forEach((o) => ajouter(d, rendreOption(o)));
  if (options.length === 1) d.querySelector('.option').open = true;
  return d;
}

// ----- The summary -----

// ouverte says whether an aid may apply: listed for the status and not ruled out.
function ouverte(aide) {
  return aide.eligibility !== 'non_eligible';
}

// aidePrincipale is the open aid with the largest amount of an option, if any
// aid of it names an amount.
function aidePrincipale(opt) {
  let meilleure = null;
  for (const a of opt.aids || []) {
    if (!ouverte(a) || !(a.max_amount_eur > 0)) continue;
    if (!meilleure || a.max_amount_eur > meilleure.max_amount_eur) meilleure = a;
  }
  return meilleure;
}

// resumeConventionnement lists what conventionnement is for each status, the
// statuses that share an answer together: « Titulaire, collaborateur libéral et
// assistant libéral : libre ».
function resumeConventionnement(options) {
  const groupes = new Map();
  for (const o of options) {
    const cv = o.conventionnement;
    const cle = o.available === false ? `!${o.message || ''}` : cv && cv.label ? cv.label : '';
    if (!cle) continue;
    if (!groupes.has(cle)) groupes.set(cle, { options: [], cv, indisponible: o.available === false });
    groupes.get(cle).options.push(o);
  }
  if (!groupes.size) return null;
  const ul = el('ul', { class: 'resume-conventionnement' });
  for (const [cle, g] of groupes) {
    const statuts = capitale(enumerer(g.options.map(libelleStatut)));
    const acces = g.indisponible ? 'ferme' : (g.cv && g.cv.access) || '';
    const valeur = g.indisponible ? (g.options[0].message || 'non ouvert') : cle;
    ul.append(el('li', { class: `acces acces-${acces}` },
      options.length > 1 ? `${statuts} : ` : '', el('strong', {}, valeur)));
  }
  // For one status, the reason that profile gets this answer, when the rules give one.
  const cv = options.length === 1 && options[0].conventionnement;
  if (cv && cv.why) return [ul, el('p', { class: 'pourquoi' }, cv.why)];
  return ul;
}

// resumeAide names the main aid with its amount, and the statuses it is not open to;
// or says there is no aid with an amount here, naming the other aids listed.
function resumeAide(options) {
  // No category published, no rule known: the aids are unknown, not absent.
  if (options.every((o) => o.available === false)) {
    return el('p', { class: 'resume-aide' }, el('strong', {}, 'Inconnue'),
      el('span', { class: 'note' }, ' : sans catégorie publiée, aucune aide ne peut être indiquée'));
  }
  const principales = options.map(aidePrincipale);
  let meilleure = null;
  for (const a of principales) if (a && (!meilleure || a.max_amount_eur > meilleure.max_amount_eur)) meilleure = a;
  if (meilleure) {
    const sans = options.filter((o, i) => !principales[i] || principales[i].code !== meilleure.code).map(libelleStatut);
    return el('p', { class: 'resume-aide' }, el('strong', {}, `${meilleure.short_name || meilleure.name} : ${meilleure.amount_text || `jusqu'à ${formatEuros(meilleure.max_amount_eur)}`}`),
      sans.length && options.length > 1 ? el('span', { class: 'note' }, ` (pas pour : ${enumerer(sans)})`) : null);
  }
  const autres = new Set();
  for (const o of options) for (const a of o.aids || []) if (ouverte(a)) autres.add(a.short_name || a.name);
  return el('p', { class: 'resume-aide' }, el('strong', {}, "Pas d'aide conventionnelle ici"),
    autres.size ? el('span', { class: 'note' }, ` ; autres aides possibles : ${enumerer([...autres])}`) : null);
}

// pluriel names a profession in a sentence: « des infirmiers ».
function pluriel(profession) {
  return PROFESSIONS[profession] ? PROFESSIONS[profession].pluriel : profession;
}

// badge is the category; for a kiné with its scale, for the other professions
// with the profession, so that no one reads a nurse's category as a kiné's.
function badge(z, profession) {
  let echelle = null;
  if (profession !== KINE) echelle = `zonage des ${pluriel(profession)}`;
  else if (z.scheme) echelle = z.scheme === 'avenant5' ? 'ancienne échelle (avenant 5)' : 'avenant 7';
  return el('p', { class: 'categorie' }, pastille(z.category), el('strong', { class: 'categorie-libelle' }, z.label),
    echelle ? el('span', { class: 'categorie-echelle' }, echelle) : null);
}

// ----- Installation rules of the other professions -----

const GENRES = {
  conventionnement: ['Conventionnement', 'Conventionnement'],
  aide: ['Aide', 'Aides'],
  engagement: ['Engagement', 'Engagements'],
  autre: ['À savoir', 'À savoir'],
};

const NON_COUVERT = "règles d'installation non couvertes pour cette profession";

// phrase writes a message of the server as a sentence.
function phrase(s) {
  const t = capitale(s.trim());
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

function lienPageOfficielle(page) {
  if (!page || !page.url) return null;
  return el('p', { class: 'page-officielle' }, 'Page officielle : ',
    el('a', { href: page.url, rel: 'noopener', target: '_blank' }, page.title || page.url));
}

// parGenre groups the items of an installation answer by kind, in the order of
// GENRES; a kind the page does not know is shown as « À savoir ».
function parGenre(items) {
  const groupes = new Map(Object.keys(GENRES).map((g) => [g, []]));
  for (const i of items || []) groupes.get(GENRES[i.kind] ? i.kind : 'autre').push(i);
  return [...groupes].filter(([, l]) => l.length);
}

function aConfirmer(item) {
  return item.uncertain ? el('span', { class: 'etiquette etiquette-sous_conditions' }, 'à confirmer') : null;
}

function titreItem(item) {
  return [el('strong', {}, item.title), item.amount_eur ? ` : ${formatEuros(item.amount_eur)}` : '', ' ', aConfirmer(item)];
}

// resumeInstallation says what the category means for installing: the rules not
// covered, with the official page; or every rule of access to conventionnement,
// the aid with the largest amount, and one rule of each other kind, the others
// counted and left to the detail.
function resumeInstallation(inst) {
  if (!inst) return null;
  if (!inst.covered) {
    return el('div', { class: 'installation-non-couverte' },
      el('p', { class: 'message' }, phrase(inst.message || NON_COUVERT)), lienPageOfficielle(inst.official_page));
  }
  const dl = el('dl', { class: 'resume-faits resume-installation' });
  for (const [genre, items] of parGenre(inst.items)) {
    const terme = GENRES[genre][items.length > 1 ? 1 : 0];
    if (genre === 'conventionnement' && items.length > 1) {
      ligne(dl, terme, el('ul', { class: 'resume-conventionnement' }, items.map((i) => el('li', {}, ...titreItem(i)))));
      continue;
    }
    const tri = genre === 'aide' ? [...items].sort((a, b) => (b.amount_eur || 0) - (a.amount_eur || 0)) : items;
    const autres = items.length - 1;
    ligne(dl, terme, ...titreItem(tri[0]),
      autres ? el('span', { class: 'note' }, ` (et ${autres} autre${autres > 1 ? 's' : ''} dans le détail)`) : null);
  }
  return dl;
}

function rendreItem(item) {
  const cles = item.sources || [];
  return el('li', { class: 'item-installation' },
    el('p', { class: 'item-genre' }, (GENRES[item.kind] || GENRES.autre)[0]),
    el('p', { class: 'aide-nom' }, el('strong', {}, item.title), aConfirmer(item)),
    item.amount_eur ? el('p', { class: 'montant' }, formatEuros(item.amount_eur)) : null,
    item.text ? el('p', {}, item.text) : null,
    item.uncertain ? el('p', { class: 'incertain' }, el('strong', {}, 'À confirmer'), ` : ${item.uncertain}`) : null,
    item.secondary ? el('p', { class: 'secondaire' }, 'Repose sur des sources secondaires (presse professionnelle, syndicats).') : null,
    cles.length ? el('details', { class: 'sources-item' },
      el('summary', {}, `Sources (${cles.length})`),
      el('ul', {}, cles.map((k) => el('li', { 'data-source': k }, k)))) : null);
}

// rendreInstallation folds every item of a covered answer, with its text, its
// amount, what is not confirmed and its sources.
function rendreInstallation(inst, titre) {
  if (!inst || !inst.covered) return null;
  return el('details', { class: 'pli installation' }, el('summary', {}, titre),
    inst.convention ? el('p', { class: 'note' }, `Selon : ${phrase(inst.convention)}`) : null,
    el('ul', { class: 'items-installation' }, (inst.items || []).map(rendreItem)),
    lienPageOfficielle(inst.official_page));
}

// nomCourt shortens an arrondissement's name within its city: « Paris 6e
// Arrondissement » → « 6e ».
function nomCourt(nom, ville) {
  let n = nom;
  if (ville && n.startsWith(`${ville} `)) n = n.slice(ville.length + 1);
  return n.replace(/ Arrondissement$/i, '');
}

// resumeCandidats lists the possible categories of an ambiguous place, grouped by
// category, each place a button that opens it.
function resumeCandidats(res, actions, profession) {
  // Another profession's categories are named as such, not to be read as a kiné's.
  const des = profession === KINE ? '' : ` des ${pluriel(profession)}`;
  const ville = res.commune && res.commune.name;
  const parCategorie = new Map();
  for (const k of res.candidates) {
    const cle = k.zonage.category;
    if (!parCategorie.has(cle)) parCategorie.set(cle, { label: k.zonage.label, lieux: [] });
    parCategorie.get(cle).lieux.push(k);
  }
  const arrondissements = res.candidates.every((k) => /arrondissement/i.test(k.name));
  const ul = el('ul', { class: 'liste-candidats' });
  for (const [cle, g] of parCategorie) {
    const li = el('li', {}, pastille(cle), ' ', el('strong', {}, g.label), ' : ');
    g.lieux.forEach((k, i) => {
      if (i) li.append(', ');
      li.append(el('button', { type: 'button', class: 'lien', 'aria-label': `${k.name} (${k.code}) : ${g.label}`, onclick: () => actions.choisirCommune(k.code) },
        arrondissements ? nomCourt(k.name, ville) : `${k.name} (${k.code})`));
    });
    ul.append(li);
  }
  return el('div', { class: 'candidats' },
    el('p', { class: 'candidats-titre' }, arrondissements
      ? `${ville || 'Cette ville'} est classée par arrondissement ; catégorie${des} par arrondissement :`
      : `Les communes déléguées ont des catégories${des} différentes ; la catégorie dépend de celle où se trouve le cabinet :`),
    ul);
}

// ----- The panel -----

// departement names the département with its code, « Cantal (15) », as the
// server names it; an answer without the name keeps the code.
function departement(c) {
  if (!c.departement) return '';
  return c.departement_name ? `${c.departement_name} (${c.departement})` : `dép. ${c.departement}`;
}

function lieu(c) {
  const type = c.type === 'arrondissement-municipal' ? 'arrondissement' : 'commune';
  // Overseas, the région has the département's name: it is said once.
  const region = c.region && c.region.name !== c.departement_name ? c.region.name : '';
  return [type, departement(c), region,
    c.population ? `${formatNombre(c.population)} hab.` : ''].filter(Boolean).join(' · ');
}

// lignesCodes adds the official code and the place the category was published for.
function lignesCodes(dl, res) {
  const z = res.zonage;
  ligne(dl, 'Code officiel', z.official_code ? el('code', {}, z.official_code) : '');
  if (z.zonage_code) ligne(dl, 'Publié pour', z.zonage_name ? `${z.zonage_name} (${z.zonage_code})` : z.zonage_code);
  const c = res.commune;
  if (c && c.type === 'arrondissement-municipal' && z.zonage_code === c.code) {
    ligne(dl, 'Classement', "par arrondissement : la catégorie est publiée pour l'arrondissement lui-même, pas pour la ville entière");
  }
}

// blocZonageAutre is the zonage of another profession than the kiné: its export
// gives no arrêté date, which the answer says with its note.
function blocZonageAutre(res) {
  const z = res.zonage;
  const prov = res.provenance || {};
  const dl = el('dl', { class: 'faits' });
  ligne(dl, 'Région', z.region && z.region.name);
  ligne(dl, 'Arrêté', z.arrete_date ? formatDate(z.arrete_date) : z.date_status === 'inconnue' ? 'date inconnue' : 'date non publiée dans la source', z.arrete_ref ? ` (${z.arrete_ref})` : '');
  ligne(dl, 'En vigueur depuis', z.effective_date ? formatDate(z.effective_date) : '');
  ligne(dl, 'Sur cette date', z.date_note);
  ligne(dl, 'Source', prov.zonage_source ? `${prov.zonage_source}${prov.zonage_vintage ? ` (${prov.zonage_vintage})` : ''}` : '');
  lignesCodes(dl, res);
  return dl;
}

function blocZonage(res) {
  const z = res.zonage;
  const dl = el('dl', { class: 'faits' });
  ligne(dl, 'Région', z.region && z.region.name);
  ligne(dl, 'Arrêté', z.arrete_date ? formatDate(z.arrete_date) : 'date non publiée dans la source', z.arrete_ref ? ` (${z.arrete_ref})` : '');
  ligne(dl, 'En vigueur depuis', z.effective_date ? formatDate(z.effective_date) : '');
  ligne(dl, 'Sur ces dates', z.date_note);
  ligne(dl, 'Échelle', z.scheme_label);
  lignesCodes(dl, res);
  const u = z.catchment;
  if (u) {
    const n = u.communes > 1 ? `, ${formatNombre(u.communes)} communes` : '';
    const constat = u.coherent === false ? " ; elles n'ont pas toutes la même catégorie" : '';
    ligne(dl, capitale(libelleUnite(u.kind)), `${u.name || u.code} (${u.code})${n}${constat}`,
      u.derived ? el('span', { class: 'note' }, ' — regroupement reconstitué à partir des tables INSEE, indicatif') : '');
  }
  return dl;
}

function libelleUnite(kind) {
  return { bassin_de_vie: 'bassin de vie', canton_ville: 'canton-ville' }[kind] || kind || '';
}

// rendrePanneau returns the panel's content for a resolution and sets its title.
export function rendrePanneau(res, actions) {
  const f = document.createDocumentFragment();
  // The answer names its profession; the page's is the fallback.
  const profession = res.profession || actions.profession || KINE;
  const kine = profession === KINE;
  const c = res.commune;
  const titre = document.getElementById('panneau-titre');
  const proche = res.nearest;
  titre.textContent = c ? c.name : proche ? (proche.at_sea ? 'En mer' : 'Hors des communes françaises') : res.status === 'introuvable' ? 'Aucune commune ici' : 'Lieu recherché';
  if (c) titre.append(' ', el('span', { class: 'code' }, c.code));

  const resume = el('section', { class: 'resume', 'aria-label': "L'essentiel" });
  f.append(resume);
  if (c) resume.append(el('p', { class: 'sous-titre' }, lieu(c)));
  // Another day than today is said where the answer is read, not only over the map.
  if (actions.jour && kine) {
    resume.append(el('p', { class: 'jour-panneau' }, el('strong', {}, `Zonage en vigueur le ${formatDate(res.date || actions.jour)}`), " : la date choisie, pas aujourd'hui."));
  } else if (actions.jour) {
    resume.append(el('p', { class: 'jour-panneau' }, el('strong', {}, `Jour choisi : ${formatDate(res.date || actions.jour)}`), " ; l'export ne date pas ce zonage : c'est le même quel que soit le jour."));
  }
  if (res.match && res.match.label && res.match.method === 'adresse') {
    resume.append(el('p', { class: 'adresse' }, `Adresse trouvée : ${res.match.label}`));
  }
  if (res.former_commune) {
    const fc = res.former_commune;
    resume.append(el('p', { class: 'note' }, `Ancienne commune ${fc.name ? `${fc.name} ` : ''}(${fc.code}), rattachée à ${c ? c.name : fc.current}${fc.date ? ` depuis le ${formatDate(fc.date)}` : ''}.`));
  }

  // The server's message says what the panel shows already when all is well; it
  // is shown when it adds something (an ambiguity, a point placed by proximity, a miss).
  // With candidates, their list says it better than the message that names them all.
  const avecCandidats = res.candidates && res.candidates.length > 0;
  const message = !avecCandidats && (res.status !== 'ok' || (res.match && ['proximite', 'hors_france'].includes(res.match.method))) ? res.message : '';
  const avertissements = ((res.match && res.match.warnings) || []).filter((w) => w && !(message || '').includes(w));

  const z = res.zonage;
  if (z) {
    resume.append(badge(z, profession));
    if (message) resume.append(el('p', { class: 'message' }, message));
    if (!kine) ajouter(resume, resumeInstallation(res.installation));
    const opts = res.options || [];
    if (opts.length) {
      const profil = opts.length === 1 ? ` (${libelleStatut(opts[0])})` : '';
      const dl = el('dl', { class: 'resume-faits' });
      ligne(dl, `Conventionnement${profil}`, resumeConventionnement(opts));
      ligne(dl, `Aide${profil}`, resumeAide(opts));
      resume.append(dl);
    }
    const up = z.upcoming;
    if (up) {
      resume.append(el('p', { class: 'a-venir' }, el('strong', {}, 'À venir : '), `${up.label}${up.effective_date ? ` à partir du ${formatDate(up.effective_date)}` : ''}${up.arrete_date ? ` (arrêté du ${formatDate(up.arrete_date)})` : ''}`));
    }
  } else if (message) {
    resume.append(el('p', { class: res.status === 'ambigu' ? 'message message-ambigu' : 'message' }, message));
  }
  avertissements.forEach((w) => resume.append(el('p', { class: 'note' }, w)));
  if (proche) {
    resume.append(el('p', {}, el('button', { type: 'button', class: 'bouton-secondaire', onclick: () => actions.choisirCommune(proche.code) },
      `Voir ${proche.name} (${proche.code})`)));
  }

  if (res.candidates && res.candidates.length) {
    resume.append(resumeCandidats(res, actions, profession));
    // What each candidate's category opens, folded; a city's twenty arrondissements
    // are opened one by one from the list instead.
    for (const k of res.candidates.length <= 4 ? res.candidates.filter((x) => x.options && x.options.length) : []) {
      ajouter(f, rendreOptions(k.options, `Options à ${k.name} (${k.zonage.label})`));
    }
    if (!kine) {
      // The rules are the profession's: one message when they are not covered,
      // else each candidate's category folded.
      const couverts = res.candidates.filter((k) => k.installation && k.installation.covered);
      const nonCouvert = res.candidates.find((k) => k.installation && !k.installation.covered);
      if (nonCouvert && !couverts.length) ajouter(resume, resumeInstallation(nonCouvert.installation));
      for (const k of res.candidates.length <= 4 ? couverts : []) {
        ajouter(f, rendreInstallation(k.installation, `Installation à ${k.name} (${k.zonage.label})`));
      }
    }
  }
  if (!kine) ajouter(f, rendreInstallation(res.installation, "Règles d'installation : détail et sources"));

  ajouter(f, rendreOptions(res.options, res.options && res.options.length === 1 ? `Détail pour un ${libelleStatut(res.options[0])}` : 'Détail par statut : conditions, aides, nouveaux diplômés'));
  if (z) {
    f.append(el('details', { class: 'pli zonage' },
      el('summary', {}, z.catchment ? `Zonage : dates, codes, ${libelleUnite(z.catchment.kind)}` : kine ? 'Zonage : dates et codes' : 'Zonage : date, source et code'),
      kine ? blocZonage(res) : blocZonageAutre(res),
      el('section', { id: 'unite', class: 'unite', hidden: true })));
  }

  f.append(el('p', { class: 'cpam' }, el('strong', {}, 'Vérifiez auprès de votre CPAM'),
    " avant de vous installer : elle seule enregistre le conventionnement. Informations indicatives."));

  const prov = res.provenance || {};
  const sources = el('details', { id: 'sources', class: 'pli sources' }, el('summary', { id: 'sources-titre' }, 'Sources'));
  ajouter(sources, el('ul', { id: 'bibliographie', class: 'bibliographie' },
    prov.zonage_source ? el('li', {}, `Zonage : ${prov.zonage_source}${prov.zonage_vintage ? ` (${prov.zonage_vintage})` : ''}`) : null,
    prov.geo_vintage ? el('li', {}, `Contours : ${prov.geo_vintage}`) : null,
    prov.dataset_version ? el('li', {}, `Jeu de données ${prov.dataset_version}`) : null));
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

// homogene says whether the communes of a catchment all have one category.
export function homogene(u) {
  if (typeof u.coherent === 'boolean') return u.coherent;
  return u.communes.length > 0 && u.communes.every((m) => m.category === u.communes[0].category);
}

// rendreUnite fills the catchment section with what the data shows: its communes
// and their categories. Where they differ, the category was not given to the unit
// as a whole, and the panel does not say it was.
export function rendreUnite(u, choisir) {
  const s = document.getElementById('unite');
  if (!s) return;
  const n = u.communes.length;
  const nom = `${libelleUnite(u.kind)} ${u.name || u.code}`;
  const parCategorie = new Map();
  for (const m of u.communes) parCategorie.set(m.label, (parCategorie.get(m.label) || 0) + 1);
  let constat;
  if (n <= 1) constat = `Le ${nom} ne compte que cette commune.`;
  else if (homogene(u)) constat = `Les ${formatNombre(n)} communes du ${nom}, entourées en pointillés sur la carte, sont toutes ${u.communes[0].label}.`;
  else {
    const repartition = [...parCategorie].sort((a, b) => b[1] - a[1]).map(([l, k]) => `${formatNombre(k)} ${l}`);
    constat = `Les ${formatNombre(n)} communes du ${nom} n'ont pas la même catégorie (${enumerer(repartition)}) : chacune a la sienne.`;
  }
  const details = el('details', {},
    el('summary', {}, `Les ${formatNombre(n)} commune${n > 1 ? 's' : ''} et leur catégorie`),
    el('ul', { class: 'liste-unite' }, u.communes.map((m) => el('li', {}, pastille(m.category), ' ',
      el('button', { type: 'button', class: 'lien', onclick: () => choisir(m.code) }, `${m.name} (${m.code})`), ` : ${m.label}`))));
  s.replaceChildren(
    el('h3', {}, capitale(nom)),
    el('p', {}, constat, u.derived ? ' Le regroupement est reconstitué à partir des tables INSEE : il est indicatif.' : ''),
    n > 1 ? details : '');
  s.hidden = false;
}

// clesSources lists the bibliography keys an answer cites.
export function clesSources(res) {
  const cles = new Set();
  const ajouterCles = (l) => (l || []).forEach((k) => cles.add(k));
  const parcourir = (o) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) { o.forEach(parcourir); return; }
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'sources' || k === 'date_sources') && Array.isArray(v) && v.every((x) => typeof x === 'string')) ajouterCles(v);
      else if (k !== 'provenance') parcourir(v);
    }
  };
  parcourir(res.zonage);
  parcourir(res.options);
  parcourir(res.installation);
  parcourir(res.candidates);
  return [...cles].sort();
}

// rendreSources adds the texts the answer rests on to the one list of sources.
// The sources folded under each installation rule get their titles and links too.
export function rendreSources(sources) {
  const ul = document.getElementById('bibliographie');
  if (!ul) return;
  ul.querySelectorAll('.source').forEach((li) => li.remove());
  const reference = (s) => [
    s.urls && s.urls.length ? el('a', { href: s.urls[0], rel: 'noopener', target: '_blank' }, s.title || s.key) : (s.title || s.key),
    s.secondary ? el('span', { class: 'note' }, ' (source secondaire)') : null];
  for (const s of sources) {
    ul.append(el('li', { class: 'source', id: `source-${s.key}` }, ...reference(s)));
    document.querySelectorAll('#panneau li[data-source]').forEach((li) => {
      if (li.dataset.source === s.key) li.replaceChildren(...reference(s).filter(Boolean));
    });
  }
  const titre = document.getElementById('sources-titre');
  if (titre) titre.textContent = `Sources (${ul.children.length})`;
}
