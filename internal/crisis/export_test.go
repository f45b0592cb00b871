package crisis

// Embedded exposes the embedded file to the black-box tests.
var Embedded = embedded
