"""The dated legal periods of the single-permit procedure, as first recorded.

Figures and sources: the domain brief §2 (2.2 decision times, 2.3 submission and
renewal windows, 2.4 certificates, 2.6 arrival, 2.8 end of employment, 2.9 unlimited
authorisation, 2.10 appeals). ``region`` empty means every Region. A period the
brief marks UNVERIFIED has ``amount`` None and is never used in a date.
"""

# Nationals who reach the Walloon unlimited authorisation after 3 years [S67][S191].
WAL_THREE_YEAR_NATIONALITIES = ["MA", "RS", "MK", "XK", "BA", "ME", "TR", "DZ", "TN"]

LEGAL_PARAMETERS: tuple[dict, ...] = (
    # --- submission -----------------------------------------------------------------------
    {"key": "first_application_lead", "region": "FL", "valid_from": "2019-01-01", "amount": "4.5", "unit": "months",
     "sources": ["S55"], "note": "A first application at the earliest 4.5 months before employment starts."},
    {"key": "certificate_max_age", "region": "", "valid_from": "2019-01-01", "amount": "6", "unit": "months",
     "sources": ["S50", "S55", "S150"],
     "note": "Medical certificate and criminal record extract: at most 6 months old at the application, "
             "when the application is approved, and at the visa application."},
    {"key": "wallonia_completion_period", "region": "WAL", "valid_from": "2019-01-01", "amount": "15", "unit": "working_days",
     "sources": ["S66"], "note": "Wallonia gives 15 working days to supply missing documents, then 15 calendar days of examination."},
    # --- decisions ------------------------------------------------------------------------
    {"key": "decision_time_limit", "region": "", "valid_from": "2019-01-01", "amount": "90", "unit": "days",
     "sources": ["S47", "S48"],
     "note": "Regional and federal decision within 90 days (EU Immigration Portal). Observed practice: about 3 months, "
             "sometimes more than six [S157][S125]. The recast Directive 2024/1233 (90 days, +30) applies only once "
             "Belgium's transposition is confirmed."},
    {"key": "decision_time_limit", "region": "BXL", "valid_from": "2019-01-01", "amount": "4", "unit": "months",
     "sources": ["S52"], "note": "Brussels as published: at most 4 months from a complete file to delivery or refusal."},
    # --- appeals, from the notification ---------------------------------------------------
    {"key": "appeal_deadline_immigration_office", "region": "", "valid_from": "2019-01-01", "amount": "30", "unit": "days",
     "sources": ["S136"], "note": "Against an Immigration Office decision (annex 48, visa refusal): the CALL."},
    {"key": "appeal_deadline_region", "region": "BXL", "valid_from": "2019-01-01", "amount": "30", "unit": "days",
     "sources": ["S51"], "note": "Appeal by the employer (and the worker if legally resident)."},
    {"key": "appeal_deadline_region", "region": "WAL", "valid_from": "2019-01-01", "amount": "1", "unit": "months",
     "sources": ["S66"], "note": "Registered letter to the SPW."},
    {"key": "appeal_deadline_region", "region": "FL", "valid_from": "2019-01-01", "amount": None, "unit": "days",
     "sources": ["S59"], "unverified_fields": ["amount"],
     "note": "An appeal by the employer or the employee is possible; no source confirms its deadline."},
    # --- arrival ----------------------------------------------------------------------------
    {"key": "commune_registration", "region": "", "valid_from": "2019-01-01", "amount": "8", "unit": "days",
     "sources": ["S145", "S147", "S144", "S148"],
     "conflicting_values": {"unit": "working_days"},
     "conflict_note": "8 working days [S144][S148] or 8 days [S145][S147]. In force: 8 calendar days, the shorter "
                      "of the two, so that a participant who keeps to it is on time under either reading."},
    {"key": "annex_46_work_bridge", "region": "", "valid_from": "2024-04-05", "amount": "90", "unit": "days",
     "sources": ["S127"],
     "note": "Since the cooperation agreement of 22 March 2024 the worker may start on annex 46 for at most 90 days "
             "while the commune registration is pending."},
    # --- renewal: alert at expiry - 4.5 months, hard deadline at expiry - 2 months ----------------
    {"key": "renewal_window_opens", "region": "FL", "valid_from": "2019-01-01", "amount": "4.5", "unit": "months",
     "sources": ["S56"], "conflicting_values": {"amount": "6"},
     "conflict_note": "At most 4.5 months before expiry [S56]; an older English page says 6 months [S54]. "
                      "In force: 4.5 months, the current Flemish page."},
    {"key": "renewal_window_closes", "region": "FL", "valid_from": "2019-01-01", "amount": "2", "unit": "months",
     "sources": ["S56", "S135"],
     "note": "At least 2 months before expiry. Filed later, the Immigration Office treated a case as a renewal from "
             "abroad; the Brussels Court of Appeal censured this on 22 April 2025 [S135]."},
    # --- end of employment ------------------------------------------------------------------------
    {"key": "grace_after_employment_end", "region": "", "valid_from": "2019-01-01", "amount": None, "unit": "months",
     "sources": ["S133", "S190"], "unverified_fields": ["amount"],
     "note": "In principle the holder may remain another 3 months after the Region revokes the permit [S133], but "
             "the source is truncated and forums say 90 days [S190]: to be confirmed before it is used."},
    # --- unlimited work authorisation (filed by the worker) --------------------------------------
    {"key": "unlimited_authorisation_after", "region": "FL", "valid_from": "2019-01-01", "amount": "4", "unit": "years",
     "sources": ["S58"], "note": "At least 4 of the last 5 years worked under a work or single permit."},
    {"key": "unlimited_authorisation_after", "region": "WAL", "valid_from": "2019-01-01", "amount": "4", "unit": "years",
     "sources": ["S67"], "note": "At least 4 years within at most 10 years of uninterrupted legal residence."},
    {"key": "unlimited_authorisation_after", "region": "WAL", "valid_from": "2019-01-01", "amount": "3", "unit": "years",
     "nationalities": WAL_THREE_YEAR_NATIONALITIES, "sources": ["S67", "S191"],
     "note": "3 years for nationals of Morocco, Serbia, North Macedonia, Kosovo, Bosnia and Herzegovina, Montenegro, "
             "Turkey, Algeria and Tunisia (2 with spouse or children legally resident)."},
    {"key": "unlimited_authorisation_after", "region": "BXL", "valid_from": "2019-01-01", "valid_to": "2024-09-30",
     "amount": "4", "unit": "years", "sources": ["S138"], "note": "RD 9 June 1999 art. 16: 4 years within 10 years (3 with family)."},
    {"key": "unlimited_authorisation_after", "region": "BXL", "valid_from": "2019-01-01", "valid_to": "2024-09-30",
     "amount": "3", "unit": "years", "nationalities": ["MA"], "sources": ["S138"],
     "note": "Moroccan nationals: 3 years within 10 years (2 with family)."},
    {"key": "unlimited_authorisation_after", "region": "BXL", "valid_from": "2024-10-01", "amount": "30", "unit": "months",
     "sources": ["S78", "S81"], "note": "30 months of continuous residence and occupation in the Brussels-Capital Region."},
)
