package i18n

// NewFromFS exposes newFromFS to the black-box tests, which feed it broken
// message files.
var NewFromFS = newFromFS
