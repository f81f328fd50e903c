package importer

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"sync"

	"github.com/paulmach/orb"

	"zonage/geo/address"
	"zonage/internal/atomicfile"
	"zonage/zones"
)

// The snapshot is one file: a fixed header, then a payload of named sections.
//
//	magic "ZONAGEKS" | format version u32 | payload length u64 | CRC-32C of payload u32
//	payload: section count u32, then per section: name length u8, name, length u64, bytes
//
// Sections, in the order written:
//   - "meta": JSON provenance and coverage (zones.Meta), readable on its own;
//   - "data": gob of the communes and assignments (snapshotData);
//   - "geom": the outlines as fixed-point coordinates (encodeGeometry);
//   - "prof", when the import had other professions' exports: gob of their
//     compact zonage (zones.ProfessionZonages);
//   - "addr", when the import had postcode or address sources: gob of the
//     address matcher's tables (address.Data);
//   - "pays", when the import had the countries' land file: the foreign land
//     near the communes, gob of the countries' codes and names and their
//     parts' geometry written as "geom" is (countriesSection).
//
// The first three are required; a reader skips the sections it does not know, so
// adding one needs no new format version: an older snapshot without "prof"
// loads, with the kiné only. CRC-32C is checked on every load: it is
// hardware-accelerated, so a 30 MB file costs a few milliseconds, and it catches
// truncation and bit rot.
const (
	snapshotMagic   = "ZONAGEKS"
	SnapshotVersion = 1
	headerSize      = 8 + 4 + 8 + 4
	// Coordinates are stored as int32 in units of 1e-7 degree (about 1 cm): exact
	// for sources published with 5 or 6 decimals, half the size of float64.
	coordScale = 1e7
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrSnapshot marks a snapshot file that cannot be used; its message tells the user
// to re-run the import.
var ErrSnapshot = errors.New("instantané inutilisable")

// Snapshot is the content of a snapshot file.
type Snapshot struct {
	Dataset  *zones.Dataset
	Polygons []orb.MultiPolygon // Polygons[i] is the outline of Dataset.Communes[i]
	// Address is what the offline address matcher is built from; nil when the
	// import had no postcode or address source (then only coordinates and codes
	// are answered).
	Address *address.Data
	// Countries is the foreign land near the communes; nil when the import had
	// no countries' land file (then a point abroad near a commune is attached
	// to it).
	Countries *CountryLand
	// Changes is what this version changed from the one published before it, when it
	// was loaded from PostgreSQL (not stored in snapshot files).
	Changes *zones.DatasetDiff

	matcherOnce sync.Once
	matcher     *address.Matcher
}

type snapshotData struct {
	Communes        []zones.Commune
	Zonage          map[string][]zones.Zonage
	Former          map[string]zones.FormerCommune
	Arrondissements map[string][]string
	ParentNames     map[string]string
}

// WriteSnapshot writes the snapshot atomically (atomicfile): a failure at any
// point leaves an existing snapshot at path untouched.
func WriteSnapshot(path string, s *Snapshot) error {
	data, err := EncodeSnapshot(s)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("écriture de l'instantané %s : %w", path, err)
	}
	return nil
}

// EncodeSnapshot returns the bytes of a snapshot file: header, checksum, sections.
func EncodeSnapshot(s *Snapshot) ([]byte, error) {
	if len(s.Polygons) != len(s.Dataset.Communes) {
		return nil, fmt.Errorf("instantané incohérent : %d contours pour %d communes", len(s.Polygons), len(s.Dataset.Communes))
	}
	payload, err := encodePayload(s)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerSize, headerSize+len(payload))
	copy(out[:8], snapshotMagic)
	binary.LittleEndian.PutUint32(out[8:], SnapshotVersion)
	binary.LittleEndian.PutUint64(out[12:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(out[20:], crc32.Checksum(payload, castagnoli))
	return append(out, payload...), nil
}

func encodePayload(s *Snapshot) ([]byte, error) {
	meta, err := json.Marshal(s.Dataset.Meta)
	if err != nil {
		return nil, err
	}
	var data bytes.Buffer
	d := s.Dataset
	if err := gob.NewEncoder(&data).Encode(snapshotData{d.Communes, d.Zonage, d.Former, d.Arrondissements, d.ParentNames}); err != nil {
		return nil, fmt.Errorf("encodage de l'instantané : %w", err)
	}
	geom, err := encodeGeometry(s.Polygons)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	type section struct {
		name string
		b    []byte
	}
	sections := []section{{"meta", meta}, {"data", data.Bytes()}, {"geom", geom}}
	// The optional sections are gobs of their value, present when it is.
	for _, opt := range []struct {
		name, what string
		value      any
		present    bool
	}{
		{"prof", "du zonage des autres professions", d.Professions, d.Professions != nil},
		{"addr", "des adresses", s.Address, s.Address != nil},
	} {
		if !opt.present {
			continue
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(opt.value); err != nil {
			return nil, fmt.Errorf("encodage %s : %w", opt.what, err)
		}
		sections = append(sections, section{opt.name, b.Bytes()})
	}
	if s.Countries != nil {
		geom, err := encodeGeometry(s.Countries.Polygons)
		if err != nil {
			return nil, fmt.Errorf("frontières : %w", err)
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(countriesSection{s.Countries.Codes, s.Countries.Names, geom, s.Countries.French, s.Countries.Communes}); err != nil {
			return nil, fmt.Errorf("encodage des frontières : %w", err)
		}
		sections = append(sections, section{"pays", b.Bytes()})
	}
	binary.Write(&out, binary.LittleEndian, uint32(len(sections)))
	for _, sec := range sections {
		out.WriteByte(byte(len(sec.name)))
		out.WriteString(sec.name)
		binary.Write(&out, binary.LittleEndian, uint64(len(sec.b)))
		out.Write(sec.b)
	}
	return out.Bytes(), nil
}

// countriesSection is the "pays" section: Geom is the countries' parts as
// encodeGeometry writes them, Geom's i-th multipolygon the land of Codes[i].
type countriesSection struct {
	Codes, Names []string
	Geom         []byte
	French       []bool
	Communes     []string
}

// decodeCountries reads the "pays" section, when there is one.
func decodeCountries(secs map[string][]byte) (*CountryLand, error) {
	b, ok := secs["pays"]
	if !ok {
		return nil, nil
	}
	var sec countriesSection
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&sec); err != nil {
		return nil, fmt.Errorf("section pays illisible (%v)", err)
	}
	polys, err := decodeGeometry(sec.Geom)
	if err != nil {
		return nil, fmt.Errorf("section pays : %v", err)
	}
	if len(polys) != len(sec.Codes) || len(sec.Names) != len(sec.Codes) {
		return nil, fmt.Errorf("section pays : %d contours pour %d pays", len(polys), len(sec.Codes))
	}
	if sec.French == nil {
		// Written before the collectivités were kept: foreign land only.
		sec.French, sec.Communes = make([]bool, len(sec.Codes)), make([]string, len(sec.Codes))
	}
	if len(sec.French) != len(sec.Codes) || len(sec.Communes) != len(sec.Codes) {
		return nil, fmt.Errorf("section pays : %d pays, %d marques, %d communes", len(sec.Codes), len(sec.French), len(sec.Communes))
	}
	return &CountryLand{Codes: sec.Codes, Names: sec.Names, Polygons: polys, French: sec.French, Communes: sec.Communes}, nil
}

// encodeGeometry writes the ring structure as u32 counts (polygons, then parts per
// polygon, rings per part, points per ring) followed by all points as int32 pairs.
func encodeGeometry(polys []orb.MultiPolygon) ([]byte, error) {
	var counts []uint32
	var points int
	counts = append(counts, uint32(len(polys)))
	for _, mp := range polys {
		counts = append(counts, uint32(len(mp)))
		for _, p := range mp {
			counts = append(counts, uint32(len(p)))
			for _, r := range p {
				counts = append(counts, uint32(len(r)))
				points += len(r)
			}
		}
	}
	buf := make([]byte, 8+4*len(counts)+8*points)
	binary.LittleEndian.PutUint64(buf, uint64(len(counts)))
	off := 8
	for _, c := range counts {
		binary.LittleEndian.PutUint32(buf[off:], c)
		off += 4
	}
	for i, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				for _, pt := range r {
					if math.Abs(pt[0]) > 180 || math.Abs(pt[1]) > 90 || math.IsNaN(pt[0]) || math.IsNaN(pt[1]) {
						return nil, fmt.Errorf("contour %d : coordonnée hors limites %v", i, pt)
					}
					binary.LittleEndian.PutUint32(buf[off:], uint32(int32(math.Round(pt[0]*coordScale))))
					binary.LittleEndian.PutUint32(buf[off+4:], uint32(int32(math.Round(pt[1]*coordScale))))
					off += 8
				}
			}
		}
	}
	return buf, nil
}

func snapshotErr(path, format string, args ...any) error {
	return fmt.Errorf("%w : %s : %s ; relancez « zonage import » pour le reconstruire", ErrSnapshot, path, fmt.Sprintf(format, args...))
}

// ReadSnapshotFile reads and checks a snapshot file.
func ReadSnapshotFile(path string) (*Snapshot, error) {
	b, err := readSnapshotBytes(path)
	if err != nil {
		return nil, err
	}
	return DecodeSnapshot(b, path)
}

// readSnapshotBytes reads a snapshot file whole; its errors are ErrSnapshot.
func readSnapshotBytes(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w : %s introuvable ; construisez-le avec « zonage import »", ErrSnapshot, path)
		}
		return nil, fmt.Errorf("%w : %v", ErrSnapshot, err)
	}
	return b, nil
}

func snapshotSections(b []byte, name string) (map[string][]byte, error) {
	if len(b) < headerSize {
		return nil, snapshotErr(name, "fichier tronqué (%d octets)", len(b))
	}
	if string(b[:8]) != snapshotMagic {
		return nil, snapshotErr(name, "ce n'est pas un instantané zonage (signature absente)")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != SnapshotVersion {
		return nil, snapshotErr(name, "version de format %d, ce programme lit la version %d", v, SnapshotVersion)
	}
	n := binary.LittleEndian.Uint64(b[12:])
	payload := b[headerSize:]
	if uint64(len(payload)) != n {
		return nil, snapshotErr(name, "fichier tronqué ou rallongé (%d octets de données au lieu de %d)", len(payload), n)
	}
	if got, want := crc32.Checksum(payload, castagnoli), binary.LittleEndian.Uint32(b[20:]); got != want {
		return nil, snapshotErr(name, "somme de contrôle incorrecte (fichier corrompu)")
	}
	r := bytes.NewReader(payload)
	var count uint32
	if err := binary.Read(r, binary.LittleEndian, &count); err != nil {
		return nil, snapshotErr(name, "en-tête des sections illisible")
	}
	secs := make(map[string][]byte, count)
	for i := uint32(0); i < count; i++ {
		l, err := r.ReadByte()
		if err != nil {
			return nil, snapshotErr(name, "section %d illisible", i)
		}
		nm := make([]byte, l)
		if _, err := io.ReadFull(r, nm); err != nil {
			return nil, snapshotErr(name, "section %d illisible", i)
		}
		var size uint64
		if err := binary.Read(r, binary.LittleEndian, &size); err != nil || size > uint64(r.Len()) {
			return nil, snapshotErr(name, "section %q tronquée", nm)
		}
		start := len(payload) - r.Len()
		secs[string(nm)] = payload[start : start+int(size)]
		r.Seek(int64(size), io.SeekCurrent)
	}
	for _, want := range []string{"meta", "data", "geom"} {
		if _, ok := secs[want]; !ok {
			return nil, snapshotErr(name, "section %q absente", want)
		}
	}
	return secs, nil
}

// ReadSnapshotDataset reads and checks a snapshot file, and decodes only its
// dataset (provenance, communes, assignments): what comparing two snapshots needs,
// without the outlines and address tables.
func ReadSnapshotDataset(path string) (*zones.Dataset, error) {
	b, err := readSnapshotBytes(path)
	if err != nil {
		return nil, err
	}
	return DecodeSnapshotDataset(b, path)
}

// DecodeSnapshotDataset checks a snapshot held in memory and decodes its dataset only.
func DecodeSnapshotDataset(b []byte, name string) (*zones.Dataset, error) {
	secs, err := snapshotSections(b, name)
	if err != nil {
		return nil, err
	}
	ds, err := decodeDataset(secs, name)
	if err != nil {
		return nil, err
	}
	if ds.Professions, err = decodeProfessions(secs); err != nil {
		return nil, snapshotErr(name, "%v", err)
	}
	ds.Index()
	return ds, nil
}

// decodeDataset reads the meta and data sections into a dataset, not yet indexed.
func decodeDataset(secs map[string][]byte, name string) (*zones.Dataset, error) {
	ds := &zones.Dataset{}
	if err := json.Unmarshal(secs["meta"], &ds.Meta); err != nil {
		return nil, snapshotErr(name, "section meta illisible (%v)", err)
	}
	var sd snapshotData
	if err := gob.NewDecoder(bytes.NewReader(secs["data"])).Decode(&sd); err != nil {
		return nil, snapshotErr(name, "section data illisible (%v)", err)
	}
	ds.Communes, ds.Zonage, ds.Former, ds.Arrondissements, ds.ParentNames = sd.Communes, sd.Zonage, sd.Former, sd.Arrondissements, sd.ParentNames
	return ds, nil
}

// decodeProfessions reads the "prof" section, when there is one.
func decodeProfessions(secs map[string][]byte) (*zones.ProfessionZonages, error) {
	b, ok := secs["prof"]
	if !ok {
		return nil, nil
	}
	pz := &zones.ProfessionZonages{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(pz); err != nil {
		return nil, fmt.Errorf("section prof illisible (%v)", err)
	}
	if err := pz.Check(); err != nil {
		return nil, fmt.Errorf("section prof : %v", err)
	}
	return pz, nil
}

// DecodeSnapshot checks and decodes a snapshot held in memory (a file's content or
// the snapshot embedded in the binary).
func DecodeSnapshot(b []byte, name string) (*Snapshot, error) {
	secs, err := snapshotSections(b, name)
	if err != nil {
		return nil, err
	}
	// The sections are independent: decoding them side by side keeps the start of
	// the service within its budget on two cores.
	var (
		polys     []orb.MultiPolygon
		addr      *address.Data
		prof      *zones.ProfessionZonages
		countries *CountryLand
		geomErr   error
		addrErr   error
		profErr   error
		decoders  sync.WaitGroup
	)
	decoders.Add(2)
	go func() {
		defer decoders.Done()
		polys, geomErr = decodeGeometry(secs["geom"])
	}()
	go func() {
		defer decoders.Done()
		if b, ok := secs["addr"]; ok {
			addr = &address.Data{}
			addrErr = gob.NewDecoder(bytes.NewReader(b)).Decode(addr)
		}
		prof, profErr = decodeProfessions(secs)
		if profErr == nil {
			countries, profErr = decodeCountries(secs)
		}
	}()
	ds, dataErr := decodeDataset(secs, name)
	decoders.Wait()
	switch {
	case dataErr != nil:
		return nil, dataErr
	case geomErr != nil:
		return nil, snapshotErr(name, "%v", geomErr)
	case addrErr != nil:
		return nil, snapshotErr(name, "section addr illisible (%v)", addrErr)
	case profErr != nil:
		return nil, snapshotErr(name, "%v", profErr)
	}
	ds.Professions = prof
	if len(polys) != len(ds.Communes) {
		return nil, snapshotErr(name, "%d contours pour %d communes", len(polys), len(ds.Communes))
	}
	internDataset(ds)
	ds.Index()
	return &Snapshot{Dataset: ds, Polygons: polys, Address: addr, Countries: countries}, nil
}

func decodeGeometry(b []byte) ([]orb.MultiPolygon, error) {
	if len(b) < 8 {
		return nil, errors.New("section geom tronquée")
	}
	nc := binary.LittleEndian.Uint64(b)
	if nc > uint64(len(b)-8)/4 {
		return nil, errors.New("section geom tronquée")
	}
	counts := make([]uint32, nc)
	off := 8
	for i := range counts {
		counts[i] = binary.LittleEndian.Uint32(b[off:])
		off += 4
	}
	coords := b[off:]
	if len(coords)%8 != 0 {
		return nil, errors.New("section geom : coordonnées tronquées")
	}
	// One backing array for every point: rings are slices of it, which keeps the
	// load to a handful of allocations.
	points := make([]orb.Point, len(coords)/8)
	for i := range points {
		points[i] = orb.Point{
			float64(int32(binary.LittleEndian.Uint32(coords[8*i:]))) / coordScale,
			float64(int32(binary.LittleEndian.Uint32(coords[8*i+4:]))) / coordScale,
		}
	}
	// The polygons and rings are windows on one array each too: a commune's
	// outline is then no allocation of its own, which spares the garbage
	// collector some 70,000 objects to mark at every cycle.
	var nParts, nRings uint64
	for ci, nPolys := 1, uint64(0); nc > 0 && nPolys < uint64(counts[0]); nPolys++ {
		if ci >= len(counts) {
			return nil, errors.New("section geom : structure incohérente")
		}
		parts := int(counts[ci])
		ci++
		nParts += uint64(parts)
		for j := 0; j < parts; j++ {
			if ci >= len(counts) {
				return nil, errors.New("section geom : structure incohérente")
			}
			nRings += uint64(counts[ci])
			ci += 1 + int(counts[ci])
		}
	}
	if nParts > nc || nRings > nc {
		return nil, errors.New("section geom : structure incohérente")
	}
	partSlab := make([]orb.Polygon, nParts)
	ringSlab := make([]orb.Ring, nRings)
	ci, pi := 0, 0
	next := func() (uint32, error) {
		if ci >= len(counts) {
			return 0, errors.New("section geom : structure incohérente")
		}
		ci++
		return counts[ci-1], nil
	}
	np, err := next()
	if err != nil {
		return nil, err
	}
	polys := make([]orb.MultiPolygon, np)
	for i := range polys {
		nparts, err := next()
		if err != nil {
			return nil, err
		}
		mp := orb.MultiPolygon(partSlab[:nparts:nparts])
		partSlab = partSlab[nparts:]
		for j := range mp {
			nrings, err := next()
			if err != nil {
				return nil, err
			}
			poly := orb.Polygon(ringSlab[:nrings:nrings])
			ringSlab = ringSlab[nrings:]
			for k := range poly {
				npts, err := next()
				if err != nil {
					return nil, err
				}
				if pi+int(npts) > len(points) {
					return nil, errors.New("section geom : points manquants")
				}
				poly[k] = orb.Ring(points[pi : pi+int(npts) : pi+int(npts)])
				pi += int(npts)
			}
			mp[j] = poly
		}
		polys[i] = mp
	}
	if ci != len(counts) || pi != len(points) {
		return nil, errors.New("section geom : structure incohérente")
	}
	return polys, nil
}
