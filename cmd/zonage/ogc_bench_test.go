package main

import (
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkOGCCollectionGDAL pulls the whole communes collection through the OGC
// API with ogr2ogr into a GeoPackage, paging by next links, at two page sizes
// (GDAL asks for 10 features a page unless told otherwise). Budget: 20 s.
func BenchmarkOGCCollectionGDAL(b *testing.B) {
	requireGDAL(b)
	base, _ := startServer(b, testSnapshot)
	for _, pageSize := range []int{1000, 10000} {
		b.Run("page_size="+strconv.Itoa(pageSize), func(b *testing.B) {
			dir := b.TempDir()
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, "communes-"+strconv.Itoa(i)+".gpkg")
				gdal(b, "ogr2ogr", "-f", "GPKG", out, "OAPIF:"+base+"/ogc", "communes", "-oo", "PAGE_SIZE="+strconv.Itoa(pageSize))
			}
		})
	}
}

// BenchmarkExportGPKG runs `zonage export --format gpkg` on the real snapshot:
// loading it, every commune's record, the GeoPackage and its index. Budget: 10 s.
func BenchmarkExportGPKG(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, "communes.gpkg")
		if _, errOut, code := run("export", "--snapshot", testSnapshot, "--format", "gpkg", "-o", out); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
}
