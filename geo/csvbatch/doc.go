// Package csvbatch annotates a CSV file of places row by row: it reads what
// spreadsheets export (';', ',', tab or '|'; LF, CRLF or CR line ends; UTF-8 with
// or without BOM, Windows-1252, UTF-16 with BOM; quoted fields over several lines),
// finds the columns that locate each row (address, postcode, town, coordinates,
// INSEE code) by their names or by the caller's choice, hands each row to an
// Annotator on every core, and writes every input row, in input order, with its own
// cells unchanged plus the annotator's columns.
//
// The row invariant holds in one place, Run: records out = records in. The record
// reader (reader.go) states the quoting policy: a record that cannot be read
// cleanly is read from its first line alone and comes out with a Problem naming
// the line, never merged into another. Each record is decoded in its own encoding
// (UTF-8 when valid, Windows-1252 otherwise) and written back in it.
//
// It streams: memory stays bounded whatever the file's length. It knows nothing of
// what the annotation means; the zonage columns are the caller's.
package csvbatch
