package zones

import (
	"fmt"
	"strings"
)

// RecordColumns names the fields of a CommuneRecord, in the order Values returns
// them: the properties of the communes feature collection and the columns of the
// exported files. Names are French and lower-case so that a GIS user can filter on
// them as written (categorie, departement, region); never rename one.
var RecordColumns = []string{
	"code", "nom", "departement", "region", "region_nom",
	"categorie", "libelle", "code_officiel", "echelle", "statut",
	"date_arrete", "date_effet", "unite_type", "unite_code", "unite_nom",
	"remarque", "version_donnees",
}

// RecordDateColumns are the RecordColumns that hold an ISO date (AAAA-MM-JJ) or nothing.
var RecordDateColumns = map[string]bool{"date_arrete": true, "date_effet": true}

// CommuneRecord is one commune with the zonage in force on a day, flattened to
// text fields for GIS layers and files. Empty means unknown or not applicable.
type CommuneRecord struct {
	Code, Name, Departement, Region, RegionName string
	// Category is the slug of the category; empty when the commune is ambiguous
	// (Status "ambigu", Note lists the candidates) or has no zonage in force.
	Category                  Category
	Label, OfficialCode       string
	Scheme                    Scheme
	Status                    Status
	ArreteDate, EffectiveDate string
	// The bassin de vie or canton-ville the category was decided for.
	CatchmentKind        CatchmentKind
	CatchmentCode        string
	CatchmentName        string
	Note, DatasetVersion string
}

// Values returns the fields in the order of RecordColumns.
func (r *CommuneRecord) Values() []string {
	return []string{
		r.Code, r.Name, r.Departement, r.Region, r.RegionName,
		string(r.Category), r.Label, r.OfficialCode, string(r.Scheme), string(r.Status),
		r.ArreteDate, r.EffectiveDate, string(r.CatchmentKind), r.CatchmentCode, r.CatchmentName,
		r.Note, r.DatasetVersion,
	}
}

// CommuneRecord returns commune i of the dataset (Dataset.Communes[i]) with the
// zonage in force today, as the resolver answers it for the commune's code.
func (r *Resolver) CommuneRecord(i int) CommuneRecord {
	c := &r.Dataset.Communes[i]
	rec := CommuneRecord{Code: c.Code, Name: c.Name, Departement: c.Departement, Region: c.Region,
		DatasetVersion: r.Dataset.Meta.Version}
	rec.RegionName = regionRef(c.Region).Name
	res, err := r.ResolveCode(c.Code)
	if err != nil {
		// The dataset's own codes are valid; an error here is a broken snapshot.
		rec.Status = StatusError
		rec.Note = err.Error()
		return rec
	}
	rec.Status = res.Status
	catch := c.Catchment
	switch {
	case res.Status == StatusOK && res.Zonage != nil:
		z := res.Zonage
		rec.Category, rec.Label, rec.OfficialCode, rec.Scheme = z.Category, z.Label, z.OfficialCode, z.Scheme
		rec.ArreteDate, rec.EffectiveDate = z.ArreteDate, z.EffectiveDate
		if z.Catchment != nil {
			catch = z.Catchment
		}
	case res.Status == StatusAmbiguous:
		parts := make([]string, 0, len(res.Candidates))
		for _, cand := range res.Candidates {
			parts = append(parts, fmt.Sprintf("%s %s : %s", cand.Code, cand.Name, cand.Zonage.Label))
		}
		rec.Note = "commune nouvelle dont les communes déléguées ont des catégories différentes (" + strings.Join(parts, " ; ") + ")"
	default:
		rec.Note = res.Message
	}
	if catch != nil {
		rec.CatchmentKind, rec.CatchmentCode, rec.CatchmentName = catch.Kind, catch.Code, catch.Name
	}
	return rec
}

// CommuneRecords returns every commune of the dataset, in the dataset's order
// (by code), with the zonage in force today.
func (r *Resolver) CommuneRecords() []CommuneRecord {
	out := make([]CommuneRecord, len(r.Dataset.Communes))
	for i := range out {
		out[i] = r.CommuneRecord(i)
	}
	return out
}
