// Package csvbatch annotates a CSV file of places row by row: it reads what
// spreadsheets export (';', ',' or tab; UTF-8 with or without BOM, Windows-1252;
// quoted fields with newlines), finds the columns that locate each row (address,
// postcode, town, coordinates, INSEE code) by their names or by the caller's
// choice, hands each row to an Annotator on every core, and writes every input row,
// in input order, with its own cells unchanged plus the annotator's columns.
//
// It streams: memory stays bounded whatever the file's length. It knows nothing of
// what the annotation means; the zonage columns are the caller's.
package csvbatch
