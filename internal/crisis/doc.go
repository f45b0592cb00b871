// Package crisis owns the crisis resources shown on the help page and in safety
// plans: emergency numbers and crisis lines by country, parsed from the embedded
// crisis-lines.json, and the rules for which of them a page may show.
// Numbers are data, never hard-coded here or in templates. This package never
// decides who is at risk: it only chooses and orders resources for a country.
package crisis
