// Package config builds Tend's one Config from command-line flags and TEND_*
// environment variables (flags win), reads secrets from *_FILE variables, and
// validates the result with messages that name the setting and the fix.
// There is no global configuration: the Config is passed explicitly.
package config
