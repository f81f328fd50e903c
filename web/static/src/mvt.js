// A reader of the Mapbox Vector Tiles the server writes: layers of features with
// string tags, geometry given to the caller command by command. It walks the
// bytes once and allocates nothing per point, which is most of the time of a
// tile holding all of France.

function varint(b, p) {
  let v = 0;
  let s = 1;
  let c;
  do {
    c = b[p.i++];
    v += (c & 0x7f) * s;
    s *= 128;
  } while (c & 0x80);
  return v;
}

// champs calls f(numéro, type, p) for each field of the message in b[debut:fin];
// for a length-delimited field p.fin is its end, for a varint p.v its value.
function champs(b, debut, fin, f) {
  const p = { i: debut, v: 0, fin: 0 };
  while (p.i < fin) {
    const cle = varint(b, p);
    const type = cle & 7;
    if (type === 0) p.v = varint(b, p);
    else if (type === 2) { const l = varint(b, p); p.fin = p.i + l; }
    else if (type === 5) p.fin = p.i + 4;
    else if (type === 1) p.fin = p.i + 8;
    else throw new Error(`tuile illisible : type de champ ${type}`);
    const suite = type === 0 ? p.i : p.fin;
    f(cle >>> 3, type, p);
    p.i = suite;
  }
}

const texte = new TextDecoder();

// Couche is one layer: name, extent and features, each with its tags resolved.
class Couche {
  constructor(b, debut, fin) {
    this.b = b;
    this.nom = '';
    this.etendue = 4096;
    this.cles = [];
    this.valeurs = [];
    this.elements = [];
    champs(b, debut, fin, (n, type, p) => {
      if (n === 1) this.nom = texte.decode(b.subarray(p.i, p.fin));
      else if (n === 2) this.elements.push([p.i, p.fin]);
      else if (n === 3) this.cles.push(texte.decode(b.subarray(p.i, p.fin)));
      else if (n === 4) champs(b, p.i, p.fin, (m, _, q) => { if (m === 1) this.valeurs.push(texte.decode(b.subarray(q.i, q.fin))); });
      else if (n === 5) this.etendue = p.v;
    });
  }

  // parcourir calls f(étiquettes, géométrie) for each feature, where géométrie(k,
  // moveTo, lineTo, closePath) replays its path scaled by k.
  parcourir(f) {
    const b = this.b;
    for (const [debut, fin] of this.elements) {
      const etiquettes = {};
      let g0 = 0;
      let g1 = 0;
      champs(b, debut, fin, (n, type, p) => {
        if (n === 2) {
          const q = { i: p.i };
          while (q.i < p.fin) {
            const k = varint(b, q);
            const v = varint(b, q);
            etiquettes[this.cles[k]] = this.valeurs[v];
          }
        } else if (n === 4) { g0 = p.i; g1 = p.fin; }
      });
      f(etiquettes, (k, chemin, fermer) => {
        const q = { i: g0 };
        let x = 0;
        let y = 0;
        while (q.i < g1) {
          const c = varint(b, q);
          const id = c & 7;
          const nb = c >>> 3;
          if (id === 7) { if (fermer) chemin.closePath(); continue; }
          for (let j = 0; j < nb; j++) {
            const dx = varint(b, q);
            const dy = varint(b, q);
            x += (dx >>> 1) ^ -(dx & 1);
            y += (dy >>> 1) ^ -(dy & 1);
            if (id === 1) chemin.moveTo(x * k, y * k);
            else chemin.lineTo(x * k, y * k);
          }
        }
      });
    }
  }
}

// lireTuile returns the layers of a tile by name.
export function lireTuile(octets) {
  const b = new Uint8Array(octets);
  const couches = {};
  champs(b, 0, b.length, (n, type, p) => {
    if (n === 3) {
      const c = new Couche(b, p.i, p.fin);
      couches[c.nom] = c;
    }
  });
  return couches;
}
