"""Date and number formats of the project's languages (settings.FORMAT_MODULE_PATH), used
by every date shown: day month year, as Cambodians write it ("2 December 2026",
"២ ធ្នូ ២០២៦"; the digits are the user's, phteah.core.numerals). Dates are typed as
day/month/year (phteah.core.khmer.DateField)."""
