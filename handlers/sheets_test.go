package handlers

// The officials' XLSX export is written by package sheets, which
// registers itself with models when imported.
import _ "electionbot/sheets"
