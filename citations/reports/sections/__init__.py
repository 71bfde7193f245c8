"""The program report's sections, one module each, in the order the report prints them: the
cover, citations issued, outcomes, referred and declined cases, money, reviews and hearings,
repeat citations, and who bears the burden. Each takes a `ReportLayout` and returns its
flowables; a section without data says so in a sentence rather than leaving a gap."""
