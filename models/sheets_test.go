package models_test

// XLSX voter files and exports are read and written by package sheets,
// which registers itself with models when imported.
import _ "electionbot/sheets"
