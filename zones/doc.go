// Package zones is the domain of the zonage kiné service: the ARS categories and
// their official codes, communes, zonage assignments with their arrêté and
// effective dates, regional arrêtés, and the resolution of a place to a category
// with its provenance. It knows no HTTP, no SQL and no file format.
package zones
