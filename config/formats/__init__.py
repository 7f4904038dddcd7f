"""How dates are written and typed, per language, where Django's own formats do not suit
(``FORMAT_MODULE_PATH``): every language of the house writes the day first.

* English is British English, not American: "4 December 2026", "04/12/2026".
* Arabic had no date-and-time or input formats of its own, so Django's American defaults
  applied: a day read 02/12/2026 in one column and 12/02/2026 (with a time) in the next,
  and a day typed 02/12/2026 was stored as 12 February.

French and Dutch keep Django's formats, which put the day first already.
"""
