package address

import (
	"sync"
)

// fixture is a small hand-written France: real names and codes, made-up points.
// It holds the cases the matcher must get right: arrondissements, a postcode
// shared by three communes, communes déléguées, lieux-dits, a name shared by
// three communes, two communes sharing one libellé.
func fixture() *Data {
	arr := func(code, name, parent, pc string, lat, lon float64) Commune {
		return Commune{Code: code, Name: name, Kind: KindArrondissement, Parent: parent, Departement: code[:2],
			Postcodes: []string{pc}, Lat: lat, Lon: lon}
	}
	com := func(code, name, dep string, pop int, lat, lon float64, pcs ...string) Commune {
		return Commune{Code: code, Name: name, Kind: KindCommune, Departement: dep, Population: pop, Postcodes: pcs, Lat: lat, Lon: lon}
	}
	d := &Data{
		Communes: []Commune{
			com("75056", "Paris", "75", 2103778, 48.8566, 2.3522, "75006", "75007", "75015", "75016", "75116"),
			arr("75106", "Paris 6e Arrondissement", "75056", "75006", 48.8491, 2.3328),
			arr("75107", "Paris 7e Arrondissement", "75056", "75007", 48.8562, 2.3122),
			arr("75115", "Paris 15e Arrondissement", "75056", "75015", 48.8401, 2.2934),
			arr("75116", "Paris 16e Arrondissement", "75056", "75016", 48.8604, 2.2620),
			com("69123", "Lyon", "69", 520774, 45.7640, 4.8357, "69003"),
			arr("69383", "Lyon 3e Arrondissement", "69123", "69003", 45.7597, 4.8497),
			com("13055", "Marseille", "13", 873076, 43.2965, 5.3698, "13013"),
			arr("13213", "Marseille 13e Arrondissement", "13055", "13013", 43.3496, 5.4295),
			com("01034", "Belley", "01", 9228, 45.7593, 5.6881, "01300"),
			com("01015", "Arboys en Bugey", "01", 673, 45.7188, 5.6404, "01300"),
			com("01058", "Brens", "01", 1226, 45.7218, 5.6923, "01300"),
			com("01187", "Haut Valromey", "01", 812, 46.0436, 5.6846, "01260"),
			{Code: "01330", Name: "Ruffieu", Kind: KindDeleguee, Parent: "01187", Departement: "01"},
			com("49126", "Orée d'Anjou", "49", 17162, 47.3042, -1.2135, "49270", "49530"),
			{Code: "49069", Name: "Champtoceaux", Kind: KindDeleguee, Parent: "49126", Departement: "49"},
			{Code: "49126", Name: "Drain", Kind: KindDeleguee, Parent: "49126", Departement: "49"},
			com("93066", "Saint-Denis", "93", 113942, 48.9362, 2.3574, "93200", "93210"),
			com("97411", "Saint-Denis", "974", 153810, -20.8823, 55.4504, "97400"),
			com("11339", "Saint-Denis", "11", 480, 43.3667, 2.2333, "11310"),
			com("93048", "Montreuil", "93", 111367, 48.8638, 2.4485, "93100"),
			com("93008", "Bobigny", "93", 55771, 48.9077, 2.4397, "93000"),
			com("42218", "Saint-Étienne", "42", 173089, 45.4397, 4.3872, "42000", "42100"),
			com("13001", "Aix-en-Provence", "13", 147478, 43.5297, 5.4474, "13090", "13100"),
			com("97501", "Miquelon-Langlade", "975", 596, 47.0975, -56.3814, "97500"),
			com("97502", "Saint-Pierre", "975", 5194, 46.7811, -56.1764, "97500"),
		},
		Postal: []PostalLine{
			{Code: "75106", Postcode: "75006", Name: "PARIS 06", Label: "PARIS"},
			{Code: "75107", Postcode: "75007", Name: "PARIS 07", Label: "PARIS"},
			{Code: "75115", Postcode: "75015", Name: "PARIS 15", Label: "PARIS"},
			{Code: "75116", Postcode: "75016", Name: "PARIS 16", Label: "PARIS"},
			{Code: "75116", Postcode: "75116", Name: "PARIS 16", Label: "PARIS"},
			{Code: "69383", Postcode: "69003", Name: "LYON 03", Label: "LYON"},
			{Code: "13213", Postcode: "13013", Name: "MARSEILLE 13", Label: "MARSEILLE"},
			{Code: "01034", Postcode: "01300", Name: "BELLEY", Label: "BELLEY"},
			{Code: "01015", Postcode: "01300", Name: "ARBOYS EN BUGEY", Label: "ARBOYS EN BUGEY", Line5: "ARBIGNIEU"},
			{Code: "01015", Postcode: "01300", Name: "ARBOYS EN BUGEY", Label: "ARBOYS EN BUGEY", Line5: "ST BOIS"},
			{Code: "01058", Postcode: "01300", Name: "BRENS", Label: "BRENS"},
			{Code: "01187", Postcode: "01260", Name: "HAUT VALROMEY", Label: "HAUT VALROMEY", Line5: "RUFFIEU"},
			{Code: "49126", Postcode: "49270", Name: "OREE D ANJOU", Label: "OREE D ANJOU", Line5: "CHAMPTOCEAUX"},
			{Code: "93066", Postcode: "93200", Name: "ST DENIS", Label: "ST DENIS"},
			{Code: "97411", Postcode: "97400", Name: "ST DENIS", Label: "ST DENIS"},
			{Code: "11339", Postcode: "11310", Name: "ST DENIS", Label: "ST DENIS"},
			{Code: "93048", Postcode: "93100", Name: "MONTREUIL", Label: "MONTREUIL"},
			{Code: "93008", Postcode: "93000", Name: "BOBIGNY", Label: "BOBIGNY"},
			{Code: "42218", Postcode: "42000", Name: "ST ETIENNE", Label: "ST ETIENNE"},
			{Code: "13001", Postcode: "13100", Name: "AIX EN PROVENCE", Label: "AIX EN PROVENCE"},
			{Code: "97501", Postcode: "97500", Name: "MIQUELON LANGLADE", Label: "ST PIERRE ET MIQUELON"},
			{Code: "97502", Postcode: "97500", Name: "ST PIERRE", Label: "ST PIERRE ET MIQUELON"},
		},
		Former: []FormerName{{Code: "49040", Name: "Bouzillé", Current: "49126"}},
		Streets: []Street{
			numberedStreet("75106", "Rue de Vaugirard", "75006", 1, 60, 48.8490, 2.3330),
			numberedStreet("75115", "Rue de Vaugirard", "75015", 100, 400, 48.8400, 2.2990),
			numberedStreet("75107", "Rue de Grenelle", "75007", 1, 150, 48.8570, 2.3150),
			numberedStreet("75106", "Boulevard Saint-Germain", "75006", 100, 200, 48.8530, 2.3330),
			numberedStreet("75107", "Boulevard Saint-Germain", "75007", 202, 288, 48.8590, 2.3190),
		},
	}
	// 12 bis and 12 ter, rue de Vaugirard.
	st := &d.Streets[0]
	for i, p := range st.Points {
		if p.Number == 12 {
			st.Points = append(st.Points[:i+1], append([]Point{
				{Number: 12, Suffix: "B", Lat: p.Lat + 10, Lon: p.Lon + 10},
				{Number: 12, Suffix: "T", Lat: p.Lat + 20, Lon: p.Lon + 20}}, st.Points[i+1:]...)...)
			break
		}
	}
	return d
}

// numberedStreet numbers a street from first to last, every number, along a line
// eastwards from (lat, lon).
func numberedStreet(code, name, pc string, first, last int32, lat, lon float64) Street {
	s := Street{Code: code, Name: name, Postcode: pc}
	for n := first; n <= last; n++ {
		s.Points = append(s.Points, Point{Number: n, Lat: int32(lat * 1e7), Lon: int32((lon + float64(n-first)*1e-4) * 1e7)})
	}
	return s
}

var fixtureMatcher = sync.OnceValue(func() *Matcher { return NewMatcher(fixture()) })
