// Package hopebox owns the hope box: the person's own words and photos
// that comfort them. It belongs to the person alone and is never
// shareable, so every call but the person's own answers "not found". Words
// and photo bytes are sealed through the vault; photos are accepted as JPEG
// or PNG by their content, decoded and encoded again so that nothing but
// the pixels is kept (no EXIF, no location). It writes no audit events and
// logs nothing: the hope box leaves no trace outside itself. It never
// touches SQL or HTTP.
package hopebox
